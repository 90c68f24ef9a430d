/* test-config.c - the machine configuration reader (config.c). */
#include "kmsim_config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"

#define G (UINT64_C(1) << 30)
#define M (UINT64_C(1) << 20)
#define K (UINT64_C(1) << 10)

/* One node of 1 GiB with one CPU: lines 1-3. */
#define MIN_MACHINE \
	"machine:\n" \
	"  nodes:\n" \
	"    - {memory: 1G, cpus: 0}\n"

static struct config *cfg;	/* the last config loaded, freed by the next */
static char *cause;		/* the last error, freed by the next load */

static void reset(void)
{
	config_destroy(cfg);
	cfg = NULL;
	free(cause);
	cause = NULL;
}

/* Load `text` as "t.yaml"; NULL (and `cause` set) if it is refused. */
static struct config *load(const char *text)
{
	reset();
	cfg = config_load_string("t.yaml", text, &cause);
	if (cfg == NULL)
		printf("# refused: %s\n", cause);
	return cfg;
}

/* Load `text`, which must be refused; returns the cause (or NULL). */
static const char *load_error(const char *text)
{
	reset();
	cfg = config_load_string("t.yaml", text, &cause);
	return cause;
}

#define ASSERT_LOADED()							\
	do {								\
		if (cfg == NULL)					\
			TAP_FAIL("refused: %s", cause);			\
	} while (0)

/* The source tree, for the bundled configs and the manual. */
static const char *top_srcdir(void)
{
	static char buf[4096];
	const char *env = getenv("top_srcdir");
	const char *tail = "/tests/unit/test-config.c";
	size_t n;

	if (env != NULL && *env != '\0')
		return env;
	n = strlen(__FILE__);
	if (n > strlen(tail) && n - strlen(tail) < sizeof buf &&
	    strcmp(&__FILE__[n - strlen(tail)], tail) == 0) {
		memcpy(buf, __FILE__, n - strlen(tail));
		buf[n - strlen(tail)] = '\0';
		return buf;
	}
	return ".";
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = xmalloc((size_t)n + 1);
	buf[fread(buf, 1, (size_t)n, f)] = '\0';
	fclose(f);
	return buf;
}

/* ------------------------------------------------------------------ */
/* values */

TEST(defaults)
{
	int i;

	ASSERT(load(MIN_MACHINE) != NULL);
	ASSERT_STREQ(cfg->path, "t.yaml");
	ASSERT_STREQ(cfg->name, "t");
	ASSERT_UEQ(cfg->page_size, 4096);
	ASSERT_EQ(cfg->page_shift, 12);
	ASSERT_EQ(cfg->max_order, 10);
	ASSERT_EQ(cfg->section_size_bits, 27);
	ASSERT_EQ(cfg->cpu_mhz, 3000);
	ASSERT_UEQ(cfg->movablecore, 0);
	ASSERT_EQ(cfg->nr_nodes, 1);
	ASSERT_EQ(cfg->nr_cpus, 1);
	ASSERT_EQ(cfg->distance[0], 10);
	ASSERT_UEQ(cfg->min_free_kbytes, 0);
	ASSERT_EQ(cfg->watermark_scale_factor, 10);
	ASSERT_EQ(cfg->lowmem_reserve_ratio[ZONE_DMA], 256);
	ASSERT_EQ(cfg->lowmem_reserve_ratio[ZONE_DMA32], 256);
	ASSERT_EQ(cfg->lowmem_reserve_ratio[ZONE_NORMAL], 32);
	ASSERT_EQ(cfg->lowmem_reserve_ratio[ZONE_HIGHMEM], 0);
	ASSERT_EQ(cfg->lowmem_reserve_ratio[ZONE_MOVABLE], 0);
	for (i = 0; i < COST_NR; i++)
		ASSERT_UEQ(cfg->cost.c[i], cost_table[i].def);
	ASSERT_UEQ(cfg->snapshot_interval_ns, 10 * 1000 * 1000);
	ASSERT_UEQ(cfg->nodes[0].start, 0);
	ASSERT_UEQ(cfg->nodes[0].memory, G);
	ASSERT_UEQ(cfg->nodes[0].span, G);
	ASSERT_EQ(cfg->nodes[0].nr_holes, 0);
	ASSERT(!cfg->nodes[0].zones_explicit);
	ASSERT_EQ(cfg->nodes[0].pos.line, 3);
	ASSERT_EQ(cfg->nodes[0].pos.col, 7);
}

TEST(every_key)
{
	ASSERT(load(
	    "name: box\n"
	    "machine:\n"
	    "  page_size: 16K\n"
	    "  cpu_mhz: 2100\n"
	    "  max_order: 11\n"
	    "  section_size_bits: 30\n"
	    "  nodes:\n"
	    "    - {memory: 2G, cpus: 0}\n"
	    "vm:\n"
	    "  min_free_kbytes: 65536\n"
	    "  watermark_scale_factor: 200\n"
	    "  lowmem_reserve_ratio: [1, 2, 3, 4, 5]\n"
	    "metrics:\n"
	    "  snapshot_interval_ms: 0.25\n") != NULL);
	ASSERT_STREQ(cfg->name, "box");
	ASSERT_UEQ(cfg->page_size, 16 * K);
	ASSERT_EQ(cfg->page_shift, 14);
	ASSERT_EQ(cfg->cpu_mhz, 2100);
	ASSERT_EQ(cfg->max_order, 11);
	ASSERT_EQ(cfg->section_size_bits, 30);
	ASSERT_UEQ(cfg->min_free_kbytes, 65536);
	ASSERT_EQ(cfg->watermark_scale_factor, 200);
	ASSERT_EQ(cfg->lowmem_reserve_ratio[ZONE_DMA], 1);
	ASSERT_EQ(cfg->lowmem_reserve_ratio[ZONE_MOVABLE], 5);
	ASSERT_UEQ(cfg->snapshot_interval_ns, 250 * 1000);
}

TEST(section_size_bits_default_grows)
{
	/* 64 KiB pages and order 13: a max-order block is 2^29 bytes. */
	ASSERT(load(
	    "machine:\n"
	    "  page_size: 64K\n"
	    "  max_order: 13\n"
	    "  nodes:\n"
	    "    - {memory: 4G, cpus: 0}\n") != NULL);
	ASSERT_EQ(cfg->page_shift, 16);
	ASSERT_EQ(cfg->section_size_bits, 29);
}

