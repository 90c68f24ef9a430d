/*
 * snapshot.c - the machine's state at one instant (snapshot.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmsim.h"
#include "mm/highmem.h"
#include "mm/pagecache.h"
#include "mm/tlb.h"
#include "mm/vmalloc.h"
#include "hist.h"
#include "results/snapshot.h"

void snapshot_init(struct snapshot *snap)
{
	memset(snap, 0, sizeof *snap);
}

void snapshot_fini(struct snapshot *snap)
{
	free(snap->zones);
	free(snap->slabs);
	snapshot_init(snap);
}

static void snapshot_zone(struct snapshot_zone *sz, const struct machine *m,
    const struct zone *z)
{
	/* max_order < NR_ORDERS_MAX (machine_create() checks it); the
	 * bound says so to the compiler too */
	unsigned nr_orders = KMSIM_MIN(m->max_order + 1, NR_ORDERS_MAX), o, w;
	struct contig_page_info info;

	memset(sz, 0, sizeof *sz);
	sz->node = z->node;
	sz->type = z->type;
	sz->start_pfn = z->zone_start_pfn;
	sz->free_pages = z->free_pages;
	sz->managed_pages = z->managed_pages;
	sz->present_pages = z->present_pages;
	sz->spanned_pages = z->spanned_pages;
	sz->pcp_pages = z->pcp_pages;
	for (w = 0; w < NR_WMARK; w++)
		sz->watermark[w] = z->watermark[w];
	sz->watermark_boost = z->watermark_boost;
	for (o = 0; o < nr_orders && o < NR_ORDERS_MAX; o++)
		sz->nr_free[o] = z->free_area[o].nr_free;
	/* mm/vmstat.c:unusable_show_print() and extfrag_show_print(): the
	 * contig info is filled with the order itself as suitable */
	for (o = 0; o < nr_orders; o++) {
		frag_fill_contig_page_info(sz->nr_free, nr_orders, o, &info);
		sz->unusable[o] = frag_unusable_free_index(o, &info);
		sz->extfrag[o] = frag_fragmentation_index(o, m->max_order,
		    &info);
	}
	/* mm/vmstat.c:pagetypeinfo_showblockcount_print() and the mixed
	 * counts of page_owner, with the free pages on each type's lists */
	for (w = 0; w < MIGRATE_TYPES; w++) {
		sz->pageblocks[w] = z->nr_pageblocks[w];
		sz->mixed_pageblocks[w] = z->nr_mixed_pageblocks[w];
		for (o = 0; o < nr_orders && o < NR_ORDERS_MAX; o++)
			sz->free_mt_pages[w] += z->free_area[o].nr_free_mt[w]
			    << o;
	}
}

/*
 * The vmalloc, TLB and highmem figures as name/value pairs, for the vmstat
 * table at every snapshot and the summary: fills up to max, returns how
 * many.
 */
static int snapshot_vm_values(const struct snapshot_src *src,
    const char **names, uint64_t *v)
{
	static const char *const lv[TLB_NR_LEVELS] = { "l1", "l2" };
	static char tlb_names[TLB_NR_LEVELS * 2][TLB_NR_SIZES][32];
	int n = 0, l, z;

#define VAL(name, value) do { names[n] = (name); v[n++] = (value); } while (0)
	if (src->vm != NULL) {
		struct vmalloc_stats st;

		vmalloc_get_stats(src->vm, &st);
		VAL("vmalloc_used_bytes", st.used_bytes);
		VAL("vmalloc_mapped_pages", st.mapped_pages);
		VAL("vmalloc_free_areas", st.nr_free_areas);
		VAL("vmalloc_largest_free", st.largest_free);
		VAL("vmalloc_lazy_pages", st.lazy_pages);
		VAL("vmalloc_purges", st.nr_purges);
		VAL("vmalloc_failed", st.nr_failed);
		VAL("pagetable_pages", st.pt_pages_total);
	}
	if (src->tlb != NULL) {
		struct tlb_stats ts;

		tlb_get_stats(src->tlb, -1, &ts);
		VAL("tlb_accesses", ts.accesses);
		for (l = 0; l < TLB_NR_LEVELS; l++) {
			for (z = 0; z < TLB_NR_SIZES; z++) {
				snprintf(tlb_names[2 * l][z], 32, "tlb_%s_hits_%s",
				    lv[l], tlb_size_names[z]);
				snprintf(tlb_names[2 * l + 1][z], 32,
				    "tlb_%s_misses_%s", lv[l],
				    tlb_size_names[z]);
				VAL(tlb_names[2 * l][z], ts.hits[l][z]);
				VAL(tlb_names[2 * l + 1][z], ts.misses[l][z]);
			}
		}
		VAL("tlb_walks", ts.walks[TLB_4K] + ts.walks[TLB_2M] +
		    ts.walks[TLB_1G]);
		VAL("tlb_walk_cycles", ts.walk_cycles);
		VAL("tlb_shootdowns", ts.shootdowns);
		VAL("tlb_full_flushes", ts.full_flushes);
	}
	if (src->hm != NULL) {
		struct highmem_stats hs;

		highmem_get_stats(src->hm, &hs);
		VAL("kmap_slots_in_use", hs.slots_in_use);
		VAL("kmap_calls", hs.nr_kmap);
		VAL("kmap_flushes", hs.nr_flushes);
		VAL("kmap_waits", hs.nr_waits);
	}
#undef VAL
	return n;
}

void snapshot_take(struct snapshot *snap, const struct snapshot_src *src,
    uint64_t cycles, uint64_t ns)
{
	const struct machine *m = src->m;
	int i;

	snap->cycles = cycles;
	snap->ns = ns;
	snap->max_order = m->max_order;
	snap->nr_orders = m->max_order + 1;
	if (snap->nr_zones != m->nr_zones) {
		free(snap->zones);
		snap->zones = xcalloc((size_t)m->nr_zones,
		    sizeof *snap->zones);
		snap->nr_zones = m->nr_zones;
	}
	for (i = 0; i < m->nr_zones; i++)
		snapshot_zone(&snap->zones[i], m, m->zones[i]);
	memcpy(snap->vm_events, m->vm_events, sizeof snap->vm_events);

	snap->nr_slabs = 0;
	if (src->slab != NULL) {
		const struct slab_world *w = src->slab;

		snap->slabs = xreallocarray(snap->slabs,
		    (size_t)KMSIM_MAX(w->nr_caches, 1), sizeof *snap->slabs);
		for (i = 0; i < w->nr_caches; i++) {
			const struct kmem_cache *c = w->caches[i];
			struct snapshot_slab *ss = &snap->slabs[i];

			ss->name = c->name;
			slab_get_info(w, c, &ss->info);
			ss->bytes_requested = c->bytes_requested;
			ss->bytes_allocated = c->bytes_allocated;
		}
		snap->nr_slabs = (size_t)w->nr_caches;
	}

	snap->nr_vm_values = snapshot_vm_values(src, snap->value_names,
	    snap->values);
	snap->nr_values = snap->nr_vm_values;
	/* the page cache's figures are rows of the same table */
	if (src->pc != NULL)
		snap->nr_values += pagecache_values(src->pc,
		    snap->value_names + snap->nr_values,
		    snap->values + snap->nr_values,
		    SNAPSHOT_VALUES - snap->nr_values);
}
