/*
 * replay.c - --mode replay: captured kmem events applied to the frames
 * they name (see replay.h for the events' meaning), between the markers
 * of the bundle's snapshots, and the end state compared with the
 * kernel's own /proc/kpageflags and /proc/buddyinfo.
 */
#include <stdlib.h>
#include <string.h>

#include "ops/replay.h"

struct replay {
	struct machine *m;
	struct replay_stats st;

	/* the replay mode adapter (replay_open()) */
	struct ops_ctx *ctx;
	struct kpageflags kp_before;
	int window;		/* -1 before the first marker, 0 in, 1 after */
	const char *marker_start, *marker_stop;	/* from the manifest */
	const char *marker_read_end[2];	/* the end of each snapshot */
	bool in_read;		/* between a read's start and its end */
	bool have_fidelity;
	struct replay_fidelity fidelity;
};

/* Mark the frames of [pfn, pfn + 2^order) as named by an event. */
static void touch(struct machine *m, uint64_t pfn, unsigned order)
{
	uint64_t q, end = KMSIM_MIN(pfn + (UINT64_C(1) << order), m->max_pfn);

	for (q = pfn; q < end; q++)
		m->frames[q].flags |= PF_TOUCHED;
}

/* Seed the buddy from KPF_BUDDY: each run of free frames in a zone is
 * handed over in the largest aligned blocks, which merge as they go. */
void replay_seed(struct machine *m, const struct kpageflags *kp)
{
	uint64_t pfn, end = KMSIM_MIN(kp->nr, m->max_pfn);

	buddy_reset(m);
	for (pfn = 0; pfn < end; pfn++) {
		uint8_t f = kp->f[pfn];

		if ((f & KPFS_RESERVED) && !(m->frames[pfn].flags & PF_HOLE))
			m->frames[pfn].flags |= PF_RESERVED;
		else if (!(f & KPFS_RESERVED))
			m->frames[pfn].flags &= (uint8_t)~PF_RESERVED;
	}
	for (pfn = 0; pfn < end;) {
		uint64_t e = pfn;

		if (!(kp->f[pfn] & KPFS_BUDDY)) {
			pfn++;
			continue;
		}
		while (e < end && (kp->f[e] & KPFS_BUDDY))
			e++;
		buddy_give_range(m, pfn, e, NULL);
		pfn = e;
	}
}

struct replay *replay_create(struct machine *m, const struct kpageflags *before,
    char **cause)
{
	struct replay *r;

	if (before != NULL && before->nr < m->max_pfn)
		kmsim_fail(cause, "kpageflags covers %llu frames but the machine"
		    " has %llu: using it where it reaches",
		    (unsigned long long)before->nr,
		    (unsigned long long)m->max_pfn);
	r = xcalloc(1, sizeof *r);
	r->m = m;
	if (before != NULL && before->nr > 0)
		replay_seed(m, before);
	return r;
}

void replay_destroy(struct replay *r)
{
	if (r == NULL)
		return;
	kpageflags_free(&r->kp_before);
	free(r);
}

/*
 * The trace_marker lines kmsim-record writes around its snapshots; the
 * manifest names them.  Replay starts where the first /proc/kpageflags
 * read began (the state it seeds from) and stops where the last began.
 * Older bundles bracket only the whole snapshot.
 */
static const char *manifest_marker(const struct bundle *b, const char *key,
    const char *fallback)
{
	const char *m = json_string_value(json_object_get(json_object_get(
	    bundle_manifest(b), "markers"), key));

	return m != NULL ? m : fallback;
}

