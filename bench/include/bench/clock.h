/*
 * clock.h - the clocks bench measures with.
 *
 * Wall time is CLOCK_MONOTONIC (never steps backwards, unaffected by NTP
 * slews of the date); CPU time comes from the kernel's per-process and
 * per-thread CPU clocks. All values are nanoseconds in a bench_ns.
 */
#ifndef BENCH_CLOCK_H
#define BENCH_CLOCK_H

#include <stdint.h>

typedef uint64_t bench_ns;

#define BENCH_NS_PER_US 1000ull
#define BENCH_NS_PER_MS 1000000ull
#define BENCH_NS_PER_S 1000000000ull

/* Monotonic wall-clock time in ns since an arbitrary start. Thread-safe. */
bench_ns bench_clock_now(void);

/* CPU time (user + system) used by the whole process so far, all threads. */
bench_ns bench_clock_process_cpu(void);

/* CPU time used by the calling thread so far. */
bench_ns bench_clock_thread_cpu(void);

/* Resolution of the monotonic clock as reported by clock_getres(). */
bench_ns bench_clock_resolution(void);

/*
 * Smallest non-zero difference seen between consecutive readings of the
 * monotonic clock over `tries` back-to-back calls: what a measurement can
 * really resolve, including the cost of reading the clock.
 */
bench_ns bench_clock_granularity(unsigned tries);

/* Sleeps for ns nanoseconds, resuming after signals. Returns 0, or
 * BENCH_ECANCELED if bench_cancel() was called during the sleep. */
int bench_sleep_ns(bench_ns ns);

#endif
