/*
 * session.c - what run, scale and complexity share once their cases are
 * set: the sampling options, running with a progress line, saving the run
 * to the results store, drawing charts, and writing the output.
 *
 * Order matters: the store is opened before the run (a read-only results
 * folder should fail in a second, not after a minute of sampling), and
 * everything after the run (saving, charts, output) happens outside the
 * timed region.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "engines/python.h"

static const struct {
	const char *name;
	int (*write)(FILE *f, const struct run_output *ro);
} formats[] = {
	[FMT_TABLE] = { "table", NULL },
	[FMT_JSON] = { "json", write_json },
	[FMT_CSV] = { "csv", write_csv },
	[FMT_MARKDOWN] = { "markdown", write_markdown },
	[FMT_GBENCH] = { "gbench", write_gbench },
	[FMT_HTML] = { "html", write_html },
};

int session_option(struct session *s, int c, const char *arg)
{
	const char *cmd = s->cmd;
	int handled = parse_workload_option(cmd, c, arg, &s->opts.params);
	uint64_t v;

	if (handled)
		return handled;
	switch (c) {
	case 'c':
	case OPT_BATCH:
		if (parse_u64(cmd, c == 'c' ? "--chunk" : "--batch", arg, 1,
			      UINT32_MAX, &v))
			return -1;
		s->opts.chunk = v;
		return 1;
	case OPT_GIL:
		/* CPython's default switch interval, sys.getswitchinterval(). */
		v = 5;
		if (arg && parse_u64(cmd, "--gil", arg, 1, 10000, &v))
			return -1;
		s->opts.gil_ns = (bench_ns)v * 1000000;
		return 1;
	case OPT_BROKER:
		if (strncmp(arg, "redis://", 8) != 0 &&
		    strncmp(arg, "unix:///", 8) != 0) {
			usage_error(cmd, "--broker '%s': expected redis://HOST:PORT/DB or unix:///PATH",
				    arg);
			return -1;
		}
		s->opts.broker = arg;
		return 1;
	case 'r':
		if (parse_u64(cmd, "--repeat", arg, 1, BENCH_REPEAT_MAX, &v))
			return -1;
		s->opts.repeat = (unsigned)v;
		return 1;
	case OPT_WARMUP:
		if (parse_u64(cmd, "--warmup", arg, 0, BENCH_REPEAT_MAX, &v))
			return -1;
		s->opts.warmup = (unsigned)v;
		s->opts.warmup_set = 1;
		return 1;
	case 'f':
		for (size_t i = 0; i < sizeof(formats) / sizeof(*formats); i++) {
			if (strcmp(arg, formats[i].name) == 0) {
				s->format = (enum format)i;
				return 1;
			}
		}
		usage_error(cmd, "--format '%s': expected table, json, csv, markdown, gbench or html",
			    arg);
		return -1;
	case 'o':
		if (!*arg) {
			usage_error(cmd, "--output '': expected a file name, or - for standard output");
			return -1;
		}
		s->output = arg;
		return 1;
	case 'q':
		s->quiet = 1;
		return 1;
	case OPT_RESULTS:
		if (!*arg) {
			usage_error(cmd, "--results '': expected the path of a results store");
			return -1;
		}
		s->results = arg;
		return 1;
	case OPT_STYLE:
		if (charts_set_style(arg) != 0) {
			usage_error(cmd, "--style '%s': expected default or slides", arg);
			return -1;
		}
		return 1;
	case OPT_HTML:
		if (!*arg) {
			usage_error(cmd, "--html '': expected a file name for the HTML page");
			return -1;
		}
		s->html = arg;
		return 1;
	case OPT_PYTHON:
		if (!*arg) {
			usage_error(cmd, "--python '': expected the path of a Python interpreter");
			return -1;
		}
		python_path = arg;
		return 1;
	case OPT_NO_SAVE:
		s->no_save = 1;
		return 1;
	case OPT_CHARTS:
		if (!*arg) {
			usage_error(cmd, "--charts '': expected a folder");
			return -1;
		}
		s->charts = arg;
		return 1;
	}
	if (c >= OPT_LAUNCH && c < OPT_LAUNCH + LAUNCH_OPTIONS_MAX) {
		static const struct option rows[] = { LAUNCH_OPTIONS };
		static char flag[32];

		s->launch_opt[c - OPT_LAUNCH] = arg;
		if (!s->launcher_flag) {
			snprintf(flag, sizeof(flag), "--%s", rows[c - OPT_LAUNCH].name);
			s->launcher_flag = flag;
		}
		return 1;
	}
	return 0;
}

