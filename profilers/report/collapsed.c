/*
 * collapsed.c - collapsed stacks, profile.collapsed (memory.collapsed for
 * mem): one line "root;caller;...;leaf weight" per distinct stack, the
 * input of flamegraph.pl and speedscope. The weight is samples for cpu,
 * nanoseconds spent in the leaf itself on that path for count (the call
 * tree's nodes, the hooks' cost taken out), bytes allocated for mem;
 * stacks weighing nothing (rounded to a whole unit) are left out.
 *
 * The design choice to know: stacks are merged by function name, not by
 * address, so the same path through different call sites (or different
 * threads and processes) is one line, as flame graphs expect.
 */
#include <string.h>

#include "report.h"

struct line {
	char *text;
	double w;
};

struct lines {
	struct line *v;
	size_t n, cap;
};

static int add_line(struct profile *P, const struct stack *s, void *ud)
{
	struct lines *L = ud;
	char buf[8192];
	size_t len = 0;

	for (uint32_t j = 0; j < s->depth; j++) {
		struct func *fn = FN(P, s->loc[j]);
		int w = snprintf(buf + len, sizeof(buf) - len, "%s%s", len ? ";" : "",
				 fn ? fn->name : "?");

		if (w < 0 || (size_t)w >= sizeof(buf) - len)
			break;
		len += (size_t)w;
	}
	if (!len)
		return 0;
	if (GROW(L->v, L->n, L->cap))
		return -1;
	if (!(L->v[L->n].text = strdup(buf)))
		return -1;
	L->v[L->n++].w = s->weight;
	return 0;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(((const struct line *)a)->text, ((const struct line *)b)->text);
}

/* "root;...;leaf weight" per stack, identical stacks merged. */
static int write_collapsed(FILE *f, struct profile *P)
{
	struct lines L = { 0 };
	int rc = 0;

	for (size_t i = 0; i < P->nprocs && rc == 0; i++)
		rc = profile_stacks(P, i, add_line, &L);
	if (!L.v)
		L.n = 0; /* lost to a failed GROW: the file says so by failing */
	else
		qsort(L.v, L.n, sizeof(*L.v), cmp_line);
	for (size_t i = 0; i < L.n; i++) {
		double w = L.v[i].w;
		char weight[32];

		while (i + 1 < L.n && strcmp(L.v[i].text, L.v[i + 1].text) == 0) {
			free(L.v[i].text);
			w += L.v[++i].w;
		}
		snprintf(weight, sizeof(weight), "%.0f", w);
		if (strcmp(weight, "0") != 0 && strcmp(weight, "-0") != 0)
			fprintf(f, "%s %s\n", L.v[i].text, weight);
		free(L.v[i].text);
	}
	free(L.v);
	return rc != 0 || ferror(f) ? -1 : 0;
}

int profile_out_collapsed(struct profile *P, const struct profile_opts *o)
{
	return profile_write_file(o->dir, P->kind == PROF_MEM ? "memory.collapsed" :
				  "profile.collapsed", write_collapsed, P);
}
