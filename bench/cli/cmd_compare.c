/*
 * cmd_compare.c - `bench compare A B`: is B faster, slower, or the same?
 *
 * Each result of B is matched with the result of A of the same mode,
 * workers and size; their raw samples go through the Mann-Whitney U test,
 * and the ratio of medians gets a distribution-free interval (analysis.h).
 * A difference counts only when it is significant: p < 0.05 and the
 * interval excludes 1. With --fail-above P, a significant slowdown of more
 * than P percent exits 1, for CI.
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

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

static const struct bench_mode_result *
match(const struct bench_report *a, const struct bench_mode_result *b)
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
	if ((rc = load_run(cmd, argv[optind], results, &a)) != 0)
		return rc;
	if ((rc = load_run(cmd, argv[optind + 1], results, &b)) != 0) {
		loaded_run_release(&a);
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
		const struct bench_mode_result *ma = match(a.report, mb);
		char name[96], ta[32], tb[32], ci[32], label[48];
		double *x, *y;
		struct bench_compare cmp;
		enum bench_verdict v;
		const char *verdict;

		snprintf(name, sizeof(name), "%s x%u n=%llu",
			 mode_label(mb, label, sizeof(label)), mb->workers,
			 (unsigned long long)mb->size);
		if (!ma) {
			printf("%-22s %10s  (only in B)\n", name, "-");
			continue;
		}
		x = as_doubles(ma);
		y = as_doubles(mb);
		if (!x || !y || bench_compare_samples(x, ma->nsamples, y, mb->nsamples,
						      0.95, &cmp) != 0) {
			free(x);
			free(y);
			printf("%-22s  (cannot compare these samples)\n", name);
			continue;
		}
		free(x);
		free(y);
		compared++;
		v = bench_compare_verdict(&cmp, ALPHA);
		verdict = v == BENCH_SLOWER ? "slower" :
			  v == BENCH_FASTER ? "faster" : "no significant difference";
		format_ns(ma->wall.median, ta, sizeof(ta));
		format_ns(mb->wall.median, tb, sizeof(tb));
		snprintf(ci, sizeof(ci), "%.3f-%.3f", cmp.ratio_low, cmp.ratio_high);
		printf("%-22s %10s %10s %9.3f  %-13s %8.3g  %s", name, ta, tb,
		       cmp.ratio, ci, cmp.p_value, verdict);
		if (v != BENCH_SAME)
			printf(" (%+.1f%%)", (cmp.ratio - 1) * 100);
		if (cmp.ci_level < 0.95)
			printf(" [CI only %.0f%%: few samples]", cmp.ci_level * 100);
		if (ma->size == mb->size && a.report->params.seed == b.report->params.seed &&
		    strcmp(ma->checksum, mb->checksum) != 0)
			printf(" [checksums differ: %s vs %s]", ma->checksum, mb->checksum);
		putchar('\n');
		if (fail_above >= 0 && v == BENCH_SLOWER && cmp.ratio - 1 > fail_above)
			regressions++;
	}
	for (size_t i = 0; i < a.report->nresults; i++) {
		char label[48];

		if (!match(b.report, &a.report->results[i]))
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
