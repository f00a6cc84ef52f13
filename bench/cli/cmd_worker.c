/*
 * cmd_worker.c - `bench worker --broker URL`: a worker of mode queue.
 *
 * The same program mode queue starts locally, and the one a user starts
 * on other hosts to join runs on a shared Redis: it takes task
 * descriptors from the broker, prepares the input from the run's seed
 * itself, and pushes partial results back (bench/queue.h). Without --run
 * it serves every run announced on the broker until Ctrl-C.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct option long_opts[] = {
	{ "broker", required_argument, NULL, 'b' },
	{ "run", required_argument, NULL, 'R' },
	{ "name", required_argument, NULL, 'N' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int cmd_worker(int argc, char **argv)
{
	struct bench_queue_worker_opts o = { 0 };
	struct bench_err err = { 0 };
	int c, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":b:h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			o.broker = optarg;
			break;
		case 'R':
			if (strncmp(optarg, "bench:", 6) != 0)
				return usage_error("worker", "--run '%s': expected a run's key prefix (bench:q:...)",
						   optarg);
			o.run = optarg;
			break;
		case 'N':
			if (!*optarg || strchr(optarg, ' '))
				return usage_error("worker", "--name '%s': expected a name without spaces",
						   optarg);
			o.name = optarg;
			break;
		case 'h':
			print_help("worker", stdout);
			return 0;
		default:
			return bad_option("worker", argv, c);
		}
	}
	if (optind < argc)
		return usage_error("worker", "unexpected argument '%s'", argv[optind]);
	if (!o.broker)
		o.broker = getenv("BENCH_BROKER");
	if (!o.broker || !*o.broker)
		return usage_error("worker", "no broker: give --broker URL (or BENCH_BROKER)");
	install_signal_handlers();
	rc = bench_queue_worker(&o, &err);
	if (rc == BENCH_ECANCELED)
		return EXIT_INTERRUPTED;
	if (rc == BENCH_EINVAL) {
		usage_error("worker", "%s", err.msg);
		return EXIT_USAGE;
	}
	if (rc) {
		error("%s", err.msg);
		return 1;
	}
	return 0;
}
