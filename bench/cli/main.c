/*
 * main.c - the bench command line: the table of subcommands and their help.
 *
 * Each subcommand is one row here and one cmd_<name>.c (git's builtin.h
 * recipe); `bench help` prints from the same table.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* The options scale and complexity share with every measuring command. */
#define SWEEP_OPTIONS_HELP                                                     \
	"  -c, --chunk N       items per task (default: items / (4 x workers))\n" \
	"  -r, --repeat N      timed samples per case (default 6)\n"              \
	"      --warmup N      untimed rounds before them (default 1)\n"          \
	"  -s, --seed N        seed of the generated input (default 1)\n"         \
	"      --gil[=MS]      thread workers share one lock, as Python threads\n" \
	"      --broker URL    mode queue: an existing Redis (default: a private\n" \
	"                      redis-server on a unix socket)\n"                 \
	LAUNCH_OPTIONS_HELP                                                    \
	"  -f, --format F      table, json, csv, markdown, gbench or html\n" \
	"      --html FILE     also write a self-contained HTML page there\n" \
	"  -o, --output FILE   write there instead of standard output; the file\n" \
	"                      appears whole or not at all\n"                     \
	"      --results PATH  the results store (default: $BENCH_RESULTS, else\n" \
	"                      results/bench.db)\n"                               \
	"      --no-save       save neither the run nor charts (unless --charts)\n" \
	"      --charts DIR    where chart files go (default: charts/ beside the store)\n" \
	"      --style S       charts: default, or slides (16:9, large type)\n" \
	"  -q, --quiet         no progress line\n"

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
	const char *usage;
} commands[] = {
	{ "run", cmd_run, "run a workload in every mode and compare them",
	  "usage: bench run WORKLOAD [options]\n"
	  "\n"
	  "Runs WORKLOAD serially, on a thread pool, on a process pool and on an\n"
	  "async event loop, modes interleaved sample by sample, and prints the\n"
	  "median time with its 95% confidence interval, min, max, throughput,\n"
	  "speedup and efficiency against serial, CPU time and a checksum that\n"
	  "must agree across modes.\n"
	  LAUNCH_RUN_HELP
	  "\n"
	  "  -m, --mode LIST     modes, comma-separated ('bench list' names them),\n"
	  "                      or all (default: all but those a launcher starts)\n"
	  "  -w, --workers N     threads, processes, or async tasks in flight\n"
	  "                      (default: the CPUs available)\n"
	  "  -e, --engine LIST   native,gbench,hyperfine,python or all (default\n"
	  "                      native; all: the first three): gbench times the\n"
	  "                      same call in Google Benchmark's loop, hyperfine a\n"
	  "                      whole bench process, python the Python version\n"
	  "      --python PATH   its interpreter (default /usr/bin/python3)\n"
	  "  -n, --size N        items: hash CPFs, search list length, range rows,\n"
	  "                      sleep tasks; events and wordcount: lines generated\n"
	  "                      when there is no --input (default: see 'bench list')\n"
	  "  -c, --chunk N       items per task (default: items / (4 x workers), as\n"
	  "                      Python's Pool.map; 1 for sleep and graph; 1000 lines\n"
	  "                      for events; 4 blocks of 256 KiB for wordcount)\n"
	  "      --batch N       the same as --chunk (events: lines per batch)\n"
	  "      --gil[=MS]      thread mode as Python's threads: workers hold one\n"
	  "                      global lock while computing, handing it on every\n"
	  "                      MS ms (default 5, CPython's switch interval) and\n"
	  "                      letting go while they wait\n"
	  "      --broker URL    mode queue: the Redis to put tasks on,\n"
	  "                      redis://HOST:PORT/DB or unix:///PATH (default: a\n"
	  "                      private redis-server on a unix socket, stopped at\n"
	  "                      the end); 'bench worker' on other hosts joins in\n"
	  "  -r, --repeat N      timed samples per mode (default 6)\n"
	  "      --warmup N      untimed rounds before them (default 1)\n"
	  "  -s, --seed N        seed of the generated input (default 1)\n"
	  "  -f, --format F      table, json, csv, markdown, gbench or html\n"
	  "      --html FILE     also write a self-contained HTML page there\n"
	  "  -o, --output FILE   write there instead of standard output; the file\n"
	  "                      appears whole or not at all\n"
	  "      --results PATH  the results store the run is saved to (default:\n"
	  "                      $BENCH_RESULTS, else results/bench.db)\n"
	  "      --no-save       do not save the run\n"
	  "      --charts DIR    also draw a chart of the medians there (gnuplot)\n"
	  LAUNCH_OPTIONS_HELP
	  "  -q, --quiet         no progress line\n"
	  "\n"
	  "Numbers take k, M and G suffixes (1M = 1000000).\n"
	  "Exit status: 0 done, 1 failure (a worker died, checksums differ),\n"
	  "2 bad usage, 130 interrupted.\n"
	  "\n"
	  "examples:\n"
	  "  bench run hash --workers 8\n"
	  "  bench run hash --mode serial --engine all\n"
	  "  bench run sleep --workers 40 --mode serial,async\n"
	  "  bench run range --chunk 1 --size 100k --mode serial,thread\n"
	  "  bench run events --input events.jsonl --type purchase --batch 1000\n"
	  "  bench run wordcount --input words.txt --mode serial,process\n"
	  "  bench run hash --mode serial,thread,process --gil\n"
	  "  bench run graph --workers 8\n"
	  "  bench run hash --mode serial,process,queue --workers 4\n"
	  LAUNCH_RUN_EXAMPLES },
	{ "show", cmd_show, "print a workload's items and results as text",
	  "usage: bench show WORKLOAD [--size N] [--seed N] [workload options]\n"
	  "                           [--limit N] [--engine python [--python PATH]]\n"
	  "\n"
	  "Prints one line per item (default 10 items), with its result:\n"
	  "  hash       cpf pepper sha256(\"aaaaa\" cpf pepper)\n"
	  "  search     target 'found at' position, or target 'not found'\n"
	  "  range      the row's five values, then how many lie in [4, 8]\n"
	  "  sleep      task, wait in ms, result\n"
	  "  events     per line (the first --limit): 'kept' event_id sha256(event_id),\n"
	  "             'skipped' event_type, or 'bad' and why\n"
	  "  wordcount  the --limit most frequent words: count word\n"
	  "\n"
	  "  --limit N  lines to print for events and wordcount (default 10)\n"
	  "  --engine python  the same lines as the Python version computes them\n"
	  "  --python PATH    its interpreter (default: BENCH_PYTHON, else\n"
	  "             /usr/bin/python3, else python3 on PATH)\n"
	  "\n"
	  "Check a hash line with:  printf 'aaaaa%s%s' CPF PEPPER | sha256sum\n"
	  "Check an events line with:  printf %s EVENT_ID | sha256sum\n" },
	{ "scale", cmd_scale, "sweep worker counts: speedup, efficiency, Amdahl's law, charts",
	  "usage: bench scale WORKLOAD [--workers LIST] [--modes LIST] [options]\n"
	  "\n"
	  "Runs WORKLOAD serially once and in each parallel mode at each worker\n"
	  "count, all cases interleaved sample by sample, then prints speedup,\n"
	  "efficiency and the Karp-Flatt metric per case, fits Amdahl's law per\n"
	  "mode (over worker counts up to the CPU count), draws speedup and\n"
	  "efficiency charts (PNG and SVG, with gnuplot) and a text chart.\n"
	  "\n"
	  "  -w, --workers LIST  worker counts: 1,2,4,8 or 1..16 or 1..64x2 or\n"
	  "                      2..16+2, combined with commas (default 1..8x2)\n"
	  "  -m, --modes LIST    parallel modes (default thread,process; also async\n"
	  "                      " LAUNCH_SCALE_MODES ")\n"
	  "  -e, --engine LIST   engines, each against its own serial, drawn on one\n"
	  "                      chart (native,python: the course's Python beside C)\n"
	  "  -n, --size N        input size (default: see 'bench list')\n"
	  SWEEP_OPTIONS_HELP
	  "\n"
	  "example:\n"
	  "  bench scale hash --workers 1..16x2\n"
	  LAUNCH_SCALE_EXAMPLES },
	{ "complexity", cmd_complexity, "time over growing sizes and fit O(1) .. O(n^2)",
	  "usage: bench complexity WORKLOAD --sizes LIST [--mode M] [--engine E]\n"
	  "                         [options]\n"
	  "\n"
	  "Times WORKLOAD in one mode (default serial) at every size of LIST, sizes\n"
	  "interleaved, fits t = a * g(n) for O(1), O(log n), O(n), O(n log n) and\n"
	  "O(n^2) by relative least squares, names the best fit with its error,\n"
	  "and charts time against size on log-log axes.\n"
	  "\n"
	  "  --sizes LIST        sizes: 1000..512000x2 (doubling), 1k,2k,4k, ...\n"
	  "  -m, --mode M        the mode to time (default serial)\n"
	  "  -w, --workers N     workers for a parallel mode (default: CPUs)\n"
	  "  -e, --engine E      one engine (default native; python: the course's\n"
	  "                      Python version, its own curve and fit)\n"
	  SWEEP_OPTIONS_HELP
	  "\n"
	  "examples:\n"
	  "  bench complexity search --sizes 1000..512000x2\n"
	  "  bench complexity search --sizes 1000..64000x2 --engine python\n" },
	{ "history", cmd_history, "list the runs kept in the results store",
	  "usage: bench history [WORKLOAD] [--limit N] [--results PATH]\n"
	  "\n"
	  "Lists stored runs, newest first (default the last 20; --limit 0: all).\n" },
	{ "report", cmd_report, "print one stored run again",
	  "usage: bench report RUN [--format table|json|csv|markdown] [-o FILE]\n"
	  "                        [--results PATH]\n"
	  "       bench report RUN... --html [-o FILE] [--results PATH]\n"
	  "       bench report --history WORKLOAD [--size N] [--last K] --html\n"
	  "                    [-o FILE] [--results PATH]\n"
	  "\n"
	  "RUN is an id from 'bench history', 'latest', or a JSON file written by\n"
	  "'bench ... --format json'. Statistics are recomputed from the raw samples.\n"
	  "--html (or --format html) writes one self-contained page: context,\n"
	  "results, charts as inline SVG, notes and the raw samples; with several\n"
	  "runs, each compared with the first as 'bench compare' does. No script,\n"
	  "nothing loaded from elsewhere; it prints well.\n"
	  "--history WORKLOAD: one page of the workload's stored runs (those\n"
	  "'bench history WORKLOAD' lists) in time order: per mode a chart of the\n"
	  "median and its 95% interval, each run 'bench compare' finds slower than\n"
	  "the run before it marked as a regression, and a table of the runs. One\n"
	  "machine and one size: the newest run's, or --size N; --last K: the\n"
	  "newest K of them.\n" },
	{ "compare", cmd_compare, "compare two runs: faster, slower, or no significant difference",
	  "usage: bench compare A B [--fail-above PCT] [--results PATH]\n"
	  "\n"
	  "A and B are run ids, 'latest', or JSON files. Each benchmark of B (same\n"
	  "mode, workers and size as in A) gets the ratio of medians B/A with its\n"
	  "95% confidence interval, a Mann-Whitney U p-value, and a verdict:\n"
	  "faster or slower only when p < 0.05 and the interval excludes 1.\n"
	  "\n"
	  "  --fail-above PCT    exit 1 when a benchmark is significantly slower by\n"
	  "                      more than PCT (e.g. 5%), for CI\n" },
	{ "plot", cmd_plot, "draw a stored run's charts again, or export it",
	  "usage: bench plot RUN [--charts DIR] [--format charts|gbench] [-o FILE]\n"
	  "                      [--style default|slides] [--results PATH]\n"
	  "\n"
	  "Draws the charts of RUN (an id, 'latest', or a JSON file) with gnuplot:\n"
	  "speedup and efficiency for a scale run, time vs size for a complexity\n"
	  "run, medians per mode for a plain run. --format gbench writes the run as\n"
	  "Google Benchmark JSON instead (standard output, or -o FILE).\n" },
	{ "timeit", cmd_timeit, "Python's timeit for a workload or a C statement",
	  "usage: bench timeit WORKLOAD [--number N|auto] [--repeat R] [--min-time S]\n"
	  "                    [--mode M] [--workers N] [--size N] [--seed N]\n"
	  "                    [--engine native|python [--python PATH]]\n"
	  "       bench timeit [-s SETUP]... [--init CODE] [--include H]...\n"
	  "                    [--cflags FLAGS] [--libs LIBS] [--number N|auto]\n"
	  "                    [--repeat R] [--min-time S] STATEMENT...\n"
	  "\n"
	  "Times one call of WORKLOAD (one pass over its input in mode M, default\n"
	  "serial), or one execution of a C STATEMENT, the way Python's timeit\n"
	  "does: with --number auto (the default) the number of calls per loop\n"
	  "grows 1, 2, 5, 10, 20, 50, ... until one loop takes at least --min-time\n"
	  "(default 0.2 s); then --repeat loops (default 6) are timed and the\n"
	  "per-call time reported: best, median with its 95% confidence interval,\n"
	  "a warning when the worst is far above the best, and a note when one call\n"
	  "alone takes longer than --min-time.\n"
	  "\n"
	  "  -N, --number N      calls per loop, or auto (default auto)\n"
	  "  -r, --repeat R      loops (default 6; Python's timeit uses 5)\n"
	  "      --min-time S    autorange target per loop, seconds (default 0.2)\n"
	  "\n"
	  "A workload:\n"
	  "  -m, --mode M        serial, thread, process or async (default serial)\n"
	  "  -w, --workers N     workers for a parallel mode (default: CPUs)\n"
	  "  -n, --size N        input size (default: the workload's, see 'bench list')\n"
	  "      --seed N        seed of the generated input (default 1; here -s is\n"
	  "                      --setup, as in Python)\n"
	  "  -e, --engine E      native (default), or python: the course's Python\n"
	  "                      version, its loop timed in the Python process and\n"
	  "                      its answer checked against one native serial pass\n"
	  "      --python PATH   its interpreter (default: BENCH_PYTHON, else\n"
	  "                      /usr/bin/python3, else python3 on PATH)\n"
	  "      and the workload's own options, below\n"
	  "\n"
	  "A C statement (python -m timeit for C), chosen by any option below or by\n"
	  "an operand that is no workload's name:\n"
	  "  -s, --setup CODE    C at file scope: #include, data, functions; again\n"
	  "                      for more lines\n"
	  "      --init CODE     runs once, before any timing (fills data, checks)\n"
	  "      --include H     #include <H>, or as given: '\"mine.h\"'; repeatable\n"
	  "      --cflags FLAGS  more compiler flags, split on spaces (no shell)\n"
	  "      --libs LIBS     libraries, after the sources: --libs -lm\n"
	  "      --timeout S     the program's wall-clock limit, seconds (default\n"
	  "                      600); a program that stops itself is killed then\n"
	  "STATEMENT is the body of a void function, so return; ends one call;\n"
	  "several operands are its lines. BENCH_KEEP(x) makes the compiler compute\n"
	  "x as if it were used, where it would drop unused work: BENCH_KEEP(f(21));\n"
	  "The code goes to a private folder in $TMPDIR, is compiled by $CC (default\n"
	  "cc, split on spaces) -O2 -std=gnu11 FLAGS ... LIBS in the current folder\n"
	  "(so \"mine.h\" and -L. mean it) and runs as a program of its own, not\n"
	  "linked with bench; the folder is removed, also on Ctrl-C. Compiler\n"
	  "messages point at setup:N, init:N and statement:N; warnings are shown\n"
	  "too. The statement may print; its loop times go to bench on a pipe.\n"
	  "The compiler gets at most 120 s of CPU time and 2 GiB of memory per\n"
	  "process, 300 s in all. Whatever the statement starts (forks, daemons)\n"
	  "is killed when the program ends.\n"
	  "\n"
	  "Exit status: 0 done, 1 failure (does not compile, crashed or exited,\n"
	  "checksums differ), 2 bad usage, 130 interrupted.\n"
	  "\n"
	  "examples:\n"
	  "  bench timeit search --size 10000\n"
	  "  bench timeit -s 'static int f(int x) { return x * 2; }' 'BENCH_KEEP(f(21));'\n"
	  "  bench timeit --include math.h --libs -lm -s 'static volatile double x = 2;' \\\n"
	  "      'BENCH_KEEP(sqrt(x));'\n"
	  "  bench timeit -s '#include <stdbool.h>' -s '#include <stdio.h>' \\\n"
	  "      -s '#include <string.h>' -s 'static bool is_name_index(const char *name,\n"
	  "            long index) { char s[24]; snprintf(s, sizeof s, \"%ld\", index);\n"
	  "            return strchr(s, 48 + (int)(strlen(name) % 10)); }' \\\n"
	  "      'BENCH_KEEP(is_name_index(\"Tymoteusz\", 144298));'\n" },
	{ "exec", cmd_exec, "time whole programs without a shell, optionally against another",
	  "usage: bench exec [options] 'CMD' ['CMD2'...]    (hyperfine's form)\n"
	  "       bench exec [options] [--vs 'CMD2'] -- CMD [ARGS...]\n"
	  "\n"
	  "Runs each command directly (fork and exec, no shell) --runs times after\n"
	  "--warmup untimed runs and reports wall, user and system time and peak RSS\n"
	  "per run (from wait4), with median, 95% confidence interval, min, max and\n"
	  "outlier flags. A command given as one string is split into words as\n"
	  "hyperfine -N splits it (quotes, no expansion); after -- the words are\n"
	  "taken as they are. Several commands run in turn, run by run, and are\n"
	  "compared by the ratio of their medians with its interval and a\n"
	  "Mann-Whitney U verdict. A run that exits non-zero or is killed by a\n"
	  "signal is reported and stops the measurement (exit 1), unless\n"
	  "--ignore-failure. Standard input is /dev/null; output is discarded\n"
	  "unless --show-output. hyperfine's options keep hyperfine's meaning.\n"
	  "\n"
	  "  -w, --warmup N      untimed runs first (default 1)\n"
	  "  -r, --runs N        timed runs (default 10)\n"
	  "  -m, --min-runs N    with -M: as many runs as fill 3 s, at least N (10)\n"
	  "  -M, --max-runs N    and at most N\n"
	  "  -p, --prepare CMD   run before each run, untimed (once, or once per command)\n"
	  "  -s, --setup CMD     run once for each command before the first run\n"
	  "  -c, --cleanup CMD   run once for each command after the last run\n"
	  "  -L, --parameter-list VAR V1,V2,...  one command per value of {VAR}\n"
	  "  -P, --parameter-scan VAR MIN MAX    whole numbers MIN to MAX for {VAR}\n"
	  "  -D, --parameter-step-size STEP      the scan's step (default 1)\n"
	  "  -n, --command-name NAME  the name of the next command in the output\n"
	  "  -N, --shell=none    no shell (always so; accepted for hyperfine)\n"
	  "  -S, --shell SHELL   run each command string as SHELL -c 'CMD'\n"
	  "      --export-json FILE      hyperfine's JSON ({\"results\": [...]}), with\n"
	  "                              bench's figures under \"bench\" keys\n"
	  "      --export-csv FILE       hyperfine's CSV\n"
	  "      --export-markdown FILE  hyperfine's Markdown table\n"
	  "      --vs 'CMD2'     one more command to compare with\n"
	  "  -i, --ignore-failure  time runs that fail too\n"
	  "      --show-output   let the commands write to bench's output and error\n"
	  "  -f, --format F      table or json (bench.exec/1; default table)\n"
	  "  -o, --output FILE   write there instead of standard output; the file\n"
	  "                      appears whole or not at all\n"
	  "\n"
	  "examples:\n"
	  "  bench exec -- sleep 0.05\n"
	  "  bench exec --vs 'gzip -1 -c data' -- gzip -9 -c data\n"
	  "  bench exec -N -r 20 --export-json gz.json -L n 1,9 'gzip -{n} -k -f data'\n" },
	{ "wordcount", cmd_wordcount, "word count as a Hadoop Streaming mapper or reducer",
	  "usage: bench wordcount mapper|reducer\n"
	  "\n"
	  "The word count of 'bench run wordcount' as a Hadoop Streaming pair: both\n"
	  "read standard input and write standard output, lines of KEY<tab>VALUE.\n"
	  "\n"
	  "  mapper   splits the text into words (runs of ASCII letters, lowercased)\n"
	  "           and prints 'word<tab>1' for each\n"
	  "  reducer  reads lines sorted by key and prints each key once with the\n"
	  "           sum of its counts; a line that is not KEY<tab>COUNT is an error\n"
	  "           (exit 1, naming the line)\n"
	  "\n"
	  "example (the counts 'bench show wordcount --input words.txt' prints):\n"
	  "  bench wordcount mapper < words.txt | LC_ALL=C sort | bench wordcount reducer\n" },
	{ "gen", cmd_gen, "write test input: JSON Lines events or word text",
	  "usage: bench gen events --lines N [--seed S] [-o FILE]\n"
	  "       bench gen text --mb N [--seed S] [-o FILE]\n"
	  "\n"
	  "Writes input for the course's pipelines, line i a pure function of the\n"
	  "seed and i, so the same seed gives the same bytes.\n"
	  "\n"
	  "events: N lines of JSON, one object each: event_id (0, 1, ...), user_id,\n"
	  "event_type (click 60%, view 25%, purchase 10%, signup 5%), ts (ISO 8601\n"
	  "UTC, increasing from 2024-01-01, 100 ms apart) and a nested payload:\n"
	  "page, items [{sku, price, qty}], device {os, mobile} and a note whose\n"
	  "text may hold quotes, backslashes, newlines, control characters and\n"
	  "non-ASCII text, raw or as \\u escapes. About one line in 20 has an\n"
	  "extra field, campaign.\n"
	  "text: lines of 10 to 15 words with a Zipf-like skew, capitals and\n"
	  "punctuation, until N MiB (the last line completes it).\n"
	  "\n"
	  "  -n, --lines N       events: how many lines\n"
	  "  -m, --mb N          text: how many MiB (2^20 bytes)\n"
	  "  -s, --seed S        seed (default 1)\n"
	  "  -o, --output FILE   write there instead of standard output; the file\n"
	  "                      appears whole or not at all\n"
	  "\n"
	  "Numbers take k, M and G suffixes (1M = 1000000).\n"
	  "Exit status: 0 done, 1 cannot write, 2 bad usage, 130 interrupted.\n"
	  "\n"
	  "examples:\n"
	  "  bench gen events --lines 1000000 -o events.jsonl\n"
	  "  bench gen events --lines 10 --seed 7 | jq .event_type\n"
	  "  bench gen text --mb 100 -o words.txt\n" },
	{ "exercises", cmd_exercises, "list the course's exercises, or start one",
	  "usage: bench exercises\n"
	  "       bench exercises start EXERCISE DIR\n"
	  "\n"
	  "Lists the exercises (number, title, points). 'start' copies one's\n"
	  "starter file, header and README into DIR (created if missing; no\n"
	  "file there is overwritten). EXERCISE is a number or a folder name.\n"
	  "\n"
	  "example:\n"
	  "  bench exercises start 2 mywork && bench grade 2 mywork\n" },
	{ "grade", cmd_grade, "grade submissions to an exercise, sandboxed",
	  "usage: bench grade EXERCISE SUBMISSION... [options]\n"
	  "\n"
	  "Compiles each submission (a folder holding the exercise's source file,\n"
	  "or that file) with strict warnings, runs the public tests (and with\n"
	  "--hidden an instructor's hidden tests) against the reference solution's\n"
	  "output for a seed drawn now, then the performance check, if the\n"
	  "exercise has one: the serial code and the submission timed alternately,\n"
	  "medians compared, the expected speedup scaled to the CPUs here, tiered\n"
	  "credit, 'inconclusive' when noise decides. A folder of submission\n"
	  "folders is a class: graded in parallel, with a gradebook CSV.\n"
	  "\n"
	  "Every build and run is sandboxed (bubblewrap: no network, a private\n"
	  "/tmp, read-only system, nothing of other submissions, the tests or the\n"
	  "reference; another uid; CPU, memory, process, file-size and open-file\n"
	  "limits; a seccomp filter; a wall-clock limit that kills the whole tree;\n"
	  "capped output). Scores come from the grader, never from the submission.\n"
	  "\n"
	  "  -f, --format F      text, json, gradescope (one submission), junit\n"
	  "                      or tap (default text)\n"
	  "  -o, --output FILE   write there instead of standard output\n"
	  "      --hidden DIR    hidden tests: DIR/EXERCISE/tests.c and tests.json\n"
	  "      --gradebook F   the gradebook CSV (default gradebook.csv for a class)\n"
	  "  -j, --jobs N        submissions graded at once (default: CPUs)\n"
	  "  -s, --seed N        the tests' seed (default: random, printed)\n"
	  "  -r, --rounds N      performance: rounds of the serial code and the\n"
	  "                      submission (default 3; up to 3x more when close)\n"
	  "      --timeout S     one test's wall-clock limit, seconds (default 5)\n"
	  "      --no-perf       skip the performance check\n"
	  "  -q, --quiet         no progress line\n"
	  "\n"
	  "Exit status: 0 graded (whatever the scores), 1 the grader failed,\n"
	  "2 bad usage, 130 interrupted.\n"
	  "\n"
	  "examples:\n"
	  "  bench grade 2 mywork\n"
	  "  bench grade 06-parallel-hash submissions/ --hidden hidden/ -f junit -o grades.xml\n" },
	{ "profile", cmd_profile, "where time and memory go: sampling, exact counts, heap",
	  "usage: bench profile --cpu|--count|--mem [options] WORKLOAD [bench run options]\n"
	  "       bench profile --cpu|--count|--mem [options] -- PROGRAM [ARGS...]\n"
	  "\n"
	  "Runs a workload (as 'bench run WORKLOAD --mode serial', once) or any\n"
	  "dynamically linked program with libbenchprof.so preloaded, then reports:\n"
	  "  --cpu    CPU-time sampling of every thread and every process it forks\n"
	  "           (perf_event, else SIGPROF from setitimer), stacks by libunwind:\n"
	  "           a cProfile-like table (tottime, cumtime per function,\n"
	  "           file:line), collapsed stacks (flamegraph.pl, speedscope),\n"
	  "           Trace Event JSON (Perfetto, chrome://tracing, speedscope: a\n"
	  "           lane per thread, slowlog spans), and callgrind.out.PID files\n"
	  "           (KCachegrind, callgrind_annotate);\n"
	  "  --count  exact call counts and times for code built with\n"
	  "           -finstrument-functions, the hooks' cost calibrated out, with\n"
	  "           the same outputs made from each thread's call tree;\n"
	  "  --mem    the heap: peak, bytes, allocations and bytes live at exit per\n"
	  "           call site, collapsed stacks by bytes, heap and RSS over time\n"
	  "           (a Trace Event counter and a gnuplot chart).\n"
	  "What was collected is kept when the program crashes, exits from a\n"
	  "worker, execs, or gets Ctrl-C; the report says how each process ended.\n"
	  "\n"
	  "      --hz N          samples per CPU second (default 997)\n"
	  "      --interval MS   --mem: heap and RSS every MS ms (default 10)\n"
	  "      --sort K        tottime, cumtime or ncalls (default tottime)\n"
	  "      --top N         rows of the table (default 30)\n"
	  "  -d, --dir DIR       where the files go (default profile/; files of an\n"
	  "                      earlier profile there are replaced)\n"
	  "\n"
	  "Exit status: 0 when the profile was written, whatever the program's\n"
	  "own (the report says how each process ended); 1 when nothing could\n"
	  "be profiled; 2 bad usage; 130 interrupted (what was collected is\n"
	  "reported).\n"
	  "\n"
	  "examples:\n"
	  "  bench profile --cpu hash --mode thread --workers 2\n"
	  "  bench profile --mem wordcount\n"
	  "  bench profile --count -- ./myprog input.txt\n" },
	{ "worker", cmd_worker, "serve mode queue's tasks from a Redis broker",
	  "usage: bench worker --broker URL [--run PREFIX] [--name NAME]\n"
	  "\n"
	  "A worker of mode queue: takes task descriptors from the Redis broker\n"
	  "at URL, prepares the input from the run's seed itself, runs the tasks\n"
	  "and pushes partial results back. 'bench run --mode queue' starts\n"
	  "--workers of these on this machine; start more on other hosts, with\n"
	  "the same bench, to join runs on a shared broker.\n"
	  "\n"
	  "options:\n"
	  "      --broker URL    redis://[:PASSWORD@]HOST[:PORT][/DB] or\n"
	  "                      unix:///PATH[?db=N] (default: $BENCH_BROKER)\n"
	  "      --run PREFIX    serve this run only (its key prefix) and leave when\n"
	  "                      it ends (default: every run announced on the\n"
	  "                      broker, one after another, until Ctrl-C)\n"
	  "      --name NAME     the worker's name in the run's consumer group\n"
	  "                      (default: HOST.PID)\n"
	  "\n"
	  "Exit status: 0 the run ended, 1 the broker cannot be reached, refused\n"
	  "or went away, 2 bad usage, 130 interrupted.\n"
	  "\n"
	  "examples:\n"
	  "  bench worker --broker redis://broker.lan:6379/0\n"
	  "  bench worker --broker unix:///run/redis/redis.sock\n" },
	{ "list", cmd_list, "list workloads and modes",
	  "usage: bench list\n\nLists the workloads and the execution modes.\n" },
	{ "help", cmd_help, "show help for bench or one command",
	  "usage: bench help [COMMAND]\n" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(*commands))

/* Commands that take a workload and so its own options, listed after
 * their usage from the workloads' declarations. */
static const char *const with_workload_options[] = {
	"run", "show", "scale", "complexity", "timeit", NULL
};

void print_help(const char *cmd, FILE *f)
{
	if (cmd) {
		for (size_t i = 0; i < NCOMMANDS; i++) {
			if (strcmp(commands[i].name, cmd) != 0)
				continue;
			fputs(commands[i].usage, f);
			for (size_t k = 0; with_workload_options[k]; k++)
				if (strcmp(with_workload_options[k], cmd) == 0)
					print_workload_options_help(f);
			return;
		}
	}
	fputs("usage: bench COMMAND [options]\n"
	      "       bench --version\n\n"
	      "Measures what parallelism buys: one workload run serially, on a\n"
	      "thread pool, on a process pool and on an async event loop.\n\n"
	      "commands:\n", f);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].summary);
	fputs("\n'bench COMMAND --help' tells more about a command.\n", f);
}

