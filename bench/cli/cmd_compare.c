/*
 * cmd_compare.c - `bench compare A B`: is B faster, slower, or the same?
 *
 * Each result of B is matched with the result of A of the same mode,
 * workers and size; their raw samples go through the Mann-Whitney U test,
 * and the ratio of medians gets a distribution-free interval (analysis.h).
 * A difference counts only when it is significant: p < 0.05 and the
 * interval excludes 1. With --fail-above P, a significant slowdown of more
 * than P percent exits 1, for CI.
 *
 * Two Google Benchmark JSON files or two hyperfine exports (import.h) are
 * compared benchmark by benchmark, matched by name (hyperfine: by command,
 * else by position), with the verdicts of Google Benchmark's
 * tools/compare.py: the same two-sided U test on the repetitions'
 * real_time (and cpu_time), significant when p < 0.05, and changes given
 * as (B - A) / A. There is no interval to ask for there, so none is.
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "import.h"

#define ALPHA 0.05

static const struct option long_opts[] = {
	{ "fail-above", required_argument, NULL, OPT_FAIL_ABOVE },
	{ "results", required_argument, NULL, OPT_RESULTS },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Parses "5%", "5" or "0.5%" into a fraction. */
static int parse_percent(const char *text, double *out)
{
	char *end;
	double v = strtod(text, &end);

	if (end == text || (*end && strcmp(end, "%") != 0) || !(v >= 0) ||
	    v > 1000)
		return -1;
	*out = v / 100;
	return 0;
}

const struct bench_mode_result *
compare_match(const struct bench_report *a, const struct bench_mode_result *b)
{
	for (size_t i = 0; i < a->nresults; i++)
		if (a->results[i].mode == b->mode &&
		    a->results[i].engine == b->engine &&
		    a->results[i].workers == b->workers &&
		    a->results[i].size == b->size)
			return &a->results[i];
	return NULL;
}

static double *as_doubles(const struct bench_mode_result *mr)
{
	double *v = malloc(mr->nsamples * sizeof(*v));

	for (size_t k = 0; v && k < mr->nsamples; k++)
		v[k] = (double)mr->wall_ns[k];
	return v;
}

int compare_result(const struct bench_report *a, const struct bench_report *b,
		   const struct bench_mode_result *mb, struct compare_row *row)
{
	double *x, *y;
	int ok;

	memset(row, 0, sizeof(*row));
	row->b = mb;
	if (!(row->a = compare_match(a, mb)))
		return 0;
	x = as_doubles(row->a);
	y = as_doubles(mb);
	ok = x && y && bench_compare_samples(x, row->a->nsamples, y,
					     mb->nsamples, 0.95, &row->cmp) == 0;
	free(x);
	free(y);
	if (!ok)
		return -1;
	row->verdict = bench_compare_verdict(&row->cmp, ALPHA);
	row->verdict_text = row->verdict == BENCH_SLOWER ? "slower" :
			    row->verdict == BENCH_FASTER ? "faster" :
			    "no significant difference";
	row->checksums_differ = row->a->size == mb->size &&
				a->params.seed == b->params.seed &&
				strcmp(row->a->checksum, mb->checksum) != 0;
	return 1;
}

/*
 * The p-value scipy.stats.mannwhitneyu(method="auto") gives, which is what
 * compare.py reports. scipy uses the exact distribution only when a
 * sample has 8 values or fewer and nothing ties; otherwise the normal
 * approximation with tie and continuity correction, the one
 * bench_compare_samples uses past its exact range. So only an exact p for
 * two samples of more than 8 is recomputed (no ties then: sum(t^3-t) = 0).
 */
static double scipy_p(const struct bench_compare *c, size_t na, size_t nb)
{
	double mn = (double)na * (double)nb, nn = (double)na + (double)nb;
	double sd = sqrt(mn / 12.0 * (nn + 1.0));

	if (!c->exact || na <= 8 || nb <= 8)
		return c->p_value;
	return fmin(erfc(fmax(fabs(c->u - mn / 2.0) - 0.5, 0.0) / sd / M_SQRT2),
		    1.0);
}

static double mean_of(const double *x, size_t n)
{
	double sum = 0.0;

	for (size_t i = 0; i < n; i++)
		sum += x[i];
	return sum / (double)n;
}

/* compare.py's calculate_change: (new - old) / |old|, 0 when both are 0. */
static double change(double old, double new)
{
	if (old == 0.0 && new == 0.0)
		return 0.0;
	if (old == 0.0)
		return (new - old) / ((old + new) / 2.0);
	return (new - old) / fabs(old);
}

/* p of the U test on one kind of sample, NAN when it cannot run (a time
 * of zero, or a missing one: cpu). */
static double u_test(const double *x, size_t nx, const double *y, size_t ny,
		     double *ratio)
{
	struct bench_compare cmp;

	for (size_t i = 0; i < nx; i++)
		if (x[i] < 0)
			return NAN;
	for (size_t i = 0; i < ny; i++)
		if (y[i] < 0)
			return NAN;
	if (bench_compare_samples(x, nx, y, ny, 0.95, &cmp) != 0)
		return NAN;
	if (ratio)
		*ratio = cmp.ratio;
	return scipy_p(&cmp, nx, ny);
}

