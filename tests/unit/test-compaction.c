/*
 * test-compaction.c - the compaction engine: a fragmented zone compacted
 * into one that serves an order-9 request with every move reported,
 * unmovable pages never moved, the deferral arithmetic, the suitability
 * checks (watermark gap, fragmentation index), proactive compaction's
 * scores and marks, scanners that meet on a zone nothing can fix, direct
 * compaction's accounting and a kcompactd run.
 *
 * Machines are built from hand-made configs, as in test-buddy.c.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mkmachine.h"
#include "mm/buddy.h"
#include "mm/compaction.h"
#include "machine.h"
#include "tap.h"
#include "trace/trace.h"

#define NPAGES 4096		/* the 16 MiB zone most tests use */

/* One node of dma + dma32 bytes from 0, no per-cpu lists, no boosts. */
static void make_config(struct config *cfg, struct config_node *node,
    uint64_t dma, uint64_t dma32)
{
	mk_config_nopcp(cfg, node, 1, dma + dma32, dma, dma32);
	cfg->watermark_boost_factor = 0;
}

static gfp_t gfp_of(const char *name)
{
	gfp_t gfp = 0;
	char *cause = NULL;

	if (gfp_parse(name, &gfp, &cause) != 0) {
		free(cause);
		abort();
	}
	return gfp;
}

static uint64_t alloc(struct machine *m, unsigned order, gfp_t gfp,
    struct zone **zone)
{
	struct alloc_request req = { .order = order, .gfp = gfp,
	    .preferred_node = 0, .migratetype = -1, .cpu = 0,
	    .policy = MPOL_LOCAL, .nodemask = 0 };
	struct alloc_result res;
	char *cause = NULL;

	if (page_alloc(m, &req, &res, &cause) != 0) {
		free(cause);
		return OP_PFN_NONE;
	}
	if (zone != NULL)
		*zone = res.zone;
	return res.pfn;
}

static void release(struct machine *m, uint64_t pfn, unsigned order)
{
	struct alloc_result res;

	page_free(m, pfn, order, 0, &res);
}

/*
 * Allocate all of zone z in blocks of `order` (the watermarks dropped
 * meanwhile, so nothing is held back), tagging each block's owner slot
 * with its pfn + 1 as the simulation's table would.  Returns the blocks
 * allocated, all in z.
 */
static int fill_zone(struct machine *m, struct zone *z, unsigned order,
    gfp_t gfp)
{
	uint64_t saved[NR_WMARK];
	int n = 0, i;

	for (i = 0; i < NR_WMARK; i++) {
		saved[i] = z->watermark[i];
		z->watermark[i] = 0;
	}
	while (z->free_pages >= UINT64_C(1) << order) {
		struct zone *got = NULL;
		uint64_t pfn = alloc(m, order, gfp, &got);

		if (pfn == OP_PFN_NONE || got != z)
			break;
		pfn_to_frame(m, pfn)->private = (uint32_t)(pfn + 1);
		n++;
	}
	for (i = 0; i < NR_WMARK; i++)
		z->watermark[i] = saved[i];
	return n;
}

/* Free the blocks of `order` whose index (pfn >> order) is even: no two
 * freed blocks are buddies, so none merge. */
static uint64_t free_every_other(struct machine *m, struct zone *z,
    unsigned order)
{
	uint64_t pfn, freed = 0, step = UINT64_C(1) << order;

	for (pfn = z->zone_start_pfn; pfn < zone_end_pfn(z); pfn += step) {
		if (((pfn >> order) & 1) != 0)
			continue;
		if (!(pfn_to_frame(m, pfn)->flags & PF_HEAD))
			continue;
		release(m, pfn, order);
		freed += step;
	}
	return freed;
}

static uint64_t free_at_or_above(const struct zone *z, unsigned order)
{
	uint64_t n = 0;
	unsigned o;

	for (o = order; o <= 10; o++)
		n += z->free_area[o].nr_free;
	return n;
}

/* The moves reported to machine->migrate_owner. */
struct move {
	uint64_t old_pfn, new_pfn;
	unsigned order;
};
static struct move moves[NPAGES];
static int nr_moves;

static void record_move(void *arg, uint64_t old_pfn, uint64_t new_pfn,
    unsigned order)
{
	(void)arg;
	if (nr_moves < NPAGES)
		moves[nr_moves] = (struct move){ old_pfn, new_pfn, order };
	nr_moves++;
}

