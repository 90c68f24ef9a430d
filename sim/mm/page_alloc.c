/*
 * page_alloc.c - the page allocator above the buddy lists
 * (mm/page_alloc.c, Linux 6.18): GFP constraints and memory policies,
 * zonelists, watermark checks, the per-cpu lists, the highatomic reserve,
 * and the slow path with kswapd wake-ups, direct compaction, direct
 * reclaim and the pcp drain (__alloc_pages_noprof(),
 * get_page_from_freelist(), __alloc_pages_slowpath()).
 */

#include <inttypes.h>

#include "mm/buddy.h"
#include "mm/compaction.h"
#include "mm/vmscan.h"

/* mm/internal.h:MAX_RECLAIM_RETRIES. */
#define MAX_RECLAIM_RETRIES	16

/* Models mm/page_alloc.c:__zone_watermark_ok(). */
bool zone_watermark_ok(const struct zone *z, unsigned order, uint64_t mark,
    int highest_zoneidx, unsigned alloc_flags, unsigned max_order)
{
	int64_t min = (int64_t)mark;
	int64_t free_pages = (int64_t)z->free_pages;
	unsigned o;
	int t;

	/*
	 * __zone_watermark_unusable_free(): an order-N request cannot use
	 * the last 2^N - 1 pages, nor the free highatomic reserve unless it
	 * may use reserves, nor CMA unless it may use CMA.
	 */
	free_pages -= (int64_t)(UINT64_C(1) << order) - 1;
	if (!(alloc_flags & ALLOC_RESERVES))
		free_pages -= (int64_t)z->nr_free_highatomic;
	if (!(alloc_flags & ALLOC_CMA))
		free_pages -= (int64_t)z->nr_free_cma;
	if (alloc_flags & ALLOC_RESERVES) {
		/* __GFP_HIGH callers may dip into half the reserve, atomic
		 * ones a further quarter; OOM victims half again. */
		if (alloc_flags & ALLOC_HIGH) {
			min -= min / 2;
			if (alloc_flags & ALLOC_NON_BLOCK)
				min -= min / 4;
		}
		if (alloc_flags & ALLOC_OOM)
			min -= min / 2;
	}
	if (free_pages <= min + (int64_t)z->lowmem_reserve[highest_zoneidx])
		return false;
	if (order == 0)
		return true;
	/* a free block of the order or above on a usable list */
	for (o = order; o <= max_order; o++) {
		const struct free_area *area = &z->free_area[o];

		if (area->nr_free == 0)
			continue;
		for (t = 0; t < MIGRATE_PCPTYPES; t++)
			if (area->free_list[t] != PFN_NONE)
				return true;
		if ((alloc_flags & ALLOC_CMA) &&
		    area->free_list[MIGRATE_CMA] != PFN_NONE)
			return true;
		if ((alloc_flags & (ALLOC_HIGHATOMIC | ALLOC_OOM)) &&
		    area->free_list[MIGRATE_HIGHATOMIC] != PFN_NONE)
			return true;
	}
	return false;
}

/* The zone a gfp allows on this machine: zones it lacks fall back to the
 * next lower one, as OPT_ZONE_HIGHMEM etc. do in include/linux/gfp.h. */
static int highest_zone(const struct machine *m, int zt)
{
	if (zt == ZONE_MOVABLE && !m->has_zone[ZONE_MOVABLE])
		zt = ZONE_HIGHMEM;
	if (zt == ZONE_HIGHMEM && !m->has_zone[ZONE_HIGHMEM])
		zt = ZONE_NORMAL;
	if (zt == ZONE_DMA && !m->has_zone[ZONE_DMA])
		zt = ZONE_NORMAL;	/* !CONFIG_ZONE_DMA: GFP_DMA is Normal */
	if (zt == ZONE_DMA32 && !m->has_zone[ZONE_DMA32])
		zt = ZONE_NORMAL;
	return zt;
}

/* mm/page_alloc.c:gfp_to_alloc_flags_cma(). */
static unsigned alloc_flags_cma(const struct machine *m, int mt,
    unsigned flags)
{
	if (mt == MIGRATE_MOVABLE && m->cfg->cma_size > 0)
		flags |= ALLOC_CMA;
	return flags;
}

