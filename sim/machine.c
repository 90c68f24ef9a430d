/*
 * machine.c - building the simulated machine from its configuration:
 * nodes and zones (mm/mm_init.c:free_area_init()), the frame table, the
 * boot-time hand-over of memory to the buddy allocator
 * (mm/memblock.c:memblock_free_all()) and the watermarks
 * (mm/page_alloc.c:__setup_per_zone_wmarks()).
 */
#include "kmsim_config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mm/buddy.h"
#include "machine.h"

const char *const wmark_names[NR_WMARK] = { "min", "low", "high", "promo" };

static void count_pageblocks(struct machine *m);
static void setup_cma(struct machine *m);
static struct zone *span_zone(const struct machine *m, uint64_t pfn);

/* x86-64 pageblock_order: HPAGE_PMD_ORDER (9 with 4 KiB pages), capped
 * by MAX_PAGE_ORDER (include/linux/pageblock-flags.h). */
static unsigned pageblock_order_for(const struct config *cfg)
{
	unsigned pmd_order = cfg->page_shift == 12 ? 9 :
	    cfg->page_shift == 14 ? 11 : 13;	/* arm64's 16K / 64K PMDs */

	return KMSIM_MIN(pmd_order, cfg->max_order);
}

static uint64_t host_memory_bytes(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);

	if (pages <= 0 || size <= 0)
		return UINT64_MAX;
	return (uint64_t)pages * (uint64_t)size;
}

static void mark_hole(struct machine *m, uint64_t start_pfn, uint64_t end_pfn)
{
	uint64_t pfn;

	for (pfn = start_pfn; pfn < end_pfn; pfn++)
		m->frames[pfn].flags |= PF_HOLE;
}

/* Is [pfn, end) free of holes?  Holes are few: walk the node's list. */
static uint64_t hole_end_at(const struct config_node *cn, unsigned shift,
    uint64_t pfn)
{
	int i;

	for (i = 0; i < cn->nr_holes; i++) {
		uint64_t s = cn->holes[i].start >> shift;
		uint64_t e = (cn->holes[i].start + cn->holes[i].size) >> shift;

		if (pfn >= s && pfn < e)
			return e;
	}
	return 0;
}

static uint64_t next_hole_start(const struct config_node *cn, unsigned shift,
    uint64_t pfn, uint64_t limit)
{
	uint64_t best = limit;
	int i;

	for (i = 0; i < cn->nr_holes; i++) {
		uint64_t s = cn->holes[i].start >> shift;

		if (s >= pfn && s < best)
			best = s;
	}
	return best;
}

/*
 * Hand [start, end) of zone z to the buddy allocator in the largest
 * naturally aligned blocks that fit (mm/memblock.c:__free_pages_memory()).
 */
static void free_range(struct machine *m, uint64_t start, uint64_t end)
{
	while (start < end) {
		unsigned order = start ? KMSIM_MIN(m->max_order,
		    (unsigned)__builtin_ctzll(start)) : m->max_order;

		while (start + (UINT64_C(1) << order) > end)
			order--;
		buddy_free_block(m, start, order, NULL);
		start += UINT64_C(1) << order;
	}
}

static void build_zonelists(struct machine *m)
{
	int n, i, j, k;

	for (n = 0; n < m->nr_nodes; n++) {
		struct node *nd = &m->nodes[n];
		int *order = xcalloc((size_t)m->nr_nodes, sizeof *order);
		bool *used = xcalloc((size_t)m->nr_nodes, sizeof *used);

		/* mm/page_alloc.c:find_next_best_node(): nearest first,
		 * ties by node id (the kernel's load balancing of ties is
		 * left out: it depends on boot order). */
		for (i = 0; i < m->nr_nodes; i++) {
			int best = -1;

			for (j = 0; j < m->nr_nodes; j++) {
				if (used[j])
					continue;
				if (best < 0 || machine_distance(m, n, j) <
				    machine_distance(m, n, best) ||
				    (j == n && machine_distance(m, n, j) ==
				    machine_distance(m, n, best)))
					best = j;
			}
			used[best] = true;
			order[i] = best;
		}
		nd->zonelist = xcalloc((size_t)m->nr_zones, sizeof *nd->zonelist);
		nd->nr_zonelist = 0;
		for (i = 0; i < m->nr_nodes; i++) {
			struct node *other = &m->nodes[order[i]];

			for (k = MAX_NR_ZONES - 1; k >= 0; k--)
				if (other->zones[k].populated)
					nd->zonelist[nd->nr_zonelist++] =
					    other->zones[k].id;
		}
		free(order);
		free(used);
	}
}

