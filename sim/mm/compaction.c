/*
 * compaction.c - memory compaction as mm/compaction.c (Linux 6.18) does
 * it: a migration scanner walks the zone up from its start (or where the
 * last run stopped) isolating movable blocks, a free scanner walks down
 * from the end isolating free blocks as targets, the blocks move, and the
 * run ends when a free block of the requested order appears or the
 * scanners meet.  Skip hints per pageblock, cached scanner positions,
 * deferral after failures, direct compaction over a zonelist, kcompactd
 * and proactive compaction by fragmentation score are modelled too.
 *
 * What kmsim leaves out: the fast free-list searches that pick scanner
 * starting points (fast_find_migrateblock(), fast_isolate_freepages());
 * capture of the freed block by the direct compactor (the caller's retry
 * of the free lists finds it instead); migration failures other than a
 * missing target (no pinned, dirty or writeback pages); lock contention
 * and signals.  Sources go straight back to the buddy lists rather than
 * through the per-cpu lists, which is what the kernel's drain at the next
 * cc->order block achieves.
 */
#include <stdlib.h>

#include "mm/buddy.h"
#include "mm/compaction.h"
#include "mm/vmscan.h"
#include "hist.h"

const char *const compact_result_names[COMPACT_NR_RESULTS] = {
	[COMPACT_NOT_SUITABLE_ZONE] = "not_suitable_zone",
	[COMPACT_SKIPPED] = "skipped",
	[COMPACT_DEFERRED] = "deferred",
	[COMPACT_NO_SUITABLE_PAGE] = "no_suitable_page",
	[COMPACT_CONTINUE] = "continue",
	[COMPACT_COMPLETE] = "complete",
	[COMPACT_PARTIAL_SKIPPED] = "partial_skipped",
	[COMPACT_CONTENDED] = "contended",
	[COMPACT_SUCCESS] = "success",
};

/* include/linux/swap.h:SWAP_CLUSTER_MAX, compaction's isolation batch. */
#define COMPACT_CLUSTER_MAX	32

/* No pfn: the isolated free lists are linked through frame->next. */
#define NO_PFN	UINT64_MAX

/* include/linux/migrate_mode.h. */
enum migrate_mode { MODE_ASYNC, MODE_SYNC_LIGHT, MODE_SYNC };

enum isolate_result { ISOLATE_NONE, ISOLATE_SUCCESS };

/* mm/internal.h:struct compact_control, the parts kmsim uses. */
struct compact_control {
	struct machine *m;
	struct zone *zone;
	int order;			/* -1: the whole zone, no target order
					   (compact_memory, proactive) */
	int migratetype;		/* what the allocation wants */
	unsigned alloc_flags;
	int highest_zoneidx;
	enum migrate_mode mode;
	bool direct_compaction;		/* not kcompactd nor compact_memory */
	bool whole_zone;		/* started at the zone's edges */
	bool ignore_skip_hint;
	bool ignore_block_suitable;	/* free pages from any pageblock */
	bool proactive_compaction;
	bool finish_pageblock;		/* isolate the block to its end */
	uint64_t migrate_pfn;		/* the migration scanner */
	uint64_t free_pfn;		/* the free scanner */
	uint64_t nr_migratepages;	/* pages isolated for migration */
	uint64_t nr_freepages;		/* pages isolated as targets */
	uint64_t total_migrate_scanned;
	uint64_t total_free_scanned;
	/* Isolated free blocks, one list per order as 6.9+ keeps them
	 * (cc->freepages[]), threaded through the frames' next links: the
	 * frames are off the buddy lists, so the links are free to use,
	 * as the kernel reuses page->lru. */
	uint32_t free_head[NR_ORDERS_MAX];
	uint32_t free_tail[NR_ORDERS_MAX];
	/* Isolated migration sources (cc->migratepages): block heads.
	 * One pageblock's worth at most, as migration runs after every
	 * isolate_migratepages_block(). */
	uint32_t *migratepages;
	uint64_t nr_folios;
	uint64_t cycles;
};

static inline uint64_t pb_nr(const struct machine *m)
{
	return UINT64_C(1) << m->pageblock_order;
}

static inline uint64_t pb_start(const struct machine *m, uint64_t pfn)
{
	return pfn & ~(pb_nr(m) - 1);
}

/* include/linux/pageblock-flags.h:pageblock_end_pfn(): ALIGN(pfn + 1). */
static inline uint64_t pb_end(const struct machine *m, uint64_t pfn)
{
	return pb_start(m, pfn) + pb_nr(m);
}

static inline bool pb_aligned(const struct machine *m, uint64_t pfn)
{
	return (pfn & (pb_nr(m) - 1)) == 0;
}

/* mm/compaction.c:block_start_pfn() and block_end_pfn(). */
static inline uint64_t block_start_pfn(uint64_t pfn, int order)
{
	return order > 0 ? pfn & ~((UINT64_C(1) << order) - 1) : pfn;
}

static inline uint64_t block_end_pfn(uint64_t pfn, int order)
{
	return block_start_pfn(pfn, order) + (UINT64_C(1) << (order > 0 ?
	    order : 0));
}

static inline void charge(struct compact_control *cc, enum cost_item item,
    uint64_t times)
{
	cc->cycles += cc->m->cost.c[item] * times;
}

/* include/linux/mmzone.h:wmark_pages(): the mark plus the boost. */
static inline uint64_t wmark_pages(const struct zone *z, int i)
{
	return z->watermark[i] + z->watermark_boost;
}

static inline bool is_migrate_movable(int mt)
{
	return mt == MIGRATE_MOVABLE || mt == MIGRATE_CMA;
}

/* The skip hint of the pageblock holding pfn (PB_migrate_skip). */
static inline bool get_pageblock_skip(const struct machine *m, uint64_t pfn)
{
	return m->pageblock_skip[pfn >> m->pageblock_order] != 0;
}

static inline void set_pageblock_skip(struct machine *m, uint64_t pfn)
{
	m->pageblock_skip[pfn >> m->pageblock_order] = 1;
}

static inline void clear_pageblock_skip(struct machine *m, uint64_t pfn)
{
	m->pageblock_skip[pfn >> m->pageblock_order] = 0;
}

/* The node's zone index one past its highest populated zone
 * (pglist_data->nr_zones). */
static int node_nr_zones(const struct node *nd)
{
	int t;

	for (t = MAX_NR_ZONES - 1; t >= 0; t--)
		if (nd->zones[t].populated)
			return t + 1;
	return 0;
}

static inline int clamp_zoneidx(int idx)
{
	if (idx < 0)
		return 0;
	return idx >= MAX_NR_ZONES ? MAX_NR_ZONES - 1 : idx;
}

/* ---- deferral ---- */

/* Models mm/compaction.c:defer_compaction(). */
void defer_compaction(struct zone *z, unsigned order)
{
	z->compact_considered = 0;
	z->compact_defer_shift++;
	if ((int)order < z->compact_order_failed)
		z->compact_order_failed = (int)order;
	if (z->compact_defer_shift > COMPACT_MAX_DEFER_SHIFT)
		z->compact_defer_shift = COMPACT_MAX_DEFER_SHIFT;
}

/* Models mm/compaction.c:compaction_deferred(). */
bool compaction_deferred(struct zone *z, unsigned order)
{
	unsigned limit = 1u << z->compact_defer_shift;

	if ((int)order < z->compact_order_failed)
		return false;
	/* counting stops at the limit, so it cannot wrap */
	if (++z->compact_considered >= limit) {
		z->compact_considered = limit;
		return false;
	}
	return true;
}

/* Models mm/compaction.c:compaction_defer_reset(). */
void compaction_defer_reset(struct zone *z, unsigned order,
    bool alloc_success)
{
	if (alloc_success) {
		z->compact_considered = 0;
		z->compact_defer_shift = 0;
	}
	if ((int)order >= z->compact_order_failed)
		z->compact_order_failed = (int)order + 1;
}

/* Models mm/compaction.c:compaction_restarting(); order -1 is below any
 * compact_order_failed, as in the kernel's int comparison. */
static bool restarting(const struct zone *z, int order)
{
	if (order < z->compact_order_failed)
		return false;
	return z->compact_defer_shift == COMPACT_MAX_DEFER_SHIFT &&
	    z->compact_considered >= 1u << z->compact_defer_shift;
}

bool compaction_restarting(const struct zone *z, unsigned order)
{
	return restarting(z, (int)order);
}

