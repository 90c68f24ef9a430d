/*
 * slab.c - the SLUB allocator of Linux 6.18 (mm/slub.c, mm/slab_common.c)
 * on kmsim's page allocator.  See slab.h for what is modelled; the
 * simplifications are:
 *  - no debug layouts (red zones, poisoning, owner tracking), no KASAN,
 *    no kfence, no memcg charging (SLAB_ACCOUNT only picks the cache);
 *  - no sheaves (6.18 gives them only to caches that ask for a capacity);
 *  - no get_any_partial(): a CPU takes partial slabs from its own node
 *    only (the kernel's remote_node_defrag_ratio draw is random anyway);
 *  - no pfmemalloc slabs; SLAB_TYPESAFE_BY_RCU frees are immediate (no
 *    grace period) and always place the free pointer outside the object
 *    (no kmem_cache_args.freeptr_offset).
 */
#include "kmsim_config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "mm/slab.h"

/* mm/slub.c: the bounds of min_partial and the object count limit. */
#define MIN_PARTIAL		5
#define MAX_PARTIAL		10
#define MAX_OBJS_PER_PAGE	32767
/* mm/slub.c:SHRINK_PROMOTE_MAX. */
#define SHRINK_PROMOTE_MAX	32
/* cache_line_size() and ARCH_KMALLOC_MINALIGN / ARCH_SLAB_MINALIGN on
 * x86-64; objects are laid out in units of a pointer. */
#define CACHE_LINE_SIZE		64
#define ARCH_KMALLOC_MINALIGN	8
#define ARCH_SLAB_MINALIGN	8
#define PTR_SIZE		8

/*
 * include/linux/gfp.h: GFP_RECLAIM_MASK | GFP_CONSTRAINT_MASK, what
 * new_slab() keeps of the caller's flags: zone, mobility, __GFP_ZERO and
 * __GFP_ACCOUNT are the cache's business, not the caller's.
 */
#define GFP_SLAB_KEEP	(GFP_BIT_RECLAIM | GFP_BIT_HIGH | GFP_BIT_IO | \
	GFP_BIT_FS | GFP_BIT_NOWARN | GFP_BIT_RETRY_MAYFAIL | GFP_BIT_NOFAIL | \
	GFP_BIT_NORETRY | GFP_BIT_MEMALLOC | GFP_BIT_NOMEMALLOC | \
	GFP_BIT_HARDWALL | GFP_BIT_THISNODE)

const char *const slab_stat_names[NR_SLAB_STAT_ITEMS] = {
	[ALLOC_FASTPATH] = "alloc_fastpath",
	[ALLOC_SLOWPATH] = "alloc_slowpath",
	[FREE_FASTPATH] = "free_fastpath",
	[FREE_SLOWPATH] = "free_slowpath",
	[FREE_FROZEN] = "free_frozen",
	[FREE_ADD_PARTIAL] = "free_add_partial",
	[FREE_REMOVE_PARTIAL] = "free_remove_partial",
	[ALLOC_FROM_PARTIAL] = "alloc_from_partial",
	[ALLOC_SLAB] = "alloc_slab",
	[ALLOC_REFILL] = "alloc_refill",
	[FREE_SLAB] = "free_slab",
	[CPUSLAB_FLUSH] = "cpuslab_flush",
	[DEACTIVATE_FULL] = "deactivate_full",
	[DEACTIVATE_EMPTY] = "deactivate_empty",
	[DEACTIVATE_BYPASS] = "deactivate_bypass",
	[ORDER_FALLBACK] = "order_fallback",
	[CPU_PARTIAL_ALLOC] = "cpu_partial_alloc",
	[CPU_PARTIAL_FREE] = "cpu_partial_free",
	[CPU_PARTIAL_NODE] = "cpu_partial_node",
	[CPU_PARTIAL_DRAIN] = "cpu_partial_drain",
	[ALLOC_FAILED] = "alloc_failed",
};

static const char *const kmalloc_prefix[NR_KMALLOC_TYPES] = {
	[KMALLOC_NORMAL] = "kmalloc-",
	[KMALLOC_RECLAIM] = "kmalloc-rcl-",
	[KMALLOC_DMA] = "dma-kmalloc-",
	[KMALLOC_CGROUP] = "kmalloc-cg-",
};

static inline uint64_t align_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) & ~(a - 1);
}

static inline void stat(struct kmem_cache *s, enum slab_stat_item si)
{
	s->stat[si]++;
}

static inline uint64_t cost(const struct slab_world *w, enum cost_item ci)
{
	return w->m->cost.c[ci];
}

static void result_init(struct slab_result *res)
{
	memset(res, 0, sizeof *res);
	res->page.pfn = NO_PFN;
}

void slab_opts_default(struct slab_opts *o)
{
	memset(o, 0, sizeof *o);
	o->merge = true;
	o->cpu_partial = true;
	o->max_order = PAGE_ALLOC_COSTLY_ORDER;
}

/* ---- geometry ---- */

unsigned slab_get_order(const struct slab_world *w, uint64_t size)
{
	unsigned order = 0;

	while ((w->m->page_size << order) < size)
		order++;
	return order;
}

uint64_t kmalloc_max_cache_size(const struct slab_world *w)
{
	return UINT64_C(1) << w->kmalloc_shift_high;
}

/* Models mm/slub.c:order_objects(). */
static unsigned order_objects(const struct slab_world *w, unsigned order,
    unsigned size)
{
	return (unsigned)((w->m->page_size << order) / size);
}

/* Models mm/slab_common.c:calculate_alignment(). */
static unsigned calculate_alignment(unsigned flags, unsigned align,
    unsigned size)
{
	if (flags & SLAB_HWCACHE_ALIGN) {
		unsigned ralign = CACHE_LINE_SIZE;

		/* small objects share a line rather than pad out to it */
		while (size <= ralign / 2)
			ralign /= 2;
		align = KMSIM_MAX(align, ralign);
	}
	align = KMSIM_MAX(align, ARCH_SLAB_MINALIGN);
	return (unsigned)align_up(align, PTR_SIZE);
}

/* Models mm/slub.c:calc_slab_order(): the smallest order from min_order
 * whose leftover is at most 1/fract_leftover of the slab. */
static unsigned calc_slab_order(const struct slab_world *w, unsigned size,
    unsigned min_order, unsigned max_order, unsigned fract_leftover)
{
	unsigned order;

	for (order = min_order; order <= max_order; order++) {
		uint64_t slab_size = w->m->page_size << order;

		if (slab_size % size <= slab_size / fract_leftover)
			break;
	}
	return order;
}

/* Models mm/slub.c:calculate_order().  -1: no order holds the object. */
static int calculate_order(const struct slab_world *w, unsigned size)
{
	unsigned min_objects = w->opts.min_objects, max_objects, min_order;
	unsigned max_order = w->opts.max_order, fraction, order;

	if (min_objects == 0) {
		/* num_present_cpus(): fewer objects per slab on small
		 * machines, where per-cpu caching matters less */
		unsigned nr_cpus = (unsigned)w->m->nr_cpus;

		unsigned fls = kmsim_ilog2(nr_cpus ? nr_cpus : 1) + 1;

		min_objects = 4 * (fls + 1);
	}
	max_objects = KMSIM_MAX(order_objects(w, max_order, size), 1u);
	min_objects = KMSIM_MIN(min_objects, max_objects);
	min_order = KMSIM_MAX(w->opts.min_order,
	    slab_get_order(w, (uint64_t)min_objects * size));
	if (order_objects(w, min_order, size) > MAX_OBJS_PER_PAGE)
		return (int)slab_get_order(w, (uint64_t)size *
		    MAX_OBJS_PER_PAGE) - 1;
	/* accept 1/16 of waste first, then back off to 1/2 */
	for (fraction = 16; fraction > 1; fraction /= 2) {
		order = calc_slab_order(w, size, min_order, max_order,
		    fraction);
		if (order <= max_order)
			return (int)order;
	}
	order = slab_get_order(w, size);
	return order <= w->m->max_order ? (int)order : -1;
}

