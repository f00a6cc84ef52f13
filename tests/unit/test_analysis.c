/*
 * test_analysis.c - compare, Amdahl, Karp-Flatt and complexity fits on
 * fixed data with known answers.
 *
 * The expected values were worked out by hand (the arithmetic sits in the
 * comment next to the data) or, for the larger cases, by brute force in
 * the test itself: every pairwise difference computed and sorted, which is
 * exactly what the library avoids doing. Nothing here measures time.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/analysis.h"
#include "bench/error.h"
#include "check_util.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define EPS 1e-12

/* Runs bench_compare_samples and checks that neither input changed. */
static void compare(const double *a, size_t na, const double *b, size_t nb,
		    double level, struct bench_compare *c)
{
	double *ca = malloc(na * sizeof(*a)), *cb = malloc(nb * sizeof(*b));

	ck_assert_ptr_nonnull(ca);
	ck_assert_ptr_nonnull(cb);
	memcpy(ca, a, na * sizeof(*a));
	memcpy(cb, b, nb * sizeof(*b));
	ck_assert_int_eq(bench_compare_samples(a, na, b, nb, level, c), 0);
	ck_assert_msg(memcmp(ca, a, na * sizeof(*a)) == 0 &&
			      memcmp(cb, b, nb * sizeof(*b)) == 0,
		      "bench_compare_samples modified its input");
	free(ca);
	free(cb);
}

static int cmp_double(const void *x, const void *y)
{
	double u = *(const double *)x, v = *(const double *)y;

	return (u > v) - (u < v);
}

/* All na*nb differences log(b) - log(a), sorted; the caller frees. */
static double *all_diffs(const double *a, size_t na, const double *b,
			 size_t nb)
{
	double *d = malloc(na * nb * sizeof(*d));

	ck_assert_ptr_nonnull(d);
	for (size_t i = 0; i < na; i++)
		for (size_t j = 0; j < nb; j++)
			d[i * nb + j] = log(b[j]) - log(a[i]);
	qsort(d, na * nb, sizeof(*d), cmp_double);
	return d;
}

/* Asserts the interval is exp of [d(k), d(N-k+1)] (1-based) of the
 * brute-force sorted differences. */
static void check_interval_ranks(const double *a, size_t na,
				 const double *b, size_t nb,
				 const struct bench_compare *c, size_t k)
{
	double *d = all_diffs(a, na, b, nb);
	size_t n = na * nb;

	ck_assert_msg(c->ratio_low == exp(d[k - 1]),
		      "ratio_low %.17g, d(%zu) gives %.17g", c->ratio_low, k,
		      exp(d[k - 1]));
	ck_assert_msg(c->ratio_high == exp(d[n - k]),
		      "ratio_high %.17g, d(%zu) gives %.17g", c->ratio_high,
		      n - k + 1, exp(d[n - k]));
	free(d);
}

/*
 * a = {1, 2, 3}, b = {4, 5, 6}: every b above every a, U = 3*3 = 9, the
 * largest value. For na = nb = 3 the C(6,3) = 20 rank sets give U counts
 *   u:     0 1 2 3 4 5 6 7 8 9
 *   count: 1 1 2 3 3 3 3 2 1 1
 * so P(U >= 9) = 1/20 and p = 2/20 = 0.1. Swapped, U = 0 and the same p.
 */
START_TEST(test_u_exact_extreme)
{
	const double a[] = { 1, 2, 3 }, b[] = { 4, 5, 6 };
	struct bench_compare c;

	compare(a, N(a), b, N(b), 0.95, &c);
	ASSERT_NEAR(c.u, 9, EPS);
	ASSERT_NEAR(c.p_value, 0.1, EPS);
	ck_assert_int_eq(c.exact, 1);
	/* median 5 / median 2 */
	ASSERT_NEAR(c.ratio, 2.5, EPS);

	compare(b, N(b), a, N(a), 0.95, &c);
	ASSERT_NEAR(c.u, 0, EPS);
	ASSERT_NEAR(c.p_value, 0.1, EPS);
	ASSERT_NEAR(c.ratio, 0.4, EPS);
}
END_TEST

/*
 * a = {1, 3, 5}, b = {2, 4, 6}: b = 2 beats 1 a, 4 beats 2, 6 beats 3,
 * U = 6. With the counts above, P(U >= 6) = (3+2+1+1)/20 = 7/20 and
 * P(U <= 6) = 16/20, so p = 2 * 7/20 = 0.7. Swapped: U = 3,
 * P(U <= 3) = 7/20, the same p.
 */
START_TEST(test_u_exact_middle)
{
	const double a[] = { 5, 1, 3 }, b[] = { 6, 2, 4 };
	struct bench_compare c;

	compare(a, N(a), b, N(b), 0.95, &c);
	ASSERT_NEAR(c.u, 6, EPS);
	ASSERT_NEAR(c.p_value, 0.7, EPS);
	ck_assert_int_eq(c.exact, 1);
	ASSERT_NEAR(c.ratio, 4.0 / 3.0, EPS);

	compare(b, N(b), a, N(a), 0.95, &c);
	ASSERT_NEAR(c.u, 3, EPS);
	ASSERT_NEAR(c.p_value, 0.7, EPS);
}
END_TEST

