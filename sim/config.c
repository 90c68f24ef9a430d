/*
 * config.c - the machine configuration reader (kmsim-config(5)).
 *
 * The file is small, so it is read whole and loaded with libyaml's document
 * API; the reader then walks the node tree with the schema in hand.  Every
 * mapping goes through config_collect(), which rejects unknown and
 * duplicate keys, so no level of the file can hide a typo.  Values are
 * checked where they are read; the checks that need the whole machine
 * (node overlaps, CPU numbering, ZONE_MOVABLE, distances) run after.  The
 * first error found ends the read, as one "FILE:LINE:COL: message".
 */
#include "kmsim_config.h"
#include "mm/tlb.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "cost.h"
#include "mm/gfp.h"
#include "kmsim.h"
#include "yamlnode.h"

const char *const mpol_names[MPOL_NR] = {
	"local", "preferred", "bind", "interleave"
};

const char *const config_arch_names[ARCH_NR] = {
	"x86-64", "x86-32", "x86-32-pae"
};

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

#define CONFIG_MAX_FILE		(4u << 20)	/* a config is a few KiB */
#define CONFIG_MAX_CPU_MHZ	100000
#define CONFIG_MAX_WSF		3000		/* watermark_scale_factor */
#define CONFIG_MAX_COST		UINT32_MAX	/* cycles for one step */
#define CONFIG_PHYS_LIMIT	(UINT64_C(1) << CONFIG_MAX_PHYS_BITS)
#define CONFIG_MAX_DEPTH	32		/* the schema needs 6 */

/* Linux 6.18 mm/page_alloc.c:sysctl_lowmem_reserve_ratio[] on x86-64. */
static const unsigned config_lowmem_reserve_default[MAX_NR_ZONES] = {
	[ZONE_DMA] = 256,
	[ZONE_DMA32] = 256,
	[ZONE_NORMAL] = 32,
	[ZONE_HIGHMEM] = 0,
	[ZONE_MOVABLE] = 0,
};

/* Where the reader found a node's parts, for the checks made later. */
struct config_node_src {
	yaml_node_t *map;
	yaml_node_t *start;		/* NULL when defaulted */
};

struct config_reader {
	struct yamlnode_doc yd;		/* the document, its errors */
	struct config *cfg;
	struct config_node_src *src;		/* one per node */
	yaml_node_t *nodes;			/* the `nodes:` sequence */
	yaml_node_t *movablecore;		/* its value, if given */
	int cpu_node[CONFIG_MAX_CPUS];		/* -1: not seen */
	struct srcpos cpu_pos[CONFIG_MAX_CPUS];	/* where it was listed */
	int *set_ids;		/* nodes that --set wrote (document ids) */
	int nr_set_ids;
	yaml_node_t *mempolicy_nodes;		/* vm.mempolicy.nodes */
	yaml_node_t *cma;			/* buddy.cma */
};

static struct srcpos config_pos(const struct config_reader *r,
    const yaml_node_t *n)
{
	return yamlnode_pos(&r->yd, n);
}

static int config_verror_at(struct config_reader *r, const struct srcpos *pos,
    const char *fmt, va_list ap)
{
	char *msg;

	xvasprintf(&msg, fmt, ap);
	kmsim_fail_at(r->yd.cause, pos, "%s", msg);
	free(msg);
	return -1;
}

static int config_error_at(struct config_reader *r, const struct srcpos *pos,
    const char *fmt, ...) KMSIM_PRINTF(3, 4);
static int config_error_at(struct config_reader *r, const struct srcpos *pos,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	config_verror_at(r, pos, fmt, ap);
	va_end(ap);
	return -1;
}

/* Every error at a node comes here: a node --set wrote says so. */
static int config_node_error(struct yamlnode_doc *d, const yaml_node_t *n,
    const char *msg)
{
	struct config_reader *r = container_of(d, struct config_reader, yd);
	struct srcpos pos = yamlnode_pos(d, n);
	int id = (int)(n - d->doc->nodes.start) + 1, i;

	for (i = 0; i < r->nr_set_ids; i++)
		if (r->set_ids[i] == id)
			break;
	return kmsim_fail_at(d->cause, &pos, "%s%s", msg,
	    i < r->nr_set_ids ? " (set by --set)" : "");
}

/* Report an error at a YAML node's first character. */
static int config_error(struct config_reader *r, const yaml_node_t *n,
    const char *fmt, ...) KMSIM_PRINTF(3, 4);
