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
 * what the event's TP_printk() printed.
 *
 * This file reads the lines and decodes each event's fields into an op:
 * one decoder per event, each citing the format it reads.  The columns,
 * the event's name and the typed field values are lexed by ftrace_lex.c.
 * An event's fields are looked for at the cursor in the order the kernel
 * prints them, with a search of the whole line as the fallback, so that
 * older and newer kernels that add or drop a field are read by the same
 * code.
 *
 * Speed: the input is read in large chunks into one buffer and split with
 * memchr(); a line is parsed in place, with no allocation and no copy.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/instream.h"
#include "kmsim.h"
#include "trace/ftrace_lex.h"
#include "trace/trace.h"

#define FTRACE_CHUNK	(256 * 1024)	/* read at most this at once */
#define FTRACE_LINE_MAX	(64 * 1024)	/* the longest line read */
#define FTRACE_BUFSZ	(FTRACE_CHUNK + FTRACE_LINE_MAX)
#define NUL_NONE	SIZE_MAX

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
	uint64_t last_ts;
	char *error;		/* sticky: the cause once failed */
	struct op blank;	/* op_clear()ed: copied into each op */

	struct ftrace_lex lx;
};

/* ---- the events (TP_printk formats of include/trace/events/) ---- */

/*
 * kmem.h mm_page_alloc, 6.18:
 *   "page=%p pfn=0x%lx order=%d migratetype=%d gfp_flags=%s"
 * Linux 4.x: "pfn=%lu" (decimal).  A failed allocation has no page:
 * "page=(null) pfn=0" (or a zero pointer).
 */
static int ev_page_alloc(struct ftrace_fields *f, struct op *op)
{
	int64_t mt;
	uint64_t pfn;
	int null_page = ftrace_lex_page_is_null(f);

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
static int ev_page_free(struct ftrace_fields *f, struct op *op, bool batched)
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
		f->lx->st->duplicate_frees++;
	return 0;
}

/*
 * kmem.h mm_page_alloc_zone_locked, 6.18:
 *   "page=%p pfn=0x%lx order=%u migratetype=%d percpu_refill=%d"
 * mm_page_pcpu_drain, 6.18: "page=%p pfn=0x%lx order=%d migratetype=%d"
 */
