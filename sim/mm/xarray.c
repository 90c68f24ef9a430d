/*
 * xarray.c - the sparse array of the page cache's index (see xarray.h).
 * Models lib/xarray.c as far as the page cache uses it: one mark, no
 * multi-index entries (a folio of order n fills its 2^n slots), nodes
 * freed as soon as they empty.
 */
#include "kmsim_config.h"

#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>

#include "kmsim.h"
#include "mm/xarray.h"

#define XARRAY_MASK		(XARRAY_SLOTS - 1)
#define XARRAY_MAX_HEIGHT	11		/* 66 bits of index */

/* An entry is stored as a tagged value (xa_mk_value()), never NULL. */
static void *xarray_entry(uint32_t entry)
{
	return (void *)(((uintptr_t)entry << 1) | 1);
}

static uint32_t xarray_value(const void *e)
{
	return e == NULL ? XARRAY_NONE : (uint32_t)((uintptr_t)e >> 1);
}

/* The largest index a tree of height holds. */
static uint64_t xarray_max(unsigned height)
{
	return height * XARRAY_SHIFT >= 64 ? UINT64_MAX :
	    (UINT64_C(1) << (height * XARRAY_SHIFT)) - 1;
}

static size_t xarray_offset(uint64_t index, unsigned h)
{
	return (size_t)((index >> ((h - 1) * XARRAY_SHIFT)) & XARRAY_MASK);
}

static struct xarray_node *xarray_node_new(struct xarray *xa)
{
	if (xa->nodes != NULL)
		(*xa->nodes)++;
	return xcalloc(1, sizeof(struct xarray_node));
}

static void xarray_node_free(struct xarray *xa, struct xarray_node *n)
{
	if (xa->nodes != NULL)
		(*xa->nodes)--;
	free(n);
}

void xarray_init(struct xarray *xa, uint64_t *nodes)
{
	xa->root = NULL;
	xa->height = 0;
	xa->nodes = nodes;
}

static void xarray_destroy_node(struct xarray *xa, struct xarray_node *n,
    unsigned h)
{
	size_t s;

	if (n == NULL)
		return;
	if (h > 1)
		for (s = 0; s < XARRAY_SLOTS; s++)
			xarray_destroy_node(xa, n->slot[s], h - 1);
	xarray_node_free(xa, n);
}

void xarray_destroy(struct xarray *xa)
{
	xarray_destroy_node(xa, xa->root, xa->height);
	xa->root = NULL;
	xa->height = 0;
}

uint32_t xarray_load(const struct xarray *xa, uint64_t index)
{
	const struct xarray_node *n = xa->root;
	unsigned h;

	if (n == NULL || index > xarray_max(xa->height))
		return XARRAY_NONE;
	for (h = xa->height; h > 1; h--) {
		n = n->slot[xarray_offset(index, h)];
		if (n == NULL)
			return XARRAY_NONE;
	}
	return xarray_value(n->slot[index & XARRAY_MASK]);
}

void xarray_store(struct xarray *xa, uint64_t index, uint32_t entry)
{
	struct xarray_node *n;
	unsigned h;
	size_t s;

	assert(entry != XARRAY_NONE);
	if (xa->root == NULL) {
		xa->root = xarray_node_new(xa);
		xa->height = 1;
	}
	/* xas_expand(): new roots above the old until index fits */
	while (index > xarray_max(xa->height)) {
		struct xarray_node *top = xarray_node_new(xa);

		top->slot[0] = xa->root;
		top->count = 1;
		if (xa->root->mark)
			top->mark = 1;
		xa->root = top;
		xa->height++;
	}
	n = xa->root;
	for (h = xa->height; h > 1; h--) {
		s = xarray_offset(index, h);
		if (n->slot[s] == NULL) {
			n->slot[s] = xarray_node_new(xa);
			n->count++;
		}
		n = n->slot[s];
	}
	s = index & XARRAY_MASK;
	if (n->slot[s] == NULL)
		n->count++;
	n->slot[s] = xarray_entry(entry);
}

void xarray_mark(struct xarray *xa, uint64_t index, bool set)
{
	struct xarray_node *path[XARRAY_MAX_HEIGHT];
	unsigned h, d = 0;
	size_t s;

	if (xa->root == NULL || index > xarray_max(xa->height))
		return;
	path[d] = xa->root;
	for (h = xa->height; h > 1; h--) {
		s = xarray_offset(index, h);
		if (set)
			path[d]->mark |= UINT64_C(1) << s;
		if (path[d]->slot[s] == NULL)
			return;
		path[d + 1] = path[d]->slot[s];
		d++;
	}
	s = index & XARRAY_MASK;
	if (set) {
		path[d]->mark |= UINT64_C(1) << s;
		return;
	}
	path[d]->mark &= ~(UINT64_C(1) << s);
	/* clear the parents' bits whose subtree lost its last mark */
	while (d > 0 && path[d]->mark == 0) {
		d--;
		h = xa->height - d;
		s = xarray_offset(index, h);
		path[d]->mark &= ~(UINT64_C(1) << s);
	}
}

