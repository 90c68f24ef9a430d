/*
 * test-slab.c - the SLUB model against the kernel's rules and against
 * what a real 6.18 kernel on a 2-CPU x86-64 machine reports in
 * /sys/kernel/slab/<cache>/{object_size,slab_size,align,order,
 * objs_per_slab,cpu_partial,min_partial}.  Every expectation below is
 * written from the rule or the kernel's numbers, never from the model.
 * Per-cpu page lists are off so zone free pages follow every slab.
 */
#include "mkmachine.h"
#include "mm/slab.h"
#include "tap.h"

/* One node, 64 MiB of Normal, 2 CPUs (the reference machine's count). */
static struct machine *make(struct config *cfg, struct config_node *nodes)
{
	return mk_bare_machine(cfg, nodes, 64 * MiB);
}

static bool consistent(const struct slab_world *w)
{
	char *cause = NULL;

	if (slab_check(w, &cause) == 0)
		return true;
	printf("# slab_check: %s\n", cause);
	free(cause);
	return false;
}

/* The kmalloc size classes of __kmalloc_index() with KMALLOC_MIN_SIZE 8,
 * written out. */
static unsigned expected_class(unsigned size)
{
	unsigned p;

	if (size <= 8)
		return 8;
	if (size <= 16)
		return 16;
	if (size <= 32)
		return 32;
	if (size <= 64)
		return 64;
	if (size <= 96)
		return 96;
	if (size <= 128)
		return 128;
	if (size <= 192)
		return 192;
	if (size <= 256)
		return 256;
	for (p = 512; p < size; p *= 2)
		;
	return p;
}

TEST(kmalloc_size_classes)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m = make(&cfg, nodes);
	struct slab_world *w;
	struct slab_result res;
	struct kmem_cache *s;
	slab_handle_t h;
	unsigned size;
	char name[32];
	static const struct { size_t size; unsigned order; } large[] = {
		{ 8193, 2 }, { 12288, 2 }, { 16384, 2 }, { 16385, 3 },
		{ 32768, 3 }, { 32769, 4 }, { 4u << 20, 10 },
	};

	ASSERT(m != NULL);
	w = slab_world_create(m, NULL);
	ASSERT_UEQ(kmalloc_max_cache_size(w), 8192);
	for (size = 1; size <= 8192; size++) {
		unsigned want = expected_class(size);

		s = kmalloc_slab(w, size, GFP_KERNEL);
		if (s == NULL || s->object_size != want)
			TAP_FAIL("size %u: class %u, want %u", size,
			    s ? s->object_size : 0, want);
		if (want >= 1024)
			snprintf(name, sizeof name, "kmalloc-%uk", want >> 10);
		else
			snprintf(name, sizeof name, "kmalloc-%u", want);
		ASSERT_STREQ(s->name, name);
	}
	ASSERT(kmalloc_slab(w, 0, GFP_KERNEL) == NULL);
	ASSERT(kmalloc_slab(w, 8193, GFP_KERNEL) == NULL);
	/* kmalloc_type(): DMA wins over reclaimable, which wins over
	 * accounted */
	ASSERT_STREQ(kmalloc_slab(w, 100, GFP_KERNEL |
	    GFP_BIT_RECLAIMABLE)->name, "kmalloc-rcl-128");
	ASSERT_STREQ(kmalloc_slab(w, 100, GFP_KERNEL | GFP_BIT_DMA)->name,
	    "dma-kmalloc-128");
	ASSERT_STREQ(kmalloc_slab(w, 100, GFP_BIT_DMA |
	    GFP_BIT_RECLAIMABLE)->name, "dma-kmalloc-128");
	ASSERT_STREQ(kmalloc_slab(w, 100, GFP_KERNEL | GFP_BIT_ACCOUNT)->name,
	    "kmalloc-cg-128");
	ASSERT_STREQ(kmalloc_slab(w, 100, GFP_BIT_ACCOUNT |
	    GFP_BIT_RECLAIMABLE)->name, "kmalloc-rcl-128");
	ASSERT_STREQ(kmalloc_slab(w, 7000, GFP_KERNEL | GFP_BIT_ACCOUNT)->name,
	    "kmalloc-cg-8k");
	/* above KMALLOC_MAX_CACHE_SIZE: pages of get_order(size) */
	for (size_t i = 0; i < ARRAY_SIZE(large); i++) {
		ASSERT_EQ(kmalloc(w, large[i].size, GFP_KERNEL, 0, &h, &s,
		    &res, NULL), 0);
		ASSERT(s == NULL);
		ASSERT_EQ(res.path, SLAB_PATH_LARGE);
		ASSERT_UEQ(res.pages_allocated, UINT64_C(1) << large[i].order);
		ASSERT_UEQ(slab_ksize(w, h), UINT64_C(4096) << large[i].order);
		ASSERT_EQ(kfree(w, h, 0, &res, NULL), 0);
	}
	/* kmalloc(0) is ZERO_SIZE_PTR: no object, no slab */
	ASSERT_EQ(kmalloc(w, 0, GFP_KERNEL, 0, &h, &s, &res, NULL), 0);
	ASSERT_EQ(h, SLAB_HANDLE_NONE);
	ASSERT_EQ(res.path, SLAB_PATH_ZERO);
	ASSERT(consistent(w));
	slab_world_destroy(w);
	machine_destroy(m);
}

