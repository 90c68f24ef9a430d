/*
 * test-vmalloc.c - the vmalloc allocator: placement worked out by hand
 * from alloc_vmap_area()'s lowest-first rule with guard pages, lazy
 * freeing and the lazy_max_pages() threshold, page-table pages, buddy
 * frames behind vmalloc and huge mappings, the /proc/vmallocinfo lines
 * and the replay helpers.
 */
#include "mkmachine.h"
#include "tap.h"
#include "mm/vmalloc.h"

#define KiB (UINT64_C(1) << 10)
#define S VMALLOC_DEFAULT_START	/* 512 GiB aligned: a fresh PUD range */

/* One node of 64 MiB, 2 CPUs: lazy_max_pages() = fls(2) * 8192. */
static struct machine *mk(struct config *cfg, struct config_node *nodes)
{
	mk_config(cfg, nodes, 1, 64 * MiB, 0, 0);
	return machine_create(cfg, NULL);
}

static uint64_t free_frames(const struct machine *m)
{
	uint64_t n = 0;

	for (int i = 0; i < m->nr_zones; i++)
		n += m->zones[i]->free_pages + m->zones[i]->pcp_pages;
	return n;
}

/* The address the allocation got, or 0 when it failed. */
static uint64_t va(struct vmalloc *v, uint64_t size, uint64_t align,
    unsigned flags, vmalloc_handle_t *h, struct vmalloc_result *res)
{
	struct vmalloc_request req = { .size = size, .align = align,
	    .flags = flags, .gfp = GFP_KERNEL, .cpu = 0, .node = -1 };
	struct vmalloc_result r;
	vmalloc_handle_t hh;

	if (res == NULL)
		res = &r;
	if (h == NULL)
		h = &hh;
	if (vmalloc_alloc(v, &req, h, res, NULL) != 0 || res->failed)
		return 0;
	return res->addr;
}

TEST(lowest_first_alignment_and_guard)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m = mk(&cfg, nodes);
	struct vmalloc *v;
	struct vmalloc_stats st;
	struct vmalloc_result res;

	ASSERT(m != NULL);
	v = vmalloc_create(m, NULL);
	/* one page plus its guard: [S, S+8K) */
	ASSERT_UEQ(va(v, 4096, 0, 0, NULL, &res), S);
	ASSERT_UEQ(res.size, 8 * KiB);
	/* 5000 bytes round to 8K, plus guard: [S+8K, S+20K) */
	ASSERT_UEQ(va(v, 5000, 1, 0, NULL, &res), S + 8 * KiB);
	ASSERT_UEQ(res.size, 12 * KiB);
	/* 64K-aligned: the first such address past S+20K; leaves a hole
	 * [S+20K, S+64K) */
	ASSERT_UEQ(va(v, 4096, 64 * KiB, 0, NULL, NULL), S + 64 * KiB);
	/* no guard: 4K into the hole */
	ASSERT_UEQ(va(v, 4096, 0, VMALLOC_F_NO_GUARD, NULL, &res),
	    S + 20 * KiB);
	ASSERT_UEQ(res.size, 4 * KiB);
	/* 16K at 16K alignment needs 20K: S+32K..S+52K in the hole */
	ASSERT_UEQ(va(v, 16 * KiB, 16 * KiB, 0, NULL, NULL), S + 32 * KiB);
	/* 40K + guard fits no hole: after the 64K area, S+72K */
	ASSERT_UEQ(va(v, 40 * KiB, 0, 0, NULL, NULL), S + 72 * KiB);
	/* 8K + guard fills [S+52K, S+64K) exactly */
	ASSERT_UEQ(va(v, 8 * KiB, 0, 0, NULL, NULL), S + 52 * KiB);

	vmalloc_get_stats(v, &st);
	/* free: [S+24K, S+32K) and [S+116K, end) */
	ASSERT_UEQ(st.nr_free_areas, 2);
	ASSERT_UEQ(st.largest_free, VMALLOC_DEFAULT_SIZE - 116 * KiB);
	ASSERT_UEQ(st.free_bytes, VMALLOC_DEFAULT_SIZE - 108 * KiB);
	ASSERT_UEQ(st.nr_busy, 7);
	ASSERT_UEQ(st.used_bytes, 108 * KiB);
	ASSERT_EQ(vmalloc_check(v, NULL), 0);

	/* the 8K hole takes a one-page area with its guard */
	ASSERT_UEQ(va(v, 1, 0, 0, NULL, NULL), S + 24 * KiB);
	vmalloc_get_stats(v, &st);
	ASSERT_UEQ(st.nr_free_areas, 1);

	{
		struct vmalloc_request bad = { .size = 4096, .align = 3 };
		vmalloc_handle_t h;
		char *cause = NULL;

		ASSERT_EQ(vmalloc_alloc(v, &bad, &h, NULL, &cause), -1);
		ASSERT_CONTAINS(cause, "illegal");
		free(cause);
		bad.align = 0;
		bad.size = 0;
		ASSERT_EQ(vmalloc_alloc(v, &bad, &h, NULL, NULL), -1);
		ASSERT_EQ(vmalloc_free(v, S + 4 * KiB, NULL, NULL), -1);
	}
	vmalloc_destroy(v);
	machine_destroy(m);
}