/* mm/page_alloc.c:gfp_to_alloc_flags(), the parts that matter here. */
static unsigned gfp_to_alloc_flags(gfp_t gfp, unsigned order)
{
	unsigned flags = ALLOC_WMARK_MIN;

	if (gfp & GFP_BIT_HIGH)
		flags |= ALLOC_HIGH;
	if (gfp & GFP_BIT_KSWAPD_RECLAIM)
		flags |= ALLOC_KSWAPD;
	if (!(gfp & GFP_BIT_DIRECT_RECLAIM) && !(gfp & GFP_BIT_NOMEMALLOC)) {
		flags |= ALLOC_NON_BLOCK;
		if (order > 0 && (flags & ALLOC_HIGH))
			flags |= ALLOC_HIGHATOMIC;
	}
	return flags;
}

/*
 * mm/page_alloc.c:alloc_flags_nofragment(): allocations whose preferred
 * zone is Normal, with DMA32 beside it (or a single node), first try
 * every zone without fragmenting a pageblock, rather than pollute one.
 */
static unsigned alloc_flags_nofragment(const struct machine *m,
    const struct zone *z, gfp_t gfp)
{
	unsigned flags = (gfp & GFP_BIT_KSWAPD_RECLAIM) ? ALLOC_KSWAPD : 0;

	if (z == NULL || z->type != ZONE_NORMAL || m->mobility_disabled)
		return flags;
	if (m->nr_nodes > 1 && !m->nodes[z->node].zones[ZONE_DMA32].populated)
		return flags;
	return flags | ALLOC_NOFRAGMENT;
}

/* The zones a request may use, in the order it tries them. */
struct zone_iter {
	struct zone *zones[CONFIG_MAX_NODES * MAX_NR_ZONES];
	int nr;
};

static bool node_allowed(const struct alloc_request *req, int node)
{
	if ((req->gfp & GFP_BIT_THISNODE) && node != req->preferred_node)
		return false;
	if (req->policy == MPOL_BIND && req->nodemask != 0 &&
	    !(req->nodemask & (UINT64_C(1) << node)))
		return false;
	return true;
}

static void build_zone_iter(struct machine *m, const struct alloc_request *req,
    int highest_zoneidx, struct zone_iter *it)
{
	const struct node *nd = &m->nodes[req->preferred_node];
	int i;

	it->nr = 0;
	for (i = 0; i < nd->nr_zonelist; i++) {
		struct zone *z = m->zones[nd->zonelist[i]];

		if ((int)z->type > highest_zoneidx || !node_allowed(req, z->node))
			continue;
		it->zones[it->nr++] = z;
	}
}

/*
 * mm/page_alloc.c:rmqueue() / rmqueue_buddy(): the per-cpu lists for the
 * orders they hold, else the buddy under the zone lock, the highatomic
 * reserve first for high-order atomic requests and as the last resort
 * for atomic and OOM ones.
 */
static uint64_t rmqueue(struct machine *m, struct zone *z,
    const struct alloc_request *req, int mt, unsigned alloc_flags,
    struct alloc_result *res)
{
	uint64_t pfn = NO_PFN;

	if (z->pcp != NULL && pcp_allowed_order(m, req->order)) {
		pfn = pcp_alloc(m, z, req->cpu, req->order, mt, alloc_flags,
		    res);
		if (pfn != NO_PFN)
			return pfn;
	}
	res->cycles += m->cost.c[COST_ZONE_LOCK];
	if (alloc_flags & ALLOC_HIGHATOMIC)
		pfn = buddy_rmqueue_smallest(m, z, req->order,
		    MIGRATE_HIGHATOMIC, res);
	if (pfn == NO_PFN) {
		pfn = buddy_rmqueue(m, z, req->order, (enum migratetype)mt,
		    alloc_flags, res);
		if (pfn == NO_PFN &&
		    (alloc_flags & (ALLOC_OOM | ALLOC_NON_BLOCK)))
			pfn = buddy_rmqueue_smallest(m, z, req->order,
			    MIGRATE_HIGHATOMIC, res);
	}
	return pfn;
}

