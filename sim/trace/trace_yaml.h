/*
 * trace_yaml.h - what the two halves of the YAML trace reader share
 * (kmsim-trace(5)).  trace_yaml.c streams the file, captures its ops and
 * repeats as templates and expands them; trace_yaml_frag.c reads, checks
 * and starts its `fragment` blocks.  The reader's entry points are in
 * trace.h; this header is for these two files only.
 */
#ifndef KMSIM_TRACE_YAML_H
#define KMSIM_TRACE_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <yaml.h>

#include "expr.h"
#include "kmsim.h"
#include "sha256.h"
#include "trace/trace.h"

#define TRACE_YAML_MAX_DEPTH	16	/* nested repeats */

/* The keys of an op or a repeat mapping. */
enum tkey {
	K_OP,
	K_ID,
	K_ORDER,
	K_GFP,
	K_CPU,
	K_NODE,
	K_TS,
	K_PFN,
	K_POLICY,
	K_NODES,
	K_SIZE,
	K_ALIGN,
	K_CACHE,
	K_FLAGS,
	K_ADDR,
	K_LENGTH,
	K_STRIDE,
	K_COUNT,
	K_WRITE,
	K_HUGE,
	K_LOCAL,
	K_FILE,
	K_OFFSET,
	K_DEV,
	K_VALUE,
	K_REPEAT,
	K_VAR,
	K_OPS,
	K_FRAGMENT,
	K_NR
};

struct tfrag;

/* Literal text, then an expression (none in the last part). */
struct tpart {
	const char *lit;	/* into the field's text */
	size_t lit_len;
	struct expr expr;	/* code NULL: no expression */
};

/* One scalar of a template, as written. */
struct tfield {
	char *text;		/* owned; NULL when the key is absent */
	size_t len;
	struct srcpos pos;	/* of the value */
	struct srcpos key_pos;	/* of the key */
	bool dynamic;		/* contains "${": evaluated for each op */
	uint64_t val;		/* the value when constant (numbers, gfp, op) */
	struct tpart *parts;	/* dynamic: the compiled scalar (owned) */
	size_t nparts;
};

/* A captured op, repeat or fragment block. */
struct tnode {
	bool is_repeat;
	bool is_fragment;
	bool yields;		/* repeat: may produce ops at all */
	unsigned seen;		/* 1 << enum tkey */
	struct srcpos pos;	/* the mapping's start */
	struct tfield f[K_NR];
	struct tnode *body;	/* repeat: owned array */
	size_t nbody;
	const char *var;	/* repeat: f[K_VAR].text or VAR_DEFAULT */
	struct tfrag *frag;	/* fragment: owned */
};

/* A repeat being expanded. */
struct frame {
	const struct tnode *rep;
	int64_t count;
	int64_t i;
	size_t idx;		/* next body entry */
};

/* A growable string. */
struct sbuf {
	char *p;
	size_t len;
	size_t cap;
};

/*
 * The last bytes handed to libyaml and where they start, so that a reader
 * error (bad UTF-8), which libyaml reports as a byte offset into input it
 * has read ahead, can be given a line and column.
 */
#define TRACK_WINDOW 65536	/* more than libyaml's raw buffer (16 KiB) */

struct postrack {
	uint64_t off;		/* offset of buf[0] in the input */
	unsigned long line;	/* 0-based position of buf[0] */
	unsigned long col;
	char *buf;
	size_t len;
};

enum trace_yaml_state {
	ST_OPS,			/* inside the top-level `ops` sequence */
	ST_AFTER_OPS,		/* top-level keys after `ops` */
	ST_DONE,
	ST_FAILED
};

struct trace_yaml {
	struct trace_source ts;
	yaml_parser_t parser;
	struct instream *in;	/* NULL when reading a string */
	struct postrack track;	/* what libyaml got from in */
	bool read_failed;	/* in could not be read or decoded */
	char *text;		/* the string read (owned), or NULL */
	struct sha256_ctx sha;	/* of the string */
	enum trace_yaml_state state;
	char *error;		/* the cause once failed */

	unsigned top_seen;	/* top-level keys written (TOP_*) */
	bool has_ops;		/* `ops` has been given a sequence */
	struct srcpos top_pos;	/* the top-level mapping */

