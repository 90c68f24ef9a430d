/*
 * vmscan.h - reclaim (mm/vmscan.c): kswapd woken below the low watermark
 * and run as a background actor until the node is balanced at the high
 * watermark, direct reclaim for allocations that can wait, and the hand-
 * off to kcompactd.  What reclaim frees comes from the reclaimable memory
 * kmsim models; what it could not find is recorded as the shortfall.
 *
 * kswapd is an event on the machine's queue: wakeup_kswapd() wakes it as
 * the kernel wakes a waitqueue (evq_wake()), and its handler runs
 * kswapd_run().
 */
#ifndef KMSIM_VMSCAN_H
#define KMSIM_VMSCAN_H

#include <stdbool.h>
#include <stdint.h>

#include "machine.h"

/* mm/vmscan.c:wakeup_kswapd(). */
void wakeup_kswapd(struct machine *m, struct zone *z, gfp_t gfp,
    unsigned order, int highest_zoneidx);
/* mm/vmscan.c:pgdat_balanced(). */
bool pgdat_balanced(const struct machine *m, int node, unsigned order,
    int highest_zoneidx);
/* mm/vmscan.c:try_to_free_pages(): pages reclaimed (progress). */
uint64_t try_to_free_pages(struct machine *m, struct zone *const *zones,
    int nr_zones, unsigned order, gfp_t gfp, uint64_t *cycles);
/* mm/vmscan.c:kswapd() one wake-up: balance_pgdat() and the way back to
 * sleep.  Returns true if kswapd wants to run again (still unbalanced
 * after making progress). */
bool kswapd_run(struct machine *m, int node, uint64_t *cycles);
/*
 * mm/vmscan.c:kswapd_run() at boot: each node's kswapd becomes an event
 * of machine->q, run KTHREAD_WAKE_NS after a wake-up; its cycles
 * are counted in machine->kswapd_cycles.
 */
void kswapd_start(struct machine *m);
/* mm/compaction.c:kswapd_is_running(): a run of the node's kswapd is
 * queued or running (ZONE_RECLAIM_ACTIVE). */
static inline bool kswapd_is_running(const struct machine *m, int node)
{
	const struct node *nd = &m->nodes[node];

	return nd->kswapd_running || evq_pending(&nd->kswapd_ev);
}

#endif /* KMSIM_VMSCAN_H */
