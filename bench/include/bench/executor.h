/*
 * executor.h - executors: how a workload's tasks are scheduled, and the
 * contract an executor plug-in fulfils.
 *
 * An executor is one file in bench/executors/ and one line in
 * bench/executors/executor_list.h. Its row (struct bench_executor) says
 * what it is through flags and hooks; nothing outside its file tests its
 * name or its place in the list. The harness calls executors only through
 * their rows, as redis's ae.c calls its backends.
 *
 * One call of bench_exec() is one sample: the pool is started, every task
 * runs, the pool is joined, and all of that is timed, because a user who
 * reaches for a pool pays for starting it too.
 *
 * The plug-in side: an executor's run() gets a struct bench_exec_ctx with
 * a task source (bench_source_next and friends below), runs every task it
 * hands out with bench_task_run(), and merges the partial results into
 * ctx->result. Tasks come from one source whatever the workload: indexed
 * (a range of item numbers), streaming (a batch of bytes the task owns)
 * or dependency-ordered (one item, once its dependencies are done).
 */
#ifndef BENCH_EXECUTOR_H
#define BENCH_EXECUTOR_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "bench/cancel.h"
#include "bench/clock.h"
#include "bench/error.h"
#include "bench/workload.h"

/*
 * --workers counts threads, processes or tasks in flight, and each
 * executor accepts up to its row's max_workers. A pool pays a stack or a
 * process per worker, so a row that leaves the limit 0 takes at most
 * BENCH_POOL_WORKERS_MAX; an event loop pays a few dozen bytes per task in
 * flight and may declare far more. BENCH_WORKERS_MAX bounds every row's
 * limit: what --workers may be before a mode is known (bench_exec, reports
 * read back).
 */
#define BENCH_WORKERS_MAX 10000000
#define BENCH_POOL_WORKERS_MAX 1024

/* Most executors a build may have (sizes the harness's mode lists). */
#define BENCH_EXECUTORS_MAX 16

struct bench_exec_opts {
	unsigned workers;   /* threads, processes, or async tasks in flight */
	uint64_t chunk;     /* items per task, >= 1 */
	int64_t crash_task; /* tests only: a process worker aborts on this
			       task index; -1 (or 0 with crash_set 0) = never */
	int crash_set;      /* crash_task is meaningful */
	bench_ns gil_ns;    /* BENCH_EXEC_GIL executors: workers share one
			       global lock, switching every gil_ns
			       (CPython's GIL); 0 off */
	const struct bench_params *params; /* what the state was prepared
			       from, for executors whose workers prepare
			       their own input; NULL: not known */
	const char *broker; /* executors with a broker: its URL; NULL: a
			       private one */
};

/* Longest note an executor leaves on a sample, NUL included. */
#define BENCH_NOTE_MAX 384

/* What one sample measured. */
struct bench_sample {
	bench_ns wall_ns;     /* start of pool to last result merged */
	bench_ns cpu_ns;      /* user + system CPU, all threads and children */
	uint64_t maxrss_kb;   /* peak RSS of the largest process involved */
	uint64_t tasks;       /* tasks executed */
	uint64_t items;       /* items of a streaming pass when the executor
				 counted them (a job: every process's part);
				 0: ask the workload's item_count() */
	BENCH_PARTIAL_ALIGN unsigned char result[BENCH_PARTIAL_MAX]; /* merged partials */
	char checksum[BENCH_CHECKSUM_MAX]; /* engines that only see the
					      checksum text set this instead
					      of result; "" otherwise */
	char note[BENCH_NOTE_MAX]; /* what the executor tells about the
				      sample (its broker, tasks it had to
				      hand out again); "" nothing */
};

/*
 * Hands out tasks, from any thread. An indexed source is an atomic counter
 * of task numbers (no lock on the hot path); a streaming source calls the
 * workload's next_batch() under a mutex and copies the batch into the task,
 * which then owns it (free with bench_task_release). A dependency source
 * (workloads with deps()) hands out one item per task, only once every
 * item it depends on is done: executors report each finished task with
 * bench_source_done(), and when nothing is ready yet next() says
 * BENCH_SOURCE_WAIT.
 */
