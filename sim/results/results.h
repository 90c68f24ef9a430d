/*
 * results.h - the results table: every figure of a run, named once.
 *
 * A figure has a name in the database's counters table, a dotted path in
 * the --json summary (the text summary and kmsim-report read those two),
 * or both, and a value: an integer, a real, a string, or a piece of JSON
 * that has no counter (an array).  Latency histograms, failed allocations
 * and the allocations per node pair are tables of their own in both
 * outputs.  The run fills one `struct results` at its end
 * (results_collect()); results_write_db() and results_json() walk it, so
 * a figure is added by one line in results.c.
 */
#ifndef KMSIM_RESULTS_RESULTS_H
#define KMSIM_RESULTS_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "hist.h"
#include "results/snapshot.h"
#include "results/stats.h"

struct db;
struct percpu;
struct pagecache;
struct trace_stats;

enum result_kind {
	RESULT_U64,
	RESULT_I64,
	RESULT_REAL,
	RESULT_STR,	/* summary only */
	RESULT_JSON,	/* summary only: a structure with no counter */
};

/* Figure flags. */
#define RESULT_DB_NONZERO	0x1	/* a counter row only when not 0 */

struct result {
	char *db;		/* counters.name; NULL: not a counter */
	char *json;		/* dotted summary path; NULL: not in it */
	enum result_kind kind;
	unsigned flags;
	union {
		uint64_t u;
		int64_t i;
		double r;
		char *str;
		json_t *j;	/* owned */
	} v;
};

/* A latency histogram: a latency table row and latency.NAME. */
struct result_hist {
	char *name;
	const struct hist *h;	/* borrowed */
	bool db_empty;		/* a latency row even with no value */
};

struct results {
	struct result *figs;
	size_t nr_figs, figs_cap;
	struct result_hist *hists;
	size_t nr_hists, hists_cap;
	const struct run_failure *failures;	/* borrowed */
	size_t nr_failures;
	int nr_nodes;
	const uint64_t *node_allocs;	/* borrowed: nr_nodes^2 */
	unsigned cpu_mhz;
};

/*
 * What the run hands the results layer at its end: its statistics, the
 * last snapshot, the engines' state and what the adapters report.
 * Borrowed; NULL or 0 where a part is not in the run.
 */
struct results_src {
	const struct machine *m;
	const struct run_stats *st;
	const struct snapshot *last;	/* the state at the end */
	const char *const *op_names;	/* the op types' names */
	int nr_op_types;
	const struct slab_world *slab;
	const struct percpu *pcpu;
	bool shadow;			/* slabs live on a shadow machine */
	const struct pagecache *pc;
	const struct trace_stats *trace_stats;
	json_t *replay;			/* replay_json(); borrowed */
	json_t *slab_fidelity;		/* borrowed */
	json_t *pagecache_fidelity;	/* borrowed */
	bool captured;			/* a capture in simulate mode */
	bool lenient;
	uint64_t live_allocations;
	uint64_t seed;
};

void results_init(struct results *r);
void results_fini(struct results *r);

/* Add one figure.  db and json are copied; either may be NULL. */
void results_u64(struct results *r, const char *db, const char *json,
    uint64_t v);
void results_i64(struct results *r, const char *db, const char *json,
    int64_t v);
void results_real(struct results *r, const char *db, const char *json,
    double v);
void results_str(struct results *r, const char *json, const char *v);
/* A structure of the summary (takes the reference). */
void results_json_value(struct results *r, const char *json, json_t *v);
/* Every number of a JSON object as a figure: counter "db_prefix.key.sub",
 * summary path "json_prefix.key.sub"; its other values summary only. */
void results_tree(struct results *r, const char *db_prefix,
    const char *json_prefix, json_t *o);
/* A latency histogram, written once it holds a value (with db_empty: in
 * the database even without: an op type that ran but is not timed). */
void results_hist(struct results *r, const char *name, const struct hist *h,
    bool db_empty);

/* The run's figures from src. */
void results_collect(struct results *r, const struct results_src *src);

/* Into the database: latency rows, failures, counters, node pairs. */
int results_write_db(const struct results *r, struct db *db, int64_t run_id,
    char **cause);
/*
 * The summary: the figures of each table in parts[] in turn (a later
 * figure at the same path replaces an earlier one).  New reference.
 */
json_t *results_json(const struct results *const *parts, int nr_parts);

#endif /* KMSIM_RESULTS_RESULTS_H */
