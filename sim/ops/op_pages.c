/*
 * op_pages.c - alloc_pages and free_pages as page_alloc() and page_free()
 * requests, with the ids of the trace in the table of live blocks, and
 * the capture's quirks: the frees of blocks allocated before it began,
 * the frees of part of a block, the allocator's own moves.
 */
#include "kmsim_config.h"

#include <stdlib.h>

#include "mm/buddy.h"
#include "mm/pagecache.h"
#include "ops/op_pages.h"
#include "ops/replay.h"

/* An op that names no pfn names no frame of the machine. */
_Static_assert(OP_PFN_NONE == NO_PFN, "OP_PFN_NONE is NO_PFN");

struct op_pages {
	struct ops_ctx *ctx;
	struct idtab live;		/* id -> pfn, order */
};

/*
 * The frame of a live allocation's head names its slot in the table of
 * live allocations (page_frame.private), kept as entries move, so that
 * compaction can find the owner of a block it moves in O(1).
 */
static void op_pages_moved(void *arg, const struct idtab_entry *e,
    uint64_t slot)
{
	struct op_pages *p = arg;

	if (e->pfn < p->ctx->m->max_pfn)
		pfn_to_frame(p->ctx->m, e->pfn)->private = (uint32_t)slot;
}

/*
 * Compaction moved a live block: its id now names the new pfn.  A block
 * without an id (an anonymous allocation) has no entry, and a stale slot
 * in its frame names an entry of another pfn.  The page cache's pages
 * are its own.
 */
static void op_pages_migrate_owner(void *arg, uint64_t old_pfn,
    uint64_t new_pfn, unsigned order)
{
	struct op_pages *p = arg;
	struct machine *m = p->ctx->m;
	struct idtab_entry *e;
	uint32_t slot = pfn_to_frame(m, old_pfn)->private;

	(void)order;
	if (p->ctx->pc != NULL && pagecache_migrate(p->ctx->pc, old_pfn,
	    new_pfn))
		return;
	e = idtab_slot(&p->live, slot);
	if (e == NULL || e->pfn != old_pfn)
		return;
	e->pfn = new_pfn;
	pfn_to_frame(m, new_pfn)->private = slot;
}

struct op_pages *op_pages_create(struct ops_ctx *ctx)
{
	struct op_pages *p = xcalloc(1, sizeof *p);

	p->ctx = ctx;
	idtab_init(&p->live);
	p->live.moved = op_pages_moved;
	p->live.moved_arg = p;
	ctx->m->migrate_owner = op_pages_migrate_owner;
	ctx->m->owner_arg = p;
	return p;
}

void op_pages_destroy(struct op_pages *p)
{
	if (p == NULL)
		return;
	idtab_fini(&p->live);
	free(p);
}

int op_pages_seed(struct op_pages *p, struct bundle *b, char **cause)
{
	struct kpageflags kp = { NULL, 0 };

	if (bundle_kpageflags(b, "before", &kp, cause) < 0)
		return -1;
	if (kp.nr > 0)
		simulate_seed(p->ctx->m, &kp);
	kpageflags_free(&kp);
	return 0;
}

bool op_pages_find(const struct op_pages *p, uint64_t id, uint64_t *pfn,
    unsigned *order)
{
	const struct idtab_entry *e = idtab_find(&p->live, id);

	if (e == NULL)
		return false;
	*pfn = e->pfn;
	*order = e->order;
	return true;
}

uint64_t op_pages_nr_live(const struct op_pages *p)
{
	return p->live.len;
}

/*
 * A captured free of a block allocated before the trace began: with the
 * capture's start state seeded, its frames are still PF_PREEXISTING at
 * the pfn the kernel named, and go back to the allocator there (the
 * per-cpu lists for the orders they take).  Anything else (no seeded
 * state, a block the model's own allocations overlap) is only counted.
 */
static uint64_t free_preexisting(struct op_pages *p, const struct op *op,
    int cpu)
{
	struct ops_ctx *ctx = p->ctx;
	struct machine *m = ctx->m;
	uint64_t pfn = op->pfn, n = UINT64_C(1) << op->order, q;
	struct alloc_result res;
	struct page_frame *f;
	struct zone *z;

	if (pfn == OP_PFN_NONE || pfn >= m->max_pfn || n > m->max_pfn - pfn ||
	    (pfn & (n - 1)) || op->order > m->max_order ||
	    (z = machine_pfn_zone(m, pfn)) == NULL ||
	    pfn + n > zone_end_pfn(z))
		return 0;
	for (q = pfn; q < pfn + n; q++)
		if (!(m->frames[q].flags & PF_PREEXISTING))
			return 0;
	for (q = pfn; q < pfn + n; q++) {
		f = pfn_to_frame(m, q);
		f->flags &= (uint8_t)~PF_PREEXISTING;
		if (q != pfn)
			pageblock_account(m, q, 0, f->alloc_mt, -1);
	}
	f = pfn_to_frame(m, pfn);
	f->flags |= PF_HEAD;
	f->order = (uint8_t)op->order;
	/* the head's own page is accounted for the block by page_free() */
	pageblock_account(m, pfn, 0, f->alloc_mt, -1);
	pageblock_account(m, pfn, op->order, f->alloc_mt, +1);
	page_free(m, pfn, op->order, cpu, &res);
	ctx->st->preexisting_freed++;
	ctx->last_pfn = pfn;
	hist_record(&ctx->st->lat[op->type], res.cycles);
	return res.cycles;
}

