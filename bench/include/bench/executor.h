/*
 * exec.h - executors: how a workload's tasks are scheduled.
 *
 * serial   every task in order on the calling thread;
 * thread   a pthread pool; idle threads pull the next task (dynamic);
 * process  forked workers that share the prepared input copy-on-write;
 *          tasks go out and partial results come back over pipes;
 * async    one thread and an epoll event loop: waits overlap as timers,
 *          computing runs one task at a time;
 * mpi      the ranks of an Open MPI job (mpi.h), each running its share
 *          of the items; partials are combined with an MPI reduction.
 *
 * One call of bench_exec() is one sample: the pool is started, every task
 * runs, the pool is joined, and all of that is timed, because a user who
 * reaches for a pool pays for starting it too.
 */
#ifndef BENCH_EXEC_H
#define BENCH_EXEC_H

#include <stdint.h>

#include "bench/clock.h"
#include "bench/error.h"
#include "bench/workload.h"

enum bench_mode {
	BENCH_MODE_SERIAL,
	BENCH_MODE_THREAD,
	BENCH_MODE_PROCESS,
	BENCH_MODE_ASYNC,
	BENCH_MODE_MPI,
	BENCH_MODE_COUNT
};

/* The modes one process runs on its own, serial to async: a run's
 * default set. mpi needs an MPI job (bench run relaunches itself). */
#define BENCH_MODE_LOCAL BENCH_MODE_MPI

/* Largest --workers accepted (threads, processes or tasks in flight). */
#define BENCH_WORKERS_MAX 1024

/* "serial", "thread", ...; NULL for a bad value. */
const char *bench_mode_name(enum bench_mode mode);
/* One line on what the mode does, for help text. */
const char *bench_mode_summary(enum bench_mode mode);
/* Parses a mode name. Returns 0 or BENCH_EINVAL. */
int bench_mode_parse(const char *name, enum bench_mode *mode);

struct bench_exec_opts {
	unsigned workers;   /* threads, processes, or async tasks in flight */
	uint64_t chunk;     /* items per task, >= 1 */
	int64_t crash_task; /* tests only: a process worker aborts on this
			       task index; -1 (or 0 with crash_set 0) = never */
	int crash_set;      /* crash_task is meaningful */
	bench_ns gil_ns;    /* thread mode: workers share one global lock,
			       switching every gil_ns (CPython's GIL); 0 off */
};

/* What one sample measured. */
struct bench_sample {
	bench_ns wall_ns;     /* start of pool to last result merged */
	bench_ns cpu_ns;      /* user + system CPU, all threads and children */
	uint64_t maxrss_kb;   /* peak RSS of the largest process involved */
	uint64_t tasks;       /* tasks executed */
	uint64_t items;       /* items of a streaming pass when the executor
				 counted them (mpi: every rank's part); 0:
				 ask the workload's item_count() */
	BENCH_PARTIAL_ALIGN unsigned char result[BENCH_PARTIAL_MAX]; /* merged partials */
	char checksum[BENCH_CHECKSUM_MAX]; /* engines that only see the
					      checksum text set this instead
					      of result; "" otherwise */
};

/*
 * Runs every task of wl (prepared into state) in mode and fills out.
 * Returns 0 or a BENCH_E* code with err filled: BENCH_EWORKER names the
 * worker, its pid and how it died; BENCH_ECANCELED after bench_cancel().
 * Every thread is joined and every child reaped before it returns.
 * Streaming workloads are rewound by the caller between samples.
 */
int bench_exec(enum bench_mode mode, const struct bench_workload *wl,
	       void *state, const struct bench_exec_opts *opts,
	       struct bench_sample *out, struct bench_err *err);

/*
 * Asks running executors to stop: safe to call from a signal handler.
 * They stop within one task, kill and reap their workers, and return
 * BENCH_ECANCELED. bench_cancel_reset() clears the request.
 */
void bench_cancel(void);
int bench_canceled(void);
void bench_cancel_reset(void);

#endif
