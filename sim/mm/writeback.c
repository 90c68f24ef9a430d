/*
 * writeback.c - dirty pages and writing them back (see writeback.h):
 *
 *  - dirty accounting: mm/page-writeback.c:__folio_mark_dirty() and
 *    folio_clear_dirty_for_io(), fs/fs-writeback.c:__mark_inode_dirty()
 *    (an inode joins its disk's b_dirty list, oldest first);
 *  - dirty limits and throttling: mm/page-writeback.c:
 *    global_dirtyable_memory(), domain_dirty_limits(),
 *    balance_dirty_pages() with pos_ratio_polynom(), wb_max_pause(),
 *    wb_min_pause(), dirty_poll_interval(), wb_update_write_bandwidth()
 *    and wb_update_dirty_ratelimit() (simplified);
 *  - the flusher: fs/fs-writeback.c:wb_workfn() -> wb_do_writeback():
 *    work items from reclaim (wakeup_flusher_threads(WB_REASON_VMSCAN)),
 *    background writeback while over the background threshold
 *    (wb_check_background_flush()), kupdate writeback of inodes dirtied
 *    more than dirty_expire_centisecs ago (wb_check_old_data_flush()),
 *    and the dirty_writeback_centisecs timer; the pages of an inode
 *    written as write_cache_pages() does;
 *  - end of writeback: mm/filemap.c:folio_end_writeback().
 */
#include "kmsim_config.h"

#include "kmsim.h"
#include "mm/pagecache_internal.h"
#include "mm/writeback.h"

/* fs/fs-writeback.c:MIN_WRITEBACK_PAGES (4 MiB of 4 KiB pages) */
#define WB_CHUNK_PAGES		1024
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

static uint64_t ns_to_cycles(const struct pagecache *pc, uint64_t ns)
{
	return machine_ns_to_cycles(pc->m, ns);
}

static uint64_t cycles_to_ns(const struct pagecache *pc, uint64_t c)
{
	return machine_cycles_to_ns(pc->m, c);
}

/* ---- dirty accounting ---- */

void writeback_dirty_list_del(struct pagecache *pc, struct pc_file *fl)
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
void writeback_folio_mark_dirty(struct pagecache *pc, uint32_t i)
{
	struct pc_folio *f = FOLIO(pc, i);
	struct pc_file *fl = &pc->file[f->file];
	uint64_t n = UINT64_C(1) << f->order;

	if (f->flags & FL_DIRTY)
		return;
	f->flags |= FL_DIRTY;
	xarray_mark(&fl->xa, f->index, true);
	fl->nr_dirty += n;
	pc->nr_dirty += n;
	pc->dirtied += n;
	if (!fl->on_dirty) {
		fl->dirtied_when = pc->q->now;
		dirty_list_add(pc, fl);
	}
}

/* folio_clear_dirty_for_io(), or a dirty folio cancelled (truncated);
 * a file with no dirty page left leaves b_dirty. */
void writeback_folio_clear_dirty(struct pagecache *pc, uint32_t i)
{
	struct pc_folio *f = FOLIO(pc, i);
	struct pc_file *fl = &pc->file[f->file];
	uint64_t n = UINT64_C(1) << f->order;

	if (!(f->flags & FL_DIRTY))
		return;
	f->flags &= (uint16_t)~FL_DIRTY;
	xarray_mark(&fl->xa, f->index, false);
	fl->nr_dirty -= n;
	pc->nr_dirty -= n;
	if (fl->nr_dirty == 0)
		writeback_dirty_list_del(pc, fl);
}

/* The counters of __folio_end_writeback(). */
void writeback_folio_end_counts(struct pagecache *pc, uint32_t i)
{
	struct pc_folio *f = FOLIO(pc, i);
	uint64_t n = UINT64_C(1) << f->order;

	if (!(f->flags & FL_WRITEBACK))
		return;
	f->flags &= (uint16_t)~FL_WRITEBACK;
	pc->file[f->file].nr_writeback -= n;
	pc->nr_writeback -= n;
}