/* ---- fragmentation ---- */

/* mm/vmstat.c:fill_contig_page_info() of a zone. */
static void zone_contig_info(const struct machine *m, const struct zone *z,
    unsigned order, struct contig_page_info *info)
{
	uint64_t nr[NR_ORDERS_MAX];
	unsigned o;

	for (o = 0; o <= m->max_order; o++)
		nr[o] = z->free_area[o].nr_free;
	frag_fill_contig_page_info(nr, m->max_order + 1, order, info);
}

/* Models mm/vmstat.c:fragmentation_index(). */
int zone_fragmentation_index(const struct machine *m, const struct zone *z,
    unsigned order)
{
	struct contig_page_info info;

	zone_contig_info(m, z, order, &info);
	return frag_fragmentation_index(order, m->max_order, &info);
}

/* Models mm/vmstat.c:extfrag_for_order(): the percentage of free
 * memory in blocks below the order. */
static unsigned extfrag_for_order(const struct machine *m,
    const struct zone *z, unsigned order)
{
	struct contig_page_info info;

	zone_contig_info(m, z, order, &info);
	if (info.free_pages == 0)
		return 0;
	return (unsigned)((info.free_pages -
	    (info.free_blocks_suitable << order)) * 100 / info.free_pages);
}

/* ---- suitability ---- */

/*
 * Models mm/compaction.c:__compaction_suitable(): order-0 pages above
 * the watermark plus the gap, so the free scanner can isolate targets
 * without breaking the watermark __isolate_free_page() checks; costly
 * orders want the low watermark's worth more.
 */
static bool compaction_suitable_zone(const struct machine *m,
    const struct zone *z, unsigned order, uint64_t watermark,
    int highest_zoneidx)
{
	watermark += compact_gap(order);
	if (order > PAGE_ALLOC_COSTLY_ORDER)
		watermark += wmark_pages(z, WMARK_LOW) -
		    wmark_pages(z, WMARK_MIN);
	return zone_watermark_ok(z, 0, watermark, clamp_zoneidx(
	    highest_zoneidx), ALLOC_CMA, m->max_order);
}

/* Models mm/compaction.c:compaction_suitable() (6.15+ signature). */
bool compaction_suitable_wmark(const struct machine *m, const struct zone *z,
    unsigned order, uint64_t watermark, int highest_zoneidx)
{
	int fragindex;

	if (!compaction_suitable_zone(m, z, order, watermark, highest_zoneidx))
		return false;
	/*
	 * An index towards 0 says the order fails for lack of memory, not
	 * fragmentation: compaction cannot help.  Only for costly orders,
	 * where the alternative to compaction is not the OOM killer.
	 */
	if (order > PAGE_ALLOC_COSTLY_ORDER) {
		fragindex = zone_fragmentation_index(m, z, order);
		if (fragindex >= 0 &&
		    fragindex <= (int)m->cfg->extfrag_threshold)
			return false;
	}
	return true;
}

bool compaction_suitable(const struct machine *m, const struct zone *z,
    unsigned order, int highest_zoneidx)
{
	return compaction_suitable_wmark(m, z, order,
	    wmark_pages(z, WMARK_MIN), highest_zoneidx);
}

/* Models mm/compaction.c:compaction_suit_allocation_order(). */
enum compact_result compaction_suit_allocation_order(const struct machine *m,
    const struct zone *z, unsigned order, int highest_zoneidx,
    unsigned alloc_flags, bool async)
{
	uint64_t watermark = wmark_pages(z, (int)(alloc_flags &
	    ALLOC_WMARK_MASK));

	highest_zoneidx = clamp_zoneidx(highest_zoneidx);
	if (zone_watermark_ok(z, order, watermark, highest_zoneidx,
	    alloc_flags, m->max_order))
		return COMPACT_SUCCESS;
	/*
	 * An allocation that may not use CMA wants the free memory outside
	 * CMA blocks; checked for costly async attempts only, as migrating
	 * into CMA blocks could otherwise make room.
	 */
	if (order > PAGE_ALLOC_COSTLY_ORDER && async &&
	    !(alloc_flags & ALLOC_CMA) &&
	    !zone_watermark_ok(z, 0, watermark + compact_gap(order),
	    highest_zoneidx, 0, m->max_order))
		return COMPACT_SKIPPED;
	if (!compaction_suitable_wmark(m, z, order, watermark,
	    highest_zoneidx))
		return COMPACT_SKIPPED;
	return COMPACT_CONTINUE;
}

/* ---- pageblock helpers ---- */

/*
 * Models include/linux/memory_hotplug.h:pageblock_pfn_to_page() as
 * compaction uses it: [start, end) is a usable block of this zone when
 * it lies inside the zone and its first and last frames are memory.
 */
static bool pageblock_valid(const struct compact_control *cc, uint64_t start,
    uint64_t end)
{
	const struct machine *m = cc->m;
	const struct zone *z = cc->zone;

	if (start >= end || start < z->zone_start_pfn ||
	    end > zone_end_pfn(z))
		return false;
	if (!m->section_present[start >> m->section_shift] ||
	    !m->section_present[(end - 1) >> m->section_shift])
		return false;
	return !(pfn_to_frame(m, start)->flags & PF_HOLE) &&
	    !(pfn_to_frame(m, end - 1)->flags & PF_HOLE);
}

/* Models mm/compaction.c:skip_offline_sections(): the first pfn of the
 * next section with memory when pfn's section has none, else 0. */
static uint64_t skip_offline_sections(const struct machine *m, uint64_t pfn)
{
	uint64_t s = pfn >> m->section_shift;

	if (s >= m->nr_sections || m->section_present[s])
		return 0;
	while (++s < m->nr_sections)
		if (m->section_present[s])
			return s << m->section_shift;
	return 0;
}

/* Models mm/compaction.c:skip_offline_sections_reverse(): the end of
 * the previous section with memory, else 0. */
static uint64_t skip_offline_sections_reverse(const struct machine *m,
    uint64_t pfn)
{
	uint64_t s = pfn >> m->section_shift;

	if (s == 0 || s >= m->nr_sections || m->section_present[s])
		return 0;
	while (s-- > 0)
		if (m->section_present[s])
			return (s + 1) << m->section_shift;
	return 0;
}

/*
 * Models mm/compaction.c:pageblock_skip_persistent(): the pageblock is
 * part of an allocated block of pageblock order or more, which holds no
 * free pages and is never worth migrating.  Such a block is aligned to
 * its order, so its head is one of pfn's aligned ancestors.
 */
static bool pageblock_skip_persistent(const struct machine *m, uint64_t pfn)
{
	unsigned o;

	for (o = m->pageblock_order; o <= m->max_order; o++) {
		uint64_t a = pfn & ~((UINT64_C(1) << o) - 1);
		const struct page_frame *f;

		if (a >= m->max_pfn)
			break;
		f = pfn_to_frame(m, a);
		if ((f->flags & PF_HEAD) && f->order >= o)
			return true;
	}
	return false;
}

/* What kmsim migrates: the head of an allocated block allocated for
 * MIGRATE_MOVABLE (the kernel's LRU and movable_ops pages). */
static bool frame_migratable(const struct page_frame *f)
{
	return (f->flags & (PF_HEAD | PF_PCP | PF_HOLE | PF_RESERVED)) ==
	    PF_HEAD && f->alloc_mt == MIGRATE_MOVABLE;
}

/* ---- skip hints and cached positions ---- */

/* Models mm/compaction.c:reset_cached_positions(). */
static void reset_cached_positions(const struct machine *m, struct zone *z)
{
	z->compact_cached_migrate_pfn[0] = z->zone_start_pfn;
	z->compact_cached_migrate_pfn[1] = z->zone_start_pfn;
	z->compact_cached_free_pfn = pb_start(m, zone_end_pfn(z) - 1);
}

/*
 * Models mm/compaction.c:__reset_isolation_pfn(): clear the block's hint
 * if a sample of its frames (one every 2^PAGE_ALLOC_COSTLY_ORDER) finds
 * a migratable block (source) or a free one (target).
 */
