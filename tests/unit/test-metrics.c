/*
 * test-metrics.c - the log-linear histogram and the fragmentation indices
 * of mm/vmstat.c, against values worked out by hand.
 */

#include <stdlib.h>

#include "tap.h"
#include "kmsim.h"
#include "hist.h"
#include "mm/vmstat.h"

static struct hist *hist_new(void)
{
	struct hist *h = malloc(sizeof *h);

	if (h == NULL)
		abort();
	hist_init(h);
	return h;
}

/* A deterministic spread of values over the whole u64 range. */
static uint64_t next_value(uint64_t *state)
{
	uint64_t x = (*state += 0x9e3779b97f4a7c15ULL);

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	x ^= x >> 31;
	/* Vary the magnitude too: shift right by 0..63 bits. */
	return x >> (x & 63);
}

TEST(small_values_are_exact)
{
	uint64_t v;

	for (v = 0; v < 64; v++) {
		ASSERT_EQ(hist_bucket(v), v);
		ASSERT_UEQ(hist_bucket_low(hist_bucket(v)), v);
		ASSERT_UEQ(hist_bucket_high(hist_bucket(v)), v);
	}
}

TEST(bucket_hand_computed)
{
	/* 64 = 2^6: shift 1, sub (64 >> 1) - 32 = 0, bucket 2*32 + 0 = 64,
	 * width 2, so 64 and 65 share it and 66 opens the next. */
	ASSERT_EQ(hist_bucket(64), 64);
	ASSERT_EQ(hist_bucket(65), 64);
	ASSERT_EQ(hist_bucket(66), 65);
	ASSERT_UEQ(hist_bucket_high(64), 65);
	/* 1000: ilog2 9, shift 4, 1000 >> 4 = 62, bucket 5*32 + 62 - 32 =
	 * 190, spanning 62 << 4 = 992 .. 992 + 15 = 1007. */
	ASSERT_EQ(hist_bucket(1000), 190);
	ASSERT_UEQ(hist_bucket_low(190), 992);
	ASSERT_UEQ(hist_bucket_high(190), 1007);
	/* UINT64_MAX: ilog2 63, shift 58, (2^64-1) >> 58 = 63, bucket
	 * 59*32 + 31 = 1919, the last one. */
	ASSERT_EQ(hist_bucket(UINT64_MAX), 1919);
	ASSERT_EQ(HIST_NBUCKETS, 1920);
	ASSERT_UEQ(hist_bucket_low(1919), UINT64_C(63) << 58);
	ASSERT_UEQ(hist_bucket_high(1919), UINT64_MAX);
}

TEST(buckets_tile_the_range)
{
	unsigned b;
	uint64_t low, high, width;

	ASSERT_UEQ(hist_bucket_low(0), 0);
	for (b = 0; b < HIST_NBUCKETS; b++) {
		low = hist_bucket_low(b);
		high = hist_bucket_high(b);
		ASSERT(low <= high);
		ASSERT_EQ(hist_bucket(low), b);
		ASSERT_EQ(hist_bucket(high), b);
		/* Adjacent, no gap, no overlap: monotone. */
		if (b + 1 < HIST_NBUCKETS)
			ASSERT_UEQ(hist_bucket_low(b + 1), high + 1);
		/* Relative width at most 1/32 of the lower bound. */
		width = high - low + 1;
		if (low >= 32)
			ASSERT(width <= low / 32);
		else
			ASSERT_UEQ(width, 1);
	}
	ASSERT_UEQ(hist_bucket_high(HIST_NBUCKETS - 1), UINT64_MAX);
}

TEST(every_value_inside_its_bucket)
{
	uint64_t state = 42, v, prev = 0;
	unsigned b, i, e;

	for (i = 0; i < 200000; i++) {
		v = next_value(&state);
		b = hist_bucket(v);
		ASSERT(b < HIST_NBUCKETS);
		ASSERT(hist_bucket_low(b) <= v);
		ASSERT(v <= hist_bucket_high(b));
	}
	/* Powers of two and their neighbours, up to UINT64_MAX. */
	for (e = 0; e < 64; e++) {
		uint64_t p = UINT64_C(1) << e, vs[3] = { p - 1, p, p + 1 };

		for (i = 0; i < 3; i++) {
			b = hist_bucket(vs[i]);
			ASSERT(hist_bucket_low(b) <= vs[i]);
			ASSERT(vs[i] <= hist_bucket_high(b));
			/* Monotone in the value. */
			ASSERT(vs[i] < prev || hist_bucket(prev) <= b);
			prev = vs[i];
		}
	}
	b = hist_bucket(UINT64_MAX);
	ASSERT(hist_bucket_low(b) <= UINT64_MAX - 1);
	ASSERT_UEQ(hist_bucket_high(b), UINT64_MAX);
	ASSERT(hist_bucket(UINT64_MAX - 1) == b);
}

