/*
 * tests.c - exercise 09, public tests: ./driver TEST SEED
 *
 *   ops  fixed and seed-made sequences of gets and puts on small caches
 *        (capacity 1 to 12): every get's result, every eviction, sizes;
 *        capacity 0, NULL arguments, empty, long and look-alike keys
 *   big  hundreds of thousands of operations on a cache of 20,000 to
 *        30,000 entries: totals only (hits, misses, evictions, sums);
 *        the grader also compares the run's wall time with the
 *        reference's, so a cache that scans its entries fails
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "driver.h"
#include "lru.h"

/* ---- ops ----------------------------------------------------------------- */

static int verbose_evictions;
static unsigned long evictions, evicted_sum;

/* Prints a key: quoted, or its length and end when it is long. */
static void show_key(const char *key)
{
	size_t len = strlen(key);

	if (len <= 40)
		printf("\"%s\"", key);
	else
		printf("(%zu bytes ending \"%s\")", len, key + len - 8);
}

static void on_evict(const char *key, long value, void *ctx)
{
	const char *tag = ctx;

	evictions++;
	evicted_sum += (unsigned long)value;
	if (verbose_evictions) {
		printf("  evict ");
		show_key(key);
		printf(" = %ld (%s)\n", value, tag ? tag : "no context");
	}
}

static void get(struct lru *c, const char *key)
{
	long v = LONG_MIN;
	int found = lru_get(c, key, &v);

	printf("get ");
	show_key(key);
	if (found == 1)
		printf(" -> %ld\n", v);
	else
		printf(" -> %s\n", found == 0 ? "miss" : "bad return");
}

/* The put is printed first, then the evictions it causes. */
static void put(struct lru *c, const char *key, long value)
{
	printf("put ");
	show_key(key);
	printf(" = %ld\n", value);
	if (lru_put(c, key, value) != 0)
		printf("  failed\n");
}

/* A seed-made sequence of ops on keys "k0" .. "k<nkeys - 1>". */
static void sequence(size_t capacity, int nkeys, int nops)
{
	static char tag[] = "seq";
	struct lru *c = lru_create(capacity, on_evict, tag);
	char key[32];

	printf("sequence: capacity %zu, %d keys, %d ops: %s\n", capacity, nkeys,
	       nops, c ? "created" : "NULL");
	if (!c)
		return;
	for (int i = 0; i < nops; i++) {
		snprintf(key, sizeof(key), "k%d", (int)driver_below((uint64_t)nkeys));
		if (driver_below(5) < 2)
			put(c, key, (long)driver_below(1000));
		else
			get(c, key);
	}
	printf("size %zu\n", lru_size(c));
	lru_destroy(c);
}

static int test_ops(void)
{
	static char tag[] = "fixed";
	char longkey[300];
	struct lru *c;
	long v = 0;

	verbose_evictions = 1;
	printf("capacity 0: %s\n", (c = lru_create(0, on_evict, NULL)) ? "a cache" : "NULL");
	lru_destroy(c);

	/* The classic walk-through, capacity 2. */
	c = lru_create(2, on_evict, tag);
	printf("capacity 2: %s\n", c ? "created" : "NULL");
	if (!c)
		return 0;
	put(c, "a", 1);
	put(c, "b", 2);
	get(c, "a");            /* a is now the most recent */
	put(c, "c", 3);         /* evicts b */
	get(c, "b");
	put(c, "a", 10);        /* update: no eviction, a most recent */
	put(c, "d", 4);         /* evicts c */
	get(c, "c");
	get(c, "a");
	get(c, "d");
	printf("size %zu\n", lru_size(c));
	printf("get into NULL value: %d\n", lru_get(c, "a", NULL));
	put(c, "e", 5);         /* a was touched last by that get: evicts d */
	get(c, "d");

	/* Odd keys. */
	put(c, "", 7);          /* the empty key; evicts a */
	get(c, "");
	memset(longkey, 'x', sizeof(longkey) - 1);
	longkey[sizeof(longkey) - 1] = '\0';
	put(c, longkey, 8);
	longkey[sizeof(longkey) - 2] = 'y';   /* the cache keeps its own copy */
	get(c, longkey);
	longkey[sizeof(longkey) - 2] = 'x';
	get(c, longkey);
	put(c, "user:1", 11);
	put(c, "user:10", 110);
	get(c, "user:1");
	get(c, "user:");
	get(c, "user:10");
	printf("put NULL key: %d\n", lru_put(c, NULL, 1));
	printf("put into NULL cache: %d\n", lru_put(NULL, "a", 1));
	printf("get from NULL cache: %d\n", lru_get(NULL, "a", &v));
	printf("size of NULL: %zu\n", lru_size(NULL));
	printf("size %zu\n", lru_size(c));
	lru_destroy(c);
	lru_destroy(NULL);

	/* Capacity 1, no callback. */
	c = lru_create(1, NULL, NULL);
	printf("capacity 1, no callback: %s\n", c ? "created" : "NULL");
	if (c) {
		put(c, "x", 1);
		put(c, "y", 2);
		get(c, "x");
		get(c, "y");
		printf("size %zu\n", lru_size(c));
		lru_destroy(c);
	}

	for (int k = 0; k < 4; k++) {
		size_t cap = 1 + driver_below(12);

		sequence(cap, (int)(cap + 1 + driver_below(2 * cap + 3)), 150);
	}
	return 0;
}

/* ---- big ----------------------------------------------------------------- */

static int test_big(void)
{
	size_t cap = 20000 + driver_below(10000);
	unsigned long keys = 3 * cap, hits = 0, misses = 0, hit_sum = 0;
	struct lru *c = lru_create(cap, on_evict, NULL);
	char key[32];

	verbose_evictions = 0;
	printf("capacity %zu: %s\n", cap, c ? "created" : "NULL");
	if (!c)
		return 0;
	for (long i = 0; i < 400000; i++) {
		/* Skewed: a hot third of the keys gets most of the traffic. */
		unsigned long k = driver_below(4) ? driver_below(keys / 3) :
				  driver_below(keys);
		long v;

		snprintf(key, sizeof(key), "key-%lu", k);
		if (driver_below(3) == 0) {
			if (lru_put(c, key, (long)(i & 0xffff)) != 0) {
				printf("put %ld failed\n", i);
				break;
			}
		} else if (lru_get(c, key, &v) == 1) {
			hits++;
			hit_sum += (unsigned long)v;
		} else {
			misses++;
		}
	}
	printf("hits %lu, misses %lu, hit values %lu\n", hits, misses, hit_sum);
	printf("evictions %lu, evicted values %lu\n", evictions, evicted_sum);
	printf("size %zu\n", lru_size(c));
	lru_destroy(c);
	return 0;
}

static const struct driver_test tests[] = {
	{ "ops", test_ops },
	{ "big", test_big },
};

DRIVER_MAIN(tests, NULL)
