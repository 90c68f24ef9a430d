/* trace_yaml.c - STUB, being written. */
#include "config.h"
#include "trace.h"
struct trace_source *trace_yaml_open(const char *path, char **cause) { kmsim_fail(cause, "%s: not yet", path); return NULL; }
struct trace_source *trace_yaml_open_string(const char *name, const char *text, char **cause) { (void)text; kmsim_fail(cause, "%s: not yet", name); return NULL; }
