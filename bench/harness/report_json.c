/*
 * report_json.c - bench.run/1 documents: writing and reading them back.
 *
 * Jansson builds and parses the JSON. Reading keeps only the raw inputs
 * (cases, samples, checksums, context) and recomputes everything derived,
 * through the same code a live run uses.
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/report.h"
#include "report_internal.h"

static json_t *ns_array(const bench_ns *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_integer((json_int_t)v[i]));
	return a;
}

/* NaN and infinity have no JSON spelling: they become null. */
static json_t *real_or_null(double v)
{
	return isnan(v) || isinf(v) ? json_null() : json_real(v);
}

static json_t *context_json(const struct bench_context *c)
{
	json_t *o = json_pack("{s:s, s:s, s:i, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
			      "host", c->host, "cpu_model", c->cpu_model,
			      "cpus", (int)c->cpus, "cpus_online", (int)c->cpus_online,
			      "kernel", c->kernel, "compiler", c->compiler,
			      "cflags", c->cflags, "build", c->build,
			      "openssl", c->openssl, "jansson", JANSSON_VERSION,
			      "bench", c->version, "git", c->git, "date", c->date);

	if (o && c->python_impl[0])
		json_object_set_new(o, "python",
				    json_pack("{s:s, s:s, s:s, s:b, s:I}",
					      "implementation", c->python_impl,
					      "version", c->python_version,
					      "executable", c->python_exe,
					      "gil", c->python_gil,
					      "startup_ns", (json_int_t)c->python_startup_ns));
	return o;
}

static json_t *stats_json(const struct bench_stats *s)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I}",
			 "median_ns", real_or_null(s->median),
			 "mean_ns", real_or_null(s->mean),
			 "min_ns", real_or_null(s->min),
			 "max_ns", real_or_null(s->max),
			 "stddev_ns", real_or_null(s->stddev),
			 "cv", real_or_null(s->cv), "mad_ns", real_or_null(s->mad),
			 "ci_low_ns", real_or_null(s->ci_low),
			 "ci_high_ns", real_or_null(s->ci_high),
			 "ci_level", real_or_null(s->ci_level),
			 "outliers", (json_int_t)s->outliers);
}

/* An option's JSON key: its name with dashes as underscores. */
static void json_key(const char *name, char *key, size_t len)
{
	size_t i;

	for (i = 0; name[i] && i + 1 < len; i++)
		key[i] = name[i] == '-' ? '_' : name[i];
	key[i] = '\0';
}

