/*
 * op_file.c - file ops and a capture's filemap and writeback events into
 * the page cache engine (see op_file.h).  A YAML file is named by its
 * path, hashed into the inode number the engine knows it by on its disk;
 * a capture's events carry the kernel's (dev, ino).
 */
#include "kmsim_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmsim.h"
#include "mm/writeback.h"
#include "ops/op_file.h"
#include "results/snapshot.h"
#include "trace/bundle.h"

_Static_assert(OP_PFN_NONE == NO_PFN, "an op's missing pfn is the "
    "machine's");

bool op_file_type(enum op_type t)
{
	switch (t) {
	case OP_READ:
	case OP_WRITE:
	case OP_FSYNC:
	case OP_TRUNCATE:
	case OP_UNLINK:
	case OP_DROP_CACHES:
	case OP_FILEMAP_ADD:
	case OP_FILEMAP_DELETE:
	case OP_DIRTY_FOLIO:
	case OP_WRITEBACK_START:
	case OP_WRITEBACK_WRITTEN:
	case OP_WRITEBACK_INODE_START:
	case OP_WRITEBACK_INODE:
		return true;
	default:
		return false;
	}
}

/* A writeback event's reason (aux[0]) in the engine's buckets. */
static enum pc_wb_reason op_file_reason(const struct op *op)
{
	switch (op->aux[0]) {
	case WBR_PERIODIC:
		return PC_WB_PERIODIC;
	case WBR_BACKGROUND:
		return PC_WB_BACKGROUND;
	case WBR_VMSCAN:
		return PC_WB_VMSCAN;
	case WBR_SYNC:
		return PC_WB_FSYNC;
	default:
		return PC_WB_OTHER;
	}
}

/* The disk a YAML op names (its `dev`), by name; the first by default. */
static int op_file_disk(const struct pagecache *pc, const struct op *op,
    char **cause)
{
	int d;

	if (op->disk == NULL)
		return 0;
	d = pagecache_disk_index(pc, op->disk);
	if (d < 0)
		xasprintf(cause, "dev '%s' is not a disk of the configuration",
		    op->disk);
	return d;
}

int op_file_apply(struct pagecache *pc, const struct op *op, int cpu,
    uint64_t *cycles, char **cause)
{
	uint64_t ino;
	int d;

	*cycles = 0;
	switch (op->type) {
	case OP_READ:
	case OP_WRITE:
	case OP_FSYNC:
	case OP_TRUNCATE:
	case OP_UNLINK:
		if (pagecache_observed(pc))
			return 0;
		if ((d = op_file_disk(pc, op, cause)) < 0)
			return -1;
		ino = kmsim_hash_bytes(op->file, strlen(op->file));
		switch (op->type) {
		case OP_READ:
			pagecache_read(pc, d, ino, op->ptr, op->bytes_req, cpu,
			    cycles);
			break;
		case OP_WRITE:
			pagecache_write(pc, d, ino, op->ptr, op->bytes_req,
			    cpu, cycles);
			break;
		case OP_FSYNC:
			pagecache_fsync(pc, d, ino, cpu, cycles);
			break;
		case OP_TRUNCATE:
			pagecache_truncate(pc, d, ino, op->ptr, cpu, cycles);
			break;
		default:
			pagecache_unlink(pc, d, ino, cpu, cycles);
			break;
		}
		return 0;
	case OP_DROP_CACHES:
		pagecache_drop_caches(pc, (unsigned)(op->nr & 3), cpu, cycles);
		return 0;
	case OP_FILEMAP_ADD:
		pagecache_filemap_add(pc, op->dev, op->ino, op->index,
		    op->order, op->pfn, cycles);
		return 0;
	case OP_FILEMAP_DELETE:
		pagecache_filemap_delete(pc, op->dev, op->ino, op->index,
		    op->order, cycles);
		return 0;
	case OP_DIRTY_FOLIO:
		writeback_observe_dirty(pc, op->dev, op->ino, op->index);
		return 0;
	case OP_WRITEBACK_START:
	case OP_WRITEBACK_WRITTEN:
		writeback_observe_work(pc, op->dev, op_file_reason(op));
		return 0;
	case OP_WRITEBACK_INODE:
		writeback_observe_inode(pc, op->dev, op->ino, op->index,
		    op->nr);
		return 0;
	default:
		/* writeback_single_inode_start, and what is not a file op */
		return 0;
	}
}

uint64_t op_file_issue(struct ops_ctx *ctx, const struct op *op, int cpu)
{
	uint64_t cycles = 0;
	char *msg = NULL;

	if (ctx->pc == NULL)
		return 0;
	if (op_file_apply(ctx->pc, op, cpu, &cycles, &msg) != 0) {
		ops_bad(ctx, op, RUN_SKIP_BAD_REQUEST, msg);
		return 0;
	}
	/* a capture's events are the kernel's own work, not timed */
	if (!ctx->captured)
		hist_record(&ctx->st->lat[op->type], cycles);
	return cycles;
}

/* A counter of a bundle snapshot's vmstat ("which/vmstat"): 0 if found. */
static int bundle_vmstat(struct bundle *b, const char *which,
    const char *name, int64_t *v)
{
	char member[64], *text, *cause = NULL, *p, *end;
	size_t len = strlen(name);
	int rc = -1;

	snprintf(member, sizeof member, "%s/vmstat", which);
	if (b == NULL || !bundle_has_member(b, member))
		return -1;
	text = bundle_member_text(b, member, 1 << 20, &cause);
	free(cause);
	for (p = text; p != NULL && *p != '\0'; p = strchr(p, '\n') ?
	    strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, name, len) != 0 || p[len] != ' ')
			continue;
		errno = 0;
		*v = strtoll(p + len + 1, &end, 10);
		if (errno == 0 && end != p + len + 1)
			rc = 0;
		break;
	}
	free(text);
	return rc;
}

json_t *op_file_fidelity_json(const struct ops_ctx *ctx,
    struct bundle *b)
{
	static const char *const names[] = { "nr_dirtied", "nr_file_pages" };
	const char *pn[SNAPSHOT_VALUES];
	uint64_t pv[SNAPSHOT_VALUES], dirtied = 0, added = 0, deleted = 0;
	int64_t before[2], after[2];
	int i, n;

	if (ctx->pc == NULL || !ctx->captured)
		return NULL;
	for (i = 0; i < 2; i++)
		if (bundle_vmstat(b, "before", names[i], &before[i]) != 0 ||
		    bundle_vmstat(b, "after", names[i], &after[i]) != 0)
			return NULL;
	n = pagecache_values(ctx->pc, pn, pv, SNAPSHOT_VALUES);
	for (i = 0; i < n; i++) {
		if (strcmp(pn[i], "nr_dirtied") == 0)
			dirtied = pv[i];
		else if (strcmp(pn[i], "filemap_added_pages") == 0)
			added = pv[i];
		else if (strcmp(pn[i], "filemap_deleted_pages") == 0)
			deleted = pv[i];
	}
	return json_pack("{s:I, s:I, s:I, s:I}",
	    "dirtied_kernel", (json_int_t)(after[0] - before[0]),
	    "dirtied_model", (json_int_t)dirtied,
	    "file_pages_change_kernel", (json_int_t)(after[1] - before[1]),
	    "file_pages_change_model",
	    (json_int_t)added - (json_int_t)deleted);
}
