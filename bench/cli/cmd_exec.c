/*
 * cmd_exec.c - `bench exec`: whole programs timed run by run, without a
 * shell, and a drop-in for hyperfine's command line: `bench exec -N
 * --runs 20 'gzip -1 -k -f data' 'gzip -9 -k -f data'` as well as
 * bench's own `bench exec [--vs 'CMD2'] -- CMD [ARGS...]`.
 *
 * Each run is one bench_command_run() (bench/command.h): vfork, exec,
 * wait4. Commands given as one string are split into words the way
 * hyperfine -N splits them (exec_words.c), or run as `SHELL -c STRING`
 * with --shell=SHELL; a command after -- is run exactly as given. Where
 * hyperfine times one command after the other, bench runs them in turn
 * run by run (A, B, A, B, warmup too), so drift of the machine hits all
 * alike; the wall times of two commands go through the Mann-Whitney U
 * test and the distribution-free interval of the ratio of medians
 * (analysis.h), as in `bench compare`. With -L/-P every combination of
 * the parameters' values is one more command, in hyperfine's order (the
 * first variable changing fastest, the commands innermost), and --setup
 * runs once for each before the first round, --cleanup once for each
 * after the last.
 *
 * How each run ended is kept, never hidden: a run that exits non-zero or
 * is killed stops the measurement with one line naming the run, unless
 * --ignore-failure, when failed runs are timed too and counted in the
 * output. In bench's JSON, exit_codes holds the exit status of each run,
 * or -N for a run killed by signal N (Python's returncode convention);
 * the hyperfine exports (exec_export.c) write 128+N, as hyperfine does.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/command.h"
#include "cli.h"
#include "exec.h"

#define ALPHA 0.05
/* hyperfine's defaults when the run count follows the time (-m, -M):
 * at least this many runs, and runs enough to fill this much time. */
#define MIN_RUNS_DEFAULT 10
#define MIN_TIME_NS 3000000000.0
/* Parameter values one -P may make, and variables -L may name. */
#define SCAN_MAX 100000
#define VARS_MAX 16

enum {
	OPT_VS = 400, OPT_SHOW_OUTPUT, OPT_EXPORT_JSON, OPT_EXPORT_CSV,
	OPT_EXPORT_MARKDOWN,
};

static const struct option long_opts[] = {
	{ "warmup", required_argument, NULL, 'w' },
	{ "runs", required_argument, NULL, 'r' },
	{ "min-runs", required_argument, NULL, 'm' },
	{ "max-runs", required_argument, NULL, 'M' },
	{ "prepare", required_argument, NULL, 'p' },
	{ "setup", required_argument, NULL, 's' },
	{ "cleanup", required_argument, NULL, 'c' },
	{ "parameter-scan", required_argument, NULL, 'P' },
	{ "parameter-step-size", required_argument, NULL, 'D' },
	{ "parameter-list", required_argument, NULL, 'L' },
	{ "shell", required_argument, NULL, 'S' },
	{ "command-name", required_argument, NULL, 'n' },
	{ "export-json", required_argument, NULL, OPT_EXPORT_JSON },
	{ "export-csv", required_argument, NULL, OPT_EXPORT_CSV },
	{ "export-markdown", required_argument, NULL, OPT_EXPORT_MARKDOWN },
	{ "vs", required_argument, NULL, OPT_VS },
	{ "ignore-failure", no_argument, NULL, 'i' },
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "show-output", no_argument, NULL, OPT_SHOW_OUTPUT },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* A -L or -P variable: {name} in the commands takes each value. */
struct variable {
	const char *name;
	char **values;            /* malloc'd, each malloc'd */
	size_t nvalues;
};

struct options {
	uint64_t warmup;          /* untimed runs of each command */
	uint64_t runs;            /* timed runs of each command (fixed count) */
	int runs_given;           /* -r */
	uint64_t min_runs, max_runs; /* -m, -M; max 0: no bound */
	int bounds_given;         /* -m or -M: the count follows the time */
	const char *vs;           /* --vs text, NULL: none */
	int ignore_failure;
	int show_output;          /* stdout and stderr not discarded */
	enum format format;       /* FMT_TABLE or FMT_JSON */
	const char *output;       /* -o FILE, NULL: stdout */
	const char *shell;        /* --shell SHELL, NULL: no shell */
	const char *setup, *cleanup; /* -s, -c */
	const char **prepare;     /* -p, each time given */
	size_t nprepare;
	const char **names;       /* -n, each time given */
	size_t nnames;
	const char **texts;       /* commands given as one string each */
	size_t ntexts;
	char **dd_argv;           /* the command after --, NULL: none */
	size_t dd_argc;
	struct variable vars[VARS_MAX];
	size_t nvars;
	const char *scan[3];      /* -P VAR MIN MAX, scan[0] NULL: none */
	const char *step;         /* -D */
	const char *export_json, *export_csv, *export_md;
};

/* One command (one parameter combination) and what its timed runs
 * measured. */
struct subject {
	struct bench_command cmd;
	char *label;              /* for messages: the name, or argv */
	char *command;            /* hyperfine's "command": the name, or the
				     command line as given */
	const char **values;      /* this combination's values, nvars */
	struct bench_command prep, setup, cleanup; /* argc 0: none */
	struct bench_command_result *res; /* one per timed run */
	size_t n, cap;            /* timed runs done, room in res */
	uint64_t target;          /* timed runs wanted, 0: not known yet */
	double *wall;             /* wall ns per run, for the statistics */
	unsigned char *outlier;   /* per run */
	struct bench_stats stats; /* of wall */
	double user_median;       /* ns */
	double sys_median;        /* ns */
	uint64_t maxrss_kb;       /* largest run */
	size_t failed;            /* runs that exited non-zero or were killed */
};

