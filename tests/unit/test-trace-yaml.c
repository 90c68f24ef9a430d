/* test-trace-yaml.c - the YAML trace reader: ops, repeats, ${}, errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "idtab.h"
#include "sha256.h"
#include "tap.h"
#include "trace/trace.h"

#define NAME "t.yaml"

/* Every op of a trace, with the labels copied. */
struct oplist {
	struct op *ops;
	char **labels;
	size_t n;
	int rc;			/* 0: read to the end; -1: failed */
	char *cause;		/* open's or next()'s */
};

static void oplist_read(struct oplist *l, const char *text)
{
	struct trace_source *ts;
	struct op op;
	size_t cap = 0;
	int r;

	memset(l, 0, sizeof *l);
	ts = trace_yaml_open_string(NAME, text, &l->cause);
	if (ts == NULL) {
		l->rc = -1;
		return;
	}
	while ((r = trace_next(ts, &op, &l->cause)) == 1) {
		if (l->n == cap) {
			cap = cap ? cap * 2 : 16;
			l->ops = realloc(l->ops, cap * sizeof *l->ops);
			l->labels = realloc(l->labels, cap * sizeof *l->labels);
		}
		l->labels[l->n] = op.label ? strdup(op.label) : NULL;
		l->ops[l->n++] = op;
	}
	l->rc = r;
	trace_close(ts);
}

static void oplist_free(struct oplist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->labels[i]);
	free(l->labels);
	free(l->ops);
	free(l->cause);
	memset(l, 0, sizeof *l);
}

/* The error reading text ends with (open or next), or NULL if none. */
static char *trace_error(const char *text)
{
	struct oplist l;
	char *cause;

	oplist_read(&l, text);
	cause = l.cause;
	l.cause = NULL;
	oplist_free(&l);
	return cause;
}

#define ASSERT_ERROR(text, expected)					\
	do {								\
		char *c_ = trace_error(text);				\
		int same_ = c_ != NULL && strcmp(c_, (expected)) == 0;	\
		if (!same_) {						\
			printf("# got \"%s\"\n", c_ ? c_ : "(no error)");	\
			free(c_);					\
			TAP_FAIL("expected \"%s\"", (expected));	\
		}							\
		free(c_);						\
	} while (0)

/* ---- ops and their fields ---- */

TEST(every_field)
{
	struct oplist l;
	gfp_t zero_kernel;

	ASSERT_EQ(gfp_parse("GFP_KERNEL|__GFP_ZERO", &zero_kernel, NULL), 0);
	oplist_read(&l,
	    "kmsim-trace: 1\n"
	    "name: every field\n"
	    "description: one of each\n"
	    "ops:\n"
	    "  - {op: alloc_pages, id: a1, order: 3, gfp: GFP_KERNEL|__GFP_ZERO,"
	    " cpu: 2, node: 1, ts: 1000, pfn: 0x1f00}\n"
	    "  - {op: free_pages, id: a1, order: 3, ts: 2000, pfn: 7936}\n");
	ASSERT_EQ(l.rc, 0);
	ASSERT_EQ(l.n, 2);
	ASSERT_EQ(l.ops[0].type, OP_ALLOC_PAGES);
	ASSERT_STREQ(l.labels[0], "a1");
	ASSERT(l.ops[0].has_id);
	ASSERT_UEQ(l.ops[0].id, trace_label_id("a1", 2));
	ASSERT_EQ(l.ops[0].order, 3);
	ASSERT_EQ(l.ops[0].gfp, zero_kernel);
	ASSERT_EQ(l.ops[0].cpu, 2);
	ASSERT_EQ(l.ops[0].node, 1);
	ASSERT_UEQ(l.ops[0].ts_ns, 1000);
	ASSERT_UEQ(l.ops[0].pfn, 0x1f00);
	ASSERT_EQ(l.ops[1].type, OP_FREE_PAGES);
	ASSERT_UEQ(l.ops[1].id, l.ops[0].id);
	ASSERT(l.ops[1].has_order);
	ASSERT_EQ(l.ops[1].order, 3);
	ASSERT_UEQ(l.ops[1].ts_ns, 2000);
	ASSERT_UEQ(l.ops[1].pfn, 7936);
	oplist_free(&l);
}

TEST(defaults)
{
	struct oplist l;

	oplist_read(&l,
	    "ops:\n"
	    "  - op: alloc_pages\n"
	    "  - op: alloc_pages\n"
	    "    id: b\n"
	    "  - op: free_pages\n"
	    "    id: b\n");
	ASSERT_EQ(l.rc, 0);
	ASSERT_EQ(l.n, 3);
	/* anonymous: never freed */
	ASSERT(!l.ops[0].has_id);
	ASSERT(l.labels[0] == NULL);
	ASSERT_EQ(l.ops[0].order, 0);
	ASSERT(!l.ops[0].has_order);
	ASSERT_EQ(l.ops[0].gfp, GFP_KERNEL);
	ASSERT_EQ(l.ops[0].cpu, -1);
	ASSERT_EQ(l.ops[0].node, -1);
	ASSERT_UEQ(l.ops[0].ts_ns, OP_TS_NONE);
	ASSERT_UEQ(l.ops[0].pfn, OP_PFN_NONE);
	ASSERT(l.ops[1].has_id);
	/* a free without an order is not checked against one */
	ASSERT(!l.ops[2].has_order);
	ASSERT_UEQ(l.ops[2].id, trace_label_id("b", 1));
	oplist_free(&l);
}

