/*
 * replay.h - --mode replay: a captured trace applied as recorded.  The
 * pfns the kernel printed are honoured; frames move between the buddy
 * lists, the per-cpu lists and their owners exactly as the kmem events
 * say, starting from the bundle's first /proc/kpageflags when there is
 * one.  At the end the state is compared with the last kpageflags.
 *
 * The events that move a frame, in Linux 6.18 (mm/page_alloc.c):
 *   mm_page_alloc_zone_locked  a block leaves the buddy lists
 *                              (__rmqueue_smallest() and the fallbacks),
 *                              onto a per-cpu list when percpu_refill=1;
 *   mm_page_alloc              a page reaches its caller (from a per-cpu
 *                              list, or straight from the buddy);
 *   mm_page_free               a page is freed (free_pages_prepare()):
 *                              onto a per-cpu list for the orders
 *                              pcp_allowed_order() admits, else into the
 *                              buddy (__free_pages_ok());
 *   mm_page_pcpu_drain         a page goes from a per-cpu list back to
 *                              the buddy (free_pcppages_bulk()).
 */
#ifndef KMSIM_REPLAY_H
#define KMSIM_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "trace/bundle.h"
#include "mm/buddy.h"
#include "machine.h"
#include "ops/ops.h"
#include "trace/trace.h"

struct replay_stats {
	uint64_t applied;		/* ops that moved frames */
	uint64_t ignored;		/* ops replay does not model */
	uint64_t outside_window;	/* before/after the snapshot markers */
	uint64_t batched_repeats;	/* mm_page_free_batched */
	uint64_t failed_allocs;		/* mm_page_alloc of no page */
	/* what the trace and the model disagreed on (frames) */
	uint64_t taken_not_free;	/* left the buddy but were not in it */
	uint64_t alloc_from_buddy;	/* mm_page_alloc of buddy frames with
					   no zone_locked before it */
	uint64_t freed_while_free;	/* freed, but free in the model: the
					   allocation predates the capture */
	uint64_t drained_not_pcp;	/* drained, but not on a pcp list */
	uint64_t outside_zones;		/* pfns in no zone */
};

struct replay_fidelity {
	bool have;			/* an end kpageflags was compared */
	uint64_t frames, agree;		/* every present frame */
	uint64_t touched, touched_agree;	/* frames an event named, outside
						   the snapshots' reads */
	uint64_t ambiguous, ambiguous_agree;	/* named by an event during a
						   kpageflags read: the read may
						   or may not have seen it */
	uint64_t changed, changed_agree;	/* buddy bit changed between
						   the snapshots */
	uint64_t untraced;		/* changed, and no event named them */
	uint64_t untraced_agree;
	/* buddyinfo: sum over zones and orders of |model - kernel| and of
	 * the kernel's counts */
	bool have_buddyinfo;
	uint64_t buddyinfo_diff, buddyinfo_total;
};

struct replay;

/*
 * Prepare the machine for replay: with the first kpageflags (may be NULL)
 * the buddy is rebuilt from its KPF_BUDDY frames and the rest counted as
 * allocated before the capture; without it the machine stays as booted.
 */
/* The buddy from a kpageflags snapshot's KPF_BUDDY frames. */
void replay_seed(struct machine *m, const struct kpageflags *kp);
/* Simulate mode's start from a capture: the kernel's free frames free,
 * the rest allocated before the trace (PF_PREEXISTING), pageblock types
 * guessed from what they hold. */
void simulate_seed(struct machine *m, const struct kpageflags *kp);
struct replay *replay_create(struct machine *m, const struct kpageflags *before,
    char **cause);
void replay_destroy(struct replay *r);
/* Apply one op; res gets the cycles charged.  Never fails: disagreements
 * are counted. */
void replay_op(struct replay *r, const struct op *op, struct alloc_result *res);
const struct replay_stats *replay_stats(const struct replay *r);
/* An op outside the snapshots' window: counted, not applied. */
void replay_count_outside(struct replay *r);
/* The frames of op were named while a snapshot was being read. */
void replay_mark_ambiguous(struct replay *r, const struct op *op);
/* Compare the model with the last kpageflags (and buddyinfo if given). */
void replay_compare(struct replay *r, const struct kpageflags *before,
    const struct kpageflags *after, const struct procfs_zones *after_zones,
    struct replay_fidelity *fid);
json_t *replay_json(const struct replay *r, const struct replay_fidelity *fid);

/*
 * The replay mode adapter: the machine of ctx rebuilt from the bundle's
 * first kpageflags (b may be NULL: a plain trace), every op applied as
 * recorded between the markers of the bundle's snapshots, and at the end
 * the model compared with its last snapshot.  -1 (NULL) with *cause for
 * a bad snapshot.
 */
struct replay *replay_open(struct ops_ctx *ctx, struct bundle *b,
    char **cause);
/* Issue one op; its latency in cycles. */
uint64_t replay_issue(struct replay *r, const struct op *op);
/* The trace is over: the model against the bundle's last snapshot. */
void replay_finish(struct replay *r, struct bundle *b);
/* What replay_finish() found; NULL before it. */
const struct replay_fidelity *replay_fidelity(const struct replay *r);

#endif /* KMSIM_REPLAY_H */
