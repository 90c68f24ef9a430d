/*
 * test-replay.c - --mode replay on a small machine (16 MiB, one DMA32
 * zone, four order-10 blocks): the buddy seeded from a kpageflags
 * snapshot, kmem events applied to the frames they name (a block taken
 * at its pfn, freed through the per-cpu lists or straight back, merging),
 * what the trace and the model disagree on counted, never fatal, and the
 * end state compared with a kpageflags and a buddyinfo "after".
 */
#include <stdlib.h>
#include <string.h>

#include "ops/replay.h"
#include "tap.h"
#include "mkmachine.h"

#define NR_PFNS 4096		/* 16 MiB of 4 KiB pages */

static struct machine *small_machine(void)
{
	static struct config_node nodes[1];
	static struct config cfg;

	mk_config(&cfg, nodes, 1, 16 * MiB, 0, 16 * MiB);
	return machine_create(&cfg, NULL);
}

static struct op mk_op(enum op_type type, uint64_t pfn, unsigned order,
    uint32_t flags)
{
	struct op op;

	op_clear(&op);
	op.type = type;
	op.pfn = pfn;
	op.order = order;
	op.flags = flags;
	return op;
}

static void apply(struct replay *r, enum op_type type, uint64_t pfn,
    unsigned order, uint32_t flags)
{
	struct op op = mk_op(type, pfn, order, flags);
	struct alloc_result res;

	replay_op(r, &op, &res);
}

/* A kpageflags of NR_PFNS frames, allocated but for [lo, hi) free. */
static void kp_make(struct kpageflags *kp, uint64_t lo, uint64_t hi)
{
	uint64_t pfn;

	kp->nr = NR_PFNS;
	kp->f = calloc(NR_PFNS, 1);
	for (pfn = lo; pfn < hi; pfn++)
		kp->f[pfn] = KPFS_BUDDY;
}

static bool pfn_free(const struct machine *m, uint64_t pfn)
{
	uint64_t head;
	unsigned order;

	return buddy_find_free(m, pfn, &head, &order);
}

TEST(without_kpageflags_the_machine_stays_as_booted)
{
	struct machine *m = small_machine();
	struct replay *r;
	char *cause = NULL;

	ASSERT(m != NULL);
	r = replay_create(m, NULL, &cause);
	ASSERT(r != NULL);
	ASSERT(cause == NULL);
	ASSERT_UEQ(m->zones[0]->free_pages, NR_PFNS);
	ASSERT_UEQ(m->zones[0]->free_area[10].nr_free, 4);
	replay_destroy(r);
	machine_destroy(m);
}

/* zone_locked takes the block at its pfn; the free puts it on a per-cpu
 * list (order 2), the drain gives it back and it merges up to order 10. */
TEST(alloc_at_pfn_then_free_through_pcp_merges)
{
	struct machine *m = small_machine();
	struct zone *z;
	struct replay *r;
	const struct replay_stats *st;
	uint64_t pfn;

	ASSERT(m != NULL);
	z = m->zones[0];
	r = replay_create(m, NULL, NULL);
	apply(r, OP_PAGE_ALLOC_ZONE_LOCKED, 100, 2, OPF_PERCPU_REFILL);
	for (pfn = 100; pfn < 104; pfn++) {
		ASSERT(!pfn_free(m, pfn));
		ASSERT(m->frames[pfn].flags & PF_TOUCHED);
	}
	ASSERT(pfn_free(m, 99));
	ASSERT(pfn_free(m, 104));
	ASSERT(!(m->frames[104].flags & PF_TOUCHED));
	ASSERT(m->frames[100].flags & PF_PCP);
	ASSERT_UEQ(z->free_pages, NR_PFNS - 4);
	ASSERT_UEQ(z->free_area[10].nr_free, 3);
	ASSERT_EQ(buddy_check_frames(m, NULL), 0);

	/* the page reaches its caller from the per-cpu list */
	apply(r, OP_ALLOC_PAGES, 100, 2, 0);
	ASSERT(m->frames[100].flags & PF_HEAD);
	ASSERT(!(m->frames[100].flags & PF_PCP));
	/* freed: order 2 goes onto a per-cpu list, not into the buddy */
	apply(r, OP_FREE_PAGES, 100, 2, 0);
	ASSERT(m->frames[100].flags & PF_PCP);
	ASSERT(!pfn_free(m, 100));
	ASSERT_UEQ(z->free_pages, NR_PFNS - 4);
	/* drained: back into the buddy, merged with its buddies */
	apply(r, OP_PAGE_PCPU_DRAIN, 100, 2, 0);
	ASSERT(pfn_free(m, 100));
	ASSERT_UEQ(z->free_pages, NR_PFNS);
	ASSERT_UEQ(z->free_area[10].nr_free, 4);
	ASSERT_EQ(buddy_check_frames(m, NULL), 0);

	st = replay_stats(r);
	ASSERT_UEQ(st->applied, 4);
	ASSERT_UEQ(st->taken_not_free, 0);
	ASSERT_UEQ(st->alloc_from_buddy, 0);
	ASSERT_UEQ(st->freed_while_free, 0);
	ASSERT_UEQ(st->drained_not_pcp, 0);
	replay_destroy(r);
	machine_destroy(m);
}

