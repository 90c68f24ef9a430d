/*
 * config.c - the machine configuration reader (kmsim-config(5)): loading,
 * the top level, defaults, and the helpers its parts share.
 *
 * The file is small, so it is read whole and loaded with libyaml's document
 * API; the reader then walks the node tree with the schema in hand
 * (config_topology.c reads machine:, config_tunables.c the other sections;
 * --set overrides are applied to the document first, config_set.c).  Every
 * mapping goes through config_collect(), which rejects unknown and
 * duplicate keys, so no level of the file can hide a typo.  Values are
 * checked where they are read; the checks that need the whole machine
 * (node overlaps, CPU numbering, ZONE_MOVABLE, distances) run after.  The
 * first error found ends the read, as one "FILE:LINE:COL: message".
 */
#include "config_reader.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "cost.h"
#include "mm/gfp.h"
#include "kmsim.h"
#include "yamlnode.h"

const char *const mpol_names[MPOL_NR] = {
	"local", "preferred", "bind", "interleave"
};

const char *const config_arch_names[ARCH_NR] = {
	"x86-64", "x86-32", "x86-32-pae"
};

#define CONFIG_MAX_FILE		(4u << 20)	/* a config is a few KiB */
#define CONFIG_MAX_DEPTH	32		/* the schema needs 6 */

/* Linux 6.18 mm/page_alloc.c:sysctl_lowmem_reserve_ratio[] on x86-64. */
static const unsigned config_lowmem_reserve_default[MAX_NR_ZONES] = {
	[ZONE_DMA] = 256,
	[ZONE_DMA32] = 256,
	[ZONE_NORMAL] = 32,
	[ZONE_HIGHMEM] = 0,
	[ZONE_MOVABLE] = 0,
};

struct srcpos config_pos(const struct config_reader *r,
    const yaml_node_t *n)
{
	return yamlnode_pos(&r->yd, n);
}

int config_error_at(struct config_reader *r, const struct srcpos *pos,
    const char *fmt, ...)
{
	char *msg;
	va_list ap;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	kmsim_fail_at(r->yd.cause, pos, "%s", msg);
	free(msg);
	return -1;
}

/* Every error at a node comes here: a node --set wrote says so. */
static int config_node_error(struct yamlnode_doc *d, const yaml_node_t *n,
    const char *msg)
{
	struct config_reader *r = container_of(d, struct config_reader, yd);
	struct srcpos pos = yamlnode_pos(d, n);
	int id = (int)(n - d->doc->nodes.start) + 1, i;

	for (i = 0; i < r->nr_set_ids; i++)
		if (r->set_ids[i] == id)
			break;
	return kmsim_fail_at(d->cause, &pos, "%s%s", msg,
	    i < r->nr_set_ids ? " (set by --set)" : "");
}

