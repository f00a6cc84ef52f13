/*
 * gbench_fn.cc - Google Benchmark on the functions of timed_fns.c, the
 * reference for bench's timeit of the same functions (timeit_fn.c), run
 * by scripts/bench-check.sh with --benchmark_filter=^BM_NAME$,
 * --benchmark_repetitions=N and --benchmark_format=json (real_time per
 * iteration of each repetition).
 *
 * The design choice to know: bench_timeit can only call its function
 * through a pointer, so here too the call goes through a pointer, which
 * benchmark::DoNotOptimize makes opaque before the loop (the compiler
 * cannot turn it back into a direct call). The loop then differs from
 * timeit's only in the harness around the call: same function, same
 * object file, same kind of call. Google Benchmark's own defaults
 * otherwise (min_time, its iteration estimate).
 *
 * usage: gbench_fn [--benchmark_* flags]
 */
#include <benchmark/benchmark.h>

#include "timed_fns.h"

static void time_fn(benchmark::State &state, void (*fn)(void *))
{
	benchmark::DoNotOptimize(fn);
	for (auto _ : state)
		fn(nullptr);
}

static void BM_empty(benchmark::State &state)
{
	time_fn(state, empty);
}
BENCHMARK(BM_empty)->Unit(benchmark::kNanosecond);

static void BM_sha256(benchmark::State &state)
{
	time_fn(state, sha256_short);
}
BENCHMARK(BM_sha256)->Unit(benchmark::kNanosecond);

BENCHMARK_MAIN();
