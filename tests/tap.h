/*
 * tap.h - a tiny TAP producer for kmsim's C unit tests.
 *
 *   TEST(name) { ASSERT_EQ(a, b); ... }
 *   int main(void) { RUN(name); ...; return tap_done(); }
 *
 * Each TEST is one TAP test point; an ASSERT that fails prints both
 * expressions and both values as a TAP diagnostic and ends that test.
 */
#ifndef KMSIM_TAP_H
#define KMSIM_TAP_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed, tap_cur_failed;

#define TEST(name) static void test_##name(void)

#define RUN(name)							\
	do {								\
		tap_cur_failed = 0;					\
		test_##name();						\
		tap_n++;						\
		if (tap_cur_failed)					\
			tap_failed++;					\
		printf("%s %d - %s\n", tap_cur_failed ? "not ok" : "ok",\
		    tap_n, #name);					\
		fflush(stdout);						\
	} while (0)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#define TAP_FAIL(...)							\
	do {								\
		printf("# %s:%d: ", __FILE__, __LINE__);		\
		printf(__VA_ARGS__);					\
		printf("\n");						\
		tap_cur_failed = 1;					\
		return;							\
	} while (0)

#define ASSERT(cond)							\
	do {								\
		if (!(cond))						\
			TAP_FAIL("assertion failed: %s", #cond);	\
	} while (0)

#define ASSERT_CMP_(a, op, b, fmt, type)				\
	do {								\
		type a_ = (type)(a), b_ = (type)(b);			\
		if (!(a_ op b_))					\
			TAP_FAIL("%s %s %s: " fmt " vs " fmt, #a, #op,	\
			    #b, a_, b_);				\
	} while (0)

#define ASSERT_EQ(a, b) ASSERT_CMP_(a, ==, b, "%" PRId64, int64_t)
#define ASSERT_NE(a, b) ASSERT_CMP_(a, !=, b, "%" PRId64, int64_t)
#define ASSERT_LT(a, b) ASSERT_CMP_(a, <, b, "%" PRId64, int64_t)
#define ASSERT_LE(a, b) ASSERT_CMP_(a, <=, b, "%" PRId64, int64_t)
#define ASSERT_GT(a, b) ASSERT_CMP_(a, >, b, "%" PRId64, int64_t)
#define ASSERT_GE(a, b) ASSERT_CMP_(a, >=, b, "%" PRId64, int64_t)
#define ASSERT_UEQ(a, b) ASSERT_CMP_(a, ==, b, "%" PRIu64, uint64_t)
#define ASSERT_DBL_NEAR(a, b, eps)					\
	do {								\
		double a_ = (a), b_ = (b);				\
		if (!(a_ - b_ <= (eps) && b_ - a_ <= (eps)))		\
			TAP_FAIL("%s ~ %s: %g vs %g", #a, #b, a_, b_);	\
	} while (0)
#define ASSERT_STREQ(a, b)						\
	do {								\
		const char *a_ = (a), *b_ = (b);			\
		if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0)	\
			TAP_FAIL("%s == %s: \"%s\" vs \"%s\"", #a, #b,	\
			    a_ ? a_ : "(null)", b_ ? b_ : "(null)");	\
	} while (0)
/* The string contains the substring. */
#define ASSERT_CONTAINS(s, sub)						\
	do {								\
		const char *s_ = (s), *sub_ = (sub);			\
		if (s_ == NULL || strstr(s_, sub_) == NULL)		\
			TAP_FAIL("%s contains %s: \"%s\" lacks \"%s\"",	\
			    #s, #sub, s_ ? s_ : "(null)", sub_);	\
	} while (0)

#endif /* KMSIM_TAP_H */
