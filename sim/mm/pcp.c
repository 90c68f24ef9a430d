/*
 * pcp.c - the per-cpu page lists of mm/page_alloc.c (Linux 6.18): one
 * struct per_cpu_pages per zone and CPU, lists per migratetype for orders
 * 0..PAGE_ALLOC_COSTLY_ORDER plus two for the THP order, refilled from the
 * buddy in batches (rmqueue_bulk()) and drained to it in batches
 * (free_pcppages_bulk()), with high tuned between high_min and high_max as
 * nr_pcp_high() / nr_pcp_alloc() / nr_pcp_free() tune it.
 *
 * A block on a list keeps its head frame: PF_PCP, its order, the
 * migratetype of the list, and the list links in next/prev.  Pages on the
 * lists are not free as the zone counts them (NR_FREE_PAGES excludes
 * them, as in the kernel), and not allocated either.
 */
#include "kmsim_config.h"

#include <inttypes.h>
#include <stdlib.h>

#include "mm/buddy.h"
#include "mm/vmscan.h"

/* CONFIG_PCP_BATCH_SCALE_MAX default. */
#define PCP_BATCH_SCALE_MAX	5
/* mm/page_alloc.c:MIN_PERCPU_PAGELIST_HIGH_FRACTION. */
#define MIN_PERCPU_PAGELIST_HIGH_FRACTION	8

bool pcp_allowed_order(const struct machine *m, unsigned order)
{
	return order <= PAGE_ALLOC_COSTLY_ORDER || order == m->pageblock_order;
}

/* mm/page_alloc.c:order_to_pindex(); the THP lists: rest, then movable. */
static unsigned order_to_pindex(int mt, unsigned order)
{
	if (order > PAGE_ALLOC_COSTLY_ORDER)
		return NR_LOWORDER_PCP_LISTS + (mt == MIGRATE_MOVABLE);
	return MIGRATE_PCPTYPES * order + (unsigned)mt;
}

static unsigned pindex_to_order(const struct machine *m, unsigned pindex)
{
	if (pindex >= NR_LOWORDER_PCP_LISTS)
		return m->pageblock_order;
	return pindex / MIGRATE_PCPTYPES;
}

/*
 * mm/page_alloc.c:zone_batchsize(): 0.1% of the zone or 1 MiB, whichever
 * is smaller, a quarter of it, then 1.5x rounded down to a power of two
 * less one (2^n - 1 batches spread over cache colours).
 */
static int zone_batchsize(const struct machine *m, const struct zone *z)
{
	uint64_t batch = KMSIM_MIN(z->managed_pages >> 10,
	    (UINT64_C(1) << 20) / m->page_size);

	batch /= 4;
	if (batch < 1)
		batch = 1;
	batch = batch + batch / 2;
	batch = (UINT64_C(1) << (63 - __builtin_clzll(batch))) - 1;
	return (int)batch;
}

/*
 * mm/page_alloc.c:zone_highsize(): the low watermark (or managed /
 * fraction) split over the CPUs local to the zone's node, at least four
 * batches.
 */
static int zone_highsize(const struct machine *m, const struct zone *z,
    int batch, unsigned fraction)
{
	uint64_t total;
	int cpus = m->nodes[z->node].nr_cpus;
	int64_t high;

	if (fraction == 0)
		total = z->watermark[WMARK_LOW] + z->watermark_boost;
	else
		total = z->managed_pages / fraction;
	if (cpus == 0)
		cpus = m->nr_cpus > 0 ? m->nr_cpus : 1;
	high = (int64_t)(total / (uint64_t)cpus);
	if (high < (int64_t)batch << 2)
		high = (int64_t)batch << 2;
	return (int)KMSIM_MIN(high, INT32_MAX);
}

/*
 * mm/page_alloc.c:zone_set_pageset_high_and_batch().  high itself starts
 * at 0 (BOOT_PAGESET_HIGH) and is pulled into [high_min, high_max] by the
 * first allocation or free on the CPU, as in the kernel (so an unused
 * zone's pagesets read "high: 0" in /proc/zoneinfo).
 */
void pcp_setup(struct machine *m)
{
	unsigned frac = m->cfg->percpu_pagelist_high_fraction;
	int i, c, l;

	for (i = 0; i < m->nr_zones; i++) {
		struct zone *z = m->zones[i];
		int batch, high_min, high_max;

		if (!m->cfg->pcp || m->nr_cpus == 0)
			continue;
		if (z->pcp == NULL)
			z->pcp = xcalloc((size_t)m->nr_cpus, sizeof *z->pcp);
		batch = zone_batchsize(m, z);
		if (batch < 1)
			batch = 1;
		if (frac != 0) {
			high_min = high_max = zone_highsize(m, z, batch, frac);
		} else {
			high_min = zone_highsize(m, z, batch, 0);
			high_max = zone_highsize(m, z, batch,
			    MIN_PERCPU_PAGELIST_HIGH_FRACTION);
		}
		for (c = 0; c < m->nr_cpus; c++) {
			struct per_cpu_pages *pcp = &z->pcp[c];

			pcp->batch = batch;
			pcp->high_min = high_min;
			pcp->high_max = high_max;
			if (pcp->count == 0) {
				for (l = 0; l < NR_PCP_LISTS; l++)
					pcp->head[l] = pcp->tail[l] = PFN_NONE;
			}
		}
	}
}