/*
 * The ratio interval for na = nb = 3, where the ratios b/a are easy:
 * a = {1, 2, 4}, b = {8, 16, 32} give the nine ratios
 *   8/1 16/1 32/1 8/2 16/2 32/2 8/4 16/4 32/4
 *   sorted: 2 4 4 8 8 8 16 16 32.
 * Coverage of [d(k), d(10-k)] is 1 - 2 P(U <= k-1):
 *   k = 1: 1 - 2/20 = 0.9;  k = 2: 1 - 2*2/20 = 0.8;
 *   k = 3: 1 - 2*4/20 = 0.6.
 * level 0.95: even k = 1 falls short, so the full range [2, 32] at 0.9.
 * level 0.75: k = 2, [4, 16] at 0.8.  level 0.5: k = 3, [4, 16] at 0.6.
 * ratio = median(b)/median(a) = 16/2 = 8 either way.
 */
START_TEST(test_interval_tiny)
{
	const double a[] = { 1, 2, 4 }, b[] = { 8, 16, 32 };
	struct bench_compare c;

	compare(a, N(a), b, N(b), 0.95, &c);
	ASSERT_NEAR(c.ratio, 8, EPS);
	ASSERT_NEAR(c.ratio_low, 2, EPS);
	ASSERT_NEAR(c.ratio_high, 32, 32 * EPS);
	ASSERT_NEAR(c.ci_level, 0.9, EPS);

	compare(a, N(a), b, N(b), 0.75, &c);
	ASSERT_NEAR(c.ratio_low, 4, EPS);
	ASSERT_NEAR(c.ratio_high, 16, 16 * EPS);
	ASSERT_NEAR(c.ci_level, 0.8, EPS);

	compare(a, N(a), b, N(b), 0.5, &c);
	ASSERT_NEAR(c.ratio_low, 4, EPS);
	ASSERT_NEAR(c.ratio_high, 16, 16 * EPS);
	ASSERT_NEAR(c.ci_level, 0.6, EPS);
}
END_TEST

/*
 * na = nb = 2: C(4,2) = 6 arrangements, P(U <= 0) = 1/6, so no interval
 * reaches 95%: the full range, ci_level 1 - 2/6 = 2/3.
 * a = {10, 20}, b = {30, 60}: ratios 3 6 1.5 3 -> [1.5, 6]; U = 4, the
 * maximum, p = 2/6.
 * na = nb = 1: U is 0 or 1 with probability 1/2 each: p = 1, and the one
 * difference is an interval of confidence 1 - 2/2 = 0.
 */
START_TEST(test_interval_too_few)
{
	const double a[] = { 10, 20 }, b[] = { 30, 60 };
	struct bench_compare c;

	compare(a, N(a), b, N(b), 0.95, &c);
	ASSERT_NEAR(c.ci_level, 2.0 / 3.0, EPS);
	ASSERT_NEAR(c.ratio_low, 1.5, EPS);
	ASSERT_NEAR(c.ratio_high, 6, 6 * EPS);
	ASSERT_NEAR(c.u, 4, EPS);
	ASSERT_NEAR(c.p_value, 2.0 / 6.0, EPS);
	ASSERT_NEAR(c.ratio, 45.0 / 15.0, EPS);

	compare(a, 1, b, 1, 0.95, &c);
	ASSERT_NEAR(c.u, 1, EPS);
	ASSERT_NEAR(c.p_value, 1, EPS);
	ASSERT_NEAR(c.ci_level, 0, EPS);
	ASSERT_NEAR(c.ratio_low, 3, EPS);
	ASSERT_NEAR(c.ratio_high, 3, EPS);
	ck_assert_int_eq(bench_compare_verdict(&c, 0.05), BENCH_SAME);
}
END_TEST

/*
 * Ties force the normal approximation (R's wilcox.test, correct = TRUE).
 * a = {1, 2, 2, 3, 4}, b = {2, 3, 3, 5, 6}; pooled and ranked:
 *   1(a)=1; 2(a) 2(a) 2(b) share ranks 2..4 -> 3; 3(a) 3(b) 3(b) share
 *   5..7 -> 6; 4(a)=8; 5(b)=9; 6(b)=10.
 *   rank sum of b = 3 + 6 + 6 + 9 + 10 = 34, U = 34 - 5*6/2 = 19
 *   (pairs: b=2 beats 1 and ties two 2s: 2; b=3 beats 3, ties 1: 3.5
 *   twice; 5 and 6 beat all five: 2 + 7 + 5 + 5 = 19).
 *   mn/2 = 12.5; two tie groups of 3: sum(t^3 - t) = 24 + 24 = 48;
 *   var = 25/12 * (11 - 48/(10*9)) = 21.8055556, sd = 4.66964;
 *   z = (19 - 12.5 - 0.5) / 4.66964 = 1.284893;
 *   p = 2 (1 - Phi(1.284893)) = 0.198829.
 */