struct replay *replay_open(struct ops_ctx *ctx, struct bundle *b,
    char **cause)
{
	struct kpageflags kp = { NULL, 0 };
	struct replay *r;
	char *warn = NULL;

	if (b != NULL && bundle_kpageflags(b, "before", &kp, cause) < 0)
		return NULL;
	r = replay_create(ctx->m, kp.nr ? &kp : NULL, &warn);
	free(warn);
	r->ctx = ctx;
	r->kp_before = kp;
	/* replay between the snapshots' markers when the bundle has them */
	r->window = 0;
	if (b != NULL && json_object_get(bundle_manifest(b), "markers") !=
	    NULL) {
		r->marker_start = manifest_marker(b, "before_kpageflags_begin",
		    manifest_marker(b, "before_begin", NULL));
		r->marker_stop = manifest_marker(b, "after_kpageflags_begin",
		    manifest_marker(b, "after_begin", NULL));
		r->marker_read_end[0] = manifest_marker(b, "before_end", NULL);
		r->marker_read_end[1] = manifest_marker(b, "after_end", NULL);
		if (r->marker_read_end[0] == NULL ||
		    r->marker_read_end[1] == NULL)
			r->marker_read_end[0] = r->marker_read_end[1] = NULL;
		if (r->marker_start != NULL && r->marker_stop != NULL)
			r->window = -1;
		else
			r->marker_start = NULL;
	}
	return r;
}

uint64_t replay_issue(struct replay *r, const struct op *op)
{
	struct ops_ctx *ctx = r->ctx;
	struct alloc_result res;

	if (op->type == OP_MARKER && op->text != NULL &&
	    r->marker_start != NULL) {
		if (r->window < 0 && strstr(op->text, r->marker_start) != NULL) {
			r->window = 0;
			r->in_read = true;
		} else if (r->window == 0 &&
		    strstr(op->text, r->marker_stop) != NULL) {
			r->window = 1;
			r->in_read = true;
		} else if (r->in_read && r->marker_read_end[0] != NULL &&
		    strstr(op->text, r->marker_read_end[r->window]) != NULL) {
			r->in_read = false;
		}
		return 0;
	}
	/* frames named while a snapshot is read: state the read may or
	 * may not have caught, compared apart */
	if (r->in_read && r->window >= 0)
		replay_mark_ambiguous(r, op);
	if (r->window != 0) {
		replay_count_outside(r);
		return 0;
	}
	replay_op(r, op, &res);
	if (res.cycles == 0)
		return 0;
	ctx->last_pfn = op->pfn;
	ctx->st->splits += res.splits;
	ctx->st->merges += res.merges;
	hist_record(&ctx->st->lat[op->type], res.cycles);
	return res.cycles;
}

void replay_finish(struct replay *r, struct bundle *b)
{
	struct kpageflags after = { NULL, 0 };
	struct procfs_zones zs = { NULL, 0 };
	char *cause = NULL;
	int have_after = 0;

	if (b != NULL) {
		have_after = bundle_kpageflags(b, "after", &after,
		    &cause) == 0;
		free(cause);
		cause = NULL;
		if (bundle_snapshot_dir(b, "after") != NULL &&
		    bundle_zones(b, "after", &zs, &cause) != 0) {
			procfs_zones_free(&zs);
			free(cause);
		}
	}
	replay_compare(r, r->kp_before.nr ? &r->kp_before : NULL,
	    have_after ? &after : NULL, &zs, &r->fidelity);
	r->have_fidelity = true;
	kpageflags_free(&after);
	procfs_zones_free(&zs);
}

const struct replay_fidelity *replay_fidelity(const struct replay *r)
{
	return r->have_fidelity ? &r->fidelity : NULL;
}

const struct replay_stats *replay_stats(const struct replay *r)
{
	return &r->st;
}

void replay_count_outside(struct replay *r)
{
	r->st.outside_window++;
}

void replay_mark_ambiguous(struct replay *r, const struct op *op)
{
	uint64_t q, end;

	if (op->pfn == OP_PFN_NONE || op->pfn >= r->m->max_pfn)
		return;
	end = KMSIM_MIN(op->pfn + (UINT64_C(1) << op->order), r->m->max_pfn);
	for (q = op->pfn; q < end; q++)
		r->m->frames[q].flags |= PF_AMBIGUOUS;
}

static void set_head(struct machine *m, uint64_t pfn, unsigned order,
    uint8_t flag)
{
	struct page_frame *f = pfn_to_frame(m, pfn);

	f->flags = (uint8_t)((f->flags & ~(PF_HEAD | PF_PCP | PF_BUDDY)) |
	    flag);
	f->order = (uint8_t)order;
}

