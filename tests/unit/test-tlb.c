/*
 * test-tlb.c - the TLB model: hit and miss counts of loops worked out from
 * the presets' geometry (sequential pages spread evenly over the sets, so
 * a loop fits a level exactly when pages / sets <= ways, and with LRU
 * misses on every access when it does not), walks shortened by the
 * paging-structure caches, the direct map's page sizes, the kernel's
 * range-flush ceiling and shoot-downs.
 */
#include "tap.h"
#include "mm/tlb.h"

#define KiB (UINT64_C(1) << 10)
#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)

static struct tlb *mk(const char *preset, int nr_cpus, struct tlb_config *cfg)
{
	if (tlb_preset(preset, cfg, NULL) != 0)
		return NULL;
	cfg->direct_map_bytes = 8 * GiB;
	return tlb_create(nr_cpus, cfg);
}

/* Touch n pages of 1 << shift from base, stride one page, on cpu. */
static void loop(struct tlb *t, int cpu, uint64_t base, uint64_t n,
    unsigned shift)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		tlb_access(t, cpu, base + (i << shift), shift, false, NULL);
}

/* Golden Cove's L1 4K array: 96 entries, 6 ways, 16 sets. */
TEST(fits_l1)
{
	struct tlb_config cfg;
	struct tlb *t = mk("intel-spr", 1, &cfg);
	uint64_t va = tlb_vmalloc_start(&cfg);
	struct tlb_stats st;

	ASSERT(t != NULL);
	loop(t, 0, va, 96, 12);
	tlb_get_stats(t, 0, &st);
	ASSERT_UEQ(st.misses[TLB_L1][TLB_4K], 96);
	ASSERT_UEQ(st.hits[TLB_L1][TLB_4K], 0);
	ASSERT_UEQ(st.walks[TLB_4K], 96);
	loop(t, 0, va, 96, 12);
	loop(t, 0, va, 96, 12);
	tlb_get_stats(t, 0, &st);
	ASSERT_UEQ(st.misses[TLB_L1][TLB_4K], 96);
	ASSERT_UEQ(st.hits[TLB_L1][TLB_4K], 192);
	ASSERT_UEQ(st.walks[TLB_4K], 96);
	ASSERT_UEQ(st.accesses, 288);
	/* page_shift 0: vmalloc space is 4K */
	ASSERT_EQ(tlb_access(t, 0, va + 5 * 4096 + 17, 0, true, NULL),
	    TLB_HIT_L1);
	tlb_destroy(t);
}

/*
 * 128 pages: 8 per L1 set of 6 ways, so LRU evicts each page just before
 * its next use; the STLB (128 sets of 16) holds one per set.
 */
TEST(thrash_l1_hit_stlb)
{
	struct tlb_config cfg;
	struct tlb *t = mk("intel-spr", 1, &cfg);
	uint64_t va = tlb_vmalloc_start(&cfg);
	struct tlb_stats st;
	struct tlb_result res;

	ASSERT(t != NULL);
	loop(t, 0, va, 128, 12);
	tlb_get_stats(t, 0, &st);
	ASSERT_UEQ(st.walks[TLB_4K], 128);
	loop(t, 0, va, 128, 12);
	loop(t, 0, va, 128, 12);
	tlb_get_stats(t, 0, &st);
	ASSERT_UEQ(st.hits[TLB_L1][TLB_4K], 0);
	ASSERT_UEQ(st.misses[TLB_L1][TLB_4K], 3 * 128);
	ASSERT_UEQ(st.hits[TLB_L2][TLB_4K], 2 * 128);
	ASSERT_UEQ(st.walks[TLB_4K], 128);
	/* an STLB hit costs the two lookups */
	ASSERT_EQ(tlb_access(t, 0, va, 12, false, &res), TLB_HIT_L2);
	ASSERT_UEQ(res.cycles, cfg.cost_l1_hit + cfg.cost_l2_hit);
	tlb_destroy(t);
}

/*
 * 4096 pages: 32 per STLB set of 16 ways, so every access walks.  The
 * 16 MiB lie in 8 page tables of one 1G region: after the first walk of
 * each 2M region the PDE cache (32 entries) holds its PDE and the walk
 * reads the PTE only.
 */