/*
 * /sys/kernel/slab on a 2-CPU x86-64 6.18 kernel, 4 KiB pages:
 * object_size, align and flags the cache was created with, then
 * slab_size, order, objs_per_slab, cpu_partial and min_partial read back.
 */
static const struct geom {
	const char *name;
	unsigned object_size, align, flags;
	unsigned slab_size, sys_align, order, objs, cpu_partial, min_partial;
} reference[] = {
	{ "dentry", 192, 8, SLAB_RECLAIM_ACCOUNT | SLAB_ACCOUNT |
	    SLAB_HAS_USERSIZE, 192, 8, 0, 21, 120, 5 },
	{ "inode_cache", 616, 8, SLAB_RECLAIM_ACCOUNT | SLAB_ACCOUNT |
	    SLAB_HAS_CTOR, 624, 8, 1, 13, 52, 5 },
	{ "task_struct", 5840, 64, SLAB_ACCOUNT | SLAB_HAS_USERSIZE,
	    5888, 64, 3, 5, 6, 6 },
	/* 6.18 gives it sheaves, which keep it unmerged */
	{ "vm_area_struct", 192, 0, SLAB_HWCACHE_ALIGN | SLAB_ACCOUNT |
	    SLAB_NO_MERGE, 192, 64, 0, 21, 120, 5 },
	{ "radix_tree_node", 576, 8, SLAB_RECLAIM_ACCOUNT | SLAB_HAS_CTOR,
	    584, 8, 1, 14, 52, 5 },
	{ "mm_struct", 1568, 0, SLAB_HWCACHE_ALIGN | SLAB_ACCOUNT |
	    SLAB_HAS_USERSIZE, 1600, 64, 3, 20, 24, 5 },
	/* RCU-typesafe since 6.12: 184 + a free pointer, aligned */
	{ "filp", 184, 0, SLAB_HWCACHE_ALIGN | SLAB_TYPESAFE_BY_RCU |
	    SLAB_ACCOUNT, 192, 64, 0, 21, 120, 5 },
	{ "sighand_cache", 2080, 0, SLAB_HWCACHE_ALIGN | SLAB_TYPESAFE_BY_RCU |
	    SLAB_ACCOUNT | SLAB_HAS_CTOR, 2112, 64, 3, 15, 24, 5 },
	{ "names_cache", 4096, 0, SLAB_HWCACHE_ALIGN | SLAB_HAS_USERSIZE,
	    4096, 64, 3, 8, 6, 6 },
	{ "ext4_inode_cache", 1120, 8, SLAB_RECLAIM_ACCOUNT | SLAB_ACCOUNT |
	    SLAB_HAS_CTOR, 1128, 8, 2, 14, 24, 5 },
	{ "signal_cache", 1152, 0, SLAB_HWCACHE_ALIGN | SLAB_ACCOUNT,
	    1152, 64, 2, 14, 24, 5 },
	{ "buffer_head", 104, 8, SLAB_RECLAIM_ACCOUNT,
	    104, 8, 0, 39, 120, 5 },
	/* order 1 would waste 608 of 8192 bytes: over 1/16, so order 2 */
	{ "hugetlbfs_inode_cache", 624, 8, SLAB_ACCOUNT | SLAB_HAS_CTOR,
	    632, 8, 2, 25, 52, 5 },
};

/* The kmalloc caches the world creates, same source. */
static const struct kgeom {
	const char *name;
	unsigned slab_size, align, order, objs, cpu_partial, min_partial;
} kreference[] = {
	{ "kmalloc-8", 8, 8, 0, 512, 120, 5 },
	{ "kmalloc-16", 16, 16, 0, 256, 120, 5 },
	{ "kmalloc-32", 32, 32, 0, 128, 120, 5 },
	{ "kmalloc-64", 64, 64, 0, 64, 120, 5 },
	{ "kmalloc-96", 96, 32, 0, 42, 120, 5 },
	{ "kmalloc-128", 128, 128, 0, 32, 120, 5 },
	{ "kmalloc-192", 192, 64, 0, 21, 120, 5 },
	{ "kmalloc-256", 256, 256, 0, 16, 52, 5 },
	{ "kmalloc-512", 512, 512, 1, 16, 52, 5 },
	{ "kmalloc-1k", 1024, 1024, 2, 16, 24, 5 },
	{ "kmalloc-2k", 2048, 2048, 3, 16, 24, 5 },
	{ "kmalloc-4k", 4096, 4096, 3, 8, 6, 6 },
	{ "kmalloc-8k", 8192, 8192, 3, 4, 6, 6 },
	{ "kmalloc-rcl-64", 64, 64, 0, 64, 120, 5 },
	{ "dma-kmalloc-192", 192, 64, 0, 21, 120, 5 },
	{ "kmalloc-cg-1k", 1024, 1024, 2, 16, 24, 5 },
};