static int ev_page_mt(struct ftrace_fields *f, struct op *op, bool zone_locked)
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
static int ev_extfrag(struct ftrace_fields *f, struct op *op)
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
		if (ftrace_lex_get_int(f, keys[i],
		    field(f, keys[i], strlen(keys[i])),
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
static int ev_slab_alloc(struct ftrace_fields *f, struct op *op, bool cache)
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
		e = ftrace_lex_key_search(f, v, "bytes_req=", 10);
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
static int ev_slab_free(struct ftrace_fields *f, struct op *op, bool cache)
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
static int ev_vmap_alloc(struct ftrace_fields *f, struct op *op)
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
static int ev_vmap_free(struct ftrace_fields *f, struct op *op)
{
	op->type = OP_VMAP_FREE;
	return GET_U64(f, "va_start=", B_HEX, &op->ptr) != 0 ||
	    GET_U64(f, "nr_lazy=", B_DEC, &op->nr) != 0 ? -1 : 0;
}

static int ev_vmap_purge(struct ftrace_fields *f, struct op *op)
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
static int ev_percpu_alloc(struct ftrace_fields *f, struct op *op)
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

static int ev_percpu_free(struct ftrace_fields *f, struct op *op)
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
static int ev_filemap(struct ftrace_fields *f, struct op *op, bool add)
{
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
	op->index = ofs >> f->page_shift;
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
static int ev_dirty(struct ftrace_fields *f, struct op *op)
{
	bool numeric;

	op->type = OP_DIRTY_FOLIO;
	if (ftrace_lex_bdi(f, &op->dev, &numeric) != 0 ||
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
static int ev_wb_work(struct ftrace_fields *f, struct op *op, bool start)
{
	uint32_t sb_dev;
	bool numeric, sync, kupdate, background;

	op->type = start ? OP_WRITEBACK_START : OP_WRITEBACK_WRITTEN;
	if (ftrace_lex_bdi(f, &op->dev, &numeric) != 0 ||
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
static int ev_wb_inode(struct ftrace_fields *f, struct op *op, bool start)
{
	uint64_t wrote;
	bool numeric;

	op->type = start ? OP_WRITEBACK_INODE_START : OP_WRITEBACK_INODE;
	if (ftrace_lex_bdi(f, &op->dev, &numeric) != 0 ||
	    GET_U64(f, "ino=", B_DEC, &op->ino) != 0 ||
	    GET_U64(f, "index=", B_DEC, &op->index) != 0 ||
	    GET_COUNT(f, "to_write=", &op->nr) != 0 ||
	    GET_U64(f, "wrote=", B_DEC, &wrote) != 0)
		return -1;
	if (!start)
		op->nr = wrote;
	return 0;
}

/*
 * compaction.h mm_compaction_begin, 6.18: "zone_start=0x%lx
 *   migrate_pfn=0x%lx free_pfn=0x%lx zone_end=0x%lx, mode=%s"
 * mm_compaction_end: the same, then " status=%s".
 * Read as pfn = zone_start, end = zone_end, index = migrate_pfn,
 * nr = free_pfn, OPF_SYNC for mode=sync, aux[0] = the status (-1 if
 * unknown to kmsim).
 */
static int ev_compaction(struct ftrace_fields *f, struct op *op, bool end)
{
	enum num_err err;
	char *v, *p;

	op->type = end ? OP_COMPACTION_END : OP_COMPACTION_BEGIN;
	if (GET_U64(f, "zone_start=", B_HEX, &op->pfn) != 0 ||
	    GET_U64(f, "migrate_pfn=", B_HEX, &op->index) != 0 ||
	    GET_U64(f, "free_pfn=", B_HEX, &op->nr) != 0)
		return -1;
	v = FIELD(f, "zone_end=");
	if (v == NULL)
		return ftrace_lex_missing(f, "zone_end=");
	p = num_hex(v, &op->end, &err);
	if (err != NUM_OK || (*p != ',' && !at_value_end(p)))
		return ftrace_lex_bad_value(f, "zone_end=", v,
		    err != NUM_OK ? err : NUM_BAD);
	f->p = p + (*p == ',');
	v = FIELD(f, "mode=");
	if (v == NULL)
		return ftrace_lex_missing(f, "mode=");
	if (strncmp(v, "sync", 4) == 0 && at_value_end(v + 4))
		op->flags |= OPF_SYNC;
	else if (!(strncmp(v, "async", 5) == 0 && at_value_end(v + 5)))
		return ftrace_lex_bad_value(f, "mode=", v, NUM_BAD);
	f->p = v + ftrace_lex_token_len(v);
	if (!end)
		return 0;
	v = FIELD(f, "status=");
	if (v == NULL)
		return ftrace_lex_missing(f, "status=");
	op->aux[0] = compact_status_parse(v,
	    (size_t)ftrace_lex_token_len(v));
	return 0;
}

/*
 * compaction.h mm_compaction_kcompactd_wake (kcompactd_wake_template),
 * 6.18: "nid=%d order=%d classzone_idx=%-8s"  (aux[0]: the zone's index,
 * -1 if kmsim does not know the name)
 */
static int ev_kcompactd_wake(struct ftrace_fields *f, struct op *op)
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
	if (v != NULL && (n = ftrace_lex_token_len(v)) < (int)sizeof name) {
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
static int ev_kswapd(struct ftrace_fields *f, struct op *op, enum op_type type)
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
static int ev_reclaim(struct ftrace_fields *f, struct op *op, bool begin)
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
static int parse_event(struct ftrace_fields *f, enum ev_kind kind,
    struct op *op)
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
static int parse_line(struct trace_ftrace *r, char *s, size_t n, struct op *op)
{
	struct ftrace_lex_context c;
	struct ftrace_fields f;
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
		ftrace_lex_comment(&r->lx, s);
		return 0;
	}
	if (unlikely(*s == 'C' || *s == 'c' || *s == 'v')) {
		if ((strncmp(s, "CPU:", 4) == 0 &&
		    ftrace_lex_lost(&r->lx, s)) ||
		    ftrace_lex_tracecmd_header(s)) {
			r->lx.seen_record = true;
			return 0;
		}
	}
	if (unlikely(ftrace_lex_context(&r->lx, s, s, end, &c) != 0)) {
		p = skip_spaces(s);
		if (*p == '#') {		/* indented, by a copy */
			ftrace_lex_comment(&r->lx, p);
			return 0;
		}
		return -1;
	}
	r->lx.seen_record = true;
	if (c.ts_ns < r->last_ts)
		r->st.ts_backwards++;
	r->last_ts = c.ts_ns;

	/* the event's name, then ':' */
	if (*c.rest != ' ')
		return ftrace_lex_error(&r->lx, s, c.rest, *c.rest == '\0' ?
		    "truncated line: no event after the timestamp" :
		    "no space after the timestamp");
	name = skip_spaces(c.rest);
	p = memchr(name, ':', KMSIM_MIN((size_t)(end - name), (size_t)64));
	if (p == NULL) {
		if (*name == '\0' || memchr(name, ' ',
		    (size_t)(end - name)) == NULL)
			return ftrace_lex_error(&r->lx, s, name, *name == '\0' ?
			    "truncated line: no event after the timestamp" :
			    "truncated line: no ':' after the event name");
		/* not an event: the function tracer's "func <-parent" etc. */
		r->st.unknown_events++;
		return 0;
	}
	kind = p > name ?
	    ftrace_lex_event(&r->lx, name, (size_t)(p - name)) : -1;
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
	f.lx = &r->lx;
	f.page_shift = r->opt.page_shift;
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
			ftrace_lex_error(&r->lx, s, r->buf + r->nul,
			    r->lx.seen_record ? "NUL byte in the line" :
			    "binary data, not ftrace text");
			r->lx.err.shape = true;
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
		if (r->opt.lenient && (r->lx.seen_record || !r->lx.err.shape)) {
			r->st.malformed++;
			continue;
		}
		pos.file = r->ts.path;
		pos.line = r->lineno;
		pos.col = r->lx.err.col;
		return ftrace_fail(r, kmsim_cause_at(&pos, "%s", r->lx.err.msg),
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
	ftrace_lex_init(&r->lx, &r->st, ev_names, EV_NR);
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
	struct ftrace_lex_context c;
	char line[512], *p;
	size_t n;
	bool yes = false;
	int lines;

	r = xcalloc(1, sizeof *r);	/* the lexer reports into it */
	r->lx.st = &r->st;
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
			ftrace_lex_comment(&r->lx, p);
			if (r->lx.seen_record) {
				yes = true;
				break;
			}
			continue;
		}
		yes = (strncmp(p, "CPU:", 4) == 0 &&
		    ftrace_lex_lost(&r->lx, p)) ||
		    ftrace_lex_tracecmd_header(p) ||
		    ftrace_lex_context(&r->lx, line, p, line + n, &c) == 0;
		break;
	}
	free(r);
	return yes;
}