/* Models mm/slub.c:set_min_partial(). */
static unsigned min_partial_of(unsigned size)
{
	unsigned mp = kmsim_ilog2(size) / 2;

	return KMSIM_MAX(KMSIM_MIN(mp, MAX_PARTIAL), MIN_PARTIAL);
}

/* Models mm/slub.c:set_cpu_partial() and slub_set_cpu_partial(). */
static void set_cpu_partial(const struct slab_world *w, struct kmem_cache *s)
{
	unsigned nr;

	if (!w->opts.cpu_partial)
		nr = 0;
	else if (s->size >= w->m->page_size)
		nr = 6;
	else if (s->size >= 1024)
		nr = 24;
	else if (s->size >= 256)
		nr = 52;
	else
		nr = 120;
	s->cpu_partial = nr;
	/* the limit is on slabs, assuming them half full */
	s->cpu_partial_slabs = (nr * 2 + s->objects - 1) / s->objects;
}

/* Models mm/slub.c:calculate_sizes() without debug metadata. */
static int calculate_sizes(const struct slab_world *w, struct kmem_cache *s)
{
	unsigned size = (unsigned)align_up(s->object_size, PTR_SIZE);
	int order;

	if (s->flags & (SLAB_TYPESAFE_BY_RCU | SLAB_HAS_CTOR)) {
		/* the object must stay intact while free: the free
		 * pointer goes after it */
		s->offset = size;
		size += PTR_SIZE;
	} else {
		/* mid-object, away from small overflows of neighbours */
		s->offset = s->object_size / 2 / PTR_SIZE * PTR_SIZE;
	}
	size = (unsigned)align_up(size, s->align);
	s->size = size;
	order = calculate_order(w, size);
	if (order < 0)
		return -1;
	s->allocflags = 0;
	if (order > 0)
		s->allocflags |= GFP_BIT_COMP;
	if (s->flags & SLAB_CACHE_DMA)
		s->allocflags |= GFP_BIT_DMA;
	if (s->flags & SLAB_CACHE_DMA32)
		s->allocflags |= GFP_BIT_DMA32;
	if (s->flags & SLAB_RECLAIM_ACCOUNT)
		s->allocflags |= GFP_BIT_RECLAIMABLE;
	s->order = (unsigned)order;
	s->objects = order_objects(w, s->order, size);
	s->min_order = slab_get_order(w, size);
	s->min_objects = order_objects(w, s->min_order, size);
	return s->objects ? 0 : -1;
}

/* ---- the slab record pool ---- */

static struct slab *slab_of(const struct slab_world *w, slab_handle_t h)
{
	return &w->slabs[h];
}

static slab_handle_t slab_record_get(struct slab_world *w)
{
	slab_handle_t h;

	if (w->free_slabs != SLAB_HANDLE_NONE) {
		h = w->free_slabs;
		w->free_slabs = w->slabs[h].next;
	} else {
		if (w->nr_slabs_pool == w->slabs_cap) {
			w->slabs_cap = w->slabs_cap ? w->slabs_cap * 2 : 256;
			w->slabs = xreallocarray(w->slabs, w->slabs_cap,
			    sizeof *w->slabs);
		}
		h = w->nr_slabs_pool++;
	}
	memset(&w->slabs[h], 0, sizeof w->slabs[h]);
	w->slabs[h].prev = w->slabs[h].next = SLAB_HANDLE_NONE;
	w->slabs[h].cpu = -1;
	return h;
}

static void slab_record_put(struct slab_world *w, slab_handle_t h)
{
	struct slab *sl = slab_of(w, h);

	sl->list = SLAB_LIST_FREE;
	sl->cache = NULL;
	sl->prev = SLAB_HANDLE_NONE;
	sl->next = w->free_slabs;
	w->free_slabs = h;
}

const struct slab *slab_get(const struct slab_world *w, slab_handle_t h)
{
	if (h >= w->nr_slabs_pool || w->slabs[h].list == SLAB_LIST_FREE)
		return NULL;
	return &w->slabs[h];
}

/* ---- node partial lists ---- */

/* Models mm/slub.c:add_partial(). */
static void add_partial(struct slab_world *w, struct kmem_cache_node *n,
    slab_handle_t h, bool tail)
{
	struct slab *sl = slab_of(w, h);

	sl->list = SLAB_LIST_NODE_PARTIAL;
	sl->cpu = -1;
	if (tail) {
		sl->next = SLAB_HANDLE_NONE;
		sl->prev = n->partial_tail;
		if (n->partial_tail != SLAB_HANDLE_NONE)
			slab_of(w, n->partial_tail)->next = h;
		else
			n->partial_head = h;
		n->partial_tail = h;
	} else {
		sl->prev = SLAB_HANDLE_NONE;
		sl->next = n->partial_head;
		if (n->partial_head != SLAB_HANDLE_NONE)
			slab_of(w, n->partial_head)->prev = h;
		else
			n->partial_tail = h;
		n->partial_head = h;
	}
	n->nr_partial++;
}

/* Models mm/slub.c:remove_partial(). */
static void remove_partial(struct slab_world *w, struct kmem_cache_node *n,
    slab_handle_t h)
{
	struct slab *sl = slab_of(w, h);

	if (sl->prev != SLAB_HANDLE_NONE)
		slab_of(w, sl->prev)->next = sl->next;
	else
		n->partial_head = sl->next;
	if (sl->next != SLAB_HANDLE_NONE)
		slab_of(w, sl->next)->prev = sl->prev;
	else
		n->partial_tail = sl->prev;
	sl->prev = sl->next = SLAB_HANDLE_NONE;
	sl->list = SLAB_LIST_FULL;	/* the caller says where it goes */
	n->nr_partial--;
}

/* ---- slabs from and back to the page allocator ---- */

static void account_pages(struct slab_world *w, const struct kmem_cache *s,
    uint64_t pages, bool add)
{
	uint64_t *ctr = (s != NULL && (s->flags & SLAB_RECLAIM_ACCOUNT)) ?
	    &w->nr_slab_reclaimable : &w->nr_slab_unreclaimable;

	if (add)
		*ctr += pages;
	else
		*ctr -= pages;
}

/* One page_alloc() call; the pfn, or NO_PFN.  -1 for an invalid
 * request (*cause). */
static int slab_page_alloc(struct slab_world *w, int cpu, unsigned order,
    gfp_t gfp, uint64_t *pfn, struct slab_result *res, char **cause)
{
	struct alloc_request req = { .order = order, .gfp = gfp,
	    .preferred_node = machine_cpu_node(w->m, cpu), .migratetype = -1,
	    .cpu = cpu, .policy = MPOL_LOCAL };
	struct alloc_result pr;

	memset(&pr, 0, sizeof pr);
	if (page_alloc(w->m, &req, &pr, cause) != 0)
		return -1;
	res->cycles += pr.cycles;
	res->page = pr;
	res->page_called = true;
	*pfn = pr.pfn;
	return 0;
}

/*
 * Models mm/slub.c:allocate_slab(): the cache's order first, without
 * reclaim and allowed to fail quietly, then the minimum order with the
 * caller's flags.  Returns the new slab's handle, NONE when both failed,
 * or -1 in *err for an invalid request.
 */
