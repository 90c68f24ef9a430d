/*
 * yamlnode.h - walking a YAML file read with libyaml: what kmsim's
 * configuration (config*.c), its sweep files (analysis/sweep.c) and its
 * YAML traces (trace/trace_yaml*.c) share.
 *
 * The first two load a document and walk its node tree; the trace reader
 * streams events.  Both speak of what they find in the same words ("a
 * scalar", "a mapping", "nothing"), read the same plain scalars as null
 * and report positions 1-based.  For the node tree there is more: a
 * mapping walk that checks keys against a list (unknown, duplicate and
 * non-scalar keys are errors), and scalars read as numbers, sizes and
 * booleans, each error "FILE:LINE:COL: KEY: message" at the node.
 */
#ifndef KMSIM_YAMLNODE_H
#define KMSIM_YAMLNODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <yaml.h>

#include "kmsim.h"

/* A loaded document being read, and where its errors go. */
struct yamlnode_doc {
	yaml_document_t *doc;
	const char *file;	/* borrowed: positions name it */
	char **cause;		/* the first error's message */
	/*
	 * Optional: report msg at node n (fill *cause, return -1); a reader
	 * that says more about some nodes sets it.  NULL: "FILE:LINE:COL:
	 * msg".
	 */
	int (*error)(struct yamlnode_doc *d, const yaml_node_t *n,
	    const char *msg);
};

/* The keys a mapping may hold, and how messages about its keys read. */
struct yamlnode_keys {
	const char *const *names;
	size_t nr;
	const char *prefix;	/* before each message ("memory: "), or "" */
	const char *noun;	/* "key", "zone", "cost" */
	const char *where;	/* after an unknown key's name (" in node 0") */
	bool where_always;	/* after duplicate and non-scalar keys too */
};

/* A walk over a mapping's pairs (yamlnode_next()). */
struct yamlnode_iter {
	const yaml_node_t *map;
	yaml_node_pair_t *pair;	/* the next pair */
};

/* Positions, 1-based as messages print them. */
struct srcpos yamlnode_mark_pos(const char *file, yaml_mark_t mark);
struct srcpos yamlnode_pos(const struct yamlnode_doc *d, const yaml_node_t *n);

/* What a node or an event is, in messages: "a scalar", "a sequence", "a
 * mapping", "nothing". */
const char *yamlnode_kind(const yaml_node_t *n);
const char *yamlnode_event_kind(const yaml_event_t *ev);
/* A plain scalar that YAML reads as null: empty, ~ or null. */
bool yamlnode_is_null(const yaml_node_t *n);
bool yamlnode_event_is_null(const yaml_event_t *ev);

/* A scalar node's text, and whether it holds a NUL (so is cut short). */
const char *yamlnode_text(const yaml_node_t *n);
bool yamlnode_has_nul(const yaml_node_t *n);
int yamlnode_seq_len(const yaml_node_t *n);
yaml_node_t *yamlnode_seq_item(const struct yamlnode_doc *d,
    const yaml_node_t *n, int i);

/* Report a message at a node through d; returns -1. */
int yamlnode_error(struct yamlnode_doc *d, const yaml_node_t *n,
    const char *fmt, ...) KMSIM_PRINTF(3, 4);
int yamlnode_verror(struct yamlnode_doc *d, const yaml_node_t *n,
    const char *fmt, va_list ap) KMSIM_PRINTF(3, 0);
/* Insist on a node type: "WHAT: expected a mapping, found a scalar". */
int yamlnode_expect(struct yamlnode_doc *d, const yaml_node_t *n,
    yaml_node_type_t type, const char *what);

/*
 * The next pair of a mapping (the iterator started with
 * yamlnode_iter_init()): 1 with *i the index of its key in ks->names and
 * *key, *val its nodes; 0 at the end; -1 when the key is not a scalar, not
 * in the list or already seen (seen[] holds ks->nr key nodes, NULL until
 * seen: the caller clears it).  Values are as written, null included.
 */
void yamlnode_iter_init(struct yamlnode_iter *it, const yaml_node_t *map);
int yamlnode_next(struct yamlnode_doc *d, struct yamlnode_iter *it,
    const struct yamlnode_keys *ks, yaml_node_t **seen, size_t *i,
    yaml_node_t **key, yaml_node_t **val);
/*
 * A whole mapping at once: vals[i] and keys[i] get the value and key node
 * of ks->names[i], NULL when absent.  The first bad key ends it (-1).
 */
int yamlnode_collect(struct yamlnode_doc *d, const yaml_node_t *map,
    const struct yamlnode_keys *ks, yaml_node_t **vals, yaml_node_t **keys);

/*
 * Scalars.  `key` starts each message ("KEY: ..."); `want` names the
 * value expected when the node is no scalar ("a number").
 */
int yamlnode_scalar(struct yamlnode_doc *d, const yaml_node_t *n,
    const char *key, const char *want, const char **out);
/* An unsigned integer (decimal or 0x hex) in [min, max]. */
int yamlnode_u64(struct yamlnode_doc *d, const yaml_node_t *n,
    const char *key, uint64_t min, uint64_t max, uint64_t *out);
int yamlnode_uint(struct yamlnode_doc *d, const yaml_node_t *n,
    const char *key, unsigned min, unsigned max, unsigned *out);
/* The same for a scalar's text already in hand. */
int yamlnode_parse_u64(struct yamlnode_doc *d, const yaml_node_t *n,
    const char *key, const char *s, uint64_t min, uint64_t max,
    uint64_t *out);
/* A byte size ("16G", "4096") or a 0x address. */
int yamlnode_size(struct yamlnode_doc *d, const yaml_node_t *n,
    const char *key, uint64_t *out);
/* true/false, on/off, yes/no, 1/0, in any case. */
int yamlnode_bool(struct yamlnode_doc *d, const yaml_node_t *n,
    const char *key, bool *out);

#endif /* KMSIM_YAMLNODE_H */
