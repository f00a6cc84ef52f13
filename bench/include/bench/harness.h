/*
 * harness.h - runs a workload in several modes and summarises the samples.
 *
 * The input is prepared once (untimed). Then, round after round, every mode
 * takes one sample, so drift on a shared machine (another job starting, the
 * CPU clocking down) hits all modes alike; the starting mode rotates each
 * round so no mode always runs right after the same neighbour. Warmup rounds
 * run first and are discarded. Every sample's checksum must equal the
 * first one's: a fast wrong answer is a failure, not a result.
 */
#ifndef BENCH_HARNESS_H
#define BENCH_HARNESS_H

#include <stddef.h>

#include "bench/exec.h"
#include "bench/stats.h"
#include "bench/workload.h"

#define BENCH_DEFAULT_REPEAT 6   /* smallest n whose [min, max] covers the
				    median with >= 95% confidence */
#define BENCH_DEFAULT_WARMUP 1
#define BENCH_REPEAT_MAX 100000

struct bench_progress {
	unsigned round;       /* 1-based, warmup rounds included */
	unsigned rounds;      /* warmup + repeat */
	int warmup;           /* this round is a warmup round */
	enum bench_mode mode; /* the mode about to run */
};

struct bench_run_opts {
	const struct bench_workload *wl;
	struct bench_params params;         /* zero fields: defaults */
	enum bench_mode modes[BENCH_MODE_COUNT];
	size_t nmodes;                      /* 0: all four */
	unsigned workers;                   /* 0: online CPUs */
	uint64_t chunk;                     /* 0: automatic */
	unsigned repeat;                    /* 0: BENCH_DEFAULT_REPEAT */
	unsigned warmup;                    /* rounds; see warmup_set */
	int warmup_set;                     /* 0: BENCH_DEFAULT_WARMUP */
	int64_t crash_task;                 /* tests only, see exec.h */
	int crash_set;
	/* Tests only: flips a bit of this mode's results so that the
	 * cross-mode verification has something to catch. */
	enum bench_mode corrupt_mode;
	int corrupt_set;
	/* Called before each sample from the calling thread; may be NULL. */
	void (*progress)(void *ud, const struct bench_progress *p);
	void *progress_ud;
};

struct bench_mode_result {
	enum bench_mode mode;
	unsigned workers;        /* 1 for serial */
	size_t nsamples;
	bench_ns *wall_ns;       /* nsamples raw wall times, in run order */
	bench_ns *cpu_ns;        /* nsamples CPU times */
	unsigned char *outlier;  /* nsamples flags (wall time) */
	uint64_t maxrss_kb;      /* largest peak RSS seen, KiB */
	struct bench_stats wall; /* over wall_ns */
	struct bench_stats cpu;  /* over cpu_ns */
	double items_per_s;      /* items / median wall time */
	double speedup;          /* median(serial) / median(this); NAN
				    when serial did not run */
	double efficiency;       /* speedup / workers; NAN likewise */
	char checksum[BENCH_CHECKSUM_MAX];
	int verified;            /* every sample matched the reference */
};

enum bench_warning {
	BENCH_WARN_OVERSUBSCRIBED = 1u << 0, /* workers > CPUs */
	BENCH_WARN_WIDE_SPREAD = 1u << 1,    /* some mode's CI is too wide */
	BENCH_WARN_ASYNC_CPU = 1u << 2,      /* async on CPU-bound work */
	BENCH_WARN_BUILD = 1u << 3,          /* debug or sanitizer build */
	BENCH_WARN_FEW_SAMPLES = 1u << 4,    /* CI below 95% confidence */
	BENCH_WARN_OUTLIERS = 1u << 5,       /* outliers flagged */
};

/* A CI wider than this fraction of the median (either side) is too wide. */
#define BENCH_WIDE_SPREAD 0.05

struct bench_report {
	const struct bench_workload *wl;
	struct bench_params params;  /* with defaults applied */
	uint64_t items;              /* items per sample */
	uint64_t chunk;              /* items per task */
	uint64_t tasks;              /* tasks per sample */
	unsigned workers;
	unsigned repeat;
	unsigned warmup;
	unsigned cpus;               /* CPUs this process may run on */
	bench_ns prepare_ns;         /* untimed input preparation */
	bench_ns total_ns;           /* whole run, prepare included */
	unsigned warnings;           /* BENCH_WARN_* */
	size_t nresults;
	struct bench_mode_result results[BENCH_MODE_COUNT];
};

/*
 * Runs opts and returns a report in *out (free with bench_report_destroy).
 * Returns 0 or a BENCH_E* code with err filled: BENCH_EINVAL for bad
 * options (the message names the option), BENCH_EVERIFY when checksums
 * differ (the message shows both), BENCH_EWORKER, BENCH_ECANCELED, ...
 */
int bench_run(const struct bench_run_opts *opts, struct bench_report **out,
	      struct bench_err *err);

void bench_report_destroy(struct bench_report *r);

/* Number of CPUs this process may run on (its affinity mask). */
unsigned bench_cpus(void);

/* Items per task when the user gives none: Python's Pool.map rule,
 * ceil(items / (4 * workers)); 1 for workloads that wait. */
uint64_t bench_auto_chunk(const struct bench_workload *wl, uint64_t items,
			  unsigned workers);

#endif
