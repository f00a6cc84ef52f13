/*
 * loop.h - a small single-threaded event loop: epoll, timers, ready queue.
 *
 * Timers live in a binary min-heap keyed by absolute deadline; one timerfd,
 * armed with TFD_TIMER_ABSTIME for the earliest deadline, is registered in
 * epoll, so every wakeup goes through epoll_wait() like any other event
 * and deadlines never drift. Callbacks queued with bench__loop_defer() run
 * on the next turn, before the loop blocks again. Written by hand rather
 * than taking libuv because the async executor needs only timers and a
 * ready queue, and its per-task cost has to be visible in a benchmark, not
 * hidden behind a general-purpose loop.
 */
#ifndef BENCH_LOOP_H
#define BENCH_LOOP_H

#include <stddef.h>

#include "bench/clock.h"

struct bench__loop;
typedef void (*bench__loop_cb)(struct bench__loop *loop, void *arg);

struct bench__timer_entry {
	bench_ns deadline;   /* absolute, CLOCK_MONOTONIC */
	uint64_t seq;        /* ties broken first-come first-served */
	bench__loop_cb cb;
	void *arg;
};

struct bench__loop {
	int epfd;
	int tfd;                          /* the one timerfd */
	struct bench__timer_entry *heap;  /* min-heap by (deadline, seq) */
	size_t nheap, capheap;
	struct bench__timer_entry *ready; /* FIFO of deferred callbacks */
	size_t rhead, nready, capready;
	uint64_t seq;
	int stop;
};

/* Returns 0 or BENCH_ESYS. */
int bench__loop_init(struct bench__loop *loop);
void bench__loop_release(struct bench__loop *loop);

/* Calls cb(arg) once at or after deadline. Returns 0 or BENCH_ENOMEM. */
int bench__loop_timer(struct bench__loop *loop, bench_ns deadline,
		      bench__loop_cb cb, void *arg);

/* Calls cb(arg) on the next turn of the loop. Returns 0 or BENCH_ENOMEM. */
int bench__loop_defer(struct bench__loop *loop, bench__loop_cb cb, void *arg);

/* Makes bench__loop_run() return after the current callback. */
void bench__loop_stop(struct bench__loop *loop);

/*
 * Runs until no timer or deferred callback is left, or until stopped.
 * Returns 0, BENCH_ECANCELED after bench_cancel(), or BENCH_ESYS.
 */
int bench__loop_run(struct bench__loop *loop);

#endif
