/*
 * kmsim_config.h - the machine configuration (kmsim-config(5)), read from
 * YAML with libyaml.  config_load() validates every key and fills in the
 * documented defaults; machine_create() (machine.h) turns the result into
 * the simulated machine.  Sizes are in bytes here, pages in machine.h.
 *
 * config.c loads the file and reads its top level, config_topology.c
 * machine:, config_tunables.c the other sections, config_set.c applies
 * --set, config_json.c writes the result as JSON.
 */
#ifndef KMSIM_CONFIG_H
#define KMSIM_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "cost.h"
#include "mm/gfp.h"
#include "kmsim.h"

#define CONFIG_MAX_NODES	64
#define CONFIG_MAX_CPUS		1024
#define CONFIG_MAX_ORDER	15	/* largest max_order accepted */
#define CONFIG_MAX_PHYS_BITS	46	/* x86-64 MAX_PHYSMEM_BITS, 4-level */
#define CONFIG_MAX_HOLES	128	/* per node; firmware maps hold a few */

/* x86-64 zone limits by physical address (arch/x86/include/asm/dma.h). */
#define CONFIG_DMA_END		(UINT64_C(16) << 20)	/* MAX_DMA_PFN */
#define CONFIG_DMA32_END	(UINT64_C(4) << 30)	/* MAX_DMA32_PFN */
/*
 * x86-32 lowmem: the direct map ends at max_low_pfn, MAXMEM of
 * arch/x86/include/asm/pgtable_32_areas.h with the default 3G/1G split
 * and 128 MiB __VMALLOC_RESERVE: the classic 896 MiB.  (A 6.18 kernel's
 * fixmap and cpu_entry_area take a few MiB more off MAXMEM; write
 * `zones:` for an exact machine.)
 */
#define CONFIG_X86_32_LOWMEM_END	(UINT64_C(896) << 20)

/* machine.arch: how zones, page size and address width are derived. */
enum config_arch {
	ARCH_X86_64,		/* the default */
	ARCH_X86_32,		/* no PAE: 32-bit physical, LAST_PKMAP 1024 */
	ARCH_X86_32_PAE,	/* PAE: 36-bit physical, LAST_PKMAP 512 */
	ARCH_NR
};
extern const char *const config_arch_names[ARCH_NR];

/* ACPI SLIT distances (include/linux/topology.h). */
#define CONFIG_DISTANCE_LOCAL	10	/* LOCAL_DISTANCE */
#define CONFIG_DISTANCE_REMOTE	20	/* REMOTE_DISTANCE, the default */
#define CONFIG_DISTANCE_MAX	254	/* 255 means unreachable */

/* include/uapi/linux/mempolicy.h modes kmsim models. */
enum mpol_mode {
	MPOL_LOCAL,		/* the requesting CPU's node (the default) */
	MPOL_PREFERRED,		/* the first node of the mask, then any */
	MPOL_BIND,		/* only the mask's nodes, nearest first */
	MPOL_INTERLEAVE,	/* round-robin over the mask's nodes */
	MPOL_NR
};
extern const char *const mpol_names[MPOL_NR];

/* How a migratetype's empty lists fall back to another type's. */
enum buddy_fallback {
	FALLBACK_CLAIM,		/* 6.15+: __rmqueue_claim then __rmqueue_steal */
	FALLBACK_LEGACY,	/* before 6.15: __rmqueue_fallback() */
};

struct config_range {
	uint64_t start;		/* bytes, physical address */
	uint64_t size;		/* bytes */
	struct srcpos pos;
};

struct config_node {
	int id;				/* 0 .. nr_nodes-1, in order */
	uint64_t start;			/* physical start (bytes) */
	uint64_t memory;		/* present memory (bytes) */
	uint64_t span;			/* memory + holes (bytes) */
	struct config_range *holes;	/* inside [start, start+span),
					 * sorted by start, disjoint */
	int nr_holes;
	/* Spanned bytes of each zone, in zone order, contiguous from
	 * `start`; filled by the x86-64 derivation when not explicit. */
	uint64_t zone_size[MAX_NR_ZONES];
	bool zones_explicit;
	/* Present pages of each zone never given to the buddy (the kernel's
	 * memblock reservations: managed = present - reserved).  0 from a
	 * config file; --config auto takes them from zoneinfo. */
	uint64_t zone_reserved[MAX_NR_ZONES];
	int *cpus;			/* ascending */
	int nr_cpus;
	struct srcpos pos;		/* the node's entry in the file;
					 * pos.file is the config's path */
};

/* A backing device (disks: in the configuration). */
#define CONFIG_MAX_DISKS	16
struct config_disk {
	char name[32];
	uint64_t bandwidth;		/* bytes per second */
	uint64_t latency_ns;		/* per I/O, after its transfer */
	unsigned queue_depth;		/* I/Os in flight at most */
	unsigned read_ahead_kb;		/* the bdi's read_ahead_kb */
	unsigned max_folio_order;	/* largest page cache folio */
};

