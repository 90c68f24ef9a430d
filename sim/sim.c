/*
 * sim.c - one simulation run.  The trace is read one op at a time: a
 * single "trace cursor" event sits in the event queue at the time of the
 * next op, beside the engines' own events (metric snapshots, kswapd,
 * kcompactd, the flusher, I/O completions), so memory does not grow with
 * the trace.  Each op goes to the adapter of its family (ops/): the loop
 * knows nothing of what an op does.
 *
 * Time: an op with a timestamp is issued at that time (relative to the
 * first timestamp of the trace); an op without one is issued when the
 * previous op completed, as a single back-to-back stream.
 */
#include "kmsim_config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "mm/buddy.h"
#include "evq.h"
#include "results/metrics.h"
#include "results/stats.h"
#include "mm/highmem.h"
#include "mm/percpu.h"
#include "mm/tlb.h"
#include "mm/vmalloc.h"
#include "ops/op_kmem.h"
#include "ops/op_pages.h"
#include "ops/op_vm.h"
#include "ops/ops.h"
#include "ops/replay.h"
#include "sim.h"
#include "mm/pagecache.h"
#include "mm/slab.h"

volatile sig_atomic_t sim_interrupted;

const char *const sim_mode_names[] = { "simulate", "replay" };

struct sim {
	const struct config *cfg;
	struct sim_options opt;
	struct machine *m;
	struct evq q;
	struct run_stats st;		/* what the run counted */

	/* the op adapters and what they share: the engines, the run's
	 * first error */
	struct ops_ctx ops;
	struct op_pages *pages;
	struct op_kmem *kmem;		/* simulate mode */
	struct op_vm *vm_ops;		/* simulate mode */
	struct replay *replay;		/* replay mode */

	/* the run in progress */
	struct trace_source *ts;
	struct db *db;
	int64_t run_id;
	struct evq_event cursor;	/* fires at the next op's time */
	struct evq_event snapshot;
	struct evq_event dump;		/* --dump-at: follows the cursor */
	int next_dump;			/* index in opt.dump_at_ns */
	struct op op;			/* the op the cursor will issue */
	bool trace_done;
	uint64_t first_ts;		/* ns of the first timestamped op */
	uint64_t next_free_time;	/* cycles: previous op completed */
	uint64_t end_time;		/* cycles: last op completed */
	uint64_t ops_since_snapshot;
	uint64_t snapshot_cycles;
	const char *status;
	double wall_start, wall_seconds;
	double progress_last;
	char trace_sha256[65];
};

/* The vmalloc, TLB and highmem figures (see vm_values()). */
#define SIM_VM_VALUES 128
static int vm_values(const struct sim *s, const char **names, uint64_t *v);

static double wall_now(void)
{
	struct timespec tv;

	clock_gettime(CLOCK_MONOTONIC, &tv);
	return (double)tv.tv_sec + (double)tv.tv_nsec / 1e9;
}

struct sim *sim_create(const struct config *cfg, const struct sim_options *opt,
    char **cause)
{
	struct sim *s;

	s = xcalloc(1, sizeof *s);
	s->cfg = cfg;
	s->opt = *opt;
	s->m = machine_create(cfg, cause);
	if (s->m == NULL) {
		free(s);
		return NULL;
	}
	evq_init(&s->q);
	run_stats_init(&s->st);
	ops_init(&s->ops, s->m, cfg, &s->st, opt->lenient);
	s->pages = op_pages_create(&s->ops);
	s->snapshot_cycles = machine_ns_to_cycles(s->m,
	    cfg->snapshot_interval_ns);
	if (s->snapshot_cycles == 0)
		s->snapshot_cycles = 1;
	s->first_ts = OP_TS_NONE;
	s->status = "running";
	if (opt->mode == SIM_REPLAY) {
		s->replay = replay_open(&s->ops, opt->bundle, cause);
		if (s->replay == NULL) {
			sim_destroy(s);
			return NULL;
		}
	} else if (opt->bundle != NULL && opt->seeded &&
	    bundle_snapshot_dir(opt->bundle, "before") != NULL) {
		/* simulate from the state the capture began in */
		if (op_pages_seed(s->pages, opt->bundle, cause) < 0) {
			sim_destroy(s);
			return NULL;
		}
	}
#ifdef KMSIM_DEBUG
	s->opt.check = true;	/* --enable-debug checks every op */
#endif
	return s;
}

void sim_destroy(struct sim *s)
{
	if (s == NULL)
		return;
	/* the engines before the queue: the I/O still queued is the page
	 * cache's */
	op_vm_destroy(s->vm_ops);
	op_kmem_destroy(s->kmem);
	op_pages_destroy(s->pages);
	replay_destroy(s->replay);
	ops_fini(&s->ops);
	evq_fini(&s->q);
	machine_destroy(s->m);
	run_stats_fini(&s->st);
	free(s->ops.cause);
	free(s);
}

struct machine *sim_machine(struct sim *s)
{
	return s->m;
}

/* Stop the run with an error (the first one wins). */
static void sim_fail(struct sim *s, char *cause)
{
	ops_fail(&s->ops, cause);
}

/* Issue one op in simulate mode, by its family; its latency in cycles. */
static uint64_t sim_issue(struct sim *s, const struct op *op)
{
	char *msg = NULL;
	int cpu;

	if (!ops_cpu(&s->ops, op, &cpu))
		return 0;
	switch (op->type) {
	case OP_ALLOC_PAGES:
	case OP_FREE_PAGES:
	case OP_PAGE_FREE_BATCHED:
	case OP_PAGE_ALLOC_ZONE_LOCKED:
	case OP_PAGE_PCPU_DRAIN:
		return op_pages_issue(s->pages, op, cpu);
	case OP_KMEM_CACHE_CREATE:
	case OP_KMEM_CACHE_DESTROY:
	case OP_KMEM_CACHE_ALLOC:
	case OP_KMEM_CACHE_FREE:
	case OP_KMALLOC:
	case OP_KFREE:
	case OP_KREALLOC:
	case OP_PERCPU_ALLOC:
	case OP_PERCPU_FREE:
		return op_kmem_issue(s->kmem, op, cpu);
	case OP_VMAP_ALLOC:
	case OP_VMAP_FREE:
	case OP_VMAP_PURGE:
	case OP_VMALLOC:
	case OP_VFREE:
	case OP_FORK:
	case OP_EXIT:
	case OP_ACCESS:
	case OP_KMAP:
	case OP_KUNMAP:
		return op_vm_issue(s->vm_ops, op, cpu);
	default:
		break;
	}
	/* the file ops and a capture's filemap and writeback events */
	if (pagecache_op_type(op->type) && s->ops.pc != NULL) {
		uint64_t cycles = 0;

		if (pagecache_op(s->ops.pc, op, cpu, &cycles, &msg) != 0) {
			ops_bad(&s->ops, op, RUN_SKIP_BAD_REQUEST, msg);
			return 0;
		}
		if (!s->ops.captured)
			hist_record(&s->st.lat[op->type], cycles);
		return cycles;
	}
	/* the rest (compaction, vmscan, markers): counted only */
	return 0;
}

