/*
 * test-dump.c - /proc/buddyinfo, /proc/pagetypeinfo and /proc/zoneinfo
 * of a hand-built machine, byte for byte as mm/vmstat.c lays them out,
 * read back through procfs.c's parsers; and the --dump / --dump-at
 * argument parsers.
 */
#include <stdlib.h>
#include <string.h>

#include "mkmachine.h"
#include "mm/buddy.h"
#include "results/dump.h"
#include "machine.h"
#include "trace/procfs.h"
#include "tap.h"
#include "trace/trace.h"

/* Node 0: DMA 16 MiB, DMA32 48 MiB from 0; node 1: Normal, 64 MiB. */
static void make_config(struct config *cfg, struct config_node *nodes,
    int nr_nodes)
{
	mk_config_nopcp(cfg, nodes, nr_nodes, 64 * MiB, 16 * MiB, 48 * MiB);
}

/* What fn prints, as a malloc'd string. */
static char *capture(void (*fn)(const struct machine *, FILE *),
    const struct machine *m)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return NULL;
	fn(m, f);
	fclose(f);
	return buf;
}

/* One movable order-0 page: DMA32's first order-10 block splits into
 * one free block of each order 0..9, all on the movable lists. */
static uint64_t alloc_movable_page(struct machine *m)
{
	struct alloc_request req = { .order = 0,
	    .gfp = GFP_KERNEL | GFP_BIT_HIGHMEM | GFP_BIT_MOVABLE,
	    .preferred_node = 0, .migratetype = -1 };
	struct alloc_result res;
	char *cause = NULL;

	if (page_alloc(m, &req, &res, &cause) != 0) {
		free(cause);
		return OP_PFN_NONE;
	}
	return res.pfn;
}

/* Watermarks and lowmem reserves fixed here, so that the text below does
 * not follow machine.c's arithmetic. */
static void fix_watermarks(struct machine *m)
{
	static const uint64_t wm[MAX_NR_ZONES][NR_WMARK] = {
		[ZONE_DMA] = { 10, 13, 16, 19 },
		[ZONE_DMA32] = { 30, 39, 48, 57 },
	};
	int t, j;

	for (t = 0; t < MAX_NR_ZONES; t++) {
		struct zone *z = &m->nodes[0].zones[t];

		memcpy(z->watermark, wm[t], sizeof z->watermark);
		z->watermark_boost = 0;
		for (j = 0; j < MAX_NR_ZONES; j++)
			z->lowmem_reserve[j] = j > t && t < ZONE_NORMAL ?
			    48 : 0;
	}
}

TEST(parse_kinds)
{
	unsigned k = 0;
	char *cause = NULL;

	ASSERT_EQ(dump_parse_kinds("buddyinfo", &k, NULL), 0);
	ASSERT_EQ(k, DUMP_KIND(DUMP_BUDDYINFO));
	ASSERT_EQ(dump_parse_kinds("zoneinfo,pagetypeinfo", &k, NULL), 0);
	ASSERT_EQ(k, DUMP_KIND(DUMP_BUDDYINFO) | DUMP_KIND(DUMP_ZONEINFO) |
	    DUMP_KIND(DUMP_PAGETYPEINFO));
	ASSERT_EQ(dump_parse_kinds("buddyinfo,vmstat", &k, &cause), -1);
	ASSERT_STREQ(cause, "unknown kind 'vmstat' (buddyinfo, pagetypeinfo,"
	    " zoneinfo, slabinfo, vmallocinfo)");
	free(cause);
	cause = NULL;
	ASSERT_EQ(dump_parse_kinds("buddyinfo,,zoneinfo", &k, &cause), -1);
	ASSERT_CONTAINS(cause, "empty kind in 'buddyinfo,,zoneinfo'");
	free(cause);
	cause = NULL;
	ASSERT_EQ(dump_parse_kinds("", &k, &cause), -1);
	free(cause);
	cause = NULL;
	/* whole names only */
	ASSERT_EQ(dump_parse_kinds("buddy", &k, &cause), -1);
	free(cause);
}

