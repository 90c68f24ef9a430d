/*
 * buddy.c - the free areas of a zone: free lists per order and
 * migratetype threaded through the frame table, splitting (expand()),
 * merging (__free_one_page()) and the migratetype fallbacks of
 * mm/page_alloc.c as of Linux 6.18 (__rmqueue_smallest(),
 * __rmqueue_claim(), __rmqueue_steal()).
 */

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "mm/buddy.h"

/* mm/page_alloc.c:fallbacks[]: where each type looks when its own lists
 * are empty, in this order. */
static const int fallbacks[MIGRATE_PCPTYPES][MIGRATE_PCPTYPES - 1] = {
	[MIGRATE_UNMOVABLE] = { MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE },
	[MIGRATE_MOVABLE] = { MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE },
	[MIGRATE_RECLAIMABLE] = { MIGRATE_UNMOVABLE, MIGRATE_MOVABLE },
};

static inline int get_pageblock_mt(const struct machine *m, uint64_t pfn)
{
	return m->pageblock_mt[pfn >> m->pageblock_order];
}

/* include/linux/mmzone.h:migratetype_is_mergeable(). */
static inline bool migratetype_is_mergeable(int mt)
{
	return mt < MIGRATE_PCPTYPES;
}

/* mm/page_alloc.c:change_pageblock_range(): every pageblock of a block. */
static void change_pageblock_range(struct machine *m, uint64_t pfn,
    unsigned order, int mt)
{
	uint64_t nr = UINT64_C(1) << m->pageblock_order, end;

	end = pfn + (UINT64_C(1) << KMSIM_MAX(order, m->pageblock_order));
	for (pfn &= ~(nr - 1); pfn < end; pfn += nr)
		set_pageblock_migratetype(m, pfn, mt);
}

static inline void charge(struct alloc_result *res, const struct machine *m,
    enum cost_item item, uint64_t times)
{
	if (res != NULL)
		res->cycles += m->cost.c[item] * times;
}

/* mm/page_alloc.c:__add_to_free_list(): head, or tail when asked. */
static void add_to_free_list(struct machine *m, struct zone *z, uint64_t pfn,
    unsigned order, int mt, bool tail)
{
	struct free_area *area = &z->free_area[order];
	struct page_frame *f = pfn_to_frame(m, pfn);
	uint32_t p = (uint32_t)pfn;

	f->flags = (uint8_t)((f->flags & ~PF_HEAD) | PF_BUDDY);
	f->order = (uint8_t)order;
	f->migratetype = (uint8_t)mt;
	if (area->free_list[mt] == PFN_NONE) {
		f->next = f->prev = PFN_NONE;
		area->free_list[mt] = area->free_tail[mt] = p;
	} else if (tail) {
		f->next = PFN_NONE;
		f->prev = area->free_tail[mt];
		pfn_to_frame(m, area->free_tail[mt])->next = p;
		area->free_tail[mt] = p;
	} else {
		f->prev = PFN_NONE;
		f->next = area->free_list[mt];
		pfn_to_frame(m, area->free_list[mt])->prev = p;
		area->free_list[mt] = p;
	}
	area->nr_free++;
	area->nr_free_mt[mt]++;
	z->free_pages += UINT64_C(1) << order;
	if (mt == MIGRATE_HIGHATOMIC)
		z->nr_free_highatomic += UINT64_C(1) << order;
	else if (mt == MIGRATE_CMA)
		z->nr_free_cma += UINT64_C(1) << order;
}

/* mm/page_alloc.c:__del_page_from_free_list(). */
static void del_from_free_list(struct machine *m, struct zone *z,
    uint64_t pfn, unsigned order)
{
	struct page_frame *f = pfn_to_frame(m, pfn);
	struct free_area *area = &z->free_area[order];
	int mt = f->migratetype;

	if (f->prev == PFN_NONE)
		area->free_list[mt] = f->next;
	else
		pfn_to_frame(m, f->prev)->next = f->next;
	if (f->next == PFN_NONE)
		area->free_tail[mt] = f->prev;
	else
		pfn_to_frame(m, f->next)->prev = f->prev;
	f->next = f->prev = PFN_NONE;
	f->flags &= (uint8_t)~PF_BUDDY;
	area->nr_free--;
	area->nr_free_mt[mt]--;
	z->free_pages -= UINT64_C(1) << order;
	if (mt == MIGRATE_HIGHATOMIC)
		z->nr_free_highatomic -= UINT64_C(1) << order;
	else if (mt == MIGRATE_CMA)
		z->nr_free_cma -= UINT64_C(1) << order;
}

/* mm/page_alloc.c:move_to_free_list(): same order, another type. */
static void move_to_free_list(struct machine *m, struct zone *z, uint64_t pfn,
    unsigned order, int new_mt)
{
	del_from_free_list(m, z, pfn, order);
	add_to_free_list(m, z, pfn, order, new_mt, true);
}

/*
 * mm/page_alloc.c:page_is_buddy(): the buddy is the head of a free block
 * of the same order in the same zone (a hole is never free; a pfn past
 * the zone is another zone's).
 */
