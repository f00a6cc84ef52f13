/*
 * grade.c - building and running an exercise's tests against a
 * submission, sandboxed, and scoring them (see grade.h).
 *
 * Everything that compiles or runs goes through the sandbox, the trusted
 * reference and drivers too (they cost little and it keeps one path):
 *
 *   ref/     the drivers (public tests.c, hidden tests.c, with the harness
 *            they share, exercises/driver.h, beside them) and the reference
 *            compiled once; the reference's output per test and seed is
 *            the expected output;
 *   sub-K/   one submission: its source and the exercise's header copied
 *            in (a regular file, no links), compiled alone into an object
 *            (so its #includes can reach nothing but the header), then
 *            linked with the driver objects.
 *
 * Tests run with the driver bound read-only in an empty tmpfs; the
 * submission's object is built twice, with UBSan for the tests (crashes
 * with a reason rather than a wrong answer) and plain for timing.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>

#include <jansson.h>

#include "bench/stats.h"
#include "cli/cli.h"
#include "cli/escape.h"
#include "grade.h"
#include "sandbox.h"
#include "source_check.h"

#define CFLAGS_STRICT "-std=c11 -O2 -g -Wall -Wextra -Werror -Wpedantic -pthread -D_GNU_SOURCE"
#define UBSAN "-fsanitize=undefined -fno-sanitize-recover=undefined"

/* What a failed hidden test says, whatever happened. */
#define HIDDEN_FAILED "failed (a hidden test: no details are shown)"
#define SOURCE_MAX (1u << 20)
/* The harness drivers may include, in the exercises folder's root. */
#define DRIVER_HEADER "driver.h"
#define LOG_MAX 4096

static const char *const allowed_libs[] = { "-lpthread", "-lm", "-lcrypto",
					    "-ljansson", NULL };

/* ---- finding and loading an exercise ------------------------------------ */

const char *exercises_dir(void)
{
	static char dir[PATH_MAX];

	return find_data_dir("BENCH_EXERCISES", "exercises", "README.md", dir,
			     sizeof(dir));
}

/* ---- the manifests: exercise.json and a hidden tests.json ---------------- */

/*
 * The schema is exercises/README.md's: every key known, every value of its
 * type and in its range, or the manifest is refused whole, with a message
 * naming the file, the key and what the key accepts. Nothing is coerced: a
 * grader that reads "points": "1" as 0 points, or 5 as "check": "exact",
 * grades every student silently wrong.
 */
#define MANIFEST_MAX (1u << 20) /* bytes of a manifest file */
#define TESTS_MAX 100           /* tests in one manifest */
#define PLAIN_MAX 64            /* bytes of a file or test name */
#define TITLE_MAX 200           /* bytes of a title */
#define POINTS_MAX 1000.0       /* one test's, or the perf check's, points */
#define RATIO_MAX 1000.0        /* wall_vs_reference's highest bound */
#define WORKERS_MAX 1024        /* perf's target_workers */
#define PERF_SERIAL "perf-serial" /* the perf check's serial run: no test's */

struct manifest {
	const char *file;       /* named in every message */
	struct bench_err *err;
};

static int ascii_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* A test or file name: 1 to PLAIN_MAX letters, digits, _ . -, starting
 * with a letter or digit (never a path, an option or a hidden file), and
 * ending in suffix unless it is NULL. */
static int plain_name(const char *s, const char *suffix)
{
	size_t n = s ? strlen(s) : 0, k = suffix ? strlen(suffix) : 0;

	if (n == 0 || n > PLAIN_MAX || !ascii_alnum((unsigned char)*s) || n <= k ||
	    (k && strcmp(s + n - k, suffix) != 0))
		return 0;
	for (; *s; s++)
		if (!ascii_alnum((unsigned char)*s) && !strchr("_.-", *s))
			return 0;
	return 1;
}

/* What v is, for a message: its JSON text (ASCII, cut short), or the
 * kind of container it is. */
static void describe(json_t *v, char *buf, size_t len)
{
	char *text;

	if (json_is_object(v)) {
		snprintf(buf, len, "an object");
		return;
	}
	if (json_is_array(v)) {
		if (json_array_size(v))
			snprintf(buf, len, "an array of %zu", json_array_size(v));
		else
			snprintf(buf, len, "an empty array");
		return;
	}
	if (json_is_real(v)) {
		/* 4.0 shown as such: "expected a whole number, got 4" would
		 * puzzle. */
		int n = snprintf(buf, len, "%.10g", json_real_value(v));

		if (n > 0 && (size_t)n + 2 < len && !strpbrk(buf, ".e"))
			snprintf(buf + n, len - (size_t)n, ".0");
		return;
	}
	text = json_dumps(v, JSON_ENCODE_ANY | JSON_ENSURE_ASCII | JSON_COMPACT);
	if (text && strlen(text) > 72)
		snprintf(buf, len, "%.68s...", text);
	else
		snprintf(buf, len, "%s", text ? text : "a value");
	free(text);
}

/* Refuses the manifest at key: "FILE: 'KEY': expected WHAT, got VALUE",
 * or "FILE: 'KEY' is missing: expected WHAT" when got is NULL. */
