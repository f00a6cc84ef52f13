/*
 * process_pool.h - the process pool's workers, as its two ways of handing
 * out tasks (process_shm.c, process_sock.c) see them: forked, watched,
 * named when they die, killed and reaped by process.c.
 *
 * The one design choice: every worker holds one end of a socket pair for
 * its whole life, whichever way its tasks travel. End of file on worker
 * w's socket is how the parent learns, inside the poll() it waits in
 * anyway (bounded, to see a cancel), that exactly w has ended; wait4() on
 * w's pid then says how. No waitpid(-1), which could reap a child that is
 * not the pool's, and no signal handler.
 */
#ifndef BENCH_PROCESS_POOL_H
#define BENCH_PROCESS_POOL_H

#include <sys/types.h>

#include "bench/executor.h"

/* Tasks queued to one worker over its socket (see process_sock.c). */
#define BENCH__PROC_PREFETCH 2
/* Longest poll(): a cancel that lands just before one is seen within it. */
#define BENCH__PROC_POLL_MS 100

struct bench__proc {
	pid_t pid;
	int fd;          /* the parent's end of the worker's socket; -1 closed */
	int reaped;
	int status;      /* wait status, once reaped */
	/* The socket protocol: tasks sent and not answered yet, oldest
	 * first. */
	struct bench_task pending[BENCH__PROC_PREFETCH];
	unsigned npending;
};

struct bench__pool;

/* A worker's body, run in the child right after the fork; never returns
 * (leaves through _exit, so no stdio buffer or atexit handler of the
 * parent runs twice). fd is the worker's end of its socket. */
typedef void (*bench__pool_main)(struct bench__pool *pool, unsigned w, int fd);

struct bench__pool {
	struct bench_exec_ctx *ctx;
	struct bench__proc *procs; /* ctx->opts->workers of them */
	unsigned n;                /* processes forked so far */
	int exhausted;             /* the socket protocol: the source said
				      end (or failed) */
	void *impl;                /* the way of handing out tasks' own */
};

/*
 * Forks ctx->opts->workers workers, each running body(pool, w, fd). In
 * the child, the other workers' sockets are closed, SIGINT ignored and
 * the kernel asked to SIGKILL it if the parent dies. sndbuf: bytes asked
 * for the parent's send buffer, 0 for the default. Returns 0, or a code
 * with ctx->err filled (the workers already forked are in pool->procs
 * for bench__pool_stop).
 */
int bench__pool_start(struct bench__pool *pool, bench__pool_main body,
		      int sndbuf);

/* Waits for worker p (blocking), adding its CPU time and peak memory to
 * the context; a no-op once reaped. */
void bench__pool_reap(struct bench__pool *pool, struct bench__proc *p);

/*
 * Worker w has ended (end of file on its socket, or a failed send): closes
 * its socket, reaps it and returns BENCH_EWORKER with ctx->err naming it,
 * its pid and how it ended, followed by doing (" while running task 3
 * (items 30..39)", or "").
 */
int bench__pool_died(struct bench__pool *pool, unsigned w, const char *doing);

#endif
