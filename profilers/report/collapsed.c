/*
 * collapsed.c - collapsed stacks, profile.collapsed (memory.collapsed for
 * mem): one line "root;caller;...;leaf weight" per distinct stack, the
 * input of flamegraph.pl and speedscope. The weight is samples for cpu
 * and bytes allocated for mem; count has no stacks, so no file.
 *
 * The design choice to know: stacks are merged by function name, not by
 * address, so the same path through different call sites (or different
 * processes) is one line, as flame graphs expect.
 */
#include <string.h>

#include "report.h"

struct line {
	char *text;
	double w;
};

static int cmp_line(const void *a, const void *b)
{
	return strcmp(((const struct line *)a)->text, ((const struct line *)b)->text);
}

/* "root;...;leaf weight" per stack, identical stacks merged. */
static int write_collapsed(FILE *f, struct profile *P)
{
	struct line *v = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < P->nprocs; i++) {
		const struct proc *p = &P->procs[i];
		size_t m = P->kind == PROF_MEM ? p->nsites : p->nsamples;

		for (size_t k = 0; k < m; k++) {
			const uint32_t *fr = P->kind == PROF_MEM ? P->site_frames[i][k] : P->frames[i][k];
			uint32_t d = P->kind == PROF_MEM ? p->sites[k].s->depth : p->samples[k].depth;
			char buf[8192];
			size_t len = 0;

			for (uint32_t j = d; fr && j-- > 0;) {
				struct func *fn = FN(P, fr[j]);
				int w = snprintf(buf + len, sizeof(buf) - len, "%s%s", len ? ";" : "",
						 fn ? fn->name : "?");

				if (w < 0 || (size_t)w >= sizeof(buf) - len)
					break;
				len += (size_t)w;
			}
			if (!len || GROW(v, n, cap))
				continue;
			v[n].text = strdup(buf);
			v[n++].w = P->kind == PROF_MEM ? (double)p->sites[k].s->bytes : 1;
		}
	}
	if (v)
		qsort(v, n, sizeof(*v), cmp_line);
	for (size_t i = 0; i < n; i++) {
		double w = v[i].w;

		while (i + 1 < n && strcmp(v[i].text, v[i + 1].text) == 0) {
			free(v[i].text);
			w += v[++i].w;
		}
		fprintf(f, "%s %.0f\n", v[i].text, w);
		free(v[i].text);
	}
	free(v);
	return ferror(f) ? -1 : 0;
}

int profile_out_collapsed(struct profile *P, const struct profile_opts *o)
{
	return profile_write_file(o->dir, P->kind == PROF_MEM ? "memory.collapsed" :
				  "profile.collapsed", write_collapsed, P);
}
