/*
 * dask.c - mode dask: the course's dask.delayed, run by Dask's threaded
 * scheduler with --workers threads. Dask is a Python library, so only
 * engine python runs this mode (python/bench_py/modes/dask_mode.py); the
 * row is here so that --mode parses it, `bench list` shows it and the
 * results carry its name.
 *
 * BENCH_EXEC_FOREIGN says so: the harness pairs the mode with engine
 * python alone (`--engine native,python --mode serial,dask` runs serial in
 * both and dask in python), and the CLI refuses it before any sampling
 * when no engine of the command can run it. Not a default mode, so `bench run W` and `--mode
 * all` never reach for Dask. run() is only what a caller of bench_exec()
 * that skipped that check (a library user, `bench timeit`) gets.
 */
#include "bench/executor.h"

static int dask_run(struct bench_exec_ctx *ctx)
{
	return bench_err_set(ctx->err, BENCH_EINVAL,
			     "mode dask runs only in engine python (Dask is a Python library): add --engine python");
}

const struct bench_executor bench_executor_dask = {
	.name = "dask",
	.summary = "the course's dask.delayed on Dask's threaded scheduler, --workers threads (engine python only)",
	.flags = BENCH_EXEC_FOREIGN | BENCH_EXEC_PARALLEL,
	.workers_noun = "threads",
	.run = dask_run,
};