TEST(geometry_matches_the_kernel)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m = make(&cfg, nodes);
	struct slab_world *w;
	struct kmem_cache *s;
	size_t i;

	ASSERT(m != NULL);
	ASSERT_EQ(m->nr_cpus, 2);
	w = slab_world_create(m, NULL);
	for (i = 0; i < ARRAY_SIZE(kreference); i++) {
		const struct kgeom *g = &kreference[i];

		s = kmem_cache_lookup(w, g->name);
		if (s == NULL)
			TAP_FAIL("no cache %s", g->name);
		if (s->size != g->slab_size || s->align != g->align ||
		    s->order != g->order || s->objects != g->objs ||
		    s->cpu_partial != g->cpu_partial ||
		    s->min_partial != g->min_partial)
			TAP_FAIL("%s: size %u align %u order %u objs %u "
			    "cpu_partial %u min_partial %u; kernel %u %u %u "
			    "%u %u %u", g->name, s->size, s->align, s->order,
			    s->objects, s->cpu_partial, s->min_partial,
			    g->slab_size, g->align, g->order, g->objs,
			    g->cpu_partial, g->min_partial);
	}
	for (i = 0; i < ARRAY_SIZE(reference); i++) {
		const struct geom *g = &reference[i];

		ASSERT_EQ(kmem_cache_create(w, g->name, g->object_size,
		    g->align, g->flags, &s, NULL), 0);
		if (s->object_size != g->object_size ||
		    s->size != g->slab_size || s->align != g->sys_align ||
		    s->order != g->order || s->objects != g->objs ||
		    s->cpu_partial != g->cpu_partial ||
		    s->min_partial != g->min_partial)
			TAP_FAIL("%s: size %u align %u order %u objs %u "
			    "cpu_partial %u min_partial %u; kernel %u %u %u "
			    "%u %u %u", g->name, s->size, s->align, s->order,
			    s->objects, s->cpu_partial, s->min_partial,
			    g->slab_size, g->sys_align, g->order, g->objs,
			    g->cpu_partial, g->min_partial);
	}
	slab_world_destroy(w);
	machine_destroy(m);
}

/* A 4096-byte object without flags: size 4096, order 3 (12 objects
 * wanted for 2 CPUs, 8 fit), cpu_partial 6 objects = 2 slabs,
 * min_partial ilog2(4096) / 2 = 6. */
static struct kmem_cache *make_4k(struct slab_world *w)
{
	struct kmem_cache *s = NULL;

	if (kmem_cache_create(w, "t4k", 4096, 0, 0, &s, NULL) != 0)
		return NULL;
	return s;
}

TEST(grow_and_shrink)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m = make(&cfg, nodes);
	struct slab_world *w;
	struct kmem_cache *s;
	struct slab_result res;
	struct slab_info si;
	struct zone *z;
	slab_handle_t h[160];
	uint64_t free0;
	int i;

	ASSERT(m != NULL);
	z = m->zones[0];
	w = slab_world_create(m, NULL);
	s = make_4k(w);
	ASSERT(s != NULL);
	ASSERT_EQ(s->order, 3);
	ASSERT_EQ(s->objects, 8);
	ASSERT_EQ(s->cpu_partial_slabs, 2);
	ASSERT_EQ(s->min_partial, 6);
	free0 = z->free_pages;
	/* 100 objects: ceil(100 / 8) = 13 slabs of 8 pages */
	for (i = 0; i < 100; i++) {
		ASSERT_EQ(kmem_cache_alloc(w, s, 0, GFP_KERNEL, &h[i], &res,
		    NULL), 0);
		ASSERT(h[i] != SLAB_HANDLE_NONE);
	}
	ASSERT_UEQ(free0 - z->free_pages, 13 * 8);
	slab_get_info(w, s, &si);
	ASSERT_UEQ(si.num_slabs, 13);
	ASSERT_UEQ(si.num_objs, 104);
	ASSERT_UEQ(si.inuse_objs, 100);
	ASSERT_UEQ(w->nr_slab_unreclaimable, 104);
	for (; i < 160; i++)
		ASSERT_EQ(kmem_cache_alloc(w, s, 0, GFP_KERNEL, &h[i], &res,
		    NULL), 0);
	ASSERT_UEQ(free0 - z->free_pages, 20 * 8);
	ASSERT(consistent(w));
	/*
	 * Free in allocation order on CPU 0.  Each full slab's first free
	 * puts it on CPU 0's partial list; the third finds two there and
	 * drains them to the node, which keeps empty slabs until it holds
	 * min_partial = 6 and discards the rest.  The last slab is CPU 0's
	 * active slab, the one before it stays on its partial list: 6 + 2
	 * slabs kept, 12 discarded.
	 */
	for (i = 0; i < 24; i++)
		ASSERT_EQ(kmem_cache_free(w, s, h[i], 0, &res, NULL), 0);
	/* three slabs in: the first two drained to the node */
	ASSERT_UEQ(s->node[0].nr_partial, 2);
	ASSERT_EQ(s->cpu_slab[0].nr_partial, 1);
	ASSERT_UEQ(s->stat[CPU_PARTIAL_DRAIN], 1);
	for (; i < 160; i++)
		ASSERT_EQ(kmem_cache_free(w, s, h[i], 0, &res, NULL), 0);
	ASSERT_UEQ(free0 - z->free_pages, 8 * 8);
	ASSERT_UEQ(s->node[0].nr_partial, 6);
	ASSERT_EQ(s->cpu_slab[0].nr_partial, 1);
	ASSERT(s->cpu_slab[0].slab != SLAB_HANDLE_NONE);
	ASSERT_UEQ(s->stat[FREE_SLAB], 12);
	slab_get_info(w, s, &si);
	ASSERT_UEQ(si.num_slabs, 8);
	ASSERT_UEQ(si.inuse_objs, 0);
	ASSERT(consistent(w));
	/* the shrinker takes every empty slab, CPU ones included */
	ASSERT_UEQ(slab_shrink(w, &res), 64);
	ASSERT_UEQ(res.pages_freed, 64);
	ASSERT_UEQ(z->free_pages, free0);
	ASSERT_UEQ(w->nr_slab_unreclaimable, 0);
	slab_get_info(w, s, &si);
	ASSERT_UEQ(si.num_slabs, 0);
	ASSERT(consistent(w));
	/* an empty cache can go */
	ASSERT_EQ(kmem_cache_destroy(w, s, &res, NULL), 0);
	ASSERT(kmem_cache_lookup(w, "t4k") == NULL);
	slab_world_destroy(w);
	machine_destroy(m);
}

