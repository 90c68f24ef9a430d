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
 * loop variables of the enclosing repeats.  Templates are checked once when
 * captured (keys, constant values, expression syntax, variable names); what
 * depends on the loop variables (division by zero, ranges, timestamps) is
 * checked when the op is produced.
 *
 * A `fragment` item is a template too: its scalars are captured the same
 * way, and each time it is reached they are evaluated into the parameters
 * of a generator (fragmenter.c), whose ops are handed out one per call
 * like a repeat's.
 */
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
#define TRACE_YAML_MAX_DEPTH	16	/* nested repeats */
#define TRACE_YAML_MAX_ORDER	15	/* the machine checks its own */
#define VAR_DEFAULT		"i"

/* The keys of an op or a repeat mapping. */
enum tkey {
	K_OP,
	K_ID,
	K_ORDER,
	K_GFP,
	K_CPU,
	K_NODE,
	K_TS,
	K_PFN,
	K_POLICY,
	K_NODES,
	K_SIZE,
	K_ALIGN,
	K_CACHE,
	K_FLAGS,
	K_ADDR,
	K_LENGTH,
	K_STRIDE,
	K_COUNT,
	K_WRITE,
	K_HUGE,
	K_LOCAL,
	K_FILE,
	K_OFFSET,
	K_DEV,
	K_VALUE,
	K_REPEAT,
	K_VAR,
	K_OPS,
	K_FRAGMENT,
	K_NR
};

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

/* Literal text, then an expression (none in the last part). */
struct tpart {
	const char *lit;	/* into the field's text */
	size_t lit_len;
	struct expr expr;	/* code NULL: no expression */
};

/* One scalar of a template, as written. */
struct tfield {
	char *text;		/* owned; NULL when the key is absent */
	size_t len;
	struct srcpos pos;	/* of the value */
	struct srcpos key_pos;	/* of the key */
	bool dynamic;		/* contains "${": evaluated for each op */
	uint64_t val;		/* the value when constant (numbers, gfp, op) */
	struct tpart *parts;	/* dynamic: the compiled scalar (owned) */
	size_t nparts;
};

struct tfrag;

/* A captured op, repeat or fragment block. */
struct tnode {
	bool is_repeat;
	bool is_fragment;
	bool yields;		/* repeat: may produce ops at all */
	unsigned seen;		/* 1 << enum tkey */
	struct srcpos pos;	/* the mapping's start */
	struct tfield f[K_NR];
	struct tnode *body;	/* repeat: owned array */
	size_t nbody;
	const char *var;	/* repeat: f[K_VAR].text or VAR_DEFAULT */
	struct tfrag *frag;	/* fragment: owned */
};

/* A repeat being expanded. */
struct frame {
	const struct tnode *rep;
	int64_t count;
	int64_t i;
	size_t idx;		/* next body entry */
};

/* A growable string. */
struct sbuf {
	char *p;
	size_t len;
	size_t cap;
};

/*
 * The last bytes handed to libyaml and where they start, so that a reader
 * error (bad UTF-8), which libyaml reports as a byte offset into input it
 * has read ahead, can be given a line and column.
 */
#define TRACK_WINDOW 65536	/* more than libyaml's raw buffer (16 KiB) */

struct postrack {
	uint64_t off;		/* offset of buf[0] in the input */
	unsigned long line;	/* 0-based position of buf[0] */
	unsigned long col;
	char *buf;
	size_t len;
};

enum trace_yaml_state {
	ST_OPS,			/* inside the top-level `ops` sequence */
	ST_AFTER_OPS,		/* top-level keys after `ops` */
	ST_DONE,
	ST_FAILED
};

struct trace_yaml {
	struct trace_source ts;
	yaml_parser_t parser;
	struct instream *in;	/* NULL when reading a string */
	struct postrack track;	/* what libyaml got from in */
	bool read_failed;	/* in could not be read or decoded */
	char *text;		/* the string read (owned), or NULL */
	struct sha256_ctx sha;	/* of the string */
	enum trace_yaml_state state;
	char *error;		/* the cause once failed */

	unsigned top_seen;	/* top-level keys written (TOP_*) */
	bool has_ops;		/* `ops` has been given a sequence */
	struct srcpos top_pos;	/* the top-level mapping */

	struct tnode cur;	/* the top-level op last produced */
	struct tnode *top;	/* the top-level repeat being expanded */
	struct frame frames[TRACE_YAML_MAX_DEPTH];
	struct expr_var vars[TRACE_YAML_MAX_DEPTH];
	size_t depth;		/* frames in use */

	struct fragmenter *frag;	/* the fragment block running */
	char *frag_prefix;	/* its ids' prefix (owned) */
	struct srcpos frag_pos;	/* its ops' position */
	struct srcpos frag_ts_pos;	/* where its timestamps are set */
	uint64_t nfrags;	/* fragment blocks started (default prefixes) */

	uint64_t last_ts;	/* OP_TS_NONE until an op carries one */
	int64_t seed;		/* the substitution variable `seed` */
	struct sbuf label;	/* a substituted id (op->label) */
	struct sbuf cache;	/* a substituted cache name (op->name) */
	struct sbuf scratch;	/* other substituted scalars */
	struct sbuf file;	/* a substituted file name (op->file) */
	struct sbuf dev;	/* a substituted disk name (op->disk) */
};

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

