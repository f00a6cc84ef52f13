/*
 * harness.c - warmup, interleaved samples, verification, statistics.
 *
 * The harness never names an executor: what sets one apart (the
 * reference, a GIL, a job of several processes) comes from its row's
 * flags and hooks (executor.h). In a job, every process runs this same
 * loop over the same cases; the job's rank 0 runs the other executors'
 * cases alone and keeps the books, and after each sample all agree on how
 * it went through the job's executor.
 */
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/context.h"
#include "bench/harness.h"
#include "report_internal.h"

static const char *const engine_names[BENCH_ENGINE_COUNT] = {
	[BENCH_ENGINE_NATIVE] = "native",
	[BENCH_ENGINE_GBENCH] = "gbench",
	[BENCH_ENGINE_HYPERFINE] = "hyperfine",
	[BENCH_ENGINE_PYTHON] = "python",
};

const char *bench_engine_name(enum bench_engine e)
{
	return (unsigned)e < BENCH_ENGINE_COUNT ? engine_names[e] : NULL;
}

int bench_engine_parse(const char *name, enum bench_engine *e)
{
	for (int i = 0; i < BENCH_ENGINE_COUNT; i++) {
		if (strcmp(name, engine_names[i]) == 0) {
			*e = (enum bench_engine)i;
			return 0;
		}
	}
	return BENCH_EINVAL;
}

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

	if (wl->default_chunk)
		return items && wl->default_chunk > items ? items
							  : wl->default_chunk;
	if (wl->flags & BENCH_WL_WAITS || items == 0)
		return 1;
	return (items + per - 1) / per;
}

void bench_report_destroy(struct bench_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; r->results && i < r->nresults; i++) {
		free(r->results[i].wall_ns);
		free(r->results[i].cpu_ns);
		free(r->results[i].outlier);
	}
	free(r->results);
	for (unsigned k = 0; k < BENCH_OPTS_MAX; k++)
		free(r->opt_copy[k]);
	free(r);
}

/* One prepared input per distinct size. */
struct input {
	uint64_t size;
	void *state;
	uint64_t items;
	const struct bench_mode_result *ref; /* first sample, for verify */
	char native[BENCH_CHECKSUM_MAX]; /* native serial's answer, when the
					    first sample was another engine's */
};

struct run {
	const struct bench_run_opts *o;
	struct bench_report *r;
	struct input *inputs;
	size_t ninputs;
	size_t *input_of;     /* per case: index into inputs */
	struct bench_err *err;
};

/* Whether m is among the n modes of list. */
static int listed(const struct bench_executor *const *list, size_t n,
		  const struct bench_executor *m)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == m)
			return 1;
	return 0;
}

/* The default cases: each mode with each engine. Returns the count. */
static int check_modes(const struct bench_run_opts *o, struct bench_case *cases,
		       struct bench_err *err)
{
	const struct bench_executor *modes[BENCH_EXECUTORS_MAX];
	size_t n = 0, ne = o->nengines ? o->nengines : 1, k = 0;
	unsigned seen_engines = 0;

	if (o->nmodes > BENCH_EXECUTORS_MAX || o->nengines > BENCH_ENGINE_COUNT)
		return bench_err_set(err, BENCH_EINVAL,
				     "--mode lists %zu modes and --engine %zu engines: there are only %d and %d",
				     o->nmodes, o->nengines, BENCH_EXECUTORS_MAX,
				     BENCH_ENGINE_COUNT);
	for (size_t e = 0; e < o->nengines; e++) {
		if ((unsigned)o->engines[e] >= BENCH_ENGINE_COUNT ||
		    seen_engines & (1u << o->engines[e]))
			return bench_err_set(err, BENCH_EINVAL,
					     "--engine lists an engine twice or an unknown one");
		seen_engines |= 1u << o->engines[e];
	}
	for (size_t i = 0; i < o->nmodes; i++) {
		const struct bench_executor *m = o->modes[i];

		if (!m || listed(modes, n, m))
			return bench_err_set(err, BENCH_EINVAL,
					     "--mode lists '%s' twice or an unknown mode",
					     m ? m->name : "?");
		modes[n++] = m;
	}
	for (size_t i = 0; !o->nmodes && bench_executors[i]; i++)
		if (bench_executors[i]->flags & BENCH_EXEC_DEFAULT)
			modes[n++] = bench_executors[i];
	for (size_t i = 0; i < n; i++)
		for (size_t e = 0; e < ne; e++) {
			enum bench_engine en = o->nengines ? o->engines[e] :
							     BENCH_ENGINE_NATIVE;

			/* A mode only engine python's own code runs (dask)
			 * pairs with it alone; the CLI refuses a run where
			 * nothing would run it. */
			if (modes[i]->flags & BENCH_EXEC_FOREIGN &&
			    en != BENCH_ENGINE_PYTHON)
				continue;
			cases[k++] = (struct bench_case){ .mode = modes[i],
							  .engine = en };
		}
	if (k == 0)
		return bench_err_set(err, BENCH_EINVAL,
				     "no mode listed runs in the engines listed");
	return (int)k;
}

