/*
 * trace_ftrace.c - the kernel's own ftrace text, read into the op records
 * of trace.h: what tracefs prints in `trace` and `trace_pipe`, and what
 * `trace-cmd report` prints from a trace.dat (kmsim-trace(5), FTRACE TEXT).
 *
 * An event line is, as kernel/trace/trace_output.c:trace_print_context()
 * prints it,
 *
 *            bash-12295   [001] .....  1244.710310: mm_page_alloc: page=...
 *
 * TASK-PID (the task right-aligned; it may hold spaces and dashes, so the
 * PID is the digits after the last '-' before the CPU column), an optional
 * "(TGID)" column (option record-tgid), "[CPU]", an optional flags column
 * (option irq-info; 5 characters in recent kernels, 4 in older ones, none in
 * trace-cmd report), "SECONDS.FRACTION:", the event name and ':', then
 * what the event's TP_printk() printed.  Each parser below cites the
 * format it reads.
 *
 * Speed: the input is read in large chunks into one buffer and split with
 * memchr(); a line is parsed in place (NUL-terminated where it ends), with
 * no allocation, no sscanf and no copy.  An event's name is found in a
 * small hash table keyed by its length and first and last eight bytes;
 * its fields are looked for at the cursor in the order the kernel prints
 * them, with a search of the whole line as the fallback, so that older
 * and newer kernels that add or drop a field are read by the same code.
 * gfp flag strings, which repeat, are decoded once and cached.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/instream.h"
#include "kmsim.h"
#include "trace/trace.h"

#define FTRACE_CHUNK	(256 * 1024)	/* read at most this at once */
#define FTRACE_LINE_MAX	(64 * 1024)	/* the longest line read */
#define FTRACE_BUFSZ	(FTRACE_CHUNK + FTRACE_LINE_MAX)
#define FTRACE_PAD	64		/* readable after the buffer */
#define NUL_NONE	SIZE_MAX

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

/* The events read; any other is counted and skipped. */
enum ev_kind {
	EV_PAGE_ALLOC,
	EV_PAGE_FREE,
	EV_PAGE_FREE_BATCHED,
	EV_ZONE_LOCKED,
	EV_PCPU_DRAIN,
	EV_EXTFRAG,
	EV_KMALLOC,
	EV_KMALLOC_NODE,
	EV_KFREE,
	EV_CACHE_ALLOC,
	EV_CACHE_ALLOC_NODE,
	EV_CACHE_FREE,
	EV_VMAP_ALLOC,
	EV_VMAP_FREE,
	EV_VMAP_PURGE,
	EV_PERCPU_ALLOC,
	EV_PERCPU_FREE,
	EV_FILEMAP_ADD,
	EV_FILEMAP_DELETE,
	EV_DIRTY_FOLIO,
	EV_DIRTY_PAGE,
	EV_WB_START,
	EV_WB_WRITTEN,
	EV_WB_INODE_START,
	EV_WB_INODE,
	EV_COMPACTION_BEGIN,
	EV_COMPACTION_END,
	EV_KCOMPACTD_WAKE,
	EV_KSWAPD_WAKE,
	EV_KSWAPD_SLEEP,
	EV_WAKEUP_KSWAPD,
	EV_RECLAIM_BEGIN,
	EV_RECLAIM_END,
	EV_MARK,		/* tracefs: "tracing_mark_write: TEXT" */
	EV_PRINT,		/* trace-cmd: "print: tracing_mark_write:" */
	EV_NR
};

static const char *const ev_names[EV_NR] = {
	[EV_PAGE_ALLOC] = "mm_page_alloc",
	[EV_PAGE_FREE] = "mm_page_free",
	[EV_PAGE_FREE_BATCHED] = "mm_page_free_batched",
	[EV_ZONE_LOCKED] = "mm_page_alloc_zone_locked",
	[EV_PCPU_DRAIN] = "mm_page_pcpu_drain",
	[EV_EXTFRAG] = "mm_page_alloc_extfrag",
	[EV_KMALLOC] = "kmalloc",
	[EV_KMALLOC_NODE] = "kmalloc_node",
	[EV_KFREE] = "kfree",
	[EV_CACHE_ALLOC] = "kmem_cache_alloc",
	[EV_CACHE_ALLOC_NODE] = "kmem_cache_alloc_node",
	[EV_CACHE_FREE] = "kmem_cache_free",
	[EV_VMAP_ALLOC] = "alloc_vmap_area",
	[EV_VMAP_FREE] = "free_vmap_area_noflush",
	[EV_VMAP_PURGE] = "purge_vmap_area_lazy",
	[EV_PERCPU_ALLOC] = "percpu_alloc_percpu",
	[EV_PERCPU_FREE] = "percpu_free_percpu",
	[EV_FILEMAP_ADD] = "mm_filemap_add_to_page_cache",
	[EV_FILEMAP_DELETE] = "mm_filemap_delete_from_page_cache",
	[EV_DIRTY_FOLIO] = "writeback_dirty_folio",
	[EV_DIRTY_PAGE] = "writeback_dirty_page",
	[EV_WB_START] = "writeback_start",
	[EV_WB_WRITTEN] = "writeback_written",
	[EV_WB_INODE_START] = "writeback_single_inode_start",
	[EV_WB_INODE] = "writeback_single_inode",
	[EV_COMPACTION_BEGIN] = "mm_compaction_begin",
	[EV_COMPACTION_END] = "mm_compaction_end",
	[EV_KCOMPACTD_WAKE] = "mm_compaction_kcompactd_wake",
	[EV_KSWAPD_WAKE] = "mm_vmscan_kswapd_wake",
	[EV_KSWAPD_SLEEP] = "mm_vmscan_kswapd_sleep",
	[EV_WAKEUP_KSWAPD] = "mm_vmscan_wakeup_kswapd",
	[EV_RECLAIM_BEGIN] = "mm_vmscan_direct_reclaim_begin",
	[EV_RECLAIM_END] = "mm_vmscan_direct_reclaim_end",
	[EV_MARK] = "tracing_mark_write",
	[EV_PRINT] = "print",
};

struct ev_slot {
	const char *name;	/* NULL: empty */
	uint32_t len;
	uint32_t kind;
	uint64_t first, last;	/* the first and last 8 bytes (len >= 8) */
};

/* A decoded gfp flag string. */
struct gfp_slot {
	uint32_t len;		/* 0: empty */
	gfp_t gfp;
	char s[GFPC_LEN];
};

/* Why the line being parsed is refused. */
struct perr {
	char msg[320];
	unsigned long col;	/* 1-based; 0: the whole line */
	bool shape;		/* the line is not ftrace text at all */
};

struct trace_ftrace {
	struct trace_source ts;
	struct instream *in;
	struct trace_options opt;
	struct trace_stats st;

	char *buf;		/* FTRACE_BUFSZ + FTRACE_PAD bytes */
	size_t pos;		/* the next line starts here */
	size_t len;		/* bytes in buf */
	size_t nul;		/* offset of a NUL byte at or after pos */
	bool eof;
	unsigned long lineno;	/* of the line last taken */
	bool seen_record;	/* a line has been recognised as ftrace */
	uint64_t last_ts;
	size_t bracket;		/* where the CPU column was last time */
	char *error;		/* sticky: the cause once failed */
	struct op blank;	/* op_clear()ed: copied into each op */

	struct perr perr;
	struct ev_slot evtab[EVTAB_SLOTS];
	struct gfp_slot gfpc[GFPC_SLOTS];
	char scratch[GFP_TOKEN_MAX + 1];
};

