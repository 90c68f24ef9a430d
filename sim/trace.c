/* trace.c - op names and opening a trace by sniffing its content. */

#include <stdlib.h>
#include <string.h>

#include "trace.h"

const char *const op_names[OP_NR] = {
	[OP_ALLOC_PAGES] = "alloc_pages",
	[OP_FREE_PAGES] = "free_pages",
};

int op_type_parse(const char *name)
{
	int i;

	for (i = 0; i < OP_NR; i++)
		if (strcmp(op_names[i], name) == 0)
			return i;
	return -1;
}

struct trace_source *trace_open(const char *path, char **cause)
{
	/* Only kmsim's YAML format so far; the ftrace readers sniff here. */
	return trace_yaml_open(path, cause);
}

void trace_close(struct trace_source *ts)
{
	if (ts != NULL)
		ts->ops->destroy(ts);
}
