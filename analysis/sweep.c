/*
 * sweep.c - kmsim-sweep(1): the sweep file, its grid, shards and merging.
 *
 * A sweep file is small, so it is loaded whole with libyaml's document
 * API and checked key by key.  The grid is traces x params (cartesian, in
 * file order, the last param varying fastest) x repeats; a point's index
 * is its rank in that order, so it stays the same from one invocation to
 * the next, on any host.  Each point runs into its own shard database
 * (one writer per file, so points on different hosts never contend for a
 * lock); merging copies the complete runs of the shards into one
 * database with new run_ids.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>
#include <yaml.h>

#include "kmsim_config.h"
#include "results/db.h"
#include "kmsim.h"
#include "sweep.h"
#include "yamlnode.h"

#define SWEEP_MAX_FILE	(1u << 20)
#define SWEEP_MAX_REPEATS 100000

struct sweep_reader {
	struct yamlnode_doc yd;		/* the document, its errors */
	struct sweep *s;
};

static struct srcpos sweep_pos(const struct sweep_reader *r,
    const yaml_node_t *n)
{
	return yamlnode_pos(&r->yd, n);
}

/* A non-empty scalar without NUL bytes. */
static int sweep_scalar(struct sweep_reader *r, const yaml_node_t *n,
    const char *what, const char **out)
{
	if (n->type != YAML_SCALAR_NODE)
		return yamlnode_error(&r->yd, n, "%s: expected a scalar, found "
		    "%s", what, yamlnode_kind(n));
	if (yamlnode_has_nul(n))
		return yamlnode_error(&r->yd, n, "%s: contains a NUL character",
		    what);
	if (n->data.scalar.length == 0)
		return yamlnode_error(&r->yd, n, "%s: must not be empty", what);
	*out = yamlnode_text(n);
	return 0;
}

/* path as written, resolved against the sweep file's directory. */
static char *sweep_resolve(const char *sweep_path, const char *path)
{
	const char *slash = strrchr(sweep_path, '/');
	char *out;

	if (path[0] == '/' || slash == NULL)
		return xstrdup(path);
	xasprintf(&out, "%.*s/%s", (int)(slash - sweep_path), sweep_path, path);
	return out;
}

static int sweep_read_traces(struct sweep_reader *r, yaml_node_t *n)
{
	struct sweep *s = r->s;
	yaml_node_t *t;
	const char *text;
	int nr, i;

	if (n->type == YAML_SCALAR_NODE) {
		if (sweep_scalar(r, n, "traces", &text) != 0)
			return -1;
		nr = 1;
	} else if (n->type == YAML_SEQUENCE_NODE) {
		nr = yamlnode_seq_len(n);
		if (nr == 0)
			return yamlnode_error(&r->yd, n, "traces: the list is "
			    "empty");
	} else
		return yamlnode_error(&r->yd, n, "traces: expected a list of "
		    "trace files, found %s", yamlnode_kind(n));
	s->traces = xcalloc((size_t)nr, sizeof *s->traces);
	s->trace_paths = xcalloc((size_t)nr, sizeof *s->trace_paths);
	s->trace_pos = xcalloc((size_t)nr, sizeof *s->trace_pos);
	for (i = 0; i < nr; i++) {
		t = n->type == YAML_SCALAR_NODE ? n :
		    yamlnode_seq_item(&r->yd, n, i);
		if (sweep_scalar(r, t, "traces", &text) != 0)
			return -1;
		s->traces[i] = xstrdup(text);
		s->trace_paths[i] = sweep_resolve(s->path, text);
		s->trace_pos[i] = sweep_pos(r, t);
		s->nr_traces = i + 1;
	}
	return 0;
}

static void sweep_param_add(struct sweep_param *p, const char *value,
    struct srcpos pos)
{
	p->values = xreallocarray(p->values, (size_t)p->nr_values + 1,
	    sizeof *p->values);
	p->value_pos = xreallocarray(p->value_pos, (size_t)p->nr_values + 1,
	    sizeof *p->value_pos);
	p->values[p->nr_values] = xstrdup(value);
	p->value_pos[p->nr_values] = pos;
	p->nr_values++;
}