START_TEST(test_u_normal_ties)
{
	const double a[] = { 1, 2, 2, 3, 4 }, b[] = { 2, 3, 3, 5, 6 };
	double var = 25.0 / 12.0 * (11.0 - 48.0 / 90.0);
	struct bench_compare c;

	compare(a, N(a), b, N(b), 0.95, &c);
	ck_assert_int_eq(c.exact, 0);
	ASSERT_NEAR(c.u, 19, EPS);
	ASSERT_NEAR(var, 21.8055556, 1e-7);
	ASSERT_NEAR(c.p_value, erfc(6.0 / sqrt(var) / sqrt(2.0)), EPS);
	ASSERT_NEAR(c.p_value, 0.198829, 1e-6);
	ASSERT_NEAR(c.ratio, 1.5, EPS); /* 3 / 2 */

	/* Every value equal: U = mn/2 = 2, var 0; nothing differs, p = 1. */
	{
		const double x[] = { 7, 7 };
		const double y[] = { 7, 7 };

		compare(x, N(x), y, N(y), 0.95, &c);
		ASSERT_NEAR(c.u, 2, EPS);
		ASSERT_NEAR(c.p_value, 1, EPS);
		ASSERT_NEAR(c.ratio_low, 1, EPS);
		ASSERT_NEAR(c.ratio_high, 1, EPS);
	}
}
END_TEST

/*
 * The exact/normal boundary: na*nb = 10000 is still exact, 101*100 is
 * not. a = 1, 3, ..., 199 and b = 2, 4, ..., 200 (100 each): b(j) beats
 * j+1 of the a, U = 1 + 2 + ... + 100 = 5050, mn/2 = 5000.
 *   exact (counted by an independent integer program): p = 0.90394751
 *   normal: sd = sqrt(10000 * 201 / 12) = 129.4218; z = 49.5 / 129.4218,
 *   p = 0.90373242 -- the two agree to 2e-4, as they should this far
 *   from the tails.
 * Adding a = 201 (na = 101): U is unchanged, no ties, but 10100 pairs
 * take the normal route.
 */
START_TEST(test_u_exact_limit)
{
	double a[101], b[100];
	struct bench_compare c;

	for (int i = 0; i < 100; i++) {
		a[i] = 2 * i + 1;
		b[i] = 2 * i + 2;
	}
	a[100] = 201;
	compare(a, 100, b, 100, 0.95, &c);
	ck_assert_int_eq(c.exact, 1);
	ASSERT_NEAR(c.u, 5050, EPS);
	ASSERT_NEAR(c.p_value, 0.90394751, 1e-8);

	compare(a, 101, b, 100, 0.95, &c);
	ck_assert_int_eq(c.exact, 0);
	ASSERT_NEAR(c.u, 5050, EPS);
	/* mn/2 = 5050: no departure at all */
	ASSERT_NEAR(c.p_value, 1, EPS);
}
END_TEST

/*
 * Two interleaved halves of one progression: a = 100, 102, ..., 118 and
 * b = 101, 103, ..., 119. b(j) beats j+1 of the a: U = 55 of 100,
 * exact p = 0.73936 (integer enumeration). The ratio 110/109 = 1.009 has
 * an interval round 1: SAME.
 */
START_TEST(test_same)
{
	double a[10], b[10];
	struct bench_compare c;

	for (int i = 0; i < 10; i++) {
		a[i] = 100 + 2 * i;
		b[i] = 101 + 2 * i;
	}
	compare(a, 10, b, 10, 0.95, &c);
	ASSERT_NEAR(c.u, 55, EPS);
	ASSERT_NEAR(c.p_value, 0.7393643508, 1e-9);
	ASSERT_NEAR(c.ratio, 110.0 / 109.0, EPS);
	ck_assert(c.ratio_low < 1.0 && c.ratio_high > 1.0);
	ck_assert_int_eq(bench_compare_verdict(&c, 0.05), BENCH_SAME);
	/* A huge alpha does not help: the interval still holds 1. */
	ck_assert_int_eq(bench_compare_verdict(&c, 0.99), BENCH_SAME);
}
END_TEST

/* +-1% multiplicative noise, fixed. */
static const double noise[10] = { 0.004,  -0.007, 0.01,	 -0.002, 0.006,
				  -0.009, 0.003,  -0.005, 0.008, -0.001 };

/*
 * b = 1.2 a (1 + noise), a = 100, 100.5, ..., 104.5: every b (>= 118.8)
 * above every a (<= 104.5), so U = 100 and p = 2 / C(20,10) = 2/184756.
 * For 10 x 10 at 95%: P(U <= 23) <= 0.025 < P(U <= 24) (the table's
 * critical value 23), so k = 24 and ci_level = 1 - 2 P(U <= 23) =
 * 0.95674 (integer enumeration). Brute force over the 100 ratios gives
 * [1.18257, 1.21915], which holds 1.2 and excludes 1: SLOWER.
 * b = a (1 + noise) / 1.2: U = 0, [0.82123, 0.84663] holds 1/1.2: FASTER.
 */
