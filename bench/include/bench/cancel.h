/*
 * cancel.h - asking running work to stop, from anywhere.
 *
 * One process-wide flag, set from a signal handler (Ctrl-C) and polled by
 * whatever runs long: executors between tasks, clock sleeps in slices,
 * timeit between batches, child-process waits. Polling a flag rather than
 * interrupting threads keeps every stop at a point where the work can
 * kill and reap its workers and leave nothing behind.
 */
#ifndef BENCH_CANCEL_H
#define BENCH_CANCEL_H

/*
 * Asks running work to stop: safe to call from a signal handler. Executors
 * stop within one task, kill and reap their workers, and return
 * BENCH_ECANCELED. bench_cancel_reset() clears the request.
 */
void bench_cancel(void);
int bench_canceled(void);
void bench_cancel_reset(void);

#endif