static int config_error(struct config_reader *r, const yaml_node_t *n,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	yamlnode_verror(&r->yd, n, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Sort a mapping's pairs onto the keys it may hold: vals[i] and keys[i] get
 * the value and key node of names[i].  A null value leaves vals[i] NULL, as
 * if the key were absent, but keys[i] set (config_require() tells the two
 * apart).  Unknown keys, duplicates and non-scalar keys are errors; `noun`
 * and `where` word them ("unknown key 'x' in node 0", "unknown cost 'x'").
 * A NULL or null `map` holds nothing.
 */
static int config_collect(struct config_reader *r, const yaml_node_t *map,
    const char *what, const char *const *names, size_t nr, const char *noun,
    const char *where, yaml_node_t **vals, yaml_node_t **keys)
{
	const struct yamlnode_keys ks = { names, nr, "", noun, where, true };
	size_t i;

	for (i = 0; i < nr; i++)
		vals[i] = keys[i] = NULL;
	if (map == NULL || yamlnode_is_null(map))
		return 0;
	if (yamlnode_expect(&r->yd, map, YAML_MAPPING_NODE, what) != 0 ||
	    yamlnode_collect(&r->yd, map, &ks, vals, keys) != 0)
		return -1;
	for (i = 0; i < nr; i++)
		if (vals[i] != NULL && yamlnode_is_null(vals[i]))
			vals[i] = NULL;
	return 0;
}

/* A key that must be present with a value. */
static int config_require(struct config_reader *r, const yaml_node_t *map,
    yaml_node_t *const *vals, yaml_node_t *const *keys,
    const char *const *names, size_t i, const char *where)
{
	if (vals[i] != NULL)
		return 0;
	if (keys[i] != NULL)
		return config_error(r, keys[i], "%s: missing value", names[i]);
	return config_error(r, map, "missing key '%s'%s", names[i], where);
}

/*
 * A byte size or address: "16G", "4096", "0x100000000".  Anything past the
 * physical address space is refused here, so sums of a few cannot overflow.
 */
static int config_size(struct config_reader *r, const yaml_node_t *n,
    const char *key, uint64_t *out)
{
	uint64_t v = 0;

	if (yamlnode_size(&r->yd, n, key, &v) != 0)
		return -1;
	if (v > CONFIG_PHYS_LIMIT)
		return config_error(r, n, "%s: '%s' is beyond the %d-bit "
		    "physical address space", key, yamlnode_text(n),
		    CONFIG_MAX_PHYS_BITS);
	*out = v;
	return 0;
}

static int config_page_aligned(struct config_reader *r, const yaml_node_t *n,
    const char *key, uint64_t v)
{
	char buf[32];

	if (v % r->cfg->page_size == 0)
		return 0;
	return config_error(r, n, "%s: '%s' is not a multiple of the page "
	    "size (%s)", key, yamlnode_text(n),
	    kmsim_fmt_size(r->cfg->page_size, buf, sizeof buf));
}

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
/* the sections */

static int config_read_machine(struct config_reader *r, yaml_node_t *map)
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

static int config_read_lowmem_reserve(struct config_reader *r, yaml_node_t *n)
{
	static const char *key = "lowmem_reserve_ratio";
	yaml_node_t *vals[MAX_NR_ZONES], *keys[MAX_NR_ZONES];
	unsigned *ratio = r->cfg->lowmem_reserve_ratio;
	int z;

	if (n->type == YAML_MAPPING_NODE) {
		if (config_collect(r, n, key, zone_names, MAX_NR_ZONES, "zone",
		    " in lowmem_reserve_ratio", vals, keys) != 0)
			return -1;
		for (z = 0; z < MAX_NR_ZONES; z++) {
			if (keys[z] != NULL && vals[z] == NULL)
				return config_error(r, keys[z], "%s: missing "
				    "value", zone_names[z]);
			if (vals[z] != NULL && yamlnode_uint(&r->yd, vals[z],
			    key, 0, INT_MAX, &ratio[z]) != 0)
				return -1;
		}
		return 0;
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return config_error(r, n, "%s: expected a sequence or a "
		    "mapping, found %s", key, yamlnode_kind(n));
	if (yamlnode_seq_len(n) != MAX_NR_ZONES)
		return config_error(r, n, "%s: %d values, expected %d (DMA, "
		    "DMA32, Normal, HighMem, Movable)", key,
		    yamlnode_seq_len(n), MAX_NR_ZONES);
	for (z = 0; z < MAX_NR_ZONES; z++)
		if (yamlnode_uint(&r->yd, yamlnode_seq_item(&r->yd, n, z),
		    key, 0, INT_MAX, &ratio[z]) != 0)
			return -1;
	return 0;
}

/* vm.mempolicy: {mode: local|preferred|bind|interleave, nodes: LIST}. */
static int config_read_mempolicy(struct config_reader *r, yaml_node_t *map)
{
	static const char *const names[] = { "mode", "nodes" };
	yaml_node_t *vals[ARRAY_SIZE(names)], *keys[ARRAY_SIZE(names)];
	struct config *cfg = r->cfg;
	const char *s = "";
	char *why = NULL;
	int i;

	if (config_collect(r, map, "mempolicy", names, ARRAY_SIZE(names),
	    "key", " in vm.mempolicy", vals, keys) != 0)
		return -1;
	if (vals[0] != NULL) {
		if (yamlnode_scalar(&r->yd, vals[0], "mode", "a policy name",
		    &s) != 0)
			return -1;
		for (i = 0; i < MPOL_NR; i++)
			if (strcmp(s, mpol_names[i]) == 0)
				break;
		if (i == MPOL_NR)
			return config_error(r, vals[0], "mode: unknown memory "
			    "policy '%s' (local, preferred, bind, interleave)",
			    s);
		cfg->mempolicy = (enum mpol_mode)i;
	}
	if (vals[1] != NULL) {
		if (yamlnode_scalar(&r->yd, vals[1], "nodes", "a node list",
		    &s) != 0)
			return -1;
		if (kmsim_parse_nodelist(s, &cfg->mempolicy_nodes, &why) != 0) {
			config_error(r, vals[1], "nodes: %s", why);
			free(why);
			return -1;
		}
		r->mempolicy_nodes = vals[1];
	}
	if ((cfg->mempolicy == MPOL_PREFERRED || cfg->mempolicy == MPOL_BIND) &&
	    vals[1] == NULL)
		return config_error(r, vals[0], "mode: %s needs nodes",
		    mpol_names[cfg->mempolicy]);
	return 0;
}

static int config_read_vm(struct config_reader *r, yaml_node_t *map)
{
	static const char *const names[] = {
		"min_free_kbytes", "watermark_scale_factor",
		"lowmem_reserve_ratio", "watermark_boost_factor",
		"extfrag_threshold", "compaction_proactiveness",
		"percpu_pagelist_high_fraction", "node_reclaim_mode",
		"mempolicy", "dirty_ratio", "dirty_background_ratio",
		"dirty_bytes", "dirty_background_bytes",
		"dirty_expire_centisecs", "dirty_writeback_centisecs"
	};
	yaml_node_t *vals[ARRAY_SIZE(names)], *keys[ARRAY_SIZE(names)];
	struct config *cfg = r->cfg;

	if (config_collect(r, map, "vm", names, ARRAY_SIZE(names), "key",
	    " in vm", vals, keys) != 0)
		return -1;
	/* proc_dointvec_minmax() bounds of the sysctls. */
	if (vals[0] != NULL && yamlnode_u64(&r->yd, vals[0], names[0], 0,
	    INT_MAX, &cfg->min_free_kbytes) != 0)
		return -1;
	if (vals[1] != NULL && yamlnode_uint(&r->yd, vals[1], names[1], 1,
	    CONFIG_MAX_WSF, &cfg->watermark_scale_factor) != 0)
		return -1;
	if (vals[2] != NULL && config_read_lowmem_reserve(r, vals[2]) != 0)
		return -1;
	if (vals[3] != NULL && yamlnode_uint(&r->yd, vals[3], names[3], 0,
	    INT_MAX, &cfg->watermark_boost_factor) != 0)
		return -1;
	if (vals[4] != NULL && yamlnode_uint(&r->yd, vals[4], names[4], 0, 1000,
	    &cfg->extfrag_threshold) != 0)
		return -1;
	if (vals[5] != NULL && yamlnode_uint(&r->yd, vals[5], names[5], 0, 100,
	    &cfg->compaction_proactiveness) != 0)
		return -1;
	if (vals[6] != NULL) {
		if (yamlnode_uint(&r->yd, vals[6], names[6], 0, INT_MAX,
		    &cfg->percpu_pagelist_high_fraction) != 0)
			return -1;
		/* MIN_PERCPU_PAGELIST_HIGH_FRACTION */
		if (cfg->percpu_pagelist_high_fraction != 0 &&
		    cfg->percpu_pagelist_high_fraction < 8)
			return config_error(r, vals[6], "%s: must be 0 or at "
			    "least 8", names[6]);
	}
	if (vals[7] != NULL && yamlnode_uint(&r->yd, vals[7], names[7], 0, 0,
	    &cfg->node_reclaim_mode) != 0)
		return -1;
	if (vals[8] != NULL && config_read_mempolicy(r, vals[8]) != 0)
		return -1;
	/* mm/page-writeback.c's sysctl bounds: ratios 0..100, the bytes
	 * knobs at least two pages (dirty_bytes) or any (background) */
	if (vals[9] != NULL && yamlnode_uint(&r->yd, vals[9], names[9], 0, 100,
	    &cfg->dirty_ratio) != 0)
		return -1;
	if (vals[10] != NULL && yamlnode_uint(&r->yd, vals[10], names[10], 0,
	    100, &cfg->dirty_background_ratio) != 0)
		return -1;
	if (vals[11] != NULL) {
		if (config_size(r, vals[11], names[11], &cfg->dirty_bytes) != 0)
			return -1;
		if (cfg->dirty_bytes != 0 && cfg->dirty_bytes < 2 * 4096)
			return config_error(r, vals[11], "%s: must be 0 or at "
			    "least two pages", names[11]);
	}
	if (vals[12] != NULL && config_size(r, vals[12], names[12],
	    &cfg->dirty_background_bytes) != 0)
		return -1;
	if (vals[13] != NULL && yamlnode_uint(&r->yd, vals[13], names[13], 0,
	    INT_MAX / 10, &cfg->dirty_expire_centisecs) != 0)
		return -1;
	if (vals[14] != NULL && yamlnode_uint(&r->yd, vals[14], names[14], 0,
	    INT_MAX / 10, &cfg->dirty_writeback_centisecs) != 0)
		return -1;
	/* writing one of a pair clears the other (dirty_ratio_handler()) */
	if (vals[9] != NULL && vals[11] == NULL)
		cfg->dirty_bytes = 0;
	if (vals[10] != NULL && vals[12] == NULL)
		cfg->dirty_background_bytes = 0;
	if (vals[9] != NULL && vals[11] != NULL)
		return config_error(r, vals[11], "dirty_bytes and dirty_ratio "
		    "exclude each other (the kernel keeps the last written)");
	if (vals[10] != NULL && vals[12] != NULL)
		return config_error(r, vals[12], "dirty_background_bytes and "
		    "dirty_background_ratio exclude each other");
	return 0;
}

/* disks: [{name, bandwidth, latency_us, queue_depth, read_ahead_kb,
 * max_folio_order}, ...]: the page cache's backing devices. */
static int config_read_disks(struct config_reader *r, yaml_node_t *n)
{
	static const char *const names[] = {
		"name", "bandwidth", "latency_us", "queue_depth",
		"read_ahead_kb", "max_folio_order"
	};
	struct config *cfg = r->cfg;
	int i, j, nr;

	if (n == NULL)
		return 0;
	if (yamlnode_expect(&r->yd, n, YAML_SEQUENCE_NODE, "disks") != 0)
		return -1;
	nr = yamlnode_seq_len(n);
	if (nr < 1 || nr > CONFIG_MAX_DISKS)
		return config_error(r, n, "disks: %d disks, expected 1..%d",
		    nr, CONFIG_MAX_DISKS);
	cfg->nr_disks = nr;
	for (i = 0; i < nr; i++) {
		yaml_node_t *map = yamlnode_seq_item(&r->yd, n, i);
		yaml_node_t *vals[ARRAY_SIZE(names)], *keys[ARRAY_SIZE(names)];
		struct config_disk *d = &cfg->disks[i];
		const char *s = "";
		uint64_t v = 0;

		config_disk_default(d, i);
		if (yamlnode_expect(&r->yd, map, YAML_MAPPING_NODE,
		    "disks") != 0 || config_collect(r, map, "disk", names,
		    ARRAY_SIZE(names), "key", " in a disk", vals, keys) != 0)
			return -1;
		if (vals[0] != NULL) {
			if (yamlnode_scalar(&r->yd, vals[0], names[0], "a name",
			    &s) != 0)
				return -1;
			if (*s == '\0' || strlen(s) >= sizeof d->name ||
			    strpbrk(s, " \t") != NULL)
				return config_error(r, vals[0], "name: '%s' is "
				    "not 1 to %zu characters without blanks",
				    s, sizeof d->name - 1);
			snprintf(d->name, sizeof d->name, "%s", s);
			for (j = 0; j < i; j++)
				if (strcmp(cfg->disks[j].name, d->name) == 0)
					return config_error(r, vals[0], "name: "
					    "disk '%s' is already named", s);
		}
		if (vals[1] != NULL) {
			if (config_size(r, vals[1], names[1], &v) != 0)
				return -1;
			if (v < 4096)
				return config_error(r, vals[1], "bandwidth: "
				    "less than a page per second");
			d->bandwidth = v;
		}
		if (vals[2] != NULL) {
			if (yamlnode_u64(&r->yd, vals[2], names[2], 0, 10000000,
			    &v) != 0)
				return -1;
			d->latency_ns = v * 1000;
		}
		if (vals[3] != NULL && yamlnode_uint(&r->yd, vals[3], names[3],
		    1, 4096, &d->queue_depth) != 0)
			return -1;
		if (vals[4] != NULL && yamlnode_uint(&r->yd, vals[4], names[4],
		    0, 1u << 20, &d->read_ahead_kb) != 0)
			return -1;
		/* MAX_PAGECACHE_ORDER: the PMD order on x86-64 */
		if (vals[5] != NULL && yamlnode_uint(&r->yd, vals[5], names[5],
		    0, 9, &d->max_folio_order) != 0)
			return -1;
	}
	return 0;
}

static int config_read_buddy(struct config_reader *r, yaml_node_t *map)
{
	static const char *const names[] = {
		"fallback", "mobility", "highatomic", "pcp", "cma"
	};
	yaml_node_t *vals[ARRAY_SIZE(names)], *keys[ARRAY_SIZE(names)];
	struct config *cfg = r->cfg;
	const char *s = "";

	if (config_collect(r, map, "buddy", names, ARRAY_SIZE(names), "key",
	    " in buddy", vals, keys) != 0)
		return -1;
	if (vals[0] != NULL) {
		if (yamlnode_scalar(&r->yd, vals[0], names[0],
		    "claim or legacy", &s) != 0)
			return -1;
		if (strcmp(s, "claim") == 0)
			cfg->fallback = FALLBACK_CLAIM;
		else if (strcmp(s, "legacy") == 0)
			cfg->fallback = FALLBACK_LEGACY;
		else
			return config_error(r, vals[0], "fallback: '%s' is "
			    "not claim (6.15 and later) or legacy", s);
	}
	if (vals[1] != NULL && yamlnode_bool(&r->yd, vals[1], names[1],
	    &cfg->mobility) != 0)
		return -1;
	if (vals[2] != NULL && yamlnode_bool(&r->yd, vals[2], names[2],
	    &cfg->highatomic) != 0)
		return -1;
	if (vals[3] != NULL && yamlnode_bool(&r->yd, vals[3], names[3],
	    &cfg->pcp) != 0)
		return -1;
	if (vals[4] != NULL) {
		if (config_size(r, vals[4], names[4], &cfg->cma_size) != 0)
			return -1;
		r->cma = vals[4];
	}
	return 0;
}

static int config_read_cost(struct config_reader *r, yaml_node_t *map)
{
	const char *names[COST_NR];
	yaml_node_t *vals[COST_NR], *keys[COST_NR];
	int i;

	for (i = 0; i < COST_NR; i++)
		names[i] = cost_table[i].name;
	if (config_collect(r, map, "cost", names, COST_NR, "cost", "", vals,
	    keys) != 0)
		return -1;
	for (i = 0; i < COST_NR; i++) {
		if (keys[i] != NULL && vals[i] == NULL)
			return config_error(r, keys[i], "%s: missing value",
			    names[i]);
		if (vals[i] != NULL && yamlnode_u64(&r->yd, vals[i], names[i],
		    0, CONFIG_MAX_COST, &r->cfg->cost.c[i]) != 0)
			return -1;
	}
	return 0;
}

static int config_read_metrics(struct config_reader *r, yaml_node_t *map)
{
	static const char *const names[] = { "snapshot_interval_ms" };
	yaml_node_t *vals[ARRAY_SIZE(names)], *keys[ARRAY_SIZE(names)];
	const char *s = "", *key = names[0];
	char *end;
	double ms, ns;

	if (config_collect(r, map, "metrics", names, ARRAY_SIZE(names), "key",
	    " in metrics", vals, keys) != 0)
		return -1;
	if (vals[0] == NULL)
		return 0;
	if (yamlnode_scalar(&r->yd, vals[0], key, "a number", &s) != 0)
		return -1;
	ms = strtod(s, &end);
	while (*end == ' ' || *end == '\t')
		end++;
	if (end == s || *end != '\0' || isnan(ms))
		return config_error(r, vals[0], "%s: '%s' is not a number",
		    key, s);
	if (ms <= 0)
		return config_error(r, vals[0], "%s: '%s' must be positive",
		    key, s);
	ns = ms * 1e6;
	if (isinf(ms) || ns >= 9.2e18)
		return config_error(r, vals[0], "%s: '%s' is too large", key,
		    s);
	if (ns < 0.5)
		return config_error(r, vals[0], "%s: '%s' is shorter than a "
		    "nanosecond", key, s);
	r->cfg->snapshot_interval_ns = (uint64_t)(ns + 0.5);
	return 0;
}

static int config_read_name(struct config_reader *r, yaml_node_t *n)
{
	const char *s = "", *p;

	if (n == NULL)
		return 0;
	if (yamlnode_scalar(&r->yd, n, "name", "a string", &s) != 0)
		return -1;
	if (*s == '\0')
		return config_error(r, n, "name: must not be empty");
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return config_error(r, n, "name: '%s' contains a "
			    "control character", s);
	free(r->cfg->name);
	r->cfg->name = xstrdup(s);
	return 0;
}

static int config_read_slab(struct config_reader *r, yaml_node_t *map)
{
	static const char *const names[] = {
		"merge", "cpu_partial", "min_objects", "max_order"
	};
	yaml_node_t *vals[ARRAY_SIZE(names)], *keys[ARRAY_SIZE(names)];
	struct config *cfg = r->cfg;

	if (config_collect(r, map, "slab", names, ARRAY_SIZE(names), "key",
	    " in slab", vals, keys) != 0)
		return -1;
	if (vals[0] != NULL && yamlnode_bool(&r->yd, vals[0], names[0],
	    &cfg->slab_merge) != 0)
		return -1;
	if (vals[1] != NULL && yamlnode_bool(&r->yd, vals[1], names[1],
	    &cfg->slab_cpu_partial) != 0)
		return -1;
	/* mm/slub.c: slab_min_objects= and slab_max_order= bounds */
	if (vals[2] != NULL && yamlnode_uint(&r->yd, vals[2], names[2], 0,
	    32767, &cfg->slab_min_objects) != 0)
		return -1;
	if (vals[3] != NULL && yamlnode_uint(&r->yd, vals[3], names[3], 0,
	    CONFIG_MAX_ORDER, &cfg->slab_max_order) != 0)
		return -1;
	return 0;
}

/* Cross-checks of vm: and buddy: against the machine. */
static int config_check_policy(struct config_reader *r)
{
	struct config *cfg = r->cfg;
	uint64_t all, mem, align;

	all = cfg->nr_nodes >= 64 ? ~UINT64_C(0) :
	    (UINT64_C(1) << cfg->nr_nodes) - 1;
	if (r->mempolicy_nodes != NULL && (cfg->mempolicy_nodes & ~all))
		return config_error(r, r->mempolicy_nodes, "nodes: names a "
		    "node the machine does not have (it has %d)",
		    cfg->nr_nodes);
	if (r->cma != NULL && cfg->cma_size > 0) {
		/* cma_init_reserved_mem(): aligned to the largest buddy
		 * block, and it must leave the last node usable */
		align = cfg->page_size << cfg->max_order;
		if (cfg->cma_size % align != 0)
			return config_error(r, r->cma, "cma: must be a multiple"
			    " of the largest block (%" PRIu64 " bytes)", align);
		mem = cfg->nodes[cfg->nr_nodes - 1].memory;
		if (cfg->cma_size > mem / 2)
			return config_error(r, r->cma, "cma: more than half of"
			    " the last node's memory");
	}
	return 0;
}

static int config_read_root(struct config_reader *r, yaml_node_t *root)
{
	static const char *const names[] = {
		"name", "machine", "vm", "cost", "metrics", "buddy", "slab",
		"disks"
	};
	enum { K_NAME, K_MACHINE, K_VM, K_COST, K_METRICS, K_BUDDY, K_SLAB,
		K_DISKS };
	yaml_node_t *vals[ARRAY_SIZE(names)], *keys[ARRAY_SIZE(names)];

	if (root->type != YAML_MAPPING_NODE)
		return config_error(r, root, "expected a mapping at the top "
		    "level, found %s", yamlnode_is_null(root) ? "nothing" :
		    yamlnode_kind(root));
	if (config_collect(r, root, "configuration", names, ARRAY_SIZE(names),
	    "key", " at the top level", vals, keys) != 0 ||
	    config_read_name(r, vals[K_NAME]) != 0)
		return -1;
	if (vals[K_MACHINE] != NULL &&
	    config_read_machine(r, vals[K_MACHINE]) != 0)
		return -1;
	if (config_read_vm(r, vals[K_VM]) != 0 ||
	    config_read_buddy(r, vals[K_BUDDY]) != 0 ||
	    config_read_slab(r, vals[K_SLAB]) != 0 ||
	    config_read_disks(r, vals[K_DISKS]) != 0 ||
	    config_read_cost(r, vals[K_COST]) != 0 ||
	    config_read_metrics(r, vals[K_METRICS]) != 0)
		return -1;
	if (config_require(r, root, vals, keys, names, K_MACHINE,
	    " at the top level") != 0)
		return -1;
	return config_check_policy(r);
}

/* ------------------------------------------------------------------ */
/* loading */

/* A disk's defaults: a SATA-class SSD (~500 MB/s, ~100 us, NCQ 32),
 * the kernel's default read_ahead_kb, order-0 folios. */
void config_disk_default(struct config_disk *d, int i)
{
	memset(d, 0, sizeof *d);
	snprintf(d->name, sizeof d->name, "sd%c", 'a' + i % 26);
	d->bandwidth = UINT64_C(500) << 20;
	d->latency_ns = 100 * 1000;
	d->queue_depth = 32;
	d->read_ahead_kb = 128;
	d->max_folio_order = 0;
}

void config_set_defaults(struct config *cfg)
{
	cfg->arch = ARCH_X86_64;
	cfg->page_size = 4096;
	cfg->page_shift = 12;
	cfg->max_order = 10;
	cfg->section_size_bits = 27;
	cfg->cpu_mhz = 3000;
	cfg->watermark_scale_factor = 10;
	cfg->watermark_boost_factor = 15000;
	cfg->extfrag_threshold = 500;
	cfg->compaction_proactiveness = 20;
	cfg->mempolicy = MPOL_LOCAL;
	cfg->fallback = FALLBACK_CLAIM;
	cfg->mobility = true;
	cfg->highatomic = true;
	cfg->pcp = true;
	cfg->slab_merge = true;
	snprintf(cfg->tlb, sizeof cfg->tlb, "generic");
	cfg->paging_levels = 4;
	cfg->vmap_stack = true;
	cfg->slab_cpu_partial = true;
	cfg->slab_max_order = 3;
	cfg->dirty_ratio = 20;
	cfg->dirty_background_ratio = 10;
	cfg->dirty_expire_centisecs = 3000;
	cfg->dirty_writeback_centisecs = 500;
	cfg->nr_disks = 1;
	config_disk_default(&cfg->disks[0], 0);
	for (int z = 0; z < MAX_NR_ZONES; z++)
		cfg->lowmem_reserve_ratio[z] = config_lowmem_reserve_default[z];
	cost_model_init(&cfg->cost);
	cfg->snapshot_interval_ns = 10 * 1000 * 1000;
}

static struct config *config_create(const char *path)
{
	struct config *cfg = xcalloc(1, sizeof *cfg);
	const char *base, *dot;

	cfg->path = xstrdup(path);
	if (strcmp(path, "-") == 0)
		cfg->name = xstrdup("stdin");
	else {
		base = strrchr(path, '/');
		base = base != NULL ? base + 1 : path;
		dot = strrchr(base, '.');
		if (dot != NULL && dot != base && (strcmp(dot, ".yaml") == 0 ||
		    strcmp(dot, ".yml") == 0))
			cfg->name = xstrndup(base, (size_t)(dot - base));
		else
			cfg->name = xstrdup(*base != '\0' ? base : "config");
	}

	config_set_defaults(cfg);
	return cfg;
}

void config_destroy(struct config *cfg)
{
	int i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->nr_nodes; i++) {
		free(cfg->nodes[i].holes);
		free(cfg->nodes[i].cpus);
	}
	free(cfg->nodes);
	free(cfg->distance);
	free(cfg->name);
	free(cfg->path);
	free(cfg);
}

/* libyaml's reader errors carry a byte offset, not a mark. */
static void config_offset_pos(const char *text, size_t len, size_t offset,
    struct srcpos *pos)
{
	size_t i;

	pos->line = 1;
	pos->col = 1;
	for (i = 0; i < offset && i < len; i++) {
		if (text[i] == '\n') {
			pos->line++;
			pos->col = 1;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80)
			pos->col++;
	}
}

/* The byte at a 1-based line and column (in characters), or 0. */
static char config_char_at(const char *text, size_t len,
    const struct srcpos *pos)
{
	unsigned long line = 1, col = 1;
	size_t i;

	for (i = 0; i < len; i++) {
		if (line == pos->line && col == pos->col)
			return text[i];
		if (text[i] == '\n') {
			line++;
			col = 1;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80)
			col++;
	}
	return 0;
}

static void config_yaml_error(const struct config *cfg, yaml_parser_t *p,
    const char *text, size_t len, char **cause)
{
	struct srcpos pos = { cfg->path, 1, 1 };
	const char *problem = p->problem != NULL ? p->problem : "syntax error";
	const char *hint;

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		kmsim_fail(cause, "%s: out of memory reading YAML", cfg->path);
		return;
	case YAML_READER_ERROR:
		config_offset_pos(text, len, p->problem_offset, &pos);
		kmsim_fail_at(cause, &pos, "%s", problem);
		return;
	default:
		pos.line = (unsigned long)p->problem_mark.line + 1;
		pos.col = (unsigned long)p->problem_mark.column + 1;
		hint = config_char_at(text, len, &pos) == '\t' ?
		    ": tabs cannot indent YAML" : "";
		if (p->context != NULL &&
		    p->context_mark.line != p->problem_mark.line)
			kmsim_fail_at(cause, &pos, "%s (%s at line %lu)%s",
			    problem, p->context,
			    (unsigned long)p->context_mark.line + 1, hint);
		else
			kmsim_fail_at(cause, &pos, "%s%s", problem, hint);
		return;
	}
}

/*
 * A first pass over the events that reports syntax errors and refuses
 * nesting deeper than any configuration needs, before libyaml's loader
 * (whose scanner slows down quadratically with flow depth) sees it.
 */
static int config_check_syntax(const struct config *cfg, const char *text,
    size_t len, char **cause)
{
	yaml_parser_t parser;
	yaml_event_t event;
	struct srcpos pos = { cfg->path, 1, 1 };
	int depth = 0, rc = -1;
	bool done = false;

	if (!yaml_parser_initialize(&parser))
		return kmsim_fail(cause, "%s: out of memory", cfg->path);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (!done) {
		if (!yaml_parser_parse(&parser, &event)) {
			config_yaml_error(cfg, &parser, text, len, cause);
			goto out_delete_parser;
		}
		switch (event.type) {
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++depth <= CONFIG_MAX_DEPTH)
				break;
			pos.line = (unsigned long)event.start_mark.line + 1;
			pos.col = (unsigned long)event.start_mark.column + 1;
			kmsim_fail_at(cause, &pos, "nested more than %d levels "
			    "deep", CONFIG_MAX_DEPTH);
			yaml_event_delete(&event);
			goto out_delete_parser;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		default:
			break;
		}
		yaml_event_delete(&event);
	}
	rc = 0;

out_delete_parser:
	yaml_parser_delete(&parser);
	return rc;
}

