/*
 * pagecache_internal.h - what the files of the page cache engine share
 * (as mm/internal.h is for mm/): its state and the functions one file
 * calls in another.  Only these files include it:
 *
 *   pagecache.c   address spaces, folios, the file ops (mm/filemap.c,
 *                 mm/truncate.c), migration, the engine's life cycle
 *   xarray.c      the index of each file (lib/xarray.c)
 *   lru.c         the file LRU (mm/swap.c) and reclaim of it (mm/vmscan.c)
 *   readahead.c   mm/readahead.c
 *   writeback.c   dirty accounting and throttling (mm/page-writeback.c),
 *                 the flusher (fs/fs-writeback.c)
 *   blkdev.c      the disks and the I/O on them (block/)
 */
#ifndef KMSIM_PAGECACHE_INTERNAL_H
#define KMSIM_PAGECACHE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "idtab.h"
#include "mm/blkdev.h"
#include "mm/pagecache.h"
#include "mm/xarray.h"

#define PC_NIL		UINT32_MAX	/* no folio, no file */

/* the largest I/O the block layer builds here (max_sectors_kb 512) */
#define IO_MAX_PAGES	128

/* Folio flags (the PG_ bits the model uses). */
#define FL_LIVE		0x0001
#define FL_DIRTY	0x0002
#define FL_WRITEBACK	0x0004
#define FL_REFERENCED	0x0008
#define FL_ACTIVE	0x0010
#define FL_RECLAIM	0x0020
#define FL_LOCKED	0x0040	/* read I/O in flight (!uptodate) */
#define FL_LRU		0x0080
#define FL_READAHEAD	0x0100	/* PG_readahead: start the next window */

struct pc_folio {
	uint64_t index;
	uint64_t ready;		/* cycles: its I/O completes */
	uint32_t file;
	uint32_t pfn;		/* PFN_NONE: not ours (observed) */
	uint32_t prev, next;	/* LRU, or the free list (next) */
	uint32_t gen;		/* bumped when freed: stale I/O ignores it */
	uint16_t node;
	uint16_t flags;
	uint8_t order;
};

/* A file: its struct address_space, the inode's writeback state and the
 * struct file_ra_state of its (one) reader. */
struct pc_file {
	uint64_t key;
	uint64_t ino;
	uint32_t dev;
	int disk;		/* -1: observed */
	struct xarray xa;	/* index -> folio, marked dirty */
	uint64_t nr_pages, nr_dirty, nr_writeback;
	uint64_t size;		/* i_size in bytes (modelled files) */
	uint64_t dirtied_when;	/* cycles; valid while on the dirty list */
	bool on_dirty;
	uint32_t dprev, dnext;	/* the disk's b_dirty list */
	uint64_t wb_index;	/* mapping->writeback_index */
	uint64_t ra_start, ra_size, ra_async; /* struct file_ra_state */
	uint64_t prev_index;	/* ra->prev_pos >> PAGE_SHIFT, +1; 0 none */
};

/* A backing device: the disk and its struct bdi_writeback. */
struct pc_disk {
	struct blkdev bdev;
	uint32_t dirty_head, dirty_tail;	/* b_dirty, oldest first */
	struct evq_event flush;		/* wb_workfn() */
	struct evq_event timer;		/* dirty_writeback_centisecs */
	struct pagecache *pc;
	uint64_t vmscan_pages;		/* reclaim's work item */
};

/* A bio of folios to or from one disk, completing as an event. */
struct pc_io {
	struct evq_event ev;
	struct pagecache *pc;
	int disk;
	bool write;
	int reason;
	uint32_t n;
	struct {
		uint32_t folio, gen;
	} f[];
};

struct pc_lru {
	uint32_t head[2], tail[2];	/* 0 inactive, 1 active */
	uint64_t nr[2];			/* pages */
};

struct pagecache {
	struct machine *m;
	struct evq *q;
	const struct config *cfg;
	bool observe;
	bool stopped;
	unsigned page_shift;

	struct pc_folio *folio;
	uint32_t nr_folio, cap_folio, free_folio;
	struct pc_file *file;
	uint32_t nr_file, cap_file;
	uint32_t free_file;		/* unlinked files' slots, by dnext */
	struct idtab files;		/* key -> file index (pfn field) */
	struct idtab inos;		/* observed: inode number alone ->
					   its latest file (writeback events
					   name the bdi, filemap the sb) */
	struct pc_lru *lru;		/* per node */
	struct pc_disk *disk;
	int nr_disks;
	struct pc_writer *writer;	/* per CPU */
	int nr_writers;
	int last_reason[16];		/* observed: per dev hash, last work */