TEST(positions_and_file_name)
{
	struct oplist l;

	oplist_read(&l,
	    "# a comment\n"
	    "ops:\n"
	    "  - {op: alloc_pages, id: a}\n"
	    "  -   op: free_pages\n"
	    "      id: a\n"
	    "  - repeat: 2\n"
	    "    ops:\n"
	    "      - {op: alloc_pages}\n");
	ASSERT_EQ(l.rc, 0);
	ASSERT_EQ(l.n, 4);
	ASSERT_EQ(l.ops[0].pos.line, 3);
	ASSERT_EQ(l.ops[0].pos.col, 5);
	ASSERT_EQ(l.ops[1].pos.line, 4);
	ASSERT_EQ(l.ops[1].pos.col, 7);
	/* every expansion of a template carries the template's position */
	ASSERT_EQ(l.ops[2].pos.line, 8);
	ASSERT_EQ(l.ops[2].pos.col, 9);
	ASSERT_EQ(l.ops[3].pos.line, 8);
	ASSERT_EQ(l.ops[3].pos.col, 9);
	oplist_free(&l);
}

TEST(quoted_numbers_tags_and_top_keys_after_ops)
{
	struct oplist l;

	oplist_read(&l,
	    "ops:\n"
	    "  - !!map {op: alloc_pages, order: !!int 2, cpu: \"3\","
	    " node: '1', pfn: 1_000}\n"
	    "name: keys may follow ops\n");
	ASSERT_EQ(l.rc, 0);
	ASSERT_EQ(l.n, 1);
	ASSERT_EQ(l.ops[0].order, 2);
	ASSERT_EQ(l.ops[0].cpu, 3);
	ASSERT_EQ(l.ops[0].node, 1);
	ASSERT_UEQ(l.ops[0].pfn, 1000);
	oplist_free(&l);
}

TEST(empty_ops)
{
	struct oplist l;

	oplist_read(&l, "ops: []\n");
	ASSERT_EQ(l.rc, 0);
	ASSERT_EQ(l.n, 0);
	oplist_free(&l);
}

/* A key with a null value (nothing, ~, null) is the same as no key. */
TEST(null_is_absent)
{
	struct oplist l;

	oplist_read(&l,
	    "name: ~\n"
	    "kmsim-trace:\n"
	    "ops:\n"
	    "  - {op: alloc_pages, id: ~, order: null, gfp: , cpu: NULL}\n"
	    "  - {op: alloc_pages, id: '~'}\n"
	    "  - {repeat: 2, var: ~, ops: [{op: alloc_pages, id: \"n${i}\"}]}\n");
	ASSERT_EQ(l.rc, 0);
	ASSERT_EQ(l.n, 4);
	ASSERT(!l.ops[0].has_id);
	ASSERT(!l.ops[0].has_order);
	ASSERT_EQ(l.ops[0].gfp, GFP_KERNEL);
	ASSERT_EQ(l.ops[0].cpu, -1);
	ASSERT_STREQ(l.labels[1], "~");		/* quoted: a string */
	ASSERT_STREQ(l.labels[3], "n1");	/* the default variable */
	oplist_free(&l);

	/* still a key: given twice is an error, null or not */
	ASSERT_ERROR("ops:\n  - {op: alloc_pages, id: ~, id: a}\n",
	    NAME ":2:30: duplicate key 'id'");
	ASSERT_ERROR("ops: ~\n", NAME ":1:1: missing 'ops' key");
	ASSERT_ERROR("ops:\n  - {op: ~, id: a}\n", NAME ":2:5: missing 'op' key");
	ASSERT_ERROR("ops:\n  - {op: free_pages, id: null}\n",
	    NAME ":2:5: free_pages needs an 'id'");
	ASSERT_ERROR("ops:\n  - {repeat: 2, ops: }\n",
	    NAME ":2:5: missing 'ops' in repeat");
}

/* ---- repeats ---- */

TEST(nested_repeat_order)
{
	static const char *const want[] = {
		"a0", "b0-0", "b0-1", "b0-2", "c0",
		"a1", "b1-0", "b1-1", "b1-2", "c1",
		"last",
	};
	struct oplist l;
	size_t k;

	oplist_read(&l,
	    "ops:\n"
	    "  - repeat: 2\n"
	    "    ops:\n"
	    "      - {op: alloc_pages, id: \"a${i}\"}\n"
	    "      - repeat: 3\n"
	    "        var: j\n"
	    "        ops:\n"
	    "          - {op: alloc_pages, id: \"b${i}-${j}\"}\n"
	    "      - {op: alloc_pages, id: \"c${i}\"}\n"
	    "  - {op: alloc_pages, id: last}\n");
	ASSERT_EQ(l.rc, 0);
	ASSERT_EQ(l.n, ARRAY_SIZE(want));
	for (k = 0; k < ARRAY_SIZE(want); k++) {
		ASSERT_STREQ(l.labels[k], want[k]);
		ASSERT_UEQ(l.ops[k].id, trace_label_id(want[k],
		    strlen(want[k])));
	}
	oplist_free(&l);
}