TEST(compaction_frees_an_order9_block)
{
	struct config cfg;
	struct config_node node;
	struct machine *m;
	struct zone *z;
	gfp_t movable = gfp_of("GFP_HIGHUSER_MOVABLE");
	static uint8_t seen_old[NPAGES], seen_new[NPAGES];
	uint64_t cycles = 0, free_before, live = 0, pb, pfn;
	enum compact_result r;
	int i;

	make_config(&cfg, &node, 0, 16 * MiB);
	m = machine_create(&cfg, NULL);
	ASSERT(m != NULL);
	z = m->zones[0];
	ASSERT_EQ(fill_zone(m, z, 0, movable), NPAGES);
	ASSERT_UEQ(z->free_pages, 0);
	ASSERT_UEQ(free_every_other(m, z, 0), NPAGES / 2);
	/* fragmented: half the zone free, not one order-1 block */
	ASSERT_UEQ(z->free_pages, NPAGES / 2);
	ASSERT_UEQ(free_at_or_above(z, 1), 0);
	/* 1000 - (1000 + 2048 * 1000 / 512) / 2048 */
	ASSERT_EQ(zone_fragmentation_index(m, z, 9), 998);
	ASSERT(compaction_suitable(m, z, 9, ZONE_DMA32));
	free_before = z->free_pages;

	nr_moves = 0;
	m->migrate_owner = record_move;
	m->owner_arg = NULL;
	r = compact_zone_order(m, z, 9, MIGRATE_MOVABLE,
	    COMPACT_PRIO_SYNC_FULL, ALLOC_WMARK_MIN, ZONE_DMA32, false,
	    &cycles);
	ASSERT_STREQ(compact_result_names[r], "success");
	ASSERT_GE(free_at_or_above(z, 9), 1);
	ASSERT_UEQ(z->free_pages, free_before);
	ASSERT_EQ(buddy_check_frames(m, NULL), 0);

	/* every move reported once, to an allocated head that carries the
	 * block's order, type and owner slot */
	ASSERT_GT(nr_moves, 0);
	ASSERT_LE(nr_moves, NPAGES);
	ASSERT_UEQ(m->vm_events[PGMIGRATE_SUCCESS], (uint64_t)nr_moves);
	ASSERT_UEQ(m->vm_events[PGMIGRATE_FAIL], 0);
	for (i = 0; i < nr_moves; i++) {
		const struct page_frame *f = pfn_to_frame(m, moves[i].new_pfn);

		ASSERT_EQ(moves[i].order, 0);
		ASSERT(moves[i].old_pfn < NPAGES && moves[i].new_pfn < NPAGES);
		ASSERT_EQ(seen_old[moves[i].old_pfn], 0);
		ASSERT_EQ(seen_new[moves[i].new_pfn], 0);
		seen_old[moves[i].old_pfn] = seen_new[moves[i].new_pfn] = 1;
		ASSERT(f->flags & PF_HEAD);
		ASSERT_EQ(f->order, 0);
		ASSERT_EQ(f->migratetype, MIGRATE_MOVABLE);
		ASSERT_UEQ(f->private, moves[i].old_pfn + 1);
		ASSERT(!(pfn_to_frame(m, moves[i].old_pfn)->flags & PF_HEAD));
	}
	/* the migration was paid for */
	ASSERT_GT(cycles, (uint64_t)nr_moves * m->cost.c[COST_MIGRATE_PAGE]);
	ASSERT_GT(m->vm_events[COMPACTMIGRATE_SCANNED], 0);
	ASSERT_GT(m->vm_events[COMPACTFREE_SCANNED], 0);
	ASSERT_UEQ(m->vm_events[COMPACTISOLATED], 2 * (uint64_t)nr_moves);
	/* the pagetypeinfo counts followed the blocks */
	for (pb = 0; pb < (uint64_t)NPAGES >> m->pageblock_order; pb++)
		live += m->pageblock_alloc[pb][MIGRATE_MOVABLE];
	ASSERT_UEQ(live, NPAGES / 2);

	/* and the allocation that wanted it succeeds, aligned */
	pfn = alloc(m, 9, movable, NULL);
	ASSERT(pfn != OP_PFN_NONE);
	ASSERT_UEQ(pfn & 511, 0);
	ASSERT_EQ(buddy_check(m, NULL), 0);
	machine_destroy(m);
}

