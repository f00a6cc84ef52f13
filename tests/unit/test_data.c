/*
 * test_data.c - the machinery under the data workloads: the events
 * batcher, dependency scheduling, and the GIL.
 *
 * The batcher must hand out every line exactly once, in order, in batches
 * of at most --batch lines, never an empty one, the last partial batch
 * once, whatever the line lengths (a line too long travels alone with no
 * bytes). Dependency scheduling must never start a node before the nodes
 * it depends on have finished, in any executor, with any worker count.
 * The GIL must let only one thread compute at a time, and still let every
 * thread have its turn. A workload reading an --input file must fail a
 * pass with a message naming the file once it has changed (shrunk, grown
 * or rewritten), in every mode, never crash nor blame the modes.
 */
#include <check.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "executors/gil.h"
#include "bench/executor.h"
#include "bench/workload.h"
#include "check_util.h"

/* ---- the events batcher --------------------------------------------- */

/* Writes text to a new temporary file; returns its path (free it). */
static char *temp_file(const char *text, size_t len)
{
	char *path = strdup("/tmp/bench-test-XXXXXX");
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
	return path;
}

/* A file of n lines of assorted lengths, the last one unterminated when
 * open_end, one of them (too_long, 1-based; 0 none) over 1 MiB. */
static char *lines_file(unsigned n, int open_end, unsigned too_long,
			size_t *len)
{
	size_t cap = (size_t)n * 200 + (too_long ? (1u << 20) + 100 : 0);
	char *text = malloc(cap), *path;
	size_t at = 0;

	ck_assert_ptr_nonnull(text);
	for (unsigned i = 1; i <= n; i++) {
		if (i == too_long) {
			memset(text + at, 'x', (1u << 20) + 10);
			at += (1u << 20) + 10;
		} else {
			at += (size_t)sprintf(text + at,
					      "{\"event_id\": %u, \"event_type\": \"%s\", \"pad\": \"%.*s\"}",
					      i, i % 3 ? "click" : "purchase",
					      (int)(i * 37 % 150), "................................................................................................................................................................");
		}
		if (i < n || !open_end)
			text[at++] = '\n';
	}
	path = temp_file(text, at);
	*len = at;
	free(text);
	return path;
}

