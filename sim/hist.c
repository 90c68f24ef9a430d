/*
 * hist.c - log-linear latency histograms (hist.h).
 *
 * The histogram is HDR-style: values below 2^HIST_SUB_BITS get a bucket
 * each; above, the power of two [2^e, 2^(e+1)) is split into
 * HIST_SUB_COUNT buckets of width 2^(e - HIST_SUB_BITS).  Bucket indices
 * are dense and monotone in the value: with e = ilog2(v) >= HIST_SUB_BITS
 * and shift = e - HIST_SUB_BITS,
 *
 *	bucket(v) = (shift + 1) * HIST_SUB_COUNT + (v >> shift) - HIST_SUB_COUNT
 *
 * which for e == HIST_SUB_BITS (shift 0) is v itself, so the values below
 * 2 * HIST_SUB_COUNT are exact and the exact range joins the log range
 * without a gap.  The last bucket ends at UINT64_MAX.
 */

#include <assert.h>
#include <math.h>
#include <string.h>

#include "kmsim.h"
#include "hist.h"

void hist_init(struct hist *h)
{
	memset(h, 0, sizeof *h);
}

unsigned hist_bucket(uint64_t v)
{
	unsigned shift;

	if (v < HIST_SUB_COUNT)
		return (unsigned)v;
	shift = kmsim_ilog2(v) - HIST_SUB_BITS;
	return (shift + 1) * HIST_SUB_COUNT +
	    (unsigned)(v >> shift) - HIST_SUB_COUNT;
}

uint64_t hist_bucket_low(unsigned b)
{
	unsigned group = b / HIST_SUB_COUNT, sub = b % HIST_SUB_COUNT;

	assert(b < HIST_NBUCKETS);
	if (group == 0)
		return b;
	return (uint64_t)(HIST_SUB_COUNT + sub) << (group - 1);
}

uint64_t hist_bucket_high(unsigned b)
{
	unsigned group = b / HIST_SUB_COUNT;

	assert(b < HIST_NBUCKETS);
	if (group == 0)
		return b;
	/* low + width - 1; never computes 2^64 for the last bucket. */
	return hist_bucket_low(b) + ((UINT64_C(1) << (group - 1)) - 1);
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

void hist_record(struct hist *h, uint64_t v)
{
	if (h->count == 0 || v < h->min)
		h->min = v;
	if (h->count == 0 || v > h->max)
		h->max = v;
	h->count++;
	h->sum = add_sat(h->sum, v);
	h->buckets[hist_bucket(v)]++;
}

void hist_merge(struct hist *dst, const struct hist *src)
{
	unsigned b;

	if (src->count == 0)
		return;
	if (dst->count == 0 || src->min < dst->min)
		dst->min = src->min;
	if (dst->count == 0 || src->max > dst->max)
		dst->max = src->max;
	dst->count += src->count;
	dst->sum = add_sat(dst->sum, src->sum);
	for (b = 0; b < HIST_NBUCKETS; b++)
		dst->buckets[b] += src->buckets[b];
}

/*
 * The 1-based rank of the value at percentile p: ceil(p/100 * count),
 * within [1, count].  p arrives as a decimal (99.9) that binary floating
 * point cannot hold exactly, so a product within a few ulps above an
 * integer is taken as that integer: 99.9% of 1000 is rank 999, not 1000.
 */
static uint64_t percentile_rank(uint64_t count, double p)
{
	double x, r;

	if (!(p > 0))		/* also NaN */
		return 1;
	if (p >= 100)
		return count;
	x = p / 100.0 * (double)count;
	r = ceil(x);
	if (r - x > 0 && (r - 1) >= x - x * 1e-12)
		r -= 1;
	if (r < 1)
		return 1;
	if (r >= (double)count)
		return count;
	return (uint64_t)r;
}

uint64_t hist_percentile(const struct hist *h, double p)
{
	uint64_t rank, seen = 0, v;
	unsigned b;

	if (h->count == 0)
		return 0;
	rank = percentile_rank(h->count, p);
	for (b = 0; b < HIST_NBUCKETS; b++) {
		seen += h->buckets[b];
		if (seen >= rank)
			break;
	}
	assert(b < HIST_NBUCKETS);
	v = hist_bucket_high(b);
	if (v < h->min)
		v = h->min;
	if (v > h->max)
		v = h->max;
	return v;
}

double hist_mean(const struct hist *h)
{
	return h->count ? (double)h->sum / (double)h->count : 0;
}
