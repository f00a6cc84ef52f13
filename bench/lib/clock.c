/*
 * clock.c - monotonic wall time and CPU time in nanoseconds.
 */
#include <errno.h>
#include <time.h>

#include "bench/clock.h"
#include "bench/error.h"
#include "bench/cancel.h"

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

/*
 * Sleeps to an absolute deadline in slices of at most CANCEL_SLICE, so a
 * thread that never sees the signal (Linux hands SIGINT to one thread,
 * usually the main one) still notices bench_cancel() within a slice, and
 * the total wait does not drift with the number of slices.
 */
#define CANCEL_SLICE (20 * BENCH_NS_PER_MS)

int bench_sleep_ns(bench_ns ns)
{
	bench_ns deadline = bench_clock_now() + ns;

	for (;;) {
		bench_ns now = bench_clock_now(), until;
		struct timespec ts;
		int rc;

		if (bench_canceled())
			return BENCH_ECANCELED;
		if (now >= deadline)
			return 0;
		until = deadline - now > CANCEL_SLICE ? now + CANCEL_SLICE : deadline;
		ts.tv_sec = (time_t)(until / BENCH_NS_PER_S);
		ts.tv_nsec = (long)(until % BENCH_NS_PER_S);
		rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		if (rc != 0 && rc != EINTR)
			return BENCH_ESYS;
	}
}
