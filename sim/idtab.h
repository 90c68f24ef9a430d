/*
 * idtab.h - the table of live allocations: op id -> what was allocated.
 * Open addressing with linear probing and backward-shift deletion, keyed
 * by the 64-bit id; no per-entry allocation.
 */
#ifndef KMSIM_IDTAB_H
#define KMSIM_IDTAB_H

#include <stdbool.h>
#include <stdint.h>

struct idtab_entry {
	uint64_t id;
	uint64_t pfn;
	uint32_t order;
	uint32_t used;		/* 0: empty slot */
};

struct idtab {
	struct idtab_entry *slots;
	uint64_t mask;		/* capacity - 1 (a power of two) */
	uint64_t len;
	/*
	 * Told the slot of every entry placed (insert) or moved (deletion's
	 * backward shift, growth), so an owner can find an entry by its
	 * slot without a second table; NULL: nobody asks.
	 */
	void (*moved)(void *arg, const struct idtab_entry *e, uint64_t slot);
	void *moved_arg;
};

void idtab_init(struct idtab *t);
void idtab_fini(struct idtab *t);
/* Insert; returns false (and changes nothing) if id is already live. */
bool idtab_insert(struct idtab *t, uint64_t id, uint64_t pfn, unsigned order);
struct idtab_entry *idtab_find(const struct idtab *t, uint64_t id);
/* The entry in slot i if it is used, else NULL. */
static inline struct idtab_entry *idtab_slot(const struct idtab *t,
    uint64_t i)
{
	return i <= t->mask && t->slots[i].used ? &t->slots[i] : NULL;
}
/* Remove the entry that idtab_find() returned. */
void idtab_remove(struct idtab *t, struct idtab_entry *e);

#endif /* KMSIM_IDTAB_H */
