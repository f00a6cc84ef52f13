/*
 * test_exec.c - the executors: every mode must compute exactly what
 * serial computes, whatever the workers and the chunk.
 *
 * The heart is the cross-mode table: each built-in workload, at several
 * seeds and sizes (1, and sizes the chunk does not divide), is run in all
 * four modes with 1, 2, 3 and 8 workers and chunks of 1, 7 and everything,
 * and its checksum compared with serial's. The checksums are shown to
 * depend on seed and size, and on the workload's real answers (recomputed
 * here from the generator and OpenSSL), so a mode that drops, repeats or
 * misplaces an item cannot pass.
 *
 * A small streaming workload defined below ("lines") drives the batch path
 * of the source and the payload path of the process pool; the same lines
 * with split hooks ("plines") drive the process pool's split streams,
 * whose workers read parts of the stream themselves, and "refuse", an
 * indexed workload that fails on one item, its shared-memory claims.
 * Events read from a file on disk, with bad lines, check that a split
 * stream keeps serial's line numbers, --strict and checksum. Timing tests
 * assert only what physics guarantees. Sizes are small so the suite runs in
 * seconds, and in well under its timeouts under ThreadSanitizer.
 */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "lib/rng.h"
#include "workloads/common.h"
#include "bench/bench.h"
#include "check_util.h"

#define MS BENCH_NS_PER_MS