static inline bool page_is_buddy(const struct machine *m, const struct zone *z,
    uint64_t bpfn, unsigned order)
{
	const struct page_frame *bf;

	if (bpfn < z->zone_start_pfn || bpfn >= zone_end_pfn(z))
		return false;
	bf = pfn_to_frame(m, bpfn);
	return (bf->flags & PF_BUDDY) && bf->order == order;
}

/*
 * mm/page_alloc.c:buddy_merge_likely(): free to the tail when the
 * next-higher buddy is free, so the block stays available for merging.
 */
static bool buddy_merge_likely(const struct machine *m, const struct zone *z,
    uint64_t pfn, unsigned order)
{
	uint64_t higher;

	if (order >= m->max_order - 1)
		return false;
	higher = pfn & ~((UINT64_C(2) << order) - 1);
	higher = buddy_pfn(higher, order + 1);
	return page_is_buddy(m, z, higher, order + 1);
}

/* Models mm/page_alloc.c:__free_one_page(). */
void buddy_free_block(struct machine *m, uint64_t pfn, unsigned order,
    struct alloc_result *res)
{
	struct zone *z = machine_pfn_zone(m, pfn);
	int mt = get_pageblock_mt(m, pfn);
	unsigned merges = 0;
	bool tail;

	pfn_to_frame(m, pfn)->flags &= (uint8_t)~PF_HEAD;
	while (order < m->max_order) {
		uint64_t b = buddy_pfn(pfn, order);

		if (!page_is_buddy(m, z, b, order))
			break;
		/*
		 * At pageblock order and above, blocks of different types
		 * merge only if both types are mergeable (not highatomic,
		 * CMA or isolated); the buddy then takes this block's type,
		 * so expand() later files the halves right.
		 */
		if (order >= m->pageblock_order) {
			int bmt = get_pageblock_mt(m, b);

			if (bmt != mt && (!migratetype_is_mergeable(mt) ||
			    !migratetype_is_mergeable(bmt)))
				break;
			if (bmt != mt)
				change_pageblock_range(m, b, order, mt);
		}
		del_from_free_list(m, z, b, order);
		pfn &= b;
		order++;
		merges++;
	}
	tail = buddy_merge_likely(m, z, pfn, order);
	add_to_free_list(m, z, pfn, order, mt, tail);
	z->free_count[order]++;
	if (res != NULL) {
		res->merges += merges;
		res->zone = z;
		charge(res, m, COST_MERGE, merges);
		charge(res, m, COST_FREELIST_OP, 1);
	}
}

/*
 * mm/page_alloc.c:expand(): split [pfn, 2^high) down to 2^low, putting
 * each upper half on the free list of `mt`.
 */
static void expand(struct machine *m, struct zone *z, uint64_t pfn,
    unsigned low, unsigned high, int mt, struct alloc_result *res)
{
	while (high > low) {
		high--;
		add_to_free_list(m, z, pfn + (UINT64_C(1) << high), high, mt,
		    false);
		if (res != NULL)
			res->splits++;
		charge(res, m, COST_SPLIT, 1);
	}
}

/* mm/page_alloc.c:__rmqueue_smallest(). */
static uint64_t rmqueue_smallest(struct machine *m, struct zone *z,
    unsigned order, int mt, struct alloc_result *res)
{
	unsigned o;

	for (o = order; o <= m->max_order; o++) {
		uint32_t pfn = z->free_area[o].free_list[mt];

		if (pfn == PFN_NONE)
			continue;
		del_from_free_list(m, z, pfn, o);
		charge(res, m, COST_FREELIST_OP, 1);
		expand(m, z, pfn, order, o, mt, res);
		return pfn;
	}
	return NO_PFN;
}

uint64_t buddy_rmqueue_smallest(struct machine *m, struct zone *z,
    unsigned order, int mt, struct alloc_result *res)
{
	return rmqueue_smallest(m, z, order, mt, res);
}

/*
 * mm/page_alloc.c:should_try_claim_block() (can_steal_fallback() before
 * 6.15): large blocks are claimed whole; unmovable and reclaimable
 * allocations try to claim a pageblock at any order, to keep their
 * pollution in as few blocks as possible; movable ones only steal.
 */
static bool should_try_claim_block(const struct machine *m, unsigned order,
    int start_mt)
{
	if (order >= m->pageblock_order)
		return true;
	if (order >= m->pageblock_order / 2 ||
	    start_mt == MIGRATE_RECLAIMABLE || start_mt == MIGRATE_UNMOVABLE)
		return true;
	return m->mobility_disabled;
}

/*
 * mm/page_alloc.c:find_suitable_fallback(): the first fallback type with
 * a free block of this order; -1 if none, -2 when claiming and the order
 * is too low to claim.
 */
static int find_suitable_fallback(const struct machine *m,
    const struct free_area *area, unsigned order, int mt, bool claim)
{
	int i;

	if (area->nr_free == 0 || mt >= MIGRATE_PCPTYPES)
		return -1;
	if (claim && !should_try_claim_block(m, order, mt))
		return -2;
	for (i = 0; i < MIGRATE_PCPTYPES - 1; i++)
		if (area->free_list[fallbacks[mt][i]] != PFN_NONE)
			return fallbacks[mt][i];
	return -1;
}