static json_t *result_json(const struct bench_report *r,
			   const struct bench_mode_result *mr)
{
	json_t *o, *outliers = json_array();

	for (size_t k = 0; outliers && k < mr->nsamples; k++)
		if (mr->outlier[k])
			json_array_append_new(outliers, json_integer((json_int_t)k));
	o = json_pack("{s:s, s:s, s:i, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:s, s:b}",
		      "workload", r->wl->name, "mode", mr->mode->name,
		      "workers", (int)mr->workers,
		      "size", (json_int_t)mr->size,
		      "chunk", (json_int_t)mr->chunk,
		      "seed", (json_int_t)r->params.seed,
		      "items", (json_int_t)mr->items,
		      "tasks", (json_int_t)mr->tasks,
		      "samples_ns", ns_array(mr->wall_ns, mr->nsamples),
		      "median_ns", real_or_null(mr->wall.median),
		      "checksum", mr->checksum, "verified", mr->verified);
	if (!o)
		return NULL;
	json_object_set_new(o, "engine", json_string(bench_engine_name(mr->engine)));
	/* What the executor told about the case (mode queue's broker). */
	if (mr->note[0])
		json_object_set_new(o, "executor_note", json_string(mr->note));
	/* The workload's own options, as it declares them. */
	for (unsigned k = 0; k < r->params.nopts; k++) {
		const struct bench_param *v = &r->params.opts[k];
		const struct bench_option *d = &r->wl->options[k];
		char key[64];

		json_key(v->name, key, sizeof(key));
		if (d->kind == BENCH_OPT_TEXT && v->text)
			json_object_set_new(o, key, json_string(v->text));
		else if (d->kind == BENCH_OPT_NUMBER)
			json_object_set_new(o, key, json_integer((json_int_t)v->num));
		else if (d->kind == BENCH_OPT_FLAG)
			json_object_set_new(o, key, json_boolean(v->num));
	}
	if (r->gil_ns && mr->mode->flags & BENCH_EXEC_GIL)
		json_object_set_new(o, "gil_ms", json_real((double)r->gil_ns / 1e6));
	for (unsigned k = 0; k < mr->nfields; k++)
		json_object_set_new(o, r->wl->field_names[k],
				    json_integer((json_int_t)mr->fields[k]));
	json_object_set_new(o, "wall", stats_json(&mr->wall));
	json_object_set_new(o, "cpu_samples_ns", ns_array(mr->cpu_ns, mr->nsamples));
	json_object_set_new(o, "cpu", stats_json(&mr->cpu));
	json_object_set_new(o, "outliers", outliers);
	json_object_set_new(o, "items_per_s", real_or_null(mr->items_per_s));
	json_object_set_new(o, "speedup", real_or_null(mr->speedup));
	json_object_set_new(o, "efficiency", real_or_null(mr->efficiency));
	json_object_set_new(o, "maxrss_kb", json_integer((json_int_t)mr->maxrss_kb));
	return o;
}

int bench_report_amdahl(const struct bench_report *r,
			const struct bench_executor *mode,
			struct bench_amdahl *out)
{
	double *p = malloc((r->nresults + 1) * sizeof(*p));
	double *s = malloc((r->nresults + 1) * sizeof(*s));
	size_t n = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!p || !s) {
		free(p);
		free(s);
		return BENCH_ENOMEM;
	}
	p[n] = 1.0; /* the reference is the point (1, 1) by definition */
	s[n++] = 1.0;
	for (size_t i = 0; i < r->nresults; i++) {
		const struct bench_mode_result *mr = &r->results[i];

		/* Past the CPU count speedup is capped by the machine, not by
		 * the program's serial part: those points would fake an f. */
		if (mr->mode == mode && mr->engine == BENCH_ENGINE_NATIVE &&
		    !isnan(mr->speedup) && mr->speedup > 0 &&
		    mr->workers <= r->cpus) {
			p[n] = mr->workers;
			s[n++] = mr->speedup;
		}
	}
	rc = bench_amdahl_fit(p, s, n, out);
	free(p);
	free(s);
	return rc;
}

int bench_report_complexity(const struct bench_report *r,
			    const struct bench_executor *mode,
			    struct bench_fit *out)
{
	double *x = malloc((r->nresults + 1) * sizeof(*x));
	double *t = malloc((r->nresults + 1) * sizeof(*t));
	size_t n = 0, first = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!x || !t) {
		free(x);
		free(t);
		return BENCH_ENOMEM;
	}
	while (first < r->nresults && r->results[first].mode != mode)
		first++;
	for (size_t i = first; i < r->nresults; i++) {
		const struct bench_mode_result *mr = &r->results[i];

		if (mr->mode == mode && mr->engine == r->results[first].engine &&
		    mr->wall.median > 0) {
			x[n] = (double)mr->size;
			t[n++] = mr->wall.median;
		}
	}
	rc = bench_fit_complexity(x, t, n, out);
	free(x);
	free(t);
	return rc;
}

/* Modes present in r, in first-appearance order; returns the count. */
static size_t modes_of(const struct bench_report *r,
		       const struct bench_executor **modes)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nresults; i++) {
		size_t k;

		for (k = 0; k < n && modes[k] != r->results[i].mode; k++)
			;
		if (k == n)
			modes[n++] = r->results[i].mode;
	}
	return n;
}

