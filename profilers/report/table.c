/*
 * table.c - the report on the terminal: a cProfile-like table (ncalls,
 * tottime, percall, cumtime, percall, filename:lineno(function)) for cpu
 * and count, memory_profiler's (bytes, allocations, live at exit per call
 * site) and the peak heap for mem; above it, what was measured and how
 * (the sampling mechanism and its cost, or the calibrated hook cost) and
 * how each process ended.
 *
 * The design choice to know: a cpu sample stands for the CPU time
 * measured over the samples taken, not for 1/hz: CPU-time timers fire on
 * kernel ticks, so the rate asked for is a ceiling, and the header says
 * both the rate asked and the rate got.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "report.h"

static const char *sort_key = "tottime";

static int by_key(const void *a, const void *b)
{
	const struct func *x = *(struct func *const *)a, *y = *(struct func *const *)b;
	double u = strcmp(sort_key, "cumtime") == 0 ? x->cum :
		   strcmp(sort_key, "ncalls") == 0 ? (double)x->calls : x->self;
	double v = strcmp(sort_key, "cumtime") == 0 ? y->cum :
		   strcmp(sort_key, "ncalls") == 0 ? (double)y->calls : y->self;

	return (u < v) - (u > v);
}

static void print_table(FILE *f, struct profile *P, unsigned top)
{
	struct func **v = malloc((P->S.nfuncs + 1) * sizeof(*v));
	size_t n = 0, samples = 0, threads = 0;
	double period = 0, handler = 0, total = 0;
	char how[128];

	double cpu = 0;

	for (size_t i = 0; i < P->nprocs; i++) {
		samples += P->procs[i].nsamples;
		threads += P->procs[i].nnames;
		handler += (double)P->procs[i].h->overhead_ns;
		cpu += (double)P->procs[i].h->cpu_ns / 1e9;
	}
	/* A sample stands for the CPU time measured over the samples taken:
	 * CPU-time timers fire on kernel ticks, so the rate asked for is an
	 * upper bound, not the rate got. */
	period = samples ? cpu / (double)samples : 0;
	for (size_t i = 0; v && i < P->S.nfuncs; i++)
		if (P->S.funcs[i]->self > 0 || P->S.funcs[i]->cum > 0 || P->S.funcs[i]->calls)
			v[n++] = P->S.funcs[i];
	if (P->kind == PROF_CPU) {
		total = (double)samples * period;
		fprintf(f, "%zu samples in %zu process%s, %zu thread%s: %.3f s of CPU\n",
			samples, P->nprocs, P->nprocs == 1 ? "" : "es", threads,
			threads == 1 ? "" : "s", total);
		if (P->nprocs && P->procs[0].h->mechanism == 1)
			fprintf(f, "mechanism: perf_event sampling (a task-clock counter per thread signalling SIGPROF; %u Hz asked, %.0f Hz got), stacks by libunwind\n",
				P->procs[0].h->hz, period > 0 ? 1 / period : 0);
		else
			fprintf(f, "mechanism: SIGPROF sampling (setitimer ITIMER_PROF; %u Hz asked, %.0f Hz got: CPU timers fire on kernel ticks), stacks by libunwind\n"
				"note: perf_event not used: %s\n",
				P->nprocs ? P->procs[0].h->hz : 0, period > 0 ? 1 / period : 0,
				!P->nprocs ? "?" : P->procs[0].h->perf_errno < 0 ?
				"turned off (BENCH_PROF_PERF=0)" :
				P->procs[0].h->perf_errno == EACCES || P->procs[0].h->perf_errno == EPERM ?
				"not permitted here (see /proc/sys/kernel/perf_event_paranoid)" :
				strerror(P->procs[0].h->perf_errno));
		fprintf(f, "cost: the sampler ran %.1f ms in all, %.2f%% of the CPU profiled\n\n",
			handler / 1e6, total > 0 ? handler / 1e9 / total * 100 : 0.0);
	} else if (P->kind == PROF_COUNT) {
		uint64_t calls = 0;

		for (size_t i = 0; i < n; i++)
			calls += v[i]->calls;
		fprintf(f, "%" PRIu64 " calls of %zu instrumented functions in %zu process%s\n",
			calls, n, P->nprocs, P->nprocs == 1 ? "" : "es");
		fprintf(f, "mechanism: exact counts through -finstrument-functions; %.0f ns per call %s and subtracted from the times\n\n",
			P->nprocs ? (double)P->procs[0].h->overhead_ns : 0.0,
			P->nprocs && P->procs[0].h->mechanism == 1 ? "set by BENCH_PROF_HOOK_NS" :
			"measured at start");
	}
	for (size_t i = 0; i < P->nprocs; i++) {
		fprintf(f, "process %" PRIu64 " %s", P->procs[i].h->pid,
			profile_ended(&P->procs[i], how, sizeof(how)));
		if (P->procs[i].h->dropped && P->kind == PROF_COUNT)
			fprintf(f, " (%" PRIu64 " calls not counted: deeper than 1024 calls, or past 262144 call paths in a thread)",
				P->procs[i].h->dropped);
		else if (P->procs[i].h->dropped)
			fputs(" (buffer full: some samples dropped)", f);
		fputc('\n', f);
	}
	fputc('\n', f);
	if (!v)
		return;
	qsort(v, n, sizeof(*v), by_key);
	if (P->kind == PROF_MEM) {
		uint64_t peak = 0;

		for (size_t i = 0; i < P->nprocs; i++)
			if (P->procs[i].end && P->procs[i].end->peak_heap > peak)
				peak = P->procs[i].end->peak_heap;
		fprintf(f, "peak heap %.2f MiB\n\n", (double)peak / 1048576);
		fprintf(f, "%12s %10s %12s %8s  %s\n", "bytes", "allocs", "live at exit",
			"live", "filename:lineno(function)");
		for (size_t i = 0; i < n && i < top; i++)
			fprintf(f, "%12.0f %10" PRIu64 " %12.0f %8" PRIu64 "  %s:%u(%s)\n",
				v[i]->self, v[i]->count, v[i]->live, v[i]->live_count,
				v[i]->file, v[i]->line, v[i]->name);
		free(v);
		return;
	}
	fprintf(f, "%9s %9s %9s %9s %9s  %s\n", "ncalls", "tottime", "percall", "cumtime",
		"percall", "filename:lineno(function)");
	for (size_t i = 0; i < n && i < top; i++) {
		double tt = P->kind == PROF_CPU ? v[i]->self * period : v[i]->self / 1e9;
		double ct = P->kind == PROF_CPU ? v[i]->cum * period : v[i]->cum / 1e9;
		char calls[24] = "-", pc1[24] = "-", pc2[24] = "-";

		if (v[i]->calls) {
			snprintf(calls, sizeof(calls), "%" PRIu64, v[i]->calls);
			snprintf(pc1, sizeof(pc1), "%.3g", tt / (double)v[i]->calls);
			snprintf(pc2, sizeof(pc2), "%.3g", ct / (double)v[i]->calls);
		}
		fprintf(f, "%9s %9.3f %9s %9.3f %9s  %s:%u(%s)\n", calls, tt, pc1, ct, pc2,
			v[i]->file, v[i]->line, v[i]->name);
	}
	free(v);
}

int profile_out_table(struct profile *P, const struct profile_opts *o)
{
	sort_key = o->sort ? o->sort : "tottime";
	print_table(stdout, P, o->top);
	if (P->kind == PROF_COUNT && P->S.nfuncs == 0)
		fprintf(stderr, "bench: note: no instrumented function ran: build the program with -finstrument-functions (and -fno-omit-frame-pointer)\n");
	return 0;
}
