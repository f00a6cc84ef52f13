/*
 * cmd_timeit.c - `bench timeit`: Python's timeit for a workload, or for a
 * C statement (`python -m timeit` for C). This file reads the command
 * line, picks the mode and prints what both modes measured.
 *
 * Workload mode, `bench timeit search`, times one call of a workload in
 * bench's own process (timeit_workload.c). Snippet mode, `bench timeit -s
 * SETUP STATEMENT`, is chosen by -s/--setup, --init, --include, --cflags
 * or --libs, or by an operand that is no workload's name: the snippet is
 * written out as C (timeit_source.c), compiled and run as a program of
 * its own (timeit_snippet.c), which reports raw loop times; bench
 * computes the statistics, so both modes print the same lines.
 *
 * The design choice to know: an operand is a workload if one has that
 * name, and a bare identifier that is none is taken for a mistyped
 * workload (a C statement needs a ';'), not compiled.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "engines/python.h"
#include "timeit.h"

enum {
	OPT_MIN_TIME = 300,
	OPT_SEED,       /* long only: -s is Python's --setup here */
	OPT_INIT,
	OPT_INCLUDE,
	OPT_CFLAGS,
	OPT_LIBS,
	OPT_TIMEOUT,
};

static const struct option long_opts[] = {
	{ "number", required_argument, NULL, 'N' },
	{ "repeat", required_argument, NULL, 'r' },
	{ "min-time", required_argument, NULL, OPT_MIN_TIME },
	/* workload mode */
	{ "mode", required_argument, NULL, 'm' },
	{ "workers", required_argument, NULL, 'w' },
	{ "size", required_argument, NULL, 'n' },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "engine", required_argument, NULL, 'e' },
	{ "python", required_argument, NULL, OPT_PYTHON },
	/* snippet mode */
	{ "setup", required_argument, NULL, 's' },
	{ "init", required_argument, NULL, OPT_INIT },
	{ "include", required_argument, NULL, OPT_INCLUDE },
	{ "cflags", required_argument, NULL, OPT_CFLAGS },
	{ "libs", required_argument, NULL, OPT_LIBS },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* ------------------------------------------------------------------------
 * What both modes print. */

/* Seconds as a decimal ("0.2", "1.5") into ns. */
static int parse_seconds(const char *text, bench_ns *out, double max)
{
	char *end;
	double v = strtod(text, &end);

	if (end == text || *end || !(v > 0) || v > max)
		return -1;
	*out = (bench_ns)(v * 1e9);
	return 0;
}

void timeit_print(const char *label, const struct bench_timeit_result *r,
		  const struct bench_timeit_opts *to, const char *tail)
{
	char best[32], med[32], lo[32], hi[32], worst[32];

	format_ns(r->best_ns, best, sizeof(best));
	format_ns(r->stats.median, med, sizeof(med));
	format_ns(r->stats.ci_low, lo, sizeof(lo));
	format_ns(r->stats.ci_high, hi, sizeof(hi));
	format_ns(r->worst_ns, worst, sizeof(worst));
	printf("%s: %llu loop%s, best of %zu: %s per loop\n", label,
	       (unsigned long long)r->number, r->number == 1 ? "" : "s",
	       r->repeat, best);
	printf("median %s per loop, 95%% CI %s - %s (%.0f%% confidence); worst %s%s\n",
	       med, lo, hi, r->stats.ci_level * 100, worst, tail);
	if (r->worst_far)
		printf("warning: the worst loop (%s) was %.1fx slower than the best (%s): another program or a cold cache may have interfered\n",
		       worst, r->worst_ns / r->best_ns, best);
	if (r->over_budget) {
		char budget[32];

		format_ns((double)(to->min_time_ns ? to->min_time_ns :
				   BENCH_TIMEIT_MIN_TIME),
			  budget, sizeof(budget));
		printf("note: one call takes longer than the %s autorange budget, so each loop is a single call\n",
		       budget);
	}
	if (r->stats.ci_level < 0.95)
		printf("note: %zu loops give only %.0f%% confidence in the interval; --repeat 6 or more gives 95%%\n",
		       r->repeat, r->stats.ci_level * 100);
}

/* ------------------------------------------------------------------------
 * The command. */