TEST(freed_area_reused_only_after_purge)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m = mk(&cfg, nodes);
	struct vmalloc *v;
	struct vmalloc_result res;
	struct vmalloc_stats st;
	vmalloc_handle_t a;

	ASSERT(m != NULL);
	v = vmalloc_create(m, NULL);
	ASSERT_UEQ(va(v, 4096, 0, 0, &a, NULL), S);
	ASSERT_UEQ(va(v, 4096, 0, 0, NULL, NULL), S + 8 * KiB);
	ASSERT_EQ(vmalloc_free(v, a, &res, NULL), 0);
	ASSERT_EQ(res.purges, 0);
	vmalloc_get_stats(v, &st);
	ASSERT_UEQ(st.lazy_pages, 2);		/* the guard counts */
	ASSERT_UEQ(st.nr_lazy_areas, 1);
	/* [S, S+8K) is not free yet */
	ASSERT_UEQ(va(v, 4096, 0, 0, NULL, NULL), S + 16 * KiB);
	vmalloc_purge(v, &res);
	ASSERT_EQ(res.purges, 1);
	ASSERT_EQ(res.tlb_flushes, 1);
	ASSERT_UEQ(res.flush_start, S);
	ASSERT_UEQ(res.flush_end, S + 8 * KiB);
	ASSERT_UEQ(res.purged_areas, 1);
	ASSERT_UEQ(res.purged_pages, 2);
	ASSERT_UEQ(va(v, 4096, 0, 0, NULL, NULL), S);
	/* nothing left to purge: no flush */
	vmalloc_purge(v, &res);
	ASSERT_EQ(res.purges, 0);
	ASSERT_EQ(vmalloc_check(v, NULL), 0);
	vmalloc_destroy(v);
	machine_destroy(m);
}

static unsigned flushes;
static uint64_t flush_lo, flush_hi;

static void on_flush(void *arg, uint64_t start, uint64_t end)
{
	(void)arg;
	flushes++;
	flush_lo = start;
	flush_hi = end;
}

