/*
 * readahead.c - readahead (mm/readahead.c): a read that misses starts a
 * window (page_cache_sync_ra()), grown while the file is read
 * sequentially; the folio at the window's async part carries
 * PG_readahead, and a read reaching it starts the next window without
 * waiting for it (page_cache_async_ra()).  A window is read into new
 * folios as large as the disk allows (page_cache_ra_order()), one I/O per
 * contiguous run (page_cache_ra_unbounded(), read_pages()).
 */
#include "kmsim_config.h"

#include "kmsim.h"
#include "mm/pagecache_internal.h"
#include "mm/readahead.h"

uint64_t readahead_init_size(uint64_t size, uint64_t max)
{
	uint64_t n = pc_roundup_pow2(size);

	if (n <= max / 32)
		return n * 4;
	if (n <= max / 4)
		return n * 2;
	return max;
}

uint64_t readahead_next_size(uint64_t cur, uint64_t max)
{
	if (cur < max / 16)
		return 4 * cur;
	if (cur <= max / 2)
		return 2 * cur;
	return max;
}

/* The bdi's ra_pages: read_ahead_kb in pages, at least one. */
static uint64_t readahead_max(const struct pagecache *pc,
    const struct pc_disk *d)
{
	uint64_t ps = UINT64_C(1) << pc->page_shift;

	return KMSIM_MAX(UINT64_C(1), d->bdev.cfg.read_ahead_kb * 1024 / ps);
}

/*
 * Read [start, start + nr) of file fidx from its disk into new folios
 * (page_cache_ra_unbounded() + read_pages()): one I/O per contiguous run.
 * The folio at `mark` (if in range) gets PG_readahead.  Returns the time
 * the folio at `need` (if this read brings it) is up to date, else 0.
 */
uint64_t readahead_unbounded(struct pagecache *pc, uint32_t fidx,
    uint64_t start, uint64_t nr, uint64_t mark, uint64_t need, int cpu,
    uint64_t *cycles)
{
	struct pc_disk *d = &pc->disk[pc->file[fidx].disk];
	uint64_t idx = start, end = start + nr, ready = 0;
	struct pc_io *io = NULL;
	uint64_t io_pages = 0, io_first = 0;

	while (idx < end) {
		struct pc_file *fl = &pc->file[fidx];
		uint32_t i = xarray_load(&fl->xa, idx);
		unsigned o;

		if (i != PC_NIL) {
			idx = FOLIO(pc, i)->index +
			    (UINT64_C(1) << FOLIO(pc, i)->order);
			goto flush;
		}
		o = pagecache_fit_order(fl, idx, end,
		    d->bdev.cfg.max_folio_order);
		i = pagecache_folio_alloc(pc, fidx, idx, o, cpu, cycles);
		if (i == PC_NIL)
			break;
		FOLIO(pc, i)->flags |= FL_LOCKED;
		if (mark >= idx &&
		    mark < idx + (UINT64_C(1) << FOLIO(pc, i)->order))
			FOLIO(pc, i)->flags |= FL_READAHEAD;
		if (io == NULL) {
			io = blkdev_io_new(pc, pc->file[fidx].disk, false, 0,
			    IO_MAX_PAGES);
			io_first = idx;
			io_pages = 0;
		}
		blkdev_io_add(io, pc, i);
		io_pages += UINT64_C(1) << FOLIO(pc, i)->order;
		idx += UINT64_C(1) << FOLIO(pc, i)->order;
		if (io_pages < IO_MAX_PAGES && io->n < IO_MAX_PAGES &&
		    idx < end)
			continue;
flush:
		if (io != NULL) {
			uint64_t done = blkdev_io_submit(pc, io, io_pages,
			    cycles);

			if (need >= io_first && need < io_first + io_pages)
				ready = done;
			io = NULL;
		}
	}
	if (io != NULL) {
		uint64_t done = blkdev_io_submit(pc, io, io_pages, cycles);

		if (need >= io_first && need < io_first + io_pages)
			ready = done;
	}
	return ready;
}

/*
 * page_cache_sync_ra(): a read of req_count pages at index missed.  A
 * read sequential to the last grows the window (a fresh one if it is
 * not where the last window ended), a random read brings only what was
 * asked.  Returns the time the page at index is up to date (0 if it was
 * not read); *end is the window's end.
 */
uint64_t readahead_sync(struct pagecache *pc, uint32_t fidx, uint64_t index,
    uint64_t req_count, int cpu, uint64_t *cycles, uint64_t *end)
{
	struct pc_file *fl = &pc->file[fidx];
	uint64_t max_ra = readahead_max(pc, &pc->disk[fl->disk]);
	uint64_t size, ready;

	if (index == 0 || (fl->prev_index != 0 &&
	    (index == fl->prev_index || index + 1 == fl->prev_index))) {
		if (fl->ra_size > 0 && index == fl->ra_start + fl->ra_size)
			size = readahead_next_size(fl->ra_size, max_ra);
		else
			size = readahead_init_size(req_count, max_ra);
	} else {
		/* a random read: only what was asked */
		size = req_count;
	}
	size = KMSIM_MAX(size, req_count);
	fl->ra_start = index;
	fl->ra_size = size;
	fl->ra_async = size > req_count ? size - req_count : 0;
	ready = readahead_unbounded(pc, fidx, index, size, fl->ra_async ?
	    index + size - fl->ra_async : UINT64_MAX, index, cpu, cycles);
	pc->readahead_pages += size > req_count ? size - req_count : 0;
	*end = index + size;
	return ready;
}

/* page_cache_async_ra(): the read reached folio i, marked PG_readahead:
 * the next window, not waited for. */
void readahead_async(struct pagecache *pc, uint32_t fidx, uint32_t i,
    int cpu, uint64_t *cycles)
{
	struct pc_file *fl = &pc->file[fidx];
	uint64_t max_ra = readahead_max(pc, &pc->disk[fl->disk]);
	uint64_t start = fl->ra_start + fl->ra_size;
	uint64_t size = readahead_next_size(fl->ra_size, max_ra);

	FOLIO(pc, i)->flags &= (uint16_t)~FL_READAHEAD;
	fl->ra_start = start;
	fl->ra_size = size;
	fl->ra_async = size;
	readahead_unbounded(pc, fidx, start, size, start, UINT64_MAX, cpu,
	    cycles);
	pc->readahead_pages += size;
}