/*
 * A case asks mode ex for more workers than its row allows: says so, and
 * which mode would take that many (the one with the largest limit).
 */
static int too_many_workers(const struct bench_executor *ex, unsigned workers,
			    struct bench_err *err)
{
	const struct bench_executor *most = NULL;
	char also[160] = "";

	for (size_t i = 0; bench_executors[i]; i++)
		if (bench_executors[i] != ex &&
		    (!most || bench_executor_max_workers(bench_executors[i]) >
				      bench_executor_max_workers(most)))
			most = bench_executors[i];
	if (most && bench_executor_max_workers(most) >= workers)
		snprintf(also, sizeof(also), "; %s takes up to %u %s", most->name,
			 bench_executor_max_workers(most),
			 most->workers_noun ? most->workers_noun : "workers");
	return bench_err_set(err, BENCH_EINVAL,
			     "--workers %u is too many for %s: at most %u %s%s",
			     workers, ex->name, bench_executor_max_workers(ex),
			     ex->workers_noun ? ex->workers_noun : "workers",
			     also);
}

static int check_opts(struct run *run)
{
	const struct bench_run_opts *o = run->o;
	struct bench_report *r = run->r;
	struct bench_err *err = run->err;
	struct bench_case modes[BENCH_EXECUTORS_MAX * BENCH_ENGINE_COUNT];
	struct bench_job job;
	const struct bench_case *cases = o->cases;
	size_t n = o->ncases;

	if (!o->wl)
		return bench_err_set(err, BENCH_EINVAL, "no workload given");
	r->wl = o->wl;
	r->params = o->params;
	if (bench_workload_params(o->wl, &r->params, err))
		return BENCH_EINVAL;
	r->cpus = bench_cpus();
	r->gil_ns = o->gil_ns;
	/* In a job, its cases default to every process of the job. */
	bench_job(&job);
	r->workers = o->workers ? o->workers :
		     job.executor ? job.size : r->cpus;
	r->launch_ns = job.launch_ns;
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
	if (!n) {
		int m = check_modes(o, modes, err);

		if (m < 0)
			return m;
		cases = modes;
		n = (size_t)m;
	}
	if (n > BENCH_CASES_MAX)
		return bench_err_set(err, BENCH_EINVAL,
				     "%zu cases is too many: expected at most %d",
				     n, BENCH_CASES_MAX);
	r->results = calloc(n, sizeof(*r->results));
	run->input_of = calloc(n, sizeof(*run->input_of));
	run->inputs = calloc(n, sizeof(*run->inputs));
	if (!r->results || !run->input_of || !run->inputs)
		return bench_err_set(err, BENCH_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		struct bench_mode_result *mr = &r->results[i];
		const struct bench_case *c = &cases[i];
		struct bench_params p = r->params;

		if (!c->mode || (unsigned)c->engine >= BENCH_ENGINE_COUNT)
			return bench_err_set(err, BENCH_EINVAL,
					     "case %zu has an unknown mode or engine",
					     i + 1);
		if (c->engine != BENCH_ENGINE_NATIVE && !o->engine_sample)
			return bench_err_set(err, BENCH_EINVAL,
					     "engine %s is not available here",
					     bench_engine_name(c->engine));
		if (c->workers > BENCH_WORKERS_MAX)
			return bench_err_set(err, BENCH_EINVAL,
					     "--workers %u is too many: expected 1 to %d",
					     c->workers, BENCH_WORKERS_MAX);
		/* An executor that takes whole samples itself cannot be
		 * timed by another harness. */
		if (c->mode->sample && c->engine != BENCH_ENGINE_NATIVE)
			return bench_err_set(err, BENCH_EINVAL,
					     "engine %s does not run mode %s",
					     bench_engine_name(c->engine),
					     c->mode->name);
		mr->mode = c->mode;
		mr->engine = c->engine;
		mr->workers = c->mode->flags & BENCH_EXEC_REFERENCE ? 1 :
			      c->workers ? c->workers : r->workers;
		mr->size = c->size ? c->size : r->params.size;
		/* Case chunks: explicit, the run's, or automatic later. */
		mr->chunk = c->chunk ? c->chunk : o->chunk;
		p.size = mr->size;
		if (bench_workload_params(o->wl, &p, err))
			return BENCH_EINVAL;
		if (mr->workers > bench_executor_max_workers(mr->mode))
			return too_many_workers(mr->mode, mr->workers, err);
		if (mr->mode->check && mr->mode->check(mr->workers, err))
			return BENCH_EINVAL;
		r->nresults = i + 1; /* counted once it can be freed */
	}
	return 0;
}

