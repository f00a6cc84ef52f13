/*
 * spans.c - a program using libbench's slowlog, for the slowlog spans of
 * `bench profile --cpu`'s trace: two blocks, "load" (about 60 ms of CPU)
 * then "merge" (about 40 ms). Thresholds of 10 s: neither is too slow.
 *
 * test_profile.sh links it with libbench.a and exports
 * bench_slowlog_set_listener (-Wl,--export-dynamic-symbol=...), which the
 * profiler looks up with dlsym(RTLD_DEFAULT): a static library's symbols
 * are not in the dynamic symbol table otherwise.
 */
#include <stdio.h>

#include "bench/slowlog.h"

volatile unsigned long sink;

void work(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		sink += i;
}

int main(void)
{
	BENCH_SLOWLOG("load", 10.0) {
		work(60000000);
	}
	BENCH_SLOWLOG("merge", 10.0) {
		work(40000000);
	}
	printf("%lu\n", sink);
	return 0;
}
