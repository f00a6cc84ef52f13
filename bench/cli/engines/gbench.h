/*
 * gbench.h - the C face of gbench.cc.
 */
#ifndef BENCH_ENGINE_GBENCH_H
#define BENCH_ENGINE_GBENCH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Runs fn(arg) in Google Benchmark's loop for at least min_time_s and
 * returns the real time per iteration (ns) and the iteration count.
 * Returns 0, or -1 with a message in err. Not thread-safe (Google
 * Benchmark's registry is global).
 */
int bench_gbench_sample(void (*fn)(void *), void *arg, double min_time_s,
			double *real_ns, uint64_t *iterations, char *err,
			size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
