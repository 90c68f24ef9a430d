/*
 * pagecache.h - the page cache and writeback of Linux 6.18 as an engine
 * on top of the page allocator: an address_space per file with an
 * xarray-like index of folios (orders above 0 allowed), the two-list file
 * LRU per node (mm/swap.c, mm/vmscan.c), dirty accounting and
 * balance_dirty_pages() throttling (mm/page-writeback.c), the flusher
 * (fs/fs-writeback.c) as discrete events, and a disk per backing device
 * serving read misses and writeback with completions as events.
 *
 * Two ways to run:
 *  - modelled (YAML traces): read, write, fsync, truncate, unlink and
 *    drop_caches ops drive the cache; folios come from the machine's
 *    buddy allocator as movable pages; reclaim (kswapd, direct reclaim)
 *    shrinks the inactive list through pagecache_shrink(); compaction
 *    moves folios through pagecache_migrate().
 *  - observed (captured traces): the kernel's own filemap, dirty and
 *    writeback events say what entered and left the cache; the kernel's
 *    pages are already in the capture's page events, so the cache only
 *    keeps books (per file, dirty, writeback, LRU sizes) and never frees.
 *
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
#include "results/metrics.h"
#include "trace/trace.h"

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

/* Whether the engine takes ops of this type. */
bool pagecache_op_type(enum op_type t);
/*
 * Issue op on cpu at the queue's current time: 0 with *cycles its latency
 * (reads waiting for the disk, writers throttled, fsync waiting for its
 * writeback), or -1 with *msg for an op the cache cannot take.
 */
int pagecache_op(struct pagecache *pc, const struct op *op, int cpu,
    uint64_t *cycles, char **msg);

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

/* The dirty limits in pages (mm/page-writeback.c:domain_dirty_limits()). */
void pagecache_dirty_limits(const struct pagecache *pc, uint64_t *thresh,
    uint64_t *bg_thresh, uint64_t *dirtyable);

#endif /* KMSIM_PAGECACHE_H */