TEST(lazy_purge_exactly_above_lazy_max_pages)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m = mk(&cfg, nodes);
	struct vmalloc_opts o = { .flush = on_flush };
	struct vmalloc *v;
	struct vmalloc_result res;
	struct vmalloc_stats st;
	vmalloc_handle_t h[17];
	uint64_t before;
	int i;

	ASSERT(m != NULL);
	before = free_frames(m);
	flushes = 0;
	v = vmalloc_create(m, &o);
	/* fls(2) = 2: 2 * 32 MiB of pages */
	ASSERT_UEQ(vmalloc_lazy_max_pages(v), 16384);
	/* 16 vmaps of 4 MiB without guard: exactly 16384 pages */
	for (i = 0; i < 16; i++)
		ASSERT_UEQ(va(v, 4 * MiB, 0, VMALLOC_F_VMAP |
		    VMALLOC_F_NO_GUARD, &h[i], NULL),
		    S + (uint64_t)i * 4 * MiB);
	ASSERT_UEQ(va(v, 4096, 0, VMALLOC_F_VMAP, &h[16], NULL), S + 64 * MiB);
	vmalloc_get_stats(v, &st);
	/* 64 MiB + one page: 33 PTE pages, one PMD, one PUD */
	ASSERT_UEQ(st.pt_pages[0], 33);
	ASSERT_UEQ(st.pt_pages[1], 1);
	ASSERT_UEQ(st.pt_pages[2], 1);
	/* vmap takes no buddy pages but the tables */
	ASSERT_UEQ(free_frames(m), before - 35);
	for (i = 0; i < 16; i++) {
		ASSERT_EQ(vmalloc_free(v, h[i], &res, NULL), 0);
		ASSERT_EQ(res.purges, 0);
	}
	vmalloc_get_stats(v, &st);
	ASSERT_UEQ(st.lazy_pages, 16384);	/* equal is not above */
	ASSERT_UEQ(st.nr_purges, 0);
	ASSERT_EQ(flushes, 0);
	/* two more pages (one and its guard) cross it */
	ASSERT_EQ(vmalloc_free(v, h[16], &res, NULL), 0);
	ASSERT_EQ(res.purges, 1);
	ASSERT_UEQ(res.purged_areas, 17);
	ASSERT_UEQ(res.purged_pages, 16386);
	ASSERT_EQ(flushes, 1);
	ASSERT_UEQ(flush_lo, S);
	ASSERT_UEQ(flush_hi, S + 64 * MiB + 8 * KiB);
	/* the emptied tables went back after the flush */
	ASSERT_EQ(res.pt_freed, 35);
	vmalloc_get_stats(v, &st);
	ASSERT_UEQ(st.lazy_pages, 0);
	ASSERT_UEQ(st.nr_free_areas, 1);
	ASSERT_UEQ(st.pt_pages_total, 0);
	ASSERT_UEQ(free_frames(m), before);
	ASSERT_EQ(vmalloc_check(v, NULL), 0);
	vmalloc_destroy(v);

	/* 8 CPUs: fls(8) = 4 */
	o.nr_cpus = 8;
	v = vmalloc_create(m, &o);
	ASSERT_UEQ(vmalloc_lazy_max_pages(v), 32768);
	vmalloc_destroy(v);
	machine_destroy(m);
}