static const unsigned worker_counts[] = { 1, 2, 3, 8 };
static const uint64_t seeds[] = { 1, 2, 0x5eed5eed };

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static uint64_t ceil_div(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

static size_t workload_count(void)
{
	size_t n = 0;

	while (bench_workloads[n])
		n++;
	return n;
}

/* ------------------------------------------------------------------ */
/* "lines": a streaming test workload                                  */

/*
 * An in-memory text of n lines "<k>:<padding>\n", k = 1..n, padding of
 * varying length. Each batch is up to max_items whole lines, copied into
 * one reused buffer the way a file reader would fill it, and the previous
 * batch is scribbled over first: the bytes are valid only until the next
 * call, so an executor that kept the pointer instead of copying would
 * parse garbage. run() parses the batch bytes, checks the line numbers
 * against the task's first and count, and folds each line number k in:
 * items, the sum of k and the sum of mix64(k). A line lost or counted
 * twice changes the sums.
 */
struct lines_state {
	uint64_t n;         /* lines */
	char *text;
	size_t len;         /* bytes of text */
	char *batch;        /* the current batch's bytes, reused */
	size_t batch_len, batch_cap;
	size_t pos;         /* stream position, bytes */
	size_t begin, end;  /* the part split() chose, bytes */
	int part;           /* split() chose a part; else the whole text */
	uint64_t next;      /* index of the next line to hand out */
	uint64_t batches;   /* batches handed out since the rewind */
	uint64_t fail_batch; /* next_batch fails on this 1-based batch; 0 never */
	uint64_t bad_line;  /* run() fails on this line number; 0 never */
};

struct lines_partial {
	uint64_t items;
	uint64_t sum;    /* sum of line numbers */
	uint64_t mixed;  /* sum of mix64(line number) */
};

static int lines_prepare(const struct bench_params *p, void **out,
			 struct bench_err *err)
{
	struct lines_state *s = calloc(1, sizeof(*s));
	size_t cap = (size_t)p->size * 40 + 1;

	if (!s || !(s->text = malloc(cap))) {
		free(s);
		return bench_err_set(err, BENCH_ENOMEM, "lines: out of memory");
	}
	s->n = p->size;
	for (uint64_t k = 1; k <= s->n; k++)
		s->len += (size_t)snprintf(s->text + s->len, cap - s->len,
					   "%" PRIu64 ":%.*s\n", k,
					   (int)((k * 7) % 13), "xxxxxxxxxxxxx");
	*out = s;
	return 0;
}

static void lines_release(void *state)
{
	struct lines_state *s = state;

	if (!s)
		return;
	free(s->text);
	free(s->batch);
	free(s);
}

static int lines_next_batch(void *state, uint64_t max_items,
			    struct bench_task *task, struct bench_err *err)
{
	struct lines_state *s = state;
	size_t start = s->pos, stop = s->part ? s->end : s->len;
	uint64_t count = 0;

	if (s->pos >= stop)
		return 0;
	if (++s->batches == s->fail_batch)
		return bench_err_set(err, BENCH_ESYS,
				     "lines: read error at batch %" PRIu64,
				     s->batches);
	while (count < max_items && s->pos < stop) {
		while (s->text[s->pos] != '\n')
			s->pos++;
		s->pos++;
		count++;
	}
	if (s->pos - start > s->batch_cap) {
		char *b = realloc(s->batch, s->pos - start);

		if (!b)
			return bench_err_set(err, BENCH_ENOMEM,
					     "lines: out of memory");
		s->batch = b;
		s->batch_cap = s->pos - start;
	}
	if (s->batch_len)
		memset(s->batch, '#', s->batch_len);
	s->batch_len = s->pos - start;
	memcpy(s->batch, s->text + start, s->batch_len);
	memset(task, 0, sizeof(*task));
	task->first = s->next;
	task->count = count;
	task->data = s->batch;
	task->len = s->batch_len;
	s->next += count;
	return 1;
}

static int lines_rewind(void *state, struct bench_err *err)
{
	struct lines_state *s = state;

	(void)err;
	s->pos = s->begin;
	s->next = 0;
	s->batches = 0;
	return 0;
}

/* The first line start at or after part/parts of the text. */
static size_t lines_cut(const struct lines_state *s, unsigned part,
			unsigned parts)
{
	size_t at = (size_t)((uint64_t)s->len * part / parts);

	if (at == 0 || at >= s->len)
		return at >= s->len ? s->len : 0;
	while (s->text[at - 1] != '\n')
		at++;
	return at;
}

/* Part part of parts, as events splits a file: cut at line starts, its
 * lines counted. The batches counter runs on across parts (per process),
 * so fail_batch still fails a worker that reads several small parts. */
static int lines_split(void *state, unsigned part, unsigned parts,
		       uint64_t *items, struct bench_err *err)
{
	struct lines_state *s = state;
	size_t begin = lines_cut(s, part, parts);
	size_t end = part + 1 == parts ? s->len : lines_cut(s, part + 1, parts);

	(void)err;
	if (items) {
		*items = 0;
		for (size_t i = begin; i < end; i++)
			*items += s->text[i] == '\n';
	}
	s->begin = s->pos = begin;
	s->end = end;
	s->part = parts > 1;
	s->next = 0;
	return 0;
}

static void lines_split_first(void *state, uint64_t first)
{
	((struct lines_state *)state)->next = first;
}

static void lines_init(void *partial)
{
	memset(partial, 0, sizeof(struct lines_partial));
}

static int lines_run(const void *state, const struct bench_task *task,
		     void *partial, struct bench_err *err)
{
	const struct lines_state *s = state;
	struct lines_partial *p = partial;
	const char *c = task->data, *end = c + task->len;
	uint64_t seen = 0;

	if (task->count && !task->data)
		return bench_err_set(err, BENCH_EINVAL,
				     "lines: task %" PRIu64 " has no bytes",
				     task->index);
	while (c < end) {
		uint64_t k = 0;

		while (c < end && *c >= '0' && *c <= '9')
			k = k * 10 + (uint64_t)(*c++ - '0');
		if (c == end || *c != ':')
			return bench_err_set(err, BENCH_EINVAL,
					     "lines: malformed line in task %" PRIu64,
					     task->index);
		while (c < end && *c != '\n')
			c++;
		c++;
		if (k != task->first + seen + 1)
			return bench_err_set(err, BENCH_EINVAL,
					     "lines: line %" PRIu64 " where %" PRIu64
					     " was expected", k,
					     task->first + seen + 1);
		if (k == s->bad_line)
			return bench_err_set(err, BENCH_EINVAL,
					     "lines: bad line %" PRIu64, k);
		seen++;
		p->items++;
		p->sum += k;
		p->mixed += bench__mix64(k);
	}
	if (seen != task->count)
		return bench_err_set(err, BENCH_EINVAL,
				     "lines: task %" PRIu64 " holds %" PRIu64
				     " lines, not %" PRIu64, task->index, seen,
				     task->count);
	return 0;
}

static void lines_merge(void *acc, const void *partial)
{
	struct lines_partial *a = acc;
	const struct lines_partial *p = partial;

	a->items += p->items;
	a->sum += p->sum;
	a->mixed += p->mixed;
}

static void lines_checksum(const void *acc, char *out)
{
	const struct lines_partial *a = acc;

	snprintf(out, BENCH_CHECKSUM_MAX, "%016" PRIx64 ":%" PRIu64 ":%" PRIu64,
		 a->mixed, a->sum, a->items);
}

static const struct bench_workload lines_wl = {
	.name = "lines",
	.summary = "test: numbered lines streamed in batches",
	.item_desc = "lines",
	.default_size = 100,
	.max_size = 1000000,
	.partial_size = sizeof(struct lines_partial),
	.prepare = lines_prepare,
	.release = lines_release,
	.next_batch = lines_next_batch,
	.rewind = lines_rewind,
	.partial_init = lines_init,
	.run = lines_run,
	.merge = lines_merge,
	.checksum = lines_checksum,
};

/* The same lines, splittable. */
static const struct bench_workload plines_wl = {
	.name = "plines",
	.summary = "test: numbered lines, split into parts",
	.item_desc = "lines",
	.default_size = 100,
	.max_size = 1000000,
	.partial_size = sizeof(struct lines_partial),
	.prepare = lines_prepare,
	.release = lines_release,
	.next_batch = lines_next_batch,
	.rewind = lines_rewind,
	.split = lines_split,
	.split_first = lines_split_first,
	.partial_init = lines_init,
	.run = lines_run,
	.merge = lines_merge,
	.checksum = lines_checksum,
};

/* ------------------------------------------------------------------ */
/* "refuse": an indexed workload that fails on one item                */

struct refuse_state {
	uint64_t n;      /* items */
	uint64_t bad;    /* run() fails on this item */
};

static uint64_t refuse_count(const void *state)
{
	return ((const struct refuse_state *)state)->n;
}

static void refuse_init(void *partial)
{
	memset(partial, 0, sizeof(uint64_t));
}

static int refuse_run(const void *state, const struct bench_task *task,
		      void *partial, struct bench_err *err)
{
	const struct refuse_state *s = state;

	for (uint64_t i = task->first; i < task->first + task->count; i++) {
		if (i == s->bad)
			return bench_err_set(err, BENCH_EINVAL,
					     "refuse: item %" PRIu64 " refused", i);
		*(uint64_t *)partial += i;
	}
	return 0;
}

static void refuse_merge(void *acc, const void *partial)
{
	*(uint64_t *)acc += *(const uint64_t *)partial;
}

static void refuse_checksum(const void *acc, char *out)
{
	snprintf(out, BENCH_CHECKSUM_MAX, "%" PRIu64, *(const uint64_t *)acc);
}

static const struct bench_workload refuse_wl = {
	.name = "refuse",
	.summary = "test: indexed items, one refused",
	.item_desc = "items",
	.default_size = 100,
	.max_size = 1000000,
	.partial_size = sizeof(uint64_t),
	.item_count = refuse_count,
	.partial_init = refuse_init,
	.run = refuse_run,
	.merge = refuse_merge,
	.checksum = refuse_checksum,
};

static void *lines_make(uint64_t n)
{
	struct bench_params p = { .size = n };
	struct bench_err err = { 0 };
	void *state = NULL;

	/* Not through bench_workload_params: n = 0 must stay 0. */
	ck_assert_int_eq(lines_prepare(&p, &state, &err), 0);
	return state;
}

/* What every mode must produce for n lines, worked out directly. */
static void lines_expected(uint64_t n, char *sum)
{
	struct lines_partial want = { n, n * (n + 1) / 2, 0 };

	for (uint64_t k = 1; k <= n; k++)
		want.mixed += bench__mix64(k);
	lines_checksum(&want, sum);
}

/* ------------------------------------------------------------------ */
/* Cross-mode agreement of the built-in workloads                      */

/* Small parameter sets for workload wl, case k (0..2); returns 0 past
 * the last case. Items: 1, and counts that 7 does not divide. */
static int small_params(const struct bench_workload *wl, int k,
			struct bench_params *p)
{
	memset(p, 0, sizeof(*p));
	if (k > 2)
		return 0;
	if (wl->flags & BENCH_WL_WAITS) {
		static const uint64_t sizes[] = { 1, 5, 9 };

		p->size = sizes[k];
		bench_params_set(p, "max-ms", 2, NULL);
	} else if (strcmp(wl->name, "search") == 0) {
		/* Items are the queries; the list length sets their cost. */
		static const uint64_t sizes[] = { 3000, 2999, 1 };
		static const uint64_t queries[] = { 1, 53, 50 };

		p->size = sizes[k];
		bench_params_set(p, "queries", queries[k], NULL);
	} else {
		static const uint64_t sizes[] = { 1, 50, 2001 };

		p->size = sizes[k];
	}
	return 1;
}

/* Tasks one sample of wl runs over items at chunk: a dependency graph
 * runs one item per task; a staged workload adds one task per item of
 * each later stage. */
static uint64_t expected_tasks(const struct bench_workload *wl, void *state,
			       uint64_t items, uint64_t chunk)
{
	struct bench_err err = { 0 };
	uint64_t tasks = ceil_div(items, wl->deps ? 1 : chunk);

	for (unsigned st = 1; st < wl->stages; st++) {
		ck_assert_int_eq(wl->stage_begin(state, st, &err), 0);
		tasks += wl->item_count(state);
	}
	if (wl->stages > 1)
		ck_assert_int_eq(wl->stage_begin(state, 0, &err), 0);
	return tasks;
}

/*
 * The tasks a sample ran. A stream the workload can split is read by the
 * process pool in parts, each worker reading its own, and a batch never
 * spans two parts: then there are at least the whole pass's batches and
 * at most one per item.
 */
static void assert_tasks(const struct bench_executor *mode,
			 const struct bench_workload *wl, void *state,
			 uint64_t items, uint64_t chunk, uint64_t tasks)
{
	if (mode == MODE(process) && wl->split) {
		ck_assert_uint_ge(tasks, ceil_div(items, chunk));
		ck_assert_uint_le(tasks, items);
		return;
	}
	ck_assert_uint_eq(tasks, expected_tasks(wl, state, items, chunk));
}

/* _i: index into bench_workloads. */
START_TEST(test_modes_agree)
{
	const struct bench_workload *wl = bench_workloads[_i];

	for (size_t si = 0; si < sizeof(seeds) / sizeof(seeds[0]); si++) {
		struct bench_params p;

		for (int k = 0; small_params(wl, k, &p); k++) {
			struct bench_sample s;
			char ref[BENCH_CHECKSUM_MAX], sum[BENCH_CHECKSUM_MAX];
			void *state;
			uint64_t items;

			p.seed = seeds[si];
			state = prepare(wl, &p);
			items = wl->item_count(state);
			ck_assert_uint_gt(items, 0);
			exec_ok(MODE(serial), wl, state, 1, 1, &s, ref);
			ck_assert_uint_eq(s.tasks, expected_tasks(wl, state, items, 1));

			for (size_t w = 0; w < sizeof(worker_counts) /
					       sizeof(worker_counts[0]); w++) {
				const uint64_t chunks[] = { 1, 7, items };

				for (size_t c = 0; c < 3; c++) {
					for (int m = 0; m < n_local(); m++) {
						exec_ok(local_mode(m), wl, state,
							worker_counts[w], chunks[c],
							&s, sum);
						ck_assert_msg(strcmp(sum, ref) == 0,
							      "%s seed %" PRIu64 " size %" PRIu64
							      ": %s with %u workers, chunk %" PRIu64
							      " gave %s, serial %s",
							      wl->name, p.seed, p.size,
							      local_mode(m)->name,
							      worker_counts[w], chunks[c],
							      sum, ref);
						assert_tasks(local_mode(m), wl, state,
							     items, chunks[c], s.tasks);
					}
				}
			}
			wl->release(state);
		}
	}
	assert_no_child();
}
END_TEST

/* Checksum of wl at p, serially. */
static void serial_checksum(const struct bench_workload *wl,
			    struct bench_params p, char *sum)
{
	struct bench_sample s;
	void *state = prepare(wl, &p);

	exec_ok(MODE(serial), wl, state, 1, 1, &s, sum);
	wl->release(state);
}

/*
 * The checksums carry information: another seed or another size changes
 * them, so the cross-mode test could fail. (A BENCH_WL_WAITS workload's
 * result is its item indexes, the seed only drawing the waits: for sleep
 * only the size is checked.)
 */
START_TEST(test_checksum_depends_on_input)
{
	const struct bench_workload *wl = bench_workloads[_i];
	struct bench_params base, bigger;
	char a[BENCH_CHECKSUM_MAX], b[BENCH_CHECKSUM_MAX];

	small_params(wl, 1, &base);
	base.seed = 1;
	serial_checksum(wl, base, a);

	bigger = base;
	bigger.size++;
	serial_checksum(wl, bigger, b);
	ck_assert_msg(strcmp(a, b) != 0, "%s: size %" PRIu64 " and %" PRIu64
		      " give the same checksum %s", wl->name, base.size,
		      bigger.size, a);

	if (!(wl->flags & BENCH_WL_WAITS)) {
		struct bench_params reseeded = base;

		reseeded.seed = 2;
		serial_checksum(wl, reseeded, b);
		ck_assert_msg(strcmp(a, b) != 0, "%s: seeds 1 and 2 give the "
			      "same checksum %s", wl->name, a);
	}
	/* Same input, same checksum. */
	serial_checksum(wl, base, b);
	ck_assert_str_eq(a, b);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Failures                                                            */

/* A process worker aborting on task t is reported with its pid and its
 * signal, and no worker survives. */
START_TEST(test_process_crash)
{
	const struct bench_workload *wl = find("range");
	struct bench_params p = { .size = 100, .seed = 1 };
	void *state;
	static const int64_t crash_tasks[] = { 0, 2, 9 };

	no_core_dumps();
	state = prepare(wl, &p);
	for (size_t i = 0; i < 3; i++) {
		for (unsigned workers = 1; workers <= 3; workers += 2) {
			struct bench_exec_opts o = {
				.workers = workers, .chunk = 10,
				.crash_task = crash_tasks[i], .crash_set = 1,
			};
			struct bench_err err = { 0 };
			struct bench_sample s;
			int rc = bench_exec(MODE(process), wl, state, &o,
					    &s, &err);

			ck_assert_msg(rc == BENCH_EWORKER,
				      "crash on task %" PRId64 ": %s (%s)",
				      crash_tasks[i], bench_strerror(rc), err.msg);
			ck_assert_int_eq(err.code, BENCH_EWORKER);
			assert_contains(err.msg, "pid");
			assert_contains(err.msg, "signal 6");
			assert_contains(err.msg, "SIGABRT");
			assert_no_child();
		}
	}
	wl->release(state);
}
END_TEST

/* crash_task is for the process pool only, and needs crash_set. */
START_TEST(test_crash_only_when_set)
{
	const struct bench_workload *wl = find("range");
	struct bench_params p = { .size = 100, .seed = 1 };
	void *state = prepare(wl, &p);
	char ref[BENCH_CHECKSUM_MAX], sum[BENCH_CHECKSUM_MAX];
	struct bench_sample s;

	no_core_dumps();
	exec_ok(MODE(serial), wl, state, 1, 10, &s, ref);
	for (int m = 0; m < n_local(); m++) {
		struct bench_exec_opts o = { .workers = 2, .chunk = 10,
					     .crash_task = 0, .crash_set = 0 };
		struct bench_err err = { 0 };

		if (local_mode(m) != MODE(process))
			o.crash_set = 1;
		ck_assert_msg(bench_exec(local_mode(m), wl, state, &o, &s,
					 &err) == 0, "%s: %s",
			      local_mode(m)->name, err.msg);
		wl->checksum(s.result, sum);
		ck_assert_str_eq(sum, ref);
	}
	assert_no_child();
	wl->release(state);
}
END_TEST

START_TEST(test_exec_bad_options)
{
	const struct bench_workload *wl = find("range");
	struct bench_params p = { .size = 10 };
	void *state = prepare(wl, &p);
	struct bench_sample s;
	const struct bench_exec_opts bad[] = {
		{ .workers = 0, .chunk = 1 },
		{ .workers = 1, .chunk = 0 },
		{ .workers = BENCH_WORKERS_MAX + 1, .chunk = 1 },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		for (int m = 0; bench_executors[m]; m++) {
			struct bench_err err = { 0 };

			ck_assert_int_eq(bench_exec(bench_executors[m], wl, state,
						    &bad[i], &s, &err),
					 BENCH_EINVAL);
			ck_assert_int_eq(err.code, BENCH_EINVAL);
		}
	}
	{
		struct bench_exec_opts o = { .workers = 1, .chunk = 1 };
		struct bench_err err = { 0 };

		ck_assert_int_eq(bench_exec(NULL, wl, state, &o, &s,
					    &err), BENCH_EINVAL);
		/* mpi outside an MPI job: a usage error naming mpirun. */
		memset(&err, 0, sizeof(err));
		ck_assert_int_eq(bench_exec(MODE(mpi), wl, state, &o, &s,
					    &err), BENCH_EINVAL);
		ck_assert_msg(strstr(err.msg, "mpirun") ||
				      strstr(err.msg, "without Open MPI"),
			      "'%s' names neither mpirun nor Open MPI", err.msg);
	}
	wl->release(state);
}
END_TEST

START_TEST(test_mode_names)
{
	size_t n = 0;

	/* Every row names itself, has a summary and a way to run, and is
	 * found by its name; names are unique. */
	for (int m = 0; bench_executors[m]; m++, n++) {
		const struct bench_executor *ex = bench_executors[m];

		ck_assert_ptr_nonnull(ex->name);
		ck_assert_ptr_nonnull(ex->summary);
		ck_assert_msg(ex->run || ex->sample, "%s runs nothing", ex->name);
		ck_assert_ptr_eq(bench_executor_find(ex->name), ex);
	}
	ck_assert_uint_le(n, BENCH_EXECUTORS_MAX);
	ck_assert_str_eq(MODE(serial)->name, "serial");
	ck_assert_str_eq(MODE(async)->name, "async");
	ck_assert_str_eq(MODE(mpi)->name, "mpi");
	/* One reference, and it is serial; a default run has four modes. */
	ck_assert_ptr_eq(bench_executor_with(BENCH_EXEC_REFERENCE), MODE(serial));
	ck_assert_int_eq(n_local(), 4);
	ck_assert_ptr_null(bench_executor_find("threads"));
	ck_assert_ptr_null(bench_executor_find(""));
	ck_assert_ptr_null(bench_executor_find(NULL));
}
END_TEST

/* ------------------------------------------------------------------ */
/* Timing: only what physics guarantees                                */

/*
 * 20 waits of up to 40 ms, 20 in flight: serial pays at least their sum,
 * the async loop overlaps them (about the longest one), so it beats serial
 * by far more than half. The thread pool with 20 threads overlaps them too
 * and can never beat the longest wait.
 */
START_TEST(test_async_overlaps_waits)
{
	const struct bench_workload *wl = find("sleep");
	struct bench_params p = { .size = 20, ONE_OPT("max-ms", 40), .seed = 1 };
	void *state = prepare(wl, &p);
	bench_ns sum_wait = 0, max_wait = 0;
	struct bench_sample serial, async, thread;
	char a[BENCH_CHECKSUM_MAX], b[BENCH_CHECKSUM_MAX];

	for (uint64_t i = 0; i < p.size; i++) {
		bench_ns w = wl->wait_ns(state, i);

		sum_wait += w;
		if (w > max_wait)
			max_wait = w;
	}
	/* Precondition of a meaningful comparison, fixed by the seed. */
	ck_assert_uint_gt(sum_wait, 4 * max_wait);

	exec_ok(MODE(serial), wl, state, 1, 1, &serial, a);
	exec_ok(MODE(async), wl, state, 20, 1, &async, b);
	ck_assert_str_eq(a, b);
	exec_ok(MODE(thread), wl, state, 20, 1, &thread, b);
	ck_assert_str_eq(a, b);

	ck_assert_msg(serial.wall_ns >= sum_wait,
		      "serial took %llu ns for waits summing to %llu ns",
		      (unsigned long long)serial.wall_ns,
		      (unsigned long long)sum_wait);
	ck_assert_msg(async.wall_ns >= max_wait,
		      "async took %llu ns, less than the longest wait %llu ns",
		      (unsigned long long)async.wall_ns,
		      (unsigned long long)max_wait);
	ck_assert_msg(thread.wall_ns >= max_wait,
		      "thread took %llu ns, less than the longest wait %llu ns",
		      (unsigned long long)thread.wall_ns,
		      (unsigned long long)max_wait);
	ck_assert_msg(async.wall_ns < serial.wall_ns / 2,
		      "async %llu ms is not under half of serial %llu ms",
		      (unsigned long long)(async.wall_ns / MS),
		      (unsigned long long)(serial.wall_ns / MS));
	wl->release(state);
}
END_TEST

/* ------------------------------------------------------------------ */
/* A streaming source                                                  */

START_TEST(test_streaming_modes_agree)
{
	static const uint64_t sizes[] = { 0, 1, 7, 100, 1001 };
	static const uint64_t chunks[] = { 1, 7, 64 };
	static const unsigned workers[] = { 1, 3, 8 };

	for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
		void *state = lines_make(sizes[si]);
		char want[BENCH_CHECKSUM_MAX], got[BENCH_CHECKSUM_MAX];

		lines_expected(sizes[si], want);
		for (size_t c = 0; c < 3; c++) {
			for (size_t w = 0; w < 3; w++) {
				for (int m = 0; m < n_local(); m++) {
					struct bench_sample s;

					exec_ok(local_mode(m), &lines_wl, state,
						workers[w], chunks[c], &s, got);
					ck_assert_msg(strcmp(got, want) == 0,
						      "%" PRIu64 " lines, %s, %u workers, "
						      "chunk %" PRIu64 ": %s, expected %s",
						      sizes[si],
						      local_mode(m)->name,
						      workers[w], chunks[c], got, want);
					ck_assert_uint_eq(s.tasks,
							  ceil_div(sizes[si], chunks[c]));
				}
			}
		}
		lines_release(state);
	}
	assert_no_child();
}
END_TEST

/* Without a rewind the stream stays at its end: the next sample is empty.
 * (So the executors really consume the stream, and the harness must
 * rewind.) */
START_TEST(test_streaming_needs_rewind)
{
	void *state = lines_make(10);
	struct bench_exec_opts o = { .workers = 2, .chunk = 3 };
	struct bench_err err = { 0 };
	struct bench_sample s;
	char empty[BENCH_CHECKSUM_MAX], got[BENCH_CHECKSUM_MAX];

	lines_expected(0, empty);
	for (int m = 0; m < n_local(); m++) {
		ck_assert_int_eq(lines_rewind(state, &err), 0);
		ck_assert_int_eq(bench_exec(local_mode(m), &lines_wl, state,
					    &o, &s, &err), 0);
		ck_assert_uint_eq(s.tasks, 4);
		ck_assert_int_eq(bench_exec(local_mode(m), &lines_wl, state,
					    &o, &s, &err), 0);
		ck_assert_uint_eq(s.tasks, 0);
		lines_checksum(s.result, got);
		ck_assert_str_eq(got, empty);
	}
	lines_release(state);
	assert_no_child();
}
END_TEST

/* The harness rewinds before every sample: a second sample that saw an
 * exhausted stream would fail verification. */
START_TEST(test_streaming_harness)
{
	struct bench_run_opts o = {
		.wl = &lines_wl,
		.params = { .size = 500 },
		.workers = 3,
		.chunk = 7,
		.repeat = 2,
		.warmup = 1,
		.warmup_set = 1,
	};
	struct bench_err err = { 0 };
	struct bench_report *r = NULL;
	char want[BENCH_CHECKSUM_MAX];

	lines_expected(500, want);
	ck_assert_msg(bench_run(&o, &r, &err) == 0, "bench_run: %s", err.msg);
	ck_assert_uint_eq(r->tasks, ceil_div(500, 7));
	for (size_t i = 0; i < r->nresults; i++) {
		ck_assert_str_eq(r->results[i].checksum, want);
		ck_assert_uint_eq(r->results[i].nsamples, 2);
	}
	bench_report_destroy(r);
	assert_no_child();
}
END_TEST

/* A failing next_batch or run is reported with the workload's message in
 * every mode (the process pool carries it back over its socket). */
START_TEST(test_streaming_errors)
{
	struct lines_state *state = lines_make(100);

	no_core_dumps();
	for (int m = 0; m < n_local(); m++) {
		for (unsigned workers = 1; workers <= 8; workers *= 8) {
			struct bench_exec_opts o = { .workers = workers, .chunk = 5 };
			struct bench_err err = { 0 };
			struct bench_sample s;
			int rc;

			lines_rewind(state, &err);
			state->fail_batch = 3;
			state->bad_line = 0;
			rc = bench_exec(local_mode(m), &lines_wl, state, &o,
					&s, &err);
			ck_assert_msg(rc == BENCH_ESYS, "%s: %s (%s)",
				      local_mode(m)->name,
				      bench_strerror(rc), err.msg);
			assert_contains(err.msg, "read error at batch 3");
			assert_no_child();

			memset(&err, 0, sizeof(err));
			lines_rewind(state, &err);
			state->fail_batch = 0;
			state->bad_line = 42;
			rc = bench_exec(local_mode(m), &lines_wl, state, &o,
					&s, &err);
			ck_assert_msg(rc == BENCH_EINVAL, "%s: %s (%s)",
				      local_mode(m)->name,
				      bench_strerror(rc), err.msg);
			assert_contains(err.msg, "bad line 42");
			assert_no_child();
		}
	}
	lines_release(state);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The process pool: shared-memory claims and split streams            */

/*
 * A splittable stream in every mode, at sizes from nothing to more lines
 * than parts: the same checksum as the lines counted directly. The
 * process pool's workers read parts themselves, so its batches are cut
 * at part ends too: at least the whole pass's batches, at most a line
 * each. run() checks every line's number against its batch's first, so
 * a part numbered from the wrong line fails outright.
 */
START_TEST(test_split_stream_agrees)
{
	static const uint64_t sizes[] = { 0, 1, 7, 100, 1001 };
	static const uint64_t chunks[] = { 1, 7, 64 };
	static const unsigned workers[] = { 1, 2, 3, 8 };

	for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
		void *state = lines_make(sizes[si]);
		char want[BENCH_CHECKSUM_MAX], got[BENCH_CHECKSUM_MAX];

		lines_expected(sizes[si], want);
		for (size_t c = 0; c < 3; c++) {
			for (size_t w = 0; w < 4; w++) {
				for (int m = 0; m < n_local(); m++) {
					struct bench_sample s;

					exec_ok(local_mode(m), &plines_wl, state,
						workers[w], chunks[c], &s, got);
					ck_assert_msg(strcmp(got, want) == 0,
						      "%" PRIu64 " lines, %s, %u workers, "
						      "chunk %" PRIu64 ": %s, expected %s",
						      sizes[si], local_mode(m)->name,
						      workers[w], chunks[c], got, want);
					assert_tasks(local_mode(m), &plines_wl,
						     state, sizes[si], chunks[c],
						     s.tasks);
				}
			}
		}
		lines_release(state);
	}
	assert_no_child();
}
END_TEST

/* A split stream's failures come back with the workload's code and
 * message: a batch that cannot be read, a line run() refuses. */
START_TEST(test_split_stream_errors)
{
	struct lines_state *state = lines_make(100);

	no_core_dumps();
	for (unsigned workers = 1; workers <= 8; workers *= 2) {
		struct bench_exec_opts o = { .workers = workers, .chunk = 1 };
		struct bench_err err = { 0 };
		struct bench_sample s;
		int rc;

		lines_rewind(state, &err);
		state->fail_batch = 3;
		state->bad_line = 0;
		rc = bench_exec(MODE(process), &plines_wl, state, &o, &s, &err);
		ck_assert_msg(rc == BENCH_ESYS, "x%u: %s (%s)", workers,
			      bench_strerror(rc), err.msg);
		assert_contains(err.msg, "read error at batch 3");
		assert_no_child();

		memset(&err, 0, sizeof(err));
		state->fail_batch = 0;
		state->bad_line = 42;
		rc = bench_exec(MODE(process), &plines_wl, state, &o, &s, &err);
		ck_assert_msg(rc == BENCH_EINVAL, "x%u: %s (%s)", workers,
			      bench_strerror(rc), err.msg);
		assert_contains(err.msg, "bad line 42");
		assert_contains(err.msg, "pid");
		assert_no_child();
	}
	lines_release(state);
}
END_TEST

/*
 * A worker of a split stream dies on the part it claims (crash_task names
 * a part there), to run it or to count its lines for a later part, so
 * others may be waiting for that count: the run still ends at once,
 * naming the worker, its pid, its signal and its part, with no worker
 * left behind.
 */
START_TEST(test_split_stream_crash)
{
	struct lines_state *state = lines_make(1000);
	static const int64_t parts[] = { 0, 1, 5 };

	no_core_dumps();
	for (size_t i = 0; i < 3; i++) {
		for (unsigned workers = 1; workers <= 3; workers += 2) {
			struct bench_exec_opts o = {
				.workers = workers, .chunk = 7,
				.crash_task = parts[i], .crash_set = 1,
			};
			struct bench_err err = { 0 };
			struct bench_sample s;
			char part[32];
			int rc;

			lines_rewind(state, &err);
			rc = bench_exec(MODE(process), &plines_wl, state, &o,
					&s, &err);
			ck_assert_msg(rc == BENCH_EWORKER, "part %" PRId64 ": %s (%s)",
				      parts[i], bench_strerror(rc), err.msg);
			snprintf(part, sizeof(part), "part %" PRId64 " of ",
				 parts[i]);
			assert_contains(err.msg, part);
			assert_contains(err.msg, "pid");
			assert_contains(err.msg, "SIGABRT");
			assert_no_child();
		}
	}
	lines_release(state);
}
END_TEST

/* An indexed worker that crashes is named with its task and the task's
 * items, which it recorded in shared memory before running it. */
START_TEST(test_process_crash_names_task)
{
	const struct bench_workload *wl = find("range");
	struct bench_params p = { .size = 100, .seed = 1 };
	void *state = prepare(wl, &p);

	no_core_dumps();
	for (unsigned workers = 1; workers <= 3; workers += 2) {
		struct bench_exec_opts o = { .workers = workers, .chunk = 10,
					     .crash_task = 2, .crash_set = 1 };
		struct bench_err err = { 0 };
		struct bench_sample s;
		int rc = bench_exec(MODE(process), wl, state, &o, &s, &err);

		ck_assert_msg(rc == BENCH_EWORKER, "%s (%s)", bench_strerror(rc),
			      err.msg);
		assert_contains(err.msg, "while running task 2 (items 20..29)");
		assert_contains(err.msg, "SIGABRT");
		assert_no_child();
	}
	wl->release(state);
}
END_TEST

/* A task that fails in a worker claiming from shared memory: its code
 * and message, whichever worker met it, and no worker left. */
START_TEST(test_process_task_error)
{
	struct refuse_state state = { .n = 200, .bad = 13 };
	static const uint64_t chunks[] = { 1, 7, 200 };

	for (unsigned workers = 1; workers <= 8; workers *= 2) {
		for (size_t c = 0; c < 3; c++) {
			struct bench_exec_opts o = { .workers = workers,
						     .chunk = chunks[c] };
			struct bench_err err = { 0 };
			struct bench_sample s;
			int rc = bench_exec(MODE(process), &refuse_wl, &state,
					    &o, &s, &err);

			ck_assert_msg(rc == BENCH_EINVAL, "x%u chunk %" PRIu64
				      ": %s (%s)", workers, chunks[c],
				      bench_strerror(rc), err.msg);
			assert_contains(err.msg, "item 13 refused");
			assert_no_child();
		}
	}
	/* Without the refused item, the sum of the items. */
	state.bad = UINT64_MAX;
	{
		struct bench_sample s;
		char sum[BENCH_CHECKSUM_MAX];

		exec_ok(MODE(process), &refuse_wl, &state, 3, 1, &s, sum);
		ck_assert_str_eq(sum, "19900");
		ck_assert_uint_eq(s.tasks, 200);
	}
}
END_TEST

/* The pids of this process's children, from every thread's children
 * file; how many (0 when the kernel does not list them). */
static size_t child_pids(pid_t *pids, size_t max)
{
	char path[64];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/children",
		 (int)getpid());
	if (!(f = fopen(path, "r")))
		return 0;
	while (n < max && fscanf(f, "%d", &pids[n]) == 1)
		n++;
	fclose(f);
	return n;
}

