/*
 * harness.c - warmup, interleaved samples, verification, statistics.
 */
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/context.h"
#include "bench/harness.h"

unsigned bench_cpus(void)
{
	cpu_set_t set;
	long n;

	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		return (unsigned)CPU_COUNT(&set);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

uint64_t bench_auto_chunk(const struct bench_workload *wl, uint64_t items,
			  unsigned workers)
{
	uint64_t per = 4ull * (workers ? workers : 1);

	if (wl->flags & BENCH_WL_WAITS || items == 0)
		return 1;
	return (items + per - 1) / per;
}

void bench_report_destroy(struct bench_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nresults; i++) {
		free(r->results[i].wall_ns);
		free(r->results[i].cpu_ns);
		free(r->results[i].outlier);
	}
	free(r);
}

static int check_opts(const struct bench_run_opts *o, struct bench_report *r,
		      struct bench_err *err)
{
	unsigned seen = 0;

	if (!o->wl)
		return bench_err_set(err, BENCH_EINVAL, "no workload given");
	r->wl = o->wl;
	r->params = o->params;
	if (bench_workload_params(o->wl, &r->params, err))
		return BENCH_EINVAL;
	r->cpus = bench_cpus();
	r->workers = o->workers ? o->workers : r->cpus;
	if (r->workers > BENCH_WORKERS_MAX)
		return bench_err_set(err, BENCH_EINVAL,
				     "--workers %u is too many: expected 1 to %d",
				     r->workers, BENCH_WORKERS_MAX);
	r->repeat = o->repeat ? o->repeat : BENCH_DEFAULT_REPEAT;
	r->warmup = o->warmup_set ? o->warmup : BENCH_DEFAULT_WARMUP;
	if (r->repeat > BENCH_REPEAT_MAX || r->warmup > BENCH_REPEAT_MAX)
		return bench_err_set(err, BENCH_EINVAL,
				     "--repeat and --warmup take at most %d",
				     BENCH_REPEAT_MAX);
	if (o->nmodes > BENCH_MODE_COUNT)
		return bench_err_set(err, BENCH_EINVAL,
				     "--mode lists %zu modes: there are only %d",
				     o->nmodes, BENCH_MODE_COUNT);
	for (size_t i = 0; i < (o->nmodes ? o->nmodes : BENCH_MODE_COUNT); i++) {
		enum bench_mode m = o->nmodes ? o->modes[i] : (enum bench_mode)i;

		if ((unsigned)m >= BENCH_MODE_COUNT || seen & (1u << m))
			return bench_err_set(err, BENCH_EINVAL,
					     "--mode lists '%s' twice or an unknown mode",
					     bench_mode_name(m) ? bench_mode_name(m) : "?");
		seen |= 1u << m;
		r->results[i].mode = m;
		r->results[i].workers = m == BENCH_MODE_SERIAL ? 1 : r->workers;
		/* Counted as validated, so destroy frees only what exists. */
		r->nresults = i + 1;
	}
	return 0;
}

static int alloc_results(struct bench_report *r, struct bench_err *err)
{
	for (size_t i = 0; i < r->nresults; i++) {
		struct bench_mode_result *mr = &r->results[i];

		mr->wall_ns = calloc(r->repeat, sizeof(*mr->wall_ns));
		mr->cpu_ns = calloc(r->repeat, sizeof(*mr->cpu_ns));
		mr->outlier = calloc(r->repeat, 1);
		if (!mr->wall_ns || !mr->cpu_ns || !mr->outlier)
			return bench_err_set(err, BENCH_ENOMEM,
					     "cannot allocate %u samples",
					     r->repeat);
	}
	return 0;
}

/* Compares one sample's checksum with the reference (the first sample). */
static int verify(struct bench_report *r, struct bench_mode_result *mr,
		  const char *sum, struct bench_mode_result **ref,
		  struct bench_err *err)
{
	if (!*ref) {
		*ref = mr;
		snprintf(mr->checksum, sizeof(mr->checksum), "%s", sum);
		return 0;
	}
	if (!mr->checksum[0])
		snprintf(mr->checksum, sizeof(mr->checksum), "%s", sum);
	if (strcmp(sum, (*ref)->checksum) == 0)
		return 0;
	return bench_err_set(err, BENCH_EVERIFY,
			     "checksum mismatch on %s: %s gave %s but %s gave %s",
			     r->wl->name, bench_mode_name((*ref)->mode),
			     (*ref)->checksum, bench_mode_name(mr->mode), sum);
}

