/*
 * dump.h - the simulated machine printed as the kernel prints
 * /proc/buddyinfo, /proc/pagetypeinfo and /proc/zoneinfo (mm/vmstat.c),
 * so that tools which read those files read kmsim's state as well.
 *
 * The machine is printed as a kernel built like the captures kmsim is
 * compared with would print it: x86-64 zones (no HighMem unless the
 * machine has one, no ZONE_DEVICE), the CMA migratetype only when the
 * machine has CMA, page_owner on (the "Number of mixed blocks" table).
 * Counters kmsim does not model are left out rather than printed as 0.
 */
#ifndef KMSIM_DUMP_H
#define KMSIM_DUMP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "machine.h"

enum dump_kind {
	DUMP_BUDDYINFO,
	DUMP_PAGETYPEINFO,
	DUMP_ZONEINFO,
	DUMP_SLABINFO,
	DUMP_VMALLOCINFO,
	NR_DUMP_KINDS
};
#define DUMP_KIND(k)	(1u << (k))
extern const char *const dump_kind_names[NR_DUMP_KINDS];

/*
 * Parse "buddyinfo,zoneinfo" and OR the kinds into *kinds.  Returns 0, or
 * -1 with *cause "unknown kind 'x' (buddyinfo, pagetypeinfo, zoneinfo,
 * slabinfo, vmallocinfo)".
 */
int dump_parse_kinds(const char *list, unsigned *kinds, char **cause);
/*
 * Parse a simulated time: a number with a unit, ns, us, ms or s ("250us",
 * "1.5ms", "2s"); a bare 0 is accepted.  The value must be a whole number
 * of nanoseconds.  Returns 0, or -1 with *cause.
 */
int dump_parse_time(const char *s, uint64_t *ns, char **cause);
/* Parse "0,1ms,2.5ms" and append the times to *ns (n entries, grown
 * with xreallocarray; free() it). */
int dump_parse_times(const char *list, uint64_t **ns, int *n, char **cause);
/* Sort ascending and drop repeats; returns the new count. */
int dump_sort_times(uint64_t *ns, int n);

/* mm/vmstat.c:frag_show(): every node's populated zones. */
void dump_buddyinfo(const struct machine *m, FILE *f);
/* mm/vmstat.c:pagetypeinfo_show(), for each node with memory. */
void dump_pagetypeinfo(const struct machine *m, FILE *f);
/* mm/vmstat.c:zoneinfo_show(): every zone of every node. */
void dump_zoneinfo(const struct machine *m, FILE *f);

/*
 * Every kind of `kinds`, in the order of enum dump_kind.  With `header`
 * each is preceded by one line "==> KIND at NS ns <==" ("... ns (end) <=="
 * for the state at the end of the run), NS the simulated time since the
 * first op: the lines between two headers are exactly the kernel's file.
 */
struct slab_world;
struct vmalloc;
void dump_write(const struct machine *m, const struct slab_world *slab,
    const struct vmalloc *vm, unsigned kinds, bool header, uint64_t ns,
    bool end, FILE *f);

#endif /* KMSIM_DUMP_H */
