/*
 * pagecache.c - the page cache, the file LRU, dirty throttling, the
 * flusher and the disks (see pagecache.h).  What each part models:
 *
 *  - the address_space index: an xarray of 64-slot nodes with the
 *    PAGECACHE_TAG_DIRTY mark (include/linux/xarray.h, lib/xarray.c); a
 *    folio of order n fills its 2^n slots, marked at its first;
 *  - the LRU: mm/swap.c:folio_add_lru() (new folios at the head of the
 *    inactive list), folio_mark_accessed() (two touches activate),
 *    mm/vmscan.c:shrink_lruvec() / shrink_inactive_list() /
 *    shrink_folio_list() / shrink_active_list() / inactive_is_low();
 *  - readahead: mm/readahead.c:page_cache_sync_ra() and
 *    page_cache_async_ra() (get_init_ra_size(), get_next_ra_size(), the
 *    PG_readahead marker);
 *  - dirty limits and throttling: mm/page-writeback.c:
 *    global_dirtyable_memory(), domain_dirty_limits(),
 *    balance_dirty_pages() with pos_ratio_polynom(), wb_max_pause(),
 *    dirty_poll_interval(), wb_update_dirty_ratelimit() (simplified);
 *  - the flusher: fs/fs-writeback.c:wb_workfn() -> wb_do_writeback():
 *    work items from reclaim (wakeup_flusher_threads(WB_REASON_VMSCAN)),
 *    background writeback while over the background threshold
 *    (wb_check_background_flush()), kupdate writeback of inodes dirtied
 *    more than dirty_expire_centisecs ago (wb_check_old_data_flush()),
 *    and the dirty_writeback_centisecs timer;
 *  - end of writeback: mm/filemap.c:folio_end_writeback() and
 *    folio_rotate_reclaimable() for folios reclaim had marked.
 *
 * A disk is a pipe of `bandwidth` bytes per second behind `queue_depth`
 * slots: an I/O takes the slot that frees first, waits for the pipe,
 * transfers, and completes `latency` after its transfer ends.
 */
#include "kmsim_config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/buddy.h"
#include "idtab.h"
#include "kmsim.h"
#include "mm/pagecache.h"
#include "mm/vmscan.h"

#define PC_NIL		UINT32_MAX
#define XA_SHIFT	6
#define XA_SLOTS	(1u << XA_SHIFT)
#define XA_MASK		(XA_SLOTS - 1)
#define XA_MAX_HEIGHT	11		/* 66 bits of index */

/* mm/vmscan.c */
#define DEF_PRIORITY		12
#define SWAP_CLUSTER_MAX	32
/* fs/fs-writeback.c:MIN_WRITEBACK_PAGES (4 MiB of 4 KiB pages) */
#define WB_CHUNK_PAGES		1024
/* the largest I/O the block layer builds here (max_sectors_kb 512) */
#define IO_MAX_PAGES		128
/* mm/page-writeback.c: CONFIG_HZ=250, MAX_PAUSE = HZ/5, BANDWIDTH_INTERVAL
 * = HZ/5, INIT_BW = 100 MB/s, RATELIMIT_CALC_SHIFT */
#define PC_HZ			250
#define MAX_PAUSE_JIFFIES	(PC_HZ / 5)
#define BW_INTERVAL_NS		(200 * 1000 * 1000ull)
#define INIT_BW_BYTES		(100ull << 20)
#define RL_SHIFT		10
#define NS_PER_JIFFY		(1000000000ull / PC_HZ)
/* roundup_pow_of_two(3 * HZ): the write bandwidth's averaging period */
#define BW_PERIOD_JIFFIES	1024
#define DIRTY_POLL_THRESH	32	/* 128 KiB of 4 KiB pages */
/* the flusher stops submitting after this much in one run (wb_workfn()
 * yields between work items; the block layer's requests bound it) */
#define FLUSH_BUDGET_PAGES	4096

const char *const pc_wb_reason_names[PC_WB_NR] = {
	"periodic", "background", "vmscan", "sync", "other"
};
const char *const pc_hist_names[PC_LAT_NR] = {
	"read_hit", "read_miss", "write", "dirty_throttle", "fsync"
};

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

struct xa_node {
	void *slot[XA_SLOTS];
	uint64_t dirty;		/* PAGECACHE_TAG_DIRTY below each slot */
	unsigned count;		/* slots in use */
};

struct xa {
	struct xa_node *root;
	unsigned height;	/* 0: empty */
};

struct pc_file {
	uint64_t key;
	uint64_t ino;
	uint32_t dev;
	int disk;		/* -1: observed */
	struct xa xa;
	uint64_t nr_pages, nr_dirty, nr_writeback;
	uint64_t size;		/* i_size in bytes (modelled files) */
	uint64_t dirtied_when;	/* cycles; valid while on the dirty list */
	bool on_dirty;
	uint32_t dprev, dnext;	/* the disk's b_dirty list */
	uint64_t wb_index;	/* mapping->writeback_index */
	uint64_t ra_start, ra_size, ra_async; /* struct file_ra_state */
	uint64_t prev_index;	/* ra->prev_pos >> PAGE_SHIFT, +1; 0 none */
};

struct pc_disk {
	struct config_disk cfg;
	uint64_t pipe_free;		/* cycles */
	uint64_t *slot_free;		/* queue_depth completion times */
	uint32_t dirty_head, dirty_tail;	/* b_dirty, oldest first */
	struct evq_event flush;		/* wb_workfn() */
	struct evq_event timer;		/* dirty_writeback_centisecs */
	struct pagecache *pc;
	uint64_t vmscan_pages;		/* reclaim's work item */
	uint64_t reads, writes, busy_cycles;
};

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

/* ---- small helpers ---- */

static uint64_t ns_to_cycles(const struct pagecache *pc, uint64_t ns)
{
	return machine_ns_to_cycles(pc->m, ns);
}

static uint64_t cycles_to_ns(const struct pagecache *pc, uint64_t c)
{
	return machine_cycles_to_ns(pc->m, c);
}

/*
 * The current task sleeps until `until` (io_schedule_timeout()): the rest
 * of the machine runs meanwhile, so the queue's events up to then are
 * run here (I/O completions, the flusher, kswapd, snapshots).
 */
static void pc_sleep(struct pagecache *pc, uint64_t until)
{
	struct evq_event *ev;

	/* the wake-ups the task's own allocations asked for (kswapd,
	 * kcompactd) are queued as it goes to sleep */
	evq_yield(pc->q, pc->q->now);
	while ((ev = evq_peek(pc->q)) != NULL && ev->time <= until)
		evq_run_one(pc->q);
	if (pc->q->now < until)
		pc->q->now = until;
}

static uint64_t roundup_pow2(uint64_t x)
{
	uint64_t r = 1;

	while (r < x)
		r <<= 1;
	return r;
}

static unsigned ilog2_u64(uint64_t x)
{
	unsigned r = 0;

	while (x >>= 1)
		r++;
	return r;
}

static struct pc_folio *F(const struct pagecache *pc, uint32_t i)
{
	return &pc->folio[i];
}

/* ---- the xarray ---- */

static void *xa_entry(uint32_t folio)
{
	return (void *)(((uintptr_t)folio << 1) | 1);
}

static uint32_t xa_folio(const void *e)
{
	return e == NULL ? PC_NIL : (uint32_t)((uintptr_t)e >> 1);
}

static uint64_t xa_max(unsigned height)
{
	return height * XA_SHIFT >= 64 ? UINT64_MAX :
	    (UINT64_C(1) << (height * XA_SHIFT)) - 1;
}

static uint32_t xa_load(const struct xa *xa, uint64_t index)
{
	const struct xa_node *n = xa->root;
	unsigned h;

	if (n == NULL || index > xa_max(xa->height))
		return PC_NIL;
	for (h = xa->height; h > 1; h--) {
		n = n->slot[(index >> ((h - 1) * XA_SHIFT)) & XA_MASK];
		if (n == NULL)
			return PC_NIL;
	}
	return xa_folio(n->slot[index & XA_MASK]);
}

static void xa_store(struct pagecache *pc, struct xa *xa, uint64_t index,
    uint32_t folio)
{
	struct xa_node *n;
	unsigned h;
	size_t s;

	if (xa->root == NULL) {
		xa->root = xcalloc(1, sizeof *xa->root);
		xa->height = 1;
		pc->xa_nodes++;
	}
	while (index > xa_max(xa->height)) {
		struct xa_node *top = xcalloc(1, sizeof *top);

		top->slot[0] = xa->root;
		top->count = 1;
		if (xa->root->dirty)
			top->dirty = 1;
		xa->root = top;
		xa->height++;
		pc->xa_nodes++;
	}
	n = xa->root;
	for (h = xa->height; h > 1; h--) {
		s = (index >> ((h - 1) * XA_SHIFT)) & XA_MASK;
		if (n->slot[s] == NULL) {
			n->slot[s] = xcalloc(1, sizeof(struct xa_node));
			n->count++;
			pc->xa_nodes++;
		}
		n = n->slot[s];
	}
	s = index & XA_MASK;
	if (n->slot[s] == NULL)
		n->count++;
	n->slot[s] = folio == PC_NIL ? NULL : xa_entry(folio);
}

/* Set or clear the dirty mark of index (an entry must be there). */
static void xa_mark(struct xa *xa, uint64_t index, bool set)
{
	struct xa_node *path[XA_MAX_HEIGHT];
	unsigned h, d = 0;
	size_t s;

	if (xa->root == NULL || index > xa_max(xa->height))
		return;
	path[d] = xa->root;
	for (h = xa->height; h > 1; h--) {
		s = (index >> ((h - 1) * XA_SHIFT)) & XA_MASK;
		if (set)
			path[d]->dirty |= UINT64_C(1) << s;
		if (path[d]->slot[s] == NULL)
			return;
		path[d + 1] = path[d]->slot[s];
		d++;
	}
	s = index & XA_MASK;
	if (set) {
		path[d]->dirty |= UINT64_C(1) << s;
		return;
	}
	path[d]->dirty &= ~(UINT64_C(1) << s);
	/* clear the parents' bits whose subtree lost its last mark */
	while (d > 0 && path[d]->dirty == 0) {
		d--;
		h = xa->height - d;
		s = (index >> ((h - 1) * XA_SHIFT)) & XA_MASK;
		path[d]->dirty &= ~(UINT64_C(1) << s);
	}
}

/* Remove index's entry, freeing nodes that empty. */
static void xa_erase(struct pagecache *pc, struct xa *xa, uint64_t index)
{
	struct xa_node *path[XA_MAX_HEIGHT];
	size_t slots[XA_MAX_HEIGHT];
	unsigned h, d = 0;

	if (xa->root == NULL || index > xa_max(xa->height))
		return;
	xa_mark(xa, index, false);
	path[0] = xa->root;
	for (h = xa->height; h > 1; h--) {
		slots[d] = (index >> ((h - 1) * XA_SHIFT)) & XA_MASK;
		if (path[d]->slot[slots[d]] == NULL)
			return;
		path[d + 1] = path[d]->slot[slots[d]];
		d++;
	}
	slots[d] = index & XA_MASK;
	if (path[d]->slot[slots[d]] == NULL)
		return;
	path[d]->slot[slots[d]] = NULL;
	path[d]->count--;
	while (path[d]->count == 0) {
		free(path[d]);
		pc->xa_nodes--;
		if (d == 0) {
			xa->root = NULL;
			xa->height = 0;
			return;
		}
		d--;
		path[d]->slot[slots[d]] = NULL;
		path[d]->count--;
	}
}