	/* vmstat-like counters (pages unless named otherwise) */
	uint64_t nr_pages, nr_dirty, nr_writeback;
	uint64_t xa_nodes;
	uint64_t hits, misses;		/* pages read: found or brought in */
	uint64_t read_waits;		/* ... found but still being read */
	uint64_t pgpgin, pgpgout;	/* pages read, written */
	uint64_t pgactivate, pgdeactivate, pgrotated, pgrefill;
	uint64_t pgscan, pgsteal, vmscan_immediate, vmscan_wakeups;
	uint64_t written[PC_WB_NR];
	uint64_t truncated, dropped, alloc_failed, readahead_pages;
	uint64_t dirtied;		/* pages that became dirty */
	uint64_t throttle_pauses, throttle_ns;
	uint64_t first_throttle_dirty;	/* dirty+writeback at the first
					   pause; 0 none yet */
	uint64_t first_bg_dirty;	/* ... when background writeback
					   first started */
	uint64_t flusher_runs;
	/* observed traces */
	uint64_t obs_delete_unknown, obs_dirty_unknown, obs_readd;
	uint64_t obs_bad;		/* adds no kernel could print */
	uint64_t obs_added, obs_deleted;	/* pages the events name */

	/* balance_dirty_pages() state (the global domain and one wb) */
	uint64_t dirty_ratelimit;	/* pages per second */
	uint64_t balanced_ratelimit;	/* the last balanced rate */
	uint64_t write_bw;		/* avg_write_bandwidth, pages/s */
	uint64_t raw_bw;		/* write_bandwidth, pages/s */
	uint64_t bw_time;		/* cycles of the last update */
	uint64_t bw_written, bw_dirtied;	/* at the last update */

	struct hist lat[PC_LAT_NR];
};

#define FOLIO(pc, i)	(&(pc)->folio[(i)])

static inline uint64_t pc_roundup_pow2(uint64_t x)
{
	uint64_t r = 1;

	while (r < x)
		r <<= 1;
	return r;
}

/* pagecache.c */
void pagecache_sleep(struct pagecache *pc, uint64_t until);
struct pc_file *pagecache_file_find(struct pagecache *pc, uint32_t dev,
    uint64_t ino);
uint32_t pagecache_folio_alloc(struct pagecache *pc, uint32_t fidx,
    uint64_t index, unsigned order, int cpu, uint64_t *cycles);
unsigned pagecache_fit_order(const struct pc_file *fl, uint64_t index,
    uint64_t limit, unsigned max);
void pagecache_folio_remove(struct pagecache *pc, uint32_t i, int cpu,
    uint64_t *cycles);

/* lru.c */
void lru_add(struct pagecache *pc, uint32_t i, bool tail);
void lru_del(struct pagecache *pc, uint32_t i);
void lru_mark_accessed(struct pagecache *pc, uint32_t i);
void lru_rotate_reclaimable(struct pagecache *pc, uint32_t i);
uint64_t lru_shrink(struct pagecache *pc, int node, uint64_t want,
    bool kswapd, uint64_t *cycles);

/* readahead.c */
uint64_t readahead_unbounded(struct pagecache *pc, uint32_t fidx,
    uint64_t start, uint64_t nr, uint64_t mark, uint64_t need, int cpu,
    uint64_t *cycles);
uint64_t readahead_sync(struct pagecache *pc, uint32_t fidx, uint64_t index,
    uint64_t req_count, int cpu, uint64_t *cycles, uint64_t *end);
void readahead_async(struct pagecache *pc, uint32_t fidx, uint32_t i,
    int cpu, uint64_t *cycles);

/* writeback.c */
void writeback_init(struct pagecache *pc);
void writeback_disk_init(struct pagecache *pc, struct pc_disk *d);
void writeback_disk_fini(struct pagecache *pc, struct pc_disk *d);
void writeback_stop(struct pagecache *pc);
void writeback_folio_mark_dirty(struct pagecache *pc, uint32_t i);
void writeback_folio_clear_dirty(struct pagecache *pc, uint32_t i);
void writeback_folio_end_counts(struct pagecache *pc, uint32_t i);
void writeback_folio_end(struct pagecache *pc, uint32_t i, int reason);
void writeback_dirty_list_del(struct pagecache *pc, struct pc_file *fl);
uint64_t writeback_balance_ratelimited(struct pagecache *pc, int cpu,
    uint64_t dirtied);
uint64_t writeback_file(struct pagecache *pc, uint32_t fidx, uint64_t budget,
    int reason, uint64_t *done, uint64_t *cycles);
void writeback_wakeup_flusher(struct pagecache *pc);

/* blkdev.c: the page cache's bios */
struct pc_io *blkdev_io_new(struct pagecache *pc, int disk, bool write,
    int reason, uint32_t n);
void blkdev_io_add(struct pc_io *io, const struct pagecache *pc, uint32_t i);
uint64_t blkdev_io_submit(struct pagecache *pc, struct pc_io *io,
    uint64_t pages, uint64_t *cycles);
void blkdev_io_cancel_all(struct evq *q);

#endif /* KMSIM_PAGECACHE_INTERNAL_H */
