/*
 * test-highmem.c - a 32-bit x86 machine: the zones machine.arch x86-32
 * derives for 4 GiB, where GFP_KERNEL and GFP_HIGHUSER allocations land,
 * the lowmem reserves protecting Normal and DMA from highmem-capable
 * requests, and the kmap machinery of mm/highmem.c: lowmem kmaps are
 * free, LAST_PKMAP kmaps fill the pool, the next one flushes the unmapped
 * slots or waits, kmap_local nests LIFO up to KM_MAX_IDX - 1.
 */
#include "mm/highmem.h"
#include "mkmachine.h"
#include "tap.h"

#define PAGES(bytes) ((bytes) >> 12)

static const char x86_32_4g[] =
    "machine:\n"
    "  arch: x86-32\n"
    "  nodes:\n"
    "    - memory: 4G\n"
    "      cpus: 0-3\n";

static struct machine *mk32(struct config **cfgp, const char *text)
{
	char *cause = NULL;
	struct config *cfg = config_load_string("t.yaml", text, &cause);
	struct machine *m;

	if (cfg == NULL) {
		printf("# %s\n", cause);
		free(cause);
		return NULL;
	}
	m = machine_create(cfg, &cause);
	if (m == NULL) {
		printf("# %s\n", cause);
		free(cause);
		config_destroy(cfg);
		return NULL;
	}
	*cfgp = cfg;
	return m;
}

static void rm32(struct config *cfg, struct machine *m)
{
	machine_destroy(m);
	config_destroy(cfg);
}

TEST(x86_32_zones_4g)
{
	struct config *cfg = NULL;
	struct machine *m = mk32(&cfg, x86_32_4g);
	struct node *nd;

	ASSERT(m != NULL);
	ASSERT_EQ(cfg->arch, ARCH_X86_32);
	ASSERT_EQ(cfg->page_size, 4096);
	ASSERT_EQ(cfg->max_order, 10);
	ASSERT_EQ(cfg->section_size_bits, 26);
	ASSERT_UEQ(cfg->nodes[0].zone_size[ZONE_DMA], 16 * MiB);
	ASSERT_UEQ(cfg->nodes[0].zone_size[ZONE_DMA32], 0);
	ASSERT_UEQ(cfg->nodes[0].zone_size[ZONE_NORMAL], 880 * MiB);
	ASSERT_UEQ(cfg->nodes[0].zone_size[ZONE_HIGHMEM], 3200 * MiB);
	nd = &m->nodes[0];
	ASSERT_EQ(m->nr_zones, 3);
	ASSERT(!m->has_zone[ZONE_DMA32]);
	ASSERT(m->has_zone[ZONE_HIGHMEM]);
	ASSERT_UEQ(nd->zones[ZONE_DMA].zone_start_pfn, 0);
	ASSERT_UEQ(nd->zones[ZONE_DMA].spanned_pages, PAGES(16 * MiB));
	ASSERT_UEQ(nd->zones[ZONE_NORMAL].zone_start_pfn, PAGES(16 * MiB));
	ASSERT_UEQ(nd->zones[ZONE_NORMAL].spanned_pages, PAGES(880 * MiB));
	ASSERT_UEQ(nd->zones[ZONE_HIGHMEM].zone_start_pfn, PAGES(896 * MiB));
	ASSERT_UEQ(nd->zones[ZONE_HIGHMEM].spanned_pages, PAGES(3200 * MiB));
	ASSERT_UEQ(zone_end_pfn(&nd->zones[ZONE_HIGHMEM]), 0x100000);
	/* setup_per_zone_lowmem_reserve() with ratios 256 (DMA), 32
	 * (Normal): Normal keeps 1/32 of HighMem's pages from highmem-
	 * capable requests, DMA 1/256 of everything above it. */
	ASSERT_UEQ(nd->zones[ZONE_NORMAL].lowmem_reserve[ZONE_HIGHMEM],
	    nd->zones[ZONE_HIGHMEM].managed_pages / 32);
	ASSERT_UEQ(nd->zones[ZONE_NORMAL].lowmem_reserve[ZONE_NORMAL], 0);
	ASSERT_UEQ(nd->zones[ZONE_DMA].lowmem_reserve[ZONE_NORMAL],
	    nd->zones[ZONE_NORMAL].managed_pages / 256);
	ASSERT_UEQ(nd->zones[ZONE_DMA].lowmem_reserve[ZONE_HIGHMEM],
	    (nd->zones[ZONE_NORMAL].managed_pages +
	    nd->zones[ZONE_HIGHMEM].managed_pages) / 256);
	ASSERT_UEQ(nd->zones[ZONE_HIGHMEM].lowmem_reserve[ZONE_MOVABLE], 0);
	rm32(cfg, m);
}

