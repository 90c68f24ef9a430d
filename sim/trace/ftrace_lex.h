/*
 * ftrace_lex.h - the lexer of ftrace text, shared by the files of the
 * ftrace text reader (ftrace_lex.c, trace_ftrace.c) and by nothing else.
 *
 * It reads what every event line has, as kernel/trace/trace_output.c:
 * trace_print_context() prints it (TASK-PID, the optional TGID, CPU and
 * flags columns, the timestamp, the event's name), the lines that are not
 * events (the tracefs header, LOST markers, trace-cmd report's header),
 * and an event's fields: "key=value" (or "key value") tokens looked for
 * at the cursor in the order the kernel prints them, typed getters for
 * their values (decimal, hex, pointers, flags, gfp strings, devices), and
 * the messages for a missing or bad one.  What an event's fields mean is
 * trace_ftrace.c's (the per-event decoders).
 *
 * The numbers and the field lookup are inline here: they are most of the
 * work, and a key compared as a literal is a few word compares.
 */
#ifndef KMSIM_FTRACE_LEX_H
#define KMSIM_FTRACE_LEX_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "kmsim.h"
#include "trace/trace.h"

/* Word loads may read this far past a line's NUL: the reader's buffer
 * has that much readable after its end. */
#define FTRACE_PAD	64

#if defined(__GNUC__)
#define FT_INLINE inline __attribute__((always_inline))
#else
#define FT_INLINE inline
#endif

#define EVTAB_SLOTS	128		/* power of 2, > 2 x the events */
#define GFPC_SLOTS	256		/* power of two */
#define GFPC_LEN	128		/* longer gfp strings: uncached */
#define GFP_TOKEN_MAX	1024		/* every flag name fits */
#define MAX_ORDER_READ	63		/* the machine checks its own */

/* A slot of the event-name table. */
struct ftrace_lex_event {
	const char *name;	/* NULL: empty */
	uint32_t len;
	uint32_t kind;
	uint64_t first, last;	/* the first and last 8 bytes (len >= 8) */
};

/* A decoded gfp flag string. */
struct ftrace_lex_gfp {
	uint32_t len;		/* 0: empty */
	gfp_t gfp;
	char s[GFPC_LEN];
};

/* Why the line being parsed is refused. */
struct ftrace_lex_err {
	char msg[320];
	unsigned long col;	/* 1-based; 0: the whole line */
	bool shape;		/* the line is not ftrace text at all */
};

/*
 * The lexer's state, kept across the lines of one trace: the event-name
 * table, the gfp strings decoded so far, where the CPU column was, and
 * why the last line was refused.
 */
struct ftrace_lex {
	struct trace_stats *st;	/* the reader's: what the lexer counts */
	bool seen_record;	/* a line has been recognised as ftrace */
	size_t bracket;		/* where the CPU column was last time */
	struct ftrace_lex_err err;
	struct ftrace_lex_event evtab[EVTAB_SLOTS];
	struct ftrace_lex_gfp gfpc[GFPC_SLOTS];
	char scratch[GFP_TOKEN_MAX + 1];
};

/* ---- characters ---- */

/* Hex digit values plus one (0: not a hex digit). */
extern const unsigned char ftrace_lex_hex[256];

static inline bool is_digit(char c)
{
	return (unsigned char)(c - '0') < 10;
}