/* The first entry (marked: dirty-marked) at or after *index in n's
 * subtree of height h starting at base; PC_NIL if none. */
static uint32_t xa_find_node(const struct xa_node *n, unsigned h,
    uint64_t base, uint64_t *index, bool marked)
{
	uint64_t span = h > 1 ? UINT64_C(1) << ((h - 1) * XA_SHIFT) : 1;
	size_t s = (size_t)((*index > base ? *index - base : 0) / span);
	uint32_t f;

	for (; s < XA_SLOTS; s++) {
		uint64_t sbase = base + s * span;

		if (n->slot[s] == NULL ||
		    (marked && !(n->dirty & (UINT64_C(1) << s))))
			continue;
		if (h == 1) {
			if (sbase < *index)
				continue;
			*index = sbase;
			return xa_folio(n->slot[s]);
		}
		f = xa_find_node(n->slot[s], h - 1, sbase, index, marked);
		if (f != PC_NIL)
			return f;
	}
	return PC_NIL;
}

static uint32_t xa_find(const struct xa *xa, uint64_t *index, bool marked)
{
	if (xa->root == NULL || *index > xa_max(xa->height))
		return PC_NIL;
	return xa_find_node(xa->root, xa->height, 0, index, marked);
}

static void xa_destroy_node(struct xa_node *n, unsigned h)
{
	size_t s;

	if (n == NULL)
		return;
	if (h > 1)
		for (s = 0; s < XA_SLOTS; s++)
			xa_destroy_node(n->slot[s], h - 1);
	free(n);
}

/* ---- the LRU ---- */

static void lru_del(struct pagecache *pc, uint32_t i)
{
	struct pc_folio *f = F(pc, i);
	struct pc_lru *l = &pc->lru[f->node];
	int a = !!(f->flags & FL_ACTIVE);

	if (!(f->flags & FL_LRU))
		return;
	if (f->prev != PC_NIL)
		F(pc, f->prev)->next = f->next;
	else
		l->head[a] = f->next;
	if (f->next != PC_NIL)
		F(pc, f->next)->prev = f->prev;
	else
		l->tail[a] = f->prev;
	l->nr[a] -= UINT64_C(1) << f->order;
	f->prev = f->next = PC_NIL;
	f->flags &= (uint16_t)~FL_LRU;
}

/* Onto the active or inactive list as f's FL_ACTIVE says, at the head
 * (the newest end) or the tail (reclaimed next). */
static void lru_add(struct pagecache *pc, uint32_t i, bool tail)
{
	struct pc_folio *f = F(pc, i);
	struct pc_lru *l = &pc->lru[f->node];
	int a = !!(f->flags & FL_ACTIVE);

	if (tail) {
		f->next = PC_NIL;
		f->prev = l->tail[a];
		if (l->tail[a] != PC_NIL)
			F(pc, l->tail[a])->next = i;
		else
			l->head[a] = i;
		l->tail[a] = i;
	} else {
		f->prev = PC_NIL;
		f->next = l->head[a];
		if (l->head[a] != PC_NIL)
			F(pc, l->head[a])->prev = i;
		else
			l->tail[a] = i;
		l->head[a] = i;
	}
	l->nr[a] += UINT64_C(1) << f->order;
	f->flags |= FL_LRU;
}

/* mm/swap.c:folio_mark_accessed(): a second touch activates. */
static void mark_accessed(struct pagecache *pc, uint32_t i)
{
	struct pc_folio *f = F(pc, i);

	if (!(f->flags & FL_REFERENCED)) {
		f->flags |= FL_REFERENCED;
	} else if (!(f->flags & FL_ACTIVE)) {
		bool on = f->flags & FL_LRU;

		if (on)
			lru_del(pc, i);
		f->flags |= FL_ACTIVE;
		f->flags &= (uint16_t)~FL_REFERENCED;
		if (on)
			lru_add(pc, i, false);
		pc->pgactivate += UINT64_C(1) << f->order;
	}
}

/* ---- folios and files ---- */

static uint32_t folio_new(struct pagecache *pc)
{
	uint32_t i;

	if (pc->free_folio != PC_NIL) {
		i = pc->free_folio;
		pc->free_folio = F(pc, i)->next;
	} else {
		if (pc->nr_folio == pc->cap_folio) {
			pc->cap_folio = pc->cap_folio ? pc->cap_folio * 2 : 1024;
			pc->folio = xreallocarray(pc->folio, pc->cap_folio,
			    sizeof *pc->folio);
		}
		i = pc->nr_folio++;
		pc->folio[i].gen = 0;
	}
	F(pc, i)->prev = F(pc, i)->next = PC_NIL;
	F(pc, i)->flags = FL_LIVE;
	return i;
}

static struct pc_file *file_of(const struct pagecache *pc,
    const struct pc_folio *f)
{
	return &pc->file[f->file];
}

static void dirty_list_del(struct pagecache *pc, struct pc_file *fl)
{
	struct pc_disk *d;

	if (!fl->on_dirty || fl->disk < 0)
		return;
	d = &pc->disk[fl->disk];
	if (fl->dprev != PC_NIL)
		pc->file[fl->dprev].dnext = fl->dnext;
	else
		d->dirty_head = fl->dnext;
	if (fl->dnext != PC_NIL)
		pc->file[fl->dnext].dprev = fl->dprev;
	else
		d->dirty_tail = fl->dprev;
	fl->on_dirty = false;
	fl->dprev = fl->dnext = PC_NIL;
}

/* To the tail of its disk's b_dirty (the newest end). */
static void dirty_list_add(struct pagecache *pc, struct pc_file *fl)
{
	struct pc_disk *d;
	uint32_t i = (uint32_t)(fl - pc->file);

	if (fl->disk < 0)
		return;
	d = &pc->disk[fl->disk];
	fl->dnext = PC_NIL;
	fl->dprev = d->dirty_tail;
	if (d->dirty_tail != PC_NIL)
		pc->file[d->dirty_tail].dnext = i;
	else
		d->dirty_head = i;
	d->dirty_tail = i;
	fl->on_dirty = true;
}

/* __folio_mark_dirty() and __mark_inode_dirty(): the inode's
 * dirtied_when is the time it first became dirty. */
static void folio_set_dirty(struct pagecache *pc, uint32_t i)
{
	struct pc_folio *f = F(pc, i);
	struct pc_file *fl = file_of(pc, f);
	uint64_t n = UINT64_C(1) << f->order;

	if (f->flags & FL_DIRTY)
		return;
	f->flags |= FL_DIRTY;
	xa_mark(&fl->xa, f->index, true);
	fl->nr_dirty += n;
	pc->nr_dirty += n;
	pc->dirtied += n;
	if (!fl->on_dirty) {
		fl->dirtied_when = pc->q->now;
		dirty_list_add(pc, fl);
	}
}

static void folio_clear_dirty(struct pagecache *pc, uint32_t i)
{
	struct pc_folio *f = F(pc, i);
	struct pc_file *fl = file_of(pc, f);
	uint64_t n = UINT64_C(1) << f->order;

	if (!(f->flags & FL_DIRTY))
		return;
	f->flags &= (uint16_t)~FL_DIRTY;
	xa_mark(&fl->xa, f->index, false);
	fl->nr_dirty -= n;
	pc->nr_dirty -= n;
	if (fl->nr_dirty == 0)
		dirty_list_del(pc, fl);
}

static void folio_end_writeback_counts(struct pagecache *pc, uint32_t i)
{
	struct pc_folio *f = F(pc, i);
	uint64_t n = UINT64_C(1) << f->order;

	if (!(f->flags & FL_WRITEBACK))
		return;
	f->flags &= (uint16_t)~FL_WRITEBACK;
	file_of(pc, f)->nr_writeback -= n;
	pc->nr_writeback -= n;
}

/*
 * Take folio i out of the cache (filemap_remove_folio()): off the LRU and
 * the index, counters down, its pages back to the buddy if they are ours.
 */
static void folio_remove(struct pagecache *pc, uint32_t i, int cpu,
    uint64_t *cycles)
{
	struct pc_folio *f = F(pc, i);
	struct pc_file *fl = file_of(pc, f);
	uint64_t n = UINT64_C(1) << f->order, k;

	folio_clear_dirty(pc, i);
	folio_end_writeback_counts(pc, i);
	lru_del(pc, i);
	for (k = 0; k < n; k++)
		xa_erase(pc, &fl->xa, f->index + k);
	fl->nr_pages -= n;
	pc->nr_pages -= n;
	if (f->pfn != PFN_NONE) {
		struct alloc_result res = { .cycles = 0 };

		page_free(pc->m, f->pfn, f->order, cpu, &res);
		*cycles += res.cycles;
	}
	f->flags = 0;
	f->gen++;
	f->next = pc->free_folio;
	pc->free_folio = i;
}

static uint64_t file_key(uint32_t dev, uint64_t ino)
{
	return kmsim_hash_u64(ino * 0x9e3779b97f4a7c15ull ^ dev);
}

static struct pc_file *file_find(struct pagecache *pc, uint32_t dev,
    uint64_t ino)
{
	struct idtab_entry *e = idtab_find(&pc->files, file_key(dev, ino));

	return e == NULL ? NULL : &pc->file[e->pfn];
}

static struct pc_file *file_get(struct pagecache *pc, uint32_t dev,
    uint64_t ino, int disk)
{
	struct pc_file *fl = file_find(pc, dev, ino);

	uint32_t idx;

	if (fl != NULL)
		return fl;
	if (pc->free_file != PC_NIL) {
		/* an unlinked file's slot: no folio, I/O or list names it */
		idx = pc->free_file;
		pc->free_file = pc->file[idx].dnext;
	} else {
		if (pc->nr_file == pc->cap_file) {
			pc->cap_file = pc->cap_file ? pc->cap_file * 2 : 64;
			pc->file = xreallocarray(pc->file, pc->cap_file,
			    sizeof *pc->file);
		}
		idx = pc->nr_file++;
	}
	fl = &pc->file[idx];
	memset(fl, 0, sizeof *fl);
	fl->key = file_key(dev, ino);
	fl->dev = dev;
	fl->ino = ino;
	fl->disk = disk;
	fl->dprev = fl->dnext = PC_NIL;
	idtab_insert(&pc->files, fl->key, idx, 0);
	if (pc->observe) {
		struct idtab_entry *e = idtab_find(&pc->inos,
		    kmsim_hash_u64(ino));

		if (e != NULL)
			e->pfn = idx;
		else
			idtab_insert(&pc->inos, kmsim_hash_u64(ino), idx, 0);
	}
	return fl;
}

/* ---- the disks ---- */

/* Submit an I/O of `pages` pages at now: its completion time. */
static uint64_t disk_submit(struct pagecache *pc, struct pc_disk *d,
    uint64_t pages, bool write)
{
	uint64_t now = pc->q->now, start, xfer, done, bytes;
	unsigned s, best = 0;

	for (s = 1; s < d->cfg.queue_depth; s++)
		if (d->slot_free[s] < d->slot_free[best])
			best = s;
	start = KMSIM_MAX(now, d->slot_free[best]);
	bytes = pages << pc->page_shift;
	xfer = KMSIM_MAX(start, d->pipe_free);
	/* bytes / bandwidth seconds, in cycles (cpu_mhz cycles per us) */
	d->pipe_free = xfer + (uint64_t)((double)bytes * 1e6 /
	    (double)d->cfg.bandwidth * (double)pc->m->cpu_mhz);
	done = d->pipe_free + ns_to_cycles(pc, d->cfg.latency_ns);
	d->busy_cycles += d->pipe_free - xfer;
	d->slot_free[best] = done;
	if (write)
		d->writes++;
	else
		d->reads++;
	return done;
}

