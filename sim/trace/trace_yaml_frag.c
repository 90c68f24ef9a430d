/*
 * trace_yaml_frag.c - the `fragment` blocks of YAML traces
 * (kmsim-trace(5)): a block's keys (count, seed, orders or sizes, mix,
 * lifetime, cpus, ...) are captured as templates like an op's, checked
 * where they are constant, and evaluated each time the block is reached
 * into the parameters of the generator (fragmenter.c) that trace_yaml.c
 * then runs one op at a time.
 */
#include "trace/trace_yaml.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "expr.h"
#include "trace/fragmenter.h"
#include "kmsim.h"
#include "trace/trace.h"
#include "yamlnode.h"

/* The keys of a fragment block. */
enum fkey {
	FK_COUNT,
	FK_SEED,
	FK_ORDERS,
	FK_SIZES,
	FK_PAGE_SIZE,
	FK_MIX,
	FK_LIFETIME,
	FK_CPUS,
	FK_CPU_PICK,
	FK_TS,
	FK_INTERVAL,
	FK_ID_PREFIX,
	FK_DRAIN,
	FK_NR
};

static const char *const fkey_names[FK_NR] = {
	[FK_COUNT] = "count",
	[FK_SEED] = "seed",
	[FK_ORDERS] = "orders",
	[FK_SIZES] = "sizes",
	[FK_PAGE_SIZE] = "page_size",
	[FK_MIX] = "mix",
	[FK_LIFETIME] = "lifetime",
	[FK_CPUS] = "cpus",
	[FK_CPU_PICK] = "cpu_pick",
	[FK_TS] = "ts",
	[FK_INTERVAL] = "interval_ns",
	[FK_ID_PREFIX] = "id_prefix",
	[FK_DRAIN] = "drain",
};

#define FK_BIT(k)	(1u << (k))

/* The keys of its lifetime; a uniform lifetime's bounds take two fields. */
enum lkey {
	LK_EXPONENTIAL,
	LK_UNIFORM,		/* the lower bound */
	LK_FIXED,
	LK_FOREVER,
	LK_UNIFORM_MAX,		/* not a key: the upper bound */
	LK_NR
};
#define LK_KEYS		LK_UNIFORM_MAX	/* the keys come first */
#define LK_DISTS \
	((1u << LK_EXPONENTIAL) | (1u << LK_UNIFORM) | (1u << LK_FIXED))

static const char *const lkey_names[LK_KEYS] = {
	[LK_EXPONENTIAL] = "exponential",
	[LK_UNIFORM] = "uniform",
	[LK_FIXED] = "fixed",
	[LK_FOREVER] = "forever",
};

/* The weight tables: `orders`, `sizes` and `mix`. */
enum wtab { W_ORDERS, W_SIZES, W_MIX, W_NR };

static const char *const mix_names[FRAG_MT_NR] = {
	[FRAG_UNMOVABLE] = "unmovable",
	[FRAG_MOVABLE] = "movable",
	[FRAG_RECLAIMABLE] = "reclaimable",
};

/* One weight: its key is literal, its value a template. */
struct tweight {
	uint64_t what;		/* the order, size in bytes or mobility */
	struct tfield w;	/* text NULL: a null weight, as absent */
};

struct tweights {
	struct tweight *v;
	size_t n;
	size_t cap;
};

/* A captured fragment block. */
struct tfrag {
	struct srcpos pos;	/* the block's mapping */
	unsigned seen;		/* FK_BIT(k): given, and not null */
	struct tfield f[FK_NR];	/* scalars; every key's positions */
	struct tweights w[W_NR];
	unsigned life_seen;	/* 1 << enum lkey */
	struct tfield life[LK_NR];
	bool dynamic;		/* some value holds ${} */
};

/* A fragment block's values for one run. */
struct frag_values {
	struct frag_params p;
	int cpus[FRAG_MAX_CPUS];
	uint64_t page_size;
	char *prefix;		/* owned; NULL: the default */
};

static int fkey_lookup(const char *s)
{
	return trace_yaml_lookup(fkey_names, FK_NR, s);
}

