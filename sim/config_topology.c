/*
 * config_topology.c - machine: of the configuration (kmsim-config(5)):
 * the architecture, page and section sizes, and the NUMA topology: nodes
 * with their memory, holes, CPUs and zones (explicit, or derived from
 * physical addresses as x86 does), ZONE_MOVABLE, and the SLIT distances.
 */
#include "config_reader.h"
#include "mm/tlb.h"

#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "mm/gfp.h"
#include "kmsim.h"
#include "yamlnode.h"

/* MAX_PHYSMEM_BITS and SECTION_SIZE_BITS of arch/x86/include/asm/sparsemem.h
 * for each machine.arch. */
static const unsigned config_arch_phys_bits[ARCH_NR] = {
	[ARCH_X86_64] = CONFIG_MAX_PHYS_BITS,
	[ARCH_X86_32] = 32,
	[ARCH_X86_32_PAE] = 36,
};
static const unsigned config_arch_section_bits[ARCH_NR] = {
	[ARCH_X86_64] = 27,
	[ARCH_X86_32] = 26,
	[ARCH_X86_32_PAE] = 29,
};

#define CONFIG_MAX_CPU_MHZ	100000

/* ------------------------------------------------------------------ */
/* machine.nodes[] */

static int config_add_cpu(struct config_reader *r, int node,
    const yaml_node_t *n, uint64_t cpu)
{
	struct config_node *cn = &r->cfg->nodes[node];

	if (cpu >= CONFIG_MAX_CPUS)
		return config_error(r, n, "cpus: cpu %" PRIu64 " is out of "
		    "range 0..%d", cpu, CONFIG_MAX_CPUS - 1);
	if (r->cpu_node[cpu] == node)
		return config_error(r, n, "cpus: cpu %" PRIu64 " is listed "
		    "twice in node %d", cpu, node);
	if (r->cpu_node[cpu] >= 0)
		return config_error(r, n, "cpus: cpu %" PRIu64 " is in node "
		    "%d and node %d", cpu, r->cpu_node[cpu], node);
	r->cpu_node[cpu] = node;
	r->cpu_pos[cpu] = config_pos(r, n);
	cn->cpus = xreallocarray(cn->cpus, (size_t)cn->nr_cpus + 1,
	    sizeof *cn->cpus);
	cn->cpus[cn->nr_cpus++] = (int)cpu;
	return 0;
}

struct config_cpulist {
	struct config_reader *r;
	int node;
	const yaml_node_t *n;
};

static int config_cpulist_range(void *arg, uint64_t a, uint64_t b)
{
	struct config_cpulist *cl = arg;
	uint64_t cpu;

	if (b >= CONFIG_MAX_CPUS)
		return config_error(cl->r, cl->n, "cpus: cpu %" PRIu64 " is "
		    "out of range 0..%d", b, CONFIG_MAX_CPUS - 1);
	for (cpu = a; cpu <= b; cpu++)
		if (config_add_cpu(cl->r, cl->node, cl->n, cpu) != 0)
			return -1;
	return 0;
}

/*
 * A cpu list as the kernel prints one (/sys/devices/system/node/nodeN/
 * cpulist, lib/bitmap.c:bitmap_parselist()): "0-3,8,10-11".
 */
static int config_cpulist(struct config_reader *r, int node,
    const yaml_node_t *n, const char *s)
{
	struct config_cpulist cl = { r, node, n };
	const char *p = s;
	uint64_t a, b;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return 0;	/* a CPU-less node */
	switch (kmsim_parse_list(s, CONFIG_MAX_CPUS, config_cpulist_range, &cl,
	    &a, &b)) {
	case KMSIM_LIST_OK:
		return 0;
	case KMSIM_LIST_FAILED:
		return -1;
	case KMSIM_LIST_REVERSED:
		return config_error(r, n, "cpus: range '%" PRIu64 "-%" PRIu64
		    "' is reversed", a, b);
	default:
		return config_error(r, n, "cpus: '%s' is not a cpu list", s);
	}
}

