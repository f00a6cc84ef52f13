/*
 * cmd_plot.c - `bench plot RUN|FILE`: draw a stored run's charts again,
 * or (--format gbench) write it as Google Benchmark JSON, so that tools
 * built for Google Benchmark (compare.py and friends) read bench results.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct option long_opts[] = {
	{ "charts", required_argument, NULL, OPT_CHARTS },
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "results", required_argument, NULL, OPT_RESULTS },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* One Google Benchmark entry; aggregate is NULL for a repetition. */
static json_t *gbench_entry(const struct bench_report *r,
			    const struct bench_mode_result *mr, size_t family,
			    size_t rep, const char *aggregate, double real,
			    double cpu)
{
	char name[160], run_name[128];
	json_t *o;

	char label[48];

	snprintf(run_name, sizeof(run_name), "%s/%s/workers:%u/size:%llu",
		 r->wl->name, mode_label(mr, label, sizeof(label)), mr->workers,
		 (unsigned long long)mr->size);
	if (aggregate)
		snprintf(name, sizeof(name), "%s_%s", run_name, aggregate);
	else
		snprintf(name, sizeof(name), "%s", run_name);
	o = json_pack("{s:s, s:I, s:i, s:s, s:s, s:I, s:I, s:I, s:I, s:f, s:f, s:s, s:f}",
		      "name", name, "family_index", (json_int_t)family,
		      "per_family_instance_index", 0, "run_name", run_name,
		      "run_type", aggregate ? "aggregate" : "iteration",
		      "repetitions", (json_int_t)mr->nsamples,
		      "repetition_index", (json_int_t)rep,
		      "threads", (json_int_t)mr->workers, "iterations", (json_int_t)1,
		      "real_time", real, "cpu_time", cpu, "time_unit", "ns",
		      "items_per_second", real > 0 ? (double)mr->items / (real / 1e9) : 0.0);
	if (o && aggregate) {
		json_object_set_new(o, "aggregate_name", json_string(aggregate));
		json_object_set_new(o, "aggregate_unit", json_string("time"));
	}
	return o;
}

static int write_gbench(FILE *f, const struct loaded_run *run)
{
	const struct bench_report *r = run->report;
	json_t *benchmarks = json_array(), *doc;
	int rc;

	for (size_t i = 0; benchmarks && i < r->nresults; i++) {
		const struct bench_mode_result *mr = &r->results[i];

		for (size_t k = 0; k < mr->nsamples; k++)
			json_array_append_new(benchmarks,
				gbench_entry(r, mr, i, k, NULL,
					     (double)mr->wall_ns[k],
					     (double)mr->cpu_ns[k]));
		json_array_append_new(benchmarks, gbench_entry(r, mr, i, 0, "mean",
			mr->wall.mean, mr->cpu.mean));
		json_array_append_new(benchmarks, gbench_entry(r, mr, i, 0, "median",
			mr->wall.median, mr->cpu.median));
		json_array_append_new(benchmarks, gbench_entry(r, mr, i, 0, "stddev",
			mr->wall.stddev, mr->cpu.stddev));
	}
	doc = json_pack("{s:{s:s, s:s, s:s, s:i, s:i, s:b, s:[], s:[], s:s}, s:o}",
			"context", "date", run->ctx.date, "host_name", run->ctx.host,
			"executable", "bench", "num_cpus", (int)run->ctx.cpus,
			"mhz_per_cpu", 0, "cpu_scaling_enabled", 0, "caches",
			"load_avg", "library_build_type",
			strcmp(run->ctx.build, "release") == 0 ? "release" : "debug",
			"benchmarks", benchmarks);
	if (!doc) {
		error("cannot build the Google Benchmark document");
		return -1;
	}
	rc = json_dumpf(doc, f, JSON_INDENT(2) | JSON_REAL_PRECISION(12));
	fputc('\n', f);
	json_decref(doc);
	return rc == 0 && !ferror(f) ? 0 : -1;
}

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
			if (write_gbench(out.f, &run) != 0)
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