struct killer {
	pid_t victim;    /* out: the worker killed, 0 none */
};

/* Kills one process worker mid-task once the workers are under way. */
static void *kill_a_worker(void *arg)
{
	struct killer *k = arg;
	struct timespec nap = { 0, 10 * 1000 * 1000 };

	for (int i = 0; i < 300 && !k->victim; i++) {
		pid_t pids[16];

		nanosleep(&nap, NULL);
		if (child_pids(pids, 16) >= 2 && i >= 5 &&
		    kill(pids[0], SIGKILL) == 0)
			k->victim = pids[0];
	}
	return NULL;
}

/*
 * A worker killed from outside while it waits inside a task (SIGKILL:
 * no handler runs) is named with its pid, the signal and the task it had
 * recorded; the others are killed and everyone is reaped.
 */
START_TEST(test_process_killed_mid_task)
{
	const struct bench_workload *wl = find("sleep");
	struct bench_params p = { .size = 40, ONE_OPT("max-ms", 200), .seed = 1 };
	void *state = prepare(wl, &p);
	struct bench_exec_opts o = { .workers = 2, .chunk = 1 };
	struct bench_err err = { 0 };
	struct bench_sample s;
	struct killer k = { 0 };
	char pid[32];
	pthread_t t;
	int rc;

	{
		pid_t none[1];

		/* The kernel may not list children (no CONFIG_PROC_CHILDREN). */
		FILE *f;
		char path[64];

		snprintf(path, sizeof(path), "/proc/self/task/%d/children",
			 (int)getpid());
		f = fopen(path, "r");
		if (!f) {
			wl->release(state);
			return;
		}
		fclose(f);
		ck_assert_uint_eq(child_pids(none, 1), 0);
	}
	ck_assert_int_eq(pthread_create(&t, NULL, kill_a_worker, &k), 0);
	rc = bench_exec(MODE(process), wl, state, &o, &s, &err);
	pthread_join(t, NULL);
	ck_assert_msg(k.victim != 0, "no worker was seen to kill");
	ck_assert_msg(rc == BENCH_EWORKER, "%s (%s)", bench_strerror(rc),
		      err.msg);
	snprintf(pid, sizeof(pid), "(pid %d)", (int)k.victim);
	assert_contains(err.msg, pid);
	assert_contains(err.msg, "signal 9");
	assert_contains(err.msg, "while running task");
	assert_no_child();
	wl->release(state);
}
END_TEST