/* mm/page_alloc.c:get_page_from_freelist(). */
static bool get_page_from_freelist(struct machine *m,
    const struct alloc_request *req, const struct zone_iter *it,
    int highest_zoneidx, int mt, unsigned alloc_flags,
    struct alloc_result *res)
{
	bool no_fallback;
	int i;

retry:
	no_fallback = alloc_flags & ALLOC_NOFRAGMENT;
	for (i = 0; i < it->nr; i++) {
		struct zone *z = it->zones[i];
		uint64_t mark, pfn;

		/* a remote zone before a fragmenting local one: fragment
		 * locally first (the NOFRAGMENT retry) */
		if (no_fallback && m->nr_nodes > 1 &&
		    z->node != it->zones[0]->node) {
			alloc_flags &= ~(unsigned)ALLOC_NOFRAGMENT;
			goto retry;
		}
		res->zones_tried++;
		res->cycles += m->cost.c[COST_WATERMARK_CHECK];
		mark = z->watermark[alloc_flags & ALLOC_WMARK_MASK] +
		    z->watermark_boost;
		if (!zone_watermark_ok(z, req->order, mark, highest_zoneidx,
		    alloc_flags, m->max_order)) {
			res->cycles += m->cost.c[COST_ZONE_SKIP];
			continue;
		}
		pfn = rmqueue(m, z, req, mt, alloc_flags, res);
		if (pfn == NO_PFN) {
			res->cycles += m->cost.c[COST_ZONE_SKIP];
			continue;
		}
		res->pfn = pfn;
		res->zone = z;
		res->cycles += cost_remote(&m->cost,
		    machine_distance(m, req->preferred_node, z->node));
		if (res->boosted && (alloc_flags & ALLOC_KSWAPD)) {
			/* rmqueue(): ZONE_BOOSTED_WATERMARK wakes kswapd */
			wakeup_kswapd(m, z, req->gfp, 0, (int)z->type);
			res->boosted = false;
		}
		if ((alloc_flags & ALLOC_HIGHATOMIC) && req->order > 0)
			buddy_reserve_highatomic(m, z, pfn, req->order);
		return true;
	}
	if (no_fallback) {
		alloc_flags &= ~(unsigned)ALLOC_NOFRAGMENT;
		goto retry;
	}
	return false;
}

/* mm/page_alloc.c:wake_all_kswapds(): each node of the zonelist once. */
static void wake_all_kswapds(struct machine *m, const struct alloc_request *req,
    const struct zone_iter *it, int highest_zoneidx)
{
	uint64_t seen = 0;
	int i;

	for (i = 0; i < it->nr; i++) {
		int n = it->zones[i]->node;

		if (n < 64 && (seen & (UINT64_C(1) << n)))
			continue;
		if (n < 64)
			seen |= UINT64_C(1) << n;
		wakeup_kswapd(m, it->zones[i], req->gfp, req->order,
		    highest_zoneidx);
	}
}

/* mm/page_alloc.c:__alloc_pages_direct_compact(). */
static bool direct_compact(struct machine *m, const struct alloc_request *req,
    const struct zone_iter *it, int highest_zoneidx, int mt,
    unsigned alloc_flags, enum compact_priority prio,
    enum compact_result *result, struct alloc_result *res)
{
	uint64_t cycles = 0;

	/* gfp_compaction_allowed(): compaction may do I/O */
	if (req->order == 0 || !(req->gfp & GFP_BIT_IO))
		return false;
	res->compacted = true;
	*result = try_to_compact_pages(m, it->zones, it->nr, req->order, mt,
	    alloc_flags, highest_zoneidx, prio, &cycles);
	res->cycles += cycles;
	if (*result == COMPACT_SKIPPED)
		return false;
	/* try_to_compact_pages() resets the deferral of the zone that
	 * will serve the retry */
	return get_page_from_freelist(m, req, it, highest_zoneidx, mt,
	    alloc_flags, res);
}

/*
 * mm/page_alloc.c:__alloc_pages_direct_reclaim(): reclaim, then retry;
 * a retry that still fails drains the per-cpu lists and gives back a
 * highatomic block before one more try.  Reclaim frees nothing kmsim
 * does not model; while no reclaimable memory exists, the pages sitting
 * on per-cpu lists are what a real reclaim pass would have shaken loose
 * (drained after it), so kmsim drains them as the progress.
 */