/* Report an error at a YAML node's first character. */
int config_error(struct config_reader *r, const yaml_node_t *n,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	yamlnode_verror(&r->yd, n, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Sort a mapping's pairs onto the keys it may hold: vals[i] and keys[i] get
 * the value and key node of names[i].  A null value leaves vals[i] NULL, as
 * if the key were absent, but keys[i] set (config_require() tells the two
 * apart).  Unknown keys, duplicates and non-scalar keys are errors; `noun`
 * and `where` word them ("unknown key 'x' in node 0", "unknown cost 'x'").
 * A NULL or null `map` holds nothing.
 */
int config_collect(struct config_reader *r, const yaml_node_t *map,
    const char *what, const char *const *names, size_t nr, const char *noun,
    const char *where, yaml_node_t **vals, yaml_node_t **keys)
{
	const struct yamlnode_keys ks = { names, nr, "", noun, where, true };
	size_t i;

	for (i = 0; i < nr; i++)
		vals[i] = keys[i] = NULL;
	if (map == NULL || yamlnode_is_null(map))
		return 0;
	if (yamlnode_expect(&r->yd, map, YAML_MAPPING_NODE, what) != 0 ||
	    yamlnode_collect(&r->yd, map, &ks, vals, keys) != 0)
		return -1;
	for (i = 0; i < nr; i++)
		if (vals[i] != NULL && yamlnode_is_null(vals[i]))
			vals[i] = NULL;
	return 0;
}

/* A key that must be present with a value. */
int config_require(struct config_reader *r, const yaml_node_t *map,
    yaml_node_t *const *vals, yaml_node_t *const *keys,
    const char *const *names, size_t i, const char *where)
{
	if (vals[i] != NULL)
		return 0;
	if (keys[i] != NULL)
		return config_error(r, keys[i], "%s: missing value", names[i]);
	return config_error(r, map, "missing key '%s'%s", names[i], where);
}

/*
 * A byte size or address: "16G", "4096", "0x100000000".  Anything past the
 * physical address space is refused here, so sums of a few cannot overflow.
 */
int config_size(struct config_reader *r, const yaml_node_t *n,
    const char *key, uint64_t *out)
{
	uint64_t v = 0;

	if (yamlnode_size(&r->yd, n, key, &v) != 0)
		return -1;
	if (v > CONFIG_PHYS_LIMIT)
		return config_error(r, n, "%s: '%s' is beyond the %d-bit "
		    "physical address space", key, yamlnode_text(n),
		    CONFIG_MAX_PHYS_BITS);
	*out = v;
	return 0;
}

int config_page_aligned(struct config_reader *r, const yaml_node_t *n,
    const char *key, uint64_t v)
{
	char buf[32];

	if (v % r->cfg->page_size == 0)
		return 0;
	return config_error(r, n, "%s: '%s' is not a multiple of the page "
	    "size (%s)", key, yamlnode_text(n),
	    kmsim_fmt_size(r->cfg->page_size, buf, sizeof buf));
}

/* ------------------------------------------------------------------ */
/* the top level */

static int config_read_name(struct config_reader *r, yaml_node_t *n)
{
	const char *s = "", *p;

	if (n == NULL)
		return 0;
	if (yamlnode_scalar(&r->yd, n, "name", "a string", &s) != 0)
		return -1;
	if (*s == '\0')
		return config_error(r, n, "name: must not be empty");
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return config_error(r, n, "name: '%s' contains a "
			    "control character", s);
	free(r->cfg->name);
	r->cfg->name = xstrdup(s);
	return 0;
}

static int config_read_root(struct config_reader *r, yaml_node_t *root)
{
	static const char *const names[] = {
		"name", "machine", "vm", "cost", "metrics", "buddy", "slab",
		"disks"
	};
	enum { K_NAME, K_MACHINE, K_VM, K_COST, K_METRICS, K_BUDDY, K_SLAB,
		K_DISKS };
	yaml_node_t *vals[ARRAY_SIZE(names)], *keys[ARRAY_SIZE(names)];

	if (root->type != YAML_MAPPING_NODE)
		return config_error(r, root, "expected a mapping at the top "
		    "level, found %s", yamlnode_is_null(root) ? "nothing" :
		    yamlnode_kind(root));
	if (config_collect(r, root, "configuration", names, ARRAY_SIZE(names),
	    "key", " at the top level", vals, keys) != 0 ||
	    config_read_name(r, vals[K_NAME]) != 0)
		return -1;
	if (vals[K_MACHINE] != NULL &&
	    config_read_machine(r, vals[K_MACHINE]) != 0)
		return -1;
	if (config_read_vm(r, vals[K_VM]) != 0 ||
	    config_read_buddy(r, vals[K_BUDDY]) != 0 ||
	    config_read_slab(r, vals[K_SLAB]) != 0 ||
	    config_read_disks(r, vals[K_DISKS]) != 0 ||
	    config_read_cost(r, vals[K_COST]) != 0 ||
	    config_read_metrics(r, vals[K_METRICS]) != 0)
		return -1;
	if (config_require(r, root, vals, keys, names, K_MACHINE,
	    " at the top level") != 0)
		return -1;
	return config_check_policy(r);
}

/* ------------------------------------------------------------------ */
/* loading */

/* A disk's defaults: a SATA-class SSD (~500 MB/s, ~100 us, NCQ 32),
 * the kernel's default read_ahead_kb, order-0 folios. */
void config_disk_default(struct config_disk *d, int i)
{
	memset(d, 0, sizeof *d);
	snprintf(d->name, sizeof d->name, "sd%c", 'a' + i % 26);
	d->bandwidth = UINT64_C(500) << 20;
	d->latency_ns = 100 * 1000;
	d->queue_depth = 32;
	d->read_ahead_kb = 128;
	d->max_folio_order = 0;
}

void config_set_defaults(struct config *cfg)
{
	cfg->arch = ARCH_X86_64;
	cfg->page_size = 4096;
	cfg->page_shift = 12;
	cfg->max_order = 10;
	cfg->section_size_bits = 27;
	cfg->cpu_mhz = 3000;
	cfg->watermark_scale_factor = 10;
	cfg->watermark_boost_factor = 15000;
	cfg->extfrag_threshold = 500;
	cfg->compaction_proactiveness = 20;
	cfg->mempolicy = MPOL_LOCAL;
	cfg->fallback = FALLBACK_CLAIM;
	cfg->mobility = true;
	cfg->highatomic = true;
	cfg->pcp = true;
	cfg->slab_merge = true;
	snprintf(cfg->tlb, sizeof cfg->tlb, "generic");
	cfg->paging_levels = 4;
	cfg->vmap_stack = true;
	cfg->slab_cpu_partial = true;
	cfg->slab_max_order = 3;
	cfg->dirty_ratio = 20;
	cfg->dirty_background_ratio = 10;
	cfg->dirty_expire_centisecs = 3000;
	cfg->dirty_writeback_centisecs = 500;
	cfg->nr_disks = 1;
	config_disk_default(&cfg->disks[0], 0);
	for (int z = 0; z < MAX_NR_ZONES; z++)
		cfg->lowmem_reserve_ratio[z] = config_lowmem_reserve_default[z];
	cost_model_init(&cfg->cost);
	cfg->snapshot_interval_ns = 10 * 1000 * 1000;
}

static struct config *config_create(const char *path)
{
	struct config *cfg = xcalloc(1, sizeof *cfg);
	const char *base, *dot;

	cfg->path = xstrdup(path);
	if (strcmp(path, "-") == 0)
		cfg->name = xstrdup("stdin");
	else {
		base = strrchr(path, '/');
		base = base != NULL ? base + 1 : path;
		dot = strrchr(base, '.');
		if (dot != NULL && dot != base && (strcmp(dot, ".yaml") == 0 ||
		    strcmp(dot, ".yml") == 0))
			cfg->name = xstrndup(base, (size_t)(dot - base));
		else
			cfg->name = xstrdup(*base != '\0' ? base : "config");
	}

	config_set_defaults(cfg);
	return cfg;
}

void config_destroy(struct config *cfg)
{
	int i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->nr_nodes; i++) {
		free(cfg->nodes[i].holes);
		free(cfg->nodes[i].cpus);
	}
	free(cfg->nodes);
	free(cfg->distance);
	free(cfg->name);
	free(cfg->path);
	free(cfg);
}

/* libyaml's reader errors carry a byte offset, not a mark. */
static void config_offset_pos(const char *text, size_t len, size_t offset,
    struct srcpos *pos)
{
	size_t i;

	pos->line = 1;
	pos->col = 1;
	for (i = 0; i < offset && i < len; i++) {
		if (text[i] == '\n') {
			pos->line++;
			pos->col = 1;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80)
			pos->col++;
	}
}

/* The byte at a 1-based line and column (in characters), or 0. */
static char config_char_at(const char *text, size_t len,
    const struct srcpos *pos)
{
	unsigned long line = 1, col = 1;
	size_t i;

	for (i = 0; i < len; i++) {
		if (line == pos->line && col == pos->col)
			return text[i];
		if (text[i] == '\n') {
			line++;
			col = 1;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80)
			col++;
	}
	return 0;
}

static void config_yaml_error(const struct config *cfg, yaml_parser_t *p,
    const char *text, size_t len, char **cause)
{
	struct srcpos pos = { cfg->path, 1, 1 };
	const char *problem = p->problem != NULL ? p->problem : "syntax error";
	const char *hint;

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		kmsim_fail(cause, "%s: out of memory reading YAML", cfg->path);
		return;
	case YAML_READER_ERROR:
		config_offset_pos(text, len, p->problem_offset, &pos);
		kmsim_fail_at(cause, &pos, "%s", problem);
		return;
	default:
		pos.line = (unsigned long)p->problem_mark.line + 1;
		pos.col = (unsigned long)p->problem_mark.column + 1;
		hint = config_char_at(text, len, &pos) == '\t' ?
		    ": tabs cannot indent YAML" : "";
		if (p->context != NULL &&
		    p->context_mark.line != p->problem_mark.line)
			kmsim_fail_at(cause, &pos, "%s (%s at line %lu)%s",
			    problem, p->context,
			    (unsigned long)p->context_mark.line + 1, hint);
		else
			kmsim_fail_at(cause, &pos, "%s%s", problem, hint);
		return;
	}
}