static int refuse(const struct manifest *m, const char *key, json_t *got,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int refuse(const struct manifest *m, const char *key, json_t *got,
		  const char *fmt, ...)
{
	char what[256], shown[80];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (!got)
		return bench_err_set(m->err, BENCH_EINPUT, "%s: '%s' is missing: expected %s",
				     m->file, key, what);
	describe(got, shown, sizeof(shown));
	return bench_err_set(m->err, BENCH_EINPUT, "%s: '%s': expected %s, got %s",
			     m->file, key, what, shown);
}

static int no_memory(const struct manifest *m)
{
	return bench_err_set(m->err, BENCH_ENOMEM, "%s: out of memory", m->file);
}

/* Refuses any key of object o not in keys (list: them, for the message). */
static int known_keys(const struct manifest *m, json_t *o, const char *prefix,
		      const char *const *keys, const char *list)
{
	const char *key;
	json_t *v;

	json_object_foreach(o, key, v) {
		char shown[48];
		size_t i = 0, k = 0;

		while (keys[i] && strcmp(keys[i], key) != 0)
			i++;
		if (keys[i])
			continue;
		/* Any bytes may make a key: shown printable, cut short. */
		for (const char *p = key; *p && k + 4 < sizeof(shown); p++)
			shown[k++] = *p >= 0x20 && *p < 0x7f && *p != '\'' ? *p : '?';
		if (strlen(key) > k)
			shown[k++] = '.', shown[k++] = '.', shown[k++] = '.';
		shown[k] = '\0';
		return bench_err_set(m->err, BENCH_EINPUT, "%s: unknown key '%s%s': expected %s",
				     m->file, prefix, shown, list);
	}
	return 0;
}

/* A name (plain_name) at key: *out points into v. */
static int want_name(const struct manifest *m, json_t *v, const char *key,
		     const char *suffix, const char **out)
{
	const char *s = json_string_value(v);

	if (!plain_name(s, suffix))
		return refuse(m, key, v,
			      "a %s of 1 to %d letters, digits, '_', '-' or '.', starting with a letter or digit%s%s%s",
			      suffix ? "file name" : "name", PLAIN_MAX,
			      suffix ? " and ending in '" : "", suffix ? suffix : "",
			      suffix ? "'" : "");
	*out = s;
	return 0;
}

/* A number in [lo, hi], or (lo, hi] when above. */
static int want_number(const struct manifest *m, json_t *v, const char *key,
		       double lo, int above, double hi, double *out)
{
	double x = json_number_value(v);

	if (!json_is_number(v) || !isfinite(x) || !(above ? x > lo : x >= lo) || !(x <= hi))
		return refuse(m, key, v, "a number %s %g %s %g", above ? "above" : "from", lo,
			      above ? "and at most" : "to", hi);
	*out = x;
	return 0;
}

/* A whole number in [lo, hi]. */
static int want_integer(const struct manifest *m, json_t *v, const char *key,
			json_int_t lo, json_int_t hi, json_int_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
		return refuse(m, key, v, "a whole number from %lld to %lld", (long long)lo,
			      (long long)hi);
	*out = json_integer_value(v);
	return 0;
}

/* Appends the tests of a "tests" array to ex. */
static int parse_tests(struct exercise *ex, const struct manifest *m, json_t *arr,
		       int hidden)
{
	static const char *const keys[] = { "name", "points", "check",
					    "wall_vs_reference", "tsan", NULL };
	size_t n = json_array_size(arr), first = ex->ntests;
	struct grade_test *more;
	char *flags;

	if (!json_is_array(arr) || n < 1 || n > TESTS_MAX)
		return refuse(m, "tests", arr, "an array of 1 to %d tests", TESTS_MAX);
	if (!(more = realloc(ex->tests, (first + n) * sizeof(*more))))
		return no_memory(m);
	ex->tests = more;
	if (!(flags = realloc(ex->tsan, first + n)))
		return no_memory(m);
	ex->tsan = flags;
	memset(ex->tsan + first, 0, n);
	for (size_t i = 0; i < n; i++) {
		json_t *t = json_array_get(arr, i), *v;
		struct grade_test *g = &ex->tests[ex->ntests];
		char at[32], key[64];
		const char *s;
		double lo, hi;
		int rc;

		memset(g, 0, sizeof(*g));
		g->hidden = hidden;
		ex->ntests++;
		snprintf(at, sizeof(at), "tests[%zu]", i);
		if (!json_is_object(t))
			return refuse(m, at, t, "an object: {\"name\": ..., \"points\": ..., \"check\": ...}");
		snprintf(key, sizeof(key), "%s.", at);
		if ((rc = known_keys(m, t, key, keys,
				     "name, points, check, wall_vs_reference or tsan")))
			return rc;
		snprintf(key, sizeof(key), "%s.name", at);
		v = json_object_get(t, "name");
		if ((rc = want_name(m, v, key, NULL, &s)))
			return rc;
		if (strcmp(s, PERF_SERIAL) == 0)
			return refuse(m, key, v, "a name other than " PERF_SERIAL " (the performance check's serial run)");
		for (size_t k = 0; k < first + i; k++)
			if (strcmp(ex->tests[k].name, s) == 0)
				return k < first ?
				       bench_err_set(m->err, BENCH_EINPUT,
						     "%s: '%s': \"%s\" is a public test's name already: expected a name of its own",
						     m->file, key, s) :
				       bench_err_set(m->err, BENCH_EINPUT,
						     "%s: '%s': \"%s\" is tests[%zu]'s name already: expected each test's name once",
						     m->file, key, s, k - first);
		if (!(g->name = strdup(s)))
			return no_memory(m);
		snprintf(key, sizeof(key), "%s.points", at);
		if ((rc = want_number(m, json_object_get(t, "points"), key, 0, 0, POINTS_MAX,
				      &g->points)))
			return rc;
		snprintf(key, sizeof(key), "%s.check", at);
		v = json_object_get(t, "check");
		s = json_string_value(v);
		if (!s || (strcmp(s, "exact") != 0 && strcmp(s, "lines") != 0))
			return refuse(m, key, v, "\"exact\" or \"lines\"");
		g->lines = strcmp(s, "lines") == 0;
		snprintf(key, sizeof(key), "%s.tsan", at);
		if ((v = json_object_get(t, "tsan"))) {
			if (!json_is_boolean(v))
				return refuse(m, key, v, "true or false");
			ex->tsan[ex->ntests - 1] = json_is_true(v);
		}
		snprintf(key, sizeof(key), "%s.wall_vs_reference", at);
		if (!(v = json_object_get(t, "wall_vs_reference")))
			continue;
		if (!json_is_array(v) || json_array_size(v) != 2)
			return refuse(m, key, v, "[low, high]: two numbers, 0 < low <= high <= %g",
				      RATIO_MAX);
		snprintf(key, sizeof(key), "%s.wall_vs_reference[0]", at);
		if ((rc = want_number(m, json_array_get(v, 0), key, 0, 1, RATIO_MAX, &lo)))
			return rc;
		snprintf(key, sizeof(key), "%s.wall_vs_reference[1]", at);
		if ((rc = want_number(m, json_array_get(v, 1), key, lo, 0, RATIO_MAX, &hi)))
			return rc;
		g->wall_lo = lo;
		g->wall_hi = hi;
	}
	return 0;
}

static int parse_libs(struct exercise *ex, const struct manifest *m, json_t *libs)
{
	if (!json_is_array(libs) || json_array_size(libs) > GRADE_LIBS_MAX)
		return refuse(m, "libs", libs,
			      "an array of link flags from \"-lpthread\", \"-lm\", \"-lcrypto\" and \"-ljansson\"");
	for (size_t i = 0; i < json_array_size(libs); i++) {
		json_t *v = json_array_get(libs, i);
		const char *l = json_string_value(v);
		char key[32];
		size_t k = 0;

		snprintf(key, sizeof(key), "libs[%zu]", i);
		while (l && allowed_libs[k] && strcmp(l, allowed_libs[k]) != 0)
			k++;
		if (!l || !allowed_libs[k])
			return refuse(m, key, v,
				      "\"-lpthread\", \"-lm\", \"-lcrypto\" or \"-ljansson\"");
		for (k = 0; k < ex->nlibs; k++)
			if (strcmp(ex->libs[k], l) == 0)
				return refuse(m, key, v, "each library once");
		if (!(ex->libs[ex->nlibs] = strdup(l)))
			return no_memory(m);
		ex->nlibs++;
	}
	return 0;
}

static int parse_perf(struct exercise *ex, const struct manifest *m, json_t *perf)
{
	static const char *const keys[] = { "test", "points", "target_speedup",
					    "target_workers", NULL };
	json_int_t workers = 0;
	json_t *v;
	const char *s;
	int rc;

	if (!json_is_object(perf))
		return refuse(m, "perf", perf,
			      "an object: {\"test\": ..., \"points\": ..., \"target_speedup\": ..., \"target_workers\": ...}");
	if ((rc = known_keys(m, perf, "perf.", keys,
			     "test, points, target_speedup or target_workers")))
		return rc;
	v = json_object_get(perf, "test");
	if ((rc = want_name(m, v, "perf.test", NULL, &s)))
		return rc;
	if (strcmp(s, PERF_SERIAL) == 0)
		return refuse(m, "perf.test", v,
			      "a name other than " PERF_SERIAL " (the driver's serial code, which it is timed against)");
	if (!(ex->perf_test = strdup(s)))
		return no_memory(m);
	if ((rc = want_number(m, json_object_get(perf, "points"), "perf.points", 0, 1,
			      POINTS_MAX, &ex->perf_points)) ||
	    (rc = want_integer(m, json_object_get(perf, "target_workers"),
			       "perf.target_workers", 2, WORKERS_MAX, &workers)))
		return rc;
	ex->target_workers = (unsigned)workers;
	/* More than linear is no target a correct solution can be held to. */
	return want_number(m, json_object_get(perf, "target_speedup"), "perf.target_speedup",
			   1, 1, (double)workers, &ex->target_speedup);
}

static int parse_exercise(struct exercise *ex, const struct manifest *m, json_t *doc)
{
	static const char *const keys[] = { "title", "source", "header", "libs",
					    "tests", "perf", NULL };
	json_t *v;
	const char *s;
	int rc;

	if ((rc = known_keys(m, doc, "", keys, "title, source, header, libs, tests or perf")))
		return rc;
	v = json_object_get(doc, "title");
	s = json_string_value(v);
	for (size_t i = 0; s && s[i]; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			s = NULL;
	if (!s || !*s || strlen(s) > TITLE_MAX)
		return refuse(m, "title", v, "a string of 1 to %d bytes without control characters",
			      TITLE_MAX);
	if (!(ex->title = strdup(s)))
		return no_memory(m);
	v = json_object_get(doc, "source");
	if ((rc = want_name(m, v, "source", ".c", &s)))
		return rc;
	/* The drivers' names, beside which the reference is built. */
	if (strcmp(s, "tests.c") == 0 || strcmp(s, "hidden_tests.c") == 0)
		return refuse(m, "source", v, "a file name other than tests.c and hidden_tests.c (the drivers')");
	if (!(ex->source = strdup(s)))
		return no_memory(m);
	v = json_object_get(doc, "header");
	if ((rc = want_name(m, v, "header", ".h", &s)))
		return rc;
	if (strcmp(s, DRIVER_HEADER) == 0)
		return refuse(m, "header", v, "a file name other than " DRIVER_HEADER " (the drivers' shared harness)");
	if (!(ex->header = strdup(s)))
		return no_memory(m);
	if ((v = json_object_get(doc, "libs")) && (rc = parse_libs(ex, m, v)))
		return rc;
	if ((rc = parse_tests(ex, m, json_object_get(doc, "tests"), 0)))
		return rc;
	if ((v = json_object_get(doc, "perf")))
		return parse_perf(ex, m, v);
	return 0;
}

int exercise_manifest_parse(struct exercise *ex, enum exercise_manifest kind,
			    const char *file, const void *data, size_t len,
			    struct bench_err *err)
{
	static const char *const hidden_keys[] = { "tests", NULL };
	struct manifest m = { file ? file : "manifest", err };
	json_error_t je;
	json_t *doc;
	int rc;

	if (len > MANIFEST_MAX)
		return bench_err_set(err, BENCH_EINPUT, "%s: larger than 1 MiB: expected a manifest",
				     m.file);
	/* A key given twice would leave which one counts to the parser. */
	if (!(doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je)))
		return bench_err_set(err, BENCH_EINPUT, "%s: line %d, column %d: %s", m.file,
				     je.line, je.column, je.text);
	if (!json_is_object(doc)) {
		char shown[80];

		describe(doc, shown, sizeof(shown));
		rc = bench_err_set(err, BENCH_EINPUT, "%s: expected a JSON object, got %s",
				   m.file, shown);
	} else if (kind == EXERCISE_HIDDEN) {
		rc = known_keys(&m, doc, "", hidden_keys,
				"tests (a hidden tests.json holds its tests only)");
		if (rc == 0)
			rc = parse_tests(ex, &m, json_object_get(doc, "tests"), 1);
	} else {
		rc = parse_exercise(ex, &m, doc);
	}
	json_decref(doc);
	return rc;
}

int exercise_manifest_load(struct exercise *ex, enum exercise_manifest kind,
			   const char *path, struct bench_err *err)
{
	/* O_NONBLOCK: a FIFO in its place must not hang the grader. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), rc;
	struct stat st;
	size_t len = 0;
	ssize_t n = 0;
	char *buf;

	if (fd < 0)
		return bench_err_set(err, BENCH_ESYS, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0) {
		rc = bench_err_set(err, BENCH_ESYS, "%s: %s", path, strerror(errno));
		close(fd);
		return rc;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > (off_t)MANIFEST_MAX) {
		rc = bench_err_set(err, BENCH_EINPUT, "%s: %s", path,
				   !S_ISREG(st.st_mode) ? "not a regular file: expected a manifest" :
				   "larger than 1 MiB: expected a manifest");
		close(fd);
		return rc;
	}
	if (!(buf = malloc((size_t)st.st_size + 1))) {
		close(fd);
		return bench_err_set(err, BENCH_ENOMEM, "%s: out of memory", path);
	}
	while (len < (size_t)st.st_size &&
	       ((n = read(fd, buf + len, (size_t)st.st_size - len)) > 0 || (n < 0 && errno == EINTR)))
		len += n > 0 ? (size_t)n : 0;
	if (n < 0) {
		rc = bench_err_set(err, BENCH_ESYS, "%s: %s", path, strerror(errno));
		close(fd);
		free(buf);
		return rc;
	}
	close(fd);
	rc = exercise_manifest_parse(ex, kind, path, buf, len, err);
	free(buf);
	return rc;
}

/* The folder of spec under exercises/: "2", "02", "02-timeit". */
static int find_exercise(const char *spec, char *slug, size_t len,
			 struct bench_err *err)
{
	const char *root = exercises_dir();
	struct dirent *e;
	DIR *d;
	int found = 0;
	char *end;
	long num = strtol(spec, &end, 10);

	if (!root)
		return bench_err_set(err, BENCH_ESYS,
				     "cannot find the exercises folder: set BENCH_EXERCISES or install bench");
	if (!(d = opendir(root)))
		return bench_err_set(err, BENCH_ESYS, "cannot open %s: %s", root,
				     strerror(errno));
	while ((e = readdir(d)) && !found) {
		if (!isdigit((unsigned char)e->d_name[0]) || !strchr(e->d_name, '-'))
			continue;
		if (strcmp(e->d_name, spec) == 0 ||
		    (*end == '\0' && end != spec && atol(e->d_name) == num)) {
			snprintf(slug, len, "%.120s", e->d_name);
			found = 1;
		}
	}
	closedir(d);
	if (!found)
		return bench_err_set(err, BENCH_EINVAL,
				     "exercise '%s': expected a number or folder name from 'bench exercises'",
				     spec);
	return 0;
}

int exercise_load(const char *spec, const char *hidden, struct exercise *ex,
		  struct bench_err *err)
{
	char file[PATH_MAX + 32];
	struct stat st;
	int rc;

	memset(ex, 0, sizeof(*ex));
	if ((rc = find_exercise(spec, ex->slug, sizeof(ex->slug), err)))
		return rc;
	snprintf(ex->dir, sizeof(ex->dir), "%s/%s", exercises_dir(), ex->slug);
	snprintf(file, sizeof(file), "%s/exercise.json", ex->dir);
	if ((rc = exercise_manifest_load(ex, EXERCISE_MANIFEST, file, err)) || !hidden)
		return rc;
	if (stat(hidden, &st) != 0 || !S_ISDIR(st.st_mode))
		return bench_err_set(err, BENCH_ESYS, "--hidden %s: %s", hidden,
				     errno && stat(hidden, &st) != 0 ? strerror(errno) :
				     "not a folder");
	snprintf(ex->hidden, sizeof(ex->hidden), "%s/%s", hidden, ex->slug);
	snprintf(file, sizeof(file), "%s/tests.json", ex->hidden);
	if (access(file, R_OK) != 0)
		return bench_err_set(err, BENCH_ESYS, "--hidden: %s: %s", file,
				     strerror(errno));
	return exercise_manifest_load(ex, EXERCISE_HIDDEN, file, err);
}

void exercise_free(struct exercise *ex)
{
	for (size_t i = 0; i < ex->ntests; i++) {
		free(ex->tests[i].name);
		free(ex->tests[i].expect);
	}
	for (size_t i = 0; i < ex->nlibs; i++)
		free(ex->libs[i]);
	free(ex->tests);
	free(ex->tsan);
	free(ex->title);
	free(ex->source);
	free(ex->header);
	free(ex->perf_test);
	free(ex->perf_expect);
	if (ex->work[0])
		remove_tree(ex->work);
	memset(ex, 0, sizeof(*ex));
}

/* ---- files --------------------------------------------------------------- */

int grade_copy_file(const char *src, const char *dst, size_t max, mode_t mode,
		    char *why, size_t wlen)
{
	return grade_copy_at(AT_FDCWD, src, 0, dst, max, mode, why, wlen);
}

int grade_copy_at(int dirfd, const char *src, int untrusted, const char *dst,
		  size_t max, mode_t mode, char *why, size_t wlen)
{
	/* O_NONBLOCK: a FIFO in its place must not hang the grader. */
	int in = openat(dirfd, src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	int out = -1;
	struct stat st;
	char buf[65536];
	ssize_t n;
	size_t total = 0;

	if (in < 0) {
		snprintf(why, wlen, "%s", errno == ELOOP ? "it is a symbolic link" : strerror(errno));
		return -1;
	}
	if (fstat(in, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max ||
	    (untrusted && st.st_nlink > 1)) {
		if (!S_ISREG(st.st_mode))
			snprintf(why, wlen, "not a regular file");
		else if ((size_t)st.st_size > max)
			snprintf(why, wlen, "larger than allowed");
		else
			snprintf(why, wlen, "it is a hard link (%ju names for one file): submit a copy",
				 (uintmax_t)st.st_nlink);
		close(in);
		return -1;
	}
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
	while (out >= 0 && (n = read(in, buf, sizeof(buf))) > 0 && total <= max) {
		total += (size_t)n;
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	}
	close(in);
	if (out < 0 || close(out) != 0 || total > max) {
		snprintf(why, wlen, "cannot copy it: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* A folder the sandbox of slot may write (owned by its uid). */
static int make_dir(const char *path, unsigned slot)
{
	if (mkdir(path, 0700) != 0)
		return -1;
	if (geteuid() == 0 && chown(path, sbx_uid(slot), sbx_uid(slot)) != 0)
		return -1;
	return 0;
}

/* Runs `sh -c script` sandboxed in dir; 0 when it exited 0, else 1 with
 * its messages in *log (malloc'd, capped), or a BENCH_E* code. */
static int sh_in(const char *dir, unsigned slot, const char *script, char **log,
		 struct bench_err *err)
{
	char *argv[] = { "/bin/sh", "-c", (char *)script, NULL };
	struct sbx_opts o;
	struct sbx_result r;
	char how[128];
	int rc;

	sbx_defaults(&o);
	o.dir = dir;
	o.argv = argv;
	o.slot = slot;
	o.timeout_ns = 60 * BENCH_NS_PER_S;
	o.cpu_s = 60;
	o.mem_bytes = 1ull << 30;
	o.out_cap = LOG_MAX;
	if ((rc = sbx_run(&o, &r, err)))
		return rc;
	rc = r.exited && r.exit_code == 0 ? 0 : 1;
	if (log) {
		size_t len = strlen(r.err) + strlen(r.out) + 160;

		*log = malloc(len);
		if (*log) {
			size_t n;

			snprintf(*log, len, "%s%s%s", r.err, r.out,
				 rc && !r.exited ? sbx_describe(&r, &o, how, sizeof(how)) : "");
			for (n = strlen(*log); n > 0 && isspace((unsigned char)(*log)[n - 1]); n--)
				(*log)[n - 1] = '\0';
		}
	}
	sbx_result_free(&r);
	return rc;
}

static void lib_flags(const struct exercise *ex, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < ex->nlibs; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), " %s", ex->libs[i]);
}

/* ---- running a driver -------------------------------------------------- */

/* The limits of a ThreadSanitizer run against a test's (the race
 * detection section below says why). */
#define TSAN_SLOWDOWN 4             /* its time limits against a test's */
#define TSAN_BOX_MEM (2ull << 30)   /* the box's memory.max, bytes */

/* Runs ./driver TEST SEED sandboxed in slot, its scheduling sampled
 * into prof unless NULL; with tsan, under a ThreadSanitizer run's
 * limits. The one place a driver is started. */
static int driver_run(const char *bin, const char *test, uint64_t seed,
		      unsigned slot, bench_ns timeout, struct schedprof *prof,
		      int tsan, struct sbx_result *r, struct sbx_opts *o,
		      struct bench_err *err)
{
	char seedtxt[32];
	char *argv[] = { "./driver", (char *)test, seedtxt, NULL };

	snprintf(seedtxt, sizeof(seedtxt), "%llu", (unsigned long long)seed);
	sbx_defaults(o);
	o->file = bin;
	o->file_name = "driver";
	o->argv = argv;
	o->slot = slot;
	o->timeout_ns = timeout;
	o->prof = prof;
	if (tsan) {
		o->timeout_ns = TSAN_SLOWDOWN * timeout;
		o->cpu_s *= TSAN_SLOWDOWN;
		o->mem_bytes = UINT64_MAX;  /* RLIMIT_AS: RLIM_INFINITY */
		o->box_mem_bytes = TSAN_BOX_MEM;
	}
	return sbx_run(o, r, err);
}

static int run_driver_prof(const char *bin, const char *test, uint64_t seed,
			   unsigned slot, bench_ns timeout, struct schedprof *prof,
			   struct sbx_result *r, struct sbx_opts *o,
			   struct bench_err *err)
{
	return driver_run(bin, test, seed, slot, timeout, prof, 0, r, o, err);
}

static int run_driver(const char *bin, const char *test, uint64_t seed,
		      unsigned slot, bench_ns timeout, struct sbx_result *r,
		      struct sbx_opts *o, struct bench_err *err)
{
	return run_driver_prof(bin, test, seed, slot, timeout, NULL, r, o, err);
}

/* A timed test's time: estimated for the machine's CPUs idle (schedprof.h),
 * so that load elsewhere moves it little; the wall clock where the
 * scheduler's counters could not be read. */
static bench_ns test_time(const struct exercise *ex, const struct schedprof *sp,
			  const struct sbx_result *r)
{
	bench_ns t = schedprof_ideal(sp, ex->cpus);

	return t ? t : r->wall_ns;
}

/* ---- race detection: ThreadSanitizer ------------------------------------ */

/*
 * Tests marked "tsan" run a second time, in a third build of driver and
 * solution made with -fsanitize=thread; a race it reports fails the test
 * (halt_on_error: the first report, on stderr, ends the run with status
 * 66), with the two accesses in words.
 * Nothing else of that run counts: TSan is 5 to 15 times slower, so its
 * output and time prove nothing the first run did not. Its options are
 * compiled in (__tsan_default_options, the sandbox clears the
 * environment): no thread-leak or lock-order reports (no test's subject),
 * no second's sleep at exit. TSan reserves terabytes of address space, so
 * its run has no RLIMIT_AS; the box's cgroup bounds its memory instead,
 * and with no cgroup here the runs are skipped, never left unbounded.
 */
#define TSAN_FLAGS "-fsanitize=thread"
#define TSAN_OPTIONS "halt_on_error=1:exitcode=66:report_thread_leaks=0:" \
	"detect_deadlocks=0:report_signal_unsafe=0:atexit_sleep_ms=0:history_size=4"

static int tsan_wanted(const struct exercise *ex)
{
	for (size_t i = 0; ex->tsan && i < ex->ntests; i++)
		if (ex->tsan[i])
			return 1;
	return 0;
}

static int run_tsan_driver(const char *bin, const char *test, uint64_t seed,
			   unsigned slot, bench_ns timeout, struct sbx_result *r,
			   struct sbx_opts *o, struct bench_err *err)
{
	return driver_run(bin, test, seed, slot, timeout, NULL, 1, r, o, err);
}

/* One frame of a TSan stack: "    #N FUNC FILE:LINE (MODULE+0xOFF)". */
struct tsan_frame {
	char func[64];
	char where[96];        /* "pool_map.c:172", or "" */
};

/* One block of a report: its header line and up to 16 frames. */
struct tsan_block {
	char head[160];
	struct tsan_frame frame[16];
	size_t nframes;
};

/* Copies printable ASCII of s[0 .. n) into buf. */
static void ascii_copy(char *buf, size_t cap, const char *s, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n && s[i] && k + 1 < cap; i++)
		buf[k++] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	buf[k] = '\0';
}

static void tsan_parse_frame(const char *line, size_t len, struct tsan_frame *f)
{
	const char *p = line, *end = line + len, *func, *file, *slash;
	size_t n;

	f->func[0] = f->where[0] = '\0';
	while (p < end && *p != ' ')   /* "#N" */
		p++;
	while (p < end && *p == ' ')
		p++;
	func = p;
	while (p < end && *p != ' ')
		p++;
	ascii_copy(f->func, sizeof(f->func), func, (size_t)(p - func));
	while (p < end && *p == ' ')
		p++;
	file = p;
	while (p < end && *p != ' ')
		p++;
	n = (size_t)(p - file);
	/* Only a source file: "/work/x.c:12" or "/work/x.c:12:3"; a module
	 * "(libcrypto.so.3+0x...)" or "<null>" says nothing to a student. */
	if (n == 0 || *file == '(' || *file == '<' || !memchr(file, ':', n))
		return;
	/* TSan's own runtime (an interceptor such as malloc): no place. */
	for (const char *q = file; q + 9 <= file + n; q++)
		if (memcmp(q, "sanitizer", 9) == 0)
			return;
	for (slash = file; slash < file + n; slash++)
		if (*slash == '/')
			file = slash + 1;
	n = (size_t)(p - file);
	ascii_copy(f->where, sizeof(f->where), file, n);
	/* Drop a column: "x.c:12:3" -> "x.c:12". */
	{
		char *c1 = strchr(f->where, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

		if (c2)
			*c2 = '\0';
	}
}

/* The frame a student should look at: the first in their source (and
 * the function it was calling), else (unless mine) the first with a
 * source file. Returns 0 when there is none. */
static int tsan_place(const struct tsan_block *b, const char *source, int mine,
		      char *buf, size_t cap)
{
	size_t k, n = strlen(source);
	const struct tsan_frame *f = NULL;
	const char *callee;

	for (k = 0; k < b->nframes && !f; k++)
		if (strncmp(b->frame[k].where, source, n) == 0 && b->frame[k].where[n] == ':')
			f = &b->frame[k];
	for (k = 0; k < b->nframes && !f && !mine; k++)
		if (b->frame[k].where[0])
			f = &b->frame[k];
	if (!f) {
		snprintf(buf, cap, "%s", b->nframes ? "code without debugging information" :
			 "a place TSan could not tell");
		return 0;
	}
	k = (size_t)(f - b->frame);
	callee = k > 0 ? b->frame[k - 1].func : "";
	if (strcmp(callee, "<null>") == 0)
		callee = "";
	snprintf(buf, cap, "in %s (%s)%s%s", f->func, f->where, callee[0] ? ", calling " : "",
		 callee);
	return 1;
}

/* An access's header ("  Previous write of size 8 at 0x... by thread T1:")
 * in words: "a write of 8 bytes by thread T1". */
static void tsan_access(const char *head, char *buf, size_t cap)
{
	const char *p = head, *by = strstr(head, " by "), *size = strstr(head, " of size ");
	char who[48] = "";
	int atomic, write;

	while (*p == ' ')
		p++;
	if (strncmp(p, "Previous ", 9) == 0)
		p += 9;
	atomic = strncasecmp(p, "atomic ", 7) == 0;
	write = strstr(p, "rite of") != NULL;
	(void)size;
	if (by) {
		size_t len = strcspn(by + 4, ":(");

		while (len > 0 && by[4 + len - 1] == ' ')
			len--;
		ascii_copy(who, sizeof(who), by + 4, len);
	}
	snprintf(buf, cap, "%s%s by %s%s", atomic ? "an atomic " : "a ", write ? "write" : "read",
		 strcmp(who, "main thread") == 0 ? "the " : "", who[0] ? who : "a thread");
}

/*
 * Reads a ThreadSanitizer report on stderr text into msg, in words: what
 * it found, the two accesses (function, file:line, which thread, read or
 * write) and the memory. Returns 0 when text holds no report.
 */
static int tsan_explain(const char *text, const char *source, char *msg,
			size_t cap)
{
	const char *w = strstr(text, "WARNING: ThreadSanitizer: "), *line;
	struct tsan_block b[3];
	char kind[80], place[2][200], access[2][96], mem[420] = "", out[1400];
	size_t nb = 0;

	if (!w)
		return 0;
	memset(b, 0, sizeof(b));
	w += strlen("WARNING: ThreadSanitizer: ");
	ascii_copy(kind, sizeof(kind), w, strcspn(w, "(\n"));
	for (size_t n = strlen(kind); n > 0 && kind[n - 1] == ' '; n--)
		kind[n - 1] = '\0';
	/* Blocks: a header at two spaces, then its frames at four. The
	 * frames right after the WARNING line (a mutex misuse) make a block
	 * with no header. */
	nb = 1;
	for (line = strchr(w, '\n'); line && *++line; line = strchr(line, '\n')) {
		size_t len = strcspn(line, "\n");

		if (strncmp(line, "SUMMARY:", 8) == 0 || strncmp(line, "=====", 5) == 0)
			break;
		if (strncmp(line, "    #", 5) == 0) {
			struct tsan_block *cur = &b[nb - 1];

			if (cur->nframes < 16)
				tsan_parse_frame(line + 4, len - 4, &cur->frame[cur->nframes++]);
		} else if (line[0] == ' ' && line[1] == ' ' && line[2] != ' ' && line[2] != '\n') {
			if (nb == 3)
				break;
			if (strncmp(line + 2, "Location is ", 12) == 0) {
				const char *q = line + 14;
				size_t ql = strcspn(q, "\n");
				const char *at = strstr(q, " at 0x");

				int size = 0;
				char name[100] = "";

				if (at && (size_t)(at - q) < ql)
					ql = (size_t)(at - q);
				if (sscanf(q, "heap block of size %d", &size) == 1)
					snprintf(mem, sizeof(mem), "a block of %d bytes from the heap", size);
				else if (sscanf(q, "global '%99[^']'", name) == 1)
					snprintf(mem, sizeof(mem), "the global variable '%s'", name);
				else
					ascii_copy(mem, sizeof(mem), q, ql);
			}
			/* A block at most per header, the first one headerless. */
			if (b[nb - 1].head[0] || b[nb - 1].nframes)
				nb++;
			ascii_copy(b[nb - 1].head, sizeof(b[nb - 1].head), line, len);
		}
	}
	/* The accesses: blocks whose header names a read or a write. */
	{
		size_t na = 0;

		for (size_t k = 0; k < nb && na < 2; k++)
			if (strstr(b[k].head, " of size ") && !strstr(b[k].head, "Location is")) {
				tsan_access(b[k].head, access[na], sizeof(access[na]));
				tsan_place(&b[k], source, 0, place[na], sizeof(place[na]));
				na++;
			}
		if (mem[0]) {
			/* The block a heap location was allocated in. */
			for (size_t k = 0; k < nb; k++)
				if (strstr(b[k].head, "Location is heap") && b[k].nframes) {
					char p[200];

					/* Only where the student's code allocated it:
					 * through OpenSSL, say, TSan loses the frames
					 * between, and the driver's would mislead. */
					if (tsan_place(&b[k], source, 1, p, sizeof(p)))
						snprintf(mem + strlen(mem), sizeof(mem) - strlen(mem),
							 " allocated %s", p);
				}
		}
		if (na == 2 && strcmp(kind, "data race") == 0)
			snprintf(out, sizeof(out),
				 "a data race (ThreadSanitizer): %s %s, and %s %s before it, with nothing (a lock, a join, an atomic) ordering the two%s%s",
				 access[0], place[0], access[1], place[1],
				 mem[0] ? "; the memory: " : "", mem);
		else if (na >= 1)
			snprintf(out, sizeof(out), "%s (ThreadSanitizer): %s %s%s%s", kind, access[0],
				 place[0], mem[0] ? "; the memory: " : "", mem);
		else {
			tsan_place(&b[0], source, 0, place[0], sizeof(place[0]));
			snprintf(out, sizeof(out), "%s (ThreadSanitizer): %s", kind, place[0]);
		}
	}
	/* Cut to fit, with "..." where cut. */
	{
		size_t n = strlen(out);

		if (n >= cap && cap > 4) {
			n = cap - 4;
			memcpy(out + n, "...", 4);
			n += 3;
		}
		if (n >= cap)
			n = cap ? cap - 1 : 0;
		if (cap) {
			memcpy(msg, out, n);
			msg[n] = '\0';
		}
	}
	return 1;
}

static void show_line(const char *text, size_t k, size_t from, char *buf,
		      size_t cap);

/*
 * The TSan builds, in ref/: the drivers, the reference and the options
 * object; then the reference's run of every "tsan" test, which must not
 * race (a report there is the exercise's bug, or its driver's: refused,
 * as a reference that fails a test is). When TSan cannot work here (no
 * cgroup to bound it, gcc without libtsan, a run that fails for another
 * reason), the race checks are skipped with ex->tsan_note saying why.
 */
static int tsan_prepare(struct exercise *ex, const char *ref, const char *libs,
			struct bench_err *err)
{
	char path[PATH_MAX + 64], script[2048], why[200], how[128], first[200];
	char *log = NULL;
	FILE *f;
	int rc, bad;

	if (!tsan_wanted(ex))
		return 0;
	if (!sbx_cgroups(why, sizeof(why))) {
		snprintf(ex->tsan_note, sizeof(ex->tsan_note),
			 "no race checks: ThreadSanitizer's runs need a cgroup to bound their memory (%.120s)",
			 why);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/tsan_options.c", ref);
	f = fopen(path, "w");
	bad = !f || fputs("const char *__tsan_default_options(void);\n"
			  "const char *__tsan_default_options(void)\n{\n"
			  "\treturn \"" TSAN_OPTIONS "\";\n}\n", f) < 0;
	if (f && fclose(f) != 0)
		bad = 1;
	if (bad)
		return bench_err_set(err, BENCH_ESYS, "cannot write %s: %s", path, strerror(errno));
	snprintf(script, sizeof(script),
		 "set -e; cc=\"gcc " CFLAGS_STRICT " " TSAN_FLAGS "\"; "
		 "$cc -c tests.c -o driver_tsan.o; $cc -c %s -o ref_tsan.o; "
		 "$cc -c tsan_options.c -o tsan_options.o; "
		 "gcc " TSAN_FLAGS " driver_tsan.o ref_tsan.o tsan_options.o%s -o ref_tsan; "
		 "if [ -f hidden_tests.c ]; then $cc -c hidden_tests.c -o hidden_tsan.o; "
		 "gcc " TSAN_FLAGS " hidden_tsan.o ref_tsan.o tsan_options.o%s -o ref_hidden_tsan; fi",
		 ex->source, libs, libs);
	rc = sh_in(ref, 0, script, &log, err);
	if (rc == 1) {
		show_line(log ? log : "", 1, 0, first, sizeof(first));
		snprintf(ex->tsan_note, sizeof(ex->tsan_note),
			 "no race checks: gcc does not build with " TSAN_FLAGS " here: %.120s",
			 first);
		rc = 0;
	}
	free(log);
	if (rc || ex->tsan_note[0])
		return rc;
	for (size_t i = 0; i < ex->ntests; i++) {
		struct grade_test *t = &ex->tests[i];
		struct sbx_opts o;
		struct sbx_result r;
		char msg[600];

		if (!ex->tsan[i])
			continue;
		snprintf(path, sizeof(path), "%s/%s", ref, t->hidden ? "ref_hidden_tsan" : "ref_tsan");
		if ((rc = run_tsan_driver(path, t->name, ex->seed, 0, ex->timeout_ns, &r, &o, err)))
			return rc;
		if (tsan_explain(r.err, ex->source, msg, sizeof(msg))) {
			rc = bench_err_set(err, BENCH_EINVAL,
					   "exercise %s: the reference races in test %s: %.400s",
					   ex->slug, t->name, msg);
		} else if (!r.exited || r.exit_code != 0) {
			show_line(r.err, 1, 0, first, sizeof(first));
			snprintf(ex->tsan_note, sizeof(ex->tsan_note),
				 "no race checks: ThreadSanitizer does not run here (the reference's run of test %s %s%s%.80s)",
				 t->name, sbx_describe(&r, &o, how, sizeof(how)),
				 r.err[0] ? ": " : "", r.err[0] ? first : "");
		}
		sbx_result_free(&r);
		if (rc || ex->tsan_note[0])
			return rc;
	}
	return 0;
}

int exercise_prepare(struct exercise *ex, uint64_t seed, struct bench_err *err)
{
	const char *tmp = getenv("TMPDIR");
	char ref[PATH_MAX + 8], src[PATH_MAX + 64], dst[PATH_MAX + 64];
	char script[2048], libs[256], why[128], *log = NULL;
	int rc;

	ex->seed = seed;
	ex->cpus = bench_cpus();
	if (!ex->timeout_ns)
		ex->timeout_ns = 5 * BENCH_NS_PER_S;
	if (!tmp || !*tmp || strlen(tmp) > 900)
		tmp = "/tmp";
	/* As root, sandboxes run as other uids: every folder above the
	 * scratch one must let them through. */
	if (geteuid() == 0) {
		char up[1024];
		struct stat st;

		snprintf(up, sizeof(up), "%s", tmp);
		for (char *slash; up[0]; *slash = '\0') {
			if (stat(up, &st) == 0 && !(st.st_mode & S_IXOTH))
				return bench_err_set(err, BENCH_ESYS,
						     "TMPDIR %s: %s is closed to other users, and the sandboxes run as unprivileged uids; set TMPDIR to a folder they may enter, such as /tmp",
						     tmp, up);
			if (!(slash = strrchr(up, '/')))
				break;
			if (slash == up)
				break;
		}
	}
	snprintf(ex->work, sizeof(ex->work), "%s/bench-grade-XXXXXX", tmp);
	if (!mkdtemp(ex->work)) {
		ex->work[0] = '\0';
		return bench_err_set(err, BENCH_ESYS, "cannot make a scratch folder: %s",
				     strerror(errno));
	}
	/* Sandboxes of any slot reach their own folders through it. */
	chmod(ex->work, 0711);
	snprintf(ref, sizeof(ref), "%s/ref", ex->work);
	if (make_dir(ref, 0) != 0)
		return bench_err_set(err, BENCH_ESYS, "cannot make %s: %s", ref,
				     strerror(errno));
	{
		const char *files[][2] = {
			{ ex->header, ex->header }, { "tests.c", "tests.c" },
			{ "reference/", ex->source },
		};
		const char *root = exercises_dir();
		struct stat st;

		/* The drivers' shared harness, when the exercises folder has
		 * one (an instructor's may not): here only, where drivers are
		 * built, never in a submission's folder. No exercise's own
		 * header has its name (the manifest's schema refuses it). */
		if (root) {
			snprintf(src, sizeof(src), "%s/" DRIVER_HEADER, root);
			snprintf(dst, sizeof(dst), "%s/" DRIVER_HEADER, ref);
			if (lstat(src, &st) == 0 &&
			    grade_copy_file(src, dst, SOURCE_MAX, 0644, why, sizeof(why)))
				return bench_err_set(err, BENCH_ESYS, "%s: %s", src, why);
		}
		for (size_t i = 0; i < 3; i++) {
			snprintf(src, sizeof(src), "%s/%s%s", ex->dir, files[i][0],
				 files[i][0][strlen(files[i][0]) - 1] == '/' ? files[i][1] : "");
			snprintf(dst, sizeof(dst), "%s/%s", ref, files[i][1]);
			if (grade_copy_file(src, dst, SOURCE_MAX, 0644, why, sizeof(why)))
				return bench_err_set(err, BENCH_ESYS, "%s: %s", src, why);
		}
		if (ex->hidden[0]) {
			snprintf(src, sizeof(src), "%s/tests.c", ex->hidden);
			snprintf(dst, sizeof(dst), "%s/hidden_tests.c", ref);
			if (grade_copy_file(src, dst, SOURCE_MAX, 0644, why, sizeof(why)))
				return bench_err_set(err, BENCH_ESYS, "--hidden: %s: %s", src, why);
		}
	}
	lib_flags(ex, libs, sizeof(libs));
	snprintf(script, sizeof(script),
		 "set -e; cc=\"gcc " CFLAGS_STRICT "\"; "
		 "$cc -c tests.c -o driver.o; $cc -c %s -o ref.o; "
		 "gcc driver.o ref.o%s -o ref; "
		 "if [ -f hidden_tests.c ]; then $cc -c hidden_tests.c -o hidden.o; "
		 "gcc hidden.o ref.o%s -o ref_hidden; fi",
		 ex->source, libs, libs);
	rc = sh_in(ref, 0, script, &log, err);
	if (rc == 1)
		rc = bench_err_set(err, BENCH_EINVAL,
				   "exercise %s: the reference does not build: %.300s",
				   ex->slug, log ? log : "");
	free(log);
	if (rc || (rc = tsan_prepare(ex, ref, libs, err)))
		return rc;
	/* The expected output of every test for this seed. */
	for (size_t i = 0; i < ex->ntests; i++) {
		struct grade_test *t = &ex->tests[i];
		struct sbx_opts o;
		struct sbx_result r;
		char how[128];

		struct schedprof sp = { 0 };

		snprintf(src, sizeof(src), "%s/%s", ref, t->hidden ? "ref_hidden" : "ref");
		rc = run_driver_prof(src, t->name, seed, 0, 10 * BENCH_NS_PER_S,
				     t->wall_lo > 0 ? &sp : NULL, &r, &o, err);
		if (rc == 0)
			t->ref_time_ns = test_time(ex, &sp, &r);
		schedprof_free(&sp);
		if (rc)
			return rc;
		if (!r.exited || r.exit_code != 0) {
			rc = bench_err_set(err, BENCH_EINVAL,
					   "exercise %s: the reference fails test %s: it %s: %.200s",
					   ex->slug, t->name, sbx_describe(&r, &o, how, sizeof(how)),
					   r.err);
			sbx_result_free(&r);
			return rc;
		}
		t->expect = r.out;
		t->expect_len = r.out_len;
		free(r.err);
	}
	if (ex->perf_test) {
		struct sbx_opts o;
		struct sbx_result r;

		snprintf(src, sizeof(src), "%s/ref", ref);
		if ((rc = run_driver(src, ex->perf_test, seed, 0, 60 * BENCH_NS_PER_S,
				     &r, &o, err)))
			return rc;
		if (!r.exited || r.exit_code != 0) {
			sbx_result_free(&r);
			return bench_err_set(err, BENCH_EINVAL,
					     "exercise %s: the reference fails its perf test",
					     ex->slug);
		}
		ex->perf_expect = r.out;
		free(r.err);
	}
	return 0;
}

/* ---- grading ------------------------------------------------------------ */

/* Line k (1-based) of text: its start, and its length in *len; NULL when
 * text has fewer lines (or the line is the empty end after a last '\n'). */
static const char *nth_line(const char *text, size_t k, size_t *len)
{
	for (size_t i = 1; i < k && text; i++) {
		text = strchr(text, '\n');
		text = text ? text + 1 : NULL;
	}
	if (!text || !*text)
		return NULL;
	*len = strcspn(text, "\n");
	return text;
}

/* Bytes of a line shown in a message: enough for a line of numbers, not
 * a flood. */
#define SHOWN_MAX 160

/*
 * Line k of text into buf, from byte from on (moved back to where a
 * UTF-8 character starts): escaped (cli/escape.h, so names stay UTF-8
 * and control bytes show as \x1b), "..." where it is cut, before as
 * after; "(nothing)" when there is no such line.
 */
static void show_line(const char *text, size_t k, size_t from, char *buf,
		      size_t cap)
{
	size_t len, at = 0;
	const char *line = nth_line(text, k, &len);

	if (!line) {
		snprintf(buf, cap, "(nothing)");
		return;
	}
	if (from > len)
		from = len;
	while (from > 0 && ((unsigned char)line[from] & 0xc0) == 0x80)
		from--;
	if (from > 0)
		at = (size_t)snprintf(buf, cap, "...");
	esc_bytes(buf + at, cap - at, line + from, len - from, SHOWN_MAX,
		  ESC_BACKSLASH);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines of text, sorted (strings point into a copy, *copy). */
static char **sorted_lines(const char *text, size_t *n, char **copy)
{
	size_t cap = 16;
	char **v = malloc(cap * sizeof(*v)), *save = NULL;

	*n = 0;
	*copy = strdup(text);
	if (!v || !*copy)
		return v;
	for (char *l = strtok_r(*copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (*n == cap) {
			char **more = realloc(v, (cap *= 2) * sizeof(*v));

			if (!more)
				break;
			v = more;
		}
		v[(*n)++] = l;
	}
	qsort(v, *n, sizeof(*v), cmp_str);
	return v;
}

/* Compares output with the expected one; "" when equal, else why. */
static void compare(const struct grade_test *t, const char *got,
		    size_t got_len, char *msg, size_t len)
{
	const char *exp = t->expect;
	char a[260], b[260];  /* both fit a message */
	size_t line = 1, col = 0, from;

	msg[0] = '\0';
	if (t->lines) {
		size_t na, nb;
		char *ca, *cb;
		char **la = sorted_lines(exp, &na, &ca), **lb = sorted_lines(got, &nb, &cb);
		size_t i = 0;

		while (la && lb && i < na && i < nb && strcmp(la[i], lb[i]) == 0)
			i++;
		if (!la || !lb || i < na || i < nb)
			snprintf(msg, len, "the lines differ (in any order): %zu expected, %zu printed%s%s%s",
				 na, nb, i < na && la ? "; missing or wrong: '" : "",
				 i < na && la ? la[i] : "", i < na && la ? "'" : "");
		free(la);
		free(lb);
		free(ca);
		free(cb);
		return;
	}
	if (got_len == t->expect_len && memcmp(exp, got, got_len) == 0)
		return;
	for (size_t i = 0; exp[i] && got[i] && exp[i] == got[i]; i++) {
		col++;
		if (exp[i] == '\n') {
			line++;
			col = 0;
		}
	}
	/* Both lines from a little before their first difference, so a long
	 * line shows where it differs, not its first 80 bytes. */
	from = col > SHOWN_MAX / 2 ? col - SHOWN_MAX / 4 : 0;
	show_line(exp, line, from, a, sizeof(a));
	show_line(got, line, from, b, sizeof(b));
	snprintf(msg, len, "line %zu: expected '%s', got '%s'", line, a, b);
}

/* Rounds of the reference and the submission, alternating, when a timed
 * test's first run fell outside its bounds. */
#define RETIME_ROUNDS 3

static int cmp_ns(const void *a, const void *b)
{
	bench_ns x = *(const bench_ns *)a, y = *(const bench_ns *)b;

	return (x > y) - (x < y);
}

/*
 * A timed test's bounds missed on its first run: the reference and the
 * submission run again, alternately, RETIME_ROUNDS times each, in the
 * submission's slot (the reference's driver copied beside it), and their
 * medians decide. One run against a time measured earlier would judge
 * the load of two different moments. Returns 1 when the bounds hold,
 * 0 when they do not (msg says why), -1 when a run failed (msg says
 * why).
 */
static int retime(const struct exercise *ex, const struct grade_test *t,
		  const struct grade *g, unsigned slot, bench_ns first,
		  char *msg, size_t len, struct bench_err *err)
{
	bench_ns ref[RETIME_ROUNDS], stu[RETIME_ROUNDS + 1];
	char src[PATH_MAX + 32], dst[1400], why[128], how[128];
	const char *bin = t->hidden ? g->hidden_bin : g->bin;
	struct schedprof sp = { 0 };
	double ratio;

	snprintf(src, sizeof(src), "%s/ref/%s", ex->work, t->hidden ? "ref_hidden" : "ref");
	snprintf(dst, sizeof(dst), "%.*s/reference", (int)(strrchr(bin, '/') - bin), bin);
	if (access(dst, X_OK) != 0 &&
	    grade_copy_file(src, dst, SOURCE_MAX * 64, 0755, why, sizeof(why)) != 0) {
		snprintf(msg, len, "the grader could not time it again: %s", why);
		return -1;
	}
	stu[RETIME_ROUNDS] = first;
	for (int i = 0; i < 2 * RETIME_ROUNDS; i++) {
		int student = i % 2 == 0 ? (i / 2) % 2 : !((i / 2) % 2);
		struct sbx_opts o;
		struct sbx_result r;

		if (run_driver_prof(student ? bin : dst, t->name, ex->seed, slot,
				    ex->timeout_ns, &sp, &r, &o, err)) {
			schedprof_free(&sp);
			snprintf(msg, len, "the grader could not run it: %s", err->msg);
			return -1;
		}
		if (!r.exited || r.exit_code != 0) {
			snprintf(msg, len, "%s run, timed again, %s",
				 student ? "its" : "the reference's",
				 sbx_describe(&r, &o, how, sizeof(how)));
			sbx_result_free(&r);
			schedprof_free(&sp);
			return -1;
		}
		(student ? stu : ref)[i / 2] = test_time(ex, &sp, &r);
		sbx_result_free(&r);
	}
	schedprof_free(&sp);
	qsort(ref, RETIME_ROUNDS, sizeof(*ref), cmp_ns);
	qsort(stu, RETIME_ROUNDS + 1, sizeof(*stu), cmp_ns);
	/* The first run counts too: four of the submission's, three of
	 * the reference's, the lower middle of four. */
	ratio = (double)stu[RETIME_ROUNDS / 2] / (double)ref[RETIME_ROUNDS / 2];
	if (ratio >= t->wall_lo && ratio <= t->wall_hi)
		return 1;
	snprintf(msg, len,
		 "right output, but it took %.0f ms where the reference takes %.0f ms (medians of %d runs each, alternating; times for idle CPUs): expected %.2fx to %.2fx of that (%s)",
		 (double)stu[RETIME_ROUNDS / 2] / 1e6, (double)ref[RETIME_ROUNDS / 2] / 1e6,
		 RETIME_ROUNDS, t->wall_lo, t->wall_hi,
		 ratio > t->wall_hi ? "did the work overlap?" : "did it do the work?");
	return 0;
}

static void run_test(const struct exercise *ex, const struct grade_test *t,
		     const struct grade *g, unsigned slot, struct test_result *tr,
		     struct bench_err *err)
{
	struct sbx_opts o;
	struct sbx_result r;
	struct schedprof sp = { 0 };
	char how[160], first[400];
	int timed = t->wall_lo > 0 && t->ref_time_ns > 0;

	if (run_driver_prof(t->hidden ? g->hidden_bin : g->bin, t->name, ex->seed, slot,
			    ex->timeout_ns, timed ? &sp : NULL, &r, &o, err)) {
		schedprof_free(&sp);
		snprintf(tr->msg, sizeof(tr->msg), "the grader could not run it: %s", err->msg);
		return;
	}
	tr->wall_ns = r.wall_ns;
	show_line(r.err, 1, 0, first, sizeof(first));
	if (!r.exited || r.exit_code != 0) {
		snprintf(tr->msg, sizeof(tr->msg), "it %s%s%s", sbx_describe(&r, &o, how, sizeof(how)),
			 r.err[0] ? ": " : "", r.err[0] ? first : "");
	} else {
		compare(t, r.out, r.out_len, tr->msg, sizeof(tr->msg));
		if (!tr->msg[0] && timed) {
			bench_ns took = test_time(ex, &sp, &r);
			double ratio = (double)took / (double)t->ref_time_ns;

			if (ratio < t->wall_lo || ratio > t->wall_hi)
				retime(ex, t, g, slot, took, tr->msg, sizeof(tr->msg), err);
		}
	}
	schedprof_free(&sp);
	if (r.truncated && !tr->msg[0])
		snprintf(tr->msg, sizeof(tr->msg), "too much output");
	/* A hidden test says pass or fail, nothing else: an exit status, a
	 * signal, a time or a line of output would each carry a few bits
	 * of its input out to the student. */
	if (tr->msg[0] && t->hidden)
		snprintf(tr->msg, sizeof(tr->msg), "%s", HIDDEN_FAILED);
	tr->passed = tr->msg[0] == '\0';
	tr->score = tr->passed ? t->points : 0;
	sbx_result_free(&r);
}

/* Runs test t again in the TSan build; a reported race fails it, with
 * the report in words. A test whose first run failed runs there too:
 * a race shows in a plain run only when the threads' timing lets it (a
 * lost update: a wrong count, or a wait that never ends), so the race,
 * named first, is the feedback whatever the load did to that run, and
 * what the first run did follows it. A TSan run that fails otherwise
 * (out of time, out of memory: TSan is slow and big) changes nothing:
 * the first run judged the output. */
static void run_tsan(const struct exercise *ex, const struct grade_test *t,
		     const struct grade *g, unsigned slot, struct test_result *tr,
		     struct bench_err *err)
{
	struct sbx_opts o;
	struct sbx_result r;
	char msg[sizeof(tr->msg)];

	if (run_tsan_driver(t->hidden ? g->hidden_tsan_bin : g->tsan_bin, t->name,
			    ex->seed, slot, ex->timeout_ns, &r, &o, err))
		return;
	if (!tsan_explain(r.err, ex->source, msg, sizeof(msg))) {
		sbx_result_free(&r);
		return;
	}
	if (t->hidden) {
		snprintf(tr->msg, sizeof(tr->msg), "%s", HIDDEN_FAILED);
	} else {
		if (!tr->passed) {
			size_t n = strlen(msg);

			/* Cut to fit: the race comes first. */
			if (snprintf(msg + n, sizeof(msg) - n, "; in its first run, %s",
				     tr->msg) >= (int)(sizeof(msg) - n))
				msg[sizeof(msg) - 1] = '\0';
		}
		snprintf(tr->msg, sizeof(tr->msg), "%s", msg);
	}
	tr->passed = 0;
	tr->score = 0;
	sbx_result_free(&r);
}

/* A file in dir, or in one of its folders, that looks like the source
 * (the same name but for case, or the name one folder down): its path
 * relative to dir into buf. Returns 1 when there is one. */
static int find_source(const char *dir, const char *source, char *buf,
		       size_t len)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;

	while (d && !found && (e = readdir(d))) {
		char sub[PATH_MAX + 256];
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s/%s", dir, e->d_name, source);
		if (strcasecmp(e->d_name, source) == 0) {
			snprintf(buf, len, "%s", e->d_name);
			found = 1;
		} else if (lstat(sub, &st) == 0 && S_ISREG(st.st_mode)) {
			snprintf(buf, len, "%s/%s", e->d_name, source);
			found = 1;
		}
	}
	if (d)
		closedir(d);
	return found;
}

int grade_submission(const struct exercise *ex, const char *path,
		     unsigned slot, struct grade *g, struct bench_err *err)
{
	char dir[1200], src[PATH_MAX + 300], dst[PATH_MAX + 300];
	char script[2048], libs[256], why[512];
	const char *base;
	struct stat st = { 0 };
	char hint[600];
	int rc, subdir = -1, errno_copy, tsan = tsan_wanted(ex) && !ex->tsan_note[0];

	memset(g, 0, sizeof(*g));
	g->slot = slot;
	snprintf(g->path, sizeof(g->path), "%s", path);
	base = strrchr(path, '/');
	snprintf(g->student, sizeof(g->student), "%s", base && base[1] ? base + 1 : path);
	g->tests = calloc(ex->ntests ? ex->ntests : 1, sizeof(*g->tests));
	if (!g->tests)
		return bench_err_set(err, BENCH_ENOMEM, "out of memory");
	/* The submission itself is never followed: a link could point at
	 * anything the grader may read, the reference solution included. */
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		snprintf(g->status, sizeof(g->status), "refused");
		if (asprintf(&g->log, "%s is a symbolic link: a submission must be the folder or the file itself",
			     path) < 0)
			g->log = NULL;
		return 0;
	}
	if (S_ISDIR(st.st_mode)) {
		/* The folder opened once, without following a link, and the
		 * source read from it: nothing can swap a step meanwhile. */
		subdir = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		snprintf(src, sizeof(src), "%s/%s", path, ex->source);
	} else {
		snprintf(src, sizeof(src), "%s", path);
	}
	snprintf(dir, sizeof(dir), "%s/sub-%u-XXXXXX", ex->work, slot);
	if (!mkdtemp(dir) || (geteuid() == 0 &&
			      chown(dir, sbx_uid(slot), sbx_uid(slot)) != 0))
		return bench_err_set(err, BENCH_ESYS, "cannot make a folder for %s: %s",
				     g->student, strerror(errno));
	snprintf(dst, sizeof(dst), "%s/%s", dir, ex->source);
	rc = grade_copy_at(subdir >= 0 ? subdir : AT_FDCWD,
			   subdir >= 0 ? ex->source : src, 1, dst, SOURCE_MAX,
			   0644, why, sizeof(why));
	errno_copy = errno;
	if (subdir >= 0)
		close(subdir);
	if (rc != 0 && errno_copy == ENOENT && subdir >= 0 &&
	    find_source(path, ex->source, hint, sizeof(hint))) {
		snprintf(g->status, sizeof(g->status), "no source");
		if (asprintf(&g->log, "no %s at the top of %s; found %s: %s", ex->source,
			     path, hint, strchr(hint, '/') ? "move it up one folder" :
			     "rename it") < 0)
			g->log = NULL;
		return 0;
	}
	if (rc != 0) {
		snprintf(g->status, sizeof(g->status), "no source");
		if (asprintf(&g->log, "cannot read %s: %s", src, why) < 0)
			g->log = NULL;
		return 0;
	}
	snprintf(src, sizeof(src), "%s/%s", ex->dir, ex->header);
	snprintf(dst, sizeof(dst), "%s/%s", dir, ex->header);
	if (grade_copy_file(src, dst, SOURCE_MAX, 0644, why, sizeof(why)))
		return bench_err_set(err, BENCH_ESYS, "%s: %s", src, why);
	/* Compile the submission alone: warnings are errors, as the
	 * README says; the messages are the student's feedback. */
	snprintf(script, sizeof(script),
		 "gcc " CFLAGS_STRICT " " UBSAN " -c %s -o ub.o && "
		 "gcc " CFLAGS_STRICT " -c %s -o plain.o%s%s%s && "
		 "gcc " CFLAGS_STRICT " -E -P %s -o " SOURCE_CHECK_PRE " && "
		 "gcc " CFLAGS_STRICT " " TSAN_FLAGS " -E -P %s -o " SOURCE_CHECK_PRE_TSAN " && "
		 "nm -u plain.o > " SOURCE_CHECK_UNDEF " && "
		 "nm -u ub.o%s > " SOURCE_CHECK_UNDEF_ALL " && "
		 "nm --defined-only plain.o%s > " SOURCE_CHECK_DEFINED,
		 ex->source, ex->source,
		 tsan ? " && gcc " CFLAGS_STRICT " " TSAN_FLAGS " -c " : "",
		 tsan ? ex->source : "", tsan ? " -o tsan.o" : "", ex->source,
		 ex->source, tsan ? " tsan.o" : "", tsan ? " tsan.o" : "");
	rc = sh_in(dir, slot, script, &g->log, err);
	if (rc < 0)
		return rc;
	if (rc) {
		snprintf(g->status, sizeof(g->status), "compile error");
		return 0;
	}
	free(g->log);
	g->log = NULL;
	rc = source_check(dir, ex->source, why, sizeof(why));
	if (rc < 0)
		return bench_err_set(err, BENCH_ESYS, "%s", why);
	if (rc) {
		snprintf(g->status, sizeof(g->status), "refused");
		g->log = strdup(why);
		return 0;
	}
	/* The driver objects join only now: had they been there while the
	 * submission compiled, an #include of one could have shown the
	 * hidden tests in the compiler's messages. */
	for (int i = 0; i < (tsan ? 5 : 2); i++) {
		static const char *const objs[] = { "driver.o", "hidden.o", "driver_tsan.o",
						    "tsan_options.o", "hidden_tsan.o" };
		const char *obj = objs[i];

		if (!ex->hidden[0] && (i == 1 || i == 4))
			continue;
		snprintf(src, sizeof(src), "%s/ref/%s", ex->work, obj);
		snprintf(dst, sizeof(dst), "%s/%s", dir, obj);
		if (grade_copy_file(src, dst, SOURCE_MAX * 8, 0644, why, sizeof(why)))
			return bench_err_set(err, BENCH_ESYS, "%s: %s", src, why);
	}
	lib_flags(ex, libs, sizeof(libs));
	snprintf(script, sizeof(script),
		 "gcc " UBSAN " driver.o ub.o%s -o test && gcc driver.o plain.o%s -o perf%s%s%s",
		 libs, libs, ex->hidden[0] ? " && gcc " UBSAN " hidden.o ub.o" : "",
		 ex->hidden[0] ? libs : "", ex->hidden[0] ? " -o hidden" : "");
	if (tsan)
		snprintf(script + strlen(script), sizeof(script) - strlen(script),
			 " && gcc " TSAN_FLAGS " driver_tsan.o tsan.o tsan_options.o%s -o tsan%s%s%s",
			 libs, ex->hidden[0] ? " && gcc " TSAN_FLAGS " hidden_tsan.o tsan.o tsan_options.o" : "",
			 ex->hidden[0] ? libs : "", ex->hidden[0] ? " -o hidden_tsan" : "");
	rc = sh_in(dir, slot, script, &g->log, err);
	if (rc < 0)
		return rc;
	if (rc) {
		snprintf(g->status, sizeof(g->status), "link error");
		return 0;
	}
	free(g->log);
	g->log = NULL;
	snprintf(g->bin, sizeof(g->bin), "%s/test", dir);
	snprintf(g->perf_bin, sizeof(g->perf_bin), "%s/perf", dir);
	snprintf(g->hidden_bin, sizeof(g->hidden_bin), "%s/hidden", dir);
	if (tsan) {
		snprintf(g->tsan_bin, sizeof(g->tsan_bin), "%s/tsan", dir);
		snprintf(g->hidden_tsan_bin, sizeof(g->hidden_tsan_bin), "%s/hidden_tsan", dir);
	}
	for (size_t i = 0; i < ex->ntests; i++) {
		int failed_before = err->code;

		run_test(ex, &ex->tests[i], g, slot, &g->tests[i], err);
		/* Not when the grader itself could not run the test. */
		if (tsan && ex->tsan[i] && err->code == failed_before)
			run_tsan(ex, &ex->tests[i], g, slot, &g->tests[i], err);
	}
	snprintf(g->status, sizeof(g->status), "graded");
	return 0;
}

/* Credit for a speedup s against the expected e: full, half, none. */
static double tier(double s, double e)
{
	return s >= e ? 1.0 : s >= 1 + (e - 1) / 2 ? 0.5 : 0.0;
}

/* One timed run of the performance check. */
struct perf_run {
	bench_ns wall, ideal, run, wait;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * Runs test of the driver bin once in slot with the scheduler sampled
 * (schedprof.h), its time estimated for `usable` idle CPUs. Returns 0
 * with *pr filled and why "" when it ran and printed the reference's
 * result; 0 with why saying what went wrong otherwise; a code when the
 * sandbox failed.
 */
static int perf_once(const struct exercise *ex, const char *bin,
		     const char *test, unsigned slot, unsigned usable,
		     struct schedprof *sp, struct perf_run *pr, char *why,
		     size_t len, struct bench_err *err)
{
	char how[128];
	struct sbx_opts o;
	struct sbx_result r;
	int rc;

	why[0] = '\0';
	if ((rc = run_driver_prof(bin, test, ex->seed, slot, 60 * BENCH_NS_PER_S, sp,
				  &r, &o, err)))
		return rc;
	if (!r.exited || r.exit_code != 0)
		snprintf(why, len, "%s", sbx_describe(&r, &o, how, sizeof(how)));
	else if (strcmp(r.out, ex->perf_expect) != 0)
		snprintf(why, len, "printed a wrong result");
	pr->wall = r.wall_ns;
	pr->ideal = schedprof_ideal(sp, usable);
	pr->run = (bench_ns)sp->run_ns;
	pr->wait = (bench_ns)sp->wait_ns;
	sbx_result_free(&r);
	return 0;
}

/* The CPUs a speedup can use here: the machine's, up to the target's. */
static unsigned perf_cpus(const struct exercise *ex)
{
	return ex->cpus < ex->target_workers ? ex->cpus : ex->target_workers;
}

/* A reference that gains less than this over the serial code shows no
 * speedup here (one CPU, or the machine would not give it two). */
#define PERF_REF_MIN 1.10
/* Full credit: this share of the reference's gain here, at most. */
#define PERF_REF_SHARE 0.50

int exercise_perf_baseline(struct exercise *ex, unsigned rounds,
			   struct bench_err *err)
{
	struct perf_run *ser, *ref, *tmp;
	struct schedprof sp = { 0 };
	unsigned usable = perf_cpus(ex);
	char bin[PATH_MAX + 16], why[200];
	int rc = 0, wall = 0;
	double target;

	if (!ex->perf_test || ex->perf_measured)
		return 0;
	if (!(ser = calloc(3 * (size_t)rounds, sizeof(*ser))))
		return bench_err_set(err, BENCH_ENOMEM, "out of memory");
	ref = ser + rounds;
	tmp = ref + rounds;
	/* Both are the reference's driver: its own serial loop, and the
	 * reference solution on the workers; alternating which goes first,
	 * so drift hits both alike. */
	snprintf(bin, sizeof(bin), "%s/ref/ref", ex->work);
	for (unsigned i = 0; i < rounds && rc == 0; i++)
		for (int k = 0; k < 2 && rc == 0; k++) {
			int par = (k + (int)i) % 2;

			rc = perf_once(ex, bin, par ? ex->perf_test : PERF_SERIAL, 0,
				       usable, &sp, par ? &ref[i] : &ser[i], why,
				       sizeof(why), err);
			if (rc == 0 && why[0])
				rc = bench_err_set(err, BENCH_EINVAL,
						   "exercise %s: the reference's %s run %s",
						   ex->slug, par ? "parallel" : "serial", why);
			if (rc == 0 && !(par ? ref : ser)[i].ideal)
				wall = 1;
		}
	schedprof_free(&sp);
	if (rc == 0) {
		double *ratio = (double *)tmp;

		ex->perf_wall = wall;
		for (unsigned i = 0; i < rounds; i++)
			ratio[i] = (double)ser[i].wall / (double)ref[i].wall;
		ex->perf_ref_wall = bench_stats_median(ratio, rounds);
		for (unsigned i = 0; i < rounds; i++)
			ratio[i] = wall ? (double)ser[i].wall / (double)ref[i].wall :
					  (double)ser[i].ideal / (double)ref[i].ideal;
		ex->perf_ref_speedup = bench_stats_median(ratio, rounds);
		/* The target scaled to the CPUs there are: linear from 1x at
		 * one worker to target_speedup at target_workers; then no
		 * more than the reference's own gain here allows (the
		 * driver's serial setup, the machine), so that a solution
		 * as good as the reference always meets it. */
		target = 1 + (ex->target_speedup - 1) * (usable - 1) /
			     (ex->target_workers - 1);
		ex->perf_expected = target;
		if (ex->perf_ref_speedup >= PERF_REF_MIN &&
		    1 + PERF_REF_SHARE * (ex->perf_ref_speedup - 1) < target)
			ex->perf_expected = 1 + PERF_REF_SHARE * (ex->perf_ref_speedup - 1);
		ex->perf_measured = 1;
	}
	free(ser);
	return rc;
}

/* The most rounds a close verdict is measured over before it goes to the
 * instructor, in multiples of --rounds. */
#define PERF_ROUNDS_MAX 3
/* The fewest rounds whose slowest and fastest bound the median with 95%
 * confidence (1 - 2/2^6 = 96.9%; five give 93.8%, three 75%): no verdict
 * is given on fewer, however alike they are. */
#define PERF_ROUNDS_95 6

int grade_perf(const struct exercise *ex, struct grade *g, unsigned rounds,
	       struct bench_err *err)
{
	struct perf_result *p = &g->perf;
	unsigned usable = perf_cpus(ex), cap = rounds * PERF_ROUNDS_MAX, n = 0;
	struct perf_run *stu, *ref;
	struct schedprof sp = { 0 };
	double *ratio, *sorted, *walls, slow = 0, fast = 0, runs = 0, waits = 0;
	char bin[PATH_MAX + 16], why[200];
	int rc = 0;

	if (!ex->perf_test || strcmp(g->status, "graded") != 0)
		return 0;
	if (!ex->perf_measured)
		return bench_err_set(err, BENCH_EINVAL,
				     "grade_perf before exercise_perf_baseline");
	if (rounds == 0)
		return bench_err_set(err, BENCH_EINVAL, "grade_perf with no rounds");
	while (cap < PERF_ROUNDS_95)
		cap += rounds;
	p->ran = 1;
	p->expected = ex->perf_expected;
	stu = calloc(2 * (size_t)cap, sizeof(*stu));
	ratio = calloc(3 * (size_t)cap, sizeof(*ratio));
	if (!stu || !ratio) {
		free(stu);
		free(ratio);
		return bench_err_set(err, BENCH_ENOMEM, "out of memory");
	}
	ref = stu + cap;
	sorted = ratio + cap;
	walls = sorted + cap;
	/* The yardstick is the reference's parallel run, in the grader's
	 * slot 0 folder: no object of the student's is in it, so nothing
	 * of theirs runs while it is timed. */
	snprintf(bin, sizeof(bin), "%s/ref/ref", ex->work);
	/*
	 * Rounds of the reference's parallel run and the submission's,
	 * alternating which goes first, each run's time estimated as it
	 * would be on `usable` idle CPUs (schedprof.h: CPU time and how many
	 * threads could run at once, both counted by the kernel, neither
	 * moved much by other programs) rather than taken from the wall
	 * clock of a shared machine. Each round's ratio of the two, times
	 * the reference's speedup over the serial code measured once
	 * (exercise_perf_baseline), is the submission's speedup. Two
	 * parallel runs share the machine alike: on a VM whose CPUs run at
	 * different speeds from one second to the next, a serial run, on
	 * one CPU, moved a round's ratio by up to 1.5x, which two runs
	 * spread over the same CPUs do not feel. When the median's 95%
	 * interval straddles a credit tier, or fewer rounds than
	 * PERF_ROUNDS_95 make that interval, more rounds, up to
	 * PERF_ROUNDS_MAX times as many (and at least PERF_ROUNDS_95); still
	 * undecided, the verdict goes to the instructor, counted neither way.
	 * (Deciding on three rounds, a 75% interval, gave a serial submission
	 * full credit now and then: three rounds of a serial run against a
	 * parallel one can all land high on a VM.)
	 */
	while (rc == 0 && n < cap) {
		size_t lo, hi;
		double achieved;

		for (unsigned i = n; i < n + rounds && rc == 0 && !p->msg[0]; i++)
			for (int k = 0; k < 2 && rc == 0 && !p->msg[0]; k++) {
				int student = (k + (int)i) % 2;

				rc = perf_once(ex, student ? g->perf_bin : bin,
					       ex->perf_test, student ? g->slot : 0,
					       usable, &sp, student ? &stu[i] : &ref[i],
					       why, sizeof(why), err);
				if (rc == 0 && why[0] && student)
					snprintf(p->msg, sizeof(p->msg),
						 "the parallel run %s: no performance credit", why);
				else if (rc == 0 && why[0])
					rc = bench_err_set(err, BENCH_EINVAL,
							   "exercise %s: the reference's parallel run %s",
							   ex->slug, why);
			}
		if (rc || p->msg[0])
			break;
		for (unsigned i = n; i < n + rounds; i++) {
			ratio[i] = ex->perf_wall || !ref[i].ideal || !stu[i].ideal ?
				   ex->perf_ref_wall * (double)ref[i].wall / (double)stu[i].wall :
				   ex->perf_ref_speedup * (double)ref[i].ideal / (double)stu[i].ideal;
			walls[i] = ex->perf_ref_wall * (double)ref[i].wall / (double)stu[i].wall;
			runs += (double)stu[i].run;
			waits += (double)stu[i].wait;
		}
		n += rounds;
		memcpy(sorted, ratio, n * sizeof(*sorted));
		qsort(sorted, n, sizeof(*sorted), cmp_double);
		bench_stats_median_ci_ranks(n, 0.95, &lo, &hi, &achieved);
		p->speedup = bench_stats_median(ratio, n);
		slow = sorted[lo];
		fast = sorted[hi];
		if (usable < 2 ||
		    (achieved >= 0.95 && tier(slow, p->expected) == tier(fast, p->expected)))
			break;
	}
	schedprof_free(&sp);
	if (rc == 0 && !p->msg[0]) {
		p->rounds = n;
		p->wall_speedup = bench_stats_median(walls, n);
		if (usable < 2 || ex->perf_ref_speedup < PERF_REF_MIN) {
			p->inconclusive = 1;
			snprintf(p->msg, sizeof(p->msg),
				 "needs an instructor's review: %s (%.2fx over the serial code here, the reference %.2fx); not counted in the total",
				 usable < 2 ? "one CPU here, where a speedup cannot show" :
					      "the reference itself shows no speedup here",
				 p->speedup, ex->perf_ref_speedup);
		} else if (tier(slow, p->expected) != tier(fast, p->expected)) {
			p->inconclusive = 1;
			snprintf(p->msg, sizeof(p->msg),
				 "needs an instructor's review: %.2fx over the serial code (median of %u rounds), but its 95%% interval, %.2fx to %.2fx, straddles a credit tier around the expected %.2fx; not counted in the total",
				 p->speedup, n, slow, fast, p->expected);
		} else {
			p->score = tier(p->speedup, p->expected) * ex->perf_points;
			snprintf(p->msg, sizeof(p->msg),
				 "%.2fx over the serial code (median of %u rounds, each run timed against the reference's beside it, which makes %.2fx%s); expected %.2fx%s",
				 p->speedup, n, ex->perf_ref_speedup,
				 ex->perf_wall ? "; wall clock: the scheduler's counters could not be read" :
						 "; each run's time estimated for idle CPUs from its CPU time and how many of its threads could run at once",
				 p->expected,
				 p->score == ex->perf_points ? "" :
				 p->score > 0 ? ": half credit (at least halfway there)" : ": no credit");
		}
		if (!ex->perf_wall && strlen(p->msg) + 100 < sizeof(p->msg))
			snprintf(p->msg + strlen(p->msg), sizeof(p->msg) - strlen(p->msg),
				 ". Wall clock here: %.2fx, ready threads waiting for a CPU %.0f%% of their time",
				 p->wall_speedup, runs + waits > 0 ? 100 * waits / (runs + waits) : 0);
	}
	free(stu);
	free(ratio);
	return rc;
}

void grade_total(const struct exercise *ex, struct grade *g)
{
	/* A submission that never ran still lists every test, each at 0
	 * with the reason, so every submission shows the same list. */
	if (strcmp(g->status, "graded") != 0) {
		char why[200];

		snprintf(why, sizeof(why), "not run: %s%s", g->status,
			 strcmp(g->status, "compile error") == 0 ?
			 " (the compiler's messages say why)" :
			 strcmp(g->status, "link error") == 0 ?
			 " (the linker's messages say why)" : "");
		for (size_t i = 0; g->tests && i < ex->ntests; i++) {
			g->tests[i].passed = 0;
			g->tests[i].score = 0;
			if (!g->tests[i].msg[0])
				snprintf(g->tests[i].msg, sizeof(g->tests[i].msg), "%s", why);
		}
		if (ex->perf_test && !g->perf.msg[0])
			snprintf(g->perf.msg, sizeof(g->perf.msg), "%s", why);
	}
	g->correct = g->correct_max = 0;
	for (size_t i = 0; i < ex->ntests; i++) {
		g->correct_max += ex->tests[i].points;
		if (g->tests)
			g->correct += g->tests[i].score;
	}
	g->perf_max = ex->perf_test ? ex->perf_points : 0;
	g->total = g->correct + g->perf.score;
	/* A verdict left to the instructor counts neither way. */
	g->max = g->correct_max + (g->perf.inconclusive ? 0 : g->perf_max);
}

void grade_free(const struct exercise *ex, struct grade *g)
{
	(void)ex;
	free(g->tests);
	free(g->log);
	g->tests = NULL;
	g->log = NULL;
}
