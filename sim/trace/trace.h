/*
 * trace.h - the op stream.  Every input format (kmsim's YAML, ftrace text,
 * trace.dat, bundles) is a `struct trace_source` producing the same
 * `struct op` records; engines never see text.
 */
#ifndef KMSIM_TRACE_H
#define KMSIM_TRACE_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/gfp.h"
#include "kmsim.h"

#define OP_TS_NONE UINT64_MAX	/* the op carries no timestamp */
#define OP_PFN_NONE UINT64_MAX	/* the op names no pfn (simulate) */

/*
 * Op types.  The first ones are kmsim's own (YAML) operations; the rest
 * are what captured kernel events become, named after the event.  An op
 * whose engine does not exist yet is still parsed, validated and counted.
 */
enum op_type {
	OP_ALLOC_PAGES,		/* mm_page_alloc: order, gfp, [pfn] */
	OP_FREE_PAGES,		/* mm_page_free: id or pfn, [order] */
	/* page allocator internals, as captured */
	OP_PAGE_FREE_BATCHED,	/* mm_page_free_batched: a free seen again */
	OP_PAGE_ALLOC_ZONE_LOCKED, /* pages leave the buddy (flags: refill) */
	OP_PAGE_PCPU_DRAIN,	/* pages go back from a per-cpu list */
	OP_PAGE_ALLOC_EXTFRAG,	/* a fallback took another type's block */
	/* slab */
	OP_KMALLOC,		/* ptr, bytes_req, bytes_alloc, gfp, node */
	OP_KFREE,		/* ptr (0: kfree(NULL)) */
	OP_KMEM_CACHE_ALLOC,	/* ptr, name, bytes_req, bytes_alloc, gfp */
	OP_KMEM_CACHE_FREE,	/* ptr, name */
	OP_KMEM_CACHE_CREATE,	/* YAML: name, size (bytes_req), align, flags */
	OP_KMEM_CACHE_DESTROY,	/* YAML: name */
	OP_KREALLOC,		/* YAML: id, size (bytes_req), gfp */
	/* vmalloc */
	OP_VMAP_ALLOC,		/* alloc_vmap_area: addr, size, align, ... */
	OP_VMAP_FREE,		/* free_vmap_area_noflush: addr, nr */
	OP_VMAP_PURGE,		/* purge_vmap_area_lazy: addr..end, nr */
	OP_VMALLOC,		/* YAML: id, size, align, flags (huge) */
	OP_VFREE,		/* YAML: id */
	OP_FORK,		/* YAML: id (a task): its kernel stack */
	OP_EXIT,		/* YAML: id: the stack freed */
	OP_ACCESS,		/* YAML: id or ptr, end (length), align
				   (stride), nr (count), OPF_WRITE */
	OP_KMAP,		/* YAML: id of an alloc_pages block */
	OP_KUNMAP,		/* YAML: id */
	/* percpu */
	OP_PERCPU_ALLOC,	/* ptr, size, align, bytes_alloc, flags */
	OP_PERCPU_FREE,		/* ptr */
	/* page cache and writeback */
	OP_READ,		/* YAML: file, offset (ptr), length
				   (bytes_req), dev (disk) */
	OP_WRITE,		/* YAML: as read */
	OP_FSYNC,		/* YAML: file, dev */
	OP_TRUNCATE,		/* YAML: file, offset (ptr), dev */
	OP_UNLINK,		/* YAML: file, dev */
	OP_DROP_CACHES,		/* YAML: value (nr) 1, 2 or 3 */
	OP_FILEMAP_ADD,		/* dev, ino, index, pfn, order */
	OP_FILEMAP_DELETE,	/* dev, ino, index, pfn, order */
	OP_DIRTY_FOLIO,		/* writeback_dirty_folio: dev, ino, index */
	OP_WRITEBACK_START,	/* dev, nr, flags */
	OP_WRITEBACK_WRITTEN,	/* dev, nr, flags */
	OP_WRITEBACK_INODE_START, /* dev, ino, index, nr (to_write) */
	OP_WRITEBACK_INODE,	/* dev, ino, index, nr (wrote) */
	/* reclaim and compaction */
	OP_COMPACTION_BEGIN,
	OP_COMPACTION_END,
	OP_KSWAPD_WAKE,		/* node, order */
	OP_KSWAPD_SLEEP,	/* node */
	OP_DIRECT_RECLAIM_BEGIN,/* order, gfp */
	OP_DIRECT_RECLAIM_END,	/* nr (reclaimed) */
	OP_WAKEUP_KSWAPD,	/* node, order, gfp */
	OP_KCOMPACTD_WAKE,	/* node, order */
	/* annotations */
	OP_MARKER,		/* a trace_marker line: text */
	OP_NR
};

