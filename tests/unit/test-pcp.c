/*
 * test-pcp.c - the per-cpu page lists: batch and high as the kernel
 * computes them for given zone sizes (checked against values a 6.18
 * kernel printed in /proc/zoneinfo), refills in batches, drains above
 * high, drain_all_pages().
 */
#include "mkmachine.h"
#include "tap.h"

/* A zone with the given managed pages and low watermark, re-tuned. */
static void retune(struct machine *m, struct zone *z, uint64_t managed,
    uint64_t low)
{
	z->managed_pages = managed;
	z->watermark[WMARK_LOW] = low;
	pcp_setup(m);
}

TEST(batch_and_high_like_the_kernel)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m;
	struct zone *z;

	mk_config(&cfg, nodes, 1, 64 * MiB, 0, 0);
	m = machine_create(&cfg, NULL);
	ASSERT(m != NULL);
	z = m->zones[0];
	ASSERT(z->pcp != NULL);
	/* A 6.18 kernel on 2 CPUs, one node, printed for its zones:
	 * DMA (managed 3840, low 13): batch 1, high 0 (never used);
	 * DMA32 (managed 772915, low 2888): batch 63, high 1444;
	 * Normal (managed 5394266, low 20163): batch 63, high 10081 on
	 * the CPU that had not grown it. */
	retune(m, z, 3840, 13);
	ASSERT_EQ(z->pcp[0].batch, 1);
	ASSERT_EQ(z->pcp[0].high, 0);
	ASSERT_EQ(z->pcp[0].high_min, 6);
	retune(m, z, 772915, 2888);
	ASSERT_EQ(z->pcp[0].batch, 63);
	ASSERT_EQ(z->pcp[1].high_min, 1444);
	/* high_max: managed / MIN_PERCPU_PAGELIST_HIGH_FRACTION per CPU */
	ASSERT_EQ(z->pcp[1].high_max, 772915 / 8 / 2);
	retune(m, z, 5394266, 20163);
	ASSERT_EQ(z->pcp[0].batch, 63);
	ASSERT_EQ(z->pcp[0].high_min, 10081);
	/* batch is capped at 1 MiB worth of pages, before the 2^n - 1 */
	retune(m, z, UINT64_C(1) << 30, 100000);
	ASSERT_EQ(z->pcp[0].batch, 63);
	/* a tiny zone: at least 4 batches of high */
	retune(m, z, 16384, 2);
	ASSERT_EQ(z->pcp[0].batch, 3);
	ASSERT_EQ(z->pcp[0].high_min, 12);
	machine_destroy(m);

	/* percpu_pagelist_high_fraction pins high_min = high_max */
	mk_config(&cfg, nodes, 1, 64 * MiB, 0, 0);
	cfg.percpu_pagelist_high_fraction = 8;
	m = machine_create(&cfg, NULL);
	ASSERT(m != NULL);
	z = m->zones[0];
	retune(m, z, 772915, 2888);
	ASSERT_EQ(z->pcp[0].high_min, 772915 / 8 / 2);
	ASSERT_EQ(z->pcp[0].high_max, z->pcp[0].high_min);
	machine_destroy(m);
}

TEST(refill_takes_a_batch_and_grows)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m;
	struct zone *z;
	struct per_cpu_pages *pcp;
	uint64_t free0, p;
	int batch;

	mk_config(&cfg, nodes, 1, 1024 * MiB, 0, 0);
	m = machine_create(&cfg, NULL);
	ASSERT(m != NULL);
	z = m->zones[0];
	pcp = &z->pcp[0];
	batch = pcp->batch;
	ASSERT_EQ(batch, 63);
	free0 = z->free_pages;
	p = mk_alloc(m, 0, GFP_KERNEL, 0, NULL);
	ASSERT(p != OP_PFN_NONE);
	/* one batch left the buddy; one page of it was handed out */
	ASSERT_UEQ(free0 - z->free_pages, (uint64_t)batch);
	ASSERT_EQ(pcp->count, batch - 1);
	ASSERT_UEQ(z->pcp_pages, (uint64_t)batch - 1);
	ASSERT_EQ(pcp->alloc_factor, 1);
	/* the next batch-1 come off the list without touching the buddy */
	for (int i = 0; i < batch - 1; i++)
		ASSERT(mk_alloc(m, 0, GFP_KERNEL, 0, NULL) != OP_PFN_NONE);
	ASSERT_UEQ(free0 - z->free_pages, (uint64_t)batch);
	ASSERT_EQ(pcp->count, 0);
	/* consecutive refills without a free double the batch */
	ASSERT(mk_alloc(m, 0, GFP_KERNEL, 0, NULL) != OP_PFN_NONE);
	ASSERT_EQ(pcp->count, 2 * batch - 1);
	ASSERT_UEQ(m->vm_events[PCP_REFILL], 2);
	/* another CPU's list is its own */
	ASSERT_EQ(z->pcp[1].count, 0);
	ASSERT_EQ(buddy_check(m, NULL), 0);
	machine_destroy(m);
}