START_TEST(test_slower_faster)
{
	double a[10], b[10];
	struct bench_compare c;

	for (int i = 0; i < 10; i++) {
		a[i] = 100 + 0.5 * i;
		b[i] = 1.2 * a[i] * (1 + noise[i]);
	}
	compare(a, 10, b, 10, 0.95, &c);
	ck_assert_int_eq(c.exact, 1);
	ASSERT_NEAR(c.u, 100, EPS);
	ASSERT_NEAR(c.p_value, 2.0 / 184756.0, 1e-15);
	ASSERT_NEAR(c.ci_level, 0.9567429475, 1e-9);
	check_interval_ranks(a, 10, b, 10, &c, 24);
	ASSERT_NEAR(c.ratio_low, 1.1825741627, 1e-9);
	ASSERT_NEAR(c.ratio_high, 1.2191524752, 1e-9);
	ASSERT_NEAR(c.ratio, 1.2, 0.01);
	ck_assert(c.ratio_low < 1.2 && 1.2 < c.ratio_high);
	ck_assert_int_eq(bench_compare_verdict(&c, 0.05), BENCH_SLOWER);
	/* Not significant at an alpha below p: SAME. */
	ck_assert_int_eq(bench_compare_verdict(&c, 1e-6), BENCH_SAME);

	for (int i = 0; i < 10; i++)
		b[i] = a[i] * (1 + noise[i]) / 1.2;
	compare(a, 10, b, 10, 0.95, &c);
	ASSERT_NEAR(c.u, 0, EPS);
	ASSERT_NEAR(c.p_value, 2.0 / 184756.0, 1e-15);
	check_interval_ranks(a, 10, b, 10, &c, 24);
	ASSERT_NEAR(c.ratio_low, 0.8212320574, 1e-9);
	ASSERT_NEAR(c.ratio_high, 0.8466336634, 1e-9);
	ck_assert(c.ratio_low < 1 / 1.2 && 1 / 1.2 < c.ratio_high);
	ck_assert_int_eq(bench_compare_verdict(&c, 0.05), BENCH_FASTER);
}
END_TEST

/* The verdict needs both: p < alpha and an interval clear of 1. */
START_TEST(test_verdict_rules)
{
	struct bench_compare c = { 0 };

	c.p_value = 0.01;
	c.ratio_low = 1.1;
	c.ratio_high = 1.3;
	ck_assert_int_eq(bench_compare_verdict(&c, 0.05), BENCH_SLOWER);
	ck_assert_int_eq(bench_compare_verdict(&c, 0.01), BENCH_SAME);
	c.ratio_low = 0.99;
	ck_assert_int_eq(bench_compare_verdict(&c, 0.05), BENCH_SAME);
	c.ratio_low = 0.7;
	c.ratio_high = 0.9;
	ck_assert_int_eq(bench_compare_verdict(&c, 0.05), BENCH_FASTER);
	c.p_value = 0.2;
	ck_assert_int_eq(bench_compare_verdict(&c, 0.05), BENCH_SAME);
}
END_TEST

/* Small deterministic generator: the data need only be fixed and messy. */
static double lcg(unsigned *state)
{
	*state = *state * 1103515245u + 12345u;
	return (double)((*state >> 8) & 0xffff) / 65536.0;
}

/*
 * The selection of the k-th difference without storing them, checked
 * against brute force on uneven samples (37 x 23 = 851 pairs, exact):
 * the interval must be the k-th smallest and k-th largest of the sorted
 * differences for one k, and the k must be the largest whose coverage
 * reaches the level. The coverage is checked against ci_level.
 */
START_TEST(test_interval_brute_force)
{
	double a[37], b[23], *d;
	unsigned seed = 42;
	struct bench_compare c;
	size_t n = N(a) * N(b), k;

	for (size_t i = 0; i < N(a); i++)
		a[i] = 1000.0 * (1.0 + lcg(&seed));
	for (size_t j = 0; j < N(b); j++)
		b[j] = 1100.0 * (1.0 + lcg(&seed));
	compare(a, N(a), b, N(b), 0.95, &c);
	ck_assert_int_eq(c.exact, 1);
	ck_assert(c.ci_level >= 0.95);
	d = all_diffs(a, N(a), b, N(b));
	for (k = 1; k <= n / 2; k++)
		if (exp(d[k - 1]) == c.ratio_low)
			break;
	ck_assert_msg(k <= n / 2, "ratio_low is no pairwise ratio");
	ck_assert_msg(exp(d[n - k]) == c.ratio_high,
		      "ratio_high is not the %zu-th largest ratio", k);
	free(d);

	/* The U statistic, by the definition. */
	{
		double u = 0;

		for (size_t i = 0; i < N(a); i++)
			for (size_t j = 0; j < N(b); j++)
				u += (b[j] > a[i]) + 0.5 * (b[j] == a[i]);
		ASSERT_NEAR(c.u, u, EPS);
	}
}
END_TEST

/*
 * The normal route for the interval (14400 pairs, ties across samples):
 * a = 1000 + (37 i mod 120), b = 1010 + (53 j mod 120), i, j < 120.
 *   k = floor(N/2 - z sqrt(mn(m+n+1)/12)) = floor(7200 - 1.959964 *
 *   sqrt(14400 * 241 / 12)) = floor(7200 - 1.959964 * 537.7732) =
 *   floor(6145.98) = 6145;
 *   ci_level = 1 - 2 Phi((6145 - 0.5 - 7200) / 537.7732) = 0.950322.
 * U = 8350 (counted pair by pair below); tie groups: 110 shared values
 * of 2, sum(t^3 - t) = 660, var = 1200 (241 - 660/57360) = 289186.19,
 * z = (1150 - 0.5) / 537.76, p = 0.0325517.
 */