static int alloc_samples(struct bench_report *r, struct bench_err *err)
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

/* Prepares one input per distinct size and settles every case's chunk. */
static int prepare_inputs(struct run *run, int plain)
{
	struct bench_report *r = run->r;
	const struct bench_workload *wl = r->wl;
	bench_ns t0 = bench_clock_now();

	for (size_t i = 0; i < r->nresults; i++) {
		struct bench_mode_result *mr = &r->results[i];
		size_t k;

		for (k = 0; k < run->ninputs; k++)
			if (run->inputs[k].size == mr->size)
				break;
		if (k == run->ninputs) {
			struct input *in = &run->inputs[run->ninputs];
			struct bench_params p = r->params;
			int rc;

			p.size = mr->size;
			rc = wl->prepare(&p, &in->state, run->err);
			if (rc)
				return rc;
			in->size = mr->size;
			in->items = wl->next_batch ? 0 : wl->item_count(in->state);
			run->ninputs++;
		}
		run->input_of[i] = k;
		mr->items = run->inputs[k].items;
		if (!mr->chunk)
			mr->chunk = bench_auto_chunk(wl, mr->items,
						     plain ? r->workers :
							     mr->workers);
		if (mr->items && mr->chunk > mr->items)
			return bench_err_set(run->err, BENCH_EINVAL,
					     "--chunk %llu is larger than the %llu %s of this run",
					     (unsigned long long)mr->chunk,
					     (unsigned long long)mr->items,
					     wl->item_desc);
	}
	r->prepare_ns = bench_clock_now() - t0;
	r->items = r->results[0].items;
	r->chunk = r->results[0].chunk;
	return 0;
}

/* Compares one sample's checksum with the first of its size. */
static int verify(struct run *run, size_t i, const char *sum)
{
	struct bench_mode_result *mr = &run->r->results[i];
	struct input *in = &run->inputs[run->input_of[i]];

	if (!mr->checksum[0])
		snprintf(mr->checksum, sizeof(mr->checksum), "%s", sum);
	if (!in->ref && in->native[0] && strcmp(sum, in->native) != 0)
		return bench_err_set(run->err, BENCH_EVERIFY,
				     "checksum mismatch on %s: native serial gave %s but %s/%s gave %s",
				     run->r->wl->name, in->native, mr->mode->name,
				     bench_engine_name(mr->engine), sum);
	if (!in->ref) {
		in->ref = mr;
		return 0;
	}
	if (strcmp(sum, in->ref->checksum) == 0)
		return 0;
	return bench_err_set(run->err, BENCH_EVERIFY,
			     "checksum mismatch on %s: %s%s%s gave %s but %s%s%s gave %s",
			     run->r->wl->name, in->ref->mode->name,
			     in->ref->engine ? "/" : "",
			     in->ref->engine ? bench_engine_name(in->ref->engine) : "",
			     in->ref->checksum, mr->mode->name,
			     mr->engine ? "/" : "",
			     mr->engine ? bench_engine_name(mr->engine) : "", sum);
}

/* The reference (serial) case of mr's size and engine, or NULL. */
static const struct bench_mode_result *
reference_of(const struct bench_report *r, const struct bench_mode_result *mr)
{
	for (size_t i = 0; i < r->nresults; i++)
		if (r->results[i].mode->flags & BENCH_EXEC_REFERENCE &&
		    r->results[i].size == mr->size &&
		    r->results[i].engine == mr->engine)
			return &r->results[i];
	return NULL;
}

