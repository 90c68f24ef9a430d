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

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "evq.h"
#include "mm/buddy.h"
#include "ops/op_file.h"
#include "ops/op_kmem.h"
#include "ops/op_pages.h"
#include "ops/op_vm.h"
#include "ops/ops.h"
#include "ops/replay.h"
#include "results/results.h"
#include "results/snapshot.h"
#include "results/stats.h"
#include "sim.h"

volatile sig_atomic_t sim_interrupted;

const char *const sim_mode_names[] = { "simulate", "replay" };

struct sim {
	const struct config *cfg;
	struct sim_options opt;
	struct machine *m;
	struct evq q;
	struct run_stats st;		/* what the run counted */
	struct snapshot snap;		/* the latest snapshot taken */
	struct results results;		/* the figures at the end */
	bool have_results;

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
	snapshot_init(&s->snap);
	results_init(&s->results);
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
	snapshot_fini(&s->snap);
	results_fini(&s->results);
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
	if (op_file_type(op->type))
		return op_file_issue(&s->ops, op, cpu);
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

/* The engines a snapshot reads. */
static void snapshot_source(const struct sim *s, struct snapshot_src *src)
{
	memset(src, 0, sizeof *src);
	src->m = s->m;
	src->slab = s->ops.slab;
	src->vm = s->ops.vm;
	src->tlb = s->ops.tlb;
	src->hm = s->ops.hm;
	src->pc = s->ops.pc;
}

/* The state now, into s->snap. */
static void take_snapshot(struct sim *s, uint64_t now)
{
	struct snapshot_src src;

	snapshot_source(s, &src);
	snapshot_take(&s->snap, &src, now, machine_cycles_to_ns(s->m, now));
}

/* A snapshot into the database (counted without one). */
static void write_snapshot(struct sim *s, uint64_t now)
{
	char *cause = NULL;

	if (s->db == NULL) {
		s->st.nr_snapshots++;
		return;
	}
	take_snapshot(s, now);
	if (db_write_snapshot(s->db, s->run_id, &s->snap, &cause) != 0 ||
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

/*
 * The run's figures into the results table, from the state at the end
 * (the last snapshot): what the database's counters and the summary
 * show.
 */
static void sim_collect(struct sim *s)
{
	struct results_src src;
	const struct trace_stats *tst = NULL;
	json_t *replay = NULL, *slab_fid = NULL, *pc_fid = NULL;

	take_snapshot(s, s->q.now);
	if (s->ts != NULL && s->ts->ops->stats != NULL)
		tst = s->ts->ops->stats(s->ts);
	if (s->replay != NULL)
		replay = replay_json(s->replay, replay_fidelity(s->replay));
	if (s->ops.slab != NULL)
		slab_fid = op_kmem_fidelity_json(s->kmem);
	pc_fid = op_file_fidelity_json(&s->ops, s->opt.bundle);
	memset(&src, 0, sizeof src);
	src.m = s->m;
	src.st = &s->st;
	src.last = &s->snap;
	src.op_names = op_names;
	src.nr_op_types = OP_NR;
	src.slab = s->ops.slab;
	src.pcpu = s->ops.pcpu;
	src.shadow = s->ops.shadow != NULL;
	src.pc = s->ops.pc;
	src.trace_stats = tst;
	src.replay = replay;
	src.slab_fidelity = slab_fid;
	src.pagecache_fidelity = pc_fid;
	src.captured = s->ts != NULL && s->ts->captured && s->replay == NULL;
	src.lenient = s->opt.lenient;
	src.live_allocations = op_pages_nr_live(s->pages);
	src.seed = s->opt.seed;
	results_fini(&s->results);
	results_collect(&s->results, &src);
	s->have_results = true;
	json_decref(replay);
	json_decref(slab_fid);
	json_decref(pc_fid);
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
	sim_collect(s);
	if (db != NULL && s->ops.error == 0) {
		/* the final snapshot and the aggregates */
		s->ops_since_snapshot = 1;
		write_snapshot(s, s->q.now);
		if (s->ops.error == 0 && results_write_db(&s->results, db,
		    s->run_id, &dbcause) != 0)
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

json_t *sim_summary_json(struct sim *s)
{
	struct results hdr;
	const struct results *parts[2];
	struct rusage ru;
	json_t *j;

	if (!s->have_results)
		sim_collect(s);
	results_init(&hdr);
	if (s->db != NULL)
		results_i64(&hdr, NULL, "run_id", s->run_id);
	results_str(&hdr, "status", s->status);
	results_str(&hdr, "config", s->cfg->path);
	results_str(&hdr, "machine", s->cfg->name);
	results_str(&hdr, "mode", sim_mode_names[s->opt.mode]);
	if (s->ts != NULL) {
		results_str(&hdr, "trace", s->ts->path);
		results_str(&hdr, "trace_format", s->ts->format);
	}
	if (s->trace_sha256[0])
		results_str(&hdr, "trace_sha256", s->trace_sha256);
	results_u64(&hdr, NULL, "events", s->st.events);
	results_u64(&hdr, NULL, "sim_cycles", s->q.now);
	results_u64(&hdr, NULL, "sim_ns", machine_cycles_to_ns(s->m,
	    s->q.now));
	results_real(&hdr, NULL, "wall_seconds", s->wall_seconds);
	results_u64(&hdr, NULL, "snapshots", s->st.nr_snapshots);
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		results_i64(&hdr, NULL, "max_rss_kb", ru.ru_maxrss);
	parts[0] = &hdr;
	parts[1] = &s->results;
	j = results_json(parts, 2);
	results_fini(&hdr);
	return j;
}
