/*
 * callgrind.c - one callgrind file per process, callgrind.out.PID, for
 * KCachegrind and callgrind_annotate: each function's self cost per line,
 * then its calls with their count and inclusive cost. Events are Samples
 * for cpu and Nanoseconds for count (the hooks' cost taken out, as in the
 * table); mem has no calls, so no files.
 *
 * The design choice to know: callgrind_annotate and KCachegrind take a
 * called function's inclusive cost to be the sum of the costs of the
 * calls into it (and an uncalled one's, its self cost plus its calls'),
 * so a stack's weight (stacks.c) goes to each function on it once: to
 * the call into its outermost activation on the stack, and to the leaf's
 * self cost. A recursive function (rec -> rec -> spin) then counts no
 * stack twice, its inner calls carry their counts but no cost, and no
 * function's inclusive cost passes the total. For count, every call-tree
 * node's calls go to the call from its caller, wherever its cost went.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "report.h"

/* A function's own cost at a line (callee NULL), or a call it makes. */
struct cg_cost {
	struct func *fn, *callee;
	unsigned line, callee_line;
	double cost;
	uint64_t calls;
};

/* One process's costs, merged by (fn, callee, line) through a hash. */
struct cg {
	struct cg_cost *v;
	size_t n, cap;
	size_t *slot, nslots;     /* index + 1; 0: empty */
	double total;
};

static size_t cg_hash(const struct cg_cost *c, size_t nslots)
{
	uint64_t k = ((uint64_t)(uintptr_t)c->fn * 31 + (uint64_t)(uintptr_t)c->callee) * 31 + c->line;

	return (size_t)((k * 0x9e3779b97f4a7c15ull) >> 17) % nslots;
}

/* The entry of (fn, callee, line), added at zero cost the first time;
 * NULL when out of memory. */
static struct cg_cost *cg_at(struct cg *g, struct func *fn, struct func *callee, unsigned line,
			     unsigned callee_line)
{
	struct cg_cost key = { fn, callee, line, callee_line, 0, 0 };
	size_t h;

	if (2 * (g->n + 1) > g->nslots) {
		size_t n = g->nslots ? 2 * g->nslots : 1024;
		size_t *slot = calloc(n, sizeof(*slot));

		if (!slot)
			return NULL;
		for (size_t i = 0; i < g->n; i++) {
			for (h = cg_hash(&g->v[i], n); slot[h]; h = (h + 1) % n)
				;
			slot[h] = i + 1;
		}
		free(g->slot);
		g->slot = slot;
		g->nslots = n;
	}
	for (h = cg_hash(&key, g->nslots); g->slot[h]; h = (h + 1) % g->nslots) {
		struct cg_cost *c = &g->v[g->slot[h] - 1];

		if (c->fn == fn && c->callee == callee && c->line == line)
			return c;
	}
	if (GROW(g->v, g->n, g->cap))
		return NULL;
	g->v[g->n] = key;
	g->slot[h] = ++g->n;
	return &g->v[g->n - 1];
}

static int cg_stack(struct profile *P, const struct stack *s, void *ud)
{
	struct cg *g = ud;
	const struct loc *end = LOC(P, s->loc[s->depth - 1]);
	struct func *leaf = end ? end->fn : NULL;
	int count = P->kind == PROF_COUNT;
	struct cg_cost *c;

	if (!leaf)
		return 0;
	P->serial++;
	g->total += s->weight;
	if (!(c = cg_at(g, leaf, NULL, count ? leaf->line : end->line, 0)))
		return -1;
	c->cost += s->weight;
	for (uint32_t d = 0; d + 1 < s->depth; d++) {
		const struct loc *at = LOC(P, s->loc[d]);
		struct func *fn = at ? at->fn : NULL, *callee = FN(P, s->loc[d + 1]);
		int outermost;
		uint64_t calls;

		if (!fn || !callee)
			continue;
		outermost = callee->seen != P->serial;
		callee->seen = P->serial;
		/* cpu: the samples through the call; count: the node's calls,
		 * on the call from its caller. */
		calls = count ? (d + 2 == s->depth ? s->calls : 0) : (uint64_t)outermost;
		if (!outermost && !calls)
			continue;
		if (!(c = cg_at(g, fn, callee, count ? fn->line : at->line, callee->line)))
			return -1;
		if (outermost)
			c->cost += s->weight;
		c->calls += calls;
	}
	return 0;
}

static int cmp_cg(const void *a, const void *b)
{
	const struct cg_cost *x = a, *y = b;

	if (x->fn != y->fn)
		return x->fn->id < y->fn->id ? -1 : 1;
	if ((x->callee == NULL) != (y->callee == NULL))
		return x->callee ? 1 : -1;
	if (x->callee != y->callee)
		return x->callee->id < y->callee->id ? -1 : 1;
	return (x->line > y->line) - (x->line < y->line);
}

/* callgrind's format for one process: self cost per function and line,
 * then its calls with their inclusive cost. */
static int write_callgrind(FILE *f, struct profile *P, size_t i, const char *cmd)
{
	struct cg g = { 0 };
	int rc = profile_stacks(P, i, cg_stack, &g);

	if (g.v)
		qsort(g.v, g.n, sizeof(*g.v), cmp_cg);
	fprintf(f, "# callgrind format\nversion: 1\ncreator: bench profile\npid: %" PRIu64 "\ncmd: %s\n"
		"positions: line\nevents: %s\nsummary: %.0f\n\n", P->procs[i].h->pid, cmd,
		P->kind == PROF_CPU ? "Samples" : "Nanoseconds", g.total);
	for (size_t k = 0; g.v && k < g.n; k++) {
		const struct cg_cost *c = &g.v[k];

		if (k == 0 || c->fn != g.v[k - 1].fn)
			fprintf(f, "fl=%s\nfn=%s\n", c->fn->file ? c->fn->file : "?", c->fn->name);
		if (!c->callee) {
			fprintf(f, "%u %.0f\n", c->line, c->cost);
			continue;
		}
		fprintf(f, "cfl=%s\ncfn=%s\ncalls=%" PRIu64 " %u\n%u %.0f\n",
			c->callee->file ? c->callee->file : "?", c->callee->name,
			c->calls, c->callee_line, c->line, c->cost);
	}
	free(g.v);
	free(g.slot);
	return rc != 0 || ferror(f) ? -1 : 0;
}

int profile_out_callgrind(struct profile *P, const struct profile_opts *o)
{
	int status = 0;

	for (size_t i = 0; i < P->nprocs; i++) {
		char path[PATH_MAX + 64];
		struct out out;

		snprintf(path, sizeof(path), "%s/callgrind.out.%" PRIu64, o->dir,
			 P->procs[i].h->pid);
		if (out_open(&out, path) != 0 ||
		    write_callgrind(out.f, P, i, o->cmdline) != 0) {
			out_fail(&out);
			status = -1;
			continue;
		}
		if (out_commit(&out) != 0)
			status = -1;
		else
			fprintf(stderr, "bench: %s\n", path);
	}
	return status;
}
