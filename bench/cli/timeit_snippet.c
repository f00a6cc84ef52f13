/*
 * timeit_snippet.c - `bench timeit -s SETUP STATEMENT`: compiles the
 * snippet's sources (timeit_source.c) with $CC (default cc) -O2
 * -std=gnu11 CFLAGS ... LIBS, runs the program, reads its loop times and
 * prints the same lines as workload mode.
 *
 * The design choice to know: the snippet is a program of its own, not
 * code inside bench, and it does not link libbench. A statement that
 * crashes or calls exit() takes down only that child; bench computes the
 * statistics from the raw loop times the harness reports on
 * TIMEIT_REPORT_FD.
 *
 * Both children go through run_command (bench/command.h); nothing goes
 * through a shell. The compiler is a tree run: a process group of its
 * own, with TMPDIR pointing into the private folder (mkdtemp) that holds
 * the sources, the compiler's own temporary files and the program, so
 * one kill of the group stops cc1, as and ld too, and one removal clears
 * everything; its stdout and stderr are captured (1 MiB kept) and shown
 * after it ends. The compiler runs under limits (COMPILE_CPU_S of CPU
 * time and COMPILE_MEMORY bytes of address space for each of its
 * processes, COMPILE_WALL_S in all), so `#include </dev/zero>` fails in
 * seconds instead of eating the machine's memory.
 *
 * The program gets bench's standard streams, as if run from the shell,
 * and is a tree run too: a process group of its own, bench its subreaper,
 * so what the statement forks (daemons that setsid() included) is killed
 * and reaped when the program ends, and cannot hold bench's stdout open
 * after bench exits. It runs for at most --timeout (TIMEIT_TIMEOUT_S by
 * default): a program that stops itself (raise(SIGSTOP)) is killed then.
 * On Ctrl-C, bench kills the program's group, removes the folder and
 * exits 130.
 */
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "timeit.h"

/* Compiler messages kept for the user; more is read and dropped. */
#define OUTPUT_MAX (1u << 20)

/* The compiler's limits: CPU seconds and bytes of address space for each
 * of its processes (cc, cc1, as, ld), wall seconds for all of them. A
 * snippet is small: real ones compile in well under a second and 200 MB;
 * the limits are for a runaway (an #include of a device, a template-like
 * macro explosion). */
#define COMPILE_CPU_S 120
#define COMPILE_MEMORY (2ull << 30)
#define COMPILE_WALL_S 300

/* The compiler's process, just before exec: async-signal-safe only. */
static int compile_limits(void *arg)
{
	struct rlimit cpu = { COMPILE_CPU_S, COMPILE_CPU_S + 5 };
	struct rlimit mem = { COMPILE_MEMORY, COMPILE_MEMORY };

	(void)arg;
	if (setrlimit(RLIMIT_CPU, &cpu) != 0 || setrlimit(RLIMIT_AS, &mem) != 0)
		return errno;
	return 0;
}

/* How a child ended: "was killed by signal 6 (SIGABRT: Aborted)". */
static void describe_status(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		const char *abbrev = sigabbrev_np(sig);

		snprintf(buf, len, "was killed by signal %d (SIG%s: %s)%s", sig,
			 abbrev ? abbrev : "?", strsignal(sig),
			 WCOREDUMP(status) ? ", core dumped" : "");
	} else if (WIFEXITED(status)) {
		snprintf(buf, len, "exited with status %d",
			 WEXITSTATUS(status));
	} else {
		snprintf(buf, len, "ended with wait status %#x", status);
	}
}

/*
 * Turns the harness's report into r: per-call times of `repeat` loops.
 * Returns 0, 1 when loops are missing, -1 for a line that makes no sense
 * (*bad points at it).
 */
static int parse_report(char *text, size_t repeat, bench_ns target,
			struct bench_timeit_result *r, const char **bad)
{
	char *save = NULL;