TEST(unmovable_pages_are_never_migrated)
{
	struct config cfg;
	struct config_node node;
	struct machine *m;
	struct zone *z;
	struct zone *zl[1];
	uint64_t cycles = 0;
	enum compact_result r;

	make_config(&cfg, &node, 0, 16 * MiB);
	m = machine_create(&cfg, NULL);
	ASSERT(m != NULL);
	z = m->zones[0];
	ASSERT_EQ(fill_zone(m, z, 0, GFP_KERNEL), NPAGES);
	ASSERT_UEQ(free_every_other(m, z, 0), NPAGES / 2);
	ASSERT_UEQ(free_at_or_above(z, 1), 0);
	/* worth trying by the numbers, but nothing can move */
	ASSERT(compaction_suitable(m, z, 9, ZONE_DMA32));
	r = compact_zone_order(m, z, 9, MIGRATE_MOVABLE,
	    COMPACT_PRIO_SYNC_FULL, ALLOC_WMARK_MIN, ZONE_DMA32, false,
	    &cycles);
	ASSERT_EQ(r, COMPACT_COMPLETE);
	ASSERT_UEQ(m->vm_events[PGMIGRATE_SUCCESS], 0);
	ASSERT_UEQ(m->vm_events[PGMIGRATE_FAIL], 0);
	ASSERT_UEQ(free_at_or_above(z, 1), 0);
	ASSERT_UEQ(z->free_area[0].nr_free, NPAGES / 2);
	ASSERT_GT(m->vm_events[COMPACTMIGRATE_SCANNED], 0);
	ASSERT(z->compact_blockskip_flush);
	ASSERT_EQ(buddy_check_frames(m, NULL), 0);

	/* direct compaction says so, counts the stall as a failure and
	 * backs the zone off */
	zl[0] = z;
	r = try_to_compact_pages(m, zl, 1, 9, MIGRATE_MOVABLE,
	    ALLOC_WMARK_MIN, ZONE_NORMAL, COMPACT_PRIO_SYNC_LIGHT, &cycles);
	ASSERT_EQ(r, COMPACT_COMPLETE);
	ASSERT_UEQ(m->vm_events[COMPACTSTALL], 1);
	ASSERT_UEQ(m->vm_events[COMPACTFAIL], 1);
	ASSERT_UEQ(m->vm_events[COMPACTSUCCESS], 0);
	ASSERT_EQ(z->compact_defer_shift, 1);
	ASSERT_EQ(z->compact_considered, 0);
	/* the next attempt is deferred, and counted so */
	r = try_to_compact_pages(m, zl, 1, 9, MIGRATE_MOVABLE,
	    ALLOC_WMARK_MIN, ZONE_NORMAL, COMPACT_PRIO_SYNC_LIGHT, &cycles);
	ASSERT_EQ(r, COMPACT_DEFERRED);
	ASSERT_UEQ(m->vm_events[COMPACTDEFERRED], 1);
	ASSERT_UEQ(m->vm_events[PGMIGRATE_SUCCESS], 0);
	ASSERT_UEQ(free_at_or_above(z, 1), 0);
	ASSERT_EQ(buddy_check(m, NULL), 0);
	machine_destroy(m);
}

TEST(deferral_arithmetic)
{
	struct zone z;
	int i;

	memset(&z, 0, sizeof z);
	/* a fresh zone: shift 0, so never deferred, considered capped 1 */
	ASSERT(!compaction_deferred(&z, 9));
	ASSERT_EQ(z.compact_considered, 1);
	/* a success at 9: orders up to 9 are not even counted */
	compaction_defer_reset(&z, 9, true);
	ASSERT_EQ(z.compact_considered, 0);
	ASSERT_EQ(z.compact_defer_shift, 0);
	ASSERT_EQ(z.compact_order_failed, 10);
	ASSERT(!compaction_deferred(&z, 9));
	ASSERT_EQ(z.compact_considered, 0);
	/* a failure at 9: the next attempt skipped, the one after runs */
	defer_compaction(&z, 9);
	ASSERT_EQ(z.compact_defer_shift, 1);
	ASSERT_EQ(z.compact_order_failed, 9);
	ASSERT(compaction_deferred(&z, 9));
	ASSERT_EQ(z.compact_considered, 1);
	ASSERT(!compaction_deferred(&z, 9));
	ASSERT_EQ(z.compact_considered, 2);
	/* lower orders are below the failure and always run */
	ASSERT(!compaction_deferred(&z, 8));
	ASSERT_EQ(z.compact_considered, 2);
	/* higher ones are deferred with it */
	defer_compaction(&z, 10);
	ASSERT_EQ(z.compact_order_failed, 9);
	ASSERT_EQ(z.compact_defer_shift, 2);
	for (i = 0; i < 3; i++)
		ASSERT(compaction_deferred(&z, 10));
	ASSERT(!compaction_deferred(&z, 10));
	ASSERT_EQ(z.compact_considered, 4);
	/* the shift stops at 6: 63 skipped, the 64th runs */
	for (i = 0; i < 10; i++) {
		defer_compaction(&z, 9);
		ASSERT_EQ(z.compact_defer_shift, i + 3 < 6 ? i + 3 : 6);
		ASSERT_EQ(z.compact_considered, 0);
	}
	ASSERT_EQ(COMPACT_MAX_DEFER_SHIFT, 6);
	ASSERT(!compaction_restarting(&z, 9));
	for (i = 0; i < 63; i++)
		ASSERT(compaction_deferred(&z, 9));
	ASSERT(!compaction_deferred(&z, 9));
	ASSERT_EQ(z.compact_considered, 64);
	ASSERT(!compaction_deferred(&z, 9));
	ASSERT_EQ(z.compact_considered, 64);
	ASSERT(compaction_restarting(&z, 9));
	ASSERT(!compaction_restarting(&z, 8));
	/* a success expected but not confirmed keeps the backoff */
	compaction_defer_reset(&z, 9, false);
	ASSERT_EQ(z.compact_defer_shift, COMPACT_MAX_DEFER_SHIFT);
	ASSERT_EQ(z.compact_considered, 64);
	ASSERT_EQ(z.compact_order_failed, 10);
	ASSERT(!compaction_deferred(&z, 9));
	ASSERT_EQ(z.compact_considered, 64);
	/* a confirmed one clears it */
	compaction_defer_reset(&z, 10, true);
	ASSERT_EQ(z.compact_defer_shift, 0);
	ASSERT_EQ(z.compact_considered, 0);
	ASSERT_EQ(z.compact_order_failed, 11);
}

