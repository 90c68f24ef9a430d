/*
 * cost.h - the cost model: cycles charged for each step an operation's path
 * takes.  One table, every entry overridable from the config's `cost:` map;
 * the defaults and where each number comes from are in cost.c and
 * kmsim-config(5).  An operation's latency is the sum of what it charged.
 */
#ifndef KMSIM_COST_H
#define KMSIM_COST_H

#include <stdint.h>

enum cost_item {
	COST_ALLOC_FAST,	/* rmqueue() entry, counters, page prep */
	COST_FREE_FAST,		/* free_pages() entry, page checks */
	COST_ZONE_LOCK,		/* taking and releasing zone->lock */
	COST_FREELIST_OP,	/* one free-list add/delete (list_add, del) */
	COST_SPLIT,		/* expand(): per order split off */
	COST_MERGE,		/* __free_one_page(): per order merged */
	COST_ZONE_SKIP,		/* a zonelist entry tried and passed over */
	COST_WATERMARK_CHECK,	/* zone_watermark_ok() */
	COST_ZERO_PAGE,		/* __GFP_ZERO, per 4 KiB cleared */
	COST_REMOTE_PER_10,	/* extra per distance unit above 10 (SLIT) */
	COST_ALLOC_FAIL,	/* the slow path giving up (warn, accounting) */
	COST_PCP_OP,		/* one per-cpu list add/remove, local lock */
	COST_SLOWPATH,		/* entering __alloc_pages_slowpath() */
	COST_DRAIN_PCP,		/* drain_all_pages(): IPIs, per CPU drained */
	COST_DIRECT_RECLAIM,	/* one direct reclaim pass (shrink_zones) */
	COST_RECLAIM_PAGE,	/* reclaiming one page (unmap, free) */
	COST_COMPACT_SCAN,	/* a compaction scanner looking at one page */
	COST_MIGRATE_PAGE,	/* migrating one 4 KiB page: unmap, copy, map */
	COST_SLAB_FAST,		/* slab_alloc_node() from c->freelist */
	COST_SLAB_SLOW,		/* entering ___slab_alloc() */
	COST_SLAB_NODE,		/* n->list_lock and a node partial list op */
	COST_SLAB_NEW,		/* allocate_slab(): setting up a new slab */
	COST_SLAB_FREE_FAST,	/* do_slab_free() to the CPU's active slab */
	COST_SLAB_FREE_SLOW,	/* __slab_free() */
	COST_PCPU_ALLOC,	/* pcpu_alloc(): locks, hint upkeep, memset */
	COST_PCPU_FREE,		/* free_percpu(): chunk lookup, lock, hints */
	COST_PCPU_BLOCK_SCAN,	/* one percpu metadata block looked at */
	COST_PCPU_POPULATE_PAGE, /* one page allocated and mapped per unit */
	COST_PCPU_CHUNK_CREATE,	/* pcpu_create_chunk(): maps, vm areas */
	COST_VMAP_AREA_ALLOC,	/* alloc_vmap_area(): lock, tree search, va */
	COST_VMAP_AREA_FREE,	/* free_vmap_area_noflush(): unlink, lazy */
	COST_VMAP_PTE_PAGE,	/* a kernel page-table page installed */
	COST_VMAP_MAP_PAGE,	/* one page (PTE or PMD entry) mapped */
	COST_VMAP_PURGE,	/* __purge_vmap_area_lazy(): flush, merge */
	COST_TLB_L1_HIT,	/* a first-level dTLB hit */
	COST_TLB_L2_HIT,	/* added by a second-level (STLB) hit */
	COST_TLB_WALK_REF,	/* one paging-structure entry a walk reads */
	COST_TLB_INVLPG,	/* one INVLPG */
	COST_TLB_FLUSH_ALL,	/* a full TLB flush, global entries too */
	COST_TLB_IPI,		/* one TLB shoot-down IPI round trip */
	COST_KMAP_HIGH,		/* kmap_high()/kunmap_high(): kmap_lock, pte */
	COST_KMAP_FLUSH,	/* flush_all_zero_pkmaps() with a TLB flush */
	COST_KMAP_LOCAL,	/* a kmap_local/kmap_atomic fixmap pte */
	COST_KMAP_WAIT,		/* kmap() sleeping for a free pkmap slot */
	COST_FILEMAP_LOOKUP,	/* filemap_get_folio(): an xarray walk */
	COST_COPY_PAGE,		/* copying 4 KiB to or from user space */
	COST_LRU_OP,		/* one folio on or off an LRU list */
	COST_DIRTY_FOLIO,	/* folio_mark_dirty() and inode dirtying */
	COST_BIO_SUBMIT,	/* building and submitting one bio */
	COST_NR
};

struct cost_model {
	uint64_t c[COST_NR];
};

struct cost_info {
	const char *name;	/* config key under `cost:` */
	uint64_t def;		/* default, cycles */
	const char *what;	/* what it charges for */
	const char *source;	/* where the default comes from */
};

extern const struct cost_info cost_table[COST_NR];

void cost_model_init(struct cost_model *cm);	/* the defaults */
int cost_lookup(const char *name);		/* index, or -1 */

/* Cycles for a remote-node access at SLIT distance `dist` (10 = local). */
static inline uint64_t cost_remote(const struct cost_model *cm, int dist)
{
	return dist > 10 ? cm->c[COST_REMOTE_PER_10] * (uint64_t)(dist - 10) / 10
			 : 0;
}

#endif /* KMSIM_COST_H */
