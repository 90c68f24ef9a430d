/* fuzz-trace-yaml.c - kmsim's YAML trace reader: open the input as a
 * trace and drain its ops until the end, an error or FUZZ_MAX_OPS. */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz.h"
#include "trace/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size), *cause = NULL;
	struct trace_source *ts;
	struct op op;
	int i;

	ts = trace_yaml_open_string("fuzz.yaml", text, &cause);
	if (ts != NULL) {
		trace_yaml_set_seed(ts, 42);
		for (i = 0; i < FUZZ_MAX_OPS; i++) {
			op_clear(&op);
			if (trace_next(ts, &op, &cause) != 1)
				break;
		}
		trace_close(ts);
	}
	free(cause);
	free(text);
	return 0;
}