static struct srcpos mark_pos(const struct trace_yaml *r, yaml_mark_t m)
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
static int next_event(struct trace_yaml *r, yaml_event_t *ev, char **err)
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
				pos = mark_pos(r, p->mark);
			return kmsim_fail_at(err, &pos, "%s",
			    p->problem ? p->problem : "cannot read input");
		}
		if (p->error == YAML_MEMORY_ERROR) {
			fprintf(stderr, "%s: out of memory in libyaml\n",
			    KMSIM_NAME);
			exit(3);
		}
		pos = mark_pos(r, p->problem_mark);
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
		pos = mark_pos(r, ev->start_mark);
		yaml_event_delete(ev);
		return kmsim_fail_at(err, &pos,
		    "anchors and aliases are not supported");
	}
	if (ev->type == YAML_SCALAR_EVENT &&
	    memchr(ev->data.scalar.value, '\0', ev->data.scalar.length)) {
		pos = mark_pos(r, ev->start_mark);
		yaml_event_delete(ev);
		return kmsim_fail_at(err, &pos, "NUL characters are not allowed");
	}
	return 0;
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
static int parse_number(const char *key, const char *text, const char *raw,
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
static int tfield_compile(struct tfield *f, const struct expr_var *scope,
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
static int tfield_expand(const struct tfield *f, const struct expr_var *vars,
    struct sbuf *out, char **err)
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

/* ---- templates ---- */

static void tfrag_free(struct tfrag *t);

static void tnode_clear(struct tnode *n)
{
	size_t i;

	for (i = 0; i < K_NR; i++) {
		tfield_free_parts(&n->f[i]);
		free(n->f[i].text);
	}
	for (i = 0; i < n->nbody; i++)
		tnode_clear(&n->body[i]);
	free(n->body);
	tfrag_free(n->frag);
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

static int tkey_lookup(const char *s)
{
	int i;

	for (i = 0; i < K_NR; i++)
		if (strcmp(tkey_names[i], s) == 0)
			return i;
	return -1;
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
		return parse_number(tkey_names[k], text, raw, tkey_max(k), pos,
		    out, err);
	case K_ADDR:
		return parse_number(tkey_names[k], text, raw, tkey_max(k), pos,
		    out, err);
	case K_COUNT:
		if (parse_number(tkey_names[k], text, raw, tkey_max(k), pos,
		    out, err) != 0)
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
		if (parse_number(tkey_names[k], text, raw, tkey_max(k), pos,
		    out, err) != 0)
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
		if (parse_number(tkey_names[k], text, raw, tkey_max(k), pos,
		    out, err) != 0)
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
		return parse_number("repeat count", text, raw, tkey_max(k), pos,
		    out, err);
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
		/* read_frag() has checked the block itself */
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

/* ---- fragment blocks: templates ---- */

/* The keys of a fragment block. */
enum fkey {
	FK_COUNT,
	FK_SEED,
	FK_ORDERS,
	FK_SIZES,
	FK_PAGE_SIZE,
	FK_MIX,
	FK_LIFETIME,
	FK_CPUS,
	FK_CPU_PICK,
	FK_TS,
	FK_INTERVAL,
	FK_ID_PREFIX,
	FK_DRAIN,
	FK_NR
};

static const char *const fkey_names[FK_NR] = {
	[FK_COUNT] = "count",
	[FK_SEED] = "seed",
	[FK_ORDERS] = "orders",
	[FK_SIZES] = "sizes",
	[FK_PAGE_SIZE] = "page_size",
	[FK_MIX] = "mix",
	[FK_LIFETIME] = "lifetime",
	[FK_CPUS] = "cpus",
	[FK_CPU_PICK] = "cpu_pick",
	[FK_TS] = "ts",
	[FK_INTERVAL] = "interval_ns",
	[FK_ID_PREFIX] = "id_prefix",
	[FK_DRAIN] = "drain",
};

#define FK_BIT(k)	(1u << (k))

/* The keys of its lifetime; a uniform lifetime's bounds take two fields. */
enum lkey {
	LK_EXPONENTIAL,
	LK_UNIFORM,		/* the lower bound */
	LK_FIXED,
	LK_FOREVER,
	LK_UNIFORM_MAX,		/* not a key: the upper bound */
	LK_NR
};
#define LK_KEYS		LK_UNIFORM_MAX	/* the keys come first */
#define LK_DISTS \
	((1u << LK_EXPONENTIAL) | (1u << LK_UNIFORM) | (1u << LK_FIXED))

static const char *const lkey_names[LK_KEYS] = {
	[LK_EXPONENTIAL] = "exponential",
	[LK_UNIFORM] = "uniform",
	[LK_FIXED] = "fixed",
	[LK_FOREVER] = "forever",
};

/* The weight tables: `orders`, `sizes` and `mix`. */
enum wtab { W_ORDERS, W_SIZES, W_MIX, W_NR };

static const char *const mix_names[FRAG_MT_NR] = {
	[FRAG_UNMOVABLE] = "unmovable",
	[FRAG_MOVABLE] = "movable",
	[FRAG_RECLAIMABLE] = "reclaimable",
};

/* One weight: its key is literal, its value a template. */
struct tweight {
	uint64_t what;		/* the order, size in bytes or mobility */
	struct tfield w;	/* text NULL: a null weight, as absent */
};

struct tweights {
	struct tweight *v;
	size_t n;
	size_t cap;
};

/* A captured fragment block. */
struct tfrag {
	struct srcpos pos;	/* the block's mapping */
	unsigned seen;		/* FK_BIT(k): given, and not null */
	struct tfield f[FK_NR];	/* scalars; every key's positions */
	struct tweights w[W_NR];
	unsigned life_seen;	/* 1 << enum lkey */
	struct tfield life[LK_NR];
	bool dynamic;		/* some value holds ${} */
};

/* A fragment block's values for one run. */
struct frag_values {
	struct frag_params p;
	int cpus[FRAG_MAX_CPUS];
	uint64_t page_size;
	char *prefix;		/* owned; NULL: the default */
};

static int fkey_lookup(const char *s)
{
	int i;

	for (i = 0; i < FK_NR; i++)
		if (strcmp(fkey_names[i], s) == 0)
			return i;
	return -1;
}

static int lkey_lookup(const char *s)
{
	int i;

	for (i = 0; i < LK_KEYS; i++)
		if (strcmp(lkey_names[i], s) == 0)
			return i;
	return -1;
}

static enum wtab fkey_wtab(int k)
{
	return k == FK_ORDERS ? W_ORDERS : k == FK_SIZES ? W_SIZES : W_MIX;
}

static void tfield_fini(struct tfield *f)
{
	tfield_free_parts(f);
	free(f->text);
	f->text = NULL;
}

static void tfrag_free(struct tfrag *t)
{
	size_t i, j;

	if (t == NULL)
		return;
	for (i = 0; i < FK_NR; i++)
		tfield_fini(&t->f[i]);
	for (i = 0; i < LK_NR; i++)
		tfield_fini(&t->life[i]);
	for (i = 0; i < W_NR; i++) {
		for (j = 0; j < t->w[i].n; j++)
			tfield_fini(&t->w[i].v[j].w);
		free(t->w[i].v);
	}
	free(t);
}

/* Keep a scalar's text as a template field. */
static void tfield_capture(struct tfrag *t, struct tfield *f,
    const yaml_event_t *ev)
{
	f->len = ev->data.scalar.length;
	f->text = xstrndup((const char *)ev->data.scalar.value, f->len);
	f->dynamic = strstr(f->text, "${") != NULL;
	if (f->dynamic)
		t->dynamic = true;
}

/* The key of a weight: an order, a size, a mobility. */
static int weight_key(int fk, const char *key, const struct srcpos *pos,
    uint64_t *what, char **err)
{
	char *cause = NULL;
	size_t i;

	if (strstr(key, "${") != NULL)
		return kmsim_fail_at(err, pos,
		    "substitution is not supported in a key ('%s')", key);
	switch (fk) {
	case FK_ORDERS:
		return parse_number("order", key, NULL, FRAG_MAX_ORDER, pos,
		    what, err);
	case FK_SIZES:
		if (kmsim_parse_size(key, what, &cause) != 0) {
			kmsim_fail_at(err, pos, "%s", cause);
			free(cause);
			return -1;
		}
		if (*what == 0)
			return kmsim_fail_at(err, pos, "size '%s' is zero",
			    key);
		return 0;
	default:
		for (i = 0; i < FRAG_MT_NR; i++) {
			if (strcmp(key, mix_names[i]) == 0) {
				*what = i;
				return 0;
			}
		}
		return kmsim_fail_at(err, pos, "unknown mix type '%s' "
		    "(movable, unmovable or reclaimable)", key);
	}
}

/* Read the weights of `orders`, `sizes` or `mix` (the mapping started). */
static int read_weights(struct trace_yaml *r, struct tfrag *t, int fk,
    char **err)
{
	struct tweights *tw = &t->w[fkey_wtab(fk)];
	yaml_event_t kev, vev;
	struct srcpos kpos;
	struct tweight *e;
	const char *key;
	uint64_t what;
	size_t i;

	for (;;) {
		if (next_event(r, &kev, err) != 0)
			return -1;
		if (kev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&kev);
			return 0;
		}
		kpos = mark_pos(r, kev.start_mark);
		if (kev.type != YAML_SCALAR_EVENT) {
			kmsim_fail_at(err, &kpos, "a key must be a scalar, "
			    "not %s", yamlnode_event_kind(&kev));
			goto out_delete_key;
		}
		key = (const char *)kev.data.scalar.value;
		if (weight_key(fk, key, &kpos, &what, err) != 0)
			goto out_delete_key;
		for (i = 0; i < tw->n; i++) {
			if (tw->v[i].what != what)
				continue;
			if (fk == FK_ORDERS)
				kmsim_fail_at(err, &kpos, "duplicate order %"
				    PRIu64, what);
			else if (fk == FK_SIZES)
				kmsim_fail_at(err, &kpos, "duplicate size "
				    "'%s' (%" PRIu64 " bytes)", key, what);
			else
				kmsim_fail_at(err, &kpos, "duplicate key '%s'",
				    key);
			goto out_delete_key;
		}
		if (tw->n == tw->cap) {
			tw->cap = tw->cap ? tw->cap * 2 : 4;
			tw->v = xreallocarray(tw->v, tw->cap, sizeof *tw->v);
		}
		e = &tw->v[tw->n++];
		memset(e, 0, sizeof *e);
		e->what = what;
		e->w.key_pos = kpos;
		yaml_event_delete(&kev);

		if (next_event(r, &vev, err) != 0)
			return -1;
		e->w.pos = mark_pos(r, vev.start_mark);
		if (!yamlnode_event_is_null(&vev)) {
			if (vev.type != YAML_SCALAR_EVENT) {
				kmsim_fail_at(err, &e->w.pos, "a weight must "
				    "be a scalar, not %s",
				    yamlnode_event_kind(&vev));
				yaml_event_delete(&vev);
				return -1;
			}
			tfield_capture(t, &e->w, &vev);
		}
		yaml_event_delete(&vev);
	}

out_delete_key:
	yaml_event_delete(&kev);
	return -1;
}

/* Read `uniform: [min, max]` (its value event in *ev, deleted here). */
static int read_uniform(struct trace_yaml *r, struct tfrag *t,
    yaml_event_t *ev, char **err)
{
	struct srcpos pos = mark_pos(r, ev->start_mark), ipos;
	yaml_event_t iev;
	size_t n = 0;

	if (ev->type != YAML_SEQUENCE_START_EVENT) {
		kmsim_fail_at(err, &pos, "'uniform' must be a sequence "
		    "[min, max], not %s", yamlnode_event_kind(ev));
		yaml_event_delete(ev);
		return -1;
	}
	yaml_event_delete(ev);
	for (;;) {
		if (next_event(r, &iev, err) != 0)
			return -1;
		if (iev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&iev);
			break;
		}
		ipos = mark_pos(r, iev.start_mark);
		if (iev.type != YAML_SCALAR_EVENT) {
			kmsim_fail_at(err, &ipos, "a bound of 'uniform' "
			    "must be a scalar, not %s",
			    yamlnode_event_kind(&iev));
			yaml_event_delete(&iev);
			return -1;
		}
		if (n < 2) {
			struct tfield *f = &t->life[n ? LK_UNIFORM_MAX :
			    LK_UNIFORM];

			f->pos = ipos;
			f->key_pos = t->life[LK_UNIFORM].key_pos;
			tfield_capture(t, f, &iev);
		}
		n++;
		yaml_event_delete(&iev);
	}
	if (n != 2)
		return kmsim_fail_at(err, &pos, "'uniform' needs 2 numbers "
		    "[min, max], not %zu", n);
	return 0;
}

/* Read a fragment block's `lifetime` (the mapping started). */
static int read_lifetime(struct trace_yaml *r, struct tfrag *t, char **err)
{
	yaml_event_t kev, vev;
	struct srcpos kpos;
	struct tfield *f;
	const char *key;
	unsigned written = 0;
	int k, other;

	for (;;) {
		if (next_event(r, &kev, err) != 0)
			return -1;
		if (kev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&kev);
			break;
		}
		kpos = mark_pos(r, kev.start_mark);
		if (kev.type != YAML_SCALAR_EVENT) {
			kmsim_fail_at(err, &kpos, "a key must be a scalar, "
			    "not %s", yamlnode_event_kind(&kev));
			goto out_delete_key;
		}
		key = (const char *)kev.data.scalar.value;
		k = lkey_lookup(key);
		if (k < 0) {
			kmsim_fail_at(err, &kpos, "unknown key '%s' in "
			    "lifetime", key);
			goto out_delete_key;
		}
		if (written & (1u << k)) {
			kmsim_fail_at(err, &kpos, "duplicate key '%s'", key);
			goto out_delete_key;
		}
		written |= 1u << k;
		yaml_event_delete(&kev);
		f = &t->life[k];
		f->key_pos = kpos;

		if (next_event(r, &vev, err) != 0)
			return -1;
		f->pos = mark_pos(r, vev.start_mark);
		if (yamlnode_event_is_null(&vev)) {
			yaml_event_delete(&vev);
			continue;
		}
		if (((1u << k) & LK_DISTS) && (t->life_seen & LK_DISTS)) {
			/* the first distribution given, in the file */
			for (other = 0; !((1u << other) & LK_DISTS &
			    t->life_seen); other++)
				;
			kmsim_fail_at(err, &kpos, "'%s' and '%s' cannot "
			    "both be given", lkey_names[other], lkey_names[k]);
			yaml_event_delete(&vev);
			return -1;
		}
		t->life_seen |= 1u << k;
		if (k == LK_UNIFORM) {
			if (read_uniform(r, t, &vev, err) != 0)
				return -1;
			continue;
		}
		if (vev.type != YAML_SCALAR_EVENT) {
			kmsim_fail_at(err, &f->pos, "'%s' must be a scalar, "
			    "not %s", lkey_names[k], yamlnode_event_kind(&vev));
			yaml_event_delete(&vev);
			return -1;
		}
		tfield_capture(t, f, &vev);
		yaml_event_delete(&vev);
	}
	if (!(t->life_seen & LK_DISTS))
		return kmsim_fail_at(err, &t->f[FK_LIFETIME].pos, "lifetime "
		    "needs one of 'exponential', 'uniform' or 'fixed'");
	return 0;

out_delete_key:
	yaml_event_delete(&kev);
	return -1;
}

/* " (from 'TEMPLATE')" for a substituted value, as parse_number() says. */
static void from_note(char *buf, size_t len, const char *raw)
{
	buf[0] = '\0';
	if (raw != NULL)
		snprintf(buf, len, " (from '%.40s%s')", raw,
		    strlen(raw) > 40 ? "..." : "");
}

/*
 * A fragment scalar's text for the current loop variables: as written, or
 * substituted into r->scratch, and then *raw is the template (messages).
 */
static int tfrag_text(struct trace_yaml *r, const struct tfield *f,
    const char **text, const char **raw, char **err)
{
	*raw = NULL;
	*text = f->text;
	if (!f->dynamic)
		return 0;
	if (tfield_expand(f, r->vars, &r->scratch, err) != 0)
		return -1;
	*text = r->scratch.p;
	*raw = f->text;
	return 0;
}

static int frag_number(struct trace_yaml *r, const struct tfield *f,
    const char *name, uint64_t min, uint64_t max, uint64_t *out, char **err)
{
	const char *text, *raw;
	char from[64];

	if (tfrag_text(r, f, &text, &raw, err) != 0 ||
	    parse_number(name, text, raw, max, &f->pos, out, err) != 0)
		return -1;
	if (*out < min) {
		from_note(from, sizeof from, raw);
		return kmsim_fail_at(err, &f->pos, "%s '%s'%s is too small (at "
		    "least %" PRIu64 ")", name, text, from, min);
	}
	return 0;
}

struct frag_cpulist {
	const struct tfield *f;
	const char *text;
	const char *from;
	bool listed[FRAG_MAX_CPUS];
	struct frag_values *v;
	char **err;
};

static int frag_cpulist_range(void *arg, uint64_t a, uint64_t b)
{
	struct frag_cpulist *cl = arg;
	uint64_t cpu;

	if (b >= FRAG_MAX_CPUS)
		return kmsim_fail_at(cl->err, &cl->f->pos, "cpus '%s'%s: cpu %"
		    PRIu64 " is out of range 0..%d", cl->text, cl->from, b,
		    FRAG_MAX_CPUS - 1);
	for (cpu = a; cpu <= b; cpu++) {
		if (cl->listed[cpu])
			return kmsim_fail_at(cl->err, &cl->f->pos, "cpus "
			    "'%s'%s: cpu %" PRIu64 " is listed twice",
			    cl->text, cl->from, cpu);
		cl->listed[cpu] = true;
		cl->v->cpus[cl->v->p.ncpus++] = (int)cpu;
	}
	return 0;
}

/* `cpus`: a cpu list as kmsim-config(5) takes one, "0-3,8,10-11". */
static int frag_cpus(struct trace_yaml *r, const struct tfield *f,
    struct frag_values *v, char **err)
{
	struct frag_cpulist cl = { .f = f, .v = v, .err = err };
	const char *raw;
	uint64_t a, b;
	char from[64];

	if (tfrag_text(r, f, &cl.text, &raw, err) != 0)
		return -1;
	from_note(from, sizeof from, raw);
	cl.from = from;
	switch (kmsim_parse_list(cl.text, FRAG_MAX_CPUS, frag_cpulist_range,
	    &cl, &a, &b)) {
	case KMSIM_LIST_OK:
		v->p.cpus = v->cpus;
		return 0;
	case KMSIM_LIST_FAILED:
		return -1;
	case KMSIM_LIST_REVERSED:
		return kmsim_fail_at(err, &f->pos, "cpus '%s'%s: range '%"
		    PRIu64 "-%" PRIu64 "' is reversed", cl.text, from, a, b);
	default:
		return kmsim_fail_at(err, &f->pos, "cpus '%s'%s is not a cpu "
		    "list", cl.text, from);
	}
}

/* A key that takes one of a few words; *out is the index of the word. */
static int frag_word(struct trace_yaml *r, const struct tfield *f,
    const char *name, const char *const *words, size_t nwords,
    const char *expected, size_t *out, char **err)
{
	const char *text, *raw;
	char from[64];

	if (tfrag_text(r, f, &text, &raw, err) != 0)
		return -1;
	for (*out = 0; *out < nwords; (*out)++)
		if (strcmp(text, words[*out]) == 0)
			return 0;
	from_note(from, sizeof from, raw);
	return kmsim_fail_at(err, &f->pos, "%s '%s'%s must be %s", name, text,
	    from, expected);
}

/* A size's order, as the kernel's get_order() with this page size. */
static unsigned size_order(uint64_t bytes, uint64_t page_size)
{
	uint64_t pages = (bytes - 1) / page_size;

	return pages ? kmsim_ilog2(pages) + 1 : 0;
}

/* The value of a weight table's entries, into the parameters. */
static int frag_weights(struct trace_yaml *r, const struct tfrag *t, int fk,
    bool run, bool sizes_ok, struct frag_values *v, char **err)
{
	const struct tweights *tw = &t->w[fkey_wtab(fk)];
	uint64_t w, *slot, sum = 0;
	char size[32], page[32];
	unsigned order = 0;
	bool known = true;	/* every weight of the table */
	size_t i;

	for (i = 0; i < tw->n; i++) {
		const struct tweight *e = &tw->v[i];

		known &= run || !e->w.dynamic;
		if (fk == FK_SIZES && sizes_ok) {
			order = size_order(e->what, v->page_size);
			if (order > FRAG_MAX_ORDER)
				return kmsim_fail_at(err, &e->w.key_pos, "size "
				    "%s is order %u with %s pages (at most %d)",
				    kmsim_fmt_size(e->what, size, sizeof size),
				    order, kmsim_fmt_size(v->page_size, page,
				    sizeof page), FRAG_MAX_ORDER);
		}
		if (e->w.text == NULL || (!run && e->w.dynamic))
			continue;
		if (frag_number(r, &e->w, "weight", 0, FRAG_MAX_WEIGHT, &w,
		    err) != 0)
			return -1;
		sum += w;
		if (fk == FK_MIX) {
			v->p.mt_weight[e->what] = w;
			continue;
		}
		if (fk == FK_ORDERS) {
			v->p.order_weight[e->what] = w;
			continue;
		}
		if (!sizes_ok)	/* the page size is not known yet */
			continue;
		slot = &v->p.order_weight[order];
		if (*slot + w > FRAG_MAX_WEIGHT)
			return kmsim_fail_at(err, &e->w.pos, "the weights of "
			    "order %u add up to more than %" PRIu64, order,
			    (uint64_t)FRAG_MAX_WEIGHT);
		*slot += w;
	}
	if (known && sum == 0)
		return kmsim_fail_at(err, &t->f[fk].pos, "'%s' needs a weight "
		    "above 0", fkey_names[fk]);
	return 0;
}

/*
 * Evaluate a fragment block into v (whose prefix the caller frees).  When
 * run is false the block is being captured: values with ${} cannot be
 * known yet and are skipped, and so are the checks across values that
 * involve one of them.
 */
static int tfrag_eval(struct trace_yaml *r, const struct tfrag *t, bool run,
    struct frag_values *v, char **err)
{
	static const char *const picks[] = { "round-robin", "random" };
	static const char *const bools[] = {
		"false", "False", "FALSE", "true", "True", "TRUE"
	};
	const struct tfield *f;
	const char *text, *raw, *why;
	uint64_t forever, page_size;
	size_t word;
	bool all = run || !t->dynamic;	/* every value is known */
	int dist;
	char *cause = NULL;

	memset(&v->p, 0, sizeof v->p);
	v->p.seed = 1;
	v->p.order_weight[0] = 1;
	v->p.mt_weight[FRAG_UNMOVABLE] = 1;
	v->page_size = 4096;
	v->prefix = NULL;
#define GIVEN(f) ((f)->text != NULL && (run || !(f)->dynamic))

	f = &t->f[FK_COUNT];
	if (GIVEN(f) && frag_number(r, f, "count", 1, INT64_MAX, &v->p.count,
	    err) != 0)
		return -1;
	f = &t->f[FK_SEED];
	if (GIVEN(f) && frag_number(r, f, "seed", 0, UINT64_MAX, &v->p.seed,
	    err) != 0)
		return -1;
	f = &t->f[FK_PAGE_SIZE];
	if (GIVEN(f)) {
		if (tfrag_text(r, f, &text, &raw, err) != 0)
			return -1;
		if (kmsim_parse_size(text, &page_size, &cause) != 0 ||
		    (page_size != 4096 && page_size != 16384 &&
		    page_size != 65536)) {
			char from[64];

			free(cause);
			from_note(from, sizeof from, raw);
			return kmsim_fail_at(err, &f->pos, "page_size '%s'%s "
			    "must be 4K, 16K or 64K", text, from);
		}
		v->page_size = page_size;
	}
	f = &t->f[FK_CPUS];
	if (GIVEN(f) && frag_cpus(r, f, v, err) != 0)
		return -1;
	f = &t->f[FK_CPU_PICK];
	if (GIVEN(f)) {
		if (frag_word(r, f, "cpu_pick", picks, ARRAY_SIZE(picks),
		    "round-robin or random", &word, err) != 0)
			return -1;
		v->p.cpu_random = word == 1;
	}
	f = &t->f[FK_TS];
	if (GIVEN(f) && frag_number(r, f, "ts", 0, UINT64_MAX - 1, &v->p.ts,
	    err) != 0)
		return -1;
	f = &t->f[FK_INTERVAL];
	if (GIVEN(f) && frag_number(r, f, "interval_ns", 0, UINT64_MAX - 1,
	    &v->p.interval_ns, err) != 0)
		return -1;
	f = &t->f[FK_ID_PREFIX];
	if (GIVEN(f)) {
		if (tfrag_text(r, f, &text, &raw, err) != 0)
			return -1;
		v->prefix = xstrdup(text);
	}
	f = &t->f[FK_DRAIN];
	if (GIVEN(f)) {
		if (frag_word(r, f, "drain", bools, ARRAY_SIZE(bools),
		    "true or false", &word, err) != 0)
			return -1;
		v->p.drain = word >= 3;
	}

	/* the lifetime: one distribution, and how many live forever */
	for (dist = 0; !((1u << dist) & LK_DISTS & t->life_seen); dist++)
		;
	v->p.life = dist == LK_FIXED ? FRAG_LIFE_FIXED :
	    dist == LK_UNIFORM ? FRAG_LIFE_UNIFORM : FRAG_LIFE_EXPONENTIAL;
	f = &t->life[dist];
	if (GIVEN(f) && frag_number(r, f, dist == LK_UNIFORM ? "uniform min" :
	    lkey_names[dist], 1, FRAG_MAX_LIFETIME, &v->p.life_a, err) != 0)
		return -1;
	f = &t->life[LK_UNIFORM_MAX];
	if (dist == LK_UNIFORM && GIVEN(f) && frag_number(r, f, "uniform max",
	    1, FRAG_MAX_LIFETIME, &v->p.life_b, err) != 0)
		return -1;
	if (dist == LK_UNIFORM && (run || (!t->life[LK_UNIFORM].dynamic &&
	    !t->life[LK_UNIFORM_MAX].dynamic)) && v->p.life_a > v->p.life_b)
		return kmsim_fail_at(err, &t->life[LK_UNIFORM].key_pos,
		    "uniform lifetime [%" PRIu64 ", %" PRIu64 "] is reversed",
		    v->p.life_a, v->p.life_b);
	f = &t->life[LK_FOREVER];
	if (GIVEN(f)) {
		if (frag_number(r, f, "forever", 0, 100, &forever, err) != 0)
			return -1;
		v->p.forever = (unsigned)forever;
	}

	/* the weights: given ones replace the defaults */
	if (t->seen & FK_BIT(FK_MIX)) {
		memset(v->p.mt_weight, 0, sizeof v->p.mt_weight);
		if (frag_weights(r, t, FK_MIX, run, false, v, err) != 0)
			return -1;
	}
	if (t->seen & (FK_BIT(FK_ORDERS) | FK_BIT(FK_SIZES)))
		memset(v->p.order_weight, 0, sizeof v->p.order_weight);
	if ((t->seen & FK_BIT(FK_ORDERS)) &&
	    frag_weights(r, t, FK_ORDERS, run, false, v, err) != 0)
		return -1;
	if ((t->seen & FK_BIT(FK_SIZES)) &&
	    frag_weights(r, t, FK_SIZES, run,
	    run || !t->f[FK_PAGE_SIZE].dynamic, v, err) != 0)
		return -1;
#undef GIVEN
	/* every value was checked above: a complaint here is a bug */
	why = all ? frag_params_check(&v->p) : NULL;
	assert(why == NULL);
	if (why != NULL)
		return kmsim_fail_at(err, &t->pos, "fragment: %s", why);
	return 0;
}

/* Read a fragment block (its mapping started at pos). */
static int read_frag(struct trace_yaml *r, struct tfrag *t,
    const struct srcpos *pos, char **err)
{
	yaml_event_t kev, vev;
	struct srcpos kpos;
	struct frag_values *v;
	struct tfield *f;
	const char *key;
	unsigned written = 0;
	int k, rc;

	t->pos = *pos;
	for (;;) {
		if (next_event(r, &kev, err) != 0)
			return -1;
		if (kev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&kev);
			break;
		}
		kpos = mark_pos(r, kev.start_mark);
		if (kev.type != YAML_SCALAR_EVENT) {
			kmsim_fail_at(err, &kpos, "a key must be a scalar, "
			    "not %s", yamlnode_event_kind(&kev));
			goto out_delete_key;
		}
		key = (const char *)kev.data.scalar.value;
		k = fkey_lookup(key);
		if (k < 0 && lkey_lookup(key) >= 0) {
			kmsim_fail_at(err, &kpos, "unknown key '%s' in "
			    "fragment (it belongs in 'lifetime')", key);
			goto out_delete_key;
		}
		if (k < 0) {
			kmsim_fail_at(err, &kpos, "unknown key '%s' in "
			    "fragment", key);
			goto out_delete_key;
		}
		if (written & FK_BIT(k)) {
			kmsim_fail_at(err, &kpos, "duplicate key '%s'", key);
			goto out_delete_key;
		}
		written |= FK_BIT(k);
		yaml_event_delete(&kev);
		f = &t->f[k];
		f->key_pos = kpos;

		if (next_event(r, &vev, err) != 0)
			return -1;
		f->pos = mark_pos(r, vev.start_mark);
		if (yamlnode_event_is_null(&vev)) {
			/* the same as leaving the key out */
			yaml_event_delete(&vev);
			continue;
		}
		if ((k == FK_ORDERS && (t->seen & FK_BIT(FK_SIZES))) ||
		    (k == FK_SIZES && (t->seen & FK_BIT(FK_ORDERS)))) {
			kmsim_fail_at(err, &kpos, "'%s' and '%s' cannot "
			    "both be given", fkey_names[k == FK_ORDERS ?
			    FK_SIZES : FK_ORDERS], fkey_names[k]);
			goto out_delete_value;
		}
		t->seen |= FK_BIT(k);
		if (k == FK_ORDERS || k == FK_SIZES || k == FK_MIX ||
		    k == FK_LIFETIME) {
			if (vev.type != YAML_MAPPING_START_EVENT) {
				kmsim_fail_at(err, &f->pos, "'%s' must be a "
				    "mapping, not %s", fkey_names[k],
				    yamlnode_event_kind(&vev));
				goto out_delete_value;
			}
			yaml_event_delete(&vev);
			rc = k == FK_LIFETIME ? read_lifetime(r, t, err) :
			    read_weights(r, t, k, err);
			if (rc != 0)
				return -1;
			continue;
		}
		if (vev.type != YAML_SCALAR_EVENT) {
			kmsim_fail_at(err, &f->pos, "'%s' must be a scalar, "
			    "not %s", fkey_names[k], yamlnode_event_kind(&vev));
			goto out_delete_value;
		}
		tfield_capture(t, f, &vev);
		yaml_event_delete(&vev);
	}

	if (!(t->seen & FK_BIT(FK_COUNT)))
		return kmsim_fail_at(err, &t->pos, "fragment needs a 'count'");
	if (!(t->seen & FK_BIT(FK_LIFETIME)))
		return kmsim_fail_at(err, &t->pos,
		    "fragment needs a 'lifetime'");
	if ((t->seen & FK_BIT(FK_PAGE_SIZE)) && !(t->seen & FK_BIT(FK_SIZES)))
		return kmsim_fail_at(err, &t->f[FK_PAGE_SIZE].key_pos,
		    "'page_size' is only used with 'sizes'");
	if ((t->seen & FK_BIT(FK_CPU_PICK)) && !(t->seen & FK_BIT(FK_CPUS)))
		return kmsim_fail_at(err, &t->f[FK_CPU_PICK].key_pos,
		    "'cpu_pick' needs 'cpus'");
	/* what is constant is checked now, even in a repeat that never runs */
	v = xmalloc(sizeof *v);
	rc = tfrag_eval(r, t, false, v, err);
	free(v->prefix);
	free(v);
	return rc;

out_delete_key:
	yaml_event_delete(&kev);
	return -1;
out_delete_value:
	yaml_event_delete(&vev);
	return -1;
}