static inline char *skip_spaces(char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/*
 * p starts with the n bytes of pre (p has n bytes before end).  Inlined
 * with a constant n it is a few word compares, where GCC would call
 * memcmp() for most of the keys.
 */
static FT_INLINE bool has_prefix(const char *p, const char *end,
    const char *pre, size_t n)
{
	uint64_t a, b;
	uint32_t c, d;
	uint16_t e, g;

	if ((size_t)(end - p) < n)
		return false;
	for (; n >= 8; n -= 8, p += 8, pre += 8) {
		memcpy(&a, p, 8);
		memcpy(&b, pre, 8);
		if (a != b)
			return false;
	}
	if (n >= 4) {
		memcpy(&c, p, 4);
		memcpy(&d, pre, 4);
		if (c != d)
			return false;
		n -= 4, p += 4, pre += 4;
	}
	if (n >= 2) {
		memcpy(&e, p, 2);
		memcpy(&g, pre, 2);
		if (e != g)
			return false;
		n -= 2, p += 2, pre += 2;
	}
	return n == 0 || *p == *pre;
}

/*
 * A hash of a short string from its length and its first and last 8
 * bytes (one multiply: it is computed for every line); the table index is
 * taken from its top bits.
 */
static inline uint64_t short_key(const char *s, size_t n)
{
	uint64_t a = 0, b = 0;
	size_t i;

	if (n >= 8) {
		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
	} else {
		for (i = 0; i < n; i++)
			a = a << 8 | (unsigned char)s[i];
	}
	return ((a ^ (b >> 3) ^ n) + (b << 7)) * 0x9e3779b97f4a7c15ULL;
}

#define SLOT_OF(key, slots)	((size_t)((key) >> 32) & ((slots) - 1))

/* ---- numbers, hand-written: they are most of the work ---- */

enum num_err { NUM_OK, NUM_BAD, NUM_OVERFLOW };

/* Decimal digits at p; returns the end, *err set. */
static inline char *num_dec(char *p, uint64_t *out, enum num_err *err)
{
	char *s = p;
	uint64_t v = 0;
	unsigned d;

	while ((d = (unsigned)(unsigned char)*p - '0') < 10) {
		v = v * 10 + d;
		p++;
	}
	if (unlikely(p - s > 19)) {
		/* 19 digits cannot overflow; more may: again, checked */
		for (v = 0, p = s; (d = (unsigned)(unsigned char)*p - '0') < 10;
		    p++) {
			if (__builtin_mul_overflow(v, 10, &v) ||
			    __builtin_add_overflow(v, (uint64_t)d, &v)) {
				*err = NUM_OVERFLOW;
				return p;
			}
		}
	}
	*err = p == s ? NUM_BAD : NUM_OK;
	*out = v;
	return p;
}

/*
 * Eight hex digits (v as loaded from memory) as a number, or -1 if one
 * is not a hex digit.  Per byte, in parallel: ASCII, then '0'..'9' or
 * (lower-cased) 'a'..'f'; each "x < n" is the top bit of x + 0x80 - n.
 */
static inline int64_t swar_hex8(uint64_t v)
{
	const uint64_t ones = 0x0101010101010101ULL, high = ones * 0x80;
	uint64_t lc = v | ones * 0x20;		/* 'A' is 'a' */
	uint64_t dx = v ^ ones * 0x30, ax = lc ^ ones * 0x60;
	uint64_t digit = ~(dx + ones * (0x80 - 10)) & high;
	uint64_t letter = ~(ax + ones * (0x80 - 7)) & (ax + ones * 0x7f) & high;
	uint64_t x;

	if ((v & high) != 0 || (digit | letter) != high)
		return -1;
	x = __builtin_bswap64((lc & ones * 0x0f) + ((lc >> 6) & ones) * 9);
	x = (x | x >> 4) & 0x00ff00ff00ff00ffULL;
	x = (x | x >> 8) & 0x0000ffff0000ffffULL;
	return (int64_t)((x | x >> 16) & 0xffffffffULL);
}

/* Hex digits at p, after an optional 0x. */
static inline char *num_hex(char *p, uint64_t *out, enum num_err *err)
{
	char *s;
	uint64_t v = 0, w[2];
	int64_t hi, lo;
	unsigned d;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	s = p;
	/* the 16 digits of a pointer; the loads may read past the line's
	 * NUL, into the buffer's padding at worst (FTRACE_PAD) */
	if (ftrace_lex_hex[(unsigned char)p[15]] != 0 &&
	    ftrace_lex_hex[(unsigned char)p[16]] == 0) {
		memcpy(w, p, 16);
		hi = swar_hex8(w[0]);
		lo = swar_hex8(w[1]);
		if ((hi | lo) >= 0) {
			*out = (uint64_t)hi << 32 | (uint64_t)lo;
			*err = NUM_OK;
			return p + 16;
		}
	}
	while ((d = ftrace_lex_hex[(unsigned char)*p]) != 0) {
		v = v << 4 | (d - 1);
		p++;
	}
	if (unlikely(p - s > 16)) {
		/* more than 16 digits overflow, but for leading zeros */
		while (*s == '0' && p - s > 16)
			s++;
		if (p - s > 16) {
			*err = NUM_OVERFLOW;
			return s;
		}
	}
	*err = p == s ? NUM_BAD : NUM_OK;
	*out = v;
	return p;
}

/* 0x-prefixed hex, else decimal (pfn= changed base in Linux 5.x). */
static inline char *num_auto(char *p, uint64_t *out, enum num_err *err)
{
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		return num_hex(p, out, err);
	return num_dec(p, out, err);
}

/* A signed decimal (magnitude up to 2^63). */
static inline char *num_signed(char *p, int64_t *out, enum num_err *err)
{
	uint64_t v;
	bool neg = *p == '-';

	p = num_dec(p + neg, &v, err);
	if (*err == NUM_OK && v > (uint64_t)INT64_MAX + neg)
		*err = NUM_OVERFLOW;
	if (*err == NUM_OK)
		*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return p;
}

/* ---- fields ---- */

/* The fields of one event line being parsed. */
struct ftrace_fields {
	struct ftrace_lex *lx;
	unsigned page_shift;	/* the trace's (trace_options) */
	char *line;		/* the line, for columns */
	char *base;		/* the first field */
	char *p;		/* the cursor: where the next field should be */
	char *end;		/* the line's NUL */
	const char *event;	/* its name, for messages */
	char *zap[2];		/* set to NUL once the line is parsed */
	int nzap;
};

char *ftrace_lex_field_search(struct ftrace_fields *f, const char *key,
    size_t klen);

/* The value of "key" (which ends in '=' or ' '), or NULL if absent. */
static FT_INLINE char *field(struct ftrace_fields *f, const char *key,
    size_t klen)
{
	char *p = f->p + (*f->p == ' ');

	if (likely(has_prefix(p, f->end, key, klen)))
		return p + klen;
	p = skip_spaces(p);
	if (has_prefix(p, f->end, key, klen))
		return p + klen;
	return ftrace_lex_field_search(f, key, klen);
}

#define FIELD(f, key) field((f), key, sizeof key - 1)

/* Step over a field we do not need, if it is at the cursor. */
static inline void skip_field(struct ftrace_fields *f, const char *key,
    size_t klen)
{
	char *p = skip_spaces(f->p);

	if (has_prefix(p, f->end, key, klen)) {
		p = memchr(p, ' ', (size_t)(f->end - p));
		f->p = p != NULL ? p : f->end;
	}
}

#define SKIP_FIELD(f, key) skip_field((f), key, sizeof key - 1)

/* The value ends at a space or the end of the line. */
static inline bool at_value_end(const char *p)
{
	return *p == ' ' || *p == '\0';
}

enum nbase { B_DEC, B_HEX, B_AUTO };

/*
 * The getters take the value FIELD() found for a key (NULL: the key is
 * absent), so that the key, a literal, is compared inline.  get_*: the
 * field is required; 0, or -1 with the error set.  opt_*: 1 if present
 * and good, 0 if absent, -1 if bad.  Each moves the cursor past the value.
 */
#define GET_U64(f, k, b, o)	\
	ftrace_lex_get_u64((f), k, FIELD(f, k), (b), (o))
#define OPT_U64(f, k, b, o)	\
	ftrace_lex_opt_u64((f), k, FIELD(f, k), (b), (o))
#define GET_INT(f, k, l, h, o)	\
	ftrace_lex_get_int((f), k, FIELD(f, k), l, h, (o))
#define OPT_INT(f, k, l, h, o)	\
	ftrace_lex_opt_int((f), k, FIELD(f, k), l, h, (o))
#define GET_ORDER(f, k, op)	\
	ftrace_lex_get_order((f), k, FIELD(f, k), (op))
#define GET_COUNT(f, k, o)	ftrace_lex_get_count((f), k, FIELD(f, k), (o))
#define GET_PTR(f, k, o)	ftrace_lex_get_ptr((f), k, FIELD(f, k), (o))
#define GET_FLAG(f, k, o)	ftrace_lex_get_flag((f), k, FIELD(f, k), (o))
#define OPT_FLAG(f, k, o)	ftrace_lex_opt_flag((f), k, FIELD(f, k), (o))
#define GET_GFP(f, k, o)	ftrace_lex_get_gfp((f), k, FIELD(f, k), (o))
#define OPT_GFP(f, k, o)	ftrace_lex_opt_gfp((f), k, FIELD(f, k), (o))
#define GET_DEV(f, k, o)	ftrace_lex_get_dev((f), k, FIELD(f, k), (o))

/* Where the event's name starts, and the context columns before it. */
struct ftrace_lex_context {
	int cpu;
	uint64_t ts_ns;
	char *rest;		/* just after "TIMESTAMP:" */
};

/* ---- the lexer (ftrace_lex.c) ---- */

/* Set up *lx, counting into st, for the events named names[0..n). */
void ftrace_lex_init(struct ftrace_lex *lx, struct trace_stats *st,
    const char *const *names, int n);
/* The index in names of the event named s[0..n), or -1. */
int ftrace_lex_event(const struct ftrace_lex *lx, const char *s, size_t n);

/* Refuse the line: -1, with lx->err set (at: the column, NULL: none). */
int ftrace_lex_error(struct ftrace_lex *lx, const char *line, const char *at,
    const char *fmt, ...) KMSIM_PRINTF(4, 5);
/* The context columns of an event line (line[0..end), starting at p):
 * 0, or -1 with lx->err set (shape: not ftrace at all). */
int ftrace_lex_context(struct ftrace_lex *lx, char *line, char *p, char *end,
    struct ftrace_lex_context *c);
/* A LOST marker line: 1 (counted), 0 if not one. */
int ftrace_lex_lost(struct ftrace_lex *lx, char *p);
/* A '#' line of the tracefs header, or a buffer-start annotation. */
void ftrace_lex_comment(struct ftrace_lex *lx, char *p);
/* A line of trace-cmd report's own header: 1 if p is one. */
int ftrace_lex_tracecmd_header(char *p);

/* Fields: the value as written (for messages), the field errors, and the
 * getters behind the GET_ and OPT_ macros. */
int ftrace_lex_token_len(const char *v);
char *ftrace_lex_key_search(const struct ftrace_fields *f, char *from,
    const char *key, size_t klen);
int ftrace_lex_missing(struct ftrace_fields *f, const char *key);
int ftrace_lex_bad_value(struct ftrace_fields *f, const char *key,
    const char *v, enum num_err err);
int ftrace_lex_get_u64(struct ftrace_fields *f, const char *key, char *v,
    enum nbase base, uint64_t *out);
int ftrace_lex_opt_u64(struct ftrace_fields *f, const char *key, char *v,
    enum nbase base, uint64_t *out);
int ftrace_lex_get_int(struct ftrace_fields *f, const char *key, char *v,
    int64_t lo, int64_t hi, int64_t *out);
int ftrace_lex_opt_int(struct ftrace_fields *f, const char *key, char *v,
    int64_t lo, int64_t hi, int64_t *out);
int ftrace_lex_get_order(struct ftrace_fields *f, const char *key, char *v,
    struct op *op);
int ftrace_lex_get_count(struct ftrace_fields *f, const char *key, char *v,
    uint64_t *out);
int ftrace_lex_get_ptr(struct ftrace_fields *f, const char *key, char *v,
    uint64_t *out);
int ftrace_lex_get_flag(struct ftrace_fields *f, const char *key, char *v,
    bool *out);
int ftrace_lex_opt_flag(struct ftrace_fields *f, const char *key, char *v,
    bool *out);
int ftrace_lex_get_gfp(struct ftrace_fields *f, const char *key, char *v,
    gfp_t *out);
int ftrace_lex_opt_gfp(struct ftrace_fields *f, const char *key, char *v,
    gfp_t *out);
int ftrace_lex_get_dev(struct ftrace_fields *f, const char *key, char *v,
    uint32_t *out);
int ftrace_lex_bdi(struct ftrace_fields *f, uint32_t *out, bool *numeric);
int ftrace_lex_page_is_null(struct ftrace_fields *f);

#endif /* KMSIM_FTRACE_LEX_H */
