/*
 * test-bundle.c - the capture bundle reader and the machine derived from
 * it: tests/fixtures/bundle-small as a directory and as a ustar tar of
 * the same tree (written here, nested under a top directory), its
 * manifest and members (decompressed as they are read), its kpageflags,
 * the --config auto machine against the fixture's own zoneinfo, and
 * broken bundles reported as FILE:LINE:COL or FILE: message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmsim.h"
#include "kmsim_config.h"
#include "tap.h"
#include "trace/bundle.h"
#include "trace/bundle_machine.h"
#include "trace/instream.h"

#define PAGE	4096

static char *tmp_dir;

static const char *fixture(void)
{
	static char path[4096];
	const char *top = getenv("top_srcdir");

	snprintf(path, sizeof path, "%s/tests/fixtures/bundle-small",
	    top ? top : "..");
	return path;
}

/* The fixture's files, as a tar holds them. */
static const char *const members[] = {
	"manifest.json", "trace.txt.xz",
	"before/buddyinfo", "before/kpageflags.xz", "before/meminfo",
	"before/pagetypeinfo", "before/slabinfo", "before/vmstat",
	"before/zoneinfo",
	"after/buddyinfo", "after/kpageflags.xz", "after/meminfo",
	"after/pagetypeinfo", "after/slabinfo", "after/vmstat",
	"after/zoneinfo",
};

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n;

	*len = 0;
	if (f == NULL)
		return NULL;
	for (;;) {
		if (*len == cap) {
			cap = cap ? cap * 2 : 65536;
			buf = xreallocarray(buf, cap, 1);
		}
		n = fread(buf + *len, 1, cap - *len, f);
		if (n == 0)
			break;
		*len += n;
	}
	fclose(f);
	return buf;
}

/* A POSIX.1-1988 (ustar) header for a regular file. */
static void tar_header(unsigned char h[512], const char *name, size_t size)
{
	unsigned sum = 0;
	size_t i;

	memset(h, 0, 512);
	snprintf((char *)h, 100, "%s", name);
	snprintf((char *)h + 100, 8, "%07o", 0644);
	snprintf((char *)h + 108, 8, "%07o", 0);
	snprintf((char *)h + 116, 8, "%07o", 0);
	snprintf((char *)h + 124, 12, "%011zo", size);
	snprintf((char *)h + 136, 12, "%011o", 0);
	h[156] = '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
}

/* The fixture as a ustar tar at path, every member under "prefix/"; 0
 * or -1. */
