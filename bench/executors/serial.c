/*
 * serial.c - the reference executor: every task in order on the
 * calling thread. Speedups are measured against it.
 */
#include "internal.h"

int bench__exec_serial(struct bench__exec_ctx *ctx)
{
	struct bench_task task;
	int rc;

	/* One task at a time: a dependency source always has a task ready
	 * when none is running, so BENCH__SOURCE_WAIT cannot come back. */
	while ((rc = bench__source_next(ctx->src, &task, ctx->err)) == 1) {
		if (bench_canceled()) {
			bench__task_release(&task);
			return bench_err_set(ctx->err, BENCH_ECANCELED,
					     "interrupted");
		}
		rc = bench__task_run(ctx->wl, ctx->state, &task, ctx->result,
				     ctx->err);
		bench__source_done(ctx->src, &task);
		bench__task_release(&task);
		if (rc)
			return rc;
		ctx->tasks++;
	}
	if (rc == BENCH__SOURCE_WAIT)
		return bench_err_set(ctx->err, BENCH_EINVAL,
				     "%s: no task is ready and none runs",
				     ctx->wl->name);
	return rc;
}