START_TEST(test_interval_normal)
{
	double a[120], b[120], u = 0;
	struct bench_compare c;

	for (int i = 0; i < 120; i++) {
		a[i] = 1000 + (37 * i) % 120;
		b[i] = 1010 + (53 * i) % 120;
	}
	for (int i = 0; i < 120; i++)
		for (int j = 0; j < 120; j++)
			u += (b[j] > a[i]) + 0.5 * (b[j] == a[i]);
	ASSERT_NEAR(u, 8350, EPS);

	compare(a, 120, b, 120, 0.95, &c);
	ck_assert_int_eq(c.exact, 0);
	ASSERT_NEAR(c.u, 8350, EPS);
	ASSERT_NEAR(c.p_value,
		    erfc((1150 - 0.5) / sqrt(1200 * (241 - 660.0 / 57360)) /
			 sqrt(2.0)),
		    EPS);
	ASSERT_NEAR(c.p_value, 0.0325517, 1e-7);
	ASSERT_NEAR(c.ci_level, 0.9503217, 1e-7);
	check_interval_ranks(a, 120, b, 120, &c, 6145);
	ASSERT_NEAR(c.ratio_low, 1.000925926, 1e-9);
	ASSERT_NEAR(c.ratio_high, 1.018148820, 1e-9);
	/* p < 0.05 and [1.0009, 1.018] is clear of 1 */
	ck_assert_int_eq(bench_compare_verdict(&c, 0.05), BENCH_SLOWER);
}
END_TEST

START_TEST(test_compare_invalid)
{
	const double good[] = { 1, 2, 3 };
	const double zero[] = { 1, 0, 3 };
	const double neg[] = { 1, -2, 3 };
	const double bad[] = { 1, NAN, INFINITY };
	struct bench_compare c;

	ck_assert_int_eq(bench_compare_samples(good, 0, good, 3, 0.95, &c),
			 BENCH_EINVAL);
	ck_assert(isnan(c.p_value) && isnan(c.ratio));
	ck_assert_int_eq(bench_compare_samples(good, 3, good, 0, 0.95, &c),
			 BENCH_EINVAL);
	ck_assert_int_eq(bench_compare_samples(zero, 3, good, 3, 0.95, &c),
			 BENCH_EINVAL);
	ck_assert_int_eq(bench_compare_samples(good, 3, neg, 3, 0.95, &c),
			 BENCH_EINVAL);
	ck_assert_int_eq(bench_compare_samples(good, 3, bad, 2, 0.95, &c),
			 BENCH_EINVAL);
	ck_assert_int_eq(bench_compare_samples(good, 3, bad + 2, 1, 0.95, &c),
			 BENCH_EINVAL);
	ck_assert_int_eq(bench_compare_samples(good, 3, good, 3, 1.0, &c),
			 BENCH_EINVAL);
	ck_assert_int_eq(bench_compare_samples(good, 3, good, 3, 0.0, &c),
			 BENCH_EINVAL);
}
END_TEST

/*
 * f = 0.1: S(p) = 1 / (0.1 + 0.9/p):
 *   S(1) = 1, S(2) = 1/0.55 = 20/11, S(4) = 1/0.325 = 40/13,
 *   S(8) = 1/0.2125 = 80/17, S(16) = 1/0.15625 = 32/5.
 * The fit recovers f = 0.1, limit 1/f = 10, error 0.
 */
START_TEST(test_amdahl_exact)
{
	const double p[] = { 1, 2, 4, 8, 16 };
	const double s[] = { 1, 20.0 / 11, 40.0 / 13, 80.0 / 17, 32.0 / 5 };
	struct bench_amdahl fit;

	ck_assert_int_eq(bench_amdahl_fit(p, s, N(p), &fit), 0);
	ASSERT_NEAR(fit.serial_fraction, 0.1, 1e-6);
	ASSERT_NEAR(fit.max_speedup, 10, 1e-4);
	ASSERT_NEAR(fit.rmse, 0, 1e-9);

	ASSERT_NEAR(bench_amdahl_speedup(0.1, 4), 40.0 / 13, EPS);
	ASSERT_NEAR(bench_amdahl_speedup(0, 8), 8, EPS);
	ASSERT_NEAR(bench_amdahl_speedup(1, 8), 1, EPS);
}
END_TEST

/*
 * Perfect scaling S = p: f = 0 exactly (the boundary, not 1e-9 inside),
 * no limit. Better than perfect (S = 1.1 p) is clamped to f = 0 too.
 * No scaling at all (S = 1): f = 1, the limit is 1.
 */
START_TEST(test_amdahl_bounds)
{
	const double p[] = { 1, 2, 4, 8 };
	const double perfect[] = { 1, 2, 4, 8 };
	const double super[] = { 1.1, 2.2, 4.4, 8.8 };
	const double flat[] = { 1, 1, 1, 1 };
	struct bench_amdahl fit;

	ck_assert_int_eq(bench_amdahl_fit(p, perfect, N(p), &fit), 0);
	ck_assert(fit.serial_fraction == 0.0);
	ck_assert(isinf(fit.max_speedup));
	ASSERT_NEAR(fit.rmse, 0, EPS);

	ck_assert_int_eq(bench_amdahl_fit(p, super, N(p), &fit), 0);
	ck_assert(fit.serial_fraction == 0.0);
	ck_assert(isinf(fit.max_speedup));
	/* residuals 0.1 0.2 0.4 0.8: rmse sqrt(0.85 / 4) */
	ASSERT_NEAR(fit.rmse, sqrt(0.85 / 4), EPS);

	ck_assert_int_eq(bench_amdahl_fit(p, flat, N(p), &fit), 0);
	ck_assert(fit.serial_fraction == 1.0);
	ASSERT_NEAR(fit.max_speedup, 1, EPS);
	ASSERT_NEAR(fit.rmse, 0, EPS);
}
END_TEST

