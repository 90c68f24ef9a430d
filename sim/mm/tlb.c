/*
 * tlb.c - per-CPU data TLBs, page walks through the paging-structure
 * caches, and the kernel's TLB flushes and shoot-downs (arch/x86/mm/tlb.c).
 *
 * Simplified:
 *  - only the data side; Golden Cove's separate 16-entry store DTLB is
 *    folded into the load DTLB (stores look up the same arrays);
 *  - the page size of an access is known at lookup, so an array holding
 *    several sizes is probed at the index of that size only (hardware
 *    probes, or hashes, every size it holds);
 *  - true LRU per set (hardware uses tree pseudo-LRU or similar);
 *  - the first level is not inclusive of the second and neither is
 *    back-invalidated on an eviction from the other;
 *  - kernel PTEs are made with the accessed and dirty bits set
 *    (__PAGE_KERNEL), so a store never needs an assist to set D: writes
 *    are counted and cost what loads cost;
 *  - one address space: no PCIDs, kernel entries are global;
 *  - a walk's reads cost the same whatever cache level holds the entry;
 *  - AMD's INVLPGB broadcast flush is not modelled: shoot-downs are IPIs.
 */

#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "kmsim.h"
#include "mm/tlb.h"

const char *const tlb_size_names[TLB_NR_SIZES] = { "4K", "2M", "1G" };
const char *const tlb_outcome_names[3] = { "l1", "l2", "walk" };

/*
 * One array.  tag[] holds (vpn << 2 | size) + 1 so that 0 is an empty
 * way; stamp[] the CPU's access clock at the last use (LRU: the smallest
 * goes).
 */
struct tlb_array {
	unsigned sets, ways, sizes;
	uint64_t *tag;
	uint64_t *stamp;
};

struct tlb_cpu {
	struct tlb_array a[TLB_NR_LEVELS][TLB_MAX_ARRAYS];
	struct tlb_array psc[TLB_NR_PSC];
	uint64_t clock;
	struct tlb_stats st;
};

struct tlb {
	struct tlb_config cfg;
	int nr_cpus;
	struct tlb_cpu *cpu;
};

/*
 * Presets.  Sizes of the first and second level from the vendors'
 * optimization guides as summarised by Chips and Cheese, WikiChip and
 * 7-cpu.com; the paging-structure cache sizes are not published by
 * either vendor and are the figures the MMU-cache literature reports
 * (Barr, Cox, Rixner, "Translation caching: skip, don't walk (the page
 * table)", ISCA 2010; Bhattacharjee, "Large-reach memory management unit
 * caches", MICRO 2013): 2 PML4E, 4 PDPTE, 32 PDE entries on Intel cores.
 * Treat them as an order of magnitude.
 */
