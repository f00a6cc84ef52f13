/*
 * trace.c - the Trace Event JSON file, profile.trace.json (memory.trace.json
 * for mem), for Perfetto, chrome://tracing and speedscope: a process per
 * profiled process, named with how it ended; a named lane per thread; for
 * cpu, the sampled stacks over time; for count, each thread's call tree
 * laid out as a flame chart; libbench's slowlog spans as async events;
 * heap and RSS as a counter track.
 *
 * The design choice to know: every lane (pid, tid) is a sequence of
 * begin/end events that nest strictly, each end named as the begin it
 * closes, with times that rise strictly along the lane: an event that
 * would share its time with the one before goes 1 ns later. Importers
 * sort events by time and disagree on how to order equal times
 * (speedscope keeps begins and ends in queues of their own), so a lane
 * that never has two events at one time reads the same in all of them.
 * Times are written in microseconds with the nanoseconds as three exact
 * decimals, so that distinct times stay distinct once parsed.
 *
 *   cpu    a frame opens at the first of consecutive samples of its
 *          thread that share it (compared by function, root first) and
 *          closes at the first sample that does not, or one sampling
 *          period after the last (never past the process's end);
 *   count  a call-tree node is one box as long as its cumulative time,
 *          its callees side by side from its start in the order of their
 *          first call, each thread's roots from their first call: a flame
 *          graph on a time axis, every call of a path merged, not a
 *          timeline of single calls;
 *   spans  slowlog spans may overlap without nesting, and may end in
 *          another thread than the one that began them: async events
 *          ("b"/"e", an id each) of the process, beside the lanes.
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

/* A time from the profile's start, in microseconds, exactly. */
static void put_ts(FILE *f, uint64_t ns)
{
	fprintf(f, "%" PRIu64 ".%03u", ns / 1000, (unsigned)(ns % 1000));
}

static uint64_t since(const struct profile *P, uint64_t t)
{
	return t > P->t0 ? t - P->t0 : 0;
}

static const char *thread_name(const struct proc *p, uint32_t tid)
{
	for (size_t i = 0; i < p->nnames; i++)
		if (p->names[i].tid == tid)
			return p->names[i].name;
	return NULL;
}

/* ---- lanes -------------------------------------------------------------------- */

/* The events of one (pid, tid): what is open, and the last time written. */
struct lane {
	FILE *f;
	int *first;               /* no event written to the file yet */
	uint64_t pid;
	uint32_t tid;
	const char *cat;
	uint64_t last;            /* ns: the last event's time */
	int started;
	const char **open;        /* the open frames' names, root first */
	size_t nopen, cap;
};

static void sep(FILE *f, int *first)
{
	if (*first)
		*first = 0;
	else
		fputs(",\n", f);
}

/* t, or 1 ns after the lane's last event if not later. */
static uint64_t lane_time(struct lane *L, uint64_t t)
{
	if (L->started && t <= L->last)
		t = L->last + 1;
	L->started = 1;
	return L->last = t;
}

static void lane_event(struct lane *L, char ph, const char *name, uint64_t t)
{
	sep(L->f, L->first);
	fprintf(L->f, "{\"ph\":\"%c\",\"pid\":%" PRIu64 ",\"tid\":%u,\"ts\":", ph, L->pid, L->tid);
	put_ts(L->f, lane_time(L, t));
	fprintf(L->f, ",\"cat\":\"%s\",\"name\":", L->cat);
	json_str(L->f, name);
	fputc('}', L->f);
}

/* Opens a frame; -1 when out of memory. */
static int lane_begin(struct lane *L, const char *name, uint64_t t)
{
	if (GROW(L->open, L->nopen, L->cap))
		return -1;
	L->open[L->nopen++] = name;
	lane_event(L, 'B', name, t);
	return 0;
}

/* Closes the innermost open frame, naming it. */
static void lane_end(struct lane *L, uint64_t t)
{
	if (L->nopen > 0)
		lane_event(L, 'E', L->open[--L->nopen], t);
}

static void lane_name(FILE *f, int *first, uint64_t pid, uint32_t tid, const char *name)
{
	sep(f, first);
	fprintf(f, "{\"ph\":\"M\",\"pid\":%" PRIu64 ",\"tid\":%u,\"name\":\"thread_name\",\"args\":{\"name\":",
		pid, tid);
	json_str(f, name ? name : "thread");
	fputs("}}", f);
}

/* ---- cpu: samples over time ----------------------------------------------------- */

