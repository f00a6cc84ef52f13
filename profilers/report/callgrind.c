/*
 * callgrind.c - one callgrind file per process, callgrind.out.PID, for
 * KCachegrind and callgrind_annotate: each function's self cost per line,
 * then its calls with their count and inclusive cost. Events are Samples
 * for cpu and Nanoseconds for count (calibrated as the table is); mem has
 * no calls, so no files.
 *
 * The design choice to know: from cpu samples, an edge's inclusive cost
 * is counted once per sample even when the caller -> callee pair recurs
 * deeper in the same stack, so recursion does not inflate it past the
 * total.
 */
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "report.h"

/* callgrind's format for one process: self cost per function and line,
 * then its calls with their inclusive cost. */
struct cg_cost {
	struct func *fn, *callee;
	unsigned line, callee_line;
	double cost;
	uint64_t calls;
};

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

static int add_cg(struct cg_cost **v, size_t *n, size_t *cap, struct cg_cost c)
{
	for (size_t i = *n; i-- > 0 && i + 64 > *n;)
		if ((*v)[i].fn == c.fn && (*v)[i].callee == c.callee && (*v)[i].line == c.line) {
			(*v)[i].cost += c.cost;
			(*v)[i].calls += c.calls;
			return 0;
		}
	if (GROW(*v, *n, *cap))
		return -1;
	(*v)[(*n)++] = c;
	return 0;
}

static int write_callgrind(FILE *f, struct profile *P, size_t i, const char *cmd)
{
	const struct proc *p = &P->procs[i];
	struct cg_cost *v = NULL;
	size_t n = 0, cap = 0;
	double total = 0;

	if (P->kind == PROF_CPU) {
		for (size_t k = 0; k < p->nsamples; k++) {
			const uint32_t *fr = P->frames[i][k];
			uint32_t d = p->samples[k].depth;

			if (!fr || !d || !FN(P, fr[0]))
				continue;
			total += 1;
			add_cg(&v, &n, &cap, (struct cg_cost){ FN(P, fr[0]), NULL,
				LOC(P, fr[0])->line, 0, 1, 0 });
			for (uint32_t j = 1; j < d; j++) {
				struct func *caller = FN(P, fr[j]), *callee = FN(P, fr[j - 1]);
				int again = 0;

				if (!caller || !callee)
					continue;
				/* Inclusive cost once per sample for an edge. */
				for (uint32_t q = j + 1; q < d && !again; q++)
					again = FN(P, fr[q]) == caller && FN(P, fr[q - 1]) == callee;
				if (!again)
					add_cg(&v, &n, &cap, (struct cg_cost){ caller, callee,
						LOC(P, fr[j])->line, callee->line, 1, 1 });
			}
		}
	} else {
		for (size_t k = 0; k < p->nfuncs; k++) {
			struct func *fn = FN(P, P->fn_locs[i][k]);
			const struct prof_func *c = p->funcs[k];
			double self = fmax(0, (double)c->self_ns -
						      (double)p->h->overhead_ns * (double)c->child_calls);

			if (!fn)
				continue;
			total += self;
			add_cg(&v, &n, &cap, (struct cg_cost){ fn, NULL, fn->line, 0, self, 0 });
		}
		for (size_t k = 0; k < p->nedges; k++) {
			struct func *a = FN(P, P->edge_locs[i][2 * k]), *b = FN(P, P->edge_locs[i][2 * k + 1]);

			/* Calibrated as the functions' own times: the hooks of
			 * every call below this one cost o each. */
			if (a && b)
				add_cg(&v, &n, &cap, (struct cg_cost){ a, b, a->line, b->line,
					fmax(0, (double)p->edges[k]->incl_ns -
						(double)p->h->overhead_ns *
						(double)(p->edges[k]->desc_calls + p->edges[k]->calls)),
					p->edges[k]->calls });
		}
	}
	if (v)
		qsort(v, n, sizeof(*v), cmp_cg);
	fprintf(f, "# callgrind format\nversion: 1\ncreator: bench profile\npid: %" PRIu64 "\ncmd: %s\n"
		"positions: line\nevents: %s\nsummary: %.0f\n\n", p->h->pid, cmd,
		P->kind == PROF_CPU ? "Samples" : "Nanoseconds", total);
	for (size_t k = 0; k < n; k++) {
		if (k == 0 || v[k].fn != v[k - 1].fn) {
			fprintf(f, "fl=%s\nfn=%s\n", v[k].fn->file ? v[k].fn->file : "?", v[k].fn->name);
		}
		if (!v[k].callee) {
			fprintf(f, "%u %.0f\n", v[k].line, v[k].cost);
			continue;
		}
		fprintf(f, "cfl=%s\ncfn=%s\ncalls=%" PRIu64 " %u\n%u %.0f\n",
			v[k].callee->file ? v[k].callee->file : "?", v[k].callee->name,
			v[k].calls, v[k].callee_line, v[k].line, v[k].cost);
	}
	free(v);
	return ferror(f) ? -1 : 0;
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
