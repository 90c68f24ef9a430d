/*
 * slab.h - the SLUB allocator of Linux 6.18 (mm/slub.c, mm/slab_common.c)
 * as an engine on top of the page allocator: caches with the kernel's
 * geometry (object size, alignment, slab order, objects per slab,
 * min_partial, cpu_partial), the per-CPU active slab and partial list,
 * the per-node partial lists, cache merging, the kmalloc caches and
 * large kmalloc, and /proc/slabinfo.
 *
 * Objects are not addressed one by one: an object is named by the handle
 * of the slab it lives in, which alloc returns and free takes back.  The
 * caller keeps its own table from its object to that handle.  Handles are
 * stable 32-bit indices into a pool of slab records, reused LIFO once a
 * slab goes back to the buddy, so they fit in any table the caller has.
 * A large kmalloc (above KMALLOC_MAX_CACHE_SIZE) gets a handle too: its
 * record names the pages, so kfree() needs nothing else.
 *
 * Everything is deterministic and O(1) per alloc and free, amortised
 * (a drain of a CPU's partial list walks at most cpu_partial_slabs).
 */
#ifndef KMSIM_SLAB_H
#define KMSIM_SLAB_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mm/buddy.h"
#include "machine.h"

typedef uint32_t slab_handle_t;
#define SLAB_HANDLE_NONE	UINT32_MAX	/* failure, or kmalloc(0) */

/*
 * Cache flags.  The names are include/linux/slab.h's; the bit values are
 * kmsim's own (6.18 numbers them from an enum that depends on the config).
 * The debug flags (red zone, poison, store user) are not modelled: a cache
 * asking for them is refused.  Two flags stand for kmem_cache_args fields
 * rather than flags: SLAB_HAS_CTOR for a constructor, SLAB_HAS_USERSIZE
 * for a usercopy region (kmem_cache_create_usercopy()); both move the
 * free pointer or forbid merging as the kernel's args do.
 */
#define SLAB_HWCACHE_ALIGN	0x0001u	/* align objects on cache lines */
#define SLAB_CACHE_DMA		0x0002u	/* slabs from ZONE_DMA */
#define SLAB_CACHE_DMA32	0x0004u	/* slabs from ZONE_DMA32 */
#define SLAB_PANIC		0x0008u	/* accepted, changes nothing here */
#define SLAB_TYPESAFE_BY_RCU	0x0010u	/* free pointer outside, no merge */
#define SLAB_NO_MERGE		0x0020u	/* never merged */
#define SLAB_ACCOUNT		0x0040u	/* memcg accounted (merge class) */
#define SLAB_RECLAIM_ACCOUNT	0x0080u	/* __GFP_RECLAIMABLE slabs */
#define SLAB_NO_USER_FLAGS	0x0100u	/* accepted, changes nothing here */
#define SLAB_KMALLOC		0x0200u	/* a kmalloc cache (internal) */
#define SLAB_HAS_CTOR		0x1000u	/* kmsim: has a constructor */
#define SLAB_HAS_USERSIZE	0x2000u	/* kmsim: has a usercopy region */
#define SLAB_FLAGS_KNOWN	0x33ffu

/* mm/slab.h: SLAB_NEVER_MERGE and SLAB_MERGE_SAME of the flags above. */
#define SLAB_NEVER_MERGE	(SLAB_TYPESAFE_BY_RCU | SLAB_NO_MERGE)
#define SLAB_MERGE_SAME		(SLAB_RECLAIM_ACCOUNT | SLAB_CACHE_DMA | \
				 SLAB_CACHE_DMA32 | SLAB_ACCOUNT)

/* include/linux/slab.h: enum kmalloc_cache_type, CONFIG_ZONE_DMA and
 * CONFIG_MEMCG on, no random kmalloc caches, in the kernel's order. */
enum kmalloc_cache_type {
	KMALLOC_NORMAL,
	KMALLOC_RECLAIM,
	KMALLOC_DMA,
	KMALLOC_CGROUP,
	NR_KMALLOC_TYPES
};

#define KMALLOC_MIN_SIZE	8	/* x86-64: ARCH_KMALLOC_MINALIGN */
#define KMALLOC_SHIFT_LOW	3
#define KMALLOC_MAX_INDEX	24	/* room for 8 MiB pages */

/* The per-cache event counters, named as CONFIG_SLUB_STATS names its
 * files under /sys/kernel/slab/<cache>/ (enum stat_item). */