TEST(beyond_stlb_walks)
{
	struct tlb_config cfg;
	struct tlb *t = mk("intel-spr", 1, &cfg);
	uint64_t va = tlb_vmalloc_start(&cfg);
	struct tlb_stats st;
	struct tlb_result res;

	ASSERT(t != NULL);
	ASSERT_UEQ(va & (GiB - 1), 0);
	loop(t, 0, va, 4096, 12);
	tlb_get_stats(t, 0, &st);
	ASSERT_UEQ(st.walks[TLB_4K], 4096);
	/* cold: PML4E, PDPTE, PDE, PTE; each new 2M region: the PDPTE
	 * cache hits, PDE and PTE read; the rest: the PTE only */
	ASSERT_UEQ(st.walk_refs, 4 + 7 * 2 + (4096 - 8));
	ASSERT_UEQ(st.psc_hits[TLB_PSC_PDE], 4096 - 8);
	ASSERT_UEQ(st.psc_hits[TLB_PSC_PDPTE], 7);
	ASSERT_UEQ(st.walk_cycles, st.walk_refs * cfg.cost_walk_ref);
	tlb_reset_stats(t);
	loop(t, 0, va, 4096, 12);
	tlb_get_stats(t, 0, &st);
	ASSERT_UEQ(st.hits[TLB_L1][TLB_4K] + st.hits[TLB_L2][TLB_4K], 0);
	ASSERT_UEQ(st.walks[TLB_4K], 4096);
	ASSERT_UEQ(st.walk_refs, 4096);
	ASSERT_EQ(tlb_access(t, 0, va, 12, false, &res), TLB_WALK);
	ASSERT_EQ(res.walk_refs, 1);
	ASSERT_UEQ(res.cycles, cfg.cost_l1_hit + cfg.cost_l2_hit +
	    cfg.cost_walk_ref);
	tlb_destroy(t);
}

/* 64 MiB touched at every 4K: as 2M pages, 32 entries (the L1 2M array,
 * 8 sets of 4) cover it, 512 pages each; as 4K pages nothing holds. */
TEST(huge_pages_reach)
{
	struct tlb_config cfg;
	struct tlb *t = mk("intel-spr", 1, &cfg);
	uint64_t va = tlb_vmalloc_start(&cfg), i;
	struct tlb_stats st;

	ASSERT(t != NULL);
	for (i = 0; i < 64 * MiB; i += 4096)
		tlb_access(t, 0, va + i, 21, false, NULL);
	tlb_get_stats(t, 0, &st);
	ASSERT_UEQ(st.misses[TLB_L1][TLB_2M], 32);
	ASSERT_UEQ(st.walks[TLB_2M], 32);
	ASSERT_UEQ(st.hits[TLB_L1][TLB_2M], 16384 - 32);
	/* the second pass: all hits */
	for (i = 0; i < 64 * MiB; i += 4096)
		tlb_access(t, 0, va + i, 21, false, NULL);
	tlb_get_stats(t, 0, &st);
	ASSERT_UEQ(st.misses[TLB_L1][TLB_2M], 32);
	tlb_destroy(t);

	t = mk("intel-spr", 1, &cfg);
	ASSERT(t != NULL);
	for (i = 0; i < 2 * 64 * MiB; i += 4096)
		tlb_access(t, 0, va + i, 12, false, NULL);
	tlb_get_stats(t, 0, &st);
	ASSERT_UEQ(st.misses[TLB_L1][TLB_4K], 2 * 16384);
	ASSERT_UEQ(st.walks[TLB_4K], 2 * 16384);
	tlb_destroy(t);
}

TEST(direct_map_layout)
{
	struct tlb_config cfg;
	uint64_t off;

	ASSERT_EQ(tlb_preset("intel-spr", &cfg, NULL), 0);
	cfg.direct_map_bytes = 4 * GiB + 2 * MiB + 8 * KiB;
	off = tlb_page_offset(&cfg);
	ASSERT_UEQ(off, UINT64_C(0xffff888000000000));
	ASSERT_EQ(tlb_kernel_page_shift(&cfg, off, false), 30);
	ASSERT_EQ(tlb_kernel_page_shift(&cfg, off + 4 * GiB - 1, false), 30);
	ASSERT_EQ(tlb_kernel_page_shift(&cfg, off + 4 * GiB, false), 21);
	ASSERT_EQ(tlb_kernel_page_shift(&cfg, off + 4 * GiB + 2 * MiB,
	    false), 12);
	/* past RAM and outside vmalloc: 4K */
	ASSERT_EQ(tlb_kernel_page_shift(&cfg, off + 5 * GiB, false), 12);
	ASSERT_EQ(tlb_kernel_page_shift(&cfg, tlb_vmalloc_start(&cfg), false),
	    12);
	ASSERT_EQ(tlb_kernel_page_shift(&cfg, tlb_vmalloc_start(&cfg), true),
	    21);
	/* no gbpages: 2M all the way */
	cfg.gbpages = false;
	ASSERT_EQ(tlb_kernel_page_shift(&cfg, off, false), 21);
	/* 5-level paging moves the direct map */
	cfg.paging_levels = 5;
	ASSERT_UEQ(tlb_page_offset(&cfg), UINT64_C(0xff11000000000000));
	ASSERT_EQ(tlb_kernel_page_shift(&cfg, off, false), 12);
}

