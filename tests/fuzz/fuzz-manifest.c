/* fuzz-manifest.c - a bundle's manifest.json: the input is the manifest
 * of a directory bundle that also holds an empty trace.txt and
 * trace.txt.xz (the member names manifests usually give) and empty
 * before/ and after/ snapshot directories. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trace/bundle.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *fuzz_bundle_dir;	/* made once, removed at exit */

static char *fuzz_bundle_file(const char *name)
{
	size_t len = strlen(fuzz_bundle_dir) + strlen(name) + 2;
	char *p = malloc(len);

	if (p == NULL)
		abort();
	snprintf(p, len, "%s/%s", fuzz_bundle_dir, name);
	return p;
}

static const char *const fuzz_bundle_files[] = { "manifest.json",
	"trace.txt", "trace.txt.xz" };
static const char *const fuzz_bundle_dirs[] = { "before", "after" };

static void fuzz_bundle_cleanup(void)
{
	size_t i;
	char *p;

	for (i = 0; i < sizeof fuzz_bundle_files / sizeof *fuzz_bundle_files;
	    i++) {
		p = fuzz_bundle_file(fuzz_bundle_files[i]);
		unlink(p);
		free(p);
	}
	for (i = 0; i < sizeof fuzz_bundle_dirs / sizeof *fuzz_bundle_dirs;
	    i++) {
		p = fuzz_bundle_file(fuzz_bundle_dirs[i]);
		rmdir(p);
		free(p);
	}
	rmdir(fuzz_bundle_dir);
	free(fuzz_bundle_dir);
	fuzz_bundle_dir = NULL;
}

static void fuzz_bundle_setup(void)
{
	const char *tmp = fuzz_tmpdir();
	size_t i, len = strlen(tmp) + sizeof "/kmsim-fuzz-bundle-XXXXXX";
	char *p;

	fuzz_bundle_dir = malloc(len);
	if (fuzz_bundle_dir == NULL)
		abort();
	snprintf(fuzz_bundle_dir, len, "%s/kmsim-fuzz-bundle-XXXXXX", tmp);
	if (mkdtemp(fuzz_bundle_dir) == NULL) {
		perror(fuzz_bundle_dir);
		abort();
	}
	for (i = 1; i < sizeof fuzz_bundle_files / sizeof *fuzz_bundle_files;
	    i++) {
		p = fuzz_bundle_file(fuzz_bundle_files[i]);
		fuzz_write_file(p, (const uint8_t *)"", 0);
		free(p);
	}
	for (i = 0; i < sizeof fuzz_bundle_dirs / sizeof *fuzz_bundle_dirs;
	    i++) {
		p = fuzz_bundle_file(fuzz_bundle_dirs[i]);
		if (mkdir(p, 0700) != 0) {
			perror(p);
			abort();
		}
		free(p);
	}
	atexit(fuzz_bundle_cleanup);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bundle *b = NULL;
	char *manifest, *cause = NULL;

	if (fuzz_bundle_dir == NULL)
		fuzz_bundle_setup();
	manifest = fuzz_bundle_file("manifest.json");
	fuzz_write_file(manifest, data, size);
	free(manifest);
	if (bundle_open(fuzz_bundle_dir, &b, &cause) == 1) {
		(void)bundle_path(b);
		(void)bundle_manifest(b);
		(void)bundle_trace_member(b);
		(void)bundle_snapshot_dir(b, "before");
		(void)bundle_snapshot_dir(b, "after");
		bundle_close(b);
	}
	free(cause);
	return 0;
}
