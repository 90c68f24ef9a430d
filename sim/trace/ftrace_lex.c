/*
 * ftrace_lex.c - the lexer of ftrace text (see ftrace_lex.h): the context
 * columns of an event line, its event's name, the lines that are not
 * events, and the fields of an event with their typed values.
 *
 * Speed: a line is lexed in place (NUL-terminated where it ends), with no
 * allocation, no sscanf and no copy.  An event's name is found in a small
 * hash table keyed by its length and first and last eight bytes; gfp flag
 * strings, which repeat, are decoded once and cached.
 */
#include <assert.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/ftrace_lex.h"

/* Hex digit values plus one (0: not a hex digit). */
const unsigned char ftrace_lex_hex[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6,
	['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

/* ---- errors ---- */

int ftrace_lex_error(struct ftrace_lex *lx, const char *line,
    const char *at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(lx->err.msg, sizeof lx->err.msg, fmt, ap);
	va_end(ap);
	lx->err.col = at != NULL ? (unsigned long)(at - line) + 1 : 0;
	lx->err.shape = false;
	return -1;
}

/* A value as written, for a message: up to the next space, at most 40. */
int ftrace_lex_token_len(const char *v)
{
	int n = 0;

	while (v[n] != ' ' && v[n] != '\0' && n < 40)
		n++;
	return n;
}

/* ---- fields ---- */

/* The first "key" at a field boundary at or after from, or NULL. */
char *ftrace_lex_key_search(const struct ftrace_fields *f, char *from,
    const char *key, size_t klen)
{
	char *p = from;

	while ((p = memchr(p, key[0], (size_t)(f->end - p))) != NULL) {
		if ((size_t)(f->end - p) < klen)
			return NULL;
		if ((p == f->base || p[-1] == ' ') &&
		    memcmp(p, key, klen) == 0)
			return p;
		p++;
	}
	return NULL;
}

/* Search the whole line for "key"; its value, or NULL. */
char *ftrace_lex_field_search(struct ftrace_fields *f, const char *key,
    size_t klen)
{
	char *p = ftrace_lex_key_search(f, f->base, key, klen);

	return p != NULL ? p + klen : NULL;
}

int ftrace_lex_missing(struct ftrace_fields *f, const char *key)
{
	int n = (int)strlen(key);

	if (n > 0 && (key[n - 1] == '=' || key[n - 1] == ' '))
		n--;
	return ftrace_lex_error(f->lx, f->line, f->end,
	    "missing field '%.*s' in %s",
	    n, key, f->event);
}

int ftrace_lex_bad_value(struct ftrace_fields *f, const char *key,
    const char *v, enum num_err err)
{
	int n = (int)strlen(key);

	if (n > 0 && (key[n - 1] == '=' || key[n - 1] == ' '))
		n--;
	if (err == NUM_OVERFLOW)
		return ftrace_lex_error(f->lx, f->line, v,
		    "value '%.*s' of '%.*s' in %s is out of range",
		    ftrace_lex_token_len(v), v, n, key, f->event);
	return ftrace_lex_error(f->lx, f->line, v,
	    "bad value '%.*s' for '%.*s' in %s",
	    ftrace_lex_token_len(v), v, n, key, f->event);
}

int ftrace_lex_get_u64(struct ftrace_fields *f, const char *key, char *v,
    enum nbase base, uint64_t *out)
{
	enum num_err err;
	char *p;

	if (unlikely(v == NULL))
		return ftrace_lex_missing(f, key);
	p = base == B_DEC ? num_dec(v, out, &err) : base == B_HEX ?
	    num_hex(v, out, &err) : num_auto(v, out, &err);
	if (unlikely(err != NUM_OK || !at_value_end(p)))
		return ftrace_lex_bad_value(f, key, v, err != NUM_OK ? err :
		    NUM_BAD);
	f->p = p;
	return 0;
}

int ftrace_lex_opt_u64(struct ftrace_fields *f, const char *key, char *v,
    enum nbase base, uint64_t *out)
{
	if (v == NULL)
		return 0;
	return ftrace_lex_get_u64(f, key, v, base, out) == 0 ? 1 : -1;
}

/* A signed number in [lo, hi]. */
int ftrace_lex_get_int(struct ftrace_fields *f, const char *key, char *v,
    int64_t lo, int64_t hi, int64_t *out)
{
	enum num_err err;
	char *p;

	if (unlikely(v == NULL))
		return ftrace_lex_missing(f, key);
	p = num_signed(v, out, &err);
	if (err == NUM_OK && (*out < lo || *out > hi))
		err = NUM_OVERFLOW;
	if (unlikely(err != NUM_OK || !at_value_end(p)))
		return ftrace_lex_bad_value(f, key, v, err != NUM_OK ? err :
		    NUM_BAD);
	f->p = p;
	return 0;
}

int ftrace_lex_opt_int(struct ftrace_fields *f, const char *key, char *v,
    int64_t lo, int64_t hi, int64_t *out)
{
	if (v == NULL)
		return 0;
	return ftrace_lex_get_int(f, key, v, lo, hi, out) == 0 ? 1 : -1;
}

int ftrace_lex_get_order(struct ftrace_fields *f, const char *key,
    char *v, struct op *op)
{
	int64_t n;

	if (ftrace_lex_get_int(f, key, v, 0, MAX_ORDER_READ, &n) != 0)
		return -1;
	op->order = (unsigned)n;
	op->has_order = true;
	return 0;
}

/* A count printed with %ld that may be negative (nr_to_write): 0 then. */
int ftrace_lex_get_count(struct ftrace_fields *f, const char *key,
    char *v, uint64_t *out)
{
	int64_t n;

	if (ftrace_lex_get_int(f, key, v, INT64_MIN, INT64_MAX, &n) != 0)
		return -1;
	*out = n < 0 ? 0 : (uint64_t)n;
	return 0;
}

/*
 * A pointer printed with %p: hashed (16 hex digits, an opaque id, stable
 * within one boot), a real address (0x... in trace-cmd report), or NULL
 * printed as zeros, "(nil)", or "(null)" (right-aligned in 16 columns
 * before Linux 4.15: "ptr=          (null)").
 */
int ftrace_lex_get_ptr(struct ftrace_fields *f, const char *key, char *v,
    uint64_t *out)
{
	enum num_err err;
	char *p;

	if (unlikely(v == NULL))
		return ftrace_lex_missing(f, key);
	if (unlikely(v[0] == ' '))
		v = skip_spaces(v);
	if (unlikely(v[0] == '(')) {
		if (strncmp(v, "(null)", 6) == 0 && at_value_end(v + 6))
			p = v + 6;
		else if (strncmp(v, "(nil)", 5) == 0 && at_value_end(v + 5))
			p = v + 5;
		else
			return ftrace_lex_bad_value(f, key, v, NUM_BAD);
		*out = 0;
		f->p = p;
		return 0;
	}
	p = num_hex(v, out, &err);
	if (unlikely(err != NUM_OK || !at_value_end(p)))
		return ftrace_lex_bad_value(f, key, v, err != NUM_OK ? err :
		    NUM_BAD);
	f->p = p;
	return 0;
}

/* Is the page= of a page event NULL?  (Never an error: trace-cmd may
 * print what it could not evaluate.)  -1: absent. */
int ftrace_lex_page_is_null(struct ftrace_fields *f)
{
	char *v = FIELD(f, "page="), *p;
	int null;

	if (v == NULL)
		return -1;
	v = skip_spaces(v);
	p = v;
	if (v[0] == '(') {
		null = strncmp(v, "(null)", 6) == 0 ||
		    strncmp(v, "(nil)", 5) == 0;
	} else {
		p = v;
		if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
			p += 2;
		while (*p == '0')
			p++;
		null = at_value_end(p) && p > v;
	}
	while (!at_value_end(p))
		p++;
	f->p = p;
	return null;
}

/* "true"/"false" (accounted=%s) or a number (0: false). */
int ftrace_lex_get_flag(struct ftrace_fields *f, const char *key,
    char *v, bool *out)
{
	enum num_err err;
	uint64_t n;
	char *p;

	if (unlikely(v == NULL))
		return ftrace_lex_missing(f, key);
	if (v[0] == 't' && strncmp(v, "true", 4) == 0 && at_value_end(v + 4)) {
		*out = true;
		p = v + 4;
	} else if (v[0] == 'f' && strncmp(v, "false", 5) == 0 &&
	    at_value_end(v + 5)) {
		*out = false;
		p = v + 5;
	} else {
		p = num_dec(v, &n, &err);
		if (err != NUM_OK || !at_value_end(p))
			return ftrace_lex_bad_value(f, key, v,
			    err != NUM_OK ? err : NUM_BAD);
		*out = n != 0;
	}
	f->p = p;
	return 0;
}

int ftrace_lex_opt_flag(struct ftrace_fields *f, const char *key,
    char *v, bool *out)
{
	if (v == NULL)
		return 0;
	return ftrace_lex_get_flag(f, key, v, out) == 0 ? 1 : -1;
}

/* gfp flags as show_gfp_flags() prints them: names, hex or "none". */
int ftrace_lex_get_gfp(struct ftrace_fields *f, const char *key, char *v,
    gfp_t *out)
{
	struct ftrace_lex *lx = f->lx;
	struct ftrace_lex_gfp *slot;
	char *e, *cause = NULL;
	size_t len;

	if (unlikely(v == NULL))
		return ftrace_lex_missing(f, key);
	e = memchr(v, ' ', (size_t)(f->end - v));
	if (e == NULL)
		e = f->end;
	len = (size_t)(e - v);
	slot = NULL;
	if (len < GFPC_LEN) {
		slot = &lx->gfpc[SLOT_OF(short_key(v, len), GFPC_SLOTS)];
		if (slot->len == len && memcmp(slot->s, v, len) == 0) {
			*out = slot->gfp;
			f->p = e;
			return 0;
		}
	}
	if (len == 0 || len > GFP_TOKEN_MAX)
		return ftrace_lex_bad_value(f, key, v, NUM_BAD);
	memcpy(lx->scratch, v, len);
	lx->scratch[len] = '\0';
	if (gfp_parse(lx->scratch, out, &cause) != 0) {
		ftrace_lex_error(lx, f->line, v, "%s in %s", cause, f->event);
		free(cause);
		return -1;
	}
	if (slot != NULL) {
		memcpy(slot->s, v, len);
		slot->len = (uint32_t)len;
		slot->gfp = *out;
	}
	f->p = e;
	return 0;
}

int ftrace_lex_opt_gfp(struct ftrace_fields *f, const char *key, char *v,
    gfp_t *out)
{
	if (v == NULL)
		return 0;
	return ftrace_lex_get_gfp(f, key, v, out) == 0 ? 1 : -1;
}

/* "MAJ:MIN" (both %d): major << 20 | minor, the kernel's dev_t. */
static char *num_dev(char *v, uint32_t *out, enum num_err *err)
{
	uint64_t maj, min;
	char *p;

	p = num_dec(v, &maj, err);
	if (*err != NUM_OK)
		return p;
	if (*p != ':') {
		*err = NUM_BAD;
		return p;
	}
	p = num_dec(p + 1, &min, err);
	if (*err == NUM_OK && (maj >= 1u << 12 || min >= 1u << 20))
		*err = NUM_OVERFLOW;
	if (*err == NUM_OK)
		*out = (uint32_t)(maj << 20 | min);
	return p;
}

int ftrace_lex_get_dev(struct ftrace_fields *f, const char *key, char *v,
    uint32_t *out)
{
	enum num_err err;
	char *p;

	if (v == NULL)
		return ftrace_lex_missing(f, key);
	p = num_dev(v, out, &err);
	if (err != NUM_OK || !at_value_end(p))
		return ftrace_lex_bad_value(f, key, v, err != NUM_OK ? err :
		    NUM_BAD);
	f->p = p;
	return 0;
}

/*
 * "bdi NAME: " of the writeback events.  NAME is the backing device's
 * name: "MAJ:MIN" for block devices, something else otherwise (e.g.
 * "(unknown)"), which is not an error: *out is then 0 and *numeric false.
 */
int ftrace_lex_bdi(struct ftrace_fields *f, uint32_t *out, bool *numeric)
{
	enum num_err err;
	char *v, *colon, *p;

	v = FIELD(f, "bdi ");
	if (v == NULL)
		return ftrace_lex_missing(f, "bdi ");
	colon = v;
	for (;;) {
		colon = memchr(colon, ':', (size_t)(f->end - colon));
		if (colon == NULL)
			return ftrace_lex_error(f->lx, f->line, v,
			    "no ':' after the bdi name in %s", f->event);
		if (colon[1] == ' ' || colon[1] == '\0')
			break;
		colon++;
	}
	*out = 0;
	*numeric = false;
	if (is_digit(*v)) {
		p = num_dev(v, out, &err);
		*numeric = err == NUM_OK && p == colon;
		if (!*numeric)
			*out = 0;
	}
	f->p = colon + 1;
	return 0;
}

/* ---- the event table ---- */

void ftrace_lex_init(struct ftrace_lex *lx, struct trace_stats *st,
    const char *const *names, int n)
{
	struct ftrace_lex_event *s;
	size_t len, i;
	int k;

	lx->st = st;
	assert(2 * n < EVTAB_SLOTS);
	for (k = 0; k < n; k++) {
		len = strlen(names[k]);
		i = SLOT_OF(short_key(names[k], len), EVTAB_SLOTS);
		while (lx->evtab[i].name != NULL)
			i = (i + 1) & (EVTAB_SLOTS - 1);
		s = &lx->evtab[i];
		s->name = names[k];
		s->len = (uint32_t)len;
		s->kind = (uint32_t)k;
		if (len >= 8) {
			memcpy(&s->first, s->name, 8);
			memcpy(&s->last, s->name + len - 8, 8);
		}
	}
}

/* The index of the event named s[0..n), or -1. */
int ftrace_lex_event(const struct ftrace_lex *lx, const char *s, size_t n)
{
	size_t i = SLOT_OF(short_key(s, n), EVTAB_SLOTS);
	const struct ftrace_lex_event *e;

	uint64_t a, b, x, y;
	size_t j;

	for (;;) {
		e = &lx->evtab[i];
		if (e->name == NULL)
			return -1;
		if (e->len == n) {
			if (n < 8)
				return memcmp(e->name, s, n) == 0 ?
				    (int)e->kind : -1;
			memcpy(&a, s, 8);
			memcpy(&b, s + n - 8, 8);
			if (a == e->first && b == e->last) {
				for (j = 8; j + 8 < n; j += 8) {
					memcpy(&x, s + j, 8);
					memcpy(&y, e->name + j, 8);
					if (x != y)
						break;
				}
				if (j + 8 >= n)
					return (int)e->kind;
			}
		}
		i = (i + 1) & (EVTAB_SLOTS - 1);
	}
}

/* ---- the line ---- */

/*
 * Is the '[' at q the CPU column?  Before it: "TASK-PID " and possibly
 * "(TGID) " (option record-tgid; "(-------)" when unknown).
 */
static bool cpu_column_at(const char *p, const char *q)
{
	const char *t = q, *d;

	if (t == p || t[-1] != ' ')
		return false;
	while (t > p && t[-1] == ' ')
		t--;
	if (t > p && t[-1] == ')') {
		t--;
		while (t > p && t[-1] != '(')
			t--;
		if (t == p)
			return false;
		t--;
		if (t == p || t[-1] != ' ')
			return false;
		while (t > p && t[-1] == ' ')
			t--;
	}
	d = t;
	while (d > p && is_digit(d[-1]))
		d--;
	return d < t && d > p && d[-1] == '-';
}

/*
 * The 8 bytes of v (as loaded from memory, little-endian) are all decimal
 * digits.  Each byte b passes if its high nibble is 3 and stays 3 when 6
 * is added (b <= '9'); a carry out of a byte only happens for bytes that
 * fail anyway.
 */
static inline bool all_digits8(uint64_t v)
{
	return ((v & 0xf0f0f0f0f0f0f0f0ULL) |
	    (((v + 0x0606060606060606ULL) & 0xf0f0f0f0f0f0f0f0ULL) >> 4)) ==
	    0x3333333333333333ULL;
}

/* Eight digits (checked) as a number, with three multiplies. */
static inline uint64_t swar_digits8(uint64_t v)
{
	v -= 0x3030303030303030ULL;
	v = v * 10 + (v >> 8);
	return ((v & 0x000000ff000000ffULL) * (100 + (1000000ULL << 32)) +
	    ((v >> 16) & 0x000000ff000000ffULL) * (1 + (10000ULL << 32))) >>
	    32;
}

/* powers of ten for the fraction of a timestamp */
static const uint64_t pow10_tab[10] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
	1000000000
};

/*
 * The context columns, as kernel/trace/trace_output.c:
 * trace_print_context() prints them:
 *   "%16s-%-7d " [ "(%7d) " ] "[%03d] " [ FLAGS " " ] "%5lu.%06lu: "
 * (trace-cmd report: no flags, "%lu.%06lu" or, with -t, nanoseconds).
 * A clock that is not in seconds (counter, x86-tsc) prints an integer,
 * taken as nanoseconds.  0, or -1 with the error set (shape: not ftrace).
 */
int ftrace_lex_context(struct ftrace_lex *lx, char *line, char *p,
    char *end, struct ftrace_lex_context *c)
{
	uint64_t secs, frac = 0, cpu, w = 0;
	enum num_err err;
	char *q = p, *t;
	size_t nd = 0;

	/* the column is where it was on the line before, mostly */
	q = line + lx->bracket;
	if (lx->bracket < (size_t)(end - line) && *q == '[' &&
	    cpu_column_at(p, q) && is_digit(q[1]))
		goto found;
	q = p;
	for (;;) {
		q = memchr(q, '[', (size_t)(end - q));
		if (q == NULL) {
			ftrace_lex_error(lx, line, NULL,
			    "not an ftrace event line");
			lx->err.shape = true;
			return -1;
		}
		if (cpu_column_at(p, q) && is_digit(q[1]))
			break;
		q++;
	}
	lx->bracket = (size_t)(q - line);
found:
	if (is_digit(q[2]) && is_digit(q[3]) && q[4] == ']') {
		/* "[%03d]" */
		cpu = (uint64_t)(q[1] - '0') * 100 +
		    (uint64_t)(q[2] - '0') * 10 + (uint64_t)(q[3] - '0');
		t = q + 4;
		err = NUM_OK;
	} else {
		t = num_dec(q + 1, &cpu, &err);
	}
	if (err != NUM_OK || *t != ']' || cpu > INT_MAX) {
		ftrace_lex_error(lx, line, q + 1, "bad CPU number");
		lx->err.shape = true;
		return -1;
	}
	c->cpu = (int)cpu;
	p = skip_spaces(t + 1);
	if (!is_digit(*p)) {
		/* the flags column: "d..2." and the like */
		while (*p != ' ' && *p != '\0')
			p++;
		p = skip_spaces(p);
	}
	q = p;
	if (!is_digit(*q)) {
		ftrace_lex_error(lx, line, q, "missing timestamp");
		lx->err.shape = true;
		return -1;
	}
	p = num_dec(p, &secs, &err);
	if (err == NUM_OK && *p == '.') {
		p++;
		if (end - p >= 8)
			memcpy(&w, p, 8);
		if (end - p >= 8 && p[6] == ':' &&
		    all_digits8(w << 16 | 0x3030)) {
			/* microseconds, the usual */
			frac = swar_digits8(w << 16 | 0x3030) * 1000;
			nd = 6;
			p += 6;
		} else if (end - p >= 10 && p[9] == ':' && all_digits8(w) &&
		    is_digit(p[8])) {
			/* nanoseconds (trace-cmd report -t) */
			frac = swar_digits8(w) * 10 + (uint64_t)(p[8] - '0');
			nd = 9;
			p += 9;
		} else {
			for (p--; is_digit(*++p) && nd < 9; nd++)
				frac = frac * 10 + (unsigned)(*p - '0');
			frac *= pow10_tab[9 - nd];
		}
		/* UINT64_MAX ns is 18446744073.709551615 s */
		if (nd == 0 || is_digit(*p))
			err = NUM_BAD;
		else if (secs > 18446744072u &&
		    (secs > 18446744073u || frac > 709551615u))
			err = NUM_OVERFLOW;
		else
			secs = secs * 1000000000u + frac;
	}
	/* (no fraction: a clock that is not in seconds, taken as ns) */
	if (err == NUM_OK && *p != ':')
		err = NUM_BAD;
	if (err != NUM_OK) {
		ftrace_lex_error(lx, line, q, err == NUM_OVERFLOW ?
		    "timestamp out of range" : "bad timestamp");
		return -1;
	}
	c->ts_ns = secs;
	c->rest = p + 1;
	return 0;
}

/* "CPU:%d [LOST %lu EVENTS]", "CPU:%d [LOST EVENTS]" (kernel), "CPU:%d
 * [%lld EVENTS DROPPED]", "CPU:%d [EVENTS DROPPED]" (trace-cmd): 1 if the
 * line is one of them. */
int ftrace_lex_lost(struct ftrace_lex *lx, char *p)
{
	enum num_err err;
	uint64_t cpu, n = 0;

	p = num_dec(p + 4, &cpu, &err);
	if (err != NUM_OK || p[0] != ' ' || p[1] != '[')
		return 0;
	p += 2;
	if (strncmp(p, "LOST ", 5) == 0) {
		p += 5;
		if (is_digit(*p)) {
			p = num_dec(p, &n, &err);
			if (err != NUM_OK || *p++ != ' ')
				return 0;
		}
		if (strcmp(p, "EVENTS]") != 0)
			return 0;
	} else {
		if (is_digit(*p)) {
			p = num_dec(p, &n, &err);
			if (err != NUM_OK || *p++ != ' ')
				return 0;
		}
		if (strcmp(p, "EVENTS DROPPED]") != 0)
			return 0;
	}
	lx->st->lost_markers++;
	lx->st->lost_events += n;
	return 1;
}

/* A '#' line of the tracefs header, or a buffer-start annotation. */
void ftrace_lex_comment(struct ftrace_lex *lx, char *p)
{
	static const char entries[] = "# entries-in-buffer/entries-written:";
	enum num_err err;
	uint64_t a, b;

	if (strncmp(p, "##### CPU ", 10) == 0) {
		lx->st->buffer_starts++;
		lx->seen_record = true;
	} else if (strncmp(p, "# tracer:", 9) == 0) {
		lx->seen_record = true;
	} else if (strncmp(p, entries, sizeof entries - 1) == 0) {
		p = skip_spaces(p + sizeof entries - 1);
		p = num_dec(p, &a, &err);
		if (err != NUM_OK || *p != '/')
			return;
		num_dec(p + 1, &b, &err);
		if (err != NUM_OK)
			return;
		lx->st->entries_in_buffer = a;
		lx->st->entries_written = b;
		lx->seen_record = true;
	}
}

/* trace-cmd report's own lines: "cpus=2", "version = 6", "CPU 0 is
 * empty".  1 if the line is one. */
int ftrace_lex_tracecmd_header(char *p)
{
	enum num_err err;
	uint64_t n;

	if (strncmp(p, "cpus=", 5) == 0) {
		p = num_dec(p + 5, &n, &err);
		return err == NUM_OK && *p == '\0';
	}
	if (strncmp(p, "version = ", 10) == 0)
		return p[10] != '\0';
	if (strncmp(p, "CPU ", 4) == 0) {
		p = num_dec(p + 4, &n, &err);
		return err == NUM_OK && strcmp(p, " is empty") == 0;
	}
	return 0;
}
