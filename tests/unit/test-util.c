/* test-util.c - sizes, numbers, lists, messages, hashing, the id table. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "idtab.h"
#include "kmsim.h"
#include "sha256.h"
#include "tap.h"

TEST(parse_size_suffixes)
{
	uint64_t v;

	ASSERT_EQ(kmsim_parse_size("4K", &v, NULL), 0);
	ASSERT_UEQ(v, 4096);
	ASSERT_EQ(kmsim_parse_size("16GiB", &v, NULL), 0);
	ASSERT_UEQ(v, UINT64_C(16) << 30);
	ASSERT_EQ(kmsim_parse_size("4080M", &v, NULL), 0);
	ASSERT_UEQ(v, UINT64_C(4080) << 20);
	ASSERT_EQ(kmsim_parse_size("512", &v, NULL), 0);
	ASSERT_UEQ(v, 512);
	ASSERT_EQ(kmsim_parse_size("1_024k", &v, NULL), 0);
	ASSERT_UEQ(v, 1024 * 1024);
}

TEST(parse_size_rejects)
{
	uint64_t v = 7;
	char *cause = NULL;

	ASSERT_EQ(kmsim_parse_size("-1G", &v, &cause), -1);
	ASSERT_CONTAINS(cause, "negative");
	free(cause);
	ASSERT_EQ(kmsim_parse_size("16X", &v, &cause), -1);
	ASSERT_CONTAINS(cause, "unknown size suffix");
	free(cause);
	ASSERT_EQ(kmsim_parse_size("20000000P", &v, &cause), -1);
	ASSERT_CONTAINS(cause, "too large");
	free(cause);
	ASSERT_EQ(kmsim_parse_size("99999999999999999999", &v, &cause), -1);
	ASSERT_CONTAINS(cause, "too large");
	free(cause);
	ASSERT_EQ(kmsim_parse_size("", &v, NULL), -1);
	ASSERT_UEQ(v, 7);
}

TEST(parse_numbers)
{
	uint64_t u;
	int64_t i;

	ASSERT_EQ(kmsim_parse_u64("0x63ffff", &u, NULL), 0);
	ASSERT_UEQ(u, 0x63ffff);
	ASSERT_EQ(kmsim_parse_u64("18446744073709551615", &u, NULL), 0);
	ASSERT_UEQ(u, UINT64_MAX);
	ASSERT_EQ(kmsim_parse_u64("18446744073709551616", &u, NULL), -1);
	ASSERT_EQ(kmsim_parse_u64("12abc", &u, NULL), -1);
	ASSERT_EQ(kmsim_parse_i64("-9223372036854775808", &i, NULL), 0);
	ASSERT_EQ(i, INT64_MIN);
	ASSERT_EQ(kmsim_parse_i64("9223372036854775808", &i, NULL), -1);
	ASSERT_EQ(kmsim_parse_i64("--1", &i, NULL), -1);
}

/* Collects a list's ranges; refuses numbers past 100. */
struct ranges {
	char text[128];
	size_t len;
};

static int ranges_add(void *arg, uint64_t a, uint64_t b)
{
	struct ranges *r = arg;

	if (b > 100)
		return -1;
	r->len += (size_t)snprintf(r->text + r->len, sizeof r->text - r->len,
	    "[%" PRIu64 ",%" PRIu64 "]", a, b);
	return 0;
}

TEST(parse_list)
{
	struct ranges r = { "", 0 };
	uint64_t a = 0, b = 0;

	ASSERT_EQ(kmsim_parse_list(" 0-3, 8 ,10 - 11", 1000, ranges_add, &r,
	    &a, &b), KMSIM_LIST_OK);
	ASSERT_STREQ(r.text, "[0,3][8,8][10,11]");
	/* the ranges before an error have been seen, the rest not */
	r.len = 0;
	ASSERT_EQ(kmsim_parse_list("1,5-2,x", 1000, ranges_add, &r, &a, &b),
	    KMSIM_LIST_REVERSED);
	ASSERT_STREQ(r.text, "[1,1]");
	ASSERT_UEQ(a, 5);
	ASSERT_UEQ(b, 2);
	ASSERT_EQ(kmsim_parse_list("1,200", 1000, ranges_add, &r, &a, &b),
	    KMSIM_LIST_FAILED);
	ASSERT_EQ(kmsim_parse_list("", 1000, ranges_add, &r, &a, &b),
	    KMSIM_LIST_JUNK);
	ASSERT_EQ(kmsim_parse_list("1,", 1000, ranges_add, &r, &a, &b),
	    KMSIM_LIST_JUNK);
	ASSERT_EQ(kmsim_parse_list("1-", 1000, ranges_add, &r, &a, &b),
	    KMSIM_LIST_JUNK);
	ASSERT_EQ(kmsim_parse_list("1;2", 1000, ranges_add, &r, &a, &b),
	    KMSIM_LIST_JUNK);
	/* a long number stops growing once past the saturation point */
	ASSERT_EQ(kmsim_parse_list("99999999999999999999999-1", 50, ranges_add,
	    &r, &a, &b), KMSIM_LIST_REVERSED);
	ASSERT_UEQ(a, 99);
}