/* The bundled configs/x86-32.yaml says the same. */
TEST(bundled_config)
{
	const char *top = getenv("top_srcdir");
	struct config *cfg;
	struct machine *m;
	char path[4096], *cause = NULL;

	snprintf(path, sizeof path, "%s/configs/x86-32.yaml",
	    top != NULL ? top : ".");
	cfg = config_load(path, &cause);
	if (cfg == NULL) {
		printf("# %s\n", cause);
		free(cause);
		TAP_FAIL("cannot load %s", path);
	}
	ASSERT_EQ(cfg->arch, ARCH_X86_32);
	ASSERT_UEQ(cfg->nodes[0].zone_size[ZONE_DMA], 16 * MiB);
	ASSERT_UEQ(cfg->nodes[0].zone_size[ZONE_NORMAL], 880 * MiB);
	ASSERT_UEQ(cfg->nodes[0].zone_size[ZONE_HIGHMEM], 3200 * MiB);
	m = machine_create(cfg, NULL);
	ASSERT(m != NULL);
	ASSERT_EQ(m->nr_zones, 3);
	rm32(cfg, m);
}

/* PAE: 36-bit addresses, so 8 GiB fits; HighMem takes all above 896M. */
TEST(x86_32_pae)
{
	struct config *cfg = NULL;
	struct machine *m = mk32(&cfg, "machine:\n  arch: x86-32-pae\n"
	    "  nodes:\n    - {memory: 8G, cpus: 0}\n");
	struct highmem *h;
	struct highmem_stats st;

	ASSERT(m != NULL);
	ASSERT_EQ(cfg->section_size_bits, 29);
	ASSERT_UEQ(cfg->nodes[0].zone_size[ZONE_HIGHMEM], 8192 * MiB -
	    896 * MiB);
	h = highmem_create(m, NULL);
	highmem_get_stats(h, &st);
	ASSERT_EQ(st.last_pkmap, HIGHMEM_LAST_PKMAP_PAE);
	highmem_destroy(h);
	rm32(cfg, m);
}

/* gfp_zone(): GFP_KERNEL tops out at Normal, GFP_HIGHUSER at HighMem. */
TEST(gfp_placement)
{
	struct config *cfg = NULL;
	struct machine *m = mk32(&cfg, x86_32_4g);
	struct alloc_result res;
	uint64_t pfn;
	int i;

	ASSERT(m != NULL);
	pfn = mk_alloc(m, 0, GFP_HIGHUSER, 0, &res);
	ASSERT(pfn != OP_PFN_NONE);
	ASSERT_EQ(res.zone->type, ZONE_HIGHMEM);
	ASSERT(pfn >= PAGES(896 * MiB));
	pfn = mk_alloc(m, 0, GFP_HIGHUSER_MOVABLE, 0, &res);
	ASSERT(pfn != OP_PFN_NONE);
	ASSERT_EQ(res.zone->type, ZONE_HIGHMEM);	/* no Movable zone */
	for (i = 0; i < 64; i++) {
		pfn = mk_alloc(m, (unsigned)(i % 4), GFP_KERNEL, 0, &res);
		ASSERT(pfn != OP_PFN_NONE);
		ASSERT(res.zone->type == ZONE_NORMAL ||
		    res.zone->type == ZONE_DMA);
		ASSERT(pfn < PAGES(896 * MiB));
	}
	pfn = mk_alloc(m, 0, GFP_KERNEL | GFP_BIT_DMA, 0, &res);
	ASSERT(pfn != OP_PFN_NONE);
	ASSERT_EQ(res.zone->type, ZONE_DMA);
	ASSERT_EQ(buddy_check(m, NULL), 0);
	rm32(cfg, m);
}

