/*
 * results.c - the results table (results.h): what a run's figures are
 * called in the database and in the summary, listed once, and the two
 * writers that walk it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmsim.h"
#include "machine.h"
#include "mm/gfp.h"
#include "mm/pagecache.h"
#include "mm/percpu.h"
#include "mm/slab.h"
#include "results/db.h"
#include "results/results.h"
#include "trace/trace.h"

void results_init(struct results *r)
{
	memset(r, 0, sizeof *r);
}

void results_fini(struct results *r)
{
	size_t i;

	for (i = 0; i < r->nr_figs; i++) {
		struct result *f = &r->figs[i];

		free(f->db);
		free(f->json);
		if (f->kind == RESULT_STR)
			free(f->v.str);
		else if (f->kind == RESULT_JSON)
			json_decref(f->v.j);
	}
	free(r->figs);
	for (i = 0; i < r->nr_hists; i++)
		free(r->hists[i].name);
	free(r->hists);
	results_init(r);
}

static struct result *results_add(struct results *r, const char *db,
    const char *json, enum result_kind kind)
{
	struct result *f;

	if (r->nr_figs == r->figs_cap) {
		r->figs_cap = r->figs_cap ? 2 * r->figs_cap : 64;
		r->figs = xreallocarray(r->figs, r->figs_cap, sizeof *r->figs);
	}
	f = &r->figs[r->nr_figs++];
	memset(f, 0, sizeof *f);
	f->db = db != NULL ? xstrdup(db) : NULL;
	f->json = json != NULL ? xstrdup(json) : NULL;
	f->kind = kind;
	return f;
}

void results_u64(struct results *r, const char *db, const char *json,
    uint64_t v)
{
	results_add(r, db, json, RESULT_U64)->v.u = v;
}

void results_i64(struct results *r, const char *db, const char *json,
    int64_t v)
{
	results_add(r, db, json, RESULT_I64)->v.i = v;
}

void results_real(struct results *r, const char *db, const char *json,
    double v)
{
	results_add(r, db, json, RESULT_REAL)->v.r = v;
}

void results_str(struct results *r, const char *json, const char *v)
{
	if (v == NULL)
		return;
	results_add(r, NULL, json, RESULT_STR)->v.str = xstrdup(v);
}

void results_json_value(struct results *r, const char *json, json_t *v)
{
	results_add(r, NULL, json, RESULT_JSON)->v.j = v;
}

/* A counter only when not 0 (the bad ops skipped, the capture quirks). */
static void results_u64_nonzero(struct results *r, const char *db,
    const char *json, uint64_t v)
{
	results_add(r, db, json, RESULT_U64)->v.u = v;
	r->figs[r->nr_figs - 1].flags |= RESULT_DB_NONZERO;
}

void results_tree(struct results *r, const char *db_prefix,
    const char *json_prefix, json_t *o)
{
	const char *key;
	json_t *v;
	char db[256], json[256];

	json_object_foreach(o, key, v) {
		snprintf(db, sizeof db, "%s.%s", db_prefix, key);
		snprintf(json, sizeof json, "%s.%s", json_prefix, key);
		if (json_is_object(v))
			results_tree(r, db, json, v);
		else if (json_is_integer(v))
			results_i64(r, db, json, json_integer_value(v));
		else if (json_is_real(v))
			results_real(r, db, json, json_real_value(v));
		else
			results_json_value(r, json, json_incref(v));
	}
}

void results_hist(struct results *r, const char *name, const struct hist *h,
    bool db_empty)
{
	struct result_hist *rh;

	if (r->nr_hists == r->hists_cap) {
		r->hists_cap = r->hists_cap ? 2 * r->hists_cap : 32;
		r->hists = xreallocarray(r->hists, r->hists_cap,
		    sizeof *r->hists);
	}
	rh = &r->hists[r->nr_hists++];
	rh->name = xstrdup(name);
	rh->h = h;
	rh->db_empty = db_empty;
}

