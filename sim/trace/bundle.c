/*
 * bundle.c - reading kmsim-record bundles: a directory or a ustar tar
 * (POSIX.1-1988 headers: name[100] at 0, size[12] octal at 124, typeflag
 * at 156, magic "ustar" at 257, prefix[155] at 345), the manifest, members
 * decompressed as they are read, /proc/kpageflags summarised to a byte per
 * frame, and the machine rebuilt from zoneinfo for --config auto.
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

/* The watermarks the kernel printed, reproduced: find min_free_kbytes and
 * watermark_scale_factor that give the same min and low for every zone
 * (mm/page_alloc.c:__setup_per_zone_wmarks()). */
static void solve_watermarks(const struct procfs_zones *zs, unsigned shift,
    uint64_t *min_free_kbytes, unsigned *wsf)
{
	uint64_t sum = 0, lowmem = 0, p;
	unsigned w;
	int i;

	for (i = 0; i < zs->n; i++) {
		const struct procfs_zone *z = &zs->z[i];

		if (z->managed == 0 || z->type < 0 || z->type > ZONE_NORMAL)
			continue;
		sum += z->wmark[WMARK_MIN];
		lowmem += z->managed;
	}
	*min_free_kbytes = sum << (shift - 10);
	for (p = sum; p <= sum + (uint64_t)zs->n + 1 && lowmem; p++) {
		bool ok = true;

		for (i = 0; i < zs->n && ok; i++) {
			const struct procfs_zone *z = &zs->z[i];

			if (z->managed == 0 || z->type < 0 ||
			    z->type > ZONE_NORMAL)
				continue;
			ok = p * z->managed / lowmem == z->wmark[WMARK_MIN];
		}
		if (ok) {
			*min_free_kbytes = p << (shift - 10);
			break;
		}
	}
	*wsf = 10;
	for (w = 1; w <= 3000; w++) {
		bool ok = true, any = false;

		for (i = 0; i < zs->n && ok; i++) {
			const struct procfs_zone *z = &zs->z[i];
			uint64_t tmp, gap;

			if (z->managed == 0 || z->type < 0)
				continue;
			gap = z->wmark[WMARK_LOW] - z->wmark[WMARK_MIN];
			tmp = KMSIM_MAX(z->wmark[WMARK_MIN] >> 2,
			    z->managed * w / 10000);
			/* only zones where the scale factor decides count */
			if (z->managed * w / 10000 <= z->wmark[WMARK_MIN] >> 2)
				continue;
			any = true;
			ok = tmp == gap;
		}
		if (ok && any) {
			*wsf = w;
			break;
		}
	}
}

static void add_hole(struct config_node *cn, unsigned shift, uint64_t start,
    uint64_t pages)
{
	int i, j;

	cn->holes = xreallocarray(cn->holes, (size_t)cn->nr_holes + 1,
	    sizeof *cn->holes);
	/* keep them sorted by start */
	for (i = 0; i < cn->nr_holes; i++)
		if (cn->holes[i].start > start << shift)
			break;
	for (j = cn->nr_holes; j > i; j--)
		cn->holes[j] = cn->holes[j - 1];
	memset(&cn->holes[i], 0, sizeof cn->holes[i]);
	cn->holes[i].start = start << shift;
	cn->holes[i].size = pages << shift;
	cn->nr_holes++;
}

/* The longest run in [s, e) of frames whose summary has `bits` and is no
 * longer than `max`; its length, or 0. */
static uint64_t longest_run(const struct kpageflags *kp, uint64_t s,
    uint64_t e, uint8_t bits, uint8_t exact_mask, uint64_t max,
    uint64_t *at)
{
	uint64_t pfn, best = 0;

	e = KMSIM_MIN(e, kp->nr);
	for (pfn = s; pfn < e;) {
		uint64_t r = pfn;

		while (r < e && (kp->f[r] & exact_mask) == bits)
			r++;
		if (r - pfn > best && r - pfn <= max) {
			best = r - pfn;
			*at = pfn;
		}
		pfn = r > pfn ? r : pfn + 1;
	}
	return best;
}

