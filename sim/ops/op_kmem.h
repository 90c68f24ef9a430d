/*
 * op_kmem.h - the slab and percpu ops: kmem_cache_create and _destroy,
 * kmem_cache_alloc and _free, kmalloc, kfree, krealloc, alloc_percpu and
 * free_percpu, as requests to the slab and percpu engines.  The objects
 * are in the shared object table (ops.h).
 *
 * A capture's quirks live here: the caches of kernels before 6.2 (which
 * do not print the cache name: one cache per object size stands in), the
 * caches a capture names that kmsim has not seen (capture_cache()), the
 * frees of objects allocated before the capture began, and the count of
 * objects per cache against the kernel's own before/ and after/slabinfo.
 */
#ifndef KMSIM_OPS_OP_KMEM_H
#define KMSIM_OPS_OP_KMEM_H

#include <stdint.h>

#include <jansson.h>

#include "ops/ops.h"
#include "trace/bundle.h"

struct op_kmem;

/* b (borrowed, may be NULL): the capture's bundle, whose before/slabinfo
 * gives the objects each cache held when the trace began. */
struct op_kmem *op_kmem_create(struct ops_ctx *ctx, struct bundle *b);
void op_kmem_destroy(struct op_kmem *k);
/* Issue a slab or percpu op on cpu; its latency in cycles. */
uint64_t op_kmem_issue(struct op_kmem *k, const struct op *op, int cpu);
/*
 * The objects per cache at the end against the kernel's after/slabinfo:
 * what its before/slabinfo had, less the frees of those the trace showed,
 * plus the trace's own objects still alive, counted by the name the
 * kernel gave them (kmalloc objects by the model's size class).  NULL
 * without both snapshots.  New reference.
 */
json_t *op_kmem_fidelity_json(const struct op_kmem *k);

#endif /* KMSIM_OPS_OP_KMEM_H */
