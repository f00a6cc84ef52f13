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
	  "\n"
	  "  -m, --mode LIST     serial,thread,process,async or all (default all)\n"
	  "  -w, --workers N     threads, processes, or async tasks in flight\n"
	  "                      (default: the CPUs available)\n"
	  "  -n, --size N        items: hash CPFs, search list length, range rows,\n"
	  "                      sleep tasks (default: see 'bench list')\n"
	  "  -c, --chunk N       items per task (default: items / (4 x workers), as\n"
	  "                      Python's Pool.map; 1 for sleep)\n"
	  "  -r, --repeat N      timed samples per mode (default 6)\n"
	  "      --warmup N      untimed rounds before them (default 1)\n"
	  "  -s, --seed N        seed of the generated input (default 1)\n"
	  "      --queries N     search: how many searches (default 1000)\n"
	  "      --max-ms N      sleep: longest wait of a task, ms (default 50)\n"
	  "  -f, --format F      table, json, csv or markdown (default table)\n"
	  "  -o, --output FILE   write there instead of standard output; the file\n"
	  "                      appears whole or not at all\n"
	  "  -q, --quiet         no progress line\n"
	  "\n"
	  "Numbers take k, M and G suffixes (1M = 1000000).\n"
	  "Exit status: 0 done, 1 failure (a worker died, checksums differ),\n"
	  "2 bad usage, 130 interrupted.\n"
	  "\n"
	  "examples:\n"
	  "  bench run hash --workers 8\n"
	  "  bench run sleep --workers 40 --mode serial,async\n"
	  "  bench run range --chunk 1 --size 100k --mode serial,thread\n" },
	{ "show", cmd_show, "print a workload's items and results as text",
	  "usage: bench show WORKLOAD [--size N] [--seed N] [--queries N] [--max-ms N]\n"
	  "\n"
	  "Prints one line per item (default 10 items), with its result:\n"
	  "  hash    cpf pepper sha256(\"aaaaa\" cpf pepper)\n"
	  "  search  target 'found at' position, or target 'not found'\n"
	  "  range   the row's five values, then how many lie in [4, 8]\n"
	  "  sleep   task, wait in ms, result\n"
	  "\n"
	  "Check a hash line with:  printf 'aaaaa%s%s' CPF PEPPER | sha256sum\n" },
	{ "list", cmd_list, "list workloads and modes",
	  "usage: bench list\n\nLists the workloads and the execution modes.\n" },
	{ "help", cmd_help, "show help for bench or one command",
	  "usage: bench help [COMMAND]\n" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(*commands))

void print_help(const char *cmd, FILE *f)
{
	if (cmd) {
		for (size_t i = 0; i < NCOMMANDS; i++) {
			if (strcmp(commands[i].name, cmd) == 0) {
				fputs(commands[i].usage, f);
				return;
			}
		}
	}
	fputs("usage: bench COMMAND [options]\n"
	      "       bench --version\n\n"
	      "Measures what parallelism buys: one workload run serially, on a\n"
	      "thread pool, on a process pool and on an async event loop.\n\n"
	      "commands:\n", f);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-6s %s\n", commands[i].name, commands[i].summary);
	fputs("\n'bench COMMAND --help' tells more about a command.\n", f);
}

int cmd_help(int argc, char **argv)
{
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
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, argv[1]) == 0)
			return finish(commands[i].fn(argc - 1, argv + 1));
	fprintf(stderr, "bench: unknown command '%s' (see 'bench help')\n", argv[1]);
	return EXIT_USAGE;
}
