/*
 * trace_dat.c - trace-cmd's binary trace.dat (kmsim-trace(5), TRACE.DAT),
 * read through libtracecmd and libtraceevent.
 *
 * Every field is decoded from the event's own format as the file recorded
 * it (the traced kernel's events/<system>/<event>/format), never from
 * printed text, so what moves between kernel versions (offsets, sizes,
 * signedness) is the format's business.  GFP flags are translated bit by
 * bit through the names the event's print format gives each bit, so a
 * kernel that numbers its __GFP_ bits differently still yields kmsim's
 * flags, exactly as a text reader parsing the names would; symbolic
 * values (compaction status, zone) likewise go through their names.  The
 * ops are those trace_ftrace.c makes of the same events, field for field.
 *
 * Records are merged across CPUs in timestamp order (equal timestamps: the
 * lower CPU first, as trace-cmd report orders them) with a small heap.
 * libtracecmd needs a seekable file: a compressed trace.dat, or one on
 * standard input, is first copied, decoded, into an unlinked temporary
 * file in $TMPDIR.  Before libtracecmd sees a file its layout is checked
 * against its size (libtracecmd crashes on some truncated files, and does
 * not notice others), and every call into the libraries that reads the
 * file runs under a guard that turns a crash inside them into an error
 * (see "surviving the libraries" below).
 */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trace/instream.h"
#include "kmsim.h"
#include "trace/trace.h"

bool trace_dat_sniff(const unsigned char *buf, size_t len)
{
	return len >= TRACE_DAT_MAGIC_LEN &&
	    memcmp(buf, TRACE_DAT_MAGIC, TRACE_DAT_MAGIC_LEN) == 0;
}

struct trace_source *trace_dat_open(const char *path,
    const struct trace_options *opt, char **cause)
{
	struct instream *in;

	in = instream_open(path, cause);
	if (in == NULL)
		return NULL;
	return trace_dat_open_stream(in, opt, cause);
}

#ifndef HAVE_TRACECMD

struct trace_source *trace_dat_open_stream(struct instream *in,
    const struct trace_options *opt, char **cause)
{
	const char *name = in->is_stdin ? "<stdin>" : in->path;

	(void)opt;
	if (trace_dat_sniff(in->peek, in->peek_len))
		kmsim_fail(cause, "%s: a trace-cmd trace.dat file, but kmsim "
		    "was built without libtracecmd", name);
	else
		kmsim_fail(cause, "%s: not a trace-cmd trace.dat file (and "
		    "kmsim was built without libtracecmd)", name);
	instream_close(in);
	return NULL;
}

#else /* HAVE_TRACECMD */

#include <trace-cmd.h>
#ifdef HAVE_ZLIB
#include <zlib.h>
#endif
#ifdef HAVE_ZSTD
#include <zstd.h>
#endif

#include "sha256.h"

#define DAT_SLOTS	8	/* fields an event mapping reads */
#define DAT_HEADER	64	/* bytes read to check the magic and version */
#define DAT_MAX_ID	65535	/* the largest event id (an unsigned short) */
#define DAT_COPYBUF	65536

/* The events kmsim reads, and the op each becomes. */
enum dat_kind {
	DK_PAGE_ALLOC,
	DK_PAGE_FREE,
	DK_PAGE_FREE_BATCHED,
	DK_ZONE_LOCKED,
	DK_PCPU_DRAIN,
	DK_EXTFRAG,
	DK_KMALLOC,
	DK_KFREE,
	DK_CACHE_ALLOC,
	DK_CACHE_FREE,
	DK_VMAP_ALLOC,
	DK_VMAP_FREE,
	DK_VMAP_PURGE,
	DK_PERCPU_ALLOC,
	DK_PERCPU_FREE,
	DK_FILEMAP,
	DK_DIRTY,
	DK_WB,
	DK_WB_INODE,
	DK_COMPACTION,
	DK_KSWAPD_WAKE,
	DK_KSWAPD_SLEEP,
	DK_RECLAIM_BEGIN,
	DK_RECLAIM_END,
	DK_WAKEUP_KSWAPD,
	DK_KCOMPACTD_WAKE,
	DK_MARKER
};

/*
 * One event: its fields by slot (the decoder of the kind knows what each
 * slot means), and which slots the op cannot do without.
 */
struct dat_def {
	const char *system;
	const char *name;
	enum dat_kind kind;
	enum op_type type;
	const char *field[DAT_SLOTS];
	unsigned required;	/* 1 << slot */
	int gfp_slot;		/* the slot of gfp_flags, or -1 */
};

#define REQ(n) (1u << (n))

/* Slots are listed in the order each kind's decoder reads them. */
static const struct dat_def dat_defs[] = {
	{ "kmem", "mm_page_alloc", DK_PAGE_ALLOC, OP_ALLOC_PAGES,
	  { "pfn", "order", "gfp_flags", "migratetype" },
	  REQ(1) | REQ(2), 2 },
	{ "kmem", "mm_page_free", DK_PAGE_FREE, OP_FREE_PAGES,
	  { "pfn", "order" }, REQ(0) | REQ(1), -1 },
	{ "kmem", "mm_page_free_batched", DK_PAGE_FREE_BATCHED,
	  OP_PAGE_FREE_BATCHED, { "pfn" }, REQ(0), -1 },
	{ "kmem", "mm_page_alloc_zone_locked", DK_ZONE_LOCKED,
	  OP_PAGE_ALLOC_ZONE_LOCKED,
	  { "pfn", "order", "migratetype", "percpu_refill" },
	  REQ(0) | REQ(1), -1 },
	{ "kmem", "mm_page_pcpu_drain", DK_PCPU_DRAIN, OP_PAGE_PCPU_DRAIN,
	  { "pfn", "order", "migratetype" }, REQ(0) | REQ(1), -1 },
	{ "kmem", "mm_page_alloc_extfrag", DK_EXTFRAG, OP_PAGE_ALLOC_EXTFRAG,
	  { "pfn", "alloc_order", "fallback_order", "alloc_migratetype",
	    "fallback_migratetype", "change_ownership" },
	  REQ(1) | REQ(2) | REQ(3) | REQ(4), -1 },
	{ "kmem", "kmalloc", DK_KMALLOC, OP_KMALLOC,
	  { "ptr", "bytes_req", "bytes_alloc", "gfp_flags", "node",
	    "accounted" }, REQ(0) | REQ(1) | REQ(2), 3 },
	{ "kmem", "kmalloc_node", DK_KMALLOC, OP_KMALLOC,
	  { "ptr", "bytes_req", "bytes_alloc", "gfp_flags", "node",
	    "accounted" }, REQ(0) | REQ(1) | REQ(2), 3 },
	{ "kmem", "kfree", DK_KFREE, OP_KFREE, { "ptr" }, REQ(0), -1 },
	{ "kmem", "kmem_cache_alloc", DK_CACHE_ALLOC, OP_KMEM_CACHE_ALLOC,
	  { "ptr", "bytes_req", "bytes_alloc", "gfp_flags", "node",
	    "accounted", "name" }, REQ(0) | REQ(1) | REQ(2), 3 },
	{ "kmem", "kmem_cache_alloc_node", DK_CACHE_ALLOC, OP_KMEM_CACHE_ALLOC,
	  { "ptr", "bytes_req", "bytes_alloc", "gfp_flags", "node",
	    "accounted", "name" }, REQ(0) | REQ(1) | REQ(2), 3 },
	{ "kmem", "kmem_cache_free", DK_CACHE_FREE, OP_KMEM_CACHE_FREE,
	  { "ptr", "name" }, REQ(0), -1 },
	{ "vmalloc", "alloc_vmap_area", DK_VMAP_ALLOC, OP_VMAP_ALLOC,
	  { "addr", "size", "align", "failed" }, REQ(0) | REQ(1), -1 },
	{ "vmalloc", "free_vmap_area_noflush", DK_VMAP_FREE, OP_VMAP_FREE,
	  { "va_start", "nr_lazy" }, REQ(0), -1 },
	{ "vmalloc", "purge_vmap_area_lazy", DK_VMAP_PURGE, OP_VMAP_PURGE,
	  { "start", "end", "npurged" }, REQ(0) | REQ(1), -1 },
	{ "percpu", "percpu_alloc_percpu", DK_PERCPU_ALLOC, OP_PERCPU_ALLOC,
	  { "ptr", "size", "align", "bytes_alloc", "gfp_flags", "reserved",
	    "is_atomic" }, REQ(0) | REQ(1), 4 },
	{ "percpu", "percpu_free_percpu", DK_PERCPU_FREE, OP_PERCPU_FREE,
	  { "ptr" }, REQ(0), -1 },
	{ "filemap", "mm_filemap_add_to_page_cache", DK_FILEMAP,
	  OP_FILEMAP_ADD, { "s_dev", "i_ino", "index", "pfn", "order" },
	  REQ(0) | REQ(1) | REQ(2), -1 },
	{ "filemap", "mm_filemap_delete_from_page_cache", DK_FILEMAP,
	  OP_FILEMAP_DELETE, { "s_dev", "i_ino", "index", "pfn", "order" },
	  REQ(0) | REQ(1) | REQ(2), -1 },
	{ "writeback", "writeback_dirty_folio", DK_DIRTY, OP_DIRTY_FOLIO,
	  { "name", "ino", "index" }, REQ(1) | REQ(2), -1 },
	{ "writeback", "writeback_dirty_page", DK_DIRTY, OP_DIRTY_FOLIO,
	  { "name", "ino", "index" }, REQ(1) | REQ(2), -1 },
	{ "writeback", "writeback_start", DK_WB, OP_WRITEBACK_START,
	  { "name", "nr_pages", "sync_mode", "for_kupdate", "for_background",
	    "sb_dev", "reason" }, REQ(1), -1 },
	{ "writeback", "writeback_written", DK_WB, OP_WRITEBACK_WRITTEN,
	  { "name", "nr_pages", "sync_mode", "for_kupdate", "for_background",
	    "sb_dev", "reason" }, REQ(1), -1 },
	{ "writeback", "writeback_single_inode_start", DK_WB_INODE,
	  OP_WRITEBACK_INODE_START,
	  { "name", "ino", "writeback_index", "nr_to_write" },
	  REQ(1) | REQ(3), -1 },
	{ "writeback", "writeback_single_inode", DK_WB_INODE,
	  OP_WRITEBACK_INODE, { "name", "ino", "writeback_index", "wrote" },
	  REQ(1) | REQ(3), -1 },
	{ "compaction", "mm_compaction_begin", DK_COMPACTION,
	  OP_COMPACTION_BEGIN,
	  { "zone_start", "migrate_pfn", "free_pfn", "zone_end", "sync" },
	  REQ(0) | REQ(1) | REQ(2) | REQ(3) | REQ(4), -1 },
	{ "compaction", "mm_compaction_end", DK_COMPACTION, OP_COMPACTION_END,
	  { "zone_start", "migrate_pfn", "free_pfn", "zone_end", "sync",
	    "status" }, REQ(0) | REQ(1) | REQ(2) | REQ(3) | REQ(4) | REQ(5),
	  -1 },
	{ "vmscan", "mm_vmscan_kswapd_wake", DK_KSWAPD_WAKE, OP_KSWAPD_WAKE,
	  { "nid", "order" }, REQ(0) | REQ(1), -1 },
	{ "vmscan", "mm_vmscan_kswapd_sleep", DK_KSWAPD_SLEEP,
	  OP_KSWAPD_SLEEP, { "nid" }, REQ(0), -1 },
	{ "vmscan", "mm_vmscan_direct_reclaim_begin", DK_RECLAIM_BEGIN,
	  OP_DIRECT_RECLAIM_BEGIN, { "order", "gfp_flags" },
	  REQ(0) | REQ(1), 1 },
	{ "vmscan", "mm_vmscan_direct_reclaim_end", DK_RECLAIM_END,
	  OP_DIRECT_RECLAIM_END, { "nr_reclaimed" }, REQ(0), -1 },
	{ "vmscan", "mm_vmscan_wakeup_kswapd", DK_WAKEUP_KSWAPD,
	  OP_WAKEUP_KSWAPD, { "nid", "order", "gfp_flags" },
	  REQ(0) | REQ(1) | REQ(2), 2 },
	{ "compaction", "mm_compaction_kcompactd_wake", DK_KCOMPACTD_WAKE,
	  OP_KCOMPACTD_WAKE,
	  { "nid", "order", "highest_zoneidx", "classzone_idx" },
	  REQ(0) | REQ(1), -1 },
	{ "ftrace", "print", DK_MARKER, OP_MARKER, { "buf", "ip" },
	  REQ(0), -1 },
};