static int config_cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static int config_read_cpus(struct config_reader *r, int node,
    const yaml_node_t *n)
{
	struct config_node *cn = &r->cfg->nodes[node];
	uint64_t cpu = 0;
	int i;

	if (n == NULL)
		return 0;
	if (n->type == YAML_SCALAR_NODE) {
		if (yamlnode_has_nul(n))
			return config_error(r, n, "cpus: value contains a NUL "
			    "character");
		if (config_cpulist(r, node, n, yamlnode_text(n)) != 0)
			return -1;
	} else if (n->type == YAML_SEQUENCE_NODE) {
		for (i = 0; i < yamlnode_seq_len(n); i++) {
			yaml_node_t *item = yamlnode_seq_item(&r->yd, n, i);

			if (yamlnode_u64(&r->yd, item, "cpus", 0, UINT64_MAX,
			    &cpu) != 0 || config_add_cpu(r, node, item,
			    cpu) != 0)
				return -1;
		}
	} else {
		return config_error(r, n, "cpus: expected a cpu list or a "
		    "sequence, found %s", yamlnode_kind(n));
	}
	if (cn->nr_cpus > 1)
		qsort(cn->cpus, (size_t)cn->nr_cpus, sizeof *cn->cpus,
		    config_cmp_int);
	return 0;
}

static int config_read_hole(struct config_reader *r, const yaml_node_t *map,
    struct config_range *hole)
{
	static const char *const names[] = { "start", "size" };
	yaml_node_t *vals[ARRAY_SIZE(names)], *keys[ARRAY_SIZE(names)];

	if (yamlnode_expect(&r->yd, map, YAML_MAPPING_NODE, "holes") != 0 ||
	    config_collect(r, map, "holes", names, ARRAY_SIZE(names), "key",
	    " in hole", vals, keys) != 0 ||
	    config_require(r, map, vals, keys, names, 0, " in hole") != 0 ||
	    config_require(r, map, vals, keys, names, 1, " in hole") != 0)
		return -1;
	if (config_size(r, vals[0], "start", &hole->start) != 0 ||
	    config_page_aligned(r, vals[0], "start", hole->start) != 0 ||
	    config_size(r, vals[1], "size", &hole->size) != 0 ||
	    config_page_aligned(r, vals[1], "size", hole->size) != 0)
		return -1;
	if (hole->size == 0)
		return config_error(r, vals[1], "size: a hole cannot be empty");
	hole->pos = config_pos(r, map);
	return 0;
}

/* By address; equal starts by their place in the file. */
static int config_cmp_hole(const void *a, const void *b)
{
	const struct config_range *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->pos.line != y->pos.line)
		return x->pos.line < y->pos.line ? -1 : 1;
	return (x->pos.col > y->pos.col) - (x->pos.col < y->pos.col);
}

static bool config_pos_after(const struct srcpos *a, const struct srcpos *b)
{
	return a->line > b->line || (a->line == b->line && a->col > b->col);
}

/* Read the holes and size the node's span: memory plus holes. */
static int config_read_holes(struct config_reader *r, struct config_node *cn,
    const yaml_node_t *n)
{
	int i, nr;

	cn->span = cn->memory;
	if (n == NULL)
		return 0;
	if (yamlnode_expect(&r->yd, n, YAML_SEQUENCE_NODE, "holes") != 0)
		return -1;
	nr = yamlnode_seq_len(n);
	if (nr > CONFIG_MAX_HOLES)
		return config_error(r, n, "holes: %d holes, at most %d per "
		    "node", nr, CONFIG_MAX_HOLES);
	cn->holes = xcalloc((size_t)nr, sizeof *cn->holes);
	for (i = 0; i < nr; i++) {
		yaml_node_t *item = yamlnode_seq_item(&r->yd, n, i);
		struct config_range *h = &cn->holes[i];

		if (config_read_hole(r, item, h) != 0)
			return -1;
		cn->nr_holes++;
		if (h->size > CONFIG_PHYS_LIMIT - cn->span)
			return config_error(r, item, "holes: node %d would "
			    "span more than the %d-bit physical address space",
			    cn->id, CONFIG_MAX_PHYS_BITS);
		cn->span += h->size;
	}
	return 0;
}

/*
 * Holes lie inside the node and apart from each other.  They are sorted
 * first, so an overlap is found in one pass however many holes there are;
 * it is reported at the later of the two in the file.
 */