static json_t *scale_analysis(const struct bench_report *r)
{
	const struct bench_executor *modes[BENCH_EXECUTORS_MAX];
	size_t n = modes_of(r, modes);
	json_t *a = json_array();

	for (size_t k = 0; a && k < n; k++) {
		struct bench_amdahl fit;
		json_t *points, *o;

		if (modes[k]->flags & BENCH_EXEC_REFERENCE)
			continue;
		points = json_array();
		for (size_t i = 0; points && i < r->nresults; i++) {
			const struct bench_mode_result *mr = &r->results[i];

			if (mr->mode != modes[k])
				continue;
			json_array_append_new(points, json_pack("{s:i, s:o, s:o, s:o}",
				"workers", (int)mr->workers,
				"speedup", real_or_null(mr->speedup),
				"efficiency", real_or_null(mr->efficiency),
				"karp_flatt", real_or_null(bench_karp_flatt(mr->speedup, mr->workers))));
		}
		if (bench_report_amdahl(r, modes[k], &fit) == 0)
			o = json_pack("{s:s, s:o, s:o, s:o, s:o}",
				      "mode", modes[k]->name,
				      "serial_fraction", real_or_null(fit.serial_fraction),
				      "max_speedup", real_or_null(fit.max_speedup),
				      "rmse", real_or_null(fit.rmse), "points", points);
		else
			o = json_pack("{s:s, s:n, s:o}", "mode",
				      modes[k]->name,
				      "serial_fraction", "points", points);
		json_array_append_new(a, o);
	}
	return json_pack("{s:o}", "amdahl", a);
}

static json_t *complexity_analysis(const struct bench_report *r)
{
	const struct bench_executor *modes[BENCH_EXECUTORS_MAX];
	size_t n = modes_of(r, modes);
	json_t *a = json_array();

	for (size_t k = 0; a && k < n; k++) {
		struct bench_fit fit;
		json_t *fits = json_object();

		if (bench_report_complexity(r, modes[k], &fit) != 0) {
			json_decref(fits);
			continue;
		}
		for (int c = 0; fits && c < BENCH_O_COUNT; c++)
			json_object_set_new(fits, bench_bigo_name((enum bench_bigo)c),
					    json_pack("{s:o, s:o}",
						      "coef_ns", real_or_null(fit.coef[c]),
						      "error", real_or_null(fit.error[c])));
		json_array_append_new(a, json_pack("{s:s, s:s, s:o, s:o, s:o}",
			"mode", modes[k]->name,
			"best", bench_bigo_name(fit.best),
			"coef_ns", real_or_null(fit.coef[fit.best]),
			"error", real_or_null(fit.error[fit.best]), "fits", fits));
	}
	return json_pack("{s:o}", "complexity", a);
}

char *bench_report_json(const struct bench_report *r,
			const struct bench_context *ctx, const char *kind,
			const char *const *warnings, size_t n, int pretty,
			struct bench_err *err)
{
	json_t *doc, *results = json_array(), *warns = json_array();
	char *text;

