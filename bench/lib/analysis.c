/*
 * analysis.c - the statistics behind compare, scale and complexity.
 *
 * compare ranks the pooled timings (Mann-Whitney U) and bounds the ratio
 * with the Moses interval: order statistics of the na*nb pairwise
 * differences log(b) - log(a). The one design choice: those differences
 * are never stored. Both samples are sorted, so how many differences lie
 * at or below any value v is one merge-like pass, and the k-th smallest
 * is found by bisecting over the ordered bit patterns of doubles (at most
 * 64 passes). Memory stays O(na + nb) where the obvious sort of all pairs
 * needs 8*na*nb bytes (800 MB for 10000 samples each), and the answer is
 * the very same computed difference the sort would give.
 *
 * Written by hand: no maintained C library in Debian offers Mann-Whitney
 * with the Moses interval (GSL has no U test at all), and the exact U
 * distribution, Amdahl's one-parameter fit and the five complexity fits
 * are a page of arithmetic each.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bench/analysis.h"
#include "bench/error.h"
#include "bench/stats.h"

/* Above this many pairs the p-value and the interval use the normal
 * approximation; at or below, the exact U distribution (at most 5001
 * doubles of table, built in about a million additions). */
#define EXACT_MAX_PAIRS 10000

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* A positive, finite timing: the only kind a ratio or log makes sense of. */
static int positive_finite(double x)
{
	return x > 0.0 && x < INFINITY;
}

static double norm_cdf(double x)
{
	return 0.5 * erfc(-x / M_SQRT2);
}

/* Inverse of norm_cdf for p in (0, 1). C has no inverse erf; bisection
 * costs ~70 erfc calls once per comparison and is right to the last bit,
 * which no rational approximation is without a polishing step. */
static double norm_quantile(double p)
{
	double lo = -40.0, hi = 40.0;

	for (int i = 0; i < 200; i++) {
		double mid = 0.5 * (lo + hi);

		if (mid == lo || mid == hi)
			break;
		if (norm_cdf(mid) < p)
			lo = mid;
		else
			hi = mid;
	}
	return 0.5 * (lo + hi);
}

/*
 * The exact null distribution of U for sample sizes m and n (no ties):
 * the count of U = u is the coefficient of q^u in the Gaussian binomial
 * [m+n choose m]_q = prod_{i=1..min} (1 - q^(max+i)) / (1 - q^i)
 * (Harding 1984). Multiplying by (1 - q^s) and dividing by (1 - q^i) only
 * look at lower powers, so the table stops at half = floor(m n / 2) and
 * symmetry (U and mn - U have the same law) gives the rest. Counts reach
 * C(200, 100) ~ 9e58, hence doubles; checked against exact integers, the
 * lower-tail probabilities keep 15 significant digits up to 100 x 100.
 */
struct u_table {
	double *count; /* count[u], u = 0..half */
	long half;     /* floor(pairs / 2) */
	long pairs;    /* m * n, the largest U */
	double total;  /* C(m + n, m), the sum of all counts */
};

static int u_table_init(struct u_table *t, size_t na, size_t nb)
{
	long m = (long)(na < nb ? na : nb), n = (long)(na < nb ? nb : na);
	double sum = 0.0;

	t->pairs = m * n;
	t->half = t->pairs / 2;
	t->count = calloc((size_t)t->half + 1, sizeof(*t->count));
	if (!t->count)
		return BENCH_ENOMEM;
	t->count[0] = 1.0;
	for (long i = 1; i <= m; i++) {
		for (long u = t->half; u >= n + i; u--)
			t->count[u] -= t->count[u - n - i];
		for (long u = i; u <= t->half; u++)
			t->count[u] += t->count[u - i];
	}
	for (long u = 0; u < t->half; u++)
		sum += t->count[u];
	/* Odd pairs: the halves 0..half and half+1..pairs mirror each other;
	 * even: the middle count stands alone. */
	if (t->pairs % 2)
		t->total = 2.0 * (sum + t->count[t->half]);
	else
		t->total = 2.0 * sum + t->count[t->half];
	return 0;
}