/* An event of the file that kmsim reads, its fields resolved. */
struct dat_event {
	const struct dat_def *def;
	struct tep_event *event;
	struct tep_format_field *f[DAT_SLOTS];
	/* each field's __print_symbolic() table, or NULL */
	const struct tep_print_flag_sym *symbols[DAT_SLOTS];
	int missing;		/* a required slot the format lacks, or -1 */
	bool gfp_identity;	/* the kernel's GFP bits are kmsim's */
	gfp_t gfp_map[32];	/* kernel GFP bit -> kmsim flags */
	int accounted;		/* kmalloc: see arg_accounted() */
};

/* A growable string, for what an op borrows until the next call. */
struct dat_buf {
	char *p;
	size_t cap;
};

struct trace_dat {
	struct trace_source ts;
	struct tracecmd_input *handle;
	struct tep_handle *tep;
	int ncpus;
	struct tep_record **next;	/* per CPU: its next record or NULL */
	int *heap;			/* CPUs with a next record, by ts */
	int nheap;
	bool primed;			/* next[] has been filled */
	struct tep_record *cur;		/* the record of the last op */
	uint64_t nrecords;		/* records taken so far */

	struct dat_event *events;	/* the events kmsim reads */
	size_t nevents;
	struct dat_event **by_id;	/* event id -> events[], or NULL */
	int max_id;

	bool lenient;
	struct trace_stats stats;
	struct dat_buf name;		/* op->name */
	struct dat_buf text;		/* op->text */
	char *error;			/* once failed, the cause */

	struct instream *in;		/* the spooled input, or NULL */
	bool crashed;			/* a library crashed: hands off */
	bool guard_installed;		/* holds a dat_guard_install() */
	int hash_fd;			/* the file itself, or -1 */
	struct sha256_ctx sha;		/* of hash_fd, once computed */
	bool hashed;
};

/* ---- small helpers ---- */

static const char *dat_buf_set(struct dat_buf *b, const char *s, size_t n)
{
	if (n + 1 > b->cap) {
		b->cap = KMSIM_MAX(n + 1, 2 * b->cap);
		b->p = xreallocarray(b->p, b->cap, 1);
	}
	memcpy(b->p, s, n);
	b->p[n] = '\0';
	return b->p;
}

static int read_full(int fd, void *buf, size_t n, uint64_t off)
{
	size_t done = 0;
	ssize_t got;

	while (done < n) {
		got = pread(fd, (char *)buf + done, n - done,
		    (off_t)(off + done));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return -1;
		done += (size_t)got;
	}
	return 0;
}

static int write_full(int fd, const void *buf, size_t n)
{
	size_t done = 0;
	ssize_t put;

	while (done < n) {
		put = write(fd, (const char *)buf + done, n - done);
		if (put < 0 && errno == EINTR)
			continue;
		if (put <= 0)
			return -1;
		done += (size_t)put;
	}
	return 0;
}

/* "254:0" (a bdi name) as the kernel's dev_t, major << 20 | minor:
 * true; false (and 0) for a name that is not MAJ:MIN. */
