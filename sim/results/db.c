/*
 * db.c - the SQLite results database (kmsim-db(5)).
 *
 * One connection, every statement prepared once at open and reused,
 * writes batched in the caller's transactions.  The schema is created
 * when the file is new and brought up to date, migration by migration,
 * when it is older; a kmsim database of a newer schema, or a file that is
 * not a kmsim database, is refused before it is touched.
 *
 * Journal mode: WAL, with synchronous=NORMAL.  Both the rollback journal
 * and WAL survive a SIGKILL at any instant: every committed transaction
 * is in the OS's page cache, and an uncommitted one is undone by the next
 * opener (a hot rollback journal is played back; WAL frames without a
 * commit record are ignored).  So crash safety does not decide it; cost
 * and concurrency do.  The run loop commits at every snapshot, and a
 * sweep runs many kmsim processes appending to one file while kmsim-plot
 * or sqlite3 may read it.  In WAL a commit is one append to the -wal file
 * with no fsync at synchronous=NORMAL (a rollback journal writes the
 * journal, the database, and deletes the journal, per commit), and
 * readers never block the writer nor the writer the readers.  What WAL
 * costs: -wal and -shm files beside the database while it is open (and,
 * after a SIGKILL, until the next open recovers them), a local filesystem
 * with shared memory, and readers need write access to the directory.
 * An OS crash or power loss with synchronous=NORMAL may lose the last
 * commits but never corrupts the file, and a lost commit can only make a
 * run look less finished ('running'), never complete.
 */

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "results/db.h"
#include "kmsim.h"

/* Schema version 2: the parameters of a run of a sweep (kmsim-sweep(1)
 * writes them; empty for plain runs). */
#define DB_PARAMS_SQL \
	"CREATE TABLE IF NOT EXISTS params (\n" \
	"  run_id INTEGER NOT NULL REFERENCES runs ON DELETE CASCADE,\n" \
	"  key TEXT NOT NULL,\n" \
	"  value TEXT,\n" \
	"  PRIMARY KEY (run_id, key)\n" \
	") WITHOUT ROWID;\n"

/* Schema version 3: the page allocator's tables (pageblocks by
 * migratetype, event counters over time, allocations per node pair). */
#define DB_BUDDY_SQL \
	"CREATE TABLE IF NOT EXISTS pagetypeinfo (\n" \
	"  snapshot_id INTEGER NOT NULL\n" \
	"    REFERENCES snapshots ON DELETE CASCADE,\n" \
	"  run_id INTEGER NOT NULL,\n" \
	"  node INTEGER NOT NULL,\n" \
	"  zone TEXT NOT NULL,\n" \
	"  migratetype TEXT NOT NULL,\n" \
	"  pageblocks INTEGER NOT NULL,\n" \
	"  mixed INTEGER NOT NULL,\n" \
	"  free_pages INTEGER NOT NULL,\n" \
	"  PRIMARY KEY (snapshot_id, node, zone, migratetype)\n" \
	") WITHOUT ROWID;\n" \
	"CREATE INDEX IF NOT EXISTS pagetypeinfo_run ON pagetypeinfo (run_id);\n" \
	"CREATE TABLE IF NOT EXISTS vmstat (\n" \
	"  snapshot_id INTEGER NOT NULL\n" \
	"    REFERENCES snapshots ON DELETE CASCADE,\n" \
	"  run_id INTEGER NOT NULL,\n" \
	"  name TEXT NOT NULL,\n" \
	"  value INTEGER NOT NULL,\n" \
	"  PRIMARY KEY (snapshot_id, name)\n" \
	") WITHOUT ROWID;\n" \
	"CREATE INDEX IF NOT EXISTS vmstat_run ON vmstat (run_id);\n" \
	"CREATE TABLE IF NOT EXISTS numa_allocs (\n" \
	"  run_id INTEGER NOT NULL REFERENCES runs ON DELETE CASCADE,\n" \
	"  from_node INTEGER NOT NULL,\n" \
	"  to_node INTEGER NOT NULL,\n" \
	"  count INTEGER NOT NULL,\n" \
	"  PRIMARY KEY (run_id, from_node, to_node)\n" \
	") WITHOUT ROWID;\n"

/* Schema version 4: the slab caches per snapshot (/proc/slabinfo's
 * columns and the bytes asked for and given). */
#define DB_SLAB_SQL \
	"CREATE TABLE IF NOT EXISTS slabinfo (\n" \
	"  snapshot_id INTEGER NOT NULL\n" \
	"    REFERENCES snapshots ON DELETE CASCADE,\n" \
	"  run_id INTEGER NOT NULL,\n" \
	"  cache TEXT NOT NULL,\n" \
	"  active_objs INTEGER NOT NULL,\n" \
	"  num_objs INTEGER NOT NULL,\n" \
	"  objsize INTEGER NOT NULL,\n" \
	"  objperslab INTEGER NOT NULL,\n" \
	"  pagesperslab INTEGER NOT NULL,\n" \
	"  active_slabs INTEGER NOT NULL,\n" \
	"  num_slabs INTEGER NOT NULL,\n" \
	"  bytes_requested INTEGER NOT NULL,\n" \
	"  bytes_allocated INTEGER NOT NULL,\n" \
	"  slab_bytes INTEGER NOT NULL,\n" \
	"  PRIMARY KEY (snapshot_id, cache)\n" \
	") WITHOUT ROWID;\n" \
	"CREATE INDEX IF NOT EXISTS slabinfo_run ON slabinfo (run_id);\n"

