/*
 * test-results.c - the results table and snapshots: figures reach the
 * summary at their paths and the counters table under their names, a
 * snapshot's fragmentation indices are mm/vmstat.c's.
 */
#include <unistd.h>

#include <sqlite3.h>

#include "mkmachine.h"
#include "results/db.h"
#include "results/results.h"
#include "results/snapshot.h"
#include "tap.h"

static const char *json_str(json_t *root, const char *a, const char *b)
{
	json_t *o = json_object_get(root, a);

	return json_string_value(b != NULL ? json_object_get(o, b) : o);
}

static json_int_t json_int(json_t *root, const char *a, const char *b,
    const char *c)
{
	json_t *o = json_object_get(root, a);

	if (b != NULL)
		o = json_object_get(o, b);
	if (c != NULL)
		o = json_object_get(o, c);
	return json_integer_value(o);
}

/* A figure reaches the summary at its dotted path, nested objects made
 * as needed; a later part replaces an earlier one at the same path. */
TEST(json_paths)
{
	struct results a, b;
	const struct results *parts[2] = { &a, &b };
	json_t *j, *tree = json_pack("{s:i, s:{s:i}, s:[i]}", "n", 3, "sub",
	    "m", 4, "list", 5);

	results_init(&a);
	results_init(&b);
	results_u64(&a, "alloc.failures", "failures.total", 7);
	results_u64(&a, "db.only", NULL, 1);
	results_str(&a, "status", "complete");
	results_str(&a, "absent", NULL);
	results_real(&a, NULL, "wall", 0.5);
	results_u64(&b, NULL, "failures.total", 9);
	results_tree(&b, "t", "tree", tree);
	j = results_json(parts, 2);
	ASSERT_EQ(json_int(j, "failures", "total", NULL), 9);
	ASSERT_STREQ(json_str(j, "status", NULL), "complete");
	ASSERT(json_object_get(j, "absent") == NULL);
	ASSERT(json_object_get(j, "db") == NULL);
	ASSERT_DBL_NEAR(json_real_value(json_object_get(j, "wall")), 0.5,
	    1e-9);
	ASSERT_EQ(json_int(j, "tree", "n", NULL), 3);
	ASSERT_EQ(json_int(j, "tree", "sub", "m"), 4);
	ASSERT_EQ(json_array_size(json_object_get(json_object_get(j, "tree"),
	    "list")), 1);
	/* the latency object is always there */
	ASSERT(json_is_object(json_object_get(j, "latency")));
	json_decref(j);
	json_decref(tree);
	results_fini(&a);
	results_fini(&b);
}

static int count_rows(sqlite3 *sq, const char *sql)
{
	sqlite3_stmt *st;
	int n = -1;

	if (sqlite3_prepare_v2(sq, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

static double counter(sqlite3 *sq, const char *name)
{
	sqlite3_stmt *st;
	double v = -1;

	if (sqlite3_prepare_v2(sq, "SELECT value FROM counters WHERE name = ?1",
	    -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_double(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The counters table holds the figures with a database name: numbers of
 * a tree flattened, zeros of RESULT_DB_NONZERO figures left out, a
 * histogram row once it holds a value or when it asks for one anyway. */
TEST(db_rows)
{
	char path[] = "/tmp/kmsim-test-results-XXXXXX", *cause = NULL;
	struct db_run_info info = { .config_json = "{}", .config_path = "c",
	    .trace_path = "t", .trace_format = "yaml", .mode = "simulate",
	    .version = "0", .command_line = "kmsim" };
	struct results r;
	struct hist h, empty;
	json_t *tree = json_pack("{s:{s:i}, s:s}", "a", "b", 2, "s", "x");
	struct db *db;
	sqlite3 *sq;
	int64_t run;
	int fd;

	fd = mkstemp(path);
	ASSERT(fd >= 0);
	close(fd);
	unlink(path);
	hist_init(&h);
	hist_init(&empty);
	hist_record(&h, 100);
	results_init(&r);
	r.cpu_mhz = 1000;
	results_u64(&r, "x.one", "one", 1);
	results_u64(&r, NULL, "json.only", 2);
	results_tree(&r, "tr", "tree", tree);
	results_hist(&r, "timed", &h, false);
	results_hist(&r, "untimed_op", &empty, true);
	results_hist(&r, "never", &empty, false);
	db = db_open(path, &cause);
	ASSERT(db != NULL);
	ASSERT_EQ(db_run_begin(db, &info, &run, &cause), 0);
	ASSERT_EQ(results_write_db(&r, db, run, &cause), 0);
	sq = db_connection(db);
	ASSERT_DBL_NEAR(counter(sq, "x.one"), 1, 0);
	ASSERT_DBL_NEAR(counter(sq, "tr.a.b"), 2, 0);
	ASSERT_EQ(count_rows(sq, "SELECT count(*) FROM counters"), 2);
	ASSERT_EQ(count_rows(sq, "SELECT count(*) FROM latency"), 2);
	ASSERT_EQ(count_rows(sq, "SELECT count(*) FROM latency WHERE"
	    " op = 'never'"), 0);
	db_close(db);
	unlink(path);
	results_fini(&r);
	json_decref(tree);
}

/* A snapshot's indices are mm/vmstat.c's: with every free page in one
 * order-3 block, an order-3 request is fully served (unusable 0) and an
 * order-4 one fails on fragmentation of no free memory (1000). */
TEST(snapshot_indices)
{
	struct config cfg;
	struct config_node nodes[1];
	struct snapshot snap;
	struct snapshot_src src;
	struct machine *m;
	char *cause = NULL;
	int i;

	mk_config(&cfg, nodes, 1, 64 * MiB, 0, 0);
	m = machine_create(&cfg, &cause);
	ASSERT(m != NULL);
	memset(&src, 0, sizeof src);
	src.m = m;
	snapshot_init(&snap);
	snapshot_take(&snap, &src, 10, 20);
	ASSERT_UEQ(snap.cycles, 10);
	ASSERT_UEQ(snap.ns, 20);
	ASSERT_EQ(snap.nr_zones, m->nr_zones);
	for (i = 0; i < snap.nr_zones; i++) {
		const struct snapshot_zone *z = &snap.zones[i];
		uint64_t pages = 0;
		unsigned o, top = KMSIM_MIN(snap.max_order, NR_ORDERS_MAX - 1);

		for (o = 0; o < snap.nr_orders && o < NR_ORDERS_MAX; o++)
			pages += z->nr_free[o] << o;
		ASSERT_UEQ(pages, m->zones[i]->free_pages);
		/* a fresh zone is all max-order blocks: every order is
		 * served and none is fragmented */
		ASSERT_EQ(z->unusable[0], 0);
		ASSERT_EQ(z->unusable[top], 0);
		ASSERT_EQ(z->extfrag[top], -1000);
	}
	/* take it again after an allocation: the free pages follow */
	{
		uint64_t before = snap.zones[0].free_pages;
		uint64_t pfn = mk_alloc(m, 0, GFP_KERNEL, 0, NULL);

		ASSERT(pfn != OP_PFN_NONE);
		snapshot_take(&snap, &src, 11, 21);
		ASSERT_UEQ(snap.zones[0].free_pages, m->zones[0]->free_pages);
		ASSERT_LT(snap.zones[0].free_pages, before);
		ASSERT_UEQ(snap.vm_events[PGALLOC], m->vm_events[PGALLOC]);
	}
	snapshot_fini(&snap);
	machine_destroy(m);
}

int main(void)
{
	RUN(json_paths);
	RUN(db_rows);
	RUN(snapshot_indices);
	return tap_done();
}
