/*
 * timeit.c - timeit for C functions. See timeit.h.
 *
 * The loop is a plain counted loop around an indirect call: the call
 * through a pointer keeps the compiler from folding the function into the
 * loop, and its cost (a nanosecond or two) is part of every per-call
 * figure, as it is in Python's timeit.
 */
#include <stdlib.h>
#include <string.h>

#include "bench/cancel.h"
#include "bench/timeit.h"

static bench_ns time_loop(bench_timeit_fn fn, void *arg, uint64_t number)
{
	bench_ns t0 = bench_clock_now();

	for (uint64_t i = 0; i < number; i++)
		fn(arg);
	return bench_clock_now() - t0;
}

/* timeit.Timer.autorange(): 1, 2, 5, 10, 20, 50, ... */
static uint64_t autorange(bench_timeit_fn fn, void *arg, bench_ns target,
			  int *over_budget)
{
	for (uint64_t base = 1;; base *= 10) {
		static const uint64_t steps[] = { 1, 2, 5 };

		for (size_t k = 0; k < 3; k++) {
			uint64_t number = base * steps[k];
			bench_ns t = time_loop(fn, arg, number);

			if (number == 1 && t > target)
				*over_budget = 1;
			if (t >= target || number >= BENCH_TIMEIT_NUMBER_MAX ||
			    bench_canceled())
				return number;
		}
	}
}

void bench_timeit_release(struct bench_timeit_result *r)
{
	if (!r)
		return;
	free(r->per_call_ns);
	r->per_call_ns = NULL;
}

int bench_timeit_many(const bench_timeit_fn *fns, void *const *args, size_t n,
		      const struct bench_timeit_opts *opts,
		      struct bench_timeit_result *out, struct bench_err *err)
{
	struct bench_timeit_opts o = { 0 };
	int rc = 0;

	if (opts)
		o = *opts;
	if (!o.repeat)
		o.repeat = BENCH_TIMEIT_REPEAT;
	if (!o.min_time_ns)
		o.min_time_ns = BENCH_TIMEIT_MIN_TIME;
	if (n == 0 || !fns)
		return bench_err_set(err, BENCH_EINVAL, "timeit: no function given");
	memset(out, 0, n * sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		bench_ns t0 = bench_clock_now();

		out[i].per_call_ns = calloc(o.repeat, sizeof(double));
		if (!out[i].per_call_ns) {
			rc = bench_err_set(err, BENCH_ENOMEM, "timeit: out of memory");
			goto fail;
		}
		out[i].number = o.number ? o.number :
			autorange(fns[i], args ? args[i] : NULL, o.min_time_ns,
				  &out[i].over_budget);
		out[i].autorange_ns = bench_clock_now() - t0;
	}
	for (unsigned k = 0; k < o.repeat; k++) {
		for (size_t i = 0; i < n; i++) {
			bench_ns t;

			if (bench_canceled()) {
				rc = bench_err_set(err, BENCH_ECANCELED, "interrupted");
				goto fail;
			}
			t = time_loop(fns[i], args ? args[i] : NULL, out[i].number);
			out[i].per_call_ns[k] = (double)t / (double)out[i].number;
			out[i].repeat = k + 1;
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct bench_timeit_result *r = &out[i];

		rc = bench_stats_compute(r->per_call_ns, r->repeat, &r->stats, NULL);
		if (rc)
			goto fail;
		r->best_ns = r->stats.min;
		r->worst_ns = r->stats.max;
		r->worst_far = r->worst_ns > BENCH_TIMEIT_WORST_FAR * r->best_ns;
	}
	return 0;
fail:
	for (size_t i = 0; i < n; i++)
		bench_timeit_release(&out[i]);
	return rc;
}

int bench_timeit(bench_timeit_fn fn, void *arg,
		 const struct bench_timeit_opts *opts,
		 struct bench_timeit_result *out, struct bench_err *err)
{
	return bench_timeit_many(&fn, &arg, 1, opts, out, err);
}
