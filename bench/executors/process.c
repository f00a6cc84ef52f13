/*
 * process.c - the process pool executor.
 *
 * Workers are forked after prepare(), so they share the prepared input
 * copy-on-write and only task descriptors travel: the parent sends each
 * worker a task header (plus the batch bytes of a streaming source) over
 * a UNIX socket pair and reads back a fixed-size partial result. Each
 * worker keeps PREFETCH tasks queued so it never idles waiting for the
 * parent; new tasks go to whichever worker answers first (dynamic, like
 * Pool.imap_unordered).
 *
 * One socket per worker, rather than a shared queue, is what makes a crash
 * attributable: end-of-file on worker w's socket while it still owes
 * results means w died, and wait4() on its pid says how. Socket pairs
 * rather than pipes because send(MSG_NOSIGNAL) reports a dead peer as
 * EPIPE without the library touching the caller's SIGPIPE disposition.
 * Children ask the kernel to SIGKILL them if the parent dies
 * (PR_SET_PDEATHSIG), ignore SIGINT (the parent decides, kills and reaps),
 * and leave through _exit() so no stdio buffer or atexit handler of the
 * parent runs twice.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/executor.h"

#define PREFETCH 2
#define CANCEL_POLL_MS 100

struct msg_task {
	uint64_t index, first, count, len; /* len: payload bytes that follow */
};

struct msg_result {
	uint64_t index;
	int32_t status;  /* 0, or the task's BENCH_E* code */
	uint32_t len;    /* bytes that follow: the partial, or a message */
};

/* A child sends a result header and its body in one piece. */
_Static_assert(sizeof(struct msg_result) % 16 == 0,
	       "no padding between a result's header and its aligned body");

struct proc {
	pid_t pid;
	int fd;                      /* parent's end of the socket pair */
	struct bench_task pending[PREFETCH]; /* sent, not yet answered */
	unsigned npending;
	int reaped;
	int status;                  /* from wait4 once reaped */
};

struct pool {
	struct bench_exec_ctx *ctx;
	struct proc *procs;
	unsigned n;                  /* processes forked */
	int exhausted;               /* source has no more tasks */
};

/* Reads exactly len bytes: len, 0 at end of file, or -1 with errno. */
static ssize_t read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t r = read(fd, (char *)buf + got, len - got);

		if (r == 0)
			return got ? (errno = EPROTO, -1) : 0;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)r;
	}
	return (ssize_t)len;
}

static int send_full(int fd, const void *buf, size_t len)
{
	size_t sent = 0;

	while (sent < len) {
		ssize_t r = send(fd, (const char *)buf + sent, len - sent,
				 MSG_NOSIGNAL);

		if (r < 0) {
			if (errno == EINTR && !bench_canceled())
				continue;
			return -1;
		}
		sent += (size_t)r;
	}
	return 0;
}

static void __attribute__((noreturn))
child_main(struct bench_exec_ctx *ctx, int fd, pid_t parent)
{
	const struct bench_workload *wl = ctx->wl;
	unsigned char *payload = NULL;
	size_t cap = 0;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	signal(SIGINT, SIG_IGN);
	for (;;) {
		struct msg_task h;
		struct bench_task task;
		struct bench_err e = { 0 };
		struct {
			struct msg_result h;
			BENCH_PARTIAL_ALIGN unsigned char body[sizeof(e.msg) > BENCH_PARTIAL_MAX ?
						   sizeof(e.msg) :
						   BENCH_PARTIAL_MAX];
		} out;
		ssize_t r = read_full(fd, &h, sizeof(h));
		int rc;

		if (r == 0)
			_exit(0);
		if (r < 0)
			_exit(126);
		if (h.len > cap) {
			free(payload);
			payload = malloc(h.len + BENCH_BATCH_PADDING);
			cap = payload ? h.len : 0;
			if (!payload)
				_exit(125);
		}
		if (h.len && read_full(fd, payload, h.len) != (ssize_t)h.len)
			_exit(126);
		if (h.len)
			memset((char *)payload + h.len, 0, BENCH_BATCH_PADDING);
		task = (struct bench_task){ h.index, h.first, h.count,
					    h.len ? payload : NULL, h.len };
		if (ctx->opts->crash_set &&
		    (int64_t)h.index == ctx->opts->crash_task)
			abort();
		memset(&out, 0, sizeof(out));
		wl->partial_init(out.body);
		rc = bench_task_run(wl, ctx->state, &task, out.body, &e);
		out.h.index = h.index;
		out.h.status = rc;
		if (rc) {
			out.h.len = (uint32_t)strlen(e.msg);
			memcpy(out.body, e.msg, out.h.len);
		} else {
			out.h.len = (uint32_t)wl->partial_size;
		}
		if (send_full(fd, &out, sizeof(out.h) + out.h.len) != 0)
			_exit(126);
	}
}

