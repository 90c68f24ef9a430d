/*
 * test-ftrace.c - the ftrace text reader: every event kind as a real
 * Linux 6.18 kernel printed it, older kernels' formats, trace_pipe and
 * trace-cmd report layouts, the stats, exact errors, lenient reading,
 * CRLF, compressed and standard input, and a whole real capture.
 */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mm/gfp.h"
#include "trace/instream.h"
#include "sha256.h"
#include "tap.h"
#include "trace/trace.h"

/* ---- helpers ---- */

static const char *fixture(const char *name)
{
	static char path[4096];
	const char *top = getenv("top_srcdir");

	snprintf(path, sizeof path, "%s/tests/fixtures/ftrace/%s",
	    top ? top : "..", name);
	return path;
}

/* An op as read, its strings copied (they live until the next call). */
struct rop {
	struct op op;
	char name[64];
	char text[128];
	char file[256];
};

struct rlist {
	struct rop *v;
	size_t n;
	int rc;			/* 0: read to the end; -1: an error */
	char *cause;
	struct trace_stats st;
	const char *format;
	char digest[65];
	uint64_t bytes_done, bytes_total;
};

static void rlist_read_source(struct rlist *l, struct trace_source *ts)
{
	const struct trace_stats *st;
	struct op op;
	size_t cap = 0;
	int r;

	while ((r = trace_next(ts, &op, &l->cause)) == 1) {
		struct rop *x;

		if (l->n == cap) {
			cap = cap ? 2 * cap : 64;
			l->v = realloc(l->v, cap * sizeof *l->v);
		}
		x = &l->v[l->n++];
		memset(x, 0, sizeof *x);
		x->op = op;
		if (op.name != NULL)
			snprintf(x->name, sizeof x->name, "%s", op.name);
		if (op.text != NULL)
			snprintf(x->text, sizeof x->text, "%s", op.text);
		if (op.pos.file != NULL)
			snprintf(x->file, sizeof x->file, "%s", op.pos.file);
	}
	l->rc = r;
	st = ts->ops->stats != NULL ? ts->ops->stats(ts) : NULL;
	if (st != NULL)
		l->st = *st;
	l->format = ts->format;
	if (ts->ops->digest != NULL)
		ts->ops->digest(ts, l->digest);
	l->bytes_done = ts->bytes_done;
	l->bytes_total = ts->bytes_total;
}

/* Read a whole trace through trace_open() (content sniffing). */
static void rlist_read(struct rlist *l, const char *path,
    const struct trace_options *opt)
{
	struct trace_source *ts;

	memset(l, 0, sizeof *l);
	ts = trace_open(path, opt, &l->cause);
	if (ts == NULL) {
		l->rc = -1;
		return;
	}
	rlist_read_source(l, ts);
	trace_close(ts);
}

/* The same through trace_ftrace_open(), no sniffing. */
static void rlist_read_ftrace(struct rlist *l, const char *path,
    const struct trace_options *opt)
{
	struct trace_source *ts;

	memset(l, 0, sizeof *l);
	ts = trace_ftrace_open(path, opt, &l->cause);
	if (ts == NULL) {
		l->rc = -1;
		return;
	}
	rlist_read_source(l, ts);
	trace_close(ts);
}

static void rlist_free(struct rlist *l)
{
	free(l->v);
	free(l->cause);
	memset(l, 0, sizeof *l);
}

/* An op as expected: every field "not given" but these. */
static struct op want(enum op_type type, unsigned long line, int cpu,
    uint64_t ts_ns)
{
	struct op w;

	op_clear(&w);
	w.type = type;
	w.pos.line = line;
	w.cpu = cpu;
	w.ts_ns = ts_ns;
	return w;
}

/*
 * Compare every field of an op with the expected one (strings by
 * content; NULL expected means NULL got); 0, or -1 with msg saying which.
 */
static int op_check(const struct rop *g, const struct op *w,
    const char *name, const char *text, char *msg, size_t len)
{
	const struct op *o = &g->op;
	int i;

#define CMP(field)							\
	if ((uint64_t)o->field != (uint64_t)w->field) {			\
		snprintf(msg, len, #field " %" PRIu64 " (%#" PRIx64 ")"	\
		    ", want %" PRIu64 " (%#" PRIx64 ")",		\
		    (uint64_t)o->field, (uint64_t)o->field,		\
		    (uint64_t)w->field, (uint64_t)w->field);		\
		return -1;						\
	}
	CMP(type) CMP(ts_ns) CMP(cpu) CMP(node) CMP(order) CMP(has_order)
	CMP(gfp) CMP(id) CMP(pfn) CMP(has_id) CMP(pos.line) CMP(pos.col)
	CMP(migratetype) CMP(flags) CMP(ptr) CMP(end) CMP(bytes_req)
	CMP(bytes_alloc) CMP(align) CMP(dev) CMP(ino) CMP(index) CMP(nr)
#undef CMP
	for (i = 0; i < 4; i++)
		if (o->aux[i] != w->aux[i]) {
			snprintf(msg, len, "aux[%d] %d, want %d", i,
			    (int)o->aux[i], (int)w->aux[i]);
			return -1;
		}
	if (o->label != NULL) {
		snprintf(msg, len, "label is set");
		return -1;
	}
	if ((name == NULL) != (o->name == NULL) ||
	    (name != NULL && strcmp(g->name, name) != 0)) {
		snprintf(msg, len, "name \"%s\", want \"%s\"",
		    o->name ? g->name : "(null)", name ? name : "(null)");
		return -1;
	}
	if ((text == NULL) != (o->text == NULL) ||
	    (text != NULL && strcmp(g->text, text) != 0)) {
		snprintf(msg, len, "text \"%s\", want \"%s\"",
		    o->text ? g->text : "(null)", text ? text : "(null)");
		return -1;
	}
	return 0;
}

#define ASSERT_OP(l, i, w, name, text)					\
	do {								\
		size_t i_ = (size_t)(i);				\
		char m_[256];						\
		if (i_ >= (l)->n)					\
			TAP_FAIL("op %zu: only %zu ops", i_, (l)->n);	\
		if (op_check(&(l)->v[i_], &(w), (name), (text), m_,	\
		    sizeof m_) != 0)					\
			TAP_FAIL("op %zu (line %lu): %s", i_,		\
			    (l)->v[i_].op.pos.line, m_);		\
	} while (0)

#define ASSERT_READ_OK(l)						\
	do {								\
		if ((l)->rc != 0)					\
			TAP_FAIL("read failed: %s",			\
			    (l)->cause ? (l)->cause : "?");		\
	} while (0)

/* A temporary directory for the test's own files. */
static char tmpdir[64];

