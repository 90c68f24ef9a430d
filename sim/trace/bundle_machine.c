/*
 * bundle_machine.c - --config auto: the machine a capture bundle was
 * taken on, rebuilt from its first snapshot's /proc/zoneinfo (zones,
 * start pfns, spanned/present/managed pages, the watermarks solved back
 * to min_free_kbytes and watermark_scale_factor), the holes where
 * /proc/kpageflags shows them, and the manifest's page size and CPU count.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trace/bundle.h"
#include "trace/bundle_machine.h"
#include "kmsim.h"

/* The watermarks the kernel printed, reproduced: find min_free_kbytes and
 * watermark_scale_factor that give the same min and low for every zone
 * (mm/page_alloc.c:__setup_per_zone_wmarks()). */
static void solve_watermarks(const struct procfs_zones *zs, unsigned shift,
    uint64_t *min_free_kbytes, unsigned *wsf)
{
	uint64_t sum = 0, lowmem = 0, p;
	unsigned w;
	int i;

	for (i = 0; i < zs->n; i++) {
		const struct procfs_zone *z = &zs->z[i];

		if (z->managed == 0 || z->type < 0 || z->type > ZONE_NORMAL)
			continue;
		sum += z->wmark[WMARK_MIN];
		lowmem += z->managed;
	}
	*min_free_kbytes = sum << (shift - 10);
	for (p = sum; p <= sum + (uint64_t)zs->n + 1 && lowmem; p++) {
		bool ok = true;

		for (i = 0; i < zs->n && ok; i++) {
			const struct procfs_zone *z = &zs->z[i];

			if (z->managed == 0 || z->type < 0 ||
			    z->type > ZONE_NORMAL)
				continue;
			ok = p * z->managed / lowmem == z->wmark[WMARK_MIN];
		}
		if (ok) {
			*min_free_kbytes = p << (shift - 10);
			break;
		}
	}
	*wsf = 10;
	for (w = 1; w <= 3000; w++) {
		bool ok = true, any = false;

		for (i = 0; i < zs->n && ok; i++) {
			const struct procfs_zone *z = &zs->z[i];
			uint64_t tmp, gap;

			if (z->managed == 0 || z->type < 0)
				continue;
			gap = z->wmark[WMARK_LOW] - z->wmark[WMARK_MIN];
			tmp = KMSIM_MAX(z->wmark[WMARK_MIN] >> 2,
			    z->managed * w / 10000);
			/* only zones where the scale factor decides count */
			if (z->managed * w / 10000 <= z->wmark[WMARK_MIN] >> 2)
				continue;
			any = true;
			ok = tmp == gap;
		}
		if (ok && any) {
			*wsf = w;
			break;
		}
	}
}

static void add_hole(struct config_node *cn, unsigned shift, uint64_t start,
    uint64_t pages)
{
	int i, j;

	cn->holes = xreallocarray(cn->holes, (size_t)cn->nr_holes + 1,
	    sizeof *cn->holes);
	/* keep them sorted by start */
	for (i = 0; i < cn->nr_holes; i++)
		if (cn->holes[i].start > start << shift)
			break;
	for (j = cn->nr_holes; j > i; j--)
		cn->holes[j] = cn->holes[j - 1];
	memset(&cn->holes[i], 0, sizeof cn->holes[i]);
	cn->holes[i].start = start << shift;
	cn->holes[i].size = pages << shift;
	cn->nr_holes++;
}

/* The longest run in [s, e) of frames whose summary has `bits` and is no
 * longer than `max`; its length, or 0. */
static uint64_t longest_run(const struct kpageflags *kp, uint64_t s,
    uint64_t e, uint8_t bits, uint8_t exact_mask, uint64_t max,
    uint64_t *at)
{
	uint64_t pfn, best = 0;

	e = KMSIM_MIN(e, kp->nr);
	for (pfn = s; pfn < e;) {
		uint64_t r = pfn;

		while (r < e && (kp->f[r] & exact_mask) == bits)
			r++;
		if (r - pfn > best && r - pfn <= max) {
			best = r - pfn;
			*at = pfn;
		}
		pfn = r > pfn ? r : pfn + 1;
	}
	return best;
}