static void u_table_release(struct u_table *t)
{
	free(t->count);
	t->count = NULL;
}

/* P(U <= u). */
static double u_table_cdf(const struct u_table *t, long u)
{
	double sum = 0.0;

	if (u < 0)
		return 0.0;
	if (u >= t->pairs)
		return 1.0;
	if (u > t->half) /* P(U <= u) = 1 - P(U >= u+1) = 1 - P(U <= pairs-u-1) */
		return 1.0 - u_table_cdf(t, t->pairs - u - 1);
	for (long v = 0; v <= u; v++)
		sum += t->count[v];
	return sum / t->total;
}

/*
 * Doubles as unsigned keys in the same order: negative numbers have all
 * bits flipped, the rest get the sign bit set. -0.0 and +0.0 are adjacent
 * keys, and every key between two finite doubles' keys is a finite double.
 */
static uint64_t double_key(double v)
{
	uint64_t bits;

	memcpy(&bits, &v, sizeof(bits));
	return bits >> 63 ? ~bits : bits | UINT64_C(1) << 63;
}

static double key_double(uint64_t key)
{
	uint64_t bits = key >> 63 ? key & ~(UINT64_C(1) << 63) : ~key;
	double v;

	memcpy(&v, &bits, sizeof(v));
	return v;
}

/*
 * How many y[j] - x[i] are <= v, for ascending x and y. Rounding is
 * monotone, so as x[i] grows the j that qualify only grow too: one pass.
 * The difference is computed exactly as select_diff's bounds are, so the
 * count steps at exactly the computed differences.
 */
static size_t count_le(const double *x, size_t nx, const double *y,
		       size_t ny, double v)
{
	size_t j = 0, c = 0;

	for (size_t i = 0; i < nx; i++) {
		while (j < ny && y[j] - x[i] <= v)
			j++;
		c += j;
	}
	return c;
}

/* The k-th smallest (1-based) of the nx*ny differences y[j] - x[i]: the
 * smallest double v with count_le(v) >= k, which is one of them. */
static double select_diff(const double *x, size_t nx, const double *y,
			  size_t ny, size_t k)
{
	double lo = y[0] - x[nx - 1], hi = y[ny - 1] - x[0];
	uint64_t klo, khi;

	if (count_le(x, nx, y, ny, lo) >= k)
		return lo;
	/* count(lo) < k <= count(hi) */
	klo = double_key(lo);
	khi = double_key(hi);
	while (khi - klo > 1) {
		uint64_t mid = klo + (khi - klo) / 2;

		if (count_le(x, nx, y, ny, key_double(mid)) >= k)
			khi = mid;
		else
			klo = mid;
	}
	return key_double(khi) + 0.0; /* + 0.0 turns a -0.0 into 0.0 */
}

