/*
 * sweep_check.c - kmsim-sweep --check: thresholds on a results database,
 * the gates of a CI pipeline.
 *
 *   check := func '(' [arg (',' arg)*] ')' cmp number
 *   arg   := name '=' word | word
 *   cmp   := '<' | '<=' | '>' | '>=' | '==' | '!='
 *
 * A check is parsed by recursive descent into a function, its arguments
 * and a threshold, then evaluated on every complete run with one query.
 * Its lexer and comparisons are those of expr.c; its words are its own
 * (they take dots, dashes and pluses: zone names, `1e-3`).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "expr.h"
#include "results/db.h"
#include "kmsim.h"
#include "sweep.h"

enum check_fn {
	FN_UNUSABLE,
	FN_EXTFRAG,
	FN_FREE_PAGES,
	FN_P50,
	FN_P90,
	FN_P99,
	FN_P999,
	FN_MAX,
	FN_FAILURES,
	FN_NR
};

static const char *const fn_names[FN_NR] = {
	[FN_UNUSABLE] = "unusable_index",
	[FN_EXTFRAG] = "fragmentation_index",
	[FN_FREE_PAGES] = "free_pages",
	[FN_P50] = "p50",
	[FN_P90] = "p90",
	[FN_P99] = "p99",
	[FN_P999] = "p999",
	[FN_MAX] = "max",
	[FN_FAILURES] = "failures",
};

/* The latency column of each percentile function. */
static const char *const fn_columns[FN_NR] = {
	[FN_P50] = "p50_cycles",
	[FN_P90] = "p90_cycles",
	[FN_P99] = "p99_cycles",
	[FN_P999] = "p999_cycles",
	[FN_MAX] = "max_cycles",
};

struct sweep_check {
	char *text;
	enum check_fn fn;
	long order;		/* -1: not given */
	long node;		/* -1: any (the worst, or the sum) */
	char *zone;
	char *op;
	enum expr_cmp cmp;
	double threshold;
	char *threshold_text;
	char *canon;		/* "unusable_index(order=9, zone=Normal)" */
};

static bool word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-' ||
	    c == '+';
}

/* A word: a name, a number or a zone; NULL if there is none here. */
static char *check_word(struct expr_lexer *ps)
{
	const char *start;
	size_t n = expr_lex_word(ps, word_char, &start);

	return n > 0 ? xstrndup(start, n) : NULL;
}

static int check_long(struct expr_lexer *ps, const char *at,
    const char *name, const char *s, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || *out < 0 ||
	    *out > 1000000)
		return expr_lex_fail(ps, at, "%s: '%s' is not a number", name,
		    s);
	return 0;
}

/* One argument: name=value, or a bare value (the op of a percentile). */
static int check_arg(struct expr_lexer *ps, struct sweep_check *c)
{
	const char *at;
	char *name, *value = NULL;
	int rc = -1;

	expr_lex_skip_ws(ps);
	at = ps->p;
	name = check_word(ps);
	if (name == NULL && *ps->p == '\0')
		return expr_lex_fail(ps, ps->p, "the expression ends early");
	if (name == NULL)
		return expr_lex_fail(ps, ps->p, "unexpected '%c'", *ps->p);
	expr_lex_skip_ws(ps);
	if (*ps->p != '=') {
		if (fn_columns[c->fn] == NULL || c->op != NULL) {
			expr_lex_fail(ps, at, "expected NAME=VALUE, found '%s'",
			    name);
			goto out;
		}
		c->op = name;
		return 0;
	}
	ps->p++;
	expr_lex_skip_ws(ps);
	at = ps->p;
	value = check_word(ps);
	if (value == NULL) {
		expr_lex_fail(ps, ps->p, "%s: missing value", name);
		goto out;
	}
	if (strcmp(name, "order") == 0 && c->order < 0 &&
	    (c->fn == FN_UNUSABLE || c->fn == FN_EXTFRAG ||
	    c->fn == FN_FAILURES)) {
		if (check_long(ps, at, name, value, &c->order) != 0)
			goto out;
	} else if (strcmp(name, "node") == 0 && c->node < 0 &&
	    fn_columns[c->fn] == NULL && c->fn != FN_FAILURES) {
		if (check_long(ps, at, name, value, &c->node) != 0)
			goto out;
	} else if (strcmp(name, "zone") == 0 && c->zone == NULL &&
	    fn_columns[c->fn] == NULL && c->fn != FN_FAILURES) {
		c->zone = value;
		value = NULL;
	} else if (strcmp(name, "op") == 0 && c->op == NULL &&
	    fn_columns[c->fn] != NULL) {
		c->op = value;
		value = NULL;
	} else {
		expr_lex_fail(ps, at - strlen(name) - 1, "%s() takes no "
		    "argument '%s' here", fn_names[c->fn], name);
		goto out;
	}
	rc = 0;
out:
	free(name);
	free(value);
	return rc;
}