/* The frames leave the buddy (if they are in it). */
static uint64_t take(struct replay *r, uint64_t pfn, unsigned order,
    struct alloc_result *res)
{
	return buddy_take_range(r->m, pfn, pfn + (UINT64_C(1) << order), res);
}

void replay_op(struct replay *r, const struct op *op, struct alloc_result *res)
{
	struct machine *m = r->m;
	uint64_t n = UINT64_C(1) << op->order, pfn = op->pfn, head;
	unsigned fo;

	memset(res, 0, sizeof *res);
	res->pfn = pfn;
	switch (op->type) {
	case OP_ALLOC_PAGES:
	case OP_FREE_PAGES:
	case OP_PAGE_ALLOC_ZONE_LOCKED:
	case OP_PAGE_PCPU_DRAIN:
		break;
	case OP_PAGE_FREE_BATCHED:
		r->st.batched_repeats++;
		return;
	default:
		r->st.ignored++;
		return;
	}
	if (op->type == OP_ALLOC_PAGES && (op->flags & OPF_FAILED)) {
		r->st.failed_allocs++;
		return;
	}
	if (pfn == OP_PFN_NONE || pfn + n > m->max_pfn ||
	    machine_pfn_zone(m, pfn) == NULL) {
		r->st.outside_zones++;
		return;
	}
	r->st.applied++;
	touch(m, pfn, op->order);
	res->zone = machine_pfn_zone(m, pfn);
	switch (op->type) {
	case OP_PAGE_ALLOC_ZONE_LOCKED:
		/* __rmqueue_smallest() and friends: off the buddy lists */
		res->cycles = m->cost.c[COST_ZONE_LOCK];
		r->st.taken_not_free += take(r, pfn, op->order, res);
		set_head(m, pfn, op->order,
		    (op->flags & OPF_PERCPU_REFILL) ? PF_PCP : PF_HEAD);
		break;
	case OP_ALLOC_PAGES:
		res->cycles = m->cost.c[COST_ALLOC_FAST];
		if (buddy_find_free(m, pfn, &head, &fo)) {
			/* no zone_locked before it: it did come from the
			 * buddy, untraced */
			r->st.alloc_from_buddy += n - take(r, pfn, op->order,
			    res);
		}
		set_head(m, pfn, op->order, PF_HEAD);
		break;
	case OP_FREE_PAGES:
		res->cycles = m->cost.c[COST_FREE_FAST];
		if (buddy_find_free(m, pfn, &head, &fo)) {
			/* allocated before the capture (or untraced): it was
			 * in use, make it so before freeing it */
			r->st.freed_while_free += n - take(r, pfn, op->order,
			    res);
		}
		if (pcp_allowed_order(m, op->order)) {
			/* free_frozen_pages(): onto this CPU's list */
			set_head(m, pfn, op->order, PF_PCP);
		} else {
			/* __free_pages_ok(): straight into the buddy */
			res->cycles += m->cost.c[COST_ZONE_LOCK];
			buddy_give_range(m, pfn, pfn + n, res);
		}
		break;
	case OP_PAGE_PCPU_DRAIN:
		/* free_pcppages_bulk(): back into the buddy */
		res->cycles = m->cost.c[COST_ZONE_LOCK];
		if (!(pfn_to_frame(m, pfn)->flags & PF_PCP))
			r->st.drained_not_pcp++;
		buddy_give_range(m, pfn, pfn + n, res);
		break;
	default:
		break;
	}
}

/* model_free[pfn]: is the frame in a free buddy block of the model? */
static uint8_t *model_free_map(const struct machine *m)
{
	uint8_t *map = xcalloc(m->max_pfn ? m->max_pfn : 1, 1);
	uint64_t pfn;

	for (pfn = 0; pfn < m->max_pfn;) {
		const struct page_frame *f = pfn_to_frame(m, pfn);

		if (f->flags & PF_BUDDY) {
			uint64_t e = KMSIM_MIN(pfn + (UINT64_C(1) << f->order),
			    m->max_pfn);

			memset(map + pfn, 1, e - pfn);
			pfn = e;
		} else {
			pfn++;
		}
	}
	return map;
}

