/*
 * test_stats.c - the summary statistics on fixed data with known answers.
 *
 * Every expected value below was worked out by hand; the arithmetic sits
 * in the comment next to the data, so a failure can be checked on paper.
 * Nothing here measures time.
 */
#include <check.h>
#include <math.h>
#include <string.h>

#include "bench/error.h"
#include "bench/stats.h"
#include "check_util.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define EPS 1e-12

/* Runs bench_stats_compute and checks that x came back untouched. */
static void compute(const double *x, size_t n, struct bench_stats *st,
		    unsigned char *flags)
{
	double copy[64];

	ck_assert_uint_le(n, N(copy));
	memcpy(copy, x, n * sizeof(*x));
	ck_assert_int_eq(bench_stats_compute(x, n, st, flags), 0);
	ck_assert_msg(memcmp(copy, x, n * sizeof(*x)) == 0,
		      "bench_stats_compute modified its input");
}

/*
 * {5, 1, 3, 2, 4}: sorted 1 2 3 4 5.
 *   min 1, max 5, mean 15/5 = 3, median x(3) = 3.
 *   squared deviations 4 1 0 1 4 = 10; sd = sqrt(10/4) = sqrt(2.5).
 *   cv = sqrt(2.5)/3.
 *   |x - 3| = 2 2 0 1 1 -> sorted 0 1 1 2 2 -> MAD 1.
 *   largest z = 0.6745 * 2 / 1 = 1.349 < 3.5: no outlier.
 *   CI for n = 5: widest [x(1), x(5)] = [1, 5], level 1 - 2/32 = 0.9375.
 */
START_TEST(test_odd_n)
{
	const double x[] = { 5, 1, 3, 2, 4 };
	unsigned char flags[N(x)];
	struct bench_stats st;

	memset(flags, 0xff, sizeof(flags));
	compute(x, N(x), &st, flags);
	ck_assert_uint_eq(st.n, 5);
	ASSERT_NEAR(st.min, 1, EPS);
	ASSERT_NEAR(st.max, 5, EPS);
	ASSERT_NEAR(st.mean, 3, EPS);
	ASSERT_NEAR(st.median, 3, EPS);
	ASSERT_NEAR(st.stddev, sqrt(2.5), EPS);
	ASSERT_NEAR(st.cv, sqrt(2.5) / 3, EPS);
	ASSERT_NEAR(st.mad, 1, EPS);
	ASSERT_NEAR(st.ci_low, 1, EPS);
	ASSERT_NEAR(st.ci_high, 5, EPS);
	ASSERT_NEAR(st.ci_level, 1.0 - 2.0 / 32.0, EPS);
	ck_assert_uint_eq(st.outliers, 0);
	for (size_t i = 0; i < N(x); i++)
		ck_assert_uint_eq(flags[i], 0);
}
END_TEST

/*
 * {2, 4, 4, 4, 5, 5, 7, 9}: the textbook set.
 *   sum 40, mean 5; median (x(4) + x(5))/2 = (4 + 5)/2 = 4.5.
 *   squared deviations 9 1 1 1 0 0 4 16 = 32; sample sd = sqrt(32/7).
 *   cv = sqrt(32/7)/5.
 *   |x - 4.5| = 2.5 .5 .5 .5 .5 .5 2.5 4.5 -> five 0.5s first, so
 *   MAD = (0.5 + 0.5)/2 = 0.5.
 *   z(9) = 0.6745 * 4.5 / 0.5 = 6.07 > 3.5: an outlier;
 *   z(2) = z(7) = 0.6745 * 2.5 / 0.5 = 3.3725 < 3.5: not.
 *   CI for n = 8: 1 - 2*P(B<=1) = 1 - 2*9/256 = 0.93 < 0.95, so the
 *   widest [x(1), x(8)] = [2, 9] with level 1 - 2/256.
 */