TEST(parse_time)
{
	static const struct {
		const char *s;
		uint64_t ns;
	} good[] = {
		{ "0", 0 }, { "0ms", 0 }, { "7ns", 7 }, { "250us", 250000 },
		{ "10ms", 10000000 }, { "1.5ms", 1500000 },
		{ "2s", 2000000000 },
		{ "0.000000001s", 1 }, { "1.000000000000ns", 1 },
		{ "18446744073709551615ns", UINT64_MAX },
	};
	static const struct {
		const char *s, *msg;
	} bad[] = {
		{ "5", "'5' has no unit (ns, us, ms, s)" },
		{ "5x", "'5x' has an unknown unit 'x' (ns, us, ms, s)" },
		{ "5 ms", "'5 ms' has an unknown unit ' ms'" },
		{ "-1ms", "'-1ms' is negative" },
		{ "1.5ns", "'1.5ns' is finer than a nanosecond" },
		{ "0.0000000001s", "finer than a nanosecond" },
		{ "ms", "'ms' is not a time" },
		{ "1.ms", "'1.ms' is not a time" },
		{ "", "'' is not a time" },
		{ "18446744073709551616ns", "'18446744073709551616ns' is too"
		    " large" },
		{ "18446744074s", "is too large" },
	};
	uint64_t ns;
	char *cause = NULL;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		ns = 12345;
		if (dump_parse_time(good[i].s, &ns, &cause) != 0)
			TAP_FAIL("%s: %s", good[i].s, cause);
		ASSERT_UEQ(ns, good[i].ns);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (dump_parse_time(bad[i].s, &ns, &cause) == 0)
			TAP_FAIL("'%s' was accepted", bad[i].s);
		ASSERT_CONTAINS(cause, bad[i].msg);
		free(cause);
		cause = NULL;
	}
}

TEST(parse_and_sort_times)
{
	uint64_t *ns = NULL;
	char *cause = NULL;
	int n = 0;

	ASSERT_EQ(dump_parse_times("2ms,1ms", &ns, &n, NULL), 0);
	ASSERT_EQ(dump_parse_times("2ms,0", &ns, &n, NULL), 0);
	ASSERT_EQ(n, 4);
	n = dump_sort_times(ns, n);
	ASSERT_EQ(n, 3);
	ASSERT_UEQ(ns[0], 0);
	ASSERT_UEQ(ns[1], 1000000);
	ASSERT_UEQ(ns[2], 2000000);
	ASSERT_EQ(dump_parse_times("1ms,,2ms", &ns, &n, &cause), -1);
	ASSERT_STREQ(cause, "empty time in '1ms,,2ms'");
	free(cause);
	cause = NULL;
	ASSERT_EQ(dump_parse_times("1ms,2", &ns, &n, &cause), -1);
	ASSERT_STREQ(cause, "'2' has no unit (ns, us, ms, s)");
	free(cause);
	free(ns);
	ASSERT_EQ(dump_sort_times(NULL, 0), 0);
}

TEST(buddyinfo_bytes)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m;
	char *text;

	make_config(&cfg, nodes, 1);
	m = machine_create(&cfg, NULL);
	ASSERT(m != NULL);
	ASSERT(alloc_movable_page(m) != OP_PFN_NONE);
	text = capture(dump_buddyinfo, m);
	/* frag_show_print(): "Node %d, zone %8s " then "%6lu " per order */
	ASSERT_STREQ(text,
	    "Node 0, zone      DMA      0      0      0      0      0      0"
	    "      0      0      0      0      4 \n"
	    "Node 0, zone    DMA32      1      1      1      1      1      1"
	    "      1      1      1      1     11 \n");
	free(text);
	/* counts wider than the column push the line out, as %6lu does */
	m->zones[1]->free_area[0].nr_free = 1234567;
	text = capture(dump_buddyinfo, m);
	ASSERT_CONTAINS(text, "zone    DMA32 1234567      1 ");
	free(text);
	m->zones[1]->free_area[0].nr_free = 1;
	machine_destroy(m);
}

