/* sha256.c - SHA-256 as FIPS 180-4 specifies it. */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>
#define SHA256_HAVE_NI 1
#endif

#include "sha256.h"

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void block(struct sha256_ctx *c, const unsigned char *p)
{
	uint32_t w[64], a, b, cc, d, e, f, g, h, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		    (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (i = 16; i < 64; i++) {
		uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^
		    (w[i - 15] >> 3);
		uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^
		    (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = c->h[0]; b = c->h[1]; cc = c->h[2]; d = c->h[3];
	e = c->h[4]; f = c->h[5]; g = c->h[6]; h = c->h[7];
	for (i = 0; i < 64; i++) {
		t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) +
		    ((e & f) ^ (~e & g)) + K[i] + w[i];
		t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) +
		    ((a & b) ^ (a & cc) ^ (b & cc));
		h = g; g = f; f = e; e = d + t1;
		d = cc; cc = b; b = a; a = t1 + t2;
	}
	c->h[0] += a; c->h[1] += b; c->h[2] += cc; c->h[3] += d;
	c->h[4] += e; c->h[5] += f; c->h[6] += g; c->h[7] += h;
}

#ifdef SHA256_HAVE_NI
/*
 * The x86 SHA extensions (SHA-NI): two rounds per sha256rnds2, the message
 * schedule by sha256msg1/msg2.  The state is kept as ABEF and CDGH.  About
 * six times the portable code, which matters: a trace is hashed whole.
 */
__attribute__((target("sha,sse4.1")))
static void blocks_ni(uint32_t h[8], const unsigned char *p, size_t n)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL,
	    0x0405060700010203LL);
	__m128i st0, st1, tmp, msg, w0, w1, w2, w3, save0, save1;

	tmp = _mm_loadu_si128((const __m128i *)&h[0]);		/* DCBA */
	st1 = _mm_loadu_si128((const __m128i *)&h[4]);		/* HGFE */
	tmp = _mm_shuffle_epi32(tmp, 0xb1);			/* CDAB */
	st1 = _mm_shuffle_epi32(st1, 0x1b);			/* EFGH */
	st0 = _mm_alignr_epi8(tmp, st1, 8);			/* ABEF */
	st1 = _mm_blend_epi16(st1, tmp, 0xf0);			/* CDGH */
/*
 * Four rounds of group g: cur is the message word group g uses, prev the
 * one before it (updated by msg1 for group g + 3's schedule), next the one
 * after (completed by msg2).
 */
#define SHA_NI_GROUP(g, cur, prev, next, do_msg2, do_msg1)		\
	do {								\
		msg = _mm_add_epi32(cur, _mm_loadu_si128(		\
		    (const __m128i *)&K[4 * (g)]));			\
		st1 = _mm_sha256rnds2_epu32(st1, st0, msg);		\
		if (do_msg2) {						\
			tmp = _mm_alignr_epi8(cur, prev, 4);		\
			next = _mm_add_epi32(next, tmp);		\
			next = _mm_sha256msg2_epu32(next, cur);		\
		}							\
		msg = _mm_shuffle_epi32(msg, 0x0e);			\
		st0 = _mm_sha256rnds2_epu32(st0, st1, msg);		\
		if (do_msg1)						\
			prev = _mm_sha256msg1_epu32(prev, cur);		\
	} while (0)

	for (; n > 0; n--, p += 64) {
		save0 = st0;
		save1 = st1;
		w0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)p),
		    bswap);
		w1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)
		    (p + 16)), bswap);
		w2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)
		    (p + 32)), bswap);
		w3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)
		    (p + 48)), bswap);
		SHA_NI_GROUP(0, w0, w3, w1, 0, 0);
		SHA_NI_GROUP(1, w1, w0, w2, 0, 1);
		SHA_NI_GROUP(2, w2, w1, w3, 0, 1);
		SHA_NI_GROUP(3, w3, w2, w0, 1, 1);
		SHA_NI_GROUP(4, w0, w3, w1, 1, 1);
		SHA_NI_GROUP(5, w1, w0, w2, 1, 1);
		SHA_NI_GROUP(6, w2, w1, w3, 1, 1);
		SHA_NI_GROUP(7, w3, w2, w0, 1, 1);
		SHA_NI_GROUP(8, w0, w3, w1, 1, 1);
		SHA_NI_GROUP(9, w1, w0, w2, 1, 1);
		SHA_NI_GROUP(10, w2, w1, w3, 1, 1);
		SHA_NI_GROUP(11, w3, w2, w0, 1, 1);
		SHA_NI_GROUP(12, w0, w3, w1, 1, 1);
		SHA_NI_GROUP(13, w1, w0, w2, 1, 0);
		SHA_NI_GROUP(14, w2, w1, w3, 1, 0);
		SHA_NI_GROUP(15, w3, w2, w0, 0, 0);
		st0 = _mm_add_epi32(st0, save0);
		st1 = _mm_add_epi32(st1, save1);
	}