/* Drains the stream in batches of max lines and checks each batch. */
static void drain(const struct bench_workload *wl, void *state, uint64_t max,
		  unsigned n, unsigned too_long)
{
	struct bench_err err = { 0 };
	struct bench_task t;
	uint64_t next = 0, batches = 0;
	int rc;

	ck_assert_int_eq(wl->rewind(state, &err), 0);
	while ((rc = wl->next_batch(state, max, &t, &err)) == 1) {
		uint64_t newlines = 0;

		batches++;
		ck_assert_msg(t.count >= 1, "an empty batch");
		ck_assert_uint_le(t.count, max);
		ck_assert_uint_eq(t.first, next);
		if (too_long && t.first + 1 == too_long) {
			ck_assert_uint_eq(t.count, 1);
			ck_assert_uint_eq(t.len, 0);
		} else {
			const char *p = t.data;

			ck_assert_uint_gt(t.len, 0);
			for (size_t k = 0; k < t.len; k++)
				newlines += p[k] == '\n';
			/* Whole lines, each ending with its newline. */
			ck_assert_uint_eq(newlines, t.count);
			ck_assert_int_eq(p[t.len - 1], '\n');
			/* Short batches only at the end or next to the long line. */
			if (t.count < max && t.first + t.count != n)
				ck_assert_uint_eq(t.first + t.count + 1, too_long);
		}
		next = t.first + t.count;
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(next, n);
	/* The end stays the end: no batch is handed out twice. */
	ck_assert_int_eq(wl->next_batch(state, max, &t, &err), 0);
	ck_assert_uint_eq(wl->item_count(state), n);
	ck_assert_uint_ge(batches, (n + max - 1) / max);
}

static const struct {
	unsigned n;
	int open_end;
	unsigned too_long;
} shapes[] = {
	{ 1, 0, 0 }, { 1, 1, 0 }, { 10, 0, 0 }, { 10, 1, 0 }, { 1000, 0, 0 },
	{ 997, 1, 0 }, { 20, 0, 1 }, { 20, 1, 20 }, { 20, 0, 11 },
};

START_TEST(test_batcher_exactly_once)
{
	const struct bench_workload *wl = bench_workload_find("events");
	static const uint64_t maxes[] = { 1, 2, 3, 7, 10, 999, 1000, 5000 };
	struct bench_params p = { 0 };
	struct bench_err err = { 0 };
	size_t len;
	char *path = lines_file(shapes[_i].n, shapes[_i].open_end,
				shapes[_i].too_long, &len);
	void *state = NULL;

	ck_assert_ptr_nonnull(wl);
	bench_params_set(&p, "input", 0, path);
	ck_assert_int_eq(bench_workload_params(wl, &p, &err), 0);
	ck_assert_msg(wl->prepare(&p, &state, &err) == 0, "%s", err.msg);
	for (size_t m = 0; m < sizeof(maxes) / sizeof(*maxes); m++)
		drain(wl, state, maxes[m], shapes[_i].n, shapes[_i].too_long);
	wl->release(state);
	unlink(path);
	free(path);
}
END_TEST

START_TEST(test_batcher_empty_input)
{
	const struct bench_workload *wl = bench_workload_find("events");
	struct bench_params p = { 0 };
	struct bench_err err = { 0 };
	struct bench_task t;
	char *path = temp_file("", 0);
	void *state = NULL;

	bench_params_set(&p, "input", 0, path);
	ck_assert_int_eq(bench_workload_params(wl, &p, &err), 0);
	ck_assert_int_eq(wl->prepare(&p, &state, &err), 0);
	ck_assert_int_eq(wl->rewind(state, &err), 0);
	ck_assert_int_eq(wl->next_batch(state, 10, &t, &err), 0);
	ck_assert_uint_eq(wl->item_count(state), 0);
	wl->release(state);
	unlink(path);
	free(path);
}
END_TEST

/* Every mode and batch size keeps the same events. */
START_TEST(test_events_batch_independent)
{
	const struct bench_workload *wl = bench_workload_find("events");
	static const uint64_t chunks[] = { 1, 3, 64, 100000 };
	struct bench_params p = { .size = 3000 };
	struct bench_err err = { 0 };
	char ref[BENCH_CHECKSUM_MAX] = "", sum[BENCH_CHECKSUM_MAX];
	uint64_t f[BENCH_FIELDS_MAX];
	void *state = NULL;

	ck_assert_int_eq(bench_workload_params(wl, &p, &err), 0);
	ck_assert_int_eq(wl->prepare(&p, &state, &err), 0);
	for (size_t c = 0; c < sizeof(chunks) / sizeof(*chunks); c++) {
		for (int m = 0; m < n_local(); m++) {
			struct bench_exec_opts o = { .workers = 3, .chunk = chunks[c] };
			struct bench_sample s;

			ck_assert_int_eq(wl->rewind(state, &err), 0);
			ck_assert_msg(bench_exec(local_mode(m), wl, state, &o,
						 &s, &err) == 0, "%s", err.msg);
			wl->checksum(s.result, sum);
			wl->fields(s.result, f);
			ck_assert_uint_eq(f[0], 3000);  /* lines */
			ck_assert_uint_gt(f[1], 0);     /* kept */
			ck_assert_uint_eq(f[2], 0);     /* bad */
			if (!ref[0])
				strcpy(ref, sum);
			ck_assert_str_eq(sum, ref);
		}
	}
	wl->release(state);
	assert_no_child();
}
END_TEST

/* ---- inputs that change during a run ---------------------------------- */

enum change { SHRINK, GROW, REWRITE, NCHANGES };

static const char *const change_names[] = { "shrink", "grow", "rewrite" };

/* A file for workload wl of about len bytes: JSON Lines for events,
 * words for wordcount (more than one 256 KiB block). */
static char *input_file(const char *wl, size_t *len)
{
	if (strcmp(wl, "events") == 0)
		return lines_file(3000, 0, 0, len);
	{
		static const char *const words[] = { "alpha", "Beta", "gamma",
						     "delta", "epsilon" };
		size_t cap = 700000, at = 0;
		char *text = malloc(cap), *path;

		ck_assert_ptr_nonnull(text);
		for (unsigned i = 0; at + 16 < cap; i++)
			at += (size_t)sprintf(text + at, "%s%s", words[i * 7 % 5],
					      i % 11 ? " " : ".\n");
		path = temp_file(text, at);
		free(text);
		*len = at;
		return path;
	}
}

/* Changes the file at path (len bytes) as `how` says; a rewrite keeps
 * the size and moves the modification time on by a second, so the change
 * shows even where timestamps are coarse. */
static void change_file(const char *path, size_t len, enum change how)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	struct stat st;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	switch (how) {
	case SHRINK:
		ck_assert_int_eq(ftruncate(fd, (off_t)(len / 3)), 0);
		break;
	case GROW:
		ck_assert_int_eq(pwrite(fd, "more words\n", 11, (off_t)len), 11);
		break;
	default: {
		struct timespec t[2] = { st.st_atim, st.st_mtim };

		ck_assert_int_eq(pwrite(fd, "X", 1, 0), 1);
		t[1].tv_sec++;
		ck_assert_int_eq(futimens(fd, t), 0);
		break;
	}
	}
	close(fd);
}

