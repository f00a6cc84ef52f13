/*
 * timeit.h - what the files of `bench timeit` share.
 *
 * cmd_timeit.c reads the command line and picks a mode; both modes print
 * their figures with timeit_print(). timeit_workload.c times a workload
 * in process; a C snippet is written out as source by timeit_source.c,
 * then compiled and run as a program of its own by timeit_snippet.c.
 */
#ifndef BENCH_CLI_TIMEIT_H
#define BENCH_CLI_TIMEIT_H

#include <stdio.h>

#include "cli.h"

/* ------------------------------------------------------------------------
 * What both modes print (cmd_timeit.c). */

/*
 * The timeit lines: "LABEL: N loops, best of R: T per loop", the median
 * with its interval and the worst loop (then tail), and the warnings.
 */
void timeit_print(const char *label, const struct bench_timeit_result *r,
		  const struct bench_timeit_opts *to, const char *tail);

/* ------------------------------------------------------------------------
 * Workload mode (timeit_workload.c). */

/* Times one call of wl in mode; prints the result. python: the call is
 * the workload's Python version, timed in the Python engine's process
 * and checked against one native serial pass. Returns the exit status. */
int timeit_workload(const struct bench_workload *wl, struct bench_params *p,
		    const struct bench_timeit_opts *to,
		    const struct bench_executor *mode, unsigned workers,
		    int python);

/* ------------------------------------------------------------------------
 * Snippet mode: the sources (timeit_source.c). */

/* The descriptor the harness reports its loop times on. */
#define TIMEIT_REPORT_FD 3

/* A growing list of strings, each a malloc'd copy. */
struct strvec {
	char **v;        /* NULL-terminated when n > 0 */
	size_t n, cap;   /* strings, room for pointers */
};

/* Appends a copy of s; 0, or -1 when out of memory. */
int timeit_strvec_push(struct strvec *sv, const char *s);
/* Appends the words of text, split on white space (no quoting: no
 * shell); 0, or -1 when out of memory or for a word over 4 KiB. */
int timeit_strvec_split(struct strvec *sv, const char *text);
void timeit_strvec_release(struct strvec *sv);

/* What the command line says of a snippet. */
struct snippet {
	struct strvec setup;     /* -s texts, in order */
	struct strvec init;      /* --init texts */
	struct strvec includes;  /* --include headers, as given */
	struct strvec cflags;    /* --cflags words */
	struct strvec libs;      /* --libs words */
	struct strvec stmt;      /* the operands: lines of the statement */
	bench_ns timeout_ns;     /* --timeout: the program's wall limit;
				    0: TIMEIT_TIMEOUT_S */
};

/* The compiled program's wall-clock limit unless --timeout says. */
#define TIMEIT_TIMEOUT_S 600

void timeit_snippet_release(struct snippet *sn);

/* Writes dir/snippet.c (the user's code) and dir/harness.c (the timing
 * loop), and their paths into src and hsrc (len bytes each). Returns 0,
 * or -1 after printing an error. */
int timeit_write_sources(const char *dir, const struct snippet *sn,
			 char *src, char *hsrc, size_t len);

/* ------------------------------------------------------------------------
 * Snippet mode: the run (timeit_snippet.c). */

/* Compiles the snippet with $CC, runs it, prints the result. Returns the
 * exit status. */
int timeit_snippet(const struct snippet *sn, const struct bench_timeit_opts *to);

#endif