TEST(repeat_zero_and_counts_from_variables)
{
	struct oplist l;

	/* a triangle: i = 0..3 runs i inner iterations: 0+1+2+3 = 6 */
	oplist_read(&l,
	    "ops:\n"
	    "  - repeat: 0\n"
	    "    ops: [{op: alloc_pages, id: never}]\n"
	    "  - repeat: 4\n"
	    "    ops:\n"
	    "      - repeat: \"${i}\"\n"
	    "        var: k\n"
	    "        ops: [{op: alloc_pages, id: \"t${i}.${k}\"}]\n"
	    "  - repeat: 1000000000\n"
	    "    ops: []\n"
	    "  - repeat: 1000000000\n"
	    "    ops: [{repeat: 0, var: z, ops: [{op: alloc_pages}]}]\n");
	ASSERT_EQ(l.rc, 0);
	ASSERT_EQ(l.n, 6);
	ASSERT_STREQ(l.labels[0], "t1.0");
	ASSERT_STREQ(l.labels[1], "t2.0");
	ASSERT_STREQ(l.labels[2], "t2.1");
	ASSERT_STREQ(l.labels[5], "t3.2");
	oplist_free(&l);
}

TEST(substitution_arithmetic_and_precedence)
{
	static const char *const want[] = {
		"7", "9", "-5", "2", "-3", "-1", "1", "3", "17", "-12",
		"blk-3-6", "x-4", "42",
	};
	struct oplist l;
	size_t k;

	oplist_read(&l,
	    "ops:\n"
	    "  - repeat: 1\n"
	    "    var: n\n"
	    "    ops:\n"
	    "      - repeat: 1\n"
	    "        var: _m2\n"
	    "        ops:\n"
	    "          - {op: alloc_pages, id: \"${1 + 2 * 3}\"}\n"
	    "          - {op: alloc_pages, id: \"${(1 + 2) * 3}\"}\n"
	    "          - {op: alloc_pages, id: \"${2 - 3 - 4}\"}\n"
	    "          - {op: alloc_pages, id: \"${100 / 10 / 5}\"}\n"
	    "          - {op: alloc_pages, id: \"${-7 / 2}\"}\n"
	    "          - {op: alloc_pages, id: \"${-7 % 3}\"}\n"
	    "          - {op: alloc_pages, id: \"${7 % 3 * 1}\"}\n"
	    "          - {op: alloc_pages, id: \"${- -3}\"}\n"
	    "          - {op: alloc_pages, id: \"${0x10 + 1}\"}\n"
	    "          - {op: alloc_pages, id: \"${-(n + 3) * 4}\"}\n"
	    "          - {op: alloc_pages, id: \"blk-${n + 3}-${(n+3)*2}\"}\n"
	    "          - {op: alloc_pages, id: \"x${_m2 - 4}\"}\n"
	    "          - {op: alloc_pages, id: \"${ 6*7 }\", order: \"${n + 2}\","
	    " cpu: \"${n * 5 + 1}\", node: \"${3 - n}\", ts: \"${n}0\","
	    " pfn: \"0x${n}f\"}\n");
	ASSERT_EQ(l.rc, 0);
	ASSERT_EQ(l.n, ARRAY_SIZE(want));
	for (k = 0; k < ARRAY_SIZE(want); k++)
		ASSERT_STREQ(l.labels[k], want[k]);
	ASSERT_EQ(l.ops[12].order, 2);
	ASSERT_EQ(l.ops[12].cpu, 1);
	ASSERT_EQ(l.ops[12].node, 3);
	ASSERT_UEQ(l.ops[12].ts_ns, 0);
	ASSERT_UEQ(l.ops[12].pfn, 0xf);
	oplist_free(&l);
}

TEST(substituted_gfp)
{
	struct oplist l;

	oplist_read(&l,
	    "ops:\n"
	    "  - repeat: 2\n"
	    "    ops:\n"
	    "      - {op: alloc_pages, id: \"p${i}\", gfp: \"${0x400 + 0xc0 * i}\"}\n");
	ASSERT_EQ(l.rc, 0);
	ASSERT_EQ(l.n, 2);
	ASSERT_EQ(l.ops[0].gfp, 0x400);
	ASSERT_EQ(l.ops[1].gfp, 0x4c0);
	oplist_free(&l);
}

TEST(label_valid_until_next_call)
{
	struct trace_source *ts;
	struct op op;
	char *cause = NULL;
	char first[16];

	ts = trace_yaml_open_string(NAME,
	    "ops:\n"
	    "  - {op: alloc_pages, id: top}\n"
	    "  - repeat: 2\n"
	    "    ops: [{op: alloc_pages, id: \"r${i}\"}]\n", &cause);
	ASSERT(ts != NULL);
	ASSERT_EQ(trace_next(ts, &op, &cause), 1);
	ASSERT_STREQ(op.pos.file, NAME);	/* lives as long as the reader */
	snprintf(first, sizeof first, "%s", op.label);
	ASSERT_STREQ(first, "top");
	ASSERT_EQ(trace_next(ts, &op, &cause), 1);
	ASSERT_STREQ(op.label, "r0");
	ASSERT_EQ(trace_next(ts, &op, &cause), 1);
	ASSERT_STREQ(op.label, "r1");
	ASSERT_EQ(trace_next(ts, &op, &cause), 0);
	ASSERT_EQ(trace_next(ts, &op, &cause), 0);	/* stays at the end */
	ASSERT(cause == NULL);
	trace_close(ts);
}

/* ---- files, stdin, the digest, streaming ---- */

static char *write_temp(const char *text, size_t len)
{
	char *path = strdup("/tmp/kmsim-trace-yaml.XXXXXX");
	int fd = mkstemp(path);
	FILE *f;

	if (fd < 0) {
		free(path);
		return NULL;
	}
	f = fdopen(fd, "w");
	fwrite(text, 1, len, f);
	fclose(f);
	return path;
}

