/*
 * cmd_profile.c - `bench profile --cpu|--count|--mem WORKLOAD | -- PROG`:
 * runs a workload (as `bench run WORKLOAD --mode serial`, once) or any
 * dynamically linked program with the profiler preloaded
 * (libbenchprof.so, or libbenchprof-mem.so for --mem: profilers/), then
 * hands the files every process of it wrote to the report side
 * (profilers/report/), which prints the table and writes the other
 * outputs.
 *
 * The design choice to know: the profiler is told what to do through
 * the environment (LD_PRELOAD, BENCH_PROF, BENCH_PROF_DIR, BENCH_PROF_HZ,
 * BENCH_PROF_INTERVAL_MS), which every process the program starts
 * inherits, so forked and exec'd children are profiled too, each writing
 * its own file into the folder; files of an earlier profile there are
 * removed first so they cannot mix in.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cli.h"
#include "../../profilers/report/report.h"

/* libbenchprof.so (or -mem.so): $BENCH_PROF_LIB (a folder), beside the
 * binary, or installed. */
static const char *prof_lib(const char *name, char *buf, size_t len)
{
	const char *env = getenv("BENCH_PROF_LIB");
	struct stat st;

	if (env && *env) {
		snprintf(buf, len, "%s/%s", env, name);
		return stat(buf, &st) == 0 ? buf : NULL;
	}
	char exe[PATH_MAX];
	ssize_t n;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		if ((slash = strrchr(exe, '/'))) {
			*slash = '\0';
			snprintf(buf, len, "%s/%s", exe, name);
			if (stat(buf, &st) == 0)
				return buf;
			snprintf(buf, len, "%s/../lib/bench/%s", exe, name);
			if (stat(buf, &st) == 0)
				return buf;
		}
	}
	return NULL;
}

