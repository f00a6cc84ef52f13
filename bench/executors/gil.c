/*
 * gil.c - the global interpreter lock of --gil; see gil.h. The algorithm
 * is CPython's (Python/ceval_gil.c): a mutex-protected flag, a timed wait
 * that raises a drop request after one interval without a switch, and a
 * forced switch so the dropping thread cannot take the lock straight back.
 */
#include <errno.h>
#include <time.h>

#include "gil.h"

static void hook_yield(void *ud)
{
	bench__gil_yield(ud);
}

static void hook_wait_begin(void *ud)
{
	bench__gil_drop(ud);
}

static void hook_wait_end(void *ud)
{
	bench__gil_take(ud);
}

int bench__gil_init(struct bench__gil *g, bench_ns interval)
{
	pthread_condattr_t attr;
	int rc;

	g->locked = 0;
	g->switch_number = 0;
	g->forced = 0;
	g->interval = interval;
	atomic_init(&g->drop_request, 0);
	g->hook = (struct bench__checkpoint_hook){
		&g->drop_request, hook_yield, hook_wait_begin, hook_wait_end, g
	};
	if ((rc = pthread_mutex_init(&g->lock, NULL)))
		return rc;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	rc = pthread_cond_init(&g->released, &attr);
	if (rc == 0 && (rc = pthread_cond_init(&g->switched, &attr)))
		pthread_cond_destroy(&g->released);
	pthread_condattr_destroy(&attr);
	if (rc)
		pthread_mutex_destroy(&g->lock);
	return rc;
}

void bench__gil_destroy(struct bench__gil *g)
{
	pthread_cond_destroy(&g->switched);
	pthread_cond_destroy(&g->released);
	pthread_mutex_destroy(&g->lock);
}

void bench__gil_take(struct bench__gil *g)
{
	pthread_mutex_lock(&g->lock);
	while (g->locked) {
		uint64_t seen = g->switch_number;
		bench_ns until = bench_clock_now() + g->interval;
		struct timespec ts = { (time_t)(until / BENCH_NS_PER_S),
				       (long)(until % BENCH_NS_PER_S) };
		int rc = pthread_cond_timedwait(&g->released, &g->lock, &ts);

		/* A whole interval without a switch: ask for the GIL. */
		if (rc == ETIMEDOUT && g->locked && g->switch_number == seen)
			atomic_store(&g->drop_request, 1);
	}
	g->locked = 1;
	g->switch_number++;
	atomic_store(&g->drop_request, 0);
	pthread_cond_broadcast(&g->switched);
	pthread_mutex_unlock(&g->lock);
}

void bench__gil_drop(struct bench__gil *g)
{
	pthread_mutex_lock(&g->lock);
	g->locked = 0;
	pthread_cond_signal(&g->released);
	pthread_mutex_unlock(&g->lock);
}

void bench__gil_yield(struct bench__gil *g)
{
	uint64_t seen;

	pthread_mutex_lock(&g->lock);
	g->locked = 0;
	g->forced++;
	seen = g->switch_number;
	pthread_cond_signal(&g->released);
	/* Forced switching: a waiter asked, so one will take it. */
	while (g->switch_number == seen)
		pthread_cond_wait(&g->switched, &g->lock);
	pthread_mutex_unlock(&g->lock);
	bench__gil_take(g);
}