/* Prepared, one good pass, the file changed, then the next pass in every
 * mode fails with BENCH_EINPUT naming the file and both sizes. Before,
 * wordcount's mapped input raised SIGBUS in whichever worker read past
 * the new end, and an events run reported a checksum mismatch between
 * modes. */
START_TEST(test_input_changed)
{
	const char *name = _i / NCHANGES ? "events" : "wordcount";
	enum change how = (enum change)(_i % NCHANGES);
	const struct bench_workload *wl = find(name);

	for (int m = 0; m < n_local(); m++) {
		struct bench_exec_opts o = { .workers = 2, .chunk = 1 };
		struct bench_params p = { 0 };
		struct bench_err err = { 0 };
		struct bench_sample s;
		char sum[BENCH_CHECKSUM_MAX], want[512];
		size_t len;
		char *path = input_file(name, &len);
		void *state;
		int rc;

		bench_params_set(&p, "input", 0, path);
		state = prepare(wl, &p);
		exec_ok(local_mode(m), wl, state, 2, 1, &s, sum);
		change_file(path, len, how);
		if (wl->rewind)
			ck_assert_int_eq(wl->rewind(state, &err), 0);
		rc = bench_exec(local_mode(m), wl, state, &o, &s, &err);
		ck_assert_msg(rc == BENCH_EINPUT, "%s, %s, %s mode: got %s (%s)",
			      name, change_names[how], local_mode(m)->name,
			      bench_strerror(rc), err.msg);
		if (how == REWRITE)
			snprintf(want, sizeof(want),
				 "%s: input '%s' changed during the run (%zu bytes, the same size but rewritten)",
				 name, path, len);
		else
			snprintf(want, sizeof(want),
				 "%s: input '%s' changed during the run (%zu bytes, now %zu)",
				 name, path, len, how == SHRINK ? len / 3 : len + 11);
		ck_assert_str_eq(err.msg, want);
		wl->release(state);
		unlink(path);
		free(path);
	}
	assert_no_child();
}
END_TEST