static slab_handle_t allocate_slab(struct slab_world *w, struct kmem_cache *s,
    int cpu, gfp_t gfp, struct slab_result *res, int *err, char **cause)
{
	gfp_t flags = (gfp & GFP_SLAB_KEEP) | s->allocflags;
	gfp_t alloc_gfp = (flags | GFP_BIT_NOWARN | GFP_BIT_NORETRY) &
	    ~GFP_BIT_NOFAIL;
	unsigned order = s->order, objects = s->objects;
	uint64_t pfn;
	slab_handle_t h;
	struct slab *sl;
	struct kmem_cache_node *n;
	struct zone *z;

	*err = 0;
	if ((alloc_gfp & GFP_BIT_DIRECT_RECLAIM) && s->order > s->min_order)
		alloc_gfp = (alloc_gfp | GFP_BIT_NOMEMALLOC) &
		    ~GFP_BIT_RECLAIM;
	if (slab_page_alloc(w, cpu, order, alloc_gfp, &pfn, res, cause)) {
		*err = -1;
		return SLAB_HANDLE_NONE;
	}
	if (pfn == NO_PFN) {
		order = s->min_order;
		objects = s->min_objects;
		if (slab_page_alloc(w, cpu, order, flags, &pfn, res, cause)) {
			*err = -1;
			return SLAB_HANDLE_NONE;
		}
		if (pfn == NO_PFN)
			return SLAB_HANDLE_NONE;
		stat(s, ORDER_FALLBACK);
		res->order_fallback = true;
	}
	res->cycles += cost(w, COST_SLAB_NEW);
	res->pages_allocated += UINT64_C(1) << order;
	h = slab_record_get(w);
	sl = slab_of(w, h);
	sl->cache = s;
	sl->pfn = pfn;
	sl->order = (uint8_t)order;
	sl->objects = objects;
	sl->sfree = objects;
	z = machine_pfn_zone(w->m, pfn);
	sl->node = (int16_t)(z != NULL ? z->node : 0);
	sl->list = SLAB_LIST_FULL;
	pfn_to_frame(w->m, pfn)->private = h;
	/* inc_slabs_node() */
	n = &s->node[sl->node];
	n->nr_slabs++;
	n->total_objects += objects;
	n->nr_pages += UINT64_C(1) << order;
	account_pages(w, s, UINT64_C(1) << order, true);
	stat(s, ALLOC_SLAB);
	return h;
}

/* Models mm/slub.c:discard_slab(): the pages back to the buddy. */
static void discard_slab(struct slab_world *w, struct kmem_cache *s,
    slab_handle_t h, int cpu, struct slab_result *res)
{
	struct slab *sl = slab_of(w, h);
	struct kmem_cache_node *n = &s->node[sl->node];
	struct alloc_result pr;
	uint64_t pages = UINT64_C(1) << sl->order;

	n->nr_slabs--;
	n->total_objects -= sl->objects;
	n->nr_pages -= pages;
	account_pages(w, s, pages, false);
	memset(&pr, 0, sizeof pr);
	page_free(w->m, sl->pfn, sl->order, cpu, &pr);
	res->cycles += pr.cycles;
	res->pages_freed += pages;
	res->slabs_freed++;
	stat(s, FREE_SLAB);
	slab_record_put(w, h);
}

/* ---- the per-CPU partial list ---- */

/*
 * Models mm/slub.c:__put_partials(): each slab of a CPU's partial chain
 * to its node's partial list, except an empty one when the node already
 * keeps min_partial slabs: that one is discarded.
 */
static void put_partials(struct slab_world *w, struct kmem_cache *s,
    slab_handle_t head, int cpu, struct slab_result *res)
{
	slab_handle_t h = head, discard = SLAB_HANDLE_NONE, next;

	if (h != SLAB_HANDLE_NONE)
		res->cycles += cost(w, COST_SLAB_NODE);
	while (h != SLAB_HANDLE_NONE) {
		struct slab *sl = slab_of(w, h);
		struct kmem_cache_node *n = &s->node[sl->node];

		next = sl->next;
		if (sl->inuse == 0 && n->nr_partial >= s->min_partial) {
			/* chained LIFO, as the kernel chains them */
			sl->list = SLAB_LIST_FULL;
			sl->next = discard;
			discard = h;
		} else {
			add_partial(w, n, h, true);
			stat(s, FREE_ADD_PARTIAL);
		}
		h = next;
	}
	while (discard != SLAB_HANDLE_NONE) {
		next = slab_of(w, discard)->next;
		stat(s, DEACTIVATE_EMPTY);
		discard_slab(w, s, discard, cpu, res);
		discard = next;
	}
}

/*
 * Models mm/slub.c:put_cpu_partial(): push onto the CPU's partial list;
 * with drain, a list already holding cpu_partial_slabs goes to the node
 * first.
 */
static void put_cpu_partial(struct slab_world *w, struct kmem_cache *s,
    int cpu, slab_handle_t h, bool drain, struct slab_result *res)
{
	struct kmem_cache_cpu *c = &s->cpu_slab[cpu];
	slab_handle_t old = c->partial, unfreeze = SLAB_HANDLE_NONE;
	struct slab *sl = slab_of(w, h);
	uint32_t slabs = 0;

	if (old != SLAB_HANDLE_NONE) {
		if (drain && slab_of(w, old)->slabs >= s->cpu_partial_slabs) {
			unfreeze = old;
			old = SLAB_HANDLE_NONE;
			c->nr_partial = 0;
		} else {
			slabs = slab_of(w, old)->slabs;
		}
	}
	sl->slabs = slabs + 1;
	sl->next = old;
	sl->prev = SLAB_HANDLE_NONE;
	sl->list = SLAB_LIST_CPU_PARTIAL;
	sl->cpu = (int16_t)cpu;
	c->partial = h;
	c->nr_partial++;
	if (unfreeze != SLAB_HANDLE_NONE) {
		put_partials(w, s, unfreeze, cpu, res);
		stat(s, CPU_PARTIAL_DRAIN);
	}
}

/* The slab becomes cpu's active slab: its freelist moves to the CPU. */
static void load_slab(struct slab_world *w, struct kmem_cache *s, int cpu,
    slab_handle_t h)
{
	struct kmem_cache_cpu *c = &s->cpu_slab[cpu];
	struct slab *sl = slab_of(w, h);

	sl->list = SLAB_LIST_CPU;
	sl->cpu = (int16_t)cpu;
	sl->prev = sl->next = SLAB_HANDLE_NONE;
	c->slab = h;
	c->freelist = sl->sfree;
	sl->sfree = 0;
}

/*
 * Models mm/slub.c:get_partial_node(): the first slab of the node's
 * partial list becomes the active slab; more go to the CPU's partial
 * list until over half of cpu_partial_slabs were taken.
 */
static slab_handle_t get_partial_node(struct slab_world *w,
    struct kmem_cache *s, int cpu, int node, struct slab_result *res)
{
	struct kmem_cache_node *n = &s->node[node];
	slab_handle_t h, next, first = SLAB_HANDLE_NONE;
	unsigned partial_slabs = 0;

	if (n->nr_partial == 0)
		return SLAB_HANDLE_NONE;
	res->cycles += cost(w, COST_SLAB_NODE);
	for (h = n->partial_head; h != SLAB_HANDLE_NONE; h = next) {
		next = slab_of(w, h)->next;
		remove_partial(w, n, h);
		if (first == SLAB_HANDLE_NONE) {
			first = h;
			stat(s, ALLOC_FROM_PARTIAL);
			if (s->cpu_partial_slabs == 0)
				break;
		} else {
			put_cpu_partial(w, s, cpu, h, false, res);
			stat(s, CPU_PARTIAL_NODE);
			if (++partial_slabs > s->cpu_partial_slabs / 2)
				break;
		}
	}
	return first;
}

/*
 * Models mm/slub.c:deactivate_slab(): the active slab leaves the CPU
 * with every free object; empty and the node has enough: discarded;
 * with free objects: on the node partial list (its tail when other CPUs
 * freed into it); full: on no list.
 */
