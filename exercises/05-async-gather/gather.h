/*
 * gather.h - exercise 05: many waiting tasks run concurrently, gathered.
 */
#ifndef GATHER_H
#define GATHER_H

/* The most tasks gather accepts, and the longest delay, milliseconds. */
#define GATHER_MAX_TASKS 1000
#define GATHER_MAX_DELAY_MS 10000

/* What task i computes once its delay is over (a stand-in for the reply
 * of a slow service). */
static inline int task_value(int i, int delay_ms)
{
	unsigned x = (unsigned)i * 2654435761u ^ (unsigned)delay_ms * 40503u;

	x ^= x >> 15;
	x *= 2246822519u;
	x ^= x >> 13;
	return (int)(x % 1000000u);
}

/*
 * Runs n tasks concurrently and waits for all of them. Task i waits
 * delays_ms[i] milliseconds, then stores task_value(i, delays_ms[i]) in
 * results[i]. All tasks start together, so gather returns after about the
 * longest delay, not their sum; it never returns before every task is
 * done. Returns 0, or -1 without touching results when n < 0,
 * n > GATHER_MAX_TASKS, delays_ms or results is NULL while n > 0, or a
 * delay is below 0 or above GATHER_MAX_DELAY_MS; -1 also when the
 * concurrency cannot be set up (threads, memory).
 */
int gather(const int *delays_ms, int n, int *results);

#endif
