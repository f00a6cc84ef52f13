/*
 * harness.h - runs a workload in several cases and summarises the samples.
 *
 * A case is a mode with a worker count at an input size: `bench run` has
 * one case per mode, `bench scale` one per mode and worker count, `bench
 * complexity` one per size. The input of every size is prepared once
 * (untimed). Then, round after round, every case takes one sample, so
 * drift on a shared machine (another job starting, the CPU clocking down)
 * hits all cases alike; the starting case rotates each round so no case
 * always runs right after the same neighbour. Warmup rounds run first and
 * are discarded. Every sample's checksum must equal the first one's of the
 * same size: a fast wrong answer is a failure, not a result.
 */
#ifndef BENCH_HARNESS_H
#define BENCH_HARNESS_H

#include <stddef.h>

#include "bench/executor.h"
#include "bench/stats.h"
#include "bench/workload.h"

#define BENCH_DEFAULT_REPEAT 6   /* smallest n whose [min, max] covers the
				    median with >= 95% confidence */
#define BENCH_DEFAULT_WARMUP 1
#define BENCH_REPEAT_MAX 100000

/*
 * Engines: what takes a sample. native is bench_exec() timed by the
 * harness; the others cross-check it and are supplied by the caller
 * through bench_run_opts.engine_sample: gbench runs the same call inside
 * Google Benchmark's loop, hyperfine times a whole bench process.
 * python is not a cross-check but the course's own code: the workload
 * written in Python, its checksum verified against the C one's.
 */
enum bench_engine {
	BENCH_ENGINE_NATIVE,
	BENCH_ENGINE_GBENCH,
	BENCH_ENGINE_HYPERFINE,
	BENCH_ENGINE_PYTHON,     /* the workload written in Python */
	BENCH_ENGINE_COUNT
};

/* "native", "gbench", "hyperfine", "python"; NULL for a bad value. */
const char *bench_engine_name(enum bench_engine e);
/* Parses an engine name. Returns 0 or BENCH_EINVAL. */
int bench_engine_parse(const char *name, enum bench_engine *e);

struct bench_progress {
	unsigned round;       /* 1-based, warmup rounds included */
	unsigned rounds;      /* warmup + repeat */
	int warmup;           /* this round is a warmup round */
	size_t sample;        /* 1-based over the whole run */
	size_t samples;       /* (warmup + repeat) * cases */
	const struct bench_executor *mode; /* the case about to run */
	enum bench_engine engine;
	unsigned workers;
	uint64_t size;
};

struct bench_report;
struct bench_mode_result;

/* One configuration to sample. */
struct bench_case {
	const struct bench_executor *mode;
	enum bench_engine engine;
	unsigned workers;     /* 0: the run's workers (serial: always 1) */
	uint64_t size;        /* 0: params.size */
	uint64_t chunk;       /* 0: the run's --chunk, else automatic from
				 this case's items and workers */
};

/* Most cases one run may have. */
#define BENCH_CASES_MAX 4096

