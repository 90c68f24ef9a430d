/*
 * test-buddy.c - the buddy allocator: split and merge sequences,
 * alignment, freeing everything restores the max-order blocks, holes and
 * zone boundaries, fallback across zones and nodes, watermarks.
 *
 * Machines are built from hand-made configs, so these tests do not
 * depend on the config reader.
 */
#include <stdlib.h>
#include <string.h>

#include "mkmachine.h"
#include "tap.h"

static uint64_t nr_free(const struct zone *z, unsigned o)
{
	return z->free_area[o].nr_free;
}

static uint64_t alloc(struct machine *m, unsigned order, gfp_t gfp, int node)
{
	struct alloc_request req = { .order = order, .gfp = gfp,
	    .preferred_node = node, .migratetype = -1 };
	struct alloc_result res;
	char *cause = NULL;

	if (page_alloc(m, &req, &res, &cause) != 0) {
		free(cause);
		return OP_PFN_NONE - 1;
	}
	return res.pfn;
}

static void release(struct machine *m, uint64_t pfn, unsigned order)
{
	struct alloc_result res;

	page_free(m, pfn, order, 0, &res);
}

TEST(boot_hands_over_max_order_blocks)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m;
	struct zone *z;

	/* 64 MiB, DMA 16 MiB, the rest DMA32: 4 MiB blocks at order 10 */
	mk_config_nopcp(&cfg, nodes, 1, 64 * MiB, 16 * MiB, 48 * MiB);
	m = machine_create(&cfg, NULL);
	ASSERT(m != NULL);
	ASSERT_EQ(m->nr_zones, 2);
	z = m->zones[0];
	ASSERT_EQ(z->type, ZONE_DMA);
	ASSERT_UEQ(nr_free(z, 10), 4);
	ASSERT_UEQ(z->free_pages, 4096);
	ASSERT_UEQ(nr_free(m->zones[1], 10), 12);
	ASSERT_EQ(buddy_check_frames(m, NULL), 0);
	machine_destroy(m);
}

TEST(split_sequence_and_alignment)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m;
	struct zone *z;
	uint64_t a, b, c;
	unsigned o;

	mk_config_nopcp(&cfg, nodes, 1, 16 * MiB, 0, 16 * MiB);
	m = machine_create(&cfg, NULL);
	ASSERT(m != NULL);
	z = m->zones[0];
	ASSERT_UEQ(nr_free(z, 10), 4);
	/* an order-0 page splits one order-10 block: one free block of
	 * each order 0..9 is left behind */
	a = alloc(m, 0, GFP_KERNEL, 0);
	ASSERT(a != OP_PFN_NONE);
	ASSERT_UEQ(nr_free(z, 10), 3);
	for (o = 0; o < 10; o++)
		ASSERT_UEQ(nr_free(z, o), 1);
	/* the next order-0 page is a's buddy */
	b = alloc(m, 0, GFP_KERNEL, 0);
	ASSERT_UEQ(b, a ^ 1);
	ASSERT_UEQ(nr_free(z, 0), 0);
	/* an order-3 block comes from the order-3 list, aligned */
	c = alloc(m, 3, GFP_KERNEL, 0);
	ASSERT_UEQ(c & 7, 0);
	ASSERT_UEQ(nr_free(z, 3), 0);
	ASSERT_EQ(buddy_check(m, NULL), 0);
	machine_destroy(m);
}

