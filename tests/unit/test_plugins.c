/*
 * test_plugins.c - the two plug-in contracts: every executor row and
 * every workload's declared options, and the spawn executor (added as one
 * file and one list line) agreeing with serial on every workload.
 */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "bench/bench.h"
#include "check_util.h"

/* Every row of the executor list is complete and consistent. */
START_TEST(test_executor_rows)
{
	unsigned references = 0;

	for (size_t i = 0; bench_executors[i]; i++) {
		const struct bench_executor *ex = bench_executors[i];

		ck_assert_msg(ex->name && *ex->name && ex->summary,
			      "row %zu has no name or summary", i);
		ck_assert_msg(!ex->run != !ex->sample,
			      "%s: exactly one of run and sample", ex->name);
		/* A launched executor needs the job hooks and is no default. */
		if (ex->flags & BENCH_EXEC_LAUNCHED)
			ck_assert_msg(ex->job && ex->agree && ex->check &&
					      !(ex->flags & BENCH_EXEC_DEFAULT),
				      "%s: launched without its job hooks", ex->name);
		references += !!(ex->flags & BENCH_EXEC_REFERENCE);
		for (size_t k = 0; k < i; k++)
			ck_assert_str_ne(bench_executors[k]->name, ex->name);
	}
	ck_assert_uint_eq(references, 1);
	ck_assert_ptr_eq(bench_executor_find("spawn"), MODE(spawn));
	ck_assert(!(MODE(spawn)->flags & BENCH_EXEC_DEFAULT));
}
END_TEST

/* Every workload's options are well formed. */
START_TEST(test_option_declarations)
{
	for (size_t w = 0; bench_workloads[w]; w++) {
		const struct bench_workload *wl = bench_workloads[w];
		unsigned n = bench_workload_noptions(wl);

		ck_assert_uint_le(n, BENCH_OPTS_MAX);
		for (unsigned k = 0; k < n; k++) {
			const struct bench_option *o = &wl->options[k];

			ck_assert_msg(o->help && *o->help, "%s --%s: no help",
				      wl->name, o->name);
			ck_assert_msg(strcmp(o->name, "size") != 0 &&
					      strcmp(o->name, "seed") != 0,
				      "%s redeclares --%s", wl->name, o->name);
			if (o->kind == BENCH_OPT_NUMBER)
				ck_assert_msg(o->min <= o->def && o->def <= o->max,
					      "%s --%s: default outside its range",
					      wl->name, o->name);
			if (o->kind != BENCH_OPT_FLAG)
				ck_assert_ptr_nonnull(o->arg);
			for (unsigned d = 0; d < k; d++)
				ck_assert_str_ne(wl->options[d].name, o->name);
		}
	}
}
END_TEST

/* Options given are checked against the workload's declarations, the
 * others take their defaults, in declaration order, and a second call
 * changes nothing. */
START_TEST(test_params_by_declaration)
{
	const struct bench_workload *search = bench_workload_find("search");
	const struct bench_workload *events = bench_workload_find("events");
	const struct bench_workload *hash = bench_workload_find("hash");
	struct bench_params p = { 0 };
	struct bench_err err = { 0 };

	ck_assert_int_eq(bench_workload_params(search, &p, &err), 0);
	ck_assert_uint_eq(p.nopts, 1);
	ck_assert_uint_eq(bench_params_num(&p, "queries"), 1000);
	ck_assert_uint_eq(p.seed, 1);
	ck_assert_uint_eq(p.size, search->default_size);

	memset(&p, 0, sizeof(p));
	bench_params_set(&p, "queries", 7, NULL);
	ck_assert_int_eq(bench_workload_params(search, &p, &err), 0);
	ck_assert_uint_eq(bench_params_num(&p, "queries"), 7);

	memset(&p, 0, sizeof(p));
	bench_params_set(&p, "queries", 0, NULL);
	ck_assert_int_eq(bench_workload_params(search, &p, &err), BENCH_EINVAL);
	assert_contains(err.msg, "--queries 0 is out of range for search");

	memset(&p, 0, sizeof(p));
	memset(&err, 0, sizeof(err));
	bench_params_set(&p, "queries", 5, NULL);
	ck_assert_int_eq(bench_workload_params(hash, &p, &err), BENCH_EINVAL);
	assert_contains(err.msg, "--queries is not an option of hash");

	memset(&p, 0, sizeof(p));
	bench_params_set(&p, "strict", 1, NULL);
	ck_assert_int_eq(bench_workload_params(events, &p, &err), 0);
	ck_assert_uint_eq(p.nopts, 3);
	ck_assert_str_eq(p.opts[0].name, "input");
	ck_assert_ptr_null(p.opts[0].text);
	ck_assert_str_eq(p.opts[1].name, "type");
	ck_assert_str_eq(p.opts[1].text, "purchase");
	ck_assert_str_eq(p.opts[2].name, "strict");
	ck_assert_uint_eq(p.opts[2].num, 1);
	ck_assert_int_eq(bench_workload_params(events, &p, &err), 0);
	ck_assert_uint_eq(p.nopts, 3);
	ck_assert_str_eq(bench_params_text(&p, "type"), "purchase");

	memset(&p, 0, sizeof(p));
	memset(&err, 0, sizeof(err));
	bench_params_set(&p, "type", 0, "");
	ck_assert_int_eq(bench_workload_params(events, &p, &err), BENCH_EINVAL);
	assert_contains(err.msg, "--type");

	/* A full set of parameters refuses one more. */
	memset(&p, 0, sizeof(p));
	for (unsigned k = 0; k < BENCH_OPTS_MAX; k++) {
		static const char *const names[] = { "a", "b", "c", "d" };

		ck_assert_int_eq(bench_params_set(&p, names[k % 4], k, NULL), 0);
	}
	ck_assert_int_eq(bench_params_set(&p, "e", 1, NULL), BENCH_EINVAL);
	ck_assert_int_eq(bench_params_set(&p, "a", 9, NULL), 0);
	ck_assert_uint_eq(bench_params_num(&p, "a"), 9);
}
END_TEST

