/*
 * test-instream.c - a trace's byte stream: the same known text read back
 * from a plain file, gzip, xz and zstd (compressed here, with the same
 * libraries kmsim reads them with), from standard input and from a region
 * of a larger file; the peek buffer, the byte counts that progress is
 * drawn from, the SHA-256 of the stored bytes; and damaged streams, which
 * fail with a message naming the codec rather than yielding short data.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

#ifdef HAVE_ZLIB
#include <zlib.h>
#endif
#ifdef HAVE_LZMA
#include <lzma.h>
#endif
#ifdef HAVE_ZSTD
#include <zstd.h>
#endif

#include "trace/instream.h"
#include "kmsim.h"
#include "tap.h"

#define SKIP(name, reason)						\
	do {								\
		tap_n++;						\
		printf("ok %d - %s # SKIP %s\n", tap_n, #name, reason);	\
		fflush(stdout);						\
	} while (0)

static char tmpdir[] = "/tmp/kmsim-instream-XXXXXX";

/* The known content: numbered lines, some 300 KB (more than the peek
 * buffer and several raw buffers), compressible but not trivially. */
static unsigned char *text;
static size_t text_len;

static void make_text(void)
{
	size_t cap = 320 * 1024, i;
	char line[64];
	int n;

	text = xmalloc(cap);
	for (i = 0; text_len + sizeof line < cap; i++) {
		n = snprintf(line, sizeof line,
		    "%zu mm_page_alloc pfn=0x%zx order=%zu\n", i,
		    (i * 2654435761u) & 0xfffff, i % 11);
		memcpy(text + text_len, line, (size_t)n);
		text_len += (size_t)n;
	}
}

static char *tmp_path(const char *name)
{
	char *p;

	xasprintf(&p, "%s/%s", tmpdir, name);
	return p;
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(99);
	}
}

static unsigned char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(99);
	}
	rewind(f);
	buf = xmalloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(99);
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* The hex SHA-256 of a file's bytes as stored. */
static void file_sha256(const char *path, char hex[65])
{
	struct sha256_ctx c;
	unsigned char *buf;
	size_t len;

	buf = read_file(path, &len);
	sha256_init(&c);
	sha256_update(&c, buf, len);
	sha256_hex(&c, hex);
	free(buf);
}

/*
 * Read the stream to its end in reads of changing size, checking the
 * counts on the way; the text read must be `text`.  Returns false (with
 * a TAP diagnostic printed) when anything differs.
 */
static bool read_back(struct instream *in, const char *what)
{
	unsigned char *got = xmalloc(text_len + 1);
	size_t have = 0, want = 1;
	uint64_t last_raw = 0;
	ssize_t n;
	bool ok = false;

	for (;;) {
		if (want > text_len + 1 - have)
			want = text_len + 1 - have;
		n = instream_read(in, got + have, want);
		if (n < 0) {
			printf("# %s: read failed: %s\n", what,
			    instream_strerror(in));
			goto out;
		}
		if (n == 0)
			break;
		have += (size_t)n;
		if (in->bytes_out != have || in->bytes_raw < last_raw ||
		    (in->bytes_total > 0 && in->bytes_raw > in->bytes_total)) {
			printf("# %s: counts: out %" PRIu64 " (read %zu), raw"
			    " %" PRIu64 " of %" PRIu64 "\n", what,
			    in->bytes_out, have, in->bytes_raw,
			    in->bytes_total);
			goto out;
		}
		last_raw = in->bytes_raw;
		want = want * 3 % 70001 + 1;
	}
	if (have != text_len || memcmp(got, text, text_len) != 0) {
		printf("# %s: read %zu bytes, expected %zu (or different)\n",
		    what, have, text_len);
		goto out;
	}
	/* the end stays the end */
	if (instream_read(in, got, 16) != 0) {
		printf("# %s: data after the end\n", what);
		goto out;
	}
	ok = true;
out:
	free(got);
	return ok;
}

/* Open PATH, expect CODEC, read the text back; the counts and the digest
 * must describe the file as stored. */