static int lkey_lookup(const char *s)
{
	return trace_yaml_lookup(lkey_names, LK_KEYS, s);
}

bool trace_yaml_frag_is_key(const char *s)
{
	return fkey_lookup(s) >= 0;
}

static enum wtab fkey_wtab(int k)
{
	return k == FK_ORDERS ? W_ORDERS : k == FK_SIZES ? W_SIZES : W_MIX;
}

void trace_yaml_frag_free(struct tfrag *t)
{
	size_t i, j;

	if (t == NULL)
		return;
	for (i = 0; i < FK_NR; i++)
		trace_yaml_field_fini(&t->f[i]);
	for (i = 0; i < LK_NR; i++)
		trace_yaml_field_fini(&t->life[i]);
	for (i = 0; i < W_NR; i++) {
		for (j = 0; j < t->w[i].n; j++)
			trace_yaml_field_fini(&t->w[i].v[j].w);
		free(t->w[i].v);
	}
	free(t);
}

/* Keep a scalar's text as a template field. */
static void tfield_capture(struct tfrag *t, struct tfield *f,
    const yaml_event_t *ev)
{
	f->len = ev->data.scalar.length;
	f->text = xstrndup((const char *)ev->data.scalar.value, f->len);
	f->dynamic = strstr(f->text, "${") != NULL;
	if (f->dynamic)
		t->dynamic = true;
}

/* The key of a weight: an order, a size, a mobility. */
static int weight_key(int fk, const char *key, const struct srcpos *pos,
    uint64_t *what, char **err)
{
	char *cause = NULL;
	size_t i;

	if (strstr(key, "${") != NULL)
		return kmsim_fail_at(err, pos,
		    "substitution is not supported in a key ('%s')", key);
	switch (fk) {
	case FK_ORDERS:
		return trace_yaml_number("order", key, NULL, FRAG_MAX_ORDER,
		    pos, what, err);
	case FK_SIZES:
		if (kmsim_parse_size(key, what, &cause) != 0) {
			kmsim_fail_at(err, pos, "%s", cause);
			free(cause);
			return -1;
		}
		if (*what == 0)
			return kmsim_fail_at(err, pos, "size '%s' is zero",
			    key);
		return 0;
	default:
		for (i = 0; i < FRAG_MT_NR; i++) {
			if (strcmp(key, mix_names[i]) == 0) {
				*what = i;
				return 0;
			}
		}
		return kmsim_fail_at(err, pos, "unknown mix type '%s' "
		    "(movable, unmovable or reclaimable)", key);
	}
}

/* Read the weights of `orders`, `sizes` or `mix` (the mapping started). */
static int read_weights(struct trace_yaml *r, struct tfrag *t, int fk,
    char **err)
{
	struct tweights *tw = &t->w[fkey_wtab(fk)];
	yaml_event_t kev, vev;
	struct srcpos kpos;
	struct tweight *e;
	const char *key;
	uint64_t what;
	size_t i;
	int rc;

	while ((rc = trace_yaml_key(r, &kev, &kpos, err)) > 0) {
		key = (const char *)kev.data.scalar.value;
		if (weight_key(fk, key, &kpos, &what, err) != 0)
			goto out_delete_key;
		for (i = 0; i < tw->n; i++) {
			if (tw->v[i].what != what)
				continue;
			if (fk == FK_ORDERS)
				kmsim_fail_at(err, &kpos, "duplicate order %"
				    PRIu64, what);
			else if (fk == FK_SIZES)
				kmsim_fail_at(err, &kpos, "duplicate size "
				    "'%s' (%" PRIu64 " bytes)", key, what);
			else
				kmsim_fail_at(err, &kpos, "duplicate key '%s'",
				    key);
			goto out_delete_key;
		}
		if (tw->n == tw->cap) {
			tw->cap = tw->cap ? tw->cap * 2 : 4;
			tw->v = xreallocarray(tw->v, tw->cap, sizeof *tw->v);
		}
		e = &tw->v[tw->n++];
		memset(e, 0, sizeof *e);
		e->what = what;
		e->w.key_pos = kpos;
		yaml_event_delete(&kev);

		rc = trace_yaml_value(r, &vev, &e->w.pos, err);
		if (rc <= 0) {
			if (rc < 0)
				return -1;
			continue;	/* a null weight, as absent */
		}
		if (vev.type != YAML_SCALAR_EVENT) {
			kmsim_fail_at(err, &e->w.pos, "a weight must be a "
			    "scalar, not %s", yamlnode_event_kind(&vev));
			yaml_event_delete(&vev);
			return -1;
		}
		tfield_capture(t, &e->w, &vev);
		yaml_event_delete(&vev);
	}
	return rc;

out_delete_key:
	yaml_event_delete(&kev);
	return -1;
}