/* Cycles at which op should be issued. */
static uint64_t op_time(struct sim *s, const struct op *op)
{
	if (op->ts_ns == OP_TS_NONE)
		return s->next_free_time;
	if (s->first_ts == OP_TS_NONE)
		s->first_ts = op->ts_ns;
	if (op->ts_ns < s->first_ts)
		return 0;
	return machine_ns_to_cycles(s->m, op->ts_ns - s->first_ts);
}

/* The vm figures into the latest snapshot's vmstat rows. */
static int write_vm_values(struct sim *s, char **cause)
{
	const char *names[SIM_VM_VALUES];
	uint64_t v[SIM_VM_VALUES];
	int n = vm_values(s, names, v);

	/* the page cache's figures are rows of the same table */
	if (s->ops.pc != NULL)
		n += pagecache_values(s->ops.pc, names + n, v + n,
		    SIM_VM_VALUES - n);
	return n > 0 ? db_write_values(s->db, s->run_id, names, v, n,
	    cause) : 0;
}

static void write_snapshot(struct sim *s, uint64_t now)
{
	char *cause = NULL;

	if (s->db == NULL) {
		s->st.nr_snapshots++;
		return;
	}
	if (db_write_snapshot(s->db, s->run_id, s->m, now,
	    machine_cycles_to_ns(s->m, now), &cause) != 0 ||
	    db_write_slabinfo(s->db, s->run_id, s->ops.slab, &cause) != 0 ||
	    write_vm_values(s, &cause) != 0 ||
	    db_txn_commit(s->db, &cause) != 0 ||
	    db_txn_begin(s->db, &cause) != 0) {
		sim_fail(s, cause);
		return;
	}
	s->st.nr_snapshots++;
}

static void on_snapshot(struct evq *q, struct evq_event *ev, void *arg)
{
	struct sim *s = arg;
	uint64_t next = q->now + s->snapshot_cycles;

	if (s->ops_since_snapshot > 0) {
		write_snapshot(s, q->now);
		s->ops_since_snapshot = 0;
	}
	/* Across a gap in the trace, jump to the interval the next op
	 * falls in rather than writing identical snapshots. */
	if (evq_pending(&s->cursor) && s->cursor.time > next)
		next += (s->cursor.time - next) / s->snapshot_cycles *
		    s->snapshot_cycles;
	if (!s->trace_done)
		evq_push(q, ev, next);
}

/*
 * --dump-at: the machine as /proc prints it at each time asked for, after
 * every op issued before that time and before any issued at it or later
 * (so 0 is the machine as booted).  The event waits behind the pending
 * op, never past it: after the last op it must not be what moves the
 * clock.  The times left when the trace ends are sim_dump_end()'s.
 */
static void sim_dump(struct sim *s, uint64_t ns, bool end)
{
	unsigned k = s->opt.dump_kinds;

	/* one dump alone is the kernel's file as it is */
	dump_write(s->m, s->ops.slab, s->ops.vm, k, s->opt.nr_dump_at > 0 ||
	    (k & (k - 1)) != 0, ns, end,
	    s->opt.dump_file != NULL ? s->opt.dump_file : stdout);
}

static void on_dump(struct evq *q, struct evq_event *ev, void *arg)
{
	struct sim *s = arg;
	uint64_t ns;

	for (; s->next_dump < s->opt.nr_dump_at; s->next_dump++) {
		ns = s->opt.dump_at_ns[s->next_dump];
		if (!evq_pending(&s->cursor))
			return;		/* the trace is over */
		if (s->cursor.time < machine_ns_to_cycles(s->m, ns)) {
			/* right after the pending op, which was queued
			 * first and so runs first at an equal time */
			evq_push(q, ev, s->cursor.time);
			return;
		}
		sim_dump(s, ns, false);
	}
}

static void sim_dump_start(struct sim *s)
{
	evq_event_init(&s->dump, on_dump, s);
	s->next_dump = 0;
	/* queued before the first op, so that it sees the boot state */
	if (s->opt.dump_kinds != 0 && s->opt.nr_dump_at > 0)
		evq_push(&s->q, &s->dump, 0);
}

/* The times reached after the last op, then the state at the end. */
static void sim_dump_end(struct sim *s)
{
	uint64_t ns, first = 0;
	int left = 0;

	if (s->opt.dump_kinds == 0 || s->ops.error != 0)
		return;
	evq_cancel(&s->q, &s->dump);
	for (; s->next_dump < s->opt.nr_dump_at; s->next_dump++) {
		ns = s->opt.dump_at_ns[s->next_dump];
		if (s->trace_done &&
		    machine_ns_to_cycles(s->m, ns) <= s->q.now)
			sim_dump(s, ns, false);
		else if (left++ == 0)
			first = ns;
	}
	if (left > 0)
		fprintf(stderr, "%s: --dump-at: %d time%s from %" PRIu64 " ns"
		    " on not dumped: %s %" PRIu64 " ns\n", KMSIM_NAME, left,
		    left == 1 ? "" : "s", first, s->trace_done ?
		    "the run ended at" : "the run was interrupted at",
		    machine_cycles_to_ns(s->m, s->q.now));
	sim_dump(s, machine_cycles_to_ns(s->m, s->q.now), true);
}