static bool dat_bdi_dev(const char *s, uint32_t *dev)
{
	unsigned long maj = 0, min = 0;
	const char *p = s;

	*dev = 0;
	if (s == NULL || *p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9' && maj <= 0xfff)
		maj = maj * 10 + (unsigned long)(*p++ - '0');
	if (*p++ != ':' || *p < '0' || *p > '9' || maj > 0xfff)
		return false;
	while (*p >= '0' && *p <= '9' && min <= 0xfffff)
		min = min * 10 + (unsigned long)(*p++ - '0');
	if (*p != '\0' || min > 0xfffff)
		return false;
	*dev = (uint32_t)(maj << 20 | min);
	return true;
}

/* ---- a version 6 file's layout ---- */

/*
 * libtracecmd 1.3 crashes (in its own clean-up) on a version 6 file whose
 * CPU data runs past the end of the file, so the flyrecord offsets are
 * checked against the file size first.  The layout is trace-cmd.dat.v6(5):
 * everything up to the flyrecord is walked by its sizes, nothing parsed.
 */
struct dat_rd {
	int fd;
	uint64_t off;
	uint64_t size;
	bool big_endian;
};

static int rd_bytes(struct dat_rd *d, void *buf, size_t n)
{
	if (n > d->size - d->off || read_full(d->fd, buf, n, d->off) != 0)
		return -1;
	d->off += n;
	return 0;
}

static int rd_skip(struct dat_rd *d, uint64_t n)
{
	if (n > d->size - d->off)
		return -1;
	d->off += n;
	return 0;
}

static int rd_uint(struct dat_rd *d, size_t n, uint64_t *v)
{
	unsigned char b[8];
	size_t i;

	if (rd_bytes(d, b, n) != 0)
		return -1;
	*v = 0;
	for (i = 0; i < n; i++)
		*v |= (uint64_t)b[d->big_endian ? i : n - 1 - i] <<
		    (8 * (n - 1 - i));
	return 0;
}

/* A NUL-terminated string (a system name): skipped. */
static int rd_string(struct dat_rd *d)
{
	char c;

	do {
		if (rd_bytes(d, &c, 1) != 0)
			return -1;
	} while (c != '\0');
	return 0;
}

/* A size of n bytes, then that many bytes. */
static int rd_sized(struct dat_rd *d, size_t n)
{
	uint64_t size;

	return rd_uint(d, n, &size) == 0 ? rd_skip(d, size) : -1;
}

/* 0: the CPU data lies within the file (or this is no flyrecord); -1:
 * *what says where the file ends too early. */
static int dat_check_v6(int fd, uint64_t size, size_t version_end,
    const char **what)
{
	struct dat_rd d = { fd, version_end, size, false };
	unsigned char b[16];
	uint64_t n, i, j, count, cpus, off, len;

	*what = "in its headers";
	if (rd_bytes(&d, b, 2) != 0)	/* endianness, long size */
		return -1;
	d.big_endian = b[0] != 0;
	if (rd_skip(&d, 4) != 0 ||	/* page size */
	    rd_bytes(&d, b, 12) != 0 || memcmp(b, "header_page", 12) != 0 ||
	    rd_sized(&d, 8) != 0 ||
	    rd_bytes(&d, b, 13) != 0 || memcmp(b, "header_event", 13) != 0 ||
	    rd_sized(&d, 8) != 0)
		return -1;
	*what = "in its event formats";
	if (rd_uint(&d, 4, &count) != 0)	/* ftrace's own events */
		return -1;
	for (i = 0; i < count; i++)
		if (rd_sized(&d, 8) != 0)
			return -1;
	if (rd_uint(&d, 4, &n) != 0)		/* systems */
		return -1;
	for (i = 0; i < n; i++) {
		if (rd_string(&d) != 0 || rd_uint(&d, 4, &count) != 0)
			return -1;
		for (j = 0; j < count; j++)
			if (rd_sized(&d, 8) != 0)
				return -1;
	}
	*what = "in its symbols and command lines";
	if (rd_sized(&d, 4) != 0 ||	/* kallsyms */
	    rd_sized(&d, 4) != 0 ||	/* printk formats */
	    rd_sized(&d, 8) != 0 ||	/* saved command lines */
	    rd_uint(&d, 4, &cpus) != 0)
		return -1;
	*what = "in its options";
	if (rd_bytes(&d, b, 10) != 0)
		return -1;
	if (memcmp(b, "options  ", 10) == 0) {
		for (;;) {
			if (rd_uint(&d, 2, &n) != 0)
				return -1;
			if (n == 0)
				break;
			if (rd_sized(&d, 4) != 0)
				return -1;
		}
		if (rd_bytes(&d, b, 10) != 0)
			return -1;
	}
	if (memcmp(b, "flyrecord", 10) != 0)
		return 0;		/* latency text: nothing to check */
	*what = "in its CPU data";
	for (i = 0; i < cpus; i++) {
		if (rd_uint(&d, 8, &off) != 0 || rd_uint(&d, 8, &len) != 0)
			return -1;
		if (off > size || len > size - off)
			return -1;
	}
	return 0;
}

/* A NUL-terminated string of at most n - 1 bytes, into buf. */
static int rd_cstr(struct dat_rd *d, char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (rd_bytes(d, &buf[i], 1) != 0)
			return -1;
		if (buf[i] == '\0')
			return 0;
	}
	return -1;
}

#define DAT_V7_OPT_DONE		0	/* the offset of the next options */
#define DAT_V7_OPT_BUFFER	3	/* a ring buffer's CPU data */
#define DAT_V7_MAX_OPTIONS	64	/* options sections chained */
#define DAT_V7_MAX_CHUNK	(64u << 20)	/* one decompressed chunk */

/*
 * One compressed chunk at off (comp bytes, comp_len decompressing to
 * len): 0 if it decodes to exactly len bytes, or cannot be tried here.
 */
static int dat_check_chunk(int fd, const char *comp, uint64_t off,
    uint32_t comp_len, uint32_t len)
{
	unsigned char *src, *dst;
	int ok = 1;

	if (strcmp(comp, "zstd") != 0 && strcmp(comp, "zlib") != 0)
		return 0;
	src = xmalloc(comp_len ? comp_len : 1);
	dst = xmalloc(len ? len : 1);
	if (read_full(fd, src, comp_len, off) != 0) {
		ok = 0;
	} else if (strcmp(comp, "zstd") == 0) {
#ifdef HAVE_ZSTD
		size_t n = ZSTD_decompress(dst, len, src, comp_len);

		ok = !ZSTD_isError(n) && n == len;
#endif
	} else {
#ifdef HAVE_ZLIB
		uLongf n = len;

		ok = uncompress(dst, &n, src, comp_len) == Z_OK && n == len;
#endif
	}
	free(dst);
	free(src);
	return ok ? 0 : -1;
}

/* A BUFFER option's CPUs: each CPU's chunks lie within its data and,
 * where kmsim has the codec, decompress to the size they declare. */
static int dat_check_v7_buffer(struct dat_rd *opt, int fd, uint64_t size,
    const char *comp)
{
	struct dat_rd d = { fd, 0, size, opt->big_endian };
	uint64_t cpus, i, k, cpu_off, cpu_size, count, clen, len, end;
	char name[256];

	if (rd_skip(opt, 8) != 0 ||		/* the buffer's offset */
	    rd_cstr(opt, name, sizeof name) != 0 ||
	    rd_cstr(opt, name, sizeof name) != 0 ||	/* its clock */
	    rd_skip(opt, 4) != 0 ||		/* page size */
	    rd_uint(opt, 4, &cpus) != 0)
		return -1;
	for (i = 0; i < cpus; i++) {
		if (rd_skip(opt, 4) != 0 ||	/* the CPU's number */
		    rd_uint(opt, 8, &cpu_off) != 0 ||
		    rd_uint(opt, 8, &cpu_size) != 0)
			return -1;
		if (cpu_off > size || cpu_size > size - cpu_off)
			return -1;
		if (cpu_size == 0 || strcmp(comp, "none") == 0)
			continue;
		/* a chunk count, then the chunks, each sized */
		d.off = cpu_off;
		end = KMSIM_MIN(size, cpu_off + cpu_size + 4);
		if (rd_uint(&d, 4, &count) != 0)
			return -1;
		for (k = 0; k < count; k++) {
			if (rd_uint(&d, 4, &clen) != 0 ||
			    rd_uint(&d, 4, &len) != 0 ||
			    clen > end - KMSIM_MIN(end, d.off) ||
			    len > DAT_V7_MAX_CHUNK ||
			    dat_check_chunk(fd, comp, d.off, (uint32_t)clen,
			    (uint32_t)len) != 0 ||
			    rd_skip(&d, clen) != 0)
				return -1;
		}
	}
	return 0;
}

/*
 * The options sections, from the first the header names along their
 * DONE links: every ring buffer's CPU data is checked.  A compressed
 * options section is not followed (nothing in it is checked).
 */
static int dat_check_v7_options(int fd, uint64_t size, bool big_endian,
    uint64_t first, const char *comp)
{
	struct dat_rd d = { fd, 0, size, big_endian };
	uint64_t next = first, id, flags, sec_size, sec_end, opt, opt_size;
	int nsec;

	for (nsec = 0; next != 0 && nsec < DAT_V7_MAX_OPTIONS; nsec++) {
		d.off = next;
		next = 0;
		if (rd_uint(&d, 2, &id) != 0 || rd_uint(&d, 2, &flags) != 0 ||
		    rd_skip(&d, 4) != 0 || rd_uint(&d, 8, &sec_size) != 0 ||
		    sec_size > size - d.off)
			return -1;
		if (id != 0 || (flags & 1) != 0)
			return 0;	/* not plain options: trust them */
		sec_end = d.off + sec_size;
		while (d.off < sec_end) {
			if (rd_uint(&d, 2, &opt) != 0 ||
			    rd_uint(&d, 4, &opt_size) != 0 ||
			    opt_size > sec_end - KMSIM_MIN(sec_end, d.off))
				return -1;
			if (opt == DAT_V7_OPT_DONE) {
				if (opt_size < 8 || rd_uint(&d, 8, &next) != 0)
					return -1;
				break;
			}
			if (opt == DAT_V7_OPT_BUFFER) {
				struct dat_rd o = d;

				o.size = d.off + opt_size;
				if (dat_check_v7_buffer(&o, fd, size, comp) != 0)
					return -1;
			}
			if (rd_skip(&d, opt_size) != 0)
				return -1;
		}
		if (next >= size)
			return next == 0 ? 0 : -1;
	}
	return 0;
}

