/*
 * loop.c - the event loop behind the async executor. See loop.h.
 *
 * The heap is 4-ary rather than binary: half as many levels, and the four
 * children compared at each level lie in one cache line, which is what
 * sifting a million entries down costs. Ties are broken by a 32-bit
 * sequence number; rather than widen every entry for the day it wraps,
 * the live timers are renumbered then (sorted, which leaves a valid heap),
 * once every four billion timers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "bench/error.h"
#include "bench/executor.h"
#include "loop.h"

/* Longest block in epoll_wait: a cancel racing with the call is seen
 * within it (a signal landing inside the call interrupts it at once). */
#define BLOCK_MS 100

#define ARITY 4

/* The timerfd is armed for deadlines rounded up to a multiple of this,
 * the kernel's default timer slack: timers due close together then share
 * one wakeup (three system calls) instead of taking one each, which under
 * a million timers a second is most of the loop's work. */
#define SLACK_NS (50 * BENCH_NS_PER_US)

int bench__loop_init(struct bench__loop *loop, bench__loop_timer_cb on_timer,
		     void *data)
{
	struct epoll_event ev = { .events = EPOLLIN };

	memset(loop, 0, sizeof(*loop));
	loop->on_timer = on_timer;
	loop->data = data;
	loop->tfd = -1;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0)
		return BENCH_ESYS;
	loop->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (loop->tfd < 0 ||
	    epoll_ctl(loop->epfd, EPOLL_CTL_ADD, loop->tfd, &ev) != 0) {
		bench__loop_release(loop);
		return BENCH_ESYS;
	}
	return 0;
}

void bench__loop_release(struct bench__loop *loop)
{
	if (loop->tfd >= 0)
		close(loop->tfd);
	if (loop->epfd >= 0)
		close(loop->epfd);
	free(loop->heap);
	free(loop->ready);
	loop->heap = NULL;
	loop->ready = NULL;
	loop->nheap = loop->capheap = 0;
	loop->nready = loop->capready = loop->rhead = 0;
	loop->epfd = loop->tfd = -1;
}

static int before(const struct bench__timer *a, const struct bench__timer *b)
{
	return a->deadline < b->deadline ||
	       (a->deadline == b->deadline && a->seq < b->seq);
}

static int compare(const void *a, const void *b)
{
	return before(a, b) ? -1 : before(b, a) ? 1 : 0;
}

/* Gives the live timers the numbers 0..n-1 in firing order. A sorted
 * array is a heap, so the heap stays valid. */
static void renumber(struct bench__loop *loop)
{
	qsort(loop->heap, loop->nheap, sizeof(*loop->heap), compare);
	for (size_t i = 0; i < loop->nheap; i++)
		loop->heap[i].seq = (uint32_t)i;
	loop->seq = (uint32_t)loop->nheap;
}

int bench__loop_reserve(struct bench__loop *loop, size_t n)
{
	void *h;

	if (n <= loop->capheap)
		return 0;
	/* The sequence numbers must stay below UINT32_MAX. */
	if (n >= UINT32_MAX - 1 || n > SIZE_MAX / sizeof(*loop->heap) ||
	    !(h = realloc(loop->heap, n * sizeof(*loop->heap))))
		return BENCH_ENOMEM;
	loop->heap = h;
	loop->capheap = n;
	return 0;
}

int bench__loop_timer(struct bench__loop *loop, bench_ns deadline, uint32_t id)
{
	struct bench__timer t;
	size_t i;

	if (loop->nheap == loop->capheap &&
	    bench__loop_reserve(loop, loop->capheap ? 2 * loop->capheap : 64))
		return BENCH_ENOMEM;
	if (loop->seq == UINT32_MAX)
		renumber(loop);
	t = (struct bench__timer){ deadline, loop->seq++, id };
	/* Sift up, moving parents into the hole instead of swapping. */
	for (i = loop->nheap++; i > 0; ) {
		size_t parent = (i - 1) / ARITY;

		if (!before(&t, &loop->heap[parent]))
			break;
		loop->heap[i] = loop->heap[parent];
		i = parent;
	}
	loop->heap[i] = t;
	return 0;
}

static struct bench__timer heap_pop(struct bench__loop *loop)
{
	struct bench__timer top = loop->heap[0], last;
	size_t n = --loop->nheap, i = 0;

