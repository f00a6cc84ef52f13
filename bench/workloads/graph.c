/*
 * graph.c - a task graph, the course's dask.delayed example widened:
 *
 *   x = inc(1); y = dec(2); z = add(x, y)
 *
 * becomes --size nodes (default 40). The first SOURCES nodes are inc(i)
 * or dec(i) of a constant; every later node is inc or dec of one earlier
 * node or add of two, drawn from the WINDOW nodes before it, so the graph
 * has parallel branches that join. Each node first waits (as the course's
 * time.sleep(0.5)), 1 to --max-ms ms, then computes: its value from its
 * dependencies' values, then COMPUTE_ROUNDS of mixing from that value,
 * which is the part no amount of waiting overlaps.
 *
 * Executors run a node only once the nodes it depends on are done (see
 * deps() in workload.h). Values travel through memory mapped shared in
 * prepare(), so a node computed by one forked worker is read by another.
 * Each node also records the longest chain of waits ending with it; the
 * result keeps the largest (the critical path) and the sum of all waits
 * (what serial pays), so a run shows how close each mode came to the
 * critical path.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bench/workload.h"
#include "lib/rng.h"
#include "lib/checkpoint.h"
#include "common.h"

#define SOURCES 4
#define WINDOW 6
#define COMPUTE_ROUNDS 100000

enum op { OP_INC, OP_DEC, OP_ADD };

struct node {
	uint8_t op;
	uint8_t ndeps;      /* 0 for a source */
	uint32_t dep[2];
	int64_t constant;   /* a source's argument */
	bench_ns wait;
};

/* What a node leaves its dependents, in shared memory. */
struct done {
	int64_t value;
	bench_ns chain;     /* waits on the longest path ending here */
};

struct graph_state {
	uint64_t n;
	struct node *node;
	int64_t *expect;    /* each node's value, for bench show */
	struct done *done;  /* MAP_SHARED, n */
	size_t done_len;
};

struct graph_result {
	struct bench__fold fold;  /* items: nodes; sum over their digests */
	bench_ns critical;        /* the longest chain of waits */
	bench_ns waits;           /* every wait, summed */
};

static void graph_release(void *state)
{
	struct graph_state *s = state;

	if (!s)
		return;
	if (s->done)
		munmap(s->done, s->done_len);
	free(s->node);
	free(s->expect);
	free(s);
}

/* A node's value from its argument(s). Sums of sums grow exponentially
 * along a graph of hundreds of nodes, so values wrap modulo 2^64 (computed
 * unsigned, where wrapping is defined), like Python's would not, and are
 * shown as signed. */
static int64_t apply(const struct node *nd, int64_t x, int64_t y)
{
	switch (nd->op) {
	case OP_INC: return (int64_t)((uint64_t)x + 1);
	case OP_DEC: return (int64_t)((uint64_t)x - 1);
	default: return (int64_t)((uint64_t)x + (uint64_t)y);
	}
}

static int graph_prepare(const struct bench_params *p, void **out,
			 struct bench_err *err)
{
	struct graph_state *s = calloc(1, sizeof(*s));
	uint64_t max_ms = bench_params_num(p, "max-ms");

