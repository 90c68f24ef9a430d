/*
 * compaction.h - memory compaction (mm/compaction.c, Linux 6.18): the
 * migration scanner walking a zone up from its start and the free scanner
 * walking down from its end, pageblock by pageblock, movable blocks moved
 * from the one to the free pages the other isolated, until a free block
 * of the requested order exists or the scanners meet.  Around it: the
 * deferral of a zone after failures, the suitability checks (watermarks
 * and the fragmentation index), direct compaction over a zonelist,
 * kcompactd's wake-ups and proactive compaction by fragmentation score.
 *
 * An allocated block whose head frame says it was allocated for
 * MIGRATE_MOVABLE is what kmsim treats as migratable (the kernel's
 * PageLRU and movable_ops pages); blocks on per-cpu lists, reserved
 * frames and every other type stay where they are.  A moved block keeps
 * its order, type and owner slot; machine->migrate_owner is told.
 *
 * Work is proportional to the frames the scanners look at: a zone is
 * never walked whole unless the scanners get that far (or the skip hints
 * are flushed, which the kernel also does by walking the zone).
 */
#ifndef KMSIM_COMPACTION_H
#define KMSIM_COMPACTION_H

#include <stdbool.h>
#include <stdint.h>

#include "machine.h"

/* include/linux/compaction.h: how hard direct compaction tries. */
enum compact_priority {
	COMPACT_PRIO_SYNC_FULL,		/* MIN_COMPACT_PRIORITY: the whole
					   zone, skip hints and block types
					   ignored */
	COMPACT_PRIO_SYNC_LIGHT,	/* DEF_COMPACT_PRIORITY */
	COMPACT_PRIO_ASYNC,		/* INIT_COMPACT_PRIORITY */
	COMPACT_NR_PRIO
};
#define MIN_COMPACT_PRIORITY		COMPACT_PRIO_SYNC_FULL
#define MIN_COMPACT_COSTLY_PRIORITY	COMPACT_PRIO_SYNC_LIGHT
#define DEF_COMPACT_PRIORITY		COMPACT_PRIO_SYNC_LIGHT
#define INIT_COMPACT_PRIORITY		COMPACT_PRIO_ASYNC

/*
 * include/linux/compaction.h:enum compact_result, in the kernel's order
 * (callers compare them: a larger value is "more done").
 */
enum compact_result {
	COMPACT_NOT_SUITABLE_ZONE,	/* the zone cannot help (fragindex) */
	COMPACT_SKIPPED,		/* too few free pages to compact */
	COMPACT_DEFERRED,		/* recent failures: not tried */
	COMPACT_NO_SUITABLE_PAGE,	/* internal: keep going */
	COMPACT_CONTINUE,		/* internal: keep going */
	COMPACT_COMPLETE,		/* scanners met over the whole zone */
	COMPACT_PARTIAL_SKIPPED,	/* ... over part of it (cached pfns) */
	COMPACT_CONTENDED,		/* gave up early (no free target) */
	COMPACT_SUCCESS,		/* a block of the order is free */
	COMPACT_NR_RESULTS
};
/* The kernel's names (include/trace/events/mmflags.h COMPACTION_STATUS). */
extern const char *const compact_result_names[COMPACT_NR_RESULTS];

/* mm/compaction.c:COMPACT_MAX_DEFER_SHIFT: at most 64 attempts skipped. */
#define COMPACT_MAX_DEFER_SHIFT	6

/* include/linux/compaction.h:compact_gap(): the free pages compaction
 * needs above the watermark to have room for its migration targets. */
static inline uint64_t compact_gap(unsigned order)
{
	return UINT64_C(2) << order;
}

/*
 * Deferral after failures (mm/compaction.c): defer_compaction() after a
 * sync compaction failed, compaction_deferred() true while the next
 * 2^compact_defer_shift attempts at or above compact_order_failed are to
 * be skipped (it counts them in compact_considered), and
 * compaction_defer_reset() after a success (alloc_success: the
 * allocation itself succeeded, which clears the backoff).
 */
