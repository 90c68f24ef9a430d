/*
 * test-percpu.c - the percpu allocator: placement and alignment worked
 * out by hand from mm/percpu.c's rules, frees coalescing, new chunks
 * populated from the buddy, the balance work destroying a spare empty
 * chunk, atomic requests that would need population, and bytes_alloc as
 * a 6.18 kernel reported it in percpu_alloc_percpu events.
 */
#include "mkmachine.h"
#include "mm/percpu.h"
#include "tap.h"

/*
 * One node of 64 MiB, 2 CPUs.  The first chunk's dynamic area starts page
 * aligned right after a one-page static area (no reserved chunk), so its
 * offsets count from 0 and it holds 28 KiB: 7 pages.
 */
static struct machine *mk(struct config *cfg, struct config_node *nodes)
{
	mk_config(cfg, nodes, 1, 64 * MiB, 0, 0);
	return machine_create(cfg, NULL);
}

static const struct percpu_opts small_first = {
	.static_size = 4096, .no_reserved = true,
};

static int alloc_at(struct percpu *p, uint64_t size, uint64_t align,
    gfp_t gfp, percpu_handle_t *h, struct percpu_result *res)
{
	struct percpu_request req = { .size = size, .align = align,
	    .gfp = gfp, .cpu = 0 };
	struct percpu_result r;
	percpu_handle_t hh;

	if (res == NULL)
		res = &r;
	if (h == NULL)
		h = &hh;
	if (percpu_alloc(p, &req, h, res, NULL) != 0 || res->failed)
		return -1;
	return (int)res->off;
}

static uint64_t zone_free(const struct zone *z)
{
	return z->free_pages + z->pcp_pages;	/* pcp pages are free too */
}

TEST(first_fit_and_alignment)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m = mk(&cfg, nodes);
	struct percpu *p;
	struct percpu_stats st;
	struct percpu_chunk_info ci;
	percpu_handle_t hb;

	ASSERT(m != NULL);
	p = percpu_create(m, &small_first);
	ASSERT(p != NULL);
	ASSERT(percpu_chunk_info(p, 0, &ci));
	ASSERT(ci.first);
	ASSERT_EQ(ci.nr_pages, 7);
	ASSERT_EQ(ci.free_bytes, 28 << 10);
	/* the kernel's unit for 2 CPUs in a 2 MiB atom */
	percpu_get_stats(p, &st);
	ASSERT_UEQ(st.unit_size, 1 << 20);

	ASSERT_EQ(alloc_at(p, 4, 4, GFP_KERNEL, NULL, NULL), 0);
	/* 4 is free but not 8-aligned: a 4-byte hole is left */
	ASSERT_EQ(alloc_at(p, 8, 8, GFP_KERNEL, &hb, NULL), 8);
	/* first fit takes the hole */
	ASSERT_EQ(alloc_at(p, 4, 4, GFP_KERNEL, NULL, NULL), 4);
	/* 16..64 free, 64 the first 64-aligned offset */
	ASSERT_EQ(alloc_at(p, 64, 64, GFP_KERNEL, NULL, NULL), 64);
	ASSERT_EQ(alloc_at(p, 16, 16, GFP_KERNEL, NULL, NULL), 16);
	/* 3 bytes round up to 4; align 1 becomes 4 */
	ASSERT_EQ(alloc_at(p, 3, 1, GFP_KERNEL, NULL, NULL), 32);
	/* a page-aligned page: the second page */
	ASSERT_EQ(alloc_at(p, 4096, 4096, GFP_KERNEL, NULL, NULL), 4096);
	/* 36 is not 8-aligned */
	ASSERT_EQ(alloc_at(p, 8, 8, GFP_KERNEL, NULL, NULL), 40);
	/* 48..64 holds 16 bytes at 16-alignment */
	ASSERT_EQ(alloc_at(p, 16, 16, GFP_KERNEL, NULL, NULL), 48);
	/* the freed 8 comes back at the same place */
	ASSERT_EQ(percpu_free(p, hb, 0, NULL, NULL), 0);
	ASSERT_EQ(alloc_at(p, 8, 8, GFP_KERNEL, NULL, NULL), 8);
	/* a 32-byte area 32-aligned: 128 (64..128 taken) */
	ASSERT_EQ(alloc_at(p, 32, 32, GFP_KERNEL, NULL, NULL), 128);

	percpu_get_stats(p, &st);
	ASSERT_UEQ(st.nr_cur_alloc, 10);
	ASSERT_UEQ(st.bytes_in_use, 4 + 8 + 4 + 64 + 16 + 4 + 4096 + 8 + 16 +
	    32);
	/* the successful searches skipped 4 (at 4), 48 (16..64), 4 (at
	 * 36) and 12 (36..48) free bytes for alignment; the 32-byte one
	 * started from a busy bit */
	ASSERT_UEQ(st.align_skipped, 4 + 48 + 4 + 12);
	/* nothing came from the buddy: the first chunk is boot memory */
	ASSERT_UEQ(st.backing_frames, 0);
	ASSERT_EQ(st.nr_chunks, 1);
	ASSERT_EQ(percpu_check(p, NULL), 0);

	/* bad requests are refused like the kernel's WARN */
	{
		struct percpu_request bad = { .size = 8, .align = 12,
		    .gfp = GFP_KERNEL };
		percpu_handle_t h;
		char *cause = NULL;

		ASSERT_EQ(percpu_alloc(p, &bad, &h, NULL, &cause), -1);
		ASSERT_CONTAINS(cause, "illegal");
		free(cause);
		bad.align = 8;
		bad.size = (32 << 10) + 4;
		ASSERT_EQ(percpu_alloc(p, &bad, &h, NULL, NULL), -1);
		/* the handle names chunk and offset: it frees the area
		 * now at 8; again, it is refused */
		ASSERT_EQ(percpu_free(p, hb, 0, NULL, NULL), 0);
		ASSERT_EQ(percpu_free(p, hb, 0, NULL, NULL), -1);
	}
	percpu_destroy(p);
	machine_destroy(m);
}

