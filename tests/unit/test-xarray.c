/*
 * test-xarray.c - the page cache's index: loads, stores and erases
 * against a plain array, the mark found in index order and cleared up
 * the tree, the tree growing for large indices, and the node count
 * going back to zero when the last entry goes.
 */
#include <stdlib.h>

#include "mm/xarray.h"
#include "tap.h"

#define N 5000

static int no_entry_check(void *arg, uint64_t index, uint32_t entry,
    bool marked, char **cause)
{
	(void)arg;
	(void)index;
	(void)entry;
	(void)marked;
	(void)cause;
	return 0;
}

TEST(against_reference)
{
	static uint32_t ref[N];
	static bool mark[N];
	struct xarray xa;
	uint64_t nodes = 0, idx, entries;
	unsigned seed = 1;
	uint32_t e;
	char *cause = NULL;
	int k, live = 0;

	xarray_init(&xa, &nodes);
	for (k = 0; k < N; k++)
		ref[k] = XARRAY_NONE;
	for (k = 0; k < 40000; k++) {
		int i;

		seed = seed * 1103515245 + 12345;
		i = (int)((seed >> 8) % N);
		switch ((seed >> 24) % 4) {
		case 0:
		case 1:
			if (ref[i] == XARRAY_NONE)
				live++;
			ref[i] = (uint32_t)k;
			xarray_store(&xa, (uint64_t)i, (uint32_t)k);
			break;
		case 2:
			if (ref[i] != XARRAY_NONE)
				live--;
			ref[i] = XARRAY_NONE;
			mark[i] = false;
			xarray_erase(&xa, (uint64_t)i);
			break;
		default:
			if (ref[i] != XARRAY_NONE) {
				mark[i] = !mark[i];
				xarray_mark(&xa, (uint64_t)i, mark[i]);
			}
			break;
		}
	}
	for (k = 0; k < N; k++)
		ASSERT_UEQ(xarray_load(&xa, (uint64_t)k), ref[k]);
	/* every entry, then every marked one, in index order */
	idx = 0;
	for (k = 0; k < N; k++) {
		if (ref[k] == XARRAY_NONE)
			continue;
		e = xarray_find(&xa, &idx, false);
		ASSERT_UEQ(idx, k);
		ASSERT_UEQ(e, ref[k]);
		idx++;
	}
	ASSERT_UEQ(xarray_find(&xa, &idx, false), XARRAY_NONE);
	idx = 0;
	for (k = 0; k < N; k++) {
		if (!mark[k])
			continue;
		e = xarray_find(&xa, &idx, true);
		ASSERT_UEQ(idx, k);
		ASSERT_UEQ(e, ref[k]);
		idx++;
	}
	ASSERT_UEQ(xarray_find(&xa, &idx, true), XARRAY_NONE);
	entries = 0;
	if (xarray_check(&xa, "test", "dirty", no_entry_check, NULL, &entries,
	    &cause) != 0) {
		printf("# %s\n", cause);
		free(cause);
		ASSERT(0);
	}
	ASSERT_UEQ(entries, live);
	/* erasing everything frees every node */
	ASSERT_GT(nodes, 0);
	for (k = 0; k < N; k++)
		xarray_erase(&xa, (uint64_t)k);
	ASSERT_UEQ(nodes, 0);
	ASSERT(xa.root == NULL);
}

/* A clear mark leaves the parents' bits only where another mark is. */
TEST(mark_clears_up_the_tree)
{
	struct xarray xa;
	uint64_t nodes = 0, idx = 0;

	xarray_init(&xa, &nodes);
	xarray_store(&xa, 5, 50);
	xarray_store(&xa, 4096, 40);	/* 64 * 64: a third level */
	xarray_mark(&xa, 5, true);
	xarray_mark(&xa, 4096, true);
	ASSERT_UEQ(xa.height, 3);
	ASSERT_UEQ(xarray_find(&xa, &idx, true), 50);
	xarray_mark(&xa, 5, false);
	idx = 0;
	ASSERT_UEQ(xarray_find(&xa, &idx, true), 40);
	ASSERT_UEQ(idx, 4096);
	xarray_mark(&xa, 4096, false);
	ASSERT_UEQ(xa.root->mark, 0);
	idx = 0;
	ASSERT_UEQ(xarray_find(&xa, &idx, true), XARRAY_NONE);
	xarray_destroy(&xa);
	ASSERT_UEQ(nodes, 0);
}

/* Indices up to 2^64 - 1 make the tree 11 levels high. */
TEST(large_index)
{
	struct xarray xa;
	uint64_t nodes = 0, idx = 1;

	xarray_init(&xa, &nodes);
	xarray_store(&xa, UINT64_MAX, 7);
	xarray_store(&xa, 0, 8);
	ASSERT_UEQ(xa.height, 11);
	ASSERT_UEQ(xarray_load(&xa, UINT64_MAX), 7);
	ASSERT_UEQ(xarray_load(&xa, 0), 8);
	ASSERT_UEQ(xarray_load(&xa, UINT64_MAX - 1), XARRAY_NONE);
	ASSERT_UEQ(xarray_find(&xa, &idx, false), 7);
	ASSERT_UEQ(idx, UINT64_MAX);
	xarray_erase(&xa, UINT64_MAX);
	xarray_erase(&xa, 0);
	ASSERT_UEQ(nodes, 0);
}

int main(void)
{
	RUN(against_reference);
	RUN(mark_clears_up_the_tree);
	RUN(large_index);
	return tap_done();
}