	for (size_t i = 0; results && i < r->nresults; i++)
		json_array_append_new(results, result_json(r, &r->results[i]));
	for (size_t i = 0; warns && i < n; i++)
		json_array_append_new(warns, json_string(warnings[i]));
	doc = json_pack("{s:s, s:s, s:o, s:{s:s, s:i, s:i, s:I, s:I, s:I, s:i, s:o}, s:o}",
			"schema", BENCH_SCHEMA, "kind", kind,
			"context", context_json(ctx),
			"run", "workload", r->wl->name,
			"repeat", (int)r->repeat, "warmup", (int)r->warmup,
			"prepare_ns", (json_int_t)r->prepare_ns,
			"sampled_ns", (json_int_t)r->sampled_ns,
			"total_ns", (json_int_t)r->total_ns,
			"cpus", (int)r->cpus, "warnings", warns,
			"results", results);
	if (!doc) {
		bench_err_set(err, BENCH_ENOMEM, "cannot build the JSON document");
		return NULL;
	}
	if (r->launch_ns)
		json_object_set_new(json_object_get(doc, "run"), "launch_ns",
				    json_integer((json_int_t)r->launch_ns));
	if (strcmp(kind, "scale") == 0)
		json_object_set_new(doc, "analysis", scale_analysis(r));
	else if (strcmp(kind, "complexity") == 0)
		json_object_set_new(doc, "analysis", complexity_analysis(r));
	text = json_dumps(doc, (pretty ? JSON_INDENT(2) : JSON_COMPACT) |
				       JSON_REAL_PRECISION(12));
	json_decref(doc);
	if (!text)
		bench_err_set(err, BENCH_ENOMEM, "cannot serialise the JSON document");
	return text;
}

/* ---- reading ---- */

#define GIL_MS_MAX 10000 /* the longest --gil interval, ms */

static void copy_str(char *dst, size_t len, json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	snprintf(dst, len, "%s", s ? s : "unknown");
}

static int read_samples(json_t *arr, bench_ns *dst, size_t n)
{
	if (!json_is_array(arr) || json_array_size(arr) != n)
		return -1;
	for (size_t k = 0; k < n; k++) {
		json_t *v = json_array_get(arr, k);

		if (!json_is_integer(v) || json_integer_value(v) < 0)
			return -1;
		dst[k] = (bench_ns)json_integer_value(v);
	}
	return 0;
}

/* A whole number in [min, max] at key, or -1 (absent keys are 0). */
static int64_t int_in(json_t *o, const char *key, int64_t min, int64_t max)
{
	json_t *v = json_object_get(o, key);
	json_int_t n;

	if (!v)
		return min <= 0 ? 0 : -1;
	if (!json_is_integer(v))
		return -1;
	n = json_integer_value(v);
	return n < min || n > max ? -1 : (int64_t)n;
}

static int parse_result(struct bench_report *r, size_t i, json_t *o,
			struct bench_err *err)
{
	struct bench_mode_result *mr = &r->results[i];
	json_t *samples = json_object_get(o, "samples_ns");
	json_t *cpu = json_object_get(o, "cpu_samples_ns");
	const char *mode = json_string_value(json_object_get(o, "mode"));
	const char *engine = json_string_value(json_object_get(o, "engine"));
	const char *sum = json_string_value(json_object_get(o, "checksum"));
	size_t n = json_array_size(samples);

