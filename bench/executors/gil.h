/*
 * gil.h - a global interpreter lock, as CPython's threads have one.
 *
 * With --gil, thread-mode workers hold one lock while they compute: only
 * one computes at a time, whatever the CPU count. A thread that has
 * waited an interval (default 5 ms, sys.getswitchinterval()) for the lock
 * asks the holder to drop it; the holder notices at its next check
 * (workloads check once per item through lib/checkpoint.h, as CPython's
 * eval loop does between bytecodes), hands the lock over and waits until
 * the other thread has it (CPython's FORCE_SWITCHING). Waits (sleep, graph) release it, as
 * time.sleep does. So threads overlap waiting and never computing.
 */
#ifndef BENCH_GIL_H
#define BENCH_GIL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "bench/clock.h"
#include "lib/checkpoint.h"

struct bench__gil {
	pthread_mutex_t lock;
	pthread_cond_t released;  /* locked went to 0 */
	pthread_cond_t switched;  /* a thread took the GIL */
	int locked;
	uint64_t switch_number;   /* takes so far */
	atomic_int drop_request;  /* a waiter asks the holder to drop it */
	bench_ns interval;
	uint64_t forced;          /* drops on request */
	/* What a worker thread installs as its checkpoint hook
	 * (lib/checkpoint.h): workloads check for a drop request once per
	 * item, and waits drop the GIL. */
	struct bench__checkpoint_hook hook;
};

int bench__gil_init(struct bench__gil *g, bench_ns interval);
void bench__gil_destroy(struct bench__gil *g);
void bench__gil_take(struct bench__gil *g);
void bench__gil_drop(struct bench__gil *g);
/* Hands the GIL to the thread that asked for it, then takes it back. */
void bench__gil_yield(struct bench__gil *g);

#endif
