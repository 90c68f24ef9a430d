/* cost.c - default cycle costs and where each number comes from. */

#include <string.h>

#include "cost.h"
#include "kmsim.h"

/*
 * The defaults describe a ~3 GHz x86-64 server core.  They are deliberately
 * round: each is the order of magnitude a published measurement gives, and
 * every one can be overridden in the config.  Sources:
 *  [bench]  Jesper Dangaard Brouer's page_bench / time_bench_page_pool
 *           kernel modules (order-0 alloc+free through the pcp fast path
 *           ~250-280 cycles; through zone->lock without pcp ~ 2-3x that).
 *  [lock]   an uncontended spin_lock/spin_unlock pair: two locked atomic
 *           instructions, ~20-40 cycles each on Skylake-class cores
 *           (Agner Fog's instruction tables, LOCK CMPXCHG latency).
 *  [list]   list_add/list_del touch two or three cache lines of struct page;
 *           with struct page in L2/L3 that is ~10-40 cycles each.
 *  [zero]   clear_page_erms (rep stosb) at ~16-32 bytes/cycle: 4 KiB in
 *           ~150-250 cycles when cache-resident, more from DRAM.
 *  [copy]   copy_page() at ~10-20 bytes/cycle from DRAM: 4 KiB in
 *           ~300-400 cycles; migrate_pages() adds unmap, TLB flush and
 *           remap, ~2-5 us per base page in published compaction traces.
 *  [reclaim] shrink_folio_list() costs ~1-3 us per reclaimed page
 *           (unmap, LRU isolation, freeing) when clean.
 *  [slub]   Brouer's slab_bulk_test01 / time_bench modules: a
 *           kmem_cache_alloc+free pair on the per-cpu fast path costs
 *           ~40-60 cycles; the slow path with a partial list or a new
 *           slab several hundred (cmpxchg_double, list_lock, init).
 *  [pcpu]   mm/percpu.c: an allocation takes pcpu_alloc_mutex and
 *           pcpu_lock, walks metadata blocks (a few cache lines each)
 *           and memsets every unit's copy; populating maps each page
 *           into the chunk's vmalloc area (page table writes, a TLB
 *           flush amortised over the range); a new chunk allocates its
 *           maps and reserves vmalloc space (pcpu_get_vm_areas()).
 *  [vmalloc] mm/vmalloc.c: alloc_vmap_area() searches an augmented
 *           rbtree under free_vmap_area_lock and allocates a vmap_area
 *           from its slab cache; mapping writes one PTE per page;
 *           __purge_vmap_area_lazy() flushes the kernel range with an
 *           IPI to every CPU before the address space is reused.
 *  [tlb]    Intel optimization manual and 7-cpu.com's measurements:
 *           an L1 dTLB hit is inside the load-to-use latency; an STLB
 *           hit adds ~7-9 cycles (Skylake, Zen 2); a walk reads one
 *           paging-structure entry per level not found in the
 *           paging-structure caches, from L1D/L2 mostly (~20-30 cycles
 *           each).  INVLPG and a full flush (a CR4.PGE toggle) are
 *           serialising, a few hundred cycles; the refill after a flush
 *           is charged by the walks that follow.
 *  [numa]   remote DRAM access ~1.5-2x local (~80 ns local, ~130 ns one
 *           hop); the SLIT distance scales it (20 = one hop).
 */