void replay_compare(struct replay *r, const struct kpageflags *before,
    const struct kpageflags *after, const struct procfs_zones *after_zones,
    struct replay_fidelity *fid)
{
	const struct machine *m = r->m;
	uint64_t pfn, end;
	uint8_t *map;
	int i;

	memset(fid, 0, sizeof *fid);
	if (after != NULL && after->nr > 0) {
		fid->have = true;
		map = model_free_map(m);
		end = KMSIM_MIN(after->nr, m->max_pfn);
		for (pfn = 0; pfn < end; pfn++) {
			const struct page_frame *f = pfn_to_frame(m, pfn);
			bool real = after->f[pfn] & KPFS_BUDDY;
			bool agree = real == (map[pfn] != 0);
			bool changed;

			if ((f->flags & PF_HOLE) || (after->f[pfn] & KPFS_NOPAGE)
			    || machine_pfn_zone(m, pfn) == NULL)
				continue;
			fid->frames++;
			fid->agree += agree;
			if (f->flags & PF_AMBIGUOUS) {
				fid->ambiguous++;
				fid->ambiguous_agree += agree;
			} else if (f->flags & PF_TOUCHED) {
				fid->touched++;
				fid->touched_agree += agree;
			}
			changed = before != NULL && pfn < before->nr &&
			    ((before->f[pfn] ^ after->f[pfn]) & KPFS_BUDDY);
			if (changed) {
				fid->changed++;
				fid->changed_agree += agree;
				if (!(f->flags & (PF_TOUCHED | PF_AMBIGUOUS))) {
					fid->untraced++;
					fid->untraced_agree += agree;
				}
			}
		}
		free(map);
	}
	if (after_zones != NULL && after_zones->n > 0) {
		for (i = 0; i < m->nr_zones; i++) {
			const struct zone *z = m->zones[i];
			const struct procfs_zone *pz = NULL;
			int k;
			unsigned o;

			for (k = 0; k < after_zones->n; k++)
				if (after_zones->z[k].node == z->node &&
				    after_zones->z[k].type == (int)z->type)
					pz = &after_zones->z[k];
			if (pz == NULL || pz->nr_orders == 0)
				continue;
			fid->have_buddyinfo = true;
			for (o = 0; o <= m->max_order &&
			    o < (unsigned)pz->nr_orders; o++) {
				uint64_t a = z->free_area[o].nr_free;
				uint64_t b = pz->nr_free[o];

				fid->buddyinfo_diff += a > b ? a - b : b - a;
				fid->buddyinfo_total += b;
			}
		}
	}
}

static double pct(uint64_t a, uint64_t b)
{
	return b ? 100.0 * (double)a / (double)b : 0.0;
}