static void deactivate_slab(struct slab_world *w, struct kmem_cache *s,
    int cpu, struct slab_result *res)
{
	struct kmem_cache_cpu *c = &s->cpu_slab[cpu];
	slab_handle_t h = c->slab;
	struct slab *sl = slab_of(w, h);
	struct kmem_cache_node *n = &s->node[sl->node];
	bool remote = sl->sfree > 0;

	sl->sfree += c->freelist;
	c->freelist = 0;
	c->slab = SLAB_HANDLE_NONE;
	sl->list = SLAB_LIST_FULL;
	sl->cpu = -1;
	if (sl->inuse == 0 && n->nr_partial >= s->min_partial) {
		stat(s, DEACTIVATE_EMPTY);
		discard_slab(w, s, h, cpu, res);
	} else if (sl->sfree > 0) {
		res->cycles += cost(w, COST_SLAB_NODE);
		add_partial(w, n, h, remote);
	} else {
		stat(s, DEACTIVATE_FULL);
	}
}

/* Models mm/slub.c:flush_slab() and __flush_cpu_slab(). */
static void flush_cpu_slab(struct slab_world *w, struct kmem_cache *s,
    int cpu, struct slab_result *res)
{
	struct kmem_cache_cpu *c = &s->cpu_slab[cpu];
	slab_handle_t partial = c->partial;

	if (c->slab != SLAB_HANDLE_NONE) {
		deactivate_slab(w, s, cpu, res);
		stat(s, CPUSLAB_FLUSH);
	}
	c->partial = SLAB_HANDLE_NONE;
	c->nr_partial = 0;
	put_partials(w, s, partial, cpu, res);
}

static void flush_all(struct slab_world *w, struct kmem_cache *s,
    struct slab_result *res)
{
	int cpu;

	for (cpu = 0; cpu < w->m->nr_cpus; cpu++)
		flush_cpu_slab(w, s, cpu, res);
}

/* ---- allocation and free ---- */

static int check_cpu(const struct slab_world *w, int cpu, char **cause)
{
	if (cpu < 0 || cpu >= w->m->nr_cpus) {
		if (cause != NULL)
			xasprintf(cause, "cpu %d does not exist", cpu);
		return -1;
	}
	return 0;
}

/*
 * Models mm/slub.c:slab_alloc_node(): the fast path takes an object of
 * c->freelist; ___slab_alloc() reloads it from the active slab's remote
 * frees, the CPU partial list, the node partial list (get_partial_node())
 * or a new slab (new_slab()).
 */
static int slab_alloc(struct slab_world *w, struct kmem_cache *s, int cpu,
    gfp_t gfp, slab_handle_t *handle, struct slab_result *res,
    char **cause)
{
	struct kmem_cache_cpu *c = &s->cpu_slab[cpu];
	slab_handle_t h;
	int err;

	*handle = SLAB_HANDLE_NONE;
	if (c->slab != SLAB_HANDLE_NONE && c->freelist > 0) {
		res->cycles += cost(w, COST_SLAB_FAST);
		res->path = SLAB_PATH_FAST;
		stat(s, ALLOC_FASTPATH);
		goto load_freelist;
	}
	res->cycles += cost(w, COST_SLAB_SLOW);
	stat(s, ALLOC_SLOWPATH);
	if (c->slab != SLAB_HANDLE_NONE) {
		struct slab *sl = slab_of(w, c->slab);

		if (sl->sfree > 0) {
			/* get_freelist(): other CPUs freed into it */
			c->freelist = sl->sfree;
			sl->sfree = 0;
			stat(s, ALLOC_REFILL);
			res->path = SLAB_PATH_REFILL;
			goto load_freelist;
		}
		/* exhausted: it leaves the CPU full, on no list */
		sl->list = SLAB_LIST_FULL;
		sl->cpu = -1;
		c->slab = SLAB_HANDLE_NONE;
		stat(s, DEACTIVATE_BYPASS);
	}
	if (c->partial != SLAB_HANDLE_NONE) {
		h = c->partial;
		c->partial = slab_of(w, h)->next;
		c->nr_partial--;
		load_slab(w, s, cpu, h);
		stat(s, CPU_PARTIAL_ALLOC);
		res->path = SLAB_PATH_CPU_PARTIAL;
		goto load_freelist;
	}
	h = get_partial_node(w, s, cpu, machine_cpu_node(w->m, cpu), res);
	if (h != SLAB_HANDLE_NONE) {
		load_slab(w, s, cpu, h);
		res->path = SLAB_PATH_NODE_PARTIAL;
		goto load_freelist;
	}
	h = allocate_slab(w, s, cpu, gfp, res, &err, cause);
	if (err)
		return -1;
	if (h == SLAB_HANDLE_NONE) {
		/* slab_out_of_memory(): the failure is the caller's data */
		stat(s, ALLOC_FAILED);
		res->path = SLAB_PATH_FAILED;
		return 0;
	}
	load_slab(w, s, cpu, h);
	res->path = SLAB_PATH_NEW_SLAB;
load_freelist:
	c->freelist--;
	slab_of(w, c->slab)->inuse++;
	s->inuse_objects++;
	*handle = c->slab;
	return 0;
}

int kmem_cache_alloc(struct slab_world *w, struct kmem_cache *s, int cpu,
    gfp_t gfp, slab_handle_t *handle, struct slab_result *res,
    char **cause)
{
	result_init(res);
	*handle = SLAB_HANDLE_NONE;
	if (s == NULL) {
		if (cause != NULL)
			*cause = xstrdup("kmem_cache_alloc without a cache");
		return -1;
	}
	if (check_cpu(w, cpu, cause))
		return -1;
	if (slab_alloc(w, s, cpu, gfp, handle, res, cause))
		return -1;
	if (*handle != SLAB_HANDLE_NONE) {
		s->bytes_requested += s->object_size;
		s->bytes_allocated += s->object_size;
	}
	return 0;
}

/*
 * Models mm/slub.c:__slab_free(): a free into a slab that is not this
 * CPU's active slab.  A full slab goes to this CPU's partial list; a
 * node partial slab that empties is discarded when the node keeps
 * min_partial slabs; slabs on CPU lists just take the object.
 */
static void slab_free_slow(struct slab_world *w, struct kmem_cache *s,
    slab_handle_t h, int cpu, struct slab_result *res)
{
	struct slab *sl = slab_of(w, h);
	struct kmem_cache_node *n = &s->node[sl->node];
	/* prior == NULL: nothing was free, the slab sat on no list */
	bool was_full = sl->sfree == 0;

	res->cycles += cost(w, COST_SLAB_FREE_SLOW);
	res->path = SLAB_PATH_FREE_SLOW;
	stat(s, FREE_SLOWPATH);
	sl->inuse--;
	sl->sfree++;
	switch (sl->list) {
	case SLAB_LIST_CPU:
		stat(s, FREE_FROZEN);
		return;
	case SLAB_LIST_CPU_PARTIAL:
		/* on some CPU's list, not the node's: nothing to move */
		return;
	case SLAB_LIST_FULL:
		if (!was_full)
			return;
		if (s->cpu_partial_slabs > 0) {
			put_cpu_partial(w, s, cpu, h, true, res);
			stat(s, CPU_PARTIAL_FREE);
			return;
		}
		res->cycles += cost(w, COST_SLAB_NODE);
		if (sl->inuse == 0 && n->nr_partial >= s->min_partial) {
			discard_slab(w, s, h, cpu, res);
			return;
		}
		add_partial(w, n, h, true);
		stat(s, FREE_ADD_PARTIAL);
		return;
	case SLAB_LIST_NODE_PARTIAL:
		if (sl->inuse == 0 && n->nr_partial >= s->min_partial) {
			res->cycles += cost(w, COST_SLAB_NODE);
			remove_partial(w, n, h);
			stat(s, FREE_REMOVE_PARTIAL);
			discard_slab(w, s, h, cpu, res);
		}
		return;
	default:
		return;
	}
}

