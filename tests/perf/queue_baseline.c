/*
 * queue_baseline.c - the yardstick for the thread pool's per-task cost: a
 * plain mutex + condition-variable queue, the pool a C programmer writes
 * first. The main thread pushes one task per row of a rows x 5 matrix
 * (the `range` workload with --chunk 1); W threads pop tasks and count the
 * row's values in [4, 8]. Prints the wall time per task in ns.
 *
 * usage: queue_baseline ROWS WORKERS
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define CAP 4096

static uint8_t *matrix;
static uint64_t ring[CAP];
static size_t head, count;
static int closed;
static uint64_t total;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;

static void *worker(void *arg)
{
	uint64_t mine = 0;

	(void)arg;
	for (;;) {
		uint64_t row;
		const uint8_t *r;

		pthread_mutex_lock(&lock);
		while (count == 0 && !closed)
			pthread_cond_wait(&not_empty, &lock);
		if (count == 0) {
			pthread_mutex_unlock(&lock);
			break;
		}
		row = ring[head];
		head = (head + 1) % CAP;
		count--;
		pthread_cond_signal(&not_full);
		pthread_mutex_unlock(&lock);
		r = matrix + row * 5;
		for (int c = 0; c < 5; c++)
			mine += r[c] >= 4 && r[c] <= 8;
	}
	pthread_mutex_lock(&lock);
	total += mine;
	pthread_mutex_unlock(&lock);
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	uint64_t rows;
	int workers;
	pthread_t *tids;
	double t0;

	if (argc != 3 || (rows = strtoull(argv[1], NULL, 10)) == 0 ||
	    (workers = atoi(argv[2])) <= 0) {
		fprintf(stderr, "usage: queue_baseline ROWS WORKERS\n");
		return 2;
	}
	matrix = malloc(rows * 5);
	tids = calloc((size_t)workers, sizeof(*tids));
	if (!matrix || !tids)
		return 1;
	for (uint64_t i = 0; i < rows * 5; i++)
		matrix[i] = (uint8_t)((i * 2654435761u) % 10);
	t0 = now();
	for (int i = 0; i < workers; i++)
		pthread_create(&tids[i], NULL, worker, NULL);
	for (uint64_t row = 0; row < rows; row++) {
		pthread_mutex_lock(&lock);
		while (count == CAP)
			pthread_cond_wait(&not_full, &lock);
		ring[(head + count) % CAP] = row;
		count++;
		pthread_cond_signal(&not_empty);
		pthread_mutex_unlock(&lock);
	}
	pthread_mutex_lock(&lock);
	closed = 1;
	pthread_cond_broadcast(&not_empty);
	pthread_mutex_unlock(&lock);
	for (int i = 0; i < workers; i++)
		pthread_join(tids[i], NULL);
	printf("%.1f\n", (now() - t0) / (double)rows);
	fprintf(stderr, "queue_baseline: %llu in range\n", (unsigned long long)total);
	free(matrix);
	free(tids);
	return 0;
}