struct bench_run_opts {
	const struct bench_workload *wl;
	struct bench_params params;         /* zero fields: defaults */
	const struct bench_executor *modes[BENCH_EXECUTORS_MAX];
	size_t nmodes;                      /* 0: the executors flagged
					       BENCH_EXEC_DEFAULT */
	/* Explicit cases; when ncases is 0 there is one case per mode of
	 * modes[], all with `workers` workers at params.size and the same
	 * chunk. */
	const struct bench_case *cases;
	size_t ncases;
	/* Engines for the default cases (one case per mode and engine);
	 * nengines 0: native only. */
	enum bench_engine engines[BENCH_ENGINE_COUNT];
	size_t nengines;
	/*
	 * Takes one sample of a non-native case: fills out->wall_ns, cpu_ns
	 * and either out->result or out->checksum. Called from the calling
	 * thread, interleaved with the native samples. NULL: only native
	 * cases are allowed.
	 */
	int (*engine_sample)(void *ud, const struct bench_report *r,
			     const struct bench_mode_result *mr, void *state,
			     struct bench_sample *out, struct bench_err *err);
	void *engine_ud;
	unsigned workers;                   /* 0: online CPUs */
	uint64_t chunk;                     /* 0: automatic */
	unsigned repeat;                    /* 0: BENCH_DEFAULT_REPEAT */
	unsigned warmup;                    /* rounds; see warmup_set */
	int warmup_set;                     /* 0: BENCH_DEFAULT_WARMUP */
	bench_ns gil_ns;                    /* thread mode: a GIL switching
					       every gil_ns (exec.h); 0 off */
	const char *broker;                 /* modes with a broker: its URL
					       (exec.h); NULL: a private one */
	int64_t crash_task;                 /* tests only, see exec.h */
	int crash_set;
	/* Tests only: flips a bit of this mode's results so that the
	 * cross-mode verification has something to catch. */
	const struct bench_executor *corrupt_mode;
	int corrupt_set;
	/* Called before each sample from the calling thread; may be NULL. */
	void (*progress)(void *ud, const struct bench_progress *p);
	void *progress_ud;
};

struct bench_mode_result {
	const struct bench_executor *mode;
	enum bench_engine engine;
	unsigned workers;        /* 1 for the reference (serial) */
	uint64_t size;           /* the workload's --size */
	uint64_t items;          /* items per sample */
	uint64_t chunk;          /* items per task */
	uint64_t tasks;          /* tasks per sample */
	size_t nsamples;
	bench_ns *wall_ns;       /* nsamples raw wall times, in run order */
	bench_ns *cpu_ns;        /* nsamples CPU times */
	unsigned char *outlier;  /* nsamples flags (wall time) */
	uint64_t maxrss_kb;      /* largest peak RSS seen, KiB */
	struct bench_stats wall; /* over wall_ns */
	struct bench_stats cpu;  /* over cpu_ns */
	double items_per_s;      /* items / median wall time */
	double speedup;          /* median(reference) / median(this), the
				    reference (serial) of the same size and
				    engine; NAN when none ran */
	double efficiency;       /* speedup / workers; NAN likewise */
	char note[BENCH_NOTE_MAX]; /* the executor's note on its last
				      sample that had one; "" none */
	char checksum[BENCH_CHECKSUM_MAX];
	int verified;            /* every sample matched the reference */
	/* The workload's named counts of the result (wl->field_names). */
	uint64_t fields[BENCH_FIELDS_MAX];
	unsigned nfields;
	/* The merged result of the last native sample (for wl->note);
	 * have_result 0 in a report read back from JSON. */
	BENCH_PARTIAL_ALIGN unsigned char result[BENCH_PARTIAL_MAX];
	int have_result;
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
	uint64_t items;              /* items, chunk and tasks of the */
	uint64_t chunk;              /* first case (all cases, in a */
	uint64_t tasks;              /* plain run of modes) */
	unsigned workers;
	unsigned repeat;
	unsigned warmup;
	unsigned cpus;               /* CPUs this process may run on */
	bench_ns gil_ns;             /* thread mode ran under a GIL; 0 no */
	bench_ns prepare_ns;         /* untimed input preparation */
	bench_ns launch_ns;          /* a launched job's start (untimed);
					0 outside one */
	bench_ns sampled_ns;         /* sum of every sample's wall time,
					warmup included */
	bench_ns total_ns;           /* whole run, prepare included */
	unsigned warnings;           /* BENCH_WARN_* */
	char *opt_copy[BENCH_OPTS_MAX]; /* the text options of a report read
					   back from JSON (owned) */
	size_t nresults;
	struct bench_mode_result *results; /* one per case, in case order */
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

/* Items per task when the user gives none: the workload's default_chunk
 * if it has one, else Python's Pool.map rule, ceil(items / (4 * workers));
 * 1 for workloads that wait. */
uint64_t bench_auto_chunk(const struct bench_workload *wl, uint64_t items,
			  unsigned workers);

#endif