TEST(parse_nodelist)
{
	uint64_t mask = 0;
	char *cause = NULL;

	ASSERT_EQ(kmsim_parse_nodelist("0-1,3,63", &mask, NULL), 0);
	ASSERT_UEQ(mask, UINT64_C(0x800000000000000b));
	ASSERT_EQ(kmsim_parse_nodelist("3-1", &mask, &cause), -1);
	ASSERT_STREQ(cause, "node range '3-1' is reversed");
	free(cause);
	ASSERT_EQ(kmsim_parse_nodelist("64", &mask, &cause), -1);
	ASSERT_STREQ(cause, "node 64 is out of range 0..63");
	free(cause);
	ASSERT_EQ(kmsim_parse_nodelist("12345", &mask, &cause), -1);
	ASSERT_STREQ(cause, "node 1234 is out of range 0..63");
	free(cause);
	ASSERT_EQ(kmsim_parse_nodelist("", &mask, &cause), -1);
	ASSERT_STREQ(cause, "'' is not a node list (like 0-1,3)");
	free(cause);
}

TEST(cause_positions)
{
	struct srcpos pos = { "a.yaml", 3, 7 };
	char *c = kmsim_cause_at(&pos, "unknown key '%s'", "x");

	ASSERT_STREQ(c, "a.yaml:3:7: unknown key 'x'");
	free(c);
	pos.col = 0;
	c = kmsim_cause_at(&pos, "bad");
	ASSERT_STREQ(c, "a.yaml:3: bad");
	free(c);
}

TEST(sha256_known_answers)
{
	struct sha256_ctx c;
	char hex[65], a[80];
	int i;

	sha256_init(&c);
	sha256_hex(&c, hex);
	ASSERT_STREQ(hex, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
	sha256_update(&c, "abc", 3);
	sha256_hex(&c, hex);
	ASSERT_STREQ(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	/* one million 'a', fed in uneven pieces */
	memset(a, 'a', sizeof a);
	sha256_init(&c);
	for (i = 0; i < 1000000 / 125; i++) {
		sha256_update(&c, a, 45);
		sha256_update(&c, a, 80);
	}
	sha256_hex(&c, hex);
	ASSERT_STREQ(hex, "cdc76e5c9914fb9281a1c7e284d73e67"
	    "f1809a48a497200e046d39ccc7112cd0");
}

TEST(sha256_accelerated_matches_portable)
{
	static unsigned char data[5000];
	struct sha256_ctx a, b;
	char ha[65], hb[65];
	uint64_t x = 1;
	size_t i, len;

	for (i = 0; i < sizeof data; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		data[i] = (unsigned char)(x >> 56);
	}
	if (!sha256_use_accel(true))
		printf("# no SHA instructions on this CPU: portable only\n");
	/* every length around the block and padding edges, and some more */
	for (len = 0; len < sizeof data; len += len < 300 ? 1 : 97) {
		sha256_use_accel(true);
		sha256_init(&a);
		sha256_update(&a, data, len / 3);
		sha256_update(&a, data + len / 3, len - len / 3);
		sha256_hex(&a, ha);
		sha256_use_accel(false);
		sha256_init(&b);
		sha256_update(&b, data, len);
		sha256_hex(&b, hb);
		if (strcmp(ha, hb) != 0)
			TAP_FAIL("length %zu: %s vs %s", len, ha, hb);
	}
	sha256_use_accel(true);
}

TEST(idtab_insert_find_remove)
{
	struct idtab t;
	struct idtab_entry *e;
	uint64_t i;

	idtab_init(&t);
	for (i = 0; i < 100000; i++)
		ASSERT(idtab_insert(&t, i * 7919, i, (unsigned)(i % 11)));
	ASSERT(!idtab_insert(&t, 7919, 0, 0));
	ASSERT_UEQ(t.len, 100000);
	/* remove every other one; the rest must stay reachable */
	for (i = 0; i < 100000; i += 2) {
		e = idtab_find(&t, i * 7919);
		ASSERT(e != NULL);
		idtab_remove(&t, e);
	}
	ASSERT_UEQ(t.len, 50000);
	for (i = 0; i < 100000; i++) {
		e = idtab_find(&t, i * 7919);
		if (i % 2 == 0) {
			ASSERT(e == NULL);
		} else {
			ASSERT(e != NULL);
			ASSERT_UEQ(e->pfn, i);
			ASSERT_EQ(e->order, (int64_t)(i % 11));
		}
	}
	idtab_fini(&t);
}

int main(void)
{
	RUN(parse_size_suffixes);
	RUN(parse_size_rejects);
	RUN(parse_numbers);
	RUN(parse_list);
	RUN(parse_nodelist);
	RUN(cause_positions);
	RUN(sha256_known_answers);
	RUN(sha256_accelerated_matches_portable);
	RUN(idtab_insert_find_remove);
	return tap_done();
}