TEST(pagetypeinfo_bytes)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m;
	struct zone *z;
	char *text;

	make_config(&cfg, nodes, 1);
	m = machine_create(&cfg, NULL);
	ASSERT(m != NULL);
	ASSERT(alloc_movable_page(m) != OP_PFN_NONE);
	z = m->zones[1];
	z->nr_mixed_pageblocks[MIGRATE_MOVABLE] = 3;	/* printed as is */
	text = capture(dump_pagetypeinfo, m);
	ASSERT_STREQ(text,
	    "Page block order: 9\n"
	    "Pages per block:  512\n"
	    "\n"
	    "Free pages count per migrate type at order       0      1      2"
	    "      3      4      5      6      7      8      9     10 \n"
	    "Node    0, zone      DMA, type    Unmovable      0      0      0"
	    "      0      0      0      0      0      0      0      0 \n"
	    "Node    0, zone      DMA, type      Movable      0      0      0"
	    "      0      0      0      0      0      0      0      4 \n"
	    "Node    0, zone      DMA, type  Reclaimable      0      0      0"
	    "      0      0      0      0      0      0      0      0 \n"
	    "Node    0, zone      DMA, type   HighAtomic      0      0      0"
	    "      0      0      0      0      0      0      0      0 \n"
	    "Node    0, zone      DMA, type      Isolate      0      0      0"
	    "      0      0      0      0      0      0      0      0 \n"
	    "Node    0, zone    DMA32, type    Unmovable      0      0      0"
	    "      0      0      0      0      0      0      0      0 \n"
	    "Node    0, zone    DMA32, type      Movable      1      1      1"
	    "      1      1      1      1      1      1      1     11 \n"
	    "Node    0, zone    DMA32, type  Reclaimable      0      0      0"
	    "      0      0      0      0      0      0      0      0 \n"
	    "Node    0, zone    DMA32, type   HighAtomic      0      0      0"
	    "      0      0      0      0      0      0      0      0 \n"
	    "Node    0, zone    DMA32, type      Isolate      0      0      0"
	    "      0      0      0      0      0      0      0      0 \n"
	    "\n"
	    "Number of blocks type     Unmovable      Movable  Reclaimable"
	    "   HighAtomic      Isolate \n"
	    "Node 0, zone      DMA            0            8            0"
	    "            0            0 \n"
	    "Node 0, zone    DMA32            0           24            0"
	    "            0            0 \n"
	    "\n"
	    "Number of mixed blocks    Unmovable      Movable  Reclaimable"
	    "   HighAtomic      Isolate \n"
	    "Node 0, zone      DMA            0            0            0"
	    "            0            0 \n"
	    "Node 0, zone    DMA32            0            3            0"
	    "            0            0 \n");
	free(text);

	/* a list the kernel stops walking at 100000 entries */
	z->free_area[2].nr_free_mt[MIGRATE_MOVABLE] = 100000;
	z->free_area[3].nr_free_mt[MIGRATE_MOVABLE] = 99999;
	text = capture(dump_pagetypeinfo, m);
	ASSERT_CONTAINS(text, "type      Movable      1      1 >100000  99999"
	    "      1 ");
	free(text);
	z->free_area[2].nr_free_mt[MIGRATE_MOVABLE] = 1;
	z->free_area[3].nr_free_mt[MIGRATE_MOVABLE] = 1;

	/* a machine with CMA has the CMA type, between HighAtomic and
	 * Isolate as in enum migratetype */
	z->cma_pages = 512;
	text = capture(dump_pagetypeinfo, m);
	ASSERT_CONTAINS(text, "Node    0, zone    DMA32, type          CMA ");
	ASSERT_CONTAINS(text, "   HighAtomic          CMA      Isolate \n");
	ASSERT_CONTAINS(text, "Node 0, zone    DMA32            0           24"
	    "            0            0            0            0 \n");
	free(text);
	z->cma_pages = 0;
	machine_destroy(m);
}