	for (char *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long long a, b;
		char end;

		*bad = line;
		if (sscanf(line, "autorange %llu %llu%c", &a, &b, &end) == 2) {
			if (a == 1 && b > target)
				r->over_budget = 1;
			r->autorange_ns += b;
		} else if (sscanf(line, "number %llu%c", &a, &end) == 1 &&
			   a > 0 && !r->number) {
			r->number = a;
		} else if (sscanf(line, "loop_ns %llu%c", &a, &end) == 1 &&
			   r->number && r->repeat < repeat) {
			r->per_call_ns[r->repeat++] = (double)a / (double)r->number;
		} else {
			return -1;
		}
	}
	return r->repeat < repeat;
}

static int interrupted(void)
{
	error("interrupted");
	return EXIT_INTERRUPTED;
}

/* "snippet (cc -O2 -std=gnu11 CFLAGS LIBS)": what was timed, how built. */
static void snippet_label(char *buf, size_t len, const struct strvec *cc,
			  const struct snippet *sn)
{
	static const char *const std[] = { "-O2", "-std=gnu11", NULL };
	const struct strvec opt = { (char **)std, 2, 2 };
	const struct strvec *parts[] = { cc, &opt, &sn->cflags, &sn->libs };
	size_t n;
	int cut;

	assert(len > 16);
	snprintf(buf, len, "snippet (");
	for (size_t k = 0; k < 4; k++) {
		for (size_t i = 0; i < parts[k]->n; i++) {
			n = strlen(buf);
			snprintf(buf + n, len - n, "%s%s", k + i ? " " : "",
				 parts[k]->v[i]);
		}
	}
	n = strlen(buf);
	if ((cut = n + 2 >= len))  /* no room for ")": end with "...)" */
		n = len - 5;
	snprintf(buf + n, len - n, "%s)", cut ? "..." : "");
}

static int push_all(struct strvec *sv, char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (timeit_strvec_push(sv, v[i]))
			return -1;
	return 0;
}

/* cc -O2 -std=gnu11 -iquote . CFLAGS -o EXE snippet.c harness.c LIBS:
 * run in the user's folder, so that "local.h" and -L. mean it. Returns
 * 0, or -1 when out of memory. */
static int compile_argv(struct strvec *argv, const struct strvec *cc,
			const struct snippet *sn, char *exe, char *src,
			char *hsrc)
{
	static char *const opts[] = { "-O2", "-std=gnu11", "-iquote", "." };
	char *const files[] = { "-o", exe, src, hsrc };

	return push_all(argv, cc->v, cc->n) || push_all(argv, opts, 4) ||
	       push_all(argv, sn->cflags.v, sn->cflags.n) ||
	       push_all(argv, files, 4) ||
	       push_all(argv, sn->libs.v, sn->libs.n) ? -1 : 0;
}

/* A run that did not happen: a command that cannot start (init's or
 * exec's errno in e) gets what, the rest run_command's message. */
static void cannot_run(const struct bench_err *err, int e, const char *what,
		       const char *name, const char *hint)
{
	if (e)
		error("cannot run %s '%s': %s%s", what, name, strerror(e), hint);
	else
		error("%s", err->msg);
}

/*
 * Compiles the program into exe. Returns 0, or the exit status after
 * printing why not.
 */