/* mm/filemap.c:folio_end_writeback(): written for `reason`; a folio
 * reclaim had marked goes to the tail of the inactive list
 * (folio_rotate_reclaimable()). */
void writeback_folio_end(struct pagecache *pc, uint32_t i, int reason)
{
	struct pc_folio *f = FOLIO(pc, i);

	pc->written[reason] += UINT64_C(1) << f->order;
	writeback_folio_end_counts(pc, i);
	lru_rotate_reclaimable(pc, i);
	f->flags &= (uint16_t)~FL_RECLAIM;
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
				max_res = KMSIM_MAX(max_res,
				    z->lowmem_reserve[j]);
			/* calculate_totalreserve_pages() */
			reserve += KMSIM_MIN(max_res + z->watermark[WMARK_HIGH],
			    z->managed_pages);
		}
		lru += pc->lru[n].nr[0] + pc->lru[n].nr[1];
	}
	free = free > reserve ? free - reserve : 0;
	return free + lru;
}

void writeback_dirty_limits(const struct pagecache *pc, uint64_t *thresh,
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
		return UINT64_C(1) << (kmsim_ilog2(thresh - dirty) >> 1);
	return 1;
}

/* wb_wakeup(): the flusher of d runs at `when` (or earlier, if already
 * due earlier). */
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
 * wb_min_pause(): the shortest pause worth sleeping (jiffies) and, in
 * *pages, how many pages the writer may dirty before the next check: a
 * ~10 ms target pause at the dirty rate limit, at least DIRTY_POLL_THRESH
 * pages between checks, never a pause above max_pause.
 */
static int64_t wb_min_pause(const struct pagecache *pc, int64_t max_pause,
    uint64_t task_rl, uint64_t *pages)
{
	int64_t hi = (int64_t)kmsim_ilog2(KMSIM_MAX(pc->write_bw,
	    UINT64_C(1)));
	int64_t lo = (int64_t)kmsim_ilog2(KMSIM_MAX(pc->dirty_ratelimit,
	    UINT64_C(1)));
	int64_t t = KMSIM_MAX(1, PC_HZ / 100), pause;
	uint64_t n, hz2 = pc_roundup_pow2(PC_HZ);

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

/*
 * One round of balance_dirty_pages() for the writer of cpu: the cycles
 * it is to pause (0: none), *again if it must look again after it.
 */
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
	writeback_dirty_limits(pc, &thresh, &bg, NULL);
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
	    pc_roundup_pow2(1 + PC_HZ / 8)) + 1);
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
			pause -= ((int64_t)now -
			    (int64_t)w->dirty_paused_when) / (int64_t)jiffy;
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
 * balance_dirty_pages() for one writer: below the freerun ceiling
 * ((thresh + bg) / 2) nobody waits; above, the pause follows pos_ratio,
 * 1 + ((setpoint - dirty) / (limit - setpoint))^3, scaling the dirty
 * rate limit; at the limit the writer sleeps the longest pause (200 ms)
 * and tries again until the flusher has brought the dirty pages under
 * the limit.  The writer really sleeps: the queue runs on meanwhile
 * (pagecache_sleep()).  Returns the cycles slept.
 */
static uint64_t balance_dirty_pages(struct pagecache *pc, int cpu)
{
	uint64_t start = pc->q->now;
	bool again = true;
	int rounds;

	/* a writer that can never get under the limit (nothing to write
	 * back) gives up after 10 minutes of pauses, as a hung task would
	 * be noticed */
	for (rounds = 0; again && rounds < 3000; rounds++) {
		uint64_t p = balance_dirty_pages_once(pc, cpu, &again);

		if (p == 0)
			break;
		pagecache_sleep(pc, pc->q->now + p);
	}
	return pc->q->now - start;
}

/* balance_dirty_pages_ratelimited(): the writer of cpu dirtied `dirtied`
 * more pages; the cycles it was throttled. */
