/*
 * op_vm.c - the vm ops as requests to mm/vmalloc.c, mm/tlb.c and
 * mm/highmem.c (and the buddy, for stacks without VMAP_STACK).
 */
#include "kmsim_config.h"

#include <stdlib.h>
#include <string.h>

#include "mm/buddy.h"
#include "mm/highmem.h"
#include "mm/tlb.h"
#include "mm/vmalloc.h"
#include "ops/op_vm.h"

/* x86-64 THREAD_SIZE: 16 KiB (THREAD_SIZE_ORDER 2). */
#define THREAD_SIZE_ORDER	2
#define THREAD_SIZE		(UINT64_C(4096) << THREAD_SIZE_ORDER)

struct op_vm {
	struct ops_ctx *ctx;
	const struct op_pages *pages;
	struct idtab vsize;		/* vmalloc'd object key -> bytes,
					   huge (order field) */
};

struct op_vm *op_vm_create(struct ops_ctx *ctx, const struct op_pages *pages)
{
	struct op_vm *v = xcalloc(1, sizeof *v);

	v->ctx = ctx;
	v->pages = pages;
	idtab_init(&v->vsize);
	return v;
}

void op_vm_destroy(struct op_vm *v)
{
	if (v == NULL)
		return;
	idtab_fini(&v->vsize);
	free(v);
}

/* The kernel virtual address and page size an access op starts from. */
static bool access_base(struct op_vm *v, const struct op *op, uint64_t *va,
    uint64_t *len, unsigned *shift)
{
	struct ops_ctx *ctx = v->ctx;
	struct idtab_entry *e;
	const struct tlb_config *tc = ctx->tlb != NULL ?
	    tlb_get_config(ctx->tlb) : NULL;
	uint64_t pfn;
	unsigned order;

	*shift = 0;
	if (!op->has_id) {
		*va = op->ptr;
		*len = op->end ? op->end : 4096;
		return true;
	}
	if (op_pages_find(v->pages, op->id, &pfn, &order)) {
		/* a page block: through the direct map */
		*va = (tc != NULL ? tlb_page_offset(tc) : 0) +
		    (pfn << ctx->m->page_shift);
		*len = (uint64_t)ctx->m->page_size << order;
		return true;
	}
	if ((e = idtab_find(&ctx->objs, op->id)) != NULL) {
		int kind = OBJ_KIND(e->order);

		if (kind == OBJ_VMALLOC || kind == OBJ_STACK_VMAP) {
			struct idtab_entry *z = idtab_find(&v->vsize, op->id);

			*va = e->pfn;
			*len = kind == OBJ_STACK_VMAP ? THREAD_SIZE :
			    z != NULL ? z->pfn : 4096;
			/* a huge vmalloc is mapped with 2 MiB pages */
			*shift = z != NULL && z->order ? 21 : 12;
			return true;
		}
		if (kind == OBJ_STACK_PAGES) {
			*va = (tc != NULL ? tlb_page_offset(tc) : 0) +
			    (e->pfn << ctx->m->page_shift);
			*len = THREAD_SIZE;
			return true;
		}
	}
	return false;
}

/* vmalloc, and a task's stack at fork: mm/vmalloc.c:__vmalloc_node_range()
 * or kernel/fork.c:alloc_thread_stack_node(). */
static uint64_t vm_alloc(struct op_vm *v, const struct op *op, int cpu,
    struct vmalloc_request *vr, uint64_t key, bool has_key)
{
	struct ops_ctx *ctx = v->ctx;
	struct machine *m = ctx->m;
	struct vmalloc_result vres;
	struct alloc_result ares;
	vmalloc_handle_t vh;
	char *msg = NULL;