TEST(file_digest_and_progress)
{
	const char *text =
	    "ops:\n"
	    "  - {op: alloc_pages, id: a, order: 1}\n"
	    "  - {op: free_pages, id: a}\n";
	struct sha256_ctx sha;
	struct trace_source *ts;
	char want[65], got[65], *path, *cause = NULL;
	struct op op;
	int n = 0, r;

	sha256_init(&sha);
	sha256_update(&sha, text, strlen(text));
	sha256_hex(&sha, want);
	path = write_temp(text, strlen(text));
	ASSERT(path != NULL);
	ts = trace_yaml_open(path, &cause);
	ASSERT(ts != NULL);
	ASSERT_STREQ(ts->format, "yaml");
	ASSERT_UEQ(ts->bytes_total, strlen(text));
	while ((r = trace_next(ts, &op, &cause)) == 1) {
		ASSERT_STREQ(op.pos.file, path);
		n++;
	}
	ASSERT_EQ(r, 0);
	ASSERT_EQ(n, 2);
	ASSERT_UEQ(ts->bytes_done, strlen(text));
	ASSERT(ts->ops->digest != NULL);
	ts->ops->digest(ts, got);
	ASSERT_STREQ(got, want);
	trace_close(ts);

	/* the string reader hashes its text too */
	ts = trace_yaml_open_string(NAME, text, &cause);
	ASSERT(ts != NULL);
	ts->ops->digest(ts, got);
	ASSERT_STREQ(got, want);
	trace_close(ts);
	unlink(path);
	free(path);
}

TEST(missing_file_and_directory)
{
	char *cause = NULL;

	ASSERT(trace_yaml_open("/nonexistent/trace.yaml", &cause) == NULL);
	ASSERT_STREQ(cause, "/nonexistent/trace.yaml: No such file or directory");
	free(cause);
	cause = NULL;
	ASSERT(trace_yaml_open("/", &cause) == NULL);
	ASSERT_STREQ(cause, "/: Is a directory");
	free(cause);
}

TEST(stdin)
{
	const char *text = "ops:\n  - {op: alloc_pages, id: s}\n";
	struct trace_source *ts;
	char *path, *cause = NULL;
	struct op op;

	path = write_temp(text, strlen(text));
	ASSERT(path != NULL);
	ASSERT(freopen(path, "r", stdin) != NULL);
	ts = trace_yaml_open("-", &cause);
	ASSERT(ts != NULL);
	ASSERT_EQ(trace_next(ts, &op, &cause), 1);
	ASSERT_STREQ(op.label, "s");
	ASSERT_STREQ(op.pos.file, "<stdin>");
	ASSERT_EQ(trace_next(ts, &op, &cause), 0);
	trace_close(ts);
	unlink(path);
	free(path);
}

TEST(streaming_a_million_ops)
{
	struct trace_source *ts;
	char *cause = NULL;
	struct op op;
	long n = 0, frees = 0;
	char last[32] = "";
	int r;

	ts = trace_yaml_open_string(NAME,
	    "ops:\n"
	    "  - {op: alloc_pages, id: x-1}\n"
	    "  - repeat: 500000\n"
	    "    ops:\n"
	    "      - {op: alloc_pages, id: \"x${i}\", order: \"${i % 4}\"}\n"
	    "      - {op: free_pages, id: \"x${i - 1}\"}\n", &cause);
	ASSERT(ts != NULL);
	while ((r = trace_next(ts, &op, &cause)) == 1) {
		n++;
		if (op.type == OP_FREE_PAGES)
			frees++;
		/* after x-1, the alloc of iteration i has order i % 4 */
		if (op.type == OP_ALLOC_PAGES && n > 1 &&
		    op.order != (unsigned)(((n - 2) / 2) % 4))
			TAP_FAIL("op %ld has order %u", n, op.order);
		snprintf(last, sizeof last, "%s", op.label);
	}
	ASSERT_EQ(r, 0);
	ASSERT_EQ(n, 1000001);
	ASSERT_EQ(frees, 500000);
	ASSERT_STREQ(last, "x499998");
	trace_close(ts);
}

TEST(streaming_a_long_file)
{
	const long nops = 200000;
	struct trace_source *ts;
	char *text, *path, *cause = NULL;
	size_t len = 0, cap = (size_t)nops * 48 + 16;
	struct op op;
	long n = 0;
	int r;

	/* no repeat: every op is its own mapping in the file */
	text = malloc(cap);
	len += (size_t)snprintf(text, cap, "ops:\n");
	for (n = 0; n < nops; n++)
		len += (size_t)snprintf(text + len, cap - len,
		    "- {op: alloc_pages, id: f%ld, ts: %ld}\n", n, n * 10);
	path = write_temp(text, len);
	free(text);
	ASSERT(path != NULL);
	ts = trace_yaml_open(path, &cause);
	ASSERT(ts != NULL);
	n = 0;
	while ((r = trace_next(ts, &op, &cause)) == 1) {
		if (op.ts_ns != (uint64_t)n * 10 || op.pos.line != (unsigned long)n + 2)
			TAP_FAIL("op %ld: ts %" PRIu64 " line %lu", n, op.ts_ns,
			    op.pos.line);
		n++;
		/* progress moves before the end: the file is not slurped */
		if (n == nops / 2)
			ASSERT_LT(ts->bytes_done, ts->bytes_total);
	}
	ASSERT_EQ(r, 0);
	ASSERT_EQ(n, nops);
	ASSERT_UEQ(ts->bytes_done, ts->bytes_total);
	trace_close(ts);
	unlink(path);
	free(path);
}

