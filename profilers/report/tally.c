/*
 * tally.c - adding a profile's costs up per function, over every sample,
 * site or counted function of every process, once symbols.c has named
 * their addresses.
 *
 *   cpu    self: samples with the function as leaf; cum: samples with it
 *          anywhere on the stack, once per sample however deep the
 *          recursion;
 *   count  the calls counted, self and cum in ns, less the hooks' own cost
 *          measured at start (per call the function made, per call made
 *          anywhere below it);
 *   mem    bytes, allocations and what was live at exit, charged to the
 *          site's first frame outside libc, libstdc++ and the profiler
 *          (strdup, fopen, operator new, the malloc hooks), so the table
 *          names the caller.
 *
 * The design choice to know: costs are kept as doubles in the function,
 * not per process, since functions are merged by name across processes;
 * the per-process detail stays in the files for callgrind and the trace.
 */
#include <math.h>
#include <string.h>

#include "report.h"

/* Adds up the functions' costs over every process. */
void profile_tally(struct profile *P)
{
	unsigned serial = 0;

	for (size_t i = 0; i < P->nprocs; i++) {
		const struct proc *p = &P->procs[i];

		for (size_t k = 0; k < p->nsamples; k++) {
			const uint32_t *f = P->frames[i][k];

			serial++;
			for (uint32_t d = 0; f && d < p->samples[k].depth; d++) {
				struct func *fn = FN(P, f[d]);

				if (!fn)
					continue;
				if (d == 0)
					fn->self += 1;
				if (fn->seen != (int)serial) {
					fn->seen = (int)serial;
					fn->cum += 1;
				}
			}
		}
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
		for (size_t k = 0; k < p->nfuncs; k++) {
			const struct prof_func *c = p->funcs[k];
			struct func *fn = FN(P, P->fn_locs[i][k]);
			double o = (double)p->h->overhead_ns;

			if (!fn)
				continue;
			fn->calls += c->calls;
			/* Calibrated: each call it made cost o, and so did each
			 * call made anywhere below it. */
			fn->self += fmax(0, (double)c->self_ns - o * (double)c->child_calls);
			fn->cum += fmax(0, (double)c->incl_ns - o * (double)c->desc_calls);
		}
	}
}
