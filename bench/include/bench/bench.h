/*
 * bench.h - the whole public API of libbench in one include.
 *
 * Only what these headers declare is API; everything else under bench/ is
 * private and may change.
 */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include "bench/analysis.h"
#include "bench/cancel.h"
#include "bench/clock.h"
#include "bench/command.h"
#include "bench/context.h"
#include "bench/error.h"
#include "bench/executor.h"
#include "bench/harness.h"
#include "bench/queue.h"
#include "bench/report.h"
#include "bench/slowlog.h"
#include "bench/store.h"
#include "bench/timeit.h"
#include "bench/stats.h"
#include "bench/workload.h"

#endif
