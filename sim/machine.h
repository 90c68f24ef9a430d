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

#include "kmsim_config.h"
#include "cost.h"
#include "evq.h"
#include "mm/gfp.h"
#include "kmsim.h"
#include "mm/vmstat.h"

#define PFN_NONE UINT32_MAX		/* end of a free list */
/* A 64-bit pfn that names no frame: a failed allocation, no place. */
#define NO_PFN UINT64_MAX
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
#define PF_PREEXISTING	0x80	/* simulate from a capture: allocated
				   before the trace began */

/*
 * kmsim's struct page.  16 bytes: the free-list links of a free block's
 * head (pfns, PFN_NONE ends), the order of a free or allocated head, and
 * the migratetype list it sits on (for an allocated head: the type it
 * was allocated as).  `alloc_mt` of an allocated head is the mobility its
 * gfp flags asked for (page_owner's view of it), which differs from
 * `migratetype` only when grouping by mobility is off: what compaction
 * may move and what makes a pageblock mixed.  `private` belongs to the
 * allocated block's owner.
 */
struct page_frame {
	uint32_t next;
	uint32_t prev;
	uint32_t private;
	uint8_t order;
	uint8_t flags;
	uint8_t migratetype;
	uint8_t alloc_mt;
};

enum zone_watermarks { WMARK_MIN, WMARK_LOW, WMARK_HIGH, WMARK_PROMO,
	NR_WMARK };
extern const char *const wmark_names[NR_WMARK];

/*
 * include/linux/mmzone.h: the per-cpu page lists.  One list per
 * migratetype for each order up to PAGE_ALLOC_COSTLY_ORDER, and two for
 * the THP order (movable, and the rest); order_to_pindex() maps.
 */
#define PAGE_ALLOC_COSTLY_ORDER	3
#define NR_LOWORDER_PCP_LISTS	(MIGRATE_PCPTYPES * (PAGE_ALLOC_COSTLY_ORDER + 1))
#define NR_PCP_THP		2
#define NR_PCP_LISTS		(NR_LOWORDER_PCP_LISTS + NR_PCP_THP)