/* The earliest a new I/O would start (a free queue slot). */
static uint64_t disk_slot_time(const struct pc_disk *d)
{
	uint64_t t = d->slot_free[0];
	unsigned s;

	for (s = 1; s < d->cfg.queue_depth; s++)
		t = KMSIM_MIN(t, d->slot_free[s]);
	return t;
}

static void on_io_done(struct evq *q, struct evq_event *ev, void *arg);

static struct pc_io *io_new(struct pagecache *pc, int disk, bool write,
    int reason, uint32_t n)
{
	struct pc_io *io = xmalloc(sizeof *io + n * sizeof io->f[0]);

	evq_event_init(&io->ev, on_io_done, io);
	io->pc = pc;
	io->disk = disk;
	io->write = write;
	io->reason = reason;
	io->n = 0;
	return io;
}

static void io_add(struct pc_io *io, const struct pagecache *pc, uint32_t i)
{
	io->f[io->n].folio = i;
	io->f[io->n].gen = pc->folio[i].gen;
	io->n++;
}

/* submit_bio() of io's pages: every folio of it is ready when the disk
 * completes it, an event then.  Returns that time. */
static uint64_t io_submit(struct pagecache *pc, struct pc_io *io,
    uint64_t pages, uint64_t *cycles)
{
	uint64_t done = disk_submit(pc, &pc->disk[io->disk], pages, io->write);
	uint32_t k;

	*cycles += pc->m->cost.c[COST_BIO_SUBMIT];
	for (k = 0; k < io->n; k++)
		F(pc, io->f[k].folio)->ready = done;
	if (io->write)
		pc->pgpgout += pages;
	else
		pc->pgpgin += pages;
	evq_push(pc->q, &io->ev, done);
	return done;
}

/* folio_end_writeback(): a folio reclaim had marked goes to the tail of
 * the inactive list (folio_rotate_reclaimable()). */
static void end_writeback(struct pagecache *pc, uint32_t i)
{
	struct pc_folio *f = F(pc, i);

	folio_end_writeback_counts(pc, i);
	if ((f->flags & FL_RECLAIM) && (f->flags & FL_LRU) &&
	    !(f->flags & (FL_DIRTY | FL_LOCKED))) {
		lru_del(pc, i);
		f->flags &= (uint16_t)~FL_ACTIVE;
		lru_add(pc, i, true);
		pc->pgrotated += UINT64_C(1) << f->order;
	}
	f->flags &= (uint16_t)~FL_RECLAIM;
}

static void on_io_done(struct evq *q, struct evq_event *ev, void *arg)
{
	struct pc_io *io = arg;
	struct pagecache *pc = io->pc;
	uint32_t k;

	(void)q;
	(void)ev;
	for (k = 0; k < io->n; k++) {
		uint32_t i = io->f[k].folio;
		struct pc_folio *f = F(pc, i);

		if (f->gen != io->f[k].gen || !(f->flags & FL_LIVE))
			continue;	/* truncated meanwhile */
		if (io->write) {
			pc->written[io->reason] += UINT64_C(1) << f->order;
			end_writeback(pc, i);
		} else {
			f->flags &= (uint16_t)~FL_LOCKED;
		}
	}
	free(io);
}

/* ---- allocation ---- */

/*
 * A folio for index of file fl (filemap_alloc_folio() + filemap_add_folio()
 * + folio_add_lru()): order at most `order`, falling back to smaller
 * orders as page_cache_ra_order() does.  PC_NIL if the buddy is out.
 */
static uint32_t folio_alloc_add(struct pagecache *pc, uint32_t fidx,
    uint64_t index, unsigned order, int cpu, uint64_t *cycles)
{
	struct alloc_request req;
	struct alloc_result res;
	struct pc_file *fl;
	struct pc_folio *f;
	char *msg = NULL;
	uint32_t i;
	uint64_t k;

	for (;;) {
		memset(&req, 0, sizeof req);
		req.order = order;
		/* mapping_gfp_mask() of a regular file, readahead's
		 * __GFP_NORETRY | __GFP_NOWARN above order 0 */
		req.gfp = GFP_HIGHUSER_MOVABLE;
		if (order > 0)
			req.gfp |= GFP_BIT_NORETRY | GFP_BIT_NOWARN;
		req.preferred_node = machine_cpu_node(pc->m, cpu);
		req.migratetype = -1;
		req.cpu = cpu;
		req.policy = pc->cfg->mempolicy;
		req.nodemask = pc->cfg->mempolicy_nodes;
		if (page_alloc(pc->m, &req, &res, &msg) != 0) {
			free(msg);
			return PC_NIL;
		}
		*cycles += res.cycles;
		if (res.pfn != NO_PFN)
			break;
		if (order == 0) {
			pc->alloc_failed++;
			return PC_NIL;
		}
		order--;
	}
	/* reclaim inside page_alloc() may have changed the index: the
	 * range must still be free (it is: our own folios of the range
	 * are not created yet, and reclaim only removes) */
	i = folio_new(pc);
	f = F(pc, i);
	fl = &pc->file[fidx];
	f->file = fidx;
	f->index = index;
	f->order = (uint8_t)order;
	f->pfn = (uint32_t)res.pfn;
	f->node = (uint16_t)res.zone->node;
	f->ready = pc->q->now;
	for (k = 0; k < (UINT64_C(1) << order); k++)
		xa_store(pc, &fl->xa, index + k, i);
	fl->nr_pages += UINT64_C(1) << order;
	pc->nr_pages += UINT64_C(1) << order;
	/* block_write_begin() and the like hold the page's owner in
	 * the frame so compaction can move it */
	pfn_to_frame(pc->m, res.pfn)->private = i;
	lru_add(pc, i, false);
	*cycles += pc->m->cost.c[COST_LRU_OP];
	return i;
}

/* The largest order at most max with index aligned to it and the
 * range [index, index + 2^order) inside [index, limit) and uncached. */
static unsigned fit_order(const struct pagecache *pc, const struct pc_file *fl,
    uint64_t index, uint64_t limit, unsigned max)
{
	unsigned o;
	uint64_t k;

	for (o = max; o > 0; o--) {
		uint64_t n = UINT64_C(1) << o;

		if ((index & (n - 1)) != 0 || index + n > limit)
			continue;
		for (k = 1; k < n; k++)
			if (xa_load(&fl->xa, index + k) != PC_NIL)
				break;
		if (k == n)
			return o;
	}
	(void)pc;
	return 0;
}

/*
 * Read [start, start + nr) of file fidx from its disk into new folios
 * (page_cache_ra_unbounded() + read_pages()): one I/O per contiguous run.
 * The folio at `mark` (if in range) gets PG_readahead.  Returns the time
 * the folio at `need` (if this read brings it) is up to date, else 0.
 */
static uint64_t read_range(struct pagecache *pc, uint32_t fidx, uint64_t start,
    uint64_t nr, uint64_t mark, uint64_t need, int cpu, uint64_t *cycles)
{
	struct pc_disk *d = &pc->disk[pc->file[fidx].disk];
	uint64_t idx = start, end = start + nr, ready = 0;
	struct pc_io *io = NULL;
	uint64_t io_pages = 0, io_first = 0;

	while (idx < end) {
		struct pc_file *fl = &pc->file[fidx];
		uint32_t i = xa_load(&fl->xa, idx);
		unsigned o;

		if (i != PC_NIL) {
			idx = F(pc, i)->index + (UINT64_C(1) << F(pc, i)->order);
			goto flush;
		}
		o = fit_order(pc, fl, idx, end, d->cfg.max_folio_order);
		i = folio_alloc_add(pc, fidx, idx, o, cpu, cycles);
		if (i == PC_NIL)
			break;
		F(pc, i)->flags |= FL_LOCKED;
		if (mark >= idx && mark < idx + (UINT64_C(1) << F(pc, i)->order))
			F(pc, i)->flags |= FL_READAHEAD;
		if (io == NULL) {
			io = io_new(pc, pc->file[fidx].disk, false, 0,
			    IO_MAX_PAGES);
			io_first = idx;
			io_pages = 0;
		}
		io_add(io, pc, i);
		io_pages += UINT64_C(1) << F(pc, i)->order;
		idx += UINT64_C(1) << F(pc, i)->order;
		if (io_pages < IO_MAX_PAGES && io->n < IO_MAX_PAGES &&
		    idx < end)
			continue;
flush:
		if (io != NULL) {
			uint64_t done = io_submit(pc, io, io_pages, cycles);

			if (need >= io_first && need < io_first + io_pages)
				ready = done;
			io = NULL;
		}
	}
	if (io != NULL) {
		uint64_t done = io_submit(pc, io, io_pages, cycles);

		if (need >= io_first && need < io_first + io_pages)
			ready = done;
	}
	return ready;
}

/* mm/readahead.c:get_init_ra_size() and get_next_ra_size(). */
static uint64_t ra_init_size(uint64_t size, uint64_t max)
{
	uint64_t n = roundup_pow2(size);

	if (n <= max / 32)
		return n * 4;
	if (n <= max / 4)
		return n * 2;
	return max;
}

static uint64_t ra_next_size(uint64_t cur, uint64_t max)
{
	if (cur < max / 16)
		return 4 * cur;
	if (cur <= max / 2)
		return 2 * cur;
	return max;
}

/* ---- reads ---- */

