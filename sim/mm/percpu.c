/*
 * percpu.c - the percpu allocator (mm/percpu.c, mm/percpu-vm.c).
 *
 * Each chunk serves the same offsets in nr_cpus units.  A chunk's
 * allocation map has one bit per PCPU_MIN_ALLOC_SIZE bytes of a unit, a
 * boundary map marks where areas start, and one metadata block per page
 * keeps the hints the kernel searches with (contig_hint, scan_hint,
 * first_free, left_free, right_free).  Placement follows the kernel's
 * search exactly - pcpu_find_block_fit() on the hints, then a first-fit
 * scan of at most a block and a half of bitmap in pcpu_alloc_area() - so
 * the hints are maintained the way the kernel maintains them, not
 * recomputed: a recomputed hint can break ties differently and move an
 * allocation.
 *
 * Backing: the kernel maps each populated page offset of a chunk into
 * every unit of its vmalloc area.  kmsim has no vmalloc yet, so
 * population takes the order-0 pages straight from the page allocator
 * (GFP_KERNEL, the unit CPU's node) and depopulation frees them; the
 * vmalloc address space, page tables and TLB flushes are not modelled,
 * only charged.  The first chunk lives in boot memory (memblock), which
 * the machine never gave to the buddy, so it costs no buddy pages.
 */
#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "mm/percpu.h"

/*
 * mm/percpu.c: slots by the size of a chunk's largest free area; 1-31
 * bytes share slot 1, slot 0 holds chunks with nothing free.
 */
#define PCPU_SLOT_BASE_SHIFT		5
#define PCPU_SLOT_FAIL_THRESHOLD	3

#define BITS_PER_WORD	64

struct plink {
	struct plink *prev, *next;
};

/* mm/percpu-internal.h:struct pcpu_block_md; everything in bits. */
struct block_md {
	int scan_hint;		/* largest known free area before contig */
	int scan_hint_start;
	int contig_hint;	/* largest free area */
	int contig_hint_start;
	int left_free;		/* free bits at the start */
	int right_free;		/* free bits at the end */
	int first_free;
	int nr_bits;
};

/* mm/percpu-internal.h:struct pcpu_chunk. */
struct chunk {
	struct plink list;		/* on a slot list */
	unsigned id;
	int slot;			/* the list it is on, -1: none */
	int free_bytes;
	struct block_md md;		/* the chunk's own hints */
	uint64_t *alloc_map;
	uint64_t *bound_map;
	struct block_md *blocks;	/* one per page */
	bool immutable;			/* boot memory: never [de]populated */
	bool isolated;			/* on the to-depopulate list */
	bool first, reserved;
	int start_offset, end_offset;	/* hidden head and tail bytes */
	int nr_pages, nr_populated, nr_empty_pop_pages;
	uint64_t *populated;		/* bitmap of nr_pages */
	uint64_t *pfns;			/* [page * nr_units + unit] */
	int nr_alloc;
};

struct percpu {
	struct machine *m;
	struct percpu_opts o;
	int nr_units;
	int page_size;
	int unit_pages, unit_size;
	int block_bits;			/* PCPU_BITMAP_BLOCK_BITS */
	int nr_slots, sidelined_slot, free_slot, to_depopulate_slot;
	struct plink *lists;		/* nr_slots heads */
	struct chunk *first, *reserved;
	struct chunk **chunks;		/* live chunks by id */
	unsigned nr_chunks, chunks_cap, next_id, max_chunks;
	int nr_empty_pop_pages;		/* pcpu_nr_empty_pop_pages */
	uint64_t nr_populated;		/* pcpu_nr_populated */
	uint64_t backing_frames;
	bool atomic_alloc_failed;
	bool balance_pending;
	int work_cpu;			/* where the balance work was queued */
	uint64_t nr_alloc, nr_dealloc, nr_failed;
	uint64_t bytes_in_use, bytes_alloc, align_skipped;
	struct percpu_result *res;	/* the current call's account */
};

/* ----- bitmaps ----- */

static inline bool bm_test(const uint64_t *map, int i)
{
	return (map[i / BITS_PER_WORD] >> (i % BITS_PER_WORD)) & 1;
}

static inline void bm_set_bit(uint64_t *map, int i)
{
	map[i / BITS_PER_WORD] |= UINT64_C(1) << (i % BITS_PER_WORD);
}

static inline void bm_clear_bit(uint64_t *map, int i)
{
	map[i / BITS_PER_WORD] &= ~(UINT64_C(1) << (i % BITS_PER_WORD));
}

static void bm_set(uint64_t *map, int start, int n)
{
	for (int i = start; i < start + n; i++)
		bm_set_bit(map, i);
}

static void bm_clear(uint64_t *map, int start, int n)
{
	for (int i = start; i < start + n; i++)
		bm_clear_bit(map, i);
}

/* First bit at or after start in [0, size) that is set (want 1) or clear
 * (want 0); size if none. */
static int bm_next(const uint64_t *map, int size, int start, int want)
{
	int w;
	uint64_t x;

	if (start >= size)
		return size;
	w = start / BITS_PER_WORD;
	x = want ? map[w] : ~map[w];
	x &= ~UINT64_C(0) << (start % BITS_PER_WORD);
	for (;;) {
		if (x != 0) {
			int r = w * BITS_PER_WORD + __builtin_ctzll(x);

			return r < size ? r : size;
		}
		if (++w * BITS_PER_WORD >= size)
			return size;
		x = want ? map[w] : ~map[w];
	}
}

static inline int bm_next_set(const uint64_t *map, int size, int start)
{
	return bm_next(map, size, start, 1);
}

static inline int bm_next_zero(const uint64_t *map, int size, int start)
{
	return bm_next(map, size, start, 0);
}

/* Last set bit in [lo, hi), or -1. */
static int bm_prev_set(const uint64_t *map, int lo, int hi)
{
	while (hi > lo) {
		int b = hi - 1, w = b / BITS_PER_WORD;
		uint64_t x = map[w] & (~UINT64_C(0) >>
		    (BITS_PER_WORD - 1 - b % BITS_PER_WORD));

		if (x != 0) {
			int r = w * BITS_PER_WORD + BITS_PER_WORD - 1 -
			    __builtin_clzll(x);

			return r >= lo ? r : -1;
		}
		hi = w * BITS_PER_WORD;
	}
	return -1;
}

static inline int words(int bits)
{
	return (bits + BITS_PER_WORD - 1) / BITS_PER_WORD;
}

static inline int align_up(int x, int a)
{
	return (x + a - 1) & ~(a - 1);
}

static inline int ffs0(int x)	/* the kernel's __ffs(): x != 0 */
{
	return __builtin_ctz((unsigned)x);
}

static inline int fls(int x)
{
	return x ? 32 - __builtin_clz((unsigned)x) : 0;
}

/* ----- lists and slots ----- */

static void plink_init(struct plink *l)
{
	l->prev = l->next = l;
}

static void plink_del(struct plink *l)
{
	l->prev->next = l->next;
	l->next->prev = l->prev;
	plink_init(l);
}

static void plink_add(struct plink *l, struct plink *head, bool front)
{
	struct plink *prev = front ? head : head->prev;

	l->prev = prev;
	l->next = prev->next;
	prev->next->prev = l;
	prev->next = l;
}

static inline struct chunk *lchunk(struct plink *l)
{
	return container_of(l, struct chunk, list);
}

static inline int map_bits(const struct percpu *p, const struct chunk *c)
{
	return c->nr_pages * p->block_bits;
}

/* Models mm/percpu.c:__pcpu_size_to_slot(). */
static int size_to_slot_raw(int size)
{
	return KMSIM_MAX(fls(size) - PCPU_SLOT_BASE_SHIFT + 2, 1);
}

/* Models mm/percpu.c:pcpu_size_to_slot(). */
static int size_to_slot(const struct percpu *p, int size)
{
	if (size == p->unit_size)
		return p->free_slot;
	return size_to_slot_raw(size);
}