static const struct tlb_config tlb_presets[] = {
	/*
	 * Intel Golden Cove (Sapphire Rapids P-core), from the Intel 64
	 * and IA-32 Architectures Optimization Reference Manual's Golden
	 * Cove TLB table: load DTLB 96 entries 6-way for 4K (Sunny Cove had
	 * 64 4-way), 32 entries 4-way for 2M/4M, 8 entries fully
	 * associative for 1G; STLB 2048 entries 16-way shared by 4K and
	 * 2M, and a 1G STLB of 1024 entries 8-way.  Unsure: the 1G STLB
	 * figure is the one given for Sunny Cove and we take it as kept;
	 * some sources say its ways also hold 4K entries, which we do not
	 * model.  Sapphire Rapids supports 5-level paging, but distribution
	 * kernels run 4 levels unless the machine has more than 64 TiB.
	 */
	{ .name = "intel-spr", .paging_levels = 4,
	  .array = {
	    [TLB_L1] = {
		{ 96, 6, TLB_SIZE_BIT(TLB_4K) },
		{ 32, 4, TLB_SIZE_BIT(TLB_2M) },
		{ 8, 8, TLB_SIZE_BIT(TLB_1G) } },
	    [TLB_L2] = {
		{ 2048, 16, TLB_SIZE_BIT(TLB_4K) | TLB_SIZE_BIT(TLB_2M) },
		{ 1024, 8, TLB_SIZE_BIT(TLB_1G) } } },
	  .psc_entries = { [TLB_PSC_PDE] = 32, [TLB_PSC_PDPTE] = 4,
	    [TLB_PSC_PML4E] = 2 },
	  .gbpages = true },
	/*
	 * AMD Zen 4, from the Software Optimization Guide for AMD Family
	 * 19h processors (pub. 57647) and Chips and Cheese's Zen 4
	 * articles: L1 DTLB 72 entries fully associative for all page
	 * sizes; L2 DTLB 3072 entries for 4K and 2M pages.  The L2
	 * associativity of 12 ways is Zen 2's and Zen 3's (2048 entries,
	 * 12-way), assumed kept (unsure; AMD's L2 DTLB is skewed, some
	 * ways per size, which we do not model).  As on Zen 2/3, a 1G page
	 * is "smashed" into a 2M entry in the L2 and installed as 1G in
	 * the L1.  Zen keeps PDEs in the L2 DTLB itself (a page directory
	 * cache); here a separate PDE cache of assumed size 64 stands for
	 * it (unsure).
	 */
	{ .name = "amd-zen4", .paging_levels = 4,
	  .array = {
	    [TLB_L1] = { { 72, 72, TLB_ALL_SIZES } },
	    [TLB_L2] = {
		{ 3072, 12, TLB_SIZE_BIT(TLB_4K) | TLB_SIZE_BIT(TLB_2M) } } },
	  .l2_smash_1g = true,
	  .psc_entries = { [TLB_PSC_PDE] = 64, [TLB_PSC_PDPTE] = 4,
	    [TLB_PSC_PML4E] = 2 },
	  .gbpages = true },
	/*
	 * A round, Skylake-like core for tests and what-ifs: 64 4K
	 * entries 4-way, 32 2M 4-way, 4 1G fully associative; a 1536-entry
	 * 12-way STLB for 4K and 2M, 16 1G entries 4-way (Skylake's
	 * figures, Intel optimization manual).
	 */
	{ .name = "generic", .paging_levels = 4,
	  .array = {
	    [TLB_L1] = {
		{ 64, 4, TLB_SIZE_BIT(TLB_4K) },
		{ 32, 4, TLB_SIZE_BIT(TLB_2M) },
		{ 4, 4, TLB_SIZE_BIT(TLB_1G) } },
	    [TLB_L2] = {
		{ 1536, 12, TLB_SIZE_BIT(TLB_4K) | TLB_SIZE_BIT(TLB_2M) },
		{ 16, 4, TLB_SIZE_BIT(TLB_1G) } } },
	  .psc_entries = { [TLB_PSC_PDE] = 32, [TLB_PSC_PDPTE] = 4,
	    [TLB_PSC_PML4E] = 2 },
	  .gbpages = true },
};

const char *const tlb_preset_names[] = { "intel-spr", "amd-zen4", "generic",
	NULL };

void tlb_config_set_costs(struct tlb_config *cfg, const struct cost_model *cm)
{
	cfg->cost_l1_hit = cm->c[COST_TLB_L1_HIT];
	cfg->cost_l2_hit = cm->c[COST_TLB_L2_HIT];
	cfg->cost_walk_ref = cm->c[COST_TLB_WALK_REF];
	cfg->cost_invlpg = cm->c[COST_TLB_INVLPG];
	cfg->cost_flush_all = cm->c[COST_TLB_FLUSH_ALL];
	cfg->cost_ipi = cm->c[COST_TLB_IPI];
}

int tlb_preset(const char *name, struct tlb_config *cfg, char **cause)
{
	struct cost_model cm;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(tlb_presets); i++)
		if (strcmp(tlb_presets[i].name, name) == 0)
			break;
	if (i == ARRAY_SIZE(tlb_presets))
		return kmsim_fail(cause, "unknown TLB preset '%s'", name);
	*cfg = tlb_presets[i];
	cfg->flush_ceiling = TLB_SINGLE_PAGE_FLUSH_CEILING;
	cost_model_init(&cm);
	tlb_config_set_costs(cfg, &cm);
	return 0;
}

