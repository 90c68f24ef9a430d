/*
 * procfs.h - reading the kernel's own /proc texts: /proc/zoneinfo and
 * /proc/buddyinfo as mm/vmstat.c prints them (zoneinfo_show_print(),
 * frag_show_print()).  Bundles carry them; --config auto builds a machine
 * from zoneinfo, and replay compares its end state with buddyinfo.
 */
#ifndef KMSIM_PROCFS_H
#define KMSIM_PROCFS_H

#include <stdint.h>

#include "mm/gfp.h"
#include "machine.h"

struct procfs_zone {
	int node;
	int type;		/* enum zone_type, -1 for zones kmsim lacks */
	char name[16];		/* as printed ("DMA", "Normal", "Device") */
	uint64_t start_pfn;	/* only printed for populated zones */
	uint64_t spanned, present, managed;
	uint64_t free;
	uint64_t wmark[NR_WMARK];
	uint64_t protection[MAX_NR_ZONES];
	uint64_t nr_free[NR_ORDERS_MAX];	/* from buddyinfo */
	int nr_orders;				/* orders buddyinfo printed */
};

struct procfs_zones {
	struct procfs_zone *z;
	int n;
};

/*
 * Parse /proc/zoneinfo text (name is used in messages).  Returns 0, or -1
 * with *cause "NAME:LINE: message".  Appends to zs.
 */
int procfs_parse_zoneinfo(const char *name, const char *text,
    struct procfs_zones *zs, char **cause);
/* Parse /proc/buddyinfo into the nr_free of zones already in zs (or new
 * entries when zs lacks the zone). */
int procfs_parse_buddyinfo(const char *name, const char *text,
    struct procfs_zones *zs, char **cause);
void procfs_zones_free(struct procfs_zones *zs);
struct procfs_zone *procfs_find(struct procfs_zones *zs, int node,
    const char *name);

/* One line of /proc/slabinfo (mm/slab_common.c:cache_show()). */
struct procfs_slab {
	char name[64];
	uint64_t active_objs, num_objs;
	unsigned objsize, objperslab, pagesperslab;
	uint64_t active_slabs, num_slabs;
};
/* Parse /proc/slabinfo version 2.1; -1 with *cause "NAME:LINE: ...". */
int procfs_parse_slabinfo(const char *name, const char *text,
    struct procfs_slab **out, size_t *n, char **cause);

#endif /* KMSIM_PROCFS_H */