struct bench_source {
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

/* Returned by bench_source_next: nothing is ready until a running task
 * is done. */
#define BENCH_SOURCE_WAIT 2

int bench_source_init(struct bench_source *src,
		      const struct bench_workload *wl, void *state,
		      uint64_t chunk, struct bench_err *err);
void bench_source_release(struct bench_source *src);

/* Next task into *task: 1, 0 at the end, BENCH_SOURCE_WAIT, or a
 * BENCH_E* code. */
int bench_source_next(struct bench_source *src, struct bench_task *task,
		      struct bench_err *err);

/* Reports a task of a dependency source finished; no-op otherwise. */
void bench_source_done(struct bench_source *src,
		       const struct bench_task *task);

/* Blocks until bench_source_next may have something new to say. */
void bench_source_wait(struct bench_source *src);

/* Wakes every thread in bench_source_wait for good: the run failed. */
void bench_source_abort(struct bench_source *src);

/*
 * Dependency sources: writes every item into order, each after the items
 * it depends on (the order serial runs them in), and returns how many it
 * placed: fewer than items when some wait for each other in a cycle,
 * UINT64_MAX when out of memory.
 */
uint64_t bench_source_order(const struct bench_source *src, uint64_t *order);

/* Frees what a streaming task owns; no-op for indexed tasks. */
void bench_task_release(struct bench_task *task);

/*
 * Runs one task into partial on the calling thread, blocking through the
 * waits of BENCH_WL_WAITS workloads item by item. Returns 0 or a code.
 */
int bench_task_run(const struct bench_workload *wl, const void *state,
		   const struct bench_task *task, void *partial,
		   struct bench_err *err);

/* The sub-task of task holding its k-th item alone. */
struct bench_task bench_task_item(const struct bench_task *task, uint64_t k);

/* What an executor's run() gets, and what it reports beyond the merged
 * result. */
struct bench_exec_ctx {
	const struct bench_workload *wl;
	void *state;
	const struct bench_exec_opts *opts;
	struct bench_source *src;
	unsigned char *result;   /* merged partials, initialised */
	uint64_t tasks;          /* out: tasks executed */
	bench_ns child_cpu_ns;   /* out: CPU of reaped children */
	char *note;              /* out: the sample's note, BENCH_NOTE_MAX
				    bytes, "" on entry */
	uint64_t child_maxrss_kb; /* out: largest child peak RSS */
	struct bench_err *err;
};

struct rusage;
/* User + system CPU in a struct rusage, in ns. */
bench_ns bench_rusage_cpu(const struct rusage *ru);

/* How a reaped process ended (a wait status), as text for a message:
 * "was killed by signal 6 (SIGABRT: Aborted)", "exited with status 3". */
void bench_wait_status_text(int status, char *buf, size_t len);

/* What makes an executor special, on its row (git's RUN_SETUP flags). */
enum bench_exec_flags {
	/* The reference: one worker whatever --workers, the mode speedups
	 * are measured against and checksums judged by. */
	BENCH_EXEC_REFERENCE = 1u << 0,
	/* In a run's default set of modes (`bench run W` with no --mode). */
	BENCH_EXEC_DEFAULT = 1u << 1,
	/* Computes on up to --workers CPUs at once: more workers than
	 * CPUs is worth a warning on CPU-bound work. */
	BENCH_EXEC_PARALLEL = 1u << 2,
	/* Overlaps waits but computes one task at a time: no speedup on
	 * CPU-bound work, by design (a note says so). */
	BENCH_EXEC_WAITS_ONLY = 1u << 3,
	/* Workers are threads of one process: --gil applies to them. */
	BENCH_EXEC_GIL = 1u << 4,
	/* Runs inside a job that a launcher starts (the CLI relaunches
	 * itself); every process of the job runs the same harness. */
	BENCH_EXEC_LAUNCHED = 1u << 5,
	/* Among the modes `bench scale` sweeps by default. */
	BENCH_EXEC_SCALE = 1u << 6,
	/* Only a foreign engine runs it (engine python: its own code for
	 * the mode, bench_py's modes); bench's C has no version of it, so
	 * the engines that call bench_exec (native, gbench, hyperfine)
	 * leave it out, and a run that would have only those is refused
	 * before sampling. Its run() only says so. */
	BENCH_EXEC_FOREIGN = 1u << 7,
};

/*
 * Where a process stands in a launched executor's job: its rank among
 * size processes, and how long the launcher took to start them all.
 */
struct bench_job {
	const struct bench_executor *executor; /* NULL: not in a job */
	unsigned rank;       /* 0: the process that keeps the books */
	unsigned size;       /* processes in the job, 1 outside one */
	bench_ns launch_ns;  /* launcher's start to every process joined,
				untimed; 0 unknown */
};

/* One row of the executor list. Unused hooks are NULL. */
struct bench_executor {
	const char *name;     /* --mode NAME */
	const char *summary;  /* one line for `bench list` */
	unsigned flags;       /* BENCH_EXEC_* */
	unsigned max_workers; /* largest --workers, <= BENCH_WORKERS_MAX;
				 0: BENCH_POOL_WORKERS_MAX */
	const char *workers_noun; /* what --workers counts, plural, for
				     messages ("threads"); NULL: "workers" */

