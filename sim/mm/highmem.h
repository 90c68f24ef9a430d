/*
 * highmem.h - kernel mappings of highmem pages on a 32-bit machine
 * (mm/highmem.c, include/linux/highmem-internal.h): the persistent kmap
 * pool of LAST_PKMAP slots that kmap()/kunmap() share under kmap_lock,
 * and the per-CPU fixmap stacks of kmap_local_page()/kmap_atomic().
 *
 * A page below max_low_pfn is in the direct map: mapping it costs
 * nothing and takes no slot.  A ZONE_HIGHMEM page (or a ZONE_MOVABLE one
 * carved from HighMem) needs a slot.  kmap_high() reuses the slot of a
 * page still mapped, else map_new_virtual() advances a clock hand over
 * the pool; each time the hand wraps to slot 0, flush_all_zero_pkmaps()
 * frees the slots whose count fell to 1 (unmapped but still in the TLB)
 * with one global TLB flush.  When a whole lap finds nothing, the kernel
 * sleeps until a kunmap_high(): kmsim counts the wait, charges the
 * configurable stall (cost kmap_wait) and returns without a mapping
 * (res->waited), because in a replay nothing else can unmap while the
 * caller is blocked; the caller kunmaps and retries, or records the stall.
 *
 * A library engine, in the style of percpu.h: the caller drives it.
 */
#ifndef KMSIM_HIGHMEM_H
#define KMSIM_HIGHMEM_H

#include <stdbool.h>
#include <stdint.h>

#include "machine.h"

/* arch/x86/include/asm/pgtable_32_areas.h (6.18). */
#define HIGHMEM_LAST_PKMAP	1024	/* without CONFIG_X86_PAE */
#define HIGHMEM_LAST_PKMAP_PAE	512	/* with it */
/* arch/x86/include/asm/kmap_size.h: fixmap slots per CPU.
 * kmap_local_idx_push() BUGs when the index reaches KM_MAX_IDX, so 15
 * highmem mappings nest and the 16th is a bug. */
#define KM_MAX_IDX		16
/* kmap_local mappings of lowmem pages take no fixmap slot but are
 * tracked (for LIFO unmapping); at most this many entries per CPU. */
#define HIGHMEM_LOCAL_DEPTH	64

struct highmem_opts {
	unsigned last_pkmap;	/* pool size, a power of two; 0: from the
				   config's machine.arch (512 for
				   x86-32-pae, 1024 otherwise) */
};

/* What one call did and charged (the caller accumulates). */
struct highmem_result {
	uint64_t cycles;
	uint64_t pfn;		/* the page (kunmap_local: the one popped) */
	bool highmem;		/* the page needed a slot */
	bool mapped;		/* kmap: an address was returned */
	bool new_slot;		/* map_new_virtual() took a slot */
	bool flushed;		/* flush_all_zero_pkmaps() flushed the TLB */
	bool waited;		/* no slot: the task would sleep (not mapped) */
	int slot;		/* pkmap index, or the fixmap index of a
				   kmap_local (cpu * KM_MAX_IDX + idx); -1 */
	unsigned count;		/* pkmap_count[slot] after the call */
	unsigned probes;	/* pool slots map_new_virtual() looked at */
	unsigned freed;		/* slots flush_all_zero_pkmaps() freed */
};

struct highmem_stats {
	unsigned last_pkmap;
	unsigned slots_in_use;		/* pkmap_count >= 2: kmapped now */
	unsigned slots_cached;		/* == 1: unmapped, awaiting a flush */
	unsigned slots_free;		/* == 0 */
	unsigned max_slots_in_use;
	uint64_t nr_kmap;		/* kmap() calls, lowmem included */
	uint64_t nr_kmap_lowmem;	/* ... of direct-mapped pages */
	uint64_t nr_kmap_hit;		/* ... of a page already in a slot */
	uint64_t nr_kunmap;
	uint64_t nr_flush_scans;	/* flush_all_zero_pkmaps() calls */
	uint64_t nr_flushes;		/* ... that flushed the TLB */
	uint64_t nr_waits;		/* kmap()s that would sleep */
	uint64_t nr_kmap_local;		/* kmap_local/kmap_atomic calls */
	uint64_t nr_kmap_local_lowmem;
	unsigned local_depth_max;	/* deepest highmem nesting on a CPU */
};

struct highmem;

/* The pool for machine m (borrowed; it outlives the pool).  NULL when
 * opts->last_pkmap is not a power of two. */
struct highmem *highmem_create(struct machine *m,
    const struct highmem_opts *opts);
void highmem_destroy(struct highmem *h);

/* PageHighMem(): is_highmem_idx() of the pfn's zone. */
bool highmem_page_is_high(const struct highmem *h, uint64_t pfn);

/*
 * kmap(): page_address() of a lowmem page (free), kmap_high() of a
 * highmem one.  Returns 0 (res->mapped, or res->waited when the pool is
 * exhausted), -1 with *cause for a pfn that is not present memory or a
 * cpu that does not exist.
 */
int highmem_kmap(struct highmem *h, uint64_t pfn, int cpu,
    struct highmem_result *res, char **cause);
/* kunmap(): kunmap_high() drops the count (1: unmapped, cached until
 * the next flush).  -1 with *cause for a highmem page not kmapped (the
 * kernel's BUG_ON(!vaddr) / BUG() on a count reaching 0). */
int highmem_kunmap(struct highmem *h, uint64_t pfn,
    struct highmem_result *res, char **cause);
/* kmap_flush_unused(): flush_all_zero_pkmaps() under kmap_lock. */
void highmem_flush_unused(struct highmem *h, struct highmem_result *res);

/*
 * kmap_local_page() on cpu (__kmap_local_pfn_prot()): a highmem page takes
 * the CPU's next fixmap slot; -1 with *cause when that is the 16th nested
 * one (kmap_local_idx_push()'s BUG_ON) or the pfn/cpu is invalid.
 */
int highmem_kmap_local(struct highmem *h, int cpu, uint64_t pfn,
    struct highmem_result *res, char **cause);
/* kunmap_local(): unmaps the CPU's most recent kmap_local (LIFO);
 * -1 with *cause when it has none (kmap_local_idx_pop()'s BUG_ON). */
int highmem_kunmap_local(struct highmem *h, int cpu,
    struct highmem_result *res, char **cause);
/* kmap_atomic() is kmap_local_page() with preemption and page faults
 * disabled: the same slots and costs. */
static inline int highmem_kmap_atomic(struct highmem *h, int cpu,
    uint64_t pfn, struct highmem_result *res, char **cause)
{
	return highmem_kmap_local(h, cpu, pfn, res, cause);
}
static inline int highmem_kunmap_atomic(struct highmem *h, int cpu,
    struct highmem_result *res, char **cause)
{
	return highmem_kunmap_local(h, cpu, res, cause);
}
/* The nesting depth of cpu's kmap_local stack (highmem entries only). */
unsigned highmem_local_depth(const struct highmem *h, int cpu);

void highmem_get_stats(const struct highmem *h, struct highmem_stats *st);
/* Counters against the slots, the page_address table against the pool,
 * the per-CPU stacks.  Returns 0, or -1 with *cause. */
int highmem_check(const struct highmem *h, char **cause);

#endif /* KMSIM_HIGHMEM_H */