TEST(merge_restores_max_order_blocks)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m;
	struct zone *z;
	uint64_t pfns[600];
	unsigned orders[600];
	int i;

	mk_config_nopcp(&cfg, nodes, 1, 32 * MiB, 0, 32 * MiB);
	cfg.min_free_kbytes = 128;
	m = machine_create(&cfg, NULL);
	ASSERT(m != NULL);
	z = m->zones[0];
	for (i = 0; i < 600; i++) {
		orders[i] = (unsigned)((i * 7) % 5);
		pfns[i] = alloc(m, orders[i], i % 3 ? GFP_KERNEL :
		    GFP_KERNEL | GFP_BIT_MOVABLE, 0);
		ASSERT(pfns[i] != OP_PFN_NONE);
		ASSERT_UEQ(pfns[i] & ((UINT64_C(1) << orders[i]) - 1), 0);
	}
	ASSERT(nr_free(z, 10) < 8);
	ASSERT_EQ(buddy_check_frames(m, NULL), 0);
	/* free in an interleaved order */
	for (i = 0; i < 600; i += 2)
		release(m, pfns[i], orders[i]);
	ASSERT_EQ(buddy_check_frames(m, NULL), 0);
	for (i = 1; i < 600; i += 2)
		release(m, pfns[i], orders[i]);
	ASSERT_EQ(buddy_check_frames(m, NULL), 0);
	ASSERT_UEQ(nr_free(z, 10), 8);
	ASSERT_UEQ(z->free_pages, 8192);
	for (i = 0; i < 10; i++)
		ASSERT_UEQ(nr_free(z, (unsigned)i), 0);
	machine_destroy(m);
}

TEST(no_block_spans_a_zone_boundary_or_hole)
{
	struct config cfg;
	struct config_node nodes[1];
	struct config_range hole = { 40 * MiB, 4 * MiB, { NULL, 0, 0 } };
	struct machine *m;

	/* DMA ends at 6 MiB, inside what would be an order-10 block; a
	 * 4 MiB hole sits at 40 MiB. */
	mk_config_nopcp(&cfg, nodes, 1, 64 * MiB, 6 * MiB, 62 * MiB);
	nodes[0].span = 68 * MiB;
	nodes[0].zone_size[ZONE_NORMAL] = 0;
	nodes[0].holes = &hole;
	nodes[0].nr_holes = 1;
	m = machine_create(&cfg, NULL);
	ASSERT(m != NULL);
	/* DMA: [0, 6M) = one 4 MiB block + one 2 MiB block */
	ASSERT_UEQ(nr_free(m->zones[0], 10), 1);
	ASSERT_UEQ(nr_free(m->zones[0], 9), 1);
	ASSERT_UEQ(m->zones[0]->free_pages, 1536);
	/* DMA32: [6M, 68M) less the 4 MiB hole: 58 MiB */
	ASSERT_UEQ(m->zones[1]->present_pages, 14848);
	ASSERT_UEQ(m->zones[1]->free_pages, 14848);
	ASSERT(machine_pfn_zone(m, (40 * MiB) >> 12) == NULL);
	ASSERT_EQ(buddy_check_frames(m, NULL), 0);
	machine_destroy(m);
}

TEST(zone_fallback_then_failure)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m;
	uint64_t pfn;
	int i, dma32 = 0, dma = 0, failed = 0;

	mk_config_nopcp(&cfg, nodes, 1, 16 * MiB, 4 * MiB, 12 * MiB);
	m = machine_create(&cfg, NULL);
	ASSERT(m != NULL);
	/* GFP_KERNEL may use DMA32 then DMA; order-10 blocks until none */
	for (i = 0; i < 8; i++) {
		pfn = alloc(m, 10, GFP_KERNEL, 0);
		if (pfn == OP_PFN_NONE)
			failed++;
		else if (machine_pfn_zone(m, pfn)->type == ZONE_DMA32)
			dma32++;
		else
			dma++;
		if (pfn != OP_PFN_NONE && dma == 1)
			ASSERT(dma32 > 0);	/* the higher zone first */
	}
	/* Watermarks keep the last blocks: the min watermark is above 0 */
	ASSERT(dma32 >= 1 && dma32 <= 3);
	ASSERT(failed >= 1);
	/* GFP_DMA never leaves ZONE_DMA */
	pfn = alloc(m, 0, GFP_KERNEL | GFP_BIT_DMA, 0);
	ASSERT(pfn != OP_PFN_NONE);
	ASSERT_EQ(machine_pfn_zone(m, pfn)->type, ZONE_DMA);
	ASSERT_EQ(buddy_check(m, NULL), 0);
	machine_destroy(m);
}