static int pc_read(struct pagecache *pc, uint32_t fidx, uint64_t off,
    uint64_t len, int cpu, uint64_t *cycles)
{
	struct pc_file *fl = &pc->file[fidx];
	struct pc_disk *d = &pc->disk[fl->disk];
	uint64_t ps = UINT64_C(1) << pc->page_shift;
	uint64_t first = off >> pc->page_shift;
	uint64_t last = (off + len - 1) >> pc->page_shift;
	uint64_t idx, now = pc->q->now, wait = now;
	uint64_t max_ra = KMSIM_MAX(UINT64_C(1), d->cfg.read_ahead_kb * 1024 / ps);
	uint64_t miss_end = 0;	/* pages below were absent: misses */
	bool missed = false;

	for (idx = first; idx <= last; ) {
		uint64_t fs, fe;
		uint32_t i;

		fl = &pc->file[fidx];
		i = xa_load(&fl->xa, idx);
		*cycles += pc->m->cost.c[COST_FILEMAP_LOOKUP];
		if (i == PC_NIL) {
			/* page_cache_sync_ra(): sequential from the last
			 * read grows the window, else a fresh one */
			uint64_t ready, size;

			missed = true;
			if (idx == 0 || (fl->prev_index != 0 &&
			    (idx == fl->prev_index || idx + 1 == fl->prev_index))) {
				if (fl->ra_size > 0 &&
				    idx == fl->ra_start + fl->ra_size)
					size = ra_next_size(fl->ra_size, max_ra);
				else
					size = ra_init_size(last - idx + 1, max_ra);
			} else {
				/* a random read: only what was asked */
				size = last - idx + 1;
			}
			size = KMSIM_MAX(size, last - idx + 1);
			fl->ra_start = idx;
			fl->ra_size = size;
			fl->ra_async = size > last - idx + 1 ?
			    size - (last - idx + 1) : 0;
			ready = read_range(pc, fidx, idx, size,
			    fl->ra_async ? idx + size - fl->ra_async :
			    UINT64_MAX, idx, cpu, cycles);
			pc->readahead_pages += size > last - idx + 1 ?
			    size - (last - idx + 1) : 0;
			fl = &pc->file[fidx];
			miss_end = idx + size;
			i = xa_load(&fl->xa, idx);
			if (i == PC_NIL) {
				/* no memory for even one page: -ENOMEM */
				pc->misses += last - idx + 1;
				break;
			}
			if (ready > wait)
				wait = ready;
		} else {
			struct pc_folio *f = F(pc, i);

			if (f->flags & FL_READAHEAD) {
				/* page_cache_async_ra(): the next window,
				 * not waited for */
				uint64_t start = fl->ra_start + fl->ra_size;
				uint64_t size = ra_next_size(fl->ra_size, max_ra);

				f->flags &= (uint16_t)~FL_READAHEAD;
				fl->ra_start = start;
				fl->ra_size = size;
				fl->ra_async = size;
				read_range(pc, fidx, start, size, start,
				    UINT64_MAX, cpu, cycles);
				pc->readahead_pages += size;
				fl = &pc->file[fidx];
			}
		}
		i = xa_load(&fl->xa, idx);
		if (i == PC_NIL)
			break;
		/* the requested pages of the folio: misses if this read
		 * brought them in, else hits (waiting if still being read:
		 * filemap_update_page()) */
		fs = KMSIM_MAX(F(pc, i)->index, first);
		fe = KMSIM_MIN(F(pc, i)->index + (UINT64_C(1) <<
		    F(pc, i)->order), last + 1);
		if (F(pc, i)->index < miss_end) {
			pc->misses += fe - fs;
		} else {
			pc->hits += fe - fs;
			if (F(pc, i)->flags & FL_LOCKED) {
				missed = true;
				pc->read_waits += fe - fs;
			}
		}
		if ((F(pc, i)->flags & FL_LOCKED) && F(pc, i)->ready > wait)
			wait = F(pc, i)->ready;
		/* filemap_read(): a folio already touched by the previous
		 * read (the same position) is not marked again */
		if (fl->prev_index == 0 || F(pc, i)->index + (UINT64_C(1) <<
		    F(pc, i)->order) <= fl->prev_index - 1 ||
		    F(pc, i)->index > fl->prev_index - 1)
			mark_accessed(pc, i);
		*cycles += pc->m->cost.c[COST_COPY_PAGE] << F(pc, i)->order;
		idx = F(pc, i)->index + (UINT64_C(1) << F(pc, i)->order);
	}
	fl = &pc->file[fidx];
	fl->prev_index = last + 1;
	if (wait > now) {
		/* folio_wait_locked(): the reader sleeps for its I/O */
		pc_sleep(pc, wait);
		*cycles += wait - now;
	}
	hist_record(&pc->lat[missed ? PC_LAT_READ_MISS : PC_LAT_READ_HIT],
	    *cycles);
	return 0;
}

/* ---- dirty limits and throttling ---- */

/* mm/page-writeback.c:global_dirtyable_memory(): free pages less the
 * reserves, plus the file LRU (highmem excluded). */
static uint64_t dirtyable_memory(const struct pagecache *pc)
{
	const struct machine *m = pc->m;
	uint64_t free = 0, reserve = 0, lru = 0;
	int n, t, j;

	for (n = 0; n < m->nr_nodes; n++) {
		for (t = 0; t < MAX_NR_ZONES; t++) {
			const struct zone *z = &m->nodes[n].zones[t];
			uint64_t max_res = 0;

			if (!z->populated || t == ZONE_HIGHMEM)
				continue;
			free += z->free_pages + z->pcp_pages;
			for (j = 0; j < MAX_NR_ZONES; j++)
				max_res = KMSIM_MAX(max_res, z->lowmem_reserve[j]);
			/* calculate_totalreserve_pages() */
			reserve += KMSIM_MIN(max_res + z->watermark[WMARK_HIGH],
			    z->managed_pages);
		}
		lru += pc->lru[n].nr[0] + pc->lru[n].nr[1];
	}
	free = free > reserve ? free - reserve : 0;
	return free + lru;
}

void pagecache_dirty_limits(const struct pagecache *pc, uint64_t *thresh,
    uint64_t *bg_thresh, uint64_t *dirtyable)
{
	const struct config *c = pc->cfg;
	uint64_t avail = dirtyable_memory(pc), t, bg;
	uint64_t ps = UINT64_C(1) << pc->page_shift;

	/* domain_dirty_limits(): bytes win over ratios */
	if (c->dirty_bytes)
		t = (c->dirty_bytes + ps - 1) / ps;
	else
		t = avail * c->dirty_ratio / 100;
	if (c->dirty_background_bytes)
		bg = (c->dirty_background_bytes + ps - 1) / ps;
	else
		bg = avail * c->dirty_background_ratio / 100;
	if (bg >= t)
		bg = t / 2;
	*thresh = t;
	*bg_thresh = bg;
	if (dirtyable != NULL)
		*dirtyable = avail;
}

/* dirty_poll_interval(): how many pages before the next check. */
static uint64_t dirty_poll_interval(uint64_t dirty, uint64_t thresh)
{
	if (thresh > dirty)
		return UINT64_C(1) << (ilog2_u64(thresh - dirty) >> 1);
	return 1;
}

static void flusher_kick(struct pagecache *pc, struct pc_disk *d,
    uint64_t when)
{
	if (pc->stopped && d->vmscan_pages == 0)
		return;
	if (evq_pending(&d->flush)) {
		if (d->flush.time <= when)
			return;
		evq_cancel(pc->q, &d->flush);
	}
	evq_push(pc->q, &d->flush, when);
}

/*
 * wb_update_write_bandwidth() and wb_update_dirty_ratelimit(), every
 * BANDWIDTH_INTERVAL: the write bandwidth smoothed, and the dirty rate
 * limit stepped towards the rate that balances dirtying and writeback
 * (task_ratelimit * write_bw / dirty_rate) -- upwards only while the
 * dirty pages are below the setpoint, downwards only above it, by an
 * eighth of the gap shrunk when the gap is small, as the kernel does.
 */
static void update_bandwidth(struct pagecache *pc, uint64_t pos_ratio,
    uint64_t dirty, uint64_t setpoint)
{
	uint64_t now = pc->q->now, elapsed, written, dirtied, bw, rate;
	uint64_t total_written = 0, rl = pc->dirty_ratelimit;
	int r;

	elapsed = now - pc->bw_time;
	if (elapsed < ns_to_cycles(pc, BW_INTERVAL_NS))
		return;
	for (r = 0; r < PC_WB_NR; r++)
		total_written += pc->written[r];
	written = total_written - pc->bw_written;
	dirtied = pc->dirtied - pc->bw_dirtied;
	/* pages per second over the interval */
	bw = (uint64_t)((double)written * 1e9 /
	    (double)cycles_to_ns(pc, elapsed));
	rate = (uint64_t)((double)dirtied * 1e9 /
	    (double)cycles_to_ns(pc, elapsed));
	/*
	 * wb_update_write_bandwidth(): the interval's bandwidth weighted by
	 * its share of a ~3 s period into write_bandwidth, and
	 * avg_write_bandwidth following that by 1/8 of the gap when both
	 * move the same way (the rate limits use the average)
	 */
	{
		uint64_t el = KMSIM_MAX(cycles_to_ns(pc, elapsed) /
		    NS_PER_JIFFY, UINT64_C(1));
		uint64_t old = pc->raw_bw, nbw;

		if (el >= BW_PERIOD_JIFFIES)
			nbw = bw;
		else
			nbw = (bw * el + old * (BW_PERIOD_JIFFIES - el)) /
			    BW_PERIOD_JIFFIES;
		if (pc->write_bw > old && old >= nbw)
			pc->write_bw -= (pc->write_bw - old) >> 3;
		if (pc->write_bw < old && old <= nbw)
			pc->write_bw += (old - pc->write_bw) >> 3;
		pc->raw_bw = nbw;
	}
	if (rate > 0) {
		uint64_t task = rl * pos_ratio >> RL_SHIFT;
		uint64_t balanced = (uint64_t)((double)task *
		    (double)pc->write_bw / (double)rate);
		uint64_t x, step = 0, shift;

		if (dirty < setpoint) {
			x = KMSIM_MIN(KMSIM_MIN(pc->balanced_ratelimit,
			    balanced), task + 1);
			if (rl < x)
				step = x - rl;
		} else {
			x = KMSIM_MAX(KMSIM_MAX(pc->balanced_ratelimit,
			    balanced), task + 1);
			if (rl > x)
				step = rl - x;
		}
		shift = rl / (2 * step + 1);
		step = shift < 64 ? ((step >> shift) + 7) / 8 : 0;
		if (dirty < setpoint)
			rl += step;
		else
			rl -= KMSIM_MIN(step, rl - 1);
		pc->dirty_ratelimit = KMSIM_MAX(rl, UINT64_C(1));
		pc->balanced_ratelimit = balanced;
	}
	pc->bw_time = now;
	pc->bw_written = total_written;
	pc->bw_dirtied = pc->dirtied;
}

/*
 * balance_dirty_pages() for one writer that dirtied pages_dirtied pages:
 * the cycles it pauses.  Below the freerun ceiling ((thresh + bg) / 2)
 * nobody waits; above, the pause follows pos_ratio, 1 + ((setpoint -
 * dirty) / (limit - setpoint))^3, scaling the dirty rate limit; at the
 * limit the writer sleeps the longest pause (200 ms) and tries again
 * until the flusher has brought the dirty pages under the limit.  The
 * writer really sleeps: the queue runs on meanwhile (pc_sleep()).
 * Returns the cycles slept.
 */
static uint64_t balance_dirty_pages_once(struct pagecache *pc, int cpu,
    bool *again);
static int64_t wb_min_pause(const struct pagecache *pc, int64_t max_pause,
    uint64_t task_rl, uint64_t *pages);

static uint64_t balance_dirty_pages(struct pagecache *pc, int cpu)
{
	uint64_t slept = 0, start = pc->q->now;
	bool again = true;
	int rounds;

	/* a writer that can never get under the limit (nothing to write
	 * back) gives up after 10 minutes of pauses, as a hung task would
	 * be noticed */
	for (rounds = 0; again && rounds < 3000; rounds++) {
		uint64_t p = balance_dirty_pages_once(pc, cpu, &again);

		if (p == 0)
			break;
		pc_sleep(pc, pc->q->now + p);
	}
	slept = pc->q->now - start;
	return slept;
}