void defer_compaction(struct zone *z, unsigned order);
bool compaction_deferred(struct zone *z, unsigned order);
void compaction_defer_reset(struct zone *z, unsigned order,
    bool alloc_success);
/* mm/compaction.c:compaction_restarting(): deferred to the limit and now
 * about to try again (the skip hints are flushed first). */
bool compaction_restarting(const struct zone *z, unsigned order);

/* mm/vmstat.c:fragmentation_index() of a zone's free lists (thousandths;
 * -1000 when a block of the order is free). */
int zone_fragmentation_index(const struct machine *m, const struct zone *z,
    unsigned order);

/*
 * mm/compaction.c:compaction_suitable() as 6.18 has it, with the
 * watermark of the caller: the zone must keep order-0 pages above
 * watermark + compact_gap(order) (+ low - min for costly orders), and for
 * costly orders the failure must be one of fragmentation: a fragmentation
 * index above vm.extfrag_threshold (or negative).
 */
bool compaction_suitable_wmark(const struct machine *m, const struct zone *z,
    unsigned order, uint64_t watermark, int highest_zoneidx);
/* The same at the min watermark (what direct compaction and kcompactd,
 * both at ALLOC_WMARK_MIN, pass): min + 2^(order+1) pages, raised to the
 * low watermark for costly orders. */
bool compaction_suitable(const struct machine *m, const struct zone *z,
    unsigned order, int highest_zoneidx);
/*
 * mm/compaction.c:compaction_suit_allocation_order(): COMPACT_SUCCESS if
 * the allocation would already succeed at the watermark alloc_flags
 * name, COMPACT_SKIPPED if compaction is unsuitable, else
 * COMPACT_CONTINUE.
 */
enum compact_result compaction_suit_allocation_order(const struct machine *m,
    const struct zone *z, unsigned order, int highest_zoneidx,
    unsigned alloc_flags, bool async);

/*
 * Compact one zone for an allocation of `order` and `migratetype`
 * (mm/compaction.c:compact_zone_order() and compact_zone()).  prio sets
 * the mode: ASYNC migrates only from pageblocks of the requested type,
 * SYNC_LIGHT from any, SYNC_FULL also scans the whole zone ignoring the
 * skip hints and takes free pages from any pageblock.  kcompactd: run as
 * kcompactd (not a direct compactor: the skip-hint flush is not armed and
 * the KCOMPACTD_* scanned counters are counted as well).  Charges
 * *cycles (may be NULL).
 */
enum compact_result compact_zone_order(struct machine *m, struct zone *z,
    unsigned order, int migratetype, enum compact_priority prio,
    unsigned alloc_flags, int highest_zoneidx, bool kcompactd,
    uint64_t *cycles);

/*
 * Direct compaction (mm/compaction.c:try_to_compact_pages() with the
 * accounting of mm/page_alloc.c:__alloc_pages_direct_compact()): each
 * zone of zones[] in order, skipped while deferred (counted as
 * COMPACTDEFERRED) unless prio is SYNC_FULL, compacted, deferred after
 * a sync failure; stops at the first COMPACT_SUCCESS.  Returns the
 * largest result.  Unless that is COMPACT_SKIPPED (or order is 0, which
 * never compacts), counts COMPACTSTALL and then COMPACTSUCCESS or
 * COMPACTFAIL by whether the allocation's retry will succeed: the first
 * zone that passes its watermark check at `order` with alloc_flags has
 * its skip-hint flush disarmed and its deferral reset as the kernel does
 * after a successful allocation.  The caller passes the zones the
 * request may use (zone type and nodemask filtered), in zonelist order,
 * and retries get_page_from_freelist() afterwards.
 */
