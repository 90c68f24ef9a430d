/*
 * yamlnode.c - walking a YAML file read with libyaml: node kinds, nulls,
 * positions, mappings checked against their keys, and scalars read as
 * numbers, sizes and booleans (yamlnode.h).
 */
#include "yamlnode.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct srcpos yamlnode_mark_pos(const char *file, yaml_mark_t mark)
{
	struct srcpos pos;

	pos.file = file;
	pos.line = (unsigned long)mark.line + 1;
	pos.col = (unsigned long)mark.column + 1;
	return pos;
}

struct srcpos yamlnode_pos(const struct yamlnode_doc *d, const yaml_node_t *n)
{
	return yamlnode_mark_pos(d->file, n->start_mark);
}

const char *yamlnode_kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return "a scalar";
	case YAML_SEQUENCE_NODE:
		return "a sequence";
	case YAML_MAPPING_NODE:
		return "a mapping";
	default:
		return "nothing";
	}
}

const char *yamlnode_event_kind(const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		return "a scalar";
	case YAML_SEQUENCE_START_EVENT:
		return "a sequence";
	case YAML_MAPPING_START_EVENT:
		return "a mapping";
	default:
		return "nothing";
	}
}

static bool yamlnode_plain_null(yaml_scalar_style_t style, const char *text)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
	size_t i;

	if (style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	for (i = 0; i < ARRAY_SIZE(nulls); i++)
		if (strcmp(text, nulls[i]) == 0)
			return true;
	return false;
}

bool yamlnode_is_null(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE &&
	    yamlnode_plain_null(n->data.scalar.style, yamlnode_text(n));
}

bool yamlnode_event_is_null(const yaml_event_t *ev)
{
	return ev->type == YAML_SCALAR_EVENT &&
	    yamlnode_plain_null(ev->data.scalar.style,
	    (const char *)ev->data.scalar.value);
}

