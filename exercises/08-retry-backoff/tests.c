/*
 * tests.c - exercise 08, public tests: ./driver TEST SEED
 *
 *   attempts  a function failing its first k calls (k = 0 to 5, with 5
 *             attempts), one that never succeeds, max_attempts 1, 0 and
 *             below, NULL functions, bad delays, base 0, max below base
 *   backoff   seed-made bases, caps, failure counts and attempt limits,
 *             and waits that would overflow a long if doubled blindly
 *
 * retry gets a fake sleep that only records each wait: nothing sleeps.
 * Each case prints retry's result, how many calls fn got, and each wait.
 */
#include <limits.h>
#include <stdio.h>

#include "driver.h"
#include "retry.h"

/* A flaky function: fails (with a nonzero code) its first `failures`
 * calls, then succeeds; never, when failures < 0. */
struct flaky {
	int failures;
	long calls;
	int code;                  /* what a failure returns */
};

static int flaky_call(void *arg)
{
	struct flaky *f = arg;

	f->calls++;
	if (f->failures < 0 || f->calls <= f->failures)
		return f->code;
	return 0;
}

#define MAX_WAITS 200

static long waits[MAX_WAITS];
static int nwaits;
static struct flaky *current;
static int waits_after_success;

static void fake_sleep(long ms)
{
	if (nwaits < MAX_WAITS)
		waits[nwaits] = ms;
	if (nwaits < INT_MAX)
		nwaits++;
	/* A wait once fn has succeeded is wasted time. */
	if (current && current->failures >= 0 && current->calls > current->failures)
		waits_after_success++;
}

static void run(const char *label, int failures, int code, int max_attempts,
		long base_ms, long max_ms, int with_fn, int with_sleep)
{
	struct flaky f = { failures, 0, code };
	int rc;

	nwaits = 0;
	waits_after_success = 0;
	current = &f;
	rc = retry(with_fn ? flaky_call : NULL, &f, max_attempts, base_ms, max_ms,
		   with_sleep ? fake_sleep : NULL);
	current = NULL;
	printf("%s: retry(fails %d, attempts %d, base %ld, max %ld) = %d, calls %ld, waits %d\n",
	       label, failures, max_attempts, base_ms, max_ms, rc, f.calls, nwaits);
	for (int i = 0; i < nwaits && i < MAX_WAITS; i++)
		printf("  wait %d: %ld\n", i + 1, waits[i]);
	if (nwaits > MAX_WAITS)
		printf("  (more than %d waits)\n", MAX_WAITS);
	if (waits_after_success)
		printf("  %d waits after the success\n", waits_after_success);
}

static int test_attempts(void)
{
	long base = 50 + (long)driver_below(200);
	long cap = base * (4 + (long)driver_below(8));

	for (int k = 0; k <= 5; k++)
		run("flaky", k, 1, 5, base, cap, 1, 1);
	run("never", -1, -1, 4, base, cap, 1, 1);
	run("never, code 42", -1, 42, 3, base, cap, 1, 1);
	run("one attempt, fails", 1, 1, 1, base, cap, 1, 1);
	run("one attempt, succeeds", 0, 1, 1, base, cap, 1, 1);
	run("many attempts", 2, 1, 1000, base, cap, 1, 1);
	run("zero attempts", 0, 1, 0, base, cap, 1, 1);
	run("negative attempts", 0, 1, -3, base, cap, 1, 1);
	run("no function", 0, 1, 3, base, cap, 0, 1);
	run("no sleep", 0, 1, 3, base, cap, 1, 0);
	run("negative base", 2, 1, 3, -1, cap, 1, 1);
	run("negative max", 2, 1, 3, base, -1, 1, 1);
	run("base 0", 3, 1, 5, 0, cap, 1, 1);
	run("max 0", 3, 1, 5, base, 0, 1, 1);
	run("max below base", 3, 1, 5, base, base / 2, 1, 1);
	run("max equals base", 3, 1, 5, base, base, 1, 1);
	run("max not a power of two times base", 6, 1, 8, base, 5 * base + 1, 1, 1);
	return 0;
}

static int test_backoff(void)
{
	for (int k = 0; k < 12; k++) {
		long base = 1 + (long)driver_below(1000);
		long cap = base + (long)driver_below(100000);
		int attempts = 1 + (int)driver_below(40);
		int fails = (int)driver_below(45) - 2;   /* some never succeed (-1, -2) */

		run("drawn", fails < 0 ? -1 : fails, 1 + (int)driver_below(9), attempts,
		    base, cap, 1, 1);
	}
	/* Doubling past LONG_MAX. */
	run("huge cap", -1, 1, 70, 1, LONG_MAX, 1, 1);
	run("huge base", -1, 1, 6, LONG_MAX / 3 + (long)driver_below(1000), LONG_MAX,
	    1, 1);
	run("huge both", 4, 1, 10, LONG_MAX - (long)driver_below(1000), LONG_MAX - 1,
	    1, 1);
	run("long run", -1, 1, 100, 1 + (long)driver_below(100),
	    1000000 + (long)driver_below(1000), 1, 1);
	return 0;
}

static const struct driver_test tests[] = {
	{ "attempts", test_attempts },
	{ "backoff", test_backoff },
};

DRIVER_MAIN(tests, NULL)
