/*
 * gbench.c - `--format gbench`: results as Google Benchmark's JSON
 * (--benchmark_out_format=json), so that tools written for it
 * (compare.py and friends) read bench's runs. One benchmark family per
 * mode, named WORKLOAD/MODE/workers:N/size:N, each sample a repetition
 * (real_time the wall time, cpu_time the CPU time, in ns), followed by
 * the mean, median and stddev aggregates as Google Benchmark writes them.
 */
#include <jansson.h>
#include <string.h>

#include "cli/cli.h"

/* One entry; aggregate is NULL for a repetition. */
static json_t *entry(const struct bench_report *r,
		     const struct bench_mode_result *mr, size_t family,
		     size_t rep, const char *aggregate, double real, double cpu)
{
	char name[160], run_name[128], label[48];
	json_t *o;

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

int write_gbench(FILE *f, const struct run_output *ro)
{
	const struct bench_report *r = ro->report;
	const struct bench_context *c = ro->context;
	json_t *benchmarks = json_array(), *doc;
	int rc;

	for (size_t i = 0; benchmarks && i < r->nresults; i++) {
		const struct bench_mode_result *mr = &r->results[i];

		for (size_t k = 0; k < mr->nsamples; k++)
			json_array_append_new(benchmarks,
				entry(r, mr, i, k, NULL, (double)mr->wall_ns[k],
				      (double)mr->cpu_ns[k]));
		json_array_append_new(benchmarks, entry(r, mr, i, 0, "mean",
			mr->wall.mean, mr->cpu.mean));
		json_array_append_new(benchmarks, entry(r, mr, i, 0, "median",
			mr->wall.median, mr->cpu.median));
		json_array_append_new(benchmarks, entry(r, mr, i, 0, "stddev",
			mr->wall.stddev, mr->cpu.stddev));
	}
	doc = json_pack("{s:{s:s, s:s, s:s, s:i, s:i, s:b, s:[], s:[], s:s}, s:o}",
			"context", "date", c->date, "host_name", c->host,
			"executable", "bench", "num_cpus", (int)c->cpus,
			"mhz_per_cpu", 0, "cpu_scaling_enabled", 0, "caches",
			"load_avg", "library_build_type",
			strcmp(c->build, "release") == 0 ? "release" : "debug",
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