static const char *tmp_path(const char *name)
{
	static char path[2][256];
	static int k;

	k ^= 1;
	snprintf(path[k], sizeof path[k], "%s/%s", tmpdir, name);
	return path[k];
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL) {
		perror(path);
		exit(99);
	}
	fwrite(data, 1, len, f);
	fclose(f);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (f == NULL)
		return NULL;
	do {
		if (cap - n < 4096) {
			cap = cap ? 2 * cap : 65536;
			buf = realloc(buf, cap + 1);
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* The error reading text (written to tmpdir/name) ends with, or NULL. */
static char *error_of(const char *name, const char *text, bool lenient)
{
	struct trace_options opt = { .lenient = lenient, .page_shift = 12 };
	struct rlist l;
	char *cause;

	write_file(tmp_path(name), text, strlen(text));
	rlist_read_ftrace(&l, tmp_path(name), &opt);
	cause = l.cause;
	l.cause = NULL;
	rlist_free(&l);
	return cause;
}

/* The column (1-based) where needle starts in the line. */
static int col_of(const char *line, const char *needle)
{
	const char *p = strstr(line, needle);

	return p != NULL ? (int)(p - line) + 1 : -1;
}

#define ASSERT_ERROR_AT(name, text, line, col, message)			\
	do {								\
		char want_[512], *got_ = error_of(name, text, false);	\
		if ((col) > 0)						\
			snprintf(want_, sizeof want_, "%s:%d:%d: %s",	\
			    tmp_path(name), (line), (col), (message));	\
		else							\
			snprintf(want_, sizeof want_, "%s:%d: %s",	\
			    tmp_path(name), (line), (message));		\
		if (got_ == NULL || strcmp(got_, want_) != 0) {		\
			printf("# got  \"%s\"\n# want \"%s\"\n",	\
			    got_ ? got_ : "(no error)", want_);		\
			free(got_);					\
			TAP_FAIL("wrong error");			\
		}							\
		free(got_);						\
	} while (0)

#define GFP_KERNEL_ACCOUNT_ (GFP_KERNEL | GFP_BIT_ACCOUNT)
#define GFP_NOFS_ (GFP_BIT_RECLAIM | GFP_BIT_IO)
#define DEV_254_0 (254u << 20)

/* ---- a real Linux 6.18 capture: every event kind it holds ---- */

/*
 * tests/fixtures/ftrace/capture.txt: the header and 23 event lines of a
 * real capture on a Linux 6.18 x86-64 VM, copied unchanged.
 */
TEST(capture_every_kind)
{
	struct rlist l;
	struct op w;
	int i = 0;

	rlist_read(&l, fixture("capture.txt"), NULL);
	ASSERT_READ_OK(&l);
	ASSERT_EQ(l.n, 23);

	w = want(OP_KMEM_CACHE_FREE, 13, 1, 1244710258000ULL);
	w.ptr = 0x38aafd69;
	ASSERT_OP(&l, i++, w, "lsm_file_cache", NULL);

	w = want(OP_KMEM_CACHE_ALLOC, 14, 1, 1244710297000ULL);
	w.ptr = 0x128c7efa;
	w.bytes_req = 5840;
	w.bytes_alloc = 5888;
	w.gfp = GFP_KERNEL;
	w.flags = OPF_ACCOUNTED;
	ASSERT_OP(&l, i++, w, "task_struct", NULL);

	w = want(OP_KMALLOC, 15, 1, 1244710301000ULL);
	w.ptr = 0x6fe22676;
	w.bytes_req = 11;
	w.bytes_alloc = 16;
	w.gfp = GFP_KERNEL_ACCOUNT_ | GFP_BIT_ZERO;
	w.flags = OPF_ACCOUNTED;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_ALLOC_PAGES, 16, 1, 1244710310000ULL);
	w.pfn = 0x17a41e;
	w.id = 0x17a41e;
	w.has_id = true;
	w.order = 0;
	w.has_order = true;
	w.migratetype = 0;
	w.gfp = GFP_KERNEL_ACCOUNT_ | GFP_BIT_ZERO | GFP_BIT_COMP;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_KFREE, 17, 1, 1244710311000ULL);	/* kfree(NULL) */
	w.ptr = 0;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_PERCPU_ALLOC, 18, 1, 1244710312000ULL);
	w.ptr = 0xb8f4c847;
	w.bytes_req = 16;
	w.align = 8;
	w.bytes_alloc = 64;
	w.gfp = GFP_KERNEL;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_KMEM_CACHE_ALLOC, 19, 1, 1244710314000ULL);
	w.ptr = 0x0ec32da7;
	w.bytes_req = 256;
	w.bytes_alloc = 256;
	w.gfp = GFP_KERNEL;		/* accounted=false */
	ASSERT_OP(&l, i++, w, "maple_node", NULL);

	w = want(OP_FREE_PAGES, 20, 1, 1244710496000ULL);
	w.pfn = w.id = 0x57725a;
	w.has_id = w.has_order = true;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_PAGE_FREE_BATCHED, 21, 1, 1244710497000ULL);
	w.pfn = w.id = 0x57725a;
	w.has_id = w.has_order = true;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_DIRTY_FOLIO, 22, 1, 1244710657000ULL);
	w.dev = DEV_254_0;
	w.ino = 266338304;		/* decimal: the bdev inode */
	w.index = 43909121;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_KFREE, 23, 1, 1244710728000ULL);
	w.ptr = 0x47ca84ef;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_PERCPU_FREE, 24, 1, 1244710827000ULL);
	w.ptr = 0xb8f4c847;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_ALLOC_PAGES, 25, 1, 1244710859000ULL);
	w.pfn = w.id = 0x576a35;
	w.has_id = w.has_order = true;
	w.migratetype = 1;
	w.gfp = GFP_NOFS_ | GFP_BIT_HIGHMEM | GFP_BIT_MOVABLE |
	    GFP_BIT_NOWARN | GFP_BIT_NORETRY | GFP_BIT_COMP | GFP_BIT_HARDWALL;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_FILEMAP_ADD, 26, 1, 1244710872000ULL);
	w.dev = DEV_254_0;
	w.ino = 0x3c53d;		/* hex without 0x */
	w.pfn = 0x576a35;
	w.index = 860160 >> 12;		/* ofs is in bytes */
	w.has_order = true;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_FILEMAP_DELETE, 27, 1, 1244728485000ULL);
	w.dev = DEV_254_0;
	w.ino = 0xa72008;
	w.pfn = 0x59de04;
	w.index = 0;
	w.order = 1;
	w.has_order = true;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_VMAP_ALLOC, 28, 0, 1244728722000ULL);
	w.ptr = 18446683600692723712ULL;	/* va_start in decimal */
	w.bytes_req = 20480;
	w.align = 16384;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_VMAP_FREE, 29, 1, 1244749292000ULL);
	w.ptr = 0xffffc9000742c000ULL;
	w.nr = 240;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_PAGE_ALLOC_ZONE_LOCKED, 30, 0, 1244750710000ULL);
	w.pfn = 0x108e4d;
	w.has_order = true;
	w.migratetype = 0;
	w.flags = OPF_PERCPU_REFILL;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_WRITEBACK_START, 31, 1, 1244771796000ULL);
	w.dev = DEV_254_0;
	w.nr = 9223372036854775807ULL;
	w.flags = OPF_SYNC;
	w.aux[0] = WBR_SYNC;		/* reason=sync */
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_WRITEBACK_INODE_START, 32, 1, 1244771799000ULL);
	w.dev = DEV_254_0;
	w.ino = 10977816;
	w.index = 12800;
	w.nr = 9223372036854775807ULL;	/* to_write */
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_WRITEBACK_INODE, 33, 1, 1244771864000ULL);
	w.dev = DEV_254_0;
	w.ino = 10977819;
	w.index = 1;
	w.nr = 1;			/* wrote */
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_WRITEBACK_WRITTEN, 34, 1, 1244771880000ULL);
	w.dev = DEV_254_0;
	w.nr = 9223372036854775804ULL;
	w.flags = OPF_SYNC;
	w.aux[0] = WBR_SYNC;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_PAGE_PCPU_DRAIN, 35, 0, 1245169279000ULL);
	w.pfn = 0x10afd3;
	w.has_order = true;
	w.migratetype = 0;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	ASSERT_STREQ(l.v[0].file, fixture("capture.txt"));
	rlist_free(&l);
}