/* Schema version 1, as first released.  Documented in kmsim-db(5). */
static const char db_schema_v1_sql[] =
	"CREATE TABLE meta (\n"
	"  key TEXT PRIMARY KEY,\n"
	"  value\n"
	");\n"
	"CREATE TABLE runs (\n"
	"  run_id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	"  status TEXT NOT NULL DEFAULT 'running' CHECK (status IN\n"
	"    ('running', 'complete', 'failed', 'interrupted')),\n"
	"  config_json TEXT,\n"
	"  config_path TEXT,\n"
	"  trace_path TEXT,\n"
	"  trace_sha256 TEXT,\n"
	"  trace_format TEXT,\n"
	"  mode TEXT,\n"
	"  kmsim_version TEXT,\n"
	"  command_line TEXT,\n"
	"  start_time REAL,\n"
	"  end_time REAL,\n"
	"  wall_seconds REAL,\n"
	"  events INTEGER,\n"
	"  sim_cycles INTEGER,\n"
	"  sim_ns INTEGER,\n"
	"  error TEXT\n"
	");\n"
	"CREATE TABLE snapshots (\n"
	"  snapshot_id INTEGER PRIMARY KEY,\n"
	"  run_id INTEGER NOT NULL REFERENCES runs ON DELETE CASCADE,\n"
	"  seq INTEGER NOT NULL,\n"
	"  sim_cycles INTEGER NOT NULL,\n"
	"  sim_ns INTEGER NOT NULL,\n"
	"  is_final INTEGER NOT NULL DEFAULT 0 CHECK (is_final IN (0, 1)),\n"
	"  UNIQUE (run_id, seq)\n"
	");\n"
	"CREATE TABLE buddyinfo (\n"
	"  snapshot_id INTEGER NOT NULL\n"
	"    REFERENCES snapshots ON DELETE CASCADE,\n"
	"  run_id INTEGER NOT NULL,\n"
	"  node INTEGER NOT NULL,\n"
	"  zone TEXT NOT NULL,\n"
	"  ord INTEGER NOT NULL,\n"
	"  nr_free INTEGER NOT NULL,\n"
	"  PRIMARY KEY (snapshot_id, node, zone, ord)\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX buddyinfo_run ON buddyinfo (run_id);\n"
	"CREATE TABLE fragmentation (\n"
	"  snapshot_id INTEGER NOT NULL\n"
	"    REFERENCES snapshots ON DELETE CASCADE,\n"
	"  run_id INTEGER NOT NULL,\n"
	"  node INTEGER NOT NULL,\n"
	"  zone TEXT NOT NULL,\n"
	"  ord INTEGER NOT NULL,\n"
	"  unusable_index REAL NOT NULL,\n"
	"  extfrag_index REAL NOT NULL,\n"
	"  unusable_milli INTEGER NOT NULL,\n"
	"  extfrag_milli INTEGER NOT NULL,\n"
	"  PRIMARY KEY (snapshot_id, node, zone, ord)\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX fragmentation_run ON fragmentation (run_id);\n"
	"CREATE TABLE zones (\n"
	"  snapshot_id INTEGER NOT NULL\n"
	"    REFERENCES snapshots ON DELETE CASCADE,\n"
	"  run_id INTEGER NOT NULL,\n"
	"  node INTEGER NOT NULL,\n"
	"  zone TEXT NOT NULL,\n"
	"  zone_start_pfn INTEGER NOT NULL,\n"
	"  free_pages INTEGER NOT NULL,\n"
	"  managed_pages INTEGER NOT NULL,\n"
	"  present_pages INTEGER NOT NULL,\n"
	"  spanned_pages INTEGER NOT NULL,\n"
	"  wmark_min INTEGER NOT NULL,\n"
	"  wmark_low INTEGER NOT NULL,\n"
	"  wmark_high INTEGER NOT NULL,\n"
	"  wmark_promo INTEGER NOT NULL,\n"
	"  watermark_boost INTEGER NOT NULL,\n"
	"  PRIMARY KEY (snapshot_id, node, zone)\n"
	") WITHOUT ROWID;\n"
	"CREATE INDEX zones_run ON zones (run_id);\n"
	"CREATE TABLE latency (\n"
	"  run_id INTEGER NOT NULL REFERENCES runs ON DELETE CASCADE,\n"
	"  op TEXT NOT NULL,\n"
	"  count INTEGER NOT NULL,\n"
	"  cpu_mhz INTEGER,\n"
	"  min_cycles INTEGER,\n"
	"  mean_cycles REAL,\n"
	"  p50_cycles INTEGER,\n"
	"  p90_cycles INTEGER,\n"
	"  p99_cycles INTEGER,\n"
	"  p999_cycles INTEGER,\n"
	"  max_cycles INTEGER,\n"
	"  min_ns INTEGER,\n"
	"  mean_ns REAL,\n"
	"  p50_ns INTEGER,\n"
	"  p90_ns INTEGER,\n"
	"  p99_ns INTEGER,\n"
	"  p999_ns INTEGER,\n"
	"  max_ns INTEGER,\n"
	"  PRIMARY KEY (run_id, op)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE latency_hist (\n"
	"  run_id INTEGER NOT NULL,\n"
	"  op TEXT NOT NULL,\n"
	"  bucket_low INTEGER NOT NULL,\n"
	"  bucket_high INTEGER NOT NULL,\n"
	"  count INTEGER NOT NULL,\n"
	"  cum_count INTEGER NOT NULL,\n"
	"  PRIMARY KEY (run_id, op, bucket_low),\n"
	"  FOREIGN KEY (run_id, op) REFERENCES latency ON DELETE CASCADE\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE failures (\n"
	"  run_id INTEGER NOT NULL REFERENCES runs ON DELETE CASCADE,\n"
	"  ord INTEGER NOT NULL,\n"
	"  gfp TEXT NOT NULL,\n"
	"  node INTEGER NOT NULL,\n"
	"  count INTEGER NOT NULL,\n"
	"  PRIMARY KEY (run_id, ord, gfp, node)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE counters (\n"
	"  run_id INTEGER NOT NULL REFERENCES runs ON DELETE CASCADE,\n"
	"  name TEXT NOT NULL,\n"
	"  value REAL,\n"
	"  PRIMARY KEY (run_id, name)\n"
	") WITHOUT ROWID;\n";

/*
 * The schema's history.  A database's PRAGMA user_version is the number
 * of the last migration applied to it: opening it applies those after,
 * in order, in one transaction, and a new file gets them all.  A change
 * of the schema is a new migration at the end (and DB_SCHEMA_VERSION one
 * more); a released one is never edited.
 *
 * Files written before the versions were numbered have user_version 0:
 * version 1 and any of versions 2 to 4's tables, which were created
 * whenever a file was opened without them.  So those three create their
 * tables only if they do not exist, and such a file is taken as version
 * 1.  The meta row 'schema_version' stays 1 (kmsim-db(5)).
 */
struct db_migration {
	const char *what;		/* for messages: "adding ..." */
	const char *sql;
};

static const struct db_migration db_migrations[] = {
	{ "creating the schema", db_schema_v1_sql },			/* 1 */
	{ "adding the params table", DB_PARAMS_SQL },			/* 2 */
	{ "adding the page allocator tables", DB_BUDDY_SQL },		/* 3 */
	{ "adding the slabinfo table", DB_SLAB_SQL },			/* 4 */
};
_Static_assert(sizeof db_migrations / sizeof db_migrations[0] ==
    DB_SCHEMA_VERSION, "DB_SCHEMA_VERSION is the number of migrations");

enum db_stmt {
	DB_BEGIN,
	DB_COMMIT,
	DB_ROLLBACK,
	DB_SAVEPOINT,
	DB_RELEASE,
	DB_ROLLBACK_TO,
	DB_RUN_INSERT,
	DB_RUN_UPDATE,
	DB_RUN_MARK_FINAL,
	DB_SNAPSHOT_NEXT_SEQ,
	DB_SNAPSHOT_INSERT,
	DB_BUDDYINFO_INSERT,
	DB_FRAGMENTATION_INSERT,
	DB_ZONE_INSERT,
	DB_LATENCY_DELETE,
	DB_LATENCY_INSERT,
	DB_LATENCY_HIST_INSERT,
	DB_FAILURE_ADD,
	DB_COUNTER_SET,
	DB_PAGETYPEINFO_INSERT,
	DB_VMSTAT_INSERT,
	DB_NUMA_INSERT,
	DB_SLABINFO_INSERT,
	DB_VMSTAT_INSERT_LAST,
	DB_NR_STMTS
};

static const char *const db_stmt_sql[DB_NR_STMTS] = {
	[DB_BEGIN] = "BEGIN IMMEDIATE",
	[DB_COMMIT] = "COMMIT",
	[DB_ROLLBACK] = "ROLLBACK",
	[DB_SAVEPOINT] = "SAVEPOINT kmsim_write",
	[DB_RELEASE] = "RELEASE kmsim_write",
	[DB_ROLLBACK_TO] = "ROLLBACK TO kmsim_write",
	[DB_RUN_INSERT] =
	    "INSERT INTO runs (status, config_json, config_path,"
	    " trace_path, trace_sha256, trace_format, mode, kmsim_version,"
	    " command_line, start_time)"
	    " VALUES ('running', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[DB_RUN_UPDATE] =
	    "UPDATE runs SET status = ?2, end_time = ?3, wall_seconds = ?4,"
	    " events = ?5, sim_cycles = ?6, sim_ns = ?7, error = ?8,"
	    " trace_sha256 = coalesce(?9, trace_sha256)"
	    " WHERE run_id = ?1",
	[DB_RUN_MARK_FINAL] =
	    "UPDATE snapshots SET is_final = (seq = (SELECT max(seq)"
	    " FROM snapshots WHERE run_id = ?1)) WHERE run_id = ?1",
	[DB_SNAPSHOT_NEXT_SEQ] =
	    "SELECT coalesce(max(seq) + 1, 0) FROM snapshots"
	    " WHERE run_id = ?1",
	[DB_SNAPSHOT_INSERT] =
	    "INSERT INTO snapshots (run_id, seq, sim_cycles, sim_ns)"
	    " VALUES (?1, ?2, ?3, ?4)",
	[DB_BUDDYINFO_INSERT] =
	    "INSERT INTO buddyinfo (snapshot_id, run_id, node, zone, ord,"
	    " nr_free) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[DB_FRAGMENTATION_INSERT] =
	    "INSERT INTO fragmentation (snapshot_id, run_id, node, zone, ord,"
	    " unusable_index, extfrag_index, unusable_milli, extfrag_milli)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6 / 1000.0, ?7 / 1000.0, ?6, ?7)",
	[DB_ZONE_INSERT] =
	    "INSERT INTO zones (snapshot_id, run_id, node, zone,"
	    " zone_start_pfn, free_pages, managed_pages, present_pages,"
	    " spanned_pages, wmark_min, wmark_low, wmark_high, wmark_promo,"
	    " watermark_boost) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
	    " ?10, ?11, ?12, ?13, ?14)",
	/* latency_hist rows go with it (ON DELETE CASCADE). */
	[DB_LATENCY_DELETE] =
	    "DELETE FROM latency WHERE run_id = ?1 AND op = ?2",
	[DB_LATENCY_INSERT] =
	    "INSERT INTO latency (run_id, op, count, cpu_mhz, min_cycles,"
	    " mean_cycles, p50_cycles, p90_cycles, p99_cycles, p999_cycles,"
	    " max_cycles, min_ns, mean_ns, p50_ns, p90_ns, p99_ns, p999_ns,"
	    " max_ns) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
	    " ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
	[DB_LATENCY_HIST_INSERT] =
	    "INSERT INTO latency_hist (run_id, op, bucket_low, bucket_high,"
	    " count, cum_count) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[DB_FAILURE_ADD] =
	    "INSERT INTO failures (run_id, ord, gfp, node, count)"
	    " VALUES (?1, ?2, ?3, ?4, ?5)"
	    " ON CONFLICT (run_id, ord, gfp, node)"
	    " DO UPDATE SET count = count + excluded.count",
	[DB_PAGETYPEINFO_INSERT] =
	    "INSERT INTO pagetypeinfo (snapshot_id, run_id, node, zone,"
	    " migratetype, pageblocks, mixed, free_pages)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[DB_VMSTAT_INSERT] =
	    "INSERT INTO vmstat (snapshot_id, run_id, name, value)"
	    " VALUES (?1, ?2, ?3, ?4)",
	[DB_NUMA_INSERT] =
	    "INSERT OR REPLACE INTO numa_allocs (run_id, from_node, to_node,"
	    " count) VALUES (?1, ?2, ?3, ?4)",
	[DB_VMSTAT_INSERT_LAST] =
	    "INSERT OR REPLACE INTO vmstat (snapshot_id, run_id, name, value)"
	    " SELECT max(snapshot_id), ?1, ?2, ?3 FROM snapshots"
	    " WHERE run_id = ?1",
	[DB_SLABINFO_INSERT] =
	    "INSERT OR REPLACE INTO slabinfo (snapshot_id, run_id, cache,"
	    " active_objs, num_objs, objsize, objperslab, pagesperslab,"
	    " active_slabs, num_slabs, bytes_requested, bytes_allocated,"
	    " slab_bytes) SELECT max(snapshot_id), ?1, ?2, ?3, ?4, ?5, ?6,"
	    " ?7, ?8, ?9, ?10, ?11, ?12 FROM snapshots WHERE run_id = ?1",
	[DB_COUNTER_SET] =
	    "INSERT OR REPLACE INTO counters (run_id, name, value)"
	    " VALUES (?1, ?2, ?3)",
};

struct db {
	sqlite3 *sq;
	char *path;
	sqlite3_stmt *stmt[DB_NR_STMTS];
	bool in_txn;		/* between db_txn_begin and commit/rollback */
};

/* What db_classify() found in an opened file. */
enum db_kind {
	DB_KIND_EMPTY,		/* no schema at all: a new file */
	DB_KIND_KMSIM,		/* a kmsim database; version read */
};

/* "PATH: what: sqlite's message"; returns -1. */
static int db_fail_sql(struct db *db, char **cause, const char *what)
{
	return kmsim_fail(cause, "%s: %s: %s", db->path, what,
	    sqlite3_errmsg(db->sq));
}

/* Run a prepared statement that returns no row we need; reset it. */
static int db_step(struct db *db, enum db_stmt which, const char *what,
    char **cause)
{
	sqlite3_stmt *st = db->stmt[which];
	int rc;

	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		db_fail_sql(db, cause, what);
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		return -1;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return 0;
}

/* Bind helpers: SQLite integers are signed 64-bit. */
static void db_bind_u64(sqlite3_stmt *st, int i, uint64_t v)
{
	if (v > (uint64_t)INT64_MAX)
		sqlite3_bind_double(st, i, (double)v);
	else
		sqlite3_bind_int64(st, i, (sqlite3_int64)v);
}

static void db_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

static int db_exec(struct db *db, const char *sql, const char *what,
    char **cause)
{
	if (sqlite3_exec(db->sq, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail_sql(db, cause, what);
	return 0;
}

static bool db_txn_active(const struct db *db)
{
	return !sqlite3_get_autocommit(db->sq);
}

/* ROLLBACK if a transaction is open (SQLite may have rolled it back
 * already after a failed write); errors here are ignored. */
static void db_rollback_quietly(struct db *db)
{
	if (db_txn_active(db))
		db_step(db, DB_ROLLBACK, "rolling back", NULL);
}

/*
 * Path checks sqlite3_open_v2() would turn into a bare "unable to open
 * database file": a missing directory, a directory, a device.
 */
static char *db_dirname(const char *path)
{
	size_t len = strlen(path);

	while (len > 1 && path[len - 1] == '/')
		len--;
	while (len > 0 && path[len - 1] != '/')
		len--;
	if (len == 0)
		return xstrdup(".");
	while (len > 1 && path[len - 1] == '/')
		len--;
	return xstrndup(path, len);
}

static int db_check_path(const char *path, char **cause)
{
	struct stat sb;
	char *dir;
	int error;

	if (stat(path, &sb) == 0) {
		if (S_ISDIR(sb.st_mode))
			return kmsim_fail(cause, "%s: %s", path, strerror(EISDIR));
		if (!S_ISREG(sb.st_mode))
			return kmsim_fail(cause, "%s: not a regular file",
			    path);
		return 0;
	}
	if (errno != ENOENT && errno != ENOTDIR)
		return kmsim_fail(cause, "%s: %s", path, strerror(errno));

	dir = db_dirname(path);
	if (stat(dir, &sb) != 0) {
		error = errno;
		if (error == ENOENT || error == ENOTDIR)
			kmsim_fail(cause, "%s: directory '%s' does not exist",
			    path, dir);
		else
			kmsim_fail(cause, "%s: '%s': %s", path, dir,
			    strerror(error));
		goto out_free_dir;
	}
	if (!S_ISDIR(sb.st_mode)) {
		kmsim_fail(cause, "%s: '%s' is not a directory", path, dir);
		goto out_free_dir;
	}
	free(dir);
	return 0;

out_free_dir:
	free(dir);
	return -1;
}

/* SQLITE_NOTADB, whether from prepare or step: a file that is not SQLite. */
static int db_fail_open(struct db *db, int rc, char **cause)
{
	if ((rc & 0xff) == SQLITE_NOTADB)
		return kmsim_fail(cause, "%s: not a SQLite database", db->path);
	return kmsim_fail(cause, "%s: %s", db->path, sqlite3_errmsg(db->sq));
}

/* One integer from a one-row query; 1 if there is no row. */
static int db_query_int(struct db *db, const char *sql, int64_t *out,
    int *type, char **cause)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(db->sq, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_fail_open(db, rc, cause);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*type = sqlite3_column_type(st, 0);
		*out = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		return 0;
	}
	if (rc == SQLITE_DONE) {
		sqlite3_finalize(st);
		return 1;
	}
	db_fail_open(db, rc, cause);
	sqlite3_finalize(st);
	return -1;
}

/*
 * What is in the file: nothing (a new database: *version 0), a kmsim
 * database (its schema version in *version, 1 for a file from before the
 * versions were numbered), or something to refuse (-1, *cause set): not
 * a kmsim database, or one this kmsim cannot write.  Reads only.
 */
static int db_classify(struct db *db, int64_t *version, char **cause)
{
	sqlite3_stmt *st;
	int64_t n = 0, meta_version = 0, user_version = 0;
	int type, rc;
	bool kmsim;

	*version = 0;
	rc = db_query_int(db, "SELECT count(*) FROM sqlite_master", &n, &type,
	    cause);
	if (rc < 0)
		return -1;
	if (rc > 0 || n == 0)
		return DB_KIND_EMPTY;

	/* A missing meta table fails to prepare: not ours either. */
	if (sqlite3_prepare_v2(db->sq,
	    "SELECT value FROM meta WHERE key = 'creator'", -1, &st,
	    NULL) != SQLITE_OK)
		goto not_kmsim;
	kmsim = sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) == SQLITE_TEXT &&
	    strcmp((const char *)sqlite3_column_text(st, 0), KMSIM_NAME) == 0;
	sqlite3_finalize(st);
	if (!kmsim)
		goto not_kmsim;

	/* meta.value is untyped: take 1 and '1', nothing else. */
	rc = db_query_int(db,
	    "SELECT CASE WHEN typeof(value) = 'integer' THEN value"
	    " WHEN typeof(value) = 'text' AND value GLOB '[0-9]*'"
	    " AND value NOT GLOB '*[^0-9]*' THEN CAST(value AS INTEGER) END"
	    " FROM meta WHERE key = 'schema_version'", &meta_version, &type,
	    cause);
	if (rc < 0)
		return -1;
	if (rc > 0 || type != SQLITE_INTEGER)
		goto no_version;
	if (meta_version > DB_META_SCHEMA_VERSION)
		return kmsim_fail(cause, "%s: schema version %lld is newer than "
		    "this kmsim supports (%d)", db->path,
		    (long long)meta_version, DB_META_SCHEMA_VERSION);
	if (meta_version < DB_META_SCHEMA_VERSION)
		return kmsim_fail(cause, "%s: schema version %lld is older than "
		    "this kmsim supports (%d)", db->path,
		    (long long)meta_version, DB_META_SCHEMA_VERSION);

	if (db_query_int(db, "PRAGMA user_version", &user_version, &type,
	    cause) != 0)
		return -1;
	if (user_version < 0)
		goto no_version;
	if (user_version > DB_SCHEMA_VERSION)
		return kmsim_fail(cause, "%s: schema version %lld is newer than "
		    "this kmsim supports (%d)", db->path,
		    (long long)user_version, DB_SCHEMA_VERSION);
	*version = user_version == 0 ? 1 : user_version;
	return DB_KIND_KMSIM;

no_version:
	return kmsim_fail(cause, "%s: kmsim database without a valid "
	    "schema version", db->path);
not_kmsim:
	return kmsim_fail(cause, "%s: not a kmsim database", db->path);
}

/*
 * Bring a database of schema `version` (0: a new file) to
 * DB_SCHEMA_VERSION, inside the caller's transaction.
 */
static int db_migrate(struct db *db, int64_t version, char **cause)
{
	char *sql;
	int64_t v;
	int rc;

	for (v = version; v < DB_SCHEMA_VERSION; v++) {
		if (db_exec(db, db_migrations[v].sql, db_migrations[v].what,
		    cause) != 0)
			return -1;
	}
	if (version == 0) {
		xasprintf(&sql,
		    "INSERT INTO meta (key, value) VALUES ('schema_version', %d),"
		    " ('creator', '%s');"
		    " PRAGMA application_id = %d;", DB_META_SCHEMA_VERSION,
		    KMSIM_NAME, DB_APPLICATION_ID);
		rc = db_exec(db, sql, "creating the schema", cause);
		free(sql);
		if (rc != 0)
			return -1;
	}
	xasprintf(&sql, "PRAGMA user_version = %d", DB_SCHEMA_VERSION);
	rc = db_exec(db, sql, "setting the schema version", cause);
	free(sql);
	return rc;
}

/*
 * Make sure the file holds the current schema: create it in a new file,
 * migrate an older one.  Classified once without a lock (so a foreign or
 * newer file is refused before it is written to), then again under the
 * write lock, since another kmsim of the same sweep may be creating or
 * migrating the schema at the same moment.
 */
static int db_prepare_schema(struct db *db, char **cause)
{
	int64_t version = 0;

	if (db_classify(db, &version, cause) < 0)
		return -1;

	/* Not inside a transaction: journal_mode cannot change there.  A
	 * filesystem without WAL support keeps its mode; that still works. */
	if (db_exec(db, "PRAGMA journal_mode = WAL", "setting WAL mode",
	    cause) != 0)
		return -1;
	if (db_exec(db, "PRAGMA synchronous = NORMAL;"
	    " PRAGMA foreign_keys = ON", "configuring", cause) != 0)
		return -1;
	if (version == DB_SCHEMA_VERSION)
		return 0;

	if (db_exec(db, "BEGIN IMMEDIATE", version == 0 ?
	    "creating the schema" : "upgrading the schema", cause) != 0)
		return -1;
	if (db_classify(db, &version, cause) < 0)
		goto out_rollback;
	if (version < DB_SCHEMA_VERSION && db_migrate(db, version, cause) != 0)
		goto out_rollback;
	if (db_exec(db, "COMMIT", "creating the schema", cause) != 0)
		goto out_rollback;
	return 0;

out_rollback:
	if (db_txn_active(db))
		sqlite3_exec(db->sq, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

static void db_finalize_statements(struct db *db)
{
	int i;

	for (i = 0; i < DB_NR_STMTS; i++) {
		sqlite3_finalize(db->stmt[i]);	/* accepts NULL */
		db->stmt[i] = NULL;
	}
}

static int db_prepare_statements(struct db *db, char **cause)
{
	int i;

	for (i = 0; i < DB_NR_STMTS; i++) {
		if (sqlite3_prepare_v3(db->sq, db_stmt_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &db->stmt[i], NULL) != SQLITE_OK)
			return db_fail_sql(db, cause, "preparing statements");
	}
	return 0;
}

struct db *db_open(const char *path, char **cause)
{
	struct db *db;
	int rc, error;

	if (path == NULL || *path == '\0') {
		kmsim_fail(cause, "the database path is empty");
		return NULL;
	}
	if (db_check_path(path, cause) != 0)
		return NULL;

	db = xcalloc(1, sizeof *db);
	db->path = xstrdup(path);
	rc = sqlite3_open_v2(path, &db->sq,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (db->sq == NULL) {
		kmsim_fail(cause, "%s: out of memory opening the database",
		    path);
		goto out_free_db;
	}
	if (rc != SQLITE_OK) {
		error = sqlite3_system_errno(db->sq);
		if (error != 0)
			kmsim_fail(cause, "%s: cannot open: %s", path,
			    strerror(error));
		else
			kmsim_fail(cause, "%s: cannot open: %s", path,
			    sqlite3_errmsg(db->sq));
		goto out_close_db;
	}
	sqlite3_extended_result_codes(db->sq, 1);
	sqlite3_busy_timeout(db->sq, DB_BUSY_TIMEOUT_MS);
	/* READWRITE quietly falls back to read-only on a protected file. */
	if (sqlite3_db_readonly(db->sq, "main") == 1) {
		error = access(path, W_OK) != 0 ? errno : EACCES;
		kmsim_fail(cause, "%s: cannot write: %s", path,
		    strerror(error));
		goto out_close_db;
	}

	if (db_prepare_schema(db, cause) != 0)
		goto out_close_db;
	if (db_prepare_statements(db, cause) != 0)
		goto out_finalize;
	return db;

out_finalize:
	db_finalize_statements(db);
out_close_db:
	sqlite3_close(db->sq);
out_free_db:
	free(db->path);
	free(db);
	return NULL;
}

void db_close(struct db *db)
{
	if (db == NULL)
		return;
	if (db_txn_active(db))
		sqlite3_exec(db->sq, "ROLLBACK", NULL, NULL, NULL);
	db_finalize_statements(db);
	/* Every statement is finalized, so this closes (and checkpoints). */
	sqlite3_close(db->sq);
	free(db->path);
	free(db);
}

const char *db_path(const struct db *db)
{
	return db->path;
}

struct sqlite3 *db_connection(struct db *db)
{
	return db->sq;
}

int db_txn_begin(struct db *db, char **cause)
{
	if (db->in_txn || db_txn_active(db))
		return kmsim_fail(cause, "%s: a transaction is already open",
		    db->path);
	if (db_step(db, DB_BEGIN, "beginning a transaction", cause) != 0)
		return -1;
	db->in_txn = true;
	return 0;
}

int db_txn_commit(struct db *db, char **cause)
{
	if (!db->in_txn)
		return kmsim_fail(cause, "%s: no transaction is open",
		    db->path);
	db->in_txn = false;
	if (!db_txn_active(db))
		return kmsim_fail(cause, "%s: the transaction was rolled back "
		    "after a failed write", db->path);
	if (db_step(db, DB_COMMIT, "committing", cause) != 0) {
		db_rollback_quietly(db);
		return -1;
	}
	return 0;
}

int db_txn_rollback(struct db *db)
{
	db->in_txn = false;
	if (!db_txn_active(db))
		return 0;
	return db_step(db, DB_ROLLBACK, "rolling back", NULL);
}

/*
 * A write after SQLite rolled back the caller's transaction (disk full,
 * I/O error) would be committed on its own, outside the batch the caller
 * thinks it is in: refuse it until the caller rolls back.
 */
static int db_check_txn(struct db *db, const char *what, char **cause)
{
	if (db->in_txn && !db_txn_active(db))
		return kmsim_fail(cause, "%s: %s: the transaction was rolled "
		    "back after a failed write", db->path, what);
	return 0;
}

/*
 * Make a multi-row write atomic: a savepoint inside the caller's
 * transaction, else a transaction of its own.  *own says which, for
 * db_write_finish().
 */
static int db_write_start(struct db *db, bool *own, const char *what,
    char **cause)
{
	if (db_check_txn(db, what, cause) != 0)
		return -1;
	*own = !db_txn_active(db);
	return db_step(db, *own ? DB_BEGIN : DB_SAVEPOINT, what, cause);
}

static int db_write_finish(struct db *db, bool own, int failed,
    const char *what, char **cause)
{
	if (failed) {
		/* After disk full or an I/O error SQLite may have rolled
		 * back the whole transaction already: nothing to undo. */
		if (!db_txn_active(db))
			return -1;
		if (own)
			db_step(db, DB_ROLLBACK, what, NULL);
		else {
			db_step(db, DB_ROLLBACK_TO, what, NULL);
			db_step(db, DB_RELEASE, what, NULL);
		}
		return -1;
	}
	if (db_step(db, own ? DB_COMMIT : DB_RELEASE, what, cause) != 0) {
		if (own)
			db_rollback_quietly(db);
		return -1;
	}
	return 0;
}

int db_run_begin(struct db *db, const struct db_run_info *info,
    int64_t *run_id, char **cause)
{
	static const char what[] = "recording the run";
	sqlite3_stmt *st = db->stmt[DB_RUN_INSERT];

	if (db->in_txn || db_txn_active(db))
		return kmsim_fail(cause, "%s: %s: a transaction is open",
		    db->path, what);
	if (db_step(db, DB_BEGIN, what, cause) != 0)
		return -1;
	db_bind_text(st, 1, info->config_json);
	db_bind_text(st, 2, info->config_path);
	db_bind_text(st, 3, info->trace_path);
	db_bind_text(st, 4, info->trace_sha256);
	db_bind_text(st, 5, info->trace_format);
	db_bind_text(st, 6, info->mode);
	db_bind_text(st, 7, info->version);
	db_bind_text(st, 8, info->command_line);
	sqlite3_bind_double(st, 9, info->start_time);
	if (db_step(db, DB_RUN_INSERT, what, cause) != 0)
		goto out_rollback;
	*run_id = sqlite3_last_insert_rowid(db->sq);
	if (db_step(db, DB_COMMIT, what, cause) != 0)
		goto out_rollback;
	return 0;

out_rollback:
	db_rollback_quietly(db);
	return -1;
}

static double db_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return (double)time(NULL);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int db_run_end(struct db *db, int64_t run_id, const struct db_run_end *end,
    char **cause)
{
	static const char what[] = "finishing the run";
	sqlite3_stmt *st = db->stmt[DB_RUN_UPDATE];
	bool complete;

	if (end->status == NULL || (strcmp(end->status, "complete") != 0 &&
	    strcmp(end->status, "failed") != 0 &&
	    strcmp(end->status, "interrupted") != 0))
		return kmsim_fail(cause, "%s: %s: invalid run status '%s'",
		    db->path, what, end->status ? end->status : "(null)");
	complete = strcmp(end->status, "complete") == 0;

	/* Data the caller left uncommitted belongs to the run.  If it cannot
	 * be committed the run is not complete: leave it 'running' and let
	 * the caller say 'failed'; a failed or interrupted run goes on. */
	db->in_txn = false;
	if (db_txn_active(db) &&
	    db_step(db, DB_COMMIT, "committing the run's last writes",
	    cause) != 0) {
		db_rollback_quietly(db);
		if (complete)
			return -1;
		if (cause != NULL) {
			free(*cause);
			*cause = NULL;
		}
	}

	if (db_step(db, DB_BEGIN, what, cause) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	db_bind_text(st, 2, end->status);
	sqlite3_bind_double(st, 3, db_now());
	sqlite3_bind_double(st, 4, end->wall_seconds);
	db_bind_u64(st, 5, end->events);
	db_bind_u64(st, 6, end->sim_cycles);
	db_bind_u64(st, 7, end->sim_ns);
	db_bind_text(st, 8, end->error);
	db_bind_text(st, 9, end->trace_sha256);
	if (db_step(db, DB_RUN_UPDATE, what, cause) != 0)
		goto out_rollback;
	if (sqlite3_changes(db->sq) != 1) {
		kmsim_fail(cause, "%s: %s: no run %lld", db->path, what,
		    (long long)run_id);
		goto out_rollback;
	}
	sqlite3_bind_int64(db->stmt[DB_RUN_MARK_FINAL], 1, run_id);
	if (db_step(db, DB_RUN_MARK_FINAL, what, cause) != 0)
		goto out_rollback;
	if (db_step(db, DB_COMMIT, what, cause) != 0)
		goto out_rollback;
	return 0;

out_rollback:
	db_rollback_quietly(db);
	return -1;
}

/* One zone of a snapshot: buddyinfo and fragmentation per order, then
 * the zone's counters and its pageblocks per migratetype. */
static int db_write_zone(struct db *db, int64_t snapshot_id, int64_t run_id,
    const struct snapshot *snap, const struct snapshot_zone *z,
    const char *what, char **cause)
{
	sqlite3_stmt *st;
	unsigned o, w;
	const char *name = zone_names[z->type];

	st = db->stmt[DB_BUDDYINFO_INSERT];
	for (o = 0; o < snap->nr_orders; o++) {
		sqlite3_bind_int64(st, 1, snapshot_id);
		sqlite3_bind_int64(st, 2, run_id);
		sqlite3_bind_int(st, 3, z->node);
		db_bind_text(st, 4, name);
		sqlite3_bind_int(st, 5, (int)o);
		db_bind_u64(st, 6, z->nr_free[o]);
		if (db_step(db, DB_BUDDYINFO_INSERT, what, cause) != 0)
			return -1;
	}

	st = db->stmt[DB_FRAGMENTATION_INSERT];
	for (o = 0; o < snap->nr_orders; o++) {
		sqlite3_bind_int64(st, 1, snapshot_id);
		sqlite3_bind_int64(st, 2, run_id);
		sqlite3_bind_int(st, 3, z->node);
		db_bind_text(st, 4, name);
		sqlite3_bind_int(st, 5, (int)o);
		sqlite3_bind_int(st, 6, z->unusable[o]);
		sqlite3_bind_int(st, 7, z->extfrag[o]);
		if (db_step(db, DB_FRAGMENTATION_INSERT, what, cause) != 0)
			return -1;
	}

	st = db->stmt[DB_ZONE_INSERT];
	sqlite3_bind_int64(st, 1, snapshot_id);
	sqlite3_bind_int64(st, 2, run_id);
	sqlite3_bind_int(st, 3, z->node);
	db_bind_text(st, 4, name);
	db_bind_u64(st, 5, z->start_pfn);
	db_bind_u64(st, 6, z->free_pages);
	db_bind_u64(st, 7, z->managed_pages);
	db_bind_u64(st, 8, z->present_pages);
	db_bind_u64(st, 9, z->spanned_pages);
	for (w = 0; w < NR_WMARK; w++)
		db_bind_u64(st, 10 + (int)w, z->watermark[w]);
	db_bind_u64(st, 14, z->watermark_boost);
	if (db_step(db, DB_ZONE_INSERT, what, cause) != 0)
		return -1;

	st = db->stmt[DB_PAGETYPEINFO_INSERT];
	for (w = 0; w < MIGRATE_TYPES; w++) {
		sqlite3_bind_int64(st, 1, snapshot_id);
		sqlite3_bind_int64(st, 2, run_id);
		sqlite3_bind_int(st, 3, z->node);
		db_bind_text(st, 4, name);
		db_bind_text(st, 5, migratetype_names[w]);
		db_bind_u64(st, 6, z->pageblocks[w]);
		db_bind_u64(st, 7, z->mixed_pageblocks[w]);
		db_bind_u64(st, 8, z->free_mt_pages[w]);
		if (db_step(db, DB_PAGETYPEINFO_INSERT, what, cause) != 0)
			return -1;
	}
	return 0;
}

/* The caches' slabinfo rows of the latest snapshot. */
static int db_write_slabs(struct db *db, int64_t run_id,
    const struct snapshot *snap, const char *what, char **cause)
{
	sqlite3_stmt *st = db->stmt[DB_SLABINFO_INSERT];
	size_t i;

	for (i = 0; i < snap->nr_slabs; i++) {
		const struct snapshot_slab *c = &snap->slabs[i];
		const struct slab_info *in = &c->info;

		if (in->num_slabs == 0 && c->bytes_requested == 0)
			continue;
		sqlite3_bind_int64(st, 1, run_id);
		db_bind_text(st, 2, c->name);
		db_bind_u64(st, 3, in->active_objs);
		db_bind_u64(st, 4, in->num_objs);
		sqlite3_bind_int(st, 5, (int)in->objsize);
		sqlite3_bind_int(st, 6, (int)in->objperslab);
		sqlite3_bind_int(st, 7, (int)in->pagesperslab);
		db_bind_u64(st, 8, in->active_slabs);
		db_bind_u64(st, 9, in->num_slabs);
		db_bind_u64(st, 10, c->bytes_requested);
		db_bind_u64(st, 11, c->bytes_allocated);
		db_bind_u64(st, 12, in->slab_bytes);
		if (db_step(db, DB_SLABINFO_INSERT, what, cause) != 0)
			return -1;
	}
	return 0;
}

int db_write_snapshot(struct db *db, int64_t run_id,
    const struct snapshot *snap, char **cause)
{
	static const char what[] = "writing a snapshot";
	sqlite3_stmt *st;
	int64_t seq, snapshot_id;
	bool own;
	int i, failed = 1;

	assert(snap->nr_orders <= NR_ORDERS_MAX);
	if (db_write_start(db, &own, what, cause) != 0)
		return -1;

	st = db->stmt[DB_SNAPSHOT_NEXT_SEQ];
	sqlite3_bind_int64(st, 1, run_id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		db_fail_sql(db, cause, what);
		sqlite3_reset(st);
		goto out_finish;
	}
	seq = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);

	st = db->stmt[DB_SNAPSHOT_INSERT];
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_int64(st, 2, seq);
	db_bind_u64(st, 3, snap->cycles);
	db_bind_u64(st, 4, snap->ns);
	if (db_step(db, DB_SNAPSHOT_INSERT, what, cause) != 0)
		goto out_finish;
	snapshot_id = sqlite3_last_insert_rowid(db->sq);

	for (i = 0; i < snap->nr_zones; i++) {
		if (db_write_zone(db, snapshot_id, run_id, snap,
		    &snap->zones[i], what, cause) != 0)
			goto out_finish;
	}
	st = db->stmt[DB_VMSTAT_INSERT];
	for (i = 0; i < NR_VM_EVENT_ITEMS; i++) {
		sqlite3_bind_int64(st, 1, snapshot_id);
		sqlite3_bind_int64(st, 2, run_id);
		db_bind_text(st, 3, vm_event_names[i]);
		db_bind_u64(st, 4, snap->vm_events[i]);
		if (db_step(db, DB_VMSTAT_INSERT, what, cause) != 0)
			goto out_finish;
	}
	if (db_write_slabs(db, run_id, snap, what, cause) != 0)
		goto out_finish;
	/* the vmalloc, TLB, highmem and page cache figures: more rows of
	 * the snapshot's vmstat */
	st = db->stmt[DB_VMSTAT_INSERT_LAST];
	for (i = 0; i < snap->nr_values; i++) {
		sqlite3_bind_int64(st, 1, run_id);
		db_bind_text(st, 2, snap->value_names[i]);
		db_bind_u64(st, 3, snap->values[i]);
		if (db_step(db, DB_VMSTAT_INSERT_LAST, what, cause) != 0)
			goto out_finish;
	}
	failed = 0;

out_finish:
	return db_write_finish(db, own, failed, what, cause);
}

int db_write_slabinfo(struct db *db, int64_t run_id,
    const struct snapshot *snap, char **cause)
{
	static const char what[] = "writing slabinfo";
	bool own;
	int failed;

	if (db_write_start(db, &own, what, cause) != 0)
		return -1;
	failed = db_write_slabs(db, run_id, snap, what, cause) != 0;
	return db_write_finish(db, own, failed, what, cause);
}

int db_write_numa(struct db *db, int64_t run_id, int nr_nodes,
    const uint64_t *node_allocs, char **cause)
{
	static const char what[] = "writing allocations per node pair";
	sqlite3_stmt *st = db->stmt[DB_NUMA_INSERT];
	bool own;
	int a, b, failed = 1;

	if (db_write_start(db, &own, what, cause) != 0)
		return -1;
	for (a = 0; a < nr_nodes; a++) {
		for (b = 0; b < nr_nodes; b++) {
			uint64_t n = node_allocs[(uint64_t)a *
			    (uint64_t)nr_nodes + (uint64_t)b];

			if (n == 0)
				continue;
			sqlite3_bind_int64(st, 1, run_id);
			sqlite3_bind_int(st, 2, a);
			sqlite3_bind_int(st, 3, b);
			db_bind_u64(st, 4, n);
			if (db_step(db, DB_NUMA_INSERT, what, cause) != 0)
				goto out_finish;
		}
	}
	failed = 0;
out_finish:
	return db_write_finish(db, own, failed, what, cause);
}

/* Cycles to nanoseconds at mhz without overflowing (machine.h's way). */
static uint64_t db_cycles_to_ns(uint64_t cycles, unsigned mhz)
{
	return cycles / mhz * 1000 + cycles % mhz * 1000 / mhz;
}

int db_write_latency(struct db *db, int64_t run_id, const char *op,
    const struct hist *h, unsigned cpu_mhz, char **cause)
{
	static const char what[] = "writing latencies";
	static const double pct[] = { 50, 90, 99, 99.9 };
	sqlite3_stmt *st;
	uint64_t v[6], cum = 0;	/* min, p50, p90, p99, p99.9, max */
	unsigned b, k;
	bool own;
	int failed = 1;

	assert(op != NULL);
	if (db_write_start(db, &own, what, cause) != 0)
		return -1;

	st = db->stmt[DB_LATENCY_DELETE];
	sqlite3_bind_int64(st, 1, run_id);
	db_bind_text(st, 2, op);
	if (db_step(db, DB_LATENCY_DELETE, what, cause) != 0)
		goto out_finish;

	st = db->stmt[DB_LATENCY_INSERT];
	sqlite3_bind_int64(st, 1, run_id);
	db_bind_text(st, 2, op);
	db_bind_u64(st, 3, h->count);
	if (cpu_mhz != 0)
		sqlite3_bind_int64(st, 4, cpu_mhz);
	if (h->count != 0) {
		v[0] = h->min;
		for (k = 0; k < ARRAY_SIZE(pct); k++)
			v[1 + k] = hist_percentile(h, pct[k]);
		v[5] = h->max;
		/* ?5 min, ?6 mean, ?7..?11 p50 p90 p99 p999 max. */
		db_bind_u64(st, 5, v[0]);
		sqlite3_bind_double(st, 6, hist_mean(h));
		for (k = 1; k <= 5; k++)
			db_bind_u64(st, 6 + (int)k, v[k]);
		if (cpu_mhz != 0) {
			db_bind_u64(st, 12, db_cycles_to_ns(v[0], cpu_mhz));
			sqlite3_bind_double(st, 13,
			    hist_mean(h) * 1000.0 / cpu_mhz);
			for (k = 1; k <= 5; k++)
				db_bind_u64(st, 13 + (int)k,
				    db_cycles_to_ns(v[k], cpu_mhz));
		}
	}
	if (db_step(db, DB_LATENCY_INSERT, what, cause) != 0)
		goto out_finish;

	st = db->stmt[DB_LATENCY_HIST_INSERT];
	for (b = 0; b < HIST_NBUCKETS; b++) {
		if (h->buckets[b] == 0)
			continue;
		cum += h->buckets[b];
		sqlite3_bind_int64(st, 1, run_id);
		db_bind_text(st, 2, op);
		db_bind_u64(st, 3, hist_bucket_low(b));
		db_bind_u64(st, 4, hist_bucket_high(b));
		db_bind_u64(st, 5, h->buckets[b]);
		db_bind_u64(st, 6, cum);
		if (db_step(db, DB_LATENCY_HIST_INSERT, what, cause) != 0)
			goto out_finish;
	}
	failed = 0;

out_finish:
	return db_write_finish(db, own, failed, what, cause);
}

int db_write_failure(struct db *db, int64_t run_id, unsigned order,
    const char *gfp, int node, uint64_t count, char **cause)
{
	sqlite3_stmt *st = db->stmt[DB_FAILURE_ADD];

	assert(gfp != NULL);
	if (db_check_txn(db, "writing a failure", cause) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_int(st, 2, (int)order);
	db_bind_text(st, 3, gfp);
	sqlite3_bind_int(st, 4, node);
	db_bind_u64(st, 5, count);
	return db_step(db, DB_FAILURE_ADD, "writing a failure", cause);
}

int db_write_counter(struct db *db, int64_t run_id, const char *name,
    double value, char **cause)
{
	sqlite3_stmt *st = db->stmt[DB_COUNTER_SET];

	assert(name != NULL);
	if (db_check_txn(db, "writing a counter", cause) != 0)
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	db_bind_text(st, 2, name);
	sqlite3_bind_double(st, 3, value);
	return db_step(db, DB_COUNTER_SET, "writing a counter", cause);
}