/* ---- characters ---- */

/* Hex digit values plus one (0: not a hex digit). */
static const unsigned char hex_tab[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6,
	['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

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
	if (hex_tab[(unsigned char)p[15]] != 0 &&
	    hex_tab[(unsigned char)p[16]] == 0) {
		memcpy(w, p, 16);
		hi = swar_hex8(w[0]);
		lo = swar_hex8(w[1]);
		if ((hi | lo) >= 0) {
			*out = (uint64_t)hi << 32 | (uint64_t)lo;
			*err = NUM_OK;
			return p + 16;
		}
	}
	while ((d = hex_tab[(unsigned char)*p]) != 0) {
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

/* ---- errors ---- */

static int perr_set(struct trace_ftrace *r, const char *line, const char *at,
    const char *fmt, ...) KMSIM_PRINTF(4, 5);

static int perr_set(struct trace_ftrace *r, const char *line, const char *at,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->perr.msg, sizeof r->perr.msg, fmt, ap);
	va_end(ap);
	r->perr.col = at != NULL ? (unsigned long)(at - line) + 1 : 0;
	r->perr.shape = false;
	return -1;
}

/* A value as written, for a message: up to the next space, at most 40. */
static int token_len(const char *v)
{
	int n = 0;

	while (v[n] != ' ' && v[n] != '\0' && n < 40)
		n++;
	return n;
}

/* ---- fields ---- */

/* The fields of one event line being parsed. */
struct fparse {
	struct trace_ftrace *r;
	char *line;		/* the line, for columns */
	char *base;		/* the first field */
	char *p;		/* the cursor: where the next field should be */
	char *end;		/* the line's NUL */
	const char *event;	/* its name, for messages */
	char *zap[2];		/* set to NUL once the line is parsed */
	int nzap;
};

/* The first "key" at a field boundary at or after from, or NULL. */
static char *key_search(const struct fparse *f, char *from, const char *key,
    size_t klen)
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
static char *field_search(struct fparse *f, const char *key, size_t klen)
{
	char *p = key_search(f, f->base, key, klen);

	return p != NULL ? p + klen : NULL;
}

/* The value of "key" (which ends in '=' or ' '), or NULL if absent. */
static FT_INLINE char *field(struct fparse *f, const char *key, size_t klen)
{
	char *p = f->p + (*f->p == ' ');

	if (likely(has_prefix(p, f->end, key, klen)))
		return p + klen;
	p = skip_spaces(p);
	if (has_prefix(p, f->end, key, klen))
		return p + klen;
	return field_search(f, key, klen);
}

#define FIELD(f, key) field((f), key, sizeof key - 1)

/* Step over a field we do not need, if it is at the cursor. */
static inline void skip_field(struct fparse *f, const char *key, size_t klen)
{
	char *p = skip_spaces(f->p);

	if (has_prefix(p, f->end, key, klen)) {
		p = memchr(p, ' ', (size_t)(f->end - p));
		f->p = p != NULL ? p : f->end;
	}
}

#define SKIP_FIELD(f, key) skip_field((f), key, sizeof key - 1)

static int missing(struct fparse *f, const char *key)
{
	int n = (int)strlen(key);

	if (n > 0 && (key[n - 1] == '=' || key[n - 1] == ' '))
		n--;
	return perr_set(f->r, f->line, f->end, "missing field '%.*s' in %s",
	    n, key, f->event);
}

static int bad_value(struct fparse *f, const char *key, const char *v,
    enum num_err err)
{
	int n = (int)strlen(key);

	if (n > 0 && (key[n - 1] == '=' || key[n - 1] == ' '))
		n--;
	if (err == NUM_OVERFLOW)
		return perr_set(f->r, f->line, v,
		    "value '%.*s' of '%.*s' in %s is out of range",
		    token_len(v), v, n, key, f->event);
	return perr_set(f->r, f->line, v, "bad value '%.*s' for '%.*s' in %s",
	    token_len(v), v, n, key, f->event);
}

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
#define GET_U64(f, k, b, o)	get_u64_v((f), k, FIELD(f, k), (b), (o))
#define OPT_U64(f, k, b, o)	opt_u64_v((f), k, FIELD(f, k), (b), (o))
#define GET_INT(f, k, l, h, o)	get_int_v((f), k, FIELD(f, k), l, h, (o))
#define OPT_INT(f, k, l, h, o)	opt_int_v((f), k, FIELD(f, k), l, h, (o))
#define GET_ORDER(f, k, op)	get_order_v((f), k, FIELD(f, k), (op))
#define GET_COUNT(f, k, o)	get_count_v((f), k, FIELD(f, k), (o))
#define GET_PTR(f, k, o)	get_ptr_v((f), k, FIELD(f, k), (o))
#define GET_FLAG(f, k, o)	get_flag_v((f), k, FIELD(f, k), (o))
#define OPT_FLAG(f, k, o)	opt_flag_v((f), k, FIELD(f, k), (o))
#define GET_GFP(f, k, o)	get_gfp_v((f), k, FIELD(f, k), (o))
#define OPT_GFP(f, k, o)	opt_gfp_v((f), k, FIELD(f, k), (o))
#define GET_DEV(f, k, o)	get_dev_v((f), k, FIELD(f, k), (o))

static int get_u64_v(struct fparse *f, const char *key, char *v,
    enum nbase base, uint64_t *out)
{
	enum num_err err;
	char *p;

	if (unlikely(v == NULL))
		return missing(f, key);
	p = base == B_DEC ? num_dec(v, out, &err) : base == B_HEX ?
	    num_hex(v, out, &err) : num_auto(v, out, &err);
	if (unlikely(err != NUM_OK || !at_value_end(p)))
		return bad_value(f, key, v, err != NUM_OK ? err : NUM_BAD);
	f->p = p;
	return 0;
}

static int opt_u64_v(struct fparse *f, const char *key, char *v,
    enum nbase base, uint64_t *out)
{
	if (v == NULL)
		return 0;
	return get_u64_v(f, key, v, base, out) == 0 ? 1 : -1;
}

/* A signed number in [lo, hi]. */
static int get_int_v(struct fparse *f, const char *key, char *v, int64_t lo,
    int64_t hi, int64_t *out)
{
	enum num_err err;
	char *p;

	if (unlikely(v == NULL))
		return missing(f, key);
	p = num_signed(v, out, &err);
	if (err == NUM_OK && (*out < lo || *out > hi))
		err = NUM_OVERFLOW;
	if (unlikely(err != NUM_OK || !at_value_end(p)))
		return bad_value(f, key, v, err != NUM_OK ? err : NUM_BAD);
	f->p = p;
	return 0;
}

static int opt_int_v(struct fparse *f, const char *key, char *v, int64_t lo,
    int64_t hi, int64_t *out)
{
	if (v == NULL)
		return 0;
	return get_int_v(f, key, v, lo, hi, out) == 0 ? 1 : -1;
}

static int get_order_v(struct fparse *f, const char *key, char *v,
    struct op *op)
{
	int64_t n;

	if (get_int_v(f, key, v, 0, MAX_ORDER_READ, &n) != 0)
		return -1;
	op->order = (unsigned)n;
	op->has_order = true;
	return 0;
}

/* A count printed with %ld that may be negative (nr_to_write): 0 then. */
static int get_count_v(struct fparse *f, const char *key, char *v,
    uint64_t *out)
{
	int64_t n;

	if (get_int_v(f, key, v, INT64_MIN, INT64_MAX, &n) != 0)
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
static int get_ptr_v(struct fparse *f, const char *key, char *v,
    uint64_t *out)
{
	enum num_err err;
	char *p;

	if (unlikely(v == NULL))
		return missing(f, key);
	if (unlikely(v[0] == ' '))
		v = skip_spaces(v);
	if (unlikely(v[0] == '(')) {
		if (strncmp(v, "(null)", 6) == 0 && at_value_end(v + 6))
			p = v + 6;
		else if (strncmp(v, "(nil)", 5) == 0 && at_value_end(v + 5))
			p = v + 5;
		else
			return bad_value(f, key, v, NUM_BAD);
		*out = 0;
		f->p = p;
		return 0;
	}
	p = num_hex(v, out, &err);
	if (unlikely(err != NUM_OK || !at_value_end(p)))
		return bad_value(f, key, v, err != NUM_OK ? err : NUM_BAD);
	f->p = p;
	return 0;
}

/* Is the page= of a page event NULL?  (Never an error: trace-cmd may
 * print what it could not evaluate.)  -1: absent. */
static int page_is_null(struct fparse *f)
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
static int get_flag_v(struct fparse *f, const char *key, char *v, bool *out)
{
	enum num_err err;
	uint64_t n;
	char *p;

	if (unlikely(v == NULL))
		return missing(f, key);
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
			return bad_value(f, key, v, err != NUM_OK ? err :
			    NUM_BAD);
		*out = n != 0;
	}
	f->p = p;
	return 0;
}

static int opt_flag_v(struct fparse *f, const char *key, char *v, bool *out)
{
	if (v == NULL)
		return 0;
	return get_flag_v(f, key, v, out) == 0 ? 1 : -1;
}

/* gfp flags as show_gfp_flags() prints them: names, hex or "none". */
static int get_gfp_v(struct fparse *f, const char *key, char *v, gfp_t *out)
{
	struct trace_ftrace *r = f->r;
	struct gfp_slot *slot;
	char *e, *cause = NULL;
	size_t len;

	if (unlikely(v == NULL))
		return missing(f, key);
	e = memchr(v, ' ', (size_t)(f->end - v));
	if (e == NULL)
		e = f->end;
	len = (size_t)(e - v);
	slot = NULL;
	if (len < GFPC_LEN) {
		slot = &r->gfpc[SLOT_OF(short_key(v, len), GFPC_SLOTS)];
		if (slot->len == len && memcmp(slot->s, v, len) == 0) {
			*out = slot->gfp;
			f->p = e;
			return 0;
		}
	}
	if (len == 0 || len > GFP_TOKEN_MAX)
		return bad_value(f, key, v, NUM_BAD);
	memcpy(r->scratch, v, len);
	r->scratch[len] = '\0';
	if (gfp_parse(r->scratch, out, &cause) != 0) {
		perr_set(r, f->line, v, "%s in %s", cause, f->event);
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

static int opt_gfp_v(struct fparse *f, const char *key, char *v, gfp_t *out)
{
	if (v == NULL)
		return 0;
	return get_gfp_v(f, key, v, out) == 0 ? 1 : -1;
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

static int get_dev_v(struct fparse *f, const char *key, char *v,
    uint32_t *out)
{
	enum num_err err;
	char *p;

	if (v == NULL)
		return missing(f, key);
	p = num_dev(v, out, &err);
	if (err != NUM_OK || !at_value_end(p))
		return bad_value(f, key, v, err != NUM_OK ? err : NUM_BAD);
	f->p = p;
	return 0;
}

/*
 * "bdi NAME: " of the writeback events.  NAME is the backing device's
 * name: "MAJ:MIN" for block devices, something else otherwise (e.g.
 * "(unknown)"), which is not an error: *out is then 0 and *numeric false.
 */
static int get_bdi(struct fparse *f, uint32_t *out, bool *numeric)
{
	enum num_err err;
	char *v, *colon, *p;

	v = FIELD(f, "bdi ");
	if (v == NULL)
		return missing(f, "bdi ");
	colon = v;
	for (;;) {
		colon = memchr(colon, ':', (size_t)(f->end - colon));
		if (colon == NULL)
			return perr_set(f->r, f->line, v,
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

/* ---- the events (TP_printk formats of include/trace/events/) ---- */

/*
 * kmem.h mm_page_alloc, 6.18:
 *   "page=%p pfn=0x%lx order=%d migratetype=%d gfp_flags=%s"
 * Linux 4.x: "pfn=%lu" (decimal).  A failed allocation has no page:
 * "page=(null) pfn=0" (or a zero pointer).
 */
static int ev_page_alloc(struct fparse *f, struct op *op)
{
	int64_t mt;
	uint64_t pfn;
	int null_page = page_is_null(f);

	op->type = OP_ALLOC_PAGES;
	if (GET_U64(f, "pfn=", B_AUTO, &pfn) != 0 ||
	    GET_ORDER(f, "order=", op) != 0 ||
	    GET_INT(f, "migratetype=", INT_MIN, INT_MAX, &mt) != 0 ||
	    GET_GFP(f, "gfp_flags=", &op->gfp) != 0)
		return -1;
	op->migratetype = (int)mt;
	if (null_page == 1 && pfn == 0) {
		op->flags |= OPF_FAILED;
		return 0;
	}
	op->pfn = pfn;
	op->id = pfn;
	op->has_id = true;
	return 0;
}

/*
 * kmem.h mm_page_free, 6.18: "page=%p pfn=0x%lx order=%d"
 * mm_page_free_batched, 6.18: "page=%p pfn=0x%lx order=0"
 * (Linux 4.14 and older: "page=%p pfn=%lu order=0 cold=%d").
 * Every batched free repeats an mm_page_free logged just before.
 */
static int ev_page_free(struct fparse *f, struct op *op, bool batched)
{
	uint64_t pfn;

	op->type = batched ? OP_PAGE_FREE_BATCHED : OP_FREE_PAGES;
	SKIP_FIELD(f, "page=");
	if (GET_U64(f, "pfn=", B_AUTO, &pfn) != 0 ||
	    GET_ORDER(f, "order=", op) != 0)
		return -1;
	op->pfn = pfn;
	op->id = pfn;
	op->has_id = true;
	if (batched)
		f->r->st.duplicate_frees++;
	return 0;
}

/*
 * kmem.h mm_page_alloc_zone_locked, 6.18:
 *   "page=%p pfn=0x%lx order=%u migratetype=%d percpu_refill=%d"
 * mm_page_pcpu_drain, 6.18: "page=%p pfn=0x%lx order=%d migratetype=%d"
 */
static int ev_page_mt(struct fparse *f, struct op *op, bool zone_locked)
{
	int64_t mt;
	uint64_t pfn;
	bool refill;

	op->type = zone_locked ? OP_PAGE_ALLOC_ZONE_LOCKED : OP_PAGE_PCPU_DRAIN;
	SKIP_FIELD(f, "page=");
	if (GET_U64(f, "pfn=", B_AUTO, &pfn) != 0 ||
	    GET_ORDER(f, "order=", op) != 0 ||
	    GET_INT(f, "migratetype=", INT_MIN, INT_MAX, &mt) != 0)
		return -1;
	op->pfn = pfn;
	op->migratetype = (int)mt;
	if (zone_locked) {
		if (GET_FLAG(f, "percpu_refill=", &refill) != 0)
			return -1;
		if (refill)
			op->flags |= OPF_PERCPU_REFILL;
	}
	return 0;
}

/*
 * kmem.h mm_page_alloc_extfrag, 6.18: "page=%p pfn=0x%lx alloc_order=%d
 *   fallback_order=%d pageblock_order=%d alloc_migratetype=%d
 *   fallback_migratetype=%d fragmenting=%d change_ownership=%d"
 */
static int ev_extfrag(struct fparse *f, struct op *op)
{
	static const char *const keys[4] = { "alloc_order=",
	    "fallback_order=", "alloc_migratetype=", "fallback_migratetype=" };
	int64_t v;
	uint64_t pfn;
	bool own;
	int i;

	op->type = OP_PAGE_ALLOC_EXTFRAG;
	SKIP_FIELD(f, "page=");
	if (GET_U64(f, "pfn=", B_AUTO, &pfn) != 0)
		return -1;
	op->pfn = pfn;
	for (i = 0; i < 4; i++) {
		if (get_int_v(f, keys[i], field(f, keys[i], strlen(keys[i])),
		    INT32_MIN, INT32_MAX, &v) != 0)
			return -1;
		op->aux[i] = (int32_t)v;
	}
	if (GET_FLAG(f, "change_ownership=", &own) != 0)
		return -1;
	if (own)
		op->flags |= OPF_OWNERSHIP;
	return 0;
}

/*
 * kmem.h kmalloc, 6.18: "call_site=%pS ptr=%p bytes_req=%zu
 *   bytes_alloc=%zu gfp_flags=%s node=%d accounted=%s"
 * kmem_cache_alloc, 6.18: the same with "name=%s" after ptr.
 * Linux 5.15: kmalloc and kmem_cache_alloc print neither node= nor
 * accounted= (nor name=); kmalloc_node and kmem_cache_alloc_node print
 * node=.  Linux 4.x and older: "call_site=%lx" (an address).
 */
static int ev_slab_alloc(struct fparse *f, struct op *op, bool cache)
{
	int64_t node;
	bool acct;
	char *v, *e;
	int r;

	op->type = cache ? OP_KMEM_CACHE_ALLOC : OP_KMALLOC;
	SKIP_FIELD(f, "call_site=");
	if (GET_PTR(f, "ptr=", &op->ptr) != 0)
		return -1;
	if (cache && (v = FIELD(f, "name=")) != NULL) {
		/* a cache name could hold a space: it ends at bytes_req= */
		e = key_search(f, v, "bytes_req=", 10);
		if (e == NULL || e == v)
			e = memchr(v, ' ', (size_t)(f->end - v));
		else
			e--;
		if (e == NULL)
			e = f->end;
		op->name = v;
		f->zap[f->nzap++] = e;
		f->p = e;
	}
	if (GET_U64(f, "bytes_req=", B_DEC, &op->bytes_req) != 0 ||
	    GET_U64(f, "bytes_alloc=", B_DEC, &op->bytes_alloc) != 0 ||
	    GET_GFP(f, "gfp_flags=", &op->gfp) != 0)
		return -1;
	r = OPT_INT(f, "node=", INT_MIN, INT_MAX, &node);
	if (r < 0)
		return -1;
	if (r > 0)
		op->node = (int)node;
	r = OPT_FLAG(f, "accounted=", &acct);
	if (r < 0)
		return -1;
	if (r > 0 && acct)
		op->flags |= OPF_ACCOUNTED;
	return 0;
}

/*
 * kmem.h kfree, 6.18: "call_site=%pS ptr=%p" (ptr 0: kfree(NULL))
 * kmem_cache_free, 6.18: "call_site=%pS ptr=%p name=%s" (Linux 5.15
 * prints name=, 4.14 does not; it is the last field, so the name runs to
 * the end of the line).
 */
static int ev_slab_free(struct fparse *f, struct op *op, bool cache)
{
	char *v;

	op->type = cache ? OP_KMEM_CACHE_FREE : OP_KFREE;
	SKIP_FIELD(f, "call_site=");
	if (GET_PTR(f, "ptr=", &op->ptr) != 0)
		return -1;
	if (cache && (v = FIELD(f, "name=")) != NULL) {
		op->name = v;
		f->p = f->end;
	}
	return 0;
}

/*
 * vmalloc.h alloc_vmap_area, 6.18: "va_start: %lu size=%lu align=%lu
 *   vstart=0x%lx vend=0x%lx failed=%d"  (va_start in decimal)
 */
static int ev_vmap_alloc(struct fparse *f, struct op *op)
{
	bool failed;

	op->type = OP_VMAP_ALLOC;
	if (GET_U64(f, "va_start: ", B_DEC, &op->ptr) != 0 ||
	    GET_U64(f, "size=", B_DEC, &op->bytes_req) != 0 ||
	    GET_U64(f, "align=", B_DEC, &op->align) != 0 ||
	    GET_FLAG(f, "failed=", &failed) != 0)
		return -1;
	if (failed)
		op->flags |= OPF_FAILED;
	return 0;
}

/*
 * vmalloc.h free_vmap_area_noflush, 6.18:
 *   "va_start=0x%lx nr_lazy=%lu nr_lazy_max=%lu"
 * purge_vmap_area_lazy, 6.18: "start=0x%lx end=0x%lx num_purged=%u"
 */
static int ev_vmap_free(struct fparse *f, struct op *op)
{
	op->type = OP_VMAP_FREE;
	return GET_U64(f, "va_start=", B_HEX, &op->ptr) != 0 ||
	    GET_U64(f, "nr_lazy=", B_DEC, &op->nr) != 0 ? -1 : 0;
}

static int ev_vmap_purge(struct fparse *f, struct op *op)
{
	op->type = OP_VMAP_PURGE;
	return GET_U64(f, "start=", B_HEX, &op->ptr) != 0 ||
	    GET_U64(f, "end=", B_HEX, &op->end) != 0 ||
	    GET_U64(f, "num_purged=", B_DEC, &op->nr) != 0 ? -1 : 0;
}

/*
 * percpu.h percpu_alloc_percpu, 6.18: "call_site=%pS reserved=%d
 *   is_atomic=%d size=%zu align=%zu base_addr=%p off=%d ptr=%p
 *   bytes_alloc=%zu gfp_flags=%s"
 * Linux 4.13 to 5.18: "reserved=%d is_atomic=%d size=%zu align=%zu
 *   base_addr=%p off=%d ptr=%p" (no call_site, bytes_alloc, gfp_flags).
 * percpu_free_percpu: "base_addr=%p off=%d ptr=%p"
 */
static int ev_percpu_alloc(struct fparse *f, struct op *op)
{
	bool reserved, atomic;

	op->type = OP_PERCPU_ALLOC;
	SKIP_FIELD(f, "call_site=");
	if (GET_FLAG(f, "reserved=", &reserved) != 0 ||
	    GET_FLAG(f, "is_atomic=", &atomic) != 0 ||
	    GET_U64(f, "size=", B_DEC, &op->bytes_req) != 0 ||
	    GET_U64(f, "align=", B_DEC, &op->align) != 0)
		return -1;
	SKIP_FIELD(f, "base_addr=");
	SKIP_FIELD(f, "off=");
	if (GET_PTR(f, "ptr=", &op->ptr) != 0 ||
	    OPT_U64(f, "bytes_alloc=", B_DEC, &op->bytes_alloc) < 0 ||
	    OPT_GFP(f, "gfp_flags=", &op->gfp) < 0)
		return -1;
	if (reserved)
		op->flags |= OPF_RESERVED;
	if (atomic)
		op->flags |= OPF_ATOMIC;
	return 0;
}

static int ev_percpu_free(struct fparse *f, struct op *op)
{
	op->type = OP_PERCPU_FREE;
	SKIP_FIELD(f, "base_addr=");
	SKIP_FIELD(f, "off=");
	return GET_PTR(f, "ptr=", &op->ptr);
}

/*
 * filemap.h mm_filemap_add_to_page_cache / _delete_from_page_cache, 6.18:
 *   "dev %d:%d ino %lx pfn=0x%lx ofs=%lu order=%u"  (ino in hex without
 *   0x, ofs in bytes: index << PAGE_SHIFT)
 * Linux 4.x: "dev %d:%d ino %lx page=%p pfn=%lu ofs=%lu" (no order=).
 */
static int ev_filemap(struct fparse *f, struct op *op, bool add)
{
	struct trace_ftrace *r = f->r;
	uint64_t ofs, pfn;
	int64_t order;
	int got;

	op->type = add ? OP_FILEMAP_ADD : OP_FILEMAP_DELETE;
	if (GET_DEV(f, "dev ", &op->dev) != 0 ||
	    GET_U64(f, "ino ", B_HEX, &op->ino) != 0 ||
	    GET_U64(f, "pfn=", B_AUTO, &pfn) != 0 ||
	    GET_U64(f, "ofs=", B_DEC, &ofs) != 0)
		return -1;
	op->pfn = pfn;
	op->index = ofs >> r->opt.page_shift;
	got = OPT_INT(f, "order=", 0, MAX_ORDER_READ, &order);
	if (got < 0)
		return -1;
	if (got > 0) {
		op->order = (unsigned)order;
		op->has_order = true;
	}
	return 0;
}

/*
 * writeback.h writeback_dirty_folio, 6.18, and writeback_dirty_page, its
 * name in older kernels (4.14): "bdi %s: ino=%lu index=%lu"  (ino in
 * decimal)
 */
static int ev_dirty(struct fparse *f, struct op *op)
{
	bool numeric;

	op->type = OP_DIRTY_FOLIO;
	if (get_bdi(f, &op->dev, &numeric) != 0 ||
	    GET_U64(f, "ino=", B_DEC, &op->ino) != 0 ||
	    GET_U64(f, "index=", B_DEC, &op->index) != 0)
		return -1;
	return 0;
}

/*
 * writeback.h writeback_start / writeback_written (class
 * writeback_work_class), 6.18: "bdi %s: sb_dev %d:%d nr_pages=%ld
 *   sync_mode=%d kupdate=%d range_cyclic=%d background=%d reason=%s
 *   cgroup_ino=%lu"
 * The device is the bdi's, or sb_dev's when the bdi is not MAJ:MIN.
 */
static int ev_wb_work(struct fparse *f, struct op *op, bool start)
{
	uint32_t sb_dev;
	bool numeric, sync, kupdate, background;

	op->type = start ? OP_WRITEBACK_START : OP_WRITEBACK_WRITTEN;
	if (get_bdi(f, &op->dev, &numeric) != 0 ||
	    GET_DEV(f, "sb_dev ", &sb_dev) != 0 ||
	    GET_COUNT(f, "nr_pages=", &op->nr) != 0 ||
	    GET_FLAG(f, "sync_mode=", &sync) != 0 ||
	    GET_FLAG(f, "kupdate=", &kupdate) != 0 ||
	    GET_FLAG(f, "background=", &background) != 0)
		return -1;
	if (!numeric)
		op->dev = sb_dev;
	op->flags |= (sync ? OPF_SYNC : 0) | (kupdate ? OPF_KUPDATE : 0) |
	    (background ? OPF_BACKGROUND : 0);
	/* reason= (4.x has it too); absent or unknown: other */
	{
		const char *v = FIELD(f, "reason="), *e = v;

		while (e != NULL && e < f->end && *e != ' ')
			e++;
		op->aux[0] = v == NULL ? WBR_OTHER :
		    (int32_t)wb_reason_parse(v, (size_t)(e - v));
	}
	return 0;
}

/*
 * writeback.h writeback_single_inode_start / writeback_single_inode
 * (class writeback_single_inode_template), 6.18: "bdi %s: ino=%lu
 *   state=%s dirtied_when=%lu age=%lu index=%lu to_write=%ld wrote=%lu
 *   cgroup_ino=%lu"
 */
static int ev_wb_inode(struct fparse *f, struct op *op, bool start)
{
	uint64_t wrote;
	bool numeric;

	op->type = start ? OP_WRITEBACK_INODE_START : OP_WRITEBACK_INODE;
	if (get_bdi(f, &op->dev, &numeric) != 0 ||
	    GET_U64(f, "ino=", B_DEC, &op->ino) != 0 ||
	    GET_U64(f, "index=", B_DEC, &op->index) != 0 ||
	    GET_COUNT(f, "to_write=", &op->nr) != 0 ||
	    GET_U64(f, "wrote=", B_DEC, &wrote) != 0)
		return -1;
	if (!start)
		op->nr = wrote;
	return 0;
}

/* include/trace/events/mmflags.h COMPACTION_STATUS, 6.18 values. */
static const char *const compact_status[] = {
	"not_suitable_zone", "skipped", "deferred", "no_suitable_page",
	"continue", "complete", "partial_skipped", "contended", "success",
};

/*
 * compaction.h mm_compaction_begin, 6.18: "zone_start=0x%lx
 *   migrate_pfn=0x%lx free_pfn=0x%lx zone_end=0x%lx, mode=%s"
 * mm_compaction_end: the same, then " status=%s".
 * Read as pfn = zone_start, end = zone_end, index = migrate_pfn,
 * nr = free_pfn, OPF_SYNC for mode=sync, aux[0] = the status (-1 if
 * unknown to kmsim).
 */
static int ev_compaction(struct fparse *f, struct op *op, bool end)
{
	enum num_err err;
	char *v, *p;
	size_t i, n;

	op->type = end ? OP_COMPACTION_END : OP_COMPACTION_BEGIN;
	if (GET_U64(f, "zone_start=", B_HEX, &op->pfn) != 0 ||
	    GET_U64(f, "migrate_pfn=", B_HEX, &op->index) != 0 ||
	    GET_U64(f, "free_pfn=", B_HEX, &op->nr) != 0)
		return -1;
	v = FIELD(f, "zone_end=");
	if (v == NULL)
		return missing(f, "zone_end=");
	p = num_hex(v, &op->end, &err);
	if (err != NUM_OK || (*p != ',' && !at_value_end(p)))
		return bad_value(f, "zone_end=", v, err != NUM_OK ? err :
		    NUM_BAD);
	f->p = p + (*p == ',');
	v = FIELD(f, "mode=");
	if (v == NULL)
		return missing(f, "mode=");
	if (strncmp(v, "sync", 4) == 0 && at_value_end(v + 4))
		op->flags |= OPF_SYNC;
	else if (!(strncmp(v, "async", 5) == 0 && at_value_end(v + 5)))
		return bad_value(f, "mode=", v, NUM_BAD);
	f->p = v + token_len(v);
	if (!end)
		return 0;
	v = FIELD(f, "status=");
	if (v == NULL)
		return missing(f, "status=");
	n = (size_t)token_len(v);
	op->aux[0] = -1;
	for (i = 0; i < ARRAY_SIZE(compact_status); i++)
		if (strlen(compact_status[i]) == n &&
		    memcmp(compact_status[i], v, n) == 0)
			op->aux[0] = (int32_t)i;
	return 0;
}

/*
 * compaction.h mm_compaction_kcompactd_wake (kcompactd_wake_template),
 * 6.18: "nid=%d order=%d classzone_idx=%-8s"  (aux[0]: the zone's index,
 * -1 if kmsim does not know the name)
 */
static int ev_kcompactd_wake(struct fparse *f, struct op *op)
{
	int64_t nid;
	char *v, name[16];
	int n;

	op->type = OP_KCOMPACTD_WAKE;
	if (GET_INT(f, "nid=", -1, INT_MAX, &nid) != 0 ||
	    GET_ORDER(f, "order=", op) != 0)
		return -1;
	op->node = (int)nid;
	op->aux[0] = -1;
	v = FIELD(f, "classzone_idx=");
	if (v != NULL && (n = token_len(v)) < (int)sizeof name) {
		memcpy(name, v, (size_t)n);
		name[n] = '\0';
		op->aux[0] = zone_type_parse(name);
	}
	return 0;
}

/*
 * vmscan.h mm_vmscan_kswapd_wake, 6.18: "nid=%d order=%d"
 *   (Linux 4.x: "nid=%d zid=%d order=%d")
 * mm_vmscan_kswapd_sleep: "nid=%d"
 * mm_vmscan_wakeup_kswapd, 6.18: "nid=%d order=%d gfp_flags=%s"
 *   (Linux 4.x: "nid=%d zid=%d order=%d", gfp_flags= added later)
 */
static int ev_kswapd(struct fparse *f, struct op *op, enum op_type type)
{
	int64_t nid;

	op->type = type;
	if (GET_INT(f, "nid=", -1, INT_MAX, &nid) != 0)
		return -1;
	op->node = (int)nid;
	if (type == OP_KSWAPD_SLEEP)
		return 0;
	if (GET_ORDER(f, "order=", op) != 0)
		return -1;
	if (type == OP_WAKEUP_KSWAPD && OPT_GFP(f, "gfp_flags=", &op->gfp) < 0)
		return -1;
	return 0;
}

/*
 * vmscan.h mm_vmscan_direct_reclaim_begin, 6.18: "order=%d gfp_flags=%s"
 *   (Linux 4.x: "order=%d may_writepage=%d gfp_flags=%s classzone_idx=%d")
 * mm_vmscan_direct_reclaim_end: "nr_reclaimed=%lu"
 */
static int ev_reclaim(struct fparse *f, struct op *op, bool begin)
{
	if (!begin) {
		op->type = OP_DIRECT_RECLAIM_END;
		return GET_U64(f, "nr_reclaimed=", B_DEC, &op->nr);
	}
	op->type = OP_DIRECT_RECLAIM_BEGIN;
	return GET_ORDER(f, "order=", op) != 0 ||
	    GET_GFP(f, "gfp_flags=", &op->gfp) != 0 ? -1 : 0;
}

/* Run the parser of an event kind: 0 with *op filled, -1 malformed. */
static int parse_event(struct fparse *f, enum ev_kind kind, struct op *op)
{
	switch (kind) {
	case EV_PAGE_ALLOC:
		return ev_page_alloc(f, op);
	case EV_PAGE_FREE:
		return ev_page_free(f, op, false);
	case EV_PAGE_FREE_BATCHED:
		return ev_page_free(f, op, true);
	case EV_ZONE_LOCKED:
		return ev_page_mt(f, op, true);
	case EV_PCPU_DRAIN:
		return ev_page_mt(f, op, false);
	case EV_EXTFRAG:
		return ev_extfrag(f, op);
	case EV_KMALLOC:
	case EV_KMALLOC_NODE:
		return ev_slab_alloc(f, op, false);
	case EV_CACHE_ALLOC:
	case EV_CACHE_ALLOC_NODE:
		return ev_slab_alloc(f, op, true);
	case EV_KFREE:
		return ev_slab_free(f, op, false);
	case EV_CACHE_FREE:
		return ev_slab_free(f, op, true);
	case EV_VMAP_ALLOC:
		return ev_vmap_alloc(f, op);
	case EV_VMAP_FREE:
		return ev_vmap_free(f, op);
	case EV_VMAP_PURGE:
		return ev_vmap_purge(f, op);
	case EV_PERCPU_ALLOC:
		return ev_percpu_alloc(f, op);
	case EV_PERCPU_FREE:
		return ev_percpu_free(f, op);
	case EV_FILEMAP_ADD:
		return ev_filemap(f, op, true);
	case EV_FILEMAP_DELETE:
		return ev_filemap(f, op, false);
	case EV_DIRTY_FOLIO:
	case EV_DIRTY_PAGE:
		return ev_dirty(f, op);
	case EV_WB_START:
		return ev_wb_work(f, op, true);
	case EV_WB_WRITTEN:
		return ev_wb_work(f, op, false);
	case EV_WB_INODE_START:
		return ev_wb_inode(f, op, true);
	case EV_WB_INODE:
		return ev_wb_inode(f, op, false);
	case EV_COMPACTION_BEGIN:
		return ev_compaction(f, op, false);
	case EV_COMPACTION_END:
		return ev_compaction(f, op, true);
	case EV_KCOMPACTD_WAKE:
		return ev_kcompactd_wake(f, op);
	case EV_KSWAPD_WAKE:
		return ev_kswapd(f, op, OP_KSWAPD_WAKE);
	case EV_KSWAPD_SLEEP:
		return ev_kswapd(f, op, OP_KSWAPD_SLEEP);
	case EV_WAKEUP_KSWAPD:
		return ev_kswapd(f, op, OP_WAKEUP_KSWAPD);
	case EV_RECLAIM_BEGIN:
		return ev_reclaim(f, op, true);
	case EV_RECLAIM_END:
		return ev_reclaim(f, op, false);
	case EV_MARK:
	case EV_PRINT:
	case EV_NR:
		break;
	}
	return -1;
}

/* ---- the event table ---- */

static void evtab_init(struct trace_ftrace *r)
{
	struct ev_slot *s;
	size_t len, i;
	int k;

	for (k = 0; k < EV_NR; k++) {
		len = strlen(ev_names[k]);
		i = SLOT_OF(short_key(ev_names[k], len), EVTAB_SLOTS);
		while (r->evtab[i].name != NULL)
			i = (i + 1) & (EVTAB_SLOTS - 1);
		s = &r->evtab[i];
		s->name = ev_names[k];
		s->len = (uint32_t)len;
		s->kind = (uint32_t)k;
		if (len >= 8) {
			memcpy(&s->first, s->name, 8);
			memcpy(&s->last, s->name + len - 8, 8);
		}
	}
}

/* The kind of the event named s[0..n), or -1. */
static inline int evtab_find(const struct trace_ftrace *r, const char *s,
    size_t n)
{
	size_t i = SLOT_OF(short_key(s, n), EVTAB_SLOTS);
	const struct ev_slot *e;

	uint64_t a, b, x, y;
	size_t j;

	for (;;) {
		e = &r->evtab[i];
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

/* Where the event's name starts, and the context columns before it. */
struct context {
	int cpu;
	uint64_t ts_ns;
	char *rest;		/* just after "TIMESTAMP:" */
};

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
static int parse_context(struct trace_ftrace *r, char *line, char *p,
    char *end, struct context *c)
{
	uint64_t secs, frac = 0, cpu, w = 0;
	enum num_err err;
	char *q = p, *t;
	size_t nd = 0;

	/* the column is where it was on the line before, mostly */
	q = line + r->bracket;
	if (r->bracket < (size_t)(end - line) && *q == '[' &&
	    cpu_column_at(p, q) && is_digit(q[1]))
		goto found;
	q = p;
	for (;;) {
		q = memchr(q, '[', (size_t)(end - q));
		if (q == NULL) {
			perr_set(r, line, NULL, "not an ftrace event line");
			r->perr.shape = true;
			return -1;
		}
		if (cpu_column_at(p, q) && is_digit(q[1]))
			break;
		q++;
	}
	r->bracket = (size_t)(q - line);
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
		perr_set(r, line, q + 1, "bad CPU number");
		r->perr.shape = true;
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
		perr_set(r, line, q, "missing timestamp");
		r->perr.shape = true;
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
		perr_set(r, line, q, err == NUM_OVERFLOW ?
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
static int parse_lost(struct trace_ftrace *r, char *p)
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
	r->st.lost_markers++;
	r->st.lost_events += n;
	return 1;
}

/* A '#' line of the tracefs header, or a buffer-start annotation. */
static void parse_comment(struct trace_ftrace *r, char *p)
{
	static const char entries[] = "# entries-in-buffer/entries-written:";
	enum num_err err;
	uint64_t a, b;

	if (strncmp(p, "##### CPU ", 10) == 0) {
		r->st.buffer_starts++;
		r->seen_record = true;
	} else if (strncmp(p, "# tracer:", 9) == 0) {
		r->seen_record = true;
	} else if (strncmp(p, entries, sizeof entries - 1) == 0) {
		p = skip_spaces(p + sizeof entries - 1);
		p = num_dec(p, &a, &err);
		if (err != NUM_OK || *p != '/')
			return;
		num_dec(p + 1, &b, &err);
		if (err != NUM_OK)
			return;
		r->st.entries_in_buffer = a;
		r->st.entries_written = b;
		r->seen_record = true;
	}
}

/* trace-cmd report's own lines: "cpus=2", "version = 6", "CPU 0 is
 * empty".  1 if the line is one. */
static int parse_tracecmd_header(char *p)
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

/* The text of a marker: what was written to trace_marker. */
static int parse_marker(char *fields, struct op *op)
{
	op->type = OP_MARKER;
	op->text = fields;
	return 1;
}

/*
 * One line, NUL-terminated at s[n]: 1 with *op filled, 0 if it holds no
 * op (a header, an event kmsim skips, a LOST marker), -1 if malformed.
 */
static int parse_line(struct trace_ftrace *r, char *s, size_t n,
    struct op *op)
{
	struct context c;
	struct fparse f;
	char *p, *name, *end;
	int kind, i;

	while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' ' ||
	    s[n - 1] == '\t'))
		n--;
	if (n == 0)
		return 0;
	s[n] = '\0';
	end = s + n;
	/* the kernel's own lines start in the first column */
	if (unlikely(*s == '#')) {
		parse_comment(r, s);
		return 0;
	}
	if (unlikely(*s == 'C' || *s == 'c' || *s == 'v')) {
		if ((strncmp(s, "CPU:", 4) == 0 && parse_lost(r, s)) ||
		    parse_tracecmd_header(s)) {
			r->seen_record = true;
			return 0;
		}
	}
	if (unlikely(parse_context(r, s, s, end, &c) != 0)) {
		p = skip_spaces(s);
		if (*p == '#') {		/* indented, by a copy */
			parse_comment(r, p);
			return 0;
		}
		return -1;
	}
	r->seen_record = true;
	if (c.ts_ns < r->last_ts)
		r->st.ts_backwards++;
	r->last_ts = c.ts_ns;

	/* the event's name, then ':' */
	if (*c.rest != ' ')
		return perr_set(r, s, c.rest, *c.rest == '\0' ?
		    "truncated line: no event after the timestamp" :
		    "no space after the timestamp");
	name = skip_spaces(c.rest);
	p = memchr(name, ':', KMSIM_MIN((size_t)(end - name), (size_t)64));
	if (p == NULL) {
		if (*name == '\0' || memchr(name, ' ',
		    (size_t)(end - name)) == NULL)
			return perr_set(r, s, name, *name == '\0' ?
			    "truncated line: no event after the timestamp" :
			    "truncated line: no ':' after the event name");
		/* not an event: the function tracer's "func <-parent" etc. */
		r->st.unknown_events++;
		return 0;
	}
	kind = p > name ? evtab_find(r, name, (size_t)(p - name)) : -1;
	if (kind < 0) {
		r->st.unknown_events++;
		return 0;
	}
	*op = r->blank;			/* op_clear(), the fast way */
	op->ts_ns = c.ts_ns;
	op->cpu = c.cpu;
	op->pos.file = r->ts.path;
	op->pos.line = r->lineno;
	op->pos.col = 0;

	if (kind == EV_MARK) {
		/* "%ps: %s": exactly one space before the text */
		p++;
		return parse_marker(p + (*p == ' '), op);
	}
	p = skip_spaces(p + 1);
	if (kind == EV_PRINT) {
		/* trace-cmd: "print: tracing_mark_write: TEXT" */
		static const char mark[] = "tracing_mark_write:";

		if (strncmp(p, mark, sizeof mark - 1) != 0) {
			r->st.unknown_events++;
			return 0;
		}
		p += sizeof mark - 1;
		return parse_marker(p + (*p == ' '), op);
	}
	if (*p == '(') {
		/* trace-cmd's kmem plugin prints "(caller+off) " first */
		char *q = memchr(p, ')', (size_t)(end - p));

		if (q != NULL)
			p = skip_spaces(q + 1);
	}
	f.r = r;
	f.line = s;
	f.base = p;
	f.p = p;
	f.end = end;
	f.event = ev_names[kind];
	f.nzap = 0;
	if (parse_event(&f, (enum ev_kind)kind, op) != 0)
		return -1;
	for (i = 0; i < f.nzap; i++)
		*f.zap[i] = '\0';
	return 1;
}

/* ---- reading lines ---- */

/* Read more into the buffer; 1, 0 at the end, -1 on a read error. */
static int refill(struct trace_ftrace *r, char **cause)
{
	size_t keep = r->len - r->pos;
	ssize_t got;
	char *z;

	if (r->pos > 0) {
		memmove(r->buf, r->buf + r->pos, keep);
		if (r->nul != NUL_NONE)
			r->nul -= r->pos;
		r->len = keep;
		r->pos = 0;
	}
	got = instream_read(r->in, r->buf + r->len,
	    KMSIM_MIN((size_t)FTRACE_CHUNK, FTRACE_BUFSZ - r->len));
	if (got < 0)
		return kmsim_fail(cause, "%s: %s", r->ts.path,
		    instream_strerror(r->in));
	r->ts.bytes_done = r->in->bytes_raw;
	if (got == 0) {
		r->eof = true;
		return 0;
	}
	if (r->nul == NUL_NONE) {
		z = memchr(r->buf + r->len, '\0', (size_t)got);
		if (z != NULL)
			r->nul = (size_t)(z - r->buf);
	}
	r->len += (size_t)got;
	return 1;
}

/* Look for the next NUL byte after the line just taken. */
static void nul_rescan(struct trace_ftrace *r)
{
	char *z = memchr(r->buf + r->pos, '\0', r->len - r->pos);

	r->nul = z != NULL ? (size_t)(z - r->buf) : NUL_NONE;
}

/*
 * The next line, NUL-terminated in place: 1 (*sp, *np), 0 at the end,
 * -1 on error (a read error, or a line too long when not lenient).
 */
static int next_line(struct trace_ftrace *r, char **sp, size_t *np,
    char **cause)
{
	struct srcpos pos;
	bool skipping = false;
	size_t avail;
	char *s, *nl;

	for (;;) {
		s = r->buf + r->pos;
		avail = r->len - r->pos;
		nl = memchr(s, '\n', skipping ? avail :
		    KMSIM_MIN(avail, (size_t)FTRACE_LINE_MAX + 1));
		if (nl != NULL) {
			r->pos = (size_t)(nl + 1 - r->buf);
			if (!skipping)
				break;
			/* the end of a line too long, skipped */
			skipping = false;
			if (r->nul != NUL_NONE && r->nul < r->pos)
				nul_rescan(r);
			continue;
		}
		if (!skipping && avail > FTRACE_LINE_MAX) {
			r->lineno++;
			r->st.lines++;
			if (!r->opt.lenient) {
				pos.file = r->ts.path;
				pos.line = r->lineno;
				pos.col = 0;
				return kmsim_fail_at(cause, &pos,
				    "line longer than %d bytes",
				    FTRACE_LINE_MAX);
			}
			r->st.malformed++;
			skipping = true;
			continue;	/* its end may be in the buffer */
		}
		if (skipping) {
			r->pos = r->len;	/* no end in it: drop it all */
			r->nul = NUL_NONE;
			if (r->eof)
				return 0;
		} else if (r->eof) {
			if (avail == 0)
				return 0;
			nl = r->buf + r->len;	/* no newline at the end */
			r->pos = r->len;
			break;
		}
		if (refill(r, cause) < 0)
			return -1;
	}
	*nl = '\0';
	r->lineno++;
	*sp = s;
	*np = (size_t)(nl - s);
	return 1;
}

/* ---- the trace_source ---- */

static int ftrace_fail(struct trace_ftrace *r, char *msg, char **cause)
{
	r->error = msg;
	if (cause != NULL)
		*cause = xstrdup(msg);
	return -1;
}

static int trace_ftrace_next(struct trace_source *ts, struct op *op,
    char **cause)
{
	struct trace_ftrace *r = container_of(ts, struct trace_ftrace, ts);
	struct srcpos pos;
	char *s = NULL, *err = NULL;
	size_t n = 0, off;
	int rc;

	if (r->error != NULL) {
		if (cause != NULL)
			*cause = xstrdup(r->error);
		return -1;
	}
	for (;;) {
		rc = next_line(r, &s, &n, &err);
		if (rc == 0)
			return 0;
		if (rc < 0)
			return ftrace_fail(r, err, cause);
		r->st.lines++;
		off = (size_t)(s - r->buf);
		if (unlikely(r->nul != NUL_NONE && r->nul < off + n)) {
			/* a NUL byte: binary data, or a corrupt line */
			perr_set(r, s, r->buf + r->nul, r->seen_record ?
			    "NUL byte in the line" :
			    "binary data, not ftrace text");
			r->perr.shape = true;
			nul_rescan(r);
			rc = -1;
		} else {
			rc = parse_line(r, s, n, op);
		}
		if (likely(rc > 0)) {
			r->st.events++;
			return 1;
		}
		if (rc == 0)
			continue;
		/* malformed: skipped with lenient, unless the very first
		 * line that is not a comment already is not ftrace at all */
		if (r->opt.lenient && (r->seen_record || !r->perr.shape)) {
			r->st.malformed++;
			continue;
		}
		pos.file = r->ts.path;
		pos.line = r->lineno;
		pos.col = r->perr.col;
		return ftrace_fail(r, kmsim_cause_at(&pos, "%s", r->perr.msg),
		    cause);
	}
}

static void trace_ftrace_destroy(struct trace_source *ts)
{
	struct trace_ftrace *r;

	if (ts == NULL)
		return;
	r = container_of(ts, struct trace_ftrace, ts);
	instream_close(r->in);
	free(r->buf);
	free(r->error);
	free(r->ts.path);
	free(r);
}

static void trace_ftrace_digest(struct trace_source *ts, char hex[65])
{
	struct trace_ftrace *r = container_of(ts, struct trace_ftrace, ts);

	instream_digest(r->in, hex);
}

static const struct trace_stats *trace_ftrace_stats(struct trace_source *ts)
{
	struct trace_ftrace *r = container_of(ts, struct trace_ftrace, ts);

	return &r->st;
}

static const struct trace_source_ops trace_ftrace_ops = {
	.next = trace_ftrace_next,
	.destroy = trace_ftrace_destroy,
	.digest = trace_ftrace_digest,
	.stats = trace_ftrace_stats,
};

struct trace_source *trace_ftrace_open_stream(struct instream *in,
    const struct trace_options *opt, char **cause)
{
	struct trace_ftrace *r;

	(void)cause;
	r = xcalloc(1, sizeof *r);
	r->ts.ops = &trace_ftrace_ops;
	r->ts.format = "ftrace-text";
	r->ts.captured = true;
	r->ts.path = xstrdup(in->is_stdin ? "<stdin>" : in->path);
	r->ts.bytes_total = in->bytes_total;
	r->in = in;
	if (opt != NULL)
		r->opt = *opt;
	if (r->opt.page_shift == 0)
		r->opt.page_shift = 12;
	/* word loads may read a little past a line's NUL: keep them inside */
	r->buf = xcalloc(1, FTRACE_BUFSZ + FTRACE_PAD);
	r->nul = NUL_NONE;
	op_clear(&r->blank);
	evtab_init(r);
	return &r->ts;
}

struct trace_source *trace_ftrace_open(const char *path,
    const struct trace_options *opt, char **cause)
{
	struct instream *in;

	in = instream_open(path, cause);
	if (in == NULL)
		return NULL;
	return trace_ftrace_open_stream(in, opt, cause);
}

/*
 * Does this look like ftrace text?  The first line that is not blank and
 * not a '#' comment decides (a '#' line decides only if it is the tracefs
 * header): an event line, a LOST marker or a trace-cmd report header.
 */
bool trace_ftrace_sniff(const void *data, size_t len)
{
	const char *buf = data, *end = buf + len, *nl;
	struct trace_ftrace *r;
	struct context c;
	char line[512], *p;
	size_t n;
	bool yes = false;
	int lines;

	r = xcalloc(1, sizeof *r);	/* parse_context() reports into it */
	for (lines = 0; buf < end && lines < 64; lines++, buf = nl + 1) {
		nl = memchr(buf, '\n', (size_t)(end - buf));
		if (nl == NULL)
			nl = end;
		n = KMSIM_MIN((size_t)(nl - buf), sizeof line - 1);
		if (memchr(buf, '\0', n) != NULL)
			break;
		memcpy(line, buf, n);
		while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' ' ||
		    line[n - 1] == '\t'))
			n--;
		line[n] = '\0';
		p = skip_spaces(line);
		if (*p == '\0')
			continue;
		if (*p == '#') {
			parse_comment(r, p);
			if (r->seen_record) {
				yes = true;
				break;
			}
			continue;
		}
		yes = (strncmp(p, "CPU:", 4) == 0 && parse_lost(r, p)) ||
		    parse_tracecmd_header(p) ||
		    parse_context(r, line, p, line + n, &c) == 0;
		break;
	}
	free(r);
	return yes;
}
