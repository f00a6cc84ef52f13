/*
 * thread.c - the thread pool executor.
 *
 * Each thread pulls its next task from the shared source the moment it is
 * idle (dynamic scheduling, like Pool.imap_unordered), and folds results
 * into a partial of its own, so the only shared write on the hot path is
 * the source's atomic task counter. Partials are merged after the join.
 * The first failing thread records its error and raises `stop`; the others
 * finish their current task and leave.
 */
#include <stdlib.h>
#include <string.h>

#include "bench/executor.h"
#include "gil.h"

struct pool;

struct worker {
	struct pool *pool;
	pthread_t tid;
	uint64_t tasks;
	BENCH_PARTIAL_ALIGN unsigned char partial[BENCH_PARTIAL_MAX];
};

struct pool {
	struct bench_exec_ctx *ctx;
	atomic_int stop;
	pthread_mutex_t err_lock;  /* guards ctx->err and code */
	int code;                  /* first failure's BENCH_E* code */
	struct worker *workers;
	struct bench__gil *gil;    /* --gil, else NULL */
};

static void fail(struct pool *pool, const struct bench_err *e)
{
	pthread_mutex_lock(&pool->err_lock);
	if (!pool->code) {
		pool->code = e->code;
		bench_err_set(pool->ctx->err, e->code, "%s", e->msg);
	}
	pthread_mutex_unlock(&pool->err_lock);
	atomic_store(&pool->stop, 1);
	bench_source_abort(pool->ctx->src);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct pool *pool = w->pool;
	struct bench_exec_ctx *ctx = pool->ctx;
	struct bench_err e = { 0 };
	struct bench_task task;
	int rc;

	/* Under --gil a thread holds the lock whenever it runs, as a Python
	 * thread does; it lets go only to wait. */
	bench__checkpoint_current = pool->gil ? &pool->gil->hook : NULL;
	bench__wait_end();
	while (!atomic_load(&pool->stop)) {
		if (bench_canceled()) {
			bench_err_set(&e, BENCH_ECANCELED, "interrupted");
			fail(pool, &e);
			break;
		}
		rc = bench_source_next(ctx->src, &task, &e);
		if (rc == 0)
			break;
		if (rc == BENCH_SOURCE_WAIT) {
			bench__wait_begin();
			bench_source_wait(ctx->src);
			bench__wait_end();
			continue;
		}
		if (rc == 1) {
			rc = bench_task_run(ctx->wl, ctx->state, &task,
					     w->partial, &e);
			if (rc == 0)
				bench_source_done(ctx->src, &task);
			bench_task_release(&task);
			w->tasks += rc == 0;
		}
		if (rc < 0) {
			fail(pool, &e);
			break;
		}
	}
	bench__wait_begin();
	bench__checkpoint_current = NULL;
	return NULL;
}

static int thread_run(struct bench_exec_ctx *ctx)
{
	unsigned n = ctx->opts->workers, started = 0;
	struct pool pool = { .ctx = ctx };
	struct bench__gil gil;
	int rc = 0;

	pool.workers = calloc(n, sizeof(*pool.workers));
	if (!pool.workers)
		return bench_err_set(ctx->err, BENCH_ENOMEM,
				     "cannot allocate %u thread workers", n);
	atomic_init(&pool.stop, 0);
	pthread_mutex_init(&pool.err_lock, NULL);
	if (ctx->opts->gil_ns) {
		if ((rc = bench__gil_init(&gil, ctx->opts->gil_ns))) {
			pthread_mutex_destroy(&pool.err_lock);
			free(pool.workers);
			return bench_err_set(ctx->err, BENCH_ESYS,
					     "cannot create the GIL: %s",
					     strerror(rc));
		}
		pool.gil = &gil;
	}

	for (; started < n; started++) {
		struct worker *w = &pool.workers[started];

		w->pool = &pool;
		ctx->wl->partial_init(w->partial);
		rc = pthread_create(&w->tid, NULL, worker_main, w);
		if (rc) {
			struct bench_err e = { 0 };

			bench_err_set(&e, BENCH_ESYS, "cannot start thread %u of %u: %s",
				      started + 1, n, strerror(rc));
			fail(&pool, &e); /* under the lock: workers may fail too */
			rc = BENCH_ESYS;
			break;
		}
	}
	for (unsigned i = 0; i < started; i++) {
		pthread_join(pool.workers[i].tid, NULL);
		ctx->wl->merge(ctx->result, pool.workers[i].partial);
		ctx->tasks += pool.workers[i].tasks;
	}
	if (pool.gil)
		bench__gil_destroy(pool.gil);
	pthread_mutex_destroy(&pool.err_lock);
	free(pool.workers);
	if (rc == 0)
		rc = pool.code;
	return rc;
}

const struct bench_executor bench_executor_thread = {
	.name = "thread",
	.summary = "a pthread pool; idle threads take the next task",
	.flags = BENCH_EXEC_DEFAULT | BENCH_EXEC_PARALLEL | BENCH_EXEC_GIL |
		 BENCH_EXEC_SCALE,
	.workers_noun = "threads", /* the default limit: a stack each */
	.run = thread_run,
};
