/*
 * test_loop.c - the event loop behind the async executor
 * (bench/executors/loop.h), and the async executor at scale.
 *
 * Order is checked exactly; time only where physics bounds it: a timer
 * never fires before its deadline, and 100 overlapping timers of up to
 * 50 ms finish in about 50 ms, far below their 2.5 s sum. The executor is
 * driven through bench_exec() with workloads of this file whose waits are
 * microseconds, so a hundred thousand tasks in flight take a moment, and
 * every item is checked to have run exactly once.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* Timers carry an id: the callback and argument it stands for. Each test
 * runs in a process of its own, so one table serves them all. */
static struct {
	bench__loop_cb cb;
	void *arg;
} timers[512];
static uint32_t ntimers;

static void on_timer(struct bench__loop *loop, uint32_t id)
{
	ck_assert_uint_lt(id, ntimers);
	timers[id].cb(loop, timers[id].arg);
}

static void add_cb_timer(struct bench__loop *loop, bench_ns deadline,
			 bench__loop_cb cb, void *arg)
{
	ck_assert_uint_lt(ntimers, 512);
	timers[ntimers].cb = cb;
	timers[ntimers].arg = arg;
	ck_assert_int_eq(bench__loop_timer(loop, deadline, ntimers), 0);
	ntimers++;
}

static void add_timer(struct bench__loop *loop, struct mark *m)
{
	add_cb_timer(loop, m->deadline, record, m);
}

