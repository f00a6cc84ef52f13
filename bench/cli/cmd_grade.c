/*
 * cmd_grade.c - `bench exercises` (list, start) and `bench grade`: one
 * submission, or a class's folder graded in parallel into a gradebook.
 *
 * Correctness runs in parallel, one sandbox slot (and uid) per job; the
 * performance checks run afterwards one submission at a time, with
 * nothing else grading, so each one's timings are the machine's alone.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "cli.h"
#include "grade/grade.h"
#include "grade/sandbox.h"

/* ---- bench exercises ------------------------------------------------------ */

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The exercise folders, sorted; *n of them (free each and the array). */
static char **list_exercises(size_t *n)
{
	const char *root = exercises_dir();
	DIR *d = root ? opendir(root) : NULL;
	struct dirent *e;
	char **v = NULL;

	*n = 0;
	while (d && (e = readdir(d))) {
		char **more;

		if (e->d_name[0] < '0' || e->d_name[0] > '9' || !strchr(e->d_name, '-'))
			continue;
		if (!(more = realloc(v, (*n + 1) * sizeof(*v))))
			break;
		v = more;
		v[(*n)++] = strdup(e->d_name);
	}
	if (d)
		closedir(d);
	if (v)
		qsort(v, *n, sizeof(*v), cmp_names);
	return v;
}

static int start_exercise(const char *spec, const char *dir)
{
	struct exercise ex;
	struct bench_err err = { 0 };
	const char *files[3][2];
	struct stat st;
	int status = 0;

	if (exercise_load(spec, NULL, &ex, &err)) {
		exercise_free(&ex);
		if (err.code == BENCH_EINVAL)
			return usage_error("exercises", "%s", err.msg);
		error("%s", err.msg);
		return 1;
	}
	files[0][0] = "starter/"; files[0][1] = ex.source;
	files[1][0] = ""; files[1][1] = ex.header;
	files[2][0] = ""; files[2][1] = "README.md";
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		error("cannot create %s: %s", dir, strerror(errno));
		exercise_free(&ex);
		return 1;
	}
	/* All or nothing: every destination checked before any copy. */
	for (int i = 0; i < 3 && status == 0; i++) {
		char dst[PATH_MAX * 2];

		snprintf(dst, sizeof(dst), "%s/%s", dir, files[i][1]);
		if (stat(dst, &st) == 0) {
			error("%s exists: not overwriting it (start in another folder)", dst);
			status = 1;
		}
	}
	for (int i = 0; i < 3 && status == 0; i++) {
		char src[PATH_MAX * 2], dst[PATH_MAX * 2], why[128];

		snprintf(src, sizeof(src), "%s/%s%s", ex.dir, files[i][0], files[i][1]);
		snprintf(dst, sizeof(dst), "%s/%s", dir, files[i][1]);
		if (grade_copy_file(src, dst, 1u << 20, 0644, why, sizeof(why)) != 0) {
			error("cannot copy %s to %s: %s", src, dst, why);
			status = 1;
		}
	}
	if (status == 0)
		printf("%s: %s\nwrite %s/%s, then: bench grade %s %s\n", ex.slug,
		       ex.title, dir, ex.source, ex.slug, dir);
	exercise_free(&ex);
	return status;
}

int cmd_exercises(int argc, char **argv)
{
	size_t n;
	char **names;

	/* --help anywhere: `bench exercises start --help` too. */
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			print_help("exercises", stdout);
			return 0;
		}
	if (argc > 1 && strcmp(argv[1], "start") == 0) {
		if (argc != 4)
			return usage_error("exercises", "start expects EXERCISE and a folder: bench exercises start 2 mydir");
		return start_exercise(argv[2], argv[3]);
	}
	if (argc > 1)
		return usage_error("exercises", "unknown argument '%s': expected nothing, or start EXERCISE DIR",
				   argv[1]);
	if (!exercises_dir()) {
		error("cannot find the exercises folder: set BENCH_EXERCISES or install bench");
		return 1;
	}
	{
		DIR *d = opendir(exercises_dir());

		if (!d) {
			error("cannot open the exercises folder %s: %s", exercises_dir(),
			      strerror(errno));
			return 1;
		}
		closedir(d);
	}
	names = list_exercises(&n);
	for (size_t i = 0; i < n; i++) {
		struct exercise ex;
		struct bench_err err = { 0 };

		if (exercise_load(names[i], NULL, &ex, &err) == 0) {
			double pts = 0;

			for (size_t t = 0; t < ex.ntests; t++)
				pts += ex.tests[t].points;
			printf("%-22s %-40s %g points", ex.slug, ex.title, pts);
			if (ex.perf_test)
				printf(" + %g performance", ex.perf_points);
			putchar('\n');
		} else {
			printf("%-22s (broken: %s)\n", names[i], err.msg);
		}
		exercise_free(&ex);
		free(names[i]);
	}
	free(names);
	return 0;
}