int session_getopt(struct session *s, int argc, char **argv,
		   const char *shortopts, const struct option *longopts)
{
	/* The command's rows and the workloads' options, built once. */
	static struct option rows[128];
	static char shorts[64];
	int c;

	if (!s->parsing) {
		opterr = 0;
		optind = 1;
		s->parsing = 1;
		s->argc = argc;
		s->argv = argv;
		/* getopt_long reorders argv; the HTML page shows the
		 * command as it was typed. Kept for the process's life
		 * (static: one command a process). */
		static char **typed;

		free(typed);
		typed = malloc(((size_t)argc + 1) * sizeof(*typed));
		if (typed)
			memcpy(typed, argv, ((size_t)argc + 1) * sizeof(*argv));
		s->given = typed;
		if (workload_getopt_tables(longopts, shortopts, rows, 128, shorts,
					   sizeof(shorts)) != 0) {
			error("too many options");
			return -2;
		}
	}
	while ((c = getopt_long(argc, argv, shorts, rows, NULL)) != -1) {
		int handled = session_option(s, c, optarg);

		if (handled < 0)
			return -2;
		if (!handled)
			return c;
	}
	return -1;
}

static void progress(void *ud, const struct bench_progress *p)
{
	const struct session *s = ud;

	fprintf(stderr, "\r\033[Kbench %s: sample %zu of %zu%s: %s", s->cmd,
		p->sample, p->samples, p->warmup ? " (warmup)" : "",
		p->mode->name);
	if (!(p->mode->flags & BENCH_EXEC_REFERENCE))
		fprintf(stderr, " x%u", p->workers);
	if (p->engine != BENCH_ENGINE_NATIVE)
		fprintf(stderr, " (%s)", bench_engine_name(p->engine));
	if (strcmp(s->cmd, "complexity") == 0)
		fprintf(stderr, " at size %llu", (unsigned long long)p->size);
	fflush(stderr);
}

/* "thread x4", "serial n=1000": enough to tell a case from the others. */
static const char *case_label(const struct bench_report *r,
			      const struct bench_mode_result *mr, char *buf,
			      size_t len)
{
	int sizes = 0;

	for (size_t i = 0; i < r->nresults; i++)
		sizes |= r->results[i].size != mr->size;
	mode_label(mr, buf, len);
	if (!(mr->mode->flags & BENCH_EXEC_REFERENCE))
		snprintf(buf + strlen(buf), len - strlen(buf), " x%u", mr->workers);
	if (sizes)
		snprintf(buf + strlen(buf), len - strlen(buf), " n=%llu",
			 (unsigned long long)mr->size);
	return buf;
}

/* The first result whose mode has one of flags, or NULL. */
static const struct bench_mode_result *
find_mode(const struct bench_report *r, unsigned flags)
{
	for (size_t i = 0; i < r->nresults; i++)
		if (r->results[i].mode->flags & flags)
			return &r->results[i];
	return NULL;
}