/*
 * mm/page_alloc.c:calculate_min_free_kbytes(), raised as
 * mm/khugepaged.c:set_recommended_min_free_kbytes() does when THP is
 * enabled (the default on x86-64 distributions): enough for two
 * pageblocks per zone, plus MIGRATE_PCPTYPES^2 pageblocks so fallbacks
 * can be avoided, at most 5 % of lowmem.
 */
static uint64_t default_min_free_kbytes(const struct machine *m)
{
	uint64_t lowmem_pages = 0, kb, rec;
	unsigned nr_zones = 0;
	int i;

	for (i = 0; i < m->nr_zones; i++) {
		const struct zone *z = m->zones[i];

		if (z->type <= ZONE_NORMAL) {
			lowmem_pages += z->managed_pages;
			nr_zones++;
		}
	}
	kb = (uint64_t)sqrt((double)(lowmem_pages * (m->page_size >> 10)) *
	    16.0);
	kb = KMSIM_MAX(kb, 128);
	kb = KMSIM_MIN(kb, 262144);
	/* a 32-bit kernel without PAE has no transparent huge pages */
	if (m->cfg->arch == ARCH_X86_32)
		return kb;
	rec = (UINT64_C(1) << m->pageblock_order) * nr_zones * 2 +
	    (UINT64_C(1) << m->pageblock_order) * nr_zones *
	    MIGRATE_PCPTYPES * MIGRATE_PCPTYPES;
	rec = KMSIM_MIN(rec, lowmem_pages / 20);
	rec <<= m->page_shift - 10;
	return KMSIM_MAX(kb, rec);
}

void machine_setup_watermarks(struct machine *m)
{
	const struct config *cfg = m->cfg;
	uint64_t pages_min, lowmem_pages = 0;
	int i, n, j, k;

	m->min_free_kbytes = cfg->min_free_kbytes ? cfg->min_free_kbytes
						  : default_min_free_kbytes(m);
	pages_min = m->min_free_kbytes >> (m->page_shift - 10);
	for (i = 0; i < m->nr_zones; i++)
		if (m->zones[i]->type != ZONE_HIGHMEM &&
		    m->zones[i]->type != ZONE_MOVABLE)
			lowmem_pages += m->zones[i]->managed_pages;
	/* mm/page_alloc.c:__setup_per_zone_wmarks() */
	for (i = 0; i < m->nr_zones; i++) {
		struct zone *z = m->zones[i];
		uint64_t tmp, wmin;

		tmp = lowmem_pages ? pages_min * z->managed_pages /
		    lowmem_pages : 0;
		if (z->type == ZONE_HIGHMEM || z->type == ZONE_MOVABLE) {
			/* highmem and movable: a small fixed minimum */
			wmin = z->managed_pages / 1024;
			wmin = KMSIM_MAX(wmin, 32);	/* SWAP_CLUSTER_MAX */
			wmin = KMSIM_MIN(wmin, 128);
		} else {
			wmin = tmp;
		}
		tmp = KMSIM_MAX(tmp >> 2, z->managed_pages *
		    cfg->watermark_scale_factor / 10000);
		z->watermark_boost = 0;
		z->watermark[WMARK_MIN] = wmin;
		z->watermark[WMARK_LOW] = wmin + tmp;
		z->watermark[WMARK_HIGH] = wmin + tmp * 2;
		z->watermark[WMARK_PROMO] = wmin + tmp * 3;
	}
	/* mm/page_alloc.c:setup_per_zone_lowmem_reserve() */
	for (n = 0; n < m->nr_nodes; n++) {
		struct node *nd = &m->nodes[n];

		for (j = 0; j < MAX_NR_ZONES; j++) {
			struct zone *z = &nd->zones[j];
			uint64_t managed = 0;
			unsigned ratio = cfg->lowmem_reserve_ratio[j];

			for (k = 0; k < MAX_NR_ZONES; k++)
				z->lowmem_reserve[k] = 0;
			for (k = j + 1; k < MAX_NR_ZONES; k++) {
				managed += nd->zones[k].managed_pages;
				z->lowmem_reserve[k] = (ratio &&
				    z->managed_pages) ? managed / ratio : 0;
			}
		}
	}
}