/* Read `uniform: [min, max]` (its value event in *ev, deleted here). */
static int read_uniform(struct trace_yaml *r, struct tfrag *t,
    yaml_event_t *ev, char **err)
{
	struct srcpos pos = trace_yaml_pos(r, ev->start_mark), ipos;
	yaml_event_t iev;
	size_t n = 0;

	if (ev->type != YAML_SEQUENCE_START_EVENT) {
		kmsim_fail_at(err, &pos, "'uniform' must be a sequence "
		    "[min, max], not %s", yamlnode_event_kind(ev));
		yaml_event_delete(ev);
		return -1;
	}
	yaml_event_delete(ev);
	for (;;) {
		if (trace_yaml_event(r, &iev, err) != 0)
			return -1;
		if (iev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&iev);
			break;
		}
		ipos = trace_yaml_pos(r, iev.start_mark);
		if (iev.type != YAML_SCALAR_EVENT) {
			kmsim_fail_at(err, &ipos, "a bound of 'uniform' "
			    "must be a scalar, not %s",
			    yamlnode_event_kind(&iev));
			yaml_event_delete(&iev);
			return -1;
		}
		if (n < 2) {
			struct tfield *f = &t->life[n ? LK_UNIFORM_MAX :
			    LK_UNIFORM];

			f->pos = ipos;
			f->key_pos = t->life[LK_UNIFORM].key_pos;
			tfield_capture(t, f, &iev);
		}
		n++;
		yaml_event_delete(&iev);
	}
	if (n != 2)
		return kmsim_fail_at(err, &pos, "'uniform' needs 2 numbers "
		    "[min, max], not %zu", n);
	return 0;
}

/* Read a fragment block's `lifetime` (the mapping started). */
static int read_lifetime(struct trace_yaml *r, struct tfrag *t, char **err)
{
	yaml_event_t kev, vev;
	struct srcpos kpos;
	struct tfield *f;
	const char *key;
	unsigned written = 0;
	int k, other, rc;

	while ((rc = trace_yaml_key(r, &kev, &kpos, err)) > 0) {
		key = (const char *)kev.data.scalar.value;
		k = lkey_lookup(key);
		if (k < 0) {
			kmsim_fail_at(err, &kpos, "unknown key '%s' in "
			    "lifetime", key);
			goto out_delete_key;
		}
		f = &t->life[k];
		rc = trace_yaml_field_value(r, &kev, &kpos, 1u << k, &written,
		    f, &vev, err);
		if (rc <= 0) {
			if (rc < 0)
				return -1;
			continue;
		}
		if (((1u << k) & LK_DISTS) && (t->life_seen & LK_DISTS)) {
			/* the first distribution given, in the file */
			for (other = 0; !((1u << other) & LK_DISTS &
			    t->life_seen); other++)
				;
			kmsim_fail_at(err, &kpos, "'%s' and '%s' cannot "
			    "both be given", lkey_names[other], lkey_names[k]);
			yaml_event_delete(&vev);
			return -1;
		}
		t->life_seen |= 1u << k;
		if (k == LK_UNIFORM) {
			if (read_uniform(r, t, &vev, err) != 0)
				return -1;
			continue;
		}
		if (trace_yaml_expect(&vev, YAML_SCALAR_EVENT, lkey_names[k],
		    &f->pos, err) != 0) {
			yaml_event_delete(&vev);
			return -1;
		}
		tfield_capture(t, f, &vev);
		yaml_event_delete(&vev);
	}
	if (rc < 0)
		return -1;
	if (!(t->life_seen & LK_DISTS))
		return kmsim_fail_at(err, &t->f[FK_LIFETIME].pos, "lifetime "
		    "needs one of 'exponential', 'uniform' or 'fixed'");
	return 0;

out_delete_key:
	yaml_event_delete(&kev);
	return -1;
}

