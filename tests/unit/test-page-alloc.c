/*
 * test-page-alloc.c - the page allocator's decisions on hand-built
 * states, each derived from the rules of mm/page_alloc.c (6.18):
 * ALLOC_NOFRAGMENT and whole-block claims, __rmqueue_claim versus
 * __rmqueue_steal versus the pre-6.15 __rmqueue_fallback, the watermark
 * boost, the mixed-pageblock counts, grouping by mobility switched off,
 * the highatomic reserve, kswapd wake-ups and the memory policies.
 * Per-cpu lists are off unless a test says otherwise, so every page
 * comes straight from the buddy.
 */
#include "mkmachine.h"
#include "tap.h"
#include "mm/vmscan.h"

static uint64_t pb_of(const struct machine *m, uint64_t pfn)
{
	return pfn >> m->pageblock_order;
}

TEST(unmovable_claims_a_whole_block_first)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m = mk_bare_machine(&cfg, nodes, 16 * MiB);
	struct zone *z;
	uint64_t p;

	ASSERT(m != NULL);
	z = m->zones[0];
	ASSERT_EQ(z->type, ZONE_NORMAL);
	ASSERT(!m->mobility_disabled);
	ASSERT_UEQ(z->nr_pageblocks[MIGRATE_MOVABLE], 8);
	/* Normal zone of a single node: ALLOC_NOFRAGMENT.  The only free
	 * blocks are movable order-10 ones: the request claims one whole
	 * (both its pageblocks), without boosting anything. */
	p = mk_alloc(m, 0, GFP_KERNEL, 0, NULL);
	ASSERT(p != OP_PFN_NONE);
	ASSERT_UEQ(z->nr_pageblocks[MIGRATE_UNMOVABLE], 2);
	ASSERT_UEQ(z->nr_pageblocks[MIGRATE_MOVABLE], 6);
	ASSERT_UEQ(m->vm_events[EXTFRAG_FALLBACK], 1);
	ASSERT_UEQ(m->vm_events[EXTFRAG_FRAGMENTING], 0);
	ASSERT_UEQ(m->vm_events[EXTFRAG_CHANGE_OWNERSHIP], 1);
	ASSERT_UEQ(z->watermark_boost, 0);
	/* the split-off halves sit on the unmovable lists */
	ASSERT_UEQ(mk_nr_free(z, 9, MIGRATE_UNMOVABLE), 1);
	ASSERT_UEQ(z->nr_mixed_pageblocks[MIGRATE_UNMOVABLE], 0);
	/* movable blocks take the other order-10 blocks; a movable page
	 * then claims the free unmovable pageblock whole (order 9) */
	for (int i = 0; i < 3; i++)
		ASSERT(mk_alloc(m, 10, GFP_HIGHUSER_MOVABLE, 0, NULL) !=
		    OP_PFN_NONE);
	p = mk_alloc(m, 0, GFP_HIGHUSER_MOVABLE, 0, NULL);
	ASSERT(p != OP_PFN_NONE);
	ASSERT_UEQ(z->nr_pageblocks[MIGRATE_MOVABLE], 7);
	ASSERT_UEQ(m->vm_events[EXTFRAG_FALLBACK], 2);
	ASSERT_UEQ(m->vm_events[EXTFRAG_CHANGE_OWNERSHIP], 2);
	ASSERT_EQ(buddy_check_frames(m, NULL), 0);
	machine_destroy(m);
}

/*
 * Two unmovable pageblocks P and Q with free space left: P 128 pages
 * (one order-7 block), Q 8 pages (one order-3 block); the other six
 * pageblocks are allocated whole, every one unmovable.
 */
static void two_partial_blocks(struct machine *m, uint64_t *P, uint64_t *Q)
{
	uint64_t b[8];
	unsigned o;
	int i;

	for (i = 0; i < 8; i++)
		b[i] = mk_alloc(m, 9, GFP_KERNEL, 0, NULL);
	/* Q: everything but an order-3 block */
	*Q = b[1];
	mk_free(m, *Q, 9);
	for (o = 8; o >= 3; o--)
		mk_alloc(m, o, GFP_KERNEL, 0, NULL);
	/* P: 256 + 128 allocated, an order-7 block free */
	*P = b[2];
	mk_free(m, *P, 9);
	mk_alloc(m, 8, GFP_KERNEL, 0, NULL);
	mk_alloc(m, 7, GFP_KERNEL, 0, NULL);
}

