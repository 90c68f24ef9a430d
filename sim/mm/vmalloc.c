/*
 * vmalloc.c - the vmalloc allocator (mm/vmalloc.c).
 *
 * Free address space is a treap of free areas keyed by start address,
 * each node carrying the largest free size in its subtree (the kernel's
 * augmented rbtree and subtree_max_size).  A treap rather than an
 * rbtree because it is short and, with priorities drawn from a fixed
 * sequence, fully deterministic; its shape is irrelevant to placement,
 * which is defined as the lowest address where an aligned fit exists.
 * The kernel's find_vmap_lowest_match() prunes with size + align - 1
 * when align exceeds a page and can therefore pick a higher area than
 * the lowest aligned fit, depending on the rbtree's shape; kmsim takes
 * the exact lowest fit, which equals the kernel's result whenever align
 * is at most a page (every vmalloc() and vmap()).
 *
 * Busy areas and kernel page-table pages live in hash tables; lazily
 * freed areas in an array until a purge merges them back.
 *
 * Page-table pages: x86-64 preallocates the PUD pages of the whole
 * vmalloc range at boot (preallocate_vmalloc_pages()) and never frees the
 * PMD and PTE pages vmalloc populated.  kmsim instead takes each PUD,
 * PMD and PTE page from the buddy when a mapping first touches its range
 * and gives it back when its range holds no mapping any more, so that
 * the cost of vmalloc's page tables shows up where it is incurred and a
 * workload's end state is comparable to its start.  Emptied tables are
 * freed at the next purge, after its TLB flush, because the paging-
 * structure caches may still point at them until then.
 *
 * Not modelled: the per-node pools of small purged areas that 6.9+
 * keeps for reuse by exact size (every purged area merges back into the
 * one free tree), the per-CPU vmap blocks of vm_map_ram(), KASAN shadow,
 * and the deferred purge work: the purge runs inside the free that
 * crosses lazy_max_pages().
 */
#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "mm/vmalloc.h"

/* Page-table levels kmsim allocates (the PGD is the kernel's own). */
enum { PT_PTE, PT_PMD, PT_PUD, PT_LEVELS };
static const unsigned pt_shift[PT_LEVELS] = {
	VMALLOC_PMD_SHIFT, VMALLOC_PUD_SHIFT, VMALLOC_PGD_SHIFT,
};

#define KEY_EMPTY	UINT64_MAX

/* ----- a u64-keyed open-addressing table (linear probing) ----- */

struct uslot {
	uint64_t key;
	uint64_t val;
	uint64_t cnt;
};

struct umap {
	struct uslot *s;
	size_t cap;		/* a power of two, or 0 */
	size_t n;
};

static void umap_init(struct umap *u)
{
	u->s = NULL;
	u->cap = u->n = 0;
}

static size_t umap_home(const struct umap *u, uint64_t key)
{
	return (size_t)kmsim_hash_u64(key) & (u->cap - 1);
}

static struct uslot *umap_find(const struct umap *u, uint64_t key)
{
	size_t i;

	if (u->cap == 0)
		return NULL;
	for (i = umap_home(u, key); u->s[i].key != KEY_EMPTY;
	    i = (i + 1) & (u->cap - 1))
		if (u->s[i].key == key)
			return &u->s[i];
	return NULL;
}

static struct uslot *umap_insert(struct umap *u, uint64_t key);

static void umap_grow(struct umap *u)
{
	struct uslot *old = u->s;
	size_t ocap = u->cap, i;

	u->cap = ocap ? ocap * 2 : 64;
	u->s = xmalloc(u->cap * sizeof *u->s);
	for (i = 0; i < u->cap; i++)
		u->s[i].key = KEY_EMPTY;
	u->n = 0;
	for (i = 0; i < ocap; i++) {
		if (old[i].key != KEY_EMPTY) {
			struct uslot *d = umap_insert(u, old[i].key);

			d->val = old[i].val;
			d->cnt = old[i].cnt;
		}
	}
	free(old);
}

/* A new slot for key (which must be absent), zeroed. */
static struct uslot *umap_insert(struct umap *u, uint64_t key)
{
	size_t i;

	if ((u->n + 1) * 4 > u->cap * 3)
		umap_grow(u);
	for (i = umap_home(u, key); u->s[i].key != KEY_EMPTY;
	    i = (i + 1) & (u->cap - 1))
		;
	u->s[i].key = key;
	u->s[i].val = u->s[i].cnt = 0;
	u->n++;
	return &u->s[i];
}

/* Remove a slot, shifting back the probe chain behind it. */
static void umap_remove(struct umap *u, struct uslot *sl)
{
	size_t i = (size_t)(sl - u->s), j = i, mask = u->cap - 1;

	for (;;) {
		size_t k;

		u->s[i].key = KEY_EMPTY;
		for (;;) {
			j = (j + 1) & mask;
			if (u->s[j].key == KEY_EMPTY) {
				u->n--;
				return;
			}
			k = umap_home(u, u->s[j].key);
			/* can s[j] move to the hole at i? */
			if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
				continue;
			break;
		}
		u->s[i] = u->s[j];
		i = j;
	}
}

/* ----- the free-area treap ----- */

struct fnode {
	uint64_t start, end;
	uint64_t max;		/* subtree_max_size */
	uint32_t prio;
	struct fnode *l, *r;
};

static inline uint64_t fmax_of(const struct fnode *t)
{
	return t ? t->max : 0;
}

static void fupdate(struct fnode *t)
{
	uint64_t m = t->end - t->start;

	m = KMSIM_MAX(m, fmax_of(t->l));
	t->max = KMSIM_MAX(m, fmax_of(t->r));
}

/* Split t into keys < key and >= key. */
static void fsplit(struct fnode *t, uint64_t key, struct fnode **a,
    struct fnode **b)
{
	if (t == NULL) {
		*a = *b = NULL;
	} else if (t->start < key) {
		fsplit(t->r, key, &t->r, b);
		fupdate(t);
		*a = t;
	} else {
		fsplit(t->l, key, a, &t->l);
		fupdate(t);
		*b = t;
	}
}

