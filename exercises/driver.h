/*
 * driver.h - the harness every exercise's test driver shares.
 *
 * A driver is an exercise's tests.c (or a hidden test's tests.c): a
 * program the grader links with one solution, the reference's or a
 * student's, and runs as
 *
 *     ./driver TEST SEED
 *
 * TEST is a test's name from exercise.json (or tests.json, or perf and
 * perf-serial for a performance check); SEED is a decimal unsigned 64-bit
 * number, the same for the reference and every submission of a grading.
 * The test draws its inputs from the seed (driver_next, driver_below) and
 * prints facts on stdout, which for a correct solution must be a function
 * of TEST and SEED alone: the grader compares them with the reference's.
 * A bad command line prints on stderr and exits with status 2 ("usage:
 * ./driver TEST SEED", "driver: bad seed 'x'", "driver: unknown test
 * 'x'"). A test's function returns the exit status: 0, or 1 when the
 * driver itself failed (out of memory, cannot write a file); so does a
 * failed write to stdout.
 *
 * Adding a test: a function that prints, and one row in the table that
 * DRIVER_MAIN dispatches through (no semicolon after it):
 *
 *     #include <stdio.h>
 *
 *     #include "driver.h"
 *     #include "add.h"
 *
 *     static int test_random(void)
 *     {
 *             for (int i = 0; i < 20; i++) {
 *                     long a = (long)driver_below(1000), b = (long)driver_below(1000);
 *
 *                     printf("%ld + %ld = %ld\n", a, b, add(a, b));
 *             }
 *             return 0;
 *     }
 *
 *     static const struct driver_test tests[] = {
 *             { "random", test_random },
 *     };
 *
 *     DRIVER_MAIN(tests, NULL)
 *
 * DRIVER_MAIN's second argument runs once, after the seed is read and
 * before the test, or is NULL: drivers whose tests start threads pass
 * driver_modest_threads.
 *
 * Everything here is static inline, in this one header, so that a driver
 * stays one file compiled alone under the student's strict flags
 * (exercises/README.md). The grader copies this header beside the drivers
 * it builds, public and hidden alike, never beside a submission; a driver
 * that does not include it is built as before.
 */
#ifndef BENCH_EXERCISE_DRIVER_H
#define BENCH_EXERCISE_DRIVER_H

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One row of a driver's table of tests. */
struct driver_test {
	const char *name;       /* TEST, the driver's argv[1] */
	int (*run)(void);       /* the test; returns the exit status */
};

/* The splitmix64 state: the seed, then advanced by each draw. */
static uint64_t driver_rng;

/* splitmix64's mixing function: a well-spread 64-bit hash of z. */
static inline uint64_t driver_mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* The next 64-bit number drawn from the seed. */
static inline uint64_t driver_next(void)
{
	return driver_mix(driver_rng += 0x9e3779b97f4a7c15ull);
}

/* A number in [0, n) drawn from the seed; n > 0. */
static inline uint64_t driver_below(uint64_t n)
{
	return driver_next() % n;
}

/* Sleeps ms milliseconds, signals or not. */
static inline void driver_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* The monotonic clock, in milliseconds. */
static inline double driver_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/*
 * The grader caps each test's address space (512 MiB). glibc's defaults,
 * an 8 MiB stack per thread and a 64 MiB malloc arena per thread (up to
 * 8 per CPU), would use it up with a few dozen threads and make thread
 * creation fail at random; 1 MiB stacks and 4 arenas leave room to spare.
 * Both hold for the student's threads too. Needs _GNU_SOURCE, which the
 * grader defines.
 */
static inline void driver_modest_threads(void)
{
	pthread_attr_t attr;

	if (pthread_attr_init(&attr) == 0) {
		pthread_attr_setstacksize(&attr, 1 << 20);
		pthread_setattr_default_np(&attr);
		pthread_attr_destroy(&attr);
	}
	mallopt(M_ARENA_MAX, 4);
}

/*
 * Reads TEST and SEED from argv, seeds driver_rng, calls setup (unless
 * NULL), and runs the test of tests[0 .. ntests) named TEST. Returns the
 * test's exit status, 1 when stdout cannot be flushed, 2 for a bad
 * command line (with a message on stderr).
 */
static inline int driver_main(int argc, char **argv,
			      const struct driver_test *tests, size_t ntests,
			      void (*setup)(void))
{
	char *end;

	if (argc != 3) {
		fprintf(stderr, "usage: %s TEST SEED\n", argc > 0 ? argv[0] : "driver");
		return 2;
	}
	errno = 0;
	driver_rng = strtoull(argv[2], &end, 10);
	if (errno || end == argv[2] || *end) {
		fprintf(stderr, "driver: bad seed '%s'\n", argv[2]);
		return 2;
	}
	if (setup)
		setup();
	for (size_t i = 0; i < ntests; i++)
		if (strcmp(argv[1], tests[i].name) == 0) {
			int rc = tests[i].run();

			return fflush(stdout) == 0 ? rc : 1;
		}
	fprintf(stderr, "driver: unknown test '%s'\n", argv[1]);
	return 2;
}

/* main(), dispatching through table, an array of struct driver_test. */
#define DRIVER_MAIN(table, setup)                                         \
	int main(int argc, char **argv)                                   \
	{                                                                 \
		return driver_main(argc, argv, (table),                   \
				   sizeof(table) / sizeof((table)[0]), (setup)); \
	}

#endif
