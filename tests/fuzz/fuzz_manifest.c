/*
 * fuzz_manifest.c - an exercise's manifest (exercise.json) and a hidden
 * tests.json, read as `bench grade --hidden DIR` reads them: the
 * grader's exercise_manifest_parse on the bytes, and, for one input in
 * eight (by length), the whole exercise_load on files, which finds the
 * exercise's folder, reads both files and must agree with the parse.
 *
 * The input is the manifest, then optionally a NUL byte and the hidden
 * tests.json (no NUL: no --hidden). For exercise_load they are written to
 * a scratch exercises folder (BENCH_EXERCISES) as 01-fuzz/exercise.json
 * and to a hidden folder as 01-fuzz/tests.json. Besides what the
 * sanitizers catch, an exercise that loads must hold what the grader
 * relies on: plain file names, at least one test, points >= 0, wall
 * bounds in order, a sensible performance check when there is one.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "grade/grade.h"

static char hidden[4096];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char exercises[4096];

	(void)argc;
	(void)argv;
	fuzz_quiet();
	snprintf(exercises, sizeof(exercises), "%s/exercises", fuzz_dir());
	snprintf(hidden, sizeof(hidden), "%s/hidden", fuzz_dir());
	setenv("BENCH_EXERCISES", exercises, 1);
	return 0;
}

static int plain(const char *s)
{
	if (!s || !*s || *s == '.')
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
			return 0;
	return 1;
}

static void check(const struct exercise *ex)
{
	FUZZ_ASSERT(ex->title != NULL);
	FUZZ_ASSERT(plain(ex->source) && plain(ex->header));
	FUZZ_ASSERT(ex->ntests >= 1 && ex->tests != NULL);
	FUZZ_ASSERT(ex->nlibs <= GRADE_LIBS_MAX);
	for (size_t i = 0; i < ex->nlibs; i++)
		FUZZ_ASSERT(ex->libs[i] && ex->libs[i][0] == '-');
	for (size_t i = 0; i < ex->ntests; i++) {
		const struct grade_test *t = &ex->tests[i];

		FUZZ_ASSERT(plain(t->name));
		FUZZ_ASSERT(t->points >= 0);
		FUZZ_ASSERT(t->wall_lo >= 0 && t->wall_hi >= t->wall_lo);
		/* One flag per test, public and hidden: 0 or 1. */
		FUZZ_ASSERT(ex->tsan != NULL && (ex->tsan[i] == 0 || ex->tsan[i] == 1));
	}
	if (ex->perf_test) {
		FUZZ_ASSERT(plain(ex->perf_test));
		FUZZ_ASSERT(ex->perf_points > 0 && ex->target_speedup > 1);
		FUZZ_ASSERT(ex->target_workers >= 2);
	}
}

/* exercise_load on the files: 0 or the error code. */
static int load_files(const uint8_t *data, size_t size, const uint8_t *nul,
		      size_t *ntests)
{
	size_t mlen = nul ? (size_t)(nul - data) : size;
	struct bench_err err = { 0 };
	struct exercise ex;
	int rc;

	if (!fuzz_write("exercises/01-fuzz/exercise.json", data, mlen) ||
	    (nul && !fuzz_write("hidden/01-fuzz/tests.json", nul + 1,
				size - mlen - 1)))
		abort();
	rc = exercise_load("1", nul ? hidden : NULL, &ex, &err);
	if (rc == 0)
		check(&ex);
	else
		FUZZ_ASSERT(rc < 0 && err.msg[0] != '\0');
	*ntests = ex.ntests;
	exercise_free(&ex);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t mlen = nul ? (size_t)(nul - data) : size;
	struct bench_err err = { 0 };
	struct exercise ex;
	int rc;

	if (size > (64u << 10))
		return 0;
	memset(&ex, 0, sizeof(ex));
	rc = exercise_manifest_parse(&ex, EXERCISE_MANIFEST, "exercise.json",
				     data, mlen, &err);
	if (rc == 0 && nul)
		rc = exercise_manifest_parse(&ex, EXERCISE_HIDDEN, "tests.json",
					     nul + 1, size - mlen - 1, &err);
	if (rc == 0)
		check(&ex);
	else
		FUZZ_ASSERT(rc < 0 && err.msg[0] != '\0');
	if (size % 8 == 0) {
		size_t ntests = 0;
		int frc = load_files(data, size, nul, &ntests);

		FUZZ_ASSERT((frc == 0) == (rc == 0));
		FUZZ_ASSERT(frc != 0 || ntests == ex.ntests);
	}
	exercise_free(&ex);
	return 0;
}
