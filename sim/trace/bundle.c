/*
 * bundle.c - reading kmsim-record bundles: a directory or a ustar tar
 * (POSIX.1-1988 headers: name[100] at 0, size[12] octal at 124, typeflag
 * at 156, magic "ustar" at 257, prefix[155] at 345), the manifest, members
 * decompressed as they are read, /proc/kpageflags summarised to a byte per
 * frame, and a snapshot's zoneinfo and buddyinfo parsed.  The machine
 * rebuilt from them for --config auto is bundle_machine.c's.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "trace/bundle.h"
#include "kmsim.h"

#define TAR_BLOCK 512

struct bundle_member {
	char *name;
	uint64_t offset;
	uint64_t size;
};

struct bundle {
	char *path;
	bool is_dir;
	struct bundle_member *members;	/* tar only */
	size_t nr_members;
	json_t *manifest;
	const char *trace;		/* in manifest */
	const char *kpageflags;		/* in manifest, or NULL */
	const char *snap[2];		/* before, after dirs */
};

static uint64_t tar_octal(const unsigned char *p, size_t n, bool *ok)
{
	uint64_t v = 0;
	size_t i = 0;

	while (i < n && p[i] == ' ')
		i++;
	for (; i < n && p[i] >= '0' && p[i] <= '7'; i++) {
		if (v >> 61) {
			*ok = false;
			return 0;
		}
		v = v * 8 + (uint64_t)(p[i] - '0');
	}
	if (i < n && p[i] != '\0' && p[i] != ' ')
		*ok = false;
	return v;
}

static bool is_tar(const unsigned char *h)
{
	return memcmp(h + 257, "ustar", 5) == 0;
}

/* Index every regular file of the tar; names without "./". */
static int tar_index(struct bundle *b, FILE *f, char **cause)
{
	unsigned char h[TAR_BLOCK];
	uint64_t off = 0;
	struct stat st;

	if (fstat(fileno(f), &st) != 0)
		return kmsim_fail(cause, "%s: %s", b->path, strerror(errno));
	for (;;) {
		char name[256 + 2];
		uint64_t size;
		bool ok = true;
		size_t i;

		if (fseeko(f, (off_t)off, SEEK_SET) != 0 ||
		    fread(h, 1, sizeof h, f) != sizeof h)
			return kmsim_fail(cause, "%s: truncated tar (no end"
			    " marker at byte %" PRIu64 ")", b->path, off);
		for (i = 0; i < sizeof h && h[i] == 0; i++)
			;
		if (i == sizeof h)
			return 0;		/* the end-of-archive block */
		if (!is_tar(h))
			return kmsim_fail(cause, "%s: bad tar header at byte %"
			    PRIu64 " (only ustar is read)", b->path, off);
		size = tar_octal(h + 124, 12, &ok);
		if (!ok || off + TAR_BLOCK + size > (uint64_t)st.st_size)
			return kmsim_fail(cause, "%s: tar member at byte %"
			    PRIu64 " runs past the end of the file", b->path,
			    off);
		if (h[156] == '0' || h[156] == '\0') {
			name[0] = '\0';
			if (h[345] != '\0')
				snprintf(name, sizeof name, "%.155s/",
				    (const char *)h + 345);
			snprintf(name + strlen(name), sizeof name - strlen(name),
			    "%.100s", (const char *)h);
			b->members = xreallocarray(b->members, b->nr_members + 1,
			    sizeof *b->members);
			b->members[b->nr_members].name = xstrdup(
			    strncmp(name, "./", 2) == 0 ? name + 2 : name);
			b->members[b->nr_members].offset = off + TAR_BLOCK;
			b->members[b->nr_members].size = size;
			b->nr_members++;
		} else if (h[156] == 'x' || h[156] == 'g' || h[156] == 'L') {
			return kmsim_fail(cause, "%s: tar uses pax or GNU long"
			    " names at byte %" PRIu64 "; write it with"
			    " --format=ustar", b->path, off);
		}
		off += TAR_BLOCK + (size + TAR_BLOCK - 1) / TAR_BLOCK *
		    TAR_BLOCK;
	}
}