/* Order 4 is not a per-cpu order: its free goes straight to the buddy
 * (__free_pages_ok()).  An mm_page_alloc with no zone_locked before it
 * still takes the frames, counted as untraced buddy allocations. */
TEST(high_order_free_goes_straight_to_the_buddy)
{
	struct machine *m = small_machine();
	struct zone *z;
	struct replay *r;
	const struct replay_stats *st;
	struct op op;
	struct alloc_result res;

	ASSERT(m != NULL);
	z = m->zones[0];
	r = replay_create(m, NULL, NULL);
	op = mk_op(OP_ALLOC_PAGES, 512, 4, 0);
	replay_op(r, &op, &res);
	ASSERT_UEQ(res.pfn, 512);
	ASSERT(res.zone == z);
	ASSERT(!pfn_free(m, 512));
	ASSERT(!pfn_free(m, 527));
	ASSERT(pfn_free(m, 528));
	ASSERT_UEQ(z->free_pages, NR_PFNS - 16);
	st = replay_stats(r);
	ASSERT_UEQ(st->alloc_from_buddy, 16);

	op = mk_op(OP_FREE_PAGES, 512, 4, 0);
	replay_op(r, &op, &res);
	ASSERT(res.cycles > 0);
	ASSERT(pfn_free(m, 512));
	ASSERT_UEQ(z->free_pages, NR_PFNS);
	ASSERT_UEQ(z->free_area[10].nr_free, 4);
	ASSERT_UEQ(st->freed_while_free, 0);
	ASSERT_EQ(buddy_check_frames(m, NULL), 0);
	replay_destroy(r);
	machine_destroy(m);
}

/* What the model cannot reconcile is counted, and replay carries on. */
TEST(disagreements_and_other_events_are_counted)
{
	struct machine *m = small_machine();
	struct replay *r;
	const struct replay_stats *st;

	ASSERT(m != NULL);
	r = replay_create(m, NULL, NULL);
	st = replay_stats(r);
	/* freeing free frames: allocated before the capture */
	apply(r, OP_FREE_PAGES, 1024, 5, 0);
	ASSERT_UEQ(st->freed_while_free, 32);
	/* taking frames that are no longer free */
	apply(r, OP_PAGE_ALLOC_ZONE_LOCKED, 2048, 1, 0);
	apply(r, OP_PAGE_ALLOC_ZONE_LOCKED, 2048, 1, 0);
	ASSERT_UEQ(st->taken_not_free, 2);
	/* a drain of frames no per-cpu list holds */
	apply(r, OP_PAGE_PCPU_DRAIN, 2048, 1, 0);
	ASSERT_UEQ(st->drained_not_pcp, 1);
	/* pfns in no zone, or none at all */
	apply(r, OP_PAGE_ALLOC_ZONE_LOCKED, NR_PFNS, 0, 0);
	apply(r, OP_FREE_PAGES, NR_PFNS - 2, 2, 0);
	apply(r, OP_FREE_PAGES, OP_PFN_NONE, 0, 0);
	ASSERT_UEQ(st->outside_zones, 3);
	/* a failed allocation, a batched repeat, an event replay ignores */
	apply(r, OP_ALLOC_PAGES, OP_PFN_NONE, 3, OPF_FAILED);
	ASSERT_UEQ(st->failed_allocs, 1);
	apply(r, OP_PAGE_FREE_BATCHED, 7, 0, 0);
	ASSERT_UEQ(st->batched_repeats, 1);
	apply(r, OP_KMALLOC, OP_PFN_NONE, 0, 0);
	ASSERT_UEQ(st->ignored, 1);
	/* events outside the snapshots' window are only counted */
	replay_count_outside(r);
	replay_count_outside(r);
	ASSERT_UEQ(st->outside_window, 2);
	ASSERT_UEQ(st->applied, 4);
	ASSERT_EQ(buddy_check_frames(m, NULL), 0);
	replay_destroy(r);
	machine_destroy(m);
}

/* The buddy rebuilt from KPF_BUDDY runs, in the largest aligned blocks;
 * KPF_RESERVED frames become reserved. */
