/*
 * cli.h - what the command files of the bench CLI share.
 *
 * Each subcommand is one cmd_<name>.c with one row in main.c's table
 * (git's builtin.h recipe). Commands return the process exit status:
 * 0 success, 1 runtime failure, 2 usage error, 130 interrupted.
 */
#ifndef BENCH_CLI_H
#define BENCH_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "bench/bench.h"
#include "launch.h"

enum { EXIT_USAGE = 2, EXIT_INTERRUPTED = 130 };

int cmd_run(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_worker(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_scale(int argc, char **argv);
int cmd_complexity(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_timeit(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_wordcount(int argc, char **argv);
int cmd_exercises(int argc, char **argv);
int cmd_grade(int argc, char **argv);
int cmd_profile(int argc, char **argv);

/* Prints "bench: <message>" on stderr. */
void error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "bench CMD: <message>" and a hint to --help; returns EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prints the help text of a command (NULL: the overview) to f. */
void print_help(const char *cmd, FILE *f);

/*
 * Parses a whole number for option `flag`: digits with an optional k, M or
 * G suffix (powers of 1000). Accepts [min, max]; prints a one-line error
 * naming the flag and the accepted range and returns -1 otherwise.
 */
int parse_u64(const char *cmd, const char *flag, const char *text,
	      uint64_t min, uint64_t max, uint64_t *out);

/* Option codes without a short form, shared by the commands' tables. */
enum {
	OPT_WARMUP = 256,
	OPT_RESULTS,
	OPT_NO_SAVE,
	OPT_CHARTS,
	OPT_MODES,
	OPT_SIZES,
	OPT_FAIL_ABOVE,
	OPT_LIMIT,
	OPT_BATCH,
	OPT_GIL,
	OPT_HTML,
	OPT_STYLE,
	OPT_BROKER,
	OPT_PYTHON,
	OPT_HISTORY,
	OPT_LAST,
};

enum format { FMT_TABLE, FMT_JSON, FMT_CSV, FMT_MARKDOWN, FMT_GBENCH, FMT_HTML };

/*
 * What the measuring commands (run, scale, complexity) share: sampling
 * options, output, the results store and charts. session.c runs the
 * workload, saves the run, draws charts and writes the output.
 */
struct session {
	const char *cmd;            /* "run", "scale" or "complexity" */
	struct bench_run_opts opts;
	enum format format;
	const char *output;         /* -o FILE, NULL: stdout */
	const char *results;        /* --results, NULL: the default store */
	const char *charts;         /* --charts DIR, NULL: beside the store */
	const char *html;           /* --html FILE: a page as well, NULL: none */
	int no_save;
	int quiet;
	int parsing;                /* session_getopt has started */
	/* Launchers' options (launch.h), by LAUNCH_* index; NULL: not
	 * given. launcher_flag names the first one given. */
	const char *launch_opt[LAUNCH_OPTIONS_MAX];
	const char *launcher_flag;
	int argc;                   /* the command's arguments, for */
	char **argv;                /* relaunching under a launcher */
	char **given;               /* argv as typed (getopt reorders argv;
				       malloc'd, NULL: out of memory) */
};

/* getopt_long rows for the options struct session handles. */
#define SESSION_OPTIONS                                                  \
	{ "chunk", required_argument, NULL, 'c' },                      \
	{ "batch", required_argument, NULL, OPT_BATCH },                \
	{ "gil", optional_argument, NULL, OPT_GIL },                    \
	{ "broker", required_argument, NULL, OPT_BROKER },              \
	{ "repeat", required_argument, NULL, 'r' },                     \
	{ "warmup", required_argument, NULL, OPT_WARMUP },              \
	{ "format", required_argument, NULL, 'f' },                     \
	{ "output", required_argument, NULL, 'o' },                     \
	{ "quiet", no_argument, NULL, 'q' },                            \
	{ "results", required_argument, NULL, OPT_RESULTS },            \
	{ "no-save", no_argument, NULL, OPT_NO_SAVE },                  \
	{ "charts", required_argument, NULL, OPT_CHARTS },              \
	{ "html", required_argument, NULL, OPT_HTML },                  \
	{ "style", required_argument, NULL, OPT_STYLE },                \
	{ "python", required_argument, NULL, OPT_PYTHON },              \
	LAUNCH_OPTIONS,                                                 \
	WORKLOAD_OPTIONS
#define SESSION_SHORT "c:r:f:o:qn:s:"

/* Handles getopt code c if it is a session option: 1 handled, 0 not
 * ours, -1 after a usage error was printed. */
int session_option(struct session *s, int c, const char *arg);

/*
 * getopt_long for a measuring command: handles the session options itself
 * and returns the next other option code, -1 after the last option, or -2
 * after a usage error was printed. The first call starts from argv[1].
 */
struct option;
int session_getopt(struct session *s, int argc, char **argv,
		   const char *shortopts, const struct option *longopts);

/* Runs, saves, draws and writes; returns the exit status. */
int session_run(struct session *s);

/* The launched mode (BENCH_EXEC_LAUNCHED) among s's cases, or NULL. */
const struct bench_executor *session_launched(const struct session *s);

/*
 * Parses a list of whole numbers for `flag`: "1,2,4", ranges "1..16",
 * geometric ranges "1..64x2" and stepped ranges "2..16+2", combined with
 * commas; k/M/G suffixes. The result is sorted without duplicates, each
 * value in [min, max], at most `most` values (malloc'd into *out).
 * Returns 0 or -1 after a usage error was printed.
 */
int parse_list(const char *cmd, const char *flag, const char *text,
	       uint64_t min, uint64_t max, size_t most, uint64_t **out,
	       size_t *n);

/* A run read back from the store or a file. */
struct loaded_run {
	struct bench_report *report;
	struct bench_context ctx;
	char kind[BENCH_KIND_MAX];
	char name[4096];   /* "run 7" or the file's path */
	int64_t id;        /* 0 for a file */
};

/* Loads spec (a run id, "latest", or a JSON file) into out. Returns 0 or
 * the exit status after printing an error. */
int load_run(const char *cmd, const char *spec, const char *results,
	     struct loaded_run *out);
void loaded_run_release(struct loaded_run *run);

/* The sampler of the non-native engines (engines.c), for
 * bench_run_opts.engine_sample. */
int engine_sample(void *ud, const struct bench_report *r,
		  const struct bench_mode_result *mr, void *state,
		  struct bench_sample *out, struct bench_err *err);

/* Checks before any sampling that the engines asked for can run here;
 * prints one line and returns -1 when one cannot. */
int engines_available(const enum bench_engine *engines, size_t n);

/* "serial", or "serial/gbench" for another engine than native. */
const char *mode_label(const struct bench_mode_result *mr, char *buf,
		       size_t len);

/* Opens the store named by --results (or the default) for writing;
 * prints the error and returns NULL on failure. */
struct bench_store *open_store(const char *path, int create);

/* getopt_long rows for the parameters every workload has; the
 * workloads' own options are added at run time (workload_options.c). */
#define WORKLOAD_OPTIONS                                                 \
	{ "size", required_argument, NULL, 'n' },                       \
	{ "seed", required_argument, NULL, 's' }

/* getopt codes of the workloads' own options without a short letter:
 * OPT_WORKLOAD + their place among all workloads' option names. */
enum { OPT_WORKLOAD = 768 };

/*
 * Builds a command's getopt tables: the rows of base (ended by a NULL
 * name) then one row per workload option, into rows (max_rows, ended by
 * a zero row); shortopts then the options' short letters into shorts.
 * Returns 0, or -1 when the tables are too small.
 */
struct option;
int workload_getopt_tables(const struct option *base, const char *shortopts,
			   struct option *rows, size_t max_rows, char *shorts,
			   size_t max_shorts);

/*
 * Handles getopt code c if it is a workload parameter (--size, --seed or
 * any workload's own option), storing the value in p by name. Returns 1 if
 * handled, 0 if c is another option, -1 after a usage error was printed.
 */
int parse_workload_option(const char *cmd, int c, const char *arg,
			  struct bench_params *p);

/* The workloads' own options, one line each, for a command's help. */
void print_workload_options_help(FILE *f);

/* The name of the first option of wl with flag that p gives (a text set,
 * a number or flag not 0), or NULL. */
const char *workload_option_flagged(const struct bench_params *p,
				    const struct bench_workload *wl,
				    unsigned flag);

/* Prints the usage error for getopt's ':' or '?' about argv[optind-1]
 * and returns EXIT_USAGE. */
int bad_option(const char *cmd, char **argv, int c);

/* Parses --engine: a comma-separated list of engine names, or "all". */
int parse_engines(const char *cmd, const char *text, struct bench_run_opts *o);

/* Parses --mode: a comma-separated list of mode names, or "all". */
int parse_modes(const char *cmd, const char *text, struct bench_run_opts *o);

/*
 * Looks up the workload named by the first operand. Prints an error
 * listing the known workloads and returns NULL when there is none.
 */
const struct bench_workload *find_workload(const char *cmd, const char *name);

/*
 * The workload named by the one operand left after the options (argv[optind]).
 * Prints the usage error ("missing ..." with `what`, an extra operand, an
 * unknown workload) and returns NULL when there is no such single workload.
 */
const struct bench_workload *workload_operand(const char *cmd, int argc,
					      char **argv, const char *what);

/* The folder charts go to: beside the store given (or the default one). */
void default_chart_dir(const char *results, char *dir, size_t len);

/*
 * A folder of bench's data (plots, exercises, python): $ENV when set,
 * else NAME beside the binary's folder (a build tree) when it holds PROBE,
 * else share/bench/NAME beside it (an install under any PREFIX), else NAME
 * in the data folder compiled in. Returns buf, ENV's value, or NULL.
 */
const char *find_data_dir(const char *env, const char *name,
			  const char *probe, char *buf, size_t len);

/* Removes path and all under it, never following a symbolic link; an
 * entry that cannot go is left and the rest still removed. For bench's
 * own private folders (mkdtemp), never a user's. */
void remove_tree(const char *path);

/* Exit status for a library error code. */
int exit_status(int code);

/* Ctrl-C and SIGTERM ask running work to stop (bench_cancel); a second
 * Ctrl-C kills at once. */
void install_signal_handlers(void);

/* Human-readable duration, 4 significant digits: "1.052 s", "84.31 ms". */
void format_ns(double ns, char *buf, size_t len);
/* Picks the unit for ns and returns its divisor and name. */
double ns_unit(double ns, const char **unit);
/* "9.51 M" style count with an SI prefix. */
void format_rate(double per_s, char *buf, size_t len);
/* Whether the terminal can show UTF-8 (for bars and symbols). */
int utf8_terminal(void);

/*
 * Output to a file written atomically: out_open() creates a temporary file
 * beside path (or returns stdout when path is NULL); out_commit() flushes,
 * syncs and renames it into place; out_abort() removes it. Both return 0
 * or -1 after printing an error.
 */
struct out {
	FILE *f;
	char *path;
	char *tmp;
};
int out_open(struct out *o, const char *path);
/* Checks early, before a long run, that path's folder can take the file.
 * Returns 0, or -1 after printing an error. */
int out_check(const char *path);
int out_commit(struct out *o);
void out_abort(struct out *o);
/* After a failed write: prints "cannot write 'PATH': <errno text>" (or
 * standard output) and aborts o. */
void out_fail(struct out *o);

/* Writers for `bench run` results (writer_*.c). warnings: lines of text. */
struct run_output {
	const char *kind; /* "run", "scale", "complexity" */
	const struct bench_report *report;
	const struct bench_context *context;
	const char *const *warnings;
	size_t nwarnings;
	const char *const *charts;  /* chart files drawn, to mention */
	size_t ncharts;
	int64_t id;                 /* run id in the store, 0: not saved */
	bench_ns elapsed_ns;        /* whole command up to output, 0: unknown */
	char *const *argv;          /* the command's arguments after "bench" */
	int argc;                   /* (argv NULL: not known, a stored run) */
	const char *name;           /* "run 7" or the file read; NULL: new */
};

/* Draws a horizontal bar of `units` eighths of a cell (UTF-8 blocks, or
 * '#' on other terminals); returns the cells used. */
int draw_bar(FILE *f, long units, int utf8);

/* "1 of the N samples"-style tail: what the run cost beyond its samples. */
void write_overhead(FILE *f, const struct run_output *ro);

/* Mentions the chart files drawn, if any. */
void write_chart_list(FILE *f, const struct run_output *ro);

/* The end of every table: warnings, chart files and (for sweeps) the
 * overhead line. Returns 0, or -1 if f has an error. */
int write_tail(FILE *f, const struct run_output *ro, int overhead);
int write_table(FILE *f, const struct run_output *ro);
int write_json(FILE *f, const struct run_output *ro);
int write_csv(FILE *f, const struct run_output *ro);
int write_markdown(FILE *f, const struct run_output *ro);
int write_gbench(FILE *f, const struct run_output *ro);
int write_html(FILE *f, const struct run_output *ro);
/* One HTML page for n runs (writers/html.c): with several, the others
 * compared with the first as `bench compare` compares them. */
int write_html_runs(FILE *f, const struct run_output *runs, size_t n);
/*
 * The stored runs of one workload in time order, for the trend page
 * (`bench report --history`, report_trend.c): all of one size on one
 * machine; the counts say what was left out so the page can say it.
 */
struct trend {
	const char *workload;
	uint64_t size;
	const char *host;
	const struct loaded_run *runs;  /* oldest first */
	size_t n;
	size_t other_sizes;             /* runs left out: another size */
	size_t other_hosts;             /* runs left out: another machine */
};
/* The trend page (writers/html.c): per case a chart of the median and
 * its 95% interval run after run, each run `bench compare` finds slower
 * than the one before it marked and listed. Returns 0 or -1. */
int write_html_trend(FILE *f, const struct trend *t);
/* `bench report --history WORKLOAD`: the trend page of the runs
 * `bench history WORKLOAD` lists (size 0: the newest run's; last 0: all
 * of them). Returns the exit status after printing any error. */
int report_trend(const char *cmd, const char *results, const char *output,
		 const char *workload, uint64_t size, uint64_t last);
int write_scale_table(FILE *f, const struct run_output *ro);
int write_complexity_table(FILE *f, const struct run_output *ro);

/*
 * `bench compare`'s verdict on one result of run b against run a
 * (cmd_compare.c): the result of a with the same mode, engine, workers
 * and size, the Mann-Whitney U test and the interval of the ratio of
 * medians, significant when p < 0.05 and the interval excludes 1.
 */
struct compare_row {
	const struct bench_mode_result *a;  /* NULL: only in b */
	const struct bench_mode_result *b;
	struct bench_compare cmp;           /* b against a */
	enum bench_verdict verdict;
	const char *verdict_text;           /* "faster", "slower", "no
					       significant difference" */
	int checksums_differ;               /* same size and seed, yet not
					       the same answer */
};
/* The result of a that b is compared with, or NULL. */
const struct bench_mode_result *
compare_match(const struct bench_report *a, const struct bench_mode_result *b);
/* Fills row for mb, a result of b. Returns 1, 0 when a has no such
 * result, -1 when the samples cannot be compared. */
int compare_result(const struct bench_report *a, const struct bench_report *b,
		   const struct bench_mode_result *mb, struct compare_row *row);

/* The warnings of a report spelled out for a student: malloc'd lines
 * into lines (at most MAX_WARNINGS); returns the count. */
#define MAX_WARNINGS 24
size_t report_warnings(const struct bench_report *r, char **lines);

/*
 * Draws the charts of a report with gnuplot into dir, files named
 * stem-<chart>.png and .svg; their paths are printed by the caller from
 * paths (up to 8). Returns the number drawn, 0 with a note on stderr when
 * gnuplot or the templates are missing, -1 on failure (message printed).
 */
/*
 * Draws plots/TEMPLATE.gp from data (its own contract) into DIR/STEM-
 * TEMPLATE.png and .svg; vars are extra gnuplot assignments ("a=1;").
 * Returns the number of files (paths filled), 0 when gnuplot or the
 * templates are missing (a note says so), -1 after an error.
 */
int charts_draw_template(const char *template, const char *data,
			 const char *title, const char *vars, const char *dir,
			 const char *stem, char paths[][4096], size_t max);

int charts_draw(const char *kind, const struct bench_report *r,
		const struct bench_context *ctx, const char *dir,
		const char *stem, char paths[][4096], size_t max);

/* The look of every chart drawn after it: "default" or "slides" (16:9,
 * larger fonts and lines; plots/common.gp). Returns 0, or -1 for another
 * name. */
int charts_set_style(const char *style);

/*
 * The charts of a report as SVG text, for a page that shows them inline:
 * drawn as charts_draw draws them, SVG only, in a private folder under
 * $TMPDIR that is removed afterwards. Fills out[i].name (the template:
 * "speedup", "run", ...) and out[i].svg (malloc'd; the caller frees) for
 * up to max charts. Returns the count, 0 when there is nothing to draw or
 * gnuplot or the templates are missing (a note on stderr says which), -1
 * after an error was printed.
 */
struct chart_svg {
	char name[32];
	char *svg;
};
int charts_svg(const char *kind, const struct bench_report *r,
	       const struct bench_context *ctx, struct chart_svg *out,
	       size_t max);

#endif
