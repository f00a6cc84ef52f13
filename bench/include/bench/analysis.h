/*
 * analysis.h - the statistics behind scale, complexity and compare.
 *
 * Comparisons use ranks, not means: the Mann-Whitney U test says whether
 * two sets of timings differ, and the matching distribution-free interval
 * (Moses / Hodges-Lehmann, on log times) bounds their ratio, so a verdict
 * never rests on timings being normal. Scaling fits Amdahl's law by least
 * squares; complexity fits each candidate curve t = a * g(n) and keeps the
 * one with the smallest relative error.
 */
#ifndef BENCH_ANALYSIS_H
#define BENCH_ANALYSIS_H

#include <stddef.h>

/* Result of comparing samples a (baseline) with samples b (candidate). */
struct bench_compare {
	double ratio;      /* median(b) / median(a): above 1 means b is slower */
	double ratio_low;  /* confidence interval of the ratio */
	double ratio_high;
	double ci_level;   /* confidence the interval really has, 0..1 */
	double u;          /* Mann-Whitney U of b over a (ties count 1/2) */
	double p_value;    /* two-sided */
	int exact;         /* 1: p from the exact U distribution (no ties,
			      small samples); 0: normal approximation with
			      tie and continuity correction */
};

/*
 * Compares na samples a with nb samples b (both positive, e.g. ns; neither
 * modified). The ratio's interval is exp() of the Moses interval for the
 * shift of log(b) - log(a) at `level` (e.g. 0.95): the k-th smallest and
 * k-th largest of the na*nb pairwise differences, k from the U
 * distribution; with too few samples for `level` it is the full range and
 * ci_level says what it achieves. The p-value is exact (enumerated U
 * distribution) when there are no ties and na*nb <= 10000, otherwise the
 * normal approximation with tie correction.
 * Returns 0, BENCH_EINVAL (a sample set empty or a value <= 0), or
 * BENCH_ENOMEM.
 */
int bench_compare_samples(const double *a, size_t na, const double *b,
			  size_t nb, double level, struct bench_compare *out);

/* Verdicts of bench_compare_verdict(). */
enum bench_verdict {
	BENCH_SAME,    /* no significant difference */
	BENCH_FASTER,  /* b significantly faster than a */
	BENCH_SLOWER,  /* b significantly slower than a */
};

/* Significant when p < alpha and the ratio's interval excludes 1. */
enum bench_verdict bench_compare_verdict(const struct bench_compare *c,
					 double alpha);

/* Amdahl's law fitted to measured speedups. */
struct bench_amdahl {
	double serial_fraction; /* f in S(p) = 1 / (f + (1 - f) / p), 0..1 */
	double max_speedup;     /* 1 / f, the limit as p grows (INFINITY if
				   f is 0) */
	double rmse;            /* root mean square error of the fit, in
				   speedup units */
};

/*
 * Least-squares fit of f over n points (workers[i], speedup[i]), each
 * workers >= 1 and speedup > 0; f is clamped to [0, 1]. With the single
 * point p = 1 nothing can be learned: f = 0 and BENCH_EINVAL.
 * Returns 0 or BENCH_EINVAL.
 */
int bench_amdahl_fit(const double *workers, const double *speedup, size_t n,
		     struct bench_amdahl *out);

/* Amdahl's speedup for serial fraction f on p workers. */
double bench_amdahl_speedup(double f, double p);

/*
 * Karp-Flatt metric: the experimentally determined serial fraction
 * e = (1/S - 1/p) / (1 - 1/p) for speedup S on p workers. NAN for p <= 1.
 */
double bench_karp_flatt(double speedup, double p);

/* Candidate complexity classes, in order of growth. */
enum bench_bigo {
	BENCH_O_1,
	BENCH_O_LOGN,
	BENCH_O_N,
	BENCH_O_NLOGN,
	BENCH_O_N2,
	BENCH_O_COUNT
};

/* "O(1)", "O(log n)", "O(n)", "O(n log n)", "O(n^2)". */
const char *bench_bigo_name(enum bench_bigo c);

/* g(n) for class c: 1, log2 n, n, n log2 n, n^2. */
double bench_bigo_eval(enum bench_bigo c, double n);

struct bench_fit {
	enum bench_bigo best;            /* smallest error */
	double coef[BENCH_O_COUNT];      /* a in t = a * g(n), per class */
	double error[BENCH_O_COUNT];     /* relative RMS error, per class:
					    sqrt(mean(((a g(n) - t) / t)^2)) */
};

/*
 * Fits t = a * g(n) for every class by least squares on relative error
 * (weights 1/t^2, so small sizes count as much as large ones), over n
 * points with size[i] >= 1 and time[i] > 0, at least 3 distinct sizes.
 * best is the class with the smallest error; ties go to the slower
 * growing class. Returns 0 or BENCH_EINVAL.
 */
int bench_fit_complexity(const double *size, const double *time, size_t n,
			 struct bench_fit *out);

#endif
