/*
 * highmem.c - the pkmap pool and the kmap_local stacks (mm/highmem.c,
 * Linux 6.18).  See highmem.h for the model.
 *
 * pkmap_count[] follows the kernel's meaning: 0 free (not mapped since
 * the last TLB flush), 1 unmapped but possibly still in a TLB, n > 1
 * mapped by n - 1 users.  page_address() of a highmem page is the
 * kernel's HASHED_PAGE_VIRTUAL table: pfn -> slot, chained per bucket.
 */
#include "mm/highmem.h"

#include <inttypes.h>
#include <stdlib.h>

#include "cost.h"
#include "kmsim.h"

#define PA_HASH_ORDER	7		/* mm/highmem.c */
#define PA_NONE		UINT32_MAX
#define HM_PFN_NONE	UINT64_MAX	/* no page */

struct highmem_local {
	uint64_t pfn[HIGHMEM_LOCAL_DEPTH];
	bool high[HIGHMEM_LOCAL_DEPTH];
	unsigned depth;			/* entries, lowmem included */
	unsigned idx;			/* kmap_ctrl.idx: highmem entries */
};

struct highmem {
	struct machine *m;
	unsigned last_pkmap;
	unsigned last_pkmap_nr;		/* map_new_virtual()'s clock hand */
	unsigned *pkmap_count;
	uint64_t *pkmap_pfn;		/* page mapped by a slot with count > 0 */
	uint32_t *pa_next;		/* hash chain through the slots */
	uint32_t pa_head[1u << PA_HASH_ORDER];
	unsigned in_use, cached;	/* slots with count >= 2, == 1 */
	struct highmem_local *local;	/* m->nr_cpus */
	struct highmem_stats st;
};

static unsigned pa_hash(uint64_t pfn)
{
	return (unsigned)((pfn * UINT64_C(0x9e3779b97f4a7c15)) >>
	    (64 - PA_HASH_ORDER));
}

/* page_address() of a highmem page: its slot, or -1. */
static int page_slot(const struct highmem *h, uint64_t pfn)
{
	uint32_t s;

	for (s = h->pa_head[pa_hash(pfn)]; s != PA_NONE; s = h->pa_next[s])
		if (h->pkmap_pfn[s] == pfn)
			return (int)s;
	return -1;
}

/* set_page_address(page, vaddr) */
static void set_page_address(struct highmem *h, uint64_t pfn, unsigned slot)
{
	unsigned b = pa_hash(pfn);

	h->pkmap_pfn[slot] = pfn;
	h->pa_next[slot] = h->pa_head[b];
	h->pa_head[b] = slot;
}

/* set_page_address(page, NULL) */
static void clear_page_address(struct highmem *h, unsigned slot)
{
	uint32_t *p = &h->pa_head[pa_hash(h->pkmap_pfn[slot])];

	while (*p != slot)
		p = &h->pa_next[*p];
	*p = h->pa_next[slot];
	h->pa_next[slot] = PA_NONE;
	h->pkmap_pfn[slot] = HM_PFN_NONE;
}

struct highmem *highmem_create(struct machine *m,
    const struct highmem_opts *opts)
{
	struct highmem *h;
	unsigned n = opts != NULL ? opts->last_pkmap : 0, i;

	if (n == 0)
		n = m->cfg != NULL && m->cfg->arch == ARCH_X86_32_PAE ?
		    HIGHMEM_LAST_PKMAP_PAE : HIGHMEM_LAST_PKMAP;
	if ((n & (n - 1)) != 0 || n > (1u << 20))
		return NULL;	/* LAST_PKMAP_MASK needs a power of two */
	h = xcalloc(1, sizeof *h);
	h->m = m;
	h->last_pkmap = n;
	h->pkmap_count = xcalloc(n, sizeof *h->pkmap_count);
	h->pkmap_pfn = xcalloc(n, sizeof *h->pkmap_pfn);
	h->pa_next = xcalloc(n, sizeof *h->pa_next);
	for (i = 0; i < n; i++) {
		h->pkmap_pfn[i] = HM_PFN_NONE;
		h->pa_next[i] = PA_NONE;
	}
	for (i = 0; i < ARRAY_SIZE(h->pa_head); i++)
		h->pa_head[i] = PA_NONE;
	h->local = xcalloc((size_t)(m->nr_cpus > 0 ? m->nr_cpus : 1),
	    sizeof *h->local);
	h->st.last_pkmap = n;
	return h;
}