/* ------------------------------------------------------------------ */
/* --set KEY=VALUE: overrides applied to the document before it is read */

/* The value of key `name` (n bytes) in a mapping, as a pair; or NULL. */
static yaml_node_pair_t *config_set_find(yaml_document_t *doc,
    yaml_node_t *map, const char *name, size_t n)
{
	yaml_node_pair_t *pair;
	yaml_node_t *k;

	for (pair = map->data.mapping.pairs.start;
	    pair < map->data.mapping.pairs.top; pair++) {
		k = yaml_document_get_node(doc, pair->key);
		if (k != NULL && k->type == YAML_SCALAR_NODE &&
		    k->data.scalar.length == n &&
		    memcmp(k->data.scalar.value, name, n) == 0)
			return pair;
	}
	return NULL;
}

/* A new plain scalar where `at` is (for messages); its id, or 0. */
static int config_set_scalar(yaml_document_t *doc, const char *text,
    yaml_mark_t at)
{
	int id;

	id = yaml_document_add_scalar(doc, NULL, (yaml_char_t *)text,
	    (int)strlen(text), YAML_PLAIN_SCALAR_STYLE);
	if (id != 0) {
		yaml_document_get_node(doc, id)->start_mark = at;
		yaml_document_get_node(doc, id)->end_mark = at;
	}
	return id;
}

