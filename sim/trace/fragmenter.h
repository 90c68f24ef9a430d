/*
 * fragmenter.h - a synthetic fragmenter: a reproducible stream of page
 * allocations and frees with chosen orders, mobilities and lifetimes
 * (the `fragment` item of kmsim-trace(5)).
 *
 * The generator knows nothing of YAML: the trace reader validates a
 * fragment block, fills a struct frag_params and turns each struct frag_op
 * into a struct op.  Everything random comes from a PRNG of its own
 * (xoshiro256** seeded through splitmix64) and integer arithmetic only,
 * so a seed gives the same op stream on every platform and compiler.
 */
#ifndef KMSIM_FRAGMENTER_H
#define KMSIM_FRAGMENTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/gfp.h"

/* The order an op may have (kmsim-trace(5)), the CPUs a machine may have
 * (kmsim-config(5)), the longest lifetime (in allocations), and the
 * largest weight (so that no sum of weights can overflow). */
#define FRAG_MAX_ORDER		15
#define FRAG_MAX_CPUS		1024
#define FRAG_MAX_LIFETIME	(1ULL << 40)
#define FRAG_MAX_WEIGHT		UINT32_MAX

/* The gfp flags of each mobility: GFP_KERNEL, GFP_HIGHUSER_MOVABLE (on
 * x86-64, where __GFP_SKIP_KASAN is 0) and GFP_KERNEL|__GFP_RECLAIMABLE. */
#define FRAG_GFP_UNMOVABLE	GFP_KERNEL
#define FRAG_GFP_MOVABLE	(GFP_KERNEL | GFP_BIT_HARDWALL | \
				 GFP_BIT_HIGHMEM | GFP_BIT_MOVABLE)
#define FRAG_GFP_RECLAIMABLE	(GFP_KERNEL | GFP_BIT_RECLAIMABLE)

/* ---- the PRNG ---- */

/* xoshiro256** (Blackman and Vigna, 2018): never all zero once seeded. */
struct frag_rng {
	uint64_t s[4];
};

/* splitmix64: advance *state and return the next output. */
uint64_t frag_splitmix64(uint64_t *state);
/* Seed from splitmix64 started at *state (which advances by 4 outputs). */
void frag_rng_seed(struct frag_rng *rng, uint64_t *state);
uint64_t frag_rng_next(struct frag_rng *rng);
/* Uniform in [0, n), n > 0, without modulo bias. */
uint64_t frag_rng_below(struct frag_rng *rng, uint64_t n);

/* ---- lifetimes ---- */

enum frag_life_kind {
	FRAG_LIFE_FIXED,	/* a */
	FRAG_LIFE_UNIFORM,	/* uniform in [a, b] */
	FRAG_LIFE_EXPONENTIAL,	/* geometric on 1, 2, ... with mean a */
};

/*
 * A lifetime distribution ready to sample.  The exponential is its
 * discrete twin, the geometric distribution P(L = k) = p (1 - p)^(k - 1)
 * with p = 1 / mean, drawn without floating point: the binary digits of a
 * geometric variable are independent Bernoulli variables, digit d being 1
 * with probability q^(2^d) / (1 + q^(2^d)) for q = 1 - p, and q^(2^d)
 * is kept in 0.64 fixed point, squared from one digit to the next.
 */
struct frag_life {
	enum frag_life_kind kind;
	uint64_t a, b;
	unsigned nbits;		/* exponential: digits that can be 1 */
	uint64_t qpow[64];	/* exponential: q^(2^d), 0.64 fixed point */
};

/* kind FIXED: a >= 1; UNIFORM: 1 <= a <= b; EXPONENTIAL: mean a >= 1;
 * all at most FRAG_MAX_LIFETIME. */
void frag_life_init(struct frag_life *l, enum frag_life_kind kind,
    uint64_t a, uint64_t b);
/* A lifetime, at least 1. */
uint64_t frag_life_sample(const struct frag_life *l, struct frag_rng *rng);

/* ---- the generator ---- */

/* Mobilities, numbered as enum migratetype. */
enum frag_mt {
	FRAG_UNMOVABLE,
	FRAG_MOVABLE,
	FRAG_RECLAIMABLE,
	FRAG_MT_NR
};

struct frag_params {
	uint64_t count;		/* allocations, >= 1 */
	uint64_t seed;
	uint64_t order_weight[FRAG_MAX_ORDER + 1];	/* some > 0 */
	uint64_t mt_weight[FRAG_MT_NR];			/* some > 0 */
	enum frag_life_kind life;
	uint64_t life_a, life_b;	/* as frag_life_init() takes them */
	unsigned forever;	/* percent of allocations never freed */
	const int *cpus;	/* borrowed; NULL: the ops name no CPU */
	size_t ncpus;
	bool cpu_random;	/* else round-robin */
	bool drain;		/* free what is still live at the end */
	bool has_ts;		/* else the ops carry no timestamp */
	uint64_t ts;		/* of the first op */
	uint64_t interval_ns;	/* between one op and the next */
};

/* What a parameter is wrong with, or NULL if they are all valid. */
const char *frag_params_check(const struct frag_params *p);

/* One op of the stream. */
struct frag_op {
	bool is_free;
	uint64_t index;		/* the allocation, numbered from 0 */
	bool has_id;		/* alloc: the block frees it (free: true) */
	unsigned order;
	gfp_t gfp;
	int cpu;		/* -1: none given */
	uint64_t ts;		/* UINT64_MAX: none given */
};

struct fragmenter;

/* A generator; p must pass frag_params_check() (asserted). */
struct fragmenter *frag_new(const struct frag_params *p);
/*
 * The next op: 1 with *op filled, 0 at the end of the stream, -1 when the
 * op's timestamp would not fit in 64 bits.
 */
int frag_next(struct fragmenter *f, struct frag_op *op);
/* Allocations the block has still to free: all the generator holds. */
uint64_t frag_pending(const struct fragmenter *f);
void frag_destroy(struct fragmenter *f);

#endif /* KMSIM_FRAGMENTER_H */