/*
 * f = 0.05 with fixed noise of 0, +2, -2, +1.5, -1, +2 % at
 * p = 1, 2, 4, 8, 16, 32. The least-squares f, by a dense scan plus
 * ternary search over the same sum of squares done separately, is
 * 0.0489166, rmse 0.0903966: close to the truth, not equal to it.
 */
START_TEST(test_amdahl_noisy)
{
	const double p[] = { 1, 2, 4, 8, 16, 32 };
	const double e[] = { 0, 0.02, -0.02, 0.015, -0.01, 0.02 };
	double s[N(p)];
	struct bench_amdahl fit;

	for (size_t i = 0; i < N(p); i++)
		s[i] = bench_amdahl_speedup(0.05, p[i]) * (1 + e[i]);
	ck_assert_int_eq(bench_amdahl_fit(p, s, N(p), &fit), 0);
	ASSERT_NEAR(fit.serial_fraction, 0.0489166, 1e-6);
	ASSERT_NEAR(fit.serial_fraction, 0.05, 0.002);
	ASSERT_NEAR(fit.max_speedup, 1 / 0.0489166, 1e-3);
	ASSERT_NEAR(fit.rmse, 0.0903966, 1e-6);
}
END_TEST

START_TEST(test_amdahl_invalid)
{
	const double p1[] = { 1, 1, 1 };
	const double s1[] = { 1, 1.1, 0.9 };
	const double p[] = { 1, 2 };
	const double s[] = { 1, 1.8 };
	const double half[] = { 0.5, 2 };
	const double zero[] = { 1, 0 };
	struct bench_amdahl fit;

	/* Only p = 1: nothing to learn. f = 0, no limit; the rmse still
	 * says how far the points sit from S = 1: sqrt(0.02 / 3). */
	ck_assert_int_eq(bench_amdahl_fit(p1, s1, N(p1), &fit), BENCH_EINVAL);
	ck_assert(fit.serial_fraction == 0.0);
	ck_assert(isinf(fit.max_speedup));
	ASSERT_NEAR(fit.rmse, sqrt(0.02 / 3), EPS);

	ck_assert_int_eq(bench_amdahl_fit(p, s, 0, &fit), BENCH_EINVAL);
	ck_assert_int_eq(bench_amdahl_fit(half, s, 2, &fit), BENCH_EINVAL);
	ck_assert_int_eq(bench_amdahl_fit(p, zero, 2, &fit), BENCH_EINVAL);
	ck_assert(fit.serial_fraction == 0.0);
	ck_assert(isinf(fit.max_speedup));

	/* One informative point is enough: 1.8 = 1/(f + (1-f)/2) gives
	 * f = 2/1.8 - 1 = 1/9. */
	ck_assert_int_eq(bench_amdahl_fit(p, s, 2, &fit), 0);
	ASSERT_NEAR(fit.serial_fraction, 1.0 / 9, 1e-8);
	ASSERT_NEAR(fit.rmse, 0, 1e-9);
}
END_TEST

/*
 * e = (1/S - 1/p) / (1 - 1/p).
 * S = 1.6, p = 2: (0.625 - 0.5) / 0.5 = 0.25.
 * Amdahl data give back f: S(4) = 40/13 at f = 0.1,
 *   (13/40 - 1/4) / (3/4) = (0.325 - 0.25) / 0.75 = 0.1.
 * S = p: 0. p <= 1: NAN.
 */
START_TEST(test_karp_flatt)
{
	ASSERT_NEAR(bench_karp_flatt(1.6, 2), 0.25, EPS);
	ASSERT_NEAR(bench_karp_flatt(40.0 / 13, 4), 0.1, EPS);
	ASSERT_NEAR(bench_karp_flatt(8, 8), 0, EPS);
	ck_assert(isnan(bench_karp_flatt(1, 1)));
	ck_assert(isnan(bench_karp_flatt(1, 0.5)));
	ck_assert(isnan(bench_karp_flatt(1, NAN)));
}
END_TEST

START_TEST(test_bigo_names)
{
	ck_assert_str_eq(bench_bigo_name(BENCH_O_1), "O(1)");
	ck_assert_str_eq(bench_bigo_name(BENCH_O_LOGN), "O(log n)");
	ck_assert_str_eq(bench_bigo_name(BENCH_O_N), "O(n)");
	ck_assert_str_eq(bench_bigo_name(BENCH_O_NLOGN), "O(n log n)");
	ck_assert_str_eq(bench_bigo_name(BENCH_O_N2), "O(n^2)");
	ck_assert_ptr_nonnull(bench_bigo_name(BENCH_O_COUNT));

	ASSERT_NEAR(bench_bigo_eval(BENCH_O_1, 1000), 1, EPS);
	ASSERT_NEAR(bench_bigo_eval(BENCH_O_LOGN, 1024), 10, EPS);
	ASSERT_NEAR(bench_bigo_eval(BENCH_O_LOGN, 1), 0, EPS);
	ASSERT_NEAR(bench_bigo_eval(BENCH_O_N, 7), 7, EPS);
	ASSERT_NEAR(bench_bigo_eval(BENCH_O_NLOGN, 8), 24, EPS);
	ASSERT_NEAR(bench_bigo_eval(BENCH_O_N2, 3), 9, EPS);
}
END_TEST

