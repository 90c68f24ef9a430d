/*
 * buddy.h - the buddy allocator of one zone (mm/page_alloc.c): free areas
 * per order and migratetype, splitting on allocation (expand()) and
 * merging on free (__free_one_page()), and the page allocator above it:
 * zonelists, watermarks, GFP constraints (get_page_from_freelist()).
 */
#ifndef KMSIM_BUDDY_H
#define KMSIM_BUDDY_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/gfp.h"
#include "machine.h"

/* What an allocation or free charged and did (the caller accumulates). */
struct alloc_result {
	uint64_t pfn;		/* first frame, or NO_PFN on failure */
	struct zone *zone;	/* the zone that served it */
	uint64_t cycles;	/* cost of the path taken */
	unsigned splits;	/* orders split off */
	unsigned merges;	/* orders merged (frees) */
	unsigned zones_tried;
	bool fallback;		/* served from another migratetype's list */
	bool boosted;		/* a fallback boosted the watermark */
	bool stalled;		/* entered the slow path */
	bool compacted;		/* ran direct compaction */
	bool reclaimed;		/* ran direct reclaim */
};

/* Buddy pfn of `pfn` at `order` (mm/internal.h:__find_buddy_pfn()). */
static inline uint64_t buddy_pfn(uint64_t pfn, unsigned order)
{
	return pfn ^ (UINT64_C(1) << order);
}

/*
 * Free [pfn, pfn + 2^order) into its zone, merging with free buddies up to
 * max_order (models __free_one_page()).  The block must be aligned, inside
 * one zone and not free.  Charges into *res if it is not NULL.
 */
void buddy_free_block(struct machine *m, uint64_t pfn, unsigned order,
    struct alloc_result *res);

/*
 * Allocation flags (mm/internal.h ALLOC_*), the kernel's values: the
 * watermark to check and the reserves a request may use.
 */
#define ALLOC_WMARK_MIN		WMARK_MIN
#define ALLOC_WMARK_LOW		WMARK_LOW
#define ALLOC_WMARK_HIGH	WMARK_HIGH
#define ALLOC_WMARK_MASK	0x03
#define ALLOC_OOM		0x08
#define ALLOC_NON_BLOCK		0x10	/* caller cannot block: atomic reserves */
#define ALLOC_HIGH		0x20	/* ALLOC_MIN_RESERVE: __GFP_HIGH */
#define ALLOC_CPUSET		0x40
#define ALLOC_CMA		0x80	/* may use CMA pageblocks */
#define ALLOC_NOFRAGMENT	0x100	/* no fallback below pageblock order */
#define ALLOC_HIGHATOMIC	0x200	/* may use and grow the highatomic
					   reserve */
#define ALLOC_KSWAPD		0x800	/* may wake kswapd (__GFP_KSWAPD_RECLAIM) */
#define ALLOC_RESERVES \
	(ALLOC_NON_BLOCK | ALLOC_HIGH | ALLOC_HIGHATOMIC | ALLOC_OOM)

/*
 * Take a free block of `order` from zone z for migratetype mt
 * (mm/page_alloc.c:__rmqueue()): CMA first when it holds over half the
 * free memory, the smallest block of the type (__rmqueue_smallest()),
 * CMA, then the fallbacks: claiming another type's block
 * (__rmqueue_claim()) and stealing from one (__rmqueue_steal()), or the
 * pre-6.15 __rmqueue_fallback() with `buddy.fallback: legacy`.  Split
 * down with expand().  Counts the mm_page_alloc_extfrag events and
 * boosts the watermark on a fallback that claims (boost_watermark()).
 * Returns the pfn or NO_PFN.  No watermark check here.
 */
uint64_t buddy_rmqueue(struct machine *m, struct zone *z, unsigned order,
    enum migratetype mt, unsigned alloc_flags, struct alloc_result *res);
/* __rmqueue_smallest() of one type only (MIGRATE_HIGHATOMIC's reserve). */
uint64_t buddy_rmqueue_smallest(struct machine *m, struct zone *z,
    unsigned order, int mt, struct alloc_result *res);

/*
 * The highatomic reserve: mm/page_alloc.c:reserve_highatomic_pageblock()
 * after a high-order atomic allocation at pfn (at most ~1% of the zone),
 * and unreserve_highatomic_pageblock() giving one block back to `mt`
 * (force: even the last one).  Returns true if a block was given back.
 */
void buddy_reserve_highatomic(struct machine *m, struct zone *z, uint64_t pfn,
    unsigned order);
bool buddy_unreserve_highatomic(struct machine *m, struct zone *z, int mt,
    bool force);