/*
 * Place `need` hole pages in the zone [s, e).  On Linux 6.18 a missing
 * section reads as a frame with no flag at all and a hole inside a
 * section as a reserved frame (init_unavailable_range()), so take the
 * longest runs of those that fit, then whatever is left at the zone's end.
 */
static uint64_t place_holes(struct config *cfg, struct config_node *cn,
    struct kpageflags *kp, uint64_t s, uint64_t e, uint64_t need)
{
	static const uint8_t kinds[][2] = {
		{ KPFS_NOPAGE, KPFS_NOPAGE },
		{ KPFS_ZERO, KPFS_ZERO },
		{ KPFS_RESERVED, 0xff },
	};
	uint64_t placed = 0, len, at = 0;
	size_t k;

	for (k = 0; k < ARRAY_SIZE(kinds) && placed < need; k++) {
		while (placed < need && kp->nr > s &&
		    (len = longest_run(kp, s, e, kinds[k][0], kinds[k][1],
		    need - placed, &at)) > 0) {
			uint64_t q;

			add_hole(cn, cfg->page_shift, at, len);
			for (q = at; q < at + len; q++)
				kp->f[q] = 0xff;	/* taken */
			placed += len;
		}
	}
	if (placed < need) {
		/* no run fits: the end of the longest one (x86's low hole,
		 * 640 KiB to 1 MiB, ends a run of reserved low memory) */
		uint64_t best = 0, best_at = 0, rest = need - placed;

		for (k = 0; k < ARRAY_SIZE(kinds); k++) {
			len = longest_run(kp, s, e, kinds[k][0], kinds[k][1],
			    UINT64_MAX, &at);
			if (len > best) {
				best = len;
				best_at = at;
			}
		}
		if (best >= rest)
			add_hole(cn, cfg->page_shift, best_at + best - rest,
			    rest);
		else
			add_hole(cn, cfg->page_shift, e - rest, rest);
	}
	return need;
}

struct config *bundle_config(struct bundle *b, char **cause)
{
	struct procfs_zones zs = { NULL, 0 };
	struct kpageflags kp = { NULL, 0 };
	const json_t *m = b->manifest;
	struct config *cfg;
	uint64_t page_size;
	int i, n, nr_nodes = 0, cpus;
	const char *base;

	page_size = (uint64_t)json_integer_value(json_object_get(m,
	    "page_size"));
	cpus = (int)json_integer_value(json_object_get(m, "nr_cpus"));
	if (!kmsim_is_pow2(page_size) || page_size < 4096 ||
	    page_size > 65536)
		page_size = 4096;
	if (cpus <= 0 || cpus > CONFIG_MAX_CPUS) {
		kmsim_fail(cause, "%s/manifest.json: 'nr_cpus' is missing or"
		    " out of range", b->path);
		return NULL;
	}
	if (bundle_zones(b, "before", &zs, cause) != 0)
		return NULL;
	if (bundle_kpageflags(b, "before", &kp, cause) < 0)
		goto out_zones;
	for (i = 0; i < zs.n; i++)
		nr_nodes = KMSIM_MAX(nr_nodes, zs.z[i].node + 1);