TEST(claim_fails_then_steal_takes_the_smallest)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m = mk_bare_machine(&cfg, nodes, 16 * MiB);
	struct zone *z;
	uint64_t P, Q, p;

	ASSERT(m != NULL);
	z = m->zones[0];
	two_partial_blocks(m, &P, &Q);
	ASSERT_UEQ(z->nr_pageblocks[MIGRATE_UNMOVABLE], 8);
	ASSERT_UEQ(mk_nr_free(z, 7, MIGRATE_UNMOVABLE), 1);
	ASSERT_UEQ(mk_nr_free(z, 3, MIGRATE_UNMOVABLE), 1);
	ASSERT(pb_of(m, z->free_area[7].free_list[MIGRATE_UNMOVABLE]) ==
	    pb_of(m, P));
	m->vm_events[EXTFRAG_FALLBACK] = 0;
	m->vm_events[EXTFRAG_FRAGMENTING] = 0;
	m->vm_events[EXTFRAG_CHANGE_OWNERSHIP] = 0;
	/*
	 * 6.15+: __rmqueue_claim tries P's order-7 block (order >=
	 * pageblock_order / 2), boosting the watermark, but 128 free of
	 * 512 is under half: no claim.  Order 3 is too low to claim for a
	 * movable page, so __rmqueue_steal takes the smallest foreign
	 * block: Q's, which stays unmovable.
	 */
	p = mk_alloc(m, 0, GFP_HIGHUSER_MOVABLE, 0, NULL);
	ASSERT(p != OP_PFN_NONE);
	ASSERT_UEQ(pb_of(m, p), pb_of(m, Q));
	ASSERT_UEQ(z->nr_pageblocks[MIGRATE_UNMOVABLE], 8);
	ASSERT_UEQ(m->vm_events[EXTFRAG_FALLBACK], 1);
	ASSERT_UEQ(m->vm_events[EXTFRAG_FRAGMENTING], 1);
	ASSERT_UEQ(m->vm_events[EXTFRAG_CHANGE_OWNERSHIP], 0);
	/* boost_watermark(): one pageblock */
	ASSERT_UEQ(z->watermark_boost, 512);
	/* a movable page in an unmovable block: one mixed block */
	ASSERT_UEQ(z->nr_mixed_pageblocks[MIGRATE_UNMOVABLE], 1);
	ASSERT(pageblock_is_mixed(m, pb_of(m, Q)));
	ASSERT_EQ(buddy_check_frames(m, NULL), 0);
	machine_destroy(m);
}

TEST(legacy_fallback_splits_the_largest)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m;
	struct zone *z;
	uint64_t P, Q, p;

	mk_config_nopcp(&cfg, nodes, 1, 16 * MiB, 0, 0);
	cfg.fallback = FALLBACK_LEGACY;
	m = machine_create(&cfg, NULL);
	ASSERT(m != NULL);
	mk_no_watermarks(m);
	z = m->zones[0];
	two_partial_blocks(m, &P, &Q);
	/*
	 * Before 6.15: __rmqueue_fallback takes the largest foreign block
	 * (P's order 7); it may try to claim (order >= pageblock_order /
	 * 2), fails for want of free pages, and splits P's block: the page
	 * comes from P.
	 */
	p = mk_alloc(m, 0, GFP_HIGHUSER_MOVABLE, 0, NULL);
	ASSERT(p != OP_PFN_NONE);
	ASSERT_UEQ(pb_of(m, p), pb_of(m, P));
	ASSERT_UEQ(z->nr_pageblocks[MIGRATE_UNMOVABLE], 8);
	ASSERT_UEQ(z->watermark_boost, 512);
	/* the rest of P's block stays on the unmovable lists, beside Q's
	 * order-3 block */
	ASSERT_UEQ(mk_nr_free(z, 7, MIGRATE_UNMOVABLE), 0);
	ASSERT_UEQ(mk_nr_free(z, 6, MIGRATE_UNMOVABLE), 1);
	ASSERT_UEQ(mk_nr_free(z, 3, MIGRATE_UNMOVABLE), 2);
	ASSERT_EQ(buddy_check_frames(m, NULL), 0);
	machine_destroy(m);
}

