/*
 * pool_map.h - exercise 03: a small thread pool with an asynchronous map,
 * and range counting on it.
 */
#ifndef POOL_MAP_H
#define POOL_MAP_H

#include <stddef.h>

/* The most workers a pool may have. */
#define POOL_MAX_WORKERS 32

/* A pool of worker threads; you define struct pool in pool_map.c. */
struct pool;
/* One map in flight; you define it too. */
struct map_future;

/* A task of a map: fn(arg, i) for task i. */
typedef long (*map_fn)(void *arg, size_t i);

/*
 * Starts a pool of `workers` threads (1 to POOL_MAX_WORKERS) that wait for
 * tasks. Returns NULL when workers is out of range or a thread or memory
 * cannot be had (then nothing is left running).
 */
struct pool *pool_create(int workers);

/*
 * Queues the ntasks tasks fn(arg, 0) ... fn(arg, ntasks - 1) on the pool
 * and returns at once, without waiting for any of them (they may run
 * before or after it returns). Task i stores its result in results[i].
 * Several maps may be in flight at once; tasks of earlier maps are
 * started first. ntasks may be 0. Returns NULL when p or fn is NULL,
 * results is NULL while ntasks > 0, or memory runs out.
 */
struct map_future *pool_map_async(struct pool *p, map_fn fn, void *arg,
				  size_t ntasks, long *results);

/*
 * Waits until every task of f's map has finished (so results[] is
 * complete), then frees f. Returns 0, or -1 when f is NULL.
 */
int map_wait(struct map_future *f);

/*
 * Lets the tasks already queued finish, stops and joins the workers and
 * frees the pool. p may be NULL. Every map must have been waited for.
 */
void pool_destroy(struct pool *p);

/*
 * The number of values[i] with lo <= values[i] <= hi, i < n, counted on a
 * pool of `workers` threads: values is split into chunks (a few per
 * worker), the chunks are counted with one pool_map_async, and the
 * partial counts gathered with map_wait and added up. Returns the count
 * (0 when n is 0 or lo > hi), or -1 when workers is out of range, values
 * is NULL while n > 0, or the pool cannot be made.
 */
long count_in_range(const int *values, size_t n, int lo, int hi, int workers);

#endif
