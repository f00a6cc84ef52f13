/*
 * sweep.c - the terminal tables of `bench scale` and `bench
 * complexity`, each with a text chart under it.
 *
 * scale: per mode and worker count the median, speedup, efficiency and
 * Karp-Flatt metric, then Amdahl's law fitted per mode. complexity: per
 * size the median and the time per item, then every candidate fit ranked
 * by its error.
 */
#include <math.h>
#include <string.h>

#include "cli/cli.h"

#define CHART_WIDTH 44

static void header(FILE *f, const char *what, const struct run_output *ro)
{
	const struct bench_report *r = ro->report;
	const struct bench_context *c = ro->context;

	fprintf(f, "%s %s: seed %llu; %u samples per case after %u warmup, cases interleaved\n",
		r->wl->name, what, (unsigned long long)r->params.seed,
		r->repeat, r->warmup);
	fprintf(f, "%u CPUs (%s), %s build\n\n", c->cpus, c->cpu_model,
		c->build);
}

static void time_cell(char *buf, size_t len, double ns)
{
	format_ns(ns, buf, len);
}

static void ci_cell(char *buf, size_t len, const struct bench_stats *s)
{
	const char *unit;
	double div = ns_unit(s->median, &unit);
	int prec = s->median / div >= 100 ? 1 : s->median / div >= 10 ? 2 : 3;

	snprintf(buf, len, "%.*f-%.*f", prec, s->ci_low / div, prec,
		 s->ci_high / div);
}

int write_scale_table(FILE *f, const struct run_output *ro)
{
	const struct bench_report *r = ro->report;
	int utf8 = utf8_terminal();
	double top = r->cpus;
	int lw = 8; /* "thread/python" when engines are mixed */

	for (size_t i = 0; i < r->nresults; i++) {
		char label[48];
		int n = (int)strlen(mode_label(&r->results[i], label, sizeof(label)));

		if (n > lw)
			lw = n;
	}
	header(f, "scaling", ro);
	fprintf(f, "%llu %s per sample\n\n", (unsigned long long)r->items,
		r->wl->item_desc);
	fprintf(f, "%-*s %7s %10s  %-17s %8s %6s %11s\n", lw, "mode", "workers",
		"median", "95% CI", "speedup", "eff.", "Karp-Flatt");
	for (size_t i = 0; i < r->nresults; i++) {
		const struct bench_mode_result *mr = &r->results[i];
		char med[32], ci[48], kf[16] = "-", label[48];

		time_cell(med, sizeof(med), mr->wall.median);
		ci_cell(ci, sizeof(ci), &mr->wall);
		if (mr->workers > 1 && !isnan(mr->speedup))
			snprintf(kf, sizeof(kf), "%.3f",
				 bench_karp_flatt(mr->speedup, mr->workers));
		fprintf(f, "%-*s %7u %10s  %-17s ", lw,
			mode_label(mr, label, sizeof(label)), mr->workers, med, ci);
		if (isnan(mr->speedup))
			fprintf(f, "%8s %6s", "-", "-");
		else
			fprintf(f, "%7.2fx %5.0f%%", mr->speedup,
				mr->efficiency * 100);
		fprintf(f, " %11s\n", kf);
		if (!isnan(mr->speedup) && mr->speedup > top)
			top = mr->speedup;
	}

	fputs("\nAmdahl's law fitted per mode: S(p) = 1 / (f + (1 - f) / p)\n", f);
	for (size_t m = 0; bench_executors[m]; m++) {
		const struct bench_executor *ex = bench_executors[m];
		struct bench_amdahl fit;

		if (ex->flags & BENCH_EXEC_REFERENCE)
			continue;
		if (bench_report_amdahl(r, ex, &fit) != 0)
			continue;
		fprintf(f, "  %-8s serial fraction f = %.1f%%: ", ex->name,
			fit.serial_fraction * 100);
		if (isinf(fit.max_speedup))
			fputs("no limit but the CPUs", f);
		else
			fprintf(f, "no worker count beats %.1fx", fit.max_speedup);
		fprintf(f, " (fit error %.2fx)\n", fit.rmse);
	}

	fprintf(f, "\nspeedup over serial (%s marks ideal, linear speedup)\n",
		utf8 ? "\u00b7" : ".");
	top *= 1.05;
	for (size_t i = 0; i < r->nresults; i++) {
		const struct bench_mode_result *mr = &r->results[i];
		long units = lround(mr->speedup / top * CHART_WIDTH * 8);
		long ideal = lround(mr->workers / top * CHART_WIDTH);
		int cols;
		char label[48];

		if (mr->mode->flags & BENCH_EXEC_REFERENCE || isnan(mr->speedup))
			continue;
		fprintf(f, "%-*s %4u ", lw, mode_label(mr, label, sizeof(label)),
			mr->workers);
		cols = draw_bar(f, units, utf8);
		for (; cols < CHART_WIDTH; cols++)
			fputs(cols == ideal - 1 ? (utf8 ? "\u00b7" : ".") : " ", f);
		fprintf(f, " %.2fx\n", mr->speedup);
	}
	return write_tail(f, ro, 1);
}