TEST(percentiles_uniform)
{
	struct hist *h = hist_new();
	uint64_t v, p50;

	for (v = 1; v <= 1000; v++)
		hist_record(h, v);
	ASSERT_UEQ(h->count, 1000);
	ASSERT_UEQ(h->min, 1);
	ASSERT_UEQ(h->max, 1000);
	ASSERT_UEQ(h->sum, 500500);
	ASSERT_DBL_NEAR(hist_mean(h), 500.5, 1e-9);
	/* rank ceil(0.5 * 1000) = 500; 500: ilog2 8, shift 3, bucket
	 * 496 .. 503, so the upper bound 503. */
	p50 = hist_percentile(h, 50);
	ASSERT(p50 >= 500 - 16 && p50 <= 500 + 16);	/* 3.2 % */
	ASSERT_UEQ(p50, 503);
	/* rank 900: bucket 896 .. 911 (shift 4). */
	ASSERT_UEQ(hist_percentile(h, 90), 911);
	/* rank 1 is the value 1, exact. */
	ASSERT_UEQ(hist_percentile(h, 0.1), 1);
	/* p99: rank 990 in 976 .. 991. */
	ASSERT_UEQ(hist_percentile(h, 99), 991);
	/* The bucket of 999 ends at 1007: clamped to max. */
	ASSERT_UEQ(hist_percentile(h, 99.9), 1000);
	ASSERT_UEQ(hist_percentile(h, 100), 1000);
	free(h);
}

TEST(percentile_rank_is_not_off_by_one)
{
	struct hist *h = hist_new();
	int i;

	/* 999 ones and one 20: p99.9 is rank 999 (a one), although
	 * 99.9 / 100 * 1000 is 999.0000000000001 in binary floating point;
	 * p99.91 is rank ceil(999.1) = 1000, the 20. */
	for (i = 0; i < 999; i++)
		hist_record(h, 1);
	hist_record(h, 20);
	ASSERT_UEQ(hist_percentile(h, 99.9), 1);
	ASSERT_UEQ(hist_percentile(h, 99.91), 20);
	ASSERT_UEQ(hist_percentile(h, 100), 20);
	free(h);
}