static bool direct_reclaim(struct machine *m, const struct alloc_request *req,
    const struct zone_iter *it, int highest_zoneidx, int mt,
    unsigned alloc_flags, uint64_t *progress, struct alloc_result *res)
{
	uint64_t cycles = 0, pcp = 0;
	int i;

	res->reclaimed = true;
	m->vm_events[ALLOCSTALL]++;
	*progress = try_to_free_pages(m, it->zones, it->nr, req->order,
	    req->gfp, &cycles);
	res->cycles += cycles;
	for (i = 0; i < it->nr; i++)
		pcp += it->zones[i]->pcp_pages;
	if (*progress == 0 && pcp == 0)
		return false;
	if (*progress > 0 && get_page_from_freelist(m, req, it,
	    highest_zoneidx, mt, alloc_flags, res))
		return true;
	for (i = 0; i < it->nr; i++)
		buddy_unreserve_highatomic(m, it->zones[i], mt, false);
	pcp_drain_all(m, NULL, res);
	*progress += pcp;
	return get_page_from_freelist(m, req, it, highest_zoneidx, mt,
	    alloc_flags, res);
}

/*
 * Models mm/page_alloc.c:should_reclaim_retry(): progress resets the
 * count of fruitless rounds (never for costly orders, whose progress
 * says nothing of their order); retry while some zone would pass the min
 * watermark at this order with everything reclaimable reclaimed (kmsim
 * has no reclaimable pages yet: the free ones), at most
 * MAX_RECLAIM_RETRIES fruitless rounds; when giving up, the highatomic
 * reserve is released for one last round.
 */
static bool should_reclaim_retry(struct machine *m, const struct zone_iter *it,
    unsigned order, int highest_zoneidx, unsigned alloc_flags, int mt,
    bool progress, int *no_progress_loops)
{
	int i;
	bool released = false;

	if (progress && order <= PAGE_ALLOC_COSTLY_ORDER)
		*no_progress_loops = 0;
	else
		(*no_progress_loops)++;
	if (*no_progress_loops > MAX_RECLAIM_RETRIES) {
		for (i = 0; i < it->nr; i++)
			released |= buddy_unreserve_highatomic(m, it->zones[i],
			    mt, true);
		return released;
	}
	for (i = 0; i < it->nr; i++) {
		const struct zone *z = it->zones[i];

		if (zone_watermark_ok(z, order, z->watermark[WMARK_MIN],
		    highest_zoneidx, alloc_flags, m->max_order))
			return true;
	}
	return false;
}

/*
 * Models mm/page_alloc.c:__alloc_pages_slowpath(): wake kswapd, retry
 * with the reserves the gfp flags grant, compact first for costly
 * orders (and unmovable high orders), then reclaim and compact in turn
 * with rising compaction priority while it helps.  kmsim has no OOM
 * killer: where the kernel would kill, the allocation fails.
 */
static bool slowpath(struct machine *m, const struct alloc_request *req,
    const struct zone_iter *it, int highest_zoneidx, int mt,
    struct alloc_result *res)
{
	bool can_direct_reclaim = req->gfp & GFP_BIT_DIRECT_RECLAIM;
	bool costly = req->order > PAGE_ALLOC_COSTLY_ORDER;
	enum compact_priority prio = COMPACT_PRIO_ASYNC;
	enum compact_result cres = COMPACT_SKIPPED;
	unsigned alloc_flags;
	uint64_t progress = 0;
	int no_progress_loops = 0, compaction_retries = 0, rounds = 0;