TEST(page_table_pages)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m = mk(&cfg, nodes);
	struct vmalloc *v;
	struct vmalloc_result res;
	struct vmalloc_stats st;
	vmalloc_handle_t a, b;
	uint64_t before;

	ASSERT(m != NULL);
	before = free_frames(m);
	v = vmalloc_create(m, NULL);
	/* 4 MiB of 4K pages at S (2 MiB aligned): two PTE pages, the
	 * PMD page of its GiB, the PUD page of its 512 GiB */
	ASSERT_UEQ(va(v, 4 * MiB, 0, VMALLOC_F_VMAP, &a, &res), S);
	ASSERT_EQ(res.pt_allocated, 4);
	ASSERT_UEQ(res.nr_pages, 1024);
	ASSERT_UEQ(res.frames_allocated, 0);
	vmalloc_get_stats(v, &st);
	ASSERT_UEQ(st.pt_pages[0], 2);
	ASSERT_UEQ(st.pt_pages[1], 1);
	ASSERT_UEQ(st.pt_pages[2], 1);
	ASSERT_UEQ(st.mapped_pages, 1024);
	ASSERT_UEQ(free_frames(m), before - 4);
	/* the guard page maps nothing: the next area at S+4M+4K starts
	 * the third 2 MiB window, one more PTE page only */
	ASSERT_UEQ(va(v, 4096, 0, VMALLOC_F_VMAP, &b, &res),
	    S + 4 * MiB + 4 * KiB);
	ASSERT_EQ(res.pt_allocated, 1);
	/* freeing unmaps; the tables wait for the purge's flush */
	ASSERT_EQ(vmalloc_free(v, a, &res, NULL), 0);
	ASSERT_EQ(res.pt_freed, 0);
	vmalloc_get_stats(v, &st);
	ASSERT_UEQ(st.pt_pages_total, 5);
	ASSERT_UEQ(st.mapped_pages, 1);
	vmalloc_purge(v, &res);
	/* the two PTE pages of [S, S+4M); the PMD and PUD still map b */
	ASSERT_EQ(res.pt_freed, 2);
	ASSERT_EQ(vmalloc_free(v, b, NULL, NULL), 0);
	vmalloc_purge(v, &res);
	ASSERT_EQ(res.pt_freed, 3);
	vmalloc_get_stats(v, &st);
	ASSERT_UEQ(st.pt_pages_total, 0);
	ASSERT_UEQ(free_frames(m), before);
	ASSERT_EQ(vmalloc_check(v, NULL), 0);
	vmalloc_destroy(v);
	machine_destroy(m);
}

TEST(buddy_pages_behind_vmalloc)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m = mk(&cfg, nodes);
	struct vmalloc *v;
	struct vmalloc_result res;
	struct vmalloc_stats st;
	vmalloc_handle_t a, b;
	uint64_t before;

	ASSERT(m != NULL);
	before = free_frames(m);
	v = vmalloc_create(m, NULL);
	/* 1 MiB: 256 order-0 frames, tables PTE+PMD+PUD; its 2 KiB page
	 * array comes from the slab */
	ASSERT_UEQ(va(v, 1 * MiB, 0, 0, &a, &res), S);
	ASSERT_UEQ(res.frames_allocated, 256);
	ASSERT_EQ(res.page_order, 0);
	ASSERT_UEQ(free_frames(m), before - 256 - 3);
	vmalloc_get_stats(v, &st);
	ASSERT_UEQ(st.backing_frames, 256);
	/* the pages go back at vfree, the tables at the purge */
	ASSERT_EQ(vmalloc_free(v, a, &res, NULL), 0);
	ASSERT_UEQ(res.frames_freed, 256);
	ASSERT_UEQ(free_frames(m), before - 3);
	vmalloc_purge(v, NULL);
	ASSERT_UEQ(free_frames(m), before);

	/* 4 MiB: 1024 frames, and an 8 KiB page array vmalloc'ed right
	 * after the area ([S+4M+4K, S+4M+16K), 2 more frames) */
	ASSERT_UEQ(va(v, 4 * MiB, 0, 0, &b, &res), S);
	ASSERT_UEQ(res.frames_allocated, 1026);
	ASSERT_UEQ(res.nr_pages, 1024);
	ASSERT_EQ(res.pt_allocated, 5);		/* 3 PTE, PMD, PUD */
	vmalloc_get_stats(v, &st);
	ASSERT_UEQ(st.nr_busy, 2);
	ASSERT_UEQ(st.used_bytes, 4 * MiB + 4 * KiB + 12 * KiB);
	ASSERT_UEQ(free_frames(m), before - 1026 - 5);
	ASSERT_EQ(vmalloc_free(v, b, &res, NULL), 0);
	ASSERT_UEQ(res.frames_freed, 1026);
	vmalloc_purge(v, &res);
	ASSERT_UEQ(res.purged_areas, 2);
	ASSERT_UEQ(free_frames(m), before);
	vmalloc_get_stats(v, &st);
	ASSERT_UEQ(st.backing_frames, 0);
	ASSERT_UEQ(st.nr_busy, 0);
	ASSERT_EQ(vmalloc_check(v, NULL), 0);
	vmalloc_destroy(v);
	machine_destroy(m);
}

