/*
 * tests.c - exercise 03, public tests: ./driver TEST SEED
 *
 *   counts  count_in_range on seed-made data for 1 to 32 workers, and the
 *           edges: n 0, 1 and below the worker count, lo > hi, the whole
 *           int range, bad worker counts
 *   map     the pool itself: bad sizes, one map, two and twenty maps in
 *           flight at once, a map of 0 tasks, bad arguments, a map that
 *           must run while pool_map_async has already returned (a gate
 *           the driver opens only then), and one task per worker all
 *           running at once (a barrier)
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "driver.h"
#include "pool_map.h"

/* ---- counts -------------------------------------------------------------- */

#define NVALUES 300000

static void show_count(const int *values, size_t n, int lo, int hi, int workers)
{
	printf("n %zu, [%d, %d], %d workers: %ld\n", n, lo, hi, workers,
	       count_in_range(values, n, lo, hi, workers));
}

static double cpu_ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/*
 * "Count on the pool": the counting is done by the pool's threads, not
 * by the caller. The CPU time the whole process spends in the call, less
 * the calling thread's, is the pool's; counting POOL_VALUES values costs
 * far more than making and joining a pool of 4, so a pool that counts
 * spends more CPU than the caller, a caller that counts (serially, or
 * with the pool idle) more than the pool. CPU time, not wall time: a busy
 * machine delays threads but does not move their CPU from one to another.
 */
#define POOL_VALUES (4u << 20)

static int on_the_pool(void)
{
	int *v = malloc(POOL_VALUES * sizeof(*v));
	int lo = -(int)driver_below(300), hi = (int)driver_below(300);
	double proc, self;
	long count, expect = 0;

	if (!v) {
		fprintf(stderr, "driver: out of memory\n");
		return 1;
	}
	for (size_t i = 0; i < POOL_VALUES; i++) {
		v[i] = (int)(driver_next() % 2001) - 1000;
		expect += v[i] >= lo && v[i] <= hi;
	}
	proc = cpu_ms(CLOCK_PROCESS_CPUTIME_ID);
	self = cpu_ms(CLOCK_THREAD_CPUTIME_ID);
	count = count_in_range(v, POOL_VALUES, lo, hi, 4);
	self = cpu_ms(CLOCK_THREAD_CPUTIME_ID) - self;
	proc = cpu_ms(CLOCK_PROCESS_CPUTIME_ID) - proc;
	printf("n %u, [%d, %d], 4 workers: %s, counted on the pool's threads: %s\n",
	       POOL_VALUES, lo, hi, count == expect ? "right" : "wrong",
	       proc - self > self ? "yes" : "no (the calling thread did most of the work)");
	free(v);
	return 0;
}

static int test_counts(void)
{
	static const int workers[] = { 1, 2, 3, 4, 7, 16, 32 };
	int *v = malloc(NVALUES * sizeof(*v));

	if (!v) {
		fprintf(stderr, "driver: out of memory\n");
		return 1;
	}
	for (size_t i = 0; i < NVALUES; i++)
		v[i] = (int)driver_below(2001) - 1000;
	for (int k = 0; k < 20; k++)
		v[driver_below(NVALUES)] = driver_below(2) ? INT_MIN : INT_MAX;
	for (size_t w = 0; w < sizeof(workers) / sizeof(workers[0]); w++) {
		int lo = (int)driver_below(2001) - 1000, hi = lo + (int)driver_below(800);

		show_count(v, NVALUES, lo, hi, workers[w]);
	}
	/* A length no chunk size divides, and a narrow range. */
	show_count(v, NVALUES - 1 - driver_below(1000), -7, 7, 5);
	show_count(v, NVALUES, v[0], v[0], 3);
	show_count(v, NVALUES, INT_MIN, INT_MAX, 4);
	show_count(v, NVALUES, INT_MAX, INT_MAX, 2);
	show_count(v, NVALUES, INT_MIN, -1000, 6);
	show_count(v, NVALUES, 10, -10, 4);                 /* lo > hi */
	/* Fewer values than workers, or than chunks. */
	for (size_t n = 0; n <= 5; n++)
		show_count(v, n, -500, 500, 8);
	show_count(v, 1, v[0], v[0], 32);
	show_count(v, 33, -1000, 0, 32);
	show_count(v, 127, 0, 1000, 32);
	show_count(NULL, 0, 0, 10, 2);
	/* Bad arguments. */
	show_count(v, 100, 0, 10, 0);
	show_count(v, 100, 0, 10, -3);
	show_count(v, 100, 0, 10, POOL_MAX_WORKERS + 1);
	show_count(NULL, 5, 0, 10, 2);
	free(v);
	return on_the_pool();
}