/* Is the text an integer (decimal, optional sign)? */
static bool sweep_is_int(const char *s, int64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	return *s != '\0' && *end == '\0' && errno == 0 &&
	    (isdigit((unsigned char)*s) || *s == '-' || *s == '+');
}

static bool sweep_is_num(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return *s != '\0' && *end == '\0' && errno == 0 && isfinite(*out);
}

/* {from: A, to: B, step: C}: A, A+C, ... up to B inclusive. */
static int sweep_read_range(struct sweep_reader *r, struct sweep_param *p,
    yaml_node_t *map)
{
	static const char *const names[] = { "from", "to", "step" };
	struct yamlnode_keys ks = { names, ARRAY_SIZE(names), NULL, "key",
	    " in a range (from, to, step)", false };
	yaml_node_t *vals[3] = { NULL, NULL, NULL };
	yaml_node_t *seen[3] = { NULL, NULL, NULL };
	const char *text[3] = { NULL, NULL, "1" };
	struct yamlnode_iter it;
	yaml_node_t *k, *v;
	struct srcpos pos = sweep_pos(r, map);
	int64_t ia[3];
	double da[3];
	bool ints = true;
	char buf[64], *prefix;
	long n, i;
	size_t j;
	int rc;

	xasprintf(&prefix, "%s: ", p->key);
	ks.prefix = prefix;
	yamlnode_iter_init(&it, map);
	while ((rc = yamlnode_next(&r->yd, &it, &ks, seen, &j, &k, &v)) > 0) {
		vals[j] = v;
		if (sweep_scalar(r, v, names[j], &text[j]) != 0) {
			rc = -1;
			break;
		}
		if (!sweep_is_num(text[j], &da[j])) {
			rc = yamlnode_error(&r->yd, v, "%s: %s: '%s' is not a "
			    "number", p->key, names[j], text[j]);
			break;
		}
	}
	free(prefix);
	if (rc < 0)
		return -1;
	for (j = 0; j < 2; j++)
		if (vals[j] == NULL)
			return yamlnode_error(&r->yd, map, "%s: a range needs "
			    "'%s'", p->key, names[j]);
	if (vals[2] == NULL)
		da[2] = 1;
	for (j = 0; j < 3; j++)
		ints = ints && sweep_is_int(text[j], &ia[j]);
	if (da[2] <= 0)
		return yamlnode_error(&r->yd, vals[2], "%s: step: must be "
		    "above 0", p->key);
	if (da[1] < da[0])
		return yamlnode_error(&r->yd, vals[1], "%s: to: %s is below "
		    "from (%s)", p->key, text[1], text[0]);
	if ((da[1] - da[0]) / da[2] >= SWEEP_MAX_POINTS)
		return yamlnode_error(&r->yd, map, "%s: more than %d values",
		    p->key, SWEEP_MAX_POINTS);
	/* a float step: a tiny tolerance, so 0.1 steps reach `to` */
	n = ints ? (long)((ia[1] - ia[0]) / ia[2]) + 1 :
	    (long)floor((da[1] - da[0]) / da[2] + 1e-9) + 1;
	for (i = 0; i < n; i++) {
		if (ints)
			snprintf(buf, sizeof buf, "%" PRId64, ia[0] + i * ia[2]);
		else
			snprintf(buf, sizeof buf, "%.10g", da[0] + i * da[2]);
		sweep_param_add(p, buf, pos);
	}
	return 0;
}

static bool sweep_valid_key(const char *k)
{
	const char *c;

	if (*k == '.' || k[strlen(k) - 1] == '.' || strstr(k, "..") != NULL)
		return false;
	for (c = k; *c != '\0'; c++)
		if (!isalnum((unsigned char)*c) && *c != '_' && *c != '.' &&
		    *c != '-')
			return false;
	return true;
}

