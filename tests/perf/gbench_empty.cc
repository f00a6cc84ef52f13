/*
 * gbench_empty.cc - Google Benchmark on empty() (empty_fn.c), the
 * reference for bench's timeit of the same function (timeit_empty.c),
 * run by scripts/bench-check.sh with --benchmark_repetitions=N and
 * --benchmark_format=json (real_time per iteration of each repetition).
 *
 * The design choice to know: bench_timeit can only call its function
 * through a pointer, so here too the call goes through a pointer, which
 * benchmark::DoNotOptimize makes opaque before the loop (the compiler
 * cannot turn it back into a direct call). The loop then differs from
 * timeit's only in the harness around the call: same function, same
 * object file, same kind of call. Google Benchmark's own defaults
 * otherwise (min_time, its iteration estimate).
 *
 * usage: gbench_empty [--benchmark_* flags]
 */
#include <benchmark/benchmark.h>

#include "empty_fn.h"

static void BM_empty(benchmark::State &state)
{
	void (*fn)(void *) = empty;

	benchmark::DoNotOptimize(fn);
	for (auto _ : state)
		fn(nullptr);
}
BENCHMARK(BM_empty)->Unit(benchmark::kNanosecond);

BENCHMARK_MAIN();
