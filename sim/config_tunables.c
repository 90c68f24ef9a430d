/*
 * config_tunables.c - the configuration's sections of knobs
 * (kmsim-config(5)): vm: (the /proc/sys/vm sysctls the model honours,
 * the memory policy, the dirty page limits), disks:, buddy:, slab: (SLUB's
 * boot parameters), cost: (the cycle table) and metrics:, and the checks
 * of vm: and buddy: against the machine once it is read.
 */
#include "config_reader.h"

#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "cost.h"
#include "mm/gfp.h"
#include "kmsim.h"
#include "yamlnode.h"

#define CONFIG_MAX_WSF		3000		/* watermark_scale_factor */
#define CONFIG_MAX_COST		UINT32_MAX	/* cycles for one step */

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

int config_read_vm(struct config_reader *r, yaml_node_t *map)
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
int config_read_disks(struct config_reader *r, yaml_node_t *n)
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

int config_read_buddy(struct config_reader *r, yaml_node_t *map)
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

int config_read_cost(struct config_reader *r, yaml_node_t *map)
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

int config_read_metrics(struct config_reader *r, yaml_node_t *map)
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

int config_read_slab(struct config_reader *r, yaml_node_t *map)
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
int config_check_policy(struct config_reader *r)
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