const char *yamlnode_text(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

bool yamlnode_has_nul(const yaml_node_t *n)
{
	return strlen(yamlnode_text(n)) != n->data.scalar.length;
}

int yamlnode_seq_len(const yaml_node_t *n)
{
	return (int)(n->data.sequence.items.top - n->data.sequence.items.start);
}

yaml_node_t *yamlnode_seq_item(const struct yamlnode_doc *d,
    const yaml_node_t *n, int i)
{
	return yaml_document_get_node(d->doc, n->data.sequence.items.start[i]);
}

int yamlnode_verror(struct yamlnode_doc *d, const yaml_node_t *n,
    const char *fmt, va_list ap)
{
	struct srcpos pos;
	char *msg;

	xvasprintf(&msg, fmt, ap);
	if (d->error != NULL)
		d->error(d, n, msg);
	else {
		pos = yamlnode_pos(d, n);
		kmsim_fail_at(d->cause, &pos, "%s", msg);
	}
	free(msg);
	return -1;
}

int yamlnode_error(struct yamlnode_doc *d, const yaml_node_t *n,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	yamlnode_verror(d, n, fmt, ap);
	va_end(ap);
	return -1;
}

int yamlnode_expect(struct yamlnode_doc *d, const yaml_node_t *n,
    yaml_node_type_t type, const char *what)
{
	const char *want;

	if (n->type == type)
		return 0;
	switch (type) {
	case YAML_SEQUENCE_NODE:
		want = "a sequence";
		break;
	case YAML_MAPPING_NODE:
		want = "a mapping";
		break;
	default:
		want = "a scalar";
		break;
	}
	return yamlnode_error(d, n, "%s: expected %s, found %s", what, want,
	    yamlnode_kind(n));
}

void yamlnode_iter_init(struct yamlnode_iter *it, const yaml_node_t *map)
{
	it->map = map;
	it->pair = map->data.mapping.pairs.start;
}

int yamlnode_next(struct yamlnode_doc *d, struct yamlnode_iter *it,
    const struct yamlnode_keys *ks, yaml_node_t **seen, size_t *i,
    yaml_node_t **key, yaml_node_t **val)
{
	const char *where = ks->where_always ? ks->where : "", *name;
	yaml_node_t *k;

	if (it->pair >= it->map->data.mapping.pairs.top)
		return 0;
	k = yaml_document_get_node(d->doc, it->pair->key);
	*val = yaml_document_get_node(d->doc, it->pair->value);
	it->pair++;
	if (k->type != YAML_SCALAR_NODE)
		return yamlnode_error(d, k, "%sexpected a scalar %s%s, "
		    "found %s", ks->prefix, ks->noun, where, yamlnode_kind(k));
	name = yamlnode_text(k);
	for (*i = 0; *i < ks->nr; (*i)++)
		if (strcmp(name, ks->names[*i]) == 0)
			break;
	if (*i == ks->nr || yamlnode_has_nul(k))
		return yamlnode_error(d, k, "%sunknown %s '%s'%s", ks->prefix,
		    ks->noun, name, ks->where);
	if (seen[*i] != NULL)
		return yamlnode_error(d, k, "%sduplicate %s '%s'%s", ks->prefix,
		    ks->noun, name, where);
	seen[*i] = k;
	*key = k;
	return 1;
}

int yamlnode_collect(struct yamlnode_doc *d, const yaml_node_t *map,
    const struct yamlnode_keys *ks, yaml_node_t **vals, yaml_node_t **keys)
{
	struct yamlnode_iter it;
	yaml_node_t *k, *v;
	size_t i;
	int rc;

	for (i = 0; i < ks->nr; i++)
		vals[i] = keys[i] = NULL;
	yamlnode_iter_init(&it, map);
	while ((rc = yamlnode_next(d, &it, ks, keys, &i, &k, &v)) > 0)
		vals[i] = v;
	return rc;
}

int yamlnode_scalar(struct yamlnode_doc *d, const yaml_node_t *n,
    const char *key, const char *want, const char **out)
{
	if (n->type != YAML_SCALAR_NODE)
		return yamlnode_error(d, n, "%s: expected %s, found %s", key,
		    want, yamlnode_kind(n));
	if (yamlnode_has_nul(n))
		return yamlnode_error(d, n, "%s: value contains a NUL "
		    "character", key);
	*out = yamlnode_text(n);
	return 0;
}

int yamlnode_parse_u64(struct yamlnode_doc *d, const yaml_node_t *n,
    const char *key, const char *s, uint64_t min, uint64_t max,
    uint64_t *out)
{
	char *why = NULL;
	uint64_t v = 0;

	if (kmsim_parse_u64(s, &v, &why) != 0) {
		yamlnode_error(d, n, "%s: %s", key, why);
		free(why);
		return -1;
	}
	if (v < min || v > max)
		return yamlnode_error(d, n, "%s: '%s' is out of range %" PRIu64
		    "..%" PRIu64, key, s, min, max);
	*out = v;
	return 0;
}

int yamlnode_u64(struct yamlnode_doc *d, const yaml_node_t *n,
    const char *key, uint64_t min, uint64_t max, uint64_t *out)
{
	const char *s = "";

	if (yamlnode_scalar(d, n, key, "a number", &s) != 0)
		return -1;
	return yamlnode_parse_u64(d, n, key, s, min, max, out);
}

int yamlnode_uint(struct yamlnode_doc *d, const yaml_node_t *n,
    const char *key, unsigned min, unsigned max, unsigned *out)
{
	uint64_t v = 0;

	if (yamlnode_u64(d, n, key, min, max, &v) != 0)
		return -1;
	*out = (unsigned)v;
	return 0;
}

int yamlnode_size(struct yamlnode_doc *d, const yaml_node_t *n,
    const char *key, uint64_t *out)
{
	const char *s = "";
	char *why = NULL;
	uint64_t v = 0;
	int rc;

	if (yamlnode_scalar(d, n, key, "a size", &s) != 0)
		return -1;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		rc = kmsim_parse_u64(s, &v, &why);
	else
		rc = kmsim_parse_size(s, &v, &why);
	if (rc != 0) {
		yamlnode_error(d, n, "%s: %s", key, why);
		free(why);
		return -1;
	}
	*out = v;
	return 0;
}

int yamlnode_bool(struct yamlnode_doc *d, const yaml_node_t *n,
    const char *key, bool *out)
{
	static const char *const yes[] = { "true", "on", "yes", "1" };
	static const char *const no[] = { "false", "off", "no", "0" };
	const char *s = "";
	size_t i;

	if (yamlnode_scalar(d, n, key, "true or false", &s) != 0)
		return -1;
	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return yamlnode_error(d, n, "%s: '%s' is not true or false (on, off)",
	    key, s);
}