static bool reset_isolation_pfn(struct machine *m, const struct zone *z,
    uint64_t pfn, bool check_source, bool check_target, uint64_t *scanned)
{
	uint64_t block, end;

	if (pfn < z->zone_start_pfn || pfn >= zone_end_pfn(z) ||
	    (pfn_to_frame(m, pfn)->flags & PF_HOLE))
		return false;
	if (pageblock_skip_persistent(m, pfn))
		return false;
	/* once both restart points are found, a clear hint is enough */
	if (check_source && check_target && !get_pageblock_skip(m, pfn))
		return true;
	/* the free scanner does not start in a non-movable block */
	if (!check_source && check_target &&
	    get_pageblock_migratetype(m, pfn) != MIGRATE_MOVABLE)
		return false;
	block = KMSIM_MAX(pb_start(m, pfn), z->zone_start_pfn);
	end = KMSIM_MIN(pb_end(m, pfn) - 1, zone_end_pfn(z) - 1);
	if (pfn_to_frame(m, end)->flags & PF_HOLE)
		return false;
	for (; block <= end; block += UINT64_C(1) << PAGE_ALLOC_COSTLY_ORDER) {
		const struct page_frame *f = pfn_to_frame(m, block);

		(*scanned)++;
		if ((check_source && frame_migratable(f)) ||
		    (check_target && (f->flags & PF_BUDDY))) {
			clear_pageblock_skip(m, block);
			return true;
		}
	}
	return false;
}

/*
 * Models mm/compaction.c:__reset_isolation_suitable(): after a full
 * direct compaction asked for it, walk the zone from both ends clearing
 * hints, and restart the scanners at the outermost blocks that can be a
 * source and a target.  Signed arithmetic: the free side walks below 0
 * in a zone smaller than two pageblocks.
 */
static void reset_zone_skip(struct machine *m, struct zone *z,
    uint64_t *cycles)
{
	int64_t nr = (int64_t)pb_nr(m);
	int64_t migrate_pfn = (int64_t)z->zone_start_pfn;
	int64_t free_pfn = (int64_t)zone_end_pfn(z) - 1;
	int64_t reset_migrate = free_pfn, reset_free = migrate_pfn;
	bool source_set = false, free_set = false;
	uint64_t scanned = 0;

	if (!z->compact_blockskip_flush)
		return;
	z->compact_blockskip_flush = false;
	for (; migrate_pfn < free_pfn; migrate_pfn += nr, free_pfn -= nr) {
		if (reset_isolation_pfn(m, z, (uint64_t)migrate_pfn, true,
		    source_set, &scanned) && migrate_pfn < reset_migrate) {
			source_set = true;
			reset_migrate = migrate_pfn;
			z->compact_cached_migrate_pfn[0] =
			    (uint64_t)migrate_pfn;
			z->compact_cached_migrate_pfn[1] =
			    (uint64_t)migrate_pfn;
		}
		if (reset_isolation_pfn(m, z, (uint64_t)free_pfn, free_set,
		    true, &scanned) && free_pfn > reset_free) {
			free_set = true;
			reset_free = free_pfn;
			z->compact_cached_free_pfn = (uint64_t)free_pfn;
		}
	}
	/* nothing suitable: leave no distance between the scanners */
	if (reset_migrate >= reset_free && free_pfn >= 0) {
		z->compact_cached_migrate_pfn[0] = (uint64_t)migrate_pfn;
		z->compact_cached_migrate_pfn[1] = (uint64_t)migrate_pfn;
		z->compact_cached_free_pfn = (uint64_t)free_pfn;
	}
	if (cycles != NULL)
		*cycles += scanned * m->cost.c[COST_COMPACT_SCAN];
}

/* Models mm/compaction.c:reset_isolation_suitable(). */
void reset_isolation_suitable(struct machine *m, int node, uint64_t *cycles)
{
	struct node *nd;
	int t;

	if (node < 0 || node >= m->nr_nodes)
		return;
	nd = &m->nodes[node];
	for (t = 0; t < MAX_NR_ZONES; t++)
		if (nd->zones[t].populated &&
		    nd->zones[t].compact_blockskip_flush)
			reset_zone_skip(m, &nd->zones[t], cycles);
}

/* Models mm/compaction.c:isolation_suitable(). */
static bool isolation_suitable(const struct compact_control *cc, uint64_t pfn)
{
	return cc->ignore_skip_hint || !get_pageblock_skip(cc->m, pfn);
}

/* Models mm/compaction.c:test_and_set_skip(): claim the block for this
 * scan; true if it was claimed already. */
static bool test_and_set_skip(struct compact_control *cc, uint64_t pfn)
{
	bool skip;

	if (cc->ignore_skip_hint)
		return false;
	skip = get_pageblock_skip(cc->m, pfn);
	if (!skip)
		set_pageblock_skip(cc->m, pfn);
	return skip;
}

/*
 * Models mm/compaction.c:update_cached_migrate().  As in the kernel the
 * restart point is pageblock_end_pfn(pfn), which for a pfn already at a
 * block boundary is the end of the next block.
 */
static void update_cached_migrate(struct compact_control *cc, uint64_t pfn)
{
	struct zone *z = cc->zone;

	pfn = pb_end(cc->m, pfn);
	if (pfn > z->compact_cached_migrate_pfn[0])
		z->compact_cached_migrate_pfn[0] = pfn;
	if (cc->mode != MODE_ASYNC && pfn > z->compact_cached_migrate_pfn[1])
		z->compact_cached_migrate_pfn[1] = pfn;
}

/* Models mm/compaction.c:update_pageblock_skip() (the free scanner). */
static void update_pageblock_skip(struct compact_control *cc,
    uint64_t block_pfn, uint64_t pfn)
{
	set_pageblock_skip(cc->m, block_pfn);
	if (pfn < cc->zone->compact_cached_free_pfn)
		cc->zone->compact_cached_free_pfn = pfn;
}

/* ---- the isolated free lists ---- */

static void freelist_add_tail(struct compact_control *cc, uint64_t pfn,
    unsigned order)
{
	struct page_frame *f = pfn_to_frame(cc->m, pfn);

	f->order = (uint8_t)order;	/* set_page_private(page, order) */
	f->next = PFN_NONE;
	if (cc->free_tail[order] == PFN_NONE)
		cc->free_head[order] = (uint32_t)pfn;
	else
		pfn_to_frame(cc->m, cc->free_tail[order])->next = (uint32_t)pfn;
	cc->free_tail[order] = (uint32_t)pfn;
}

static void freelist_add_head(struct compact_control *cc, uint64_t pfn,
    unsigned order)
{
	struct page_frame *f = pfn_to_frame(cc->m, pfn);

	f->order = (uint8_t)order;
	f->next = cc->free_head[order];
	cc->free_head[order] = (uint32_t)pfn;
	if (cc->free_tail[order] == PFN_NONE)
		cc->free_tail[order] = (uint32_t)pfn;
}

static uint64_t freelist_pop(struct compact_control *cc, unsigned order)
{
	uint32_t pfn = cc->free_head[order];
	struct page_frame *f;

	if (pfn == PFN_NONE)
		return NO_PFN;
	f = pfn_to_frame(cc->m, pfn);
	cc->free_head[order] = f->next;
	if (f->next == PFN_NONE)
		cc->free_tail[order] = PFN_NONE;
	f->next = PFN_NONE;
	return pfn;
}

/*
 * Models mm/compaction.c:release_free_list(): every isolated block back
 * to the buddy (freed, so counted in pgfree as __free_pages() does).
 * Returns the highest pfn released.
 */
static uint64_t release_free_list(struct compact_control *cc)
{
	struct machine *m = cc->m;
	uint64_t high = 0, pfn;
	unsigned o;

	for (o = 0; o <= m->max_order; o++) {
		while ((pfn = freelist_pop(cc, o)) != NO_PFN) {
			struct alloc_result res = { .cycles = 0 };

			buddy_free_block(m, pfn, o, &res);
			cc->cycles += res.cycles + m->cost.c[COST_ZONE_LOCK];
			m->vm_events[PGFREE] += UINT64_C(1) << o;
			high = KMSIM_MAX(high, pfn);
		}
	}
	cc->nr_freepages = 0;
	return high;
}

/* ---- the free scanner ---- */

/*
 * Models the end of mm/page_alloc.c:__isolate_free_page(): a block of at
 * least half a pageblock taken for migration targets turns its pageblock
 * movable (move_freepages_block() to MIGRATE_MOVABLE), so what is freed
 * into it later stays with movable memory.  For a half-pageblock block
 * the other half's free blocks change lists with it.
 */