/*
 * A version 7 file is a header and then sections (trace-cmd.dat.v7(5)),
 * which trace-cmd writes back to back, each a 16-byte header and its
 * size in bytes: the last one must end where the file does.  libtracecmd
 * does not notice a cut in the sections it reads last.  Then the ring
 * buffers' CPU data, which libtracecmd decompresses chunk by chunk: a
 * chunk that does not decode to its declared size makes libtracecmd 1.3
 * crash on its failure path (found by fuzzing), so each is tried here.
 */
#define DAT_V7_MAX_SECTION_ID	64	/* beyond: not a section header */

static int dat_check_v7(int fd, uint64_t size, size_t version_end,
    const char **what)
{
	struct dat_rd d = { fd, version_end, size, false };
	unsigned char b[2];
	char comp[64];
	uint64_t first, id, size_sec;

	*what = "in its headers";
	if (rd_bytes(&d, b, 2) != 0)	/* endianness, long size */
		return -1;
	d.big_endian = b[0] != 0;
	if (rd_skip(&d, 4) != 0 ||	/* page size */
	    rd_cstr(&d, comp, sizeof comp) != 0 ||	/* compression */
	    rd_string(&d) != 0 ||	/* its version */
	    rd_uint(&d, 8, &first) != 0 || first >= size)
		return -1;
	if (comp[0] == '\0')
		snprintf(comp, sizeof comp, "none");
	*what = "in its sections";
	while (d.off < size) {
		if (rd_uint(&d, 2, &id) != 0)
			return -1;
		if (id > DAT_V7_MAX_SECTION_ID)
			return 0;	/* not written back to back: trust it */
		if (rd_skip(&d, 6) != 0 ||	/* flags, description */
		    rd_uint(&d, 8, &size_sec) != 0 ||
		    rd_skip(&d, size_sec) != 0)
			return -1;
	}
	*what = "in its CPU data";
	return dat_check_v7_options(fd, size, d.big_endian, first, comp);
}

/* ---- surviving the libraries ---- */

/*
 * libtracecmd and libtraceevent trust the file they read: a corrupt
 * trace.dat can make them dereference NULL (libtracecmd 1.3's
 * tracecmd_open_fd() does, inside its own tracecmd_close() on a failure
 * path) or read past what they mapped.  The layout checks above catch the
 * corruptions we know of; for the rest, every call into the libraries
 * that touches the file's data is guarded: a SIGSEGV or SIGBUS raised
 * while a guarded call is in progress jumps back to the function that
 * armed the guard (dat_guard_arm(), one sigsetjmp() without the signal
 * mask, cheap enough per record), which reports the file as corrupt and
 * never calls into that handle again.  Its memory is leaked: the
 * library's clean-up is what may crash.
 *
 * Why not parse in a child process: records are decoded one at a time
 * through the library's own structures (the event formats, the records'
 * data), which would all have to cross a pipe.  Jumping out of the
 * library is safe enough because after a caught crash kmsim only fails
 * the run (reports, closes its database as failed) and calls into the
 * library no more.
 *
 * A fault outside a guarded call is none of ours: the handler puts back
 * the disposition it displaced (the default, or a sanitizer's) and lets
 * the fault happen again, so kmsim's own bugs still dump core or get
 * reported as before.  The handlers are installed while a trace.dat
 * source is open (counted: sources may overlap), the previous ones put
 * back when the last closes.  kmsim reads traces on one thread.
 */
static sigjmp_buf dat_jmp;
static volatile sig_atomic_t dat_guarded;	/* a guarded call is running */
static const char *volatile dat_guard_lib;	/* and which it is */
static const char *volatile dat_guard_fn;
static int dat_guard_users;
static struct sigaction dat_old_segv, dat_old_bus;
static stack_t dat_old_stack;
static void *dat_altstack;		/* ours, if none was set up */

#define DAT_ALTSTACK_SIZE	(256 * 1024)

static void dat_crash_handler(int sig, siginfo_t *info, void *uctx)
{
	(void)uctx;
	if (dat_guarded) {
		dat_guarded = 0;
		siglongjmp(dat_jmp, sig);
	}
	sigaction(sig, sig == SIGBUS ? &dat_old_bus : &dat_old_segv, NULL);
	/* a fault recurs when we return; a signal someone sent does not */
	if (info == NULL || info->si_code <= 0)
		raise(sig);
}

static void dat_guard_install(void)
{
	struct sigaction sa;
	stack_t ss;

	if (dat_guard_users++ > 0)
		return;
	/* a crash may be a stack overflow in the libraries' recursive
	 * format parser: the handler needs a stack of its own */
	if (sigaltstack(NULL, &dat_old_stack) == 0 &&
	    (dat_old_stack.ss_flags & SS_DISABLE) != 0) {
		dat_altstack = xmalloc(DAT_ALTSTACK_SIZE);
		ss.ss_sp = dat_altstack;
		ss.ss_size = DAT_ALTSTACK_SIZE;
		ss.ss_flags = 0;
		if (sigaltstack(&ss, NULL) != 0) {
			free(dat_altstack);
			dat_altstack = NULL;
		}
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = dat_crash_handler;
	/* SA_NODEFER: siglongjmp() out of the handler without restoring a
	 * signal mask must not leave SIGSEGV blocked */
	sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &dat_old_segv);
	sigaction(SIGBUS, &sa, &dat_old_bus);
}

static void dat_guard_remove(void)
{
	stack_t ss;

	if (--dat_guard_users > 0)
		return;
	sigaction(SIGSEGV, &dat_old_segv, NULL);
	sigaction(SIGBUS, &dat_old_bus, NULL);
	if (dat_altstack != NULL) {
		memset(&ss, 0, sizeof ss);
		ss.ss_flags = SS_DISABLE;
		sigaltstack(&ss, NULL);
		free(dat_altstack);
		dat_altstack = NULL;
	}
}

/*
 * Arm the guard in the function that is to handle a crash: true when it
 * is reached again by a crash in a guarded call (dat_guard_lib and
 * dat_guard_fn say where).  A macro: sigsetjmp() must be called from the
 * frame that stays live while the guarded calls run.
 */
#define dat_guard_arm()	(sigsetjmp(dat_jmp, 0) != 0)

static inline void dat_enter(const char *lib, const char *fn)
{
	dat_guard_lib = lib;
	dat_guard_fn = fn;
	dat_guarded = 1;
}

static inline void dat_leave(void)
{
	dat_guarded = 0;
}

/* After a crash: the handle is abandoned, the run fails with cause. */
static int dat_crashed(struct trace_dat *r, char **cause)
{
	r->crashed = true;
	free(r->error);
	xasprintf(&r->error, "%s: trace.dat is corrupt: %s crashed reading "
	    "it (in %s)", r->ts.path, dat_guard_lib, dat_guard_fn);
	if (cause != NULL)
		*cause = xstrdup(r->error);
	return -1;
}

/* The guarded calls (only ever from a frame that armed the guard). */
static struct tracecmd_input *dat_open_fd(int fd)
{
	struct tracecmd_input *h;

	dat_enter("libtracecmd", "tracecmd_open_fd");
	h = tracecmd_open_fd(fd, TRACECMD_FL_LOAD_NO_PLUGINS);
	dat_leave();
	return h;
}

static struct tep_record *dat_read_data(struct tracecmd_input *h, int cpu)
{
	struct tep_record *rec;

	dat_enter("libtracecmd", "tracecmd_read_data");
	rec = tracecmd_read_data(h, cpu);
	dat_leave();
	return rec;
}

static void dat_free_record(struct tep_record *rec)
{
	dat_enter("libtracecmd", "tracecmd_free_record");
	tracecmd_free_record(rec);
	dat_leave();
}

static void dat_close(struct tracecmd_input *h)
{
	dat_enter("libtracecmd", "tracecmd_close");
	tracecmd_close(h);
	dat_leave();
}

static int dat_data_type(struct tep_handle *tep, struct tep_record *rec)
{
	int id;

	dat_enter("libtraceevent", "tep_data_type");
	id = tep_data_type(tep, rec);
	dat_leave();
	return id;
}

static const char *dat_find_function(struct tep_handle *tep, uint64_t addr)
{
	const char *s;

	dat_enter("libtraceevent", "tep_find_function");
	s = tep_find_function(tep, addr);
	dat_leave();
	return s;
}

/* ---- resolving the events of the file ---- */

