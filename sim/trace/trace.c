/* trace.c - op names and opening a trace by sniffing its content. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/bundle.h"
#include "trace/instream.h"
#include "trace/trace.h"

const char *const op_names[OP_NR] = {
	[OP_ALLOC_PAGES] = "alloc_pages",
	[OP_FREE_PAGES] = "free_pages",
	[OP_PAGE_FREE_BATCHED] = "mm_page_free_batched",
	[OP_PAGE_ALLOC_ZONE_LOCKED] = "mm_page_alloc_zone_locked",
	[OP_PAGE_PCPU_DRAIN] = "mm_page_pcpu_drain",
	[OP_PAGE_ALLOC_EXTFRAG] = "mm_page_alloc_extfrag",
	[OP_KMALLOC] = "kmalloc",
	[OP_KFREE] = "kfree",
	[OP_KMEM_CACHE_ALLOC] = "kmem_cache_alloc",
	[OP_KMEM_CACHE_FREE] = "kmem_cache_free",
	[OP_KMEM_CACHE_CREATE] = "kmem_cache_create",
	[OP_KMEM_CACHE_DESTROY] = "kmem_cache_destroy",
	[OP_KREALLOC] = "krealloc",
	[OP_VMAP_ALLOC] = "alloc_vmap_area",
	[OP_VMAP_FREE] = "free_vmap_area_noflush",
	[OP_VMAP_PURGE] = "purge_vmap_area_lazy",
	[OP_VMALLOC] = "vmalloc",
	[OP_VFREE] = "vfree",
	[OP_FORK] = "fork",
	[OP_EXIT] = "exit",
	[OP_ACCESS] = "access",
	[OP_KMAP] = "kmap",
	[OP_KUNMAP] = "kunmap",
	[OP_PERCPU_ALLOC] = "percpu_alloc_percpu",
	[OP_PERCPU_FREE] = "percpu_free_percpu",
	[OP_READ] = "read",
	[OP_WRITE] = "write",
	[OP_FSYNC] = "fsync",
	[OP_TRUNCATE] = "truncate",
	[OP_UNLINK] = "unlink",
	[OP_DROP_CACHES] = "drop_caches",
	[OP_FILEMAP_ADD] = "mm_filemap_add_to_page_cache",
	[OP_FILEMAP_DELETE] = "mm_filemap_delete_from_page_cache",
	[OP_DIRTY_FOLIO] = "writeback_dirty_folio",
	[OP_WRITEBACK_START] = "writeback_start",
	[OP_WRITEBACK_WRITTEN] = "writeback_written",
	[OP_WRITEBACK_INODE_START] = "writeback_single_inode_start",
	[OP_WRITEBACK_INODE] = "writeback_single_inode",
	[OP_COMPACTION_BEGIN] = "mm_compaction_begin",
	[OP_COMPACTION_END] = "mm_compaction_end",
	[OP_KSWAPD_WAKE] = "mm_vmscan_kswapd_wake",
	[OP_KSWAPD_SLEEP] = "mm_vmscan_kswapd_sleep",
	[OP_DIRECT_RECLAIM_BEGIN] = "mm_vmscan_direct_reclaim_begin",
	[OP_DIRECT_RECLAIM_END] = "mm_vmscan_direct_reclaim_end",
	[OP_WAKEUP_KSWAPD] = "mm_vmscan_wakeup_kswapd",
	[OP_KCOMPACTD_WAKE] = "mm_compaction_kcompactd_wake",
	[OP_MARKER] = "marker",
};

enum wb_reason_code wb_reason_parse(const char *name, size_t len)
{
	static const struct {
		const char *name;
		enum wb_reason_code code;
	} t[] = {
		{ "periodic", WBR_PERIODIC }, { "background", WBR_BACKGROUND },
		{ "vmscan", WBR_VMSCAN }, { "sync", WBR_SYNC },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strlen(t[i].name) == len &&
		    memcmp(t[i].name, name, len) == 0)
			return t[i].code;
	return WBR_OTHER;
}

int compact_status_parse(const char *name, size_t len)
{
	static const char *const status[] = {
		"not_suitable_zone", "skipped", "deferred", "no_suitable_page",
		"continue", "complete", "partial_skipped", "contended",
		"success",
	};
	size_t i;

	for (i = 0; i < sizeof status / sizeof status[0]; i++)
		if (strlen(status[i]) == len &&
		    memcmp(status[i], name, len) == 0)
			return (int)i;
	return -1;
}

void op_clear(struct op *op)
{
	memset(op, 0, sizeof *op);
	op->ts_ns = OP_TS_NONE;
	op->cpu = -1;
	op->node = -1;
	op->pfn = OP_PFN_NONE;
	op->migratetype = -1;
	op->policy = -1;
}

/* The ops of kmsim's YAML traces (kmsim-trace(5)) and their names. */
static const struct {
	const char *name;
	enum op_type type;
} yaml_ops[] = {
	{ "alloc_pages", OP_ALLOC_PAGES },
	{ "free_pages", OP_FREE_PAGES },
	{ "kmem_cache_create", OP_KMEM_CACHE_CREATE },
	{ "kmem_cache_destroy", OP_KMEM_CACHE_DESTROY },
	{ "kmem_cache_alloc", OP_KMEM_CACHE_ALLOC },
	{ "kmem_cache_free", OP_KMEM_CACHE_FREE },
	{ "kmalloc", OP_KMALLOC },
	{ "kfree", OP_KFREE },
	{ "krealloc", OP_KREALLOC },
	{ "alloc_percpu", OP_PERCPU_ALLOC },
	{ "free_percpu", OP_PERCPU_FREE },
	{ "vmalloc", OP_VMALLOC },
	{ "vfree", OP_VFREE },
	{ "fork", OP_FORK },
	{ "exit", OP_EXIT },
	{ "access", OP_ACCESS },
	{ "kmap", OP_KMAP },
	{ "kunmap", OP_KUNMAP },
	{ "read", OP_READ },
	{ "write", OP_WRITE },
	{ "fsync", OP_FSYNC },
	{ "truncate", OP_TRUNCATE },
	{ "unlink", OP_UNLINK },
	{ "drop_caches", OP_DROP_CACHES },
};