/*
 * bench_cancel() mid-sample stops the process pool within the task under
 * way (its workers are killed, not waited for): far sooner than the
 * least a whole run takes, the waits' sum over the workers.
 */
START_TEST(test_process_cancel_within_task)
{
	const struct bench_workload *wl = find("sleep");
	struct bench_params p = { .size = 40, ONE_OPT("max-ms", 200), .seed = 1 };
	void *state = prepare(wl, &p);
	struct bench_exec_opts o = { .workers = 2, .chunk = 1 };
	struct bench_err err = { 0 };
	struct bench_sample s;
	bench_ns sum_wait = 0;
	long ms = 50;
	pthread_t t;
	int rc;

	for (uint64_t i = 0; i < p.size; i++)
		sum_wait += wl->wait_ns(state, i);
	ck_assert_int_eq(pthread_create(&t, NULL, cancel_after_ms, &ms), 0);
	rc = bench_exec(MODE(process), wl, state, &o, &s, &err);
	pthread_join(t, NULL);
	bench_cancel_reset();
	ck_assert_msg(rc == BENCH_ECANCELED, "%s (%s)", bench_strerror(rc),
		      err.msg);
	ck_assert_msg(s.wall_ns < sum_wait / 2,
		      "process ran %llu ms after a cancel at 50 ms (a whole run: %llu ms)",
		      (unsigned long long)(s.wall_ns / MS),
		      (unsigned long long)(sum_wait / 2 / MS));
	assert_no_child();
	wl->release(state);
}
END_TEST

