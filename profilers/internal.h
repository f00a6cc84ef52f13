/*
 * internal.h - what the parts of libbenchprof.so share: the core (core.c:
 * the record buffer, stacks, threads, start-up and fork; save.c: the file
 * and every way a process ends) and the three profilers it can run (cpu.c,
 * count.c, mem.c), never seen by the profiled program.
 *
 * The one design choice to know: the core never tests which profiler it
 * runs. Each profiler is one row, struct prof_profiler, whose hooks the
 * core calls at fixed points of the process's life (load, start, fork,
 * failed exec, save); $BENCH_PROF picks the row. A profiler tests the
 * kind only to tell whether it is the one running (prof__kind), in
 * hooks the program calls directly (malloc, __cyg_profile_func_enter,
 * pthread_create).
 *
 * Everything here runs inside the profiled program, in signal handlers
 * and allocator hooks: nothing may lock or allocate, and the library is
 * built with -fvisibility=hidden, so only what EXPORT marks interposes
 * the program's functions.
 */
#ifndef BENCH_PROF_INTERNAL_H
#define BENCH_PROF_INTERNAL_H

#include <dlfcn.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "prof_format.h"

#define EXPORT __attribute__((visibility("default")))
#define TLS __thread __attribute__((tls_model("initial-exec")))
#define BUF_BYTES (256ull << 20)   /* the record buffer: reserved, not committed */
#define PAGE 4096ul

/* dlsym's answer as a function pointer (POSIX's blessed conversion). */
#define NEXT(fp, name) do { void *s_ = dlsym(RTLD_NEXT, name); memcpy(&(fp), &s_, sizeof(s_)); } while (0)

/* ---- one profiler: a row of hooks ------------------------------------------ */

/*
 * The hooks of one kind of profile, called by the core in this order; a
 * NULL hook is skipped. All run with no lock held; save's run in the
 * thread that ends the process, possibly in a fatal signal's handler, so
 * they must be async-signal-safe.
 */
struct prof_profiler {
	const char *name;          /* $BENCH_PROF's value: "cpu", "count", "mem" */
	enum prof_kind kind;
	void (*load)(void);        /* at load, right after the buffer is mapped
				      and before the core's set-up can allocate:
				      its own tables and settings */
	void (*prepare)(void);     /* the last step before the profile goes
				      active (calibration, arming) */
	void (*start)(void);       /* the profile is active: start sampling;
				      also in a fork's child, after forked */
	void (*forked)(void);      /* in a fork's child: forget the parent's
				      data, re-arm per-thread state */
	void (*resume)(void);      /* an exec failed: the profile goes on */
	void (*stop)(void);        /* the file is about to be written: stop
				      sampling, take the last measurement */
	void (*header)(struct prof_header *h);  /* its fields of the header */
	void (*save)(int fd, struct prof_end *end); /* its records, after the
						       buffer's, before REC_END */
};

extern const struct prof_profiler prof__cpu, prof__count, prof__mem;

/* ---- the core's state (core.c) ----------------------------------------------- */

extern int prof__kind;                     /* enum prof_kind running, 0: off */
extern const struct prof_profiler *prof__profiler; /* its row, NULL: off */
extern char prof__dir[512];                /* $BENCH_PROF_DIR */
extern uint64_t prof__start_ns;            /* CLOCK_MONOTONIC at load or fork */
extern uint64_t prof__cpu_start_ns;        /* the process's CPU time then */
extern char *prof__buf;                    /* BUF_BYTES of records, NULL if unmapped */
extern atomic_size_t prof__used;           /* bytes of prof__buf reserved */
extern atomic_uint_fast64_t prof__dropped; /* records that did not fit */
extern atomic_int prof__writers;           /* records being written right now */
extern atomic_int prof__active;            /* 1 while the profile collects */
extern atomic_int prof__flushed;           /* 1 once the file is written */
extern TLS int prof__in_hook;              /* this thread is in the profiler:
					      its calls and allocations are
					      not the program's */

static inline uint64_t prof__now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline uint64_t prof__cpu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline pid_t prof__tid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/* Room in the buffer for a record of type with len payload bytes, or NULL
 * when the buffer is full (counted as dropped). Lock-free: any thread, a
 * signal handler or an allocator hook may call it. */
void *prof__reserve(uint32_t type, size_t len);

/* Return addresses up the frame-pointer chain from fp, appended to
 * pc[n..max); returns the new depth. Each frame's page is checked with
 * mincore() first, so code built without frame pointers ends the walk
 * instead of crashing. */
unsigned prof__walk(uintptr_t fp, uintptr_t sp, uint64_t *pc, unsigned n,
		    unsigned max);

/* Records tid's name (REC_THREAD) the first time it is called for tid in
 * this process; async-signal-safe. */
void prof__name_thread(pid_t tid);

/* ---- saving (save.c) ----------------------------------------------------------- */

/* Writes prof.PID.START.bin once (later calls do nothing until an exec
 * fails); how is enum prof_end_how, code the exit status or signal.
 * Async-signal-safe. */
void prof__save(uint32_t how, int code);

/* Writes one record of type with n payload bytes to fd; 0 or -1. */
int prof__write_rec(int fd, uint32_t type, const void *p, size_t n);

/* Writes n bytes to fd as they are (a record written in pieces: its
 * struct prof_rec first, then its payload, a multiple of 8 bytes long);
 * 0 or -1. */
int prof__write_raw(int fd, const void *p, size_t n);

/* Installs the handlers that save at every way out: fatal signals,
 * SIGINT and SIGTERM where the program keeps their default, atexit. */
void prof__save_at_every_exit(void);

/* ---- mem.c --------------------------------------------------------------------- */

/* In libbenchprof-mem.so, finds the real allocator behind the malloc
 * hooks; in libbenchprof.so, which has no hooks, does nothing. */
void prof__resolve_allocator(void);

#endif