static uint64_t balance_dirty_pages_once(struct pagecache *pc, int cpu,
    bool *again)
{
	struct pc_writer *w = &pc->writer[cpu];
	uint64_t thresh, bg, dirty = pc->nr_dirty + pc->nr_writeback;
	uint64_t freerun, setpoint, limit, pos_ratio, task_rl;
	uint64_t now = pc->q->now, jiffy = ns_to_cycles(pc, NS_PER_JIFFY);
	int64_t x, xx, max_pause, min_pause, period, pause;
	uint64_t pages;
	int dsk;

	*again = false;
	pagecache_dirty_limits(pc, &thresh, &bg, NULL);
	if (pc->nr_dirty > bg) {
		/* wb_start_background_writeback() */
		if (pc->first_bg_dirty == 0)
			pc->first_bg_dirty = dirty;
		for (dsk = 0; dsk < pc->nr_disks; dsk++)
			if (pc->disk[dsk].dirty_head != PC_NIL)
				flusher_kick(pc, &pc->disk[dsk], now);
	}
	freerun = (thresh + bg) / 2;
	if (dirty <= freerun) {
		w->dirty_paused_when = now;
		w->nr_dirtied = 0;
		w->nr_dirtied_pause = dirty_poll_interval(dirty, thresh);
		return 0;
	}
	limit = KMSIM_MAX(thresh, UINT64_C(1));
	setpoint = (freerun + limit) / 2;
	if (dirty >= limit) {
		pos_ratio = 0;
	} else {
		/* pos_ratio_polynom() in RATELIMIT_CALC_SHIFT fixed point */
		x = (int64_t)(((int64_t)setpoint - (int64_t)dirty) *
		    (1 << RL_SHIFT)) / (int64_t)(limit - setpoint + 1);
		xx = x * x >> RL_SHIFT;
		xx = xx * x >> RL_SHIFT;
		xx += 1 << RL_SHIFT;
		pos_ratio = (uint64_t)KMSIM_MAX(KMSIM_MIN(xx,
		    (int64_t)2 << RL_SHIFT), (int64_t)0);
	}
	update_bandwidth(pc, pos_ratio, dirty, setpoint);
	/* wb_max_pause(): bounded by how fast the disk drains the dirty
	 * pages, at most MAX_PAUSE (jiffies) */
	max_pause = (int64_t)(dirty / (1 + pc->write_bw /
	    roundup_pow2(1 + PC_HZ / 8)) + 1);
	max_pause = KMSIM_MIN(max_pause, (int64_t)MAX_PAUSE_JIFFIES);
	task_rl = pc->dirty_ratelimit * pos_ratio >> RL_SHIFT;
	min_pause = wb_min_pause(pc, max_pause, task_rl, &pages);
	if (task_rl == 0) {
		/* over the limit: the longest pause, then look again */
		*again = true;
		period = max_pause;
		pause = max_pause;
	} else {
		period = (int64_t)(PC_HZ * w->nr_dirtied / task_rl);
		pause = period;
		/* less the think time since the last pause; a writer that
		 * owes time (paused_when ahead of now) pauses longer */
		if (w->dirty_paused_when != 0)
			pause -= ((int64_t)now - (int64_t)w->dirty_paused_when) /
			    (int64_t)jiffy;
		if (pause < min_pause) {
			/* too short to sleep: the next check later */
			if (pause < -PC_HZ) {
				w->dirty_paused_when = now;
				w->nr_dirtied = 0;
			} else if (period) {
				w->dirty_paused_when += (uint64_t)period *
				    jiffy;
				w->nr_dirtied = 0;
			} else if (w->nr_dirtied_pause <= w->nr_dirtied) {
				w->nr_dirtied_pause += w->nr_dirtied;
			}
			return 0;
		}
		if (pause > max_pause)
			pause = max_pause;
	}
	if (pc->first_throttle_dirty == 0)
		pc->first_throttle_dirty = dirty;
	w->pauses++;
	w->pause_ns += (uint64_t)pause * NS_PER_JIFFY;
	pc->throttle_pauses++;
	pc->throttle_ns += (uint64_t)pause * NS_PER_JIFFY;
	w->dirty_paused_when = now + (uint64_t)pause * jiffy;
	w->nr_dirtied = 0;
	w->nr_dirtied_pause = pages;
	hist_record(&pc->lat[PC_LAT_THROTTLE], (uint64_t)pause * jiffy);
	return (uint64_t)pause * jiffy;
}

/*
 * wb_min_pause(): the shortest pause worth sleeping (jiffies) and, in
 * *pages, how many pages the writer may dirty before the next check: a
 * ~10 ms target pause at the dirty rate limit, at least DIRTY_POLL_THRESH
 * pages between checks, never a pause above max_pause.
 */
static int64_t wb_min_pause(const struct pagecache *pc, int64_t max_pause,
    uint64_t task_rl, uint64_t *pages)
{
	int64_t hi = (int64_t)ilog2_u64(KMSIM_MAX(pc->write_bw, UINT64_C(1)));
	int64_t lo = (int64_t)ilog2_u64(KMSIM_MAX(pc->dirty_ratelimit,
	    UINT64_C(1)));
	int64_t t = KMSIM_MAX(1, PC_HZ / 100), pause;
	uint64_t n, hz2 = roundup_pow2(PC_HZ);

	if (hi > lo)
		t += (hi - lo) * (10 * PC_HZ) / 1024;
	t = KMSIM_MIN(t, 1 + max_pause / 2);
	n = pc->dirty_ratelimit * (uint64_t)t / hz2;
	if (n < DIRTY_POLL_THRESH) {
		t = max_pause;
		n = pc->dirty_ratelimit * (uint64_t)t / hz2;
		if (n > DIRTY_POLL_THRESH) {
			n = DIRTY_POLL_THRESH;
			t = (int64_t)(PC_HZ * DIRTY_POLL_THRESH /
			    KMSIM_MAX(pc->dirty_ratelimit, UINT64_C(1)));
		}
	}
	pause = (int64_t)(PC_HZ * n / (task_rl + 1));
	if (pause > max_pause) {
		t = max_pause;
		n = task_rl * (uint64_t)t / hz2;
	}
	*pages = KMSIM_MAX(n, UINT64_C(1));
	return n >= DIRTY_POLL_THRESH ? 1 + t / 2 : t;
}

/* ---- writeback ---- */

/*
 * Write up to `budget` dirty pages of file fidx from its writeback_index
 * on (write_cache_pages(): tagged dirty folios, cyclic), one I/O per run
 * of contiguous folios.  Returns the pages submitted; *done the latest
 * completion.
 */
static uint64_t write_file(struct pagecache *pc, uint32_t fidx,
    uint64_t budget, int reason, uint64_t *done, uint64_t *cycles)
{
	struct pc_file *fl = &pc->file[fidx];
	uint64_t idx = fl->wb_index, sent = 0, io_pages = 0, next = 0;
	bool wrapped = fl->wb_index == 0;
	struct pc_io *io = NULL;
	uint32_t i;

	while (sent < budget && fl->nr_dirty > 0) {
		i = xa_find(&fl->xa, &idx, true);
		if (i == PC_NIL) {
			if (wrapped)
				break;
			wrapped = true;
			idx = 0;
			continue;
		}
		if (io != NULL && (idx != next || io_pages >= IO_MAX_PAGES)) {
			*done = KMSIM_MAX(*done, io_submit(pc, io, io_pages,
			    cycles));
			io = NULL;
		}
		if (io == NULL) {
			io = io_new(pc, fl->disk, true, reason, IO_MAX_PAGES);
			io_pages = 0;
		}
		folio_clear_dirty(pc, i);
		F(pc, i)->flags |= FL_WRITEBACK;
		fl->nr_writeback += UINT64_C(1) << F(pc, i)->order;
		pc->nr_writeback += UINT64_C(1) << F(pc, i)->order;
		io_add(io, pc, i);
		io_pages += UINT64_C(1) << F(pc, i)->order;
		sent += UINT64_C(1) << F(pc, i)->order;
		idx = F(pc, i)->index + (UINT64_C(1) << F(pc, i)->order);
		next = idx;
		fl->wb_index = idx;
	}
	if (io != NULL)
		*done = KMSIM_MAX(*done, io_submit(pc, io, io_pages, cycles));
	if (fl->nr_dirty == 0)
		fl->wb_index = 0;
	return sent;
}

static bool over_bg_thresh(const struct pagecache *pc)
{
	uint64_t thresh, bg;

	pagecache_dirty_limits(pc, &thresh, &bg, NULL);
	return pc->nr_dirty > bg;
}

/*
 * wb_workfn() of one disk: the work items in wb_do_writeback()'s order
 * (reclaim's request, background, kupdate), a chunk of each inode at a
 * time, oldest inode first; when the queue is full or the budget spent,
 * again when a queue slot frees.
 */
static void on_flush(struct evq *q, struct evq_event *ev, void *arg)
{
	struct pc_disk *d = arg;
	struct pagecache *pc = d->pc;
	uint64_t now = q->now, budget = FLUSH_BUDGET_PAGES, done = 0;
	uint64_t cycles = 0, expire;
	bool more = false;

	(void)ev;
	pc->flusher_runs++;
	expire = ns_to_cycles(pc, (uint64_t)pc->cfg->dirty_expire_centisecs *
	    10000000ull);
	while (budget > 0 && d->dirty_head != PC_NIL) {
		uint32_t fidx = d->dirty_head;
		struct pc_file *fl;
		int reason;
		uint64_t n;

		if (disk_slot_time(d) > now) {
			more = true;
			break;
		}
		if (d->vmscan_pages > 0) {
			reason = PC_WB_VMSCAN;
		} else if (over_bg_thresh(pc)) {
			reason = PC_WB_BACKGROUND;
		} else {
			/* move_expired_inodes(): the oldest expired one (an
			 * inode requeued after a chunk keeps its age) */
			while (fidx != PC_NIL &&
			    pc->file[fidx].dirtied_when + expire > now)
				fidx = pc->file[fidx].dnext;
			if (fidx == PC_NIL)
				break;
			reason = PC_WB_PERIODIC;
		}
		n = write_file(pc, fidx, KMSIM_MIN(budget, WB_CHUNK_PAGES),
		    reason, &done, &cycles);
		budget -= KMSIM_MIN(budget, n);
		if (reason == PC_WB_VMSCAN)
			d->vmscan_pages -= KMSIM_MIN(d->vmscan_pages, n);
		fl = &pc->file[fidx];
		if (fl->on_dirty && fl->dnext != PC_NIL) {
			/* requeue_io(): the rest of it after the others,
			 * its dirtied_when kept */
			dirty_list_del(pc, fl);
			dirty_list_add(pc, fl);
		}
		if (n == 0)
			break;
	}
	if (d->dirty_head == PC_NIL)
		d->vmscan_pages = 0;
	if (budget == 0)
		more = true;
	if (more && d->dirty_head != PC_NIL)
		flusher_kick(pc, d, KMSIM_MAX(disk_slot_time(d),
		    now + ns_to_cycles(pc, 1000000)));
}

/* The dirty_writeback_centisecs timer (wb_wakeup_delayed()). */
static void on_timer(struct evq *q, struct evq_event *ev, void *arg)
{
	struct pc_disk *d = arg;
	struct pagecache *pc = d->pc;

	(void)ev;
	if (d->dirty_head != PC_NIL)
		flusher_kick(pc, d, q->now);
	if (!pc->stopped && pc->cfg->dirty_writeback_centisecs > 0)
		evq_push(q, &d->timer, q->now + ns_to_cycles(pc,
		    (uint64_t)pc->cfg->dirty_writeback_centisecs *
		    10000000ull));
}

/* ---- writes, fsync, truncate ---- */