/*
 * mm/page_alloc.c:boost_watermark(): a fallback that fragments raises the
 * zone's watermarks by a pageblock, up to watermark_boost_factor of the
 * high watermark, so kswapd reclaims (and kcompactd compacts) ahead of
 * the next one.  Not on zones smaller than four pageblocks.
 */
static bool boost_watermark(struct machine *m, struct zone *z)
{
	uint64_t nr = UINT64_C(1) << m->pageblock_order, max_boost;

	if (m->cfg->watermark_boost_factor == 0 || nr * 4 > z->managed_pages)
		return false;
	max_boost = z->watermark[WMARK_HIGH] * m->cfg->watermark_boost_factor /
	    10000;
	if (max_boost == 0)
		return false;
	max_boost = KMSIM_MAX(nr, max_boost);
	z->watermark_boost = KMSIM_MIN(z->watermark_boost + nr, max_boost);
	m->vm_events[WATERMARK_BOOST]++;
	return true;
}

/*
 * mm/page_alloc.c:prep_move_freepages_block(): count the free pages and
 * the pages allocated as movable in pfn's pageblock; false when the block
 * is not wholly in the zone.
 */
static bool prep_move_freepages_block(const struct machine *m,
    const struct zone *z, uint64_t pfn, uint64_t *start_pfn,
    uint64_t *free_pages, uint64_t *movable_pages)
{
	uint64_t nr = UINT64_C(1) << m->pageblock_order, start, end, p;

	start = pfn & ~(nr - 1);
	end = start + nr;
	if (start < z->zone_start_pfn || end > zone_end_pfn(z))
		return false;
	*start_pfn = start;
	*free_pages = *movable_pages = 0;
	for (p = start; p < end;) {
		const struct page_frame *f = pfn_to_frame(m, p);

		if (f->flags & PF_BUDDY) {
			*free_pages += UINT64_C(1) << f->order;
			p += UINT64_C(1) << f->order;
		} else if (f->flags & (PF_HEAD | PF_PCP)) {
			if ((f->flags & PF_HEAD) &&
			    f->migratetype == MIGRATE_MOVABLE)
				*movable_pages += UINT64_C(1) << f->order;
			p += UINT64_C(1) << f->order;
		} else {
			p++;
		}
	}
	return true;
}

/* mm/page_alloc.c:__move_freepages_block(): every free block of the
 * pageblock onto new_mt's lists.  Returns the pages moved. */
static uint64_t move_freepages_block(struct machine *m, struct zone *z,
    uint64_t start, int new_mt, struct alloc_result *res)
{
	uint64_t end = start + (UINT64_C(1) << m->pageblock_order), p, moved = 0;

	for (p = start; p < end;) {
		const struct page_frame *f = pfn_to_frame(m, p);

		if (f->flags & PF_BUDDY) {
			unsigned o = f->order;

			move_to_free_list(m, z, p, o, new_mt);
			charge(res, m, COST_FREELIST_OP, 2);
			moved += UINT64_C(1) << o;
			p += UINT64_C(1) << o;
		} else if (f->flags & (PF_HEAD | PF_PCP)) {
			p += UINT64_C(1) << f->order;
		} else {
			p++;
		}
	}
	return moved;
}

/* mm/page_alloc.c:page_del_and_expand(): take the block, split it down,
 * the remainders staying on its own type's lists. */
static uint64_t page_del_and_expand(struct machine *m, struct zone *z,
    uint64_t pfn, unsigned order, unsigned current_order, int mt,
    struct alloc_result *res)
{
	del_from_free_list(m, z, pfn, current_order);
	charge(res, m, COST_FREELIST_OP, 1);
	expand(m, z, pfn, order, current_order, mt, res);
	return pfn;
}

/*
 * mm/page_alloc.c:try_to_claim_block() (the claiming half of
 * steal_suitable_fallback() before 6.15): a block at pageblock order or
 * above changes type whole; a smaller one boosts the watermark and claims
 * its pageblock when at least half of it is free or compatible with the
 * new type (counting allocated frames by the type they were allocated
 * for, as prep_move_freepages_block() counts PageLRU/movable pages).
 * *boosted tells the caller the watermark was raised.
 */
static uint64_t try_to_claim_block(struct machine *m, struct zone *z,
    uint64_t pfn, unsigned current_order, unsigned order, int start_mt,
    int block_mt, bool *boosted, struct alloc_result *res)
{
	uint64_t start, free_pages, movable_pages, alike;
	uint64_t nr = UINT64_C(1) << m->pageblock_order;

	if (current_order >= m->pageblock_order) {
		del_from_free_list(m, z, pfn, current_order);
		change_pageblock_range(m, pfn, current_order, start_mt);
		expand(m, z, pfn, order, current_order, start_mt, res);
		charge(res, m, COST_FREELIST_OP, 1);
		return pfn;
	}
	*boosted = boost_watermark(m, z);
	if (!prep_move_freepages_block(m, z, pfn, &start, &free_pages,
	    &movable_pages))
		return NO_PFN;
	if (start_mt == MIGRATE_MOVABLE)
		alike = movable_pages;
	else if (block_mt == MIGRATE_MOVABLE)
		alike = nr - (free_pages + movable_pages);
	else
		alike = 0;
	if (free_pages + alike < nr / 2 && !m->mobility_disabled)
		return NO_PFN;
	move_freepages_block(m, z, start, start_mt, res);
	set_pageblock_migratetype(m, start, start_mt);
	return rmqueue_smallest(m, z, order, start_mt, res);
}