/* ---- bench grade ----------------------------------------------------------- */

struct job {
	const struct exercise *ex;
	char **paths;
	struct grade *grades;
	size_t n;
	atomic_size_t next, done;
	int failed;              /* the grader itself failed */
	struct bench_err err;
	pthread_mutex_t lock;
	int progress;
};

struct worker {
	struct job *job;
	unsigned slot;
	pthread_t tid;
};

static void *grade_worker(void *arg)
{
	struct worker *w = arg;
	struct job *j = w->job;
	size_t i;

	while ((i = atomic_fetch_add(&j->next, 1)) < j->n && !bench_canceled()) {
		struct bench_err err = { 0 };

		if (grade_submission(j->ex, j->paths[i], w->slot, &j->grades[i], &err)) {
			pthread_mutex_lock(&j->lock);
			if (!j->failed)
				j->err = err;
			j->failed = 1;
			pthread_mutex_unlock(&j->lock);
		}
		atomic_fetch_add(&j->done, 1);
		if (j->progress) {
			pthread_mutex_lock(&j->lock);
			fprintf(stderr, "\r\033[Kgrading: %zu/%zu", atomic_load(&j->done), j->n);
			pthread_mutex_unlock(&j->lock);
		}
	}
	return NULL;
}

/* How many folders in path hold source. */
static int holding_source(const char *path, const char *source)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d))) {
		char probe[PATH_MAX * 2];
		struct stat st;

		snprintf(probe, sizeof(probe), "%s/%s/%s", path, e->d_name, source);
		n += e->d_name[0] != '.' && lstat(probe, &st) == 0;
	}
	if (d)
		closedir(d);
	return n;
}

/* Adds path's submissions: itself if it is the source file or a folder
 * holding it, else each of its subfolders and symbolic links (a class). */
static int add_submissions(const char *path, const char *source, int single,
			   char ***paths, size_t *n, int *class_mode)
{
	char probe[PATH_MAX * 2];
	struct stat st;
	DIR *d;
	struct dirent *e;
	size_t first = *n;

	snprintf(probe, sizeof(probe), "%s/%s", path, source);
	if (stat(path, &st) != 0) {
		error("submission %s: %s", path, strerror(errno));
		return -1;
	}
	/* One submission expected (Gradescope): a folder without the source
	 * is still that submission, graded 0 with the reason, unless it
	 * holds several that have it (a class, refused below). */
	if (S_ISREG(st.st_mode) || stat(probe, &st) == 0 ||
	    (single && holding_source(path, source) < 2)) {
		char **more = realloc(*paths, (*n + 1) * sizeof(**paths));

		if (!more)
			return -1;
		*paths = more;
		(*paths)[(*n)++] = strdup(path);
		return 0;
	}
	if (!(d = opendir(path))) {
		error("submission %s: %s", path, strerror(errno));
		return -1;
	}
	*class_mode = 1;
	while ((e = readdir(d))) {
		char sub[PATH_MAX * 2];
		char **more;

		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		/* A folder is a submission; so is a symbolic link, to be
		 * refused with its reason rather than followed (it could
		 * point at the reference) or dropped unseen. */
		if (lstat(sub, &st) != 0 ||
		    !(S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode)))
			continue;
		if (!(more = realloc(*paths, (*n + 1) * sizeof(**paths))))
			break;
		*paths = more;
		(*paths)[(*n)++] = strdup(sub);
	}
	closedir(d);
	if (*n > first)
		qsort(*paths + first, *n - first, sizeof(**paths), cmp_names);
	if (*n == first) {
		error("submission %s: no %s in it and no folders of submissions", path, source);
		return -1;
	}
	if (*n == first + 1) {
		/* mywork/hash_cpfs.c given as mywork's parent: a class of one
		 * is graded, and said so, with the other reading. */
		snprintf(probe, sizeof(probe), "%s/%s", (*paths)[first], source);
		if (lstat(probe, &st) == 0 && S_ISREG(st.st_mode))
			fprintf(stderr, "bench grade: note: %s holds no %s, so it is taken for a class of one, %s; to grade that folder alone, give %s\n",
				path, source, (*paths)[first], (*paths)[first]);
	}
	return 0;
}

