/*
 * html.c - `--format html`, `--html FILE` and `bench report --html`: one
 * self-contained page per run, or one for several runs compared.
 *
 * The page carries everything inline: its style sheet, the charts as SVG
 * (drawn by gnuplot through charts_svg(), the templates in plots/), and
 * the raw samples as a strip plot drawn here. It loads nothing, runs no
 * script, and reads the same printed (a print style sheet: one run a
 * page, no cut tables). Every text from outside (names, the CPU model, a
 * command line, notes) is escaped (escape.h, ESC_HTML); gnuplot's SVG is
 * taken as gnuplot wrote it, its ids given a prefix per chart so that
 * several charts on one page do not share them.
 *
 * With several runs the first is the baseline: each other run's results
 * get `bench compare`'s verdicts against it (compare_result(), so the page
 * and the command never disagree).
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/escape.h"

#define MAX_CHARTS 8

/* The colours of plots/common.gp (Okabe-Ito), so that a mode has one
 * colour in the charts and in the strip plot: the first mode bench lists,
 * the reference, grey, the k-th the (k - 1)-th colour. */
static const char *mode_colour(const struct bench_executor *mode)
{
	static const char *const palette[] = {
		"#0072B2", "#D55E00", "#009E73", "#CC79A7",
		"#E69F00", "#56B4E9", "#000000",
	};
	size_t k = 0;

	while (bench_executors[k] && bench_executors[k] != mode)
		k++;
	if (!bench_executors[k] || k == 0)
		return "#999999";
	return palette[(k - 1) % (sizeof(palette) / sizeof(*palette))];
}

/* Escaped text. */
static void put(FILE *f, const char *s)
{
	esc_fputs(f, s, ESC_HTML | ESC_KEEP_TAB);
}

/* Markup and text in turn: markup, text, markup, text, ..., NULL; the
 * markup written as it is, the text escaped. */
static void seq(FILE *f, const char *markup, ...)
{
	va_list ap;
	int text = 0;

	va_start(ap, markup);
	for (const char *s = markup; s; s = va_arg(ap, const char *)) {
		if (text)
			put(f, s);
		else
			fputs(s, f);
		text = !text;
	}
	va_end(ap);
}

static const char style[] =
	":root{color-scheme:light}\n"
	"body{font:15px/1.45 system-ui,-apple-system,\"Segoe UI\",sans-serif;"
	"color:#1a1a1a;background:#fff;max-width:1100px;margin:0 auto;padding:1em 1.5em}\n"
	"h1{font-size:1.55em;margin:.3em 0 .1em}h2{font-size:1.3em;margin-top:1.6em;"
	"border-bottom:2px solid #ccc;padding-bottom:.15em}h3{font-size:1.05em;margin:1.3em 0 .4em}\n"
	".sub{color:#555;margin:0 0 1em}\n"
	".wrap{overflow-x:auto}\n"
	"table{font-size:.93em;border-collapse:collapse;font-variant-numeric:tabular-nums;margin:.4em 0 1em}\n"
	"th,td{padding:.25em .6em;border-bottom:1px solid #ddd;text-align:right;white-space:nowrap}\n"
	"thead th{border-bottom:2px solid #888;vertical-align:bottom}\n"
	"th.l,td.l{text-align:left}\n"
	"dl.context{display:grid;grid-template-columns:max-content 1fr;gap:.15em 1.2em;margin:.4em 0}\n"
	"dl.context dt{font-weight:600}dl.context dd{margin:0;overflow-wrap:anywhere}\n"
	"code{font-family:ui-monospace,\"DejaVu Sans Mono\",monospace;font-size:.92em}\n"
	"ul.notes{padding-left:1.2em}ul.notes li{margin:.2em 0}\n"
	".warning{color:#8a3b00}.bad{color:#b00020;font-weight:600}\n"
	".faster{color:#006e3a;font-weight:600}.slower{color:#b00020;font-weight:600}\n"
	"figure{margin:1em 0;break-inside:avoid}\n"
	"figure svg{display:block;width:100%;max-width:1000px;height:auto}\n"
	"figcaption{color:#555;font-size:.9em}\n"
	"figure.samples svg{font:13px sans-serif}\n"
	"details summary{cursor:pointer;color:#333}\n"
	"footer{margin-top:2em;color:#666;font-size:.85em;border-top:1px solid #ddd;padding-top:.5em}\n"
	"@media print{body{max-width:none;padding:0;font-size:10.5pt}"
	"section.run+section.run{break-before:page}.wrap{overflow:visible}"
	"h2,h3{break-after:avoid}table{break-inside:auto}tr{break-inside:avoid}"
	"details>summary{list-style:none}a{color:inherit;text-decoration:none}}\n"
	"@page{margin:14mm}\n";

/* The size of a run in words: "20000 queries" or "sizes 1000 to 8000". */
static void run_what(const struct bench_report *r, const char *kind,
		     char *buf, size_t len)
{
	uint64_t lo = UINT64_MAX, hi = 0;

	for (size_t i = 0; i < r->nresults; i++) {
		if (r->results[i].size < lo)
			lo = r->results[i].size;
		if (r->results[i].size > hi)
			hi = r->results[i].size;
	}
	if (strcmp(kind, "complexity") == 0 && r->nresults)
		snprintf(buf, len, "sizes %llu to %llu", (unsigned long long)lo,
			 (unsigned long long)hi);
	else
		snprintf(buf, len, "%llu %s", (unsigned long long)r->items,
			 r->wl->item_desc);
}

/* One word of a command line, quoted for a POSIX shell when it needs
 * it, then escaped for HTML. */
static void put_arg(FILE *f, const char *arg)
{
	int plain = *arg != '\0';

	for (const char *p = arg; *p && plain; p++)
		plain = strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			       "0123456789_./,:=+@%-", *p) != NULL;
	if (plain) {
		put(f, arg);
		return;
	}
	fputc('\'', f);
	for (const char *p = arg; *p; p++) {
		char one[2] = { *p, '\0' };

		if (*p == '\'')
			fputs("'\\''", f);
		else
			put(f, one);
	}
	fputc('\'', f);
}

/* A comma-separated list of the distinct values the results have: what
 * 0 workers (of the parallel modes), 1 sizes, 2 modes (parallel_only:
 * not the reference, as scale's --modes). */
