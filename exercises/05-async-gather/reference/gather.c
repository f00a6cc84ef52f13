/*
 * gather.c - exercise 05, reference solution: an event loop on one
 * thread.
 *
 * Waiting needs no thread of its own. Every task starts at the same
 * instant t0 and is due at t0 + its delay; the loop sleeps until the
 * earliest deadline not yet met (clock_nanosleep with an absolute time,
 * so oversleeping once does not delay the rest), completes that task,
 * and goes on to the next. As all deadlines are known up front, a sorted
 * array serves as the loop's timer queue. The tasks overlap exactly as
 * coroutines awaiting sleeps do under asyncio.gather.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "gather.h"

struct timer {
	int delay_ms;
	int task;
};

static int by_deadline(const void *a, const void *b)
{
	const struct timer *x = a, *y = b;

	if (x->delay_ms != y->delay_ms)
		return x->delay_ms < y->delay_ms ? -1 : 1;
	return (x->task > y->task) - (x->task < y->task);
}

int gather(const int *delays_ms, int n, int *results)
{
	struct timespec t0;
	struct timer *due;

	if (n < 0 || n > GATHER_MAX_TASKS || (n > 0 && (!delays_ms || !results)))
		return -1;
	for (int i = 0; i < n; i++)
		if (delays_ms[i] < 0 || delays_ms[i] > GATHER_MAX_DELAY_MS)
			return -1;
	if (n == 0)
		return 0;
	if (!(due = malloc((size_t)n * sizeof(*due))))
		return -1;
	for (int i = 0; i < n; i++)
		due[i] = (struct timer){ delays_ms[i], i };
	qsort(due, (size_t)n, sizeof(*due), by_deadline);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int k = 0; k < n; k++) {
		struct timespec at = t0;
		long long ns = at.tv_nsec + (long long)due[k].delay_ms * 1000000LL;

		at.tv_sec += (time_t)(ns / 1000000000LL);
		at.tv_nsec = (long)(ns % 1000000000LL);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL) == EINTR)
			;
		results[due[k].task] = task_value(due[k].task, due[k].delay_ms);
	}
	free(due);
	return 0;
}
