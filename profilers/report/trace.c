/*
 * trace.c - the Trace Event JSON file, profile.trace.json (memory.trace.json
 * for mem), for Perfetto or chrome://tracing: a process per profiled
 * process, named with how it ended; a named lane per sampled thread;
 * libbench's slowlog spans as complete events; heap and RSS as a counter
 * track.
 *
 * The design choice to know: samples become properly nested begin/end
 * events, a frame staying open while consecutive samples of the thread
 * share it (compared by function, root first), so the viewer shows a
 * flame chart over time rather than one box per sample.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "report.h"

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static const char *thread_name(const struct proc *p, uint32_t tid)
{
	for (size_t i = 0; i < p->nnames; i++)
		if (p->names[i].tid == tid)
			return p->names[i].name;
	return NULL;
}

/* Trace Event JSON: per thread, samples turned into properly nested
 * begin/end events (a frame stays open while consecutive samples share
 * it); slowlog spans as complete events; memory as counters. */
static int write_trace(FILE *f, struct profile *P)
{
	int first = 1;
	char how[128];

#define SEP() (first ? (void)(first = 0) : (void)fputs(",\n", f))
	fputs("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n", f);
	for (size_t i = 0; i < P->nprocs; i++) {
		const struct proc *p = &P->procs[i];
		char pname[200];
		uint32_t *tids = calloc(p->nsamples + p->nspans + 1, sizeof(*tids));
		size_t ntids = 0;

		snprintf(pname, sizeof(pname), "pid %" PRIu64 " (%s)", p->h->pid,
			 profile_ended(p, how, sizeof(how)));
		SEP();
		fprintf(f, "{\"ph\":\"M\",\"pid\":%" PRIu64 ",\"name\":\"process_name\",\"args\":{\"name\":", p->h->pid);
		json_str(f, pname);
		fputs("}}", f);
		for (size_t k = 0; tids && k < p->nsamples; k++) {
			size_t t;

			for (t = 0; t < ntids && tids[t] != p->samples[k].tid; t++)
				;
			if (t == ntids)
				tids[ntids++] = p->samples[k].tid;
		}
		for (size_t t = 0; t < ntids; t++) {
			uint32_t open[PROF_DEPTH_MAX];
			uint32_t nopen = 0;
			uint64_t last = 0;
			const char *tn = thread_name(p, tids[t]);

			SEP();
			fprintf(f, "{\"ph\":\"M\",\"pid\":%" PRIu64 ",\"tid\":%u,\"name\":\"thread_name\",\"args\":{\"name\":",
				p->h->pid, tids[t]);
			json_str(f, tn ? tn : "thread");
			fputs("}}", f);
			for (size_t k = 0; k < p->nsamples; k++) {
				const struct sample *s = &p->samples[k];
				const uint32_t *fr = P->frames[i][k];
				uint32_t cur[PROF_DEPTH_MAX], n = 0, c = 0;
				double ts = (double)(s->t - P->t0) / 1e3;

				if (s->tid != tids[t] || !fr)
					continue;
				for (uint32_t j = s->depth; j-- > 0;) /* root first */
					cur[n++] = fr[j];
				while (c < n && c < nopen && FN(P, cur[c]) == FN(P, open[c]))
					c++;
				while (nopen > c) {
					SEP();
					fprintf(f, "{\"ph\":\"E\",\"pid\":%" PRIu64 ",\"tid\":%u,\"ts\":%.3f}",
						p->h->pid, tids[t], ts);
					nopen--;
				}
				for (; nopen < n; nopen++) {
					struct func *fn = FN(P, cur[nopen]);

					open[nopen] = cur[nopen];
					SEP();
					fprintf(f, "{\"ph\":\"B\",\"pid\":%" PRIu64 ",\"tid\":%u,\"ts\":%.3f,\"cat\":\"cpu\",\"name\":",
						p->h->pid, tids[t], ts);
					json_str(f, fn ? fn->name : "?");
					fputc('}', f);
				}
				last = s->t;
			}
			while (nopen > 0) {
				SEP();
				fprintf(f, "{\"ph\":\"E\",\"pid\":%" PRIu64 ",\"tid\":%u,\"ts\":%.3f}",
					p->h->pid, tids[t],
					(double)(last - P->t0) / 1e3 + (p->h->hz ? 1e3 / p->h->hz : 0));
				nopen--;
			}
		}
		free(tids);
		for (size_t k = 0; k < p->nspans; k++) {
			const struct span *s = &p->spans[k];

			SEP();
			fprintf(f, "{\"ph\":\"X\",\"pid\":%" PRIu64 ",\"tid\":%u,\"ts\":%.3f,\"dur\":%.3f,\"cat\":\"slowlog\",\"name\":",
				p->h->pid, s->tid, (double)(s->start - P->t0) / 1e3,
				(double)(s->end - s->start) / 1e3);
			json_str(f, s->name);
			fputc('}', f);
		}
		for (size_t k = 0; k < p->nmem; k++) {
			SEP();
			fprintf(f, "{\"ph\":\"C\",\"pid\":%" PRIu64 ",\"name\":\"memory\",\"ts\":%.3f,\"args\":{\"heap_MiB\":%.3f,\"rss_MiB\":%.3f}}",
				p->h->pid, (double)(p->mem[k].t - P->t0) / 1e3,
				(double)p->mem[k].heap / 1048576, (double)p->mem[k].rss / 1048576);
		}
	}
	fputs("\n]}\n", f);
#undef SEP
	return ferror(f) ? -1 : 0;
}

int profile_out_trace(struct profile *P, const struct profile_opts *o)
{
	return profile_write_file(o->dir, P->kind == PROF_MEM ? "memory.trace.json" :
				  "profile.trace.json", write_trace, P);
}