/* A bad byte far into a file is placed by line and column too. */
TEST(bad_utf8_deep_in_a_file)
{
	const long nops = 5000;
	struct trace_source *ts;
	char *text, *path, *cause = NULL, want[256];
	size_t len = 0, cap = (size_t)nops * 48 + 64;
	struct op op;
	long n;
	int r;

	text = malloc(cap);
	len += (size_t)snprintf(text, cap, "ops:\n");
	for (n = 0; n < nops; n++)
		len += (size_t)snprintf(text + len, cap - len,
		    "- {op: alloc_pages, id: \"f%ld\"}\n", n);
	len += (size_t)snprintf(text + len, cap - len,
	    "- {op: alloc_pages, id: \"\xc3\xa9t\xe9\"}\n");
	path = write_temp(text, len);
	free(text);
	ASSERT(path != NULL);
	ts = trace_yaml_open(path, &cause);
	ASSERT(ts != NULL);
	n = 0;
	while ((r = trace_next(ts, &op, &cause)) == 1)
		n++;
	ASSERT_EQ(r, -1);
	/*
	 * Line 1 is "ops:".  Column 26 is the two-byte e-acute, 28 the lead
	 * byte 0xe9 of a three-byte sequence, and 29 the quote that is not
	 * the continuation byte libyaml expected there.
	 */
	snprintf(want, sizeof want, "%s:%ld:29: invalid trailing UTF-8 octet",
	    path, nops + 2);
	ASSERT_STREQ(cause, want);
	free(cause);
	trace_close(ts);
	unlink(path);
	free(path);
}

/*
 * traces/synthetic.yaml: its op count, and that its ids are valid (never
 * freed twice, never freed before being allocated, orders matching).
 */
TEST(synthetic_trace)
{
	const char *top = getenv("top_srcdir");
	struct trace_source *ts;
	struct idtab live;
	struct idtab_entry *e;
	char path[4096], *cause = NULL;
	long n = 0, allocs = 0, frees = 0, big = 0, small = 0;
	long cpus[16] = { 0 };
	unsigned long mt[3] = { 0 };
	struct op op;
	int r;

	snprintf(path, sizeof path, "%s/traces/synthetic.yaml",
	    top ? top : "..");
	ts = trace_yaml_open(path, &cause);
	if (ts == NULL)
		TAP_FAIL("%s", cause);
	idtab_init(&live);
	while ((r = trace_next(ts, &op, &cause)) == 1) {
		n++;
		if (op.cpu < 0 || op.cpu >= 16)
			TAP_FAIL("op %ld: cpu %d", n, op.cpu);
		cpus[op.cpu]++;
		if (op.type == OP_ALLOC_PAGES) {
			allocs++;
			if (op.order <= 3)
				small++;
			else
				big++;
			mt[gfp_migratetype(op.gfp) % 3]++;
			if (op.has_id && !idtab_insert(&live, op.id, 0, op.order))
				TAP_FAIL("%s:%lu: id '%s' allocated while live",
				    op.pos.file, op.pos.line, op.label);
			continue;
		}
		frees++;
		e = idtab_find(&live, op.id);
		if (e == NULL)
			TAP_FAIL("%s:%lu: id '%s' freed but not live",
			    op.pos.file, op.pos.line, op.label);
		if (op.has_order && op.order != e->order)
			TAP_FAIL("%s:%lu: id '%s' freed with another order",
			    op.pos.file, op.pos.line, op.label);
		idtab_remove(&live, e);
	}
	if (r != 0)
		TAP_FAIL("%s", cause);
	printf("# synthetic.yaml: %ld ops, %ld allocs (%ld of order 4+), "
	    "%ld frees, %" PRIu64 " never freed\n", n, allocs, big, frees,
	    live.len);
	/*
	 * The expansion, counted from the file's structure (R = 480 rounds):
	 * boot 16 x 3, phase 1 R x 16 x (64 x 5 + 4), phase 2 R x 16 x 64 x 2,
	 * phase 3 R x 32 x 16 x 2 + R / 2 x 16.  Left live with an id: half
	 * the an and dc blocks, all sl, one dma per round and CPU, the even
	 * rounds' thp.
	 */
	ASSERT_EQ(n, 16 * 3 + 480L * 16 * (64 * 5 + 4) + 480L * 16 * 64 * 2 +
	    480L * 32 * 16 * 2 + 240 * 16);
	ASSERT_GE(n, 100000);
	ASSERT_EQ(allocs, 16 * 3 + 480L * 16 * (64 * 5 + 3));
	ASSERT_EQ(allocs + frees, n);
	ASSERT_UEQ(live.len, 480L * 16 * (32 + 64 + 32 + 1) + 240 * 16);
	ASSERT_GT(small, 4 * big);		/* orders 0..3 mostly */
	ASSERT_GT(big, 0);
	ASSERT_GT(mt[MIGRATE_UNMOVABLE], 0);
	ASSERT_GT(mt[MIGRATE_MOVABLE], 0);
	ASSERT_GT(mt[MIGRATE_RECLAIMABLE], 0);
	for (r = 0; r < 16; r++)
		ASSERT_GT(cpus[r], n / 32);	/* spread over the CPUs */
	idtab_fini(&live);
	trace_close(ts);
}

/* ---- errors: one per kind, each with its position ---- */

