/*
 * tally.c - adding a profile's costs up per function, over every stack
 * of every process (stacks.c), once symbols.c has named their addresses.
 *
 *   cpu    self: samples with the function as leaf; cum: samples with it
 *          anywhere on the stack, once per sample however deep the
 *          recursion;
 *   count  the same over the call tree's paths, each weighing the time
 *          spent in its last function (the hooks' own cost already taken
 *          out by the profiler): self is a function's own time, cum its
 *          own time and its callees', once however deep it recurses, and
 *          ncalls the calls counted;
 *   mem    bytes, allocations and what was live at exit, charged to the
 *          site's first frame outside libc, libstdc++ and the profiler
 *          (strdup, fopen, operator new, the malloc hooks), so the table
 *          names the caller.
 *
 * The design choice to know: costs are kept as doubles in the function,
 * not per process, since functions are merged by name across processes;
 * the per-process detail stays in the files for callgrind and the trace.
 */
#include <string.h>

#include "report.h"

/* A stack's weight to its leaf's own cost, and once to the cumulative
 * cost of each function on it. */
static int tally_stack(struct profile *P, const struct stack *s, void *ud)
{
	struct func *leaf = FN(P, s->loc[s->depth - 1]);

	(void)ud;
	P->serial++;
	if (leaf) {
		leaf->self += s->weight;
		leaf->calls += s->calls;
	}
	for (uint32_t d = 0; d < s->depth; d++) {
		struct func *fn = FN(P, s->loc[d]);

		if (fn && fn->seen != P->serial) {
			fn->seen = P->serial;
			fn->cum += s->weight;
		}
	}
	return 0;
}

/* mem: each site's bytes to the function that asked for them. */
static void tally_sites(struct profile *P, size_t i)
{
	const struct proc *p = &P->procs[i];

	for (size_t k = 0; k < p->nsites; k++) {
		const struct prof_site *s = p->sites[k].s;
		const uint32_t *f = P->site_frames[i][k];
		/* The site's function: the first frame outside libc's
		 * wrappers (strdup, fopen, ...), else the first. */
		struct func *fn = f && s->depth ? FN(P, f[0]) : NULL;

		for (uint32_t d = 0; f && d < s->depth; d++) {
			const struct loc *L = LOC(P, f[d]);

			if (L && L->fn && !strstr(L->module, "libc.so") &&
			    !strstr(L->module, "libstdc++") &&
			    !strstr(L->module, "libbenchprof")) {
				fn = L->fn;
				break;
			}
		}
		if (!fn)
			continue;
		fn->self += (double)s->bytes;
		fn->count += s->count;
		fn->live += (double)s->live_bytes;
		fn->live_count += s->live_count;
	}
}

/* Adds up the functions' costs over every process. */
void profile_tally(struct profile *P)
{
	for (size_t i = 0; i < P->nprocs; i++) {
		if (P->kind == PROF_MEM)
			tally_sites(P, i);
		else
			profile_stacks(P, i, tally_stack, NULL);
	}
}