static int config_check_holes(struct config_reader *r, struct config_node *cn)
{
	uint64_t end = cn->start + cn->span;
	struct config_range *h, *far, *a, *b;
	int i;

	for (i = 0; i < cn->nr_holes; i++) {
		h = &cn->holes[i];
		if (h->start < cn->start || h->start + h->size > end)
			return config_error_at(r, &h->pos, "hole [0x%" PRIx64
			    ", 0x%" PRIx64 ") is outside node %d [0x%" PRIx64
			    ", 0x%" PRIx64 ")", h->start, h->start + h->size,
			    cn->id, cn->start, end);
	}
	if (cn->nr_holes < 2)
		return 0;
	qsort(cn->holes, (size_t)cn->nr_holes, sizeof *cn->holes,
	    config_cmp_hole);
	far = &cn->holes[0];	/* the hole reaching furthest so far */
	for (i = 1; i < cn->nr_holes; i++) {
		h = &cn->holes[i];
		if (h->start < far->start + far->size) {
			a = config_pos_after(&h->pos, &far->pos) ? h : far;
			b = a == h ? far : h;
			return config_error_at(r, &a->pos, "hole [0x%" PRIx64
			    ", 0x%" PRIx64 ") overlaps hole [0x%" PRIx64 ", 0x%"
			    PRIx64 ")", a->start, a->start + a->size, b->start,
			    b->start + b->size);
		}
		if (h->start + h->size > far->start + far->size)
			far = h;
	}
	return 0;
}

/* Explicit spanned zone sizes; they must add up to the node's span. */
static int config_read_zones(struct config_reader *r, struct config_node *cn,
    const yaml_node_t *n)
{
	yaml_node_t *vals[MAX_NR_ZONES], *keys[MAX_NR_ZONES];
	uint64_t sum = 0;
	char where[32], a[32], b[32];
	int z;

	snprintf(where, sizeof where, " in node %d", cn->id);
	if (config_collect(r, n, "zones", zone_names, MAX_NR_ZONES, "zone",
	    where, vals, keys) != 0)
		return -1;
	for (z = 0; z < MAX_NR_ZONES; z++) {
		if (keys[z] == NULL)
			continue;
		cn->zones_explicit = true;
		if (vals[z] == NULL)
			return config_error(r, keys[z], "%s: missing value",
			    zone_names[z]);
		/* CONFIG_ZONE_DMA32 is 64-bit only (arch/x86/Kconfig). */
		if (z == ZONE_DMA32 && r->cfg->arch != ARCH_X86_64)
			return config_error(r, keys[z], "zones: an %s machine "
			    "has no DMA32 zone",
			    config_arch_names[r->cfg->arch]);
		if (config_size(r, vals[z], zone_names[z],
		    &cn->zone_size[z]) != 0 ||
		    config_page_aligned(r, vals[z], zone_names[z],
		    cn->zone_size[z]) != 0)
			return -1;
		sum += cn->zone_size[z];
	}
	if (cn->zones_explicit && sum != cn->span)
		return config_error(r, n, "zones: sizes add up to %s, but node "
		    "%d spans %s", kmsim_fmt_size(sum, a, sizeof a), cn->id,
		    kmsim_fmt_size(cn->span, b, sizeof b));
	return 0;
}

