/*
 * charts.c - PNG and SVG charts drawn by gnuplot from the templates in
 * plots/.
 *
 * bench writes the numbers to a TAB-separated data file and runs
 * `gnuplot -e "variables" plots/NAME.gp` without a shell (through
 * run_command, bench/command.h), once per terminal. gnuplot writes to a
 * temporary name that is renamed into place only when it succeeded, so
 * a chart file is whole or absent.
 * Templates are looked for in $BENCH_PLOTS, then ../plots beside the
 * binary (a build tree), then the installed data folder.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#ifndef BENCH_DATADIR
#define BENCH_DATADIR "/usr/local/share/bench"
#endif

static int is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The folder holding the templates, or NULL. */
static const char *plots_dir(void)
{
	static char dir[PATH_MAX + 16];

	return find_data_dir("BENCH_PLOTS", "plots", "speedup.gp", dir,
			     sizeof(dir));
}

static int have_gnuplot(void)
{
	const char *path = getenv("PATH");
	char *copy, *save = NULL;
	int found = 0;

	if (!path || !(copy = strdup(path)))
		return 0;
	for (char *d = strtok_r(copy, ":", &save); d && !found;
	     d = strtok_r(NULL, ":", &save)) {
		char probe[PATH_MAX];

		snprintf(probe, sizeof(probe), "%s/gnuplot", *d ? d : ".");
		found = access(probe, X_OK) == 0;
	}
	free(copy);
	return found;
}

/* Appends name='value' to a gnuplot -e string, quoting for gnuplot's
 * single-quoted strings (a quote is doubled). */
static void var_str(char *buf, size_t len, const char *name, const char *value)
{
	size_t used = strlen(buf);

	used += (size_t)snprintf(buf + used, len > used ? len - used : 0,
				 "%s='", name);
	for (const char *p = value; *p && used + 3 < len; p++) {
		if (*p == '\'')
			buf[used++] = '\'';
		buf[used++] = *p;
	}
	if (used + 3 < len) {
		buf[used++] = '\'';
		buf[used++] = ';';
		buf[used] = '\0';
	}
}

/* Appends name=value; gnuplot spells a missing number NaN (a bare nan
 * would be an undefined variable). */
static void var_num(char *buf, size_t len, const char *name, double value)
{
	size_t used = strlen(buf);

	if (isnan(value) || isinf(value))
		snprintf(buf + used, len > used ? len - used : 0, "%s=NaN;", name);
	else
		snprintf(buf + used, len > used ? len - used : 0, "%s=%.12g;",
			 name, value);
}

/* Runs gnuplot on one template; its stdout and stderr go to ours. 0, or
 * -1 when it could not run, failed, or was stopped by Ctrl-C. */
static int run_gnuplot(const char *vars, const char *template)
{
	char *argv[] = { "gnuplot", "-e", (char *)vars, (char *)template };
	struct bench_command gp;
	struct bench_command_opts io = {
		.stream = { BENCH_STREAM_INHERIT, BENCH_STREAM_INHERIT,
			    BENCH_STREAM_INHERIT },
	};
	struct bench_command_result res;
	struct bench_err err = { 0 };
	int rc;

	if (bench_command_init(&gp, argv, 4, &err) != 0)
		return -1;
	/* In bench's process group, as when run from the shell: a
	 * terminal's Ctrl-C reaches gnuplot too. */
	gp.keep_group = 1;
	rc = bench_command_run(&gp, &io, &res, &err);
	bench_command_release(&gp);
	bench_command_result_release(&res);
	return rc == 0 && !bench_command_failed(&res) ? 0 : -1;
}

/* Every mode bench knows, in its list order, so that plots/common.gp gives
 * each one the same colour in every chart whichever modes a chart shows. */
