/*
 * gbench.cc - the thin C++ wrapper through which bench runs a call
 * inside Google Benchmark's own timing loop (--engine gbench).
 *
 * Google Benchmark has only a C++ API. This file registers one benchmark
 * around a C function pointer, runs it with a reporter that keeps the run
 * instead of printing it, and hands back the real time per iteration. It
 * is the whole of bench's C++; everything else stays C.
 */
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <vector>

#include "gbench.h"

namespace {

/* Keeps the iteration runs; prints nothing. */
class KeepReporter : public benchmark::BenchmarkReporter {
public:
	std::vector<Run> runs;

	bool ReportContext(const Context &) override { return true; }
	void ReportRuns(const std::vector<Run> &report) override
	{
		for (const Run &r : report)
			if (r.run_type == Run::RT_Iteration)
				runs.push_back(r);
	}
};

bool initialized;

} // namespace

extern "C" int bench_gbench_sample(void (*fn)(void *), void *arg,
				   double min_time_s, double *real_ns,
				   uint64_t *iterations, char *err, size_t errlen)
{
	KeepReporter reporter;

	if (!initialized) {
		/* Explicit flags, so BENCHMARK_* variables in the user's
		 * environment (a filter, repetitions, an output file) cannot
		 * change what is measured or write files. */
		static char a0[] = "bench", a1[] = "--benchmark_filter=^bench(/|$)",
			    a2[] = "--benchmark_repetitions=1",
			    a3[] = "--benchmark_out=",
			    a4[] = "--benchmark_enable_random_interleaving=false";
		static char *argv[] = { a0, a1, a2, a3, a4, nullptr };
		int argc = 5;

		benchmark::Initialize(&argc, argv);
		initialized = true;
	}
	benchmark::RegisterBenchmark("bench", [fn, arg](benchmark::State &state) {
		for (auto _ : state)
			fn(arg);
	})->MinTime(min_time_s)->Repetitions(1)->UseRealTime()->Unit(benchmark::kNanosecond);
	benchmark::RunSpecifiedBenchmarks(&reporter, "^bench(/|$)");
	benchmark::ClearRegisteredBenchmarks();
	if (reporter.runs.size() != 1) {
		std::snprintf(err, errlen, "Google Benchmark gave %zu runs, expected 1",
			      reporter.runs.size());
		return -1;
	}
	if (reporter.runs[0].error_occurred || reporter.runs[0].iterations < 1) {
		std::snprintf(err, errlen, "Google Benchmark: %s",
			      reporter.runs[0].error_message.c_str());
		return -1;
	}
	*iterations = static_cast<uint64_t>(reporter.runs[0].iterations);
	*real_ns = reporter.runs[0].real_accumulated_time * 1e9 /
		   static_cast<double>(reporter.runs[0].iterations);
	return 0;
}
