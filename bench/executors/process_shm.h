/*
 * process_shm.h - the process pool through shared memory (process_shm.c):
 * workers claim tasks, or parts of a stream, from an atomic counter.
 */
#ifndef BENCH_PROCESS_SHM_H
#define BENCH_PROCESS_SHM_H

#include "process_pool.h"

/* Whether ctx's source goes through shared memory: indexed sources, and
 * streams the workload can split (workload.h's split and split_first)
 * when this system lets a worker reopen its inherited files. */
int bench__process_shm_takes(const struct bench_exec_ctx *ctx);

/* Starts pool's workers, lets them claim every task, waits for every one
 * to end and merges their partials into ctx->result. Returns 0 or a code
 * with ctx->err filled; the caller kills (on failure) and reaps. */
int bench__process_shm_run(struct bench__pool *pool);

#endif
