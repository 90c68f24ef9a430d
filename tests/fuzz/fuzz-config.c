/* fuzz-config.c - the YAML machine configuration (config_load_string). */
#include <stdint.h>
#include <stdlib.h>

#include "kmsim_config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size), *cause = NULL;
	struct config *cfg;

	cfg = config_load_string("fuzz.yaml", text, &cause);
	if (cfg != NULL)
		config_destroy(cfg);
	free(cause);
	free(text);
	return 0;
}
