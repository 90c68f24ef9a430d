/* db.c - STUB, being written. */
#include "config.h"
#include "db.h"
struct db *db_open(const char *path, char **cause) { kmsim_fail(cause, "%s: not yet", path); return NULL; }
void db_close(struct db *db) { (void)db; }
int db_run_begin(struct db *db, const struct db_run_info *info, int64_t *run_id, char **cause) { (void)db; (void)info; (void)run_id; return kmsim_fail(cause, "not yet"); }
int db_txn_begin(struct db *db, char **cause) { (void)db; (void)cause; return 0; }
int db_txn_commit(struct db *db, char **cause) { (void)db; (void)cause; return 0; }
int db_txn_rollback(struct db *db) { (void)db; return 0; }
int db_write_snapshot(struct db *db, int64_t run_id, const struct machine *m, uint64_t sim_cycles, uint64_t sim_ns, char **cause) { (void)db; (void)run_id; (void)m; (void)sim_cycles; (void)sim_ns; (void)cause; return 0; }
int db_write_latency(struct db *db, int64_t run_id, const char *op, const struct hist *h, unsigned cpu_mhz, char **cause) { (void)db; (void)run_id; (void)op; (void)h; (void)cpu_mhz; (void)cause; return 0; }
int db_write_failure(struct db *db, int64_t run_id, unsigned order, const char *gfp, int node, uint64_t count, char **cause) { (void)db; (void)run_id; (void)order; (void)gfp; (void)node; (void)count; (void)cause; return 0; }
int db_write_counter(struct db *db, int64_t run_id, const char *name, double value, char **cause) { (void)db; (void)run_id; (void)name; (void)value; (void)cause; return 0; }
int db_run_end(struct db *db, int64_t run_id, const struct db_run_end *end, char **cause) { (void)db; (void)run_id; (void)end; (void)cause; return 0; }
