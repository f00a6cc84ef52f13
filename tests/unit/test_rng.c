/*
 * test_rng.c - the counter-based generator and the decimal formatter.
 *
 * Every mode recomputes item i's input on its own, so the generator must
 * be a pure function of (seed, item); the bounds and uniformity checks run
 * on fixed seeds, so they are deterministic, not statistical gambles.
 */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lib/rng.h"
#include "workloads/common.h"
#include "check_util.h"

/* SplitMix64 (Vigna's reference splitmix64.c) seeded with 0 starts
 * 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, 0x06c45d188009454f. */
START_TEST(test_splitmix_reference)
{
	struct bench__rng r = { 0 };

	ck_assert_uint_eq(bench__rng_next(&r), 0xe220a8397b1dcdafull);
	ck_assert_uint_eq(bench__rng_next(&r), 0x6e789e6aa1b965f4ull);
	ck_assert_uint_eq(bench__rng_next(&r), 0x06c45d188009454full);
}
END_TEST

START_TEST(test_item_is_pure)
{
	for (uint64_t seed = 1; seed < 5; seed++) {
		for (uint64_t item = 0; item < 100; item++) {
			struct bench__rng a = bench__rng_item(seed, item);
			struct bench__rng b = bench__rng_item(seed, item);
			struct bench__rng next = bench__rng_item(seed, item + 1);
			struct bench__rng other = bench__rng_item(seed + 1, item);
			uint64_t va = bench__rng_next(&a), vb = bench__rng_next(&b);
			uint64_t vn = bench__rng_next(&next);
			uint64_t vo = bench__rng_next(&other);

			ck_assert_uint_eq(va, vb);
			ck_assert_msg(va != vn, "items %" PRIu64 " and %" PRIu64
				      " share their first value", item, item + 1);
			ck_assert_msg(va != vo, "seeds %" PRIu64 " and %" PRIu64
				      " share item %" PRIu64, seed, seed + 1, item);
			/* The stream goes on identically too. */
			for (int k = 0; k < 8; k++)
				ck_assert_uint_eq(bench__rng_next(&a),
						  bench__rng_next(&b));
		}
	}
}
END_TEST

START_TEST(test_range_bounds)
{
	static const uint64_t spans[][2] = {
		{ 0, 0 }, { 7, 7 }, { 0, 1 }, { 4, 8 }, { 0, 9 },
		{ 1000, 9999 }, { 1, 999999999 }, { 0, 0xffffffffull },
		{ 5, (1ull << 31) - 1 },
	};

	for (size_t s = 0; s < sizeof(spans) / sizeof(spans[0]); s++) {
		uint64_t lo = spans[s][0], hi = spans[s][1];
		struct bench__rng r = bench__rng_item(42, s);

		for (int i = 0; i < 20000; i++) {
			uint64_t v = bench__rng_range(&r, lo, hi);

			ck_assert_msg(v >= lo && v <= hi,
				      "%" PRIu64 " outside [%" PRIu64 ", %" PRIu64 "]",
				      v, lo, hi);
		}
	}
}
END_TEST

/* Small spans hit both ends (and every value in between). */
START_TEST(test_range_hits_ends)
{
	for (uint64_t width = 1; width <= 12; width++) {
		uint64_t lo = 3, hi = lo + width - 1;
		unsigned seen[12] = { 0 };
		struct bench__rng r = bench__rng_item(7, width);

		for (int i = 0; i < 2000; i++)
			seen[bench__rng_range(&r, lo, hi) - lo]++;
		for (uint64_t v = 0; v < width; v++)
			ck_assert_msg(seen[v] > 0, "span [%" PRIu64 ", %" PRIu64
				      "] never gave %" PRIu64, lo, hi, lo + v);
	}
}
END_TEST

/*
 * 100000 draws from [0, 9]: each bucket expects 10000 with a standard
 * deviation of sqrt(100000 * 0.1 * 0.9) = 95, so +-5% (500) is over five
 * sigma. The seeds are fixed, so this either always passes or always
 * fails: a bias, not bad luck. Both one long stream and the per-item
 * streams the workloads use (first draw of items 0..99999) are checked.
 */
START_TEST(test_range_uniform)
{
	unsigned long long one_stream[10] = { 0 }, per_item[10] = { 0 };
	struct bench__rng r = bench__rng_item(1, 0);

	for (uint64_t i = 0; i < 100000; i++) {
		struct bench__rng ri = bench__rng_item(1, i);

		one_stream[bench__rng_range(&r, 0, 9)]++;
		per_item[bench__rng_range(&ri, 0, 9)]++;
	}
	for (int b = 0; b < 10; b++) {
		ck_assert_msg(one_stream[b] >= 9500 && one_stream[b] <= 10500,
			      "stream bucket %d holds %llu of 100000", b,
			      one_stream[b]);
		ck_assert_msg(per_item[b] >= 9500 && per_item[b] <= 10500,
			      "per-item bucket %d holds %llu of 100000", b,
			      per_item[b]);
	}
}
END_TEST

START_TEST(test_utoa)
{
	static const uint64_t values[] = {
		0, 9, 10, 99, 100, 1000, 9999, 999999999, 1000000000,
		4294967295ull, 10000000000000000000ull, UINT64_MAX,
	};

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		char want[32], got[32];
		size_t n;

		memset(got, '#', sizeof(got));
		snprintf(want, sizeof(want), "%" PRIu64, values[i]);
		n = bench__utoa(values[i], got);
		ck_assert_uint_eq(n, strlen(want));
		ck_assert_msg(got[n] == '#', "bench__utoa wrote past its length");
		got[n] = '\0';
		ck_assert_str_eq(got, want);
	}
}
END_TEST

Suite *suite_rng(void)
{
	Suite *s = suite_create("rng");
	TCase *tc = tcase_create("rng");

	tcase_add_test(tc, test_splitmix_reference);
	tcase_add_test(tc, test_item_is_pure);
	tcase_add_test(tc, test_range_bounds);
	tcase_add_test(tc, test_range_hits_ends);
	tcase_add_test(tc, test_range_uniform);
	tcase_add_test(tc, test_utoa);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
