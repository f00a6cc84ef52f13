/*
 * turns.c - exercise 04, reference solution.
 *
 * The queue is a linked list under a mutex, with a condition variable
 * for getters waiting on an empty queue.
 *
 * run_turns gives every worker an inbox queue, and the main thread one
 * queue, `done`, where workers report each line written. The main thread
 * hands out the turns: it sends MSG_GO to the inbox of worker t % n and
 * waits on `done` until that worker has written its line, so lines come
 * in strict order. After the last turn it sends MSG_STOP to every inbox
 * and joins the workers.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "turns.h"

enum { MSG_GO = 1, MSG_STOP = 2 };

struct node {
	int msg;
	struct node *next;
};

struct queue {
	pthread_mutex_t lock;
	pthread_cond_t nonempty;
	struct node *head, *tail;
};

struct queue *queue_create(void)
{
	struct queue *q = calloc(1, sizeof(*q));

	if (!q)
		return NULL;
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->nonempty, NULL);
	return q;
}

int queue_put(struct queue *q, int msg)
{
	struct node *n;

	if (!q || !(n = malloc(sizeof(*n))))
		return -1;
	n->msg = msg;
	n->next = NULL;
	pthread_mutex_lock(&q->lock);
	if (q->tail)
		q->tail->next = n;
	else
		q->head = n;
	q->tail = n;
	pthread_cond_signal(&q->nonempty);
	pthread_mutex_unlock(&q->lock);
	return 0;
}

int queue_get(struct queue *q)
{
	struct node *n;
	int msg;

	pthread_mutex_lock(&q->lock);
	while (!q->head)
		pthread_cond_wait(&q->nonempty, &q->lock);
	n = q->head;
	q->head = n->next;
	if (!q->head)
		q->tail = NULL;
	pthread_mutex_unlock(&q->lock);
	msg = n->msg;
	free(n);
	return msg;
}

void queue_destroy(struct queue *q)
{
	if (!q)
		return;
	while (q->head) {
		struct node *n = q->head;

		q->head = n->next;
		free(n);
	}
	pthread_cond_destroy(&q->nonempty);
	pthread_mutex_destroy(&q->lock);
	free(q);
}

/* ---- workers in turn ----------------------------------------------------- */

struct worker {
	int id;
	FILE *out;
	struct queue *inbox;  /* MSG_GO or MSG_STOP, from the main thread */
	struct queue *done;   /* this worker's id after each line */
	pthread_t thread;
};

static void *work(void *arg)
{
	struct worker *w = arg;

	while (queue_get(w->inbox) == MSG_GO) {
		fprintf(w->out, "worker %d\n", w->id);
		queue_put(w->done, w->id);
	}
	return NULL;
}

int run_turns(int nthreads, int turns, FILE *out)
{
	struct worker w[TURNS_MAX_THREADS];
	struct queue *done;
	int started = 0, rc = 0;

	if (nthreads < 1 || nthreads > TURNS_MAX_THREADS || turns < 0 || !out)
		return -1;
	if (!(done = queue_create()))
		return -1;
	for (; started < nthreads; started++) {
		w[started] = (struct worker){ started, out, queue_create(), done, 0 };
		if (!w[started].inbox ||
		    pthread_create(&w[started].thread, NULL, work, &w[started]) != 0) {
			queue_destroy(w[started].inbox);
			rc = -1;
			break;
		}
	}
	for (int t = 0; t < turns && rc == 0; t++) {
		if (queue_put(w[t % nthreads].inbox, MSG_GO) != 0)
			rc = -1;
		else
			queue_get(done);  /* worker t % nthreads wrote its line */
	}
	for (int k = 0; k < started; k++) {
		/* A stop that cannot be queued would leave a worker waiting
		 * forever: retry until memory is there. */
		while (queue_put(w[k].inbox, MSG_STOP) != 0)
			;
		pthread_join(w[k].thread, NULL);
		queue_destroy(w[k].inbox);
	}
	queue_destroy(done);
	return rc;
}