/* A bare name: no C statement (that needs a ';'), so a mistyped workload. */
static int is_identifier(const char *s)
{
	if (!(*s == '_' || (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
		return 0;
	for (s++; *s; s++)
		if (!(*s == '_' || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
			return 0;
	return 1;
}

int cmd_timeit(int argc, char **argv)
{
	const char *cmd = "timeit";
	struct bench_params p = { 0 };
	struct bench_timeit_opts to = { 0 };
	struct bench_run_opts modes = { 0 };
	struct snippet sn = { 0 };
	const struct bench_executor *mode =
		bench_executor_with(BENCH_EXEC_REFERENCE);
	const struct bench_workload *wl;
	const char *workload_flag = NULL, *snippet_flag = NULL;
	unsigned workers = 0;
	int python = 0;
	uint64_t v;
	int c, rc = EXIT_USAGE;

	struct option rows[64];
	char shorts[48];

	if (workload_getopt_tables(long_opts, ":N:r:m:w:n:s:e:h", rows, 64, shorts,
				   sizeof(shorts)) != 0)
		return 1;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, shorts, rows, NULL)) != -1) {
		switch (c) {
		case 'N':
			if (strcmp(optarg, "auto") == 0)
				to.number = 0;
			else if (parse_u64(cmd, "--number", optarg, 1,
					   BENCH_TIMEIT_NUMBER_MAX, &to.number))
				goto out;
			break;
		case 'r':
			if (parse_u64(cmd, "--repeat", optarg, 1, BENCH_REPEAT_MAX, &v))
				goto out;
			to.repeat = (unsigned)v;
			break;
		case OPT_MIN_TIME:
			if (parse_seconds(optarg, &to.min_time_ns, 3600)) {
				usage_error(cmd, "--min-time '%s': expected seconds, more than 0 and at most 3600",
					    optarg);
				goto out;
			}
			break;
		case 'm':
			workload_flag = "--mode";
			if (parse_modes(cmd, optarg, &modes))
				goto out;
			if (modes.nmodes != 1) {
				usage_error(cmd, "--mode '%s': expected one mode", optarg);
				goto out;
			}
			mode = modes.modes[0];
			break;
		case 'w':
			workload_flag = "--workers";
			if (parse_u64(cmd, "--workers", optarg, 1, BENCH_WORKERS_MAX, &v))
				goto out;
			workers = (unsigned)v;
			break;
		case 'e':
			/* bench's C, or the course's Python timed in Python. */
			workload_flag = "--engine";
			if (strcmp(optarg, "python") != 0 &&
			    strcmp(optarg, "native") != 0) {
				usage_error(cmd, "--engine '%s': expected native or python",
					    optarg);
				goto out;
			}
			python = strcmp(optarg, "python") == 0;
			break;
		case OPT_PYTHON:
			workload_flag = "--python";
			if (!*optarg) {
				usage_error(cmd, "--python '': expected the path of a Python interpreter");
				goto out;
			}
			python_path = optarg;
			break;
		case 'n':
		case OPT_SEED:
			workload_flag = c == 'n' ? "--size" : "--seed";
			if (parse_workload_option(cmd, c == OPT_SEED ? 's' : c,
						  optarg, &p) < 0)
				goto out;
			break;
		case 's':
		case OPT_INIT:
			snippet_flag = c == 's' ? "-s/--setup" : "--init";
			if (timeit_strvec_push(c == 's' ? &sn.setup : &sn.init, optarg))
				goto nomem;
			break;
		case OPT_INCLUDE:
			snippet_flag = "--include";
			if (!*optarg || strchr(optarg, '\n')) {
				usage_error(cmd, "--include '%s': expected a header such as math.h, <sys/mman.h> or '\"mine.h\"'",
					    optarg);
				goto out;
			}
			if (timeit_strvec_push(&sn.includes, optarg))
				goto nomem;
			break;
		case OPT_CFLAGS:
		case OPT_LIBS:
			snippet_flag = c == OPT_CFLAGS ? "--cflags" : "--libs";
			if (timeit_strvec_split(c == OPT_CFLAGS ? &sn.cflags : &sn.libs, optarg))
				goto nomem;
			break;
		case OPT_TIMEOUT:
			snippet_flag = "--timeout";
			if (parse_seconds(optarg, &sn.timeout_ns, 86400)) {
				usage_error(cmd, "--timeout '%s': expected seconds, more than 0 and at most 86400",
					    optarg);
				goto out;
			}
			break;
		case 'h':
			print_help(cmd, stdout);
			rc = 0;
			goto out;
		default: {
			/* A workload's own option (--queries, --input, ...). */
			int handled = parse_workload_option(cmd, c, optarg, &p);

			if (handled < 0)
				goto out;
			if (handled) {
				workload_flag = argv[optind - 1];
				break;
			}
			rc = bad_option(cmd, argv, c);
			goto out;
		}
		}
	}
	if (optind >= argc) {
		usage_error(cmd, "missing the workload or C statement to time");
		goto out;
	}
	if ((wl = bench_workload_find(argv[optind]))) {
		if (snippet_flag) {
			usage_error(cmd, "%s is for a C statement, and '%s' is a workload%s",
				    snippet_flag, argv[optind],
				    strcmp(snippet_flag, "-s/--setup") == 0 ?
				    " (whose seed is --seed)" : "");
			goto out;
		}
		if (optind + 1 < argc) {
			usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
			goto out;
		}
		rc = timeit_workload(wl, &p, &to, mode, workers, python);
		goto out;
	}
	if (!snippet_flag && optind + 1 == argc && is_identifier(argv[optind])) {
		find_workload(cmd, argv[optind]); /* says which ones there are */
		goto out;
	}
	if (workload_flag) {
		usage_error(cmd, "%s is for a workload, not a C statement", workload_flag);
		goto out;
	}
	/* Several operands are the statement's lines, as in python -m timeit. */
	for (int i = optind; i < argc; i++)
		if (timeit_strvec_push(&sn.stmt, argv[i]))
			goto nomem;
	rc = timeit_snippet(&sn, &to);
	goto out;
nomem:
	error("out of memory");
	rc = 1;
out:
	timeit_snippet_release(&sn);
	return rc;
}
