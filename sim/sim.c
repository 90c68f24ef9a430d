/*
 * sim.c - one simulation run.  The trace is read one op at a time: a
 * single "trace cursor" event sits in the event queue at the time of the
 * next op, beside the engines' own events (metric snapshots now; kswapd,
 * flusher and friends later), so memory does not grow with the trace.
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
#include "mm/compaction.h"
#include "evq.h"
#include "idtab.h"
#include "results/metrics.h"
#include "results/stats.h"
#include "replay.h"
#include "mm/highmem.h"
#include "mm/percpu.h"
#include "trace/procfs.h"
#include "mm/tlb.h"
#include "mm/vmalloc.h"
#include "sim.h"
#include "mm/pagecache.h"
#include "ops/op_file.h"
#include "mm/slab.h"
#include "mm/vmscan.h"

volatile sig_atomic_t sim_interrupted;

const char *const sim_mode_names[] = { "simulate", "replay" };

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

/* A background actor of one node (kswapd, kcompactd) as an event. */
struct sim_actor {
	struct evq_event ev;
	struct sim *s;
	int node;
};

/*
 * How long a woken kernel thread takes to run (a wake-up plus a context
 * switch on an idle CPU, ~10 us), and kcompactd's proactive period
 * (mm/compaction.c:HPAGE_FRAG_CHECK_INTERVAL_MSEC).
 */
#define SIM_WAKE_NS		10000
#define SIM_PROACTIVE_NS	(500 * 1000 * 1000)

/* What an entry of the object table is. */
enum sim_obj_kind {
	OBJ_CACHE = 1,		/* kmem_cache_alloc */
	OBJ_KMALLOC,		/* kmalloc, krealloc */
	OBJ_PERCPU,		/* alloc_percpu */
	OBJ_VMALLOC,		/* vmalloc: the area's start address */
	OBJ_STACK_VMAP,		/* fork with VMAP_STACK: the area's start */
	OBJ_STACK_PAGES,	/* fork without: the order-2 block's pfn */
};

/* x86-64 THREAD_SIZE: 16 KiB (THREAD_SIZE_ORDER 2). */
#define SIM_THREAD_SIZE_ORDER	2

/* A cache's objects allocated before a capture began, from the bundle's
 * before/slabinfo (active_objs), and what the trace freed of them. */
struct sim_pre {
	char name[64];
	uint64_t active;	/* at the start */
	uint64_t freed;		/* frees of objects the trace never made */
	uint64_t live;		/* the trace's own objects alive */
};
/* An object table entry's order field: its kind, and the index + 1 of
 * the sim_pre of its cache name (0: none). */
#define OBJ_KIND(v)	((int)((v) & 0xf))
#define OBJ_PRE(v)	((size_t)((v) >> 4))

struct sim {
	const struct config *cfg;
	struct sim_options opt;
	struct machine *m;
	struct evq q;
	struct idtab live;
	struct idtab failed;		/* ids whose allocation failed */

	/* the run in progress */
	struct trace_source *ts;
	struct db *db;
	int64_t run_id;
	struct evq_event cursor;	/* fires at the next op's time */
	struct evq_event snapshot;
	struct evq_event dump;		/* --dump-at: follows the cursor */
	int next_dump;			/* index in opt.dump_at_ns */
	struct op op;			/* the op the cursor will issue */
	bool have_op;
	bool trace_done;
	uint64_t first_ts;		/* ns of the first timestamped op */
	uint64_t next_free_time;	/* cycles: previous op completed */
	uint64_t end_time;		/* cycles: last op completed */
	uint64_t last_pfn;		/* where the last op acted (--check) */
	uint64_t ops_since_snapshot;
	uint64_t snapshot_cycles;
	int error;			/* 0, or -1 with cause */
	char *cause;
	const char *status;

	struct run_stats st;		/* what the run counted */

	/* the slab and percpu allocators (simulate mode) */
	struct slab_world *slab;
	struct percpu *pcpu;
	struct machine *shadow;		/* captured traces: where their
					   slabs and chunks live */
	struct idtab objs;		/* object id -> handle (pfn field),
					   kind (order field) */
	struct sim_pre *pre;		/* objects before the capture, per
					   cache (its before/slabinfo) */
	size_t nr_pre;

	/* the page cache (simulate mode) */
	struct pagecache *pc;

	/* vmalloc, the TLB, highmem (simulate mode) */
	struct vmalloc *vm;
	struct idtab vsize;		/* vmalloc'd object key -> bytes */
	struct tlb *tlb;
	struct highmem *hm;

	/* background actors (simulate mode) */
	struct sim_actor *kswapd, *kcompactd;
	struct evq_event proactive;
	unsigned *proactive_defer;	/* per node */

