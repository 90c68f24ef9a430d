/*
 * trace_yaml.c - kmsim's YAML trace format (kmsim-trace(5)).
 *
 * The reader streams: it pulls libyaml events one at a time and hands out
 * one op per call of next(), so a trace of millions of ops never becomes a
 * tree in memory.  Only the body of a `repeat` is kept, as a small list of
 * templates (the scalars as written, with their positions); a repeat is
 * then expanded lazily, one op per call, nested repeats included.  Memory
 * is bounded by the size of the repeat bodies, not by the trace length.
 *
 * Scalars may contain `${expr}`: 64-bit signed integer arithmetic over the
 * loop variables of the enclosing repeats (compiled and run by expr.c).
 * Templates are checked once when captured (keys, constant values,
 * expression syntax, variable names); what depends on the loop variables
 * (division by zero, ranges, timestamps) is checked when the op is
 * produced.
 *
 * A `fragment` item is a template too (trace_yaml_frag.c): its scalars
 * are captured the same way, and each time it is reached they are
 * evaluated into the parameters of a generator (fragmenter.c), whose ops
 * are handed out one per call like a repeat's.
 */
#include "trace/trace_yaml.h"

#include <assert.h>
#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "expr.h"
#include "kmsim_config.h"
#include "trace/fragmenter.h"
#include "trace/instream.h"
#include "kmsim.h"
#include "sha256.h"
#include "trace/trace.h"
#include "yamlnode.h"

#define TRACE_YAML_VERSION	1
#define TRACE_YAML_MAX_ORDER	15	/* the machine checks its own */
#define VAR_DEFAULT		"i"

static const char *const tkey_names[K_NR] = {
	[K_OP] = "op",
	[K_ID] = "id",
	[K_ORDER] = "order",
	[K_GFP] = "gfp",
	[K_CPU] = "cpu",
	[K_NODE] = "node",
	[K_TS] = "ts",
	[K_PFN] = "pfn",
	[K_POLICY] = "policy",
	[K_NODES] = "nodes",
	[K_SIZE] = "size",
	[K_ALIGN] = "align",
	[K_CACHE] = "cache",
	[K_FLAGS] = "flags",
	[K_ADDR] = "addr",
	[K_LENGTH] = "length",
	[K_STRIDE] = "stride",
	[K_COUNT] = "count",
	[K_WRITE] = "write",
	[K_HUGE] = "huge",
	[K_LOCAL] = "local",
	[K_FILE] = "file",
	[K_OFFSET] = "offset",
	[K_DEV] = "dev",
	[K_VALUE] = "value",
	[K_REPEAT] = "repeat",
	[K_VAR] = "var",
	[K_OPS] = "ops",
	[K_FRAGMENT] = "fragment",
};

#define KEYS_OP \
	((1u << K_OP) | (1u << K_ID) | (1u << K_ORDER) | (1u << K_GFP) | \
	 (1u << K_CPU) | (1u << K_NODE) | (1u << K_TS) | (1u << K_PFN) | \
	 (1u << K_POLICY) | (1u << K_NODES) | (1u << K_SIZE) | \
	 (1u << K_ALIGN) | (1u << K_CACHE) | (1u << K_FLAGS) | \
	 (1u << K_ADDR) | (1u << K_LENGTH) | (1u << K_STRIDE) | \
	 (1u << K_COUNT) | (1u << K_WRITE) | (1u << K_HUGE) | (1u << K_LOCAL) | \
	 (1u << K_FILE) | (1u << K_OFFSET) | (1u << K_DEV) | (1u << K_VALUE))
#define KB(k)		(1u << (k))
#define KEYS_ANY_OP	(KB(K_OP) | KB(K_CPU) | KB(K_TS))
#define KEYS_PAGES \
	(KB(K_ID) | KB(K_ORDER) | KB(K_GFP) | KB(K_NODE) | KB(K_PFN))

/*
 * Which keys each op takes, and which it needs (kmsim-trace(5)): the
 * page ops keep what they always took; the slab and percpu ops take
 * only what their kernel function does.
 */
static const struct {
	enum op_type type;
	unsigned allowed, required;
} op_keys[] = {
	{ OP_ALLOC_PAGES, KEYS_PAGES | KB(K_POLICY) | KB(K_NODES), 0 },
	{ OP_FREE_PAGES, KEYS_PAGES, KB(K_ID) },
	{ OP_KMEM_CACHE_CREATE, KB(K_CACHE) | KB(K_SIZE) | KB(K_ALIGN) |
	    KB(K_FLAGS), KB(K_CACHE) | KB(K_SIZE) },
	{ OP_KMEM_CACHE_DESTROY, KB(K_CACHE), KB(K_CACHE) },
	{ OP_KMEM_CACHE_ALLOC, KB(K_CACHE) | KB(K_ID) | KB(K_GFP) | KB(K_NODE),
	    KB(K_CACHE) },
	{ OP_KMEM_CACHE_FREE, KB(K_CACHE) | KB(K_ID), KB(K_ID) },
	{ OP_KMALLOC, KB(K_SIZE) | KB(K_ID) | KB(K_GFP) | KB(K_NODE),
	    KB(K_SIZE) },
	{ OP_KFREE, KB(K_ID), KB(K_ID) },
	{ OP_KREALLOC, KB(K_ID) | KB(K_SIZE) | KB(K_GFP), KB(K_ID) | KB(K_SIZE) },
	{ OP_PERCPU_ALLOC, KB(K_SIZE) | KB(K_ALIGN) | KB(K_ID) | KB(K_GFP),
	    KB(K_SIZE) },
	{ OP_PERCPU_FREE, KB(K_ID), KB(K_ID) },
	{ OP_VMALLOC, KB(K_ID) | KB(K_SIZE) | KB(K_ALIGN) | KB(K_HUGE) |
	    KB(K_GFP) | KB(K_NODE), KB(K_SIZE) },
	{ OP_VFREE, KB(K_ID), KB(K_ID) },
	{ OP_FORK, KB(K_ID) | KB(K_NODE), KB(K_ID) },
	{ OP_EXIT, KB(K_ID), KB(K_ID) },
	{ OP_ACCESS, KB(K_ID) | KB(K_ADDR) | KB(K_LENGTH) | KB(K_STRIDE) |
	    KB(K_COUNT) | KB(K_WRITE), 0 },
	{ OP_KMAP, KB(K_ID) | KB(K_LOCAL), KB(K_ID) },
	{ OP_KUNMAP, KB(K_ID) | KB(K_LOCAL), KB(K_ID) },
	{ OP_READ, KB(K_FILE) | KB(K_OFFSET) | KB(K_LENGTH) | KB(K_DEV),
	    KB(K_FILE) | KB(K_LENGTH) },
	{ OP_WRITE, KB(K_FILE) | KB(K_OFFSET) | KB(K_LENGTH) | KB(K_DEV),
	    KB(K_FILE) | KB(K_LENGTH) },
	{ OP_FSYNC, KB(K_FILE) | KB(K_DEV), KB(K_FILE) },
	{ OP_TRUNCATE, KB(K_FILE) | KB(K_OFFSET) | KB(K_DEV), KB(K_FILE) },
	{ OP_UNLINK, KB(K_FILE) | KB(K_DEV), KB(K_FILE) },
	{ OP_DROP_CACHES, KB(K_VALUE), 0 },
};

struct tnode;
/* The keys an op of type t was given must be its keys, all it needs. */
static int check_op_keys(const struct tnode *n, enum op_type t, char **err);
#define KEYS_REPEAT ((1u << K_REPEAT) | (1u << K_VAR) | (1u << K_OPS))
#define KEYS_FRAGMENT (1u << K_FRAGMENT)

