/*
 * sim.h - one simulation run: the machine, the event queue, the trace
 * cursor, the allocation table, metrics and the database writer wired
 * together.  main.c only parses options and calls this.
 */
#ifndef KMSIM_SIM_H
#define KMSIM_SIM_H

#include <stdbool.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>

#include <jansson.h>

#include "kmsim_config.h"
#include "results/db.h"
#include "results/dump.h"
#include "machine.h"
#include "trace/bundle.h"
#include "trace/trace.h"

enum sim_mode {
	SIM_SIMULATE,		/* the model places every request */
	SIM_REPLAY,		/* the trace's pfns are honoured */
};
extern const char *const sim_mode_names[];

struct sim_options {
	bool check;		/* run the invariant checkers after every op */
	bool lenient;		/* count and skip bad ops instead of failing */
	bool progress;		/* progress lines on stderr */
	enum sim_mode mode;
	struct bundle *bundle;	/* borrowed; NULL for a plain trace */
	bool seeded;		/* simulate: start from the bundle's before
				   state (its own machine, --config auto) */
	const char *command_line;	/* recorded in the runs row */
	uint64_t seed;		/* --seed: recorded as the counter "seed" */

	/*
	 * --dump: the machine as /proc prints it (dump.h) at the end of the
	 * run, and at each of dump_at_ns (simulated ns since the first op,
	 * ascending, no repeats) after the ops issued before that time.
	 */
	unsigned dump_kinds;		/* DUMP_KIND() bits; 0: no dumps */
	const uint64_t *dump_at_ns;	/* borrowed */
	int nr_dump_at;
	FILE *dump_file;		/* borrowed; NULL: stdout */
};

struct sim;

/* SIGINT/SIGTERM set this; the run loop stops at the next op boundary. */
extern volatile sig_atomic_t sim_interrupted;

struct sim *sim_create(const struct config *cfg, const struct sim_options *opt,
    char **cause);
void sim_destroy(struct sim *s);
struct machine *sim_machine(struct sim *s);

/*
 * Run the trace to its end.  With a database (db may be NULL) the run is
 * recorded: a runs row first, snapshots every snapshot interval and at the
 * end, latencies and failures, then the status.  Returns 0 (complete), -1
 * with *cause (bad input: the run is marked failed), or 1 (interrupted by
 * a signal: marked interrupted).
 */
int sim_run(struct sim *s, struct trace_source *ts, struct db *db,
    char **cause);

/* The run's summary: latency percentiles per op, final fragmentation per
 * zone, failures, counters.  New reference. */
json_t *sim_summary_json(struct sim *s);

#endif /* KMSIM_SIM_H */
