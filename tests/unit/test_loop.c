/*
 * test_loop.c - the event loop behind the async executor (bench/executors/loop.h).
 *
 * Order is checked exactly; time only where physics bounds it: a timer
 * never fires before its deadline, and 100 overlapping timers of up to
 * 50 ms finish in about 50 ms, far below their 2.5 s sum.
 */
#include <check.h>
#include <string.h>

#include "executors/loop.h"
#include "bench/error.h"
#include "bench/executor.h"
#include "check_util.h"

#define MS BENCH_NS_PER_MS

/* What the callbacks record. */
struct trace {
	int order[256];
	bench_ns at[256];
	size_t n;
};

struct mark {
	struct trace *t;
	int id;
	bench_ns deadline;  /* 0 for deferred callbacks */
	int stop;           /* stop the loop after recording */
	int cancel;         /* bench_cancel() after recording */
	struct mark *defer; /* bench__loop_defer() this one after recording */
};

static void record(struct bench__loop *loop, void *arg)
{
	struct mark *m = arg;
	struct trace *t = m->t;

	ck_assert_uint_lt(t->n, 256);
	t->at[t->n] = bench_clock_now();
	t->order[t->n++] = m->id;
	if (m->deadline)
		ck_assert_msg(t->at[t->n - 1] >= m->deadline,
			      "timer %d fired %llu ns early", m->id,
			      (unsigned long long)(m->deadline - t->at[t->n - 1]));
	if (m->defer)
		ck_assert_int_eq(bench__loop_defer(loop, record, m->defer), 0);
	if (m->cancel)
		bench_cancel();
	if (m->stop)
		bench__loop_stop(loop);
}

static void add_timer(struct bench__loop *loop, struct mark *m)
{
	ck_assert_int_eq(bench__loop_timer(loop, m->deadline, record, m), 0);
}

static void assert_order(const struct trace *t, const int *want, size_t n)
{
	ck_assert_uint_eq(t->n, n);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(t->order[i] == want[i],
			      "callback %zu was %d, expected %d", i,
			      t->order[i], want[i]);
}

/* Deadlines 30, 10, 20, 10, 20 ms, added in that order, plus one already
 * past: the past one first, then by deadline, ties in the order added. */
START_TEST(test_timer_order)
{
	struct bench__loop loop;
	struct trace t = { 0 };
	bench_ns now = bench_clock_now();
	struct mark m[] = {
		{ &t, 1, now + 30 * MS, 0, 0, NULL },
		{ &t, 2, now + 10 * MS, 0, 0, NULL },
		{ &t, 3, now + 20 * MS, 0, 0, NULL },
		{ &t, 4, now + 10 * MS, 0, 0, NULL },
		{ &t, 5, now + 20 * MS, 0, 0, NULL },
		{ &t, 6, now - 1 * MS, 0, 0, NULL },
	};
	const int want[] = { 6, 2, 4, 3, 5, 1 };

	ck_assert_int_eq(bench__loop_init(&loop), 0);
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		add_timer(&loop, &m[i]);
	ck_assert_int_eq(bench__loop_run(&loop), 0);
	assert_order(&t, want, 6);
	bench__loop_release(&loop);
}
END_TEST

/* Many equal deadlines: a heap that is not stable would mix them up. */
START_TEST(test_timer_ties_fifo)
{
	struct bench__loop loop;
	struct trace t = { 0 };
	bench_ns when = bench_clock_now() + 5 * MS;
	struct mark m[200];
	int want[200];

	ck_assert_int_eq(bench__loop_init(&loop), 0);
	for (int i = 0; i < 200; i++) {
		/* Two deadlines interleaved: all of the first, then the second. */
		m[i] = (struct mark){ &t, i, when + (bench_ns)(i % 2) * MS,
				      0, 0, NULL };
		add_timer(&loop, &m[i]);
	}
	for (int i = 0; i < 100; i++) {
		want[i] = 2 * i;
		want[100 + i] = 2 * i + 1;
	}
	ck_assert_int_eq(bench__loop_run(&loop), 0);
	assert_order(&t, want, 200);
	bench__loop_release(&loop);
}
END_TEST

/*
 * A deferred callback runs before the loop blocks: timer A (5 ms) defers
 * D; timer B (100 ms) must come after D. A loop that ran deferred work only
 * after the next wakeup would run D after B. Callbacks deferred before the
 * run start it, ahead of any timer, first-come first-served.
 */