static int sweep_read_params(struct sweep_reader *r, yaml_node_t *map)
{
	struct sweep *s = r->s;
	yaml_node_pair_t *pair;
	yaml_node_item_t *it;
	struct sweep_param *p;
	yaml_node_t *k, *v, *e;
	const char *key, *text;
	int i;

	if (map->type == YAML_SCALAR_NODE && map->data.scalar.length == 0)
		return 0;	/* `params:` with nothing */
	if (map->type != YAML_MAPPING_NODE)
		return yamlnode_error(&r->yd, map, "params: expected a mapping "
		    "of config keys to values, found %s", yamlnode_kind(map));
	for (pair = map->data.mapping.pairs.start;
	    pair < map->data.mapping.pairs.top; pair++) {
		k = yaml_document_get_node(r->yd.doc, pair->key);
		v = yaml_document_get_node(r->yd.doc, pair->value);
		if (sweep_scalar(r, k, "params", &key) != 0)
			return -1;
		if (!sweep_valid_key(key))
			return yamlnode_error(&r->yd, k, "params: '%s' is not "
			    "a dotted config key (vm.watermark_scale_factor)",
			    key);
		if (strcmp(key, "trace") == 0 || strcmp(key, "seed") == 0 ||
		    strcmp(key, "point") == 0)
			return yamlnode_error(&r->yd, k, "params: '%s' is not "
			    "a config key (use traces: or repeats:)", key);
		for (i = 0; i < s->nr_params; i++)
			if (strcmp(s->params[i].key, key) == 0)
				return yamlnode_error(&r->yd, k, "params: "
				    "duplicate key '%s'", key);
		s->params = xreallocarray(s->params, (size_t)s->nr_params + 1,
		    sizeof *s->params);
		p = &s->params[s->nr_params++];
		memset(p, 0, sizeof *p);
		p->key = xstrdup(key);
		p->pos = sweep_pos(r, k);
		if (v->type == YAML_MAPPING_NODE) {
			if (sweep_read_range(r, p, v) != 0)
				return -1;
			continue;
		}
		if (v->type == YAML_SCALAR_NODE) {
			if (sweep_scalar(r, v, key, &text) != 0)
				return -1;
			sweep_param_add(p, text, sweep_pos(r, v));
			continue;
		}
		if (v->data.sequence.items.top == v->data.sequence.items.start)
			return yamlnode_error(&r->yd, v, "%s: the list of "
			    "values is empty", key);
		for (it = v->data.sequence.items.start;
		    it < v->data.sequence.items.top; it++) {
			e = yaml_document_get_node(r->yd.doc, *it);
			if (sweep_scalar(r, e, key, &text) != 0)
				return -1;
			if (strchr(text, '\n') != NULL)
				return yamlnode_error(&r->yd, e, "%s: a value "
				    "must be one line", key);
			sweep_param_add(p, text, sweep_pos(r, e));
		}
	}
	return 0;
}

static int sweep_read_root(struct sweep_reader *r, yaml_node_t *root)
{
	static const char *const names[] = {
		"base", "traces", "params", "repeats", "mode"
	};
	enum { K_BASE, K_TRACES, K_PARAMS, K_REPEATS, K_MODE };
	static const struct yamlnode_keys ks = { names, ARRAY_SIZE(names),
	    "", "key", " (base, traces, params, repeats, mode)", false };
	yaml_node_t *vals[ARRAY_SIZE(names)], *keys[ARRAY_SIZE(names)];
	struct sweep *s = r->s;
	const char *text;
	uint64_t u;
	int j;
	long total;

	if (root->type != YAML_MAPPING_NODE)
		return yamlnode_error(&r->yd, root, "expected a mapping at the "
		    "top level, found %s", yamlnode_kind(root));
	if (yamlnode_collect(&r->yd, root, &ks, vals, keys) != 0)
		return -1;
	if (vals[K_BASE] == NULL)
		return yamlnode_error(&r->yd, root, "missing key 'base' (the "
		    "machine configuration)");
	if (vals[K_TRACES] == NULL)
		return yamlnode_error(&r->yd, root, "missing key 'traces'");
	if (sweep_scalar(r, vals[K_BASE], "base", &text) != 0)
		return -1;
	s->base = xstrdup(text);
	s->base_path = sweep_resolve(s->path, text);
	s->base_pos = sweep_pos(r, vals[K_BASE]);
	if (sweep_read_traces(r, vals[K_TRACES]) != 0)
		return -1;
	if (vals[K_PARAMS] != NULL && sweep_read_params(r, vals[K_PARAMS]) != 0)
		return -1;
	s->repeats = 1;
	if (vals[K_REPEATS] != NULL) {
		if (sweep_scalar(r, vals[K_REPEATS], "repeats", &text) != 0 ||
		    yamlnode_parse_u64(&r->yd, vals[K_REPEATS], "repeats", text,
		    1, SWEEP_MAX_REPEATS, &u) != 0)
			return -1;
		s->repeats = (unsigned)u;
	}
	if (vals[K_MODE] != NULL) {
		if (sweep_scalar(r, vals[K_MODE], "mode", &text) != 0)
			return -1;
		if (strcmp(text, "simulate") != 0 && strcmp(text, "replay") != 0)
			return yamlnode_error(&r->yd, vals[K_MODE], "mode: "
			    "unknown mode '%s' (simulate or replay)", text);
		s->mode = xstrdup(text);
	}
	total = s->nr_traces * (long)s->repeats;
	for (j = 0; j < s->nr_params; j++) {
		total *= s->params[j].nr_values;
		if (total > SWEEP_MAX_POINTS)
			return yamlnode_error(&r->yd, root, "the grid has more "
			    "than %d points", SWEEP_MAX_POINTS);
	}
	s->nr_points = total;
	return 0;
}