	/* replay */
	struct replay *replay;
	struct kpageflags kp_before;
	int window;		/* -1 before the first marker, 0 in, 1 after */
	const char *marker_start, *marker_stop;	/* from the manifest */
	const char *marker_read_end[2];	/* the end of each snapshot */
	bool in_read;		/* between a read's start and its end */
	bool have_fidelity;
	struct replay_fidelity fidelity;
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

/*
 * The frame of a live allocation's head names its slot in the table of
 * live allocations (page_frame.private), kept as entries move, so that
 * compaction can find the owner of a block it moves in O(1).
 */
static void sim_entry_moved(void *arg, const struct idtab_entry *e,
    uint64_t slot)
{
	struct sim *s = arg;

	if (e->pfn < s->m->max_pfn)
		pfn_to_frame(s->m, e->pfn)->private = (uint32_t)slot;
}

/*
 * Compaction moved a live block: its id now names the new pfn.  A block
 * without an id (an anonymous allocation) has no entry, and a stale slot
 * in its frame names an entry of another pfn.
 */
static void sim_migrate_owner(void *arg, uint64_t old_pfn, uint64_t new_pfn,
    unsigned order)
{
	struct sim *s = arg;
	struct idtab_entry *e;
	uint32_t slot = pfn_to_frame(s->m, old_pfn)->private;

	(void)order;
	if (s->pc != NULL && pagecache_migrate(s->pc, old_pfn, new_pfn))
		return;
	e = idtab_slot(&s->live, slot);
	if (e == NULL || e->pfn != old_pfn)
		return;
	e->pfn = new_pfn;
	pfn_to_frame(s->m, new_pfn)->private = slot;
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
	idtab_init(&s->live);
	idtab_init(&s->failed);
	idtab_init(&s->objs);
	idtab_init(&s->vsize);
	s->live.moved = sim_entry_moved;
	s->live.moved_arg = s;
	s->m->migrate_owner = sim_migrate_owner;
	s->m->owner_arg = s;
	run_stats_init(&s->st);
	s->snapshot_cycles = machine_ns_to_cycles(s->m,
	    cfg->snapshot_interval_ns);
	if (s->snapshot_cycles == 0)
		s->snapshot_cycles = 1;
	s->first_ts = OP_TS_NONE;
	s->status = "running";
	if (opt->mode == SIM_REPLAY) {
		char *warn = NULL;

		if (opt->bundle != NULL &&
		    bundle_kpageflags(opt->bundle, "before", &s->kp_before,
		    cause) < 0) {
			sim_destroy(s);
			return NULL;
		}
		s->replay = replay_create(s->m, s->kp_before.nr ?
		    &s->kp_before : NULL, &warn);
		free(warn);
	} else if (opt->bundle != NULL && opt->seeded &&
	    bundle_snapshot_dir(opt->bundle, "before") != NULL) {
		/* simulate from the state the capture began in */
		if (bundle_kpageflags(opt->bundle, "before", &s->kp_before,
		    cause) < 0) {
			sim_destroy(s);
			return NULL;
		}
		if (s->kp_before.nr > 0)
			simulate_seed(s->m, &s->kp_before);
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
	/* before the queue: the I/O still queued is the page cache's */
	pagecache_destroy(s->pc);
	s->pc = NULL;
	evq_fini(&s->q);
	idtab_fini(&s->live);
	idtab_fini(&s->failed);
	free(s->kswapd);
	free(s->kcompactd);
	free(s->proactive_defer);
	vmalloc_destroy(s->vm);
	tlb_destroy(s->tlb);
	highmem_destroy(s->hm);
	slab_world_destroy(s->slab);
	percpu_destroy(s->pcpu);
	machine_destroy(s->shadow);
	idtab_fini(&s->objs);
	idtab_fini(&s->vsize);
	free(s->pre);
	replay_destroy(s->replay);
	kpageflags_free(&s->kp_before);
	machine_destroy(s->m);
	run_stats_fini(&s->st);
	free(s->cause);
	free(s);
}

struct machine *sim_machine(struct sim *s)
{
	return s->m;
}

/* Stop the run with an error (the first one wins). */
static void sim_fail(struct sim *s, char *cause)
{
	if (s->error == 0) {
		s->error = -1;
		s->cause = cause;
	} else {
		free(cause);
	}
}

/*
 * A bad op: an error at its position, or with --lenient counted and
 * skipped.  Returns true if the run goes on.
 */
static bool bad_op(struct sim *s, const struct op *op, enum run_skip kind,
    char *msg)
{
	if (s->opt.lenient) {
		s->st.skipped[kind]++;
		free(msg);
		return true;
	}
	sim_fail(s, kmsim_cause_at(&op->pos, "%s", msg));
	free(msg);
	return false;
}

static const char *op_label(const struct op *op)
{
	return op->label != NULL ? op->label : "(anonymous)";
}

/* Issue one op in replay mode; returns its latency in cycles. */
static uint64_t sim_replay(struct sim *s, const struct op *op)
{
	struct alloc_result res;

	if (op->type == OP_MARKER && op->text != NULL &&
	    s->marker_start != NULL) {
		if (s->window < 0 && strstr(op->text, s->marker_start) != NULL) {
			s->window = 0;
			s->in_read = true;
		} else if (s->window == 0 &&
		    strstr(op->text, s->marker_stop) != NULL) {
			s->window = 1;
			s->in_read = true;
		} else if (s->in_read && s->marker_read_end[0] != NULL &&
		    strstr(op->text, s->marker_read_end[s->window]) != NULL) {
			s->in_read = false;
		}
		return 0;
	}
	/* frames named while a snapshot is read: state the read may or
	 * may not have caught, compared apart */
	if (s->in_read && s->window >= 0)
		replay_mark_ambiguous(s->replay, op);
	if (s->window != 0) {
		replay_count_outside(s->replay);
		return 0;
	}
	replay_op(s->replay, op, &res);
	if (res.cycles == 0)
		return 0;
	s->last_pfn = op->pfn;
	s->st.splits += res.splits;
	s->st.merges += res.merges;
	hist_record(&s->st.lat[op->type], res.cycles);
	return res.cycles;
}

/* Drop a live allocation. */
static void forget(struct sim *s, struct idtab_entry *e)
{
	idtab_remove(&s->live, e);
}

/*
 * A captured free of a block allocated before the trace began: with the
 * capture's start state seeded, its frames are still PF_PREEXISTING at
 * the pfn the kernel named, and go back to the allocator there (the
 * per-cpu lists for the orders they take).  Anything else (no seeded
 * state, a block the model's own allocations overlap) is only counted.
 */
static uint64_t free_preexisting(struct sim *s, const struct op *op, int cpu)
{
	struct machine *m = s->m;
	uint64_t pfn = op->pfn, n = UINT64_C(1) << op->order, p;
	struct alloc_result res;
	struct page_frame *f;
	struct zone *z;

	if (pfn == OP_PFN_NONE || pfn >= m->max_pfn || n > m->max_pfn - pfn ||
	    (pfn & (n - 1)) || op->order > m->max_order ||
	    (z = machine_pfn_zone(m, pfn)) == NULL ||
	    pfn + n > zone_end_pfn(z))
		return 0;
	for (p = pfn; p < pfn + n; p++)
		if (!(m->frames[p].flags & PF_PREEXISTING))
			return 0;
	for (p = pfn; p < pfn + n; p++) {
		f = pfn_to_frame(m, p);
		f->flags &= (uint8_t)~PF_PREEXISTING;
		if (p != pfn)
			pageblock_account(m, p, 0, f->alloc_mt, -1);
	}
	f = pfn_to_frame(m, pfn);
	f->flags |= PF_HEAD;
	f->order = (uint8_t)op->order;
	/* the head's own page is accounted for the block by page_free() */
	pageblock_account(m, pfn, 0, f->alloc_mt, -1);
	pageblock_account(m, pfn, op->order, f->alloc_mt, +1);
	page_free(m, pfn, op->order, cpu, &res);
	s->st.preexisting_freed++;
	s->last_pfn = pfn;
	hist_record(&s->st.lat[op->type], res.cycles);
	return res.cycles;
}

/* The key of an object in the table: its id, or a captured pointer. */
static bool obj_key(const struct op *op, uint64_t *key)
{
	if (op->has_id)
		*key = op->id;
	else if (op->ptr != 0)
		*key = op->ptr;
	else
		return false;
	return true;
}

static struct sim_pre *pre_find(struct sim *s, const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < s->nr_pre; i++)
		if (strcmp(s->pre[i].name, name) == 0)
			return &s->pre[i];
	return NULL;
}

/* The per-name count of a cache the capture shows (a new one: 0 at the
 * start); NULL without a bundle's slabinfo to compare with. */
static struct sim_pre *pre_get(struct sim *s, const char *name)
{
	struct sim_pre *p;

