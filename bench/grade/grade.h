/*
 * grade.h - grading exercises (exercises/NN-slug/, see exercises/README.md)
 * with a student's code sandboxed (sandbox.h).
 *
 * Verdicts come from the grader alone: a test passes when the student's
 * driver prints exactly what the reference solution's prints for the same
 * test and a seed drawn at grading time (so hard-coded output is useless),
 * within wall-time bounds the grader measures from outside. Nothing a
 * submission writes is read as a score.
 */
#ifndef BENCH_GRADE_H
#define BENCH_GRADE_H

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "bench/clock.h"
#include "bench/error.h"

#define GRADE_LIBS_MAX 8

struct grade_test {
	char *name;
	double points;
	int lines;              /* check "lines": order does not matter */
	double wall_lo, wall_hi; /* student / reference wall time; 0: none */
	int hidden;             /* from --hidden: output never shown */
	char *expect;           /* the reference's output for the seed */
	size_t expect_len;      /* its bytes (it may hold NULs) */
	bench_ns ref_time_ns;   /* the reference's time for a timed test,
				   estimated for idle CPUs (schedprof.h) */
};

struct exercise {
	char dir[PATH_MAX];
	char slug[128];         /* "02-timeit" */
	char *title;
	char *source, *header;  /* file names */
	char *libs[GRADE_LIBS_MAX];
	size_t nlibs;
	struct grade_test *tests;
	size_t ntests;
	/* Performance check: perf-serial against perf, interleaved. */
	char *perf_test;        /* NULL: none */
	double perf_points, target_speedup;
	unsigned target_workers;
	char *perf_expect;      /* the reference's perf output */
	/* Race detection: tsan[i] set when tests[i] also runs under
	 * ThreadSanitizer (its manifest's "tsan": true; NULL: none does). */
	char *tsan;
	char tsan_note[200];    /* why those runs are skipped here, or "" */
	/* Measured once by exercise_perf_baseline: the reference's speedup
	 * over the serial code, and the speedup a submission must reach for
	 * full credit. */
	int perf_measured;
	int perf_wall;          /* times are wall clock, not estimates */
	double perf_ref_speedup, perf_expected;
	double perf_ref_wall;   /* the reference's wall-clock speedup */
	char hidden[PATH_MAX];  /* the hidden tests' folder, or "" */
	/* Built by exercise_prepare. */
	char work[1024];        /* the grader's scratch folder */
	uint64_t seed;
	unsigned cpus;
	bench_ns timeout_ns;    /* one test run's wall-clock limit */
};

struct test_result {
	int passed;
	double score;
	char msg[600];
	bench_ns wall_ns;
};

struct perf_result {
	int ran;                /* a performance check was made */
	int inconclusive;       /* undecided after every round: left to the
				   instructor, neither credit nor zero, out
				   of the total and its max */
	double speedup, expected, score;
				/* speedup: the median of the rounds'
				   ratios of the times estimated for idle
				   CPUs (schedprof.h), or of the wall clock
				   where they could not be estimated */
	double wall_speedup;    /* the wall clock's, as evidence */
	unsigned rounds;        /* rounds measured */
	char msg[400];
};

struct grade {
	char student[256];      /* the submission's folder name */
	char path[PATH_MAX];
	char status[64];        /* "graded", "compile error", "link error",
				   "no source", "refused" */
	char *log;              /* the compiler's messages, capped */
	struct test_result *tests;
	double correct, correct_max;
	struct perf_result perf;
	double perf_max;
	double total, max;
	unsigned slot;          /* the sandbox slot that built it */
	char bin[1280];         /* public driver + student, with UBSan */
	char hidden_bin[1280];
	char tsan_bin[1280];    /* public driver + student, with TSan */
	char hidden_tsan_bin[1280];
	char perf_bin[1280];    /* public driver + student, plain */
};

/* Where exercises/ is: $BENCH_EXERCISES, beside the binary, or the data
 * folder. NULL when none is found. */
const char *exercises_dir(void);

/*
 * Loads exercise spec (a number, "2" or "02", or a folder name, as listed
 * by `bench exercises`): its exercise.json and, when hidden is not NULL,
 * that folder's NN-slug/tests.json (exercise_manifest_load). Returns 0;
 * BENCH_EINVAL when spec names no exercise (bad usage); BENCH_EINPUT when
 * a manifest breaks the schema; BENCH_ESYS when a file or folder cannot
 * be read; BENCH_ENOMEM; the message in err. exercise_free ex either way.
 */
