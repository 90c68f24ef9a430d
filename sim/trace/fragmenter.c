/*
 * fragmenter.c - the synthetic fragmenter's op stream (kmsim-trace(5),
 * "Fragment blocks").
 *
 * Allocation j draws its order, mobility, lifetime L and whether it lives
 * forever; unless it does, it is freed just before allocation j + L.  The
 * frees to come wait in a min-heap keyed by (that allocation number,
 * index), so the generator holds only the allocations it will still free,
 * never the whole stream.
 *
 * Each attribute has a random stream of its own, all seeded from the one
 * seed, and every allocation takes one sample of each (but the CPU's,
 * which only cpu_pick: random uses) whatever the other keys say: changing
 * the mix, say, leaves every allocation's order and lifetime as they were,
 * which is what a comparison between two runs wants.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "trace/fragmenter.h"
#include "kmsim.h"

/* ---- the PRNG ---- */

uint64_t frag_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void frag_rng_seed(struct frag_rng *rng, uint64_t *state)
{
	size_t i;

	/* four outputs of a bijection of distinct inputs: never all zero */
	for (i = 0; i < 4; i++)
		rng->s[i] = frag_splitmix64(state);
}

static inline uint64_t rotl(uint64_t x, unsigned k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t frag_rng_next(struct frag_rng *rng)
{
	uint64_t *s = rng->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t frag_rng_below(struct frag_rng *rng, uint64_t n)
{
	/* 2^64 mod n: outputs below it would make x % n uneven */
	uint64_t threshold = (0 - n) % n, x;

	assert(n > 0);
	do
		x = frag_rng_next(rng);
	while (x < threshold);
	return x % n;
}

/* The high 64 bits of a * b, without a 128-bit type. */
static uint64_t mulhi64(uint64_t a, uint64_t b)
{
	uint64_t a_lo = (uint32_t)a, a_hi = a >> 32;
	uint64_t b_lo = (uint32_t)b, b_hi = b >> 32;
	uint64_t p0 = a_lo * b_lo, p1 = a_lo * b_hi;
	uint64_t p2 = a_hi * b_lo, p3 = a_hi * b_hi;
	uint64_t mid = (p0 >> 32) + (uint32_t)p1 + (uint32_t)p2;

	return p3 + (p1 >> 32) + (p2 >> 32) + (mid >> 32);
}

/*
 * True with probability s / (1 + s), s in 0.64 fixed point.  With u the
 * uniform draw, u (1 + s) < s is, scaled by 2^128, u 2^64 + u s < s 2^64:
 * exactly u + hi(u s) < s, since the low half of u s cannot tip it.
 */
static bool bernoulli_odds(struct frag_rng *rng, uint64_t s)
{
	uint64_t u = frag_rng_next(rng), sum;

	if (__builtin_add_overflow(u, mulhi64(u, s), &sum))
		return false;
	return sum < s;
}

/* ---- lifetimes ---- */

void frag_life_init(struct frag_life *l, enum frag_life_kind kind,
    uint64_t a, uint64_t b)
{
	uint64_t q;

	memset(l, 0, sizeof *l);
	l->kind = kind;
	l->a = a;
	l->b = b;
	assert(a >= 1 && a <= FRAG_MAX_LIFETIME);
	assert(kind != FRAG_LIFE_UNIFORM || (a <= b && b <= FRAG_MAX_LIFETIME));
	if (kind != FRAG_LIFE_EXPONENTIAL)
		return;
	/*
	 * q = 1 - 1/a rounded down to 0.64 fixed point: 2^64 - ceil(2^64/a),
	 * and ceil(2^64/a) is UINT64_MAX/a + 1 for every a >= 1.
	 */
	q = UINT64_MAX - UINT64_MAX / a;
	/*
	 * Digits whose odds have fallen below 2^-64 are always 0: with a mean
	 * of at most 2^40 that is past digit 46, so the tail lost is below
	 * e^-40.  Rounding down at each squaring makes the distribution
	 * shorter by a relative 2^-17 at most; it is the same everywhere.
	 */
	while (q != 0 && l->nbits < ARRAY_SIZE(l->qpow)) {
		l->qpow[l->nbits++] = q;
		q = mulhi64(q, q);
	}
}

uint64_t frag_life_sample(const struct frag_life *l, struct frag_rng *rng)
{
	uint64_t g = 0;
	unsigned d;

	switch (l->kind) {
	case FRAG_LIFE_FIXED:
		return l->a;
	case FRAG_LIFE_UNIFORM:
		return l->a + frag_rng_below(rng, l->b - l->a + 1);
	case FRAG_LIFE_EXPONENTIAL:
	default:
		for (d = 0; d < l->nbits; d++)
			if (bernoulli_odds(rng, l->qpow[d]))
				g |= 1ULL << d;
		return 1 + g;
	}
}

/* ---- the generator ---- */

/* The random streams, one per attribute (see the top of the file). */
enum {
	RNG_ORDER,
	RNG_MT,
	RNG_LIFE,
	RNG_FOREVER,
	RNG_CPU,
	RNG_NR
};

/* An allocation the block will free. */
struct pending {
	uint64_t death;		/* freed just before this allocation */
	uint64_t index;
	int32_t cpu;
	uint8_t order;
	uint8_t mt;
};

struct fragmenter {
	struct frag_params p;
	int *cpus;		/* p.cpus, owned */
	struct frag_rng rng[RNG_NR];
	struct frag_life life;
	uint64_t order_cum[FRAG_MAX_ORDER + 1];	/* cumulative weights */
	uint64_t mt_cum[FRAG_MT_NR];
	uint64_t next;		/* the next allocation */
	uint64_t seq;		/* ops produced (timestamps) */
	struct pending *heap;	/* min-heap by (death, index) */
	size_t nheap;
	size_t capheap;
};

static const gfp_t mt_gfp[FRAG_MT_NR] = {
	[FRAG_UNMOVABLE] = FRAG_GFP_UNMOVABLE,
	[FRAG_MOVABLE] = FRAG_GFP_MOVABLE,
	[FRAG_RECLAIMABLE] = FRAG_GFP_RECLAIMABLE,
};

const char *frag_params_check(const struct frag_params *p)
{
	uint64_t sum;
	size_t i;

	if (p->count < 1 || p->count > INT64_MAX)
		return "count is out of range";
	for (sum = 0, i = 0; i <= FRAG_MAX_ORDER; i++) {
		if (p->order_weight[i] > FRAG_MAX_WEIGHT)
			return "an order's weight is too large";
		sum += p->order_weight[i];
	}
	if (sum == 0)
		return "the order weights are all zero";
	for (sum = 0, i = 0; i < FRAG_MT_NR; i++) {
		if (p->mt_weight[i] > FRAG_MAX_WEIGHT)
			return "a mobility's weight is too large";
		sum += p->mt_weight[i];
	}
	if (sum == 0)
		return "the mobility weights are all zero";
	if (p->life_a < 1 || p->life_a > FRAG_MAX_LIFETIME)
		return "the lifetime is out of range";
	if (p->life == FRAG_LIFE_UNIFORM &&
	    (p->life_b < p->life_a || p->life_b > FRAG_MAX_LIFETIME))
		return "the uniform lifetime's range is reversed or too large";
	if (p->life != FRAG_LIFE_FIXED && p->life != FRAG_LIFE_UNIFORM &&
	    p->life != FRAG_LIFE_EXPONENTIAL)
		return "unknown lifetime distribution";
	if (p->forever > 100)
		return "forever is above 100 percent";
	if ((p->cpus == NULL) != (p->ncpus == 0) || p->ncpus > FRAG_MAX_CPUS)
		return "bad cpu list";
	for (i = 0; i < p->ncpus; i++)
		if (p->cpus[i] < 0 || p->cpus[i] >= FRAG_MAX_CPUS)
			return "a cpu is out of range";
	if (p->has_ts && p->ts == UINT64_MAX)
		return "the timestamp is out of range";
	return NULL;
}

struct fragmenter *frag_new(const struct frag_params *p)
{
	struct fragmenter *f;
	uint64_t state, sum;
	size_t i;

	assert(frag_params_check(p) == NULL);
	f = xcalloc(1, sizeof *f);
	f->p = *p;
	if (p->ncpus > 0) {
		f->cpus = xreallocarray(NULL, p->ncpus, sizeof *f->cpus);
		memcpy(f->cpus, p->cpus, p->ncpus * sizeof *f->cpus);
	}
	f->p.cpus = f->cpus;
	state = p->seed;
	for (i = 0; i < RNG_NR; i++)
		frag_rng_seed(&f->rng[i], &state);
	frag_life_init(&f->life, p->life, p->life_a, p->life_b);
	for (sum = 0, i = 0; i <= FRAG_MAX_ORDER; i++)
		f->order_cum[i] = sum += p->order_weight[i];
	for (sum = 0, i = 0; i < FRAG_MT_NR; i++)
		f->mt_cum[i] = sum += p->mt_weight[i];
	return f;
}

void frag_destroy(struct fragmenter *f)
{
	if (f == NULL)
		return;
	free(f->heap);
	free(f->cpus);
	free(f);
}

uint64_t frag_pending(const struct fragmenter *f)
{
	return f->nheap;
}

/* A weighted choice: the first i whose cumulative weight passes a draw. */
static unsigned pick(struct frag_rng *rng, const uint64_t *cum, unsigned n)
{
	uint64_t x = frag_rng_below(rng, cum[n - 1]);
	unsigned i;

	for (i = 0; cum[i] <= x; i++)
		;
	return i;
}

static bool pending_before(const struct pending *a, const struct pending *b)
{
	return a->death < b->death ||
	    (a->death == b->death && a->index < b->index);
}

static void heap_push(struct fragmenter *f, const struct pending *e)
{
	size_t i, parent;

	if (f->nheap == f->capheap) {
		f->capheap = f->capheap ? f->capheap * 2 : 256;
		f->heap = xreallocarray(f->heap, f->capheap, sizeof *f->heap);
	}
	for (i = f->nheap++; i > 0; i = parent) {
		parent = (i - 1) / 2;
		if (!pending_before(e, &f->heap[parent]))
			break;
		f->heap[i] = f->heap[parent];
	}
	f->heap[i] = *e;
}

static void heap_pop(struct fragmenter *f, struct pending *out)
{
	struct pending last;
	size_t i = 0, child;

	assert(f->nheap > 0);
	*out = f->heap[0];
	last = f->heap[--f->nheap];
	for (;;) {
		child = 2 * i + 1;
		if (child >= f->nheap)
			break;
		if (child + 1 < f->nheap &&
		    pending_before(&f->heap[child + 1], &f->heap[child]))
			child++;
		if (!pending_before(&f->heap[child], &last))
			break;
		f->heap[i] = f->heap[child];
		i = child;
	}
	if (f->nheap > 0)
		f->heap[i] = last;
}

static void make_alloc(struct fragmenter *f, struct frag_op *op)
{
	uint64_t j = f->next++, life, death;
	unsigned order, mt;
	bool forever;
	int cpu = -1;
	struct pending e;

	/* every stream draws once, used or not (see the top of the file) */
	order = pick(&f->rng[RNG_ORDER], f->order_cum, FRAG_MAX_ORDER + 1);
	mt = pick(&f->rng[RNG_MT], f->mt_cum, FRAG_MT_NR);
	life = frag_life_sample(&f->life, &f->rng[RNG_LIFE]);
	forever = frag_rng_below(&f->rng[RNG_FOREVER], 100) < f->p.forever;
	if (f->p.ncpus > 0) {
		if (f->p.cpu_random)
			cpu = f->cpus[frag_rng_below(&f->rng[RNG_CPU],
			    f->p.ncpus)];
		else
			cpu = f->cpus[j % f->p.ncpus];
	}
	if (__builtin_add_overflow(j, life, &death))
		death = UINT64_MAX;

	op->is_free = false;
	op->index = j;
	op->order = order;
	op->gfp = mt_gfp[mt];
	op->cpu = cpu;
	/* an allocation the block will not free needs no name */
	op->has_id = !forever && (f->p.drain || death < f->p.count);
	if (op->has_id) {
		e.death = death;
		e.index = j;
		e.cpu = cpu;
		e.order = (uint8_t)order;
		e.mt = (uint8_t)mt;
		heap_push(f, &e);
	}
}

int frag_next(struct fragmenter *f, struct frag_op *op)
{
	struct pending e;
	uint64_t delta;

	memset(op, 0, sizeof *op);
	if (f->nheap > 0 &&
	    (f->next >= f->p.count || f->heap[0].death <= f->next)) {
		/* due before the next allocation, or drained at the end */
		heap_pop(f, &e);
		op->is_free = true;
		op->index = e.index;
		op->has_id = true;
		op->order = e.order;
		op->gfp = mt_gfp[e.mt];
		op->cpu = e.cpu;	/* freed by the CPU that allocated it */
	} else if (f->next < f->p.count) {
		make_alloc(f, op);
	} else {
		return 0;
	}

	op->ts = UINT64_MAX;
	if (f->p.has_ts) {
		if (__builtin_mul_overflow(f->seq, f->p.interval_ns, &delta) ||
		    __builtin_add_overflow(f->p.ts, delta, &op->ts) ||
		    op->ts == UINT64_MAX)
			return -1;
	}
	f->seq++;
	return 1;
}
