/*
 * percpu.h - the percpu allocator (mm/percpu.c with the vmalloc-backed
 * chunks of mm/percpu-vm.c): chunks of one unit per possible CPU, an
 * allocation bitmap per chunk at PCPU_MIN_ALLOC_SIZE granularity with
 * per-page metadata blocks and the kernel's hints, chunk slots by the
 * largest free area, pages populated on demand (nr_cpus frames from the
 * buddy per unit page), new chunks when nothing fits and the balance
 * work that frees empty chunks and keeps a few populated pages free for
 * atomic allocations.
 *
 * A library engine: the caller (a trace replay, a test) decides when the
 * deferred balance work runs; percpu_balance_pending() says whether the
 * kernel would have scheduled it.
 */
#ifndef KMSIM_PERCPU_H
#define KMSIM_PERCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/buddy.h"
#include "mm/gfp.h"
#include "machine.h"

/* include/linux/percpu.h (6.18). */
#define PCPU_MIN_ALLOC_SHIFT	2
#define PCPU_MIN_ALLOC_SIZE	(1u << PCPU_MIN_ALLOC_SHIFT)
#define PCPU_MIN_UNIT_SIZE	(32u << 10)	/* also the largest request */
#define PERCPU_MODULE_RESERVE	(8u << 10)
#define PERCPU_DYNAMIC_EARLY_SIZE	(20u << 10)
#define PERCPU_DYNAMIC_RESERVE	(28u << 10)	/* 64-bit */
/* mm/percpu.c. */
#define PCPU_EMPTY_POP_PAGES_LOW	2
#define PCPU_EMPTY_POP_PAGES_HIGH	4

/*
 * How the first chunk is laid out (what arch/x86/kernel/setup_percpu.c
 * hands pcpu_embed_first_chunk()).  Zero fields take the defaults.
 */
struct percpu_opts {
	uint64_t static_size;	/* kernel image percpu section; default
				   200 KiB, what distribution x86-64 6.x
				   kernels print as "s..." in pcpu-alloc */
	uint64_t reserved_size;	/* module reserve; default 8 KiB, and
				   no_reserved makes it 0 */
	uint64_t dyn_size;	/* first chunk's dynamic area before page
				   rounding; default PERCPU_DYNAMIC_RESERVE */
	uint64_t atom_size;	/* default 2 MiB (PMD_SIZE) */
	uint64_t unit_size;	/* default: pcpu_build_alloc_info()'s choice */
	bool no_reserved;	/* no reserved chunk */
	bool no_memcg;		/* kmem accounting off: bytes_alloc is
				   size * nr_cpus only */
};

/*
 * A live allocation: chunk id (never reused) in the upper half, byte
 * offset in the chunk in the lower.  Stable while the allocation lives;
 * the caller maps the trace's percpu pointer to it.
 */
typedef uint64_t percpu_handle_t;
#define PERCPU_HANDLE_NONE	UINT64_MAX

static inline unsigned percpu_handle_chunk(percpu_handle_t h)
{
	return (unsigned)(h >> 32);
}
static inline unsigned percpu_handle_off(percpu_handle_t h)
{
	return (unsigned)(h & UINT32_MAX);
}

struct percpu_request {
	uint64_t size;		/* bytes per CPU */
	uint64_t align;		/* a power of two up to PAGE_SIZE */
	gfp_t gfp;		/* atomic unless __GFP_DIRECT_RECLAIM */
	bool reserved;		/* from the reserved chunk if there is one */
	int cpu;		/* the CPU asking (its per-cpu page lists) */
};

/* What one call did and charged (the caller accumulates). */
struct percpu_result {
	uint64_t cycles;
	bool failed;		/* the allocation returned NULL */
	const char *why;	/* the kernel's reason when it failed */
	unsigned chunk;		/* id of the chunk served or freed */
	unsigned off;		/* byte offset in it (the trace's off=) */
	uint64_t size;		/* bytes per unit, rounded to 4 */
	uint64_t bytes_alloc;	/* as trace_percpu_alloc_percpu() reports */
	unsigned pages_populated;	/* unit pages (nr_cpus frames each) */
	unsigned pages_depopulated;
	unsigned chunks_created;
	unsigned chunks_destroyed;
	unsigned blocks_scanned;	/* metadata blocks looked at */
};