void highmem_destroy(struct highmem *h)
{
	if (h == NULL)
		return;
	free(h->pkmap_count);
	free(h->pkmap_pfn);
	free(h->pa_next);
	free(h->local);
	free(h);
}

bool highmem_page_is_high(const struct highmem *h, uint64_t pfn)
{
	const struct zone *z = machine_pfn_zone(h->m, pfn);

	if (z == NULL)
		return false;
	/* include/linux/mmzone.h:is_highmem_idx(): ZONE_MOVABLE counts when
	 * it was carved from HighMem (zone_movable_is_highmem()). */
	return z->type == ZONE_HIGHMEM ||
	    (z->type == ZONE_MOVABLE && h->m->has_zone[ZONE_HIGHMEM]);
}

static void res_init(struct highmem_result *res, uint64_t pfn)
{
	*res = (struct highmem_result){ .pfn = pfn, .slot = -1 };
}

static int check_page(struct highmem *h, uint64_t pfn, int cpu,
    const char *what, char **cause)
{
	if (machine_pfn_zone(h->m, pfn) == NULL)
		return kmsim_fail(cause, "%s: pfn 0x%" PRIx64 " is not present "
		    "memory", what, pfn);
	if (cpu < 0 || cpu >= h->m->nr_cpus)
		return kmsim_fail(cause, "%s: cpu %d does not exist (%d cpus)",
		    what, cpu, h->m->nr_cpus);
	return 0;
}

/* mm/highmem.c:flush_all_zero_pkmaps(), kmap_lock held. */
static void flush_all_zero_pkmaps(struct highmem *h,
    struct highmem_result *res)
{
	const struct cost_model *c = &h->m->cost;
	unsigned i, freed = 0;

	h->st.nr_flush_scans++;
	for (i = 0; i < h->last_pkmap; i++) {
		if (h->pkmap_count[i] != 1)
			continue;
		h->pkmap_count[i] = 0;
		clear_page_address(h, i);	/* pte_clear() too */
		freed++;
	}
	h->cached -= freed;
	res->freed += freed;
	if (freed != 0) {
		/* flush_tlb_kernel_range() over the whole pkmap area */
		h->st.nr_flushes++;
		res->flushed = true;
		res->cycles += c->c[COST_KMAP_FLUSH];
	} else {
		res->cycles += c->c[COST_KMAP_FLUSH] / 4;
	}
}

/* mm/highmem.c:map_new_virtual(): a free slot, or -1 (would sleep). */
static int map_new_virtual(struct highmem *h, uint64_t pfn,
    struct highmem_result *res)
{
	unsigned mask = h->last_pkmap - 1, count = h->last_pkmap, nr;

	for (;;) {
		nr = h->last_pkmap_nr = (h->last_pkmap_nr + 1) & mask;
		res->probes++;
		if (nr == 0) {		/* no_more_pkmaps(): wrapped */
			flush_all_zero_pkmaps(h, res);
			count = h->last_pkmap;
		}
		if (h->pkmap_count[nr] == 0)
			break;
		if (--count)
			continue;
		/*
		 * The kernel sleeps in TASK_UNINTERRUPTIBLE on pkmap_map_wait
		 * until kunmap_high() drops a count to 1, then restarts.
		 */
		return -1;
	}
	h->pkmap_count[nr] = 1;		/* set_pte_at(); then kmap_high's ++ */
	h->cached++;
	set_page_address(h, pfn, nr);
	return (int)nr;
}

int highmem_kmap(struct highmem *h, uint64_t pfn, int cpu,
    struct highmem_result *res, char **cause)
{
	const struct cost_model *c = &h->m->cost;
	int slot;

