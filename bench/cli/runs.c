/*
 * runs.c - finding a stored run: a run id, "latest", or a bench.run/1
 * JSON file, turned into a report for report, compare and plot; for
 * report and compare, a file may also hold another tool's timings
 * (import.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "import.h"

/* Reads a whole file (at most 256 MiB) into a NUL-terminated buffer. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0;

	if (!f) {
		error("cannot read '%s': %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		size_t got;

		if (cap - len < 65536) {
			char *grown;

			/* From 64 KiB, doubling: a result file is mostly a
			 * few KiB, and a first buffer of 1 MiB is a fresh
			 * mapping per file under ASan, which took a third of
			 * the time of fuzz_report's and fuzz_import's inputs. */
			cap = cap ? cap * 2 : 1 << 16;
			/* 64 MiB holds far more samples than any run takes
			 * (BENCH_REPEAT_MAX per case) and bounds what a hostile
			 * file can make the parser allocate. */
			if (cap > (64u << 20) || !(grown = realloc(buf, cap + 1))) {
				error("'%s' is too large for a bench result", path);
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = grown;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		error("cannot read '%s': %s", path, strerror(errno));
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

/* A whole positive number, or 0. */
static int64_t run_id(const char *spec)
{
	char *end;
	long long v;

	if (!*spec || *spec < '0' || *spec > '9')
		return 0;
	errno = 0;
	v = strtoll(spec, &end, 10);
	return *end || errno || v <= 0 ? 0 : (int64_t)v;
}

/* The document spec names, from the store or a file, into *doc (the
 * caller frees it), out->name and out->id set. Returns 0 or the exit
 * status after printing an error. */
static int read_doc(const char *cmd, const char *spec, const char *results,
		    struct loaded_run *out, char **doc)
{
	struct bench_err err = { 0 };
	struct stat st;
	int64_t id = run_id(spec);
	int is_latest = strcmp(spec, "latest") == 0;

	memset(out, 0, sizeof(*out));
	*doc = NULL;
	if (id || is_latest) {
		struct bench_store *store = open_store(results, 0);

		if (!store)
			return 1;
		if (is_latest && bench_store_latest(store, NULL, &id, &err) != 0) {
			error("%s", err.msg);
			bench_store_close(store);
			return 1;
		}
		if (!id) {
			error("the results store holds no run yet");
			bench_store_close(store);
			return 1;
		}
		if (bench_store_load(store, id, doc, &err) != 0) {
			error("%s", err.msg);
			bench_store_close(store);
			return 1;
		}
		bench_store_close(store);
		snprintf(out->name, sizeof(out->name), "run %lld", (long long)id);
		out->id = id;
	} else if (stat(spec, &st) == 0) {
		if (!(*doc = slurp(spec)))
			return 1;
		snprintf(out->name, sizeof(out->name), "%s", spec);
	} else {
		usage_error(cmd, "'%s' is neither a run id (see 'bench history'), 'latest', nor a file",
			    spec);
		return EXIT_USAGE;
	}
	return 0;
}

/* doc as a bench document into out; frees doc. */
static int parse_bench(char *doc, struct loaded_run *out)
{
	struct bench_err err = { 0 };

	if (bench_report_parse(doc, &out->report, &out->ctx, out->kind, &err) != 0) {
		error("%s: %s", out->name, err.msg);
		free(doc);
		return 1;
	}
	free(doc);
	return 0;
}

int load_run(const char *cmd, const char *spec, const char *results,
	     struct loaded_run *out)
{
	char *doc;
	int rc = read_doc(cmd, spec, results, out, &doc);

	return rc ? rc : parse_bench(doc, out);
}

int load_any(const char *cmd, const char *spec, const char *results,
	     struct loaded_run *run, struct import_set **imported)
{
	char *doc, msg[512];
	int rc = read_doc(cmd, spec, results, run, &doc);

	*imported = NULL;
	if (rc)
		return rc;
	/* The store holds only bench's own documents. */
	if (run->id)
		return parse_bench(doc, run);
	switch (import_parse(doc, imported, msg, sizeof(msg))) {
	case 0:
		free(doc);
		return 0;
	case IMPORT_BAD:
		error("%s: %s", run->name, msg);
		free(doc);
		return 1;
	case IMPORT_UNKNOWN:
		/* "not a bench result" first: scripts match on it. */
		error("%s: not a bench result, Google Benchmark JSON or hyperfine export (expected \"schema\": \"%s\", \"benchmarks\" or \"results\" with \"command\"s)",
		      run->name, BENCH_SCHEMA);
		free(doc);
		return 1;
	default: /* not JSON, or a bench document: the parser says which */
		return parse_bench(doc, run);
	}
}

void loaded_run_release(struct loaded_run *run)
{
	bench_report_destroy(run->report);
	run->report = NULL;
}