static void progress(struct sim *s, bool last)
{
	double now = wall_now(), rate, pct = -1;

	if (!s->opt.progress || (!last && now - s->progress_last < 0.5))
		return;
	s->progress_last = now;
	rate = now > s->wall_start ? (double)s->st.events /
	    (now - s->wall_start) : 0;
	if (s->ts->bytes_total)
		pct = 100.0 * (double)s->ts->bytes_done /
		    (double)s->ts->bytes_total;
	fprintf(stderr, "\rkmsim: %" PRIu64 " ops, %.3f s simulated, %.2fM"
	    " ops/s", s->st.events,
	    (double)machine_cycles_to_ns(s->m, s->q.now) / 1e9, rate / 1e6);
	if (pct > 0 && !last) {
		double eta = (now - s->wall_start) * (100.0 - pct) / pct;

		fprintf(stderr, ", %.0f%% read, ETA %.0f s", pct, eta);
	}
	fprintf(stderr, last ? "\n" : "   ");
	fflush(stderr);
}

/* A counter of a bundle snapshot's vmstat ("which/vmstat"): 0 if found. */
static int bundle_vmstat(struct sim *s, const char *which, const char *name,
    int64_t *v)
{
	char member[64], *text, *cause = NULL, *p, *end;
	size_t len = strlen(name);
	int rc = -1;

	snprintf(member, sizeof member, "%s/vmstat", which);
	if (s->opt.bundle == NULL ||
	    !bundle_has_member(s->opt.bundle, member))
		return -1;
	text = bundle_member_text(s->opt.bundle, member, 1 << 20, &cause);
	free(cause);
	for (p = text; p != NULL && *p != '\0'; p = strchr(p, '\n') ?
	    strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, name, len) != 0 || p[len] != ' ')
			continue;
		errno = 0;
		*v = strtoll(p + len + 1, &end, 10);
		if (errno == 0 && end != p + len + 1)
			rc = 0;
		break;
	}
	free(text);
	return rc;
}

/*
 * The page cache of a captured run against the kernel's own counters
 * in a bundle's before/ and after/vmstat: the pages dirtied (nr_dirtied)
 * and the change of the pages cached (nr_file_pages), the kernel's
 * over the whole bundle, the model's over the trace's events.  NULL
 * without both snapshots.
 */
static json_t *pagecache_fidelity_json(struct sim *s)
{
	static const char *const names[] = { "nr_dirtied", "nr_file_pages" };
	const char *pn[SIM_VM_VALUES];
	uint64_t pv[SIM_VM_VALUES], dirtied = 0, added = 0, deleted = 0;
	int64_t b[2], a[2];
	int i, n;

	if (s->ops.pc == NULL || !s->ts->captured)
		return NULL;
	for (i = 0; i < 2; i++)
		if (bundle_vmstat(s, "before", names[i], &b[i]) != 0 ||
		    bundle_vmstat(s, "after", names[i], &a[i]) != 0)
			return NULL;
	n = pagecache_values(s->ops.pc, pn, pv, SIM_VM_VALUES);
	for (i = 0; i < n; i++) {
		if (strcmp(pn[i], "nr_dirtied") == 0)
			dirtied = pv[i];
		else if (strcmp(pn[i], "filemap_added_pages") == 0)
			added = pv[i];
		else if (strcmp(pn[i], "filemap_deleted_pages") == 0)
			deleted = pv[i];
	}
	return json_pack("{s:I, s:I, s:I, s:I}",
	    "dirtied_kernel", (json_int_t)(a[0] - b[0]),
	    "dirtied_model", (json_int_t)dirtied,
	    "file_pages_change_kernel", (json_int_t)(a[1] - b[1]),
	    "file_pages_change_model", (json_int_t)added - (json_int_t)deleted);
}

/*
 * vmalloc, TLB and highmem figures as name/value pairs, for the vmstat
 * table at every snapshot and the summary: fills up to max, returns
 * how many.
 */
static int vm_values(const struct sim *s, const char **names, uint64_t *v)
{
	static const char *const lv[TLB_NR_LEVELS] = { "l1", "l2" };
	static char tlb_names[TLB_NR_LEVELS * 2][TLB_NR_SIZES][32];
	int n = 0, l, z;

#define VAL(name, value) do { names[n] = (name); v[n++] = (value); } while (0)
	if (s->ops.vm != NULL) {
		struct vmalloc_stats st;

		vmalloc_get_stats(s->ops.vm, &st);
		VAL("vmalloc_used_bytes", st.used_bytes);
		VAL("vmalloc_mapped_pages", st.mapped_pages);
		VAL("vmalloc_free_areas", st.nr_free_areas);
		VAL("vmalloc_largest_free", st.largest_free);
		VAL("vmalloc_lazy_pages", st.lazy_pages);
		VAL("vmalloc_purges", st.nr_purges);
		VAL("vmalloc_failed", st.nr_failed);
		VAL("pagetable_pages", st.pt_pages_total);
	}
	if (s->ops.tlb != NULL) {
		struct tlb_stats ts;

		tlb_get_stats(s->ops.tlb, -1, &ts);
		VAL("tlb_accesses", ts.accesses);
		for (l = 0; l < TLB_NR_LEVELS; l++) {
			for (z = 0; z < TLB_NR_SIZES; z++) {
				snprintf(tlb_names[2 * l][z], 32, "tlb_%s_hits_%s",
				    lv[l], tlb_size_names[z]);
				snprintf(tlb_names[2 * l + 1][z], 32,
				    "tlb_%s_misses_%s", lv[l],
				    tlb_size_names[z]);
				VAL(tlb_names[2 * l][z], ts.hits[l][z]);
				VAL(tlb_names[2 * l + 1][z], ts.misses[l][z]);
			}
		}
		VAL("tlb_walks", ts.walks[TLB_4K] + ts.walks[TLB_2M] +
		    ts.walks[TLB_1G]);
		VAL("tlb_walk_cycles", ts.walk_cycles);
		VAL("tlb_shootdowns", ts.shootdowns);
		VAL("tlb_full_flushes", ts.full_flushes);
	}
	if (s->ops.hm != NULL) {
		struct highmem_stats hs;

		highmem_get_stats(s->ops.hm, &hs);
		VAL("kmap_slots_in_use", hs.slots_in_use);
		VAL("kmap_calls", hs.nr_kmap);
		VAL("kmap_flushes", hs.nr_flushes);
		VAL("kmap_waits", hs.nr_waits);
	}
#undef VAL
	return n;
}

