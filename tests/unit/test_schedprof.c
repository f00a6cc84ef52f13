/*
 * test_schedprof.c - the grader's estimate of a run's time on idle CPUs
 * (bench/grade/schedprof.h), sampled through run_command's tick.
 *
 * schedprof.c belongs to the CLI (the grader), not the library the unit
 * tests link, so it is compiled into this file. The children are /bin/sh
 * one-liners. Nothing here depends on the machine being quiet: two busy
 * processes want two CPUs however many they get, and a sleeping process
 * sleeps as long on any machine; the assertions are ratios the estimate
 * must show under any load, with wide margins.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <string.h>
#include <unistd.h>

#include "bench/command.h"
#include "../../bench/grade/schedprof.c"

static unsigned ticks;
static pid_t ticked;

static void count_tick(void *arg, pid_t pid)
{
	(void)arg;
	ticks++;
	ticked = pid;
}

/* Runs `sh -c script`, sampled into sp (tick: schedprof_sample) or
 * counted (count_tick); returns the wall time. */
static bench_ns run_sh(const char *script, void (*tick)(void *, pid_t),
		       struct schedprof *sp, pid_t *pid)
{
	char *argv[] = { "/bin/sh", "-c", (char *)script, NULL };
	struct bench_command cmd;
	struct bench_command_result res;
	struct bench_err err = { 0 };
	int rc;

	ck_assert_int_eq(bench_command_init(&cmd, argv, 3, &err), 0);
	cmd.tick = tick;
	cmd.tick_arg = sp;
	cmd.tick_ns = SCHEDPROF_TICK_NS;
	cmd.tree = 1;
	if (sp)
		schedprof_start(sp, bench_clock_now());
	rc = bench_command_run(&cmd, NULL, &res, &err);
	ck_assert_msg(rc == 0, "run failed: %s", err.msg);
	ck_assert_int_eq(res.exited, 1);
	ck_assert_int_eq(res.exit_code, 0);
	if (pid)
		*pid = (pid_t)0;
	bench_command_result_release(&res);
	bench_command_release(&cmd);
	return res.wall_ns;
}

START_TEST(test_tick_called)
{
	bench_ns wall;

	ticks = 0;
	ticked = 0;
	wall = run_sh("sleep 0.2", count_tick, NULL, NULL);
	/* 2 ms ticks over 200 ms: far more than a handful, however busy. */
	ck_assert_msg(ticks >= 5, "%u ticks in %.0f ms", ticks, (double)wall / 1e6);
	ck_assert_int_gt(ticked, 0);
	/* No tick once the run returned. */
	ticks = 0;
	usleep(20000);
	ck_assert_uint_eq(ticks, 0);
}
END_TEST

START_TEST(test_two_busy_want_two_cpus)
{
	struct schedprof sp = { 0 };
	bench_ns one, two;
	double par;

	run_sh("yes >/dev/null & a=$!; yes >/dev/null & b=$!; sleep 0.4; "
	       "kill $a $b; wait",
	       schedprof_sample, &sp, NULL);
	ck_assert_int_eq(sp.broken, 0);
	ck_assert_uint_gt(sp.samples, 10);
	one = schedprof_ideal(&sp, 1);
	two = schedprof_ideal(&sp, 2);
	par = schedprof_parallelism(&sp);
	/* Two processes always ready: about two at a time, and half the
	 * time on two CPUs as on one, whatever CPU share they got. */
	ck_assert_msg(par > 1.5, "parallelism %.2f", par);
	ck_assert_msg(one > 1.6 * two, "one CPU %.1f ms, two %.1f ms",
		      (double)one / 1e6, (double)two / 1e6);
	ck_assert_msg(schedprof_ideal(&sp, 8) <= two + two / 10,
		      "more CPUs than threads cannot help");
	schedprof_free(&sp);
}
END_TEST

START_TEST(test_sleep_counts_in_full)
{
	struct schedprof sp = { 0 };
	bench_ns wall, one;

	wall = run_sh("sleep 0.3", schedprof_sample, &sp, NULL);
	one = schedprof_ideal(&sp, 1);
	/* Sleep takes as long on any machine: most of the 300 ms counts
	 * (the start, while the shell is born, may not), never more than
	 * the wall clock saw, give or take a window of the estimate (the sampler's
	 * clock starts before the child's and its last sample may land
	 * after the child's end: seen 0.1 ms over on a quiet machine). */
	ck_assert_msg(one >= 200 * BENCH_NS_PER_MS && one <= wall + SCHEDPROF_WINDOW_NS,
		      "sleep 0.3 estimated %.1f ms, wall %.1f ms", (double)one / 1e6,
		      (double)wall / 1e6);
	ck_assert_msg(schedprof_ideal(&sp, 4) >= 200 * BENCH_NS_PER_MS,
		      "more CPUs cannot shorten a sleep");
	schedprof_free(&sp);
}
END_TEST