/* Remember a node --set wrote, for config_error(). */
static void config_set_note(struct config_reader *r, int id)
{
	r->set_ids = xreallocarray(r->set_ids, (size_t)r->nr_set_ids + 1,
	    sizeof *r->set_ids);
	r->set_ids[r->nr_set_ids++] = id;
}

/*
 * Apply one "KEY=VALUE": KEY is a dotted path of mapping keys and sequence
 * indices.  The scalar it names gets VALUE; a key missing from a mapping
 * is added (with the mappings on the way to it), and the reader then says
 * whether it is allowed.  The nodes written are noted in r.
 */
static int config_set_one(struct config_reader *r, const char *set,
    char **cause)
{
	yaml_document_t *doc = r->yd.doc;
	const char *eq = strchr(set, '='), *p, *dot;
	yaml_node_t *n = yaml_document_get_root_node(doc);
	yaml_node_pair_t *pair;
	yaml_mark_t at;
	char *part = NULL, *end;
	unsigned long idx;
	size_t len;
	int kid, vid, parent, nitems;
	bool last;

	if (eq == NULL)
		return kmsim_fail(cause, "--set '%s': expected KEY=VALUE", set);
	if (eq == set)
		return kmsim_fail(cause, "--set '%s': no key path", set);
	if (n == NULL || n->type != YAML_MAPPING_NODE)
		return kmsim_fail(cause, "--set '%s': the configuration is "
		    "not a mapping", set);
	parent = (int)(n - doc->nodes.start) + 1;
	for (p = set; p < eq; p = dot + 1) {
		dot = memchr(p, '.', (size_t)(eq - p));
		if (dot == NULL)
			dot = eq;
		len = (size_t)(dot - p);
		last = dot == eq;
		free(part);
		part = xstrndup(p, len);
		if (len == 0) {
			kmsim_fail(cause, "--set '%s': empty key in the path",
			    set);
			goto out_fail;
		}
		n = yaml_document_get_node(doc, parent);
		at = n->start_mark;
		if (n->type == YAML_SEQUENCE_NODE) {
			nitems = (int)(n->data.sequence.items.top -
			    n->data.sequence.items.start);
			errno = 0;
			idx = strtoul(part, &end, 10);
			if (*end != '\0' || !isdigit((unsigned char)*part) ||
			    errno != 0 || idx >= (unsigned long)nitems) {
				kmsim_fail(cause, "--set '%s': bad index '%s' "
				    "(the sequence has %d items)", set, part,
				    nitems);
				goto out_fail;
			}
			if (!last) {
				parent = n->data.sequence.items.start[idx];
				continue;
			}
			if (yaml_document_get_node(doc,
			    n->data.sequence.items.start[idx])->type !=
			    YAML_SCALAR_NODE)
				goto out_not_scalar;
			at = yaml_document_get_node(doc,
			    n->data.sequence.items.start[idx])->start_mark;
			vid = config_set_scalar(doc, eq + 1, at);
			if (vid == 0)
				goto out_nomem;
			/* the add may have moved the node array */
			n = yaml_document_get_node(doc, parent);
			n->data.sequence.items.start[idx] = vid;
			config_set_note(r, vid);
			break;
		}
		if (n->type != YAML_MAPPING_NODE) {
			kmsim_fail(cause, "--set '%s': '%.*s' is %s, not a "
			    "mapping or a sequence", set, (int)(p - set - 1),
			    set, n->type == YAML_SCALAR_NODE ? "a scalar" :
			    "empty");
			goto out_fail;
		}
		pair = config_set_find(doc, n, part, len);
		if (pair != NULL && !last) {
			parent = pair->value;
			continue;
		}
		if (pair != NULL) {
			at = yaml_document_get_node(doc, pair->value)->start_mark;
			if (yaml_document_get_node(doc, pair->value)->type !=
			    YAML_SCALAR_NODE)
				goto out_not_scalar;
			vid = config_set_scalar(doc, eq + 1, at);
			if (vid == 0)
				goto out_nomem;
			/* the pair may have moved with the node array */
			pair = config_set_find(doc, yaml_document_get_node(doc,
			    parent), part, len);
			pair->value = vid;
			config_set_note(r, vid);
			break;
		}
		/* absent: add it, a mapping on the way or the scalar; a
		 * missing sequence indexed at 0 (disks.0.bandwidth) becomes
		 * a sequence of one mapping */
		kid = config_set_scalar(doc, part, at);
		if (last) {
			vid = config_set_scalar(doc, eq + 1, at);
		} else if (dot[1] == '0' && (dot[2] == '.' || dot[2] == '=') &&
		    dot + 2 < eq) {
			int mid;

			vid = yaml_document_add_sequence(doc, NULL,
			    YAML_BLOCK_SEQUENCE_STYLE);
			mid = yaml_document_add_mapping(doc, NULL,
			    YAML_BLOCK_MAPPING_STYLE);
			if (vid == 0 || mid == 0 ||
			    !yaml_document_append_sequence_item(doc, vid, mid))
				goto out_nomem;
			yaml_document_get_node(doc, mid)->start_mark = at;
			config_set_note(r, mid);
		} else {
			vid = yaml_document_add_mapping(doc, NULL,
			    YAML_BLOCK_MAPPING_STYLE);
		}
		if (kid == 0 || vid == 0 ||
		    !yaml_document_append_mapping_pair(doc, parent, kid, vid))
			goto out_nomem;
		yaml_document_get_node(doc, vid)->start_mark = at;
		config_set_note(r, kid);
		config_set_note(r, vid);
		parent = vid;
	}
	free(part);
	return 0;

out_not_scalar:
	kmsim_fail(cause, "--set '%s': '%.*s' is not a scalar", set,
	    (int)(eq - set), set);
	goto out_fail;
out_nomem:
	kmsim_fail(cause, "--set '%s': out of memory", set);
out_fail:
	free(part);
	return -1;
}