enum compact_result try_to_compact_pages(struct machine *m,
    struct zone *const *zones, int nr_zones, unsigned order, int migratetype,
    unsigned alloc_flags, int highest_zoneidx, enum compact_priority prio,
    uint64_t *cycles);

/*
 * Proactive compaction (mm/compaction.c, 6.18).  A zone's score is its
 * external fragmentation at COMPACTION_HPAGE_ORDER (= pageblock_order),
 * 0..100 (mm/vmstat.c:extfrag_for_order()); a node's is the sum of its
 * zones' scores weighted by present pages.  The node is compacted when
 * its score exceeds the high mark, until each zone is at or below the
 * low mark: low = max(100 - proactiveness, 5), high = min(low + 10, 100).
 */
unsigned fragmentation_score_zone(const struct machine *m,
    const struct zone *z);
unsigned fragmentation_score_node(const struct machine *m, int node);
unsigned fragmentation_score_wmark(bool low, unsigned proactiveness);
/* Proactiveness on, kswapd not running, score above the high mark. */
bool should_proactive_compact_node(const struct machine *m, int node);

/*
 * kcompactd (mm/compaction.c).  kcompactd_node_suitable(): a zone up to
 * node->kcompactd_highest_zoneidx where compaction for
 * node->kcompactd_max_order would run (the wake-up test).
 * kcompactd_do_work(): one wake-up: each such zone not deferred is
 * compacted in SYNC_LIGHT mode; a success resets its deferral, a failure
 * drains the per-cpu lists of the zone and defers it; then the requested
 * order and zone index are reset (kcompactd_max_order to 0 and
 * kcompactd_highest_zoneidx to the node's highest populated zone) unless
 * a wake-up raised them meanwhile.  Counts KCOMPACTD_WAKE.
 */
bool kcompactd_node_suitable(const struct machine *m, int node);
void kcompactd_do_work(struct machine *m, int node, uint64_t *cycles);
/* Models mm/compaction.c:wakeup_kcompactd(): raise the node's order and
 * zone index, and wake its kcompactd if a zone is suitable. */
void wakeup_kcompactd(struct machine *m, int node, unsigned order,
    int highest_zoneidx);
/* A run of the node's kcompactd is queued or running. */
static inline bool kcompactd_is_running(const struct machine *m, int node)
{
	const struct node *nd = &m->nodes[node];

	return nd->kcompactd_running || evq_pending(&nd->kcompactd_ev);
}
/*
 * kcompactd as a kernel thread of each node (mm/compaction.c:
 * kcompactd_run() and kcompactd_stop()): an event of machine->q run
 * KTHREAD_WAKE_NS after a wake-up, its cycles counted in
 * machine->kcompactd_cycles; with proactiveness on, its timeout checks
 * every node for proactive compaction every
 * HPAGE_FRAG_CHECK_INTERVAL_MSEC from the start until the stop.
 */
void kcompactd_start(struct machine *m);
void kcompactd_stop(struct machine *m);
/* mm/compaction.c:compact_node(pgdat, true): every populated zone of the
 * node compacted whole (SYNC_LIGHT, skip hints ignored) until its score
 * is at or below the low mark.  Counts COMPACTPROACTIVE. */
void proactive_compact_node(struct machine *m, int node, uint64_t *cycles);
/* mm/compaction.c:compact_node(pgdat, false): what a write to
 * /proc/sys/vm/compact_memory does to one node (MIGRATE_SYNC, whole
 * zones, nothing to stop at but the scanners meeting). */
void compact_node(struct machine *m, int node, uint64_t *cycles);

/*
 * mm/compaction.c:reset_isolation_suitable(): clear the skip hints of
 * the node's zones whose last full direct compaction asked for it
 * (compact_blockskip_flush), and restart their scanners where a block
 * can be a source or target.  kswapd calls it on its way to sleep.
 * Charges *cycles (may be NULL).
 */
void reset_isolation_suitable(struct machine *m, int node, uint64_t *cycles);

#endif /* KMSIM_COMPACTION_H */