/* A handle that names a live slab of s with objects in use. */
static int check_handle(const struct slab_world *w, const struct kmem_cache *s,
    slab_handle_t h, char **cause)
{
	const struct slab *sl = slab_get(w, h);

	if (sl == NULL || sl->list == SLAB_LIST_LARGE) {
		if (cause != NULL)
			xasprintf(cause, "slab handle %" PRIu32
			    " names no slab", h);
		return -1;
	}
	if (sl->cache != s) {
		/* cache_from_obj()'s complaint */
		if (cause != NULL)
			xasprintf(cause, "slab handle %" PRIu32 " belongs to "
			    "%s, not %s", h, sl->cache->name,
			    s != NULL ? s->name : "(null)");
		return -1;
	}
	if (sl->inuse == 0) {
		if (cause != NULL)
			xasprintf(cause, "double free: slab handle %" PRIu32
			    " of %s has no object in use", h, s->name);
		return -1;
	}
	return 0;
}

/* Models mm/slub.c:do_slab_free(). */
int kmem_cache_free(struct slab_world *w, struct kmem_cache *s,
    slab_handle_t handle, int cpu, struct slab_result *res, char **cause)
{
	struct kmem_cache_cpu *c;
	struct slab *sl;

	result_init(res);
	if (check_cpu(w, cpu, cause) || check_handle(w, s, handle, cause))
		return -1;
	c = &s->cpu_slab[cpu];
	sl = slab_of(w, handle);
	s->inuse_objects--;
	if (c->slab == handle) {
		c->freelist++;
		sl->inuse--;
		res->cycles += cost(w, COST_SLAB_FREE_FAST);
		res->path = SLAB_PATH_FREE_FAST;
		stat(s, FREE_FASTPATH);
		return 0;
	}
	slab_free_slow(w, s, handle, cpu, res);
	return 0;
}

/* ---- caches ---- */

static struct kmem_cache *cache_alloc(const struct slab_world *w,
    const char *name, unsigned object_size, unsigned align, unsigned flags)
{
	struct kmem_cache *s = xcalloc(1, sizeof *s);
	int i;

	s->name = xstrdup(name);
	s->object_size = object_size;
	s->flags = flags;
	s->align = calculate_alignment(flags, align, object_size);
	s->refcount = 1;
	s->cpu_slab = xcalloc((size_t)w->m->nr_cpus, sizeof *s->cpu_slab);
	for (i = 0; i < w->m->nr_cpus; i++) {
		s->cpu_slab[i].slab = SLAB_HANDLE_NONE;
		s->cpu_slab[i].partial = SLAB_HANDLE_NONE;
	}
	s->node = xcalloc((size_t)w->m->nr_nodes, sizeof *s->node);
	for (i = 0; i < w->m->nr_nodes; i++)
		s->node[i].partial_head = s->node[i].partial_tail =
		    SLAB_HANDLE_NONE;
	return s;
}

static void cache_free(struct kmem_cache *s)
{
	int i;

	for (i = 0; i < s->nr_aliases; i++)
		free(s->aliases[i]);
	free(s->aliases);
	free(s->cpu_slab);
	free(s->node);
	free(s->name);
	free(s);
}

/* Models mm/slab_common.c:create_cache() and kmem_cache_open(). */
static struct kmem_cache *create_cache(struct slab_world *w, const char *name,
    unsigned object_size, unsigned align, unsigned flags, char **cause)
{
	struct kmem_cache *s = cache_alloc(w, name, object_size, align, flags);

	if (calculate_sizes(w, s)) {
		if (cause != NULL)
			xasprintf(cause, "cache %s: object size %u fits no "
			    "slab order", name, object_size);
		cache_free(s);
		return NULL;
	}
	s->min_partial = min_partial_of(s->size);
	set_cpu_partial(w, s);
	if (w->nr_caches == w->caches_cap) {
		w->caches_cap = w->caches_cap ? w->caches_cap * 2 : 64;
		w->caches = xreallocarray(w->caches, (size_t)w->caches_cap,
		    sizeof *w->caches);
	}
	s->id = w->nr_caches;
	w->caches[w->nr_caches++] = s;
	return s;
}

/* Models mm/slab_common.c:slab_unmergeable(). */
static bool slab_unmergeable(const struct slab_world *w,
    const struct kmem_cache *s)
{
	if (!w->opts.merge || (s->flags & SLAB_NEVER_MERGE))
		return true;
	/* a constructor, a usercopy region (CONFIG_HARDENED_USERCOPY) */
	if (s->flags & (SLAB_HAS_CTOR | SLAB_HAS_USERSIZE))
		return true;
	/* being destroyed, or failed to be */
	return s->refcount <= 0;
}

/* Models mm/slab_common.c:find_mergeable(): the oldest compatible cache
 * whose objects are at most a pointer larger. */
static struct kmem_cache *find_mergeable(const struct slab_world *w,
    unsigned size, unsigned align, unsigned flags)
{
	int i;

	if (!w->opts.merge || (flags & (SLAB_HAS_CTOR | SLAB_NEVER_MERGE)))
		return NULL;
	size = (unsigned)align_up(size, PTR_SIZE);
	align = calculate_alignment(flags, align, size);
	size = (unsigned)align_up(size, align);
	for (i = 0; i < w->nr_caches; i++) {
		struct kmem_cache *s = w->caches[i];

		if (slab_unmergeable(w, s))
			continue;
		if (size > s->size)
			continue;
		if ((flags & SLAB_MERGE_SAME) != (s->flags & SLAB_MERGE_SAME))
			continue;
		/* alignment compatible */
		if ((s->size & ~(align - 1)) != s->size)
			continue;
		if (s->size - size >= PTR_SIZE)
			continue;
		return s;
	}
	return NULL;
}

struct kmem_cache *kmem_cache_lookup(const struct slab_world *w,
    const char *name)
{
	int i, j;

	/* a captured kmem_cache_alloc of a kernel that did not print the
	 * cache's name (before 6.2) has none */
	if (name == NULL)
		return NULL;
	for (i = 0; i < w->nr_caches; i++) {
		struct kmem_cache *s = w->caches[i];

		if (strcmp(s->name, name) == 0)
			return s;
		for (j = 0; j < s->nr_aliases; j++)
			if (strcmp(s->aliases[j], name) == 0)
				return s;
	}
	return NULL;
}

/* Models mm/slab_common.c:__kmem_cache_create_args() and
 * __kmem_cache_alias(). */
int kmem_cache_create(struct slab_world *w, const char *name,
    unsigned object_size, unsigned align, unsigned flags,
    struct kmem_cache **out, char **cause)
{
	struct kmem_cache *s;

	*out = NULL;
	if (name == NULL || *name == '\0') {
		if (cause != NULL)
			*cause = xstrdup("kmem_cache_create without a name");
		return -1;
	}
	if (kmem_cache_lookup(w, name) != NULL) {
		if (cause != NULL)
			xasprintf(cause, "cache %s already exists", name);
		return -1;
	}
	if (flags & ~(unsigned)SLAB_FLAGS_KNOWN) {
		if (cause != NULL)
			xasprintf(cause, "cache %s: flags %#x not modelled",
			    name, flags & ~(unsigned)SLAB_FLAGS_KNOWN);
		return -1;
	}
	if (object_size == 0 || (uint64_t)object_size >
	    (w->m->page_size << w->m->max_order)) {
		if (cause != NULL)
			xasprintf(cause, "cache %s: object size %u out of "
			    "range", name, object_size);
		return -1;
	}
	if (align != 0 && !kmsim_is_pow2(align)) {
		if (cause != NULL)
			xasprintf(cause, "cache %s: alignment %u is not a "
			    "power of two", name, align);
		return -1;
	}
	/* a usercopy region keeps a cache to itself */
	if (!(flags & SLAB_HAS_USERSIZE)) {
		s = find_mergeable(w, object_size, align, flags);
		if (s != NULL) {
			s->refcount++;
			/* the alias may ask for a little more */
			s->object_size = KMSIM_MAX(s->object_size, object_size);
			s->aliases = xreallocarray(s->aliases,
			    (size_t)s->nr_aliases + 1, sizeof *s->aliases);
			s->aliases[s->nr_aliases++] = xstrdup(name);
			*out = s;
			return 0;
		}
	}
	s = create_cache(w, name, object_size, align, flags, cause);
	if (s == NULL)
		return -1;
	*out = s;
	return 0;
}