/*
 * Slab cache flags as kmsim's YAML traces name them (include/linux/
 * slab.h's SLAB_* that change what the model does), in op.flags of a
 * kmem_cache_create.
 */
#define SLABF_HWCACHE_ALIGN	0x0001	/* align objects to cache lines */
#define SLABF_CACHE_DMA		0x0002	/* slabs from ZONE_DMA */
#define SLABF_CACHE_DMA32	0x0004	/* slabs from ZONE_DMA32 */
#define SLABF_PANIC		0x0008	/* no effect in kmsim */
#define SLABF_TYPESAFE_BY_RCU	0x0010	/* never merged */
#define SLABF_NO_MERGE		0x0020	/* never merged */
#define SLABF_ACCOUNT		0x0040	/* memcg accounted */
#define SLABF_RECLAIM_ACCOUNT	0x0080	/* slabs are reclaimable */
/* "SLAB_HWCACHE_ALIGN|SLAB_ACCOUNT" -> SLABF_* bits; 0 or -1 + cause. */
int slab_flags_parse(const char *s, uint32_t *out, char **cause);
/* The flags as the kernel spells them, '|'-separated ("0" for none). */
const char *slab_flags_format(uint32_t flags, char *buf, size_t len);

/* Op flags (struct op.flags). */
#define OPF_PERCPU_REFILL	0x0001	/* zone_locked: refilling a pcp list */
#define OPF_ACCOUNTED		0x0002	/* kmalloc/kmem_cache: memcg */
#define OPF_ATOMIC		0x0004	/* percpu: is_atomic */
#define OPF_RESERVED		0x0008	/* percpu: reserved chunk */
#define OPF_FAILED		0x0010	/* alloc_vmap_area: failed=1 */
#define OPF_SYNC		0x0020	/* writeback: sync_mode=1 */
#define OPF_KUPDATE		0x0040	/* writeback: kupdate */
#define OPF_BACKGROUND		0x0080	/* writeback: background */
#define OPF_OWNERSHIP		0x0100	/* extfrag: change_ownership */
#define OPF_WRITE		0x0200	/* access: stores, not loads */
#define OPF_HUGE		0x0400	/* vmalloc: PMD-size mappings */
#define OPF_LOCAL		0x0800	/* kmap: kmap_local_page() */

extern const char *const op_names[OP_NR];

/*
 * Why a writeback work ran (include/trace/events/writeback.h WB_WORK_REASON
 * names), folded into the buckets kmsim counts: a writeback op's aux[0].
 */
enum wb_reason_code {
	WBR_OTHER,		/* none, fs_free_space, forker_thread, ... */
	WBR_PERIODIC,		/* periodic (kupdate) */
	WBR_BACKGROUND,		/* background */
	WBR_VMSCAN,		/* vmscan */
	WBR_SYNC,		/* sync, fsync */
};
enum wb_reason_code wb_reason_parse(const char *name, size_t len);
/* A compaction status (include/trace/events/mmflags.h COMPACTION_STATUS)
 * by its name[0..len), as its index in enum compact_result (6.18): what
 * mm_compaction_end's op carries in aux[0]; -1 if kmsim does not know it. */
