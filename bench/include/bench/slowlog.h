/*
 * slowlog.h - log how long a call or a block took, flagged past a threshold.
 *
 * The C form of the course's @slowlog(threshold) decorator. A span starts
 * at bench_slowlog_begin() and its end writes one line, naming the process
 * and thread first as the course's "%(processName)s %(message)s" does:
 *
 *   bench[4242] Finished load_events in 0.123 seconds
 *   bench[4242]/worker-2 Finished hash_batch in 3.071 seconds (too slow)
 *   bench[4250] Finished hash_batch in 0.912 seconds
 *
 * (the last from a forked child: every line reads the pid afresh). The
 * design choice a reader must know: ending a span allocates nothing and
 * takes no lock. The line is formatted into a stack buffer (by hand, so it
 * needs no locale and no malloc) and handed to the sink, which by default
 * writes it to stderr with one write(2). So a span may end in any thread,
 * in a forked child of a multithreaded parent, or in a signal handler, and
 * lines from threads and processes sharing a pipe never interleave: each
 * is at most BENCH_SLOWLOG_LINE_MAX bytes, within PIPE_BUF, and POSIX
 * writes that much to a pipe in one piece.
 *
 * This is the one part of libbench that writes on its own, because writing
 * the line is what it is for; bench_slowlog_set_sink(NULL, NULL) silences
 * it. A listener (one slot, meant for profilers and trace writers) also
 * receives every span as a record with its start and end times.
 *
 * Example, the decorator's three uses:
 *
 *   BENCH_SLOWLOG_CALL(2.5, load_events, path);         // a void call
 *   BENCH_SLOWLOG_ASSIGN(n, 2.5, count_lines, buf, len); // n = count_lines(...)
 *   BENCH_SLOWLOG("merge", 0.5) {                        // a block
 *           merge(parts, k);
 *   }
 */
#ifndef BENCH_SLOWLOG_H
#define BENCH_SLOWLOG_H

#include <stddef.h>
#include <sys/types.h>

#include "bench/clock.h"

/* Longest line written, newline included; longer names are cut and end in
 * "...". Within PIPE_BUF (4096 on Linux, at least 512 by POSIX) so a write
 * to a pipe is atomic. */
#define BENCH_SLOWLOG_LINE_MAX 512

/* One span; caller-owned, usually on the stack. Zeroed ({0}) it is a span
 * that is not running, and ending it is a no-op. */
struct bench_slowlog {
	const char *name;       /* borrowed: must outlive the span; NULL: "?" */
	bench_ns threshold_ns;  /* longer than this (strictly) is too slow */
	bench_ns start_ns;      /* bench_clock_now() at begin */
	int running;            /* 1 from begin until end */
};

/* What a sink and the listener receive when a span ends. The strings live
 * in the logging thread's stack: valid only during the call, copy them to
 * keep them. */
struct bench_slowlog_record {
	const char *name;       /* the span's name as given (NULL: "?") */
	bench_ns start_ns;      /* bench_clock_now() at begin */
	bench_ns end_ns;        /* bench_clock_now() at end */
	bench_ns threshold_ns;  /* the span's threshold */
	double seconds;         /* (end_ns - start_ns) / 1e9 */
	int too_slow;           /* end_ns - start_ns > threshold_ns */
	pid_t pid;              /* process that ended the span (getpid) */
	pid_t tid;              /* thread that ended it (gettid) */
	const char *thread;     /* the thread's label, see below */
	const char *who;        /* the line's prefix, see below */
	const char *line;       /* the whole line, "\n"-terminated, NUL after */
	size_t line_len;        /* bytes in line, newline included */
};

/*
 * The line is "<who> Finished <name> in <seconds> seconds[ (too slow)]\n",
 * seconds with three decimals as the course's %.3f (rounded from whole
 * nanoseconds, ties up; '.' whatever the locale). Control bytes in a name
 * become '?', so a record is always one line.
 *
 * The prefix ("who") is "<program>[<pid>]" or "<program>[<pid>]/<thread>",
 * one word (spaces become '_'); program is program_invocation_short_name,
 * and pid is read at every end, so a forked child shows its own. The
 * thread label is the thread's name (pthread_setname_np, prctl) when that
 * differs from the name every thread starts with, the program's first 15
 * bytes; else "thread-<tid>" (gettid) for a thread other than the main
 * one, and nothing for the main thread. A thread inherits its creator's
 * name, so threads started by a named thread share its label.
 */

/* A sink or a listener. Called in the thread that ended the span, possibly
 * from many threads at once, in forked children, or in a signal handler if
 * spans end there: it must be safe wherever spans end. It must not start or
 * end spans itself. */
typedef void (*bench_slowlog_fn)(void *ud, const struct bench_slowlog_record *rec);

/*
 * Starts a span: reads the clock and returns the running span, to be ended
 * with bench_slowlog_end() in the same process (any thread). name is
 * borrowed. threshold_s is in seconds; a span is too slow when it lasts
 * strictly longer, as in the course (delta > threshold). threshold_s <= 0
 * makes every span that takes any time too slow; NaN or +inf, none.
 * Thread-safe and async-signal-safe: nothing is shared.
 */
struct bench_slowlog bench_slowlog_begin(const char *name, double threshold_s);

