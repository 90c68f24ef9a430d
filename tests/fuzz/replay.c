/*
 * replay.c - the fuzz targets' regression corpus, run by `make check`:
 * every file of tests/fuzz/corpus/TARGET/ is fed to that target's
 * LLVMFuzzerTestOneInput() (a crash, a sanitizer report or a leak fails
 * the test).  One TAP test point per target.
 *
 *   replay [CORPUS-DIR]   default: $top_srcdir/tests/fuzz/corpus
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kmsim.h"

/* Each target, its entry point renamed. */
#define LLVMFuzzerTestOneInput fuzz_config_one
#include "fuzz-config.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_trace_yaml_one
#include "fuzz-trace-yaml.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_ftrace_one
#include "fuzz-ftrace.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_procfs_one
#include "fuzz-procfs.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_manifest_one
#include "fuzz-manifest.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_trace_dat_one
#include "fuzz-trace-dat.c"
#undef LLVMFuzzerTestOneInput

static const struct {
	const char *name;
	int (*one)(const uint8_t *data, size_t size);
} targets[] = {
	{ "config", fuzz_config_one },
	{ "trace-yaml", fuzz_trace_yaml_one },
	{ "ftrace", fuzz_ftrace_one },
	{ "procfs", fuzz_procfs_one },
	{ "manifest", fuzz_manifest_one },
	{ "trace-dat", fuzz_trace_dat_one },
};

/* The whole file; NULL with errno. */
static uint8_t *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL, *nb;
	size_t cap = 0, n = 0, r;

	if (f == NULL)
		return NULL;
	do {
		if (n == cap) {
			cap = cap ? 2 * cap : 4096;
			nb = realloc(buf, cap);
			if (nb == NULL) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	if (ferror(f)) {
		free(buf);
		fclose(f);
		errno = EIO;
		return NULL;
	}
	fclose(f);
	*size = n;
	return buf;
}

static int skip_dotfiles(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Replay dir into one target; the number of inputs, or -1 (diagnostic
 * printed). */
static int replay(const char *dir, int (*one)(const uint8_t *, size_t))
{
	struct dirent **ents;
	char *path;
	uint8_t *data;
	size_t size;
	int i, n, count = 0;

	n = scandir(dir, &ents, skip_dotfiles, alphasort);
	if (n < 0) {
		printf("# %s: %s\n", dir, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		xasprintf(&path, "%s/%s", dir, ents[i]->d_name);
		free(ents[i]);
		if (count < 0) {
			free(path);
			continue;
		}
		data = slurp(path, &size);
		if (data == NULL) {
			printf("# %s: %s\n", path, strerror(errno));
			free(path);
			count = -1;
			continue;
		}
		free(path);
		one(data, size);
		free(data);
		count++;
	}
	free(ents);
	return count;
}

int main(int argc, char **argv)
{
	const char *top = getenv("top_srcdir");
	char *root, *dir;
	size_t i, nt = sizeof targets / sizeof *targets;
	int n, failed = 0;

	if (argc > 1)
		root = xstrdup(argv[1]);
	else
		xasprintf(&root, "%s/tests/fuzz/corpus",
		    top != NULL ? top : ".");
	printf("1..%zu\n", nt);
	fflush(stdout);
	for (i = 0; i < nt; i++) {
		xasprintf(&dir, "%s/%s", root, targets[i].name);
		n = replay(dir, targets[i].one);
		free(dir);
		if (n <= 0)
			failed++;
		printf("%s %zu - %s: %d inputs\n", n > 0 ? "ok" : "not ok",
		    i + 1, targets[i].name, n < 0 ? 0 : n);
		fflush(stdout);
	}
	free(root);
	return failed ? 1 : 0;
}