/* Sizes 1000 * 2^k, k = 0..9 (1000 .. 512000), times t(n); the fit. */
static void fit_sizes(double (*t)(double n, size_t i), struct bench_fit *fit)
{
	double size[10], time[10];

	for (size_t i = 0; i < 10; i++) {
		size[i] = 1000.0 * (double)(1u << i);
		time[i] = t(size[i], i);
	}
	ck_assert_int_eq(bench_fit_complexity(size, time, 10, fit), 0);
}

static double t_linear(double n, size_t i)
{
	(void)i;
	return 3e-9 * n;
}

static double t_nlogn(double n, size_t i)
{
	(void)i;
	return 2e-9 * n * log2(n);
}

static double t_square(double n, size_t i)
{
	(void)i;
	return 1e-12 * n * n;
}

static double t_const(double n, size_t i)
{
	(void)n;
	(void)i;
	return 5e-6;
}

static double t_log(double n, size_t i)
{
	(void)i;
	return 1e-7 * log2(n);
}

/* +-3 % fixed noise on 3e-9 n. */
static double t_linear_noisy(double n, size_t i)
{
	static const double e[10] = { 0.03,  -0.03, 0.02, -0.01, 0.03,
				      -0.02, -0.03, 0.01, 0.03,	 -0.03 };

	return 3e-9 * n * (1 + e[i]);
}

/*
 * Exact curves are recovered with their constant and no error. For the
 * noisy line (done separately with the same formulas): O(n) error 0.0253,
 * coef 2.99616e-9; O(n log n) 0.2005 (log2 n runs 9.97 .. 18.97, so
 * n log n bends 1.9x away from a line over these sizes); the rest > 0.8.
 */
START_TEST(test_complexity_classes)
{
	struct bench_fit fit;

	fit_sizes(t_linear, &fit);
	ck_assert_int_eq(fit.best, BENCH_O_N);
	ASSERT_NEAR(fit.coef[BENCH_O_N], 3e-9, 1e-20);
	ASSERT_NEAR(fit.error[BENCH_O_N], 0, 1e-12);

	fit_sizes(t_nlogn, &fit);
	ck_assert_int_eq(fit.best, BENCH_O_NLOGN);
	ASSERT_NEAR(fit.coef[BENCH_O_NLOGN], 2e-9, 1e-20);
	ASSERT_NEAR(fit.error[BENCH_O_NLOGN], 0, 1e-12);

	fit_sizes(t_square, &fit);
	ck_assert_int_eq(fit.best, BENCH_O_N2);
	ASSERT_NEAR(fit.coef[BENCH_O_N2], 1e-12, 1e-23);
	ASSERT_NEAR(fit.error[BENCH_O_N2], 0, 1e-12);

	fit_sizes(t_const, &fit);
	ck_assert_int_eq(fit.best, BENCH_O_1);
	ASSERT_NEAR(fit.coef[BENCH_O_1], 5e-6, 1e-17);
	ASSERT_NEAR(fit.error[BENCH_O_1], 0, 1e-12);

	fit_sizes(t_log, &fit);
	ck_assert_int_eq(fit.best, BENCH_O_LOGN);
	ASSERT_NEAR(fit.coef[BENCH_O_LOGN], 1e-7, 1e-18);
	ASSERT_NEAR(fit.error[BENCH_O_LOGN], 0, 1e-12);

	fit_sizes(t_linear_noisy, &fit);
	ck_assert_int_eq(fit.best, BENCH_O_N);
	ASSERT_NEAR(fit.coef[BENCH_O_N], 2.99616113e-9, 1e-17);
	ASSERT_NEAR(fit.error[BENCH_O_N], 0.0252966732, 1e-9);
	ASSERT_NEAR(fit.error[BENCH_O_NLOGN], 0.2004722151, 1e-9);
	ck_assert(fit.error[BENCH_O_1] > 0.8 && fit.error[BENCH_O_N2] > 0.8);
}
END_TEST

/*
 * Every coefficient and error on three points, by hand. With w = g/t the
 * fit is a = sum(w) / sum(w^2) and the error sqrt(mean((a w - 1)^2)).
 *
 * sizes {1, 2, 4}, times {1, 2, 4} (t = n):
 *   O(1):     w = 1, 1/2, 1/4: a = 1.75 / 1.3125 = 4/3;
 *             a w - 1 = 1/3, -1/3, -2/3: error sqrt((1+1+4)/27) = sqrt(2/9)
 *   O(log n): w = 0, 1/2, 1/2: a = 1 / (1/2) = 2; a w - 1 = -1, 0, 0:
 *             error sqrt(1/3) (n = 1 has g = 0, and only counts as a miss)
 *   O(n):     w = 1, 1, 1: a = 1, error 0  <- best
 *   O(n log n): w = 0, 1, 2: a = 3/5; -1, -2/5, 1/5: sqrt(1.2/3) = sqrt(0.4)
 *   O(n^2):   w = 1, 2, 4: a = 7/21 = 1/3; -2/3, -1/3, 1/3: sqrt(2/9)
 * sizes {1, 2, 4}, times {1, 1, 1}: O(1) exact (a = 1, error 0); O(log n)
 *   w = 0, 1, 2 -> a = 3/5, error sqrt(0.4); O(n) w = 1, 2, 4 -> a = 1/3,
 *   error sqrt(2/9).
 */