static int pc_write(struct pagecache *pc, uint32_t fidx, uint64_t off,
    uint64_t len, int cpu, uint64_t *cycles)
{
	struct pc_disk *d = &pc->disk[pc->file[fidx].disk];
	uint64_t ps = UINT64_C(1) << pc->page_shift;
	uint64_t first = off >> pc->page_shift;
	uint64_t last = (off + len - 1) >> pc->page_shift, idx, now = pc->q->now;
	uint64_t wait = now, dirtied = 0;
	struct pc_writer *w = &pc->writer[cpu];

	for (idx = first; idx <= last; ) {
		struct pc_file *fl = &pc->file[fidx];
		uint32_t i = xa_load(&fl->xa, idx);
		struct pc_folio *f;

		*cycles += pc->m->cost.c[COST_FILEMAP_LOOKUP];
		if (i == PC_NIL) {
			unsigned o = fit_order(pc, fl, idx, last + 1,
			    d->cfg.max_folio_order);
			uint64_t fstart = idx << pc->page_shift;
			uint64_t fend = (idx + (UINT64_C(1) << o)) << pc->page_shift;

			if ((off > fstart || off + len < fend) &&
			    fstart < fl->size) {
				/* block_write_begin(): a partial write of
				 * data on disk reads the folio first */
				uint64_t r = read_range(pc, fidx, idx,
				    UINT64_C(1), UINT64_MAX, idx, cpu, cycles);

				if (r > wait)
					wait = r;
				pc->misses++;
				fl = &pc->file[fidx];
				i = xa_load(&fl->xa, idx);
			} else {
				i = folio_alloc_add(pc, fidx, idx, o, cpu,
				    cycles);
			}
			if (i == PC_NIL)
				break;	/* -ENOMEM: a short write */
		} else if (F(pc, i)->flags & FL_LOCKED) {
			if (F(pc, i)->ready > wait)
				wait = F(pc, i)->ready;
		}
		f = F(pc, i);
		if (!(f->flags & FL_DIRTY)) {
			folio_set_dirty(pc, i);
			dirtied += UINT64_C(1) << f->order;
			*cycles += pc->m->cost.c[COST_DIRTY_FOLIO];
		}
		*cycles += pc->m->cost.c[COST_COPY_PAGE] << f->order;
		idx = f->index + (UINT64_C(1) << f->order);
		/* generic_perform_write(): balance_dirty_pages_ratelimited()
		 * after each folio */
		w->pages_dirtied += dirtied;
		w->nr_dirtied += dirtied;
		dirtied = 0;
		if (w->nr_dirtied_pause == 0)
			w->nr_dirtied_pause = 32;	/* 128 KiB */
		if (w->nr_dirtied >= w->nr_dirtied_pause)
			*cycles += balance_dirty_pages(pc, cpu);
	}
	{
		struct pc_file *fl = &pc->file[fidx];

		if (off + len > fl->size)
			fl->size = off + len;
	}
	if (wait > now) {
		pc_sleep(pc, wait);
		*cycles += wait - now;
	}
	(void)ps;
	hist_record(&pc->lat[PC_LAT_WRITE], *cycles);
	return 0;
}

/* vfs_fsync() -> file_write_and_wait_range(): write every dirty page,
 * wait for all its writeback, then the device's cache flush. */
static int pc_fsync(struct pagecache *pc, uint32_t fidx, uint64_t *cycles)
{
	struct pc_file *fl = &pc->file[fidx];
	struct pc_disk *d = &pc->disk[fl->disk];
	uint64_t now = pc->q->now, done = now, idx = 0;
	uint32_t i;

	fl->wb_index = 0;
	while (pc->file[fidx].nr_dirty > 0)
		if (write_file(pc, fidx, UINT64_MAX, PC_WB_FSYNC, &done,
		    cycles) == 0)
			break;
	fl = &pc->file[fidx];
	/* wait for writeback already in flight too */
	idx = 0;
	while (fl->nr_writeback > 0 &&
	    (i = xa_find(&fl->xa, &idx, false)) != PC_NIL) {
		if (F(pc, i)->flags & FL_WRITEBACK)
			done = KMSIM_MAX(done, F(pc, i)->ready);
		idx = F(pc, i)->index + (UINT64_C(1) << F(pc, i)->order);
	}
	/* REQ_PREFLUSH: one more round trip to the device */
	done += ns_to_cycles(pc, d->cfg.latency_ns);
	pc_sleep(pc, done);
	*cycles += done - now;
	hist_record(&pc->lat[PC_LAT_FSYNC], *cycles);
	return 0;
}

/* truncate_inode_pages_range() from byte `from`: folios wholly past it
 * go (waiting for their writeback), dirty ones without being written. */
static void pc_truncate(struct pagecache *pc, uint32_t fidx, uint64_t from,
    int cpu, uint64_t *cycles)
{
	uint64_t ps = UINT64_C(1) << pc->page_shift;
	uint64_t idx = (from + ps - 1) >> pc->page_shift, now = pc->q->now;
	uint64_t wait = now;
	uint32_t i;

	while ((i = xa_find(&pc->file[fidx].xa, &idx, false)) != PC_NIL) {
		struct pc_folio *f = F(pc, i);

		if ((f->flags & (FL_WRITEBACK | FL_LOCKED)) && f->ready > wait)
			wait = f->ready;
		idx = f->index + (UINT64_C(1) << f->order);
		pc->truncated += UINT64_C(1) << f->order;
		folio_remove(pc, i, cpu, cycles);
		*cycles += pc->m->cost.c[COST_LRU_OP];
	}
	if (pc->file[fidx].size > from)
		pc->file[fidx].size = from;
	if (wait > now) {
		/* folio_wait_writeback() of what was in flight */
		pc_sleep(pc, wait);
		*cycles += wait - now;
	}
}

/* drop_caches 1: invalidate_mapping_pages() of every file: clean,
 * unlocked folios not under writeback. */
static uint64_t drop_pagecache(struct pagecache *pc, int cpu, uint64_t *cycles)
{
	uint64_t got = 0;
	uint32_t fidx, i;

	for (fidx = 0; fidx < pc->nr_file; fidx++) {
		uint64_t idx = 0;

		while ((i = xa_find(&pc->file[fidx].xa, &idx, false)) !=
		    PC_NIL) {
			struct pc_folio *f = F(pc, i);

			idx = f->index + (UINT64_C(1) << f->order);
			if (f->flags & (FL_DIRTY | FL_WRITEBACK | FL_LOCKED))
				continue;
			got += UINT64_C(1) << f->order;
			folio_remove(pc, i, cpu, cycles);
		}
	}
	pc->dropped += got;
	return got;
}

/* ---- reclaim ---- */

/* mm/vmscan.c:inactive_is_low(). */
static bool inactive_is_low(const struct pc_lru *l, unsigned page_shift)
{
	uint64_t gb = (l->nr[0] + l->nr[1]) >> (30 - page_shift);
	uint64_t ratio = 1;

	if (gb) {
		/* int_sqrt(10 * gb) */
		uint64_t v = 10 * gb, r = 0;

		while ((r + 1) * (r + 1) <= v)
			r++;
		ratio = r;
	}
	return l->nr[0] * ratio < l->nr[1];
}

/* shrink_active_list(): unmapped file folios all go to the inactive
 * list (no VM_EXEC mappings here), keeping PG_referenced. */
static void shrink_active(struct pagecache *pc, int node, uint64_t nr,
    uint64_t *cycles)
{
	struct pc_lru *l = &pc->lru[node];
	uint64_t done = 0;

	while (done < nr && l->tail[1] != PC_NIL) {
		uint32_t i = l->tail[1];
		struct pc_folio *f = F(pc, i);

		lru_del(pc, i);
		f->flags &= (uint16_t)~FL_ACTIVE;
		lru_add(pc, i, false);
		done += UINT64_C(1) << f->order;
		pc->pgdeactivate += UINT64_C(1) << f->order;
		*cycles += pc->m->cost.c[COST_LRU_OP];
	}
	pc->pgrefill += done;
}

/*
 * shrink_inactive_list() + shrink_folio_list() over nr pages from the
 * tail: locked folios are kept; folios under writeback or dirty are
 * marked PG_reclaim and activated (reclaim writes no file folios in
 * 6.18; the flusher does); clean ones are freed, PG_referenced or not
 * (an unmapped folio's reference only keeps it if dirty).  Dirty folios
 * nobody has queued wake the flusher for all dirty pages.
 */
static uint64_t shrink_inactive(struct pagecache *pc, int node, uint64_t nr,
    int cpu, uint64_t *cycles, uint64_t *scanned)
{
	struct pc_lru *l = &pc->lru[node];
	uint64_t taken = 0, freed = 0, unqueued_dirty = 0;
	uint32_t keep = PC_NIL, keep_tail = PC_NIL;

	while (taken < nr && l->tail[0] != PC_NIL) {
		uint32_t i = l->tail[0];
		struct pc_folio *f = F(pc, i);
		uint64_t n = UINT64_C(1) << f->order;

		lru_del(pc, i);
		taken += n;
		*cycles += pc->m->cost.c[COST_LRU_OP];
		f->flags &= (uint16_t)~FL_REFERENCED;
		if (f->flags & FL_LOCKED) {
			/* keep: back on the list after the scan */
			f->next = PC_NIL;
			if (keep_tail != PC_NIL)
				F(pc, keep_tail)->next = i;
			else
				keep = i;
			keep_tail = i;
			continue;
		}
		if (f->flags & (FL_WRITEBACK | FL_DIRTY)) {
			if (f->flags & FL_WRITEBACK)
				;
			else {
				unqueued_dirty += n;
				pc->vmscan_immediate += n;
			}
			f->flags |= FL_RECLAIM | FL_ACTIVE;
			pc->pgactivate += n;
			lru_add(pc, i, false);
			continue;
		}
		freed += n;
		folio_remove(pc, i, cpu, cycles);
	}
	while (keep != PC_NIL) {
		uint32_t nx = F(pc, keep)->next;

		lru_add(pc, keep, false);
		keep = nx;
	}
	*scanned += taken;
	if (unqueued_dirty > 0 && unqueued_dirty == taken) {
		/* wakeup_flusher_threads(WB_REASON_VMSCAN): every disk
		 * writes all its dirty pages */
		int dsk;

		pc->vmscan_wakeups++;
		for (dsk = 0; dsk < pc->nr_disks; dsk++) {
			struct pc_disk *d = &pc->disk[dsk];

			if (d->dirty_head == PC_NIL)
				continue;
			d->vmscan_pages = pc->nr_dirty;
			flusher_kick(pc, d, pc->q->now);
		}
	}
	return freed;
}

uint64_t pagecache_shrink(struct pagecache *pc, int node, uint64_t want,
    bool kswapd, uint64_t *cycles)
{
	struct pc_lru *l;
	uint64_t freed = 0, scanned = 0;
	int prio, cpu = 0, c;

	if (pc->observe || node < 0 || node >= pc->m->nr_nodes)
		return 0;
	l = &pc->lru[node];
	for (c = 0; c < pc->m->nr_cpus; c++)
		if (machine_cpu_node(pc->m, c) == node) {
			cpu = c;
			break;
		}
	want = KMSIM_MAX(want, (uint64_t)SWAP_CLUSTER_MAX);
	/* do_try_to_free_pages()/balance_pgdat(): priority 12 down to 0,
	 * each scanning lru_size >> priority of each list */
	for (prio = DEF_PRIORITY; prio >= 0 && freed < want; prio--) {
		uint64_t nr_inactive = l->nr[0] >> prio;
		uint64_t nr_active = l->nr[1] >> prio;

		if (prio == 0) {
			nr_inactive = l->nr[0];
			nr_active = l->nr[1];
		}
		if (nr_inactive == 0 && nr_active == 0)
			continue;
		while ((nr_inactive > 0 || nr_active > 0) && freed < want) {
			uint64_t a = KMSIM_MIN(nr_active,
			    (uint64_t)SWAP_CLUSTER_MAX);
			uint64_t b = KMSIM_MIN(nr_inactive,
			    (uint64_t)SWAP_CLUSTER_MAX);

			if (a > 0 && inactive_is_low(l, pc->page_shift))
				shrink_active(pc, node, a, cycles);
			nr_active -= a;
			if (b > 0)
				freed += shrink_inactive(pc, node, b, cpu,
				    cycles, &scanned);
			nr_inactive -= b;
			if (l->nr[0] == 0 && l->nr[1] == 0)
				break;
		}
	}
	pc->pgscan += scanned;
	pc->pgsteal += freed;
	pc->m->vm_events[kswapd ? PGSCAN_KSWAPD : PGSCAN_DIRECT] += scanned;
	return freed;
}