int op_type_parse(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof yaml_ops / sizeof yaml_ops[0]; i++)
		if (strcmp(yaml_ops[i].name, name) == 0)
			return (int)yaml_ops[i].type;
	return -1;
}

const char *op_yaml_name(enum op_type t)
{
	size_t i;

	for (i = 0; i < sizeof yaml_ops / sizeof yaml_ops[0]; i++)
		if (yaml_ops[i].type == t)
			return yaml_ops[i].name;
	return NULL;
}

static const struct {
	const char *name;
	uint32_t bit;
} slab_flag_names[] = {
	{ "SLAB_HWCACHE_ALIGN", SLABF_HWCACHE_ALIGN },
	{ "SLAB_RECLAIM_ACCOUNT", SLABF_RECLAIM_ACCOUNT },
	{ "SLAB_ACCOUNT", SLABF_ACCOUNT },
	{ "SLAB_TYPESAFE_BY_RCU", SLABF_TYPESAFE_BY_RCU },
	{ "SLAB_NO_MERGE", SLABF_NO_MERGE },
	{ "SLAB_CACHE_DMA", SLABF_CACHE_DMA },
	{ "SLAB_CACHE_DMA32", SLABF_CACHE_DMA32 },
	{ "SLAB_PANIC", SLABF_PANIC },
};

int slab_flags_parse(const char *s, uint32_t *out, char **cause)
{
	const char *p = s, *e;
	size_t i, n;

	*out = 0;
	if (strcmp(s, "0") == 0)
		return 0;
	for (;;) {
		while (*p == ' ')
			p++;
		e = p + strcspn(p, "| ");
		n = (size_t)(e - p);
		for (i = 0; i < sizeof slab_flag_names /
		    sizeof slab_flag_names[0]; i++)
			if (strlen(slab_flag_names[i].name) == n &&
			    strncmp(slab_flag_names[i].name, p, n) == 0)
				break;
		if (i == sizeof slab_flag_names / sizeof slab_flag_names[0])
			return kmsim_fail(cause, "unknown slab flag '%.*s'"
			    " (SLAB_HWCACHE_ALIGN, SLAB_RECLAIM_ACCOUNT,"
			    " SLAB_ACCOUNT, SLAB_TYPESAFE_BY_RCU,"
			    " SLAB_NO_MERGE, SLAB_CACHE_DMA,"
			    " SLAB_CACHE_DMA32, SLAB_PANIC)", (int)n, p);
		*out |= slab_flag_names[i].bit;
		p = e;
		while (*p == ' ')
			p++;
		if (*p == '\0')
			return 0;
		if (*p++ != '|')
			return kmsim_fail(cause, "'%s' is not SLAB_ flags"
			    " joined by '|'", s);
	}
}

const char *slab_flags_format(uint32_t flags, char *buf, size_t len)
{
	size_t i, at = 0;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < sizeof slab_flag_names / sizeof slab_flag_names[0];
	    i++) {
		if (!(flags & slab_flag_names[i].bit))
			continue;
		at += (size_t)snprintf(buf + at, at < len ? len - at : 0,
		    "%s%s", at ? "|" : "", slab_flag_names[i].name);
	}
	if (at == 0)
		snprintf(buf, len, "0");
	return buf;
}

struct trace_source *trace_open_stream(struct instream *in,
    const struct trace_options *opt, char **cause)
{
	struct trace_source *ts;

	/*
	 * The reader is chosen from the first plain bytes (in->peek), not
	 * the file name.
	 */

	/* trace-cmd's binary trace.dat (copied to a file if compressed) */
	if (trace_dat_sniff(in->peek, in->peek_len))
		return trace_dat_open_stream(in, opt, cause);

	/* ftrace text: tracefs trace and trace_pipe, trace-cmd report */
	if (trace_ftrace_sniff(in->peek, in->peek_len))
		return trace_ftrace_open_stream(in, opt, cause);

	/* kmsim's YAML: the default, whose errors explain the most */
	ts = trace_yaml_open_stream(in, cause);
	if (ts != NULL && opt != NULL)
		trace_yaml_set_seed(ts, (int64_t)opt->seed);
	return ts;
}

struct trace_source *trace_open(const char *path,
    const struct trace_options *opt, char **cause)
{
	struct instream *in = instream_open(path, cause);

	if (in == NULL)
		return NULL;
	return trace_open_stream(in, opt, cause);
}

struct trace_source *trace_open_bundle(struct bundle *b,
    const struct trace_options *opt, char **cause)
{
	struct instream *in;

	in = bundle_member_open(b, bundle_trace_member(b), cause);
	if (in == NULL)
		return NULL;
	return trace_open_stream(in, opt, cause);
}

void trace_close(struct trace_source *ts)
{
	if (ts != NULL)
		ts->ops->destroy(ts);
}