static struct fnode *fmerge(struct fnode *a, struct fnode *b)
{
	if (a == NULL)
		return b;
	if (b == NULL)
		return a;
	if (a->prio > b->prio) {
		a->r = fmerge(a->r, b);
		fupdate(a);
		return a;
	}
	b->l = fmerge(a, b->l);
	fupdate(b);
	return b;
}

static struct fnode *finsert(struct fnode *t, struct fnode *n)
{
	if (t == NULL || n->prio > t->prio) {
		fsplit(t, n->start, &n->l, &n->r);
		fupdate(n);
		return n;
	}
	if (n->start < t->start)
		t->l = finsert(t->l, n);
	else
		t->r = finsert(t->r, n);
	fupdate(t);
	return t;
}

/* Unlink the node starting at key; returns it through *out. */
static struct fnode *ferase(struct fnode *t, uint64_t key, struct fnode **out)
{
	if (t == NULL)
		return NULL;
	if (t->start == key) {
		struct fnode *m = fmerge(t->l, t->r);

		*out = t;
		t->l = t->r = NULL;
		return m;
	}
	if (key < t->start)
		t->l = ferase(t->l, key, out);
	else
		t->r = ferase(t->r, key, out);
	fupdate(t);
	return t;
}

/* Recompute the augmentation on the path to key after an edit of it. */
static void frefresh(struct fnode *t, uint64_t key)
{
	if (t == NULL)
		return;
	if (key < t->start)
		frefresh(t->l, key);
	else if (key > t->start)
		frefresh(t->r, key);
	fupdate(t);
}

/* The free area holding addr, or NULL. */
static struct fnode *fcontaining(struct fnode *t, uint64_t addr)
{
	while (t != NULL) {
		if (addr < t->start)
			t = t->l;
		else if (addr >= t->end)
			t = t->r;
		else
			return t;
	}
	return NULL;
}

/* The free area ending exactly at addr, and the one starting at addr. */
static struct fnode *fending_at(struct fnode *t, uint64_t addr)
{
	while (t != NULL) {
		if (t->end == addr)
			return t;
		t = addr <= t->start ? t->l : t->r;
	}
	return NULL;
}

static struct fnode *fstarting_at(struct fnode *t, uint64_t addr)
{
	while (t != NULL && t->start != addr)
		t = addr < t->start ? t->l : t->r;
	return t;
}

static inline uint64_t align_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) & ~(a - 1);
}

/* Models is_within_this_va(): the aligned start in t, or 0 if none. */
static uint64_t fits(const struct fnode *t, uint64_t size, uint64_t align)
{
	uint64_t s = align_up(t->start, align);

	if (s < t->start || s >= t->end || t->end - s < size)
		return 0;
	return s;
}

/*
 * The lowest free area where an aligned area of size fits (see the
 * header comment on find_vmap_lowest_match()).  Subtrees whose largest
 * area is below size are skipped; with align up to a page the first
 * candidate fits, so the walk is one root-to-leaf path.
 */
static struct fnode *flowest(struct fnode *t, uint64_t size, uint64_t align,
    uint64_t *addr)
{
	struct fnode *r;

	if (t == NULL || t->max < size)
		return NULL;
	if ((r = flowest(t->l, size, align, addr)) != NULL)
		return r;
	if ((*addr = fits(t, size, align)) != 0)
		return t;
	return flowest(t->r, size, align, addr);
}

static void ffree_all(struct fnode *t)
{
	if (t == NULL)
		return;
	ffree_all(t->l);
	ffree_all(t->r);
	free(t);
}

/* ----- the allocator ----- */

/* include/linux/vmalloc.h:struct vm_struct with its vmap_area. */
struct area {
	uint64_t start, size;	/* va_start, va_end - va_start */
	unsigned flags;		/* VMALLOC_F_* */
	unsigned order;		/* vm_area_page_order() */
	uint64_t nr_pages;	/* 4 KiB pages mapped from start */
	uint64_t nr_blocks;	/* entries of pfns */
	uint64_t *pfns;		/* backing blocks of 2^order, buddy's */
	char *caller;
	uint64_t phys;
	int cpu;
	vmalloc_handle_t pages_array;	/* area->pages when vmalloc'ed */
};

struct vmalloc {
	struct machine *m;
	struct vmalloc_opts o;
	uint64_t start, end;
	unsigned nr_cpus;
	struct fnode *free;		/* free_vmap_area_root */
	uint64_t nr_free_areas, free_bytes;
	uint32_t prio_seed;
	struct umap busy;		/* va_start -> struct area * */
	struct umap pt[PT_LEVELS];	/* index -> pfn (val), users (cnt) */
	uint64_t *pt_empty;		/* (level << 56 | index) to free at
					   the next purge */
	size_t nr_pt_empty, pt_empty_cap;
	struct area **lazy;		/* the purge list */
	size_t nr_lazy, lazy_cap;
	uint64_t lazy_pages;		/* vmap_lazy_nr */
	uint64_t used_bytes, mapped_pages, backing_frames;
	uint64_t nr_purges, nr_alloc, nr_free, nr_failed, nr_fallbacks;
	struct vmalloc_result *res;	/* the current call's account */
};

static struct fnode *fnode_new(struct vmalloc *v, uint64_t start,
    uint64_t end)
{
	struct fnode *n = xcalloc(1, sizeof *n);

	n->start = start;
	n->end = end;
	n->max = end - start;
	/* a fixed LCG: the same runs build the same trees */
	v->prio_seed = v->prio_seed * 1103515245u + 12345u;
	n->prio = (uint32_t)kmsim_hash_u64(v->prio_seed);
	return n;
}

static inline uint64_t page_size(const struct vmalloc *v)
{
	return v->m->page_size;
}

static void charge(struct vmalloc *v, enum cost_item c, uint64_t n)
{
	if (v->res)
		v->res->cycles += v->m->cost.c[c] * n;
}

