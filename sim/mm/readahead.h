/*
 * readahead.h - the readahead window sizes of mm/readahead.c, in pages:
 * what a read miss brings in and how the window grows while a file is
 * read sequentially.  The rest of readahead (the windows of a file, the
 * reads they start) is the page cache's (pagecache_internal.h).
 */
#ifndef KMSIM_READAHEAD_H
#define KMSIM_READAHEAD_H

#include <stdint.h>

/* mm/readahead.c:get_init_ra_size(): the first window of a read of
 * `size` pages with at most `max` (ra_pages). */
uint64_t readahead_init_size(uint64_t size, uint64_t max);
/* mm/readahead.c:get_next_ra_size(): the window after one of `cur`. */
uint64_t readahead_next_size(uint64_t cur, uint64_t max);

#endif /* KMSIM_READAHEAD_H */