static int compile(const struct strvec *argv, char *const *env,
		   const char *ccenv)
{
	const char *hint = ccenv ? "" : " (set CC to one)";
	struct bench_command cc = { 0 };
	struct bench_command_opts io = { 0 };
	struct bench_command_result res = { 0 };
	struct bench_err err = { 0 };
	char how[160];
	int rc;

	if (bench_command_init(&cc, argv->v, argv->n, &err) != 0) {
		cannot_run(&err, err.code == BENCH_ESYS ? errno : 0,
			   "the C compiler", argv->v[0], hint);
		return 1;
	}
	cc.env = env;
	cc.tree = 1;
	cc.setup = compile_limits;
	cc.timeout_ns = (bench_ns)COMPILE_WALL_S * BENCH_NS_PER_S;
	cc.capture_max = OUTPUT_MAX;
	io.stream[1] = BENCH_STREAM_MEMORY;
	io.stream[2] = BENCH_STREAM_STDOUT;
	fflush(stdout);
	rc = bench_command_run(&cc, &io, &res, &err);
	bench_command_release(&cc);
	if (rc == BENCH_ECANCELED || (rc == 0 && bench_canceled())) {
		rc = interrupted();
	} else if (rc) {
		cannot_run(&err, res.exec_errno, "the C compiler", argv->v[0], hint);
		rc = 1;
	} else {
		/* Errors, or warnings the user asked for. */
		fwrite(res.output[1].data, 1, res.output[1].len, stderr);
		if (res.output[1].total > res.output[1].len)
			fputs("... (the rest of the compiler's messages left out)\n", stderr);
		rc = 1;
		if (res.timed_out) {
			error("the C compiler '%s' ran past %d s and was killed",
			      argv->v[0], COMPILE_WALL_S);
		} else if (WIFSIGNALED(res.status)) {
			describe_status(res.status, how, sizeof(how));
			error("the C compiler '%s' %s", argv->v[0], how);
		} else if (res.exit_code != 0) {
			fputs("bench timeit: the snippet does not compile\n", stderr);
		} else {
			rc = 0;
		}
		/* A runaway compile rather than an error in the code. */
		if (rc && (res.timed_out ||
			   res.maxrss_kb >= COMPILE_MEMORY / 1024 / 2 ||
			   res.user_ns + res.sys_ns >=
			   (bench_ns)COMPILE_CPU_S * BENCH_NS_PER_S * 9 / 10))
			fprintf(stderr, "bench timeit: note: the compiler runs with at most %d s of CPU time and %llu MiB of memory per process, %d s in all\n",
				COMPILE_CPU_S, COMPILE_MEMORY >> 20, COMPILE_WALL_S);
	}
	bench_command_result_release(&res);
	return rc;
}

/*
 * Runs the program (argv) and turns its report into r. Returns 0, or the
 * exit status after printing why not.
 */
static int run_program(char *const *argv, size_t repeat, bench_ns target,
		       bench_ns timeout, struct bench_timeit_result *r)
{
	struct bench_command prog = { 0 };
	/* As if run from the shell, plus the report channel. */
	struct bench_command_opts io = {
		.stream = { BENCH_STREAM_INHERIT, BENCH_STREAM_INHERIT,
			    BENCH_STREAM_INHERIT, BENCH_STREAM_MEMORY },
	};
	struct bench_command_result res = { 0 };
	struct bench_err err = { 0 };
	const char *bad = NULL;
	char how[160];
	int rc, e;

	if (bench_command_init(&prog, argv, 4, &err) != 0) {
		e = err.code == BENCH_ESYS ? errno : 0;
		cannot_run(&err, e, "the compiled snippet", argv[0], e == EACCES ?
			   " (is TMPDIR on a noexec file system?)" : "");
		return 1;
	}
	prog.tree = 1;
	prog.timeout_ns = timeout;
	fflush(stdout);
	fflush(stderr);
	rc = bench_command_run(&prog, &io, &res, &err);
	bench_command_release(&prog);
	if (rc == BENCH_ECANCELED || (rc == 0 && bench_canceled())) {
		rc = interrupted();
		goto out;
	}
	if (rc) {
		cannot_run(&err, res.exec_errno, "the compiled snippet", argv[0],
			   res.exec_errno == EACCES ?
			   " (is TMPDIR on a noexec file system?)" : "");
		rc = 1;
		goto out;
	}
	rc = 1;
	if (res.timed_out) {
		char limit[32];

		format_ns((double)timeout, limit, sizeof(limit));
		fprintf(stderr, "bench timeit: the snippet %s (--timeout %s)\n",
			bench_command_describe(&res, how, sizeof(how)), limit);
		goto out;
	}
	if (!res.exited || res.exit_code != 0) {
		describe_status(res.status, how, sizeof(how));
		fprintf(stderr, "bench timeit: the snippet %s\n", how);
		goto out;
	}
	if (!(r->per_call_ns = calloc(repeat, sizeof(double)))) {
		error("out of memory");
		goto out;
	}
	switch (parse_report(res.output[TIMEIT_REPORT_FD].data, repeat, target,
			     r, &bad)) {
	case 0:
		rc = 0;
		break;
	case 1:
		fprintf(stderr, "bench timeit: the snippet ended after %zu of %zu loops, with status 0: does the statement or --init call exit()?\n",
			r->repeat, repeat);
		break;
	default:
		error("the snippet's timing report has a stray line '%.80s'", bad);
		break;
	}
out:
	bench_command_result_release(&res);
	return rc;
}