/* spawn gives serial's checksum on every workload (indexed, streaming,
 * staged, dependencies), at several worker counts and chunks. */
START_TEST(test_spawn_agrees)
{
	const struct bench_workload *wl = bench_workloads[_i];
	struct bench_params p = { .size = wl->stages > 1 || wl->next_batch ? 700 :
					   wl->deps ? 12 : 300 };
	char ref[BENCH_CHECKSUM_MAX], sum[BENCH_CHECKSUM_MAX];
	struct bench_sample s;
	void *state;

	if (wl->flags & BENCH_WL_WAITS)
		bench_params_set(&p, "max-ms", 2, NULL);
	if (!strcmp(wl->name, "search"))
		bench_params_set(&p, "queries", 40, NULL);
	state = prepare(wl, &p);
	exec_ok(MODE(serial), wl, state, 1, 1, &s, ref);
	for (unsigned workers = 1; workers <= 3; workers++) {
		static const uint64_t chunks[] = { 7, 100 };

		for (size_t c = 0; c < 2; c++) {
			exec_ok(MODE(spawn), wl, state, workers, chunks[c], &s,
				sum);
			ck_assert_msg(strcmp(sum, ref) == 0,
				      "%s: spawn x%u chunk %" PRIu64 " gave %s, serial %s",
				      wl->name, workers, chunks[c], sum, ref);
		}
	}
	wl->release(state);
	assert_no_child();
}
END_TEST

/* A child that dies is named with its task and signal; none is left. */
START_TEST(test_spawn_crash)
{
	const struct bench_workload *wl = bench_workload_find("range");
	struct bench_params p = { .size = 100 };
	void *state = prepare(wl, &p);

	no_core_dumps();
	for (unsigned workers = 1; workers <= 3; workers += 2) {
		struct bench_exec_opts o = { .workers = workers, .chunk = 10,
					     .crash_task = 4, .crash_set = 1 };
		struct bench_err err = { 0 };
		struct bench_sample s;
		int rc = bench_exec(MODE(spawn), wl, state, &o, &s, &err);

		ck_assert_msg(rc == BENCH_EWORKER, "%s (%s)", bench_strerror(rc),
			      err.msg);
		assert_contains(err.msg, "task 4");
		assert_contains(err.msg, "items 40..49");
		assert_contains(err.msg, "SIGABRT");
		assert_no_child();
	}
	wl->release(state);
}
END_TEST

/* bench_cancel() stops spawn within a task, every child killed and
 * reaped. */
START_TEST(test_spawn_cancel)
{
	const struct bench_workload *wl = bench_workload_find("sleep");
	struct bench_params p = { .size = 40, ONE_OPT("max-ms", 200) };
	struct bench_exec_opts o = { .workers = 4, .chunk = 1 };
	struct bench_err err = { 0 };
	struct bench_sample s;
	void *state = prepare(wl, &p);
	long ms = 50;
	pthread_t t;
	int rc;

	bench_cancel_reset();
	pthread_create(&t, NULL, cancel_after_ms, &ms);
	rc = bench_exec(MODE(spawn), wl, state, &o, &s, &err);
	pthread_join(t, NULL);
	bench_cancel_reset();
	ck_assert_msg(rc == BENCH_ECANCELED, "%s (%s)", bench_strerror(rc),
		      err.msg);
	assert_no_child();
	wl->release(state);
}
END_TEST

Suite *suite_plugins(void)
{
	Suite *s = suite_create("plugins");
	TCase *rows = tcase_create("rows");
	TCase *spawn = tcase_create("spawn");
	int n = 0;

	while (bench_workloads[n])
		n++;
	tcase_add_test(rows, test_executor_rows);
	tcase_add_test(rows, test_option_declarations);
	tcase_add_test(rows, test_params_by_declaration);
	suite_add_tcase(s, rows);
	tcase_add_loop_test(spawn, test_spawn_agrees, 0, n);
	tcase_add_test(spawn, test_spawn_crash);
	tcase_add_test(spawn, test_spawn_cancel);
	tcase_set_timeout(spawn, 120);
	suite_add_tcase(s, spawn);
	return s;
}
