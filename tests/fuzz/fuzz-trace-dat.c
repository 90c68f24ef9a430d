/* fuzz-trace-dat.c - trace-cmd's trace.dat reader (through libtracecmd):
 * the input is written to a temporary file, opened and drained.  Without
 * libtracecmd (no HAVE_TRACECMD) the target does nothing. */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz.h"
#include "trace/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
#ifdef HAVE_TRACECMD
	struct trace_options opt = { .lenient = true, .page_shift = 12 };
	struct trace_source *ts;
	char *path = fuzz_tmpfile(data, size), *cause = NULL;
	struct op op;
	int i;

	ts = trace_dat_open(path, &opt, &cause);
	if (ts != NULL) {
		for (i = 0; i < FUZZ_MAX_OPS; i++) {
			op_clear(&op);
			if (trace_next(ts, &op, &cause) != 1)
				break;
		}
		trace_close(ts);
	}
	free(cause);
	unlink(path);
	free(path);
#else
	(void)data;
	(void)size;
#endif
	return 0;
}