/* A tar made of a directory names members "DIR/..."; find the prefix
 * under which manifest.json sits and strip it. */
static int tar_strip_prefix(struct bundle *b, char **cause)
{
	const char *prefix = NULL;
	size_t i, plen = 0;

	for (i = 0; i < b->nr_members; i++) {
		const char *n = b->members[i].name, *slash;

		if (strcmp(n, "manifest.json") == 0)
			return 0;
		slash = strchr(n, '/');
		if (slash != NULL && strcmp(slash + 1, "manifest.json") == 0) {
			prefix = n;
			plen = (size_t)(slash - n) + 1;
			break;
		}
	}
	if (prefix == NULL)
		return kmsim_fail(cause, "%s: a tar without manifest.json is"
		    " not a kmsim bundle", b->path);
	{
		char *p = xstrndup(prefix, plen);

		for (i = 0; i < b->nr_members; i++) {
			char *n = b->members[i].name;

			if (strncmp(n, p, plen) == 0)
				memmove(n, n + plen, strlen(n + plen) + 1);
		}
		free(p);
	}
	return 0;
}

static const struct bundle_member *find_member(const struct bundle *b,
    const char *name)
{
	size_t i;

	for (i = 0; i < b->nr_members; i++)
		if (strcmp(b->members[i].name, name) == 0)
			return &b->members[i];
	return NULL;
}

bool bundle_has_member(struct bundle *b, const char *name)
{
	char *p;
	struct stat st;
	bool ok;

	if (!b->is_dir)
		return find_member(b, name) != NULL;
	xasprintf(&p, "%s/%s", b->path, name);
	ok = stat(p, &st) == 0 && S_ISREG(st.st_mode);
	free(p);
	return ok;
}

struct instream *bundle_member_open(struct bundle *b, const char *name,
    char **cause)
{
	const struct bundle_member *mb;
	struct instream *in;
	char *p;

	xasprintf(&p, "%s/%s", b->path, name);
	if (b->is_dir) {
		in = instream_open(p, cause);
	} else if ((mb = find_member(b, name)) == NULL) {
		kmsim_fail(cause, "%s: the bundle has no member '%s'", b->path,
		    name);
		in = NULL;
	} else {
		in = instream_open_region(b->path, p, mb->offset, mb->size,
		    cause);
	}
	free(p);
	return in;
}