/*
 * Ends a running span: reads the clock, builds the record, passes it to the
 * sink and then to the listener, and returns the span's length in seconds.
 * A span that is not running (already ended, or zeroed) returns 0.0 and
 * logs nothing. errno is left as it was, so a timed call's errno survives.
 * Thread-safe; async-signal-safe when the sink and listener are (the
 * default fd sink is); safe in a forked child of a multithreaded process.
 */
double bench_slowlog_end(struct bench_slowlog *s);

/*
 * Replaces the sink that receives every line (default: bench_slowlog_sink_fd
 * on STDERR_FILENO). sink NULL silences the lines; the listener still runs.
 * Thread-safe against spans ending concurrently: each span sees the old or
 * the new (sink, ud) pair, never a mix. A span that read the old pair may
 * still be calling it when this returns, so keep the old ud alive until
 * the threads that log have been joined.
 */
void bench_slowlog_set_sink(bench_slowlog_fn sink, void *ud);

/* bench_slowlog_set_sink(bench_slowlog_sink_fd, fd): lines go to fd, which
 * the caller keeps open while it is in use (slowlog never closes it).
 * fd < 0 silences. set_fd(STDERR_FILENO) restores the default. */
void bench_slowlog_set_fd(int fd);

/*
 * The default sink: writes rec->line to the file descriptor (int)(intptr_t)ud
 * with one write(2), retried on EINTR; should the kernel take only part of
 * it (a regular file on a full disk, a terminal), the rest follows. Errors
 * are ignored: a log line must never fail the program. Like any write to a
 * closed pipe, it raises SIGPIPE. Exposed so a sink can tee to an fd.
 */
void bench_slowlog_sink_fd(void *ud, const struct bench_slowlog_record *rec);

/*
 * Sets the listener: one slot, for a profiler or trace writer, called with
 * every record after the sink, even while the sink is silenced. fn NULL
 * clears it; a new listener replaces the old one. Thread-safety and the old
 * ud's lifetime are as for bench_slowlog_set_sink().
 */
void bench_slowlog_set_listener(bench_slowlog_fn fn, void *ud);

/*
 * BENCH_SLOWLOG(name, threshold_s) { ... } times the block (or the single
 * statement) that follows as one span. break and continue inside end the
 * block early and still log, because the block sits in an inner loop of
 * its own (so they never reach a loop around the macro). return, goto and
 * longjmp out of the block skip the end: no line, and the span is lost;
 * use bench_slowlog_begin()/bench_slowlog_end() around such code. Two of
 * these nested on one source line would shadow each other (-Wshadow).
 */
#define BENCH_SLOWLOG(name, threshold_s)                                     \
	BENCH__SLOWLOG((name), (threshold_s),                                 \
		       BENCH__SL_CAT(bench__slowlog_, __LINE__),              \
		       BENCH__SL_CAT(bench__slowlog_once_, __LINE__))

/*
 * BENCH_SLOWLOG_CALL(threshold_s, fn, args...); calls fn(args...) as a span
 * named after fn as written ("fn", like the decorator's func.__name__); a
 * result is discarded. fn takes up to 14 arguments, or none:
 * BENCH_SLOWLOG_CALL(0.5, tick). One statement, usable as an if's body.
 */
#define BENCH_SLOWLOG_CALL(threshold_s, ...)                                 \
	BENCH_SLOWLOG(BENCH__SL_NAME(__VA_ARGS__, ~), threshold_s)            \
		BENCH__SL_CALL(__VA_ARGS__)

/*
 * BENCH_SLOWLOG_ASSIGN(lvalue, threshold_s, fn, args...); is
 * `lvalue = fn(args...)` timed as BENCH_SLOWLOG_CALL times the call: the
 * portable stand-in for a span that yields a value (ISO C has no statement
 * expressions). The assignment is inside the span.
 */
#define BENCH_SLOWLOG_ASSIGN(lvalue, threshold_s, ...)                       \
	BENCH_SLOWLOG(BENCH__SL_NAME(__VA_ARGS__, ~), threshold_s)            \
		(lvalue) = BENCH__SL_CALL(__VA_ARGS__)

/* Internals of the macros above; not API. */
#define BENCH__SLOWLOG(name, threshold_s, s, once)                           \
	for (struct bench_slowlog s = bench_slowlog_begin(name, threshold_s); \
	     s.running; bench_slowlog_end(&s))                                \
		for (int once = 1; once; once = 0)
#define BENCH__SL_CAT(a, b) BENCH__SL_CAT_(a, b)
#define BENCH__SL_CAT_(a, b) a##b
#define BENCH__SL_NAME(fn, ...) #fn
/* fn(args) for 2..15 macro arguments, fn() for one: ISO C11 allows no empty
 * __VA_ARGS__, so the argument count picks the form. */
#define BENCH__SL_CALL(...)                                                  \
	BENCH__SL_CAT(BENCH__SL_CALL_, BENCH__SL_ARITY(__VA_ARGS__))(__VA_ARGS__)
#define BENCH__SL_CALL_1(fn) fn()
#define BENCH__SL_CALL_N(fn, ...) fn(__VA_ARGS__)
#define BENCH__SL_ARITY(...)                                                 \
	BENCH__SL_16TH(__VA_ARGS__, N, N, N, N, N, N, N, N, N, N, N, N, N, N, \
		       1, ~)
#define BENCH__SL_16TH(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12,   \
		       a13, a14, a15, a16, ...) a16

#endif
