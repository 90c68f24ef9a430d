/* sha256.h - SHA-256 (FIPS 180-4), for the trace content hash. */
#ifndef KMSIM_SHA256_H
#define KMSIM_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sha256_ctx {
	uint32_t h[8];
	uint64_t len;		/* bytes hashed */
	unsigned char buf[64];
	size_t buf_len;
};

void sha256_init(struct sha256_ctx *c);
void sha256_update(struct sha256_ctx *c, const void *data, size_t n);
void sha256_final(struct sha256_ctx *c, unsigned char out[32]);
/*
 * Which code hashes: the x86 SHA instructions (SHA-NI) when the CPU has
 * them, else the portable code.  By default the CPU decides, once, at the
 * first block; the environment variable KMSIM_SHA256_PORTABLE (any value)
 * forces the portable code.  sha256_use_accel(false) forces the portable
 * code and sha256_use_accel(true) goes back to the default (the CPU and
 * the environment decide again); both return whether SHA-NI is now in
 * use, so a test runs each path and skips the SHA-NI one without it.
 * The two give the same digests, and may change between updates.
 */
bool sha256_use_accel(bool on);
/* Hex digest of a copy of c (c itself can keep being updated). */
void sha256_hex(const struct sha256_ctx *c, char hex[65]);

#endif /* KMSIM_SHA256_H */