/* ---- map ----------------------------------------------------------------- */

static long task_mix(void *arg, size_t i)
{
	const uint64_t *salt = arg;

	return (long)(driver_mix(*salt + i) >> 2);
}

/* Results are preset to this; task_mix never returns it. */
#define UNSET LONG_MIN

static void preset(long *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		r[i] = UNSET;
}

/* "set S of N, sum X": how many results were stored, and their sum. */
static void show_results(const char *label, int rc, const long *r, size_t n)
{
	size_t set = 0;
	unsigned long sum = 0;

	for (size_t i = 0; i < n; i++)
		if (r[i] != UNSET) {
			set++;
			sum += (unsigned long)r[i] * (i + 1);
		}
	printf("%s: wait %d, set %zu of %zu, sum %lu\n", label, rc, set, n, sum);
}

/* A gate that tasks wait at, up to a time limit, and a barrier. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int open;
	int arrived, expected;
} sync_;

static void deadline_in(struct timespec *ts, long ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* 1 when the gate was open within 400 ms, else 0. */
static long task_gate(void *arg, size_t i)
{
	struct timespec end;
	long open;

	(void)arg;
	(void)i;
	deadline_in(&end, 400);
	pthread_mutex_lock(&sync_.lock);
	while (!sync_.open)
		if (pthread_cond_timedwait(&sync_.cond, &sync_.lock, &end) == ETIMEDOUT)
			break;
	open = sync_.open;
	pthread_mutex_unlock(&sync_.lock);
	return open;
}

/* 1 when all `expected` tasks were running at once within 500 ms, else 0. */
static long task_barrier(void *arg, size_t i)
{
	struct timespec end;
	long all;

	(void)arg;
	(void)i;
	deadline_in(&end, 500);
	pthread_mutex_lock(&sync_.lock);
	sync_.arrived++;
	pthread_cond_broadcast(&sync_.cond);
	while (sync_.arrived < sync_.expected)
		if (pthread_cond_timedwait(&sync_.cond, &sync_.lock, &end) == ETIMEDOUT)
			break;
	all = sync_.arrived >= sync_.expected;
	pthread_mutex_unlock(&sync_.lock);
	return all;
}

static unsigned long sum_of(const long *r, size_t n)
{
	unsigned long s = 0;

	for (size_t i = 0; i < n; i++)
		s += r[i] == UNSET ? 0 : (unsigned long)r[i];
	return s;
}

#define NMANY 20