const struct cost_info cost_table[COST_NR] = {
	[COST_ALLOC_FAST] = { "alloc_fast", 120,
	    "entering the page allocator, counters and page preparation",
	    "[bench] half of the ~250-cycle alloc+free fast path" },
	[COST_FREE_FAST] = { "free_fast", 100,
	    "entering the free path, page checks and counters",
	    "[bench] the other half of the fast path" },
	[COST_ZONE_LOCK] = { "zone_lock", 60,
	    "taking and releasing zone->lock, uncontended",
	    "[lock] two locked atomics" },
	[COST_FREELIST_OP] = { "freelist_op", 25,
	    "one free-list insertion or deletion",
	    "[list] struct page cache lines touched" },
	[COST_SPLIT] = { "split", 40,
	    "expand(): splitting off one order, the upper half to a free list",
	    "[list] one list_add plus set_buddy_order" },
	[COST_MERGE] = { "merge", 45,
	    "__free_one_page(): finding, checking and merging one buddy",
	    "[list] buddy page_is_buddy() check plus list_del" },
	[COST_ZONE_SKIP] = { "zone_skip", 15,
	    "a zonelist entry tried and passed over",
	    "[list] a zone's watermark fields in one cache line" },
	[COST_WATERMARK_CHECK] = { "watermark_check", 20,
	    "zone_watermark_ok() on the fast path",
	    "[list] reads of zone counters, mostly cached" },
	[COST_ZERO_PAGE] = { "zero_page", 200,
	    "clearing one 4 KiB page for __GFP_ZERO",
	    "[zero] rep stosb at ~20 bytes/cycle" },
	[COST_REMOTE_PER_10] = { "remote_per_10", 150,
	    "extra cycles per 10 units of SLIT distance above local",
	    "[numa] ~50 ns more per hop at 3 GHz" },
	[COST_ALLOC_FAIL] = { "alloc_fail", 2000,
	    "the slow path giving up on an allocation",
	    "[bench] __alloc_pages_slowpath without reclaim, warn suppressed" },
	[COST_PCP_OP] = { "pcp_op", 30,
	    "one page added to or taken from a per-cpu list",
	    "[bench] the pcp fast path is ~1/3 of the zone->lock path" },
	[COST_SLOWPATH] = { "slowpath", 500,
	    "entering __alloc_pages_slowpath(): kswapd wake-up, flags",
	    "[bench] gfp_to_alloc_flags() plus wake_all_kswapds()" },
	[COST_DRAIN_PCP] = { "drain_pcp", 2000,
	    "drain_all_pages(): one CPU's lists sent back, IPI included",
	    "[lock] an IPI round trip is ~1-2 us" },
	[COST_DIRECT_RECLAIM] = { "direct_reclaim", 20000,
	    "one direct reclaim pass (shrink_zones, shrinkers)",
	    "[reclaim] a pass that scans and frees a batch" },
	[COST_RECLAIM_PAGE] = { "reclaim_page", 4000,
	    "reclaiming one page (isolate, unmap, free)",
	    "[reclaim] ~1-3 us per clean page" },
	[COST_COMPACT_SCAN] = { "compact_scan", 10,
	    "a compaction scanner testing one page frame",
	    "[list] one struct page read" },
	[COST_MIGRATE_PAGE] = { "migrate_page", 6000,
	    "migrating one 4 KiB page: unmap, copy, remap",
	    "[copy] copy plus TLB flush, ~2 us" },
	[COST_SLAB_FAST] = { "slab_fast", 25,
	    "kmem_cache_alloc() from the CPU's freelist",
	    "[slub] half of the ~50-cycle alloc+free fast path" },
	[COST_SLAB_SLOW] = { "slab_slow", 150,
	    "entering ___slab_alloc(): local lock, freelist reload",
	    "[slub] cmpxchg_double on the slab plus irq save/restore" },
	[COST_SLAB_NODE] = { "slab_node", 100,
	    "taking n->list_lock and moving slabs on a node partial list",
	    "[lock] a spinlock pair plus [list] a few list operations" },
	[COST_SLAB_NEW] = { "slab_new", 400,
	    "allocate_slab(): setting up a new slab's freelist and counters",
	    "[slub] shuffle/freelist build over the slab's objects" },
	[COST_SLAB_FREE_FAST] = { "slab_free_fast", 25,
	    "kmem_cache_free() to the CPU's active slab",
	    "[slub] the other half of the fast path" },
	[COST_SLAB_FREE_SLOW] = { "slab_free_slow", 120,
	    "__slab_free(): cmpxchg_double on a slab not the CPU's own",
	    "[slub] the remote-free path, a locked cmpxchg16b" },
	[COST_PCPU_ALLOC] = { "pcpu_alloc", 400,
	    "pcpu_alloc(): mutex, pcpu_lock, hint upkeep, clearing the units",
	    "[pcpu] two lock pairs plus a memset per unit" },
	[COST_PCPU_FREE] = { "pcpu_free", 200,
	    "free_percpu(): finding the chunk, pcpu_lock, hint upkeep",
	    "[pcpu] a lock pair plus bitmap and hint writes" },
	[COST_PCPU_BLOCK_SCAN] = { "pcpu_block_scan", 20,
	    "one percpu metadata block (or its bitmap) looked at",
	    "[pcpu] a struct pcpu_block_md cache line, [list]" },
	[COST_PCPU_POPULATE_PAGE] = { "pcpu_populate_page", 300,
	    "mapping one populated percpu page into a unit (depopulation "
	    "charges half)",
	    "[pcpu] a page table write plus a share of the TLB flush" },
	[COST_PCPU_CHUNK_CREATE] = { "pcpu_chunk_create", 5000,
	    "pcpu_create_chunk(): chunk maps and vmalloc areas (destruction "
	    "charges half)",
	    "[pcpu] several kzalloc/vmalloc calls and a vmap_area search" },
	[COST_VMAP_AREA_ALLOC] = { "vmap_area_alloc", 300,
	    "alloc_vmap_area(): free_vmap_area_lock, the augmented tree "
	    "search and clip, the vmap_area and vm_struct allocations",
	    "[vmalloc] two slab allocations, a lock pair, O(log n) nodes" },
	[COST_VMAP_AREA_FREE] = { "vmap_area_free", 150,
	    "freeing one vmap_area lazily, and merging it back at the purge",
	    "[vmalloc] a busy-tree erase and a purge-list insertion" },
	[COST_VMAP_PTE_PAGE] = { "vmap_pte_page", 150,
	    "installing a kernel page-table page for vmalloc space (the "
	    "buddy charges the page itself)",
	    "[vmalloc] pmd_populate_kernel() and friends under a lock" },
	[COST_VMAP_MAP_PAGE] = { "vmap_map_page", 20,
	    "writing one PTE (or PMD) of a vmalloc mapping (unmapping "
	    "charges half)",
	    "[vmalloc] vmap_pages_pte_range(): a store per entry, [list]" },
	[COST_VMAP_PURGE] = { "vmap_purge", 4000,
	    "__purge_vmap_area_lazy(): one kernel-range TLB flush on every "
	    "CPU and the purge-list walk",
	    "[vmalloc] flush_tlb_kernel_range() IPIs, ~1-2 us" },
	[COST_TLB_L1_HIT] = { "tlb_l1_hit", 0,
	    "a first-level dTLB hit",
	    "[tlb] hidden in the load-to-use latency" },
	[COST_TLB_L2_HIT] = { "tlb_l2_hit", 8,
	    "a second-level TLB (STLB) hit after a first-level miss",
	    "[tlb] ~7-9 cycles measured on Skylake and Zen 2" },
	[COST_TLB_WALK_REF] = { "tlb_walk_ref", 25,
	    "one paging-structure entry read by a page walk",
	    "[tlb] a load hitting L1D/L2, ~20-30 cycles (unsure: entries "
	    "from L3 or DRAM cost more)" },
	[COST_TLB_INVLPG] = { "tlb_invlpg", 150,
	    "one INVLPG (flush_tlb_one_kernel())",
	    "[tlb] serialising, ~100-250 cycles (unsure)" },
	[COST_TLB_FLUSH_ALL] = { "tlb_flush_all", 500,
	    "__flush_tlb_all(): a CR4.PGE toggle, refills not included",
	    "[tlb] two serialising CR4 writes (unsure)" },
	[COST_TLB_IPI] = { "tlb_ipi", 4000,
	    "one IPI round trip of a TLB shoot-down, per other CPU",
	    "[lock] an IPI round trip is ~1-2 us" },
	[COST_KMAP_HIGH] = { "kmap_high", 150,
	    "kmap_high(): kmap_lock, the page_address() hash lookup and "
	    "set_pte_at() of a new slot (kunmap_high() charges half)",
	    "[lock] a lock pair plus [list] a hash bucket and a pte" },
	[COST_KMAP_FLUSH] = { "kmap_flush", 6000,
	    "flush_all_zero_pkmaps(): scanning the LAST_PKMAP counters and "
	    "flush_tlb_kernel_range() over the pkmap area on every CPU (a "
	    "scan that frees nothing charges a quarter)",
	    "[lock] IPI round trips, ~1-2 us, plus a 1024-entry scan" },
	[COST_KMAP_LOCAL] = { "kmap_local", 150,
	    "kmap_local_page()/kmap_atomic() of a highmem page: a fixmap "
	    "pte (kunmap_local() charges the same: pte clear and INVLPG)",
	    "[tlb] one INVLPG-sized serialising step" },
	[COST_KMAP_WAIT] = { "kmap_wait", 30000,
	    "a kmap() finding no free pkmap slot: sleeping until a "
	    "kunmap_high() wakes it, two context switches and the wait",
	    "a configurable stall, ~10 us at 3 GHz (unsure: the real wait "
	    "is however long the slots stay mapped)" },
	[COST_FILEMAP_LOOKUP] = { "filemap_lookup", 60,
	    "filemap_get_folio(): the RCU xarray walk to one folio and its "
	    "reference",
	    "[list] two or three dependent cache-line loads" },
	[COST_COPY_PAGE] = { "copy_page", 400,
	    "copy_page_to_iter()/copy_folio_from_iter(): 4 KiB between the "
	    "page cache and user space (per 4 KiB of a folio)",
	    "~10 bytes per cycle for a cached rep movsb" },
	[COST_LRU_OP] = { "lru_op", 60,
	    "one folio added to, moved on or taken off an LRU list "
	    "(folio batches and lru_lock amortised)",
	    "[list] a list_add/list_del plus counters" },
	[COST_DIRTY_FOLIO] = { "dirty_folio", 250,
	    "folio_mark_dirty(): the xarray dirty tag, the counters and "
	    "__mark_inode_dirty()",
	    "[lock] i_pages lock plus a few counter updates" },
	[COST_BIO_SUBMIT] = { "bio_submit", 3000,
	    "building a bio and submit_bio() through blk-mq to the driver "
	    "(the device's time is the disk model's)",
	    "~1 us of block-layer CPU per request" },
};

void cost_model_init(struct cost_model *cm)
{
	int i;

	for (i = 0; i < COST_NR; i++)
		cm->c[i] = cost_table[i].def;
}

int cost_lookup(const char *name)
{
	int i;

	for (i = 0; i < COST_NR; i++)
		if (strcmp(cost_table[i].name, name) == 0)
			return i;
	return -1;
}