TEST(capture_stats_digest_and_progress)
{
	struct sha256_ctx sha;
	struct rlist l;
	char hex[65], *data;
	size_t len;

	rlist_read(&l, fixture("capture.txt"), NULL);
	ASSERT_READ_OK(&l);
	ASSERT_STREQ(l.format, "ftrace-text");
	ASSERT_UEQ(l.st.lines, 35);
	ASSERT_UEQ(l.st.events, 23);
	ASSERT_UEQ(l.st.unknown_events, 0);
	ASSERT_UEQ(l.st.malformed, 0);
	ASSERT_UEQ(l.st.duplicate_frees, 1);
	ASSERT_UEQ(l.st.lost_events, 0);
	ASSERT_UEQ(l.st.lost_markers, 0);
	ASSERT_UEQ(l.st.ts_backwards, 0);
	/* the header of the capture this excerpt comes from */
	ASSERT_UEQ(l.st.entries_in_buffer, 29352);
	ASSERT_UEQ(l.st.entries_written, 29352);
	data = slurp(fixture("capture.txt"), &len);
	ASSERT(data != NULL);
	sha256_init(&sha);
	sha256_update(&sha, data, len);
	sha256_hex(&sha, hex);
	free(data);
	ASSERT_STREQ(l.digest, hex);
	ASSERT_UEQ(l.bytes_total, len);
	ASSERT_UEQ(l.bytes_done, len);
	rlist_free(&l);
}

/* ---- events the capture does not hold, from the 6.18 formats ---- */

/*
 * tests/fixtures/ftrace/crafted-6.18.txt: lines written from the
 * TP_printk formats of Linux 6.18 (include/trace/events/kmem.h,
 * vmalloc.h, compaction.h, vmscan.h, writeback.h, percpu.h and the
 * ftrace print event), with the kernel's column layout.
 */
TEST(crafted_6_18_events)
{
	struct rlist l;
	struct op w;
	int i = 0;

	rlist_read(&l, fixture("crafted-6.18.txt"), NULL);
	ASSERT_READ_OK(&l);
	ASSERT_EQ(l.n, 22);

	/* a failed allocation: no page, pfn 0 */
	w = want(OP_ALLOC_PAGES, 13, 1, 2000000100000ULL);
	w.order = 9;
	w.has_order = true;
	w.migratetype = 1;
	w.flags = OPF_FAILED;
	w.gfp = (GFP_BIT_HIGHMEM | GFP_BIT_MOVABLE | GFP_BIT_IO | GFP_BIT_FS |
	    GFP_BIT_HARDWALL | GFP_BIT_COMP | GFP_BIT_NOMEMALLOC |
	    GFP_BIT_NOWARN | GFP_BIT_DIRECT_RECLAIM) | GFP_BIT_THISNODE;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_PAGE_ALLOC_EXTFRAG, 14, 0, 2000000200000ULL);
	w.pfn = 0x1c3a00;
	w.aux[0] = 0;
	w.aux[1] = 9;
	w.aux[2] = 1;
	w.aux[3] = 0;
	w.flags = OPF_OWNERSHIP;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_VMAP_PURGE, 15, 0, 2000000300000ULL);
	w.ptr = 0xffffc90000000000ULL;
	w.end = 0xffffc90007600000ULL;
	w.nr = 245;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_VMAP_ALLOC, 16, 1, 2000000400000ULL);
	w.bytes_req = 8192;
	w.align = 4096;
	w.flags = OPF_FAILED;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_COMPACTION_BEGIN, 17, 1, 2000000500000ULL);
	w.pfn = 0x100000;		/* zone_start */
	w.end = 0x640000;		/* zone_end */
	w.index = 0x100000;		/* migrate_pfn */
	w.nr = 0x63fe00;		/* free_pfn */
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_COMPACTION_END, 18, 1, 2000000600000ULL);
	w.pfn = 0x100000;
	w.end = 0x640000;
	w.index = 0x1a0000;
	w.nr = 0x5c0000;
	w.flags = OPF_SYNC;
	w.aux[0] = 8;			/* COMPACT_SUCCESS */
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_KCOMPACTD_WAKE, 19, 0, 2000000700000ULL);
	w.node = 0;
	w.order = 9;
	w.has_order = true;
	w.aux[0] = ZONE_NORMAL;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_KSWAPD_WAKE, 20, 0, 2000000800000ULL);
	w.node = 0;
	w.order = 3;
	w.has_order = true;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_KSWAPD_SLEEP, 21, 1, 2000000900000ULL);
	w.node = 0;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_WAKEUP_KSWAPD, 22, 0, 2000001000000ULL);
	w.node = 0;
	w.order = 3;
	w.has_order = true;
	w.gfp = GFP_KERNEL | GFP_BIT_NOWARN | GFP_BIT_NORETRY | GFP_BIT_COMP;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_DIRECT_RECLAIM_BEGIN, 23, 0, 2000001100000ULL);
	w.order = 3;
	w.has_order = true;
	w.gfp = GFP_KERNEL | GFP_BIT_COMP;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_DIRECT_RECLAIM_END, 24, 0, 2000001200000ULL);
	w.nr = 32;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_MARKER, 25, 1, 2000001300000ULL);
	ASSERT_OP(&l, i++, w, NULL, "kmsim phase: build begin");

	/* a bdi that is not MAJ:MIN is no error: dev 0, or sb_dev's */
	w = want(OP_DIRTY_FOLIO, 26, 1, 2000001400000ULL);
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_WRITEBACK_START, 27, 1, 2000001500000ULL);
	w.dev = 45;
	w.nr = 1024;
	w.flags = OPF_KUPDATE | OPF_BACKGROUND;
	w.aux[0] = WBR_PERIODIC;	/* reason=periodic */
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_PERCPU_ALLOC, 28, 0, 2000001600000ULL);
	w.ptr = 0xa1b2c3d4;
	w.bytes_req = 8;
	w.align = 8;
	w.bytes_alloc = 16;
	w.gfp = GFP_BIT_KSWAPD_RECLAIM | GFP_BIT_NOWARN;	/* GFP_NOWAIT */
	w.flags = OPF_RESERVED | OPF_ATOMIC;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_KMALLOC, 29, 0, 2000001700000ULL);
	w.ptr = 0xdeadbeef;
	w.bytes_req = 4000;
	w.bytes_alloc = 4096;
	w.gfp = 0;			/* "none" */
	w.node = 1;
	w.flags = OPF_ACCOUNTED;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	rlist_free(&l);
}