enum {
	TOP_VERSION = 1u << 0,
	TOP_NAME = 1u << 1,
	TOP_DESCRIPTION = 1u << 2,
	TOP_OPS = 1u << 3
};

/* ---- small helpers ---- */

static void sbuf_reset(struct sbuf *b)
{
	b->len = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
}

static void sbuf_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->p = xreallocarray(b->p, cap, 1);
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sbuf_fini(struct sbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

struct srcpos trace_yaml_pos(const struct trace_yaml *r, yaml_mark_t m)
{
	return yamlnode_mark_pos(r->ts.path, m);
}

/* Advance a 0-based line and column over n bytes (columns in characters). */
static void postrack_scan(const char *p, size_t n, unsigned long *line,
    unsigned long *col)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\n') {
			(*line)++;
			*col = 0;
		} else if (((unsigned char)p[i] & 0xc0) != 0x80)
			(*col)++;
	}
}

static void postrack_add(struct postrack *t, const void *data, size_t n)
{
	size_t drop;

	if (t->buf == NULL)
		t->buf = xmalloc(TRACK_WINDOW);
	if (n >= TRACK_WINDOW) {
		postrack_scan(t->buf, t->len, &t->line, &t->col);
		postrack_scan(data, n - TRACK_WINDOW, &t->line, &t->col);
		t->off += t->len + (n - TRACK_WINDOW);
		memcpy(t->buf, (const char *)data + n - TRACK_WINDOW,
		    TRACK_WINDOW);
		t->len = TRACK_WINDOW;
		return;
	}
	if (t->len + n > TRACK_WINDOW) {
		drop = t->len + n - TRACK_WINDOW;
		postrack_scan(t->buf, drop, &t->line, &t->col);
		memmove(t->buf, t->buf + drop, t->len - drop);
		t->len -= drop;
		t->off += drop;
	}
	memcpy(t->buf + t->len, data, n);
	t->len += n;
}

/* The position of a byte offset libyaml reported; false if unknown. */
static bool offset_pos(const struct trace_yaml *r, size_t off,
    struct srcpos *pos)
{
	unsigned long line = 0, col = 0;

	if (r->text != NULL) {
		if (off > r->ts.bytes_total)
			return false;
		postrack_scan(r->text, off, &line, &col);
	} else {
		if (off < r->track.off || off - r->track.off > r->track.len)
			return false;
		line = r->track.line;
		col = r->track.col;
		postrack_scan(r->track.buf, off - r->track.off, &line, &col);
	}
	pos->file = r->ts.path;
	pos->line = line + 1;
	pos->col = col + 1;
	return true;
}

/*
 * The next libyaml event.  Syntax errors, anchors and aliases become a
 * cause here, so no caller has to think of them.
 */
int trace_yaml_event(struct trace_yaml *r, yaml_event_t *ev, char **err)
{
	yaml_parser_t *p = &r->parser;
	struct srcpos pos;
	const yaml_char_t *anchor = NULL;

	if (!yaml_parser_parse(p, ev)) {
		if (p->error == YAML_READER_ERROR && r->read_failed)
			return kmsim_fail(err, "%s: %s", r->ts.path,
			    instream_strerror(r->in));
		if (p->error == YAML_READER_ERROR) {
			if (!offset_pos(r, p->problem_offset, &pos))
				pos = trace_yaml_pos(r, p->mark);
			return kmsim_fail_at(err, &pos, "%s",
			    p->problem ? p->problem : "cannot read input");
		}
		if (p->error == YAML_MEMORY_ERROR) {
			fprintf(stderr, "%s: out of memory in libyaml\n",
			    KMSIM_NAME);
			exit(3);
		}
		pos = trace_yaml_pos(r, p->problem_mark);
		if (p->problem == NULL)
			return kmsim_fail_at(err, &pos, "bad YAML");
		if (p->context != NULL)
			return kmsim_fail_at(err, &pos, "%s %s", p->problem,
			    p->context);
		return kmsim_fail_at(err, &pos, "%s", p->problem);
	}
	if (r->in != NULL)
		r->ts.bytes_done = r->in->bytes_raw;
	else
		r->ts.bytes_done = KMSIM_MIN((uint64_t)p->mark.index,
		    r->ts.bytes_total);

	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		anchor = ev->data.alias.anchor;
		break;
	case YAML_SCALAR_EVENT:
		anchor = ev->data.scalar.anchor;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = ev->data.mapping_start.anchor;
		break;
	default:
		break;
	}
	if (anchor != NULL) {
		pos = trace_yaml_pos(r, ev->start_mark);
		yaml_event_delete(ev);
		return kmsim_fail_at(err, &pos,
		    "anchors and aliases are not supported");
	}
	if (ev->type == YAML_SCALAR_EVENT &&
	    memchr(ev->data.scalar.value, '\0', ev->data.scalar.length)) {
		pos = trace_yaml_pos(r, ev->start_mark);
		yaml_event_delete(ev);
		return kmsim_fail_at(err, &pos, "NUL characters are not allowed");
	}
	return 0;
}

int trace_yaml_key(struct trace_yaml *r, yaml_event_t *kev,
    struct srcpos *kpos, char **err)
{
	if (trace_yaml_event(r, kev, err) != 0)
		return -1;
	if (kev->type == YAML_MAPPING_END_EVENT) {
		yaml_event_delete(kev);
		return 0;
	}
	*kpos = trace_yaml_pos(r, kev->start_mark);
	if (kev->type != YAML_SCALAR_EVENT) {
		kmsim_fail_at(err, kpos, "a key must be a scalar, not %s",
		    yamlnode_event_kind(kev));
		yaml_event_delete(kev);
		return -1;
	}
	return 1;
}

int trace_yaml_value(struct trace_yaml *r, yaml_event_t *vev,
    struct srcpos *vpos, char **err)
{
	if (trace_yaml_event(r, vev, err) != 0)
		return -1;
	*vpos = trace_yaml_pos(r, vev->start_mark);
	if (yamlnode_event_is_null(vev)) {
		yaml_event_delete(vev);
		return 0;
	}
	return 1;
}

int trace_yaml_field_value(struct trace_yaml *r, yaml_event_t *kev,
    const struct srcpos *kpos, unsigned bit, unsigned *written,
    struct tfield *f, yaml_event_t *vev, char **err)
{
	if (*written & bit) {
		kmsim_fail_at(err, kpos, "duplicate key '%s'",
		    (const char *)kev->data.scalar.value);
		yaml_event_delete(kev);
		return -1;
	}
	*written |= bit;
	yaml_event_delete(kev);
	f->key_pos = *kpos;
	return trace_yaml_value(r, vev, &f->pos, err);
}

int trace_yaml_expect(const yaml_event_t *ev, yaml_event_type_t type,
    const char *key, const struct srcpos *pos, char **err)
{
	const char *want;

	if (ev->type == type)
		return 0;
	switch (type) {
	case YAML_SEQUENCE_START_EVENT:
		want = "a sequence";
		break;
	case YAML_MAPPING_START_EVENT:
		want = "a mapping";
		break;
	default:
		want = "a scalar";
		break;
	}
	return kmsim_fail_at(err, pos, "'%s' must be %s, not %s", key, want,
	    yamlnode_event_kind(ev));
}