TEST(error_yaml_syntax)
{
	ASSERT_ERROR("ops:\n  - {op: alloc_pages\n",
	    NAME ":3:1: did not find expected ',' or '}' while parsing a flow "
	    "mapping");
	ASSERT_ERROR("ops:\n  - op: alloc_pages\n   id: x\n",
	    NAME ":3:4: did not find expected '-' indicator while parsing a "
	    "block collection");
	/* bad UTF-8 is the reader's error */
	ASSERT_ERROR("ops:\n  - {op: alloc_pages, id: \"\xff\"}\n",
	    NAME ":2:28: invalid leading UTF-8 octet");
}

TEST(error_empty)
{
	ASSERT_ERROR("", NAME ":1:1: trace is empty");
	ASSERT_ERROR("# only a comment\n\n", NAME ":1:1: trace is empty");
}

TEST(error_top_level)
{
	ASSERT_ERROR("- {op: alloc_pages}\n",
	    NAME ":1:1: the top level must be a mapping, not a sequence");
	ASSERT_ERROR("name: no ops\n", NAME ":1:1: missing 'ops' key");
	ASSERT_ERROR("\n  name: x\n  opz: []\n",
	    NAME ":3:3: unknown top-level key 'opz'");
	ASSERT_ERROR("ops: {op: alloc_pages}\n",
	    NAME ":1:6: 'ops' must be a sequence, not a mapping");
	ASSERT_ERROR("kmsim-trace: 2\nops: []\n",
	    NAME ":1:14: unsupported format version '2' (only 1 is supported)");
	ASSERT_ERROR("ops: []\nops: []\n", NAME ":2:1: duplicate key 'ops'");
	ASSERT_ERROR("ops: []\n---\nops: []\n",
	    NAME ":2:1: a trace is a single YAML document");
	ASSERT_ERROR("name: [a]\nops: []\n",
	    NAME ":1:7: 'name' must be a scalar, not a sequence");
}

TEST(error_op_not_mapping)
{
	ASSERT_ERROR("ops:\n  - alloc_pages\n",
	    NAME ":2:5: an op must be a mapping, not a scalar");
	ASSERT_ERROR("ops:\n  - repeat: 2\n    ops: [[1]]\n",
	    NAME ":3:11: an op must be a mapping, not a sequence");
}

TEST(error_missing_op_key)
{
	ASSERT_ERROR("ops:\n  - {id: a}\n", NAME ":2:5: missing 'op' key");
	ASSERT_ERROR("ops:\n  - {}\n", NAME ":2:5: missing 'op' key");
}

TEST(error_unknown_op)
{
	ASSERT_ERROR("ops:\n  - {op: alloc_page}\n",
	    NAME ":2:10: unknown op 'alloc_page'");
}

TEST(error_unknown_key)
{
	ASSERT_ERROR("ops:\n  - {op: alloc_pages, colour: red}\n",
	    NAME ":2:23: unknown key 'colour'");
	ASSERT_ERROR("ops:\n  - {op: alloc_pages, ops: []}\n",
	    NAME ":2:23: unknown key 'ops' in op");
	ASSERT_ERROR("ops:\n  - {repeat: 1, ops: [], order: 1}\n",
	    NAME ":2:26: unknown key 'order' in repeat");
	ASSERT_ERROR("ops:\n  - {op: alloc_pages, [a]: 1}\n",
	    NAME ":2:23: a key must be a scalar, not a sequence");
}

TEST(error_duplicate_key)
{
	ASSERT_ERROR("ops:\n  - {op: free_pages, id: a, id: b}\n",
	    NAME ":2:29: duplicate key 'id'");
}

TEST(error_wrong_type)
{
	ASSERT_ERROR("ops:\n  - {op: alloc_pages, order: [1]}\n",
	    NAME ":2:30: 'order' must be a scalar, not a sequence");
	ASSERT_ERROR("ops:\n  - {op: alloc_pages, gfp: {a: b}}\n",
	    NAME ":2:28: 'gfp' must be a scalar, not a mapping");
	ASSERT_ERROR("ops:\n  - {op: alloc_pages, id: ''}\n",
	    NAME ":2:27: empty id");
}

TEST(error_bad_numbers)
{
	ASSERT_ERROR("ops:\n  - {op: alloc_pages, order: -1}\n",
	    NAME ":2:30: order '-1' is negative");
	ASSERT_ERROR("ops:\n  - {op: alloc_pages, order: 16}\n",
	    NAME ":2:30: order '16' is too large (at most 15)");
	ASSERT_ERROR("ops:\n  - {op: alloc_pages, cpu: x1}\n",
	    NAME ":2:28: cpu 'x1' is not a number");
	ASSERT_ERROR("ops:\n  - {op: alloc_pages, node: 3x}\n",
	    NAME ":2:29: node '3x' is not a number");
	ASSERT_ERROR("ops:\n  - {op: alloc_pages, cpu: 2147483648}\n",
	    NAME ":2:28: cpu '2147483648' is too large (at most 2147483647)");
	ASSERT_ERROR("ops:\n  - {op: alloc_pages, ts: 99999999999999999999}\n",
	    NAME ":2:27: ts '99999999999999999999' is too large "
	    "(at most 18446744073709551614)");
	ASSERT_ERROR("ops:\n  - {op: alloc_pages, pfn: 0x}\n",
	    NAME ":2:28: pfn '0x' is not a number");
	ASSERT_ERROR("ops:\n  - {op: alloc_pages, ts: 1.5}\n",
	    NAME ":2:27: ts '1.5' is not a number");
	/* a substituted value names the template it came from */
	ASSERT_ERROR("ops:\n  - repeat: 2\n    ops: [{op: alloc_pages,"
	    " order: \"${i - 1}\"}]\n",
	    NAME ":3:36: order '-1' (from '${i - 1}') is negative");
}

