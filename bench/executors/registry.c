/*
 * registry.c - the executor table built from executor_list.h, lookups,
 * jobs, and bench_exec(): one timed sample through an executor's row.
 *
 * Nothing here names an executor: the list header is expanded twice, once
 * into declarations and once into the table (libuv's benchmark-list.h).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "bench/executor.h"

#define EXECUTOR(name) extern const struct bench_executor bench_executor_##name;
#include "executor_list.h"
#undef EXECUTOR

const struct bench_executor *const bench_executors[] = {
#define EXECUTOR(name) &bench_executor_##name,
#include "executor_list.h"
#undef EXECUTOR
	NULL
};

_Static_assert(sizeof(bench_executors) / sizeof(bench_executors[0]) <=
		       BENCH_EXECUTORS_MAX + 1,
	       "more executors than BENCH_EXECUTORS_MAX");

const struct bench_executor *bench_executor_find(const char *name)
{
	for (size_t i = 0; name && bench_executors[i]; i++)
		if (strcmp(bench_executors[i]->name, name) == 0)
			return bench_executors[i];
	return NULL;
}

const struct bench_executor *bench_executor_with(unsigned flags)
{
	for (size_t i = 0; bench_executors[i]; i++)
		if (bench_executors[i]->flags & flags)
			return bench_executors[i];
	return NULL;
}

int bench_executors_init(int *argc, char ***argv, struct bench_err *err)
{
	for (size_t i = 0; bench_executors[i]; i++) {
		int rc;

		if (bench_executors[i]->init &&
		    (rc = bench_executors[i]->init(argc, argv, err)))
			return rc;
	}
	return 0;
}

void bench_executors_fini(void)
{
	for (size_t i = 0; bench_executors[i]; i++)
		if (bench_executors[i]->fini)
			bench_executors[i]->fini();
}

int bench_job(struct bench_job *job)
{
	for (size_t i = 0; bench_executors[i]; i++) {
		const struct bench_executor *ex = bench_executors[i];

		*job = (struct bench_job){ .executor = ex, .size = 1 };
		if (ex->job && ex->job(job))
			return 1;
	}
	*job = (struct bench_job){ .size = 1 };
	return 0;
}

int bench_exec(const struct bench_executor *ex,
	       const struct bench_workload *wl, void *state,
	       const struct bench_exec_opts *opts, struct bench_sample *out,
	       struct bench_err *err)
{
	struct bench_source src;
	struct bench_exec_ctx ctx = { 0 };
	struct rusage self;
	bench_ns t0, cpu0;
	unsigned stages = wl->stages > 1 ? wl->stages : 1;
	int rc = 0;

	if (!ex || (!ex->run && !ex->sample))
		return bench_err_set(err, BENCH_EINVAL, "unknown mode");
	if (opts->chunk == 0 || opts->workers == 0 ||
	    opts->workers > bench_executor_max_workers(ex))
		return bench_err_set(err, BENCH_EINVAL,
				     "%s: workers must be 1..%u %s and chunk at least 1",
				     ex->name, bench_executor_max_workers(ex),
				     ex->workers_noun ? ex->workers_noun :
							"workers");
	if (wl->partial_size > BENCH_PARTIAL_MAX)
		return bench_err_set(err, BENCH_EINVAL,
				     "%s: partial result of %zu bytes exceeds %d",
				     wl->name, wl->partial_size,
				     BENCH_PARTIAL_MAX);
	if (ex->sample)
		return ex->sample(wl, state, opts, out, err);
	memset(out, 0, sizeof(*out));
	wl->partial_init(out->result);
	ctx.wl = wl;
	ctx.state = state;
	ctx.opts = opts;
	ctx.src = &src;
	ctx.result = out->result;
	ctx.note = out->note;
	ctx.err = err;

	cpu0 = bench_clock_process_cpu();
	t0 = bench_clock_now();
	/* Stage after stage; each a whole pass of the executor, so a stage
	 * starts only when the previous one has finished everywhere. */
	for (unsigned stage = 0; stage < stages; stage++) {
		if (wl->stage_begin &&
		    (rc = wl->stage_begin(state, stage, err)))
			break;
		rc = bench_source_init(&src, wl, state, stage ? 1 : opts->chunk,
				       err);
		if (rc == 0)
			rc = ex->run(&ctx);
		bench_source_release(&src);
		if (rc)
			break;
	}
	if (rc == 0 && wl->check)
		rc = wl->check(state, out->result, err);
	out->wall_ns = bench_clock_now() - t0;
	out->cpu_ns = bench_clock_process_cpu() - cpu0 + ctx.child_cpu_ns;
	if (stages > 1 && rc == 0)
		rc = wl->stage_begin(state, 0, err);

	out->tasks = ctx.tasks;
	getrusage(RUSAGE_SELF, &self);
	out->maxrss_kb = (uint64_t)self.ru_maxrss;
	if (ctx.child_maxrss_kb > out->maxrss_kb)
		out->maxrss_kb = ctx.child_maxrss_kb;
	return rc;
}