json_t *replay_json(const struct replay *r, const struct replay_fidelity *fid)
{
	const struct replay_stats *st = &r->st;
	json_t *o = json_object(), *d = json_object(), *f;

	json_object_set_new(o, "applied", json_integer((json_int_t)st->applied));
	json_object_set_new(o, "ignored", json_integer((json_int_t)st->ignored));
	json_object_set_new(o, "outside_window", json_integer(
	    (json_int_t)st->outside_window));
	json_object_set_new(o, "batched_repeats", json_integer(
	    (json_int_t)st->batched_repeats));
	json_object_set_new(o, "failed_allocs", json_integer(
	    (json_int_t)st->failed_allocs));
	json_object_set_new(d, "taken_not_free", json_integer(
	    (json_int_t)st->taken_not_free));
	json_object_set_new(d, "alloc_from_buddy", json_integer(
	    (json_int_t)st->alloc_from_buddy));
	json_object_set_new(d, "freed_while_free", json_integer(
	    (json_int_t)st->freed_while_free));
	json_object_set_new(d, "drained_not_pcp", json_integer(
	    (json_int_t)st->drained_not_pcp));
	json_object_set_new(d, "outside_zones", json_integer(
	    (json_int_t)st->outside_zones));
	json_object_set_new(o, "disagreements_frames", d);
	if (fid != NULL && fid->have) {
		f = json_object();
		json_object_set_new(f, "frames", json_integer(
		    (json_int_t)fid->frames));
		json_object_set_new(f, "all_pct", json_real(pct(fid->agree,
		    fid->frames)));
		json_object_set_new(f, "touched", json_integer(
		    (json_int_t)fid->touched));
		json_object_set_new(f, "touched_pct", json_real(pct(
		    fid->touched_agree, fid->touched)));
		json_object_set_new(f, "ambiguous", json_integer(
		    (json_int_t)fid->ambiguous));
		json_object_set_new(f, "ambiguous_pct", json_real(pct(
		    fid->ambiguous_agree, fid->ambiguous)));
		json_object_set_new(f, "changed", json_integer(
		    (json_int_t)fid->changed));
		json_object_set_new(f, "changed_pct", json_real(pct(
		    fid->changed_agree, fid->changed)));
		json_object_set_new(f, "untraced_changed", json_integer(
		    (json_int_t)fid->untraced));
		json_object_set_new(f, "traced_changed_pct", json_real(pct(
		    fid->changed_agree - fid->untraced_agree,
		    fid->changed - fid->untraced)));
		if (fid->have_buddyinfo) {
			json_object_set_new(f, "buddyinfo_diff", json_integer(
			    (json_int_t)fid->buddyinfo_diff));
			json_object_set_new(f, "buddyinfo_total", json_integer(
			    (json_int_t)fid->buddyinfo_total));
		}
		json_object_set_new(o, "fidelity", f);
	}
	return o;
}

/*
 * What simulate mode starts from with a capture: the kernel's free
 * frames in the buddy, and every other frame it had in use marked
 * PF_PREEXISTING, counted as allocated for the mobility its flags
 * suggest (on an LRU list: movable; anything else: unmovable).  A
 * pageblock holding any page off the LRU starts unmovable, the others
 * movable: on a 6.18 capture that gives 547 unmovable blocks where the
 * kernel's pagetypeinfo had 441 unmovable and 80 reclaimable (kpageflags
 * cannot tell reclaimable slab from unmovable).
 */
void simulate_seed(struct machine *m, const struct kpageflags *kp)
{
	uint64_t end = KMSIM_MIN(kp->nr, m->max_pfn), pb, nr_pb, pfn;
	uint64_t per = UINT64_C(1) << m->pageblock_order;

	replay_seed(m, kp);
	nr_pb = (end + per - 1) / per;
	for (pb = 0; pb < nr_pb; pb++) {
		uint64_t unmovable = 0, start = pb * per;
		uint64_t stop = KMSIM_MIN(start + per, end);

		for (pfn = start; pfn < stop; pfn++) {
			uint8_t f = kp->f[pfn];

			if (f & (KPFS_BUDDY | KPFS_NOPAGE | KPFS_RESERVED |
			    KPFS_ZERO) || (m->frames[pfn].flags &
			    (PF_HOLE | PF_RESERVED | PF_BUDDY)))
				continue;
			if (!(f & KPFS_LRU))
				unmovable++;
		}
		if (machine_pfn_zone(m, start) != NULL && !m->mobility_disabled)
			set_pageblock_migratetype(m, start,
			    unmovable > 0 ? MIGRATE_UNMOVABLE :
			    MIGRATE_MOVABLE);
	}
	/* the free blocks follow their pageblocks' new types */
	buddy_reset(m);
	replay_seed(m, kp);
	for (pfn = 0; pfn < end; pfn++) {
		struct page_frame *fr = &m->frames[pfn];
		uint8_t f = kp->f[pfn];
		int mt;

		if (fr->flags & (PF_HOLE | PF_RESERVED | PF_BUDDY) ||
		    (f & (KPFS_BUDDY | KPFS_NOPAGE | KPFS_RESERVED)))
			continue;
		mt = (f & KPFS_LRU) ? MIGRATE_MOVABLE : MIGRATE_UNMOVABLE;
		fr->flags |= PF_PREEXISTING;
		fr->alloc_mt = fr->migratetype = (uint8_t)mt;
		pageblock_account(m, pfn, 0, mt, +1);
	}
}