static const struct option profile_opts[] = {
	{ "cpu", no_argument, NULL, 'C' },
	{ "count", no_argument, NULL, 'N' },
	{ "mem", no_argument, NULL, 'M' },
	{ "hz", required_argument, NULL, 'z' },
	{ "interval", required_argument, NULL, 'I' },
	{ "sort", required_argument, NULL, 's' },
	{ "top", required_argument, NULL, 't' },
	{ "dir", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int cmd_profile(int argc, char **argv)
{
	const char *dir = "profile", *kind_name = NULL;
	uint64_t hz = 997, interval = 10, top = 30;
	char lib[PATH_MAX + 64], preload[PATH_MAX * 2], cmdline[1024] = "";
	char **child = NULL, exe[PATH_MAX];
	struct bench_command cmd = { 0 };
	struct bench_command_opts io = {
		{ BENCH_STREAM_INHERIT, BENCH_STREAM_INHERIT, BENCH_STREAM_INHERIT },
		{ 0, 0, 0 }, SIGINT, 3 * BENCH_NS_PER_S,
	};
	struct bench_command_result res;
	struct bench_err err = { 0 };
	struct profile_opts report = { 0 };
	const char *sort = "tottime";
	size_t nchild = 0;
	int c, status = 0, kind = 0, interrupted;
	bench_ns started;
	DIR *d;
	struct dirent *e;

	opterr = 0;
	optind = 1;
	/* '+': options after WORKLOAD are bench run's, after -- the program's. */
	while ((c = getopt_long(argc, argv, "+:d:h", profile_opts, NULL)) != -1) {
		switch (c) {
		case 'C': case 'N': case 'M':
			if (kind)
				return usage_error("profile", "give one of --cpu, --count and --mem");
			kind = c == 'C' ? PROF_CPU : c == 'N' ? PROF_COUNT : PROF_MEM;
			kind_name = c == 'C' ? "cpu" : c == 'N' ? "count" : "mem";
			break;
		case 'z':
			if (parse_u64("profile", "--hz", optarg, 1, 10000, &hz))
				return EXIT_USAGE;
			break;
		case 'I':
			if (parse_u64("profile", "--interval", optarg, 1, 10000, &interval))
				return EXIT_USAGE;
			break;
		case 's':
			if (strcmp(optarg, "tottime") && strcmp(optarg, "cumtime") &&
			    strcmp(optarg, "ncalls"))
				return usage_error("profile", "--sort '%s': expected tottime, cumtime or ncalls",
						   optarg);
			sort = optarg;
			break;
		case 't':
			if (parse_u64("profile", "--top", optarg, 1, 100000, &top))
				return EXIT_USAGE;
			break;
		case 'd':
			dir = optarg;
			break;
		case 'h':
			print_help("profile", stdout);
			return 0;
		default:
			return bad_option("profile", argv, c);
		}
	}
	if (!kind)
		return usage_error("profile", "expected --cpu, --count or --mem");
	if (optind >= argc)
		return usage_error("profile", "expected a workload, or -- and a program to run");
	if (strcmp(argv[optind - 1], "--") != 0) {
		/* A workload: bench run it, once, serially unless told. */
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		static char *fixed[] = { "--mode", "serial", "--repeat", "1", "--warmup",
					 "0", "--no-save", "--quiet" };

		if (n <= 0)
			return usage_error("profile", "cannot find bench's own executable");
		exe[n] = '\0';
		if (!find_workload("profile", argv[optind]))
			return EXIT_USAGE;
		child = calloc((size_t)(argc - optind) + 12, sizeof(*child));
		if (!child)
			return 1;
		child[nchild++] = exe;
		child[nchild++] = "run";
		child[nchild++] = argv[optind];
		for (size_t i = 0; i < sizeof(fixed) / sizeof(*fixed); i++)
			child[nchild++] = fixed[i];
		for (int i = optind + 1; i < argc; i++)
			child[nchild++] = argv[i];
	} else {
		child = calloc((size_t)(argc - optind) + 1, sizeof(*child));
		if (!child)
			return 1;
		for (int i = optind; i < argc; i++)
			child[nchild++] = argv[i];
	}
	for (size_t i = 0; i < nchild; i++)
		snprintf(cmdline + strlen(cmdline), sizeof(cmdline) - strlen(cmdline), "%s%s",
			 i ? " " : "", child[i]);
	if (!prof_lib(kind == PROF_MEM ? "libbenchprof-mem.so" : "libbenchprof.so", lib,
		      sizeof(lib))) {
		free(child);
		error("cannot find libbenchprof%s.so (build it with make, or set BENCH_PROF_LIB to its folder)",
		      kind == PROF_MEM ? "-mem" : "");
		return 1;
	}
	if (bench_command_init(&cmd, child, nchild, &err) != 0) {
		free(child);
		error("%s", err.msg);
		return 1;
	}
	free(child);
	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		bench_command_release(&cmd);
		error("cannot create %s: %s", dir, strerror(errno));
		return 1;
	}
	/* Files of an earlier profile in the folder would mix in. */
	if ((d = opendir(dir))) {
		while ((e = readdir(d)))
			if (strncmp(e->d_name, "prof.", 5) == 0 ||
			    strncmp(e->d_name, "callgrind.out.", 14) == 0 ||
			    strncmp(e->d_name, "profile.", 8) == 0 ||
			    strncmp(e->d_name, "profile-", 8) == 0 ||
			    strncmp(e->d_name, "memory.", 7) == 0) {
				char old[PATH_MAX + 300];

				snprintf(old, sizeof(old), "%s/%s", dir, e->d_name);
				unlink(old);
			}
		closedir(d);
	}
	{
		const char *old = getenv("LD_PRELOAD");
		char num[32], abs[PATH_MAX];

		snprintf(preload, sizeof(preload), "%s%s%s", lib, old && *old ? ":" : "",
			 old && *old ? old : "");
		setenv("LD_PRELOAD", preload, 1);
		setenv("BENCH_PROF", kind_name, 1);
		setenv("BENCH_PROF_DIR", realpath(dir, abs) ? abs : dir, 1);
		snprintf(num, sizeof(num), "%llu", (unsigned long long)hz);
		setenv("BENCH_PROF_HZ", num, 1);
		snprintf(num, sizeof(num), "%llu", (unsigned long long)interval);
		setenv("BENCH_PROF_INTERVAL_MS", num, 1);
	}
	install_signal_handlers();
	started = bench_clock_now();
	status = bench_command_run(&cmd, &io, &res, &err);
	unsetenv("LD_PRELOAD");
	bench_command_release(&cmd);
	if (status && status != BENCH_ECANCELED) {
		error("%s", err.msg);
		return 1;
	}
	{
		char how[128];

		fprintf(stderr, "bench: %s %s after %.2f s%s\n", cmdline,
			status == BENCH_ECANCELED ? "was interrupted" :
			bench_command_describe(&res, how, sizeof(how)),
			(double)(bench_clock_now() - started) / 1e9,
			status == BENCH_ECANCELED ? "; what it collected is saved" : "");
	}
	/* The report, even of an interrupted program: what it collected is
	 * saved, and nm and addr2line must run to name it. */
	interrupted = status == BENCH_ECANCELED || bench_canceled();
	bench_cancel_reset();
	report.kind = kind;
	report.dir = dir;
	report.sort = sort;
	report.top = (unsigned)top;
	report.cmdline = cmdline;
	status = profile_report(&report);
	if (interrupted || bench_canceled())
		return EXIT_INTERRUPTED;
	return status;
}