/*
 * A first pass over the events that reports syntax errors and refuses
 * nesting deeper than any configuration needs, before libyaml's loader
 * (whose scanner slows down quadratically with flow depth) sees it.
 */
static int config_check_syntax(const struct config *cfg, const char *text,
    size_t len, char **cause)
{
	yaml_parser_t parser;
	yaml_event_t event;
	struct srcpos pos = { cfg->path, 1, 1 };
	int depth = 0, rc = -1;
	bool done = false;

	if (!yaml_parser_initialize(&parser))
		return kmsim_fail(cause, "%s: out of memory", cfg->path);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (!done) {
		if (!yaml_parser_parse(&parser, &event)) {
			config_yaml_error(cfg, &parser, text, len, cause);
			goto out_delete_parser;
		}
		switch (event.type) {
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++depth <= CONFIG_MAX_DEPTH)
				break;
			pos.line = (unsigned long)event.start_mark.line + 1;
			pos.col = (unsigned long)event.start_mark.column + 1;
			kmsim_fail_at(cause, &pos, "nested more than %d levels "
			    "deep", CONFIG_MAX_DEPTH);
			yaml_event_delete(&event);
			goto out_delete_parser;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		default:
			break;
		}
		yaml_event_delete(&event);
	}
	rc = 0;