/* Exhaust HighMem: GFP_HIGHUSER falls back to Normal only down to its
 * reserve; GFP_KERNEL still finds Normal untouched by it. */
TEST(highmem_fallback_respects_reserve)
{
	struct config *cfg = NULL;
	struct machine *m = mk32(&cfg, "machine:\n  arch: x86-32\n"
	    "  nodes:\n    - {memory: 1G, cpus: 0-1}\n");
	struct zone *normal, *high;
	struct alloc_result res;
	uint64_t pfn, reserve;

	ASSERT(m != NULL);
	normal = &m->nodes[0].zones[ZONE_NORMAL];
	high = &m->nodes[0].zones[ZONE_HIGHMEM];
	ASSERT_UEQ(high->spanned_pages, PAGES(128 * MiB));
	reserve = normal->lowmem_reserve[ZONE_HIGHMEM];
	ASSERT_UEQ(reserve, high->managed_pages / 32);
	for (;;) {
		pfn = mk_alloc(m, 0, GFP_HIGHUSER | GFP_BIT_NOWARN, 0, &res);
		if (pfn == OP_PFN_NONE)
			break;
		if (res.zone->type != ZONE_HIGHMEM)
			break;
	}
	ASSERT(pfn != OP_PFN_NONE);
	ASSERT_EQ(res.zone->type, ZONE_NORMAL);
	/* the first highmem-capable page from Normal leaves it above
	 * min + the reserve (zone_watermark_ok() with highest_zoneidx) */
	ASSERT_GT(normal->free_pages, normal->watermark[WMARK_MIN] + reserve);
	pfn = mk_alloc(m, 0, GFP_KERNEL, 0, &res);
	ASSERT(pfn != OP_PFN_NONE);
	ASSERT_EQ(res.zone->type, ZONE_NORMAL);
	rm32(cfg, m);
}

static uint64_t high_pfn(unsigned i)
{
	return PAGES(896 * MiB) + i;
}

TEST(kmap_lowmem_is_free)
{
	struct config *cfg = NULL;
	struct machine *m = mk32(&cfg, x86_32_4g);
	struct highmem *h;
	struct highmem_result res;
	struct highmem_stats st;

	ASSERT(m != NULL);
	h = highmem_create(m, NULL);
	ASSERT(h != NULL);
	ASSERT(!highmem_page_is_high(h, PAGES(896 * MiB) - 1));
	ASSERT(highmem_page_is_high(h, PAGES(896 * MiB)));
	ASSERT_EQ(highmem_kmap(h, 0x1000, 0, &res, NULL), 0);
	ASSERT(res.mapped);
	ASSERT(!res.highmem);
	ASSERT_EQ(res.slot, -1);
	ASSERT_UEQ(res.cycles, 0);
	ASSERT_EQ(highmem_kunmap(h, 0x1000, &res, NULL), 0);
	ASSERT_UEQ(res.cycles, 0);
	ASSERT_EQ(highmem_kmap(h, high_pfn(0), 0, &res, NULL), 0);
	ASSERT(res.highmem && res.mapped && res.new_slot);
	ASSERT_EQ(res.slot, 1);		/* the hand starts past slot 0 */
	ASSERT_EQ(res.count, 2);
	ASSERT_UEQ(res.cycles, m->cost.c[COST_KMAP_HIGH]);
	/* a second kmap of the same page shares its slot */
	ASSERT_EQ(highmem_kmap(h, high_pfn(0), 1, &res, NULL), 0);
	ASSERT(!res.new_slot);
	ASSERT_EQ(res.slot, 1);
	ASSERT_EQ(res.count, 3);
	highmem_get_stats(h, &st);
	ASSERT_EQ(st.last_pkmap, HIGHMEM_LAST_PKMAP);
	ASSERT_EQ(st.slots_in_use, 1);
	ASSERT_EQ(st.nr_kmap, 3);
	ASSERT_EQ(st.nr_kmap_lowmem, 1);
	ASSERT_EQ(st.nr_kmap_hit, 1);
	ASSERT_EQ(highmem_kunmap(h, high_pfn(0), &res, NULL), 0);
	ASSERT_EQ(highmem_kunmap(h, high_pfn(0), &res, NULL), 0);
	ASSERT_EQ(res.count, 1);	/* unmapped but cached */
	highmem_get_stats(h, &st);
	ASSERT_EQ(st.slots_in_use, 0);
	ASSERT_EQ(st.slots_cached, 1);
	ASSERT_EQ(highmem_check(h, NULL), 0);
	highmem_destroy(h);
	rm32(cfg, m);
}