TEST(suitable_needs_the_gap_and_fragmentation)
{
	struct config cfg;
	struct config_node node;
	struct machine *m;
	struct zone *z;
	gfp_t movable = gfp_of("GFP_HIGHUSER_MOVABLE");
	uint64_t target, cycles = 0;
	int blocks;

	/* the watermark: low + compact_gap(9) = low + 1024 pages */
	make_config(&cfg, &node, 0, 16 * MiB);
	m = machine_create(&cfg, NULL);
	ASSERT(m != NULL);
	z = m->zones[0];
	target = z->watermark[WMARK_LOW] + compact_gap(9);
	ASSERT_UEQ(compact_gap(9), 1024);
	while (z->free_pages > target + 1)
		ASSERT(alloc(m, 0, movable, NULL) != OP_PFN_NONE);
	ASSERT_UEQ(z->free_pages, target + 1);
	/* big blocks are still free: index -1000, not a fragmentation
	 * failure, so only the watermark decides */
	ASSERT_EQ(zone_fragmentation_index(m, z, 9), -1000);
	ASSERT(compaction_suitable(m, z, 9, ZONE_DMA32));
	ASSERT(alloc(m, 0, movable, NULL) != OP_PFN_NONE);
	ASSERT_UEQ(z->free_pages, target);
	/* at the mark, though well above low + 2^9: the gap is twice the
	 * block, as the free scanner may hold up to that much */
	ASSERT_GT(z->free_pages, z->watermark[WMARK_LOW] + 512);
	ASSERT(!compaction_suitable(m, z, 9, ZONE_DMA32));
	/* a non-costly order wants only min + 2^(order+1) */
	ASSERT(compaction_suitable(m, z, 3, ZONE_DMA32));
	/* and the caller's watermark counts (6.15+: high for reclaim) */
	ASSERT(!compaction_suitable_wmark(m, z, 3, z->free_pages, ZONE_DMA32));
	machine_destroy(m);

	/* the fragmentation index: the free memory in eight order-8
	 * blocks, no order-9 one: a lack of memory, not fragmentation */
	make_config(&cfg, &node, 0, 16 * MiB);
	m = machine_create(&cfg, NULL);
	ASSERT(m != NULL);
	z = m->zones[0];
	blocks = fill_zone(m, z, 8, movable);
	ASSERT_EQ(blocks, NPAGES / 256);
	ASSERT_UEQ(free_every_other(m, z, 8), NPAGES / 2);
	ASSERT_UEQ(z->free_area[8].nr_free, 8);
	ASSERT_UEQ(free_at_or_above(z, 9), 0);
	/* 1000 - (1000 + 2048 * 1000 / 512) / 8 */
	ASSERT_EQ(zone_fragmentation_index(m, z, 9), 375);
	ASSERT(!compaction_suitable(m, z, 9, ZONE_DMA32));
	ASSERT_EQ(compaction_suit_allocation_order(m, z, 9, ZONE_DMA32,
	    ALLOC_WMARK_MIN, false), COMPACT_SKIPPED);
	/* so compaction does not even start */
	ASSERT_EQ(compact_zone_order(m, z, 9, MIGRATE_MOVABLE,
	    COMPACT_PRIO_SYNC_LIGHT, ALLOC_WMARK_MIN, ZONE_DMA32, false,
	    &cycles), COMPACT_SKIPPED);
	ASSERT_UEQ(m->vm_events[COMPACTMIGRATE_SCANNED], 0);
	/* the index is ignored below costly orders */
	ASSERT(compaction_suitable(m, z, 3, ZONE_DMA32));
	/* and the threshold is the config's */
	cfg.extfrag_threshold = 374;
	ASSERT(compaction_suitable(m, z, 9, ZONE_DMA32));
	cfg.extfrag_threshold = 375;
	ASSERT(!compaction_suitable(m, z, 9, ZONE_DMA32));
	machine_destroy(m);
}

