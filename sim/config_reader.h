/*
 * config_reader.h - what the parts of the configuration reader share.
 *
 * config.c loads the file and reads its top level; config_topology.c
 * reads machine: (nodes, CPUs, holes, zones, distances);
 * config_tunables.c the sections of knobs (vm:, buddy:, slab:, disks:,
 * cost:, metrics:); config_set.c applies --set before any of them
 * reads.  Other modules use kmsim_config.h.
 */
#ifndef KMSIM_CONFIG_READER_H
#define KMSIM_CONFIG_READER_H

#include <stddef.h>
#include <stdint.h>

#include <yaml.h>

#include "kmsim.h"
#include "kmsim_config.h"
#include "yamlnode.h"

#define CONFIG_PHYS_LIMIT	(UINT64_C(1) << CONFIG_MAX_PHYS_BITS)

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

/* config.c: positions and errors ("FILE:LINE:COL: message"). */
struct srcpos config_pos(const struct config_reader *r, const yaml_node_t *n);
int config_error(struct config_reader *r, const yaml_node_t *n,
    const char *fmt, ...) KMSIM_PRINTF(3, 4);
int config_error_at(struct config_reader *r, const struct srcpos *pos,
    const char *fmt, ...) KMSIM_PRINTF(3, 4);
/*
 * config.c: sort a mapping's pairs onto the keys it may hold (a null value
 * leaves vals[i] NULL but keys[i] set); `noun` and `where` word the
 * errors ("unknown key 'x' in node 0").  A NULL or null map holds nothing.
 */
int config_collect(struct config_reader *r, const yaml_node_t *map,
    const char *what, const char *const *names, size_t nr, const char *noun,
    const char *where, yaml_node_t **vals, yaml_node_t **keys);
/* A key that must be present with a value. */
int config_require(struct config_reader *r, const yaml_node_t *map,
    yaml_node_t *const *vals, yaml_node_t *const *keys,
    const char *const *names, size_t i, const char *where);
/* A byte size or address within the physical address space. */
int config_size(struct config_reader *r, const yaml_node_t *n,
    const char *key, uint64_t *out);
int config_page_aligned(struct config_reader *r, const yaml_node_t *n,
    const char *key, uint64_t v);

/* config_topology.c: machine: */
int config_read_machine(struct config_reader *r, yaml_node_t *map);

/* config_tunables.c: the sections of knobs, and their checks against
 * the machine once it is read. */
int config_read_vm(struct config_reader *r, yaml_node_t *map);
int config_read_buddy(struct config_reader *r, yaml_node_t *map);
int config_read_slab(struct config_reader *r, yaml_node_t *map);
int config_read_disks(struct config_reader *r, yaml_node_t *n);
int config_read_cost(struct config_reader *r, yaml_node_t *map);
int config_read_metrics(struct config_reader *r, yaml_node_t *map);
int config_check_policy(struct config_reader *r);

/* config_set.c: apply one --set "KEY=VALUE" to the document. */
int config_set_one(struct config_reader *r, const char *set, char **cause);

#endif /* KMSIM_CONFIG_READER_H */
