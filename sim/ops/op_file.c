/*
 * op_file.c - file ops and a capture's filemap and writeback events into
 * the page cache engine (see op_file.h).  A YAML file is named by its
 * path, hashed into the inode number the engine knows it by on its disk;
 * a capture's events carry the kernel's (dev, ino).
 */
#include "kmsim_config.h"

#include <string.h>

#include "kmsim.h"
#include "mm/writeback.h"
#include "ops/op_file.h"

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

int op_file_issue(struct pagecache *pc, const struct op *op, int cpu,
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
