/*
 * fuzz.h - helpers shared by the libFuzzer targets in tests/fuzz/.
 *
 * Each fuzz-*.c defines LLVMFuzzerTestOneInput().  `make fuzz` builds each
 * one with clang -fsanitize=fuzzer; replay.c (run by `make check`)
 * includes them all, renaming the entry point of each, and feeds them the
 * committed regression corpus.
 */
#ifndef KMSIM_FUZZ_H
#define KMSIM_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Ops drained from one input at most: a YAML `repeat` can promise more
 * than any fuzzer has time for. */
#define FUZZ_MAX_OPS 10000

/* The input as a NUL-terminated string (it stops at an embedded NUL, as
 * the text parsers do). */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Write data to path (created or truncated); aborts on failure. */
static inline void fuzz_write_file(const char *path, const uint8_t *data,
    size_t size)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || (size > 0 && fwrite(data, 1, size, f) != size) ||
	    fclose(f) != 0) {
		perror(path);
		abort();
	}
}

/* The directory temporary files go to. */
static inline const char *fuzz_tmpdir(void)
{
	const char *t = getenv("TMPDIR");

	return t != NULL && *t != '\0' ? t : "/tmp";
}

/* A new temporary file holding data; the caller unlinks and frees the
 * returned path. */
static inline char *fuzz_tmpfile(const uint8_t *data, size_t size)
{
	const char *dir = fuzz_tmpdir();
	size_t len = strlen(dir) + sizeof "/kmsim-fuzz-XXXXXX";
	char *path = malloc(len);
	int fd;

	if (path == NULL)
		abort();
	snprintf(path, len, "%s/kmsim-fuzz-XXXXXX", dir);
	fd = mkstemp(path);
	if (fd < 0) {
		perror(path);
		abort();
	}
	close(fd);
	fuzz_write_file(path, data, size);
	return path;
}

#endif /* KMSIM_FUZZ_H */