	/*
	 * Runs every task of ctx->src (one stage), merging into
	 * ctx->result; bench_exec() times it, runs the stages and checks
	 * the result. Every thread joined, every child reaped before it
	 * returns; stops within one task after bench_cancel().
	 */
	int (*run)(struct bench_exec_ctx *ctx);

	/*
	 * Instead of run: takes one whole sample itself, timing included
	 * (the processes of a job time from a barrier to a reduction).
	 * Engines other than native cannot wrap such an executor.
	 */
	int (*sample)(const struct bench_workload *wl, void *state,
		      const struct bench_exec_opts *opts,
		      struct bench_sample *out, struct bench_err *err);

	/* Checks, before any sampling, that a case of this mode with this
	 * many workers can run here. Returns 0 or BENCH_EINVAL with err
	 * naming what is wrong. */
	int (*check)(unsigned workers, struct bench_err *err);

	/* Joins this executor's job when the process was launched into
	 * one (from bench_executors_init). Returns 0 or a code. */
	int (*init)(int *argc, char ***argv, struct bench_err *err);
	/* Leaves the job; a no-op when not in one. */
	void (*fini)(void);

	/* Fills *job and returns 1 when this process is in a job. */
	int (*job)(struct bench_job *job);

	/*
	 * In a job, after preparing and after each sample, every process
	 * says how it went: returns 0 when all went well, else the code of
	 * the first process that failed on its own, with its message in
	 * err, on every process.
	 */
	int (*agree)(int rc, struct bench_err *err);

	/* LAUNCHED executors, outside their job: whether a launcher may
	 * start one here (bench was built with what the job needs).
	 * Returns 0 or a code with err saying what to install. */
	int (*can_launch)(struct bench_err *err);

	/* LAUNCHED executors: a note on what the report's launch time
	 * means, a printf format taking the time as one %s. */
	const char *launch_note;
};

/*
 * The environment variable a launcher sets for the processes it starts:
 * the wall-clock time (CLOCK_REALTIME, ns) at which it started them, so
 * that a job can tell how long its launch took (bench_job's launch_ns).
 */
#define BENCH_LAUNCH_ENV "BENCH_LAUNCH_NS"

/* The executors, NULL-terminated, in `bench list` order (the list). */
extern const struct bench_executor *const bench_executors[];

/* The largest --workers ex accepts (its row's limit or the default). */
static inline unsigned bench_executor_max_workers(const struct bench_executor *ex)
{
	return ex->max_workers ? ex->max_workers : BENCH_POOL_WORKERS_MAX;
}

/* The largest --workers any executor accepts: what the CLI parses, each
 * mode's own limit checked by the harness once the modes are known. */
static inline unsigned bench_executors_max_workers(void)
{
	unsigned most = 0;

	for (size_t i = 0; bench_executors[i]; i++)
		if (bench_executor_max_workers(bench_executors[i]) > most)
			most = bench_executor_max_workers(bench_executors[i]);
	return most;
}

/* The executor called name, or NULL. */
const struct bench_executor *bench_executor_find(const char *name);

/* The first executor with flags among its flags, or NULL. */
const struct bench_executor *bench_executor_with(unsigned flags);

/*
 * Lets every executor join the job this process was launched into
 * (before anything else in main), and leave it at the end. Returns 0 or
 * a code with err filled.
 */
int bench_executors_init(int *argc, char ***argv, struct bench_err *err);
void bench_executors_fini(void);

/* Fills *job with the job this process is in (executor NULL, rank 0,
 * size 1 outside any) and returns 1 when it is in one. */
int bench_job(struct bench_job *job);

/*
 * Runs every task of wl (prepared into state) with executor ex and fills
 * out. Returns 0 or a BENCH_E* code with err filled: BENCH_EWORKER names
 * the worker, its pid and how it died; BENCH_ECANCELED after
 * bench_cancel(). Every thread is joined and every child reaped before it
 * returns. Streaming workloads are rewound by the caller between samples.
 */
int bench_exec(const struct bench_executor *ex,
	       const struct bench_workload *wl, void *state,
	       const struct bench_exec_opts *opts, struct bench_sample *out,
	       struct bench_err *err);

#endif
