/* util.c - memory, messages, number parsing and hashing helpers. */

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmsim.h"

static KMSIM_NORETURN void out_of_memory(size_t size)
{
	fprintf(stderr, "%s: out of memory allocating %zu bytes\n", KMSIM_NAME,
	    size);
	exit(3);
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		out_of_memory(size);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (p == NULL)
		out_of_memory(nmemb * size);
	return p;
}

void *xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	size_t bytes;
	void *p;

	if (size != 0 && nmemb > SIZE_MAX / size)
		out_of_memory(SIZE_MAX);
	bytes = nmemb * size;
	p = realloc(ptr, bytes != 0 ? bytes : 1);
	if (p == NULL)
		out_of_memory(bytes);
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

int xvasprintf(char **ret, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0) {
		*ret = xstrdup("(unformattable message)");
		return (int)strlen(*ret);
	}
	*ret = xmalloc((size_t)n + 1);
	vsnprintf(*ret, (size_t)n + 1, fmt, ap);
	return n;
}

int xasprintf(char **ret, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = xvasprintf(ret, fmt, ap);
	va_end(ap);
	return n;
}

static char *cause_vat(const struct srcpos *pos, const char *fmt, va_list ap)
{
	char *msg, *out;

	xvasprintf(&msg, fmt, ap);
	if (pos == NULL || pos->file == NULL)
		return msg;
	if (pos->line == 0)
		xasprintf(&out, "%s: %s", pos->file, msg);
	else if (pos->col == 0)
		xasprintf(&out, "%s:%lu: %s", pos->file, pos->line, msg);
	else
		xasprintf(&out, "%s:%lu:%lu: %s", pos->file, pos->line,
		    pos->col, msg);
	free(msg);
	return out;
}

char *kmsim_cause_at(const struct srcpos *pos, const char *fmt, ...)
{
	va_list ap;
	char *out;

	va_start(ap, fmt);
	out = cause_vat(pos, fmt, ap);
	va_end(ap);
	return out;
}

int kmsim_fail(char **cause, const char *fmt, ...)
{
	va_list ap;

	if (cause != NULL) {
		va_start(ap, fmt);
		xvasprintf(cause, fmt, ap);
		va_end(ap);
	}
	return -1;
}

