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

enum { EXIT_USAGE = 2, EXIT_INTERRUPTED = 130 };

int cmd_run(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_help(int argc, char **argv);

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
enum { OPT_WARMUP = 256, OPT_QUERIES, OPT_MAX_MS };

/* getopt_long rows for the workload parameters: --size, --seed,
 * --queries, --max-ms. */
#define WORKLOAD_OPTIONS                                                 \
	{ "size", required_argument, NULL, 'n' },                       \
	{ "seed", required_argument, NULL, 's' },                       \
	{ "queries", required_argument, NULL, OPT_QUERIES },            \
	{ "max-ms", required_argument, NULL, OPT_MAX_MS }

/*
 * Handles getopt code c if it is a workload parameter, storing the value
 * in p. Returns 1 if handled, 0 if c is another option, -1 after a usage
 * error was printed.
 */
int parse_workload_option(const char *cmd, int c, const char *arg,
			  struct bench_params *p);

/* Prints the usage error for getopt's ':' or '?' about argv[optind-1]
 * and returns EXIT_USAGE. */
int bad_option(const char *cmd, char **argv, int c);

/* Parses --mode: a comma-separated list of mode names, or "all". */
int parse_modes(const char *cmd, const char *text, struct bench_run_opts *o);

/*
 * Looks up the workload named by the first operand. Prints an error
 * listing the known workloads and returns NULL when there is none.
 */
const struct bench_workload *find_workload(const char *cmd, const char *name);

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

/* Writers for `bench run` results (writer_*.c). warnings: lines of text. */
struct run_output {
	const struct bench_report *report;
	const struct bench_context *context;
	const char *const *warnings;
	size_t nwarnings;
};
int write_table(FILE *f, const struct run_output *ro);
int write_json(FILE *f, const struct run_output *ro);
int write_csv(FILE *f, const struct run_output *ro);
int write_markdown(FILE *f, const struct run_output *ro);

#endif
