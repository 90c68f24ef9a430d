/* vmstat.c - names of the event counters (mm/vmstat.c:vmstat_text), and
 * the fragmentation indices of mm/vmstat.c. */

#include <stdint.h>

#include "mm/vmstat.h"

const char *const vm_event_names[NR_VM_EVENT_ITEMS] = {
	[PGALLOC] = "pgalloc",
	[PGFREE] = "pgfree",
	[ALLOCSTALL] = "allocstall",
	[PGSCAN_KSWAPD] = "pgscan_kswapd",
	[PGSTEAL_KSWAPD] = "pgsteal_kswapd",
	[PGSCAN_DIRECT] = "pgscan_direct",
	[PGSTEAL_DIRECT] = "pgsteal_direct",
	[PAGEOUTRUN] = "pageoutrun",
	[KSWAPD_LOW_WMARK_HIT_QUICKLY] = "kswapd_low_wmark_hit_quickly",
	[KSWAPD_HIGH_WMARK_HIT_QUICKLY] = "kswapd_high_wmark_hit_quickly",
	[KSWAPD_WAKE] = "kswapd_wake",
	[COMPACTMIGRATE_SCANNED] = "compact_migrate_scanned",
	[COMPACTFREE_SCANNED] = "compact_free_scanned",
	[COMPACTISOLATED] = "compact_isolated",
	[COMPACTSTALL] = "compact_stall",
	[COMPACTFAIL] = "compact_fail",
	[COMPACTSUCCESS] = "compact_success",
	[KCOMPACTD_WAKE] = "compact_daemon_wake",
	[KCOMPACTD_MIGRATE_SCANNED] = "compact_daemon_migrate_scanned",
	[KCOMPACTD_FREE_SCANNED] = "compact_daemon_free_scanned",
	[PGMIGRATE_SUCCESS] = "pgmigrate_success",
	[PGMIGRATE_FAIL] = "pgmigrate_fail",
	[COMPACTDEFERRED] = "compact_deferred",
	[COMPACTPROACTIVE] = "compact_proactive",
	[DRAIN_ALL_PAGES] = "drain_all_pages",
	[PCP_REFILL] = "pcp_refill",
	[PCP_FREE_BULK] = "pcp_free_bulk",
	[EXTFRAG_FALLBACK] = "extfrag_fallback",
	[EXTFRAG_FRAGMENTING] = "extfrag_fragmenting",
	[EXTFRAG_CHANGE_OWNERSHIP] = "extfrag_change_ownership",
	[HIGHATOMIC_RESERVED] = "highatomic_reserved",
	[HIGHATOMIC_UNRESERVED] = "highatomic_unreserved",
	[WATERMARK_BOOST] = "watermark_boost",
};

/*
 * The fragmentation indices.  Models mm/vmstat.c:fill_contig_page_info(),
 * unusable_free_index() and __fragmentation_index() (Linux 6.x, where
 * MAX_PAGE_ORDER is inclusive), with the kernel's integer arithmetic, so
 * the numbers match /sys/kernel/debug/extfrag/{unusable_index,
 * extfrag_index} for the same free lists.
 */
void frag_fill_contig_page_info(const uint64_t *nr_free, unsigned nr_orders,
    unsigned suitable_order, struct contig_page_info *info)
{
	unsigned order;

	info->free_pages = 0;
	info->free_blocks_total = 0;
	info->free_blocks_suitable = 0;
	for (order = 0; order < nr_orders; order++) {
		uint64_t blocks = nr_free[order];

		info->free_blocks_total += blocks;
		info->free_pages += blocks << order;
		if (order >= suitable_order)
			info->free_blocks_suitable +=
			    blocks << (order - suitable_order);
	}
}

/*
 * The share of free memory, in thousandths, that cannot satisfy an
 * allocation of this order: 0 when every free page sits in a block large
 * enough, 1000 when none does (or nothing is free).
 */
int frag_unusable_free_index(unsigned order,
    const struct contig_page_info *info)
{
	uint64_t usable;

	if (info->free_pages == 0)
		return 1000;
	usable = info->free_blocks_suitable << order;
	return (int)((info->free_pages - usable) * 1000 / info->free_pages);
}

/*
 * Why an allocation of this order would fail, in thousandths: towards 0 a
 * lack of memory, towards 1000 fragmentation.  -1000 when it would not
 * fail (a block of the order is free).  As in the kernel the result is
 * 1000 - u64 truncated to int, so a zone whose free pages would not make
 * up even one block of the order (a single order-0 page asked for as
 * order 1) gives a negative index (-500), not a clamped one.
 */
int frag_fragmentation_index(unsigned order, unsigned max_order,
    const struct contig_page_info *info)
{
	uint64_t requested, per_block;

	if (order > max_order)	/* the kernel WARNs and returns 0 */
		return 0;
	if (info->free_blocks_total == 0)
		return 0;
	if (info->free_blocks_suitable != 0)
		return -1000;
	requested = UINT64_C(1) << order;
	per_block = (1000 + info->free_pages * 1000 / requested) /
	    info->free_blocks_total;
	return (int)(1000 - (int64_t)per_block);
}