TEST(zoneinfo_bytes)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m;
	char *text;

	make_config(&cfg, nodes, 1);
	m = machine_create(&cfg, NULL);
	ASSERT(m != NULL);
	ASSERT(alloc_movable_page(m) != OP_PFN_NONE);
	fix_watermarks(m);
	text = capture(dump_zoneinfo, m);
	/* zoneinfo_show_print(); no HighMem on this (64-bit) machine */
	ASSERT_STREQ(text,
	    "Node 0, zone      DMA\n"
	    "  per-node stats\n"
	    "  pages free     4096\n"
	    "        boost    0\n"
	    "        min      10\n"
	    "        low      13\n"
	    "        high     16\n"
	    "        promo    19\n"
	    "        spanned  4096\n"
	    "        present  4096\n"
	    "        managed  4096\n"
	    "        cma      0\n"
	    "        protection: (0, 48, 48, 48)\n"
	    "      nr_free_pages 4096\n"
	    "      nr_free_pages_blocks 4096\n"
	    "      nr_free_cma  0\n"
	    "  pagesets\n"
	    "    cpu: 0\n"
	    "              count:    0\n"
	    "              high:     0\n"
	    "              batch:    1\n"
	    "              high_min: 0\n"
	    "              high_max: 0\n"
	    "  vm stats threshold: 4\n"
	    "    cpu: 1\n"
	    "              count:    0\n"
	    "              high:     0\n"
	    "              batch:    1\n"
	    "              high_min: 0\n"
	    "              high_max: 0\n"
	    "  vm stats threshold: 4\n"
	    "  node_unreclaimable:  0\n"
	    "  start_pfn:           0\n"
	    "Node 0, zone    DMA32\n"
	    "  pages free     12287\n"
	    "        boost    0\n"
	    "        min      30\n"
	    "        low      39\n"
	    "        high     48\n"
	    "        promo    57\n"
	    "        spanned  12288\n"
	    "        present  12288\n"
	    "        managed  12288\n"
	    "        cma      0\n"
	    "        protection: (0, 0, 48, 48)\n"
	    "      nr_free_pages 12287\n"
	    "      nr_free_pages_blocks 11776\n"
	    "      nr_free_cma  0\n"
	    "  pagesets\n"
	    "    cpu: 0\n"
	    "              count:    0\n"
	    "              high:     0\n"
	    "              batch:    1\n"
	    "              high_min: 0\n"
	    "              high_max: 0\n"
	    "  vm stats threshold: 4\n"
	    "    cpu: 1\n"
	    "              count:    0\n"
	    "              high:     0\n"
	    "              batch:    1\n"
	    "              high_min: 0\n"
	    "              high_max: 0\n"
	    "  vm stats threshold: 4\n"
	    "  node_unreclaimable:  0\n"
	    "  start_pfn:           4096\n"
	    "Node 0, zone   Normal\n"
	    "  pages free     0\n"
	    "        boost    0\n"
	    "        min      0\n"
	    "        low      0\n"
	    "        high     0\n"
	    "        promo    0\n"
	    "        spanned  0\n"
	    "        present  0\n"
	    "        managed  0\n"
	    "        cma      0\n"
	    "        protection: (0, 0, 0, 0)\n"
	    "Node 0, zone  Movable\n"
	    "  pages free     0\n"
	    "        boost    0\n"
	    "        min      0\n"
	    "        low      0\n"
	    "        high     0\n"
	    "        promo    0\n"
	    "        spanned  0\n"
	    "        present  0\n"
	    "        managed  0\n"
	    "        cma      0\n"
	    "        protection: (0, 0, 0, 0)\n");
	free(text);
	machine_destroy(m);
}

