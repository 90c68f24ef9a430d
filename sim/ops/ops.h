/*
 * ops.h - the op adapters: each turns the ops of one family (a struct op,
 * trace/trace.h) into requests to the engines and owns the tables that
 * name what the trace allocated; the capture quirks live with the family
 * they concern.  The run loop creates the context they share and hands
 * each op to its family's adapter:
 *
 *   op_pages.c	alloc_pages, free_pages, a capture's allocator events
 *   op_kmem.c	the slab caches, kmalloc, krealloc, percpu
 *   op_vm.c	vmalloc, task stacks, access, kmap, the vmap area events
 *   replay.c	--mode replay: the trace's pfns honoured
 *
 * (the page cache takes the file ops itself, mm/pagecache.h).
 */
#ifndef KMSIM_OPS_OPS_H
#define KMSIM_OPS_OPS_H

#include <stdbool.h>
#include <stdint.h>

#include "evq.h"
#include "idtab.h"
#include "machine.h"
#include "results/stats.h"
#include "trace/trace.h"

/* What an entry of the object table is (the low bits of its order
 * field; op_kmem.c keeps its cache's slabinfo row above them). */
enum ops_obj_kind {
	OBJ_CACHE = 1,		/* kmem_cache_alloc */
	OBJ_KMALLOC,		/* kmalloc, krealloc */
	OBJ_PERCPU,		/* alloc_percpu */
	OBJ_VMALLOC,		/* vmalloc: the area's start address */
	OBJ_STACK_VMAP,		/* fork with VMAP_STACK: the area's start */
	OBJ_STACK_PAGES,	/* fork without: the order-2 block's pfn */
};
#define OBJ_KIND(v)	((int)((v) & 0xf))

struct ops_ctx {
	struct machine *m;
	const struct config *cfg;
	struct run_stats *st;		/* what the adapters count */
	bool captured;			/* a real capture, not a YAML trace */
	bool lenient;			/* --lenient: bad ops counted, skipped */
	uint64_t last_pfn;		/* where the last op acted (--check) */
	int error;			/* the run's first error: 0, or -1 */
	char *cause;			/* with its message */

	/*
	 * The id spaces the families share: an object id (or a captured
	 * pointer) names a slab object, a percpu allocation, a vmalloc
	 * area or a task stack (handle in the pfn field, kind in the
	 * order field); the ids whose allocation failed, so that their
	 * frees are counted, not errors.
	 */
	struct idtab objs;
	struct idtab failed;

	/*
	 * The engines beside the buddy (simulate mode, ops_engines_create();
	 * NULL in replay).  A capture's slabs, percpu chunks and vmalloc
	 * areas take their pages from a shadow copy of the machine.
	 */
	struct machine *shadow;
	struct slab_world *slab;
	struct percpu *pcpu;
	struct vmalloc *vm;
	struct tlb *tlb;
	struct highmem *hm;
	struct pagecache *pc;
};

void ops_init(struct ops_ctx *ctx, struct machine *m, const struct config *cfg,
    struct run_stats *st, bool lenient);
/* The engines and tables; the error message stays the caller's. */
void ops_fini(struct ops_ctx *ctx);

/*
 * The engines of a simulate run on the queue q: the slab world, percpu,
 * the TLB, vmalloc, highmem, the page cache, and the shrinkers reclaim
 * calls.  -1 with *cause for a TLB preset that does not fit.
 */
int ops_engines_create(struct ops_ctx *ctx, struct evq *q, char **cause);
/* The trace starts: the kernel threads run on q from now on
 * (kthread_run()); the trace ends: the timers stop (kthread_stop()). */
void ops_start(struct ops_ctx *ctx, struct evq *q);
void ops_stop(struct ops_ctx *ctx);
/* The engines' invariants (the buddy of the machine is the loop's). */
int ops_check(struct ops_ctx *ctx, char **cause);

/* Stop the run with an error (the first one wins; takes cause). */
void ops_fail(struct ops_ctx *ctx, char *cause);
/*
 * A bad op: an error at its FILE:LINE:COL, or with --lenient counted
 * and skipped.  Takes msg.  Returns true if the run goes on.
 */
bool ops_bad(struct ops_ctx *ctx, const struct op *op, enum run_skip kind,
    char *msg);
/* The CPU of op on this machine (a capture's folded onto its CPUs);
 * false (a bad op) for a YAML trace's CPU the machine lacks. */
bool ops_cpu(struct ops_ctx *ctx, const struct op *op, int *cpu);
static inline const char *ops_label(const struct op *op)
{
	return op->label != NULL ? op->label : "(anonymous)";
}
/* The key of an object in the table: its id, or a captured pointer. */
bool ops_key(const struct op *op, uint64_t *key);
/*
 * An object allocation done: its latency recorded, the object (kind and
 * more in v) in the table under key, or the key remembered as failed.
 * Returns cycles.
 */
uint64_t ops_obj_done(struct ops_ctx *ctx, const struct op *op, uint64_t key,
    bool has_key, uint64_t handle, uint32_t v, bool failed, uint64_t cycles);
/* A free of key whose allocation failed: forgotten and counted. */
bool ops_free_of_failed(struct ops_ctx *ctx, bool has_key, uint64_t key);

#endif /* KMSIM_OPS_OPS_H */
