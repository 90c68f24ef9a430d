/*
 * instream.h - the byte stream every trace reader consumes: a file or
 * standard input ("-"), its first bytes available for sniffing the format,
 * a running SHA-256 of everything read (the runs row records it) and byte
 * counts for progress.  Compressed inputs are decoded here, so readers
 * only ever see the plain bytes.
 */
#ifndef KMSIM_INSTREAM_H
#define KMSIM_INSTREAM_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "sha256.h"

#define INSTREAM_PEEK 4096

struct instream {
	char *path;		/* as given; "-" is stdin */
	FILE *f;
	int is_stdin;
	uint64_t bytes_total;	/* file size if a regular file, else 0 */
	uint64_t bytes_raw;	/* bytes taken from the file so far */
	uint64_t bytes_out;	/* plain bytes handed to the reader */
	struct sha256_ctx sha;	/* over the bytes as stored */
	unsigned char peek[INSTREAM_PEEK];
	size_t peek_len;	/* valid bytes in peek */
	size_t peek_pos;	/* bytes of peek already handed out */
	int error;		/* errno of a failed read, or 0 */
};

/* Open and fill the peek buffer.  NULL with *cause "PATH: message". */
struct instream *instream_open(const char *path, char **cause);
void instream_close(struct instream *in);
/* Read up to n bytes; returns the count, 0 at the end, -1 on a read error
 * (in->error set). */
ssize_t instream_read(struct instream *in, void *buf, size_t n);
/* Hex SHA-256 of the bytes read so far (call at the end for the whole). */
void instream_digest(struct instream *in, char hex[65]);

#endif /* KMSIM_INSTREAM_H */