static void isolated_block_claims_pageblocks(struct compact_control *cc,
    uint64_t pfn, unsigned order)
{
	struct machine *m = cc->m;
	uint64_t nr = pb_nr(m), end = pfn + (UINT64_C(1) << order), p, q;

	if (order + 1 < m->pageblock_order)
		return;
	for (p = pfn; p < end; p += nr) {
		int mt = get_pageblock_migratetype(m, p);
		uint64_t s = pb_start(m, p);

		/* migratetype_is_mergeable(): the PCP types only */
		if (mt >= MIGRATE_PCPTYPES || mt == MIGRATE_MOVABLE)
			continue;
		set_pageblock_migratetype(m, p, MIGRATE_MOVABLE);
		if (order >= m->pageblock_order)
			continue;
		/* the half not isolated: move its free blocks */
		for (q = s; q < s + nr;) {
			const struct page_frame *f = pfn_to_frame(m, q);
			unsigned o = f->order;

			if (q >= pfn && q < end) {
				q = end;
				continue;
			}
			if (f->flags & PF_BUDDY) {
				struct alloc_result res = { .cycles = 0 };

				buddy_isolate_free(m, q);
				buddy_free_block(m, q, o, &res);
				cc->cycles += res.cycles;
				charge(cc, COST_FREELIST_OP, 1);
			}
			q += (f->flags & (PF_BUDDY | PF_HEAD | PF_PCP)) ?
			    UINT64_C(1) << o : 1;
		}
	}
}

/*
 * Models mm/page_alloc.c:__isolate_free_page(): take the block off the
 * buddy lists if the zone keeps its min watermark (raised by the block:
 * the order-0 check stands in for a high-order one, the block being
 * known to exist).  Isolated pageblocks skip the check.
 */
static bool isolate_free_page(struct compact_control *cc, uint64_t pfn,
    unsigned order)
{
	struct machine *m = cc->m;
	struct zone *z = cc->zone;

	if (get_pageblock_migratetype(m, pfn) != MIGRATE_ISOLATE &&
	    !zone_watermark_ok(z, 0, z->watermark[WMARK_MIN] +
	    (UINT64_C(1) << order), 0, ALLOC_CMA, m->max_order))
		return false;
	buddy_isolate_free(m, pfn);
	charge(cc, COST_FREELIST_OP, 1);
	isolated_block_claims_pageblocks(cc, pfn, order);
	return true;
}

/*
 * Models mm/compaction.c:isolate_freepages_block() (not strict): free
 * blocks of [*start_pfn, end_pfn) onto the per-order lists, testing every
 * stride-th frame, until as many pages are isolated as wait to migrate.
 * *start_pfn returns where the scan stopped.
 */
static uint64_t isolate_freepages_block(struct compact_control *cc,
    uint64_t *start_pfn, uint64_t end_pfn, unsigned stride)
{
	struct machine *m = cc->m;
	uint64_t blockpfn = *start_pfn, nr_scanned = 0, tested = 0;
	uint64_t total_isolated = 0;
	bool locked = false;

	for (; blockpfn < end_pfn; blockpfn += stride) {
		const struct page_frame *f = pfn_to_frame(m, blockpfn);
		uint64_t n;
		unsigned o;

		nr_scanned++;
		tested++;
		if (f->flags & PF_HEAD) {
			/* an allocated block: skip it whole if it fits */
			n = UINT64_C(1) << f->order;
			if (f->order > 0 && blockpfn + n <= end_pfn) {
				blockpfn += n - 1;
				nr_scanned += n - 1;
			}
			continue;
		}
		if (!(f->flags & PF_BUDDY))
			continue;
		if (!locked) {
			/* zone->lock, taken once a free page is seen */
			locked = true;
			charge(cc, COST_ZONE_LOCK, 1);
		}
		o = f->order;
		n = UINT64_C(1) << o;
		if (!isolate_free_page(cc, blockpfn, o))
			break;
		freelist_add_tail(cc, blockpfn, o);
		nr_scanned += n - 1;
		total_isolated += n;
		cc->nr_freepages += n;
		if (cc->nr_migratepages <= cc->nr_freepages) {
			blockpfn += n;
			break;
		}
		blockpfn += n - 1;
	}
	/* a block running past the pageblock does not move the scanner
	 * beyond it */
	if (blockpfn > end_pfn)
		blockpfn = end_pfn;
	*start_pfn = blockpfn;
	cc->total_free_scanned += nr_scanned;
	charge(cc, COST_COMPACT_SCAN, tested);
	m->vm_events[COMPACTISOLATED] += total_isolated;
	return total_isolated;
}

/* Models mm/compaction.c:suitable_migration_target(). */
static bool suitable_migration_target(const struct compact_control *cc,
    uint64_t pfn)
{
	const struct page_frame *f = pfn_to_frame(cc->m, pfn);

	/* a free block as large as the target: leave it be */
	if (f->flags & PF_BUDDY) {
		unsigned order = cc->order > 0 ? (unsigned)cc->order :
		    cc->m->pageblock_order;

		if (f->order >= order)
			return false;
	}
	if (cc->ignore_block_suitable)
		return true;
	return is_migrate_movable(get_pageblock_migratetype(cc->m, pfn));
}

/*
 * Models mm/compaction.c:isolate_freepages() without the free-list fast
 * search: pageblock by pageblock down from cc->free_pfn to the block
 * above the migration scanner's, until enough pages are isolated.  Async
 * compaction tests every 32nd frame of a block at first and halves the
 * stride after each block that gave nothing.
 */
static void isolate_freepages(struct compact_control *cc)
{
	struct machine *m = cc->m;
	struct zone *z = cc->zone;
	uint64_t nr = pb_nr(m), isolate_start, block_start, block_end, low_pfn;
	unsigned stride = cc->mode == MODE_ASYNC ? COMPACT_CLUSTER_MAX : 1;

	isolate_start = cc->free_pfn;
	block_start = pb_start(m, isolate_start);
	block_end = KMSIM_MIN(block_start + nr, zone_end_pfn(z));
	low_pfn = pb_end(m, cc->migrate_pfn);
	/* low_pfn >= nr, so block_start - nr never wraps below */
	for (; block_start >= low_pfn; block_end = block_start,
	    block_start -= nr, isolate_start = block_start) {
		uint64_t nr_isolated;

		if (!pageblock_valid(cc, block_start, block_end)) {
			uint64_t next = skip_offline_sections_reverse(m,
			    block_start);

			if (next)
				block_start = KMSIM_MAX(next, low_pfn);
			continue;
		}
		if (!suitable_migration_target(cc, block_start))
			continue;
		if (!isolation_suitable(cc, block_start))
			continue;
		nr_isolated = isolate_freepages_block(cc, &isolate_start,
		    block_end, stride);
		/* the whole block scanned: skip it next time */
		if (isolate_start == block_end)
			update_pageblock_skip(cc, block_start,
			    block_start - nr);
		if (cc->nr_freepages >= cc->nr_migratepages) {
			/* restart below if this block is used up */
			if (isolate_start >= block_end)
				isolate_start = block_start - nr;
			break;
		} else if (isolate_start < block_end) {
			/* isolation failed early (watermark): stop */
			break;
		}
		if (nr_isolated) {
			stride = 1;
			continue;
		}
		stride = KMSIM_MIN(COMPACT_CLUSTER_MAX, stride << 1);
	}
	/* where the next isolation starts (below low_pfn if they met) */
	cc->free_pfn = isolate_start;
}

/*
 * Models mm/compaction.c:compaction_alloc(): a target of the source's
 * order from the isolated lists, splitting a larger block (the upper
 * halves go back on the lists), isolating more once if none fits.
 */
static uint64_t compaction_alloc(struct compact_control *cc, unsigned order)
{
	struct machine *m = cc->m;
	bool has_isolated_pages = false;
	unsigned start;
	uint64_t pfn, size;

	for (;;) {
		for (start = order; start <= m->max_order; start++)
			if (cc->free_head[start] != PFN_NONE)
				break;
		if (start <= m->max_order)
			break;
		if (has_isolated_pages)
			return NO_PFN;
		isolate_freepages(cc);
		has_isolated_pages = true;
	}
	pfn = freelist_pop(cc, start);
	size = UINT64_C(1) << start;
	while (start > order) {
		start--;
		size >>= 1;
		freelist_add_head(cc, pfn + size, start);
	}
	cc->nr_freepages -= UINT64_C(1) << order;
	cc->nr_migratepages -= UINT64_C(1) << order;
	return pfn;
}

/* ---- migration ---- */

