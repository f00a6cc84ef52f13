/*
 * cmd_timeit.c - `bench timeit`: Python's timeit for a workload, or for a
 * C statement (`python -m timeit` for C).
 *
 * Workload mode, `bench timeit search`, times one call of a workload (one
 * pass over its prepared input in one mode) with the library's
 * bench_timeit(). Every call's result is checked against the first call's
 * checksum, as in `bench run`: timing a call that computed something else
 * is no timing.
 *
 * Snippet mode, `bench timeit -s SETUP STATEMENT`, is chosen by -s/--setup,
 * --init, --include, --cflags or --libs, or by an operand that is no
 * workload's name. SETUP goes at file scope (functions, data, #include),
 * --init runs once before any timing, STATEMENT is the body of a void
 * function (so `return;` ends one execution). They are written, behind
 * #line markers so that the compiler's messages say "setup:2:" or
 * "statement:1:", into snippet.c, which is compiled with a generated
 * harness.c by $CC (default cc) -O2 -std=gnu11 CFLAGS ... LIBS and run.
 *
 * The design choice to know: the snippet is a program of its own, not code
 * inside bench, and it does not link libbench. A statement that crashes or
 * calls exit() takes down only that child; the snippet's names cannot
 * clash with bench's, nor with the harness's (another translation unit:
 * snippet.c holds only the user's code and the BENCH_KEEP prelude). The
 * harness times the way the library's timeit does (autorange 1, 2, 5, 10,
 * ... until one loop reaches the budget, then `repeat` loops, calling the
 * statement through a volatile function pointer, on CLOCK_MONOTONIC) and
 * writes raw loop times on a private pipe (fd 3), so the statement may
 * print freely; bench computes the statistics and prints the same lines
 * as in workload mode.
 *
 * Children and Ctrl-C: nothing goes through a shell (posix_spawnp). The
 * compiler runs in a process group of its own, with TMPDIR pointing into
 * the private folder (mkdtemp) that holds the sources, the compiler's own
 * temporary files and the program: one kill of the group stops cc1, as and
 * ld too, and one removal clears everything. bench is a child subreaper
 * meanwhile, so it reaps those grandchildren itself instead of leaving
 * them to init. SIGINT, SIGTERM, SIGHUP and SIGCHLD are blocked except
 * inside ppoll(), which is how a Ctrl-C or a child's exit wakes the wait
 * without a race. On Ctrl-C the child is killed and reaped, the folder
 * removed, and bench exits 130.
 */
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

enum {
	OPT_MIN_TIME = 300,
	OPT_SEED,       /* long only: -s is Python's --setup here */
	OPT_INIT,
	OPT_INCLUDE,
	OPT_CFLAGS,
	OPT_LIBS,
};