void xarray_erase(struct xarray *xa, uint64_t index)
{
	struct xarray_node *path[XARRAY_MAX_HEIGHT];
	size_t slots[XARRAY_MAX_HEIGHT];
	unsigned h, d = 0;

	if (xa->root == NULL || index > xarray_max(xa->height))
		return;
	xarray_mark(xa, index, false);
	path[0] = xa->root;
	for (h = xa->height; h > 1; h--) {
		slots[d] = xarray_offset(index, h);
		if (path[d]->slot[slots[d]] == NULL)
			return;
		path[d + 1] = path[d]->slot[slots[d]];
		d++;
	}
	slots[d] = index & XARRAY_MASK;
	if (path[d]->slot[slots[d]] == NULL)
		return;
	path[d]->slot[slots[d]] = NULL;
	path[d]->count--;
	while (path[d]->count == 0) {
		xarray_node_free(xa, path[d]);
		if (d == 0) {
			xa->root = NULL;
			xa->height = 0;
			return;
		}
		d--;
		path[d]->slot[slots[d]] = NULL;
		path[d]->count--;
	}
}

/* The first entry (marked: marked) at or after *index in n's subtree of
 * height h starting at base; XARRAY_NONE if none. */
static uint32_t xarray_find_node(const struct xarray_node *n, unsigned h,
    uint64_t base, uint64_t *index, bool marked)
{
	uint64_t span = h > 1 ? UINT64_C(1) << ((h - 1) * XARRAY_SHIFT) : 1;
	size_t s = (size_t)((*index > base ? *index - base : 0) / span);
	uint32_t e;

	for (; s < XARRAY_SLOTS; s++) {
		uint64_t sbase = base + s * span;

		if (n->slot[s] == NULL ||
		    (marked && !(n->mark & (UINT64_C(1) << s))))
			continue;
		if (h == 1) {
			if (sbase < *index)
				continue;
			*index = sbase;
			return xarray_value(n->slot[s]);
		}
		e = xarray_find_node(n->slot[s], h - 1, sbase, index, marked);
		if (e != XARRAY_NONE)
			return e;
	}
	return XARRAY_NONE;
}

uint32_t xarray_find(const struct xarray *xa, uint64_t *index, bool marked)
{
	if (xa->root == NULL || *index > xarray_max(xa->height))
		return XARRAY_NONE;
	return xarray_find_node(xa->root, xa->height, 0, index, marked);
}

struct xarray_check_args {
	const char *what, *mark;
	int (*fn)(void *arg, uint64_t index, uint32_t entry, bool marked,
	    char **cause);
	void *arg;
	uint64_t *entries;
};

static int xarray_check_node(const struct xarray_check_args *a,
    const struct xarray_node *n, unsigned h, uint64_t base, char **cause)
{
	uint64_t span = h > 1 ? UINT64_C(1) << ((h - 1) * XARRAY_SHIFT) : 1;
	unsigned used = 0;
	size_t s;

	for (s = 0; s < XARRAY_SLOTS; s++) {
		uint64_t idx = base + s * span;
		bool marked = n->mark & (UINT64_C(1) << s);

		if (n->slot[s] == NULL) {
			if (marked)
				return kmsim_fail(cause, "%s: a %s mark on an "
				    "empty slot (index %" PRIu64 ")", a->what,
				    a->mark, idx);
			continue;
		}
		used++;
		if (h > 1) {
			const struct xarray_node *c = n->slot[s];

			if (marked != (c->mark != 0))
				return kmsim_fail(cause, "%s: the %s mark "
				    "above index %" PRIu64 " does not match "
				    "its subtree", a->what, a->mark, idx);
			if (xarray_check_node(a, c, h - 1, idx, cause) != 0)
				return -1;
			continue;
		}
		(*a->entries)++;
		if (a->fn(a->arg, idx, xarray_value(n->slot[s]), marked,
		    cause) != 0)
			return -1;
	}
	if (used != n->count)
		return kmsim_fail(cause, "%s: an index node counts %u slots, "
		    "%u are used", a->what, n->count, used);
	return 0;
}

int xarray_check(const struct xarray *xa, const char *what, const char *mark,
    int (*fn)(void *arg, uint64_t index, uint32_t entry, bool marked,
    char **cause), void *arg, uint64_t *entries, char **cause)
{
	struct xarray_check_args a = { what, mark, fn, arg, entries };

	if (xa->root == NULL)
		return 0;
	return xarray_check_node(&a, xa->root, xa->height, 0, cause);
}
