/*
 * test-db.c - the results database: schema, a run's rows read back with
 * SQL, runs sharing a file, the run lifecycle across close and SIGKILL,
 * refused files, write failures, and the examples of kmsim-db(5).
 */
#define _GNU_SOURCE 1	/* nftw() */

#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "tap.h"
#include "results/db.h"
#include "kmsim.h"
#include "machine.h"
#include "hist.h"
#include "mkmachine.h"
#include "mm/slab.h"

static char *tmp_dir;

/* A path in the test's temporary directory (caller frees). */
static char *tpath(const char *name)
{
	char *p;

	xasprintf(&p, "%s/%s", tmp_dir, name);
	return p;
}

static int rm_entry(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void rm_tree(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- reading a database back with a connection of our own ---- */

static sqlite3 *peek_open(const char *path)
{
	sqlite3 *c = NULL;

	if (sqlite3_open_v2(path, &c, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK) {
		printf("# cannot open %s: %s\n", path, sqlite3_errmsg(c));
		sqlite3_close(c);
		return NULL;
	}
	sqlite3_busy_timeout(c, 5000);
	return c;
}

static sqlite3_stmt *peek_query(sqlite3 *c, const char *fmt, va_list ap)
{
	sqlite3_stmt *st;
	char *sql;

	xvasprintf(&sql, fmt, ap);
	if (sqlite3_prepare_v2(c, sql, -1, &st, NULL) != SQLITE_OK) {
		printf("# %s: %s\n", sql, sqlite3_errmsg(c));
		free(sql);
		return NULL;
	}
	if (sqlite3_step(st) != SQLITE_ROW) {
		printf("# %s: no row (%s)\n", sql, sqlite3_errmsg(c));
		sqlite3_finalize(st);
		free(sql);
		return NULL;
	}
	free(sql);
	return st;
}

/* The first column of the first row; INT64_MIN on error, no row, NULL. */
static int64_t q_int(sqlite3 *c, const char *fmt, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int64_t v = INT64_MIN;

	va_start(ap, fmt);
	st = peek_query(c, fmt, ap);
	va_end(ap);
	if (st == NULL)
		return v;
	if (sqlite3_column_type(st, 0) == SQLITE_INTEGER)
		v = sqlite3_column_int64(st, 0);
	else
		printf("# not an integer: %s\n", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v;
}

static double q_dbl(sqlite3 *c, const char *fmt, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	double v = -1e300;

	va_start(ap, fmt);
	st = peek_query(c, fmt, ap);
	va_end(ap);
	if (st == NULL)
		return v;
	if (sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_double(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The number of rows a query returns; -1 on error. */
static int q_rows(sqlite3 *c, const char *sql)
{
	sqlite3_stmt *st;
	int n = 0, rc;

	if (sqlite3_prepare_v2(c, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		n++;
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? n : -1;
}

/* Text of the first column; "(null)" for NULL, "(error)" on error. */
static const char *q_text(sqlite3 *c, const char *fmt, ...)
{
	static char buf[512];
	sqlite3_stmt *st;
	va_list ap;

	va_start(ap, fmt);
	st = peek_query(c, fmt, ap);
	va_end(ap);
	if (st == NULL)
		return "(error)";
	if (sqlite3_column_type(st, 0) == SQLITE_NULL)
		snprintf(buf, sizeof buf, "(null)");
	else
		snprintf(buf, sizeof buf, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return buf;
}

/* ---- a hand-built machine: two populated zones, max_order 10 ---- */

struct test_machine {
	struct machine m;
	struct zone z[2];
	struct zone *zp[2];
	uint64_t node_allocs[4];
};

static void tm_init(struct test_machine *t)
{
	static const uint64_t dma32_free[] = { 10, 5, 2, 1 };
	unsigned o;

	memset(t, 0, sizeof *t);
	/* Node 0 DMA32: 10 x order 0, 5 x 1, 2 x 2, 1 x 3 = 36 pages. */
	t->z[0].node = 0;
	t->z[0].type = ZONE_DMA32;
	t->z[0].populated = true;
	t->z[0].zone_start_pfn = 0x1000;
	t->z[0].spanned_pages = 0xff000;
	t->z[0].present_pages = 0xfe000;
	t->z[0].managed_pages = 0xfd000;
	for (o = 0; o < ARRAY_SIZE(dma32_free); o++)
		t->z[0].free_area[o].nr_free = dma32_free[o];
	t->z[0].free_pages = 36;
	t->z[0].watermark[WMARK_MIN] = 20;
	t->z[0].watermark[WMARK_LOW] = 25;
	t->z[0].watermark[WMARK_HIGH] = 30;
	t->z[0].watermark[WMARK_PROMO] = 35;
	/* Node 1 Normal: 4 x order 10 = 4096 pages, below its low mark. */
	t->z[1].node = 1;
	t->z[1].type = ZONE_NORMAL;
	t->z[1].populated = true;
	t->z[1].zone_start_pfn = 0x100000;
	t->z[1].spanned_pages = 0x100000;
	t->z[1].present_pages = 0x100000;
	t->z[1].managed_pages = 0xf0000;
	t->z[1].free_area[10].nr_free = 4;
	t->z[1].free_pages = 4096;
	t->z[1].watermark[WMARK_MIN] = 4000;
	t->z[1].watermark[WMARK_LOW] = 5000;
	t->z[1].watermark[WMARK_HIGH] = 6000;
	t->z[1].watermark[WMARK_PROMO] = 7000;
	t->z[1].watermark_boost = 12;
	t->zp[0] = &t->z[0];
	t->zp[1] = &t->z[1];
	t->m.max_order = 10;
	t->m.cpu_mhz = 2000;
	t->m.nr_zones = 2;
	t->m.zones = t->zp;
	/* pageblocks: DMA32 all movable, one of them mixed; Normal 2048
	 * blocks, 100 unmovable */
	t->z[0].nr_pageblocks[MIGRATE_MOVABLE] = 0xff000 >> 9;
	t->z[0].nr_mixed_pageblocks[MIGRATE_MOVABLE] = 1;
	t->z[1].nr_pageblocks[MIGRATE_MOVABLE] = 1948;
	t->z[1].nr_pageblocks[MIGRATE_UNMOVABLE] = 100;
	t->m.vm_events[PGALLOC] = 5000;
	t->m.vm_events[EXTFRAG_FALLBACK] = 7;
	t->m.vm_events[COMPACTSTALL] = 2;
	/* two nodes: node 0 served 90 of its own and 10 by node 1 */
	t->m.nr_nodes = 2;
	t->node_allocs[0] = 90;
	t->node_allocs[1] = 10;
	t->node_allocs[3] = 50;
	t->m.node_allocs = t->node_allocs;
}

static const struct db_run_info test_info = {
	.config_json = "{\"machine\": {\"max_order\": 10}}",
	.config_path = "configs/tiny.yaml",
	.trace_path = "traces/synthetic.yaml",
	.trace_sha256 = "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855",
	.trace_format = "yaml",
	.mode = "simulate",
	.version = "0.1.0",
	.command_line = "kmsim --config configs/tiny.yaml",
	.start_time = 1700000000.5,
};

/* A snapshot of m at (cycles, ns) into the database. */
static int write_snap(struct db *db, int64_t run_id, const struct machine *m,
    uint64_t cycles, uint64_t ns, char **cause)
{
	struct snapshot snap;
	struct snapshot_src src = { .m = m };
	int rc;

	snapshot_init(&snap);
	snapshot_take(&snap, &src, cycles, ns);
	rc = db_write_snapshot(db, run_id, &snap, cause);
	snapshot_fini(&snap);
	return rc;
}

static struct hist *hist_new(void)
{
	struct hist *h = malloc(sizeof *h);

	if (h == NULL)
		abort();
	hist_init(h);
	return h;
}

/*
 * The slab caches of run 1 at its second snapshot: a real machine (one
 * node, 64 MiB) and its slab world, a cache of 600-byte objects with 20
 * of them allocated and 100 kmalloc(100) from kmalloc-128.  The machine
 * is the slab world's only; both are freed here.
 */
static int write_slab(struct db *db, int64_t run_id, char **cause)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m;
	struct slab_world *w;
	struct kmem_cache *c, *kc;
	struct slab_result res;
	slab_handle_t h;
	int i, rc = -1;

	mk_config(&cfg, nodes, 1, 64 * MiB, 0, 0);
	m = machine_create(&cfg, cause);
	if (m == NULL)
		return -1;
	w = slab_world_create(m, NULL);
	if (kmem_cache_create(w, "test_obj", 600, 0, SLAB_NO_MERGE, &c,
	    cause) != 0)
		goto out;
	for (i = 0; i < 20; i++)
		if (kmem_cache_alloc(w, c, 0, GFP_KERNEL, &h, &res, cause) != 0 ||
		    h == SLAB_HANDLE_NONE)
			goto out;
	for (i = 0; i < 100; i++)
		if (kmalloc(w, 100, GFP_KERNEL, 0, &h, &kc, &res, cause) != 0 ||
		    h == SLAB_HANDLE_NONE)
			goto out;
	{
		struct snapshot snap;
		struct snapshot_src src = { .m = m, .slab = w };

		snapshot_init(&snap);
		snapshot_take(&snap, &src, 0, 0);
		rc = db_write_slabinfo(db, run_id, &snap, cause);
		snapshot_fini(&snap);
	}
out:
	if (rc != 0 && *cause == NULL)
		*cause = xstrdup("a slab allocation failed");
	slab_world_destroy(w);
	machine_destroy(m);
	return rc;
}

/*
 * Three runs in one file: run 1 complete (two snapshots, latencies,
 * failures, counters, slab caches at the second snapshot), run 2 failed
 * (one snapshot), run 3 still running (one snapshot).  Returns 0, or -1
 * with the cause printed.
 */
static int populate(const char *path)
{
	struct test_machine t;
	struct db *db;
	struct hist *h = hist_new(), *small = hist_new(), *empty = hist_new();
	struct db_run_end end = { 0 };
	int64_t r1, r2, r3;
	char *cause = NULL;
	uint64_t v;

	tm_init(&t);
	for (v = 1; v <= 1000; v++)
		hist_record(h, v);
	hist_record(small, 7);

	db = db_open(path, &cause);
	if (db == NULL)
		goto out_cause;
	if (db_run_begin(db, &test_info, &r1, &cause) != 0 || r1 != 1)
		goto out_close;
	/* Snapshot 0, then the DMA32 zone changes (its order-3 block is
	 * split), snapshot 1: each in the caller's transaction. */
	if (db_txn_begin(db, &cause) != 0 ||
	    write_snap(db, r1, &t.m, 1000, 500, &cause) != 0 ||
	    db_txn_commit(db, &cause) != 0)
		goto out_close;
	t.m.vm_events[PGALLOC] += 1000;
	t.m.vm_events[EXTFRAG_FALLBACK] += 3;
	t.z[0].free_area[3].nr_free = 0;
	t.z[0].free_area[2].nr_free = 4;
	if (db_txn_begin(db, &cause) != 0 ||
	    write_snap(db, r1, &t.m, 3000000, 1500000, &cause) != 0 ||
	    /* Written twice: the second replaces the first. */
	    db_write_latency(db, r1, "alloc_pages", small, 2000, &cause) ||
	    db_write_latency(db, r1, "alloc_pages", h, 2000, &cause) ||
	    db_write_latency(db, r1, "kfree", empty, 2000, &cause) ||
	    db_write_failure(db, r1, 3, "GFP_KERNEL", 0, 2, &cause) ||
	    db_write_failure(db, r1, 3, "GFP_KERNEL", 0, 3, &cause) ||
	    db_write_failure(db, r1, 9, "GFP_ATOMIC", -1, 1, &cause) ||
	    db_write_counter(db, r1, "ops.alloc_pages", 1000, &cause) ||
	    db_write_counter(db, r1, "ops.alloc_pages", 1001, &cause) ||
	    db_write_counter(db, r1, "lenient.skipped", 0, &cause) ||
	    db_write_numa(db, r1, t.m.nr_nodes, t.m.node_allocs, &cause) ||
	    write_slab(db, r1, &cause) != 0 ||
	    db_txn_commit(db, &cause) != 0)
		goto out_close;
	end.status = "complete";
	end.wall_seconds = 2.5;
	end.events = 1234;
	end.sim_cycles = 3000000;
	end.sim_ns = 1500000;
	if (db_run_end(db, r1, &end, &cause) != 0)
		goto out_close;

	/* Run 2 fails; outside any transaction each write is its own. */
	if (db_run_begin(db, &test_info, &r2, &cause) != 0 ||
	    write_snap(db, r2, &t.m, 10, 5, &cause) != 0)
		goto out_close;
	end.status = "failed";
	end.error = "traces/bad.yaml:3:7: unknown op 'alloc_page'";
	if (db_run_end(db, r2, &end, &cause) != 0)
		goto out_close;

	/* Run 3 never ends. */
	if (db_run_begin(db, &test_info, &r3, &cause) != 0 ||
	    write_snap(db, r3, &t.m, 20, 10, &cause) != 0)
		goto out_close;
	db_close(db);
	free(h);
	free(small);
	free(empty);
	return 0;

out_close:
	db_close(db);
out_cause:
	printf("# populate: %s\n", cause ? cause : "(no cause)");
	free(cause);
	free(h);
	free(small);
	free(empty);
	return -1;
}

TEST(create_and_read_back)
{
	char *path = tpath("readback.db");
	sqlite3 *c;

	ASSERT_EQ(populate(path), 0);
	c = peek_open(path);
	ASSERT(c != NULL);

	/* The file says what it is. */
	ASSERT_EQ(q_int(c, "SELECT value FROM meta"
	    " WHERE key = 'schema_version'"), DB_META_SCHEMA_VERSION);
	ASSERT_EQ(q_int(c, "PRAGMA user_version"), DB_SCHEMA_VERSION);
	ASSERT_STREQ(q_text(c, "SELECT value FROM meta"
	    " WHERE key = 'creator'"), "kmsim");
	ASSERT_EQ(q_int(c, "PRAGMA application_id"), 0x6b6d736d);
	ASSERT_STREQ(q_text(c, "PRAGMA journal_mode"), "wal");

	/* runs */
	ASSERT_EQ(q_int(c, "SELECT count(*) FROM runs"), 3);
	ASSERT_STREQ(q_text(c, "SELECT status FROM runs WHERE run_id = 1"),
	    "complete");
	ASSERT_STREQ(q_text(c, "SELECT config_path || ' ' || trace_format"
	    " || ' ' || mode || ' ' || kmsim_version FROM runs"
	    " WHERE run_id = 1"), "configs/tiny.yaml yaml simulate 0.1.0");
	ASSERT_STREQ(q_text(c, "SELECT trace_sha256 FROM runs"
	    " WHERE run_id = 1"), test_info.trace_sha256);
	ASSERT_EQ(q_int(c, "SELECT events FROM runs WHERE run_id = 1"), 1234);
	ASSERT_EQ(q_int(c, "SELECT sim_cycles FROM runs WHERE run_id = 1"),
	    3000000);
	ASSERT_EQ(q_int(c, "SELECT sim_ns FROM runs WHERE run_id = 1"),
	    1500000);
	ASSERT_DBL_NEAR(q_dbl(c, "SELECT start_time FROM runs"
	    " WHERE run_id = 1"), 1700000000.5, 1e-6);
	ASSERT_DBL_NEAR(q_dbl(c, "SELECT wall_seconds FROM runs"
	    " WHERE run_id = 1"), 2.5, 1e-9);
	ASSERT_EQ(q_int(c, "SELECT end_time > start_time FROM runs"
	    " WHERE run_id = 1"), 1);
	ASSERT_EQ(q_int(c, "SELECT error IS NULL FROM runs WHERE run_id = 1"),
	    1);
	ASSERT_STREQ(q_text(c, "SELECT status FROM runs WHERE run_id = 2"),
	    "failed");
	ASSERT_STREQ(q_text(c, "SELECT error FROM runs WHERE run_id = 2"),
	    "traces/bad.yaml:3:7: unknown op 'alloc_page'");
	ASSERT_STREQ(q_text(c, "SELECT status FROM runs WHERE run_id = 3"),
	    "running");
	ASSERT_EQ(q_int(c, "SELECT end_time IS NULL FROM runs"
	    " WHERE run_id = 3"), 1);

	/* snapshots: seq per run, only an ended run's last is final. */
	ASSERT_EQ(q_int(c, "SELECT count(*) FROM snapshots WHERE run_id = 1"),
	    2);
	ASSERT_EQ(q_int(c, "SELECT group_concat(seq || ':' || is_final"
	    " || ':' || sim_cycles || ':' || sim_ns, ' ') = '0:0:1000:500"
	    " 1:1:3000000:1500000' FROM (SELECT * FROM snapshots"
	    " WHERE run_id = 1 ORDER BY seq)"), 1);
	ASSERT_EQ(q_int(c, "SELECT seq * 10 + is_final FROM snapshots"
	    " WHERE run_id = 2"), 1);
	ASSERT_EQ(q_int(c, "SELECT seq * 10 + is_final FROM snapshots"
	    " WHERE run_id = 3"), 0);

	/* buddyinfo: 2 snapshots x 2 zones x 11 orders. */
	ASSERT_EQ(q_int(c, "SELECT count(*) FROM buddyinfo WHERE run_id = 1"),
	    44);
	ASSERT_EQ(q_int(c, "SELECT b.nr_free FROM buddyinfo b JOIN snapshots"
	    " s USING (snapshot_id) WHERE s.run_id = 1 AND s.seq = 0"
	    " AND b.zone = 'DMA32' AND b.node = 0 AND b.ord = 3"), 1);
	ASSERT_EQ(q_int(c, "SELECT b.nr_free FROM buddyinfo b JOIN snapshots"
	    " s USING (snapshot_id) WHERE s.run_id = 1 AND s.seq = 1"
	    " AND b.zone = 'DMA32' AND b.ord = 3"), 0);
	ASSERT_EQ(q_int(c, "SELECT sum(nr_free) FROM buddyinfo"
	    " WHERE run_id = 1 AND zone = 'Normal' AND node = 1"
	    " AND ord = 10"), 8);

	/* fragmentation, seq 0 DMA32 (hand-computed in test-metrics). */
	ASSERT_EQ(q_int(c, "SELECT count(*) FROM fragmentation"
	    " WHERE run_id = 1"), 44);
	ASSERT_EQ(q_int(c, "SELECT f.unusable_milli FROM fragmentation f"
	    " JOIN snapshots s USING (snapshot_id) WHERE s.run_id = 1"
	    " AND s.seq = 0 AND f.zone = 'DMA32' AND f.ord = 1"), 277);
	ASSERT_DBL_NEAR(q_dbl(c, "SELECT f.unusable_index FROM fragmentation"
	    " f JOIN snapshots s USING (snapshot_id) WHERE s.run_id = 1"
	    " AND s.seq = 0 AND f.zone = 'DMA32' AND f.ord = 1"), 0.277,
	    1e-12);
	ASSERT_EQ(q_int(c, "SELECT f.extfrag_milli FROM fragmentation f"
	    " JOIN snapshots s USING (snapshot_id) WHERE s.run_id = 1"
	    " AND s.seq = 0 AND f.zone = 'DMA32' AND f.ord = 4"), 820);
	ASSERT_DBL_NEAR(q_dbl(c, "SELECT f.extfrag_index FROM fragmentation f"
	    " JOIN snapshots s USING (snapshot_id) WHERE s.run_id = 1"
	    " AND s.seq = 0 AND f.zone = 'DMA32' AND f.ord = 4"), 0.82, 1e-12);
	ASSERT_DBL_NEAR(q_dbl(c, "SELECT f.extfrag_index FROM fragmentation f"
	    " JOIN snapshots s USING (snapshot_id) WHERE s.run_id = 1"
	    " AND s.seq = 0 AND f.zone = 'DMA32' AND f.ord = 0"), -1.0, 0);
	/* After the split at seq 1: 10 + 5*2 + 4*4 = 36 pages, 19 blocks,
	 * order 3: 36000/8 = 4500, 5500/19 = 289 -> 711. */
	ASSERT_EQ(q_int(c, "SELECT f.extfrag_milli FROM fragmentation f"
	    " JOIN snapshots s USING (snapshot_id) WHERE s.run_id = 1"
	    " AND s.seq = 1 AND f.zone = 'DMA32' AND f.ord = 3"), 711);

	/* zones */
	ASSERT_EQ(q_int(c, "SELECT count(*) FROM zones WHERE run_id = 1"), 4);
	ASSERT_STREQ(q_text(c, "SELECT group_concat(free_pages || '/'"
	    " || managed_pages || '/' || present_pages || '/' || spanned_pages"
	    " || '/' || zone_start_pfn || '/' || wmark_min || '/' || wmark_low"
	    " || '/' || wmark_high || '/' || wmark_promo || '/'"
	    " || watermark_boost) FROM zones WHERE run_id = 2 AND node = 1"
	    " AND zone = 'Normal'"),
	    "4096/983040/1048576/1048576/1048576/4000/5000/6000/7000/12");

	/* latency: 1..1000 cycles at 2000 MHz.  p50 is rank 500, in the
	 * bucket 496..503; p90 rank 900 in 896..911; p99 rank 990 in
	 * 976..991; p99.9 rank 999 in 992..1007, clamped to max 1000. */
	ASSERT_EQ(q_int(c, "SELECT count FROM latency WHERE run_id = 1"
	    " AND op = 'alloc_pages'"), 1000);
	ASSERT_STREQ(q_text(c, "SELECT cpu_mhz || ' ' || min_cycles || ' '"
	    " || p50_cycles || ' ' || p90_cycles || ' ' || p99_cycles || ' '"
	    " || p999_cycles || ' ' || max_cycles FROM latency"
	    " WHERE run_id = 1 AND op = 'alloc_pages'"),
	    "2000 1 503 911 991 1000 1000");
	/* ns = cycles * 1000 / 2000, truncated: 0 251 455 495 500 500. */
	ASSERT_STREQ(q_text(c, "SELECT min_ns || ' ' || p50_ns || ' '"
	    " || p90_ns || ' ' || p99_ns || ' ' || p999_ns || ' ' || max_ns"
	    " FROM latency WHERE run_id = 1 AND op = 'alloc_pages'"),
	    "0 251 455 495 500 500");
	ASSERT_DBL_NEAR(q_dbl(c, "SELECT mean_cycles FROM latency"
	    " WHERE run_id = 1 AND op = 'alloc_pages'"), 500.5, 1e-9);
	ASSERT_DBL_NEAR(q_dbl(c, "SELECT mean_ns FROM latency"
	    " WHERE run_id = 1 AND op = 'alloc_pages'"), 250.25, 1e-9);
	/* An op with no samples: count 0, no statistics, no buckets. */
	ASSERT_EQ(q_int(c, "SELECT count FROM latency WHERE run_id = 1"
	    " AND op = 'kfree'"), 0);
	ASSERT_EQ(q_int(c, "SELECT p50_cycles IS NULL AND max_ns IS NULL"
	    " FROM latency WHERE run_id = 1 AND op = 'kfree'"), 1);
	ASSERT_EQ(q_int(c, "SELECT count(*) FROM latency_hist"
	    " WHERE op = 'kfree'"), 0);

	/* latency_hist: buckets of 1..1000 = 63 exact (1..63) + 32 + 32 +
	 * 32 (64..511) + 31 (512..1000, up to bucket 992..1007) = 190; the
	 * earlier write (one sample, 7) left nothing behind. */
	ASSERT_EQ(q_int(c, "SELECT count(*) FROM latency_hist"
	    " WHERE run_id = 1 AND op = 'alloc_pages'"), 190);
	ASSERT_EQ(q_int(c, "SELECT sum(count) FROM latency_hist"
	    " WHERE run_id = 1 AND op = 'alloc_pages'"), 1000);
	ASSERT_STREQ(q_text(c, "SELECT bucket_high || ' ' || count || ' '"
	    " || cum_count FROM latency_hist WHERE run_id = 1"
	    " AND op = 'alloc_pages' AND bucket_low = 496"), "503 8 503");
	ASSERT_STREQ(q_text(c, "SELECT bucket_low || ' ' || bucket_high"
	    " || ' ' || cum_count FROM latency_hist WHERE run_id = 1"
	    " AND op = 'alloc_pages' ORDER BY bucket_low DESC LIMIT 1"),
	    "992 1007 1000");

	/* failures add up per (order, gfp, node); counters are set. */
	ASSERT_EQ(q_int(c, "SELECT count FROM failures WHERE run_id = 1"
	    " AND ord = 3 AND gfp = 'GFP_KERNEL' AND node = 0"), 5);
	ASSERT_EQ(q_int(c, "SELECT count FROM failures WHERE run_id = 1"
	    " AND ord = 9 AND gfp = 'GFP_ATOMIC' AND node = -1"), 1);
	ASSERT_EQ(q_int(c, "SELECT count(*) FROM failures"), 2);
	ASSERT_DBL_NEAR(q_dbl(c, "SELECT value FROM counters WHERE run_id = 1"
	    " AND name = 'ops.alloc_pages'"), 1001, 0);
	ASSERT_EQ(q_int(c, "SELECT count(*) FROM counters"), 2);

	ASSERT_STREQ(q_text(c, "PRAGMA integrity_check"), "ok");
	ASSERT_EQ(q_rows(c, "PRAGMA foreign_key_check"), 0);
	sqlite3_close(c);
	free(path);
}

TEST(huge_values_are_stored_as_real)
{
	char *path = tpath("huge.db"), *cause = NULL;
	struct hist *h = hist_new();
	struct db *db;
	int64_t run;
	sqlite3 *c;

	hist_record(h, UINT64_MAX);
	hist_record(h, 5);
	db = db_open(path, &cause);
	ASSERT(db != NULL);
	ASSERT_EQ(db_run_begin(db, &test_info, &run, &cause), 0);
	ASSERT_EQ(db_write_latency(db, run, "vmalloc", h, 0, &cause), 0);
	db_close(db);
	c = peek_open(path);
	ASSERT(c != NULL);
	/* Not wrapped into a negative integer. */
	ASSERT_STREQ(q_text(c, "SELECT typeof(max_cycles) FROM latency"), "real");
	ASSERT(q_dbl(c, "SELECT max_cycles FROM latency") > 1.8e19);
	ASSERT_EQ(q_int(c, "SELECT min_cycles FROM latency"), 5);
	/* cpu_mhz 0: no conversion to ns. */
	ASSERT_EQ(q_int(c, "SELECT cpu_mhz IS NULL AND p50_ns IS NULL"
	    " AND p50_cycles IS NOT NULL FROM latency"), 1);
	ASSERT(q_dbl(c, "SELECT max(bucket_high) FROM latency_hist") > 1.8e19);
	sqlite3_close(c);
	free(h);
	free(path);
}

TEST(two_runs_share_a_file)
{
	char *path = tpath("shared.db"), *cause = NULL;
	struct test_machine t;
	struct db *a, *b;
	int64_t ra, rb, rc;
	sqlite3 *c;

	tm_init(&t);
	/* Two writers on one file, as a parallel sweep has. */
	a = db_open(path, &cause);
	ASSERT(a != NULL);
	b = db_open(path, &cause);
	ASSERT(b != NULL);
	ASSERT_EQ(db_run_begin(a, &test_info, &ra, &cause), 0);
	ASSERT_EQ(db_run_begin(b, &test_info, &rb, &cause), 0);
	ASSERT_NE(ra, rb);
	ASSERT_EQ(write_snap(a, ra, &t.m, 1, 1, &cause), 0);
	ASSERT_EQ(write_snap(b, rb, &t.m, 2, 1, &cause), 0);
	ASSERT_EQ(write_snap(a, ra, &t.m, 3, 2, &cause), 0);
	ASSERT_EQ(db_write_counter(a, ra, "x", 1, &cause), 0);
	ASSERT_EQ(db_write_counter(b, rb, "x", 2, &cause), 0);
	db_close(a);
	db_close(b);

	/* Reopened: appended to, never re-created. */
	a = db_open(path, &cause);
	ASSERT(a != NULL);
	ASSERT_EQ(db_run_begin(a, &test_info, &rc, &cause), 0);
	ASSERT_GT(rc, rb);
	ASSERT_GT(rc, ra);
	db_close(a);

	c = peek_open(path);
	ASSERT(c != NULL);
	ASSERT_EQ(q_int(c, "SELECT count(*) FROM meta"), 2);
	ASSERT_EQ(q_int(c, "SELECT count(*) FROM runs"), 3);
	ASSERT_STREQ(q_text(c, "SELECT group_concat(seq) FROM (SELECT seq"
	    " FROM snapshots WHERE run_id = %lld ORDER BY seq)",
	    (long long)ra), "0,1");
	ASSERT_STREQ(q_text(c, "SELECT group_concat(seq) FROM snapshots"
	    " WHERE run_id = %lld", (long long)rb), "0");
	ASSERT_EQ(q_int(c, "SELECT count(*) FROM buddyinfo"
	    " WHERE run_id = %lld", (long long)ra), 44);
	ASSERT_EQ(q_int(c, "SELECT count(*) FROM buddyinfo"
	    " WHERE run_id = %lld", (long long)rb), 22);
	ASSERT_DBL_NEAR(q_dbl(c, "SELECT value FROM counters"
	    " WHERE run_id = %lld AND name = 'x'", (long long)rb), 2, 0);
	ASSERT_EQ(q_int(c, "SELECT count(*) FROM runs"
	    " WHERE status = 'running'"), 3);

	/* Deleting a run (foreign keys on) takes its rows with it. */
	ASSERT_EQ(sqlite3_exec(c, "PRAGMA foreign_keys = ON", NULL, NULL,
	    NULL), SQLITE_OK);
	ASSERT_EQ(q_int(c, "DELETE FROM runs WHERE run_id = %lld"
	    " RETURNING run_id", (long long)ra), ra);
	ASSERT_EQ(q_int(c, "SELECT count(*) FROM buddyinfo"
	    " WHERE run_id = %lld", (long long)ra), 0);
	ASSERT_EQ(q_int(c, "SELECT count(*) FROM snapshots"
	    " WHERE run_id = %lld", (long long)ra), 0);
	ASSERT_EQ(q_int(c, "SELECT count(*) FROM buddyinfo"), 22);
	sqlite3_close(c);
	free(path);
}

TEST(unfinished_run_stays_running)
{
	char *path = tpath("unfinished.db"), *cause = NULL;
	struct test_machine t;
	struct db *db;
	int64_t run;
	sqlite3 *c;

	tm_init(&t);
	db = db_open(path, &cause);
	ASSERT(db != NULL);
	ASSERT_EQ(db_run_begin(db, &test_info, &run, &cause), 0);

	/* The 'running' row is committed at once: another connection
	 * sees it while the run goes on. */
	c = peek_open(path);
	ASSERT(c != NULL);
	ASSERT_STREQ(q_text(c, "SELECT status FROM runs WHERE run_id = %lld",
	    (long long)run), "running");
	sqlite3_close(c);

	ASSERT_EQ(db_txn_begin(db, &cause), 0);
	ASSERT_EQ(write_snap(db, run, &t.m, 1, 1, &cause), 0);
	ASSERT_EQ(db_txn_commit(db, &cause), 0);
	/* Never committed: gone after close. */
	ASSERT_EQ(db_txn_begin(db, &cause), 0);
	ASSERT_EQ(write_snap(db, run, &t.m, 2, 2, &cause), 0);
	db_close(db);

	db = db_open(path, &cause);
	ASSERT(db != NULL);
	db_close(db);
	c = peek_open(path);
	ASSERT(c != NULL);
	ASSERT_STREQ(q_text(c, "SELECT status FROM runs WHERE run_id = %lld",
	    (long long)run), "running");
	ASSERT_EQ(q_int(c, "SELECT count(*) FROM snapshots WHERE run_id = %lld",
	    (long long)run), 1);
	ASSERT_EQ(q_int(c, "SELECT count(*) FROM snapshots WHERE is_final"),
	    0);
	sqlite3_close(c);
	free(path);
}

TEST(sigkill_leaves_running_and_committed_data)
{
	char *path = tpath("killed.db"), *wal, *cause = NULL;
	struct test_machine t;
	struct db *db;
	struct stat sb;
	int64_t run = -1;
	int status;
	pid_t pid;
	sqlite3 *c;

	tm_init(&t);
	xasprintf(&wal, "%s-wal", path);
	fflush(stdout);
	pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		/* Commit one snapshot, start another, die mid-transaction. */
		db = db_open(path, &cause);
		if (db == NULL ||
		    db_run_begin(db, &test_info, &run, &cause) != 0 ||
		    db_txn_begin(db, &cause) != 0 ||
		    write_snap(db, run, &t.m, 1, 1, &cause) != 0 ||
		    db_txn_commit(db, &cause) != 0 ||
		    db_txn_begin(db, &cause) != 0 ||
		    write_snap(db, run, &t.m, 2, 2, &cause) != 0)
			_exit(1);
		raise(SIGKILL);
		_exit(2);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	/* The write-ahead log is left behind... */
	ASSERT_EQ(stat(wal, &sb), 0);

	/* ...and recovered by the next opener. */
	db = db_open(path, &cause);
	if (db == NULL)
		TAP_FAIL("reopen: %s", cause);
	db_close(db);
	c = peek_open(path);
	ASSERT(c != NULL);
	ASSERT_STREQ(q_text(c, "PRAGMA integrity_check"), "ok");
	ASSERT_STREQ(q_text(c, "SELECT group_concat(status) FROM runs"),
	    "running");
	ASSERT_EQ(q_int(c, "SELECT count(*) FROM snapshots"), 1);
	ASSERT_EQ(q_int(c, "SELECT count(*) FROM buddyinfo"), 22);
	sqlite3_close(c);
	free(wal);
	free(path);
}

/* Expect db_open(path) to fail with exactly "PATH: msg". */
static int open_fails(const char *path, const char *msg)
{
	struct db *db;
	char *cause = NULL, *want;
	int ok;

	db = db_open(path, &cause);
	if (db != NULL) {
		printf("# %s: opened\n", path);
		db_close(db);
		return 0;
	}
	xasprintf(&want, "%s: %s", path, msg);
	ok = cause != NULL && strcmp(cause, want) == 0;
	if (!ok)
		printf("# want \"%s\"\n# got  \"%s\"\n", want,
		    cause ? cause : "(null)");
	free(want);
	free(cause);
	return ok;
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

TEST(refuse_not_sqlite)
{
	static const char text[] = "# kmsim trace\n- op: alloc_pages\n"
	    "  order: 3\n";
	char *path = tpath("trace.yaml"), buf[256];
	FILE *f;
	size_t n;

	ASSERT_EQ(write_file(path, text), 0);
	ASSERT(open_fails(path, "not a SQLite database"));
	/* Untouched. */
	f = fopen(path, "r");
	ASSERT(f != NULL);
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	ASSERT_STREQ(buf, text);
	free(path);
}

TEST(refuse_missing_directory)
{
	char *path = tpath("no/such/dir/results.db"), *dir = tpath("no"),
	    *msg;
	struct stat sb;

	xasprintf(&msg, "directory '%s/no/such/dir' does not exist", tmp_dir);
	ASSERT(open_fails(path, msg));
	ASSERT(stat(dir, &sb) != 0);
	free(msg);
	free(dir);
	free(path);
}

TEST(refuse_directory)
{
	char *path = tpath("adir");

	ASSERT_EQ(mkdir(path, 0755), 0);
	ASSERT(open_fails(path, "Is a directory"));
	ASSERT(open_fails(tmp_dir, "Is a directory"));
	free(path);
}

TEST(refuse_foreign_sqlite)
{
	char *path = tpath("foreign.db"), *meta = tpath("othermeta.db");
	sqlite3 *c;

	ASSERT_EQ(sqlite3_open(path, &c), SQLITE_OK);
	ASSERT_EQ(sqlite3_exec(c, "CREATE TABLE t (x); INSERT INTO t"
	    " VALUES (1)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(c);
	ASSERT(open_fails(path, "not a kmsim database"));
	/* Not converted to WAL, no table added. */
	c = peek_open(path);
	ASSERT(c != NULL);
	ASSERT_STREQ(q_text(c, "PRAGMA journal_mode"), "delete");
	ASSERT_EQ(q_int(c, "SELECT count(*) FROM sqlite_master"), 1);
	sqlite3_close(c);

	/* A meta table is not enough: the creator must be kmsim. */
	ASSERT_EQ(sqlite3_open(meta, &c), SQLITE_OK);
	ASSERT_EQ(sqlite3_exec(c, "CREATE TABLE meta (key PRIMARY KEY,"
	    " value); INSERT INTO meta VALUES ('schema_version', 1),"
	    " ('creator', 'other')", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(c);
	ASSERT(open_fails(meta, "not a kmsim database"));
	free(meta);
	free(path);
}

TEST(refuse_newer_schema)
{
	char *path = tpath("newer.db"), *cause = NULL;
	struct db *db;
	sqlite3 *c;

	db = db_open(path, &cause);
	ASSERT(db != NULL);
	db_close(db);
	c = peek_open(path);
	ASSERT(c != NULL);
	ASSERT_EQ(sqlite3_exec(c, "UPDATE meta SET value = 2"
	    " WHERE key = 'schema_version'", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(c);
	ASSERT(open_fails(path,
	    "schema version 2 is newer than this kmsim supports (1)"));

	/* meta.value is untyped: a version written as text counts too. */
	c = peek_open(path);
	ASSERT(c != NULL);
	ASSERT_EQ(sqlite3_exec(c, "UPDATE meta SET value = '999'"
	    " WHERE key = 'schema_version'", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(c);
	ASSERT(open_fails(path,
	    "schema version 999 is newer than this kmsim supports (1)"));
	c = peek_open(path);
	ASSERT(c != NULL);
	ASSERT_EQ(sqlite3_exec(c, "UPDATE meta SET value = '1x'"
	    " WHERE key = 'schema_version'", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(c);
	ASSERT(open_fails(path,
	    "kmsim database without a valid schema version"));
	free(path);
}

/* The tables each schema version added (version 1: the rest). */
static const char *const tables_added[DB_SCHEMA_VERSION + 1][4] = {
	[2] = { "params" },
	[3] = { "pagetypeinfo", "vmstat", "numa_allocs" },
	[4] = { "slabinfo" },
};

static int64_t nr_tables(sqlite3 *c)
{
	return q_int(c, "SELECT count(*) FROM sqlite_master"
	    " WHERE type = 'table'");
}

/*
 * A database of schema `version` with one complete run, as that version
 * wrote it: the current schema less the later versions' tables, its
 * user_version set to `version` (0: from before the versions were
 * numbered, with the later tables of `keep` still there).
 */
static char *old_db(const char *name, int version, int user_version,
    int keep)
{
	char *path = tpath(name), *cause = NULL;
	struct db_run_end end = { .status = "complete" };
	struct db *db;
	int64_t run;
	sqlite3 *c;
	int v, i;

	db = db_open(path, &cause);
	if (db == NULL || db_run_begin(db, &test_info, &run, &cause) != 0 ||
	    db_run_end(db, run, &end, &cause) != 0) {
		printf("# %s: %s\n", path, cause ? cause : "?");
		exit(99);
	}
	db_close(db);
	c = peek_open(path);
	for (v = version + 1; v <= DB_SCHEMA_VERSION; v++) {
		if (v == keep)
			continue;
		for (i = 0; i < 4 && tables_added[v][i] != NULL; i++) {
			char *sql;

			xasprintf(&sql, "DROP TABLE %s", tables_added[v][i]);
			if (sqlite3_exec(c, sql, NULL, NULL, NULL) != SQLITE_OK)
				exit(99);
			free(sql);
		}
	}
	{
		char *sql;

		xasprintf(&sql, "PRAGMA user_version = %d", user_version);
		if (sqlite3_exec(c, sql, NULL, NULL, NULL) != SQLITE_OK)
			exit(99);
		free(sql);
	}
	sqlite3_close(c);
	return path;
}

/* Open, append a run: the file must then have the whole schema, its
 * old run and the new one. */
static void check_upgrades(const char *path)
{
	char *cause = NULL, *fresh_path;
	struct db *db;
	int64_t run;
	sqlite3 *c, *fresh;

	db = db_open(path, &cause);
	if (db == NULL)
		TAP_FAIL("%s: %s", path, cause);
	if (db_run_begin(db, &test_info, &run, &cause) != 0) {
		db_close(db);
		TAP_FAIL("%s: %s", path, cause);
	}
	db_close(db);
	ASSERT_EQ(run, 2);
	fresh_path = tpath("fresh.db");
	db = db_open(fresh_path, &cause);
	fresh = db != NULL ? peek_open(fresh_path) : NULL;
	db_close(db);
	free(fresh_path);
	c = peek_open(path);
	ASSERT(c != NULL && fresh != NULL);
	ASSERT_EQ(q_int(c, "PRAGMA user_version"), DB_SCHEMA_VERSION);
	ASSERT_EQ(q_int(c, "SELECT value FROM meta"
	    " WHERE key = 'schema_version'"), DB_META_SCHEMA_VERSION);
	ASSERT_EQ(nr_tables(c), nr_tables(fresh));
	ASSERT_EQ(q_int(c, "SELECT count(*) FROM sqlite_master"),
	    q_int(fresh, "SELECT count(*) FROM sqlite_master"));
	ASSERT_STREQ(q_text(c, "SELECT group_concat(status) FROM"
	    " (SELECT status FROM runs ORDER BY run_id)"), "complete,running");
	sqlite3_close(fresh);
	sqlite3_close(c);
}

TEST(schema_version_is_user_version)
{
	char *path = old_db("v-now.db", DB_SCHEMA_VERSION, DB_SCHEMA_VERSION,
	    0);
	sqlite3 *c;

	c = peek_open(path);
	ASSERT(c != NULL);
	ASSERT_EQ(q_int(c, "PRAGMA user_version"), DB_SCHEMA_VERSION);
	/* 15 of the schema's and SQLite's sqlite_sequence */
	ASSERT_EQ(nr_tables(c), 16);
	sqlite3_close(c);
	/* opening it again changes nothing */
	check_upgrades(path);
	free(path);
}

/* Every older version is brought to the current one on open. */
TEST(older_schema_versions_are_upgraded)
{
	char name[32], *path;
	int v;

	for (v = 1; v < DB_SCHEMA_VERSION; v++) {
		snprintf(name, sizeof name, "v%d.db", v);
		path = old_db(name, v, v, 0);
		printf("# from version %d\n", v);
		check_upgrades(path);
		free(path);
		if (tap_cur_failed)
			return;
	}
}

/* Files from before the versions were numbered: user_version 0, schema
 * 1 with any of the tables added since. */
TEST(unnumbered_schema_is_upgraded)
{
	char *path;
	sqlite3 *c;

	path = old_db("v0-all.db", 1, 0, 0);
	c = peek_open(path);
	ASSERT(c != NULL);
	ASSERT_EQ(q_int(c, "PRAGMA user_version"), 0);
	sqlite3_close(c);
	check_upgrades(path);
	free(path);
	/* params and slabinfo there, the page allocator's tables not */
	path = old_db("v0-some.db", 2, 0, 4);
	check_upgrades(path);
	free(path);
	/* everything there: only the version is written */
	path = old_db("v0-none.db", DB_SCHEMA_VERSION, 0, 0);
	check_upgrades(path);
	free(path);
}

TEST(newer_user_version_is_refused)
{
	char *path, msg[128];
	sqlite3 *c;

	path = old_db("v-next.db", DB_SCHEMA_VERSION, DB_SCHEMA_VERSION + 1,
	    0);
	snprintf(msg, sizeof msg, "schema version %d is newer than this"
	    " kmsim supports (%d)", DB_SCHEMA_VERSION + 1, DB_SCHEMA_VERSION);
	ASSERT(open_fails(path, msg));
	c = peek_open(path);
	ASSERT(c != NULL);
	ASSERT_EQ(q_int(c, "PRAGMA user_version"), DB_SCHEMA_VERSION + 1);
	ASSERT_EQ(sqlite3_exec(c, "PRAGMA user_version = -1", NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_close(c);
	ASSERT(open_fails(path, "kmsim database without a valid schema"
	    " version"));
	free(path);
}

/* The migrations run in one transaction: one that fails leaves the file
 * as it was, version and tables. */
TEST(failed_migration_changes_nothing)
{
	char *path;
	sqlite3 *c;

	/* version 2, and a view where version 4 puts a table: version 3
	 * applies, 4 fails (a view cannot be indexed) */
	path = old_db("v2-view.db", 2, 2, 0);
	c = peek_open(path);
	ASSERT(c != NULL);
	ASSERT_EQ(sqlite3_exec(c, "CREATE VIEW slabinfo AS SELECT 1 AS"
	    " run_id", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(c);
	ASSERT(open_fails(path, "adding the slabinfo table: views may not be"
	    " indexed"));
	c = peek_open(path);
	ASSERT(c != NULL);
	ASSERT_EQ(q_int(c, "PRAGMA user_version"), 2);
	ASSERT_EQ(q_int(c, "SELECT count(*) FROM sqlite_master"
	    " WHERE name IN ('pagetypeinfo', 'vmstat', 'numa_allocs')"), 0);
	sqlite3_close(c);
	free(path);
}

TEST(empty_file_and_empty_path)
{
	char *path = tpath("empty.db"), *cause = NULL;
	struct db *db;
	sqlite3 *c;

	/* A zero-length file is an empty SQLite database: made a kmsim one. */
	ASSERT_EQ(write_file(path, ""), 0);
	db = db_open(path, &cause);
	ASSERT(db != NULL);
	ASSERT_STREQ(db_path(db), path);
	db_close(db);
	c = peek_open(path);
	ASSERT(c != NULL);
	ASSERT_STREQ(q_text(c, "SELECT value FROM meta"
	    " WHERE key = 'creator'"), "kmsim");
	sqlite3_close(c);

	ASSERT(db_open("", &cause) == NULL);
	ASSERT_STREQ(cause, "the database path is empty");
	free(cause);
	free(path);
}

TEST(misuse_is_refused)
{
	char *path = tpath("misuse.db"), *cause = NULL;
	struct test_machine t;
	struct db_run_end end = { .status = "running" };
	struct db *db;
	int64_t run, other;

	tm_init(&t);
	db = db_open(path, &cause);
	ASSERT(db != NULL);
	ASSERT_EQ(db_run_begin(db, &test_info, &run, &cause), 0);

	ASSERT_EQ(db_txn_commit(db, &cause), -1);
	ASSERT_CONTAINS(cause, "no transaction is open");
	free(cause);
	cause = NULL;
	ASSERT_EQ(db_txn_rollback(db), 0);
	ASSERT_EQ(db_txn_begin(db, &cause), 0);
	ASSERT_EQ(db_txn_begin(db, &cause), -1);
	ASSERT_CONTAINS(cause, "a transaction is already open");
	free(cause);
	cause = NULL;
	ASSERT_EQ(db_run_begin(db, &test_info, &other, &cause), -1);
	ASSERT_CONTAINS(cause, "a transaction is open");
	free(cause);
	cause = NULL;
	ASSERT_EQ(db_txn_rollback(db), 0);

	/* A snapshot of a run that does not exist. */
	ASSERT_EQ(write_snap(db, run + 100, &t.m, 1, 1, &cause), -1);
	ASSERT_CONTAINS(cause, "FOREIGN KEY");
	free(cause);
	cause = NULL;

	ASSERT_EQ(db_run_end(db, run, &end, &cause), -1);
	ASSERT_CONTAINS(cause, "invalid run status 'running'");
	free(cause);
	cause = NULL;
	end.status = "complete";
	ASSERT_EQ(db_run_end(db, 999, &end, &cause), -1);
	ASSERT_CONTAINS(cause, "no run 999");
	free(cause);
	cause = NULL;
	ASSERT_EQ(db_run_end(db, run, &end, &cause), 0);
	db_close(db);
	free(path);
}

TEST(write_failure_is_an_error)
{
	char *path = tpath("full.db"), *cause = NULL;
	struct test_machine t;
	struct db_run_end end = { .status = "failed", .error = "disk full" };
	struct hist *h = hist_new();
	struct db *db;
	sqlite3 *conn, *c;
	int64_t run, pages, snaps, rows;
	int i, rc = 0;
	char *sql;
	uint64_t v;

	tm_init(&t);
	/* Values 2.5 % apart: one in nearly every bucket up to 2^62. */
	for (v = 1; v < UINT64_MAX / 4; v += v / 40 + 1)
		hist_record(h, v);
	db = db_open(path, &cause);
	ASSERT(db != NULL);
	ASSERT_EQ(db_run_begin(db, &test_info, &run, &cause), 0);
	ASSERT_EQ(write_snap(db, run, &t.m, 1, 1, &cause), 0);

	/* The file may not grow past its current size: a full disk. */
	conn = db_connection(db);
	pages = q_int(conn, "PRAGMA page_count");
	ASSERT_GT(pages, 0);
	xasprintf(&sql, "PRAGMA max_page_count = %lld", (long long)pages);
	ASSERT_EQ(sqlite3_exec(conn, sql, NULL, NULL, NULL), SQLITE_OK);
	free(sql);

	ASSERT_EQ(db_txn_begin(db, &cause), 0);
	for (i = 0; i < 10000; i++) {
		rc = write_snap(db, run, &t.m, 10 + (uint64_t)i, 1,
		    &cause);
		if (rc != 0)
			break;
	}
	ASSERT_EQ(rc, -1);
	ASSERT(strncmp(cause, path, strlen(path)) == 0);
	ASSERT_CONTAINS(cause, "writing a snapshot: database or disk is full");
	free(cause);
	cause = NULL;
	/* SQLite may have rolled the whole transaction back (it does on
	 * SQLITE_FULL): then later writes of the batch are refused rather
	 * than committed on their own, and so is the commit. */
	if (db_write_counter(db, run, "after", 1, &cause) != 0) {
		ASSERT_CONTAINS(cause, "the transaction was rolled back");
		free(cause);
		cause = NULL;
		ASSERT_EQ(db_txn_commit(db, &cause), -1);
		ASSERT_CONTAINS(cause, "the transaction was rolled back");
		free(cause);
		cause = NULL;
	} else
		ASSERT_EQ(db_txn_commit(db, &cause), 0);

	/* A histogram of ~1700 buckets does not fit either, and is not
	 * half written. */
	ASSERT_EQ(db_write_latency(db, run, "alloc_pages", h, 1000, &cause),
	    -1);
	ASSERT_CONTAINS(cause, "database or disk is full");
	free(cause);
	cause = NULL;

	/* Ending the run rewrites its row in place, which still fits. */
	ASSERT_EQ(db_run_end(db, run, &end, &cause), 0);
	db_close(db);

	c = peek_open(path);
	ASSERT(c != NULL);
	ASSERT_STREQ(q_text(c, "SELECT status FROM runs"), "failed");
	snaps = q_int(c, "SELECT count(*) FROM snapshots");
	rows = q_int(c, "SELECT count(*) FROM buddyinfo");
	ASSERT_GE(snaps, 1);
	/* Whole snapshots only: no snapshot's rows were half written. */
	ASSERT_EQ(rows, 22 * snaps);
	ASSERT_EQ(q_int(c, "SELECT count(*) FROM fragmentation"), 22 * snaps);
	ASSERT_EQ(q_int(c, "SELECT count(*) FROM zones"), 2 * snaps);
	ASSERT_EQ(q_int(c, "SELECT count(*) FROM latency"), 0);
	ASSERT_EQ(q_int(c, "SELECT count(*) FROM latency_hist"), 0);
	ASSERT_STREQ(q_text(c, "PRAGMA integrity_check"), "ok");
	sqlite3_close(c);
	free(h);
	free(path);
}

TEST(failed_snapshot_leaves_nothing)
{
	char *path = tpath("partial.db"), *cause = NULL;
	struct test_machine t;
	struct db *db;
	int64_t run;
	sqlite3 *conn, *c;

	tm_init(&t);
	db = db_open(path, &cause);
	ASSERT(db != NULL);
	ASSERT_EQ(db_run_begin(db, &test_info, &run, &cause), 0);
	conn = db_connection(db);
	/* Fail the second zone's row: by then the snapshot row, the first
	 * zone's rows and the second zone's buddyinfo are written.  An
	 * ABORT ends the statement, not the transaction. */
	ASSERT_EQ(sqlite3_exec(conn, "CREATE TEMP TRIGGER fail_zone BEFORE"
	    " INSERT ON main.zones WHEN NEW.node = 1 BEGIN"
	    " SELECT RAISE(ABORT, 'injected failure'); END", NULL, NULL,
	    NULL), SQLITE_OK);

	/* Inside the caller's transaction. */
	ASSERT_EQ(db_txn_begin(db, &cause), 0);
	ASSERT_EQ(write_snap(db, run, &t.m, 1, 1, &cause), -1);
	ASSERT_CONTAINS(cause, "writing a snapshot: injected failure");
	free(cause);
	cause = NULL;
	ASSERT_EQ(db_write_counter(db, run, "still.in.txn", 1, &cause), 0);
	ASSERT_EQ(db_txn_commit(db, &cause), 0);
	/* Outside one. */
	ASSERT_EQ(write_snap(db, run, &t.m, 2, 2, &cause), -1);
	free(cause);
	cause = NULL;

	ASSERT_EQ(sqlite3_exec(conn, "DROP TRIGGER fail_zone", NULL, NULL,
	    NULL), SQLITE_OK);
	ASSERT_EQ(write_snap(db, run, &t.m, 3, 3, &cause), 0);
	db_close(db);

	c = peek_open(path);
	ASSERT(c != NULL);
	/* Only the last snapshot, numbered 0: the failed ones left no
	 * row in any table. */
	ASSERT_STREQ(q_text(c, "SELECT group_concat(seq || '@' || sim_cycles)"
	    " FROM snapshots"), "0@3");
	ASSERT_EQ(q_int(c, "SELECT count(*) FROM buddyinfo"), 22);
	ASSERT_EQ(q_int(c, "SELECT count(*) FROM fragmentation"), 22);
	ASSERT_EQ(q_int(c, "SELECT count(*) FROM zones"), 2);
	ASSERT_EQ(q_int(c, "SELECT count(*) FROM counters"), 1);
	sqlite3_close(c);
	free(path);
}

/* The man page, from the source tree (make check sets top_srcdir). */
static char *man_page_path(void)
{
	const char *top = getenv("top_srcdir"), *file = __FILE__;
	const char *tail = "tests/unit/test-db.c";
	size_t n = strlen(file), t = strlen(tail);
	char *p;

	if (top != NULL && *top != '\0')
		xasprintf(&p, "%s/man/kmsim-db.5", top);
	else if (n >= t && strcmp(&file[n - t], tail) == 0)
		xasprintf(&p, "%.*sman/kmsim-db.5", (int)(n - t), file);
	else
		p = xstrdup("man/kmsim-db.5");
	return p;
}

/* The page allocator's tables: a row per type and zone per snapshot,
 * the counters per snapshot, the node pairs once. */
TEST(buddy_tables)
{
	char *path = tpath("buddy.db");
	sqlite3 *c;

	ASSERT_EQ(populate(path), 0);
	c = peek_open(path);
	ASSERT(c != NULL);
	/* 2 snapshots of run 1 x 2 zones x 6 types, plus the other runs */
	ASSERT_EQ(q_int(c, "SELECT count(*) FROM pagetypeinfo"
	    " WHERE run_id = 1"), 2 * 2 * 6);
	ASSERT_EQ(q_int(c, "SELECT pageblocks FROM pagetypeinfo"
	    " WHERE run_id = 1 AND zone = 'Normal' AND migratetype ="
	    " 'Unmovable' ORDER BY snapshot_id LIMIT 1"), 100);
	ASSERT_EQ(q_int(c, "SELECT mixed FROM pagetypeinfo WHERE run_id"
	    " = 1 AND zone = 'DMA32' AND migratetype = 'Movable' LIMIT 1"), 1);
	/* free pages per type: the DMA32 lists are all on type 0 here */
	ASSERT_EQ(q_int(c, "SELECT free_pages FROM pagetypeinfo"
	    " WHERE run_id = 1 AND zone = 'DMA32' AND migratetype ="
	    " 'Unmovable' ORDER BY snapshot_id LIMIT 1"), 0);
	ASSERT_EQ(q_int(c, "SELECT max(value) FROM vmstat WHERE run_id = 1"
	    " AND name = 'pgalloc'"), 6000);
	ASSERT_EQ(q_int(c, "SELECT max(value) - min(value) FROM vmstat"
	    " WHERE run_id = 1 AND name = 'extfrag_fallback'"), 3);
	ASSERT_EQ(q_int(c, "SELECT count(*) FROM numa_allocs"), 3);
	ASSERT_EQ(q_int(c, "SELECT count FROM numa_allocs WHERE"
	    " from_node = 0 AND to_node = 1"), 10);
	sqlite3_close(c);
	free(path);
}

/* The slab caches of run 1's second snapshot, as write_slab() made
 * them: /proc/slabinfo's columns and the bytes asked for and given. */
TEST(slab_table)
{
	char *path = tpath("slab.db");
	sqlite3 *c;

	ASSERT_EQ(populate(path), 0);
	c = peek_open(path);
	ASSERT(c != NULL);
	/* the two caches allocated from, at run 1's second snapshot only */
	ASSERT_EQ(q_int(c, "SELECT count(*) FROM slabinfo"), 2);
	ASSERT_EQ(q_int(c, "SELECT count(*) FROM slabinfo l JOIN snapshots s"
	    " ON s.snapshot_id = l.snapshot_id WHERE s.run_id = 1"
	    " AND s.seq = 1 AND l.run_id = 1"), 2);
	ASSERT_EQ(q_int(c, "SELECT objsize FROM slabinfo"
	    " WHERE cache = 'test_obj'"), 600);
	ASSERT_EQ(q_int(c, "SELECT bytes_requested FROM slabinfo"
	    " WHERE cache = 'test_obj'"), 20 * 600);
	ASSERT_EQ(q_int(c, "SELECT bytes_requested FROM slabinfo"
	    " WHERE cache = 'kmalloc-128'"), 100 * 100);
	ASSERT_EQ(q_int(c, "SELECT bytes_allocated FROM slabinfo"
	    " WHERE cache = 'kmalloc-128'"), 100 * 128);
	/* at least the live objects, in whole slabs of 4 KiB pages */
	ASSERT_EQ(q_int(c, "SELECT count(*) FROM slabinfo"
	    " WHERE active_objs <= num_objs AND num_objs = num_slabs * objperslab"
	    " AND active_slabs = num_slabs"
	    " AND slab_bytes = num_slabs * pagesperslab * 4096"
	    " AND slab_bytes >= active_objs * objsize"), 2);
	ASSERT_EQ(q_int(c, "SELECT active_objs >= 100 FROM slabinfo"
	    " WHERE cache = 'kmalloc-128'"), 1);
	sqlite3_close(c);
	free(path);
}

TEST(man_page_examples)
{
	char *path = tpath("examples.db"), *man = man_page_path();
	char line[1024], *sql = NULL, *name = NULL;
	size_t len = 0;
	int nexamples = 0, in_block = 0, rows, rc;
	sqlite3_stmt *st;
	const char *tail;
	sqlite3 *c;
	FILE *f;

	ASSERT_EQ(populate(path), 0);
	c = peek_open(path);
	ASSERT(c != NULL);
	f = fopen(man, "r");
	if (f == NULL)
		TAP_FAIL("%s: %s", man, strerror(errno));

	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, ".Bd -literal", 12) == 0) {
			in_block = 1;
			len = 0;
			continue;
		}
		if (!in_block)
			continue;
		if (strncmp(line, ".Ed", 3) != 0) {
			sql = xreallocarray(sql, len + strlen(line) + 1, 1);
			memcpy(sql + len, line, strlen(line) + 1);
			len += strlen(line);
			continue;
		}
		in_block = 0;
		if (len == 0 || strncmp(sql, "-- example: ", 12) != 0)
			continue;
		nexamples++;
		free(name);
		name = xstrndup(sql + 12, strcspn(sql + 12, "\n"));
		ASSERT(strchr(sql, '\\') == NULL);	/* no roff escapes */
		if (sqlite3_prepare_v2(c, sql, -1, &st, &tail) != SQLITE_OK)
			TAP_FAIL("example %s: %s", name, sqlite3_errmsg(c));
		ASSERT(st != NULL);
		/* One statement per example. */
		tail += strspn(tail, " \t\n");
		if (*tail != '\0') {
			sqlite3_finalize(st);
			TAP_FAIL("example %s: more than one statement", name);
		}
		rows = 0;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			rows++;
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			TAP_FAIL("example %s: %s", name, sqlite3_errmsg(c));
		/* The test database has data for every example. */
		if (rows == 0)
			TAP_FAIL("example %s: no rows", name);
		printf("# example %s: %d rows\n", name, rows);
	}
	fclose(f);
	ASSERT_EQ(in_block, 0);
	ASSERT_GE(nexamples, 5);
	sqlite3_close(c);
	free(name);
	free(sql);
	free(man);
	free(path);
}

int main(void)
{
	const char *base = getenv("TMPDIR");
	char *templ;
	int rc;

	xasprintf(&templ, "%s/kmsim-test-db.XXXXXX",
	    base != NULL && *base != '\0' ? base : "/tmp");
	tmp_dir = mkdtemp(templ);
	if (tmp_dir == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	RUN(create_and_read_back);
	RUN(huge_values_are_stored_as_real);
	RUN(two_runs_share_a_file);
	RUN(unfinished_run_stays_running);
	RUN(sigkill_leaves_running_and_committed_data);
	RUN(refuse_not_sqlite);
	RUN(refuse_missing_directory);
	RUN(refuse_directory);
	RUN(refuse_foreign_sqlite);
	RUN(refuse_newer_schema);
	RUN(schema_version_is_user_version);
	RUN(older_schema_versions_are_upgraded);
	RUN(unnumbered_schema_is_upgraded);
	RUN(newer_user_version_is_refused);
	RUN(failed_migration_changes_nothing);
	RUN(empty_file_and_empty_path);
	RUN(misuse_is_refused);
	RUN(write_failure_is_an_error);
	RUN(failed_snapshot_leaves_nothing);
	RUN(buddy_tables);
	RUN(slab_table);
	RUN(man_page_examples);
	rc = tap_done();
	rm_tree(tmp_dir);
	free(templ);
	return rc;
}