static const char *mode_order(void)
{
	static char order[BENCH_EXECUTORS_MAX * 32];

	if (order[0] == '\0')
		for (size_t i = 0; bench_executors[i]; i++) {
			if (i)
				strncat(order, " ",
					sizeof(order) - strlen(order) - 1);
			strncat(order, bench_executors[i]->name,
				sizeof(order) - strlen(order) - 1);
		}
	return order;
}

struct chart {
	const char *template; /* e.g. "speedup" */
	const char *vars;     /* template-specific variables */
};

/* plots/common.gp's style: "default" or "slides" (charts_set_style). */
static const char *chart_style = "default";

int charts_set_style(const char *style)
{
	if (strcmp(style, "default") != 0 && strcmp(style, "slides") != 0)
		return -1;
	chart_style = style;
	return 0;
}

/* A count for a title: "1M", "250k", "1.5M" where that is exact, else
 * the plain number. */
static void format_count(uint64_t n, char *buf, size_t len)
{
	static const struct { uint64_t unit; const char *suffix; } units[] = {
		{ 1000000000, "G" }, { 1000000, "M" }, { 1000, "k" },
	};

	for (size_t i = 0; i < sizeof(units) / sizeof(*units); i++) {
		uint64_t u = units[i].unit;

		if (n >= u && n % (u / 10) == 0) {
			if (n % u == 0)
				snprintf(buf, len, "%llu%s",
					 (unsigned long long)(n / u), units[i].suffix);
			else
				snprintf(buf, len, "%llu.%llu%s",
					 (unsigned long long)(n / u),
					 (unsigned long long)(n % u / (u / 10)),
					 units[i].suffix);
			return;
		}
	}
	snprintf(buf, len, "%llu", (unsigned long long)n);
}

/* Which files draw() writes: both, or the SVG alone (an HTML page). */
enum { TERMS_ALL, TERMS_SVG };

/* Draws one template to stem-NAME.png and .svg in dir. */
static int draw(const char *dir, const char *stem, const char *plots,
		const char *data, const char *title, const struct chart *c,
		char paths[][4096], size_t *n, size_t max, int which)
{
	static const char *const terms[][2] = { { "pngcairo", "png" },
						{ "svg", "svg" } };
	char template[PATH_MAX + 64];

	snprintf(template, sizeof(template), "%s/%s.gp", plots, c->template);
	for (size_t t = which == TERMS_SVG; t < 2 && *n < max; t++) {
		char final[4096], tmp[4200], vars[8192] = "";

		snprintf(final, sizeof(final), "%s/%s-%s.%s", dir, stem,
			 c->template, terms[t][1]);
		snprintf(tmp, sizeof(tmp), "%s.tmp.%d", final, (int)getpid());
		var_str(vars, sizeof(vars), "datafile", data);
		var_str(vars, sizeof(vars), "outfile", tmp);
		var_str(vars, sizeof(vars), "term", terms[t][0]);
		var_str(vars, sizeof(vars), "title", title);
		var_str(vars, sizeof(vars), "mode_order", mode_order());
		var_str(vars, sizeof(vars), "style", chart_style);
		strncat(vars, c->vars, sizeof(vars) - strlen(vars) - 1);
		if (run_gnuplot(vars, template) != 0 || !is_file(tmp) ||
		    rename(tmp, final) != 0) {
			unlink(tmp);
			error("gnuplot could not draw '%s' from %s", final,
			      template);
			return -1;
		}
		snprintf(paths[(*n)++], 4096, "%s", final);
	}
	return 0;
}

static void unit_vars(char *vars, size_t len, double longest)
{
	const char *unit;
	double div = ns_unit(longest, &unit);

	var_str(vars, len, "unit", unit);
	var_num(vars, len, "div", div);
}

/* Whether the worker counts double: three or more distinct counts, each
 * twice the one before (1..64x2); a log2 axis spaces them evenly. */
