/*
 * gfp.h - GFP flags as Linux 6.18 defines them (include/linux/gfp_types.h),
 * parsing from the kernel's names, and what the allocator derives from them.
 */
#ifndef KMSIM_GFP_H
#define KMSIM_GFP_H

#include <stdint.h>

#include "kmsim.h"

typedef uint32_t gfp_t;

/* Bit values of include/linux/gfp_types.h (6.18) on an x86-64 kernel
 * without KASAN_HW_TAGS and LOCKDEP, where __GFP_SKIP_ZERO,
 * __GFP_SKIP_KASAN and __GFP_NOLOCKDEP are 0. */
#define GFP_BIT_DMA		0x01u
#define GFP_BIT_HIGHMEM		0x02u
#define GFP_BIT_DMA32		0x04u
#define GFP_BIT_MOVABLE		0x08u
#define GFP_BIT_RECLAIMABLE	0x10u
#define GFP_BIT_HIGH		0x20u
#define GFP_BIT_IO		0x40u
#define GFP_BIT_FS		0x80u
#define GFP_BIT_ZERO		0x100u
#define GFP_BIT_DIRECT_RECLAIM	0x400u
#define GFP_BIT_KSWAPD_RECLAIM	0x800u
#define GFP_BIT_WRITE		0x1000u
#define GFP_BIT_NOWARN		0x2000u
#define GFP_BIT_RETRY_MAYFAIL	0x4000u
#define GFP_BIT_NOFAIL		0x8000u
#define GFP_BIT_NORETRY		0x10000u
#define GFP_BIT_MEMALLOC	0x20000u
#define GFP_BIT_COMP		0x40000u
#define GFP_BIT_NOMEMALLOC	0x80000u
#define GFP_BIT_HARDWALL	0x100000u
#define GFP_BIT_THISNODE	0x200000u
#define GFP_BIT_ACCOUNT		0x400000u
#define GFP_BIT_ZEROTAGS	0x800000u
#define GFP_BITS_MASK		0x3ffffffu	/* __GFP_BITS_SHIFT 26 */

#define GFP_BIT_RECLAIM		(GFP_BIT_DIRECT_RECLAIM | GFP_BIT_KSWAPD_RECLAIM)
#define GFP_ZONEMASK \
	(GFP_BIT_DMA | GFP_BIT_HIGHMEM | GFP_BIT_DMA32 | GFP_BIT_MOVABLE)

#define GFP_KERNEL	(GFP_BIT_RECLAIM | GFP_BIT_IO | GFP_BIT_FS)
#define GFP_ATOMIC	(GFP_BIT_HIGH | GFP_BIT_KSWAPD_RECLAIM)
#define GFP_USER	(GFP_KERNEL | GFP_BIT_HARDWALL)
#define GFP_HIGHUSER	(GFP_USER | GFP_BIT_HIGHMEM)
/* less __GFP_SKIP_KASAN, which changes nothing kmsim models */
#define GFP_HIGHUSER_MOVABLE	(GFP_HIGHUSER | GFP_BIT_MOVABLE)

/* Zone indices (include/linux/mmzone.h: enum zone_type). */
enum zone_type {
	ZONE_DMA,
	ZONE_DMA32,
	ZONE_NORMAL,
	ZONE_HIGHMEM,
	ZONE_MOVABLE,
	MAX_NR_ZONES
};

/* include/linux/mmzone.h: enum migratetype (CMA and ISOLATE configured). */
enum migratetype {
	MIGRATE_UNMOVABLE,
	MIGRATE_MOVABLE,
	MIGRATE_RECLAIMABLE,
	MIGRATE_PCPTYPES,
	MIGRATE_HIGHATOMIC = MIGRATE_PCPTYPES,
	MIGRATE_CMA,
	MIGRATE_ISOLATE,
	MIGRATE_TYPES
};

extern const char *const zone_names[MAX_NR_ZONES];
extern const char *const migratetype_names[MIGRATE_TYPES];

/*
 * Parse "GFP_KERNEL|__GFP_ZERO", "0x400cc0", "none" or a mix.  Names are the
 * kernel's (the composites of gfp_types.h and the __GFP_ bits that
 * include/trace/events/mmflags.h prints).  Returns 0, or -1 with *cause
 * naming the unknown flag.
 */
int gfp_parse(const char *s, gfp_t *out, char **cause);
/* Print flags the way the kernel's show_gfp_flags() does, into buf. */
const char *gfp_format(gfp_t gfp, char *buf, size_t len);

/*
 * Highest zone the flags allow (models include/linux/gfp.h:gfp_zone() and
 * its GFP_ZONE_TABLE).  -1 for the combinations the kernel calls
 * GFP_ZONE_BAD (e.g. __GFP_DMA|__GFP_HIGHMEM).  The machine maps a zone it
 * lacks onto the next lower one (no HIGHMEM on 64-bit: NORMAL).
 */
int gfp_zone(gfp_t gfp);
/* include/linux/gfp.h:gfp_migratetype(). */
enum migratetype gfp_migratetype(gfp_t gfp);

/* Zone and migratetype names parse: "Normal", "normal", "DMA32" ... -1. */
int zone_type_parse(const char *s);
int migratetype_parse(const char *s);

#endif /* KMSIM_GFP_H */