/* The benchmark of a that b[i] is compared with, or NULL. */
static const struct import_bench *
match_import(const struct import_set *a, const struct import_set *b,
	     size_t i)
{
	for (size_t k = 0; k < a->n; k++)
		if (strcmp(a->b[k].name, b->b[i].name) == 0)
			return &a->b[k];
	/* hyperfine names a command by its text, which often changes with
	 * what is compared (./old vs ./new): the same slot then pairs, as
	 * long as neither side of the slot has a partner by name. */
	if (strcmp(a->format, "hyperfine export") == 0 && a->n == b->n) {
		for (size_t k = 0; k < b->n; k++)
			if (strcmp(b->b[k].name, a->b[i].name) == 0)
				return NULL;
		return &a->b[i];
	}
	return NULL;
}

/* compare for two imported files; returns the exit status. */
static int compare_imports(const struct loaded_run *ra,
			   const struct import_set *a,
			   const struct loaded_run *rb,
			   const struct import_set *b, double fail_above)
{
	int width = 9, compared = 0, regressions = 0;

	for (size_t i = 0; i < b->n; i++) {
		const struct import_bench *x = match_import(a, b, i);
		int len = (int)strlen(b->b[i].name);

		if (x && strcmp(x->name, b->b[i].name) != 0)
			len += (int)strlen(x->name) + 6; /* " (A: " ")" */
		if (len > width)
			width = len;
	}
	if (width > 60)
		width = 60;
	printf("%s: A = %s, B = %s\n", a->format, ra->name, rb->name);
	if (a->about[0])
		printf("  %s: %s\n", ra->name, a->about);
	if (b->about[0])
		printf("  %s: %s\n", rb->name, b->about);
	printf("\n%-*s %10s %10s %8s %8s %8s %8s  %s\n", width, "benchmark",
	       "A mean", "B mean", "mean", "median", "p(time)", "p(cpu)",
	       "verdict");
	for (size_t i = 0; i < b->n; i++) {
		const struct import_bench *y = &b->b[i];
		const struct import_bench *x = match_import(a, b, i);
		char ta[32], tb[32], pt[16] = "-", pc[16] = "-", label[160];
		double p_time, p_cpu, ratio = NAN;
		const char *verdict;

		snprintf(label, sizeof(label), "%s", y->name);
		if (x && strcmp(x->name, y->name) != 0)
			snprintf(label, sizeof(label), "%s (A: %s)", y->name, x->name);
		if (!x) {
			printf("%-*s %10s  (only in B)\n", width, y->name, "-");
			continue;
		}
		compared++;
		format_ns(mean_of(x->real_ns, x->n), ta, sizeof(ta));
		format_ns(mean_of(y->real_ns, y->n), tb, sizeof(tb));
		p_time = u_test(x->real_ns, x->n, y->real_ns, y->n, &ratio);
		p_cpu = u_test(x->cpu_ns, x->n, y->cpu_ns, y->n, NULL);
		if (!isnan(p_time))
			snprintf(pt, sizeof(pt), "%.4f", p_time);
		if (!isnan(p_cpu))
			snprintf(pc, sizeof(pc), "%.4f", p_cpu);
		/* compare.py runs no U test below 2 repetitions a side. */
		if (x->n < 2 || y->n < 2)
			verdict = "no U test: fewer than 2 repetitions";
		else if (isnan(p_time))
			verdict = "cannot compare: a time of zero";
		else if (p_time >= ALPHA)
			verdict = "no significant difference";
		else
			verdict = ratio > 1 ? "slower" : ratio < 1 ? "faster" :
						       "different, same median";
		printf("%-*s %10s %10s %+7.1f%% %+7.1f%% %8s %8s  %s", width,
		       label, ta, tb,
		       change(mean_of(x->real_ns, x->n), mean_of(y->real_ns, y->n)) * 100,
		       change(bench_stats_median(x->real_ns, x->n),
			      bench_stats_median(y->real_ns, y->n)) * 100,
		       pt, pc, verdict);
		if (x->n >= 2 && y->n >= 2 && (x->n < 9 || y->n < 9))
			printf(" [%zu vs %zu repetitions: 9+ recommended]", x->n, y->n);
		if (x->from_aggregates || y->from_aggregates)
			printf(" [aggregates only]");
		putchar('\n');
		if (fail_above >= 0 && x->n >= 2 && y->n >= 2 && p_time < ALPHA &&
		    ratio - 1 > fail_above)
			regressions++;
	}
	for (size_t i = 0; i < a->n; i++) {
		int paired = 0;

		for (size_t k = 0; k < b->n && !paired; k++)
			paired = match_import(a, b, k) == &a->b[i];
		if (!paired)
			printf("%-*s  (only in A)\n", width, a->b[i].name);
	}
	if (compared == 0) {
		error("the two files have no benchmark in common (same name)");
		return 1;
	}
	if (regressions) {
		error("%d benchmark%s slower by more than %.1f%% (significant at p < %.2f)",
		      regressions, regressions == 1 ? " is" : "s are",
		      fail_above * 100, ALPHA);
		return 1;
	}
	return 0;
}

