/*
 * writer_json.c - `--format json`: the bench.run/1 document.
 *
 * The core fields (schema, context.host ... context.date, and per result
 * workload, mode, workers, size, chunk, seed, samples_ns, median_ns,
 * checksum, verified) are a contract that scripts rely on: fields may be
 * added, never renamed. Jansson builds and serialises the document.
 */
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "cli.h"

#define SCHEMA "bench.run/1"

static json_t *ns_array(const bench_ns *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_integer((json_int_t)v[i]));
	return a;
}

/* NaN has no JSON spelling: a missing speedup is null. */
static json_t *real_or_null(double v)
{
	return isnan(v) || isinf(v) ? json_null() : json_real(v);
}

static json_t *context(const struct bench_context *c)
{
	return json_pack("{s:s, s:s, s:i, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
			 "host", c->host, "cpu_model", c->cpu_model,
			 "cpus", (int)c->cpus, "cpus_online", (int)c->cpus_online,
			 "kernel", c->kernel, "compiler", c->compiler,
			 "cflags", c->cflags, "build", c->build,
			 "openssl", c->openssl, "jansson", JANSSON_VERSION,
			 "bench", c->version, "git", c->git, "date", c->date);
}

static json_t *stats(const struct bench_stats *s)
{
	return json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f}",
			 "median_ns", s->median, "mean_ns", s->mean,
			 "min_ns", s->min, "max_ns", s->max,
			 "stddev_ns", s->stddev, "cv", s->cv, "mad_ns", s->mad,
			 "ci_low_ns", s->ci_low, "ci_high_ns", s->ci_high,
			 "ci_level", s->ci_level);
}

static json_t *result(const struct bench_report *r,
		      const struct bench_mode_result *mr)
{
	json_t *o, *outliers = json_array();

	for (size_t k = 0; outliers && k < mr->nsamples; k++)
		if (mr->outlier[k])
			json_array_append_new(outliers, json_integer((json_int_t)k));
	o = json_pack("{s:s, s:s, s:i, s:I, s:I, s:I, s:I, s:I, s:o, s:f, s:s, s:b}",
		      "workload", r->wl->name, "mode", bench_mode_name(mr->mode),
		      "workers", (int)mr->workers,
		      "size", (json_int_t)r->params.size,
		      "chunk", (json_int_t)r->chunk,
		      "seed", (json_int_t)r->params.seed,
		      "items", (json_int_t)r->items,
		      "tasks", (json_int_t)r->tasks,
		      "samples_ns", ns_array(mr->wall_ns, mr->nsamples),
		      "median_ns", mr->wall.median,
		      "checksum", mr->checksum, "verified", mr->verified);
	if (!o)
		return NULL;
	if (strcmp(r->wl->name, "search") == 0)
		json_object_set_new(o, "queries", json_integer((json_int_t)r->params.queries));
	if (r->wl->flags & BENCH_WL_WAITS)
		json_object_set_new(o, "max_ms", json_integer((json_int_t)r->params.max_ms));
	json_object_set_new(o, "wall", stats(&mr->wall));
	json_object_set_new(o, "cpu_samples_ns", ns_array(mr->cpu_ns, mr->nsamples));
	json_object_set_new(o, "cpu", stats(&mr->cpu));
	json_object_set_new(o, "outliers", outliers);
	json_object_set_new(o, "items_per_s", json_real(mr->items_per_s));
	json_object_set_new(o, "speedup", real_or_null(mr->speedup));
	json_object_set_new(o, "efficiency", real_or_null(mr->efficiency));
	json_object_set_new(o, "maxrss_kb", json_integer((json_int_t)mr->maxrss_kb));
	return o;
}

int write_json(FILE *f, const struct run_output *ro)
{
	const struct bench_report *r = ro->report;
	json_t *doc, *results = json_array(), *warnings = json_array();
	int rc;

	for (size_t i = 0; results && i < r->nresults; i++)
		json_array_append_new(results, result(r, &r->results[i]));
	for (size_t i = 0; warnings && i < ro->nwarnings; i++)
		json_array_append_new(warnings, json_string(ro->warnings[i]));
	doc = json_pack("{s:s, s:o, s:{s:i, s:i, s:I, s:I, s:I, s:o}, s:o}",
			"schema", SCHEMA, "context", context(ro->context),
			"run", "repeat", (int)r->repeat, "warmup", (int)r->warmup,
			"prepare_ns", (json_int_t)r->prepare_ns,
			"total_ns", (json_int_t)r->total_ns,
			"cpus", (json_int_t)r->cpus, "warnings", warnings,
			"results", results);
	if (!doc) {
		error("cannot build the JSON document");
		return -1;
	}
	rc = json_dumpf(doc, f, JSON_INDENT(2) | JSON_REAL_PRECISION(12));
	fputc('\n', f);
	json_decref(doc);
	return rc == 0 && !ferror(f) ? 0 : -1;
}