TEST(destroy_refuses_a_cache_with_objects)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m = make(&cfg, nodes);
	struct slab_world *w;
	struct kmem_cache *s;
	struct slab_result res;
	slab_handle_t h;
	char *cause = NULL;

	ASSERT(m != NULL);
	w = slab_world_create(m, NULL);
	s = make_4k(w);
	ASSERT(s != NULL);
	ASSERT_EQ(kmem_cache_alloc(w, s, 0, GFP_KERNEL, &h, &res, NULL), 0);
	ASSERT_EQ(kmem_cache_destroy(w, s, &res, &cause), -1);
	ASSERT_CONTAINS(cause, "still has objects");
	free(cause);
	/* it stays, and its object can still be freed */
	ASSERT(kmem_cache_lookup(w, "t4k") == s);
	ASSERT_EQ(kmem_cache_free(w, s, h, 1, &res, NULL), 0);
	ASSERT(consistent(w));
	/* kmalloc caches are not for destroying */
	ASSERT_EQ(kmem_cache_destroy(w, kmalloc_slab(w, 64, GFP_KERNEL),
	    &res, NULL), -1);
	slab_world_destroy(w);
	machine_destroy(m);
}

TEST(fast_and_slow_paths)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m = make(&cfg, nodes);
	struct slab_world *w;
	struct kmem_cache *s;
	struct slab_result res;
	slab_handle_t h[32], x;
	int i;

	ASSERT(m != NULL);
	w = slab_world_create(m, NULL);
	s = make_4k(w);
	ASSERT(s != NULL);
	/* 20 objects on CPU 0: a new slab every 8, the rest fast */
	for (i = 0; i < 20; i++) {
		ASSERT_EQ(kmem_cache_alloc(w, s, 0, GFP_KERNEL, &h[i], &res,
		    NULL), 0);
		if (i % 8 == 0) {
			ASSERT_EQ(res.path, SLAB_PATH_NEW_SLAB);
			ASSERT(res.page_called);
			ASSERT_UEQ(res.pages_allocated, 8);
			ASSERT_UEQ(res.cycles, m->cost.c[COST_SLAB_SLOW] +
			    m->cost.c[COST_SLAB_NEW] + res.page.cycles);
		} else {
			ASSERT_EQ(res.path, SLAB_PATH_FAST);
			ASSERT_UEQ(res.cycles, m->cost.c[COST_SLAB_FAST]);
		}
	}
	ASSERT_UEQ(s->stat[ALLOC_FASTPATH], 17);
	ASSERT_UEQ(s->stat[ALLOC_SLOWPATH], 3);
	ASSERT_UEQ(s->stat[ALLOC_SLAB], 3);
	ASSERT_UEQ(s->stat[DEACTIVATE_BYPASS], 2);
	/* CPU 0's active slab (h[16..19]): fast */
	ASSERT_EQ(kmem_cache_free(w, s, h[19], 0, &res, NULL), 0);
	ASSERT_EQ(res.path, SLAB_PATH_FREE_FAST);
	ASSERT_UEQ(res.cycles, m->cost.c[COST_SLAB_FREE_FAST]);
	/* a full slab freed from CPU 1: its partial list */
	ASSERT_EQ(kmem_cache_free(w, s, h[0], 1, &res, NULL), 0);
	ASSERT_EQ(res.path, SLAB_PATH_FREE_SLOW);
	ASSERT_UEQ(res.cycles, m->cost.c[COST_SLAB_FREE_SLOW]);
	ASSERT_UEQ(s->stat[CPU_PARTIAL_FREE], 1);
	ASSERT_EQ(s->cpu_slab[1].partial, h[0]);
	/* CPU 0's active slab freed into from CPU 1: frozen, slow */
	ASSERT_EQ(kmem_cache_free(w, s, h[16], 1, &res, NULL), 0);
	ASSERT_EQ(res.path, SLAB_PATH_FREE_SLOW);
	ASSERT_UEQ(s->stat[FREE_FROZEN], 1);
	/* CPU 0 has 5 on its freelist, then the remote free (refill),
	 * then a new slab */
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(kmem_cache_alloc(w, s, 0, GFP_KERNEL, &x, &res,
		    NULL), 0);
		ASSERT_EQ(res.path, SLAB_PATH_FAST);
		ASSERT_EQ(x, h[16]);
	}
	ASSERT_EQ(kmem_cache_alloc(w, s, 0, GFP_KERNEL, &x, &res, NULL), 0);
	ASSERT_EQ(res.path, SLAB_PATH_REFILL);
	ASSERT_EQ(x, h[16]);
	ASSERT_UEQ(res.cycles, m->cost.c[COST_SLAB_SLOW]);
	ASSERT_EQ(kmem_cache_alloc(w, s, 0, GFP_KERNEL, &h[20], &res, NULL), 0);
	ASSERT_EQ(res.path, SLAB_PATH_NEW_SLAB);
	/* CPU 1 has no active slab: its partial list serves */
	ASSERT_EQ(kmem_cache_alloc(w, s, 1, GFP_KERNEL, &x, &res, NULL), 0);
	ASSERT_EQ(res.path, SLAB_PATH_CPU_PARTIAL);
	ASSERT_EQ(x, h[0]);
	ASSERT_UEQ(s->stat[ALLOC_FASTPATH], 22);
	ASSERT_UEQ(s->stat[ALLOC_SLOWPATH], 6);
	ASSERT_UEQ(s->stat[ALLOC_REFILL], 1);
	ASSERT_UEQ(s->stat[CPU_PARTIAL_ALLOC], 1);
	ASSERT_UEQ(s->stat[ALLOC_SLAB], 4);
	ASSERT_UEQ(s->stat[FREE_FASTPATH], 1);
	ASSERT_UEQ(s->stat[FREE_SLOWPATH], 2);
	ASSERT(consistent(w));
	/* shrinking flushes the CPUs: CPU 0's new slab (1 in use) lands
	 * on the node partial list, and CPU 1 takes it from there */
	kmem_cache_shrink(w, s, &res);
	ASSERT_UEQ(s->node[0].nr_partial, 1);
	ASSERT_EQ(s->node[0].partial_head, h[20]);
	ASSERT_EQ(kmem_cache_alloc(w, s, 1, GFP_KERNEL, &x, &res, NULL), 0);
	ASSERT_EQ(res.path, SLAB_PATH_NODE_PARTIAL);
	ASSERT_EQ(x, h[20]);
	ASSERT_UEQ(res.cycles, m->cost.c[COST_SLAB_SLOW] +
	    m->cost.c[COST_SLAB_NODE]);
	ASSERT_UEQ(s->stat[ALLOC_FROM_PARTIAL], 1);
	ASSERT(consistent(w));
	slab_world_destroy(w);
	machine_destroy(m);
}

