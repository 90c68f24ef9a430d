/*
 * snapshot.h - the machine's state at one instant, taken once and read by
 * every output: the database's per-snapshot tables, the summary's zones,
 * the final counters.  Taking it costs O(zones x orders + caches), never
 * O(pages); the fragmentation indices of mm/vmstat.c are computed here and
 * nowhere else.
 */
#ifndef KMSIM_RESULTS_SNAPSHOT_H
#define KMSIM_RESULTS_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "machine.h"
#include "mm/slab.h"

struct vmalloc;
struct tlb;
struct highmem;
struct pagecache;

/* Room for the vmalloc, TLB, highmem and page cache figures. */
#define SNAPSHOT_VALUES 128

struct snapshot_zone {
	int node;
	enum zone_type type;
	uint64_t start_pfn, free_pages, managed_pages, present_pages;
	uint64_t spanned_pages, pcp_pages;
	uint64_t watermark[NR_WMARK], watermark_boost;
	uint64_t nr_free[NR_ORDERS_MAX];	/* blocks free per order */
	/* thousandths, with the order itself as the suitable order, as
	 * mm/vmstat.c:unusable_show_print() and extfrag_show_print() */
	int unusable[NR_ORDERS_MAX];
	int extfrag[NR_ORDERS_MAX];
	uint64_t pageblocks[MIGRATE_TYPES];
	uint64_t mixed_pageblocks[MIGRATE_TYPES];
	uint64_t free_mt_pages[MIGRATE_TYPES];	/* on each type's lists */
};

/* One cache as /proc/slabinfo shows it, and its bytes. */
struct snapshot_slab {
	const char *name;		/* borrowed from the slab world */
	struct slab_info info;
	uint64_t bytes_requested, bytes_allocated;
};

/* The engines a snapshot reads (NULL: not in this run). */
struct snapshot_src {
	const struct machine *m;
	const struct slab_world *slab;
	const struct vmalloc *vm;
	const struct tlb *tlb;
	const struct highmem *hm;
	const struct pagecache *pc;
};

struct snapshot {
	uint64_t cycles, ns;		/* when */
	unsigned nr_orders, max_order;
	int nr_zones;
	struct snapshot_zone *zones;
	uint64_t vm_events[NR_VM_EVENT_ITEMS];
	size_t nr_slabs;
	struct snapshot_slab *slabs;	/* every cache, newest last */
	/* the vmalloc, TLB and highmem figures, then the page cache's */
	int nr_values, nr_vm_values;
	const char *value_names[SNAPSHOT_VALUES];
	uint64_t values[SNAPSHOT_VALUES];
};

void snapshot_init(struct snapshot *snap);
void snapshot_fini(struct snapshot *snap);
/* Take the state of src at (cycles, ns), replacing what snap held. */
void snapshot_take(struct snapshot *snap, const struct snapshot_src *src,
    uint64_t cycles, uint64_t ns);

#endif /* KMSIM_RESULTS_SNAPSHOT_H */
