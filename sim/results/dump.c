/*
 * dump.c - /proc/buddyinfo, /proc/pagetypeinfo and /proc/zoneinfo of the
 * simulated machine, byte for byte in the layout of mm/vmstat.c (Linux
 * 6.18), and the parsers of the --dump and --dump-at arguments.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "results/dump.h"
#include "mm/slab.h"
#include "mm/vmalloc.h"
#include "kmsim.h"

const char *const dump_kind_names[NR_DUMP_KINDS] = {
	[DUMP_BUDDYINFO] = "buddyinfo",
	[DUMP_PAGETYPEINFO] = "pagetypeinfo",
	[DUMP_ZONEINFO] = "zoneinfo",
	[DUMP_SLABINFO] = "slabinfo",
	[DUMP_VMALLOCINFO] = "vmallocinfo",
};
#define DUMP_KIND_LIST	\
	"buddyinfo, pagetypeinfo, zoneinfo, slabinfo, vmallocinfo"

/*
 * mm/vmstat.c:pagetypeinfo_showfree_print() stops walking a free list at
 * this many entries (the walk holds the zone lock) and prints ">100000".
 */
#define PAGETYPE_LIST_CAP	100000

/* mm/internal.h: kswapd gives up on a node after this many failures,
 * which zoneinfo reports as node_unreclaimable. */
#define MAX_RECLAIM_RETRIES	16

int dump_parse_kinds(const char *list, unsigned *kinds, char **cause)
{
	const char *p = list;
	size_t len;
	int k;

	for (;;) {
		len = strcspn(p, ",");
		for (k = 0; k < NR_DUMP_KINDS; k++)
			if (strlen(dump_kind_names[k]) == len &&
			    strncmp(p, dump_kind_names[k], len) == 0)
				break;
		if (k == NR_DUMP_KINDS) {
			if (len == 0)
				return kmsim_fail(cause, "empty kind in '%s' ("
				    DUMP_KIND_LIST ")", list);
			return kmsim_fail(cause, "unknown kind '%.*s' ("
			    DUMP_KIND_LIST ")", (int)len, p);
		}
		*kinds |= DUMP_KIND(k);
		if (p[len] == '\0')
			return 0;
		p += len + 1;
	}
}

int dump_parse_time(const char *s, uint64_t *out, char **cause)
{
	static const struct {
		const char *name;
		uint64_t ns;
	} units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 },
		{ "s", 1000000000 },
	};
	uint64_t whole = 0, frac = 0, scale = 1, mult = 0, ns;
	const char *p = s;
	size_t i;

	if (*p == '-')
		return kmsim_fail(cause, "'%s' is negative", s);
	if (!isdigit((unsigned char)*p))
		return kmsim_fail(cause, "'%s' is not a time (a number and a"
		    " unit: ns, us, ms, s)", s);
	for (; isdigit((unsigned char)*p); p++) {
		unsigned d = (unsigned)(*p - '0');

		if (whole > (UINT64_MAX - d) / 10)
			return kmsim_fail(cause, "'%s' is too large", s);
		whole = whole * 10 + d;
	}
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return kmsim_fail(cause, "'%s' is not a time (a number"
			    " and a unit: ns, us, ms, s)", s);
		for (; isdigit((unsigned char)*p); p++) {
			/* 18 digits keep scale inside 64 bits */
			if (scale == UINT64_C(1000000000000000000))
				return kmsim_fail(cause, "'%s' has too many"
				    " digits", s);
			frac = frac * 10 + (unsigned)(*p - '0');
			scale *= 10;
		}
	}
	if (*p == '\0') {
		/* 0 is 0 in any unit */
		if (whole == 0 && frac == 0) {
			*out = 0;
			return 0;
		}
		return kmsim_fail(cause, "'%s' has no unit (ns, us, ms, s)", s);
	}
	for (i = 0; i < ARRAY_SIZE(units); i++)
		if (strcmp(p, units[i].name) == 0)
			mult = units[i].ns;
	if (mult == 0)
		return kmsim_fail(cause, "'%s' has an unknown unit '%s' (ns,"
		    " us, ms, s)", s, p);
	if (whole > UINT64_MAX / mult)
		return kmsim_fail(cause, "'%s' is too large", s);
	ns = whole * mult;
	/* the fraction in ns, exactly: both are powers of ten, so one of
	 * them reaches 1 */
	while (scale > 1 && mult > 1) {
		scale /= 10;
		mult /= 10;
	}
	if (frac % scale != 0)
		return kmsim_fail(cause, "'%s' is finer than a nanosecond", s);
	frac = frac / scale * mult;
	if (ns > UINT64_MAX - frac)
		return kmsim_fail(cause, "'%s' is too large", s);
	*out = ns + frac;
	return 0;
}

