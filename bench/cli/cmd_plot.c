/*
 * cmd_plot.c - `bench plot RUN|FILE`: draw a stored run's charts again,
 * or (--format gbench) write it as Google Benchmark JSON (writers/
 * gbench.c), so that tools built for Google Benchmark (compare.py and
 * friends) read bench results.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct option long_opts[] = {
	{ "charts", required_argument, NULL, OPT_CHARTS },
	{ "style", required_argument, NULL, OPT_STYLE },
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "results", required_argument, NULL, OPT_RESULTS },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int cmd_plot(int argc, char **argv)
{
	const char *cmd = "plot", *charts = NULL, *output = NULL, *results = NULL;
	struct loaded_run run;
	char paths[8][4096], dir[4096], stem[64];
	int c, rc, gbench = 0, drawn;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":f:o:h", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_CHARTS:
			charts = optarg;
			break;
		case OPT_STYLE:
			if (charts_set_style(optarg) != 0)
				return usage_error(cmd, "--style '%s': expected default or slides",
						   optarg);
			break;
		case 'f':
			if (strcmp(optarg, "gbench") == 0)
				gbench = 1;
			else if (strcmp(optarg, "charts") != 0)
				return usage_error(cmd, "--format '%s': expected charts or gbench",
						   optarg);
			break;
		case 'o':
			output = optarg;
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
	if (optind >= argc)
		return usage_error(cmd, "missing the run: an id from 'bench history', 'latest', or a JSON file");
	if (optind + 1 < argc)
		return usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
	if (output && !gbench)
		return usage_error(cmd, "--output goes with --format gbench; charts go to --charts DIR");
	if ((rc = load_run(cmd, argv[optind], results, &run)) != 0)
		return rc;
	if (gbench) {
		struct out out;

		rc = 1;
		if (out_check(output) == 0 && out_open(&out, output) == 0) {
			errno = 0;
			struct run_output ro = { .kind = run.kind, .report = run.report,
						 .context = &run.ctx, .id = run.id };

			if (write_gbench(out.f, &ro) != 0)
				out_fail(&out);
			else if (out_commit(&out) == 0)
				rc = 0;
		}
		loaded_run_release(&run);
		return rc;
	}
	if (charts)
		snprintf(dir, sizeof(dir), "%s", charts);
	else
		default_chart_dir(results, dir, sizeof(dir));
	if (run.id)
		snprintf(stem, sizeof(stem), "%lld-%s-%s", (long long)run.id,
			 run.kind, run.report->wl->name);
	else
		snprintf(stem, sizeof(stem), "%s-%s", run.kind, run.report->wl->name);
	drawn = charts_draw(run.kind, run.report, &run.ctx, dir, stem, paths, 8);
	for (int i = 0; i < drawn; i++)
		printf("%s\n", paths[i]);
	loaded_run_release(&run);
	/* drawn == 0: charts_draw has said why in its one line. */
	return drawn > 0 ? 0 : 1;
}