TEST(lowmem_reserve_ratio_by_zone)
{
	ASSERT(load(MIN_MACHINE
	    "vm:\n"
	    "  lowmem_reserve_ratio: {Normal: 64, DMA: 0}\n") != NULL);
	ASSERT_EQ(cfg->lowmem_reserve_ratio[ZONE_DMA], 0);
	ASSERT_EQ(cfg->lowmem_reserve_ratio[ZONE_DMA32], 256);
	ASSERT_EQ(cfg->lowmem_reserve_ratio[ZONE_NORMAL], 64);
}

TEST(null_values_take_defaults)
{
	ASSERT(load(
	    "machine:\n"
	    "  cpu_mhz: ~\n"
	    "  nodes:\n"
	    "    - memory: 1G\n"
	    "      cpus: 0\n"
	    "      holes:\n"
	    "vm:\n"
	    "cost: null\n") != NULL);
	ASSERT_EQ(cfg->cpu_mhz, 3000);
	ASSERT_EQ(cfg->nodes[0].nr_holes, 0);
}

TEST(zones_16g_node)
{
	const struct config_node *n;

	ASSERT(load(
	    "machine:\n"
	    "  nodes:\n"
	    "    - {memory: 16G, cpus: 0-3}\n") != NULL);
	n = &cfg->nodes[0];
	ASSERT_UEQ(n->zone_size[ZONE_DMA], 16 * M);
	ASSERT_UEQ(n->zone_size[ZONE_DMA32], 4080 * M);
	ASSERT_UEQ(n->zone_size[ZONE_NORMAL], 12 * G);
	ASSERT_UEQ(n->zone_size[ZONE_HIGHMEM], 0);
	ASSERT_UEQ(n->zone_size[ZONE_MOVABLE], 0);
	ASSERT(!n->zones_explicit);
}

TEST(zones_node_above_4g)
{
	const struct config_node *n;

	/* The second node starts where the first ends, at 4 GiB. */
	ASSERT(load(
	    "machine:\n"
	    "  nodes:\n"
	    "    - {memory: 4G, cpus: 0}\n"
	    "    - {memory: 8G, cpus: 1}\n") != NULL);
	n = &cfg->nodes[0];
	ASSERT_UEQ(n->zone_size[ZONE_DMA], 16 * M);
	ASSERT_UEQ(n->zone_size[ZONE_DMA32], 4080 * M);
	ASSERT_UEQ(n->zone_size[ZONE_NORMAL], 0);
	n = &cfg->nodes[1];
	ASSERT_UEQ(n->start, 4 * G);
	ASSERT_UEQ(n->zone_size[ZONE_DMA], 0);
	ASSERT_UEQ(n->zone_size[ZONE_DMA32], 0);
	ASSERT_UEQ(n->zone_size[ZONE_NORMAL], 8 * G);
}

TEST(zones_node_across_4g)
{
	const struct config_node *n;

	ASSERT(load(
	    "machine:\n"
	    "  nodes:\n"
	    "    - {memory: 4G, start: 0x80000000, cpus: 0}\n") != NULL);
	n = &cfg->nodes[0];
	ASSERT_UEQ(n->start, 2 * G);
	ASSERT_UEQ(n->zone_size[ZONE_DMA], 0);
	ASSERT_UEQ(n->zone_size[ZONE_DMA32], 2 * G);
	ASSERT_UEQ(n->zone_size[ZONE_NORMAL], 2 * G);
}

TEST(zones_explicit)
{
	const struct config_node *n;

	ASSERT(load(
	    "machine:\n"
	    "  nodes:\n"
	    "    - memory: 8G\n"
	    "      cpus: 0\n"
	    "      zones: {DMA32: 2G, Normal: 5G, Movable: 1G}\n") != NULL);
	n = &cfg->nodes[0];
	ASSERT(n->zones_explicit);
	ASSERT_UEQ(n->zone_size[ZONE_DMA], 0);
	ASSERT_UEQ(n->zone_size[ZONE_DMA32], 2 * G);
	ASSERT_UEQ(n->zone_size[ZONE_NORMAL], 5 * G);
	ASSERT_UEQ(n->zone_size[ZONE_MOVABLE], G);
}

TEST(holes)
{
	const struct config_node *n;

	/* Given out of order; kept sorted by address. */
	ASSERT(load(
	    "machine:\n"
	    "  nodes:\n"
	    "    - memory: 8G\n"
	    "      cpus: 0\n"
	    "      holes:\n"
	    "        - {start: 5G, size: 512M}\n"
	    "        - {start: 3G, size: 1G}\n") != NULL);
	n = &cfg->nodes[0];
	ASSERT_UEQ(n->memory, 8 * G);
	ASSERT_UEQ(n->span, 9 * G + 512 * M);
	ASSERT_EQ(n->nr_holes, 2);
	ASSERT_UEQ(n->holes[0].start, 3 * G);
	ASSERT_UEQ(n->holes[0].size, G);
	ASSERT_EQ(n->holes[0].pos.line, 7);
	ASSERT_UEQ(n->holes[1].start, 5 * G);
	ASSERT_UEQ(n->holes[1].size, 512 * M);
	ASSERT_EQ(n->holes[1].pos.line, 6);
	/* Zones span holes: the PCI hole sits inside DMA32. */
	ASSERT_UEQ(n->zone_size[ZONE_DMA32], 4080 * M);
	ASSERT_UEQ(n->zone_size[ZONE_NORMAL], 5 * G + 512 * M);
}

TEST(movablecore)
{
	const struct config_node *n;

	/* 8193M over two nodes is 4096.5M each; whole 4M blocks: 4G. */
	ASSERT(load(
	    "machine:\n"
	    "  movablecore: 8193M\n"
	    "  nodes:\n"
	    "    - {memory: 16G, cpus: 0}\n"
	    "    - {memory: 16G, cpus: 1}\n") != NULL);
	ASSERT_UEQ(cfg->movablecore, 8193 * M);
	n = &cfg->nodes[0];
	ASSERT_UEQ(n->zone_size[ZONE_DMA32], 4080 * M);
	ASSERT_UEQ(n->zone_size[ZONE_NORMAL], 8 * G);
	ASSERT_UEQ(n->zone_size[ZONE_MOVABLE], 4 * G);
	n = &cfg->nodes[1];
	ASSERT_UEQ(n->zone_size[ZONE_NORMAL], 12 * G);
	ASSERT_UEQ(n->zone_size[ZONE_MOVABLE], 4 * G);
}

