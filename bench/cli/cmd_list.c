/*
 * cmd_list.c - `bench list`: the workloads and modes, from their tables.
 */
#include <string.h>

#include "cli.h"

int cmd_list(int argc, char **argv)
{
	if (argc > 1) {
		if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
			print_help("list", stdout);
			return 0;
		}
		return usage_error("list", "unexpected argument '%s'", argv[1]);
	}
	puts("workloads:");
	for (size_t i = 0; bench_workloads[i]; i++) {
		const struct bench_workload *wl = bench_workloads[i];

		printf("  %-9s %s; default --size %llu\n", wl->name, wl->summary,
		       (unsigned long long)wl->default_size);
		for (unsigned k = 0; k < bench_workload_noptions(wl); k++) {
			const struct bench_option *o = &wl->options[k];

			printf("  %-9s %s --%s%s%s: %s\n", "", k ? "    " : "opts",
			       o->name, o->arg ? " " : "", o->arg ? o->arg : "",
			       o->help);
		}
	}
	puts("\nmodes:");
	for (size_t m = 0; bench_executors[m]; m++)
		printf("  %-9s %s\n", bench_executors[m]->name,
		       bench_executors[m]->summary);
	return 0;
}