/*
 * 4 GiB of the direct map touched every 2M: four 1G entries, a walk
 * each, the first reading PML4E and PDPTE, the others only the PDPTE
 * (the 4 GiB share one PML4E).
 */
TEST(direct_map_gbpages)
{
	struct tlb_config cfg;
	struct tlb *t = mk("intel-spr", 1, &cfg);
	uint64_t off = tlb_page_offset(&cfg), i;
	struct tlb_stats st;

	ASSERT(t != NULL);
	for (i = 0; i < 4 * GiB; i += 2 * MiB)
		tlb_access(t, 0, off + i, 0, false, NULL);
	tlb_get_stats(t, 0, &st);
	ASSERT_UEQ(st.walks[TLB_1G], 4);
	ASSERT_UEQ(st.misses[TLB_L1][TLB_1G], 4);
	ASSERT_UEQ(st.hits[TLB_L1][TLB_1G], 2048 - 4);
	ASSERT_UEQ(st.walk_refs, 2 + 3);
	ASSERT_UEQ(st.walks[TLB_4K] + st.walks[TLB_2M], 0);
	/* an INVLPG anywhere in a 1G page drops its entry */
	tlb_flush_page(t, 0, off + GiB + 5 * MiB, NULL);
	ASSERT(!tlb_probe(t, 0, off + GiB, 30, TLB_L1));
	ASSERT(!tlb_probe(t, 0, off + GiB, 30, TLB_L2));
	ASSERT(tlb_probe(t, 0, off, 30, TLB_L1));
	tlb_destroy(t);

	/* Zen 4's L2 keeps a 1G translation as the 2M entry used */
	t = mk("amd-zen4", 1, &cfg);
	ASSERT(t != NULL);
	ASSERT_EQ(tlb_access(t, 0, off + 6 * MiB, 0, false, NULL), TLB_WALK);
	ASSERT(tlb_probe(t, 0, off + 6 * MiB, 30, TLB_L1));
	ASSERT(tlb_probe(t, 0, off, 30, TLB_L1));
	ASSERT(tlb_probe(t, 0, off + 7 * MiB, 30, TLB_L2));
	ASSERT(!tlb_probe(t, 0, off, 30, TLB_L2));
	tlb_destroy(t);
}

/* 33 pages (the ceiling) are INVLPGed one by one; 34 flush everything. */
TEST(range_flush_ceiling)
{
	struct tlb_config cfg;
	struct tlb *t = mk("intel-spr", 1, &cfg);
	uint64_t va = tlb_vmalloc_start(&cfg);
	struct tlb_result res;
	struct tlb_stats st;

	ASSERT(t != NULL);
	ASSERT_EQ(cfg.flush_ceiling, 33);
	loop(t, 0, va, 64, 12);
	tlb_flush_range(t, 0, va, va + 33 * 4096, &res);
	ASSERT(!res.full_flush);
	ASSERT_EQ(res.invlpgs, 33);
	ASSERT_UEQ(res.cycles, 33 * cfg.cost_invlpg);
	ASSERT(!tlb_probe(t, 0, va, 12, TLB_L1));
	ASSERT(!tlb_probe(t, 0, va + 32 * 4096, 12, TLB_L1));
	ASSERT(!tlb_probe(t, 0, va + 32 * 4096, 12, TLB_L2));
	ASSERT(tlb_probe(t, 0, va + 33 * 4096, 12, TLB_L1));
	ASSERT(tlb_probe(t, 0, va + 63 * 4096, 12, TLB_L2));
	/* the flushed pages walk again, the others hit */
	ASSERT_EQ(tlb_access(t, 0, va, 12, false, NULL), TLB_WALK);
	ASSERT_EQ(tlb_access(t, 0, va + 40 * 4096, 12, false, NULL),
	    TLB_HIT_L1);

	tlb_flush_range(t, 0, va, va + 34 * 4096, &res);
	ASSERT(res.full_flush);
	ASSERT_EQ(res.invlpgs, 0);
	ASSERT_UEQ(res.cycles, cfg.cost_flush_all);
	ASSERT(!tlb_probe(t, 0, va + 63 * 4096, 12, TLB_L1));
	ASSERT(!tlb_probe(t, 0, va + 63 * 4096, 12, TLB_L2));
	/* the paging-structure caches went too: a cold 4-read walk */
	ASSERT_EQ(tlb_access(t, 0, va + 63 * 4096, 12, false, &res),
	    TLB_WALK);
	ASSERT_EQ(res.walk_refs, 4);
	tlb_get_stats(t, 0, &st);
	ASSERT_UEQ(st.invlpgs, 33);
	ASSERT_UEQ(st.full_flushes, 1);
	ASSERT_UEQ(st.range_flushes, 2);
	tlb_destroy(t);
}

