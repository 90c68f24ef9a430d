/*
 * machine.h - the simulated machine: nodes (pglist_data), zones, the frame
 * table (kmsim's struct page) and the pageblock bitmap.
 *
 * Built from a validated config by machine_create(); every engine works on
 * it.  Zones follow include/linux/mmzone.h: each node has MAX_NR_ZONES zone
 * slots, of which the populated ones have memory.  Every frame of the
 * machine's pfn span has a 16-byte `struct page_frame` (the kernel spends
 * 64 bytes in struct page); frames of holes are marked PF_HOLE and never
 * enter the allocator.
 */
#ifndef KMSIM_MACHINE_H
#define KMSIM_MACHINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "cost.h"
#include "gfp.h"
#include "kmsim.h"

#define PFN_NONE UINT32_MAX		/* end of a free list */
#define MACHINE_MAX_PFN (UINT32_MAX - 1)	/* frames are named by u32 */
#define NR_ORDERS_MAX (CONFIG_MAX_ORDER + 1)

/* Frame flags. */
#define PF_HOLE		0x01	/* no memory behind this frame */
#define PF_BUDDY	0x02	/* first frame of a free buddy block */
#define PF_HEAD		0x04	/* first frame of an allocated block */
#define PF_RESERVED	0x08	/* present but never given to the buddy */
#define PF_PCP		0x10	/* head of a block on a per-cpu list */
#define PF_TOUCHED	0x20	/* replay: a trace event named this frame */
#define PF_AMBIGUOUS	0x40	/* replay: named by an event while a
				   kpageflags snapshot was being read */

/*
 * kmsim's struct page.  16 bytes: the free-list links of a free block's
 * head (pfns, PFN_NONE ends), the order of a free or allocated head, and
 * the migratetype list it sits on.  `private` belongs to the allocated
 * block's owner (the op id slot that holds it).
 */
struct page_frame {
	uint32_t next;
	uint32_t prev;
	uint32_t private;
	uint8_t order;
	uint8_t flags;
	uint8_t migratetype;
	uint8_t spare;
};

enum zone_watermarks { WMARK_MIN, WMARK_LOW, WMARK_HIGH, WMARK_PROMO,
	NR_WMARK };
extern const char *const wmark_names[NR_WMARK];

/* include/linux/mmzone.h:struct free_area, one free list per migratetype. */
struct free_area {
	uint32_t free_list[MIGRATE_TYPES];	/* head pfn, or PFN_NONE */
	uint32_t free_tail[MIGRATE_TYPES];	/* last pfn, or PFN_NONE */
	uint64_t nr_free;			/* blocks, all types */
	uint64_t nr_free_mt[MIGRATE_TYPES];
};

struct zone {
	int node;
	enum zone_type type;
	int id;			/* index in machine->zones (pfn order) */
	bool populated;
	uint64_t zone_start_pfn;
	uint64_t spanned_pages;
	uint64_t present_pages;
	uint64_t managed_pages;
	uint64_t free_pages;		/* NR_FREE_PAGES */
	uint64_t watermark[NR_WMARK];
	uint64_t watermark_boost;
	uint64_t lowmem_reserve[MAX_NR_ZONES];
	struct free_area free_area[NR_ORDERS_MAX];
	/* statistics */
	uint64_t alloc_count[NR_ORDERS_MAX];	/* pgalloc by order */
	uint64_t free_count[NR_ORDERS_MAX];
};

static inline uint64_t zone_end_pfn(const struct zone *z)
{
	return z->zone_start_pfn + z->spanned_pages;
}

/* include/linux/mmzone.h:struct pglist_data. */
struct node {
	int id;
	uint64_t node_start_pfn;
	uint64_t node_spanned_pages;
	uint64_t node_present_pages;
	struct zone zones[MAX_NR_ZONES];
	int *cpus;
	int nr_cpus;
	/* Fallback order (mm/page_alloc.c:build_zonelists()): this node then
	 * the others by distance; zones of a node from the highest down.
	 * Populated zones only; entries index machine->zones. */
	int *zonelist;
	int nr_zonelist;
};

struct machine {
	const struct config *cfg;	/* borrowed: outlives the machine */
	uint64_t page_size;
	unsigned page_shift;
	unsigned max_order;		/* MAX_PAGE_ORDER */
	unsigned pageblock_order;
	unsigned section_shift;		/* pfn bits of a SPARSEMEM section */
	unsigned cpu_mhz;
	uint64_t max_pfn;		/* one past the last frame */
	struct page_frame *frames;	/* max_pfn entries */
	size_t frames_bytes;
	uint8_t *pageblock_mt;		/* one migratetype per pageblock */
	uint64_t nr_sections;
	uint8_t *section_present;	/* 1 if any frame of it is memory */
	int nr_nodes;
	struct node *nodes;
	int nr_cpus;
	int *cpu_to_node;
	const int *distance;		/* cfg->distance */
	int nr_zones;			/* populated zones */
	struct zone **zones;		/* populated zones in pfn order */
	bool has_zone[MAX_NR_ZONES];	/* any node populates it */
	struct cost_model cost;
	uint64_t min_free_kbytes;	/* in force (computed or configured) */
};

/*
 * Build the machine: zones, the frame table, every present frame handed to
 * the buddy allocator in the largest aligned blocks (as memblock_free_all()
 * does), watermarks.  Returns NULL with *cause for a machine that cannot be
 * built on this host (the frame table would not fit, pfns past 2^32).
 */
struct machine *machine_create(const struct config *cfg, char **cause);
void machine_destroy(struct machine *m);

static inline struct page_frame *pfn_to_frame(const struct machine *m,
    uint64_t pfn)
{
	return &m->frames[pfn];
}

/* The zone a present pfn belongs to, or NULL (a hole, past the end). */
struct zone *machine_pfn_zone(const struct machine *m, uint64_t pfn);
static inline int machine_distance(const struct machine *m, int a, int b)
{
	return m->distance[a * m->nr_nodes + b];
}
static inline int machine_cpu_node(const struct machine *m, int cpu)
{
	return (cpu >= 0 && cpu < m->nr_cpus) ? m->cpu_to_node[cpu] : 0;
}
/* Nanoseconds <-> cycles at cpu_mhz. */
static inline uint64_t machine_ns_to_cycles(const struct machine *m,
    uint64_t ns)
{
	return ns / 1000 * m->cpu_mhz + ns % 1000 * m->cpu_mhz / 1000;
}
static inline uint64_t machine_cycles_to_ns(const struct machine *m,
    uint64_t cycles)
{
	return cycles / m->cpu_mhz * 1000 + cycles % m->cpu_mhz * 1000 /
	    m->cpu_mhz;
}

/*
 * Watermarks from min_free_kbytes and watermark_scale_factor, and the
 * lowmem reserves (mm/page_alloc.c:__setup_per_zone_wmarks(),
 * setup_per_zone_lowmem_reserve()).  Called by machine_create().
 */
void machine_setup_watermarks(struct machine *m);

/* --show-machine: nodes, zones, pfn ranges, sections, watermarks. */
void machine_print(const struct machine *m, FILE *f);

#endif /* KMSIM_MACHINE_H */