/* The field an argument of a print format names (through casts). */
static bool arg_is_field(const struct tep_print_arg *a, const char *name)
{
	while (a != NULL && a->type == TEP_PRINT_TYPE)
		a = a->typecast.item;
	return a != NULL && a->type == TEP_PRINT_FIELD &&
	    a->field.name != NULL && strcmp(a->field.name, name) == 0;
}

static bool arg_uses_field(const struct tep_print_arg *a, const char *name)
{
	for (; a != NULL; a = a->next) {
		switch (a->type) {
		case TEP_PRINT_FIELD:
			if (arg_is_field(a, name))
				return true;
			break;
		case TEP_PRINT_TYPE:
			if (arg_uses_field(a->typecast.item, name))
				return true;
			break;
		case TEP_PRINT_OP:
			if (arg_uses_field(a->op.left, name) ||
			    arg_uses_field(a->op.right, name))
				return true;
			break;
		default:
			break;
		}
	}
	return false;
}

/* The __print_flags() (TEP_PRINT_FLAGS) or __print_symbolic()
 * (TEP_PRINT_SYMBOL) over a field: its table, or NULL. */
static const struct tep_print_flag_sym *arg_find_table(
    const struct tep_print_arg *a, const char *name,
    enum tep_print_arg_type type)
{
	const struct tep_print_flag_sym *found;

	for (; a != NULL; a = a->next) {
		found = NULL;
		switch (a->type) {
		case TEP_PRINT_FLAGS:
			if (type == TEP_PRINT_FLAGS &&
			    arg_is_field(a->flags.field, name))
				return a->flags.flags;
			break;
		case TEP_PRINT_SYMBOL:
			if (type == TEP_PRINT_SYMBOL &&
			    arg_is_field(a->symbol.field, name))
				return a->symbol.symbols;
			break;
		case TEP_PRINT_TYPE:
			found = arg_find_table(a->typecast.item, name, type);
			break;
		case TEP_PRINT_OP:
			found = arg_find_table(a->op.left, name, type);
			if (found == NULL)
				found = arg_find_table(a->op.right, name, type);
			break;
		default:
			break;
		}
		if (found != NULL)
			return found;
	}
	return NULL;
}

/*
 * kmalloc has no `accounted` field; since Linux 6.1 it prints
 * `(IS_ENABLED(CONFIG_MEMCG) && (gfp_flags & __GFP_ACCOUNT)) ? "true" :
 * "false"`, the first operand a constant.  1 when that constant is not
 * 0, 0 when it is, -1 when the format prints no such thing (and so no
 * accounted=).
 */
static int arg_accounted(const struct tep_print_arg *a, const char *gfp)
{
	int r;

	for (; a != NULL; a = a->next) {
		r = -1;
		if (a->type == TEP_PRINT_TYPE)
			r = arg_accounted(a->typecast.item, gfp);
		if (a->type == TEP_PRINT_OP) {
			if (a->op.op != NULL && strcmp(a->op.op, "&&") == 0 &&
			    a->op.left != NULL &&
			    a->op.left->type == TEP_PRINT_ATOM &&
			    a->op.left->atom.atom != NULL &&
			    arg_uses_field(a->op.right, gfp))
				return strtoll(a->op.left->atom.atom, NULL,
				    0) != 0;
			r = arg_accounted(a->op.left, gfp);
			if (r < 0)
				r = arg_accounted(a->op.right, gfp);
		}
		if (r >= 0)
			return r;
	}
	return -1;
}

/* Each kernel GFP bit to kmsim's flags, through the bit's printed name. */
static void dat_gfp_map(struct dat_event *de, const char *field)
{
	const struct tep_print_flag_sym *sym;
	unsigned long long v;
	gfp_t g;
	char *end;
	unsigned b;

	for (b = 0; b < 32; b++)
		de->gfp_map[b] = (gfp_t)1 << b;
	for (sym = arg_find_table(de->event->print_fmt.args, field,
	    TEP_PRINT_FLAGS); sym != NULL; sym = sym->next) {
		if (sym->value == NULL || sym->str == NULL)
			continue;
		errno = 0;
		v = strtoull(sym->value, &end, 0);
		if (errno != 0 || *end != '\0' || !kmsim_is_pow2(v) ||
		    v > UINT32_MAX)
			continue;
		/* a name kmsim does not know keeps the kernel's bit */
		if (gfp_parse(sym->str, &g, NULL) == 0)
			de->gfp_map[kmsim_ilog2(v)] = g;
	}
	de->gfp_identity = true;
	for (b = 0; b < 32; b++)
		if (de->gfp_map[b] != (gfp_t)1 << b)
			de->gfp_identity = false;
}

static void dat_event_init(struct dat_event *de, const struct dat_def *def,
    struct tep_event *ev)
{
	int i;

	memset(de, 0, sizeof *de);
	de->def = def;
	de->event = ev;
	de->missing = -1;
	for (i = 0; i < DAT_SLOTS && def->field[i] != NULL; i++) {
		de->f[i] = tep_find_field(ev, def->field[i]);
		if (de->f[i] == NULL && (def->required & REQ(i)) &&
		    de->missing < 0)
			de->missing = i;
		if (de->f[i] != NULL)
			de->symbols[i] = arg_find_table(ev->print_fmt.args,
			    def->field[i], TEP_PRINT_SYMBOL);
	}
	de->gfp_identity = true;
	de->accounted = -1;
	if (def->gfp_slot >= 0) {
		dat_gfp_map(de, def->field[def->gfp_slot]);
		de->accounted = arg_accounted(ev->print_fmt.args,
		    def->field[def->gfp_slot]);
	}
}

/*
 * The events kmsim reads, indexed by id. An id is the file's word: one
 * above DAT_MAX_ID (the kernel's struct trace_entry keeps it in an
 * unsigned short) is refused, lest the table be sized from it.
 */
static int dat_events_init(struct trace_dat *r, char **cause)
{
	struct tep_event *ev;
	size_t i;

	r->events = xcalloc(ARRAY_SIZE(dat_defs), sizeof *r->events);
	r->max_id = -1;
	for (i = 0; i < ARRAY_SIZE(dat_defs); i++) {
		ev = tep_find_event_by_name(r->tep, dat_defs[i].system,
		    dat_defs[i].name);
		if (ev == NULL || ev->id < 0)
			continue;
		if (ev->id > DAT_MAX_ID)
			return kmsim_fail(cause, "%s: trace.dat is corrupt: "
			    "event %s:%s has id %d (at most %d)", r->ts.path,
			    dat_defs[i].system, dat_defs[i].name, ev->id,
			    DAT_MAX_ID);
		dat_event_init(&r->events[r->nevents++], &dat_defs[i], ev);
		r->max_id = KMSIM_MAX(r->max_id, ev->id);
	}
	r->by_id = xcalloc((size_t)r->max_id + 1, sizeof *r->by_id);
	for (i = 0; i < r->nevents; i++)
		r->by_id[r->events[i].event->id] = &r->events[i];
	return 0;
}

/* ---- decoding a record ---- */

/* The record an event is decoded from. */
struct dat_rec {
	const struct dat_event *de;
	const struct tep_record *rec;
	bool short_rec;		/* a field lies beyond the record's end */
};

static bool dr_has(const struct dat_rec *d, int slot)
{
	return d->de->f[slot] != NULL;
}

/* A number field, sign-extended if the format says signed; 0 if absent. */
static uint64_t dr_num(struct dat_rec *d, int slot)
{
	const struct tep_format_field *f = d->de->f[slot];
	unsigned long long v;
	unsigned shift;

	if (f == NULL)
		return 0;
	if (f->offset < 0 || f->size <= 0 || f->size > 8 ||
	    f->offset + f->size > d->rec->size) {
		d->short_rec = true;
		return 0;
	}
	if (tep_read_number_field((struct tep_format_field *)f,
	    d->rec->data, &v) != 0)
		return 0;
	if ((f->flags & TEP_FIELD_IS_SIGNED) && f->size < 8) {
		shift = 64 - 8 * (unsigned)f->size;
		return (uint64_t)((int64_t)((uint64_t)v << shift) >> shift);
	}
	return v;
}

/* The value a field has when all its bits are set (-1UL: no page). */
static bool dr_all_ones(const struct dat_rec *d, int slot, uint64_t v)
{
	const struct tep_format_field *f = d->de->f[slot];

	if (f == NULL)
		return false;
	return f->size >= 8 ? v == UINT64_MAX :
	    v == ((uint64_t)1 << (8 * f->size)) - 1;
}

/* A string field (fixed array, __data_loc, __rel_loc or the flexible
 * buf[] of ftrace's print), copied into b; NULL if absent. */