/* Task names: "<...>", spaces, dashes, a '[' in the name; CPU 1023. */
TEST(task_names_and_big_cpus)
{
	static const struct {
		unsigned long line;
		int cpu;
		uint64_t pfn;
		unsigned order;
	} cases[] = {
		{ 30, 0, 0x57725a, 2 },		/* <...>-1234 */
		{ 31, 0, 0x57725b, 0 },		/* Web Content-4242 */
		{ 32, 1, 0x57725c, 0 },		/* my-task-name-77 */
		{ 33, 2, 0x57725d, 0 },		/* x [007] y-55 */
		{ 34, 1023, 0x57725e, 1 },	/* stress-ng-9001 [1023] */
	};
	struct rlist l;
	struct op w;
	size_t i;

	rlist_read(&l, fixture("crafted-6.18.txt"), NULL);
	ASSERT_READ_OK(&l);
	ASSERT_EQ(l.n, 22);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		w = want(OP_FREE_PAGES, cases[i].line, cases[i].cpu,
		    2000001800000ULL + 100000 * i);
		w.pfn = w.id = cases[i].pfn;
		w.has_id = w.has_order = true;
		w.order = cases[i].order;
		ASSERT_OP(&l, 17 + i, w, NULL, NULL);
	}
	/* sched_switch and mm_vmscan_lru_isolate: counted, skipped */
	ASSERT_UEQ(l.st.unknown_events, 2);
	ASSERT_UEQ(l.st.events, 22);
	ASSERT_UEQ(l.st.lines, 36);
	ASSERT_UEQ(l.st.entries_in_buffer, 24);
	rlist_free(&l);
}

/* ---- older kernels ---- */

/*
 * tests/fixtures/ftrace/old-4.14.txt, from the formats of Linux 4.14
 * (include/trace/events/kmem.h, filemap.h, percpu.h, writeback.h,
 * vmscan.h): pfn=%lu in decimal, call_site=%lx, raw %p (no hashing
 * before 4.15; NULL printed "(null)" right-aligned in 16 columns),
 * kmalloc_node and kmem_cache_alloc_node as events of their own, no
 * node=/accounted=/name=, cold= in mm_page_free_batched, filemap's page=
 * and no order=, percpu without call_site/bytes_alloc/gfp_flags,
 * writeback_dirty_page, zid= in the kswapd events, no gfp_flags in
 * wakeup_kswapd, may_writepage= in direct_reclaim_begin, and the 4-column
 * flags and 5-column PID of the time.
 */
TEST(linux_4_14_formats)
{
	struct rlist l;
	struct op w;
	int i = 0;

	rlist_read(&l, fixture("old-4.14.txt"), NULL);
	ASSERT_READ_OK(&l);
	ASSERT_EQ(l.n, 17);

	w = want(OP_ALLOC_PAGES, 12, 2, 512345678000ULL);
	w.pfn = w.id = 1217052;
	w.has_id = w.has_order = true;
	w.migratetype = 0;
	w.gfp = GFP_KERNEL;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_ALLOC_PAGES, 13, 2, 512345680000ULL);	/* failed */
	w.order = 4;
	w.has_order = true;
	w.migratetype = 0;
	w.flags = OPF_FAILED;
	w.gfp = GFP_KERNEL | GFP_BIT_NOWARN | GFP_BIT_NORETRY | GFP_BIT_COMP;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_FREE_PAGES, 14, 2, 512345690000ULL);
	w.pfn = w.id = 1217052;
	w.has_id = w.has_order = true;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_PAGE_FREE_BATCHED, 15, 2, 512345691000ULL);
	w.pfn = w.id = 1217052;
	w.has_id = w.has_order = true;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_PAGE_ALLOC_ZONE_LOCKED, 16, 2, 512345700000ULL);
	w.pfn = 1217053;
	w.has_order = true;
	w.migratetype = 1;
	w.flags = OPF_PERCPU_REFILL;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_KMALLOC, 17, 2, 512345710000ULL);
	w.ptr = 0xffff88003a1c2e00ULL;
	w.bytes_req = 72;
	w.bytes_alloc = 96;
	w.gfp = GFP_KERNEL | GFP_BIT_ZERO;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_KMALLOC, 18, 2, 512345720000ULL);	/* kmalloc_node */
	w.ptr = 0xffff88003a1c3000ULL;
	w.bytes_req = 300;
	w.bytes_alloc = 512;
	w.gfp = GFP_KERNEL;
	w.node = 1;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_KMEM_CACHE_ALLOC, 19, 2, 512345730000ULL);
	w.ptr = 0xffff880036b7c540ULL;
	w.bytes_req = w.bytes_alloc = 192;
	w.gfp = GFP_KERNEL;
	ASSERT_OP(&l, i++, w, NULL, NULL);		/* no name */

	w = want(OP_KMEM_CACHE_ALLOC, 20, 2, 512345740000ULL);
	w.ptr = 0xffff880036b7c600ULL;
	w.bytes_req = w.bytes_alloc = 256;
	w.gfp = GFP_KERNEL;
	w.node = -1;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_KMEM_CACHE_FREE, 21, 2, 512345750000ULL);
	w.ptr = 0xffff880036b7c540ULL;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_KFREE, 22, 2, 512345760000ULL);	/* "(null)" */
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_FILEMAP_ADD, 23, 2, 512345770000ULL);
	w.dev = 8u << 20 | 1;
	w.ino = 0x83a5;
	w.pfn = 1217054;
	w.index = 2;
	ASSERT_OP(&l, i++, w, NULL, NULL);		/* no order= */

	w = want(OP_PERCPU_ALLOC, 24, 2, 512345780000ULL);
	w.ptr = 0x000060fed9a0c0f8ULL;
	w.bytes_req = 8;
	w.align = 8;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_DIRTY_FOLIO, 25, 2, 512345790000ULL);
	w.dev = 8u << 20;
	w.ino = 33701;
	w.index = 2;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_KSWAPD_WAKE, 26, 1, 512345800000ULL);
	w.node = 0;
	w.order = 3;
	w.has_order = true;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_WAKEUP_KSWAPD, 27, 2, 512345810000ULL);
	w.node = 0;
	w.order = 3;
	w.has_order = true;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_DIRECT_RECLAIM_BEGIN, 28, 2, 512345820000ULL);
	w.order = 3;
	w.has_order = true;
	w.gfp = GFP_KERNEL;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	ASSERT_UEQ(l.st.duplicate_frees, 1);
	rlist_free(&l);
}

/*
 * tests/fixtures/ftrace/v5.15.txt, from Linux 5.15's kmem.h: kmalloc
 * without node= and accounted=, kmalloc_node with node=, kmem_cache_alloc
 * without name=, kmem_cache_free with it; and gfp flags printed in hex.
 * No header: as trace_pipe prints it.
 */
