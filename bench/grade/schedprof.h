/*
 * schedprof.h - how a sandboxed run used the CPUs, read from outside.
 *
 * A wall-clock speedup measured on a shared machine says as much about
 * the neighbours as about the code: a busy loop on one core halves what
 * two threads can get, while a serial baseline next to it loses nothing.
 * What the neighbours do not move is how much work the program did (its
 * threads' CPU time, /proc/TID/schedstat) and how many of its threads
 * wanted to run at once (state R in /proc/TID/stat: running, or ready
 * and waiting for a CPU). The grader reads both from outside the box
 * every SCHEDPROF_TICK_NS while it runs, walking the box's process tree
 * from its first process. Nothing the program writes is read.
 *
 * Over each window of several samples: its work (CPU time gained by all
 * threads) and its parallelism k (threads running or ready, on average
 * over its samples; the state, not the schedstat delay, which the kernel
 * adds only when a waiting thread finally runs). The program's time on a
 * machine of P idle CPUs is then estimated window by window: the work at
 * min(P, k) CPUs (one at least), plus the share of the window in which
 * nothing of it wanted a CPU (1 - k: asleep, waiting for I/O or a timer,
 * which takes as long on any machine; in a window where a thread began
 * or ended, one may have come and gone unseen, so work the samples
 * missed is taken to have filled that time first). Run
 * queue delay caused by the neighbours drops out; delay caused by the
 * program's own threads outnumbering P stays in.
 *
 * CPU time is counted at the speed of the fastest CPU
 * (schedprof_calibrate): a second on a CPU that the host shares, and
 * that does a third of the work, counts as a third of a second.
 *
 * A thread that ends between two samples is not seen for its last
 * moments, or at all when it lived less than a sample's period; each
 * process's own CPU time (ended threads included, in clock ticks) says
 * how much work that was, and it is added at the run's mean parallelism
 * (never hidden, never more parallel than the program was seen to be).
 */
#ifndef BENCH_SCHEDPROF_H
#define BENCH_SCHEDPROF_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bench/clock.h"

/* How often a run is sampled. Short enough that a thread living a few
 * tens of milliseconds is seen for most of its life; each sample costs
 * the grader a few reads of /proc per thread. */
#define SCHEDPROF_TICK_NS (2 * BENCH_NS_PER_MS)
/* Parallelism is measured over windows this long (several samples). */
#define SCHEDPROF_WINDOW_NS (20 * BENCH_NS_PER_MS)
/* Estimates are kept for machines of 1 .. SCHEDPROF_CPUS_MAX CPUs. */
#define SCHEDPROF_CPUS_MAX 64

struct schedprof_thread {
	pid_t tid;
	uint64_t run_ns, wait_ns;   /* schedstat at the last sample */
	unsigned gen;               /* the sample it was last seen in */
};

struct schedprof {
	bench_ns last;              /* time of the last sample (or the start) */
	unsigned gen, samples;
	struct schedprof_thread *t; /* threads seen so far */
	size_t n, cap;
	uint64_t run_ns, wait_ns;   /* totals over the intervals seen */
	double norm_ns;             /* run_ns at the fastest CPU's speed */
	double cpu_factor[SCHEDPROF_CPUS_MAX]; /* each CPU's time for a fixed
				       work over the fastest one's (>= 1; 0
				       or 1: as fast), schedprof_calibrate */
	double span_ns;             /* the intervals' lengths, summed */
	uint64_t ready_sum;         /* threads seen running or ready, summed
				       over the samples */
	double win_dt, win_run, win_wait; /* the window being filled */
	unsigned win_ready, win_samples; /* threads seen ready, samples */
	int win_churn;              /* a thread began or ended in it */
	double churn_idle_ns;       /* time counted as asleep in windows
				       where threads began or ended */
	double k_max;               /* the highest interval parallelism */
	size_t threads;             /* distinct threads seen */
	double ideal_ns[SCHEDPROF_CPUS_MAX + 1]; /* the estimate for P CPUs,
				       ns, over the windows accounted */
	int broken;                 /* /proc could not be read: no estimate */
	struct {
		pid_t pid;
		unsigned long long ticks; /* utime + stime at its last sample */
	} procs[256];               /* every process seen (PROCS_MAX) */
	size_t nprocs;
};

/* Empties sp (a zeroed one, or one used before) and marks now as the
 * start of its first interval. */
void schedprof_start(struct schedprof *sp, bench_ns now);

/* Measures how fast each CPU this process may use runs a fixed loop
 * (its thread CPU time, pinned to it in turn), into sp->cpu_factor: on
 * a virtual machine one CPU may run at a third of another's speed while
 * the host shares it, and a CPU second there is less work. A few ms. */
void schedprof_calibrate(struct schedprof *sp);

/* One sample of every thread of root's process tree (root included);
 * a run_command tick (command.h). Never blocks, never prints. */
void schedprof_sample(void *sp, pid_t root);

/* The estimated time of the run on cpus idle CPUs (clamped to 1 ..
 * SCHEDPROF_CPUS_MAX), ns; 0 when nothing was sampled. */
bench_ns schedprof_ideal(const struct schedprof *sp, unsigned cpus);

/* The run's mean parallelism: how many of its threads were running or
 * ready, on average over the samples (1.0: one always wanted a CPU); 0
 * when nothing was sampled. */
double schedprof_parallelism(const struct schedprof *sp);

void schedprof_free(struct schedprof *sp);

#endif