TEST(free_coalesces_so_a_large_area_fits)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m = mk(&cfg, nodes);
	struct percpu *p;
	struct percpu_result res;
	percpu_handle_t h[7];
	int i;

	ASSERT(m != NULL);
	p = percpu_create(m, &small_first);
	for (i = 0; i < 7; i++)
		ASSERT_EQ(alloc_at(p, 4096, 4096, GFP_KERNEL, &h[i], NULL),
		    i * 4096);
	/* full: a 12 KiB area goes to a new chunk */
	ASSERT_EQ(alloc_at(p, 12288, 8, GFP_KERNEL, NULL, &res), 0);
	ASSERT_EQ(res.chunk, 1);
	ASSERT_EQ(res.chunks_created, 1);
	/* pages 2, 3 and 4 freed one by one merge into 12 KiB; the
	 * fuller first chunk sits in a lower slot and is tried first */
	ASSERT_EQ(percpu_free(p, h[3], 0, NULL, NULL), 0);
	ASSERT_EQ(percpu_free(p, h[2], 0, NULL, NULL), 0);
	ASSERT_EQ(percpu_free(p, h[4], 0, NULL, NULL), 0);
	ASSERT_EQ(percpu_check(p, NULL), 0);
	ASSERT_EQ(alloc_at(p, 12288, 8, GFP_KERNEL, NULL, &res), 8192);
	ASSERT_EQ(res.chunk, 0);
	ASSERT_EQ(res.chunks_created, 0);
	/* and nothing more fits there */
	ASSERT_EQ(alloc_at(p, 4, 4, GFP_KERNEL, NULL, &res), 12288);
	ASSERT_EQ(res.chunk, 1);
	ASSERT_EQ(percpu_check(p, NULL), 0);
	percpu_destroy(p);
	machine_destroy(m);
}