static int config_read_node(struct config_reader *r, int i,
    yaml_node_t *map, uint64_t *next_start)
{
	static const char *const names[] = {
		"memory", "start", "cpus", "holes", "zones"
	};
	enum { K_MEMORY, K_START, K_CPUS, K_HOLES, K_ZONES };
	yaml_node_t *vals[ARRAY_SIZE(names)], *keys[ARRAY_SIZE(names)];
	struct config_node *cn = &r->cfg->nodes[i];
	struct config_node_src *src = &r->src[i];
	char what[32], where[32];
	unsigned bits;

	snprintf(what, sizeof what, "node %d", i);
	snprintf(where, sizeof where, " in node %d", i);
	cn->id = i;
	cn->pos = config_pos(r, map);
	src->map = map;
	if (yamlnode_expect(&r->yd, map, YAML_MAPPING_NODE, what) != 0 ||
	    config_collect(r, map, what, names, ARRAY_SIZE(names), "key",
	    where, vals, keys) != 0 ||
	    config_require(r, map, vals, keys, names, K_MEMORY, where) != 0)
		return -1;

	if (config_size(r, vals[K_MEMORY], "memory", &cn->memory) != 0)
		return -1;
	if (cn->memory == 0)
		return config_error(r, vals[K_MEMORY], "memory: a node cannot "
		    "have 0 bytes");
	if (config_page_aligned(r, vals[K_MEMORY], "memory", cn->memory) != 0)
		return -1;
	if (config_read_holes(r, cn, vals[K_HOLES]) != 0)
		return -1;

	src->start = vals[K_START];
	if (src->start == NULL)
		cn->start = *next_start;
	else if (config_size(r, src->start, "start", &cn->start) != 0 ||
	    config_page_aligned(r, src->start, "start", cn->start) != 0)
		return -1;
	if (cn->start > CONFIG_PHYS_LIMIT - cn->span)
		return config_error(r, src->start != NULL ? src->start : map,
		    "node %d [0x%" PRIx64 ", 0x%" PRIx64 ") ends beyond the "
		    "%d-bit physical address space", i, cn->start,
		    cn->start + cn->span, CONFIG_MAX_PHYS_BITS);
	bits = config_arch_phys_bits[r->cfg->arch];
	if (bits < CONFIG_MAX_PHYS_BITS &&
	    cn->start + cn->span > UINT64_C(1) << bits)
		return config_error(r, src->start != NULL ? src->start : map,
		    "node %d [0x%" PRIx64 ", 0x%" PRIx64 ") ends beyond the "
		    "%u-bit physical address space of %s", i, cn->start,
		    cn->start + cn->span, bits,
		    config_arch_names[r->cfg->arch]);
	*next_start = cn->start + cn->span;
	if (config_check_holes(r, cn) != 0)
		return -1;

	if (config_read_cpus(r, i, vals[K_CPUS]) != 0)
		return -1;
	return config_read_zones(r, cn, vals[K_ZONES]);
}

/* The bytes of [start, end) that fall in [lo, hi). */
static uint64_t config_overlap(uint64_t start, uint64_t end, uint64_t lo,
    uint64_t hi)
{
	lo = KMSIM_MAX(start, lo);
	hi = KMSIM_MIN(end, hi);
	return hi > lo ? hi - lo : 0;
}

/*
 * Zones by physical address, as x86-64 sets max_zone_pfns[] in
 * arch/x86/mm/init.c:zone_sizes_init(): DMA below MAX_DMA_PFN (16 MiB),
 * DMA32 below MAX_DMA32_PFN (4 GiB), Normal above.  No HighMem on 64-bit.
 */
static void config_derive_zones(const struct config *cfg,
    struct config_node *cn)
{
	uint64_t s = cn->start, e = cn->start + cn->span;

	if (cfg->arch != ARCH_X86_64) {
		/*
		 * x86-32 (CONFIG_HIGHMEM, no CONFIG_ZONE_DMA32): the same
		 * zone_sizes_init() with max_zone_pfns[ZONE_NORMAL] =
		 * max_low_pfn, the end of the direct map
		 * (arch/x86/mm/init_32.c:find_low_pfn_range()), and
		 * ZONE_HIGHMEM up to max_pfn.
		 */
		cn->zone_size[ZONE_DMA] = config_overlap(s, e, 0,
		    CONFIG_DMA_END);
		cn->zone_size[ZONE_DMA32] = 0;
		cn->zone_size[ZONE_NORMAL] = config_overlap(s, e,
		    CONFIG_DMA_END, CONFIG_X86_32_LOWMEM_END);
		cn->zone_size[ZONE_HIGHMEM] = config_overlap(s, e,
		    CONFIG_X86_32_LOWMEM_END, UINT64_MAX);
		cn->zone_size[ZONE_MOVABLE] = 0;
		return;
	}
	cn->zone_size[ZONE_DMA] = config_overlap(s, e, 0, CONFIG_DMA_END);
	cn->zone_size[ZONE_DMA32] = config_overlap(s, e, CONFIG_DMA_END,
	    CONFIG_DMA32_END);
	cn->zone_size[ZONE_NORMAL] = config_overlap(s, e, CONFIG_DMA32_END,
	    UINT64_MAX);
	cn->zone_size[ZONE_HIGHMEM] = 0;
	cn->zone_size[ZONE_MOVABLE] = 0;
}

/*
 * movablecore=: ZONE_MOVABLE spread evenly over the nodes, each share
 * rounded down to whole max-order blocks and carved from the top of the
 * node's highest populated zone (mm/mm_init.c:
 * find_zone_movable_pfns_for_nodes() with movable_zone from
 * find_usable_zone_for_movable()).
 */