/* Models mm/percpu.c:pcpu_chunk_slot(). */
static int chunk_slot(const struct percpu *p, const struct chunk *c)
{
	if (c->free_bytes < (int)PCPU_MIN_ALLOC_SIZE || c->md.contig_hint == 0)
		return 0;
	return size_to_slot(p, c->md.contig_hint * (int)PCPU_MIN_ALLOC_SIZE);
}

/* Models mm/percpu.c:__pcpu_chunk_move(). */
static void chunk_move(struct percpu *p, struct chunk *c, int slot,
    bool front)
{
	if (c == p->reserved)
		return;
	plink_del(&c->list);
	plink_add(&c->list, &p->lists[slot], front);
	c->slot = slot;
}

/* Models mm/percpu.c:pcpu_chunk_relocate(). */
static void chunk_relocate(struct percpu *p, struct chunk *c, int oslot)
{
	int nslot = chunk_slot(p, c);

	if (c->isolated)
		return;
	if (oslot != nslot)
		chunk_move(p, c, nslot, oslot < nslot);
}

/* Models mm/percpu.c:pcpu_update_empty_pages(). */
static void update_empty_pages(struct percpu *p, struct chunk *c, int nr)
{
	c->nr_empty_pop_pages += nr;
	if (c != p->reserved && !c->isolated)
		p->nr_empty_pop_pages += nr;
}

/* Models mm/percpu.c:pcpu_isolate_chunk(). */
static void isolate_chunk(struct percpu *p, struct chunk *c)
{
	if (!c->isolated) {
		c->isolated = true;
		p->nr_empty_pop_pages -= c->nr_empty_pop_pages;
	}
	plink_del(&c->list);
	plink_add(&c->list, &p->lists[p->to_depopulate_slot], true);
	c->slot = p->to_depopulate_slot;
}

/* Models mm/percpu.c:pcpu_reintegrate_chunk(). */
static void reintegrate_chunk(struct percpu *p, struct chunk *c)
{
	if (c->isolated) {
		c->isolated = false;
		p->nr_empty_pop_pages += c->nr_empty_pop_pages;
		chunk_relocate(p, c, -1);
	}
}

/* ----- hints ----- */

static inline bool overlap(int a, int b, int x, int y)
{
	return a < y && x < b;
}

/* Models mm/percpu.c:pcpu_check_block_hint(). */
static bool check_block_hint(const struct block_md *b, int bits, int align)
{
	int pad = align_up(b->contig_hint_start, align) - b->contig_hint_start;

	return pad + bits <= b->contig_hint;
}

/* Models mm/percpu.c:pcpu_next_hint(): skip the scan hint when the
 * request cannot fit in it and the contig hint lies beyond. */
static int next_hint(const struct block_md *b, int alloc_bits)
{
	if (b->scan_hint && b->contig_hint_start > b->scan_hint_start &&
	    alloc_bits > b->scan_hint)
		return b->scan_hint_start + b->scan_hint;
	return b->first_free;
}

/*
 * Models mm/percpu.c:pcpu_block_update(): fold the free area [start, end),
 * whole within the block, into its hints.  On a tie for the contig hint
 * the better aligned start wins, as in the kernel.
 */
static void block_update(struct block_md *b, int start, int end)
{
	int contig = end - start;

	b->first_free = KMSIM_MIN(b->first_free, start);
	if (start == 0)
		b->left_free = contig;
	if (end == b->nr_bits)
		b->right_free = contig;

	if (contig > b->contig_hint) {
		/* the old contig hint becomes the scan hint if before */
		if (start > b->contig_hint_start) {
			if (b->contig_hint > b->scan_hint) {
				b->scan_hint_start = b->contig_hint_start;
				b->scan_hint = b->contig_hint;
			} else if (start < b->scan_hint_start) {
				b->scan_hint = 0;
			}
		} else {
			b->scan_hint = 0;
		}
		b->contig_hint_start = start;
		b->contig_hint = contig;
	} else if (contig == b->contig_hint) {
		if (b->contig_hint_start &&
		    (!start || ffs0(start) > ffs0(b->contig_hint_start))) {
			b->contig_hint_start = start;
			if (start < b->scan_hint_start &&
			    b->contig_hint > b->scan_hint)
				b->scan_hint = 0;
		} else if (start > b->scan_hint_start ||
		    b->contig_hint > b->scan_hint) {
			b->scan_hint_start = start;
			b->scan_hint = contig;
		}
	} else if (start < b->contig_hint_start &&
	    (contig > b->scan_hint ||
	    (contig == b->scan_hint && start > b->scan_hint_start))) {
		b->scan_hint_start = start;
		b->scan_hint = contig;
	}
}

/* Models mm/percpu.c:pcpu_block_update_scan(): a hole an aligned search
 * skipped may be worth a scan hint. */
static void block_update_scan(struct percpu *p, struct chunk *c, int bit_off,
    int bits)
{
	int bb = p->block_bits;
	int s_off = bit_off % bb, e_off = s_off + bits;
	int idx, base, l;

	if (e_off > bb)
		return;
	idx = bit_off / bb;
	base = idx * bb;
	/* back over free bits the alignment skipped */
	l = bm_prev_set(c->alloc_map, base, base + s_off);
	s_off = l < 0 ? 0 : l - base + 1;
	block_update(&c->blocks[idx], s_off, e_off);
}

/*
 * Models mm/percpu.c:pcpu_next_md_free_region(): the next free area the
 * block hints show, joining areas across block boundaries.
 */
static void next_md_free_region(struct percpu *p, struct chunk *c,
    int *bit_off, int *bits)
{
	int bb = p->block_bits, nr_blocks = c->nr_pages;
	int i = *bit_off / bb, block_off = *bit_off % bb;

	*bits = 0;
	for (; i < nr_blocks; i++) {
		struct block_md *b = &c->blocks[i];

		if (p->res)
			p->res->blocks_scanned++;
		if (*bits) {
			*bits += b->left_free;
			if (b->left_free == bb)
				continue;
			return;
		}
		*bits = b->contig_hint;
		if (*bits && b->contig_hint_start >= block_off &&
		    *bits + b->contig_hint_start < bb) {
			*bit_off = i * bb + b->contig_hint_start;
			return;
		}
		block_off = 0;
		*bits = b->right_free;
		*bit_off = (i + 1) * bb - b->right_free;
	}
}

/*
 * Models mm/percpu.c:pcpu_next_fit_region(): the next place, by the block
 * hints, where alloc_bits at align may fit; map_bits if none.
 */
static void next_fit_region(struct percpu *p, struct chunk *c, int alloc_bits,
    int align, int *bit_off, int *bits)
{
	int bb = p->block_bits, nr_blocks = c->nr_pages;
	int i = *bit_off / bb, block_off = *bit_off % bb;

	*bits = 0;
	for (; i < nr_blocks; i++) {
		struct block_md *b = &c->blocks[i];

		if (p->res)
			p->res->blocks_scanned++;
		/* an area running over from the previous block */
		if (*bits) {
			*bits += b->left_free;
			if (*bits >= alloc_bits)
				return;
			if (b->left_free == bb)
				continue;
		}
		/* the block's contig hint, unless already looked at */
		*bits = align_up(b->contig_hint_start, align) -
		    b->contig_hint_start;
		if (b->contig_hint && b->contig_hint_start >= block_off &&
		    b->contig_hint >= *bits + alloc_bits) {
			int start = next_hint(b, alloc_bits);

			*bits += alloc_bits + b->contig_hint_start - start;
			*bit_off = i * bb + start;
			return;
		}
		block_off = 0;
		/* the free tail, which may continue into the next block */
		*bit_off = align_up(bb - b->right_free, align);
		*bits = bb - *bit_off;
		*bit_off += i * bb;
		if (*bits >= alloc_bits)
			return;
	}
	*bit_off = map_bits(p, c);
}

