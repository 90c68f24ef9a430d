/*
 * instream.c - a trace's bytes: file or stdin, transparently decoded
 * (gzip with zlib, xz with liblzma, zstd with libzstd, each if configure
 * found it), with a peek buffer, the SHA-256 of the stored bytes and
 * counts for progress.  Memory is constant: one raw buffer, the codec's
 * own window, the peek buffer.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

const char *const instream_codec_names[] = { "plain", "gzip", "xz", "zstd" };

static const char *codec_name(enum instream_codec c)
{
	return (unsigned)c < 4 ? instream_codec_names[c] : "unknown";
}

#ifdef HAVE_ZLIB
struct gz_state {
	z_stream z;
	int ended;		/* a member ended: the next may follow */
};
#endif
#ifdef HAVE_LZMA
struct xz_state {
	lzma_stream s;
	int ended;
};
#endif
#ifdef HAVE_ZSTD
struct zs_state {
	ZSTD_DStream *d;
	size_t last;		/* 0: the last frame is complete */
};
#endif

const char *instream_codecs_available(void)
{
	return ""
#ifdef HAVE_ZLIB
	    "gzip "
#endif
#ifdef HAVE_LZMA
	    "xz "
#endif
#ifdef HAVE_ZSTD
	    "zstd"
#endif
	    ;
}

/* Fill the raw buffer from the file; 0 at the end, -1 on error. */
static int raw_fill(struct instream *in)
{
	size_t got;

	if (in->raw_eof)
		return 0;
	got = fread(in->raw, 1, (size_t)KMSIM_MIN((uint64_t)INSTREAM_RAWBUF,
	    in->raw_left), in->f);
	in->raw_left -= got;
	if (got == 0) {
		if (ferror(in->f)) {
			in->error = errno ? errno : EIO;
			return -1;
		}
		in->raw_eof = 1;
		return 0;
	}
	in->raw_len = got;
	in->raw_pos = 0;
	in->bytes_raw += got;
	sha256_update(&in->sha, in->raw, got);
	return 1;
}

static ssize_t decode_fail(struct instream *in, const char *what)
{
	if (in->decode_error == NULL)
		xasprintf(&in->decode_error, "corrupt %s data: %s",
		    codec_name(in->codec), what);
	return -1;
}

/* Plain bytes from the codec (not the peek buffer). */
static ssize_t decode(struct instream *in, unsigned char *buf, size_t n)
{
	size_t take;
	int r;

	switch (in->codec) {
	case INSTREAM_PLAIN:
		if (in->raw_pos == in->raw_len && (r = raw_fill(in)) <= 0)
			return r;
		take = KMSIM_MIN(n, in->raw_len - in->raw_pos);
		memcpy(buf, in->raw + in->raw_pos, take);
		in->raw_pos += take;
		return (ssize_t)take;
#ifdef HAVE_ZLIB
	case INSTREAM_GZIP: {
		struct gz_state *g = in->codec_state;
		z_stream *z = &g->z;

		z->next_out = buf;
		z->avail_out = (uInt)KMSIM_MIN(n, (size_t)UINT32_MAX);
		take = z->avail_out;
		while (z->avail_out == take) {
			if (in->raw_pos == in->raw_len) {
				r = raw_fill(in);
				if (r < 0)
					return -1;
				if (r == 0)
					return g->ended ? 0 :
					    decode_fail(in, "truncated");
			}
			if (g->ended) {
				/* concatenated members (cat a.gz b.gz) */
				inflateReset(z);
				g->ended = 0;
			}
			z->next_in = in->raw + in->raw_pos;
			z->avail_in = (uInt)(in->raw_len - in->raw_pos);
			r = inflate(z, Z_NO_FLUSH);
			in->raw_pos = in->raw_len - z->avail_in;
			if (r == Z_STREAM_END)
				g->ended = 1;
			else if (r != Z_OK && r != Z_BUF_ERROR)
				return decode_fail(in, z->msg ? z->msg :
				    "inflate failed");
		}
		return (ssize_t)(take - z->avail_out);
	}
#endif
#ifdef HAVE_LZMA
	case INSTREAM_XZ: {
		struct xz_state *x = in->codec_state;
		lzma_ret lr;

		if (x->ended)
			return 0;
		x->s.next_out = buf;
		x->s.avail_out = n;
		while (x->s.avail_out == n) {
			lzma_action act = LZMA_RUN;

			if (in->raw_pos == in->raw_len) {
				r = raw_fill(in);
				if (r < 0)
					return -1;
				if (r == 0)
					act = LZMA_FINISH;
			}
			x->s.next_in = in->raw + in->raw_pos;
			x->s.avail_in = in->raw_len - in->raw_pos;
			lr = lzma_code(&x->s, act);
			in->raw_pos = in->raw_len - x->s.avail_in;
			if (lr == LZMA_STREAM_END) {
				x->ended = 1;
				break;
			}
			if (lr != LZMA_OK)
				return decode_fail(in, lr == LZMA_BUF_ERROR ?
				    "truncated" : lr == LZMA_FORMAT_ERROR ?
				    "not xz" : "lzma_code failed");
		}
		return (ssize_t)(n - x->s.avail_out);
	}
#endif
#ifdef HAVE_ZSTD
	case INSTREAM_ZSTD: {
		struct zs_state *zs = in->codec_state;
		ZSTD_outBuffer out = { buf, n, 0 };

		while (out.pos == 0) {
			ZSTD_inBuffer zin;

			if (in->raw_pos == in->raw_len) {
				r = raw_fill(in);
				if (r < 0)
					return -1;
				/* a clean end only after a whole frame */
				if (r == 0)
					return zs->last == 0 ? 0 :
					    decode_fail(in, "truncated");
			}
			zin.src = in->raw + in->raw_pos;
			zin.size = in->raw_len - in->raw_pos;
			zin.pos = 0;
			zs->last = ZSTD_decompressStream(zs->d, &out, &zin);
			in->raw_pos += zin.pos;
			if (ZSTD_isError(zs->last))
				return decode_fail(in,
				    ZSTD_getErrorName(zs->last));
		}
		return (ssize_t)out.pos;
	}
#endif
	default:
		break;
	}
	return decode_fail(in, "no decoder");
}