int tlb_config_check(const struct tlb_config *cfg, char **cause)
{
	unsigned l, i, seen;

	if (cfg->paging_levels != 4 && cfg->paging_levels != 5)
		return kmsim_fail(cause, "paging levels %u: 4 or 5",
		    cfg->paging_levels);
	for (l = 0; l < TLB_NR_LEVELS; l++) {
		seen = 0;
		for (i = 0; i < TLB_MAX_ARRAYS; i++) {
			const struct tlb_array_config *ac = &cfg->array[l][i];

			if (ac->entries == 0)
				continue;
			if (ac->ways == 0 || ac->entries % ac->ways != 0)
				return kmsim_fail(cause, "TLB level %u array "
				    "%u: %u entries not a multiple of %u "
				    "ways", l + 1, i, ac->entries, ac->ways);
			if (ac->sizes == 0 || (ac->sizes & ~TLB_ALL_SIZES))
				return kmsim_fail(cause, "TLB level %u array "
				    "%u: bad page size mask %#x", l + 1, i,
				    ac->sizes);
			if (ac->sizes & seen)
				return kmsim_fail(cause, "TLB level %u: a page"
				    " size held by two arrays", l + 1);
			seen |= ac->sizes;
		}
	}
	return 0;
}

unsigned tlb_config_entries(const struct tlb_config *cfg,
    enum tlb_level level, enum tlb_size s)
{
	unsigned i, n = 0;

	for (i = 0; i < TLB_MAX_ARRAYS; i++)
		if (cfg->array[level][i].sizes & TLB_SIZE_BIT(s))
			n += cfg->array[level][i].entries;
	return n;
}

/* The layout. */

uint64_t tlb_page_offset(const struct tlb_config *cfg)
{
	return cfg->paging_levels == 5 ? TLB_PAGE_OFFSET_L5 :
	    TLB_PAGE_OFFSET_L4;
}

uint64_t tlb_vmalloc_start(const struct tlb_config *cfg)
{
	return cfg->paging_levels == 5 ? TLB_VMALLOC_START_L5 :
	    TLB_VMALLOC_START_L4;
}

static uint64_t tlb_vmalloc_end(const struct tlb_config *cfg)
{
	return cfg->paging_levels == 5 ? TLB_VMALLOC_END_L5 :
	    TLB_VMALLOC_END_L4;
}

/*
 * arch/x86/mm/init.c:split_mem_range() maps [0, RAM) with 4K pages up to
 * the first 2M boundary, 2M pages up to the first 1G boundary, 1G pages
 * (with X86_FEATURE_GBPAGES) over the whole gigabytes, then 2M and 4K
 * for the tail.  RAM starts at 0 here, so only the tail is split.  Holes
 * in physical memory (memblock ranges) are not modelled.
 */
unsigned tlb_kernel_page_shift(const struct tlb_config *cfg, uint64_t vaddr,
    bool huge_vmalloc)
{
	uint64_t off = tlb_page_offset(cfg);

	if (vaddr >= off && vaddr - off < cfg->direct_map_bytes) {
		uint64_t pa = vaddr - off, ram = cfg->direct_map_bytes;

		if (cfg->gbpages && pa < (ram & ~((UINT64_C(1) << 30) - 1)))
			return 30;
		if (pa < (ram & ~((UINT64_C(1) << 21) - 1)))
			return 21;
		return 12;
	}
	if (vaddr >= tlb_vmalloc_start(cfg) && vaddr < tlb_vmalloc_end(cfg))
		return huge_vmalloc ? 21 : 12;
	return 12;
}

/* Arrays. */

static void array_init(struct tlb_array *a, unsigned entries, unsigned ways,
    unsigned sizes)
{
	a->ways = ways;
	a->sets = entries ? entries / ways : 0;
	a->sizes = sizes;
	if (entries) {
		a->tag = xcalloc(entries, sizeof *a->tag);
		a->stamp = xcalloc(entries, sizeof *a->stamp);
	}
}