/*
 * trace_mm_page_alloc_extfrag(): a fallback took another type's block;
 * fragmenting when it was below pageblock order, an ownership change
 * when the pageblock now belongs to the allocation's type.
 */
static void count_extfrag(struct machine *m, uint64_t pfn,
    unsigned current_order, int start_mt, struct alloc_result *res)
{
	m->vm_events[EXTFRAG_FALLBACK]++;
	if (current_order < m->pageblock_order)
		m->vm_events[EXTFRAG_FRAGMENTING]++;
	if (get_pageblock_mt(m, pfn) == start_mt)
		m->vm_events[EXTFRAG_CHANGE_OWNERSHIP]++;
	if (res != NULL)
		res->fallback = true;
}

/* The boosted zone wakes kswapd (ZONE_BOOSTED_WATERMARK in rmqueue()). */
static void note_boost(struct alloc_result *res, bool boosted,
    unsigned alloc_flags)
{
	if (boosted && (alloc_flags & ALLOC_KSWAPD) && res != NULL)
		res->boosted = true;
}

/* mm/page_alloc.c:__rmqueue_claim() (6.15+). */
static uint64_t rmqueue_claim(struct machine *m, struct zone *z,
    unsigned order, int mt, unsigned alloc_flags, struct alloc_result *res)
{
	unsigned min_order = order;
	uint64_t pfn;
	bool boosted = false;
	int o, fmt;

	if (order < m->pageblock_order && (alloc_flags & ALLOC_NOFRAGMENT))
		min_order = m->pageblock_order;
	/* the largest foreign block first: the likeliest to be claimed */
	for (o = (int)m->max_order; o >= (int)min_order; o--) {
		fmt = find_suitable_fallback(m, &z->free_area[o], (unsigned)o,
		    mt, true);
		if (fmt == -1)
			continue;
		if (fmt == -2)
			break;
		pfn = try_to_claim_block(m, z, z->free_area[o].free_list[fmt],
		    (unsigned)o, order, mt, fmt, &boosted, res);
		note_boost(res, boosted, alloc_flags);
		if (pfn != NO_PFN) {
			count_extfrag(m, pfn, (unsigned)o, mt, res);
			return pfn;
		}
	}
	return NO_PFN;
}

/* mm/page_alloc.c:__rmqueue_steal() (6.15+): the smallest foreign block,
 * left foreign. */
static uint64_t rmqueue_steal(struct machine *m, struct zone *z,
    unsigned order, int mt, struct alloc_result *res)
{
	uint64_t pfn;
	int o, fmt;

	for (o = (int)order; o <= (int)m->max_order; o++) {
		fmt = find_suitable_fallback(m, &z->free_area[o], (unsigned)o,
		    mt, false);
		if (fmt == -1)
			continue;
		pfn = page_del_and_expand(m, z, z->free_area[o].free_list[fmt],
		    order, (unsigned)o, fmt, res);
		count_extfrag(m, pfn, (unsigned)o, mt, res);
		return pfn;
	}
	return NO_PFN;
}

/*
 * mm/page_alloc.c:__rmqueue_fallback() as it was before 6.15: the
 * largest foreign block, unless a movable allocation cannot claim it,
 * which then splits the smallest foreign block instead; the block found
 * is claimed whole when it may be (steal_suitable_fallback()), else one
 * piece of it is taken and the rest stays foreign.
 */
static uint64_t rmqueue_fallback_legacy(struct machine *m, struct zone *z,
    unsigned order, int mt, unsigned alloc_flags, struct alloc_result *res)
{
	unsigned min_order = order;
	uint64_t pfn, start, free_pages, movable_pages, alike;
	uint64_t nr = UINT64_C(1) << m->pageblock_order;
	int o, fmt = -1, block_mt;
	bool can_claim = false, boosted;

	if (order < m->pageblock_order && (alloc_flags & ALLOC_NOFRAGMENT))
		min_order = m->pageblock_order;
	for (o = (int)m->max_order; o >= (int)min_order; o--) {
		fmt = find_suitable_fallback(m, &z->free_area[o], (unsigned)o,
		    mt, false);
		if (fmt < 0)
			continue;
		can_claim = should_try_claim_block(m, (unsigned)o, mt);
		if (!can_claim && mt == MIGRATE_MOVABLE && o > (int)order) {
			/* find_smallest: */
			for (o = (int)order; o <= (int)m->max_order; o++) {
				fmt = find_suitable_fallback(m,
				    &z->free_area[o], (unsigned)o, mt, false);
				if (fmt >= 0)
					break;
			}
			can_claim = should_try_claim_block(m, (unsigned)o, mt);
		}
		break;
	}
	if (fmt < 0 || o < (int)min_order || o > (int)m->max_order)
		return NO_PFN;
	pfn = z->free_area[o].free_list[fmt];
	block_mt = get_pageblock_mt(m, pfn);
	if ((unsigned)o >= m->pageblock_order) {
		del_from_free_list(m, z, pfn, (unsigned)o);
		change_pageblock_range(m, pfn, (unsigned)o, mt);
		expand(m, z, pfn, order, (unsigned)o, mt, res);
		count_extfrag(m, pfn, (unsigned)o, mt, res);
		return pfn;
	}
	boosted = boost_watermark(m, z);
	note_boost(res, boosted, alloc_flags);
	if (can_claim && prep_move_freepages_block(m, z, pfn, &start,
	    &free_pages, &movable_pages)) {
		if (mt == MIGRATE_MOVABLE)
			alike = movable_pages;
		else if (block_mt == MIGRATE_MOVABLE)
			alike = nr - (free_pages + movable_pages);
		else
			alike = 0;
		if (free_pages + alike >= nr / 2 || m->mobility_disabled) {
			uint64_t got;

			move_freepages_block(m, z, start, mt, res);
			set_pageblock_migratetype(m, start, mt);
			got = rmqueue_smallest(m, z, order, mt, res);
			if (got != NO_PFN)
				count_extfrag(m, got, (unsigned)o, mt, res);
			return got;
		}
	}
	/* single_page: */
	page_del_and_expand(m, z, pfn, order, (unsigned)o, block_mt, res);
	count_extfrag(m, pfn, (unsigned)o, mt, res);
	return pfn;
}

