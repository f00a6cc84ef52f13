/*
 * cmd_show.c - `bench show WORKLOAD`: the items and their results as plain
 * text, one per line, so anyone can check them with other tools.
 */
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "engines/python.h"

#define SHOW_DEFAULT 10

static const struct option long_opts[] = {
	WORKLOAD_OPTIONS,
	{ "limit", required_argument, NULL, OPT_LIMIT },
	{ "engine", required_argument, NULL, 'e' },
	{ "python", required_argument, NULL, OPT_PYTHON },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int emit_line(void *ud, const char *line)
{
	(void)ud;
	return puts(line) == EOF;
}

int cmd_show(int argc, char **argv)
{
	const char *cmd = "show";
	const struct bench_workload *wl;
	struct bench_params p = { 0 };
	struct bench_err err = { 0 };
	void *state = NULL;
	uint64_t n, limit = SHOW_DEFAULT;
	int c, rc = 0, python = 0;

	struct option rows[64];
	char shorts[32];

	if (workload_getopt_tables(long_opts, ":n:s:e:h", rows, 64, shorts,
				   sizeof(shorts)) != 0)
		return 1;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, shorts, rows, NULL)) != -1) {
		int handled = parse_workload_option(cmd, c, optarg, &p);

		if (handled < 0)
			return EXIT_USAGE;
		if (handled)
			continue;
		switch (c) {
		case OPT_LIMIT:
			if (parse_u64(cmd, "--limit", optarg, 1, UINT64_MAX, &limit))
				return EXIT_USAGE;
			break;
		case 'e':
			/* What native computes, or the python engine's own. */
			if (strcmp(optarg, "python") != 0 &&
			    strcmp(optarg, "native") != 0)
				return usage_error(cmd, "--engine '%s': expected native or python",
						   optarg);
			python = strcmp(optarg, "python") == 0;
			break;
		case OPT_PYTHON:
			if (!*optarg)
				return usage_error(cmd, "--python '': expected the path of a Python interpreter");
			python_path = optarg;
			break;
		case 'h':
			print_help(cmd, stdout);
			return 0;
		default:
			return bad_option(cmd, argv, c);
		}
	}
	wl = workload_operand(cmd, argc, argv, "to show");
	if (!wl)
		return EXIT_USAGE;
	/* A screenful by default, not the benchmark's millions; workloads
	 * that read a whole text show --limit lines of what they make of it
	 * (its top words, say), streams their first --limit lines. */
	if (!p.size)
		p.size = wl->show_all && !wl->next_batch ? wl->default_size
							  : limit;
	/* Options that count the items (search's queries) default to a
	 * screenful too. */
	for (unsigned k = 0; k < bench_workload_noptions(wl); k++)
		if (wl->options[k].flags & BENCH_OPT_COUNTS_ITEMS &&
		    !bench_params_get(&p, wl->options[k].name))
			bench_params_set(&p, wl->options[k].name, SHOW_DEFAULT,
					 NULL);
	if (python && (rc = bench_workload_params(wl, &p, &err)) == 0)
		return python_show(wl, &p, wl->show_all ? limit : UINT64_MAX / 2);
	if (rc || (rc = bench_workload_params(wl, &p, &err)) ||
	    (rc = wl->prepare(&p, &state, &err))) {
		if (rc == BENCH_EINVAL)
			return usage_error(cmd, "%s", err.msg);
		error("%s", err.msg);
		return exit_status(rc);
	}
	if (wl->show_all) {
		/* Lines of input, not items: --size is how many. */
		rc = wl->show_all(state, limit, emit_line, NULL, &err);
		if (rc > 0)
			rc = BENCH_ESYS;
	} else {
		n = wl->item_count(state);
		for (uint64_t i = 0; i < n && rc == 0; i++) {
			char line[512];

			rc = wl->show(state, i, line, sizeof(line), &err);
			if (rc == 0 && emit_line(NULL, line) != 0)
				rc = BENCH_ESYS;
		}
	}
	wl->release(state);
	if (rc == 0 && fflush(stdout) != 0)
		rc = BENCH_ESYS;
	if (rc == BENCH_ESYS) {
		error("cannot write to standard output: %s", strerror(errno));
		return 1;
	}
	if (rc) {
		error("%s", err.msg);
		return exit_status(rc);
	}
	return 0;
}
