/*
 * mkmachine.h - machines built by hand for the unit tests: one or two
 * nodes from address 0, zones as given, every other knob at its default,
 * so that the tests do not depend on the config reader.
 */
#ifndef KMSIM_TEST_MKMACHINE_H
#define KMSIM_TEST_MKMACHINE_H

#include <stdlib.h>
#include <string.h>

#include "mm/buddy.h"
#include "machine.h"
#include "trace/trace.h"

#define MiB (UINT64_C(1) << 20)

static int mk_cpus0[] = { 0, 1 }, mk_cpus1[] = { 2, 3 };
static int mk_dist1[] = { 10 };
static int mk_dist2[] = { 10, 20, 20, 10 };

/* Node n holds [n * mem, (n + 1) * mem); node 0 has DMA/DMA32 as given,
 * the rest of every node is Normal. */
static inline void mk_config(struct config *cfg, struct config_node *nodes,
    int nr_nodes, uint64_t mem, uint64_t dma, uint64_t dma32)
{
	int n;

	memset(cfg, 0, sizeof *cfg);
	config_set_defaults(cfg);
	cfg->path = (char *)"test";
	cfg->name = (char *)"test";
	cfg->cpu_mhz = 1000;
	cfg->nr_nodes = nr_nodes;
	cfg->nodes = nodes;
	cfg->nr_cpus = 2 * nr_nodes;
	cfg->distance = nr_nodes == 1 ? mk_dist1 : mk_dist2;
	cfg->min_free_kbytes = 128;
	for (n = 0; n < nr_nodes; n++) {
		struct config_node *cn = &nodes[n];

		memset(cn, 0, sizeof *cn);
		cn->id = n;
		cn->start = (uint64_t)n * mem;
		cn->memory = cn->span = mem;
		cn->cpus = n == 0 ? mk_cpus0 : mk_cpus1;
		cn->nr_cpus = 2;
		if (n == 0) {
			cn->zone_size[ZONE_DMA] = dma;
			cn->zone_size[ZONE_DMA32] = dma32;
			cn->zone_size[ZONE_NORMAL] = mem - dma - dma32;
		} else {
			cn->zone_size[ZONE_NORMAL] = mem;
		}
	}
}

/* mk_config() for the buddy lists alone: no per-cpu lists. */
static inline void mk_config_nopcp(struct config *cfg,
    struct config_node *nodes, int nr_nodes, uint64_t mem, uint64_t dma,
    uint64_t dma32)
{
	mk_config(cfg, nodes, nr_nodes, mem, dma, dma32);
	cfg->pcp = false;
}

/*
 * Watermarks out of the way (min = low = 0, high one pageblock), so a
 * test can fill every pageblock and the boost still has a high mark to
 * scale from.
 */
static inline void mk_no_watermarks(struct machine *m)
{
	int i;

	for (i = 0; i < m->nr_zones; i++) {
		struct zone *z = m->zones[i];

		z->watermark[WMARK_MIN] = z->watermark[WMARK_LOW] = 0;
		z->watermark[WMARK_HIGH] = UINT64_C(1) << m->pageblock_order;
		memset(z->lowmem_reserve, 0, sizeof z->lowmem_reserve);
	}
}

/* One node of `mem` bytes of Normal, no per-cpu lists, no watermarks in
 * the way; NULL if the machine cannot be made. */
static inline struct machine *mk_bare_machine(struct config *cfg,
    struct config_node *nodes, uint64_t mem)
{
	struct machine *m;

	mk_config_nopcp(cfg, nodes, 1, mem, 0, 0);
	m = machine_create(cfg, NULL);
	if (m != NULL)
		mk_no_watermarks(m);
	return m;
}

/* Allocate; OP_PFN_NONE when it fails. */
static inline uint64_t mk_alloc(struct machine *m, unsigned order, gfp_t gfp,
    int node, struct alloc_result *res)
{
	struct alloc_request req = { .order = order, .gfp = gfp,
	    .preferred_node = node, .migratetype = -1,
	    .cpu = node * 2 };
	struct alloc_result r;
	char *cause = NULL;

	if (res == NULL)
		res = &r;
	if (page_alloc(m, &req, res, &cause) != 0) {
		free(cause);
		return OP_PFN_NONE;
	}
	return res->pfn;
}

static inline void mk_free(struct machine *m, uint64_t pfn, unsigned order)
{
	struct alloc_result res;

	page_free(m, pfn, order, 0, &res);
}

static inline uint64_t mk_nr_free(const struct zone *z, unsigned o, int mt)
{
	return z->free_area[o].nr_free_mt[mt];
}

#endif /* KMSIM_TEST_MKMACHINE_H */
