/* evq.c - a binary min-heap of events ordered by (time, seq). */

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "evq.h"
#include "kmsim.h"

#define EVQ_IDLE ((size_t)-1)

void evq_init(struct evq *q)
{
	q->heap = NULL;
	q->len = q->cap = 0;
	q->next_seq = 0;
	q->now = 0;
	q->nr_run = 0;
	q->staged = NULL;
	q->nr_staged = q->staged_cap = 0;
}

void evq_fini(struct evq *q)
{
	size_t i;

	for (i = 0; i < q->len; i++)
		q->heap[i]->slot = EVQ_IDLE;
	free(q->heap);
	q->heap = NULL;
	q->len = q->cap = 0;
	for (i = 0; i < q->nr_staged; i++)
		q->staged[i]->staged = false;
	free(q->staged);
	q->staged = NULL;
	q->nr_staged = q->staged_cap = 0;
}

void evq_event_init(struct evq_event *ev, evq_fn fn, void *arg)
{
	ev->time = 0;
	ev->seq = 0;
	ev->fn = fn;
	ev->arg = arg;
	ev->slot = EVQ_IDLE;
	ev->staged = false;
	ev->wake_delay = 0;
	ev->rank = 0;
}

static inline int before(const struct evq_event *a, const struct evq_event *b)
{
	return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static void place(struct evq *q, size_t i, struct evq_event *ev)
{
	q->heap[i] = ev;
	ev->slot = i;
}

static void sift_up(struct evq *q, size_t i)
{
	struct evq_event *ev = q->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!before(ev, q->heap[parent]))
			break;
		place(q, i, q->heap[parent]);
		i = parent;
	}
	place(q, i, ev);
}

static void sift_down(struct evq *q, size_t i)
{
	struct evq_event *ev = q->heap[i];

	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		struct evq_event *best = ev;

		if (l < q->len && before(q->heap[l], best)) {
			m = l;
			best = q->heap[l];
		}
		if (r < q->len && before(q->heap[r], best)) {
			m = r;
			best = q->heap[r];
		}
		if (m == i)
			break;
		place(q, i, best);
		i = m;
	}
	place(q, i, ev);
}

void evq_push(struct evq *q, struct evq_event *ev, uint64_t time)
{
	if (ev->slot != EVQ_IDLE)
		evq_cancel(q, ev);
	if (q->len == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 64;
		q->heap = xreallocarray(q->heap, q->cap, sizeof *q->heap);
	}
	ev->time = time < q->now ? q->now : time;
	ev->seq = q->next_seq++;
	q->heap[q->len] = ev;
	ev->slot = q->len++;
	sift_up(q, ev->slot);
}

static void unstage(struct evq *q, struct evq_event *ev)
{
	size_t i;

	for (i = 0; i < q->nr_staged && q->staged[i] != ev; i++)
		;
	assert(i < q->nr_staged);
	q->nr_staged--;
	memmove(&q->staged[i], &q->staged[i + 1],
	    (q->nr_staged - i) * sizeof *q->staged);
	ev->staged = false;
}

void evq_cancel(struct evq *q, struct evq_event *ev)
{
	size_t i = ev->slot;
	struct evq_event *last;

	if (ev->staged)
		unstage(q, ev);
	if (i == EVQ_IDLE)
		return;
	assert(i < q->len && q->heap[i] == ev);
	ev->slot = EVQ_IDLE;
	last = q->heap[--q->len];
	if (i == q->len)
		return;
	place(q, i, last);
	if (i > 0 && before(last, q->heap[(i - 1) / 2]))
		sift_up(q, i);
	else
		sift_down(q, i);
}

void evq_wake(struct evq *q, struct evq_event *ev, uint64_t delay)
{
	size_t i;

	if (q == NULL || ev->staged || ev->slot != EVQ_IDLE)
		return;
	if (q->nr_staged == q->staged_cap) {
		q->staged_cap = q->staged_cap ? q->staged_cap * 2 : 16;
		q->staged = xreallocarray(q->staged, q->staged_cap,
		    sizeof *q->staged);
	}
	/* after every staged event of a rank not above its own */
	for (i = q->nr_staged; i > 0 && q->staged[i - 1]->rank > ev->rank; i--)
		;
	memmove(&q->staged[i + 1], &q->staged[i],
	    (q->nr_staged - i) * sizeof *q->staged);
	q->staged[i] = ev;
	q->nr_staged++;
	ev->staged = true;
	ev->wake_delay = delay;
}

void evq_yield(struct evq *q, uint64_t time)
{
	size_t i, n = q->nr_staged;

	q->nr_staged = 0;
	for (i = 0; i < n; i++) {
		struct evq_event *ev = q->staged[i];

		ev->staged = false;
		evq_push(q, ev, time + ev->wake_delay);
	}
}

int evq_run_one(struct evq *q)
{
	struct evq_event *ev;

	if (q->len == 0)
		return 0;
	ev = q->heap[0];
	evq_cancel(q, ev);
	q->now = ev->time;
	q->nr_run++;
	ev->fn(q, ev, ev->arg);
	return 1;
}