/* Models mm/slub.c:__kmem_cache_shutdown(): flush, free empty partial
 * slabs; -1 if slabs remain. */
static int shutdown_cache(struct slab_world *w, struct kmem_cache *s,
    struct slab_result *res)
{
	int node;
	bool busy = false;

	flush_all(w, s, res);
	for (node = 0; node < w->m->nr_nodes; node++) {
		struct kmem_cache_node *n = &s->node[node];
		slab_handle_t h = n->partial_head, next;

		for (; h != SLAB_HANDLE_NONE; h = next) {
			next = slab_of(w, h)->next;
			if (slab_of(w, h)->inuse == 0) {
				remove_partial(w, n, h);
				discard_slab(w, s, h, 0, res);
			}
		}
		if (n->nr_slabs > 0)
			busy = true;
	}
	return busy ? -1 : 0;
}

int kmem_cache_destroy(struct slab_world *w, struct kmem_cache *s,
    struct slab_result *res, char **cause)
{
	int i;

	result_init(res);
	if (s == NULL)
		return 0;
	if (s->is_kmalloc) {
		if (cause != NULL)
			xasprintf(cause, "%s is a kmalloc cache", s->name);
		return -1;
	}
	if (s->refcount > 0 && --s->refcount > 0)
		return 0;
	if (shutdown_cache(w, s, res)) {
		/* the kernel warns and leaves the cache on its list */
		if (cause != NULL)
			xasprintf(cause, "kmem_cache_destroy %s: Slab cache "
			    "still has objects", s->name);
		return -1;
	}
	for (i = 0; i < w->nr_caches && w->caches[i] != s; i++)
		;
	if (i < w->nr_caches) {
		memmove(&w->caches[i], &w->caches[i + 1],
		    (size_t)(w->nr_caches - i - 1) * sizeof *w->caches);
		w->nr_caches--;
	}
	cache_free(s);
	return 0;
}

/* ---- kmalloc ---- */

/* Models include/linux/slab.h:__kmalloc_index() for KMALLOC_MIN_SIZE 8
 * (and so mm/slab_common.c:kmalloc_size_index[] below 192 bytes). */
unsigned kmalloc_index(size_t size)
{
	if (size == 0)
		return 0;
	if (size <= KMALLOC_MIN_SIZE)
		return KMALLOC_SHIFT_LOW;
	if (size > 64 && size <= 96)
		return 1;
	if (size > 128 && size <= 192)
		return 2;
	return kmsim_ilog2((uint64_t)size - 1) + 1;
}

/* Models include/linux/slab.h:kmalloc_type(): DMA before reclaimable
 * before accounted. */
enum kmalloc_cache_type kmalloc_type(gfp_t gfp)
{
	if (!(gfp & (GFP_BIT_RECLAIMABLE | GFP_BIT_DMA | GFP_BIT_ACCOUNT)))
		return KMALLOC_NORMAL;
	if (gfp & GFP_BIT_DMA)
		return KMALLOC_DMA;
	if (gfp & GFP_BIT_RECLAIMABLE)
		return KMALLOC_RECLAIM;
	return KMALLOC_CGROUP;
}

struct kmem_cache *kmalloc_slab(const struct slab_world *w, size_t size,
    gfp_t gfp)
{
	if (size == 0 || size > kmalloc_max_cache_size(w))
		return NULL;
	return w->kmalloc_caches[kmalloc_type(gfp)][kmalloc_index(size)];
}

/* Models mm/slab_common.c:new_kmalloc_cache(). */
static void new_kmalloc_cache(struct slab_world *w, unsigned idx,
    enum kmalloc_cache_type type)
{
	unsigned size = idx == 1 ? 96 : idx == 2 ? 192 : 1u << idx;
	unsigned flags = SLAB_KMALLOC | SLAB_HAS_USERSIZE;
	char name[48];
	struct kmem_cache *s;

	if (type == KMALLOC_RECLAIM)
		flags |= SLAB_RECLAIM_ACCOUNT;
	else if (type == KMALLOC_CGROUP)
		flags |= SLAB_ACCOUNT;
	else if (type == KMALLOC_DMA)
		flags |= SLAB_CACHE_DMA;
	else
		flags |= SLAB_NO_MERGE;	/* KMALLOC_NORMAL under CONFIG_MEMCG */
	if (size >= (1u << 20))
		snprintf(name, sizeof name, "%s%uM", kmalloc_prefix[type],
		    size >> 20);
	else if (size >= 1024)
		snprintf(name, sizeof name, "%s%uk", kmalloc_prefix[type],
		    size >> 10);
	else
		snprintf(name, sizeof name, "%s%u", kmalloc_prefix[type],
		    size);
	/* create_boot_cache(): kmalloc objects are aligned to the largest
	 * power of two dividing their size */
	s = create_cache(w, name, size, KMSIM_MAX(ARCH_KMALLOC_MINALIGN,
	    size & (~size + 1)), flags, NULL);
	if (s != NULL)
		s->is_kmalloc = true;
	w->kmalloc_caches[type][idx] = s;
}

/* Models mm/slab_common.c:create_kmalloc_caches(): per type, 96 and 192
 * first, then the powers of two. */
static void create_kmalloc_caches(struct slab_world *w)
{
	int type;
	unsigned i;

	for (type = 0; type < NR_KMALLOC_TYPES; type++) {
		new_kmalloc_cache(w, 1, (enum kmalloc_cache_type)type);
		new_kmalloc_cache(w, 2, (enum kmalloc_cache_type)type);
		for (i = KMALLOC_SHIFT_LOW; i <= w->kmalloc_shift_high; i++)
			new_kmalloc_cache(w, i, (enum kmalloc_cache_type)type);
	}
}

/* Models mm/slub.c:__kmalloc_large_node(): pages with __GFP_COMP,
 * counted as unreclaimable slab memory. */
static int kmalloc_large(struct slab_world *w, size_t size, gfp_t gfp,
    int cpu, slab_handle_t *handle, struct slab_result *res, char **cause)
{
	unsigned order = slab_get_order(w, size);
	uint64_t pfn;
	slab_handle_t h;
	struct slab *sl;
	struct zone *z;

	if (order > w->m->max_order) {
		/* the kernel warns and returns NULL */
		res->path = SLAB_PATH_FAILED;
		return 0;
	}
	if (slab_page_alloc(w, cpu, order, gfp | GFP_BIT_COMP, &pfn, res,
	    cause))
		return -1;
	if (pfn == NO_PFN) {
		res->path = SLAB_PATH_FAILED;
		return 0;
	}
	res->path = SLAB_PATH_LARGE;
	res->pages_allocated = UINT64_C(1) << order;
	h = slab_record_get(w);
	sl = slab_of(w, h);
	sl->pfn = pfn;
	sl->order = (uint8_t)order;
	sl->objects = sl->inuse = 1;
	z = machine_pfn_zone(w->m, pfn);
	sl->node = (int16_t)(z != NULL ? z->node : 0);
	sl->list = SLAB_LIST_LARGE;
	pfn_to_frame(w->m, pfn)->private = h;
	w->nr_large++;
	w->nr_large_pages += UINT64_C(1) << order;
	w->nr_slab_unreclaimable += UINT64_C(1) << order;
	w->large_bytes_requested += size;
	*handle = h;
	return 0;
}

int kmalloc(struct slab_world *w, size_t size, gfp_t gfp, int cpu,
    slab_handle_t *handle, struct kmem_cache **cache_out,
    struct slab_result *res, char **cause)
{
	struct kmem_cache *s;