static void add(char **lines, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void add(char **lines, size_t *n, const char *fmt, ...)
{
	va_list ap;

	if (*n >= MAX_WARNINGS)
		return;
	va_start(ap, fmt);
	if (vasprintf(&lines[*n], fmt, ap) >= 0)
		(*n)++;
	va_end(ap);
}

/* The report's warning flags, spelled out for a student. */
size_t report_warnings(const struct bench_report *r, char **lines)
{
	const struct bench_mode_result *async = find_mode(r, BENCH_EXEC_WAITS_ONLY);
	const struct bench_mode_result *job = find_mode(r, BENCH_EXEC_LAUNCHED);
	const struct bench_mode_result *first = r->nresults ? r->results : NULL;
	size_t n = 0;

	/* What the workload's result says, besides its checksum. */
	if (first && first->nfields) {
		char list[256] = "";

		for (unsigned k = 0; k < first->nfields; k++) {
			size_t len = strlen(list);

			snprintf(list + len, sizeof(list) - len, "%s%s %llu",
				 k ? ", " : "", r->wl->field_names[k],
				 (unsigned long long)first->fields[k]);
		}
		/* The options that say what the counts are of. */
		for (unsigned k = 0; k < r->params.nopts; k++) {
			const struct bench_param *v = &r->params.opts[k];
			size_t len = strlen(list);

			if (r->wl->options[k].flags & BENCH_OPT_IN_RESULT && v->text)
				snprintf(list + len, sizeof(list) - len, ", %s %s",
					 v->name, v->text);
		}
		add(lines, &n, "result: %s", list);
	}
	if (r->gil_ns)
		add(lines, &n, "note: --gil: thread workers took turns holding one lock, handed on every %.0f ms, as CPython's threads do; serial, process and async ran without it (each process has its own)",
		    (double)r->gil_ns / 1e6);
	if (first && first->have_result && r->wl->note) {
		char note[512];

		r->wl->note(first->result, note, sizeof(note));
		if (note[0])
			add(lines, &n, "note: %s", note);
	}

	if (job && job->mode->launch_note) {
		char t[32], note[512];

		format_ns((double)r->launch_ns, t, sizeof(t));
		snprintf(note, sizeof(note), job->mode->launch_note,
			 r->launch_ns ? t : "an unknown time");
		add(lines, &n, "note: %s", note);
	}
	/* What an executor said about its cases (mode queue: its broker,
	 * the time split, tasks redelivered after a worker died). */
	for (size_t i = 0; i < r->nresults; i++)
		if (r->results[i].note[0])
			add(lines, &n, "note: %s x%u: %s", r->results[i].mode->name,
			    r->results[i].workers, r->results[i].note);
	if (r->warnings & BENCH_WARN_BUILD)
		add(lines, &n, "warning: built as %s, not release: its timings say little about real code (build with 'make')",
		    bench_build_kind());
	if (r->warnings & BENCH_WARN_OVERSUBSCRIBED)
		add(lines, &n, "warning: more workers than the %u CPUs: only %u can compute at once, so thread and process cannot beat %ux; the rest take turns",
		    r->cpus, r->cpus, r->cpus);
	if (r->warnings & BENCH_WARN_ASYNC_CPU && async)
		add(lines, &n, "note: %s runs the CPU-bound %s tasks one at a time on one thread, so it cannot beat serial; it pays off when tasks wait (try 'bench run sleep')",
		    async->mode->name, r->wl->name);
	if (async && (r->wl->flags & BENCH_WL_WAITS) && async->workers < async->items)
		add(lines, &n, "note: %s keeps at most %u tasks in flight (--workers); --workers %llu would overlap every wait",
		    async->mode->name, async->workers,
		    (unsigned long long)async->items);
	if (r->warnings & BENCH_WARN_WIDE_SPREAD) {
		char list[512] = "";

		for (size_t i = 0; i < r->nresults; i++) {
			const struct bench_stats *s = &r->results[i].wall;
			double half = (s->ci_high - s->ci_low) / 2 / s->median;
			size_t len = strlen(list);
			char label[64];

			if (half > BENCH_WIDE_SPREAD)
				snprintf(list + len, sizeof(list) - len,
					 "%s%s +-%.1f%%", len ? ", " : "",
					 case_label(r, &r->results[i], label,
						    sizeof(label)),
					 half * 100);
		}
		add(lines, &n, "warning: spread too wide to trust (95%% CI of the median: %s); close other programs or raise --repeat",
		    list);
	}
	if (r->warnings & BENCH_WARN_OUTLIERS) {
		char list[512] = "";

		for (size_t i = 0; i < r->nresults; i++) {
			const struct bench_mode_result *mr = &r->results[i];

			for (size_t k = 0; k < mr->nsamples; k++) {
				size_t len = strlen(list);
				char t[32], label[64];

				if (!mr->outlier[k])
					continue;
				format_ns((double)mr->wall_ns[k], t, sizeof(t));
				snprintf(list + len, sizeof(list) - len,
					 "%s%s #%zu (%s)", len ? ", " : "",
					 case_label(r, mr, label, sizeof(label)),
					 k + 1, t);
			}
		}
		add(lines, &n, "note: outlier samples, which the median shrugs off: %s",
		    list);
	}
	if (r->warnings & BENCH_WARN_FEW_SAMPLES)
		add(lines, &n, "note: %u sample%s per case give%s less than 95%% confidence in the interval; use --repeat 6 or more",
		    r->repeat, r->repeat == 1 ? "" : "s",
		    r->repeat == 1 ? "s" : "");
	return n;
}


/*
 * Before a run: an existing store is opened now, so a file that is not a
 * store, or one with a newer schema, fails in a second rather than after
 * the sampling; a missing one is only checked for a folder it can go in,
 * and created after the run, so a run that fails its own checks leaves no
 * file behind. Prints one line and returns -1 on failure.
 */
static int store_precheck(const struct session *s, struct bench_store **store)
{
	const char *path = s->results ? s->results : bench_store_default_path();
	struct bench_err err = { 0 };
	char *copy, *dir, *parent = NULL;
	struct stat st;
	int rc = 0;

	*store = NULL;
	if (stat(path, &st) == 0) {
		if (bench_store_open(path, 0, store, &err) != 0) {
			error("%s; --no-save runs without saving", err.msg);
			return -1;
		}
		return 0;
	}
	if (!(copy = strdup(path)) || !(parent = strdup(path))) {
		free(copy);
		error("out of memory");
		return -1;
	}
	dir = dirname(copy);
	/* The store's own folder may be missing: bench creates that one. */
	if (stat(dir, &st) != 0)
		dir = dirname(strcpy(parent, dir));
	{
		const char *why = NULL;

		if (stat(dir, &st) != 0)
			why = strerror(errno);
		else if (!S_ISDIR(st.st_mode))
			why = "Not a directory";
		else if (access(dir, W_OK | X_OK) != 0)
			why = strerror(errno);
		if (why) {
			error("cannot create results store '%s': '%s': %s; --no-save runs without saving",
			      path, dir, why);
			rc = -1;
		}
	}
	free(copy);
	free(parent);
	return rc;
}

struct bench_store *open_store(const char *path, int create)
{
	struct bench_store *store;
	struct bench_err err = { 0 };

	if (bench_store_open(path ? path : bench_store_default_path(), create,
			     &store, &err) != 0) {
		error("%s", err.msg);
		return NULL;
	}
	return store;
}

/* The one line `bench history` shows for a run. */
static void summary(const char *kind, const struct bench_report *r,
		    char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < r->nresults && used + 1 < len; i++) {
		const struct bench_mode_result *mr = &r->results[i];
		char t[32], label[48];
		int w;

		mode_label(mr, label, sizeof(label));
		format_ns(mr->wall.median, t, sizeof(t));
		if (strcmp(kind, "complexity") == 0 && i > 0 && i + 1 < r->nresults)
			continue;
		if (strcmp(kind, "complexity") == 0)
			w = snprintf(buf + used, len - used, "%s%s n=%llu %s",
				     i ? " ... " : "", label,
				     (unsigned long long)mr->size, t);
		else if (mr->mode->flags & BENCH_EXEC_REFERENCE)
			w = snprintf(buf + used, len - used, "%s%s %s",
				     i ? ", " : "", label, t);
		else
			w = snprintf(buf + used, len - used, "%s%s x%u %.2fx",
				     i ? ", " : "", label,
				     mr->workers, mr->speedup);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	if (used >= len && len > 4)
		memcpy(buf + len - 4, "...", 4);
}

static int write_output(const struct session *s, const struct run_output *ro)
{
	int (*write)(FILE *, const struct run_output *) = formats[s->format].write;
	struct out out;

	if (s->format == FMT_TABLE)
		write = strcmp(s->cmd, "scale") == 0 ? write_scale_table :
			strcmp(s->cmd, "complexity") == 0 ? write_complexity_table :
			write_table;
	if (out_open(&out, s->output) != 0)
		return 1;
	errno = 0;
	if (bench_canceled()) {
		out_abort(&out);
		return EXIT_INTERRUPTED;
	}
	if (write(out.f, ro) != 0) {
		out_fail(&out);
		return 1;
	}
	return out_commit(&out) == 0 ? 0 : 1;
}

const struct bench_executor *session_launched(const struct session *s)
{
	for (size_t i = 0; i < s->opts.ncases; i++)
		if (s->opts.cases[i].mode->flags & BENCH_EXEC_LAUNCHED)
			return s->opts.cases[i].mode;
	for (size_t i = 0; !s->opts.ncases && i < s->opts.nmodes; i++)
		if (s->opts.modes[i]->flags & BENCH_EXEC_LAUNCHED)
			return s->opts.modes[i];
	return NULL;
}

/* Processes the job of ex needs: the most workers of any case of ex. */
static unsigned job_size(const struct session *s,
			 const struct bench_executor *ex)
{
	unsigned most = 0, dflt = s->opts.workers ? s->opts.workers : bench_cpus();

	for (size_t i = 0; i < s->opts.ncases; i++) {
		const struct bench_case *c = &s->opts.cases[i];
		unsigned w = c->workers ? c->workers : dflt;

		if (c->mode == ex && w > most)
			most = w;
	}
	return s->opts.ncases ? most : dflt;
}

/* A job's processes other than rank 0 sample their share and say
 * nothing: rank 0 reports every failure (the job's agree() brings it
 * there) and keeps the books. */
static int follow(struct session *s)
{
	struct bench_report *report = NULL;
	struct bench_err err = { 0 };
	int code = bench_run(&s->opts, &report, &err);

	bench_report_destroy(report);
	return code ? exit_status(code) : 0;
}

/* Engine python's interpreter into the context, when it ran. */
static void python_context(struct bench_context *ctx)
{
	const struct python_about *py = python_started();

	if (!py)
		return;
	snprintf(ctx->python_impl, sizeof(ctx->python_impl), "%s", py->implementation);
	snprintf(ctx->python_version, sizeof(ctx->python_version), "%s", py->version);
	snprintf(ctx->python_exe, sizeof(ctx->python_exe), "%s", py->executable);
	ctx->python_gil = py->gil;
	ctx->python_startup_ns = py->startup_ns;
}

/*
 * The notes engine python adds: its interpreter and start-up (not timed),
 * each Python case's speedup against native serial of its size (the
 * table's speedup is against its own engine's serial), with --gil where
 * to compare with the real lock, and when the interpreter has no numpy
 * what that costs. Returns the lines added (malloc'd).
 */
static size_t python_notes(const struct bench_report *r,
			   const struct bench_context *ctx, char **lines,
			   size_t room)
{
	const struct python_about *py = python_started();
	char list[512] = "", t[32];
	size_t n = 0;
	int python = 0;

	for (size_t i = 0; i < r->nresults; i++)
		python |= r->results[i].engine == BENCH_ENGINE_PYTHON;
	if (r->gil_ns && !python && room > n && python_found() &&
	    (lines[n] = strdup("note: --gil simulates CPython's lock; compare with the real one: --engine native,python")))
		n++;
	if (!python || !ctx->python_impl[0])
		return n;
	for (size_t i = 0; i < r->nresults; i++) {
		const struct bench_mode_result *mr = &r->results[i];
		const struct bench_mode_result *ref = NULL;
		char label[64];
		size_t len = strlen(list);

		for (size_t k = 0; k < r->nresults && mr->engine == BENCH_ENGINE_PYTHON; k++)
			if (r->results[k].engine == BENCH_ENGINE_NATIVE &&
			    r->results[k].mode->flags & BENCH_EXEC_REFERENCE &&
			    r->results[k].size == mr->size)
				ref = &r->results[k];
		if (ref && mr->wall.median > 0)
			snprintf(list + len, sizeof(list) - len, "%s%s %.3gx",
				 len ? ", " : "", case_label(r, mr, label, sizeof(label)),
				 ref->wall.median / mr->wall.median);
	}
	format_ns((double)ctx->python_startup_ns, t, sizeof(t));
	if (room > n && asprintf(&lines[n], "note: python: %s %s (GIL %s), %s; started in %s (not timed)",
				 ctx->python_impl, ctx->python_version,
				 ctx->python_gil ? "on" : "off", ctx->python_exe, t) >= 0)
		n++;
	if (list[0] && room > n &&
	    asprintf(&lines[n], "note: python against native serial: %s", list) >= 0)
		n++;
	if (py && !py->numpy && room > n && (lines[n] = strdup(PYTHON_NO_NUMPY_NOTE)))
		n++;
	return n;
}

/* Engines that run a mode with code of their own (engine python's
 * modules), not through bench_exec() as native, gbench and hyperfine do:
 * the only ones that run a BENCH_EXEC_FOREIGN mode. */
static int foreign_engine(enum bench_engine e)
{
	return e == BENCH_ENGINE_PYTHON;
}

/*
 * Pairs each BENCH_EXEC_FOREIGN mode with the foreign engines alone,
 * before anything is prepared or sampled: `--engine native,python --mode
 * serial,M` runs serial in both engines and M in python only. A foreign
 * mode that no engine of the command runs is a usage error. Explicit
 * cases (scale, complexity) lose their pairs of it with other engines (a
 * run's modes x engines are paired by the harness, which skips them
 * itself). The cases are kept for the process's life (one command a
 * process). Returns 0, or the exit status after one line of error.
 */
static int foreign_cases(struct session *s)
{
	static struct bench_case *kept;
	struct bench_run_opts *o = &s->opts;
	const enum bench_engine native = BENCH_ENGINE_NATIVE;
	const enum bench_engine *engines = o->nengines ? o->engines : &native;
	size_t ne = o->nengines ? o->nengines : 1;
	size_t total = o->ncases ? o->ncases : o->nmodes * ne, n = 0;
	int foreign = 0;

	for (size_t i = 0; i < o->ncases; i++)
		foreign |= !!(o->cases[i].mode->flags & BENCH_EXEC_FOREIGN);
	for (size_t i = 0; !o->ncases && i < o->nmodes; i++)
		foreign |= !!(o->modes[i]->flags & BENCH_EXEC_FOREIGN);
	if (!foreign)
		return 0;
	free(kept);
	if (!(kept = calloc(total, sizeof(*kept)))) {
		error("out of memory");
		return 1;
	}
	/* Every pair, modes then engines, as the harness lists them. */
	for (size_t i = 0; i < total; i++)
		kept[i] = o->ncases ? o->cases[i] :
			  (struct bench_case){ .mode = o->modes[i / ne],
					       .engine = engines[i % ne] };
	for (size_t i = 0; i < total; i++) {
		const struct bench_executor *m = kept[i].mode;
		int runs = 0;

		if (!(m->flags & BENCH_EXEC_FOREIGN))
			continue;
		for (size_t k = 0; k < total && !runs; k++)
			runs = kept[k].mode == m && foreign_engine(kept[k].engine);
		if (!runs)
			return usage_error(s->cmd, "--mode %s runs only in engine python: add --engine python, or --engine native,python to compare it with bench's C",
					   m->name);
	}
	/* A run's modes x engines: the harness pairs a foreign mode with
	 * engine python alone. */
	if (!o->ncases)
		return 0;
	for (size_t i = 0; i < total; i++)
		if (!(kept[i].mode->flags & BENCH_EXEC_FOREIGN) ||
		    foreign_engine(kept[i].engine))
			kept[n++] = kept[i];
	o->cases = kept;
	o->ncases = n;
	return 0;
}

int session_run(struct session *s)
{
	struct bench_report *report = NULL;
	struct bench_store *store = NULL;
	struct bench_context ctx;
	struct bench_err err = { 0 };
	char *lines[MAX_WARNINGS], *doc = NULL;
	char paths[8][4096];
	const char *chart_list[8];
	struct run_output ro = { 0 };
	const char *crash = getenv("BENCH_TEST_CRASH_TASK");
	const char *corrupt = getenv("BENCH_TEST_CORRUPT_MODE");
	const struct bench_executor *launched;
	struct bench_job job;
	int status = 0, code, drawn = 0;
	bench_ns started;

	if ((code = foreign_cases(s)) != 0)
		return code;
	launched = session_launched(s);
	if (crash && *crash) {
		s->opts.crash_task = strtoll(crash, NULL, 10);
		s->opts.crash_set = 1;
	}
	if (corrupt && (s->opts.corrupt_mode = bench_executor_find(corrupt)))
		s->opts.corrupt_set = 1;
	if (s->launcher_flag && !launched)
		return usage_error(s->cmd, "%s is for a mode a launcher starts (%s)",
				   s->launcher_flag, launcher_modes());
	if (bench_job(&job) && job.rank > 0)
		return follow(s);
	if (out_check(s->output) != 0 || out_check(s->html) != 0)
		return 1;
	if (!s->no_save && store_precheck(s, &store) != 0)
		return 1;
	if (launched && job.executor != launched) {
		bench_store_close(store);
		return launch(s, launched, job_size(s, launched));
	}
	s->opts.engine_sample = engine_sample;
	/* In a launched job, stderr is a pipe; the launcher says if it was
	 * a terminal. */
	if (!s->quiet && (isatty(STDERR_FILENO) ||
			  (job.executor && getenv(LAUNCH_TTY_ENV)))) {
		s->opts.progress = progress;
		s->opts.progress_ud = s;
	}
	install_signal_handlers();
	started = bench_clock_now();
	code = bench_run(&s->opts, &report, &err);
	python_stop();
	if (s->opts.progress) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	if (code) {
		if (code == BENCH_ECANCELED)
			error("interrupted; every worker stopped and reaped, nothing written");
		else if (code == BENCH_EINVAL)
			usage_error(s->cmd, "%s", err.msg);
		else
			error("%s", err.msg[0] ? err.msg : bench_strerror(code));
		bench_store_close(store);
		return exit_status(code);
	}

	/* Everything from here on is outside the timed region. */
	bench_context_get(&ctx);
	python_context(&ctx);
	ro = (struct run_output){ .kind = s->cmd, .report = report,
				  .context = &ctx,
				  .warnings = (const char *const *)lines,
				  .argv = s->given, .argc = s->argc };
	ro.nwarnings = report_warnings(report, lines);
	ro.nwarnings += python_notes(report, &ctx, lines + ro.nwarnings,
				     MAX_WARNINGS - ro.nwarnings);
	if (!s->no_save && !store && !(store = open_store(s->results, 1)))
		status = 1;
	if (store) {
		char line[256];

		doc = bench_report_json(report, &ctx, s->cmd, ro.warnings,
					ro.nwarnings, 0, &err);
		summary(s->cmd, report, line, sizeof(line));
		if (!doc || bench_store_save(store, report, &ctx, s->cmd, line,
					     doc, &ro.id, &err) != 0) {
			error("%s", err.msg);
			status = 1;
		}
	}
	/* --no-save writes no file at all unless --charts asks for charts. */
	if (s->charts || (strcmp(s->cmd, "run") != 0 && !s->no_save)) {
		char dir[4096], stem[64];

		if (s->charts)
			snprintf(dir, sizeof(dir), "%s", s->charts);
		else
			default_chart_dir(s->results, dir, sizeof(dir));
		if (ro.id)
			snprintf(stem, sizeof(stem), "%lld-%s-%s", (long long)ro.id,
				 s->cmd, report->wl->name);
		else
			snprintf(stem, sizeof(stem), "%s-%s", s->cmd, report->wl->name);
		drawn = charts_draw(s->cmd, report, &ctx, dir, stem, paths, 8);
		for (int i = 0; i < drawn; i++)
			chart_list[i] = paths[i];
		ro.charts = chart_list;
		ro.ncharts = drawn > 0 ? (size_t)drawn : 0;
		if (drawn < 0)
			status = 1;
	}
	ro.elapsed_ns = bench_clock_now() - started;
	code = write_output(s, &ro);
	if (code)
		status = code;
	if (code == 0 && s->html) {
		struct out page;

		code = 1;
		if (out_open(&page, s->html) == 0) {
			errno = 0;
			if (write_html(page.f, &ro) != 0)
				out_fail(&page);
			else if (out_commit(&page) == 0)
				code = 0;
		}
		if (code)
			status = code;
	}
	/* Machine-readable formats keep notes out of the data. */
	if (code == 0 && s->format != FMT_TABLE && s->format != FMT_MARKDOWN) {
		for (size_t i = 0; i < ro.nwarnings; i++)
			fprintf(stderr, "bench: %s\n", lines[i]);
		for (size_t i = 0; i < ro.ncharts; i++)
			fprintf(stderr, "bench: chart %s\n", ro.charts[i]);
	}
	if (code == 0 && ro.id && s->format == FMT_TABLE)
		fprintf(stderr, "bench: saved as run %lld in %s\n", (long long)ro.id,
			s->results ? s->results : bench_store_default_path());
	for (size_t i = 0; i < ro.nwarnings; i++)
		free(lines[i]);
	free(doc);
	bench_store_close(store);
	bench_report_destroy(report);
	return status;
}