TEST(node_fallback_by_distance_and_thisnode)
{
	struct config cfg;
	struct config_node nodes[2];
	struct machine *m;
	uint64_t pfn;
	int i, remote = 0, local = 0;

	mk_config_nopcp(&cfg, nodes, 2, 16 * MiB, 0, 16 * MiB);
	m = machine_create(&cfg, NULL);
	ASSERT(m != NULL);
	ASSERT_EQ(m->nodes[0].nr_zonelist, 2);
	ASSERT_EQ(m->zones[m->nodes[0].zonelist[0]]->node, 0);
	ASSERT_EQ(m->zones[m->nodes[1].zonelist[0]]->node, 1);
	for (i = 0; i < 6; i++) {
		pfn = alloc(m, 10, GFP_KERNEL, 0);
		ASSERT(pfn != OP_PFN_NONE);
		if (machine_pfn_zone(m, pfn)->node == 0)
			local++;
		else
			remote++;
	}
	ASSERT(local >= 2 && remote >= 2);
	/* __GFP_THISNODE: node 0 is exhausted at order 10 */
	pfn = alloc(m, 10, GFP_KERNEL | GFP_BIT_THISNODE, 0);
	ASSERT(pfn == OP_PFN_NONE);
	machine_destroy(m);
}

TEST(watermarks_follow_the_kernel_formula)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m;
	struct zone *z;

	/* Mirror a real zone: DMA32 managed 772918 pages in a machine with
	 * min_free_kbytes 67584, lowmem 6171024 pages: min 2116, low 2888,
	 * high 3660, promo 4432 as /proc/zoneinfo printed. Here the zone
	 * is alone, so lowmem is the zone itself. */
	mk_config_nopcp(&cfg, nodes, 1, 1024 * MiB, 0, 1024 * MiB);
	cfg.min_free_kbytes = 4096;
	m = machine_create(&cfg, NULL);
	ASSERT(m != NULL);
	z = m->zones[0];
	/* pages_min = 4096 KiB / 4 = 1024; tmp = max(1024/4,
	 * 262144*10/10000 = 262) = 262 */
	ASSERT_UEQ(z->watermark[WMARK_MIN], 1024);
	ASSERT_UEQ(z->watermark[WMARK_LOW], 1024 + 262);
	ASSERT_UEQ(z->watermark[WMARK_HIGH], 1024 + 2 * 262);
	ASSERT_UEQ(z->watermark[WMARK_PROMO], 1024 + 3 * 262);
	machine_destroy(m);
}

TEST(default_min_free_kbytes_like_thp_kernels)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m;

	/* 1 GiB, two lowmem zones: sqrt(1048576 * 16) = 4096 KiB, but the
	 * THP recommendation is 512 * 2 * 2 + 512 * 2 * 9 = 11264 pages,
	 * capped at lowmem / 20 = 13107 pages: 45056 KiB */
	mk_config_nopcp(&cfg, nodes, 1, 1024 * MiB, 16 * MiB, 1008 * MiB);
	cfg.min_free_kbytes = 0;
	m = machine_create(&cfg, NULL);
	ASSERT(m != NULL);
	ASSERT_UEQ(m->min_free_kbytes, 45056);
	machine_destroy(m);
}

TEST(unmovable_claims_a_movable_pageblock)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m;
	uint64_t pfn;

	mk_config_nopcp(&cfg, nodes, 1, 16 * MiB, 0, 16 * MiB);
	m = machine_create(&cfg, NULL);
	ASSERT(m != NULL);
	/* boot leaves every pageblock movable: an unmovable page must come
	 * from a fallback, claiming the whole order-10 block it splits */
	ASSERT_EQ(m->pageblock_mt[0], MIGRATE_MOVABLE);
	pfn = alloc(m, 0, GFP_KERNEL, 0);
	ASSERT(pfn != OP_PFN_NONE);
	ASSERT_EQ(m->pageblock_mt[pfn >> m->pageblock_order],
	    MIGRATE_UNMOVABLE);
	ASSERT_UEQ(m->zones[0]->free_area[9].nr_free_mt[MIGRATE_UNMOVABLE], 1);
	/* a movable page comes from the movable lists untouched */
	pfn = alloc(m, 0, GFP_KERNEL | GFP_BIT_MOVABLE, 0);
	ASSERT_EQ(m->pageblock_mt[pfn >> m->pageblock_order],
	    MIGRATE_MOVABLE);
	ASSERT_EQ(buddy_check(m, NULL), 0);
	machine_destroy(m);
}