TEST(new_chunk_is_populated_from_the_buddy)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m = mk(&cfg, nodes);
	struct percpu *p;
	struct percpu_result res;
	struct percpu_stats st;
	struct percpu_chunk_info ci;
	struct zone *z;
	uint64_t before;
	int i;

	ASSERT(m != NULL);
	z = m->zones[0];
	p = percpu_create(m, &small_first);
	for (i = 0; i < 7; i++)
		ASSERT(alloc_at(p, 4096, 4096, GFP_KERNEL, NULL, NULL) >= 0);
	before = zone_free(z);
	/* 20 KiB at 4 KiB alignment: a new chunk, 5 pages populated in
	 * each of the 2 units */
	ASSERT_EQ(alloc_at(p, 20480, 4096, GFP_KERNEL, NULL, &res), 0);
	ASSERT_EQ(res.chunk, 1);
	ASSERT_EQ(res.chunks_created, 1);
	ASSERT_EQ(res.pages_populated, 5);
	ASSERT_UEQ(before - zone_free(z), 2 * 5);
	ASSERT_GT(res.cycles, m->cost.c[COST_PCPU_CHUNK_CREATE]);
	/* the next area shares the last populated page, then needs one */
	ASSERT_EQ(alloc_at(p, 2048, 4, GFP_KERNEL, NULL, &res), 20480);
	ASSERT_EQ(res.pages_populated, 1);
	ASSERT_EQ(alloc_at(p, 2048, 4, GFP_KERNEL, NULL, &res), 22528);
	ASSERT_EQ(res.pages_populated, 0);
	ASSERT_UEQ(before - zone_free(z), 2 * 6);
	percpu_get_stats(p, &st);
	ASSERT_UEQ(st.backing_frames, 12);
	ASSERT_EQ(st.nr_chunks, 2);
	ASSERT(percpu_chunk_info(p, 1, &ci));
	ASSERT_EQ(ci.nr_pages, 256);
	ASSERT_EQ(ci.nr_populated, 6);
	ASSERT_EQ(ci.nr_empty_pop_pages, 0);
	/* meminfo's Percpu: the first chunk's 8 pages plus 6, per unit */
	ASSERT_UEQ(st.meminfo_kb, (8 + 6) * 2 * 4);
	ASSERT_EQ(percpu_check(p, NULL), 0);
	/* destroying the allocator gives every frame back */
	percpu_destroy(p);
	ASSERT_UEQ(zone_free(z), before);
	machine_destroy(m);
}

TEST(balance_destroys_a_spare_empty_chunk)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m = mk(&cfg, nodes);
	struct percpu_opts o = small_first;
	struct percpu *p;
	struct percpu_result res;
	struct percpu_stats st;
	struct zone *z;
	percpu_handle_t a, b, c;
	uint64_t before;
	int i;

	ASSERT(m != NULL);
	z = m->zones[0];
	o.unit_size = 64 << 10;		/* 16-page chunks */
	p = percpu_create(m, &o);
	for (i = 0; i < 7; i++)
		ASSERT(alloc_at(p, 4096, 4096, GFP_KERNEL, NULL, NULL) >= 0);
	before = zone_free(z);
	ASSERT_EQ(alloc_at(p, 32768, 4096, GFP_KERNEL, &a, &res), 0);
	ASSERT_EQ(res.chunk, 1);
	ASSERT_EQ(alloc_at(p, 32768, 4096, GFP_KERNEL, &b, &res), 32768);
	ASSERT_EQ(res.chunk, 1);
	ASSERT_EQ(alloc_at(p, 32768, 4096, GFP_KERNEL, &c, &res), 0);
	ASSERT_EQ(res.chunk, 2);
	ASSERT_UEQ(before - zone_free(z), 2 * 24);
	/* no free populated page is left: the kernel wants the balance
	 * work to populate PCPU_EMPTY_POP_PAGES_HIGH of chunk 2's */
	ASSERT(percpu_balance_pending(p));
	percpu_balance(p, &res);
	ASSERT(!percpu_balance_pending(p));
	ASSERT_EQ(res.pages_populated, PCPU_EMPTY_POP_PAGES_HIGH);
	ASSERT_EQ(res.chunks_destroyed, 0);
	ASSERT_UEQ(before - zone_free(z), 2 * 28);
	ASSERT_EQ(percpu_free(p, a, 0, NULL, NULL), 0);
	ASSERT_EQ(percpu_free(p, b, 0, NULL, NULL), 0);
	/* one fully free chunk is kept: nothing to do yet */
	ASSERT(!percpu_balance_pending(p));
	ASSERT_EQ(percpu_free(p, c, 0, NULL, NULL), 0);
	/* a second one wakes the balance work */
	ASSERT(percpu_balance_pending(p));
	percpu_get_stats(p, &st);
	ASSERT_EQ(st.nr_chunks, 3);
	ASSERT_UEQ(st.empty_pop_pages, 16 + 12);
	percpu_balance(p, &res);
	ASSERT(!percpu_balance_pending(p));
	/* the older one (chunk 1, 16 pages) goes, chunk 2 is spared */
	ASSERT_EQ(res.chunks_destroyed, 1);
	ASSERT_EQ(res.pages_depopulated, 16);
	ASSERT_EQ(res.pages_populated, 0);
	ASSERT_UEQ(before - zone_free(z), 2 * 12);
	percpu_get_stats(p, &st);
	ASSERT_EQ(st.nr_chunks, 2);
	ASSERT_UEQ(st.backing_frames, 24);
	ASSERT_EQ(percpu_lookup(p, 1, 0), PERCPU_HANDLE_NONE);
	ASSERT_EQ(percpu_check(p, NULL), 0);
	/* nothing more to free */
	percpu_balance(p, &res);
	ASSERT_EQ(res.chunks_destroyed, 0);
	ASSERT_UEQ(before - zone_free(z), 2 * 12);
	percpu_destroy(p);
	ASSERT_UEQ(zone_free(z), before);
	machine_destroy(m);
}