TEST(movablecore_from_dma32)
{
	const struct config_node *n;

	/* No Normal zone: Movable comes out of DMA32; blocks of 32K. */
	ASSERT(load(
	    "machine:\n"
	    "  max_order: 3\n"
	    "  movablecore: 40K\n"
	    "  nodes:\n"
	    "    - {memory: 64M, cpus: 0}\n") != NULL);
	n = &cfg->nodes[0];
	ASSERT_UEQ(n->zone_size[ZONE_DMA], 16 * M);
	ASSERT_UEQ(n->zone_size[ZONE_DMA32], 48 * M - 32 * K);
	ASSERT_UEQ(n->zone_size[ZONE_MOVABLE], 32 * K);
}

TEST(cpulist)
{
	const struct config_node *n;

	ASSERT(load(
	    "machine:\n"
	    "  nodes:\n"
	    "    - {memory: 1G, cpus: '4-5, 0,2-3'}\n"
	    "    - {memory: 1G, cpus: [6, 1]}\n"
	    "    - {memory: 1G}\n"
	    "    - {memory: 1G, cpus: ''}\n"
	    "    - {memory: 1G, cpus: 7}\n") != NULL);
	ASSERT_EQ(cfg->nr_cpus, 8);
	n = &cfg->nodes[0];
	ASSERT_EQ(n->nr_cpus, 5);
	ASSERT_EQ(n->cpus[0], 0);
	ASSERT_EQ(n->cpus[1], 2);
	ASSERT_EQ(n->cpus[2], 3);
	ASSERT_EQ(n->cpus[3], 4);
	ASSERT_EQ(n->cpus[4], 5);
	n = &cfg->nodes[1];
	ASSERT_EQ(n->nr_cpus, 2);
	ASSERT_EQ(n->cpus[0], 1);
	ASSERT_EQ(n->cpus[1], 6);
	ASSERT_EQ(cfg->nodes[2].nr_cpus, 0);
	ASSERT_EQ(cfg->nodes[3].nr_cpus, 0);
	ASSERT_EQ(cfg->nodes[4].nr_cpus, 1);
	ASSERT_EQ(cfg->nodes[4].cpus[0], 7);
}

TEST(distances_default)
{
	int i, j;

	ASSERT(load(
	    "machine:\n"
	    "  nodes:\n"
	    "    - {memory: 1G, cpus: 0}\n"
	    "    - {memory: 1G, cpus: 1}\n"
	    "    - {memory: 1G, cpus: 2}\n") != NULL);
	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++)
			ASSERT_EQ(cfg->distance[i * 3 + j], i == j ? 10 : 20);
}

TEST(distances_explicit)
{
	ASSERT(load(
	    "machine:\n"
	    "  nodes:\n"
	    "    - {memory: 1G, cpus: 0}\n"
	    "    - {memory: 1G, cpus: 1}\n"
	    "    - {memory: 1G, cpus: 2}\n"
	    "  distances:\n"
	    "    - [10, 16, 22]\n"
	    "    - [16, 10, 16]\n"
	    "    - [22, 16, 10]\n") != NULL);
	ASSERT_EQ(cfg->distance[0 * 3 + 1], 16);
	ASSERT_EQ(cfg->distance[0 * 3 + 2], 22);
	ASSERT_EQ(cfg->distance[2 * 3 + 0], 22);
	ASSERT_EQ(cfg->distance[1 * 3 + 1], 10);
	ASSERT_EQ(cfg->distance[2 * 3 + 1], 16);
}

TEST(cost_overrides)
{
	ASSERT(load(MIN_MACHINE
	    "cost:\n"
	    "  alloc_fast: 999\n"
	    "  zone_lock: 0\n") != NULL);
	ASSERT_UEQ(cfg->cost.c[COST_ALLOC_FAST], 999);
	ASSERT_UEQ(cfg->cost.c[COST_ZONE_LOCK], 0);
	ASSERT_UEQ(cfg->cost.c[COST_SPLIT], cost_table[COST_SPLIT].def);
	ASSERT_UEQ(cfg->cost.c[COST_ALLOC_FAIL],
	    cost_table[COST_ALLOC_FAIL].def);
}

TEST(to_json)
{
	json_t *j, *node0, *node1;
	int i;

	ASSERT(load(
	    "name: js\n"
	    "machine:\n"
	    "  nodes:\n"
	    "    - memory: 8G\n"
	    "      cpus: 0-1\n"
	    "      holes: [{start: 3G, size: 1G}]\n"
	    "    - {memory: 4G, cpus: 2}\n"
	    "cost: {merge: 77}\n"
	    "metrics: {snapshot_interval_ms: 2.5}\n") != NULL);
	j = config_to_json(cfg);
	ASSERT(j != NULL);
	node0 = json_array_get(json_object_get(json_object_get(j, "machine"),
	    "nodes"), 0);
	node1 = json_array_get(json_object_get(json_object_get(j, "machine"),
	    "nodes"), 1);
	if (node0 == NULL || node1 == NULL) {
		json_decref(j);
		TAP_FAIL("no machine.nodes[0..1]");
	}
#define JINT(o, k) json_integer_value(json_object_get((o), (k)))
	ASSERT_STREQ(json_string_value(json_object_get(j, "name")), "js");
	ASSERT_EQ(JINT(json_object_get(j, "machine"), "page_size"), 4096);
	ASSERT_EQ(JINT(json_object_get(j, "machine"), "nr_cpus"), 3);
	ASSERT_EQ(JINT(node0, "memory"), 8 * G);
	ASSERT_EQ(JINT(node0, "span"), 9 * G);
	ASSERT_EQ(JINT(json_object_get(node0, "zones"), "DMA"), 16 * M);
	ASSERT_EQ(JINT(json_object_get(node0, "zones"), "DMA32"), 4080 * M);
	ASSERT_EQ(JINT(json_object_get(node0, "zones"), "Normal"), 5 * G);
	ASSERT_EQ(JINT(json_array_get(json_object_get(node0, "holes"), 0),
	    "start"), 3 * G);
	ASSERT_EQ(json_array_size(json_object_get(node0, "cpus")), 2);
	ASSERT_EQ(json_integer_value(json_array_get(
	    json_object_get(node0, "cpus"), 1)), 1);
	ASSERT_EQ(JINT(node1, "start"), 9 * G);
	ASSERT_EQ(JINT(json_object_get(node1, "zones"), "Normal"), 4 * G);
	ASSERT_EQ(json_integer_value(json_array_get(json_array_get(
	    json_object_get(json_object_get(j, "machine"), "distances"), 0),
	    1)), 20);
	ASSERT_EQ(json_object_size(json_object_get(j, "cost")), COST_NR);
	ASSERT_EQ(JINT(json_object_get(j, "cost"), "merge"), 77);
	for (i = 0; i < COST_NR; i++)
		ASSERT(json_object_get(json_object_get(j, "cost"),
		    cost_table[i].name) != NULL);
	ASSERT_EQ(json_integer_value(json_array_get(json_object_get(
	    json_object_get(j, "vm"), "lowmem_reserve_ratio"), 2)), 32);
	ASSERT_EQ(JINT(json_object_get(j, "metrics"), "snapshot_interval_ns"),
	    2500000);
	ASSERT_DBL_NEAR(json_real_value(json_object_get(json_object_get(j,
	    "metrics"), "snapshot_interval_ms")), 2.5, 1e-9);
#undef JINT
	json_decref(j);
}

