/*
 * import.h - timings written by other tools, read for `bench compare` and
 * `bench report`: Google Benchmark's JSON (--benchmark_out_format=json)
 * and hyperfine's --export-json.
 *
 * Each file becomes a list of named benchmarks with raw samples in
 * nanoseconds, nothing more: those tools' documents carry no workload,
 * mode or checksum, so they cannot become a bench_report. The format is
 * recognised by content, never by the file's name.
 */
#ifndef BENCH_CLI_IMPORT_H
#define BENCH_CLI_IMPORT_H

#include <jansson.h>
#include <stddef.h>

#include "cli.h"

/* Bounds on what a file may make the importer allocate. */
#define IMPORT_BENCHMARKS_MAX 100000
#define IMPORT_SAMPLES_MAX 1000000
/* The longest time read, ns (about 31 years): sums of IMPORT_SAMPLES_MAX
 * of them stay finite, so every statistic does. */
#define IMPORT_TIME_MAX_NS 1e18

/* One benchmark (Google Benchmark) or command (hyperfine). */
struct import_bench {
	char *name;          /* run_name, or the command */
	double *real_ns;     /* wall-clock samples, ns, 0..IMPORT_TIME_MAX_NS */
	double *cpu_ns;      /* CPU samples, ns, parallel to real_ns; < 0
				where the file records none */
	size_t n;            /* samples in real_ns (and cpu_ns) */
	size_t cap;          /* allocated slots */
	int from_aggregates; /* 1: no per-repetition rows, the samples are
				the aggregate rows' mean (or median) */
};

struct import_set {
	const char *format;      /* "Google Benchmark JSON", "hyperfine export" */
	struct import_bench *b;  /* in the file's order */
	size_t n;
	char about[256];         /* host and date, when the file says */
};

/* Outcomes of import_parse() besides 0 (imported). */
enum {
	IMPORT_NOT_JSON = 1, /* not JSON: the bench parser says why */
	IMPORT_BENCH = 2,    /* JSON with a "schema": a bench document */
	IMPORT_UNKNOWN = 3,  /* JSON in none of the known formats */
	IMPORT_BAD = -1,     /* a known format, malformed: see msg */
};

/*
 * Recognises text as Google Benchmark JSON (an object with a "benchmarks"
 * array) or a hyperfine export (an object whose "results" are objects
 * with a "command"), and reads it into *out (free with import_destroy).
 * Returns 0, or one of the IMPORT_* outcomes; on IMPORT_BAD msg holds
 * one line saying what was expected. *out is NULL unless 0 is returned.
 */
int import_parse(const char *text, struct import_set **out, char *msg,
		 size_t msglen);
void import_destroy(struct import_set *set);

/* The format readers, called by import_parse on a parsed document;
 * same returns. */
int import__gbench(json_t *doc, struct import_set *set, char *msg,
		   size_t msglen);
int import__hyperfine(json_t *doc, struct import_set *set, char *msg,
		      size_t msglen);

/* The benchmark called name, created empty at the end when absent
 * (keeping name with control characters escaped, at most 400 bytes); NULL when out of memory or past IMPORT_BENCHMARKS_MAX. */
struct import_bench *import__bench(struct import_set *set, const char *raw);

/* Appends one sample (cpu_ns < 0: none). Returns 0 or -1 (out of memory,
 * or past IMPORT_SAMPLES_MAX). */
int import__sample(struct import_bench *b, double real_ns, double cpu_ns);

/*
 * Like load_run(), but a file may also be Google Benchmark JSON or a
 * hyperfine export: then *imported is set (free with import_destroy) and
 * run->report is NULL, run->name the file's path. Documents that are
 * none of the three get one error line naming the file and the formats.
 * Returns 0 or the exit status after printing an error.
 */
int load_any(const char *cmd, const char *spec, const char *results,
	     struct loaded_run *run, struct import_set **imported);

#endif
