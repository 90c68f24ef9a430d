/*
 * vmscan.c - kswapd and direct reclaim (mm/vmscan.c, Linux 6.18) as kmsim
 * models them: who wakes kswapd and when, what a kswapd run does to the
 * node (the watermark boost cleared, kcompactd woken, failures counted),
 * and direct reclaim's accounting.  What a pass frees comes from the
 * page cache's file LRU (machine->shrink_lru, see pagecache.c) and the
 * slab shrinkers (machine->shrink_slab); what it could not find is
 * recorded as the node's reclaim shortfall.
 */
#include "kmsim_config.h"

#include "mm/buddy.h"
#include "mm/compaction.h"
#include "mm/vmscan.h"

/* mm/internal.h:MAX_RECLAIM_RETRIES. */
#define MAX_RECLAIM_RETRIES	16

bool pgdat_balanced(const struct machine *m, int node, unsigned order,
    int highest_zoneidx)
{
	const struct node *nd = &m->nodes[node];
	bool managed = false;
	int t;

	for (t = 0; t <= highest_zoneidx && t < MAX_NR_ZONES; t++) {
		const struct zone *z = &nd->zones[t];
		uint64_t mark;

		if (!z->populated || z->managed_pages == 0)
			continue;
		managed = true;
		mark = z->watermark[WMARK_HIGH] + z->watermark_boost;
		if (zone_watermark_ok(z, order, mark, highest_zoneidx, 0,
		    m->max_order))
			return true;
	}
	/* no managed zone: nothing to balance */
	return !managed;
}

static bool pgdat_watermark_boosted(const struct machine *m, int node,
    int highest_zoneidx)
{
	int t;

	for (t = 0; t <= highest_zoneidx && t < MAX_NR_ZONES; t++)
		if (m->nodes[node].zones[t].watermark_boost)
			return true;
	return false;
}

void wakeup_kswapd(struct machine *m, struct zone *z, gfp_t gfp,
    unsigned order, int highest_zoneidx)
{
	struct node *nd = &m->nodes[z->node];

	if (z->managed_pages == 0)
		return;
	if (nd->kswapd_highest_zoneidx == MAX_NR_ZONES ||
	    nd->kswapd_highest_zoneidx < highest_zoneidx)
		nd->kswapd_highest_zoneidx = highest_zoneidx;
	if (nd->kswapd_order < order)
		nd->kswapd_order = order;
	if (kswapd_is_running(m, z->node))
		return;		/* awake already */
	/* a hopeless node, or a balanced one: maybe only compaction */
	if (nd->kswapd_failures >= MAX_RECLAIM_RETRIES ||
	    (pgdat_balanced(m, z->node, order, highest_zoneidx) &&
	    !pgdat_watermark_boosted(m, z->node, highest_zoneidx))) {
		if (!(gfp & GFP_BIT_DIRECT_RECLAIM))
			wakeup_kcompactd(m, z->node, order, highest_zoneidx);
		return;
	}
	/* wake_up_interruptible(&pgdat->kswapd_wait) */
	evq_wake(m->q, &nd->kswapd_ev, machine_ns_to_cycles(m,
	    KTHREAD_WAKE_NS));
}

/*
 * The reclaimable memory of the zones: the shrinkers' (the slab caches'
 * empty slabs) until the page cache LRU is modelled.  Returns the pages
 * reclaimed.
 */
static uint64_t shrink_zones(struct machine *m, struct zone *const *zones,
    int nr_zones, uint64_t want, bool kswapd, uint64_t *cycles)
{
	uint64_t got = 0, seen = 0;
	int i;

	if (want == 0)
		return 0;
	/* shrink_node() of each node the zones belong to: its file LRU,
	 * then the shrinkers */
	for (i = 0; i < nr_zones && got < want; i++) {
		int node = zones[i]->node;

		if (node < 64 && (seen & (UINT64_C(1) << node)))
			continue;
		if (node < 64)
			seen |= UINT64_C(1) << node;
		if (m->shrink_lru != NULL)
			got += m->shrink_lru(m->lru_arg, node, want - got,
			    kswapd, cycles);
	}
	if (m->shrink_slab != NULL && got < want)
		got += m->shrink_slab(m->shrink_arg, want - got, cycles);
	return got;
}