static int config_apply_movablecore(struct config_reader *r)
{
	struct config *cfg = r->cfg;
	uint64_t block = cfg->page_size << cfg->max_order, share;
	char a[32], b[32];
	int i, z;

	if (cfg->movablecore == 0)
		return 0;
	share = cfg->movablecore / (uint64_t)cfg->nr_nodes / block * block;
	for (i = 0; i < cfg->nr_nodes; i++) {
		struct config_node *cn = &cfg->nodes[i];

		if (cn->zone_size[ZONE_MOVABLE] != 0)
			return config_error(r, r->movablecore, "movablecore: "
			    "node %d already has an explicit Movable zone", i);
		for (z = ZONE_MOVABLE - 1; z > 0; z--)
			if (cn->zone_size[z] != 0)
				break;
		if (share > cn->zone_size[z])
			return config_error(r, r->movablecore, "movablecore: "
			    "'%s' needs %s of node %d, but its %s zone spans "
			    "%s", yamlnode_text(r->movablecore),
			    kmsim_fmt_size(share, a, sizeof a), i,
			    zone_names[z],
			    kmsim_fmt_size(cn->zone_size[z], b, sizeof b));
		cn->zone_size[z] -= share;
		cn->zone_size[ZONE_MOVABLE] = share;
	}
	return 0;
}

static int config_check_nodes(struct config_reader *r)
{
	struct config *cfg = r->cfg;
	struct config_node *a, *b;
	int i, j;

	for (j = 1; j < cfg->nr_nodes; j++) {
		b = &cfg->nodes[j];
		for (i = 0; i < j; i++) {
			a = &cfg->nodes[i];
			if (b->start < a->start + a->span &&
			    a->start < b->start + b->span)
				return config_error(r, r->src[j].start != NULL ?
				    r->src[j].start : r->src[j].map, "node %d ["
				    "0x%" PRIx64 ", 0x%" PRIx64 ") overlaps node "
				    "%d [0x%" PRIx64 ", 0x%" PRIx64 ")", j,
				    b->start, b->start + b->span, i, a->start,
				    a->start + a->span);
		}
	}
	return 0;
}

/* CPUs are numbered 0..N-1, each in exactly one node. */
static int config_check_cpus(struct config_reader *r)
{
	struct config *cfg = r->cfg;
	int cpu, max = -1, next;

	for (cpu = 0; cpu < CONFIG_MAX_CPUS; cpu++)
		if (r->cpu_node[cpu] >= 0)
			max = cpu;
	if (max < 0)
		return config_error(r, r->nodes, "no cpus: at least one node "
		    "needs cpus");
	for (cpu = 0; cpu < max; cpu++) {
		if (r->cpu_node[cpu] >= 0)
			continue;
		for (next = cpu + 1; r->cpu_node[next] < 0; next++)
			;
		return config_error_at(r, &r->cpu_pos[next], "cpu %d is "
		    "missing: cpus must be numbered 0..N-1", cpu);
	}
	cfg->nr_cpus = max + 1;
	return 0;
}

static int config_read_nodes(struct config_reader *r, yaml_node_t *n)
{
	struct config *cfg = r->cfg;
	uint64_t next_start = 0;
	int i, nr;

	r->nodes = n;
	if (yamlnode_expect(&r->yd, n, YAML_SEQUENCE_NODE, "nodes") != 0)
		return -1;
	nr = yamlnode_seq_len(n);
	if (nr < 1 || nr > CONFIG_MAX_NODES)
		return config_error(r, n, "nodes: %d nodes, expected 1..%d",
		    nr, CONFIG_MAX_NODES);
	cfg->nodes = xcalloc((size_t)nr, sizeof *cfg->nodes);
	cfg->nr_nodes = nr;
	r->src = xcalloc((size_t)nr, sizeof *r->src);
	for (i = 0; i < nr; i++)
		if (config_read_node(r, i, yamlnode_seq_item(&r->yd, n, i),
		    &next_start) != 0)
			return -1;
	if (config_check_nodes(r) != 0 || config_check_cpus(r) != 0)
		return -1;
	for (i = 0; i < nr; i++)
		if (!cfg->nodes[i].zones_explicit)
			config_derive_zones(cfg, &cfg->nodes[i]);
	return 0;
}