/* The trace reader's own counts. */
static json_t *results_trace_stats(const struct trace_stats *st)
{
	json_t *o;

	if (st == NULL)
		return NULL;
	o = json_object();
	json_object_set_new(o, "lines", json_integer((json_int_t)st->lines));
	json_object_set_new(o, "events", json_integer((json_int_t)st->events));
	json_object_set_new(o, "unknown_events", json_integer(
	    (json_int_t)st->unknown_events));
	json_object_set_new(o, "malformed", json_integer(
	    (json_int_t)st->malformed));
	json_object_set_new(o, "lost_events", json_integer(
	    (json_int_t)st->lost_events));
	json_object_set_new(o, "lost_markers", json_integer(
	    (json_int_t)st->lost_markers));
	json_object_set_new(o, "duplicate_frees", json_integer(
	    (json_int_t)st->duplicate_frees));
	json_object_set_new(o, "entries_in_buffer", json_integer(
	    (json_int_t)st->entries_in_buffer));
	json_object_set_new(o, "entries_written", json_integer(
	    (json_int_t)st->entries_written));
	json_object_set_new(o, "overwritten", json_integer((json_int_t)
	    (st->entries_written > st->entries_in_buffer ?
	    st->entries_written - st->entries_in_buffer : 0)));
	return o;
}

/* The slab and percpu allocators' state and counters at the end. */
static json_t *results_kmem(const struct results_src *src)
{
	const struct run_stats *st = src->st;
	const struct snapshot *snap = src->last;
	json_t *o = json_object(), *caches = json_array();
	struct percpu_stats ps;
	uint64_t objs = 0, pages = 0, req = 0, alloc = 0;
	size_t i;

	for (i = 0; i < snap->nr_slabs; i++) {
		const struct snapshot_slab *c = &snap->slabs[i];
		const struct slab_info *in = &c->info;

		objs += in->inuse_objs;
		pages += in->num_slabs * in->pagesperslab;
		req += c->bytes_requested;
		alloc += c->bytes_allocated;
		if (in->num_slabs == 0)
			continue;
		json_array_append_new(caches, json_pack("{s:s, s:I, s:I, s:i,"
		    " s:i, s:i, s:I, s:I}", "name", c->name,
		    "active_objs", (json_int_t)in->active_objs,
		    "num_objs", (json_int_t)in->num_objs,
		    "objsize", (int)in->objsize, "objperslab",
		    (int)in->objperslab, "pagesperslab", (int)in->pagesperslab,
		    "active_slabs", (json_int_t)in->active_slabs,
		    "num_slabs", (json_int_t)in->num_slabs));
	}
	json_object_set_new(o, "caches", caches);
	json_object_set_new(o, "objects", json_integer((json_int_t)objs));
	json_object_set_new(o, "slab_pages", json_integer((json_int_t)pages));
	json_object_set_new(o, "bytes_requested", json_integer(
	    (json_int_t)req));
	json_object_set_new(o, "bytes_allocated", json_integer(
	    (json_int_t)alloc));
	json_object_set_new(o, "caches_created", json_integer(
	    (json_int_t)st->kmem_caches_created));
	json_object_set_new(o, "failed", json_integer(
	    (json_int_t)st->kmem_failed));
	json_object_set_new(o, "frees_before_capture", json_integer(
	    (json_int_t)st->kmem_unknown_free));
	json_object_set_new(o, "kfree_null", json_integer(
	    (json_int_t)st->kmem_free_null));
	json_object_set_new(o, "reclaimed_pages", json_integer(
	    (json_int_t)st->slab_reclaimed));
	/* /proc/meminfo's SReclaimable and SUnreclaim, in pages */
	json_object_set_new(o, "reclaimable_pages", json_integer(
	    (json_int_t)src->slab->nr_slab_reclaimable));
	json_object_set_new(o, "unreclaimable_pages", json_integer(
	    (json_int_t)src->slab->nr_slab_unreclaimable));
	json_object_set_new(o, "shadow", json_integer(src->shadow));
	percpu_get_stats(src->pcpu, &ps);
	json_object_set_new(o, "percpu", json_pack("{s:I, s:I, s:I, s:I}",
	    "chunks", (json_int_t)ps.nr_chunks, "populated_pages",
	    (json_int_t)ps.populated_pages, "allocations",
	    (json_int_t)ps.nr_cur_alloc, "bytes_in_use",
	    (json_int_t)ps.bytes_in_use));
	if (src->slab_fidelity != NULL)
		json_object_set(o, "fidelity", src->slab_fidelity);
	return o;
}

/* The zones at the end: free blocks per order, the fragmentation
 * indices of the last snapshot, pageblocks per migratetype. */
