/*
 * queue.h - the worker side of mode queue: tasks on a Redis broker.
 *
 * Mode queue (bench/executors/queue.c) publishes each sample's tasks as
 * descriptors (workload, size, seed, options, item range) on a Redis
 * Stream read through a consumer group; workers prepare the input
 * themselves from the run's seed, run the tasks and push partial results
 * back. bench_queue_worker() is that worker: `bench worker` is a thin
 * command around it, the very program that mode queue starts locally and
 * that a user starts on other hosts to join a run.
 *
 * Built without hiredis, the function fails with a message saying what
 * to install.
 */
#ifndef BENCH_QUEUE_H
#define BENCH_QUEUE_H

#include "bench/error.h"

struct bench_queue_worker_opts {
	const char *broker; /* redis://[:PASSWORD@]HOST[:PORT][/DB] or
			       unix:///PATH[?db=N]; required */
	const char *run;    /* the key prefix of the run to serve, leaving
			       when it ends; NULL: serve every run announced
			       on the broker, one after another, until
			       bench_cancel() */
	const char *name;   /* consumer name within the run's group; NULL:
			       HOST.PID */
};

/*
 * Serves tasks from the broker until the run ends (opts->run) or
 * bench_cancel(). Returns 0 when the run ended, BENCH_ECANCELED,
 * BENCH_EINVAL for a bad URL or a build without hiredis, or BENCH_ESYS
 * with err naming the broker when it cannot be reached, refuses (a
 * password, a database), is not Redis, or goes away. Never prints.
 */
int bench_queue_worker(const struct bench_queue_worker_opts *opts,
		       struct bench_err *err);

#endif