int dump_parse_times(const char *list, uint64_t **ns, int *n, char **cause)
{
	const char *p = list;
	uint64_t v;
	size_t len;
	char *tok;
	int r;

	for (;;) {
		len = strcspn(p, ",");
		if (len == 0)
			return kmsim_fail(cause, "empty time in '%s'", list);
		tok = xstrndup(p, len);
		r = dump_parse_time(tok, &v, cause);
		free(tok);
		if (r != 0)
			return -1;
		*ns = xreallocarray(*ns, (size_t)*n + 1, sizeof **ns);
		(*ns)[(*n)++] = v;
		if (p[len] == '\0')
			return 0;
		p += len + 1;
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int dump_sort_times(uint64_t *ns, int n)
{
	int i, j = 0;

	if (n <= 0)
		return 0;
	qsort(ns, (size_t)n, sizeof *ns, cmp_u64);
	for (i = 1; i < n; i++)
		if (ns[i] != ns[j])
			ns[++j] = ns[i];
	return j + 1;
}

/*
 * The zones the printing kernel has: a 64-bit kernel has no ZONE_HIGHMEM,
 * so HighMem is printed only for a machine that has one (a 32-bit
 * kernel's).  Every other zone of the enum exists, populated or not.
 */
static bool zone_exists(const struct machine *m, int t)
{
	return t != ZONE_HIGHMEM || m->has_zone[ZONE_HIGHMEM];
}

/*
 * The migratetypes it has: MIGRATE_CMA only with CONFIG_CMA, which the
 * kernels kmsim is compared with lack unless there is a CMA area.  The
 * choice follows the configuration, never the state, so every dump of a
 * run has the same columns.
 */
static int migratetypes(const struct machine *m, int *mts)
{
	bool cma = m->cfg != NULL && m->cfg->cma_size > 0;
	int i, nr = 0;

	for (i = 0; i < m->nr_zones; i++)
		if (m->zones[i]->cma_pages > 0 ||
		    m->zones[i]->nr_pageblocks[MIGRATE_CMA] > 0)
			cma = true;
	for (i = 0; i < MIGRATE_TYPES; i++)
		if (i != MIGRATE_CMA || cma)
			mts[nr++] = i;
	return nr;
}

static bool node_has_memory(const struct node *nd)
{
	int t;

	for (t = 0; t < MAX_NR_ZONES; t++)
		if (nd->zones[t].populated)
			return true;
	return false;
}

/* mm/vmstat.c:frag_show_print(), over walk_zones_in_node()'s populated
 * zones. */
void dump_buddyinfo(const struct machine *m, FILE *f)
{
	unsigned o;
	int n, t;

	for (n = 0; n < m->nr_nodes; n++) {
		const struct node *nd = &m->nodes[n];

		for (t = 0; t < MAX_NR_ZONES; t++) {
			const struct zone *z = &nd->zones[t];

			if (!z->populated)
				continue;
			fprintf(f, "Node %d, zone %8s ", nd->id, zone_names[t]);
			for (o = 0; o <= m->max_order; o++)
				fprintf(f, "%6" PRIu64 " ",
				    z->free_area[o].nr_free);
			fputc('\n', f);
		}
	}
}

/* One row per populated zone of a per-migratetype table of
 * pagetypeinfo_show(): blocks of each type, or mixed blocks. */
static void pagetype_table(const struct node *nd, const int *mts, int nr_mt,
    const char *title, bool mixed, FILE *f)
{
	int t, i;

	fprintf(f, "\n%-23s", title);
	for (i = 0; i < nr_mt; i++)
		fprintf(f, "%12s ", migratetype_names[mts[i]]);
	fputc('\n', f);
	for (t = 0; t < MAX_NR_ZONES; t++) {
		const struct zone *z = &nd->zones[t];

		if (!z->populated)
			continue;
		fprintf(f, "Node %d, zone %8s ", nd->id, zone_names[t]);
		for (i = 0; i < nr_mt; i++)
			fprintf(f, "%12" PRIu64 " ", mixed ?
			    z->nr_mixed_pageblocks[mts[i]] :
			    z->nr_pageblocks[mts[i]]);
		fputc('\n', f);
	}
}

/*
 * mm/vmstat.c:pagetypeinfo_show(): pagetypeinfo_showfree(),
 * pagetypeinfo_showblockcount(), and mm/page_owner.c's
 * pagetypeinfo_showmixedcount_print() as a kernel with page_owner
 * enabled prints it.  Memoryless nodes print nothing.
 */
void dump_pagetypeinfo(const struct machine *m, FILE *f)
{
	int mts[MIGRATE_TYPES], nr_mt = migratetypes(m, mts);
	unsigned o;
	int n, t, i;

	for (n = 0; n < m->nr_nodes; n++) {
		const struct node *nd = &m->nodes[n];

		if (!node_has_memory(nd))
			continue;
		fprintf(f, "Page block order: %u\n", m->pageblock_order);
		fprintf(f, "Pages per block:  %" PRIu64 "\n",
		    UINT64_C(1) << m->pageblock_order);
		fputc('\n', f);
		fprintf(f, "%-43s ",
		    "Free pages count per migrate type at order");
		for (o = 0; o <= m->max_order; o++)
			fprintf(f, "%6u ", o);
		fputc('\n', f);
		for (t = 0; t < MAX_NR_ZONES; t++) {
			const struct zone *z = &nd->zones[t];

			if (!z->populated)
				continue;
			for (i = 0; i < nr_mt; i++) {
				fprintf(f, "Node %4d, zone %8s, type %12s ",
				    nd->id, zone_names[t],
				    migratetype_names[mts[i]]);
				for (o = 0; o <= m->max_order; o++) {
					uint64_t c = z->free_area[o].nr_free_mt[
					    mts[i]];

					if (c >= PAGETYPE_LIST_CAP)
						fprintf(f, ">%6d ",
						    PAGETYPE_LIST_CAP);
					else
						fprintf(f, "%6" PRIu64 " ", c);
				}
				fputc('\n', f);
			}
		}
		pagetype_table(nd, mts, nr_mt, "Number of blocks type ", false,
		    f);
		pagetype_table(nd, mts, nr_mt, "Number of mixed blocks ", true,
		    f);
	}
}

static int fls_u64(uint64_t x)
{
	return x ? (int)kmsim_ilog2(x) + 1 : 0;
}

/*
 * mm/vmstat.c:calculate_normal_threshold(): the per-cpu counter drift a
 * zone tolerates, from its size in 128 MiB units and the CPU count.
 * kmsim has no per-cpu counter drift, but the value is a pure function
 * of the machine.  (Under memory pressure the kernel lowers it while
 * kswapd runs; that is not modelled.)
 */
static int stat_threshold(const struct machine *m, const struct zone *z)
{
	uint64_t mem = z->managed_pages >> (27 - m->page_shift);
	int t = 2 * fls_u64((uint64_t)m->nr_cpus) * (1 + fls_u64(mem));

	return KMSIM_MIN(t, 125);
}

/* Pages in free blocks of at least a pageblock (NR_FREE_PAGES_BLOCKS),
 * which mm/page_alloc.c:__add_to_free_list() counts off isolated lists. */
static uint64_t free_pages_blocks(const struct machine *m,
    const struct zone *z)
{
	uint64_t sum = 0;
	unsigned o;

	for (o = m->pageblock_order; o <= m->max_order && o < NR_ORDERS_MAX;
	    o++)
		sum += (z->free_area[o].nr_free -
		    z->free_area[o].nr_free_mt[MIGRATE_ISOLATE]) << o;
	return sum;
}

/*
 * mm/vmstat.c:zoneinfo_show_print().  Of the node counters kmsim models
 * none (LRU lists, slab, page cache, workingset...): the first populated
 * zone of a node carries the "per-node stats" heading alone.  Of the zone
 * counters it has the free pages, the free pages in pageblock-sized
 * blocks and the free CMA pages; the LRU, mlock, zsmalloc and NUMA
 * counters are left out.  Watermarks are printed with the boost, as
 * min_wmark_pages() and friends return them.
 */
static void zoneinfo_zone(const struct machine *m, const struct node *nd,
    int t, bool first, FILE *f)
{
	const struct zone *z = &nd->zones[t];
	int cpu, j, thr;
	bool comma = false;

	fprintf(f, "Node %d, zone %8s", nd->id, zone_names[t]);
	if (first)
		fprintf(f, "\n  per-node stats");
	fprintf(f,
	    "\n  pages free     %" PRIu64
	    "\n        boost    %" PRIu64
	    "\n        min      %" PRIu64
	    "\n        low      %" PRIu64
	    "\n        high     %" PRIu64
	    "\n        promo    %" PRIu64
	    "\n        spanned  %" PRIu64
	    "\n        present  %" PRIu64
	    "\n        managed  %" PRIu64
	    "\n        cma      %" PRIu64,
	    z->free_pages, z->watermark_boost,
	    z->watermark[WMARK_MIN] + z->watermark_boost,
	    z->watermark[WMARK_LOW] + z->watermark_boost,
	    z->watermark[WMARK_HIGH] + z->watermark_boost,
	    z->watermark[WMARK_PROMO] + z->watermark_boost,
	    z->spanned_pages, z->present_pages, z->managed_pages,
	    z->cma_pages);
	fprintf(f, "\n        protection: (");
	for (j = 0; j < MAX_NR_ZONES; j++) {
		if (!zone_exists(m, j))
			continue;
		fprintf(f, "%s%" PRIu64, comma ? ", " : "",
		    z->lowmem_reserve[j]);
		comma = true;
	}
	fputc(')', f);
	if (!z->populated) {
		fputc('\n', f);
		return;
	}

	fprintf(f, "\n      %-12s %" PRIu64, "nr_free_pages", z->free_pages);
	fprintf(f, "\n      %-12s %" PRIu64, "nr_free_pages_blocks",
	    free_pages_blocks(m, z));
	fprintf(f, "\n      %-12s %" PRIu64, "nr_free_cma", z->nr_free_cma);

	/* without per-cpu lists, every CPU has the boot pageset */
	fprintf(f, "\n  pagesets");
	thr = stat_threshold(m, z);
	for (cpu = 0; cpu < m->nr_cpus; cpu++) {
		const struct per_cpu_pages *pcp = z->pcp != NULL ?
		    &z->pcp[cpu] : NULL;

		fprintf(f,
		    "\n    cpu: %d"
		    "\n              count:    %d"
		    "\n              high:     %d"
		    "\n              batch:    %d"
		    "\n              high_min: %d"
		    "\n              high_max: %d",
		    cpu,
		    pcp != NULL ? pcp->count : 0,
		    pcp != NULL ? pcp->high : 0,
		    pcp != NULL ? pcp->batch : 1,
		    pcp != NULL ? pcp->high_min : 0,
		    pcp != NULL ? pcp->high_max : 0);
		fprintf(f, "\n  vm stats threshold: %d", thr);
	}
	fprintf(f,
	    "\n  node_unreclaimable:  %u"
	    "\n  start_pfn:           %" PRIu64 "\n",
	    nd->kswapd_failures >= MAX_RECLAIM_RETRIES ? 1u : 0u,
	    z->zone_start_pfn);
}

/* mm/vmstat.c:zoneinfo_show(): every zone, populated or not, since
 * lowmem_reserve_ratio acts on all of them. */
void dump_zoneinfo(const struct machine *m, FILE *f)
{
	int n, t, first;

	for (n = 0; n < m->nr_nodes; n++) {
		const struct node *nd = &m->nodes[n];

		/* is_zone_first_populated() */
		for (first = 0; first < MAX_NR_ZONES; first++)
			if (nd->zones[first].populated)
				break;
		for (t = 0; t < MAX_NR_ZONES; t++)
			if (zone_exists(m, t))
				zoneinfo_zone(m, nd, t, t == first, f);
	}
}

void dump_write(const struct machine *m, const struct slab_world *slab,
    const struct vmalloc *vm, unsigned kinds, bool header, uint64_t ns,
    bool end, FILE *f)
{
	static void (*const print[NR_DUMP_KINDS])(const struct machine *,
	    FILE *) = {
		[DUMP_BUDDYINFO] = dump_buddyinfo,
		[DUMP_PAGETYPEINFO] = dump_pagetypeinfo,
		[DUMP_ZONEINFO] = dump_zoneinfo,
	};
	int k;

	for (k = 0; k < NR_DUMP_KINDS; k++) {
		if (!(kinds & DUMP_KIND(k)))
			continue;
		if (header)
			fprintf(f, "==> %s at %" PRIu64 " ns%s <==\n",
			    dump_kind_names[k], ns, end ? " (end)" : "");
		if (k == DUMP_VMALLOCINFO) {
			/* replay has no vmalloc model: nothing */
			if (vm != NULL)
				vmalloc_dump_vmallocinfo(vm, f);
			continue;
		}
		if (k == DUMP_SLABINFO) {
			/* replay has no slab model: the header alone */
			if (slab != NULL)
				slab_dump_slabinfo(slab, f);
			else
				fputs("slabinfo - version: 2.1\n# name "
				    "           <active_objs> <num_objs>"
				    " <objsize> <objperslab> <pagesperslab>"
				    " : tunables <limit> <batchcount>"
				    " <sharedfactor> : slabdata <active_slabs>"
				    " <num_slabs> <sharedavail>\n", f);
			continue;
		}
		print[k](m, f);
	}
	/* a reader following a pipe sees each dump when it is made */
	fflush(f);
}