START_TEST(test_even_n)
{
	const double x[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
	unsigned char flags[N(x)];
	struct bench_stats st;

	compute(x, N(x), &st, flags);
	ck_assert_uint_eq(st.n, 8);
	ASSERT_NEAR(st.min, 2, EPS);
	ASSERT_NEAR(st.max, 9, EPS);
	ASSERT_NEAR(st.mean, 5, EPS);
	ASSERT_NEAR(st.median, 4.5, EPS);
	ASSERT_NEAR(st.stddev, sqrt(32.0 / 7.0), EPS);
	ASSERT_NEAR(st.cv, sqrt(32.0 / 7.0) / 5.0, EPS);
	ASSERT_NEAR(st.mad, 0.5, EPS);
	ASSERT_NEAR(st.ci_low, 2, EPS);
	ASSERT_NEAR(st.ci_high, 9, EPS);
	ASSERT_NEAR(st.ci_level, 1.0 - 2.0 / 256.0, EPS);
	ck_assert_uint_eq(st.outliers, 1);
	for (size_t i = 0; i < N(x); i++)
		ck_assert_uint_eq(flags[i], i == 7);
}
END_TEST

/*
 * {10, 10, 11, 10, 12, 11, 10, 100}: one wild sample.
 *   sorted 10 10 10 10 11 11 12 100; median (10 + 11)/2 = 10.5.
 *   mean 174/8 = 21.75.
 *   |x - 10.5| = .5 .5 .5 .5 1.5 .5 .5 89.5 -> MAD 0.5.
 *   z(100) = 0.6745 * 89.5 / 0.5 = 120.7: flagged;
 *   z(12) = 0.6745 * 1.5 / 0.5 = 2.02: not.
 */
START_TEST(test_outlier_mad)
{
	const double x[] = { 10, 10, 11, 10, 12, 11, 10, 100 };
	unsigned char flags[N(x)];
	struct bench_stats st;

	compute(x, N(x), &st, flags);
	ASSERT_NEAR(st.median, 10.5, EPS);
	ASSERT_NEAR(st.mean, 21.75, EPS);
	ASSERT_NEAR(st.mad, 0.5, EPS);
	ck_assert_uint_eq(st.outliers, 1);
	for (size_t i = 0; i < N(x); i++)
		ck_assert_msg(flags[i] == (i == 7), "flag[%zu] = %u", i,
			      flags[i]);

	/* The flags are optional: NULL gives the same count. */
	ck_assert_int_eq(bench_stats_compute(x, N(x), &st, NULL), 0);
	ck_assert_uint_eq(st.outliers, 1);
}
END_TEST

/*
 * MAD == 0 (more than half the samples equal): the scale falls back to
 * 1.253314 * mean absolute deviation.
 *
 * {5, 5, 5, 5, 5, 6, 7}: median 5, |x - 5| = 0 0 0 0 0 1 2, MAD 0.
 *   mean AD = 3/7 = 0.428571; scale = 1.253314 * 3/7 = 0.537135.
 *   7: 2 / 0.537135 = 3.72 > 3.5: flagged.
 *   6: 1 / 0.537135 = 1.86: not.
 * (With 1.4826 * meanAD instead, 7 would score 3.15 and pass: this data
 * pins the constant.)
 *
 * {5, 5, 5, 5, 5, 6, 100}: mean AD = 96/7, scale 17.19:
 *   100 scores 95/17.19 = 5.53 (flagged), 6 scores 0.06 (not).
 */
START_TEST(test_outlier_mad_zero)
{
	const double a[] = { 5, 5, 5, 5, 5, 6, 7 };
	const double b[] = { 5, 5, 5, 5, 5, 6, 100 };
	unsigned char flags[N(a)];
	struct bench_stats st;

	compute(a, N(a), &st, flags);
	ASSERT_NEAR(st.median, 5, EPS);
	ASSERT_NEAR(st.mad, 0, EPS);
	ck_assert_uint_eq(st.outliers, 1);
	for (size_t i = 0; i < N(a); i++)
		ck_assert_uint_eq(flags[i], i == 6);

	compute(b, N(b), &st, flags);
	ASSERT_NEAR(st.mad, 0, EPS);
	ck_assert_uint_eq(st.outliers, 1);
	for (size_t i = 0; i < N(b); i++)
		ck_assert_uint_eq(flags[i], i == 6);
}
END_TEST

/*
 * Fewer than BENCH_OUTLIER_MIN_N (5) samples flag nothing, however wild:
 * {10, 10, 11, 100}: median 10.5, MAD 0.5, z(100) = 0.6745*89.5/0.5 = 120,
 * yet no flag. The same data with a fifth 10 (n = 5, median 10, MAD 0,
 * mean AD = (1 + 90)/5 = 18.2, scale 22.81) flags 100 (z = 3.95) only.
 */
START_TEST(test_outlier_min_n)
{
	const double four[] = { 10, 10, 11, 100 };
	const double five[] = { 10, 10, 11, 100, 10 };
	unsigned char flags[N(five)];
	struct bench_stats st;

	ck_assert_int_eq(BENCH_OUTLIER_MIN_N, 5);
	memset(flags, 0xff, sizeof(flags));
	compute(four, N(four), &st, flags);
	ASSERT_NEAR(st.mad, 0.5, EPS);
	ck_assert_uint_eq(st.outliers, 0);
	for (size_t i = 0; i < N(four); i++)
		ck_assert_uint_eq(flags[i], 0);

	compute(five, N(five), &st, flags);
	ASSERT_NEAR(st.median, 10, EPS);
	ASSERT_NEAR(st.mad, 0, EPS);
	ck_assert_uint_eq(st.outliers, 1);
	for (size_t i = 0; i < N(five); i++)
		ck_assert_uint_eq(flags[i], i == 3);
}
END_TEST

/* All equal: MAD 0 and mean AD 0, so nothing can be an outlier; sd 0. */
START_TEST(test_all_equal)
{
	const double x[] = { 3, 3, 3, 3 };
	unsigned char flags[N(x)];
	struct bench_stats st;

	compute(x, N(x), &st, flags);
	ASSERT_NEAR(st.mean, 3, EPS);
	ASSERT_NEAR(st.median, 3, EPS);
	ASSERT_NEAR(st.stddev, 0, EPS);
	ASSERT_NEAR(st.cv, 0, EPS);
	ASSERT_NEAR(st.mad, 0, EPS);
	ck_assert_uint_eq(st.outliers, 0);
	for (size_t i = 0; i < N(x); i++)
		ck_assert_uint_eq(flags[i], 0);
}
END_TEST

/*
 * {-1, 0, 1}: mean 0, so cv is defined as 0 (not a division by zero);
 * sd = sqrt((1 + 0 + 1)/2) = 1.
 */
START_TEST(test_cv_zero_mean)
{
	const double x[] = { -1, 0, 1 };
	struct bench_stats st;

	compute(x, N(x), &st, NULL);
	ASSERT_NEAR(st.mean, 0, EPS);
	ASSERT_NEAR(st.stddev, 1, EPS);
	ASSERT_NEAR(st.cv, 0, EPS);
}
END_TEST

/* n = 1: everything is the sample; sd 0; the CI [x, x] has confidence
 * 1 - 2 P(B <= 0) = 1 - 2 * 1/2 = 0. */
START_TEST(test_single)
{
	const double x[] = { 42 };
	unsigned char flag = 0xff;
	struct bench_stats st;
	size_t lo = 99, hi = 99;
	double level = -1;

	compute(x, 1, &st, &flag);
	ck_assert_uint_eq(st.n, 1);
	ASSERT_NEAR(st.min, 42, EPS);
	ASSERT_NEAR(st.max, 42, EPS);
	ASSERT_NEAR(st.mean, 42, EPS);
	ASSERT_NEAR(st.median, 42, EPS);
	ASSERT_NEAR(st.stddev, 0, EPS);
	ASSERT_NEAR(st.cv, 0, EPS);
	ASSERT_NEAR(st.mad, 0, EPS);
	ASSERT_NEAR(st.ci_low, 42, EPS);
	ASSERT_NEAR(st.ci_high, 42, EPS);
	ASSERT_NEAR(st.ci_level, 0, EPS);
	ck_assert_uint_eq(st.outliers, 0);
	ck_assert_uint_eq(flag, 0);

	ck_assert_int_eq(bench_stats_median_ci_ranks(1, 0.95, &lo, &hi, &level),
			 0);
	ck_assert_uint_eq(lo, 0);
	ck_assert_uint_eq(hi, 0);
	ASSERT_NEAR(level, 0, EPS);
}
END_TEST

START_TEST(test_empty)
{
	struct bench_stats st;
	size_t lo, hi;
	double level, x = 1;

	ck_assert_int_eq(bench_stats_compute(&x, 0, &st, NULL), BENCH_EINVAL);
	ck_assert_int_eq(bench_stats_median_ci_ranks(0, 0.95, &lo, &hi, &level),
			 BENCH_EINVAL);
	ck_assert(isnan(bench_stats_median(&x, 0)));
}
END_TEST

/* Odd: {3, 1, 2} -> 2. Even: {4, 1, 3, 2} -> (2 + 3)/2 = 2.5. Input kept. */
START_TEST(test_median)
{
	const double odd[] = { 3, 1, 2 };
	const double even[] = { 4, 1, 3, 2 };
	double copy[4];

	memcpy(copy, odd, sizeof(odd));
	ASSERT_NEAR(bench_stats_median(odd, N(odd)), 2, EPS);
	ck_assert(memcmp(copy, odd, sizeof(odd)) == 0);
	memcpy(copy, even, sizeof(even));
	ASSERT_NEAR(bench_stats_median(even, N(even)), 2.5, EPS);
	ck_assert(memcmp(copy, even, sizeof(even)) == 0);
	ASSERT_NEAR(bench_stats_median(even, 1), 4, EPS);
}
END_TEST

static void check_ranks(size_t n, double want, size_t lo_want,
			size_t hi_want, double level_want)
{
	size_t lo = 99999, hi = 99999;
	double level = -1;

	ck_assert_int_eq(bench_stats_median_ci_ranks(n, want, &lo, &hi, &level),
			 0);
	ck_assert_msg(lo == lo_want && hi == hi_want,
		      "n = %zu: ranks [%zu, %zu], expected [%zu, %zu]", n, lo,
		      hi, lo_want, hi_want);
	ASSERT_NEAR(level, level_want, 1e-12);
}

/*
 * The interval [x(j), x(n+1-j)] (1-based) misses the median when at most
 * j-1 samples fall on one side: coverage 1 - 2 P(B <= j-1), B ~ Bin(n, 1/2).
 *
 * n = 6: j = 1 gives 1 - 2/64 = 0.96875; j = 2 gives 1 - 2*(1+6)/64 =
 *        0.78 < 0.95. Ranks [0, 5].
 * n = 5: j = 1 gives 1 - 2/32 = 0.9375 < 0.95, the widest possible:
 *        ranks [0, 4], level 0.9375.
 * n = 9: j = 2 gives 1 - 2*(1+9)/512 = 0.9609 >= 0.95; j = 3 gives
 *        1 - 2*(1+9+36)/512 = 0.82. Ranks [1, 7].
 * n = 20: P(B<=5) = (1+20+190+1140+4845+15504)/2^20 = 21700/1048576, so
 *        j = 6 gives 1 - 43400/1048576 = 0.95861; P(B<=6) adds 38760,
 *        j = 7 gives 0.8847. Ranks [5, 14]: x(6)..x(15), the table value.
 * n = 2: only [0, 1], level 1 - 2/4 = 0.5.
 */
START_TEST(test_ci_ranks)
{
	check_ranks(6, 0.95, 0, 5, 1.0 - 2.0 / 64.0);
	check_ranks(5, 0.95, 0, 4, 1.0 - 2.0 / 32.0);
	check_ranks(9, 0.95, 1, 7, 1.0 - 2.0 * (1 + 9) / 512.0);
	check_ranks(20, 0.95, 5, 14, 1.0 - 43400.0 / 1048576.0);
	check_ranks(2, 0.95, 0, 1, 0.5);
	/* A lower level narrows: n = 9 at 0.8 -> j = 3, 1 - 92/512. */
	check_ranks(9, 0.8, 2, 6, 1.0 - 2.0 * 46 / 512.0);
	/* n = 9 at 0.3: j = 4 gives 1 - 2*(1+9+36+84)/512 = 0.492; j = 5
	 * would be the median alone, coverage 1 - 2*256/512 = 0. */
	check_ranks(9, 0.3, 3, 5, 1.0 - 2.0 * 130 / 512.0);
}
END_TEST

/* bench_stats_compute uses the 95% ranks: 1..20 shuffled -> [6, 15]. */
START_TEST(test_ci_values_n20)
{
	double x[20];
	struct bench_stats st;

	for (size_t i = 0; i < 20; i++)
		x[i] = (double)((i * 7) % 20 + 1); /* 7 is coprime to 20 */
	compute(x, 20, &st, NULL);
	ASSERT_NEAR(st.median, 10.5, EPS);
	ASSERT_NEAR(st.ci_low, 6, EPS);
	ASSERT_NEAR(st.ci_high, 15, EPS);
	ASSERT_NEAR(st.ci_level, 1.0 - 43400.0 / 1048576.0, 1e-12);
	ASSERT_NEAR(st.ci_level, 0.9586, 1e-4);
}
END_TEST

Suite *suite_stats(void)
{
	Suite *s = suite_create("stats");
	TCase *tc = tcase_create("stats");

	tcase_add_test(tc, test_odd_n);
	tcase_add_test(tc, test_even_n);
	tcase_add_test(tc, test_outlier_mad);
	tcase_add_test(tc, test_outlier_mad_zero);
	tcase_add_test(tc, test_outlier_min_n);
	tcase_add_test(tc, test_all_equal);
	tcase_add_test(tc, test_cv_zero_mean);
	tcase_add_test(tc, test_single);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_median);
	tcase_add_test(tc, test_ci_ranks);
	tcase_add_test(tc, test_ci_values_n20);
	suite_add_tcase(s, tc);
	return s;
}