static json_t *results_zones(const struct snapshot *snap)
{
	json_t *zones = json_array();
	int i;

	for (i = 0; i < snap->nr_zones; i++) {
		const struct snapshot_zone *z = &snap->zones[i];
		json_t *zj = json_object(), *unusable = json_array();
		json_t *extfrag = json_array(), *nr_free = json_array();
		json_t *pb = json_object(), *mx = json_object();
		unsigned o;
		int mt;

		for (o = 0; o < snap->nr_orders; o++) {
			json_array_append_new(nr_free, json_integer(
			    (json_int_t)z->nr_free[o]));
			json_array_append_new(unusable, json_real(
			    z->unusable[o] / 1000.0));
			json_array_append_new(extfrag, json_real(
			    z->extfrag[o] / 1000.0));
		}
		json_object_set_new(zj, "node", json_integer(z->node));
		json_object_set_new(zj, "zone", json_string(
		    zone_names[z->type]));
		json_object_set_new(zj, "free_pages", json_integer(
		    (json_int_t)z->free_pages));
		json_object_set_new(zj, "managed_pages", json_integer(
		    (json_int_t)z->managed_pages));
		json_object_set_new(zj, "nr_free", nr_free);
		for (mt = 0; mt < MIGRATE_TYPES; mt++) {
			json_object_set_new(pb, migratetype_names[mt],
			    json_integer((json_int_t)z->pageblocks[mt]));
			json_object_set_new(mx, migratetype_names[mt],
			    json_integer((json_int_t)
			    z->mixed_pageblocks[mt]));
		}
		json_object_set_new(zj, "pageblocks", pb);
		json_object_set_new(zj, "mixed_pageblocks", mx);
		json_object_set_new(zj, "pcp_pages", json_integer(
		    (json_int_t)z->pcp_pages));
		json_object_set_new(zj, "watermark_boost", json_integer(
		    (json_int_t)z->watermark_boost));
		json_object_set_new(zj, "unusable_index", unusable);
		json_object_set_new(zj, "extfrag_index", extfrag);
		json_array_append_new(zones, zj);
	}
	return zones;
}