int timeit_snippet(const struct snippet *sn, const struct bench_timeit_opts *to)
{
	const char *tmp = getenv("TMPDIR");
	const char *ccenv = getenv("CC");
	struct strvec cc = { 0 }, compile_v = { 0 };
	struct bench_timeit_result r = { 0 };
	char tmpabs[PATH_MAX];
	char dir[PATH_MAX + 32], src[PATH_MAX + 64], hsrc[PATH_MAX + 64], exe[PATH_MAX + 64];
	char a_number[24], a_repeat[24], a_target[24], label[512];
	char *run_argv[] = { exe, a_number, a_repeat, a_target, NULL };
	char *env[] = { NULL, NULL };  /* TMPDIR=dir for the compiler */
	size_t repeat = to->repeat ? to->repeat : BENCH_TIMEIT_REPEAT;
	bench_ns target = to->min_time_ns ? to->min_time_ns : BENCH_TIMEIT_MIN_TIME;
	int made = 0, rc = 1;

	if (!tmp || !*tmp)
		tmp = "/tmp";
	/* A relative TMPDIR would put paths that look like options on the
	 * compiler's command line. */
	if (tmp[0] != '/' && realpath(tmp, tmpabs))
		tmp = tmpabs;
	if (timeit_strvec_split(&cc, ccenv && *ccenv ? ccenv : "cc") || !cc.n) {
		error("CC='%s': expected a C compiler", ccenv ? ccenv : "");
		timeit_strvec_release(&cc);
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s/bench-timeit.XXXXXX", tmp);
	snprintf(a_number, sizeof(a_number), "%llu", (unsigned long long)to->number);
	snprintf(a_repeat, sizeof(a_repeat), "%zu", repeat);
	snprintf(a_target, sizeof(a_target), "%llu", (unsigned long long)target);
	install_signal_handlers();

	if (!mkdtemp(dir)) {
		error("cannot create a temporary folder in '%s': %s", tmp,
		      strerror(errno));
		goto out;
	}
	made = 1;
	snprintf(exe, sizeof(exe), "%s/bench-snippet", dir);
	if (timeit_write_sources(dir, sn, src, hsrc, sizeof(src)))
		goto out;
	if (compile_argv(&compile_v, &cc, sn, exe, src, hsrc) ||
	    asprintf(&env[0], "TMPDIR=%s", dir) < 0) {
		env[0] = NULL;
		error("out of memory");
		goto out;
	}
	if ((rc = compile(&compile_v, env, ccenv)) != 0 ||
	    (rc = run_program(run_argv, repeat, target, sn->timeout_ns ?
			      sn->timeout_ns : (bench_ns)TIMEIT_TIMEOUT_S *
			      BENCH_NS_PER_S, &r)) != 0)
		goto out;
	rc = 1;
	if (bench_stats_compute(r.per_call_ns, r.repeat, &r.stats, NULL) != 0) {
		error("out of memory");
		goto out;
	}
	r.best_ns = r.stats.min;
	r.worst_ns = r.stats.max;
	r.worst_far = r.worst_ns > BENCH_TIMEIT_WORST_FAR * r.best_ns;
	snippet_label(label, sizeof(label), &cc, sn);
	timeit_print(label, &r, to, "");
	rc = 0;
out:
	if (made)
		remove_tree(dir);
	bench_timeit_release(&r);
	free(env[0]);
	timeit_strvec_release(&compile_v);
	timeit_strvec_release(&cc);
	return rc;
}