static void list_of(const struct bench_report *r, int what,
		    int parallel_only, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < r->nresults; i++) {
		const struct bench_mode_result *mr = &r->results[i];
		int seen = 0;
		char word[64];

		if (what != 1 && mr->mode->flags & BENCH_EXEC_REFERENCE &&
		    (what == 0 || parallel_only))
			continue;
		for (size_t k = 0; k < i && !seen; k++)
			seen = what == 0 ? !(r->results[k].mode->flags & BENCH_EXEC_REFERENCE) &&
					   r->results[k].workers == mr->workers :
			       what == 1 ? r->results[k].size == mr->size :
					   r->results[k].mode == mr->mode;
		if (seen)
			continue;
		if (what == 0)
			snprintf(word, sizeof(word), "%u", mr->workers);
		else if (what == 1)
			snprintf(word, sizeof(word), "%llu",
				 (unsigned long long)mr->size);
		else
			snprintf(word, sizeof(word), "%s", mr->mode->name);
		used += (size_t)snprintf(buf + used, len > used ? len - used : 0,
					 "%s%s", used ? "," : "", word);
		if (used >= len)
			break;
	}
}

/* The command line: as given, or one that runs the same cases again. */
static void put_command(FILE *f, const struct run_output *ro)
{
	const struct bench_report *r = ro->report;
	char list[512];

	fputs("<code>", f);
	if (ro->argv) {
		fputs("bench", f);
		for (int i = 0; i < ro->argc; i++) {
			fputc(' ', f);
			put_arg(f, ro->argv[i]);
		}
		fputs("</code>", f);
		return;
	}
	fputs("bench ", f);
	put_arg(f, ro->kind);
	fputc(' ', f);
	put_arg(f, r->wl->name);
	if (strcmp(ro->kind, "complexity") == 0) {
		list_of(r, 1, 0, list, sizeof(list));
		fprintf(f, " --sizes %s --mode ", list);
		put_arg(f, r->results[0].mode->name);
	} else {
		fprintf(f, " --size %llu", (unsigned long long)r->params.size);
		int scale = strcmp(ro->kind, "scale") == 0;

		list_of(r, 2, scale, list, sizeof(list));
		fputs(scale ? " --modes " : " --mode ", f);
		put_arg(f, list);
		list_of(r, 0, 0, list, sizeof(list));
		if (list[0])
			fprintf(f, " --workers %s", list);
	}
	fprintf(f, " --seed %llu --repeat %u --warmup %u</code> (equivalent)",
		(unsigned long long)r->params.seed, r->repeat, r->warmup);
}

static void put_context(FILE *f, const struct run_output *ro)
{
	const struct bench_context *c = ro->context;
	const struct bench_report *r = ro->report;
	char what[256];

	run_what(r, ro->kind, what, sizeof(what));
	fputs("<dl class=\"context\">\n<dt>workload</dt><dd>", f);
	put(f, r->wl->name);
	fputs(", ", f);
	put(f, what);
	fprintf(f, ", chunk %llu, seed %llu</dd>\n",
		(unsigned long long)r->chunk, (unsigned long long)r->params.seed);
	if (r->params.nopts) {
		fputs("<dt>workload options</dt><dd>", f);
		for (unsigned k = 0; k < r->params.nopts; k++) {
			const struct bench_param *p = &r->params.opts[k];

			fputs(k ? ", " : "", f);
			put(f, p->name);
			fputc(' ', f);
			if (p->text)
				put(f, p->text);
			else
				fprintf(f, "%llu", (unsigned long long)p->num);
		}
		fputs("</dd>\n", f);
	}
	fprintf(f, "<dt>sampling</dt><dd>%u samples per case after %u warmup, cases interleaved</dd>\n",
		r->repeat, r->warmup);
	seq(f, "<dt>machine</dt><dd>", c->host, ": ", c->cpu_model, NULL);
	fprintf(f, ", %u CPUs available (%u online)</dd>\n", c->cpus,
		c->cpus_online);
	seq(f, "<dt>kernel</dt><dd>", c->kernel,
	    "</dd>\n<dt>build</dt><dd>", c->build, ", ", c->compiler,
	    " <code>", c->cflags,
	    "</code></dd>\n<dt>versions</dt><dd>bench ", c->version,
	    " (git ", c->git, "), ", c->openssl,
	    "</dd>\n<dt>date</dt><dd>", c->date,
	    "</dd>\n<dt>command</dt><dd>", NULL);
	put_command(f, ro);
	fputs("</dd>\n</dl>\n", f);
}

/* "1.905-3.116 ms": the interval in the median's unit, as the terminal
 * table shows it. */
static void ci_cell(const struct bench_stats *s, char *buf, size_t len)
{
	const char *unit;
	double div = ns_unit(s->median, &unit);
	int prec = s->median / div >= 100 ? 1 : s->median / div >= 10 ? 2 : 3;

	snprintf(buf, len, "%.*f\u2013%.*f %s", prec, s->ci_low / div, prec,
		 s->ci_high / div, unit);
}