/* Parse `text` as the configuration `cfg->path`; the reader's main loop. */
static int config_parse(struct config *cfg, const char *text, size_t len,
    const char *const *sets, int nr_sets, char **cause)
{
	struct config_reader *r;
	yaml_parser_t parser;
	yaml_document_t doc, extra;
	yaml_node_t *root;
	struct srcpos pos = { cfg->path, 1, 1 };
	int rc = -1, i;

	if (config_check_syntax(cfg, text, len, cause) != 0)
		return -1;
	if (!yaml_parser_initialize(&parser))
		return kmsim_fail(cause, "%s: out of memory", cfg->path);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		config_yaml_error(cfg, &parser, text, len, cause);
		goto out_delete_parser;
	}
	root = yaml_document_get_root_node(&doc);
	if (root == NULL) {
		kmsim_fail_at(cause, &pos, "the configuration is empty");
		goto out_delete_doc;
	}
	if (!yaml_parser_load(&parser, &extra)) {
		config_yaml_error(cfg, &parser, text, len, cause);
		goto out_delete_doc;
	}
	if (yaml_document_get_root_node(&extra) != NULL) {
		pos.line = (unsigned long)extra.start_mark.line + 1;
		pos.col = (unsigned long)extra.start_mark.column + 1;
		kmsim_fail_at(cause, &pos, "a second document: a configuration "
		    "is one YAML document");
		yaml_document_delete(&extra);
		goto out_delete_doc;
	}
	yaml_document_delete(&extra);

	r = xcalloc(1, sizeof *r);
	r->cfg = cfg;
	r->yd.doc = &doc;
	r->yd.file = cfg->path;
	r->yd.cause = cause;
	r->yd.error = config_node_error;
	for (i = 0; i < CONFIG_MAX_CPUS; i++)
		r->cpu_node[i] = -1;
	for (i = 0; i < nr_sets; i++)
		if (config_set_one(r, sets[i], cause) != 0)
			goto out_free_reader;
	/* the document's root, after the additions moved the nodes */
	rc = config_read_root(r, yaml_document_get_root_node(&doc));
