/*
 * process_sock.h - the process pool's socket protocol (process_sock.c):
 * tasks sent to each worker over its socket, partials read back.
 */
#ifndef BENCH_PROCESS_SOCK_H
#define BENCH_PROCESS_SOCK_H

#include "process_pool.h"

/* Starts pool's workers and runs every task of its source through their
 * sockets, merging into ctx->result. Returns 0 or a code with ctx->err
 * filled; the caller kills (on failure) and reaps the workers. */
int bench__process_sock_run(struct bench__pool *pool);

#endif