uint64_t writeback_balance_ratelimited(struct pagecache *pc, int cpu,
    uint64_t dirtied)
{
	struct pc_writer *w = &pc->writer[cpu];

	w->pages_dirtied += dirtied;
	w->nr_dirtied += dirtied;
	if (w->nr_dirtied_pause == 0)
		w->nr_dirtied_pause = 32;	/* 128 KiB */
	if (w->nr_dirtied >= w->nr_dirtied_pause)
		return balance_dirty_pages(pc, cpu);
	return 0;
}

/* ---- writing back ---- */

/*
 * Write up to `budget` dirty pages of file fidx from its writeback_index
 * on (write_cache_pages(): tagged dirty folios, cyclic), one I/O per run
 * of contiguous folios.  Returns the pages submitted; *done the latest
 * completion.
 */
uint64_t writeback_file(struct pagecache *pc, uint32_t fidx, uint64_t budget,
    int reason, uint64_t *done, uint64_t *cycles)
{
	struct pc_file *fl = &pc->file[fidx];
	uint64_t idx = fl->wb_index, sent = 0, io_pages = 0, next = 0;
	bool wrapped = fl->wb_index == 0;
	struct pc_io *io = NULL;
	uint32_t i;

	while (sent < budget && fl->nr_dirty > 0) {
		i = xarray_find(&fl->xa, &idx, true);
		if (i == PC_NIL) {
			if (wrapped)
				break;
			wrapped = true;
			idx = 0;
			continue;
		}
		if (io != NULL && (idx != next || io_pages >= IO_MAX_PAGES)) {
			*done = KMSIM_MAX(*done, blkdev_io_submit(pc, io,
			    io_pages, cycles));
			io = NULL;
		}
		if (io == NULL) {
			io = blkdev_io_new(pc, fl->disk, true, reason,
			    IO_MAX_PAGES);
			io_pages = 0;
		}
		writeback_folio_clear_dirty(pc, i);
		FOLIO(pc, i)->flags |= FL_WRITEBACK;
		fl->nr_writeback += UINT64_C(1) << FOLIO(pc, i)->order;
		pc->nr_writeback += UINT64_C(1) << FOLIO(pc, i)->order;
		blkdev_io_add(io, pc, i);
		io_pages += UINT64_C(1) << FOLIO(pc, i)->order;
		sent += UINT64_C(1) << FOLIO(pc, i)->order;
		idx = FOLIO(pc, i)->index +
		    (UINT64_C(1) << FOLIO(pc, i)->order);
		next = idx;
		fl->wb_index = idx;
	}
	if (io != NULL)
		*done = KMSIM_MAX(*done, blkdev_io_submit(pc, io, io_pages,
		    cycles));
	if (fl->nr_dirty == 0)
		fl->wb_index = 0;
	return sent;
}