int compact_status_parse(const char *name, size_t len);
/* An op kmsim's YAML format accepts, by its YAML name, or -1. */
int op_type_parse(const char *name);
/* The YAML name of an op type, NULL if YAML has no such op. */
const char *op_yaml_name(enum op_type t);

struct op {
	enum op_type type;
	uint64_t ts_ns;		/* OP_TS_NONE: issue right after the last */
	int cpu;		/* -1: unspecified (CPU 0) */
	int node;		/* -1: the CPU's node */
	unsigned order;
	bool has_order;		/* free_pages: order given and to be checked */
	gfp_t gfp;
	uint64_t id;		/* allocation identity (hash of the label) */
	const char *label;	/* the id as written; valid until next() */
	uint64_t pfn;		/* OP_PFN_NONE unless the trace gives one */
	bool has_id;		/* false: an anonymous allocation */
	struct srcpos pos;	/* where it came from (file borrowed) */

	/* Fields of the captured events (0 unless the op has them). */
	int migratetype;	/* -1 unless the trace says */
	uint32_t flags;		/* OPF_* */
	uint64_t ptr;		/* object, percpu pointer, vmap start */
	uint64_t end;		/* vmap purge: end of the range */
	uint64_t bytes_req;	/* kmalloc/kmem_cache; vmap/percpu size */
	uint64_t bytes_alloc;	/* kmalloc/kmem_cache/percpu */
	uint64_t align;		/* vmap/percpu alignment */
	const char *name;	/* kmem_cache name; valid until next() */
	uint32_t dev;		/* page cache, writeback: major << 20 | minor */
	uint64_t ino;		/* inode number */
	uint64_t index;		/* page index (filemap: ofs >> PAGE_SHIFT) */
	uint64_t nr;		/* a count: nr_pages, nr_lazy, reclaimed */
	int policy;		/* alloc_pages: enum mpol_mode, -1 if unset */
	uint64_t nodemask;	/* alloc_pages: the policy's nodes, 0 all */
	int32_t aux[4];		/* extfrag: alloc_order, fallback_order,
				   alloc_mt, fallback_mt; else unused */
	const char *text;	/* marker text; valid until next() */
	const char *file;	/* YAML file ops: the file's name */
	const char *disk;	/* YAML file ops: the disk (dev), or NULL */
};

/* Set every field of op to "not given". */
void op_clear(struct op *op);

struct trace_source;

struct trace_source_ops {
	/* 1: *op filled; 0: end of trace; -1: bad input, *cause set. */
	int (*next)(struct trace_source *ts, struct op *op, char **cause);
	void (*destroy)(struct trace_source *ts);
	/* Optional: hex SHA-256 of the bytes read so far. */
	void (*digest)(struct trace_source *ts, char hex[65]);
	/* Optional: what the reader counted; NULL if it counts nothing. */
	const struct trace_stats *(*stats)(struct trace_source *ts);
};

struct trace_source {
	const struct trace_source_ops *ops;
	const char *format;	/* "yaml", "ftrace-text", "trace.dat" */
	bool captured;		/* a real capture: pfns, CPUs and ids are
				   the kernel's, gaps and repeats happen */
	char *path;		/* owned */
	uint64_t bytes_total;	/* input size if known, else 0 (progress) */
	uint64_t bytes_done;	/* consumed so far (progress) */
};

/* How a trace is to be read. */
struct trace_options {
	bool lenient;		/* skip and count malformed lines */
	unsigned page_shift;	/* of the traced machine (filemap ofs) */
	uint64_t seed;		/* YAML: the substitution variable `seed` */
};

/*
 * Open a trace, choosing the reader from the content (not the file name):
 * kmsim's YAML, ftrace text (tracefs `trace`, `trace_pipe`, `trace-cmd
 * report`), trace-cmd's trace.dat; gzip, xz and zstd are decoded first.
 * `-` reads standard input.  opt may be NULL (defaults).  NULL with
 * *cause on error.
 */
