/*
 * stats.c - summary statistics for timing samples.
 *
 * Written by hand: no maintained C library in Debian offers the median's
 * order-statistic interval and MAD outlier flags without pulling in a whole
 * numerics package (GSL has quantiles but neither of these), and the maths
 * is a few lines. Sample counts are small (tens to thousands), so sorting a
 * copy is cheaper than anything clever.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/error.h"
#include "bench/stats.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median of an already sorted array. */
static double sorted_median(const double *s, size_t n)
{
	if (n % 2)
		return s[n / 2];
	return (s[n / 2 - 1] + s[n / 2]) / 2.0;
}

double bench_stats_median(const double *x, size_t n)
{
	double *s, m;

	if (n == 0)
		return NAN;
	s = malloc(n * sizeof(*s));
	if (!s)
		return NAN;
	memcpy(s, x, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	m = sorted_median(s, n);
	free(s);
	return m;
}

int bench_stats_median_ci_ranks(size_t n, double level, size_t *lo,
				size_t *hi, double *achieved)
{
	size_t j = 1; /* 1-based rank of the lower bound */
	double log_pmf, cdf, next;

	if (n == 0)
		return BENCH_EINVAL;
	/*
	 * The median lies in [x(j), x(n+1-j)] unless at most j-1 samples fall
	 * below it or at most j-1 above it: coverage = 1 - 2 P(B <= j-1).
	 * Widen j while the next interval still has the wanted coverage. The
	 * CDF is accumulated in one pass (pmf(i+1) = pmf(i) (n-i) / (i+1), in
	 * log space), so the whole search is O(n) however many samples.
	 */
	log_pmf = -(double)n * M_LN2;     /* log P(B = 0) */
	cdf = exp(log_pmf);               /* P(B <= j - 1) */
	for (;;) {
		log_pmf += log((double)(n - (j - 1))) - log((double)j);
		next = cdf + exp(log_pmf);        /* P(B <= j) */
		if (2 * (j + 1) > n + 1 || 1.0 - 2.0 * next < level)
			break;
		cdf = next;
		j++;
	}
	*lo = j - 1;
	*hi = n - j;
	*achieved = n == 1 ? 0.0 : 1.0 - 2.0 * cdf;
	return 0;
}

int bench_stats_compute(const double *x, size_t n, struct bench_stats *out,
			unsigned char *outlier)
{
	double *s, sum = 0.0, sq = 0.0, mad_scale, mean_ad = 0.0;
	size_t lo, hi;

	memset(out, 0, sizeof(*out));
	if (n == 0)
		return BENCH_EINVAL;
	s = malloc(n * sizeof(*s));
	if (!s)
		return BENCH_ENOMEM;
	memcpy(s, x, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);

	out->n = n;
	out->min = s[0];
	out->max = s[n - 1];
	out->median = sorted_median(s, n);
	for (size_t i = 0; i < n; i++)
		sum += x[i];
	out->mean = sum / (double)n;
	for (size_t i = 0; i < n; i++)
		sq += (x[i] - out->mean) * (x[i] - out->mean);
	out->stddev = n > 1 ? sqrt(sq / (double)(n - 1)) : 0.0;
	out->cv = out->mean != 0.0 ? out->stddev / out->mean : 0.0;

	bench_stats_median_ci_ranks(n, 0.95, &lo, &hi, &out->ci_level);
	out->ci_low = s[lo];
	out->ci_high = s[hi];

	/* Absolute deviations, reusing the sorted buffer. */
	for (size_t i = 0; i < n; i++) {
		s[i] = fabs(x[i] - out->median);
		mean_ad += s[i];
	}
	mean_ad /= (double)n;
	qsort(s, n, sizeof(*s), cmp_double);
	out->mad = sorted_median(s, n);
	free(s);

	/*
	 * Modified z-score M = 0.6745 (x - median) / MAD. When more than half
	 * the samples are equal the MAD is 0; Iglewicz & Hoaglin then scale by
	 * the mean absolute deviation (1.253314 * meanAD estimates sigma).
	 */
	if (out->mad > 0.0)
		mad_scale = out->mad / 0.6745;
	else
		mad_scale = 1.253314 * mean_ad;
	for (size_t i = 0; i < n; i++) {
		int flag = n >= BENCH_OUTLIER_MIN_N && mad_scale > 0.0 &&
			   fabs(x[i] - out->median) / mad_scale >
				   BENCH_OUTLIER_Z;

		out->outliers += (size_t)flag;
		if (outlier)
			outlier[i] = (unsigned char)flag;
	}
	return 0;
}
