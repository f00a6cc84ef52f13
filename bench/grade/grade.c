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
#include <ftw.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <jansson.h>

#include "cli/cli.h"
#include "grade.h"
#include "sandbox.h"

#define CFLAGS_STRICT "-std=c11 -O2 -g -Wall -Wextra -Werror -Wpedantic -pthread -D_GNU_SOURCE"
#define UBSAN "-fsanitize=undefined -fno-sanitize-recover=undefined"
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

/* A file name the manifest may use: letters, digits, _ . - only. */
static int plain_name(const char *s)
{
	if (!s || !*s || *s == '.' || strlen(s) > 64)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
			return 0;
	return 1;
}

static char *dup_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? strdup(s) : NULL;
}

/* Appends the tests of a "tests" array to ex. */
static int load_tests(struct exercise *ex, json_t *arr, int hidden,
		      const char *file, struct bench_err *err)
{
	size_t n = json_array_size(arr);
	struct grade_test *more;

	if (!json_is_array(arr) || n == 0)
		return bench_err_set(err, BENCH_EINVAL, "%s: expected a non-empty \"tests\" array", file);
	more = realloc(ex->tests, (ex->ntests + n) * sizeof(*more));
	if (!more)
		return bench_err_set(err, BENCH_ENOMEM, "out of memory");
	ex->tests = more;
	for (size_t i = 0; i < n; i++) {
		json_t *t = json_array_get(arr, i), *w = json_object_get(t, "wall_vs_reference");
		struct grade_test *g = &ex->tests[ex->ntests];
		const char *check = json_string_value(json_object_get(t, "check"));

		memset(g, 0, sizeof(*g));
		g->name = dup_str(t, "name");
		g->points = json_number_value(json_object_get(t, "points"));
		g->hidden = hidden;
		ex->ntests++;
		if (!g->name || !plain_name(g->name) || !(g->points >= 0) ||
		    (check && strcmp(check, "exact") && strcmp(check, "lines")))
			return bench_err_set(err, BENCH_EINVAL,
					     "%s: test %zu: expected a plain \"name\", \"points\" >= 0 and \"check\" exact or lines",
					     file, i + 1);
		g->lines = check && strcmp(check, "lines") == 0;
		if (w && (json_array_size(w) != 2 ||
			  !((g->wall_lo = json_number_value(json_array_get(w, 0))) > 0) ||
			  !((g->wall_hi = json_number_value(json_array_get(w, 1))) >= g->wall_lo)))
			return bench_err_set(err, BENCH_EINVAL,
					     "%s: test %s: \"wall_vs_reference\" expects [low, high], 0 < low <= high",
					     file, g->name);
	}
	return 0;
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
	json_error_t je;
	json_t *m, *libs, *perf;
	int rc;

	memset(ex, 0, sizeof(*ex));
	if ((rc = find_exercise(spec, ex->slug, sizeof(ex->slug), err)))
		return rc;
	snprintf(ex->dir, sizeof(ex->dir), "%s/%s", exercises_dir(), ex->slug);
	snprintf(file, sizeof(file), "%s/exercise.json", ex->dir);
	if (!(m = json_load_file(file, 0, &je)))
		return bench_err_set(err, BENCH_EINVAL, "%s: %s (line %d)", file,
				     je.text, je.line);
	ex->title = dup_str(m, "title");
	ex->source = dup_str(m, "source");
	ex->header = dup_str(m, "header");
	libs = json_object_get(m, "libs");
	for (size_t i = 0; i < json_array_size(libs) && ex->nlibs < GRADE_LIBS_MAX; i++) {
		const char *l = json_string_value(json_array_get(libs, i));
		int ok = 0;

		for (size_t k = 0; l && allowed_libs[k]; k++)
			ok |= strcmp(l, allowed_libs[k]) == 0;
		if (!ok) {
			json_decref(m);
			return bench_err_set(err, BENCH_EINVAL,
					     "%s: library '%s' is not one of -lpthread -lm -lcrypto -ljansson",
					     file, l ? l : "?");
		}
		ex->libs[ex->nlibs++] = strdup(l);
	}
	if (!ex->title || !plain_name(ex->source) || !plain_name(ex->header)) {
		json_decref(m);
		return bench_err_set(err, BENCH_EINVAL,
				     "%s: expected \"title\", and plain file names in \"source\" and \"header\"",
				     file);
	}
	rc = load_tests(ex, json_object_get(m, "tests"), 0, file, err);
	perf = json_object_get(m, "perf");
	if (rc == 0 && perf) {
		ex->perf_test = dup_str(perf, "test");
		ex->perf_points = json_number_value(json_object_get(perf, "points"));
		ex->target_speedup = json_number_value(json_object_get(perf, "target_speedup"));
		ex->target_workers = (unsigned)json_integer_value(json_object_get(perf, "target_workers"));
		if (!plain_name(ex->perf_test) || !(ex->perf_points > 0) ||
		    !(ex->target_speedup > 1) || ex->target_workers < 2)
			rc = bench_err_set(err, BENCH_EINVAL,
					   "%s: \"perf\" expects a \"test\", \"points\" > 0, \"target_speedup\" > 1 and \"target_workers\" >= 2",
					   file);
	}
	json_decref(m);
	if (rc == 0 && hidden) {
		struct stat st;

		if (stat(hidden, &st) != 0 || !S_ISDIR(st.st_mode))
			return bench_err_set(err, BENCH_ESYS, "--hidden %s: %s", hidden,
					     errno && stat(hidden, &st) != 0 ? strerror(errno) :
					     "not a folder");
		snprintf(ex->hidden, sizeof(ex->hidden), "%s/%s", hidden, ex->slug);
		snprintf(file, sizeof(file), "%s/tests.json", ex->hidden);
		if (access(file, R_OK) != 0)
			return bench_err_set(err, BENCH_ESYS, "--hidden: %s: %s", file,
					     strerror(errno));
		if (!(m = json_load_file(file, 0, &je)))
			return bench_err_set(err, BENCH_EINVAL, "--hidden: %s: %s", file,
					     je.text);
		rc = load_tests(ex, json_object_get(m, "tests"), 1, file, err);
		json_decref(m);
	}
	return rc;
}