TEST(percentiles_single_and_empty)
{
	struct hist *h = hist_new();

	ASSERT_UEQ(hist_percentile(h, 50), 0);
	ASSERT_UEQ(hist_percentile(h, 100), 0);
	ASSERT_DBL_NEAR(hist_mean(h), 0, 0);
	/* 12345 sits in a bucket 12288 .. 12543; every percentile is
	 * clamped to [min, max] = 12345. */
	hist_record(h, 12345);
	ASSERT_UEQ(hist_percentile(h, 0.001), 12345);
	ASSERT_UEQ(hist_percentile(h, 50), 12345);
	ASSERT_UEQ(hist_percentile(h, 100), 12345);
	ASSERT_DBL_NEAR(hist_mean(h), 12345, 0);
	free(h);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

TEST(percentiles_against_exact_quantiles)
{
	enum { N = 10007 };
	static const double ps[] = { 1, 10, 25, 50, 75, 90, 99, 99.9, 100 };
	struct hist *h = hist_new();
	uint64_t *vals = malloc(N * sizeof *vals), state = 7, exact, got;
	unsigned i, rank;

	ASSERT(vals != NULL);
	for (i = 0; i < N; i++) {
		vals[i] = next_value(&state) % 1000000000;
		hist_record(h, vals[i]);
	}
	qsort(vals, N, sizeof *vals, cmp_u64);
	for (i = 0; i < ARRAY_SIZE(ps); i++) {
		rank = (unsigned)(ps[i] * N / 100);
		if (rank * 100.0 < ps[i] * N)
			rank++;
		exact = vals[rank - 1];
		got = hist_percentile(h, ps[i]);
		/* At or above the true value, by at most a bucket width. */
		if (got < exact || got > exact + exact / 32) {
			free(vals);
			free(h);
			TAP_FAIL("p%g: %" PRIu64 " vs exact %" PRIu64, ps[i],
			    got, exact);
		}
	}
	free(vals);
	free(h);
}

TEST(merge)
{
	struct hist *a = hist_new(), *b = hist_new(), *all = hist_new();
	struct hist *empty = hist_new();
	uint64_t v;
	unsigned i;

	for (v = 1; v <= 1000; v++) {
		hist_record(v <= 500 ? a : b, v * 37);
		hist_record(all, v * 37);
	}
	hist_merge(a, b);
	ASSERT_UEQ(a->count, all->count);
	ASSERT_UEQ(a->sum, all->sum);
	ASSERT_UEQ(a->min, 37);
	ASSERT_UEQ(a->max, 37000);
	for (i = 0; i < HIST_NBUCKETS; i++)
		ASSERT_UEQ(a->buckets[i], all->buckets[i]);
	ASSERT_UEQ(hist_percentile(a, 50), hist_percentile(all, 50));

	/* An empty source changes nothing; an empty destination becomes a
	 * copy (its min is not the 0 of an empty histogram). */
	hist_merge(b, empty);
	ASSERT_UEQ(b->count, 500);
	ASSERT_UEQ(b->min, 501 * 37);
	hist_merge(empty, b);
	ASSERT_UEQ(empty->min, 501 * 37);
	ASSERT_UEQ(empty->max, 37000);
	ASSERT_UEQ(empty->count, 500);

	/* The sum saturates instead of wrapping. */
	hist_record(empty, UINT64_MAX);
	hist_record(empty, UINT64_MAX);
	ASSERT_UEQ(empty->sum, UINT64_MAX);
	ASSERT_UEQ(empty->max, UINT64_MAX);
	ASSERT_UEQ(hist_percentile(empty, 100), UINT64_MAX);
	free(a);
	free(b);
	free(all);
	free(empty);
}

/* ---- fragmentation indices (max_order 10, 11 orders) ---- */

#define MAXO 10

struct frag_case {
	int unusable[MAXO + 2];
	int extfrag[MAXO + 2];
};

static void frag_compute(const uint64_t *nr_free, struct frag_case *out)
{
	struct contig_page_info info;
	unsigned o;

	for (o = 0; o <= MAXO + 1; o++) {
		frag_fill_contig_page_info(nr_free, MAXO + 1, o, &info);
		out->unusable[o] = frag_unusable_free_index(o, &info);
		out->extfrag[o] = frag_fragmentation_index(o, MAXO, &info);
	}
}

TEST(contig_page_info)
{
	/* 10 x order 0, 5 x order 1, 2 x order 2, 1 x order 3. */
	uint64_t nr_free[MAXO + 2] = { 10, 5, 2, 1 };
	struct contig_page_info info;

	/* free_pages = 10 + 5*2 + 2*4 + 1*8 = 36; blocks 18; suitable for
	 * order 2: 2 + (1 << 1) = 4. */
	frag_fill_contig_page_info(nr_free, MAXO + 1, 2, &info);
	ASSERT_UEQ(info.free_pages, 36);
	ASSERT_UEQ(info.free_blocks_total, 18);
	ASSERT_UEQ(info.free_blocks_suitable, 4);
	/* Only nr_orders entries count: an order-11 entry is not read. */
	nr_free[MAXO + 1] = 1000;
	frag_fill_contig_page_info(nr_free, MAXO + 1, 0, &info);
	ASSERT_UEQ(info.free_pages, 36);
	ASSERT_UEQ(info.free_blocks_suitable, 36);
}

TEST(frag_mixed_orders)
{
	uint64_t nr_free[MAXO + 1] = { 10, 5, 2, 1 };
	struct frag_case c;

	frag_compute(nr_free, &c);
	/* free_pages 36, free_blocks_total 18.
	 * unusable = (36 - (suitable << order)) * 1000 / 36:
	 *   order 0: suitable 36, 36 usable -> 0
	 *   order 1: suitable 5 + 2*2 + 1*4 = 13, 26 usable -> 10000/36 = 277
	 *   order 2: suitable 2 + 1*2 = 4, 16 usable -> 20000/36 = 555
	 *   order 3: suitable 1, 8 usable -> 28000/36 = 777
	 *   order 4+: nothing usable -> 1000 */
	ASSERT_EQ(c.unusable[0], 0);
	ASSERT_EQ(c.unusable[1], 277);
	ASSERT_EQ(c.unusable[2], 555);
	ASSERT_EQ(c.unusable[3], 777);
	ASSERT_EQ(c.unusable[4], 1000);
	ASSERT_EQ(c.unusable[10], 1000);
	/* extfrag: a suitable block exists for orders 0..3 -> -1000;
	 * above: 1000 - (1000 + 36000 / requested) / 18:
	 *   order 4:  36000/16 = 2250, 3250/18 = 180 -> 820
	 *   order 5:  36000/32 = 1125, 2125/18 = 118 -> 882
	 *   order 10: 36000/1024 = 35, 1035/18 = 57 -> 943
	 *   order 11 > max_order -> 0 (the kernel WARNs) */
	ASSERT_EQ(c.extfrag[0], -1000);
	ASSERT_EQ(c.extfrag[3], -1000);
	ASSERT_EQ(c.extfrag[4], 820);
	ASSERT_EQ(c.extfrag[5], 882);
	ASSERT_EQ(c.extfrag[10], 943);
	ASSERT_EQ(c.extfrag[11], 0);
}

TEST(frag_empty_zone)
{
	uint64_t nr_free[MAXO + 1] = { 0 };
	struct frag_case c;
	unsigned o;

	/* No free page: unusable 1000 (nothing can be served), extfrag 0
	 * (no free block: a lack of memory, not fragmentation). */
	frag_compute(nr_free, &c);
	for (o = 0; o <= MAXO; o++) {
		ASSERT_EQ(c.unusable[o], 1000);
		ASSERT_EQ(c.extfrag[o], 0);
	}
}

TEST(frag_one_page)
{
	uint64_t nr_free[MAXO + 1] = { 1 };
	struct frag_case c;

	/* One order-0 page.  Order 0: usable, unusable 0, extfrag -1000.
	 * Order 1: unusable (1 - 0) * 1000 / 1 = 1000; extfrag
	 * 1000 - (1000 + 1000/2) / 1 = 1000 - 1500 = -500: the kernel's
	 * formula goes negative when the free pages do not make up one
	 * block; it is not clamped. */
	frag_compute(nr_free, &c);
	ASSERT_EQ(c.unusable[0], 0);
	ASSERT_EQ(c.extfrag[0], -1000);
	ASSERT_EQ(c.unusable[1], 1000);
	ASSERT_EQ(c.extfrag[1], -500);
	/* Order 2: 1000 - (1000 + 1000/4) = -250. */
	ASSERT_EQ(c.extfrag[2], -250);
}

TEST(frag_all_max_order)
{
	uint64_t nr_free[MAXO + 1] = { 0 };
	struct frag_case c;
	unsigned o;

	/* 4 blocks of order 10 = 4096 pages: every order is served by
	 * splitting; suitable << order is 4096 at each order. */
	nr_free[10] = 4;
	frag_compute(nr_free, &c);
	for (o = 0; o <= MAXO; o++) {
		ASSERT_EQ(c.unusable[o], 0);
		ASSERT_EQ(c.extfrag[o], -1000);
	}
}

TEST(frag_shattered)
{
	uint64_t nr_free[MAXO + 1] = { 1000 };
	uint64_t mixed[MAXO + 1] = { 3, 0, 1 };
	struct frag_case c;

	/* 1000 single pages.  Order 3: 1000*1000/8 = 125000,
	 * (1000 + 125000) / 1000 = 126 -> 874.  Order 9:
	 * 1000000/512 = 1953, 2953/1000 = 2 -> 998. */
	frag_compute(nr_free, &c);
	ASSERT_EQ(c.unusable[3], 1000);
	ASSERT_EQ(c.extfrag[3], 874);
	ASSERT_EQ(c.extfrag[9], 998);

	/* 3 x order 0 + 1 x order 2: 7 pages, 4 blocks.  Order 2: one
	 * block, 4 usable: (7 - 4) * 1000 / 7 = 428; extfrag -1000.
	 * Order 3: 7000/8 = 875, 1875/4 = 468 -> 532. */
	frag_compute(mixed, &c);
	ASSERT_EQ(c.unusable[2], 428);
	ASSERT_EQ(c.extfrag[2], -1000);
	ASSERT_EQ(c.unusable[3], 1000);
	ASSERT_EQ(c.extfrag[3], 532);
}

int main(void)
{
	RUN(small_values_are_exact);
	RUN(bucket_hand_computed);
	RUN(buckets_tile_the_range);
	RUN(every_value_inside_its_bucket);
	RUN(percentiles_uniform);
	RUN(percentile_rank_is_not_off_by_one);
	RUN(percentiles_single_and_empty);
	RUN(percentiles_against_exact_quantiles);
	RUN(merge);
	RUN(contig_page_info);
	RUN(frag_mixed_orders);
	RUN(frag_empty_zone);
	RUN(frag_one_page);
	RUN(frag_all_max_order);
	RUN(frag_shattered);
	return tap_done();
}