/* " (from 'TEMPLATE')" for a substituted value, as trace_yaml_number()
 * says. */
static void from_note(char *buf, size_t len, const char *raw)
{
	buf[0] = '\0';
	if (raw != NULL)
		snprintf(buf, len, " (from '%.40s%s')", raw,
		    strlen(raw) > 40 ? "..." : "");
}

/*
 * A fragment scalar's text for the current loop variables: as written, or
 * substituted into r->scratch, and then *raw is the template (messages).
 */
static int tfrag_text(struct trace_yaml *r, const struct tfield *f,
    const char **text, const char **raw, char **err)
{
	*raw = NULL;
	*text = f->text;
	if (!f->dynamic)
		return 0;
	if (trace_yaml_field_expand(f, r->vars, &r->scratch, err) != 0)
		return -1;
	*text = r->scratch.p;
	*raw = f->text;
	return 0;
}

static int frag_number(struct trace_yaml *r, const struct tfield *f,
    const char *name, uint64_t min, uint64_t max, uint64_t *out, char **err)
{
	const char *text, *raw;
	char from[64];

	if (tfrag_text(r, f, &text, &raw, err) != 0 ||
	    trace_yaml_number(name, text, raw, max, &f->pos, out, err) != 0)
		return -1;
	if (*out < min) {
		from_note(from, sizeof from, raw);
		return kmsim_fail_at(err, &f->pos, "%s '%s'%s is too small (at "
		    "least %" PRIu64 ")", name, text, from, min);
	}
	return 0;
}

struct frag_cpulist {
	const struct tfield *f;
	const char *text;
	const char *from;
	bool listed[FRAG_MAX_CPUS];
	struct frag_values *v;
	char **err;
};

static int frag_cpulist_range(void *arg, uint64_t a, uint64_t b)
{
	struct frag_cpulist *cl = arg;
	uint64_t cpu;

	if (b >= FRAG_MAX_CPUS)
		return kmsim_fail_at(cl->err, &cl->f->pos, "cpus '%s'%s: cpu %"
		    PRIu64 " is out of range 0..%d", cl->text, cl->from, b,
		    FRAG_MAX_CPUS - 1);
	for (cpu = a; cpu <= b; cpu++) {
		if (cl->listed[cpu])
			return kmsim_fail_at(cl->err, &cl->f->pos, "cpus "
			    "'%s'%s: cpu %" PRIu64 " is listed twice",
			    cl->text, cl->from, cpu);
		cl->listed[cpu] = true;
		cl->v->cpus[cl->v->p.ncpus++] = (int)cpu;
	}
	return 0;
}

/* `cpus`: a cpu list as kmsim-config(5) takes one, "0-3,8,10-11". */
static int frag_cpus(struct trace_yaml *r, const struct tfield *f,
    struct frag_values *v, char **err)
{
	struct frag_cpulist cl = { .f = f, .v = v, .err = err };
	const char *raw;
	uint64_t a, b;
	char from[64];

	if (tfrag_text(r, f, &cl.text, &raw, err) != 0)
		return -1;
	from_note(from, sizeof from, raw);
	cl.from = from;
	switch (kmsim_parse_list(cl.text, FRAG_MAX_CPUS, frag_cpulist_range,
	    &cl, &a, &b)) {
	case KMSIM_LIST_OK:
		v->p.cpus = v->cpus;
		return 0;
	case KMSIM_LIST_FAILED:
		return -1;
	case KMSIM_LIST_REVERSED:
		return kmsim_fail_at(err, &f->pos, "cpus '%s'%s: range '%"
		    PRIu64 "-%" PRIu64 "' is reversed", cl.text, from, a, b);
	default:
		return kmsim_fail_at(err, &f->pos, "cpus '%s'%s is not a cpu "
		    "list", cl.text, from);
	}
}

