/*
 * async.c - the async executor: one thread, one event loop.
 *
 * Up to --workers tasks are in flight at once, each a small state machine
 * driven by the loop: an item that must wait (BENCH_WL_WAITS) arms a timer
 * and yields, and the item's computing runs when the timer fires; a task
 * with nothing to wait for computes straight through. So waits overlap
 * while computing is strictly one task at a time: asyncio's behaviour,
 * with no speedup for CPU-bound work, by design.
 */
#include <stdlib.h>
#include <string.h>

#include "bench/executor.h"
#include "loop.h"

struct async;

struct slot {
	struct async *a;
	struct bench_task task;
	uint64_t k;     /* next item of the task, 0-based */
	int waited;     /* item k's wait is over */
	int busy;
};

struct async {
	struct bench_exec_ctx *ctx;
	struct bench__loop loop;
	struct slot *slots;
	unsigned nslots;
	int exhausted;
	int rc;
};

static void step(struct bench__loop *loop, void *arg);

static void fail(struct async *a, int rc)
{
	if (!a->rc)
		a->rc = rc;
	bench__loop_stop(&a->loop);
}

/* Fills idle slots with new tasks. */
static void refill(struct async *a)
{
	for (unsigned i = 0; i < a->nslots && !a->exhausted && !a->rc; i++) {
		struct slot *s = &a->slots[i];
		int rc;

		if (s->busy)
			continue;
		rc = bench_source_next(a->ctx->src, &s->task, a->ctx->err);
		if (rc == BENCH_SOURCE_WAIT)
			break;  /* until a running task is done */
		if (rc == 0) {
			a->exhausted = 1;
		} else if (rc < 0) {
			fail(a, rc);
		} else {
			s->busy = 1;
			s->k = 0;
			s->waited = 0;
			if (bench__loop_defer(&a->loop, step, s) != 0)
				fail(a, bench_err_set(a->ctx->err, BENCH_ENOMEM,
						      "async: out of memory"));
		}
	}
}

static void finish(struct slot *s)
{
	bench_source_done(s->a->ctx->src, &s->task);
	bench_task_release(&s->task);
	s->busy = 0;
	s->a->ctx->tasks++;
	refill(s->a);
}

static void step(struct bench__loop *loop, void *arg)
{
	struct slot *s = arg;
	struct async *a = s->a;
	struct bench_exec_ctx *ctx = a->ctx;
	int rc;

	if (!(ctx->wl->flags & BENCH_WL_WAITS)) {
		rc = ctx->wl->run(ctx->state, &s->task, ctx->result, ctx->err);
		if (rc)
			fail(a, rc);
		else
			finish(s);
		return;
	}
	while (s->k < s->task.count) {
		struct bench_task one = bench_task_item(&s->task, s->k);
		bench_ns wait = ctx->wl->wait_ns(ctx->state, one.first);

		if (wait > 0 && !s->waited) {
			s->waited = 1;
			if (bench__loop_timer(loop, bench_clock_now() + wait,
					      step, s) != 0)
				fail(a, bench_err_set(ctx->err, BENCH_ENOMEM,
						      "async: out of memory"));
			return;
		}
		rc = ctx->wl->run(ctx->state, &one, ctx->result, ctx->err);
		if (rc) {
			fail(a, rc);
			return;
		}
		s->k++;
		s->waited = 0;
	}
	finish(s);
}

static int async_run(struct bench_exec_ctx *ctx)
{
	struct async a = { .ctx = ctx, .nslots = ctx->opts->workers };
	int rc;

	if (bench__loop_init(&a.loop) != 0)
		return bench_err_set(ctx->err, BENCH_ESYS,
				     "cannot create the event loop");
	a.slots = calloc(a.nslots, sizeof(*a.slots));
	if (!a.slots) {
		bench__loop_release(&a.loop);
		return bench_err_set(ctx->err, BENCH_ENOMEM,
				     "cannot allocate %u async tasks", a.nslots);
	}
	for (unsigned i = 0; i < a.nslots; i++)
		a.slots[i].a = &a;
	refill(&a);
	rc = bench__loop_run(&a.loop);
	if (rc == BENCH_ECANCELED)
		bench_err_set(ctx->err, rc, "interrupted");
	else if (rc)
		bench_err_set(ctx->err, rc, "event loop failed");
	if (!a.rc)
		a.rc = rc;
	/* The loop ran dry: every task must have run (a dependency source
	 * that still waits would mean tasks were left out). */
	if (!a.rc && ctx->src->dag && ctx->src->finished < ctx->src->items)
		a.rc = bench_err_set(ctx->err, BENCH_EINVAL,
				     "%s: no task is ready and none runs",
				     ctx->wl->name);
	for (unsigned i = 0; i < a.nslots; i++)
		if (a.slots[i].busy)
			bench_task_release(&a.slots[i].task);
	free(a.slots);
	bench__loop_release(&a.loop);
	return a.rc;
}

const struct bench_executor bench_executor_async = {
	.name = "async",
	.summary = "one thread, an epoll loop; waits overlap, computing does not",
	.flags = BENCH_EXEC_DEFAULT | BENCH_EXEC_WAITS_ONLY,
	.run = async_run,
};