TEST(shootdown)
{
	struct tlb_config cfg;
	struct tlb *t = mk("intel-spr", 4, &cfg);
	uint64_t va = tlb_vmalloc_start(&cfg), other = va + 100 * 4096;
	struct tlb_result res;
	struct tlb_stats st;
	int cpu;

	ASSERT(t != NULL);
	for (cpu = 0; cpu < 4; cpu++) {
		loop(t, cpu, va, 4, 12);
		tlb_access(t, cpu, other, 12, false, NULL);
	}
	tlb_shootdown(t, 0, va, va + 4 * 4096, &res);
	ASSERT_EQ(res.ipis, 3);
	ASSERT_EQ(res.invlpgs, 4);
	ASSERT(!res.full_flush);
	ASSERT_UEQ(res.cycles, 4 * cfg.cost_invlpg + 3 * cfg.cost_ipi);
	ASSERT_UEQ(res.remote_cycles, 3 * 4 * cfg.cost_invlpg);
	for (cpu = 0; cpu < 4; cpu++) {
		ASSERT(!tlb_probe(t, cpu, va, 12, TLB_L1));
		ASSERT(!tlb_probe(t, cpu, va + 3 * 4096, 12, TLB_L2));
		ASSERT(tlb_probe(t, cpu, other, 12, TLB_L1));
		tlb_get_stats(t, cpu, &st);
		ASSERT_UEQ(st.shootdowns, cpu == 0 ? 1 : 0);
		ASSERT_UEQ(st.shootdowns_received, cpu == 0 ? 0 : 1);
		ASSERT_UEQ(st.ipis_sent, cpu == 0 ? 3 : 0);
		ASSERT_UEQ(st.invlpgs, 4);
	}
	tlb_get_stats(t, -1, &st);
	ASSERT_UEQ(st.ipis_sent, 3);
	ASSERT_UEQ(st.invlpgs, 16);
	/* a whole-space shoot-down: full flushes everywhere */
	tlb_shootdown(t, 2, 0, TLB_FLUSH_ALL, &res);
	ASSERT(res.full_flush);
	ASSERT_EQ(res.ipis, 3);
	ASSERT_UEQ(res.cycles, cfg.cost_flush_all + 3 * cfg.cost_ipi);
	for (cpu = 0; cpu < 4; cpu++)
		ASSERT(!tlb_probe(t, cpu, other, 12, TLB_L1));
	tlb_destroy(t);
}