/* include/linux/mmzone.h:struct per_cpu_pages, one per zone and CPU. */
struct per_cpu_pages {
	int count;		/* pages on the lists */
	int high;		/* drain above this */
	int high_min, high_max;	/* the range high is tuned in */
	int batch;		/* refill and drain chunk */
	int free_count;		/* pages freed since the last allocation */
	uint8_t flags;		/* PCPF_* */
	uint8_t alloc_factor;	/* batch scale for refills (0..3) */
	uint32_t head[NR_PCP_LISTS];	/* pfn of the first block, PFN_NONE */
	uint32_t tail[NR_PCP_LISTS];
};
#define PCPF_PREV_FREE_HIGH_ORDER	0x01
#define PCPF_FREE_HIGH_BATCH		0x02

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
	struct per_cpu_pages *pcp;	/* machine->nr_cpus entries */
	uint64_t pcp_pages;		/* pages on all CPUs' lists */
	uint64_t nr_reserved_highatomic;	/* pages in highatomic blocks */
	uint64_t nr_free_highatomic;	/* NR_FREE_HIGHATOMIC... free pages
					   on MIGRATE_HIGHATOMIC lists */
	uint64_t nr_free_cma;		/* free pages on MIGRATE_CMA lists */
	uint64_t cma_pages;		/* pages in CMA pageblocks */

	/* pageblocks (as /proc/pagetypeinfo counts them) */
	uint64_t nr_pageblocks[MIGRATE_TYPES];	/* blocks of each type */
	uint64_t nr_mixed_pageblocks[MIGRATE_TYPES];	/* ... holding pages
					   allocated for another type */

	/* compaction (include/linux/mmzone.h) */
	unsigned compact_considered;
	unsigned compact_defer_shift;
	int compact_order_failed;
	uint64_t compact_cached_free_pfn;
	uint64_t compact_cached_migrate_pfn[2];	/* async, sync */
	bool compact_blockskip_flush;

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

	/*
	 * kswapd and kcompactd (include/linux/mmzone.h:pglist_data): kernel
	 * threads as events on machine->q, woken by wakeup_kswapd() and
	 * wakeup_kcompactd().  A thread is busy (kswapd_is_running()) while
	 * its event is queued or running.
	 */
	unsigned kswapd_order;
	int kswapd_highest_zoneidx;
	int kswapd_failures;
	struct evq_event kswapd_ev;
	bool kswapd_running;
	unsigned kcompactd_max_order;
	int kcompactd_highest_zoneidx;
	struct evq_event kcompactd_ev;
	bool kcompactd_running;
	unsigned proactive_defer;	/* proactive rounds to skip */
	uint64_t proactive_compact_trigger;
	uint64_t reclaim_shortfall;	/* pages kswapd wanted but found
					   nothing to reclaim */
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
	uint32_t (*pageblock_alloc)[MIGRATE_PCPTYPES];	/* per pageblock:
					   pages allocated for each type */
	uint8_t *pageblock_skip;	/* compaction's skip bit per block */
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
	bool mobility_disabled;		/* page_group_by_mobility_disabled */
	uint64_t il_next;		/* MPOL_INTERLEAVE's next node */
	uint64_t vm_events[NR_VM_EVENT_ITEMS];
	uint64_t node_allocs_size;	/* nr_nodes^2 */
	uint64_t *node_allocs;		/* [requesting * nr_nodes + serving] */

	/*
	 * The event queue the kernel threads run on (kswapd, kcompactd and
	 * its proactive timer), attached when a simulate run starts.  NULL
	 * (replay, a capture's shadow machine, unit tests): wake-ups do
	 * nothing.
	 */
	struct evq *q;
	struct evq_event proactive;	/* kcompactd's timeout */
	uint64_t kswapd_cycles, kcompactd_cycles;	/* their runs' cost */

	/*
	 * The owner of allocated blocks (the simulation's table of live
	 * allocations), told when compaction moves a block so it can follow
	 * it.  NULL: nothing to tell.
	 */
	void (*migrate_owner)(void *arg, uint64_t old_pfn, uint64_t new_pfn,
	    unsigned order);
	void *owner_arg;

	/*
	 * The shrinkers reclaim calls (mm/vmscan.c:shrink_slab()): frees
	 * up to `want` pages of reclaimable kernel memory, returns the
	 * pages freed and charges *cycles.  NULL: none registered.
	 */
	uint64_t (*shrink_slab)(void *arg, uint64_t want, uint64_t *cycles);
	void *shrink_arg;
	/*
	 * The file LRU of a node (mm/vmscan.c:shrink_lruvec()): frees up
	 * to `want` pages, returns the pages freed.  NULL: no page cache.
	 */
	uint64_t (*shrink_lru)(void *arg, int node, uint64_t want,
	    bool kswapd, uint64_t *cycles);
	void *lru_arg;
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
 * How long a woken kernel thread takes to run: a wake-up plus a context
 * switch on an idle CPU, ~10 us.
 */
#define KTHREAD_WAKE_NS 10000

/*
 * Watermarks from min_free_kbytes and watermark_scale_factor, and the
 * lowmem reserves (mm/page_alloc.c:__setup_per_zone_wmarks(),
 * setup_per_zone_lowmem_reserve()).  Called by machine_create().
 */
void machine_setup_watermarks(struct machine *m);

/*
 * Set the migratetype of the pageblock holding pfn, keeping the zone's
 * per-type block counts and mixed-block counts (set_pageblock_migratetype()).
 */
void set_pageblock_migratetype(struct machine *m, uint64_t pfn, int mt);
static inline int get_pageblock_migratetype(const struct machine *m,
    uint64_t pfn)
{
	return m->pageblock_mt[pfn >> m->pageblock_order];
}
/*
 * Account 2^order pages at pfn allocated (delta +1) or freed (-1) for
 * migratetype mt, in every pageblock they cover: the mixed-pageblock
 * counts of /proc/pagetypeinfo (page_owner's view) follow.
 */
void pageblock_account(struct machine *m, uint64_t pfn, unsigned order,
    int mt, int delta);
/* Is this pageblock mixed: pages allocated for a type not its own? */
bool pageblock_is_mixed(const struct machine *m, uint64_t pb);

/* --show-machine: nodes, zones, pfn ranges, sections, watermarks. */
void machine_print(const struct machine *m, FILE *f);

#endif /* KMSIM_MACHINE_H */
