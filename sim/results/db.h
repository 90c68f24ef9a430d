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

#include "hist.h"
#include "results/snapshot.h"

/* The schema's version, PRAGMA user_version: the number of migrations
 * (db.c) that made it.  Older files are upgraded when opened, newer ones
 * refused.  kmsim-db(5) says what each version added. */
#define DB_SCHEMA_VERSION 4
/* meta's 'schema_version' row: 1 as long as the schema only grows (a
 * reader of version 1 reads any later file); the meaning of an existing
 * table or column changing would make it 2. */
#define DB_META_SCHEMA_VERSION 1
/* How long a writer waits for another process's transaction (a sweep runs
 * many kmsim processes against one file) before giving up. */
#define DB_BUSY_TIMEOUT_MS 60000
/* PRAGMA application_id of a kmsim database ("kmsm"), for file(1). */
#define DB_APPLICATION_ID 0x6b6d736d

struct db;
struct sqlite3;

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
	const char *trace_sha256;	/* known only once the trace is read */
};

/*
 * Open (creating if missing) a kmsim database; one of an older schema
 * version is upgraded.  A file that is not SQLite, or a SQLite file that
 * is not a kmsim database of a known schema version, is refused: NULL
 * with *cause "PATH: message".  So are a missing
 * directory, a directory, a read-only file.  An existing kmsim database is
 * reused: runs are appended.
 */
struct db *db_open(const char *path, char **cause);
/* Finalize every statement and close; an open transaction is rolled back
 * (its run stays 'running').  Accepts NULL. */
void db_close(struct db *db);
/* The path given to db_open() (borrowed, lives as long as the db). */
const char *db_path(const struct db *db);
/* The SQLite connection, for tests and read-only queries: do not close
 * it, and do not leave a transaction open on it. */
struct sqlite3 *db_connection(struct db *db);

/* Insert the runs row (status 'running') and commit it.  Fails if a
 * transaction is open (its data would be committed with the row). */
int db_run_begin(struct db *db, const struct db_run_info *info,
    int64_t *run_id, char **cause);
/*
 * Transactions for batched writes (BEGIN IMMEDIATE: the write lock is
 * taken at once, waiting up to DB_BUSY_TIMEOUT_MS for another writer).
 * After a write fails inside one, roll it back: commit refuses a
 * transaction SQLite has already rolled back (disk full, I/O error).
 * Rollback accepts "no transaction open".
 */
int db_txn_begin(struct db *db, char **cause);
int db_txn_commit(struct db *db, char **cause);
int db_txn_rollback(struct db *db);

/*
 * Every writer below is atomic: inside the caller's transaction it uses a
 * savepoint, outside one its own transaction, so a failed call leaves
 * none of its rows behind.  uint64_t values above INT64_MAX (beyond any
 * real cycle count) are stored as REAL.
 */

/* A snapshot: one `snapshots` row (seq 0, 1, ... per run), then per
 * populated zone its buddyinfo (per order), fragmentation indices (per
 * order), zone counters and pageblocks per migratetype; the vmstat
 * events, the caches' slabinfo rows, and the vmalloc, TLB, highmem and
 * page cache figures as more vmstat rows.  db_run_end() marks the run's
 * last snapshot is_final. */
int db_write_snapshot(struct db *db, int64_t run_id,
    const struct snapshot *snap, char **cause);
/* Latency of one op type: summary row (count, min, mean, p50, p90, p99,
 * p99.9, max, in cycles and, if cpu_mhz is not 0, ns) and the histogram's
 * non-empty buckets.  Replaces what an earlier call wrote for the op. */
int db_write_latency(struct db *db, int64_t run_id, const char *op,
    const struct hist *h, unsigned cpu_mhz, char **cause);
/* Failed allocations, aggregated by (order, gfp, node): count is ADDED to
 * the row's count (one call per failure, or one per key with a total). */
int db_write_failure(struct db *db, int64_t run_id, unsigned order,
    const char *gfp, int node, uint64_t count, char **cause);
/* Only the caches' slabinfo rows of snap, for the run's latest snapshot. */
int db_write_slabinfo(struct db *db, int64_t run_id,
    const struct snapshot *snap, char **cause);
/* The allocations per (requesting node, serving node) pair: node_allocs
 * is the nr_nodes x nr_nodes matrix, row by requesting node. */
int db_write_numa(struct db *db, int64_t run_id, int nr_nodes,
    const uint64_t *node_allocs, char **cause);
/* Named run-level counters ("ops.alloc_pages", "lenient.skipped", ...):
 * sets the value (a later call for the same name replaces it). */
int db_write_counter(struct db *db, int64_t run_id, const char *name,
    double value, char **cause);
/*
 * Finish the run: set status, end_time (now), wall_seconds, events,
 * sim_cycles, sim_ns, error and mark its last snapshot is_final, in its
 * own transaction.  A transaction the caller left open is committed first
 * (rolled back if that fails).  status must be "complete", "failed" or
 * "interrupted".
 */
int db_run_end(struct db *db, int64_t run_id, const struct db_run_end *end,
    char **cause);

#endif /* KMSIM_DB_H */
