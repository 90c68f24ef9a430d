/*
 * pagecache.c - the page cache proper (see pagecache.h): files as
 * address spaces, their folios and the index of them, and what the file
 * operations do to them.  What each part models:
 *
 *  - adding and removing folios: mm/filemap.c:filemap_alloc_folio(),
 *    filemap_add_folio(), filemap_remove_folio();
 *  - reads: mm/filemap.c:filemap_read() (readahead in readahead.c);
 *  - writes: mm/filemap.c:generic_perform_write(), block_write_begin()
 *    reading a partly written folio first (throttling in writeback.c);
 *  - fsync: mm/filemap.c:file_write_and_wait_range();
 *  - truncate, unlink, drop_caches: mm/truncate.c:
 *    truncate_inode_pages_range(), invalidate_mapping_pages();
 *  - migration: mm/migrate.c:folio_migrate_mapping() (the folio's pfn);
 *  - a capture's filemap events, kept as books.
 *
 * The index is xarray.c, the LRU and reclaim lru.c, dirty pages and the
 * flusher writeback.c, the disks blkdev.c.
 */
#include "kmsim_config.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/buddy.h"
#include "idtab.h"
#include "kmsim.h"
#include "mm/pagecache.h"
#include "mm/pagecache_internal.h"
#include "mm/writeback.h"

_Static_assert(PC_NIL == XARRAY_NONE, "a file's index holds folio numbers");

const char *const pc_wb_reason_names[PC_WB_NR] = {
	"periodic", "background", "vmscan", "sync", "other"
};
const char *const pc_hist_names[PC_LAT_NR] = {
	"read_hit", "read_miss", "write", "dirty_throttle", "fsync"
};

/*
 * The current task sleeps until `until` (io_schedule_timeout()): the rest
 * of the machine runs meanwhile, so the queue's events up to then are
 * run here (I/O completions, the flusher, kswapd, snapshots).
 */
void pagecache_sleep(struct pagecache *pc, uint64_t until)
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

/* The writer a cpu of the trace is (CPU 0 for one the machine lacks). */
static int pc_cpu(const struct pagecache *pc, int cpu)
{
	return cpu < 0 || cpu >= pc->nr_writers ? 0 : cpu;
}

/* ---- folios and files ---- */

static uint32_t folio_new(struct pagecache *pc)
{
	uint32_t i;

	if (pc->free_folio != PC_NIL) {
		i = pc->free_folio;
		pc->free_folio = FOLIO(pc, i)->next;
	} else {
		if (pc->nr_folio == pc->cap_folio) {
			pc->cap_folio = pc->cap_folio ? pc->cap_folio * 2 : 1024;
			pc->folio = xreallocarray(pc->folio, pc->cap_folio,
			    sizeof *pc->folio);
		}
		i = pc->nr_folio++;
		pc->folio[i].gen = 0;
	}
	FOLIO(pc, i)->prev = FOLIO(pc, i)->next = PC_NIL;
	FOLIO(pc, i)->flags = FL_LIVE;
	return i;
}

/*
 * Take folio i out of the cache (filemap_remove_folio()): off the LRU and
 * the index, counters down, its pages back to the buddy if they are ours.
 */
