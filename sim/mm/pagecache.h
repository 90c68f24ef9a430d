/*
 * pagecache.h - the page cache and writeback of Linux 6.18 as an engine
 * on top of the page allocator: an address_space per file with an
 * xarray index of folios (orders above 0 allowed), the two-list file
 * LRU per node (mm/swap.c, mm/vmscan.c), readahead (mm/readahead.c),
 * dirty accounting and balance_dirty_pages() throttling
 * (mm/page-writeback.c), the flusher (fs/fs-writeback.c) as discrete
 * events, and a disk per backing device serving read misses and
 * writeback with completions as events.  The engine's files, named as
 * in the kernel, are listed in pagecache_internal.h.
 *
 * Two ways to run:
 *  - modelled (YAML traces): reads, writes, fsync, truncate, unlink and
 *    drop_caches drive the cache; folios come from the machine's buddy
 *    allocator as movable pages; reclaim (kswapd, direct reclaim)
 *    shrinks the inactive list through pagecache_shrink(); compaction
 *    moves folios through pagecache_migrate().
 *  - observed (captured traces): the kernel's own filemap, dirty and
 *    writeback events say what entered and left the cache; the kernel's
 *    pages are already in the capture's page events, so the cache only
 *    keeps books (per file, dirty, writeback, LRU sizes) and never frees.
 *
 * The engine knows files by (device, inode number) and disks by their
 * index; turning trace ops into these calls is ops/op_file.c's work.
 * Anonymous memory is not on any LRU here: without swap it is
 * unevictable, and kmsim models no swap device.
 */
#ifndef KMSIM_PAGECACHE_H
#define KMSIM_PAGECACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "kmsim_config.h"
#include "evq.h"
#include "machine.h"
#include "hist.h"

struct pagecache;

/* Why pages were written (enum wb_reason, include/linux/backing-dev-defs.h,
 * folded into what the metrics tell apart). */
enum pc_wb_reason {
	PC_WB_PERIODIC,		/* WB_REASON_PERIODIC: expired inodes */
	PC_WB_BACKGROUND,	/* WB_REASON_BACKGROUND: over bg_thresh */
	PC_WB_VMSCAN,		/* WB_REASON_VMSCAN: reclaim met dirty folios */
	PC_WB_FSYNC,		/* fsync() or sync(): waited for */
	PC_WB_OTHER,		/* captures: the other reasons */
	PC_WB_NR
};
extern const char *const pc_wb_reason_names[PC_WB_NR];

/* Latency distributions the engine keeps (cycles). */
enum pc_hist {
	PC_LAT_READ_HIT,	/* reads served from the cache */
	PC_LAT_READ_MISS,	/* reads that waited for the disk */
	PC_LAT_WRITE,		/* writes, throttling included */
	PC_LAT_THROTTLE,	/* balance_dirty_pages() pauses */
	PC_LAT_FSYNC,
	PC_LAT_NR
};
extern const char *const pc_hist_names[PC_LAT_NR];

/* One writer (a CPU of the trace) as balance_dirty_pages() sees it. */
struct pc_writer {
	uint64_t nr_dirtied;		/* since its last balance check */
	uint64_t nr_dirtied_pause;	/* the check's interval (pages) */
	uint64_t dirty_paused_when;	/* cycles: end of its last pause */
	uint64_t pages_dirtied;		/* in all */
	uint64_t pauses;
	uint64_t pause_ns;		/* throttled time in all */
};

/* Create on machine m; events go on q.  observe: a captured trace. */
struct pagecache *pagecache_create(struct machine *m, struct evq *q,
    const struct config *cfg, bool observe);
void pagecache_destroy(struct pagecache *pc);

/*
 * The file operations of a modelled run, on the file `ino` of disk
 * `disk` (an index of the configuration's disks) issued on cpu at the
 * queue's current time.  Each adds its latency to *cycles: reads
 * waiting for the disk, writers throttled (balance_dirty_pages()),
 * fsync waiting for its writeback, truncate for the writeback in flight.
 * They do nothing when the engine observes a capture.
 */
/* Whether the engine observes a capture (no modelled file ops then). */
bool pagecache_observed(const struct pagecache *pc);
/* The index of the disk called name, or -1 if the configuration has no
 * such disk. */
int pagecache_disk_index(const struct pagecache *pc, const char *name);
/* read(2) of [off, off + len): mm/filemap.c:filemap_read(). */
void pagecache_read(struct pagecache *pc, int disk, uint64_t ino,
    uint64_t off, uint64_t len, int cpu, uint64_t *cycles);
/* write(2) of [off, off + len): generic_perform_write(). */
void pagecache_write(struct pagecache *pc, int disk, uint64_t ino,
    uint64_t off, uint64_t len, int cpu, uint64_t *cycles);
/* fsync(2): file_write_and_wait_range() and the device's cache flush. */
void pagecache_fsync(struct pagecache *pc, int disk, uint64_t ino,
    int cpu, uint64_t *cycles);
/* truncate(2) to `size` bytes: truncate_inode_pages_range(). */
void pagecache_truncate(struct pagecache *pc, int disk, uint64_t ino,
    uint64_t size, int cpu, uint64_t *cycles);
/* unlink(2) of the last name: iput_final() evicts the file. */
void pagecache_unlink(struct pagecache *pc, int disk, uint64_t ino,
    int cpu, uint64_t *cycles);
/* echo `what` > /proc/sys/vm/drop_caches (fs/drop_caches.c): 1 the page
 * cache's clean folios, 2 the slab shrinkers, 3 both. */
void pagecache_drop_caches(struct pagecache *pc, unsigned what, int cpu,
    uint64_t *cycles);

/*
 * A capture's filemap events (include/trace/events/filemap.h): a folio
 * of 2^order pages at index of the file (dev, ino) entered or left the
 * cache; pfn is the kernel's (NO_PFN if not given).  Nothing unless the
 * engine observes a capture.
 */
void pagecache_filemap_add(struct pagecache *pc, uint32_t dev, uint64_t ino,
    uint64_t index, unsigned order, uint64_t pfn, uint64_t *cycles);
void pagecache_filemap_delete(struct pagecache *pc, uint32_t dev,
    uint64_t ino, uint64_t index, unsigned order, uint64_t *cycles);

/* Reclaim from node's file LRU (mm/vmscan.c:shrink_lruvec()): up to
 * `want` pages; returns the pages freed. */
uint64_t pagecache_shrink(struct pagecache *pc, int node, uint64_t want,
    bool kswapd, uint64_t *cycles);
/* Compaction moved the block at old_pfn: true if it was a folio. */
bool pagecache_migrate(struct pagecache *pc, uint64_t old_pfn,
    uint64_t new_pfn);
/* The trace has ended: the flusher's timer stops, I/O in flight ends. */
void pagecache_stop(struct pagecache *pc);

/* Named figures for the metrics (vmstat rows): fills at most max. */
int pagecache_values(const struct pagecache *pc, const char **names,
    uint64_t *v, int max);
const struct hist *pagecache_hist(const struct pagecache *pc,
    enum pc_hist h);
const struct pc_writer *pagecache_writers(const struct pagecache *pc,
    int *n);
/* --check: indexes, LRU links, counters agree. */
int pagecache_check(const struct pagecache *pc, char **cause);

#endif /* KMSIM_PAGECACHE_H */
