/*
 * instream.h - the byte stream every trace reader consumes: a file or
 * standard input ("-"), decompressed on the fly when it is gzip, xz or
 * zstd (recognised by its magic bytes, not its name), its first plain
 * bytes available for sniffing the format, a running SHA-256 of the bytes
 * as stored (the runs row records it) and byte counts for progress.
 */
#ifndef KMSIM_INSTREAM_H
#define KMSIM_INSTREAM_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "sha256.h"

#define INSTREAM_PEEK 4096
#define INSTREAM_RAWBUF 65536

enum instream_codec { INSTREAM_PLAIN, INSTREAM_GZIP, INSTREAM_XZ,
	INSTREAM_ZSTD };
extern const char *const instream_codec_names[];

struct instream {
	char *path;		/* as given; "-" is stdin */
	FILE *f;
	int is_stdin;
	enum instream_codec codec;
	uint64_t bytes_total;	/* file size if a regular file, else 0 */
	uint64_t bytes_raw;	/* bytes taken from the file so far */
	uint64_t bytes_out;	/* plain bytes handed to the reader */
	struct sha256_ctx sha;	/* over the bytes as stored */
	unsigned char peek[INSTREAM_PEEK];	/* the first plain bytes */
	size_t peek_len;	/* valid bytes in peek */
	size_t peek_pos;	/* bytes of peek already handed out */
	int error;		/* errno of a failed read, or 0 */
	char *decode_error;	/* a corrupt compressed stream, or NULL */

	/* the compressed side */
	unsigned char *raw;	/* INSTREAM_RAWBUF bytes */
	size_t raw_len, raw_pos;
	int raw_eof;
	uint64_t raw_left;	/* bytes the region still holds */
	void *codec_state;
};

/* Open and fill the peek buffer.  NULL with *cause "PATH: message". */
struct instream *instream_open(const char *path, char **cause);
/* The same over `length` bytes of a file from `offset` (a member of a tar
 * bundle); `name` is used in messages. */
struct instream *instream_open_region(const char *path, const char *name,
    uint64_t offset, uint64_t length, char **cause);
void instream_close(struct instream *in);
/* Read up to n plain bytes; returns the count, 0 at the end, -1 on an
 * error: a failed read (in->error) or corrupt compressed data
 * (in->decode_error).  instream_strerror() says which. */
ssize_t instream_read(struct instream *in, void *buf, size_t n);
const char *instream_strerror(const struct instream *in);
/* Hex SHA-256 of the bytes read so far (call at the end for the whole). */
void instream_digest(struct instream *in, char hex[65]);
/* Which codecs this build can read, e.g. "gzip xz zstd". */
const char *instream_codecs_available(void);

#endif /* KMSIM_INSTREAM_H */