static void describe(const struct loaded_run *run)
{
	printf("  %s: %s, git %s, host %s, %u CPUs, %s build\n", run->name,
	       run->ctx.date, run->ctx.git, run->ctx.host, run->ctx.cpus,
	       run->ctx.build);
}

int cmd_compare(int argc, char **argv)
{
	const char *cmd = "compare", *results = NULL;
	struct loaded_run a, b;
	struct import_set *ia, *ib;
	double fail_above = -1;
	int c, rc, regressions = 0, compared = 0;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_FAIL_ABOVE:
			if (parse_percent(optarg, &fail_above) != 0)
				return usage_error(cmd, "--fail-above '%s': expected a percentage such as 5%%",
						   optarg);
			break;
		case OPT_RESULTS:
			results = optarg;
			break;
		case 'h':
			print_help(cmd, stdout);
			return 0;
		default:
			return bad_option(cmd, argv, c);
		}
	}
	if (argc - optind != 2)
		return usage_error(cmd, "expected two runs (ids from 'bench history', 'latest', or JSON files), got %d",
				   argc - optind);
	if ((rc = load_any(cmd, argv[optind], results, &a, &ia)) != 0)
		return rc;
	if ((rc = load_any(cmd, argv[optind + 1], results, &b, &ib)) != 0) {
		loaded_run_release(&a);
		import_destroy(ia);
		return rc;
	}
	if (ia || ib) {
		if (ia && ib && strcmp(ia->format, ib->format) == 0)
			rc = compare_imports(&a, ia, &b, ib, fail_above);
		else {
			error("%s (%s) and %s (%s): different formats, nothing to compare",
			      a.name, ia ? ia->format : "bench result", b.name,
			      ib ? ib->format : "bench result");
			rc = 1;
		}
		import_destroy(ia);
		import_destroy(ib);
		loaded_run_release(&a);
		loaded_run_release(&b);
		return rc;
	}
	if (a.report->wl != b.report->wl) {
		error("%s is %s but %s is %s: nothing to compare", a.name,
		      a.report->wl->name, b.name, b.report->wl->name);
		loaded_run_release(&a);
		loaded_run_release(&b);
		return 1;
	}
	printf("%s: A = %s, B = %s\n", a.report->wl->name, a.name, b.name);
	describe(&a);
	describe(&b);
	printf("\n%-22s %10s %10s %9s  %-13s %8s  %s\n", "benchmark", "A median",
	       "B median", "B/A", "95% CI", "p", "verdict");
	for (size_t i = 0; i < b.report->nresults; i++) {
		const struct bench_mode_result *mb = &b.report->results[i];
		char name[96], ta[32], tb[32], ci[32], label[48];
		struct compare_row row;
		const struct bench_compare *cmp = &row.cmp;
		int got = compare_result(a.report, b.report, mb, &row);

		snprintf(name, sizeof(name), "%s x%u n=%llu",
			 mode_label(mb, label, sizeof(label)), mb->workers,
			 (unsigned long long)mb->size);
		if (got == 0) {
			printf("%-22s %10s  (only in B)\n", name, "-");
			continue;
		}
		if (got < 0) {
			printf("%-22s  (cannot compare these samples)\n", name);
			continue;
		}
		compared++;
		format_ns(row.a->wall.median, ta, sizeof(ta));
		format_ns(mb->wall.median, tb, sizeof(tb));
		snprintf(ci, sizeof(ci), "%.3f-%.3f", cmp->ratio_low, cmp->ratio_high);
		printf("%-22s %10s %10s %9.3f  %-13s %8.3g  %s", name, ta, tb,
		       cmp->ratio, ci, cmp->p_value, row.verdict_text);
		if (row.verdict != BENCH_SAME)
			printf(" (%+.1f%%)", (cmp->ratio - 1) * 100);
		if (cmp->ci_level < 0.95)
			printf(" [CI only %.0f%%: few samples]", cmp->ci_level * 100);
		if (row.checksums_differ)
			printf(" [checksums differ: %s vs %s]", row.a->checksum, mb->checksum);
		putchar('\n');
		if (fail_above >= 0 && row.verdict == BENCH_SLOWER &&
		    cmp->ratio - 1 > fail_above)
			regressions++;
	}
	for (size_t i = 0; i < a.report->nresults; i++) {
		char label[48];

		if (!compare_match(b.report, &a.report->results[i]))
			printf("%s x%u n=%llu  (only in A)\n",
			       mode_label(&a.report->results[i], label, sizeof(label)),
			       a.report->results[i].workers,
			       (unsigned long long)a.report->results[i].size);
	}
	loaded_run_release(&a);
	loaded_run_release(&b);
	if (compared == 0) {
		error("the two runs have no benchmark in common (same mode, workers and size)");
		return 1;
	}
	if (regressions) {
		error("%d benchmark%s slower by more than %.1f%% (significant at p < %.2f)",
		      regressions, regressions == 1 ? " is" : "s are",
		      fail_above * 100, ALPHA);
		return 1;
	}
	return 0;
}
