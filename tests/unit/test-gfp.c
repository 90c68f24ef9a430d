/* test-gfp.c - GFP names, zones and migratetypes as the kernel has them. */
#include <stdlib.h>

#include "mm/gfp.h"
#include "tap.h"

TEST(composites_match_gfp_types_h)
{
	gfp_t g;

	/* GFP_KERNEL = __GFP_RECLAIM | __GFP_IO | __GFP_FS = 0xcc0 */
	ASSERT_EQ(gfp_parse("GFP_KERNEL", &g, NULL), 0);
	ASSERT_EQ(g, 0xcc0);
	ASSERT_EQ(gfp_parse("GFP_ATOMIC", &g, NULL), 0);
	ASSERT_EQ(g, 0x820);
	ASSERT_EQ(gfp_parse("GFP_NOWAIT", &g, NULL), 0);
	ASSERT_EQ(g, 0x2800);
	/* __GFP_SKIP_KASAN is 0 without KASAN_HW_TAGS */
	ASSERT_EQ(gfp_parse("GFP_HIGHUSER_MOVABLE", &g, NULL), 0);
	ASSERT_EQ(g, 0x100cca);
	ASSERT_EQ(gfp_parse("GFP_TRANSHUGE", &g, NULL), 0);
	ASSERT_EQ(g, 0x1c24ca);
}

TEST(combinations_and_hex)
{
	gfp_t g;

	ASSERT_EQ(gfp_parse("GFP_KERNEL_ACCOUNT|__GFP_ZERO|__GFP_COMP", &g,
	    NULL), 0);
	ASSERT_EQ(g, 0xcc0 | 0x400000 | 0x100 | 0x40000);
	ASSERT_EQ(gfp_parse(" GFP_NOFS | __GFP_HIGHMEM ", &g, NULL), 0);
	ASSERT_EQ(g, 0xc40 | 0x2);
	ASSERT_EQ(gfp_parse("0x400dc0", &g, NULL), 0);
	ASSERT_EQ(g, 0x400dc0);
	ASSERT_EQ(gfp_parse("none", &g, NULL), 0);
	ASSERT_EQ(g, 0);
}

TEST(unknown_flag_is_named)
{
	gfp_t g = 0;
	char *cause = NULL;

	ASSERT_EQ(gfp_parse("GFP_KERNEL|__GFP_BOGUS", &g, &cause), -1);
	ASSERT_STREQ(cause, "unknown gfp flag '__GFP_BOGUS'");
	free(cause);
	ASSERT_EQ(gfp_parse("GFP_KERNEL||__GFP_ZERO", &g, &cause), -1);
	ASSERT_CONTAINS(cause, "empty flag");
	free(cause);
	ASSERT_EQ(gfp_parse("0x80000000", &g, &cause), -1);
	free(cause);
}

TEST(format_round_trips_like_show_gfp_flags)
{
	char buf[256];
	gfp_t g;

	ASSERT_EQ(gfp_parse("GFP_KERNEL_ACCOUNT|__GFP_ZERO", &g, NULL), 0);
	ASSERT_STREQ(gfp_format(g, buf, sizeof buf),
	    "GFP_KERNEL_ACCOUNT|__GFP_ZERO");
	ASSERT_EQ(gfp_parse("GFP_NOFS|__GFP_HIGHMEM|__GFP_MOVABLE|__GFP_NOWARN"
	    "|__GFP_NORETRY|__GFP_COMP|__GFP_HARDWALL", &g, NULL), 0);
	ASSERT_STREQ(gfp_format(g, buf, sizeof buf),
	    "GFP_NOFS|__GFP_HIGHMEM|__GFP_MOVABLE|__GFP_NOWARN|__GFP_NORETRY"
	    "|__GFP_COMP|__GFP_HARDWALL");
	ASSERT_STREQ(gfp_format(0, buf, sizeof buf), "none");
	ASSERT_STREQ(gfp_format(0x100cca | GFP_BIT_ZERO, buf, sizeof buf),
	    "GFP_HIGHUSER_MOVABLE|__GFP_ZERO");
	ASSERT_STREQ(gfp_format(GFP_ATOMIC | GFP_BIT_NOWARN | GFP_BIT_COMP,
	    buf, sizeof buf), "GFP_ATOMIC|__GFP_NOWARN|__GFP_COMP");
}

TEST(zone_from_gfp)
{
	gfp_t g;

	ASSERT_EQ(gfp_zone(GFP_KERNEL), ZONE_NORMAL);
	gfp_parse("GFP_DMA", &g, NULL);
	ASSERT_EQ(gfp_zone(g), ZONE_DMA);
	gfp_parse("GFP_KERNEL|GFP_DMA32", &g, NULL);
	ASSERT_EQ(gfp_zone(g), ZONE_DMA32);
	gfp_parse("GFP_HIGHUSER", &g, NULL);
	ASSERT_EQ(gfp_zone(g), ZONE_HIGHMEM);
	gfp_parse("GFP_HIGHUSER_MOVABLE", &g, NULL);
	ASSERT_EQ(gfp_zone(g), ZONE_MOVABLE);
	/* __GFP_MOVABLE alone does not leave ZONE_NORMAL */
	ASSERT_EQ(gfp_zone(GFP_KERNEL | GFP_BIT_MOVABLE), ZONE_NORMAL);
	ASSERT_EQ(gfp_zone(GFP_BIT_MOVABLE | GFP_BIT_DMA32), ZONE_DMA32);
	/* GFP_ZONE_BAD */
	ASSERT_EQ(gfp_zone(GFP_BIT_DMA | GFP_BIT_HIGHMEM), -1);
	ASSERT_EQ(gfp_zone(GFP_BIT_DMA | GFP_BIT_DMA32), -1);
}

TEST(migratetype_from_gfp)
{
	ASSERT_EQ(gfp_migratetype(GFP_KERNEL), MIGRATE_UNMOVABLE);
	ASSERT_EQ(gfp_migratetype(GFP_KERNEL | GFP_BIT_MOVABLE),
	    MIGRATE_MOVABLE);
	ASSERT_EQ(gfp_migratetype(GFP_KERNEL | GFP_BIT_RECLAIMABLE),
	    MIGRATE_RECLAIMABLE);
	ASSERT_EQ(zone_type_parse("normal"), ZONE_NORMAL);
	ASSERT_EQ(zone_type_parse("DMA32"), ZONE_DMA32);
	ASSERT_EQ(zone_type_parse("DMA64"), -1);
}

int main(void)
{
	RUN(composites_match_gfp_types_h);
	RUN(combinations_and_hex);
	RUN(unknown_flag_is_named);
	RUN(format_round_trips_like_show_gfp_flags);
	RUN(zone_from_gfp);
	RUN(migratetype_from_gfp);
	return tap_done();
}