struct sweep_check *sweep_check_parse(const char *text, char **cause)
{
	struct sweep_check *c = xcalloc(1, sizeof *c);
	struct expr_lexer ps;
	const char *at, *start;
	char *name, *end;
	size_t i;

	expr_lex_init(&ps, text, NULL);
	c->text = xstrdup(text);
	c->order = c->node = -1;
	expr_lex_skip_ws(&ps);
	at = ps.p;
	name = check_word(&ps);
	if (name == NULL) {
		expr_lex_fail(&ps, at, "expected a function (unusable_index, "
		    "fragmentation_index, free_pages, p50, p90, p99, p999, "
		    "max, failures)");
		goto out_fail;
	}
	for (i = 0; i < FN_NR; i++)
		if (strcmp(name, fn_names[i]) == 0)
			break;
	if (i == FN_NR) {
		expr_lex_fail(&ps, at, "unknown function '%s'", name);
		free(name);
		goto out_fail;
	}
	free(name);
	c->fn = (enum check_fn)i;
	expr_lex_skip_ws(&ps);
	if (*ps.p != '(') {
		expr_lex_fail(&ps, ps.p, "expected '(' after %s", fn_names[i]);
		goto out_fail;
	}
	ps.p++;
	expr_lex_skip_ws(&ps);
	if (*ps.p != ')') {
		for (;;) {
			if (check_arg(&ps, c) != 0)
				goto out_fail;
			expr_lex_skip_ws(&ps);
			if (*ps.p == ')')
				break;
			if (*ps.p != ',') {
				expr_lex_fail(&ps, ps.p, *ps.p ? "expected ',' "
				    "or ')'" : "expected ')': the expression "
				    "ends early");
				goto out_fail;
			}
			ps.p++;
		}
	}
	ps.p++;
	switch (c->fn) {
	case FN_UNUSABLE:
	case FN_EXTFRAG:
		if (c->order < 0) {
			expr_lex_fail(&ps, ps.p - 1, "%s() needs order=N",
			    fn_names[c->fn]);
			goto out_fail;
		}
		/* fall through */
	case FN_FREE_PAGES:
		if (c->zone == NULL) {
			expr_lex_fail(&ps, ps.p - 1, "%s() needs zone=NAME",
			    fn_names[c->fn]);
			goto out_fail;
		}
		break;
	case FN_FAILURES:
		break;
	default:
		if (c->op == NULL) {
			expr_lex_fail(&ps, ps.p - 1, "%s() needs an op, as in "
			    "%s(alloc_pages)", fn_names[c->fn],
			    fn_names[c->fn]);
			goto out_fail;
		}
		break;
	}
	expr_lex_skip_ws(&ps);
	at = ps.p;
	if (expr_lex_cmp(&ps, &c->cmp) != 0) {
		expr_lex_fail(&ps, at, *at ? "expected a comparison (< <= > >= "
		    "== !=)" : "expected a comparison: the expression ends "
		    "early");
		goto out_fail;
	}
	expr_lex_skip_ws(&ps);
	start = ps.p;
	c->threshold_text = check_word(&ps);
	errno = 0;
	if (c->threshold_text == NULL ||
	    (c->threshold = strtod(c->threshold_text, &end), *end != '\0') ||
	    errno != 0 || !isfinite(c->threshold)) {
		expr_lex_fail(&ps, start, "expected a number after %s",
		    expr_cmp_names[c->cmp]);
		goto out_fail;
	}
	expr_lex_skip_ws(&ps);
	if (*ps.p != '\0') {
		expr_lex_fail(&ps, ps.p, "unexpected '%c' after the threshold",
		    *ps.p);
		goto out_fail;
	}
	switch (c->fn) {
	case FN_UNUSABLE:
	case FN_EXTFRAG:
		if (c->node >= 0)
			xasprintf(&c->canon, "%s(order=%ld, zone=%s, node=%ld)",
			    fn_names[c->fn], c->order, c->zone, c->node);
		else
			xasprintf(&c->canon, "%s(order=%ld, zone=%s)",
			    fn_names[c->fn], c->order, c->zone);
		break;
	case FN_FREE_PAGES:
		if (c->node >= 0)
			xasprintf(&c->canon, "%s(zone=%s, node=%ld)",
			    fn_names[c->fn], c->zone, c->node);
		else
			xasprintf(&c->canon, "%s(zone=%s)", fn_names[c->fn],
			    c->zone);
		break;
	case FN_FAILURES:
		if (c->order >= 0)
			xasprintf(&c->canon, "failures(order=%ld)", c->order);
		else
			c->canon = xstrdup("failures()");
		break;
	default:
		xasprintf(&c->canon, "%s(%s)", fn_names[c->fn], c->op);
		break;
	}
	return c;

out_fail:
	xasprintf(cause, "col %lu: %s", ps.col, ps.err);
	expr_lex_fini(&ps);
	sweep_check_destroy(c);
	return NULL;
}

