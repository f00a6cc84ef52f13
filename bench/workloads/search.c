/*
 * search.c - linear search, as timed in the course with timeit.
 *
 * The list holds the integers 0..size-1 in order; query q looks for a
 * target drawn from [0, size] inclusive, so about one query in size+1
 * misses and scans the whole list. Items are the queries (--queries, 1000
 * by default): the time of one sample grows linearly with --size, which is
 * what `bench complexity search` is meant to show.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench/workload.h"
#include "lib/checkpoint.h"
#include "common.h"

struct search_state {
	uint64_t n;        /* list length */
	uint64_t queries;  /* number of queries */
	uint32_t *list;    /* 0..n-1 */
	uint32_t *target;  /* queries targets in [0, n] */
};

static void search_release(void *state)
{
	struct search_state *s = state;

	if (!s)
		return;
	bench__input_free(s->list, s->n * sizeof(*s->list));
	bench__input_free(s->target, s->queries * sizeof(*s->target));
	free(s);
}

static int search_prepare(const struct bench_params *p, void **out,
			  struct bench_err *err)
{
	struct search_state *s = calloc(1, sizeof(*s));

	if (!s)
		goto nomem;
	s->n = p->size;
	s->queries = bench_params_num(p, "queries");
	s->list = bench__input_alloc(s->n * sizeof(*s->list));
	s->target = bench__input_alloc(s->queries * sizeof(*s->target));
	if (!s->list || !s->target)
		goto nomem;
	for (uint64_t i = 0; i < s->n; i++)
		s->list[i] = (uint32_t)i;
	for (uint64_t q = 0; q < s->queries; q++) {
		struct bench__rng r = bench__rng_item(p->seed, q);

		s->target[q] = (uint32_t)bench__rng_range(&r, 0, s->n);
	}
	*out = s;
	return 0;
nomem:
	search_release(s);
	return bench_err_set(err, BENCH_ENOMEM,
			     "search: cannot allocate a list of %llu",
			     (unsigned long long)p->size);
}

static uint64_t search_item_count(const void *state)
{
	return ((const struct search_state *)state)->queries;
}

/* Position of target in the list, or n when absent. */
static uint64_t linear_search(const struct search_state *s, uint32_t target)
{
	uint64_t i;

	for (i = 0; i < s->n; i++)
		if (s->list[i] == target)
			break;
	return i;
}

static int search_run(const void *state, const struct bench_task *task,
		      void *partial, struct bench_err *err)
{
	const struct search_state *s = state;
	struct bench__fold *f = partial;

	(void)err;
	for (uint64_t q = task->first; q < task->first + task->count; q++) {
		uint64_t pos;

		bench__checkpoint();
		pos = linear_search(s, s->target[q]);
		f->total += pos < s->n;
		bench__fold_add(f, q, pos);
	}
	return 0;
}

static int search_show(const void *state, uint64_t q, char *line, size_t len,
		       struct bench_err *err)
{
	const struct search_state *s = state;
	uint64_t pos = linear_search(s, s->target[q]);

	(void)err;
	if (pos < s->n)
		snprintf(line, len, "%u found at %llu", (unsigned)s->target[q],
			 (unsigned long long)pos);
	else
		snprintf(line, len, "%u not found", (unsigned)s->target[q]);
	return 0;
}

static const struct bench_option search_options[] = {
	{ .name = "queries", .kind = BENCH_OPT_NUMBER, .arg = "N",
	  .help = "how many searches", .def = 1000, .min = 1,
	  .max = 100000000, .flags = BENCH_OPT_COUNTS_ITEMS },
	{ .name = NULL },
};

static void search_describe(const struct bench_params *p, int fixed_size,
			    char *buf, size_t len)
{
	if (fixed_size)
		snprintf(buf, len, " in a list of %llu",
			 (unsigned long long)p->size);
	else
		snprintf(buf, len, ", %llu queries per sample",
			 (unsigned long long)bench_params_num(p, "queries"));
}

const struct bench_workload bench__wl_search = {
	.options = search_options,
	.describe = search_describe,
	.name = "search",
	.summary = "linear search of a list of --size integers (--queries of them)",
	.item_desc = "queries",
	.default_size = 1000000,
	.max_size = (1ull << 31) - 1,
	.partial_size = sizeof(struct bench__fold),
	.prepare = search_prepare,
	.release = search_release,
	.item_count = search_item_count,
	.partial_init = bench__fold_init,
	.run = search_run,
	.merge = bench__fold_merge,
	.checksum = bench__fold_checksum,
	.show = search_show,
};