TEST(error_bad_gfp)
{
	ASSERT_ERROR("ops:\n  - {op: alloc_pages, gfp: GFP_KERNEL|__GFP_BOGUS}\n",
	    NAME ":2:28: unknown gfp flag '__GFP_BOGUS'");
}

TEST(error_bad_repeat)
{
	ASSERT_ERROR("ops:\n  - {var: i, ops: []}\n",
	    NAME ":2:5: missing 'repeat' count");
	ASSERT_ERROR("ops:\n  - {repeat: 3}\n", NAME ":2:5: missing 'ops' in repeat");
	ASSERT_ERROR("ops:\n  - {repeat: -2, ops: []}\n",
	    NAME ":2:14: repeat count '-2' is negative");
	ASSERT_ERROR("ops:\n  - {repeat: lots, ops: []}\n",
	    NAME ":2:14: repeat count 'lots' is not a number");
	ASSERT_ERROR("ops:\n  - {repeat: 2, var: 2x, ops: []}\n",
	    NAME ":2:22: bad variable name '2x'");
	ASSERT_ERROR("ops:\n  - {repeat: 2, ops: {op: alloc_pages}}\n",
	    NAME ":2:22: 'ops' must be a sequence, not a mapping");
	ASSERT_ERROR(
	    "ops:\n"
	    "  - repeat: 2\n"
	    "    ops:\n"
	    "      - repeat: 2\n"
	    "        ops: [{op: alloc_pages}]\n",
	    NAME ":4:9: variable 'i' is already used by an enclosing repeat");
	ASSERT_ERROR(
	    "ops:\n"
	    "  - repeat: 2\n"
	    "    var: j\n"
	    "    ops:\n"
	    "      - repeat: 2\n"
	    "        var: j\n"
	    "        ops: [{op: alloc_pages}]\n",
	    NAME ":6:14: variable 'j' is already used by an enclosing repeat");
}

TEST(error_nesting_too_deep)
{
	char text[4096];
	size_t len, d;

	/* 16 nested repeats are fine, 17 are not */
	len = (size_t)snprintf(text, sizeof text, "ops:\n");
	for (d = 0; d < 16; d++)
		len += (size_t)snprintf(text + len, sizeof text - len,
		    "%s{repeat: 2, var: v%zu, ops: [\n", d ? "" : "- ", d);
	len += (size_t)snprintf(text + len, sizeof text - len,
	    "{op: alloc_pages, id: \"${v0+v1+v2+v3+v4+v5+v6+v7+v8+v9+v10+v11+"
	    "v12+v13+v14+v15}\"}");
	for (d = 0; d < 16; d++)
		len += (size_t)snprintf(text + len, sizeof text - len, "]}");
	snprintf(text + len, sizeof text - len, "\n");
	{
		struct oplist l;

		oplist_read(&l, text);
		ASSERT_EQ(l.rc, 0);
		ASSERT_EQ(l.n, 1 << 16);
		ASSERT_STREQ(l.labels[(1 << 16) - 1], "16");
		oplist_free(&l);
	}

	len = (size_t)snprintf(text, sizeof text, "ops:\n");
	for (d = 0; d < 17; d++)
		len += (size_t)snprintf(text + len, sizeof text - len,
		    "%s{repeat: 2, var: v%zu, ops: [\n", d ? "" : "- ", d);
	len += (size_t)snprintf(text + len, sizeof text - len,
	    "{op: alloc_pages}");
	for (d = 0; d < 17; d++)
		len += (size_t)snprintf(text + len, sizeof text - len, "]}");
	snprintf(text + len, sizeof text - len, "\n");
	ASSERT_ERROR(text, NAME ":18:1: repeats nested too deeply (more than 16)");
}

TEST(error_timestamp_backwards)
{
	ASSERT_ERROR("ops:\n  - {op: alloc_pages, ts: 10}\n"
	    "  - {op: alloc_pages}\n"
	    "  - {op: alloc_pages, ts: 5}\n",
	    NAME ":4:27: timestamp 5 goes backwards (previous 10)");
	ASSERT_ERROR("ops:\n  - repeat: 3\n"
	    "    ops: [{op: alloc_pages, ts: \"${100 - i}\"}]\n",
	    NAME ":3:33: timestamp 99 goes backwards (previous 100)");
}

TEST(error_anchors_and_aliases)
{
	ASSERT_ERROR("ops:\n  - &a {op: alloc_pages}\n  - *a\n",
	    NAME ":2:5: anchors and aliases are not supported");
	ASSERT_ERROR("ops:\n  - {op: alloc_pages}\n  - *a\n",
	    NAME ":3:5: anchors and aliases are not supported");
}

TEST(error_free_without_id)
{
	ASSERT_ERROR("ops:\n  - {op: free_pages, order: 2}\n",
	    NAME ":2:5: free_pages needs an 'id'");
}