/* Writes an events file of n lines, bad ones among them (blank,
 * malformed, no event_type, invalid UTF-8), into path. */
static void write_events(const char *path, unsigned n)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	for (unsigned i = 1; i <= n; i++) {
		if (i % 97 == 0)
			fputs("\n", f);
		else if (i % 89 == 0)
			fprintf(f, "{\"event_id\": %u, \"event_type\": \n", i);
		else if (i % 83 == 0)
			fprintf(f, "{\"event_id\": %u}\n", i);
		else if (i % 211 == 0)
			fprintf(f, "{\"event_id\": %u, \"event_type\": \"\xff\"}\n", i);
		else
			fprintf(f, "{\"event_id\": %u, \"event_type\": \"%s\", \"n\": [%u, \"%*s\"]}\n",
				i, i % 3 ? "click" : "purchase", i,
				(int)(i % 50), "x");
	}
	ck_assert_int_eq(fclose(f), 0);
}

/* Runs events over path in mode: the status, the checksum, the counts
 * and the note (bad lines by number), or the error message. */
static int events_in(const struct bench_executor *mode, const char *path,
		     int strict, unsigned workers, uint64_t chunk, char *sum,
		     uint64_t *fields, char *note, size_t len)
{
	const struct bench_workload *wl = find("events");
	struct bench_params p = { 0 };
	struct bench_exec_opts o = { .workers = workers, .chunk = chunk };
	struct bench_err err = { 0 };
	struct bench_sample s;
	void *state;
	int rc;

	bench_params_set(&p, "input", 0, path);
	if (strict)
		bench_params_set(&p, "strict", 1, NULL);
	state = prepare(wl, &p);
	rc = bench_exec(mode, wl, state, &o, &s, &err);
	if (rc == 0) {
		wl->checksum(s.result, sum);
		wl->fields(s.result, fields);
		wl->note(s.result, note, len);
	} else {
		snprintf(note, len, "%s", err.msg);
	}
	wl->release(state);
	return rc;
}