/*
 * get_partial_node(): the first slab becomes the active one, then slabs
 * go to the CPU partial list until more than cpu_partial_slabs / 2 were
 * moved.  64-byte objects: 64 a slab, cpu_partial 120 objects, so
 * ceil(240 / 64) = 4 slabs, and 3 move after the first.
 */
TEST(get_partial_node_fills_cpu_partial)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m = make(&cfg, nodes);
	struct slab_world *w;
	struct kmem_cache *s;
	struct slab_result res;
	slab_handle_t h[6 * 64], x;
	int i;

	ASSERT(m != NULL);
	w = slab_world_create(m, NULL);
	ASSERT_EQ(kmem_cache_create(w, "t64", 64, 0, SLAB_NO_MERGE, &s, NULL),
	    0);
	ASSERT_EQ(s->objects, 64);
	ASSERT_EQ(s->cpu_partial_slabs, 4);
	for (i = 0; i < 6 * 64; i++)
		ASSERT_EQ(kmem_cache_alloc(w, s, 0, GFP_KERNEL, &h[i], &res,
		    NULL), 0);
	/* one object of each slab back, then everything to the node */
	for (i = 0; i < 6; i++)
		ASSERT_EQ(kmem_cache_free(w, s, h[i * 64], 0, &res, NULL), 0);
	kmem_cache_shrink(w, s, &res);
	ASSERT_UEQ(res.pages_freed, 0);
	ASSERT_UEQ(s->node[0].nr_partial, 6);
	ASSERT_EQ(kmem_cache_alloc(w, s, 1, GFP_KERNEL, &x, &res, NULL), 0);
	ASSERT_EQ(res.path, SLAB_PATH_NODE_PARTIAL);
	ASSERT_EQ(s->cpu_slab[1].nr_partial, 3);
	ASSERT_UEQ(s->node[0].nr_partial, 2);
	ASSERT_UEQ(s->stat[CPU_PARTIAL_NODE], 3);
	ASSERT(consistent(w));
	slab_world_destroy(w);
	machine_destroy(m);
}