static inline int clamp_int(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* list_add() (head) or list_add_tail() of a block onto a pcp list. */
static void pcp_list_add(struct machine *m, struct per_cpu_pages *pcp,
    unsigned pindex, uint64_t pfn, unsigned order, int mt, bool tail)
{
	struct page_frame *f = pfn_to_frame(m, pfn);
	uint32_t p = (uint32_t)pfn;

	f->flags = (uint8_t)((f->flags & ~(PF_HEAD | PF_BUDDY)) | PF_PCP);
	f->order = (uint8_t)order;
	f->migratetype = (uint8_t)mt;
	if (pcp->head[pindex] == PFN_NONE) {
		f->next = f->prev = PFN_NONE;
		pcp->head[pindex] = pcp->tail[pindex] = p;
	} else if (tail) {
		f->next = PFN_NONE;
		f->prev = pcp->tail[pindex];
		pfn_to_frame(m, pcp->tail[pindex])->next = p;
		pcp->tail[pindex] = p;
	} else {
		f->prev = PFN_NONE;
		f->next = pcp->head[pindex];
		pfn_to_frame(m, pcp->head[pindex])->prev = p;
		pcp->head[pindex] = p;
	}
}

static void pcp_list_del(struct machine *m, struct per_cpu_pages *pcp,
    unsigned pindex, uint64_t pfn)
{
	struct page_frame *f = pfn_to_frame(m, pfn);

	if (f->prev == PFN_NONE)
		pcp->head[pindex] = f->next;
	else
		pfn_to_frame(m, f->prev)->next = f->next;
	if (f->next == PFN_NONE)
		pcp->tail[pindex] = f->prev;
	else
		pfn_to_frame(m, f->next)->prev = f->prev;
	f->next = f->prev = PFN_NONE;
	f->flags &= (uint8_t)~PF_PCP;
}

/*
 * mm/page_alloc.c:free_pcppages_bulk(): `count` pages back to the buddy,
 * the given list first, then round-robin over the others, each block
 * from its list's tail (the coldest), merged by __free_one_page().
 */
static void free_pcppages_bulk(struct machine *m, struct zone *z,
    struct per_cpu_pages *pcp, int count, unsigned pindex,
    struct alloc_result *res)
{
	count = KMSIM_MIN(count, pcp->count);
	if (count <= 0)
		return;
	m->vm_events[PCP_FREE_BULK]++;
	if (res != NULL)
		res->cycles += m->cost.c[COST_ZONE_LOCK];
	pindex = pindex == 0 ? NR_PCP_LISTS - 1 : pindex - 1;
	while (count > 0) {
		unsigned order;

		do {
			if (++pindex > NR_PCP_LISTS - 1)
				pindex = 0;
		} while (pcp->head[pindex] == PFN_NONE);
		order = pindex_to_order(m, pindex);
		do {
			uint64_t pfn = pcp->tail[pindex];

			pcp_list_del(m, pcp, pindex, pfn);
			count -= 1 << order;
			pcp->count -= 1 << order;
			z->pcp_pages -= UINT64_C(1) << order;
			if (res != NULL)
				res->cycles += m->cost.c[COST_PCP_OP];
			buddy_free_block(m, pfn, order, res);
		} while (count > 0 && pcp->head[pindex] != PFN_NONE);
	}
}

/* Is the zone below its high watermark (ZONE_BELOW_HIGH)?  The kernel
 * keeps a flag set by get_page_from_freelist(); kmsim asks the counters. */
static bool zone_below_high(const struct zone *z)
{
	return z->free_pages < z->watermark[WMARK_HIGH] + z->watermark_boost;
}

/* Is kswapd reclaiming on this zone's node (ZONE_RECLAIM_ACTIVE)? */
static bool zone_reclaim_active(const struct machine *m, const struct zone *z)
{
	return kswapd_is_running(m, z->node);
}

/* mm/page_alloc.c:nr_pcp_high(). */
static int nr_pcp_high(const struct machine *m, struct per_cpu_pages *pcp,
    const struct zone *z, int batch, bool free_high)
{
	int high, high_min = pcp->high_min, high_max = pcp->high_max;

	high = pcp->high = clamp_int(pcp->high, high_min, high_max);
	if (high == 0)
		return 0;
	if (free_high) {
		pcp->high = KMSIM_MAX(high - (batch << PCP_BATCH_SCALE_MAX),
		    high_min);
		return 0;
	}
	if (zone_reclaim_active(m, z)) {
		int free_count = KMSIM_MAX(pcp->free_count, batch);

		pcp->high = KMSIM_MAX(high - free_count, high_min);
		return KMSIM_MIN(batch << 2, pcp->high);
	}
	if (high_min == high_max)
		return high;
	if (zone_below_high(z)) {
		int free_count = KMSIM_MAX(pcp->free_count, batch);

		pcp->high = KMSIM_MAX(high - free_count, high_min);
		high = KMSIM_MAX(pcp->count, high_min);
	} else if (pcp->count >= high) {
		int need_high = pcp->free_count + batch;

		if (pcp->high < need_high)
			pcp->high = clamp_int(need_high, high_min, high_max);
	}
	return high;
}

/* mm/page_alloc.c:nr_pcp_free(). */
static int nr_pcp_free(const struct per_cpu_pages *pcp, int batch, int high,
    bool free_high)
{
	if (free_high)
		return KMSIM_MIN(pcp->count, batch << PCP_BATCH_SCALE_MAX);
	if (high < batch)
		return 1;
	return clamp_int(pcp->free_count, batch, high - batch);
}

/*
 * mm/page_alloc.c:free_frozen_page_commit(): the block goes to the head
 * of its list; once the CPU holds `high` pages a batch (grown by the run
 * of consecutive frees) goes back to the buddy.  Runs of high-order frees
 * without allocations are drained harder (free_high).
 */
void pcp_free(struct machine *m, struct zone *z, int cpu, uint64_t pfn,
    unsigned order, int mt, struct alloc_result *res)
{
	struct per_cpu_pages *pcp = &z->pcp[cpu];
	unsigned pindex;
	int batch = pcp->batch, high;
	bool free_high = false;

	/* free_frozen_page(): highatomic and CMA pages sit on the movable
	 * lists; where they return in the buddy follows their pageblock */
	if (mt >= MIGRATE_PCPTYPES)
		mt = MIGRATE_MOVABLE;
	pcp->alloc_factor >>= 1;
	pindex = order_to_pindex(mt, order);
	pcp_list_add(m, pcp, pindex, pfn, order, mt, false);
	pcp->count += 1 << order;
	z->pcp_pages += UINT64_C(1) << order;
	if (res != NULL)
		res->cycles += m->cost.c[COST_PCP_OP];
	if (order > 0 && order <= PAGE_ALLOC_COSTLY_ORDER) {
		free_high = pcp->free_count >= batch + pcp->high_min / 2 &&
		    (pcp->flags & PCPF_PREV_FREE_HIGH_ORDER) &&
		    (!(pcp->flags & PCPF_FREE_HIGH_BATCH) ||
		    pcp->count >= batch);
		pcp->flags |= PCPF_PREV_FREE_HIGH_ORDER;
	} else {
		pcp->flags &= (uint8_t)~PCPF_PREV_FREE_HIGH_ORDER;
	}
	if (pcp->free_count < (batch << PCP_BATCH_SCALE_MAX))
		pcp->free_count += 1 << order;
	high = nr_pcp_high(m, pcp, z, batch, free_high);
	if (pcp->count >= high)
		free_pcppages_bulk(m, z, pcp, nr_pcp_free(pcp, batch, high,
		    free_high), pindex, res);
}

/* mm/page_alloc.c:nr_pcp_alloc(): how many blocks one refill takes. */
static int nr_pcp_alloc(struct per_cpu_pages *pcp, const struct zone *z,
    unsigned order)
{
	int base_batch = pcp->batch, high_min = pcp->high_min;
	int high_max = pcp->high_max, high, batch, max_nr_alloc;

	high = pcp->high = clamp_int(pcp->high, high_min, high_max);
	if (high < base_batch)
		return 1;
	batch = order ? base_batch : base_batch << pcp->alloc_factor;
	/* a larger high would have kept the pages: grow it */
	if (high_min != high_max && !zone_below_high(z))
		high = pcp->high = KMSIM_MIN(high + batch, high_max);
	if (order == 0) {
		max_nr_alloc = KMSIM_MAX(high - pcp->count - base_batch,
		    base_batch);
		/* consecutive order-0 refills without a free double it */
		if (batch <= max_nr_alloc &&
		    pcp->alloc_factor < PCP_BATCH_SCALE_MAX)
			pcp->alloc_factor++;
		batch = KMSIM_MIN(batch, max_nr_alloc);
	}
	if (batch > 1)
		batch = KMSIM_MAX(batch >> order, 2);
	return batch;
}

/*
 * mm/page_alloc.c:rmqueue_pcplist() / __rmqueue_pcplist(): the head of
 * the list; an empty list is refilled with rmqueue_bulk() under the zone
 * lock first (each block through __rmqueue(), fallbacks included).
 */
uint64_t pcp_alloc(struct machine *m, struct zone *z, int cpu, unsigned order,
    int mt, unsigned alloc_flags, struct alloc_result *res)
{
	struct per_cpu_pages *pcp = &z->pcp[cpu];
	unsigned pindex = order_to_pindex(mt, order);
	uint64_t pfn;

	pcp->free_count >>= 1;
	if (pcp->head[pindex] == PFN_NONE) {
		int batch = nr_pcp_alloc(pcp, z, order), i;

		m->vm_events[PCP_REFILL]++;
		res->cycles += m->cost.c[COST_ZONE_LOCK];
		/* rmqueue_bulk(): list_add_tail keeps the buddy's order */
		for (i = 0; i < batch; i++) {
			pfn = buddy_rmqueue(m, z, order, (enum migratetype)mt,
			    alloc_flags, res);
			if (pfn == NO_PFN)
				break;
			pcp_list_add(m, pcp, pindex, pfn, order, mt, true);
			pcp->count += 1 << order;
			z->pcp_pages += UINT64_C(1) << order;
		}
		if (pcp->head[pindex] == PFN_NONE)
			return NO_PFN;
	}
	pfn = pcp->head[pindex];
	pcp_list_del(m, pcp, pindex, pfn);
	pcp->count -= 1 << order;
	z->pcp_pages -= UINT64_C(1) << order;
	res->cycles += m->cost.c[COST_PCP_OP];
	return pfn;
}

/* mm/page_alloc.c:drain_all_pages() / drain_pages_zone(). */
void pcp_drain_all(struct machine *m, struct zone *only,
    struct alloc_result *res)
{
	int i, c;

	m->vm_events[DRAIN_ALL_PAGES]++;
	for (i = 0; i < m->nr_zones; i++) {
		struct zone *z = m->zones[i];

		if ((only != NULL && z != only) || z->pcp == NULL ||
		    z->pcp_pages == 0)
			continue;
		for (c = 0; c < m->nr_cpus; c++) {
			struct per_cpu_pages *pcp = &z->pcp[c];

			if (pcp->count == 0)
				continue;
			if (res != NULL)
				res->cycles += m->cost.c[COST_DRAIN_PCP];
			free_pcppages_bulk(m, z, pcp, pcp->count, 0, res);
		}
	}
}

/* --check: every list linked both ways, blocks of the list's order, the
 * counts adding up. */
int pcp_check(const struct machine *m, char **cause)
{
	int i, c;
	unsigned l;

	for (i = 0; i < m->nr_zones; i++) {
		const struct zone *z = m->zones[i];
		uint64_t zone_pages = 0;

		if (z->pcp == NULL)
			continue;
		for (c = 0; c < m->nr_cpus; c++) {
			const struct per_cpu_pages *pcp = &z->pcp[c];
			int64_t pages = 0;

			for (l = 0; l < NR_PCP_LISTS; l++) {
				uint32_t p, prev = PFN_NONE;

				for (p = pcp->head[l]; p != PFN_NONE;
				    p = pfn_to_frame(m, p)->next) {
					const struct page_frame *f =
					    pfn_to_frame(m, p);

					if (!(f->flags & PF_PCP) ||
					    (f->flags & (PF_BUDDY | PF_HEAD)) ||
					    f->order != pindex_to_order(m, l) ||
					    f->prev != prev ||
					    machine_pfn_zone(m, p) != z)
						return kmsim_fail(cause, "pfn %#"
						    PRIx32 ": bad entry on cpu"
						    " %d's per-cpu list %u of"
						    " zone %s", p, c, l,
						    zone_names[z->type]);
					pages += INT64_C(1) << f->order;
					if (pages > pcp->count)
						return kmsim_fail(cause, "cpu %d"
						    " zone %s: per-cpu lists"
						    " longer than count %d", c,
						    zone_names[z->type],
						    pcp->count);
					prev = p;
				}
				if (pcp->tail[l] != prev)
					return kmsim_fail(cause, "cpu %d zone %s:"
					    " per-cpu list %u tail is not its"
					    " last block", c,
					    zone_names[z->type], l);
			}
			if (pages != pcp->count)
				return kmsim_fail(cause, "cpu %d zone %s: count"
				    " %d but %" PRId64 " pages on the lists",
				    c, zone_names[z->type], pcp->count, pages);
			zone_pages += (uint64_t)pages;
		}
		if (zone_pages != z->pcp_pages)
			return kmsim_fail(cause, "zone %s: %" PRIu64 " per-cpu"
			    " pages counted but %" PRIu64 " on the lists",
			    zone_names[z->type], z->pcp_pages, zone_pages);
	}
	return 0;
}
