/*
 * db.h - the SQLite results database.  One connection, prepared
 * statements, batched transactions.  One `runs` row per run, created with
 * status 'running' and committed before any data, updated to 'complete',
 * 'failed' or 'interrupted' at the end: a run killed on the way stays
 * 'running' and is never mistaken for complete.  Every other row carries
 * run_id, so many runs (a sweep) share one file.  Schema: kmsim-db(5).
 */
#ifndef KMSIM_DB_H
#define KMSIM_DB_H

#include <stdint.h>

#include "machine.h"
#include "metrics.h"

#define DB_SCHEMA_VERSION 1

struct db;

struct db_run_info {
	const char *config_json;	/* effective config (config_to_json) */
	const char *config_path;
	const char *trace_path;
	const char *trace_sha256;	/* hex digest of the trace bytes */
	const char *trace_format;
	const char *mode;		/* "simulate" or "replay" */
	const char *version;		/* PACKAGE_VERSION */
	const char *command_line;
	double start_time;		/* unix seconds */
};

struct db_run_end {
	const char *status;		/* "complete", "failed", "interrupted" */
	const char *error;		/* message, or NULL */
	double wall_seconds;
	uint64_t events;		/* ops executed */
	uint64_t sim_cycles;		/* simulated time at the end */
	uint64_t sim_ns;
};

/*
 * Open (creating if missing) a kmsim database.  A file that is not SQLite,
 * or a SQLite file that is not a kmsim database of a known schema version,
 * is refused: NULL with *cause "PATH: message".
 */
struct db *db_open(const char *path, char **cause);
void db_close(struct db *db);

/* Insert the runs row (status 'running') and commit it. */
int db_run_begin(struct db *db, const struct db_run_info *info,
    int64_t *run_id, char **cause);
/* Transactions for batched writes. */
int db_txn_begin(struct db *db, char **cause);
int db_txn_commit(struct db *db, char **cause);
int db_txn_rollback(struct db *db);

/* A snapshot: one `snapshots` row, then per populated zone its buddyinfo
 * (per order), fragmentation indices (per order) and zone counters. */
int db_write_snapshot(struct db *db, int64_t run_id, const struct machine *m,
    uint64_t sim_cycles, uint64_t sim_ns, char **cause);
/* Latency of one op type: summary row (count, mean, p50, p90, p99, p99.9,
 * max, in cycles and ns) and the histogram's non-empty buckets. */
int db_write_latency(struct db *db, int64_t run_id, const char *op,
    const struct hist *h, unsigned cpu_mhz, char **cause);
/* Failed allocations, aggregated by (order, gfp, node). */
int db_write_failure(struct db *db, int64_t run_id, unsigned order,
    const char *gfp, int node, uint64_t count, char **cause);
/* Named run-level counters ("ops.alloc_pages", "lenient.skipped", ...). */
int db_write_counter(struct db *db, int64_t run_id, const char *name,
    double value, char **cause);
/* Finish the run: update its row (in its own transaction). */
int db_run_end(struct db *db, int64_t run_id, const struct db_run_end *end,
    char **cause);

#endif /* KMSIM_DB_H */