/*
 * Models mm/vmalloc.c:va_clip(): take [addr, addr + size) out of free
 * area f, which holds it; the four cases of the kernel (whole, left
 * edge, right edge, middle with a new node).
 */
static void va_clip(struct vmalloc *v, struct fnode *f, uint64_t addr,
    uint64_t size)
{
	uint64_t end = addr + size;

	assert(addr >= f->start && end <= f->end);
	if (f->start == addr && f->end == end) {
		struct fnode *out = NULL;

		v->free = ferase(v->free, f->start, &out);
		assert(out == f);
		free(f);
		v->nr_free_areas--;
	} else if (f->start == addr) {
		/* the key grows but stays below the successor's, so the
		 * path to it is unchanged */
		f->start = end;
		frefresh(v->free, f->start);
	} else if (f->end == end) {
		f->end = addr;
		frefresh(v->free, f->start);
	} else {
		struct fnode *n = fnode_new(v, end, f->end);

		f->end = addr;
		frefresh(v->free, f->start);
		v->free = finsert(v->free, n);
		v->nr_free_areas++;
	}
	v->free_bytes -= size;
}

/* Models merge_or_add_vmap_area(): give [start, end) back, merging. */
static void va_merge(struct vmalloc *v, uint64_t start, uint64_t end)
{
	struct fnode *prev = fending_at(v->free, start);
	struct fnode *next = fstarting_at(v->free, end);

	v->free_bytes += end - start;
	if (prev != NULL && next != NULL) {
		struct fnode *out = NULL;

		v->free = ferase(v->free, next->start, &out);
		prev->end = out->end;
		free(out);
		v->nr_free_areas--;
		frefresh(v->free, prev->start);
	} else if (prev != NULL) {
		prev->end = end;
		frefresh(v->free, prev->start);
	} else if (next != NULL) {
		next->start = start;
		frefresh(v->free, next->start);
	} else {
		v->free = finsert(v->free, fnode_new(v, start, end));
		v->nr_free_areas++;
	}
}

/* ----- page tables ----- */

static void pt_note_empty(struct vmalloc *v, int level, uint64_t idx)
{
	if (v->nr_pt_empty == v->pt_empty_cap) {
		v->pt_empty_cap = v->pt_empty_cap ? v->pt_empty_cap * 2 : 16;
		v->pt_empty = xreallocarray(v->pt_empty, v->pt_empty_cap,
		    sizeof *v->pt_empty);
	}
	v->pt_empty[v->nr_pt_empty++] = (uint64_t)level << 56 | idx;
}

/*
 * One more user of the level's table covering addr, allocating it (and
 * its parents) from the buddy the first time, as pte_alloc_kernel(),
 * pmd_alloc() and pud_alloc() do with GFP_PGTABLE_KERNEL.  Returns 0 or
 * -1 when the buddy has no page.
 */
static int pt_get(struct vmalloc *v, int level, uint64_t addr, uint64_t n,
    int node, int cpu)
{
	struct machine *m = v->m;
	uint64_t idx = addr >> pt_shift[level];
	struct uslot *sl = umap_find(&v->pt[level], idx);
	struct alloc_result ar;
	char *cause = NULL;
	struct alloc_request req = {
		.order = 0,
		.gfp = GFP_KERNEL | GFP_BIT_ZERO,
		.preferred_node = node,
		.migratetype = -1,
		.cpu = cpu,
		.policy = MPOL_LOCAL,
	};

	if (sl != NULL) {
		sl->cnt += n;
		return 0;
	}
	if (level + 1 < PT_LEVELS &&
	    pt_get(v, level + 1, addr, 1, node, cpu) != 0)
		return -1;
	memset(&ar, 0, sizeof ar);
	if (page_alloc(m, &req, &ar, &cause) != 0) {
		free(cause);
		ar.pfn = NO_PFN;
	}
	if (v->res)
		v->res->cycles += ar.cycles;
	if (ar.pfn == NO_PFN) {
		if (level + 1 < PT_LEVELS) {
			struct uslot *p = umap_find(&v->pt[level + 1],
			    addr >> pt_shift[level + 1]);

			if (--p->cnt == 0)
				pt_note_empty(v, level + 1,
				    addr >> pt_shift[level + 1]);
		}
		return -1;
	}
	sl = umap_insert(&v->pt[level], idx);
	sl->val = ar.pfn;
	sl->cnt = n;
	charge(v, COST_VMAP_PTE_PAGE, 1);
	if (v->res)
		v->res->pt_allocated++;
	return 0;
}

static void pt_put(struct vmalloc *v, int level, uint64_t addr, uint64_t n)
{
	uint64_t idx = addr >> pt_shift[level];
	struct uslot *sl = umap_find(&v->pt[level], idx);

	assert(sl != NULL && sl->cnt >= n);
	sl->cnt -= n;
	if (sl->cnt == 0)
		pt_note_empty(v, level, idx);
}

/* Free the tables emptied since the last purge (after its flush). */
static void pt_reap(struct vmalloc *v, int cpu)
{
	for (size_t i = 0; i < v->nr_pt_empty; i++) {
		int level = (int)(v->pt_empty[i] >> 56);
		uint64_t idx = v->pt_empty[i] & ((UINT64_C(1) << 56) - 1);
		struct uslot *sl = umap_find(&v->pt[level], idx);
		struct alloc_result ar;

		if (sl == NULL || sl->cnt != 0)
			continue;	/* refilled, or already noted */
		memset(&ar, 0, sizeof ar);
		page_free(v->m, sl->val, 0, cpu, &ar);
		umap_remove(&v->pt[level], sl);
		if (v->res) {
			v->res->cycles += ar.cycles;
			v->res->pt_freed++;
		}
		/* the loop reaches the parents noted here */
		if (level + 1 < PT_LEVELS)
			pt_put(v, level + 1, idx << pt_shift[level], 1);
	}
	v->nr_pt_empty = 0;
}