static void summarise(struct bench_report *r)
{
	const struct bench_mode_result *serial = NULL;
	double *tmp = malloc(r->repeat * sizeof(*tmp));

	for (size_t i = 0; i < r->nresults; i++) {
		struct bench_mode_result *mr = &r->results[i];

		if (!tmp)
			break;
		for (size_t k = 0; k < mr->nsamples; k++)
			tmp[k] = (double)mr->wall_ns[k];
		bench_stats_compute(tmp, mr->nsamples, &mr->wall, mr->outlier);
		for (size_t k = 0; k < mr->nsamples; k++)
			tmp[k] = (double)mr->cpu_ns[k];
		bench_stats_compute(tmp, mr->nsamples, &mr->cpu, NULL);
		mr->items_per_s = mr->wall.median > 0 ?
			(double)r->items / (mr->wall.median / 1e9) : 0.0;
		mr->verified = 1;
		if (mr->mode == BENCH_MODE_SERIAL)
			serial = mr;
		if (mr->wall.median > 0 &&
		    (mr->wall.ci_high - mr->wall.ci_low) / 2 >
			    BENCH_WIDE_SPREAD * mr->wall.median)
			r->warnings |= BENCH_WARN_WIDE_SPREAD;
		if (mr->wall.ci_level < 0.95)
			r->warnings |= BENCH_WARN_FEW_SAMPLES;
		if (mr->wall.outliers)
			r->warnings |= BENCH_WARN_OUTLIERS;
		if (mr->mode == BENCH_MODE_ASYNC &&
		    !(r->wl->flags & BENCH_WL_WAITS))
			r->warnings |= BENCH_WARN_ASYNC_CPU;
		if ((mr->mode == BENCH_MODE_THREAD ||
		     mr->mode == BENCH_MODE_PROCESS) &&
		    r->workers > r->cpus && !(r->wl->flags & BENCH_WL_WAITS))
			r->warnings |= BENCH_WARN_OVERSUBSCRIBED;
	}
	free(tmp);
	for (size_t i = 0; i < r->nresults; i++) {
		struct bench_mode_result *mr = &r->results[i];

		mr->speedup = mr->efficiency = NAN;
		if (serial && mr->wall.median > 0) {
			mr->speedup = serial->wall.median / mr->wall.median;
			mr->efficiency = mr->speedup / mr->workers;
		}
	}
	if (strcmp(bench_build_kind(), "release") != 0)
		r->warnings |= BENCH_WARN_BUILD;
}

static int sample_all(const struct bench_run_opts *o, struct bench_report *r,
		      void *state, struct bench_err *err)
{
	struct bench_mode_result *ref = NULL;
	unsigned rounds = r->warmup + r->repeat;
	char sum[BENCH_CHECKSUM_MAX];
	int rc;

	for (unsigned round = 0; round < rounds; round++) {
		int warm = round < r->warmup;

		for (size_t j = 0; j < r->nresults; j++) {
			/* Rotate the order so each mode follows each other. */
			struct bench_mode_result *mr =
				&r->results[(j + round) % r->nresults];
			struct bench_exec_opts eo = {
				.workers = mr->workers,
				.chunk = r->chunk,
				.crash_task = o->crash_task,
				.crash_set = o->crash_set,
			};
			struct bench_sample s;

			if (o->progress) {
				struct bench_progress p = { round + 1, rounds,
							    warm, mr->mode };
				o->progress(o->progress_ud, &p);
			}
			if (r->wl->rewind && (rc = r->wl->rewind(state, err)))
				return rc;
			rc = bench_exec(mr->mode, r->wl, state, &eo, &s, err);
			if (rc)
				return rc;
			if (o->corrupt_set && o->corrupt_mode == mr->mode)
				s.result[0] ^= 1;
			r->wl->checksum(s.result, sum);
			if ((rc = verify(r, mr, sum, &ref, err)))
				return rc;
			if (s.maxrss_kb > mr->maxrss_kb)
				mr->maxrss_kb = s.maxrss_kb;
			r->tasks = s.tasks;
			if (warm)
				continue;
			mr->wall_ns[mr->nsamples] = s.wall_ns;
			mr->cpu_ns[mr->nsamples] = s.cpu_ns;
			mr->nsamples++;
		}
	}
	return 0;
}

int bench_run(const struct bench_run_opts *o, struct bench_report **out,
	      struct bench_err *err)
{
	struct bench_report *r = calloc(1, sizeof(*r));
	bench_ns t0 = bench_clock_now();
	void *state = NULL;
	int rc;

	*out = NULL;
	if (!r)
		return bench_err_set(err, BENCH_ENOMEM, "out of memory");
	if ((rc = check_opts(o, r, err)) || (rc = alloc_results(r, err)))
		goto fail;
	rc = r->wl->prepare(&r->params, &state, err);
	if (rc)
		goto fail;
	r->prepare_ns = bench_clock_now() - t0;
	r->items = r->wl->next_batch ? 0 : r->wl->item_count(state);
	r->chunk = o->chunk ? o->chunk :
			      bench_auto_chunk(r->wl, r->items, r->workers);
	if (r->items && r->chunk > r->items) {
		rc = bench_err_set(err, BENCH_EINVAL,
				   "--chunk %llu is larger than the %llu %s of this run",
				   (unsigned long long)r->chunk,
				   (unsigned long long)r->items, r->wl->item_desc);
		goto fail;
	}
	rc = sample_all(o, r, state, err);
	if (rc)
		goto fail;
	r->wl->release(state);
	summarise(r);
	r->total_ns = bench_clock_now() - t0;
	*out = r;
	return 0;
fail:
	if (state)
		r->wl->release(state);
	bench_report_destroy(r);
	return rc;
}
