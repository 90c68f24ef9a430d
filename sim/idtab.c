/* idtab.c - open-addressing hash table of live allocations. */

#include <stdlib.h>

#include "idtab.h"
#include "kmsim.h"

#define IDTAB_MIN 1024

void idtab_init(struct idtab *t)
{
	t->slots = xcalloc(IDTAB_MIN, sizeof *t->slots);
	t->mask = IDTAB_MIN - 1;
	t->len = 0;
	t->moved = NULL;
	t->moved_arg = NULL;
}

void idtab_fini(struct idtab *t)
{
	free(t->slots);
	t->slots = NULL;
	t->mask = 0;
	t->len = 0;
}

static void grow(struct idtab *t)
{
	struct idtab_entry *old = t->slots;
	uint64_t i, cap = (t->mask + 1) * 2;

	t->slots = xcalloc(cap, sizeof *t->slots);
	t->mask = cap - 1;
	for (i = 0; i <= (cap / 2) - 1; i++) {
		uint64_t j;

		if (!old[i].used)
			continue;
		j = kmsim_hash_u64(old[i].id) & t->mask;
		while (t->slots[j].used)
			j = (j + 1) & t->mask;
		t->slots[j] = old[i];
		if (t->moved != NULL)
			t->moved(t->moved_arg, &t->slots[j], j);
	}
	free(old);
}

bool idtab_insert(struct idtab *t, uint64_t id, uint64_t pfn, unsigned order)
{
	uint64_t j;

	if ((t->len + 1) * 4 > (t->mask + 1) * 3)
		grow(t);
	j = kmsim_hash_u64(id) & t->mask;
	while (t->slots[j].used) {
		if (t->slots[j].id == id)
			return false;
		j = (j + 1) & t->mask;
	}
	t->slots[j].id = id;
	t->slots[j].pfn = pfn;
	t->slots[j].order = order;
	t->slots[j].used = 1;
	t->len++;
	if (t->moved != NULL)
		t->moved(t->moved_arg, &t->slots[j], j);
	return true;
}

struct idtab_entry *idtab_find(const struct idtab *t, uint64_t id)
{
	uint64_t j = kmsim_hash_u64(id) & t->mask;

	while (t->slots[j].used) {
		if (t->slots[j].id == id)
			return &t->slots[j];
		j = (j + 1) & t->mask;
	}
	return NULL;
}

void idtab_remove(struct idtab *t, struct idtab_entry *e)
{
	uint64_t i = (uint64_t)(e - t->slots), j = i, k;

	/* Backward-shift deletion keeps every probe chain unbroken. */
	for (;;) {
		j = (j + 1) & t->mask;
		if (!t->slots[j].used)
			break;
		k = kmsim_hash_u64(t->slots[j].id) & t->mask;
		/* Move j into the hole at i unless k lies cyclically in (i, j]. */
		if ((i <= j) ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		t->slots[i] = t->slots[j];
		if (t->moved != NULL)
			t->moved(t->moved_arg, &t->slots[i], i);
		i = j;
	}
	t->slots[i].used = 0;
	t->len--;
}