TEST(error_substitution)
{
	ASSERT_ERROR("ops:\n  - {op: alloc_pages, id: \"x${i}\"}\n",
	    NAME ":2:27: unknown variable 'i' in 'x${i}'");
	ASSERT_ERROR("ops:\n  - repeat: 3\n"
	    "    ops: [{op: alloc_pages, id: \"x${6 / (2 - i)}\"}]\n",
	    NAME ":3:33: division by zero in 'x${6 / (2 - i)}'");
	ASSERT_ERROR("ops:\n  - repeat: 3\n"
	    "    ops: [{op: alloc_pages, id: \"x${i % 0}\"}]\n",
	    NAME ":3:33: division by zero in 'x${i % 0}'");
	ASSERT_ERROR("ops:\n  - repeat: 1\n    ops: [{op: alloc_pages, id: \"${i +}\"}]\n",
	    NAME ":3:33: expression ends early in '${i +}'");
	ASSERT_ERROR("ops:\n  - repeat: 1\n    ops: [{op: alloc_pages, id: \"${(i}\"}]\n",
	    NAME ":3:33: missing ')' in '${(i}'");
	ASSERT_ERROR("ops:\n  - repeat: 1\n    ops: [{op: alloc_pages, id: \"x${i\"}]\n",
	    NAME ":3:33: unterminated '${' in 'x${i'");
	ASSERT_ERROR("ops:\n  - repeat: 1\n    ops: [{op: alloc_pages, id: \"x${ }\"}]\n",
	    NAME ":3:33: empty expression in 'x${ }'");
	ASSERT_ERROR("ops:\n  - repeat: 1\n    ops: [{op: alloc_pages, id: \"${i j}\"}]\n",
	    NAME ":3:33: unexpected 'j' in '${i j}'");
	ASSERT_ERROR("ops:\n  - repeat: 1\n    ops: [{op: alloc_pages, id: \"${2i}\"}]\n",
	    NAME ":3:33: bad number '2i' in '${2i}'");
	ASSERT_ERROR("ops:\n  - {op: alloc_pages, id: \"${9223372036854775807 + 1}\"}\n",
	    NAME ":2:27: integer overflow in '${9223372036854775807 + 1}'");
	ASSERT_ERROR("ops:\n  - {op: alloc_pages, id: \"${9223372036854775808}\"}\n",
	    NAME ":2:27: number too large in '${9223372036854775808}'");
	ASSERT_ERROR("ops:\n  - {op: alloc_pages, id: \"${-9223372036854775807 - 2}\"}\n",
	    NAME ":2:27: integer overflow in '${-9223372036854775807 - 2}'");
	ASSERT_ERROR("ops:\n  - {op: alloc_pages, id: \"${1 << 0}\"}\n",
	    NAME ":2:27: unexpected '<' in '${1 << 0}'");
	/* checked when captured: a body that never runs is still checked */
	ASSERT_ERROR("ops:\n  - repeat: 0\n    ops: [{op: alloc_pages, id: \"${j}\"}]\n",
	    NAME ":3:33: unknown variable 'j' in '${j}'");
}

TEST(error_parentheses_nested_too_deeply)
{
	char text[512];
	int len, d;

	len = snprintf(text, sizeof text, "ops:\n  - {op: alloc_pages, id: \"${");
	for (d = 0; d < 200; d++)
		text[len++] = '(';
	len += snprintf(text + len, sizeof text - (size_t)len, "1}\"}\n");
	{
		char *c = trace_error(text);

		ASSERT_CONTAINS(c, NAME ":2:27: expression nested too deeply in");
		free(c);
	}
}

TEST(error_is_sticky)
{
	struct trace_source *ts;
	char *c1 = NULL, *c2 = NULL;
	struct op op;

	ts = trace_yaml_open_string(NAME,
	    "ops:\n  - {op: alloc_pages}\n  - {op: nope}\n  - {op: alloc_pages}\n",
	    &c1);
	ASSERT(ts != NULL);
	ASSERT_EQ(trace_next(ts, &op, &c1), 1);
	ASSERT_EQ(trace_next(ts, &op, &c1), -1);
	ASSERT_EQ(trace_next(ts, &op, &c2), -1);
	ASSERT_STREQ(c1, NAME ":3:10: unknown op 'nope'");
	ASSERT_STREQ(c2, c1);
	ASSERT_EQ(trace_next(ts, &op, NULL), -1);
	free(c1);
	free(c2);
	trace_close(ts);
}

int main(void)
{
	RUN(every_field);
	RUN(defaults);
	RUN(positions_and_file_name);
	RUN(quoted_numbers_tags_and_top_keys_after_ops);
	RUN(empty_ops);
	RUN(null_is_absent);
	RUN(nested_repeat_order);
	RUN(repeat_zero_and_counts_from_variables);
	RUN(substitution_arithmetic_and_precedence);
	RUN(substituted_gfp);
	RUN(label_valid_until_next_call);
	RUN(file_digest_and_progress);
	RUN(missing_file_and_directory);
	RUN(stdin);
	RUN(streaming_a_million_ops);
	RUN(streaming_a_long_file);
	RUN(bad_utf8_deep_in_a_file);
	RUN(synthetic_trace);
	RUN(error_yaml_syntax);
	RUN(error_empty);
	RUN(error_top_level);
	RUN(error_op_not_mapping);
	RUN(error_missing_op_key);
	RUN(error_unknown_op);
	RUN(error_unknown_key);
	RUN(error_duplicate_key);
	RUN(error_wrong_type);
	RUN(error_bad_numbers);
	RUN(error_bad_gfp);
	RUN(error_bad_repeat);
	RUN(error_nesting_too_deep);
	RUN(error_timestamp_backwards);
	RUN(error_anchors_and_aliases);
	RUN(error_free_without_id);
	RUN(error_substitution);
	RUN(error_parentheses_nested_too_deeply);
	RUN(error_is_sticky);
	return tap_done();
}