static int workers_double(const struct bench_report *r)
{
	unsigned seen[64];
	size_t n = 0;

	for (size_t i = 0; i < r->nresults; i++) {
		const struct bench_mode_result *mr = &r->results[i];
		size_t k = 0;

		if (mr->mode->flags & BENCH_EXEC_REFERENCE)
			continue;
		while (k < n && seen[k] != mr->workers)
			k++;
		if (k < n)
			continue;
		if (n == sizeof(seen) / sizeof(*seen))
			return 0;
		/* Insertion in order. */
		for (k = n++; k > 0 && seen[k - 1] > mr->workers; k--)
			seen[k] = seen[k - 1];
		seen[k] = mr->workers;
	}
	for (size_t k = 1; k < n; k++)
		if (seen[k] != 2 * seen[k - 1])
			return 0;
	return n >= 3;
}

static const struct bench_mode_result *serial_of(const struct bench_report *r,
						 uint64_t size,
						 enum bench_engine engine)
{
	for (size_t i = 0; i < r->nresults; i++)
		if (r->results[i].mode->flags & BENCH_EXEC_REFERENCE &&
		    r->results[i].size == size && r->results[i].engine == engine)
			return &r->results[i];
	return NULL;
}

/* Speedup with its interval: the ratio of the two sample sets, inverted. */
static void speedup_ci(const struct bench_mode_result *serial,
		       const struct bench_mode_result *mr, double *lo,
		       double *hi)
{
	double *a = malloc(serial->nsamples * sizeof(*a));
	double *b = malloc(mr->nsamples * sizeof(*b));
	struct bench_compare c;

	*lo = *hi = mr->speedup;
	if (a && b) {
		for (size_t k = 0; k < serial->nsamples; k++)
			a[k] = (double)serial->wall_ns[k];
		for (size_t k = 0; k < mr->nsamples; k++)
			b[k] = (double)mr->wall_ns[k];
		if (bench_compare_samples(a, serial->nsamples, b, mr->nsamples,
					  0.95, &c) == 0 &&
		    c.ratio_low > 0) {
			*lo = 1.0 / c.ratio_high;
			*hi = 1.0 / c.ratio_low;
		}
	}
	free(a);
	free(b);
}

/*
 * Whether an Amdahl fit describes a mode's points: its error within a
 * tenth of the mode's best speedup. A fit that forces S(1) = 1 onto
 * points that never reach 1 (start-up overhead) does not, and drawn, it
 * would only sit above them all.
 */
static int fit_describes(const struct bench_report *r,
			 const struct bench_executor *ex,
			 const struct bench_amdahl *fit)
{
	double best = 0;

	for (size_t i = 0; i < r->nresults; i++)
		if (r->results[i].mode == ex && r->results[i].speedup > best)
			best = r->results[i].speedup;
	return best > 0 && fit->rmse <= 0.1 * best;
}