static void check_file(const char *path, enum instream_codec codec)
{
	struct instream *in;
	char *cause = NULL, hex[65], want_hex[65];
	size_t stored;
	unsigned char *raw;

	in = instream_open(path, &cause);
	if (in == NULL)
		TAP_FAIL("%s: %s", path, cause);
	raw = read_file(path, &stored);
	free(raw);
	if (in->codec != codec) {
		instream_close(in);
		TAP_FAIL("%s: codec %s, expected %s", path,
		    instream_codec_names[in->codec],
		    instream_codec_names[codec]);
	}
	/* the peek buffer holds the first plain bytes before any read */
	if (in->peek_len != INSTREAM_PEEK ||
	    memcmp(in->peek, text, INSTREAM_PEEK) != 0 || in->bytes_out != 0) {
		instream_close(in);
		TAP_FAIL("%s: peek buffer: %zu bytes", path, in->peek_len);
	}
	if (in->bytes_total != stored) {
		instream_close(in);
		TAP_FAIL("%s: bytes_total %" PRIu64 ", file has %zu", path,
		    in->bytes_total, stored);
	}
	if (!read_back(in, path)) {
		instream_close(in);
		TAP_FAIL("%s: not read back", path);
	}
	ASSERT_UEQ(in->bytes_raw, stored);
	ASSERT_UEQ(in->bytes_out, text_len);
	instream_digest(in, hex);
	file_sha256(path, want_hex);
	instream_close(in);
	ASSERT_STREQ(hex, want_hex);
}

/* A copy of the first `len` bytes of SRC (a damaged copy with `flip`). */
static char *damaged_copy(const char *src, const char *name, size_t len,
    size_t flip_at)
{
	unsigned char *buf;
	size_t n;
	char *dst = tmp_path(name);

	buf = read_file(src, &n);
	if (len > n)
		len = n;
	if (flip_at < len)
		buf[flip_at] ^= 0x55;
	write_file(dst, buf, len);
	free(buf);
	return dst;
}

/*
 * A damaged stream: its first bytes may open fine (the damage lies past
 * the peek buffer); somewhere a read fails with "corrupt CODEC data"
 * (open's message then starts with the path), never a quiet short read.
 */
static void check_damaged(const char *path, const char *codec)
{
	struct instream *in;
	char *cause = NULL, buf[4096], want[64];
	ssize_t n;

	snprintf(want, sizeof want, "corrupt %s data", codec);
	in = instream_open(path, &cause);
	if (in == NULL) {
		if (strncmp(cause, path, strlen(path)) != 0 ||
		    strstr(cause, want) == NULL) {
			printf("# open: %s\n", cause);
			free(cause);
			TAP_FAIL("%s: open's message lacks the path or '%s'",
			    path, want);
		}
		free(cause);
		return;
	}
	while ((n = instream_read(in, buf, sizeof buf)) > 0)
		;
	if (n == 0) {
		instream_close(in);
		TAP_FAIL("%s: read to a clean end", path);
	}
	ASSERT_CONTAINS(instream_strerror(in), want);
	instream_close(in);
}

TEST(plain)
{
	char *p = tmp_path("t.trace");

	write_file(p, text, text_len);
	check_file(p, INSTREAM_PLAIN);
	free(p);
}

TEST(empty_file)
{
	char *p = tmp_path("empty"), *cause = NULL, hex[65];
	struct instream *in;
	char buf[8];

	write_file(p, "", 0);
	in = instream_open(p, &cause);
	free(p);
	ASSERT(in != NULL);
	ASSERT_EQ(in->codec, INSTREAM_PLAIN);
	ASSERT_UEQ(in->peek_len, 0);
	ASSERT_EQ(instream_read(in, buf, sizeof buf), 0);
	ASSERT_UEQ(in->bytes_total, 0);
	ASSERT_UEQ(in->bytes_raw, 0);
	instream_digest(in, hex);
	instream_close(in);
	ASSERT_STREQ(hex, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
}

#ifdef HAVE_ZLIB
/* gzip member(s) of `text` into PATH: `members` of them, concatenated
 * as `cat a.gz b.gz` makes it, each holding its share of the text. */
static void gzip_file(const char *path, int members)
{
	size_t cap = text_len + 1024, out_len = 0, off = 0, share;
	unsigned char *out = xmalloc(cap * (size_t)members);
	int i;

	for (i = 0; i < members; i++) {
		z_stream z;

		memset(&z, 0, sizeof z);
		share = i == members - 1 ? text_len - off :
		    text_len / (size_t)members;
		if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8,
		    Z_DEFAULT_STRATEGY) != Z_OK)
			exit(99);
		z.next_in = text + off;
		z.avail_in = (uInt)share;
		z.next_out = out + out_len;
		z.avail_out = (uInt)(cap * (size_t)members - out_len);
		if (deflate(&z, Z_FINISH) != Z_STREAM_END)
			exit(99);
		out_len += z.total_out;
		off += share;
		deflateEnd(&z);
	}
	write_file(path, out, out_len);
	free(out);
}

