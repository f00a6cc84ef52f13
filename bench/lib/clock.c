/*
 * clock.c - monotonic wall time and CPU time in nanoseconds.
 */
#include <errno.h>
#include <time.h>

#include "bench/clock.h"
#include "bench/error.h"
#include "bench/exec.h"

static bench_ns read_clock(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) != 0)
		return 0;
	return (bench_ns)ts.tv_sec * BENCH_NS_PER_S + (bench_ns)ts.tv_nsec;
}

bench_ns bench_clock_now(void)
{
	return read_clock(CLOCK_MONOTONIC);
}

bench_ns bench_clock_process_cpu(void)
{
	return read_clock(CLOCK_PROCESS_CPUTIME_ID);
}

bench_ns bench_clock_thread_cpu(void)
{
	return read_clock(CLOCK_THREAD_CPUTIME_ID);
}

bench_ns bench_clock_resolution(void)
{
	struct timespec ts;

	if (clock_getres(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (bench_ns)ts.tv_sec * BENCH_NS_PER_S + (bench_ns)ts.tv_nsec;
}

bench_ns bench_clock_granularity(unsigned tries)
{
	bench_ns best = 0;

	for (unsigned i = 0; i < tries; i++) {
		bench_ns a = bench_clock_now(), b;

		do
			b = bench_clock_now();
		while (b == a);
		if (best == 0 || b - a < best)
			best = b - a;
	}
	return best;
}

int bench_sleep_ns(bench_ns ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(ns / BENCH_NS_PER_S),
		.tv_nsec = (long)(ns % BENCH_NS_PER_S),
	};

	while (nanosleep(&ts, &ts) != 0) {
		if (errno != EINTR)
			return BENCH_ESYS;
		if (bench_canceled())
			return BENCH_ECANCELED;
	}
	return 0;
}