static int zone_cmp(const void *a, const void *b)
{
	const struct zone *za = *(const struct zone *const *)a;
	const struct zone *zb = *(const struct zone *const *)b;

	return za->zone_start_pfn < zb->zone_start_pfn ? -1 :
	    za->zone_start_pfn > zb->zone_start_pfn;
}

struct machine *machine_create(const struct config *cfg, char **cause)
{
	struct machine *m;
	uint64_t max_pfn = 0, host, nr_pb;
	char b1[32], b2[32];
	int n, z, c, i;

	m = xcalloc(1, sizeof *m);
	m->cfg = cfg;
	m->page_size = cfg->page_size;
	m->page_shift = cfg->page_shift;
	m->max_order = cfg->max_order;
	m->pageblock_order = pageblock_order_for(cfg);
	m->section_shift = cfg->section_size_bits - cfg->page_shift;
	m->cpu_mhz = cfg->cpu_mhz;
	m->cost = cfg->cost;
	m->nr_nodes = cfg->nr_nodes;
	m->nr_cpus = cfg->nr_cpus;
	m->distance = cfg->distance;

	for (n = 0; n < cfg->nr_nodes; n++) {
		const struct config_node *cn = &cfg->nodes[n];
		uint64_t end = (cn->start + cn->span) >> cfg->page_shift;

		max_pfn = KMSIM_MAX(max_pfn, end);
	}
	/* Resource guards: frames are named by 32-bit pfns, and the frame
	 * table must fit in this host's memory. */
	if (max_pfn > MACHINE_MAX_PFN) {
		kmsim_fail(cause, "%s: the machine has %" PRIu64 " page frames;"
		    " kmsim names frames with 32 bits (at most %" PRIu64 ")",
		    cfg->path, max_pfn, (uint64_t)MACHINE_MAX_PFN);
		goto out_free;
	}
	m->max_pfn = max_pfn;
	m->frames_bytes = (size_t)max_pfn * sizeof(struct page_frame);
	host = host_memory_bytes();
	if (m->frames_bytes > host / 2) {
		kmsim_fail(cause, "%s: the frame table needs %s (%zu bytes per"
		    " frame), more than half of this host's %s of memory",
		    cfg->path, kmsim_fmt_size(m->frames_bytes, b1, sizeof b1),
		    sizeof(struct page_frame),
		    kmsim_fmt_size(host, b2, sizeof b2));
		goto out_free;
	}
	/* Untouched frames cost nothing: the kernel hands out zero pages
	 * lazily, and only block heads are written at boot. */
	m->frames = mmap(NULL, m->frames_bytes ? m->frames_bytes : 1,
	    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
	    -1, 0);
	if (m->frames == MAP_FAILED) {
		m->frames = NULL;
		kmsim_fail(cause, "%s: cannot map a frame table of %s: %s",
		    cfg->path, kmsim_fmt_size(m->frames_bytes, b1, sizeof b1),
		    strerror(errno));
		goto out_free;
	}
	nr_pb = (max_pfn >> m->pageblock_order) + 1;
	m->pageblock_mt = xcalloc(nr_pb, 1);
	/*
	 * mm/page_alloc.c:build_all_zonelists(): grouping by mobility is off
	 * when there are fewer pages than a pageblock per migratetype (or
	 * the config turns it off), and set_pageblock_migratetype() then
	 * makes every block unmovable.  mm/mm_init.c:memmap_init_range():
	 * otherwise every pageblock starts movable.
	 */
	{
		uint64_t total = 0;

		for (n = 0; n < cfg->nr_nodes; n++)
			total += cfg->nodes[n].memory >> cfg->page_shift;
		m->mobility_disabled = !cfg->mobility || total <
		    (UINT64_C(1) << m->pageblock_order) * MIGRATE_TYPES;
	}
	memset(m->pageblock_mt, m->mobility_disabled ? MIGRATE_UNMOVABLE :
	    MIGRATE_MOVABLE, nr_pb);
	m->pageblock_alloc = xcalloc(nr_pb, sizeof *m->pageblock_alloc);
	m->pageblock_skip = xcalloc(nr_pb, 1);
	m->nr_sections = (max_pfn + (UINT64_C(1) << m->section_shift) - 1) >>
	    m->section_shift;
	m->section_present = xcalloc(m->nr_sections, 1);