int cmd_help(int argc, char **argv)
{
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		print_help("help", stdout);
		return 0;
	}
	if (argc > 2)
		return usage_error("help", "unexpected argument '%s'", argv[2]);
	if (argc == 2) {
		for (size_t i = 0; i < NCOMMANDS; i++)
			if (strcmp(commands[i].name, argv[1]) == 0) {
				print_help(argv[1], stdout);
				return 0;
			}
		return usage_error("help", "unknown command '%s'", argv[1]);
	}
	print_help(NULL, stdout);
	return 0;
}

static void version(void)
{
	struct bench_context c;

	bench_context_get(&c);
	printf("bench %s (git %s, %s build, %s)\n", c.version, c.git, c.build,
	       c.openssl);
}

/*
 * A command that printed to a full disk or a closed pipe must not exit 0
 * (git's main does the same check).
 */
static int finish(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		error("cannot write to standard output: %s", strerror(errno));
		return status ? status : 1;
	}
	return status;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		print_help(NULL, stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		version();
		return finish(0);
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		print_help(NULL, stdout);
		return finish(0);
	}
	/* A process launched into an executor's job (executor.h) joins it
	 * before anything else. */
	{
		struct bench_err err = { 0 };

		if (bench_executors_init(&argc, &argv, &err) != 0) {
			fprintf(stderr, "bench: %s\n", err.msg);
			return 1;
		}
	}
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strcmp(commands[i].name, argv[1]) == 0) {
			int status = commands[i].fn(argc - 1, argv + 1);

			bench_executors_fini();
			return finish(status);
		}
	}
	bench_executors_fini();
	fprintf(stderr, "bench: unknown command '%s' (see 'bench help')\n", argv[1]);
	return EXIT_USAGE;
}