static bool over_bg_thresh(const struct pagecache *pc)
{
	uint64_t thresh, bg;

	writeback_dirty_limits(pc, &thresh, &bg, NULL);
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

		if (blkdev_slot_time(&d->bdev) > now) {
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
		n = writeback_file(pc, fidx, KMSIM_MIN(budget, WB_CHUNK_PAGES),
		    reason, &done, &cycles);
		budget -= KMSIM_MIN(budget, n);
		if (reason == PC_WB_VMSCAN)
			d->vmscan_pages -= KMSIM_MIN(d->vmscan_pages, n);
		fl = &pc->file[fidx];
		if (fl->on_dirty && fl->dnext != PC_NIL) {
			/* requeue_io(): the rest of it after the others,
			 * its dirtied_when kept */
			writeback_dirty_list_del(pc, fl);
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
		flusher_kick(pc, d, KMSIM_MAX(blkdev_slot_time(&d->bdev),
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

/* wakeup_flusher_threads(WB_REASON_VMSCAN): every disk writes all its
 * dirty pages. */
void writeback_wakeup_flusher(struct pagecache *pc)
{
	int dsk;

	for (dsk = 0; dsk < pc->nr_disks; dsk++) {
		struct pc_disk *d = &pc->disk[dsk];

		if (d->dirty_head == PC_NIL)
			continue;
		d->vmscan_pages = pc->nr_dirty;
		flusher_kick(pc, d, pc->q->now);
	}
}

/* ---- life cycle ---- */

/* The global domain's bandwidth and rate limit start at INIT_BW. */
void writeback_init(struct pagecache *pc)
{
	pc->dirty_ratelimit = INIT_BW_BYTES >> pc->page_shift;
	pc->balanced_ratelimit = pc->dirty_ratelimit;
	pc->write_bw = INIT_BW_BYTES >> pc->page_shift;
	pc->raw_bw = pc->write_bw;
	pc->bw_time = pc->q->now;
}

/* A disk's bdi_writeback: its flusher, and (modelled) its timer. */
void writeback_disk_init(struct pagecache *pc, struct pc_disk *d)
{
	d->pc = pc;
	d->dirty_head = d->dirty_tail = PC_NIL;
	evq_event_init(&d->flush, on_flush, d);
	evq_event_init(&d->timer, on_timer, d);
	if (!pc->observe && pc->cfg->dirty_writeback_centisecs > 0)
		evq_push(pc->q, &d->timer, pc->q->now + ns_to_cycles(pc,
		    (uint64_t)pc->cfg->dirty_writeback_centisecs *
		    10000000ull));
}

void writeback_disk_fini(struct pagecache *pc, struct pc_disk *d)
{
	evq_cancel(pc->q, &d->timer);
	evq_cancel(pc->q, &d->flush);
}

/* The trace has ended: the timers stop, the flushers are not due. */
void writeback_stop(struct pagecache *pc)
{
	int d;

	pc->stopped = true;
	for (d = 0; d < pc->nr_disks; d++)
		writeback_disk_fini(pc, &pc->disk[d]);
}

/* ---- a capture's writeback events ---- */

/* The file of a writeback event: by (dev, ino), else by ino alone. */
static struct pc_file *obs_file(struct pagecache *pc, uint32_t dev,
    uint64_t ino)
{
	struct pc_file *fl = pagecache_file_find(pc, dev, ino);
	struct idtab_entry *e;

	if (fl != NULL)
		return fl;
	e = idtab_find(&pc->inos, kmsim_hash_u64(ino));
	return e == NULL ? NULL : &pc->file[e->pfn];
}

void writeback_observe_dirty(struct pagecache *pc, uint32_t dev,
    uint64_t ino, uint64_t index)
{
	struct pc_file *fl;
	uint32_t i;

	if (!pc->observe)
		return;
	fl = obs_file(pc, dev, ino);
	if (fl == NULL || (i = xarray_load(&fl->xa, index)) == PC_NIL) {
		pc->obs_dirty_unknown++;
		return;
	}
	writeback_folio_mark_dirty(pc, i);
}

void writeback_observe_work(struct pagecache *pc, uint32_t dev,
    enum pc_wb_reason reason)
{
	if (!pc->observe)
		return;
	pc->last_reason[dev & 15] = reason;
}

/* The kernel wrote `nr` pages of the inode from its writeback_index:
 * as many dirty folios become clean. */
void writeback_observe_inode(struct pagecache *pc, uint32_t dev,
    uint64_t ino, uint64_t index, uint64_t nr)
{
	uint64_t idx = index, left = nr, n;
	int reason;
	bool wrapped = false;
	struct pc_file *fl;
	uint32_t i;

	if (!pc->observe)
		return;
	reason = pc->last_reason[dev & 15];
	fl = obs_file(pc, dev, ino);
	if (fl == NULL)
		return;
	while (left > 0 && fl->nr_dirty > 0) {
		i = xarray_find(&fl->xa, &idx, true);
		if (i == PC_NIL) {
			if (wrapped)
				break;
			wrapped = true;
			idx = 0;
			continue;
		}
		n = UINT64_C(1) << FOLIO(pc, i)->order;
		writeback_folio_clear_dirty(pc, i);
		pc->written[reason] += n;
		pc->pgpgout += n;
		left -= KMSIM_MIN(left, n);
		idx = FOLIO(pc, i)->index + n;
	}
}