	if (op->type == OP_FORK && !ctx->cfg->vmap_stack) {
		struct alloc_request req = {
			.order = THREAD_SIZE_ORDER,
			.gfp = GFP_KERNEL, .migratetype = -1,
			.cpu = cpu, .policy = MPOL_LOCAL,
			.preferred_node = op->node >= 0 &&
			    op->node < m->nr_nodes ? op->node :
			    machine_cpu_node(m, cpu) };

		if (page_alloc(m, &req, &ares, &msg) != 0) {
			ops_bad(ctx, op, RUN_SKIP_BAD_REQUEST, msg);
			return 0;
		}
		return ops_obj_done(ctx, op, key, has_key, ares.pfn,
		    OBJ_STACK_PAGES, ares.pfn == NO_PFN, ares.cycles);
	}
	if (op->type == OP_FORK) {
		/* alloc_thread_stack_node(): THREAD_SIZE from vmalloc
		 * space, guard page after it */
		vr->size = THREAD_SIZE;
		vr->align = vr->size;
		vr->caller = "alloc_thread_stack_node";
	} else {
		vr->size = op->bytes_req;
		vr->align = op->align;
		if (op->flags & OPF_HUGE)
			vr->flags |= VMALLOC_F_HUGE;
	}
	if (vmalloc_alloc(ctx->vm, vr, &vh, &vres, &msg) != 0) {
		ops_bad(ctx, op, RUN_SKIP_BAD_REQUEST, msg);
		return 0;
	}
	if (vres.failed)
		ctx->st->vm_failed++;
	else if (has_key && op->type == OP_VMALLOC)
		idtab_insert(&v->vsize, key, vr->size, vres.page_order > 0);
	return ops_obj_done(ctx, op, key, has_key, vh, op->type == OP_FORK ?
	    OBJ_STACK_VMAP : OBJ_VMALLOC, vres.failed, vres.cycles);
}

/* vfree, and a task's stack at exit. */
static uint64_t vm_free(struct op_vm *v, const struct op *op, int cpu,
    uint64_t key, bool has_key)
{
	struct ops_ctx *ctx = v->ctx;
	struct vmalloc_result vres;
	struct alloc_result ares;
	struct idtab_entry *e;
	vmalloc_handle_t vh;
	uint64_t cycles;
	char *msg = NULL;

	e = has_key ? idtab_find(&ctx->objs, key) : NULL;
	if (e == NULL && ops_free_of_failed(ctx, has_key, key))
		return 0;
	if (e == NULL || (op->type == OP_VFREE &&
	    OBJ_KIND(e->order) != OBJ_VMALLOC) ||
	    (op->type == OP_EXIT && OBJ_KIND(e->order) != OBJ_STACK_VMAP &&
	    OBJ_KIND(e->order) != OBJ_STACK_PAGES)) {
		xasprintf(&msg, "%s of id '%s' that is not %s",
		    op_yaml_name(op->type), ops_label(op),
		    op->type == OP_VFREE ? "vmalloc'd" : "a live task");
		ops_bad(ctx, op, RUN_SKIP_UNKNOWN_ID, msg);
		return 0;
	}
	vh = e->pfn;
	if ((e = idtab_find(&v->vsize, key)) != NULL)
		idtab_remove(&v->vsize, e);
	e = idtab_find(&ctx->objs, key);
	if (OBJ_KIND(e->order) == OBJ_STACK_PAGES) {
		idtab_remove(&ctx->objs, e);
		page_free(ctx->m, vh, THREAD_SIZE_ORDER, cpu, &ares);
		cycles = ares.cycles;
	} else {
		idtab_remove(&ctx->objs, e);
		if (vmalloc_free(ctx->vm, vh, &vres, &msg) != 0) {
			ops_bad(ctx, op, RUN_SKIP_BAD_REQUEST, msg);
			return 0;
		}
		cycles = vres.cycles;
	}
	hist_record(&ctx->st->lat[op->type], cycles);
	return cycles;
}

