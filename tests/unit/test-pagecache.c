/*
 * test-pagecache.c - the page cache: hits and misses of a known access
 * sequence with readahead worked out by hand from mm/readahead.c, the
 * two-touch activation, the dirty limits and where throttling starts
 * for a given memory size, the flusher writing expired inodes at the
 * timer ticks after dirty_expire_centisecs, reclaim freeing clean
 * inactive folios first, truncate/fsync, the index against a reference,
 * and the books a capture's events keep.
 */
#include "mkmachine.h"
#include "mm/pagecache.h"
#include "mm/writeback.h"
#include "ops/op_file.h"
#include "tap.h"

#define SEC (UINT64_C(1000000000))
#define PAGE 4096

struct env {
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m;
	struct evq q;
	struct pagecache *pc;
};

static uint64_t shrink_lru(void *arg, int node, uint64_t want, bool kswapd,
    uint64_t *cycles)
{
	return pagecache_shrink(arg, node, want, kswapd, cycles);
}

/* One node of mem bytes (cpu_mhz 1000: a cycle is a nanosecond). */
static void env_init(struct env *e, uint64_t mem)
{
	memset(e, 0, sizeof *e);
	mk_config(&e->cfg, e->nodes, 1, mem, 0, 0);
}

static int env_start(struct env *e, bool observe)
{
	e->m = machine_create(&e->cfg, NULL);
	if (e->m == NULL)
		return -1;
	evq_init(&e->q);
	e->pc = pagecache_create(e->m, &e->q, &e->cfg, observe);
	if (!observe) {
		e->m->shrink_lru = shrink_lru;
		e->m->lru_arg = e->pc;
	}
	return 0;
}

static void env_fini(struct env *e)
{
	pagecache_destroy(e->pc);
	evq_fini(&e->q);
	machine_destroy(e->m);
}

/* Run the queue up to time t (ns), then stand at t. */
static void run_until(struct env *e, uint64_t t)
{
	struct evq_event *ev;

	while ((ev = evq_peek(&e->q)) != NULL && ev->time <= t)
		evq_run_one(&e->q);
	if (e->q.now < t)
		e->q.now = t;
}

static uint64_t val(const struct env *e, const char *name)
{
	const char *names[128];
	uint64_t v[128];
	int n = pagecache_values(e->pc, names, v, 128), i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return v[i];
	printf("# no value %s\n", name);
	return UINT64_MAX;
}

static uint64_t file_op(struct env *e, enum op_type t, const char *file,
    uint64_t off, uint64_t len)
{
	struct op op;
	uint64_t cycles = 0;
	char *msg = NULL;

	op_clear(&op);
	op.type = t;
	op.file = file;
	op.ptr = off;
	op.bytes_req = len;
	op.nr = 1;
	if (op_file_apply(e->pc, &op, 0, &cycles, &msg) != 0) {
		printf("# %s\n", msg);
		free(msg);
		return UINT64_MAX;
	}
	return cycles;
}

static int check(struct env *e)
{
	char *cause = NULL;

	if (pagecache_check(e->pc, &cause) != 0) {
		printf("# %s\n", cause);
		free(cause);
		return -1;
	}
	return 0;
}

/*
 * page_cache_sync_ra() from index 0: get_init_ra_size(1, 32) = 4 pages,
 * async_size 3, PG_readahead on page 1; touching page 1 starts the next
 * window, get_next_ra_size(4, 32) = 8 pages at 4, marked at 4; touching
 * 4 starts get_next_ra_size(8, 32) = 16 pages at 12.  A read elsewhere
 * (not sequential, not at 0) reads only what it asks for.
 */
