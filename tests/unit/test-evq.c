/* test-evq.c - the event queue orders by (time, insertion). */
#include <stdlib.h>

#include "evq.h"
#include "tap.h"

struct rec {
	struct evq_event ev;
	int id;
};

static int order[64], norder;

static void note(struct evq *q, struct evq_event *ev, void *arg)
{
	struct rec *r = arg;

	(void)q;
	(void)ev;
	order[norder++] = r->id;
}

TEST(time_then_insertion_order)
{
	static const uint64_t times[] = { 50, 10, 30, 10, 50, 0, 30, 10 };
	struct rec r[8];
	struct evq q;
	int i;

	evq_init(&q);
	norder = 0;
	for (i = 0; i < 8; i++) {
		r[i].id = i;
		evq_event_init(&r[i].ev, note, &r[i]);
		evq_push(&q, &r[i].ev, times[i]);
	}
	while (evq_run_one(&q))
		;
	/* 0:5, 10:1,3,7, 30:2,6, 50:0,4 */
	ASSERT_EQ(norder, 8);
	ASSERT_EQ(order[0], 5);
	ASSERT_EQ(order[1], 1);
	ASSERT_EQ(order[2], 3);
	ASSERT_EQ(order[3], 7);
	ASSERT_EQ(order[4], 2);
	ASSERT_EQ(order[5], 6);
	ASSERT_EQ(order[6], 0);
	ASSERT_EQ(order[7], 4);
	ASSERT_UEQ(q.now, 50);
	evq_fini(&q);
}

TEST(cancel_and_reschedule)
{
	struct rec r[4];
	struct evq q;
	int i;

	evq_init(&q);
	norder = 0;
	for (i = 0; i < 4; i++) {
		r[i].id = i;
		evq_event_init(&r[i].ev, note, &r[i]);
		evq_push(&q, &r[i].ev, (uint64_t)(10 * (i + 1)));
	}
	evq_cancel(&q, &r[1].ev);
	ASSERT(!evq_pending(&r[1].ev));
	evq_cancel(&q, &r[1].ev);		/* twice is harmless */
	evq_push(&q, &r[3].ev, 5);		/* moves it to the front */
	while (evq_run_one(&q))
		;
	ASSERT_EQ(norder, 3);
	ASSERT_EQ(order[0], 3);
	ASSERT_EQ(order[1], 0);
	ASSERT_EQ(order[2], 2);
	evq_fini(&q);
}

static struct evq_event chained;

static void push_past(struct evq *q, struct evq_event *ev, void *arg)
{
	(void)ev;
	(void)arg;
	/* the past cannot be changed: clamped to now */
	evq_push(q, &chained, 0);
}

TEST(past_is_clamped_to_now)
{
	struct evq_event first;
	struct evq q;

	evq_init(&q);
	evq_event_init(&first, push_past, NULL);
	evq_event_init(&chained, push_past, NULL);
	chained.fn = NULL;
	evq_push(&q, &first, 100);
	ASSERT_EQ(evq_run_one(&q), 1);
	ASSERT(evq_pending(&chained));
	ASSERT_UEQ(evq_peek(&q)->time, 100);
	evq_fini(&q);
}

TEST(heap_stays_ordered_under_random_load)
{
	enum { N = 5000 };
	struct evq_event *ev = calloc(N, sizeof *ev);
	struct evq q;
	uint64_t x = 12345, last = 0;
	int i, n = 0;

	evq_init(&q);
	for (i = 0; i < N; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		evq_event_init(&ev[i], NULL, NULL);
		evq_push(&q, &ev[i], (x >> 33) % 1000);
	}
	for (i = 0; i < N; i += 3)
		evq_cancel(&q, &ev[i]);
	while (evq_peek(&q) != NULL) {
		struct evq_event *e = evq_peek(&q);

		ASSERT(e->time >= last);
		last = e->time;
		evq_cancel(&q, e);
		n++;
	}
	ASSERT_EQ(n, N - (N + 2) / 3);
	evq_fini(&q);
	free(ev);
}

/*
 * Wake-ups are staged until what runs yields, queued then at the yield's
 * time plus their delay, by rank whatever the order they were asked in;
 * a second wake-up of a staged or queued event is no wake-up.
 */
TEST(wake_is_staged_until_yield)
{
	struct rec r[3];
	struct evq q;
	int i;

	evq_init(&q);
	norder = 0;
	for (i = 0; i < 3; i++) {
		r[i].id = i;
		evq_event_init(&r[i].ev, note, &r[i]);
		r[i].ev.rank = (unsigned)i;
	}
	/* woken in reverse rank order, r[1] twice */
	evq_wake(&q, &r[2].ev, 10);
	evq_wake(&q, &r[1].ev, 10);
	evq_wake(&q, &r[1].ev, 99);
	evq_wake(&q, &r[0].ev, 10);
	ASSERT(evq_staged(&r[1].ev));
	ASSERT(!evq_pending(&r[1].ev));
	ASSERT(evq_peek(&q) == NULL);		/* nothing queued yet */
	evq_yield(&q, 1000);
	for (i = 0; i < 3; i++) {
		ASSERT(!evq_staged(&r[i].ev));
		ASSERT(evq_pending(&r[i].ev));
		ASSERT_UEQ(r[i].ev.time, 1010);
	}
	/* queued already: no second run */
	evq_wake(&q, &r[0].ev, 5);
	ASSERT(!evq_staged(&r[0].ev));
	evq_yield(&q, 1000);
	while (evq_run_one(&q))
		;
	ASSERT_EQ(norder, 3);
	ASSERT_EQ(order[0], 0);
	ASSERT_EQ(order[1], 1);
	ASSERT_EQ(order[2], 2);
	ASSERT_UEQ(q.now, 1010);
	/* a cancelled wake-up is forgotten; no queue: no wake-up */
	evq_wake(&q, &r[0].ev, 5);
	evq_cancel(&q, &r[0].ev);
	ASSERT(!evq_staged(&r[0].ev));
	evq_wake(NULL, &r[1].ev, 5);
	ASSERT(!evq_staged(&r[1].ev));
	evq_yield(&q, 2000);
	ASSERT(evq_peek(&q) == NULL);
	evq_fini(&q);
}

int main(void)
{
	RUN(time_then_insertion_order);
	RUN(cancel_and_reschedule);
	RUN(past_is_clamped_to_now);
	RUN(heap_stays_ordered_under_random_load);
	RUN(wake_is_staged_until_yield);
	return tap_done();
}