TEST(zoneinfo_counters)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m;
	struct zone *z;
	char *text;

	make_config(&cfg, nodes, 1);
	m = machine_create(&cfg, NULL);
	ASSERT(m != NULL);
	fix_watermarks(m);
	z = m->zones[1];
	/* min_wmark_pages() and friends add the boost */
	z->watermark_boost = 5;
	/* per-cpu lists, as a CPU of the real capture had them */
	if (z->pcp == NULL)
		z->pcp = xcalloc((size_t)m->nr_cpus, sizeof *z->pcp);
	z->pcp[1].count = 54;
	z->pcp[1].high = 1444;
	z->pcp[1].batch = 63;
	z->pcp[1].high_min = 1444;
	z->pcp[1].high_max = 48307;
	/* MAX_RECLAIM_RETRIES failures: node_unreclaimable */
	m->nodes[0].kswapd_failures = 16;
	text = capture(dump_zoneinfo, m);
	ASSERT_CONTAINS(text, "Node 0, zone    DMA32\n  pages free     12288\n"
	    "        boost    5\n        min      35\n        low      44\n"
	    "        high     53\n        promo    62\n");
	ASSERT_CONTAINS(text, "    cpu: 1\n"
	    "              count:    54\n"
	    "              high:     1444\n"
	    "              batch:    63\n"
	    "              high_min: 1444\n"
	    "              high_max: 48307\n"
	    "  vm stats threshold: 4\n"
	    "  node_unreclaimable:  1\n"
	    "  start_pfn:           4096\n");
	free(text);

	/* free blocks on the isolate lists are not NR_FREE_PAGES_BLOCKS */
	z->free_area[10].nr_free_mt[MIGRATE_ISOLATE] = 1;
	text = capture(dump_zoneinfo, m);
	ASSERT_CONTAINS(text, "      nr_free_pages 12288\n"
	    "      nr_free_pages_blocks 11264\n");
	free(text);
	z->free_area[10].nr_free_mt[MIGRATE_ISOLATE] = 0;

	/* calculate_normal_threshold(): 2 CPUs and the real capture's
	 * Normal zone (5394266 pages) give its 36 */
	z->managed_pages = 5394266;
	text = capture(dump_zoneinfo, m);
	ASSERT_CONTAINS(text, "        managed  5394266\n");
	ASSERT_CONTAINS(text, "  vm stats threshold: 36\n  node_unreclaimable");
	free(text);
	z->managed_pages = 12288;

	/* a machine with HighMem (a 32-bit kernel's) prints that zone, and
	 * a fifth protection column */
	m->has_zone[ZONE_HIGHMEM] = true;
	text = capture(dump_zoneinfo, m);
	ASSERT_CONTAINS(text, "Node 0, zone  HighMem\n  pages free     0\n");
	ASSERT_CONTAINS(text, "        protection: (0, 48, 48, 48, 48)\n");
	free(text);
	m->has_zone[ZONE_HIGHMEM] = false;
	text = capture(dump_zoneinfo, m);
	ASSERT(strstr(text, "HighMem") == NULL);
	free(text);
	machine_destroy(m);
}

/* Several nodes: every node's zones in turn; the per-node heading goes
 * with each node's first populated zone, even when it is not the first
 * zone printed. */
TEST(two_nodes)
{
	struct config cfg;
	struct config_node nodes[2];
	struct machine *m;
	char *text;
	const char *p;

	make_config(&cfg, nodes, 2);
	m = machine_create(&cfg, NULL);
	ASSERT(m != NULL);
	text = capture(dump_buddyinfo, m);
	ASSERT_CONTAINS(text, "zone    DMA32 ");
	ASSERT_CONTAINS(text, "\nNode 1, zone   Normal      0 ");
	free(text);

	text = capture(dump_zoneinfo, m);
	ASSERT_CONTAINS(text, "Node 1, zone      DMA\n  pages free     0\n");
	ASSERT_CONTAINS(text, "Node 1, zone    DMA32\n  pages free     0\n");
	ASSERT_CONTAINS(text, "Node 1, zone   Normal\n  per-node stats\n"
	    "  pages free     16384\n");
	ASSERT_CONTAINS(text, "  start_pfn:           16384\n"
	    "Node 1, zone  Movable\n");
	/* four online CPUs in every populated zone's pagesets */
	ASSERT_CONTAINS(text, "    cpu: 3\n");
	p = strstr(text, "per-node stats");
	ASSERT(p != NULL && strstr(p + 1, "per-node stats") != NULL);
	free(text);

	text = capture(dump_pagetypeinfo, m);
	p = strstr(text, "Page block order: 9\n");
	ASSERT(p != NULL);
	p = strstr(p + 1, "Page block order: 9\n");
	ASSERT(p != NULL);
	ASSERT_CONTAINS(p, "Node    1, zone   Normal, type      Movable ");
	ASSERT_CONTAINS(p, "\nNode 1, zone   Normal            0"
	    "           32 ");
	free(text);
	machine_destroy(m);
}

