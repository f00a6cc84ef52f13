/*
 * timeit.h - Python's timeit for C functions.
 *
 * A loop calls the function `number` times between two clock readings;
 * the per-call time is the loop's time divided by number. With number 0
 * ("auto") the loop count grows 1, 2, 5, 10, 20, 50, ... until one loop
 * takes at least min_time_ns, as timeit.Timer.autorange() does. Then
 * `repeat` loops are timed. Several functions timed in one call have their
 * loops interleaved (f, g, f, g, ...), so drift on the machine hits them
 * alike and their per-call samples can be compared with
 * bench_compare_samples().
 *
 * Example:
 *
 *   static void square_all(void *arg) { ... }
 *   struct bench_timeit_result r;
 *   bench_timeit(square_all, data, NULL, &r, NULL);
 *   printf("%.1f ns per call\n", r.stats.median);
 *   bench_timeit_release(&r);
 */
#ifndef BENCH_TIMEIT_H
#define BENCH_TIMEIT_H

#include <stddef.h>
#include <stdint.h>

#include "bench/clock.h"
#include "bench/error.h"
#include "bench/stats.h"

/* The function timed; arg is passed through. */
typedef void (*bench_timeit_fn)(void *arg);

/* Python's timeit repeats 5 times; 6 is the fewest loops whose min..max
 * holds the median with 95% confidence. */
#define BENCH_TIMEIT_REPEAT 6
#define BENCH_TIMEIT_MIN_TIME (200 * BENCH_NS_PER_MS)
/* The worst loop this many times the best earns timeit's warning. */
#define BENCH_TIMEIT_WORST_FAR 4
/* Autorange gives up growing the loop count past this many calls. */
#define BENCH_TIMEIT_NUMBER_MAX 10000000000ull

struct bench_timeit_opts {
	uint64_t number;       /* calls per loop; 0: autorange */
	unsigned repeat;       /* loops; 0: BENCH_TIMEIT_REPEAT */
	bench_ns min_time_ns;  /* autorange target; 0: BENCH_TIMEIT_MIN_TIME */
};

struct bench_timeit_result {
	uint64_t number;        /* calls per loop */
	size_t repeat;          /* loops timed */
	double *per_call_ns;    /* repeat values, in run order */
	struct bench_stats stats; /* over per_call_ns */
	double best_ns;         /* fastest loop's per-call time */
	double worst_ns;        /* slowest loop's per-call time */
	int worst_far;          /* worst > 4 x best: a cache or another
				   program probably interfered (timeit's
				   warning) */
	int over_budget;        /* one call alone took longer than the
				   autorange target */
	bench_ns autorange_ns;  /* time spent choosing number */
};

/*
 * Times fn(arg) and fills out (release it with bench_timeit_release).
 * opts may be NULL for the defaults. Returns 0, BENCH_EINVAL, BENCH_ENOMEM
 * or BENCH_ECANCELED (bench_cancel() was called). Thread-safe: nothing is
 * shared between calls.
 */
int bench_timeit(bench_timeit_fn fn, void *arg,
		 const struct bench_timeit_opts *opts,
		 struct bench_timeit_result *out, struct bench_err *err);

/*
 * Times n functions with their loops interleaved; each gets its own loop
 * count (autoranged separately unless opts->number is set) and fills
 * out[i]. Returns as bench_timeit().
 */
int bench_timeit_many(const bench_timeit_fn *fns, void *const *args, size_t n,
		      const struct bench_timeit_opts *opts,
		      struct bench_timeit_result *out, struct bench_err *err);

/* Frees what a result holds; a zeroed result is fine. */
void bench_timeit_release(struct bench_timeit_result *r);

#endif