TEST(hits_misses_and_readahead)
{
	struct env e;

	env_init(&e, 64 * MiB);
	ASSERT(env_start(&e, false) == 0);
	file_op(&e, OP_READ, "a", 0, PAGE);
	ASSERT_EQ(val(&e, "pagecache_misses"), 1);
	ASSERT_EQ(val(&e, "nr_file_pages"), 4);
	ASSERT_EQ(val(&e, "disk_reads"), 1);
	run_until(&e, SEC);
	file_op(&e, OP_READ, "a", PAGE, PAGE);	/* hit, starts [4, 12) */
	ASSERT_EQ(val(&e, "pagecache_hits"), 1);
	ASSERT_EQ(val(&e, "nr_file_pages"), 12);
	ASSERT_EQ(val(&e, "readahead_pages"), 3 + 8);
	run_until(&e, 2 * SEC);
	file_op(&e, OP_READ, "a", 2 * PAGE, 10 * PAGE);	/* pages 2..11 */
	ASSERT_EQ(val(&e, "pagecache_hits"), 1 + 10);
	ASSERT_EQ(val(&e, "pagecache_misses"), 1);
	ASSERT_EQ(val(&e, "nr_file_pages"), 28);	/* [12, 28) */
	ASSERT_EQ(val(&e, "disk_reads"), 3);
	/* random reads far away: one page each, no window */
	file_op(&e, OP_READ, "a", 1000 * PAGE, PAGE);
	file_op(&e, OP_READ, "a", 500 * PAGE, PAGE);
	ASSERT_EQ(val(&e, "pagecache_misses"), 3);
	ASSERT_EQ(val(&e, "nr_file_pages"), 30);
	file_op(&e, OP_READ, "a", 1000 * PAGE, PAGE);
	ASSERT_EQ(val(&e, "pagecache_hits"), 12);
	ASSERT(check(&e) == 0);
	env_fini(&e);
}

/* A miss waits for the disk: latency + transfer, both from the config. */
TEST(miss_latency_is_the_disk)
{
	struct env e;
	uint64_t lat, hit;

	env_init(&e, 64 * MiB);
	e.cfg.disks[0].latency_ns = 200000;	/* 200 us */
	e.cfg.disks[0].bandwidth = 100 << 20;	/* 4 KiB in ~39 us */
	ASSERT(env_start(&e, false) == 0);
	lat = file_op(&e, OP_READ, "b", 7 * PAGE, PAGE);
	ASSERT(lat >= 200000 + 39000);
	ASSERT(lat < 200000 + 39000 + 20000);
	run_until(&e, SEC);
	hit = file_op(&e, OP_READ, "b", 7 * PAGE, PAGE);
	ASSERT(hit < 5000);
	env_fini(&e);
}

/* folio_mark_accessed(): referenced on the first touch, active on the
 * second (but not twice by one read position). */
TEST(two_touches_activate)
{
	struct env e;

	env_init(&e, 64 * MiB);
	ASSERT(env_start(&e, false) == 0);
	file_op(&e, OP_READ, "c", 100 * PAGE, PAGE);
	run_until(&e, SEC);
	ASSERT_EQ(val(&e, "nr_active_file"), 0);
	file_op(&e, OP_READ, "c", 100 * PAGE, 100);	/* same position */
	ASSERT_EQ(val(&e, "nr_active_file"), 0);
	file_op(&e, OP_READ, "c", 300 * PAGE, PAGE);
	file_op(&e, OP_READ, "c", 100 * PAGE, PAGE);
	ASSERT_EQ(val(&e, "nr_active_file"), 1);
	ASSERT_EQ(val(&e, "nr_inactive_file"), 1);
	ASSERT_EQ(val(&e, "pgactivate"), 1);
	ASSERT(check(&e) == 0);
	env_fini(&e);
}

/* Write page by page until the first pause: returns dirty+writeback
 * then (0 if never throttled within max pages). */
static uint64_t write_until_throttled(struct env *e, uint64_t max)
{
	uint64_t i;

	for (i = 0; i < max; i++) {
		file_op(e, OP_WRITE, "w", i * PAGE, PAGE);
		if (val(e, "dirty_throttle_pauses") > 0)
			return val(e, "dirty_at_first_throttle");
	}
	return 0;
}

/*
 * dirty_bytes = 16 MiB: thresh 4096 pages; the background ratio's 10 %
 * of 256 MiB is above it, so bg = thresh / 2 = 2048; nobody waits below
 * the freerun ceiling (4096 + 2048) / 2 = 3072, everybody at 4096.
 */
TEST(throttle_starts_above_freerun_bytes)
{
	struct env e;
	uint64_t thresh, bg, at;

	env_init(&e, 256 * MiB);
	e.cfg.dirty_bytes = 16 * MiB;
	ASSERT(env_start(&e, false) == 0);
	writeback_dirty_limits(e.pc, &thresh, &bg, NULL);
	ASSERT_EQ(thresh, 4096);
	ASSERT_EQ(bg, 2048);
	at = write_until_throttled(&e, 20000);
	ASSERT(at > 3072);
	ASSERT(at <= 4096);
	/* background writeback began just above bg */
	ASSERT(val(&e, "dirty_at_first_background") > 2048);
	ASSERT(val(&e, "dirty_at_first_background") <= 2048 + 64);
	ASSERT(check(&e) == 0);
	env_fini(&e);
}

