/*
 * serial.c - the reference executor: every task in order on the
 * calling thread. Speedups are measured against it.
 */
#include "bench/executor.h"

static int serial_run(struct bench_exec_ctx *ctx)
{
	struct bench_task task;
	int rc;

	/* One task at a time: a dependency source always has a task ready
	 * when none is running, so BENCH_SOURCE_WAIT cannot come back. */
	while ((rc = bench_source_next(ctx->src, &task, ctx->err)) == 1) {
		if (bench_canceled()) {
			bench_task_release(&task);
			return bench_err_set(ctx->err, BENCH_ECANCELED,
					     "interrupted");
		}
		rc = bench_task_run(ctx->wl, ctx->state, &task, ctx->result,
				     ctx->err);
		bench_source_done(ctx->src, &task);
		bench_task_release(&task);
		if (rc)
			return rc;
		ctx->tasks++;
	}
	if (rc == BENCH_SOURCE_WAIT)
		return bench_err_set(ctx->err, BENCH_EINVAL,
				     "%s: no task is ready and none runs",
				     ctx->wl->name);
	return rc;
}

const struct bench_executor bench_executor_serial = {
	.name = "serial",
	.summary = "one task after another on the calling thread",
	.flags = BENCH_EXEC_REFERENCE | BENCH_EXEC_DEFAULT,
	.run = serial_run,
};
