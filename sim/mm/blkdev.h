/*
 * blkdev.h - a disk as the page cache sees it through the block layer:
 * a pipe of `bandwidth` bytes per second behind `queue_depth` slots.  An
 * I/O takes the slot that frees first, waits for the pipe, transfers,
 * and completes `latency` after its transfer ends.  Times are cycles of
 * the machine's clock.
 */
#ifndef KMSIM_BLKDEV_H
#define KMSIM_BLKDEV_H

#include <stdbool.h>
#include <stdint.h>

#include "kmsim_config.h"
#include "machine.h"

struct blkdev {
	struct config_disk cfg;
	uint64_t pipe_free;		/* cycles: the pipe is idle from */
	uint64_t *slot_free;		/* queue_depth completion times */
	uint64_t reads, writes;		/* I/Os submitted */
	uint64_t busy_cycles;		/* the pipe's transfer time */
};

void blkdev_init(struct blkdev *bd, const struct config_disk *cfg);
void blkdev_fini(struct blkdev *bd);
/* Submit an I/O of `bytes` at `now` (submit_bio()): its completion. */
uint64_t blkdev_submit(struct blkdev *bd, const struct machine *m,
    uint64_t now, uint64_t bytes, bool write);
/* The earliest a new I/O would start (a free queue slot). */
uint64_t blkdev_slot_time(const struct blkdev *bd);

#endif /* KMSIM_BLKDEV_H */