/* ------------------------------------------------------------------ */
/* machine.distances: the ACPI SLIT */

static int config_read_distances(struct config_reader *r, yaml_node_t *n)
{
	struct config *cfg = r->cfg;
	int nn = cfg->nr_nodes, i, j, *d;
	yaml_node_t **at = NULL, *row;
	uint64_t v = 0;
	int rc = -1;

	cfg->distance = xcalloc((size_t)nn * (size_t)nn, sizeof *cfg->distance);
	d = cfg->distance;
	if (n == NULL) {
		for (i = 0; i < nn; i++)
			for (j = 0; j < nn; j++)
				d[i * nn + j] = i == j ? CONFIG_DISTANCE_LOCAL :
				    CONFIG_DISTANCE_REMOTE;
		return 0;
	}
	if (yamlnode_expect(&r->yd, n, YAML_SEQUENCE_NODE, "distances") != 0)
		return -1;
	if (yamlnode_seq_len(n) != nn)
		return config_error(r, n, "distances: expected %d rows (one "
		    "per node), found %d", nn, yamlnode_seq_len(n));
	at = xcalloc((size_t)nn * (size_t)nn, sizeof *at);
	for (i = 0; i < nn; i++) {
		row = yamlnode_seq_item(&r->yd, n, i);
		if (row->type != YAML_SEQUENCE_NODE) {
			config_error(r, row, "distances: row %d: expected a "
			    "sequence, found %s", i, yamlnode_kind(row));
			goto out_free_at;
		}
		if (yamlnode_seq_len(row) != nn) {
			config_error(r, row, "distances: row %d has %d "
			    "entries, expected %d", i, yamlnode_seq_len(row),
			    nn);
			goto out_free_at;
		}
		for (j = 0; j < nn; j++) {
			at[i * nn + j] = yamlnode_seq_item(&r->yd, row, j);
			if (yamlnode_u64(&r->yd, at[i * nn + j], "distances", 0,
			    INT_MAX, &v) != 0)
				goto out_free_at;
			d[i * nn + j] = (int)v;
		}
	}
	for (i = 0; i < nn; i++) {
		for (j = 0; j < nn; j++) {
			v = (uint64_t)d[i * nn + j];
			if (i == j && v != CONFIG_DISTANCE_LOCAL) {
				config_error(r, at[i * nn + j], "distances: "
				    "node %d to itself is %" PRIu64 ", must be "
				    "%d", i, v, CONFIG_DISTANCE_LOCAL);
				goto out_free_at;
			}
			if (i != j && (v <= CONFIG_DISTANCE_LOCAL ||
			    v > CONFIG_DISTANCE_MAX)) {
				config_error(r, at[i * nn + j], "distances: "
				    "node %d to node %d is %" PRIu64 ", must "
				    "be %d..%d", i, j, v,
				    CONFIG_DISTANCE_LOCAL + 1,
				    CONFIG_DISTANCE_MAX);
				goto out_free_at;
			}
			if (j < i && d[i * nn + j] != d[j * nn + i]) {
				config_error(r, at[i * nn + j], "distances: "
				    "node %d to node %d is %d, but node %d to "
				    "node %d is %d: the matrix must be "
				    "symmetric", i, j, d[i * nn + j], j, i,
				    d[j * nn + i]);
				goto out_free_at;
			}
		}
	}
	rc = 0;

out_free_at:
	free(at);
	return rc;
}

/* ------------------------------------------------------------------ */
/* machine: */

