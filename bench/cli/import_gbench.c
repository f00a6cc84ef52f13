/*
 * import_gbench.c - Google Benchmark's JSON output
 * (--benchmark_out=F --benchmark_out_format=json) as import.h's samples.
 *
 * With --benchmark_repetitions=N every repetition is one row (run_type
 * "iteration") and the aggregates follow (run_type "aggregate", named
 * NAME_mean, _median, _stddev, _cv). Rows are grouped by run_name, as
 * tools/compare.py groups them by name, and the repetitions' real_time and
 * cpu_time are the samples: the aggregates only summarise them. A
 * benchmark with no repetition rows (--benchmark_report_aggregates_only)
 * keeps its mean, or else its median, as a single sample. Files from
 * versions before run_type are read by the aggregate suffix of the name.
 */
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "import.h"

static const char *const aggregate_suffix[] = { "_mean", "_median",
						"_stddev", "_cv" };

/* ns per time_unit; 0 for a unit Google Benchmark does not write. */
static double unit_ns(const char *unit)
{
	if (!unit || strcmp(unit, "ns") == 0)
		return 1.0;
	if (strcmp(unit, "us") == 0)
		return 1e3;
	if (strcmp(unit, "ms") == 0)
		return 1e6;
	if (strcmp(unit, "s") == 0)
		return 1e9;
	return 0.0;
}

/* One row, classified. */
struct row {
	char group[512];     /* run_name, or name without an aggregate suffix */
	const char *agg;     /* aggregate_name ("mean", ...) or NULL */
	double real_ns, cpu_ns; /* cpu_ns < 0: absent */
};

/* Reads row i; 1 when it is to be skipped (a benchmark that reported an
 * error, a complexity fit), 0 when read, IMPORT_BAD with msg otherwise. */
static int read_row(json_t *o, size_t i, struct row *r, char *msg,
		    size_t msglen)
{
	const char *name = json_string_value(json_object_get(o, "name"));
	const char *run_name = json_string_value(json_object_get(o, "run_name"));
	const char *run_type = json_string_value(json_object_get(o, "run_type"));
	const char *unit = json_string_value(json_object_get(o, "time_unit"));
	json_t *real = json_object_get(o, "real_time");
	json_t *cpu = json_object_get(o, "cpu_time");
	const char *suffix = NULL;
	size_t len;
	double scale;
	int is_agg;

	if (!json_is_object(o) || !name) {
		snprintf(msg, msglen, "benchmarks[%zu]: expected an object with a \"name\"", i);
		return IMPORT_BAD;
	}
	if (json_is_true(json_object_get(o, "error_occurred")))
		return 1;
	/* Without run_type (older versions) only the name tells an
	 * aggregate, by its suffix. */
	is_agg = run_type && strcmp(run_type, "aggregate") == 0;
	len = strlen(name);
	for (size_t k = 0; !suffix && k < sizeof(aggregate_suffix) / sizeof(*aggregate_suffix); k++) {
		size_t sl = strlen(aggregate_suffix[k]);

		if (len > sl && strcmp(name + len - sl, aggregate_suffix[k]) == 0)
			suffix = aggregate_suffix[k];
	}
	if (!run_type && suffix)
		is_agg = 1;
	r->agg = NULL;
	if (is_agg) {
		r->agg = json_string_value(json_object_get(o, "aggregate_name"));
		if (!r->agg)
			r->agg = suffix ? suffix + 1 : "other";
		if (suffix)
			len -= strlen(suffix);
	}
	if (run_name)
		snprintf(r->group, sizeof(r->group), "%s", run_name);
	else
		snprintf(r->group, sizeof(r->group), "%.*s",
			 (int)(len < sizeof(r->group) ? len : sizeof(r->group) - 1),
			 name);
	/* Complexity fits (BigO, RMS) and user statistics are not times. */
	if (r->agg && strcmp(r->agg, "mean") != 0 && strcmp(r->agg, "median") != 0)
		return 1;
	if (!json_is_number(real)) {
		snprintf(msg, msglen, "benchmarks[%zu] (%s): expected a number \"real_time\"",
			 i, name);
		return IMPORT_BAD;
	}
	if (!(scale = unit_ns(unit))) {
		snprintf(msg, msglen, "benchmarks[%zu] (%s): expected \"time_unit\" ns, us, ms or s",
			 i, name);
		return IMPORT_BAD;
	}
	r->real_ns = json_number_value(real) * scale;
	r->cpu_ns = json_is_number(cpu) ? json_number_value(cpu) * scale : -1.0;
	if (!(r->real_ns >= 0 && r->real_ns <= IMPORT_TIME_MAX_NS) ||
	    !(r->cpu_ns <= IMPORT_TIME_MAX_NS)) {
		snprintf(msg, msglen, "benchmarks[%zu] (%s): expected times from 0 to 1e18 ns",
			 i, name);
		return IMPORT_BAD;
	}
	return 0;
}

int import__gbench(json_t *doc, struct import_set *set, char *msg,
		   size_t msglen)
{
	json_t *rows = json_object_get(doc, "benchmarks");
	json_t *ctx = json_object_get(doc, "context");
	const char *host = json_string_value(json_object_get(ctx, "host_name"));
	const char *date = json_string_value(json_object_get(ctx, "date"));
	size_t nrows = json_array_size(rows), kept = 0;
	char about[512];

	/* Pass 0: repetitions; pass 1: means of benchmarks without any;
	 * pass 2: medians of those still without. */
	for (int pass = 0; pass < 3; pass++) {
		for (size_t i = 0; i < nrows; i++) {
			struct row r;
			struct import_bench *b;
			int rc = read_row(json_array_get(rows, i), i, &r, msg, msglen);

			if (rc == IMPORT_BAD)
				return rc;
			if (rc)
				continue;
			if (!(b = import__bench(set, r.group))) {
				snprintf(msg, msglen, "out of memory, or more than %d benchmarks",
					 IMPORT_BENCHMARKS_MAX);
				return IMPORT_BAD;
			}
			if (pass == 0 ? r.agg != NULL :
			    b->n && !b->from_aggregates ? 1 :
			    pass == 1 ? strcmp(r.agg ? r.agg : "", "mean") != 0 :
			    b->n || strcmp(r.agg ? r.agg : "", "median") != 0)
				continue;
			b->from_aggregates = pass > 0;
			if (import__sample(b, r.real_ns, r.cpu_ns) != 0) {
				snprintf(msg, msglen, "out of memory, or more than %d samples",
					 IMPORT_SAMPLES_MAX);
				return IMPORT_BAD;
			}
		}
	}
	/* Benchmarks that had only errors or complexity rows hold nothing. */
	for (size_t i = 0; i < set->n; i++) {
		if (set->b[i].n) {
			set->b[kept++] = set->b[i];
			continue;
		}
		free(set->b[i].name);
		free(set->b[i].real_ns);
		free(set->b[i].cpu_ns);
	}
	set->n = kept;
	if (!set->n) {
		snprintf(msg, msglen, "Google Benchmark JSON without a benchmark that has a time");
		return IMPORT_BAD;
	}
	set->format = "Google Benchmark JSON";
	snprintf(about, sizeof(about), "%.200s%s%.200s", date ? date : "",
		 date && host ? ", host " : "", host ? host : "");
	/* Escaped whole characters: a cut never leaves broken UTF-8. */
	esc_bytes(set->about, sizeof(set->about), about, strlen(about), 200, 0);
	return 0;
}
