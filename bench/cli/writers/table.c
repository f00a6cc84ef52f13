/*
 * table.c - the terminal table a student reads at a glance, with a
 * bar chart of the medians under it.
 *
 * Each row's times share the unit of its median, so a row reads without
 * mental conversion; the bar chart puts every mode on one scale.
 */
#include <math.h>
#include <string.h>

#include "cli/cli.h"

#define BAR_WIDTH 40

/* Width of the mode column: "process/hyperfine" when engines are mixed. */
static int label_width(const struct bench_report *r)
{
	int w = 8;

	for (size_t i = 0; i < r->nresults; i++) {
		char label[48];
		int n = (int)strlen(mode_label(&r->results[i], label, sizeof(label)));

		if (n > w)
			w = n;
	}
	return w;
}

static void row(FILE *f, const struct bench_report *r,
		const struct bench_mode_result *mr, int utf8)
{
	char label[48];
	const struct bench_stats *s = &mr->wall;
	const char *unit;
	double div = ns_unit(s->median, &unit);
	int prec = s->median / div >= 100 ? 1 : s->median / div >= 10 ? 2 : 3;
	char med[32], ci[64], lo[24], hi[24], rate[24], cpu[24], sp[16], eff[16];

	snprintf(med, sizeof(med), "%.*f %s", prec, s->median / div, unit);
	snprintf(ci, sizeof(ci), "%.*f-%.*f", prec, s->ci_low / div, prec,
		 s->ci_high / div);
	snprintf(lo, sizeof(lo), "%.*f", prec, s->min / div);
	snprintf(hi, sizeof(hi), "%.*f", prec, s->max / div);
	format_rate(mr->items_per_s, rate, sizeof(rate));
	format_ns(mr->cpu.median, cpu, sizeof(cpu));
	if (isnan(mr->speedup)) {
		snprintf(sp, sizeof(sp), "-");
		snprintf(eff, sizeof(eff), "-");
	} else {
		snprintf(sp, sizeof(sp), "%.2fx", mr->speedup);
		snprintf(eff, sizeof(eff), "%.0f%%", mr->efficiency * 100);
	}
	fprintf(f, "%-*s %7u %10s  %-17s %8s %8s %9s/s %8s %6s %10s  %s %s\n",
		label_width(r), mode_label(mr, label, sizeof(label)),
		mr->workers, med, ci, lo, hi, rate,
		sp, eff, cpu, mr->checksum,
		mr->verified ? (utf8 ? "\u2713" : "ok") : "MISMATCH");
}

int draw_bar(FILE *f, long units, int utf8)
{
	/* Eighth blocks give a bar 8x the resolution of its width. */
	static const char *const eighths[] = { "", "\u258f", "\u258e", "\u258d",
					       "\u258c", "\u258b", "\u258a",
					       "\u2589" };
	int cols = 0;

	if (units < 1)
		units = 1;
	for (; cols < units / 8; cols++)
		fputs(utf8 ? "\u2588" : "#", f);
	if (units % 8) {
		fputs(utf8 ? eighths[units % 8] : "#", f);
		cols++;
	}
	return cols;
}

void write_chart_list(FILE *f, const struct run_output *ro)
{
	if (!ro->ncharts)
		return;
	fputs("\ncharts:", f);
	for (size_t i = 0; i < ro->ncharts; i++)
		fprintf(f, " %s", ro->charts[i]);
	fputc('\n', f);
}

int write_tail(FILE *f, const struct run_output *ro, int overhead)
{
	if (ro->nwarnings)
		fputc('\n', f);
	for (size_t i = 0; i < ro->nwarnings; i++)
		fprintf(f, "%s\n", ro->warnings[i]);
	write_chart_list(f, ro);
	if (overhead)
		write_overhead(f, ro);
	return ferror(f) ? -1 : 0;
}

void write_overhead(FILE *f, const struct run_output *ro)
{
	const struct bench_report *r = ro->report;
	char sampled[32], rest[32], prep[32];
	double extra;

	if (!ro->elapsed_ns || ro->elapsed_ns < r->sampled_ns)
		return;
	extra = (double)(ro->elapsed_ns - r->sampled_ns);
	format_ns((double)r->sampled_ns, sampled, sizeof(sampled));
	format_ns(extra, rest, sizeof(rest));
	format_ns((double)r->prepare_ns, prep, sizeof(prep));
	fprintf(f, "\nsamples took %s (warmup included); %s more (%.0f%%) went to preparing input (%s), saving and charts\n",
		sampled, rest, extra / (double)ro->elapsed_ns * 100, prep);
}

static void bars(FILE *f, const struct bench_report *r, int utf8)
{
	double longest = 0;

	for (size_t i = 0; i < r->nresults; i++)
		if (r->results[i].wall.median > longest)
			longest = r->results[i].wall.median;
	if (longest <= 0)
		return;
	fputs("\nmedian time (shorter is faster)\n", f);
	for (size_t i = 0; i < r->nresults; i++) {
		const struct bench_mode_result *mr = &r->results[i];
		long units = lround(mr->wall.median / longest * BAR_WIDTH * 8);
		char t[32];
		int cols;

		char label[48];

		fprintf(f, "%-*s ", label_width(r), mode_label(mr, label, sizeof(label)));
		cols = draw_bar(f, units, utf8);
		format_ns(mr->wall.median, t, sizeof(t));
		fprintf(f, "%*s %s", BAR_WIDTH - cols, "", t);
		if (!isnan(mr->speedup) && !(mr->mode->flags & BENCH_EXEC_REFERENCE))
			fprintf(f, "  %.2fx", mr->speedup);
		fputc('\n', f);
	}
}

int write_table(FILE *f, const struct run_output *ro)
{
	const struct bench_report *r = ro->report;
	const struct bench_context *c = ro->context;
	int utf8 = utf8_terminal();
	char prep[32];

	format_ns((double)r->prepare_ns, prep, sizeof(prep));
	fprintf(f, "%s: %llu %s", r->wl->name, (unsigned long long)r->items,
		r->wl->item_desc);
	if (r->wl->describe) {
		char what[512];

		r->wl->describe(&r->params, 1, what, sizeof(what));
		fputs(what, f);
	}
	if (r->wl->stages > 1 && r->chunk) {
		/* Later stages run one item per task after the first. */
		unsigned long long map = (r->items + r->chunk - 1) / r->chunk;

		fprintf(f, ", %llu map tasks of %llu then %llu reduce tasks",
			map, (unsigned long long)r->chunk,
			(unsigned long long)r->tasks - map);
	} else {
		fprintf(f, ", %llu tasks of %llu", (unsigned long long)r->tasks,
			(unsigned long long)r->chunk);
	}
	fprintf(f, ", seed %llu; %u samples per mode after %u warmup\n",
		(unsigned long long)r->params.seed, r->repeat, r->warmup);
	fprintf(f, "%u CPUs (%s), %s build, input prepared in %s (not timed)\n\n",
		c->cpus, c->cpu_model, c->build, prep);
	fprintf(f, "%-*s %7s %10s  %-17s %8s %8s %11s %8s %6s %10s  %s\n",
		label_width(r), "mode", "workers", "median", "95% CI", "min", "max", "items/s",
		"speedup", "eff.", "CPU", "checksum");
	for (size_t i = 0; i < r->nresults; i++)
		row(f, r, &r->results[i], utf8);
	bars(f, r, utf8);
	return write_tail(f, ro, 0);
}