uint64_t try_to_free_pages(struct machine *m, struct zone *const *zones,
    int nr_zones, unsigned order, gfp_t gfp, uint64_t *cycles)
{
	uint64_t got;

	(void)gfp;
	*cycles += m->cost.c[COST_DIRECT_RECLAIM];
	/* SWAP_CLUSTER_MAX pages per pass, at least the request */
	got = shrink_zones(m, zones, nr_zones,
	    KMSIM_MAX(UINT64_C(32), UINT64_C(1) << order), false, cycles);
	m->vm_events[PGSTEAL_DIRECT] += got;
	*cycles += got * m->cost.c[COST_RECLAIM_PAGE];
	return got;
}

/*
 * Models mm/vmscan.c:balance_pgdat() and kswapd_try_to_sleep(): reclaim
 * towards the high watermark (plus boost) of the zones up to
 * highest_zoneidx; a boosted node has its boosts cleared and kcompactd
 * woken at pageblock order; a run without progress counts as a failure
 * (16 make the node hopeless until direct reclaim frees something).
 */
bool kswapd_run(struct machine *m, int node, uint64_t *cycles)
{
	struct node *nd = &m->nodes[node];
	unsigned order = nd->kswapd_order;
	int hz = nd->kswapd_highest_zoneidx, t;
	uint64_t want = 0, got;
	struct zone *zones[MAX_NR_ZONES];
	int nr = 0;
	bool boosted = false, again = false;

	if (hz >= MAX_NR_ZONES)
		hz = MAX_NR_ZONES - 1;
	nd->kswapd_order = 0;
	nd->kswapd_highest_zoneidx = MAX_NR_ZONES;
	m->vm_events[KSWAPD_WAKE]++;
	m->vm_events[PAGEOUTRUN]++;
	*cycles += m->cost.c[COST_DIRECT_RECLAIM];
	for (t = 0; t <= hz; t++) {
		struct zone *z = &nd->zones[t];
		uint64_t mark;

		if (!z->populated || z->managed_pages == 0)
			continue;
		zones[nr++] = z;
		if (z->watermark_boost)
			boosted = true;
		/* kswapd_shrink_node(): each zone not balanced at the
		 * order asks for its high watermark's worth, at least
		 * SWAP_CLUSTER_MAX */
		mark = z->watermark[WMARK_HIGH] + z->watermark_boost;
		if (!zone_watermark_ok(z, order, mark, hz, 0, m->max_order))
			want += KMSIM_MAX(mark, UINT64_C(32));
	}
	if (pgdat_balanced(m, node, order, hz) && !boosted) {
		m->vm_events[KSWAPD_HIGH_WMARK_HIT_QUICKLY]++;
	} else {
		got = shrink_zones(m, zones, nr, want, true, cycles);
		m->vm_events[PGSTEAL_KSWAPD] += got;
		*cycles += got * m->cost.c[COST_RECLAIM_PAGE];
		if (got < want)
			nd->reclaim_shortfall += want - got;
		if (got == 0)
			nd->kswapd_failures++;
		else
			nd->kswapd_failures = 0;
		again = got > 0 && !pgdat_balanced(m, node, order, hz);
	}
	if (boosted) {
		/* the boost has done its work: reclaim ran; compaction
		 * now restores the pageblocks */
		for (t = 0; t < nr; t++)
			zones[t]->watermark_boost = 0;
		wakeup_kcompactd(m, node, m->pageblock_order, hz);
	}
	if (!again) {
		/* kswapd_try_to_sleep(): clear the compaction skip hints,
		 * then hand the order over to kcompactd */
		reset_isolation_suitable(m, node, cycles);
		if (order > 0)
			wakeup_kcompactd(m, node, order, hz);
	}
	return again;
}

/*
 * Models mm/vmscan.c:kswapd(): one wake-up of a node's kswapd.  It runs
 * again after its own work while it makes progress, and is busy until
 * then (kswapd_is_running()).  What it woke (kcompactd) is queued when
 * its run ends.
 */
static void kswapd_fn(struct evq *q, struct evq_event *ev, void *arg)
{
	struct machine *m = arg;
	struct node *nd = container_of(ev, struct node, kswapd_ev);
	uint64_t cycles = 0;

	nd->kswapd_running = true;
	if (kswapd_run(m, (int)(nd - m->nodes), &cycles))
		evq_push(q, ev, q->now + cycles);
	nd->kswapd_running = false;
	m->kswapd_cycles += cycles;
	evq_yield(q, q->now + cycles);
}

void kswapd_start(struct machine *m)
{
	int n;

	for (n = 0; n < m->nr_nodes; n++) {
		struct evq_event *ev = &m->nodes[n].kswapd_ev;

		evq_event_init(ev, kswapd_fn, m);
		/* a node's threads before the next node's, kswapd first */
		ev->rank = 2 * (unsigned)n;
	}
}