TEST(seeded_from_kpageflags)
{
	struct machine *m = small_machine();
	struct kpageflags kp, shorter;
	struct replay *r;
	struct zone *z;
	char *cause = NULL;
	unsigned o;

	ASSERT(m != NULL);
	z = m->zones[0];
	kp_make(&kp, 0, 1024);
	kp.f[2048] = kp.f[2049] = KPFS_BUDDY;
	kp.f[4000] = KPFS_RESERVED;
	r = replay_create(m, &kp, &cause);
	ASSERT(r != NULL);
	ASSERT(cause == NULL);
	ASSERT_UEQ(z->free_pages, 1026);
	ASSERT_UEQ(z->free_area[10].nr_free, 1);
	ASSERT_UEQ(z->free_area[1].nr_free, 1);
	for (o = 0; o < 10; o++)
		if (o != 1)
			ASSERT_UEQ(z->free_area[o].nr_free, 0);
	ASSERT(pfn_free(m, 2049));
	ASSERT(!pfn_free(m, 2050));
	ASSERT(m->frames[4000].flags & PF_RESERVED);
	ASSERT_EQ(buddy_check_frames(m, NULL), 0);
	replay_destroy(r);
	machine_destroy(m);

	/* a snapshot shorter than the machine is used where it reaches */
	m = small_machine();
	ASSERT(m != NULL);
	shorter.f = kp.f;
	shorter.nr = 2048;
	r = replay_create(m, &shorter, &cause);
	ASSERT(r != NULL);
	ASSERT_STREQ(cause, "kpageflags covers 2048 frames but the machine"
	    " has 4096: using it where it reaches");
	free(cause);
	ASSERT_UEQ(m->zones[0]->free_pages, 1024);
	replay_destroy(r);
	machine_destroy(m);
	free(kp.f);
}

/*
 * The end state against the kernel's: before, [0, 1024) free; the trace
 * takes [0, 8); after, [8, 1024) free as the model has it, plus [2000,
 * 2004) that no event explains, and pfn 4095 without memory.
 */
TEST(compare_with_kpageflags_after)
{
	struct machine *m = small_machine();
	struct kpageflags before, after;
	struct procfs_zones zs;
	struct procfs_zone pz;
	struct replay_fidelity fid;
	struct replay *r;
	struct op op;
	json_t *j, *f;
	unsigned o;

	ASSERT(m != NULL);
	kp_make(&before, 0, 1024);
	kp_make(&after, 8, 1024);
	memset(after.f + 2000, KPFS_BUDDY, 4);
	after.f[4095] = KPFS_NOPAGE;
	r = replay_create(m, &before, NULL);
	apply(r, OP_PAGE_ALLOC_ZONE_LOCKED, 0, 3, 0);
	op = mk_op(OP_ALLOC_PAGES, 16, 0, 0);
	replay_mark_ambiguous(r, &op);
	ASSERT(m->frames[16].flags & PF_AMBIGUOUS);
	ASSERT(!(m->frames[17].flags & PF_AMBIGUOUS));

	/* buddyinfo after: orders 3 to 9 once each, as the model has them,
	 * but the kernel also has two order-0 pages */
	memset(&pz, 0, sizeof pz);
	pz.node = 0;
	pz.type = ZONE_DMA32;
	pz.nr_orders = 11;
	for (o = 3; o <= 9; o++)
		pz.nr_free[o] = 1;
	pz.nr_free[0] = 2;
	zs.z = &pz;
	zs.n = 1;

	replay_compare(r, &before, &after, &zs, &fid);
	ASSERT(fid.have);
	ASSERT_UEQ(fid.frames, NR_PFNS - 1);
	ASSERT_UEQ(fid.agree, NR_PFNS - 1 - 4);
	ASSERT_UEQ(fid.touched, 8);
	ASSERT_UEQ(fid.touched_agree, 8);
	ASSERT_UEQ(fid.ambiguous, 1);
	ASSERT_UEQ(fid.ambiguous_agree, 1);
	ASSERT_UEQ(fid.changed, 12);
	ASSERT_UEQ(fid.changed_agree, 8);
	ASSERT_UEQ(fid.untraced, 4);
	ASSERT_UEQ(fid.untraced_agree, 0);
	ASSERT(fid.have_buddyinfo);
	ASSERT_UEQ(fid.buddyinfo_diff, 2);
	ASSERT_UEQ(fid.buddyinfo_total, 9);

	j = replay_json(r, &fid);
	ASSERT(j != NULL);
	ASSERT_EQ(json_integer_value(json_object_get(j, "applied")), 1);
	f = json_object_get(j, "fidelity");
	ASSERT(f != NULL);
	ASSERT_EQ(json_integer_value(json_object_get(f, "untraced_changed")),
	    4);
	ASSERT_DBL_NEAR(json_real_value(json_object_get(f,
	    "traced_changed_pct")), 100.0, 1e-9);
	json_decref(j);

	/* without an "after", nothing is compared */
	replay_compare(r, &before, NULL, NULL, &fid);
	ASSERT(!fid.have);
	ASSERT(!fid.have_buddyinfo);
	j = replay_json(r, &fid);
	ASSERT(json_object_get(j, "fidelity") == NULL);
	json_decref(j);

	replay_destroy(r);
	machine_destroy(m);
	free(before.f);
	free(after.f);
}

int main(void)
{
	RUN(without_kpageflags_the_machine_stays_as_booted);
	RUN(alloc_at_pfn_then_free_through_pcp_merges);
	RUN(high_order_free_goes_straight_to_the_buddy);
	RUN(disagreements_and_other_events_are_counted);
	RUN(seeded_from_kpageflags);
	RUN(compare_with_kpageflags_after);
	return tap_done();
}
