/*
 * exec_export.c - hyperfine's export files written from bench exec's
 * runs: --export-json, --export-csv and --export-markdown, key for key
 * and column for column as hyperfine 1.15 writes them, so that the
 * scripts in hyperfine's scripts/ folder (advanced_statistics.py,
 * plot_whisker.py, ...) read bench's files unchanged.
 *
 * The statistics here are hyperfine's definitions, not bench's: the
 * arithmetic mean of the wall times, their sample standard deviation
 * (none for one run), the median (the middle two averaged), and the mean
 * user and system times, all in seconds.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"

/* hyperfine's summary of one command, seconds. */
struct hstats {
	double mean, stddev, median, user, system, min, max;
	int has_stddev;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int hstats_of(const struct exec_export_row *r, struct hstats *h)
{
	double *t = malloc((r->n ? r->n : 1) * sizeof(*t)), sum = 0, sq = 0,
	       user = 0, sys = 0;

	if (!t)
		return -1;
	memset(h, 0, sizeof(*h));
	for (size_t k = 0; k < r->n; k++) {
		t[k] = (double)r->runs[k].wall_ns / 1e9;
		sum += t[k];
		user += (double)r->runs[k].user_ns / 1e9;
		sys += (double)r->runs[k].sys_ns / 1e9;
	}
	if (r->n) {
		h->mean = sum / (double)r->n;
		h->user = user / (double)r->n;
		h->system = sys / (double)r->n;
		for (size_t k = 0; k < r->n; k++)
			sq += (t[k] - h->mean) * (t[k] - h->mean);
		h->has_stddev = r->n > 1;
		h->stddev = h->has_stddev ? sqrt(sq / (double)(r->n - 1)) : 0;
		qsort(t, r->n, sizeof(*t), cmp_double);
		h->min = t[0];
		h->max = t[r->n - 1];
		h->median = r->n % 2 ? t[r->n / 2] :
			    (t[r->n / 2 - 1] + t[r->n / 2]) / 2;
	}
	free(t);
	return 0;
}

/* The exit code hyperfine records: the status, or 128+N when killed by
 * signal N (what it reports through the process's status code). */
static int exit_code(const struct bench_command_result *r)
{
	return r->exited ? r->exit_code : 128 + r->signal;
}

static json_t *result_json(const struct exec_export_row *r)
{
	struct hstats h;
	json_t *o, *times = json_array(), *codes = json_array();

	if (!times || !codes || hstats_of(r, &h) != 0) {
		json_decref(times);
		json_decref(codes);
		return NULL;
	}
	for (size_t k = 0; k < r->n; k++) {
		json_array_append_new(times, json_real((double)r->runs[k].wall_ns / 1e9));
		json_array_append_new(codes, json_integer(exit_code(&r->runs[k])));
	}
	o = json_pack("{s:s, s:f, s:o, s:f, s:f, s:f, s:f, s:f, s:o, s:o}",
		      "command", r->command, "mean", h.mean,
		      "stddev", h.has_stddev ? json_real(h.stddev) : json_null(),
		      "median", h.median, "user", h.user, "system", h.system,
		      "min", h.min, "max", h.max, "times", times,
		      "exit_codes", codes);
	if (o && r->nparams) {
		json_t *p = json_object();

		for (size_t i = 0; p && i < r->nparams; i++)
			json_object_set_new(p, r->param_names[i],
					    json_string(r->param_values[i]));
		json_object_set_new(o, "parameters", p);
	}
	if (o && r->bench)
		json_object_set(o, "bench", r->bench);
	return o;
}

int exec_export_json(FILE *f, const struct exec_export_row *rows,
		     size_t nrows, json_t *top)
{
	json_t *results = json_array(), *doc;
	char *text;
	int rc = -1;

	for (size_t i = 0; results && i < nrows; i++) {
		json_t *r = result_json(&rows[i]);

		if (!r || json_array_append_new(results, r) != 0) {
			json_decref(results);
			return -1;
		}
	}
	doc = json_pack("{s:o}", "results", results);
	if (doc && top)
		json_object_set(doc, "bench", top);
	/* Keys in the order hyperfine writes them: results first. */
	text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
					     JSON_REAL_PRECISION(17)) : NULL;
	json_decref(doc);
	if (text) {
		fputs(text, f);
		fputc('\n', f);
		free(text);
		rc = ferror(f) ? -1 : 0;
	}
	return rc;
}