static const char *dr_str(struct dat_rec *d, int slot, struct dat_buf *b)
{
	const struct tep_format_field *f = d->de->f[slot];
	const char *data = d->rec->data;
	uint64_t loc, off, len;

	if (f == NULL)
		return NULL;
	if (f->offset < 0 || f->size < 0 ||
	    f->offset + f->size > d->rec->size) {
		d->short_rec = true;
		return NULL;
	}
	off = (uint64_t)f->offset;
	len = (uint64_t)f->size;
	if (f->flags & TEP_FIELD_IS_DYNAMIC) {
		loc = dr_num(d, slot);
		off = loc & 0xffff;
		len = loc >> 16 & 0xffff;
		if (f->flags & TEP_FIELD_IS_RELATIVE)
			off += (uint64_t)f->offset + (uint64_t)f->size;
	} else if (f->size == 0)
		len = (uint64_t)d->rec->size - off;
	if (off > (uint64_t)d->rec->size || len > d->rec->size - off) {
		d->short_rec = true;
		return NULL;
	}
	return dat_buf_set(b, data + off, strnlen(data + off, (size_t)len));
}

/* A count printed with %ld that may be negative (nr_to_write): 0 then. */
static uint64_t dr_count(struct dat_rec *d, int slot)
{
	int64_t v = (int64_t)dr_num(d, slot);

	return v < 0 ? 0 : (uint64_t)v;
}

/* The name __print_symbolic() prints for a field's value, or NULL. */
static const char *dr_symbol(struct dat_rec *d, int slot)
{
	const struct tep_print_flag_sym *sym;
	uint64_t v = dr_num(d, slot);
	unsigned long long sv;
	char *end;

	for (sym = d->de->symbols[slot]; sym != NULL; sym = sym->next) {
		if (sym->value == NULL || sym->str == NULL)
			continue;
		errno = 0;
		sv = strtoull(sym->value, &end, 0);
		if (errno == 0 && *end == '\0' && sv == v)
			return sym->str;
	}
	return NULL;
}

static gfp_t dr_gfp(struct dat_rec *d, int slot)
{
	uint64_t raw = dr_num(d, slot);
	gfp_t gfp = 0;
	unsigned b;

	if (d->de->gfp_identity)
		return (gfp_t)raw;
	for (b = 0; b < 32; b++)
		if (raw & (uint64_t)1 << b)
			gfp |= d->de->gfp_map[b];
	return gfp;
}

/* A pfn field; -1 (the allocation failed) is OP_PFN_NONE. */
static uint64_t dr_pfn(struct dat_rec *d, int slot, bool *none)
{
	uint64_t v = dr_num(d, slot);

	*none = !dr_has(d, slot) || dr_all_ones(d, slot, v);
	return *none ? OP_PFN_NONE : v;
}

/* An allocation's or a free's page: its pfn is its identity too. */
static void op_set_page(struct op *op, uint64_t pfn)
{
	if (pfn == OP_PFN_NONE)
		return;
	op->pfn = pfn;
	op->id = pfn;
	op->has_id = true;
}

static void op_set_order(struct dat_rec *d, struct op *op, int slot)
{
	if (!dr_has(d, slot))
		return;
	op->order = (unsigned)dr_num(d, slot);
	op->has_order = true;
}

static void op_set_migratetype(struct dat_rec *d, struct op *op, int slot)
{
	if (dr_has(d, slot))
		op->migratetype = (int)(int64_t)dr_num(d, slot);
}

/* Fill op from the record of a kind kmsim reads: 1, or 0 when the
 * record is not what kmsim reads after all. */
static int dat_decode(struct trace_dat *r, struct dat_rec *d, struct op *op)
{
	const char *s;
	bool none;
	int i;

	switch (d->de->def->kind) {
	case DK_PAGE_ALLOC:
		/* Models include/trace/events/kmem.h:mm_page_alloc. */
		op_set_page(op, dr_pfn(d, 0, &none));
		if (none)
			op->flags |= OPF_FAILED;
		op_set_order(d, op, 1);
		op->gfp = dr_gfp(d, 2);
		op_set_migratetype(d, op, 3);
		break;
	case DK_PAGE_FREE:
	case DK_PAGE_FREE_BATCHED:
		op_set_page(op, dr_pfn(d, 0, &none));
		if (d->de->def->kind == DK_PAGE_FREE_BATCHED) {
			/* always order 0; a repeat of its mm_page_free */
			op->has_order = true;
			r->stats.duplicate_frees++;
		} else
			op_set_order(d, op, 1);
		break;
	case DK_ZONE_LOCKED:
		op->pfn = dr_pfn(d, 0, &none);
		op_set_order(d, op, 1);
		op_set_migratetype(d, op, 2);
		if (dr_num(d, 3) != 0)
			op->flags |= OPF_PERCPU_REFILL;
		break;
	case DK_PCPU_DRAIN:
		op->pfn = dr_pfn(d, 0, &none);
		op_set_order(d, op, 1);
		op_set_migratetype(d, op, 2);
		break;
	case DK_EXTFRAG:
		op->pfn = dr_pfn(d, 0, &none);
		for (i = 0; i < 4; i++)
			op->aux[i] = (int32_t)(int64_t)dr_num(d, 1 + i);
		if (dr_num(d, 5) != 0)
			op->flags |= OPF_OWNERSHIP;
		break;
	case DK_KMALLOC:
	case DK_CACHE_ALLOC:
		op->ptr = dr_num(d, 0);
		op->bytes_req = dr_num(d, 1);
		op->bytes_alloc = dr_num(d, 2);
		op->gfp = dr_gfp(d, 3);
		if (dr_has(d, 4))
			op->node = (int)(int64_t)dr_num(d, 4);
		/* the field (kmem_cache_alloc), else what kmalloc prints */
		if (dr_has(d, 5) ? dr_num(d, 5) != 0 :
		    d->de->accounted > 0 && (op->gfp & GFP_BIT_ACCOUNT))
			op->flags |= OPF_ACCOUNTED;
		if (d->de->def->kind == DK_CACHE_ALLOC)
			op->name = dr_str(d, 6, &r->name);
		break;
	case DK_KFREE:
	case DK_PERCPU_FREE:
		op->ptr = dr_num(d, 0);
		break;
	case DK_CACHE_FREE:
		op->ptr = dr_num(d, 0);
		op->name = dr_str(d, 1, &r->name);
		break;
	case DK_VMAP_ALLOC:
		op->ptr = dr_num(d, 0);
		op->bytes_req = dr_num(d, 1);
		op->align = dr_num(d, 2);
		if (dr_num(d, 3) != 0)
			op->flags |= OPF_FAILED;
		break;
	case DK_VMAP_FREE:
		op->ptr = dr_num(d, 0);
		op->nr = dr_num(d, 1);
		break;
	case DK_VMAP_PURGE:
		op->ptr = dr_num(d, 0);
		op->end = dr_num(d, 1);
		op->nr = dr_num(d, 2);
		break;
	case DK_PERCPU_ALLOC:
		op->ptr = dr_num(d, 0);
		op->bytes_req = dr_num(d, 1);
		op->align = dr_num(d, 2);
		op->bytes_alloc = dr_num(d, 3);
		op->gfp = dr_gfp(d, 4);
		if (dr_num(d, 5) != 0)
			op->flags |= OPF_RESERVED;
		if (dr_num(d, 6) != 0)
			op->flags |= OPF_ATOMIC;
		break;
	case DK_FILEMAP:
		/* s_dev is the kernel's dev_t: major << 20 | minor */
		op->dev = (uint32_t)dr_num(d, 0);
		op->ino = dr_num(d, 1);
		op->index = dr_num(d, 2);
		if (dr_has(d, 3))
			op->pfn = dr_num(d, 3);
		op_set_order(d, op, 4);
		break;
	case DK_DIRTY:
		dat_bdi_dev(dr_str(d, 0, &r->name), &op->dev);
		op->ino = dr_num(d, 1);
		op->index = dr_num(d, 2);
		break;
	case DK_WB:
		/* the bdi's device, or sb_dev's if the bdi is not MAJ:MIN */
		if (!dat_bdi_dev(dr_str(d, 0, &r->name), &op->dev))
			op->dev = (uint32_t)dr_num(d, 5);
		op->nr = dr_count(d, 1);
		if (dr_num(d, 2) != 0)
			op->flags |= OPF_SYNC;
		if (dr_num(d, 3) != 0)
			op->flags |= OPF_KUPDATE;
		if (dr_num(d, 4) != 0)
			op->flags |= OPF_BACKGROUND;
		s = dr_has(d, 6) ? dr_symbol(d, 6) : NULL;
		op->aux[0] = s == NULL ? WBR_OTHER :
		    (int32_t)wb_reason_parse(s, strlen(s));
		break;
	case DK_WB_INODE:
		dat_bdi_dev(dr_str(d, 0, &r->name), &op->dev);
		op->ino = dr_num(d, 1);
		op->index = dr_num(d, 2);
		op->nr = op->type == OP_WRITEBACK_INODE_START ?
		    dr_count(d, 3) : dr_num(d, 3);
		break;
	case DK_COMPACTION:
		/* pfn..end: the zone; index, nr: the migrate and free
		 * scanners' pfns; aux[0]: the status (end) */
		op->pfn = dr_num(d, 0);
		op->index = dr_num(d, 1);
		op->nr = dr_num(d, 2);
		op->end = dr_num(d, 3);
		if (dr_num(d, 4) != 0)
			op->flags |= OPF_SYNC;
		if (op->type == OP_COMPACTION_END) {
			s = dr_symbol(d, 5);
			op->aux[0] = s != NULL ?
			    compact_status_parse(s, strlen(s)) : -1;
		}
		break;
	case DK_KSWAPD_WAKE:
		op->node = (int)(int64_t)dr_num(d, 0);
		op_set_order(d, op, 1);
		break;
	case DK_KCOMPACTD_WAKE:
		op->node = (int)(int64_t)dr_num(d, 0);
		op_set_order(d, op, 1);
		/* aux[0]: the zone's index, by the name the format prints */
		s = dr_has(d, 2) ? dr_symbol(d, 2) :
		    dr_has(d, 3) ? dr_symbol(d, 3) : NULL;
		op->aux[0] = s != NULL ? zone_type_parse(s) : -1;
		break;
	case DK_KSWAPD_SLEEP:
		op->node = (int)(int64_t)dr_num(d, 0);
		break;
	case DK_RECLAIM_BEGIN:
		op_set_order(d, op, 0);
		op->gfp = dr_gfp(d, 1);
		break;
	case DK_RECLAIM_END:
		op->nr = dr_num(d, 0);
		break;
	case DK_WAKEUP_KSWAPD:
		op->node = (int)(int64_t)dr_num(d, 0);
		op_set_order(d, op, 1);
		op->gfp = dr_gfp(d, 2);
		break;
	case DK_MARKER:
		/* ftrace's print is also trace_puts(): only what was
		 * written to trace_marker (ip in tracing_mark_write) */
		if (dr_has(d, 1)) {
			s = dat_find_function(r->tep, dr_num(d, 1));
			if (s == NULL || strcmp(s, "tracing_mark_write") != 0)
				return 0;
		}
		s = dr_str(d, 0, &r->text);
		if (s != NULL) {
			/* trace_marker stores the newline written to it */
			size_t n = strlen(s);

			while (n > 0 && r->text.p[n - 1] == '\n')
				r->text.p[--n] = '\0';
			op->text = r->text.p;
		}
		break;
	}
	return 1;
}