void bench__report_summarise(struct bench_report *r)
{
	double *tmp = malloc(r->repeat * sizeof(*tmp));

	for (size_t i = 0; tmp && i < r->nresults; i++) {
		struct bench_mode_result *mr = &r->results[i];

		for (size_t k = 0; k < mr->nsamples; k++)
			tmp[k] = (double)mr->wall_ns[k];
		bench_stats_compute(tmp, mr->nsamples, &mr->wall, mr->outlier);
		for (size_t k = 0; k < mr->nsamples; k++)
			tmp[k] = (double)mr->cpu_ns[k];
		bench_stats_compute(tmp, mr->nsamples, &mr->cpu, NULL);
		mr->items_per_s = mr->wall.median > 0 ?
			(double)mr->items / (mr->wall.median / 1e9) : 0.0;
		mr->verified = 1;
		if (mr->wall.median > 0 &&
		    (mr->wall.ci_high - mr->wall.ci_low) / 2 >
			    BENCH_WIDE_SPREAD * mr->wall.median)
			r->warnings |= BENCH_WARN_WIDE_SPREAD;
		if (mr->wall.ci_level < 0.95)
			r->warnings |= BENCH_WARN_FEW_SAMPLES;
		if (mr->wall.outliers)
			r->warnings |= BENCH_WARN_OUTLIERS;
		if (mr->mode->flags & BENCH_EXEC_WAITS_ONLY &&
		    !(r->wl->flags & BENCH_WL_WAITS))
			r->warnings |= BENCH_WARN_ASYNC_CPU;
		if (mr->mode->flags & BENCH_EXEC_PARALLEL &&
		    mr->workers > r->cpus && !(r->wl->flags & BENCH_WL_WAITS))
			r->warnings |= BENCH_WARN_OVERSUBSCRIBED;
	}
	free(tmp);
	for (size_t i = 0; i < r->nresults; i++) {
		struct bench_mode_result *mr = &r->results[i];
		const struct bench_mode_result *serial = reference_of(r, mr);

		mr->speedup = mr->efficiency = NAN;
		if (serial && mr->wall.median > 0) {
			mr->speedup = serial->wall.median / mr->wall.median;
			mr->efficiency = mr->speedup / mr->workers;
		}
	}
	if (strcmp(bench_build_kind(), "release") != 0)
		r->warnings |= BENCH_WARN_BUILD;
}

/*
 * An input whose first sample came from another engine than native (a run
 * of engine python alone) gets one native serial pass, untimed, so that
 * every answer is still checked against bench's own C, not only against
 * the same engine's first one.
 */
static int native_answer(struct run *run, struct input *in, void *state,
			 const struct bench_mode_result *mr)
{
	const struct bench_workload *wl = run->r->wl;
	struct bench_params params = run->r->params;
	struct bench_exec_opts eo = { .workers = 1, .chunk = mr->chunk,
				      .params = &params };
	struct bench_sample s;
	int rc;

	params.size = mr->size;
	memset(&s, 0, sizeof(s));
	if (wl->rewind && (rc = wl->rewind(state, run->err)))
		return rc;
	if ((rc = bench_exec(bench_executor_with(BENCH_EXEC_REFERENCE), wl,
			     state, &eo, &s, run->err)))
		return rc;
	wl->checksum(s.result, in->native);
	return 0;
}

/* Checks one sample and adds it to its case. */
static int record(struct run *run, size_t i, void *state,
		  struct bench_sample *s, int warm)
{
	const struct bench_run_opts *o = run->o;
	struct bench_report *r = run->r;
	struct bench_mode_result *mr = &r->results[i];
	struct input *in = &run->inputs[run->input_of[i]];
	char sum[BENCH_CHECKSUM_MAX];
	int rc;

	r->sampled_ns += s->wall_ns;
	if (o->corrupt_set && o->corrupt_mode == mr->mode)
		s->result[0] ^= 1;
	if (s->checksum[0])
		snprintf(sum, sizeof(sum), "%s", s->checksum);
	else
		r->wl->checksum(s->result, sum);
	if (!in->ref && mr->engine != BENCH_ENGINE_NATIVE &&
	    (rc = native_answer(run, in, state, mr)))
		return rc;
	if ((rc = verify(run, i, sum)))
		return rc;
	/* A stream's length is known after its first pass, and its items
	 * (a file's lines, or the lines generated) are its size. */
	if (r->wl->next_batch && (s->items || r->wl->item_count)) {
		mr->items = s->items ? s->items : r->wl->item_count(state);
		if (mr->items)
			mr->size = mr->items;
	}
	if (!s->checksum[0]) {
		memcpy(mr->result, s->result, sizeof(mr->result));
		mr->have_result = 1;
		mr->nfields = bench_workload_nfields(r->wl);
		if (mr->nfields)
			r->wl->fields(s->result, mr->fields);
	}
	if (s->note[0])
		memcpy(mr->note, s->note, sizeof(mr->note));
	if (s->maxrss_kb > mr->maxrss_kb)
		mr->maxrss_kb = s->maxrss_kb;
	mr->tasks = s->tasks;
	if (warm)
		return 0;
	mr->wall_ns[mr->nsamples] = s->wall_ns;
	mr->cpu_ns[mr->nsamples] = s->cpu_ns;
	mr->nsamples++;
	return 0;
}