static int write_tar(const char *path, const char *prefix)
{
	static const unsigned char zero[1024];
	unsigned char h[512];
	FILE *f = fopen(path, "wb");
	size_t i, len;
	char *data, *name, *src;
	int ok = f != NULL;

	for (i = 0; ok && i < ARRAY_SIZE(members); i++) {
		xasprintf(&src, "%s/%s", fixture(), members[i]);
		data = slurp(src, &len);
		free(src);
		if (data == NULL) {
			ok = 0;
			break;
		}
		xasprintf(&name, "%s/%s", prefix, members[i]);
		tar_header(h, name, len);
		free(name);
		ok = fwrite(h, 1, 512, f) == 512 &&
		    fwrite(data, 1, len, f) == len &&
		    fwrite(zero, 1, (512 - len % 512) % 512, f) ==
		    (512 - len % 512) % 512;
		free(data);
	}
	if (ok)
		ok = fwrite(zero, 1, sizeof zero, f) == sizeof zero;
	if (f != NULL && fclose(f) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

static char *tmp_path(const char *name)
{
	char *p;

	xasprintf(&p, "%s/%s", tmp_dir, name);
	return p;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		abort();
	fputs(text, f);
	fclose(f);
}

/* What every reading of the fixture must give, directory or tar. */
static int check_members(struct bundle *b)
{
	struct instream *in;
	char buf[64], *text, *cause = NULL;
	ssize_t n;

	if (strcmp(bundle_trace_member(b), "trace.txt.xz") != 0 ||
	    strcmp(bundle_snapshot_dir(b, "before"), "before") != 0 ||
	    strcmp(bundle_snapshot_dir(b, "after"), "after") != 0 ||
	    !bundle_has_member(b, "before/zoneinfo") ||
	    !bundle_has_member(b, "after/kpageflags.xz") ||
	    bundle_has_member(b, "before/nothing") ||
	    bundle_has_member(b, "before"))
		return -1;
	if (strcmp(json_string_value(json_object_get(bundle_manifest(b),
	    "kernel_release")), "6.18.44") != 0)
		return -1;
	text = bundle_member_text(b, "before/buddyinfo", 1 << 20, &cause);
	if (text == NULL || strncmp(text, "Node 0, zone      DMA      0", 28)) {
		free(text);
		free(cause);
		return -1;
	}
	free(text);
	/* the trace decompressed as it is read */
	in = bundle_member_open(b, "trace.txt.xz", &cause);
	if (in == NULL) {
		free(cause);
		return -1;
	}
	n = instream_read(in, buf, 14);
	instream_close(in);
	return n == 14 && memcmp(buf, "# tracer: nop\n", 14) == 0 ? 0 : -1;
}

TEST(a_directory_is_read)
{
	struct bundle *b = NULL;
	char *cause = NULL;
	int r;

	r = bundle_open(fixture(), &b, &cause);
	ASSERT_EQ(r, 1);
	ASSERT(b != NULL);
	ASSERT_STREQ(bundle_path(b), fixture());
	r = check_members(b);
	bundle_close(b);
	ASSERT_EQ(r, 0);
}

TEST(a_nested_tar_is_read_as_the_directory)
{
	struct bundle *b = NULL;
	char *cause = NULL, *tar = tmp_path("nested.tar");
	int r;

	ASSERT_EQ(write_tar(tar, "bundle-small"), 0);
	r = bundle_open(tar, &b, &cause);
	free(tar);
	if (r != 1)
		printf("# %s\n", cause ? cause : "(not a bundle)");
	free(cause);
	ASSERT_EQ(r, 1);
	r = check_members(b);
	bundle_close(b);
	ASSERT_EQ(r, 0);
}

/* 52428800 bytes of /proc/kpageflags at both ends: one summary byte for
 * each of the 6553600 pfns (0 to 0x640000, the end of Normal). */
TEST(kpageflags_summarised_per_frame)
{
	struct kpageflags kp = { NULL, 0 };
	struct bundle *b = NULL;
	char *cause = NULL;

	ASSERT_EQ(bundle_open(fixture(), &b, &cause), 1);
	ASSERT_EQ(bundle_kpageflags(b, "before", &kp, &cause), 0);
	ASSERT_UEQ(kp.nr, 6553600);
	/* pfn 0 is never present on x86 (DMA starts at pfn 1) */
	ASSERT(kp.f[0] & (KPFS_RESERVED | KPFS_NOPAGE | KPFS_ZERO));
	kpageflags_free(&kp);
	ASSERT(kp.f == NULL);
	bundle_close(b);
}

/*
 * --config auto against before/zoneinfo: DMA at pfn 1 (spanned 4095,
 * present 3998, managed 3840), DMA32 at 0x1000 (spanned 1044480, present
 * 782336, managed 772918), Normal at 0x100000 (spanned = present
 * 5505024, managed 5394266); min 10, 2116 and 14769 pages, which
 * __setup_per_zone_wmarks() gives for min_free_kbytes = 16896 pages
 * (67584 KiB): 16896 * managed / 6171024 lowmem pages, rounded down.
 */
TEST(the_machine_is_the_one_captured)
{
	struct bundle *b = NULL;
	struct config *cfg;
	struct config_node *cn;
	char *cause = NULL;
	uint64_t holes = 0;
	int i;

	ASSERT_EQ(bundle_open(fixture(), &b, &cause), 1);
	cfg = bundle_machine_config(b, &cause);
	bundle_close(b);
	if (cfg == NULL)
		printf("# %s\n", cause);
	ASSERT(cfg != NULL);
	cn = &cfg->nodes[0];
	ASSERT_EQ(cfg->nr_nodes, 1);
	ASSERT_EQ(cfg->nr_cpus, 2);
	ASSERT_UEQ(cfg->page_size, PAGE);
	ASSERT_EQ(cfg->max_order, 10);
	ASSERT_UEQ(cn->start, 1 * PAGE);
	ASSERT_UEQ(cn->zone_size[ZONE_DMA], 4095ULL * PAGE);
	ASSERT_UEQ(cn->zone_size[ZONE_DMA32], 1044480ULL * PAGE);
	ASSERT_UEQ(cn->zone_size[ZONE_NORMAL], 5505024ULL * PAGE);
	ASSERT_UEQ(cn->zone_reserved[ZONE_DMA], 3998 - 3840);
	ASSERT_UEQ(cn->zone_reserved[ZONE_DMA32], 782336 - 772918);
	ASSERT_UEQ(cn->zone_reserved[ZONE_NORMAL], 5505024 - 5394266);
	/* the holes are what zoneinfo counts: spanned - present */
	for (i = 0; i < cn->nr_holes; i++)
		holes += cn->holes[i].size;
	ASSERT_UEQ(holes, (97ULL + 262144) * PAGE);
	ASSERT_UEQ(cn->memory, (3998ULL + 782336 + 5505024) * PAGE);
	ASSERT_EQ(cn->nr_cpus, 2);
	ASSERT_UEQ(cfg->min_free_kbytes, 67584);
	ASSERT_EQ(cfg->watermark_scale_factor, 10);
	ASSERT(strncmp(cfg->name, "auto:", 5) == 0);
	config_destroy(cfg);
}

/* The JSON's own position, 1-based: line 4, column 24, where the ':'
 * after "trace" is missing. */
TEST(a_broken_manifest_is_refused_at_its_line_and_column)
{
	struct bundle *b = NULL;
	char *dir = tmp_path("broken"), *mf, *want, *cause = NULL;

	ASSERT_EQ(mkdir(dir, 0755), 0);
	xasprintf(&mf, "%s/manifest.json", dir);
	write_text(mf, "{\n  \"format\": \"kmsim-bundle\",\n"
	    "  \"version\": 1,\n  \"trace\" \"trace.txt.xz\"\n}\n");
	ASSERT_EQ(bundle_open(dir, &b, &cause), -1);
	ASSERT(b == NULL);
	xasprintf(&want, "%s/manifest.json:4:24: ':' expected near"
	    " '\"trace.txt.xz\"'", dir);
	ASSERT_STREQ(cause, want);
	free(want);
	free(cause);
	cause = NULL;

	/* well-formed, but not a bundle's */
	write_text(mf, "{ \"format\": \"something-else\", \"version\": 1 }\n");
	ASSERT_EQ(bundle_open(dir, &b, &cause), -1);
	xasprintf(&want, "%s/manifest.json: 'format' is not 'kmsim-bundle'",
	    dir);
	ASSERT_STREQ(cause, want);
	free(want);
	free(cause);
	cause = NULL;

	/* a trace member that is not there */
	write_text(mf, "{ \"format\": \"kmsim-bundle\", \"version\": 1,"
	    " \"trace\": \"trace.txt\" }\n");
	ASSERT_EQ(bundle_open(dir, &b, &cause), -1);
	xasprintf(&want, "%s/manifest.json: 'trace' names no member of the"
	    " bundle", dir);
	ASSERT_STREQ(cause, want);
	free(want);
	free(cause);
	unlink(mf);
	rmdir(dir);
	free(mf);
	free(dir);
}

TEST(a_truncated_tar_is_refused)
{
	struct bundle *b = NULL;
	char *tar = tmp_path("whole.tar"), *cut = tmp_path("cut.tar");
	char *data, *want, *cause = NULL;
	size_t len;
	FILE *f;

	ASSERT_EQ(write_tar(tar, "."), 0);
	data = slurp(tar, &len);
	ASSERT(data != NULL && len > 3200);
	f = fopen(cut, "wb");
	ASSERT(f != NULL);
	fwrite(data, 1, 3200, f);
	fclose(f);
	free(data);
	ASSERT_EQ(bundle_open(cut, &b, &cause), -1);
	/* manifest.json's header and 1799 bytes end at 512 + 2048;
	 * trace.txt.xz's header at 2560 is whole, but promises more than
	 * the 128 bytes after it */
	xasprintf(&want, "%s: tar member at byte 2560 runs past the end of"
	    " the file", cut);
	ASSERT_STREQ(cause, want);
	free(want);
	free(cause);
	unlink(tar);
	unlink(cut);
	free(tar);
	free(cut);
}

TEST(a_plain_trace_is_no_bundle)
{
	struct bundle *b = NULL;
	char *path = tmp_path("plain.txt"), *cause = NULL;

	write_text(path, "# tracer: nop\n");
	ASSERT_EQ(bundle_open(path, &b, &cause), 0);
	ASSERT(b == NULL && cause == NULL);
	ASSERT_EQ(bundle_open("-", &b, &cause), 0);
	/* a directory without manifest.json is not one either */
	ASSERT_EQ(bundle_open(tmp_dir, &b, &cause), 0);
	unlink(path);
	free(path);
}

int main(void)
{
	static const char *const left[] = { "nested.tar", "whole.tar",
	    "cut.tar", "plain.txt", "broken/manifest.json", "broken" };
	char dir[] = "/tmp/kmsim-test-bundle.XXXXXX";
	char *path;
	size_t i;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	tmp_dir = dir;
	RUN(a_directory_is_read);
	RUN(a_nested_tar_is_read_as_the_directory);
	RUN(kpageflags_summarised_per_frame);
	RUN(the_machine_is_the_one_captured);
	RUN(a_broken_manifest_is_refused_at_its_line_and_column);
	RUN(a_truncated_tar_is_refused);
	RUN(a_plain_trace_is_no_bundle);
	/* what a failed test left behind */
	for (i = 0; i < ARRAY_SIZE(left); i++) {
		path = tmp_path(left[i]);
		unlink(path);
		rmdir(path);
		free(path);
	}
	rmdir(dir);
	return tap_done();
}
