/*
 * load.c - reading the files `bench profile`'s preloaded profiler wrote,
 * prof.PID.START.bin in the profile folder, one per process image (the
 * format of profilers/prof_format.h).
 *
 * Each file is read whole into memory and its records indexed in place:
 * samples, spans, thread names, sites and call-tree nodes point into the
 * file's bytes rather than being copied. Only the maps (the text of
 * /proc/PID/maps) are parsed into a list of their own, keeping the
 * executable mappings. The processes are kept in the order they started,
 * so that every output lists them the same way, and a program that exec'd
 * another under the same pid comes before it.
 *
 * The design choice to know: a process killed while writing (SIGKILL, a
 * full disk) leaves a file cut short; reading stops at the first record
 * that is not whole and keeps everything before it, so a crash still
 * gives a report of what was collected.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "report.h"

static int parse_maps(struct proc *p, const char *text, size_t len)
{
	size_t cap = 0;
	char *copy = strndup(text, len), *save = NULL;

	if (!copy)
		return -1;
	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		unsigned long long lo, hi, off;
		char perms[8];
		int pos = 0;

		if (sscanf(l, "%llx-%llx %7s %llx %*s %*s %n", &lo, &hi, perms, &off, &pos) < 4)
			continue;
		if (perms[2] != 'x')
			continue;
		if (GROW(p->maps, p->nmaps, cap))
			return -1;
		p->maps[p->nmaps++] = (struct map){ lo, hi, off,
						    strdup(pos > 0 && l[pos] ? l + pos : "[anon]"), 0, 0 };
	}
	free(copy);
	return 0;
}

static int load_proc(const char *path, struct proc *p, struct bench_err *err)
{
	FILE *f = fopen(path, "rb");
	size_t len = 0, at, cs = 0, cn = 0, csp = 0, cnodes = 0, ci = 0, cm = 0;
	long size;

	memset(p, 0, sizeof(*p));
	if (!f || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		if (f)
			fclose(f);
		return bench_err_set(err, BENCH_ESYS, "cannot read %s: %s", path, strerror(errno));
	}
	len = (size_t)size;
	p->data = malloc(len + 1);
	if (!p->data || fread(p->data, 1, len, f) != len) {
		fclose(f);
		return bench_err_set(err, BENCH_ESYS, "cannot read %s", path);
	}
	fclose(f);
	if (len < sizeof(*p->h) || memcmp(p->data, PROF_MAGIC, 8) != 0)
		return bench_err_set(err, BENCH_EINVAL, "%s: not a bench profile file", path);
	p->h = (const struct prof_header *)p->data;
	for (at = sizeof(*p->h); at + sizeof(struct prof_rec) <= len;) {
		const struct prof_rec *r = (const struct prof_rec *)(p->data + at);
		const char *b = (const char *)(r + 1);

		if (r->len > len - at - sizeof(*r))
			break; /* cut short: keep what is whole */
		switch (r->type) {
		case REC_MAPS:
			parse_maps(p, b, r->len);
			break;
		case REC_SAMPLE: {
			const uint64_t *u = (const uint64_t *)b;
			uint32_t d = ((const uint32_t *)(u + 1))[1];

			if (d > PROF_DEPTH_MAX || 16 + 8 * (size_t)d > r->len)
				break;
			if (GROW(p->samples, p->nsamples, cs) == 0)
				p->samples[p->nsamples++] = (struct sample){
					u[0], ((const uint32_t *)(u + 1))[0], d, u + 2 };
			break;
		}
		case REC_THREAD:
			if (r->len > 4 && GROW(p->names, p->nnames, cn) == 0)
				p->names[p->nnames++] = (struct tname){
					*(const uint32_t *)b, b + 4 };
			break;
		case REC_SPAN:
			if (r->len > 24 && GROW(p->spans, p->nspans, csp) == 0)
				p->spans[p->nspans++] = (struct span){
					((const uint64_t *)b)[0], ((const uint64_t *)b)[1],
					*(const uint32_t *)(b + 16), b + 24 };
			break;
		case REC_NODES: {
			const uint32_t *head = (const uint32_t *)b;
			const struct prof_node *nd = (const struct prof_node *)(head + 2);
			size_t base = p->nnodes;

			if (r->len < 8 || (r->len - 8) / sizeof(*nd) < head[1])
				break;
			/* A parent not before its node (a damaged file) makes
			 * the node a root: every path ends. */
			for (uint32_t k = 0; k < head[1] && GROW(p->nodes, p->nnodes, cnodes) == 0; k++) {
				uint32_t par = nd[k].parent < k ? (uint32_t)base + nd[k].parent :
					       PROF_NODE_ROOT;

				p->nodes[p->nnodes++] = (struct cnode){ &nd[k], head[0], par,
					par == PROF_NODE_ROOT ? 1 : p->nodes[par].depth + 1 };
			}
			break;
		}
		case REC_SITE: {
			const struct prof_site *s = (const struct prof_site *)b;

			if (r->len >= sizeof(*s) && s->depth <= PROF_DEPTH_MAX &&
			    sizeof(*s) + 8 * (size_t)s->depth <= r->len &&
			    GROW(p->sites, p->nsites, ci) == 0)
				p->sites[p->nsites++] = (struct site){ s, (const uint64_t *)(s + 1) };
			break;
		}
		case REC_MEMTIME:
			if (r->len >= 24 && GROW(p->mem, p->nmem, cm) == 0)
				p->mem[p->nmem++] = (struct memt){ ((const uint64_t *)b)[0],
								   ((const uint64_t *)b)[1],
								   ((const uint64_t *)b)[2] };
			break;
		case REC_END:
			if (r->len >= sizeof(struct prof_end))
				p->end = (const struct prof_end *)b;
			break;
		}
		at += sizeof(*r) + r->len;
	}
	return 0;
}

