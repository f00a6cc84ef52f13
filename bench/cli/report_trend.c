/*
 * report_trend.c - `bench report --history WORKLOAD --html`: the stored
 * runs of one workload as a trend page (writers/html.c).
 *
 * The runs are the ones `bench history WORKLOAD` lists (the store's
 * bench_store_history(), newest first), plain runs only (a scale or
 * complexity run is a sweep, not a point in time). Runs of different
 * sizes or machines are never mixed: the newest run picks the machine and,
 * unless --size says otherwise, the size; the others are left out and the
 * page says how many.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct ids {
	int64_t *id;
	size_t n, cap;
};

/* Keeps the ids of the plain runs, newest first. */
static int collect(void *ud, const struct bench_store_run *run)
{
	struct ids *ids = ud;

	if (strcmp(run->kind, "run") != 0)
		return 0;
	if (ids->n == ids->cap) {
		size_t cap = ids->cap ? ids->cap * 2 : 32;
		int64_t *p = realloc(ids->id, cap * sizeof(*p));

		if (!p)
			return -1;
		ids->id = p;
		ids->cap = cap;
	}
	ids->id[ids->n++] = run->id;
	return 0;
}

/* The size a plain run was timed at: its first result's. */
static uint64_t run_size(const struct loaded_run *run)
{
	return run->report->nresults ? run->report->results[0].size :
	       run->report->params.size;
}

int report_trend(const char *cmd, const char *results, const char *output,
		 const char *workload, uint64_t size, uint64_t last)
{
	struct bench_err err = { 0 };
	struct bench_store *store;
	struct ids ids = { 0 };
	struct loaded_run *runs = NULL;
	struct trend t = { .workload = workload };
	char host[sizeof(runs->ctx.host)] = "";
	size_t kept = 0;
	int rc = 1;

	if (!find_workload(cmd, workload))
		return EXIT_USAGE;
	if (out_check(output) != 0)
		return 1;
	if (!(store = open_store(results, 0)))
		return 1;
	if (bench_store_history(store, workload, 0, collect, &ids, &err) != 0) {
		error("%s", err.msg[0] ? err.msg : "out of memory");
		bench_store_close(store);
		goto out;
	}
	bench_store_close(store);
	if (ids.n == 0) {
		error("no run of '%s' in the results store (see 'bench history')",
		      workload);
		goto out;
	}
	if (!(runs = calloc(ids.n, sizeof(*runs)))) {
		error("out of memory");
		goto out;
	}
	/* Newest first, so the newest run names the machine and the size. */
	for (size_t i = 0; i < ids.n && (!last || kept < last); i++) {
		char spec[32];
		int got;

		snprintf(spec, sizeof(spec), "%" PRId64, ids.id[i]);
		if ((got = load_run(cmd, spec, results, &runs[kept])) != 0) {
			rc = got;
			goto out;
		}
		if (!host[0])
			snprintf(host, sizeof(host), "%s", runs[kept].ctx.host);
		if (!size)
			size = run_size(&runs[kept]);
		if (strcmp(runs[kept].ctx.host, host) != 0)
			t.other_hosts++;
		else if (run_size(&runs[kept]) != size)
			t.other_sizes++;
		else {
			kept++;
			continue;
		}
		loaded_run_release(&runs[kept]);
	}
	if (kept < 2) {
		error("%zu run%s of '%s' at size %" PRIu64 " on '%s' in the results store: a trend needs 2 or more",
		      kept, kept == 1 ? "" : "s", workload, size, host);
		goto out;
	}
	/* Oldest first on the page. */
	for (size_t i = 0; i < kept / 2; i++) {
		struct loaded_run tmp = runs[i];

		runs[i] = runs[kept - 1 - i];
		runs[kept - 1 - i] = tmp;
	}
	t.size = size;
	t.host = host;
	t.runs = runs;
	t.n = kept;
	{
		struct out o;

		if (out_open(&o, output) == 0) {
			errno = 0;
			if (write_html_trend(o.f, &t) != 0)
				out_fail(&o);
			else if (out_commit(&o) == 0)
				rc = 0;
		}
	}
out:
	for (size_t i = 0; runs && i < kept; i++)
		loaded_run_release(&runs[i]);
	free(runs);
	free(ids.id);
	return rc;
}
