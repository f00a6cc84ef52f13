/*
 * registry.c - the workload table, lookup, and parameter defaults.
 */
#include <string.h>

#include "bench/workload.h"

#define WORKLOAD(name) extern const struct bench_workload bench__wl_##name;
#include "workload_list.h"
#undef WORKLOAD

const struct bench_workload *const bench_workloads[] = {
#define WORKLOAD(name) &bench__wl_##name,
#include "workload_list.h"
#undef WORKLOAD
	NULL
};

#define DEFAULT_QUERIES 1000
#define MAX_QUERIES 100000000ull
#define DEFAULT_MAX_MS 50
#define MAX_MAX_MS 600000ull

const struct bench_workload *bench_workload_find(const char *name)
{
	for (size_t i = 0; bench_workloads[i]; i++)
		if (strcmp(bench_workloads[i]->name, name) == 0)
			return bench_workloads[i];
	return NULL;
}

unsigned bench_workload_nfields(const struct bench_workload *wl)
{
	unsigned n = 0;

	while (wl->field_names && wl->field_names[n])
		n++;
	return n;
}

int bench_workload_params(const struct bench_workload *wl,
			  struct bench_params *p, struct bench_err *err)
{
	if (p->size == 0)
		p->size = wl->default_size;
	if (p->seed == 0)
		p->seed = 1;
	if (p->queries == 0)
		p->queries = DEFAULT_QUERIES;
	if (p->max_ms == 0)
		p->max_ms = DEFAULT_MAX_MS;
	if (!p->type && strcmp(wl->name, "events") == 0)
		p->type = "purchase";
	if (p->size > wl->max_size)
		return bench_err_set(err, BENCH_EINVAL,
				     "--size %llu is too large for %s: expected at most %llu",
				     (unsigned long long)p->size, wl->name,
				     (unsigned long long)wl->max_size);
	if (p->queries > MAX_QUERIES)
		return bench_err_set(err, BENCH_EINVAL,
				     "--queries %llu is too large: expected at most %llu",
				     (unsigned long long)p->queries, MAX_QUERIES);
	if (p->max_ms > MAX_MAX_MS)
		return bench_err_set(err, BENCH_EINVAL,
				     "--max-ms %llu is too large: expected at most %llu",
				     (unsigned long long)p->max_ms, MAX_MAX_MS);
	return 0;
}