static void free_proc(struct proc *p)
{
	for (size_t i = 0; i < p->nmaps; i++)
		free(p->maps[i].path);
	free(p->maps);
	free(p->samples);
	free(p->spans);
	free(p->names);
	free(p->nodes);
	free(p->sites);
	free(p->mem);
	free(p->data);
}

static int by_start(const void *a, const void *b)
{
	const struct proc *x = a, *y = b;

	if (x->h->start_ns != y->h->start_ns)
		return x->h->start_ns < y->h->start_ns ? -1 : 1;
	return (x->h->pid > y->h->pid) - (x->h->pid < y->h->pid);
}

size_t profile_load(struct profile *P, const char *dir)
{
	struct bench_err err = { 0 };
	size_t cap = 0;
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return P->nprocs;
	while ((e = readdir(d))) {
		char path[PATH_MAX + 300];
		size_t len = strlen(e->d_name);

		if (strncmp(e->d_name, "prof.", 5) != 0 || len < 9 ||
		    strcmp(e->d_name + len - 4, ".bin") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (GROW(P->procs, P->nprocs, cap))
			break;
		if (load_proc(path, &P->procs[P->nprocs], &err) == 0)
			P->nprocs++;
		else
			free_proc(&P->procs[P->nprocs]);
	}
	closedir(d);
	if (P->nprocs > 1)
		qsort(P->procs, P->nprocs, sizeof(*P->procs), by_start);
	return P->nprocs;
}

void profile_unload(struct profile *P)
{
	for (size_t i = 0; i < P->nprocs; i++)
		free_proc(&P->procs[i]);
	free(P->procs);
	P->procs = NULL;
	P->nprocs = 0;
}

const char *profile_ended(const struct proc *p, char *buf, size_t len)
{
	if (!p->end)
		snprintf(buf, len, "left no ending (killed by SIGKILL?)");
	else if (p->end->how == END_EXIT)
		snprintf(buf, len, "exited with %d", p->end->code);
	else if (p->end->how == END_UNDERSCORE_EXIT)
		snprintf(buf, len, "_exit(%d)", p->end->code);
	else if (p->end->how == END_EXEC)
		snprintf(buf, len, "exec'd another program");
	else
		snprintf(buf, len, "killed by signal %d (%s)", p->end->code,
			 strsignal(p->end->code));
	return buf;
}