static void array_fini(struct tlb_array *a)
{
	free(a->tag);
	free(a->stamp);
}

static void array_clear(struct tlb_array *a)
{
	if (a->sets)
		memset(a->tag, 0, (size_t)a->sets * a->ways * sizeof *a->tag);
}

/* key: what the array is indexed by (a vpn, or a paging-structure
 * entry's virtual-address prefix); s: the size class kept in the tag. */
static uint64_t *array_find(const struct tlb_array *a, uint64_t key,
    unsigned s, size_t *slot)
{
	size_t base = (size_t)(key % a->sets) * a->ways, w;
	uint64_t tag = (key << 2 | s) + 1;

	for (w = 0; w < a->ways; w++)
		if (a->tag[base + w] == tag) {
			*slot = base + w;
			return &a->tag[base + w];
		}
	return NULL;
}

/* Look up and, on a hit, make it most recently used. */
static bool array_lookup(struct tlb_array *a, uint64_t key, unsigned s,
    uint64_t now)
{
	size_t slot;

	if (a->sets == 0 || array_find(a, key, s, &slot) == NULL)
		return false;
	a->stamp[slot] = now;
	return true;
}

/* Insert (the caller looked it up and missed): an empty way, else the
 * least recently used. */
static void array_insert(struct tlb_array *a, uint64_t key, unsigned s,
    uint64_t now)
{
	size_t base, w, victim;

	if (a->sets == 0)
		return;
	base = (size_t)(key % a->sets) * a->ways;
	victim = base;
	for (w = 0; w < a->ways; w++) {
		if (a->tag[base + w] == 0) {
			victim = base + w;
			break;
		}
		if (a->stamp[base + w] < a->stamp[victim])
			victim = base + w;
	}
	a->tag[victim] = (key << 2 | s) + 1;
	a->stamp[victim] = now;
}

static bool array_invalidate(struct tlb_array *a, uint64_t key, unsigned s)
{
	uint64_t *e;
	size_t slot;

	if (a->sets == 0 || (e = array_find(a, key, s, &slot)) == NULL)
		return false;
	*e = 0;
	return true;
}

/* The array of a level holding size s, or NULL. */
static struct tlb_array *level_array(struct tlb_cpu *c, enum tlb_level l,
    enum tlb_size s)
{
	unsigned i;

	for (i = 0; i < TLB_MAX_ARRAYS; i++)
		if (c->a[l][i].sets && (c->a[l][i].sizes & TLB_SIZE_BIT(s)))
			return &c->a[l][i];
	return NULL;
}

/* The size class a translation of size s is kept as at level l. */
static enum tlb_size level_size(const struct tlb *t, struct tlb_cpu *c,
    enum tlb_level l, enum tlb_size s)
{
	if (l == TLB_L2 && s == TLB_1G && t->cfg.l2_smash_1g &&
	    level_array(c, l, TLB_1G) == NULL)
		return TLB_2M;
	return s;
}

/* Creation. */

struct tlb *tlb_create(int nr_cpus, const struct tlb_config *cfg)
{
	struct tlb *t;
	int cpu;
	unsigned l, i;

	if (nr_cpus <= 0 || tlb_config_check(cfg, NULL) != 0)
		return NULL;
	t = xcalloc(1, sizeof *t);
	t->cfg = *cfg;
	t->nr_cpus = nr_cpus;
	t->cpu = xcalloc((size_t)nr_cpus, sizeof *t->cpu);
	for (cpu = 0; cpu < nr_cpus; cpu++) {
		struct tlb_cpu *c = &t->cpu[cpu];

		for (l = 0; l < TLB_NR_LEVELS; l++)
			for (i = 0; i < TLB_MAX_ARRAYS; i++)
				array_init(&c->a[l][i],
				    cfg->array[l][i].entries,
				    cfg->array[l][i].ways,
				    cfg->array[l][i].sizes);
		/* fully associative: one set */
		for (i = 0; i < TLB_NR_PSC; i++)
			array_init(&c->psc[i], cfg->psc_entries[i],
			    cfg->psc_entries[i], 0);
	}
	return t;
}

