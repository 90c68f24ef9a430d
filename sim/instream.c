/* instream.c - a trace's bytes: file or stdin, peek, hash and counts. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "instream.h"
#include "kmsim.h"

static ssize_t raw_read(struct instream *in, void *buf, size_t n)
{
	size_t got = fread(buf, 1, n, in->f);

	if (got == 0 && ferror(in->f)) {
		in->error = errno ? errno : EIO;
		return -1;
	}
	in->bytes_raw += got;
	sha256_update(&in->sha, buf, got);
	return (ssize_t)got;
}

struct instream *instream_open(const char *path, char **cause)
{
	struct instream *in;
	struct stat st;
	ssize_t n;

	in = xcalloc(1, sizeof *in);
	in->path = xstrdup(path);
	sha256_init(&in->sha);
	if (strcmp(path, "-") == 0) {
		in->f = stdin;
		in->is_stdin = 1;
	} else {
		in->f = fopen(path, "rb");
		if (in->f == NULL) {
			kmsim_fail(cause, "%s: %s", path, strerror(errno));
			goto out_free;
		}
		if (fstat(fileno(in->f), &st) == 0 && S_ISDIR(st.st_mode)) {
			kmsim_fail(cause, "%s: is a directory", path);
			goto out_close;
		}
		if (S_ISREG(st.st_mode))
			in->bytes_total = (uint64_t)st.st_size;
	}
	n = raw_read(in, in->peek, sizeof in->peek);
	if (n < 0) {
		kmsim_fail(cause, "%s: %s", path, strerror(in->error));
		goto out_close;
	}
	in->peek_len = (size_t)n;
	return in;

out_close:
	if (!in->is_stdin)
		fclose(in->f);
out_free:
	free(in->path);
	free(in);
	return NULL;
}

void instream_close(struct instream *in)
{
	if (in == NULL)
		return;
	if (!in->is_stdin && in->f != NULL)
		fclose(in->f);
	free(in->path);
	free(in);
}

ssize_t instream_read(struct instream *in, void *buf, size_t n)
{
	ssize_t got;

	if (in->peek_pos < in->peek_len) {
		size_t take = in->peek_len - in->peek_pos;

		if (take > n)
			take = n;
		memcpy(buf, in->peek + in->peek_pos, take);
		in->peek_pos += take;
		in->bytes_out += take;
		return (ssize_t)take;
	}
	got = raw_read(in, buf, n);
	if (got > 0)
		in->bytes_out += (uint64_t)got;
	return got;
}

void instream_digest(struct instream *in, char hex[65])
{
	sha256_hex(&in->sha, hex);
}