/* A key that takes one of a few words; *out is the index of the word. */
static int frag_word(struct trace_yaml *r, const struct tfield *f,
    const char *name, const char *const *words, size_t nwords,
    const char *expected, size_t *out, char **err)
{
	const char *text, *raw;
	char from[64];

	if (tfrag_text(r, f, &text, &raw, err) != 0)
		return -1;
	for (*out = 0; *out < nwords; (*out)++)
		if (strcmp(text, words[*out]) == 0)
			return 0;
	from_note(from, sizeof from, raw);
	return kmsim_fail_at(err, &f->pos, "%s '%s'%s must be %s", name, text,
	    from, expected);
}

/* A size's order, as the kernel's get_order() with this page size. */
static unsigned size_order(uint64_t bytes, uint64_t page_size)
{
	uint64_t pages = (bytes - 1) / page_size;

	return pages ? kmsim_ilog2(pages) + 1 : 0;
}

/* The value of a weight table's entries, into the parameters. */
static int frag_weights(struct trace_yaml *r, const struct tfrag *t, int fk,
    bool run, bool sizes_ok, struct frag_values *v, char **err)
{
	const struct tweights *tw = &t->w[fkey_wtab(fk)];
	uint64_t w, *slot, sum = 0;
	char size[32], page[32];
	unsigned order = 0;
	bool known = true;	/* every weight of the table */
	size_t i;

	for (i = 0; i < tw->n; i++) {
		const struct tweight *e = &tw->v[i];

		known &= run || !e->w.dynamic;
		if (fk == FK_SIZES && sizes_ok) {
			order = size_order(e->what, v->page_size);
			if (order > FRAG_MAX_ORDER)
				return kmsim_fail_at(err, &e->w.key_pos, "size "
				    "%s is order %u with %s pages (at most %d)",
				    kmsim_fmt_size(e->what, size, sizeof size),
				    order, kmsim_fmt_size(v->page_size, page,
				    sizeof page), FRAG_MAX_ORDER);
		}
		if (e->w.text == NULL || (!run && e->w.dynamic))
			continue;
		if (frag_number(r, &e->w, "weight", 0, FRAG_MAX_WEIGHT, &w,
		    err) != 0)
			return -1;
		sum += w;
		if (fk == FK_MIX) {
			v->p.mt_weight[e->what] = w;
			continue;
		}
		if (fk == FK_ORDERS) {
			v->p.order_weight[e->what] = w;
			continue;
		}
		if (!sizes_ok)	/* the page size is not known yet */
			continue;
		slot = &v->p.order_weight[order];
		if (*slot + w > FRAG_MAX_WEIGHT)
			return kmsim_fail_at(err, &e->w.pos, "the weights of "
			    "order %u add up to more than %" PRIu64, order,
			    (uint64_t)FRAG_MAX_WEIGHT);
		*slot += w;
	}
	if (known && sum == 0)
		return kmsim_fail_at(err, &t->f[fk].pos, "'%s' needs a weight "
		    "above 0", fkey_names[fk]);
	return 0;
}

/*
 * Evaluate a fragment block into v (whose prefix the caller frees).  When
 * run is false the block is being captured: values with ${} cannot be
 * known yet and are skipped, and so are the checks across values that
 * involve one of them.
 */
static int tfrag_eval(struct trace_yaml *r, const struct tfrag *t, bool run,
    struct frag_values *v, char **err)
{
	static const char *const picks[] = { "round-robin", "random" };
	static const char *const bools[] = {
		"false", "False", "FALSE", "true", "True", "TRUE"
	};
	const struct tfield *f;
	const char *text, *raw, *why;
	uint64_t forever, page_size;
	size_t word;
	bool all = run || !t->dynamic;	/* every value is known */
	int dist;
	char *cause = NULL;