int exercise_load(const char *spec, const char *hidden, struct exercise *ex,
		  struct bench_err *err);

/* Which manifest: an exercise's exercise.json, or a hidden tests.json. */
enum exercise_manifest { EXERCISE_MANIFEST, EXERCISE_HIDDEN };

/*
 * Checks the manifest data[0 .. len) against the schema of
 * exercises/README.md and loads it into ex: an exercise.json
 * (EXERCISE_MANIFEST) sets the title, file names, libraries, tests and
 * performance check of a zeroed ex; a hidden tests.json (EXERCISE_HIDDEN)
 * appends hidden tests, to a zeroed ex or one an exercise.json was loaded
 * into (their names may not repeat a public test's). file only names the
 * manifest in messages (NULL: "manifest"); data need not end in a NUL.
 *
 * Never prints, never exits. Returns 0; BENCH_EINPUT with err naming
 * file, the key and what it accepts, as in
 *     F: 'tests[0].points': expected a number from 0 to 1000, got "1"
 * or BENCH_ENOMEM. ex may then hold part of the manifest: exercise_free
 * it whatever the result. Thread-safe for distinct ex and err.
 */
int exercise_manifest_parse(struct exercise *ex, enum exercise_manifest kind,
			    const char *file, const void *data, size_t len,
			    struct bench_err *err);

/* exercise_manifest_parse on the file at path (a regular file of at most
 * 1 MiB), named by path in messages; also BENCH_ESYS when it cannot be
 * read. */
int exercise_manifest_load(struct exercise *ex, enum exercise_manifest kind,
			   const char *path, struct bench_err *err);

/* Builds the reference and runs it for every test with seed, keeping the
 * expected output. Returns 0 or a code with err. */
int exercise_prepare(struct exercise *ex, uint64_t seed, struct bench_err *err);

/* Frees what ex holds (a zeroed ex too) and removes its scratch folder. */
void exercise_free(struct exercise *ex);

/* Copies regular file src (no symbolic link, no FIFO, at most max bytes)
 * to dst with mode; 0, or -1 with the reason in why. */
int grade_copy_file(const char *src, const char *dst, size_t max, mode_t mode,
		    char *why, size_t wlen);

/* The same for src relative to the folder dirfd (AT_FDCWD: the current
 * one). With untrusted set, a file with more than one hard link is
 * refused too: a submission's folder could hold a link to a file its
 * author may not read (the grader, as root, could, and the compiler's
 * messages would show it). */
int grade_copy_at(int dirfd, const char *src, int untrusted, const char *dst,
		  size_t max, mode_t mode, char *why, size_t wlen);

/* Compiles and runs the correctness tests of one submission (a folder
 * holding the exercise's source file, or that file) in sandbox slot
 * `slot`. Returns 0 when grading happened (whatever the score), or a code
 * when the grader itself failed. */
int grade_submission(const struct exercise *ex, const char *path,
		     unsigned slot, struct grade *g, struct bench_err *err);

/* Measures the serial code and the reference's parallel code, rounds
 * each, interleaved: the baseline every submission's performance check
 * is judged against (once per grading; 0 when there is no check).
 * Returns 0 or a code with err. */
int exercise_perf_baseline(struct exercise *ex, unsigned rounds,
			   struct bench_err *err);

/* The performance check of a graded submission, against the baseline;
 * run one at a time, with nothing else grading. */
int grade_perf(const struct exercise *ex, struct grade *g, unsigned rounds,
	       struct bench_err *err);

/* Adds up g's total and max. */
void grade_total(const struct exercise *ex, struct grade *g);

void grade_free(const struct exercise *ex, struct grade *g);

/* Output formats (grade_out.c); 0 or -1 on a write error. */
enum grade_format { GF_TEXT, GF_JSON, GF_GRADESCOPE, GF_JUNIT, GF_TAP };
int grade_format_parse(const char *name, enum grade_format *f);
int grade_write(FILE *f, enum grade_format fmt, const struct exercise *ex,
		const struct grade *g, size_t n);
int grade_write_gradebook(FILE *f, const struct exercise *ex,
			  const struct grade *g, size_t n);

#endif
