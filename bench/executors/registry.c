/*
 * registry.c - the executor table, the task source, and cancellation.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "internal.h"
#include "gil.h"

static const struct {
	const char *name;
	const char *summary;
	bench__exec_fn run;
} executors[BENCH_MODE_COUNT] = {
	[BENCH_MODE_SERIAL] = { "serial", "one task after another on the calling thread", bench__exec_serial },
	[BENCH_MODE_THREAD] = { "thread", "a pthread pool; idle threads take the next task", bench__exec_thread },
	[BENCH_MODE_PROCESS] = { "process", "forked workers sharing the input copy-on-write, results over sockets", bench__exec_process },
	[BENCH_MODE_ASYNC] = { "async", "one thread, an epoll loop; waits overlap, computing does not", bench__exec_async },
	/* mpi times its own samples (bench__mpi_sample): ranks, not a pool. */
	[BENCH_MODE_MPI] = { "mpi", "the ranks of an Open MPI job, items split among them, partials reduced", NULL },
};

static atomic_int cancel_requested;

void bench_cancel(void)
{
	atomic_store(&cancel_requested, 1);
}

int bench_canceled(void)
{
	return atomic_load(&cancel_requested);
}

void bench_cancel_reset(void)
{
	atomic_store(&cancel_requested, 0);
}

const char *bench_mode_name(enum bench_mode mode)
{
	return (unsigned)mode < BENCH_MODE_COUNT ? executors[mode].name : NULL;
}

const char *bench_mode_summary(enum bench_mode mode)
{
	return (unsigned)mode < BENCH_MODE_COUNT ? executors[mode].summary : NULL;
}

int bench_mode_parse(const char *name, enum bench_mode *mode)
{
	for (int m = 0; m < BENCH_MODE_COUNT; m++) {
		if (strcmp(name, executors[m].name) == 0) {
			*mode = (enum bench_mode)m;
			return 0;
		}
	}
	return BENCH_EINVAL;
}

uint64_t bench__source_order(const struct bench__source *src, uint64_t *order)
{
	uint64_t n = src->items, head = 0, tail = src->ready_tail;
	uint32_t *missing = malloc((n ? n : 1) * sizeof(*missing));

	if (!missing)
		return UINT64_MAX;
	memcpy(missing, src->missing, n * sizeof(*missing));
	memcpy(order, src->ready, tail * sizeof(*order));
	while (head < tail) {
		uint64_t item = order[head++];

		for (uint64_t e = src->after_at[item]; e < src->after_at[item + 1]; e++)
			if (--missing[src->after[e]] == 0)
				order[tail++] = src->after[e];
	}
	free(missing);
	return tail;
}

/*
 * Runs the schedule dry: every item must become ready, else some wait for
 * each other in a cycle and an executor would wait forever.
 */
static int dag_check(struct bench__source *src, struct bench_err *err)
{
	uint64_t n = src->items, done = UINT64_MAX;
	uint64_t *order = malloc((n ? n : 1) * sizeof(*order));

	if (order)
		done = bench__source_order(src, order);
	free(order);
	if (done == UINT64_MAX)
		return bench_err_set(err, BENCH_ENOMEM,
				     "cannot allocate a graph of %llu tasks",
				     (unsigned long long)n);
	if (done < n)
		return bench_err_set(err, BENCH_EINVAL,
				     "%s: %llu of %llu tasks wait for each other in a cycle",
				     src->wl->name, (unsigned long long)(n - done),
				     (unsigned long long)n);
	return 0;
}