	memset(&v->p, 0, sizeof v->p);
	v->p.seed = 1;
	v->p.order_weight[0] = 1;
	v->p.mt_weight[FRAG_UNMOVABLE] = 1;
	v->page_size = 4096;
	v->prefix = NULL;
#define GIVEN(f) ((f)->text != NULL && (run || !(f)->dynamic))

	f = &t->f[FK_COUNT];
	if (GIVEN(f) && frag_number(r, f, "count", 1, INT64_MAX, &v->p.count,
	    err) != 0)
		return -1;
	f = &t->f[FK_SEED];
	if (GIVEN(f) && frag_number(r, f, "seed", 0, UINT64_MAX, &v->p.seed,
	    err) != 0)
		return -1;
	f = &t->f[FK_PAGE_SIZE];
	if (GIVEN(f)) {
		if (tfrag_text(r, f, &text, &raw, err) != 0)
			return -1;
		if (kmsim_parse_size(text, &page_size, &cause) != 0 ||
		    (page_size != 4096 && page_size != 16384 &&
		    page_size != 65536)) {
			char from[64];

			free(cause);
			from_note(from, sizeof from, raw);
			return kmsim_fail_at(err, &f->pos, "page_size '%s'%s "
			    "must be 4K, 16K or 64K", text, from);
		}
		v->page_size = page_size;
	}
	f = &t->f[FK_CPUS];
	if (GIVEN(f) && frag_cpus(r, f, v, err) != 0)
		return -1;
	f = &t->f[FK_CPU_PICK];
	if (GIVEN(f)) {
		if (frag_word(r, f, "cpu_pick", picks, ARRAY_SIZE(picks),
		    "round-robin or random", &word, err) != 0)
			return -1;
		v->p.cpu_random = word == 1;
	}
	f = &t->f[FK_TS];
	if (GIVEN(f) && frag_number(r, f, "ts", 0, UINT64_MAX - 1, &v->p.ts,
	    err) != 0)
		return -1;
	f = &t->f[FK_INTERVAL];
	if (GIVEN(f) && frag_number(r, f, "interval_ns", 0, UINT64_MAX - 1,
	    &v->p.interval_ns, err) != 0)
		return -1;
	f = &t->f[FK_ID_PREFIX];
	if (GIVEN(f)) {
		if (tfrag_text(r, f, &text, &raw, err) != 0)
			return -1;
		v->prefix = xstrdup(text);
	}
	f = &t->f[FK_DRAIN];
	if (GIVEN(f)) {
		if (frag_word(r, f, "drain", bools, ARRAY_SIZE(bools),
		    "true or false", &word, err) != 0)
			return -1;
		v->p.drain = word >= 3;
	}

	/* the lifetime: one distribution, and how many live forever */
	for (dist = 0; !((1u << dist) & LK_DISTS & t->life_seen); dist++)
		;
	v->p.life = dist == LK_FIXED ? FRAG_LIFE_FIXED :
	    dist == LK_UNIFORM ? FRAG_LIFE_UNIFORM : FRAG_LIFE_EXPONENTIAL;
	f = &t->life[dist];
	if (GIVEN(f) && frag_number(r, f, dist == LK_UNIFORM ? "uniform min" :
	    lkey_names[dist], 1, FRAG_MAX_LIFETIME, &v->p.life_a, err) != 0)
		return -1;
	f = &t->life[LK_UNIFORM_MAX];
	if (dist == LK_UNIFORM && GIVEN(f) && frag_number(r, f, "uniform max",
	    1, FRAG_MAX_LIFETIME, &v->p.life_b, err) != 0)
		return -1;
	if (dist == LK_UNIFORM && (run || (!t->life[LK_UNIFORM].dynamic &&
	    !t->life[LK_UNIFORM_MAX].dynamic)) && v->p.life_a > v->p.life_b)
		return kmsim_fail_at(err, &t->life[LK_UNIFORM].key_pos,
		    "uniform lifetime [%" PRIu64 ", %" PRIu64 "] is reversed",
		    v->p.life_a, v->p.life_b);
	f = &t->life[LK_FOREVER];
	if (GIVEN(f)) {
		if (frag_number(r, f, "forever", 0, 100, &forever, err) != 0)
			return -1;
		v->p.forever = (unsigned)forever;
	}