static int write_scale_data(FILE *f, const struct bench_report *r,
			    char *modes, size_t mlen, char *fractions,
			    size_t flen, char *left_out, size_t llen,
			    uint64_t *wmin, uint64_t *wmax)
{
	int blocks = 0;
	size_t nex = 0;

	while (bench_executors[nex])
		nex++;
	fputs("# workers\tspeedup\tspeedup_low\tspeedup_high\tefficiency\tkarp_flatt\n", f);
	/* One block per engine and mode ("thread", "thread/python"), each
	 * against its own engine's serial. */
	for (size_t k = 0; k < BENCH_ENGINE_COUNT * BENCH_EXECUTORS_MAX; k++) {
		enum bench_engine e = (enum bench_engine)(k / BENCH_EXECUTORS_MAX);
		size_t m = k % BENCH_EXECUTORS_MAX;
		const struct bench_executor *ex;
		struct bench_amdahl fit;
		int any = 0;

		if (m >= nex)
			continue;
		ex = bench_executors[m];
		if (ex->flags & BENCH_EXEC_REFERENCE)
			continue;
		for (size_t i = 0; i < r->nresults; i++) {
			const struct bench_mode_result *mr = &r->results[i];
			const struct bench_mode_result *s = serial_of(r, mr->size, e);
			double lo, hi;

			if (mr->mode != ex || mr->engine != e || !s ||
			    isnan(mr->speedup))
				continue;
			if (!any && blocks++)
				fputs("\n\n", f);
			any = 1;
			speedup_ci(s, mr, &lo, &hi);
			fprintf(f, "%u\t%.6f\t%.6f\t%.6f\t%.6f\t", mr->workers,
				mr->speedup, lo, hi, mr->efficiency);
			if (mr->workers > 1)
				fprintf(f, "%.6f\n", bench_karp_flatt(mr->speedup, mr->workers));
			else
				fputs("nan\n", f);
			if (mr->workers < *wmin)
				*wmin = mr->workers;
			if (mr->workers > *wmax)
				*wmax = mr->workers;
		}
		if (!any)
			continue;
		snprintf(modes + strlen(modes), mlen - strlen(modes), "%s%s%s%s",
			 *modes ? " " : "", ex->name, e ? "/" : "",
			 e ? bench_engine_name(e) : "");
		/* Amdahl's fit is of native's speedups. */
		if (e == BENCH_ENGINE_NATIVE && bench_report_amdahl(r, ex, &fit) == 0 &&
		    fit_describes(r, ex, &fit))
			snprintf(fractions + strlen(fractions), flen - strlen(fractions),
				 "%s%.6f", *fractions ? " " : "", fit.serial_fraction);
		else if (e == BENCH_ENGINE_NATIVE && bench_report_amdahl(r, ex, &fit) == 0) {
			snprintf(fractions + strlen(fractions), flen - strlen(fractions),
				 "%snan", *fractions ? " " : "");
			snprintf(left_out + strlen(left_out), llen - strlen(left_out),
				 "%s%s", *left_out ? " " : "", ex->name);
		} else
			snprintf(fractions + strlen(fractions), flen - strlen(fractions),
				 "%snan", *fractions ? " " : "");
	}
	return blocks;
}

