/*
 * report_internal.h - what harness.c shares with report_json.c.
 */
#ifndef BENCH_REPORT_INTERNAL_H
#define BENCH_REPORT_INTERNAL_H

#include "bench/harness.h"

/* Recomputes statistics, throughput, speedups and warning flags from the
 * raw samples of every result. */
void bench__report_summarise(struct bench_report *r);

#endif