static int write_to(const char *path, int (*write)(FILE *, const struct exercise *,
						  const struct grade *, size_t, int),
		    const struct exercise *ex, const struct grade *g, size_t n, int fmt)
{
	struct out out;

	if (out_open(&out, path) != 0)
		return 1;
	if (write(out.f, ex, g, n, fmt) != 0) {
		out_fail(&out);
		return 1;
	}
	return out_commit(&out) == 0 ? 0 : 1;
}

static int write_report(FILE *f, const struct exercise *ex, const struct grade *g,
			size_t n, int fmt)
{
	return grade_write(f, (enum grade_format)fmt, ex, g, n);
}

static int write_book(FILE *f, const struct exercise *ex, const struct grade *g,
		      size_t n, int fmt)
{
	(void)fmt;
	return grade_write_gradebook(f, ex, g, n);
}

static const struct option grade_opts[] = {
	{ "hidden", required_argument, NULL, 'H' },
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "gradebook", required_argument, NULL, 'g' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "seed", required_argument, NULL, 's' },
	{ "rounds", required_argument, NULL, 'r' },
	{ "no-perf", no_argument, NULL, 'P' },
	{ "timeout", required_argument, NULL, 'T' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int cmd_grade(int argc, char **argv)
{
	const char *hidden = NULL, *output = NULL, *book = NULL;
	enum grade_format fmt = GF_TEXT;
	uint64_t seed = 0, jobs = 0, rounds = 3, timeout = 5;
	int c, seed_set = 0, no_perf = 0, quiet = 0, class_mode = 0, status = 0;
	struct exercise ex;
	struct bench_err err = { 0 };
	struct job job;
	struct worker *workers;
	char **paths = NULL;
	size_t n = 0;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":H:f:o:g:j:s:r:qh", grade_opts, NULL)) != -1) {
		switch (c) {
		case 'H': hidden = optarg; break;
		case 'f':
			if (grade_format_parse(optarg, &fmt) != 0)
				return usage_error("grade", "--format '%s': expected text, json, gradescope, junit or tap",
						   optarg);
			break;
		case 'o': output = optarg; break;
		case 'g': book = optarg; break;
		case 'j':
			if (parse_u64("grade", "--jobs", optarg, 1, 256, &jobs))
				return EXIT_USAGE;
			break;
		case 's':
			if (parse_u64("grade", "--seed", optarg, 0, UINT64_MAX, &seed))
				return EXIT_USAGE;
			seed_set = 1;
			break;
		case 'r':
			if (parse_u64("grade", "--rounds", optarg, 3, 101, &rounds))
				return EXIT_USAGE;
			break;
		case 'P': no_perf = 1; break;
		case 'T':
			if (parse_u64("grade", "--timeout", optarg, 1, 3600, &timeout))
				return EXIT_USAGE;
			break;
		case 'q': quiet = 1; break;
		case 'h':
			print_help("grade", stdout);
			return 0;
		default:
			return bad_option("grade", argv, c);
		}
	}
	if (argc - optind < 2)
		return usage_error("grade", "expected an exercise and at least one submission: bench grade 2 mydir");
	if (exercise_load(argv[optind], hidden, &ex, &err)) {
		exercise_free(&ex);
		if (err.code == BENCH_EINVAL)
			return usage_error("grade", "%s", err.msg);
		error("%s", err.msg);
		return 1;
	}
	for (int i = optind + 1; i < argc; i++)
		if (add_submissions(argv[i], ex.source, fmt == GF_GRADESCOPE,
				    &paths, &n, &class_mode) != 0) {
			status = 1;
			goto out;
		}
	if (fmt == GF_GRADESCOPE && n != 1) {
		status = usage_error("grade", "--format gradescope grades one submission, not %zu", n);
		goto out;
	}
	if (out_check(output) != 0 || (book && out_check(book) != 0)) {
		status = 1;
		goto out;
	}
	if (!book && class_mode)
		book = "gradebook.csv";
	/* A sandbox's orphans come here, to be reaped (sandbox.c). */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (sbx_claim(&err) != 0 || sbx_check(&err) != 0) {
		error("%s", err.msg);
		status = 1;
		goto out;
	}
	ex.timeout_ns = (bench_ns)timeout * BENCH_NS_PER_S;
	if (!seed_set && getrandom(&seed, sizeof(seed), 0) != (ssize_t)sizeof(seed))
		seed = (uint64_t)bench_clock_now();
	install_signal_handlers();
	if (exercise_prepare(&ex, seed, &err)) {
		error("%s", err.msg);
		status = 1;
		goto out;
	}
	/* Grading goes on without the race checks, but not silently. */
	if (ex.tsan_note[0])
		fprintf(stderr, "bench grade: note: %s\n", ex.tsan_note);
	if (no_perf) {
		free(ex.perf_test);
		ex.perf_test = NULL;
	}
	memset(&job, 0, sizeof(job));
	job.ex = &ex;
	job.paths = paths;
	job.n = n;
	job.grades = calloc(n, sizeof(*job.grades));
	job.progress = !quiet && isatty(STDERR_FILENO) && n > 1;
	pthread_mutex_init(&job.lock, NULL);
	if (!jobs)
		jobs = bench_cpus();
	if (jobs > n)
		jobs = n;
	workers = calloc(jobs, sizeof(*workers));
	if (!job.grades || !workers) {
		error("out of memory");
		free(workers);
		status = 1;
		goto out_job;
	}
	for (unsigned i = 0; i < jobs; i++) {
		workers[i] = (struct worker){ &job, i, 0 };
		if (pthread_create(&workers[i].tid, NULL, grade_worker, &workers[i]) != 0)
			grade_worker(&workers[i]);
	}
	for (unsigned i = 0; i < jobs; i++)
		if (workers[i].tid)
			pthread_join(workers[i].tid, NULL);
	free(workers);
	/* The serial code and the reference, measured once for all, when
	 * some submission gets a performance check. */
	for (size_t i = 0; i < n && !job.failed && !bench_canceled(); i++) {
		if (strcmp(job.grades[i].status, "graded") != 0)
			continue;
		if (job.progress)
			fprintf(stderr, "\r\033[Kperformance: the serial code and the reference");
		if (exercise_perf_baseline(&ex, rounds > 7 ? (unsigned)rounds : 7, &err)) {
			job.err = err;
			job.failed = 1;
		}
		break;
	}
	for (size_t i = 0; i < n && !job.failed && !bench_canceled(); i++) {
		if (job.progress)
			fprintf(stderr, "\r\033[Kperformance: %zu/%zu", i + 1, n);
		if (grade_perf(&ex, &job.grades[i], (unsigned)rounds, &err)) {
			job.err = err;
			job.failed = 1;
		}
	}
	if (job.progress)
		fputs("\r\033[K", stderr);
	if (bench_canceled()) {
		error("interrupted; nothing written");
		status = EXIT_INTERRUPTED;
		goto out_job;
	}
	if (job.failed) {
		error("%s", job.err.msg);
		status = 1;
		goto out_job;
	}
	for (size_t i = 0; i < n; i++)
		grade_total(&ex, &job.grades[i]);
	status = write_to(output, write_report, &ex, job.grades, n, (int)fmt);
	if (book && write_to(book, write_book, &ex, job.grades, n, 0) == 0) {
		if (!quiet)
			fprintf(stderr, "bench: gradebook %s (%zu submissions)\n", book, n);
	} else if (book) {
		status = 1;
	}
out_job:
	for (size_t i = 0; job.grades && i < n; i++)
		grade_free(&ex, &job.grades[i]);
	free(job.grades);
	pthread_mutex_destroy(&job.lock);
out:
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	exercise_free(&ex);
	return status;
}
