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
/* Use the CPU's SHA instructions when it has them (the default), or the
 * portable code; returns whether the accelerated code is in use. */
bool sha256_use_accel(bool on);
/* Hex digest of a copy of c (c itself can keep being updated). */
void sha256_hex(const struct sha256_ctx *c, char hex[65]);

#endif /* KMSIM_SHA256_H */
