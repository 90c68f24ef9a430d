/*
 * config_json.c - the effective configuration (defaults filled in) as
 * JSON, as the database keeps it in the runs table's config_json column
 * (kmsim-db(5)).
 */
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "cost.h"
#include "kmsim_config.h"
#include "mm/gfp.h"

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