TEST(gzip)
{
	char *p = tmp_path("t.trace.gz");

	gzip_file(p, 1);
	check_file(p, INSTREAM_GZIP);
	free(p);
}

TEST(gzip_concatenated_members)
{
	char *p = tmp_path("cat.gz");

	gzip_file(p, 3);
	check_file(p, INSTREAM_GZIP);
	free(p);
}

TEST(gzip_damaged)
{
	char *p = tmp_path("d.gz"), *q;
	size_t len;

	gzip_file(p, 1);
	free(read_file(p, &len));
	q = damaged_copy(p, "trunc.gz", len / 2, SIZE_MAX);
	check_damaged(q, "gzip");
	free(q);
	q = damaged_copy(p, "trunc-early.gz", 40, SIZE_MAX);
	check_damaged(q, "gzip");
	free(q);
	q = damaged_copy(p, "flip.gz", len, len / 2);
	check_damaged(q, "gzip");
	free(q);
	free(p);
}
#endif

#ifdef HAVE_LZMA
static void xz_file(const char *path)
{
	size_t cap = lzma_stream_buffer_bound(text_len), out_len = 0;
	unsigned char *out = xmalloc(cap);

	if (lzma_easy_buffer_encode(1, LZMA_CHECK_CRC64, NULL, text,
	    text_len, out, &out_len, cap) != LZMA_OK)
		exit(99);
	write_file(path, out, out_len);
	free(out);
}

TEST(xz)
{
	char *p = tmp_path("t.trace.xz");

	xz_file(p);
	check_file(p, INSTREAM_XZ);
	free(p);
}

TEST(xz_damaged)
{
	char *p = tmp_path("d.xz"), *q;
	size_t len;

	xz_file(p);
	free(read_file(p, &len));
	q = damaged_copy(p, "trunc.xz", len / 2, SIZE_MAX);
	check_damaged(q, "xz");
	free(q);
	q = damaged_copy(p, "flip.xz", len, len / 2);
	check_damaged(q, "xz");
	free(q);
	free(p);
}
#endif

#ifdef HAVE_ZSTD
/* With a content checksum, as zstd(1) writes by default: a frame without
 * one has nothing to tell a flipped literal byte from data. */
static void zstd_file(const char *path)
{
	size_t cap = ZSTD_compressBound(text_len), out_len;
	unsigned char *out = xmalloc(cap);
	ZSTD_CCtx *cc = ZSTD_createCCtx();

	if (cc == NULL || ZSTD_isError(ZSTD_CCtx_setParameter(cc,
	    ZSTD_c_checksumFlag, 1)))
		exit(99);
	out_len = ZSTD_compress2(cc, out, cap, text, text_len);
	ZSTD_freeCCtx(cc);
	if (ZSTD_isError(out_len))
		exit(99);
	write_file(path, out, out_len);
	free(out);
}

TEST(zstd)
{
	char *p = tmp_path("t.trace.zst");

	zstd_file(p);
	check_file(p, INSTREAM_ZSTD);
	free(p);
}

TEST(zstd_damaged)
{
	char *p = tmp_path("d.zst"), *q;
	size_t len;

	zstd_file(p);
	free(read_file(p, &len));
	q = damaged_copy(p, "trunc.zst", len / 2, SIZE_MAX);
	check_damaged(q, "zstd");
	free(q);
	q = damaged_copy(p, "flip.zst", len, len / 2);
	check_damaged(q, "zstd");
	free(q);
	free(p);
}
#endif