TEST(linux_5_15_formats_and_hex_gfp)
{
	struct rlist l;
	struct op w;
	int i = 0;

	rlist_read(&l, fixture("v5.15.txt"), NULL);
	ASSERT_READ_OK(&l);
	ASSERT_EQ(l.n, 5);

	w = want(OP_KMALLOC, 1, 0, 300100000000ULL);
	w.ptr = 0x9d1c3e71;
	w.bytes_req = 40;
	w.bytes_alloc = 64;
	w.gfp = GFP_KERNEL_ACCOUNT_ | GFP_BIT_ZERO;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_KMALLOC, 2, 0, 300100010000ULL);
	w.ptr = 0xf1e2d3c4;
	w.bytes_req = w.bytes_alloc = 8192;
	w.gfp = GFP_KERNEL | GFP_BIT_ZERO;
	w.node = -1;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_KMEM_CACHE_ALLOC, 3, 0, 300100020000ULL);
	w.ptr = 0x11223344;
	w.bytes_req = w.bytes_alloc = 200;
	w.gfp = GFP_KERNEL;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_KMEM_CACHE_FREE, 4, 0, 300100030000ULL);
	w.ptr = 0x11223344;
	ASSERT_OP(&l, i++, w, "vm_area_struct", NULL);

	w = want(OP_ALLOC_PAGES, 5, 0, 300100040000ULL);
	w.pfn = w.id = 0x12345;
	w.has_id = w.has_order = true;
	w.migratetype = 0;
	w.gfp = GFP_KERNEL;		/* 0xcc0 */
	ASSERT_OP(&l, i++, w, NULL, NULL);

	ASSERT_UEQ(l.st.entries_in_buffer, 0);	/* no header */
	rlist_free(&l);
}

/* ---- other layouts ---- */

/*
 * tests/fixtures/ftrace/tracecmd-report.txt: `trace-cmd report` output:
 * its own header lines, no flags column, event names padded, "(caller)"
 * before the kmem events' fields, real pointers, "print:" for a marker,
 * "[n EVENTS DROPPED]", a nanosecond timestamp (report -t).
 */
TEST(trace_cmd_report)
{
	struct rlist l;
	struct op w;
	int i = 0;

	rlist_read(&l, fixture("tracecmd-report.txt"), NULL);
	ASSERT_READ_OK(&l);
	ASSERT_EQ(l.n, 6);

	w = want(OP_FREE_PAGES, 5, 1, 2388226991000ULL);
	w.pfn = w.id = 0x1283c2;
	w.has_id = w.has_order = true;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_KMALLOC, 6, 0, 2388227043000ULL);
	w.ptr = 0xffff888118254240ULL;
	w.bytes_req = 72;
	w.bytes_alloc = 96;
	w.gfp = GFP_KERNEL;
	w.node = -1;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_KFREE, 7, 0, 2388227050000ULL);
	w.ptr = 0xffff888118254240ULL;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	w = want(OP_KMEM_CACHE_ALLOC, 8, 0, 2388227060000ULL);
	w.ptr = 0xffff888103a0c000ULL;
	w.bytes_req = w.bytes_alloc = 4096;
	w.gfp = GFP_KERNEL;
	w.node = -1;
	ASSERT_OP(&l, i++, w, "names_cache", NULL);

	w = want(OP_MARKER, 9, 0, 2388227101000ULL);
	ASSERT_OP(&l, i++, w, NULL, "hello from trace-cmd");

	w = want(OP_ALLOC_PAGES, 11, 1, 2388227200123ULL);
	w.pfn = w.id = 0x1283c3;
	w.has_id = w.has_order = true;
	w.order = 1;
	w.migratetype = 1;
	w.gfp = GFP_KERNEL | GFP_BIT_HARDWALL | GFP_BIT_HIGHMEM |
	    GFP_BIT_MOVABLE | GFP_BIT_COMP;
	ASSERT_OP(&l, i++, w, NULL, NULL);

	ASSERT_UEQ(l.st.lost_markers, 1);
	ASSERT_UEQ(l.st.lost_events, 12);
	ASSERT_UEQ(l.st.unknown_events, 1);	/* print: __trace_puts */
	ASSERT_UEQ(l.st.lines, 12);
	rlist_free(&l);
}

/* trace_pipe: no header, LOST markers, CPUs merged out of order. */
TEST(trace_pipe_lost_events)
{
	struct rlist l;
	struct op w;

	rlist_read(&l, fixture("pipe.txt"), NULL);
	ASSERT_READ_OK(&l);
	ASSERT_EQ(l.n, 4);
	ASSERT_UEQ(l.st.lost_markers, 2);	/* one says how many */
	ASSERT_UEQ(l.st.lost_events, 123);
	ASSERT_UEQ(l.st.ts_backwards, 1);	/* accepted, counted */
	w = want(OP_KFREE, 3, 1, 100000050000ULL);
	w.ptr = 0xa0b0c0d0;
	ASSERT_OP(&l, 1, w, NULL, NULL);
	rlist_free(&l);
}

/* The header's counts say the ring buffer overwrote events. */
TEST(overwritten_ring_buffer)
{
	struct rlist l;

	rlist_read(&l, fixture("overwritten.txt"), NULL);
	ASSERT_READ_OK(&l);
	ASSERT_EQ(l.n, 3);
	ASSERT_UEQ(l.st.entries_in_buffer, 3);
	ASSERT_UEQ(l.st.entries_written, 4521);
	ASSERT_GT(l.st.entries_written, l.st.entries_in_buffer);
	ASSERT_UEQ(l.st.buffer_starts, 1);
	rlist_free(&l);
}

/* ---- bytes: CRLF, whitespace, compression, standard input ---- */

/* Two reads gave the same ops (the positions' lines included). */
static int same_ops(const struct rlist *a, const struct rlist *b, char *msg,
    size_t len)
{
	size_t i;

	if (a->n != b->n) {
		snprintf(msg, len, "%zu ops vs %zu", a->n, b->n);
		return -1;
	}
	for (i = 0; i < a->n; i++) {
		if (op_check(&b->v[i], &a->v[i].op,
		    a->v[i].op.name ? a->v[i].name : NULL,
		    a->v[i].op.text ? a->v[i].text : NULL, msg, len) != 0)
			return -1;
	}
	return 0;
}

TEST(crlf_and_trailing_whitespace)
{
	struct rlist a, b;
	char *data, *out, msg[256];
	size_t len, i, n = 0;
	int k = 0;

	data = slurp(fixture("capture.txt"), &len);
	ASSERT(data != NULL);
	out = malloc(3 * len + 1);
	for (i = 0; i < len; i++) {
		if (data[i] == '\n') {
			/* some lines: trailing blanks, all: CRLF */
			if (k++ % 3 == 0) {
				out[n++] = ' ';
				out[n++] = '\t';
			}
			out[n++] = '\r';
		}
		out[n++] = data[i];
	}
	write_file(tmp_path("crlf.txt"), out, n);
	free(data);
	free(out);
	rlist_read(&a, fixture("capture.txt"), NULL);
	rlist_read(&b, tmp_path("crlf.txt"), NULL);
	ASSERT_READ_OK(&b);
	if (same_ops(&a, &b, msg, sizeof msg) != 0)
		TAP_FAIL("%s", msg);
	ASSERT_STREQ(b.v[0].name, "lsm_file_cache");	/* no '\r' kept */
	rlist_free(&a);
	rlist_free(&b);
}