	if (s->pre == NULL || name == NULL)
		return NULL;
	if ((p = pre_find(s, name)) != NULL)
		return p;
	s->pre = xreallocarray(s->pre, s->nr_pre + 1, sizeof *s->pre);
	p = &s->pre[s->nr_pre++];
	memset(p, 0, sizeof *p);
	snprintf(p->name, sizeof p->name, "%s", name);
	return p;
}

/*
 * A captured kmem_cache_alloc of a cache kmsim has not seen: the cache
 * comes into being with the event's sizes.  bytes_req is the object
 * size and bytes_alloc the slab size; the alignment is the smallest
 * that rounds one to the other.
 */
static struct kmem_cache *capture_cache(struct sim *s, const struct op *op,
    const char *name, char **cause)
{
	struct kmem_cache *c;
	uint64_t req = op->bytes_req, alloc = op->bytes_alloc, a;
	unsigned align = 8;

	if (name == NULL || req == 0 || req > UINT32_MAX ||
	    alloc > UINT32_MAX)
		return NULL;
	if (alloc > req) {
		for (a = 8; a <= 4096; a <<= 1)
			if (((req + a - 1) & ~(a - 1)) == alloc)
				break;
		if (a <= 4096)
			align = (unsigned)a;
		else
			req = alloc;
	}
	if (kmem_cache_create(s->slab, name, (unsigned)req, align, 0, &c,
	    cause) != 0)
		return NULL;
	s->st.kmem_caches_created++;
	return c;
}

/* Record the latency of a kmem op and what it allocated. */
static uint64_t kmem_done(struct sim *s, const struct op *op, uint64_t key,
    bool has_key, uint64_t handle, enum sim_obj_kind kind, bool failed,
    uint64_t cycles, const char *name)
{
	struct sim_pre *p = failed ? NULL : pre_get(s, name);
	uint32_t v = (uint32_t)kind;

	if (p != NULL) {
		p->live++;
		v |= (uint32_t)((size_t)(p - s->pre) + 1) << 4;
	}
	if (failed) {
		s->st.kmem_failed++;
		if (has_key)
			idtab_insert(&s->failed, key, NO_PFN, 0);
	} else if (has_key) {
		struct idtab_entry *e = idtab_find(&s->objs, key);

		/* a captured pointer reused without its free: the old
		 * object's free was lost */
		if (e != NULL) {
			s->st.captured[RUN_CAP_REALLOC]++;
			idtab_remove(&s->objs, e);
		}
		idtab_insert(&s->objs, key, handle, v);
	}
	hist_record(&s->st.lat[op->type], cycles);
	return cycles;
}

/* pcpu_balance_workfn(): the work the kernel queues runs soon after, in
 * the background. */
static void kmem_balance(struct sim *s)
{
	struct percpu_result r;

	if (percpu_balance_pending(s->pcpu)) {
		memset(&r, 0, sizeof r);
		percpu_balance(s->pcpu, &r);
	}
}

/* SLUB's fast path (the CPU's freelist) against every slower one. */
static void slab_path_record(struct sim *s, const struct slab_result *r)
{
	int row;

	switch (r->path) {
	case SLAB_PATH_FAST:
		row = 0;
		break;
	case SLAB_PATH_REFILL:
	case SLAB_PATH_CPU_PARTIAL:
	case SLAB_PATH_NODE_PARTIAL:
	case SLAB_PATH_NEW_SLAB:
		row = 1;
		break;
	case SLAB_PATH_FREE_FAST:
		row = 2;
		break;
	case SLAB_PATH_FREE_SLOW:
		row = 3;
		break;
	default:
		return;
	}
	hist_record(&s->st.lat_slab[row], r->cycles);
}

/*
 * The op format's slab flags are the trace's words for the engine's:
 * kmem_cache_create passes them through unchanged.
 */
_Static_assert(SLABF_HWCACHE_ALIGN == SLAB_HWCACHE_ALIGN &&
    SLABF_CACHE_DMA == SLAB_CACHE_DMA &&
    SLABF_CACHE_DMA32 == SLAB_CACHE_DMA32 && SLABF_PANIC == SLAB_PANIC &&
    SLABF_TYPESAFE_BY_RCU == SLAB_TYPESAFE_BY_RCU &&
    SLABF_NO_MERGE == SLAB_NO_MERGE && SLABF_ACCOUNT == SLAB_ACCOUNT &&
    SLABF_RECLAIM_ACCOUNT == SLAB_RECLAIM_ACCOUNT,
    "the op format's SLABF_* flags are the slab engine's SLAB_* flags");
/* Every op type has its counter and histogram in the run statistics. */
_Static_assert(OP_NR <= RUN_OP_TYPES, "RUN_OP_TYPES holds every op type");
/* An op that names no pfn names no frame of the machine. */
_Static_assert(OP_PFN_NONE == NO_PFN, "OP_PFN_NONE is NO_PFN");

/* The slab and percpu ops (simulate mode); the latency in cycles. */
static uint64_t sim_kmem(struct sim *s, const struct op *op, int cpu)
{
	bool captured = s->ts->captured, has_key;
	struct slab_result res;
	struct percpu_result pres;
	struct kmem_cache *c;
	struct idtab_entry *e;
	slab_handle_t h = SLAB_HANDLE_NONE;
	percpu_handle_t ph;
	uint64_t key = 0, handle;
	const char *name;
	char anon[32], *msg = NULL;
	int kind;

	has_key = obj_key(op, &key);
	switch (op->type) {
	case OP_KMEM_CACHE_CREATE:
		if (kmem_cache_create(s->slab, op->name,
		    (unsigned)KMSIM_MIN(op->bytes_req, UINT32_MAX),
		    (unsigned)op->align, op->flags, &c, &msg) != 0) {
			bad_op(s, op, RUN_SKIP_BAD_REQUEST, msg);
			return 0;
		}
		s->st.kmem_caches_created++;
		return 0;
	case OP_KMEM_CACHE_DESTROY:
		c = kmem_cache_lookup(s->slab, op->name);
		if (c == NULL) {
			xasprintf(&msg, "no cache '%s'", op->name);
			bad_op(s, op, RUN_SKIP_BAD_REQUEST, msg);
			return 0;
		}
		if (kmem_cache_destroy(s->slab, c, &res, &msg) != 0) {
			bad_op(s, op, RUN_SKIP_BAD_REQUEST, msg);
			return 0;
		}
		return res.cycles;
	case OP_KMEM_CACHE_ALLOC:
		name = op->name;
		if (name == NULL && captured) {
			/* kernels before 6.2 do not print the cache: one
			 * cache per object size stands in for theirs */
			snprintf(anon, sizeof anon, "anon-%" PRIu64,
			    op->bytes_alloc != 0 ? op->bytes_alloc :
			    op->bytes_req);
			name = anon;
		}
		c = kmem_cache_lookup(s->slab, name);
		if (c == NULL && captured)
			c = capture_cache(s, op, name, &msg);
		if (c == NULL) {
			if (msg == NULL && name == NULL)
				msg = xstrdup("kmem_cache_alloc without a "
				    "cache name");
			else if (msg == NULL)
				xasprintf(&msg, "no cache '%s'", name);
			bad_op(s, op, RUN_SKIP_BAD_REQUEST, msg);
			return 0;
		}
		if (kmem_cache_alloc(s->slab, c, cpu, op->gfp, &h, &res,
		    &msg) != 0) {
			bad_op(s, op, RUN_SKIP_BAD_REQUEST, msg);
			return 0;
		}
		slab_path_record(s, &res);
		return kmem_done(s, op, key, has_key, h, OBJ_CACHE,
		    h == SLAB_HANDLE_NONE, res.cycles, name);
	case OP_KMALLOC:
		if (kmalloc(s->slab, op->bytes_req, op->gfp, cpu, &h, &c, &res,
		    &msg) != 0) {
			bad_op(s, op, RUN_SKIP_BAD_REQUEST, msg);
			return 0;
		}
		slab_path_record(s, &res);
		return kmem_done(s, op, key, has_key, h, OBJ_KMALLOC,
		    h == SLAB_HANDLE_NONE && op->bytes_req > 0, res.cycles,
		    c != NULL ? c->name : NULL);
	case OP_PERCPU_ALLOC: {
		struct percpu_request r = { .size = op->bytes_req,
		    .align = op->align ? op->align : 1, .gfp = op->gfp,
		    .reserved = (op->flags & OPF_RESERVED) != 0, .cpu = cpu };

		if (captured && !(op->flags & OPF_ATOMIC))
			r.gfp |= GFP_BIT_DIRECT_RECLAIM;
		if (!captured && op->gfp == 0)
			r.gfp = GFP_KERNEL;
		if (percpu_alloc(s->pcpu, &r, &ph, &pres, &msg) != 0) {
			bad_op(s, op, RUN_SKIP_BAD_REQUEST, msg);
			return 0;
		}
		kmem_balance(s);
		return kmem_done(s, op, key, has_key, ph, OBJ_PERCPU,
		    pres.failed, pres.cycles, NULL);
	}
	case OP_KREALLOC:
	case OP_KFREE:
	case OP_KMEM_CACHE_FREE:
	case OP_PERCPU_FREE:
		break;
	default:
		return 0;
	}

	/* the frees (and krealloc): the object the key names */
	if (op->type == OP_KFREE && !op->has_id && op->ptr == 0) {
		s->st.kmem_free_null++;		/* kfree(NULL) */
		return 0;
	}
	e = has_key ? idtab_find(&s->objs, key) : NULL;
	if (e == NULL && has_key &&
	    (e = idtab_find(&s->failed, key)) != NULL) {
		idtab_remove(&s->failed, e);
		s->st.frees_of_failed++;
		return 0;
	}
	if (e == NULL) {
		struct sim_pre *p;

		if (captured) {
			/* allocated before the capture began */
			s->st.kmem_unknown_free++;
			if (op->type == OP_KMEM_CACHE_FREE &&
			    (p = pre_find(s, op->name)) != NULL)
				p->freed++;
			return 0;
		}
		xasprintf(&msg, "%s of id '%s' that is not allocated (never"
		    " allocated, or already freed)", op_yaml_name(op->type),
		    op_label(op));
		bad_op(s, op, RUN_SKIP_UNKNOWN_ID, msg);
		return 0;
	}
	handle = e->pfn;
	kind = OBJ_KIND(e->order);
	if (OBJ_PRE(e->order) > 0 && op->type != OP_KREALLOC)
		s->pre[OBJ_PRE(e->order) - 1].live--;
	if ((op->type == OP_PERCPU_FREE) != (kind == OBJ_PERCPU) ||
	    (op->type == OP_KMEM_CACHE_FREE && kind != OBJ_CACHE) ||
	    ((op->type == OP_KFREE || op->type == OP_KREALLOC) &&
	    kind == OBJ_PERCPU)) {
		if (!captured) {
			xasprintf(&msg, "%s of id '%s', an object %s"
			    " allocated", op_yaml_name(op->type), op_label(op),
			    kind == OBJ_PERCPU ? "alloc_percpu" :
			    kind == OBJ_CACHE ? "kmem_cache_alloc" : "kmalloc");
			bad_op(s, op, RUN_SKIP_ORDER_MISMATCH, msg);
			return 0;
		}
		s->st.captured[RUN_CAP_ORDER_MISMATCH]++;
		idtab_remove(&s->objs, e);
		return 0;
	}
	if (op->type == OP_PERCPU_FREE) {
		idtab_remove(&s->objs, e);
		if (percpu_free(s->pcpu, handle, cpu, &pres, &msg) != 0) {
			bad_op(s, op, RUN_SKIP_BAD_REQUEST, msg);
			return 0;
		}
		kmem_balance(s);
		hist_record(&s->st.lat[op->type], pres.cycles);
		return pres.cycles;
	}
	if (op->type == OP_KREALLOC) {
		slab_handle_t nh;

		if (krealloc(s->slab, (slab_handle_t)handle, op->bytes_req,
		    op->gfp, cpu, &nh, &c, &res, &msg) != 0) {
			bad_op(s, op, RUN_SKIP_BAD_REQUEST, msg);
			return 0;
		}
		if (nh != SLAB_HANDLE_NONE)
			e->pfn = nh;
		else
			s->st.kmem_failed++;	/* the old object stays */
		hist_record(&s->st.lat[op->type], res.cycles);
		return res.cycles;
	}
	idtab_remove(&s->objs, e);
	if (kind == OBJ_CACHE) {
		const struct slab *sl = slab_get(s->slab, (slab_handle_t)handle);

		if (sl == NULL || sl->cache == NULL ||
		    kmem_cache_free(s->slab, sl->cache, (slab_handle_t)handle,
		    cpu, &res, &msg) != 0) {
			if (msg == NULL)
				xasprintf(&msg, "free of a stale object");
			bad_op(s, op, RUN_SKIP_BAD_REQUEST, msg);
			return 0;
		}
	} else if (kfree(s->slab, (slab_handle_t)handle, cpu, &res,
	    &msg) != 0) {
		bad_op(s, op, RUN_SKIP_BAD_REQUEST, msg);
		return 0;
	}
	slab_path_record(s, &res);
	hist_record(&s->st.lat[op->type], res.cycles);
	return res.cycles;
}

/* The kernel virtual address and page size an access op starts from. */
static bool access_base(struct sim *s, const struct op *op, uint64_t *va,
    uint64_t *len, unsigned *shift)
{
	struct idtab_entry *e;
	const struct tlb_config *tc = s->tlb != NULL ? tlb_get_config(s->tlb) :
	    NULL;

	*shift = 0;
	if (!op->has_id) {
		*va = op->ptr;
		*len = op->end ? op->end : 4096;
		return true;
	}
	if ((e = idtab_find(&s->live, op->id)) != NULL) {
		/* a page block: through the direct map */
		*va = (tc != NULL ? tlb_page_offset(tc) : 0) +
		    (e->pfn << s->m->page_shift);
		*len = (uint64_t)s->m->page_size << e->order;
		return true;
	}
	if ((e = idtab_find(&s->objs, op->id)) != NULL) {
		int kind = OBJ_KIND(e->order);

		if (kind == OBJ_VMALLOC || kind == OBJ_STACK_VMAP) {
			struct idtab_entry *z = idtab_find(&s->vsize, op->id);

			*va = e->pfn;
			*len = kind == OBJ_STACK_VMAP ? UINT64_C(4096) <<
			    SIM_THREAD_SIZE_ORDER : z != NULL ? z->pfn : 4096;
			/* a huge vmalloc is mapped with 2 MiB pages */
			*shift = z != NULL && z->order ? 21 : 12;
			return true;
		}
		if (kind == OBJ_STACK_PAGES) {
			*va = (tc != NULL ? tlb_page_offset(tc) : 0) +
			    (e->pfn << s->m->page_shift);
			*len = UINT64_C(4096) << SIM_THREAD_SIZE_ORDER;
			return true;
		}
	}
	return false;
}

/* vmalloc, vfree, fork, exit, access, kmap, kunmap, and the captured
 * vmap area events (simulate mode); the latency in cycles. */
static uint64_t sim_vm(struct sim *s, const struct op *op, int cpu)
{
	bool has_key;
	struct vmalloc_request vr;
	struct vmalloc_result vres;
	struct highmem_result hres;
	struct tlb_result tres;
	struct alloc_result ares;
	struct idtab_entry *e;
	vmalloc_handle_t vh;
	uint64_t key = 0, va, len, i, stride, cycles = 0;
	unsigned shift;
	char *msg = NULL;

	has_key = obj_key(op, &key);
	memset(&vr, 0, sizeof vr);
	vr.cpu = cpu;
	vr.node = op->node;
	vr.gfp = op->gfp ? op->gfp : GFP_KERNEL;
	switch (op->type) {
	case OP_VMAP_ALLOC:
		/* alloc_vmap_area: the kernel's own placement, replayed */
		if (op->flags & OPF_FAILED)
			return 0;
		vr.size = op->bytes_req;
		vr.align = op->align;
		vr.flags = VMALLOC_F_VMAP;
		if (vmalloc_alloc_at(s->vm, op->ptr, &vr, &vh, &vres,
		    &msg) != 0) {
			free(msg);
			s->st.vm_failed++;
			return 0;
		}
		hist_record(&s->st.lat[op->type], vres.cycles);
		return vres.cycles;
	case OP_VMAP_FREE:
		if (vmalloc_free_at(s->vm, op->ptr, &vres, &msg) != 0) {
			free(msg);
			s->st.kmem_unknown_free++;
			return 0;
		}
		return vres.cycles;
	case OP_VMAP_PURGE:
		vmalloc_purge_range(s->vm, op->ptr, op->end, &vres);
		return vres.cycles;
	case OP_VMALLOC:
	case OP_FORK:
		if (op->type == OP_FORK && !s->cfg->vmap_stack) {
			struct alloc_request req = {
				.order = SIM_THREAD_SIZE_ORDER,
				.gfp = GFP_KERNEL, .migratetype = -1,
				.cpu = cpu, .policy = MPOL_LOCAL,
				.preferred_node = op->node >= 0 &&
				    op->node < s->m->nr_nodes ? op->node :
				    machine_cpu_node(s->m, cpu) };

			if (page_alloc(s->m, &req, &ares, &msg) != 0) {
				bad_op(s, op, RUN_SKIP_BAD_REQUEST, msg);
				return 0;
			}
			return kmem_done(s, op, key, has_key, ares.pfn,
			    OBJ_STACK_PAGES, ares.pfn == NO_PFN,
			    ares.cycles, NULL);
		}
		if (op->type == OP_FORK) {
			/* alloc_thread_stack_node(): THREAD_SIZE from
			 * vmalloc space, guard page after it */
			vr.size = UINT64_C(4096) << SIM_THREAD_SIZE_ORDER;
			vr.align = vr.size;
			vr.caller = "alloc_thread_stack_node";
		} else {
			vr.size = op->bytes_req;
			vr.align = op->align;
			if (op->flags & OPF_HUGE)
				vr.flags |= VMALLOC_F_HUGE;
		}
		if (vmalloc_alloc(s->vm, &vr, &vh, &vres, &msg) != 0) {
			bad_op(s, op, RUN_SKIP_BAD_REQUEST, msg);
			return 0;
		}
		if (vres.failed)
			s->st.vm_failed++;
		else if (has_key && op->type == OP_VMALLOC)
			idtab_insert(&s->vsize, key, vr.size,
			    vres.page_order > 0);
		return kmem_done(s, op, key, has_key, vh, op->type == OP_FORK ?
		    OBJ_STACK_VMAP : OBJ_VMALLOC, vres.failed, vres.cycles,
		    NULL);
	case OP_VFREE:
	case OP_EXIT:
		e = has_key ? idtab_find(&s->objs, key) : NULL;
		if (e == NULL && has_key &&
		    (e = idtab_find(&s->failed, key)) != NULL) {
			idtab_remove(&s->failed, e);
			s->st.frees_of_failed++;
			return 0;
		}
		if (e == NULL || (op->type == OP_VFREE &&
		    OBJ_KIND(e->order) != OBJ_VMALLOC) ||
		    (op->type == OP_EXIT && OBJ_KIND(e->order) != OBJ_STACK_VMAP &&
		    OBJ_KIND(e->order) != OBJ_STACK_PAGES)) {
			xasprintf(&msg, "%s of id '%s' that is not %s",
			    op_yaml_name(op->type), op_label(op),
			    op->type == OP_VFREE ? "vmalloc'd" :
			    "a live task");
			bad_op(s, op, RUN_SKIP_UNKNOWN_ID, msg);
			return 0;
		}
		vh = e->pfn;
		if ((e = idtab_find(&s->vsize, key)) != NULL)
			idtab_remove(&s->vsize, e);
		e = idtab_find(&s->objs, key);
		if (OBJ_KIND(e->order) == OBJ_STACK_PAGES) {
			idtab_remove(&s->objs, e);
			page_free(s->m, vh, SIM_THREAD_SIZE_ORDER, cpu, &ares);
			cycles = ares.cycles;
		} else {
			idtab_remove(&s->objs, e);
			if (vmalloc_free(s->vm, vh, &vres, &msg) != 0) {
				bad_op(s, op, RUN_SKIP_BAD_REQUEST, msg);
				return 0;
			}
			cycles = vres.cycles;
		}
		hist_record(&s->st.lat[op->type], cycles);
		return cycles;
	case OP_ACCESS:
		if (!access_base(s, op, &va, &len, &shift)) {
			xasprintf(&msg, "access of id '%s' that is not"
			    " allocated", op_label(op));
			bad_op(s, op, RUN_SKIP_UNKNOWN_ID, msg);
			return 0;
		}
		if (op->end != 0 && op->has_id)
			len = KMSIM_MIN(len, op->end);
		stride = op->align ? op->align : 4096;
		s->st.accesses += op->nr;
		if (s->tlb == NULL)
			return 0;
		for (i = 0; i < op->nr; i++) {
			memset(&tres, 0, sizeof tres);
			tlb_access(s->tlb, cpu, va + (i * stride) % len, shift,
			    (op->flags & OPF_WRITE) != 0, &tres);
			cycles += tres.cycles;
		}
		hist_record(&s->st.lat[op->type], cycles);
		return cycles;
	case OP_KMAP:
	case OP_KUNMAP:
		e = op->has_id ? idtab_find(&s->live, op->id) : NULL;
		if (e == NULL) {
			xasprintf(&msg, "%s of id '%s' that is not an allocated"
			    " page block", op_yaml_name(op->type),
			    op_label(op));
			bad_op(s, op, RUN_SKIP_UNKNOWN_ID, msg);
			return 0;
		}
		if (s->hm == NULL)
			return 0;	/* no highmem: the direct map */
		memset(&hres, 0, sizeof hres);
		if (op->type == OP_KMAP && (op->flags & OPF_LOCAL) ?
		    highmem_kmap_local(s->hm, cpu, e->pfn, &hres, &msg) :
		    op->type == OP_KMAP ? highmem_kmap(s->hm, e->pfn, cpu,
		    &hres, &msg) : (op->flags & OPF_LOCAL) ?
		    highmem_kunmap_local(s->hm, cpu, &hres, &msg) :
		    highmem_kunmap(s->hm, e->pfn, &hres, &msg)) {
			bad_op(s, op, RUN_SKIP_BAD_REQUEST, msg);
			return 0;
		}
		if (hres.waited)
			s->st.kmap_waits++;
		hist_record(&s->st.lat[op->type], hres.cycles);
		return hres.cycles;
	default:
		return 0;
	}
}

/* Issue one op in simulate mode; returns its latency in cycles. */
static uint64_t sim_issue(struct sim *s, const struct op *op)
{
	struct alloc_request req;
	struct alloc_result res;
	struct idtab_entry *e;
	bool captured = s->ts->captured;
	char *msg = NULL;
	int cpu;

	cpu = op->cpu < 0 ? 0 : op->cpu;
	if (captured) {
		/* the capture's CPUs onto this machine's */
		cpu %= s->m->nr_cpus;
	} else if (cpu >= s->m->nr_cpus) {
		xasprintf(&msg, "cpu %d does not exist (the machine has %d)",
		    cpu, s->m->nr_cpus);
		bad_op(s, op, RUN_SKIP_BAD_REQUEST, msg);
		return 0;
	}
	switch (op->type) {
	case OP_ALLOC_PAGES:
		if (captured && (op->flags & OPF_FAILED))
			s->st.captured[RUN_CAP_FAILED_IN_TRACE]++;
		if (op->has_id && (e = idtab_find(&s->live, op->id)) != NULL) {
			if (!captured) {
				xasprintf(&msg, "id '%s' is already allocated",
				    op_label(op));
				bad_op(s, op, RUN_SKIP_DUPLICATE_ID, msg);
				return 0;
			}
			/* its free was never seen: forget the old one */
			s->st.captured[RUN_CAP_REALLOC]++;
			forget(s, e);
		}
		req.order = op->order;
		req.gfp = op->gfp;
		req.preferred_node = op->node >= 0 && !captured ? op->node :
		    machine_cpu_node(s->m, cpu);
		req.migratetype = op->migratetype;
		req.cpu = cpu;
		req.policy = op->policy >= 0 ? (enum mpol_mode)op->policy :
		    s->cfg->mempolicy;
		req.nodemask = op->policy >= 0 ? op->nodemask :
		    s->cfg->mempolicy_nodes;
		if (page_alloc(s->m, &req, &res, &msg) != 0) {
			bad_op(s, op, RUN_SKIP_BAD_REQUEST, msg);
			return 0;
		}
		s->st.splits += res.splits;
		if (res.fallback)
			s->st.fallbacks++;
		if (res.stalled) {
			hist_record(&s->st.lat_stall, res.cycles);
			s->st.stall_cycles += res.cycles;
		}
		s->st.nr_compacted += res.compacted;
		s->st.nr_reclaimed += res.reclaimed;
		if (res.pfn == NO_PFN) {
			run_stats_record_failure(&s->st, op->order, op->gfp,
			    req.preferred_node);
			/* its free, if the trace has one, frees nothing */
			if (op->has_id)
				idtab_insert(&s->failed, op->id, NO_PFN,
				    op->order);
			hist_record(&s->st.lat_failed, res.cycles);
			return res.cycles;
		}
		s->last_pfn = res.pfn;
		if (res.zone->node != req.preferred_node)
			s->st.remote_allocs++;
		if (op->has_id && !(op->flags & OPF_FAILED)) {
			idtab_insert(&s->live, op->id, res.pfn, op->order);
			if (s->failed.len > 0 &&
			    (e = idtab_find(&s->failed, op->id)) != NULL)
				idtab_remove(&s->failed, e);
		}
		hist_record(&s->st.lat[op->type], res.cycles);
		return res.cycles;
	case OP_FREE_PAGES:
		e = op->has_id ? idtab_find(&s->live, op->id) : NULL;
		if (e == NULL && op->has_id &&
		    (e = idtab_find(&s->failed, op->id)) != NULL) {
			/* a trace cannot know which of its allocations the
			 * model fails: the free of one is counted, not bad */
			idtab_remove(&s->failed, e);
			s->st.frees_of_failed++;
			return 0;
		}
		if (e == NULL) {
			if (captured) {
				s->st.captured[RUN_CAP_FREE_PREEXISTING]++;
				return free_preexisting(s, op, cpu);
			}
			xasprintf(&msg, "free of id '%s' that is not allocated"
			    " (never allocated, or already freed)",
			    op_label(op));
			bad_op(s, op, RUN_SKIP_UNKNOWN_ID, msg);
			return 0;
		}
		if (op->has_order && op->order != e->order) {
			if (captured) {
				/* the kernel freed part of a block, or a
				 * free was lost: keep the model consistent */
				s->st.captured[RUN_CAP_ORDER_MISMATCH]++;
				if (op->order < e->order)
					return 0;
			} else {
				xasprintf(&msg, "free of id '%s' with order %u,"
				    " but it was allocated with order %u",
				    op_label(op), op->order, e->order);
				bad_op(s, op, RUN_SKIP_ORDER_MISMATCH, msg);
				return 0;
			}
		}
		page_free(s->m, e->pfn, e->order, cpu, &res);
		s->last_pfn = e->pfn;
		forget(s, e);
		s->st.merges += res.merges;
		hist_record(&s->st.lat[op->type], res.cycles);
		return res.cycles;
	case OP_PAGE_FREE_BATCHED:
	case OP_PAGE_ALLOC_ZONE_LOCKED:
	case OP_PAGE_PCPU_DRAIN:
		/* the real kernel's own moves: the model makes its own */
		s->st.captured[RUN_CAP_INTERNAL]++;
		return 0;
	case OP_KMEM_CACHE_CREATE:
	case OP_KMEM_CACHE_DESTROY:
	case OP_KMEM_CACHE_ALLOC:
	case OP_KMEM_CACHE_FREE:
	case OP_KMALLOC:
	case OP_KFREE:
	case OP_KREALLOC:
	case OP_PERCPU_ALLOC:
	case OP_PERCPU_FREE:
		return sim_kmem(s, op, cpu);
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
		return sim_vm(s, op, cpu);
	default:
		break;
	}
	/* the file ops and a capture's filemap and writeback events */
	if (op_file_type(op->type) && s->pc != NULL) {
		uint64_t cycles = 0;

		if (op_file_issue(s->pc, op, cpu, &cycles, &msg) != 0) {
			bad_op(s, op, RUN_SKIP_BAD_REQUEST, msg);
			return 0;
		}
		if (!captured)
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
	if (s->pc != NULL)
		n += pagecache_values(s->pc, names + n, v + n,
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
	    db_write_slabinfo(s->db, s->run_id, s->slab, &cause) != 0 ||
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
	dump_write(s->m, s->slab, s->vm, k, s->opt.nr_dump_at > 0 ||
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

	if (s->opt.dump_kinds == 0 || s->error != 0)
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

/*
 * Turn the engines' wake-up requests into events: kswapd and kcompactd of
 * a node run SIM_WAKE_NS after they were woken, once per wake-up.
 */
static void wake_actors(struct sim *s, uint64_t now)
{
	struct machine *m = s->m;
	uint64_t delay = machine_ns_to_cycles(m, SIM_WAKE_NS);
	int n;

	if (s->kswapd == NULL)
		return;
	for (n = 0; n < m->nr_nodes; n++) {
		struct node *nd = &m->nodes[n];

		if (nd->kswapd_wake && !nd->kswapd_pending) {
			nd->kswapd_pending = true;
			evq_push(&s->q, &s->kswapd[n].ev, now + delay);
		}
		nd->kswapd_wake = false;
		if (nd->kcompactd_wake && !nd->kcompactd_pending) {
			nd->kcompactd_pending = true;
			evq_push(&s->q, &s->kcompactd[n].ev, now + delay);
		}
		nd->kcompactd_wake = false;
	}
}

/* kswapd's run: again after its own work while it makes progress. */
static void on_kswapd(struct evq *q, struct evq_event *ev, void *arg)
{
	struct sim_actor *a = arg;
	struct sim *s = a->s;
	uint64_t cycles = 0;

	(void)ev;
	if (kswapd_run(s->m, a->node, &cycles))
		evq_push(q, &a->ev, q->now + cycles);
	else
		s->m->nodes[a->node].kswapd_pending = false;
	s->st.kswapd_cycles += cycles;
	wake_actors(s, q->now + cycles);
}

static void on_kcompactd(struct evq *q, struct evq_event *ev, void *arg)
{
	struct sim_actor *a = arg;
	struct sim *s = a->s;
	uint64_t cycles = 0;

	(void)ev;
	kcompactd_run(s->m, a->node, &cycles);
	s->m->nodes[a->node].kcompactd_pending = false;
	s->st.kcompactd_cycles += cycles;
	wake_actors(s, q->now + cycles);
}

/* mm/compaction.c:kcompactd()'s timeout: proactive compaction of every
 * node whose fragmentation score is above the proactiveness mark. */
static void on_proactive(struct evq *q, struct evq_event *ev, void *arg)
{
	struct sim *s = arg;
	uint64_t cycles = 0;
	int n;

	for (n = 0; n < s->m->nr_nodes; n++) {
		unsigned before;

		/* a round that did not lower the score defers the next
		 * 2^COMPACT_MAX_DEFER_SHIFT checks */
		if (s->proactive_defer[n] > 0) {
			s->proactive_defer[n]--;
			continue;
		}
		if (s->m->nodes[n].kcompactd_pending ||
		    !should_proactive_compact_node(s->m, n))
			continue;
		before = fragmentation_score_node(s->m, n);
		proactive_compact_node(s->m, n, &cycles);
		if (fragmentation_score_node(s->m, n) >= before)
			s->proactive_defer[n] = 1u << COMPACT_MAX_DEFER_SHIFT;
	}
	s->st.kcompactd_cycles += cycles;
	if (!s->trace_done)
		evq_push(q, ev, q->now + machine_ns_to_cycles(s->m,
		    SIM_PROACTIVE_NS));
}

/* A vmalloc purge flushes the kernel range on every CPU. */
static void sim_vm_flush(void *arg, uint64_t start, uint64_t end)
{
	struct sim *s = arg;
	struct tlb_result r;

	s->st.vm_purges++;
	if (s->tlb == NULL)
		return;
	memset(&r, 0, sizeof r);
	tlb_shootdown(s->tlb, 0, start, end, &r);
	s->st.shootdown_cycles += r.cycles;
}

/* mm/vmscan.c:shrink_slab(), as kmsim has it: the slab caches' empty
 * slabs back to the buddy. */
static uint64_t sim_shrink_slab(void *arg, uint64_t want, uint64_t *cycles)
{
	struct sim *s = arg;
	struct slab_result res;
	uint64_t got;

	(void)want;
	memset(&res, 0, sizeof res);
	got = slab_shrink(s->slab, &res);
	*cycles += res.cycles;
	s->st.slab_reclaimed += got;
	return got;
}

/* A task sleeps in the page cache: its wake-up requests become events. */
static void sim_pc_sleep(void *arg, uint64_t now)
{
	wake_actors(arg, now);
}

/* mm/vmscan.c:shrink_lruvec() of a node: the page cache's file LRU. */
static uint64_t sim_shrink_lru(void *arg, int node, uint64_t want,
    bool kswapd, uint64_t *cycles)
{
	struct sim *s = arg;

	return pagecache_shrink(s->pc, node, want, kswapd, cycles);
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

	if (s->pc == NULL || !s->ts->captured)
		return NULL;
	for (i = 0; i < 2; i++)
		if (bundle_vmstat(s, "before", names[i], &b[i]) != 0 ||
		    bundle_vmstat(s, "after", names[i], &a[i]) != 0)
			return NULL;
	n = pagecache_values(s->pc, pn, pv, SIM_VM_VALUES);
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

/* The caches' active objects of a bundle's snapshot, NULL if none. */
static struct procfs_slab *bundle_slabinfo(struct sim *s, const char *which,
    size_t *n)
{
	struct procfs_slab *sl = NULL;
	char name[64], *text, *cause = NULL;

	*n = 0;
	snprintf(name, sizeof name, "%s/slabinfo", which);
	if (s->opt.bundle == NULL || !bundle_has_member(s->opt.bundle, name))
		return NULL;
	text = bundle_member_text(s->opt.bundle, name, 16 << 20, &cause);
	if (text == NULL || procfs_parse_slabinfo(name, text, &sl, n,
	    &cause) != 0) {
		free(cause);
		free(text);
		return NULL;
	}
	free(text);
	return sl;
}

/*
 * The slab and percpu allocators of a simulate run.  A captured trace's
 * own page events already hold the pages the kernel's slabs and percpu
 * chunks took: their models then take pages from a shadow copy of the
 * machine, so slab geometry and fragmentation come from the model while
 * every page is counted once.  A YAML trace's slabs are the machine's.
 */
static int kmem_setup(struct sim *s, char **cause)
{
	struct machine *host = s->m;
	struct slab_opts so;
	struct procfs_slab *sl;
	size_t i, n;

	if (s->replay != NULL)
		return 0;
	if (s->ts->captured) {
		s->shadow = machine_create(s->cfg, cause);
		if (s->shadow == NULL)
			return -1;
		host = s->shadow;
	}
	slab_opts_default(&so);
	so.merge = s->cfg->slab_merge;
	so.cpu_partial = s->cfg->slab_cpu_partial;
	so.min_objects = s->cfg->slab_min_objects;
	so.max_order = s->cfg->slab_max_order;
	s->slab = slab_world_create(host, &so);
	s->pcpu = percpu_create(host, NULL);
	if (strcmp(s->cfg->tlb, "none") != 0) {
		struct tlb_config tc;

		if (tlb_preset(s->cfg->tlb, &tc, cause) != 0)
			return -1;
		tc.paging_levels = s->cfg->paging_levels;
		tc.direct_map_bytes = host->max_pfn << host->page_shift;
		tlb_config_set_costs(&tc, &host->cost);
		s->tlb = tlb_create(host->nr_cpus, &tc);
		if (s->tlb == NULL)
			return kmsim_fail(cause, "%s: the TLB preset '%s' does"
			    " not fit this machine", s->cfg->path,
			    s->cfg->tlb);
	}
	{
		struct vmalloc_opts vo;

		memset(&vo, 0, sizeof vo);
		/* one shoot-down per purge (flush_tlb_kernel_range()) */
		vo.flush = sim_vm_flush;
		vo.flush_arg = s;
		s->vm = vmalloc_create(host, &vo);
	}
	if (host->has_zone[ZONE_HIGHMEM])
		s->hm = highmem_create(host, NULL);
	if (!s->ts->captured) {
		s->m->shrink_slab = sim_shrink_slab;
		s->m->shrink_arg = s;
	}
	/*
	 * The page cache: a YAML trace's files live in the machine's
	 * memory and reclaim takes them back; a capture's filemap and
	 * writeback events are followed on the books only (its pages are
	 * in its page events already, and its evictions are the kernel's).
	 */
	s->pc = pagecache_create(s->m, &s->q, s->cfg, s->ts->captured);
	pagecache_set_sleep_hook(s->pc, sim_pc_sleep, s);
	if (!s->ts->captured) {
		s->m->shrink_lru = sim_shrink_lru;
		s->m->lru_arg = s;
	}
	/* the objects the caches held when the capture began */
	sl = bundle_slabinfo(s, "before", &n);
	if (sl != NULL) {
		s->pre = xcalloc(n, sizeof *s->pre);
		for (i = 0; i < n; i++) {
			snprintf(s->pre[i].name, sizeof s->pre[i].name, "%s",
			    sl[i].name);
			s->pre[i].active = sl[i].active_objs;
		}
		s->nr_pre = n;
		free(sl);
	}
	return 0;
}

/*
 * The objects per cache at the end against the kernel's after/slabinfo:
 * what its before/slabinfo had, less the frees of those the trace showed,
 * plus the trace's own objects still alive, counted by the name the
 * kernel gave them (kmalloc objects by the model's size class).
 */
static json_t *slab_fidelity_json(struct sim *s);

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
	if (s->vm != NULL) {
		struct vmalloc_stats st;

		vmalloc_get_stats(s->vm, &st);
		VAL("vmalloc_used_bytes", st.used_bytes);
		VAL("vmalloc_mapped_pages", st.mapped_pages);
		VAL("vmalloc_free_areas", st.nr_free_areas);
		VAL("vmalloc_largest_free", st.largest_free);
		VAL("vmalloc_lazy_pages", st.lazy_pages);
		VAL("vmalloc_purges", st.nr_purges);
		VAL("vmalloc_failed", st.nr_failed);
		VAL("pagetable_pages", st.pt_pages_total);
	}
	if (s->tlb != NULL) {
		struct tlb_stats ts;

		tlb_get_stats(s->tlb, -1, &ts);
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
	if (s->hm != NULL) {
		struct highmem_stats hs;

		highmem_get_stats(s->hm, &hs);
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

	if (s->slab == NULL) {
		json_decref(caches);
		return o;
	}
	for (i = 0; i < s->slab->nr_caches; i++) {
		const struct kmem_cache *c = s->slab->caches[i];
		struct slab_info in;

		slab_get_info(s->slab, c, &in);
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
	    (json_int_t)s->slab->nr_slab_reclaimable));
	json_object_set_new(o, "unreclaimable_pages", json_integer(
	    (json_int_t)s->slab->nr_slab_unreclaimable));
	json_object_set_new(o, "shadow", json_integer(s->shadow != NULL));
	percpu_get_stats(s->pcpu, &ps);
	json_object_set_new(o, "percpu", json_pack("{s:I, s:I, s:I, s:I}",
	    "chunks", (json_int_t)ps.nr_chunks, "populated_pages",
	    (json_int_t)ps.populated_pages, "allocations",
	    (json_int_t)ps.nr_cur_alloc, "bytes_in_use",
	    (json_int_t)ps.bytes_in_use));
	if ((fid = slab_fidelity_json(s)) != NULL)
		json_object_set_new(o, "fidelity", fid);
	return o;
}

static json_t *slab_fidelity_json(struct sim *s)
{
	struct procfs_slab *after;
	json_t *o, *worst = json_array();
	size_t i, n, compared = 0, within1 = 0, within10 = 0;
	double sum_abs = 0, sum_kernel = 0;

	after = bundle_slabinfo(s, "after", &n);
	if (after == NULL || s->nr_pre == 0) {
		free(after);
		json_decref(worst);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		const struct sim_pre *p = pre_find(s, after[i].name);
		double model, kernel = (double)after[i].active_objs, d;

		if (p == NULL || (p->active == 0 && kernel == 0 &&
		    p->live == 0))
			continue;
		model = (double)(p->active > p->freed ? p->active - p->freed :
		    0) + (double)p->live;
		d = model > kernel ? model - kernel : kernel - model;
		compared++;
		sum_abs += d;
		sum_kernel += kernel;
		if (d <= kernel * 0.01)
			within1++;
		if (d <= kernel * 0.10)
			within10++;
		if (d > 0 && d >= kernel * 0.10 && json_array_size(worst) < 10)
			json_array_append_new(worst, json_pack("{s:s, s:f, s:f}",
			    "cache", after[i].name, "model", model,
			    "kernel", kernel));
	}
	free(after);
	o = json_object();
	json_object_set_new(o, "caches", json_integer((json_int_t)compared));
	json_object_set_new(o, "within_1pct", json_integer(
	    (json_int_t)within1));
	json_object_set_new(o, "within_10pct", json_integer(
	    (json_int_t)within10));
	json_object_set_new(o, "objects_kernel", json_real(sum_kernel));
	json_object_set_new(o, "objects_abs_diff", json_real(sum_abs));
	json_object_set_new(o, "off_by_10pct", worst);
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
		evq_cancel(&s->q, &s->proactive);
		if (s->pc != NULL)
			pagecache_stop(s->pc);
		return;
	}
	evq_push(&s->q, &s->cursor, op_time(s, &s->op));
}

/* Every engine's invariants (the free lists of the buddy in full). */
static int sim_check_all(struct sim *s, char **cause)
{
	if (buddy_check(s->m, cause) != 0 ||
	    (s->shadow != NULL && buddy_check(s->shadow, cause) != 0) ||
	    (s->slab != NULL && slab_check(s->slab, cause) != 0) ||
	    (s->pcpu != NULL && percpu_check(s->pcpu, cause) != 0) ||
	    (s->vm != NULL && vmalloc_check(s->vm, cause) != 0) ||
	    (s->hm != NULL && highmem_check(s->hm, cause) != 0) ||
	    (s->pc != NULL && pagecache_check(s->pc, cause) != 0))
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
	if (s->last_pfn != NO_PFN &&
	    buddy_check_around(s->m, s->last_pfn, cause) != 0)
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
	s->last_pfn = NO_PFN;
	/* an op that sleeps (a throttled writer) lets the queue run on:
	 * its latency counts from its start */
	lat = s->replay != NULL ? sim_replay(s, &s->op) : sim_issue(s, &s->op);
	s->st.events++;
	s->st.op_count[s->op.type]++;
	s->ops_since_snapshot++;
	s->next_free_time = KMSIM_MAX(start + lat, q->now);
	if (s->next_free_time > s->end_time)
		s->end_time = s->next_free_time;
	if (s->opt.check && s->error == 0 && sim_check(s, &cause) != 0) {
		sim_fail(s, kmsim_cause_at(&s->op.pos, "invariant violated"
		    " after this op: %s", cause));
		free(cause);
	}
	if ((s->st.events & 0xffff) == 0)
		progress(s, false);
	wake_actors(s, s->next_free_time);
	if (s->error == 0)
		advance_cursor(s);
}

/* Replay's end: the model against the bundle's last snapshot. */
static void sim_compare(struct sim *s)
{
	struct kpageflags after = { NULL, 0 };
	struct procfs_zones zs = { NULL, 0 };
	char *cause = NULL;
	int have_after = 0;

	if (s->opt.bundle != NULL) {
		have_after = bundle_kpageflags(s->opt.bundle, "after", &after,
		    &cause) == 0;
		free(cause);
		cause = NULL;
		if (bundle_snapshot_dir(s->opt.bundle, "after") != NULL &&
		    bundle_zones(s->opt.bundle, "after", &zs, &cause) != 0) {
			procfs_zones_free(&zs);
			free(cause);
		}
	}
	replay_compare(s->replay, s->kp_before.nr ? &s->kp_before : NULL,
	    have_after ? &after : NULL, &zs, &s->fidelity);
	s->have_fidelity = true;
	kpageflags_free(&after);
	procfs_zones_free(&zs);
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
			j = replay_json(s->replay, s->have_fidelity ?
			    &s->fidelity : NULL);
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
	if (s->pc != NULL) {
		const struct pc_writer *w;
		int nw;

		for (t = 0; t < PC_LAT_NR; t++) {
			const struct hist *h = pagecache_hist(s->pc,
			    (enum pc_hist)t);

			snprintf(buf, sizeof buf, "pagecache_%s",
			    pc_hist_names[t]);
			if (h->count > 0 && db_write_latency(s->db, s->run_id,
			    buf, h, s->m->cpu_mhz, cause) != 0)
				return -1;
		}
		w = pagecache_writers(s->pc, &nw);
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
		n = s->pc != NULL ? pagecache_values(s->pc, names, v,
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
	    (double)s->st.kswapd_cycles, cause) != 0 ||
	    db_write_counter(s->db, s->run_id, "kcompactd.cycles",
	    (double)s->st.kcompactd_cycles, cause) != 0)
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
	    (double)s->live.len, cause) != 0 ||
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
	/* replay between the snapshots' markers when the bundle has them */
	s->window = 0;
	if (s->replay != NULL && s->opt.bundle != NULL &&
	    json_object_get(bundle_manifest(s->opt.bundle), "markers") != NULL) {
		const struct bundle *b = s->opt.bundle;

		s->marker_start = manifest_marker(b, "before_kpageflags_begin",
		    manifest_marker(b, "before_begin", NULL));
		s->marker_stop = manifest_marker(b, "after_kpageflags_begin",
		    manifest_marker(b, "after_begin", NULL));
		s->marker_read_end[0] = manifest_marker(b, "before_end", NULL);
		s->marker_read_end[1] = manifest_marker(b, "after_end", NULL);
		if (s->marker_read_end[0] == NULL ||
		    s->marker_read_end[1] == NULL)
			s->marker_read_end[0] = s->marker_read_end[1] = NULL;
		if (s->marker_start != NULL && s->marker_stop != NULL)
			s->window = -1;
		else
			s->marker_start = NULL;
	}
	evq_event_init(&s->cursor, on_cursor, s);
	evq_event_init(&s->snapshot, on_snapshot, s);
	evq_event_init(&s->proactive, on_proactive, s);
	if (kmem_setup(s, cause) != 0)
		return -1;
	/* the background actors act in simulate mode: in replay the
	 * trace already holds what the kernel's own did */
	if (s->replay == NULL) {
		int n;

		s->kswapd = xcalloc((size_t)s->m->nr_nodes, sizeof *s->kswapd);
		s->kcompactd = xcalloc((size_t)s->m->nr_nodes,
		    sizeof *s->kcompactd);
		s->proactive_defer = xcalloc((size_t)s->m->nr_nodes,
		    sizeof *s->proactive_defer);
		for (n = 0; n < s->m->nr_nodes; n++) {
			s->kswapd[n].s = s->kcompactd[n].s = s;
			s->kswapd[n].node = s->kcompactd[n].node = n;
			evq_event_init(&s->kswapd[n].ev, on_kswapd,
			    &s->kswapd[n]);
			evq_event_init(&s->kcompactd[n].ev, on_kcompactd,
			    &s->kcompactd[n]);
		}
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
	if (!s->trace_done && s->kswapd != NULL &&
	    s->cfg->compaction_proactiveness > 0)
		evq_push(&s->q, &s->proactive, machine_ns_to_cycles(s->m,
		    SIM_PROACTIVE_NS));
	while (s->error == 0 && !sim_interrupted && evq_run_one(&s->q))
		;
	if (s->error == 0 && s->opt.check &&
	    (buddy_check_frames(s->m, &dbcause) != 0 ||
	    sim_check_all(s, &dbcause) != 0)) {
		sim_fail(s, kmsim_cause_at(NULL, "invariant violated at the"
		    " end: %s", dbcause));
		free(dbcause);
		dbcause = NULL;
	}
	if (s->q.now < s->end_time)
		s->q.now = s->end_time;
	if (s->error == 0 && s->replay != NULL)
		sim_compare(s);
	s->wall_seconds = wall_now() - s->wall_start;
	progress(s, true);
	if (ts->ops->digest != NULL)
		ts->ops->digest(ts, s->trace_sha256);

	s->status = s->error ? "failed" : sim_interrupted ? "interrupted" :
	    "complete";
	sim_dump_end(s);
	if (db != NULL && s->error == 0) {
		/* the final snapshot and the aggregates */
		s->ops_since_snapshot = 1;
		write_snapshot(s, s->q.now);
		if (s->error == 0 && db_record_results(s, &dbcause) != 0)
			sim_fail(s, dbcause);
		if (s->error == 0 && db_txn_commit(db, &dbcause) != 0)
			sim_fail(s, dbcause);
		s->status = s->error ? "failed" : s->status;
	}

out_end:
	if (db != NULL) {
		if (s->error != 0)
			db_txn_rollback(db);
		memset(&end, 0, sizeof end);
		end.status = s->status;
		end.error = s->cause;
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
			end.error = s->cause;
			if (db_run_end(db, s->run_id, &end, &dbcause) != 0)
				free(dbcause);
		}
	}
	if (s->error != 0) {
		*cause = s->cause;
		s->cause = NULL;
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
	if (s->pc != NULL) {
		for (t = 0; t < PC_LAT_NR; t++) {
			const struct hist *h = pagecache_hist(s->pc,
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
	if (s->slab != NULL)
		json_object_set_new(root, "slab", kmem_json((struct sim *)s));
	if (s->pc != NULL) {
		const struct pc_writer *w;
		json_t *wa = json_array(), *po = json_object(), *fid;
		const char *names[SIM_VM_VALUES];
		uint64_t v[SIM_VM_VALUES];
		int nw, k, n;

		n = pagecache_values(s->pc, names, v, SIM_VM_VALUES);
		for (k = 0; k < n; k++)
			json_object_set_new(po, names[k], json_integer(
			    (json_int_t)v[k]));
		if ((fid = pagecache_fidelity_json((struct sim *)s)) != NULL)
			json_object_set_new(po, "fidelity", fid);
		json_object_set_new(root, "pagecache", po);

		w = pagecache_writers(s->pc, &nw);
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
	    (json_int_t)s->live.len));

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
			    s->replay, s->have_fidelity ? &s->fidelity : NULL));
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