static int codec_start(struct instream *in, char **cause)
{
	static const unsigned char m_gz[] = { 0x1f, 0x8b };
	static const unsigned char m_xz[] = { 0xfd, '7', 'z', 'X', 'Z', 0 };
	static const unsigned char m_zst[] = { 0x28, 0xb5, 0x2f, 0xfd };
	size_t have = in->raw_len;
	const char *missing = NULL;

	if (have >= sizeof m_gz && memcmp(in->raw, m_gz, sizeof m_gz) == 0)
		in->codec = INSTREAM_GZIP;
	else if (have >= sizeof m_xz && memcmp(in->raw, m_xz, sizeof m_xz) == 0)
		in->codec = INSTREAM_XZ;
	else if (have >= sizeof m_zst &&
	    memcmp(in->raw, m_zst, sizeof m_zst) == 0)
		in->codec = INSTREAM_ZSTD;
	else
		in->codec = INSTREAM_PLAIN;

	switch (in->codec) {
	case INSTREAM_PLAIN:
		return 0;
	case INSTREAM_GZIP:
#ifdef HAVE_ZLIB
	{
		struct gz_state *g = xcalloc(1, sizeof *g);

		/* 15 + 16: a gzip wrapper, the largest window */
		if (inflateInit2(&g->z, 15 + 16) != Z_OK) {
			free(g);
			return kmsim_fail(cause, "%s: cannot start zlib",
			    in->path);
		}
		in->codec_state = g;
		return 0;
	}
#else
		missing = "zlib";
		break;
#endif
	case INSTREAM_XZ:
#ifdef HAVE_LZMA
	{
		struct xz_state *x = xcalloc(1, sizeof *x);
		lzma_stream init = LZMA_STREAM_INIT;

		x->s = init;
		if (lzma_stream_decoder(&x->s, UINT64_MAX, LZMA_CONCATENATED)
		    != LZMA_OK) {
			free(x);
			return kmsim_fail(cause, "%s: cannot start liblzma",
			    in->path);
		}
		in->codec_state = x;
		return 0;
	}
#else
		missing = "liblzma";
		break;
#endif
	case INSTREAM_ZSTD:
#ifdef HAVE_ZSTD
	{
		struct zs_state *zs = xcalloc(1, sizeof *zs);

		zs->d = ZSTD_createDStream();
		if (zs->d == NULL || ZSTD_isError(ZSTD_initDStream(zs->d))) {
			ZSTD_freeDStream(zs->d);
			free(zs);
			return kmsim_fail(cause, "%s: cannot start libzstd",
			    in->path);
		}
		zs->last = 1;
		in->codec_state = zs;
		return 0;
	}
#else
		missing = "libzstd";
		break;
#endif
	}
	return kmsim_fail(cause, "%s: %s-compressed, but kmsim was built"
	    " without %s", in->path, codec_name(in->codec), missing);
}

