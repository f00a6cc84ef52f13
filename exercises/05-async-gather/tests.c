/*
 * tests.c - exercise 05, public tests: ./driver TEST SEED
 *
 *   gather  100 tasks with delays of 50 to 300 ms drawn from the seed
 *   edges   0 tasks, 1, equal delays, zero delays, duplicates, and bad
 *           arguments that must leave the results alone
 *
 * Besides each result, the driver prints whether the call waited for its
 * longest task and whether it took less than half the sum of the delays
 * (it should take about the longest); the grader also compares the whole
 * run's wall time with the reference's (exercise.json).
 */
#include <stdio.h>

#include "driver.h"
#include "gather.h"

#define UNSET (-7)   /* task_value never returns it */

/* Runs gather and prints what it did; verbose: each result too. */
static void run(const char *label, const int *delays, int n, int verbose)
{
	static int results[GATHER_MAX_TASKS + 8];
	long long sum = 0;
	int longest = 0, rc, set = 0, right = 0;
	double start, took;

	for (int i = 0; i < n; i++) {
		sum += delays[i];
		longest = delays[i] > longest ? delays[i] : longest;
	}
	for (int i = 0; i < GATHER_MAX_TASKS + 8; i++)
		results[i] = UNSET;
	start = driver_now_ms();
	rc = gather(delays, n, results);
	took = driver_now_ms() - start;
	printf("%s: %d tasks, rc %d\n", label, n, rc);
	for (int i = 0; i < n; i++) {
		set += results[i] != UNSET;
		right += results[i] == task_value(i, delays[i]);
		if (verbose) {
			if (results[i] == UNSET)
				printf("  task %d: not set\n", i);
			else
				printf("  task %d: %d\n", i, results[i]);
		}
	}
	printf("  results set %d of %d, right %d\n", set, n, right);
	printf("  waited for the longest task (%d ms): %s\n", longest,
	       took >= longest ? "yes" : "no");
	/* Only where half the sum leaves a wide margin above the longest. */
	if (longest >= 50 && sum >= 3 * (long long)longest)
		printf("  took less than half the sum of the delays: %s\n",
		       took < (double)sum / 2 ? "yes" : "no");
}

/* A call that must fail: rc -1, results untouched. */
static void run_bad(const char *label, const int *delays, int n, int *results,
		    int len)
{
	int rc, touched = 0;

	for (int i = 0; i < len; i++)
		results[i] = UNSET;
	rc = gather(delays, n, results);
	for (int i = 0; i < len; i++)
		touched += results[i] != UNSET;
	printf("%s: rc %d, results touched %d\n", label, rc, touched);
}

static int test_gather(void)
{
	int delays[100];

	for (int i = 0; i < 100; i++)
		delays[i] = 50 + (int)driver_below(251);
	run("gather", delays, 100, 1);
	return 0;
}

static int test_edges(void)
{
	static int big[GATHER_MAX_TASKS + 1], big_results[GATHER_MAX_TASKS + 1];
	int one[1] = { 80 + (int)driver_below(60) }, equal[8], zeros[3] = { 0, 0, 0 };
	int mixed[6], results[8];
	int negative[4] = { 10, 20, -1, 30 }, too_long[2] = { 5, GATHER_MAX_DELAY_MS + 1 };

	for (int i = 0; i < 8; i++)
		equal[i] = 100;
	for (int i = 0; i < 6; i++)
		mixed[i] = 10 * (int)driver_below(13);
	mixed[5] = mixed[0];                      /* a duplicate */
	run("no tasks", NULL, 0, 1);
	run("one task", one, 1, 1);
	run("equal delays", equal, 8, 1);
	run("zero delays", zeros, 3, 1);
	run("mixed delays", mixed, 6, 1);
	run_bad("n = -1", equal, -1, results, 8);
	run_bad("a negative delay", negative, 4, results, 4);
	run_bad("a delay above the limit", too_long, 2, results, 2);
	run_bad("no delays", NULL, 3, results, 3);
	printf("no results: rc %d\n", gather(equal, 3, NULL));
	for (int i = 0; i <= GATHER_MAX_TASKS; i++)
		big[i] = 1;
	run_bad("one task too many", big, GATHER_MAX_TASKS + 1, big_results,
		GATHER_MAX_TASKS + 1);
	return 0;
}

static const struct driver_test tests[] = {
	{ "gather", test_gather },
	{ "edges", test_edges },
};

DRIVER_MAIN(tests, driver_modest_threads)
