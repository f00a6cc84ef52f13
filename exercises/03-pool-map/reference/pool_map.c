/*
 * pool_map.c - exercise 03, reference solution: a fixed pool of threads
 * serving a FIFO of maps, and range counting on it.
 *
 * One mutex guards everything shared. A map is queued whole, as one
 * future; workers hand out its task indexes one by one and drop it from
 * the queue when the last one is taken. The worker that finishes a map's
 * last task signals the future's condition variable, under the mutex, so
 * map_wait may free the future as soon as it sees the count complete.
 */
#include <pthread.h>
#include <stdlib.h>

#include "pool_map.h"

struct map_future {
	map_fn fn;
	void *arg;
	long *results;
	size_t ntasks;
	size_t next;              /* the next task index to hand out */
	size_t done;              /* tasks finished */
	pthread_cond_t finished;  /* done == ntasks */
	struct pool *pool;
	struct map_future *queued; /* the next map in the pool's queue */
};

struct pool {
	pthread_mutex_t lock;
	pthread_cond_t work;      /* a map was queued, or stop was set */
	struct map_future *head, *tail;
	int stop;
	int nthreads;
	pthread_t threads[POOL_MAX_WORKERS];
};

static void *worker(void *arg)
{
	struct pool *p = arg;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		struct map_future *f;
		size_t i;
		long r;

		while (!p->head && !p->stop)
			pthread_cond_wait(&p->work, &p->lock);
		if (!p->head)
			break;  /* stopping, and nothing is left to do */
		f = p->head;
		i = f->next++;
		if (f->next == f->ntasks) {
			p->head = f->queued;
			if (!p->head)
				p->tail = NULL;
		}
		pthread_mutex_unlock(&p->lock);
		r = f->fn(f->arg, i);
		pthread_mutex_lock(&p->lock);
		f->results[i] = r;
		if (++f->done == f->ntasks)
			pthread_cond_signal(&f->finished);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* Stops and joins the first n threads of p, then frees it. */
static void shut_down(struct pool *p, int n)
{
	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (int i = 0; i < n; i++)
		pthread_join(p->threads[i], NULL);
	pthread_cond_destroy(&p->work);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

struct pool *pool_create(int workers)
{
	struct pool *p;

	if (workers < 1 || workers > POOL_MAX_WORKERS || !(p = calloc(1, sizeof(*p))))
		return NULL;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	for (p->nthreads = 0; p->nthreads < workers; p->nthreads++)
		if (pthread_create(&p->threads[p->nthreads], NULL, worker, p) != 0) {
			shut_down(p, p->nthreads);
			return NULL;
		}
	return p;
}

struct map_future *pool_map_async(struct pool *p, map_fn fn, void *arg,
				  size_t ntasks, long *results)
{
	struct map_future *f;

	if (!p || !fn || (!results && ntasks > 0) || !(f = calloc(1, sizeof(*f))))
		return NULL;
	f->fn = fn;
	f->arg = arg;
	f->results = results;
	f->ntasks = ntasks;
	f->pool = p;
	pthread_cond_init(&f->finished, NULL);
	if (ntasks == 0)
		return f;  /* already complete */
	pthread_mutex_lock(&p->lock);
	if (p->tail)
		p->tail->queued = f;
	else
		p->head = f;
	p->tail = f;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	return f;
}

int map_wait(struct map_future *f)
{
	struct pool *p;

	if (!f)
		return -1;
	p = f->pool;
	pthread_mutex_lock(&p->lock);
	while (f->done < f->ntasks)
		pthread_cond_wait(&f->finished, &p->lock);
	pthread_mutex_unlock(&p->lock);
	pthread_cond_destroy(&f->finished);
	free(f);
	return 0;
}

void pool_destroy(struct pool *p)
{
	if (p)
		shut_down(p, p->nthreads);
}

/* ---- range counting ------------------------------------------------------ */

struct count_job {
	const int *values;
	size_t n, chunk;
	int lo, hi;
};

/* Task i: the count of chunk i. */
static long count_chunk(void *arg, size_t i)
{
	const struct count_job *job = arg;
	size_t start = i * job->chunk;
	size_t end = start + job->chunk < job->n ? start + job->chunk : job->n;
	long count = 0;

	for (size_t k = start; k < end; k++)
		count += job->values[k] >= job->lo && job->values[k] <= job->hi;
	return count;
}

long count_in_range(const int *values, size_t n, int lo, int hi, int workers)
{
	struct count_job job = { values, n, 0, lo, hi };
	struct map_future *f;
	struct pool *p;
	size_t chunks;
	long *partial, total = 0;

	if (workers < 1 || workers > POOL_MAX_WORKERS || (!values && n > 0))
		return -1;
	if (n == 0 || lo > hi)
		return 0;
	/* About four chunks per worker: uneven chunks even out. */
	chunks = 4 * (size_t)workers < n ? 4 * (size_t)workers : n;
	job.chunk = (n + chunks - 1) / chunks;
	chunks = (n + job.chunk - 1) / job.chunk;
	if (!(partial = malloc(chunks * sizeof(*partial))))
		return -1;
	if (!(p = pool_create(workers))) {
		free(partial);
		return -1;
	}
	f = pool_map_async(p, count_chunk, &job, chunks, partial);
	if (!f || map_wait(f) != 0)
		total = -1;
	for (size_t i = 0; i < chunks && total >= 0; i++)
		total += partial[i];
	pool_destroy(p);
	free(partial);
	return total;
}
