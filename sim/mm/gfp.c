/* gfp.c - GFP flag names, parsing and the zone/migratetype they select. */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mm/gfp.h"

const char *const zone_names[MAX_NR_ZONES] = {
	"DMA", "DMA32", "Normal", "HighMem", "Movable"
};

/* mm/page_alloc.c:migratetype_names[]. */
const char *const migratetype_names[MIGRATE_TYPES] = {
	"Unmovable", "Movable", "Reclaimable", "HighAtomic", "CMA", "Isolate"
};

#define GFP_USER_ (GFP_BIT_RECLAIM | GFP_BIT_IO | GFP_BIT_FS | GFP_BIT_HARDWALL)
#define GFP_HIGHUSER_ (GFP_USER_ | GFP_BIT_HIGHMEM)
#define GFP_HIGHUSER_MOVABLE_ (GFP_HIGHUSER_ | GFP_BIT_MOVABLE)
#define GFP_TRANSHUGE_LIGHT_ \
	((GFP_HIGHUSER_MOVABLE_ | GFP_BIT_COMP | GFP_BIT_NOMEMALLOC | \
	  GFP_BIT_NOWARN) & ~GFP_BIT_RECLAIM)

/*
 * In the order of include/trace/events/mmflags.h:__def_gfpflag_names
 * (composites first, most bits set first, then the single bits), so that
 * gfp_format() prints what the kernel prints.
 */
static const struct gfp_name {
	const char *name;
	gfp_t value;
} gfp_names[] = {
	{ "GFP_TRANSHUGE", GFP_TRANSHUGE_LIGHT_ | GFP_BIT_DIRECT_RECLAIM },
	{ "GFP_TRANSHUGE_LIGHT", GFP_TRANSHUGE_LIGHT_ },
	{ "GFP_HIGHUSER_MOVABLE", GFP_HIGHUSER_MOVABLE_ },
	{ "GFP_HIGHUSER", GFP_HIGHUSER_ },
	{ "GFP_USER", GFP_USER_ },
	{ "GFP_KERNEL_ACCOUNT", GFP_KERNEL | GFP_BIT_ACCOUNT },
	{ "GFP_KERNEL", GFP_KERNEL },
	{ "GFP_NOFS", GFP_BIT_RECLAIM | GFP_BIT_IO },
	{ "GFP_ATOMIC", GFP_ATOMIC },
	{ "GFP_NOIO", GFP_BIT_RECLAIM },
	{ "GFP_NOWAIT", GFP_BIT_KSWAPD_RECLAIM | GFP_BIT_NOWARN },
	{ "GFP_DMA", GFP_BIT_DMA },
	{ "GFP_DMA32", GFP_BIT_DMA32 },
	{ "__GFP_RECLAIM", GFP_BIT_RECLAIM },
	/* TRACE_GFP_FLAGS: the single bits, in bit order */
	{ "__GFP_DMA", GFP_BIT_DMA },
	{ "__GFP_HIGHMEM", GFP_BIT_HIGHMEM },
	{ "__GFP_DMA32", GFP_BIT_DMA32 },
	{ "__GFP_MOVABLE", GFP_BIT_MOVABLE },
	{ "__GFP_RECLAIMABLE", GFP_BIT_RECLAIMABLE },
	{ "__GFP_HIGH", GFP_BIT_HIGH },
	{ "__GFP_IO", GFP_BIT_IO },
	{ "__GFP_FS", GFP_BIT_FS },
	{ "__GFP_ZERO", GFP_BIT_ZERO },
	{ "__GFP_DIRECT_RECLAIM", GFP_BIT_DIRECT_RECLAIM },
	{ "__GFP_KSWAPD_RECLAIM", GFP_BIT_KSWAPD_RECLAIM },
	{ "__GFP_WRITE", GFP_BIT_WRITE },
	{ "__GFP_NOWARN", GFP_BIT_NOWARN },
	{ "__GFP_RETRY_MAYFAIL", GFP_BIT_RETRY_MAYFAIL },
	{ "__GFP_NOFAIL", GFP_BIT_NOFAIL },
	{ "__GFP_NORETRY", GFP_BIT_NORETRY },
	{ "__GFP_MEMALLOC", GFP_BIT_MEMALLOC },
	{ "__GFP_COMP", GFP_BIT_COMP },
	{ "__GFP_NOMEMALLOC", GFP_BIT_NOMEMALLOC },
	{ "__GFP_HARDWALL", GFP_BIT_HARDWALL },
	{ "__GFP_THISNODE", GFP_BIT_THISNODE },
	{ "__GFP_ACCOUNT", GFP_BIT_ACCOUNT },
	{ "__GFP_ZEROTAGS", GFP_BIT_ZEROTAGS },
	/* Accepted on input only: 0 on kernels without KASAN_HW_TAGS and
	 * LOCKDEP, the configuration kmsim models. */
	{ "__GFP_SKIP_ZERO", 0 },
	{ "__GFP_SKIP_KASAN", 0 },
	{ "__GFP_NOLOCKDEP", 0 },
};
#define GFP_NAMES_PRINTED 37	/* entries gfp_format() may use */

