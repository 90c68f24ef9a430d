/*
 * op_kmem.c - the slab and percpu ops as requests to mm/slab.c and
 * mm/percpu.c, and a capture's caches and objects from before it.
 */
#include "kmsim_config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/percpu.h"
#include "mm/slab.h"
#include "ops/op_kmem.h"
#include "trace/procfs.h"

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

/* A cache's objects allocated before a capture began, from the bundle's
 * before/slabinfo (active_objs), and what the trace freed of them. */
struct op_kmem_pre {
	char name[64];
	uint64_t active;	/* at the start */
	uint64_t freed;		/* frees of objects the trace never made */
	uint64_t live;		/* the trace's own objects alive */
};
/* An object table entry's order field: its kind (OBJ_KIND()), and the
 * index + 1 of the op_kmem_pre of its cache name (0: none). */
#define OBJ_PRE(v)	((size_t)((v) >> 4))

struct op_kmem {
	struct ops_ctx *ctx;
	struct bundle *bundle;
	struct op_kmem_pre *pre;	/* objects before the capture, per
					   cache (its before/slabinfo) */
	size_t nr_pre;
};

/* The caches' active objects of a bundle's snapshot, NULL if none. */
static struct procfs_slab *bundle_slabinfo(struct bundle *b,
    const char *which, size_t *n)
{
	struct procfs_slab *sl = NULL;
	char name[64], *text, *cause = NULL;

	*n = 0;
	snprintf(name, sizeof name, "%s/slabinfo", which);
	if (b == NULL || !bundle_has_member(b, name))
		return NULL;
	text = bundle_member_text(b, name, 16 << 20, &cause);
	if (text == NULL || procfs_parse_slabinfo(name, text, &sl, n,
	    &cause) != 0) {
		free(cause);
		free(text);
		return NULL;
	}
	free(text);
	return sl;
}

struct op_kmem *op_kmem_create(struct ops_ctx *ctx, struct bundle *b)
{
	struct op_kmem *k = xcalloc(1, sizeof *k);
	struct procfs_slab *sl;
	size_t i, n;

	k->ctx = ctx;
	k->bundle = b;
	/* the objects the caches held when the capture began */
	sl = bundle_slabinfo(b, "before", &n);
	if (sl != NULL) {
		k->pre = xcalloc(n, sizeof *k->pre);
		for (i = 0; i < n; i++) {
			snprintf(k->pre[i].name, sizeof k->pre[i].name, "%s",
			    sl[i].name);
			k->pre[i].active = sl[i].active_objs;
		}
		k->nr_pre = n;
		free(sl);
	}
	return k;
}

void op_kmem_destroy(struct op_kmem *k)
{
	if (k == NULL)
		return;
	free(k->pre);
	free(k);
}

static struct op_kmem_pre *pre_find(const struct op_kmem *k,
    const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < k->nr_pre; i++)
		if (strcmp(k->pre[i].name, name) == 0)
			return &k->pre[i];
	return NULL;
}

/* The per-name count of a cache the capture shows (a new one: 0 at the
 * start); NULL without a bundle's slabinfo to compare with. */
static struct op_kmem_pre *pre_get(struct op_kmem *k, const char *name)
{
	struct op_kmem_pre *p;

	if (k->pre == NULL || name == NULL)
		return NULL;
	if ((p = pre_find(k, name)) != NULL)
		return p;
	k->pre = xreallocarray(k->pre, k->nr_pre + 1, sizeof *k->pre);
	p = &k->pre[k->nr_pre++];
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
static struct kmem_cache *capture_cache(struct op_kmem *k, const struct op *op,
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
	if (kmem_cache_create(k->ctx->slab, name, (unsigned)req, align, 0, &c,
	    cause) != 0)
		return NULL;
	k->ctx->st->kmem_caches_created++;
	return c;
}

/* Record the latency of a kmem op and what it allocated. */
static uint64_t kmem_done(struct op_kmem *k, const struct op *op, uint64_t key,
    bool has_key, uint64_t handle, enum ops_obj_kind kind, bool failed,
    uint64_t cycles, const char *name)
{
	struct op_kmem_pre *p = failed ? NULL : pre_get(k, name);
	uint32_t v = (uint32_t)kind;

	if (p != NULL) {
		p->live++;
		v |= (uint32_t)((size_t)(p - k->pre) + 1) << 4;
	}
	return ops_obj_done(k->ctx, op, key, has_key, handle, v, failed,
	    cycles);
}

/* pcpu_balance_workfn(): the work the kernel queues runs soon after, in
 * the background. */
static void kmem_balance(struct op_kmem *k)
{
	struct percpu_result r;

	if (percpu_balance_pending(k->ctx->pcpu)) {
		memset(&r, 0, sizeof r);
		percpu_balance(k->ctx->pcpu, &r);
	}
}

/* SLUB's fast path (the CPU's freelist) against every slower one. */
static void slab_path_record(struct op_kmem *k, const struct slab_result *r)
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
	hist_record(&k->ctx->st->lat_slab[row], r->cycles);
}