	struct tnode cur;	/* the top-level op last produced */
	struct tnode *top;	/* the top-level repeat being expanded */
	struct frame frames[TRACE_YAML_MAX_DEPTH];
	struct expr_var vars[TRACE_YAML_MAX_DEPTH];
	size_t depth;		/* frames in use */

	struct fragmenter *frag;	/* the fragment block running */
	char *frag_prefix;	/* its ids' prefix (owned) */
	struct srcpos frag_pos;	/* its ops' position */
	struct srcpos frag_ts_pos;	/* where its timestamps are set */
	uint64_t nfrags;	/* fragment blocks started (default prefixes) */

	uint64_t last_ts;	/* OP_TS_NONE until an op carries one */
	int64_t seed;		/* the substitution variable `seed` */
	struct sbuf label;	/* a substituted id (op->label) */
	struct sbuf cache;	/* a substituted cache name (op->name) */
	struct sbuf scratch;	/* other substituted scalars */
	struct sbuf file;	/* a substituted file name (op->file) */
	struct sbuf dev;	/* a substituted disk name (op->disk) */
};

/* trace_yaml.c: the stream */
/* The next libyaml event; syntax errors, anchors and aliases are causes. */
int trace_yaml_event(struct trace_yaml *r, yaml_event_t *ev, char **err);
struct srcpos trace_yaml_pos(const struct trace_yaml *r, yaml_mark_t m);
/*
 * The next key of a mapping being read: 1 with its scalar event in *kev
 * (the caller deletes it) and its position in *kpos, 0 at the end of the
 * mapping, -1 when the key is not a scalar.
 */
int trace_yaml_key(struct trace_yaml *r, yaml_event_t *kev,
    struct srcpos *kpos, char **err);
/*
 * The value after a key: 1 with its event in *vev (the caller deletes it)
 * and its position in *vpos; 0 when it is null, which is the same as
 * leaving the key out; -1 on error.
 */
int trace_yaml_value(struct trace_yaml *r, yaml_event_t *vev,
    struct srcpos *vpos, char **err);
/*
 * The same for a template's field: refuse the key if *written has its bit
 * (a duplicate), note it, delete the key's event and read the value,
 * keeping both positions in f.  A null value is the same as leaving the
 * key out.
 */
int trace_yaml_field_value(struct trace_yaml *r, yaml_event_t *kev,
    const struct srcpos *kpos, unsigned bit, unsigned *written,
    struct tfield *f, yaml_event_t *vev, char **err);
/* Insist on a value's kind: "'KEY' must be a mapping, not a scalar". */
int trace_yaml_expect(const yaml_event_t *ev, yaml_event_type_t type,
    const char *key, const struct srcpos *pos, char **err);
/* The index of s in names[0 .. nr-1], or -1. */
int trace_yaml_lookup(const char *const *names, int nr, const char *s);
/*
 * A number-typed key's value: decimal or 0x hex, at most max.  `raw` is
 * the scalar as written when text was substituted (named in messages).
 */
int trace_yaml_number(const char *key, const char *text, const char *raw,
    uint64_t max, const struct srcpos *pos, uint64_t *out, char **err);

/* trace_yaml.c: scalars with ${expr} (expr.c), compiled against the loop
 * variables in scope, then expanded with their values. */
int trace_yaml_field_compile(struct tfield *f, const struct expr_var *scope,
    size_t nscope, int64_t seed, char **err);
int trace_yaml_field_expand(const struct tfield *f,
    const struct expr_var *vars, struct sbuf *out, char **err);
void trace_yaml_field_fini(struct tfield *f);

/* trace_yaml_frag.c: `fragment` blocks */
/* Is s a key of a fragment block? */
bool trace_yaml_frag_is_key(const char *s);
/* Read a block (its mapping started at pos) into a new *t, whose
 * constant values are checked now. */
int trace_yaml_frag_read(struct trace_yaml *r, struct tfrag **t,
    const struct srcpos *pos, char **err);
/* Compile its substitutions (when the block is checked in its scope). */
int trace_yaml_frag_compile(struct tfrag *t, const struct expr_var *scope,
    size_t nscope, int64_t seed, char **err);
void trace_yaml_frag_free(struct tfrag *t);
/* Evaluate the block for the current loop variables and start its
 * generator in r (its ops take the position pos). */
int trace_yaml_frag_start(struct trace_yaml *r, const struct tfrag *t,
    const struct srcpos *pos, char **err);

#endif /* KMSIM_TRACE_YAML_H */