static void put_results(FILE *f, const struct bench_report *r)
{
	int sizes = 0;

	for (size_t i = 1; i < r->nresults; i++)
		sizes |= r->results[i].size != r->results[0].size;
	fprintf(f, "<div class=\"wrap\"><table>\n<thead><tr><th class=\"l\">mode</th>"
		"<th>workers</th>%s<th>median</th><th>95%% CI</th>",
		sizes ? "<th>size</th>" : "");
	fputs("<th>min</th><th>max</th><th>items/s</th><th>speedup</th>"
	      "<th>efficiency</th><th>CPU</th><th class=\"l\">checksum</th></tr></thead>\n<tbody>\n",
	      f);
	for (size_t i = 0; i < r->nresults; i++) {
		const struct bench_mode_result *mr = &r->results[i];
		char t[6][32], label[48];

		format_ns(mr->wall.median, t[0], sizeof(t[0]));
		ci_cell(&mr->wall, t[1], sizeof(t[1]));
		format_ns(mr->wall.min, t[3], sizeof(t[3]));
		format_ns(mr->wall.max, t[4], sizeof(t[4]));
		format_ns(mr->cpu.median, t[5], sizeof(t[5]));
		fputs("<tr><td class=\"l\">", f);
		put(f, mode_label(mr, label, sizeof(label)));
		fprintf(f, "</td><td>%u</td>", mr->workers);
		if (sizes)
			fprintf(f, "<td>%llu</td>", (unsigned long long)mr->size);
		format_rate(mr->items_per_s, label, sizeof(label));
		seq(f, "<td>", t[0], "</td><td>", t[1], "</td><td>", t[3], "</td><td>", t[4], "</td><td>", label,
		    "/s</td>", NULL);
		if (isnan(mr->speedup))
			fputs("<td>&ndash;</td><td>&ndash;</td>", f);
		else
			fprintf(f, "<td>%.2f&times;</td><td>%.0f%%</td>",
				mr->speedup, mr->efficiency * 100);
		/* The whole checksum in the tooltip: 12 hex digits tell
		 * runs apart, and the row stays on the page. */
		seq(f, "<td>", t[5], "</td><td class=\"l\"><code title=\"",
		    mr->checksum, "\">",
		    esc_bytes(label, sizeof(label), mr->checksum,
			      strlen(mr->checksum), 12, 0), NULL);
		fprintf(f, "</code> %s</td></tr>\n",
			mr->verified ? "<span title=\"verified: the same in every mode\">\u2713</span>" :
				       "<span class=\"bad\">MISMATCH</span>");
	}
	fputs("</tbody>\n</table></div>\n", f);
}

static void put_analysis(FILE *f, const struct run_output *ro)
{
	const struct bench_report *r = ro->report;

	if (strcmp(ro->kind, "scale") == 0) {
		int any = 0;

		for (size_t m = 0; bench_executors[m]; m++) {
			const struct bench_executor *ex = bench_executors[m];
			struct bench_amdahl fit;

			if (ex->flags & BENCH_EXEC_REFERENCE ||
			    bench_report_amdahl(r, ex, &fit) != 0)
				continue;
			if (!any++)
				fputs("<h3>Amdahl's law fitted per mode</h3>\n"
				      "<p>S(p) = 1 / (f + (1 &minus; f) / p), over the worker counts up to the CPU count.</p>\n<ul class=\"notes\">\n",
				      f);
			fputs("<li>", f);
			put(f, ex->name);
			fprintf(f, ": serial fraction f = %.1f%%, ", fit.serial_fraction * 100);
			if (isinf(fit.max_speedup))
				fputs("no limit but the CPUs", f);
			else
				fprintf(f, "no worker count beats %.1f&times;", fit.max_speedup);
			fprintf(f, " (fit error %.2f&times;)</li>\n", fit.rmse);
		}
		if (any)
			fputs("</ul>\n", f);
	} else if (strcmp(ro->kind, "complexity") == 0) {
		struct bench_fit fit;

		if (!r->nresults ||
		    bench_report_complexity(r, r->results[0].mode, &fit) != 0)
			return;
		fputs("<h3>Fits of t = a &middot; g(n), by relative RMS error</h3>\n"
		      "<table>\n<thead><tr><th class=\"l\">class</th><th>a</th><th>error</th></tr></thead>\n<tbody>\n",
		      f);
		for (int c = 0; c < BENCH_O_COUNT; c++) {
			char a[32];

			if (isinf(fit.error[c]) || isnan(fit.error[c]))
				continue;
			format_ns(fit.coef[c], a, sizeof(a));
			fputs("<tr><td class=\"l\">", f);
			put(f, bench_bigo_name((enum bench_bigo)c));
			fputs(c == (int)fit.best ? " (best)" : "", f);
			fputs("</td><td>", f);
			put(f, a);
			fprintf(f, "</td><td>%.1f%%</td></tr>\n", fit.error[c] * 100);
		}
		fputs("</tbody>\n</table>\n", f);
	}
}

static void put_notes(FILE *f, const struct run_output *ro)
{
	if (!ro->nwarnings)
		return;
	fputs("<h3>Warnings and notes</h3>\n<ul class=\"notes\">\n", f);
	for (size_t i = 0; i < ro->nwarnings; i++) {
		const char *w = ro->warnings[i];

		fprintf(f, "<li%s>", strncmp(w, "warning:", 8) == 0 ?
			" class=\"warning\"" : "");
		put(f, w);
		fputs("</li>\n", f);
	}
	fputs("</ul>\n", f);
}

/*
 * Writes gnuplot's SVG from its <svg> tag on (the XML declaration cannot
 * stand inside HTML), each id and reference to one given the prefix pre,
 * and its <title> replaced by the chart's name.
 */