/*
 * Models mm/migrate.c:migrate_folio_move() for compaction: move the
 * allocated block at src to the isolated free block at dst (unmap, copy,
 * remap, free the source).  The destination becomes the allocated head
 * with the source's order, type and owner slot; the source goes back to
 * the buddy, merging.
 */
static void move_block(struct compact_control *cc, uint64_t src,
    uint64_t dst, unsigned order)
{
	struct machine *m = cc->m;
	struct page_frame *s = pfn_to_frame(m, src), *d = pfn_to_frame(m, dst);
	struct alloc_result res = { .cycles = 0 };
	int mt = s->migratetype, amt = s->alloc_mt;

	d->flags = (uint8_t)((d->flags & ~(PF_BUDDY | PF_PCP)) | PF_HEAD);
	d->order = (uint8_t)order;
	d->migratetype = (uint8_t)mt;
	d->alloc_mt = (uint8_t)amt;
	d->private = s->private;
	pageblock_account(m, src, order, amt, -1);
	pageblock_account(m, dst, order, amt, +1);
	s->flags &= (uint8_t)~PF_HEAD;
	if (m->migrate_owner != NULL)
		m->migrate_owner(m->owner_arg, src, dst, order);
	buddy_free_block(m, src, order, &res);
	cc->cycles += res.cycles + m->cost.c[COST_ZONE_LOCK] +
	    m->cost.c[COST_MIGRATE_PAGE] * ((m->page_size << order) >> 12);
	m->vm_events[PGFREE] += UINT64_C(1) << order;
	m->vm_events[PGMIGRATE_SUCCESS] += UINT64_C(1) << order;
}

/*
 * Models mm/migrate.c:migrate_pages() with compaction_alloc() as the
 * allocator: every isolated block moves unless no target is left, which
 * fails it and puts the rest back (-ENOMEM).  Returns 0 or -1.
 */
static int migrate_pages(struct compact_control *cc)
{
	struct machine *m = cc->m;
	uint64_t i;

	for (i = 0; i < cc->nr_folios; i++) {
		uint64_t src = cc->migratepages[i], dst;
		unsigned order = pfn_to_frame(m, src)->order;

		dst = compaction_alloc(cc, order);
		if (dst == NO_PFN) {
			m->vm_events[PGMIGRATE_FAIL] += UINT64_C(1) << order;
			cc->nr_folios = 0;
			return -1;
		}
		move_block(cc, src, dst, order);
	}
	cc->nr_folios = 0;
	return 0;
}

/* ---- the migration scanner ---- */

/* Models mm/compaction.c:skip_isolation_on_order(): a block as large as
 * the target (a free one of the order would have been found) or a
 * pageblock is not worth moving. */
static bool skip_isolation_on_order(const struct compact_control *cc,
    unsigned order)
{
	if (cc->order >= 0 && order >= (unsigned)cc->order)
		return true;
	return order >= cc->m->pageblock_order;
}

/*
 * Models mm/compaction.c:isolate_migratepages_block(): the migratable
 * blocks of [low_pfn, end_pfn), one pageblock at most, up to
 * COMPACT_CLUSTER_MAX pages unless the block is to be finished.  Async
 * direct compaction gives up on a cc->order aligned block at the first
 * frame that cannot move (skip_on_failure): the block could not be
 * freed anyway.
 */
static void isolate_migratepages_block(struct compact_control *cc,
    uint64_t low_pfn, uint64_t end_pfn)
{
	struct machine *m = cc->m;
	struct zone *z = cc->zone;
	uint64_t nr_scanned = 0, tested = 0, nr_isolated = 0;
	uint64_t next_skip_pfn = 0, valid_pfn = 0;
	bool skip_on_failure = false, valid = false, skip_updated = false;

	cc->migrate_pfn = low_pfn;
	if (cc->direct_compaction && cc->mode == MODE_ASYNC) {
		skip_on_failure = true;
		next_skip_pfn = block_end_pfn(low_pfn, cc->order);
	}
	for (; low_pfn < end_pfn; low_pfn++) {
		const struct page_frame *f = pfn_to_frame(m, low_pfn);
		uint64_t head, n;
		unsigned o;
		bool failed = true;

		if (skip_on_failure && low_pfn >= next_skip_pfn) {
			/* a whole aligned block isolated: migrate it now */
			if (nr_isolated)
				break;
			next_skip_pfn = block_end_pfn(low_pfn, cc->order);
		}
		nr_scanned++;
		tested++;
		if (!valid && (pb_aligned(m, low_pfn) ||
		    low_pfn == z->zone_start_pfn)) {
			if (!isolation_suitable(cc, low_pfn)) {
				low_pfn = end_pfn;
				goto out;
			}
			valid = true;
			valid_pfn = low_pfn;
		}
		if (f->flags & PF_BUDDY) {
			/* free: nothing to move */
			n = UINT64_C(1) << f->order;
			low_pfn += n - 1;
			nr_scanned += n - 1;
			continue;
		}
		if (f->flags & PF_HEAD) {
			o = f->order;
			n = UINT64_C(1) << o;
			if ((o > 0 && skip_isolation_on_order(cc, o)) ||
			    !frame_migratable(f)) {
				/* kmsim's allocated blocks are compound:
				 * skipped whole */
				low_pfn += n - 1;
				nr_scanned += n - 1;
			} else {
				/* claim the block for this scan (the
				 * hint other compactors see) */
				if (!skip_updated && valid) {
					skip_updated = true;
					if (test_and_set_skip(cc, valid_pfn) &&
					    !cc->finish_pageblock) {
						low_pfn = end_pfn;
						goto out;
					}
				}
				cc->migratepages[cc->nr_folios++] =
				    (uint32_t)low_pfn;
				cc->nr_migratepages += n;
				nr_isolated += n;
				nr_scanned += n - 1;
				low_pfn += n - 1;
				if (cc->nr_migratepages >=
				    COMPACT_CLUSTER_MAX &&
				    !cc->finish_pageblock) {
					++low_pfn;
					break;
				}
				continue;
			}
		} else if (!(f->flags & (PF_PCP | PF_HOLE | PF_RESERVED)) &&
		    buddy_find_free(m, low_pfn, &head, &o)) {
			/* inside a free block whose head is behind: a
			 * source freed here merged with its free buddy */
			n = head + (UINT64_C(1) << o) - low_pfn;
			low_pfn += n - 1;
			nr_scanned += n - 1;
			failed = false;
		}
		if (!failed || !skip_on_failure)
			continue;
		/* what was isolated cannot form the block: put it back */
		if (nr_isolated) {
			cc->nr_folios = 0;
			cc->nr_migratepages = 0;
			nr_isolated = 0;
		}
		if (low_pfn < next_skip_pfn) {
			low_pfn = next_skip_pfn - 1;
			next_skip_pfn += UINT64_C(1) << cc->order;
		}
	}
	if (low_pfn > end_pfn)
		low_pfn = end_pfn;
out:
	/*
	 * The block scanned to its end with nothing isolated (or being
	 * finished): skip it next time, and move the cached restart.
	 */
	if (low_pfn == end_pfn && (!nr_isolated || cc->finish_pageblock)) {
		if (valid && !skip_updated)
			set_pageblock_skip(m, valid_pfn);
		update_cached_migrate(cc, low_pfn);
	}
	cc->total_migrate_scanned += nr_scanned;
	charge(cc, COST_COMPACT_SCAN, tested);
	m->vm_events[COMPACTISOLATED] += nr_isolated;
	cc->migrate_pfn = low_pfn;
}

/* Models mm/compaction.c:suitable_migration_source(): async direct
 * compaction moves pages only out of blocks of the requested type. */
static bool suitable_migration_source(const struct compact_control *cc,
    uint64_t pfn)
{
	int block_mt;

	if (pageblock_skip_persistent(cc->m, pfn))
		return false;
	if (cc->mode != MODE_ASYNC || !cc->direct_compaction)
		return true;
	block_mt = get_pageblock_migratetype(cc->m, pfn);
	if (cc->migratetype == MIGRATE_MOVABLE)
		return is_migrate_movable(block_mt);
	return block_mt == cc->migratetype;
}

/*
 * Models mm/compaction.c:isolate_migratepages() without the free-list
 * fast search: from cc->migrate_pfn, the first suitable pageblock below
 * the free scanner is isolated from.
 */