int write_complexity_table(FILE *f, const struct run_output *ro)
{
	const struct bench_report *r = ro->report;
	const struct bench_mode_result *first = &r->results[0];
	struct bench_fit fit;
	int have_fit = bench_report_complexity(r, first->mode, &fit) == 0;
	int utf8 = utf8_terminal();
	double longest = 0;

	header(f, "complexity", ro);
	fprintf(f, "%s mode", first->mode->name);
	if (first->engine != BENCH_ENGINE_NATIVE)
		fprintf(f, ", engine %s", bench_engine_name(first->engine));
	if (!(first->mode->flags & BENCH_EXEC_REFERENCE))
		fprintf(f, ", %u workers", first->workers);
	if (r->wl->describe) {
		char what[512];

		r->wl->describe(&r->params, 0, what, sizeof(what));
		fputs(what, f);
	}
	fputs("\n\n", f);
	fprintf(f, "%12s %10s  %-17s %12s %10s\n", "size", "median", "95% CI",
		"per size", "fit");
	for (size_t i = 0; i < r->nresults; i++) {
		const struct bench_mode_result *mr = &r->results[i];
		char med[32], ci[48], per[32], fitted[32] = "-";

		time_cell(med, sizeof(med), mr->wall.median);
		ci_cell(ci, sizeof(ci), &mr->wall);
		time_cell(per, sizeof(per), mr->wall.median / (double)mr->size);
		if (have_fit)
			time_cell(fitted, sizeof(fitted),
				  fit.coef[fit.best] *
					  bench_bigo_eval(fit.best, (double)mr->size));
		fprintf(f, "%12llu %10s  %-17s %12s %10s\n",
			(unsigned long long)mr->size, med, ci, per, fitted);
		if (mr->wall.median > longest)
			longest = mr->wall.median;
	}
	if (have_fit) {
		fputs("\nfits of t = a * g(n), by relative RMS error:\n", f);
		for (int c = 0; c < BENCH_O_COUNT; c++) {
			char a[32];

			if (isinf(fit.error[c]) || isnan(fit.error[c]))
				continue;
			time_cell(a, sizeof(a), fit.coef[c]);
			fprintf(f, "  %-11s a = %-12s error %7.1f%%%s\n",
				bench_bigo_name((enum bench_bigo)c), a,
				fit.error[c] * 100,
				c == (int)fit.best ? "   <- best" : "");
		}
		fprintf(f, "best fit: %s (error %.1f%%)\n",
			bench_bigo_name(fit.best), fit.error[fit.best] * 100);
	} else {
		fputs("\nno fit: it takes at least 3 distinct sizes\n", f);
	}
	fputs("\ntime vs size\n", f);
	for (size_t i = 0; longest > 0 && i < r->nresults; i++) {
		const struct bench_mode_result *mr = &r->results[i];
		char t[32];
		int cols;

		fprintf(f, "%12llu ", (unsigned long long)mr->size);
		cols = draw_bar(f, lround(mr->wall.median / longest * CHART_WIDTH * 8),
				utf8);
		time_cell(t, sizeof(t), mr->wall.median);
		fprintf(f, "%*s %s\n", CHART_WIDTH - cols, "", t);
	}
	return write_tail(f, ro, 1);
}