static int remove_one(const char *path, const struct stat *st, int type,
		      struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0; /* go on whatever one entry did */
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
		nftw(ex->work, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	memset(ex, 0, sizeof(*ex));
}

/* ---- files --------------------------------------------------------------- */

/* Copies regular file src (no symlink, at most max bytes) to dst. */
int grade_copy_file(const char *src, const char *dst, size_t max, mode_t mode,
		    char *why, size_t wlen)
{
	/* O_NONBLOCK: a FIFO in its place must not hang the grader. */
	int in = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK), out = -1;
	struct stat st;
	char buf[65536];
	ssize_t n;
	size_t total = 0;

	if (in < 0) {
		snprintf(why, wlen, "%s", errno == ELOOP ? "it is a symbolic link" : strerror(errno));
		return -1;
	}
	if (fstat(in, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
		snprintf(why, wlen, "%s", !S_ISREG(st.st_mode) ? "not a regular file" :
					  "larger than allowed");
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
		 * built, never in a submission's folder. Copied first, so that
		 * an exercise whose own header is called that keeps it. */
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

/* Line k (1-based) of text into buf, printable. */
static void line_of(const char *text, size_t k, char *buf, size_t len)
{
	size_t n = 0;

	for (size_t i = 1; i < k && text; i++) {
		text = strchr(text, '\n');
		text = text ? text + 1 : NULL;
	}
	if (!text || !*text) {
		snprintf(buf, len, "(nothing)");
		return;
	}
	for (; *text && *text != '\n' && n + 5 < len && n < 80; text++)
		n += (size_t)snprintf(buf + n, len - n, isprint((unsigned char)*text) ? "%c" : "\\x%02x",
				      (unsigned char)*text);
	buf[n] = '\0';
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
	char a[128], b[128];
	size_t line = 1;

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
	for (size_t i = 0; exp[i] && got[i] && exp[i] == got[i]; i++)
		if (exp[i] == '\n')
			line++;
	line_of(exp, line, a, sizeof(a));
	line_of(got, line, b, sizeof(b));
	snprintf(msg, len, "line %zu: expected '%s', got '%s'", line, a, b);
}

static void run_test(const struct exercise *ex, const struct grade_test *t,
		     const struct grade *g, unsigned slot, struct test_result *tr,
		     struct bench_err *err)
{
	struct sbx_opts o;
	struct sbx_result r;
	char how[160], first[200];

	if (run_driver(t->hidden ? g->hidden_bin : g->bin, t->name, ex->seed, slot,
		       ex->timeout_ns, &r, &o, err)) {
		snprintf(tr->msg, sizeof(tr->msg), "the grader could not run it: %s", err->msg);
		return;
	}
	tr->wall_ns = r.wall_ns;
	line_of(r.err, 1, first, sizeof(first));
	if (!r.exited || r.exit_code != 0) {
		snprintf(tr->msg, sizeof(tr->msg), "it %s%s%s", sbx_describe(&r, &o, how, sizeof(how)),
			 r.err[0] && !t->hidden ? ": " : "", r.err[0] && !t->hidden ? first : "");
	} else {
		compare(t, r.out, r.out_len, tr->msg, sizeof(tr->msg));
		if (tr->msg[0] && t->hidden)
			snprintf(tr->msg, sizeof(tr->msg), "wrong output (hidden test)");
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
	tr->passed = tr->msg[0] == '\0';
	tr->score = tr->passed ? t->points : 0;
	sbx_result_free(&r);
}

int grade_submission(const struct exercise *ex, const char *path,
		     unsigned slot, struct grade *g, struct bench_err *err)
{
	char dir[1200], src[PATH_MAX + 300], dst[PATH_MAX + 300];
	char script[2048], libs[256], why[128];
	const char *base;
	struct stat st;
	int rc;

	memset(g, 0, sizeof(*g));
	g->slot = slot;
	snprintf(g->path, sizeof(g->path), "%s", path);
	base = strrchr(path, '/');
	snprintf(g->student, sizeof(g->student), "%s", base && base[1] ? base + 1 : path);
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		snprintf(src, sizeof(src), "%s", path);
	else
		snprintf(src, sizeof(src), "%s/%s", path, ex->source);
	g->tests = calloc(ex->ntests ? ex->ntests : 1, sizeof(*g->tests));
	if (!g->tests)
		return bench_err_set(err, BENCH_ENOMEM, "out of memory");
	snprintf(dir, sizeof(dir), "%s/sub-%u-XXXXXX", ex->work, slot);
	if (!mkdtemp(dir) || (geteuid() == 0 &&
			      chown(dir, sbx_uid(slot), sbx_uid(slot)) != 0))
		return bench_err_set(err, BENCH_ESYS, "cannot make a folder for %s: %s",
				     g->student, strerror(errno));
	snprintf(dst, sizeof(dst), "%s/%s", dir, ex->source);
	if (grade_copy_file(src, dst, SOURCE_MAX, 0644, why, sizeof(why)) != 0) {
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

			rc = run_driver(g->perf_bin, student ? ex->perf_test : "perf-serial",
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