TEST(proactive_scores_and_marks)
{
	struct config cfg;
	struct config_node node;
	struct machine *m;
	struct zone *z;
	gfp_t movable = gfp_of("GFP_HIGHUSER_MOVABLE");
	uint64_t cycles = 0, free_before;

	ASSERT_EQ(fragmentation_score_wmark(true, 20), 80);
	ASSERT_EQ(fragmentation_score_wmark(false, 20), 90);
	ASSERT_EQ(fragmentation_score_wmark(true, 0), 100);
	ASSERT_EQ(fragmentation_score_wmark(false, 0), 100);
	ASSERT_EQ(fragmentation_score_wmark(true, 90), 10);
	ASSERT_EQ(fragmentation_score_wmark(false, 90), 20);
	/* the low mark has a floor of 5 */
	ASSERT_EQ(fragmentation_score_wmark(true, 97), 5);
	ASSERT_EQ(fragmentation_score_wmark(true, 100), 5);
	ASSERT_EQ(fragmentation_score_wmark(false, 100), 15);

	/* one zone, every other page free: all free memory below
	 * pageblock order */
	make_config(&cfg, &node, 0, 16 * MiB);
	m = machine_create(&cfg, NULL);
	ASSERT(m != NULL);
	z = m->zones[0];
	ASSERT_EQ(fragmentation_score_zone(m, z), 0);
	ASSERT(!should_proactive_compact_node(m, 0));
	ASSERT_EQ(fill_zone(m, z, 0, movable), NPAGES);
	free_every_other(m, z, 0);
	ASSERT_EQ(fragmentation_score_zone(m, z), 100);
	/* weighted by present pages over the node's + 1 */
	ASSERT_EQ(fragmentation_score_node(m, 0), 4096 * 100 / 4097);
	ASSERT(should_proactive_compact_node(m, 0));
	cfg.compaction_proactiveness = 0;
	ASSERT(!should_proactive_compact_node(m, 0));
	cfg.compaction_proactiveness = 20;
	m->nodes[0].kswapd_running = true;
	ASSERT(!should_proactive_compact_node(m, 0));
	m->nodes[0].kswapd_running = false;

	/* a proactive round compacts to the low mark, as kcompactd */
	free_before = z->free_pages;
	proactive_compact_node(m, 0, &cycles);
	ASSERT_UEQ(m->vm_events[COMPACTPROACTIVE], 1);
	ASSERT_LE(fragmentation_score_zone(m, z), 80);
	ASSERT_GT(m->vm_events[PGMIGRATE_SUCCESS], 0);
	ASSERT_UEQ(m->vm_events[KCOMPACTD_MIGRATE_SCANNED],
	    m->vm_events[COMPACTMIGRATE_SCANNED]);
	ASSERT_GT(m->vm_events[KCOMPACTD_MIGRATE_SCANNED], 0);
	ASSERT_UEQ(z->free_pages, free_before);
	ASSERT(!should_proactive_compact_node(m, 0));
	ASSERT_GT(cycles, 0);
	ASSERT_EQ(buddy_check_frames(m, NULL), 0);
	machine_destroy(m);

	/* two zones: a fragmented DMA32 of 3/4 of the node weighs 74 */
	make_config(&cfg, &node, 4 * MiB, 12 * MiB);
	m = machine_create(&cfg, NULL);
	ASSERT(m != NULL);
	ASSERT_EQ(m->nr_zones, 2);
	z = m->zones[1];
	ASSERT_EQ(z->type, ZONE_DMA32);
	ASSERT_EQ(fill_zone(m, z, 0, movable), 3072);
	free_every_other(m, z, 0);
	ASSERT_EQ(fragmentation_score_zone(m, m->zones[0]), 0);
	ASSERT_EQ(fragmentation_score_zone(m, z), 100);
	ASSERT_EQ(fragmentation_score_node(m, 0), 3072 * 100 / 4097);
	ASSERT(!should_proactive_compact_node(m, 0));
	cfg.compaction_proactiveness = 40;	/* high mark 70 */
	ASSERT(should_proactive_compact_node(m, 0));
	machine_destroy(m);
}

