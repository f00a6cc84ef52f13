/*
 * cmd_scale.c - `bench scale WORKLOAD --workers LIST`: every parallel mode
 * at every worker count against one serial baseline, interleaved, with
 * Amdahl's law fitted and speedup and efficiency charts drawn.
 */
#include <getopt.h>
#include <stdlib.h>

#include "cli.h"

static const struct option long_opts[] = {
	{ "workers", required_argument, NULL, 'w' },
	{ "modes", required_argument, NULL, 'm' },
	{ "mode", required_argument, NULL, 'm' },
	{ "engine", required_argument, NULL, 'e' },
	SESSION_OPTIONS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Adds every executor with one of flags, the reference aside. */
static void add_modes(struct bench_run_opts *o, unsigned flags)
{
	for (size_t i = 0; bench_executors[i]; i++)
		if (bench_executors[i]->flags & flags &&
		    !(bench_executors[i]->flags & BENCH_EXEC_REFERENCE))
			o->modes[o->nmodes++] = bench_executors[i];
}

int cmd_scale(int argc, char **argv)
{
	struct session s = { .cmd = "scale" };
	struct bench_run_opts modes = { 0 };
	struct bench_case *cases;
	uint64_t *workers = NULL;
	size_t nworkers = 0, n = 0, nengines;
	const char *list = NULL;
	int c, status;

	while ((c = session_getopt(&s, argc, argv, ":w:m:e:h" SESSION_SHORT,
				   long_opts)) != -1) {
		if (c == -2)
			return EXIT_USAGE;
		switch (c) {
		case 'w':
			list = optarg;
			break;
		case 'm':
			if (parse_modes(s.cmd, optarg, &modes))
				return EXIT_USAGE;
			if (modes.nmodes == 0) /* "all": every mode of a
						  default run but the reference */
				add_modes(&modes, BENCH_EXEC_DEFAULT);
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
	s.opts.wl = workload_operand(s.cmd, argc, argv, "to scale");
	if (!s.opts.wl)
		return EXIT_USAGE;
	/* Each mode's own limit: the harness checks it per case. */
	if (parse_list(s.cmd, "--workers", list ? list : "1..8x2", 1,
		       bench_executors_max_workers(), 256, &workers, &nworkers))
		return EXIT_USAGE;
	if (modes.nmodes == 0) /* the pools; async only scales waiting */
		add_modes(&modes, BENCH_EXEC_SCALE);
	if (engines_available(s.opts.engines, s.opts.nengines) != 0) {
		free(workers);
		return 1;
	}
	/* Each engine sweeps against its own serial. */
	nengines = s.opts.nengines ? s.opts.nengines : 1;
	cases = calloc(nengines * (1 + modes.nmodes * nworkers), sizeof(*cases));
	if (!cases) {
		free(workers);
		error("out of memory");
		return 1;
	}
	for (size_t e = 0; e < nengines; e++) {
		enum bench_engine engine = s.opts.nengines ? s.opts.engines[e] :
							     BENCH_ENGINE_NATIVE;

		cases[n++] = (struct bench_case){
			.mode = bench_executor_with(BENCH_EXEC_REFERENCE),
			.engine = engine,
		};
		for (size_t m = 0; m < modes.nmodes; m++) {
			if (modes.modes[m]->flags & BENCH_EXEC_REFERENCE)
				continue;
			for (size_t w = 0; w < nworkers; w++)
				cases[n++] = (struct bench_case){
					.mode = modes.modes[m],
					.engine = engine,
					.workers = (unsigned)workers[w],
				};
		}
	}
	s.opts.cases = cases;
	s.opts.ncases = n;
	status = session_run(&s);
	free(cases);
	free(workers);
	return status;
}