int kmsim_fail_at(char **cause, const struct srcpos *pos, const char *fmt, ...)
{
	va_list ap;

	if (cause != NULL) {
		va_start(ap, fmt);
		*cause = cause_vat(pos, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* One decimal number of a list; *p is left after it.  -1 if none. */
static int list_number(const char **p, uint64_t sat, uint64_t *out)
{
	uint64_t v = 0;

	while (**p == ' ' || **p == '\t')
		(*p)++;
	if (**p < '0' || **p > '9')
		return -1;
	for (; **p >= '0' && **p <= '9'; (*p)++)
		if (v <= sat)	/* saturate; the caller refuses it */
			v = v * 10 + (uint64_t)(**p - '0');
	while (**p == ' ' || **p == '\t')
		(*p)++;
	*out = v;
	return 0;
}

enum kmsim_list_status kmsim_parse_list(const char *s, uint64_t sat,
    int (*range)(void *arg, uint64_t a, uint64_t b), void *arg,
    uint64_t *a, uint64_t *b)
{
	const char *p = s;

	for (;;) {
		if (list_number(&p, sat, a) != 0)
			break;
		*b = *a;
		if (*p == '-') {
			p++;
			if (list_number(&p, sat, b) != 0)
				break;
			if (*b < *a)
				return KMSIM_LIST_REVERSED;
		}
		if (range(arg, *a, *b) != 0)
			return KMSIM_LIST_FAILED;
		if (*p == '\0')
			return KMSIM_LIST_OK;
		if (*p++ != ',')
			break;
	}
	return KMSIM_LIST_JUNK;
}

struct nodelist {
	uint64_t *mask;
	char **cause;
};

static int nodelist_range(void *arg, uint64_t a, uint64_t b)
{
	struct nodelist *nl = arg;
	uint64_t n;

	if (b > 63)
		return kmsim_fail(nl->cause, "node %" PRIu64 " is out of"
		    " range 0..63", b);
	for (n = a; n <= b; n++)
		*nl->mask |= UINT64_C(1) << n;
	return 0;
}

int kmsim_parse_nodelist(const char *s, uint64_t *mask, char **cause)
{
	struct nodelist nl = { mask, cause };
	uint64_t a, b;

	*mask = 0;
	switch (kmsim_parse_list(s, 999, nodelist_range, &nl, &a, &b)) {
	case KMSIM_LIST_OK:
		return 0;
	case KMSIM_LIST_FAILED:
		return -1;
	case KMSIM_LIST_REVERSED:
		return kmsim_fail(cause, "node range '%" PRIu64 "-%" PRIu64
		    "' is reversed", a, b);
	default:
		return kmsim_fail(cause, "'%s' is not a node list (like "
		    "0-1,3)", s);
	}
}

int kmsim_parse_u64(const char *s, uint64_t *out, char **cause)
{
	const char *p = s;
	uint64_t v = 0;
	unsigned base = 10, d;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '+')
		p++;
	if (*p == '-')
		return kmsim_fail(cause, "'%s' is negative", s);
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (!isxdigit((unsigned char)*p))
		return kmsim_fail(cause, "'%s' is not a number", s);
	for (; *p != '\0'; p++) {
		if (*p == '_')
			continue;	/* 1_000_000 */
		if (isdigit((unsigned char)*p))
			d = (unsigned)(*p - '0');
		else if (base == 16 && isxdigit((unsigned char)*p))
			d = (unsigned)(tolower((unsigned char)*p) - 'a' + 10);
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			return kmsim_fail(cause, "'%s' is too large", s);
		v = v * base + d;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p != '\0')
		return kmsim_fail(cause, "'%s' is not a number", s);
	*out = v;
	return 0;
}

int kmsim_parse_i64(const char *s, int64_t *out, char **cause)
{
	const char *p = s;
	uint64_t v;
	bool neg = false;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '-') {
		neg = true;
		p++;
	}
	if (*p == '-' || *p == '+')
		return kmsim_fail(cause, "'%s' is not a number", s);
	if (kmsim_parse_u64(p, &v, NULL) != 0)
		return kmsim_fail(cause, "'%s' is not a number", s);
	if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX)
		return kmsim_fail(cause, "'%s' is out of range", s);
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

int kmsim_parse_size(const char *s, uint64_t *out, char **cause)
{
	static const struct {
		const char *suffix;
		unsigned shift;
	} suffixes[] = {
		{ "", 0 }, { "B", 0 },
		{ "K", 10 }, { "KB", 10 }, { "KIB", 10 },
		{ "M", 20 }, { "MB", 20 }, { "MIB", 20 },
		{ "G", 30 }, { "GB", 30 }, { "GIB", 30 },
		{ "T", 40 }, { "TB", 40 }, { "TIB", 40 },
		{ "P", 50 }, { "PB", 50 }, { "PIB", 50 },
	};
	const char *p = s;
	char suffix[8];
	uint64_t v = 0;
	size_t i, n = 0;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '-')
		return kmsim_fail(cause, "size '%s' is negative", s);
	if (!isdigit((unsigned char)*p))
		return kmsim_fail(cause, "'%s' is not a size", s);
	for (; isdigit((unsigned char)*p) || *p == '_'; p++) {
		if (*p == '_')
			continue;
		if (v > (UINT64_MAX - (unsigned)(*p - '0')) / 10)
			return kmsim_fail(cause, "size '%s' is too large", s);
		v = v * 10 + (unsigned)(*p - '0');
	}
	while (isspace((unsigned char)*p))
		p++;
	while (*p != '\0' && !isspace((unsigned char)*p)) {
		if (n + 1 >= sizeof suffix)
			return kmsim_fail(cause, "'%s' is not a size", s);
		suffix[n++] = (char)toupper((unsigned char)*p++);
	}
	suffix[n] = '\0';
	while (isspace((unsigned char)*p))
		p++;
	if (*p != '\0')
		return kmsim_fail(cause, "'%s' is not a size", s);
	for (i = 0; i < ARRAY_SIZE(suffixes); i++) {
		if (strcmp(suffix, suffixes[i].suffix) != 0)
			continue;
		if (suffixes[i].shift != 0 &&
		    v > (UINT64_MAX >> suffixes[i].shift))
			return kmsim_fail(cause, "size '%s' is too large", s);
		*out = v << suffixes[i].shift;
		return 0;
	}
	return kmsim_fail(cause, "'%s' has an unknown size suffix", s);
}

const char *kmsim_fmt_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	unsigned u = 0;

	while (u + 1 < ARRAY_SIZE(units) && bytes >= 1024 && bytes % 1024 == 0) {
		bytes /= 1024;
		u++;
	}
	snprintf(buf, len, "%" PRIu64 " %s", bytes, units[u]);
	return buf;
}

uint64_t kmsim_hash_bytes(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}