	m->cpu_to_node = xcalloc((size_t)(m->nr_cpus ? m->nr_cpus : 1),
	    sizeof *m->cpu_to_node);
	m->nodes = xcalloc((size_t)m->nr_nodes, sizeof *m->nodes);
	m->zones = xcalloc((size_t)m->nr_nodes * MAX_NR_ZONES,
	    sizeof *m->zones);
	for (n = 0; n < cfg->nr_nodes; n++) {
		const struct config_node *cn = &cfg->nodes[n];
		struct node *nd = &m->nodes[n];
		uint64_t pfn = cn->start >> cfg->page_shift;

		nd->id = n;
		nd->kswapd_highest_zoneidx = MAX_NR_ZONES;
		/* idle until kswapd_start() and kcompactd_start() */
		evq_event_init(&nd->kswapd_ev, NULL, NULL);
		evq_event_init(&nd->kcompactd_ev, NULL, NULL);
		nd->node_start_pfn = pfn;
		nd->node_spanned_pages = cn->span >> cfg->page_shift;
		nd->node_present_pages = cn->memory >> cfg->page_shift;
		nd->cpus = cn->cpus;
		nd->nr_cpus = cn->nr_cpus;
		for (c = 0; c < cn->nr_cpus; c++)
			m->cpu_to_node[cn->cpus[c]] = n;
		for (z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zn = &nd->zones[z];
			uint64_t p, present = 0;

			zn->node = n;
			zn->type = (enum zone_type)z;
			zn->id = -1;
			zn->zone_start_pfn = pfn;
			zn->spanned_pages = cn->zone_size[z] >> cfg->page_shift;
			for (p = pfn; p < pfn + zn->spanned_pages;) {
				uint64_t he = hole_end_at(cn, cfg->page_shift, p);
				uint64_t e;

				if (he) {
					p = KMSIM_MIN(he, pfn + zn->spanned_pages);
					continue;
				}
				e = next_hole_start(cn, cfg->page_shift, p,
				    pfn + zn->spanned_pages);
				present += e - p;
				p = e;
			}
			zn->present_pages = present;
			zn->managed_pages = present -
			    KMSIM_MIN(present, cn->zone_reserved[z]);
			zn->populated = present > 0;
			for (i = 0; i < (int)ARRAY_SIZE(zn->free_area); i++) {
				int t;

				for (t = 0; t < MIGRATE_TYPES; t++) {
					zn->free_area[i].free_list[t] = PFN_NONE;
					zn->free_area[i].free_tail[t] = PFN_NONE;
				}
			}
			if (zn->populated) {
				m->zones[m->nr_zones++] = zn;
				m->has_zone[z] = true;
			}
			pfn += zn->spanned_pages;
			/* kcompactd(): pgdat->nr_zones - 1, the highest
			 * populated zone */
			if (zn->populated)
				nd->kcompactd_highest_zoneidx = z;
		}
		for (i = 0; i < cn->nr_holes; i++)
			mark_hole(m, cn->holes[i].start >> cfg->page_shift,
			    (cn->holes[i].start + cn->holes[i].size) >>
			    cfg->page_shift);
	}
	qsort(m->zones, (size_t)m->nr_zones, sizeof *m->zones, zone_cmp);
	for (i = 0; i < m->nr_zones; i++)
		m->zones[i]->id = i;
	build_zonelists(m);

	setup_cma(m);

