/*
 * config_set.c - kmsim --set KEY=VALUE (and kmsim-sweep's params): the
 * configuration's overrides, applied to the loaded YAML document before
 * it is read, so an override is checked exactly as the file's own value.
 */
#include "config_reader.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "kmsim.h"

/* The value of key `name` (n bytes) in a mapping, as a pair; or NULL. */
static yaml_node_pair_t *config_set_find(yaml_document_t *doc,
    yaml_node_t *map, const char *name, size_t n)
{
	yaml_node_pair_t *pair;
	yaml_node_t *k;

	for (pair = map->data.mapping.pairs.start;
	    pair < map->data.mapping.pairs.top; pair++) {
		k = yaml_document_get_node(doc, pair->key);
		if (k != NULL && k->type == YAML_SCALAR_NODE &&
		    k->data.scalar.length == n &&
		    memcmp(k->data.scalar.value, name, n) == 0)
			return pair;
	}
	return NULL;
}

/* A new plain scalar where `at` is (for messages); its id, or 0. */
static int config_set_scalar(yaml_document_t *doc, const char *text,
    yaml_mark_t at)
{
	int id;

	id = yaml_document_add_scalar(doc, NULL, (yaml_char_t *)text,
	    (int)strlen(text), YAML_PLAIN_SCALAR_STYLE);
	if (id != 0) {
		yaml_document_get_node(doc, id)->start_mark = at;
		yaml_document_get_node(doc, id)->end_mark = at;
	}
	return id;
}

/* Remember a node --set wrote, for config_error(). */
static void config_set_note(struct config_reader *r, int id)
{
	r->set_ids = xreallocarray(r->set_ids, (size_t)r->nr_set_ids + 1,
	    sizeof *r->set_ids);
	r->set_ids[r->nr_set_ids++] = id;
}

/*
 * Apply one "KEY=VALUE": KEY is a dotted path of mapping keys and sequence
 * indices.  The scalar it names gets VALUE; a key missing from a mapping
 * is added (with the mappings on the way to it), and the reader then says
 * whether it is allowed.  The nodes written are noted in r.
 */
int config_set_one(struct config_reader *r, const char *set,
    char **cause)
{
	yaml_document_t *doc = r->yd.doc;
	const char *eq = strchr(set, '='), *p, *dot;
	yaml_node_t *n = yaml_document_get_root_node(doc);
	yaml_node_pair_t *pair;
	yaml_mark_t at;
	char *part = NULL, *end;
	unsigned long idx;
	size_t len;
	int kid, vid, parent, nitems;
	bool last;

	if (eq == NULL)
		return kmsim_fail(cause, "--set '%s': expected KEY=VALUE", set);
	if (eq == set)
		return kmsim_fail(cause, "--set '%s': no key path", set);
	if (n == NULL || n->type != YAML_MAPPING_NODE)
		return kmsim_fail(cause, "--set '%s': the configuration is "
		    "not a mapping", set);
	parent = (int)(n - doc->nodes.start) + 1;
	for (p = set; p < eq; p = dot + 1) {
		dot = memchr(p, '.', (size_t)(eq - p));
		if (dot == NULL)
			dot = eq;
		len = (size_t)(dot - p);
		last = dot == eq;
		free(part);
		part = xstrndup(p, len);
		if (len == 0) {
			kmsim_fail(cause, "--set '%s': empty key in the path",
			    set);
			goto out_fail;
		}
		n = yaml_document_get_node(doc, parent);
		at = n->start_mark;
		if (n->type == YAML_SEQUENCE_NODE) {
			nitems = (int)(n->data.sequence.items.top -
			    n->data.sequence.items.start);
			errno = 0;
			idx = strtoul(part, &end, 10);
			if (*end != '\0' || !isdigit((unsigned char)*part) ||
			    errno != 0 || idx >= (unsigned long)nitems) {
				kmsim_fail(cause, "--set '%s': bad index '%s' "
				    "(the sequence has %d items)", set, part,
				    nitems);
				goto out_fail;
			}
			if (!last) {
				parent = n->data.sequence.items.start[idx];
				continue;
			}
			if (yaml_document_get_node(doc,
			    n->data.sequence.items.start[idx])->type !=
			    YAML_SCALAR_NODE)
				goto out_not_scalar;
			at = yaml_document_get_node(doc,
			    n->data.sequence.items.start[idx])->start_mark;
			vid = config_set_scalar(doc, eq + 1, at);
			if (vid == 0)
				goto out_nomem;
			/* the add may have moved the node array */
			n = yaml_document_get_node(doc, parent);
			n->data.sequence.items.start[idx] = vid;
			config_set_note(r, vid);
			break;
		}
		if (n->type != YAML_MAPPING_NODE) {
			kmsim_fail(cause, "--set '%s': '%.*s' is %s, not a "
			    "mapping or a sequence", set, (int)(p - set - 1),
			    set, n->type == YAML_SCALAR_NODE ? "a scalar" :
			    "empty");
			goto out_fail;
		}
		pair = config_set_find(doc, n, part, len);
		if (pair != NULL && !last) {
			parent = pair->value;
			continue;
		}
		if (pair != NULL) {
			at = yaml_document_get_node(doc, pair->value)->start_mark;
			if (yaml_document_get_node(doc, pair->value)->type !=
			    YAML_SCALAR_NODE)
				goto out_not_scalar;
			vid = config_set_scalar(doc, eq + 1, at);
			if (vid == 0)
				goto out_nomem;
			/* the pair may have moved with the node array */
			pair = config_set_find(doc, yaml_document_get_node(doc,
			    parent), part, len);
			pair->value = vid;
			config_set_note(r, vid);
			break;
		}
		/* absent: add it, a mapping on the way or the scalar; a
		 * missing sequence indexed at 0 (disks.0.bandwidth) becomes
		 * a sequence of one mapping */
		kid = config_set_scalar(doc, part, at);
		if (last) {
			vid = config_set_scalar(doc, eq + 1, at);
		} else if (dot[1] == '0' && (dot[2] == '.' || dot[2] == '=') &&
		    dot + 2 < eq) {
			int mid;

			vid = yaml_document_add_sequence(doc, NULL,
			    YAML_BLOCK_SEQUENCE_STYLE);
			mid = yaml_document_add_mapping(doc, NULL,
			    YAML_BLOCK_MAPPING_STYLE);
			if (vid == 0 || mid == 0 ||
			    !yaml_document_append_sequence_item(doc, vid, mid))
				goto out_nomem;
			yaml_document_get_node(doc, mid)->start_mark = at;
			config_set_note(r, mid);
		} else {
			vid = yaml_document_add_mapping(doc, NULL,
			    YAML_BLOCK_MAPPING_STYLE);
		}
		if (kid == 0 || vid == 0 ||
		    !yaml_document_append_mapping_pair(doc, parent, kid, vid))
			goto out_nomem;
		yaml_document_get_node(doc, vid)->start_mark = at;
		config_set_note(r, kid);
		config_set_note(r, vid);
		parent = vid;
	}
	free(part);
	return 0;

out_not_scalar:
	kmsim_fail(cause, "--set '%s': '%.*s' is not a scalar", set,
	    (int)(eq - set), set);
	goto out_fail;
out_nomem:
	kmsim_fail(cause, "--set '%s': out of memory", set);
out_fail:
	free(part);
	return -1;
}

