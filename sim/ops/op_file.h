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

#include "mm/pagecache.h"
#include "trace/trace.h"

/* Whether ops of this type are the page cache's. */
bool op_file_type(enum op_type t);
/*
 * Issue op on cpu at the queue's current time: 0 with *cycles its latency
 * (reads waiting for the disk, writers throttled, fsync waiting for its
 * writeback), or -1 with *cause for an op the cache cannot take.
 */
int op_file_issue(struct pagecache *pc, const struct op *op, int cpu,
    uint64_t *cycles, char **cause);

#endif /* KMSIM_OP_FILE_H */
