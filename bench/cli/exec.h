/*
 * exec.h - the parts of `bench exec` that speak hyperfine: its command
 * strings (split into words as hyperfine -N does, never by a shell) and
 * its export files (JSON, CSV, Markdown).
 *
 * The one design choice to know: the exports take the timed runs as they
 * are and compute hyperfine's own statistics from them (mean, sample
 * standard deviation, median, mean user and system time, in seconds), so
 * that a file bench writes reads exactly like one hyperfine writes;
 * bench's own figures (the median's interval, peak RSS, the rank test)
 * travel under "bench" keys that hyperfine's scripts never look at.
 */
#ifndef BENCH_CLI_EXEC_H
#define BENCH_CLI_EXEC_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "bench/command.h"

/*
 * Splits text into words the way hyperfine -N does (the shell-words
 * crate, POSIX quoting without expansion): blanks separate words; '...'
 * keeps everything literally; "..." keeps everything but a backslash
 * before $ ` " \ or a newline; a backslash outside quotes keeps the next
 * character; a word starting with # begins a comment. Nothing is
 * expanded: $HOME and *.txt stay as written. *argv is one malloc'd
 * NULL-terminated block (free(*argv) frees it all). Returns the number
 * of words (0 for a blank text), -1 for an unmatched quote or a trailing
 * backslash (*why then says which), or -2 out of memory.
 */
int exec_words_split(const char *text, char ***argv, const char **why);

/* One command's timed runs as the exports see them. */
struct exec_export_row {
	const char *command;       /* hyperfine's "command": the name given
				      with -n, else the command line */
	const struct bench_command_result *runs; /* the timed runs */
	size_t n;                  /* how many */
	const char *const *param_names;  /* the -L/-P variables, nparams */
	const char *const *param_values; /* and their values in this row */
	size_t nparams;
	json_t *bench;             /* bench's own keys for this result
				      (a reference is taken), NULL: none */
};

/*
 * hyperfine's --export-json document: {"results": [...]} with each
 * result's command, mean, stddev (null for one run), median, user,
 * system, min, max (seconds), times (seconds), exit_codes (128+N for a
 * run killed by signal N, as hyperfine writes) and, with parameters,
 * parameters {name: value}; plus "bench": extra on each result that has
 * one and top-level "bench": top (a reference is taken; NULL: none).
 * Returns 0, or -1 when out of memory or the write failed.
 */
int exec_export_json(FILE *f, const struct exec_export_row *rows,
		     size_t nrows, json_t *top);

/* hyperfine's --export-csv: command,mean,stddev,median,user,system,min,
 * max then parameter_NAME per variable. Returns 0 or -1. */
int exec_export_csv(FILE *f, const struct exec_export_row *rows,
		    size_t nrows);

/* hyperfine's --export-markdown table: mean +- stddev, min, max in the
 * unit of the first command's mean, and the mean relative to the
 * fastest's. Returns 0 or -1. */
int exec_export_markdown(FILE *f, const struct exec_export_row *rows,
			 size_t nrows);

#endif
