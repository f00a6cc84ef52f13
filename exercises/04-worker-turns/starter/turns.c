/*
 * turns.c - exercise 04: a blocking queue, and workers that write in
 * turn until the main thread stops them through it. The contracts are in
 * turns.h; the task is in README.md.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "turns.h"

/* TODO: a linked list or a growing ring of ints, a mutex, and a
 * condition variable that queue_get waits on while the queue is empty. */
struct queue {
	int unused;
};

struct queue *queue_create(void)
{
	/* TODO: allocate and initialize an empty queue. */
	return NULL;
}

int queue_put(struct queue *q, int msg)
{
	/* TODO: append msg under the lock, signal a waiting getter. */
	(void)q;
	(void)msg;
	return -1;
}

int queue_get(struct queue *q)
{
	/* TODO: wait while the queue is empty, then remove the oldest. */
	(void)q;
	return -1;
}

void queue_destroy(struct queue *q)
{
	/* TODO: free what is left, destroy the mutex and condition variable. */
	(void)q;
}

int run_turns(int nthreads, int turns, FILE *out)
{
	/* TODO: check the arguments; start the workers; let them write
	 * "worker K\n" lines in turn until `turns` lines are written; send
	 * each a stop message through a queue; join them; return 0. */
	(void)nthreads;
	(void)turns;
	(void)out;
	return -1;
}
