/*
 * exec_internal.h - what the executors share: the task source, running one
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
 * which then owns it (free with bench__task_release).
 */
struct bench__source {
	const struct bench_workload *wl;
	void *state;
	uint64_t chunk;             /* items per task */
	uint64_t items;             /* indexed: total items */
	uint64_t ntasks;            /* indexed: total tasks */
	atomic_uint_fast64_t next;  /* indexed: next task number */
	pthread_mutex_t lock;       /* streaming: serialises next_batch */
	uint64_t streamed;          /* streaming: tasks handed out */
	int done;                   /* streaming: next_batch said end */
};

void bench__source_init(struct bench__source *src,
			const struct bench_workload *wl, void *state,
			uint64_t chunk);
void bench__source_release(struct bench__source *src);

/* Next task into *task: 1, 0 at the end, or a BENCH_E* code. */
int bench__source_next(struct bench__source *src, struct bench_task *task,
		       struct bench_err *err);

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

#endif
