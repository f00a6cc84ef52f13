/*
 * check_util.h - small helpers shared by the unit-test suites.
 */
#ifndef BENCH_CHECK_UTIL_H
#define BENCH_CHECK_UTIL_H

#include <check.h>
#include <inttypes.h>
#include <math.h>

#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include "bench/bench.h"

/* The workload called name. */
static inline const struct bench_workload *find(const char *name)
{
	const struct bench_workload *wl = bench_workload_find(name);

	ck_assert_msg(wl != NULL, "no workload called '%s'", name);
	return wl;
}

/* Applies defaults to p and prepares wl; the state must be released. */
static inline void *prepare(const struct bench_workload *wl,
			    struct bench_params *p)
{
	struct bench_err err = { 0 };
	void *state = NULL;

	ck_assert_msg(bench_workload_params(wl, p, &err) == 0, "%s: %s",
		      wl->name, err.msg);
	ck_assert_msg(wl->prepare(p, &state, &err) == 0, "%s: prepare: %s",
		      wl->name, err.msg);
	ck_assert_ptr_nonnull(state);
	return state;
}

/* One sample that must succeed; its checksum goes to sum. */
static inline void exec_ok(const struct bench_executor *mode,
			   const struct bench_workload *wl, void *state,
			   unsigned workers, uint64_t chunk,
			   struct bench_sample *s, char *sum)
{
	struct bench_exec_opts o = { .workers = workers, .chunk = chunk };
	struct bench_err err = { 0 };
	int rc;

	if (wl->rewind)
		ck_assert_int_eq(wl->rewind(state, &err), 0);
	rc = bench_exec(mode, wl, state, &o, s, &err);
	ck_assert_msg(rc == 0,
		      "%s in %s mode, %u workers, chunk %" PRIu64 ": %s (%s)",
		      wl->name, mode->name, workers, chunk,
		      bench_strerror(rc), err.msg);
	ck_assert_int_eq(err.code, 0);
	wl->checksum(s->result, sum);
}

/* Keeps an aborting worker from writing a core file. */
static inline void no_core_dumps(void)
{
	struct rlimit rl = { 0, 0 };

	ck_assert_int_eq(setrlimit(RLIMIT_CORE, &rl), 0);
}

/* The executor called name; tests name executors freely. */
static inline const struct bench_executor *mode_named(const char *name)
{
	const struct bench_executor *ex = bench_executor_find(name);

	ck_assert_msg(ex != NULL, "no executor '%s'", name);
	return ex;
}
#define MODE(name) mode_named(#name)

/* The modes of a default run (BENCH_EXEC_DEFAULT), in list order: how
 * many, and the i-th. */
static inline int n_local(void)
{
	int n = 0;

	for (size_t i = 0; bench_executors[i]; i++)
		n += !!(bench_executors[i]->flags & BENCH_EXEC_DEFAULT);
	return n;
}

static inline const struct bench_executor *local_mode(int k)
{
	for (size_t i = 0; bench_executors[i]; i++)
		if (bench_executors[i]->flags & BENCH_EXEC_DEFAULT && k-- == 0)
			return bench_executors[i];
	return NULL;
}

/* Initialiser fields for parameters with one numeric option:
 * { .size = 5, ONE_OPT("queries", 200) }. */
#define ONE_OPT(name, value) .opts = { { (name), (value), NULL } }, .nopts = 1

/* Asserts that the test process has no child left, reaped or not. */
static inline void assert_no_child(void)
{
	pid_t pid;

	errno = 0;
	pid = waitpid(-1, NULL, WNOHANG);
	ck_assert_msg(pid == -1 && errno == ECHILD,
		      "a child is left behind: waitpid gave %d (%s)", (int)pid,
		      strerror(errno));
}

/* Asserts that hay mentions needle, printing both. */
static inline void assert_contains(const char *hay, const char *needle)
{
	ck_assert_msg(strstr(hay, needle) != NULL, "'%s' does not mention '%s'",
		      hay, needle);
}

/* A thread body: waits *(long *)arg milliseconds, then bench_cancel(). */
static inline void *cancel_after_ms(void *arg)
{
	long ms = *(const long *)arg;
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
	bench_cancel();
	return NULL;
}

/* Every suite's constructor, declared from the one list in suites.h. */
#define SUITE(name) Suite *suite_##name(void);
#include "suites.h"
#undef SUITE

/* Asserts |a - b| <= tol, printing both sides. */
#define ASSERT_NEAR(a, b, tol)                                               \
	ck_assert_msg(fabs((double)(a) - (double)(b)) <= (tol),              \
		      "%s = %.9g, expected %s = %.9g (tolerance %g)", #a,     \
		      (double)(a), #b, (double)(b), (double)(tol))

#endif