bool pagecache_migrate(struct pagecache *pc, uint64_t old_pfn,
    uint64_t new_pfn)
{
	uint32_t i = pfn_to_frame(pc->m, old_pfn)->private;
	struct pc_folio *f;

	if (i >= pc->nr_folio)
		return false;
	f = F(pc, i);
	if (!(f->flags & FL_LIVE) || f->pfn != old_pfn)
		return false;
	f->pfn = (uint32_t)new_pfn;
	pfn_to_frame(pc->m, new_pfn)->private = i;
	return true;
}

/* ---- observed captures ---- */

static int obs_reason(const struct op *op)
{
	switch (op->aux[0]) {
	case WBR_PERIODIC:
		return PC_WB_PERIODIC;
	case WBR_BACKGROUND:
		return PC_WB_BACKGROUND;
	case WBR_VMSCAN:
		return PC_WB_VMSCAN;
	case WBR_SYNC:
		return PC_WB_FSYNC;
	default:
		return PC_WB_OTHER;
	}
}

/* The file of a writeback event: by (dev, ino), else by ino alone. */
static struct pc_file *obs_file(struct pagecache *pc, const struct op *op)
{
	struct pc_file *fl = file_find(pc, op->dev, op->ino);
	struct idtab_entry *e;

	if (fl != NULL)
		return fl;
	e = idtab_find(&pc->inos, kmsim_hash_u64(op->ino));
	return e == NULL ? NULL : &pc->file[e->pfn];
}

static int pc_observe(struct pagecache *pc, const struct op *op,
    uint64_t *cycles)
{
	struct pc_file *fl;
	uint32_t i, fidx;
	uint64_t k, n;

	switch (op->type) {
	case OP_FILEMAP_ADD: {
		struct zone *z;

		/* a folio is at most a buddy block, and its pages must be
		 * indexable: anything else is not a kernel's event */
		if (op->order > pc->m->max_order ||
		    op->index > UINT64_MAX - (UINT64_C(1) << op->order)) {
			pc->obs_bad++;
			return 0;
		}

		fl = file_get(pc, op->dev, op->ino, -1);
		fidx = (uint32_t)(fl - pc->file);
		if ((i = xa_load(&fl->xa, op->index)) != PC_NIL) {
			/* its delete was never seen */
			pc->obs_readd++;
			folio_remove(pc, i, 0, cycles);
		}
		n = UINT64_C(1) << op->order;
		pc->obs_added += n;
		for (k = 1; k < n; k++)
			if ((i = xa_load(&pc->file[fidx].xa,
			    op->index + k)) != PC_NIL) {
				pc->obs_readd++;
				folio_remove(pc, i, 0, cycles);
			}
		i = folio_new(pc);
		fl = &pc->file[fidx];
		F(pc, i)->file = fidx;
		F(pc, i)->index = op->index;
		F(pc, i)->order = (uint8_t)op->order;
		F(pc, i)->pfn = PFN_NONE;
		z = op->pfn != OP_PFN_NONE && op->pfn < pc->m->max_pfn ?
		    machine_pfn_zone(pc->m, op->pfn) : NULL;
		F(pc, i)->node = (uint16_t)(z != NULL ? z->node : 0);
		F(pc, i)->ready = pc->q->now;
		for (k = 0; k < n; k++)
			xa_store(pc, &fl->xa, op->index + k, i);
		fl->nr_pages += n;
		pc->nr_pages += n;
		lru_add(pc, i, false);
		return 0;
	}
	case OP_FILEMAP_DELETE:
		if (op->order <= pc->m->max_order)
			pc->obs_deleted += UINT64_C(1) << op->order;
		fl = file_find(pc, op->dev, op->ino);
		if (fl == NULL ||
		    (i = xa_load(&fl->xa, op->index)) == PC_NIL) {
			pc->obs_delete_unknown++;
			return 0;
		}
		folio_remove(pc, i, 0, cycles);
		return 0;
	case OP_DIRTY_FOLIO:
		fl = obs_file(pc, op);
		if (fl == NULL ||
		    (i = xa_load(&fl->xa, op->index)) == PC_NIL) {
			pc->obs_dirty_unknown++;
			return 0;
		}
		folio_set_dirty(pc, i);
		return 0;
	case OP_WRITEBACK_START:
	case OP_WRITEBACK_WRITTEN:
		pc->last_reason[op->dev & 15] = obs_reason(op);
		return 0;
	case OP_WRITEBACK_INODE: {
		/* the kernel wrote `nr` pages of the inode from its
		 * writeback_index: as many dirty folios become clean */
		uint64_t idx, left = op->nr;
		int reason = pc->last_reason[op->dev & 15];
		bool wrapped = false;

		fl = obs_file(pc, op);
		if (fl == NULL)
			return 0;
		idx = op->index;
		while (left > 0 && fl->nr_dirty > 0) {
			i = xa_find(&fl->xa, &idx, true);
			if (i == PC_NIL) {
				if (wrapped)
					break;
				wrapped = true;
				idx = 0;
				continue;
			}
			n = UINT64_C(1) << F(pc, i)->order;
			folio_clear_dirty(pc, i);
			pc->written[reason] += n;
			pc->pgpgout += n;
			left -= KMSIM_MIN(left, n);
			idx = F(pc, i)->index + n;
		}
		return 0;
	}
	default:
		return 0;
	}
}

/* ---- the engine ---- */

bool pagecache_op_type(enum op_type t)
{
	switch (t) {
	case OP_READ:
	case OP_WRITE:
	case OP_FSYNC:
	case OP_TRUNCATE:
	case OP_UNLINK:
	case OP_DROP_CACHES:
	case OP_FILEMAP_ADD:
	case OP_FILEMAP_DELETE:
	case OP_DIRTY_FOLIO:
	case OP_WRITEBACK_START:
	case OP_WRITEBACK_WRITTEN:
	case OP_WRITEBACK_INODE_START:
	case OP_WRITEBACK_INODE:
		return true;
	default:
		return false;
	}
}

/* The disk a YAML op names (its `dev`), by name; the first by default. */
static int disk_index(const struct pagecache *pc, const struct op *op,
    char **msg)
{
	int d;

	if (op->disk == NULL)
		return 0;
	for (d = 0; d < pc->nr_disks; d++)
		if (strcmp(pc->disk[d].cfg.name, op->disk) == 0)
			return d;
	xasprintf(msg, "dev '%s' is not a disk of the configuration",
	    op->disk);
	return -1;
}

int pagecache_op(struct pagecache *pc, const struct op *op, int cpu,
    uint64_t *cycles, char **msg)
{
	struct pc_file *fl;
	uint32_t fidx;
	uint64_t ino;
	int d;

	*cycles = 0;
	if (cpu < 0 || cpu >= pc->nr_writers)
		cpu = 0;
	switch (op->type) {
	case OP_READ:
	case OP_WRITE:
	case OP_FSYNC:
	case OP_TRUNCATE:
	case OP_UNLINK:
		if (pc->observe)
			return 0;
		d = disk_index(pc, op, msg);
		if (d < 0)
			return -1;
		ino = kmsim_hash_bytes(op->file, strlen(op->file));
		if (op->type != OP_READ && op->type != OP_WRITE) {
			fl = file_find(pc, (uint32_t)d, ino);
			if (fl == NULL)
				return 0;	/* nothing cached of it */
		} else {
			fl = file_get(pc, (uint32_t)d, ino, d);
		}
		fidx = (uint32_t)(fl - pc->file);
		*cycles += pc->m->cost.c[COST_FILEMAP_LOOKUP];
		switch (op->type) {
		case OP_READ:
			return pc_read(pc, fidx, op->ptr, op->bytes_req, cpu,
			    cycles);
		case OP_WRITE:
			return pc_write(pc, fidx, op->ptr, op->bytes_req, cpu,
			    cycles);
		case OP_FSYNC:
			return pc_fsync(pc, fidx, cycles);
		case OP_TRUNCATE:
			pc_truncate(pc, fidx, op->ptr, cpu, cycles);
			return 0;
		default:	/* OP_UNLINK: iput_final() evicts it all */
			pc_truncate(pc, fidx, 0, cpu, cycles);
			fl = &pc->file[fidx];
			dirty_list_del(pc, fl);
			idtab_remove(&pc->files, idtab_find(&pc->files,
			    fl->key));
			xa_destroy_node(fl->xa.root, fl->xa.height);
			fl->xa.root = NULL;
			fl->xa.height = 0;
			fl->dnext = pc->free_file;
			pc->free_file = fidx;
			return 0;
		}
	case OP_DROP_CACHES:
		if (pc->observe)
			return 0;
		if (op->nr & 1)
			drop_pagecache(pc, cpu, cycles);
		if ((op->nr & 2) && pc->m->shrink_slab != NULL)
			pc->m->shrink_slab(pc->m->shrink_arg, UINT64_MAX,
			    cycles);
		return 0;
	default:
		if (!pc->observe)
			return 0;	/* a YAML trace has no such events */
		return pc_observe(pc, op, cycles);
	}
}

/* ---- life cycle ---- */

struct pagecache *pagecache_create(struct machine *m, struct evq *q,
    const struct config *cfg, bool observe)
{
	struct pagecache *pc = xcalloc(1, sizeof *pc);
	int n, d, r;

	pc->m = m;
	pc->q = q;
	pc->cfg = cfg;
	pc->observe = observe;
	pc->page_shift = m->page_shift;
	pc->free_folio = PC_NIL;
	pc->free_file = PC_NIL;
	idtab_init(&pc->files);
	idtab_init(&pc->inos);
	pc->lru = xcalloc((size_t)m->nr_nodes, sizeof *pc->lru);
	for (n = 0; n < m->nr_nodes; n++)
		pc->lru[n].head[0] = pc->lru[n].head[1] =
		    pc->lru[n].tail[0] = pc->lru[n].tail[1] = PC_NIL;
	pc->nr_writers = m->nr_cpus;
	pc->writer = xcalloc((size_t)m->nr_cpus, sizeof *pc->writer);
	pc->nr_disks = cfg->nr_disks;
	pc->disk = xcalloc((size_t)KMSIM_MAX(cfg->nr_disks, 1),
	    sizeof *pc->disk);
	for (d = 0; d < cfg->nr_disks; d++) {
		struct pc_disk *dk = &pc->disk[d];

		dk->cfg = cfg->disks[d];
		dk->pc = pc;
		dk->slot_free = xcalloc(dk->cfg.queue_depth,
		    sizeof *dk->slot_free);
		dk->dirty_head = dk->dirty_tail = PC_NIL;
		evq_event_init(&dk->flush, on_flush, dk);
		evq_event_init(&dk->timer, on_timer, dk);
		if (!observe && cfg->dirty_writeback_centisecs > 0)
			evq_push(q, &dk->timer, q->now + ns_to_cycles(pc,
			    (uint64_t)cfg->dirty_writeback_centisecs *
			    10000000ull));
	}
	for (r = 0; r < PC_LAT_NR; r++)
		hist_init(&pc->lat[r]);
	pc->dirty_ratelimit = INIT_BW_BYTES >> pc->page_shift;
	pc->balanced_ratelimit = pc->dirty_ratelimit;
	pc->write_bw = INIT_BW_BYTES >> pc->page_shift;
	pc->raw_bw = pc->write_bw;
	pc->bw_time = q->now;
	return pc;
}

void pagecache_stop(struct pagecache *pc)
{
	int d;

	pc->stopped = true;
	for (d = 0; d < pc->nr_disks; d++) {
		evq_cancel(pc->q, &pc->disk[d].timer);
		evq_cancel(pc->q, &pc->disk[d].flush);
	}
}

