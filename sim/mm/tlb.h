/*
 * tlb.h - the data TLBs of every CPU: a first level split by page size
 * (or unified, as on Zen), a second level (STLB), set-associative with
 * true LRU per set and indexed by virtual page number; page walks on a
 * full miss, made cheaper by the paging-structure caches (PML4E, PDPTE
 * and PDE caches, Intel SDM vol. 3A 4.10.3); the kernel's address layout
 * (the direct map in 1G/2M pages, vmalloc space in 4K pages); the
 * flushes of arch/x86/mm/tlb.c and the IPI shoot-downs that carry them
 * to the other CPUs.
 *
 * A library engine: it knows no machine, only a CPU count and a
 * tlb_config.  The caller says which CPU touches which kernel virtual
 * address, and accumulates what each call charged.
 */
#ifndef KMSIM_TLB_H
#define KMSIM_TLB_H

#include <stdbool.h>
#include <stdint.h>

#include "cost.h"

/* Page sizes a TLB entry can map. */
enum tlb_size { TLB_4K, TLB_2M, TLB_1G, TLB_NR_SIZES };
#define TLB_SIZE_BIT(s)	(1u << (s))
#define TLB_ALL_SIZES	(TLB_SIZE_BIT(TLB_4K) | TLB_SIZE_BIT(TLB_2M) | \
			 TLB_SIZE_BIT(TLB_1G))
extern const char *const tlb_size_names[TLB_NR_SIZES];	/* "4K" ... */

static inline unsigned tlb_size_shift(enum tlb_size s)
{
	return 12 + 9 * (unsigned)s;
}

/* Where a translation was found. */
enum tlb_level { TLB_L1, TLB_L2, TLB_NR_LEVELS };
enum tlb_outcome { TLB_HIT_L1, TLB_HIT_L2, TLB_WALK };
extern const char *const tlb_outcome_names[3];	/* "l1", "l2", "walk" */

/* Paging-structure caches, by the entry they hold. */
enum tlb_psc { TLB_PSC_PDE, TLB_PSC_PDPTE, TLB_PSC_PML4E, TLB_NR_PSC };

#define TLB_MAX_ARRAYS	3	/* per level */

/*
 * One set-associative array: `entries` entries in entries/ways sets,
 * holding the page sizes in the `sizes` mask.  ways == entries makes it
 * fully associative.  entries == 0: no array.
 */
struct tlb_array_config {
	unsigned entries;
	unsigned ways;
	unsigned sizes;		/* TLB_SIZE_BIT()s */
};

/*
 * The kernel's flush ceiling (arch/x86/mm/tlb.c): a range of more than
 * this many pages is flushed whole.
 */
#define TLB_SINGLE_PAGE_FLUSH_CEILING	33
#define TLB_FLUSH_ALL	UINT64_MAX	/* as an end: everything */

struct tlb_config {
	const char *name;
	unsigned paging_levels;		/* 4 or 5 (LA57) */
	/* per level, arrays holding disjoint sets of page sizes */
	struct tlb_array_config array[TLB_NR_LEVELS][TLB_MAX_ARRAYS];
	/*
	 * The second level has no 1G array and keeps a 1G translation as
	 * the 2M entry covering the address ("smashed", AMD's word); the
	 * first level still gets the 1G entry.
	 */
	bool l2_smash_1g;
	unsigned psc_entries[TLB_NR_PSC];	/* fully associative, LRU;
					   0: no such cache */
	/* the kernel's layout */
	bool gbpages;			/* the direct map may use 1G pages */
	uint64_t direct_map_bytes;	/* RAM mapped at PAGE_OFFSET, from
					   physical address 0 */
	unsigned flush_ceiling;		/* tlb_single_page_flush_ceiling */
	/* cycles (tlb_preset() copies the cost table's defaults) */
	uint64_t cost_l1_hit;		/* a first-level hit */
	uint64_t cost_l2_hit;		/* added by a second-level hit */
	uint64_t cost_walk_ref;		/* one paging-structure entry read
					   by a walk */
	uint64_t cost_invlpg;		/* one INVLPG */
	uint64_t cost_flush_all;	/* a full flush, globals included */
	uint64_t cost_ipi;		/* one IPI round trip to a CPU */
};

/*
 * Fill *cfg from a named preset: "intel-spr" (Golden Cove, Sapphire
 * Rapids), "amd-zen4", "generic".  Costs come from the cost table's
 * defaults; direct_map_bytes is 0 (the caller sets it).  Returns 0, or
 * -1 with *cause for an unknown name.
 */
int tlb_preset(const char *name, struct tlb_config *cfg, char **cause);
/* The preset names, NULL-terminated. */
extern const char *const tlb_preset_names[];
/* Take the cycle costs from a cost model (a machine's, with overrides). */
void tlb_config_set_costs(struct tlb_config *cfg, const struct cost_model *cm);
/* Is cfg usable?  Returns 0, or -1 with *cause. */
int tlb_config_check(const struct tlb_config *cfg, char **cause);
/* Entries of page size s at level (summed over the arrays holding it). */
unsigned tlb_config_entries(const struct tlb_config *cfg,
    enum tlb_level level, enum tlb_size s);