static void put_svg(FILE *f, const char *svg, const char *pre,
		    const char *name)
{
	const char *p = strstr(svg, "<svg");

	if (!p)
		return;
	while (*p) {
		if ((strncmp(p, "id='", 4) == 0 || strncmp(p, "id=\"", 4) == 0) &&
		    (p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\n')) {
			fprintf(f, "%.4s%s-", p, pre);
			p += 4;
		} else if (strncmp(p, "href='#", 7) == 0 ||
			   strncmp(p, "href=\"#", 7) == 0) {
			fprintf(f, "%.7s%s-", p, pre);
			p += 7;
		} else if (strncmp(p, "url(#", 5) == 0) {
			fprintf(f, "url(#%s-", pre);
			p += 5;
		} else if (strncmp(p, "<title>Gnuplot</title>", 22) == 0) {
			fputs("<title>", f);
			put(f, name);
			fputs("</title>", f);
			p += 22;
		} else {
			const char *next = strpbrk(p + 1, "ih<u");

			if (!next)
				next = p + strlen(p);
			fwrite(p, 1, (size_t)(next - p), f);
			p = next;
		}
	}
	fputc('\n', f);
}

static const char *chart_caption(const char *name)
{
	if (strcmp(name, "speedup") == 0)
		return "Speedup over serial per worker count; bars: 95% confidence interval of the speedup (from the medians' samples); dashed: Amdahl fit.";
	if (strcmp(name, "efficiency") == 0)
		return "Parallel efficiency (speedup / workers) per worker count.";
	if (strcmp(name, "complexity") == 0)
		return "Median time against input size on log-log axes, with the fitted complexity curve.";
	if (strcmp(name, "run") == 0)
		return "Median time per mode; bars: 95% confidence interval of the median; labels: speedup over serial.";
	return "";
}

static void put_charts(FILE *f, const struct run_output *ro, int run)
{
	struct chart_svg charts[MAX_CHARTS];
	int n = charts_svg(ro->kind, ro->report, ro->context, charts, MAX_CHARTS);

	fputs("<h3>Charts</h3>\n", f);
	if (n <= 0) {
		fputs("<p>No charts: gnuplot could not draw them here (see the notes bench printed).</p>\n",
		      f);
		return;
	}
	for (int i = 0; i < n; i++) {
		char pre[64];

		/* The page runs nothing: a chart with a script (a template
		 * asking for gnuplot's mousing) is left out, not shown. */
		if (strstr(charts[i].svg, "<script")) {
			seq(f, "<p>Chart ", charts[i].name,
			    " left out: its SVG carries a script.</p>\n", NULL);
			free(charts[i].svg);
			continue;
		}

		snprintf(pre, sizeof(pre), "r%d-%.31s", run, charts[i].name);
		fputs("<figure class=\"chart\" id=\"", f);
		put(f, pre);
		fputs("\">\n", f);
		put_svg(f, charts[i].svg, pre, charts[i].name);
		fputs("<figcaption>", f);
		put(f, chart_caption(charts[i].name));
		fputs("</figcaption>\n</figure>\n", f);
		free(charts[i].svg);
	}
}

/* Tick spacing of about `want` steps over span: 1, 2 or 5 times a power
 * of ten. */
static double tick_step(double span, int want)
{
	double raw = span / want, mag = pow(10, floor(log10(raw)));

	return raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag :
	       raw / mag < 7.5 ? 5 * mag : 10 * mag;
}

/* Widens the span [*lo, *hi] of times (ns) to whole ticks, about five,
 * never below 0 (a flat span gets some room); returns the tick step, and
 * the unit to label ticks in as ns_unit() gives it. */
static double time_axis(double *lo, double *hi, double *unit_div,
			const char **unit)
{
	double step;

	if (*hi - *lo < *hi * 0.02) {
		*lo -= *hi * 0.01 + 1;
		*hi += *hi * 0.01 + 1;
	}
	step = tick_step(*hi - *lo, 5);
	*lo = floor(*lo / step) * step;
	*hi = ceil(*hi / step) * step;
	if (*lo < 0)
		*lo = 0;
	*unit_div = ns_unit(*hi, unit);
	return step;
}

/*
 * The samples of the results of one size as a strip plot: a row per
 * result, a dot per sample on a shared time axis (nudged up and down in
 * run order so that equal times stay apart), the median as a line, its
 * 95% interval as a band, outliers hollow.
 */
static void put_strip(FILE *f, const struct bench_report *r, uint64_t size)
{
	const double left = 190, right = 980, row_h = 30, top = 10;
	double lo = INFINITY, hi = -INFINITY, step, unit_div;
	const char *unit;
	size_t rows = 0, row = 0;
	double height;

	for (size_t i = 0; i < r->nresults; i++) {
		const struct bench_mode_result *mr = &r->results[i];

		if (mr->size != size)
			continue;
		rows++;
		for (size_t k = 0; k < mr->nsamples; k++) {
			lo = fmin(lo, (double)mr->wall_ns[k]);
			hi = fmax(hi, (double)mr->wall_ns[k]);
		}
	}
	if (!rows || !(hi >= lo))
		return;
	step = time_axis(&lo, &hi, &unit_div, &unit);
	height = top + rows * row_h + 40;
#define X(v) (left + ((v) - lo) / (hi - lo) * (right - left))
	fprintf(f, "<figure class=\"samples\">\n<svg viewBox=\"0 0 1000 %.0f\" role=\"img\" "
		"xmlns=\"http://www.w3.org/2000/svg\">\n"
		"<title>samples at size %llu</title>\n",
		height, (unsigned long long)size);
	for (double v = lo; v <= hi + step / 2; v += step) {
		char t[32];

		snprintf(t, sizeof(t), "%g %s", v / unit_div, unit);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#e3e3e3\"/>"
			"<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\" fill=\"#444\">",
			X(v), top, X(v), top + rows * row_h, X(v),
			top + rows * row_h + 18);
		put(f, t);
		fputs("</text>\n", f);
	}
	for (size_t i = 0; i < r->nresults; i++) {
		const struct bench_mode_result *mr = &r->results[i];
		const char *colour = mode_colour(mr->mode);
		double y = top + row * row_h + row_h / 2;
		char label[64], t[32];

		if (mr->size != size)
			continue;
		row++;
		mode_label(mr, label, sizeof(label));
		if (!(mr->mode->flags & BENCH_EXEC_REFERENCE))
			snprintf(label + strlen(label), sizeof(label) - strlen(label),
				 " x%u", mr->workers);
		fprintf(f, "<text x=\"8\" y=\"%.1f\" fill=\"#222\">", y + 4);
		put(f, label);
		fprintf(f, "</text>\n<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" fill-opacity=\"0.18\"/>\n",
			X(mr->wall.ci_low), y - row_h / 2 + 3,
			fmax(X(mr->wall.ci_high) - X(mr->wall.ci_low), 1.0),
			row_h - 6, colour);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2.5\"/>\n",
			X(mr->wall.median), y - row_h / 2 + 3, X(mr->wall.median),
			y + row_h / 2 - 3, colour);
		for (size_t k = 0; k < mr->nsamples; k++) {
			double dy = (double)((int)(k % 5) - 2) * 3.0;

			format_ns((double)mr->wall_ns[k], t, sizeof(t));
			fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" ",
				X((double)mr->wall_ns[k]), y + dy);
			if (mr->outlier && mr->outlier[k])
				fprintf(f, "fill=\"#fff\" stroke=\"%s\" stroke-width=\"1.5\">", colour);
			else
				fprintf(f, "fill=\"%s\" fill-opacity=\"0.75\">", colour);
			fprintf(f, "<title>sample %zu: ", k + 1);
			put(f, t);
			fputs(mr->outlier && mr->outlier[k] ? " (outlier)" : "", f);
			fputs("</title></circle>\n", f);
		}
	}
	fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\" fill=\"#444\">wall time per sample</text>\n",
		(left + right) / 2, height - 4);