out_free_reader:
	free(r->set_ids);
	free(r->src);
	free(r);

out_delete_doc:
	yaml_document_delete(&doc);
out_delete_parser:
	yaml_parser_delete(&parser);
	return rc;
}

struct config *config_load_string(const char *name, const char *text,
    char **cause)
{
	struct config *cfg = config_create(name);

	if (config_parse(cfg, text, strlen(text), NULL, 0, cause) != 0) {
		config_destroy(cfg);
		return NULL;
	}
	return cfg;
}

struct config *config_load(const char *path, char **cause)
{
	return config_load_overrides(path, NULL, 0, cause);
}

struct config *config_load_overrides(const char *path,
    const char *const *sets, int nr_sets, char **cause)
{
	struct config *cfg;
	FILE *f;
	char *buf = NULL;
	size_t len = 0, alloc = 0, got;
	int rc;

	if (strcmp(path, "-") == 0)
		f = stdin;
	else if ((f = fopen(path, "rb")) == NULL) {
		kmsim_fail(cause, "%s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (len == alloc) {
			if (alloc >= CONFIG_MAX_FILE) {
				kmsim_fail(cause, "%s: larger than %u MiB, not "
				    "a configuration", path,
				    CONFIG_MAX_FILE >> 20);
				goto out_close;
			}
			alloc = alloc == 0 ? 8192 : alloc * 2;
			buf = xreallocarray(buf, alloc, 1);
		}
		got = fread(buf + len, 1, alloc - len, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		kmsim_fail(cause, "%s: %s", path, strerror(errno));
		goto out_close;
	}
	if (f != stdin)
		fclose(f);

	cfg = config_create(path);
	rc = config_parse(cfg, buf, len, sets, nr_sets, cause);
	free(buf);
	if (rc != 0) {
		config_destroy(cfg);
		return NULL;
	}
	return cfg;

out_close:
	if (f != stdin)
		fclose(f);
	free(buf);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* the effective configuration as JSON */

static json_t *config_json_u64(uint64_t v)
{
	return json_integer((json_int_t)v);
}

/* A string, or null when it is not valid UTF-8 (a path can be anything). */
static json_t *config_json_str(const char *s)
{
	json_t *j = json_string(s);

	return j != NULL ? j : json_null();
}

static json_t *config_json_node(const struct config_node *cn)
{
	json_t *node = json_object(), *arr, *zones, *hole;
	int i, z;

	json_object_set_new(node, "id", json_integer(cn->id));
	json_object_set_new(node, "start", config_json_u64(cn->start));
	json_object_set_new(node, "end", config_json_u64(cn->start + cn->span));
	json_object_set_new(node, "memory", config_json_u64(cn->memory));
	json_object_set_new(node, "span", config_json_u64(cn->span));
	arr = json_array();
	for (i = 0; i < cn->nr_cpus; i++)
		json_array_append_new(arr, json_integer(cn->cpus[i]));
	json_object_set_new(node, "cpus", arr);
	arr = json_array();
	for (i = 0; i < cn->nr_holes; i++) {
		hole = json_object();
		json_object_set_new(hole, "start",
		    config_json_u64(cn->holes[i].start));
		json_object_set_new(hole, "size",
		    config_json_u64(cn->holes[i].size));
		json_array_append_new(arr, hole);
	}
	json_object_set_new(node, "holes", arr);
	zones = json_object();
	for (z = 0; z < MAX_NR_ZONES; z++)
		json_object_set_new(zones, zone_names[z],
		    config_json_u64(cn->zone_size[z]));
	json_object_set_new(node, "zones", zones);
	json_object_set_new(node, "zones_explicit",
	    json_boolean(cn->zones_explicit));
	return node;
}

json_t *config_to_json(const struct config *cfg)
{
	json_t *root = json_object(), *machine, *vm, *cost, *metrics, *arr,
	    *row;
	int i, j, z;

	json_object_set_new(root, "name", config_json_str(cfg->name));
	json_object_set_new(root, "path", config_json_str(cfg->path));

	machine = json_object();
	/* only when set, so x86-64 configs keep their JSON (and hashes) */
	if (cfg->arch != ARCH_X86_64)
		json_object_set_new(machine, "arch",
		    config_json_str(config_arch_names[cfg->arch]));
	json_object_set_new(machine, "page_size",
	    config_json_u64(cfg->page_size));
	json_object_set_new(machine, "tlb", config_json_str(cfg->tlb));
	json_object_set_new(machine, "paging_levels",
	    json_integer(cfg->paging_levels));
	json_object_set_new(machine, "vmap_stack",
	    json_boolean(cfg->vmap_stack));
	json_object_set_new(machine, "page_shift",
	    json_integer(cfg->page_shift));
	json_object_set_new(machine, "cpu_mhz", json_integer(cfg->cpu_mhz));
	json_object_set_new(machine, "max_order",
	    json_integer(cfg->max_order));
	json_object_set_new(machine, "section_size_bits",
	    json_integer(cfg->section_size_bits));
	json_object_set_new(machine, "movablecore",
	    config_json_u64(cfg->movablecore));
	json_object_set_new(machine, "nr_nodes", json_integer(cfg->nr_nodes));
	json_object_set_new(machine, "nr_cpus", json_integer(cfg->nr_cpus));
	arr = json_array();
	for (i = 0; i < cfg->nr_nodes; i++)
		json_array_append_new(arr, config_json_node(&cfg->nodes[i]));
	json_object_set_new(machine, "nodes", arr);
	arr = json_array();
	for (i = 0; i < cfg->nr_nodes; i++) {
		row = json_array();
		for (j = 0; j < cfg->nr_nodes; j++)
			json_array_append_new(row, json_integer(
			    cfg->distance[i * cfg->nr_nodes + j]));
		json_array_append_new(arr, row);
	}
	json_object_set_new(machine, "distances", arr);
	json_object_set_new(root, "machine", machine);

	vm = json_object();
	json_object_set_new(vm, "min_free_kbytes",
	    config_json_u64(cfg->min_free_kbytes));
	json_object_set_new(vm, "watermark_scale_factor",
	    json_integer(cfg->watermark_scale_factor));
	arr = json_array();
	for (z = 0; z < MAX_NR_ZONES; z++)
		json_array_append_new(arr,
		    json_integer(cfg->lowmem_reserve_ratio[z]));
	json_object_set_new(vm, "lowmem_reserve_ratio", arr);
	json_object_set_new(vm, "watermark_boost_factor",
	    json_integer(cfg->watermark_boost_factor));
	json_object_set_new(vm, "extfrag_threshold",
	    json_integer(cfg->extfrag_threshold));
	json_object_set_new(vm, "compaction_proactiveness",
	    json_integer(cfg->compaction_proactiveness));
	json_object_set_new(vm, "percpu_pagelist_high_fraction",
	    json_integer(cfg->percpu_pagelist_high_fraction));
	json_object_set_new(vm, "node_reclaim_mode",
	    json_integer(cfg->node_reclaim_mode));
	{
		json_t *mp = json_object();
		char nl[256];
		size_t len = 0;
		int n;

		nl[0] = '\0';
		for (n = 0; n < 64 && len + 8 < sizeof nl; n++)
			if (cfg->mempolicy_nodes & (UINT64_C(1) << n))
				len += (size_t)snprintf(nl + len,
				    sizeof nl - len, "%s%d", len ? "," : "", n);
		json_object_set_new(mp, "mode",
		    json_string(mpol_names[cfg->mempolicy]));
		json_object_set_new(mp, "nodes", json_string(nl));
		json_object_set_new(vm, "mempolicy", mp);
	}
	json_object_set_new(vm, "dirty_ratio", json_integer(cfg->dirty_ratio));
	json_object_set_new(vm, "dirty_background_ratio",
	    json_integer(cfg->dirty_background_ratio));
	json_object_set_new(vm, "dirty_bytes",
	    config_json_u64(cfg->dirty_bytes));
	json_object_set_new(vm, "dirty_background_bytes",
	    config_json_u64(cfg->dirty_background_bytes));
	json_object_set_new(vm, "dirty_expire_centisecs",
	    json_integer(cfg->dirty_expire_centisecs));
	json_object_set_new(vm, "dirty_writeback_centisecs",
	    json_integer(cfg->dirty_writeback_centisecs));
	json_object_set_new(root, "vm", vm);
	arr = json_array();
	for (i = 0; i < cfg->nr_disks; i++) {
		const struct config_disk *d = &cfg->disks[i];
		json_t *o = json_object();

		json_object_set_new(o, "name", json_string(d->name));
		json_object_set_new(o, "bandwidth",
		    config_json_u64(d->bandwidth));
		json_object_set_new(o, "latency_us",
		    config_json_u64(d->latency_ns / 1000));
		json_object_set_new(o, "queue_depth",
		    json_integer(d->queue_depth));
		json_object_set_new(o, "read_ahead_kb",
		    json_integer(d->read_ahead_kb));
		json_object_set_new(o, "max_folio_order",
		    json_integer(d->max_folio_order));
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "disks", arr);
	{
		json_t *b = json_object();

		json_object_set_new(b, "fallback", json_string(
		    cfg->fallback == FALLBACK_LEGACY ? "legacy" : "claim"));
		json_object_set_new(b, "mobility", json_boolean(cfg->mobility));
		json_object_set_new(b, "highatomic",
		    json_boolean(cfg->highatomic));
		json_object_set_new(b, "pcp", json_boolean(cfg->pcp));
		json_object_set_new(b, "cma", config_json_u64(cfg->cma_size));
		json_object_set_new(root, "buddy", b);
	}
	{
		json_t *b = json_object();

		json_object_set_new(b, "merge", json_boolean(cfg->slab_merge));
		json_object_set_new(b, "cpu_partial",
		    json_boolean(cfg->slab_cpu_partial));
		json_object_set_new(b, "min_objects",
		    json_integer(cfg->slab_min_objects));
		json_object_set_new(b, "max_order",
		    json_integer(cfg->slab_max_order));
		json_object_set_new(root, "slab", b);
	}

	cost = json_object();
	for (i = 0; i < COST_NR; i++)
		json_object_set_new(cost, cost_table[i].name,
		    config_json_u64(cfg->cost.c[i]));
	json_object_set_new(root, "cost", cost);

	metrics = json_object();
	json_object_set_new(metrics, "snapshot_interval_ms",
	    json_real((double)cfg->snapshot_interval_ns / 1e6));
	json_object_set_new(metrics, "snapshot_interval_ns",
	    config_json_u64(cfg->snapshot_interval_ns));
	json_object_set_new(root, "metrics", metrics);
	return root;
}