char *bundle_member_text(struct bundle *b, const char *name, size_t max,
    char **cause)
{
	struct instream *in = bundle_member_open(b, name, cause);
	size_t len = 0, cap = 65536;
	char *buf;
	ssize_t n;

	if (in == NULL)
		return NULL;
	buf = xmalloc(cap + 1);
	for (;;) {
		if (len == cap) {
			if (cap >= max) {
				kmsim_fail(cause, "%s: member '%s' is larger"
				    " than %zu bytes", b->path, name, max);
				goto out_free;
			}
			cap *= 2;
			buf = xreallocarray(buf, cap + 1, 1);
		}
		n = instream_read(in, buf + len, cap - len);
		if (n < 0) {
			kmsim_fail(cause, "%s: %s", in->path,
			    instream_strerror(in));
			goto out_free;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (memchr(buf, '\0', len) != NULL) {
		kmsim_fail(cause, "%s/%s: binary data where text was expected",
		    b->path, name);
		goto out_free;
	}
	buf[len] = '\0';
	instream_close(in);
	return buf;

out_free:
	instream_close(in);
	free(buf);
	return NULL;
}

static const char *manifest_string(const json_t *m, const char *key)
{
	return json_string_value(json_object_get(m, key));
}

int bundle_open(const char *path, struct bundle **out, char **cause)
{
	unsigned char h[TAR_BLOCK];
	struct bundle *b;
	struct stat st;
	json_error_t jerr;
	const json_t *snaps;
	char *text, *mp;
	FILE *f;

	*out = NULL;
	if (strcmp(path, "-") == 0 || stat(path, &st) != 0)
		return 0;	/* the trace reader reports a missing file */
	b = xcalloc(1, sizeof *b);
	b->path = xstrdup(path);
	if (S_ISDIR(st.st_mode)) {
		xasprintf(&mp, "%s/manifest.json", path);
		if (stat(mp, &st) != 0) {
			free(mp);
			bundle_close(b);
			return 0;	/* a directory, not a bundle */
		}
		free(mp);
		b->is_dir = true;
	} else {
		f = fopen(path, "rb");
		if (f == NULL || fread(h, 1, sizeof h, f) != sizeof h ||
		    !is_tar(h)) {
			if (f != NULL)
				fclose(f);
			bundle_close(b);
			return 0;
		}
		if (tar_index(b, f, cause) != 0 ||
		    tar_strip_prefix(b, cause) != 0) {
			fclose(f);
			goto out_free;
		}
		fclose(f);
	}
	text = bundle_member_text(b, "manifest.json", 1 << 20, cause);
	if (text == NULL)
		goto out_free;
	b->manifest = json_loads(text, 0, &jerr);
	free(text);
	if (b->manifest == NULL) {
		kmsim_fail(cause, "%s/manifest.json:%d:%d: %s", path, jerr.line,
		    jerr.column, jerr.text);
		goto out_free;
	}
	if (!json_is_object(b->manifest) ||
	    manifest_string(b->manifest, "format") == NULL ||
	    strcmp(manifest_string(b->manifest, "format"), "kmsim-bundle")) {
		kmsim_fail(cause, "%s/manifest.json: 'format' is not"
		    " 'kmsim-bundle'", path);
		goto out_free;
	}
	if (json_integer_value(json_object_get(b->manifest, "version")) != 1) {
		kmsim_fail(cause, "%s/manifest.json: unsupported bundle"
		    " version (this kmsim reads version 1)", path);
		goto out_free;
	}
	b->trace = manifest_string(b->manifest, "trace");
	if (b->trace == NULL || !bundle_has_member(b, b->trace)) {
		kmsim_fail(cause, "%s/manifest.json: 'trace' names no member"
		    " of the bundle", path);
		goto out_free;
	}
	b->kpageflags = manifest_string(b->manifest, "kpageflags");
	snaps = json_object_get(b->manifest, "snapshots");
	b->snap[0] = json_string_value(json_object_get(snaps, "before"));
	b->snap[1] = json_string_value(json_object_get(snaps, "after"));
	*out = b;
	return 1;

out_free:
	bundle_close(b);
	return -1;
}

void bundle_close(struct bundle *b)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < b->nr_members; i++)
		free(b->members[i].name);
	free(b->members);
	json_decref(b->manifest);
	free(b->path);
	free(b);
}

const char *bundle_path(const struct bundle *b)
{
	return b->path;
}

const json_t *bundle_manifest(const struct bundle *b)
{
	return b->manifest;
}

const char *bundle_trace_member(const struct bundle *b)
{
	return b->trace;
}

const char *bundle_snapshot_dir(const struct bundle *b, const char *which)
{
	return strcmp(which, "before") == 0 ? b->snap[0] : b->snap[1];
}

void kpageflags_free(struct kpageflags *kp)
{
	free(kp->f);
	kp->f = NULL;
	kp->nr = 0;
}

/* include/uapi/linux/kernel-page-flags.h bit numbers */
#define KPF_SLAB		7
#define KPF_LRU			5
#define KPF_BUDDY		10
#define KPF_COMPOUND_TAIL	16
#define KPF_NOPAGE		20
#define KPF_RESERVED		32