/* Sorted copy of n values; NULL when out of memory. */
static double *sorted_copy(const double *x, size_t n)
{
	double *s = malloc(n * sizeof(*s));

	if (!s)
		return NULL;
	memcpy(s, x, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	return s;
}

/*
 * U of b over a from the sorted samples: for each b[j], the a below it
 * plus half the a equal to it. Also sum(t^3 - t) over the groups of t
 * equal values in the pooled samples (0 when there are no ties), the
 * tie correction of U's variance.
 */
static void rank_sums(const double *sa, size_t na, const double *sb,
		      size_t nb, double *u, double *ties)
{
	size_t lt = 0, le = 0, i = 0, j = 0;

	*u = 0.0;
	for (size_t k = 0; k < nb; k++) {
		while (lt < na && sa[lt] < sb[k])
			lt++;
		if (le < lt)
			le = lt;
		while (le < na && sa[le] <= sb[k])
			le++;
		*u += (double)lt + 0.5 * (double)(le - lt);
	}

	*ties = 0.0;
	while (i < na || j < nb) {
		double v = j == nb || (i < na && sa[i] < sb[j]) ? sa[i] : sb[j];
		double t = 0.0;

		for (; i < na && sa[i] == v; i++)
			t++;
		for (; j < nb && sb[j] == v; j++)
			t++;
		*ties += t * t * t - t;
	}
}

int bench_compare_samples(const double *a, size_t na, const double *b,
			  size_t nb, double level, struct bench_compare *out)
{
	struct u_table table = { 0 };
	double *sa = NULL, *sb = NULL, med_a, med_b, pairs, ties, nn;
	size_t k;
	int ret;

	out->ratio = out->ratio_low = out->ratio_high = NAN;
	out->ci_level = out->u = out->p_value = NAN;
	out->exact = 0;
	if (na == 0 || nb == 0 || !(level > 0.0 && level < 1.0))
		return BENCH_EINVAL;
	for (size_t i = 0; i < na; i++)
		if (!positive_finite(a[i]))
			return BENCH_EINVAL;
	for (size_t j = 0; j < nb; j++)
		if (!positive_finite(b[j]))
			return BENCH_EINVAL;
	if (nb > SIZE_MAX / na)
		return BENCH_ENOMEM;

	ret = BENCH_ENOMEM;
	med_a = bench_stats_median(a, na);
	med_b = bench_stats_median(b, nb);
	if (isnan(med_a) || isnan(med_b))
		goto out;
	sa = sorted_copy(a, na);
	sb = sorted_copy(b, nb);
	if (!sa || !sb)
		goto out;
	if (na * nb <= EXACT_MAX_PAIRS && u_table_init(&table, na, nb))
		goto out;

	pairs = (double)na * (double)nb;
	nn = (double)na + (double)nb;
	rank_sums(sa, na, sb, nb, &out->u, &ties);
	out->ratio = med_b / med_a;

	if (table.count && ties == 0.0) {
		long u = (long)out->u; /* no ties: U is a whole number */

		out->exact = 1;
		out->p_value = 2.0 * fmin(u_table_cdf(&table, u),
					  u_table_cdf(&table, table.pairs - u));
	} else {
		/* R's wilcox.test(correct = TRUE): z = (|U - mn/2| - 1/2) / sd,
		 * var = mn/12 (N + 1 - sum(t^3 - t) / (N (N - 1))). */
		double var = pairs / 12.0 * (nn + 1.0 - ties / (nn * (nn - 1.0)));
		double dev = fmax(fabs(out->u - pairs / 2.0) - 0.5, 0.0);

		/* var 0: every value equal, U = mn/2, nothing to test */
		out->p_value = var > 0.0 ? erfc(dev / sqrt(var) / M_SQRT2) : 1.0;
	}
	out->p_value = fmin(out->p_value, 1.0);

	/*
	 * [d(k), d(N-k+1)] misses the true shift exactly when U <= k-1 or
	 * U >= N-k+1 for the shifted samples: coverage 1 - 2 P(U <= k-1).
	 * The exact table serves the interval even when the p-value could
	 * not use it (ties): the coverage argument is about the continuous
	 * population, and ties from clock resolution do not change which
	 * differences are order statistics.
	 */
	if (table.count) {
		double below = table.count[0]; /* count of U <= k-1 */

		k = 1;
		while (2 * (k + 1) <= na * nb + 1 &&
		       1.0 - 2.0 * (below + table.count[k]) / table.total >=
			       level) {
			below += table.count[k];
			k++;
		}
		out->ci_level = 1.0 - 2.0 * below / table.total;
	} else {
		/* k = floor(N/2 - z sd), sd without tie correction; its real
		 * coverage 1 - 2 P(U <= k-1), continuity corrected. */
		double sd = sqrt(pairs * (nn + 1.0) / 12.0);
		double kk = floor(pairs / 2.0 -
				  norm_quantile(0.5 + level / 2.0) * sd);

		k = kk < 1.0 ? 1 : (size_t)kk;
		out->ci_level = fmax(
			1.0 - 2.0 * norm_cdf(((double)k - 0.5 - pairs / 2.0) / sd),
			0.0);
	}

	/* Logs in place: log is monotone, so the copies stay sorted. */
	for (size_t i = 0; i < na; i++)
		sa[i] = log(sa[i]);
	for (size_t j = 0; j < nb; j++)
		sb[j] = log(sb[j]);
	out->ratio_low = exp(select_diff(sa, na, sb, nb, k));
	out->ratio_high = exp(select_diff(sa, na, sb, nb, na * nb - k + 1));
	ret = 0;
out:
	u_table_release(&table);
	free(sa);
	free(sb);
	return ret;
}

enum bench_verdict bench_compare_verdict(const struct bench_compare *c,
					 double alpha)
{
	if (!(c->p_value < alpha))
		return BENCH_SAME;
	if (c->ratio_low > 1.0)
		return BENCH_SLOWER;
	if (c->ratio_high < 1.0)
		return BENCH_FASTER;
	return BENCH_SAME;
}

double bench_amdahl_speedup(double f, double p)
{
	return 1.0 / (f + (1.0 - f) / p);
}

double bench_karp_flatt(double speedup, double p)
{
	if (!(p > 1.0) || !(speedup > 0.0))
		return NAN;
	return (1.0 / speedup - 1.0 / p) / (1.0 - 1.0 / p);
}

static double amdahl_sse(const double *p, const double *s, size_t n,
			 double f)
{
	double sse = 0.0;

	for (size_t i = 0; i < n; i++) {
		double r = s[i] - bench_amdahl_speedup(f, p[i]);

		sse += r * r;
	}
	return sse;
}

#define AMDAHL_GRID 1000 /* intervals of the coarse grid over [0, 1] */
#define AMDAHL_TOL 1e-9  /* width at which golden-section search stops */

int bench_amdahl_fit(const double *workers, const double *speedup, size_t n,
		     struct bench_amdahl *out)
{
	const double r = (sqrt(5.0) - 1.0) / 2.0;
	double lo, hi, c, d, fc, fd, f, best_sse = INFINITY;
	int informative = 0;
	long best = 0;

	out->serial_fraction = 0.0;
	out->max_speedup = INFINITY;
	out->rmse = NAN;
	if (n == 0)
		return BENCH_EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (!(workers[i] >= 1.0 && workers[i] < INFINITY) ||
		    !positive_finite(speedup[i]))
			return BENCH_EINVAL;
		informative |= workers[i] > 1.0;
	}
	if (!informative) {
		/* p = 1 predicts S = 1 whatever f is: the fit is still the
		 * fit, there is just no f to learn. */
		out->rmse = sqrt(amdahl_sse(workers, speedup, n, 0.0) /
				 (double)n);
		return BENCH_EINVAL;
	}

	/*
	 * The error is a sum of squared differences of curves monotone in f;
	 * it need not be unimodal, so a grid finds the right valley and a
	 * golden-section search narrows the two grid cells around it.
	 */
	for (long i = 0; i <= AMDAHL_GRID; i++) {
		double sse = amdahl_sse(workers, speedup, n,
					(double)i / AMDAHL_GRID);

		if (sse < best_sse) {
			best_sse = sse;
			best = i;
		}
	}
	lo = (double)(best > 0 ? best - 1 : 0) / AMDAHL_GRID;
	hi = (double)(best < AMDAHL_GRID ? best + 1 : AMDAHL_GRID) / AMDAHL_GRID;
	c = hi - r * (hi - lo);
	d = lo + r * (hi - lo);
	fc = amdahl_sse(workers, speedup, n, c);
	fd = amdahl_sse(workers, speedup, n, d);
	while (hi - lo > AMDAHL_TOL) {
		if (fc < fd) {
			hi = d;
			d = c;
			fd = fc;
			c = hi - r * (hi - lo);
			fc = amdahl_sse(workers, speedup, n, c);
		} else {
			lo = c;
			c = d;
			fc = fd;
			d = lo + r * (hi - lo);
			fd = amdahl_sse(workers, speedup, n, d);
		}
	}
	f = 0.5 * (lo + hi);
	/* A minimum on the boundary (f = 0 or 1) is a grid point: keep it
	 * exact rather than 1e-9 inside. */
	if (!(amdahl_sse(workers, speedup, n, f) < best_sse))
		f = (double)best / AMDAHL_GRID;

	out->serial_fraction = f;
	out->max_speedup = f > 0.0 ? 1.0 / f : INFINITY;
	out->rmse = sqrt(amdahl_sse(workers, speedup, n, f) / (double)n);
	return 0;
}