TEST(merging)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m = make(&cfg, nodes);
	struct slab_world *w;
	struct slab_opts o;
	struct kmem_cache *a, *b, *c, *x;
	struct slab_result res;

	ASSERT(m != NULL);
	w = slab_world_create(m, NULL);
	ASSERT_EQ(kmem_cache_create(w, "a", 100, 0, 0, &a, NULL), 0);
	ASSERT_EQ(a->size, 104);
	/* same size and flags: an alias of a */
	ASSERT_EQ(kmem_cache_create(w, "b", 100, 0, 0, &b, NULL), 0);
	ASSERT(b == a);
	ASSERT_EQ(a->refcount, 2);
	ASSERT_EQ(a->nr_aliases, 1);
	ASSERT_STREQ(a->aliases[0], "b");
	ASSERT(kmem_cache_lookup(w, "b") == a);
	/* up to a pointer smaller, same size after rounding: merges, and
	 * the cache's object_size grows to the largest asked */
	ASSERT_EQ(kmem_cache_create(w, "b2", 104, 0, 0, &x, NULL), 0);
	ASSERT(x == a);
	ASSERT_EQ(a->object_size, 104);
	ASSERT_EQ(kmem_cache_create(w, "b3", 97, 0, 0, &x, NULL), 0);
	ASSERT(x == a);
	/* a pointer's worth smaller: its own cache */
	ASSERT_EQ(kmem_cache_create(w, "c", 96, 0, 0, &c, NULL), 0);
	ASSERT(c != a);
	/* another SLAB_MERGE_SAME class: its own */
	ASSERT_EQ(kmem_cache_create(w, "d", 100, 0, SLAB_RECLAIM_ACCOUNT, &x,
	    NULL), 0);
	ASSERT(x != a);
	/* a stricter alignment a's size does not meet: its own */
	ASSERT_EQ(kmem_cache_create(w, "e", 100, 16, 0, &x, NULL), 0);
	ASSERT(x != a && x != c);
	ASSERT_EQ(x->size, 112);
	/* SLAB_TYPESAFE_BY_RCU never merges, either way */
	ASSERT_EQ(kmem_cache_create(w, "r1", 100, 0, SLAB_TYPESAFE_BY_RCU, &x,
	    NULL), 0);
	ASSERT(x != a);
	ASSERT_EQ(x->size, 112);	/* free pointer after the object */
	ASSERT_EQ(kmem_cache_create(w, "r2", 100, 0, SLAB_TYPESAFE_BY_RCU, &b,
	    NULL), 0);
	ASSERT(b != x && b != a);
	/* a constructor, SLAB_NO_MERGE: never */
	ASSERT_EQ(kmem_cache_create(w, "k", 100, 0, SLAB_HAS_CTOR, &x, NULL),
	    0);
	ASSERT(x != a);
	ASSERT_EQ(kmem_cache_create(w, "n", 100, 0, SLAB_NO_MERGE, &x, NULL),
	    0);
	ASSERT(x != a);
	/* kmalloc caches are no merge targets (usercopy regions) */
	ASSERT_EQ(kmem_cache_create(w, "k64", 64, 0, 0, &x, NULL), 0);
	ASSERT(x != kmalloc_slab(w, 64, GFP_KERNEL));
	/* a name in use is refused */
	ASSERT_EQ(kmem_cache_create(w, "b", 100, 0, 0, &x, NULL), -1);
	/* destroying through an alias drops a reference only */
	ASSERT_EQ(kmem_cache_destroy(w, a, &res, NULL), 0);
	ASSERT_EQ(a->refcount, 3);
	ASSERT(kmem_cache_lookup(w, "a") == a);
	ASSERT(consistent(w));
	slab_world_destroy(w);

	/* slab_nomerge */
	slab_opts_default(&o);
	o.merge = false;
	w = slab_world_create(m, &o);
	ASSERT_EQ(kmem_cache_create(w, "a", 100, 0, 0, &a, NULL), 0);
	ASSERT_EQ(kmem_cache_create(w, "b", 100, 0, 0, &b, NULL), 0);
	ASSERT(a != b);
	ASSERT_EQ(a->nr_aliases, 0);
	slab_world_destroy(w);
	machine_destroy(m);
}

/* Read a whole stream back. */
static char *dump_of(const struct slab_world *w)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return NULL;
	slab_dump_slabinfo(w, f);
	fclose(f);
	return buf;
}