enum slab_stat_item {
	ALLOC_FASTPATH,		/* from the CPU's freelist */
	ALLOC_SLOWPATH,		/* through ___slab_alloc() */
	FREE_FASTPATH,		/* to the CPU's active slab */
	FREE_SLOWPATH,		/* through __slab_free() */
	FREE_FROZEN,		/* to another CPU's active slab */
	FREE_ADD_PARTIAL,	/* a slab put on a node partial list */
	FREE_REMOVE_PARTIAL,	/* an empty slab taken off it to discard */
	ALLOC_FROM_PARTIAL,	/* the active slab from a node partial list */
	ALLOC_SLAB,		/* a new slab from the page allocator */
	ALLOC_REFILL,		/* the active slab's remote frees taken */
	FREE_SLAB,		/* a slab given back to the page allocator */
	CPUSLAB_FLUSH,		/* an active slab flushed (shrink) */
	DEACTIVATE_FULL,	/* a flushed active slab was full */
	DEACTIVATE_EMPTY,	/* ... was empty and discarded */
	DEACTIVATE_BYPASS,	/* an exhausted active slab dropped */
	ORDER_FALLBACK,		/* a new slab fell back to the min order */
	CPU_PARTIAL_ALLOC,	/* the active slab from the CPU partial list */
	CPU_PARTIAL_FREE,	/* a full slab put on the CPU partial list */
	CPU_PARTIAL_NODE,	/* a node partial slab moved to it */
	CPU_PARTIAL_DRAIN,	/* the CPU partial list drained to the node */
	ALLOC_FAILED,		/* kmsim: the page allocator said no */
	NR_SLAB_STAT_ITEMS
};
extern const char *const slab_stat_names[NR_SLAB_STAT_ITEMS];

/* Which list a slab is on (the kernel keeps this in the slab's flags,
 * frozen bit and list membership). */
enum slab_list {
	SLAB_LIST_FREE,		/* the record is unused */
	SLAB_LIST_CPU,		/* a CPU's active slab (frozen) */
	SLAB_LIST_CPU_PARTIAL,	/* on a CPU's partial list */
	SLAB_LIST_NODE_PARTIAL,	/* on its node's partial list */
	SLAB_LIST_FULL,		/* on no list: every object in use */
	SLAB_LIST_LARGE,	/* a large kmalloc's pages, no cache */
};

struct kmem_cache;

/*
 * mm/slab.h:struct slab, reduced to counts.  `sfree` is what the kernel's
 * slab->freelist holds: for a CPU's active slab, the objects freed by
 * other CPUs since it was loaded; for any other slab, every free object.
 */
struct slab {
	struct kmem_cache *cache;	/* NULL for a large kmalloc */
	uint64_t pfn;			/* first frame, from page_alloc() */
	uint32_t prev, next;		/* list links (handles) */
	uint32_t inuse;			/* objects allocated */
	uint32_t objects;		/* objects it holds */
	uint32_t sfree;			/* objects on the slab's freelist */
	uint32_t slabs;			/* CPU partial list: its length from
					   here when this slab was pushed */
	int16_t node;			/* slab_nid() */
	int16_t cpu;			/* owning CPU on a CPU list */
	uint8_t order;
	uint8_t list;			/* enum slab_list */
};

/* mm/slub.c:struct kmem_cache_cpu. */
struct kmem_cache_cpu {
	slab_handle_t slab;		/* active slab, or NONE */
	uint32_t freelist;		/* objects on c->freelist */
	slab_handle_t partial;		/* head of the partial list */
	uint32_t nr_partial;		/* slabs on it (kmsim's count) */
};

/* mm/slub.c:struct kmem_cache_node. */
struct kmem_cache_node {
	slab_handle_t partial_head, partial_tail;
	uint64_t nr_partial;
	uint64_t nr_slabs;		/* every slab of the node */
	uint64_t total_objects;
	uint64_t nr_pages;
};

/* mm/slab.h:struct kmem_cache, the fields SLUB's model needs. */
struct kmem_cache {
	char *name;
	unsigned object_size;		/* what the user asked for */
	unsigned size;			/* object plus free pointer, aligned */
	unsigned align;
	unsigned offset;		/* the free pointer's offset */
	unsigned flags;			/* SLAB_* */
	unsigned order, objects;	/* s->oo */
	unsigned min_order, min_objects;	/* s->min */
	gfp_t allocflags;		/* ORed into every slab allocation */
	unsigned min_partial;
	unsigned cpu_partial;		/* objects (sysfs cpu_partial) */
	unsigned cpu_partial_slabs;	/* slabs a CPU keeps (6.18) */
	int refcount;			/* 1 + aliases */
	char **aliases;			/* names merged into this cache */
	int nr_aliases;
	int id;				/* creation order */
	bool is_kmalloc;		/* the world's, never destroyed */
	struct kmem_cache_cpu *cpu_slab;	/* nr_cpus entries */
	struct kmem_cache_node *node;		/* nr_nodes entries */
	uint64_t stat[NR_SLAB_STAT_ITEMS];
	/* internal fragmentation: cumulative over every allocation */
	uint64_t bytes_requested;	/* what the callers asked for */
	uint64_t bytes_allocated;	/* object_size of what they got */
	uint64_t inuse_objects;		/* live objects (exact) */
};