TEST(huge_mapping_uses_pmd_pages)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m = mk(&cfg, nodes);
	struct vmalloc *v;
	struct vmalloc_result res;
	struct vmalloc_stats st;
	vmalloc_handle_t a;
	uint64_t before, order9;
	struct zone *z;

	ASSERT(m != NULL);
	z = m->zones[0];
	before = free_frames(m);
	order9 = z->alloc_count[9];
	v = vmalloc_create(m, NULL);
	/* a 4K area first, so the huge one must skip to 2 MiB */
	ASSERT_UEQ(va(v, 4096, 0, VMALLOC_F_VMAP, NULL, NULL), S);
	ASSERT_UEQ(va(v, 2 * MiB, 0, VMALLOC_F_HUGE, &a, &res),
	    S + 2 * MiB);
	ASSERT_EQ(res.page_order, 9);
	ASSERT(!res.huge_fallback);
	ASSERT_UEQ(res.frames_allocated, 512);
	ASSERT_UEQ(res.nr_pages, 512);
	ASSERT_UEQ(res.size, 2 * MiB + 4 * KiB);
	/* no PTE page: the PMD entry maps it */
	ASSERT_EQ(res.pt_allocated, 0);
	ASSERT_UEQ(z->alloc_count[9] - order9, 1);
	vmalloc_get_stats(v, &st);
	ASSERT_UEQ(st.pt_pages[0], 1);		/* the 4K vmap's */
	ASSERT_UEQ(st.pt_pages[1], 1);
	ASSERT_UEQ(free_frames(m), before - 3 - 512);
	ASSERT_EQ(vmalloc_free(v, a, &res, NULL), 0);
	ASSERT_UEQ(res.frames_freed, 512);
	/* below PMD_SIZE the huge flag changes nothing: small pages
	 * at the lowest fit, the hole the 2 MiB alignment left */
	ASSERT_UEQ(va(v, 1 * MiB, 0, VMALLOC_F_HUGE, NULL, &res),
	    S + 8 * KiB);
	ASSERT_EQ(res.page_order, 0);
	ASSERT_EQ(vmalloc_check(v, NULL), 0);
	vmalloc_destroy(v);
	ASSERT_UEQ(free_frames(m), before);
	machine_destroy(m);
}

TEST(vmallocinfo_lines)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m = mk(&cfg, nodes);
	struct vmalloc *v;
	struct vmalloc_request req = { .gfp = GFP_KERNEL, .node = -1 };
	vmalloc_handle_t h;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	ASSERT(m != NULL);
	v = vmalloc_create(m, NULL);
	req.size = 8 * KiB;
	req.caller = "foo_init+0x10/0x40";
	ASSERT_EQ(vmalloc_alloc(v, &req, &h, NULL, NULL), 0);
	req.size = 4 * KiB;
	req.flags = VMALLOC_F_VMAP;
	req.caller = "my_vmap+0x5/0x20";
	ASSERT_EQ(vmalloc_alloc(v, &req, &h, NULL, NULL), 0);
	req.flags = 0;
	req.caller = NULL;
	ASSERT_EQ(vmalloc_alloc(v, &req, &h, NULL, NULL), 0);
	ASSERT_EQ(vmalloc_free(v, h, NULL, NULL), 0);
	/* ioremap of 8K is 8K aligned: past the lazy [0x5000, 0x7000) */
	req.size = 8 * KiB;
	req.flags = VMALLOC_F_IOREMAP;
	req.caller = "ioremap_caller";
	req.phys = 0xfed00000;
	ASSERT_EQ(vmalloc_alloc(v, &req, &h, NULL, NULL), 0);
	ASSERT_UEQ(h, S + 0x8000);

	f = open_memstream(&buf, &len);
	ASSERT(f != NULL);
	vmalloc_dump_vmallocinfo(v, f);
	fclose(f);
	ASSERT_STREQ(buf,
	    "0xffffc90000000000-0xffffc90000003000   12288 "
	    "foo_init+0x10/0x40 pages=2 vmalloc N0=2\n"
	    "0xffffc90000003000-0xffffc90000005000    8192 "
	    "my_vmap+0x5/0x20 vmap\n"
	    "0xffffc90000008000-0xffffc9000000b000   12288 "
	    "ioremap_caller phys=0x00000000fed00000 ioremap\n"
	    "0xffffc90000005000-0xffffc90000007000    8192 "
	    "unpurged vm_area\n");
	free(buf);
	vmalloc_destroy(v);
	machine_destroy(m);
}

