/*
 * blkdev.c - the disks (see blkdev.h) and the page cache's I/O on them:
 * bios of folios submitted at once and completed as events of the queue,
 * the completion ending the folios' read (folio_end_read()) or writeback
 * (folio_end_writeback()), as a filesystem's bi_end_io does.
 */
#include "kmsim_config.h"

#include <stdlib.h>

#include "kmsim.h"
#include "mm/blkdev.h"
#include "mm/pagecache_internal.h"

void blkdev_init(struct blkdev *bd, const struct config_disk *cfg)
{
	bd->cfg = *cfg;
	bd->pipe_free = 0;
	bd->slot_free = xcalloc(bd->cfg.queue_depth, sizeof *bd->slot_free);
	bd->reads = bd->writes = bd->busy_cycles = 0;
}

void blkdev_fini(struct blkdev *bd)
{
	free(bd->slot_free);
	bd->slot_free = NULL;
}

uint64_t blkdev_submit(struct blkdev *bd, const struct machine *m,
    uint64_t now, uint64_t bytes, bool write)
{
	uint64_t start, xfer, done;
	unsigned s, best = 0;

	for (s = 1; s < bd->cfg.queue_depth; s++)
		if (bd->slot_free[s] < bd->slot_free[best])
			best = s;
	start = KMSIM_MAX(now, bd->slot_free[best]);
	xfer = KMSIM_MAX(start, bd->pipe_free);
	/* bytes / bandwidth seconds, in cycles (cpu_mhz cycles per us) */
	bd->pipe_free = xfer + (uint64_t)((double)bytes * 1e6 /
	    (double)bd->cfg.bandwidth * (double)m->cpu_mhz);
	done = bd->pipe_free + machine_ns_to_cycles(m, bd->cfg.latency_ns);
	bd->busy_cycles += bd->pipe_free - xfer;
	bd->slot_free[best] = done;
	if (write)
		bd->writes++;
	else
		bd->reads++;
	return done;
}

uint64_t blkdev_slot_time(const struct blkdev *bd)
{
	uint64_t t = bd->slot_free[0];
	unsigned s;

	for (s = 1; s < bd->cfg.queue_depth; s++)
		t = KMSIM_MIN(t, bd->slot_free[s]);
	return t;
}

/* ---- the page cache's bios ---- */

static void blkdev_io_done(struct evq *q, struct evq_event *ev, void *arg);

struct pc_io *blkdev_io_new(struct pagecache *pc, int disk, bool write,
    int reason, uint32_t n)
{
	struct pc_io *io = xmalloc(sizeof *io + n * sizeof io->f[0]);

	evq_event_init(&io->ev, blkdev_io_done, io);
	io->pc = pc;
	io->disk = disk;
	io->write = write;
	io->reason = reason;
	io->n = 0;
	return io;
}

/* bio_add_folio(). */
void blkdev_io_add(struct pc_io *io, const struct pagecache *pc, uint32_t i)
{
	io->f[io->n].folio = i;
	io->f[io->n].gen = pc->folio[i].gen;
	io->n++;
}

/* submit_bio() of io's pages: every folio of it is ready when the disk
 * completes it, an event then.  Returns that time. */
uint64_t blkdev_io_submit(struct pagecache *pc, struct pc_io *io,
    uint64_t pages, uint64_t *cycles)
{
	uint64_t done = blkdev_submit(&pc->disk[io->disk].bdev, pc->m,
	    pc->q->now, pages << pc->page_shift, io->write);
	uint32_t k;

	*cycles += pc->m->cost.c[COST_BIO_SUBMIT];
	for (k = 0; k < io->n; k++)
		FOLIO(pc, io->f[k].folio)->ready = done;
	if (io->write)
		pc->pgpgout += pages;
	else
		pc->pgpgin += pages;
	evq_push(pc->q, &io->ev, done);
	return done;
}

/* bi_end_io: the folios' reads or writeback end. */
static void blkdev_io_done(struct evq *q, struct evq_event *ev, void *arg)
{
	struct pc_io *io = arg;
	struct pagecache *pc = io->pc;
	uint32_t k;

	(void)q;
	(void)ev;
	for (k = 0; k < io->n; k++) {
		uint32_t i = io->f[k].folio;
		struct pc_folio *f = FOLIO(pc, i);

		if (f->gen != io->f[k].gen || !(f->flags & FL_LIVE))
			continue;	/* truncated meanwhile */
		if (io->write)
			writeback_folio_end(pc, i, io->reason);
		else
			f->flags &= (uint16_t)~FL_LOCKED;
	}
	free(io);
}

/* The bios still queued (the run ended before they completed): their
 * events are the queue's, freed here. */
void blkdev_io_cancel_all(struct evq *q)
{
	while (q->len > 0) {
		struct evq_event *ev = NULL;
		size_t k;

		for (k = 0; k < q->len; k++)
			if (q->heap[k]->fn == blkdev_io_done) {
				ev = q->heap[k];
				break;
			}
		if (ev == NULL)
			break;
		evq_cancel(q, ev);
		free(ev->arg);
	}
}