/*
 * Events read from a file on disk by process workers that each read
 * their own parts (through a description of the file of their own): the
 * lines, kept events, bad lines by number and checksum of serial, at
 * every worker count and batch size; under --strict the same first bad
 * line fails the run.
 */
START_TEST(test_process_events_file)
{
	char path[] = "/tmp/bench-test-events-XXXXXX";
	char ref[BENCH_CHECKSUM_MAX], sum[BENCH_CHECKSUM_MAX];
	char ref_note[512], note[512];
	uint64_t ref_f[BENCH_FIELDS_MAX], f[BENCH_FIELDS_MAX];
	static const unsigned workers[] = { 1, 2, 3, 8 };
	static const uint64_t chunks[] = { 1, 7, 1000 };
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	write_events(path, 3000);
	ck_assert_int_eq(events_in(MODE(serial), path, 0, 1, 1000, ref, ref_f,
				   ref_note, sizeof(ref_note)), 0);
	ck_assert_uint_eq(ref_f[0], 3000);
	ck_assert_uint_gt(ref_f[2], 50);
	assert_contains(ref_note, "line 83 (");
	for (size_t w = 0; w < 4; w++) {
		for (size_t c = 0; c < 3; c++) {
			int rc = events_in(MODE(process), path, 0, workers[w],
					   chunks[c], sum, f, note, sizeof(note));

			ck_assert_msg(rc == 0, "x%u chunk %" PRIu64 ": %s",
				      workers[w], chunks[c], note);
			ck_assert_msg(strcmp(sum, ref) == 0,
				      "x%u chunk %" PRIu64 ": %s, serial %s",
				      workers[w], chunks[c], sum, ref);
			for (int k = 0; k < 3; k++)
				ck_assert_uint_eq(f[k], ref_f[k]);
			ck_assert_str_eq(note, ref_note);
		}
	}
	ck_assert_int_eq(events_in(MODE(serial), path, 1, 1, 1000, ref, ref_f,
				   ref_note, sizeof(ref_note)), BENCH_EINPUT);
	assert_contains(ref_note, "line 83:");
	for (size_t w = 0; w < 4; w++) {
		ck_assert_int_eq(events_in(MODE(process), path, 1, workers[w], 7,
					   sum, f, note, sizeof(note)),
				 BENCH_EINPUT);
		ck_assert_str_eq(note, ref_note);
	}
	unlink(path);
	assert_no_child();
}
END_TEST