/* A thread that spins for 0.5 ms of its own CPU time. */
static void *spin(void *arg)
{
	struct timespec t;
	double until;

	(void)arg;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	until = (double)t.tv_sec + (double)t.tv_nsec / 1e9 + 0.0005;
	do
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	while ((double)t.tv_sec + (double)t.tv_nsec / 1e9 < until);
	return NULL;
}

/* 200 such threads, one after another: 100 ms of work, serial. */
static int short_threads(void *arg)
{
	(void)arg;
	for (int i = 0; i < 200; i++) {
		pthread_t t;

		if (pthread_create(&t, NULL, spin, NULL) != 0)
			return 1;
		pthread_join(t, NULL);
	}
	return 0;
}

START_TEST(test_short_threads_not_hidden)
{
	struct schedprof sp = { 0 };
	struct bench_command cmd;
	struct bench_command_result res;
	struct bench_err err = { 0 };
	bench_ns one, two;

	/* Threads that live half a millisecond each: no sample sees most
	 * of them, yet their work counts (the process's CPU time), and as
	 * serial work: on two CPUs no faster than on one. */
	ck_assert_int_eq(bench_command_init_fn(&cmd, "short-threads", short_threads,
					       NULL, &err), 0);
	cmd.tick = schedprof_sample;
	cmd.tick_arg = &sp;
	cmd.tick_ns = SCHEDPROF_TICK_NS;
	schedprof_start(&sp, bench_clock_now());
	ck_assert_int_eq(bench_command_run(&cmd, NULL, &res, &err), 0);
	ck_assert_int_eq(res.exit_code, 0);
	bench_command_result_release(&res);
	bench_command_release(&cmd);
	one = schedprof_ideal(&sp, 1);
	two = schedprof_ideal(&sp, 2);
	ck_assert_msg(one >= 60 * BENCH_NS_PER_MS, "100 ms of work in short threads estimated %.1f ms",
		      (double)one / 1e6);
	ck_assert_msg(two * 10 >= one * 7, "serial short threads: %.1f ms on 1 CPU, %.1f on 2",
		      (double)one / 1e6, (double)two / 1e6);
	schedprof_free(&sp);
}
END_TEST

static void *nap(void *arg)
{
	(void)arg;
	usleep(100000);
	return NULL;
}

/* Two waves of twenty threads that sleep 100 ms each. */
static int waves(void *arg)
{
	(void)arg;
	for (int w = 0; w < 2; w++) {
		pthread_t t[20];

		for (int i = 0; i < 20; i++)
			if (pthread_create(&t[i], NULL, nap, NULL) != 0)
				return 1;
		for (int i = 0; i < 20; i++)
			pthread_join(t[i], NULL);
	}
	return 0;
}

START_TEST(test_sleeping_threads_count)
{
	struct schedprof sp = { 0 };
	struct bench_command cmd;
	struct bench_command_result res;
	struct bench_err err = { 0 };
	bench_ns two;

	/* Threads born and ended in waves still sleep 200 ms in all: at
	 * least one wave's worth counts however busy the machine (a
	 * thread woken but waiting for a CPU beside sleeping ones is
	 * taken for work, as a thread blocked on a lock beside a working
	 * one must be). */
	ck_assert_int_eq(bench_command_init_fn(&cmd, "waves", waves, NULL, &err), 0);
	cmd.tick = schedprof_sample;
	cmd.tick_arg = &sp;
	cmd.tick_ns = SCHEDPROF_TICK_NS;
	schedprof_start(&sp, bench_clock_now());
	ck_assert_int_eq(bench_command_run(&cmd, NULL, &res, &err), 0);
	ck_assert_int_eq(res.exit_code, 0);
	two = schedprof_ideal(&sp, 2);
	ck_assert_msg(two >= 100 * BENCH_NS_PER_MS &&
		      two <= res.wall_ns + SCHEDPROF_WINDOW_NS,  /* as above */
		      "two waves of 100 ms naps estimated %.1f ms, wall %.1f ms",
		      (double)two / 1e6, (double)res.wall_ns / 1e6);
	bench_command_result_release(&res);
	bench_command_release(&cmd);
	schedprof_free(&sp);
}
END_TEST

Suite *suite_schedprof(void);
Suite *suite_schedprof(void)
{
	Suite *s = suite_create("schedprof");
	TCase *t = tcase_create("estimate");

	tcase_add_test(t, test_tick_called);
	tcase_add_test(t, test_two_busy_want_two_cpus);
	tcase_add_test(t, test_sleep_counts_in_full);
	tcase_add_test(t, test_short_threads_not_hidden);
	tcase_add_test(t, test_sleeping_threads_count);
	tcase_set_timeout(t, 60);
	suite_add_tcase(s, t);
	return s;
}
