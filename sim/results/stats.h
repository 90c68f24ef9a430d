/*
 * stats.h - what a run counts as it goes: ops by type, their latencies,
 * failed allocations by kind, the bad ops --lenient skipped, what a
 * capture held that the model cannot pair up, and the figures of the
 * paths the engines took.
 *
 * The op adapters and the kernel threads write here; the results layer
 * reads it (with the engines' own state) when a snapshot or the summary
 * is written.  Nothing here knows of ops or trace formats: an op type is
 * an index below RUN_OP_TYPES.
 */
#ifndef KMSIM_RESULTS_STATS_H
#define KMSIM_RESULTS_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "mm/gfp.h"
#include "hist.h"

/* Room for every op type of the op format (trace.h checks OP_NR fits). */
#define RUN_OP_TYPES 64

/* Kinds of bad op that --lenient counts and skips. */
enum run_skip {
	RUN_SKIP_UNKNOWN_ID,
	RUN_SKIP_DUPLICATE_ID,
	RUN_SKIP_ORDER_MISMATCH,
	RUN_SKIP_BAD_REQUEST,
	RUN_SKIP_NR
};
extern const char *const run_skip_names[RUN_SKIP_NR];

/*
 * What a real capture holds that a model cannot pair up (simulate mode):
 * counted, never errors.  A page freed that the trace never allocated was
 * allocated before it (or is the tail of a higher-order block, or a
 * compaction target); a pfn allocated again without a free missed its
 * free (lost events, or a free kmsim does not see).
 */
enum run_capture {
	RUN_CAP_FREE_PREEXISTING,
	RUN_CAP_REALLOC,
	RUN_CAP_ORDER_MISMATCH,
	RUN_CAP_FAILED_IN_TRACE,
	RUN_CAP_INTERNAL,	/* zone_locked, pcpu_drain, free_batched */
	RUN_CAP_NR
};
extern const char *const run_capture_names[RUN_CAP_NR];

/* The slab paths whose latencies are kept apart: SLUB's fast path (the
 * CPU's freelist) against every slower one. */
#define RUN_SLAB_PATHS 4
extern const char *const run_slab_path_names[RUN_SLAB_PATHS];

/* Failed page allocations of one kind. */
struct run_failure {
	unsigned order;
	gfp_t gfp;
	int node;
	uint64_t count;
};

struct run_stats {
	uint64_t events;
	uint64_t op_count[RUN_OP_TYPES];
	struct hist lat[RUN_OP_TYPES];
	struct hist lat_failed;
	struct hist lat_stall;		/* allocations that took the slow path */
	struct hist lat_slab[RUN_SLAB_PATHS];	/* alloc fast/slow, free
						   fast/slow */
	uint64_t stall_cycles;
	uint64_t nr_snapshots;

	/* page allocations */
	uint64_t nr_failures;
	struct run_failure *failures;
	size_t nr_failure_kinds;
	uint64_t frees_of_failed;	/* frees of allocations that failed */
	uint64_t nr_compacted, nr_reclaimed;
	uint64_t fallbacks, splits, merges, remote_allocs;
	uint64_t preexisting_freed;	/* frees of the capture's own blocks */

	/* slab and percpu */
	uint64_t kmem_failed, kmem_unknown_free, kmem_free_null;
	uint64_t kmem_caches_created;
	uint64_t slab_reclaimed;	/* pages the shrinker gave back */

	/* vmalloc, the TLB, highmem */
	uint64_t vm_failed, vm_purges, shootdown_cycles, accesses;
	uint64_t kmap_waits;

	uint64_t skipped[RUN_SKIP_NR];
	uint64_t captured[RUN_CAP_NR];
};

void run_stats_init(struct run_stats *st);
void run_stats_fini(struct run_stats *st);
/* A failed page allocation, counted by (order, gfp, node). */
void run_stats_record_failure(struct run_stats *st, unsigned order,
    gfp_t gfp, int node);

#endif /* KMSIM_RESULTS_STATS_H */