void results_collect(struct results *r, const struct results_src *src)
{
	const struct run_stats *st = src->st;
	const struct machine *m = src->m;
	const struct snapshot *snap = src->last;
	char db[256], json[256];
	json_t *j;
	size_t i;
	int t;

	r->cpu_mhz = m->cpu_mhz;
	r->failures = st->failures;
	r->nr_failures = st->nr_failure_kinds;
	r->nr_nodes = m->nr_nodes;
	r->node_allocs = m->node_allocs;

	for (t = 0; t < src->nr_op_types; t++) {
		snprintf(db, sizeof db, "ops.%s", src->op_names[t]);
		results_u64(r, db, db, st->op_count[t]);
	}
	for (t = 0; t < RUN_SKIP_NR; t++) {
		snprintf(db, sizeof db, "lenient.%s", run_skip_names[t]);
		snprintf(json, sizeof json, "skipped.%s", run_skip_names[t]);
		results_u64_nonzero(r, db, src->lenient ? json : NULL,
		    st->skipped[t]);
	}
	for (t = 0; t < RUN_CAP_NR; t++) {
		snprintf(db, sizeof db, "capture.%s", run_capture_names[t]);
		results_u64_nonzero(r, db, src->captured ? db : NULL,
		    st->captured[t]);
	}
	if ((j = results_trace_stats(src->trace_stats)) != NULL) {
		results_tree(r, "trace", "trace_stats", j);
		json_decref(j);
	}
	if (src->replay != NULL)
		results_tree(r, "replay", "replay", src->replay);

	/* latencies: the op types' in the database once an op of the type
	 * ran, in the summary once one was timed */
	for (t = 0; t < src->nr_op_types; t++)
		if (st->op_count[t] > 0)
			results_hist(r, src->op_names[t], &st->lat[t], true);
	results_hist(r, "alloc_pages_failed", &st->lat_failed, false);
	results_hist(r, "alloc_pages_stall", &st->lat_stall, false);
	for (t = 0; t < RUN_SLAB_PATHS; t++)
		results_hist(r, run_slab_path_names[t], &st->lat_slab[t],
		    false);
	if (src->pc != NULL) {
		const struct pc_writer *w;
		json_t *wa = json_array();
		int nw;

		for (t = 0; t < PC_LAT_NR; t++) {
			snprintf(db, sizeof db, "pagecache_%s",
			    pc_hist_names[t]);
			results_hist(r, db, pagecache_hist(src->pc,
			    (enum pc_hist)t), false);
		}
		w = pagecache_writers(src->pc, &nw);
		for (t = 0; t < nw; t++) {
			if (w[t].pages_dirtied == 0)
				continue;
			snprintf(db, sizeof db, "writer.cpu%d.pages_dirtied",
			    t);
			results_u64(r, db, NULL, w[t].pages_dirtied);
			snprintf(db, sizeof db, "writer.cpu%d.pauses", t);
			results_u64(r, db, NULL, w[t].pauses);
			snprintf(db, sizeof db, "writer.cpu%d.pause_ns", t);
			results_u64(r, db, NULL, w[t].pause_ns);
			json_array_append_new(wa, json_pack(
			    "{s:i, s:I, s:I, s:I}", "cpu", t,
			    "pages_dirtied", (json_int_t)w[t].pages_dirtied,
			    "pauses", (json_int_t)w[t].pauses,
			    "pause_ns", (json_int_t)w[t].pause_ns));
		}
		results_json_value(r, "writers", wa);
	}

	for (t = 0; t < NR_VM_EVENT_ITEMS; t++) {
		snprintf(db, sizeof db, "vmstat.%s", vm_event_names[t]);
		results_u64(r, db, db, snap->vm_events[t]);
	}
	for (t = 0; t < m->nr_nodes; t++) {
		snprintf(db, sizeof db, "node%d.reclaim_shortfall", t);
		results_u64(r, db, NULL, m->nodes[t].reclaim_shortfall);
	}
	if (src->slab != NULL) {
		j = results_kmem(src);
		results_tree(r, "slab", "slab", j);
		json_decref(j);
	}
	for (t = 0; t < snap->nr_values; t++) {
		const char *sect = t < snap->nr_vm_values ? "vm" :
		    "pagecache";

		snprintf(db, sizeof db, "%s.%s", sect, snap->value_names[t]);
		results_u64(r, db, db, snap->values[t]);
	}
	results_u64(r, NULL, "vm.shootdown_cycles", st->shootdown_cycles);
	if (src->pagecache_fidelity != NULL)
		results_tree(r, "pagecache.fidelity", "pagecache.fidelity",
		    src->pagecache_fidelity);
	{
		json_t *numa = json_array();
		int a, b;

		for (a = 0; a < m->nr_nodes; a++) {
			json_t *row = json_array();

			for (b = 0; b < m->nr_nodes; b++)
				json_array_append_new(row, json_integer(
				    (json_int_t)m->node_allocs[(uint64_t)a *
				    (uint64_t)m->nr_nodes + (uint64_t)b]));
			json_array_append_new(numa, row);
		}
		results_json_value(r, "node_allocs", numa);
	}

	results_u64(r, "alloc.stalls", NULL, st->lat_stall.count);
	results_u64(r, "alloc.stall_cycles", NULL, st->stall_cycles);
	results_u64(r, "alloc.direct_compactions", NULL, st->nr_compacted);
	results_u64(r, "alloc.direct_reclaims", NULL, st->nr_reclaimed);
	results_u64(r, "alloc.frees_of_failed", "failures.frees_of_failed",
	    st->frees_of_failed);
	results_u64(r, "capture.preexisting_freed", src->captured ?
	    "capture.preexisting_freed" : NULL, st->preexisting_freed);
	results_u64(r, "kswapd.cycles", NULL, m->kswapd_cycles);
	results_u64(r, "kcompactd.cycles", NULL, m->kcompactd_cycles);
	results_u64(r, "alloc.failures", "failures.total", st->nr_failures);
	results_u64(r, "alloc.fallbacks", "fallbacks", st->fallbacks);
	results_u64(r, "alloc.remote", "remote_allocations",
	    st->remote_allocs);
	results_u64(r, "buddy.splits", NULL, st->splits);
	results_u64(r, "buddy.merges", NULL, st->merges);
	results_u64(r, "live_allocations", "live_allocations",
	    src->live_allocations);
	results_u64(r, "seed", NULL, src->seed);
	results_json_value(r, "zones", results_zones(snap));
	{
		json_t *byk = json_array();
		char buf[512];

		for (i = 0; i < st->nr_failure_kinds; i++) {
			const struct run_failure *f = &st->failures[i];

			json_array_append_new(byk, json_pack(
			    "{s:i, s:s, s:i, s:I}", "order", (int)f->order,
			    "gfp", gfp_format(f->gfp, buf, sizeof buf),
			    "node", f->node, "count", (json_int_t)f->count));
		}
		results_json_value(r, "failures.by_kind", byk);
	}
}