TEST(claim_of_a_mostly_free_block_changes_it)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m = mk_bare_machine(&cfg, nodes, 16 * MiB);
	struct zone *z;
	uint64_t b[8], p;
	int i;

	ASSERT(m != NULL);
	z = m->zones[0];
	for (i = 0; i < 8; i++)
		b[i] = mk_alloc(m, 9, GFP_KERNEL, 0, NULL);
	mk_free(m, b[1], 9);
	/* one unmovable page in it, 511 free */
	ASSERT_UEQ(pb_of(m, mk_alloc(m, 0, GFP_KERNEL, 0, NULL)), pb_of(m, b[1]));
	p = mk_alloc(m, 0, GFP_HIGHUSER_MOVABLE, 0, NULL);
	/* __rmqueue_claim at order 8: 511 free >= 256, the block turns
	 * movable; its unmovable page makes it a mixed movable block */
	ASSERT_UEQ(pb_of(m, p), pb_of(m, b[1]));
	ASSERT_EQ(get_pageblock_migratetype(m, p), MIGRATE_MOVABLE);
	ASSERT_UEQ(z->nr_pageblocks[MIGRATE_MOVABLE], 1);
	ASSERT_UEQ(z->nr_mixed_pageblocks[MIGRATE_MOVABLE], 1);
	ASSERT_UEQ(m->vm_events[EXTFRAG_CHANGE_OWNERSHIP], 5);
	ASSERT_EQ(buddy_check_frames(m, NULL), 0);
	machine_destroy(m);
}

TEST(grouping_off_makes_everything_unmovable)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m;
	struct zone *z;
	int i;

	mk_config_nopcp(&cfg, nodes, 1, 16 * MiB, 0, 0);
	cfg.mobility = false;
	m = machine_create(&cfg, NULL);
	ASSERT(m != NULL);
	z = m->zones[0];
	ASSERT(m->mobility_disabled);
	ASSERT_UEQ(z->nr_pageblocks[MIGRATE_UNMOVABLE], 8);
	for (i = 0; i < 100; i++) {
		ASSERT(mk_alloc(m, 0, GFP_HIGHUSER_MOVABLE, 0, NULL) !=
		    OP_PFN_NONE);
		ASSERT(mk_alloc(m, 0, GFP_KERNEL, 0, NULL) != OP_PFN_NONE);
	}
	/* one type, so no fallbacks; but the movable pages share the
	 * unmovable blocks: kmsim counts pages by the mobility their gfp
	 * asked for, so the one block used is mixed */
	ASSERT_UEQ(m->vm_events[EXTFRAG_FALLBACK], 0);
	ASSERT_UEQ(z->nr_mixed_pageblocks[MIGRATE_UNMOVABLE], 1);
	ASSERT_UEQ(z->nr_pageblocks[MIGRATE_UNMOVABLE], 8);
	machine_destroy(m);

	/* too small a machine turns it off by itself */
	mk_config(&cfg, nodes, 1, 8 * MiB, 0, 0);
	cfg.max_order = 10;
	nodes[0].memory = nodes[0].span = 4 * MiB;
	nodes[0].zone_size[ZONE_NORMAL] = 4 * MiB;
	m = machine_create(&cfg, NULL);
	ASSERT(m != NULL);
	ASSERT(m->mobility_disabled);	/* 1024 < 512 * 6 pages */
	machine_destroy(m);
}

TEST(atomic_high_order_reserves_a_highatomic_block)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m;
	struct zone *z;
	struct evq q;
	uint64_t p, max_reserve;

	mk_config_nopcp(&cfg, nodes, 1, 256 * MiB, 0, 0);
	m = machine_create(&cfg, NULL);
	ASSERT(m != NULL);
	/* a queue for kswapd's wake-ups to be staged on */
	evq_init(&q);
	m->q = &q;
	kswapd_start(m);
	z = m->zones[0];
	/* run the zone below its low watermark */
	while (z->free_pages > z->watermark[WMARK_LOW])
		ASSERT(mk_alloc(m, 0, GFP_HIGHUSER_MOVABLE, 0, NULL) !=
		    OP_PFN_NONE);
	ASSERT(!evq_staged(&m->nodes[0].kswapd_ev));
	/* the fast path fails; the slow path wakes kswapd and serves the
	 * atomic order-1 request at the min watermark, reserving its
	 * pageblock as MIGRATE_HIGHATOMIC */
	p = mk_alloc(m, 1, GFP_ATOMIC, 0, NULL);
	ASSERT(p != OP_PFN_NONE);
	ASSERT(evq_staged(&m->nodes[0].kswapd_ev));
	/* it runs once the allocation is done */
	ASSERT(!kswapd_is_running(m, 0));
	evq_yield(&q, 0);
	ASSERT(kswapd_is_running(m, 0));
	/* the rest of the test without kswapd */
	evq_fini(&q);
	m->q = NULL;
	ASSERT_UEQ(z->nr_reserved_highatomic, 512);
	ASSERT_UEQ(z->nr_pageblocks[MIGRATE_HIGHATOMIC], 1);
	ASSERT_EQ(get_pageblock_migratetype(m, p), MIGRATE_HIGHATOMIC);
	ASSERT_UEQ(m->vm_events[HIGHATOMIC_RESERVED], 1);
	/* at most ~1% of the zone, rounded up to pageblocks */
	max_reserve = (z->managed_pages / 100 + 511) & ~UINT64_C(511);
	while (mk_alloc(m, 1, GFP_ATOMIC, 0, NULL) != OP_PFN_NONE &&
	    z->nr_reserved_highatomic < max_reserve + 512)
		;
	ASSERT(z->nr_reserved_highatomic <= max_reserve);
	/* a GFP_KERNEL page may not use the free highatomic pages */
	ASSERT_EQ(buddy_check(m, NULL), 0);
	machine_destroy(m);
}