/*
 * The ratios on 256 MiB (65536 pages): the dirtyable memory is the free
 * pages less the reserves plus the file LRU, a little under 65536; the
 * first pause comes between 15 % and 20 % of it.
 */
TEST(throttle_starts_above_freerun_ratio)
{
	struct env e;
	uint64_t thresh, bg, avail, at;

	env_init(&e, 256 * MiB);
	ASSERT(env_start(&e, false) == 0);
	writeback_dirty_limits(e.pc, &thresh, &bg, &avail);
	ASSERT(avail > 60000 && avail <= 65536);
	ASSERT_EQ(thresh, avail * 20 / 100);
	ASSERT_EQ(bg, avail * 10 / 100);
	at = write_until_throttled(&e, 40000);
	writeback_dirty_limits(e.pc, &thresh, &bg, &avail);
	ASSERT(at > (thresh + bg) / 2);
	ASSERT(at <= thresh);
	env_fini(&e);
}

/*
 * dirty_expire_centisecs 3000, dirty_writeback_centisecs 500: an inode
 * dirtied at 0 s is written by the timer at 30 s; one dirtied at 1 s by
 * the one at 35 s (it is not expired at 30 s).
 */
TEST(flusher_writes_expired_inodes_on_time)
{
	struct env e;

	env_init(&e, 256 * MiB);
	ASSERT(env_start(&e, false) == 0);
	file_op(&e, OP_WRITE, "x", 0, 10 * PAGE);
	run_until(&e, SEC);
	file_op(&e, OP_WRITE, "y", 0, 5 * PAGE);
	run_until(&e, 30 * SEC - 1);
	ASSERT_EQ(val(&e, "nr_dirty"), 15);
	ASSERT_EQ(val(&e, "written_periodic"), 0);
	run_until(&e, 30 * SEC + SEC / 10);
	ASSERT_EQ(val(&e, "nr_dirty"), 5);
	ASSERT_EQ(val(&e, "nr_writeback"), 0);
	ASSERT_EQ(val(&e, "written_periodic"), 10);
	run_until(&e, 35 * SEC - 1);
	ASSERT_EQ(val(&e, "nr_dirty"), 5);
	run_until(&e, 35 * SEC + SEC / 10);
	ASSERT_EQ(val(&e, "nr_dirty"), 0);
	ASSERT_EQ(val(&e, "written_periodic"), 15);
	ASSERT(check(&e) == 0);
	env_fini(&e);
}

/*
 * Reclaim from the inactive tail: the dirty folios there (written
 * first) are marked PG_reclaim and activated, the flusher is woken for
 * them; the clean ones behind them are freed; active folios stay.
 */
TEST(reclaim_frees_clean_inactive_first)
{
	struct env e;
	uint64_t cycles = 0, freed, pages, hits;

	env_init(&e, 256 * MiB);
	e.cfg.dirty_expire_centisecs = 100000;	/* no kupdate meanwhile */
	ASSERT(env_start(&e, false) == 0);
	file_op(&e, OP_WRITE, "dirty", 0, 64 * PAGE);
	/* two touches: 16 active pages (random reads, one page each) */
	for (int i = 0; i < 16; i++)
		file_op(&e, OP_READ, "hot", (uint64_t)(i + 1) * 10 * PAGE,
		    PAGE);
	run_until(&e, SEC / 10);
	for (int i = 0; i < 16; i++)
		file_op(&e, OP_READ, "hot", (uint64_t)(i + 1) * 10 * PAGE,
		    PAGE);
	file_op(&e, OP_READ, "clean", 0, 128 * PAGE);
	run_until(&e, SEC / 5);
	ASSERT_EQ(val(&e, "nr_active_file"), 16);
	pages = val(&e, "nr_file_pages");
	ASSERT_EQ(pages, 64 + 16 + 128);
	/* in SWAP_CLUSTER_MAX batches: at most one batch more */
	freed = pagecache_shrink(e.pc, 0, 100, true, &cycles);
	ASSERT(freed >= 100 && freed < 100 + 32);
	ASSERT_EQ(val(&e, "nr_file_pages"), pages - freed);
	/* no dirty folio was freed: all were met, marked, the flusher
	 * woken for them */
	ASSERT_EQ(val(&e, "nr_dirty"), 64);
	ASSERT_EQ(val(&e, "nr_vmscan_immediate_reclaim"), 64);
	ASSERT(val(&e, "vmscan_flusher_wakeups") >= 1);
	/* the hot folios are all still cached */
	hits = val(&e, "pagecache_hits");
	for (int i = 0; i < 16; i++)
		file_op(&e, OP_READ, "hot", (uint64_t)(i + 1) * 10 * PAGE,
		    PAGE);
	ASSERT_EQ(val(&e, "pagecache_hits"), hits + 16);
	/* the flusher writes them for reclaim; at the end of their
	 * writeback those still marked go to the inactive tail */
	run_until(&e, SEC);
	ASSERT_EQ(val(&e, "nr_dirty"), 0);
	ASSERT_EQ(val(&e, "written_vmscan"), 64);
	ASSERT(val(&e, "pgrotated") > 0);
	freed = pagecache_shrink(e.pc, 0, 64, true, &cycles);
	ASSERT(freed >= 64);
	ASSERT(check(&e) == 0);
	env_fini(&e);
}