TEST(slabinfo_format)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m = make(&cfg, nodes);
	struct slab_world *w;
	struct kmem_cache *d, *n, *f;
	struct slab_result res;
	slab_handle_t h[32];
	char *out, *p;
	int i, lines = 0;
	static const char head[] =
	    "slabinfo - version: 2.1\n"
	    "# name            <active_objs> <num_objs> <objsize> <objperslab> "
	    "<pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : "
	    "slabdata <active_slabs> <num_slabs> <sharedavail>\n"
	    "names_cache            8      8   4096    8    8 : tunables    0"
	    "    0    0 : slabdata      1      1      0\n"
	    "dentry                42     42    192   21    1 : tunables    0"
	    "    0    0 : slabdata      2      2      0\n"
	    "filp                   0      0    192   21    1 : tunables    0"
	    "    0    0 : slabdata      0      0      0\n";
	static const char head_shrunk[] =
	    "names_cache            8      8   4096    8    8 : tunables    0"
	    "    0    0 : slabdata      1      1      0\n"
	    "dentry                25     42    192   21    1 : tunables    0"
	    "    0    0 : slabdata      2      2      0\n";
	static const char tail[] =
	    "kmalloc-8              0      0      8  512    1 : tunables    0"
	    "    0    0 : slabdata      0      0      0\n"
	    "kmalloc-192            0      0    192   21    1 : tunables    0"
	    "    0    0 : slabdata      0      0      0\n"
	    "kmalloc-96             0      0     96   42    1 : tunables    0"
	    "    0    0 : slabdata      0      0      0\n";

	ASSERT(m != NULL);
	w = slab_world_create(m, NULL);
	/* objsize is s->size: 192 for filp's 184 */
	ASSERT_EQ(kmem_cache_create(w, "filp", 184, 0, SLAB_HWCACHE_ALIGN |
	    SLAB_TYPESAFE_BY_RCU | SLAB_ACCOUNT, &f, NULL), 0);
	ASSERT_EQ(kmem_cache_create(w, "dentry", 192, 8, SLAB_RECLAIM_ACCOUNT |
	    SLAB_ACCOUNT | SLAB_HAS_USERSIZE, &d, NULL), 0);
	ASSERT_EQ(kmem_cache_create(w, "names_cache", 4096, 0,
	    SLAB_HWCACHE_ALIGN | SLAB_HAS_USERSIZE, &n, NULL), 0);
	/* 30 dentries: one full slab and 9 of the next; then 5 of the
	 * first freed on CPU 1 (its partial list: still "active") */
	for (i = 0; i < 30; i++)
		ASSERT_EQ(kmem_cache_alloc(w, d, 0, GFP_KERNEL, &h[i], &res,
		    NULL), 0);
	for (i = 0; i < 5; i++)
		ASSERT_EQ(kmem_cache_free(w, d, h[i], 1, &res, NULL), 0);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(kmem_cache_alloc(w, n, 0, GFP_KERNEL, &h[i], &res,
		    NULL), 0);
	out = dump_of(w);
	ASSERT(out != NULL);
	if (strncmp(out, head, sizeof head - 1) != 0) {
		printf("# got:\n%.600s", out);
		free(out);
		TAP_FAIL("slabinfo head differs");
	}
	for (p = out; *p; p++)
		lines += *p == '\n';
	i = (int)strlen(out);
	if (lines != 2 + 3 + 4 * 13 || i < (int)sizeof tail - 1 ||
	    strcmp(out + i - (int)sizeof tail + 1, tail) != 0) {
		printf("# %d lines, ends:\n%s", lines, out + i - 300);
		free(out);
		TAP_FAIL("slabinfo tail differs");
	}
	free(out);
	/* shrinking dentry flushes both CPUs: both slabs go to the node
	 * partial list, whose free objects (12 + 5) are not active */
	kmem_cache_shrink(w, d, &res);
	out = dump_of(w);
	ASSERT(out != NULL);
	p = strstr(out, "names_cache");
	if (p == NULL || strncmp(p, head_shrunk, sizeof head_shrunk - 1)) {
		printf("# got:\n%.600s", out);
		free(out);
		TAP_FAIL("slabinfo after shrink differs");
	}
	free(out);
	ASSERT(consistent(w));
	slab_world_destroy(w);
	machine_destroy(m);
}