static enum isolate_result isolate_migratepages(struct compact_control *cc)
{
	struct machine *m = cc->m;
	struct zone *z = cc->zone;
	uint64_t nr = pb_nr(m), low_pfn = cc->migrate_pfn;
	uint64_t block_start = KMSIM_MAX(pb_start(m, low_pfn),
	    z->zone_start_pfn);
	uint64_t block_end = pb_end(m, low_pfn);

	for (; block_end <= cc->free_pfn; cc->migrate_pfn = low_pfn =
	    block_end, block_start = block_end, block_end += nr) {
		if (!pageblock_valid(cc, block_start, block_end)) {
			uint64_t next = skip_offline_sections(m, block_start);

			if (next)
				block_end = KMSIM_MIN(next, cc->free_pfn);
			continue;
		}
		/* the hint is checked once, at the block's start */
		if ((pb_aligned(m, low_pfn) || low_pfn == z->zone_start_pfn) &&
		    !isolation_suitable(cc, low_pfn))
			continue;
		if (!suitable_migration_source(cc, block_start)) {
			update_cached_migrate(cc, block_end);
			continue;
		}
		isolate_migratepages_block(cc, low_pfn, block_end);
		break;
	}
	return cc->nr_folios ? ISOLATE_SUCCESS : ISOLATE_NONE;
}

/* ---- when to stop ---- */

/* mm/page_alloc.c:fallbacks[]. */
static const int fallbacks[MIGRATE_PCPTYPES][MIGRATE_PCPTYPES - 1] = {
	[MIGRATE_UNMOVABLE] = { MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE },
	[MIGRATE_MOVABLE] = { MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE },
	[MIGRATE_RECLAIMABLE] = { MIGRATE_UNMOVABLE, MIGRATE_MOVABLE },
};

/* Models mm/page_alloc.c:should_try_claim_block(). */
static bool should_try_claim_block(const struct machine *m, unsigned order,
    int start_mt)
{
	if (order >= m->pageblock_order / 2)
		return true;
	if (start_mt == MIGRATE_RECLAIMABLE || start_mt == MIGRATE_UNMOVABLE)
		return true;
	return m->mobility_disabled;
}

/* Models mm/page_alloc.c:find_suitable_fallback() with claimable set: a
 * type whose block of this order the allocation could claim, or < 0. */
static int find_claimable_fallback(const struct machine *m,
    const struct free_area *area, unsigned order, int mt)
{
	int i;

	if (area->nr_free == 0 || mt < 0 || mt >= MIGRATE_PCPTYPES)
		return -1;
	if (!should_try_claim_block(m, order, mt))
		return -2;
	for (i = 0; i < MIGRATE_PCPTYPES - 1; i++)
		if (area->free_list[fallbacks[mt][i]] != PFN_NONE)
			return fallbacks[mt][i];
	return -1;
}

/* Models mm/compaction.c:compact_scanners_met(). */
static bool compact_scanners_met(const struct compact_control *cc)
{
	return (cc->free_pfn >> cc->m->pageblock_order) <=
	    (cc->migrate_pfn >> cc->m->pageblock_order);
}

/* Models mm/compaction.c:__compact_finished(). */
static enum compact_result compact_finished_zone(struct compact_control *cc)
{
	struct machine *m = cc->m;
	struct zone *z = cc->zone;
	int mt = cc->migratetype;
	unsigned o;

	if (compact_scanners_met(cc)) {
		/* the next run starts anew */
		reset_cached_positions(m, z);
		/* kswapd flushes the hints when it next sleeps; only an
		 * allocation's own failure asks for that */
		if (cc->direct_compaction)
			z->compact_blockskip_flush = true;
		return cc->whole_zone ? COMPACT_COMPLETE :
		    COMPACT_PARTIAL_SKIPPED;
	}
	if (cc->proactive_compaction) {
		/* kswapd_is_running(): back off while it reclaims */
		if (kswapd_is_running(m, z->node))
			return COMPACT_PARTIAL_SKIPPED;
		if (fragmentation_score_zone(m, z) >
		    fragmentation_score_wmark(true,
		    m->cfg->compaction_proactiveness))
			return COMPACT_CONTINUE;
		return COMPACT_SUCCESS;
	}
	if (cc->order < 0)
		return COMPACT_CONTINUE;
	/* finish the pageblock: the fewer blocks polluted, the better */
	if (!pb_aligned(m, cc->migrate_pfn))
		return COMPACT_CONTINUE;
	for (o = (unsigned)cc->order; o <= m->max_order; o++) {
		const struct free_area *area = &z->free_area[o];

		if (area->free_list[mt] != PFN_NONE)
			return COMPACT_SUCCESS;
		if (mt == MIGRATE_MOVABLE &&
		    area->free_list[MIGRATE_CMA] != PFN_NONE)
			return COMPACT_SUCCESS;
		/* a block the allocation would claim from another type */
		if (find_claimable_fallback(m, area, o, mt) >= 0)
			return COMPACT_SUCCESS;
	}
	return COMPACT_NO_SUITABLE_PAGE;
}

/* Models mm/compaction.c:compact_finished(). */
static enum compact_result compact_finished(struct compact_control *cc)
{
	enum compact_result ret = compact_finished_zone(cc);

	return ret == COMPACT_NO_SUITABLE_PAGE ? COMPACT_CONTINUE : ret;
}

/* ---- one zone ---- */

static void cc_init(struct compact_control *cc, struct machine *m,
    struct zone *z)
{
	unsigned o;

	*cc = (struct compact_control){ .m = m, .zone = z };
	for (o = 0; o < NR_ORDERS_MAX; o++)
		cc->free_head[o] = cc->free_tail[o] = PFN_NONE;
}

/*
 * Models mm/compaction.c:compact_zone(): check the zone is worth it,
 * place the scanners (the zone's edges, or the cached positions), then
 * isolate and migrate until compact_finished() says stop.  Left-over
 * targets are freed and the free scanner's cached restart moved back to
 * the highest of them.
 */
static enum compact_result compact_zone(struct compact_control *cc)
{
	struct machine *m = cc->m;
	struct zone *z = cc->zone;
	uint64_t start = z->zone_start_pfn, end = zone_end_pfn(z);
	uint64_t last_migrated_pfn = 0;
	bool sync = cc->mode != MODE_ASYNC, update_cached;
	enum compact_result ret;

	if (z->spanned_pages == 0)
		return COMPACT_SKIPPED;
	if (cc->order >= 0) {
		charge(cc, COST_WATERMARK_CHECK, 1);
		ret = compaction_suit_allocation_order(m, z,
		    (unsigned)cc->order, cc->highest_zoneidx, cc->alloc_flags,
		    cc->mode == MODE_ASYNC);
		if (ret != COMPACT_CONTINUE)
			return ret;
	}
	/* after a long backoff, forget which blocks failed */
	if (restarting(z, cc->order))
		reset_zone_skip(m, z, &cc->cycles);

	if (cc->whole_zone) {
		cc->migrate_pfn = start;
		cc->free_pfn = pb_start(m, end - 1);
	} else {
		cc->migrate_pfn = z->compact_cached_migrate_pfn[sync];
		cc->free_pfn = z->compact_cached_free_pfn;
		/*
		 * A cached pfn of 0 is an unset one: the kernel's zones
		 * never start at pfn 0, so there it is always out of
		 * range; kmsim's may, and start with the field zeroed.
		 */
		if (cc->free_pfn < start || cc->free_pfn >= end ||
		    cc->free_pfn == 0) {
			cc->free_pfn = pb_start(m, end - 1);
			z->compact_cached_free_pfn = cc->free_pfn;
		}
		if (cc->migrate_pfn < start || cc->migrate_pfn >= end) {
			cc->migrate_pfn = start;
			z->compact_cached_migrate_pfn[0] = start;
			z->compact_cached_migrate_pfn[1] = start;
		}
		/* compact_init_migrate_pfn: kmsim takes the zone start */
		if (cc->migrate_pfn <= start)
			cc->whole_zone = true;
	}
	/* until a block yields something, keep async and sync in step */
	update_cached = !sync && z->compact_cached_migrate_pfn[0] ==
	    z->compact_cached_migrate_pfn[1];
	cc->migratepages = xmalloc((size_t)pb_nr(m) *
	    sizeof *cc->migratepages);

