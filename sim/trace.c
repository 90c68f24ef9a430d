/* trace.c - op names and opening a trace by sniffing its content. */

#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "instream.h"
#include "trace.h"

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
	[OP_VMAP_ALLOC] = "alloc_vmap_area",
	[OP_VMAP_FREE] = "free_vmap_area_noflush",
	[OP_VMAP_PURGE] = "purge_vmap_area_lazy",
	[OP_PERCPU_ALLOC] = "percpu_alloc_percpu",
	[OP_PERCPU_FREE] = "percpu_free_percpu",
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

int op_type_parse(const char *name)
{
	int i;

	for (i = 0; i <= OP_YAML_LAST; i++)
		if (strcmp(op_names[i], name) == 0)
			return i;
	return -1;
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