/* Compressed copies made with the gzip, xz and zstd tools read alike. */
TEST(compressed_copies)
{
	static const struct {
		const char *tool, *codec, *ext;
	} tools[] = {
		{ "gzip", "gzip", "gz" }, { "xz", "xz", "xz" },
		{ "zstd", "zstd", "zst" },
	};
	struct rlist a, b;
	char cmd[3 * PATH_MAX + 64], msg[256], name[64];
	size_t i;
	int tried = 0;

	rlist_read(&a, fixture("crafted-6.18.txt"), NULL);
	ASSERT_READ_OK(&a);
	for (i = 0; i < ARRAY_SIZE(tools); i++) {
		if (strstr(instream_codecs_available(),
		    tools[i].codec) == NULL) {
			printf("# %s: not built in, not tried\n",
			    tools[i].codec);
			continue;
		}
		snprintf(name, sizeof name, "crafted.%s", tools[i].ext);
		snprintf(cmd, sizeof cmd, "%s -c < '%s' > '%s' 2>/dev/null",
		    tools[i].tool, fixture("crafted-6.18.txt"), tmp_path(name));
		if (system(cmd) != 0) {
			printf("# %s: the tool is missing, not tried\n",
			    tools[i].tool);
			continue;
		}
		tried++;
		rlist_read(&b, tmp_path(name), NULL);
		ASSERT_READ_OK(&b);
		ASSERT_STREQ(b.format, "ftrace-text");
		if (same_ops(&a, &b, msg, sizeof msg) != 0)
			TAP_FAIL("%s: %s", name, msg);
		ASSERT_UEQ(b.st.unknown_events, 2);
		rlist_free(&b);
	}
	printf("# %d compressed copies read\n", tried);
	rlist_free(&a);
}

TEST(standard_input)
{
	struct rlist l;
	int fd, saved;

	saved = dup(0);
	fd = open(fixture("pipe.txt"), 0);
	ASSERT(fd >= 0 && saved >= 0);
	dup2(fd, 0);
	close(fd);
	rlist_read(&l, "-", NULL);
	dup2(saved, 0);
	close(saved);
	clearerr(stdin);
	ASSERT_READ_OK(&l);
	ASSERT_EQ(l.n, 4);
	ASSERT_STREQ(l.v[0].file, "<stdin>");
	ASSERT_UEQ(l.st.lost_events, 123);
	rlist_free(&l);
}

/* ---- errors: FILE:LINE:COL, and what lenient reading skips ---- */

#define CTX "            bash-12295   [001] .....  1244.710310: "

TEST(error_positions_and_messages)
{
	const char *t;

	t = "            bash-12295   [001] .....  oops: kfree: ptr=0\n";
	ASSERT_ERROR_AT("e1.txt", t, 1, col_of(t, "oops"),
	    "missing timestamp");
	t = "# tracer: nop\n" CTX "mm_page_alloc: page=0000000058630d82 "
	    "pfn=0x17a41e order=0 migra\n";
	ASSERT_ERROR_AT("e2.txt", t, 2, (int)strlen(strchr(t, '\n') + 1),
	    "missing field 'migratetype' in mm_page_alloc");
	t = "# tracer: nop\n" CTX "\n";
	ASSERT_ERROR_AT("e3.txt", t, 2, col_of(CTX, ": ") + 1,
	    "truncated line: no event after the timestamp");
	t = "# tracer: nop\n" CTX "mm_page_al\n";
	ASSERT_ERROR_AT("e4.txt", t, 2, (int)strlen(CTX) + 1,
	    "truncated line: no ':' after the event name");
	t = CTX "mm_page_free: page=00000000e4ae67a7 pfn=0x57725a order=x\n";
	ASSERT_ERROR_AT("e5.txt", t, 1, col_of(t, "x\n"),
	    "bad value 'x' for 'order' in mm_page_free");
	t = CTX "mm_page_free: page=0 pfn=0x1ffffffffffffffff order=0\n";
	ASSERT_ERROR_AT("e6.txt", t, 1, col_of(t, "0x1ff"),
	    "value '0x1ffffffffffffffff' of 'pfn' in mm_page_free is out of "
	    "range");
	t = CTX "kmalloc: call_site=f+0x1/0x2 ptr=0000000000000001 "
	    "bytes_req=18446744073709551616 bytes_alloc=8 "
	    "gfp_flags=GFP_KERNEL\n";
	ASSERT_ERROR_AT("e7.txt", t, 1, col_of(t, "18446744073709551616"),
	    "value '18446744073709551616' of 'bytes_req' in kmalloc is out of "
	    "range");
	t = CTX "mm_page_free: page=0 pfn=0x10 order=64\n";
	ASSERT_ERROR_AT("e8.txt", t, 1, col_of(t, "64"),
	    "value '64' of 'order' in mm_page_free is out of range");
	t = CTX "mm_page_alloc: page=0 pfn=0x10 order=0 migratetype=0 "
	    "gfp_flags=GFP_KERNEL|GFP_BOGUS\n";
	ASSERT_ERROR_AT("e9.txt", t, 1, col_of(t, "GFP_KERNEL|"),
	    "unknown gfp flag 'GFP_BOGUS' in mm_page_alloc");
	t = CTX "kfree: call_site=f+0x1/0x2\n";
	ASSERT_ERROR_AT("e10.txt", t, 1, (int)strlen(t),
	    "missing field 'ptr' in kfree");
	t = CTX "mm_filemap_add_to_page_cache: dev 254x0 ino 3c53d "
	    "pfn=0x576a35 ofs=860160 order=0\n";
	ASSERT_ERROR_AT("e11.txt", t, 1, col_of(t, "254x0"),
	    "bad value '254x0' for 'dev' in mm_filemap_add_to_page_cache");
	t = "            bash-12295   [001] ..... 99999999999.000000: "
	    "kfree: call_site=f ptr=0\n";
	ASSERT_ERROR_AT("e12.txt", t, 1, col_of(t, "999"),
	    "timestamp out of range");
	t = "            bash-12295   [99999999999] ..... 1.000000: "
	    "kfree: call_site=f ptr=0\n";
	ASSERT_ERROR_AT("e13.txt", t, 1, col_of(t, "999"), "bad CPU number");
	t = CTX "kmem_cache_free: call_site=f ptr=(bogus) name=x\n";
	ASSERT_ERROR_AT("e14.txt", t, 1, col_of(t, "(bogus)"),
	    "bad value '(bogus)' for 'ptr' in kmem_cache_free");
}

