/*
 * range.c - "how many within range", the course's Pool.apply example.
 *
 * A size x 5 matrix of integers in [0, 10); for each row, count the values
 * in [4, 8]. Items are rows. The work per row is tiny, so with --chunk 1 a
 * sample is almost all dispatch: what Pool.apply per row costs.
 */
#include <stdlib.h>

#include "bench/workload.h"
#include "lib/checkpoint.h"
#include "common.h"

#define COLS 5
#define LOW 4
#define HIGH 8

struct range_state {
	uint64_t rows;
	uint8_t *m; /* rows * COLS values in [0, 10) */
};

static void range_release(void *state)
{
	struct range_state *s = state;

	if (!s)
		return;
	bench__input_free(s->m, s->rows * COLS);
	free(s);
}

static int range_prepare(const struct bench_params *p, void **out,
			 struct bench_err *err)
{
	struct range_state *s = calloc(1, sizeof(*s));

	if (s)
		s->rows = p->size;
	if (!s || !(s->m = bench__input_alloc(p->size * COLS))) {
		range_release(s);
		return bench_err_set(err, BENCH_ENOMEM,
				     "range: cannot allocate %llu rows",
				     (unsigned long long)p->size);
	}
	for (uint64_t i = 0; i < s->rows; i++) {
		struct bench__rng r = bench__rng_item(p->seed, i);

		for (int c = 0; c < COLS; c++)
			s->m[i * COLS + c] = (uint8_t)bench__rng_range(&r, 0, 9);
	}
	*out = s;
	return 0;
}

static uint64_t range_item_count(const void *state)
{
	return ((const struct range_state *)state)->rows;
}

static unsigned within(const uint8_t *row)
{
	unsigned n = 0;

	for (int c = 0; c < COLS; c++)
		n += row[c] >= LOW && row[c] <= HIGH;
	return n;
}

static int range_run(const void *state, const struct bench_task *task,
		     void *partial, struct bench_err *err)
{
	const struct range_state *s = state;
	struct bench__fold *f = partial;

	(void)err;
	for (uint64_t i = task->first; i < task->first + task->count; i++) {
		unsigned n = within(s->m + i * COLS);

		/* A row is a few ns: check for the GIL now and then. */
		if ((i & 1023) == 0)
			bench__checkpoint();
		f->total += n;
		bench__fold_add(f, i, n);
	}
	return 0;
}

static int range_show(const void *state, uint64_t i, char *line, size_t len,
		      struct bench_err *err)
{
	const struct range_state *s = state;
	const uint8_t *row = s->m + i * COLS;

	(void)err;
	snprintf(line, len, "%u %u %u %u %u %u", row[0], row[1], row[2],
		 row[3], row[4], within(row));
	return 0;
}

const struct bench_workload bench__wl_range = {
	.name = "range",
	.summary = "count values in [4, 8] per row of a --size x 5 matrix",
	.item_desc = "rows",
	.default_size = 4000000,
	.max_size = 1000000000,
	.partial_size = sizeof(struct bench__fold),
	.prepare = range_prepare,
	.release = range_release,
	.item_count = range_item_count,
	.partial_init = bench__fold_init,
	.run = range_run,
	.merge = bench__fold_merge,
	.checksum = bench__fold_checksum,
	.show = range_show,
};