static uint64_t free_frames(const struct machine *m)
{
	uint64_t n = 0;

	for (int i = 0; i < m->nr_zones; i++)
		n += m->zones[i]->free_pages + m->zones[i]->pcp_pages;
	return n;
}

TEST(fsync_truncate_unlink)
{
	struct env e;
	uint64_t before, lat;

	env_init(&e, 64 * MiB);
	ASSERT(env_start(&e, false) == 0);
	before = free_frames(e.m);
	file_op(&e, OP_WRITE, "f", 0, 100 * PAGE);
	ASSERT_EQ(free_frames(e.m), before - 100);
	lat = file_op(&e, OP_FSYNC, "f", 0, 0);
	/* 400 KiB at 500 MiB/s plus two round trips of 100 us */
	ASSERT(lat > 200000 + 700000);
	ASSERT_EQ(val(&e, "nr_dirty"), 0);
	ASSERT_EQ(val(&e, "written_sync"), 100);
	file_op(&e, OP_TRUNCATE, "f", 50 * PAGE + 1, 0);
	ASSERT_EQ(val(&e, "nr_file_pages"), 51);
	file_op(&e, OP_UNLINK, "f", 0, 0);
	ASSERT_EQ(val(&e, "nr_file_pages"), 0);
	ASSERT_EQ(val(&e, "files"), 0);
	ASSERT_EQ(free_frames(e.m), before);
	ASSERT(check(&e) == 0);
	env_fini(&e);
}

/* Large folios: an aligned 64 KiB write with max_folio_order 4 takes one
 * order-4 folio; an unaligned one falls back to smaller ones. */
TEST(large_folios)
{
	struct env e;

	env_init(&e, 64 * MiB);
	e.cfg.disks[0].max_folio_order = 4;
	ASSERT(env_start(&e, false) == 0);
	file_op(&e, OP_WRITE, "l", 0, 16 * PAGE);
	ASSERT_EQ(val(&e, "nr_file_pages"), 16);
	ASSERT_EQ(val(&e, "nr_dirtied"), 16);
	file_op(&e, OP_WRITE, "l", 17 * PAGE, 4 * PAGE);
	ASSERT_EQ(val(&e, "nr_file_pages"), 20);
	ASSERT(check(&e) == 0);
	file_op(&e, OP_TRUNCATE, "l", 8 * PAGE, 0);
	/* the order-4 folio straddles 8: truncation keeps it whole */
	ASSERT(check(&e) == 0);
	env_fini(&e);
}

/* The index against a bitmap: random writes and truncates. */
TEST(index_matches_reference)
{
	static unsigned char ref[4096];
	struct env e;
	uint64_t x = 88172645463325252ull, expect;

	env_init(&e, 128 * MiB);
	e.cfg.disks[0].max_folio_order = 2;
	ASSERT(env_start(&e, false) == 0);
	memset(ref, 0, sizeof ref);
	for (int i = 0; i < 3000; i++) {
		uint64_t p, n, k;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p = x % 4000;
		n = 1 + (x >> 20) % 8;
		if ((x >> 40) % 50 == 0) {
			file_op(&e, OP_TRUNCATE, "r", p * PAGE, 0);
			/* the folio holding p stays if it starts before p */
			for (k = p; k < sizeof ref; k++)
				ref[k] = 0;
			continue;
		}
		file_op(&e, OP_WRITE, "r", p * PAGE, n * PAGE);
		for (k = p; k < p + n; k++)
			ref[k] = 1;
		run_until(&e, e.q.now + SEC / 100);
	}
	ASSERT(check(&e) == 0);
	expect = 0;
	for (size_t k = 0; k < sizeof ref; k++)
		expect += ref[k];
	/* folios straddling a truncation point keep their head part: the
	 * cache may hold a few more pages than the bitmap, never fewer */
	ASSERT(val(&e, "nr_file_pages") >= expect);
	ASSERT(val(&e, "nr_file_pages") <= expect + 3 * 60);
	env_fini(&e);
}