START_TEST(test_defer_before_block)
{
	struct bench__loop loop;
	struct trace t = { 0 };
	bench_ns now = bench_clock_now();
	struct mark d = { &t, 3, 0, 0, 0, NULL };
	struct mark a = { &t, 1, now + 5 * MS, 0, 0, &d };
	struct mark b = { &t, 2, now + 100 * MS, 0, 0, NULL };
	struct mark e1 = { &t, 10, 0, 0, 0, NULL };
	struct mark e2 = { &t, 11, 0, 0, 0, NULL };
	const int want[] = { 10, 11, 1, 3, 2 };

	ck_assert_int_eq(bench__loop_init(&loop), 0);
	add_timer(&loop, &b);
	add_timer(&loop, &a);
	ck_assert_int_eq(bench__loop_defer(&loop, record, &e1), 0);
	ck_assert_int_eq(bench__loop_defer(&loop, record, &e2), 0);
	ck_assert_int_eq(bench__loop_run(&loop), 0);
	assert_order(&t, want, 5);
	ck_assert(t.at[3] < b.deadline);
	bench__loop_release(&loop);
}
END_TEST

/* A deferred callback that defers itself again, forever. */
struct spinner {
	unsigned long spins;
	bench_ns give_up;  /* fail rather than spin past this */
	int timer_fired;
};

static void spin(struct bench__loop *loop, void *arg)
{
	struct spinner *s = arg;

	s->spins++;
	if (bench_clock_now() > s->give_up) {
		bench__loop_stop(loop);
		return;
	}
	ck_assert_int_eq(bench__loop_defer(loop, spin, s), 0);
}

static void spin_timer(struct bench__loop *loop, void *arg)
{
	struct spinner *s = arg;

	s->timer_fired = 1;
	bench__loop_stop(loop);
}

START_TEST(test_defer_no_starvation)
{
	struct bench__loop loop;
	struct spinner s = { 0, bench_clock_now() + 10 * BENCH_NS_PER_S, 0 };

	ck_assert_int_eq(bench__loop_init(&loop), 0);
	ck_assert_int_eq(bench__loop_timer(&loop, bench_clock_now() + 5 * MS,
					   spin_timer, &s), 0);
	/* Several spinners, so the ready ring wraps and grows. */
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(bench__loop_defer(&loop, spin, &s), 0);
	ck_assert_int_eq(bench__loop_run(&loop), 0);
	ck_assert_msg(s.timer_fired, "the timer starved behind %lu deferred "
		      "callbacks", s.spins);
	ck_assert_uint_gt(s.spins, 100);
	bench__loop_release(&loop);
}
END_TEST

/*
 * 100 timers with deadlines spread over 0..50 ms: all fire, in deadline
 * order, and the run takes at least the longest deadline (50 ms) but
 * nowhere near the sum (about 2.5 s) a serial wait would cost.
 */
START_TEST(test_many_timers)
{
	struct bench__loop loop;
	struct trace t = { 0 };
	struct mark m[100];
	bench_ns start = bench_clock_now(), elapsed;

	ck_assert_int_eq(bench__loop_init(&loop), 0);
	for (int i = 0; i < 100; i++) {
		/* 0, 37, 74, ... ms mod 51: scattered, not in order. */
		bench_ns ms = (bench_ns)((i * 37) % 51);

		if (i == 99)
			ms = 50;
		m[i] = (struct mark){ &t, i, start + ms * MS, 0, 0, NULL };
		add_timer(&loop, &m[i]);
	}
	ck_assert_int_eq(bench__loop_run(&loop), 0);
	elapsed = bench_clock_now() - start;
	ck_assert_uint_eq(t.n, 100);
	for (size_t i = 1; i < t.n; i++)
		ck_assert_uint_le(m[t.order[i - 1]].deadline,
				  m[t.order[i]].deadline);
	ck_assert_msg(elapsed >= 50 * MS, "100 timers up to 50 ms took %llu ns",
		      (unsigned long long)elapsed);
	ck_assert_msg(elapsed < 500 * MS, "100 timers up to 50 ms took %llu ms",
		      (unsigned long long)(elapsed / MS));
	bench__loop_release(&loop);
}
END_TEST

/* Stop returns after the current callback; the rest stays queued and a
 * second run picks it up. */