void pagecache_destroy(struct pagecache *pc)
{
	uint32_t f;
	int d;

	if (pc == NULL)
		return;
	for (d = 0; d < pc->nr_disks; d++) {
		evq_cancel(pc->q, &pc->disk[d].timer);
		evq_cancel(pc->q, &pc->disk[d].flush);
		free(pc->disk[d].slot_free);
	}
	/* I/O still queued: its events are the queue's, freed here */
	while (pc->q->len > 0) {
		struct evq_event *ev = NULL;
		size_t k;

		for (k = 0; k < pc->q->len; k++)
			if (pc->q->heap[k]->fn == on_io_done) {
				ev = pc->q->heap[k];
				break;
			}
		if (ev == NULL)
			break;
		evq_cancel(pc->q, ev);
		free(ev->arg);
	}
	for (f = 0; f < pc->nr_file; f++)
		xa_destroy_node(pc->file[f].xa.root, pc->file[f].xa.height);
	free(pc->file);
	free(pc->folio);
	idtab_fini(&pc->files);
	idtab_fini(&pc->inos);
	free(pc->lru);
	free(pc->disk);
	free(pc->writer);
	free(pc);
}

/* ---- metrics ---- */

int pagecache_values(const struct pagecache *pc, const char **names,
    uint64_t *v, int max)
{
	uint64_t active = 0, inactive = 0, thresh, bg, dirtyable;
	uint64_t reads = 0, writes = 0, busy = 0;
	int n = 0, i;

#define PUT(name, val) do {			\
	if (n < max) {				\
		names[n] = (name);		\
		v[n] = (val);			\
		n++;				\
	}					\
} while (0)
	for (i = 0; i < pc->m->nr_nodes; i++) {
		inactive += pc->lru[i].nr[0];
		active += pc->lru[i].nr[1];
	}
	for (i = 0; i < pc->nr_disks; i++) {
		reads += pc->disk[i].reads;
		writes += pc->disk[i].writes;
		busy += pc->disk[i].busy_cycles;
	}
	pagecache_dirty_limits(pc, &thresh, &bg, &dirtyable);
	PUT("nr_file_pages", pc->nr_pages);
	PUT("nr_dirty", pc->nr_dirty);
	PUT("nr_writeback", pc->nr_writeback);
	PUT("nr_active_file", active);
	PUT("nr_inactive_file", inactive);
	PUT("nr_dirty_threshold", thresh);
	PUT("nr_dirty_background_threshold", bg);
	PUT("nr_dirtyable", dirtyable);
	PUT("pagecache_hits", pc->hits);
	PUT("pagecache_misses", pc->misses);
	PUT("pagecache_read_waits", pc->read_waits);
	PUT("pgpgin_pages", pc->pgpgin);
	PUT("pgpgout_pages", pc->pgpgout);
	PUT("readahead_pages", pc->readahead_pages);
	PUT("pgactivate", pc->pgactivate);
	PUT("pgdeactivate", pc->pgdeactivate);
	PUT("pgrotated", pc->pgrotated);
	PUT("pgrefill", pc->pgrefill);
	PUT("pgscan_file", pc->pgscan);
	PUT("pgsteal_file", pc->pgsteal);
	PUT("nr_vmscan_immediate_reclaim", pc->vmscan_immediate);
	PUT("vmscan_flusher_wakeups", pc->vmscan_wakeups);
	PUT("written_periodic", pc->written[PC_WB_PERIODIC]);
	PUT("written_background", pc->written[PC_WB_BACKGROUND]);
	PUT("written_vmscan", pc->written[PC_WB_VMSCAN]);
	PUT("written_sync", pc->written[PC_WB_FSYNC]);
	PUT("written_other", pc->written[PC_WB_OTHER]);
	PUT("nr_dirtied", pc->dirtied);
	PUT("dirty_throttle_pauses", pc->throttle_pauses);
	PUT("dirty_throttle_ns", pc->throttle_ns);
	PUT("dirty_at_first_throttle", pc->first_throttle_dirty);
	PUT("dirty_at_first_background", pc->first_bg_dirty);
	PUT("dirty_ratelimit_pages_per_s", pc->dirty_ratelimit);
	PUT("write_bandwidth_pages_per_s", pc->write_bw);
	PUT("flusher_runs", pc->flusher_runs);
	PUT("truncated_pages", pc->truncated);
	PUT("drop_caches_pages", pc->dropped);
	PUT("pagecache_alloc_failed", pc->alloc_failed);
	PUT("xa_nodes", pc->xa_nodes);
	PUT("files", pc->files.len);
	PUT("disk_reads", reads);
	PUT("disk_writes", writes);
	PUT("disk_busy_ns", cycles_to_ns(pc, busy));
	PUT("filemap_delete_unknown", pc->obs_delete_unknown);
	PUT("dirty_folio_unknown", pc->obs_dirty_unknown);
	PUT("filemap_add_again", pc->obs_readd);
	PUT("filemap_add_bad", pc->obs_bad);
	PUT("filemap_added_pages", pc->obs_added);
	PUT("filemap_deleted_pages", pc->obs_deleted);
#undef PUT
	return n;
}

const struct hist *pagecache_hist(const struct pagecache *pc, enum pc_hist h)
{
	return &pc->lat[h];
}

const struct pc_writer *pagecache_writers(const struct pagecache *pc, int *n)
{
	*n = pc->nr_writers;
	return pc->writer;
}

/* Walk n's subtree (height h, first index base): every entry a live
 * folio of file fidx covering its index, every dirty mark on a slot
 * with a marked subtree or a dirty folio's head, every count right.
 * Counts the entries into *entries.  0, or -1 with *cause. */
static int xa_check_node(const struct pagecache *pc, uint32_t fidx,
    const struct xa_node *n, unsigned h, uint64_t base, uint64_t *entries,
    char **cause)
{
	uint64_t span = h > 1 ? UINT64_C(1) << ((h - 1) * XA_SHIFT) : 1;
	unsigned used = 0;
	size_t s;

	for (s = 0; s < XA_SLOTS; s++) {
		uint64_t idx = base + s * span;
		bool marked = n->dirty & (UINT64_C(1) << s);
		const struct pc_folio *f;
		uint32_t i;

		if (n->slot[s] == NULL) {
			if (marked)
				return kmsim_fail(cause, "page cache: a dirty "
				    "mark on an empty slot (index %" PRIu64
				    ")", idx);
			continue;
		}
		used++;
		if (h > 1) {
			const struct xa_node *c = n->slot[s];

			if (marked != (c->dirty != 0))
				return kmsim_fail(cause, "page cache: the "
				    "dirty mark above index %" PRIu64 " does "
				    "not match its subtree", idx);
			if (xa_check_node(pc, fidx, c, h - 1, idx, entries,
			    cause) != 0)
				return -1;
			continue;
		}
		(*entries)++;
		i = xa_folio(n->slot[s]);
		f = i < pc->nr_folio ? &pc->folio[i] : NULL;
		if (f == NULL || !(f->flags & FL_LIVE) || f->file != fidx ||
		    idx < f->index ||
		    idx >= f->index + (UINT64_C(1) << f->order))
			return kmsim_fail(cause, "page cache: index %" PRIu64
			    " of a file names folio %" PRIu32 ", which is "
			    "not its folio there", idx, i);
		if (marked != (idx == f->index && (f->flags & FL_DIRTY)))
			return kmsim_fail(cause, "page cache: the dirty mark "
			    "of index %" PRIu64 " says %s, the folio %s",
			    idx, marked ? "dirty" : "clean",
			    (f->flags & FL_DIRTY) ? "dirty" : "clean");
	}
	if (used != n->count)
		return kmsim_fail(cause, "page cache: an index node counts %u "
		    "slots, %u are used", n->count, used);
	return 0;
}

int pagecache_check(const struct pagecache *pc, char **cause)
{
	uint64_t pages = 0, dirty = 0, wb = 0, lru[2] = { 0, 0 };
	uint32_t i, fidx;
	int n, a;

	for (i = 0; i < pc->nr_folio; i++) {
		const struct pc_folio *f = &pc->folio[i];
		const struct pc_file *fl;
		uint64_t k, cnt = UINT64_C(1) << f->order;

		if (!(f->flags & FL_LIVE))
			continue;
		fl = &pc->file[f->file];
		pages += cnt;
		if (f->flags & FL_DIRTY)
			dirty += cnt;
		if (f->flags & FL_WRITEBACK)
			wb += cnt;
		for (k = 0; k < cnt; k++)
			if (xa_load(&fl->xa, f->index + k) != i)
				return kmsim_fail(cause, "page cache: folio %"
				    PRIu32 " (index %" PRIu64 ") is not in its "
				    "file's index", i, f->index + k);
		if (!pc->observe && f->pfn != PFN_NONE &&
		    !(pfn_to_frame(pc->m, f->pfn)->flags & PF_HEAD))
			return kmsim_fail(cause, "page cache: folio %" PRIu32
			    " names pfn %" PRIu32 ", which is not an "
			    "allocated block", i, f->pfn);
	}
	if (pages != pc->nr_pages || dirty != pc->nr_dirty ||
	    wb != pc->nr_writeback)
		return kmsim_fail(cause, "page cache: counters say %" PRIu64
		    " pages, %" PRIu64 " dirty, %" PRIu64 " writeback; the "
		    "folios %" PRIu64 ", %" PRIu64 ", %" PRIu64, pc->nr_pages,
		    pc->nr_dirty, pc->nr_writeback, pages, dirty, wb);
	for (n = 0; n < pc->m->nr_nodes; n++) {
		for (a = 0; a < 2; a++) {
			uint64_t cnt = 0;
			uint32_t prev = PC_NIL;

			for (i = pc->lru[n].head[a]; i != PC_NIL;
			    i = pc->folio[i].next) {
				const struct pc_folio *f = &pc->folio[i];

				if (f->prev != prev || !(f->flags & FL_LRU) ||
				    !!(f->flags & FL_ACTIVE) != a ||
				    f->node != n)
					return kmsim_fail(cause, "page cache: "
					    "node %d's %s list is broken at "
					    "folio %" PRIu32, n,
					    a ? "active" : "inactive", i);
				cnt += UINT64_C(1) << f->order;
				prev = i;
			}
			if (prev != pc->lru[n].tail[a] ||
			    cnt != pc->lru[n].nr[a])
				return kmsim_fail(cause, "page cache: node %d's"
				    " %s list holds %" PRIu64 " pages, its "
				    "count says %" PRIu64, n,
				    a ? "active" : "inactive", cnt,
				    pc->lru[n].nr[a]);
			lru[a] += cnt;
		}
	}
	for (fidx = 0; fidx < pc->nr_file; fidx++) {
		const struct pc_file *fl = &pc->file[fidx];
		uint64_t entries = 0;

		if (fl->xa.root != NULL && xa_check_node(pc, fidx, fl->xa.root,
		    fl->xa.height, 0, &entries, cause) != 0)
			return -1;
		if (entries != fl->nr_pages)
			return kmsim_fail(cause, "page cache: a file's index "
			    "holds %" PRIu64 " pages, its count says %" PRIu64,
			    entries, fl->nr_pages);
		if (fl->nr_dirty > 0 && fl->disk >= 0 && !fl->on_dirty)
			return kmsim_fail(cause, "page cache: a file with %"
			    PRIu64 " dirty pages is not on its disk's dirty "
			    "list", fl->nr_dirty);
	}
	(void)lru;
	return 0;
}