/* The free block containing pfn: its head and order; false if none. */
bool buddy_find_free(const struct machine *m, uint64_t pfn, uint64_t *head,
    unsigned *order);
/* Take exactly [start, end) off the free lists, splitting the blocks
 * around it; returns how many of those frames were not free. */
uint64_t buddy_take_range(struct machine *m, uint64_t start, uint64_t end,
    struct alloc_result *res);
/* Give [start, end) to the buddy in aligned blocks, merging; frames that
 * are already free are left alone and counted (the return value). */
uint64_t buddy_give_range(struct machine *m, uint64_t start, uint64_t end,
    struct alloc_result *res);
/* Empty every free list (frames keep only PF_HOLE and PF_RESERVED). */
void buddy_reset(struct machine *m);

/* Allocation context derived from a request (mm/internal.h:alloc_context). */
struct alloc_request {
	unsigned order;
	gfp_t gfp;
	int preferred_node;	/* node of the requesting CPU, or named */
	int migratetype;	/* -1: from gfp */
	int cpu;		/* the requesting CPU (its per-cpu lists) */
	enum mpol_mode policy;	/* memory policy of the request */
	uint64_t nodemask;	/* policy nodes, bit per node; 0: all */
};

/*
 * Take a free block off its free list (the block headed by pfn must be
 * free: PF_BUDDY).  Returns its order.  Compaction's isolation of free
 * pages (mm/page_alloc.c:__isolate_free_page(), without the watermark
 * check, which the caller makes).
 */
unsigned buddy_isolate_free(struct machine *m, uint64_t pfn);

/*
 * The per-cpu page lists (pcp.c): batch and high per zone and CPU as
 * zone_batchsize() and zone_highsize() compute them, allocation from and
 * freeing to the lists with bulk refill (rmqueue_bulk()) and drain
 * (free_pcppages_bulk()), and drain_all_pages() under pressure.
 */
void pcp_setup(struct machine *m);
/* mm/page_alloc.c:pcp_allowed_order(): order <= 3, or the THP order. */
bool pcp_allowed_order(const struct machine *m, unsigned order);
/* rmqueue_pcplist(): a block from cpu's list, refilled in a batch. */
uint64_t pcp_alloc(struct machine *m, struct zone *z, int cpu, unsigned order,
    int mt, unsigned alloc_flags, struct alloc_result *res);
/* free_frozen_page_commit(): onto cpu's list, drained above high. */
void pcp_free(struct machine *m, struct zone *z, int cpu, uint64_t pfn,
    unsigned order, int mt, struct alloc_result *res);
/* --check of the per-cpu lists: links, orders, counts. */
int pcp_check(const struct machine *m, char **cause);
/* drain_all_pages(): every CPU's lists of z (NULL: of every zone). */
void pcp_drain_all(struct machine *m, struct zone *z, struct alloc_result *res);

/*
 * The page allocator: walk the preferred node's zonelist from the highest
 * zone the gfp allows, check watermarks (low first; then min as the slow
 * path would, with the __GFP_HIGH / atomic adjustments of
 * __zone_watermark_ok()), honour __GFP_THISNODE.  res->pfn is NO_PFN
 * when nothing could serve it: the failure is data, the caller records it.
 * Returns 0, or -1 with *cause when the request itself is invalid (a gfp
 * zone combination the kernel rejects, an order above max_order, a node
 * that does not exist).
 */
int page_alloc(struct machine *m, const struct alloc_request *req,
    struct alloc_result *res, char **cause);
/* Free an allocated block (its head frame carries its order). */
void page_free(struct machine *m, uint64_t pfn, unsigned order, int cpu,
    struct alloc_result *res);

/* mm/page_alloc.c:__zone_watermark_ok(). */
bool zone_watermark_ok(const struct zone *z, unsigned order, uint64_t mark,
    int highest_zoneidx, unsigned alloc_flags, unsigned max_order);

/*
 * Walk every free list and check the invariants (--check): free blocks
 * aligned, inside their zone, not in a hole, no overlap, no two free
 * buddies left unmerged below max_order, nr_free and free_pages equal to
 * the lists.  Returns 0, or -1 with *cause describing the first violation.
 */
int buddy_check(const struct machine *m, char **cause);
/* The max-order block around pfn, frame by frame, and its zone's
 * counters: everything one op at pfn can have changed. */
int buddy_check_around(const struct machine *m, uint64_t pfn, char **cause);
/* buddy_check() plus a scan of every frame: no block head lies inside a
 * free block.  O(frames): run at the end of a --check run. */
int buddy_check_frames(const struct machine *m, char **cause);

#endif /* KMSIM_BUDDY_H */