TEST(error_not_ftrace_binary_nul_long_line)
{
	char *text, *got, want[512];
	const char *t;
	size_t n;

	/* junk and binary data: refused at line 1, lenient or not */
	t = "hello, world\nthis is not a trace\n";
	ASSERT_ERROR_AT("junk.txt", t, 1, 0, "not an ftrace event line");
	got = error_of("junk.txt", t, true);
	snprintf(want, sizeof want, "%s:1: not an ftrace event line",
	    tmp_path("junk.txt"));
	ASSERT(got != NULL);
	ASSERT_STREQ(got, want);
	free(got);
	/* a trace.dat: its 10-byte magic, '6' (the version), a NUL */
	write_file(tmp_path("bin.dat"), "\x17\x08\x44tracing6\0\0\0\x04", 16);
	got = error_of("bin2.dat", "", false);	/* (empty: no error) */
	ASSERT(got == NULL);
	{
		struct rlist l;

		rlist_read_ftrace(&l, tmp_path("bin.dat"), NULL);
		snprintf(want, sizeof want,
		    "%s:1:12: binary data, not ftrace text",
		    tmp_path("bin.dat"));
		ASSERT_STREQ(l.cause, want);
		rlist_free(&l);
	}
	/* a NUL byte further on */
	text = malloc(256);
	n = (size_t)snprintf(text, 256, "%s", CTX "kfree: call_site=f ptr=0\n"
	    CTX "kfree: call_site=f ptr=0");
	text[n - 3] = '\0';
	text[n++] = '\n';
	write_file(tmp_path("nul.txt"), text, n);
	{
		struct rlist l;

		rlist_read_ftrace(&l, tmp_path("nul.txt"), NULL);
		snprintf(want, sizeof want, "%s:2:%d: NUL byte in the line",
		    tmp_path("nul.txt"), (int)strlen(CTX "kfree: call_site=f "
		    "ptr"));
		ASSERT_EQ(l.n, 1);
		ASSERT_STREQ(l.cause, want);
		rlist_free(&l);
	}
	free(text);
	/* a line too long */
	n = 70000;
	text = malloc(n + 200);
	memcpy(text, CTX "kfree: call_site=", strlen(CTX "kfree: call_site="));
	memset(text + strlen(CTX "kfree: call_site="), 'a', n);
	strcpy(text + strlen(CTX "kfree: call_site=") + n, " ptr=0\n");
	ASSERT_ERROR_AT("long.txt", text, 1, 0, "line longer than 65536 bytes");
	free(text);
}

TEST(error_is_sticky)
{
	struct trace_source *ts;
	char *c1 = NULL, *c2 = NULL;
	struct op op;
	const char *t = CTX "kfree: call_site=f\n" CTX "kfree: ptr=0\n";

	write_file(tmp_path("sticky.txt"), t, strlen(t));
	ts = trace_ftrace_open(tmp_path("sticky.txt"), NULL, &c1);
	ASSERT(ts != NULL);
	ASSERT_EQ(trace_next(ts, &op, &c1), -1);
	ASSERT_EQ(trace_next(ts, &op, &c2), -1);
	ASSERT(c1 != NULL && c2 != NULL);
	ASSERT_STREQ(c1, c2);
	free(c1);
	free(c2);
	trace_close(ts);
}

/* Lenient: each bad line is skipped and counted; the good ones read. */
TEST(lenient_skips_and_counts)
{
	struct trace_options opt = { .lenient = true, .page_shift = 12 };
	struct rlist l;
	char *text;
	size_t n, cap = 200000;

	text = malloc(cap);
	n = (size_t)snprintf(text, cap, "%s",
	    "# tracer: nop\n"
	    CTX "kfree: call_site=f ptr=0000000000000001\n"
	    CTX "kfree: call_site=f ptr=zz\n"			/* bad */
	    CTX "mm_page_free: page=0 pfn=0x10 order=0\n"
	    "            bash-12295   [001] ..... nope: kfree: " /* bad */
	    "ptr=0\n"
	    CTX "mm_page_free: page=0 pfn=0x10\n"		/* bad */
	    "random words\n"					/* bad */
	    CTX "kfree: call_site=f ptr=0000000000000002\n");
	/* a line too long and one with a NUL, both bad */
#define LONG_START CTX "kfree: call_site="
	memcpy(text + n, LONG_START, strlen(LONG_START));
	n += strlen(LONG_START);
#undef LONG_START
	memset(text + n, 'b', 100000);
	n += 100000;
	n += (size_t)snprintf(text + n, cap - n, " ptr=0\n");
	n += (size_t)snprintf(text + n, cap - n, CTX "kfree: ptr=X\n");
	text[n - 4] = '\0';
	n += (size_t)snprintf(text + n, cap - n,
	    CTX "kfree: call_site=f ptr=0000000000000003");	/* no '\n' */
	write_file(tmp_path("lenient.txt"), text, n);
	free(text);

	rlist_read_ftrace(&l, tmp_path("lenient.txt"), &opt);
	ASSERT_READ_OK(&l);
	ASSERT_EQ(l.n, 4);
	ASSERT_UEQ(l.st.malformed, 6);
	ASSERT_UEQ(l.st.lines, 11);
	ASSERT_UEQ(l.v[0].op.ptr, 1);
	ASSERT_UEQ(l.v[2].op.ptr, 2);
	ASSERT_EQ(l.v[2].op.pos.line, 8);
	ASSERT_UEQ(l.v[3].op.ptr, 3);
	ASSERT_EQ(l.v[3].op.pos.line, 11);
	rlist_free(&l);

	/* the same strictly: the first bad line */
	opt.lenient = false;
	rlist_read_ftrace(&l, tmp_path("lenient.txt"), &opt);
	ASSERT_EQ(l.rc, -1);
	ASSERT_EQ(l.n, 1);
	ASSERT_CONTAINS(l.cause, "lenient.txt:3:");
	rlist_free(&l);
}

/* ---- choosing the reader ---- */

TEST(sniffing)
{
	static const char *const yes[] = {
		"# tracer: nop\n#\n",
		"            bash-12295   [001] .....  1244.710310: kfree: x\n",
		"\n\n  bash-1 [000] 1.5: kfree: x\n",
		"cpus=2\n          <idle>-0     [001]  1.000001: x: y\n",
		"version = 6\n",
		"CPU:1 [LOST 12 EVENTS]\n",
		"# a comment\n"
		"# entries-in-buffer/entries-written: 1/1   #P:2\n",
	};
	static const char *const no[] = {
		"", "\n\n", "ops:\n  - {op: alloc_pages}\n",
		"# expect: 3:1: something\nops: []\n",
		"kmsim-trace: 1\n", "- [1, 2]\n", "# just a comment\n",
		"\x17\x08\x44tracing6",
	};
	char path[4096], *data;
	const char *top = getenv("top_srcdir");
	struct dirent *de;
	size_t i, len;
	DIR *d;
	int n = 0;

	for (i = 0; i < ARRAY_SIZE(yes); i++)
		if (!trace_ftrace_sniff(yes[i], strlen(yes[i])))
			TAP_FAIL("not sniffed as ftrace: \"%s\"", yes[i]);
	for (i = 0; i < ARRAY_SIZE(no); i++)
		if (trace_ftrace_sniff(no[i], strlen(no[i])))
			TAP_FAIL("sniffed as ftrace: \"%s\"", no[i]);
	/* every YAML fixture stays YAML */
	snprintf(path, sizeof path, "%s/tests/fixtures/trace",
	    top ? top : "..");
	d = opendir(path);
	ASSERT(d != NULL);
	while ((de = readdir(d)) != NULL) {
		if (strstr(de->d_name, ".yaml") == NULL)
			continue;
		snprintf(path, sizeof path, "%s/tests/fixtures/trace/%s",
		    top ? top : "..", de->d_name);
		data = slurp(path, &len);
		ASSERT(data != NULL);
		if (trace_ftrace_sniff(data, len < 4096 ? len : 4096))
			TAP_FAIL("%s sniffed as ftrace", de->d_name);
		free(data);
		n++;
	}
	closedir(d);
	ASSERT_GT(n, 10);
}