/* The slab and percpu allocators' state and counters at the end. */
static json_t *kmem_json(struct sim *s)
{
	json_t *o = json_object(), *caches = json_array(), *fid;
	struct percpu_stats ps;
	uint64_t objs = 0, pages = 0, req = 0, alloc = 0;
	int i;

	if (s->ops.slab == NULL) {
		json_decref(caches);
		return o;
	}
	for (i = 0; i < s->ops.slab->nr_caches; i++) {
		const struct kmem_cache *c = s->ops.slab->caches[i];
		struct slab_info in;

		slab_get_info(s->ops.slab, c, &in);
		objs += in.inuse_objs;
		pages += in.num_slabs * in.pagesperslab;
		req += c->bytes_requested;
		alloc += c->bytes_allocated;
		if (in.num_slabs == 0)
			continue;
		json_array_append_new(caches, json_pack("{s:s, s:I, s:I, s:i,"
		    " s:i, s:i, s:I, s:I}", "name", c->name,
		    "active_objs", (json_int_t)in.active_objs,
		    "num_objs", (json_int_t)in.num_objs,
		    "objsize", (int)in.objsize, "objperslab",
		    (int)in.objperslab, "pagesperslab", (int)in.pagesperslab,
		    "active_slabs", (json_int_t)in.active_slabs,
		    "num_slabs", (json_int_t)in.num_slabs));
	}
	json_object_set_new(o, "caches", caches);
	json_object_set_new(o, "objects", json_integer((json_int_t)objs));
	json_object_set_new(o, "slab_pages", json_integer((json_int_t)pages));
	json_object_set_new(o, "bytes_requested", json_integer(
	    (json_int_t)req));
	json_object_set_new(o, "bytes_allocated", json_integer(
	    (json_int_t)alloc));
	json_object_set_new(o, "caches_created", json_integer(
	    (json_int_t)s->st.kmem_caches_created));
	json_object_set_new(o, "failed", json_integer(
	    (json_int_t)s->st.kmem_failed));
	json_object_set_new(o, "frees_before_capture", json_integer(
	    (json_int_t)s->st.kmem_unknown_free));
	json_object_set_new(o, "kfree_null", json_integer(
	    (json_int_t)s->st.kmem_free_null));
	json_object_set_new(o, "reclaimed_pages", json_integer(
	    (json_int_t)s->st.slab_reclaimed));
	/* /proc/meminfo's SReclaimable and SUnreclaim, in pages */
	json_object_set_new(o, "reclaimable_pages", json_integer(
	    (json_int_t)s->ops.slab->nr_slab_reclaimable));
	json_object_set_new(o, "unreclaimable_pages", json_integer(
	    (json_int_t)s->ops.slab->nr_slab_unreclaimable));
	json_object_set_new(o, "shadow", json_integer(s->ops.shadow != NULL));
	percpu_get_stats(s->ops.pcpu, &ps);
	json_object_set_new(o, "percpu", json_pack("{s:I, s:I, s:I, s:I}",
	    "chunks", (json_int_t)ps.nr_chunks, "populated_pages",
	    (json_int_t)ps.populated_pages, "allocations",
	    (json_int_t)ps.nr_cur_alloc, "bytes_in_use",
	    (json_int_t)ps.bytes_in_use));
	if ((fid = op_kmem_fidelity_json(s->kmem)) != NULL)
		json_object_set_new(o, "fidelity", fid);
	return o;
}

/* Read the next op and put the cursor at its time. */
static void advance_cursor(struct sim *s)
{
	char *cause = NULL;
	int r;

	r = trace_next(s->ts, &s->op, &cause);
	if (r < 0) {
		sim_fail(s, cause);
		s->trace_done = true;
		return;
	}
	if (r == 0) {
		s->trace_done = true;
		evq_cancel(&s->q, &s->snapshot);
		ops_stop(&s->ops);
		return;
	}
	evq_push(&s->q, &s->cursor, op_time(s, &s->op));
}

/* Every engine's invariants (the free lists of the buddy in full). */
static int sim_check_all(struct sim *s, char **cause)
{
	if (buddy_check(s->m, cause) != 0 || ops_check(&s->ops, cause) != 0)
		return -1;
	return 0;
}

/*
 * --check after an op: the region the op touched frame by frame, and
 * every free list in full every SIM_FULL_CHECK ops (and at the end).
 */
#define SIM_FULL_CHECK 1024
static int sim_check(struct sim *s, char **cause)
{
	if (s->ops.last_pfn != NO_PFN &&
	    buddy_check_around(s->m, s->ops.last_pfn, cause) != 0)
		return -1;
	if (s->st.events % SIM_FULL_CHECK == 0 && sim_check_all(s, cause) != 0)
		return -1;
	return 0;
}

static void on_cursor(struct evq *q, struct evq_event *ev, void *arg)
{
	struct sim *s = arg;
	uint64_t lat, start = q->now;
	char *cause = NULL;

	(void)ev;
	s->ops.last_pfn = NO_PFN;
	/* an op that sleeps (a throttled writer) lets the queue run on:
	 * its latency counts from its start */
	lat = s->replay != NULL ? replay_issue(s->replay, &s->op) :
	    sim_issue(s, &s->op);
	s->st.events++;
	s->st.op_count[s->op.type]++;
	s->ops_since_snapshot++;
	s->next_free_time = KMSIM_MAX(start + lat, q->now);
	if (s->next_free_time > s->end_time)
		s->end_time = s->next_free_time;
	if (s->opt.check && s->ops.error == 0 && sim_check(s, &cause) != 0) {
		sim_fail(s, kmsim_cause_at(&s->op.pos, "invariant violated"
		    " after this op: %s", cause));
		free(cause);
	}
	if ((s->st.events & 0xffff) == 0)
		progress(s, false);
	/* the kernel threads the op woke run after it */
	evq_yield(&s->q, s->next_free_time);
	if (s->ops.error == 0)
		advance_cursor(s);
}