/*
 * Place `need` hole pages in the zone [s, e).  On Linux 6.18 a missing
 * section reads as a frame with no flag at all and a hole inside a
 * section as a reserved frame (init_unavailable_range()), so take the
 * longest runs of those that fit, then whatever is left at the zone's end.
 */
static uint64_t place_holes(struct config *cfg, struct config_node *cn,
    struct kpageflags *kp, uint64_t s, uint64_t e, uint64_t need)
{
	static const uint8_t kinds[][2] = {
		{ KPFS_NOPAGE, KPFS_NOPAGE },
		{ KPFS_ZERO, KPFS_ZERO },
		{ KPFS_RESERVED, 0xff },
	};
	uint64_t placed = 0, len, at = 0;
	size_t k;

	for (k = 0; k < ARRAY_SIZE(kinds) && placed < need; k++) {
		while (placed < need && kp->nr > s &&
		    (len = longest_run(kp, s, e, kinds[k][0], kinds[k][1],
		    need - placed, &at)) > 0) {
			uint64_t q;

			add_hole(cn, cfg->page_shift, at, len);
			for (q = at; q < at + len; q++)
				kp->f[q] = 0xff;	/* taken */
			placed += len;
		}
	}
	if (placed < need) {
		/* no run fits: the end of the longest one (x86's low hole,
		 * 640 KiB to 1 MiB, ends a run of reserved low memory) */
		uint64_t best = 0, best_at = 0, rest = need - placed;

		for (k = 0; k < ARRAY_SIZE(kinds); k++) {
			len = longest_run(kp, s, e, kinds[k][0], kinds[k][1],
			    UINT64_MAX, &at);
			if (len > best) {
				best = len;
				best_at = at;
			}
		}
		if (best >= rest)
			add_hole(cn, cfg->page_shift, best_at + best - rest,
			    rest);
		else
			add_hole(cn, cfg->page_shift, e - rest, rest);
	}
	return need;
}

struct config *bundle_machine_config(struct bundle *b, char **cause)
{
	struct procfs_zones zs = { NULL, 0 };
	struct kpageflags kp = { NULL, 0 };
	const json_t *m = bundle_manifest(b);
	const char *path = bundle_path(b);
	struct config *cfg;
	uint64_t page_size;
	int i, n, nr_nodes = 0, cpus;
	const char *base;

	page_size = (uint64_t)json_integer_value(json_object_get(m,
	    "page_size"));
	cpus = (int)json_integer_value(json_object_get(m, "nr_cpus"));
	if (!kmsim_is_pow2(page_size) || page_size < 4096 ||
	    page_size > 65536)
		page_size = 4096;
	if (cpus <= 0 || cpus > CONFIG_MAX_CPUS) {
		kmsim_fail(cause, "%s/manifest.json: 'nr_cpus' is missing or"
		    " out of range", path);
		return NULL;
	}
	if (bundle_zones(b, "before", &zs, cause) != 0)
		return NULL;
	if (bundle_kpageflags(b, "before", &kp, cause) < 0)
		goto out_zones;
	for (i = 0; i < zs.n; i++)
		nr_nodes = KMSIM_MAX(nr_nodes, zs.z[i].node + 1);

