/*
 * spawn.c - one process started per task and waited for: the course's
 * `Process(target=f, args=(chunk,)).start()` for each piece of work, the
 * way parallel code is first written before pools are introduced.
 *
 * At most --workers children run at once. Each is forked for one task
 * after the task is taken from the source, so it sees the prepared input
 * (and a streaming task's batch) copy-on-write, runs the task, writes its
 * partial result to a pipe and leaves through _exit(); the parent merges
 * the result and reaps the child with wait4(), which also gives its CPU
 * time and peak memory. Paying a fork, a page-table copy and an exit per
 * task is the point: the gap to `process`, whose workers are forked once,
 * is what a pool saves.
 *
 * A child that dies before its whole result arrived is named with its
 * task and how it ended; every child is killed and reaped on failure and
 * on bench_cancel(), and asks the kernel to kill it if the parent dies
 * (PR_SET_PDEATHSIG).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/executor.h"

#define CANCEL_POLL_MS 100

/* The row's limit on --workers, which sizes wait_one's arrays. */
#define SPAWN_WORKERS_MAX BENCH_POOL_WORKERS_MAX

/* What a child writes back: its status, then the partial result or the
 * error message. Written in one write() below PIPE_BUF, so a child that
 * dies leaves either all of it or none. */
struct reply {
	int32_t status;
	uint32_t len;
	BENCH_PARTIAL_ALIGN unsigned char body[BENCH_PARTIAL_MAX];
};
_Static_assert(sizeof(struct reply) <= 4096, "a reply fits one pipe write");

struct child {
	pid_t pid;               /* 0: slot free */
	int fd;                  /* read end of the child's pipe */
	struct bench_task task;
};

struct spawner {
	struct bench_exec_ctx *ctx;
	struct child *kids;      /* workers slots */
	unsigned running;
	int exhausted;           /* the source said end (or failed) */
};

static void __attribute__((noreturn))
child_main(struct spawner *sp, const struct bench_task *task, int fd,
	   pid_t parent)
{
	struct bench_exec_ctx *ctx = sp->ctx;
	struct bench_err e = { 0 };
	struct reply out;
	ssize_t w;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	signal(SIGINT, SIG_IGN);
	/* The other children's pipes are the parent's business. */
	for (unsigned i = 0; i < ctx->opts->workers; i++)
		if (sp->kids[i].pid)
			close(sp->kids[i].fd);
	if (ctx->opts->crash_set && (int64_t)task->index == ctx->opts->crash_task)
		abort();
	memset(&out, 0, sizeof(out));
	ctx->wl->partial_init(out.body);
	out.status = bench_task_run(ctx->wl, ctx->state, task, out.body, &e);
	if (out.status) {
		out.len = (uint32_t)strnlen(e.msg, sizeof(out.body));
		memcpy(out.body, e.msg, out.len);
	} else {
		out.len = (uint32_t)ctx->wl->partial_size;
	}
	do
		w = write(fd, &out, sizeof(out));
	while (w < 0 && errno == EINTR);
	_exit(w == (ssize_t)sizeof(out) ? 0 : 126);
}

/* Forks a child for task into a free slot. Returns 0 or a code. */
static int start(struct spawner *sp, const struct bench_task *task)
{
	struct bench_exec_ctx *ctx = sp->ctx;
	struct child *k = NULL;
	pid_t parent = getpid(), pid;
	int p[2];

	for (unsigned i = 0; i < ctx->opts->workers && !k; i++)
		if (!sp->kids[i].pid)
			k = &sp->kids[i];
	if (pipe2(p, O_CLOEXEC) != 0)
		return bench_err_set(ctx->err, BENCH_ESYS,
				     "pipe for the process of task %llu: %s",
				     (unsigned long long)task->index,
				     strerror(errno));
	pid = fork();
	if (pid < 0) {
		int e = errno;

		close(p[0]);
		close(p[1]);
		return bench_err_set(ctx->err, BENCH_ESYS,
				     "cannot fork the process of task %llu: %s",
				     (unsigned long long)task->index,
				     strerror(e));
	}
	if (pid == 0) {
		close(p[0]);
		child_main(sp, task, p[1], parent);
	}
	close(p[1]);
	*k = (struct child){ .pid = pid, .fd = p[0], .task = *task };
	sp->running++;
	return 0;
}

/* Reaps k (blocking), adding its CPU and memory; returns its status. */
static int reap(struct spawner *sp, struct child *k)
{
	struct rusage ru;
	int status = 0;

	while (wait4(k->pid, &status, 0, &ru) < 0) {
		if (errno != EINTR)
			return 0;
	}
	sp->ctx->child_cpu_ns += bench_rusage_cpu(&ru);
	if ((uint64_t)ru.ru_maxrss > sp->ctx->child_maxrss_kb)
		sp->ctx->child_maxrss_kb = (uint64_t)ru.ru_maxrss;
	return status;
}

static void release(struct spawner *sp, struct child *k)
{
	close(k->fd);
	bench_task_release(&k->task);
	memset(k, 0, sizeof(*k));
	sp->running--;
}