void tlb_destroy(struct tlb *t)
{
	int cpu;
	unsigned l, i;

	if (t == NULL)
		return;
	for (cpu = 0; cpu < t->nr_cpus; cpu++) {
		struct tlb_cpu *c = &t->cpu[cpu];

		for (l = 0; l < TLB_NR_LEVELS; l++)
			for (i = 0; i < TLB_MAX_ARRAYS; i++)
				array_fini(&c->a[l][i]);
		for (i = 0; i < TLB_NR_PSC; i++)
			array_fini(&c->psc[i]);
	}
	free(t->cpu);
	free(t);
}

const struct tlb_config *tlb_get_config(const struct tlb *t)
{
	return &t->cfg;
}

/* Access. */

static enum tlb_size shift_to_size(unsigned shift)
{
	assert(shift == 12 || shift == 21 || shift == 30);
	return (enum tlb_size)((shift - 12) / 9);
}

/*
 * The page walk (Intel SDM vol. 3A 4.10.3.2): with the leaf at paging
 * level L (1 = PTE for 4K, 2 = PDE for 2M, 3 = PDPTE for 1G), the walk
 * starts below the lowest non-leaf level k > L whose entry is in its
 * paging-structure cache, and reads the entries at levels k-1 .. L;
 * with no such hit it reads from the top (PML4 or PML5) down to L.
 * The cache for level k is keyed by the address bits above 12 + 9(k-1).
 * Afterwards every non-leaf entry read is cached.
 */
static unsigned walk(struct tlb *t, struct tlb_cpu *c, uint64_t vaddr,
    enum tlb_size s)
{
	unsigned leaf = (unsigned)s + 1, k, refs;
	uint64_t key;

	refs = t->cfg.paging_levels - leaf + 1;
	for (k = leaf + 1; k <= TLB_NR_PSC + 1; k++) {
		key = vaddr >> (12 + 9 * (k - 1));
		if (array_lookup(&c->psc[k - 2], key, 0, c->clock)) {
			c->st.psc_hits[k - 2]++;
			refs = k - leaf;
			break;
		}
	}
	/* fill the caches below the level the walk started at */
	for (k = leaf + 1; k <= TLB_NR_PSC + 1 && k <= leaf + refs - 1; k++) {
		key = vaddr >> (12 + 9 * (k - 1));
		if (!array_lookup(&c->psc[k - 2], key, 0, c->clock))
			array_insert(&c->psc[k - 2], key, 0, c->clock);
	}
	return refs;
}

enum tlb_outcome tlb_access(struct tlb *t, int cpu, uint64_t vaddr,
    unsigned page_shift, bool write, struct tlb_result *res)
{
	struct tlb_cpu *c;
	struct tlb_array *a1, *a2;
	enum tlb_size s, s2;
	struct tlb_result r;
	unsigned refs;

	assert(cpu >= 0 && cpu < t->nr_cpus);
	if (res == NULL)
		res = &r;
	memset(res, 0, sizeof *res);
	if (page_shift == 0)
		page_shift = tlb_kernel_page_shift(&t->cfg, vaddr, false);
	s = shift_to_size(page_shift);
	res->page_shift = page_shift;
	c = &t->cpu[cpu];
	c->clock++;
	c->st.accesses++;
	if (write)
		c->st.writes++;

	res->cycles = t->cfg.cost_l1_hit;
	a1 = level_array(c, TLB_L1, s);
	if (a1 != NULL && array_lookup(a1, vaddr >> page_shift, s, c->clock)) {
		c->st.hits[TLB_L1][s]++;
		res->outcome = TLB_HIT_L1;
		goto out;
	}
	c->st.misses[TLB_L1][s]++;

	res->cycles += t->cfg.cost_l2_hit;
	s2 = level_size(t, c, TLB_L2, s);
	a2 = level_array(c, TLB_L2, s2);
	if (a2 != NULL && array_lookup(a2, vaddr >> tlb_size_shift(s2), s2,
	    c->clock)) {
		c->st.hits[TLB_L2][s]++;
		res->outcome = TLB_HIT_L2;
		goto fill_l1;
	}
	c->st.misses[TLB_L2][s]++;

	refs = walk(t, c, vaddr, s);
	c->st.walks[s]++;
	c->st.walk_refs += refs;
	c->st.walk_cycles += refs * t->cfg.cost_walk_ref;
	res->walk_refs = refs;
	res->cycles += refs * t->cfg.cost_walk_ref;
	res->outcome = TLB_WALK;
	if (a2 != NULL)
		array_insert(a2, vaddr >> tlb_size_shift(s2), s2, c->clock);
fill_l1:
	if (a1 != NULL)
		array_insert(a1, vaddr >> page_shift, s, c->clock);
out:
	c->st.cycles += res->cycles;
	return res->outcome;
}

