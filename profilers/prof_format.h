/*
 * prof_format.h - the raw files libbenchprof.so writes, one per process
 * image (prof.PID.START.bin in $BENCH_PROF_DIR; profilers/save.c), and
 * `bench profile` reads (profilers/report/load.c): the one header both
 * sides of the profiler share.
 *
 * A header, then records, each a struct prof_rec followed by len bytes.
 * Integers are the machine's own (the file never leaves the machine that
 * wrote it: addresses are only meaningful with that process's maps).
 */
#ifndef BENCH_PROF_FORMAT_H
#define BENCH_PROF_FORMAT_H

#include <stdint.h>

#define PROF_MAGIC "BPROF01"
#define PROF_DEPTH_MAX 64

enum prof_kind { PROF_CPU = 1, PROF_MEM = 2, PROF_COUNT = 3 };

struct prof_header {
	char magic[8];
	uint32_t kind;          /* enum prof_kind */
	uint32_t hz;            /* cpu: samples per CPU second asked (else 0) */
	uint64_t pid, ppid;
	uint64_t start_ns;      /* CLOCK_MONOTONIC at load (or fork) */
	uint64_t end_ns;        /* at the flush */
	uint64_t overhead_ns;   /* count: one instrumented call's cost */
	uint64_t dropped;       /* samples lost to a full buffer */
	uint64_t cpu_ns;        /* the process's CPU time over the profile */
	uint32_t mechanism;     /* cpu: 1 perf_event task-clock, 0 setitimer */
	int32_t perf_errno;     /* cpu: why not perf_event (-1: turned off) */
};

enum prof_rec_type {
	REC_MAPS = 1,    /* /proc/self/maps text */
	REC_SAMPLE,      /* u64 t_ns, u32 tid, u32 depth, u64 pc[depth] (leaf first) */
	REC_THREAD,      /* u32 tid, then its name */
	REC_SPAN,        /* u64 start, u64 end, u32 tid, u32 pad, then the name */
	REC_FUNC,        /* struct prof_func */
	REC_EDGE,        /* struct prof_edge */
	REC_SITE,        /* struct prof_site, then u64 pc[depth] */
	REC_MEMTIME,     /* u64 t_ns, u64 heap_bytes, u64 rss_bytes */
	REC_END,         /* struct prof_end */
};

struct prof_rec {
	uint32_t type;
	uint32_t len;
};

/* count: one instrumented function. */
struct prof_func {
	uint64_t fn;
	uint64_t calls;
	uint64_t incl_ns, self_ns;   /* measured, overhead included */
	uint64_t child_calls;        /* calls it made directly */
	uint64_t desc_calls;         /* calls made anywhere below it */
};

/* count: caller -> callee. */
struct prof_edge {
	uint64_t caller, callee;
	uint64_t calls, incl_ns;
	uint64_t desc_calls;         /* calls made below the callee */
};

/* mem: one allocation site (a stack). */
struct prof_site {
	uint64_t bytes, count;       /* allocated there, over the run */
	uint64_t live_bytes, live_count; /* not freed at the flush */
	uint32_t depth, pad;
};

enum prof_end_how { END_EXIT = 1, END_SIGNAL, END_EXEC, END_UNDERSCORE_EXIT };

struct prof_end {
	uint32_t how;                /* enum prof_end_how */
	int32_t code;                /* exit status or signal */
	uint64_t peak_heap;          /* mem: the heap's peak, bytes */
};

#endif