/*
 * The op of a record: 1, or 0 when the record is skipped (an event kmsim
 * does not read; a malformed one with --lenient), or -1 with *err.
 */
static int dat_record_op(struct trace_dat *r, const struct tep_record *rec,
    struct op *op, char **err)
{
	const struct dat_event *de;
	struct dat_rec d;
	int id;

	id = rec->size >= 2 ? dat_data_type(r->tep,
	    (struct tep_record *)rec) : -1;
	de = id >= 0 && id <= r->max_id ? r->by_id[id] : NULL;
	if (de == NULL) {
		r->stats.unknown_events++;
		return 0;
	}
	op_clear(op);
	op->type = de->def->type;
	op->ts_ns = rec->ts;
	op->cpu = rec->cpu;
	op->pos.file = r->ts.path;
	op->pos.line = (unsigned long)r->nrecords;
	op->pos.col = 0;
	if (de->missing >= 0) {
		if (r->lenient) {
			r->stats.malformed++;
			return 0;
		}
		return kmsim_fail_at(err, &op->pos, "event '%s/%s' has no field"
		    " '%s' in this trace's format", de->def->system,
		    de->def->name, de->def->field[de->missing]);
	}
	d.de = de;
	d.rec = rec;
	d.short_rec = false;
	if (dat_decode(r, &d, op) == 0) {
		r->stats.unknown_events++;
		return 0;
	}
	if (d.short_rec) {
		if (r->lenient) {
			r->stats.malformed++;
			return 0;
		}
		return kmsim_fail_at(err, &op->pos, "record of event '%s/%s' is"
		    " shorter than its format (%d bytes)", de->def->system,
		    de->def->name, rec->size);
	}
	r->stats.events++;
	return 1;
}

/* ---- merging the CPUs ---- */

static bool heap_less(const struct trace_dat *r, int a, int b)
{
	unsigned long long ta = r->next[a]->ts, tb = r->next[b]->ts;

	return ta < tb || (ta == tb && a < b);
}

static void heap_down(struct trace_dat *r, int i)
{
	int c, tmp;

	for (;;) {
		c = 2 * i + 1;
		if (c >= r->nheap)
			return;
		if (c + 1 < r->nheap &&
		    heap_less(r, r->heap[c + 1], r->heap[c]))
			c++;
		if (!heap_less(r, r->heap[c], r->heap[i]))
			return;
		tmp = r->heap[c];
		r->heap[c] = r->heap[i];
		r->heap[i] = tmp;
		i = c;
	}
}

static void heap_build(struct trace_dat *r)
{
	int cpu, i;

	r->nheap = 0;
	for (cpu = 0; cpu < r->ncpus; cpu++) {
		r->next[cpu] = dat_read_data(r->handle, cpu);
		if (r->next[cpu] != NULL)
			r->heap[r->nheap++] = cpu;
	}
	for (i = r->nheap / 2 - 1; i >= 0; i--)
		heap_down(r, i);
	r->primed = true;
}

/* The earliest record of all CPUs (the caller frees it), or NULL. */
static struct tep_record *heap_take(struct trace_dat *r)
{
	struct tep_record *rec;
	int cpu;

	if (!r->primed)
		heap_build(r);
	if (r->nheap == 0)
		return NULL;
	cpu = r->heap[0];
	rec = r->next[cpu];
	r->next[cpu] = dat_read_data(r->handle, cpu);
	if (r->next[cpu] == NULL)
		r->heap[0] = r->heap[--r->nheap];
	heap_down(r, 0);
	return rec;
}

/* ---- the trace source ---- */

static int trace_dat_next(struct trace_source *ts, struct op *op,
    char **cause)
{
	struct trace_dat *r = container_of(ts, struct trace_dat, ts);
	struct tep_record *rec;
	char *err = NULL;
	int rc;

	if (r->error != NULL) {
		if (cause != NULL)
			*cause = xstrdup(r->error);
		return -1;
	}
	/* rec, rc and err are not used after a crash: nothing to clobber */
	if (dat_guard_arm())
		return dat_crashed(r, cause);
	if (r->cur != NULL) {
		dat_free_record(r->cur);
		r->cur = NULL;
	}
	for (;;) {
		rec = heap_take(r);
		if (rec == NULL) {
			r->ts.bytes_done = r->ts.bytes_total;
			return 0;
		}
		r->nrecords++;
		if (rec->offset < r->ts.bytes_total &&
		    rec->offset > r->ts.bytes_done)
			r->ts.bytes_done = rec->offset;
		if (rec->missed_events != 0) {
			/* -1: events were lost, how many is not known */
			r->stats.lost_markers++;
			if (rec->missed_events > 0)
				r->stats.lost_events +=
				    (uint64_t)rec->missed_events;
		}
		rc = dat_record_op(r, rec, op, &err);
		if (rc == 1) {
			r->cur = rec;
			return 1;
		}
		dat_free_record(rec);
		if (rc < 0) {
			r->error = err;
			if (cause != NULL)
				*cause = xstrdup(err);
			return -1;
		}
	}
}

static const struct trace_stats *trace_dat_stats(struct trace_source *ts)
{
	struct trace_dat *r = container_of(ts, struct trace_dat, ts);

	return &r->stats;
}

static void trace_dat_digest(struct trace_source *ts, char hex[65])
{
	struct trace_dat *r = container_of(ts, struct trace_dat, ts);
	unsigned char *buf;
	uint64_t off = 0;
	ssize_t n;

	if (r->in != NULL) {
		/* spooled: every byte as stored has been read */
		instream_digest(r->in, hex);
		return;
	}
	if (!r->hashed && r->hash_fd >= 0) {
		buf = xmalloc(DAT_COPYBUF);
		sha256_init(&r->sha);
		while ((n = pread(r->hash_fd, buf, DAT_COPYBUF,
		    (off_t)off)) != 0) {
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				break;
			sha256_update(&r->sha, buf, (size_t)n);
			off += (uint64_t)n;
		}
		free(buf);
		r->hashed = true;
	}
	sha256_hex(&r->sha, hex);
}