bool tlb_probe(const struct tlb *t, int cpu, uint64_t vaddr,
    unsigned page_shift, enum tlb_level level)
{
	struct tlb_cpu *c = &t->cpu[cpu];
	enum tlb_size s = shift_to_size(page_shift), sl;
	struct tlb_array *a;
	size_t slot;

	sl = level_size(t, c, level, s);
	a = level_array(c, level, sl);
	return a != NULL &&
	    array_find(a, vaddr >> tlb_size_shift(sl), sl, &slot) != NULL;
}

/* Flushes. */

/* INVLPG: every entry mapping vaddr at any size, and (SDM vol. 3A
 * 4.10.4.1) all paging-structure cache entries of the address space. */
static void invlpg(struct tlb *t, struct tlb_cpu *c, uint64_t vaddr)
{
	unsigned l, i, s;

	for (l = 0; l < TLB_NR_LEVELS; l++)
		for (i = 0; i < TLB_MAX_ARRAYS; i++)
			for (s = 0; s < TLB_NR_SIZES; s++)
				if (c->a[l][i].sizes & TLB_SIZE_BIT(s))
					array_invalidate(&c->a[l][i],
					    vaddr >> tlb_size_shift(s), s);
	for (i = 0; i < TLB_NR_PSC; i++)
		array_clear(&c->psc[i]);
	c->st.invlpgs++;
	c->st.cycles += t->cfg.cost_invlpg;
}

static void flush_all(struct tlb *t, struct tlb_cpu *c)
{
	unsigned l, i;

	for (l = 0; l < TLB_NR_LEVELS; l++)
		for (i = 0; i < TLB_MAX_ARRAYS; i++)
			array_clear(&c->a[l][i]);
	for (i = 0; i < TLB_NR_PSC; i++)
		array_clear(&c->psc[i]);
	c->st.full_flushes++;
	c->st.cycles += t->cfg.cost_flush_all;
}

void tlb_flush_page(struct tlb *t, int cpu, uint64_t vaddr,
    struct tlb_result *res)
{
	assert(cpu >= 0 && cpu < t->nr_cpus);
	invlpg(t, &t->cpu[cpu], vaddr);
	if (res != NULL) {
		memset(res, 0, sizeof *res);
		res->invlpgs = 1;
		res->cycles = t->cfg.cost_invlpg;
	}
}

void tlb_flush_all(struct tlb *t, int cpu, struct tlb_result *res)
{
	assert(cpu >= 0 && cpu < t->nr_cpus);
	flush_all(t, &t->cpu[cpu]);
	if (res != NULL) {
		memset(res, 0, sizeof *res);
		res->full_flush = true;
		res->cycles = t->cfg.cost_flush_all;
	}
}

/*
 * flush_tlb_kernel_range(): a range of more than
 * tlb_single_page_flush_ceiling pages (33, chosen in 2014 from Dave
 * Hansen's measurements of INVLPG against a full flush and its refill)
 * is flushed whole; else do_kernel_range_flush() INVLPGs every 4K step,
 * whatever the pages' size.  Returns the cycles.
 */
