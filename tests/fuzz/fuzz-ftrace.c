/* fuzz-ftrace.c - the ftrace text reader (tracefs trace, trace_pipe,
 * trace-cmd report): the input is written to a temporary file, opened as
 * a stream and drained, once strict and once --lenient. */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz.h"
#include "trace/instream.h"
#include "trace/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_ftrace_drain(const char *path, bool lenient)
{
	struct trace_options opt = { .lenient = lenient, .page_shift = 12 };
	struct trace_source *ts;
	struct instream *in;
	char *cause = NULL;
	struct op op;
	int i;

	in = instream_open(path, &cause);
	if (in == NULL) {
		free(cause);
		return;
	}
	ts = trace_ftrace_open_stream(in, &opt, &cause);
	if (ts != NULL) {
		for (i = 0; i < FUZZ_MAX_OPS; i++) {
			op_clear(&op);
			if (trace_next(ts, &op, &cause) != 1)
				break;
		}
		if (ts->ops->stats != NULL)
			(void)ts->ops->stats(ts);
		trace_close(ts);
	}
	free(cause);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path = fuzz_tmpfile(data, size);

	fuzz_ftrace_drain(path, false);
	fuzz_ftrace_drain(path, true);
	unlink(path);
	free(path);
	return 0;
}