	/* the weights: given ones replace the defaults */
	if (t->seen & FK_BIT(FK_MIX)) {
		memset(v->p.mt_weight, 0, sizeof v->p.mt_weight);
		if (frag_weights(r, t, FK_MIX, run, false, v, err) != 0)
			return -1;
	}
	if (t->seen & (FK_BIT(FK_ORDERS) | FK_BIT(FK_SIZES)))
		memset(v->p.order_weight, 0, sizeof v->p.order_weight);
	if ((t->seen & FK_BIT(FK_ORDERS)) &&
	    frag_weights(r, t, FK_ORDERS, run, false, v, err) != 0)
		return -1;
	if ((t->seen & FK_BIT(FK_SIZES)) &&
	    frag_weights(r, t, FK_SIZES, run,
	    run || !t->f[FK_PAGE_SIZE].dynamic, v, err) != 0)
		return -1;
#undef GIVEN
	/* every value was checked above: a complaint here is a bug */
	why = all ? frag_params_check(&v->p) : NULL;
	assert(why == NULL);
	if (why != NULL)
		return kmsim_fail_at(err, &t->pos, "fragment: %s", why);
	return 0;
}

int trace_yaml_frag_read(struct trace_yaml *r, struct tfrag **tp,
    const struct srcpos *pos, char **err)
{
	yaml_event_t kev, vev;
	struct srcpos kpos;
	struct frag_values *v;
	struct tfrag *t;
	struct tfield *f;
	const char *key;
	unsigned written = 0;
	int k, rc;

	*tp = t = xcalloc(1, sizeof *t);
	t->pos = *pos;
	while ((rc = trace_yaml_key(r, &kev, &kpos, err)) > 0) {
		key = (const char *)kev.data.scalar.value;
		k = fkey_lookup(key);
		if (k < 0 && lkey_lookup(key) >= 0) {
			kmsim_fail_at(err, &kpos, "unknown key '%s' in "
			    "fragment (it belongs in 'lifetime')", key);
			goto out_delete_key;
		}
		if (k < 0) {
			kmsim_fail_at(err, &kpos, "unknown key '%s' in "
			    "fragment", key);
			goto out_delete_key;
		}
		f = &t->f[k];
		rc = trace_yaml_field_value(r, &kev, &kpos, FK_BIT(k),
		    &written, f, &vev, err);
		if (rc <= 0) {
			if (rc < 0)
				return -1;
			continue;
		}
	if ((k == FK_ORDERS && (t->seen & FK_BIT(FK_SIZES))) ||
		    (k == FK_SIZES && (t->seen & FK_BIT(FK_ORDERS)))) {
			kmsim_fail_at(err, &kpos, "'%s' and '%s' cannot "
			    "both be given", fkey_names[k == FK_ORDERS ?
			    FK_SIZES : FK_ORDERS], fkey_names[k]);
			goto out_delete_value;
		}
		t->seen |= FK_BIT(k);
		if (k == FK_ORDERS || k == FK_SIZES || k == FK_MIX ||
		    k == FK_LIFETIME) {
			if (trace_yaml_expect(&vev, YAML_MAPPING_START_EVENT,
			    fkey_names[k], &f->pos, err) != 0)
				goto out_delete_value;
			yaml_event_delete(&vev);
			rc = k == FK_LIFETIME ? read_lifetime(r, t, err) :
			    read_weights(r, t, k, err);
			if (rc != 0)
				return -1;
			continue;
		}
		if (trace_yaml_expect(&vev, YAML_SCALAR_EVENT, fkey_names[k],
		    &f->pos, err) != 0)
			goto out_delete_value;
		tfield_capture(t, f, &vev);
		yaml_event_delete(&vev);
	}
	if (rc < 0)
		return -1;

	if (!(t->seen & FK_BIT(FK_COUNT)))
		return kmsim_fail_at(err, &t->pos, "fragment needs a 'count'");
	if (!(t->seen & FK_BIT(FK_LIFETIME)))
		return kmsim_fail_at(err, &t->pos,
		    "fragment needs a 'lifetime'");
	if ((t->seen & FK_BIT(FK_PAGE_SIZE)) && !(t->seen & FK_BIT(FK_SIZES)))
		return kmsim_fail_at(err, &t->f[FK_PAGE_SIZE].key_pos,
		    "'page_size' is only used with 'sizes'");
	if ((t->seen & FK_BIT(FK_CPU_PICK)) && !(t->seen & FK_BIT(FK_CPUS)))
		return kmsim_fail_at(err, &t->f[FK_CPU_PICK].key_pos,
		    "'cpu_pick' needs 'cpus'");
	/* what is constant is checked now, even in a repeat that never runs */
	v = xmalloc(sizeof *v);
	rc = tfrag_eval(r, t, false, v, err);
	free(v->prefix);
	free(v);
	return rc;

out_delete_key:
	yaml_event_delete(&kev);
	return -1;
out_delete_value:
	yaml_event_delete(&vev);
	return -1;
}

