/*
 * python.h - the python engine: the course's workloads in CPython (or any
 * python3), run by the bench_py package (python/bench_py/).
 */
#ifndef BENCH_ENGINE_PYTHON_H
#define BENCH_ENGINE_PYTHON_H

#include <stddef.h>

#include "bench/bench.h"

/* The interpreter --python named, or NULL: BENCH_PYTHON, else
 * /usr/bin/python3 when present, else python3 on PATH. */
extern const char *python_path;

/* What the interpreter said of itself once started. */
struct python_about {
	char implementation[32]; /* "CPython", "PyPy" */
	char version[32];        /* "3.11.2" */
	int gil;                 /* 1: the GIL is on */
	char executable[256];    /* sys.executable */
	int numpy;               /* 1: numpy folds checksums */
	bench_ns startup_ns;     /* spawn to its first line (not timed) */
};

/* The note a run or timeit of engine python prints when the interpreter
 * has no numpy: every workload's checksum fold then runs in plain Python,
 * which costs more per item than hash's SHA-256 itself, so the Python
 * figures are mostly bench's own check. */
#define PYTHON_NO_NUMPY_NOTE \
	"note: python: numpy is not installed, so the checksum fold runs in plain Python and weighs on every Python time (on hash it costs more than the hashing): install python3-numpy"

/* 1 when an interpreter and the package are there, quietly. */
int python_found(void);

/* Checks that an interpreter can be run and the package found; prints
 * one line ("engine python: ...") and returns -1 when not. */
int python_available(void);

/* One sample of mr in the Python server, started on first use: fills
 * out->wall_ns, cpu_ns, maxrss_kb, tasks, items and checksum. Returns 0
 * or a BENCH_E* code with err set (BENCH_ECANCELED after Ctrl-C). */
int python_sample(const struct bench_report *r,
		  const struct bench_mode_result *mr, struct bench_sample *out,
		  struct bench_err *err);

/* `bench timeit WORKLOAD --engine python`: the Python server runs
 * timeit's loop around one pass of wl in mode (workers, chunk) on the
 * input of p, inside its own process (python/bench_py/timing.py), and
 * fills out's number, repeat, per_call_ns (malloc'd), autorange_ns and
 * over_budget, and checksum (BENCH_CHECKSUM_MAX bytes) with every
 * call's answer. Statistics are the caller's. Returns 0 or a BENCH_E*
 * code with err set. */
struct bench_timeit_opts;
struct bench_timeit_result;
int python_timeit(const struct bench_workload *wl, const struct bench_params *p,
		  const char *mode, unsigned workers, uint64_t chunk,
		  const struct bench_timeit_opts *to,
		  struct bench_timeit_result *out, char *checksum,
		  struct bench_err *err);

/* The server's interpreter, or NULL when none was started. */
const struct python_about *python_started(void);

/* Ends the server (end of its input), waits for it and reaps it; a
 * no-op when none runs. */
void python_stop(void);

/* Prints the first `limit` items of workload wl with params p as the
 * Python side computes them, one a line, as `bench show` does. Returns
 * the exit status (after one line of error). */
int python_show(const struct bench_workload *wl, const struct bench_params *p,
		uint64_t limit);

#endif