static const struct gfp_name *gfp_lookup(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(gfp_names); i++) {
		if (strlen(gfp_names[i].name) == len &&
		    strncmp(gfp_names[i].name, s, len) == 0)
			return &gfp_names[i];
	}
	return NULL;
}

int gfp_parse(const char *s, gfp_t *out, char **cause)
{
	const struct gfp_name *g;
	const char *p = s, *end;
	gfp_t gfp = 0;
	size_t len;
	uint64_t v;
	char *tok;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '\0')
		return kmsim_fail(cause, "empty gfp flags");
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		end = p;
		while (*end != '\0' && *end != '|')
			end++;
		len = (size_t)(end - p);
		while (len > 0 && isspace((unsigned char)p[len - 1]))
			len--;
		if (len == 0)
			return kmsim_fail(cause, "empty flag in '%s'", s);
		if ((len == 4 && strncmp(p, "none", 4) == 0) ||
		    (len == 1 && p[0] == '0'))
			;
		else if ((g = gfp_lookup(p, len)) != NULL)
			gfp |= g->value;
		else if (isdigit((unsigned char)*p)) {
			tok = xstrndup(p, len);
			if (kmsim_parse_u64(tok, &v, NULL) != 0 ||
			    v > GFP_BITS_MASK) {
				kmsim_fail(cause, "bad gfp value '%s'", tok);
				free(tok);
				return -1;
			}
			free(tok);
			gfp |= (gfp_t)v;
		} else {
			tok = xstrndup(p, len);
			kmsim_fail(cause, "unknown gfp flag '%s'", tok);
			free(tok);
			return -1;
		}
		if (*end == '\0')
			break;
		p = end + 1;
	}
	*out = gfp;
	return 0;
}

/* Models include/trace/events/mmflags.h:show_gfp_flags(). */
const char *gfp_format(gfp_t gfp, char *buf, size_t len)
{
	size_t i, used = 0;
	gfp_t left = gfp;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (gfp == 0) {
		snprintf(buf, len, "none");
		return buf;
	}
	for (i = 0; i < GFP_NAMES_PRINTED && left != 0; i++) {
		gfp_t v = gfp_names[i].value;

		if (v == 0 || (left & v) != v)
			continue;
		left &= ~v;
		used += (size_t)snprintf(buf + used, used < len ? len - used : 0,
		    "%s%s", used ? "|" : "", gfp_names[i].name);
	}
	if (left != 0)
		snprintf(buf + KMSIM_MIN(used, len - 1), used < len ? len - used : 1,
		    "%s%#x", used ? "|" : "", left);
	return buf;
}

/*
 * Models include/linux/gfp.h:gfp_zone() with its GFP_ZONE_TABLE and
 * GFP_ZONE_BAD: of the four zone modifiers at most one of DMA, DMA32 and
 * HIGHMEM may be set; MOVABLE together with HIGHMEM selects ZONE_MOVABLE,
 * MOVABLE alone or with DMA/DMA32 keeps the other's zone.
 */
int gfp_zone(gfp_t gfp)
{
	gfp_t z = gfp & (GFP_BIT_DMA | GFP_BIT_HIGHMEM | GFP_BIT_DMA32);

	if (z & (z - 1))
		return -1;
	if (z == GFP_BIT_DMA)
		return ZONE_DMA;
	if (z == GFP_BIT_DMA32)
		return ZONE_DMA32;
	if (z == GFP_BIT_HIGHMEM)
		return (gfp & GFP_BIT_MOVABLE) ? ZONE_MOVABLE : ZONE_HIGHMEM;
	return ZONE_NORMAL;
}

/* include/linux/gfp.h:gfp_migratetype(): the two mobility bits. */
enum migratetype gfp_migratetype(gfp_t gfp)
{
	if (gfp & GFP_BIT_MOVABLE)
		return (gfp & GFP_BIT_RECLAIMABLE) ? MIGRATE_UNMOVABLE
						   : MIGRATE_MOVABLE;
	if (gfp & GFP_BIT_RECLAIMABLE)
		return MIGRATE_RECLAIMABLE;
	return MIGRATE_UNMOVABLE;
}

int zone_type_parse(const char *s)
{
	int i;

	for (i = 0; i < MAX_NR_ZONES; i++)
		if (strcasecmp(s, zone_names[i]) == 0)
			return i;
	if (strcasecmp(s, "highmem") == 0)
		return ZONE_HIGHMEM;
	return -1;
}

int migratetype_parse(const char *s)
{
	int i;

	for (i = 0; i < MIGRATE_TYPES; i++)
		if (strcasecmp(s, migratetype_names[i]) == 0)
			return i;
	return -1;
}
