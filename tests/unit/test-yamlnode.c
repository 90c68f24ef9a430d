/* test-yamlnode.c - the YAML node walker: kinds, nulls, keys, scalars. */
#include <stdlib.h>

#include <yaml.h>

#include "tap.h"
#include "yamlnode.h"

/* A document loaded from text, and a reader of it. */
struct doc {
	yaml_document_t doc;
	struct yamlnode_doc d;
	char *cause;
};

static int doc_load(struct doc *x, const char *text)
{
	yaml_parser_t p;
	int ok;

	memset(x, 0, sizeof *x);
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)text,
	    strlen(text));
	ok = yaml_parser_load(&p, &x->doc);
	yaml_parser_delete(&p);
	x->d.doc = &x->doc;
	x->d.file = "t.yaml";
	x->d.cause = &x->cause;
	return ok ? 0 : -1;
}

static void doc_free(struct doc *x)
{
	yaml_document_delete(&x->doc);
	free(x->cause);
	x->cause = NULL;
}

static yaml_node_t *doc_root(struct doc *x)
{
	return yaml_document_get_root_node(&x->doc);
}

/* The value of key `name` in the root mapping. */
static yaml_node_t *doc_get(struct doc *x, const char *name)
{
	yaml_node_t *root = doc_root(x), *k;
	yaml_node_pair_t *pair;

	for (pair = root->data.mapping.pairs.start;
	    pair < root->data.mapping.pairs.top; pair++) {
		k = yaml_document_get_node(&x->doc, pair->key);
		if (strcmp(yamlnode_text(k), name) == 0)
			return yaml_document_get_node(&x->doc, pair->value);
	}
	return NULL;
}

TEST(kinds_and_nulls)
{
	struct doc x;

	ASSERT_EQ(doc_load(&x, "a: 1\nb: [1]\nc: {d: 1}\ne:\nf: ~\n"
	    "g: 'null'\nh: Null\n"), 0);
	ASSERT_STREQ(yamlnode_kind(doc_get(&x, "a")), "a scalar");
	ASSERT_STREQ(yamlnode_kind(doc_get(&x, "b")), "a sequence");
	ASSERT_STREQ(yamlnode_kind(doc_get(&x, "c")), "a mapping");
	ASSERT(!yamlnode_is_null(doc_get(&x, "a")));
	ASSERT(yamlnode_is_null(doc_get(&x, "e")));
	ASSERT(yamlnode_is_null(doc_get(&x, "f")));
	ASSERT(!yamlnode_is_null(doc_get(&x, "g")));	/* quoted: a string */
	ASSERT(yamlnode_is_null(doc_get(&x, "h")));
	ASSERT_EQ(yamlnode_seq_len(doc_get(&x, "b")), 1);
	ASSERT_STREQ(yamlnode_text(yamlnode_seq_item(&x.d, doc_get(&x, "b"),
	    0)), "1");
	doc_free(&x);
}

static const char *const names[] = { "memory", "start", "cpus" };

/* Collect the root mapping; the cause, or "" when it is accepted. */
static const char *collect(struct doc *x, const char *text,
    const struct yamlnode_keys *ks, yaml_node_t **vals, yaml_node_t **keys)
{
	if (doc_load(x, text) != 0)
		return "(bad YAML)";
	if (yamlnode_collect(&x->d, doc_root(x), ks, vals, keys) == 0)
		return "";
	return x->cause;
}

TEST(collect_sorts_keys)
{
	const struct yamlnode_keys ks = { names, 3, "", "key", " in node 0",
	    true };
	yaml_node_t *vals[3], *keys[3];
	struct doc x;

	ASSERT_STREQ(collect(&x, "cpus: 0-3\nmemory: 1G\n", &ks, vals, keys),
	    "");
	ASSERT_STREQ(yamlnode_text(vals[0]), "1G");
	ASSERT(vals[1] == NULL && keys[1] == NULL);
	ASSERT_STREQ(yamlnode_text(vals[2]), "0-3");
	ASSERT_STREQ(yamlnode_text(keys[2]), "cpus");
	doc_free(&x);
}