/* Knobs of the kernel command line (slub_*=, slab_nomerge). */
struct slab_opts {
	bool merge;			/* !slab_nomerge; default true */
	bool cpu_partial;		/* CONFIG_SLUB_CPU_PARTIAL; true */
	unsigned min_objects;		/* slab_min_objects=; 0: from CPUs */
	unsigned min_order;		/* slab_min_order=; 0 */
	unsigned max_order;		/* slab_max_order=; costly order 3 */
};
void slab_opts_default(struct slab_opts *o);

struct slab_world {
	struct machine *m;
	struct slab_opts opts;
	struct kmem_cache **caches;	/* creation order */
	int nr_caches, caches_cap;
	struct kmem_cache *kmalloc_caches[NR_KMALLOC_TYPES][KMALLOC_MAX_INDEX];
	unsigned kmalloc_shift_high;	/* PAGE_SHIFT + 1 */
	struct slab *slabs;		/* the pool; handles index it */
	uint32_t nr_slabs_pool, slabs_cap;
	slab_handle_t free_slabs;	/* unused records, LIFO */
	/* counters (pages, as /proc/meminfo's SReclaimable, SUnreclaim) */
	uint64_t nr_slab_reclaimable;
	uint64_t nr_slab_unreclaimable;	/* slab pages, and large kmalloc */
	uint64_t nr_large_pages;	/* large kmalloc pages */
	uint64_t nr_large;		/* live large kmallocs */
	uint64_t large_bytes_requested;	/* cumulative */
};

/* What one slab operation did and charged. */
enum slab_path {
	SLAB_PATH_FAST,		/* c->freelist */
	SLAB_PATH_REFILL,	/* the active slab's remote frees */
	SLAB_PATH_CPU_PARTIAL,	/* the CPU partial list */
	SLAB_PATH_NODE_PARTIAL,	/* the node partial list */
	SLAB_PATH_NEW_SLAB,	/* a new slab */
	SLAB_PATH_LARGE,	/* large kmalloc, straight to the pages */
	SLAB_PATH_FAILED,	/* no memory */
	SLAB_PATH_ZERO,		/* kmalloc(0), kfree(NULL), in place */
	SLAB_PATH_FREE_FAST,
	SLAB_PATH_FREE_SLOW,
};
struct slab_result {
	uint64_t cycles;		/* everything charged, page calls too */
	enum slab_path path;
	uint64_t pages_allocated;	/* from the page allocator */
	uint64_t pages_freed;		/* back to it */
	unsigned slabs_freed;
	bool order_fallback;		/* the new slab is of the min order */
	bool page_called;		/* `page` holds a page_alloc() result */
	struct alloc_result page;	/* the last page_alloc() */
};

/* The world of a machine: its kmalloc caches are created here
 * (create_kmalloc_caches()).  opts NULL: the defaults. */
struct slab_world *slab_world_create(struct machine *m,
    const struct slab_opts *opts);
/* Frees the records, not the pages: the machine goes with it. */
void slab_world_destroy(struct slab_world *w);

/*
 * kmem_cache_create(): a new cache, or an existing one it merges with
 * (find_mergeable(), __kmem_cache_alias(): the name is recorded as an
 * alias).  Returns 0, or -1 with *cause (a name in use, a size of 0 or
 * too large for max order, flags not modelled).
 */
int kmem_cache_create(struct slab_world *w, const char *name,
    unsigned object_size, unsigned align, unsigned flags,
    struct kmem_cache **out, char **cause);
/* A cache by name or alias; NULL if none. */
struct kmem_cache *kmem_cache_lookup(const struct slab_world *w,
    const char *name);
/*
 * kmem_cache_destroy(): drops one reference; the last one flushes the
 * CPU slabs and discards the empty slabs.  As in the kernel, a cache that
 * still has objects is not destroyed (its empty slabs are freed): -1 with
 * *cause.  kmalloc caches are refused.
 */
int kmem_cache_destroy(struct slab_world *w, struct kmem_cache *s,
    struct slab_result *res, char **cause);

