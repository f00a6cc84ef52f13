/*
 * cmd_complexity.c - `bench complexity WORKLOAD --sizes LIST`: one mode
 * timed over growing input sizes (the course's doubling curve), each
 * candidate growth class fitted, the best named, and time vs size charted
 * on log-log axes.
 */
#include <getopt.h>
#include <stdlib.h>

#include "cli.h"

static const struct option long_opts[] = {
	{ "sizes", required_argument, NULL, OPT_SIZES },
	{ "mode", required_argument, NULL, 'm' },
	{ "workers", required_argument, NULL, 'w' },
	{ "engine", required_argument, NULL, 'e' },
	SESSION_OPTIONS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int cmd_complexity(int argc, char **argv)
{
	struct session s = { .cmd = "complexity" };
	struct bench_run_opts modes = { 0 };
	struct bench_case *cases;
	uint64_t *sizes = NULL, v;
	size_t nsizes = 0;
	const char *list = NULL, *fixed;
	int c, status;

	while ((c = session_getopt(&s, argc, argv, ":m:w:e:h" SESSION_SHORT,
				   long_opts)) != -1) {
		if (c == -2)
			return EXIT_USAGE;
		switch (c) {
		case OPT_SIZES:
			list = optarg;
			break;
		case 'm':
			if (parse_modes(s.cmd, optarg, &modes))
				return EXIT_USAGE;
			if (modes.nmodes != 1)
				return usage_error(s.cmd, "--mode '%s': expected one mode",
						   optarg);
			break;
		case 'w':
			/* The mode's own limit: the harness checks it. */
			if (parse_u64(s.cmd, "--workers", optarg, 1,
				      bench_executors_max_workers(), &v))
				return EXIT_USAGE;
			s.opts.workers = (unsigned)v;
			break;
		case 'e':
			/* One engine: a fit is of one series of sizes. */
			if (parse_engines(s.cmd, optarg, &s.opts))
				return EXIT_USAGE;
			if (s.opts.nengines != 1)
				return usage_error(s.cmd, "--engine '%s': expected one engine (the fit is of one series; run complexity once per engine)",
						   optarg);
			break;
		case 'h':
			print_help(s.cmd, stdout);
			return 0;
		default:
			return bad_option(s.cmd, argv, c);
		}
	}
	s.opts.wl = workload_operand(s.cmd, argc, argv, "to time");
	if (!s.opts.wl)
		return EXIT_USAGE;
	if (!list)
		return usage_error(s.cmd, "missing --sizes, e.g. --sizes 1000..512000x2");
	if ((fixed = workload_option_flagged(&s.opts.params, s.opts.wl,
					     BENCH_OPT_FIXES_SIZE)))
		return usage_error(s.cmd, "--%s fixes the input, so --sizes could not change it: leave it out and the input is generated at each size",
				   fixed);
	if (parse_list(s.cmd, "--sizes", list, 1, s.opts.wl->max_size, 64,
		       &sizes, &nsizes))
		return EXIT_USAGE;
	if (nsizes < 3) {
		free(sizes);
		return usage_error(s.cmd, "--sizes '%s': a fit needs at least 3 distinct sizes",
				   list);
	}
	if (engines_available(s.opts.engines, s.opts.nengines) != 0) {
		free(sizes);
		return 1;
	}
	cases = calloc(nsizes, sizeof(*cases));
	if (!cases) {
		free(sizes);
		error("out of memory");
		return 1;
	}
	for (size_t i = 0; i < nsizes; i++)
		cases[i] = (struct bench_case){
			.mode = modes.nmodes ? modes.modes[0] :
					bench_executor_with(BENCH_EXEC_REFERENCE),
			.size = sizes[i],
			.engine = s.opts.nengines ? s.opts.engines[0] :
						    BENCH_ENGINE_NATIVE,
		};
	s.opts.cases = cases;
	s.opts.ncases = nsizes;
	status = session_run(&s);
	free(cases);
	free(sizes);
	return status;
}