TEST(scanners_meet_on_an_unfixable_zone)
{
	struct config cfg;
	struct config_node node;
	struct machine *m;
	struct zone *z;
	gfp_t movable = gfp_of("GFP_HIGHUSER_MOVABLE");
	uint64_t cycles = 0, pb, skips = 0, skips_after = 0, scanned;
	enum compact_result r;

	make_config(&cfg, &node, 0, 16 * MiB);
	m = machine_create(&cfg, NULL);
	ASSERT(m != NULL);
	z = m->zones[0];
	ASSERT_EQ(fill_zone(m, z, 0, movable), NPAGES);
	free_every_other(m, z, 0);
	/* one pinned (unmovable) page in every pageblock: no order-9
	 * block can ever be freed, whatever moves */
	for (pb = 0; pb < NPAGES / 512; pb++) {
		uint64_t pfn = pb * 512 + 1;
		struct page_frame *f = pfn_to_frame(m, pfn);

		ASSERT(f->flags & PF_HEAD);
		pageblock_account(m, pfn, 0, MIGRATE_MOVABLE, -1);
		f->migratetype = f->alloc_mt = MIGRATE_UNMOVABLE;
		pageblock_account(m, pfn, 0, MIGRATE_UNMOVABLE, +1);
	}
	ASSERT(compaction_suitable(m, z, 9, ZONE_DMA32));
	r = compact_zone_order(m, z, 9, MIGRATE_MOVABLE,
	    COMPACT_PRIO_SYNC_FULL, ALLOC_WMARK_MIN, ZONE_DMA32, false,
	    &cycles);
	ASSERT_EQ(r, COMPACT_COMPLETE);
	ASSERT_UEQ(free_at_or_above(z, 9), 0);
	ASSERT_UEQ(z->free_pages, NPAGES / 2);
	ASSERT_GT(m->vm_events[PGMIGRATE_SUCCESS], 0);
	/* the scanners covered the zone once between them */
	scanned = m->vm_events[COMPACTMIGRATE_SCANNED] +
	    m->vm_events[COMPACTFREE_SCANNED];
	ASSERT_LE(scanned, NPAGES);
	ASSERT_GE(scanned, NPAGES / 2);
	/* and left the next run to start anew */
	ASSERT_UEQ(z->compact_cached_migrate_pfn[0], 0);
	ASSERT_UEQ(z->compact_cached_migrate_pfn[1], 0);
	ASSERT_UEQ(z->compact_cached_free_pfn, NPAGES - 512);
	ASSERT(z->compact_blockskip_flush);
	ASSERT_EQ(buddy_check_frames(m, NULL), 0);

	/* async runs honour the hints and meet again */
	r = compact_zone_order(m, z, 9, MIGRATE_MOVABLE, COMPACT_PRIO_ASYNC,
	    ALLOC_WMARK_MIN, ZONE_DMA32, false, &cycles);
	ASSERT(r == COMPACT_COMPLETE || r == COMPACT_PARTIAL_SKIPPED);
	ASSERT_UEQ(free_at_or_above(z, 9), 0);
	for (pb = 0; pb < NPAGES / 512; pb++)
		skips += m->pageblock_skip[pb];
	ASSERT_GT(skips, 0);
	/* kswapd going to sleep flushes the hints of blocks that can
	 * still be a source or a target */
	reset_isolation_suitable(m, 0, &cycles);
	ASSERT(!z->compact_blockskip_flush);
	for (pb = 0; pb < NPAGES / 512; pb++)
		skips_after += m->pageblock_skip[pb];
	ASSERT_LT(skips_after, skips);
	ASSERT_EQ(buddy_check_frames(m, NULL), 0);
	machine_destroy(m);
}