/* mm/page_alloc.c:__rmqueue_cma_fallback(). */
static uint64_t rmqueue_cma(struct machine *m, struct zone *z, unsigned order,
    struct alloc_result *res)
{
	if (z->nr_free_cma == 0)
		return NO_PFN;
	return rmqueue_smallest(m, z, order, MIGRATE_CMA, res);
}

/* Models mm/page_alloc.c:__rmqueue(). */
uint64_t buddy_rmqueue(struct machine *m, struct zone *z, unsigned order,
    enum migratetype mt, unsigned alloc_flags, struct alloc_result *res)
{
	uint64_t pfn;

	/* balance movable allocations between regular and CMA blocks */
	if ((alloc_flags & ALLOC_CMA) && z->nr_free_cma > z->free_pages / 2 &&
	    (pfn = rmqueue_cma(m, z, order, res)) != NO_PFN)
		return pfn;
	pfn = rmqueue_smallest(m, z, order, mt, res);
	if (pfn != NO_PFN)
		return pfn;
	if ((alloc_flags & ALLOC_CMA) &&
	    (pfn = rmqueue_cma(m, z, order, res)) != NO_PFN)
		return pfn;
	if (m->cfg->fallback == FALLBACK_LEGACY)
		return rmqueue_fallback_legacy(m, z, order, mt, alloc_flags,
		    res);
	pfn = rmqueue_claim(m, z, order, mt, alloc_flags, res);
	if (pfn != NO_PFN || (alloc_flags & ALLOC_NOFRAGMENT))
		return pfn;
	return rmqueue_steal(m, z, order, mt, res);
}

/*
 * Models mm/page_alloc.c:reserve_highatomic_pageblock(): the pageblock of
 * a high-order atomic allocation becomes MIGRATE_HIGHATOMIC, up to about
 * 1% of the zone (nothing when 1% is less than a pageblock).
 */
void buddy_reserve_highatomic(struct machine *m, struct zone *z, uint64_t pfn,
    unsigned order)
{
	uint64_t nr = UINT64_C(1) << m->pageblock_order, max_managed, start;
	uint64_t fp, mp;
	int mt;

	if (!m->cfg->highatomic || z->managed_pages / 100 < nr)
		return;
	max_managed = (z->managed_pages / 100 + nr - 1) & ~(nr - 1);
	if (z->nr_reserved_highatomic >= max_managed)
		return;
	mt = get_pageblock_mt(m, pfn);
	if (!migratetype_is_mergeable(mt))
		return;
	if (order < m->pageblock_order) {
		if (!prep_move_freepages_block(m, z, pfn, &start, &fp, &mp))
			return;
		move_freepages_block(m, z, start, MIGRATE_HIGHATOMIC, NULL);
		set_pageblock_migratetype(m, start, MIGRATE_HIGHATOMIC);
		z->nr_reserved_highatomic += nr;
	} else {
		change_pageblock_range(m, pfn, order, MIGRATE_HIGHATOMIC);
		z->nr_reserved_highatomic += UINT64_C(1) << order;
	}
	m->vm_events[HIGHATOMIC_RESERVED]++;
}

/*
 * Models mm/page_alloc.c:unreserve_highatomic_pageblock() for one zone:
 * the pageblock of the first free highatomic block goes back to `mt`,
 * keeping one pageblock reserved unless forced.
 */
