/*
 * kmsim - a discrete-event simulator of the Linux kernel memory subsystem.
 *
 * Common definitions shared by every module.
 *
 * Ownership rule (stated once, applies everywhere): a pointer argument is
 * borrowed for the duration of the call unless the function's name says it
 * takes it (`_take`, `_adopt`) or its comment says so.  A function that
 * returns a heap object documents the matching destroy function; destroy
 * functions accept NULL.  Error messages are returned through `char **cause`:
 * on failure the callee stores a malloc'd string the caller frees.
 *
 * Error kinds:
 *   1. a bug in kmsim: assert(), and the per-allocator invariant checkers;
 *   2. host memory exhausted: the xmalloc family prints and exits;
 *   3. bad input: return -1 with *cause = "FILE:LINE:COL: what is wrong";
 *   4. a failure inside the model (a simulated allocation failing) is data.
 */
#ifndef KMSIM_KMSIM_H
#define KMSIM_KMSIM_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KMSIM_NAME "kmsim"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))
#define KMSIM_MIN(a, b) ((a) < (b) ? (a) : (b))
#define KMSIM_MAX(a, b) ((a) > (b) ? (a) : (b))

#if defined(__GNUC__)
#define KMSIM_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define KMSIM_NORETURN __attribute__((noreturn))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#else
#define KMSIM_PRINTF(f, a)
#define KMSIM_NORETURN
#define likely(x) (x)
#define unlikely(x) (x)
#endif

/* A position in an input file, 1-based as printed in messages. */
struct srcpos {
	const char *file;	/* borrowed; lives as long as the reader */
	unsigned long line;
	unsigned long col;
};

/* util.c: memory (error kind 2: report and exit). */
void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
int xasprintf(char **ret, const char *fmt, ...) KMSIM_PRINTF(2, 3);
int xvasprintf(char **ret, const char *fmt, va_list ap) KMSIM_PRINTF(2, 0);

/* util.c: build a cause "FILE:LINE:COL: message" (col 0 omits the column). */
char *kmsim_cause_at(const struct srcpos *pos, const char *fmt, ...)
	KMSIM_PRINTF(2, 3);
/* Set *cause (if cause is not NULL) to a formatted message; returns -1. */
int kmsim_fail(char **cause, const char *fmt, ...) KMSIM_PRINTF(2, 3);
int kmsim_fail_at(char **cause, const struct srcpos *pos, const char *fmt, ...)
	KMSIM_PRINTF(3, 4);

/*
 * util.c: parse a byte size: a decimal number with an optional binary
 * suffix K, M, G, T, P (KiB ... PiB; "KiB", "KB", "k" are accepted too),
 * e.g. "4K", "16GiB", "512".  Rejects overflow, negatives and junk.
 * Returns 0 or -1 with *cause set (no position; the caller adds it).
 */
int kmsim_parse_size(const char *s, uint64_t *out, char **cause);
/* Parse an unsigned integer (decimal, or 0x hex); returns 0 or -1. */
int kmsim_parse_u64(const char *s, uint64_t *out, char **cause);
/*
 * A list of numbers as the kernel prints one (lib/bitmap.c:
 * bitmap_parselist()): "0-3,8,10-11", blanks around each number.  Calls
 * range(arg, a, b) for each range as it is read (b = a for a lone number),
 * so errors come in the order of the text; a number past `sat` stops
 * growing (the callback then refuses it).  Returns KMSIM_LIST_OK,
 * _FAILED (range() returned non-zero), _REVERSED (a range *a-*b with
 * *b < *a) or _JUNK (not a list; an empty one neither).
 */
enum kmsim_list_status {
	KMSIM_LIST_OK,
	KMSIM_LIST_FAILED,
	KMSIM_LIST_REVERSED,
	KMSIM_LIST_JUNK
};
enum kmsim_list_status kmsim_parse_list(const char *s, uint64_t sat,
    int (*range)(void *arg, uint64_t a, uint64_t b), void *arg,
    uint64_t *a, uint64_t *b);
/* A node list ("0-1,3"), nodes 0..63, into a bit mask; an empty list is
 * an error. */
int kmsim_parse_nodelist(const char *s, uint64_t *mask, char **cause);
int kmsim_parse_i64(const char *s, int64_t *out, char **cause);
/* Format a byte count as "16 GiB" / "4 KiB" / "123 B" into buf. */
const char *kmsim_fmt_size(uint64_t bytes, char *buf, size_t len);

/* util.c: 64-bit FNV-1a, and a finaliser that spreads integer keys. */
uint64_t kmsim_hash_bytes(const void *data, size_t len);
static inline uint64_t kmsim_hash_u64(uint64_t x)
{
	/* splitmix64's finaliser */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static inline unsigned kmsim_ilog2(uint64_t x)
{
	return x ? 63u - (unsigned)__builtin_clzll(x) : 0;
}
static inline bool kmsim_is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

#endif /* KMSIM_KMSIM_H */