struct percpu_stats {
	unsigned nr_chunks;		/* including the first (and reserved) */
	unsigned max_chunks;
	uint64_t unit_size;
	uint64_t populated_pages;	/* pcpu_nr_populated: per-unit pages,
					   the first chunk's static and
					   reserved parts included */
	uint64_t meminfo_kb;		/* /proc/meminfo Percpu: */
	uint64_t backing_frames;	/* frames taken from the buddy now */
	uint64_t empty_pop_pages;	/* pcpu_nr_empty_pop_pages */
	uint64_t nr_alloc, nr_dealloc, nr_cur_alloc, nr_failed;
	uint64_t bytes_in_use;		/* per unit: live areas, sizes rounded
					   up to PCPU_MIN_ALLOC_SIZE */
	uint64_t bytes_alloc;		/* sum of live bytes_alloc */
	uint64_t free_bytes;		/* per unit, in dynamic chunks */
	uint64_t align_skipped;		/* free bytes passed over to honour
					   alignment, summed over allocations */
};

struct percpu_chunk_info {
	unsigned id;
	bool first, reserved, isolated;
	unsigned nr_pages, nr_populated, nr_empty_pop_pages;
	unsigned free_bytes, contig_bytes;	/* per unit */
	unsigned nr_alloc;
	int slot;
	double frag;		/* 1 - largest free area / free bytes */
};

struct percpu;

/* Build the allocator for machine m: the first chunk (and the reserved
 * one), populated from boot memory as the kernel's is.  Destroy with
 * percpu_destroy(), which gives every backing frame back to the buddy. */
struct percpu *percpu_create(struct machine *m, const struct percpu_opts *o);
void percpu_destroy(struct percpu *p);

/*
 * Models mm/percpu.c:pcpu_alloc_noprof().  Returns 0 with *h set, or with
 * res->failed (and *h PERCPU_HANDLE_NONE) when the allocator fails;
 * -1 with *cause for a request the kernel rejects as illegal (size 0 or
 * above PCPU_MIN_UNIT_SIZE, align not a power of two or above a page).
 */
int percpu_alloc(struct percpu *p, const struct percpu_request *req,
    percpu_handle_t *h, struct percpu_result *res, char **cause);
/* Models free_percpu().  -1 with *cause if h is not a live allocation. */
int percpu_free(struct percpu *p, percpu_handle_t h, int cpu,
    struct percpu_result *res, char **cause);
/* Models pcpu_balance_workfn(): free empty chunks beyond one, depopulate
 * isolated chunks, keep PCPU_EMPTY_POP_PAGES_LOW..HIGH free populated
 * pages, on the CPU that scheduled it. */
void percpu_balance(struct percpu *p, struct percpu_result *res);
/* Would the kernel have scheduled the balance work by now? */
bool percpu_balance_pending(const struct percpu *p);

/* The handle of the area at byte offset off of chunk id, if live. */
percpu_handle_t percpu_lookup(const struct percpu *p, unsigned chunk,
    unsigned off);
/* bytes_alloc of trace_percpu_alloc_percpu() for a request of size bytes:
 * pcpu_obj_full_size() of the rounded size. */
uint64_t percpu_bytes_alloc(const struct percpu *p, uint64_t size);

void percpu_get_stats(const struct percpu *p, struct percpu_stats *st);
/* Chunks in creation order, i from 0; false past the last. */
bool percpu_chunk_info(const struct percpu *p, unsigned i,
    struct percpu_chunk_info *ci);
/* Check every chunk's hints against its bitmap, counters against the
 * chunks.  Returns 0, or -1 with *cause. */
int percpu_check(const struct percpu *p, char **cause);

#endif /* KMSIM_PERCPU_H */