/* ------------------------------------------------------------------ */
/* Cancellation                                                        */

/* Canceled before the sample: every mode returns BENCH_ECANCELED. */
START_TEST(test_cancel_before)
{
	const char *names[] = { "range", "sleep" };

	for (size_t n = 0; n < 2; n++) {
		const struct bench_workload *wl = find(names[n]);
		struct bench_params p = { .size = 50 };
		void *state;

		if (wl->flags & BENCH_WL_WAITS)
			bench_params_set(&p, "max-ms", 5, NULL);
		state = prepare(wl, &p);
		for (int m = 0; m < n_local(); m++) {
			struct bench_exec_opts o = { .workers = 3, .chunk = 2 };
			struct bench_err err = { 0 };
			struct bench_sample s;
			int rc;

			bench_cancel();
			ck_assert(bench_canceled());
			rc = bench_exec(local_mode(m), wl, state, &o, &s, &err);
			bench_cancel_reset();
			ck_assert_msg(rc == BENCH_ECANCELED, "%s in %s: %s (%s)",
				      wl->name, local_mode(m)->name,
				      bench_strerror(rc), err.msg);
			ck_assert_int_eq(err.code, BENCH_ECANCELED);
			assert_no_child();

			/* After the reset the same call succeeds. */
			memset(&err, 0, sizeof(err));
			ck_assert_msg(bench_exec(local_mode(m), wl, state, &o,
						 &s, &err) == 0, "%s", err.msg);
			ck_assert_uint_eq(s.tasks, 25);
		}
		wl->release(state);
	}
	assert_no_child();
}
END_TEST

