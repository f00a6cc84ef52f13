/*
 * gil.h - a global interpreter lock, as CPython's threads have one.
 *
 * With --gil, thread-mode workers hold one lock while they compute: only
 * one computes at a time, whatever the CPU count. A thread that has
 * waited an interval (default 5 ms, sys.getswitchinterval()) for the lock
 * asks the holder to drop it; the holder notices at its next check
 * (workloads check once per item, as CPython's eval loop does between
 * bytecodes), hands the lock over and waits until the other thread has
 * it (CPython's FORCE_SWITCHING). Waits (sleep, graph) release it, as
 * time.sleep does. So threads overlap waiting and never computing.
 */
#ifndef BENCH_GIL_H
#define BENCH_GIL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "bench/clock.h"

struct bench__gil {
	pthread_mutex_t lock;
	pthread_cond_t released;  /* locked went to 0 */
	pthread_cond_t switched;  /* a thread took the GIL */
	int locked;
	uint64_t switch_number;   /* takes so far */
	atomic_int drop_request;  /* a waiter asks the holder to drop it */
	bench_ns interval;
	uint64_t forced;          /* drops on request */
};

/* The GIL of this thread, or NULL (no --gil, or not a thread worker). */
extern _Thread_local struct bench__gil *bench__gil_current;

int bench__gil_init(struct bench__gil *g, bench_ns interval);
void bench__gil_destroy(struct bench__gil *g);
void bench__gil_take(struct bench__gil *g);
void bench__gil_drop(struct bench__gil *g);
/* Hands the GIL to the thread that asked for it, then takes it back. */
void bench__gil_yield(struct bench__gil *g);

/* Called by workloads once per item: the eval loop's check. */
static inline void bench__gil_check(void)
{
	struct bench__gil *g = bench__gil_current;

	if (g && atomic_load_explicit(&g->drop_request, memory_order_relaxed))
		bench__gil_yield(g);
}

/* Around a blocking wait: let the others compute meanwhile. */
static inline void bench__gil_release_for_wait(void)
{
	if (bench__gil_current)
		bench__gil_drop(bench__gil_current);
}

static inline void bench__gil_reacquire(void)
{
	if (bench__gil_current)
		bench__gil_take(bench__gil_current);
}

#endif