/* The shortest text that reads back as v, as Rust prints an f64. */
static void shortest(double v, char *buf, size_t len)
{
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
}

/* A CSV field, quoted when it holds a comma, a quote or a line break. */
static void csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

int exec_export_csv(FILE *f, const struct exec_export_row *rows,
		    size_t nrows)
{
	fputs("command,mean,stddev,median,user,system,min,max", f);
	for (size_t i = 0; nrows && i < rows[0].nparams; i++) {
		char head[256];

		snprintf(head, sizeof(head), "parameter_%s", rows[0].param_names[i]);
		fputc(',', f);
		csv_field(f, head);
	}
	fputc('\n', f);
	for (size_t r = 0; r < nrows; r++) {
		struct hstats h;
		double v[7];
		char num[40];

		if (hstats_of(&rows[r], &h) != 0)
			return -1;
		v[0] = h.mean, v[1] = h.stddev, v[2] = h.median, v[3] = h.user;
		v[4] = h.system, v[5] = h.min, v[6] = h.max;
		csv_field(f, rows[r].command);
		for (int i = 0; i < 7; i++) {
			fputc(',', f);
			if (i == 1 && !h.has_stddev)
				continue;
			shortest(v[i], num, sizeof(num));
			fputs(num, f);
		}
		for (size_t i = 0; i < rows[r].nparams; i++) {
			fputc(',', f);
			csv_field(f, rows[r].param_values[i]);
		}
		fputc('\n', f);
	}
	return ferror(f) ? -1 : 0;
}

/* hyperfine's units: microseconds below 1 ms, milliseconds below 1 s. */
static double md_unit(double s, const char **name)
{
	if (s < 0.001) {
		*name = "\xc2\xb5s";
		return 1e6;
	}
	if (s < 1.0) {
		*name = "ms";
		return 1e3;
	}
	*name = "s";
	return 1;
}

int exec_export_markdown(FILE *f, const struct exec_export_row *rows,
			 size_t nrows)
{
	struct hstats *h = calloc(nrows ? nrows : 1, sizeof(*h));
	const char *unit = "s";
	double mul = 1;
	size_t fast = 0;

	if (!h)
		return -1;
	for (size_t r = 0; r < nrows; r++) {
		if (hstats_of(&rows[r], &h[r]) != 0) {
			free(h);
			return -1;
		}
		if (h[r].mean < h[fast].mean)
			fast = r;
	}
	if (nrows)
		mul = md_unit(h[0].mean, &unit);
	/* Seconds get three decimals, the smaller units one. */
	int prec = mul == 1 ? 3 : 1;

	fprintf(f, "| Command | Mean [%s] | Min [%s] | Max [%s] | Relative |\n",
		unit, unit, unit);
	fputs("|:---|---:|---:|---:|---:|\n", f);
	for (size_t r = 0; r < nrows; r++) {
		const struct hstats *x = &h[r], *b = &h[fast];
		double rel = x->mean / b->mean;

		fputs("| `", f);
		for (const char *c = rows[r].command; *c; c++) {
			if (*c == '|')
				fputc('\\', f);
			fputc(*c, f);
		}
		fprintf(f, "` | %.*f", prec, x->mean * mul);
		if (x->has_stddev)
			fprintf(f, " \xc2\xb1 %.*f", prec, x->stddev * mul);
		fprintf(f, " | %.*f | %.*f | %.2f", prec, x->min * mul, prec,
			x->max * mul, rel);
		/* The spread of the ratio, from both relative spreads. */
		if (r != fast && x->has_stddev && b->has_stddev)
			fprintf(f, " \xc2\xb1 %.2f", rel * sqrt(pow(x->stddev / x->mean, 2) +
							   pow(b->stddev / b->mean, 2)));
		fputs(" |\n", f);
	}
	free(h);
	return ferror(f) ? -1 : 0;
}