	cfg = xcalloc(1, sizeof *cfg);
	config_set_defaults(cfg);
	base = strrchr(path, '/');
	xasprintf(&cfg->name, "auto:%s", base ? base + 1 : path);
	xasprintf(&cfg->path, "%s", path);
	cfg->page_size = page_size;
	cfg->page_shift = kmsim_ilog2(page_size);
	cfg->max_order = 10;
	for (i = 0; i < zs.n; i++)
		if (zs.z[i].nr_orders > 0)
			cfg->max_order = (unsigned)zs.z[i].nr_orders - 1;
	cfg->section_size_bits = KMSIM_MAX(27u, cfg->page_shift +
	    cfg->max_order);
	cfg->cpu_mhz = 3000;
	cfg->nr_nodes = nr_nodes;
	cfg->nr_cpus = cpus;
	cfg->nodes = xcalloc((size_t)nr_nodes, sizeof *cfg->nodes);
	cfg->distance = xcalloc((size_t)(nr_nodes * nr_nodes),
	    sizeof *cfg->distance);
	for (n = 0; n < nr_nodes; n++) {
		struct config_node *cn = &cfg->nodes[n];
		uint64_t start = UINT64_MAX, end = 0, hole_pages = 0;
		int z, c, first, count;

		cn->id = n;
		for (i = 0; i < nr_nodes; i++)
			cfg->distance[n * nr_nodes + i] = i == n ? 10 : 20;
		for (i = 0; i < zs.n; i++) {
			const struct procfs_zone *pz = &zs.z[i];

			if (pz->node != n || pz->spanned == 0 || pz->type < 0)
				continue;
			start = KMSIM_MIN(start, pz->start_pfn);
			end = KMSIM_MAX(end, pz->start_pfn + pz->spanned);
		}
		if (start == UINT64_MAX)
			continue;
		/* zones in order, contiguous: a gap joins the zone before */
		for (z = MAX_NR_ZONES - 1; z >= 0; z--) {
			uint64_t zend = end;
			const struct procfs_zone *pz = NULL;

			for (i = 0; i < zs.n; i++)
				if (zs.z[i].node == n && zs.z[i].type == z &&
				    zs.z[i].spanned > 0)
					pz = &zs.z[i];
			if (pz == NULL)
				continue;
			cn->zone_size[z] = (zend - pz->start_pfn) << cfg->page_shift;
			cn->zone_reserved[z] = pz->present - pz->managed;
			end = pz->start_pfn;
		}
		end = start;
		for (z = 0; z < MAX_NR_ZONES; z++)
			end += cn->zone_size[z] >> cfg->page_shift;
		cn->zones_explicit = true;
		cn->start = start << cfg->page_shift;
		cn->span = (end - start) << cfg->page_shift;
		/* holes: what zoneinfo counts (spanned - present), placed
		 * where kpageflags shows them */
		for (z = 0; z < MAX_NR_ZONES; z++) {
			const struct procfs_zone *pz = NULL;

			for (i = 0; i < zs.n; i++)
				if (zs.z[i].node == n && zs.z[i].type == z &&
				    zs.z[i].spanned > 0)
					pz = &zs.z[i];
			if (pz == NULL || pz->spanned <= pz->present)
				continue;
			hole_pages += place_holes(cfg, cn, &kp, pz->start_pfn,
			    pz->start_pfn + pz->spanned,
			    pz->spanned - pz->present);
		}
		cn->memory = ((end - start) - hole_pages) << cfg->page_shift;
		/* CPUs: the manifest gives a count, not a map; spread them */
		first = cpus * n / nr_nodes;
		count = cpus * (n + 1) / nr_nodes - first;
		cn->cpus = xcalloc((size_t)KMSIM_MAX(count, 1), sizeof(int));
		for (c = 0; c < count; c++)
			cn->cpus[c] = first + c;
		cn->nr_cpus = count;
	}
	solve_watermarks(&zs, cfg->page_shift, &cfg->min_free_kbytes,
	    &cfg->watermark_scale_factor);
	cfg->lowmem_reserve_ratio[ZONE_DMA] = 256;
	cfg->lowmem_reserve_ratio[ZONE_DMA32] = 256;
	cfg->lowmem_reserve_ratio[ZONE_NORMAL] = 32;
	cfg->lowmem_reserve_ratio[ZONE_HIGHMEM] = 0;
	cfg->lowmem_reserve_ratio[ZONE_MOVABLE] = 0;
	kpageflags_free(&kp);
	procfs_zones_free(&zs);
	return cfg;

out_zones:
	procfs_zones_free(&zs);
	return NULL;
}