bool buddy_unreserve_highatomic(struct machine *m, struct zone *z, int mt,
    bool force)
{
	uint64_t nr = UINT64_C(1) << m->pageblock_order, size, start, fp, mp;
	unsigned o;

	if (!force && z->nr_reserved_highatomic <= nr)
		return false;
	for (o = 0; o <= m->max_order; o++) {
		uint32_t pfn = z->free_area[o].free_list[MIGRATE_HIGHATOMIC];

		if (pfn == PFN_NONE)
			continue;
		size = KMSIM_MAX(nr, UINT64_C(1) << o);
		size = KMSIM_MIN(size, z->nr_reserved_highatomic);
		z->nr_reserved_highatomic -= size;
		m->vm_events[HIGHATOMIC_UNRESERVED]++;
		if (o < m->pageblock_order) {
			if (!prep_move_freepages_block(m, z, pfn, &start, &fp,
			    &mp))
				continue;
			move_freepages_block(m, z, start, mt, NULL);
			set_pageblock_migratetype(m, start, mt);
		} else {
			move_to_free_list(m, z, pfn, o, mt);
			change_pageblock_range(m, pfn, o, mt);
		}
		return true;
	}
	return false;
}

unsigned buddy_isolate_free(struct machine *m, uint64_t pfn)
{
	unsigned order = pfn_to_frame(m, pfn)->order;

	del_from_free_list(m, machine_pfn_zone(m, pfn), pfn, order);
	return order;
}

/* Does [pfn, pfn + size) touch a hole of its node? */
static bool block_in_hole(const struct machine *m, const struct zone *z,
    uint64_t pfn, uint64_t size)
{
	const struct config_node *cn = &m->cfg->nodes[z->node];
	int i;

	for (i = 0; i < cn->nr_holes; i++) {
		uint64_t s = cn->holes[i].start >> m->page_shift;
		uint64_t e = (cn->holes[i].start + cn->holes[i].size) >>
		    m->page_shift;

		if (pfn < e && s < pfn + size)
			return true;
	}
	return false;
}

/* Would __free_one_page() have merged these two free buddies? */
static bool should_merge(const struct machine *m, uint64_t a, uint64_t b,
    unsigned order)
{
	int amt = get_pageblock_mt(m, a), bmt = get_pageblock_mt(m, b);

	return order < m->pageblock_order || amt == bmt ||
	    (migratetype_is_mergeable(amt) && migratetype_is_mergeable(bmt));
}

/*
 * The free lists only: O(free blocks x orders), cheap enough to run after
 * every op.  buddy_check_frames() adds the O(frames) scan.
 */
int buddy_check(const struct machine *m, char **cause)
{
	uint64_t seen_pages, nr, pfn, prev;
	unsigned o;
	int i, t;

	for (i = 0; i < m->nr_zones; i++) {
		const struct zone *z = m->zones[i];

		seen_pages = 0;
		for (o = 0; o <= m->max_order; o++) {
			const struct free_area *area = &z->free_area[o];
			uint64_t total = 0;

			for (t = 0; t < MIGRATE_TYPES; t++) {
				nr = 0;
				prev = PFN_NONE;
				for (pfn = area->free_list[t]; pfn != PFN_NONE;
				    pfn = pfn_to_frame(m, pfn)->next) {
					const struct page_frame *f =
					    pfn_to_frame(m, pfn);
					uint64_t size = UINT64_C(1) << o, q, b;

					if (++nr > area->nr_free_mt[t])
						return kmsim_fail(cause, "node %d"
						    " zone %s order %u %s: list"
						    " longer than nr_free %"
						    PRIu64, z->node,
						    zone_names[z->type], o,
						    migratetype_names[t],
						    area->nr_free_mt[t]);
					if (!(f->flags & PF_BUDDY) ||
					    f->order != o ||
					    f->migratetype != t ||
					    f->prev != prev)
						return kmsim_fail(cause, "pfn %#"
						    PRIx64 ": bad free-list"
						    " entry (order %u list)",
						    pfn, o);
					if (pfn & (size - 1))
						return kmsim_fail(cause, "pfn %#"
						    PRIx64 ": free block of"
						    " order %u not aligned",
						    pfn, o);
					if (pfn < z->zone_start_pfn ||
					    pfn + size > zone_end_pfn(z))
						return kmsim_fail(cause, "pfn %#"
						    PRIx64 ": free block of"
						    " order %u outside zone %s",
						    pfn, o,
						    zone_names[z->type]);
					if (block_in_hole(m, z, pfn, size))
						return kmsim_fail(cause, "pfn %#"
						    PRIx64 ": free block covers"
						    " a hole", pfn);
					/* aligned blocks nest or are apart:
					 * a free block containing this one
					 * starts at an aligned ancestor */
					for (q = o + 1; q <= m->max_order; q++) {
						uint64_t a = pfn & ~((UINT64_C(1)
						    << q) - 1);
						const struct page_frame *g =
						    pfn_to_frame(m, a);

						if (a != pfn && (g->flags &
						    PF_BUDDY) && g->order >= q)
							return kmsim_fail(cause,
							    "pfn %#" PRIx64
							    ": inside the free"
							    " block at %#"
							    PRIx64, pfn, a);
					}
					b = buddy_pfn(pfn, o);
					if (o < m->max_order &&
					    page_is_buddy(m, z, b, o) &&
					    should_merge(m, pfn, b, o))
						return kmsim_fail(cause, "pfn %#"
						    PRIx64 " and its buddy %#"
						    PRIx64 " are both free at"
						    " order %u, unmerged",
						    pfn, b, o);
					prev = pfn;
				}
				if (area->free_tail[t] != prev)
					return kmsim_fail(cause, "zone %s order"
					    " %u %s: tail is not the last block",
					    zone_names[z->type], o,
					    migratetype_names[t]);
				if (nr != area->nr_free_mt[t])
					return kmsim_fail(cause, "zone %s order"
					    " %u %s: nr_free %" PRIu64 " but %"
					    PRIu64 " on the list",
					    zone_names[z->type], o,
					    migratetype_names[t],
					    area->nr_free_mt[t], nr);
				total += nr;
				seen_pages += nr << o;
			}
			if (total != area->nr_free)
				return kmsim_fail(cause, "zone %s order %u:"
				    " nr_free %" PRIu64 " but %" PRIu64
				    " blocks on its lists", zone_names[z->type],
				    o, area->nr_free, total);
		}
		if (seen_pages != z->free_pages)
			return kmsim_fail(cause, "node %d zone %s: %" PRIu64
			    " free pages counted but %" PRIu64 " on the lists",
			    z->node, zone_names[z->type], z->free_pages,
			    seen_pages);
		if (z->free_pages > z->managed_pages)
			return kmsim_fail(cause, "node %d zone %s: more free"
			    " pages (%" PRIu64 ") than managed (%" PRIu64 ")",
			    z->node, zone_names[z->type], z->free_pages,
			    z->managed_pages);
	}
	return pcp_check(m, cause);
}