	/* Boot: hand every present frame to the buddy allocator, but the
	 * zone's reserved ones (memblock reservations sit low: the kernel
	 * image, the memory map; kmsim takes them from the zone's start). */
	for (i = 0; i < m->nr_zones; i++) {
		struct zone *zn = m->zones[i];
		const struct config_node *cn = &cfg->nodes[zn->node];
		uint64_t p = zn->zone_start_pfn, end = zone_end_pfn(zn);
		uint64_t reserve = zn->present_pages - zn->managed_pages;

		while (p < end) {
			uint64_t he = hole_end_at(cn, cfg->page_shift, p), e;

			if (he) {
				p = KMSIM_MIN(he, end);
				continue;
			}
			e = next_hole_start(cn, cfg->page_shift, p, end);
			for (uint64_t s = p >> m->section_shift;
			    s <= (e - 1) >> m->section_shift; s++)
				m->section_present[s] = 1;
			for (; reserve > 0 && p < e; reserve--, p++)
				m->frames[p].flags |= PF_RESERVED;
			if (p < e)
				free_range(m, p, e);
			p = e;
		}
		memset(zn->free_count, 0, sizeof zn->free_count);
	}
	count_pageblocks(m);
	m->node_allocs_size = (uint64_t)m->nr_nodes * (uint64_t)m->nr_nodes;
	m->node_allocs = xcalloc(m->node_allocs_size, sizeof *m->node_allocs);
	machine_setup_watermarks(m);
	pcp_setup(m);
	return m;

out_free:
	machine_destroy(m);
	return NULL;
}

void machine_destroy(struct machine *m)
{
	int n, i;

	if (m == NULL)
		return;
	if (m->frames != NULL)
		munmap(m->frames, m->frames_bytes ? m->frames_bytes : 1);
	if (m->nodes != NULL)
		for (n = 0; n < m->nr_nodes; n++)
			free(m->nodes[n].zonelist);
	for (i = 0; m->zones != NULL && i < m->nr_zones; i++)
		free(m->zones[i]->pcp);
	free(m->node_allocs);
	free(m->nodes);
	free(m->zones);
	free(m->cpu_to_node);
	free(m->pageblock_mt);
	free(m->pageblock_alloc);
	free(m->pageblock_skip);
	free(m->section_present);
	free(m);
}

/*
 * Pageblocks per zone as mm/vmstat.c:pagetypeinfo_showblockcount_print()
 * counts them: every pageblock start in the zone's span whose section has
 * memory.
 */
static void count_pageblocks(struct machine *m)
{
	uint64_t per = UINT64_C(1) << m->pageblock_order, pfn;
	int i;

	for (i = 0; i < m->nr_zones; i++) {
		struct zone *z = m->zones[i];

		for (pfn = z->zone_start_pfn; pfn < zone_end_pfn(z);
		    pfn = (pfn | (per - 1)) + 1) {
			if (!m->section_present[pfn >> m->section_shift])
				continue;
			z->nr_pageblocks[m->pageblock_mt[pfn >>
			    m->pageblock_order]]++;
		}
	}
}

/*
 * A CMA area of cfg->cma_size at the top of memory (memblock allocates
 * top-down, as dma_contiguous_reserve() gets it on x86-64): its
 * pageblocks become MIGRATE_CMA before the boot hand-over
 * (mm/cma.c:cma_activate_area() -> init_cma_reserved_pageblock()).  The
 * top zone of the last node below ZONE_MOVABLE holds it.
 */
static void setup_cma(struct machine *m)
{
	uint64_t nr = m->cfg->cma_size >> m->page_shift, per, start, pfn;
	struct zone *z = NULL;
	int i;

	if (nr == 0)
		return;
	for (i = m->nr_zones - 1; i >= 0; i--) {
		if (m->zones[i]->type != ZONE_MOVABLE &&
		    m->zones[i]->spanned_pages >= nr) {
			z = m->zones[i];
			break;
		}
	}
	if (z == NULL)
		return;
	per = UINT64_C(1) << m->pageblock_order;
	start = (zone_end_pfn(z) - nr) & ~((UINT64_C(1) << m->max_order) - 1);
	if (start < z->zone_start_pfn)
		return;
	for (pfn = start; pfn < start + nr; pfn += per)
		m->pageblock_mt[pfn >> m->pageblock_order] = MIGRATE_CMA;
	z->cma_pages = nr;
}

/* The zone whose span holds pfn, holes included, or NULL. */
static struct zone *span_zone(const struct machine *m, uint64_t pfn)
{
	int lo = 0, hi = m->nr_zones - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		struct zone *z = m->zones[mid];

