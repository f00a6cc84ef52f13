/*
 * sleep.c - I/O-bound tasks: task i waits a random 0..max_ms ms and
 * returns i.
 *
 * The waits stand in for network or disk latency. Serial pays their sum, a
 * pool of w workers about sum / w, and the async loop, which turns each
 * wait into a timer, about the longest wait once --workers (tasks in
 * flight) covers every task: the lesson that async wins for waiting.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench/workload.h"
#include "common.h"

struct sleep_state {
	uint64_t n;
	uint32_t *wait_ms; /* n waits in [0, max_ms] */
};

static void sleep_release(void *state)
{
	struct sleep_state *s = state;

	if (!s)
		return;
	free(s->wait_ms);
	free(s);
}

static int sleep_prepare(const struct bench_params *p, void **out,
			 struct bench_err *err)
{
	struct sleep_state *s = calloc(1, sizeof(*s));
	uint64_t max_ms = bench_params_num(p, "max-ms");

	if (!s || !(s->wait_ms = malloc(p->size * sizeof(*s->wait_ms)))) {
		sleep_release(s);
		return bench_err_set(err, BENCH_ENOMEM,
				     "sleep: cannot allocate %llu tasks",
				     (unsigned long long)p->size);
	}
	s->n = p->size;
	for (uint64_t i = 0; i < s->n; i++) {
		struct bench__rng r = bench__rng_item(p->seed, i);

		s->wait_ms[i] = (uint32_t)bench__rng_range(&r, 0, max_ms);
	}
	*out = s;
	return 0;
}

static uint64_t sleep_item_count(const void *state)
{
	return ((const struct sleep_state *)state)->n;
}

static bench_ns sleep_wait_ns(const void *state, uint64_t i)
{
	return (bench_ns)((const struct sleep_state *)state)->wait_ms[i] *
	       BENCH_NS_PER_MS;
}

/* Executors have already waited; what is left is returning i. */
static int sleep_run(const void *state, const struct bench_task *task,
		     void *partial, struct bench_err *err)
{
	struct bench__fold *f = partial;

	(void)state;
	(void)err;
	for (uint64_t i = task->first; i < task->first + task->count; i++) {
		f->total += i;
		bench__fold_add(f, i, i);
	}
	return 0;
}

static int sleep_show(const void *state, uint64_t i, char *line, size_t len,
		      struct bench_err *err)
{
	const struct sleep_state *s = state;

	(void)err;
	snprintf(line, len, "%llu %u %llu", (unsigned long long)i,
		 (unsigned)s->wait_ms[i], (unsigned long long)i);
	return 0;
}

static const struct bench_option sleep_options[] = {
	{ .name = "max-ms", .kind = BENCH_OPT_NUMBER, .arg = "N",
	  .help = "longest wait of a task, ms", .def = 50, .min = 1, .max = 600000 },
	{ .name = NULL },
};

static void sleep_describe(const struct bench_params *p, int fixed_size,
			 char *buf, size_t len)
{
	(void)fixed_size;
	snprintf(buf, len, " waiting up to %llu ms",
		 (unsigned long long)bench_params_num(p, "max-ms"));
}

const struct bench_workload bench__wl_sleep = {
	.options = sleep_options,
	.describe = sleep_describe,
	.name = "sleep",
	.summary = "tasks that wait 0..--max-ms ms each (I/O-bound)",
	.item_desc = "tasks",
	.flags = BENCH_WL_WAITS,
	.default_size = 40,
	.max_size = 1000000,
	.partial_size = sizeof(struct bench__fold),
	.prepare = sleep_prepare,
	.release = sleep_release,
	.item_count = sleep_item_count,
	.wait_ns = sleep_wait_ns,
	.partial_init = bench__fold_init,
	.run = sleep_run,
	.merge = bench__fold_merge,
	.checksum = bench__fold_checksum,
	.show = sleep_show,
};
