/*
 * cmd_exec.c - `bench exec -- CMD [ARGS...]`: whole programs timed run by
 * run, without a shell, optionally against a second command (--vs).
 *
 * Each run is one bench_command_run() (bench/command.h): vfork, exec,
 * wait4. With --vs the two commands take turns run by run (A, B, A, B,
 * warmup too), so drift of the machine hits both alike, and their wall
 * times go through the Mann-Whitney U test and the distribution-free
 * interval of the ratio of medians (analysis.h), as in `bench compare`.
 *
 * How each run ended is kept, never hidden: a run that exits non-zero or
 * is killed stops the measurement with one line naming the run, unless
 * --ignore-failure, when failed runs are timed too and counted in the
 * output. In JSON, exit_codes holds the exit status of each run, or -N
 * for a run killed by signal N (Python's returncode convention).
 */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/command.h"
#include "cli.h"

#define ALPHA 0.05

enum { OPT_VS = 400, OPT_SHOW_OUTPUT };

static const struct option long_opts[] = {
	{ "warmup", required_argument, NULL, 'w' },
	{ "runs", required_argument, NULL, 'r' },
	{ "vs", required_argument, NULL, OPT_VS },
	{ "ignore-failure", no_argument, NULL, 'i' },
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "show-output", no_argument, NULL, OPT_SHOW_OUTPUT },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct options {
	uint64_t warmup;          /* untimed runs of each command */
	uint64_t runs;            /* timed runs of each command */
	const char *vs;           /* --vs text, NULL: one command */
	int ignore_failure;
	int show_output;          /* stdout and stderr not discarded */
	enum format format;       /* FMT_TABLE or FMT_JSON */
	const char *output;       /* -o FILE, NULL: stdout */
};