		if (pfn < z->zone_start_pfn)
			hi = mid - 1;
		else if (pfn >= zone_end_pfn(z))
			lo = mid + 1;
		else
			return z;
	}
	return NULL;
}

/*
 * mm/page_owner.c:pagetypeinfo_showmixedcount_print() counts a block as
 * mixed when a page in it was allocated for a type other than the
 * block's; kmsim keeps per-block counts of allocated pages by type so the
 * answer costs O(1).
 */
bool pageblock_is_mixed(const struct machine *m, uint64_t pb)
{
	int mt = m->pageblock_mt[pb], t;

	for (t = 0; t < MIGRATE_PCPTYPES; t++)
		if (t != mt && m->pageblock_alloc[pb][t] > 0)
			return true;
	return false;
}

/* The type a mixed block is counted under (CMA blocks count as movable). */
static int mixed_bucket(int mt)
{
	return mt == MIGRATE_CMA ? MIGRATE_MOVABLE : mt;
}

/* Models mm/page_alloc.c:set_pageblock_migratetype(). */
void set_pageblock_migratetype(struct machine *m, uint64_t pfn, int mt)
{
	uint64_t pb = pfn >> m->pageblock_order;
	int old = m->pageblock_mt[pb];
	struct zone *z;
	bool mixed;

	if (m->mobility_disabled && mt < MIGRATE_PCPTYPES)
		mt = MIGRATE_UNMOVABLE;
	if (old == mt)
		return;
	z = span_zone(m, pb << m->pageblock_order);
	mixed = pageblock_is_mixed(m, pb);
	m->pageblock_mt[pb] = (uint8_t)mt;
	if (z == NULL)
		return;
	z->nr_pageblocks[old]--;
	z->nr_pageblocks[mt]++;
	if (mixed)
		z->nr_mixed_pageblocks[mixed_bucket(old)]--;
	if (pageblock_is_mixed(m, pb))
		z->nr_mixed_pageblocks[mixed_bucket(mt)]++;
}

void pageblock_account(struct machine *m, uint64_t pfn, unsigned order,
    int mt, int delta)
{
	uint64_t nr = UINT64_C(1) << order, per = UINT64_C(1) <<
	    m->pageblock_order, end = pfn + nr, pb;
	struct zone *z;

	if (mt < 0 || mt >= MIGRATE_PCPTYPES || (z = span_zone(m, pfn)) == NULL)
		return;
	for (; pfn < end; pfn = (pb + 1) * per) {
		uint64_t n = KMSIM_MIN(end, (pfn | (per - 1)) + 1) - pfn;
		bool was;

		pb = pfn >> m->pageblock_order;
		was = pageblock_is_mixed(m, pb);
		if (delta > 0)
			m->pageblock_alloc[pb][mt] += (uint32_t)n;
		else
			m->pageblock_alloc[pb][mt] -= (uint32_t)KMSIM_MIN(n,
			    m->pageblock_alloc[pb][mt]);
		if (was != pageblock_is_mixed(m, pb)) {
			int b = mixed_bucket(m->pageblock_mt[pb]);

			if (was)
				z->nr_mixed_pageblocks[b]--;
			else
				z->nr_mixed_pageblocks[b]++;
		}
	}
}

struct zone *machine_pfn_zone(const struct machine *m, uint64_t pfn)
{
	if (pfn >= m->max_pfn || (m->frames[pfn].flags & PF_HOLE))
		return NULL;
	return span_zone(m, pfn);
}

