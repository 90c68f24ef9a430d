/* fuzz-procfs.c - the /proc/zoneinfo, /proc/buddyinfo and /proc/slabinfo
 * parsers, each on the same input (buddyinfo into the zones zoneinfo
 * found, and once into none). */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz.h"
#include "trace/procfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size), *cause = NULL;
	struct procfs_zones zs = { 0 }, bz = { 0 };
	struct procfs_slab *slabs = NULL;
	size_t nr_slabs = 0;

	(void)procfs_parse_zoneinfo("zoneinfo", text, &zs, &cause);
	free(cause);
	cause = NULL;
	(void)procfs_parse_buddyinfo("buddyinfo", text, &zs, &cause);
	free(cause);
	cause = NULL;
	(void)procfs_find(&zs, 0, "Normal");
	procfs_zones_free(&zs);

	(void)procfs_parse_buddyinfo("buddyinfo", text, &bz, &cause);
	free(cause);
	cause = NULL;
	procfs_zones_free(&bz);

	(void)procfs_parse_slabinfo("slabinfo", text, &slabs, &nr_slabs,
	    &cause);
	free(cause);
	free(slabs);
	free(text);
	return 0;
}
