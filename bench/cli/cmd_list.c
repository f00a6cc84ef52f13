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
	}
	puts("\nmodes:");
	for (int m = 0; m < BENCH_MODE_COUNT; m++)
		printf("  %-9s %s\n", bench_mode_name((enum bench_mode)m),
		       bench_mode_summary((enum bench_mode)m));
	return 0;
}