void machine_print(const struct machine *m, FILE *f)
{
	char b1[32], b2[32];
	uint64_t s, present_sections = 0;
	int n, z, i, w;

	for (s = 0; s < m->nr_sections; s++)
		present_sections += m->section_present[s];
	fprintf(f, "machine %s: %d node%s, %d cpu%s at %u MHz\n",
	    m->cfg->name, m->nr_nodes, m->nr_nodes == 1 ? "" : "s",
	    m->nr_cpus, m->nr_cpus == 1 ? "" : "s", m->cpu_mhz);
	fprintf(f, "page size %s, max order %u, pageblock order %u,"
	    " section %s (%" PRIu64 " of %" PRIu64 " present)\n",
	    kmsim_fmt_size(m->page_size, b1, sizeof b1), m->max_order,
	    m->pageblock_order,
	    kmsim_fmt_size(m->page_size << m->section_shift, b2, sizeof b2),
	    present_sections, m->nr_sections);
	fprintf(f, "min_free_kbytes %" PRIu64 ", watermark_scale_factor %u\n",
	    m->min_free_kbytes, m->cfg->watermark_scale_factor);
	fprintf(f, "frame table %s (%zu bytes per frame, %" PRIu64 " frames)\n",
	    kmsim_fmt_size(m->frames_bytes, b1, sizeof b1),
	    sizeof(struct page_frame), m->max_pfn);
	/* the page cache's limits and disks */
	if (m->cfg->dirty_bytes != 0)
		fprintf(f, "dirty_bytes %s", kmsim_fmt_size(
		    m->cfg->dirty_bytes, b1, sizeof b1));
	else
		fprintf(f, "dirty_ratio %u", m->cfg->dirty_ratio);
	if (m->cfg->dirty_background_bytes != 0)
		fprintf(f, ", dirty_background_bytes %s", kmsim_fmt_size(
		    m->cfg->dirty_background_bytes, b1, sizeof b1));
	else
		fprintf(f, ", dirty_background_ratio %u",
		    m->cfg->dirty_background_ratio);
	fprintf(f, ", dirty_expire_centisecs %u, dirty_writeback_centisecs"
	    " %u\n", m->cfg->dirty_expire_centisecs,
	    m->cfg->dirty_writeback_centisecs);
	for (i = 0; i < m->cfg->nr_disks; i++) {
		const struct config_disk *d = &m->cfg->disks[i];

		fprintf(f, "disk %s: %s/s, latency %" PRIu64 " us, queue depth"
		    " %u, read_ahead_kb %u, folios up to order %u\n",
		    d->name, kmsim_fmt_size(d->bandwidth, b1, sizeof b1),
		    d->latency_ns / 1000, d->queue_depth, d->read_ahead_kb,
		    d->max_folio_order);
	}
	for (n = 0; n < m->nr_nodes; n++) {
		const struct node *nd = &m->nodes[n];

		fprintf(f, "\nnode %d: pfn %#" PRIx64 "-%#" PRIx64 ", %s present,"
		    " cpus", n, nd->node_start_pfn,
		    nd->node_start_pfn + nd->node_spanned_pages,
		    kmsim_fmt_size(nd->node_present_pages << m->page_shift, b1,
		    sizeof b1));
		if (nd->nr_cpus == 0)
			fprintf(f, " none");
		for (i = 0; i < nd->nr_cpus; i++)
			fprintf(f, "%s%d", i ? "," : " ", nd->cpus[i]);
		fprintf(f, "\n  distances:");
		for (i = 0; i < m->nr_nodes; i++)
			fprintf(f, " %d", machine_distance(m, n, i));
		fprintf(f, "\n  zonelist:");
		for (i = 0; i < nd->nr_zonelist; i++) {
			const struct zone *zz = m->zones[nd->zonelist[i]];

			fprintf(f, " %d/%s", zz->node, zone_names[zz->type]);
		}
		fprintf(f, "\n");
		for (z = 0; z < MAX_NR_ZONES; z++) {
			const struct zone *zn = &nd->zones[z];

			if (!zn->populated)
				continue;
			fprintf(f, "  zone %-8s pfn %#" PRIx64 "-%#" PRIx64
			    " spanned %" PRIu64 " present %" PRIu64
			    " managed %" PRIu64 " free %" PRIu64 "\n",
			    zone_names[z], zn->zone_start_pfn, zone_end_pfn(zn),
			    zn->spanned_pages, zn->present_pages,
			    zn->managed_pages, zn->free_pages);
			fprintf(f, "    watermarks");
			for (w = 0; w < NR_WMARK; w++)
				fprintf(f, " %s %" PRIu64, wmark_names[w],
				    zn->watermark[w]);
			fprintf(f, "\n    protection (");
			for (i = 0; i < MAX_NR_ZONES; i++)
				fprintf(f, "%s%" PRIu64, i ? ", " : "",
				    zn->lowmem_reserve[i]);
			fprintf(f, ")\n");
		}
	}
}