/*
 * Unmap [start, start + bytes): models vunmap_range_noflush(), the PTEs
 * (or PMD entries of a huge mapping) cleared; the flush is the purge's.
 */
static void unmap_range(struct vmalloc *v, uint64_t start, uint64_t bytes,
    bool huge)
{
	uint64_t addr = start, end = start + bytes;

	while (addr < end) {
		uint64_t next = KMSIM_MIN(align_up(addr + 1,
		    VMALLOC_PMD_SIZE), end);

		if (huge)
			pt_put(v, PT_PMD, addr, 1);
		else
			pt_put(v, PT_PTE, addr, (next - addr) /
			    page_size(v));
		addr = next;
	}
	v->mapped_pages -= bytes / page_size(v);
	if (v->res)
		v->res->cycles += (huge ? bytes / VMALLOC_PMD_SIZE :
		    bytes / page_size(v)) * v->m->cost.c[COST_VMAP_MAP_PAGE] /
		    2;
}

/*
 * Models vmap_pages_range(): populate the tables over [start, start +
 * bytes) and write the entries, PTEs or (huge) PMD entries.  On a
 * failure what was mapped is unmapped again; returns 0 or -1.
 */
static int map_range(struct vmalloc *v, uint64_t start, uint64_t bytes,
    bool huge, int node, int cpu)
{
	uint64_t addr = start, end = start + bytes;

	while (addr < end) {
		uint64_t next = KMSIM_MIN(align_up(addr + 1,
		    VMALLOC_PMD_SIZE), end);
		int rc = huge ? pt_get(v, PT_PMD, addr, 1, node, cpu) :
		    pt_get(v, PT_PTE, addr, (next - addr) / page_size(v),
		    node, cpu);

		if (rc != 0) {
			v->mapped_pages += (addr - start) / page_size(v);
			unmap_range(v, start, addr - start, huge);
			return -1;
		}
		addr = next;
	}
	v->mapped_pages += bytes / page_size(v);
	charge(v, COST_VMAP_MAP_PAGE, huge ? bytes / VMALLOC_PMD_SIZE :
	    bytes / page_size(v));
	return 0;
}

/* ----- backing pages ----- */

static void free_pages_of(struct vmalloc *v, struct area *a, int cpu)
{
	for (uint64_t i = 0; i < a->nr_blocks; i++) {
		struct alloc_result ar;

		memset(&ar, 0, sizeof ar);
		page_free(v->m, a->pfns[i], a->order, cpu, &ar);
		if (v->res) {
			v->res->cycles += ar.cycles;
			v->res->frames_freed += UINT64_C(1) << a->order;
		}
		v->backing_frames -= UINT64_C(1) << a->order;
	}
	a->nr_blocks = 0;
	free(a->pfns);
	a->pfns = NULL;
}

/*
 * Models vm_area_alloc_pages(): nr blocks of 2^order on the node,
 * order-0 ones as alloc_pages_bulk() hands them out (kmsim: one
 * page_alloc() each through the per-cpu lists), higher orders one
 * compound page at a time.  Returns 0, or -1 with what it got freed.
 */
static int alloc_pages_for(struct vmalloc *v, struct area *a, uint64_t nr,
    gfp_t gfp, int node, int cpu)
{
	struct alloc_request req = {
		.order = a->order,
		.gfp = gfp | GFP_BIT_NOWARN |
		    (a->order ? GFP_BIT_COMP : 0),
		.preferred_node = node,
		.migratetype = -1,
		.cpu = cpu,
		.policy = MPOL_LOCAL,
	};

	/* __vmalloc_area_node(): highmem is fine unless DMA was asked */
	if (!(gfp & (GFP_BIT_DMA | GFP_BIT_DMA32)))
		req.gfp |= GFP_BIT_HIGHMEM;
	a->pfns = xmalloc((size_t)KMSIM_MAX(nr, 1) * sizeof *a->pfns);
	for (a->nr_blocks = 0; a->nr_blocks < nr; a->nr_blocks++) {
		struct alloc_result ar;
		char *cause = NULL;

		memset(&ar, 0, sizeof ar);
		if (page_alloc(v->m, &req, &ar, &cause) != 0) {
			free(cause);
			ar.pfn = NO_PFN;
		}
		if (v->res)
			v->res->cycles += ar.cycles;
		if (ar.pfn == NO_PFN) {
			free_pages_of(v, a, cpu);
			return -1;
		}
		a->pfns[a->nr_blocks] = ar.pfn;
		v->backing_frames += UINT64_C(1) << a->order;
		if (v->res)
			v->res->frames_allocated += UINT64_C(1) << a->order;
	}
	return 0;
}

/* ----- purge ----- */