/* One command and what its timed runs measured. */
struct subject {
	struct bench_command cmd;
	char *label;              /* argv for messages: "sleep 0.05" */
	struct bench_command_result *res; /* one per timed run */
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
static char *make_label(const struct bench_command *c)
{
	size_t len = 1;
	char *s, *p;

	for (size_t i = 0; i < c->argc; i++)
		len += 2 * strlen(c->argv[i]) + 3;
	if (!(s = p = malloc(len)))
		return NULL;
	for (size_t i = 0; i < c->argc; i++) {
		const char *w = c->argv[i];
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
	free(s->label);
	free(s->res);
	free(s->wall);
	free(s->outlier);
}

/* Resolves the command and allocates room for its runs. Returns 0 or the
 * exit status after printing the error. */
static int subject_init(struct subject *s, char *const *argv, size_t argc,
			uint64_t runs)
{
	struct bench_err err = { 0 };

	memset(s, 0, sizeof(*s));
	if (bench_command_init(&s->cmd, argv, argc, &err) != 0) {
		complain("%s", err.msg);
		return 1;
	}
	s->label = make_label(&s->cmd);
	s->res = calloc(runs, sizeof(*s->res));
	s->wall = calloc(runs, sizeof(*s->wall));
	s->outlier = calloc(runs, sizeof(*s->outlier));
	if (!s->label || !s->res || !s->wall || !s->outlier) {
		complain("out of memory for %llu runs", (unsigned long long)runs);
		subject_release(s);
		return 1;
	}
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
 * Warmup, then the timed runs, commands in turn run by run. Returns 0 or
 * the exit status after printing the one line that says why it stopped.
 */
static int measure(struct subject *subj, size_t nsubj,
		   const struct options *o)
{
	struct bench_command_opts co = { 0 };
	int shown = !o->show_output && isatty(STDERR_FILENO);
	uint64_t rounds = o->warmup + o->runs;

	if (o->show_output) {
		co.stream[1] = BENCH_STREAM_INHERIT;
		co.stream[2] = BENCH_STREAM_INHERIT;
	}
	for (uint64_t r = 0; r < rounds; r++) {
		int warm = r < o->warmup;
		uint64_t k = warm ? r : r - o->warmup;
		uint64_t n = warm ? o->warmup : o->runs;

		for (size_t i = 0; i < nsubj; i++) {
			struct subject *s = &subj[i];
			struct bench_command_result one, *res = warm ? &one : &s->res[k];
			struct bench_err err = { 0 };
			char how[160];
			int rc;

			if (shown)
				progress(s, warm, k, n);
			rc = bench_command_run(&s->cmd, &co, res, &err);
			if (rc == BENCH_ECANCELED) {
				clear_progress(shown);
				complain("interrupted; the command was stopped and reaped, nothing written");
				return EXIT_INTERRUPTED;
			}
			if (rc) {
				clear_progress(shown);
				complain("%s %llu of %llu: %s",
					 warm ? "warmup run" : "run",
					 (unsigned long long)k + 1,
					 (unsigned long long)n, err.msg);
				return exit_status(rc);
			}
			if (!bench_command_failed(res))
				continue;
			if (!warm)
				s->failed++;
			if (o->ignore_failure)
				continue;
			clear_progress(shown);
			complain("%s %llu of %llu: '%s' %s; --ignore-failure would time it anyway",
				 warm ? "warmup run" : "run",
				 (unsigned long long)k + 1, (unsigned long long)n,
				 s->label, bench_command_describe(res, how, sizeof(how)));
			return 1;
		}
	}
	clear_progress(shown);
	return 0;
}

static double median_of(const struct subject *s, size_t n, int sys)
{
	double *v = malloc(n * sizeof(*v)), m;

	if (!v)
		return NAN;
	for (size_t k = 0; k < n; k++)
		v[k] = (double)(sys ? s->res[k].sys_ns : s->res[k].user_ns);
	m = bench_stats_median(v, n);
	free(v);
	return m;
}

static int summarize(struct subject *s, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		s->wall[k] = (double)s->res[k].wall_ns;
		if (s->res[k].maxrss_kb > s->maxrss_kb)
			s->maxrss_kb = s->res[k].maxrss_kb;
	}
	s->user_median = median_of(s, n, 0);
	s->sys_median = median_of(s, n, 1);
	if (bench_stats_compute(s->wall, n, &s->stats, s->outlier) != 0 ||
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
/* The comparison, in words                                             */

struct comparison {
	struct bench_compare c;
	enum bench_verdict v;
	int faster;              /* subject that is faster, -1: no verdict */
	double factor;           /* how many times faster (>= 1) */
	double factor_low, factor_high;
	char summary[1024];
};

static int compare(const struct subject *subj, size_t n,
		   struct comparison *cmp)
{
	const struct subject *a = &subj[0], *b = &subj[1];
	struct bench_compare *c = &cmp->c;
	char level[32];

	if (bench_compare_samples(a->wall, n, b->wall, n, 0.95, c) != 0) {
		complain("cannot compare the two commands' times");
		return 1;
	}
	cmp->v = bench_compare_verdict(c, ALPHA);
	ci_name(c->ci_level, level, sizeof(level));
	if (cmp->v == BENCH_SAME) {
		cmp->faster = -1;
		cmp->factor = cmp->factor_low = cmp->factor_high = NAN;
		snprintf(cmp->summary, sizeof(cmp->summary),
			 "no significant difference between #1 '%s' and #2 '%s' (medians #2/#1 = %.3f, %s %.3f-%.3f, p = %.2g)",
			 a->label, b->label, c->ratio, level, c->ratio_low,
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
	snprintf(cmp->summary, sizeof(cmp->summary),
		 "'%s' is %.2fx faster than '%s' (%s %.2fx-%.2fx, p = %.2g)",
		 subj[cmp->faster].label, cmp->factor, subj[!cmp->faster].label,
		 level, cmp->factor_low, cmp->factor_high, c->p_value);
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
			  size_t nsubj, size_t n)
{
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
	size_t n = (size_t)o->runs;
	int few = 0, notes = 0;

	bench_context_get(&ctx);
	fprintf(f, "%llu run%s of %s after %llu warmup%s%s; fork and exec, no shell, output %s\n",
		(unsigned long long)o->runs, o->runs == 1 ? "" : "s",
		nsubj > 1 ? "each command" : "the command",
		(unsigned long long)o->warmup, o->warmup == 1 ? "" : "s",
		nsubj > 1 ? ", commands in turn" : "",
		o->show_output ? "shown" : "discarded");
	fprintf(f, "%u CPUs (%s), %s build\n", ctx.cpus, ctx.cpu_model,
		ctx.build);
	for (size_t i = 0; i < nsubj; i++) {
		fputc('\n', f);
		write_subject(f, &subj[i], i, nsubj, n);
		few |= subj[i].stats.ci_level < 0.95;
	}
	if (cmp)
		fprintf(f, "\n%s\n", cmp->summary);
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

static json_t *subject_json(const struct subject *s, size_t n,
			    const struct options *o)
{
	const struct bench_stats *st = &s->stats;
	json_t *argv = json_array(), *wall = json_array(), *user = json_array(),
	       *sys = json_array(), *rss = json_array(), *codes = json_array(),
	       *outliers = json_array(), *obj;

	for (size_t i = 0; i < s->cmd.argc; i++)
		json_array_append_new(argv, json_string(s->cmd.argv[i]));
	for (size_t k = 0; k < n; k++) {
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
	obj = json_pack("{s:o, s:s, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:I}",
			"command", argv, "path", s->cmd.path,
			"runs", (json_int_t)n, "warmup", (json_int_t)o->warmup,
			"wall_ns", wall, "user_ns", user, "sys_ns", sys,
			"maxrss_kb", rss, "exit_codes", codes,
			"failed", (json_int_t)s->failed);
	if (!obj)
		return NULL;
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

	return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:f, s:o, s:o, s:o, s:o, s:s}",
			 "ratio_of", "median of commands[1] / median of commands[0]",
			 "ratio", real_or_null(c->ratio),
			 "ratio_ci_low", real_or_null(c->ratio_low),
			 "ratio_ci_high", real_or_null(c->ratio_high),
			 "ci_level", real_or_null(c->ci_level),
			 "u", real_or_null(c->u),
			 "p_value", real_or_null(c->p_value),
			 "exact_p", c->exact, "alpha", ALPHA,
			 "faster", cmp->faster < 0 ? json_null() : json_integer(cmp->faster),
			 "times_faster", real_or_null(cmp->factor),
			 "times_faster_ci_low", real_or_null(cmp->factor_low),
			 "times_faster_ci_high", real_or_null(cmp->factor_high),
			 "summary", cmp->summary);
}

static int exec_json(FILE *f, const struct subject *subj, size_t nsubj,
		      const struct options *o, const struct comparison *cmp)
{
	json_t *doc, *cmds = json_array();
	char *text = NULL;
	int whole = cmds != NULL;

	for (size_t i = 0; whole && i < nsubj; i++)
		whole = json_array_append_new(cmds, subject_json(&subj[i],
								 (size_t)o->runs, o)) == 0;
	if (!whole) {
		json_decref(cmds);
		cmds = NULL;
	}
	doc = !cmds ? NULL : json_pack("{s:s, s:o, s:I, s:I, s:b, s:b, s:o, s:o}",
			"schema", "bench.exec/1", "context", context_json(),
			"warmup", (json_int_t)o->warmup,
			"runs", (json_int_t)o->runs,
			"ignore_failure", o->ignore_failure,
			"output_shown", o->show_output, "commands", cmds,
			"comparison", cmp ? comparison_json(cmp) : json_null());
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

static int write_output(const struct subject *subj, size_t nsubj,
			const struct options *o, const struct comparison *cmp)
{
	struct out out;
	int rc;

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

static int parse_options(int argc, char **argv, struct options *o)
{
	const char *cmd = "exec";
	int c;

	opterr = 0;
	optind = 1;
	/* '+': the first operand ends the options, so CMD's own flags are
	 * never taken for ours, with or without "--". */
	while ((c = getopt_long(argc, argv, "+:w:r:if:o:h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'w':
			if (parse_u64(cmd, "--warmup", optarg, 0, BENCH_REPEAT_MAX,
				      &o->warmup))
				return EXIT_USAGE;
			break;
		case 'r':
			if (parse_u64(cmd, "--runs", optarg, 1, BENCH_REPEAT_MAX,
				      &o->runs))
				return EXIT_USAGE;
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
	if (optind >= argc)
		return usage_error(cmd, "missing the command to run: bench exec [options] -- CMD [ARGS...]");
	if (!argv[optind][0])
		return usage_error(cmd, "the command to run is an empty string");
	return 0;
}

int cmd_exec(int argc, char **argv)
{
	struct options o = { .warmup = 1, .runs = 10, .format = FMT_TABLE };
	struct subject subj[2];
	struct comparison cmp;
	char **vs_argv = NULL;
	size_t nsubj = 0;
	int rc, vs_words = 0;

	rc = parse_options(argc, argv, &o);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (o.vs) {
		vs_words = bench_command_split(o.vs, &vs_argv);
		if (vs_words < 0) {
			complain("out of memory");
			return 1;
		}
		if (vs_words == 0) {
			free(vs_argv);
			return usage_error("exec", "--vs '%s': expected a command, such as --vs 'gzip -1 -c data'",
					   o.vs);
		}
	}
	if (out_check(o.output) != 0) {
		free(vs_argv);
		return 1;
	}
	/* Both commands must be runnable before any timing starts. */
	rc = subject_init(&subj[nsubj], argv + optind, (size_t)(argc - optind), o.runs);
	if (rc == 0 && ++nsubj && o.vs &&
	    (rc = subject_init(&subj[nsubj], vs_argv, (size_t)vs_words, o.runs)) == 0)
		nsubj++;
	free(vs_argv);
	if (rc == 0) {
		install_signal_handlers();
		rc = measure(subj, nsubj, &o);
	}
	for (size_t i = 0; rc == 0 && i < nsubj; i++)
		rc = summarize(&subj[i], (size_t)o.runs);
	if (rc == 0 && nsubj == 2)
		rc = compare(subj, (size_t)o.runs, &cmp);
	if (rc == 0)
		rc = write_output(subj, nsubj, &o, nsubj == 2 ? &cmp : NULL);
	for (size_t i = 0; i < nsubj; i++)
		subject_release(&subj[i]);
	return rc;
}
