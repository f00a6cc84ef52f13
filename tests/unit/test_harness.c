/*
 * test_harness.c - the harness: samples interleaved round by round with a
 * rotating start, every case verified against the first checksum of its
 * size, options checked, failures passed on.
 */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include "bench/bench.h"
#include "check_util.h"

/* ------------------------------------------------------------------ */
/* The harness                                                         */

struct progress_log {
	unsigned calls;
	struct bench_progress p[64];
};

static void log_progress(void *ud, const struct bench_progress *p)
{
	struct progress_log *log = ud;

	if (log->calls < 64)
		log->p[log->calls] = *p;
	log->calls++;
}

START_TEST(test_harness_run)
{
	struct progress_log log = { 0 };
	struct bench_run_opts o = {
		.wl = find("range"),
		.params = { .size = 1000, .seed = 5 },
		.workers = 2,
		.repeat = 3,
		.warmup = 1,
		.warmup_set = 1,
		.progress = log_progress,
		.progress_ud = &log,
	};
	struct bench_err err = { 0 };
	struct bench_report *r = NULL;
	char ref[BENCH_CHECKSUM_MAX];
	void *state;
	struct bench_sample s;
	struct bench_params p = o.params;
	int rc;

	rc = bench_run(&o, &r, &err);
	ck_assert_msg(rc == 0, "bench_run: %s", err.msg);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->nresults, n_local());
	ck_assert_uint_eq(r->items, 1000);
	/* Automatic chunk: ceil(1000 / (4 * 2)) = 125, so 8 tasks. */
	ck_assert_uint_eq(r->chunk, 125);
	ck_assert_uint_eq(r->tasks, 8);
	ck_assert_uint_eq(r->repeat, 3);
	ck_assert_uint_eq(r->warmup, 1);

	/* The reference checksum, computed apart from the harness. */
	state = prepare(o.wl, &p);
	exec_ok(MODE(serial), o.wl, state, 1, 1, &s, ref);
	o.wl->release(state);

	for (size_t i = 0; i < r->nresults; i++) {
		const struct bench_mode_result *mr = &r->results[i];

		ck_assert_ptr_eq(mr->mode, local_mode((int)i));
		ck_assert_uint_eq(mr->nsamples, 3);
		ck_assert_str_eq(mr->checksum, ref);
		ck_assert(mr->verified);
		ck_assert_uint_eq(mr->wall.n, 3);
		for (size_t k = 0; k < mr->nsamples; k++)
			ck_assert_uint_gt(mr->wall_ns[k], 0);
		if (mr->mode == MODE(serial)) {
			ck_assert_uint_eq(mr->workers, 1);
			ck_assert_msg(mr->speedup == 1.0, "serial speedup %g",
				      mr->speedup);
			ck_assert_msg(mr->efficiency == 1.0,
				      "serial efficiency %g", mr->efficiency);
		} else {
			ck_assert_uint_eq(mr->workers, 2);
			ck_assert(mr->speedup > 0);
		}
	}

	/* One progress call per sample, warmup first, and the starting mode
	 * rotating from round to round. */
	ck_assert_uint_eq(log.calls, 4 * n_local());
	for (unsigned c = 0; c < log.calls; c++) {
		unsigned round = c / n_local(), j = c % n_local();

		ck_assert_uint_eq(log.p[c].round, round + 1);
		ck_assert_uint_eq(log.p[c].rounds, 4);
		ck_assert_int_eq(log.p[c].warmup, round == 0);
		ck_assert_ptr_eq(log.p[c].mode,
				 local_mode((int)((j + round) % n_local())));
	}
	bench_report_destroy(r);
	bench_report_destroy(NULL);
	assert_no_child();
}
END_TEST