/* What the dumps print, procfs.c's parsers read back. */
TEST(round_trip)
{
	struct config cfg;
	struct config_node nodes[2];
	struct procfs_zones zs = { NULL, 0 };
	struct machine *m;
	char *zi, *bi, *cause = NULL;
	int n, t, w, i;
	unsigned o;

	make_config(&cfg, nodes, 2);
	m = machine_create(&cfg, NULL);
	ASSERT(m != NULL);
	ASSERT(alloc_movable_page(m) != OP_PFN_NONE);
	m->zones[0]->watermark_boost = 3;
	zi = capture(dump_zoneinfo, m);
	bi = capture(dump_buddyinfo, m);
	if (procfs_parse_zoneinfo("dump", zi, &zs, &cause) != 0 ||
	    procfs_parse_buddyinfo("dump", bi, &zs, &cause) != 0)
		TAP_FAIL("%s", cause);
	free(zi);
	free(bi);
	/* four zones a node: no HighMem */
	ASSERT_EQ(zs.n, 8);
	for (n = 0; n < m->nr_nodes; n++) {
		for (t = 0; t < MAX_NR_ZONES; t++) {
			const struct zone *z = &m->nodes[n].zones[t];
			const struct procfs_zone *pz = procfs_find(&zs, n,
			    zone_names[t]);

			if (t == ZONE_HIGHMEM) {
				ASSERT(pz == NULL);
				continue;
			}
			ASSERT(pz != NULL);
			ASSERT_EQ(pz->type, t);
			ASSERT_UEQ(pz->spanned, z->spanned_pages);
			ASSERT_UEQ(pz->present, z->present_pages);
			ASSERT_UEQ(pz->managed, z->managed_pages);
			ASSERT_UEQ(pz->free, z->free_pages);
			for (w = 0; w < NR_WMARK; w++)
				ASSERT_UEQ(pz->wmark[w], z->watermark[w] +
				    z->watermark_boost);
			/* protection as printed: HighMem's column is not */
			for (i = 0, w = 0; w < MAX_NR_ZONES; w++)
				if (w != ZONE_HIGHMEM)
					ASSERT_UEQ(pz->protection[i++],
					    z->lowmem_reserve[w]);
			if (!z->populated) {
				ASSERT_EQ(pz->nr_orders, 0);
				continue;
			}
			ASSERT_UEQ(pz->start_pfn, z->zone_start_pfn);
			ASSERT_EQ(pz->nr_orders, (int)m->max_order + 1);
			for (o = 0; o <= m->max_order; o++)
				ASSERT_UEQ(pz->nr_free[o],
				    z->free_area[o].nr_free);
		}
	}
	procfs_zones_free(&zs);
	machine_destroy(m);
}

TEST(write_with_headers)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m;
	char *buf = NULL, *bi;
	size_t len = 0;
	FILE *f;

	make_config(&cfg, nodes, 1);
	m = machine_create(&cfg, NULL);
	ASSERT(m != NULL);
	bi = capture(dump_buddyinfo, m);
	f = open_memstream(&buf, &len);
	ASSERT(f != NULL);
	/* one kind without a header is the kernel's file alone */
	dump_write(m, NULL, NULL, DUMP_KIND(DUMP_BUDDYINFO), false, 5, false, f);
	fflush(f);
	ASSERT_STREQ(buf, bi);
	dump_write(m, NULL, NULL, DUMP_KIND(DUMP_ZONEINFO) | DUMP_KIND(DUMP_BUDDYINFO),
	    true, 1500000, false, f);
	dump_write(m, NULL, NULL, DUMP_KIND(DUMP_BUDDYINFO), true, 2000000, true, f);
	fclose(f);
	ASSERT(strncmp(buf + strlen(bi), "==> buddyinfo at 1500000 ns <==\n",
	    32) == 0);
	/* kinds in a fixed order whatever the order asked */
	ASSERT_CONTAINS(buf + strlen(bi), "\n==> zoneinfo at 1500000 ns <==\n"
	    "Node 0, zone      DMA\n");
	ASSERT_CONTAINS(buf, "\n==> buddyinfo at 2000000 ns (end) <==\n");
	ASSERT(strstr(buf, "(end) <==\n") + 10 ==
	    buf + strlen(buf) - strlen(bi));
	free(bi);
	free(buf);
	machine_destroy(m);
}

int main(void)
{
	RUN(parse_kinds);
	RUN(parse_time);
	RUN(parse_and_sort_times);
	RUN(buddyinfo_bytes);
	RUN(pagetypeinfo_bytes);
	RUN(zoneinfo_bytes);
	RUN(zoneinfo_counters);
	RUN(two_nodes);
	RUN(round_trip);
	RUN(write_with_headers);
	return tap_done();
}
