/*
 * loop.c - the event loop behind the async executor. See loop.h.
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

int bench__loop_init(struct bench__loop *loop)
{
	struct epoll_event ev = { .events = EPOLLIN };

	memset(loop, 0, sizeof(*loop));
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
	loop->heap = loop->ready = NULL;
	loop->epfd = loop->tfd = -1;
}

static int before(const struct bench__timer_entry *a,
		  const struct bench__timer_entry *b)
{
	return a->deadline < b->deadline ||
	       (a->deadline == b->deadline && a->seq < b->seq);
}

static void swap(struct bench__timer_entry *a, struct bench__timer_entry *b)
{
	struct bench__timer_entry t = *a;

	*a = *b;
	*b = t;
}

int bench__loop_timer(struct bench__loop *loop, bench_ns deadline,
		      bench__loop_cb cb, void *arg)
{
	size_t i;

	if (loop->nheap == loop->capheap) {
		size_t cap = loop->capheap ? 2 * loop->capheap : 64;
		void *h = realloc(loop->heap, cap * sizeof(*loop->heap));

		if (!h)
			return BENCH_ENOMEM;
		loop->heap = h;
		loop->capheap = cap;
	}
	i = loop->nheap++;
	loop->heap[i] = (struct bench__timer_entry){ deadline, loop->seq++,
						      cb, arg };
	while (i > 0 && before(&loop->heap[i], &loop->heap[(i - 1) / 2])) {
		swap(&loop->heap[i], &loop->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	return 0;
}

static struct bench__timer_entry heap_pop(struct bench__loop *loop)
{
	struct bench__timer_entry top = loop->heap[0];
	size_t i = 0;

	loop->heap[0] = loop->heap[--loop->nheap];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < loop->nheap && before(&loop->heap[l], &loop->heap[m]))
			m = l;
		if (r < loop->nheap && before(&loop->heap[r], &loop->heap[m]))
			m = r;
		if (m == i)
			break;
		swap(&loop->heap[i], &loop->heap[m]);
		i = m;
	}
	return top;
}

int bench__loop_defer(struct bench__loop *loop, bench__loop_cb cb, void *arg)
{
	if (loop->nready == loop->capready) {
		size_t cap = loop->capready ? 2 * loop->capready : 64;
		struct bench__timer_entry *r = malloc(cap * sizeof(*r));

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
		(struct bench__timer_entry){ 0, loop->seq++, cb, arg };
	return 0;
}

void bench__loop_stop(struct bench__loop *loop)
{
	loop->stop = 1;
}

static int arm(struct bench__loop *loop, bench_ns deadline)
{
	struct itimerspec its = { 0 };

	/* A zero it_value would disarm the timer: the deadline is never 0. */
	its.it_value.tv_sec = (time_t)(deadline / BENCH_NS_PER_S);
	its.it_value.tv_nsec = (long)(deadline % BENCH_NS_PER_S);
	if (deadline == 0)
		its.it_value.tv_nsec = 1;
	return timerfd_settime(loop->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

int bench__loop_run(struct bench__loop *loop)
{
	loop->stop = 0;
	while (!loop->stop && (loop->nready || loop->nheap)) {
		struct epoll_event ev;
		size_t batch = loop->nready;
		bench_ns now;
		int n;

		/* Run only what was ready when this turn began, so a callback
		 * that defers another cannot starve the timers. */
		while (batch-- && !loop->stop) {
			struct bench__timer_entry e = loop->ready[loop->rhead];

			loop->rhead = (loop->rhead + 1) % loop->capready;
			loop->nready--;
			e.cb(loop, e.arg);
		}
		if (bench_canceled())
			return BENCH_ECANCELED;
		if (loop->stop || !loop->nheap)
			continue;
		if (arm(loop, loop->heap[0].deadline) != 0)
			return BENCH_ESYS;
		/* Bounded, so a cancel racing with this call is seen soon. */
		n = epoll_wait(loop->epfd, &ev, 1, loop->nready ? 0 : 100);
		if (n < 0 && errno != EINTR)
			return BENCH_ESYS;
		if (n > 0) {
			uint64_t expirations;

			if (read(loop->tfd, &expirations, sizeof(expirations)) < 0 &&
			    errno != EAGAIN)
				return BENCH_ESYS;
		}
		now = bench_clock_now();
		while (loop->nheap && loop->heap[0].deadline <= now && !loop->stop) {
			struct bench__timer_entry e = heap_pop(loop);

			e.cb(loop, e.arg);
		}
	}
	return bench_canceled() ? BENCH_ECANCELED : 0;
}