	if (n == 0)
		return top;
	last = loop->heap[n];
	for (;;) {
		size_t c = ARITY * i + 1, end = c + ARITY, m;

		if (c >= n)
			break;
		if (end > n)
			end = n;
		m = c;
		for (size_t j = c + 1; j < end; j++)
			if (before(&loop->heap[j], &loop->heap[m]))
				m = j;
		if (!before(&loop->heap[m], &last))
			break;
		loop->heap[i] = loop->heap[m];
		i = m;
	}
	loop->heap[i] = last;
	return top;
}

int bench__loop_defer(struct bench__loop *loop, bench__loop_cb cb, void *arg)
{
	if (loop->nready == loop->capready) {
		size_t cap = loop->capready ? 2 * loop->capready : 64;
		struct bench__deferred *r = malloc(cap * sizeof(*r));

		if (!r)
			return BENCH_ENOMEM;
		/* Unwrap the ring into the new buffer. */
		for (size_t i = 0; i < loop->nready; i++)
			r[i] = loop->ready[(loop->rhead + i) % loop->capready];
		free(loop->ready);
		loop->ready = r;
		loop->rhead = 0;
		loop->capready = cap;
	}
	loop->ready[(loop->rhead + loop->nready++) % loop->capready] =
		(struct bench__deferred){ cb, arg };
	return 0;
}

void bench__loop_stop(struct bench__loop *loop)
{
	loop->stop = 1;
}

/* Arms the timerfd for deadline unless it already is. */
static int arm(struct bench__loop *loop, bench_ns deadline)
{
	struct itimerspec its = { 0 };

	/* Never 0: a zero it_value would disarm the timer. */
	deadline = (deadline / SLACK_NS + 1) * SLACK_NS;
	if (loop->armed == deadline)
		return 0;
	its.it_value.tv_sec = (time_t)(deadline / BENCH_NS_PER_S);
	its.it_value.tv_nsec = (long)(deadline % BENCH_NS_PER_S);
	if (timerfd_settime(loop->tfd, TFD_TIMER_ABSTIME, &its, NULL) != 0)
		return BENCH_ESYS;
	loop->armed = deadline;
	return 0;
}

/* Blocks until the earliest deadline, a signal, or BLOCK_MS. */
static int block(struct bench__loop *loop)
{
	struct epoll_event ev;
	uint64_t expirations;
	int n;

	if (arm(loop, loop->heap[0].deadline) != 0)
		return BENCH_ESYS;
	n = epoll_wait(loop->epfd, &ev, 1, BLOCK_MS);
	if (n < 0 && errno != EINTR)
		return BENCH_ESYS;
	if (n > 0) {
		/* The timerfd fired and is disarmed: the next turn arms it. */
		loop->armed = 0;
		if (read(loop->tfd, &expirations, sizeof(expirations)) < 0 &&
		    errno != EAGAIN)
			return BENCH_ESYS;
	}
	return 0;
}

int bench__loop_run(struct bench__loop *loop)
{
	loop->stop = 0;
	while (!loop->stop && (loop->nready || loop->nheap)) {
		size_t batch = loop->nready;
		bench_ns now;

		/* Run only what was ready when this turn began, so a callback
		 * that defers another cannot starve the timers. */
		while (batch-- && !loop->stop && !bench_canceled()) {
			struct bench__deferred d = loop->ready[loop->rhead];

			loop->rhead = (loop->rhead + 1) % loop->capready;
			loop->nready--;
			d.cb(loop, d.arg);
		}
		if (bench_canceled())
			return BENCH_ECANCELED;
		if (loop->stop || !loop->nheap)
			continue;
		/* Block only when nothing is due and nothing deferred: under
		 * load, timers fall due faster than a wakeup would cost. */
		now = bench_clock_now();
		if (loop->heap[0].deadline > now && !loop->nready) {
			if (block(loop) != 0)
				return BENCH_ESYS;
			now = bench_clock_now();
		}
		while (loop->nheap && loop->heap[0].deadline <= now &&
		       !loop->stop && !bench_canceled()) {
			struct bench__timer t = heap_pop(loop);

			loop->on_timer(loop, t.id);
		}
	}
	return bench_canceled() ? BENCH_ECANCELED : 0;
}