int buddy_check_frames(const struct machine *m, char **cause)
{
	uint64_t pfn, end = 0, start = 0;

	/* No frame inside a free block may be a block head. */
	for (pfn = 0; pfn < m->max_pfn; pfn++) {
		const struct page_frame *f = pfn_to_frame(m, pfn);

		if (pfn < end && (f->flags & (PF_BUDDY | PF_HEAD | PF_PCP)))
			return kmsim_fail(cause, "pfn %#" PRIx64 ": a block"
			    " head inside the free block at %#" PRIx64, pfn,
			    start);
		if (pfn >= end && (f->flags & PF_BUDDY)) {
			start = pfn;
			end = pfn + (UINT64_C(1) << f->order);
		}
	}
	return buddy_check(m, cause);
}

/*
 * What one op can change: a split or merge stays inside the max-order
 * block around the pfn, and a pageblock claim inside its pageblock, which
 * lies in the same max-order block.  Check every frame of that block
 * (free heads linked both ways, aligned, in the zone, on the list of
 * their order and type, not nested, buddies merged), and the zone's
 * counters against each other.  O(2^max_order): cheap enough for every op;
 * buddy_check() walks every list.
 */
int buddy_check_around(const struct machine *m, uint64_t pfn, char **cause)
{
	uint64_t size = UINT64_C(1) << m->max_order, start, end, p, sum = 0;
	const struct zone *z = machine_pfn_zone(m, pfn);
	uint64_t covered = 0;
	unsigned o;
	int t;

	if (z == NULL)
		return 0;
	start = KMSIM_MAX(pfn & ~(size - 1), z->zone_start_pfn);
	end = KMSIM_MIN((pfn & ~(size - 1)) + size, zone_end_pfn(z));
	for (p = start; p < end; p++) {
		const struct page_frame *f = pfn_to_frame(m, p);
		uint64_t bsize, b;

		if (!(f->flags & PF_BUDDY))
			continue;
		o = f->order;
		bsize = UINT64_C(1) << o;
		if (p < covered)
			return kmsim_fail(cause, "pfn %#" PRIx64 ": a free block"
			    " inside another free block", p);
		if (o > m->max_order || (p & (bsize - 1)) ||
		    p + bsize > zone_end_pfn(z) || p < z->zone_start_pfn)
			return kmsim_fail(cause, "pfn %#" PRIx64 ": free block"
			    " of order %u misaligned or outside zone %s", p, o,
			    zone_names[z->type]);
		t = f->migratetype;
		if (f->prev == PFN_NONE ?
		    z->free_area[o].free_list[t] != p :
		    pfn_to_frame(m, f->prev)->next != p)
			return kmsim_fail(cause, "pfn %#" PRIx64 ": free block"
			    " not linked from its predecessor", p);
		if (f->next == PFN_NONE ?
		    z->free_area[o].free_tail[t] != p :
		    pfn_to_frame(m, f->next)->prev != p)
			return kmsim_fail(cause, "pfn %#" PRIx64 ": free block"
			    " not linked to its successor", p);
		b = buddy_pfn(p, o);
		if (o < m->max_order && page_is_buddy(m, z, b, o) &&
		    should_merge(m, p, b, o))
			return kmsim_fail(cause, "pfn %#" PRIx64 " and its"
			    " buddy %#" PRIx64 " are both free at order %u,"
			    " unmerged", p, b, o);
		covered = p + bsize;
	}
	for (o = 0; o <= m->max_order; o++) {
		uint64_t n = 0;

		for (t = 0; t < MIGRATE_TYPES; t++)
			n += z->free_area[o].nr_free_mt[t];
		if (n != z->free_area[o].nr_free)
			return kmsim_fail(cause, "zone %s order %u: nr_free %"
			    PRIu64 " but %" PRIu64 " over its types",
			    zone_names[z->type], o, z->free_area[o].nr_free, n);
		sum += z->free_area[o].nr_free << o;
	}
	if (sum != z->free_pages)
		return kmsim_fail(cause, "node %d zone %s: %" PRIu64 " free"
		    " pages counted but nr_free adds up to %" PRIu64, z->node,
		    zone_names[z->type], z->free_pages, sum);
	return 0;
}