	while ((ret = compact_finished(cc)) == COMPACT_CONTINUE) {
		uint64_t iteration_start = cc->migrate_pfn;
		bool rescan;

		/* a block migrated from last time is finished this time */
		cc->finish_pageblock = pb_start(m, last_migrated_pfn) ==
		    pb_start(m, iteration_start);
		do {
			rescan = false;
			if (isolate_migratepages(cc) == ISOLATE_NONE) {
				if (update_cached)
					z->compact_cached_migrate_pfn[1] =
					    z->compact_cached_migrate_pfn[0];
				break;
			}
			update_cached = false;
			last_migrated_pfn = KMSIM_MAX(start,
			    pb_start(m, cc->migrate_pfn - 1));
			if (migrate_pages(cc) == 0) {
				cc->nr_migratepages = 0;
				break;
			}
			cc->nr_migratepages = 0;
			/* no target left while the scanners are apart */
			if (!compact_scanners_met(cc)) {
				ret = COMPACT_CONTENDED;
				goto out;
			}
			/* scan the rest of a partly done block now, so
			 * it is marked skipped rather than revisited */
			if (!pb_aligned(m, cc->migrate_pfn) &&
			    !cc->ignore_skip_hint && !cc->finish_pageblock &&
			    cc->mode < MODE_SYNC) {
				cc->finish_pageblock = true;
				if (cc->order == (int)m->pageblock_order)
					last_migrated_pfn = 0;
				rescan = true;
			}
		} while (rescan);
		/* left the cc->order block migrated from: the kernel
		 * drains the freed pages here; kmsim freed them already */
		if (cc->order > 0 && last_migrated_pfn &&
		    last_migrated_pfn < block_start_pfn(cc->migrate_pfn,
		    cc->order))
			last_migrated_pfn = 0;
	}
out:
	if (cc->nr_freepages > 0) {
		uint64_t free_pfn = pb_start(m, release_free_list(cc));

		/* only back: compact_finished() may have reset it */
		if (free_pfn > z->compact_cached_free_pfn)
			z->compact_cached_free_pfn = free_pfn;
	}
	free(cc->migratepages);
	cc->migratepages = NULL;
	m->vm_events[COMPACTMIGRATE_SCANNED] += cc->total_migrate_scanned;
	m->vm_events[COMPACTFREE_SCANNED] += cc->total_free_scanned;
	return ret;
}

static void count_kcompactd_scanned(struct machine *m,
    const struct compact_control *cc)
{
	m->vm_events[KCOMPACTD_MIGRATE_SCANNED] += cc->total_migrate_scanned;
	m->vm_events[KCOMPACTD_FREE_SCANNED] += cc->total_free_scanned;
}

/* Models mm/compaction.c:compact_zone_order(). */
enum compact_result compact_zone_order(struct machine *m, struct zone *z,
    unsigned order, int migratetype, enum compact_priority prio,
    unsigned alloc_flags, int highest_zoneidx, bool kcompactd,
    uint64_t *cycles)
{
	struct compact_control cc;
	enum compact_result ret;

	if (order > m->max_order)
		return COMPACT_SKIPPED;
	cc_init(&cc, m, z);
	cc.order = (int)order;
	cc.migratetype = migratetype >= 0 && migratetype < MIGRATE_TYPES ?
	    migratetype : MIGRATE_MOVABLE;
	cc.mode = prio == COMPACT_PRIO_ASYNC ? MODE_ASYNC : MODE_SYNC_LIGHT;
	cc.alloc_flags = alloc_flags;
	cc.highest_zoneidx = clamp_zoneidx(highest_zoneidx);
	cc.direct_compaction = !kcompactd;
	cc.whole_zone = prio == MIN_COMPACT_PRIORITY;
	cc.ignore_skip_hint = prio == MIN_COMPACT_PRIORITY;
	cc.ignore_block_suitable = prio == MIN_COMPACT_PRIORITY;
	ret = compact_zone(&cc);
	if (kcompactd)
		count_kcompactd_scanned(m, &cc);
	if (cycles != NULL)
		*cycles += cc.cycles;
	return ret;
}

/* ---- direct compaction ---- */

/*
 * The zone where the allocation's retry of the free lists will succeed
 * (get_page_from_freelist()'s watermark test at the order), or NULL.
 */
static struct zone *alloc_would_succeed(const struct machine *m,
    struct zone *const *zones, int nr_zones, unsigned order,
    unsigned alloc_flags, int highest_zoneidx)
{
	int i;

	for (i = 0; i < nr_zones; i++) {
		struct zone *z = zones[i];
		uint64_t mark = wmark_pages(z, (int)(alloc_flags &
		    ALLOC_WMARK_MASK));

		if (zone_watermark_ok(z, order, mark, highest_zoneidx,
		    alloc_flags, m->max_order))
			return z;
	}
	return NULL;
}

/*
 * Models mm/compaction.c:try_to_compact_pages() and the accounting of
 * mm/page_alloc.c:__alloc_pages_direct_compact().
 */
enum compact_result try_to_compact_pages(struct machine *m,
    struct zone *const *zones, int nr_zones, unsigned order, int migratetype,
    unsigned alloc_flags, int highest_zoneidx, enum compact_priority prio,
    uint64_t *cycles)
{
	enum compact_result rc = COMPACT_SKIPPED;
	struct zone *ok;
	int i;

	if (order == 0 || order > m->max_order)
		return COMPACT_SKIPPED;
	highest_zoneidx = clamp_zoneidx(highest_zoneidx);
	for (i = 0; i < nr_zones; i++) {
		struct zone *z = zones[i];
		enum compact_result status;

		if (prio > MIN_COMPACT_PRIORITY &&
		    compaction_deferred(z, order)) {
			m->vm_events[COMPACTDEFERRED]++;
			rc = KMSIM_MAX(rc, COMPACT_DEFERRED);
			continue;
		}
		status = compact_zone_order(m, z, order, migratetype, prio,
		    alloc_flags, highest_zoneidx, false, cycles);
		rc = KMSIM_MAX(rc, status);
		if (status == COMPACT_SUCCESS) {
			/* probably: the allocation confirms it */
			compaction_defer_reset(z, order, false);
			break;
		}
		/* a sync run that failed: back off this zone */
		if (prio != COMPACT_PRIO_ASYNC &&
		    (status == COMPACT_COMPLETE ||
		    status == COMPACT_PARTIAL_SKIPPED))
			defer_compaction(z, order);
	}
	if (rc == COMPACT_SKIPPED)
		return rc;
	/* some zone was not skipped: a compaction stall */
	m->vm_events[COMPACTSTALL]++;
	ok = alloc_would_succeed(m, zones, nr_zones, order, alloc_flags,
	    highest_zoneidx);
	if (ok != NULL) {
		ok->compact_blockskip_flush = false;
		compaction_defer_reset(ok, order, true);
		m->vm_events[COMPACTSUCCESS]++;
	} else {
		m->vm_events[COMPACTFAIL]++;
	}
	return rc;
}

/* ---- proactive compaction ---- */

/* Models mm/compaction.c:fragmentation_score_zone(). */
unsigned fragmentation_score_zone(const struct machine *m,
    const struct zone *z)
{
	return extfrag_for_order(m, z, m->pageblock_order);
}

/* Models mm/compaction.c:fragmentation_score_zone_weighted(): small
 * zones weigh little, so they alone never trigger compaction. */
static unsigned fragmentation_score_zone_weighted(const struct machine *m,
    const struct zone *z)
{
	uint64_t score = z->present_pages * fragmentation_score_zone(m, z);

	return (unsigned)(score /
	    (m->nodes[z->node].node_present_pages + 1));
}

/* Models mm/compaction.c:fragmentation_score_node(). */
unsigned fragmentation_score_node(const struct machine *m, int node)
{
	const struct node *nd;
	unsigned score = 0;
	int t;

	if (node < 0 || node >= m->nr_nodes)
		return 0;
	nd = &m->nodes[node];
	for (t = 0; t < MAX_NR_ZONES; t++)
		if (nd->zones[t].populated)
			score += fragmentation_score_zone_weighted(m,
			    &nd->zones[t]);
	return score;
}

/* Models mm/compaction.c:fragmentation_score_wmark(). */
unsigned fragmentation_score_wmark(bool low, unsigned proactiveness)
{
	unsigned wmark_low;

	/* a floor, so proactiveness near 100 does not compact forever */
	wmark_low = proactiveness >= 95 ? 5 : 100 - proactiveness;
	return low ? wmark_low : KMSIM_MIN(wmark_low + 10, 100u);
}