/* Reads k's reply, reaps it and merges its result. */
static int finish(struct spawner *sp, struct child *k)
{
	struct bench_exec_ctx *ctx = sp->ctx;
	struct reply in;
	ssize_t r;
	int status, rc = 0;

	do
		r = read(k->fd, &in, sizeof(in));
	while (r < 0 && errno == EINTR);
	status = reap(sp, k);
	if (r != (ssize_t)sizeof(in) || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		char how[160];

		bench_wait_status_text(status, how, sizeof(how));
		rc = bench_err_set(ctx->err, BENCH_EWORKER,
				   "the process of task %llu (pid %d, items %llu..%llu) %s",
				   (unsigned long long)k->task.index, (int)k->pid,
				   (unsigned long long)k->task.first,
				   (unsigned long long)(k->task.first +
							k->task.count - 1),
				   how);
	} else if (in.status != 0) {
		rc = bench_err_set(ctx->err, in.status,
				   "the process of task %llu (pid %d): %.*s",
				   (unsigned long long)k->task.index,
				   (int)k->pid,
				   (int)(in.len < sizeof(in.body) ? in.len :
								    sizeof(in.body)),
				   (const char *)in.body);
	} else if (in.len != ctx->wl->partial_size) {
		rc = bench_err_set(ctx->err, BENCH_EWORKER,
				   "the process of task %llu (pid %d) sent a malformed result",
				   (unsigned long long)k->task.index, (int)k->pid);
	} else {
		ctx->wl->merge(ctx->result, in.body);
		ctx->tasks++;
		bench_source_done(ctx->src, &k->task);
	}
	release(sp, k);
	return rc;
}

/* Starts children for new tasks while slots are free. */
static int fill(struct spawner *sp)
{
	while (!sp->exhausted && sp->running < sp->ctx->opts->workers) {
		struct bench_task task;
		int rc = bench_source_next(sp->ctx->src, &task, sp->ctx->err);

		if (rc == BENCH_SOURCE_WAIT)
			return sp->running ? 0 :
			       bench_err_set(sp->ctx->err, BENCH_EINVAL,
					     "%s: no task is ready and none runs",
					     sp->ctx->wl->name);
		if (rc <= 0) {
			sp->exhausted = 1;
			return rc;
		}
		if ((rc = start(sp, &task))) {
			bench_task_release(&task);
			return rc;
		}
	}
	return 0;
}

/* Waits for a child to answer and finishes it. */
static int wait_one(struct spawner *sp)
{
	unsigned n = sp->ctx->opts->workers;
	struct pollfd fds[SPAWN_WORKERS_MAX];
	struct child *who[SPAWN_WORKERS_MAX];
	nfds_t nfds = 0;

	for (unsigned i = 0; i < n; i++) {
		if (!sp->kids[i].pid)
			continue;
		fds[nfds] = (struct pollfd){ sp->kids[i].fd, POLLIN, 0 };
		who[nfds++] = &sp->kids[i];
	}
	for (;;) {
		int ready;

		if (bench_canceled())
			return bench_err_set(sp->ctx->err, BENCH_ECANCELED,
					     "interrupted");
		/* Bounded, so a cancel landing just before poll() is seen. */
		ready = poll(fds, nfds, CANCEL_POLL_MS);
		if (ready < 0 && errno != EINTR)
			return bench_err_set(sp->ctx->err, BENCH_ESYS,
					     "poll: %s", strerror(errno));
		for (nfds_t i = 0; ready > 0 && i < nfds; i++)
			if (fds[i].revents)
				return finish(sp, who[i]);
	}
}

static int spawn_run(struct bench_exec_ctx *ctx)
{
	struct spawner sp = { .ctx = ctx };
	int rc = 0;

	if (ctx->opts->workers > SPAWN_WORKERS_MAX)
		return bench_err_set(ctx->err, BENCH_EINVAL,
				     "spawn: at most %d processes at once",
				     SPAWN_WORKERS_MAX);
	sp.kids = calloc(ctx->opts->workers, sizeof(*sp.kids));
	if (!sp.kids)
		return bench_err_set(ctx->err, BENCH_ENOMEM,
				     "cannot allocate %u process slots",
				     ctx->opts->workers);
	while (rc == 0 && (rc = fill(&sp)) == 0 && sp.running)
		rc = wait_one(&sp);
	/* On failure nobody waits for the others: kill, then reap all. */
	for (unsigned i = 0; i < ctx->opts->workers; i++) {
		struct child *k = &sp.kids[i];

		if (!k->pid)
			continue;
		kill(k->pid, SIGKILL);
		reap(&sp, k);
		release(&sp, k);
	}
	free(sp.kids);
	return rc;
}

const struct bench_executor bench_executor_spawn = {
	.name = "spawn",
	.summary = "a new process forked for every task and reaped after it, at most --workers at once (no pool)",
	.flags = BENCH_EXEC_PARALLEL,
	.max_workers = SPAWN_WORKERS_MAX,
	.workers_noun = "processes",
	.run = spawn_run,
};