	result_init(res);
	*handle = SLAB_HANDLE_NONE;
	if (cache_out != NULL)
		*cache_out = NULL;
	if (check_cpu(w, cpu, cause))
		return -1;
	if (size == 0) {
		/* ZERO_SIZE_PTR */
		res->path = SLAB_PATH_ZERO;
		return 0;
	}
	if (size > kmalloc_max_cache_size(w))
		return kmalloc_large(w, size, gfp, cpu, handle, res, cause);
	s = kmalloc_slab(w, size, gfp);
	if (cache_out != NULL)
		*cache_out = s;
	if (slab_alloc(w, s, cpu, gfp, handle, res, cause))
		return -1;
	if (*handle != SLAB_HANDLE_NONE) {
		s->bytes_requested += size;
		s->bytes_allocated += s->object_size;
	}
	return 0;
}

/* Models mm/slub.c:free_large_kmalloc(). */
static void free_large(struct slab_world *w, slab_handle_t h, int cpu,
    struct slab_result *res)
{
	struct slab *sl = slab_of(w, h);
	uint64_t pages = UINT64_C(1) << sl->order;
	struct alloc_result pr;

	memset(&pr, 0, sizeof pr);
	page_free(w->m, sl->pfn, sl->order, cpu, &pr);
	res->cycles += pr.cycles;
	res->pages_freed = pages;
	res->path = SLAB_PATH_LARGE;
	w->nr_large--;
	w->nr_large_pages -= pages;
	w->nr_slab_unreclaimable -= pages;
	slab_record_put(w, h);
}

int kfree(struct slab_world *w, slab_handle_t handle, int cpu,
    struct slab_result *res, char **cause)
{
	const struct slab *sl;

	result_init(res);
	if (handle == SLAB_HANDLE_NONE) {
		res->path = SLAB_PATH_ZERO;
		return 0;
	}
	if (check_cpu(w, cpu, cause))
		return -1;
	sl = slab_get(w, handle);
	if (sl == NULL) {
		if (cause != NULL)
			xasprintf(cause, "kfree: slab handle %" PRIu32
			    " names no slab", handle);
		return -1;
	}
	if (sl->list == SLAB_LIST_LARGE) {
		free_large(w, handle, cpu, res);
		return 0;
	}
	return kmem_cache_free(w, sl->cache, handle, cpu, res, cause);
}

uint64_t slab_ksize(const struct slab_world *w, slab_handle_t handle)
{
	const struct slab *sl = slab_get(w, handle);

	if (sl == NULL)
		return 0;
	if (sl->list == SLAB_LIST_LARGE)
		return w->m->page_size << sl->order;
	return sl->cache->object_size;
}

/* Models mm/slub.c:krealloc_noprof() / __do_krealloc(). */
int krealloc(struct slab_world *w, slab_handle_t handle, size_t new_size,
    gfp_t gfp, int cpu, slab_handle_t *out, struct kmem_cache **cache_out,
    struct slab_result *res, char **cause)
{
	struct slab_result fr;
	const struct slab *sl;
	int err;

	*out = SLAB_HANDLE_NONE;
	if (cache_out != NULL)
		*cache_out = NULL;
	if (handle == SLAB_HANDLE_NONE)
		return kmalloc(w, new_size, gfp, cpu, out, cache_out, res,
		    cause);
	if (new_size == 0)
		return kfree(w, handle, cpu, res, cause);
	result_init(res);
	sl = slab_get(w, handle);
	if (sl == NULL) {
		if (cause != NULL)
			xasprintf(cause, "krealloc: slab handle %" PRIu32
			    " names no slab", handle);
		return -1;
	}
	if (new_size <= slab_ksize(w, handle)) {
		/* it still fits: the same object */
		*out = handle;
		if (cache_out != NULL)
			*cache_out = sl->cache;
		res->path = SLAB_PATH_ZERO;
		return 0;
	}
	err = kmalloc(w, new_size, gfp, cpu, out, cache_out, res, cause);
	if (err || *out == SLAB_HANDLE_NONE)
		return err;	/* the old object stays, as in the kernel */
	if (kfree(w, handle, cpu, &fr, cause))
		return -1;
	res->cycles += fr.cycles;
	res->pages_freed += fr.pages_freed;
	res->slabs_freed += fr.slabs_freed;
	return 0;
}

/* ---- shrinking ---- */

/*
 * Models mm/slub.c:__kmem_cache_do_shrink(): flush every CPU, discard
 * every empty slab of the node partial lists, and move the fullest slabs
 * (up to SHRINK_PROMOTE_MAX free objects) to the head, fewest free first.
 */
static uint64_t do_shrink(struct slab_world *w, struct kmem_cache *s,
    struct slab_result *res)
{
	uint64_t before = res->pages_freed;
	int node;

	flush_all(w, s, res);
	for (node = 0; node < w->m->nr_nodes; node++) {
		struct kmem_cache_node *n = &s->node[node];
		slab_handle_t *v, h, next;
		slab_handle_t promote[SHRINK_PROMOTE_MAX];
		slab_handle_t discard = SLAB_HANDLE_NONE;
		size_t nv = 0, i;
		int b;

		if (n->nr_partial == 0)
			continue;
		res->cycles += cost(w, COST_SLAB_NODE);
		v = xmalloc((size_t)n->nr_partial * sizeof *v);
		for (h = n->partial_head; h != SLAB_HANDLE_NONE; h = next) {
			next = slab_of(w, h)->next;
			v[nv++] = h;
		}
		for (b = 0; b < SHRINK_PROMOTE_MAX; b++)
			promote[b] = SLAB_HANDLE_NONE;
		n->partial_head = n->partial_tail = SLAB_HANDLE_NONE;
		n->nr_partial = 0;
		/* list_move() adds at the head: each bucket, and the discard
		 * list, ends up in reverse order of the walk */
		for (i = 0; i < nv; i++) {
			struct slab *sl = slab_of(w, v[i]);
			uint32_t free = sl->objects - sl->inuse;

			if (free == sl->objects) {
				sl->list = SLAB_LIST_FULL;
				sl->next = discard;
				discard = v[i];
			} else if (free <= SHRINK_PROMOTE_MAX) {
				sl->next = promote[free - 1];
				promote[free - 1] = v[i];
			}
		}
		for (b = 0; b < SHRINK_PROMOTE_MAX; b++)
			for (h = promote[b]; h != SLAB_HANDLE_NONE; h = next) {
				next = slab_of(w, h)->next;
				add_partial(w, n, h, true);
			}
		for (i = 0; i < nv; i++) {
			struct slab *sl = slab_of(w, v[i]);
			uint32_t free = sl->objects - sl->inuse;

			if (free != sl->objects && free > SHRINK_PROMOTE_MAX)
				add_partial(w, n, v[i], true);
		}
		free(v);
		for (h = discard; h != SLAB_HANDLE_NONE; h = next) {
			next = slab_of(w, h)->next;
			discard_slab(w, s, h, 0, res);
		}
	}
	return res->pages_freed - before;
}

uint64_t kmem_cache_shrink(struct slab_world *w, struct kmem_cache *s,
    struct slab_result *res)
{
	result_init(res);
	return do_shrink(w, s, res);
}

uint64_t slab_shrink(struct slab_world *w, struct slab_result *res)
{
	uint64_t freed = 0;
	int i;

	result_init(res);
	for (i = 0; i < w->nr_caches; i++)
		freed += do_shrink(w, w->caches[i], res);
	return freed;
}

/* ---- the world ---- */

struct slab_world *slab_world_create(struct machine *m,
    const struct slab_opts *opts)
{
	struct slab_world *w = xcalloc(1, sizeof *w);

	w->m = m;
	if (opts != NULL)
		w->opts = *opts;
	else
		slab_opts_default(&w->opts);
	if (w->opts.max_order > m->max_order)
		w->opts.max_order = m->max_order;
	w->free_slabs = SLAB_HANDLE_NONE;
	/* KMALLOC_SHIFT_HIGH: two pages, bounded by the table */
	w->kmalloc_shift_high = KMSIM_MIN(m->page_shift + 1,
	    (unsigned)KMALLOC_MAX_INDEX - 1);
	create_kmalloc_caches(w);
	return w;
}