/* Builds the dependency bookkeeping: who waits for whom. */
static int dag_init(struct bench__source *src, struct bench_err *err)
{
	const struct bench_workload *wl = src->wl;
	uint64_t n = src->items, deps[BENCH_DEPS_MAX], edges = 0;

	src->missing = calloc(n ? n : 1, sizeof(*src->missing));
	src->after_at = calloc(n + 1, sizeof(*src->after_at));
	src->ready = calloc(n ? n : 1, sizeof(*src->ready));
	if (!src->missing || !src->after_at || !src->ready)
		return bench_err_set(err, BENCH_ENOMEM,
				     "cannot allocate a graph of %llu tasks",
				     (unsigned long long)n);
	/* Count, then place, each item's dependents. */
	for (uint64_t i = 0; i < n; i++) {
		unsigned k = wl->deps(src->state, i, deps);

		src->missing[i] = k;
		for (unsigned d = 0; d < k; d++) {
			if (deps[d] >= n)
				return bench_err_set(err, BENCH_EINVAL,
						     "%s: task %llu depends on %llu, past the last",
						     wl->name, (unsigned long long)i,
						     (unsigned long long)deps[d]);
			src->after_at[deps[d] + 1]++;
		}
		edges += k;
		if (k == 0)
			src->ready[src->ready_tail++] = i;
	}
	for (uint64_t i = 0; i < n; i++)
		src->after_at[i + 1] += src->after_at[i];
	src->after = calloc(edges ? edges : 1, sizeof(*src->after));
	if (!src->after)
		return bench_err_set(err, BENCH_ENOMEM,
				     "cannot allocate a graph of %llu tasks",
				     (unsigned long long)n);
	{
		uint64_t *fill = calloc(n ? n : 1, sizeof(*fill));

		if (!fill)
			return bench_err_set(err, BENCH_ENOMEM,
					     "cannot allocate a graph of %llu tasks",
					     (unsigned long long)n);
		for (uint64_t i = 0; i < n; i++) {
			unsigned k = wl->deps(src->state, i, deps);

			for (unsigned d = 0; d < k; d++)
				src->after[src->after_at[deps[d]] + fill[deps[d]]++] = i;
		}
		free(fill);
	}
	return dag_check(src, err);
}

int bench__source_init(struct bench__source *src,
		       const struct bench_workload *wl, void *state,
		       uint64_t chunk, struct bench_err *err)
{
	memset(src, 0, sizeof(*src));
	src->wl = wl;
	src->state = state;
	src->chunk = wl->deps ? 1 : chunk;
	atomic_init(&src->next, 0);
	pthread_mutex_init(&src->lock, NULL);
	pthread_cond_init(&src->changed, NULL);
	if (!wl->next_batch) {
		src->items = wl->item_count(state);
		src->ntasks = src->items / src->chunk +
			      (src->items % src->chunk != 0);
	}
	if (wl->deps) {
		src->dag = 1;
		return dag_init(src, err);
	}
	return 0;
}

void bench__source_release(struct bench__source *src)
{
	free(src->missing);
	free(src->after_at);
	free(src->after);
	free(src->ready);
	pthread_cond_destroy(&src->changed);
	pthread_mutex_destroy(&src->lock);
}

static int dag_next(struct bench__source *src, struct bench_task *task)
{
	int rc;

	pthread_mutex_lock(&src->lock);
	if (src->aborted || src->finished == src->items) {
		rc = 0;
	} else if (src->ready_head == src->ready_tail) {
		rc = BENCH__SOURCE_WAIT;
	} else {
		uint64_t item = src->ready[src->ready_head++];

		*task = (struct bench_task){ item, item, 1, NULL, 0 };
		rc = 1;
	}
	pthread_mutex_unlock(&src->lock);
	return rc;
}

void bench__source_done(struct bench__source *src,
			const struct bench_task *task)
{
	if (!src->dag)
		return;
	pthread_mutex_lock(&src->lock);
	for (uint64_t e = src->after_at[task->first];
	     e < src->after_at[task->first + 1]; e++)
		if (--src->missing[src->after[e]] == 0)
			src->ready[src->ready_tail++] = src->after[e];
	src->finished++;
	pthread_cond_broadcast(&src->changed);
	pthread_mutex_unlock(&src->lock);
}

void bench__source_wait(struct bench__source *src)
{
	pthread_mutex_lock(&src->lock);
	while (!src->aborted && src->finished < src->items &&
	       src->ready_head == src->ready_tail)
		pthread_cond_wait(&src->changed, &src->lock);
	pthread_mutex_unlock(&src->lock);
}

void bench__source_abort(struct bench__source *src)
{
	pthread_mutex_lock(&src->lock);
	src->aborted = 1;
	pthread_cond_broadcast(&src->changed);
	pthread_mutex_unlock(&src->lock);
}

static int stream_next(struct bench__source *src, struct bench_task *task,
		       struct bench_err *err)
{
	struct bench_task batch = { 0 };
	int rc = 0;
	void *copy = NULL;

	pthread_mutex_lock(&src->lock);
	if (!src->done) {
		rc = src->wl->next_batch(src->state, src->chunk, &batch, err);
		if (rc == 1 && batch.len > 0) {
			copy = malloc(batch.len + BENCH_BATCH_PADDING);
			if (copy) {
				memcpy(copy, batch.data, batch.len);
				memset((char *)copy + batch.len, 0,
				       BENCH_BATCH_PADDING);
			}
			else
				rc = bench_err_set(err, BENCH_ENOMEM,
						   "cannot copy a batch of %zu bytes",
						   batch.len);
		}
		if (rc == 1)
			batch.index = src->streamed++;
		else
			src->done = 1;
	}
	pthread_mutex_unlock(&src->lock);
	if (rc == 1) {
		*task = batch;
		task->data = copy;
	}
	return rc;
}