	res_init(res, pfn);
	if (check_page(h, pfn, cpu, "kmap", cause) != 0)
		return -1;
	h->st.nr_kmap++;
	/* include/linux/highmem-internal.h:kmap(): lowmem is direct-mapped */
	if (!highmem_page_is_high(h, pfn)) {
		h->st.nr_kmap_lowmem++;
		res->mapped = true;
		return 0;
	}
	res->highmem = true;
	/* kmap_high() */
	res->cycles += c->c[COST_KMAP_HIGH];
	slot = page_slot(h, pfn);
	if (slot >= 0) {
		h->st.nr_kmap_hit++;
	} else {
		slot = map_new_virtual(h, pfn, res);
		if (slot < 0) {
			h->st.nr_waits++;
			res->waited = true;
			res->cycles += c->c[COST_KMAP_WAIT];
			return 0;
		}
		res->new_slot = true;
	}
	if (h->pkmap_count[slot]++ == 1) {
		h->cached--;
		h->in_use++;
		h->st.max_slots_in_use = KMSIM_MAX(h->st.max_slots_in_use,
		    h->in_use);
	}
	res->slot = slot;
	res->count = h->pkmap_count[slot];
	res->mapped = true;
	return 0;
}

int highmem_kunmap(struct highmem *h, uint64_t pfn,
    struct highmem_result *res, char **cause)
{
	int slot;

	res_init(res, pfn);
	if (check_page(h, pfn, 0, "kunmap", cause) != 0)
		return -1;
	h->st.nr_kunmap++;
	if (!highmem_page_is_high(h, pfn))
		return 0;		/* kunmap(): nothing for lowmem */
	res->highmem = true;
	/* kunmap_high() */
	slot = page_slot(h, pfn);
	if (slot < 0 || h->pkmap_count[slot] < 2) {
		h->st.nr_kunmap--;
		return kmsim_fail(cause, "kunmap: pfn 0x%" PRIx64 " is not "
		    "kmapped (kunmap_high() would BUG)", pfn);
	}
	res->cycles += h->m->cost.c[COST_KMAP_HIGH] / 2;
	if (--h->pkmap_count[slot] == 1) {
		/* unmapped, but cached until flush_all_zero_pkmaps() */
		h->in_use--;
		h->cached++;
	}
	res->slot = slot;
	res->count = h->pkmap_count[slot];
	return 0;
}

void highmem_flush_unused(struct highmem *h, struct highmem_result *res)
{
	res_init(res, HM_PFN_NONE);
	flush_all_zero_pkmaps(h, res);
}

int highmem_kmap_local(struct highmem *h, int cpu, uint64_t pfn,
    struct highmem_result *res, char **cause)
{
	struct highmem_local *l;
	bool high;

	res_init(res, pfn);
	if (check_page(h, pfn, cpu, "kmap_local", cause) != 0)
		return -1;
	l = &h->local[cpu];
	high = highmem_page_is_high(h, pfn);
	if (high && l->idx + 1 >= KM_MAX_IDX)
		return kmsim_fail(cause, "kmap_local: cpu %d already holds %u "
		    "nested highmem mappings; kmap_local_idx_push() BUGs at "
		    "KM_MAX_IDX (%d)", cpu, l->idx, KM_MAX_IDX);
	if (l->depth >= HIGHMEM_LOCAL_DEPTH)
		return kmsim_fail(cause, "kmap_local: cpu %d nests more than "
		    "%d kmap_local mappings", cpu, HIGHMEM_LOCAL_DEPTH);
	h->st.nr_kmap_local++;
	l->pfn[l->depth] = pfn;
	l->high[l->depth] = high;
	l->depth++;
	if (!high) {
		/* __kmap_local_page_prot(): page_address(), no slot */
		h->st.nr_kmap_local_lowmem++;
		res->mapped = true;
		return 0;
	}
	/* __kmap_local_pfn_prot(): kmap_local_idx_push(), set_pte_at() */
	res->highmem = true;
	res->slot = cpu * KM_MAX_IDX + (int)l->idx;
	l->idx++;
	h->st.local_depth_max = KMSIM_MAX(h->st.local_depth_max, l->idx);
	res->cycles += h->m->cost.c[COST_KMAP_LOCAL];
	res->mapped = true;
	return 0;
}

int highmem_kunmap_local(struct highmem *h, int cpu,
    struct highmem_result *res, char **cause)
{
	struct highmem_local *l;