static int cpu_lane(FILE *f, int *first, struct profile *P, size_t i, uint32_t tid)
{
	const struct proc *p = &P->procs[i];
	struct lane L = { f, first, p->h->pid, tid, "cpu", 0, 0, NULL, 0, 0 };
	const struct func *open[PROF_DEPTH_MAX];
	uint64_t last = 0, end;
	int rc = 0;

	lane_name(f, first, p->h->pid, tid, thread_name(p, tid));
	for (size_t k = 0; k < p->nsamples && rc == 0; k++) {
		const struct sample *s = &p->samples[k];
		const uint32_t *fr = P->frames[i][k];
		uint64_t t = since(P, s->t);
		uint32_t n = 0, c = 0;
		const struct func *cur[PROF_DEPTH_MAX];

		if (s->tid != tid || !fr || !s->depth)
			continue;
		for (uint32_t j = s->depth; j-- > 0;) /* root first */
			cur[n++] = FN(P, fr[j]);
		while (c < n && c < L.nopen && cur[c] == open[c])
			c++;
		while (L.nopen > c)
			lane_end(&L, t);
		for (; L.nopen < n && rc == 0;) {
			open[L.nopen] = cur[L.nopen];
			rc = lane_begin(&L, cur[L.nopen] ? cur[L.nopen]->name : "?", t);
		}
		last = t;
	}
	/* The last sample stands for one period, within the process's life. */
	end = last + (p->h->hz ? 1000000000ull / p->h->hz : 0);
	if (since(P, p->h->end_ns) > last && end > since(P, p->h->end_ns))
		end = since(P, p->h->end_ns);
	while (L.nopen > 0)
		lane_end(&L, end);
	free(L.open);
	return rc;
}

static int write_cpu(FILE *f, int *first, struct profile *P, size_t i)
{
	const struct proc *p = &P->procs[i];
	uint32_t *tids = calloc(p->nsamples + 1, sizeof(*tids));
	size_t ntids = 0;
	int rc = 0;

	if (!tids)
		return -1;
	for (size_t k = 0; k < p->nsamples; k++) {
		size_t t;

		for (t = 0; t < ntids && tids[t] != p->samples[k].tid; t++)
			;
		if (t == ntids)
			tids[ntids++] = p->samples[k].tid;
	}
	for (size_t t = 0; t < ntids && rc == 0; t++)
		rc = cpu_lane(f, first, P, i, tids[t]);
	free(tids);
	return rc;
}

/* ---- count: call trees as flame charts ------------------------------------------- */

/* A node on the way down: its box starts at start, its next callee at next. */
struct walk {
	size_t node;
	size_t child;             /* the next callee to lay out, SIZE_MAX: none */
	uint64_t start, next;
};

static int count_lane(FILE *f, int *first, struct profile *P, size_t i, uint32_t tid,
		      const uint64_t *incl, const size_t *child, const size_t *sibling)
{
	const struct proc *p = &P->procs[i];
	struct lane L = { f, first, p->h->pid, tid, "count", 0, 0, NULL, 0, 0 };
	struct walk *w;
	size_t maxd = 1, sp;
	uint64_t at = 0;
	int rc = 0;

	for (size_t k = 0; k < p->nnodes; k++)
		if (p->nodes[k].tid == tid && p->nodes[k].depth > maxd)
			maxd = p->nodes[k].depth;
	if (!(w = malloc(maxd * sizeof(*w))))
		return -1;
	lane_name(f, first, p->h->pid, tid, thread_name(p, tid));
	for (size_t r = 0; r < p->nnodes && rc == 0; r++) {
		const struct cnode *c = &p->nodes[r];
		uint64_t start = since(P, c->n->first_ns);

		if (c->tid != tid || c->parent != PROF_NODE_ROOT)
			continue;
		if (start < at)
			start = at;
		sp = 0;
		w[sp++] = (struct walk){ r, child[r], start, start };
		rc = lane_begin(&L, FN(P, P->node_locs[i][r]) ? FN(P, P->node_locs[i][r])->name : "?",
				start);
		while (sp > 0 && rc == 0) {
			struct walk *top = &w[sp - 1];
			size_t k = top->child;

			if (k == SIZE_MAX || sp == maxd) {
				lane_end(&L, top->start + incl[top->node]);
				sp--;
				continue;
			}
			top->child = sibling[k];
			w[sp++] = (struct walk){ k, child[k], top->next, top->next };
			top->next += incl[k];
			rc = lane_begin(&L, FN(P, P->node_locs[i][k]) ? FN(P, P->node_locs[i][k])->name : "?",
					w[sp - 1].start);
		}
		at = start + incl[r];
	}
	while (L.nopen > 0)
		lane_end(&L, at);
	free(w);
	free(L.open);
	return rc;
}

