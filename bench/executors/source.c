/*
 * source.c - the task source every executor takes tasks from (indexed,
 * streaming or dependency-ordered; see executor.h), and running one task.
 *
 * Dependency sources are checked for cycles before any executor starts, by
 * running the schedule dry: a cycle would otherwise leave every worker
 * waiting for a task that never becomes ready.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "bench/executor.h"
#include "lib/checkpoint.h"

uint64_t bench_source_order(const struct bench_source *src, uint64_t *order)
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
static int dag_check(struct bench_source *src, struct bench_err *err)
{
	uint64_t n = src->items, done = UINT64_MAX;
	uint64_t *order = malloc((n ? n : 1) * sizeof(*order));

	if (order)
		done = bench_source_order(src, order);
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
static int dag_init(struct bench_source *src, struct bench_err *err)
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

int bench_source_init(struct bench_source *src,
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

void bench_source_release(struct bench_source *src)
{
	free(src->missing);
	free(src->after_at);
	free(src->after);
	free(src->ready);
	pthread_cond_destroy(&src->changed);
	pthread_mutex_destroy(&src->lock);
}

static int dag_next(struct bench_source *src, struct bench_task *task)
{
	int rc;

	pthread_mutex_lock(&src->lock);
	if (src->aborted || src->finished == src->items) {
		rc = 0;
	} else if (src->ready_head == src->ready_tail) {
		rc = BENCH_SOURCE_WAIT;
	} else {
		uint64_t item = src->ready[src->ready_head++];

		*task = (struct bench_task){ item, item, 1, NULL, 0 };
		rc = 1;
	}
	pthread_mutex_unlock(&src->lock);
	return rc;
}

void bench_source_done(struct bench_source *src,
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

void bench_source_wait(struct bench_source *src)
{
	pthread_mutex_lock(&src->lock);
	while (!src->aborted && src->finished < src->items &&
	       src->ready_head == src->ready_tail)
		pthread_cond_wait(&src->changed, &src->lock);
	pthread_mutex_unlock(&src->lock);
}

void bench_source_abort(struct bench_source *src)
{
	pthread_mutex_lock(&src->lock);
	src->aborted = 1;
	pthread_cond_broadcast(&src->changed);
	pthread_mutex_unlock(&src->lock);
}

static int stream_next(struct bench_source *src, struct bench_task *task,
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

int bench_source_next(struct bench_source *src, struct bench_task *task,
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

void bench_task_release(struct bench_task *task)
{
	free((void *)task->data);
	task->data = NULL;
	task->len = 0;
}

struct bench_task bench_task_item(const struct bench_task *task, uint64_t k)
{
	struct bench_task one = *task;

	one.first = task->first + k;
	one.count = 1;
	return one;
}

int bench_task_run(const struct bench_workload *wl, const void *state,
		    const struct bench_task *task, void *partial,
		    struct bench_err *err)
{
	if (!(wl->flags & BENCH_WL_WAITS))
		return wl->run(state, task, partial, err);
	for (uint64_t k = 0; k < task->count; k++) {
		struct bench_task one = bench_task_item(task, k);
		int rc;

		/* Waiting lets go of the GIL, as time.sleep does. */
		bench__wait_begin();
		rc = bench_sleep_ns(wl->wait_ns(state, one.first));
		bench__wait_end();

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

bench_ns bench_rusage_cpu(const struct rusage *ru)
{
	return (bench_ns)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) *
		       BENCH_NS_PER_S +
	       (bench_ns)(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) *
		       BENCH_NS_PER_US;
}