TEST(checker_catches_corruption)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m;
	char *cause = NULL;

	mk_config_nopcp(&cfg, nodes, 1, 16 * MiB, 0, 16 * MiB);
	m = machine_create(&cfg, NULL);
	ASSERT(m != NULL);
	m->zones[0]->free_area[10].nr_free_mt[MIGRATE_MOVABLE]++;
	ASSERT_EQ(buddy_check(m, &cause), -1);
	ASSERT_CONTAINS(cause, "nr_free");
	free(cause);
	m->zones[0]->free_area[10].nr_free_mt[MIGRATE_MOVABLE]--;
	m->zones[0]->free_pages--;
	ASSERT_EQ(buddy_check(m, &cause), -1);
	ASSERT_CONTAINS(cause, "free pages");
	free(cause);
	ASSERT_EQ(buddy_check_around(m, 5, &cause), -1);
	ASSERT_CONTAINS(cause, "free pages counted");
	free(cause);
	m->zones[0]->free_pages++;
	ASSERT_EQ(buddy_check_around(m, 5, NULL), 0);
	/* two free buddies left unmerged */
	alloc(m, 0, GFP_KERNEL | GFP_BIT_MOVABLE, 0);
	{
		uint64_t p = alloc(m, 0, GFP_KERNEL | GFP_BIT_MOVABLE, 0);
		struct page_frame *f = pfn_to_frame(m, p);

		/* forge p as a free order-0 block beside its free buddy
		 * without merging: link it at the head of the list */
		f->flags = PF_BUDDY;
		f->order = 0;
		f->migratetype = MIGRATE_MOVABLE;
		f->prev = PFN_NONE;
		f->next = m->zones[0]->free_area[0].free_list[MIGRATE_MOVABLE];
		ASSERT_EQ(buddy_check_around(m, p, &cause), -1);
		ASSERT_CONTAINS(cause, "linked");
		free(cause);
	}
	machine_destroy(m);
}

TEST(invalid_requests_are_refused)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m;
	struct alloc_request req = { .order = 11, .gfp = GFP_KERNEL,
	    .migratetype = -1 };
	struct alloc_result res;
	char *cause = NULL;

	mk_config_nopcp(&cfg, nodes, 1, 16 * MiB, 0, 16 * MiB);
	m = machine_create(&cfg, NULL);
	ASSERT(m != NULL);
	ASSERT_EQ(page_alloc(m, &req, &res, &cause), -1);
	ASSERT_CONTAINS(cause, "max_order 10");
	free(cause);
	req.order = 0;
	req.gfp = GFP_BIT_DMA | GFP_BIT_HIGHMEM;
	ASSERT_EQ(page_alloc(m, &req, &res, &cause), -1);
	ASSERT_CONTAINS(cause, "more than one zone");
	free(cause);
	req.gfp = GFP_KERNEL;
	req.preferred_node = 3;
	ASSERT_EQ(page_alloc(m, &req, &res, &cause), -1);
	ASSERT_CONTAINS(cause, "node 3 does not exist");
	free(cause);
	machine_destroy(m);
}

int main(void)
{
	RUN(boot_hands_over_max_order_blocks);
	RUN(split_sequence_and_alignment);
	RUN(merge_restores_max_order_blocks);
	RUN(no_block_spans_a_zone_boundary_or_hole);
	RUN(zone_fallback_then_failure);
	RUN(node_fallback_by_distance_and_thisnode);
	RUN(watermarks_follow_the_kernel_formula);
	RUN(default_min_free_kbytes_like_thp_kernels);
	RUN(unmovable_claims_a_movable_pageblock);
	RUN(checker_catches_corruption);
	RUN(invalid_requests_are_refused);
	return tap_done();
}