/* Models mm/compaction.c:should_proactive_compact_node(). */
bool should_proactive_compact_node(const struct machine *m, int node)
{
	unsigned p = m->cfg->compaction_proactiveness;

	if (node < 0 || node >= m->nr_nodes)
		return false;
	if (p == 0 || kswapd_is_running(m, node))
		return false;
	return fragmentation_score_node(m, node) >
	    fragmentation_score_wmark(false, p);
}

/* Models mm/compaction.c:compact_node(): every populated zone whole,
 * skip hints ignored. */
static void compact_node_zones(struct machine *m, int node, bool proactive,
    uint64_t *cycles)
{
	struct node *nd = &m->nodes[node];
	int t;

	for (t = 0; t < MAX_NR_ZONES; t++) {
		struct compact_control cc;

		if (!nd->zones[t].populated)
			continue;
		cc_init(&cc, m, &nd->zones[t]);
		cc.order = -1;
		cc.migratetype = gfp_migratetype(GFP_KERNEL);
		cc.mode = proactive ? MODE_SYNC_LIGHT : MODE_SYNC;
		cc.ignore_skip_hint = true;
		cc.whole_zone = true;
		cc.proactive_compaction = proactive;
		compact_zone(&cc);
		if (proactive)
			count_kcompactd_scanned(m, &cc);
		if (cycles != NULL)
			*cycles += cc.cycles;
	}
}

void proactive_compact_node(struct machine *m, int node, uint64_t *cycles)
{
	if (node < 0 || node >= m->nr_nodes)
		return;
	m->vm_events[COMPACTPROACTIVE]++;
	compact_node_zones(m, node, true, cycles);
}

void compact_node(struct machine *m, int node, uint64_t *cycles)
{
	if (node < 0 || node >= m->nr_nodes)
		return;
	compact_node_zones(m, node, false, cycles);
}

/* ---- kcompactd ---- */

/* Models mm/compaction.c:kcompactd_node_suitable(). */
bool kcompactd_node_suitable(const struct machine *m, int node)
{
	const struct node *nd;
	int t, hz;

	if (node < 0 || node >= m->nr_nodes)
		return false;
	nd = &m->nodes[node];
	hz = clamp_zoneidx(nd->kcompactd_highest_zoneidx);
	for (t = 0; t <= hz; t++) {
		if (!nd->zones[t].populated)
			continue;
		if (compaction_suit_allocation_order(m, &nd->zones[t],
		    nd->kcompactd_max_order, hz, ALLOC_WMARK_MIN, false) ==
		    COMPACT_CONTINUE)
			return true;
	}
	return false;
}

/* Models mm/compaction.c:kcompactd_do_work(). */
void kcompactd_do_work(struct machine *m, int node, uint64_t *cycles)
{
	struct node *nd;
	unsigned order;
	int t, hz;

	if (node < 0 || node >= m->nr_nodes)
		return;
	nd = &m->nodes[node];
	order = KMSIM_MIN(nd->kcompactd_max_order, m->max_order);
	hz = clamp_zoneidx(nd->kcompactd_highest_zoneidx);
	m->vm_events[KCOMPACTD_WAKE]++;
	for (t = 0; t <= hz; t++) {
		struct zone *z = &nd->zones[t];
		struct compact_control cc;
		enum compact_result status;

		if (!z->populated)
			continue;
		if (compaction_deferred(z, order))
			continue;
		if (cycles != NULL)
			*cycles += m->cost.c[COST_WATERMARK_CHECK];
		if (compaction_suit_allocation_order(m, z, order, t,
		    ALLOC_WMARK_MIN, false) != COMPACT_CONTINUE)
			continue;
		/* kcompactd's control: GFP_KERNEL (unmovable) at the min
		 * watermark, sync light, honouring the skip hints */
		cc_init(&cc, m, z);
		cc.order = (int)order;
		cc.migratetype = gfp_migratetype(GFP_KERNEL);
		cc.mode = MODE_SYNC_LIGHT;
		cc.alloc_flags = ALLOC_WMARK_MIN;
		cc.highest_zoneidx = hz;
		status = compact_zone(&cc);
		if (status == COMPACT_SUCCESS) {
			compaction_defer_reset(z, order, false);
		} else if (status == COMPACT_PARTIAL_SKIPPED ||
		    status == COMPACT_COMPLETE) {
			struct alloc_result res = { .cycles = 0 };

			/* blocks stranded on per-cpu lists could merge */
			pcp_drain_all(m, z, &res);
			cc.cycles += res.cycles;
			defer_compaction(z, order);
		}
		count_kcompactd_scanned(m, &cc);
		if (cycles != NULL)
			*cycles += cc.cycles;
	}
	/* done until woken again, unless a wake-up asked for more */
	if (nd->kcompactd_max_order <= order)
		nd->kcompactd_max_order = 0;
	if (nd->kcompactd_highest_zoneidx >= hz)
		nd->kcompactd_highest_zoneidx = node_nr_zones(nd) - 1;
}

/* Models mm/compaction.c:wakeup_kcompactd(). */
void wakeup_kcompactd(struct machine *m, int node, unsigned order,
    int highest_zoneidx)
{
	struct node *nd = &m->nodes[node];

	if (order == 0)
		return;
	if (nd->kcompactd_max_order < order)
		nd->kcompactd_max_order = order;
	if (nd->kcompactd_highest_zoneidx > highest_zoneidx)
		nd->kcompactd_highest_zoneidx = highest_zoneidx;
	if (kcompactd_is_running(m, node) || !kcompactd_node_suitable(m, node))
		return;
	evq_wake(m->q, &nd->kcompactd_ev, machine_ns_to_cycles(m,
	    KTHREAD_WAKE_NS));
}

/* Models mm/compaction.c:kcompactd(): one wake-up of a node's kcompactd;
 * what it woke is queued when its run ends. */
static void kcompactd_fn(struct evq *q, struct evq_event *ev, void *arg)
{
	struct machine *m = arg;
	struct node *nd = container_of(ev, struct node, kcompactd_ev);
	uint64_t cycles = 0;

	nd->kcompactd_running = true;
	kcompactd_do_work(m, (int)(nd - m->nodes), &cycles);
	nd->kcompactd_running = false;
	m->kcompactd_cycles += cycles;
	evq_yield(q, q->now + cycles);
}

/* mm/compaction.c:HPAGE_FRAG_CHECK_INTERVAL_MSEC. */
#define HPAGE_FRAG_CHECK_INTERVAL_NS	(500 * 1000 * 1000)

/*
 * Models the timeout of mm/compaction.c:kcompactd(): proactive
 * compaction of every node whose fragmentation score is above the
 * proactiveness mark.  A round that did not lower the score defers the
 * next 2^COMPACT_MAX_DEFER_SHIFT checks of its node.
 */
static void kcompactd_timeout(struct evq *q, struct evq_event *ev, void *arg)
{
	struct machine *m = arg;
	uint64_t cycles = 0;
	int n;

	for (n = 0; n < m->nr_nodes; n++) {
		struct node *nd = &m->nodes[n];
		unsigned before;

		if (nd->proactive_defer > 0) {
			nd->proactive_defer--;
			continue;
		}
		if (kcompactd_is_running(m, n) ||
		    !should_proactive_compact_node(m, n))
			continue;
		before = fragmentation_score_node(m, n);
		proactive_compact_node(m, n, &cycles);
		if (fragmentation_score_node(m, n) >= before)
			nd->proactive_defer = 1u << COMPACT_MAX_DEFER_SHIFT;
	}
	m->kcompactd_cycles += cycles;
	evq_push(q, ev, q->now + machine_ns_to_cycles(m,
	    HPAGE_FRAG_CHECK_INTERVAL_NS));
}

void kcompactd_start(struct machine *m)
{
	int n;

	for (n = 0; n < m->nr_nodes; n++) {
		struct evq_event *ev = &m->nodes[n].kcompactd_ev;

		evq_event_init(ev, kcompactd_fn, m);
		/* after the node's kswapd, before the next node's */
		ev->rank = 2 * (unsigned)n + 1;
	}
	evq_event_init(&m->proactive, kcompactd_timeout, m);
	if (m->q != NULL && m->cfg->compaction_proactiveness > 0)
		evq_push(m->q, &m->proactive, m->q->now +
		    machine_ns_to_cycles(m, HPAGE_FRAG_CHECK_INTERVAL_NS));
}

void kcompactd_stop(struct machine *m)
{
	if (m->q != NULL)
		evq_cancel(m->q, &m->proactive);
}