static int fill_pool(struct highmem *h, unsigned n)
{
	struct highmem_result res;
	unsigned i;

	for (i = 0; i < n; i++)
		if (highmem_kmap(h, high_pfn(i), 0, &res, NULL) != 0 ||
		    !res.mapped || !res.new_slot)
			return -1;
	return 0;
}

TEST(pool_fills_then_flushes)
{
	struct config *cfg = NULL;
	struct machine *m = mk32(&cfg, x86_32_4g);
	struct highmem *h;
	struct highmem_result res;
	struct highmem_stats st;
	char *cause = NULL;
	unsigned i;

	ASSERT(m != NULL);
	h = highmem_create(m, NULL);
	ASSERT_EQ(fill_pool(h, HIGHMEM_LAST_PKMAP - 1), 0);
	highmem_get_stats(h, &st);
	ASSERT_EQ(st.nr_flush_scans, 0);
	/* the LAST_PKMAP-th wraps the hand: a scan that frees nothing,
	 * then slot 0 */
	ASSERT_EQ(highmem_kmap(h, high_pfn(HIGHMEM_LAST_PKMAP - 1), 0, &res,
	    NULL), 0);
	ASSERT(res.mapped);
	ASSERT_EQ(res.slot, 0);
	ASSERT(!res.flushed);
	highmem_get_stats(h, &st);
	ASSERT_EQ(st.slots_in_use, HIGHMEM_LAST_PKMAP);
	ASSERT_EQ(st.slots_free, 0);
	ASSERT_EQ(st.nr_flush_scans, 1);
	ASSERT_EQ(st.nr_flushes, 0);
	/* unmapping leaves every slot cached, not free */
	for (i = 0; i < HIGHMEM_LAST_PKMAP; i++)
		ASSERT_EQ(highmem_kunmap(h, high_pfn(i), &res, NULL), 0);
	highmem_get_stats(h, &st);
	ASSERT_EQ(st.slots_cached, HIGHMEM_LAST_PKMAP);
	ASSERT_EQ(st.slots_free, 0);
	/* the next new page: a lap over cached slots, the wrap flushes them
	 * all with one TLB flush, slot 0 is taken */
	ASSERT_EQ(highmem_kmap(h, high_pfn(5000), 0, &res, NULL), 0);
	ASSERT(res.mapped && res.flushed && !res.waited);
	ASSERT_EQ(res.freed, HIGHMEM_LAST_PKMAP);
	ASSERT_EQ(res.slot, 0);
	ASSERT_EQ(res.probes, HIGHMEM_LAST_PKMAP);
	ASSERT_UEQ(res.cycles, m->cost.c[COST_KMAP_HIGH] +
	    m->cost.c[COST_KMAP_FLUSH]);
	highmem_get_stats(h, &st);
	ASSERT_EQ(st.nr_flushes, 1);
	ASSERT_EQ(st.slots_in_use, 1);
	ASSERT_EQ(st.slots_free, HIGHMEM_LAST_PKMAP - 1);
	/* a page unmapped and flushed needs a new slot again */
	ASSERT_EQ(highmem_kmap(h, high_pfn(3), 0, &res, NULL), 0);
	ASSERT(res.new_slot);
	ASSERT_EQ(res.slot, 1);
	ASSERT_EQ(highmem_check(h, NULL), 0);
	/* kunmap of a page not kmapped is the kernel's BUG */
	ASSERT_EQ(highmem_kunmap(h, high_pfn(4), &res, &cause), -1);
	ASSERT_CONTAINS(cause, "is not kmapped");
	free(cause);
	highmem_destroy(h);
	rm32(cfg, m);
}