	cfg = xcalloc(1, sizeof *cfg);
	config_set_defaults(cfg);
	base = strrchr(b->path, '/');
	xasprintf(&cfg->name, "auto:%s", base ? base + 1 : b->path);
	xasprintf(&cfg->path, "%s", b->path);
	cfg->page_size = page_size;
	cfg->page_shift = kmsim_ilog2(page_size);
	cfg->max_order = 10;
	for (i = 0; i < zs.n; i++)
		if (zs.z[i].nr_orders > 0)
			cfg->max_order = (unsigned)zs.z[i].nr_orders - 1;
	cfg->section_size_bits = KMSIM_MAX(27u, cfg->page_shift +
	    cfg->max_order);
	cfg->cpu_mhz = 3000;
	cfg->nr_nodes = nr_nodes;
	cfg->nr_cpus = cpus;
	cfg->nodes = xcalloc((size_t)nr_nodes, sizeof *cfg->nodes);
	cfg->distance = xcalloc((size_t)(nr_nodes * nr_nodes),
	    sizeof *cfg->distance);
	for (n = 0; n < nr_nodes; n++) {
		struct config_node *cn = &cfg->nodes[n];
		uint64_t start = UINT64_MAX, end = 0, hole_pages = 0;
		int z, c, first, count;

		cn->id = n;
		for (i = 0; i < nr_nodes; i++)
			cfg->distance[n * nr_nodes + i] = i == n ? 10 : 20;
		for (i = 0; i < zs.n; i++) {
			const struct procfs_zone *pz = &zs.z[i];

			if (pz->node != n || pz->spanned == 0 || pz->type < 0)
				continue;
			start = KMSIM_MIN(start, pz->start_pfn);
			end = KMSIM_MAX(end, pz->start_pfn + pz->spanned);
		}
		if (start == UINT64_MAX)
			continue;
		/* zones in order, contiguous: a gap joins the zone before */
		for (z = MAX_NR_ZONES - 1; z >= 0; z--) {
			uint64_t zend = end;
			const struct procfs_zone *pz = NULL;

			for (i = 0; i < zs.n; i++)
				if (zs.z[i].node == n && zs.z[i].type == z &&
				    zs.z[i].spanned > 0)
					pz = &zs.z[i];
			if (pz == NULL)
				continue;
			cn->zone_size[z] = (zend - pz->start_pfn) << cfg->page_shift;
			cn->zone_reserved[z] = pz->present - pz->managed;
			end = pz->start_pfn;
		}
		end = start;
		for (z = 0; z < MAX_NR_ZONES; z++)
			end += cn->zone_size[z] >> cfg->page_shift;
		cn->zones_explicit = true;
		cn->start = start << cfg->page_shift;
		cn->span = (end - start) << cfg->page_shift;
		/* holes: what zoneinfo counts (spanned - present), placed
		 * where kpageflags shows them */
		for (z = 0; z < MAX_NR_ZONES; z++) {
			const struct procfs_zone *pz = NULL;

			for (i = 0; i < zs.n; i++)
				if (zs.z[i].node == n && zs.z[i].type == z &&
				    zs.z[i].spanned > 0)
					pz = &zs.z[i];
			if (pz == NULL || pz->spanned <= pz->present)
				continue;
			hole_pages += place_holes(cfg, cn, &kp, pz->start_pfn,
			    pz->start_pfn + pz->spanned,
			    pz->spanned - pz->present);
		}
		cn->memory = ((end - start) - hole_pages) << cfg->page_shift;
		/* CPUs: the manifest gives a count, not a map; spread them */
		first = cpus * n / nr_nodes;
		count = cpus * (n + 1) / nr_nodes - first;
		cn->cpus = xcalloc((size_t)KMSIM_MAX(count, 1), sizeof(int));
		for (c = 0; c < count; c++)
			cn->cpus[c] = first + c;
		cn->nr_cpus = count;
	}
	solve_watermarks(&zs, cfg->page_shift, &cfg->min_free_kbytes,
	    &cfg->watermark_scale_factor);
	cfg->lowmem_reserve_ratio[ZONE_DMA] = 256;
	cfg->lowmem_reserve_ratio[ZONE_DMA32] = 256;
	cfg->lowmem_reserve_ratio[ZONE_NORMAL] = 32;
	cfg->lowmem_reserve_ratio[ZONE_HIGHMEM] = 0;
	cfg->lowmem_reserve_ratio[ZONE_MOVABLE] = 0;
	kpageflags_free(&kp);
	procfs_zones_free(&zs);
	return cfg;

out_zones:
	procfs_zones_free(&zs);
	return NULL;
}
