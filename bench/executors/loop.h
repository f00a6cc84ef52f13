/*
 * loop.h - a small single-threaded event loop: epoll, timers, ready queue.
 *
 * Timers live in a 4-ary min-heap keyed by absolute deadline, stored
 * inline in one array of 16-byte entries, so the four children of a node
 * share a cache line and a million timers take 16 MB with no allocation
 * per timer. A timer carries a 32-bit id instead of a callback and its
 * argument: the loop hands the id back to the one on_timer callback given
 * to bench__loop_init(), which finds its own state by it (an index into
 * an array of its own). One timerfd, armed with TFD_TIMER_ABSTIME for the
 * earliest deadline (give or take 50 us of slack, never early), is
 * registered in epoll, so every wakeup goes through epoll_wait() like any
 * other event and deadlines never drift. Callbacks
 * queued with bench__loop_defer() run on the next turn, before the loop
 * blocks again. Written by hand rather than taking libuv because the async
 * executor needs only timers and a ready queue, and its per-task cost has
 * to be visible in a benchmark, not hidden behind a general-purpose loop.
 */
#ifndef BENCH_LOOP_H
#define BENCH_LOOP_H

#include <stddef.h>
#include <stdint.h>

#include "bench/clock.h"

struct bench__loop;
typedef void (*bench__loop_cb)(struct bench__loop *loop, void *arg);
typedef void (*bench__loop_timer_cb)(struct bench__loop *loop, uint32_t id);

/* One timer, 16 bytes. */
struct bench__timer {
	bench_ns deadline;   /* absolute, CLOCK_MONOTONIC */
	uint32_t seq;        /* ties broken first-come first-served; the
				live timers are renumbered before it wraps */
	uint32_t id;         /* the caller's, handed to on_timer */
};

/* One deferred callback. */
struct bench__deferred {
	bench__loop_cb cb;
	void *arg;
};

struct bench__loop {
	int epfd;
	int tfd;                          /* the one timerfd */
	bench_ns armed;                   /* deadline tfd is armed for; 0 none */
	bench__loop_timer_cb on_timer;
	void *data;                       /* the owner's, for on_timer */
	struct bench__timer *heap;        /* 4-ary min-heap by (deadline, seq) */
	size_t nheap, capheap;            /* entries */
	struct bench__deferred *ready;    /* ring of deferred callbacks */
	size_t rhead, nready, capready;   /* entries */
	uint32_t seq;                     /* the next timer's */
	int stop;
};

/* Timers call on_timer(loop, id); data is left in loop->data for it.
 * Returns 0 or BENCH_ESYS. */
int bench__loop_init(struct bench__loop *loop, bench__loop_timer_cb on_timer,
		     void *data);
void bench__loop_release(struct bench__loop *loop);

/* Calls on_timer(loop, id) once at or after deadline; timers with equal
 * deadlines fire in the order they were added. O(log n). Returns 0 or
 * BENCH_ENOMEM. */
int bench__loop_timer(struct bench__loop *loop, bench_ns deadline, uint32_t id);

/* Makes room for n timers in one allocation, so that adding them does
 * not grow (and copy) the heap. Returns 0 or BENCH_ENOMEM (the heap then
 * grows as timers come). */
int bench__loop_reserve(struct bench__loop *loop, size_t n);

/* Calls cb(arg) on the next turn of the loop. Returns 0 or BENCH_ENOMEM. */
int bench__loop_defer(struct bench__loop *loop, bench__loop_cb cb, void *arg);

/* Makes bench__loop_run() return after the current callback. */
void bench__loop_stop(struct bench__loop *loop);

/*
 * Runs until no timer or deferred callback is left, or until stopped.
 * Returns 0, BENCH_ECANCELED after bench_cancel() (seen after the current
 * callback, or within 100 ms while blocked), or BENCH_ESYS.
 */
int bench__loop_run(struct bench__loop *loop);

#endif