	if (!(mr->mode = bench_executor_find(mode)))
		return bench_err_set(err, BENCH_EINVAL,
				     "result %zu: unknown mode '%s'", i + 1,
				     mode ? mode : "(missing)");
	/* Documents from before engines existed are native. */
	if ((json_object_get(o, "engine") && !engine) ||
	    (engine && bench_engine_parse(engine, &mr->engine) != 0))
		return bench_err_set(err, BENCH_EINVAL,
				     "result %zu: unknown engine '%.32s'", i + 1,
				     engine);
	if (!json_is_array(samples) || n == 0 || n > BENCH_REPEAT_MAX)
		return bench_err_set(err, BENCH_EINVAL,
				     "result %zu: samples_ns must hold 1 to %d samples",
				     i + 1, BENCH_REPEAT_MAX);
	{
		int64_t workers = int_in(o, "workers", 1, BENCH_WORKERS_MAX);
		int64_t size = int_in(o, "size", 1, INT64_MAX);
		int64_t chunk = int_in(o, "chunk", 0, INT64_MAX);
		int64_t items = int_in(o, "items", 0, INT64_MAX);
		int64_t tasks = int_in(o, "tasks", 0, INT64_MAX);
		int64_t rss = int_in(o, "maxrss_kb", 0, INT64_MAX);

		if (workers < 0 || size < 0 || chunk < 0 || items < 0 ||
		    tasks < 0 || rss < 0)
			return bench_err_set(err, BENCH_EINVAL,
					     "result %zu: workers (1 to %d), size (at least 1), chunk, items, tasks and maxrss_kb must be whole numbers in range",
					     i + 1, BENCH_WORKERS_MAX);
		mr->workers = (unsigned)workers;
		mr->size = (uint64_t)size;
		mr->chunk = (uint64_t)chunk;
		mr->items = (uint64_t)items;
		mr->tasks = (uint64_t)tasks;
		mr->maxrss_kb = (uint64_t)rss;
	}
	snprintf(mr->checksum, sizeof(mr->checksum), "%s", sum ? sum : "");
	mr->nfields = bench_workload_nfields(r->wl);
	for (unsigned k = 0; k < mr->nfields; k++) {
		int64_t v = int_in(o, r->wl->field_names[k], 0, INT64_MAX);

		if (v < 0)
			return bench_err_set(err, BENCH_EINVAL,
					     "result %zu: %s must be a whole number",
					     i + 1, r->wl->field_names[k]);
		mr->fields[k] = (uint64_t)v;
	}
	mr->wall_ns = calloc(n, sizeof(*mr->wall_ns));
	mr->cpu_ns = calloc(n, sizeof(*mr->cpu_ns));
	mr->outlier = calloc(n, 1);
	if (!mr->wall_ns || !mr->cpu_ns || !mr->outlier)
		return bench_err_set(err, BENCH_ENOMEM, "out of memory");
	mr->nsamples = n;
	if (read_samples(samples, mr->wall_ns, n) != 0)
		return bench_err_set(err, BENCH_EINVAL,
				     "result %zu: samples_ns must hold whole numbers",
				     i + 1);
	/* CPU samples are optional: older or foreign documents lack them. */
	if (cpu && read_samples(cpu, mr->cpu_ns, n) != 0)
		return bench_err_set(err, BENCH_EINVAL,
				     "result %zu: cpu_samples_ns does not match samples_ns",
				     i + 1);
	if (n > r->repeat)
		r->repeat = (unsigned)n;
	return 0;
}

int bench_report_parse(const char *text, struct bench_report **out,
		       struct bench_context *ctx, char *kind,
		       struct bench_err *err)
{
	json_error_t jerr;
	json_t *doc = json_loads(text, 0, &jerr), *results, *run, *c, *first;
	struct bench_report *r = NULL;
	const char *schema, *wl;
	int rc = BENCH_EINVAL;

