/*
 * stats.c - the run's counters and histograms (stats.h).
 */
#include <stdlib.h>
#include <string.h>

#include "kmsim.h"
#include "results/stats.h"

const char *const run_skip_names[RUN_SKIP_NR] = {
	"free_unknown_id", "duplicate_id", "order_mismatch", "bad_request"
};

const char *const run_capture_names[RUN_CAP_NR] = {
	"free_preexisting", "realloc_without_free", "order_mismatch",
	"failed_in_trace", "allocator_internal"
};

const char *const run_slab_path_names[RUN_SLAB_PATHS] = {
	"slab_alloc_fast", "slab_alloc_slow", "slab_free_fast",
	"slab_free_slow"
};

void run_stats_init(struct run_stats *st)
{
	int i;

	memset(st, 0, sizeof *st);
	for (i = 0; i < RUN_OP_TYPES; i++)
		hist_init(&st->lat[i]);
	hist_init(&st->lat_failed);
	hist_init(&st->lat_stall);
	for (i = 0; i < RUN_SLAB_PATHS; i++)
		hist_init(&st->lat_slab[i]);
}

void run_stats_fini(struct run_stats *st)
{
	free(st->failures);
	st->failures = NULL;
	st->nr_failure_kinds = 0;
}

void run_stats_record_failure(struct run_stats *st, unsigned order,
    gfp_t gfp, int node)
{
	size_t i;

	st->nr_failures++;
	for (i = 0; i < st->nr_failure_kinds; i++) {
		struct run_failure *f = &st->failures[i];

		if (f->order == order && f->gfp == gfp && f->node == node) {
			f->count++;
			return;
		}
	}
	st->failures = xreallocarray(st->failures, st->nr_failure_kinds + 1,
	    sizeof *st->failures);
	st->failures[st->nr_failure_kinds++] = (struct run_failure){
		order, gfp, node, 1
	};
}
