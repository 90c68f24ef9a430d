/*
 * op_vm.h - the kernel virtual memory ops: vmalloc and vfree, a task's
 * stack at fork and exit, access (the TLB), kmap and kunmap (highmem),
 * and a capture's vmap area events (alloc_vmap_area, free_vmap_area,
 * the lazy purges: the kernel's own placement, replayed).  vmalloc'd
 * areas and stacks are in the shared object table (ops.h); the page
 * blocks access and kmap name are the page ops' (op_pages.h).
 */
#ifndef KMSIM_OPS_OP_VM_H
#define KMSIM_OPS_OP_VM_H

#include <stdint.h>

#include "ops/op_pages.h"
#include "ops/ops.h"

struct op_vm;

struct op_vm *op_vm_create(struct ops_ctx *ctx, const struct op_pages *pages);
void op_vm_destroy(struct op_vm *v);
/* Issue a vm op on cpu; its latency in cycles. */
uint64_t op_vm_issue(struct op_vm *v, const struct op *op, int cpu);

#endif /* KMSIM_OPS_OP_VM_H */
