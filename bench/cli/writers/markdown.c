/*
 * markdown.c - `--format markdown`: the table for a report or a
 * pull request, warnings as a list under it.
 */
#include <math.h>

#include "cli/cli.h"

int write_markdown(FILE *f, const struct run_output *ro)
{
	const struct bench_report *r = ro->report;

	fprintf(f, "**%s**: %llu %s, chunk %llu, seed %llu, %u samples per mode, %u CPUs (%s)\n\n",
		r->wl->name, (unsigned long long)r->items, r->wl->item_desc,
		(unsigned long long)r->chunk, (unsigned long long)r->params.seed,
		r->repeat, ro->context->cpus, ro->context->cpu_model);
	fputs("| mode | workers | size | median | 95% CI | min | max | items/s | speedup | efficiency | CPU | checksum |\n"
	      "|:-----|--------:|-----:|-------:|:------:|----:|----:|--------:|--------:|-----------:|----:|:---------|\n", f);
	for (size_t i = 0; i < r->nresults; i++) {
		const struct bench_mode_result *mr = &r->results[i];
		char med[32], lo[32], hi[32], mn[32], mx[32], rate[32], cpu[32];
		char label[48];

		format_ns(mr->wall.median, med, sizeof(med));
		format_ns(mr->wall.ci_low, lo, sizeof(lo));
		format_ns(mr->wall.ci_high, hi, sizeof(hi));
		format_ns(mr->wall.min, mn, sizeof(mn));
		format_ns(mr->wall.max, mx, sizeof(mx));
		format_rate(mr->items_per_s, rate, sizeof(rate));
		format_ns(mr->cpu.median, cpu, sizeof(cpu));
		fprintf(f, "| %s | %u | %llu | %s | %s - %s | %s | %s | %s/s | ",
			mode_label(mr, label, sizeof(label)), mr->workers,
			(unsigned long long)mr->size, med, lo, hi, mn, mx, rate);
		if (isnan(mr->speedup))
			fputs("- | - | ", f);
		else
			fprintf(f, "%.2fx | %.0f%% | ", mr->speedup,
				mr->efficiency * 100);
		fprintf(f, "%s | `%s` %s |\n", cpu, mr->checksum,
			mr->verified ? "verified" : "MISMATCH");
	}
	if (ro->nwarnings)
		fputc('\n', f);
	for (size_t i = 0; i < ro->nwarnings; i++)
		fprintf(f, "- %s\n", ro->warnings[i]);
	return ferror(f) ? -1 : 0;
}