TEST(async_moves_only_out_of_blocks_of_the_type)
{
	struct config cfg;
	struct config_node node;
	struct machine *m;
	struct zone *z;
	gfp_t movable = gfp_of("GFP_HIGHUSER_MOVABLE");
	uint64_t cycles = 0, pb;
	enum compact_result r;
	int i;

	make_config(&cfg, &node, 0, 16 * MiB);
	m = machine_create(&cfg, NULL);
	ASSERT(m != NULL);
	z = m->zones[0];
	ASSERT_EQ(fill_zone(m, z, 0, movable), NPAGES);
	free_every_other(m, z, 0);
	/* the lower half's blocks turn unmovable, their pages stay
	 * movable ones (a fallback's leftovers) */
	for (pb = 0; pb < 4; pb++)
		set_pageblock_migratetype(m, pb * 512, MIGRATE_UNMOVABLE);
	nr_moves = 0;
	m->migrate_owner = record_move;
	r = compact_zone_order(m, z, 9, MIGRATE_MOVABLE, COMPACT_PRIO_ASYNC,
	    ALLOC_WMARK_MIN, ZONE_DMA32, false, &cycles);
	ASSERT_EQ(r, COMPACT_SUCCESS);
	/* async direct compaction for a movable request passed over the
	 * unmovable blocks and freed the first movable one */
	ASSERT_GT(nr_moves, 0);
	for (i = 0; i < nr_moves; i++) {
		ASSERT_GE(moves[i].old_pfn, 2048);
		ASSERT_GE(moves[i].new_pfn, 2560);
	}
	ASSERT_UEQ(z->free_area[9].nr_free, 1);
	ASSERT_UEQ(z->free_area[9].free_list[MIGRATE_MOVABLE], 2048);
	/* the blocks it passed over moved the async restart point */
	ASSERT_GE(z->compact_cached_migrate_pfn[0], 2048);
	ASSERT_EQ(buddy_check_frames(m, NULL), 0);
	machine_destroy(m);
}

TEST(isolating_half_a_pageblock_claims_it)
{
	struct config cfg;
	struct config_node node;
	struct machine *m;
	struct zone *z;
	gfp_t movable = gfp_of("GFP_HIGHUSER_MOVABLE");
	uint64_t cycles = 0, pb, p;
	const struct free_area *a2;

	make_config(&cfg, &node, 0, 16 * MiB);
	cfg.extfrag_threshold = 0;	/* order-8 holes are worth it */
	m = machine_create(&cfg, NULL);
	ASSERT(m != NULL);
	z = m->zones[0];
	a2 = &z->free_area[2];
	ASSERT_EQ(fill_zone(m, z, 8, movable), NPAGES / 256);
	free_every_other(m, z, 8);
	for (pb = 4; pb < 8; pb++)
		set_pageblock_migratetype(m, pb * 512, MIGRATE_UNMOVABLE);
	/* the upper half of the last block: order-0 pages, four freed */
	for (p = 3840; p < 4096; p++) {
		struct page_frame *f = pfn_to_frame(m, p);

		f->flags |= PF_HEAD;
		f->order = 0;
		f->migratetype = f->alloc_mt = MIGRATE_MOVABLE;
	}
	for (p = 3840; p < 3844; p++)
		release(m, p, 0);
	ASSERT_UEQ(a2->nr_free_mt[MIGRATE_UNMOVABLE], 1);
	/* sync full takes targets from any block: the free half of the
	 * last one, which turns movable with the rest of its free pages */
	ASSERT_EQ(compact_zone_order(m, z, 9, MIGRATE_MOVABLE,
	    COMPACT_PRIO_SYNC_FULL, ALLOC_WMARK_MIN, ZONE_DMA32, false,
	    &cycles), COMPACT_SUCCESS);
	ASSERT_UEQ(m->vm_events[PGMIGRATE_SUCCESS], 256);
	ASSERT_EQ(m->pageblock_mt[7], MIGRATE_MOVABLE);
	ASSERT_EQ(m->pageblock_mt[6], MIGRATE_UNMOVABLE);
	ASSERT_UEQ(a2->nr_free_mt[MIGRATE_UNMOVABLE], 0);
	ASSERT_UEQ(a2->free_list[MIGRATE_MOVABLE], 3840);
	ASSERT_UEQ(z->free_area[9].nr_free, 1);
	ASSERT_EQ(buddy_check_frames(m, NULL), 0);
	machine_destroy(m);
}

