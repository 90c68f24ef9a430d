/*
 * lru.c - the page cache's file LRU, two lists per node, and reclaim's
 * shrinking of it:
 *
 *  - mm/swap.c: folio_add_lru() (new folios at the head of the inactive
 *    list), folio_mark_accessed() (two touches activate),
 *    folio_rotate_reclaimable() (a folio reclaim marked goes to the tail
 *    once written);
 *  - mm/vmscan.c: shrink_lruvec(), shrink_inactive_list() with
 *    shrink_folio_list(), shrink_active_list(), inactive_is_low().
 *
 * Anonymous memory is not on any LRU here: without swap it is
 * unevictable, and kmsim models no swap device.
 */
#include "kmsim_config.h"

#include "kmsim.h"
#include "mm/pagecache_internal.h"

/* mm/vmscan.c */
#define DEF_PRIORITY		12
#define SWAP_CLUSTER_MAX	32

void lru_del(struct pagecache *pc, uint32_t i)
{
	struct pc_folio *f = FOLIO(pc, i);
	struct pc_lru *l = &pc->lru[f->node];
	int a = !!(f->flags & FL_ACTIVE);

	if (!(f->flags & FL_LRU))
		return;
	if (f->prev != PC_NIL)
		FOLIO(pc, f->prev)->next = f->next;
	else
		l->head[a] = f->next;
	if (f->next != PC_NIL)
		FOLIO(pc, f->next)->prev = f->prev;
	else
		l->tail[a] = f->prev;
	l->nr[a] -= UINT64_C(1) << f->order;
	f->prev = f->next = PC_NIL;
	f->flags &= (uint16_t)~FL_LRU;
}

/* Onto the active or inactive list as f's FL_ACTIVE says, at the head
 * (the newest end) or the tail (reclaimed next). */
void lru_add(struct pagecache *pc, uint32_t i, bool tail)
{
	struct pc_folio *f = FOLIO(pc, i);
	struct pc_lru *l = &pc->lru[f->node];
	int a = !!(f->flags & FL_ACTIVE);

	if (tail) {
		f->next = PC_NIL;
		f->prev = l->tail[a];
		if (l->tail[a] != PC_NIL)
			FOLIO(pc, l->tail[a])->next = i;
		else
			l->head[a] = i;
		l->tail[a] = i;
	} else {
		f->prev = PC_NIL;
		f->next = l->head[a];
		if (l->head[a] != PC_NIL)
			FOLIO(pc, l->head[a])->prev = i;
		else
			l->tail[a] = i;
		l->head[a] = i;
	}
	l->nr[a] += UINT64_C(1) << f->order;
	f->flags |= FL_LRU;
}

/* mm/swap.c:folio_mark_accessed(): a second touch activates. */
void lru_mark_accessed(struct pagecache *pc, uint32_t i)
{
	struct pc_folio *f = FOLIO(pc, i);

	if (!(f->flags & FL_REFERENCED)) {
		f->flags |= FL_REFERENCED;
	} else if (!(f->flags & FL_ACTIVE)) {
		bool on = f->flags & FL_LRU;

		if (on)
			lru_del(pc, i);
		f->flags |= FL_ACTIVE;
		f->flags &= (uint16_t)~FL_REFERENCED;
		if (on)
			lru_add(pc, i, false);
		pc->pgactivate += UINT64_C(1) << f->order;
	}
}

/* mm/swap.c:folio_rotate_reclaimable(): a folio reclaim had marked,
 * clean and unlocked now, to the tail of the inactive list. */
void lru_rotate_reclaimable(struct pagecache *pc, uint32_t i)
{
	struct pc_folio *f = FOLIO(pc, i);

	if ((f->flags & FL_RECLAIM) && (f->flags & FL_LRU) &&
	    !(f->flags & (FL_DIRTY | FL_LOCKED))) {
		lru_del(pc, i);
		f->flags &= (uint16_t)~FL_ACTIVE;
		lru_add(pc, i, true);
		pc->pgrotated += UINT64_C(1) << f->order;
	}
}

/* mm/vmscan.c:inactive_is_low(). */
static bool inactive_is_low(const struct pc_lru *l, unsigned page_shift)
{
	uint64_t gb = (l->nr[0] + l->nr[1]) >> (30 - page_shift);
	uint64_t ratio = 1;

	if (gb) {
		/* int_sqrt(10 * gb) */
		uint64_t v = 10 * gb, r = 0;

		while ((r + 1) * (r + 1) <= v)
			r++;
		ratio = r;
	}
	return l->nr[0] * ratio < l->nr[1];
}

/* shrink_active_list(): unmapped file folios all go to the inactive
 * list (no VM_EXEC mappings here), keeping PG_referenced. */