	res_init(res, HM_PFN_NONE);
	if (cpu < 0 || cpu >= h->m->nr_cpus)
		return kmsim_fail(cause, "kunmap_local: cpu %d does not exist "
		    "(%d cpus)", cpu, h->m->nr_cpus);
	l = &h->local[cpu];
	if (l->depth == 0)
		return kmsim_fail(cause, "kunmap_local: cpu %d has no "
		    "kmap_local mapping (kmap_local_idx_pop() would BUG)",
		    cpu);
	l->depth--;
	res->pfn = l->pfn[l->depth];
	if (!l->high[l->depth])
		return 0;	/* kunmap_local_indexed(): not a fixmap address */
	/* pte_clear(), arch_kmap_local_post_unmap(): flush_tlb_one_kernel() */
	l->idx--;
	res->highmem = true;
	res->slot = cpu * KM_MAX_IDX + (int)l->idx;
	res->cycles += h->m->cost.c[COST_KMAP_LOCAL];
	return 0;
}

unsigned highmem_local_depth(const struct highmem *h, int cpu)
{
	return cpu >= 0 && cpu < h->m->nr_cpus ? h->local[cpu].idx : 0;
}

void highmem_get_stats(const struct highmem *h, struct highmem_stats *st)
{
	*st = h->st;
	st->slots_in_use = h->in_use;
	st->slots_cached = h->cached;
	st->slots_free = h->last_pkmap - h->in_use - h->cached;
}

int highmem_check(const struct highmem *h, char **cause)
{
	unsigned i, in_use = 0, cached = 0, chained = 0, b, d, idx;
	uint32_t s;
	int cpu;

	for (i = 0; i < h->last_pkmap; i++) {
		if (h->pkmap_count[i] == 0) {
			if (h->pkmap_pfn[i] != HM_PFN_NONE)
				return kmsim_fail(cause, "highmem: free pkmap "
				    "slot %u still maps pfn 0x%" PRIx64, i,
				    h->pkmap_pfn[i]);
			continue;
		}
		if (h->pkmap_count[i] == 1)
			cached++;
		else
			in_use++;
		if (!highmem_page_is_high(h, h->pkmap_pfn[i]))
			return kmsim_fail(cause, "highmem: pkmap slot %u maps "
			    "pfn 0x%" PRIx64 ", not a highmem page", i,
			    h->pkmap_pfn[i]);
		if (page_slot(h, h->pkmap_pfn[i]) != (int)i)
			return kmsim_fail(cause, "highmem: pfn 0x%" PRIx64
			    " of pkmap slot %u is not found there (mapped "
			    "twice, or lost from page_address())",
			    h->pkmap_pfn[i], i);
	}
	if (in_use != h->in_use || cached != h->cached)
		return kmsim_fail(cause, "highmem: %u slots in use and %u "
		    "cached, counters say %u and %u", in_use, cached,
		    h->in_use, h->cached);
	for (b = 0; b < ARRAY_SIZE(h->pa_head); b++)
		for (s = h->pa_head[b]; s != PA_NONE; s = h->pa_next[s]) {
			if (s >= h->last_pkmap || ++chained > h->last_pkmap)
				return kmsim_fail(cause, "highmem: "
				    "page_address() chain %u is corrupt", b);
			if (pa_hash(h->pkmap_pfn[s]) != b)
				return kmsim_fail(cause, "highmem: slot %u "
				    "is chained in the wrong bucket", s);
		}
	if (chained != in_use + cached)
		return kmsim_fail(cause, "highmem: %u slots in page_address(), "
		    "%u mapped", chained, in_use + cached);
	for (cpu = 0; cpu < h->m->nr_cpus; cpu++) {
		const struct highmem_local *l = &h->local[cpu];

		for (d = 0, idx = 0; d < l->depth; d++)
			idx += l->high[d];
		if (idx != l->idx || l->idx >= KM_MAX_IDX ||
		    l->depth > HIGHMEM_LOCAL_DEPTH)
			return kmsim_fail(cause, "highmem: cpu %d kmap_local "
			    "stack holds %u highmem entries, idx %u", cpu,
			    idx, l->idx);
	}
	return 0;
}