	res->stalled = true;
	res->cycles += m->cost.c[COST_SLOWPATH];
	alloc_flags = alloc_flags_cma(m, mt, gfp_to_alloc_flags(req->gfp,
	    req->order));
	if (alloc_flags & ALLOC_KSWAPD)
		wake_all_kswapds(m, req, it, highest_zoneidx);
	if (get_page_from_freelist(m, req, it, highest_zoneidx, mt,
	    alloc_flags, res))
		return true;
	if (can_direct_reclaim && (costly || (req->order > 0 &&
	    mt != MIGRATE_MOVABLE))) {
		if (direct_compact(m, req, it, highest_zoneidx, mt,
		    alloc_flags, prio, &cres, res))
			return true;
		if (costly && (req->gfp & GFP_BIT_NORETRY) &&
		    (cres == COMPACT_SKIPPED || cres == COMPACT_DEFERRED))
			return false;
	}
	for (;;) {
		/* a bound on the model's own loop: every round costs */
		if (++rounds > 4 * MAX_RECLAIM_RETRIES)
			return false;
		if (get_page_from_freelist(m, req, it, highest_zoneidx, mt,
		    alloc_flags, res))
			return true;
		if (!can_direct_reclaim)
			return false;
		if (direct_reclaim(m, req, it, highest_zoneidx, mt,
		    alloc_flags, &progress, res))
			return true;
		if (direct_compact(m, req, it, highest_zoneidx, mt,
		    alloc_flags, prio, &cres, res))
			return true;
		if (req->gfp & GFP_BIT_NORETRY)
			return false;
		if (costly && !(req->gfp & GFP_BIT_RETRY_MAYFAIL))
			return false;
		if (should_reclaim_retry(m, it, req->order, highest_zoneidx,
		    alloc_flags, mt, progress > 0, &no_progress_loops))
			continue;
		/* should_compact_retry(): raise the priority while the
		 * compactor says more effort could help */
		if (progress > 0 && req->order > 0 &&
		    compaction_retries++ < MAX_RECLAIM_RETRIES &&
		    cres != COMPACT_SKIPPED && cres != COMPACT_DEFERRED) {
			if (prio > COMPACT_PRIO_SYNC_FULL)
				prio--;
			continue;
		}
		/* __alloc_pages_may_oom(): one last try at the high mark */
		return get_page_from_freelist(m, req, it, highest_zoneidx, mt,
		    ALLOC_WMARK_HIGH | (alloc_flags & ALLOC_CMA), res);
	}
}

/* The node an interleaved request goes to (alloc_page_interleave()). */
static int interleave_node(struct machine *m, uint64_t mask)
{
	static const uint64_t all = ~UINT64_C(0);
	int n, tries;

	if (mask == 0)
		mask = all;
	for (tries = 0; tries < m->nr_nodes; tries++) {
		n = (int)(m->il_next++ % (uint64_t)m->nr_nodes);
		if (n < 64 && (mask & (UINT64_C(1) << n)))
			return n;
	}
	return 0;
}

/* The first node of a mask that exists, or -1. */
static int first_node(const struct machine *m, uint64_t mask)
{
	int n;

	for (n = 0; n < m->nr_nodes && n < 64; n++)
		if (mask & (UINT64_C(1) << n))
			return n;
	return -1;
}

int page_alloc(struct machine *m, const struct alloc_request *req_in,
    struct alloc_result *res, char **cause)
{
	struct alloc_request req = *req_in;
	struct zone_iter it;
	int zt, mt, natural_mt, home;
	unsigned alloc_flags;
	struct page_frame *f;
	char buf[256];

	res->pfn = NO_PFN;
	res->zone = NULL;
	res->cycles = m->cost.c[COST_ALLOC_FAST];
	res->splits = res->merges = res->zones_tried = 0;
	res->fallback = res->boosted = res->stalled = false;
	res->compacted = res->reclaimed = false;
	if (req.order > m->max_order)
		return kmsim_fail(cause, "order %u is above the machine's"
		    " max_order %u", req.order, m->max_order);
	if (req.preferred_node < 0 || req.preferred_node >= m->nr_nodes)
		return kmsim_fail(cause, "node %d does not exist (the machine"
		    " has %d)", req.preferred_node, m->nr_nodes);
	if (req.cpu < 0 || req.cpu >= m->nr_cpus)
		req.cpu = 0;
	if (m->nr_nodes < 64 && (req.nodemask >> m->nr_nodes) != 0)
		return kmsim_fail(cause, "the policy names node %d; the machine"
		    " has %d", 63 - __builtin_clzll(req.nodemask),
		    m->nr_nodes);
	zt = gfp_zone(req.gfp);
	if (zt < 0)
		return kmsim_fail(cause, "gfp flags '%s' ask for more than one"
		    " zone", gfp_format(req.gfp, buf, sizeof buf));
	zt = highest_zone(m, zt);
	mt = req.migratetype >= 0 ? req.migratetype :
	    (int)gfp_migratetype(req.gfp);
	natural_mt = mt;
	/* gfp_migratetype(): without grouping everything is unmovable */
	if (m->mobility_disabled && mt < MIGRATE_PCPTYPES)
		mt = MIGRATE_UNMOVABLE;

