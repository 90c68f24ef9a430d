/*
 * xarray.h - a sparse array of 32-bit entries under 64-bit indices, with
 * one mark, after the kernel's xarray (include/linux/xarray.h,
 * lib/xarray.c): a tree of 64-slot nodes, as high as the largest index
 * needs, each slot of a node carrying a mark bit that is set when the
 * entry, or some entry of the subtree, below it is marked.  The page
 * cache keeps one per file (mapping->i_pages), its mark being
 * PAGECACHE_TAG_DIRTY.
 */
#ifndef KMSIM_XARRAY_H
#define KMSIM_XARRAY_H

#include <stdbool.h>
#include <stdint.h>

#define XARRAY_SHIFT	6		/* XA_CHUNK_SHIFT */
#define XARRAY_SLOTS	(1u << XARRAY_SHIFT)
#define XARRAY_NONE	UINT32_MAX	/* no entry */

struct xarray_node {
	void *slot[XARRAY_SLOTS];	/* child nodes, or tagged entries */
	uint64_t mark;			/* the mark below each slot */
	unsigned count;			/* slots in use */
};

struct xarray {
	struct xarray_node *root;
	unsigned height;		/* 0: empty */
	uint64_t *nodes;		/* counts the nodes allocated (shared
					   by many arrays), or NULL */
};

/* An empty array; nodes (may be NULL) counts its nodes up and down. */
void xarray_init(struct xarray *xa, uint64_t *nodes);
/* Free every node (xa_destroy()); the array is empty again. */
void xarray_destroy(struct xarray *xa);

/* The entry at index, or XARRAY_NONE (xa_load()). */
uint32_t xarray_load(const struct xarray *xa, uint64_t index);
/* Store entry (not XARRAY_NONE) at index, growing the tree (xa_store()). */
void xarray_store(struct xarray *xa, uint64_t index, uint32_t entry);
/* Set or clear the mark of index (xa_set_mark(), xa_clear_mark()). */
void xarray_mark(struct xarray *xa, uint64_t index, bool set);
/* Remove index's entry and its mark, freeing nodes that empty
 * (xa_erase()). */
void xarray_erase(struct xarray *xa, uint64_t index);
/* The first entry (marked: the first marked one) at or after *index,
 * its index in *index; XARRAY_NONE if none (xa_find()). */
uint32_t xarray_find(const struct xarray *xa, uint64_t *index, bool marked);

/*
 * Check the tree (--check): no mark on an empty slot, every node's mark
 * bits matching its subtrees, every count right; fn is called on each
 * entry in index order (0, or -1 with *cause).  *entries counts the
 * entries.  Messages read "WHAT: ... MARK mark ...".
 */
int xarray_check(const struct xarray *xa, const char *what, const char *mark,
    int (*fn)(void *arg, uint64_t index, uint32_t entry, bool marked,
    char **cause), void *arg, uint64_t *entries, char **cause);

#endif /* KMSIM_XARRAY_H */
