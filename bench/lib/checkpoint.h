/*
 * checkpoint.h - where a workload lets its executor step in: once per item
 * (bench__checkpoint) and around a blocking wait (bench__wait_begin and
 * bench__wait_end).
 *
 * Outside an executor that cares, each costs one thread-local load. The
 * thread pool under --gil installs its lock here (executors/gil.c), so no
 * workload names an executor: the check between items is CPython's eval
 * loop checking between bytecodes whether another thread asked for the
 * GIL, and a wait lets go of it, as time.sleep does.
 */
#ifndef BENCH_CHECKPOINT_H
#define BENCH_CHECKPOINT_H

#include <stdatomic.h>
#include <stddef.h>

struct bench__checkpoint_hook {
	atomic_int *request;            /* non-zero: yield at the next check */
	void (*yield)(void *ud);        /* a checkpoint with request set */
	void (*wait_begin)(void *ud);   /* before a blocking wait */
	void (*wait_end)(void *ud);     /* after it */
	void *ud;
};

/* The hook of this thread, or NULL (set by the executor running it). */
extern _Thread_local const struct bench__checkpoint_hook *bench__checkpoint_current;

/* Called by workloads once per item. */
static inline void bench__checkpoint(void)
{
	const struct bench__checkpoint_hook *h = bench__checkpoint_current;

	if (h && atomic_load_explicit(h->request, memory_order_relaxed))
		h->yield(h->ud);
}

/* Around a blocking wait: lets the others compute meanwhile. */
static inline void bench__wait_begin(void)
{
	const struct bench__checkpoint_hook *h = bench__checkpoint_current;

	if (h)
		h->wait_begin(h->ud);
}

static inline void bench__wait_end(void)
{
	const struct bench__checkpoint_hook *h = bench__checkpoint_current;

	if (h)
		h->wait_end(h->ud);
}

#endif