START_TEST(test_harness_bad_options)
{
	struct bench_run_opts o = {
		.wl = find("range"),
		.params = { .size = 100 },
		.workers = 2,
		.repeat = 2,
	};
	struct bench_err err = { 0 };
	struct bench_report *r = (struct bench_report *)&o;

	/* A chunk larger than the run. */
	o.chunk = 101;
	ck_assert_int_eq(bench_run(&o, &r, &err), BENCH_EINVAL);
	ck_assert_ptr_null(r);
	assert_contains(err.msg, "--chunk");

	/* A mode listed twice. */
	memset(&err, 0, sizeof(err));
	o.chunk = 10;
	o.nmodes = 2;
	o.modes[0] = MODE(thread);
	o.modes[1] = MODE(thread);
	ck_assert_int_eq(bench_run(&o, &r, &err), BENCH_EINVAL);
	ck_assert_ptr_null(r);
	assert_contains(err.msg, "thread");

	/* An unknown mode. */
	memset(&err, 0, sizeof(err));
	o.modes[1] = NULL;
	ck_assert_int_eq(bench_run(&o, &r, &err), BENCH_EINVAL);

	/* mpi outside an MPI job says how to get one. */
	memset(&err, 0, sizeof(err));
	o.modes[1] = MODE(mpi);
	ck_assert_int_eq(bench_run(&o, &r, &err), BENCH_EINVAL);
	ck_assert_ptr_null(r);
	assert_contains(err.msg, "mpirun");

	/* Too many workers; no workload. */
	memset(&err, 0, sizeof(err));
	o.nmodes = 0;
	o.workers = BENCH_WORKERS_MAX + 1;
	ck_assert_int_eq(bench_run(&o, &r, &err), BENCH_EINVAL);
	assert_contains(err.msg, "--workers");
	memset(&err, 0, sizeof(err));
	o.workers = 2;
	o.wl = NULL;
	ck_assert_int_eq(bench_run(&o, &r, &err), BENCH_EINVAL);

	/* A size over the workload's maximum names the parameter. */
	memset(&err, 0, sizeof(err));
	o.wl = find("range");
	o.params.size = o.wl->max_size + 1;
	ck_assert_int_eq(bench_run(&o, &r, &err), BENCH_EINVAL);
	assert_contains(err.msg, "--size");

	/* A subset of modes in a given order is fine. */
	memset(&err, 0, sizeof(err));
	o.params.size = 100;
	o.nmodes = 2;
	o.modes[0] = MODE(async);
	o.modes[1] = MODE(serial);
	ck_assert_msg(bench_run(&o, &r, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(r->nresults, 2);
	ck_assert_ptr_eq(r->results[0].mode, MODE(async));
	ck_assert_ptr_eq(r->results[1].mode, MODE(serial));
	ck_assert(r->results[1].speedup == 1.0);
	bench_report_destroy(r);
}
END_TEST

/*
 * nmodes larger than the modes array: must be BENCH_EINVAL, decided
 * without reading past modes[BENCH_EXECUTORS_MAX - 1].
 */
START_TEST(test_harness_too_many_modes)
{
	struct bench_run_opts o = {
		.wl = find("range"),
		.params = { .size = 100 },
		.workers = 2,
		.repeat = 2,
		.modes = { MODE(serial), MODE(thread),
			   MODE(process), MODE(async) },
		.nmodes = BENCH_EXECUTORS_MAX + 1,
	};
	struct bench_err err = { 0 };
	struct bench_report *r = NULL;

	ck_assert_int_eq(bench_run(&o, &r, &err), BENCH_EINVAL);
	ck_assert_ptr_null(r);
}
END_TEST

START_TEST(test_auto_chunk)
{
	ck_assert_uint_eq(bench_auto_chunk(find("hash"), 1000, 2), 125);
	ck_assert_uint_eq(bench_auto_chunk(find("hash"), 1001, 2), 126);
	ck_assert_uint_eq(bench_auto_chunk(find("hash"), 3, 8), 1);
	ck_assert_uint_eq(bench_auto_chunk(find("hash"), 100, 0), 25);
	ck_assert_uint_eq(bench_auto_chunk(find("sleep"), 1000, 2), 1);
}
END_TEST

/* The harness passes the crash on, as BENCH_EWORKER. */
START_TEST(test_harness_crash)
{
	struct bench_run_opts o = {
		.wl = find("range"),
		.params = { .size = 100 },
		.workers = 2,
		.chunk = 10,
		.repeat = 2,
		.modes = { MODE(serial), MODE(process) },
		.nmodes = 2,
		.crash_task = 3,
		.crash_set = 1,
	};
	struct bench_err err = { 0 };
	struct bench_report *r = NULL;

	no_core_dumps();
	ck_assert_int_eq(bench_run(&o, &r, &err), BENCH_EWORKER);
	ck_assert_ptr_null(r);
	assert_contains(err.msg, "SIGABRT");
	assert_no_child();
}
END_TEST

Suite *suite_harness(void)
{
	Suite *s = suite_create("harness");
	TCase *harness = tcase_create("harness");

	tcase_add_test(harness, test_harness_run);
	tcase_add_test(harness, test_harness_bad_options);
	tcase_add_test(harness, test_harness_too_many_modes);
	tcase_add_test(harness, test_auto_chunk);
	tcase_add_test(harness, test_harness_crash);
	tcase_set_timeout(harness, 60);
	suite_add_tcase(s, harness);
	return s;
}
