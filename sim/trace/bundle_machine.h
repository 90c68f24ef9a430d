/*
 * bundle_machine.h - the machine a capture bundle was taken on.
 */
#ifndef KMSIM_BUNDLE_MACHINE_H
#define KMSIM_BUNDLE_MACHINE_H

#include "kmsim_config.h"
#include "trace/bundle.h"

/*
 * --config auto: the machine the bundle was captured on, from its first
 * snapshot's zoneinfo (zones, start pfns, spanned/present/managed pages,
 * the watermarks' min_free_kbytes and watermark_scale_factor solved back
 * from them), the kpageflags holes, and the manifest's page size and CPU
 * count.  A new config, or NULL with *cause.
 */
struct config *bundle_machine_config(struct bundle *b, char **cause);

#endif /* KMSIM_BUNDLE_MACHINE_H */
