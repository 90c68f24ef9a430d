/*
 * ops.c - what the op adapters share: the bad-op rule, the object table,
 * and the engines of a simulate run with the hooks that tie them to the
 * machine (the shrinkers reclaim calls, vmalloc's TLB flush).
 */
#include "kmsim_config.h"

#include <stdlib.h>
#include <string.h>

#include "mm/buddy.h"
#include "mm/compaction.h"
#include "mm/highmem.h"
#include "mm/pagecache.h"
#include "mm/percpu.h"
#include "mm/slab.h"
#include "mm/tlb.h"
#include "mm/vmalloc.h"
#include "mm/vmscan.h"
#include "ops/ops.h"

/* Every op type has its counter and histogram in the run statistics. */
_Static_assert(OP_NR <= RUN_OP_TYPES, "RUN_OP_TYPES holds every op type");

void ops_init(struct ops_ctx *ctx, struct machine *m, const struct config *cfg,
    struct run_stats *st, bool lenient)
{
	memset(ctx, 0, sizeof *ctx);
	ctx->m = m;
	ctx->cfg = cfg;
	ctx->st = st;
	ctx->lenient = lenient;
	ctx->last_pfn = NO_PFN;
	idtab_init(&ctx->objs);
	idtab_init(&ctx->failed);
}

void ops_fini(struct ops_ctx *ctx)
{
	/* before the queue: the I/O still queued is the page cache's */
	pagecache_destroy(ctx->pc);
	ctx->pc = NULL;
	vmalloc_destroy(ctx->vm);
	tlb_destroy(ctx->tlb);
	highmem_destroy(ctx->hm);
	slab_world_destroy(ctx->slab);
	percpu_destroy(ctx->pcpu);
	machine_destroy(ctx->shadow);
	idtab_fini(&ctx->objs);
	idtab_fini(&ctx->failed);
}

void ops_fail(struct ops_ctx *ctx, char *cause)
{
	if (ctx->error == 0) {
		ctx->error = -1;
		ctx->cause = cause;
	} else {
		free(cause);
	}
}

bool ops_bad(struct ops_ctx *ctx, const struct op *op, enum run_skip kind,
    char *msg)
{
	if (ctx->lenient) {
		ctx->st->skipped[kind]++;
		free(msg);
		return true;
	}
	ops_fail(ctx, kmsim_cause_at(&op->pos, "%s", msg));
	free(msg);
	return false;
}

bool ops_cpu(struct ops_ctx *ctx, const struct op *op, int *cpu)
{
	char *msg = NULL;

	*cpu = op->cpu < 0 ? 0 : op->cpu;
	if (ctx->captured) {
		/* the capture's CPUs onto this machine's */
		*cpu %= ctx->m->nr_cpus;
	} else if (*cpu >= ctx->m->nr_cpus) {
		xasprintf(&msg, "cpu %d does not exist (the machine has %d)",
		    *cpu, ctx->m->nr_cpus);
		ops_bad(ctx, op, RUN_SKIP_BAD_REQUEST, msg);
		return false;
	}
	return true;
}

bool ops_key(const struct op *op, uint64_t *key)
{
	if (op->has_id)
		*key = op->id;
	else if (op->ptr != 0)
		*key = op->ptr;
	else
		return false;
	return true;
}

uint64_t ops_obj_done(struct ops_ctx *ctx, const struct op *op, uint64_t key,
    bool has_key, uint64_t handle, uint32_t v, bool failed, uint64_t cycles)
{
	if (failed) {
		ctx->st->kmem_failed++;
		if (has_key)
			idtab_insert(&ctx->failed, key, NO_PFN, 0);
	} else if (has_key) {
		struct idtab_entry *e = idtab_find(&ctx->objs, key);

		/* a captured pointer reused without its free: the old
		 * object's free was lost */
		if (e != NULL) {
			ctx->st->captured[RUN_CAP_REALLOC]++;
			idtab_remove(&ctx->objs, e);
		}
		idtab_insert(&ctx->objs, key, handle, v);
	}
	hist_record(&ctx->st->lat[op->type], cycles);
	return cycles;
}

bool ops_free_of_failed(struct ops_ctx *ctx, bool has_key, uint64_t key)
{
	struct idtab_entry *e;

	if (!has_key || (e = idtab_find(&ctx->failed, key)) == NULL)
		return false;
	idtab_remove(&ctx->failed, e);
	ctx->st->frees_of_failed++;
	return true;
}

/* A vmalloc purge flushes the kernel range on every CPU. */
static void ops_vm_flush(void *arg, uint64_t start, uint64_t end)
{
	struct ops_ctx *ctx = arg;
	struct tlb_result r;

	ctx->st->vm_purges++;
	if (ctx->tlb == NULL)
		return;
	memset(&r, 0, sizeof r);
	tlb_shootdown(ctx->tlb, 0, start, end, &r);
	ctx->st->shootdown_cycles += r.cycles;
}