void sweep_check_destroy(struct sweep_check *c)
{
	if (c == NULL)
		return;
	free(c->text);
	free(c->zone);
	free(c->op);
	free(c->threshold_text);
	free(c->canon);
	free(c);
}

/* The query giving (value, rows) for run ?1. */
static char *check_sql(const struct sweep_check *c)
{
	char *sql;

	switch (c->fn) {
	case FN_UNUSABLE:
	case FN_EXTFRAG:
		xasprintf(&sql, "SELECT max(f.%s), count(*) FROM fragmentation f"
		    " JOIN snapshots s ON s.snapshot_id = f.snapshot_id AND"
		    " s.is_final = 1 WHERE f.run_id = ?1 AND f.ord = ?2 AND"
		    " f.zone = ?3 AND (?4 < 0 OR f.node = ?4)",
		    c->fn == FN_UNUSABLE ? "unusable_index" : "extfrag_index");
		break;
	case FN_FREE_PAGES:
		sql = xstrdup("SELECT sum(z.free_pages), count(*) FROM zones z"
		    " JOIN snapshots s ON s.snapshot_id = z.snapshot_id AND"
		    " s.is_final = 1 WHERE z.run_id = ?1 AND z.zone = ?3 AND"
		    " (?4 < 0 OR z.node = ?4)");
		break;
	case FN_FAILURES:
		sql = xstrdup("SELECT coalesce(sum(count), 0), 1 FROM failures"
		    " WHERE run_id = ?1 AND (?2 < 0 OR ord = ?2)");
		break;
	default:
		xasprintf(&sql, "SELECT %s, count(*) FROM latency WHERE"
		    " run_id = ?1 AND op = ?5 AND count > 0", fn_columns[c->fn]);
		break;
	}
	return sql;
}

/* "trace=t.yaml, vm.x=10, seed=0, point=3", or the run's trace path. */
static char *check_describe(sqlite3 *sq, int64_t run)
{
	sqlite3_stmt *st;
	char *out = xstrdup(""), *next;
	int n = 0;

	if (sqlite3_prepare_v2(sq, "SELECT key, value FROM params WHERE"
	    " run_id = ?1 ORDER BY key = 'point', key = 'seed', key <> 'trace',"
	    " key", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, run);
		while (sqlite3_step(st) == SQLITE_ROW) {
			xasprintf(&next, "%s%s%s=%s", out, n++ ? ", " : "",
			    (const char *)sqlite3_column_text(st, 0),
			    (const char *)sqlite3_column_text(st, 1));
			free(out);
			out = next;
		}
		sqlite3_finalize(st);
	}
	if (n > 0)
		return out;
	if (sqlite3_prepare_v2(sq, "SELECT trace_path FROM runs WHERE"
	    " run_id = ?1", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, run);
		if (sqlite3_step(st) == SQLITE_ROW &&
		    sqlite3_column_text(st, 0) != NULL) {
			free(out);
			xasprintf(&out, "trace=%s",
			    (const char *)sqlite3_column_text(st, 0));
		}
		sqlite3_finalize(st);
	}
	return out;
}