TEST(frees_drain_above_high)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m;
	struct zone *z;
	struct per_cpu_pages *pcp;
	uint64_t *pfns, free0;
	int i, n = 20000, max_count = 0;

	mk_config(&cfg, nodes, 1, 1024 * MiB, 0, 0);
	m = machine_create(&cfg, NULL);
	ASSERT(m != NULL);
	z = m->zones[0];
	pcp = &z->pcp[0];
	free0 = z->free_pages;
	pfns = calloc((size_t)n, sizeof *pfns);
	for (i = 0; i < n; i++) {
		pfns[i] = mk_alloc(m, 0, GFP_KERNEL, 0, NULL);
		ASSERT(pfns[i] != OP_PFN_NONE);
	}
	for (i = 0; i < n; i++) {
		mk_free(m, pfns[i], 0);
		if (pcp->count > max_count)
			max_count = pcp->count;
		ASSERT(pcp->count <= pcp->high_max);
	}
	/* the list never held more than high allowed, and drained in
	 * batches back to the buddy */
	ASSERT(m->vm_events[PCP_FREE_BULK] > 0);
	ASSERT(max_count <= pcp->high_max);
	ASSERT(pcp->count >= pcp->batch);
	ASSERT_UEQ(z->free_pages + z->pcp_pages, free0);
	/* drain_all_pages() empties every list and the buddy is whole */
	pcp_drain_all(m, NULL, NULL);
	ASSERT_EQ(pcp->count, 0);
	ASSERT_UEQ(z->pcp_pages, 0);
	ASSERT_UEQ(z->free_pages, free0);
	ASSERT_EQ(buddy_check_frames(m, NULL), 0);
	free(pfns);
	machine_destroy(m);
}

TEST(thp_order_uses_its_own_lists)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m;
	struct zone *z;
	uint64_t p;

	mk_config(&cfg, nodes, 1, 1024 * MiB, 0, 0);
	m = machine_create(&cfg, NULL);
	ASSERT(m != NULL);
	z = m->zones[0];
	ASSERT(pcp_allowed_order(m, 0));
	ASSERT(pcp_allowed_order(m, 3));
	ASSERT(!pcp_allowed_order(m, 4));
	ASSERT(pcp_allowed_order(m, m->pageblock_order));
	p = mk_alloc(m, 9, GFP_HIGHUSER_MOVABLE, 0, NULL);
	ASSERT(p != OP_PFN_NONE);
	mk_free(m, p, 9);
	/* the freed THP waits on the movable THP list */
	ASSERT(z->pcp[0].count >= 512);
	ASSERT_UEQ(z->pcp[0].head[NR_LOWORDER_PCP_LISTS + 1], p);
	/* and is handed out again first */
	ASSERT_UEQ(mk_alloc(m, 9, GFP_HIGHUSER_MOVABLE, 0, NULL), p);
	/* an order-4 block never enters a list */
	p = mk_alloc(m, 4, GFP_KERNEL, 0, NULL);
	mk_free(m, p, 4);
	ASSERT(pfn_to_frame(m, p)->flags & PF_BUDDY ||
	    !(pfn_to_frame(m, p)->flags & PF_PCP));
	ASSERT_EQ(buddy_check(m, NULL), 0);
	machine_destroy(m);
}

int main(void)
{
	RUN(batch_and_high_like_the_kernel);
	RUN(refill_takes_a_batch_and_grows);
	RUN(frees_drain_above_high);
	RUN(thp_order_uses_its_own_lists);
	return tap_done();
}