TEST(load_file)
{
	char dir[] = "/tmp/kmsim-test-config.XXXXXX", path[64];
	FILE *f;

	ASSERT(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/box.yml", dir);
	f = fopen(path, "w");
	ASSERT(f != NULL);
	fputs(MIN_MACHINE "  cpu_mhz: oops\n", f);
	fclose(f);
	reset();
	cfg = config_load(path, &cause);
	ASSERT(cfg == NULL);
	ASSERT(strncmp(cause, path, strlen(path)) == 0);
	ASSERT_CONTAINS(cause, "box.yml:4:12: cpu_mhz: 'oops' is not a number");

	f = fopen(path, "w");
	ASSERT(f != NULL);
	fputs(MIN_MACHINE, f);
	fclose(f);
	reset();
	cfg = config_load(path, &cause);
	unlink(path);
	rmdir(dir);
	ASSERT(cfg != NULL);
	ASSERT_STREQ(cfg->name, "box");
	ASSERT_STREQ(cfg->path, path);
}

TEST(bundled_configs)
{
	char path[4096];

	snprintf(path, sizeof path, "%s/configs/uma.yaml", top_srcdir());
	reset();
	cfg = config_load(path, &cause);
	ASSERT_LOADED();
	ASSERT_STREQ(cfg->name, "uma");
	ASSERT_EQ(cfg->nr_nodes, 1);
	ASSERT_EQ(cfg->nr_cpus, 8);
	ASSERT_UEQ(cfg->nodes[0].memory, 8 * G);
	ASSERT_UEQ(cfg->nodes[0].zone_size[ZONE_NORMAL], 4 * G);

	snprintf(path, sizeof path, "%s/configs/numa4.yaml", top_srcdir());
	reset();
	cfg = config_load(path, &cause);
	ASSERT_LOADED();
	ASSERT_EQ(cfg->nr_nodes, 4);
	ASSERT_EQ(cfg->nr_cpus, 16);
	ASSERT_EQ(cfg->nodes[3].nr_cpus, 4);
	ASSERT_EQ(cfg->nodes[3].cpus[0], 12);
	ASSERT_UEQ(cfg->nodes[3].start, 48 * G);
	ASSERT_EQ(cfg->distance[0 * 4 + 2], 31);
	ASSERT_EQ(cfg->distance[1 * 4 + 2], 21);

	snprintf(path, sizeof path, "%s/configs/tiny.yaml", top_srcdir());
	reset();
	cfg = config_load(path, &cause);
	ASSERT_LOADED();
	ASSERT_EQ(cfg->nr_cpus, 2);
	ASSERT_EQ(cfg->max_order, 10);
	ASSERT_UEQ(cfg->nodes[0].zone_size[ZONE_DMA], 16 * M);
	ASSERT_UEQ(cfg->nodes[0].zone_size[ZONE_DMA32], 48 * M);
}

/*
 * The manual's examples load: every `.Bd -literal` block whose first line
 * is "# example: NAME".  Also, its cost table lists every cost with its
 * default, so the page follows cost.c.
 */
TEST(manual)
{
	char path[4096], line[256], name[64];
	char *page, *block, *p, *end;
	int examples = 0, i;

	snprintf(path, sizeof path, "%s/man/kmsim-config.5", top_srcdir());
	page = read_text(path);
	ASSERT(page != NULL);
	for (p = strstr(page, ".Bd -literal"); p != NULL;
	    p = strstr(p, ".Bd -literal")) {
		p = strchr(p, '\n');
		if (p == NULL)
			break;
		if (strncmp(p + 1, "# example: ", 11) != 0)
			continue;
		end = strstr(++p, "\n.Ed\n");
		if (end == NULL)
			break;
		block = xstrndup(p, (size_t)(end - p) + 1);
		sscanf(block + 11, "%63s", name);
		snprintf(line, sizeof line, "kmsim-config.5 example %s", name);
		reset();
		cfg = config_load_string(line, block, &cause);
		free(block);
		if (cfg == NULL) {
			printf("# %s\n", cause);
			free(page);
			TAP_FAIL("example %s does not load", name);
		}
		examples++;
		p = end;
	}
	for (i = 0; i < COST_NR; i++) {
		snprintf(line, sizeof line, "\n.It Ic %s Ta %" PRIu64 " Ta ",
		    cost_table[i].name, cost_table[i].def);
		if (strstr(page, line) == NULL) {
			free(page);
			TAP_FAIL("the cost table lacks %s = %" PRIu64,
			    cost_table[i].name, cost_table[i].def);
		}
	}
	free(page);
	ASSERT_GE(examples, 2);
}

TEST(manual_example_cxl_values)
{
	/* The movablecore arithmetic the manual states: 8G / 3 in 4M blocks. */
	ASSERT(load(
	    "machine:\n"
	    "  movablecore: 8G\n"
	    "  nodes:\n"
	    "    - {memory: 32G, cpus: 0}\n"
	    "    - {memory: 32G}\n"
	    "    - {memory: 64G, start: 128G}\n") != NULL);
	ASSERT_UEQ(cfg->nodes[2].zone_size[ZONE_MOVABLE], 2728 * M);
	ASSERT_UEQ(cfg->nodes[2].zone_size[ZONE_NORMAL], 64 * G - 2728 * M);
}

/*
 * The bad configs the CLI test feeds kmsim, each with its expected message
 * on its first line ("# expect: LINE:COL: message"), give exactly that.
 */
TEST(fixtures)
{
	char dir[4096], path[8192];
	struct dirent *de;
	char *text, *nl, *expected;
	size_t n;
	DIR *d;
	int count = 0;

	snprintf(dir, sizeof dir, "%s/tests/fixtures/config", top_srcdir());
	d = opendir(dir);
	ASSERT(d != NULL);
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (n < 5 || strcmp(de->d_name + n - 5, ".yaml") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		text = read_text(path);
		if (text == NULL || strncmp(text, "# expect: ", 10) != 0 ||
		    (nl = strchr(text, '\n')) == NULL) {
			free(text);
			closedir(d);
			TAP_FAIL("%s: no '# expect: ' first line", path);
		}
		*nl = '\0';
		xasprintf(&expected, "%s:%s", path, text + 10);
		free(text);
		reset();
		cfg = config_load(path, &cause);
		if (cfg != NULL || strcmp(cause, expected) != 0) {
			closedir(d);
			printf("# expected \"%s\"\n", expected);
			free(expected);
			TAP_FAIL("%s: got \"%s\"", de->d_name,
			    cause != NULL ? cause : "(loaded)");
		}
		free(expected);
		count++;
	}
	closedir(d);
	ASSERT_GE(count, 30);
}

/* ------------------------------------------------------------------ */
/* errors: one test per kind, each pinned to its line and column */

#define ASSERT_ERROR(text, expected)					\
	do {								\
		const char *c_ = load_error(text);			\
		ASSERT(cfg == NULL);					\
		ASSERT_CONTAINS(c_, "t.yaml:" expected);		\
		ASSERT(strncmp(c_, "t.yaml:", 7) == 0);			\
		ASSERT(strchr(c_, '\n') == NULL);			\
	} while (0)

TEST(error_yaml_syntax)
{
	ASSERT_ERROR("machine: [\n  nodes: 1\n",
	    "3:1: did not find expected ',' or ']'");
	ASSERT_ERROR("machine:\n  nodes:\n    - memory: 1G\n   cpus: 0\n",
	    "4:4: did not find expected key");
}

TEST(error_yaml_tab)
{
	ASSERT_ERROR("machine:\n\tnodes: []\n",
	    "2:1: found character that cannot start any token: tabs cannot "
	    "indent YAML");
}

TEST(error_invalid_utf8)
{
	ASSERT_ERROR("name: \"\xff\"\n", "1:8: invalid leading UTF-8 octet");
}

TEST(error_missing_file)
{
	char expected[256];

	reset();
	cfg = config_load("/nonexistent-kmsim-dir/x.yaml", &cause);
	ASSERT(cfg == NULL);
	snprintf(expected, sizeof expected, "/nonexistent-kmsim-dir/x.yaml: %s",
	    strerror(ENOENT));
	ASSERT_STREQ(cause, expected);
}

TEST(error_unreadable)
{
	char expected[256];

	reset();
	cfg = config_load("/", &cause);
	ASSERT(cfg == NULL);
	snprintf(expected, sizeof expected, "/: %s", strerror(EISDIR));
	ASSERT_STREQ(cause, expected);
}

TEST(error_empty)
{
	ASSERT_ERROR("", "1:1: the configuration is empty");
	ASSERT_ERROR("# only a comment\n\n", "1:1: the configuration is empty");
}

TEST(error_top_not_mapping)
{
	ASSERT_ERROR("- 1\n- 2\n",
	    "1:1: expected a mapping at the top level, found a sequence");
	ASSERT_ERROR("\n  hello\n",
	    "2:3: expected a mapping at the top level, found a scalar");
}

TEST(error_nesting)
{
	char text[128];

	/* The root mapping is level 1, so the 32nd '[' is one too many. */
	snprintf(text, sizeof text, "machine: %.40s\n",
	    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[");
	ASSERT_ERROR(text, "1:41: nested more than 32 levels deep");
}

TEST(error_second_document)
{
	ASSERT_ERROR(MIN_MACHINE "---\nname: b\n",
	    "4:1: a second document: a configuration is one YAML document");
}

TEST(error_unknown_key_top)
{
	ASSERT_ERROR(MIN_MACHINE "metric:\n  x: 1\n",
	    "4:1: unknown key 'metric' at the top level");
}

TEST(error_unknown_key_machine)
{
	ASSERT_ERROR("machine:\n  page_sise: 4K\n",
	    "2:3: unknown key 'page_sise' in machine");
}

TEST(error_unknown_key_node)
{
	ASSERT_ERROR("machine:\n  nodes:\n    - memroy: 1G\n",
	    "3:7: unknown key 'memroy' in node 0");
}

TEST(error_unknown_key_hole)
{
	ASSERT_ERROR(
	    "machine:\n"
	    "  nodes:\n"
	    "    - memory: 1G\n"
	    "      holes:\n"
	    "        - {start: 2G, length: 1G}\n",
	    "5:23: unknown key 'length' in hole");
}

TEST(error_unknown_zone)
{
	ASSERT_ERROR(
	    "machine:\n"
	    "  nodes:\n"
	    "    - {memory: 1G, cpus: 0}\n"
	    "    - memory: 1G\n"
	    "      zones: {DMA64: 16M}\n",
	    "5:15: unknown zone 'DMA64' in node 1");
}

TEST(error_unknown_key_vm)
{
	ASSERT_ERROR(MIN_MACHINE "vm:\n  min_free_kb: 1\n",
	    "5:3: unknown key 'min_free_kb' in vm");
}

TEST(error_unknown_key_metrics)
{
	ASSERT_ERROR(MIN_MACHINE "metrics:\n  interval: 1\n",
	    "5:3: unknown key 'interval' in metrics");
}

TEST(error_unknown_cost)
{
	const char *c;

	ASSERT_ERROR(MIN_MACHINE "cost:\n  alloc_fast: 1\n  alloc_fats: 1\n",
	    "6:3: unknown cost 'alloc_fats'");
	/* It names the key and lists none of the known ones. */
	c = strstr(cause, "'alloc_fats'");
	ASSERT(c != NULL);
	ASSERT_STREQ(c, "'alloc_fats'");
}

TEST(error_duplicate_key)
{
	ASSERT_ERROR(
	    "machine:\n"
	    "  nodes:\n"
	    "    - memory: 1G\n"
	    "      memory: 2G\n",
	    "4:7: duplicate key 'memory' in node 0");
	ASSERT_ERROR(MIN_MACHINE "machine: {}\n",
	    "4:1: duplicate key 'machine' at the top level");
	ASSERT_ERROR(MIN_MACHINE "cost: {split: 1, split: 2}\n",
	    "4:18: duplicate cost 'split'");
}

TEST(error_missing_key)
{
	ASSERT_ERROR("vm: {}\n", "1:1: missing key 'machine' at the top level");
	ASSERT_ERROR("machine:\n  cpu_mhz: 10\n",
	    "2:3: missing key 'nodes' in machine");
	ASSERT_ERROR("machine:\n  nodes:\n    - cpus: 0\n",
	    "3:7: missing key 'memory' in node 0");
	ASSERT_ERROR("machine:\n  nodes:\n    - memory:\n      cpus: 0\n",
	    "3:7: memory: missing value");
	ASSERT_ERROR(
	    "machine:\n"
	    "  nodes:\n"
	    "    - memory: 1G\n"
	    "      holes: [{start: 1G}]\n",
	    "4:15: missing key 'size' in hole");
}

TEST(error_sequence_for_scalar)
{
	ASSERT_ERROR("machine:\n  cpu_mhz: [1]\n",
	    "2:12: cpu_mhz: expected a number, found a sequence");
	ASSERT_ERROR("machine:\n  nodes:\n    - memory: {a: 1}\n",
	    "3:15: memory: expected a size, found a mapping");
	ASSERT_ERROR("machine:\n  nodes: 4\n",
	    "2:10: nodes: expected a sequence, found a scalar");
}

TEST(error_not_a_number)
{
	ASSERT_ERROR("machine:\n  max_order: abc\n",
	    "2:14: max_order: 'abc' is not a number");
	ASSERT_ERROR("machine:\n  nodes:\n    - memory: lots\n",
	    "3:15: memory: 'lots' is not a size");
	ASSERT_ERROR(MIN_MACHINE "metrics:\n  snapshot_interval_ms: 1ms\n",
	    "5:25: snapshot_interval_ms: '1ms' is not a number");
}

TEST(error_negative)
{
	ASSERT_ERROR("machine:\n  cpu_mhz: -5\n",
	    "2:12: cpu_mhz: '-5' is negative");
	ASSERT_ERROR("machine:\n  nodes:\n    - memory: -1G\n",
	    "3:15: memory: size '-1G' is negative");
}

TEST(error_overflow)
{
	ASSERT_ERROR("machine:\n  cpu_mhz: 18446744073709551616\n",
	    "2:12: cpu_mhz: '18446744073709551616' is too large");
	ASSERT_ERROR("machine:\n  nodes:\n    - memory: 16777216T\n",
	    "3:15: memory: size '16777216T' is too large");
	ASSERT_ERROR("machine:\n  nodes:\n    - memory: 1P\n",
	    "3:15: memory: '1P' is beyond the 46-bit physical address space");
}

TEST(error_out_of_range)
{
	ASSERT_ERROR("machine:\n  cpu_mhz: 0\n",
	    "2:12: cpu_mhz: '0' is out of range 1..100000");
	ASSERT_ERROR(MIN_MACHINE "vm:\n  watermark_scale_factor: 3001\n",
	    "5:27: watermark_scale_factor: '3001' is out of range 1..3000");
}

TEST(error_page_size)
{
	ASSERT_ERROR("machine:\n  page_size: 8K\n",
	    "2:14: page_size: '8K' is not 4K, 16K or 64K");
}

TEST(error_memory_zero)
{
	ASSERT_ERROR("machine:\n  nodes:\n    - memory: 0\n",
	    "3:15: memory: a node cannot have 0 bytes");
}

TEST(error_memory_unaligned)
{
	ASSERT_ERROR("machine:\n  nodes:\n    - memory: 1000\n",
	    "3:15: memory: '1000' is not a multiple of the page size (4 KiB)");
	ASSERT_ERROR("machine:\n  page_size: 16K\n  nodes:\n"
	    "    - memory: 20K\n",
	    "4:15: memory: '20K' is not a multiple of the page size (16 KiB)");
}

TEST(error_node_start_unaligned)
{
	ASSERT_ERROR("machine:\n  nodes:\n    - {memory: 1G, start: 0x1001}\n",
	    "3:27: start: '0x1001' is not a multiple of the page size");
}

TEST(error_hole_outside)
{
	ASSERT_ERROR(
	    "machine:\n"
	    "  nodes:\n"
	    "    - memory: 1G\n"
	    "      cpus: 0\n"
	    "      holes:\n"
	    "        - {start: 2G, size: 1G}\n",
	    "6:11: hole [0x80000000, 0xc0000000) is outside node 0 "
	    "[0x0, 0x80000000)");
}

TEST(error_hole_overlap)
{
	ASSERT_ERROR(
	    "machine:\n"
	    "  nodes:\n"
	    "    - memory: 8G\n"
	    "      cpus: 0\n"
	    "      holes:\n"
	    "        - {start: 2G, size: 1G}\n"
	    "        - {start: 2560M, size: 1G}\n",
	    "7:11: hole [0xa0000000, 0xe0000000) overlaps hole "
	    "[0x80000000, 0xc0000000)");
	/* Reported at the later of the two in the file, whatever order. */
	ASSERT_ERROR(
	    "machine:\n"
	    "  nodes:\n"
	    "    - memory: 8G\n"
	    "      holes:\n"
	    "        - {start: 5G, size: 4K}\n"
	    "        - {start: 2560M, size: 1G}\n"
	    "        - {start: 2G, size: 1G}\n",
	    "7:11: hole [0x80000000, 0xc0000000) overlaps hole "
	    "[0xa0000000, 0xe0000000)");
}

TEST(error_hole_unaligned)
{
	ASSERT_ERROR(
	    "machine:\n"
	    "  nodes:\n"
	    "    - memory: 8G\n"
	    "      holes:\n"
	    "        - {start: 2G, size: 100}\n",
	    "5:29: size: '100' is not a multiple of the page size (4 KiB)");
	ASSERT_ERROR(
	    "machine:\n"
	    "  nodes:\n"
	    "    - memory: 8G\n"
	    "      holes:\n"
	    "        - {start: 2G, size: 0}\n",
	    "5:29: size: a hole cannot be empty");
}

TEST(error_too_many_holes)
{
	char *text, *p;
	int i;

	text = xmalloc(64 + 40 * (CONFIG_MAX_HOLES + 1));
	p = text + sprintf(text, "machine:\n  nodes:\n    - memory: 1G\n"
	    "      holes:\n");
	for (i = 0; i <= CONFIG_MAX_HOLES; i++)
		p += sprintf(p, "        - {start: %dM, size: 1M}\n", 2 * i + 1);
	load_error(text);
	free(text);
	ASSERT(cfg == NULL);
	ASSERT_STREQ(cause, "t.yaml:5:9: holes: 129 holes, at most 128 per "
	    "node");
}

TEST(error_zones_sum)
{
	ASSERT_ERROR(
	    "machine:\n"
	    "  nodes:\n"
	    "    - memory: 8G\n"
	    "      cpus: 0\n"
	    "      zones: {DMA: 16M, DMA32: 4080M, Normal: 3G}\n",
	    "5:14: zones: sizes add up to 7 GiB, but node 0 spans 8 GiB");
}

TEST(error_max_order)
{
	ASSERT_ERROR("machine:\n  max_order: 16\n",
	    "2:14: max_order: '16' is out of range 1..15");
	ASSERT_ERROR("machine:\n  max_order: 0\n",
	    "2:14: max_order: '0' is out of range 1..15");
}

TEST(error_section_size_bits)
{
	/* At least page_shift + max_order, at most 46. */
	ASSERT_ERROR("machine:\n  section_size_bits: 20\n",
	    "2:22: section_size_bits: '20' is out of range 22..46");
	ASSERT_ERROR("machine:\n  max_order: 12\n  section_size_bits: 23\n",
	    "3:22: section_size_bits: '23' is out of range 24..46");
	ASSERT_ERROR("machine:\n  section_size_bits: 47\n",
	    "2:22: section_size_bits: '47' is out of range 22..46");
}

TEST(error_nodes_overlap)
{
	ASSERT_ERROR(
	    "machine:\n"
	    "  nodes:\n"
	    "    - memory: 1G\n"
	    "      cpus: 0\n"
	    "    - memory: 1G\n"
	    "      start: 512M\n",
	    "6:14: node 1 [0x20000000, 0x60000000) overlaps node 0 "
	    "[0x0, 0x40000000)");
}

TEST(error_nodes_count)
{
	ASSERT_ERROR("machine:\n  nodes: []\n",
	    "2:10: nodes: 0 nodes, expected 1..64");
}

TEST(error_cpu_in_two_nodes)
{
	ASSERT_ERROR(
	    "machine:\n"
	    "  nodes:\n"
	    "    - memory: 1G\n"
	    "      cpus: 0-3\n"
	    "    - memory: 1G\n"
	    "      cpus: 3-4\n",
	    "6:13: cpus: cpu 3 is in node 0 and node 1");
	ASSERT_ERROR(
	    "machine:\n"
	    "  nodes:\n"
	    "    - {memory: 1G, cpus: [0, 1]}\n"
	    "    - {memory: 1G, cpus: [2, 1]}\n",
	    "4:30: cpus: cpu 1 is in node 0 and node 1");
}

TEST(error_cpu_missing)
{
	ASSERT_ERROR(
	    "machine:\n"
	    "  nodes:\n"
	    "    - memory: 1G\n"
	    "      cpus: 0-3\n"
	    "    - memory: 1G\n"
	    "      cpus: 5-7\n",
	    "6:13: cpu 4 is missing: cpus must be numbered 0..N-1");
}

TEST(error_no_cpus)
{
	ASSERT_ERROR(
	    "machine:\n"
	    "  nodes:\n"
	    "    - memory: 1G\n"
	    "    - {memory: 1G, cpus: ''}\n",
	    "3:5: no cpus: at least one node needs cpus");
}

TEST(error_cpulist)
{
	ASSERT_ERROR("machine:\n  nodes:\n    - {memory: 1G, cpus: 0-}\n",
	    "3:26: cpus: '0-' is not a cpu list");
	ASSERT_ERROR("machine:\n  nodes:\n    - {memory: 1G, cpus: 3-1}\n",
	    "3:26: cpus: range '3-1' is reversed");
	ASSERT_ERROR("machine:\n  nodes:\n    - {memory: 1G, cpus: 0-1024}\n",
	    "3:26: cpus: cpu 1024 is out of range 0..1023");
	ASSERT_ERROR("machine:\n  nodes:\n    - {memory: 1G, cpus: '1-2,2'}\n",
	    "3:26: cpus: cpu 2 is listed twice in node 0");
}

TEST(error_distances_shape)
{
	ASSERT_ERROR(
	    "machine:\n"
	    "  nodes: [{memory: 1G, cpus: 0}, {memory: 1G, cpus: 1}]\n"
	    "  distances: 10\n",
	    "3:14: distances: expected a sequence, found a scalar");
	ASSERT_ERROR(
	    "machine:\n"
	    "  nodes: [{memory: 1G, cpus: 0}, {memory: 1G, cpus: 1}]\n"
	    "  distances:\n"
	    "    - [10, 20]\n"
	    "    - 20\n",
	    "5:7: distances: row 1: expected a sequence, found a scalar");
}

TEST(error_distances_missing_row)
{
	ASSERT_ERROR(
	    "machine:\n"
	    "  nodes: [{memory: 1G, cpus: 0}, {memory: 1G, cpus: 1}]\n"
	    "  distances:\n"
	    "    - [10, 20]\n",
	    "4:5: distances: expected 2 rows (one per node), found 1");
}

TEST(error_distances_row_length)
{
	ASSERT_ERROR(
	    "machine:\n"
	    "  nodes: [{memory: 1G, cpus: 0}, {memory: 1G, cpus: 1}]\n"
	    "  distances:\n"
	    "    - [10, 20]\n"
	    "    - [20, 10, 20]\n",
	    "5:7: distances: row 1 has 3 entries, expected 2");
}

TEST(error_distances_asymmetric)
{
	ASSERT_ERROR(
	    "machine:\n"
	    "  nodes: [{memory: 1G, cpus: 0}, {memory: 1G, cpus: 1}]\n"
	    "  distances:\n"
	    "    - [10, 20]\n"
	    "    - [21, 10]\n",
	    "5:8: distances: node 1 to node 0 is 21, but node 0 to node 1 is "
	    "20: the matrix must be symmetric");
}

TEST(error_distances_diagonal)
{
	ASSERT_ERROR(
	    "machine:\n"
	    "  nodes: [{memory: 1G, cpus: 0}, {memory: 1G, cpus: 1}]\n"
	    "  distances:\n"
	    "    - [10, 20]\n"
	    "    - [20, 12]\n",
	    "5:12: distances: node 1 to itself is 12, must be 10");
}

TEST(error_distances_range)
{
	ASSERT_ERROR(
	    "machine:\n"
	    "  nodes: [{memory: 1G, cpus: 0}, {memory: 1G, cpus: 1}]\n"
	    "  distances:\n"
	    "    - [10, 10]\n"
	    "    - [10, 10]\n",
	    "4:12: distances: node 0 to node 1 is 10, must be 11..254");
	ASSERT_ERROR(
	    "machine:\n"
	    "  nodes: [{memory: 1G, cpus: 0}, {memory: 1G, cpus: 1}]\n"
	    "  distances:\n"
	    "    - [10, 255]\n"
	    "    - [255, 10]\n",
	    "4:12: distances: node 0 to node 1 is 255, must be 11..254");
}

TEST(error_snapshot_interval)
{
	ASSERT_ERROR(MIN_MACHINE "metrics:\n  snapshot_interval_ms: 0\n",
	    "5:25: snapshot_interval_ms: '0' must be positive");
	ASSERT_ERROR(MIN_MACHINE "metrics:\n  snapshot_interval_ms: -2.5\n",
	    "5:25: snapshot_interval_ms: '-2.5' must be positive");
}

TEST(error_movablecore)
{
	ASSERT_ERROR(
	    "machine:\n"
	    "  movablecore: 10G\n"
	    "  nodes:\n"
	    "    - {memory: 8G, cpus: 0}\n",
	    "2:16: movablecore: '10G' needs 10 GiB of node 0, but its Normal "
	    "zone spans 4 GiB");
	ASSERT_ERROR(
	    "machine:\n"
	    "  movablecore: 1G\n"
	    "  nodes:\n"
	    "    - {memory: 8G, cpus: 0, zones: {Normal: 7G, Movable: 1G}}\n",
	    "2:16: movablecore: node 0 already has an explicit Movable zone");
}

TEST(error_lowmem_reserve_ratio)
{
	ASSERT_ERROR(MIN_MACHINE "vm:\n  lowmem_reserve_ratio: [256, 32]\n",
	    "5:25: lowmem_reserve_ratio: 2 values, expected 5");
}

TEST(error_name)
{
	ASSERT_ERROR("name: ''\n" MIN_MACHINE, "1:7: name: must not be empty");
	ASSERT_ERROR("name: [a]\n" MIN_MACHINE,
	    "1:7: name: expected a string, found a sequence");
}

int main(void)
{
	RUN(defaults);
	RUN(every_key);
	RUN(section_size_bits_default_grows);
	RUN(lowmem_reserve_ratio_by_zone);
	RUN(null_values_take_defaults);
	RUN(zones_16g_node);
	RUN(zones_node_above_4g);
	RUN(zones_node_across_4g);
	RUN(zones_explicit);
	RUN(holes);
	RUN(movablecore);
	RUN(movablecore_from_dma32);
	RUN(cpulist);
	RUN(distances_default);
	RUN(distances_explicit);
	RUN(cost_overrides);
	RUN(to_json);
	RUN(load_file);
	RUN(bundled_configs);
	RUN(manual);
	RUN(manual_example_cxl_values);
	RUN(fixtures);

	RUN(error_yaml_syntax);
	RUN(error_yaml_tab);
	RUN(error_invalid_utf8);
	RUN(error_missing_file);
	RUN(error_unreadable);
	RUN(error_empty);
	RUN(error_top_not_mapping);
	RUN(error_nesting);
	RUN(error_second_document);
	RUN(error_unknown_key_top);
	RUN(error_unknown_key_machine);
	RUN(error_unknown_key_node);
	RUN(error_unknown_key_hole);
	RUN(error_unknown_zone);
	RUN(error_unknown_key_vm);
	RUN(error_unknown_key_metrics);
	RUN(error_unknown_cost);
	RUN(error_duplicate_key);
	RUN(error_missing_key);
	RUN(error_sequence_for_scalar);
	RUN(error_not_a_number);
	RUN(error_negative);
	RUN(error_overflow);
	RUN(error_out_of_range);
	RUN(error_page_size);
	RUN(error_memory_zero);
	RUN(error_memory_unaligned);
	RUN(error_node_start_unaligned);
	RUN(error_hole_outside);
	RUN(error_hole_overlap);
	RUN(error_hole_unaligned);
	RUN(error_too_many_holes);
	RUN(error_zones_sum);
	RUN(error_max_order);
	RUN(error_section_size_bits);
	RUN(error_nodes_overlap);
	RUN(error_nodes_count);
	RUN(error_cpu_in_two_nodes);
	RUN(error_cpu_missing);
	RUN(error_no_cpus);
	RUN(error_cpulist);
	RUN(error_distances_shape);
	RUN(error_distances_missing_row);
	RUN(error_distances_row_length);
	RUN(error_distances_asymmetric);
	RUN(error_distances_diagonal);
	RUN(error_distances_range);
	RUN(error_snapshot_interval);
	RUN(error_movablecore);
	RUN(error_lowmem_reserve_ratio);
	RUN(error_name);
	reset();
	return tap_done();
}
