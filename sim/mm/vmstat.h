/*
 * vmstat.h - the event counters of include/linux/vm_event_item.h that
 * kmsim's engines count, named as /proc/vmstat prints them, plus the
 * counts of the mm_page_alloc_extfrag tracepoint (which /proc/vmstat has
 * no line for).  One array per machine; the database records every one.
 */
#ifndef KMSIM_VMSTAT_H
#define KMSIM_VMSTAT_H

#include <stdint.h>

enum vm_event_item {
	PGALLOC,		/* pages allocated (all zones) */
	PGFREE,			/* pages freed */
	ALLOCSTALL,		/* direct reclaim entered */
	PGSCAN_KSWAPD,
	PGSTEAL_KSWAPD,
	PGSCAN_DIRECT,
	PGSTEAL_DIRECT,
	PAGEOUTRUN,		/* kswapd reclaim passes */
	KSWAPD_LOW_WMARK_HIT_QUICKLY,
	KSWAPD_HIGH_WMARK_HIT_QUICKLY,
	KSWAPD_WAKE,		/* kswapd woken (trace: mm_vmscan_kswapd_wake) */
	COMPACTMIGRATE_SCANNED,
	COMPACTFREE_SCANNED,
	COMPACTISOLATED,
	COMPACTSTALL,		/* direct compaction entered */
	COMPACTFAIL,
	COMPACTSUCCESS,
	KCOMPACTD_WAKE,
	KCOMPACTD_MIGRATE_SCANNED,
	KCOMPACTD_FREE_SCANNED,
	PGMIGRATE_SUCCESS,
	PGMIGRATE_FAIL,
	COMPACTDEFERRED,	/* kmsim: direct compaction skipped, deferred */
	COMPACTPROACTIVE,	/* kmsim: proactive compaction rounds */
	DRAIN_ALL_PAGES,	/* kmsim: pcp drains under pressure */
	PCP_REFILL,		/* kmsim: rmqueue_bulk() batches */
	PCP_FREE_BULK,		/* kmsim: free_pcppages_bulk() batches */
	EXTFRAG_FALLBACK,	/* mm_page_alloc_extfrag events */
	EXTFRAG_FRAGMENTING,	/* ... with fallback_order < pageblock_order */
	EXTFRAG_CHANGE_OWNERSHIP, /* ... where the pageblock changed type */
	HIGHATOMIC_RESERVED,	/* kmsim: pageblocks reserved highatomic */
	HIGHATOMIC_UNRESERVED,
	WATERMARK_BOOST,	/* kmsim: boost_watermark() raised a boost */
	NR_VM_EVENT_ITEMS
};

extern const char *const vm_event_names[NR_VM_EVENT_ITEMS];

/* mm/vmstat.c:struct contig_page_info. */
struct contig_page_info {
	uint64_t free_pages;
	uint64_t free_blocks_total;
	uint64_t free_blocks_suitable;
};

/* mm/vmstat.c:fill_contig_page_info() over nr_free[0..nr_orders-1]. */
void frag_fill_contig_page_info(const uint64_t *nr_free, unsigned nr_orders,
    unsigned suitable_order, struct contig_page_info *info);
/* mm/vmstat.c:unusable_free_index(): thousandths, 0..1000. */
int frag_unusable_free_index(unsigned order,
    const struct contig_page_info *info);
/* mm/vmstat.c:__fragmentation_index(): thousandths, 0..1000, or -1000
 * when a block of the order is free (the request would succeed). */
int frag_fragmentation_index(unsigned order, unsigned max_order,
    const struct contig_page_info *info);

#endif /* KMSIM_VMSTAT_H */