/* A generated input has no file to change: passes go on succeeding. */
START_TEST(test_generated_input_unchecked)
{
	static const char *const names[] = { "events", "wordcount" };

	for (size_t k = 0; k < 2; k++) {
		const struct bench_workload *wl = find(names[k]);
		struct bench_params p = { .size = 2000 };
		struct bench_sample s;
		char first[BENCH_CHECKSUM_MAX], sum[BENCH_CHECKSUM_MAX];
		void *state = prepare(wl, &p);

		exec_ok(MODE(serial), wl, state, 1, 1, &s, first);
		exec_ok(MODE(thread), wl, state, 2, 1, &s, sum);
		ck_assert_str_eq(sum, first);
		wl->release(state);
	}
}
END_TEST

/* ---- dependency scheduling -------------------------------------------- */

#define DAG_NODES 60

/* Shared with forked workers: when each node started and finished. */
struct dag_shared {
	atomic_uint clock;
	unsigned started[DAG_NODES];
	unsigned finished[DAG_NODES];
	atomic_int violations;
};

struct dag_state {
	struct dag_shared *sh;
};

/* Node i waits for i - 1 and i / 3 (a chain with joins), and nodes that
 * are multiples of 10 wait for nothing. */
static unsigned dag_deps(const void *state, uint64_t item, uint64_t *deps)
{
	(void)state;
	if (item % 10 == 0)
		return 0;
	deps[0] = item - 1;
	if (item / 3 != item - 1 && item / 3 % 10 != 5) {
		deps[1] = item / 3;
		return 2;
	}
	return 1;
}

static int dag_prepare(const struct bench_params *p, void **out,
		       struct bench_err *err)
{
	struct dag_state *s = calloc(1, sizeof(*s));

