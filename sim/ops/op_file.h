/*
 * op_file.h - the op adapter of the page cache: a YAML trace's file ops
 * (read, write, fsync, truncate, unlink, drop_caches) and a capture's
 * filemap and writeback events turned into calls of the page cache
 * engine (mm/pagecache.h, mm/writeback.h), which knows nothing of ops.
 */
#ifndef KMSIM_OP_FILE_H
#define KMSIM_OP_FILE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "mm/pagecache.h"
#include "ops/ops.h"
#include "trace/trace.h"

struct bundle;

/* Whether ops of this type are the page cache's. */
bool op_file_type(enum op_type t);
/*
 * Apply op to pc on cpu at the queue's current time: 0 with *cycles its
 * latency (reads waiting for the disk, writers throttled, fsync waiting
 * for its writeback), or -1 with *cause for an op the cache cannot take.
 */
int op_file_apply(struct pagecache *pc, const struct op *op, int cpu,
    uint64_t *cycles, char **cause);
/* The op on the run's page cache (ctx->pc; nothing without one): its
 * latency, timed for a YAML trace's ops; a bad op is ops_bad()'s. */
uint64_t op_file_issue(struct ops_ctx *ctx, const struct op *op, int cpu);
/*
 * A captured run's page cache against the kernel's own counters in the
 * bundle's before/ and after/vmstat: the pages dirtied (nr_dirtied) and
 * the change of the pages cached (nr_file_pages), the kernel's over the
 * whole bundle, the model's over the trace's events.  NULL without both
 * snapshots.  New reference.
 */
json_t *op_file_fidelity_json(const struct ops_ctx *ctx,
    struct bundle *b);

#endif /* KMSIM_OP_FILE_H */