void pagecache_folio_remove(struct pagecache *pc, uint32_t i, int cpu,
    uint64_t *cycles)
{
	struct pc_folio *f = FOLIO(pc, i);
	struct pc_file *fl = &pc->file[f->file];
	uint64_t n = UINT64_C(1) << f->order, k;

	writeback_folio_clear_dirty(pc, i);
	writeback_folio_end_counts(pc, i);
	lru_del(pc, i);
	for (k = 0; k < n; k++)
		xarray_erase(&fl->xa, f->index + k);
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

struct pc_file *pagecache_file_find(struct pagecache *pc, uint32_t dev,
    uint64_t ino)
{
	struct idtab_entry *e = idtab_find(&pc->files, file_key(dev, ino));

	return e == NULL ? NULL : &pc->file[e->pfn];
}

/* The file (dev, ino), created (its inode read) if new. */
static struct pc_file *file_get(struct pagecache *pc, uint32_t dev,
    uint64_t ino, int disk)
{
	struct pc_file *fl = pagecache_file_find(pc, dev, ino);
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
	xarray_init(&fl->xa, &pc->xa_nodes);
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

/*
 * A folio for index of file fidx (filemap_alloc_folio() +
 * filemap_add_folio() + folio_add_lru()): order at most `order`, falling
 * back to smaller orders as page_cache_ra_order() does.  PC_NIL if the
 * buddy is out.
 */
uint32_t pagecache_folio_alloc(struct pagecache *pc, uint32_t fidx,
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
	f = FOLIO(pc, i);
	fl = &pc->file[fidx];
	f->file = fidx;
	f->index = index;
	f->order = (uint8_t)order;
	f->pfn = (uint32_t)res.pfn;
	f->node = (uint16_t)res.zone->node;
	f->ready = pc->q->now;
	for (k = 0; k < (UINT64_C(1) << order); k++)
		xarray_store(&fl->xa, index + k, i);
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
unsigned pagecache_fit_order(const struct pc_file *fl, uint64_t index,
    uint64_t limit, unsigned max)
{
	unsigned o;
	uint64_t k;

	for (o = max; o > 0; o--) {
		uint64_t n = UINT64_C(1) << o;

		if ((index & (n - 1)) != 0 || index + n > limit)
			continue;
		for (k = 1; k < n; k++)
			if (xarray_load(&fl->xa, index + k) != PC_NIL)
				break;
		if (k == n)
			return o;
	}
	return 0;
}

/* ---- reads ---- */

/* mm/filemap.c:filemap_read() of [off, off + len) of file fidx. */
static void filemap_read(struct pagecache *pc, uint32_t fidx, uint64_t off,
    uint64_t len, int cpu, uint64_t *cycles)
{
	struct pc_file *fl;
	uint64_t first = off >> pc->page_shift;
	uint64_t last = (off + len - 1) >> pc->page_shift;
	uint64_t idx, now = pc->q->now, wait = now;
	uint64_t miss_end = 0;	/* pages below were absent: misses */
	bool missed = false;

	for (idx = first; idx <= last; ) {
		struct pc_folio *f;
		uint64_t fs, fe;
		uint32_t i;

		fl = &pc->file[fidx];
		i = xarray_load(&fl->xa, idx);
		*cycles += pc->m->cost.c[COST_FILEMAP_LOOKUP];
		if (i == PC_NIL) {
			uint64_t ready;

			missed = true;
			ready = readahead_sync(pc, fidx, idx, last - idx + 1,
			    cpu, cycles, &miss_end);
			fl = &pc->file[fidx];
			i = xarray_load(&fl->xa, idx);
			if (i == PC_NIL) {
				/* no memory for even one page: -ENOMEM */
				pc->misses += last - idx + 1;
				break;
			}
			if (ready > wait)
				wait = ready;
		} else if (FOLIO(pc, i)->flags & FL_READAHEAD) {
			readahead_async(pc, fidx, i, cpu, cycles);
			fl = &pc->file[fidx];
		}
		i = xarray_load(&fl->xa, idx);
		if (i == PC_NIL)
			break;
		f = FOLIO(pc, i);
		/* the requested pages of the folio: misses if this read
		 * brought them in, else hits (waiting if still being read:
		 * filemap_update_page()) */
		fs = KMSIM_MAX(f->index, first);
		fe = KMSIM_MIN(f->index + (UINT64_C(1) << f->order), last + 1);
		if (f->index < miss_end) {
			pc->misses += fe - fs;
		} else {
			pc->hits += fe - fs;
			if (f->flags & FL_LOCKED) {
				missed = true;
				pc->read_waits += fe - fs;
			}
		}
		if ((f->flags & FL_LOCKED) && f->ready > wait)
			wait = f->ready;
		/* filemap_read(): a folio already touched by the previous
		 * read (the same position) is not marked again */
		if (fl->prev_index == 0 || f->index + (UINT64_C(1) <<
		    f->order) <= fl->prev_index - 1 ||
		    f->index > fl->prev_index - 1)
			lru_mark_accessed(pc, i);
		*cycles += pc->m->cost.c[COST_COPY_PAGE] << f->order;
		idx = f->index + (UINT64_C(1) << f->order);
	}
	fl = &pc->file[fidx];
	fl->prev_index = last + 1;
	if (wait > now) {
		/* folio_wait_locked(): the reader sleeps for its I/O */
		pagecache_sleep(pc, wait);
		*cycles += wait - now;
	}
	hist_record(&pc->lat[missed ? PC_LAT_READ_MISS : PC_LAT_READ_HIT],
	    *cycles);
}

/* ---- writes, fsync, truncate ---- */

/* mm/filemap.c:generic_perform_write() of [off, off + len). */
static void filemap_write(struct pagecache *pc, uint32_t fidx, uint64_t off,
    uint64_t len, int cpu, uint64_t *cycles)
{
	struct pc_disk *d = &pc->disk[pc->file[fidx].disk];
	uint64_t first = off >> pc->page_shift;
	uint64_t last = (off + len - 1) >> pc->page_shift, idx, now = pc->q->now;
	uint64_t wait = now, dirtied = 0;

	for (idx = first; idx <= last; ) {
		struct pc_file *fl = &pc->file[fidx];
		uint32_t i = xarray_load(&fl->xa, idx);
		struct pc_folio *f;

		*cycles += pc->m->cost.c[COST_FILEMAP_LOOKUP];
		if (i == PC_NIL) {
			unsigned o = pagecache_fit_order(fl, idx, last + 1,
			    d->bdev.cfg.max_folio_order);
			uint64_t fstart = idx << pc->page_shift;
			uint64_t fend = (idx + (UINT64_C(1) << o)) <<
			    pc->page_shift;

			if ((off > fstart || off + len < fend) &&
			    fstart < fl->size) {
				/* block_write_begin(): a partial write of
				 * data on disk reads the folio first */
				uint64_t r = readahead_unbounded(pc, fidx, idx,
				    UINT64_C(1), UINT64_MAX, idx, cpu, cycles);

				if (r > wait)
					wait = r;
				pc->misses++;
				fl = &pc->file[fidx];
				i = xarray_load(&fl->xa, idx);
			} else {
				i = pagecache_folio_alloc(pc, fidx, idx, o, cpu,
				    cycles);
			}
			if (i == PC_NIL)
				break;	/* -ENOMEM: a short write */
		} else if (FOLIO(pc, i)->flags & FL_LOCKED) {
			if (FOLIO(pc, i)->ready > wait)
				wait = FOLIO(pc, i)->ready;
		}
		f = FOLIO(pc, i);
		if (!(f->flags & FL_DIRTY)) {
			writeback_folio_mark_dirty(pc, i);
			dirtied += UINT64_C(1) << f->order;
			*cycles += pc->m->cost.c[COST_DIRTY_FOLIO];
		}
		*cycles += pc->m->cost.c[COST_COPY_PAGE] << f->order;
		idx = f->index + (UINT64_C(1) << f->order);
		/* generic_perform_write(): balance_dirty_pages_ratelimited()
		 * after each folio */
		*cycles += writeback_balance_ratelimited(pc, cpu, dirtied);
		dirtied = 0;
	}
	{
		struct pc_file *fl = &pc->file[fidx];

		if (off + len > fl->size)
			fl->size = off + len;
	}
	if (wait > now) {
		pagecache_sleep(pc, wait);
		*cycles += wait - now;
	}
	hist_record(&pc->lat[PC_LAT_WRITE], *cycles);
}

/* vfs_fsync() -> file_write_and_wait_range(): write every dirty page,
 * wait for all its writeback, then the device's cache flush. */
static void filemap_fsync(struct pagecache *pc, uint32_t fidx,
    uint64_t *cycles)
{
	struct pc_file *fl = &pc->file[fidx];
	struct pc_disk *d = &pc->disk[fl->disk];
	uint64_t now = pc->q->now, done = now, idx = 0;
	uint32_t i;

	fl->wb_index = 0;
	while (pc->file[fidx].nr_dirty > 0)
		if (writeback_file(pc, fidx, UINT64_MAX, PC_WB_FSYNC, &done,
		    cycles) == 0)
			break;
	fl = &pc->file[fidx];
	/* wait for writeback already in flight too */
	idx = 0;
	while (fl->nr_writeback > 0 &&
	    (i = xarray_find(&fl->xa, &idx, false)) != PC_NIL) {
		if (FOLIO(pc, i)->flags & FL_WRITEBACK)
			done = KMSIM_MAX(done, FOLIO(pc, i)->ready);
		idx = FOLIO(pc, i)->index +
		    (UINT64_C(1) << FOLIO(pc, i)->order);
	}
	/* REQ_PREFLUSH: one more round trip to the device */
	done += machine_ns_to_cycles(pc->m, d->bdev.cfg.latency_ns);
	pagecache_sleep(pc, done);
	*cycles += done - now;
	hist_record(&pc->lat[PC_LAT_FSYNC], *cycles);
}

/* truncate_inode_pages_range() from byte `from`: folios wholly past it
 * go (waiting for their writeback), dirty ones without being written. */
static void truncate_range(struct pagecache *pc, uint32_t fidx,
    uint64_t from, int cpu, uint64_t *cycles)
{
	uint64_t ps = UINT64_C(1) << pc->page_shift;
	uint64_t idx = (from + ps - 1) >> pc->page_shift, now = pc->q->now;
	uint64_t wait = now;
	uint32_t i;

	while ((i = xarray_find(&pc->file[fidx].xa, &idx, false)) != PC_NIL) {
		struct pc_folio *f = FOLIO(pc, i);

		if ((f->flags & (FL_WRITEBACK | FL_LOCKED)) && f->ready > wait)
			wait = f->ready;
		idx = f->index + (UINT64_C(1) << f->order);
		pc->truncated += UINT64_C(1) << f->order;
		pagecache_folio_remove(pc, i, cpu, cycles);
		*cycles += pc->m->cost.c[COST_LRU_OP];
	}
	if (pc->file[fidx].size > from)
		pc->file[fidx].size = from;
	if (wait > now) {
		/* folio_wait_writeback() of what was in flight */
		pagecache_sleep(pc, wait);
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

		while ((i = xarray_find(&pc->file[fidx].xa, &idx, false)) !=
		    PC_NIL) {
			struct pc_folio *f = FOLIO(pc, i);

			idx = f->index + (UINT64_C(1) << f->order);
			if (f->flags & (FL_DIRTY | FL_WRITEBACK | FL_LOCKED))
				continue;
			got += UINT64_C(1) << f->order;
			pagecache_folio_remove(pc, i, cpu, cycles);
		}
	}
	pc->dropped += got;
	return got;
}

/* ---- the file operations ---- */

bool pagecache_observed(const struct pagecache *pc)
{
	return pc->observe;
}

int pagecache_disk_index(const struct pagecache *pc, const char *name)
{
	int d;

	for (d = 0; d < pc->nr_disks; d++)
		if (strcmp(pc->disk[d].bdev.cfg.name, name) == 0)
			return d;
	return -1;
}

/* The file (disk, ino) of a modelled op, created if `create`; NULL if
 * it is not there, or the engine observes. */
static struct pc_file *file_op(struct pagecache *pc, int disk, uint64_t ino,
    bool create)
{
	if (pc->observe)
		return NULL;
	assert(disk >= 0 && disk < KMSIM_MAX(pc->nr_disks, 1));
	if (create)
		return file_get(pc, (uint32_t)disk, ino, disk);
	return pagecache_file_find(pc, (uint32_t)disk, ino);
}

void pagecache_read(struct pagecache *pc, int disk, uint64_t ino,
    uint64_t off, uint64_t len, int cpu, uint64_t *cycles)
{
	struct pc_file *fl = file_op(pc, disk, ino, true);
	uint64_t c = pc->m->cost.c[COST_FILEMAP_LOOKUP];

	if (fl == NULL)
		return;
	filemap_read(pc, (uint32_t)(fl - pc->file), off, len, pc_cpu(pc, cpu),
	    &c);
	*cycles += c;
}

void pagecache_write(struct pagecache *pc, int disk, uint64_t ino,
    uint64_t off, uint64_t len, int cpu, uint64_t *cycles)
{
	struct pc_file *fl = file_op(pc, disk, ino, true);
	uint64_t c = pc->m->cost.c[COST_FILEMAP_LOOKUP];

	if (fl == NULL)
		return;
	filemap_write(pc, (uint32_t)(fl - pc->file), off, len,
	    pc_cpu(pc, cpu), &c);
	*cycles += c;
}

void pagecache_fsync(struct pagecache *pc, int disk, uint64_t ino, int cpu,
    uint64_t *cycles)
{
	struct pc_file *fl = file_op(pc, disk, ino, false);
	uint64_t c = pc->m->cost.c[COST_FILEMAP_LOOKUP];

	(void)cpu;
	if (fl == NULL)
		return;		/* nothing cached of it */
	filemap_fsync(pc, (uint32_t)(fl - pc->file), &c);
	*cycles += c;
}

void pagecache_truncate(struct pagecache *pc, int disk, uint64_t ino,
    uint64_t size, int cpu, uint64_t *cycles)
{
	struct pc_file *fl = file_op(pc, disk, ino, false);

	if (fl == NULL)
		return;
	*cycles += pc->m->cost.c[COST_FILEMAP_LOOKUP];
	truncate_range(pc, (uint32_t)(fl - pc->file), size, pc_cpu(pc, cpu),
	    cycles);
}

void pagecache_unlink(struct pagecache *pc, int disk, uint64_t ino, int cpu,
    uint64_t *cycles)
{
	struct pc_file *fl = file_op(pc, disk, ino, false);
	uint32_t fidx;

	if (fl == NULL)
		return;
	fidx = (uint32_t)(fl - pc->file);
	*cycles += pc->m->cost.c[COST_FILEMAP_LOOKUP];
	/* iput_final() -> evict(): truncate_inode_pages_final() */
	truncate_range(pc, fidx, 0, pc_cpu(pc, cpu), cycles);
	fl = &pc->file[fidx];
	writeback_dirty_list_del(pc, fl);
	idtab_remove(&pc->files, idtab_find(&pc->files, fl->key));
	xarray_destroy(&fl->xa);
	fl->dnext = pc->free_file;
	pc->free_file = fidx;
}

void pagecache_drop_caches(struct pagecache *pc, unsigned what, int cpu,
    uint64_t *cycles)
{
	if (pc->observe)
		return;
	if (what & 1)
		drop_pagecache(pc, pc_cpu(pc, cpu), cycles);
	if ((what & 2) && pc->m->shrink_slab != NULL)
		pc->m->shrink_slab(pc->m->shrink_arg, UINT64_MAX, cycles);
}

/* ---- a capture's filemap events ---- */

void pagecache_filemap_add(struct pagecache *pc, uint32_t dev, uint64_t ino,
    uint64_t index, unsigned order, uint64_t pfn, uint64_t *cycles)
{
	struct pc_file *fl;
	struct zone *z;
	uint32_t i, fidx;
	uint64_t k, n;

	if (!pc->observe)
		return;
	/* a folio is at most a buddy block, and its pages must be
	 * indexable: anything else is not a kernel's event */
	if (order > pc->m->max_order ||
	    index > UINT64_MAX - (UINT64_C(1) << order)) {
		pc->obs_bad++;
		return;
	}
	fl = file_get(pc, dev, ino, -1);
	fidx = (uint32_t)(fl - pc->file);
	if ((i = xarray_load(&fl->xa, index)) != PC_NIL) {
		/* its delete was never seen */
		pc->obs_readd++;
		pagecache_folio_remove(pc, i, 0, cycles);
	}
	n = UINT64_C(1) << order;
	pc->obs_added += n;
	for (k = 1; k < n; k++)
		if ((i = xarray_load(&pc->file[fidx].xa, index + k)) !=
		    PC_NIL) {
			pc->obs_readd++;
			pagecache_folio_remove(pc, i, 0, cycles);
		}
	i = folio_new(pc);
	fl = &pc->file[fidx];
	FOLIO(pc, i)->file = fidx;
	FOLIO(pc, i)->index = index;
	FOLIO(pc, i)->order = (uint8_t)order;
	FOLIO(pc, i)->pfn = PFN_NONE;
	z = pfn != NO_PFN && pfn < pc->m->max_pfn ?
	    machine_pfn_zone(pc->m, pfn) : NULL;
	FOLIO(pc, i)->node = (uint16_t)(z != NULL ? z->node : 0);
	FOLIO(pc, i)->ready = pc->q->now;
	for (k = 0; k < n; k++)
		xarray_store(&fl->xa, index + k, i);
	fl->nr_pages += n;
	pc->nr_pages += n;
	lru_add(pc, i, false);
}

void pagecache_filemap_delete(struct pagecache *pc, uint32_t dev,
    uint64_t ino, uint64_t index, unsigned order, uint64_t *cycles)
{
	struct pc_file *fl;
	uint32_t i;

	if (!pc->observe)
		return;
	if (order <= pc->m->max_order)
		pc->obs_deleted += UINT64_C(1) << order;
	fl = pagecache_file_find(pc, dev, ino);
	if (fl == NULL || (i = xarray_load(&fl->xa, index)) == PC_NIL) {
		pc->obs_delete_unknown++;
		return;
	}
	pagecache_folio_remove(pc, i, 0, cycles);
}

/* ---- reclaim and compaction ---- */

uint64_t pagecache_shrink(struct pagecache *pc, int node, uint64_t want,
    bool kswapd, uint64_t *cycles)
{
	return lru_shrink(pc, node, want, kswapd, cycles);
}

bool pagecache_migrate(struct pagecache *pc, uint64_t old_pfn,
    uint64_t new_pfn)
{
	uint32_t i = pfn_to_frame(pc->m, old_pfn)->private;
	struct pc_folio *f;

	if (i >= pc->nr_folio)
		return false;
	f = FOLIO(pc, i);
	if (!(f->flags & FL_LIVE) || f->pfn != old_pfn)
		return false;
	f->pfn = (uint32_t)new_pfn;
	pfn_to_frame(pc->m, new_pfn)->private = i;
	return true;
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
		blkdev_init(&pc->disk[d].bdev, &cfg->disks[d]);
		writeback_disk_init(pc, &pc->disk[d]);
	}
	for (r = 0; r < PC_LAT_NR; r++)
		hist_init(&pc->lat[r]);
	writeback_init(pc);
	return pc;
}

void pagecache_stop(struct pagecache *pc)
{
	writeback_stop(pc);
}

void pagecache_destroy(struct pagecache *pc)
{
	uint32_t f;
	int d;

	if (pc == NULL)
		return;
	for (d = 0; d < pc->nr_disks; d++) {
		writeback_disk_fini(pc, &pc->disk[d]);
		blkdev_fini(&pc->disk[d].bdev);
	}
	/* I/O still queued: its events are the queue's, freed here */
	blkdev_io_cancel_all(pc->q);
	for (f = 0; f < pc->nr_file; f++)
		xarray_destroy(&pc->file[f].xa);
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
		reads += pc->disk[i].bdev.reads;
		writes += pc->disk[i].bdev.writes;
		busy += pc->disk[i].bdev.busy_cycles;
	}
	writeback_dirty_limits(pc, &thresh, &bg, &dirtyable);
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
	PUT("disk_busy_ns", machine_cycles_to_ns(pc->m, busy));
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

struct check_file {
	const struct pagecache *pc;
	uint32_t fidx;
};

/* An entry of file fidx's index: a live folio of the file covering the
 * index, marked at its head if dirty and nowhere else. */
static int check_entry(void *arg, uint64_t idx, uint32_t i, bool marked,
    char **cause)
{
	const struct check_file *c = arg;
	const struct pagecache *pc = c->pc;
	const struct pc_folio *f = i < pc->nr_folio ? &pc->folio[i] : NULL;

	if (f == NULL || !(f->flags & FL_LIVE) || f->file != c->fidx ||
	    idx < f->index || idx >= f->index + (UINT64_C(1) << f->order))
		return kmsim_fail(cause, "page cache: index %" PRIu64 " of a "
		    "file names folio %" PRIu32 ", which is not its folio "
		    "there", idx, i);
	if (marked != (idx == f->index && (f->flags & FL_DIRTY)))
		return kmsim_fail(cause, "page cache: the dirty mark of index %"
		    PRIu64 " says %s, the folio %s", idx,
		    marked ? "dirty" : "clean",
		    (f->flags & FL_DIRTY) ? "dirty" : "clean");
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
			if (xarray_load(&fl->xa, f->index + k) != i)
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
		struct check_file c = { pc, fidx };
		uint64_t entries = 0;

		if (xarray_check(&fl->xa, "page cache", "dirty", check_entry,
		    &c, &entries, cause) != 0)
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