TEST(collect_messages)
{
	const struct yamlnode_keys cfg = { names, 3, "", "key", " in node 0",
	    true };
	const struct yamlnode_keys swp = { names, 3, "range: ", "key",
	    " (memory, start, cpus)", false };
	yaml_node_t *vals[3], *keys[3];
	struct doc x;

	ASSERT_STREQ(collect(&x, "memory: 1\nmemroy: 2\n", &cfg, vals, keys),
	    "t.yaml:2:1: unknown key 'memroy' in node 0");
	doc_free(&x);
	ASSERT_STREQ(collect(&x, "start: 1\nstart: 2\n", &cfg, vals, keys),
	    "t.yaml:2:1: duplicate key 'start' in node 0");
	doc_free(&x);
	ASSERT_STREQ(collect(&x, "[a]: 1\n", &cfg, vals, keys),
	    "t.yaml:1:1: expected a scalar key in node 0, found a sequence");
	doc_free(&x);
	/* the where goes after unknown keys only */
	ASSERT_STREQ(collect(&x, "x: 1\n", &swp, vals, keys),
	    "t.yaml:1:1: range: unknown key 'x' (memory, start, cpus)");
	doc_free(&x);
	ASSERT_STREQ(collect(&x, "cpus: 1\ncpus: 2\n", &swp, vals, keys),
	    "t.yaml:2:1: range: duplicate key 'cpus'");
	doc_free(&x);
	ASSERT_STREQ(collect(&x, "{a: 1}: 1\n", &swp, vals, keys),
	    "t.yaml:1:1: range: expected a scalar key, found a mapping");
	doc_free(&x);
	/* a key with a NUL is not the key it starts like */
	ASSERT_STREQ(collect(&x, "\"cpus\\0x\": 1\n", &cfg, vals, keys),
	    "t.yaml:1:1: unknown key 'cpus' in node 0");
	doc_free(&x);
}

/* The error hook sees every message at a node. */
static int hook(struct yamlnode_doc *d, const yaml_node_t *n,
    const char *msg)
{
	return kmsim_fail(d->cause, "[%s at %lu] %s", yamlnode_kind(n),
	    (unsigned long)n->start_mark.line + 1, msg);
}

TEST(scalars)
{
	struct doc x;
	uint64_t u = 0;
	unsigned v = 0;
	bool b = false;

	ASSERT_EQ(doc_load(&x, "n: 0x10\nbig: 300\nsz: 16K\nhex: 0x1000\n"
	    "neg: -1\nt: On\nf: NO\nbad: maybe\nseq: [1]\n"), 0);
	ASSERT_EQ(yamlnode_u64(&x.d, doc_get(&x, "n"), "n", 0, 100, &u), 0);
	ASSERT_UEQ(u, 16);
	ASSERT_EQ(yamlnode_uint(&x.d, doc_get(&x, "big"), "big", 1, 255, &v),
	    -1);
	ASSERT_STREQ(x.cause, "t.yaml:2:6: big: '300' is out of range 1..255");
	free(x.cause);
	ASSERT_EQ(yamlnode_u64(&x.d, doc_get(&x, "neg"), "neg", 0, 9, &u), -1);
	ASSERT_STREQ(x.cause, "t.yaml:5:6: neg: '-1' is negative");
	free(x.cause);
	ASSERT_EQ(yamlnode_size(&x.d, doc_get(&x, "sz"), "sz", &u), 0);
	ASSERT_UEQ(u, 16384);
	ASSERT_EQ(yamlnode_size(&x.d, doc_get(&x, "hex"), "hex", &u), 0);
	ASSERT_UEQ(u, 4096);
	ASSERT_EQ(yamlnode_bool(&x.d, doc_get(&x, "t"), "t", &b), 0);
	ASSERT(b);
	ASSERT_EQ(yamlnode_bool(&x.d, doc_get(&x, "f"), "f", &b), 0);
	ASSERT(!b);
	ASSERT_EQ(yamlnode_bool(&x.d, doc_get(&x, "bad"), "bad", &b), -1);
	ASSERT_STREQ(x.cause, "t.yaml:8:6: bad: 'maybe' is not true or false "
	    "(on, off)");
	free(x.cause);
	ASSERT_EQ(yamlnode_u64(&x.d, doc_get(&x, "seq"), "seq", 0, 9, &u), -1);
	ASSERT_STREQ(x.cause, "t.yaml:9:6: seq: expected a number, found a "
	    "sequence");
	free(x.cause);
	x.cause = NULL;
	x.d.error = hook;
	ASSERT_EQ(yamlnode_expect(&x.d, doc_get(&x, "seq"), YAML_MAPPING_NODE,
	    "seq"), -1);
	ASSERT_STREQ(x.cause, "[a sequence at 9] seq: expected a mapping, "
	    "found a sequence");
	doc_free(&x);
}

int main(void)
{
	RUN(kinds_and_nulls);
	RUN(collect_sorts_keys);
	RUN(collect_messages);
	RUN(scalars);
	return tap_done();
}
