/*
 * evq.h - the discrete-event queue.  Events are ordered by (time, seq):
 * equal times run in insertion order, so every run is deterministic.
 * Events are intrusive (embed a struct evq_event); the queue never
 * allocates per event, only when its heap array grows.
 *
 * Kernel threads are woken the way the kernel wakes a waitqueue: the
 * engine that wants one to run calls evq_wake(), which stages the event;
 * whatever is running (an op, a kernel thread, a task going to sleep)
 * calls evq_yield() when it completes or sleeps, and the staged events
 * are queued then, `delay` cycles later.  A thread woken twice before
 * that runs once.
 */
#ifndef KMSIM_EVQ_H
#define KMSIM_EVQ_H

#include <stdbool.h>
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

	/* a staged wake-up (evq_wake()) */
	bool staged;
	uint64_t wake_delay;	/* cycles after the evq_yield() */
	unsigned rank;		/* staged events are queued by rank, so
				   that their order does not depend on
				   the order they were woken in */
};

struct evq {
	struct evq_event **heap;
	size_t len, cap;
	uint64_t next_seq;
	uint64_t now;		/* time of the event being run */
	uint64_t nr_run;	/* events run so far */
	struct evq_event **staged;	/* by rank, then staging order */
	size_t nr_staged, staged_cap;
};

void evq_init(struct evq *q);
void evq_fini(struct evq *q);
void evq_event_init(struct evq_event *ev, evq_fn fn, void *arg);
/* Schedule ev at `time` (clamped to now: the past cannot be changed). */
void evq_push(struct evq *q, struct evq_event *ev, uint64_t time);
/* Remove a scheduled or staged event; no-op if it is neither. */
void evq_cancel(struct evq *q, struct evq_event *ev);
static inline int evq_pending(const struct evq_event *ev)
{
	return ev->slot != (size_t)-1;
}
/*
 * Wake ev `delay` cycles after what runs now completes or sleeps: staged
 * until the next evq_yield().  No-op if q is NULL (no queue runs the
 * events: wake-ups do nothing) or ev is queued or staged already.
 */
void evq_wake(struct evq *q, struct evq_event *ev, uint64_t delay);
static inline bool evq_staged(const struct evq_event *ev)
{
	return ev->staged;
}
/* What runs now completes or sleeps at `time`: queue the staged events
 * at time + their delay, by rank. */
void evq_yield(struct evq *q, uint64_t time);
/* The earliest event, or NULL. */
static inline struct evq_event *evq_peek(const struct evq *q)
{
	return q->len ? q->heap[0] : NULL;
}
/* Pop the earliest event, advance now, run it.  0 if the queue was empty. */
int evq_run_one(struct evq *q);

#endif /* KMSIM_EVQ_H */
