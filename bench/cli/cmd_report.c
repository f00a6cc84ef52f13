/*
 * cmd_report.c - `bench report RUN|FILE`: one stored run printed again,
 * its statistics recomputed from the raw samples.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct option long_opts[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "results", required_argument, NULL, OPT_RESULTS },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int cmd_report(int argc, char **argv)
{
	struct session s = { .cmd = "report" };
	struct loaded_run run;
	char *lines[MAX_WARNINGS];
	struct run_output ro;
	struct out out;
	int c, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":f:o:h", long_opts, NULL)) != -1) {
		int handled = c == 'h' ? 0 : session_option(&s, c, optarg);

		if (handled < 0)
			return EXIT_USAGE;
		if (handled)
			continue;
		if (c == 'h') {
			print_help(s.cmd, stdout);
			return 0;
		}
		return bad_option(s.cmd, argv, c);
	}
	if (optind >= argc)
		return usage_error(s.cmd, "missing the run: an id from 'bench history', 'latest', or a JSON file");
	if (optind + 1 < argc)
		return usage_error(s.cmd, "unexpected argument '%s'", argv[optind + 1]);
	if ((rc = load_run(s.cmd, argv[optind], s.results, &run)) != 0)
		return rc;
	ro = (struct run_output){ .kind = run.kind, .report = run.report,
				  .context = &run.ctx,
				  .warnings = (const char *const *)lines,
				  .id = run.id };
	ro.nwarnings = report_warnings(run.report, lines);
	rc = 1;
	if (out_check(s.output) == 0 && out_open(&out, s.output) == 0) {
		int (*write)(FILE *, const struct run_output *) =
			s.format == FMT_JSON ? write_json :
			s.format == FMT_CSV ? write_csv :
			s.format == FMT_MARKDOWN ? write_markdown :
			strcmp(run.kind, "scale") == 0 ? write_scale_table :
			strcmp(run.kind, "complexity") == 0 ? write_complexity_table :
			write_table;

		errno = 0;
		if (write(out.f, &ro) != 0)
			out_fail(&out);
		else if (out_commit(&out) == 0)
			rc = 0;
	}
	for (size_t i = 0; i < ro.nwarnings; i++)
		free(lines[i]);
	loaded_run_release(&run);
	return rc;
}
