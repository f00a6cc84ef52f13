/*
 * cmd_history.c - `bench history [WORKLOAD]`: the runs kept in the store,
 * newest first.
 */
#include <getopt.h>
#include <string.h>

#include "cli.h"

static const struct option long_opts[] = {
	{ "limit", required_argument, NULL, OPT_LIMIT },
	{ "results", required_argument, NULL, OPT_RESULTS },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int print_run(void *ud, const struct bench_store_run *run)
{
	int *count = ud;
	char date[32];

	if ((*count)++ == 0)
		printf("%5s  %-19s  %-10s  %-8s  %-12s  %s\n", "id", "date (UTC)",
		       "kind", "workload", "git", "summary");
	snprintf(date, sizeof(date), "%s", run->created);
	if (strlen(date) >= 19 && date[10] == 'T')
		date[10] = ' ';
	date[19] = '\0';
	printf("%5lld  %-19s  %-10s  %-8s  %-12s  %s\n", (long long)run->id,
	       date, run->kind, run->workload, run->git, run->summary);
	return 0;
}

int cmd_history(int argc, char **argv)
{
	const char *cmd = "history", *results = NULL, *workload = NULL;
	struct bench_err err = { 0 };
	struct bench_store *store;
	uint64_t limit = 20;
	int c, count = 0, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_LIMIT:
			if (parse_u64(cmd, "--limit", optarg, 0, 1000000000, &limit))
				return EXIT_USAGE;
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
	if (optind + 1 < argc)
		return usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
	if (optind < argc) {
		if (!find_workload(cmd, argv[optind]))
			return EXIT_USAGE;
		workload = argv[optind];
	}
	if (!(store = open_store(results, 0)))
		return 1;
	rc = bench_store_history(store, workload, limit, print_run, &count, &err);
	bench_store_close(store);
	if (rc) {
		error("%s", err.msg);
		return 1;
	}
	if (count == 0)
		fprintf(stderr, "bench: no runs%s%s stored yet\n",
			workload ? " of " : "", workload ? workload : "");
	return 0;
}
