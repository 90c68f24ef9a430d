/*
 * test-sha256.c - SHA-256 against the known answers of FIPS 180-4's
 * examples (NIST's "SHA256.pdf" and the one-million-'a' message), fed in
 * every way a reader feeds it: whole, split at every offset, a byte at a
 * time, and in uneven pieces across block edges.  Each vector runs on the
 * portable code and on the CPU's SHA instructions (SHA-NI); the second
 * half is a TAP skip on a CPU without them.
 */
#include <stdbool.h>

#include "sha256.h"
#include "tap.h"

/* A TAP test point that did not run, with the reason. */
#define SKIP(name, reason)						\
	do {								\
		tap_n++;						\
		printf("ok %d - %s # SKIP %s\n", tap_n, #name, reason);	\
		fflush(stdout);						\
	} while (0)

struct vector {
	const char *msg;
	const char *hex;
};

static const struct vector vectors[] = {
	/* the empty message */
	{ "", "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855" },
	/* FIPS 180-4 example: one block */
	{ "abc", "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad" },
	/* FIPS 180-4 example: 448 bits, the padding takes a second block */
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	    "248d6a61d20638b8e5c026930c3e6039"
	    "a33ce45964ff2167f6ecedd419db06c1" },
	/* the 896-bit message of NIST's examples: two blocks and padding */
	{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
	    "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	    "cf5b16a778af8380036ce59e7b049237"
	    "0b249b11e8f07a51afac45037afee9d1" },
};
#define NR_VECTORS (sizeof vectors / sizeof vectors[0])

static const char million_a_hex[] =
    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

static void digest_split(const char *msg, size_t len, size_t at,
    char hex[65])
{
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, msg, at);
	sha256_update(&c, msg + at, len - at);
	sha256_hex(&c, hex);
}

/* Every vector whole, split in two at every offset, and byte by byte. */
static void check_vectors(void)
{
	struct sha256_ctx c;
	char hex[65];
	size_t v, len, at, i;

	for (v = 0; v < NR_VECTORS; v++) {
		const char *msg = vectors[v].msg;

		len = strlen(msg);
		for (at = 0; at <= len; at++) {
			digest_split(msg, len, at, hex);
			if (strcmp(hex, vectors[v].hex) != 0)
				TAP_FAIL("vector %zu split at %zu: %s, expected"
				    " %s", v, at, hex, vectors[v].hex);
		}
		sha256_init(&c);
		for (i = 0; i < len; i++)
			sha256_update(&c, msg + i, 1);
		sha256_update(&c, msg, 0);
		sha256_hex(&c, hex);
		ASSERT_STREQ(hex, vectors[v].hex);
	}
}

/* One million 'a': whole, in 64-byte blocks, and in pieces of 1 to 131
 * bytes, so that updates start and end at every offset of a block. */
static void check_million_a(void)
{
	static char a[1000000];
	struct sha256_ctx c;
	char hex[65];
	size_t off, piece;

	memset(a, 'a', sizeof a);
	sha256_init(&c);
	sha256_update(&c, a, sizeof a);
	sha256_hex(&c, hex);
	ASSERT_STREQ(hex, million_a_hex);

	sha256_init(&c);
	for (off = 0; off < sizeof a; off += 64)
		sha256_update(&c, a + off, 64);
	sha256_hex(&c, hex);
	ASSERT_STREQ(hex, million_a_hex);

	sha256_init(&c);
	for (off = 0, piece = 1; off < sizeof a; off += piece,
	    piece = piece % 131 + 1) {
		if (piece > sizeof a - off)
			piece = sizeof a - off;
		sha256_update(&c, a + off, piece);
	}
	sha256_hex(&c, hex);
	ASSERT_STREQ(hex, million_a_hex);
}

/* sha256_hex() digests a copy: the context keeps hashing after it. */
static void check_hex_is_a_copy(void)
{
	struct sha256_ctx c;
	char hex[65];

	sha256_init(&c);
	sha256_update(&c, "ab", 2);
	sha256_hex(&c, hex);
	sha256_update(&c, "c", 1);
	sha256_hex(&c, hex);
	ASSERT_STREQ(hex, vectors[1].hex);
}

static void check_all(void)
{
	check_vectors();
	if (tap_cur_failed)
		return;
	check_million_a();
	if (tap_cur_failed)
		return;
	check_hex_is_a_copy();
}

TEST(portable_known_answers)
{
	ASSERT(!sha256_use_accel(false));
	check_all();
}

TEST(sha_ni_known_answers)
{
	ASSERT(sha256_use_accel(true));
	check_all();
}

/* The two paths agree on lengths around every block and padding edge,
 * with the state handed from one to the other half-way. */
TEST(paths_agree)
{
	static unsigned char data[700];
	struct sha256_ctx a, b;
	char ha[65], hb[65];
	uint32_t x = 2463534242u;
	size_t i, len;

	for (i = 0; i < sizeof data; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		data[i] = (unsigned char)x;
	}
	for (len = 0; len <= sizeof data; len++) {
		sha256_use_accel(false);
		sha256_init(&a);
		sha256_update(&a, data, len);
		sha256_hex(&a, ha);
		sha256_init(&b);
		sha256_update(&b, data, len / 2);
		sha256_use_accel(true);
		sha256_update(&b, data + len / 2, len - len / 2);
		sha256_hex(&b, hb);
		if (strcmp(ha, hb) != 0)
			TAP_FAIL("length %zu: %s vs %s", len, ha, hb);
	}
}

int main(void)
{
	bool ni;

	RUN(portable_known_answers);
	ni = sha256_use_accel(true);
	if (ni) {
		RUN(sha_ni_known_answers);
		RUN(paths_agree);
	} else {
		SKIP(sha_ni_known_answers, "no SHA-NI on this CPU or build"
		    " (or KMSIM_SHA256_PORTABLE is set)");
		SKIP(paths_agree, "no SHA-NI to compare with");
	}
	sha256_use_accel(true);
	return tap_done();
}
