/*
 * sweep.h - kmsim-sweep(1): a parameter sweep over kmsim runs.
 *
 * sweep.c reads the sweep file and enumerates its grid, runs a point into
 * its shard database and merges the shards; sweep_check.c parses and
 * evaluates the CI gates (--check); sweep_main.c is the command.  These
 * files are linked into kmsim-sweep only, not into libkmsim.a.
 */
#ifndef KMSIM_SWEEP_H
#define KMSIM_SWEEP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "kmsim.h"

#define SWEEP_NAME "kmsim-sweep"
#define SWEEP_MAX_POINTS 1000000	/* a grid larger is a typo */

/* One swept key: a config key (dotted) and its values, as text. */
struct sweep_param {
	char *key;
	char **values;
	struct srcpos *value_pos;	/* where each value (or the range) is */
	int nr_values;
	struct srcpos pos;		/* the key */
};

struct sweep {
	char *path;		/* the sweep file as given */
	char *base;		/* `base:` as written */
	char *base_path;	/* resolved against the file's directory */
	struct srcpos base_pos;
	char **traces;		/* `traces:` as written */
	char **trace_paths;	/* resolved */
	struct srcpos *trace_pos;
	int nr_traces;
	struct sweep_param *params;
	int nr_params;
	unsigned repeats;	/* seeds 0 .. repeats-1 */
	char *mode;		/* NULL: kmsim's default */
	long nr_points;
};

/* A point of the grid: which trace, which value of each param, the seed. */
struct sweep_point {
	long index;
	int trace;
	int *value;		/* per param: an index into its values */
	unsigned seed;
};

/* A key=value of a point, as the params table records it. */
struct sweep_kv {
	const char *key;
	char *value;		/* owned */
};

/* sweep.c */
struct sweep *sweep_load(const char *path, char **cause);
void sweep_destroy(struct sweep *s);
/* Check every value of every param against the base configuration, and
 * that the traces can be read; -1 with *cause "FILE:LINE:COL: ...". */
int sweep_validate(const struct sweep *s, char **cause);
void sweep_point_get(const struct sweep *s, long index,
    struct sweep_point *pt);
void sweep_point_fini(struct sweep_point *pt);
/* The params of a point in order: trace, the keys, seed, point.  *nr is
 * set; free with sweep_kv_free(). */
struct sweep_kv *sweep_point_kv(const struct sweep *s,
    const struct sweep_point *pt, int *nr);
void sweep_kv_free(struct sweep_kv *kv, int nr);
/* "trace=t.yaml, vm.x=10, seed=0" (malloc'd). */
char *sweep_kv_format(const struct sweep_kv *kv, int nr);
/* The kmsim argv of a point (NULL-terminated, malloc'd strings). */
char **sweep_point_argv(const struct sweep *s, const struct sweep_point *pt,
    const char *kmsim, const char *shard);
void sweep_argv_free(char **argv);
/* The shard database of point i in dir (malloc'd). */
char *sweep_shard_path(const char *dir, long index);
/* Does the shard hold a complete run with exactly these params?  1 yes,
 * 0 no (missing, incomplete, other params). */
int sweep_shard_complete(const char *shard, const struct sweep_kv *kv,
    int nr);
/* Remove a shard and its -wal and -shm files. */
void sweep_shard_remove(const char *shard);
/* Record the params of the shard's complete run. */
int sweep_shard_set_params(const char *shard, const struct sweep_kv *kv,
    int nr, char **cause);
/* Copy the complete runs of the shards into the database out (created
 * if missing) with new run_ids; runs already merged are skipped.  Sets
 * *merged and *skipped. */
int sweep_merge(const char *out, char *const *shards, int nr_shards,
    int *merged, int *skipped, char **cause);

/* sweep_check.c: --check EXPR */
struct sweep_check;
/* Parse; NULL with *cause "col N: message". */
struct sweep_check *sweep_check_parse(const char *text, char **cause);
void sweep_check_destroy(struct sweep_check *c);
/* Evaluate on every complete run of the database; prints FAIL/OK lines
 * on f unless f is NULL; appends a result object to results (if not
 * NULL).  1 all passed, 0 some failed, -1 error (*cause). */
int sweep_check_run(const struct sweep_check *c, const char *db,
    FILE *f, json_t *results, char **cause);

#endif /* KMSIM_SWEEP_H */
