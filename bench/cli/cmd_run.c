/*
 * cmd_run.c - `bench run WORKLOAD`: one workload in several modes, one
 * table (or JSON, CSV, Markdown) comparing them.
 *
 * Tests reach two fault injectors through the environment, deliberately
 * not flags since no user has a reason to want them:
 * BENCH_TEST_CRASH_TASK=N makes a process worker abort on task N, and
 * BENCH_TEST_CORRUPT_MODE=MODE flips a bit of MODE's results.
 */
#include <getopt.h>
#include <stdarg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define MAX_WARNINGS 24

enum format { FMT_TABLE, FMT_JSON, FMT_CSV, FMT_MARKDOWN };

static const struct {
	const char *name;
	int (*write)(FILE *f, const struct run_output *ro);
} formats[] = {
	[FMT_TABLE] = { "table", write_table },
	[FMT_JSON] = { "json", write_json },
	[FMT_CSV] = { "csv", write_csv },
	[FMT_MARKDOWN] = { "markdown", write_markdown },
};

static const struct option long_opts[] = {
	{ "mode", required_argument, NULL, 'm' },
	{ "workers", required_argument, NULL, 'w' },
	{ "chunk", required_argument, NULL, 'c' },
	{ "repeat", required_argument, NULL, 'r' },
	{ "warmup", required_argument, NULL, OPT_WARMUP },
	WORKLOAD_OPTIONS,
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct run_cli {
	struct bench_run_opts opts;
	enum format format;
	const char *output;
	int quiet;
};

static int parse(int argc, char **argv, struct run_cli *rc)
{
	const char *cmd = "run";
	uint64_t v;
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":m:w:n:c:r:s:f:o:qh", long_opts,
				NULL)) != -1) {
		int handled = parse_workload_option(cmd, c, optarg,
						    &rc->opts.params);

		if (handled < 0)
			return EXIT_USAGE;
		if (handled)
			continue;
		switch (c) {
		case 'm':
			if (parse_modes(cmd, optarg, &rc->opts))
				return EXIT_USAGE;
			break;
		case 'w':
			if (parse_u64(cmd, "--workers", optarg, 1,
				      BENCH_WORKERS_MAX, &v))
				return EXIT_USAGE;
			rc->opts.workers = (unsigned)v;
			break;
		case 'c':
			if (parse_u64(cmd, "--chunk", optarg, 1, UINT32_MAX, &v))
				return EXIT_USAGE;
			rc->opts.chunk = v;
			break;
		case 'r':
			if (parse_u64(cmd, "--repeat", optarg, 1,
				      BENCH_REPEAT_MAX, &v))
				return EXIT_USAGE;
			rc->opts.repeat = (unsigned)v;
			break;
		case OPT_WARMUP:
			if (parse_u64(cmd, "--warmup", optarg, 0,
				      BENCH_REPEAT_MAX, &v))
				return EXIT_USAGE;
			rc->opts.warmup = (unsigned)v;
			rc->opts.warmup_set = 1;
			break;
		case 'f': {
			size_t i;

			for (i = 0; i < sizeof(formats) / sizeof(*formats); i++)
				if (strcmp(optarg, formats[i].name) == 0)
					break;
			if (i == sizeof(formats) / sizeof(*formats))
				return usage_error(cmd, "--format '%s': expected table, json, csv or markdown",
						   optarg);
			rc->format = (enum format)i;
			break;
		}
		case 'o':
			if (!*optarg)
				return usage_error(cmd, "--output '': expected a file name, or - for standard output");
			rc->output = optarg;
			break;
		case 'q':
			rc->quiet = 1;
			break;
		case 'h':
			print_help(cmd, stdout);
			return -1;
		default:
			return bad_option(cmd, argv, c);
		}
	}
	if (optind >= argc)
		return usage_error(cmd, "missing the workload to run");
	if (optind + 1 < argc)
		return usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
	rc->opts.wl = find_workload(cmd, argv[optind]);
	if (!rc->opts.wl)
		return EXIT_USAGE;
	return 0;
}

static void progress(void *ud, const struct bench_progress *p)
{
	(void)ud;
	fprintf(stderr, "\r\033[Kbench: round %u of %u%s: %s", p->round,
		p->rounds, p->warmup ? " (warmup)" : "",
		bench_mode_name(p->mode));
	fflush(stderr);
}

static const struct bench_mode_result *
find_mode(const struct bench_report *r, enum bench_mode m)
{
	for (size_t i = 0; i < r->nresults; i++)
		if (r->results[i].mode == m)
			return &r->results[i];
	return NULL;
}