TEST(pool_exhausted_waits)
{
	struct config *cfg = NULL;
	struct machine *m = mk32(&cfg, x86_32_4g);
	struct highmem *h;
	struct highmem_result res;
	struct highmem_stats st;

	ASSERT(m != NULL);
	h = highmem_create(m, NULL);
	ASSERT_EQ(fill_pool(h, HIGHMEM_LAST_PKMAP), 0);
	/* every slot held: two wraps' worth of probing, then the sleep */
	ASSERT_EQ(highmem_kmap(h, high_pfn(HIGHMEM_LAST_PKMAP), 2, &res,
	    NULL), 0);
	ASSERT(res.waited);
	ASSERT(!res.mapped);
	ASSERT_EQ(res.slot, -1);
	ASSERT(!res.flushed);
	ASSERT_UEQ(res.cycles, m->cost.c[COST_KMAP_HIGH] +
	    m->cost.c[COST_KMAP_FLUSH] / 4 + m->cost.c[COST_KMAP_WAIT]);
	highmem_get_stats(h, &st);
	ASSERT_EQ(st.nr_waits, 1);
	ASSERT_EQ(st.slots_in_use, HIGHMEM_LAST_PKMAP);
	/* a page already in a slot is still served */
	ASSERT_EQ(highmem_kmap(h, high_pfn(7), 0, &res, NULL), 0);
	ASSERT(res.mapped && !res.new_slot);
	/* one kunmap to count 1, and the retry flushes and maps */
	ASSERT_EQ(highmem_kunmap(h, high_pfn(7), &res, NULL), 0);
	ASSERT_EQ(highmem_kunmap(h, high_pfn(7), &res, NULL), 0);
	ASSERT_EQ(res.count, 1);
	ASSERT_EQ(highmem_kmap(h, high_pfn(HIGHMEM_LAST_PKMAP), 2, &res,
	    NULL), 0);
	ASSERT(res.mapped && res.flushed);
	ASSERT_EQ(res.freed, 1);
	highmem_get_stats(h, &st);
	ASSERT_EQ(st.nr_waits, 1);
	ASSERT_EQ(st.slots_in_use, HIGHMEM_LAST_PKMAP);
	ASSERT_EQ(highmem_check(h, NULL), 0);
	/* kmap_flush_unused() with nothing cached flushes nothing */
	highmem_flush_unused(h, &res);
	ASSERT(!res.flushed);
	highmem_destroy(h);
	rm32(cfg, m);
}

