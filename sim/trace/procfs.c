/* procfs.c - parsers for /proc/zoneinfo and /proc/buddyinfo. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/procfs.h"

struct procfs_zone *procfs_find(struct procfs_zones *zs, int node,
    const char *name)
{
	int i;

	for (i = 0; i < zs->n; i++)
		if (zs->z[i].node == node && strcmp(zs->z[i].name, name) == 0)
			return &zs->z[i];
	return NULL;
}

static struct procfs_zone *add_zone(struct procfs_zones *zs, int node,
    const char *name)
{
	struct procfs_zone *z;

	zs->z = xreallocarray(zs->z, (size_t)zs->n + 1, sizeof *zs->z);
	z = &zs->z[zs->n++];
	memset(z, 0, sizeof *z);
	z->node = node;
	snprintf(z->name, sizeof z->name, "%s", name);
	z->type = zone_type_parse(name);
	return z;
}

void procfs_zones_free(struct procfs_zones *zs)
{
	free(zs->z);
	zs->z = NULL;
	zs->n = 0;
}

/* "Node 0, zone      DMA": node and zone name; 0 if the line is one. */
static int zone_header(const char *line, int *node, char *name, size_t len)
{
	char buf[32];
	int n;

	if (sscanf(line, "Node %d, zone %31s", &n, buf) != 2)
		return -1;
	/* buddyinfo has the counts after the name on the same line */
	*node = n;
	snprintf(name, len, "%s", buf);
	return 0;
}

static char *next_line(char **p)
{
	char *line = *p, *nl;

	if (*line == '\0')
		return NULL;
	nl = strchr(line, '\n');
	if (nl != NULL) {
		*nl = '\0';
		*p = nl + 1;
	} else {
		*p = line + strlen(line);
	}
	return line;
}

int procfs_parse_zoneinfo(const char *name, const char *text,
    struct procfs_zones *zs, char **cause)
{
	char *copy = xstrdup(text), *p = copy, *line, zname[32];
	struct procfs_zone *z = NULL;
	unsigned long lineno = 0;
	int node, zones = 0;

	while ((line = next_line(&p)) != NULL) {
		const char *s = line;
		unsigned long long v;
		char key[32];

		lineno++;
		if (zone_header(line, &node, zname, sizeof zname) == 0) {
			z = add_zone(zs, node, zname);
			zones++;
			continue;
		}
		if (z == NULL)
			continue;
		while (isspace((unsigned char)*s))
			s++;
		if (strncmp(s, "pages free", 10) == 0) {
			if (sscanf(s + 10, "%llu", &v) != 1)
				goto out_bad;
			z->free = v;
			continue;
		}
		if (strncmp(s, "protection: (", 13) == 0) {
			char *q = (char *)s + 13, *end;
			int i;

			for (i = 0; i < MAX_NR_ZONES && *q; i++) {
				z->protection[i] = strtoull(q, &end, 10);
				if (end == q)
					break;
				q = end;
				while (*q == ',' || *q == ' ')
					q++;
			}
			continue;
		}
		if (sscanf(s, "%31[a-z_]: %llu", key, &v) == 2 &&
		    strcmp(key, "start_pfn") == 0) {
			z->start_pfn = v;
			continue;
		}
		if (sscanf(s, "%31s %llu", key, &v) != 2)
			continue;
		if (strcmp(key, "spanned") == 0)
			z->spanned = v;
		else if (strcmp(key, "present") == 0)
			z->present = v;
		else if (strcmp(key, "managed") == 0)
			z->managed = v;
		else if (strcmp(key, "min") == 0)
			z->wmark[WMARK_MIN] = v;
		else if (strcmp(key, "low") == 0)
			z->wmark[WMARK_LOW] = v;
		else if (strcmp(key, "high") == 0)
			z->wmark[WMARK_HIGH] = v;
		else if (strcmp(key, "promo") == 0)
			z->wmark[WMARK_PROMO] = v;
	}
	free(copy);
	if (zones == 0)
		return kmsim_fail(cause, "%s: no 'Node N, zone NAME' lines: not"
		    " a /proc/zoneinfo", name);
	return 0;

out_bad:
	free(copy);
	return kmsim_fail(cause, "%s:%lu: cannot read this zoneinfo line", name,
	    lineno);
}

int procfs_parse_buddyinfo(const char *name, const char *text,
    struct procfs_zones *zs, char **cause)
{
	char *copy = xstrdup(text), *p = copy, *line, zname[32];
	unsigned long lineno = 0;
	int node, rows = 0;

	while ((line = next_line(&p)) != NULL) {
		struct procfs_zone *z;
		char *q, *end;
		int o;

		lineno++;
		if (*line == '\0')
			continue;
		if (zone_header(line, &node, zname, sizeof zname) != 0) {
			free(copy);
			return kmsim_fail(cause, "%s:%lu: not a /proc/buddyinfo"
			    " line", name, lineno);
		}
		z = procfs_find(zs, node, zname);
		if (z == NULL)
			z = add_zone(zs, node, zname);
		q = strstr(line, zname) + strlen(zname);
		for (o = 0; o < NR_ORDERS_MAX; o++) {
			unsigned long long v = strtoull(q, &end, 10);

			if (end == q)
				break;
			z->nr_free[o] = v;
			q = end;
		}
		z->nr_orders = o;
		rows++;
	}
	free(copy);
	if (rows == 0)
		return kmsim_fail(cause, "%s: empty buddyinfo", name);
	return 0;
}

int procfs_parse_slabinfo(const char *name, const char *text,
    struct procfs_slab **out, size_t *n, char **cause)
{
	const char *p = text;
	unsigned long line = 0;

	*out = NULL;
	*n = 0;
	while (*p != '\0') {
		const char *e = strchr(p, '\n');
		size_t len = e != NULL ? (size_t)(e - p) : strlen(p);
		char buf[512];
		struct procfs_slab sl;
		unsigned long long a, b, as, ns;
		unsigned sz, ops, pps;

		line++;
		if (len >= sizeof buf)
			len = sizeof buf - 1;
		memcpy(buf, p, len);
		buf[len] = '\0';
		p = e != NULL ? e + 1 : p + strlen(p);
		if (line == 1) {
			if (strncmp(buf, "slabinfo - version: 2.1", 23) != 0)
				return kmsim_fail(cause, "%s:1: not /proc/slabinfo"
				    " version 2.1", name);
			continue;
		}
		if (buf[0] == '#' || buf[0] == '\0')
			continue;
		memset(&sl, 0, sizeof sl);
		if (sscanf(buf, "%63s %llu %llu %u %u %u : tunables %*u %*u %*u"
		    " : slabdata %llu %llu", sl.name, &a, &b, &sz, &ops, &pps,
		    &as, &ns) != 8) {
			free(*out);
			*out = NULL;
			*n = 0;
			return kmsim_fail(cause, "%s:%lu: not a slabinfo line",
			    name, line);
		}
		sl.active_objs = a;
		sl.num_objs = b;
		sl.objsize = sz;
		sl.objperslab = ops;
		sl.pagesperslab = pps;
		sl.active_slabs = as;
		sl.num_slabs = ns;
		*out = xreallocarray(*out, *n + 1, sizeof **out);
		(*out)[(*n)++] = sl;
	}
	return 0;
}
