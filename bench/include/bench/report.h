/*
 * report.h - a report as a bench.run/1 JSON document, and back.
 *
 * The document is the one format a run is kept in: `--format json` prints
 * it, the results store keeps it, `compare` and `plot` read it back from
 * the store or from a file. Reading recomputes every statistic from the
 * raw samples, so a stored run is re-analysed by the current code rather
 * than trusted.
 *
 * The core fields (schema, context.host ... context.date, and per result
 * workload, mode, workers, size, chunk, seed, samples_ns, median_ns,
 * checksum, verified) are a contract that scripts rely on: fields may be
 * added, never renamed.
 */
#ifndef BENCH_REPORT_H
#define BENCH_REPORT_H

#include <stddef.h>

#include "bench/analysis.h"
#include "bench/context.h"
#include "bench/harness.h"

#define BENCH_SCHEMA "bench.run/1"

/* What produced a report: "run", "scale" or "complexity". */
#define BENCH_KIND_MAX 16

/*
 * The document for r as JSON text (malloc'd; free() it), indented when
 * pretty is set. kind names the command; warnings (n lines) are kept as
 * they were shown. Scale and complexity reports carry an "analysis"
 * block: the Amdahl fit and Karp-Flatt metric per mode, or the complexity
 * fit per mode. Returns NULL with err filled on failure.
 */
char *bench_report_json(const struct bench_report *r,
			const struct bench_context *ctx, const char *kind,
			const char *const *warnings, size_t n, int pretty,
			struct bench_err *err);

/*
 * Rebuilds a report from a bench.run/1 document: results, raw samples,
 * context (into *ctx if not NULL) and kind (into kind, BENCH_KIND_MAX
 * bytes, if not NULL), with statistics, speedups and warnings recomputed.
 * Returns 0 or BENCH_EINVAL with a message saying what is wrong
 * ("not a bench document", an unknown workload, a missing field).
 */
int bench_report_parse(const char *text, struct bench_report **out,
		       struct bench_context *ctx, char *kind,
		       struct bench_err *err);

/*
 * Amdahl fit over the results of one mode (their workers and speedups;
 * the reference (serial) counts as the point (1, 1)), using only worker
 * counts up to the report's CPU count: beyond it the machine, not the
 * program's serial part, caps the speedup. Returns 0, or BENCH_EINVAL
 * when no such result has more than one worker.
 */
int bench_report_amdahl(const struct bench_report *r,
			const struct bench_executor *mode,
			struct bench_amdahl *out);

/*
 * Complexity fit over the results of one mode in one engine (the engine
 * of the mode's first result: a complexity run times one): their sizes
 * and median times. Returns 0, or BENCH_EINVAL with fewer than 3
 * distinct sizes.
 */
int bench_report_complexity(const struct bench_report *r,
			    const struct bench_executor *mode,
			    struct bench_fit *out);

#endif