/* filemap's ofs is in bytes: the index depends on the page size. */
TEST(page_shift_option)
{
	struct trace_options opt = { .lenient = false, .page_shift = 14 };
	struct rlist l;

	rlist_read(&l, fixture("capture.txt"), &opt);
	ASSERT_READ_OK(&l);
	ASSERT_EQ(l.v[13].op.type, OP_FILEMAP_ADD);
	ASSERT_UEQ(l.v[13].op.index, 860160 >> 14);
	rlist_free(&l);
}

/* ---- a whole real capture ---- */

/*
 * tests/fixtures/ftrace/small.trace.xz: a real capture of 29,352 events
 * on a Linux 6.18 x86-64 VM (2 CPUs).  The counts below are the
 * kernel's: counted independently of kmsim with awk over the capture's
 * text, one per event name.  kmsim maps every event of the capture to an
 * op, so its counts per op type must be exactly these.
 */
TEST(whole_small_capture)
{
	static const struct {
		enum op_type type;
		unsigned long count;
	} counts[] = {
		{ OP_ALLOC_PAGES, 5865 },	/* mm_page_alloc */
		{ OP_KMEM_CACHE_ALLOC, 4133 },	/* kmem_cache_alloc */
		{ OP_FREE_PAGES, 3516 },	/* mm_page_free */
		{ OP_PAGE_FREE_BATCHED, 3206 },	/* ..._free_batched */
		{ OP_KFREE, 3094 },		/* kfree */
		{ OP_KMEM_CACHE_FREE, 2767 },	/* kmem_cache_free */
		{ OP_FILEMAP_ADD, 2360 },	/* mm_filemap_add_to_... */
		{ OP_KMALLOC, 2167 },		/* kmalloc */
		{ OP_PAGE_PCPU_DRAIN, 2016 },	/* mm_page_pcpu_drain */
		{ OP_PAGE_ALLOC_ZONE_LOCKED, 126 }, /* ..._zone_locked */
		{ OP_PERCPU_FREE, 28 },		/* percpu_free_percpu */
		{ OP_PERCPU_ALLOC, 28 },	/* percpu_alloc_percpu */
		{ OP_DIRTY_FOLIO, 21 },		/* ..._dirty_folio */
		{ OP_WRITEBACK_WRITTEN, 4 },	/* writeback_written */
		{ OP_WRITEBACK_START, 4 },	/* writeback_start */
		{ OP_WRITEBACK_INODE_START, 4 }, /* ..._inode_start */
		{ OP_WRITEBACK_INODE, 4 },	/* writeback_single_inode */
		{ OP_FILEMAP_DELETE, 3 },	/* mm_filemap_delete_... */
		{ OP_VMAP_FREE, 3 },		/* free_vmap_area_noflush */
		{ OP_VMAP_ALLOC, 3 },		/* alloc_vmap_area */
	};
	unsigned long per[OP_NR] = { 0 }, total = 0, failed = 0, nulls = 0;
	uint64_t last = 0;
	struct timespec t0, t1;
	struct rlist l;
	double s;
	size_t i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	rlist_read(&l, fixture("small.trace.xz"), NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ASSERT_READ_OK(&l);
	for (i = 0; i < l.n; i++) {
		const struct op *o = &l.v[i].op;

		per[o->type]++;
		if (o->ts_ns < last)
			TAP_FAIL("line %lu: time goes backwards", o->pos.line);
		last = o->ts_ns;
		if (o->cpu != 0 && o->cpu != 1)
			TAP_FAIL("line %lu: cpu %d", o->pos.line, o->cpu);
		if (o->pos.line != i + 13)	/* 12 header lines */
			TAP_FAIL("op %zu: line %lu", i, o->pos.line);
		failed += (o->flags & OPF_FAILED) != 0;
		nulls += o->type == OP_KFREE && o->ptr == 0;
	}
	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		if (per[counts[i].type] != counts[i].count)
			TAP_FAIL("%s: %lu, the kernel logged %lu",
			    op_names[counts[i].type], per[counts[i].type],
			    counts[i].count);
		total += counts[i].count;
	}
	ASSERT_EQ(total, 29352);
	ASSERT_EQ(l.n, 29352);
	ASSERT_UEQ(l.st.events, 29352);
	ASSERT_UEQ(l.st.lines, 29364);
	ASSERT_UEQ(l.st.unknown_events, 0);
	ASSERT_UEQ(l.st.duplicate_frees, 3206);
	ASSERT_UEQ(l.st.entries_in_buffer, 29352);
	ASSERT_UEQ(l.st.entries_written, 29352);
	ASSERT_UEQ(l.st.lost_markers, 0);
	ASSERT_UEQ(l.st.ts_backwards, 0);
	ASSERT_EQ(failed, 0);
	ASSERT_GT(nulls, 0);			/* kfree(NULL) happens */
	ASSERT_UEQ(l.v[0].op.ts_ns, 1244710258000ULL);	/* first_ts */
	ASSERT_UEQ(l.v[l.n - 1].op.ts_ns, 1245775052000ULL); /* last_ts */
	s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("# small capture: %lu lines, xz-compressed, read in %.3f s "
	    "(%.2f M lines/s; a figure, not a check)\n",
	    (unsigned long)l.st.lines, s, s > 0 ? l.st.lines / s / 1e6 : 0.0);
	rlist_free(&l);
}

int main(void)
{
	char cmd[128];

	snprintf(tmpdir, sizeof tmpdir, "%s", "/tmp/kmsim-ftrace.XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	RUN(capture_every_kind);
	RUN(capture_stats_digest_and_progress);
	RUN(crafted_6_18_events);
	RUN(task_names_and_big_cpus);
	RUN(linux_4_14_formats);
	RUN(linux_5_15_formats_and_hex_gfp);
	RUN(trace_cmd_report);
	RUN(trace_pipe_lost_events);
	RUN(overwritten_ring_buffer);
	RUN(crlf_and_trailing_whitespace);
	RUN(compressed_copies);
	RUN(standard_input);
	RUN(error_positions_and_messages);
	RUN(error_not_ftrace_binary_nul_long_line);
	RUN(error_is_sticky);
	RUN(lenient_skips_and_counts);
	RUN(sniffing);
	RUN(page_shift_option);
	RUN(whole_small_capture);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return tap_done();
}