/* In a job, every process learns how the step went (executor.h). */
static int agree(const struct bench_job *job, int rc, struct bench_err *err)
{
	return job->executor && job->executor->agree ?
		       job->executor->agree(rc, err) : rc;
}

static int sample_all(struct run *run, const struct bench_job *job)
{
	const struct bench_run_opts *o = run->o;
	struct bench_report *r = run->r;
	unsigned rounds = r->warmup + r->repeat;
	size_t sample = 0;
	int rc;

	for (unsigned round = 0; round < rounds; round++) {
		int warm = round < r->warmup;

		for (size_t j = 0; j < r->nresults; j++) {
			/* Rotate the order so each case follows each other. */
			size_t i = (j + round) % r->nresults;
			struct bench_mode_result *mr = &r->results[i];
			void *state = run->inputs[run->input_of[i]].state;
			struct bench_params params = r->params;
			struct bench_exec_opts eo = {
				.workers = mr->workers,
				.chunk = mr->chunk,
				.crash_task = o->crash_task,
				.crash_set = o->crash_set,
				.gil_ns = mr->mode->flags & BENCH_EXEC_GIL ?
						  o->gil_ns : 0,
				.params = &params,
				.broker = o->broker,
			};
			struct bench_sample s;

			params.size = mr->size;
			sample++;
			if (o->progress) {
				struct bench_progress p = {
					round + 1, rounds, warm, sample,
					(size_t)rounds * r->nresults, mr->mode,
					mr->engine, mr->workers, mr->size
				};
				o->progress(o->progress_ud, &p);
			}
			/* In a job, rank 0 runs the other modes alone while
			 * the other processes wait in the job's agree(). */
			memset(&s, 0, sizeof(s));
			rc = 0;
			if (mr->mode == job->executor || job->rank == 0) {
				if (r->wl->rewind)
					rc = r->wl->rewind(state, run->err);
				if (rc == 0 && mr->engine == BENCH_ENGINE_NATIVE) {
					rc = bench_exec(mr->mode, r->wl, state, &eo,
							&s, run->err);
				} else if (rc == 0) {
					r->wl->partial_init(s.result);
					rc = o->engine_sample(o->engine_ud, r, mr,
							      state, &s, run->err);
				}
			}
			/* Rank 0 keeps the books; a failure there (a checksum
			 * that differs) stops every process. */
			if (rc == 0 && job->rank == 0)
				rc = record(run, i, state, &s, warm);
			if ((rc = agree(job, rc, run->err)))
				return rc;
		}
	}
	r->tasks = r->results[0].tasks;
	r->items = r->results[0].items;
	return 0;
}

int bench_run(const struct bench_run_opts *o, struct bench_report **out,
	      struct bench_err *err)
{
	struct bench_report *r = calloc(1, sizeof(*r));
	struct run run = { .o = o, .r = r, .err = err };
	bench_ns t0 = bench_clock_now();
	struct bench_job job;
	int rc;

	*out = NULL;
	if (!r)
		return bench_err_set(err, BENCH_ENOMEM, "out of memory");
	bench_job(&job);
	if ((rc = check_opts(&run)) || (rc = alloc_samples(r, err)) ||
	    (rc = agree(&job, prepare_inputs(&run, o->ncases == 0), err)) ||
	    (rc = sample_all(&run, &job)))
		goto out;
	bench__report_summarise(r);
	r->total_ns = bench_clock_now() - t0;
	*out = r;
	r = NULL;
out:
	for (size_t k = 0; k < run.ninputs; k++)
		o->wl->release(run.inputs[k].state);
	free(run.inputs);
	free(run.input_of);
	bench_report_destroy(r);
	return rc;
}