struct config {
	char *path;			/* the file read ("-" for stdin) */
	char *name;			/* `name:`, default the file's base name */

	/* machine: */
	enum config_arch arch;		/* default ARCH_X86_64 */
	char tlb[32];			/* TLB preset; "none": no TLB model */
	unsigned paging_levels;		/* 4 (default) or 5 */
	bool vmap_stack;		/* CONFIG_VMAP_STACK, default on */
	uint64_t page_size;		/* 4K (default), 16K, 64K */
	unsigned page_shift;
	unsigned max_order;		/* MAX_PAGE_ORDER, default 10 */
	unsigned section_size_bits;	/* SPARSEMEM section, default 27 */
	unsigned cpu_mhz;		/* default 3000 */
	int nr_cpus;			/* sum over nodes */
	int nr_nodes;
	struct config_node *nodes;
	int *distance;			/* nr_nodes x nr_nodes, SLIT */
	uint64_t movablecore;		/* bytes for ZONE_MOVABLE, default 0 */

	/* vm: (the /proc/sys/vm knobs the core models) */
	uint64_t min_free_kbytes;	/* 0: computed as the kernel does */
	unsigned watermark_scale_factor;	/* default 10 */
	unsigned lowmem_reserve_ratio[MAX_NR_ZONES];
	unsigned watermark_boost_factor;	/* default 15000 */
	unsigned extfrag_threshold;		/* default 500 */
	unsigned compaction_proactiveness;	/* default 20 */
	unsigned percpu_pagelist_high_fraction;	/* default 0 */
	unsigned node_reclaim_mode;		/* default 0 (off) */
	enum mpol_mode mempolicy;		/* default MPOL_LOCAL */
	uint64_t mempolicy_nodes;		/* bit per node; 0: all */

	/* vm: the dirty page knobs (mm/page-writeback.c) */
	unsigned dirty_ratio;			/* default 20 */
	unsigned dirty_background_ratio;	/* default 10 */
	uint64_t dirty_bytes;			/* 0: the ratio applies */
	uint64_t dirty_background_bytes;	/* 0: the ratio applies */
	unsigned dirty_expire_centisecs;	/* default 3000 */
	unsigned dirty_writeback_centisecs;	/* default 500 */

	/* disks: the backing devices of the page cache */
	int nr_disks;
	struct config_disk disks[CONFIG_MAX_DISKS];

	/* buddy: (how the page allocator behaves, for comparisons) */
	enum buddy_fallback fallback;	/* default FALLBACK_CLAIM (6.15+) */
	bool mobility;			/* grouping by mobility, default on */
	bool highatomic;		/* the highatomic reserve, default on */
	bool pcp;			/* per-cpu lists, default on */
	uint64_t cma_size;		/* bytes of CMA area, default 0 */

	/* slab: (SLUB's boot parameters) */
	bool slab_merge;		/* !slab_nomerge, default on */
	bool slab_cpu_partial;		/* CONFIG_SLUB_CPU_PARTIAL, on */
	unsigned slab_min_objects;	/* slab_min_objects=, 0: from CPUs */
	unsigned slab_max_order;	/* slab_max_order=, default 3 */

	/* cost: */
	struct cost_model cost;

	/* metrics: */
	uint64_t snapshot_interval_ns;	/* default 10 ms of simulated time */
};

/*
 * Read and validate a config.  Returns a config to free with
 * config_destroy(), or NULL with *cause = "FILE:LINE:COL: message".
 */
struct config *config_load(const char *path, char **cause);
/*
 * The same with overrides applied before validation: each of sets[0 ..
 * nr_sets-1] is "KEY=VALUE", KEY a dotted path into the YAML document
 * (mapping keys and sequence indices: "machine.nodes.0.memory").  The
 * scalar it names takes VALUE; a key absent from a mapping is added and
 * then validated like one written in the file.  A path that names no
 * scalar fails with *cause "--set 'KEY=VALUE': message".
 */
struct config *config_load_overrides(const char *path,
    const char *const *sets, int nr_sets, char **cause);
/* The same from a string (tests); `name` is used in messages. */
struct config *config_load_string(const char *name, const char *text,
    char **cause);
void config_destroy(struct config *cfg);
/* Every default of the machine-independent keys (vm:, buddy:, cost:,
 * metrics:, page size, orders); tests that build configs by hand start
 * from it. */
void config_set_defaults(struct config *cfg);
/* The defaults of disk i (its name sda, sdb, ...). */
void config_disk_default(struct config_disk *d, int i);

/* The effective configuration (defaults filled in) as JSON, new reference. */
json_t *config_to_json(const struct config *cfg);

#endif /* KMSIM_CONFIG_H */