TEST(direct_compaction_accounting)
{
	struct config cfg;
	struct config_node node;
	struct machine *m;
	struct zone *z, *zl[1];
	gfp_t movable = gfp_of("GFP_HIGHUSER_MOVABLE");
	uint64_t cycles = 0, scanned;
	enum compact_result r;

	make_config(&cfg, &node, 0, 16 * MiB);
	m = machine_create(&cfg, NULL);
	ASSERT(m != NULL);
	z = m->zones[0];
	ASSERT_EQ(fill_zone(m, z, 0, movable), NPAGES);
	free_every_other(m, z, 0);
	zl[0] = z;
	/* order 0 never compacts */
	ASSERT_EQ(try_to_compact_pages(m, zl, 1, 0, MIGRATE_MOVABLE,
	    ALLOC_WMARK_MIN, ZONE_NORMAL, COMPACT_PRIO_ASYNC, &cycles),
	    COMPACT_SKIPPED);
	ASSERT_UEQ(m->vm_events[COMPACTSTALL], 0);
	r = try_to_compact_pages(m, zl, 1, 9, MIGRATE_MOVABLE,
	    ALLOC_WMARK_MIN, ZONE_NORMAL, COMPACT_PRIO_SYNC_LIGHT, &cycles);
	ASSERT_EQ(r, COMPACT_SUCCESS);
	ASSERT_UEQ(m->vm_events[COMPACTSTALL], 1);
	ASSERT_UEQ(m->vm_events[COMPACTSUCCESS], 1);
	ASSERT_UEQ(m->vm_events[COMPACTFAIL], 0);
	ASSERT_EQ(z->compact_order_failed, 10);
	ASSERT_EQ(z->compact_defer_shift, 0);
	ASSERT(!z->compact_blockskip_flush);
	/* already satisfiable: nothing scanned, a stall all the same */
	scanned = m->vm_events[COMPACTMIGRATE_SCANNED];
	r = try_to_compact_pages(m, zl, 1, 9, MIGRATE_MOVABLE,
	    ALLOC_WMARK_MIN, ZONE_NORMAL, COMPACT_PRIO_ASYNC, &cycles);
	ASSERT_EQ(r, COMPACT_SUCCESS);
	ASSERT_UEQ(m->vm_events[COMPACTMIGRATE_SCANNED], scanned);
	ASSERT_UEQ(m->vm_events[COMPACTSTALL], 2);
	ASSERT_UEQ(m->vm_events[COMPACTSUCCESS], 2);
	ASSERT(alloc(m, 9, movable, NULL) != OP_PFN_NONE);
	ASSERT_EQ(buddy_check(m, NULL), 0);
	machine_destroy(m);
}

TEST(kcompactd_run)
{
	struct config cfg;
	struct config_node node;
	struct machine *m;
	struct zone *z;
	struct node *nd;
	gfp_t movable = gfp_of("GFP_HIGHUSER_MOVABLE");
	uint64_t cycles = 0;

	make_config(&cfg, &node, 0, 16 * MiB);
	m = machine_create(&cfg, NULL);
	ASSERT(m != NULL);
	z = m->zones[0];
	nd = &m->nodes[0];
	ASSERT_EQ(fill_zone(m, z, 0, movable), NPAGES);
	free_every_other(m, z, 0);
	nd->kcompactd_max_order = 9;
	nd->kcompactd_highest_zoneidx = ZONE_NORMAL;
	ASSERT(kcompactd_node_suitable(m, 0));
	kcompactd_do_work(m, 0, &cycles);
	ASSERT_UEQ(m->vm_events[KCOMPACTD_WAKE], 1);
	ASSERT_GE(free_at_or_above(z, 9), 1);
	ASSERT_GT(m->vm_events[KCOMPACTD_MIGRATE_SCANNED], 0);
	ASSERT_UEQ(m->vm_events[KCOMPACTD_MIGRATE_SCANNED],
	    m->vm_events[COMPACTMIGRATE_SCANNED]);
	ASSERT_UEQ(m->vm_events[KCOMPACTD_FREE_SCANNED],
	    m->vm_events[COMPACTFREE_SCANNED]);
	/* not a direct compactor: no stall, no hint flush armed */
	ASSERT_UEQ(m->vm_events[COMPACTSTALL], 0);
	ASSERT(!z->compact_blockskip_flush);
	/* the request is reset: order 0, the node's highest zone */
	ASSERT_EQ(nd->kcompactd_max_order, 0);
	ASSERT_EQ(nd->kcompactd_highest_zoneidx, ZONE_DMA32);
	ASSERT(!kcompactd_node_suitable(m, 0));
	ASSERT_GT(cycles, 0);
	ASSERT_EQ(buddy_check_frames(m, NULL), 0);
	machine_destroy(m);
}

int main(void)
{
	/* a scan that never ends fails the run instead of hanging it */
	alarm(120);
	RUN(compaction_frees_an_order9_block);
	RUN(unmovable_pages_are_never_migrated);
	RUN(deferral_arithmetic);
	RUN(suitable_needs_the_gap_and_fragmentation);
	RUN(proactive_scores_and_marks);
	RUN(scanners_meet_on_an_unfixable_zone);
	RUN(async_moves_only_out_of_blocks_of_the_type);
	RUN(isolating_half_a_pageblock_claims_it);
	RUN(direct_compaction_accounting);
	RUN(kcompactd_run);
	return tap_done();
}
