/*
 * timeit_variants.c - timing your own functions with libbench: two ways
 * of summing an array, timed with their loops interleaved, then compared
 * with a rank test. Build against an installed libbench:
 *
 *   cc -O2 timeit_variants.c $(pkg-config --cflags --libs bench) -o variants
 */
#include <stdio.h>
#include <stdlib.h>

#include <bench/bench.h>

#define N 100000

struct data {
	int values[N];
	long long sum; /* written, so the compiler cannot drop the work */
};

/* Variant A: one accumulator. */
static void sum_plain(void *arg)
{
	struct data *d = arg;
	long long s = 0;

	for (int i = 0; i < N; i++)
		s += d->values[i];
	d->sum = s;
}

/* Variant B: four accumulators, so additions can overlap. */
static void sum_unrolled(void *arg)
{
	struct data *d = arg;
	long long s0 = 0, s1 = 0, s2 = 0, s3 = 0;

	for (int i = 0; i < N; i += 4) {
		s0 += d->values[i];
		s1 += d->values[i + 1];
		s2 += d->values[i + 2];
		s3 += d->values[i + 3];
	}
	d->sum = s0 + s1 + s2 + s3;
}

int main(void)
{
	static struct data d;
	bench_timeit_fn fns[2] = { sum_plain, sum_unrolled };
	void *args[2] = { &d, &d };
	struct bench_timeit_opts opts = { .repeat = 10 };
	struct bench_timeit_result r[2];
	struct bench_compare cmp;
	struct bench_err err = { 0 };

	for (int i = 0; i < N; i++)
		d.values[i] = i % 1000;
	if (bench_timeit_many(fns, args, 2, &opts, r, &err) != 0) {
		fprintf(stderr, "timeit failed: %s\n", err.msg);
		return 1;
	}
	printf("plain:    %llu loops, best %.1f us, median %.1f us per call\n",
	       (unsigned long long)r[0].number, r[0].best_ns / 1e3,
	       r[0].stats.median / 1e3);
	printf("unrolled: %llu loops, best %.1f us, median %.1f us per call\n",
	       (unsigned long long)r[1].number, r[1].best_ns / 1e3,
	       r[1].stats.median / 1e3);
	bench_compare_samples(r[0].per_call_ns, r[0].repeat, r[1].per_call_ns,
			      r[1].repeat, 0.95, &cmp);
	printf("unrolled / plain = %.3f (95%% CI %.3f-%.3f, p = %.3g): %s\n",
	       cmp.ratio, cmp.ratio_low, cmp.ratio_high, cmp.p_value,
	       bench_compare_verdict(&cmp, 0.05) == BENCH_SAME ?
		       "no significant difference" :
	       cmp.ratio < 1 ? "unrolled is faster" : "unrolled is slower");
	bench_timeit_release(&r[0]);
	bench_timeit_release(&r[1]);
	return 0;
}