int sweep_check_run(const struct sweep_check *c, const char *db, FILE *f,
    json_t *results, char **cause)
{
	sqlite3 *sq = NULL;
	sqlite3_stmt *runs = NULL, *st = NULL;
	json_t *jc = NULL, *jruns = NULL, *jr;
	char *sql, *desc;
	int64_t run;
	double v, worst = NAN;
	int nr = 0, nfail = 0, rc = -1;
	bool ok, have;

	if (sqlite3_open_v2(db, &sq, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		kmsim_fail(cause, "%s: %s", db, sq != NULL ?
		    sqlite3_errmsg(sq) : "out of memory");
		goto out;
	}
	sqlite3_busy_timeout(sq, DB_BUSY_TIMEOUT_MS);
	sql = check_sql(c);
	if (sqlite3_prepare_v2(sq, "SELECT run_id FROM runs WHERE status ="
	    " 'complete' ORDER BY run_id", -1, &runs, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(sq, sql, -1, &st, NULL) != SQLITE_OK) {
		free(sql);
		kmsim_fail(cause, "%s: not a kmsim database (%s)", db,
		    sqlite3_errmsg(sq));
		goto out;
	}
	free(sql);
	if (results != NULL) {
		jc = json_object();
		jruns = json_array();
		json_object_set_new(jc, "check", json_string(c->text));
		json_object_set(jc, "runs", jruns);
	}
	while (sqlite3_step(runs) == SQLITE_ROW) {
		run = sqlite3_column_int64(runs, 0);
		nr++;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, run);
		sqlite3_bind_int64(st, 2, c->order);
		sqlite3_bind_text(st, 3, c->zone != NULL ? c->zone : "", -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, c->node);
		sqlite3_bind_text(st, 5, c->op != NULL ? c->op : "", -1,
		    SQLITE_STATIC);
		have = sqlite3_step(st) == SQLITE_ROW &&
		    sqlite3_column_int64(st, 1) > 0 &&
		    sqlite3_column_type(st, 0) != SQLITE_NULL;
		v = have ? sqlite3_column_double(st, 0) : NAN;
		ok = have && expr_cmp_holds(c->cmp, v, c->threshold);
		desc = check_describe(sq, run);
		if (have && (isnan(worst) ||
		    ((c->cmp == EXPR_LT || c->cmp == EXPR_LE) && v > worst) ||
		    ((c->cmp == EXPR_GT || c->cmp == EXPR_GE) && v < worst)))
			worst = v;
		if (!ok) {
			nfail++;
			if (f != NULL && have)
				fprintf(f, "FAIL run %lld (%s): %s = %.6g, not "
				    "%s %s\n", (long long)run, desc, c->canon, v,
				    expr_cmp_names[c->cmp], c->threshold_text);
			else if (f != NULL)
				fprintf(f, "FAIL run %lld (%s): %s: no such %s "
				    "in the run\n", (long long)run, desc,
				    c->canon, c->op != NULL ? "op" : c->zone !=
				    NULL ? "zone or order" : "value");
		}
		if (jruns != NULL) {
			jr = json_object();
			json_object_set_new(jr, "run_id", json_integer(run));
			json_object_set_new(jr, "params", json_string(desc));
			json_object_set_new(jr, "value", have ? json_real(v) :
			    json_null());
			json_object_set_new(jr, "ok", json_boolean(ok));
			json_array_append_new(jruns, jr);
		}
		free(desc);
	}
	if (nr == 0) {
		kmsim_fail(cause, "%s: no complete run to check", db);
		goto out;
	}
	if (nfail == 0 && f != NULL) {
		if (c->cmp <= EXPR_GE)
			fprintf(f, "OK %s %s %s (%d run%s, %s %.6g)\n", c->canon,
			    expr_cmp_names[c->cmp], c->threshold_text, nr,
			    nr == 1 ? "" : "s", c->cmp <= EXPR_LE ? "max" :
			    "min", worst);
		else
			fprintf(f, "OK %s %s %s (%d run%s)\n", c->canon,
			    expr_cmp_names[c->cmp], c->threshold_text, nr,
			    nr == 1 ? "" : "s");
	}
	if (jc != NULL) {
		json_object_set_new(jc, "ok", json_boolean(nfail == 0));
		json_object_set_new(jc, "failed", json_integer(nfail));
		json_array_append(results, jc);
	}
	rc = nfail == 0 ? 1 : 0;
out:
	json_decref(jruns);
	json_decref(jc);
	sqlite3_finalize(runs);
	sqlite3_finalize(st);
	sqlite3_close(sq);
	return rc;
}