START_TEST(test_stop)
{
	struct bench__loop loop;
	struct trace t = { 0 };
	bench_ns now = bench_clock_now();
	struct mark a = { &t, 1, now + 1 * MS, 1, 0, NULL };
	struct mark b = { &t, 2, now + 2 * MS, 0, 0, NULL };
	struct mark d1 = { &t, 3, 0, 1, 0, NULL };
	struct mark d2 = { &t, 4, 0, 0, 0, NULL };
	const int first[] = { 1 }, second[] = { 1, 2 };
	const int third[] = { 1, 2, 3 }, fourth[] = { 1, 2, 3, 4 };

	ck_assert_int_eq(bench__loop_init(&loop), 0);
	add_timer(&loop, &a);
	add_timer(&loop, &b);
	ck_assert_int_eq(bench__loop_run(&loop), 0);
	assert_order(&t, first, 1);
	ck_assert_int_eq(bench__loop_run(&loop), 0);
	assert_order(&t, second, 2);

	/* Likewise inside a batch of deferred callbacks. */
	ck_assert_int_eq(bench__loop_defer(&loop, record, &d1), 0);
	ck_assert_int_eq(bench__loop_defer(&loop, record, &d2), 0);
	ck_assert_int_eq(bench__loop_run(&loop), 0);
	assert_order(&t, third, 3);
	ck_assert_int_eq(bench__loop_run(&loop), 0);
	assert_order(&t, fourth, 4);

	/* Nothing left: run returns at once. */
	ck_assert_int_eq(bench__loop_run(&loop), 0);
	bench__loop_release(&loop);
}
END_TEST

/* bench_cancel() before the run, or from a callback, ends it with
 * BENCH_ECANCELED; the later timer (10 s away) never fires. */
START_TEST(test_cancel)
{
	struct bench__loop loop;
	struct trace t = { 0 };
	bench_ns now = bench_clock_now();
	struct mark a = { &t, 1, now + 1 * MS, 0, 1, NULL };
	struct mark late = { &t, 2, now + 10 * BENCH_NS_PER_S, 0, 0, NULL };
	const int want[] = { 1 };

	ck_assert_int_eq(bench__loop_init(&loop), 0);
	add_timer(&loop, &a);
	add_timer(&loop, &late);
	ck_assert_int_eq(bench__loop_run(&loop), BENCH_ECANCELED);
	assert_order(&t, want, 1);
	ck_assert(bench_canceled());
	ck_assert_uint_lt(bench_clock_now() - now, 5 * BENCH_NS_PER_S);

	/* Still canceled: a new run stops before any timer. */
	ck_assert_int_eq(bench__loop_run(&loop), BENCH_ECANCELED);
	assert_order(&t, want, 1);

	bench_cancel_reset();
	ck_assert(!bench_canceled());
	bench__loop_release(&loop);

	/* Canceled before the run starts. */
	ck_assert_int_eq(bench__loop_init(&loop), 0);
	t.n = 0;
	a.cancel = 0;
	a.deadline = bench_clock_now() + 1 * MS;
	add_timer(&loop, &a);
	bench_cancel();
	ck_assert_int_eq(bench__loop_run(&loop), BENCH_ECANCELED);
	ck_assert_uint_eq(t.n, 0);
	bench_cancel_reset();
	ck_assert_int_eq(bench__loop_run(&loop), 0);
	ck_assert_uint_eq(t.n, 1);
	bench__loop_release(&loop);
}
END_TEST

/* A loop with nothing to do returns at once instead of blocking. */
START_TEST(test_empty_run)
{
	struct bench__loop loop;

	ck_assert_int_eq(bench__loop_init(&loop), 0);
	ck_assert_int_eq(bench__loop_run(&loop), 0);
	bench__loop_release(&loop);
}
END_TEST

Suite *suite_loop(void)
{
	Suite *s = suite_create("loop");
	TCase *tc = tcase_create("loop");

	tcase_add_test(tc, test_timer_order);
	tcase_add_test(tc, test_timer_ties_fifo);
	tcase_add_test(tc, test_defer_before_block);
	tcase_add_test(tc, test_defer_no_starvation);
	tcase_add_test(tc, test_many_timers);
	tcase_add_test(tc, test_stop);
	tcase_add_test(tc, test_cancel);
	tcase_add_test(tc, test_empty_run);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
