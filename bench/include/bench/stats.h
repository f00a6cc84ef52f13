/*
 * stats.h - summary statistics for a set of timing samples.
 *
 * Timings are skewed to the right (the machine can only add delay), so the
 * median is the headline figure and its confidence interval comes from order
 * statistics (a distribution-free binomial interval), not from mean +- t*s.
 * Outliers are flagged with the modified z-score built on the median
 * absolute deviation (Iglewicz & Hoaglin), which a few wild samples cannot
 * drag the way they drag a standard deviation.
 */
#ifndef BENCH_STATS_H
#define BENCH_STATS_H

#include <stddef.h>

struct bench_stats {
	size_t n;          /* samples */
	double min;        /* same unit as the samples */
	double max;
	double mean;
	double median;
	double stddev;     /* sample standard deviation (n - 1); 0 when n < 2 */
	double cv;         /* stddev / mean; 0 when mean is 0 */
	double mad;        /* median absolute deviation from the median (raw) */
	double ci_low;     /* confidence interval of the median */
	double ci_high;
	double ci_level;   /* confidence the interval really has, 0..1 */
	size_t outliers;   /* samples with modified z-score above 3.5 */
};

/* Modified z-score above which a sample is an outlier. */
#define BENCH_OUTLIER_Z 3.5
/* Fewer samples than this flag no outliers: the median and MAD of three
 * or four values are too unsteady to call any one of them wild. */
#define BENCH_OUTLIER_MIN_N 5

/*
 * Computes every field of out from n samples x (not modified).
 * If outlier is not NULL it receives n flags, 1 for an outlier (all 0
 * when n < BENCH_OUTLIER_MIN_N).
 * Returns 0, BENCH_EINVAL when n is 0, BENCH_ENOMEM.
 */
int bench_stats_compute(const double *x, size_t n, struct bench_stats *out,
			unsigned char *outlier);

/* Median of n values (the mean of the middle two when n is even); x is
 * not modified. Returns NAN when n is 0. */
double bench_stats_median(const double *x, size_t n);

/*
 * Ranks (0-based, into the sorted samples) of the narrowest symmetric
 * interval [x(lo), x(hi)] that holds the population median with probability
 * at least `level`, from the Binomial(n, 1/2) distribution. When n is too
 * small for `level`, returns the widest interval [0, n-1]. *achieved gets
 * the interval's real confidence. Returns 0 or BENCH_EINVAL (n == 0).
 */
int bench_stats_median_ci_ranks(size_t n, double level, size_t *lo,
				size_t *hi, double *achieved);

#endif