/* Counters of a json object of numbers, flattened: prefix.key.sub */
static int db_counters_json(struct sim *s, const char *prefix, json_t *o,
    char **cause)
{
	const char *key;
	json_t *v;
	char name[256];

	json_object_foreach(o, key, v) {
		snprintf(name, sizeof name, "%s.%s", prefix, key);
		if (json_is_object(v)) {
			if (db_counters_json(s, name, v, cause) != 0)
				return -1;
		} else if (json_is_number(v) &&
		    db_write_counter(s->db, s->run_id, name,
		    json_number_value(v), cause) != 0) {
			return -1;
		}
	}
	return 0;
}

static json_t *trace_stats_json(const struct sim *s)
{
	const struct trace_stats *st;
	json_t *o;

	if (s->ts == NULL || s->ts->ops->stats == NULL ||
	    (st = s->ts->ops->stats(s->ts)) == NULL)
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

static int db_record_results(struct sim *s, char **cause)
{
	char buf[512];
	size_t i;
	int t;

	for (t = 0; t < OP_NR; t++)
		if (s->st.op_count[t] > 0 &&
		    db_write_latency(s->db, s->run_id, op_names[t], &s->st.lat[t],
		    s->m->cpu_mhz, cause) != 0)
			return -1;
	if (s->st.lat_failed.count > 0 &&
	    db_write_latency(s->db, s->run_id, "alloc_pages_failed",
	    &s->st.lat_failed, s->m->cpu_mhz, cause) != 0)
		return -1;
	for (i = 0; i < s->st.nr_failure_kinds; i++) {
		const struct run_failure *f = &s->st.failures[i];

		if (db_write_failure(s->db, s->run_id, f->order,
		    gfp_format(f->gfp, buf, sizeof buf), f->node, f->count,
		    cause) != 0)
			return -1;
	}
	for (t = 0; t < OP_NR; t++) {
		snprintf(buf, sizeof buf, "ops.%s", op_names[t]);
		if (db_write_counter(s->db, s->run_id, buf,
		    (double)s->st.op_count[t], cause) != 0)
			return -1;
	}
	for (t = 0; t < RUN_SKIP_NR; t++) {
		snprintf(buf, sizeof buf, "lenient.%s", run_skip_names[t]);
		if (s->st.skipped[t] && db_write_counter(s->db, s->run_id, buf,
		    (double)s->st.skipped[t], cause) != 0)
			return -1;
	}
	for (t = 0; t < RUN_CAP_NR; t++) {
		snprintf(buf, sizeof buf, "capture.%s", run_capture_names[t]);
		if (s->st.captured[t] && db_write_counter(s->db, s->run_id, buf,
		    (double)s->st.captured[t], cause) != 0)
			return -1;
	}
	{
		json_t *j = trace_stats_json(s);
		int r = 0;

		if (j != NULL)
			r = db_counters_json(s, "trace", j, cause);
		json_decref(j);
		if (r != 0)
			return -1;
		if (s->replay != NULL) {
			j = replay_json(s->replay,
			    replay_fidelity(s->replay));
			r = db_counters_json(s, "replay", j, cause);
			json_decref(j);
			if (r != 0)
				return -1;
		}
	}
	if (s->st.lat_stall.count > 0 &&
	    db_write_latency(s->db, s->run_id, "alloc_pages_stall",
	    &s->st.lat_stall, s->m->cpu_mhz, cause) != 0)
		return -1;
	for (t = 0; t < 4; t++)
		if (s->st.lat_slab[t].count > 0 &&
		    db_write_latency(s->db, s->run_id, run_slab_path_names[t],
		    &s->st.lat_slab[t], s->m->cpu_mhz, cause) != 0)
			return -1;
	if (s->ops.pc != NULL) {
		const struct pc_writer *w;
		int nw;

		for (t = 0; t < PC_LAT_NR; t++) {
			const struct hist *h = pagecache_hist(s->ops.pc,
			    (enum pc_hist)t);

			snprintf(buf, sizeof buf, "pagecache_%s",
			    pc_hist_names[t]);
			if (h->count > 0 && db_write_latency(s->db, s->run_id,
			    buf, h, s->m->cpu_mhz, cause) != 0)
				return -1;
		}
		w = pagecache_writers(s->ops.pc, &nw);
		for (t = 0; t < nw; t++) {
			if (w[t].pages_dirtied == 0)
				continue;
			snprintf(buf, sizeof buf, "writer.cpu%d.pages_dirtied",
			    (int)t);
			if (db_write_counter(s->db, s->run_id, buf,
			    (double)w[t].pages_dirtied, cause) != 0)
				return -1;
			snprintf(buf, sizeof buf, "writer.cpu%d.pauses",
			    (int)t);
			if (db_write_counter(s->db, s->run_id, buf,
			    (double)w[t].pauses, cause) != 0)
				return -1;
			snprintf(buf, sizeof buf, "writer.cpu%d.pause_ns",
			    (int)t);
			if (db_write_counter(s->db, s->run_id, buf,
			    (double)w[t].pause_ns, cause) != 0)
				return -1;
		}
	}
	for (t = 0; t < NR_VM_EVENT_ITEMS; t++) {
		snprintf(buf, sizeof buf, "vmstat.%s", vm_event_names[t]);
		if (db_write_counter(s->db, s->run_id, buf,
		    (double)s->m->vm_events[t], cause) != 0)
			return -1;
	}
	for (t = 0; t < s->m->nr_nodes; t++) {
		snprintf(buf, sizeof buf, "node%d.reclaim_shortfall", t);
		if (db_write_counter(s->db, s->run_id, buf,
		    (double)s->m->nodes[t].reclaim_shortfall, cause) != 0)
			return -1;
	}
	{
		json_t *k = kmem_json(s), *c;
		int r;

		/* the per-cache list is in the slabinfo table */
		c = json_object_get(k, "caches");
		if (c != NULL)
			json_object_del(k, "caches");
		r = db_counters_json(s, "slab", k, cause);
		json_decref(k);
		if (r != 0)
			return -1;
	}
	{
		const char *names[SIM_VM_VALUES];
		uint64_t v[SIM_VM_VALUES];
		int k, n = vm_values(s, names, v);

		for (k = 0; k < n; k++) {
			snprintf(buf, sizeof buf, "vm.%s", names[k]);
			if (db_write_counter(s->db, s->run_id, buf,
			    (double)v[k], cause) != 0)
				return -1;
		}
		n = s->ops.pc != NULL ? pagecache_values(s->ops.pc, names, v,
		    SIM_VM_VALUES) : 0;
		for (k = 0; k < n; k++) {
			snprintf(buf, sizeof buf, "pagecache.%s", names[k]);
			if (db_write_counter(s->db, s->run_id, buf,
			    (double)v[k], cause) != 0)
				return -1;
		}
	}
	{
		json_t *f = pagecache_fidelity_json(s);
		int r = f != NULL ? db_counters_json(s, "pagecache.fidelity",
		    f, cause) : 0;

		json_decref(f);
		if (r != 0)
			return -1;
	}
	if (db_write_numa(s->db, s->run_id, s->m, cause) != 0 ||
	    db_write_counter(s->db, s->run_id, "alloc.stalls",
	    (double)s->st.lat_stall.count, cause) != 0 ||
	    db_write_counter(s->db, s->run_id, "alloc.stall_cycles",
	    (double)s->st.stall_cycles, cause) != 0 ||
	    db_write_counter(s->db, s->run_id, "alloc.direct_compactions",
	    (double)s->st.nr_compacted, cause) != 0 ||
	    db_write_counter(s->db, s->run_id, "alloc.direct_reclaims",
	    (double)s->st.nr_reclaimed, cause) != 0 ||
	    db_write_counter(s->db, s->run_id, "alloc.frees_of_failed",
	    (double)s->st.frees_of_failed, cause) != 0 ||
	    db_write_counter(s->db, s->run_id, "capture.preexisting_freed",
	    (double)s->st.preexisting_freed, cause) != 0 ||
	    db_write_counter(s->db, s->run_id, "kswapd.cycles",
	    (double)s->m->kswapd_cycles, cause) != 0 ||
	    db_write_counter(s->db, s->run_id, "kcompactd.cycles",
	    (double)s->m->kcompactd_cycles, cause) != 0)
		return -1;
	if (db_write_counter(s->db, s->run_id, "alloc.failures",
	    (double)s->st.nr_failures, cause) != 0 ||
	    db_write_counter(s->db, s->run_id, "alloc.fallbacks",
	    (double)s->st.fallbacks, cause) != 0 ||
	    db_write_counter(s->db, s->run_id, "alloc.remote",
	    (double)s->st.remote_allocs, cause) != 0 ||
	    db_write_counter(s->db, s->run_id, "buddy.splits",
	    (double)s->st.splits, cause) != 0 ||
	    db_write_counter(s->db, s->run_id, "buddy.merges",
	    (double)s->st.merges, cause) != 0 ||
	    db_write_counter(s->db, s->run_id, "live_allocations",
	    (double)op_pages_nr_live(s->pages), cause) != 0 ||
	    db_write_counter(s->db, s->run_id, "seed", (double)s->opt.seed,
	    cause) != 0)
		return -1;
	return 0;
}

int sim_run(struct sim *s, struct trace_source *ts, struct db *db,
    char **cause)
{
	struct db_run_info info;
	struct db_run_end end;
	json_t *cj;
	char *config_json, *dbcause = NULL;
	int ret;

	s->ts = ts;
	s->db = db;
	s->wall_start = wall_now();
	evq_event_init(&s->cursor, on_cursor, s);
	evq_event_init(&s->snapshot, on_snapshot, s);
	s->ops.captured = ts->captured;
	if (s->replay == NULL) {
		if (ops_engines_create(&s->ops, &s->q, cause) != 0)
			return -1;
		s->kmem = op_kmem_create(&s->ops, s->opt.bundle);
		s->vm_ops = op_vm_create(&s->ops, s->pages);
	}
	if (db != NULL) {
		cj = config_to_json(s->cfg);
		config_json = json_dumps(cj, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(cj);
		memset(&info, 0, sizeof info);
		info.config_json = config_json;
		info.config_path = s->cfg->path;
		info.trace_path = ts->path;
		info.trace_format = ts->format;
		info.mode = sim_mode_names[s->opt.mode];
		info.version = PACKAGE_VERSION;
		info.command_line = s->opt.command_line;
		info.start_time = (double)time(NULL);
		ret = db_run_begin(db, &info, &s->run_id, cause);
		free(config_json);
		if (ret != 0)
			return -1;
		if (db_txn_begin(db, cause) != 0)
			goto out_end;
		/* the state before the first op */
		write_snapshot(s, 0);
	}

	sim_dump_start(s);
	advance_cursor(s);
	if (!s->trace_done)
		evq_push(&s->q, &s->snapshot, s->snapshot_cycles);
	/* the kernel threads act in simulate mode: in replay the trace
	 * already holds what the kernel's own did */
	if (!s->trace_done && s->replay == NULL)
		ops_start(&s->ops, &s->q);
	while (s->ops.error == 0 && !sim_interrupted && evq_run_one(&s->q))
		;
	if (s->ops.error == 0 && s->opt.check &&
	    (buddy_check_frames(s->m, &dbcause) != 0 ||
	    sim_check_all(s, &dbcause) != 0)) {
		sim_fail(s, kmsim_cause_at(NULL, "invariant violated at the"
		    " end: %s", dbcause));
		free(dbcause);
		dbcause = NULL;
	}
	if (s->q.now < s->end_time)
		s->q.now = s->end_time;
	if (s->ops.error == 0 && s->replay != NULL)
		replay_finish(s->replay, s->opt.bundle);
	s->wall_seconds = wall_now() - s->wall_start;
	progress(s, true);
	if (ts->ops->digest != NULL)
		ts->ops->digest(ts, s->trace_sha256);

	s->status = s->ops.error ? "failed" : sim_interrupted ? "interrupted" :
	    "complete";
	sim_dump_end(s);
	if (db != NULL && s->ops.error == 0) {
		/* the final snapshot and the aggregates */
		s->ops_since_snapshot = 1;
		write_snapshot(s, s->q.now);
		if (s->ops.error == 0 && db_record_results(s, &dbcause) != 0)
			sim_fail(s, dbcause);
		if (s->ops.error == 0 && db_txn_commit(db, &dbcause) != 0)
			sim_fail(s, dbcause);
		s->status = s->ops.error ? "failed" : s->status;
	}

out_end:
	if (db != NULL) {
		if (s->ops.error != 0)
			db_txn_rollback(db);
		memset(&end, 0, sizeof end);
		end.status = s->status;
		end.error = s->ops.cause;
		end.wall_seconds = s->wall_seconds;
		end.events = s->st.events;
		end.sim_cycles = s->q.now;
		end.sim_ns = machine_cycles_to_ns(s->m, s->q.now);
		end.trace_sha256 = s->trace_sha256[0] ? s->trace_sha256 : NULL;
		dbcause = NULL;
		if (db_run_end(db, s->run_id, &end, &dbcause) != 0) {
			/* the last writes did not commit: not complete */
			sim_fail(s, dbcause);
			dbcause = NULL;
			end.status = s->status = "failed";
			end.error = s->ops.cause;
			if (db_run_end(db, s->run_id, &end, &dbcause) != 0)
				free(dbcause);
		}
	}
	if (s->ops.error != 0) {
		*cause = s->ops.cause;
		s->ops.cause = NULL;
		return -1;
	}
	return sim_interrupted ? 1 : 0;
}

static json_t *latency_json(const struct hist *h, const struct machine *m)
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
		    (double)v * 1000.0 / m->cpu_mhz));
	}
	json_object_set_new(o, "max", json_integer((json_int_t)h->max));
	json_object_set_new(ns, "mean", json_real(hist_mean(h) * 1000.0 /
	    m->cpu_mhz));
	json_object_set_new(ns, "max", json_real((double)h->max * 1000.0 /
	    m->cpu_mhz));
	json_object_set_new(o, "unit", json_string("cycles"));
	json_object_set_new(o, "ns", ns);
	return o;
}