	(void)p;
	(void)err;
	s->sh = mmap(NULL, sizeof(*s->sh), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(s->sh, MAP_FAILED);
	*out = s;
	return 0;
}

static void dag_release(void *state)
{
	struct dag_state *s = state;

	munmap(s->sh, sizeof(*s->sh));
	free(s);
}

static uint64_t dag_count(const void *state)
{
	(void)state;
	return DAG_NODES;
}

static bench_ns dag_wait(const void *state, uint64_t item)
{
	(void)state;
	return (bench_ns)(item * 7 % 3) * BENCH_NS_PER_MS / 2;
}

static void dag_init(void *partial)
{
	memset(partial, 0, sizeof(uint64_t));
}

static int dag_run(const void *state, const struct bench_task *task,
		   void *partial, struct bench_err *err)
{
	const struct dag_state *s = state;
	uint64_t deps[BENCH_DEPS_MAX], i = task->first;
	unsigned k = dag_deps(state, i, deps);

	(void)err;
	s->sh->started[i] = atomic_fetch_add(&s->sh->clock, 1) + 1;
	for (unsigned d = 0; d < k; d++)
		if (!s->sh->finished[deps[d]] ||
		    s->sh->finished[deps[d]] > s->sh->started[i])
			atomic_fetch_add(&s->sh->violations, 1);
	s->sh->finished[i] = atomic_fetch_add(&s->sh->clock, 1) + 1;
	*(uint64_t *)partial += i + 1;
	return 0;
}

static void dag_merge(void *acc, const void *partial)
{
	*(uint64_t *)acc += *(const uint64_t *)partial;
}

static void dag_checksum(const void *acc, char *out)
{
	snprintf(out, BENCH_CHECKSUM_MAX, "%" PRIu64, *(const uint64_t *)acc);
}

static const struct bench_workload dag_wl = {
	.name = "dag",
	.item_desc = "nodes",
	.flags = BENCH_WL_WAITS,
	.default_size = DAG_NODES,
	.max_size = DAG_NODES,
	.partial_size = sizeof(uint64_t),
	.prepare = dag_prepare,
	.release = dag_release,
	.item_count = dag_count,
	.deps = dag_deps,
	.wait_ns = dag_wait,
	.partial_init = dag_init,
	.run = dag_run,
	.merge = dag_merge,
	.checksum = dag_checksum,
};

START_TEST(test_dag_order)
{
	static const unsigned workers[] = { 1, 2, 3, 8 };
	struct bench_params p = { .size = DAG_NODES };
	struct bench_err err = { 0 };
	struct dag_state *state;
	char sum[BENCH_CHECKSUM_MAX], want[32];

	snprintf(want, sizeof(want), "%u", DAG_NODES * (DAG_NODES + 1) / 2);
	ck_assert_int_eq(dag_prepare(&p, (void **)&state, &err), 0);
	for (size_t w = 0; w < sizeof(workers) / sizeof(*workers); w++) {
		for (int m = 0; m < n_local(); m++) {
			/* chunk 5 is ignored: a graph runs node by node. */
			struct bench_exec_opts o = { .workers = workers[w], .chunk = 5 };
			struct bench_sample s;

			memset(state->sh, 0, sizeof(*state->sh));
			ck_assert_msg(bench_exec(local_mode(m), &dag_wl, state,
						 &o, &s, &err) == 0, "%s", err.msg);
			ck_assert_uint_eq(s.tasks, DAG_NODES);
			dag_checksum(s.result, sum);
			ck_assert_str_eq(sum, want);
			ck_assert_msg(atomic_load(&state->sh->violations) == 0,
				      "%s with %u workers started %d nodes before their dependencies",
				      local_mode(m)->name,
				      workers[w], atomic_load(&state->sh->violations));
			for (unsigned i = 0; i < DAG_NODES; i++)
				ck_assert_uint_gt(state->sh->finished[i], 0);
		}
	}
	dag_release(state);
	assert_no_child();
}
END_TEST

/* Node 5 waits for itself, and 6.. for 5: a cycle among otherwise ready
 * nodes. Every mode must refuse it at once instead of waiting forever or
 * returning with nodes left out. */
static unsigned cycle_deps(const void *state, uint64_t item, uint64_t *deps)
{
	(void)state;
	if (item < 5)
		return 0;
	deps[0] = item == 5 ? 5 : item - 1;
	return 1;
}

START_TEST(test_dag_cycle_refused)
{
	struct bench_workload wl = dag_wl;
	struct bench_params p = { .size = DAG_NODES };
	struct bench_err err = { 0 };
	struct dag_state *state;

	wl.deps = cycle_deps;
	ck_assert_int_eq(dag_prepare(&p, (void **)&state, &err), 0);
	for (int m = 0; m < n_local(); m++) {
		struct bench_exec_opts o = { .workers = 2, .chunk = 1 };
		struct bench_sample s;
		struct bench_err e = { 0 };

		ck_assert_int_eq(bench_exec(local_mode(m), &wl, state, &o,
					    &s, &e), BENCH_EINVAL);
		assert_contains(e.msg, "cycle");
	}
	dag_release(state);
	assert_no_child();
}
END_TEST

/* With more workers than chains, joins really overlap: the graph
 * workload finishes in about its critical path, not the sum. */
START_TEST(test_graph_critical_path)
{
	const struct bench_workload *wl = bench_workload_find("graph");
	struct bench_params p = { .size = 30, ONE_OPT("max-ms", 20) };
	struct bench_err err = { 0 };
	struct bench_exec_opts o = { .workers = 30, .chunk = 1 };
	struct bench_sample s;
	uint64_t f[BENCH_FIELDS_MAX];
	void *state = NULL;

	ck_assert_int_eq(bench_workload_params(wl, &p, &err), 0);
	ck_assert_int_eq(wl->prepare(&p, &state, &err), 0);
	ck_assert_int_eq(bench_exec(MODE(async), wl, state, &o, &s, &err), 0);
	wl->fields(s.result, f);
	ck_assert_uint_eq(f[0], 30);
	ck_assert_uint_lt(f[1], f[2]);  /* critical path < sum of waits */
	/* Never faster than the critical path: dependencies were waited for. */
	ck_assert_uint_ge((uint64_t)s.wall_ns, f[1] * 1000);
	wl->release(state);
}
END_TEST

/* ---- the GIL ----------------------------------------------------------- */

#define GIL_ITEMS 64

static atomic_int gil_active, gil_most;
static pthread_t gil_ran_on[GIL_ITEMS];

static uint64_t gil_count(const void *state)
{
	(void)state;
	return GIL_ITEMS;
}

static int gil_prepare(const struct bench_params *p, void **out,
		       struct bench_err *err)
{
	(void)p;
	(void)err;
	*out = &gil_active;
	return 0;
}

static void gil_release(void *state)
{
	(void)state;
}

/* Each item computes ~1 ms in slices, checking the GIL between them, and
 * records how many threads were inside a slice at once. */
static int gil_run(const void *state, const struct bench_task *task,
		   void *partial, struct bench_err *err)
{
	(void)state;
	(void)err;
	for (uint64_t i = task->first; i < task->first + task->count; i++) {
		bench_ns until = bench_clock_now() + BENCH_NS_PER_MS;

		gil_ran_on[i] = pthread_self();
		while (bench_clock_now() < until) {
			int now, most;

			bench__checkpoint();
			now = atomic_fetch_add(&gil_active, 1) + 1;
			most = atomic_load(&gil_most);
			while (now > most &&
			       !atomic_compare_exchange_weak(&gil_most, &most, now))
				;
			for (volatile int k = 0; k < 2000; k++)
				;
			atomic_fetch_sub(&gil_active, 1);
		}
		*(uint64_t *)partial += 1;
	}
	return 0;
}

static const struct bench_workload gil_wl = {
	.name = "gil",
	.item_desc = "items",
	.default_size = GIL_ITEMS,
	.max_size = GIL_ITEMS,
	.partial_size = sizeof(uint64_t),
	.prepare = gil_prepare,
	.release = gil_release,
	.item_count = gil_count,
	.partial_init = dag_init,
	.run = gil_run,
	.merge = dag_merge,
	.checksum = dag_checksum,
};

START_TEST(test_gil_one_at_a_time)
{
	struct bench_exec_opts o = { .workers = 4, .chunk = 1,
				     .gil_ns = BENCH_NS_PER_MS };
	struct bench_err err = { 0 };
	struct bench_sample s;
	unsigned threads = 0;

	atomic_store(&gil_most, 0);
	ck_assert_msg(bench_exec(MODE(thread), &gil_wl, &gil_active, &o,
				 &s, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(*(uint64_t *)s.result, GIL_ITEMS);
	ck_assert_int_eq(atomic_load(&gil_most), 1);
	/* The lock was handed on: more than one thread ran items. */
	for (unsigned i = 0; i < GIL_ITEMS; i++) {
		unsigned k = 0;

		while (k < i && !pthread_equal(gil_ran_on[k], gil_ran_on[i]))
			k++;
		threads += k == i;
	}
	ck_assert_uint_gt(threads, 1);
}
END_TEST

Suite *suite_data(void)
{
	Suite *s = suite_create("data");
	TCase *batch = tcase_create("batcher");
	TCase *changed = tcase_create("input_changed");
	TCase *dag = tcase_create("dag");
	TCase *gil = tcase_create("gil");

	tcase_add_loop_test(batch, test_batcher_exactly_once, 0,
			    (int)(sizeof(shapes) / sizeof(*shapes)));
	tcase_add_test(batch, test_batcher_empty_input);
	tcase_add_test(batch, test_events_batch_independent);
	tcase_set_timeout(batch, 60);
	suite_add_tcase(s, batch);

	tcase_add_loop_test(changed, test_input_changed, 0, 2 * NCHANGES);
	tcase_add_test(changed, test_generated_input_unchecked);
	tcase_set_timeout(changed, 60);
	suite_add_tcase(s, changed);

	tcase_add_test(dag, test_dag_order);
	tcase_add_test(dag, test_graph_critical_path);
	tcase_add_test(dag, test_dag_cycle_refused);
	tcase_set_timeout(dag, 60);
	suite_add_tcase(s, dag);

	tcase_add_test(gil, test_gil_one_at_a_time);
	tcase_set_timeout(gil, 60);
	suite_add_tcase(s, gil);
	return s;
}
