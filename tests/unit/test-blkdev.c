/*
 * test-blkdev.c - the disk model: completion times of I/Os worked out by
 * hand from the model (a pipe of `bandwidth` bytes per second behind
 * queue_depth slots, `latency` after each transfer), on a 1000 MHz
 * clock (a cycle is a nanosecond).
 */
#include <string.h>

#include "mm/blkdev.h"
#include "tap.h"

#define MS	UINT64_C(1000000)

static void mk_disk(struct blkdev *bd, struct machine *m, unsigned depth)
{
	struct config_disk cfg;

	memset(m, 0, sizeof *m);
	m->cpu_mhz = 1000;
	memset(&cfg, 0, sizeof cfg);
	strcpy(cfg.name, "sda");
	cfg.bandwidth = 100000000;	/* 100 MB/s: 1 MB in 10 ms */
	cfg.latency_ns = 100000;	/* 100 us */
	cfg.queue_depth = depth;
	blkdev_init(bd, &cfg);
}

/* One I/O on an idle disk: its transfer, then the latency. */
TEST(idle_disk)
{
	struct machine m;
	struct blkdev bd;

	mk_disk(&bd, &m, 4);
	ASSERT_UEQ(blkdev_submit(&bd, &m, 5 * MS, 1000000, false),
	    15 * MS + 100000);
	ASSERT_UEQ(bd.reads, 1);
	ASSERT_UEQ(bd.writes, 0);
	ASSERT_UEQ(bd.busy_cycles, 10 * MS);
	blkdev_fini(&bd);
}

/* Three I/Os at once on a queue of two: the second waits for the pipe,
 * the third for a slot (the first's completion) and then the pipe. */
TEST(queue_and_pipe)
{
	struct machine m;
	struct blkdev bd;

	mk_disk(&bd, &m, 2);
	ASSERT_UEQ(blkdev_submit(&bd, &m, 0, 1000000, true), 10 * MS + 100000);
	ASSERT_UEQ(blkdev_submit(&bd, &m, 0, 1000000, true), 20 * MS + 100000);
	/* both slots busy: the earliest frees at 10.1 ms */
	ASSERT_UEQ(blkdev_slot_time(&bd), 10 * MS + 100000);
	ASSERT_UEQ(blkdev_submit(&bd, &m, 0, 1000000, true), 30 * MS + 100000);
	ASSERT_UEQ(blkdev_slot_time(&bd), 20 * MS + 100000);
	ASSERT_UEQ(bd.writes, 3);
	ASSERT_UEQ(bd.busy_cycles, 30 * MS);
	blkdev_fini(&bd);
}

/* An I/O after the disk went idle starts when submitted. */
TEST(idle_again)
{
	struct machine m;
	struct blkdev bd;

	mk_disk(&bd, &m, 1);
	ASSERT_UEQ(blkdev_submit(&bd, &m, 0, 500000, false), 5 * MS + 100000);
	ASSERT_UEQ(blkdev_submit(&bd, &m, 50 * MS, 500000, false),
	    55 * MS + 100000);
	ASSERT_UEQ(bd.busy_cycles, 10 * MS);
	blkdev_fini(&bd);
}

int main(void)
{
	RUN(idle_disk);
	RUN(queue_and_pipe);
	RUN(idle_again);
	return tap_done();
}