/* Compile a fragment block's substitutions (tnode_check()). */
int trace_yaml_frag_compile(struct tfrag *t, const struct expr_var *scope,
    size_t nscope, int64_t seed, char **err)
{
	struct tfield *fields[FK_NR + LK_NR];
	size_t i, j, n = 0;

	for (i = 0; i < FK_NR; i++)
		fields[n++] = &t->f[i];
	for (i = 0; i < LK_NR; i++)
		fields[n++] = &t->life[i];
	for (i = 0; i < n; i++)
		if (fields[i]->dynamic && trace_yaml_field_compile(fields[i],
		    scope, nscope, seed, err) != 0)
			return -1;
	for (i = 0; i < W_NR; i++)
		for (j = 0; j < t->w[i].n; j++)
			if (t->w[i].v[j].w.dynamic &&
			    trace_yaml_field_compile(&t->w[i].v[j].w, scope,
			    nscope, seed, err) != 0)
				return -1;
	return 0;
}

/* Start running a fragment block: its ops come next. */
int trace_yaml_frag_start(struct trace_yaml *r, const struct tfrag *t,
    const struct srcpos *pos, char **err)
{
	struct frag_values *v;
	int rc = -1;

	assert(r->frag == NULL);
	v = xmalloc(sizeof *v);
	if (tfrag_eval(r, t, true, v, err) != 0)
		goto out;
	/*
	 * Timestamps: from `ts`, else one interval after the trace's last,
	 * else from 0.  An overflow later is blamed on the interval.
	 */
	r->frag_ts_pos = t->f[FK_TS].pos;
	if (t->f[FK_INTERVAL].text != NULL)
		r->frag_ts_pos = t->f[FK_INTERVAL].pos;
	if (t->f[FK_TS].text != NULL) {
		v->p.has_ts = true;
		if (r->last_ts != OP_TS_NONE && v->p.ts < r->last_ts) {
			kmsim_fail_at(err, &t->f[FK_TS].pos, "timestamp %"
			    PRIu64 " goes backwards (previous %" PRIu64 ")",
			    v->p.ts, r->last_ts);
			goto out;
		}
	} else if (t->f[FK_INTERVAL].text != NULL) {
		v->p.has_ts = true;
		v->p.ts = 0;
		if (r->last_ts != OP_TS_NONE &&
		    (__builtin_add_overflow(r->last_ts, v->p.interval_ns,
		    &v->p.ts) || v->p.ts == OP_TS_NONE)) {
			kmsim_fail_at(err, &r->frag_ts_pos, "timestamps of the "
			    "fragment block run past %" PRIu64, UINT64_MAX - 1);
			goto out;
		}
	}
	r->frag = frag_new(&v->p);
	r->frag_prefix = v->prefix;
	v->prefix = NULL;
	if (r->frag_prefix == NULL)
		xasprintf(&r->frag_prefix, "frag%" PRIu64 ".", r->nfrags);
	r->frag_pos = *pos;
	r->nfrags++;
	rc = 0;
out:
	free(v->prefix);
	free(v);
	return rc;
}