/* Models the caller of mm/page_alloc.c:__alloc_pages(). */
static uint64_t alloc_pages(struct op_pages *p, const struct op *op, int cpu)
{
	struct ops_ctx *ctx = p->ctx;
	struct run_stats *st = ctx->st;
	bool captured = ctx->captured;
	struct alloc_request req;
	struct alloc_result res;
	struct idtab_entry *e;
	char *msg = NULL;

	if (captured && (op->flags & OPF_FAILED))
		st->captured[RUN_CAP_FAILED_IN_TRACE]++;
	if (op->has_id && (e = idtab_find(&p->live, op->id)) != NULL) {
		if (!captured) {
			xasprintf(&msg, "id '%s' is already allocated",
			    ops_label(op));
			ops_bad(ctx, op, RUN_SKIP_DUPLICATE_ID, msg);
			return 0;
		}
		/* its free was never seen: forget the old one */
		st->captured[RUN_CAP_REALLOC]++;
		idtab_remove(&p->live, e);
	}
	req.order = op->order;
	req.gfp = op->gfp;
	req.preferred_node = op->node >= 0 && !captured ? op->node :
	    machine_cpu_node(ctx->m, cpu);
	req.migratetype = op->migratetype;
	req.cpu = cpu;
	req.policy = op->policy >= 0 ? (enum mpol_mode)op->policy :
	    ctx->cfg->mempolicy;
	req.nodemask = op->policy >= 0 ? op->nodemask :
	    ctx->cfg->mempolicy_nodes;
	if (page_alloc(ctx->m, &req, &res, &msg) != 0) {
		ops_bad(ctx, op, RUN_SKIP_BAD_REQUEST, msg);
		return 0;
	}
	st->splits += res.splits;
	if (res.fallback)
		st->fallbacks++;
	if (res.stalled) {
		hist_record(&st->lat_stall, res.cycles);
		st->stall_cycles += res.cycles;
	}
	st->nr_compacted += res.compacted;
	st->nr_reclaimed += res.reclaimed;
	if (res.pfn == NO_PFN) {
		run_stats_record_failure(st, op->order, op->gfp,
		    req.preferred_node);
		/* its free, if the trace has one, frees nothing */
		if (op->has_id)
			idtab_insert(&ctx->failed, op->id, NO_PFN, op->order);
		hist_record(&st->lat_failed, res.cycles);
		return res.cycles;
	}
	ctx->last_pfn = res.pfn;
	if (res.zone->node != req.preferred_node)
		st->remote_allocs++;
	if (op->has_id && !(op->flags & OPF_FAILED)) {
		idtab_insert(&p->live, op->id, res.pfn, op->order);
		if (ctx->failed.len > 0 &&
		    (e = idtab_find(&ctx->failed, op->id)) != NULL)
			idtab_remove(&ctx->failed, e);
	}
	hist_record(&st->lat[op->type], res.cycles);
	return res.cycles;
}

/* Models the caller of mm/page_alloc.c:__free_pages(). */
static uint64_t free_pages(struct op_pages *p, const struct op *op, int cpu)
{
	struct ops_ctx *ctx = p->ctx;
	struct run_stats *st = ctx->st;
	bool captured = ctx->captured;
	struct alloc_result res;
	struct idtab_entry *e;
	char *msg = NULL;

	e = op->has_id ? idtab_find(&p->live, op->id) : NULL;
	/* a trace cannot know which of its allocations the model fails:
	 * the free of one is counted, not bad */
	if (e == NULL && ops_free_of_failed(ctx, op->has_id, op->id))
		return 0;
	if (e == NULL) {
		if (captured) {
			st->captured[RUN_CAP_FREE_PREEXISTING]++;
			return free_preexisting(p, op, cpu);
		}
		xasprintf(&msg, "free of id '%s' that is not allocated"
		    " (never allocated, or already freed)", ops_label(op));
		ops_bad(ctx, op, RUN_SKIP_UNKNOWN_ID, msg);
		return 0;
	}
	if (op->has_order && op->order != e->order) {
		if (captured) {
			/* the kernel freed part of a block, or a free was
			 * lost: keep the model consistent */
			st->captured[RUN_CAP_ORDER_MISMATCH]++;
			if (op->order < e->order)
				return 0;
		} else {
			xasprintf(&msg, "free of id '%s' with order %u, but it"
			    " was allocated with order %u", ops_label(op),
			    op->order, e->order);
			ops_bad(ctx, op, RUN_SKIP_ORDER_MISMATCH, msg);
			return 0;
		}
	}
	page_free(ctx->m, e->pfn, e->order, cpu, &res);
	ctx->last_pfn = e->pfn;
	idtab_remove(&p->live, e);
	st->merges += res.merges;
	hist_record(&st->lat[op->type], res.cycles);
	return res.cycles;
}

uint64_t op_pages_issue(struct op_pages *p, const struct op *op, int cpu)
{
	switch (op->type) {
	case OP_ALLOC_PAGES:
		return alloc_pages(p, op, cpu);
	case OP_FREE_PAGES:
		return free_pages(p, op, cpu);
	case OP_PAGE_FREE_BATCHED:
	case OP_PAGE_ALLOC_ZONE_LOCKED:
	case OP_PAGE_PCPU_DRAIN:
		/* the real kernel's own moves: the model makes its own */
		p->ctx->st->captured[RUN_CAP_INTERNAL]++;
		return 0;
	default:
		return 0;
	}
}