void slab_world_destroy(struct slab_world *w)
{
	int i;

	if (w == NULL)
		return;
	for (i = 0; i < w->nr_caches; i++)
		cache_free(w->caches[i]);
	free(w->caches);
	free(w->slabs);
	free(w);
}

/* ---- /proc/slabinfo ---- */

/* Models mm/slub.c:get_slabinfo(): objects free on the CPU lists count
 * as active, as only the node partial lists are counted (count_partial()). */
void slab_get_info(const struct slab_world *w, const struct kmem_cache *s,
    struct slab_info *info)
{
	uint64_t nr_slabs = 0, nr_objs = 0, nr_free = 0, pages = 0;
	int node;

	memset(info, 0, sizeof *info);
	for (node = 0; node < w->m->nr_nodes; node++) {
		const struct kmem_cache_node *n = &s->node[node];
		slab_handle_t h;

		nr_slabs += n->nr_slabs;
		nr_objs += n->total_objects;
		pages += n->nr_pages;
		for (h = n->partial_head; h != SLAB_HANDLE_NONE;
		    h = w->slabs[h].next)
			nr_free += w->slabs[h].objects - w->slabs[h].inuse;
	}
	info->active_objs = nr_objs - nr_free;
	info->num_objs = nr_objs;
	info->objsize = s->size;
	info->objperslab = s->objects;
	info->pagesperslab = 1u << s->order;
	info->active_slabs = info->num_slabs = nr_slabs;
	info->inuse_objs = s->inuse_objects;
	info->slab_bytes = pages * w->m->page_size;
	info->leftover_bytes = info->slab_bytes - nr_objs * s->size;
	info->padding_bytes = s->inuse_objects * (s->size - s->object_size);
	info->free_bytes = (nr_objs - s->inuse_objects) * s->size;
}

/* Models mm/slab_common.c:print_slabinfo_header() and cache_show(); the
 * list is newest first, as create_cache() adds at its head. */
void slab_dump_slabinfo(const struct slab_world *w, FILE *f)
{
	int i;

	fputs("slabinfo - version: 2.1\n", f);
	fputs("# name            <active_objs> <num_objs> <objsize> "
	    "<objperslab> <pagesperslab> : tunables <limit> <batchcount> "
	    "<sharedfactor> : slabdata <active_slabs> <num_slabs> "
	    "<sharedavail>\n", f);
	for (i = w->nr_caches - 1; i >= 0; i--) {
		const struct kmem_cache *s = w->caches[i];
		struct slab_info si;

		slab_get_info(w, s, &si);
		fprintf(f, "%-17s %6" PRIu64 " %6" PRIu64 " %6u %4u %4u",
		    s->name, si.active_objs, si.num_objs, si.objsize,
		    si.objperslab, si.pagesperslab);
		fprintf(f, " : tunables %4u %4u %4u", 0u, 0u, 0u);
		fprintf(f, " : slabdata %6" PRIu64 " %6" PRIu64 " %6u\n",
		    si.active_slabs, si.num_slabs, 0u);
	}
}

/* ---- consistency ---- */

#define CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			if (cause != NULL)				\
				xasprintf(cause, __VA_ARGS__);		\
			return -1;					\
		}							\
	} while (0)

static int check_cache(const struct slab_world *w, const struct kmem_cache *s,
    uint64_t *slabs_seen, char **cause)
{
	uint64_t inuse = 0;
	int cpu, node;

	for (cpu = 0; cpu < w->m->nr_cpus; cpu++) {
		const struct kmem_cache_cpu *c = &s->cpu_slab[cpu];
		uint32_t count = 0;
		slab_handle_t h;

		if (c->slab != SLAB_HANDLE_NONE) {
			const struct slab *sl = &w->slabs[c->slab];

			CHECK(sl->list == SLAB_LIST_CPU && sl->cpu == cpu &&
			    sl->cache == s, "%s: cpu %d active slab %" PRIu32
			    " misplaced", s->name, cpu, c->slab);
			CHECK(sl->inuse + sl->sfree + c->freelist ==
			    sl->objects, "%s: cpu %d active slab counts",
			    s->name, cpu);
		} else {
			CHECK(c->freelist == 0, "%s: cpu %d freelist without "
			    "a slab", s->name, cpu);
		}
		for (h = c->partial; h != SLAB_HANDLE_NONE;
		    h = w->slabs[h].next) {
			const struct slab *sl = &w->slabs[h];

			CHECK(sl->list == SLAB_LIST_CPU_PARTIAL &&
			    sl->cpu == cpu && sl->cache == s, "%s: cpu %d "
			    "partial slab %" PRIu32 " misplaced", s->name,
			    cpu, h);
			CHECK(sl->sfree > 0 && sl->inuse + sl->sfree ==
			    sl->objects, "%s: cpu partial slab counts",
			    s->name);
			CHECK(++count <= c->nr_partial, "%s: cpu %d partial "
			    "list longer than counted", s->name, cpu);
		}
		CHECK(count == c->nr_partial, "%s: cpu %d partial count",
		    s->name, cpu);
	}
	for (node = 0; node < w->m->nr_nodes; node++) {
		const struct kmem_cache_node *n = &s->node[node];
		uint64_t count = 0;
		slab_handle_t h, prev = SLAB_HANDLE_NONE;

		for (h = n->partial_head; h != SLAB_HANDLE_NONE;
		    h = w->slabs[h].next) {
			const struct slab *sl = &w->slabs[h];

			CHECK(sl->list == SLAB_LIST_NODE_PARTIAL &&
			    sl->node == node && sl->cache == s &&
			    sl->prev == prev, "%s: node %d partial slab %"
			    PRIu32 " misplaced", s->name, node, h);
			CHECK(sl->sfree > 0 && sl->inuse + sl->sfree ==
			    sl->objects, "%s: node partial slab counts",
			    s->name);
			CHECK(++count <= n->nr_partial, "%s: node %d partial "
			    "list longer than counted", s->name, node);
			prev = h;
		}
		CHECK(prev == n->partial_tail && count == n->nr_partial,
		    "%s: node %d partial list ends", s->name, node);
	}
	for (slab_handle_t h = 0; h < w->nr_slabs_pool; h++) {
		const struct slab *sl = &w->slabs[h];

		if (sl->cache != s || sl->list == SLAB_LIST_FREE)
			continue;
		inuse += sl->inuse;
		(*slabs_seen)++;
		if (sl->list == SLAB_LIST_FULL)
			CHECK(sl->inuse == sl->objects && sl->sfree == 0,
			    "%s: slab %" PRIu32 " on no list is not full",
			    s->name, h);
	}
	CHECK(inuse == s->inuse_objects, "%s: %" PRIu64 " objects in slabs, "
	    "%" PRIu64 " counted", s->name, inuse, s->inuse_objects);
	return 0;
}

int slab_check(const struct slab_world *w, char **cause)
{
	uint64_t seen = 0, counted = 0, live = 0;
	int i, node;

	for (i = 0; i < w->nr_caches; i++) {
		if (check_cache(w, w->caches[i], &seen, cause))
			return -1;
		for (node = 0; node < w->m->nr_nodes; node++)
			counted += w->caches[i]->node[node].nr_slabs;
	}
	CHECK(seen == counted, "%" PRIu64 " slabs in the pool, %" PRIu64
	    " counted by the nodes", seen, counted);
	for (slab_handle_t h = 0; h < w->nr_slabs_pool; h++)
		if (w->slabs[h].list == SLAB_LIST_LARGE)
			live++;
	CHECK(live == w->nr_large, "%" PRIu64 " large kmallocs, %" PRIu64
	    " counted", live, w->nr_large);
	return 0;
}
