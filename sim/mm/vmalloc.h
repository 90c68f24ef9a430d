/*
 * vmalloc.h - the vmalloc allocator (mm/vmalloc.c): the kernel's virtual
 * range [VMALLOC_START, VMALLOC_END), vmap areas placed lowest address
 * first in a tree of free areas augmented with the largest free size
 * below each node, a guard page after every area unless VM_NO_GUARD,
 * backing pages from the buddy (order-0 in bulk, or PMD-sized pages for
 * huge mappings), the kernel page-table pages the mappings need, and the
 * lazy freeing of address space: freed areas wait on a purge list until
 * vmap_lazy_nr exceeds lazy_max_pages(), then one purge flushes the
 * kernel TLB range and merges them back into the free tree.
 *
 * A library engine like percpu.h: the caller (a trace replay, a test)
 * owns time; the TLB flush of a purge is reported through the result and
 * an optional callback, the shoot-downs are charged by whoever models
 * them.
 */
#ifndef KMSIM_VMALLOC_H
#define KMSIM_VMALLOC_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mm/buddy.h"
#include "mm/gfp.h"
#include "machine.h"

/*
 * arch/x86/include/asm/pgtable_64_types.h with 4-level paging and no
 * KASLR: VMALLOC_START is __VMALLOC_BASE_L4, the range 32 TiB
 * (VMALLOC_SIZE_TB_L4), VMALLOC_END its last byte; kmsim's end is
 * exclusive.
 */
#define VMALLOC_DEFAULT_START	UINT64_C(0xffffc90000000000)
#define VMALLOC_DEFAULT_SIZE	(UINT64_C(32) << 40)

/* Page-table geometry of x86-64 with 4-level paging and 4 KiB pages. */
#define VMALLOC_PMD_SHIFT	21	/* one PTE page maps 2 MiB */
#define VMALLOC_PUD_SHIFT	30	/* one PMD page maps 1 GiB */
#define VMALLOC_PGD_SHIFT	39	/* one PUD page maps 512 GiB */
#define VMALLOC_PMD_SIZE	(UINT64_C(1) << VMALLOC_PMD_SHIFT)

/* Request flags: the VM_* flags of include/linux/vmalloc.h that matter. */
#define VMALLOC_F_HUGE		0x01	/* VM_ALLOW_HUGE_VMAP: vmalloc_huge() */
#define VMALLOC_F_NO_GUARD	0x02	/* VM_NO_GUARD */
#define VMALLOC_F_VMAP		0x04	/* vmap(): the caller's pages, VM_MAP */
#define VMALLOC_F_IOREMAP	0x08	/* ioremap(): VM_IOREMAP, no pages */
#define VMALLOC_F_ZERO		0x10	/* vzalloc(): __GFP_ZERO on the pages */

struct vmalloc_opts {
	uint64_t start;		/* VMALLOC_START; 0: the x86-64 default */
	uint64_t size;		/* bytes; 0: 32 TiB */
	unsigned nr_cpus;	/* online CPUs for lazy_max_pages();
				   0: the machine's */
	bool no_lazy;		/* purge at every free (a debug kernel's
				   behaviour, for tests and comparisons) */
	/*
	 * Called once per purge with the kernel range flushed
	 * (flush_tlb_kernel_range()); NULL: only counted in the result.
	 */
	void (*flush)(void *arg, uint64_t start, uint64_t end);
	void *flush_arg;
};

/* A live area is named by its start address (va_start). */
typedef uint64_t vmalloc_handle_t;
#define VMALLOC_HANDLE_NONE	UINT64_C(0)

struct vmalloc_request {
	uint64_t size;		/* bytes; rounded up to a page */
	uint64_t align;		/* a power of two; below a page: a page */
	unsigned flags;		/* VMALLOC_F_* */
	gfp_t gfp;		/* for the backing pages; 0: GFP_KERNEL */
	int cpu;		/* the CPU asking */
	int node;		/* preferred node of the pages; -1: cpu's */
	const char *caller;	/* %pS of the caller for vmallocinfo;
				   NULL: "vmalloc" (copied) */
	uint64_t phys;		/* ioremap: the physical address shown */
};