static int test_map(void)
{
	static long r1[2000], ra[1000], rb[300], rg[4], many[NMANY][50], rw[8];
	struct map_future *fa, *fb, *fs[NMANY];
	uint64_t salt = driver_next(), salt2 = driver_next();
	int workers = 2 + (int)driver_below(4), rc;
	size_t n1 = 1000 + driver_below(1000), na = 500 + driver_below(500),
	       nb = 1 + driver_below(300);
	pthread_condattr_t attr;
	struct pool *p;

	pthread_mutex_init(&sync_.lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&sync_.cond, &attr);

	for (int bad = 0; bad < 3; bad++) {
		int w = bad == 0 ? 0 : bad == 1 ? -1 : POOL_MAX_WORKERS + 1;

		p = pool_create(w);
		printf("pool_create(%d): %s\n", w, p ? "a pool" : "NULL");
		pool_destroy(p);
	}
	p = pool_create(workers);
	printf("pool_create(%d): %s\n", workers, p ? "a pool" : "NULL");
	if (!p)
		return 0;

	/* One map. */
	preset(r1, n1);
	fa = pool_map_async(p, task_mix, &salt, n1, r1);
	printf("map of %zu: future %s\n", n1, fa ? "yes" : "no");
	show_results("map", fa ? map_wait(fa) : -2, r1, n1);

	/* Two maps in flight, waited in the other order. */
	preset(ra, na);
	preset(rb, nb);
	fa = pool_map_async(p, task_mix, &salt, na, ra);
	fb = pool_map_async(p, task_mix, &salt2, nb, rb);
	rc = fb ? map_wait(fb) : -2;
	show_results("second of two", rc, rb, nb);
	rc = fa ? map_wait(fa) : -2;
	show_results("first of two", rc, ra, na);

	/* Twenty small maps in flight, waited last to first. */
	for (int k = 0; k < NMANY; k++) {
		preset(many[k], 50);
		fs[k] = pool_map_async(p, task_mix, &salt, 50, many[k]);
	}
	{
		int complete = 0, futures = 0;
		unsigned long total = 0;

		for (int k = NMANY - 1; k >= 0; k--) {
			if (!fs[k])
				continue;
			futures++;
			if (map_wait(fs[k]) == 0)
				for (int i = 0; i < 50; i++)
					complete += many[k][i] != UNSET;
			total += sum_of(many[k], 50);
		}
		printf("%d maps in flight: %d futures, %d of %d results set, sum %lu\n",
		       NMANY, futures, complete, NMANY * 50, total);
	}

	/* A map of no task. */
	fa = pool_map_async(p, task_mix, &salt, 0, NULL);
	printf("map of 0: future %s, wait %d\n", fa ? "yes" : "no", fa ? map_wait(fa) : -2);

	/* Bad arguments. */
	printf("map on no pool: %s\n", pool_map_async(NULL, task_mix, &salt, 3, r1) ? "a future" : "NULL");
	printf("map of no function: %s\n", pool_map_async(p, NULL, &salt, 3, r1) ? "a future" : "NULL");
	printf("map into no results: %s\n", pool_map_async(p, task_mix, &salt, 3, NULL) ? "a future" : "NULL");
	printf("wait for no future: %d\n", map_wait(NULL));

	/* The tasks wait at a gate that opens only once pool_map_async has
	 * returned: a map run before it returns finds it shut. */
	preset(rg, 4);
	sync_.open = 0;
	fa = pool_map_async(p, task_gate, NULL, 4, rg);
	pthread_mutex_lock(&sync_.lock);
	sync_.open = 1;
	pthread_cond_broadcast(&sync_.cond);
	pthread_mutex_unlock(&sync_.lock);
	rc = fa ? map_wait(fa) : -2;
	printf("gate: wait %d, %lu of 4 tasks found it open\n", rc, sum_of(rg, 4));

	/* One task per worker, all of them running at the same time. */
	preset(rw, 8);
	sync_.arrived = 0;
	sync_.expected = workers;
	fa = pool_map_async(p, task_barrier, NULL, (size_t)workers, rw);
	rc = fa ? map_wait(fa) : -2;
	printf("barrier: wait %d, %lu of %d tasks saw all %d running at once\n", rc,
	       sum_of(rw, (size_t)workers), workers, workers);

	pool_destroy(p);
	printf("pool destroyed\n");
	return 0;
}

static const struct driver_test tests[] = {
	{ "counts", test_counts },
	{ "map", test_map },
};

DRIVER_MAIN(tests, driver_modest_threads)