static void reap(struct pool *pool, struct proc *p)
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

/* Kills every worker still running and reaps them all. */
static void shutdown_all(struct pool *pool, int kill_them)
{
	for (unsigned i = 0; i < pool->n; i++) {
		struct proc *p = &pool->procs[i];

		if (kill_them && !p->reaped)
			kill(p->pid, SIGKILL);
		if (p->fd >= 0) {
			close(p->fd);
			p->fd = -1;
		}
	}
	for (unsigned i = 0; i < pool->n; i++)
		reap(pool, &pool->procs[i]);
	for (unsigned i = 0; i < pool->n; i++)
		for (unsigned k = 0; k < pool->procs[i].npending; k++)
			bench_task_release(&pool->procs[i].pending[k]);
}

static int worker_died(struct pool *pool, unsigned w)
{
	struct proc *p = &pool->procs[w];
	char how[160];

	close(p->fd);
	p->fd = -1;
	reap(pool, p);
	bench_wait_status_text(p->status, how, sizeof(how));
	if (p->npending == 0)
		return bench_err_set(pool->ctx->err, BENCH_EWORKER,
				     "process worker %u of %u (pid %d) %s",
				     w + 1, pool->n, (int)p->pid, how);
	return bench_err_set(pool->ctx->err, BENCH_EWORKER,
			     "process worker %u of %u (pid %d) %s while running task %llu (items %llu..%llu)",
			     w + 1, pool->n, (int)p->pid, how,
			     (unsigned long long)p->pending[0].index,
			     (unsigned long long)p->pending[0].first,
			     (unsigned long long)(p->pending[0].first +
						  p->pending[0].count - 1));
}

/* Sends worker w its next task, if any. Returns 0 or a code. */
static int feed(struct pool *pool, unsigned w)
{
	struct proc *p = &pool->procs[w];
	struct bench_task *t = &p->pending[p->npending];
	struct msg_task h;
	int rc;

	if (pool->exhausted)
		return 0;
	rc = bench_source_next(pool->ctx->src, t, pool->ctx->err);
	if (rc == BENCH_SOURCE_WAIT)
		return 0;  /* fed again when a result comes back */
	if (rc <= 0) {
		pool->exhausted = 1;
		return rc;
	}
	p->npending++;
	h = (struct msg_task){ t->index, t->first, t->count, t->len };
	if (send_full(p->fd, &h, sizeof(h)) != 0 ||
	    (t->len && send_full(p->fd, t->data, t->len) != 0))
		return worker_died(pool, w);
	return 0;
}

/* Reads one result from worker w and merges it. */
static int collect(struct pool *pool, unsigned w)
{
	struct bench_exec_ctx *ctx = pool->ctx;
	struct proc *p = &pool->procs[w];
	struct msg_result h;
	BENCH_PARTIAL_ALIGN char body[512];
	ssize_t r = read_full(p->fd, &h, sizeof(h));

	if (r <= 0)
		return worker_died(pool, w);
	if (h.len > sizeof(body) || p->npending == 0 ||
	    h.index != p->pending[0].index ||
	    (h.status == 0 && h.len != ctx->wl->partial_size) ||
	    read_full(p->fd, body, h.len) != (ssize_t)h.len)
		return bench_err_set(ctx->err, BENCH_EWORKER,
				     "process worker %u (pid %d) sent a malformed result",
				     w + 1, (int)p->pid);
	if (h.status != 0)
		return bench_err_set(ctx->err, h.status,
				     "process worker %u (pid %d): %.*s", w + 1,
				     (int)p->pid, (int)h.len, body);
	ctx->wl->merge(ctx->result, body);
	ctx->tasks++;
	bench_source_done(ctx->src, &p->pending[0]);
	bench_task_release(&p->pending[0]);
	memmove(&p->pending[0], &p->pending[1],
		(PREFETCH - 1) * sizeof(p->pending[0]));
	p->npending--;
	if (!ctx->src->dag)
		return feed(pool, w);
	/* A finished node may free several: hand them to idle workers. */
	for (unsigned i = 0; i < pool->n; i++) {
		int rc;

		if (pool->procs[i].npending == 0 && pool->procs[i].fd >= 0 &&
		    (rc = feed(pool, i)) != 0)
			return rc;
	}
	return 0;
}