#undef X
	fputs("</svg>\n<figcaption>Each dot one timed sample (run order nudges it up or down); "
	      "line: the median; band: its 95% confidence interval; hollow: an outlier "
	      "(median absolute deviation).</figcaption>\n</figure>\n", f);
}

static void put_samples(FILE *f, const struct bench_report *r)
{
	fputs("<h3>Raw samples</h3>\n<details open>\n<summary>Every sample per case, in "
	      "nanoseconds and as a strip plot</summary>\n", f);
	for (size_t i = 0; i < r->nresults; i++) {
		int seen = 0;

		for (size_t k = 0; k < i && !seen; k++)
			seen = r->results[k].size == r->results[i].size;
		if (!seen)
			put_strip(f, r, r->results[i].size);
	}
	fputs("<div class=\"wrap\"><table>\n<thead><tr><th class=\"l\">case</th>"
	      "<th class=\"l\">wall time of each sample (ns), in run order</th></tr></thead>\n<tbody>\n",
	      f);
	for (size_t i = 0; i < r->nresults; i++) {
		const struct bench_mode_result *mr = &r->results[i];
		char label[48];

		fputs("<tr><td class=\"l\">", f);
		put(f, mode_label(mr, label, sizeof(label)));
		fprintf(f, " x%u n=%llu</td><td class=\"l\"><code>", mr->workers,
			(unsigned long long)mr->size);
		for (size_t k = 0; k < mr->nsamples; k++)
			fprintf(f, "%s%llu", k ? " " : "",
				(unsigned long long)mr->wall_ns[k]);
		fputs("</code></td></tr>\n", f);
	}
	fputs("</tbody>\n</table></div>\n</details>\n", f);
}

static void put_comparison(FILE *f, const struct run_output *runs, size_t n)
{
	const struct run_output *a = &runs[0];

	fputs("<section id=\"comparison\">\n<h2>Comparison</h2>\n<p>Each run against ", f);
	put(f, a->name ? a->name : "the first run");
	fputs(" (A), as <code>bench compare</code> judges: the ratio of medians B/A with its 95% "
	      "confidence interval and a Mann&ndash;Whitney U p-value; faster or slower only when "
	      "p &lt; 0.05 and the interval excludes 1.</p>\n", f);
	for (size_t j = 1; j < n; j++) {
		const struct run_output *b = &runs[j];

		fputs("<h3>", f);
		put(f, b->name ? b->name : "this run");
		fputs(" (B) against ", f);
		put(f, a->name ? a->name : "the first run");
		fputs(" (A)</h3>\n", f);
		if (a->report->wl != b->report->wl) {
			fputs("<p>Not compared: A is ", f);
			put(f, a->report->wl->name);
			fputs(" but B is ", f);
			put(f, b->report->wl->name);
			fputs(".</p>\n", f);
			continue;
		}
		fputs("<div class=\"wrap\"><table>\n<thead><tr><th class=\"l\">case</th><th>A median</th>"
		      "<th>B median</th><th>B/A</th><th>95% CI</th><th>p</th>"
		      "<th class=\"l\">verdict</th></tr></thead>\n<tbody>\n", f);
		for (size_t i = 0; i < b->report->nresults; i++) {
			const struct bench_mode_result *mb = &b->report->results[i];
			struct compare_row row;
			int got = compare_result(a->report, b->report, mb, &row);
			char label[48], ta[32], tb[32];

			fputs("<tr><td class=\"l\">", f);
			put(f, mode_label(mb, label, sizeof(label)));
			fprintf(f, " x%u n=%llu</td>", mb->workers,
				(unsigned long long)mb->size);
			if (got <= 0) {
				fprintf(f, "<td colspan=\"6\" class=\"l\">%s</td></tr>\n",
					got == 0 ? "only in B" : "cannot compare these samples");
				continue;
			}
			format_ns(row.a->wall.median, ta, sizeof(ta));
			format_ns(mb->wall.median, tb, sizeof(tb));
			fputs("<td>", f);
			put(f, ta);
			fputs("</td><td>", f);
			put(f, tb);
			fprintf(f, "</td><td>%.3f</td><td>%.3f &ndash; %.3f</td><td>%.3g</td>"
				"<td class=\"l\"><span class=\"%s\">%s</span>",
				row.cmp.ratio, row.cmp.ratio_low, row.cmp.ratio_high,
				row.cmp.p_value,
				row.verdict == BENCH_SLOWER ? "slower" :
				row.verdict == BENCH_FASTER ? "faster" : "same",
				row.verdict_text);
			if (row.verdict != BENCH_SAME)
				fprintf(f, " (%+.1f%%)", (row.cmp.ratio - 1) * 100);
			if (row.cmp.ci_level < 0.95)
				fprintf(f, " [CI only %.0f%%: few samples]",
					row.cmp.ci_level * 100);
			if (row.checksums_differ)
				fputs(" <span class=\"bad\">[checksums differ]</span>", f);
			fputs("</td></tr>\n", f);
		}
		for (size_t i = 0; i < a->report->nresults; i++) {
			const struct bench_mode_result *ma = &a->report->results[i];
			char label[48];

			if (compare_match(b->report, ma))
				continue;
			fputs("<tr><td class=\"l\">", f);
			put(f, mode_label(ma, label, sizeof(label)));
			fprintf(f, " x%u n=%llu</td><td colspan=\"6\" class=\"l\">only in A</td></tr>\n",
				ma->workers, (unsigned long long)ma->size);
		}
		fputs("</tbody>\n</table></div>\n", f);
	}
	fputs("</section>\n", f);
}

static void put_run(FILE *f, const struct run_output *ro, int run, int several)
{
	const struct bench_report *r = ro->report;
	char what[256];

	run_what(r, ro->kind, what, sizeof(what));
	fprintf(f, "<section class=\"run\" id=\"run-%d\">\n", run);
	if (several) {
		fputs("<h2>", f);
		put(f, ro->name ? ro->name : "this run");
		fputs(": bench ", f);
		put(f, ro->kind);
		fputc(' ', f);
		put(f, r->wl->name);
		fputs(", ", f);
		put(f, what);
		fputs("</h2>\n", f);
	}
	fputs("<h3>Context</h3>\n", f);
	put_context(f, ro);
	fputs("<h3>Results</h3>\n", f);
	put_results(f, r);
	put_analysis(f, ro);
	put_notes(f, ro);
	put_charts(f, ro, run);
	put_samples(f, r);
	fputs("</section>\n", f);
}

