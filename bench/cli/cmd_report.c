/*
 * cmd_report.c - `bench report RUN|FILE`: one stored run printed again,
 * its statistics recomputed from the raw samples. A Google Benchmark
 * JSON or hyperfine export (import.h) is summarised the same way, one row
 * per benchmark from its repetitions. `bench report RUN... --html` writes
 * one self-contained page for one run or several (writers/html.c);
 * `bench report --history WORKLOAD --html` one page of that workload's
 * stored runs in time order, regressions marked (report_trend.c).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "escape.h"
#include "import.h"

static const struct option long_opts[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "results", required_argument, NULL, OPT_RESULTS },
	{ "html", no_argument, NULL, OPT_HTML },
	{ "history", required_argument, NULL, OPT_HISTORY },
	{ "size", required_argument, NULL, 'n' },
	{ "last", required_argument, NULL, OPT_LAST },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* One imported file in format fmt; returns 0 or -1 (a write failed). */
static int write_import(FILE *f, const struct loaded_run *run,
			const struct import_set *set, enum format fmt)
{
	json_t *doc = NULL, *rows = NULL;
	int width = 9;

	for (size_t i = 0; i < set->n; i++)
		if ((int)strlen(set->b[i].name) > width)
			width = (int)strlen(set->b[i].name);
	if (width > 60)
		width = 60;
	if (fmt == FMT_JSON) {
		doc = json_pack("{s:s, s:s, s:s, s:[]}", "source", run->name,
				"format", set->format, "about", set->about,
				"benchmarks");
		if (!doc)
			return -1;
		rows = json_object_get(doc, "benchmarks");
	} else if (fmt == FMT_CSV) {
		fprintf(f, "benchmark,samples,median_ns,mean_ns,min_ns,max_ns,stddev_ns,cv,aggregates_only\n");
	} else if (fmt == FMT_MARKDOWN) {
		fprintf(f, "| benchmark | samples | median | mean | min | max | stddev | cv |\n");
		fprintf(f, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
	} else {
		fprintf(f, "%s: %s%s%s\n\n", set->format, run->name,
			set->about[0] ? ", " : "", set->about);
		fprintf(f, "%-*s %7s %10s %10s %10s %10s %10s %7s\n", width,
			"benchmark", "samples", "median", "mean", "min", "max",
			"stddev", "cv");
	}
	for (size_t i = 0; i < set->n; i++) {
		const struct import_bench *b = &set->b[i];
		struct bench_stats st;
		char t[5][32];

		if (bench_stats_compute(b->real_ns, b->n, &st, NULL) != 0) {
			json_decref(doc);
			return -1;
		}
		format_ns(st.median, t[0], sizeof(t[0]));
		format_ns(st.mean, t[1], sizeof(t[1]));
		format_ns(st.min, t[2], sizeof(t[2]));
		format_ns(st.max, t[3], sizeof(t[3]));
		format_ns(st.stddev, t[4], sizeof(t[4]));
		if (fmt == FMT_JSON) {
			json_t *samples = json_array();

			for (size_t k = 0; samples && k < b->n; k++)
				json_array_append_new(samples, json_real(b->real_ns[k]));
			if (json_array_append_new(rows, json_pack("{s:s, s:o, s:f, s:f, s:f, s:f, s:f, s:f, s:b}",
				"name", b->name, "samples_ns", samples,
				"median_ns", st.median, "mean_ns", st.mean,
				"min_ns", st.min, "max_ns", st.max,
				"stddev_ns", st.stddev, "cv", st.cv,
				"aggregates_only", b->from_aggregates)) != 0) {
				json_decref(doc);
				return -1;
			}
		} else if (fmt == FMT_CSV) {
			esc_csv(f, b->name);
			fprintf(f, ",%zu,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%d\n",
				b->n, st.median, st.mean, st.min, st.max,
				st.stddev, st.cv, b->from_aggregates);
		} else if (fmt == FMT_MARKDOWN) {
			fputs("| ", f);
			for (const char *c = b->name; *c; c++)
				fprintf(f, *c == '|' ? "\\|" : "%c", *c);
			fprintf(f, " | %zu | %s | %s | %s | %s | %s | %.3f |\n", b->n,
				t[0], t[1], t[2], t[3], t[4], st.cv);
		} else {
			fprintf(f, "%-*s %7zu %10s %10s %10s %10s %10s %7.3f%s\n",
				width, b->name, b->n, t[0], t[1], t[2], t[3], t[4],
				st.cv, b->from_aggregates ? "  [aggregates only]" : "");
		}
	}
	if (doc) {
		int rc = json_dumpf(doc, f, JSON_INDENT(2)) == 0 &&
			 fputc('\n', f) != EOF ? 0 : -1;

		json_decref(doc);
		return rc;
	}
	return ferror(f) ? -1 : 0;
}

/* The page for the runs named by specs; returns the exit status. */
static int report_html(const struct session *s, char **specs, int n)
{
	struct loaded_run *runs = calloc((size_t)n, sizeof(*runs));
	struct run_output *ro = calloc((size_t)n, sizeof(*ro));
	char *(*lines)[MAX_WARNINGS] = calloc((size_t)n, sizeof(*lines));
	int loaded = 0, rc = 0;
	struct out out;

	if (!runs || !ro || !lines) {
		error("out of memory");
		rc = 1;
	}
	for (; rc == 0 && loaded < n; loaded++) {
		struct import_set *imported;

		if ((rc = load_any(s->cmd, specs[loaded], s->results,
				   &runs[loaded], &imported)) != 0)
			break;
		if (imported) {
			error("%s is a %s: --html shows bench runs (ids from 'bench history', 'latest', or bench's JSON files)",
			      runs[loaded].name, imported->format);
			import_destroy(imported);
			loaded_run_release(&runs[loaded]);
			rc = 1;
			break;
		}
		ro[loaded] = (struct run_output){
			.kind = runs[loaded].kind, .report = runs[loaded].report,
			.context = &runs[loaded].ctx,
			.warnings = (const char *const *)lines[loaded],
			.id = runs[loaded].id, .name = runs[loaded].name };
		ro[loaded].nwarnings = report_warnings(runs[loaded].report,
						       lines[loaded]);
	}
	if (rc == 0) {
		rc = 1;
		if (out_open(&out, s->output) == 0) {
			errno = 0;
			if (write_html_runs(out.f, ro, (size_t)n) != 0)
				out_fail(&out);
			else if (out_commit(&out) == 0)
				rc = 0;
		}
	}
	for (int i = 0; i < loaded; i++) {
		for (size_t k = 0; k < ro[i].nwarnings; k++)
			free(lines[i][k]);
		loaded_run_release(&runs[i]);
	}
	free(lines);
	free(ro);
	free(runs);
	return rc;
}

int cmd_report(int argc, char **argv)
{
	struct session s = { .cmd = "report" };
	struct loaded_run run;
	struct import_set *imported;
	char *lines[MAX_WARNINGS];
	struct run_output ro;
	struct out out;
	const char *history = NULL;
	uint64_t size = 0, last = 0;
	int c, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":f:o:hn:", long_opts, NULL)) != -1) {
		int handled = c == 'h' || c == OPT_HTML || c == OPT_HISTORY ||
			      c == 'n' || c == OPT_LAST ? 0 :
			      session_option(&s, c, optarg);

		if (handled < 0)
			return EXIT_USAGE;
		if (handled)
			continue;
		if (c == 'h') {
			print_help(s.cmd, stdout);
			return 0;
		}
		if (c == OPT_HTML) {
			s.format = FMT_HTML;
			continue;
		}
		if (c == OPT_HISTORY) {
			history = optarg;
			continue;
		}
		if (c == 'n' || c == OPT_LAST) {
			if (parse_u64(s.cmd, c == 'n' ? "--size" : "--last", optarg,
				      c == 'n' ? 1 : 2, UINT64_MAX,
				      c == 'n' ? &size : &last))
				return EXIT_USAGE;
			continue;
		}
		return bad_option(s.cmd, argv, c);
	}
	if (!history && (size || last))
		return usage_error(s.cmd, "%s goes with --history WORKLOAD",
				   size ? "--size" : "--last");
	if (history) {
		if (optind < argc)
			return usage_error(s.cmd, "unexpected argument '%s': --history shows the stored runs of one workload",
					   argv[optind]);
		if (s.format != FMT_HTML)
			return usage_error(s.cmd, "--history writes an HTML page: add --html");
		return report_trend(s.cmd, s.results, s.output, history, size,
				    last);
	}
	if (optind >= argc)
		return usage_error(s.cmd, "missing the run: an id from 'bench history', 'latest', or a JSON file");
	if (s.format == FMT_HTML)
		return out_check(s.output) == 0 ?
		       report_html(&s, argv + optind, argc - optind) : 1;
	if (optind + 1 < argc)
		return usage_error(s.cmd, "unexpected argument '%s': several runs go on one page with --html",
				   argv[optind + 1]);
	if ((rc = load_any(s.cmd, argv[optind], s.results, &run, &imported)) != 0)
		return rc;
	if (imported) {
		rc = 1;
		if (out_check(s.output) == 0 && out_open(&out, s.output) == 0) {
			errno = 0;
			if (write_import(out.f, &run, imported, s.format) != 0)
				out_fail(&out);
			else if (out_commit(&out) == 0)
				rc = 0;
		}
		import_destroy(imported);
		return rc;
	}
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