static int draw_report(const char *kind, const struct bench_report *r,
		       const struct bench_context *ctx, const char *dir,
		       const char *stem, char paths[][4096], size_t max,
		       int which)
{
	const char *plots = plots_dir();
	char data[4200], title[512], vars[4096] = "", count[32];
	size_t n = 0;
	double longest = 0;
	int fd, rc = 0;
	FILE *f;

	if (!have_gnuplot()) {
		fprintf(stderr, "bench: note: gnuplot is not installed, so no chart files were drawn; install it (apt-get install gnuplot-nox, or ./scripts/install-deps.sh) and redraw with 'bench plot'\n");
		return 0;
	}
	if (!plots) {
		fprintf(stderr, "bench: note: no chart templates found (set BENCH_PLOTS to the plots/ folder)\n");
		return 0;
	}
	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		error("cannot create chart folder '%s': %s", dir, strerror(errno));
		return -1;
	}
	snprintf(data, sizeof(data), "%s/.%s-XXXXXX", dir, stem);
	fd = mkstemp(data);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		error("cannot write chart data in '%s': %s", dir, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(data);
		}
		return -1;
	}
	for (size_t i = 0; i < r->nresults; i++)
		if (r->results[i].wall.median > longest)
			longest = r->results[i].wall.median;

	if (strcmp(kind, "scale") == 0) {
		char modes[256] = "", fractions[256] = "", left_out[256] = "";
		uint64_t wmin = UINT64_MAX, wmax = 0;

		format_count(r->results[0].items, count, sizeof(count));
		snprintf(title, sizeof(title), "%s, %s %s: scaling with workers on %u CPUs (%s)",
			 r->wl->name, count, r->wl->item_desc, ctx->cpus,
			 ctx->cpu_model);
		if (write_scale_data(f, r, modes, sizeof(modes), fractions,
				     sizeof(fractions), left_out,
				     sizeof(left_out), &wmin, &wmax) == 0) {
			fclose(f);
			unlink(data);
			fprintf(stderr, "bench: note: no parallel results to chart\n");
			return 0;
		}
		var_num(vars, sizeof(vars), "cpus", ctx->cpus);
		var_str(vars, sizeof(vars), "modes", modes);
		var_str(vars, sizeof(vars), "fractions", fractions);
		var_str(vars, sizeof(vars), "left_out", left_out);
		var_num(vars, sizeof(vars), "logx",
			wmax >= 8 * wmin || workers_double(r));
	} else if (strcmp(kind, "complexity") == 0) {
		struct bench_fit fit;
		const struct bench_mode_result *first = &r->results[0];

		if (bench_report_complexity(r, first->mode, &fit) != 0) {
			fclose(f);
			unlink(data);
			fprintf(stderr, "bench: note: fewer than 3 sizes, no complexity chart\n");
			return 0;
		}
		snprintf(title, sizeof(title), "%s: time vs input size, %s mode%s%s, %u CPUs (%s)",
			 r->wl->name, first->mode->name,
			 first->engine != BENCH_ENGINE_NATIVE ? " in " : "",
			 first->engine != BENCH_ENGINE_NATIVE ?
				bench_engine_name(first->engine) : "",
			 ctx->cpus, ctx->cpu_model);
		fputs("# size\tmedian_ns\tci_low_ns\tci_high_ns\n", f);
		for (size_t i = 0; i < r->nresults; i++)
			if (r->results[i].mode == first->mode &&
			    r->results[i].engine == first->engine)
				fprintf(f, "%llu\t%.1f\t%.1f\t%.1f\n",
					(unsigned long long)r->results[i].size,
					r->results[i].wall.median,
					r->results[i].wall.ci_low,
					r->results[i].wall.ci_high);
		var_str(vars, sizeof(vars), "fit_name", bench_bigo_name(fit.best));
		var_num(vars, sizeof(vars), "fit_class", fit.best);
		var_num(vars, sizeof(vars), "fit_coef", fit.coef[fit.best]);
		var_num(vars, sizeof(vars), "fit_error", fit.error[fit.best]);
		{
			/* The runner-up: a close second teaches more than
			 * the best alone when noise decided between them. */
			int second = -1;

			for (int c = 0; c < BENCH_O_COUNT; c++)
				if (c != (int)fit.best && isfinite(fit.error[c]) &&
				    (second < 0 || fit.error[c] < fit.error[second]))
					second = c;
			if (second >= 0) {
				var_str(vars, sizeof(vars), "fit2_name",
					bench_bigo_name((enum bench_bigo)second));
				var_num(vars, sizeof(vars), "fit2_class", second);
				var_num(vars, sizeof(vars), "fit2_coef", fit.coef[second]);
				var_num(vars, sizeof(vars), "fit2_error", fit.error[second]);
			}
		}
		var_str(vars, sizeof(vars), "mode", first->mode->name);
		unit_vars(vars, sizeof(vars), longest);
	} else {
		format_count(r->items, count, sizeof(count));
		snprintf(title, sizeof(title), "%s, %s %s: median time per mode on %u CPUs (%s)",
			 r->wl->name, count, r->wl->item_desc, ctx->cpus,
			 ctx->cpu_model);
		fputs("# mode\tmedian_ns\tci_low_ns\tci_high_ns\tspeedup\tworkers\n", f);
		for (size_t i = 0; i < r->nresults; i++) {
			const struct bench_mode_result *mr = &r->results[i];

			char label[48];

			fprintf(f, "%s\t%.1f\t%.1f\t%.1f\t",
				mode_label(mr, label, sizeof(label)),
				mr->wall.median, mr->wall.ci_low, mr->wall.ci_high);
			if (isnan(mr->speedup))
				fputs("nan", f);
			else
				fprintf(f, "%.6f", mr->speedup);
			fprintf(f, "\t%u\n", mr->workers);
		}
		unit_vars(vars, sizeof(vars), longest);
	}
	if (fclose(f) != 0) {
		unlink(data);
		error("cannot write chart data in '%s': %s", dir, strerror(errno));
		return -1;
	}
	if (strcmp(kind, "scale") == 0) {
		struct chart speedup = { "speedup", vars };
		struct chart efficiency = { "efficiency", vars };

		rc = draw(dir, stem, plots, data, title, &speedup, paths, &n,
			  max, which);
		if (rc == 0)
			rc = draw(dir, stem, plots, data, title, &efficiency,
				  paths, &n, max, which);
	} else {
		struct chart c = { strcmp(kind, "complexity") == 0 ? "complexity" : "run",
				   vars };

		rc = draw(dir, stem, plots, data, title, &c, paths, &n, max,
			  which);
	}
	unlink(data);
	return rc ? -1 : (int)n;
}