static void trace_dat_destroy(struct trace_source *ts)
{
	struct trace_dat *r = container_of(ts, struct trace_dat, ts);
	int cpu;

	/* after a crash, or one now, the records and the handle are left
	 * to leak: the library's clean-up is not safe to run */
	if (r->crashed) {
		/* nothing */
	} else if (dat_guard_arm()) {
		r->crashed = true;
	} else {
		if (r->cur != NULL)
			dat_free_record(r->cur);
		if (r->next != NULL)
			for (cpu = 0; cpu < r->ncpus; cpu++)
				if (r->next[cpu] != NULL)
					dat_free_record(r->next[cpu]);
		if (r->handle != NULL)
			dat_close(r->handle);
	}
	if (r->guard_installed)
		dat_guard_remove();
	if (r->hash_fd >= 0)
		close(r->hash_fd);
	instream_close(r->in);
	free(r->next);
	free(r->heap);
	free(r->events);
	free(r->by_id);
	free(r->name.p);
	free(r->text.p);
	free(r->error);
	free(r->ts.path);
	free(r);
}

static const struct trace_source_ops trace_dat_ops = {
	.next = trace_dat_next,
	.destroy = trace_dat_destroy,
	.digest = trace_dat_digest,
	.stats = trace_dat_stats,
};

/* ---- opening ---- */

/* Copy the (decoded) stream into an unlinked temporary file. */
static int dat_spool(struct trace_dat *r, char **cause)
{
	const char *dir = getenv("TMPDIR");
	unsigned char *buf;
	char *tmpl;
	ssize_t n;
	int fd, saved;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	xasprintf(&tmpl, "%s/kmsim-dat-XXXXXX", dir);
	fd = mkstemp(tmpl);
	if (fd < 0) {
		kmsim_fail(cause, "%s: cannot create a temporary file in %s "
		    "for the trace.dat: %s", r->ts.path, dir, strerror(errno));
		free(tmpl);
		return -1;
	}
	unlink(tmpl);
	free(tmpl);
	buf = xmalloc(DAT_COPYBUF);
	while ((n = instream_read(r->in, buf, DAT_COPYBUF)) > 0) {
		if (write_full(fd, buf, (size_t)n) != 0) {
			saved = errno;
			kmsim_fail(cause, "%s: cannot write the trace.dat to a "
			    "temporary file in %s: %s", r->ts.path, dir,
			    strerror(saved));
			goto out_close;
		}
	}
	if (n < 0) {
		kmsim_fail(cause, "%s: %s", r->ts.path,
		    instream_strerror(r->in));
		goto out_close;
	}
	free(buf);
	return fd;

out_close:
	free(buf);
	close(fd);
	return -1;
}

/* Check the file's header, then hand fd (always) to libtracecmd. */
static int dat_start(struct trace_dat *r, int fd, char **cause)
{
	unsigned char head[DAT_HEADER + 1];
	const char *what;
	struct stat st;
	char version[DAT_HEADER];
	const char *nocheck;
	bool precheck;
	size_t len, vlen;
	volatile int vnum;	/* read after the guard is armed */

	if (fstat(fd, &st) != 0) {
		kmsim_fail(cause, "%s: %s", r->ts.path, strerror(errno));
		goto out_close;
	}
	len = (size_t)KMSIM_MIN((uint64_t)DAT_HEADER, (uint64_t)st.st_size);
	if (read_full(fd, head, len, 0) != 0) {
		kmsim_fail(cause, "%s: %s", r->ts.path, strerror(errno));
		goto out_close;
	}
	if (!trace_dat_sniff(head, len)) {
		kmsim_fail(cause, "%s: not a trace-cmd trace.dat file",
		    r->ts.path);
		goto out_close;
	}
	head[len] = '\0';
	vlen = strnlen((const char *)head + TRACE_DAT_MAGIC_LEN,
	    len - TRACE_DAT_MAGIC_LEN);
	if (TRACE_DAT_MAGIC_LEN + vlen >= len) {
		kmsim_fail(cause, "%s: trace.dat is truncated (in its header)",
		    r->ts.path);
		goto out_close;
	}
	memcpy(version, head + TRACE_DAT_MAGIC_LEN, vlen + 1);
	/* the version as libtracecmd reads it, with atoi(): "7x" is 7,
	 * and its layout must be checked as 7's (found by fuzzing) */
	vnum = atoi(version);
	/* KMSIM_TEST_DAT_NO_PRECHECK: the tests' way to hand libtracecmd
	 * a file it crashes on, to see the guard below catch it */
	nocheck = getenv("KMSIM_TEST_DAT_NO_PRECHECK");
	precheck = nocheck == NULL || *nocheck == '\0';
	if (precheck && ((vnum == 6 &&
	    dat_check_v6(fd, (uint64_t)st.st_size,
	    TRACE_DAT_MAGIC_LEN + vlen + 1, &what) != 0) ||
	    (vnum == 7 &&
	    dat_check_v7(fd, (uint64_t)st.st_size,
	    TRACE_DAT_MAGIC_LEN + vlen + 1, &what) != 0))) {
		kmsim_fail(cause, "%s: trace.dat is truncated or corrupt (%s)",
		    r->ts.path, what);
		goto out_close;
	}
	r->ts.bytes_total = (uint64_t)st.st_size;
	if (r->in == NULL)
		r->hash_fd = dup(fd);

	/* the libraries would print their complaints on stderr */
	tracecmd_set_loglevel(TEP_LOG_NONE);
	tep_set_loglevel(TEP_LOG_NONE);
	if (lseek(fd, 0, SEEK_SET) != 0) {
		kmsim_fail(cause, "%s: %s", r->ts.path, strerror(errno));
		goto out_close;
	}
	/* from here on the handle owns fd, failing or not (after a crash
	 * fd is left open: whether the library closed it is not known) */
	dat_guard_install();
	r->guard_installed = true;
	if (dat_guard_arm())
		return dat_crashed(r, cause);
	r->handle = dat_open_fd(fd);
	if (r->handle == NULL) {
		if (vnum == 6 || vnum == 7)
			return kmsim_fail(cause, "%s: cannot read the "
			    "trace.dat (truncated or corrupt)", r->ts.path);
		return kmsim_fail(cause, "%s: cannot read trace.dat version "
		    "'%.16s' (libtracecmd reads versions 6 and 7)", r->ts.path,
		    version);
	}
	r->tep = tracecmd_get_tep(r->handle);
	if (r->tep == NULL)
		return kmsim_fail(cause, "%s: cannot read the trace.dat's "
		    "event formats", r->ts.path);
	r->ncpus = KMSIM_MAX(tep_get_cpus(r->tep), 0);
	r->next = xcalloc((size_t)r->ncpus + 1, sizeof *r->next);
	r->heap = xcalloc((size_t)r->ncpus + 1, sizeof *r->heap);
	return dat_events_init(r, cause);

out_close:
	close(fd);
	return -1;
}

struct trace_source *trace_dat_open_stream(struct instream *in,
    const struct trace_options *opt, char **cause)
{
	struct trace_dat *r;
	struct stat st;
	int fd = -1;

	/* the caller may have looked at the peek buffer, not read on */
	assert(in->bytes_out == 0);
	r = xcalloc(1, sizeof *r);
	r->ts.ops = &trace_dat_ops;
	r->ts.format = "trace.dat";
	/* a real capture, as the text readers' are: frees of objects
	 * allocated before tracing began, CPUs folded onto the machine */
	r->ts.captured = true;
	r->ts.path = xstrdup(in->is_stdin ? "<stdin>" : in->path);
	r->hash_fd = -1;
	r->lenient = opt != NULL && opt->lenient;

	if (!trace_dat_sniff(in->peek, in->peek_len)) {
		kmsim_fail(cause, "%s: not a trace-cmd trace.dat file",
		    r->ts.path);
		instream_close(in);
		goto out_destroy;
	}
	/* a whole plain file is read in place; the rest is copied */
	if (in->codec == INSTREAM_PLAIN && !in->is_stdin &&
	    fstat(fileno(in->f), &st) == 0 && S_ISREG(st.st_mode) &&
	    (uint64_t)st.st_size == in->bytes_total)
		fd = dup(fileno(in->f));
	if (fd >= 0) {
		instream_close(in);
	} else {
		r->in = in;
		fd = dat_spool(r, cause);
		if (fd < 0)
			goto out_destroy;
	}
	if (dat_start(r, fd, cause) != 0)
		goto out_destroy;
	return &r->ts;

out_destroy:
	trace_dat_destroy(&r->ts);
	return NULL;
}

#endif /* HAVE_TRACECMD */