bool buddy_find_free(const struct machine *m, uint64_t pfn, uint64_t *head,
    unsigned *order)
{
	unsigned o;

	for (o = 0; o <= m->max_order; o++) {
		uint64_t a = pfn & ~((UINT64_C(1) << o) - 1);
		const struct page_frame *f;

		if (a >= m->max_pfn)
			break;
		f = pfn_to_frame(m, a);
		if ((f->flags & PF_BUDDY) && f->order >= o &&
		    a + (UINT64_C(1) << f->order) > pfn) {
			*head = a;
			*order = f->order;
			return true;
		}
	}
	return false;
}

/*
 * Take [start, end) out of the free lists, splitting the blocks that
 * straddle its edges (as mm/page_alloc.c:break_down_buddy_pages() does
 * for a page taken off the buddy).  Returns how many of its frames were
 * not free.
 */
uint64_t buddy_take_range(struct machine *m, uint64_t start, uint64_t end,
    struct alloc_result *res)
{
	uint64_t p = start, not_free = 0, head;
	unsigned o;

	while (p < end) {
		struct zone *z;
		int mt;

		if (!buddy_find_free(m, p, &head, &o)) {
			not_free++;
			p++;
			continue;
		}
		z = machine_pfn_zone(m, head);
		mt = pfn_to_frame(m, head)->migratetype;
		del_from_free_list(m, z, head, o);
		charge(res, m, COST_FREELIST_OP, 1);
		if (head >= start && head + (UINT64_C(1) << o) <= end) {
			p = head + (UINT64_C(1) << o);
			continue;
		}
		/* straddles an edge: put back both halves, look again */
		add_to_free_list(m, z, head, o - 1, mt, false);
		add_to_free_list(m, z, head + (UINT64_C(1) << (o - 1)), o - 1,
		    mt, false);
		if (res != NULL)
			res->splits++;
		charge(res, m, COST_SPLIT, 1);
	}
	return not_free;
}

/*
 * Free [p, p + 2^o) if none of it is free already and all of it is memory
 * the buddy manages; otherwise halve and try again.  Returns the frames
 * found free already.
 */
static uint64_t give_block(struct machine *m, uint64_t p, unsigned o,
    struct alloc_result *res)
{
	uint64_t q, end = p + (UINT64_C(1) << o), head;
	bool has_free, has_bad = false;
	unsigned fo;

	has_free = buddy_find_free(m, p, &head, &fo);
	for (q = p; q < end && !has_free; q++) {
		uint8_t fl = pfn_to_frame(m, q)->flags;

		if (fl & PF_BUDDY)
			has_free = true;
		if (fl & (PF_HOLE | PF_RESERVED))
			has_bad = true;
	}
	if (!has_free && !has_bad) {
		for (q = p; q < end; q++)
			pfn_to_frame(m, q)->flags &=
			    (uint8_t)~(PF_HEAD | PF_PCP);
		buddy_free_block(m, p, o, res);
		return 0;
	}
	if (o == 0)
		return has_free ? 1 : 0;
	return give_block(m, p, o - 1, res) +
	    give_block(m, p + (UINT64_C(1) << (o - 1)), o - 1, res);
}

uint64_t buddy_give_range(struct machine *m, uint64_t start, uint64_t end,
    struct alloc_result *res)
{
	uint64_t p = start, were_free = 0;

	while (p < end) {
		unsigned o = p ? KMSIM_MIN(m->max_order,
		    (unsigned)__builtin_ctzll(p)) : m->max_order;
		const struct zone *z = machine_pfn_zone(m, p);

		while (p + (UINT64_C(1) << o) > end)
			o--;
		if (z == NULL) {
			p++;		/* a hole or past the zones */
			continue;
		}
		/* a block lies in one zone */
		while (o > 0 && p + (UINT64_C(1) << o) > zone_end_pfn(z))
			o--;
		were_free += give_block(m, p, o, res);
		p += UINT64_C(1) << o;
	}
	return were_free;
}

void buddy_reset(struct machine *m)
{
	uint64_t pfn;
	int i, t;
	unsigned o;

	for (pfn = 0; pfn < m->max_pfn; pfn++)
		m->frames[pfn].flags &= (uint8_t)(PF_HOLE | PF_RESERVED);
	for (i = 0; i < m->nr_zones; i++) {
		struct zone *z = m->zones[i];

		for (o = 0; o < NR_ORDERS_MAX; o++) {
			for (t = 0; t < MIGRATE_TYPES; t++) {
				z->free_area[o].free_list[t] = PFN_NONE;
				z->free_area[o].free_tail[t] = PFN_NONE;
				z->free_area[o].nr_free_mt[t] = 0;
			}
			z->free_area[o].nr_free = 0;
		}
		z->free_pages = 0;
		z->nr_free_highatomic = z->nr_free_cma = 0;
	}
}
