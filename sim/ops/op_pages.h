/*
 * op_pages.h - the page ops: alloc_pages and free_pages, and a capture's
 * allocator-internal events (zone_locked, pcpu_drain, free_batched).
 * Owns the table of live page blocks, id -> pfn and order, which follows
 * the blocks compaction moves.
 */
#ifndef KMSIM_OPS_OP_PAGES_H
#define KMSIM_OPS_OP_PAGES_H

#include <stdbool.h>
#include <stdint.h>

#include "ops/ops.h"
#include "trace/bundle.h"

struct op_pages;

/* The machine's migrate_owner is the table's from now on. */
struct op_pages *op_pages_create(struct ops_ctx *ctx);
void op_pages_destroy(struct op_pages *p);
/*
 * Simulate from the state a capture began in: the bundle's before
 * kpageflags seeds the machine, its allocated frames PF_PREEXISTING
 * until the trace frees them.  -1 with *cause for a bad snapshot.
 */
int op_pages_seed(struct op_pages *p, struct bundle *b, char **cause);
/* Issue a page op on cpu; its latency in cycles. */
uint64_t op_pages_issue(struct op_pages *p, const struct op *op, int cpu);
/* The live page block of id: false if there is none. */
bool op_pages_find(const struct op_pages *p, uint64_t id, uint64_t *pfn,
    unsigned *order);
/* How many page blocks are alive. */
uint64_t op_pages_nr_live(const struct op_pages *p);

#endif /* KMSIM_OPS_OP_PAGES_H */
