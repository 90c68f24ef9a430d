/*
 * test-readahead.c - the readahead window sizes against the values
 * mm/readahead.c's formulas give, worked out by hand:
 *
 *   get_init_ra_size(size, max): n = roundup_pow_of_two(size);
 *       n <= max / 32 ? 4 n : n <= max / 4 ? 2 n : max
 *   get_next_ra_size(cur, max):
 *       cur < max / 16 ? 4 cur : cur <= max / 2 ? 2 cur : max
 *
 * with max the bdi's ra_pages: 32 pages (read_ahead_kb 128, the
 * default) and 512 (2 MiB).
 */
#include "mm/readahead.h"
#include "tap.h"

TEST(init_size_default_window)
{
	/* max 32: max / 32 = 1, max / 4 = 8 */
	ASSERT_UEQ(readahead_init_size(1, 32), 4);	/* 1 <= 1: x4 */
	ASSERT_UEQ(readahead_init_size(2, 32), 4);	/* 2 <= 8: x2 */
	ASSERT_UEQ(readahead_init_size(3, 32), 8);	/* 4 <= 8: x2 */
	ASSERT_UEQ(readahead_init_size(8, 32), 16);	/* 8 <= 8: x2 */
	ASSERT_UEQ(readahead_init_size(9, 32), 32);	/* 16 > 8: max */
	ASSERT_UEQ(readahead_init_size(40, 32), 32);	/* 64: max */
}

TEST(init_size_large_window)
{
	/* max 512: max / 32 = 16, max / 4 = 128 */
	ASSERT_UEQ(readahead_init_size(1, 512), 4);
	ASSERT_UEQ(readahead_init_size(16, 512), 64);	/* 16 <= 16: x4 */
	ASSERT_UEQ(readahead_init_size(17, 512), 64);	/* 32: x2 */
	ASSERT_UEQ(readahead_init_size(128, 512), 256);	/* 128 <= 128 */
	ASSERT_UEQ(readahead_init_size(129, 512), 512);	/* 256: max */
}

TEST(next_size)
{
	/* max 32: max / 16 = 2, max / 2 = 16 */
	ASSERT_UEQ(readahead_next_size(1, 32), 4);	/* 1 < 2: x4 */
	ASSERT_UEQ(readahead_next_size(2, 32), 4);	/* 2 <= 16: x2 */
	ASSERT_UEQ(readahead_next_size(16, 32), 32);
	ASSERT_UEQ(readahead_next_size(17, 32), 32);	/* max */
	ASSERT_UEQ(readahead_next_size(32, 32), 32);
	/* max 512: max / 16 = 32, max / 2 = 256 */
	ASSERT_UEQ(readahead_next_size(4, 512), 16);
	ASSERT_UEQ(readahead_next_size(31, 512), 124);
	ASSERT_UEQ(readahead_next_size(32, 512), 64);
	ASSERT_UEQ(readahead_next_size(256, 512), 512);
	ASSERT_UEQ(readahead_next_size(257, 512), 512);
}

/* A sequential reader of one page at a time: the windows ramp up to the
 * maximum and stay there. */
TEST(sequential_ramp)
{
	static const uint64_t want[] = { 4, 16, 64, 128, 256, 512, 512 };
	uint64_t cur = readahead_init_size(1, 512);
	size_t k;

	ASSERT_UEQ(cur, want[0]);
	for (k = 1; k < sizeof want / sizeof want[0]; k++) {
		cur = readahead_next_size(cur, 512);
		ASSERT_UEQ(cur, want[k]);
	}
}

int main(void)
{
	RUN(init_size_default_window);
	RUN(init_size_large_window);
	RUN(next_size);
	RUN(sequential_ramp);
	return tap_done();
}