struct trace_source *trace_open(const char *path,
    const struct trace_options *opt, char **cause);
static inline int trace_next(struct trace_source *ts, struct op *op,
    char **cause)
{
	return ts->ops->next(ts, op, cause);
}
void trace_close(struct trace_source *ts);

/* Trace statistics a reader may report (lost events, overruns, lines
 * skipped); all optional. */
struct trace_stats {
	uint64_t lines;			/* input lines read */
	uint64_t events;		/* events parsed into ops */
	uint64_t unknown_events;	/* events of kinds kmsim skips */
	uint64_t malformed;		/* lines skipped with --lenient */
	uint64_t lost_events;		/* "LOST n EVENTS" markers, summed */
	uint64_t lost_markers;		/* how many such markers */
	uint64_t duplicate_frees;	/* mm_page_free_batched repeats */
	uint64_t entries_in_buffer;	/* header: entries-in-buffer */
	uint64_t entries_written;	/* header: entries-written */
	uint64_t ts_backwards;		/* events older than the one before
					   (per-CPU buffers merged) */
	uint64_t buffer_starts;		/* "##### CPU n buffer started" */
};

struct instream;
struct bundle;
/* The same over an open stream, which the trace source takes (and closes,
 * also on failure). */
struct trace_source *trace_open_stream(struct instream *in,
    const struct trace_options *opt, char **cause);
/* The trace of a capture bundle. */
struct trace_source *trace_open_bundle(struct bundle *b,
    const struct trace_options *opt, char **cause);

/* trace_yaml.c: kmsim's YAML trace format (kmsim-trace(5)). */
struct trace_source *trace_yaml_open(const char *path, char **cause);
struct trace_source *trace_yaml_open_stream(struct instream *in,
    char **cause);
struct trace_source *trace_yaml_open_string(const char *name,
    const char *text, char **cause);
/* Set the value of `seed` in substitutions (0 unless set) before the
 * first op is read; ts must be a YAML trace (format "yaml"). */
void trace_yaml_set_seed(struct trace_source *ts, int64_t seed);

/*
 * trace_dat.c: trace-cmd's binary trace.dat (versions 6 and 7), read
 * through libtracecmd; without it, opening one fails with a message
 * saying so.  A compressed trace.dat or one on standard input is decoded
 * into an unlinked temporary file first (libtracecmd needs to seek).
 */
#define TRACE_DAT_MAGIC "\x17\x08" "Dtracing"	/* 0x17 0x08 0x44 "tracing" */
#define TRACE_DAT_MAGIC_LEN 10
/* The first bytes of a file are a trace.dat's. */
bool trace_dat_sniff(const unsigned char *buf, size_t len);
struct trace_source *trace_dat_open(const char *path,
    const struct trace_options *opt, char **cause);
/* The same over an open stream (nothing read from it yet but its peek
 * buffer), which the trace source takes (and closes, also on failure). */
struct trace_source *trace_dat_open_stream(struct instream *in,
    const struct trace_options *opt, char **cause);

/*
 * trace_ftrace.c: the kernel's ftrace text (kmsim-trace(5), FTRACE TEXT):
 * tracefs `trace` and `trace_pipe`, and `trace-cmd report` output.  Events
 * of other kinds are counted in the stats and skipped.  opt may be NULL.
 * trace_ftrace_open_stream() takes in (a freshly opened stream, nothing
 * read yet) and closes it with the source.
 */
struct trace_source *trace_ftrace_open(const char *path,
    const struct trace_options *opt, char **cause);
struct trace_source *trace_ftrace_open_stream(struct instream *in,
    const struct trace_options *opt, char **cause);
/* Do these first bytes of a trace look like ftrace text? */
bool trace_ftrace_sniff(const void *buf, size_t len);

/* The identity an op label hashes to (the YAML reader uses it). */
static inline uint64_t trace_label_id(const char *label, size_t len)
{
	return kmsim_hash_bytes(label, len);
}

#endif /* KMSIM_TRACE_H */