/* The allocations: a cache, kmalloc, alloc_percpu. */
static uint64_t kmem_alloc(struct op_kmem *k, const struct op *op, int cpu,
    uint64_t key, bool has_key)
{
	struct ops_ctx *ctx = k->ctx;
	bool captured = ctx->captured;
	struct slab_result res;
	struct percpu_result pres;
	struct kmem_cache *c;
	slab_handle_t h = SLAB_HANDLE_NONE;
	percpu_handle_t ph;
	const char *name;
	char anon[32], *msg = NULL;

	switch (op->type) {
	case OP_KMEM_CACHE_CREATE:
		if (kmem_cache_create(ctx->slab, op->name,
		    (unsigned)KMSIM_MIN(op->bytes_req, UINT32_MAX),
		    (unsigned)op->align, op->flags, &c, &msg) != 0) {
			ops_bad(ctx, op, RUN_SKIP_BAD_REQUEST, msg);
			return 0;
		}
		ctx->st->kmem_caches_created++;
		return 0;
	case OP_KMEM_CACHE_DESTROY:
		c = kmem_cache_lookup(ctx->slab, op->name);
		if (c == NULL) {
			xasprintf(&msg, "no cache '%s'", op->name);
			ops_bad(ctx, op, RUN_SKIP_BAD_REQUEST, msg);
			return 0;
		}
		if (kmem_cache_destroy(ctx->slab, c, &res, &msg) != 0) {
			ops_bad(ctx, op, RUN_SKIP_BAD_REQUEST, msg);
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
		c = kmem_cache_lookup(ctx->slab, name);
		if (c == NULL && captured)
			c = capture_cache(k, op, name, &msg);
		if (c == NULL) {
			if (msg == NULL && name == NULL)
				msg = xstrdup("kmem_cache_alloc without a "
				    "cache name");
			else if (msg == NULL)
				xasprintf(&msg, "no cache '%s'", name);
			ops_bad(ctx, op, RUN_SKIP_BAD_REQUEST, msg);
			return 0;
		}
		if (kmem_cache_alloc(ctx->slab, c, cpu, op->gfp, &h, &res,
		    &msg) != 0) {
			ops_bad(ctx, op, RUN_SKIP_BAD_REQUEST, msg);
			return 0;
		}
		slab_path_record(k, &res);
		return kmem_done(k, op, key, has_key, h, OBJ_CACHE,
		    h == SLAB_HANDLE_NONE, res.cycles, name);
	case OP_KMALLOC:
		if (kmalloc(ctx->slab, op->bytes_req, op->gfp, cpu, &h, &c,
		    &res, &msg) != 0) {
			ops_bad(ctx, op, RUN_SKIP_BAD_REQUEST, msg);
			return 0;
		}
		slab_path_record(k, &res);
		return kmem_done(k, op, key, has_key, h, OBJ_KMALLOC,
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
		if (percpu_alloc(ctx->pcpu, &r, &ph, &pres, &msg) != 0) {
			ops_bad(ctx, op, RUN_SKIP_BAD_REQUEST, msg);
			return 0;
		}
		kmem_balance(k);
		return kmem_done(k, op, key, has_key, ph, OBJ_PERCPU,
		    pres.failed, pres.cycles, NULL);
	}
	default:
		return 0;
	}
}

/* The frees (and krealloc): the object the key names. */
static uint64_t kmem_free(struct op_kmem *k, const struct op *op, int cpu,
    uint64_t key, bool has_key)
{
	struct ops_ctx *ctx = k->ctx;
	bool captured = ctx->captured;
	struct slab_result res;
	struct percpu_result pres;
	struct kmem_cache *c;
	struct idtab_entry *e;
	uint64_t handle;
	char *msg = NULL;
	int kind;

	if (op->type == OP_KFREE && !op->has_id && op->ptr == 0) {
		ctx->st->kmem_free_null++;		/* kfree(NULL) */
		return 0;
	}
	e = has_key ? idtab_find(&ctx->objs, key) : NULL;
	if (e == NULL && ops_free_of_failed(ctx, has_key, key))
		return 0;
	if (e == NULL) {
		struct op_kmem_pre *p;

		if (captured) {
			/* allocated before the capture began */
			ctx->st->kmem_unknown_free++;
			if (op->type == OP_KMEM_CACHE_FREE &&
			    (p = pre_find(k, op->name)) != NULL)
				p->freed++;
			return 0;
		}
		xasprintf(&msg, "%s of id '%s' that is not allocated (never"
		    " allocated, or already freed)", op_yaml_name(op->type),
		    ops_label(op));
		ops_bad(ctx, op, RUN_SKIP_UNKNOWN_ID, msg);
		return 0;
	}
	handle = e->pfn;
	kind = OBJ_KIND(e->order);
	if (OBJ_PRE(e->order) > 0 && op->type != OP_KREALLOC)
		k->pre[OBJ_PRE(e->order) - 1].live--;
	if ((op->type == OP_PERCPU_FREE) != (kind == OBJ_PERCPU) ||
	    (op->type == OP_KMEM_CACHE_FREE && kind != OBJ_CACHE) ||
	    ((op->type == OP_KFREE || op->type == OP_KREALLOC) &&
	    kind == OBJ_PERCPU)) {
		if (!captured) {
			xasprintf(&msg, "%s of id '%s', an object %s"
			    " allocated", op_yaml_name(op->type),
			    ops_label(op), kind == OBJ_PERCPU ?
			    "alloc_percpu" : kind == OBJ_CACHE ?
			    "kmem_cache_alloc" : "kmalloc");
			ops_bad(ctx, op, RUN_SKIP_ORDER_MISMATCH, msg);
			return 0;
		}
		ctx->st->captured[RUN_CAP_ORDER_MISMATCH]++;
		idtab_remove(&ctx->objs, e);
		return 0;
	}
	if (op->type == OP_PERCPU_FREE) {
		idtab_remove(&ctx->objs, e);
		if (percpu_free(ctx->pcpu, handle, cpu, &pres, &msg) != 0) {
			ops_bad(ctx, op, RUN_SKIP_BAD_REQUEST, msg);
			return 0;
		}
		kmem_balance(k);
		hist_record(&ctx->st->lat[op->type], pres.cycles);
		return pres.cycles;
	}
	if (op->type == OP_KREALLOC) {
		slab_handle_t nh;

		if (krealloc(ctx->slab, (slab_handle_t)handle, op->bytes_req,
		    op->gfp, cpu, &nh, &c, &res, &msg) != 0) {
			ops_bad(ctx, op, RUN_SKIP_BAD_REQUEST, msg);
			return 0;
		}
		if (nh != SLAB_HANDLE_NONE)
			e->pfn = nh;
		else
			ctx->st->kmem_failed++;	/* the old object stays */
		hist_record(&ctx->st->lat[op->type], res.cycles);
		return res.cycles;
	}
	idtab_remove(&ctx->objs, e);
	if (kind == OBJ_CACHE) {
		const struct slab *sl = slab_get(ctx->slab,
		    (slab_handle_t)handle);

		if (sl == NULL || sl->cache == NULL ||
		    kmem_cache_free(ctx->slab, sl->cache,
		    (slab_handle_t)handle, cpu, &res, &msg) != 0) {
			if (msg == NULL)
				xasprintf(&msg, "free of a stale object");
			ops_bad(ctx, op, RUN_SKIP_BAD_REQUEST, msg);
			return 0;
		}
	} else if (kfree(ctx->slab, (slab_handle_t)handle, cpu, &res,
	    &msg) != 0) {
		ops_bad(ctx, op, RUN_SKIP_BAD_REQUEST, msg);
		return 0;
	}
	slab_path_record(k, &res);
	hist_record(&ctx->st->lat[op->type], res.cycles);
	return res.cycles;
}

uint64_t op_kmem_issue(struct op_kmem *k, const struct op *op, int cpu)
{
	uint64_t key = 0;
	bool has_key = ops_key(op, &key);

	switch (op->type) {
	case OP_KMEM_CACHE_CREATE:
	case OP_KMEM_CACHE_DESTROY:
	case OP_KMEM_CACHE_ALLOC:
	case OP_KMALLOC:
	case OP_PERCPU_ALLOC:
		return kmem_alloc(k, op, cpu, key, has_key);
	case OP_KREALLOC:
	case OP_KFREE:
	case OP_KMEM_CACHE_FREE:
	case OP_PERCPU_FREE:
		return kmem_free(k, op, cpu, key, has_key);
	default:
		return 0;
	}
}

json_t *op_kmem_fidelity_json(const struct op_kmem *k)
{
	struct procfs_slab *after;
	json_t *o, *worst = json_array();
	size_t i, n, compared = 0, within1 = 0, within10 = 0;
	double sum_abs = 0, sum_kernel = 0;

	after = bundle_slabinfo(k->bundle, "after", &n);
	if (after == NULL || k->nr_pre == 0) {
		free(after);
		json_decref(worst);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		const struct op_kmem_pre *p = pre_find(k, after[i].name);
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