TEST(kmap_local_lifo)
{
	struct config *cfg = NULL;
	struct machine *m = mk32(&cfg, x86_32_4g);
	struct highmem *h;
	struct highmem_result res;
	struct highmem_stats st;
	char *cause = NULL;
	unsigned i;

	ASSERT(m != NULL);
	h = highmem_create(m, NULL);
	/* lowmem: free and slotless, but unmapped in order too */
	ASSERT_EQ(highmem_kmap_local(h, 1, 0x2000, &res, NULL), 0);
	ASSERT(res.mapped && !res.highmem);
	ASSERT_UEQ(res.cycles, 0);
	ASSERT_EQ(highmem_local_depth(h, 1), 0);
	for (i = 0; i < KM_MAX_IDX - 1; i++) {
		ASSERT_EQ(highmem_kmap_local(h, 1, high_pfn(i), &res, NULL), 0);
		ASSERT_EQ(res.slot, 1 * KM_MAX_IDX + (int)i);
		ASSERT_UEQ(res.cycles, m->cost.c[COST_KMAP_LOCAL]);
	}
	ASSERT_EQ(highmem_local_depth(h, 1), KM_MAX_IDX - 1);
	/* the 16th nested highmem mapping is kmap_local_idx_push()'s BUG */
	ASSERT_EQ(highmem_kmap_local(h, 1, high_pfn(100), &res, &cause), -1);
	ASSERT_CONTAINS(cause, "KM_MAX_IDX");
	free(cause);
	cause = NULL;
	/* other CPUs have their own stacks */
	ASSERT_EQ(highmem_kmap_atomic(h, 0, high_pfn(100), &res, NULL), 0);
	ASSERT_EQ(res.slot, 0);
	ASSERT_EQ(highmem_kunmap_atomic(h, 0, &res, NULL), 0);
	ASSERT_UEQ(res.pfn, high_pfn(100));
	/* LIFO: the most recent first */
	for (i = KM_MAX_IDX - 1; i-- > 0;) {
		ASSERT_EQ(highmem_kunmap_local(h, 1, &res, NULL), 0);
		ASSERT_UEQ(res.pfn, high_pfn(i));
		ASSERT_EQ(res.slot, 1 * KM_MAX_IDX + (int)i);
	}
	ASSERT_EQ(highmem_kunmap_local(h, 1, &res, NULL), 0);
	ASSERT_UEQ(res.pfn, 0x2000);
	ASSERT(!res.highmem);
	ASSERT_EQ(highmem_kunmap_local(h, 1, &res, &cause), -1);
	ASSERT_CONTAINS(cause, "no kmap_local mapping");
	free(cause);
	highmem_get_stats(h, &st);
	ASSERT_EQ(st.local_depth_max, KM_MAX_IDX - 1);
	ASSERT_EQ(st.nr_kmap_local, KM_MAX_IDX + 1);
	ASSERT_EQ(st.nr_kmap_local_lowmem, 1);
	/* kmap_local takes no pkmap slot */
	ASSERT_EQ(st.slots_in_use, 0);
	ASSERT_EQ(highmem_check(h, NULL), 0);
	highmem_destroy(h);
	rm32(cfg, m);
}

TEST(bad_requests)
{
	struct config *cfg = NULL;
	struct machine *m = mk32(&cfg, x86_32_4g);
	struct highmem_opts o = { .last_pkmap = 1000 };
	struct highmem *h;
	struct highmem_result res;
	char *cause = NULL;

	ASSERT(m != NULL);
	ASSERT(highmem_create(m, &o) == NULL);
	o.last_pkmap = 8;
	h = highmem_create(m, &o);
	ASSERT(h != NULL);
	ASSERT_EQ(highmem_kmap(h, 0x100000, 0, &res, &cause), -1);
	ASSERT_CONTAINS(cause, "is not present memory");
	free(cause);
	cause = NULL;
	ASSERT_EQ(highmem_kmap(h, high_pfn(0), 4, &res, &cause), -1);
	ASSERT_CONTAINS(cause, "cpu 4 does not exist");
	free(cause);
	/* a small pool: 8 slots, the 9th distinct page waits */
	ASSERT_EQ(fill_pool(h, 8), 0);
	ASSERT_EQ(highmem_kmap(h, high_pfn(8), 0, &res, NULL), 0);
	ASSERT(res.waited);
	ASSERT_EQ(highmem_check(h, NULL), 0);
	highmem_destroy(h);
	rm32(cfg, m);
}

int main(void)
{
	RUN(x86_32_zones_4g);
	RUN(bundled_config);
	RUN(x86_32_pae);
	RUN(gfp_placement);
	RUN(highmem_fallback_respects_reserve);
	RUN(kmap_lowmem_is_free);
	RUN(pool_fills_then_flushes);
	RUN(pool_exhausted_waits);
	RUN(kmap_local_lifo);
	RUN(bad_requests);
	return tap_done();
}
