/*
 * turns.h - exercise 04: worker threads that write in turn, and the
 * blocking queue through which the main thread stops them.
 */
#ifndef TURNS_H
#define TURNS_H

#include <stdio.h>

/* The most worker threads run_turns accepts. */
#define TURNS_MAX_THREADS 32

/* A FIFO queue of ints, safe to share between threads; you define it. */
struct queue;

/* A new, empty queue; NULL when memory runs out. */
struct queue *queue_create(void);

/* Appends msg (the queue has no size limit) and wakes a thread waiting in
 * queue_get, if any. Returns 0, or -1 when q is NULL or memory runs out. */
int queue_put(struct queue *q, int msg);

/* Removes and returns the oldest message, first waiting (blocked, not
 * spinning) until there is one. q must not be NULL. */
int queue_get(struct queue *q);

/* Frees q and any message left in it; no thread may still be using it.
 * q may be NULL. */
void queue_destroy(struct queue *q);

/*
 * Starts nthreads worker threads, numbered 0 to nthreads - 1, that write
 * the lines "worker K\n" (K the writer's number) to out, in strict turn:
 * worker 0, 1, ..., nthreads - 1, 0, 1, ... Each line is written by
 * worker K's own thread. When `turns` lines have been written in all,
 * the main thread (the caller) tells every worker to stop by a message
 * through a queue, joins them all and returns 0; no line is written after
 * the turns-th. Returns -1, having written nothing, when nthreads is not
 * within 1 to TURNS_MAX_THREADS, turns < 0 or out is NULL; -1 also when a
 * thread or queue cannot be made (after stopping what was started).
 */
int run_turns(int nthreads, int turns, FILE *out);

#endif