static void codec_end(struct instream *in)
{
	if (in->codec_state == NULL)
		return;
	switch (in->codec) {
#ifdef HAVE_ZLIB
	case INSTREAM_GZIP:
		inflateEnd(&((struct gz_state *)in->codec_state)->z);
		break;
#endif
#ifdef HAVE_LZMA
	case INSTREAM_XZ:
		lzma_end(&((struct xz_state *)in->codec_state)->s);
		break;
#endif
#ifdef HAVE_ZSTD
	case INSTREAM_ZSTD:
		ZSTD_freeDStream(((struct zs_state *)in->codec_state)->d);
		break;
#endif
	default:
		break;
	}
	free(in->codec_state);
	in->codec_state = NULL;
}

static int instream_start(struct instream *in, char **cause)
{
	ssize_t n;

	if (raw_fill(in) < 0)
		return kmsim_fail(cause, "%s: %s", in->path,
		    strerror(in->error));
	if (codec_start(in, cause) != 0)
		return -1;
	/* the first plain bytes, for sniffing the format */
	while (in->peek_len < sizeof in->peek) {
		n = decode(in, in->peek + in->peek_len,
		    sizeof in->peek - in->peek_len);
		if (n < 0)
			return kmsim_fail(cause, "%s: %s", in->path,
			    instream_strerror(in));
		if (n == 0)
			break;
		in->peek_len += (size_t)n;
	}
	return 0;
}

struct instream *instream_open_region(const char *path, const char *name,
    uint64_t offset, uint64_t length, char **cause)
{
	struct instream *in;

	in = xcalloc(1, sizeof *in);
	in->path = xstrdup(name);
	in->raw = xmalloc(INSTREAM_RAWBUF);
	in->raw_left = length;
	in->bytes_total = length;
	sha256_init(&in->sha);
	in->f = fopen(path, "rb");
	if (in->f == NULL) {
		kmsim_fail(cause, "%s: %s", path, strerror(errno));
		goto out_free;
	}
	if (fseeko(in->f, (off_t)offset, SEEK_SET) != 0) {
		kmsim_fail(cause, "%s: %s", path, strerror(errno));
		goto out_free;
	}
	if (instream_start(in, cause) != 0)
		goto out_free;
	return in;

out_free:
	instream_close(in);
	return NULL;
}

struct instream *instream_open(const char *path, char **cause)
{
	struct instream *in;
	struct stat st;

	in = xcalloc(1, sizeof *in);
	in->path = xstrdup(path);
	in->raw = xmalloc(INSTREAM_RAWBUF);
	in->raw_left = UINT64_MAX;
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
			kmsim_fail(cause, "%s: %s", path, strerror(EISDIR));
			goto out_free;
		}
		if (S_ISREG(st.st_mode))
			in->bytes_total = (uint64_t)st.st_size;
	}
	if (instream_start(in, cause) != 0)
		goto out_free;
	return in;

out_free:
	instream_close(in);
	return NULL;
}

void instream_close(struct instream *in)
{
	if (in == NULL)
		return;
	codec_end(in);
	if (!in->is_stdin && in->f != NULL)
		fclose(in->f);
	free(in->decode_error);
	free(in->raw);
	free(in->path);
	free(in);
}

ssize_t instream_read(struct instream *in, void *buf, size_t n)
{
	ssize_t got;

	if (in->peek_pos < in->peek_len) {
		size_t take = KMSIM_MIN(n, in->peek_len - in->peek_pos);

		memcpy(buf, in->peek + in->peek_pos, take);
		in->peek_pos += take;
		in->bytes_out += take;
		return (ssize_t)take;
	}
	if (n == 0)
		return 0;
	got = decode(in, buf, n);
	if (got > 0)
		in->bytes_out += (uint64_t)got;
	return got;
}

const char *instream_strerror(const struct instream *in)
{
	if (in->decode_error != NULL)
		return in->decode_error;
	return strerror(in->error ? in->error : EIO);
}

void instream_digest(struct instream *in, char hex[65])
{
	sha256_hex(&in->sha, hex);
}
