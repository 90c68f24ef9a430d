/*
 * writeback.h - the page cache's writeback (mm/page-writeback.c,
 * fs/fs-writeback.c): the dirty limits, and the books a captured trace's
 * writeback events keep.  Throttling and the flusher are the engine's
 * own (pagecache.h runs them).
 */
#ifndef KMSIM_WRITEBACK_H
#define KMSIM_WRITEBACK_H

#include <stdint.h>

#include "mm/pagecache.h"

/* The dirty limits in pages (mm/page-writeback.c:domain_dirty_limits()
 * over global_dirtyable_memory()); dirtyable may be NULL. */
void writeback_dirty_limits(const struct pagecache *pc, uint64_t *thresh,
    uint64_t *bg_thresh, uint64_t *dirtyable);

/*
 * A capture's writeback events (include/trace/events/writeback.h), on
 * the file (dev, ino) -- by inode number alone if the device differs, as
 * writeback events name the bdi and filemap events the superblock.
 * Nothing unless the engine observes a capture.
 */
/* writeback_dirty_folio: the folio at index became dirty. */
void writeback_observe_dirty(struct pagecache *pc, uint32_t dev,
    uint64_t ino, uint64_t index);
/* writeback_start, writeback_written: a work item of dev ran, why. */
void writeback_observe_work(struct pagecache *pc, uint32_t dev,
    enum pc_wb_reason reason);
/* writeback_single_inode: nr pages of it were written from index on,
 * for the reason of dev's last work item. */
void writeback_observe_inode(struct pagecache *pc, uint32_t dev,
    uint64_t ino, uint64_t index, uint64_t nr);

#endif /* KMSIM_WRITEBACK_H */