int write_html_runs(FILE *f, const struct run_output *runs, size_t n)
{
	const struct run_output *first = &runs[0];
	char what[256];

	run_what(first->report, first->kind, what, sizeof(what));
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"generator\" content=\"bench ", f);
	put(f, first->context->version);
	fputs("\">\n<title>", f);
	if (n > 1)
		fprintf(f, "%zu runs compared: ", n);
	fputs("bench ", f);
	put(f, first->kind);
	fputc(' ', f);
	put(f, first->report->wl->name);
	fputs(", ", f);
	put(f, what);
	fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header>\n<h1>", style);
	fputs("bench ", f);
	put(f, first->kind);
	fputc(' ', f);
	put(f, first->report->wl->name);
	if (n > 1)
		fprintf(f, " and %zu more run%s", n - 1, n > 2 ? "s" : "");
	fputs("</h1>\n<p class=\"sub\">", f);
	put(f, what);
	fprintf(f, " on %u CPUs (", first->context->cpus);
	put(f, first->context->cpu_model);
	fputs("), ", f);
	put(f, first->context->build);
	fputs(" build, ", f);
	put(f, first->context->date);
	if (first->name) {
		fputs("; ", f);
		put(f, first->name);
	}
	fputs("</p>\n</header>\n<main>\n", f);
	if (n > 1) {
		fputs("<nav><ul>\n", f);
		for (size_t i = 0; i < n; i++) {
			fprintf(f, "<li><a href=\"#run-%zu\">", i + 1);
			put(f, runs[i].name ? runs[i].name : "this run");
			fputs(": ", f);
			put(f, runs[i].kind);
			fputc(' ', f);
			put(f, runs[i].report->wl->name);
			fputs(", ", f);
			put(f, runs[i].context->date);
			fputs("</a></li>\n", f);
		}
		fputs("</ul></nav>\n", f);
		put_comparison(f, runs, n);
	}
	for (size_t i = 0; i < n; i++)
		put_run(f, &runs[i], (int)i + 1, n > 1);
	fputs("</main>\n<footer>Written by bench ", f);
	put(f, first->context->version);
	fputs(". This page is self-contained: no scripts, nothing loaded from elsewhere.</footer>\n"
	      "</body>\n</html>\n", f);
	return ferror(f) ? -1 : 0;
}

int write_html(FILE *f, const struct run_output *ro)
{
	return write_html_runs(f, ro, 1);
}

/*
 * The trend page (`bench report --history`): the runs of one workload, one
 * size and one machine in time order. A case is a mode with its engine
 * and workers; each run's result of a case is judged against the nearest
 * earlier run that has the case, by compare_result(), so a red marker
 * here is exactly what `bench compare PREVIOUS RUN` calls slower.
 */
#define MAX_TREND_CASES 32

/* The distinct cases of the runs, in the order first seen. */
static size_t trend_cases(const struct trend *t,
			  const struct bench_mode_result **cases)
{
	size_t n = 0;

	for (size_t i = 0; i < t->n; i++) {
		const struct bench_report *r = t->runs[i].report;

		for (size_t k = 0; k < r->nresults && n < MAX_TREND_CASES; k++) {
			size_t j = 0;

			while (j < n && !(cases[j]->mode == r->results[k].mode &&
					  cases[j]->engine == r->results[k].engine &&
					  cases[j]->workers == r->results[k].workers))
				j++;
			if (j == n)
				cases[n++] = &r->results[k];
		}
	}
	return n;
}

/* "thread x2", or "serial" for the reference mode. */
static void case_label(const struct bench_mode_result *c, char *buf,
		       size_t len)
{
	mode_label(c, buf, len);
	if (!(c->mode->flags & BENCH_EXEC_REFERENCE))
		snprintf(buf + strlen(buf), len - strlen(buf), " x%u", c->workers);
}

/* Run i's result of case c (every run of a trend has one size), or
 * NULL: the result `bench compare` would pair with c. */
static const struct bench_mode_result *
trend_at(const struct trend *t, size_t i, const struct bench_mode_result *c)
{
	return compare_match(t->runs[i].report, c);
}

/* Judges run i's result of case c against the nearest earlier run with
 * it (into *prev); returns 1 when row holds a verdict. */
static int trend_step(const struct trend *t, size_t i,
		      const struct bench_mode_result *c, size_t *prev,
		      struct compare_row *row)
{
	const struct bench_mode_result *mb = trend_at(t, i, c);

	if (!mb)
		return 0;
	for (size_t j = i; j-- > 0;)
		if (trend_at(t, j, c)) {
			*prev = j;
			return compare_result(t->runs[j].report,
					      t->runs[i].report, mb, row) == 1;
		}
	return 0;
}

/* "2026-12-05 13:02" from an ISO 8601 date. */
static void short_date(const char *iso, char *buf, size_t len)
{
	snprintf(buf, len, "%s", iso);
	if (strlen(buf) >= 16 && buf[10] == 'T') {
		buf[10] = ' ';
		buf[16] = '\0';
	}
}

/* One case's chart: the median of each run with its 95% interval as a
 * whisker, joined run to run; a regression a larger red dot. */
static void put_trend_chart(FILE *f, const struct trend *t,
			    const struct bench_mode_result *c)
{
	const double left = 100, right = 975, top = 16, plot_h = 250;
	double lo = INFINITY, hi = -INFINITY, step, unit_div;
	const double height = top + plot_h + 58;
	const char *unit, *colour = mode_colour(c->mode);
	size_t label_every = t->n / 16 + 1, slower = 0;
	char label[64];
	int first = 1;

	case_label(c, label, sizeof(label));
	for (size_t i = 0; i < t->n; i++) {
		const struct bench_mode_result *mr = trend_at(t, i, c);

		if (!mr)
			continue;
		lo = fmin(lo, fmin(mr->wall.ci_low, mr->wall.median));
		hi = fmax(hi, fmax(mr->wall.ci_high, mr->wall.median));
	}
	if (!(hi >= lo))
		return;
	step = time_axis(&lo, &hi, &unit_div, &unit);
#define X(i) (t->n > 1 ? left + 25 + (double)(i) / (double)(t->n - 1) * (right - left - 50) : \
	      (left + right) / 2)
