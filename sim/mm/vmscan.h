/*
 * vmscan.h - reclaim (mm/vmscan.c): kswapd woken below the low watermark
 * and run as a background actor until the node is balanced at the high
 * watermark, direct reclaim for allocations that can wait, and the hand-
 * off to kcompactd.  What reclaim frees comes from the reclaimable memory
 * kmsim models; what it could not find is recorded as the shortfall.
 *
 * The engines only ask for runs (node->kswapd_wake, kcompactd_wake); the
 * simulation turns those requests into events and calls kswapd_run() and
 * kcompactd_run() when they fire.
 */
#ifndef KMSIM_VMSCAN_H
#define KMSIM_VMSCAN_H

#include <stdbool.h>
#include <stdint.h>

#include "machine.h"

/* mm/vmscan.c:wakeup_kswapd(). */
void wakeup_kswapd(struct machine *m, struct zone *z, gfp_t gfp,
    unsigned order, int highest_zoneidx);
/* mm/compaction.c:wakeup_kcompactd() (the request half). */
void wakeup_kcompactd(struct machine *m, int node, unsigned order,
    int highest_zoneidx);
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
/* mm/compaction.c:kcompactd() one wake-up. */
void kcompactd_run(struct machine *m, int node, uint64_t *cycles);

#endif /* KMSIM_VMSCAN_H */