static int cmp_area_start(const void *a, const void *b)
{
	const struct area *x = *(struct area *const *)a;
	const struct area *y = *(struct area *const *)b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static void area_destroy(struct area *a)
{
	if (a == NULL)
		return;
	free(a->pfns);
	free(a->caller);
	free(a);
}

/*
 * Models __purge_vmap_area_lazy(): the lazily freed areas inside
 * [start, end) merged back into the free tree after one kernel-range
 * flush covering them (the flush range grows to the areas, as the
 * kernel's does).  Returns the number purged.
 */
static uint64_t purge(struct vmalloc *v, uint64_t start, uint64_t end,
    int cpu)
{
	uint64_t fs = UINT64_MAX, fe = 0, n = 0, pages = 0;
	size_t i, keep = 0;

	if (v->nr_lazy == 0)
		return 0;
	qsort(v->lazy, v->nr_lazy, sizeof *v->lazy, cmp_area_start);
	for (i = 0; i < v->nr_lazy; i++) {
		struct area *a = v->lazy[i];

		if (a->start < start || a->start + a->size > end) {
			v->lazy[keep++] = a;
			continue;
		}
		fs = KMSIM_MIN(fs, a->start);
		fe = KMSIM_MAX(fe, a->start + a->size);
		va_merge(v, a->start, a->start + a->size);
		v->lazy_pages -= a->size / page_size(v);
		pages += a->size / page_size(v);
		n++;
		area_destroy(a);
	}
	v->nr_lazy = keep;
	if (n == 0)
		return 0;	/* nothing to flush for */
	v->nr_purges++;
	charge(v, COST_VMAP_PURGE, 1);
	charge(v, COST_VMAP_AREA_FREE, n);
	if (v->o.flush)
		v->o.flush(v->o.flush_arg, fs, fe);
	if (v->res) {
		v->res->purges++;
		v->res->tlb_flushes++;
		v->res->flush_start = fs;
		v->res->flush_end = fe;
		v->res->purged_areas += n;
		v->res->purged_pages += pages;
	}
	pt_reap(v, cpu);
	return n;
}

uint64_t vmalloc_lazy_max_pages(const struct vmalloc *v)
{
	/* Models lazy_max_pages(): 32 MiB per fls(num_online_cpus()). */
	unsigned log = v->nr_cpus ? kmsim_ilog2(v->nr_cpus) + 1 : 0;

	return (uint64_t)log * ((UINT64_C(32) << 20) / page_size(v));
}

/* ----- create, destroy ----- */

struct vmalloc *vmalloc_create(struct machine *m,
    const struct vmalloc_opts *o)
{
	struct vmalloc *v = xcalloc(1, sizeof *v);

	v->m = m;
	if (o != NULL)
		v->o = *o;
	v->start = v->o.start ? v->o.start : VMALLOC_DEFAULT_START;
	v->end = v->start + (v->o.size ? v->o.size : VMALLOC_DEFAULT_SIZE);
	v->start = align_up(v->start, m->page_size);
	v->end &= ~(m->page_size - 1);
	assert(v->end > v->start);
	v->nr_cpus = v->o.nr_cpus ? v->o.nr_cpus : (unsigned)m->nr_cpus;
	v->prio_seed = 1;
	umap_init(&v->busy);
	for (int l = 0; l < PT_LEVELS; l++)
		umap_init(&v->pt[l]);
	v->free = fnode_new(v, v->start, v->end);
	v->nr_free_areas = 1;
	v->free_bytes = v->end - v->start;
	return v;
}

void vmalloc_destroy(struct vmalloc *v)
{
	size_t i;

	if (v == NULL)
		return;
	v->res = NULL;
	for (i = 0; i < v->busy.cap; i++) {
		struct area *a;

		if (v->busy.s[i].key == KEY_EMPTY)
			continue;
		a = (struct area *)(uintptr_t)v->busy.s[i].val;
		free_pages_of(v, a, a->cpu);
		area_destroy(a);
	}
	for (i = 0; i < v->nr_lazy; i++)
		area_destroy(v->lazy[i]);
	for (int l = 0; l < PT_LEVELS; l++) {
		for (i = 0; i < v->pt[l].cap; i++) {
			struct alloc_result ar;

			if (v->pt[l].s[i].key == KEY_EMPTY)
				continue;
			memset(&ar, 0, sizeof ar);
			page_free(v->m, v->pt[l].s[i].val, 0, 0, &ar);
		}
		free(v->pt[l].s);
	}
	free(v->busy.s);
	free(v->lazy);
	free(v->pt_empty);
	ffree_all(v->free);
	free(v);
}

/* ----- allocation ----- */

static struct area *busy_area(const struct vmalloc *v, uint64_t addr)
{
	struct uslot *sl = umap_find(&v->busy, addr);

	return sl ? (struct area *)(uintptr_t)sl->val : NULL;
}

/* Models free_vmap_area_noflush(): onto the purge list, counted. */
static void lazy_free(struct vmalloc *v, struct area *a, int cpu)
{
	struct uslot *sl = umap_find(&v->busy, a->start);

	assert(sl != NULL);
	umap_remove(&v->busy, sl);
	v->used_bytes -= a->size;
	if (v->nr_lazy == v->lazy_cap) {
		v->lazy_cap = v->lazy_cap ? v->lazy_cap * 2 : 16;
		v->lazy = xreallocarray(v->lazy, v->lazy_cap, sizeof *v->lazy);
	}
	v->lazy[v->nr_lazy++] = a;
	v->lazy_pages += a->size / page_size(v);
	charge(v, COST_VMAP_AREA_FREE, 1);
	if (v->o.no_lazy || v->lazy_pages > vmalloc_lazy_max_pages(v))
		purge(v, 0, UINT64_MAX, cpu);
}

/*
 * Models alloc_vmap_area(): a va of size (guard included) at the lowest
 * aligned fit, or at `at` for replay; one purge and a retry when
 * nothing fits.  Returns the start or 0.
 */
static uint64_t alloc_va(struct vmalloc *v, uint64_t size, uint64_t align,
    uint64_t at, int cpu)
{
	bool purged = false;
	struct fnode *f;
	uint64_t addr = 0;

	charge(v, COST_VMAP_AREA_ALLOC, 1);
	for (;;) {
		if (at != 0) {
			f = fcontaining(v->free, at);
			addr = at;
			if (f != NULL && f->end - at < size)
				f = NULL;
		} else {
			f = flowest(v->free, size, align, &addr);
		}
		if (f != NULL)
			break;
		if (purged)
			return 0;
		purge(v, 0, UINT64_MAX, cpu);
		purged = true;
	}
	va_clip(v, f, addr, size);
	return addr;
}

static void area_insert_busy(struct vmalloc *v, struct area *a)
{
	struct uslot *sl = umap_insert(&v->busy, a->start);

	sl->val = (uint64_t)(uintptr_t)a;
	v->used_bytes += a->size;
}

static void accumulate(struct vmalloc_result *to,
    const struct vmalloc_result *from)
{
	to->cycles += from->cycles;
	to->frames_allocated += from->frames_allocated;
	to->frames_freed += from->frames_freed;
	to->pt_allocated += from->pt_allocated;
	to->pt_freed += from->pt_freed;
	to->purges += from->purges;
	to->tlb_flushes += from->tlb_flushes;
	if (from->tlb_flushes) {
		to->flush_start = from->flush_start;
		to->flush_end = from->flush_end;
	}
	to->purged_areas += from->purged_areas;
	to->purged_pages += from->purged_pages;
}

static int do_alloc(struct vmalloc *v, uint64_t at,
    const struct vmalloc_request *req, vmalloc_handle_t *h,
    struct vmalloc_result *res, char **cause);

/*
 * Models the page array of __vmalloc_area_node(): one struct page
 * pointer per small page, from the slab up to a page, and above that
 * vmalloc'ed itself (zeroed, same caller and node) right after the area
 * was placed, so it takes the next address space.
 */
static int alloc_pages_array(struct vmalloc *v, struct area *a,
    uint64_t nr_small, int node, int cpu)
{
	struct vmalloc_result *save = v->res, nres;
	struct vmalloc_request nreq = {
		.size = nr_small * sizeof(void *),
		.flags = VMALLOC_F_ZERO,
		.gfp = GFP_KERNEL,
		.cpu = cpu,
		.node = node,
		.caller = a->caller,
	};
	vmalloc_handle_t nh = VMALLOC_HANDLE_NONE;
	int rc;

	rc = do_alloc(v, 0, &nreq, &nh, &nres, NULL);
	v->res = save;
	if (save)
		accumulate(save, &nres);
	if (rc != 0 || nres.failed)
		return -1;
	a->pages_array = nh;
	return 0;
}

/* kvfree() of that array, after the area itself (as vfree() does). */
static void free_pages_array(struct vmalloc *v, vmalloc_handle_t nh)
{
	struct vmalloc_result *save = v->res, nres;

	if (nh == VMALLOC_HANDLE_NONE)
		return;
	vmalloc_free(v, nh, &nres, NULL);
	v->res = save;
	if (save)
		accumulate(save, &nres);
}

/*
 * Models __vmalloc_node_range() over __get_vm_area_node() and
 * __vmalloc_area_node(); `at` nonzero places the area there.
 */
static int do_alloc(struct vmalloc *v, uint64_t at,
    const struct vmalloc_request *req, vmalloc_handle_t *h,
    struct vmalloc_result *res, char **cause)
{
	struct machine *m = v->m;
	struct vmalloc_result local;
	uint64_t ps = page_size(v);
	uint64_t size, align, real_size, real_align;
	unsigned shift = m->page_shift;
	bool pages_from_buddy = !(req->flags &
	    (VMALLOC_F_VMAP | VMALLOC_F_IOREMAP));
	int node = req->node >= 0 ? req->node :
	    machine_cpu_node(m, req->cpu);
	gfp_t gfp = req->gfp ? req->gfp : GFP_KERNEL;
	vmalloc_handle_t nh;
	struct area *a;

	if (res == NULL)
		res = &local;
	memset(res, 0, sizeof *res);
	*h = VMALLOC_HANDLE_NONE;
	if (req->size == 0 || (req->align && !kmsim_is_pow2(req->align)))
		return kmsim_fail(cause, "illegal size (%" PRIu64 ") or align "
		    "(%" PRIu64 ") for vmalloc", req->size, req->align);
	if (at != 0 && (at & (ps - 1)) != 0)
		return kmsim_fail(cause, "vmap area address 0x%" PRIx64
		    " is not page aligned", at);
	if (node >= m->nr_nodes)
		return kmsim_fail(cause, "node %d does not exist", node);
	if (req->flags & VMALLOC_F_ZERO)
		gfp |= GFP_BIT_ZERO;
	v->res = res;
	real_size = align_up(req->size, ps);
	real_align = KMSIM_MAX(req->align, ps);
	if (req->flags & VMALLOC_F_IOREMAP) {
		/* get_vm_area_caller(): aligned to the size's order,
		 * between a page and IOREMAP_MAX_ORDER (PUD_SHIFT with
		 * huge vmap) */
		unsigned o = kmsim_ilog2(real_size);

		if (!kmsim_is_pow2(real_size))
			o++;
		o = KMSIM_MAX(o, m->page_shift);
		o = KMSIM_MIN(o, VMALLOC_PUD_SHIFT);
		real_align = KMSIM_MAX(real_align, UINT64_C(1) << o);
	}
	if (pages_from_buddy && (req->flags & VMALLOC_F_HUGE) &&
	    real_size >= VMALLOC_PMD_SIZE)
		shift = VMALLOC_PMD_SHIFT;

again:
	align = KMSIM_MAX(real_align, UINT64_C(1) << shift);
	size = align_up(real_size, UINT64_C(1) << shift);
	a = xcalloc(1, sizeof *a);
	a->flags = req->flags;
	a->order = shift - m->page_shift;
	a->cpu = req->cpu;
	a->phys = req->phys;
	a->caller = xstrdup(req->caller ? req->caller : "vmalloc");
	a->size = size + ((req->flags & VMALLOC_F_NO_GUARD) ? 0 : ps);
	a->start = alloc_va(v, a->size, align, at, req->cpu);
	if (a->start == 0) {
		area_destroy(a);
		res->why = at ? "vmap area at the captured address is busy" :
		    "vmap allocation failed: use vmalloc=<size> to increase "
		    "size";
		goto fail;
	}
	area_insert_busy(v, a);
	if (pages_from_buddy && (size / ps) * sizeof(void *) > ps &&
	    alloc_pages_array(v, a, size / ps, node, req->cpu) != 0) {
		res->why = "vmalloc error: failed to allocate page array";
		goto undo;
	}
	if (pages_from_buddy &&
	    alloc_pages_for(v, a, size >> shift, gfp, node, req->cpu) != 0) {
		res->why = "vmalloc error: failed to allocate pages";
		goto undo;
	}
	if (map_range(v, a->start, size, shift > m->page_shift, node,
	    req->cpu) != 0) {
		res->why = "vmalloc error: failed to map pages";
		goto undo;
	}
	a->nr_pages = size / ps;
	res->addr = a->start;
	res->size = a->size;
	res->page_order = a->order;
	res->nr_pages = a->nr_pages;
	v->nr_alloc++;
	*h = a->start;
	v->res = NULL;
	return 0;

undo:
	/* __vmalloc_area_node() fails through vfree(): the pages go
	 * back, the address space onto the purge list */
	free_pages_of(v, a, req->cpu);
	nh = a->pages_array;
	lazy_free(v, a, req->cpu);	/* may purge: a is gone */
	free_pages_array(v, nh);
	if (shift > m->page_shift) {
		/* __vmalloc_node_range(): fall back to small pages */
		shift = m->page_shift;
		res->huge_fallback = true;
		v->nr_fallbacks++;
		goto again;
	}
fail:
	res->failed = true;
	res->cycles += m->cost.c[COST_ALLOC_FAIL];
	v->nr_failed++;
	v->res = NULL;
	return 0;
}

int vmalloc_alloc(struct vmalloc *v, const struct vmalloc_request *req,
    vmalloc_handle_t *h, struct vmalloc_result *res, char **cause)
{
	return do_alloc(v, 0, req, h, res, cause);
}

int vmalloc_alloc_at(struct vmalloc *v, uint64_t addr,
    const struct vmalloc_request *req, vmalloc_handle_t *h,
    struct vmalloc_result *res, char **cause)
{
	if (addr < v->start || addr >= v->end)
		return kmsim_fail(cause, "vmap area address 0x%" PRIx64
		    " is outside the vmalloc range", addr);
	return do_alloc(v, addr, req, h, res, cause);
}

/* Models vfree() / vunmap() through remove_vm_area(). */
int vmalloc_free(struct vmalloc *v, vmalloc_handle_t h,
    struct vmalloc_result *res, char **cause)
{
	struct vmalloc_result local;
	struct area *a = busy_area(v, h);
	vmalloc_handle_t nh;

	if (res == NULL)
		res = &local;
	memset(res, 0, sizeof *res);
	if (a == NULL)
		return kmsim_fail(cause, "trying to vfree() nonexistent vm "
		    "area (0x%" PRIx64 ")", h);
	v->res = res;
	res->addr = a->start;
	res->size = a->size;
	res->nr_pages = a->nr_pages;
	res->page_order = a->order;
	unmap_range(v, a->start, a->nr_pages * page_size(v), a->order > 0);
	a->nr_pages = 0;
	free_pages_of(v, a, a->cpu);
	v->nr_free++;
	nh = a->pages_array;
	lazy_free(v, a, a->cpu);	/* may purge: a is gone */
	free_pages_array(v, nh);
	v->res = NULL;
	return 0;
}

int vmalloc_free_at(struct vmalloc *v, uint64_t addr,
    struct vmalloc_result *res, char **cause)
{
	return vmalloc_free(v, addr, res, cause);
}

void vmalloc_purge(struct vmalloc *v, struct vmalloc_result *res)
{
	struct vmalloc_result local;

	if (res == NULL)
		res = &local;
	memset(res, 0, sizeof *res);
	v->res = res;
	purge(v, 0, UINT64_MAX, 0);
	v->res = NULL;
}

void vmalloc_purge_range(struct vmalloc *v, uint64_t start, uint64_t end,
    struct vmalloc_result *res)
{
	struct vmalloc_result local;

	if (res == NULL)
		res = &local;
	memset(res, 0, sizeof *res);
	v->res = res;
	purge(v, start, end, 0);
	v->res = NULL;
}

/* ----- stats, dump, check ----- */

static void fstats(const struct fnode *t, uint64_t *largest)
{
	if (t == NULL)
		return;
	*largest = KMSIM_MAX(*largest, t->max);
}

void vmalloc_get_stats(const struct vmalloc *v, struct vmalloc_stats *st)
{
	memset(st, 0, sizeof *st);
	st->start = v->start;
	st->end = v->end;
	st->nr_busy = v->busy.n;
	st->used_bytes = v->used_bytes;
	st->mapped_pages = v->mapped_pages;
	st->backing_frames = v->backing_frames;
	st->nr_free_areas = v->nr_free_areas;
	fstats(v->free, &st->largest_free);
	st->free_bytes = v->free_bytes;
	for (int l = 0; l < PT_LEVELS; l++) {
		st->pt_pages[l] = v->pt[l].n;
		st->pt_pages_total += v->pt[l].n;
	}
	st->lazy_pages = v->lazy_pages;
	st->lazy_max_pages = vmalloc_lazy_max_pages(v);
	st->nr_lazy_areas = v->nr_lazy;
	st->nr_purges = v->nr_purges;
	st->nr_alloc = v->nr_alloc;
	st->nr_free = v->nr_free;
	st->nr_failed = v->nr_failed;
	st->nr_huge_fallbacks = v->nr_fallbacks;
}

static struct area **sorted_busy(const struct vmalloc *v, size_t *n)
{
	struct area **arr = xmalloc((v->busy.n + 1) * sizeof *arr);
	size_t k = 0;

	for (size_t i = 0; i < v->busy.cap; i++)
		if (v->busy.s[i].key != KEY_EMPTY)
			arr[k++] = (struct area *)(uintptr_t)v->busy.s[i].val;
	qsort(arr, k, sizeof *arr, cmp_area_start);
	*n = k;
	return arr;
}

/*
 * Models vmalloc_info_show(): s_show() for each live area by address,
 * then show_purge_info().  %pK prints the full address to root.
 */
void vmalloc_dump_vmallocinfo(const struct vmalloc *v, FILE *f)
{
	size_t n, i;
	struct area **arr = sorted_busy(v, &n);
	uint64_t *counts = xcalloc((size_t)v->m->nr_nodes, sizeof *counts);
	struct area **lazy;

	for (i = 0; i < n; i++) {
		const struct area *a = arr[i];

		fprintf(f, "0x%016" PRIx64 "-0x%016" PRIx64 " %7" PRId64,
		    a->start, a->start + a->size, (int64_t)a->size);
		fprintf(f, " %s", a->caller);
		if (a->nr_pages && !(a->flags &
		    (VMALLOC_F_VMAP | VMALLOC_F_IOREMAP)))
			fprintf(f, " pages=%" PRIu64, a->nr_pages);
		if (a->phys)
			fprintf(f, " phys=0x%016" PRIx64, a->phys);
		if (a->flags & VMALLOC_F_IOREMAP)
			fputs(" ioremap", f);
		else if (a->flags & VMALLOC_F_VMAP)
			fputs(" vmap", f);
		else
			fputs(" vmalloc", f);
		if (a->pages_array != VMALLOC_HANDLE_NONE)
			fputs(" vpages", f);
		if (a->nr_blocks) {
			/* show_numa_info(): small pages per node */
			memset(counts, 0, (size_t)v->m->nr_nodes *
			    sizeof *counts);
			for (uint64_t b = 0; b < a->nr_blocks; b++) {
				struct zone *z = machine_pfn_zone(v->m,
				    a->pfns[b]);

				if (z != NULL)
					counts[z->node] +=
					    UINT64_C(1) << a->order;
			}
			for (int nd = 0; nd < v->m->nr_nodes; nd++)
				if (counts[nd])
					fprintf(f, " N%d=%" PRIu64, nd,
					    counts[nd]);
		}
		fputc('\n', f);
	}
	/* the purge list in address order (the kernel's is by free
	 * time within each node; kmsim's order is deterministic) */
	lazy = xmalloc((v->nr_lazy + 1) * sizeof *lazy);
	if (v->nr_lazy)
		memcpy(lazy, v->lazy, v->nr_lazy * sizeof *lazy);
	qsort(lazy, v->nr_lazy, sizeof *lazy, cmp_area_start);
	for (i = 0; i < v->nr_lazy; i++)
		fprintf(f, "0x%016" PRIx64 "-0x%016" PRIx64 " %7" PRId64
		    " unpurged vm_area\n", lazy[i]->start,
		    lazy[i]->start + lazy[i]->size, (int64_t)lazy[i]->size);
	free(lazy);
	free(counts);
	free(arr);
}

struct fcheck {
	uint64_t prev_end, n, bytes;
	const char *err;
};

static uint64_t fcheck_walk(const struct fnode *t, struct fcheck *c)
{
	uint64_t ml, mr, m;

	if (t == NULL)
		return 0;
	ml = fcheck_walk(t->l, c);
	if (t->start >= t->end)
		c->err = "empty free area";
	if (c->n && t->start <= c->prev_end)
		c->err = "free areas overlap or are left unmerged";
	c->prev_end = t->end;
	c->n++;
	c->bytes += t->end - t->start;
	mr = fcheck_walk(t->r, c);
	m = KMSIM_MAX(t->end - t->start, KMSIM_MAX(ml, mr));
	if (m != t->max)
		c->err = "subtree_max_size is stale";
	if ((t->l && t->l->prio > t->prio) || (t->r && t->r->prio > t->prio))
		c->err = "treap heap order broken";
	return m;
}

int vmalloc_check(const struct vmalloc *v, char **cause)
{
	struct fcheck c = { 0, 0, 0, NULL };
	size_t n, i;
	struct area **arr;
	uint64_t used = 0, mapped = 0, frames = 0, lazy = 0;
	uint64_t ptes = 0;
	int rc = 0;

	fcheck_walk(v->free, &c);
	if (c.err)
		return kmsim_fail(cause, "vmalloc: %s", c.err);
	if (c.n != v->nr_free_areas || c.bytes != v->free_bytes)
		return kmsim_fail(cause, "vmalloc: free area counts %" PRIu64
		    "/%" PRIu64 " vs tree %" PRIu64 "/%" PRIu64,
		    v->nr_free_areas, v->free_bytes, c.n, c.bytes);
	arr = sorted_busy(v, &n);
	for (i = 0; i < n && rc == 0; i++) {
		const struct area *a = arr[i];

		used += a->size;
		mapped += a->nr_pages;
		frames += a->nr_blocks << a->order;
		if (a->order == 0)
			ptes += a->nr_pages;
		if (i > 0 && arr[i - 1]->start + arr[i - 1]->size > a->start)
			rc = kmsim_fail(cause, "vmalloc: busy areas overlap at "
			    "0x%" PRIx64, a->start);
		else if (fcontaining(v->free, a->start) ||
		    fcontaining(v->free, a->start + a->size - 1))
			rc = kmsim_fail(cause, "vmalloc: busy area 0x%" PRIx64
			    " is in free space", a->start);
	}
	free(arr);
	if (rc)
		return rc;
	for (i = 0; i < v->nr_lazy; i++) {
		lazy += v->lazy[i]->size / page_size(v);
		if (fcontaining(v->free, v->lazy[i]->start))
			return kmsim_fail(cause, "vmalloc: lazy area 0x%"
			    PRIx64 " is in free space", v->lazy[i]->start);
	}
	if (used != v->used_bytes || mapped != v->mapped_pages ||
	    frames != v->backing_frames || lazy != v->lazy_pages)
		return kmsim_fail(cause, "vmalloc: counters disagree with the "
		    "areas");
	if (c.bytes + used + lazy * page_size(v) != v->end - v->start)
		return kmsim_fail(cause, "vmalloc: address space leaked");
	{
		uint64_t sum = 0;

		for (i = 0; i < v->pt[PT_PTE].cap; i++)
			if (v->pt[PT_PTE].s[i].key != KEY_EMPTY)
				sum += v->pt[PT_PTE].s[i].cnt;
		if (sum != ptes)
			return kmsim_fail(cause, "vmalloc: PTE counts %" PRIu64
			    " vs %" PRIu64 " mapped small pages", sum, ptes);
	}
	return 0;
}
