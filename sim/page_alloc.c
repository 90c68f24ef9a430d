/*
 * page_alloc.c - the page allocator above the buddy lists: GFP
 * constraints, zonelists, watermark checks (mm/page_alloc.c:
 * __alloc_pages_noprof(), get_page_from_freelist(), __zone_watermark_ok(),
 * gfp_to_alloc_flags()).  Reclaim and compaction are not modelled yet: an
 * allocation that the min watermark refuses everywhere fails.
 */

#include <inttypes.h>

#include "buddy.h"
#include "trace.h"

#define ALLOC_WMARK_MIN		WMARK_MIN
#define ALLOC_WMARK_LOW		WMARK_LOW
#define ALLOC_WMARK_MASK	0x07
#define ALLOC_HIGHATOMIC	0x200
#define ALLOC_RESERVES \
	(ALLOC_NON_BLOCK | ALLOC_HIGH | ALLOC_HIGHATOMIC | ALLOC_OOM)

/* Models mm/page_alloc.c:__zone_watermark_ok(). */
bool zone_watermark_ok(const struct zone *z, unsigned order, uint64_t mark,
    int highest_zoneidx, unsigned alloc_flags, unsigned max_order)
{
	int64_t min = (int64_t)mark;
	int64_t free_pages = (int64_t)z->free_pages;
	unsigned o;
	int t;

	/* __zone_watermark_unusable_free(): an order-N request cannot use
	 * the last 2^N - 1 pages (no highatomic reserve or CMA yet). */
	free_pages -= (int64_t)(UINT64_C(1) << order) - 1;
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

/* mm/page_alloc.c:gfp_to_alloc_flags(), the parts that matter here. */
static unsigned gfp_to_alloc_flags(gfp_t gfp, unsigned order)
{
	unsigned flags = ALLOC_WMARK_MIN;

	if (gfp & GFP_BIT_HIGH)
		flags |= ALLOC_HIGH;
	if (!(gfp & GFP_BIT_DIRECT_RECLAIM)) {
		if (!(gfp & GFP_BIT_NOMEMALLOC))
			flags |= ALLOC_NON_BLOCK;
		if (order > 0)
			flags |= ALLOC_HIGHATOMIC;
	}
	return flags;
}

/* mm/page_alloc.c:get_page_from_freelist(). */
static bool get_page_from_freelist(struct machine *m,
    const struct alloc_request *req, int highest_zoneidx, int mt,
    unsigned alloc_flags, struct alloc_result *res)
{
	const struct node *nd = &m->nodes[req->preferred_node];
	int i;

	for (i = 0; i < nd->nr_zonelist; i++) {
		struct zone *z = m->zones[nd->zonelist[i]];
		uint64_t mark = z->watermark[alloc_flags & ALLOC_WMARK_MASK] +
		    z->watermark_boost;
		uint64_t pfn;

		if ((int)z->type > highest_zoneidx)
			continue;
		if ((req->gfp & GFP_BIT_THISNODE) &&
		    z->node != req->preferred_node)
			continue;
		res->zones_tried++;
		res->cycles += m->cost.c[COST_WATERMARK_CHECK];
		if (!zone_watermark_ok(z, req->order, mark, highest_zoneidx,
		    alloc_flags, m->max_order)) {
			res->cycles += m->cost.c[COST_ZONE_SKIP];
			continue;
		}
		res->cycles += m->cost.c[COST_ZONE_LOCK];
		pfn = buddy_rmqueue(m, z, req->order, (enum migratetype)mt, res);
		if (pfn == OP_PFN_NONE) {
			res->cycles += m->cost.c[COST_ZONE_SKIP];
			continue;
		}
		res->pfn = pfn;
		res->zone = z;
		res->cycles += cost_remote(&m->cost,
		    machine_distance(m, req->preferred_node, z->node));
		return true;
	}
	return false;
}

int page_alloc(struct machine *m, const struct alloc_request *req,
    struct alloc_result *res, char **cause)
{
	int zt, mt;
	struct page_frame *f;
	char buf[256];

	res->pfn = OP_PFN_NONE;
	res->zone = NULL;
	res->cycles = m->cost.c[COST_ALLOC_FAST];
	res->splits = res->merges = res->zones_tried = 0;
	res->fallback = false;
	if (req->order > m->max_order)
		return kmsim_fail(cause, "order %u is above the machine's"
		    " max_order %u", req->order, m->max_order);
	if (req->preferred_node < 0 || req->preferred_node >= m->nr_nodes)
		return kmsim_fail(cause, "node %d does not exist (the machine"
		    " has %d)", req->preferred_node, m->nr_nodes);
	zt = gfp_zone(req->gfp);
	if (zt < 0)
		return kmsim_fail(cause, "gfp flags '%s' ask for more than one"
		    " zone", gfp_format(req->gfp, buf, sizeof buf));
	zt = highest_zone(m, zt);
	mt = req->migratetype >= 0 ? req->migratetype :
	    (int)gfp_migratetype(req->gfp);

	/* The fast path at the low watermark, then the slow path's min
	 * watermark with the reserves the gfp flags grant. */
	if (!get_page_from_freelist(m, req, zt, mt, ALLOC_WMARK_LOW, res) &&
	    !get_page_from_freelist(m, req, zt, mt,
	    gfp_to_alloc_flags(req->gfp, req->order), res)) {
		res->cycles += m->cost.c[COST_ALLOC_FAIL];
		return 0;
	}
	f = pfn_to_frame(m, res->pfn);
	f->flags = (uint8_t)((f->flags & ~PF_BUDDY) | PF_HEAD);
	f->order = (uint8_t)req->order;
	f->migratetype = (uint8_t)mt;
	res->zone->alloc_count[req->order]++;
	if (req->gfp & GFP_BIT_ZERO)
		res->cycles += m->cost.c[COST_ZERO_PAGE] *
		    ((m->page_size << req->order) >> 12);
	return 0;
}

void page_free(struct machine *m, uint64_t pfn, unsigned order,
    struct alloc_result *res)
{
	res->pfn = pfn;
	res->cycles = m->cost.c[COST_FREE_FAST] + m->cost.c[COST_ZONE_LOCK];
	res->splits = res->merges = res->zones_tried = 0;
	res->fallback = false;
	buddy_free_block(m, pfn, order, res);
}
