/*
 * bundle.h - a capture bundle as kmsim-record(1) writes it: a directory,
 * or a ustar tar of the same tree, holding manifest.json, the trace, the
 * /proc snapshots taken before and after, and /proc/kpageflags at both
 * ends.  kmsim accepts a bundle wherever it accepts a trace.
 */
#ifndef KMSIM_BUNDLE_H
#define KMSIM_BUNDLE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "trace/instream.h"
#include "trace/procfs.h"

struct bundle;

/* Per-frame summary of /proc/kpageflags (include/uapi/linux/
 * kernel-page-flags.h), one byte per pfn. */
#define KPFS_BUDDY	0x01	/* KPF_BUDDY: in a free buddy block */
#define KPFS_NOPAGE	0x02	/* KPF_NOPAGE: no memory behind the pfn */
#define KPFS_RESERVED	0x04	/* KPF_RESERVED: never given to the buddy */
#define KPFS_SLAB	0x08	/* KPF_SLAB */
#define KPFS_LRU	0x10	/* KPF_LRU: on an LRU list */
#define KPFS_TAIL	0x20	/* KPF_COMPOUND_TAIL */
#define KPFS_ZERO	0x40	/* no flag at all (holes read so on 6.18) */

struct kpageflags {
	uint8_t *f;		/* one KPFS_* byte per pfn */
	uint64_t nr;		/* pfns */
};

/*
 * Open path as a bundle.  Returns 1 and *out when it is one, 0 when it is
 * not a bundle (a plain trace: nothing is opened), -1 with *cause when it
 * looks like a bundle but is broken (no or bad manifest, a missing member).
 */
int bundle_open(const char *path, struct bundle **out, char **cause);
void bundle_close(struct bundle *b);

const char *bundle_path(const struct bundle *b);
const json_t *bundle_manifest(const struct bundle *b);
/* Open a member ("trace.txt.zst", "before/zoneinfo"), decompressing. */
struct instream *bundle_member_open(struct bundle *b, const char *name,
    char **cause);
bool bundle_has_member(struct bundle *b, const char *name);
/* A whole (small) member as a NUL-terminated string, at most max bytes. */
char *bundle_member_text(struct bundle *b, const char *name, size_t max,
    char **cause);
/* The trace member's name (manifest "trace"). */
const char *bundle_trace_member(const struct bundle *b);
/* The snapshot directory for "before" or "after", or NULL. */
const char *bundle_snapshot_dir(const struct bundle *b, const char *which);

/* Read a snapshot's kpageflags ("before" / "after"); 0, 1 if the bundle
 * has none, -1 with *cause. */
int bundle_kpageflags(struct bundle *b, const char *which,
    struct kpageflags *kp, char **cause);
void kpageflags_free(struct kpageflags *kp);
/* A snapshot's zoneinfo and buddyinfo parsed; on failure (-1 with
 * *cause) *zs is left empty. */
int bundle_zones(struct bundle *b, const char *which, struct procfs_zones *zs,
    char **cause);

#endif /* KMSIM_BUNDLE_H */