/* What one call did and charged (the caller accumulates). */
struct vmalloc_result {
	uint64_t cycles;
	bool failed;		/* the allocation returned NULL */
	const char *why;	/* the kernel's warning when it failed */
	uint64_t addr;		/* va_start */
	uint64_t size;		/* va size, guard page included */
	unsigned page_order;	/* 0, or 9 for a huge mapping */
	bool huge_fallback;	/* huge pages failed, mapped with 4 KiB */
	uint64_t nr_pages;	/* 4 KiB pages mapped (vmallocinfo pages=) */
	uint64_t frames_allocated;	/* buddy frames for the area's pages */
	uint64_t frames_freed;
	unsigned pt_allocated;	/* page-table pages taken from the buddy */
	unsigned pt_freed;
	unsigned purges;	/* __purge_vmap_area_lazy() runs */
	unsigned tlb_flushes;	/* kernel-range flushes (one per purge) */
	uint64_t flush_start, flush_end;	/* the last flush's range */
	uint64_t purged_areas, purged_pages;
};

struct vmalloc_stats {
	uint64_t start, end;		/* the range */
	uint64_t nr_busy;		/* live areas */
	uint64_t used_bytes;		/* sum of live va sizes (guards too) */
	uint64_t mapped_pages;		/* 4 KiB pages mapped now */
	uint64_t backing_frames;	/* buddy frames behind vmalloc areas */
	uint64_t nr_free_areas;		/* fragments of free address space */
	uint64_t largest_free;		/* bytes */
	uint64_t free_bytes;
	uint64_t pt_pages[3];		/* PTE, PMD, PUD pages now */
	uint64_t pt_pages_total;
	uint64_t lazy_pages;		/* vmap_lazy_nr */
	uint64_t lazy_max_pages;
	uint64_t nr_lazy_areas;
	uint64_t nr_purges;
	uint64_t nr_alloc, nr_free, nr_failed, nr_huge_fallbacks;
};

struct vmalloc;

/* Build the allocator for machine m: one free area spanning the range. */
struct vmalloc *vmalloc_create(struct machine *m,
    const struct vmalloc_opts *o);
/* Gives every page and page-table page back to the buddy. */
void vmalloc_destroy(struct vmalloc *v);

/*
 * Models mm/vmalloc.c:__vmalloc_node_range() (vmalloc(), vzalloc(),
 * vmalloc_huge()) and, with VMALLOC_F_VMAP or VMALLOC_F_IOREMAP, the
 * area and mapping of vmap() and ioremap() (their pages are the
 * caller's, not the buddy's).  Returns 0 with *h set, or with
 * res->failed (and *h VMALLOC_HANDLE_NONE) when the kernel would return
 * NULL; -1 with *cause for a request the kernel rejects as a bug (size 0,
 * align not a power of two).
 */
int vmalloc_alloc(struct vmalloc *v, const struct vmalloc_request *req,
    vmalloc_handle_t *h, struct vmalloc_result *res, char **cause);
/* Models vfree() / vunmap(): pages back to the buddy now, the address
 * space on the purge list.  -1 with *cause if h is not live. */
int vmalloc_free(struct vmalloc *v, vmalloc_handle_t h,
    struct vmalloc_result *res, char **cause);
/* Models vm_unmap_aliases()' purge: every lazily freed area. */
void vmalloc_purge(struct vmalloc *v, struct vmalloc_result *res);

/*
 * Replay of captured events.  vmalloc_alloc_at() places the area at addr
 * (an alloc_vmap_area event's va_start) instead of searching, which must
 * lie in free address space (purging first if a lazily freed area holds
 * it, as the kernel must have done); req->size is the requested size
 * (the guard page is added as for vmalloc_alloc()).  vmalloc_free_at()
 * frees the live area starting at addr.  vmalloc_purge_range() models a
 * purge_vmap_area_lazy event: the lazily freed areas inside [start, end)
 * are merged back, with one flush.
 */
int vmalloc_alloc_at(struct vmalloc *v, uint64_t addr,
    const struct vmalloc_request *req, vmalloc_handle_t *h,
    struct vmalloc_result *res, char **cause);
int vmalloc_free_at(struct vmalloc *v, uint64_t addr,
    struct vmalloc_result *res, char **cause);
void vmalloc_purge_range(struct vmalloc *v, uint64_t start, uint64_t end,
    struct vmalloc_result *res);

/* mm/vmalloc.c:lazy_max_pages() for this allocator's CPU count. */
uint64_t vmalloc_lazy_max_pages(const struct vmalloc *v);
void vmalloc_get_stats(const struct vmalloc *v, struct vmalloc_stats *st);
/* /proc/vmallocinfo as mm/vmalloc.c:vmalloc_info_show() prints it to
 * root: live areas by address, then the unpurged ones. */
void vmalloc_dump_vmallocinfo(const struct vmalloc *v, FILE *f);
/* --check: the free tree's order, augmentation and counts, no overlap
 * of free, busy and lazy areas, page-table counts against the mappings.
 * Returns 0, or -1 with *cause. */
int vmalloc_check(const struct vmalloc *v, char **cause);

#endif /* KMSIM_VMALLOC_H */