/* "-" reads standard input: no size known, the rest as for a file. */
TEST(stdin_stream)
{
	char *p = tmp_path("stdin.trace"), *cause = NULL;
	struct instream *in;

#ifdef HAVE_ZLIB
	gzip_file(p, 1);
#else
	write_file(p, text, text_len);
#endif
	if (freopen(p, "rb", stdin) == NULL) {
		free(p);
		TAP_FAIL("cannot redirect stdin");
	}
	in = instream_open("-", &cause);
	free(p);
	ASSERT(in != NULL);
	ASSERT(in->is_stdin);
	ASSERT_STREQ(in->path, "-");
	ASSERT_UEQ(in->bytes_total, 0);
	if (!read_back(in, "stdin")) {
		instream_close(in);
		TAP_FAIL("stdin not read back");
	}
	instream_close(in);
	/* closing the stream leaves stdin open */
	rewind(stdin);
	ASSERT(fgetc(stdin) != EOF);
}

/* A member of a bundle: `length` bytes from `offset`, named in messages
 * by the member's name; the bytes around it are not read. */
TEST(region)
{
	static const char head[] = "HEADER BYTES BEFORE THE MEMBER\n";
	static const char tail[] = "TRAILING BYTES";
	char *p = tmp_path("bundle"), *cause = NULL, hex[65];
	unsigned char *buf;
	struct instream *in;
	struct sha256_ctx c;

	buf = xmalloc(sizeof head + text_len + sizeof tail);
	memcpy(buf, head, sizeof head - 1);
	memcpy(buf + sizeof head - 1, text, text_len);
	memcpy(buf + sizeof head - 1 + text_len, tail, sizeof tail - 1);
	write_file(p, buf, sizeof head - 1 + text_len + sizeof tail - 1);
	free(buf);
	in = instream_open_region(p, "bundle/trace", sizeof head - 1,
	    text_len, &cause);
	free(p);
	ASSERT(in != NULL);
	ASSERT_STREQ(in->path, "bundle/trace");
	ASSERT_UEQ(in->bytes_total, text_len);
	if (!read_back(in, "region")) {
		instream_close(in);
		TAP_FAIL("region not read back");
	}
	ASSERT_UEQ(in->bytes_raw, text_len);
	instream_digest(in, hex);
	instream_close(in);
	sha256_init(&c);
	sha256_update(&c, text, text_len);
	{
		char want[65];

		sha256_hex(&c, want);
		ASSERT_STREQ(hex, want);
	}
}

TEST(open_errors)
{
	char *p = tmp_path("missing.trace"), *cause = NULL, *want;

	ASSERT(instream_open(p, &cause) == NULL);
	xasprintf(&want, "%s: %s", p, strerror(ENOENT));
	ASSERT_STREQ(cause, want);
	free(want);
	free(cause);
	free(p);
	cause = NULL;
	ASSERT(instream_open(tmpdir, &cause) == NULL);
	xasprintf(&want, "%s: %s", tmpdir, strerror(EISDIR));
	ASSERT_STREQ(cause, want);
	free(want);
	free(cause);
}

static void remove_tmpdir(void)
{
	static const char *const names[] = { "t.trace", "empty",
	    "t.trace.gz", "cat.gz", "d.gz", "trunc.gz", "trunc-early.gz",
	    "flip.gz", "t.trace.xz", "d.xz", "trunc.xz", "flip.xz",
	    "t.trace.zst", "d.zst", "trunc.zst", "flip.zst",
	    "stdin.trace", "bundle" };
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		char *p = tmp_path(names[i]);

		unlink(p);
		free(p);
	}
	rmdir(tmpdir);
}

int main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	make_text();
	RUN(plain);
	RUN(empty_file);
#ifdef HAVE_ZLIB
	RUN(gzip);
	RUN(gzip_concatenated_members);
	RUN(gzip_damaged);
#else
	SKIP(gzip, "built without zlib");
	SKIP(gzip_concatenated_members, "built without zlib");
	SKIP(gzip_damaged, "built without zlib");
#endif
#ifdef HAVE_LZMA
	RUN(xz);
	RUN(xz_damaged);
#else
	SKIP(xz, "built without liblzma");
	SKIP(xz_damaged, "built without liblzma");
#endif
#ifdef HAVE_ZSTD
	RUN(zstd);
	RUN(zstd_damaged);
#else
	SKIP(zstd, "built without libzstd");
	SKIP(zstd_damaged, "built without libzstd");
#endif
	RUN(stdin_stream);
	RUN(region);
	RUN(open_errors);
	remove_tmpdir();
	free(text);
	return tap_done();
}