out_delete_parser:
	yaml_parser_delete(&parser);
	return rc;
}

/* Parse `text` as the configuration `cfg->path`; the reader's main loop. */
static int config_parse(struct config *cfg, const char *text, size_t len,
    const char *const *sets, int nr_sets, char **cause)
{
	struct config_reader *r;
	yaml_parser_t parser;
	yaml_document_t doc, extra;
	yaml_node_t *root;
	struct srcpos pos = { cfg->path, 1, 1 };
	int rc = -1, i;

	if (config_check_syntax(cfg, text, len, cause) != 0)
		return -1;
	if (!yaml_parser_initialize(&parser))
		return kmsim_fail(cause, "%s: out of memory", cfg->path);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		config_yaml_error(cfg, &parser, text, len, cause);
		goto out_delete_parser;
	}
	root = yaml_document_get_root_node(&doc);
	if (root == NULL) {
		kmsim_fail_at(cause, &pos, "the configuration is empty");
		goto out_delete_doc;
	}
	if (!yaml_parser_load(&parser, &extra)) {
		config_yaml_error(cfg, &parser, text, len, cause);
		goto out_delete_doc;
	}
	if (yaml_document_get_root_node(&extra) != NULL) {
		pos.line = (unsigned long)extra.start_mark.line + 1;
		pos.col = (unsigned long)extra.start_mark.column + 1;
		kmsim_fail_at(cause, &pos, "a second document: a configuration "
		    "is one YAML document");
		yaml_document_delete(&extra);
		goto out_delete_doc;
	}
	yaml_document_delete(&extra);

	r = xcalloc(1, sizeof *r);
	r->cfg = cfg;
	r->yd.doc = &doc;
	r->yd.file = cfg->path;
	r->yd.cause = cause;
	r->yd.error = config_node_error;
	for (i = 0; i < CONFIG_MAX_CPUS; i++)
		r->cpu_node[i] = -1;
	for (i = 0; i < nr_sets; i++)
		if (config_set_one(r, sets[i], cause) != 0)
			goto out_free_reader;
	/* the document's root, after the additions moved the nodes */
	rc = config_read_root(r, yaml_document_get_root_node(&doc));
out_free_reader:
	free(r->set_ids);
	free(r->src);
	free(r);

out_delete_doc:
	yaml_document_delete(&doc);
out_delete_parser:
	yaml_parser_delete(&parser);
	return rc;
}

struct config *config_load_string(const char *name, const char *text,
    char **cause)
{
	struct config *cfg = config_create(name);

	if (config_parse(cfg, text, strlen(text), NULL, 0, cause) != 0) {
		config_destroy(cfg);
		return NULL;
	}
	return cfg;
}

struct config *config_load(const char *path, char **cause)
{
	return config_load_overrides(path, NULL, 0, cause);
}

struct config *config_load_overrides(const char *path,
    const char *const *sets, int nr_sets, char **cause)
{
	struct config *cfg;
	FILE *f;
	char *buf = NULL;
	size_t len = 0, alloc = 0, got;
	int rc;

	if (strcmp(path, "-") == 0)
		f = stdin;
	else if ((f = fopen(path, "rb")) == NULL) {
		kmsim_fail(cause, "%s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (len == alloc) {
			if (alloc >= CONFIG_MAX_FILE) {
				kmsim_fail(cause, "%s: larger than %u MiB, not "
				    "a configuration", path,
				    CONFIG_MAX_FILE >> 20);
				goto out_close;
			}
			alloc = alloc == 0 ? 8192 : alloc * 2;
			buf = xreallocarray(buf, alloc, 1);
		}
		got = fread(buf + len, 1, alloc - len, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		kmsim_fail(cause, "%s: %s", path, strerror(errno));
		goto out_close;
	}
	if (f != stdin)
		fclose(f);

	cfg = config_create(path);
	rc = config_parse(cfg, buf, len, sets, nr_sets, cause);
	free(buf);
	if (rc != 0) {
		config_destroy(cfg);
		return NULL;
	}
	return cfg;

out_close:
	if (f != stdin)
		fclose(f);
	free(buf);
	return NULL;
}

