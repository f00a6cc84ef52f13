/*
 * process_sock.c - the process pool's socket protocol, for the sources
 * whose tasks the parent has to hand out itself: dependency graphs (an
 * item is ready only once the items it waits for are done, which the
 * parent's source tracks) and streams the workload cannot split (their
 * batches exist only in the parent's reader).
 *
 * The parent sends each worker a task header, plus the batch's bytes for
 * a stream, over the worker's socket, and reads back a fixed-size
 * partial. Each worker of a stream keeps BENCH__PROC_PREFETCH tasks
 * queued so it never idles waiting for the parent; a graph's workers get
 * one at a time, so a ready node never waits behind a busy worker while
 * another idles. New tasks go to whichever worker answers first
 * (Pool.imap_unordered). A worker's socket doubles as its crash detector:
 * end of file while it still owes results means it died on the oldest
 * task it was sent. Socket pairs rather than pipes because
 * send(MSG_NOSIGNAL) reports a dead peer as EPIPE without the library
 * touching the caller's SIGPIPE disposition.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "process_sock.h"

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
child_main(struct bench__pool *pool, unsigned w, int fd)
{
	struct bench_exec_ctx *ctx = pool->ctx;
	const struct bench_workload *wl = ctx->wl;
	unsigned char *payload = NULL;
	size_t cap = 0;

	(void)w;
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

/* Worker w ended: named with the oldest task it owed, if any. */
static int died(struct bench__pool *pool, unsigned w)
{
	const struct bench__proc *p = &pool->procs[w];
	char doing[128] = "";

	if (p->npending)
		snprintf(doing, sizeof(doing),
			 " while running task %llu (items %llu..%llu)",
			 (unsigned long long)p->pending[0].index,
			 (unsigned long long)p->pending[0].first,
			 (unsigned long long)(p->pending[0].first +
					      p->pending[0].count - 1));
	return bench__pool_died(pool, w, doing);
}

/* Sends worker w its next task, if any. Returns 0 or a code. */
static int feed(struct bench__pool *pool, unsigned w)
{
	struct bench__proc *p = &pool->procs[w];
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
		return died(pool, w);
	return 0;
}

/* Reads one result from worker w and merges it. */
static int collect(struct bench__pool *pool, unsigned w)
{
	struct bench_exec_ctx *ctx = pool->ctx;
	struct bench__proc *p = &pool->procs[w];
	struct msg_result h;
	BENCH_PARTIAL_ALIGN char body[512];
	ssize_t r = read_full(p->fd, &h, sizeof(h));

	if (r <= 0)
		return died(pool, w);
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
		(BENCH__PROC_PREFETCH - 1) * sizeof(p->pending[0]));
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

static int dispatch(struct bench__pool *pool)
{
	struct pollfd *fds = calloc(pool->n, sizeof(*fds));
	unsigned *who = calloc(pool->n, sizeof(*who));
	unsigned prefetch = pool->ctx->src->dag ? 1 : BENCH__PROC_PREFETCH;
	int rc = 0;

	if (!fds || !who) {
		rc = bench_err_set(pool->ctx->err, BENCH_ENOMEM,
				   "cannot allocate poll set");
		goto out;
	}
	for (unsigned k = 0; k < prefetch && rc == 0; k++)
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
		if (poll(fds, nfds, BENCH__PROC_POLL_MS) < 0) {
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

int bench__process_sock_run(struct bench__pool *pool)
{
	/* Room for the batches queued to a busy worker (a streaming batch
	 * is up to 1 MiB), so the parent does not block sending one while
	 * others wait for work; the kernel may grant less. */
	int sndbuf = pool->ctx->wl->next_batch ? BENCH__PROC_PREFETCH << 20 : 0;
	int rc = bench__pool_start(pool, child_main, sndbuf);

	return rc ? rc : dispatch(pool);
}