/*
 * Models mm/percpu.c:pcpu_chunk_refresh_hint(): rebuild the chunk's hints
 * from the blocks' (from its scan hint on unless full_scan).
 */
static void chunk_refresh_hint(struct percpu *p, struct chunk *c,
    bool full_scan)
{
	struct block_md *md = &c->md;
	int bit_off, bits, end = map_bits(p, c);

	if (!full_scan && md->scan_hint) {
		bit_off = md->scan_hint_start + md->scan_hint;
		md->contig_hint_start = md->scan_hint_start;
		md->contig_hint = md->scan_hint;
		md->scan_hint = 0;
	} else {
		bit_off = md->first_free;
		md->contig_hint = 0;
	}
	bits = 0;
	for (next_md_free_region(p, c, &bit_off, &bits); bit_off < end;
	    bit_off += bits + 1, next_md_free_region(p, c, &bit_off, &bits))
		block_update(md, bit_off, bit_off + bits);
}

/* Models mm/percpu.c:pcpu_block_refresh_hint(): rescan one block's
 * bitmap from its scan hint (or first free bit) on. */
static void block_refresh_hint(struct percpu *p, struct chunk *c, int idx)
{
	struct block_md *b = &c->blocks[idx];
	int bb = p->block_bits, base = idx * bb, start, end = 0;

	if (p->res)
		p->res->blocks_scanned++;
	if (b->scan_hint) {
		start = b->scan_hint_start + b->scan_hint;
		b->contig_hint_start = b->scan_hint_start;
		b->contig_hint = b->scan_hint;
		b->scan_hint = 0;
	} else {
		start = b->first_free;
		b->contig_hint = 0;
	}
	b->right_free = 0;
	for (start = bm_next_zero(c->alloc_map, base + bb, base + start) -
	    base; start < bb;
	    start = bm_next_zero(c->alloc_map, base + bb, base + end + 1) -
	    base) {
		end = bm_next_set(c->alloc_map, base + bb, base + start + 1) -
		    base;
		block_update(b, start, end);
	}
}

/*
 * Models mm/percpu.c:pcpu_block_update_hint_alloc(): the hints after
 * [bit_off, bit_off + bits) was allocated; blocks are rescanned only when
 * their contig hint was broken, the chunk only when its was.
 */
static void update_hint_alloc(struct percpu *p, struct chunk *c, int bit_off,
    int bits)
{
	int bb = p->block_bits, nr_empty = 0;
	int s_index = bit_off / bb, e_index = (bit_off + bits - 1) / bb;
	int s_off = bit_off % bb, e_off = (bit_off + bits - 1) % bb + 1;
	struct block_md *s_block = &c->blocks[s_index];
	struct block_md *e_block = &c->blocks[e_index];

	if (s_block->contig_hint == bb)
		nr_empty++;
	if (s_off == s_block->first_free)
		s_block->first_free = bm_next_zero(c->alloc_map,
		    s_index * bb + bb, s_index * bb + s_off + bits) -
		    s_index * bb;
	if (overlap(s_block->scan_hint_start,
	    s_block->scan_hint_start + s_block->scan_hint, s_off, s_off + bits))
		s_block->scan_hint = 0;
	if (overlap(s_block->contig_hint_start, s_block->contig_hint_start +
	    s_block->contig_hint, s_off, s_off + bits)) {
		if (!s_off)
			s_block->left_free = 0;
		block_refresh_hint(p, c, s_index);
	} else {
		s_block->left_free = KMSIM_MIN(s_block->left_free, s_off);
		if (s_index == e_index)
			s_block->right_free = KMSIM_MIN(s_block->right_free,
			    bb - e_off);
		else
			s_block->right_free = 0;
	}

	if (s_index != e_index) {
		if (e_block->contig_hint == bb)
			nr_empty++;
		e_block->first_free = bm_next_zero(c->alloc_map,
		    e_index * bb + bb, e_index * bb + e_off) - e_index * bb;
		if (e_off == bb) {
			e_block++;	/* wholly taken: reset below */
		} else {
			if (e_off > e_block->scan_hint_start)
				e_block->scan_hint = 0;
			e_block->left_free = 0;
			if (e_off > e_block->contig_hint_start)
				block_refresh_hint(p, c, e_index);
			else
				e_block->right_free = KMSIM_MIN(
				    e_block->right_free, bb - e_off);
		}
		nr_empty += e_index - s_index - 1;
		for (struct block_md *b = s_block + 1; b < e_block; b++) {
			b->scan_hint = 0;
			b->contig_hint = 0;
			b->left_free = 0;
			b->right_free = 0;
		}
	}

	/* unpopulated blocks counted here come back when populated */
	if (nr_empty)
		update_empty_pages(p, c, -nr_empty);

	if (overlap(c->md.scan_hint_start, c->md.scan_hint_start +
	    c->md.scan_hint, bit_off, bit_off + bits))
		c->md.scan_hint = 0;
	if (overlap(c->md.contig_hint_start, c->md.contig_hint_start +
	    c->md.contig_hint, bit_off, bit_off + bits))
		chunk_refresh_hint(p, c, false);
}

/*
 * Models mm/percpu.c:pcpu_block_update_hint_free(): the hints after
 * [bit_off, bit_off + bits) was freed, the free area found by extending
 * over the neighbouring block hints or scanning to the block edges.
 */
static void update_hint_free(struct percpu *p, struct chunk *c, int bit_off,
    int bits)
{
	int bb = p->block_bits, nr_empty = 0;
	int s_index = bit_off / bb, e_index = (bit_off + bits - 1) / bb;
	int s_off = bit_off % bb, e_off = (bit_off + bits - 1) % bb + 1;
	struct block_md *s_block = &c->blocks[s_index];
	struct block_md *e_block = &c->blocks[e_index];
	int start, end;

	start = s_off;
	if (s_off == s_block->contig_hint + s_block->contig_hint_start) {
		start = s_block->contig_hint_start;
	} else {
		int l = bm_prev_set(c->alloc_map, s_index * bb,
		    s_index * bb + start);

		start = l < 0 ? 0 : l - s_index * bb + 1;
	}
	end = e_off;
	if (e_off == e_block->contig_hint_start)
		end = e_block->contig_hint_start + e_block->contig_hint;
	else
		end = bm_next_set(c->alloc_map, e_index * bb + bb,
		    e_index * bb + end) - e_index * bb;

	e_off = s_index == e_index ? end : bb;
	if (!start && e_off == bb)
		nr_empty++;
	block_update(s_block, start, e_off);

	if (s_index != e_index) {
		if (end == bb)
			nr_empty++;
		block_update(e_block, 0, end);
		nr_empty += e_index - s_index - 1;
		for (struct block_md *b = s_block + 1; b < e_block; b++) {
			b->first_free = 0;
			b->scan_hint = 0;
			b->contig_hint_start = 0;
			b->contig_hint = bb;
			b->left_free = bb;
			b->right_free = bb;
		}
	}
	if (nr_empty)
		update_empty_pages(p, c, nr_empty);

	/* the chunk hint may be up to a page short across blocks */
	if (end - start >= bb || s_index != e_index)
		chunk_refresh_hint(p, c, true);
	else
		block_update(&c->md, s_index * bb + start, s_index * bb + end);
}

/* Models mm/percpu.c:pcpu_is_populated(); *next_off past the hole. */
static bool is_populated(struct percpu *p, struct chunk *c, int bit_off,
    int bits, int *next_off)
{
	int ps = p->page_size;
	int start = bit_off * (int)PCPU_MIN_ALLOC_SIZE / ps;
	int end = ((bit_off + bits) * (int)PCPU_MIN_ALLOC_SIZE + ps - 1) / ps;

	start = bm_next_zero(c->populated, end, start);
	if (start >= end)
		return true;
	end = bm_next_set(c->populated, end, start + 1);
	*next_off = end * ps / (int)PCPU_MIN_ALLOC_SIZE;
	return false;
}