static uint64_t range_flush(struct tlb *t, struct tlb_cpu *c,
    uint64_t start, uint64_t end, unsigned *invlpgs, bool *full)
{
	uint64_t addr, n = 0;

	c->st.range_flushes++;
	if (end == TLB_FLUSH_ALL || end - start >
	    (uint64_t)t->cfg.flush_ceiling << 12) {
		flush_all(t, c);
		*full = true;
		return t->cfg.cost_flush_all;
	}
	for (addr = start; addr < end; addr += 4096, n++)
		invlpg(t, c, addr);
	*invlpgs = (unsigned)n;
	return n * t->cfg.cost_invlpg;
}

void tlb_flush_range(struct tlb *t, int cpu, uint64_t start, uint64_t end,
    struct tlb_result *res)
{
	struct tlb_result r;

	assert(cpu >= 0 && cpu < t->nr_cpus);
	assert(start <= end);
	if (res == NULL)
		res = &r;
	memset(res, 0, sizeof *res);
	res->cycles = range_flush(t, &t->cpu[cpu], start, end, &res->invlpgs,
	    &res->full_flush);
}

/*
 * on_each_cpu(do_kernel_range_flush, ...) waits for every CPU: the
 * initiator pays one IPI round trip per other CPU.  The kernel sends
 * them all before waiting, so a linear charge overstates the latency on
 * large machines (the round trips overlap); it does count the work.
 */
void tlb_shootdown(struct tlb *t, int initiator, uint64_t start,
    uint64_t end, struct tlb_result *res)
{
	struct tlb_result r;
	unsigned invlpgs;
	bool full;
	int cpu;

	assert(initiator >= 0 && initiator < t->nr_cpus);
	assert(start <= end);
	if (res == NULL)
		res = &r;
	memset(res, 0, sizeof *res);
	for (cpu = 0; cpu < t->nr_cpus; cpu++) {
		struct tlb_cpu *c = &t->cpu[cpu];
		uint64_t cy;

		invlpgs = 0;
		full = false;
		cy = range_flush(t, c, start, end, &invlpgs, &full);
		if (cpu == initiator) {
			res->cycles += cy;
			res->invlpgs = invlpgs;
			res->full_flush = full;
			continue;
		}
		c->st.shootdowns_received++;
		res->remote_cycles += cy;
		res->ipis++;
	}
	res->cycles += res->ipis * t->cfg.cost_ipi;
	t->cpu[initiator].st.shootdowns++;
	t->cpu[initiator].st.ipis_sent += res->ipis;
	t->cpu[initiator].st.cycles += res->ipis * t->cfg.cost_ipi;
}

/* Statistics. */

void tlb_get_stats(const struct tlb *t, int cpu, struct tlb_stats *st)
{
	int c, lo = cpu < 0 ? 0 : cpu, hi = cpu < 0 ? t->nr_cpus : cpu + 1;
	unsigned l, s, i;

	assert(cpu < t->nr_cpus);
	memset(st, 0, sizeof *st);
	for (c = lo; c < hi; c++) {
		const struct tlb_stats *x = &t->cpu[c].st;

		st->accesses += x->accesses;
		st->writes += x->writes;
		for (l = 0; l < TLB_NR_LEVELS; l++)
			for (s = 0; s < TLB_NR_SIZES; s++) {
				st->hits[l][s] += x->hits[l][s];
				st->misses[l][s] += x->misses[l][s];
			}
		for (s = 0; s < TLB_NR_SIZES; s++)
			st->walks[s] += x->walks[s];
		st->walk_refs += x->walk_refs;
		st->walk_cycles += x->walk_cycles;
		for (i = 0; i < TLB_NR_PSC; i++)
			st->psc_hits[i] += x->psc_hits[i];
		st->invlpgs += x->invlpgs;
		st->range_flushes += x->range_flushes;
		st->full_flushes += x->full_flushes;
		st->shootdowns += x->shootdowns;
		st->shootdowns_received += x->shootdowns_received;
		st->ipis_sent += x->ipis_sent;
		st->cycles += x->cycles;
	}
}

void tlb_reset_stats(struct tlb *t)
{
	int c;

	for (c = 0; c < t->nr_cpus; c++)
		memset(&t->cpu[c].st, 0, sizeof t->cpu[c].st);
}
