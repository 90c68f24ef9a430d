/*
 * hist.h - log-linear latency histograms: O(1) per value recorded, the
 * percentiles derived from them.  The engines time their own paths with
 * them and the run statistics keep one per op type.
 */
#ifndef KMSIM_HIST_H
#define KMSIM_HIST_H

#include <stdint.h>

/*
 * HDR-style log-linear histogram of non-negative integers (cycles): values
 * below 2^HIST_SUB_BITS have a bucket each; above, every power of two is
 * split into 2^HIST_SUB_BITS equal buckets, so a bucket's width is at most
 * 1/32 of its lower bound (3.1 % relative error).
 */
#define HIST_SUB_BITS 5
#define HIST_SUB_COUNT (1u << HIST_SUB_BITS)
#define HIST_NBUCKETS ((64 - HIST_SUB_BITS + 1) * HIST_SUB_COUNT)

struct hist {
	uint64_t count;
	uint64_t sum;		/* saturates at UINT64_MAX */
	uint64_t min, max;
	uint64_t buckets[HIST_NBUCKETS];
};

void hist_init(struct hist *h);
void hist_record(struct hist *h, uint64_t v);
void hist_merge(struct hist *dst, const struct hist *src);
unsigned hist_bucket(uint64_t v);
uint64_t hist_bucket_low(unsigned b);	/* smallest value in bucket b */
uint64_t hist_bucket_high(unsigned b);	/* largest value in bucket b */
/* Value at percentile p (0..100]: the upper bound of the bucket holding
 * the ceil(p% * count)-th value, clamped to [min, max].  0 when empty. */
uint64_t hist_percentile(const struct hist *h, double p);
double hist_mean(const struct hist *h);

#endif /* KMSIM_HIST_H */