TEST(kmalloc_large_and_krealloc)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m = make(&cfg, nodes);
	struct slab_world *w;
	struct kmem_cache *s;
	struct slab_result res;
	struct zone *z;
	slab_handle_t h, h2;
	uint64_t free0;

	ASSERT(m != NULL);
	z = m->zones[0];
	w = slab_world_create(m, NULL);
	free0 = z->free_pages;
	/* 8193 bytes: an order-2 block of its own */
	ASSERT_EQ(kmalloc(w, 8193, GFP_KERNEL, 0, &h, &s, &res, NULL), 0);
	ASSERT(h != SLAB_HANDLE_NONE && s == NULL);
	ASSERT_EQ(res.path, SLAB_PATH_LARGE);
	ASSERT_UEQ(free0 - z->free_pages, 4);
	ASSERT_UEQ(w->nr_large_pages, 4);
	ASSERT_UEQ(w->nr_slab_unreclaimable, 4);
	ASSERT(consistent(w));
	ASSERT_EQ(kfree(w, h, 1, &res, NULL), 0);
	ASSERT_EQ(res.path, SLAB_PATH_LARGE);
	ASSERT_UEQ(res.pages_freed, 4);
	ASSERT_UEQ(z->free_pages, free0);
	ASSERT_UEQ(w->nr_large, 0);
	ASSERT_UEQ(w->nr_slab_unreclaimable, 0);
	/* a freed handle is refused */
	ASSERT_EQ(kfree(w, h, 0, &res, NULL), -1);
	/* 8192 is still a kmalloc cache: an order-3 slab */
	ASSERT_EQ(kmalloc(w, 8192, GFP_KERNEL, 0, &h, &s, &res, NULL), 0);
	ASSERT_STREQ(s->name, "kmalloc-8k");
	ASSERT_EQ(res.path, SLAB_PATH_NEW_SLAB);
	ASSERT_UEQ(free0 - z->free_pages, 8);
	ASSERT_EQ(kfree(w, h, 0, &res, NULL), 0);
	/* krealloc: in place while it fits the object */
	ASSERT_EQ(kmalloc(w, 100, GFP_KERNEL, 0, &h, &s, &res, NULL), 0);
	ASSERT_STREQ(s->name, "kmalloc-128");
	ASSERT_EQ(krealloc(w, h, 128, GFP_KERNEL, 0, &h2, &s, &res, NULL), 0);
	ASSERT_EQ(h2, h);
	ASSERT_EQ(krealloc(w, h, 200, GFP_KERNEL, 0, &h2, &s, &res, NULL), 0);
	ASSERT_STREQ(s->name, "kmalloc-256");
	ASSERT_EQ(kmalloc_slab(w, 100, GFP_KERNEL)->inuse_objects, 0);
	ASSERT_EQ(s->inuse_objects, 1);
	/* internal fragmentation: 100 asked, 128 given; 200 asked, 256 */
	ASSERT_UEQ(kmalloc_slab(w, 100, GFP_KERNEL)->bytes_requested, 100);
	ASSERT_UEQ(kmalloc_slab(w, 100, GFP_KERNEL)->bytes_allocated, 128);
	ASSERT_UEQ(s->bytes_requested, 200);
	ASSERT_UEQ(s->bytes_allocated, 256);
	ASSERT_EQ(krealloc(w, h2, 0, GFP_KERNEL, 0, &h, &s, &res, NULL), 0);
	ASSERT_EQ(h, SLAB_HANDLE_NONE);
	ASSERT(consistent(w));
	slab_shrink(w, &res);
	ASSERT_UEQ(z->free_pages, free0);
	slab_world_destroy(w);
	machine_destroy(m);
}

/* allocate_slab(): when the cache's order is not to be had, the minimum
 * order serves (ORDER_FALLBACK). */
TEST(order_fallback)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m = make(&cfg, nodes);
	struct slab_world *w;
	struct kmem_cache *s;
	struct slab_result res;
	struct zone *z;
	slab_handle_t h;
	uint64_t pfn, *held;
	size_t nheld = 0, cap = 1 << 15;

	ASSERT(m != NULL);
	z = m->zones[0];
	w = slab_world_create(m, NULL);
	/* task_struct-like: order 3, min order 1 */
	ASSERT_EQ(kmem_cache_create(w, "ts", 5840, 64, 0, &s, NULL), 0);
	ASSERT_EQ(s->order, 3);
	ASSERT_EQ(s->min_order, 1);
	ASSERT_EQ(s->min_objects, 1);
	/* take every page in order-1 blocks, then give back every other:
	 * free memory is all order 1 */
	held = xmalloc(cap * sizeof *held);
	while (nheld < cap && (pfn = mk_alloc(m, 1, GFP_KERNEL, 0, NULL)) !=
	    OP_PFN_NONE)
		held[nheld++] = pfn;
	ASSERT_UEQ(z->free_pages, 0);
	for (size_t i = 0; i < nheld; i += 2)
		mk_free(m, held[i], 1);
	ASSERT_EQ(kmem_cache_alloc(w, s, 0, GFP_KERNEL, &h, &res, NULL), 0);
	ASSERT(h != SLAB_HANDLE_NONE);
	ASSERT(res.order_fallback);
	ASSERT_UEQ(res.pages_allocated, 2);
	ASSERT_EQ(slab_get(w, h)->objects, 1);
	ASSERT_UEQ(s->stat[ORDER_FALLBACK], 1);
	ASSERT(consistent(w));
	free(held);
	slab_world_destroy(w);
	machine_destroy(m);
}

int main(void)
{
	RUN(kmalloc_size_classes);
	RUN(geometry_matches_the_kernel);
	RUN(grow_and_shrink);
	RUN(destroy_refuses_a_cache_with_objects);
	RUN(fast_and_slow_paths);
	RUN(get_partial_node_fills_cpu_partial);
	RUN(merging);
	RUN(slabinfo_format);
	RUN(kmalloc_large_and_krealloc);
	RUN(order_fallback);
	return tap_done();
}