/* Cancels 20 ms after it starts. */
static void *cancel_later(void *arg)
{
	static const long ms = 20;

	(void)arg;
	return cancel_after_ms((void *)&ms);
}

/*
 * Canceled mid-sample from another thread: every mode stops with
 * BENCH_ECANCELED. Serial stops within one 0..40 ms task of the cancel at
 * 20 ms, far short of the waits' sum (several hundred ms) a full run costs.
 */
START_TEST(test_cancel_during)
{
	const struct bench_workload *wl = find("sleep");
	struct bench_params p = { .size = 20, ONE_OPT("max-ms", 40), .seed = 1 };
	void *state = prepare(wl, &p);
	bench_ns sum_wait = 0;

	for (uint64_t i = 0; i < p.size; i++)
		sum_wait += wl->wait_ns(state, i);
	for (int m = 0; m < n_local(); m++) {
		struct bench_exec_opts o = { .workers = 2, .chunk = 1 };
		struct bench_err err = { 0 };
		struct bench_sample s;
		pthread_t t;
		int rc;

		ck_assert_int_eq(pthread_create(&t, NULL, cancel_later, NULL), 0);
		rc = bench_exec(local_mode(m), wl, state, &o, &s, &err);
		pthread_join(t, NULL);
		bench_cancel_reset();
		ck_assert_msg(rc == BENCH_ECANCELED, "%s: %s (%s)",
			      local_mode(m)->name,
			      bench_strerror(rc), err.msg);
		assert_no_child();
		if (local_mode(m) == MODE(serial))
			ck_assert_msg(s.wall_ns < sum_wait,
				      "serial ran %llu ms after a cancel at 20 ms",
				      (unsigned long long)(s.wall_ns / MS));
	}
	wl->release(state);
}
END_TEST

/* ------------------------------------------------------------------ */

Suite *suite_exec(void)
{
	Suite *s = suite_create("exec");
	TCase *agree = tcase_create("agree");
	TCase *fail = tcase_create("fail");
	TCase *timing = tcase_create("timing");
	TCase *stream = tcase_create("stream");
	int nwl = (int)workload_count();

	tcase_add_loop_test(agree, test_modes_agree, 0, nwl);
	tcase_add_loop_test(agree, test_checksum_depends_on_input, 0, nwl);
	tcase_set_timeout(agree, 120);
	suite_add_tcase(s, agree);

	tcase_add_test(fail, test_process_crash);
	tcase_add_test(fail, test_crash_only_when_set);
	tcase_add_test(fail, test_exec_bad_options);
	tcase_add_test(fail, test_mode_names);
	tcase_add_test(fail, test_cancel_before);
	tcase_add_test(fail, test_cancel_during);
	tcase_add_test(fail, test_process_crash_names_task);
	tcase_add_test(fail, test_process_task_error);
	tcase_add_test(fail, test_process_killed_mid_task);
	tcase_add_test(fail, test_process_cancel_within_task);
	tcase_set_timeout(fail, 60);
	suite_add_tcase(s, fail);

	tcase_add_test(timing, test_async_overlaps_waits);
	tcase_set_timeout(timing, 60);
	suite_add_tcase(s, timing);

	tcase_add_test(stream, test_streaming_modes_agree);
	tcase_add_test(stream, test_streaming_needs_rewind);
	tcase_add_test(stream, test_streaming_harness);
	tcase_add_test(stream, test_streaming_errors);
	tcase_add_test(stream, test_split_stream_agrees);
	tcase_add_test(stream, test_split_stream_errors);
	tcase_add_test(stream, test_split_stream_crash);
	tcase_add_test(stream, test_process_events_file);
	tcase_set_timeout(stream, 60);
	suite_add_tcase(s, stream);
	return s;
}