/*
 * The kernel's x86-64 layout without KASLR (Documentation/arch/x86/
 * x86_64/mm.rst): the direct map of all physical memory at PAGE_OFFSET,
 * vmalloc/ioremap space after it.
 */
#define TLB_PAGE_OFFSET_L4	UINT64_C(0xffff888000000000)
#define TLB_VMALLOC_START_L4	UINT64_C(0xffffc90000000000)
#define TLB_VMALLOC_END_L4	UINT64_C(0xffffe90000000000)	/* 32 TB */
#define TLB_PAGE_OFFSET_L5	UINT64_C(0xff11000000000000)
#define TLB_VMALLOC_START_L5	UINT64_C(0xffa0000000000000)
#define TLB_VMALLOC_END_L5	UINT64_C(0xffd2000000000000)	/* 12.5 PB */

uint64_t tlb_page_offset(const struct tlb_config *cfg);
uint64_t tlb_vmalloc_start(const struct tlb_config *cfg);
/*
 * The page shift a kernel virtual address is mapped with: in the direct
 * map, 30 inside a 1G-aligned gigabyte of RAM (with gbpages), else 21
 * inside a 2M-aligned block, else 12; in vmalloc space 21 when
 * huge_vmalloc (the caller knows the area was mapped huge), else 12.
 * Anything else: 12.
 */
unsigned tlb_kernel_page_shift(const struct tlb_config *cfg, uint64_t vaddr,
    bool huge_vmalloc);

/* What one call did and charged (the caller accumulates). */
struct tlb_result {
	uint64_t cycles;		/* charged to the calling CPU */
	enum tlb_outcome outcome;	/* tlb_access() */
	unsigned page_shift;		/* tlb_access(): the size used */
	unsigned walk_refs;		/* entries a walk read */
	unsigned invlpgs;		/* per CPU flushed */
	bool full_flush;
	unsigned ipis;			/* tlb_shootdown() */
	uint64_t remote_cycles;		/* work done on the other CPUs */
};

struct tlb_stats {
	uint64_t accesses, writes;
	uint64_t hits[TLB_NR_LEVELS][TLB_NR_SIZES];
	uint64_t misses[TLB_NR_LEVELS][TLB_NR_SIZES];
	uint64_t walks[TLB_NR_SIZES];
	uint64_t walk_refs;
	uint64_t walk_cycles;
	uint64_t psc_hits[TLB_NR_PSC];	/* the walk started below it */
	uint64_t invlpgs;		/* single-entry flushes */
	uint64_t range_flushes;		/* tlb_flush_range() calls, local or
					   from a shoot-down */
	uint64_t full_flushes;
	uint64_t shootdowns;		/* initiated */
	uint64_t shootdowns_received;	/* IPIs handled */
	uint64_t ipis_sent;
	uint64_t cycles;		/* everything charged to the CPU */
};

struct tlb;

/* nr_cpus CPUs with empty TLBs; NULL if cfg fails tlb_config_check().
 * cfg is copied.  Destroy with tlb_destroy(). */
struct tlb *tlb_create(int nr_cpus, const struct tlb_config *cfg);
void tlb_destroy(struct tlb *t);
const struct tlb_config *tlb_get_config(const struct tlb *t);

/*
 * CPU cpu translates vaddr, mapped with page_shift (12, 21 or 30; 0: as
 * tlb_kernel_page_shift() says, vmalloc in 4K).  First level, then the
 * second, then a walk that fills both (and the paging-structure caches).
 * Returns the outcome; res (may be NULL) gets the cycles.
 */
enum tlb_outcome tlb_access(struct tlb *t, int cpu, uint64_t vaddr,
    unsigned page_shift, bool write, struct tlb_result *res);

/* INVLPG on cpu: every entry of any size mapping vaddr, and the
 * paging-structure caches. */
void tlb_flush_page(struct tlb *t, int cpu, uint64_t vaddr,
    struct tlb_result *res);
/*
 * flush_tlb_kernel_range()'s work on one CPU (do_kernel_range_flush()):
 * INVLPG each 4K page of [start, end) up to the ceiling, past it (or
 * end == TLB_FLUSH_ALL) a full flush.
 */
void tlb_flush_range(struct tlb *t, int cpu, uint64_t start, uint64_t end,
    struct tlb_result *res);
/* __flush_tlb_all() on cpu: every entry, global ones too. */
void tlb_flush_all(struct tlb *t, int cpu, struct tlb_result *res);
/*
 * flush_tlb_kernel_range() from initiator: the range flush on every CPU,
 * through an IPI to each other CPU (on_each_cpu(), waiting).  The
 * initiator is charged its own flush and one IPI round trip per other
 * CPU; the others' flush work goes to their own stats and to
 * res->remote_cycles.
 */
void tlb_shootdown(struct tlb *t, int initiator, uint64_t start,
    uint64_t end, struct tlb_result *res);

/* Is vaddr's translation (of size page_shift) cached at level, without
 * touching LRU order or stats? */
bool tlb_probe(const struct tlb *t, int cpu, uint64_t vaddr,
    unsigned page_shift, enum tlb_level level);

/* Counters of one CPU, or summed over all with cpu == -1. */
void tlb_get_stats(const struct tlb *t, int cpu, struct tlb_stats *st);
void tlb_reset_stats(struct tlb *t);

#endif /* KMSIM_TLB_H */
