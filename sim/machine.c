/* machine.c - being written */
#include "config.h"
#include "kmsim.h"

#include "machine.h"
struct machine *machine_create(const struct config *cfg, char **cause) { (void)cfg; kmsim_fail(cause, "not yet"); return NULL; }
void machine_destroy(struct machine *m) { (void)m; }
struct zone *machine_pfn_zone(const struct machine *m, uint64_t pfn) { (void)m; (void)pfn; return NULL; }
void machine_setup_watermarks(struct machine *m) { (void)m; }
void machine_print(const struct machine *m, FILE *f) { (void)m; (void)f; }
const char *const wmark_names[NR_WMARK] = { "min", "low", "high", "promo" };