static void loop_init(struct bench__loop *loop)
{
	ck_assert_int_eq(bench__loop_init(loop, on_timer, NULL), 0);
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

	loop_init(&loop);
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

	loop_init(&loop);
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

	loop_init(&loop);
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

/* Fires every 5 ms until the spinners have gone round many times (on a
 * loaded machine one round can outlast 5 ms): each firing is a timer that
 * did not starve, and the last stops the loop. */
static void spin_timer(struct bench__loop *loop, void *arg)
{
	struct spinner *s = arg;

	s->timer_fired++;
	if (s->spins < 1000 && bench_clock_now() < s->give_up) {
		add_cb_timer(loop, bench_clock_now() + 5 * MS, spin_timer, s);
		return;
	}
	bench__loop_stop(loop);
}

START_TEST(test_defer_no_starvation)
{
	struct bench__loop loop;
	struct spinner s = { 0, bench_clock_now() + 10 * BENCH_NS_PER_S, 0 };

	loop_init(&loop);
	add_cb_timer(&loop, bench_clock_now() + 5 * MS, spin_timer, &s);
	/* Several spinners, so the ready ring wraps and grows. */
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(bench__loop_defer(&loop, spin, &s), 0);
	ck_assert_int_eq(bench__loop_run(&loop), 0);
	ck_assert_msg(s.timer_fired, "the timer starved behind %lu deferred "
		      "callbacks", s.spins);
	ck_assert_uint_ge(s.spins, 1000);
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

	loop_init(&loop);
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

	loop_init(&loop);
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

	loop_init(&loop);
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
	loop_init(&loop);
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

	loop_init(&loop);
	ck_assert_int_eq(bench__loop_run(&loop), 0);
	bench__loop_release(&loop);
}
END_TEST

/* ------------------------------------------------------------------------
 * The heap at scale, its order checked against a sort.
 */

static struct bench__timer *fired;
static size_t nfired;

static void on_timer_log(struct bench__loop *loop, uint32_t id)
{
	struct bench__timer *all = loop->data;

	fired[nfired++] = all[id];
}

static int by_deadline_then_id(const void *a, const void *b)
{
	const struct bench__timer *x = a, *y = b;

	if (x->deadline != y->deadline)
		return x->deadline < y->deadline ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/*
 * 200000 timers, already due, with deadlines drawn from a small range so
 * that many tie, added in a scrambled order (ids in the order added): they
 * fire exactly in (deadline, order added) order, what a sort gives.
 */
START_TEST(test_heap_order_many)
{
	enum { N = 200000 };
	struct bench__loop loop;
	struct bench__timer *all = calloc(N, sizeof(*all));
	struct bench__timer *want = calloc(N, sizeof(*want));
	bench_ns base = bench_clock_now() - 10 * BENCH_NS_PER_S;
	uint64_t x = 88172645463325252ull;

	ck_assert_ptr_nonnull(all);
	ck_assert_ptr_nonnull(want);
	fired = calloc(N, sizeof(*fired));
	ck_assert_ptr_nonnull(fired);
	ck_assert_int_eq(bench__loop_init(&loop, on_timer_log, all), 0);
	for (uint32_t i = 0; i < N; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		all[i] = (struct bench__timer){ base + x % 5000, 0, i };
		ck_assert_int_eq(bench__loop_timer(&loop, all[i].deadline, i), 0);
	}
	memcpy(want, all, N * sizeof(*want));
	qsort(want, N, sizeof(*want), by_deadline_then_id);
	ck_assert_int_eq(bench__loop_run(&loop), 0);
	ck_assert_uint_eq(nfired, N);
	for (size_t i = 0; i < N; i++)
		ck_assert_msg(fired[i].id == want[i].id,
			      "timer %zu fired was id %u, expected %u", i,
			      fired[i].id, want[i].id);
	bench__loop_release(&loop);
	free(fired);
	free(want);
	free(all);
}
END_TEST

/*
 * The sequence number that breaks ties wraps after 2^32 timers: the live
 * ones are renumbered first, so ties added across the wrap still fire in
 * the order added, among timers of other deadlines.
 */
START_TEST(test_seq_wrap_keeps_ties_fifo)
{
	enum { N = 40 };
	struct bench__loop loop;
	struct bench__timer all[N];
	bench_ns when = bench_clock_now() - BENCH_NS_PER_S;

	fired = calloc(N, sizeof(*fired));
	ck_assert_ptr_nonnull(fired);
	ck_assert_int_eq(bench__loop_init(&loop, on_timer_log, all), 0);
	loop.seq = UINT32_MAX - N / 2;
	for (uint32_t i = 0; i < N; i++) {
		/* Ids 0, 3, 6... share one deadline, the others another two. */
		all[i] = (struct bench__timer){ when + (i % 3) * MS, 0, i };
		ck_assert_int_eq(bench__loop_timer(&loop, all[i].deadline, i), 0);
	}
	ck_assert_uint_lt(loop.seq, N + 1);  /* renumbered once */
	ck_assert_int_eq(bench__loop_run(&loop), 0);
	ck_assert_uint_eq(nfired, N);
	for (size_t i = 1; i < N; i++)
		ck_assert_msg(by_deadline_then_id(&fired[i - 1], &fired[i]) < 0,
			      "timer %u fired before timer %u", fired[i - 1].id,
			      fired[i].id);
	bench__loop_release(&loop);
	free(fired);
}
END_TEST

/* ------------------------------------------------------------------------
 * The async executor, through bench_exec(), on workloads of this file:
 * "ticks" waits a few microseconds per item (item i waits
 * (i * 7919) % span_us us, 0 for some), indexed or streamed in batches
 * that own their bytes; its result counts the items, sums them and their
 * squares, so an item run twice or never shows.
 */

struct ticks {
	uint64_t n;          /* items */
	uint64_t span_us;    /* waits are 0..span_us-1 us */
	bench_ns wait_ns;    /* instead, when not 0: every item waits this */
	uint64_t next;       /* streaming: the next item to hand out */
};

struct ticks_partial {
	uint64_t count, sum, sumsq;
};

/* Tasks whose wait began and which have not run yet (chunk 1), and the
 * most seen at once. The executor runs on one thread. */
static uint64_t waiting, most_waiting;

static uint64_t ticks_count(const void *state)
{
	return ((const struct ticks *)state)->n;
}

static bench_ns ticks_wait(const void *state, uint64_t i)
{
	const struct ticks *t = state;

	if (++waiting > most_waiting)
		most_waiting = waiting;
	if (t->wait_ns)
		return t->wait_ns;
	return (bench_ns)((i * 7919) % t->span_us) * BENCH_NS_PER_US;
}

static void ticks_init(void *partial)
{
	memset(partial, 0, sizeof(struct ticks_partial));
}

static int ticks_run(const void *state, const struct bench_task *task,
		     void *partial, struct bench_err *err)
{
	struct ticks_partial *p = partial;

	(void)state;
	(void)err;
	/* A streamed batch's bytes: its items, still there. */
	if (task->data)
		ck_assert_uint_le(((const uint64_t *)task->data)[0], task->first);
	for (uint64_t i = task->first; i < task->first + task->count; i++) {
		p->count++;
		p->sum += i;
		p->sumsq += i * i;
		waiting--;
	}
	return 0;
}

static void ticks_merge(void *acc, const void *partial)
{
	struct ticks_partial *a = acc;
	const struct ticks_partial *p = partial;

	a->count += p->count;
	a->sum += p->sum;
	a->sumsq += p->sumsq;
}

static void ticks_checksum(const void *acc, char *out)
{
	const struct ticks_partial *a = acc;

	snprintf(out, BENCH_CHECKSUM_MAX, "%016llx",
		 (unsigned long long)(a->sum ^ a->sumsq ^ a->count));
}

static int ticks_next_batch(void *state, uint64_t max_items,
			    struct bench_task *task, struct bench_err *err)
{
	static uint64_t bytes[64];
	struct ticks *t = state;

	(void)err;
	if (t->next >= t->n)
		return 0;
	task->first = t->next;
	task->count = t->n - t->next < max_items ? t->n - t->next : max_items;
	bytes[0] = task->first;
	task->data = bytes;
	task->len = sizeof(bytes);
	t->next += task->count;
	return 1;
}

static int ticks_rewind(void *state, struct bench_err *err)
{
	(void)err;
	((struct ticks *)state)->next = 0;
	return 0;
}

static const struct bench_workload ticks_indexed = {
	.name = "ticks",
	.flags = BENCH_WL_WAITS,
	.partial_size = sizeof(struct ticks_partial),
	.item_count = ticks_count,
	.wait_ns = ticks_wait,
	.partial_init = ticks_init,
	.run = ticks_run,
	.merge = ticks_merge,
	.checksum = ticks_checksum,
};

static const struct bench_workload ticks_streamed = {
	.name = "ticks",
	.flags = BENCH_WL_WAITS,
	.partial_size = sizeof(struct ticks_partial),
	.next_batch = ticks_next_batch,
	.rewind = ticks_rewind,
	.wait_ns = ticks_wait,
	.partial_init = ticks_init,
	.run = ticks_run,
	.merge = ticks_merge,
	.checksum = ticks_checksum,
};

/* Runs t in async mode and checks that every item ran exactly once. */
static void ticks_exec(const struct bench_workload *wl, struct ticks *t,
		       unsigned workers, uint64_t chunk)
{
	struct bench_exec_opts o = { .workers = workers, .chunk = chunk };
	struct bench_err err = { 0 };
	struct bench_sample s;
	const struct ticks_partial *p = (const void *)s.result;
	uint64_t n = t->n;
	int rc;

	waiting = most_waiting = 0;
	rc = bench_exec(MODE(async), wl, t, &o, &s, &err);
	ck_assert_msg(rc == 0, "async, %u workers, chunk %llu: %s (%s)", workers,
		      (unsigned long long)chunk, bench_strerror(rc), err.msg);
	ck_assert_uint_eq(p->count, n);
	ck_assert_uint_eq(p->sum, n * (n - 1) / 2);
	ck_assert_uint_eq(p->sumsq, (n - 1) * n * (2 * n - 1) / 6);
	ck_assert_uint_eq(s.tasks, n / chunk + (n % chunk != 0));
	ck_assert_uint_eq(waiting, 0);
	ck_assert_uint_le(most_waiting, workers);
}

/* How many items of t wait at all: the others run as they start. */
static uint64_t ticks_waiting(const struct ticks *t)
{
	uint64_t n = 0;

	for (uint64_t i = 0; i < t->n; i++)
		n += (i * 7919) % t->span_us != 0;
	return n;
}

/* 100000 tasks in flight at once, waits up to 2 ms: every item once, all
 * of them waiting together, and the whole in far less than the 100 s
 * their waits add up to. */
START_TEST(test_async_hundred_thousand)
{
	struct ticks t = { .n = 100000, .span_us = 2000 };
	bench_ns t0 = bench_clock_now(), took;

	ticks_exec(&ticks_indexed, &t, 100000, 1);
	took = bench_clock_now() - t0;
	ck_assert_uint_eq(most_waiting, ticks_waiting(&t));
	ck_assert_msg(took < 30 * BENCH_NS_PER_S, "took %llu ms",
		      (unsigned long long)(took / MS));
}
END_TEST

/* --workers caps the tasks in flight, with more tasks than workers and
 * with more workers than tasks. */
START_TEST(test_async_workers_cap)
{
	struct ticks t = { .n = 3000, .span_us = 300 };

	ticks_exec(&ticks_indexed, &t, 7, 1);
	ck_assert_uint_eq(most_waiting, 7);
	ticks_exec(&ticks_indexed, &t, 1, 1);
	ck_assert_uint_eq(most_waiting, 1);
	ticks_exec(&ticks_indexed, &t, BENCH_WORKERS_MAX, 1);
	ck_assert_uint_eq(most_waiting, ticks_waiting(&t));
}
END_TEST

/* Tasks of several items wait item by item; a last task shorter than the
 * others; batches that own their bytes, parked with them. */
START_TEST(test_async_chunks_and_batches)
{
	struct ticks t = { .n = 5001, .span_us = 500 };

	ticks_exec(&ticks_indexed, &t, 50, 7);
	ticks_exec(&ticks_indexed, &t, 5000, 100);
	ticks_exec(&ticks_streamed, &t, 40, 9);
	t.next = 0;
	ticks_exec(&ticks_streamed, &t, 1000, 1);
}
END_TEST

static _Atomic bench_ns canceled_at;

static void *cancel_later(void *arg)
{
	usleep((useconds_t)(uintptr_t)arg);
	canceled_at = bench_clock_now();
	bench_cancel();
	return NULL;
}

/* A cancel while 200000 tasks wait 30 s each, indexed or streamed (whose
 * parked batches must be freed: the sanitizer builds check): the sample
 * ends with BENCH_ECANCELED within a second, not half a minute. */
START_TEST(test_async_cancel_many)
{
	for (int streamed = 0; streamed < 2; streamed++) {
		struct ticks t = { .n = 200000, .wait_ns = 30 * BENCH_NS_PER_S };
		struct bench_exec_opts o = { .workers = 200000, .chunk = 1 };
		struct bench_err err = { 0 };
		struct bench_sample s;
		pthread_t th;
		bench_ns took;
		int rc;

		bench_cancel_reset();
		ck_assert_int_eq(pthread_create(&th, NULL, cancel_later,
						(void *)(uintptr_t)300000), 0);
		rc = bench_exec(MODE(async),
				streamed ? &ticks_streamed : &ticks_indexed,
				&t, &o, &s, &err);
		took = bench_clock_now() - canceled_at;
		ck_assert_int_eq(pthread_join(th, NULL), 0);
		ck_assert_int_eq(rc, BENCH_ECANCELED);
		assert_contains(err.msg, "interrupted");
		ck_assert_uint_eq(s.tasks, 0);
		ck_assert_msg(took < BENCH_NS_PER_S, "returned %llu ms after the cancel",
			      (unsigned long long)(took / MS));
	}
	bench_cancel_reset();
}
END_TEST

/* The rows' limits: the pools keep the default, async takes the most. */
START_TEST(test_async_limit)
{
	for (size_t i = 0; bench_executors[i]; i++)
		ck_assert_uint_le(bench_executor_max_workers(bench_executors[i]),
				  BENCH_WORKERS_MAX);
	ck_assert_uint_eq(bench_executor_max_workers(MODE(async)),
			  BENCH_WORKERS_MAX);
	ck_assert_uint_eq(bench_executor_max_workers(MODE(thread)),
			  BENCH_POOL_WORKERS_MAX);
	ck_assert_uint_eq(bench_executors_max_workers(), BENCH_WORKERS_MAX);
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
	tcase_add_test(tc, test_heap_order_many);
	tcase_add_test(tc, test_seq_wrap_keeps_ties_fifo);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("async");
	tcase_add_test(tc, test_async_hundred_thousand);
	tcase_add_test(tc, test_async_workers_cap);
	tcase_add_test(tc, test_async_chunks_and_batches);
	tcase_add_test(tc, test_async_cancel_many);
	tcase_add_test(tc, test_async_limit);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}