static char *sweep_slurp(const char *path, size_t *len, char **cause)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (f == NULL) {
		kmsim_fail(cause, "%s: %s", path, strerror(errno));
		return NULL;
	}
	buf = xmalloc(SWEEP_MAX_FILE + 1);
	n = fread(buf, 1, SWEEP_MAX_FILE + 1, f);
	if (ferror(f) || n > SWEEP_MAX_FILE) {
		kmsim_fail(cause, "%s: %s", path, ferror(f) ? strerror(errno) :
		    "too large for a sweep file");
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

struct sweep *sweep_load(const char *path, char **cause)
{
	struct sweep_reader r;
	struct sweep *s;
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	struct srcpos pos;
	size_t len;
	char *text;
	int rc = -1;

	text = sweep_slurp(path, &len, cause);
	if (text == NULL)
		return NULL;
	s = xcalloc(1, sizeof *s);
	s->path = xstrdup(path);
	pos.file = s->path;
	if (!yaml_parser_initialize(&parser)) {
		fprintf(stderr, "%s: out of memory\n", SWEEP_NAME);
		exit(3);
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text,
	    len);
	if (!yaml_parser_load(&parser, &doc)) {
		pos.line = (unsigned long)parser.problem_mark.line + 1;
		pos.col = (unsigned long)parser.problem_mark.column + 1;
		kmsim_fail_at(cause, &pos, "%s", parser.problem != NULL ?
		    parser.problem : "YAML syntax error");
		goto out_parser;
	}
	root = yaml_document_get_root_node(&doc);
	if (root == NULL) {
		pos.line = pos.col = 1;
		kmsim_fail_at(cause, &pos, "the sweep file is empty");
	} else {
		memset(&r, 0, sizeof r);
		r.s = s;
		r.yd.doc = &doc;
		r.yd.file = s->path;
		r.yd.cause = cause;
		rc = sweep_read_root(&r, root);
	}
	yaml_document_delete(&doc);
out_parser:
	yaml_parser_delete(&parser);
	free(text);
	if (rc != 0) {
		sweep_destroy(s);
		return NULL;
	}
	return s;
}

void sweep_destroy(struct sweep *s)
{
	int i, j;

	if (s == NULL)
		return;
	for (i = 0; i < s->nr_traces; i++) {
		free(s->traces[i]);
		free(s->trace_paths[i]);
	}
	for (i = 0; i < s->nr_params; i++) {
		for (j = 0; j < s->params[i].nr_values; j++)
			free(s->params[i].values[j]);
		free(s->params[i].values);
		free(s->params[i].value_pos);
		free(s->params[i].key);
	}
	free(s->params);
	free(s->traces);
	free(s->trace_paths);
	free(s->trace_pos);
	free(s->base);
	free(s->base_path);
	free(s->mode);
	free(s->path);
	free(s);
}

int sweep_validate(const struct sweep *s, char **cause)
{
	const struct sweep_param *p;
	struct config *cfg;
	char *set, *why = NULL;
	const char *sets[1];
	int i, j;

	cfg = config_load(s->base_path, &why);
	if (cfg == NULL) {
		kmsim_fail_at(cause, &s->base_pos, "base: %s", why);
		free(why);
		return -1;
	}
	config_destroy(cfg);
	for (i = 0; i < s->nr_traces; i++)
		if (access(s->trace_paths[i], R_OK) != 0)
			return kmsim_fail_at(cause, &s->trace_pos[i],
			    "traces: %s: %s", s->trace_paths[i],
			    strerror(errno));
	for (i = 0; i < s->nr_params; i++) {
		p = &s->params[i];
		for (j = 0; j < p->nr_values; j++) {
			xasprintf(&set, "%s=%s", p->key, p->values[j]);
			sets[0] = set;
			cfg = config_load_overrides(s->base_path, sets, 1, &why);
			free(set);
			if (cfg == NULL) {
				kmsim_fail_at(cause, &p->value_pos[j], "%s: %s",
				    p->key, why);
				free(why);
				return -1;
			}
			config_destroy(cfg);
		}
	}
	return 0;
}

void sweep_point_get(const struct sweep *s, long index,
    struct sweep_point *pt)
{
	long rest = index;
	int i;

	pt->index = index;
	pt->value = xcalloc((size_t)s->nr_params + 1, sizeof *pt->value);
	pt->seed = (unsigned)(rest % s->repeats);
	rest /= s->repeats;
	for (i = s->nr_params; i-- > 0;) {
		pt->value[i] = (int)(rest % s->params[i].nr_values);
		rest /= s->params[i].nr_values;
	}
	pt->trace = (int)rest;
}

void sweep_point_fini(struct sweep_point *pt)
{
	free(pt->value);
	pt->value = NULL;
}

struct sweep_kv *sweep_point_kv(const struct sweep *s,
    const struct sweep_point *pt, int *nr)
{
	struct sweep_kv *kv = xcalloc((size_t)s->nr_params + 3, sizeof *kv);
	int i, n = 0;

	kv[n].key = "trace";
	kv[n++].value = xstrdup(s->traces[pt->trace]);
	for (i = 0; i < s->nr_params; i++) {
		kv[n].key = s->params[i].key;
		kv[n++].value = xstrdup(s->params[i].values[pt->value[i]]);
	}
	kv[n].key = "seed";
	xasprintf(&kv[n++].value, "%u", pt->seed);
	kv[n].key = "point";
	xasprintf(&kv[n++].value, "%ld", pt->index);
	*nr = n;
	return kv;
}

void sweep_kv_free(struct sweep_kv *kv, int nr)
{
	int i;

	if (kv == NULL)
		return;
	for (i = 0; i < nr; i++)
		free(kv[i].value);
	free(kv);
}

char *sweep_kv_format(const struct sweep_kv *kv, int nr)
{
	char *out = xstrdup(""), *next;
	int i;

	for (i = 0; i < nr; i++) {
		xasprintf(&next, "%s%s%s=%s", out, i ? ", " : "", kv[i].key,
		    kv[i].value);
		free(out);
		out = next;
	}
	return out;
}

char **sweep_point_argv(const struct sweep *s, const struct sweep_point *pt,
    const char *kmsim, const char *shard)
{
	char **argv = xcalloc((size_t)s->nr_params * 2 + 16, sizeof *argv);
	int n = 0, i;

	argv[n++] = xstrdup(kmsim);
	argv[n++] = xstrdup("--config");
	argv[n++] = xstrdup(s->base_path);
	for (i = 0; i < s->nr_params; i++) {
		argv[n++] = xstrdup("--set");
		xasprintf(&argv[n++], "%s=%s", s->params[i].key,
		    s->params[i].values[pt->value[i]]);
	}
	argv[n++] = xstrdup("--trace");
	argv[n++] = xstrdup(s->trace_paths[pt->trace]);
	argv[n++] = xstrdup("--seed");
	xasprintf(&argv[n++], "%u", pt->seed);
	if (s->mode != NULL) {
		argv[n++] = xstrdup("--mode");
		argv[n++] = xstrdup(s->mode);
	}
	argv[n++] = xstrdup("--db");
	argv[n++] = xstrdup(shard);
	argv[n++] = xstrdup("--quiet");
	argv[n] = NULL;
	return argv;
}

void sweep_argv_free(char **argv)
{
	char **a;

	if (argv == NULL)
		return;
	for (a = argv; *a != NULL; a++)
		free(*a);
	free(argv);
}

char *sweep_shard_path(const char *dir, long index)
{
	char *p;

	xasprintf(&p, "%s/point-%06ld.db", dir, index);
	return p;
}

void sweep_shard_remove(const char *shard)
{
	char *p;

	unlink(shard);
	xasprintf(&p, "%s-wal", shard);
	unlink(p);
	free(p);
	xasprintf(&p, "%s-shm", shard);
	unlink(p);
	free(p);
}

int sweep_shard_complete(const char *shard, const struct sweep_kv *kv,
    int nr)
{
	sqlite3 *sq = NULL;
	sqlite3_stmt *st = NULL;
	int64_t run = -1;
	int i, found = 0, rc;

	if (access(shard, F_OK) != 0)
		return 0;
	if (sqlite3_open_v2(shard, &sq, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK)
		goto out;
	sqlite3_busy_timeout(sq, DB_BUSY_TIMEOUT_MS);
	if (sqlite3_prepare_v2(sq, "SELECT run_id FROM runs WHERE status ="
	    " 'complete' ORDER BY run_id DESC LIMIT 1", -1, &st, NULL) !=
	    SQLITE_OK)
		goto out;
	if (sqlite3_step(st) == SQLITE_ROW)
		run = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (run < 0 || sqlite3_prepare_v2(sq, "SELECT count(*) FROM params"
	    " WHERE run_id = ?1", -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(st, 1, run);
	if (sqlite3_step(st) != SQLITE_ROW ||
	    sqlite3_column_int(st, 0) != nr)
		goto out;
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(sq, "SELECT count(*) FROM params WHERE"
	    " run_id = ?1 AND key = ?2 AND value = ?3", -1, &st, NULL) !=
	    SQLITE_OK) {
		st = NULL;
		goto out;
	}
	for (i = 0; i < nr; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, run);
		sqlite3_bind_text(st, 2, kv[i].key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, kv[i].value, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW || sqlite3_column_int(st, 0) != 1)
			goto out;
	}
	found = 1;
out:
	sqlite3_finalize(st);
	sqlite3_close(sq);
	return found;
}

int sweep_shard_set_params(const char *shard, const struct sweep_kv *kv,
    int nr, char **cause)
{
	struct db *db;
	sqlite3 *sq;
	sqlite3_stmt *st = NULL;
	int i, rc = -1;

	/* db_open: the schema checks, and params made if the file lacks it */
	db = db_open(shard, cause);
	if (db == NULL)
		return -1;
	sq = db_connection(db);
	if (sqlite3_exec(sq, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		goto out_sql;
	if (sqlite3_prepare_v2(sq, "INSERT OR REPLACE INTO params (run_id,"
	    " key, value) SELECT run_id, ?1, ?2 FROM runs"
	    " WHERE status = 'complete'", -1, &st, NULL) != SQLITE_OK)
		goto out_sql;
	for (i = 0; i < nr; i++) {
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, kv[i].key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, kv[i].value, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto out_sql;
	}
	if (sqlite3_exec(sq, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto out_sql;
	rc = 0;
	goto out;
out_sql:
	kmsim_fail(cause, "%s: %s", shard, sqlite3_errmsg(sq));
	sqlite3_exec(sq, "ROLLBACK", NULL, NULL, NULL);
out:
	sqlite3_finalize(st);
	db_close(db);
	return rc;
}

/* ---- merging ---- */

struct sweep_merge {
	sqlite3 *sq;
	char **cause;
	const char *shard;
};

static int sweep_merge_fail(struct sweep_merge *m, const char *what)
{
	return kmsim_fail(m->cause, "%s: %s: %s", m->shard, what,
	    sqlite3_errmsg(m->sq));
}

static int sweep_exec(struct sweep_merge *m, const char *sql, int64_t a,
    int64_t b)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(m->sq, sql, -1, &st, NULL) != SQLITE_OK)
		return sweep_merge_fail(m, "merging");
	if (sqlite3_bind_parameter_count(st) >= 1)
		sqlite3_bind_int64(st, 1, a);
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_int64(st, 2, b);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sweep_merge_fail(m, "merging");
	return 0;
}

/*
 * The column list of table t in both main and the shard, and the same
 * with run_id replaced by ?1 and snapshot_id mapped through temp.snapmap
 * (when map_snapshots).  Tables added to the schema later are copied the
 * same way, so the merge follows the schema rather than a copy of it.
 */
static int sweep_columns(struct sweep_merge *m, const char *t,
    bool map_snapshots, char **cols, char **exprs)
{
	sqlite3_stmt *st;
	char *sql, *c = xstrdup(""), *e = xstrdup(""), *n1, *n2;
	const char *name;
	int found = 0;

	xasprintf(&sql, "SELECT m.name FROM pragma_table_info(?1, 'main') m"
	    " JOIN pragma_table_info(?1, 'shard') s ON s.name = m.name"
	    " ORDER BY m.cid");
	if (sqlite3_prepare_v2(m->sq, sql, -1, &st, NULL) != SQLITE_OK) {
		free(sql);
		free(c);
		free(e);
		return sweep_merge_fail(m, "reading the schema");
	}
	free(sql);
	sqlite3_bind_text(st, 1, t, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		name = (const char *)sqlite3_column_text(st, 0);
		if (strcmp(t, "runs") == 0 && strcmp(name, "run_id") == 0)
			continue;
		if (strcmp(t, "snapshots") == 0 &&
		    strcmp(name, "snapshot_id") == 0)
			continue;
		xasprintf(&n1, "%s%s\"%s\"", c, found ? ", " : "", name);
		if (strcmp(name, "run_id") == 0)
			xasprintf(&n2, "%s%s?1", e, found ? ", " : "");
		else if (map_snapshots && strcmp(name, "snapshot_id") == 0)
			xasprintf(&n2, "%s%s(SELECT new FROM temp.snapmap"
			    " WHERE old = t.snapshot_id)", e, found ? ", " : "");
		else
			xasprintf(&n2, "%s%st.\"%s\"", e, found ? ", " : "",
			    name);
		free(c);
		free(e);
		c = n1;
		e = n2;
		found++;
	}
	sqlite3_finalize(st);
	*cols = c;
	*exprs = e;
	return found;
}

/* Copy one run of the attached shard; 1 if it was merged before. */
static int sweep_merge_run(struct sweep_merge *m, int64_t old)
{
	sqlite3_stmt *st, *tables;
	char *cols, *exprs, *sql;
	const char *t;
	int64_t new;
	int rc, done;

	/* the same run merged before: same start time and command line */
	if (sqlite3_prepare_v2(m->sq, "SELECT count(*) FROM main.runs r,"
	    " shard.runs o WHERE o.run_id = ?1 AND r.start_time IS"
	    " o.start_time AND r.command_line IS o.command_line", -1, &st,
	    NULL) != SQLITE_OK)
		return sweep_merge_fail(m, "merging");
	sqlite3_bind_int64(st, 1, old);
	rc = sqlite3_step(st);
	done = rc == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
	sqlite3_finalize(st);
	if (done)
		return 1;

	if (sweep_columns(m, "runs", false, &cols, &exprs) < 0)
		return -1;
	xasprintf(&sql, "INSERT INTO main.runs (%s) SELECT %s FROM"
	    " shard.runs t WHERE t.run_id = ?2", cols, exprs);
	rc = sweep_exec(m, sql, 0, old);
	free(sql);
	free(cols);
	free(exprs);
	if (rc != 0)
		return -1;
	new = sqlite3_last_insert_rowid(m->sq);

	if (sweep_columns(m, "snapshots", false, &cols, &exprs) < 0)
		return -1;
	xasprintf(&sql, "INSERT INTO main.snapshots (%s) SELECT %s FROM"
	    " shard.snapshots t WHERE t.run_id = ?2 ORDER BY t.seq", cols,
	    exprs);
	rc = sweep_exec(m, sql, new, old);
	free(sql);
	free(cols);
	free(exprs);
	if (rc != 0 ||
	    sweep_exec(m, "DELETE FROM temp.snapmap", 0, 0) != 0 ||
	    sweep_exec(m, "INSERT INTO temp.snapmap (old, new) SELECT"
	    " o.snapshot_id, n.snapshot_id FROM shard.snapshots o JOIN"
	    " main.snapshots n ON n.run_id = ?1 AND n.seq = o.seq"
	    " WHERE o.run_id = ?2", new, old) != 0)
		return -1;

	/* every other table with a run_id, in the order of creation */
	if (sqlite3_prepare_v2(m->sq, "SELECT m.name FROM main.sqlite_master m"
	    " WHERE m.type = 'table' AND m.name NOT IN ('runs', 'snapshots',"
	    " 'meta') AND m.name NOT LIKE 'sqlite_%' AND EXISTS (SELECT 1 FROM"
	    " pragma_table_info(m.name, 'main') WHERE name = 'run_id') AND"
	    " EXISTS (SELECT 1 FROM shard.sqlite_master s WHERE s.type ="
	    " 'table' AND s.name = m.name) ORDER BY m.rowid", -1, &tables,
	    NULL) != SQLITE_OK)
		return sweep_merge_fail(m, "reading the schema");
	rc = 0;
	while (rc == 0 && sqlite3_step(tables) == SQLITE_ROW) {
		t = (const char *)sqlite3_column_text(tables, 0);
		if (sweep_columns(m, t, true, &cols, &exprs) < 0) {
			rc = -1;
			break;
		}
		xasprintf(&sql, "INSERT INTO main.\"%s\" (%s) SELECT %s FROM"
		    " shard.\"%s\" t WHERE t.run_id = ?2", t, cols, exprs, t);
		rc = sweep_exec(m, sql, new, old);
		free(sql);
		free(cols);
		free(exprs);
	}
	sqlite3_finalize(tables);
	return rc;
}

static int sweep_merge_shard(struct sweep_merge *m, int *merged,
    int *skipped)
{
	sqlite3_stmt *st;
	int64_t *runs = NULL;
	int nr = 0, i, rc;

	if (sqlite3_prepare_v2(m->sq, "SELECT run_id FROM shard.runs WHERE"
	    " status = 'complete' ORDER BY run_id", -1, &st, NULL) !=
	    SQLITE_OK)
		return sweep_merge_fail(m, "not a kmsim database");
	while (sqlite3_step(st) == SQLITE_ROW) {
		runs = xreallocarray(runs, (size_t)nr + 1, sizeof *runs);
		runs[nr++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (sweep_exec(m, "BEGIN IMMEDIATE", 0, 0) != 0) {
		free(runs);
		return -1;
	}
	for (i = 0; i < nr; i++) {
		rc = sweep_merge_run(m, runs[i]);
		if (rc < 0) {
			sqlite3_exec(m->sq, "ROLLBACK", NULL, NULL, NULL);
			free(runs);
			return -1;
		}
		if (rc > 0)
			(*skipped)++;
		else
			(*merged)++;
	}
	free(runs);
	return sweep_exec(m, "COMMIT", 0, 0);
}

int sweep_merge(const char *out, char *const *shards, int nr_shards,
    int *merged, int *skipped, char **cause)
{
	struct sweep_merge m;
	struct db *shard_db, *db;
	sqlite3_stmt *st;
	int i, rc = 0;

	*merged = *skipped = 0;
	db = db_open(out, cause);
	if (db == NULL)
		return -1;
	m.sq = db_connection(db);
	m.cause = cause;
	m.shard = out;
	if (sweep_exec(&m, "CREATE TEMP TABLE IF NOT EXISTS snapmap (old"
	    " INTEGER PRIMARY KEY, new INTEGER)", 0, 0) != 0) {
		db_close(db);
		return -1;
	}
	for (i = 0; i < nr_shards && rc == 0; i++) {
		m.shard = shards[i];
		/* opened once as a kmsim database: refused if it is not one */
		shard_db = db_open(shards[i], cause);
		if (shard_db == NULL) {
			rc = -1;
			break;
		}
		db_close(shard_db);
		if (sqlite3_prepare_v2(m.sq, "ATTACH ?1 AS shard", -1, &st,
		    NULL) != SQLITE_OK) {
			rc = sweep_merge_fail(&m, "attaching");
			break;
		}
		sqlite3_bind_text(st, 1, shards[i], -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			rc = sweep_merge_fail(&m, "attaching");
			break;
		}
		sqlite3_finalize(st);
		rc = sweep_merge_shard(&m, merged, skipped);
		sqlite3_exec(m.sq, "DETACH shard", NULL, NULL, NULL);
	}
	sqlite3_exec(m.sq, "DROP TABLE IF EXISTS temp.snapmap", NULL, NULL,
	    NULL);
	db_close(db);
	return rc;
}