TEST(capture_helpers_place_at_addresses)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m = mk(&cfg, nodes);
	struct vmalloc *v;
	struct vmalloc_request req = { .size = 8 * KiB, .gfp = GFP_KERNEL,
	    .node = -1 };
	struct vmalloc_result res;
	struct vmalloc_stats st;
	vmalloc_handle_t h;
	char *cause = NULL;

	ASSERT(m != NULL);
	v = vmalloc_create(m, NULL);
	ASSERT_EQ(vmalloc_alloc_at(v, S + 1024 * MiB, &req, &h, &res, NULL),
	    0);
	ASSERT(!res.failed);
	ASSERT_UEQ(h, S + 1024 * MiB);
	ASSERT_UEQ(res.size, 12 * KiB);
	/* searches still go lowest first */
	ASSERT_UEQ(va(v, 4096, 0, 0, NULL, NULL), S);
	/* inside the placed area: busy */
	ASSERT_EQ(vmalloc_alloc_at(v, S + 1024 * MiB + 8 * KiB, &req, &h,
	    &res, NULL), 0);
	ASSERT(res.failed);
	/* outside the range, unaligned: bad input */
	ASSERT_EQ(vmalloc_alloc_at(v, S - 4096, &req, &h, &res, &cause), -1);
	ASSERT_CONTAINS(cause, "outside");
	free(cause);
	ASSERT_EQ(vmalloc_alloc_at(v, S + 100, &req, &h, &res, NULL), -1);

	/* a captured free then a captured alloc at the same place: the
	 * lazy area must have been purged first */
	ASSERT_EQ(vmalloc_free_at(v, S + 1024 * MiB, NULL, NULL), 0);
	req.size = 4 * KiB;
	ASSERT_EQ(vmalloc_alloc_at(v, S + 1024 * MiB, &req, &h, &res, NULL),
	    0);
	ASSERT(!res.failed);
	ASSERT_EQ(res.purges, 1);
	ASSERT_UEQ(h, S + 1024 * MiB);

	/* purge_range merges only the lazy areas inside it */
	ASSERT_EQ(vmalloc_free_at(v, S, NULL, NULL), 0);
	ASSERT_EQ(vmalloc_free_at(v, S + 1024 * MiB, NULL, NULL), 0);
	vmalloc_purge_range(v, S, S + 8 * KiB, &res);
	ASSERT_EQ(res.purges, 1);
	ASSERT_UEQ(res.purged_areas, 1);
	ASSERT_UEQ(res.flush_start, S);
	ASSERT_UEQ(res.flush_end, S + 8 * KiB);
	vmalloc_get_stats(v, &st);
	ASSERT_UEQ(st.nr_lazy_areas, 1);
	ASSERT_UEQ(st.lazy_pages, 2);
	ASSERT_EQ(vmalloc_check(v, NULL), 0);
	vmalloc_destroy(v);
	machine_destroy(m);
}

int main(void)
{
	RUN(lowest_first_alignment_and_guard);
	RUN(freed_area_reused_only_after_purge);
	RUN(lazy_purge_exactly_above_lazy_max_pages);
	RUN(page_table_pages);
	RUN(buddy_pages_behind_vmalloc);
	RUN(huge_mapping_uses_pmd_pages);
	RUN(vmallocinfo_lines);
	RUN(capture_helpers_place_at_addresses);
	return tap_done();
}
