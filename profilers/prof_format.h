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

#define PROF_MAGIC "BPROF02"   /* 02: count writes call trees (REC_NODES) */
#define PROF_DEPTH_MAX 64

enum prof_kind { PROF_CPU = 1, PROF_MEM = 2, PROF_COUNT = 3 };

struct prof_header {
	char magic[8];
	uint32_t kind;          /* enum prof_kind */
	uint32_t hz;            /* cpu: samples per CPU second asked (else 0) */
	uint64_t pid, ppid;
	uint64_t start_ns;      /* CLOCK_MONOTONIC at load (or fork) */
	uint64_t end_ns;        /* at the flush */
	uint64_t overhead_ns;   /* count: one instrumented call's cost (enter and
				   exit hooks); cpu: the sampler's time in all */
	uint64_t dropped;       /* samples lost to a full buffer; count: calls
				   left out of the call tree (too deep, tree full) */
	uint64_t cpu_ns;        /* the process's CPU time over the profile */
	uint32_t mechanism;     /* cpu: 1 perf_event task-clock, 0 setitimer;
				   count: 1 when overhead_ns was set
				   ($BENCH_PROF_HOOK_NS), 0 measured */
	int32_t perf_errno;     /* cpu: why not perf_event (-1: turned off) */
};

enum prof_rec_type {
	REC_MAPS = 1,    /* /proc/self/maps text */
	REC_SAMPLE,      /* u64 t_ns, u32 tid, u32 depth, u64 pc[depth] (leaf first) */
	REC_THREAD,      /* u32 tid, then its name */
	REC_SPAN,        /* u64 start, u64 end, u32 tid, u32 pad, then the name */
	REC_NODES,       /* count: u32 tid, u32 n, then n struct prof_node */
	REC_SITE,        /* struct prof_site, then u64 pc[depth] */
	REC_MEMTIME,     /* u64 t_ns, u64 heap_bytes, u64 rss_bytes */
	REC_END,         /* struct prof_end */
};

struct prof_rec {
	uint32_t type;
	uint32_t len;
};

/*
 * count: one node of a thread's call tree, a function reached by one path
 * of calls from the thread's first (main, a thread's start routine). A
 * node's parent comes before it in its REC_NODES record, so the nodes of
 * a record read in order always know their parent.
 */
#define PROF_NODE_ROOT UINT32_MAX
struct prof_node {
	uint64_t fn;                 /* the function's address */
	uint32_t parent;             /* its caller's node, an index into the
					same record; PROF_NODE_ROOT: none */
	uint32_t pad;
	uint64_t calls;              /* calls that ended (or were open at the save) */
	uint64_t self_ns;            /* time in the function itself, the hooks'
					own cost already taken out */
	uint64_t first_ns;           /* CLOCK_MONOTONIC at its first call */
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
