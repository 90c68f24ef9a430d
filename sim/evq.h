/*
 * evq.h - the discrete-event queue.  Events are ordered by (time, seq):
 * equal times run in insertion order, so every run is deterministic.
 * Events are intrusive (embed a struct evq_event); the queue never
 * allocates per event, only when its heap array grows.
 */
#ifndef KMSIM_EVQ_H
#define KMSIM_EVQ_H

#include <stddef.h>
#include <stdint.h>

struct evq;
struct evq_event;

typedef void (*evq_fn)(struct evq *q, struct evq_event *ev, void *arg);

struct evq_event {
	uint64_t time;		/* simulated cycles */
	uint64_t seq;		/* insertion order, ties broken by it */
	evq_fn fn;
	void *arg;
	size_t slot;		/* index in the heap; (size_t)-1 if idle */
};

struct evq {
	struct evq_event **heap;
	size_t len, cap;
	uint64_t next_seq;
	uint64_t now;		/* time of the event being run */
	uint64_t nr_run;	/* events run so far */
};

void evq_init(struct evq *q);
void evq_fini(struct evq *q);
void evq_event_init(struct evq_event *ev, evq_fn fn, void *arg);
/* Schedule ev at `time` (clamped to now: the past cannot be changed). */
void evq_push(struct evq *q, struct evq_event *ev, uint64_t time);
/* Remove a scheduled event; no-op if it is not queued. */
void evq_cancel(struct evq *q, struct evq_event *ev);
static inline int evq_pending(const struct evq_event *ev)
{
	return ev->slot != (size_t)-1;
}
/* The earliest event, or NULL. */
static inline struct evq_event *evq_peek(const struct evq *q)
{
	return q->len ? q->heap[0] : NULL;
}
/* Pop the earliest event, advance now, run it.  0 if the queue was empty. */
int evq_run_one(struct evq *q);

#endif /* KMSIM_EVQ_H */