static const struct option long_opts[] = {
	{ "number", required_argument, NULL, 'N' },
	{ "repeat", required_argument, NULL, 'r' },
	{ "min-time", required_argument, NULL, OPT_MIN_TIME },
	/* workload mode */
	{ "mode", required_argument, NULL, 'm' },
	{ "workers", required_argument, NULL, 'w' },
	{ "size", required_argument, NULL, 'n' },
	{ "seed", required_argument, NULL, OPT_SEED },
	/* snippet mode */
	{ "setup", required_argument, NULL, 's' },
	{ "init", required_argument, NULL, OPT_INIT },
	{ "include", required_argument, NULL, OPT_INCLUDE },
	{ "cflags", required_argument, NULL, OPT_CFLAGS },
	{ "libs", required_argument, NULL, OPT_LIBS },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* ------------------------------------------------------------------------
 * What both modes print. */

/* Seconds as a decimal ("0.2", "1.5") into ns. */
static int parse_seconds(const char *text, bench_ns *out)
{
	char *end;
	double v = strtod(text, &end);

	if (end == text || *end || !(v > 0) || v > 3600)
		return -1;
	*out = (bench_ns)(v * 1e9);
	return 0;
}

/*
 * The timeit lines: "LABEL: N loops, best of R: T per loop", the median
 * with its interval and the worst loop (then tail), and the warnings.
 */
static void print_result(const char *label, const struct bench_timeit_result *r,
			 const struct bench_timeit_opts *to, const char *tail)
{
	char best[32], med[32], lo[32], hi[32], worst[32];

	format_ns(r->best_ns, best, sizeof(best));
	format_ns(r->stats.median, med, sizeof(med));
	format_ns(r->stats.ci_low, lo, sizeof(lo));
	format_ns(r->stats.ci_high, hi, sizeof(hi));
	format_ns(r->worst_ns, worst, sizeof(worst));
	printf("%s: %llu loop%s, best of %zu: %s per loop\n", label,
	       (unsigned long long)r->number, r->number == 1 ? "" : "s",
	       r->repeat, best);
	printf("median %s per loop, 95%% CI %s - %s (%.0f%% confidence); worst %s%s\n",
	       med, lo, hi, r->stats.ci_level * 100, worst, tail);
	if (r->worst_far)
		printf("warning: the worst loop (%s) was %.1fx slower than the best (%s): another program or a cold cache may have interfered\n",
		       worst, r->worst_ns / r->best_ns, best);
	if (r->over_budget) {
		char budget[32];

		format_ns((double)(to->min_time_ns ? to->min_time_ns :
				   BENCH_TIMEIT_MIN_TIME),
			  budget, sizeof(budget));
		printf("note: one call takes longer than the %s autorange budget, so each loop is a single call\n",
		       budget);
	}
	if (r->stats.ci_level < 0.95)
		printf("note: %zu loops give only %.0f%% confidence in the interval; --repeat 6 or more gives 95%%\n",
		       r->repeat, r->stats.ci_level * 100);
}

/* ------------------------------------------------------------------------
 * Workload mode. */

struct call {
	const struct bench_workload *wl;
	void *state;
	const struct bench_executor *mode;
	struct bench_exec_opts eo;
	uint64_t items;
	char checksum[BENCH_CHECKSUM_MAX];
	int rc;                 /* first failure */
	struct bench_err err;
};

static void one_call(void *arg)
{
	struct call *c = arg;
	struct bench_sample s;
	char sum[BENCH_CHECKSUM_MAX];
	int rc;

	if (c->rc)
		return;
	if (c->wl->rewind && (rc = c->wl->rewind(c->state, &c->err))) {
		c->rc = rc;
		return;
	}
	rc = bench_exec(c->mode, c->wl, c->state, &c->eo, &s, &c->err);
	if (rc) {
		c->rc = rc;
		bench_cancel(); /* stop the loop: nothing more to learn */
		return;
	}
	c->wl->checksum(s.result, sum);
	if (!c->checksum[0]) {
		memcpy(c->checksum, sum, sizeof(sum));
	} else if (strcmp(sum, c->checksum) != 0) {
		c->rc = bench_err_set(&c->err, BENCH_EVERIFY,
				      "checksum mismatch between calls: %s then %s",
				      c->checksum, sum);
		bench_cancel();
	}
}

static int time_workload(const struct bench_workload *wl, struct bench_params *p,
			 const struct bench_timeit_opts *to,
			 const struct bench_executor *mode, unsigned workers)
{
	struct bench_timeit_result r;
	struct call call = { .wl = wl, .mode = mode };
	struct bench_err err = { 0 };
	char label[256], tail[BENCH_CHECKSUM_MAX + 16];
	int n, rc;

	if (bench_workload_params(wl, p, &err) != 0)
		return usage_error("timeit", "%s", err.msg);
	if ((rc = wl->prepare(p, &call.state, &err)) != 0) {
		error("%s", err.msg);
		return exit_status(rc);
	}
	call.eo.workers = mode->flags & BENCH_EXEC_REFERENCE ? 1 :
			  workers ? workers : bench_cpus();
	call.items = wl->item_count(call.state);
	call.eo.chunk = bench_auto_chunk(wl, call.items, call.eo.workers);
	install_signal_handlers();
	rc = bench_timeit(one_call, &call, to, &r, &err);
	wl->release(call.state);
	if (call.rc) {
		if (call.rc == BENCH_ECANCELED)
			error("interrupted");
		else
			error("%s", call.err.msg);
		bench_timeit_release(&r);
		return exit_status(call.rc);
	}
	if (rc) {
		error("%s", rc == BENCH_ECANCELED ? "interrupted" : err.msg);
		return exit_status(rc);
	}
	n = snprintf(label, sizeof(label), "%s (%s", wl->name,
		     mode->name);
	if (!(mode->flags & BENCH_EXEC_REFERENCE))
		n += snprintf(label + n, sizeof(label) - (size_t)n, " x%u",
			      call.eo.workers);
	n += snprintf(label + n, sizeof(label) - (size_t)n, ", %llu %s",
		      (unsigned long long)call.items, wl->item_desc);
	if (wl->describe) {
		char what[200];

		wl->describe(p, 1, what, sizeof(what));
		n += snprintf(label + n, sizeof(label) - (size_t)n, "%s", what);
	}
	snprintf(label + n, sizeof(label) - (size_t)n, ")");
	snprintf(tail, sizeof(tail), "; checksum %s", call.checksum);
	print_result(label, &r, to, tail);
	bench_timeit_release(&r);
	return 0;
}

/* ------------------------------------------------------------------------
 * Snippet mode: the generated sources. */

/* The fd the harness reports on, and what it reports: "autorange N NS"
 * per autorange trial, "number N", then "loop_ns NS" per loop. */
#define REPORT_FD 3
#define STR_(x) #x
#define STR(x) STR_(x)

/* The top of snippet.c, before SETUP. */
static const char prelude[] =
	"/* BENCH_KEEP(x): x is computed as if it were used, and memory as if\n"
	"   read and written, so the compiler cannot drop the work behind it. */\n"
	"#define BENCH_KEEP(x) do { __typeof__(x) bench_keep_ = (x); \\\n"
	"	__asm__ __volatile__(\"\" : : \"r,m\"(bench_keep_) : \"memory\"); \\\n"
	"} while (0)\n"
	"void bench_timeit_init(void);\n"
	"void bench_timeit_statement(void);\n";

/* harness.c, whole. It must compile cleanly under whatever --cflags add
 * (-Wall -Werror, -std=c11), hence _POSIX_C_SOURCE and plain C. */
static const char harness[] =
	"/* harness.c - written by bench timeit: times bench_timeit_statement()\n"
	"   the way timeit does and reports raw loop times on fd " STR(REPORT_FD) ". */\n"
	"#define _POSIX_C_SOURCE 200809L\n"
	"#include <stdint.h>\n"
	"#include <stdio.h>\n"
	"#include <stdlib.h>\n"
	"#include <time.h>\n"
	"\n"
	"void bench_timeit_init(void);\n"
	"void bench_timeit_statement(void);\n"
	"\n"
	"/* Read through a volatile pointer, the loop's callee is unknown to the\n"
	"   compiler: it can neither inline the statement nor hoist it out. */\n"
	"static void (*volatile bench_statement)(void) = bench_timeit_statement;\n"
	"\n"
	"static uint64_t bench_now_ns(void)\n"
	"{\n"
	"	struct timespec ts;\n"
	"\n"
	"	clock_gettime(CLOCK_MONOTONIC, &ts);\n"
	"	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;\n"
	"}\n"
	"\n"
	"static uint64_t bench_loop_ns(uint64_t number)\n"
	"{\n"
	"	void (*fn)(void) = bench_statement;\n"
	"	uint64_t t0 = bench_now_ns();\n"
	"\n"
	"	for (uint64_t i = 0; i < number; i++)\n"
	"		fn();\n"
	"	return bench_now_ns() - t0;\n"
	"}\n"
	"\n"
	"/* usage: PROGRAM NUMBER(0: autorange) REPEAT TARGET_NS */\n"
	"int main(int argc, char **argv)\n"
	"{\n"
	"	FILE *report = fdopen(" STR(REPORT_FD) ", \"w\");\n"
	"	unsigned long long number, repeat, target_ns;\n"
	"\n"
	"	if (argc != 4 || !report) {\n"
	"		fputs(\"this program is run by bench timeit\\n\", stderr);\n"
	"		return 2;\n"
	"	}\n"
	"	number = strtoull(argv[1], NULL, 10);\n"
	"	repeat = strtoull(argv[2], NULL, 10);\n"
	"	target_ns = strtoull(argv[3], NULL, 10);\n"
	"	/* Line by line: what was timed reaches bench even if a later\n"
	"	   loop crashes. */\n"
	"	setvbuf(report, NULL, _IOLBF, 0);\n"
	"	bench_timeit_init();\n"
	"	/* timeit.Timer.autorange(): 1, 2, 5, 10, 20, 50, ... */\n"
	"	for (unsigned long long base = 1; !number; base *= 10) {\n"
	"		static const unsigned steps[] = { 1, 2, 5 };\n"
	"\n"
	"		for (int k = 0; k < 3 && !number; k++) {\n"
	"			unsigned long long n = base * steps[k];\n"
	"			unsigned long long t = bench_loop_ns(n);\n"
	"\n"
	"			fprintf(report, \"autorange %llu %llu\\n\", n, t);\n"
	"			if (t >= target_ns || n >= " STR(BENCH_TIMEIT_NUMBER_MAX) ")\n"
	"				number = n;\n"
	"		}\n"
	"	}\n"
	"	fprintf(report, \"number %llu\\n\", number);\n"
	"	for (unsigned long long r = 0; r < repeat; r++)\n"
	"		fprintf(report, \"loop_ns %llu\\n\",\n"
	"			(unsigned long long)bench_loop_ns(number));\n"
	"	return fclose(report) != 0;\n"
	"}\n";

struct strvec {
	char **v;        /* NULL-terminated when n > 0 */
	size_t n, cap;
};

static int strvec_push(struct strvec *sv, const char *s)
{
	char *copy;

	if (sv->n + 2 > sv->cap) {
		size_t cap = sv->cap ? 2 * sv->cap : 8;
		char **v = realloc(sv->v, cap * sizeof(*v));

		if (!v)
			return -1;
		sv->v = v;
		sv->cap = cap;
	}
	if (!(copy = strdup(s)))
		return -1;
	sv->v[sv->n++] = copy;
	sv->v[sv->n] = NULL;
	return 0;
}

/* Adds the words of text, split on white space (no quoting: no shell). */
static int strvec_split(struct strvec *sv, const char *text)
{
	static const char space[] = " \t\n";

	for (text += strspn(text, space); *text; text += strspn(text, space)) {
		size_t len = strcspn(text, space);
		char word[4096];

		if (len >= sizeof(word))
			return -1;
		memcpy(word, text, len);
		word[len] = '\0';
		if (strvec_push(sv, word))
			return -1;
		text += len;
	}
	return 0;
}

static void strvec_release(struct strvec *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	*sv = (struct strvec){ 0 };
}

struct snippet {
	struct strvec setup;     /* -s texts, in order */
	struct strvec init;      /* --init texts */
	struct strvec includes;  /* --include headers, as given */
	struct strvec cflags;    /* --cflags words */
	struct strvec libs;      /* --libs words */
	struct strvec stmt;      /* the operands: lines of the statement */
};

static void snippet_release(struct snippet *sn)
{
	strvec_release(&sn->setup);
	strvec_release(&sn->init);
	strvec_release(&sn->includes);
	strvec_release(&sn->cflags);
	strvec_release(&sn->libs);
	strvec_release(&sn->stmt);
}

static void write_lines(FILE *f, const struct strvec *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		fprintf(f, "%s\n", sv->v[i]);
}

static void write_snippet(FILE *f, const struct snippet *sn)
{
	fputs("/* snippet.c - written by bench timeit from its command line */\n", f);
	if (sn->includes.n)
		fputs("#line 1 \"include\"\n", f);
	for (size_t i = 0; i < sn->includes.n; i++) {
		const char *h = sn->includes.v[i];

		fprintf(f, h[0] == '<' || h[0] == '"' ? "#include %s\n" :
			"#include <%s>\n", h);
	}
	fputs("#line 1 \"prelude\"\n", f);
	fputs(prelude, f);
	fputs("#line 1 \"setup\"\n", f);
	write_lines(f, &sn->setup);
	fputs("void bench_timeit_init(void)\n{\n#line 1 \"init\"\n", f);
	write_lines(f, &sn->init);
	fputs("}\n\nvoid bench_timeit_statement(void)\n{\n#line 1 \"statement\"\n", f);
	write_lines(f, &sn->stmt);
	fputs("}\n", f);
}

/* Writes path: text, or snippet.c from sn; 0, or -1 after an error. */
static int write_source(const char *path, const char *text,
			const struct snippet *sn)
{
	FILE *f = fopen(path, "w");
	int bad;

	if (!f) {
		error("cannot create '%s': %s", path, strerror(errno));
		return -1;
	}
	if (text)
		fputs(text, f);
	else
		write_snippet(f, sn);
	bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		error("cannot write '%s': %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* ------------------------------------------------------------------------
 * Snippet mode: children. */

/* Compiler messages kept for the user; more is read and dropped. */
#define OUTPUT_MAX (1u << 20)

enum child_kind {
	COMPILER,   /* own process group; stdin /dev/null; stdout and stderr
		       into the pipe */
	PROGRAM,    /* bench's process group and standard streams; the pipe
		       on REPORT_FD */
};

struct child {
	pid_t pid;
	int group;        /* leads a process group of its own */
	int fd;           /* read end of its pipe, -1 once at end of file */
	int status;       /* wait status, once it ended */
	char *out;        /* what came through the pipe, NUL-terminated */
	size_t len, cap;  /* bytes */
	size_t limit;     /* most bytes kept: OUTPUT_MAX for the compiler,
			     none for the program's report */
	int dropped;      /* more came than limit: the rest was dropped */
};

static void on_sigchld(int sig)
{
	(void)sig;  /* only here so that SIGCHLD interrupts ppoll() */
}

/* Starts argv[0] (searched in PATH) as c; returns 0 or an errno value. */
static int spawn(struct child *c, char *const argv[], char *const envp[],
		 enum child_kind kind, const sigset_t *mask)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	short flags = POSIX_SPAWN_SETSIGMASK;
	int p[2], err;

	if (pipe2(p, O_CLOEXEC) != 0)
		return errno;
	/* The write end is dup2'ed onto 1 and 2, or REPORT_FD, in the child:
	 * it must be none of them (dup2 onto itself would keep CLOEXEC). */
	if (p[1] <= REPORT_FD) {
		int fd = fcntl(p[1], F_DUPFD_CLOEXEC, REPORT_FD + 1);

		if (fd < 0) {
			err = errno;
			close(p[0]);
			close(p[1]);
			return err;
		}
		close(p[1]);
		p[1] = fd;
	}
	if ((err = posix_spawn_file_actions_init(&fa)) != 0) {
		close(p[0]);
		close(p[1]);
		return err;
	}
	if ((err = posix_spawnattr_init(&at)) != 0)
		goto out_fa;
	if (kind == COMPILER) {
		flags |= POSIX_SPAWN_SETPGROUP;
		err = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null",
						       O_RDONLY, 0);
		if (!err)
			err = posix_spawn_file_actions_adddup2(&fa, p[1], 1);
		if (!err)
			err = posix_spawn_file_actions_adddup2(&fa, p[1], 2);
		if (!err)
			err = posix_spawnattr_setpgroup(&at, 0);
	} else {
		err = posix_spawn_file_actions_adddup2(&fa, p[1], REPORT_FD);
	}
	if (!err)
		err = posix_spawnattr_setsigmask(&at, mask);
	if (!err)
		err = posix_spawnattr_setflags(&at, flags);
	if (!err)
		err = posix_spawnp(&c->pid, argv[0], &fa, &at, argv, envp);
	posix_spawnattr_destroy(&at);
out_fa:
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (err) {
		close(p[0]);
		return err;
	}
	c->group = kind == COMPILER;
	c->fd = p[0];
	fcntl(c->fd, F_SETFL, O_NONBLOCK);
	return 0;
}

/* Reads what the pipe holds now; closes it at end of file. */
static void drain(struct child *c)
{
	char buf[4096];

	for (;;) {
		ssize_t n = read(c->fd, buf, sizeof(buf));

		if (n > 0) {
			size_t want = c->len + (size_t)n + 1;

			if (want > c->cap && want <= c->limit) {
				size_t cap = c->cap ? c->cap : 4096;
				char *out;

				while (cap < want)
					cap *= 2;
				if ((out = realloc(c->out, cap))) {
					c->out = out;
					c->cap = cap;
				}
			}
			if (want <= c->cap) {
				memcpy(c->out + c->len, buf, (size_t)n);
				c->len += (size_t)n;
				c->out[c->len] = '\0';
			} else {
				c->dropped = 1;
			}
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		close(c->fd);
		c->fd = -1;
		return;
	}
}

/* Reaps the descendants that ended as our orphans (we are their subreaper). */
static void reap_orphans(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		continue;
}

/* Kills c (its whole group if it has one) and reaps it and the group. */
static void kill_child(struct child *c)
{
	kill(c->group ? -c->pid : c->pid, SIGKILL);
	while (waitpid(c->pid, &c->status, 0) < 0 && errno == EINTR)
		continue;
	/* The rest of the group (cc1, as, ld) are our orphans now: the group
	 * is gone once the last of them is reaped. Without the subreaper
	 * they go to init and waitpid says ECHILD. */
	while (c->group && kill(-c->pid, 0) == 0)
		if (waitpid(-1, NULL, 0) < 0 && errno == ECHILD)
			break;
	reap_orphans();
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/*
 * Collects c's output until it ends (status in c->status); on Ctrl-C kills
 * and reaps it instead. Signals are blocked on entry; wake is the mask
 * ppoll() opens while waiting. Returns 0, BENCH_ECANCELED (also when c
 * ended but Ctrl-C came meanwhile) or BENCH_ESYS (errno set).
 */
static int wait_child(struct child *c, const sigset_t *wake)
{
	for (;;) {
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
		sigset_t mask;
		pid_t r;

		if (c->fd >= 0)
			drain(c);
		r = waitpid(c->pid, &c->status, WNOHANG);
		if (r < 0 && errno != EINTR)
			return BENCH_ESYS;
		if (r == c->pid) {
			/* What it wrote before it ended is in the pipe; a
			 * grandchild may hold the pipe open, so no waiting. */
			if (c->fd >= 0)
				drain(c);
			if (c->fd >= 0)
				close(c->fd);
			c->fd = -1;
			reap_orphans();
			/* A Ctrl-C at the terminal reaches the child and bench
			 * together: let ours land before judging the end. */
			sigprocmask(SIG_SETMASK, wake, &mask);
			sigprocmask(SIG_SETMASK, &mask, NULL);
			return bench_canceled() ? BENCH_ECANCELED : 0;
		}
		if (bench_canceled()) {
			kill_child(c);
			return BENCH_ECANCELED;
		}
		if (ppoll(&pfd, c->fd >= 0 ? 1 : 0, NULL, wake) < 0 &&
		    errno != EINTR)
			return BENCH_ESYS;
	}
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

/* The environment with TMPDIR=dir instead of the caller's TMPDIR. */
static char **env_with_tmpdir(const char *dir, char **tmpdir_entry)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	if (!(env = calloc(n + 2, sizeof(*env))))
		return NULL;
	if (asprintf(tmpdir_entry, "TMPDIR=%s", dir) < 0) {
		free(env);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "TMPDIR=", 7) != 0)
			env[k++] = environ[i];
	env[k] = *tmpdir_entry;
	return env;
}

/* ------------------------------------------------------------------------
 * Snippet mode: the run. */

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

static int time_snippet(const struct snippet *sn,
			const struct bench_timeit_opts *to)
{
	const char *tmp = getenv("TMPDIR");
	const char *ccenv = getenv("CC");
	struct strvec cc = { 0 }, compile = { 0 };
	struct child comp = { .fd = -1, .limit = OUTPUT_MAX };
	struct child prog = { .fd = -1, .limit = SIZE_MAX };
	char tmpabs[PATH_MAX];
	struct bench_timeit_result r = { 0 };
	struct sigaction sa, old_chld;
	sigset_t block, orig, wake;
	char dir[PATH_MAX + 32], src[PATH_MAX + 64], hsrc[PATH_MAX + 64], exe[PATH_MAX + 64];
	char a_number[24], a_repeat[24], a_target[24], how[160], label[512];
	char *run_argv[] = { exe, a_number, a_repeat, a_target, NULL };
	char **env = NULL, *tmpdir_entry = NULL;
	const char *bad = NULL;
	size_t repeat = to->repeat ? to->repeat : BENCH_TIMEIT_REPEAT;
	bench_ns target = to->min_time_ns ? to->min_time_ns : BENCH_TIMEIT_MIN_TIME;
	int made = 0, rc = 1, err;

	if (!tmp || !*tmp)
		tmp = "/tmp";
	/* A relative TMPDIR would put paths that look like options on the
	 * compiler's command line. */
	if (tmp[0] != '/' && realpath(tmp, tmpabs))
		tmp = tmpabs;
	if (strvec_split(&cc, ccenv && *ccenv ? ccenv : "cc") || !cc.n) {
		error("CC='%s': expected a C compiler", ccenv ? ccenv : "");
		strvec_release(&cc);
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s/bench-timeit.XXXXXX", tmp);
	snprintf(a_number, sizeof(a_number), "%llu", (unsigned long long)to->number);
	snprintf(a_repeat, sizeof(a_repeat), "%zu", repeat);
	snprintf(a_target, sizeof(a_target), "%llu", (unsigned long long)target);

	install_signal_handlers();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigchld;
	sa.sa_flags = SA_NOCLDSTOP;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, &old_chld);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &orig);
	wake = orig;
	sigdelset(&wake, SIGINT);
	sigdelset(&wake, SIGTERM);
	sigdelset(&wake, SIGHUP);
	sigdelset(&wake, SIGCHLD);
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

	if (!mkdtemp(dir)) {
		error("cannot create a temporary folder in '%s': %s", tmp,
		      strerror(errno));
		goto out;
	}
	made = 1;
	snprintf(src, sizeof(src), "%s/snippet.c", dir);
	snprintf(hsrc, sizeof(hsrc), "%s/harness.c", dir);
	snprintf(exe, sizeof(exe), "%s/bench-snippet", dir);
	if (write_source(src, NULL, sn) || write_source(hsrc, harness, NULL))
		goto out;

	/* cc -O2 -std=gnu11 -iquote . CFLAGS -o EXE snippet.c harness.c LIBS:
	 * run in the user's folder, so that "local.h" and -L. mean it. */
	for (size_t i = 0; i < cc.n; i++)
		if (strvec_push(&compile, cc.v[i]))
			goto nomem;
	if (strvec_push(&compile, "-O2") || strvec_push(&compile, "-std=gnu11") ||
	    strvec_push(&compile, "-iquote") || strvec_push(&compile, "."))
		goto nomem;
	for (size_t i = 0; i < sn->cflags.n; i++)
		if (strvec_push(&compile, sn->cflags.v[i]))
			goto nomem;
	if (strvec_push(&compile, "-o") || strvec_push(&compile, exe) ||
	    strvec_push(&compile, src) || strvec_push(&compile, hsrc))
		goto nomem;
	for (size_t i = 0; i < sn->libs.n; i++)
		if (strvec_push(&compile, sn->libs.v[i]))
			goto nomem;
	if (!(env = env_with_tmpdir(dir, &tmpdir_entry)))
		goto nomem;

	fflush(stdout);
	if ((err = spawn(&comp, compile.v, env, COMPILER, &orig)) != 0) {
		error("cannot run the C compiler '%s': %s%s", compile.v[0],
		      strerror(err), ccenv ? "" : " (set CC to one)");
		goto out;
	}
	if ((err = wait_child(&comp, &wake)) != 0) {
		if (err == BENCH_ECANCELED)
			rc = interrupted();
		else
			error("waiting for the C compiler: %s", strerror(errno));
		goto out;
	}
	if (comp.len)  /* errors, or warnings the user asked for */
		fwrite(comp.out, 1, comp.len, stderr);
	if (comp.dropped)
		fputs("... (the rest of the compiler's messages left out)\n", stderr);
	if (WIFSIGNALED(comp.status)) {
		describe_status(comp.status, how, sizeof(how));
		error("the C compiler '%s' %s", compile.v[0], how);
		goto out;
	}
	if (WEXITSTATUS(comp.status) != 0) {
		fputs("bench timeit: the snippet does not compile\n", stderr);
		goto out;
	}

	fflush(stdout);
	fflush(stderr);
	if ((err = spawn(&prog, run_argv, environ, PROGRAM, &orig)) != 0) {
		error("cannot run the compiled snippet '%s': %s%s", exe,
		      strerror(err), err == EACCES ?
		      " (is TMPDIR on a noexec file system?)" : "");
		goto out;
	}
	if ((err = wait_child(&prog, &wake)) != 0) {
		if (err == BENCH_ECANCELED)
			rc = interrupted();
		else
			error("waiting for the snippet: %s", strerror(errno));
		goto out;
	}
	if (!WIFEXITED(prog.status) || WEXITSTATUS(prog.status) != 0) {
		describe_status(prog.status, how, sizeof(how));
		fprintf(stderr, "bench timeit: the snippet %s\n", how);
		goto out;
	}
	if (!(r.per_call_ns = calloc(repeat, sizeof(double))))
		goto nomem;
	switch (parse_report(prog.out ? prog.out : (char[]){ "" }, repeat,
			     target, &r, &bad)) {
	case 0:
		break;
	case 1:
		fprintf(stderr, "bench timeit: the snippet ended after %zu of %zu loops, with status 0: does the statement or --init call exit()?\n",
			r.repeat, repeat);
		goto out;
	default:
		error("the snippet's timing report has a stray line '%.80s'", bad);
		goto out;
	}
	if (bench_stats_compute(r.per_call_ns, r.repeat, &r.stats, NULL) != 0)
		goto nomem;
	r.best_ns = r.stats.min;
	r.worst_ns = r.stats.max;
	r.worst_far = r.worst_ns > BENCH_TIMEIT_WORST_FAR * r.best_ns;
	snippet_label(label, sizeof(label), &cc, sn);
	print_result(label, &r, to, "");
	rc = 0;
	goto out;
nomem:
	error("out of memory");
	rc = 1;
out:
	if (made)
		nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
	sigprocmask(SIG_SETMASK, &orig, NULL);
	sigaction(SIGCHLD, &old_chld, NULL);
	bench_timeit_release(&r);
	free(comp.out);
	free(prog.out);
	free(env);
	free(tmpdir_entry);
	strvec_release(&compile);
	strvec_release(&cc);
	return rc;
}

/* ------------------------------------------------------------------------
 * The command. */

/* A bare name: no C statement (that needs a ';'), so a mistyped workload. */
static int is_identifier(const char *s)
{
	if (!(*s == '_' || (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
		return 0;
	for (s++; *s; s++)
		if (!(*s == '_' || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
			return 0;
	return 1;
}

int cmd_timeit(int argc, char **argv)
{
	const char *cmd = "timeit";
	struct bench_params p = { 0 };
	struct bench_timeit_opts to = { 0 };
	struct bench_run_opts modes = { 0 };
	struct snippet sn = { 0 };
	const struct bench_executor *mode =
		bench_executor_with(BENCH_EXEC_REFERENCE);
	const struct bench_workload *wl;
	const char *workload_flag = NULL, *snippet_flag = NULL;
	unsigned workers = 0;
	uint64_t v;
	int c, rc = EXIT_USAGE;

	struct option rows[64];
	char shorts[48];

	if (workload_getopt_tables(long_opts, ":N:r:m:w:n:s:h", rows, 64, shorts,
				   sizeof(shorts)) != 0)
		return 1;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, shorts, rows, NULL)) != -1) {
		switch (c) {
		case 'N':
			if (strcmp(optarg, "auto") == 0)
				to.number = 0;
			else if (parse_u64(cmd, "--number", optarg, 1,
					   BENCH_TIMEIT_NUMBER_MAX, &to.number))
				goto out;
			break;
		case 'r':
			if (parse_u64(cmd, "--repeat", optarg, 1, BENCH_REPEAT_MAX, &v))
				goto out;
			to.repeat = (unsigned)v;
			break;
		case OPT_MIN_TIME:
			if (parse_seconds(optarg, &to.min_time_ns)) {
				usage_error(cmd, "--min-time '%s': expected seconds, more than 0 and at most 3600",
					    optarg);
				goto out;
			}
			break;
		case 'm':
			workload_flag = "--mode";
			if (parse_modes(cmd, optarg, &modes))
				goto out;
			if (modes.nmodes != 1) {
				usage_error(cmd, "--mode '%s': expected one mode", optarg);
				goto out;
			}
			mode = modes.modes[0];
			break;
		case 'w':
			workload_flag = "--workers";
			if (parse_u64(cmd, "--workers", optarg, 1, BENCH_WORKERS_MAX, &v))
				goto out;
			workers = (unsigned)v;
			break;
		case 'n':
		case OPT_SEED:
			workload_flag = c == 'n' ? "--size" : "--seed";
			if (parse_workload_option(cmd, c == OPT_SEED ? 's' : c,
						  optarg, &p) < 0)
				goto out;
			break;
		case 's':
		case OPT_INIT:
			snippet_flag = c == 's' ? "-s/--setup" : "--init";
			if (strvec_push(c == 's' ? &sn.setup : &sn.init, optarg))
				goto nomem;
			break;
		case OPT_INCLUDE:
			snippet_flag = "--include";
			if (!*optarg || strchr(optarg, '\n')) {
				usage_error(cmd, "--include '%s': expected a header such as math.h, <sys/mman.h> or '\"mine.h\"'",
					    optarg);
				goto out;
			}
			if (strvec_push(&sn.includes, optarg))
				goto nomem;
			break;
		case OPT_CFLAGS:
		case OPT_LIBS:
			snippet_flag = c == OPT_CFLAGS ? "--cflags" : "--libs";
			if (strvec_split(c == OPT_CFLAGS ? &sn.cflags : &sn.libs, optarg))
				goto nomem;
			break;
		case 'h':
			print_help(cmd, stdout);
			rc = 0;
			goto out;
		default: {
			/* A workload's own option (--queries, --input, ...). */
			int handled = parse_workload_option(cmd, c, optarg, &p);

			if (handled < 0)
				goto out;
			if (handled) {
				workload_flag = argv[optind - 1];
				break;
			}
			rc = bad_option(cmd, argv, c);
			goto out;
		}
		}
	}
	if (optind >= argc) {
		usage_error(cmd, "missing the workload or C statement to time");
		goto out;
	}
	if ((wl = bench_workload_find(argv[optind]))) {
		if (snippet_flag) {
			usage_error(cmd, "%s is for a C statement, and '%s' is a workload%s",
				    snippet_flag, argv[optind],
				    strcmp(snippet_flag, "-s/--setup") == 0 ?
				    " (whose seed is --seed)" : "");
			goto out;
		}
		if (optind + 1 < argc) {
			usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
			goto out;
		}
		rc = time_workload(wl, &p, &to, mode, workers);
		goto out;
	}
	if (!snippet_flag && optind + 1 == argc && is_identifier(argv[optind])) {
		find_workload(cmd, argv[optind]); /* says which ones there are */
		goto out;
	}
	if (workload_flag) {
		usage_error(cmd, "%s is for a workload, not a C statement", workload_flag);
		goto out;
	}
	/* Several operands are the statement's lines, as in python -m timeit. */
	for (int i = optind; i < argc; i++)
		if (strvec_push(&sn.stmt, argv[i]))
			goto nomem;
	rc = time_snippet(&sn, &to);
	goto out;
nomem:
	error("out of memory");
	rc = 1;
out:
	snippet_release(&sn);
	return rc;
}