static void obs(struct env *e, enum op_type t, uint64_t ino, uint64_t index,
    unsigned order, uint64_t nr)
{
	struct op op;
	uint64_t cycles;
	char *msg = NULL;

	op_clear(&op);
	op.type = t;
	op.dev = 254u << 20;
	op.ino = ino;
	op.index = index;
	op.order = order;
	op.nr = nr;
	op.pfn = 0x1000 + index;
	if (t == OP_WRITEBACK_START)
		op.aux[0] = WBR_PERIODIC;
	if (op_file_apply(e->pc, &op, 0, &cycles, &msg) != 0) {
		printf("# %s\n", msg);
		free(msg);
	}
}

/* A capture's events: the books only, nothing freed or written. */
TEST(observed_capture_keeps_books)
{
	struct env e;
	uint64_t before;

	env_init(&e, 64 * MiB);
	ASSERT(env_start(&e, true) == 0);
	before = free_frames(e.m);
	obs(&e, OP_FILEMAP_ADD, 7, 0, 0, 0);
	obs(&e, OP_FILEMAP_ADD, 7, 1, 0, 0);
	obs(&e, OP_FILEMAP_ADD, 7, 4, 2, 0);
	obs(&e, OP_FILEMAP_ADD, 9, 0, 0, 0);
	ASSERT_EQ(val(&e, "nr_file_pages"), 7);
	ASSERT_EQ(val(&e, "files"), 2);
	obs(&e, OP_FILEMAP_DELETE, 9, 0, 0, 0);
	obs(&e, OP_FILEMAP_DELETE, 9, 3, 0, 0);	/* never added */
	ASSERT_EQ(val(&e, "nr_file_pages"), 6);
	ASSERT_EQ(val(&e, "filemap_delete_unknown"), 1);
	obs(&e, OP_DIRTY_FOLIO, 7, 1, 0, 0);
	obs(&e, OP_DIRTY_FOLIO, 7, 5, 0, 0);	/* inside the order-2 */
	obs(&e, OP_DIRTY_FOLIO, 8, 0, 0, 0);	/* unknown inode */
	ASSERT_EQ(val(&e, "nr_dirty"), 5);
	ASSERT_EQ(val(&e, "dirty_folio_unknown"), 1);
	obs(&e, OP_WRITEBACK_START, 0, 0, 0, 0);
	obs(&e, OP_WRITEBACK_INODE, 7, 0, 0, 1);	/* wrote=1 */
	ASSERT_EQ(val(&e, "nr_dirty"), 4);
	ASSERT_EQ(val(&e, "written_periodic"), 1);
	obs(&e, OP_FILEMAP_ADD, 7, 1, 0, 0);	/* again, no delete */
	ASSERT_EQ(val(&e, "filemap_add_again"), 1);
	/* no kernel prints these: order 63, a folio past the index's end */
	obs(&e, OP_FILEMAP_ADD, 7, 64, 63, 0);
	obs(&e, OP_FILEMAP_ADD, 7, UINT64_MAX - 1, 2, 0);
	ASSERT_EQ(val(&e, "filemap_add_bad"), 2);
	ASSERT_EQ(val(&e, "nr_file_pages"), 6);
	ASSERT_EQ(free_frames(e.m), before);
	ASSERT(check(&e) == 0);
	env_fini(&e);
}

int main(void)
{
	RUN(hits_misses_and_readahead);
	RUN(miss_latency_is_the_disk);
	RUN(two_touches_activate);
	RUN(throttle_starts_above_freerun_bytes);
	RUN(throttle_starts_above_freerun_ratio);
	RUN(flusher_writes_expired_inodes_on_time);
	RUN(reclaim_frees_clean_inactive_first);
	RUN(fsync_truncate_unlink);
	RUN(large_folios);
	RUN(index_matches_reference);
	RUN(observed_capture_keeps_books);
	return tap_done();
}