	if (!s)
		return bench_err_set(err, BENCH_ENOMEM, "out of memory");
	s->n = p->size;
	s->node = calloc(s->n, sizeof(*s->node));
	s->expect = calloc(s->n, sizeof(*s->expect));
	s->done_len = s->n * sizeof(*s->done);
	s->done = mmap(NULL, s->done_len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (s->done == MAP_FAILED)
		s->done = NULL;
	if (!s->node || !s->expect || !s->done) {
		graph_release(s);
		return bench_err_set(err, BENCH_ENOMEM,
				     "graph: cannot allocate %" PRIu64 " nodes",
				     p->size);
	}
	for (uint64_t i = 0; i < s->n; i++) {
		struct bench__rng r = bench__rng_item(p->seed, i);
		struct node *nd = &s->node[i];
		uint64_t lo = i > WINDOW ? i - WINDOW : 0;

		nd->wait = (bench_ns)bench__rng_range(&r, 1000, max_ms * 1000) *
			   BENCH_NS_PER_US;
		if (i < SOURCES) {
			nd->op = (uint8_t)bench__rng_range(&r, OP_INC, OP_DEC);
			nd->constant = (int64_t)i + 1;
			continue;
		}
		nd->op = (uint8_t)bench__rng_range(&r, OP_INC, OP_ADD);
		nd->ndeps = nd->op == OP_ADD ? 2 : 1;
		nd->dep[0] = (uint32_t)bench__rng_range(&r, lo, i - 1);
		/* add takes two distinct nodes, as add(x, y) does. */
		do
			nd->dep[1] = (uint32_t)bench__rng_range(&r, lo, i - 1);
		while (nd->ndeps == 2 && nd->dep[1] == nd->dep[0]);
	}
	/* The values the run must reach, in node order (deps come first). */
	for (uint64_t i = 0; i < s->n; i++) {
		const struct node *nd = &s->node[i];

		s->expect[i] = apply(nd, nd->ndeps ? s->expect[nd->dep[0]] : nd->constant,
				     nd->ndeps == 2 ? s->expect[nd->dep[1]] : 0);
	}
	*out = s;
	return 0;
}

static uint64_t graph_item_count(const void *state)
{
	return ((const struct graph_state *)state)->n;
}

static unsigned graph_deps(const void *state, uint64_t item, uint64_t *deps)
{
	const struct node *nd = &((const struct graph_state *)state)->node[item];

	for (unsigned k = 0; k < nd->ndeps; k++)
		deps[k] = nd->dep[k];
	return nd->ndeps;
}

static bench_ns graph_wait_ns(const void *state, uint64_t item)
{
	return ((const struct graph_state *)state)->node[item].wait;
}

static int graph_run(const void *state, const struct bench_task *task,
		     void *partial, struct bench_err *err)
{
	const struct graph_state *s = state;
	struct graph_result *r = partial;

	(void)err;
	for (uint64_t i = task->first; i < task->first + task->count; i++) {
		const struct node *nd = &s->node[i];
		int64_t x = nd->constant, y = 0;
		bench_ns before = 0;
		uint64_t h;

		for (unsigned k = 0; k < nd->ndeps; k++) {
			const struct done *d = &s->done[nd->dep[k]];

			if (k == 0)
				x = d->value;
			else
				y = d->value;
			if (d->chain > before)
				before = d->chain;
		}
		s->done[i].value = apply(nd, x, y);
		s->done[i].chain = before + nd->wait;
		/* The computing part: no overlap of waits shortens it. */
		h = (uint64_t)s->done[i].value;
		for (unsigned k = 0; k < COMPUTE_ROUNDS; k++) {
			if ((k & 1023) == 0)
				bench__checkpoint();
			h = bench__mix64(h + k);
		}
		bench__fold_add(&r->fold, i, h);
		r->waits += nd->wait;
		if (s->done[i].chain > r->critical)
			r->critical = s->done[i].chain;
	}
	return 0;
}

static void graph_init(void *partial)
{
	memset(partial, 0, sizeof(struct graph_result));
}

static void graph_merge(void *acc, const void *partial)
{
	struct graph_result *a = acc;
	const struct graph_result *p = partial;

	bench__fold_merge(&a->fold, &p->fold);
	a->waits += p->waits;
	if (p->critical > a->critical)
		a->critical = p->critical;
}

static void graph_checksum(const void *acc, char *out)
{
	const struct graph_result *r = acc;
	struct bench__fold f = r->fold;

	f.sum += bench__mix64((uint64_t)r->critical ^ 0x9e3779b97f4a7c15ull);
	f.sum += bench__mix64((uint64_t)r->waits ^ 0xc2b2ae3d27d4eb4full);
	bench__fold_checksum(&f, out);
}

static const char *const graph_field_names[] = { "nodes", "critical_path_us",
						  "waits_us", NULL };

static void graph_fields(const void *acc, uint64_t *v)
{
	const struct graph_result *r = acc;

	v[0] = r->fold.items;
	v[1] = (uint64_t)(r->critical / BENCH_NS_PER_US);
	v[2] = (uint64_t)(r->waits / BENCH_NS_PER_US);
}

static void graph_note(const void *acc, char *buf, size_t len)
{
	const struct graph_result *r = acc;

	snprintf(buf, len,
		 "%" PRIu64 " nodes wait %.1f ms in all (what serial pays) and %.1f ms along the critical path (the least any mode can take, plus computing)",
		 r->fold.items, (double)r->waits / 1e6,
		 (double)r->critical / 1e6);
}

/* A distributed executor carries a node's done record to the ranks of
 * its dependents. */
static void *graph_item_out(void *state, uint64_t item, size_t *len)
{
	struct graph_state *s = state;

	*len = sizeof(*s->done);
	return &s->done[item];
}

static int graph_show(const void *state, uint64_t i, char *line, size_t len,
		      struct bench_err *err)
{
	const struct graph_state *s = state;
	const struct node *nd = &s->node[i];
	static const char *const names[] = { "inc", "dec", "add" };
	double ms = (double)nd->wait / 1e6;

	(void)err;
	if (nd->ndeps == 0)
		snprintf(line, len, "%" PRIu64 " = %s(%" PRId64 ") wait %.3f ms -> %" PRId64,
			 i, names[nd->op], nd->constant, ms, s->expect[i]);
	else if (nd->ndeps == 1)
		snprintf(line, len, "%" PRIu64 " = %s(#%u) wait %.3f ms -> %" PRId64,
			 i, names[nd->op], (unsigned)nd->dep[0], ms, s->expect[i]);
	else
		snprintf(line, len, "%" PRIu64 " = %s(#%u, #%u) wait %.3f ms -> %" PRId64,
			 i, names[nd->op], (unsigned)nd->dep[0],
			 (unsigned)nd->dep[1], ms, s->expect[i]);
	return 0;
}

static const struct bench_option graph_options[] = {
	{ .name = "max-ms", .kind = BENCH_OPT_NUMBER, .arg = "N",
	  .help = "longest wait of a node, ms", .def = 50, .min = 1, .max = 600000 },
	{ .name = NULL },
};

static void graph_describe(const struct bench_params *p, int fixed_size,
			 char *buf, size_t len)
{
	(void)fixed_size;
	snprintf(buf, len, " waiting up to %llu ms",
		 (unsigned long long)bench_params_num(p, "max-ms"));
}

const struct bench_workload bench__wl_graph = {
	.options = graph_options,
	.describe = graph_describe,
	.name = "graph",
	.summary = "dask.delayed-style inc/dec/add task graph: waits, then computes, by dependencies",
	.item_desc = "nodes",
	.flags = BENCH_WL_WAITS,
	.default_size = 40,
	.max_size = 1000000,
	.default_chunk = 1,
	.partial_size = sizeof(struct graph_result),
	.field_names = graph_field_names,
	.prepare = graph_prepare,
	.release = graph_release,
	.item_count = graph_item_count,
	.deps = graph_deps,
	.item_out = graph_item_out,
	.wait_ns = graph_wait_ns,
	.partial_init = graph_init,
	.run = graph_run,
	.merge = graph_merge,
	.checksum = graph_checksum,
	.fields = graph_fields,
	.note = graph_note,
	.show = graph_show,
};