int charts_draw(const char *kind, const struct bench_report *r,
		const struct bench_context *ctx, const char *dir,
		const char *stem, char paths[][4096], size_t max)
{
	return draw_report(kind, r, ctx, dir, stem, paths, max, TERMS_ALL);
}

/* The whole of a small file, NUL-terminated (malloc'd), or NULL. */
static char *read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0, cap = 0, got;

	if (!f)
		return NULL;
	do {
		char *more;

		if (len + 4096 + 1 > cap) {
			cap = cap ? 2 * cap : 65536;
			if (!(more = realloc(text, cap))) {
				free(text);
				fclose(f);
				return NULL;
			}
			text = more;
		}
		got = fread(text + len, 1, cap - len - 1, f);
		len += got;
	} while (got > 0);
	if (ferror(f)) {
		free(text);
		text = NULL;
	} else {
		text[len] = '\0';
	}
	fclose(f);
	return text;
}

int charts_svg(const char *kind, const struct bench_report *r,
	       const struct bench_context *ctx, struct chart_svg *out,
	       size_t max)
{
	char dir[PATH_MAX], paths[8][4096];
	const char *tmp = getenv("TMPDIR");
	int drawn, n = 0;

	snprintf(dir, sizeof(dir), "%s/bench-svg-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		error("cannot create a folder for charts in '%s': %s",
		      tmp && *tmp ? tmp : "/tmp", strerror(errno));
		return -1;
	}
	drawn = draw_report(kind, r, ctx, dir, "chart", paths,
			    max < 8 ? max : 8, TERMS_SVG);
	for (int i = 0; i < drawn; i++) {
		const char *base = strrchr(paths[i], '/');
		size_t len;

		base = base ? base + 1 : paths[i];
		base += strlen("chart-");
		len = strlen(base) - strlen(".svg");
		snprintf(out[n].name, sizeof(out[n].name), "%.*s", (int)len, base);
		if (!(out[n].svg = read_text(paths[i]))) {
			error("cannot read chart '%s': %s", paths[i],
			      strerror(errno ? errno : EIO));
			drawn = -1;
			break;
		}
		n++;
	}
	remove_tree(dir);
	if (drawn < 0) {
		while (n > 0)
			free(out[--n].svg);
		return -1;
	}
	return n;
}

int charts_draw_template(const char *template, const char *data,
			 const char *title, const char *vars, const char *dir,
			 const char *stem, char paths[][4096], size_t max)
{
	const char *plots = plots_dir();
	struct chart c = { template, vars };
	size_t n = 0;

	if (!have_gnuplot()) {
		fprintf(stderr, "bench: note: gnuplot is not installed, so no chart files were drawn; install it (apt-get install gnuplot-nox, or ./scripts/install-deps.sh)\n");
		return 0;
	}
	if (!plots) {
		fprintf(stderr, "bench: note: no chart templates found (set BENCH_PLOTS to the plots/ folder)\n");
		return 0;
	}
	if (draw(dir, stem, plots, data, title, &c, paths, &n, max,
		 TERMS_ALL) != 0)
		return -1;
	return (int)n;
}