/* "bench exec: " and one line on stderr. */
static void complain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void complain(const char *fmt, ...)
{
	va_list ap;

	fputs("bench exec: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* argv joined by spaces; a word that is empty or holds a blank or quote
 * is shown in double quotes, so the words stay countable. malloc'd. */
static char *make_label(char *const *argv, size_t argc)
{
	size_t len = 1;
	char *s, *p;

	for (size_t i = 0; i < argc; i++)
		len += 2 * strlen(argv[i]) + 3;
	if (!(s = p = malloc(len)))
		return NULL;
	for (size_t i = 0; i < argc; i++) {
		const char *w = argv[i];
		int quote = !*w || strpbrk(w, " \t\n\"'");

		if (i)
			*p++ = ' ';
		if (quote)
			*p++ = '"';
		for (; *w; w++) {
			if (quote && (*w == '"' || *w == '\\'))
				*p++ = '\\';
			*p++ = *w;
		}
		if (quote)
			*p++ = '"';
	}
	*p = '\0';
	return s;
}

static void subject_release(struct subject *s)
{
	bench_command_release(&s->cmd);
	bench_command_release(&s->prep);
	bench_command_release(&s->setup);
	bench_command_release(&s->cleanup);
	free(s->label);
	free(s->command);
	free(s->values);
	free(s->res);
	free(s->wall);
	free(s->outlier);
}

/* text with every {NAME} replaced by this combination's value. */
static char *substitute(const char *text, const struct options *o,
			const char **values)
{
	size_t len = strlen(text) + 1, cap = len;
	char *s = malloc(cap);

	if (!s)
		return NULL;
	strcpy(s, text);
	for (size_t v = 0; v < o->nvars; v++) {
		size_t nl = strlen(o->vars[v].name), vl = strlen(values[v]);
		size_t from = 0;   /* past the last value put in: a value that
				      holds {NAME} is not expanded again */

		for (;;) {
			char *at = NULL, *q;
			size_t off;

			for (q = s + from; (q = strchr(q, '{')) != NULL; q++)
				if (strncmp(q + 1, o->vars[v].name, nl) == 0 && q[nl + 1] == '}') {
					at = q;
					break;
				}
			if (!at)
				break;
			off = (size_t)(at - s);
			len = len - nl - 2 + vl;
			if (len > cap) {
				char *t = realloc(s, len);

				if (!t) {
					free(s);
					return NULL;
				}
				s = t, cap = len;
				at = s + off;
			}
			memmove(at + vl, at + nl + 2, strlen(at + nl + 2) + 1);
			memcpy(at, values[v], vl);
			from = off + vl;
		}
	}
	return s;
}

/*
 * Makes c run text: split into words, or through --shell. what names the
 * text in messages ("command", "--prepare"). Returns 0 or the exit
 * status after printing the error.
 */
static int command_from_text(struct bench_command *c, const char *text,
			     const char *what, const struct options *o)
{
	struct bench_err err = { 0 };
	char **argv = NULL;
	const char *why = "";
	int words, rc;

	if (o->shell) {
		char *sh[3] = { (char *)o->shell, (char *)"-c", (char *)text };

		rc = bench_command_init(c, sh, 3, &err);
	} else {
		words = exec_words_split(text, &argv, &why);
		if (words == -2) {
			complain("out of memory");
			return 1;
		}
		if (words == -1)
			return usage_error("exec", "%s '%s': %s", what, text, why);
		if (words == 0) {
			free(argv);
			return usage_error("exec", "%s '%s': expected a command, such as 'sleep 0.1'",
					   what, text);
		}
		rc = bench_command_init(c, argv, (size_t)words, &err);
		free(argv);
	}
	if (rc != 0) {
		complain("%s", err.msg);
		return 1;
	}
	return 0;
}

/* The optional companion command (-p, -s, -c) of a subject. */
static int companion(struct bench_command *c, const char *text,
		     const char *what, const struct options *o,
		     const char **values)
{
	char *t;
	int rc;

	if (!text)
		return 0;
	if (!(t = substitute(text, o, values))) {
		complain("out of memory");
		return 1;
	}
	rc = command_from_text(c, t, what, o);
	free(t);
	return rc;
}

/*
 * The command number base (strings first, then the one after --, then
 * --vs) with one combination of the parameters. Returns 0 or the exit
 * status after printing the error.
 */
static int subject_init(struct subject *s, const struct options *o,
			size_t base, size_t nbase, const char **values)
{
	const char *text = NULL, *name = base < o->nnames ? o->names[base] : NULL;
	char *line = NULL;
	int rc;

	memset(s, 0, sizeof(*s));
	if (!(s->values = malloc((o->nvars ? o->nvars : 1) * sizeof(*values))))
		goto oom;
	memcpy(s->values, values, o->nvars * sizeof(*values));
	if (base < o->ntexts)
		text = o->texts[base];
	else if (base == nbase - 1 && o->vs)
		text = o->vs;
	if (text) {
		if (!(line = substitute(text, o, values)))
			goto oom;
		if ((rc = command_from_text(&s->cmd, line, "command", o)) != 0) {
			free(line);
			return rc;
		}
	} else {
		struct bench_err err = { 0 };
		char **argv = calloc(o->dd_argc + 1, sizeof(*argv));

		for (size_t i = 0; argv && i < o->dd_argc; i++)
			if (!(argv[i] = substitute(o->dd_argv[i], o, values)))
				break;
		rc = !argv || (o->dd_argc && !argv[o->dd_argc - 1]) ? BENCH_ENOMEM :
		     bench_command_init(&s->cmd, argv, o->dd_argc, &err);
		for (size_t i = 0; argv && i < o->dd_argc; i++)
			free(argv[i]);
		free(argv);
		if (rc == BENCH_ENOMEM)
			goto oom;
		if (rc) {
			complain("%s", err.msg);
			return 1;
		}
	}
	if (name)
		s->label = substitute(name, o, values);
	else if (o->shell && line)
		s->label = strdup(line);
	else
		s->label = make_label(s->cmd.argv, s->cmd.argc);
	/* hyperfine writes the command as typed, quotes and all. */
	s->command = name ? strdup(s->label) : line ? line : strdup(s->label);
	if (s->command == line)
		line = NULL;
	free(line);
	if (!s->label || !s->command)
		goto oom;
	if ((rc = companion(&s->prep, !o->nprepare ? NULL : o->prepare[o->nprepare == 1 ? 0 : base],
			    "--prepare", o, values)) != 0 ||
	    (rc = companion(&s->setup, o->setup, "--setup", o, values)) != 0 ||
	    (rc = companion(&s->cleanup, o->cleanup, "--cleanup", o, values)) != 0)
		return rc;
	return 0;
oom:
	free(line);
	complain("out of memory");
	return 1;
}

/* Room for one more timed run. */
static int grow(struct subject *s)
{
	struct bench_command_result *r;
	size_t cap = s->cap ? 2 * s->cap : 16;

	if (s->n < s->cap)
		return 0;
	if (!(r = realloc(s->res, cap * sizeof(*r)))) {
		complain("out of memory for %zu runs", cap);
		return 1;
	}
	s->res = r;
	s->cap = cap;
	return 0;
}

/* One line that rewrites itself; a long command is cut so that the line
 * never wraps, which "\r" could not undo. */
static void progress(const struct subject *s, int warmup, uint64_t k,
		     uint64_t n)
{
	int cut = strlen(s->label) > 40;

	fprintf(stderr, "\r\033[Kbench exec: %s %llu of %llu: %.*s%s",
		warmup ? "warmup" : "run", (unsigned long long)k + 1,
		(unsigned long long)n, cut ? 37 : 40, s->label,
		cut ? "..." : "");
	fflush(stderr);
}

static void clear_progress(int shown)
{
	if (shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
}

/*
 * Runs a --prepare, --setup or --cleanup command; it must succeed, as in
 * hyperfine, whatever --ignore-failure says: a failed preparation leaves
 * nothing worth timing. *wall_ns gets its wall time (may be NULL).
 * Returns 0 or the exit status after printing why.
 */
static int run_companion(const struct bench_command *c, const char *what,
			 const struct bench_command_opts *co, int shown,
			 bench_ns *wall_ns)
{
	struct bench_command_result res;
	struct bench_err err = { 0 };
	char how[160], *label;
	int rc;

	if (!c->argc)
		return 0;
	rc = bench_command_run(c, co, &res, &err);
	if (wall_ns)
		*wall_ns = res.wall_ns;
	bench_command_result_release(&res);
	if (rc == 0 && !bench_command_failed(&res))
		return 0;
	clear_progress(shown);
	if (rc == BENCH_ECANCELED) {
		complain("interrupted; the command was stopped and reaped, nothing written");
		return EXIT_INTERRUPTED;
	}
	if (rc) {
		complain("%s: %s", what, err.msg);
		return exit_status(rc);
	}
	label = make_label(c->argv, c->argc);
	complain("%s command '%s' %s; it must succeed (end it with '|| true' through --shell=sh to ignore that)",
		 what, label ? label : c->argv[0],
		 bench_command_describe(&res, how, sizeof(how)));
	free(label);
	return 1;
}

/* hyperfine's run count for a command whose first run (its preparation
 * included) took t_ns: enough runs to fill MIN_TIME_NS, within -m/-M. */
static uint64_t runs_for(double t_ns, const struct options *o)
{
	double fit = t_ns > 0 ? floor(MIN_TIME_NS / t_ns) : (double)BENCH_REPEAT_MAX;
	uint64_t n = fit >= (double)BENCH_REPEAT_MAX ? BENCH_REPEAT_MAX : (uint64_t)fit;

	if (n < o->min_runs)
		n = o->min_runs;
	if (o->max_runs && n > o->max_runs)
		n = o->max_runs;
	return n ? n : 1;
}

/* One run of s, warmup or timed, its --prepare first. */
static int run_once(struct subject *s, int warm, uint64_t k, uint64_t n,
		    const struct options *o,
		    const struct bench_command_opts *co, int shown)
{
	struct bench_command_result one, *res = warm ? &one : &s->res[s->n];
	struct bench_err err = { 0 };
	bench_ns prep_ns = 0;
	char how[160];
	int rc;

	if (shown)
		progress(s, warm, k, n);
	if ((rc = run_companion(&s->prep, "--prepare", co, shown, &prep_ns)) != 0)
		return rc;
	rc = bench_command_run(&s->cmd, co, res, &err);
	bench_command_result_release(res);
	if (rc == BENCH_ECANCELED) {
		clear_progress(shown);
		complain("interrupted; the command was stopped and reaped, nothing written");
		return EXIT_INTERRUPTED;
	}
	if (rc) {
		clear_progress(shown);
		complain("%s %llu of %llu: %s", warm ? "warmup run" : "run",
			 (unsigned long long)k + 1, (unsigned long long)n, err.msg);
		return exit_status(rc);
	}
	if (!warm) {
		s->n++;
		if (!s->target)
			s->target = runs_for((double)(res->wall_ns + prep_ns), o);
	}
	if (!bench_command_failed(res))
		return 0;
	if (!warm)
		s->failed++;
	if (o->ignore_failure)
		return 0;
	clear_progress(shown);
	complain("%s %llu of %llu: '%s' %s; --ignore-failure would time it anyway",
		 warm ? "warmup run" : "run", (unsigned long long)k + 1,
		 (unsigned long long)(n ? n : 1), s->label,
		 bench_command_describe(res, how, sizeof(how)));
	return 1;
}

/*
 * Every --setup, the warmup, the timed runs, every --cleanup; the
 * commands in turn run by run. A command whose count follows the time
 * (-m, -M) learns it from its first timed run and drops out of the
 * rounds when it has them. Returns 0 or the exit status after printing
 * the one line that says why it stopped.
 */
static int measure(struct subject *subj, size_t nsubj,
		   const struct options *o)
{
	struct bench_command_opts co = { 0 };
	int shown = !o->show_output && isatty(STDERR_FILENO), rc;

	if (o->show_output) {
		co.stream[1] = BENCH_STREAM_INHERIT;
		co.stream[2] = BENCH_STREAM_INHERIT;
	}
	for (size_t i = 0; i < nsubj; i++) {
		subj[i].target = o->bounds_given ? 0 : o->runs;
		if ((rc = run_companion(&subj[i].setup, "--setup", &co, shown, NULL)) != 0)
			return rc;
	}
	for (uint64_t r = 0; r < o->warmup; r++)
		for (size_t i = 0; i < nsubj; i++)
			if ((rc = run_once(&subj[i], 1, r, o->warmup, o, &co, shown)) != 0)
				return rc;
	for (int more = 1; more;) {
		more = 0;
		for (size_t i = 0; i < nsubj; i++) {
			struct subject *s = &subj[i];

			if (s->target && s->n >= s->target)
				continue;
			more = 1;
			if ((rc = grow(s)) != 0 ||
			    (rc = run_once(s, 0, s->n, s->target, o, &co, shown)) != 0)
				return rc;
		}
	}
	for (size_t i = 0; i < nsubj; i++)
		if ((rc = run_companion(&subj[i].cleanup, "--cleanup", &co, shown, NULL)) != 0)
			return rc;
	clear_progress(shown);
	return 0;
}

static double median_of(const struct subject *s, int sys)
{
	double *v = malloc(s->n * sizeof(*v)), m;

	if (!v)
		return NAN;
	for (size_t k = 0; k < s->n; k++)
		v[k] = (double)(sys ? s->res[k].sys_ns : s->res[k].user_ns);
	m = bench_stats_median(v, s->n);
	free(v);
	return m;
}

static int summarize(struct subject *s)
{
	s->wall = calloc(s->n, sizeof(*s->wall));
	s->outlier = calloc(s->n, sizeof(*s->outlier));
	if (!s->wall || !s->outlier) {
		complain("out of memory computing statistics");
		return 1;
	}
	for (size_t k = 0; k < s->n; k++) {
		s->wall[k] = (double)s->res[k].wall_ns;
		if (s->res[k].maxrss_kb > s->maxrss_kb)
			s->maxrss_kb = s->res[k].maxrss_kb;
	}
	s->user_median = median_of(s, 0);
	s->sys_median = median_of(s, 1);
	if (bench_stats_compute(s->wall, s->n, &s->stats, s->outlier) != 0 ||
	    isnan(s->user_median) || isnan(s->sys_median)) {
		complain("out of memory computing statistics");
		return 1;
	}
	return 0;
}

/* "95% CI" for an interval of at least 95% (order statistics give a
 * little more), else the confidence few runs allow, "75% CI". */
static void ci_name(double level, char *buf, size_t len)
{
	snprintf(buf, len, "%.0f%% CI", level >= 0.95 ? 95 : floor(level * 100));
}

/* Like format_ns(), but a plain "0" for nothing measured. */
static void format_time(double ns, char *buf, size_t len)
{
	if (ns == 0)
		snprintf(buf, len, "0");
	else
		format_ns(ns, buf, len);
}

/* ------------------------------------------------------------------ */
/* The comparisons, in words                                            */

/* Command b against command a: two commands compare #2 with #1; more
 * compare the one with the lowest median with each of the others, as
 * hyperfine's summary does. */
struct comparison {
	size_t a, b;             /* subjects compared */
	struct bench_compare c;
	enum bench_verdict v;
	int faster;              /* 0: a, 1: b, -1: no verdict */
	double factor;           /* how many times faster (>= 1) */
	double factor_low, factor_high;
	char summary[1024];
};

static int compare(const struct subject *subj, struct comparison *cmp)
{
	const struct subject *a = &subj[cmp->a], *b = &subj[cmp->b];
	struct bench_compare *c = &cmp->c;
	const struct subject *fast;
	char level[32];

	if (bench_compare_samples(a->wall, a->n, b->wall, b->n, 0.95, c) != 0) {
		complain("cannot compare the commands' times");
		return 1;
	}
	cmp->v = bench_compare_verdict(c, ALPHA);
	ci_name(c->ci_level, level, sizeof(level));
	if (cmp->v == BENCH_SAME) {
		cmp->faster = -1;
		cmp->factor = cmp->factor_low = cmp->factor_high = NAN;
		snprintf(cmp->summary, sizeof(cmp->summary),
			 "no significant difference between #%zu '%s' and #%zu '%s' (medians #%zu/#%zu = %.3f, %s %.3f-%.3f, p = %.2g)",
			 cmp->a + 1, a->label, cmp->b + 1, b->label, cmp->b + 1,
			 cmp->a + 1, c->ratio, level, c->ratio_low,
			 c->ratio_high, c->p_value);
		return 0;
	}
	/* ratio = median(b) / median(a): above 1, a is the faster. */
	if (cmp->v == BENCH_SLOWER) {
		cmp->faster = 0;
		cmp->factor = c->ratio;
		cmp->factor_low = c->ratio_low;
		cmp->factor_high = c->ratio_high;
	} else {
		cmp->faster = 1;
		cmp->factor = 1 / c->ratio;
		cmp->factor_low = 1 / c->ratio_high;
		cmp->factor_high = 1 / c->ratio_low;
	}
	fast = cmp->faster ? b : a;
	snprintf(cmp->summary, sizeof(cmp->summary),
		 "'%s' is %.2fx faster than '%s' (%s %.2fx-%.2fx, p = %.2g)",
		 fast->label, cmp->factor, (fast == a ? b : a)->label,
		 level, cmp->factor_low, cmp->factor_high, c->p_value);
	return 0;
}

/* Fills cmp[] (nsubj - 1 of them). Returns 0 or 1 after an error. */
static int compare_all(const struct subject *subj, size_t nsubj,
		       struct comparison *cmp)
{
	size_t ref = 0, k = 0;

	if (nsubj > 2)
		for (size_t i = 1; i < nsubj; i++)
			if (subj[i].stats.median < subj[ref].stats.median)
				ref = i;
	for (size_t i = 0; i < nsubj; i++) {
		if (i == ref)
			continue;
		cmp[k].a = ref;
		cmp[k].b = i;
		if (compare(subj, &cmp[k++]) != 0)
			return 1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Table                                                                */

static void format_kib(uint64_t kib, char *buf, size_t len)
{
	if (kib >= 1024 * 1024)
		snprintf(buf, len, "%.2f GiB", (double)kib / (1024.0 * 1024.0));
	else if (kib >= 1024)
		snprintf(buf, len, "%.2f MiB", (double)kib / 1024.0);
	else
		snprintf(buf, len, "%llu KiB", (unsigned long long)kib);
}

/* How many timed runs failed, grouped by how they ended. */
static void write_failures(FILE *f, const struct subject *s, size_t n)
{
	char seen[8][160];
	size_t count[8] = { 0 }, kinds = 0, other = 0;

	fprintf(f, "  failed    %zu of %zu runs:", s->failed, n);
	for (size_t k = 0; k < n; k++) {
		char how[160];
		size_t i;

		if (!bench_command_failed(&s->res[k]))
			continue;
		bench_command_describe(&s->res[k], how, sizeof(how));
		for (i = 0; i < kinds && strcmp(seen[i], how) != 0; i++)
			;
		if (i == kinds && kinds < sizeof(count) / sizeof(*count))
			memcpy(seen[kinds++], how, sizeof(how));
		if (i < kinds)
			count[i]++;
		else
			other++;
	}
	/* "3 exited with status 1", "1 killed by signal SIGKILL (Killed)" */
	for (size_t i = 0; i < kinds; i++)
		fprintf(f, "%s %zu %s", i ? "," : "", count[i],
			seen[i] + (strncmp(seen[i], "was ", 4) == 0 ? 4 : 0));
	if (other)
		fprintf(f, ", %zu ended otherwise", other);
	fputc('\n', f);
}

static void write_outliers(FILE *f, const struct subject *s, size_t n)
{
	size_t listed = 0;

	fprintf(f, "  outliers  ");
	if (s->stats.outliers == 0) {
		fprintf(f, "none%s\n", n < BENCH_OUTLIER_MIN_N ?
			" (too few runs to tell)" : "");
		return;
	}
	fprintf(f, "%zu of %zu (the median shrugs them off):", s->stats.outliers, n);
	for (size_t k = 0; k < n; k++) {
		char t[32];

		if (!s->outlier[k])
			continue;
		if (listed++ == 5) {
			fputs(" ...", f);
			break;
		}
		format_ns(s->wall[k], t, sizeof(t));
		fprintf(f, "%s run %zu (%s)", listed > 1 ? "," : "", k + 1, t);
	}
	fputc('\n', f);
}

static void write_subject(FILE *f, const struct subject *s, size_t idx,
			  size_t nsubj)
{
	size_t n = s->n;
	const struct bench_stats *st = &s->stats;
	const char *unit;
	double div = ns_unit(st->median, &unit);
	int prec = st->median / div >= 100 ? 1 : st->median / div >= 10 ? 2 : 3;
	char user[32], sys[32], rss[32], level[32];

	if (nsubj > 1)
		fprintf(f, "#%zu ", idx + 1);
	fprintf(f, "%s\n", s->label);
	ci_name(st->ci_level, level, sizeof(level));
	fprintf(f, "  wall      median %.*f %s, %s %.*f-%.*f %s\n",
		prec, st->median / div, unit, level, prec, st->ci_low / div, prec, st->ci_high / div, unit);
	fprintf(f, "            min %.*f, max %.*f, mean %.*f +- %.*f %s\n",
		prec, st->min / div, prec, st->max / div, prec, st->mean / div,
		prec, st->stddev / div, unit);
	format_time(s->user_median, user, sizeof(user));
	format_time(s->sys_median, sys, sizeof(sys));
	format_kib(s->maxrss_kb, rss, sizeof(rss));
	fprintf(f, "  CPU       user %s, sys %s (medians)\n", user, sys);
	fprintf(f, "  memory    peak RSS %s (largest run)\n", rss);
	write_outliers(f, s, n);
	if (s->failed)
		write_failures(f, s, n);
}

static int exec_table(FILE *f, const struct subject *subj, size_t nsubj,
		       const struct options *o, const struct comparison *cmp)
{
	struct bench_context ctx;
	size_t n = subj[0].n, most = subj[0].n;
	int few = 0, notes = 0;
	char runs[64];

	for (size_t i = 1; i < nsubj; i++) {
		n = subj[i].n < n ? subj[i].n : n;
		most = subj[i].n > most ? subj[i].n : most;
	}
	if (n == most)
		snprintf(runs, sizeof(runs), "%zu run%s", n, n == 1 ? "" : "s");
	else
		snprintf(runs, sizeof(runs), "%zu-%zu runs", n, most);
	bench_context_get(&ctx);
	fprintf(f, "%s of %s after %llu warmup%s%s; %s%s%s, output %s\n",
		runs,
		nsubj > 1 ? "each command" : "the command",
		(unsigned long long)o->warmup, o->warmup == 1 ? "" : "s",
		nsubj > 1 ? ", commands in turn" : "",
		o->shell ? "through " : "fork and exec, no shell",
		o->shell ? o->shell : "", o->shell ? " -c" : "",
		o->show_output ? "shown" : "discarded");
	fprintf(f, "%u CPUs (%s), %s build\n", ctx.cpus, ctx.cpu_model,
		ctx.build);
	for (size_t i = 0; i < nsubj; i++) {
		fputc('\n', f);
		write_subject(f, &subj[i], i, nsubj);
		few |= subj[i].stats.ci_level < 0.95;
	}
	if (nsubj > 1)
		fputc('\n', f);
	for (size_t i = 0; i + 1 < nsubj; i++)
		fprintf(f, "%s\n", cmp[i].summary);
	for (size_t i = 0; i < nsubj; i++) {
		const struct bench_stats *st = &subj[i].stats;
		double half = (st->ci_high - st->ci_low) / 2 / st->median;

		if (st->ci_level < 0.95 || half <= BENCH_WIDE_SPREAD)
			continue;
		fprintf(f, "%swarning: spread too wide to trust for ",
			notes++ ? "" : "\n");
		if (nsubj > 1)
			fprintf(f, "#%zu ", i + 1);
		fprintf(f, "'%s' (95%% CI of the median +-%.1f%%); close other programs or raise --runs\n",
			subj[i].label, half * 100);
	}
	if (few)
		fprintf(f, "%snote: %zu run%s per command give%s less than 95%% confidence in the interval; use --runs 6 or more\n",
			notes++ ? "" : "\n", n, n == 1 ? "" : "s",
			n == 1 ? "s" : "");
	return ferror(f) ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* JSON: the bench.exec/1 document                                      */

static json_t *real_or_null(double v)
{
	return isnan(v) || isinf(v) ? json_null() : json_real(v);
}

static json_t *context_json(void)
{
	struct bench_context c;

	bench_context_get(&c);
	return json_pack("{s:s, s:s, s:i, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
			 "host", c.host, "cpu_model", c.cpu_model,
			 "cpus", (int)c.cpus, "cpus_online", (int)c.cpus_online,
			 "kernel", c.kernel, "compiler", c.compiler,
			 "cflags", c.cflags, "build", c.build,
			 "bench", c.version, "git", c.git, "date", c.date);
}

static json_t *parameters_json(const struct subject *s, const struct options *o)
{
	json_t *p = json_object();

	for (size_t v = 0; p && v < o->nvars; v++)
		json_object_set_new(p, o->vars[v].name, json_string(s->values[v]));
	return p;
}

static json_t *subject_json(const struct subject *s, const struct options *o)
{
	const struct bench_stats *st = &s->stats;
	json_t *argv = json_array(), *wall = json_array(), *user = json_array(),
	       *sys = json_array(), *rss = json_array(), *codes = json_array(),
	       *outliers = json_array(), *obj;

	for (size_t i = 0; i < s->cmd.argc; i++)
		json_array_append_new(argv, json_string(s->cmd.argv[i]));
	for (size_t k = 0; k < s->n; k++) {
		const struct bench_command_result *r = &s->res[k];

		json_array_append_new(wall, json_integer((json_int_t)r->wall_ns));
		json_array_append_new(user, json_integer((json_int_t)r->user_ns));
		json_array_append_new(sys, json_integer((json_int_t)r->sys_ns));
		json_array_append_new(rss, json_integer((json_int_t)r->maxrss_kb));
		json_array_append_new(codes, json_integer(r->exited ? r->exit_code :
							  -r->signal));
		if (s->outlier[k])
			json_array_append_new(outliers, json_integer((json_int_t)k));
	}
	obj = json_pack("{s:o, s:s, s:s, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:I}",
			"command", argv, "name", s->label, "path", s->cmd.path,
			"runs", (json_int_t)s->n, "warmup", (json_int_t)o->warmup,
			"wall_ns", wall, "user_ns", user, "sys_ns", sys,
			"maxrss_kb", rss, "exit_codes", codes,
			"failed", (json_int_t)s->failed);
	if (!obj)
		return NULL;
	if (o->nvars)
		json_object_set_new(obj, "parameters", parameters_json(s, o));
	json_object_set_new(obj, "median_ns", real_or_null(st->median));
	json_object_set_new(obj, "ci_low_ns", real_or_null(st->ci_low));
	json_object_set_new(obj, "ci_high_ns", real_or_null(st->ci_high));
	json_object_set_new(obj, "ci_level", real_or_null(st->ci_level));
	json_object_set_new(obj, "min_ns", real_or_null(st->min));
	json_object_set_new(obj, "max_ns", real_or_null(st->max));
	json_object_set_new(obj, "mean_ns", real_or_null(st->mean));
	json_object_set_new(obj, "stddev_ns", real_or_null(st->stddev));
	json_object_set_new(obj, "cv", real_or_null(st->cv));
	json_object_set_new(obj, "mad_ns", real_or_null(st->mad));
	json_object_set_new(obj, "outliers", outliers);
	json_object_set_new(obj, "user_median_ns", real_or_null(s->user_median));
	json_object_set_new(obj, "sys_median_ns", real_or_null(s->sys_median));
	json_object_set_new(obj, "maxrss_max_kb", json_integer((json_int_t)s->maxrss_kb));
	return obj;
}

static json_t *comparison_json(const struct comparison *cmp)
{
	const struct bench_compare *c = &cmp->c;

	return json_pack("{s:[I,I], s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:f, s:o, s:o, s:o, s:o, s:s}",
			 "commands", (json_int_t)cmp->a, (json_int_t)cmp->b,
			 "ratio_of", cmp->a == 0 && cmp->b == 1 ?
				"median of commands[1] / median of commands[0]" :
				"median of commands[b] / median of commands[a], [a, b] = commands",
			 "ratio", real_or_null(c->ratio),
			 "ratio_ci_low", real_or_null(c->ratio_low),
			 "ratio_ci_high", real_or_null(c->ratio_high),
			 "ci_level", real_or_null(c->ci_level),
			 "u", real_or_null(c->u),
			 "p_value", real_or_null(c->p_value),
			 "exact_p", c->exact, "alpha", ALPHA,
			 /* 0: the first of the two, 1: the second */
			 "faster", cmp->faster < 0 ? json_null() : json_integer(cmp->faster),
			 "times_faster", real_or_null(cmp->factor),
			 "times_faster_ci_low", real_or_null(cmp->factor_low),
			 "times_faster_ci_high", real_or_null(cmp->factor_high),
			 "summary", cmp->summary);
}

static json_t *comparisons_json(const struct comparison *cmp, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, comparison_json(&cmp[i]));
	return a;
}

static int exec_json(FILE *f, const struct subject *subj, size_t nsubj,
		      const struct options *o, const struct comparison *cmp)
{
	json_t *doc, *cmds = json_array();
	char *text = NULL;
	int whole = cmds != NULL, same = 1;

	for (size_t i = 0; whole && i < nsubj; i++) {
		whole = json_array_append_new(cmds, subject_json(&subj[i], o)) == 0;
		same &= subj[i].n == subj[0].n;
	}
	if (!whole) {
		json_decref(cmds);
		cmds = NULL;
	}
	/* "comparison" is the one of two commands, as before; "comparisons"
	 * holds them all (the fastest against each other with three or
	 * more). */
	doc = !cmds ? NULL : json_pack("{s:s, s:o, s:I, s:o, s:b, s:b, s:o, s:o, s:o}",
			"schema", "bench.exec/1", "context", context_json(),
			"warmup", (json_int_t)o->warmup,
			"runs", same ? json_integer((json_int_t)subj[0].n) : json_null(),
			"ignore_failure", o->ignore_failure,
			"output_shown", o->show_output, "commands", cmds,
			"comparison", nsubj == 2 ? comparison_json(cmp) : json_null(),
			"comparisons", comparisons_json(cmp, nsubj - 1));
	text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(12)) : NULL;
	json_decref(doc);
	if (!text) {
		complain("cannot build the JSON document (out of memory)");
		return -1;
	}
	fputs(text, f);
	fputc('\n', f);
	free(text);
	return ferror(f) ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* hyperfine's export files                                             */

/* bench's figures for one result of --export-json, under "bench". */
static json_t *extra_json(const struct subject *s, const struct options *o)
{
	const struct bench_stats *st = &s->stats;
	json_t *argv = json_array(), *rss = json_array(), *sig = json_array(),
	       *outliers = json_array();

	for (size_t i = 0; i < s->cmd.argc; i++)
		json_array_append_new(argv, json_string(s->cmd.argv[i]));
	for (size_t k = 0; k < s->n; k++) {
		json_array_append_new(rss, json_integer((json_int_t)s->res[k].maxrss_kb));
		json_array_append_new(sig, json_integer(s->res[k].signal));
		if (s->outlier[k])
			json_array_append_new(outliers, json_integer((json_int_t)k));
	}
	return json_pack("{s:o, s:I, s:o, s:o, s:o, s:o, s:I, s:o, s:o, s:I}",
			 "argv", argv, "warmup", (json_int_t)o->warmup,
			 "median_ci_low", real_or_null(st->ci_low / 1e9),
			 "median_ci_high", real_or_null(st->ci_high / 1e9),
			 "ci_level", real_or_null(st->ci_level),
			 "maxrss_kb", rss,
			 "maxrss_max_kb", (json_int_t)s->maxrss_kb,
			 "signals", sig, "outliers", outliers,
			 "failed", (json_int_t)s->failed);
}

/* Writes one export file with fn(rows); json gets top. */
static int write_export(const char *path, int kind,
			const struct exec_export_row *rows, size_t nrows,
			json_t *top)
{
	struct out out;
	int rc;

	if (!path)
		return 0;
	if (out_open(&out, path) != 0)
		return 1;
	rc = kind == 0 ? exec_export_json(out.f, rows, nrows, top) :
	     kind == 1 ? exec_export_csv(out.f, rows, nrows) :
	     exec_export_markdown(out.f, rows, nrows);
	if (rc != 0) {
		out_fail(&out);
		return 1;
	}
	return out_commit(&out) == 0 ? 0 : 1;
}

static int write_exports(const struct subject *subj, size_t nsubj,
			 const struct options *o, const struct comparison *cmp)
{
	struct exec_export_row *rows;
	const char *names[VARS_MAX];
	json_t *top;
	int rc = 0;

	if (!o->export_json && !o->export_csv && !o->export_md)
		return 0;
	if (!(rows = calloc(nsubj, sizeof(*rows)))) {
		complain("out of memory");
		return 1;
	}
	for (size_t v = 0; v < o->nvars; v++)
		names[v] = o->vars[v].name;
	for (size_t i = 0; i < nsubj; i++) {
		rows[i].command = subj[i].command;
		rows[i].runs = subj[i].res;
		rows[i].n = subj[i].n;
		rows[i].param_names = names;
		rows[i].param_values = subj[i].values;
		rows[i].nparams = o->nvars;
		rows[i].bench = o->export_json ? extra_json(&subj[i], o) : NULL;
	}
	top = !o->export_json ? NULL :
	      json_pack("{s:s, s:o, s:b, s:o}", "schema", "bench.exec.hyperfine/1",
			"context", context_json(), "interleaved", nsubj > 1,
			"comparisons", comparisons_json(cmp, nsubj - 1));
	rc = write_export(o->export_json, 0, rows, nsubj, top) ||
	     write_export(o->export_csv, 1, rows, nsubj, NULL) ||
	     write_export(o->export_md, 2, rows, nsubj, NULL);
	json_decref(top);
	for (size_t i = 0; i < nsubj; i++)
		json_decref(rows[i].bench);
	free(rows);
	return rc;
}

/* ------------------------------------------------------------------ */

static int write_output(const struct subject *subj, size_t nsubj,
			const struct options *o, const struct comparison *cmp)
{
	struct out out;
	int rc;

	if (write_exports(subj, nsubj, o, cmp) != 0)
		return 1;
	if (out_open(&out, o->output) != 0)
		return 1;
	if (o->format == FMT_JSON)
		rc = exec_json(out.f, subj, nsubj, o, cmp);
	else
		rc = exec_table(out.f, subj, nsubj, o, cmp);
	if (rc != 0 || bench_canceled()) {
		out_abort(&out);
		if (bench_canceled()) {
			complain("interrupted, nothing written");
			return EXIT_INTERRUPTED;
		}
		return 1;
	}
	return out_commit(&out) == 0 ? 0 : 1;
}

/* ------------------------------------------------------------------ */
/* Options                                                              */

static void options_release(struct options *o)
{
	for (size_t v = 0; v < o->nvars; v++) {
		for (size_t k = 0; k < o->vars[v].nvalues; k++)
			free(o->vars[v].values[k]);
		free(o->vars[v].values);
	}
	free(o->prepare);
	free(o->names);
	free(o->texts);
}

/* A new variable named name; NULL after printing the error. */
static struct variable *new_variable(struct options *o, const char *flag,
				     const char *name)
{
	if (!*name || strpbrk(name, "{}")) {
		usage_error("exec", "%s '%s': expected a variable name, used as {NAME} in the commands",
			    flag, name);
		return NULL;
	}
	for (size_t v = 0; v < o->nvars; v++)
		if (strcmp(o->vars[v].name, name) == 0) {
			usage_error("exec", "%s '%s': the variable is defined twice", flag, name);
			return NULL;
		}
	if (o->nvars == VARS_MAX) {
		usage_error("exec", "%s '%s': at most %d variables", flag, name, VARS_MAX);
		return NULL;
	}
	o->vars[o->nvars].name = name;
	return &o->vars[o->nvars++];
}

static int add_value(struct variable *v, const char *text, size_t len)
{
	char **a = realloc(v->values, (v->nvalues + 1) * sizeof(*a));

	if (!a)
		return -1;
	v->values = a;
	if (!(a[v->nvalues] = malloc(len + 1)))
		return -1;
	memcpy(a[v->nvalues], text, len);
	a[v->nvalues++][len] = '\0';
	return 0;
}

/* -L VAR a,b,c */
static int parameter_list(struct options *o, const char *name,
			  const char *values)
{
	struct variable *v = new_variable(o, "--parameter-list", name);

	if (!v)
		return EXIT_USAGE;
	for (const char *p = values;; p++) {
		size_t len = strcspn(p, ",");

		if (add_value(v, p, len) != 0) {
			complain("out of memory");
			return 1;
		}
		p += len;
		if (!*p)
			break;
	}
	return 0;
}

/* A whole number for -P or -D. */
static int parse_i64(const char *flag, const char *what, const char *text,
		     long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(text, &end, 10);
	if (!*text || *end || errno)
		return usage_error("exec", "%s %s '%s': expected a whole number", flag, what, text);
	return 0;
}

/* -P VAR MIN MAX [-D STEP], once the options are all read. */
static int parameter_scan(struct options *o)
{
	struct variable *v;
	long long lo, hi, step = 1;
	char num[32];

	if (!o->scan[0]) {
		if (o->step)
			return usage_error("exec", "--parameter-step-size '%s': only with --parameter-scan",
					   o->step);
		return 0;
	}
	if (o->nvars)
		return usage_error("exec", "--parameter-scan: not with --parameter-list; use one or the other");
	if (parse_i64("--parameter-scan", "MIN", o->scan[1], &lo) ||
	    parse_i64("--parameter-scan", "MAX", o->scan[2], &hi) ||
	    (o->step && parse_i64("--parameter-step-size", "", o->step, &step)))
		return EXIT_USAGE;
	if (step <= 0)
		return usage_error("exec", "--parameter-step-size '%s': expected a step above 0", o->step);
	if (lo > hi)
		return usage_error("exec", "--parameter-scan %s %s %s: expected MIN no larger than MAX",
				   o->scan[0], o->scan[1], o->scan[2]);
	if ((double)hi - (double)lo >= (double)SCAN_MAX * (double)step)
		return usage_error("exec", "--parameter-scan %s %s %s: more than %d values",
				   o->scan[0], o->scan[1], o->scan[2], SCAN_MAX);
	if (!(v = new_variable(o, "--parameter-scan", o->scan[0])))
		return EXIT_USAGE;
	for (long long x = lo; x <= hi; x += step) {
		snprintf(num, sizeof(num), "%lld", x);
		if (add_value(v, num, strlen(num)) != 0) {
			complain("out of memory");
			return 1;
		}
		if (hi - x < step)
			break;
	}
	return 0;
}

/* Appends text to a list that grows with each -p, -n or command. */
static int push(const char ***list, size_t *n, const char *text)
{
	const char **a = realloc(*list, (*n + 1) * sizeof(*a));

	if (!a) {
		complain("out of memory");
		return 1;
	}
	a[(*n)++] = text;
	*list = a;
	return 0;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	const char *cmd = "exec";
	int c, rc;

	opterr = 0;
	optind = 1;
	/* '-': operands come back in order as code 1, so hyperfine's
	 * 'CMD1' 'CMD2' mix with options as in hyperfine, and "--" still
	 * ends the options: what follows is one command, word for word. */
	while ((c = getopt_long(argc, argv, "-:w:r:m:M:p:s:c:P:D:L:S:Nn:if:o:h",
				long_opts, NULL)) != -1) {
		switch (c) {
		case 1:
			if ((rc = push(&o->texts, &o->ntexts, optarg)) != 0)
				return rc;
			break;
		case 'w':
			if (parse_u64(cmd, "--warmup", optarg, 0, BENCH_REPEAT_MAX,
				      &o->warmup))
				return EXIT_USAGE;
			break;
		case 'r':
			if (parse_u64(cmd, "--runs", optarg, 1, BENCH_REPEAT_MAX,
				      &o->runs))
				return EXIT_USAGE;
			o->runs_given = 1;
			break;
		case 'm':
			if (parse_u64(cmd, "--min-runs", optarg, 1, BENCH_REPEAT_MAX,
				      &o->min_runs))
				return EXIT_USAGE;
			o->bounds_given = 1;
			break;
		case 'M':
			if (parse_u64(cmd, "--max-runs", optarg, 1, BENCH_REPEAT_MAX,
				      &o->max_runs))
				return EXIT_USAGE;
			o->bounds_given = 1;
			break;
		case 'p':
			if ((rc = push(&o->prepare, &o->nprepare, optarg)) != 0)
				return rc;
			break;
		case 's':
		case 'c':
			if (c == 's' ? o->setup : o->cleanup)
				return usage_error(cmd, "%s given twice: expected one command",
						   c == 's' ? "--setup" : "--cleanup");
			*(c == 's' ? &o->setup : &o->cleanup) = optarg;
			break;
		case 'P':
			/* VAR MIN MAX: getopt gave VAR, the two values follow. */
			if (o->scan[0])
				return usage_error(cmd, "--parameter-scan given twice: expected one scan");
			if (optind + 1 >= argc || strcmp(argv[optind], "--") == 0 ||
			    strcmp(argv[optind + 1], "--") == 0)
				return usage_error(cmd, "--parameter-scan %s: expected VAR MIN MAX", optarg);
			o->scan[0] = optarg;
			o->scan[1] = argv[optind];
			o->scan[2] = argv[optind + 1];
			optind += 2;
			break;
		case 'D':
			o->step = optarg;
			break;
		case 'L':
			/* VAR VALUES: getopt gave VAR, the list follows. */
			if (optind >= argc || strcmp(argv[optind], "--") == 0)
				return usage_error(cmd, "--parameter-list %s: expected VAR VALUES, such as -L n 1,2,3",
						   optarg);
			if ((rc = parameter_list(o, optarg, argv[optind++])) != 0)
				return rc;
			break;
		case 'S':
			/* bench never needs a shell; "none" says so, as -N. */
			o->shell = strcmp(optarg, "none") == 0 ? NULL : optarg;
			if (o->shell && !*o->shell)
				return usage_error(cmd, "--shell '': expected a shell such as sh, or none");
			break;
		case 'N':
			o->shell = NULL;
			break;
		case 'n':
			if ((rc = push(&o->names, &o->nnames, optarg)) != 0)
				return rc;
			break;
		case OPT_EXPORT_JSON:
		case OPT_EXPORT_CSV:
		case OPT_EXPORT_MARKDOWN:
			if (!*optarg)
				return usage_error(cmd, "%s '': expected a file name",
						   argv[optind - 2]);
			*(c == OPT_EXPORT_JSON ? &o->export_json :
			  c == OPT_EXPORT_CSV ? &o->export_csv : &o->export_md) = optarg;
			break;
		case OPT_VS:
			o->vs = optarg;
			break;
		case 'i':
			o->ignore_failure = 1;
			break;
		case 'f':
			if (strcmp(optarg, "table") == 0)
				o->format = FMT_TABLE;
			else if (strcmp(optarg, "json") == 0)
				o->format = FMT_JSON;
			else
				return usage_error(cmd, "--format '%s': expected table or json",
						   optarg);
			break;
		case 'o':
			if (!*optarg)
				return usage_error(cmd, "--output '': expected a file name, or - for standard output");
			o->output = optarg;
			break;
		case OPT_SHOW_OUTPUT:
			o->show_output = 1;
			break;
		case 'h':
			print_help(cmd, stdout);
			return -1;
		default:
			return bad_option(cmd, argv, c);
		}
	}
	if (optind < argc) {
		o->dd_argv = argv + optind;
		o->dd_argc = (size_t)(argc - optind);
	}
	if (!o->ntexts && !o->dd_argc)
		return usage_error(cmd, "missing the command to run: bench exec [options] 'CMD' ['CMD2'...] or -- CMD [ARGS...]");
	if (o->dd_argc && !o->dd_argv[0][0])
		return usage_error(cmd, "the command to run is an empty string");
	for (size_t i = 0; i < o->ntexts; i++)
		if (!o->texts[i][0])
			return usage_error(cmd, "the command to run is an empty string");
	if (o->vs && !o->vs[strspn(o->vs, " \t\n")])
		return usage_error(cmd, "--vs '%s': expected a command, such as --vs 'gzip -1 -c data'",
				   o->vs);
	if (o->shell && o->dd_argc)
		return usage_error(cmd, "--shell %s: the command after -- runs as given; pass it as one string instead",
				   o->shell);
	if (o->runs_given && o->bounds_given)
		return usage_error(cmd, "--runs: not with --min-runs or --max-runs; use one or the other");
	if (o->max_runs && o->min_runs > o->max_runs)
		return usage_error(cmd, "--min-runs %llu: expected no more than --max-runs %llu",
				   (unsigned long long)o->min_runs,
				   (unsigned long long)o->max_runs);
	/* Without -m, hyperfine's floor of 10 runs gives way to -M. */
	if (o->bounds_given && !o->min_runs)
		o->min_runs = o->max_runs && o->max_runs < MIN_RUNS_DEFAULT ?
			      o->max_runs : MIN_RUNS_DEFAULT;
	return parameter_scan(o);
}

int cmd_exec(int argc, char **argv)
{
	struct options o = { .warmup = 1, .runs = 10, .format = FMT_TABLE };
	struct subject *subj = NULL;
	struct comparison *cmp = NULL;
	const char *values[VARS_MAX];
	size_t nbase, ncombos = 1, nsubj = 0;
	int rc;

	rc = parse_options(argc, argv, &o);
	if (rc) {
		options_release(&o);
		return rc < 0 ? 0 : rc;
	}
	nbase = o.ntexts + (o.dd_argc > 0) + (o.vs != NULL);
	if (o.nnames > nbase)
		rc = usage_error("exec", "--command-name given %zu times: expected at most %zu, one per command",
				 o.nnames, nbase);
	else if (o.nprepare > 1 && o.nprepare != nbase)
		rc = usage_error("exec", "--prepare given %zu times: expected once, or once per command (%zu)",
				 o.nprepare, nbase);
	for (size_t v = 0; v < o.nvars; v++)
		ncombos *= o.vars[v].nvalues;
	if (rc == 0 && (ncombos > SCAN_MAX || ncombos * nbase > SCAN_MAX))
		rc = usage_error("exec", "the parameters make %zu commands: expected at most %d",
				 ncombos * nbase, SCAN_MAX);
	if (rc == 0 && (out_check(o.output) != 0 || out_check(o.export_json) != 0 ||
			out_check(o.export_csv) != 0 || out_check(o.export_md) != 0))
		rc = 1;
	if (rc == 0 && (!(subj = calloc(ncombos * nbase, sizeof(*subj))) ||
			!(cmp = calloc(ncombos * nbase, sizeof(*cmp))))) {
		complain("out of memory");
		rc = 1;
	}
	/* hyperfine's order: the first variable changes fastest, and each
	 * combination runs every command. All must be runnable before any
	 * timing starts. */
	for (size_t k = 0; rc == 0 && k < ncombos; k++) {
		size_t rest = k;

		for (size_t v = 0; v < o.nvars; v++) {
			values[v] = o.vars[v].values[rest % o.vars[v].nvalues];
			rest /= o.vars[v].nvalues;
		}
		for (size_t b = 0; rc == 0 && b < nbase; b++)
			if ((rc = subject_init(&subj[nsubj], &o, b, nbase, values)) == 0)
				nsubj++;
			else
				subject_release(&subj[nsubj]);
	}
	if (rc == 0) {
		install_signal_handlers();
		rc = measure(subj, nsubj, &o);
	}
	for (size_t i = 0; rc == 0 && i < nsubj; i++)
		rc = summarize(&subj[i]);
	if (rc == 0 && nsubj > 1)
		rc = compare_all(subj, nsubj, cmp);
	if (rc == 0)
		rc = write_output(subj, nsubj, &o, cmp);
	for (size_t i = 0; i < nsubj; i++)
		subject_release(&subj[i]);
	free(subj);
	free(cmp);
	options_release(&o);
	return rc;
}