#undef SHA_NI_GROUP
	tmp = _mm_shuffle_epi32(st0, 0x1b);			/* FEBA */
	st1 = _mm_shuffle_epi32(st1, 0xb1);			/* DCHG */
	st0 = _mm_blend_epi16(tmp, st1, 0xf0);			/* DCBA */
	st1 = _mm_alignr_epi8(st1, tmp, 8);			/* HGFE */
	_mm_storeu_si128((__m128i *)&h[0], st0);
	_mm_storeu_si128((__m128i *)&h[4], st1);
}

static int cached = -1;

/* CPUID: SSE4.1 is leaf 1 ECX bit 19, SHA leaf 7 EBX bit 29.  (Asked
 * directly: clang before 18 knows no "sha" for __builtin_cpu_supports.) */
static bool cpu_has_sha_ni(void)
{
	unsigned a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 19)))
		return false;
	if (__get_cpuid_max(0, NULL) < 7)
		return false;
	__cpuid_count(7, 0, a, b, c, d);
	return (b & (1u << 29)) != 0;
}

static bool have_ni(void)
{
	if (cached < 0)
		cached = cpu_has_sha_ni() &&
		    getenv("KMSIM_SHA256_PORTABLE") == NULL;
	return cached;
}
#endif

bool sha256_use_accel(bool on)
{
#ifdef SHA256_HAVE_NI
	cached = -1;
	if (!on)
		cached = 0;
	return have_ni();
#else
	(void)on;
	return false;
#endif
}

/* n 64-byte blocks, by the fastest code this CPU runs. */
static void blocks(struct sha256_ctx *c, const unsigned char *p, size_t n)
{
#ifdef SHA256_HAVE_NI
	if (have_ni()) {
		blocks_ni(c->h, p, n);
		return;
	}
#endif
	for (; n > 0; n--, p += 64)
		block(c, p);
}

void sha256_init(struct sha256_ctx *c)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(c->h, iv, sizeof iv);
	c->len = 0;
	c->buf_len = 0;
}

void sha256_update(struct sha256_ctx *c, const void *data, size_t n)
{
	const unsigned char *p = data;

	c->len += n;
	if (c->buf_len > 0) {
		size_t take = 64 - c->buf_len < n ? 64 - c->buf_len : n;

		memcpy(c->buf + c->buf_len, p, take);
		c->buf_len += take;
		p += take;
		n -= take;
		if (c->buf_len < 64)
			return;
		blocks(c, c->buf, 1);
		c->buf_len = 0;
	}
	blocks(c, p, n / 64);
	p += n / 64 * 64;
	n %= 64;
	memcpy(c->buf, p, n);
	c->buf_len = n;
}

void sha256_final(struct sha256_ctx *c, unsigned char out[32])
{
	uint64_t bits = c->len * 8;
	unsigned char pad[72] = { 0x80 };
	size_t padlen = (c->buf_len < 56 ? 56 : 120) - c->buf_len;
	int i;

	for (i = 0; i < 8; i++)
		pad[padlen + (size_t)i] = (unsigned char)(bits >> (56 - 8 * i));
	sha256_update(c, pad, padlen + 8);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(c->h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(c->h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(c->h[i] >> 8);
		out[4 * i + 3] = (unsigned char)c->h[i];
	}
}

void sha256_hex(const struct sha256_ctx *c, char hex[65])
{
	struct sha256_ctx copy = *c;
	unsigned char d[32];
	int i;

	sha256_final(&copy, d);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
}
