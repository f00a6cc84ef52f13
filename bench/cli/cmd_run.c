/*
 * cmd_run.c - `bench run WORKLOAD`: one workload in several modes, one
 * table (or JSON, CSV, Markdown) comparing them.
 *
 * Tests reach two fault injectors through the environment, deliberately
 * not flags since no user has a reason to want them (see session.c):
 * BENCH_TEST_CRASH_TASK=N makes a process worker abort on task N, and
 * BENCH_TEST_CORRUPT_MODE=MODE flips a bit of MODE's results.
 */
#include <getopt.h>
#include <string.h>

#include "cli.h"

static const struct option long_opts[] = {
	{ "mode", required_argument, NULL, 'm' },
	{ "workers", required_argument, NULL, 'w' },
	{ "engine", required_argument, NULL, 'e' },
	SESSION_OPTIONS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Whether a mode with one of flags is listed. */
static int mode_listed(const struct bench_run_opts *o, unsigned flags)
{
	for (size_t i = 0; i < o->nmodes; i++)
		if (o->modes[i]->flags & flags)
			return 1;
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct session s = { .cmd = "run" };
	uint64_t v;
	int c;

	while ((c = session_getopt(&s, argc, argv, ":m:w:e:h" SESSION_SHORT,
				   long_opts)) != -1) {
		if (c == -2)
			return EXIT_USAGE;
		switch (c) {
		case 'm':
			if (parse_modes(s.cmd, optarg, &s.opts))
				return EXIT_USAGE;
			break;
		case 'w':
			/* Each mode's own limit is checked once the modes
			 * are known (the harness names the mode). */
			if (parse_u64(s.cmd, "--workers", optarg, 1,
				      bench_executors_max_workers(), &v))
				return EXIT_USAGE;
			s.opts.workers = (unsigned)v;
			break;
		case 'e':
			if (parse_engines(s.cmd, optarg, &s.opts))
				return EXIT_USAGE;
			break;
		case 'h':
			print_help(s.cmd, stdout);
			return 0;
		default:
			return bad_option(s.cmd, argv, c);
		}
	}
	/* A launched job's checksums and speedup are judged against the
	 * reference, run beside it. */
	if (mode_listed(&s.opts, BENCH_EXEC_LAUNCHED) &&
	    !mode_listed(&s.opts, BENCH_EXEC_REFERENCE) &&
	    s.opts.nmodes < BENCH_EXECUTORS_MAX) {
		memmove(s.opts.modes + 1, s.opts.modes,
			s.opts.nmodes * sizeof(*s.opts.modes));
		s.opts.modes[0] = bench_executor_with(BENCH_EXEC_REFERENCE);
		s.opts.nmodes++;
	}
	s.opts.wl = workload_operand(s.cmd, argc, argv, "to run");
	if (!s.opts.wl)
		return EXIT_USAGE;
	if (engines_available(s.opts.engines, s.opts.nengines) != 0)
		return 1;
	return session_run(&s);
}
