/*
 * process.c - the process pool executor: workers forked for each stage
 * after prepare(), so they share the prepared input copy-on-write, and
 * how they are started, named when they die and reaped.
 *
 * Tasks reach the workers one of two ways, chosen by the kind of source:
 *
 *   indexed, split streams    through shared memory (process_shm.c):
 *                             each worker claims task numbers, or parts
 *                             of the stream it then reads itself, from an
 *                             atomic counter, and folds into a partial of
 *                             its own that the parent merges once it has
 *                             exited; nothing crosses a socket per task;
 *   dependency graphs,        over one socket per worker (process_sock.c):
 *   streams that cannot split the parent hands out each ready item, or
 *                             each batch's bytes, and reads back partials.
 *
 * Either way the parent only watches: it waits in poll() on the workers'
 * sockets, whose end of file says which worker ended (process_pool.h),
 * and on a failure or bench_cancel() it kills every worker at once, so a
 * sample stops within the task under way and nothing waits for a lock a
 * dead worker held (there is none). Children ask the kernel to SIGKILL
 * them if the parent dies (PR_SET_PDEATHSIG), ignore SIGINT (the parent
 * decides, kills and reaps), and leave through _exit().
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "process_pool.h"
#include "process_shm.h"
#include "process_sock.h"

int bench__pool_start(struct bench__pool *pool, bench__pool_main body,
		      int sndbuf)
{
	struct bench_exec_ctx *ctx = pool->ctx;
	pid_t parent = getpid();

	for (unsigned w = 0; w < ctx->opts->workers; w++) {
		int sv[2];
		pid_t pid;

		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
			return bench_err_set(ctx->err, BENCH_ESYS,
					     "socketpair for process worker %u: %s",
					     w + 1, strerror(errno));
		if (sndbuf)
			setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf,
				   sizeof(sndbuf));
		pid = fork();
		if (pid < 0) {
			int e = errno;

			close(sv[0]);
			close(sv[1]);
			return bench_err_set(ctx->err, BENCH_ESYS,
					     "cannot fork process worker %u of %u: %s",
					     w + 1, ctx->opts->workers,
					     strerror(e));
		}
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != parent)
				_exit(127);
			signal(SIGINT, SIG_IGN);
			/* Earlier workers' sockets would keep them alive. */
			for (unsigned i = 0; i < w; i++)
				close(pool->procs[i].fd);
			close(sv[0]);
			body(pool, w, sv[1]);
			_exit(127); /* not reached: bodies leave by _exit */
		}
		close(sv[1]);
		pool->procs[w] = (struct bench__proc){ .pid = pid, .fd = sv[0] };
		pool->n++;
	}
	return 0;
}

void bench__pool_reap(struct bench__pool *pool, struct bench__proc *p)
{
	struct rusage ru;

	if (p->reaped)
		return;
	while (wait4(p->pid, &p->status, 0, &ru) < 0) {
		if (errno != EINTR) {
			p->status = 0;
			p->reaped = 1;
			return;
		}
	}
	p->reaped = 1;
	pool->ctx->child_cpu_ns += bench_rusage_cpu(&ru);
	if ((uint64_t)ru.ru_maxrss > pool->ctx->child_maxrss_kb)
		pool->ctx->child_maxrss_kb = (uint64_t)ru.ru_maxrss;
}

int bench__pool_died(struct bench__pool *pool, unsigned w, const char *doing)
{
	struct bench__proc *p = &pool->procs[w];
	char how[160];

	if (p->fd >= 0) {
		close(p->fd);
		p->fd = -1;
	}
	bench__pool_reap(pool, p);
	bench_wait_status_text(p->status, how, sizeof(how));
	return bench_err_set(pool->ctx->err, BENCH_EWORKER,
			     "process worker %u of %u (pid %d) %s%s", w + 1,
			     pool->n, (int)p->pid, how, doing);
}

/* Kills every worker still running (when kill_them), closes every
 * socket, reaps them all. */
static void stop(struct bench__pool *pool, int kill_them)
{
	for (unsigned i = 0; i < pool->n; i++) {
		struct bench__proc *p = &pool->procs[i];

		if (kill_them && !p->reaped)
			kill(p->pid, SIGKILL);
		if (p->fd >= 0) {
			close(p->fd);
			p->fd = -1;
		}
	}
	for (unsigned i = 0; i < pool->n; i++)
		bench__pool_reap(pool, &pool->procs[i]);
	for (unsigned i = 0; i < pool->n; i++)
		for (unsigned k = 0; k < pool->procs[i].npending; k++)
			bench_task_release(&pool->procs[i].pending[k]);
}

static int process_run(struct bench_exec_ctx *ctx)
{
	struct bench__pool pool = { .ctx = ctx };
	int rc;

	if (bench_canceled())
		return bench_err_set(ctx->err, BENCH_ECANCELED, "interrupted");
	pool.procs = calloc(ctx->opts->workers, sizeof(*pool.procs));
	if (!pool.procs)
		return bench_err_set(ctx->err, BENCH_ENOMEM,
				     "cannot allocate %u process workers",
				     ctx->opts->workers);
	rc = bench__process_shm_takes(ctx) ? bench__process_shm_run(&pool) :
					     bench__process_sock_run(&pool);
	/* On success every worker has ended or is ending (its socket
	 * closed); on failure nobody waits for stragglers. */
	stop(&pool, rc != 0);
	for (unsigned w = 0; rc == 0 && w < pool.n; w++) {
		struct bench__proc *p = &pool.procs[w];

		if (!WIFEXITED(p->status) || WEXITSTATUS(p->status) != 0) {
			char how[160];

			bench_wait_status_text(p->status, how, sizeof(how));
			rc = bench_err_set(ctx->err, BENCH_EWORKER,
					   "process worker %u of %u (pid %d) %s after its last task",
					   w + 1, pool.n, (int)p->pid, how);
		}
	}
	free(pool.procs);
	return rc;
}

const struct bench_executor bench_executor_process = {
	.name = "process",
	.summary = "forked workers sharing the input copy-on-write, claiming tasks from shared memory",
	.flags = BENCH_EXEC_DEFAULT | BENCH_EXEC_PARALLEL | BENCH_EXEC_SCALE,
	.workers_noun = "processes",
	.run = process_run,
};