int trace_yaml_lookup(const char *const *names, int nr, const char *s)
{
	int i;

	for (i = 0; i < nr; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

/* ---- numbers ---- */

enum num_status { NUM_OK, NUM_NEGATIVE, NUM_JUNK, NUM_TOO_LARGE };

/* A non-negative integer: decimal or 0x hex, `_` separators, spaces. */
static enum num_status parse_unsigned(const char *s, uint64_t max,
    uint64_t *out)
{
	const char *p = s;
	unsigned base = 10, d, ndigits = 0;
	uint64_t v = 0;
	bool big = false;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '-') {
		if (parse_unsigned(p + 1, UINT64_MAX, &v) == NUM_JUNK ||
		    p[1] == '-' || p[1] == '+')
			return NUM_JUNK;
		return NUM_NEGATIVE;
	}
	if (*p == '+')
		p++;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	for (; *p != '\0'; p++) {
		if (*p == '_' && ndigits > 0)
			continue;
		if (isdigit((unsigned char)*p))
			d = (unsigned)(*p - '0');
		else if (base == 16 && isxdigit((unsigned char)*p))
			d = (unsigned)(tolower((unsigned char)*p) - 'a' + 10);
		else
			break;
		ndigits++;
		if (v > (UINT64_MAX - d) / base)
			big = true;
		else
			v = v * base + d;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p != '\0' || ndigits == 0)
		return NUM_JUNK;
	if (big || v > max)
		return NUM_TOO_LARGE;
	*out = v;
	return NUM_OK;
}

/*
 * A number-typed key's value.  `raw` is the scalar as written when it was
 * substituted (named in the message), else NULL.
 */
int trace_yaml_number(const char *key, const char *text, const char *raw,
    uint64_t max, const struct srcpos *pos, uint64_t *out, char **err)
{
	char from[64] = "";

	if (raw != NULL) {
		/* keep messages short: the first 40 bytes of the template */
		snprintf(from, sizeof from, " (from '%.40s%s')", raw,
		    strlen(raw) > 40 ? "..." : "");
	}
	switch (parse_unsigned(text, max, out)) {
	case NUM_OK:
		return 0;
	case NUM_NEGATIVE:
		return kmsim_fail_at(err, pos, "%s '%s'%s is negative", key, text,
		    from);
	case NUM_TOO_LARGE:
		return kmsim_fail_at(err, pos,
		    "%s '%s'%s is too large (at most %" PRIu64 ")", key, text,
		    from, max);
	case NUM_JUNK:
	default:
		return kmsim_fail_at(err, pos, "%s '%s'%s is not a number", key,
		    text, from);
	}
}

/* ---- ${expr}: integer arithmetic over the loop variables (expr.c) ---- */

static void tfield_free_parts(struct tfield *f)
{
	size_t i;

	for (i = 0; i < f->nparts; i++)
		expr_fini(&f->parts[i].expr);
	free(f->parts);
	f->parts = NULL;
	f->nparts = 0;
}

/*
 * Split a scalar with ${...} into literal text and compiled expressions,
 * resolving the variables against scope.
 */
int trace_yaml_field_compile(struct tfield *f, const struct expr_var *scope,
    size_t nscope, int64_t seed, char **err)
{
	const char *s = f->text, *end = f->text + f->len, *open, *close;
	struct expr_lexer lx;
	struct tpart *part;
	size_t cap = 0;
	int rc;

	tfield_free_parts(f);
	for (;;) {
		if (f->nparts == cap) {
			cap = cap ? cap * 2 : 2;
			f->parts = xreallocarray(f->parts, cap, sizeof *f->parts);
		}
		part = &f->parts[f->nparts++];
		memset(part, 0, sizeof *part);
		open = strstr(s, "${");
		part->lit = s;
		part->lit_len = (size_t)((open ? open : end) - s);
		if (open == NULL)
			return 0;
		close = memchr(open + 2, '}', (size_t)(end - open - 2));
		if (close == NULL)
			return kmsim_fail_at(err, &f->pos,
			    "unterminated '${' in '%s'", f->text);
		expr_lex_init(&lx, f->text, close);
		lx.p = open + 2;
		rc = expr_compile(&part->expr, &lx, scope, nscope, seed);
		if (rc != 0)
			kmsim_fail_at(err, &f->pos, "%s in '%s'", lx.err,
			    f->text);
		expr_lex_fini(&lx);
		if (rc != 0)
			return -1;
		s = close + 1;
	}
}

/* Evaluate a compiled scalar for the current loop variables into out. */
int trace_yaml_field_expand(const struct tfield *f,
    const struct expr_var *vars, struct sbuf *out, char **err)
{
	const char *what;
	char num[24];
	int64_t v;
	size_t i;

	sbuf_reset(out);
	sbuf_add(out, "", 0);
	for (i = 0; i < f->nparts; i++) {
		sbuf_add(out, f->parts[i].lit, f->parts[i].lit_len);
		if (f->parts[i].expr.code == NULL)
			continue;
		what = expr_run(&f->parts[i].expr, vars, &v);
		if (what != NULL)
			return kmsim_fail_at(err, &f->pos, "%s in '%s'", what,
			    f->text);
		sbuf_add(out, num, expr_fmt_i64(num, v));
	}
	return 0;
}

void trace_yaml_field_fini(struct tfield *f)
{
	tfield_free_parts(f);
	free(f->text);
	f->text = NULL;
}

/* ---- templates ---- */

static void tnode_clear(struct tnode *n)
{
	size_t i;

	for (i = 0; i < K_NR; i++)
		trace_yaml_field_fini(&n->f[i]);
	for (i = 0; i < n->nbody; i++)
		tnode_clear(&n->body[i]);
	free(n->body);
	trace_yaml_frag_free(n->frag);
	memset(n, 0, sizeof *n);
}

static bool valid_var_name(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_')
		return false;
	for (s++; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

/* The first key (in the file) of n's keys in mask, or -1. */
static int first_key_in(const struct tnode *n, unsigned mask)
{
	int i, best = -1;

	for (i = 0; i < K_NR; i++) {
		const struct srcpos *a = &n->f[i].key_pos, *b;

		if (!(n->seen & mask & (1u << i)))
			continue;
		if (best >= 0) {
			b = &n->f[best].key_pos;
			if (a->line > b->line ||
			    (a->line == b->line && a->col > b->col))
				continue;
		}
		best = i;
	}
	return best;
}

/* The largest value of a number-typed key; 0 for the others. */
static uint64_t tkey_max(enum tkey k)
{
	switch (k) {
	case K_ORDER:
		return TRACE_YAML_MAX_ORDER;
	case K_CPU:
	case K_NODE:
		return INT_MAX;
	case K_TS:
	case K_PFN:
		return UINT64_MAX - 1;
	case K_SIZE:
	case K_LENGTH:
		return UINT64_C(1) << 40;	/* a terabyte object is a typo */
	case K_STRIDE:
		return UINT64_C(1) << 40;
	case K_COUNT:
		return UINT64_C(1) << 40;
	case K_ADDR:
		return UINT64_MAX - 1;
	case K_OFFSET:
		return UINT64_C(1) << 50;	/* a petabyte file is a typo */
	case K_VALUE:
		return 3;
	case K_ALIGN:
		return UINT64_C(1) << 21;
	case K_REPEAT:
		return INT64_MAX;
	default:
		return 0;
	}
}

/*
 * Parse a key's value, as written or as substituted (then `raw` is the
 * scalar as written, for messages).
 */
static int field_parse(const char *text, enum tkey k, const char *raw,
    const struct srcpos *pos, uint64_t *out, char **err)
{
	char *cause = NULL;
	gfp_t gfp;
	int t;

	switch (k) {
	case K_OP:
		t = op_type_parse(text);
		if (t < 0)
			return kmsim_fail_at(err, pos, "unknown op '%s'", text);
		*out = (uint64_t)t;
		return 0;
	case K_GFP:
		if (gfp_parse(text, &gfp, &cause) != 0) {
			kmsim_fail_at(err, pos, "%s", cause);
			free(cause);
			return -1;
		}
		*out = gfp;
		return 0;
	case K_ORDER:
	case K_CPU:
	case K_NODE:
	case K_TS:
	case K_PFN:
		return trace_yaml_number(tkey_names[k], text, raw, tkey_max(k),
		    pos, out, err);
	case K_ADDR:
		return trace_yaml_number(tkey_names[k], text, raw, tkey_max(k),
		    pos, out, err);
	case K_COUNT:
		if (trace_yaml_number(tkey_names[k], text, raw, tkey_max(k),
		    pos, out, err) != 0)
			return -1;
		if (*out == 0)
			return kmsim_fail_at(err, pos, "count must be at least 1");
		return 0;
	case K_WRITE:
	case K_HUGE:
	case K_LOCAL:
		if (strcmp(text, "true") == 0 || strcmp(text, "yes") == 0 ||
		    strcmp(text, "1") == 0)
			*out = 1;
		else if (strcmp(text, "false") == 0 || strcmp(text, "no") == 0 ||
		    strcmp(text, "0") == 0)
			*out = 0;
		else
			return kmsim_fail_at(err, pos, "%s: '%s' is not true or"
			    " false", tkey_names[k], text);
		return 0;
	case K_LENGTH:
	case K_STRIDE:
	case K_SIZE:
		if (kmsim_parse_size(text, out, &cause) != 0) {
			kmsim_fail_at(err, pos, "%s: %s", tkey_names[k], cause);
			free(cause);
			return -1;
		}
		if (*out == 0 || *out > tkey_max(k))
			return kmsim_fail_at(err, pos, "%s '%s' is out of range"
			    " 1..%" PRIu64, tkey_names[k], raw != NULL ? raw :
			    text, tkey_max(k));
		return 0;
	case K_ALIGN:
		if (trace_yaml_number(tkey_names[k], text, raw, tkey_max(k),
		    pos, out, err) != 0)
			return -1;
		if (*out != 0 && (*out & (*out - 1)) != 0)
			return kmsim_fail_at(err, pos, "align %" PRIu64 " is not"
			    " a power of two", *out);
		return 0;
	case K_OFFSET:
		if (kmsim_parse_size(text, out, &cause) != 0) {
			kmsim_fail_at(err, pos, "%s: %s", tkey_names[k], cause);
			free(cause);
			return -1;
		}
		if (*out > tkey_max(k))
			return kmsim_fail_at(err, pos, "offset '%s' is out of "
			    "range 0..%" PRIu64, raw != NULL ? raw : text,
			    tkey_max(k));
		return 0;
	case K_VALUE:
		if (trace_yaml_number(tkey_names[k], text, raw, tkey_max(k),
		    pos, out, err) != 0)
			return -1;
		if (*out == 0)
			return kmsim_fail_at(err, pos, "value must be 1 (page "
			    "cache), 2 (slab) or 3 (both)");
		return 0;
	case K_FILE:
		if (*text == '\0' || strlen(text) > 255)
			return kmsim_fail_at(err, pos, "file name '%s': 1 to "
			    "255 characters", text);
		*out = 0;
		return 0;
	case K_DEV:
		if (*text == '\0' || strlen(text) > 31 ||
		    strpbrk(text, " \t\n") != NULL)
			return kmsim_fail_at(err, pos, "dev '%s': a disk name "
			    "of 1 to 31 characters without blanks", text);
		*out = 0;
		return 0;
	case K_CACHE:
		if (*text == '\0' || strlen(text) > 64 ||
		    strpbrk(text, " \t\n") != NULL)
			return kmsim_fail_at(err, pos, "cache name '%s': 1 to 64"
			    " characters without blanks", text);
		*out = 0;
		return 0;
	case K_FLAGS: {
		uint32_t fl;

		if (slab_flags_parse(text, &fl, &cause) != 0) {
			kmsim_fail_at(err, pos, "%s", cause);
			free(cause);
			return -1;
		}
		*out = fl;
		return 0;
	}
	case K_REPEAT:
		return trace_yaml_number("repeat count", text, raw, tkey_max(k),
		    pos, out, err);
	case K_POLICY:
		for (t = 0; t < MPOL_NR; t++)
			if (strcmp(text, mpol_names[t]) == 0)
				break;
		if (t == MPOL_NR)
			return kmsim_fail_at(err, pos, "unknown memory policy"
			    " '%s' (local, preferred, bind, interleave)", text);
		*out = (uint64_t)t;
		return 0;
	case K_NODES:
		if (kmsim_parse_nodelist(text, out, &cause) != 0) {
			kmsim_fail_at(err, pos, "nodes: %s", cause);
			free(cause);
			return -1;
		}
		return 0;
	case K_ID:
		if (*text == '\0')
			return kmsim_fail_at(err, pos, "empty id");
		*out = trace_label_id(text, strlen(text));
		return 0;
	default:
		*out = 0;
		return 0;
	}
}

/* The mapping has ended: decide what it is and check what is constant. */
static int tnode_finish(struct tnode *n, char **err)
{
	int k;

	if (n->seen & KEYS_FRAGMENT) {
		/* trace_yaml_frag_read() has checked the block itself */
		n->is_fragment = true;
		if ((k = first_key_in(n, ~KEYS_FRAGMENT)) >= 0)
			return kmsim_fail_at(err, &n->f[k].key_pos,
			    "unknown key '%s' beside 'fragment'",
			    tkey_names[k]);
		return 0;
	}
	if ((n->seen & (1u << K_OP)) || !(n->seen & KEYS_REPEAT)) {
		n->is_repeat = false;
		if ((k = first_key_in(n, KEYS_REPEAT)) >= 0)
			return kmsim_fail_at(err, &n->f[k].key_pos,
			    "unknown key '%s' in op", tkey_names[k]);
		if (!(n->seen & (1u << K_OP)))
			return kmsim_fail_at(err, &n->pos, "missing 'op' key");
	} else {
		n->is_repeat = true;
		if ((k = first_key_in(n, KEYS_OP)) >= 0)
			return kmsim_fail_at(err, &n->f[k].key_pos,
			    "unknown key '%s' in repeat", tkey_names[k]);
		if (!(n->seen & (1u << K_REPEAT)))
			return kmsim_fail_at(err, &n->pos,
			    "missing 'repeat' count");
		if (!(n->seen & (1u << K_OPS)))
			return kmsim_fail_at(err, &n->pos,
			    "missing 'ops' in repeat");
		n->var = VAR_DEFAULT;
		if (n->seen & (1u << K_VAR)) {
			n->var = n->f[K_VAR].text;
			if (!valid_var_name(n->var))
				return kmsim_fail_at(err, &n->f[K_VAR].pos,
				    "bad variable name '%s'", n->var);
		}
	}
	for (k = 0; k < K_NR; k++) {
		struct tfield *f = &n->f[k];

		if (f->text == NULL || f->dynamic || k == K_VAR)
			continue;
		if (field_parse(f->text, (enum tkey)k, NULL, &f->pos, &f->val,
		    err) != 0)
			return -1;
	}
	if (!n->is_repeat && !n->f[K_OP].dynamic &&
	    check_op_keys(n, (enum op_type)n->f[K_OP].val, err) != 0)
		return -1;
	return 0;
}

static int check_op_keys(const struct tnode *n, enum op_type t, char **err)
{
	size_t i;
	int k;

	for (i = 0; i < ARRAY_SIZE(op_keys); i++)
		if (op_keys[i].type == t)
			break;
	if (i == ARRAY_SIZE(op_keys))
		return 0;
	for (k = 0; k < K_NR; k++) {
		if ((KB(k) & KEYS_OP) == 0 || (KB(k) & KEYS_ANY_OP))
			continue;
		if ((n->seen & KB(k)) && !(op_keys[i].allowed & KB(k)))
			return kmsim_fail_at(err, &n->f[k].key_pos, "'%s' does"
			    " not apply to %s", tkey_names[k],
			    op_yaml_name(t));
		if (!(n->seen & KB(k)) && (op_keys[i].required & KB(k)))
			return kmsim_fail_at(err, &n->pos, "%s needs %s '%s'",
			    op_yaml_name(t), k == K_ID || k == K_ALIGN ?
			    "an" : "a", tkey_names[k]);
	}
	return 0;
}

static int read_node(struct trace_yaml *r, struct tnode *n,
    yaml_mark_t start, size_t depth, char **err);

/*
 * The next item of an `ops` sequence: 1 with its mapping's start event in
 * *ev (the caller deletes it), 0 at the end of the sequence.
 */
static int read_item(struct trace_yaml *r, yaml_event_t *ev, char **err)
{
	struct srcpos pos;

	if (trace_yaml_event(r, ev, err) != 0)
		return -1;
	if (ev->type == YAML_SEQUENCE_END_EVENT) {
		yaml_event_delete(ev);
		return 0;
	}
	if (ev->type != YAML_MAPPING_START_EVENT) {
		pos = trace_yaml_pos(r, ev->start_mark);
		kmsim_fail_at(err, &pos, "an op must be a mapping, not %s",
		    yamlnode_event_kind(ev));
		yaml_event_delete(ev);
		return -1;
	}
	return 1;
}

/* Read a repeat's `ops` sequence (its start consumed) into n->body. */
static int read_body(struct trace_yaml *r, struct tnode *n, size_t depth,
    char **err)
{
	yaml_event_t ev;
	size_t cap = 0;
	int rc;

	for (;;) {
		rc = read_item(r, &ev, err);
		if (rc <= 0)
			return rc;
		if (n->nbody == cap) {
			cap = cap ? cap * 2 : 4;
			n->body = xreallocarray(n->body, cap, sizeof *n->body);
		}
		memset(&n->body[n->nbody], 0, sizeof *n->body);
		n->nbody++;
		if (read_node(r, &n->body[n->nbody - 1], ev.start_mark, depth,
		    err) != 0) {
			yaml_event_delete(&ev);
			return -1;
		}
		yaml_event_delete(&ev);
	}
}

/*
 * Read one op or repeat mapping (its start event consumed) into n.
 * depth is the number of repeats around it.
 */
static int read_node(struct trace_yaml *r, struct tnode *n,
    yaml_mark_t start, size_t depth, char **err)
{
	yaml_event_t kev, vev;
	struct srcpos kpos;
	struct tfield *f;
	const char *key;
	unsigned written = 0;	/* keys written, null or not */
	int k, rc;

	n->pos = trace_yaml_pos(r, start);
	while ((rc = trace_yaml_key(r, &kev, &kpos, err)) > 0) {
		key = (const char *)kev.data.scalar.value;
		k = trace_yaml_lookup(tkey_names, K_NR, key);
		if ((k < 0 || !(KEYS_FRAGMENT & (1u << k))) &&
		    (written & KEYS_FRAGMENT) && trace_yaml_frag_is_key(key)) {
			/* `- fragment:` with its keys not indented under it */
			kmsim_fail_at(err, &kpos, "unknown key '%s' beside "
			    "'fragment' (indent it under 'fragment')", key);
			goto out_delete_key;
		}
		if (k < 0) {
			kmsim_fail_at(err, &kpos, "unknown key '%s'", key);
			goto out_delete_key;
		}
		f = &n->f[k];
		rc = trace_yaml_field_value(r, &kev, &kpos, 1u << k, &written,
		    f, &vev, err);
		if (rc <= 0) {
			if (rc < 0)
				return -1;
			continue;
		}
		n->seen |= 1u << k;
		if (k == K_OPS) {
			if (trace_yaml_expect(&vev, YAML_SEQUENCE_START_EVENT,
			    "ops", &f->pos, err) != 0)
				goto out_delete_value;
			yaml_event_delete(&vev);
			if (depth + 1 > TRACE_YAML_MAX_DEPTH)
				return kmsim_fail_at(err, &n->pos,
				    "repeats nested too deeply (more than %d)",
				    TRACE_YAML_MAX_DEPTH);
			if (read_body(r, n, depth + 1, err) != 0)
				return -1;
			continue;
		}
		if (k == K_FRAGMENT) {
			if (trace_yaml_expect(&vev, YAML_MAPPING_START_EVENT,
			    "fragment", &f->pos, err) != 0)
				goto out_delete_value;
			yaml_event_delete(&vev);
			if (trace_yaml_frag_read(r, &n->frag, &f->pos,
			    err) != 0)
				return -1;
			continue;
		}
		if (trace_yaml_expect(&vev, YAML_SCALAR_EVENT, tkey_names[k],
		    &f->pos, err) != 0)
			goto out_delete_value;
		f->len = vev.data.scalar.length;
		f->text = xstrndup((const char *)vev.data.scalar.value, f->len);
		f->dynamic = strstr(f->text, "${") != NULL;
		yaml_event_delete(&vev);
	}
	if (rc < 0)
		return -1;
	return tnode_finish(n, err);

out_delete_key:
	yaml_event_delete(&kev);
	return -1;
out_delete_value:
	yaml_event_delete(&vev);
	return -1;
}

/*
 * Check a captured node before expanding it: loop variable names, and
 * every substitution's syntax and variables (compiling them).  Also works
 * out whether a repeat can produce any op, so that `repeat: 1000000000`
 * around nothing does not spin.
 */
static int tnode_check(struct tnode *n, struct expr_var *scope, size_t nscope,
    int64_t seed, char **err)
{
	const struct srcpos *pos;
	size_t i;
	int k;

	if (n->is_fragment) {
		n->yields = true;	/* a count of at least 1 */
		return trace_yaml_frag_compile(n->frag, scope, nscope, seed,
		    err);
	}
	if (!n->is_repeat) {
		for (k = 0; k < K_NR; k++) {
			if (n->f[k].dynamic &&
			    trace_yaml_field_compile(&n->f[k], scope, nscope,
			    seed, err) != 0)
				return -1;
		}
		n->yields = true;
		return 0;
	}
	if (n->f[K_REPEAT].dynamic &&
	    trace_yaml_field_compile(&n->f[K_REPEAT], scope, nscope, seed,
	    err) != 0)
		return -1;
	pos = (n->seen & (1u << K_VAR)) ? &n->f[K_VAR].pos : &n->pos;
	for (i = 0; i < nscope; i++) {
		if (strcmp(scope[i].name, n->var) == 0)
			return kmsim_fail_at(err, pos, "variable '%s' is already "
			    "used by an enclosing repeat", n->var);
	}
	if (nscope >= TRACE_YAML_MAX_DEPTH)	/* read_node prevents it */
		return kmsim_fail_at(err, &n->pos,
		    "repeats nested too deeply (more than %d)",
		    TRACE_YAML_MAX_DEPTH);
	scope[nscope].name = n->var;
	scope[nscope].value = 0;
	n->yields = false;
	for (i = 0; i < n->nbody; i++) {
		if (tnode_check(&n->body[i], scope, nscope + 1, seed,
		    err) != 0)
			return -1;
		n->yields |= n->body[i].yields;
	}
	if (!n->f[K_REPEAT].dynamic && n->f[K_REPEAT].val == 0)
		n->yields = false;
	return 0;
}

/* ---- producing ops ---- */

/* A field's value for the current loop variables. */
static int field_value(struct trace_yaml *r, const struct tfield *f,
    enum tkey k, uint64_t *out, char **err)
{
	uint64_t max = tkey_max(k);
	int64_t v;

	if (!f->dynamic) {
		*out = f->val;
		return 0;
	}
	/* the common case, a number key that is one ${expr}: no text */
	if (max != 0 && f->nparts == 2 && f->parts[0].lit_len == 0 &&
	    f->parts[1].lit_len == 0 &&
	    expr_run(&f->parts[0].expr, r->vars, &v) == NULL &&
	    v >= 0 && (uint64_t)v <= max) {
		*out = (uint64_t)v;
		return 0;
	}
	if (trace_yaml_field_expand(f, r->vars, &r->scratch, err) != 0)
		return -1;
	return field_parse(r->scratch.p, k, f->text, &f->pos, out, err);
}

/* A string key's value: as written, or substituted into buf. */
static int string_value(struct trace_yaml *r, const struct tfield *f,
    enum tkey k, struct sbuf *buf, const char **out, char **err)
{
	uint64_t v;

	if (!f->dynamic) {
		*out = f->text;
		return 0;
	}
	if (trace_yaml_field_expand(f, r->vars, buf, err) != 0 ||
	    field_parse(buf->p, k, f->text, &f->pos, &v, err) != 0)
		return -1;
	*out = buf->p;
	return 0;
}

static int make_op(struct trace_yaml *r, const struct tnode *n, struct op *op,
    char **err)
{
	const struct tfield *f = n->f;
	uint64_t v = 0;

	op_clear(op);
	op->pos = n->pos;
	if (field_value(r, &f[K_OP], K_OP, &v, err) != 0)
		return -1;
	op->type = (enum op_type)v;
	if (f[K_OP].dynamic && check_op_keys(n, op->type, err) != 0)
		return -1;
	if (f[K_SIZE].text != NULL &&
	    field_value(r, &f[K_SIZE], K_SIZE, &op->bytes_req, err) != 0)
		return -1;
	if (f[K_ALIGN].text != NULL &&
	    field_value(r, &f[K_ALIGN], K_ALIGN, &op->align, err) != 0)
		return -1;
	if (f[K_FLAGS].text != NULL) {
		if (field_value(r, &f[K_FLAGS], K_FLAGS, &v, err) != 0)
			return -1;
		op->flags = (uint32_t)v;
	}
	/* access: addr (or the id's allocation), length, stride, count */
	if (f[K_ADDR].text != NULL &&
	    field_value(r, &f[K_ADDR], K_ADDR, &op->ptr, err) != 0)
		return -1;
	if (f[K_LENGTH].text != NULL &&
	    field_value(r, &f[K_LENGTH], K_LENGTH, &op->end, err) != 0)
		return -1;
	if (f[K_STRIDE].text != NULL &&
	    field_value(r, &f[K_STRIDE], K_STRIDE, &op->align, err) != 0)
		return -1;
	op->nr = 1;
	if (f[K_COUNT].text != NULL &&
	    field_value(r, &f[K_COUNT], K_COUNT, &op->nr, err) != 0)
		return -1;
	if (f[K_WRITE].text != NULL) {
		if (field_value(r, &f[K_WRITE], K_WRITE, &v, err) != 0)
			return -1;
		if (v)
			op->flags |= OPF_WRITE;
	}
	if (f[K_HUGE].text != NULL) {
		if (field_value(r, &f[K_HUGE], K_HUGE, &v, err) != 0)
			return -1;
		if (v)
			op->flags |= OPF_HUGE;
	}
	if (f[K_LOCAL].text != NULL) {
		if (field_value(r, &f[K_LOCAL], K_LOCAL, &v, err) != 0)
			return -1;
		if (v)
			op->flags |= OPF_LOCAL;
	}
	if (op->type == OP_ACCESS && f[K_ID].text == NULL &&
	    f[K_ADDR].text == NULL)
		return kmsim_fail_at(err, &n->pos, "access needs an 'id' or an"
		    " 'addr'");
	/* file ops: file, offset, dev, drop_caches' value */
	if (f[K_FILE].text != NULL && string_value(r, &f[K_FILE], K_FILE,
	    &r->file, &op->file, err) != 0)
		return -1;
	if (f[K_DEV].text != NULL && string_value(r, &f[K_DEV], K_DEV,
	    &r->dev, &op->disk, err) != 0)
		return -1;
	if (f[K_OFFSET].text != NULL &&
	    field_value(r, &f[K_OFFSET], K_OFFSET, &op->ptr, err) != 0)
		return -1;
	if (op->type == OP_READ || op->type == OP_WRITE) {
		op->bytes_req = op->end;	/* length */
		op->end = 0;
		if (op->ptr + op->bytes_req > (UINT64_C(1) << 50))
			return kmsim_fail_at(err, &n->pos, "offset + length "
			    "is past 1 PiB");
	}
	if (op->type == OP_DROP_CACHES) {
		op->nr = 1;
		if (f[K_VALUE].text != NULL &&
		    field_value(r, &f[K_VALUE], K_VALUE, &op->nr, err) != 0)
			return -1;
	}
	if (f[K_CACHE].text != NULL) {
		if (!f[K_CACHE].dynamic) {
			op->name = f[K_CACHE].text;
		} else {
			if (trace_yaml_field_expand(&f[K_CACHE], r->vars,
			    &r->cache, err) != 0 || field_parse(r->cache.p,
			    K_CACHE, f[K_CACHE].text, &f[K_CACHE].pos, &v,
			    err) != 0)
				return -1;
			op->name = r->cache.p;
		}
	}

	op->order = 0;
	if (f[K_ORDER].text != NULL) {
		if (field_value(r, &f[K_ORDER], K_ORDER, &v, err) != 0)
			return -1;
		op->order = (unsigned)v;
		op->has_order = true;
	}
	op->gfp = GFP_KERNEL;
	if (f[K_GFP].text != NULL) {
		if (field_value(r, &f[K_GFP], K_GFP, &v, err) != 0)
			return -1;
		op->gfp = (gfp_t)v;
	}
	op->cpu = -1;
	if (f[K_CPU].text != NULL) {
		if (field_value(r, &f[K_CPU], K_CPU, &v, err) != 0)
			return -1;
		op->cpu = (int)v;
	}
	op->node = -1;
	if (f[K_NODE].text != NULL) {
		if (field_value(r, &f[K_NODE], K_NODE, &v, err) != 0)
			return -1;
		op->node = (int)v;
	}
	op->pfn = OP_PFN_NONE;
	if (f[K_PFN].text != NULL &&
	    field_value(r, &f[K_PFN], K_PFN, &op->pfn, err) != 0)
		return -1;
	if (f[K_POLICY].text != NULL) {
		if (field_value(r, &f[K_POLICY], K_POLICY, &v, err) != 0)
			return -1;
		op->policy = (int)v;
	}
	if (f[K_NODES].text != NULL) {
		if (f[K_POLICY].text == NULL)
			return kmsim_fail_at(err, &f[K_NODES].pos,
			    "'nodes' needs a 'policy'");
		if (field_value(r, &f[K_NODES], K_NODES, &op->nodemask,
		    err) != 0)
			return -1;
	}
	if ((op->policy == MPOL_PREFERRED || op->policy == MPOL_BIND) &&
	    op->nodemask == 0)
		return kmsim_fail_at(err, &f[K_POLICY].pos, "policy %s needs"
		    " 'nodes'", mpol_names[op->policy]);

	if (f[K_ID].text == NULL) {
		if (op->type == OP_FREE_PAGES)
			return kmsim_fail_at(err, &n->pos,
			    "free_pages needs an 'id'");
	} else if (!f[K_ID].dynamic) {
		op->label = f[K_ID].text;
		op->id = f[K_ID].val;
		op->has_id = true;
	} else {
		if (trace_yaml_field_expand(&f[K_ID], r->vars, &r->label,
		    err) != 0)
			return -1;
		if (r->label.len == 0)
			return kmsim_fail_at(err, &f[K_ID].pos,
			    "empty id (from '%s')", f[K_ID].text);
		op->label = r->label.p;
		op->id = trace_label_id(r->label.p, r->label.len);
		op->has_id = true;
	}

	op->ts_ns = OP_TS_NONE;
	if (f[K_TS].text != NULL) {
		if (field_value(r, &f[K_TS], K_TS, &op->ts_ns, err) != 0)
			return -1;
		if (r->last_ts != OP_TS_NONE && op->ts_ns < r->last_ts)
			return kmsim_fail_at(err, &f[K_TS].pos,
			    "timestamp %" PRIu64 " goes backwards (previous %"
			    PRIu64 ")", op->ts_ns, r->last_ts);
		r->last_ts = op->ts_ns;
	}
	return 0;
}

static void frag_stop(struct trace_yaml *r)
{
	frag_destroy(r->frag);
	r->frag = NULL;
	free(r->frag_prefix);
	r->frag_prefix = NULL;
}

/* The running fragment block's next op: 1, or 0 when it has ended. */
static int frag_step(struct trace_yaml *r, struct op *op, char **err)
{
	struct frag_op fo;
	char num[24];
	int rc;

	rc = frag_next(r->frag, &fo);
	if (rc <= 0) {
		frag_stop(r);
		if (rc < 0)
			return kmsim_fail_at(err, &r->frag_ts_pos, "timestamps "
			    "of the fragment block run past %" PRIu64,
			    UINT64_MAX - 1);
		return 0;
	}
	op_clear(op);
	op->pos = r->frag_pos;
	op->type = fo.is_free ? OP_FREE_PAGES : OP_ALLOC_PAGES;
	op->order = fo.order;
	op->has_order = true;
	op->gfp = fo.gfp;
	op->cpu = fo.cpu;
	if (fo.has_id) {
		sbuf_reset(&r->label);
		sbuf_add(&r->label, r->frag_prefix, strlen(r->frag_prefix));
		sbuf_add(&r->label, num, expr_fmt_i64(num, (int64_t)fo.index));
		op->label = r->label.p;
		op->id = trace_label_id(r->label.p, r->label.len);
		op->has_id = true;
	}
	if (fo.ts != UINT64_MAX) {
		op->ts_ns = fo.ts;
		r->last_ts = fo.ts;
	}
	return 1;
}

/* Start expanding a repeat: 1 if it has iterations to run, else 0. */
static int push_repeat(struct trace_yaml *r, const struct tnode *n, char **err)
{
	struct frame *fr;
	uint64_t count;

	if (field_value(r, &n->f[K_REPEAT], K_REPEAT, &count, err) != 0)
		return -1;
	if (count == 0 || !n->yields)
		return 0;
	if (r->depth >= TRACE_YAML_MAX_DEPTH)	/* tnode_check prevents it */
		return kmsim_fail_at(err, &n->pos,
		    "repeats nested too deeply (more than %d)",
		    TRACE_YAML_MAX_DEPTH);
	fr = &r->frames[r->depth];
	fr->rep = n;
	fr->count = (int64_t)count;
	fr->i = 0;
	fr->idx = 0;
	r->vars[r->depth].name = n->var;
	r->vars[r->depth].value = 0;
	r->depth++;
	return 1;
}

/* After the top-level mapping: the document and the stream must end. */
static int read_stream_end(struct trace_yaml *r, char **err)
{
	yaml_event_t ev;
	struct srcpos pos;

	for (;;) {
		if (trace_yaml_event(r, &ev, err) != 0)
			return -1;
		switch (ev.type) {
		case YAML_DOCUMENT_END_EVENT:
			yaml_event_delete(&ev);
			continue;
		case YAML_STREAM_END_EVENT:
			yaml_event_delete(&ev);
			r->ts.bytes_done = r->in != NULL ? r->in->bytes_raw :
			    r->ts.bytes_total;
			return 0;
		default:
			pos = trace_yaml_pos(r, ev.start_mark);
			yaml_event_delete(&ev);
			return kmsim_fail_at(err, &pos,
			    "a trace is a single YAML document");
		}
	}
}

/*
 * Read top-level keys: 1 when the `ops` sequence has started, 0 when the
 * top-level mapping and the stream have ended.
 */
static int read_top_keys(struct trace_yaml *r, char **err)
{
	/* in the order of the TOP_* bits */
	static const char *const names[] = {
		"kmsim-trace", "name", "description", "ops"
	};
	yaml_event_t kev, vev;
	struct srcpos kpos, vpos;
	const char *key, *val;
	unsigned bit;
	uint64_t version;
	int i, rc;

	while ((rc = trace_yaml_key(r, &kev, &kpos, err)) > 0) {
		key = (const char *)kev.data.scalar.value;
		i = trace_yaml_lookup(names, (int)ARRAY_SIZE(names), key);
		if (i < 0) {
			kmsim_fail_at(err, &kpos, "unknown top-level key '%s'",
			    key);
			goto out_delete_key;
		}
		bit = 1u << i;
		if (r->top_seen & bit) {
			kmsim_fail_at(err, &kpos, "duplicate key '%s'", key);
			goto out_delete_key;
		}
		r->top_seen |= bit;

		/* a null value is the same as leaving the key out */
		rc = trace_yaml_value(r, &vev, &vpos, err);
		if (rc <= 0) {
			yaml_event_delete(&kev);
			if (rc < 0)
				return -1;
			continue;
		}
		if (bit == TOP_OPS) {
			r->has_ops = true;
			if (trace_yaml_expect(&vev, YAML_SEQUENCE_START_EVENT,
			    "ops", &vpos, err) != 0)
				goto out_delete_value;
			yaml_event_delete(&vev);
			yaml_event_delete(&kev);
			return 1;
		}
		if (trace_yaml_expect(&vev, YAML_SCALAR_EVENT, key, &vpos,
		    err) != 0)
			goto out_delete_value;
		val = (const char *)vev.data.scalar.value;
		if (bit == TOP_VERSION) {
			if (parse_unsigned(val, UINT64_MAX, &version) !=
			    NUM_OK || version != TRACE_YAML_VERSION) {
				kmsim_fail_at(err, &vpos,
				    "unsupported format version '%s' (only %d "
				    "is supported)", val, TRACE_YAML_VERSION);
				goto out_delete_value;
			}
		}
		/* name and description are for the reader of the file */
		yaml_event_delete(&vev);
		yaml_event_delete(&kev);
	}
	if (rc < 0)
		return -1;
	if (!r->has_ops)
		return kmsim_fail_at(err, &r->top_pos, "missing 'ops' key");
	return read_stream_end(r, err);

out_delete_value:
	yaml_event_delete(&vev);
out_delete_key:
	yaml_event_delete(&kev);
	return -1;
}

/*
 * The next item of the top-level `ops`: 1 with an op in r->cur, 0 when a
 * repeat was started (or skipped) or the sequence ended.
 */
static int read_top_item(struct trace_yaml *r, char **err)
{
	struct expr_var scope[TRACE_YAML_MAX_DEPTH];
	yaml_event_t ev;
	int rc;

	rc = read_item(r, &ev, err);
	if (rc <= 0) {
		if (rc == 0)
			r->state = ST_AFTER_OPS;
		return rc;
	}
	rc = read_node(r, &r->cur, ev.start_mark, 0, err);
	yaml_event_delete(&ev);
	if (rc != 0 || tnode_check(&r->cur, scope, 0, r->seed, err) != 0)
		return -1;
	if (r->cur.is_fragment) {
		/* the generator keeps what it needs of the template */
		rc = trace_yaml_frag_start(r, r->cur.frag, &r->cur.pos, err);
		tnode_clear(&r->cur);
		return rc;
	}
	if (!r->cur.is_repeat)
		return 1;

	r->top = xmalloc(sizeof *r->top);
	*r->top = r->cur;
	memset(&r->cur, 0, sizeof r->cur);
	rc = push_repeat(r, r->top, err);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		tnode_clear(r->top);
		free(r->top);
		r->top = NULL;
	}
	return 0;
}

static int advance(struct trace_yaml *r, struct op *op, char **err)
{
	const struct tnode *n;
	struct frame *fr;
	int rc;

	if (r->cur.seen != 0)
		tnode_clear(&r->cur);
	for (;;) {
		if (r->frag != NULL) {
			rc = frag_step(r, op, err);
			if (rc != 0)
				return rc;
			continue;	/* the block has ended */
		}
		if (r->depth > 0) {
			fr = &r->frames[r->depth - 1];
			if (fr->idx == fr->rep->nbody) {
				fr->idx = 0;
				if (++fr->i < fr->count) {
					r->vars[r->depth - 1].value = fr->i;
					continue;
				}
				if (--r->depth == 0) {
					tnode_clear(r->top);
					free(r->top);
					r->top = NULL;
				}
				continue;
			}
			n = &fr->rep->body[fr->idx++];
			if (n->is_fragment) {
				if (trace_yaml_frag_start(r, n->frag, &n->pos,
				    err) != 0)
					return -1;
				continue;
			}
			if (!n->is_repeat)
				return make_op(r, n, op, err) == 0 ? 1 : -1;
			if (push_repeat(r, n, err) < 0)
				return -1;
			continue;
		}
		switch (r->state) {
		case ST_OPS:
			switch (read_top_item(r, err)) {
			case -1:
				return -1;
			case 1:
				return make_op(r, &r->cur, op, err) == 0 ? 1 : -1;
			default:
				break;
			}
			break;
		case ST_AFTER_OPS:
			/* `ops` cannot start again: a second one is a duplicate */
			if (read_top_keys(r, err) < 0)
				return -1;
			r->state = ST_DONE;
			break;
		case ST_DONE:
			return 0;
		case ST_FAILED:
		default:
			return kmsim_fail(err, "%s: trace reader failed",
			    r->ts.path);
		}
	}
}

/* ---- the trace source ---- */

static int trace_yaml_next(struct trace_source *ts, struct op *op,
    char **cause)
{
	struct trace_yaml *r = container_of(ts, struct trace_yaml, ts);
	char *err = NULL;
	int rc;

	if (r->state == ST_FAILED) {
		if (cause != NULL)
			*cause = xstrdup(r->error);
		return -1;
	}
	rc = advance(r, op, &err);
	if (rc < 0) {
		r->state = ST_FAILED;
		r->error = err;
		if (cause != NULL)
			*cause = xstrdup(err);
	}
	return rc;
}

static void trace_yaml_destroy(struct trace_source *ts)
{
	struct trace_yaml *r = container_of(ts, struct trace_yaml, ts);

	tnode_clear(&r->cur);
	if (r->top != NULL) {
		tnode_clear(r->top);
		free(r->top);
	}
	frag_destroy(r->frag);
	free(r->frag_prefix);
	yaml_parser_delete(&r->parser);
	instream_close(r->in);
	free(r->track.buf);
	sbuf_fini(&r->label);
	sbuf_fini(&r->cache);
	sbuf_fini(&r->file);
	sbuf_fini(&r->dev);
	sbuf_fini(&r->scratch);
	free(r->text);
	free(r->error);
	free(r->ts.path);
	free(r);
}

static void trace_yaml_digest(struct trace_source *ts, char hex[65])
{
	struct trace_yaml *r = container_of(ts, struct trace_yaml, ts);

	if (r->in != NULL)
		instream_digest(r->in, hex);
	else
		sha256_hex(&r->sha, hex);
}

static const struct trace_source_ops trace_yaml_ops = {
	.next = trace_yaml_next,
	.destroy = trace_yaml_destroy,
	.digest = trace_yaml_digest,
};

static int read_instream(void *data, unsigned char *buf, size_t size,
    size_t *size_read)
{
	struct trace_yaml *r = data;
	ssize_t n;

	n = instream_read(r->in, buf, size);
	if (n < 0) {
		r->read_failed = true;
		return 0;
	}
	postrack_add(&r->track, buf, (size_t)n);
	*size_read = (size_t)n;
	return 1;
}

static struct trace_yaml *trace_yaml_create(const char *name)
{
	struct trace_yaml *r;

	r = xcalloc(1, sizeof *r);
	r->ts.ops = &trace_yaml_ops;
	r->ts.format = "yaml";
	r->ts.path = xstrdup(strcmp(name, "-") == 0 ? "<stdin>" : name);
	r->last_ts = OP_TS_NONE;
	r->state = ST_OPS;
	if (!yaml_parser_initialize(&r->parser)) {
		fprintf(stderr, "%s: out of memory initialising libyaml\n",
		    KMSIM_NAME);
		exit(3);
	}
	return r;
}

/* Read up to the start of the top-level `ops`; NULL with *cause. */
static struct trace_source *trace_yaml_start(struct trace_yaml *r,
    char **cause)
{
	struct srcpos pos = { r->ts.path, 1, 1 };
	yaml_event_t ev;
	char *err = NULL;

	if (trace_yaml_event(r, &ev, &err) != 0)	/* the stream start */
		goto out_fail;
	yaml_event_delete(&ev);
	if (trace_yaml_event(r, &ev, &err) != 0)
		goto out_fail;
	if (ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		kmsim_fail_at(&err, &pos, "trace is empty");
		goto out_fail;
	}
	yaml_event_delete(&ev);			/* the document start */
	if (trace_yaml_event(r, &ev, &err) != 0)
		goto out_fail;
	r->top_pos = trace_yaml_pos(r, ev.start_mark);
	if (ev.type != YAML_MAPPING_START_EVENT) {
		kmsim_fail_at(&err, &r->top_pos,
		    "the top level must be a mapping, not %s",
		    yamlnode_event_kind(&ev));
		yaml_event_delete(&ev);
		goto out_fail;
	}
	yaml_event_delete(&ev);
	if (read_top_keys(r, &err) < 0)
		goto out_fail;
	r->state = ST_OPS;
	return &r->ts;

out_fail:
	if (cause != NULL)
		*cause = err;
	else
		free(err);
	trace_yaml_destroy(&r->ts);
	return NULL;
}

struct trace_source *trace_yaml_open_stream(struct instream *in,
    char **cause)
{
	struct trace_yaml *r;

	r = trace_yaml_create(in->path);
	r->in = in;
	r->ts.bytes_total = r->in->bytes_total;
	yaml_parser_set_input(&r->parser, read_instream, r);
	return trace_yaml_start(r, cause);
}

void trace_yaml_set_seed(struct trace_source *ts, int64_t seed)
{
	struct trace_yaml *r = container_of(ts, struct trace_yaml, ts);

	assert(ts->ops == &trace_yaml_ops);
	r->seed = seed;
}

struct trace_source *trace_yaml_open(const char *path, char **cause)
{
	struct instream *in = instream_open(path, cause);

	if (in == NULL)
		return NULL;
	return trace_yaml_open_stream(in, cause);
}

struct trace_source *trace_yaml_open_string(const char *name,
    const char *text, char **cause)
{
	struct trace_yaml *r;
	size_t len = strlen(text);

	r = trace_yaml_create(name);
	r->text = xstrndup(text, len);
	sha256_init(&r->sha);
	sha256_update(&r->sha, r->text, len);
	r->ts.bytes_total = len;
	yaml_parser_set_input_string(&r->parser,
	    (const unsigned char *)r->text, len);
	return trace_yaml_start(r, cause);
}