static void shrink_active(struct pagecache *pc, int node, uint64_t nr,
    uint64_t *cycles)
{
	struct pc_lru *l = &pc->lru[node];
	uint64_t done = 0;

	while (done < nr && l->tail[1] != PC_NIL) {
		uint32_t i = l->tail[1];
		struct pc_folio *f = FOLIO(pc, i);

		lru_del(pc, i);
		f->flags &= (uint16_t)~FL_ACTIVE;
		lru_add(pc, i, false);
		done += UINT64_C(1) << f->order;
		pc->pgdeactivate += UINT64_C(1) << f->order;
		*cycles += pc->m->cost.c[COST_LRU_OP];
	}
	pc->pgrefill += done;
}

/*
 * shrink_inactive_list() + shrink_folio_list() over nr pages from the
 * tail: locked folios are kept; folios under writeback or dirty are
 * marked PG_reclaim and activated (reclaim writes no file folios in
 * 6.18; the flusher does); clean ones are freed, PG_referenced or not
 * (an unmapped folio's reference only keeps it if dirty).  Dirty folios
 * nobody has queued wake the flusher for all dirty pages.
 */
static uint64_t shrink_inactive(struct pagecache *pc, int node, uint64_t nr,
    int cpu, uint64_t *cycles, uint64_t *scanned)
{
	struct pc_lru *l = &pc->lru[node];
	uint64_t taken = 0, freed = 0, unqueued_dirty = 0;
	uint32_t keep = PC_NIL, keep_tail = PC_NIL;

	while (taken < nr && l->tail[0] != PC_NIL) {
		uint32_t i = l->tail[0];
		struct pc_folio *f = FOLIO(pc, i);
		uint64_t n = UINT64_C(1) << f->order;

		lru_del(pc, i);
		taken += n;
		*cycles += pc->m->cost.c[COST_LRU_OP];
		f->flags &= (uint16_t)~FL_REFERENCED;
		if (f->flags & FL_LOCKED) {
			/* keep: back on the list after the scan */
			f->next = PC_NIL;
			if (keep_tail != PC_NIL)
				FOLIO(pc, keep_tail)->next = i;
			else
				keep = i;
			keep_tail = i;
			continue;
		}
		if (f->flags & (FL_WRITEBACK | FL_DIRTY)) {
			if (!(f->flags & FL_WRITEBACK)) {
				unqueued_dirty += n;
				pc->vmscan_immediate += n;
			}
			f->flags |= FL_RECLAIM | FL_ACTIVE;
			pc->pgactivate += n;
			lru_add(pc, i, false);
			continue;
		}
		freed += n;
		pagecache_folio_remove(pc, i, cpu, cycles);
	}
	while (keep != PC_NIL) {
		uint32_t nx = FOLIO(pc, keep)->next;

		lru_add(pc, keep, false);
		keep = nx;
	}
	*scanned += taken;
	if (unqueued_dirty > 0 && unqueued_dirty == taken) {
		/* wakeup_flusher_threads(WB_REASON_VMSCAN) */
		pc->vmscan_wakeups++;
		writeback_wakeup_flusher(pc);
	}
	return freed;
}

/* Models mm/vmscan.c:shrink_lruvec() of the file lists, at the falling
 * priorities of do_try_to_free_pages() and balance_pgdat(). */
uint64_t lru_shrink(struct pagecache *pc, int node, uint64_t want,
    bool kswapd, uint64_t *cycles)
{
	struct pc_lru *l;
	uint64_t freed = 0, scanned = 0;
	int prio, cpu = 0, c;

	if (pc->observe || node < 0 || node >= pc->m->nr_nodes)
		return 0;
	l = &pc->lru[node];
	for (c = 0; c < pc->m->nr_cpus; c++)
		if (machine_cpu_node(pc->m, c) == node) {
			cpu = c;
			break;
		}
	want = KMSIM_MAX(want, (uint64_t)SWAP_CLUSTER_MAX);
	/* do_try_to_free_pages()/balance_pgdat(): priority 12 down to 0,
	 * each scanning lru_size >> priority of each list */
	for (prio = DEF_PRIORITY; prio >= 0 && freed < want; prio--) {
		uint64_t nr_inactive = l->nr[0] >> prio;
		uint64_t nr_active = l->nr[1] >> prio;

		if (prio == 0) {
			nr_inactive = l->nr[0];
			nr_active = l->nr[1];
		}
		if (nr_inactive == 0 && nr_active == 0)
			continue;
		while ((nr_inactive > 0 || nr_active > 0) && freed < want) {
			uint64_t a = KMSIM_MIN(nr_active,
			    (uint64_t)SWAP_CLUSTER_MAX);
			uint64_t b = KMSIM_MIN(nr_inactive,
			    (uint64_t)SWAP_CLUSTER_MAX);

			if (a > 0 && inactive_is_low(l, pc->page_shift))
				shrink_active(pc, node, a, cycles);
			nr_active -= a;
			if (b > 0)
				freed += shrink_inactive(pc, node, b, cpu,
				    cycles, &scanned);
			nr_inactive -= b;
			if (l->nr[0] == 0 && l->nr[1] == 0)
				break;
		}
	}
	pc->pgscan += scanned;
	pc->pgsteal += freed;
	pc->m->vm_events[kswapd ? PGSCAN_KSWAPD : PGSCAN_DIRECT] += scanned;
	return freed;
}