/* mm/vmscan.c:shrink_slab(), as kmsim has it: the slab caches' empty
 * slabs back to the buddy. */
static uint64_t ops_shrink_slab(void *arg, uint64_t want, uint64_t *cycles)
{
	struct ops_ctx *ctx = arg;
	struct slab_result res;
	uint64_t got;

	(void)want;
	memset(&res, 0, sizeof res);
	got = slab_shrink(ctx->slab, &res);
	*cycles += res.cycles;
	ctx->st->slab_reclaimed += got;
	return got;
}

/* mm/vmscan.c:shrink_lruvec() of a node: the page cache's file LRU. */
static uint64_t ops_shrink_lru(void *arg, int node, uint64_t want,
    bool kswapd, uint64_t *cycles)
{
	struct ops_ctx *ctx = arg;

	return pagecache_shrink(ctx->pc, node, want, kswapd, cycles);
}

/*
 * The slab and percpu allocators of a simulate run.  A captured trace's
 * own page events already hold the pages the kernel's slabs and percpu
 * chunks took: their models then take pages from a shadow copy of the
 * machine, so slab geometry and fragmentation come from the model while
 * every page is counted once.  A YAML trace's slabs are the machine's.
 */
int ops_engines_create(struct ops_ctx *ctx, struct evq *q, char **cause)
{
	const struct config *cfg = ctx->cfg;
	struct machine *host = ctx->m;
	struct vmalloc_opts vo;
	struct slab_opts so;

	if (ctx->captured) {
		ctx->shadow = machine_create(cfg, cause);
		if (ctx->shadow == NULL)
			return -1;
		host = ctx->shadow;
	}
	slab_opts_default(&so);
	so.merge = cfg->slab_merge;
	so.cpu_partial = cfg->slab_cpu_partial;
	so.min_objects = cfg->slab_min_objects;
	so.max_order = cfg->slab_max_order;
	ctx->slab = slab_world_create(host, &so);
	ctx->pcpu = percpu_create(host, NULL);
	if (strcmp(cfg->tlb, "none") != 0) {
		struct tlb_config tc;

		if (tlb_preset(cfg->tlb, &tc, cause) != 0)
			return -1;
		tc.paging_levels = cfg->paging_levels;
		tc.direct_map_bytes = host->max_pfn << host->page_shift;
		tlb_config_set_costs(&tc, &host->cost);
		ctx->tlb = tlb_create(host->nr_cpus, &tc);
		if (ctx->tlb == NULL)
			return kmsim_fail(cause, "%s: the TLB preset '%s' does"
			    " not fit this machine", cfg->path, cfg->tlb);
	}
	memset(&vo, 0, sizeof vo);
	/* one shoot-down per purge (flush_tlb_kernel_range()) */
	vo.flush = ops_vm_flush;
	vo.flush_arg = ctx;
	ctx->vm = vmalloc_create(host, &vo);
	if (host->has_zone[ZONE_HIGHMEM])
		ctx->hm = highmem_create(host, NULL);
	if (!ctx->captured) {
		ctx->m->shrink_slab = ops_shrink_slab;
		ctx->m->shrink_arg = ctx;
	}
	/*
	 * The page cache: a YAML trace's files live in the machine's
	 * memory and reclaim takes them back; a capture's filemap and
	 * writeback events are followed on the books only (its pages are
	 * in its page events already, and its evictions are the kernel's).
	 */
	ctx->pc = pagecache_create(ctx->m, q, cfg, ctx->captured);
	if (!ctx->captured) {
		ctx->m->shrink_lru = ops_shrink_lru;
		ctx->m->lru_arg = ctx;
	}
	return 0;
}

void ops_start(struct ops_ctx *ctx, struct evq *q)
{
	ctx->m->q = q;
	kswapd_start(ctx->m);
	kcompactd_start(ctx->m);
}

void ops_stop(struct ops_ctx *ctx)
{
	kcompactd_stop(ctx->m);
	if (ctx->pc != NULL)
		pagecache_stop(ctx->pc);
}

int ops_check(struct ops_ctx *ctx, char **cause)
{
	if ((ctx->shadow != NULL && buddy_check(ctx->shadow, cause) != 0) ||
	    (ctx->slab != NULL && slab_check(ctx->slab, cause) != 0) ||
	    (ctx->pcpu != NULL && percpu_check(ctx->pcpu, cause) != 0) ||
	    (ctx->vm != NULL && vmalloc_check(ctx->vm, cause) != 0) ||
	    (ctx->hm != NULL && highmem_check(ctx->hm, cause) != 0) ||
	    (ctx->pc != NULL && pagecache_check(ctx->pc, cause) != 0))
		return -1;
	return 0;
}