/*
 * Models mm/percpu.c:pcpu_find_block_fit(): where to start the bitmap
 * search, or -1.  Not quite first fit: a block whose contig hint cannot
 * take the request at its alignment is skipped even if a smaller, better
 * aligned hole in it could.
 */
static int find_block_fit(struct percpu *p, struct chunk *c, int alloc_bits,
    int align, bool pop_only)
{
	int bit_off, bits, next_off = 0, end = map_bits(p, c);

	if (!check_block_hint(&c->md, alloc_bits, align))
		return -1;
	bit_off = next_hint(&c->md, alloc_bits);
	bits = 0;
	for (next_fit_region(p, c, alloc_bits, align, &bit_off, &bits);
	    bit_off < end; bit_off += bits,
	    next_fit_region(p, c, alloc_bits, align, &bit_off, &bits)) {
		if (!pop_only || is_populated(p, c, bit_off, bits, &next_off))
			break;
		bit_off = next_off;
		bits = 0;
	}
	if (bit_off >= end)
		return -1;
	return bit_off;
}

/*
 * Models mm/percpu.c:pcpu_find_zero_area(): first fit of nr clear bits at
 * align_mask from start, remembering the largest hole passed over.
 */
static int find_zero_area(const uint64_t *map, int size, int start, int nr,
    int align_mask, int *largest_off, int *largest_bits, int *skipped)
{
	int index, zero, end, i, area_bits;

	for (;;) {
		zero = bm_next_zero(map, size, start);
		index = (zero + align_mask) & ~align_mask;
		end = index + nr;
		if (end > size)
			return end;
		i = bm_next_set(map, end, index);
		if (i >= end)
			break;
		area_bits = i - index;
		if (area_bits > *largest_bits ||
		    (area_bits == *largest_bits && *largest_off &&
		    (!index || ffs0(index) > ffs0(*largest_off)))) {
			*largest_off = index;
			*largest_bits = area_bits;
		}
		start = i + 1;
	}
	*skipped = index - zero;
	return index;
}

/*
 * Models mm/percpu.c:pcpu_alloc_area(): search at most a block past start
 * for the area, mark it, update the hints and the chunk's slot.  Returns
 * the byte offset, or -1.
 */
static int alloc_area(struct percpu *p, struct chunk *c, int alloc_bits,
    int align, int start)
{
	int largest_off = 0, largest_bits = 0, skipped = 0;
	int oslot = chunk_slot(p, c), bit_off, end;

	end = KMSIM_MIN(start + alloc_bits + p->block_bits, map_bits(p, c));
	bit_off = find_zero_area(c->alloc_map, end, start, alloc_bits,
	    align - 1, &largest_off, &largest_bits, &skipped);
	if (bit_off >= end)
		return -1;
	if (largest_bits)
		block_update_scan(p, c, largest_off, largest_bits);

	bm_set(c->alloc_map, bit_off, alloc_bits);
	bm_set_bit(c->bound_map, bit_off);
	bm_clear(c->bound_map, bit_off + 1, alloc_bits - 1);
	bm_set_bit(c->bound_map, bit_off + alloc_bits);
	c->free_bytes -= alloc_bits * (int)PCPU_MIN_ALLOC_SIZE;
	if (bit_off == c->md.first_free)
		c->md.first_free = bm_next_zero(c->alloc_map, map_bits(p, c),
		    bit_off + alloc_bits);
	update_hint_alloc(p, c, bit_off, alloc_bits);
	chunk_relocate(p, c, oslot);
	p->align_skipped += (uint64_t)skipped * PCPU_MIN_ALLOC_SIZE;
	return bit_off * (int)PCPU_MIN_ALLOC_SIZE;
}

/* Models mm/percpu.c:pcpu_free_area(): the size comes from the boundary
 * map.  Returns the bytes freed. */
static int free_area(struct percpu *p, struct chunk *c, int off)
{
	int oslot = chunk_slot(p, c);
	int bit_off = off / (int)PCPU_MIN_ALLOC_SIZE, end, bits;

	end = bm_next_set(c->bound_map, map_bits(p, c), bit_off + 1);
	bits = end - bit_off;
	bm_clear(c->alloc_map, bit_off, bits);
	c->free_bytes += bits * (int)PCPU_MIN_ALLOC_SIZE;
	c->md.first_free = KMSIM_MIN(c->md.first_free, bit_off);
	update_hint_free(p, c, bit_off, bits);
	chunk_relocate(p, c, oslot);
	return bits * (int)PCPU_MIN_ALLOC_SIZE;
}

/* ----- chunks ----- */

/* Models mm/percpu.c:pcpu_init_md_block(). */
static void init_md(struct block_md *b, int nr_bits)
{
	b->scan_hint = 0;
	b->scan_hint_start = 0;
	b->contig_hint = nr_bits;
	b->contig_hint_start = 0;
	b->left_free = nr_bits;
	b->right_free = nr_bits;
	b->first_free = 0;
	b->nr_bits = nr_bits;
}

/* Models mm/percpu.c:pcpu_alloc_chunk(): the maps and hints of an empty
 * chunk of nr_pages pages per unit. */
static struct chunk *chunk_new(struct percpu *p, int nr_pages)
{
	struct chunk *c = xcalloc(1, sizeof *c);
	int bits = nr_pages * p->block_bits;

	plink_init(&c->list);
	c->id = p->next_id++;
	c->slot = -1;
	c->nr_pages = nr_pages;
	c->alloc_map = xcalloc((size_t)words(bits), sizeof(uint64_t));
	c->bound_map = xcalloc((size_t)words(bits + 1), sizeof(uint64_t));
	c->blocks = xcalloc((size_t)nr_pages, sizeof *c->blocks);
	c->populated = xcalloc((size_t)words(nr_pages), sizeof(uint64_t));
	c->pfns = xmalloc((size_t)nr_pages * (size_t)p->nr_units *
	    sizeof(uint64_t));
	for (size_t i = 0; i < (size_t)nr_pages * (size_t)p->nr_units; i++)
		c->pfns[i] = NO_PFN;
	init_md(&c->md, bits);
	for (int i = 0; i < nr_pages; i++)
		init_md(&c->blocks[i], p->block_bits);
	c->free_bytes = nr_pages * p->page_size;

	if (p->nr_chunks == p->chunks_cap) {
		p->chunks_cap = p->chunks_cap ? 2 * p->chunks_cap : 8;
		p->chunks = xreallocarray(p->chunks, p->chunks_cap,
		    sizeof *p->chunks);
	}
	p->chunks[p->nr_chunks++] = c;	/* ids increase: stays sorted */
	p->max_chunks = KMSIM_MAX(p->max_chunks, p->nr_chunks);
	return c;
}

static void chunk_free(struct percpu *p, struct chunk *c)
{
	unsigned i;

	for (i = 0; i < p->nr_chunks; i++)
		if (p->chunks[i] == c)
			break;
	assert(i < p->nr_chunks);
	memmove(&p->chunks[i], &p->chunks[i + 1],
	    (p->nr_chunks - i - 1) * sizeof *p->chunks);
	p->nr_chunks--;
	plink_del(&c->list);
	free(c->alloc_map);
	free(c->bound_map);
	free(c->blocks);
	free(c->populated);
	free(c->pfns);
	free(c);
}

static struct chunk *chunk_by_id(const struct percpu *p, unsigned id)
{
	unsigned lo = 0, hi = p->nr_chunks;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;

