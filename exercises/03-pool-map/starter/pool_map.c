/*
 * pool_map.c - exercise 03: a thread pool with an asynchronous map, and
 * range counting on it. The contracts are in pool_map.h; the task is in
 * README.md.
 */
#include <pthread.h>
#include <stdlib.h>

#include "pool_map.h"

/* TODO: what a pool needs: its threads, a queue of work (a mutex and a
 * condition variable guard it), a flag to stop. */
struct pool {
	int workers;
};

/* TODO: what one map needs: fn, arg, results, how many tasks were handed
 * out and how many finished, a condition variable to wait on. */
struct map_future {
	size_t ntasks;
};

struct pool *pool_create(int workers)
{
	/* TODO: allocate the pool, start the worker threads. */
	(void)workers;
	return NULL;
}

struct map_future *pool_map_async(struct pool *p, map_fn fn, void *arg,
				  size_t ntasks, long *results)
{
	/* TODO: make a future, queue its tasks, wake the workers, return at
	 * once. */
	(void)p;
	(void)fn;
	(void)arg;
	(void)ntasks;
	(void)results;
	return NULL;
}

int map_wait(struct map_future *f)
{
	/* TODO: wait until all of f's tasks finished, then free f. */
	(void)f;
	return -1;
}

void pool_destroy(struct pool *p)
{
	/* TODO: tell the workers to stop once the queue is empty, join them,
	 * free everything. */
	(void)p;
}

long count_in_range(const int *values, size_t n, int lo, int hi, int workers)
{
	/* TODO: split values into chunks, count each chunk in a task of one
	 * pool_map_async, map_wait, add the partial counts. */
	(void)values;
	(void)n;
	(void)lo;
	(void)hi;
	(void)workers;
	return -1;
}