TEST(atomic_fails_when_population_is_needed)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m = mk(&cfg, nodes);
	struct percpu *p;
	struct percpu_result res;
	struct percpu_stats st;
	struct zone *z;
	uint64_t before;
	int i;

	ASSERT(m != NULL);
	z = m->zones[0];
	p = percpu_create(m, &small_first);
	for (i = 0; i < 7; i++)
		ASSERT(alloc_at(p, 4096, 4096, GFP_KERNEL, NULL, NULL) >= 0);
	/* the first chunk is full and no other exists: an atomic request
	 * cannot create one */
	ASSERT_EQ(alloc_at(p, 8, 8, GFP_ATOMIC, NULL, &res), -1);
	ASSERT(res.failed);
	ASSERT_STREQ(res.why, "atomic alloc failed, no space left");
	ASSERT_EQ(res.chunks_created, 0);
	ASSERT(percpu_balance_pending(p));
	/* a blocking one creates chunk 1 and populates its page 0 */
	ASSERT_EQ(alloc_at(p, 64, 8, GFP_KERNEL, NULL, &res), 0);
	ASSERT_EQ(res.chunk, 1);
	before = zone_free(z);
	/* atomic, inside the populated page: fine, no pages taken */
	ASSERT_EQ(alloc_at(p, 8, 8, GFP_ATOMIC, NULL, &res), 64);
	ASSERT_EQ(res.pages_populated, 0);
	/* a page-aligned page would need population: refused */
	ASSERT_EQ(alloc_at(p, 4096, 4096, GFP_ATOMIC, NULL, &res), -1);
	ASSERT(res.failed);
	ASSERT_UEQ(zone_free(z), before);
	/* GFP_NOWAIT has no direct reclaim either */
	ASSERT_EQ(alloc_at(p, 4096, 4096, GFP_BIT_KSWAPD_RECLAIM |
	    GFP_BIT_NOWARN, NULL, &res), -1);
	/* the balance work, told an atomic request failed, populates
	 * PCPU_EMPTY_POP_PAGES_HIGH pages of the fullest chunk */
	percpu_balance(p, &res);
	ASSERT_EQ(res.pages_populated, PCPU_EMPTY_POP_PAGES_HIGH);
	ASSERT_UEQ(before - zone_free(z), 2 * PCPU_EMPTY_POP_PAGES_HIGH);
	percpu_get_stats(p, &st);
	ASSERT_UEQ(st.empty_pop_pages, PCPU_EMPTY_POP_PAGES_HIGH);
	/* now the atomic page fits in page 1, already populated */
	ASSERT_EQ(alloc_at(p, 4096, 4096, GFP_ATOMIC, NULL, &res), 4096);
	ASSERT_EQ(res.pages_populated, 0);
	ASSERT_UEQ(before - zone_free(z), 2 * PCPU_EMPTY_POP_PAGES_HIGH);
	ASSERT_EQ(percpu_check(p, NULL), 0);
	percpu_destroy(p);
	machine_destroy(m);
}

/*
 * Lines of a 6.18 x86-64 capture on 2 CPUs with kmem accounting on: two
 * areas allocated back to back, as mm_init() and
 * __percpu_counter_init_many() do for each new mm.
 */
static const char *const trace_lines[] = {
	"bash-12295   [001] .....  1244.710312: percpu_alloc_percpu: "
	"call_site=mm_init+0x2bf/0x4d0 reserved=0 is_atomic=0 size=16 "
	"align=8 base_addr=000000007335b022 off=22656 "
	"ptr=00000000b8f4c847 bytes_alloc=64 gfp_flags=GFP_KERNEL",
	"bash-12295   [001] .....  1244.710313: percpu_alloc_percpu: "
	"call_site=__percpu_counter_init_many+0x27/0x130 reserved=0 "
	"is_atomic=0 size=16 align=4 base_addr=000000007335b022 off=22672 "
	"ptr=000000003a9422d7 bytes_alloc=64 gfp_flags=GFP_KERNEL_ACCOUNT",
};

static uint64_t field(const char *line, const char *name)
{
	const char *s = strstr(line, name);

	return s ? strtoull(s + strlen(name), NULL, 10) : UINT64_MAX;
}