json_t *sim_summary_json(const struct sim *s)
{
	const struct machine *m = s->m;
	json_t *root = json_object(), *lat = json_object(), *ops = json_object();
	json_t *frag = json_array(), *fail = json_object(), *byk = json_array();
	json_t *len = json_object();
	struct rusage ru;
	char buf[512];
	size_t i;
	int t;

	if (s->db != NULL)
		json_object_set_new(root, "run_id", json_integer(s->run_id));
	json_object_set_new(root, "status", json_string(s->status));
	json_object_set_new(root, "config", json_string(s->cfg->path));
	json_object_set_new(root, "machine", json_string(s->cfg->name));
	if (s->ts != NULL) {
		json_object_set_new(root, "trace", json_string(s->ts->path));
		json_object_set_new(root, "trace_format",
		    json_string(s->ts->format));
	}
	if (s->trace_sha256[0])
		json_object_set_new(root, "trace_sha256",
		    json_string(s->trace_sha256));
	json_object_set_new(root, "events", json_integer((json_int_t)s->st.events));
	json_object_set_new(root, "sim_cycles", json_integer((json_int_t)
	    s->q.now));
	json_object_set_new(root, "sim_ns", json_integer((json_int_t)
	    machine_cycles_to_ns(m, s->q.now)));
	json_object_set_new(root, "wall_seconds", json_real(s->wall_seconds));
	json_object_set_new(root, "snapshots", json_integer((json_int_t)
	    s->st.nr_snapshots));
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		json_object_set_new(root, "max_rss_kb", json_integer(
		    (json_int_t)ru.ru_maxrss));
	for (t = 0; t < OP_NR; t++) {
		json_object_set_new(ops, op_names[t], json_integer(
		    (json_int_t)s->st.op_count[t]));
		if (s->st.lat[t].count > 0)
			json_object_set_new(lat, op_names[t],
			    latency_json(&s->st.lat[t], m));
	}
	if (s->st.lat_failed.count > 0)
		json_object_set_new(lat, "alloc_pages_failed",
		    latency_json(&s->st.lat_failed, m));
	if (s->st.lat_stall.count > 0)
		json_object_set_new(lat, "alloc_pages_stall",
		    latency_json(&s->st.lat_stall, m));
	for (t = 0; t < 4; t++)
		if (s->st.lat_slab[t].count > 0)
			json_object_set_new(lat, run_slab_path_names[t],
			    latency_json(&s->st.lat_slab[t], m));
	if (s->ops.pc != NULL) {
		for (t = 0; t < PC_LAT_NR; t++) {
			const struct hist *h = pagecache_hist(s->ops.pc,
			    (enum pc_hist)t);

			snprintf(buf, sizeof buf, "pagecache_%s",
			    pc_hist_names[t]);
			if (h->count > 0)
				json_object_set_new(lat, buf,
				    latency_json(h, m));
		}
	}
	json_object_set_new(root, "ops", ops);
	json_object_set_new(root, "latency", lat);

	json_object_set_new(fail, "total", json_integer((json_int_t)
	    s->st.nr_failures));
	for (i = 0; i < s->st.nr_failure_kinds; i++) {
		const struct run_failure *f = &s->st.failures[i];

		json_array_append_new(byk, json_pack("{s:i, s:s, s:i, s:I}",
		    "order", (int)f->order, "gfp",
		    gfp_format(f->gfp, buf, sizeof buf), "node", f->node,
		    "count", (json_int_t)f->count));
	}
	json_object_set_new(fail, "by_kind", byk);
	json_object_set_new(fail, "frees_of_failed", json_integer(
	    (json_int_t)s->st.frees_of_failed));
	json_object_set_new(root, "failures", fail);
	{
		json_t *vm = json_object(), *numa = json_array();
		int a, b;

		for (t = 0; t < NR_VM_EVENT_ITEMS; t++)
			json_object_set_new(vm, vm_event_names[t], json_integer(
			    (json_int_t)m->vm_events[t]));
		json_object_set_new(root, "vmstat", vm);
		for (a = 0; a < m->nr_nodes; a++) {
			json_t *row = json_array();

			for (b = 0; b < m->nr_nodes; b++)
				json_array_append_new(row, json_integer(
				    (json_int_t)m->node_allocs[(uint64_t)a *
				    (uint64_t)m->nr_nodes + (uint64_t)b]));
			json_array_append_new(numa, row);
		}
		json_object_set_new(root, "node_allocs", numa);
	}
	if (s->ops.slab != NULL)
		json_object_set_new(root, "slab", kmem_json((struct sim *)s));
	if (s->ops.pc != NULL) {
		const struct pc_writer *w;
		json_t *wa = json_array(), *po = json_object(), *fid;
		const char *names[SIM_VM_VALUES];
		uint64_t v[SIM_VM_VALUES];
		int nw, k, n;

		n = pagecache_values(s->ops.pc, names, v, SIM_VM_VALUES);
		for (k = 0; k < n; k++)
			json_object_set_new(po, names[k], json_integer(
			    (json_int_t)v[k]));
		if ((fid = pagecache_fidelity_json((struct sim *)s)) != NULL)
			json_object_set_new(po, "fidelity", fid);
		json_object_set_new(root, "pagecache", po);

		w = pagecache_writers(s->ops.pc, &nw);
		for (t = 0; t < nw; t++)
			if (w[t].pages_dirtied > 0)
				json_array_append_new(wa, json_pack(
				    "{s:i, s:I, s:I, s:I}", "cpu", (int)t,
				    "pages_dirtied",
				    (json_int_t)w[t].pages_dirtied, "pauses",
				    (json_int_t)w[t].pauses, "pause_ns",
				    (json_int_t)w[t].pause_ns));
		json_object_set_new(root, "writers", wa);
	}
	{
		const char *names[SIM_VM_VALUES];
		uint64_t v[SIM_VM_VALUES];
		int k, n = vm_values(s, names, v);
		json_t *vm = json_object();

		for (k = 0; k < n; k++)
			json_object_set_new(vm, names[k], json_integer(
			    (json_int_t)v[k]));
		json_object_set_new(vm, "shootdown_cycles", json_integer(
		    (json_int_t)s->st.shootdown_cycles));
		json_object_set_new(root, "vm", vm);
	}
	json_object_set_new(root, "fallbacks", json_integer((json_int_t)
	    s->st.fallbacks));
	json_object_set_new(root, "remote_allocations", json_integer(
	    (json_int_t)s->st.remote_allocs));
	json_object_set_new(root, "live_allocations", json_integer(
	    (json_int_t)op_pages_nr_live(s->pages)));

	for (i = 0; i < (size_t)m->nr_zones; i++) {
		const struct zone *z = m->zones[i];
		json_t *zj = json_object(), *unusable = json_array();
		json_t *extfrag = json_array(), *nr_free = json_array();
		uint64_t counts[NR_ORDERS_MAX];
		struct contig_page_info info;
		unsigned o;

		for (o = 0; o <= m->max_order; o++)
			counts[o] = z->free_area[o].nr_free;
		for (o = 0; o <= m->max_order; o++) {
			frag_fill_contig_page_info(counts, m->max_order + 1, o,
			    &info);
			json_array_append_new(nr_free, json_integer(
			    (json_int_t)counts[o]));
			json_array_append_new(unusable, json_real(
			    frag_unusable_free_index(o, &info) / 1000.0));
			json_array_append_new(extfrag, json_real(
			    frag_fragmentation_index(o, m->max_order, &info) /
			    1000.0));
		}
		json_object_set_new(zj, "node", json_integer(z->node));
		json_object_set_new(zj, "zone", json_string(
		    zone_names[z->type]));
		json_object_set_new(zj, "free_pages", json_integer(
		    (json_int_t)z->free_pages));
		json_object_set_new(zj, "managed_pages", json_integer(
		    (json_int_t)z->managed_pages));
		json_object_set_new(zj, "nr_free", nr_free);
		{
			json_t *pb = json_object(), *mx = json_object();
			int mt;

			for (mt = 0; mt < MIGRATE_TYPES; mt++) {
				json_object_set_new(pb, migratetype_names[mt],
				    json_integer((json_int_t)
				    z->nr_pageblocks[mt]));
				json_object_set_new(mx, migratetype_names[mt],
				    json_integer((json_int_t)
				    z->nr_mixed_pageblocks[mt]));
			}
			json_object_set_new(zj, "pageblocks", pb);
			json_object_set_new(zj, "mixed_pageblocks", mx);
			json_object_set_new(zj, "pcp_pages", json_integer(
			    (json_int_t)z->pcp_pages));
			json_object_set_new(zj, "watermark_boost", json_integer(
			    (json_int_t)z->watermark_boost));
		}
		json_object_set_new(zj, "unusable_index", unusable);
		json_object_set_new(zj, "extfrag_index", extfrag);
		json_array_append_new(frag, zj);
	}
	json_object_set_new(root, "zones", frag);
	json_object_set_new(root, "mode", json_string(
	    sim_mode_names[s->opt.mode]));
	{
		json_t *j = trace_stats_json(s), *cap = json_object();

		if (j != NULL)
			json_object_set_new(root, "trace_stats", j);
		if (s->replay != NULL)
			json_object_set_new(root, "replay", replay_json(
			    s->replay, replay_fidelity(s->replay)));
		if (s->ts != NULL && s->ts->captured && s->replay == NULL) {
			for (t = 0; t < RUN_CAP_NR; t++)
				json_object_set_new(cap, run_capture_names[t],
				    json_integer((json_int_t)s->st.captured[t]));
			json_object_set_new(cap, "preexisting_freed",
			    json_integer((json_int_t)s->st.preexisting_freed));
			json_object_set_new(root, "capture", cap);
		} else {
			json_decref(cap);
		}
	}
	for (t = 0; t < RUN_SKIP_NR; t++)
		json_object_set_new(len, run_skip_names[t], json_integer(
		    (json_int_t)s->st.skipped[t]));
	if (s->opt.lenient)
		json_object_set_new(root, "skipped", len);
	else
		json_decref(len);
	return root;
}