static void add(char **lines, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void add(char **lines, size_t *n, const char *fmt, ...)
{
	va_list ap;

	if (*n >= MAX_WARNINGS)
		return;
	va_start(ap, fmt);
	if (vasprintf(&lines[*n], fmt, ap) >= 0)
		(*n)++;
	va_end(ap);
}

/* The report's warning flags, spelled out for a student. */
static size_t warnings(const struct bench_report *r, char **lines)
{
	const struct bench_mode_result *async = find_mode(r, BENCH_MODE_ASYNC);
	size_t n = 0;

	if (r->warnings & BENCH_WARN_BUILD)
		add(lines, &n, "warning: built as %s, not release: its timings say little about real code (build with 'make')",
		    bench_build_kind());
	if (r->warnings & BENCH_WARN_OVERSUBSCRIBED)
		add(lines, &n, "warning: %u workers on %u CPUs: only %u can compute at once, so thread and process cannot beat %ux; the rest take turns",
		    r->workers, r->cpus, r->cpus, r->cpus);
	if (r->warnings & BENCH_WARN_ASYNC_CPU)
		add(lines, &n, "note: async runs %s's CPU-bound tasks one at a time on one thread, so it cannot beat serial; it pays off when tasks wait (try 'bench run sleep')",
		    r->wl->name);
	if (async && (r->wl->flags & BENCH_WL_WAITS) && r->workers < r->items)
		add(lines, &n, "note: async keeps at most %u tasks in flight (--workers); --workers %llu would overlap every wait",
		    r->workers, (unsigned long long)r->items);
	if (r->warnings & BENCH_WARN_WIDE_SPREAD) {
		char list[256] = "";

		for (size_t i = 0; i < r->nresults; i++) {
			const struct bench_stats *s = &r->results[i].wall;
			double half = (s->ci_high - s->ci_low) / 2 / s->median;
			size_t len = strlen(list);

			if (half > BENCH_WIDE_SPREAD)
				snprintf(list + len, sizeof(list) - len,
					 "%s%s +-%.1f%%", len ? ", " : "",
					 bench_mode_name(r->results[i].mode),
					 half * 100);
		}
		add(lines, &n, "warning: spread too wide to trust (95%% CI of the median: %s); close other programs or raise --repeat",
		    list);
	}
	if (r->warnings & BENCH_WARN_OUTLIERS) {
		char list[512] = "";

		for (size_t i = 0; i < r->nresults; i++) {
			const struct bench_mode_result *mr = &r->results[i];

			for (size_t k = 0; k < mr->nsamples; k++) {
				size_t len = strlen(list);
				char t[32];

				if (!mr->outlier[k])
					continue;
				format_ns((double)mr->wall_ns[k], t, sizeof(t));
				snprintf(list + len, sizeof(list) - len,
					 "%s%s #%zu (%s)", len ? ", " : "",
					 bench_mode_name(mr->mode), k + 1, t);
			}
		}
		add(lines, &n, "note: outlier samples, which the median shrugs off: %s",
		    list);
	}
	if (r->warnings & BENCH_WARN_FEW_SAMPLES)
		add(lines, &n, "note: %u sample%s per mode give%s less than 95%% confidence in the interval; use --repeat 6 or more",
		    r->repeat, r->repeat == 1 ? "" : "s",
		    r->repeat == 1 ? "s" : "");
	return n;
}

int cmd_run(int argc, char **argv)
{
	struct run_cli rc = { 0 };
	struct bench_report *report = NULL;
	struct bench_context ctx;
	struct bench_err err = { 0 };
	char *lines[MAX_WARNINGS];
	struct run_output ro;
	struct out out;
	const char *crash = getenv("BENCH_TEST_CRASH_TASK");
	const char *corrupt = getenv("BENCH_TEST_CORRUPT_MODE");
	int status, code;

	status = parse(argc, argv, &rc);
	if (status)
		return status < 0 ? 0 : status;
	if (crash && *crash) {
		rc.opts.crash_task = strtoll(crash, NULL, 10);
		rc.opts.crash_set = 1;
	}
	if (corrupt && bench_mode_parse(corrupt, &rc.opts.corrupt_mode) == 0)
		rc.opts.corrupt_set = 1;
	if (out_check(rc.output) != 0)
		return 1;
	if (!rc.quiet && isatty(STDERR_FILENO))
		rc.opts.progress = progress;
	install_signal_handlers();
	code = bench_run(&rc.opts, &report, &err);
	if (rc.opts.progress) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	if (code) {
		if (code == BENCH_ECANCELED)
			error("interrupted; every worker stopped and reaped, nothing written");
		else if (code == BENCH_EINVAL)
			usage_error("run", "%s", err.msg);
		else
			error("%s", err.msg[0] ? err.msg : bench_strerror(code));
		return exit_status(code);
	}
	bench_context_get(&ctx);
	ro = (struct run_output){ report, &ctx, (const char *const *)lines, 0 };
	ro.nwarnings = warnings(report, lines);
	status = 1;
	if (out_open(&out, rc.output) == 0) {
		if (formats[rc.format].write(out.f, &ro) != 0 || bench_canceled()) {
			out_abort(&out);
			if (bench_canceled())
				status = EXIT_INTERRUPTED;
		} else if (out_commit(&out) == 0) {
			status = 0;
		}
	}
	/* Machine-readable formats keep warnings out of the data. */
	if (status == 0 && rc.format != FMT_TABLE && rc.format != FMT_MARKDOWN)
		for (size_t i = 0; i < ro.nwarnings; i++)
			fprintf(stderr, "bench: %s\n", lines[i]);
	for (size_t i = 0; i < ro.nwarnings; i++)
		free(lines[i]);
	bench_report_destroy(report);
	return status;
}