int config_read_machine(struct config_reader *r, yaml_node_t *map)
{
	static const char *const names[] = {
		"page_size", "cpu_mhz", "max_order", "section_size_bits",
		"movablecore", "nodes", "distances", "arch", "tlb",
		"paging_levels", "vmap_stack"
	};
	enum { K_PAGE_SIZE, K_CPU_MHZ, K_MAX_ORDER, K_SECTION_SIZE_BITS,
		K_MOVABLECORE, K_NODES, K_DISTANCES, K_ARCH, K_TLB,
		K_PAGING_LEVELS, K_VMAP_STACK };
	yaml_node_t *vals[ARRAY_SIZE(names)], *keys[ARRAY_SIZE(names)];
	struct config *cfg = r->cfg;
	unsigned min_bits;
	yaml_node_t *n;

	if (config_collect(r, map, "machine", names, ARRAY_SIZE(names), "key",
	    " in machine", vals, keys) != 0)
		return -1;

	if ((n = vals[K_ARCH]) != NULL) {
		const char *s = "";
		int a;

		if (yamlnode_scalar(&r->yd, n, "arch",
		    "x86-64, x86-32 or x86-32-pae", &s) != 0)
			return -1;
		for (a = 0; a < ARCH_NR; a++)
			if (strcmp(s, config_arch_names[a]) == 0)
				break;
		if (a == ARCH_NR)
			return config_error(r, n, "arch: '%s' is not x86-64, "
			    "x86-32 or x86-32-pae", s);
		cfg->arch = (enum config_arch)a;
		cfg->section_size_bits = config_arch_section_bits[a];
	}
	if ((n = vals[K_TLB]) != NULL) {
		const char *t = "";
		struct tlb_config tc;
		char *why = NULL;

		if (yamlnode_scalar(&r->yd, n, "tlb", "a TLB preset", &t) != 0)
			return -1;
		if (strcmp(t, "none") != 0 && tlb_preset(t, &tc, &why) != 0) {
			free(why);
			return config_error(r, n, "tlb: unknown preset '%s' ("
			    "intel-spr, amd-zen4, generic, none)", t);
		}
		snprintf(cfg->tlb, sizeof cfg->tlb, "%s", t);
	}
	if ((n = vals[K_PAGING_LEVELS]) != NULL) {
		if (yamlnode_uint(&r->yd, n, "paging_levels", 4, 5,
		    &cfg->paging_levels) != 0)
			return -1;
	}
	if ((n = vals[K_VMAP_STACK]) != NULL &&
	    yamlnode_bool(&r->yd, n, "vmap_stack", &cfg->vmap_stack) != 0)
		return -1;
	if ((n = vals[K_PAGE_SIZE]) != NULL) {
		if (config_size(r, n, "page_size", &cfg->page_size) != 0)
			return -1;
		if (cfg->page_size != 4096 && cfg->page_size != 16384 &&
		    cfg->page_size != 65536)
			return config_error(r, n, "page_size: '%s' is not 4K, "
			    "16K or 64K", yamlnode_text(n));
		/* x86 has 4 KiB base pages only. */
		if (cfg->arch != ARCH_X86_64 && cfg->page_size != 4096)
			return config_error(r, n, "page_size: '%s': an %s "
			    "machine has 4K pages only", yamlnode_text(n),
			    config_arch_names[cfg->arch]);
	}
	cfg->page_shift = kmsim_ilog2(cfg->page_size);
	if ((n = vals[K_CPU_MHZ]) != NULL &&
	    yamlnode_uint(&r->yd, n, "cpu_mhz", 1, CONFIG_MAX_CPU_MHZ,
	    &cfg->cpu_mhz) != 0)
		return -1;
	if ((n = vals[K_MAX_ORDER]) != NULL &&
	    yamlnode_uint(&r->yd, n, "max_order", 1, CONFIG_MAX_ORDER,
	    &cfg->max_order) != 0)
		return -1;
	/* include/linux/mmzone.h: MAX_PAGE_ORDER + PAGE_SHIFT must fit in
	 * a section; the default grows to fit when unset. */
	min_bits = cfg->page_shift + cfg->max_order;
	if ((n = vals[K_SECTION_SIZE_BITS]) != NULL) {
		if (yamlnode_uint(&r->yd, n, "section_size_bits", min_bits,
		    config_arch_phys_bits[cfg->arch],
		    &cfg->section_size_bits) != 0)
			return -1;
	} else if (cfg->section_size_bits < min_bits)
		cfg->section_size_bits = min_bits;
	r->movablecore = vals[K_MOVABLECORE];
	if (r->movablecore != NULL &&
	    config_size(r, r->movablecore, "movablecore",
	    &cfg->movablecore) != 0)
		return -1;

	if (config_require(r, map, vals, keys, names, K_NODES,
	    " in machine") != 0 ||
	    config_read_nodes(r, vals[K_NODES]) != 0 ||
	    config_apply_movablecore(r) != 0)
		return -1;
	return config_read_distances(r, vals[K_DISTANCES]);
}