const char *bench_bigo_name(enum bench_bigo c)
{
	switch (c) {
	case BENCH_O_1:
		return "O(1)";
	case BENCH_O_LOGN:
		return "O(log n)";
	case BENCH_O_N:
		return "O(n)";
	case BENCH_O_NLOGN:
		return "O(n log n)";
	case BENCH_O_N2:
		return "O(n^2)";
	case BENCH_O_COUNT:
		break;
	}
	return "O(?)";
}

double bench_bigo_eval(enum bench_bigo c, double n)
{
	switch (c) {
	case BENCH_O_1:
		return 1.0;
	case BENCH_O_LOGN:
		return log2(n);
	case BENCH_O_N:
		return n;
	case BENCH_O_NLOGN:
		return n * log2(n);
	case BENCH_O_N2:
		return n * n;
	case BENCH_O_COUNT:
		break;
	}
	return NAN;
}

/* At least three different values among n. */
static int three_distinct(const double *x, size_t n)
{
	size_t i = 1, j;

	while (i < n && x[i] == x[0])
		i++;
	for (j = i + 1; j < n; j++)
		if (x[j] != x[0] && x[j] != x[i])
			return 1;
	return 0;
}

int bench_fit_complexity(const double *size, const double *time, size_t n,
			 struct bench_fit *out)
{
	out->best = BENCH_O_1;
	for (int c = 0; c < BENCH_O_COUNT; c++) {
		out->coef[c] = NAN;
		out->error[c] = INFINITY;
	}
	for (size_t i = 0; i < n; i++)
		if (!(size[i] >= 1.0 && size[i] < INFINITY) ||
		    !positive_finite(time[i]))
			return BENCH_EINVAL;
	if (!three_distinct(size, n))
		return BENCH_EINVAL;

