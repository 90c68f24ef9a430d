/*
 * test-sim.c - the run loop: small YAML traces run through sim_create()
 * and sim_run() on machines built by hand, and what the summary says of
 * them: the ops counted, --lenient's skips, a bad op's error at its
 * FILE:LINE:COL, kswapd woken under pressure, the same summary twice.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "mkmachine.h"
#include "sim.h"
#include "tap.h"
#include "trace/trace.h"

#define NAME "test.yaml"

struct run {
	int rc;			/* sim_run()'s */
	char *cause;
	json_t *summary;
};

/* Run text on a one-node machine of mem bytes. */
static void run(const char *text, uint64_t mem, bool lenient, struct run *r)
{
	struct config cfg;
	struct config_node nodes[1];
	struct sim_options opt;
	struct trace_source *ts;
	struct sim *s;

	memset(r, 0, sizeof *r);
	mk_config(&cfg, nodes, 1, mem, 0, 0);
	memset(&opt, 0, sizeof opt);
	opt.lenient = lenient;
	opt.check = true;
	s = sim_create(&cfg, &opt, &r->cause);
	if (s == NULL) {
		r->rc = -2;
		return;
	}
	ts = trace_yaml_open_string(NAME, text, &r->cause);
	if (ts == NULL) {
		r->rc = -3;
		sim_destroy(s);
		return;
	}
	r->rc = sim_run(s, ts, NULL, &r->cause);
	r->summary = sim_summary_json(s);
	/* what the run measured on the host differs run by run */
	json_object_del(r->summary, "wall_seconds");
	json_object_del(r->summary, "max_rss_kb");
	sim_destroy(s);
	trace_close(ts);
}

static void run_fini(struct run *r)
{
	free(r->cause);
	json_decref(r->summary);
}

static json_int_t get(const json_t *o, const char *a, const char *b)
{
	const json_t *v = json_object_get(o, a);

	if (b != NULL)
		v = json_object_get(v, b);
	return json_is_integer(v) ? json_integer_value(v) : -1;
}

static const char churn[] =
    "ops:\n"
    "  - {op: alloc_pages, id: a, order: 2, cpu: 1}\n"
    "  - {op: kmalloc, id: k, size: 200}\n"
    "  - {op: vmalloc, id: v, size: 65536}\n"
    "  - {op: access, id: v, count: 4}\n"
    "  - {op: kfree, id: k}\n"
    "  - {op: vfree, id: v}\n"
    "  - {op: free_pages, id: a}\n"
    "  - {op: alloc_pages, id: b, order: 0}\n";

TEST(ops_are_counted)
{
	struct run r;

	run(churn, 64 * MiB, false, &r);
	ASSERT_EQ(r.rc, 0);
	ASSERT_STREQ(json_string_value(json_object_get(r.summary, "status")),
	    "complete");
	ASSERT_EQ(get(r.summary, "events", NULL), 8);
	ASSERT_EQ(get(r.summary, "ops", "alloc_pages"), 2);
	ASSERT_EQ(get(r.summary, "ops", "free_pages"), 1);
	ASSERT_EQ(get(r.summary, "ops", "kmalloc"), 1);
	ASSERT_EQ(get(r.summary, "ops", "vfree"), 1);
	/* b is still allocated, a was freed */
	ASSERT_EQ(get(r.summary, "live_allocations", NULL), 1);
	ASSERT(json_object_get(r.summary, "skipped") == NULL);
	run_fini(&r);
}

static const char bad[] =
    "ops:\n"
    "  - {op: alloc_pages, id: a, order: 0}\n"
    "  - {op: free_pages, id: nope}\n"
    "  - {op: free_pages, id: a}\n";

TEST(bad_op_is_an_error_at_its_position)
{
	struct run r;

	run(bad, 64 * MiB, false, &r);
	ASSERT_EQ(r.rc, -1);
	ASSERT_STREQ(r.cause, NAME ":3:5: free of id 'nope' that is not"
	    " allocated (never allocated, or already freed)");
	ASSERT_STREQ(json_string_value(json_object_get(r.summary, "status")),
	    "failed");
	/* the run stopped at the bad op */
	ASSERT_EQ(get(r.summary, "ops", "free_pages"), 1);
	run_fini(&r);
}

TEST(lenient_counts_and_skips_a_bad_op)
{
	struct run r;

	run(bad, 64 * MiB, true, &r);
	ASSERT_EQ(r.rc, 0);
	ASSERT(r.cause == NULL);
	ASSERT_EQ(get(r.summary, "skipped", "free_unknown_id"), 1);
	ASSERT_EQ(get(r.summary, "skipped", "duplicate_id"), 0);
	/* the run went on: a was freed */
	ASSERT_EQ(get(r.summary, "ops", "free_pages"), 2);
	ASSERT_EQ(get(r.summary, "live_allocations", NULL), 0);
	run_fini(&r);
}

/* Every page of a 64 MiB machine asked for: below the low watermark the
 * allocator wakes kswapd, which runs as an event of the queue. */
static const char pressure[] =
    "ops:\n"
    "  - repeat: 16384\n"
    "    ops: [{op: alloc_pages, order: 0, gfp: GFP_KERNEL}]\n";

TEST(kswapd_is_woken_under_pressure)
{
	struct run r;

	run(pressure, 64 * MiB, false, &r);
	ASSERT_EQ(r.rc, 0);
	ASSERT_EQ(get(r.summary, "events", NULL), 16384);
	ASSERT_GT(get(r.summary, "vmstat", "kswapd_wake"), 0);
	ASSERT_GT(get(r.summary, "vmstat", "pageoutrun"), 0);
	run_fini(&r);

	/* a light trace never wakes it */
	run(churn, 64 * MiB, false, &r);
	ASSERT_EQ(r.rc, 0);
	ASSERT_EQ(get(r.summary, "vmstat", "kswapd_wake"), 0);
	run_fini(&r);
}

TEST(two_runs_summarise_alike)
{
	struct run a, b;
	char *ja, *jb;

	run(pressure, 64 * MiB, false, &a);
	run(pressure, 64 * MiB, false, &b);
	ja = json_dumps(a.summary, JSON_SORT_KEYS | JSON_INDENT(1));
	jb = json_dumps(b.summary, JSON_SORT_KEYS | JSON_INDENT(1));
	ASSERT(ja != NULL && jb != NULL);
	ASSERT_STREQ(ja, jb);
	/* and it says something: simulated time went by */
	ASSERT_GT(get(a.summary, "sim_cycles", NULL), 0);
	free(ja);
	free(jb);
	run_fini(&a);
	run_fini(&b);
}

int main(void)
{
	RUN(ops_are_counted);
	RUN(bad_op_is_an_error_at_its_position);
	RUN(lenient_counts_and_skips_a_bad_op);
	RUN(kswapd_is_woken_under_pressure);
	RUN(two_runs_summarise_alike);
	return tap_done();
}