	*out = NULL;
	if (!doc)
		return bench_err_set(err, BENCH_EINVAL,
				     "not JSON: %s at line %d", jerr.text,
				     jerr.line);
	schema = json_string_value(json_object_get(doc, "schema"));
	results = json_object_get(doc, "results");
	run = json_object_get(doc, "run");
	c = json_object_get(doc, "context");
	if (!schema || strcmp(schema, BENCH_SCHEMA) != 0 ||
	    !json_is_array(results) || json_array_size(results) == 0 ||
	    json_array_size(results) > BENCH_CASES_MAX) {
		bench_err_set(err, BENCH_EINVAL,
			      "not a bench result: expected \"schema\": \"%s\" and results",
			      BENCH_SCHEMA);
		goto out;
	}
	first = json_array_get(results, 0);
	wl = json_string_value(json_object_get(first, "workload"));
	r = calloc(1, sizeof(*r));
	if (r)
		r->results = calloc(json_array_size(results), sizeof(*r->results));
	if (!r || !r->results) {
		rc = bench_err_set(err, BENCH_ENOMEM, "out of memory");
		goto out;
	}
	r->wl = wl ? bench_workload_find(wl) : NULL;
	if (!r->wl) {
		bench_err_set(err, BENCH_EINVAL, "unknown workload '%s'",
			      wl ? wl : "(missing)");
		goto out;
	}
	r->params.size = (uint64_t)json_integer_value(json_object_get(first, "size"));
	/* Seeds are unsigned 64-bit: Jansson reads the upper half as negative,
	 * and the cast gives the bits back. */
	r->params.seed = (uint64_t)json_integer_value(json_object_get(first, "seed"));
	/* The workload's options as recorded; a missing or malformed one
	 * takes its default, as documents from before it existed. */
	for (unsigned k = 0; k < bench_workload_noptions(r->wl); k++) {
		const struct bench_option *d = &r->wl->options[k];
		char key[64];
		json_t *v;

		json_key(d->name, key, sizeof(key));
		v = json_object_get(first, key);
		if (d->kind == BENCH_OPT_TEXT && json_is_string(v)) {
			if (!(r->opt_copy[k] = strdup(json_string_value(v)))) {
				bench_err_set(err, BENCH_ENOMEM, "out of memory");
				goto out;
			}
			bench_params_set(&r->params, d->name, 0, r->opt_copy[k]);
		} else if (d->kind == BENCH_OPT_FLAG && json_is_boolean(v)) {
			bench_params_set(&r->params, d->name, json_is_true(v), NULL);
		} else if (d->kind == BENCH_OPT_NUMBER && json_is_integer(v) &&
			   json_integer_value(v) >= (json_int_t)d->min &&
			   (uint64_t)json_integer_value(v) <= d->max) {
			bench_params_set(&r->params, d->name,
					 (uint64_t)json_integer_value(v), NULL);
		}
	}
	{
		struct bench_err ignored = { 0 };
		uint64_t size = r->params.size, seed = r->params.seed;

		/* Fills the defaults; size and seed stay as recorded. */
		bench_workload_params(r->wl, &r->params, &ignored);
		r->params.size = size;
		r->params.seed = seed;
	}
	/* The lock's interval, as written: on results of modes that run
	 * under it, and within --gil's range (which also keeps the
	 * conversion to nanoseconds defined); anything else is ignored. */
	for (size_t i = 0; i < json_array_size(results); i++) {
		json_t *o = json_array_get(results, i);
		json_t *g = json_object_get(o, "gil_ms");
		const struct bench_executor *m =
			bench_executor_find(json_string_value(json_object_get(o, "mode")));

		if (m && m->flags & BENCH_EXEC_GIL && json_is_number(g) &&
		    json_number_value(g) > 0 && json_number_value(g) <= GIL_MS_MAX)
			r->gil_ns = (bench_ns)(json_number_value(g) * 1e6 + 0.5);
	}
	{
		int64_t warmup = int_in(run, "warmup", 0, BENCH_REPEAT_MAX);
		int64_t prep = int_in(run, "prepare_ns", 0, INT64_MAX);
		int64_t launch = int_in(run, "launch_ns", 0, INT64_MAX);
		int64_t sampled = int_in(run, "sampled_ns", 0, INT64_MAX);
		int64_t total = int_in(run, "total_ns", 0, INT64_MAX);
		int64_t cpus = int_in(c, "cpus", 0, 1 << 20);

		if (warmup < 0 || prep < 0 || sampled < 0 || total < 0 ||
		    cpus < 0 || launch < 0) {
			bench_err_set(err, BENCH_EINVAL,
				      "run or context holds a negative or out-of-range number");
			goto out;
		}
		r->warmup = (unsigned)warmup;
		r->prepare_ns = (bench_ns)prep;
		r->launch_ns = (bench_ns)launch;
		r->sampled_ns = (bench_ns)sampled;
		r->total_ns = (bench_ns)total;
		r->cpus = cpus ? (unsigned)cpus : 1;
	}
	for (size_t i = 0; i < json_array_size(results); i++) {
		json_t *o = json_array_get(results, i);
		const char *w = json_string_value(json_object_get(o, "workload"));

		r->nresults = i + 1;
		if (!w || strcmp(w, r->wl->name) != 0) {
			bench_err_set(err, BENCH_EINVAL,
				      "result %zu is for workload '%s', not '%s'",
				      i + 1, w ? w : "(missing)", r->wl->name);
			goto out;
		}
		if ((rc = parse_result(r, i, o, err)) != 0)
			goto out;
		rc = BENCH_EINVAL;
		if (r->results[i].workers > r->workers &&
		    !(r->results[i].mode->flags & BENCH_EXEC_REFERENCE))
			r->workers = r->results[i].workers;
	}
	if (r->workers == 0)
		r->workers = 1;
	r->items = r->results[0].items;
	r->chunk = r->results[0].chunk;
	r->tasks = r->results[0].tasks;
	bench__report_summarise(r);
	/* The stored build decides the build warning, not this one. */
	r->warnings &= ~(unsigned)BENCH_WARN_BUILD;
	if (!json_is_string(json_object_get(c, "build")) ||
	    strcmp(json_string_value(json_object_get(c, "build")), "release") != 0)
		r->warnings |= BENCH_WARN_BUILD;
	/* Verification is redone, not trusted: every result must carry the
	 * checksum of the first result of its size. */
	for (size_t i = 0; i < r->nresults; i++) {
		struct bench_mode_result *mr = &r->results[i];
		size_t k = 0;

		while (r->results[k].size != mr->size)
			k++;
		mr->verified = mr->checksum[0] &&
			       strcmp(mr->checksum, r->results[k].checksum) == 0;
	}
	if (ctx) {
		memset(ctx, 0, sizeof(*ctx));
		copy_str(ctx->host, sizeof(ctx->host), c, "host");
		copy_str(ctx->cpu_model, sizeof(ctx->cpu_model), c, "cpu_model");
		copy_str(ctx->kernel, sizeof(ctx->kernel), c, "kernel");
		copy_str(ctx->compiler, sizeof(ctx->compiler), c, "compiler");
		copy_str(ctx->cflags, sizeof(ctx->cflags), c, "cflags");
		copy_str(ctx->build, sizeof(ctx->build), c, "build");
		copy_str(ctx->openssl, sizeof(ctx->openssl), c, "openssl");
		copy_str(ctx->version, sizeof(ctx->version), c, "bench");
		copy_str(ctx->git, sizeof(ctx->git), c, "git");
		copy_str(ctx->date, sizeof(ctx->date), c, "date");
		if (json_is_object(json_object_get(c, "python"))) {
			json_t *py = json_object_get(c, "python");
			json_int_t t = json_integer_value(json_object_get(py, "startup_ns"));

			copy_str(ctx->python_impl, sizeof(ctx->python_impl), py,
				 "implementation");
			copy_str(ctx->python_version, sizeof(ctx->python_version),
				 py, "version");
			copy_str(ctx->python_exe, sizeof(ctx->python_exe), py,
				 "executable");
			ctx->python_gil = json_is_true(json_object_get(py, "gil"));
			ctx->python_startup_ns = t > 0 ? (unsigned long long)t : 0;
		}
		ctx->cpus = r->cpus;
		ctx->cpus_online = (unsigned)json_integer_value(json_object_get(c, "cpus_online"));
	}
	if (kind) {
		const char *k = json_string_value(json_object_get(doc, "kind"));

		if (!k)
			k = "run";
		if (strcmp(k, "run") != 0 && strcmp(k, "scale") != 0 &&
		    strcmp(k, "complexity") != 0) {
			bench_err_set(err, BENCH_EINVAL,
				      "kind '%.32s': expected run, scale or complexity", k);
			goto out;
		}
		snprintf(kind, BENCH_KIND_MAX, "%s", k);
	}
	*out = r;
	r = NULL;
	rc = 0;
out:
	bench_report_destroy(r);
	json_decref(doc);
	return rc;
}