	for (int c = 0; c < BENCH_O_COUNT; c++) {
		/* With w = g/t the relative residual is a w - 1, so least
		 * squares gives a = sum(w) / sum(w^2). */
		double sw = 0.0, sww = 0.0, sq = 0.0;

		for (size_t i = 0; i < n; i++) {
			double w = bench_bigo_eval((enum bench_bigo)c, size[i]) /
				   time[i];

			sw += w;
			sww += w * w;
		}
		if (!(sww > 0.0)) /* log n with every n = 1: g is all 0 */
			continue;
		out->coef[c] = sw / sww;
		for (size_t i = 0; i < n; i++) {
			double e = out->coef[c] *
					   bench_bigo_eval((enum bench_bigo)c,
							   size[i]) /
					   time[i] -
				   1.0;

			sq += e * e;
		}
		out->error[c] = sqrt(sq / (double)n);
	}

	/* Classes run in order of growth: a later one wins only by more than
	 * rounding, so equal fits name the slower growth. */
	for (int c = 1; c < BENCH_O_COUNT; c++) {
		double eb = out->error[out->best], ec = out->error[c];

		if (isinf(eb) ? ec < eb : ec < eb * (1.0 - 1e-12))
			out->best = (enum bench_bigo)c;
	}
	return 0;
}