int results_write_db(const struct results *r, struct db *db, int64_t run_id,
    char **cause)
{
	char buf[512];
	size_t i;

	for (i = 0; i < r->nr_hists; i++) {
		const struct result_hist *rh = &r->hists[i];

		if (rh->h->count == 0 && !rh->db_empty)
			continue;
		if (db_write_latency(db, run_id, rh->name, rh->h, r->cpu_mhz,
		    cause) != 0)
			return -1;
	}
	for (i = 0; i < r->nr_failures; i++) {
		const struct run_failure *f = &r->failures[i];

		if (db_write_failure(db, run_id, f->order,
		    gfp_format(f->gfp, buf, sizeof buf), f->node, f->count,
		    cause) != 0)
			return -1;
	}
	for (i = 0; i < r->nr_figs; i++) {
		const struct result *f = &r->figs[i];
		double v;

		if (f->db == NULL)
			continue;
		switch (f->kind) {
		case RESULT_U64:
			if ((f->flags & RESULT_DB_NONZERO) && f->v.u == 0)
				continue;
			v = (double)f->v.u;
			break;
		case RESULT_I64:
			v = (double)f->v.i;
			break;
		case RESULT_REAL:
			v = f->v.r;
			break;
		default:
			continue;
		}
		if (db_write_counter(db, run_id, f->db, v, cause) != 0)
			return -1;
	}
	if (r->nr_nodes > 0 && db_write_numa(db, run_id, r->nr_nodes,
	    r->node_allocs, cause) != 0)
		return -1;
	return 0;
}

/* One histogram's percentiles, in cycles and in ns. */
static json_t *results_latency(const struct hist *h, unsigned cpu_mhz)
{
	static const struct {
		const char *name;
		double p;
	} pct[] = { { "p50", 50 }, { "p90", 90 }, { "p99", 99 },
		    { "p99.9", 99.9 } };
	json_t *o = json_object(), *ns = json_object();
	size_t i;

	json_object_set_new(o, "count", json_integer((json_int_t)h->count));
	json_object_set_new(o, "mean", json_real(hist_mean(h)));
	for (i = 0; i < ARRAY_SIZE(pct); i++) {
		uint64_t v = hist_percentile(h, pct[i].p);

		json_object_set_new(o, pct[i].name, json_integer((json_int_t)v));
		json_object_set_new(ns, pct[i].name, json_real(
		    (double)v * 1000.0 / cpu_mhz));
	}
	json_object_set_new(o, "max", json_integer((json_int_t)h->max));
	json_object_set_new(ns, "mean", json_real(hist_mean(h) * 1000.0 /
	    cpu_mhz));
	json_object_set_new(ns, "max", json_real((double)h->max * 1000.0 /
	    cpu_mhz));
	json_object_set_new(o, "unit", json_string("cycles"));
	json_object_set_new(o, "ns", ns);
	return o;
}

/* Set path (dotted) in root to v (taking the reference). */
static void results_json_set(json_t *root, const char *path, json_t *v)
{
	char buf[256], *p, *dot;
	json_t *o = root, *next;

	snprintf(buf, sizeof buf, "%s", path);
	for (p = buf; (dot = strchr(p, '.')) != NULL; p = dot + 1) {
		*dot = '\0';
		next = json_object_get(o, p);
		if (!json_is_object(next)) {
			next = json_object();
			json_object_set_new(o, p, next);
		}
		o = next;
	}
	json_object_set_new(o, p, v);
}

json_t *results_json(const struct results *const *parts, int nr_parts)
{
	json_t *root = json_object(), *lat = json_object(), *v;
	int k;
	size_t i;

	for (k = 0; k < nr_parts; k++) {
		const struct results *r = parts[k];

		for (i = 0; i < r->nr_figs; i++) {
			const struct result *f = &r->figs[i];

			if (f->json == NULL)
				continue;
			switch (f->kind) {
			case RESULT_U64:
				v = json_integer((json_int_t)f->v.u);
				break;
			case RESULT_I64:
				v = json_integer((json_int_t)f->v.i);
				break;
			case RESULT_REAL:
				v = json_real(f->v.r);
				break;
			case RESULT_STR:
				v = json_string(f->v.str);
				break;
			default:
				v = json_incref(f->v.j);
				break;
			}
			results_json_set(root, f->json, v);
		}
		for (i = 0; i < r->nr_hists; i++) {
			const struct result_hist *rh = &r->hists[i];

			if (rh->h->count > 0)
				json_object_set_new(lat, rh->name,
				    results_latency(rh->h, r->cpu_mhz));
		}
	}
	json_object_set_new(root, "latency", lat);
	return root;
}