int bench__source_next(struct bench__source *src, struct bench_task *task,
		       struct bench_err *err)
{
	uint64_t t;

	if (src->wl->next_batch)
		return stream_next(src, task, err);
	if (src->dag)
		return dag_next(src, task);
	t = atomic_fetch_add(&src->next, 1);
	if (t >= src->ntasks)
		return 0;
	task->index = t;
	task->first = t * src->chunk;
	task->count = src->items - task->first < src->chunk ?
			      src->items - task->first : src->chunk;
	task->data = NULL;
	task->len = 0;
	return 1;
}

void bench__task_release(struct bench_task *task)
{
	free((void *)task->data);
	task->data = NULL;
	task->len = 0;
}

struct bench_task bench__task_item(const struct bench_task *task, uint64_t k)
{
	struct bench_task one = *task;

	one.first = task->first + k;
	one.count = 1;
	return one;
}

int bench__task_run(const struct bench_workload *wl, const void *state,
		    const struct bench_task *task, void *partial,
		    struct bench_err *err)
{
	if (!(wl->flags & BENCH_WL_WAITS))
		return wl->run(state, task, partial, err);
	for (uint64_t k = 0; k < task->count; k++) {
		struct bench_task one = bench__task_item(task, k);
		int rc;

		/* Waiting lets go of the GIL, as time.sleep does. */
		bench__gil_release_for_wait();
		rc = bench_sleep_ns(wl->wait_ns(state, one.first));
		bench__gil_reacquire();

		if (rc == BENCH_ECANCELED)
			return bench_err_set(err, rc, "interrupted");
		if (rc)
			return bench_err_set(err, rc, "nanosleep failed");
		rc = wl->run(state, &one, partial, err);
		if (rc)
			return rc;
	}
	return 0;
}

bench_ns bench__rusage_cpu(const struct rusage *ru)
{
	return (bench_ns)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) *
		       BENCH_NS_PER_S +
	       (bench_ns)(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) *
		       BENCH_NS_PER_US;
}

int bench_exec(enum bench_mode mode, const struct bench_workload *wl,
	       void *state, const struct bench_exec_opts *opts,
	       struct bench_sample *out, struct bench_err *err)
{
	struct bench__source src;
	struct bench__exec_ctx ctx = { 0 };
	struct rusage self;
	bench_ns t0, cpu0;
	unsigned stages = wl->stages > 1 ? wl->stages : 1;
	int rc = 0;

	if ((unsigned)mode >= BENCH_MODE_COUNT)
		return bench_err_set(err, BENCH_EINVAL, "unknown mode %d",
				     (int)mode);
	if (opts->chunk == 0 || opts->workers == 0 ||
	    opts->workers > BENCH_WORKERS_MAX)
		return bench_err_set(err, BENCH_EINVAL,
				     "workers must be 1..%d and chunk at least 1",
				     BENCH_WORKERS_MAX);
	if (wl->partial_size > BENCH_PARTIAL_MAX)
		return bench_err_set(err, BENCH_EINVAL,
				     "%s: partial result of %zu bytes exceeds %d",
				     wl->name, wl->partial_size,
				     BENCH_PARTIAL_MAX);
	if (mode == BENCH_MODE_MPI)
		return bench__mpi_sample(wl, state, opts, out, err);
	memset(out, 0, sizeof(*out));
	wl->partial_init(out->result);
	ctx.wl = wl;
	ctx.state = state;
	ctx.opts = opts;
	ctx.src = &src;
	ctx.result = out->result;
	ctx.err = err;

	cpu0 = bench_clock_process_cpu();
	t0 = bench_clock_now();
	/* Stage after stage; each a whole pass of the executor, so a stage
	 * starts only when the previous one has finished everywhere. */
	for (unsigned stage = 0; stage < stages; stage++) {
		if (wl->stage_begin &&
		    (rc = wl->stage_begin(state, stage, err)))
			break;
		rc = bench__source_init(&src, wl, state, stage ? 1 : opts->chunk,
					err);
		if (rc == 0)
			rc = executors[mode].run(&ctx);
		bench__source_release(&src);
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