/* A run of loads or stores through the TLB. */
static uint64_t vm_access(struct op_vm *v, const struct op *op, int cpu)
{
	struct ops_ctx *ctx = v->ctx;
	struct tlb_result tres;
	uint64_t va, len, i, stride, cycles = 0;
	unsigned shift;
	char *msg = NULL;

	if (!access_base(v, op, &va, &len, &shift)) {
		xasprintf(&msg, "access of id '%s' that is not allocated",
		    ops_label(op));
		ops_bad(ctx, op, RUN_SKIP_UNKNOWN_ID, msg);
		return 0;
	}
	if (op->end != 0 && op->has_id)
		len = KMSIM_MIN(len, op->end);
	stride = op->align ? op->align : 4096;
	ctx->st->accesses += op->nr;
	if (ctx->tlb == NULL)
		return 0;
	for (i = 0; i < op->nr; i++) {
		memset(&tres, 0, sizeof tres);
		tlb_access(ctx->tlb, cpu, va + (i * stride) % len, shift,
		    (op->flags & OPF_WRITE) != 0, &tres);
		cycles += tres.cycles;
	}
	hist_record(&ctx->st->lat[op->type], cycles);
	return cycles;
}

/* kmap, kmap_local_page and their unmaps of a page block. */
static uint64_t vm_kmap(struct op_vm *v, const struct op *op, int cpu)
{
	struct ops_ctx *ctx = v->ctx;
	struct highmem_result hres;
	uint64_t pfn;
	unsigned order;
	char *msg = NULL;

	if (!op->has_id || !op_pages_find(v->pages, op->id, &pfn, &order)) {
		xasprintf(&msg, "%s of id '%s' that is not an allocated page"
		    " block", op_yaml_name(op->type), ops_label(op));
		ops_bad(ctx, op, RUN_SKIP_UNKNOWN_ID, msg);
		return 0;
	}
	if (ctx->hm == NULL)
		return 0;	/* no highmem: the direct map */
	memset(&hres, 0, sizeof hres);
	if (op->type == OP_KMAP && (op->flags & OPF_LOCAL) ?
	    highmem_kmap_local(ctx->hm, cpu, pfn, &hres, &msg) :
	    op->type == OP_KMAP ? highmem_kmap(ctx->hm, pfn, cpu, &hres,
	    &msg) : (op->flags & OPF_LOCAL) ?
	    highmem_kunmap_local(ctx->hm, cpu, &hres, &msg) :
	    highmem_kunmap(ctx->hm, pfn, &hres, &msg)) {
		ops_bad(ctx, op, RUN_SKIP_BAD_REQUEST, msg);
		return 0;
	}
	if (hres.waited)
		ctx->st->kmap_waits++;
	hist_record(&ctx->st->lat[op->type], hres.cycles);
	return hres.cycles;
}

uint64_t op_vm_issue(struct op_vm *v, const struct op *op, int cpu)
{
	struct ops_ctx *ctx = v->ctx;
	struct vmalloc_request vr;
	struct vmalloc_result vres;
	vmalloc_handle_t vh;
	uint64_t key = 0;
	bool has_key = ops_key(op, &key);
	char *msg = NULL;

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
		if (vmalloc_alloc_at(ctx->vm, op->ptr, &vr, &vh, &vres,
		    &msg) != 0) {
			free(msg);
			ctx->st->vm_failed++;
			return 0;
		}
		hist_record(&ctx->st->lat[op->type], vres.cycles);
		return vres.cycles;
	case OP_VMAP_FREE:
		if (vmalloc_free_at(ctx->vm, op->ptr, &vres, &msg) != 0) {
			free(msg);
			ctx->st->kmem_unknown_free++;
			return 0;
		}
		return vres.cycles;
	case OP_VMAP_PURGE:
		vmalloc_purge_range(ctx->vm, op->ptr, op->end, &vres);
		return vres.cycles;
	case OP_VMALLOC:
	case OP_FORK:
		return vm_alloc(v, op, cpu, &vr, key, has_key);
	case OP_VFREE:
	case OP_EXIT:
		return vm_free(v, op, cpu, key, has_key);
	case OP_ACCESS:
		return vm_access(v, op, cpu);
	case OP_KMAP:
	case OP_KUNMAP:
		return vm_kmap(v, op, cpu);
	default:
		return 0;
	}
}
