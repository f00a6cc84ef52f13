/*
 * chart.c - mprof's curve for mem: heap and resident memory over time,
 * written as memory.tsv (seconds, heap MiB, RSS MiB; a block per process)
 * and drawn by gnuplot from plots/memory.gp into profile-memory.png and
 * .svg in the profile folder, through the CLI's charts (charts.c).
 *
 * The design choice to know: times are from the earliest process's
 * start, so forked workers' curves line up with their parent's on one
 * time axis.
 */
#include <inttypes.h>
#include <limits.h>
#include <string.h>

#include "cli/cli.h"
#include "report.h"

/* mprof's curve: heap and RSS over time, a block per process. */
int profile_out_chart(struct profile *P, const struct profile_opts *o)
{
	char data[PATH_MAX], labels[1024] = "", vars[1200], paths[2][4096];
	char title[512];
	uint64_t peak_rss = 0, peak_heap = 0, peak_pid = 0;
	FILE *f;
	int blocks = 0, rc;

	snprintf(data, sizeof(data), "%s/memory.tsv", o->dir);
	if (!(f = fopen(data, "w")))
		return -1;
	fputs("# seconds\theap_MiB\trss_MiB\n", f);
	for (size_t i = 0; i < P->nprocs; i++) {
		const struct proc *p = &P->procs[i];

		if (!p->nmem)
			continue;
		if (blocks++)
			fputs("\n\n", f);
		snprintf(labels + strlen(labels), sizeof(labels) - strlen(labels), "%spid %" PRIu64,
			 labels[0] ? " " : "", p->h->pid);
		for (size_t k = 0; k < p->nmem; k++) {
			fprintf(f, "%.4f\t%.4f\t%.4f\n", (double)(p->mem[k].t - P->t0) / 1e9,
				(double)p->mem[k].heap / 1048576, (double)p->mem[k].rss / 1048576);
			if (p->mem[k].rss > peak_rss) {
				peak_rss = p->mem[k].rss;
				peak_pid = p->h->pid;
			}
			if (p->mem[k].heap > peak_heap)
				peak_heap = p->mem[k].heap;
		}
	}
	if (fclose(f) != 0 || !blocks)
		return blocks ? -1 : 0;
	snprintf(vars, sizeof(vars), "blocks=%d; labels='%s';", blocks, labels);
	/* The title names the program and its peaks: a chart shown
	 * alone (a slide) still says what it is of. */
	{
		/* The program by its name, not its path. */
		const char *cmd = o->cmdline && *o->cmdline ? o->cmdline : "the program";
		const char *space = strchr(cmd, ' '), *slash = cmd;

		for (const char *c = cmd; *c && (!space || c < space); c++)
			if (*c == '/')
				slash = c + 1;
		snprintf(title, sizeof(title), "memory of %.60s%s: peak RSS %.1f MiB (pid %" PRIu64 "), peak heap %.1f MiB",
			 slash, strlen(slash) > 60 ? "..." : "",
			 (double)peak_rss / 1048576, peak_pid,
			 (double)peak_heap / 1048576);
	}
	rc = charts_draw_template("memory", data, title, vars, o->dir,
				  "profile", paths, 2);
	for (int k = 0; k < rc; k++)
		fprintf(stderr, "bench: chart %s\n", paths[k]);
	return rc < 0 ? -1 : 0;
}
