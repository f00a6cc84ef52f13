/*
 * internal.h - what the executors share: the task source, running one
 * task, and the executor table.
 */
#ifndef BENCH_EXEC_INTERNAL_H
#define BENCH_EXEC_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "bench/exec.h"

/*
 * Hands out tasks, from any thread. An indexed source is an atomic counter
 * of task numbers (no lock on the hot path); a streaming source calls the
 * workload's next_batch() under a mutex and copies the batch into the task,
 * which then owns it (free with bench__task_release). A dependency source
 * (workloads with deps()) hands out one item per task, only once every
 * item it depends on is done: executors report each finished task with
 * bench__source_done(), and when nothing is ready yet next() says
 * BENCH__SOURCE_WAIT.
 */
struct bench__source {
	const struct bench_workload *wl;
	void *state;
	uint64_t chunk;             /* items per task */
	uint64_t items;             /* indexed: total items */
	uint64_t ntasks;            /* indexed: total tasks */
	atomic_uint_fast64_t next;  /* indexed: next task number */
	pthread_mutex_t lock;       /* streaming, dependencies: guards the rest */
	uint64_t streamed;          /* streaming: tasks handed out */
	int done;                   /* streaming: next_batch said end */
	/* Dependencies. */
	int dag;
	pthread_cond_t changed;     /* ready, finished or aborted moved */
	uint32_t *missing;          /* per item: dependencies not done yet */
	uint64_t *after_at;         /* items + 1 offsets into after[] */
	uint64_t *after;            /* per item: the items waiting for it */
	uint64_t *ready;            /* FIFO of items ready to run */
	uint64_t ready_head, ready_tail;
	uint64_t finished;
	int aborted;
};

/* Returned by bench__source_next: nothing is ready until a running task
 * is done. */
#define BENCH__SOURCE_WAIT 2

int bench__source_init(struct bench__source *src,
		       const struct bench_workload *wl, void *state,
		       uint64_t chunk, struct bench_err *err);
void bench__source_release(struct bench__source *src);

/* Next task into *task: 1, 0 at the end, BENCH__SOURCE_WAIT, or a
 * BENCH_E* code. */
int bench__source_next(struct bench__source *src, struct bench_task *task,
		       struct bench_err *err);

/* Reports a task of a dependency source finished; no-op otherwise. */
void bench__source_done(struct bench__source *src,
			const struct bench_task *task);

/* Blocks until bench__source_next may have something new to say. */
void bench__source_wait(struct bench__source *src);

/* Wakes every thread in bench__source_wait for good: the run failed. */
void bench__source_abort(struct bench__source *src);

/*
 * Dependency sources: writes every item into order, each after the items
 * it depends on (the order serial runs them in), and returns how many it
 * placed: fewer than items when some wait for each other in a cycle,
 * UINT64_MAX when out of memory.
 */
uint64_t bench__source_order(const struct bench__source *src, uint64_t *order);

/* Frees what a streaming task owns; no-op for indexed tasks. */
void bench__task_release(struct bench_task *task);

/*
 * Runs one task into partial on the calling thread, blocking through the
 * waits of BENCH_WL_WAITS workloads item by item. Returns 0 or a code.
 */
int bench__task_run(const struct bench_workload *wl, const void *state,
		    const struct bench_task *task, void *partial,
		    struct bench_err *err);

/* The sub-task of task holding its k-th item alone. */
struct bench_task bench__task_item(const struct bench_task *task, uint64_t k);

/* What an executor gets, and what it reports beyond the merged result. */
struct bench__exec_ctx {
	const struct bench_workload *wl;
	void *state;
	const struct bench_exec_opts *opts;
	struct bench__source *src;
	unsigned char *result;   /* merged partials, initialised */
	uint64_t tasks;          /* out: tasks executed */
	bench_ns child_cpu_ns;   /* out: CPU of reaped children */
	uint64_t child_maxrss_kb; /* out: largest child peak RSS */
	struct bench_err *err;
};

struct rusage;
/* User + system CPU in a struct rusage, in ns. */
bench_ns bench__rusage_cpu(const struct rusage *ru);

typedef int (*bench__exec_fn)(struct bench__exec_ctx *ctx);

int bench__exec_serial(struct bench__exec_ctx *ctx);
int bench__exec_thread(struct bench__exec_ctx *ctx);
int bench__exec_process(struct bench__exec_ctx *ctx);
int bench__exec_async(struct bench__exec_ctx *ctx);

/* One whole sample in mode mpi (exec_mpi.c), on every rank of the job. */
int bench__mpi_sample(const struct bench_workload *wl, void *state,
		      const struct bench_exec_opts *opts,
		      struct bench_sample *out, struct bench_err *err);

/*
 * After each sample (and after preparing), every rank of the job says how
 * it went: returns 0 when all went well, else the code of the first rank
 * that failed on its own, with that rank's message in err, on every rank.
 * Returns rc unchanged outside a job.
 */
int bench__mpi_agree(int rc, struct bench_err *err);

#endif