/* Compile a fragment block's substitutions (tnode_check()). */
static int tfrag_compile(struct tfrag *t, const struct expr_var *scope,
    size_t nscope, int64_t seed, char **err)
{
	struct tfield *fields[FK_NR + LK_NR];
	size_t i, j, n = 0;

	for (i = 0; i < FK_NR; i++)
		fields[n++] = &t->f[i];
	for (i = 0; i < LK_NR; i++)
		fields[n++] = &t->life[i];
	for (i = 0; i < n; i++)
		if (fields[i]->dynamic && tfield_compile(fields[i], scope,
		    nscope, seed, err) != 0)
			return -1;
	for (i = 0; i < W_NR; i++)
		for (j = 0; j < t->w[i].n; j++)
			if (t->w[i].v[j].w.dynamic &&
			    tfield_compile(&t->w[i].v[j].w, scope, nscope, seed,
			    err) != 0)
				return -1;
	return 0;
}

static int read_node(struct trace_yaml *r, struct tnode *n,
    yaml_mark_t start, size_t depth, char **err);

/* Read a repeat's `ops` sequence (its start consumed) into n->body. */
static int read_body(struct trace_yaml *r, struct tnode *n, size_t depth,
    char **err)
{
	yaml_event_t ev;
	struct srcpos pos;
	size_t cap = 0;

	for (;;) {
		if (next_event(r, &ev, err) != 0)
			return -1;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		if (ev.type != YAML_MAPPING_START_EVENT) {
			pos = mark_pos(r, ev.start_mark);
			kmsim_fail_at(err, &pos, "an op must be a mapping, not %s",
			    yamlnode_event_kind(&ev));
			yaml_event_delete(&ev);
			return -1;
		}
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
	struct srcpos kpos, vpos;
	struct tfield *f;
	const char *key;
	unsigned written = 0;	/* keys written, null or not */
	int k;

	n->pos = mark_pos(r, start);
	for (;;) {
		if (next_event(r, &kev, err) != 0)
			return -1;
		if (kev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&kev);
			break;
		}
		kpos = mark_pos(r, kev.start_mark);
		if (kev.type != YAML_SCALAR_EVENT) {
			kmsim_fail_at(err, &kpos, "a key must be a scalar, not %s",
			    yamlnode_event_kind(&kev));
			goto out_delete_key;
		}
		key = (const char *)kev.data.scalar.value;
		k = tkey_lookup(key);
		if ((k < 0 || !(KEYS_FRAGMENT & (1u << k))) &&
		    (written & KEYS_FRAGMENT) && fkey_lookup(key) >= 0) {
			/* `- fragment:` with its keys not indented under it */
			kmsim_fail_at(err, &kpos, "unknown key '%s' beside "
			    "'fragment' (indent it under 'fragment')", key);
			goto out_delete_key;
		}
		if (k < 0) {
			kmsim_fail_at(err, &kpos, "unknown key '%s'", key);
			goto out_delete_key;
		}
		if (written & (1u << k)) {
			kmsim_fail_at(err, &kpos, "duplicate key '%s'", key);
			goto out_delete_key;
		}
		yaml_event_delete(&kev);
		written |= 1u << k;
		f = &n->f[k];
		f->key_pos = kpos;

		if (next_event(r, &vev, err) != 0)
			return -1;
		vpos = mark_pos(r, vev.start_mark);
		f->pos = vpos;
		if (yamlnode_event_is_null(&vev)) {
			/* a null value is the same as leaving the key out */
			yaml_event_delete(&vev);
			continue;
		}
		n->seen |= 1u << k;
		if (k == K_OPS) {
			if (vev.type != YAML_SEQUENCE_START_EVENT) {
				kmsim_fail_at(err, &vpos,
				    "'ops' must be a sequence, not %s",
				    yamlnode_event_kind(&vev));
				goto out_delete_value;
			}
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
			if (vev.type != YAML_MAPPING_START_EVENT) {
				kmsim_fail_at(err, &vpos,
				    "'fragment' must be a mapping, not %s",
				    yamlnode_event_kind(&vev));
				goto out_delete_value;
			}
			yaml_event_delete(&vev);
			n->frag = xcalloc(1, sizeof *n->frag);
			if (read_frag(r, n->frag, &vpos, err) != 0)
				return -1;
			continue;
		}
		if (vev.type != YAML_SCALAR_EVENT) {
			kmsim_fail_at(err, &vpos, "'%s' must be a scalar, not %s",
			    tkey_names[k], yamlnode_event_kind(&vev));
			goto out_delete_value;
		}
		f->len = vev.data.scalar.length;
		f->text = xstrndup((const char *)vev.data.scalar.value, f->len);
		f->dynamic = strstr(f->text, "${") != NULL;
		yaml_event_delete(&vev);
	}
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
		return tfrag_compile(n->frag, scope, nscope, seed, err);
	}
	if (!n->is_repeat) {
		for (k = 0; k < K_NR; k++) {
			if (n->f[k].dynamic &&
			    tfield_compile(&n->f[k], scope, nscope, seed,
			    err) != 0)
				return -1;
		}
		n->yields = true;
		return 0;
	}
	if (n->f[K_REPEAT].dynamic &&
	    tfield_compile(&n->f[K_REPEAT], scope, nscope, seed, err) != 0)
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
	if (tfield_expand(f, r->vars, &r->scratch, err) != 0)
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
	if (tfield_expand(f, r->vars, buf, err) != 0 ||
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
			if (tfield_expand(&f[K_CACHE], r->vars, &r->cache,
			    err) != 0 || field_parse(r->cache.p, K_CACHE,
			    f[K_CACHE].text, &f[K_CACHE].pos, &v, err) != 0)
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
		if (tfield_expand(&f[K_ID], r->vars, &r->label, err) != 0)
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

/* Start running a fragment block: its ops come next. */
static int frag_start(struct trace_yaml *r, const struct tnode *n,
    char **err)
{
	const struct tfrag *t = n->frag;
	struct frag_values *v;
	int rc = -1;

	assert(r->frag == NULL);
	v = xmalloc(sizeof *v);
	if (tfrag_eval(r, t, true, v, err) != 0)
		goto out;
	/*
	 * Timestamps: from `ts`, else one interval after the trace's last,
	 * else from 0.  An overflow later is blamed on the interval.
	 */
	r->frag_ts_pos = t->f[FK_TS].pos;
	if (t->f[FK_INTERVAL].text != NULL)
		r->frag_ts_pos = t->f[FK_INTERVAL].pos;
	if (t->f[FK_TS].text != NULL) {
		v->p.has_ts = true;
		if (r->last_ts != OP_TS_NONE && v->p.ts < r->last_ts) {
			kmsim_fail_at(err, &t->f[FK_TS].pos, "timestamp %"
			    PRIu64 " goes backwards (previous %" PRIu64 ")",
			    v->p.ts, r->last_ts);
			goto out;
		}
	} else if (t->f[FK_INTERVAL].text != NULL) {
		v->p.has_ts = true;
		v->p.ts = 0;
		if (r->last_ts != OP_TS_NONE &&
		    (__builtin_add_overflow(r->last_ts, v->p.interval_ns,
		    &v->p.ts) || v->p.ts == OP_TS_NONE)) {
			kmsim_fail_at(err, &r->frag_ts_pos, "timestamps of the "
			    "fragment block run past %" PRIu64, UINT64_MAX - 1);
			goto out;
		}
	}
	r->frag = frag_new(&v->p);
	r->frag_prefix = v->prefix;
	v->prefix = NULL;
	if (r->frag_prefix == NULL)
		xasprintf(&r->frag_prefix, "frag%" PRIu64 ".", r->nfrags);
	r->frag_pos = n->pos;
	r->nfrags++;
	rc = 0;
out:
	free(v->prefix);
	free(v);
	return rc;
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
		if (next_event(r, &ev, err) != 0)
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
			pos = mark_pos(r, ev.start_mark);
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
	static const struct {
		const char *name;
		unsigned bit;
	} keys[] = {
		{ "kmsim-trace", TOP_VERSION },
		{ "name", TOP_NAME },
		{ "description", TOP_DESCRIPTION },
		{ "ops", TOP_OPS },
	};
	yaml_event_t kev, vev;
	struct srcpos kpos, vpos;
	const char *key, *val;
	unsigned bit;
	uint64_t version;
	size_t i;

	for (;;) {
		if (next_event(r, &kev, err) != 0)
			return -1;
		if (kev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&kev);
			if (!r->has_ops)
				return kmsim_fail_at(err, &r->top_pos,
				    "missing 'ops' key");
			return read_stream_end(r, err);
		}
		kpos = mark_pos(r, kev.start_mark);
		if (kev.type != YAML_SCALAR_EVENT) {
			kmsim_fail_at(err, &kpos, "a key must be a scalar, not %s",
			    yamlnode_event_kind(&kev));
			goto out_delete_key;
		}
		key = (const char *)kev.data.scalar.value;
		bit = 0;
		for (i = 0; i < ARRAY_SIZE(keys); i++)
			if (strcmp(key, keys[i].name) == 0)
				bit = keys[i].bit;
		if (bit == 0) {
			kmsim_fail_at(err, &kpos, "unknown top-level key '%s'",
			    key);
			goto out_delete_key;
		}
		if (r->top_seen & bit) {
			kmsim_fail_at(err, &kpos, "duplicate key '%s'", key);
			goto out_delete_key;
		}
		r->top_seen |= bit;

		if (next_event(r, &vev, err) != 0)
			goto out_delete_key;
		vpos = mark_pos(r, vev.start_mark);
		if (yamlnode_event_is_null(&vev)) {
			/* the same as leaving the key out */
			yaml_event_delete(&vev);
			yaml_event_delete(&kev);
			continue;
		}
		if (bit == TOP_OPS) {
			r->has_ops = true;
			if (vev.type != YAML_SEQUENCE_START_EVENT) {
				kmsim_fail_at(err, &vpos,
				    "'ops' must be a sequence, not %s",
				    yamlnode_event_kind(&vev));
				goto out_delete_value;
			}
			yaml_event_delete(&vev);
			yaml_event_delete(&kev);
			return 1;
		}
		if (vev.type != YAML_SCALAR_EVENT) {
			kmsim_fail_at(err, &vpos, "'%s' must be a scalar, not %s",
			    key, yamlnode_event_kind(&vev));
			goto out_delete_value;
		}
		val = (const char *)vev.data.scalar.value;
		if (bit == TOP_VERSION) {
			if (parse_unsigned(val, UINT64_MAX, &version) != NUM_OK ||
			    version != TRACE_YAML_VERSION) {
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
	struct srcpos pos;
	int rc;

	if (next_event(r, &ev, err) != 0)
		return -1;
	if (ev.type == YAML_SEQUENCE_END_EVENT) {
		yaml_event_delete(&ev);
		r->state = ST_AFTER_OPS;
		return 0;
	}
	if (ev.type != YAML_MAPPING_START_EVENT) {
		pos = mark_pos(r, ev.start_mark);
		kmsim_fail_at(err, &pos, "an op must be a mapping, not %s",
		    yamlnode_event_kind(&ev));
		yaml_event_delete(&ev);
		return -1;
	}
	rc = read_node(r, &r->cur, ev.start_mark, 0, err);
	yaml_event_delete(&ev);
	if (rc != 0 || tnode_check(&r->cur, scope, 0, r->seed, err) != 0)
		return -1;
	if (r->cur.is_fragment) {
		/* the generator keeps what it needs of the template */
		rc = frag_start(r, &r->cur, err);
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
				if (frag_start(r, n, err) != 0)
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

	if (next_event(r, &ev, &err) != 0)	/* the stream start */
		goto out_fail;
	yaml_event_delete(&ev);
	if (next_event(r, &ev, &err) != 0)
		goto out_fail;
	if (ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		kmsim_fail_at(&err, &pos, "trace is empty");
		goto out_fail;
	}
	yaml_event_delete(&ev);			/* the document start */
	if (next_event(r, &ev, &err) != 0)
		goto out_fail;
	r->top_pos = mark_pos(r, ev.start_mark);
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