/*
 * kmem_cache_alloc() on cpu (slab_alloc_node() with NUMA_NO_NODE):
 * *handle is the slab the object lives in, SLAB_HANDLE_NONE when memory
 * ran out (res->path FAILED: the failure is data).  Returns -1 with
 * *cause only for a request that is invalid.
 */
int kmem_cache_alloc(struct slab_world *w, struct kmem_cache *s, int cpu,
    gfp_t gfp, slab_handle_t *handle, struct slab_result *res,
    char **cause);
/* kmem_cache_free() on cpu (do_slab_free()). */
int kmem_cache_free(struct slab_world *w, struct kmem_cache *s,
    slab_handle_t handle, int cpu, struct slab_result *res, char **cause);

/* The kmalloc cache kmalloc(size, gfp) uses (kmalloc_slab()): NULL for
 * 0 and for sizes above KMALLOC_MAX_CACHE_SIZE. */
struct kmem_cache *kmalloc_slab(const struct slab_world *w, size_t size,
    gfp_t gfp);
/* include/linux/slab.h:kmalloc_type() and __kmalloc_index(). */
enum kmalloc_cache_type kmalloc_type(gfp_t gfp);
unsigned kmalloc_index(size_t size);
/* KMALLOC_MAX_CACHE_SIZE of the machine's page size. */
uint64_t kmalloc_max_cache_size(const struct slab_world *w);
/* include/asm-generic/getorder.h:get_order() for the machine. */
unsigned slab_get_order(const struct slab_world *w, uint64_t size);

/*
 * kmalloc(): size 0 gives SLAB_HANDLE_NONE with path ZERO (ZERO_SIZE_PTR);
 * above KMALLOC_MAX_CACHE_SIZE the pages come straight from the page
 * allocator (__kmalloc_large_node()) and *cache_out is NULL.
 */
int kmalloc(struct slab_world *w, size_t size, gfp_t gfp, int cpu,
    slab_handle_t *handle, struct kmem_cache **cache_out,
    struct slab_result *res, char **cause);
/* kfree(): SLAB_HANDLE_NONE is kfree(NULL). */
int kfree(struct slab_world *w, slab_handle_t handle, int cpu,
    struct slab_result *res, char **cause);
/* krealloc(): in place while new_size fits the object (ksize()), else a
 * new kmalloc and a kfree.  new_size 0 frees. */
int krealloc(struct slab_world *w, slab_handle_t handle, size_t new_size,
    gfp_t gfp, int cpu, slab_handle_t *out, struct kmem_cache **cache_out,
    struct slab_result *res, char **cause);
/* ksize(): the usable size behind a handle; 0 for NONE. */
uint64_t slab_ksize(const struct slab_world *w, slab_handle_t handle);

/* kmem_cache_shrink() (__kmem_cache_do_shrink()) of one cache: flush the
 * CPU slabs, discard every empty slab.  Returns pages freed. */
uint64_t kmem_cache_shrink(struct slab_world *w, struct kmem_cache *s,
    struct slab_result *res);
/* Every cache shrunk, for the reclaim path (the kernel has no such
 * shrinker: it is kmsim's hook for reclaim to take empty slabs back). */
uint64_t slab_shrink(struct slab_world *w, struct slab_result *res);

/* mm/slab.h:struct slabinfo plus kmsim's fragmentation figures. */
struct slab_info {
	uint64_t active_objs;	/* num_objs - free on node partial lists */
	uint64_t num_objs;
	unsigned objsize;	/* s->size, as /proc/slabinfo prints */
	unsigned objperslab;
	unsigned pagesperslab;
	uint64_t active_slabs, num_slabs;
	uint64_t inuse_objs;	/* exact live objects */
	uint64_t slab_bytes;	/* pages of every slab */
	uint64_t leftover_bytes;	/* slab bytes no object covers */
	uint64_t padding_bytes;	/* (size - object_size) per live object */
	uint64_t free_bytes;	/* free objects (size each) */
};
/* mm/slub.c:get_slabinfo(). */
void slab_get_info(const struct slab_world *w, const struct kmem_cache *s,
    struct slab_info *info);
/* /proc/slabinfo, version 2.1, newest cache first (slab_show()). */
void slab_dump_slabinfo(const struct slab_world *w, FILE *f);
/* The record behind a handle, NULL if it names no live slab. */
const struct slab *slab_get(const struct slab_world *w, slab_handle_t h);
/* Every list and count consistent; -1 with *cause at the first fault. */
int slab_check(const struct slab_world *w, char **cause);

#endif /* KMSIM_SLAB_H */
