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

#include "cli/cli.h"
#include "cli/escape.h"
#include "grade.h"
#include "sandbox.h"

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
					    "wall_vs_reference", NULL };
	size_t n = json_array_size(arr), first = ex->ntests;
	struct grade_test *more;

	if (!json_is_array(arr) || n < 1 || n > TESTS_MAX)
		return refuse(m, "tests", arr, "an array of 1 to %d tests", TESTS_MAX);
	if (!(more = realloc(ex->tests, (first + n) * sizeof(*more))))
		return no_memory(m);
	ex->tests = more;
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
		if ((rc = known_keys(m, t, key, keys, "name, points, check or wall_vs_reference")))
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

static int run_driver(const char *bin, const char *test, uint64_t seed,
		      unsigned slot, bench_ns timeout, struct sbx_result *r,
		      struct sbx_opts *o, struct bench_err *err)
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
	return sbx_run(o, r, err);
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
	if (rc)
		return rc;
	/* The expected output of every test for this seed. */
	for (size_t i = 0; i < ex->ntests; i++) {
		struct grade_test *t = &ex->tests[i];
		struct sbx_opts o;
		struct sbx_result r;
		char how[128];

		snprintf(src, sizeof(src), "%s/%s", ref, t->hidden ? "ref_hidden" : "ref");
		if ((rc = run_driver(src, t->name, seed, 0, 10 * BENCH_NS_PER_S, &r,
				     &o, err)))
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
		t->ref_wall_ns = r.wall_ns;
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

static void run_test(const struct exercise *ex, const struct grade_test *t,
		     const struct grade *g, unsigned slot, struct test_result *tr,
		     struct bench_err *err)
{
	struct sbx_opts o;
	struct sbx_result r;
	char how[160], first[400];

	if (run_driver(t->hidden ? g->hidden_bin : g->bin, t->name, ex->seed, slot,
		       ex->timeout_ns, &r, &o, err)) {
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
		if (!tr->msg[0] && t->wall_lo > 0 && t->ref_wall_ns > 0) {
			double ratio = (double)r.wall_ns / (double)t->ref_wall_ns;

			if (ratio < t->wall_lo || ratio > t->wall_hi)
				snprintf(tr->msg, sizeof(tr->msg),
					 "right output, but it took %.0f ms where the reference takes %.0f ms: expected %.2fx to %.2fx of that (%s)",
					 (double)r.wall_ns / 1e6, (double)t->ref_wall_ns / 1e6,
					 t->wall_lo, t->wall_hi,
					 ratio > t->wall_hi ? "did the work overlap?" :
							      "did it do the work?");
		}
	}
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
	char script[2048], libs[256], why[128];
	const char *base;
	struct stat st = { 0 };
	char hint[600];
	int rc, subdir = -1, errno_copy;

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
		 "gcc " CFLAGS_STRICT " -c %s -o plain.o", ex->source, ex->source);
	rc = sh_in(dir, slot, script, &g->log, err);
	if (rc < 0)
		return rc;
	if (rc) {
		snprintf(g->status, sizeof(g->status), "compile error");
		return 0;
	}
	free(g->log);
	g->log = NULL;
	/* The driver objects join only now: had they been there while the
	 * submission compiled, an #include of one could have shown the
	 * hidden tests in the compiler's messages. */
	for (int i = 0; i < (ex->hidden[0] ? 2 : 1); i++) {
		const char *obj = i ? "hidden.o" : "driver.o";

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
	snprintf(g->serial_bin, sizeof(g->serial_bin), "%s/serial", dir);
	snprintf(g->hidden_bin, sizeof(g->hidden_bin), "%s/hidden", dir);
	for (size_t i = 0; i < ex->ntests; i++)
		run_test(ex, &ex->tests[i], g, slot, &g->tests[i], err);
	snprintf(g->status, sizeof(g->status), "graded");
	return 0;
}

static int cmp_ns(const void *a, const void *b)
{
	bench_ns x = *(const bench_ns *)a, y = *(const bench_ns *)b;

	return (x > y) - (x < y);
}

/* Credit for a speedup s against the expected e: full, half, none. */
static double tier(double s, double e)
{
	return s >= e ? 1.0 : s >= 1 + (e - 1) / 2 ? 0.5 : 0.0;
}

int grade_perf(const struct exercise *ex, struct grade *g, unsigned rounds,
	       struct bench_err *err)
{
	struct perf_result *p = &g->perf;
	bench_ns *ser = calloc(rounds, sizeof(*ser)), *stu = calloc(rounds, sizeof(*stu));
	unsigned usable = ex->cpus < ex->target_workers ? ex->cpus : ex->target_workers;
	int rc = 0;

	if (!ex->perf_test || strcmp(g->status, "graded") != 0) {
		free(ser);
		free(stu);
		return 0;
	}
	p->ran = 1;
	if (!ser || !stu) {
		free(ser);
		free(stu);
		return bench_err_set(err, BENCH_ENOMEM, "out of memory");
	}
	/* The serial baseline runs the reference's binary, copied next to
	 * the student's (the reference folder is closed to other slots'
	 * uids) and owned by the grader: no object of the student's is in
	 * it, so nothing of theirs runs while the baseline is timed. */
	{
		char ref[PATH_MAX + 16], why[128];

		snprintf(ref, sizeof(ref), "%s/ref/ref", ex->work);
		if (grade_copy_file(ref, g->serial_bin, SOURCE_MAX * 64, 0755, why,
				    sizeof(why)) != 0) {
			free(ser);
			free(stu);
			return bench_err_set(err, BENCH_ESYS, "%s: %s", ref, why);
		}
	}
	/* The target scaled to the CPUs there are: linear from 1x at one
	 * worker to target_speedup at target_workers. */
	p->expected = 1 + (ex->target_speedup - 1) * (usable - 1) /
			      (ex->target_workers - 1);
	for (unsigned i = 0; i < rounds && rc == 0 && !p->msg[0]; i++) {
		/* Alternate which goes first, so drift hits both alike. */
		for (int k = 0; k < 2 && rc == 0; k++) {
			int student = (k + (int)i) % 2;
			struct sbx_opts o;
			struct sbx_result r;
			char how[128];

			rc = run_driver(student ? g->perf_bin : g->serial_bin,
					student ? ex->perf_test : "perf-serial",
					ex->seed, g->slot, 60 * BENCH_NS_PER_S, &r, &o,
					err);
			if (rc)
				break;
			if (!r.exited || r.exit_code != 0)
				snprintf(p->msg, sizeof(p->msg), "the %s run %s",
					 student ? "parallel" : "serial",
					 sbx_describe(&r, &o, how, sizeof(how)));
			else if (strcmp(r.out, ex->perf_expect) != 0)
				snprintf(p->msg, sizeof(p->msg),
					 "the %s run printed a wrong result: no performance credit",
					 student ? "parallel" : "serial");
			(student ? stu : ser)[i] = r.wall_ns;
			sbx_result_free(&r);
		}
	}
	if (rc == 0 && !p->msg[0]) {
		/* Medians, and the range the middle samples allow: when the
		 * tier is not the same across it, noise decides, not code. */
		unsigned lo = rounds >= 5 ? 1 : 0, hi = rounds >= 5 ? rounds - 2 : rounds - 1;
		double slow, fast;

		qsort(ser, rounds, sizeof(*ser), cmp_ns);
		qsort(stu, rounds, sizeof(*stu), cmp_ns);
		p->serial_ns = ser[rounds / 2];
		p->student_ns = stu[rounds / 2];
		p->speedup = (double)p->serial_ns / (double)p->student_ns;
		slow = (double)ser[lo] / (double)stu[hi];
		fast = (double)ser[hi] / (double)stu[lo];
		if (usable < 2) {
			p->inconclusive = 1;
			snprintf(p->msg, sizeof(p->msg),
				 "one CPU here: a speedup cannot show; grade it on a machine with more");
		} else if (tier(slow, p->expected) != tier(fast, p->expected)) {
			p->inconclusive = 1;
			snprintf(p->msg, sizeof(p->msg),
				 "inconclusive: %.2fx median, but the timings range from %.2fx to %.2fx across the expected %.2fx; re-run on a quieter machine",
				 p->speedup, slow, fast, p->expected);
		} else {
			p->score = tier(p->speedup, p->expected) * ex->perf_points;
			snprintf(p->msg, sizeof(p->msg),
				 "%.2fx over the serial code (median of %u: %.0f ms against %.0f ms); expected %.2fx on %u CPUs%s",
				 p->speedup, rounds, (double)p->student_ns / 1e6,
				 (double)p->serial_ns / 1e6, p->expected, usable,
				 p->score == ex->perf_points ? "" :
				 p->score > 0 ? ": half credit (at least halfway there)" : "");
		}
	}
	free(ser);
	free(stu);
	return rc;
}

void grade_total(const struct exercise *ex, struct grade *g)
{
	g->correct = g->correct_max = 0;
	for (size_t i = 0; i < ex->ntests; i++) {
		g->correct_max += ex->tests[i].points;
		if (g->tests)
			g->correct += g->tests[i].score;
	}
	g->perf_max = ex->perf_test ? ex->perf_points : 0;
	g->total = g->correct + g->perf.score;
	g->max = g->correct_max + g->perf_max;
}

void grade_free(const struct exercise *ex, struct grade *g)
{
	(void)ex;
	free(g->tests);
	free(g->log);
	g->tests = NULL;
	g->log = NULL;
}