	/* the memory policy picks the node the zonelist starts from */
	home = req.preferred_node;
	switch (req.policy) {
	case MPOL_PREFERRED:
		if (req.nodemask != 0)
			req.preferred_node = first_node(m, req.nodemask);
		break;
	case MPOL_BIND:
		if (req.nodemask != 0 && !(req.nodemask &
		    (UINT64_C(1) << req.preferred_node)))
			req.preferred_node = first_node(m, req.nodemask);
		break;
	case MPOL_INTERLEAVE:
		req.preferred_node = interleave_node(m, req.nodemask);
		break;
	default:
		break;
	}
	build_zone_iter(m, &req, zt, &it);
	if (it.nr == 0) {
		res->cycles += m->cost.c[COST_ALLOC_FAIL];
		return 0;
	}

	/* The fast path at the low watermark, without fragmenting first. */
	alloc_flags = ALLOC_WMARK_LOW | alloc_flags_cma(m, mt, 0) |
	    alloc_flags_nofragment(m, it.zones[0], req.gfp);
	if (!get_page_from_freelist(m, &req, &it, zt, mt, alloc_flags, res) &&
	    !slowpath(m, &req, &it, zt, mt, res)) {
		res->cycles += m->cost.c[COST_ALLOC_FAIL];
		return 0;
	}
	f = pfn_to_frame(m, res->pfn);
	f->flags = (uint8_t)((f->flags & ~(PF_BUDDY | PF_PCP)) | PF_HEAD);
	f->order = (uint8_t)req.order;
	f->migratetype = (uint8_t)mt;
	f->alloc_mt = (uint8_t)natural_mt;
	/* kmsim counts pages by the mobility asked for even with grouping
	 * off (where page_owner would see only unmovable), so the two
	 * settings' mixed-pageblock counts compare */
	pageblock_account(m, res->pfn, req.order, natural_mt, +1);
	res->zone->alloc_count[req.order]++;
	m->vm_events[PGALLOC] += UINT64_C(1) << req.order;
	m->node_allocs[(uint64_t)home * (uint64_t)m->nr_nodes +
	    (uint64_t)res->zone->node]++;
	if (req.gfp & GFP_BIT_ZERO)
		res->cycles += m->cost.c[COST_ZERO_PAGE] *
		    ((m->page_size << req.order) >> 12);
	return 0;
}

/*
 * mm/page_alloc.c:__free_pages() -> free_frozen_pages(): orders the
 * per-cpu lists hold go to the freeing CPU's list (isolated pageblocks
 * straight to the buddy), the rest to the buddy under the zone lock.
 */
void page_free(struct machine *m, uint64_t pfn, unsigned order, int cpu,
    struct alloc_result *res)
{
	struct page_frame *f = pfn_to_frame(m, pfn);
	struct zone *z = machine_pfn_zone(m, pfn);
	int mt;

	res->pfn = pfn;
	res->cycles = m->cost.c[COST_FREE_FAST];
	res->splits = res->merges = res->zones_tried = 0;
	res->fallback = res->boosted = res->stalled = false;
	res->compacted = res->reclaimed = false;
	res->zone = z;
	if (f->flags & PF_HEAD)
		pageblock_account(m, pfn, order, f->alloc_mt, -1);
	f->flags &= (uint8_t)~PF_HEAD;
	m->vm_events[PGFREE] += UINT64_C(1) << order;
	mt = get_pageblock_migratetype(m, pfn);
	if (z != NULL && z->pcp != NULL && pcp_allowed_order(m, order) &&
	    mt != MIGRATE_ISOLATE) {
		if (cpu < 0 || cpu >= m->nr_cpus)
			cpu = 0;
		pcp_free(m, z, cpu, pfn, order, mt, res);
		return;
	}
	res->cycles += m->cost.c[COST_ZONE_LOCK];
	buddy_free_block(m, pfn, order, res);
}
