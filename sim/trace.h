/*
 * trace.h - the op stream.  Every input format (kmsim's YAML, ftrace text,
 * trace.dat, bundles) is a `struct trace_source` producing the same
 * `struct op` records; engines never see text.
 */
#ifndef KMSIM_TRACE_H
#define KMSIM_TRACE_H

#include <stdbool.h>
#include <stdint.h>

#include "gfp.h"
#include "kmsim.h"

#define OP_TS_NONE UINT64_MAX	/* the op carries no timestamp */
#define OP_PFN_NONE UINT64_MAX	/* the op names no pfn (simulate) */

enum op_type {
	OP_ALLOC_PAGES,		/* order, gfp, [node], [cpu], id */
	OP_FREE_PAGES,		/* id (or pfn in replay), [order] */
	OP_NR
};

extern const char *const op_names[OP_NR];
int op_type_parse(const char *name);	/* -1 if unknown */

struct op {
	enum op_type type;
	uint64_t ts_ns;		/* OP_TS_NONE: issue right after the last */
	int cpu;		/* -1: unspecified (CPU 0) */
	int node;		/* -1: the CPU's node */
	unsigned order;
	bool has_order;		/* free_pages: order given and to be checked */
	gfp_t gfp;
	uint64_t id;		/* allocation identity (hash of the label) */
	const char *label;	/* the id as written; valid until next() */
	uint64_t pfn;		/* OP_PFN_NONE unless the trace gives one */
	bool has_id;		/* false: an anonymous allocation */
	struct srcpos pos;	/* where it came from (file borrowed) */
};

struct trace_source;

struct trace_source_ops {
	/* 1: *op filled; 0: end of trace; -1: bad input, *cause set. */
	int (*next)(struct trace_source *ts, struct op *op, char **cause);
	void (*destroy)(struct trace_source *ts);
	/* Optional: hex SHA-256 of the bytes read so far. */
	void (*digest)(struct trace_source *ts, char hex[65]);
};

struct trace_source {
	const struct trace_source_ops *ops;
	const char *format;	/* "yaml", ... */
	char *path;		/* owned */
	uint64_t bytes_total;	/* input size if known, else 0 (progress) */
	uint64_t bytes_done;	/* consumed so far (progress) */
};

/*
 * Open a trace, choosing the reader from the content (not the file name).
 * `-` reads standard input.  NULL with *cause on error.
 */
struct trace_source *trace_open(const char *path, char **cause);
static inline int trace_next(struct trace_source *ts, struct op *op,
    char **cause)
{
	return ts->ops->next(ts, op, cause);
}
void trace_close(struct trace_source *ts);

/* trace_yaml.c: kmsim's YAML trace format (kmsim-trace(5)). */
struct trace_source *trace_yaml_open(const char *path, char **cause);
struct trace_source *trace_yaml_open_string(const char *name,
    const char *text, char **cause);

/* The identity an op label hashes to (the YAML reader uses it). */
static inline uint64_t trace_label_id(const char *label, size_t len)
{
	return kmsim_hash_bytes(label, len);
}

#endif /* KMSIM_TRACE_H */