static int write_count(FILE *f, int *first, struct profile *P, size_t i)
{
	const struct proc *p = &P->procs[i];
	size_t n = p->nnodes, *child = malloc((n + 1) * sizeof(*child));
	size_t *sibling = malloc((n + 1) * sizeof(*sibling)), *last = malloc((n + 1) * sizeof(*last));
	uint64_t *incl = malloc((n + 1) * sizeof(*incl));
	uint32_t *tids = calloc(n + 1, sizeof(*tids));
	size_t ntids = 0;
	int rc = 0;

	if (!child || !sibling || !last || !incl || !tids) {
		rc = -1;
		goto done;
	}
	/* A node's cumulative time: its own and its callees', added up from
	 * the leaves (every node comes after its parent). */
	for (size_t k = 0; k < n; k++)
		incl[k] = p->nodes[k].n->self_ns;
	for (size_t k = n; k-- > 0;)
		if (p->nodes[k].parent != PROF_NODE_ROOT)
			incl[p->nodes[k].parent] += incl[k];
	/* Callees in the order of their first call, which is the order
	 * their nodes were made in. */
	for (size_t k = 0; k < n; k++)
		child[k] = sibling[k] = last[k] = SIZE_MAX;
	for (size_t k = 0; k < n; k++) {
		size_t par = p->nodes[k].parent;

		if (par == PROF_NODE_ROOT)
			continue;
		if (last[par] == SIZE_MAX)
			child[par] = k;
		else
			sibling[last[par]] = k;
		last[par] = k;
	}
	for (size_t k = 0; k < n; k++) {
		size_t t;

		for (t = 0; t < ntids && tids[t] != p->nodes[k].tid; t++)
			;
		if (t == ntids)
			tids[ntids++] = p->nodes[k].tid;
	}
	for (size_t t = 0; t < ntids && rc == 0; t++)
		rc = count_lane(f, first, P, i, tids[t], incl, child, sibling);
done:
	free(child);
	free(sibling);
	free(last);
	free(incl);
	free(tids);
	return rc;
}

/* ---- the file -------------------------------------------------------------------- */

static int write_trace(FILE *f, struct profile *P)
{
	int first = 1, rc = 0;
	char how[128];

	fputs("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n", f);
	for (size_t i = 0; i < P->nprocs && rc == 0; i++) {
		const struct proc *p = &P->procs[i];
		char pname[200];

		snprintf(pname, sizeof(pname), "pid %" PRIu64 " (%s)", p->h->pid,
			 profile_ended(p, how, sizeof(how)));
		sep(f, &first);
		fprintf(f, "{\"ph\":\"M\",\"pid\":%" PRIu64 ",\"name\":\"process_name\",\"args\":{\"name\":",
			p->h->pid);
		json_str(f, pname);
		fputs("}}", f);
		if (P->kind == PROF_CPU)
			rc = write_cpu(f, &first, P, i);
		else if (P->kind == PROF_COUNT)
			rc = write_count(f, &first, P, i);
		for (size_t k = 0; k < p->nspans; k++) {
			const struct span *s = &p->spans[k];

			for (int e = 0; e < 2; e++) {
				sep(f, &first);
				fprintf(f, "{\"ph\":\"%c\",\"pid\":%" PRIu64 ",\"tid\":%u,\"ts\":",
					e ? 'e' : 'b', p->h->pid, s->tid);
				put_ts(f, since(P, e ? (s->end > s->start ? s->end : s->start) : s->start));
				fputs(",\"cat\":\"slowlog\",\"name\":", f);
				json_str(f, s->name);
				fprintf(f, ",\"id\":%zu}", k + 1);
			}
		}
		for (size_t k = 0; k < p->nmem; k++) {
			sep(f, &first);
			fprintf(f, "{\"ph\":\"C\",\"pid\":%" PRIu64 ",\"name\":\"memory\",\"ts\":", p->h->pid);
			put_ts(f, since(P, p->mem[k].t));
			fprintf(f, ",\"args\":{\"heap_MiB\":%.3f,\"rss_MiB\":%.3f}}",
				(double)p->mem[k].heap / 1048576, (double)p->mem[k].rss / 1048576);
		}
	}
	fputs("\n]}\n", f);
	return rc != 0 || ferror(f) ? -1 : 0;
}

int profile_out_trace(struct profile *P, const struct profile_opts *o)
{
	return profile_write_file(o->dir, P->kind == PROF_MEM ? "memory.trace.json" :
				  "profile.trace.json", write_trace, P);
}