TEST(bytes_alloc_like_the_trace)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m = mk(&cfg, nodes);
	struct percpu *p;
	struct percpu_opts o = { .no_memcg = true };
	struct percpu_result res;
	int off[2];

	ASSERT(m != NULL);
	ASSERT_EQ(m->nr_cpus, 2);
	p = percpu_create(m, NULL);
	for (int i = 0; i < 2; i++) {
		const char *l = trace_lines[i];
		const char *g = strstr(l, "gfp_flags=") + 10;
		struct percpu_request req = { .size = field(l, " size="),
		    .align = field(l, " align="), .cpu = 1 };
		percpu_handle_t h;

		ASSERT_EQ(gfp_parse(g, &req.gfp, NULL), 0);
		ASSERT_EQ(percpu_alloc(p, &req, &h, &res, NULL), 0);
		ASSERT(!res.failed);
		/* pcpu_obj_full_size(): 16 * 2 CPUs + 16 / 4 obj_cgroup
		 * pointers of 8 bytes */
		ASSERT_UEQ(res.bytes_alloc, field(l, "bytes_alloc="));
		ASSERT_EQ(res.off % req.align, 0);
		off[i] = (int)res.off;
	}
	/* placed back to back, as the kernel placed them */
	ASSERT_EQ(off[1] - off[0], (int)(field(trace_lines[1], " off=") -
	    field(trace_lines[0], " off=")));
	percpu_destroy(p);

	/* without kmem accounting only the units count */
	p = percpu_create(m, &o);
	ASSERT_UEQ(percpu_bytes_alloc(p, 16), 32);
	ASSERT_UEQ(percpu_bytes_alloc(p, 13), 32);
	percpu_destroy(p);
	machine_destroy(m);
}

/*
 * A long mixed run: the hints stay consistent with the bitmaps after
 * every operation, and every area honours its alignment and lies within
 * its chunk.  Deterministic (a fixed LCG).
 */
TEST(hints_stay_consistent)
{
	struct config cfg;
	struct config_node nodes[1];
	struct machine *m = mk(&cfg, nodes);
	struct percpu_opts o = small_first;
	struct percpu *p;
	enum { N = 600 };
	percpu_handle_t live[N];
	uint64_t seed = 12345;
	int nlive = 0, i;
	char *cause = NULL;
	uint64_t free0;

	ASSERT(m != NULL);
	free0 = zone_free(m->zones[0]);
	o.unit_size = 64 << 10;
	p = percpu_create(m, &o);
	for (i = 0; i < 6000; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		if (nlive < N && (nlive == 0 || (seed >> 33) % 5 < 3)) {
			static const uint64_t sizes[] = { 4, 8, 12, 16, 24,
			    40, 64, 200, 1024, 3000, 8192 };
			struct percpu_request req = {
				.size = sizes[(seed >> 40) % 11],
				.align = UINT64_C(1) << ((seed >> 50) % 8),
				.gfp = (seed >> 20) % 7 ? GFP_KERNEL :
				    GFP_ATOMIC,
			};
			struct percpu_result res;
			percpu_handle_t h;

			ASSERT_EQ(percpu_alloc(p, &req, &h, &res, NULL), 0);
			if (!res.failed) {
				ASSERT_EQ(res.off % KMSIM_MAX(req.align, 4), 0);
				live[nlive++] = h;
			}
		} else {
			int k = (int)((seed >> 35) % (uint64_t)nlive);

			ASSERT_EQ(percpu_free(p, live[k], 0, NULL, NULL), 0);
			live[k] = live[--nlive];
		}
		if (i % 500 == 0)
			percpu_balance(p, NULL);
		if (percpu_check(p, &cause) != 0) {
			printf("# step %d: %s\n", i, cause);
			free(cause);
			TAP_FAIL("inconsistent");
		}
	}
	while (nlive > 0)
		ASSERT_EQ(percpu_free(p, live[--nlive], 0, NULL, NULL), 0);
	percpu_balance(p, NULL);
	ASSERT_EQ(percpu_check(p, NULL), 0);
	percpu_destroy(p);
	ASSERT_UEQ(zone_free(m->zones[0]), free0);
	machine_destroy(m);
}

int main(void)
{
	RUN(first_fit_and_alignment);
	RUN(free_coalesces_so_a_large_area_fits);
	RUN(new_chunk_is_populated_from_the_buddy);
	RUN(balance_destroys_a_spare_empty_chunk);
	RUN(atomic_fails_when_population_is_needed);
	RUN(bytes_alloc_like_the_trace);
	RUN(hints_stay_consistent);
	return tap_done();
}
