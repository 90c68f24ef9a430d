/* metrics.c - STUB, being written. */
#include "config.h"
#include <string.h>
#include "metrics.h"
void hist_init(struct hist *h) { memset(h, 0, sizeof *h); }
void hist_record(struct hist *h, uint64_t v) { h->count++; h->sum += v; if (v > h->max) h->max = v; }
void hist_merge(struct hist *dst, const struct hist *src) { (void)dst; (void)src; }
unsigned hist_bucket(uint64_t v) { (void)v; return 0; }
uint64_t hist_bucket_low(unsigned b) { return b; }
uint64_t hist_bucket_high(unsigned b) { return b; }
uint64_t hist_percentile(const struct hist *h, double p) { (void)p; return h->max; }
double hist_mean(const struct hist *h) { return h->count ? (double)h->sum / (double)h->count : 0; }
void frag_fill_contig_page_info(const uint64_t *nr_free, unsigned nr_orders, unsigned suitable_order, struct contig_page_info *info) { (void)nr_free; (void)nr_orders; (void)suitable_order; memset(info, 0, sizeof *info); }
int frag_unusable_free_index(unsigned order, const struct contig_page_info *info) { (void)order; (void)info; return 0; }
int frag_fragmentation_index(unsigned order, unsigned max_order, const struct contig_page_info *info) { (void)order; (void)max_order; (void)info; return 0; }