static int start(struct pool *pool)
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
		/* Room for the batches queued to a busy worker (a streaming
		 * batch is up to 1 MiB), so the parent does not block sending
		 * one while others wait for work; the kernel may grant less. */
		if (ctx->wl->next_batch) {
			int bytes = PREFETCH << 20;

			setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &bytes, sizeof(bytes));
		}
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
			/* Earlier workers' sockets would keep them alive. */
			for (unsigned i = 0; i < w; i++)
				close(pool->procs[i].fd);
			close(sv[0]);
			child_main(ctx, sv[1], parent);
		}
		close(sv[1]);
		pool->procs[w] = (struct proc){ .pid = pid, .fd = sv[0] };
		pool->n++;
	}
	return 0;
}

static int dispatch(struct pool *pool)
{
	struct pollfd *fds = calloc(pool->n, sizeof(*fds));
	unsigned *who = calloc(pool->n, sizeof(*who));
	int rc = 0;

	if (!fds || !who) {
		rc = bench_err_set(pool->ctx->err, BENCH_ENOMEM,
				   "cannot allocate poll set");
		goto out;
	}
	/* Dependency graphs get no prefetch: a ready node queued behind a
	 * busy worker would wait while another worker idles. */
	for (unsigned k = 0; k < (pool->ctx->src->dag ? 1 : PREFETCH) && rc == 0; k++)
		for (unsigned w = 0; w < pool->n && rc == 0; w++)
			rc = feed(pool, w);
	while (rc == 0) {
		nfds_t nfds = 0;

		for (unsigned w = 0; w < pool->n; w++) {
			if (pool->procs[w].npending == 0)
				continue;
			fds[nfds] = (struct pollfd){ pool->procs[w].fd, POLLIN, 0 };
			who[nfds++] = w;
		}
		if (nfds == 0) {
			if (pool->ctx->src->dag && !pool->exhausted)
				rc = bench_err_set(pool->ctx->err, BENCH_EINVAL,
						   "%s: no task is ready and none runs",
						   pool->ctx->wl->name);
			break;
		}
		if (bench_canceled()) {
			rc = bench_err_set(pool->ctx->err, BENCH_ECANCELED,
					   "interrupted");
			break;
		}
		/* A bounded wait: a cancel that lands between the check above
		 * and poll() is still seen within CANCEL_POLL_MS. */
		if (poll(fds, nfds, CANCEL_POLL_MS) < 0) {
			if (errno == EINTR)
				continue;
			rc = bench_err_set(pool->ctx->err, BENCH_ESYS,
					   "poll: %s", strerror(errno));
			break;
		}
		for (nfds_t i = 0; i < nfds && rc == 0; i++)
			if (fds[i].revents)
				rc = collect(pool, who[i]);
	}
out:
	free(fds);
	free(who);
	return rc;
}

static int process_run(struct bench_exec_ctx *ctx)
{
	struct pool pool = { .ctx = ctx };
	int rc;

	pool.procs = calloc(ctx->opts->workers, sizeof(*pool.procs));
	if (!pool.procs)
		return bench_err_set(ctx->err, BENCH_ENOMEM,
				     "cannot allocate %u process workers",
				     ctx->opts->workers);
	rc = start(&pool);
	if (rc == 0)
		rc = dispatch(&pool);
	/* On success closing the sockets makes every worker exit; on
	 * failure nobody waits for stragglers. */
	shutdown_all(&pool, rc != 0);
	for (unsigned w = 0; rc == 0 && w < pool.n; w++) {
		struct proc *p = &pool.procs[w];

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
	.summary = "forked workers sharing the input copy-on-write, results over sockets",
	.flags = BENCH_EXEC_DEFAULT | BENCH_EXEC_PARALLEL | BENCH_EXEC_SCALE,
	.run = process_run,
};