int bundle_kpageflags(struct bundle *b, const char *which,
    struct kpageflags *kp, char **cause)
{
	const char *dir = bundle_snapshot_dir(b, which);
	unsigned char buf[65536];
	struct instream *in;
	size_t have = 0, cap = 0;
	char *name;
	ssize_t n;

	kp->f = NULL;
	kp->nr = 0;
	if (dir == NULL || b->kpageflags == NULL)
		return 1;
	xasprintf(&name, "%s/%s", dir, b->kpageflags);
	if (!bundle_has_member(b, name)) {
		free(name);
		return 1;
	}
	in = bundle_member_open(b, name, cause);
	free(name);
	if (in == NULL)
		return -1;
	for (;;) {
		size_t i;

		n = instream_read(in, buf + have, sizeof buf - have);
		if (n < 0) {
			kmsim_fail(cause, "%s: %s", in->path,
			    instream_strerror(in));
			goto out_free;
		}
		if (n == 0)
			break;
		have += (size_t)n;
		for (i = 0; i + 8 <= have; i += 8) {
			uint64_t v = 0;
			uint8_t s = 0;
			int k;

			for (k = 7; k >= 0; k--)	/* little endian */
				v = v << 8 | buf[i + (size_t)k];
			if (v >> KPF_BUDDY & 1)
				s |= KPFS_BUDDY;
			if (v >> KPF_NOPAGE & 1)
				s |= KPFS_NOPAGE;
			if (v >> KPF_RESERVED & 1)
				s |= KPFS_RESERVED;
			if (v >> KPF_SLAB & 1)
				s |= KPFS_SLAB;
			if (v >> KPF_LRU & 1)
				s |= KPFS_LRU;
			if (v >> KPF_COMPOUND_TAIL & 1)
				s |= KPFS_TAIL;
			if (v == 0)
				s |= KPFS_ZERO;
			if (kp->nr == cap) {
				cap = cap ? cap * 2 : 1 << 20;
				kp->f = xreallocarray(kp->f, cap, 1);
			}
			kp->f[kp->nr++] = s;
		}
		memmove(buf, buf + i, have - i);
		have -= i;
	}
	if (have != 0) {
		kmsim_fail(cause, "%s: kpageflags is not a whole number of"
		    " 8-byte entries", in->path);
		goto out_free;
	}
	instream_close(in);
	return 0;

out_free:
	instream_close(in);
	kpageflags_free(kp);
	return -1;
}

int bundle_zones(struct bundle *b, const char *which, struct procfs_zones *zs,
    char **cause)
{
	const char *dir = bundle_snapshot_dir(b, which);
	char *name, *shown, *text;
	int r;

	if (dir == NULL)
		return kmsim_fail(cause, "%s: the bundle has no '%s' snapshot",
		    b->path, which);
	xasprintf(&name, "%s/zoneinfo", dir);
	text = bundle_member_text(b, name, 16 << 20, cause);
	if (text == NULL) {
		free(name);
		return -1;
	}
	/* messages name the member within the bundle: BUNDLE/before/... */
	xasprintf(&shown, "%s/%s", b->path, name);
	r = procfs_parse_zoneinfo(shown, text, zs, cause);
	free(shown);
	free(text);
	free(name);
	if (r != 0)
		goto out_zones;
	xasprintf(&name, "%s/buddyinfo", dir);
	text = bundle_member_text(b, name, 16 << 20, cause);
	if (text == NULL) {
		free(name);
		goto out_zones;
	}
	xasprintf(&shown, "%s/%s", b->path, name);
	r = procfs_parse_buddyinfo(shown, text, zs, cause);
	free(shown);
	free(text);
	free(name);
	if (r != 0)
		goto out_zones;
	return 0;

out_zones:
	/* what zoneinfo gave is not half handed back (found by the
	 * bad-input catalogue: an empty buddyinfo leaked it) */
	procfs_zones_free(zs);
	return -1;
}