#define Y(v) (top + (hi - (v)) / (hi - lo) * plot_h)
	fprintf(f, "<figure class=\"trend\">\n<svg viewBox=\"0 0 1000 %.0f\" role=\"img\" "
		"xmlns=\"http://www.w3.org/2000/svg\">\n<title>", height);
	put(f, label);
	fputs(": median wall time run after run</title>\n", f);
	for (double v = lo; v <= hi + step / 2; v += step) {
		char tick[32];

		snprintf(tick, sizeof(tick), "%g %s", v / unit_div, unit);
		fprintf(f, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#e3e3e3\"/>"
			"<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#444\">",
			left, Y(v), right, Y(v), left - 6, Y(v) + 4);
		put(f, tick);
		fputs("</text>\n", f);
	}
	fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" stroke=\"#888\"/>\n",
		left, top, right - left, plot_h);
	for (size_t i = 0; i < t->n; i += label_every)
		fprintf(f, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\" fill=\"#444\">%lld</text>\n",
			X(i), top + plot_h + 18, (long long)t->runs[i].id);
	fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\" fill=\"#444\">"
		"stored run (id), oldest to newest</text>\n"
		"<text transform=\"translate(18 %.0f) rotate(-90)\" text-anchor=\"middle\" fill=\"#444\">"
		"median wall time</text>\n",
		(left + right) / 2, height - 8, top + plot_h / 2);
	fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", colour);
	for (size_t i = 0; i < t->n; i++) {
		const struct bench_mode_result *mr = trend_at(t, i, c);

		if (mr) {
			fprintf(f, "%s%.1f,%.1f", first ? "" : " ", X(i), Y(mr->wall.median));
			first = 0;
		}
	}
	fputs("\"/>\n", f);
	for (size_t i = 0; i < t->n; i++) {
		const struct bench_mode_result *mr = trend_at(t, i, c);
		struct compare_row row;
		size_t prev = 0;
		int judged, bad;
		char med[32], ci[48];

		if (!mr)
			continue;
		judged = trend_step(t, i, c, &prev, &row);
		bad = judged && row.verdict == BENCH_SLOWER;
		slower += bad;
		fprintf(f, "<path d=\"M%.1f %.1fV%.1fM%.1f %.1fh10M%.1f %.1fh10\" stroke=\"%s\" stroke-width=\"1.5\"/>\n",
			X(i), Y(mr->wall.ci_low), Y(mr->wall.ci_high),
			X(i) - 5, Y(mr->wall.ci_low), X(i) - 5,
			Y(mr->wall.ci_high), colour);
		format_ns(mr->wall.median, med, sizeof(med));
		ci_cell(&mr->wall, ci, sizeof(ci));
		if (bad)
			fprintf(f, "<circle class=\"regression\" cx=\"%.1f\" cy=\"%.1f\" r=\"8\" "
				"fill=\"#d00000\" stroke=\"#fff\" stroke-width=\"1.5\">",
				X(i), Y(mr->wall.median));
		else
			fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\" fill=\"%s\">",
				X(i), Y(mr->wall.median), colour);
		fprintf(f, "<title>run %lld: median ", (long long)t->runs[i].id);
		put(f, med);
		fputs(" (95% CI ", f);
		put(f, ci);
		fputc(')', f);
		if (judged)
			fprintf(f, "; %s than run %lld (ratio %.3f, p %.3g)",
				row.verdict == BENCH_SLOWER ? "slower" :
				row.verdict == BENCH_FASTER ? "faster" :
				"no significant difference from",
				(long long)t->runs[prev].id, row.cmp.ratio,
				row.cmp.p_value);
		fputs("</title></circle>\n", f);
	}
#undef X
#undef Y
	fputs("</svg>\n<figcaption>", f);
	put(f, label);
	fputs(": the median of each stored run, the whisker its 95% confidence interval", f);
	if (slower)
		fprintf(f, "; <span class=\"slower\">red: %zu regression%s</span> (slower than the run "
			"before, as <code>bench compare</code> judges)", slower,
			slower == 1 ? "" : "s");
	else
		fputs("; no regression", f);
	fputs(".</figcaption>\n</figure>\n", f);
}

/* The regressions of every case, one row each. */
static void put_regressions(FILE *f, const struct trend *t,
			    const struct bench_mode_result *const *cases,
			    size_t ncases)
{
	int any = 0;

	fputs("<section id=\"regressions\">\n<h2>Regressions</h2>\n<p>A run is a regression in a "
	      "mode when <code>bench compare</code> finds it slower than the run before it: "
	      "p &lt; 0.05 (Mann&ndash;Whitney U) and the 95% interval of the ratio of "
	      "medians above 1.</p>\n", f);
	for (size_t c = 0; c < ncases; c++)
		for (size_t i = 1; i < t->n; i++) {
			struct compare_row row;
			size_t prev = 0;
			char label[64], date[32], ta[32], tb[32];

			if (!trend_step(t, i, cases[c], &prev, &row) ||
			    row.verdict != BENCH_SLOWER)
				continue;
			if (!any++)
				fputs("<div class=\"wrap\"><table>\n<thead><tr><th>run</th>"
				      "<th class=\"l\">date (UTC)</th><th class=\"l\">git</th>"
				      "<th class=\"l\">mode</th><th>before</th><th>median before</th>"
				      "<th>median</th><th>ratio</th><th>95% CI</th><th>p</th></tr></thead>\n<tbody>\n",
				      f);
			case_label(cases[c], label, sizeof(label));
			short_date(t->runs[i].ctx.date, date, sizeof(date));
			format_ns(row.a->wall.median, ta, sizeof(ta));
			format_ns(row.b->wall.median, tb, sizeof(tb));
			fprintf(f, "<tr class=\"slower\"><td>%lld</td>", (long long)t->runs[i].id);
			seq(f, "<td class=\"l\">", date, "</td><td class=\"l\"><code>",
			    t->runs[i].ctx.git, "</code></td><td class=\"l\">", label,
			    "</td>", NULL);
			fprintf(f, "<td>%lld</td>", (long long)t->runs[prev].id);
			seq(f, "<td>", ta, "</td><td>", tb, "</td>", NULL);
			fprintf(f, "<td>%.3f (%+.1f%%)</td><td>%.3f &ndash; %.3f</td><td>%.3g</td></tr>\n",
				row.cmp.ratio, (row.cmp.ratio - 1) * 100,
				row.cmp.ratio_low, row.cmp.ratio_high,
				row.cmp.p_value);
		}
	if (any)
		fputs("</tbody>\n</table></div>\n", f);
	else
		fputs("<p>None: no run was significantly slower than the one before it.</p>\n", f);
	fputs("</section>\n", f);
}