TEST(kswapd_balanced_node_is_not_woken)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m = mk_bare_machine(&cfg, nodes, 64 * MiB);
	struct evq q;

	ASSERT(m != NULL);
	evq_init(&q);
	m->q = &q;
	kswapd_start(m);
	wakeup_kswapd(m, m->zones[0], GFP_KERNEL, 0, ZONE_NORMAL);
	ASSERT(!evq_staged(&m->nodes[0].kswapd_ev));
	evq_yield(&q, 0);
	ASSERT(!kswapd_is_running(m, 0));
	evq_fini(&q);
	ASSERT(pgdat_balanced(m, 0, 0, ZONE_NORMAL));
	machine_destroy(m);
}

TEST(memory_policies)
{
	struct config cfg;
	struct config_node nodes[2];
	struct machine *m;
	struct alloc_request req = { .order = 0, .gfp = GFP_KERNEL,
	    .preferred_node = 0, .migratetype = -1, .cpu = 0 };
	struct alloc_result res;
	char *cause = NULL;
	int i, on[2] = { 0, 0 };

	mk_config_nopcp(&cfg, nodes, 2, 64 * MiB, 0, 0);
	m = machine_create(&cfg, NULL);
	ASSERT(m != NULL);
	/* local: node 0 */
	ASSERT_EQ(page_alloc(m, &req, &res, &cause), 0);
	ASSERT_EQ(res.zone->node, 0);
	/* bind to node 1 from a CPU of node 0 */
	req.policy = MPOL_BIND;
	req.nodemask = 2;
	ASSERT_EQ(page_alloc(m, &req, &res, &cause), 0);
	ASSERT_EQ(res.zone->node, 1);
	/* preferred node 1 */
	req.policy = MPOL_PREFERRED;
	ASSERT_EQ(page_alloc(m, &req, &res, &cause), 0);
	ASSERT_EQ(res.zone->node, 1);
	/* interleave alternates */
	req.policy = MPOL_INTERLEAVE;
	req.nodemask = 0;
	for (i = 0; i < 10; i++) {
		ASSERT_EQ(page_alloc(m, &req, &res, &cause), 0);
		on[res.zone->node]++;
	}
	ASSERT_EQ(on[0], 5);
	ASSERT_EQ(on[1], 5);
	/* counted per (requesting node, serving node) */
	ASSERT_UEQ(m->node_allocs[0 * 2 + 0], 1 + 5);
	ASSERT_UEQ(m->node_allocs[0 * 2 + 1], 2 + 5);
	ASSERT_UEQ(m->node_allocs[1 * 2 + 0], 0);
	/* a mask naming no node of the machine is refused */
	req.nodemask = UINT64_C(1) << 5;
	ASSERT_EQ(page_alloc(m, &req, &res, &cause), -1);
	ASSERT(cause != NULL);
	free(cause);
	machine_destroy(m);
}

int main(void)
{
	RUN(unmovable_claims_a_whole_block_first);
	RUN(claim_fails_then_steal_takes_the_smallest);
	RUN(legacy_fallback_splits_the_largest);
	RUN(claim_of_a_mostly_free_block_changes_it);
	RUN(grouping_off_makes_everything_unmovable);
	RUN(atomic_high_order_reserves_a_highatomic_block);
	RUN(kswapd_balanced_node_is_not_woken);
	RUN(memory_policies);
	return tap_done();
}