TEST(presets)
{
	struct tlb_config cfg;
	char *cause = NULL;
	struct cost_model cm;

	ASSERT_EQ(tlb_preset("intel-spr", &cfg, NULL), 0);
	ASSERT_EQ(tlb_config_entries(&cfg, TLB_L1, TLB_4K), 96);
	ASSERT_EQ(cfg.array[TLB_L1][0].ways, 6);
	ASSERT_EQ(tlb_config_entries(&cfg, TLB_L1, TLB_2M), 32);
	ASSERT_EQ(cfg.array[TLB_L1][1].ways, 4);
	ASSERT_EQ(tlb_config_entries(&cfg, TLB_L1, TLB_1G), 8);
	ASSERT_EQ(tlb_config_entries(&cfg, TLB_L2, TLB_4K), 2048);
	ASSERT_EQ(tlb_config_entries(&cfg, TLB_L2, TLB_2M), 2048);
	ASSERT_EQ(cfg.array[TLB_L2][0].ways, 16);
	ASSERT_EQ(tlb_config_entries(&cfg, TLB_L2, TLB_1G), 1024);
	ASSERT_EQ(cfg.paging_levels, 4);
	ASSERT_UEQ(cfg.cost_ipi, cost_table[COST_TLB_IPI].def);

	ASSERT_EQ(tlb_preset("amd-zen4", &cfg, NULL), 0);
	ASSERT_EQ(tlb_config_entries(&cfg, TLB_L1, TLB_4K), 72);
	ASSERT_EQ(tlb_config_entries(&cfg, TLB_L1, TLB_2M), 72);
	ASSERT_EQ(tlb_config_entries(&cfg, TLB_L1, TLB_1G), 72);
	ASSERT_EQ(cfg.array[TLB_L1][0].ways, 72);
	ASSERT_EQ(tlb_config_entries(&cfg, TLB_L2, TLB_4K), 3072);
	ASSERT_EQ(tlb_config_entries(&cfg, TLB_L2, TLB_2M), 3072);
	ASSERT_EQ(cfg.array[TLB_L2][0].ways, 12);
	ASSERT_EQ(tlb_config_entries(&cfg, TLB_L2, TLB_1G), 0);
	ASSERT(cfg.l2_smash_1g);

	ASSERT_EQ(tlb_preset("generic", &cfg, NULL), 0);
	ASSERT_EQ(tlb_config_check(&cfg, NULL), 0);
	ASSERT_EQ(tlb_preset("pentium", &cfg, &cause), -1);
	ASSERT_CONTAINS(cause, "unknown TLB preset");
	free(cause);

	/* a machine's overridden costs */
	cost_model_init(&cm);
	cm.c[COST_TLB_WALK_REF] = 77;
	tlb_config_set_costs(&cfg, &cm);
	ASSERT_UEQ(cfg.cost_walk_ref, 77);

	/* bad geometry is refused */
	cfg.array[TLB_L1][0].ways = 5;	/* 64 entries */
	ASSERT(tlb_create(1, &cfg) == NULL);
	ASSERT_EQ(tlb_config_check(&cfg, &cause), -1);
	ASSERT_CONTAINS(cause, "not a multiple");
	free(cause);
}

/* Zen 4: the unified, fully associative L1 holds 72 of any size; the
 * 73rd translation evicts the least recently used. */
TEST(zen4_unified_l1)
{
	struct tlb_config cfg;
	struct tlb *t = mk("amd-zen4", 1, &cfg);
	uint64_t va = tlb_vmalloc_start(&cfg), off = tlb_page_offset(&cfg);
	struct tlb_stats st;

	ASSERT(t != NULL);
	loop(t, 0, va, 70, 12);
	tlb_access(t, 0, off, 30, false, NULL);
	tlb_access(t, 0, va + 512 * 4096, 21, false, NULL);
	loop(t, 0, va, 70, 12);
	tlb_get_stats(t, 0, &st);
	ASSERT_UEQ(st.hits[TLB_L1][TLB_4K], 70);
	/* one more: the 2M entry, the least recently used, goes */
	tlb_access(t, 0, off, 30, false, NULL);
	tlb_access(t, 0, va + 2 * MiB + 512 * 4096, 21, false, NULL);
	ASSERT(tlb_probe(t, 0, va + 512 * 4096, 21, TLB_L1) == false);
	ASSERT(tlb_probe(t, 0, va, 12, TLB_L1));
	ASSERT(tlb_probe(t, 0, va + 512 * 4096, 21, TLB_L2));
	tlb_destroy(t);
}

/* 5-level paging: a cold walk reads five entries. */
TEST(five_level_walk)
{
	struct tlb_config cfg;
	struct tlb *t;
	struct tlb_result res;

	ASSERT_EQ(tlb_preset("generic", &cfg, NULL), 0);
	cfg.paging_levels = 5;
	t = tlb_create(1, &cfg);
	ASSERT(t != NULL);
	tlb_access(t, 0, tlb_vmalloc_start(&cfg), 0, false, &res);
	ASSERT_EQ(res.outcome, TLB_WALK);
	ASSERT_EQ(res.walk_refs, 5);
	/* the next page: the PDE cache */
	tlb_access(t, 0, tlb_vmalloc_start(&cfg) + 4096, 0, false, &res);
	ASSERT_EQ(res.walk_refs, 1);
	tlb_destroy(t);
}

int main(void)
{
	RUN(fits_l1);
	RUN(thrash_l1_hit_stlb);
	RUN(beyond_stlb_walks);
	RUN(huge_pages_reach);
	RUN(direct_map_layout);
	RUN(direct_map_gbpages);
	RUN(range_flush_ceiling);
	RUN(shootdown);
	RUN(presets);
	RUN(zen4_unified_l1);
	RUN(five_level_walk);
	return tap_done();
}