/* Every run, one row: when, what was built, the median of each case. */
static void put_trend_runs(FILE *f, const struct trend *t,
			   const struct bench_mode_result *const *cases,
			   size_t ncases)
{
	fputs("<section id=\"runs\">\n<h2>Runs</h2>\n<div class=\"wrap\"><table>\n<thead><tr>"
	      "<th>run</th><th class=\"l\">date (UTC)</th><th class=\"l\">git</th>"
	      "<th class=\"l\">build</th><th>samples</th>", f);
	for (size_t c = 0; c < ncases; c++) {
		char label[64];

		case_label(cases[c], label, sizeof(label));
		seq(f, "<th>", label, "</th>", NULL);
	}
	fputs("</tr></thead>\n<tbody>\n", f);
	for (size_t i = 0; i < t->n; i++) {
		const struct loaded_run *run = &t->runs[i];
		char date[32];

		short_date(run->ctx.date, date, sizeof(date));
		fprintf(f, "<tr><td>%lld</td>", (long long)run->id);
		seq(f, "<td class=\"l\">", date, "</td><td class=\"l\"><code>",
		    run->ctx.git, "</code></td><td class=\"l\">", run->ctx.build,
		    "</td>", NULL);
		fprintf(f, "<td>%u</td>", run->report->repeat);
		for (size_t c = 0; c < ncases; c++) {
			const struct bench_mode_result *mr = trend_at(t, i, cases[c]);
			struct compare_row row;
			size_t prev = 0;
			char med[32];

			if (!mr) {
				fputs("<td>&ndash;</td>", f);
				continue;
			}
			format_ns(mr->wall.median, med, sizeof(med));
			if (trend_step(t, i, cases[c], &prev, &row) &&
			    row.verdict == BENCH_SLOWER)
				seq(f, "<td class=\"slower\" title=\"slower than the run before\">",
				    med, " \u25b2</td>", NULL);
			else
				seq(f, "<td>", med, "</td>", NULL);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody>\n</table></div>\n</section>\n", f);
}

int write_html_trend(FILE *f, const struct trend *t)
{
	const struct bench_mode_result *cases[MAX_TREND_CASES];
	const struct loaded_run *newest = &t->runs[t->n - 1];
	size_t ncases = trend_cases(t, cases);
	char what[256], from[32], to[32];

	run_what(newest->report, newest->kind, what, sizeof(what));
	short_date(t->runs[0].ctx.date, from, sizeof(from));
	short_date(newest->ctx.date, to, sizeof(to));
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"generator\" content=\"bench ", f);
	put(f, newest->ctx.version);
	seq(f, "\">\n<title>bench trend: ", t->workload, ", ", what, NULL);
	fprintf(f, ", %zu runs</title>\n<style>\n%s</style>\n</head>\n<body>\n<header>\n<h1>", t->n,
		style);
	seq(f, "bench trend: ", t->workload, "</h1>\n<p class=\"sub\">", what, NULL);
	fprintf(f, ", %zu stored runs from ", t->n);
	put(f, from);
	fputs(" to ", f);
	put(f, to);
	fputs(" UTC on ", f);
	put(f, t->host);
	fprintf(f, " (%u CPUs, ", newest->ctx.cpus);
	put(f, newest->ctx.cpu_model);
	fputs(")</p>\n", f);
	if (t->other_sizes || t->other_hosts) {
		fputs("<p class=\"warning\">Left out, so that only like is compared with like:", f);
		if (t->other_sizes)
			fprintf(f, " %zu run%s at another size (choose one with <code>--size N</code>)%s",
				t->other_sizes, t->other_sizes == 1 ? "" : "s",
				t->other_hosts ? ";" : "");
		if (t->other_hosts)
			fprintf(f, " %zu run%s on another machine", t->other_hosts,
				t->other_hosts == 1 ? "" : "s");
		fputs(".</p>\n", f);
	}
	for (size_t i = 0; i < t->n; i++)
		if (t->runs[i].report->repeat < 4) {
			/* 2 / C(6, 3) = 0.1: no rank test on 3 and 3 samples
			 * reaches p < 0.05, however far apart they are. */
			fprintf(f, "<p class=\"warning\">Run %lld has %u sample%s per mode: with fewer "
				"than 4 no difference can be significant, so no regression can show; "
				"use <code>--repeat 5</code> or more.</p>\n",
				(long long)t->runs[i].id, t->runs[i].report->repeat,
				t->runs[i].report->repeat == 1 ? "" : "s");
			break;
		}
	fputs("</header>\n<main>\n<section id=\"trend\">\n<h2>Median per mode, run after run</h2>\n", f);
	for (size_t c = 0; c < ncases; c++) {
		char label[64];

		case_label(cases[c], label, sizeof(label));
		seq(f, "<h3>", label, "</h3>\n", NULL);
		put_trend_chart(f, t, cases[c]);
	}
	fputs("</section>\n", f);
	put_regressions(f, t, cases, ncases);
	put_trend_runs(f, t, cases, ncases);
	fputs("</main>\n<footer>Written by bench ", f);
	put(f, newest->ctx.version);
	fputs(". This page is self-contained: no scripts, nothing loaded from elsewhere.</footer>\n"
	      "</body>\n</html>\n", f);
	return ferror(f) ? -1 : 0;
}