		if (p->chunks[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < p->nr_chunks && p->chunks[lo]->id == id ? p->chunks[lo] :
	    NULL;
}

/* Models mm/percpu.c:pcpu_chunk_populated(). */
static void chunk_populated(struct percpu *p, struct chunk *c, int rs, int re)
{
	bm_set(c->populated, rs, re - rs);
	c->nr_populated += re - rs;
	p->nr_populated += (uint64_t)(re - rs);
	update_empty_pages(p, c, re - rs);
}

/* Models mm/percpu.c:pcpu_chunk_depopulated(). */
static void chunk_depopulated(struct percpu *p, struct chunk *c, int rs,
    int re)
{
	bm_clear(c->populated, rs, re - rs);
	c->nr_populated -= re - rs;
	p->nr_populated -= (uint64_t)(re - rs);
	update_empty_pages(p, c, -(re - rs));
}

/*
 * Models mm/percpu-vm.c:pcpu_free_pages() and the unmap of
 * pcpu_depopulate_chunk(): every unit's page of [rs, re) back to the
 * buddy, freed on the CPU running the work.
 */
static void depopulate(struct percpu *p, struct chunk *c, int rs, int re,
    int cpu)
{
	struct machine *m = p->m;
	struct alloc_result ar;

	for (int u = 0; u < p->nr_units; u++) {
		for (int i = rs; i < re; i++) {
			uint64_t *pfn = &c->pfns[(size_t)i * (size_t)p->nr_units
			    + (size_t)u];

			if (*pfn == NO_PFN)
				continue;
			memset(&ar, 0, sizeof ar);
			page_free(m, *pfn, 0, cpu, &ar);
			*pfn = NO_PFN;
			p->backing_frames--;
			if (p->res)
				p->res->cycles += ar.cycles;
		}
	}
	if (p->res) {
		p->res->pages_depopulated += (unsigned)(re - rs);
		p->res->cycles += (uint64_t)(re - rs) * (uint64_t)p->nr_units *
		    m->cost.c[COST_PCPU_POPULATE_PAGE] / 2;
	}
}

/*
 * Models mm/percpu-vm.c:pcpu_populate_chunk() (pcpu_alloc_pages() then
 * the mapping): one order-0 page per unit for each page of [rs, re), on
 * the unit CPU's node, allocated from the context of `cpu`.  The kernel
 * maps them into the chunk's vmalloc area; kmsim has no vmalloc yet, so
 * they come straight from the page allocator.  All or nothing: on a
 * failure what was taken goes back.  Returns 0 or -1.
 */
static int populate(struct percpu *p, struct chunk *c, int rs, int re,
    gfp_t gfp, int cpu)
{
	struct machine *m = p->m;
	struct alloc_result ar;
	int u, i;

	for (u = 0; u < p->nr_units; u++) {
		for (i = rs; i < re; i++) {
			struct alloc_request req = {
				.order = 0,
				.gfp = gfp | GFP_BIT_HIGHMEM,
				.preferred_node = machine_cpu_node(m, u),
				.migratetype = -1,
				.cpu = cpu,
				.policy = MPOL_LOCAL,
			};
			char *cause = NULL;

			memset(&ar, 0, sizeof ar);
			if (page_alloc(m, &req, &ar, &cause) != 0) {
				free(cause);
				ar.pfn = NO_PFN;
			}
			if (p->res)
				p->res->cycles += ar.cycles;
			if (ar.pfn == NO_PFN)
				goto fail;
			c->pfns[(size_t)i * (size_t)p->nr_units + (size_t)u] =
			    ar.pfn;
			p->backing_frames++;
		}
	}
	if (p->res) {
		p->res->pages_populated += (unsigned)(re - rs);
		p->res->cycles += (uint64_t)(re - rs) * (uint64_t)p->nr_units *
		    m->cost.c[COST_PCPU_POPULATE_PAGE];
	}
	return 0;
fail:
	for (int fu = 0; fu <= u; fu++) {
		for (int fi = rs; fi < re; fi++) {
			uint64_t *pfn = &c->pfns[(size_t)fi *
			    (size_t)p->nr_units + (size_t)fu];

			if (*pfn == NO_PFN)
				continue;
			memset(&ar, 0, sizeof ar);
			page_free(m, *pfn, 0, cpu, &ar);
			*pfn = NO_PFN;
			p->backing_frames--;
		}
	}
	return -1;
}

/* Models mm/percpu-vm.c:pcpu_create_chunk(): a chunk of unit_pages with
 * nothing populated (its vmalloc areas are not modelled). */
static struct chunk *create_chunk(struct percpu *p)
{
	struct chunk *c = chunk_new(p, p->unit_pages);

	if (p->res) {
		p->res->chunks_created++;
		p->res->cycles += p->m->cost.c[COST_PCPU_CHUNK_CREATE];
	}
	return c;
}

/* Models mm/percpu-vm.c:pcpu_destroy_chunk() after full depopulation. */
static void destroy_chunk(struct percpu *p, struct chunk *c)
{
	if (p->res) {
		p->res->chunks_destroyed++;
		p->res->cycles += p->m->cost.c[COST_PCPU_CHUNK_CREATE] / 2;
	}
	chunk_free(p, c);
}

/*
 * Models mm/percpu.c:pcpu_alloc_first_chunk(): a chunk serving map_size
 * bytes from byte tmp of the first units; the pages are the boot-time
 * ones, all populated, and the part before and after the region is
 * marked allocated so the bitmap covers whole pages.
 */
static struct chunk *alloc_first_chunk(struct percpu *p, int tmp,
    int map_size)
{
	int ps = p->page_size, aligned = tmp & ~(ps - 1);
	int start_offset = tmp - aligned;
	int region = align_up(start_offset + map_size, ps);
	struct chunk *c = chunk_new(p, region / ps);
	int bits, n;

	c->start_offset = start_offset;
	c->end_offset = region - start_offset - map_size;
	c->immutable = true;
	bm_set(c->populated, 0, c->nr_pages);
	c->nr_populated = c->nr_pages;
	c->nr_empty_pop_pages = c->nr_pages;
	c->free_bytes = map_size;
	bits = map_bits(p, c);
	if (c->start_offset) {
		n = c->start_offset / (int)PCPU_MIN_ALLOC_SIZE;
		bm_set(c->alloc_map, 0, n);
		bm_set_bit(c->bound_map, 0);
		bm_set_bit(c->bound_map, n);
		c->md.first_free = n;
		update_hint_alloc(p, c, 0, n);
	}
	if (c->end_offset) {
		n = c->end_offset / (int)PCPU_MIN_ALLOC_SIZE;
		bm_set(c->alloc_map, bits - n, n);
		bm_set_bit(c->bound_map, (start_offset + map_size) /
		    (int)PCPU_MIN_ALLOC_SIZE);
		bm_set_bit(c->bound_map, bits);
		update_hint_alloc(p, c, bits - n, n);
	}
	return c;
}

/*
 * The unit size pcpu_build_alloc_info() picks: units per atom as many as
 * fit (a power of two that leaves page-aligned units), then fewer while
 * that wastes over a third of the possible CPUs' worth of units or needs
 * no more atoms.  CPUs group by node (LOCAL_DISTANCE both ways).
 */
static int build_unit_size(const struct percpu *p, uint64_t size_sum)
{
	const struct machine *m = p->m;
	uint64_t min_unit = KMSIM_MAX(size_sum, (uint64_t)PCPU_MIN_UNIT_SIZE);
	uint64_t atom = p->o.atom_size;
	uint64_t alloc = (min_unit + atom - 1) / atom * atom;
	int upa, max_upa, best = 0, last_allocs = INT32_MAX;

	upa = (int)(alloc / min_unit);
	while (alloc % (uint64_t)upa || (alloc / (uint64_t)upa) %
	    (uint64_t)p->page_size)
		upa--;
	max_upa = upa;
	for (upa = max_upa; upa; upa--) {
		int allocs = 0, wasted = 0;

		if (alloc % (uint64_t)upa || (alloc / (uint64_t)upa) %
		    (uint64_t)p->page_size)
			continue;
		for (int n = 0; n < m->nr_nodes; n++) {
			int cnt = m->nodes[n].nr_cpus;
			int this_allocs = (cnt + upa - 1) / upa;

			if (cnt == 0)
				continue;
			allocs += this_allocs;
			wasted += this_allocs * upa - cnt;
		}
		if (wasted > m->nr_cpus / 3)
			continue;
		if (allocs > last_allocs)
			break;
		last_allocs = allocs;
		best = upa;
	}
	assert(best > 0);
	return (int)(alloc / (uint64_t)best);
}

struct percpu *percpu_create(struct machine *m, const struct percpu_opts *o)
{
	struct percpu *p = xcalloc(1, sizeof *p);
	uint64_t static_size, size_sum;
	int dyn_size;

	p->m = m;
	if (o != NULL)
		p->o = *o;
	if (p->o.static_size == 0)
		p->o.static_size = 200u << 10;
	if (p->o.no_reserved)
		p->o.reserved_size = 0;
	else if (p->o.reserved_size == 0)
		p->o.reserved_size = PERCPU_MODULE_RESERVE;
	if (p->o.dyn_size == 0)
		p->o.dyn_size = PERCPU_DYNAMIC_RESERVE;
	if (p->o.atom_size == 0)
		p->o.atom_size = 2u << 20;
	p->nr_units = m->nr_cpus;
	p->page_size = (int)m->page_size;
	p->block_bits = p->page_size / (int)PCPU_MIN_ALLOC_SIZE;

	/* pcpu_build_alloc_info(): the first chunk's sum, page-rounded,
	 * the dynamic area growing into the rounding */
	size_sum = p->o.static_size + p->o.reserved_size +
	    KMSIM_MAX(p->o.dyn_size, (uint64_t)PERCPU_DYNAMIC_EARLY_SIZE);
	size_sum = (size_sum + m->page_size - 1) & ~(m->page_size - 1);
	if (p->o.unit_size == 0)
		p->o.unit_size = (uint64_t)build_unit_size(p, size_sum);
	p->unit_pages = (int)(p->o.unit_size / m->page_size);
	p->unit_size = p->unit_pages * p->page_size;
	assert(p->unit_size >= (int)size_sum);

	/* pcpu_setup_first_chunk(): the slots past the active ones */
	p->sidelined_slot = size_to_slot_raw(p->unit_size) + 1;
	p->free_slot = p->sidelined_slot + 1;
	p->to_depopulate_slot = p->free_slot + 1;
	p->nr_slots = p->to_depopulate_slot + 1;
	p->lists = xcalloc((size_t)p->nr_slots, sizeof *p->lists);
	for (int i = 0; i < p->nr_slots; i++)
		plink_init(&p->lists[i]);

	static_size = (p->o.static_size + PCPU_MIN_ALLOC_SIZE - 1) &
	    ~(uint64_t)(PCPU_MIN_ALLOC_SIZE - 1);
	dyn_size = (int)(size_sum - p->o.static_size - p->o.reserved_size) -
	    (int)(static_size - p->o.static_size);
	if (p->o.reserved_size) {
		p->reserved = alloc_first_chunk(p, (int)static_size,
		    (int)p->o.reserved_size);
		p->reserved->reserved = true;
	}
	p->first = alloc_first_chunk(p, (int)(static_size +
	    p->o.reserved_size), dyn_size);
	p->first->first = true;
	p->nr_empty_pop_pages = p->first->nr_empty_pop_pages;
	chunk_relocate(p, p->first, -1);
	p->nr_populated += size_sum / m->page_size;
	p->work_cpu = 0;
	return p;
}

void percpu_destroy(struct percpu *p)
{
	if (p == NULL)
		return;
	while (p->nr_chunks > 0) {
		struct chunk *c = p->chunks[p->nr_chunks - 1];

		if (!c->immutable)
			depopulate(p, c, 0, c->nr_pages, p->work_cpu);
		chunk_free(p, c);
	}
	free(p->chunks);
	free(p->lists);
	free(p);
}

/* pcpu_obj_full_size(): every unit's copy, plus the memcg object
 * pointer the kernel keeps per PCPU_MIN_ALLOC_SIZE when kmem accounting
 * is on (charged to every allocation, accounted or not). */
uint64_t percpu_bytes_alloc(const struct percpu *p, uint64_t size)
{
	uint64_t extra = 0;

	size = (size + PCPU_MIN_ALLOC_SIZE - 1) &
	    ~(uint64_t)(PCPU_MIN_ALLOC_SIZE - 1);
	if (!p->o.no_memcg)
		extra = size / PCPU_MIN_ALLOC_SIZE * 8;
	return size * (uint64_t)p->nr_units + extra;
}

/* Charge the metadata blocks the call looked at and end its account. */
static void charge_scans(struct percpu *p)
{
	p->res->cycles += (uint64_t)p->res->blocks_scanned *
	    p->m->cost.c[COST_PCPU_BLOCK_SCAN];
	p->res = NULL;
}

static void schedule_balance(struct percpu *p, int cpu)
{
	if (!p->balance_pending)
		p->work_cpu = cpu;
	p->balance_pending = true;
}

int percpu_alloc(struct percpu *p, const struct percpu_request *req,
    percpu_handle_t *h, struct percpu_result *res, char **cause)
{
	struct machine *m = p->m;
	struct percpu_result local;
	bool is_atomic = !(req->gfp & GFP_BIT_DIRECT_RECLAIM);
	gfp_t pcpu_gfp = req->gfp & (GFP_KERNEL | GFP_BIT_NORETRY |
	    GFP_BIT_NOWARN);
	uint64_t size = req->size, align = req->align;
	struct chunk *c = NULL;
	int bits, bit_align, off = -1, slot, restarts = 0;

	if (res == NULL)
		res = &local;
	memset(res, 0, sizeof *res);
	*h = PERCPU_HANDLE_NONE;
	if (align < PCPU_MIN_ALLOC_SIZE)
		align = PCPU_MIN_ALLOC_SIZE;
	size = (size + PCPU_MIN_ALLOC_SIZE - 1) &
	    ~(uint64_t)(PCPU_MIN_ALLOC_SIZE - 1);
	if (size == 0 || size > PCPU_MIN_UNIT_SIZE ||
	    align > m->page_size || (align & (align - 1)) != 0)
		return kmsim_fail(cause, "illegal size (%" PRIu64 ") or align "
		    "(%" PRIu64 ") for percpu allocation", req->size,
		    req->align);
	bits = (int)(size >> PCPU_MIN_ALLOC_SHIFT);
	bit_align = (int)(align >> PCPU_MIN_ALLOC_SHIFT);
	p->res = res;
	res->size = size;
	res->cycles = m->cost.c[COST_PCPU_ALLOC];

	if (req->reserved && p->reserved != NULL) {
		c = p->reserved;
		off = find_block_fit(p, c, bits, bit_align, is_atomic);
		if (off >= 0)
			off = alloc_area(p, c, bits, bit_align, off);
		if (off < 0) {
			res->why = "alloc from reserved chunk failed";
			goto fail;
		}
		goto found;
	}

restart:
	for (slot = size_to_slot(p, (int)size); slot <= p->free_slot; slot++) {
		struct plink *head = &p->lists[slot], *l, *next;

		for (l = head->next; l != head; l = next) {
			next = l->next;
			c = lchunk(l);
			off = find_block_fit(p, c, bits, bit_align, is_atomic);
			if (off < 0) {
				/* nearly full chunks that failed are
				 * sidelined to slot 0 */
				if (slot < PCPU_SLOT_FAIL_THRESHOLD)
					chunk_move(p, c, 0, true);
				continue;
			}
			off = alloc_area(p, c, bits, bit_align, off);
			if (off >= 0) {
				reintegrate_chunk(p, c);
				goto found;
			}
		}
	}
	if (is_atomic) {
		res->why = "atomic alloc failed, no space left";
		goto fail;
	}
	/* a fully free chunk always fits a legal request */
	assert(restarts == 0);
	restarts++;
	if (p->lists[p->free_slot].next == &p->lists[p->free_slot])
		chunk_relocate(p, create_chunk(p), -1);
	goto restart;

found:
	c->nr_alloc++;
	if (p->nr_empty_pop_pages < PCPU_EMPTY_POP_PAGES_LOW)
		schedule_balance(p, req->cpu);
	if (!is_atomic) {
		int ps = p->page_size;
		int rs = off / ps, page_end = (off + (int)size + ps - 1) / ps;
		int re;

		for (rs = bm_next_zero(c->populated, page_end, rs);
		    rs < page_end;
		    rs = bm_next_zero(c->populated, page_end, re + 1)) {
			re = bm_next_set(c->populated, page_end, rs + 1);
			assert(!c->immutable);
			if (populate(p, c, rs, re, pcpu_gfp, req->cpu) != 0) {
				c->nr_alloc--;
				free_area(p, c, off);
				res->why = "failed to populate";
				goto fail;
			}
			chunk_populated(p, c, rs, re);
		}
	}
	res->chunk = c->id;
	res->off = (unsigned)off;
	res->bytes_alloc = percpu_bytes_alloc(p, size);
	p->nr_alloc++;
	p->bytes_in_use += size;
	p->bytes_alloc += res->bytes_alloc;
	*h = (uint64_t)c->id << 32 | (uint64_t)off;
	charge_scans(p);
	return 0;

fail:
	res->failed = true;
	res->cycles += m->cost.c[COST_ALLOC_FAIL];
	p->nr_failed++;
	if (is_atomic) {
		/* see pcpu_balance_populated() */
		p->atomic_alloc_failed = true;
		schedule_balance(p, req->cpu);
	}
	charge_scans(p);
	return 0;
}

/* Models mm/percpu-vm.c:pcpu_should_reclaim_chunk(). */
static bool should_reclaim_chunk(const struct percpu *p, const struct chunk *c)
{
	if (c == p->first || c == p->reserved)
		return false;
	return (c->isolated && c->nr_empty_pop_pages) ||
	    (p->nr_empty_pop_pages > PCPU_EMPTY_POP_PAGES_HIGH +
	    c->nr_empty_pop_pages && c->nr_empty_pop_pages >= c->nr_pages / 4);
}

/* Is this area the start of a live allocation of c? */
static bool area_live(const struct percpu *p, const struct chunk *c,
    unsigned off)
{
	int bit = (int)(off / PCPU_MIN_ALLOC_SIZE);

	if (off % PCPU_MIN_ALLOC_SIZE || bit >= map_bits(p, c))
		return false;
	if ((int)off < c->start_offset ||
	    (int)off >= c->nr_pages * p->page_size - c->end_offset)
		return false;
	return bm_test(c->bound_map, bit) && bm_test(c->alloc_map, bit);
}

percpu_handle_t percpu_lookup(const struct percpu *p, unsigned chunk,
    unsigned off)
{
	struct chunk *c = chunk_by_id(p, chunk);

	if (c == NULL || !area_live(p, c, off))
		return PERCPU_HANDLE_NONE;
	return (uint64_t)chunk << 32 | off;
}

int percpu_free(struct percpu *p, percpu_handle_t h, int cpu,
    struct percpu_result *res, char **cause)
{
	struct percpu_result local;
	struct chunk *c;
	unsigned off = percpu_handle_off(h);
	int size;

	if (res == NULL)
		res = &local;
	memset(res, 0, sizeof *res);
	c = h == PERCPU_HANDLE_NONE ? NULL : chunk_by_id(p,
	    percpu_handle_chunk(h));
	if (c == NULL || !area_live(p, c, off))
		return kmsim_fail(cause, "free_percpu of %#" PRIx64 ": not a "
		    "live percpu allocation", h);
	p->res = res;
	res->cycles = p->m->cost.c[COST_PCPU_FREE];
	size = free_area(p, c, (int)off);
	c->nr_alloc--;
	res->chunk = c->id;
	res->off = off;
	res->size = (uint64_t)size;
	res->bytes_alloc = percpu_bytes_alloc(p, (uint64_t)size);
	p->nr_dealloc++;
	p->bytes_in_use -= (uint64_t)size;
	p->bytes_alloc -= res->bytes_alloc;

	/* a second fully free chunk, or one worth depopulating, wakes the
	 * balance work */
	if (!c->isolated && c->free_bytes == p->unit_size) {
		struct plink *head = &p->lists[p->free_slot];

		for (struct plink *l = head->next; l != head; l = l->next)
			if (lchunk(l) != c) {
				schedule_balance(p, cpu);
				break;
			}
	} else if (should_reclaim_chunk(p, c)) {
		isolate_chunk(p, c);
		schedule_balance(p, cpu);
	}
	charge_scans(p);
	return 0;
}

/*
 * Models mm/percpu.c:pcpu_balance_free(): destroy every fully free chunk
 * but the first on the free list (with empty_only, only those without
 * populated pages).
 */
static void balance_free(struct percpu *p, bool empty_only)
{
	struct plink *head = &p->lists[p->free_slot], *l, *next;
	struct plink to_free;

	plink_init(&to_free);
	for (l = head->next; l != head; l = next) {
		struct chunk *c = lchunk(l);

		next = l->next;
		if (l == head->next)
			continue;	/* spare the first */
		if (!empty_only || c->nr_empty_pop_pages == 0) {
			plink_del(l);
			plink_add(l, &to_free, false);
			c->slot = -1;
		}
	}
	while (to_free.next != &to_free) {
		struct chunk *c = lchunk(to_free.next);
		int rs, re;

		for (rs = bm_next_set(c->populated, c->nr_pages, 0);
		    rs < c->nr_pages;
		    rs = bm_next_set(c->populated, c->nr_pages, re + 1)) {
			re = bm_next_zero(c->populated, c->nr_pages, rs + 1);
			depopulate(p, c, rs, re, p->work_cpu);
			chunk_depopulated(p, c, rs, re);
		}
		destroy_chunk(p, c);
	}
}

/*
 * Models mm/percpu.c:pcpu_reclaim_populated(): give back the empty
 * populated pages of isolated chunks, last page first, stopping while the
 * system is short of them; depopulated chunks are sidelined.
 */
static void reclaim_populated(struct percpu *p)
{
	struct plink *head = &p->lists[p->to_depopulate_slot];

	while (head->next != head) {
		struct chunk *c = lchunk(head->next);
		bool reintegrate = false;
		int i, end = -1;

		for (i = c->nr_pages - 1; i >= 0; i--) {
			if (c->nr_empty_pop_pages == 0)
				break;
			if (p->nr_empty_pop_pages < PCPU_EMPTY_POP_PAGES_HIGH) {
				reintegrate = true;
				break;
			}
			if (c->blocks[i].contig_hint == p->block_bits &&
			    bm_test(c->populated, i)) {
				if (end == -1)
					end = i;
				if (i > 0)
					continue;
				i--;
			}
			if (end == -1)
				continue;
			depopulate(p, c, i + 1, end + 1, p->work_cpu);
			chunk_depopulated(p, c, i + 1, end + 1);
			end = -1;
		}
		if (reintegrate || c->free_bytes == p->unit_size) {
			reintegrate_chunk(p, c);
		} else {
			plink_del(&c->list);
			plink_add(&c->list, &p->lists[p->sidelined_slot],
			    false);
			c->slot = p->sidelined_slot;
		}
	}
}

/*
 * Models mm/percpu.c:pcpu_balance_populated(): populate pages of the
 * fullest chunks with room until PCPU_EMPTY_POP_PAGES_HIGH pages are free
 * and populated (all of them after an atomic failure), creating a chunk
 * if none has unpopulated pages left.
 */
static void balance_populated(struct percpu *p)
{
	const gfp_t gfp = GFP_KERNEL | GFP_BIT_NORETRY | GFP_BIT_NOWARN;
	int nr_to_pop, slot;

retry:
	if (p->atomic_alloc_failed) {
		nr_to_pop = PCPU_EMPTY_POP_PAGES_HIGH;
		p->atomic_alloc_failed = false;
	} else {
		nr_to_pop = PCPU_EMPTY_POP_PAGES_HIGH - p->nr_empty_pop_pages;
		nr_to_pop = KMSIM_MAX(KMSIM_MIN(nr_to_pop,
		    PCPU_EMPTY_POP_PAGES_HIGH), 0);
	}
	for (slot = size_to_slot(p, p->page_size); slot <= p->free_slot;
	    slot++) {
		struct plink *head = &p->lists[slot], *l;
		struct chunk *c = NULL;
		int rs, re;

		if (!nr_to_pop)
			break;
		for (l = head->next; l != head; l = l->next)
			if (lchunk(l)->nr_pages > lchunk(l)->nr_populated) {
				c = lchunk(l);
				break;
			}
		if (c == NULL)
			continue;
		for (rs = bm_next_zero(c->populated, c->nr_pages, 0);
		    rs < c->nr_pages;
		    rs = bm_next_zero(c->populated, c->nr_pages, re + 1)) {
			int nr;

			re = bm_next_set(c->populated, c->nr_pages, rs + 1);
			nr = KMSIM_MIN(re - rs, nr_to_pop);
			if (populate(p, c, rs, rs + nr, gfp, p->work_cpu) ==
			    0) {
				nr_to_pop -= nr;
				chunk_populated(p, c, rs, rs + nr);
			} else {
				nr_to_pop = 0;
			}
			if (!nr_to_pop)
				break;
		}
	}
	if (nr_to_pop) {
		chunk_relocate(p, create_chunk(p), -1);
		goto retry;
	}
}

/* Models mm/percpu.c:pcpu_balance_workfn(). */
void percpu_balance(struct percpu *p, struct percpu_result *res)
{
	struct percpu_result local;

	if (res == NULL)
		res = &local;
	memset(res, 0, sizeof *res);
	p->res = res;
	balance_free(p, false);
	reclaim_populated(p);
	balance_populated(p);
	balance_free(p, true);
	p->balance_pending = false;
	charge_scans(p);
}

bool percpu_balance_pending(const struct percpu *p)
{
	return p->balance_pending;
}

void percpu_get_stats(const struct percpu *p, struct percpu_stats *st)
{
	memset(st, 0, sizeof *st);
	st->nr_chunks = p->nr_chunks;
	st->max_chunks = p->max_chunks;
	st->unit_size = (uint64_t)p->unit_size;
	st->populated_pages = p->nr_populated;
	/* pcpu_nr_pages(): populated pages in every unit */
	st->meminfo_kb = p->nr_populated * (uint64_t)p->nr_units *
	    (uint64_t)p->page_size / 1024;
	st->backing_frames = p->backing_frames;
	st->empty_pop_pages = (uint64_t)p->nr_empty_pop_pages;
	st->nr_alloc = p->nr_alloc;
	st->nr_dealloc = p->nr_dealloc;
	st->nr_cur_alloc = p->nr_alloc - p->nr_dealloc;
	st->nr_failed = p->nr_failed;
	st->bytes_in_use = p->bytes_in_use;
	st->bytes_alloc = p->bytes_alloc;
	st->align_skipped = p->align_skipped;
	for (unsigned i = 0; i < p->nr_chunks; i++)
		if (!p->chunks[i]->reserved)
			st->free_bytes += (uint64_t)p->chunks[i]->free_bytes;
}

bool percpu_chunk_info(const struct percpu *p, unsigned i,
    struct percpu_chunk_info *ci)
{
	const struct chunk *c;

	if (i >= p->nr_chunks)
		return false;
	c = p->chunks[i];
	memset(ci, 0, sizeof *ci);
	ci->id = c->id;
	ci->first = c->first;
	ci->reserved = c->reserved;
	ci->isolated = c->isolated;
	ci->nr_pages = (unsigned)c->nr_pages;
	ci->nr_populated = (unsigned)c->nr_populated;
	ci->nr_empty_pop_pages = (unsigned)c->nr_empty_pop_pages;
	ci->free_bytes = (unsigned)c->free_bytes;
	ci->contig_bytes = (unsigned)c->md.contig_hint * PCPU_MIN_ALLOC_SIZE;
	ci->nr_alloc = (unsigned)c->nr_alloc;
	ci->slot = c->slot;
	ci->frag = c->free_bytes ? 1.0 - (double)ci->contig_bytes /
	    (double)c->free_bytes : 0.0;
	return true;
}

/* The largest free run of [lo, hi) and where the first free bit is. */
static int max_free_run(const uint64_t *map, int lo, int hi, int *first)
{
	int best = 0, s, e;

	*first = hi;
	for (s = bm_next_zero(map, hi, lo); s < hi;
	    s = bm_next_zero(map, hi, e + 1)) {
		e = bm_next_set(map, hi, s + 1);
		if (*first == hi)
			*first = s;
		best = KMSIM_MAX(best, e - s);
	}
	return best;
}

int percpu_check(const struct percpu *p, char **cause)
{
	int empty_total = 0;
	uint64_t populated = 0;

	for (unsigned i = 0; i < p->nr_chunks; i++) {
		const struct chunk *c = p->chunks[i];
		int bb = p->block_bits, nbits = map_bits(p, c), busy = 0;
		int empty = 0, npop = 0, first;

		for (int b = 0; b < nbits; b++)
			busy += bm_test(c->alloc_map, b);
		if ((nbits - busy) * (int)PCPU_MIN_ALLOC_SIZE != c->free_bytes)
			return kmsim_fail(cause, "percpu chunk %u: free_bytes "
			    "%d, bitmap says %d", c->id, c->free_bytes,
			    (nbits - busy) * (int)PCPU_MIN_ALLOC_SIZE);
		for (int k = 0; k < c->nr_pages; k++) {
			const struct block_md *b = &c->blocks[k];
			int run = max_free_run(c->alloc_map, k * bb,
			    (k + 1) * bb, &first);

			/*
			 * The hints may miss free areas - the scan hint
			 * a skipped hole sets is not a bound on what lies
			 * before it (the kernel accepts this, see
			 * pcpu_find_zero_area()) - but never claim more.
			 */
			if (b->contig_hint > run ||
			    (b->contig_hint && bm_next_set(c->alloc_map,
			    k * bb + b->contig_hint_start + b->contig_hint,
			    k * bb + b->contig_hint_start) <
			    k * bb + b->contig_hint_start + b->contig_hint))
				return kmsim_fail(cause, "percpu chunk %u block"
				    " %d: contig_hint %d@%d, bitmap says %d",
				    c->id, k, b->contig_hint,
				    b->contig_hint_start, run);
			if (run && b->first_free > first - k * bb)
				return kmsim_fail(cause, "percpu chunk %u block"
				    " %d: first_free %d past %d", c->id, k,
				    b->first_free, first - k * bb);
			if (bm_test(c->populated, k)) {
				npop++;
				if (run == bb)
					empty++;
			}
		}
		if (npop != c->nr_populated || empty != c->nr_empty_pop_pages)
			return kmsim_fail(cause, "percpu chunk %u: %d/%d "
			    "populated/empty pages, bitmap says %d/%d", c->id,
			    c->nr_populated, c->nr_empty_pop_pages, npop,
			    empty);
		if (c->md.contig_hint > max_free_run(c->alloc_map, 0, nbits,
		    &first) + bb)
			return kmsim_fail(cause, "percpu chunk %u: contig_hint"
			    " %d too large", c->id, c->md.contig_hint);
		if (!c->reserved && !c->isolated)
			empty_total += c->nr_empty_pop_pages;
		if (!c->immutable)
			populated += (uint64_t)c->nr_populated;
	}
	if (empty_total != p->nr_empty_pop_pages)
		return kmsim_fail(cause, "percpu: %d empty populated pages, "
		    "chunks say %d", p->nr_empty_pop_pages, empty_total);
	if (populated * (uint64_t)p->nr_units != p->backing_frames)
		return kmsim_fail(cause, "percpu: %" PRIu64 " backing frames"
		    ", populated pages say %" PRIu64, p->backing_frames,
		    populated * (uint64_t)p->nr_units);
	return 0;
}
