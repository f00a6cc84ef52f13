/*
 * timeit_fn.c - bench_timeit() on one of the functions of timed_fns.c, the
 * figures set beside Google Benchmark's for the same function
 * (gbench_fn.cc) by scripts/bench-check.sh. Library defaults throughout
 * except the number of repeats and, when given, the autorange target: the
 * check passes Google Benchmark's own default (0.5 s) so both harnesses
 * time loops of about the same length, and the CVs compare like with like.
 *
 * bench_timeit calls its function through a pointer, so what is measured
 * per call is an indirect call to an out-of-line function plus the loop
 * around it: for empty(), the harness's own floor.
 *
 * Prints one line per repeat, in run order: the per-call time in ns and
 * the calls in that loop.
 *
 * usage: timeit_fn REPEATS [MIN_TIME_SECONDS [empty|sha256]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/timeit.h"
#include "timed_fns.h"

int main(int argc, char **argv)
{
	struct bench_timeit_opts opts = { 0 };
	struct bench_timeit_result r;
	struct bench_err err = { 0 };
	void (*fn)(void *) = empty;
	long repeat;

	if (argc < 2 || argc > 4 ||
	    (repeat = strtol(argv[1], NULL, 10)) < 2 || repeat > 10000 ||
	    (argc == 4 && strcmp(argv[3], "empty") != 0 && strcmp(argv[3], "sha256") != 0)) {
		fprintf(stderr, "usage: timeit_fn REPEATS (2-10000) [MIN_TIME_SECONDS [empty|sha256]]\n");
		return 2;
	}
	opts.repeat = (unsigned)repeat;
	if (argc >= 3)
		opts.min_time_ns = (bench_ns)(strtod(argv[2], NULL) * 1e9);
	if (argc == 4 && strcmp(argv[3], "sha256") == 0)
		fn = sha256_short;
	if (bench_timeit(fn, NULL, &opts, &r, &err) != 0) {
		fprintf(stderr, "timeit_fn: %s\n", err.msg);
		return 1;
	}
	for (size_t i = 0; i < r.repeat; i++)
		printf("%.4f %llu\n", r.per_call_ns[i], (unsigned long long)r.number);
	bench_timeit_release(&r);
	return 0;
}