START_TEST(test_complexity_by_hand)
{
	const double size[] = { 4, 1, 2 }; /* order does not matter */
	const double lin[] = { 4, 1, 2 };
	const double flat[] = { 1, 1, 1 };
	struct bench_fit fit;

	ck_assert_int_eq(bench_fit_complexity(size, lin, 3, &fit), 0);
	ck_assert_int_eq(fit.best, BENCH_O_N);
	ASSERT_NEAR(fit.coef[BENCH_O_1], 4.0 / 3, EPS);
	ASSERT_NEAR(fit.error[BENCH_O_1], sqrt(2.0 / 9), EPS);
	ASSERT_NEAR(fit.coef[BENCH_O_LOGN], 2, EPS);
	ASSERT_NEAR(fit.error[BENCH_O_LOGN], sqrt(1.0 / 3), EPS);
	ASSERT_NEAR(fit.coef[BENCH_O_N], 1, EPS);
	ASSERT_NEAR(fit.error[BENCH_O_N], 0, EPS);
	ASSERT_NEAR(fit.coef[BENCH_O_NLOGN], 0.6, EPS);
	ASSERT_NEAR(fit.error[BENCH_O_NLOGN], sqrt(0.4), EPS);
	ASSERT_NEAR(fit.coef[BENCH_O_N2], 1.0 / 3, EPS);
	ASSERT_NEAR(fit.error[BENCH_O_N2], sqrt(2.0 / 9), EPS);

	ck_assert_int_eq(bench_fit_complexity(size, flat, 3, &fit), 0);
	ck_assert_int_eq(fit.best, BENCH_O_1);
	ASSERT_NEAR(fit.coef[BENCH_O_1], 1, EPS);
	ASSERT_NEAR(fit.error[BENCH_O_1], 0, EPS);
	ASSERT_NEAR(fit.coef[BENCH_O_LOGN], 0.6, EPS);
	ASSERT_NEAR(fit.error[BENCH_O_LOGN], sqrt(0.4), EPS);
	ASSERT_NEAR(fit.coef[BENCH_O_N], 1.0 / 3, EPS);
	ASSERT_NEAR(fit.error[BENCH_O_N], sqrt(2.0 / 9), EPS);
}
END_TEST

/*
 * Repeated sizes are fine as long as three differ; two distinct sizes,
 * a size below 1, or a time <= 0 are not.
 */
START_TEST(test_complexity_invalid)
{
	const double two[] = { 1000, 1000, 2000, 2000 };
	const double three[] = { 1000, 1000, 2000, 4000 };
	const double t4[] = { 1, 1, 2, 4 };
	const double small[] = { 0.5, 1, 2 };
	const double t3[] = { 1, 2, 3 };
	const double tzero[] = { 1, 0, 3 };
	const double sizes3[] = { 1, 2, 3 };
	struct bench_fit fit;

	ck_assert_int_eq(bench_fit_complexity(two, t4, 4, &fit), BENCH_EINVAL);
	ck_assert_int_eq(bench_fit_complexity(three, t4, 4, &fit), 0);
	ck_assert_int_eq(fit.best, BENCH_O_N);
	ck_assert_int_eq(bench_fit_complexity(small, t3, 3, &fit),
			 BENCH_EINVAL);
	ck_assert_int_eq(bench_fit_complexity(sizes3, tzero, 3, &fit),
			 BENCH_EINVAL);
	ck_assert_int_eq(bench_fit_complexity(sizes3, t3, 2, &fit),
			 BENCH_EINVAL);
	ck_assert_int_eq(bench_fit_complexity(sizes3, t3, 0, &fit),
			 BENCH_EINVAL);
}
END_TEST

Suite *suite_analysis(void)
{
	Suite *s = suite_create("analysis");
	TCase *tc = tcase_create("analysis");

	tcase_add_test(tc, test_u_exact_extreme);
	tcase_add_test(tc, test_u_exact_middle);
	tcase_add_test(tc, test_interval_tiny);
	tcase_add_test(tc, test_interval_too_few);
	tcase_add_test(tc, test_u_normal_ties);
	tcase_add_test(tc, test_u_exact_limit);
	tcase_add_test(tc, test_same);
	tcase_add_test(tc, test_slower_faster);
	tcase_add_test(tc, test_verdict_rules);
	tcase_add_test(tc, test_interval_brute_force);
	tcase_add_test(tc, test_interval_normal);
	tcase_add_test(tc, test_compare_invalid);
	tcase_add_test(tc, test_amdahl_exact);
	tcase_add_test(tc, test_amdahl_bounds);
	tcase_add_test(tc, test_amdahl_noisy);
	tcase_add_test(tc, test_amdahl_invalid);
	tcase_add_test(tc, test_karp_flatt);
	tcase_add_test(tc, test_bigo_names);
	tcase_add_test(tc, test_complexity_classes);
	tcase_add_test(tc, test_complexity_by_hand);
	tcase_add_test(tc, test_complexity_invalid);
	suite_add_tcase(s, tc);
	return s;
}
