/*
 * launch.h - the CLI's launchers: starting this same command as the
 * processes of a launched executor's job (BENCH_EXEC_LAUNCHED).
 *
 * A measuring command whose modes include a launched one, run outside
 * that executor's job, hands itself to the launcher of that mode, which
 * starts the job (`mpirun -n N bench run ...`), waits for it and returns
 * its exit status; each process of the job then runs the command again,
 * inside. Launchers are one file each (launch_<name>.c) with one row in
 * launch.c's table. Their options are declared here so that every
 * measuring command accepts them and its help lists them.
 */
#ifndef BENCH_CLI_LAUNCH_H
#define BENCH_CLI_LAUNCH_H

#include <stdio.h>

#include "bench/executor.h"

struct session;

/* Set by a launcher for the job's processes when standard error was a
 * terminal (theirs is a pipe), so they still show progress. */
#define LAUNCH_TTY_ENV "BENCH_LAUNCH_TTY"

/* Option codes of the launchers' options: OPT_LAUNCH + k, k indexing
 * session.launch_opt[]. */
enum { OPT_LAUNCH = 512 };
enum { LAUNCH_HOSTFILE, LAUNCH_HOST, LAUNCH_OPTIONS_MAX };

/* getopt_long rows for the launchers' options. */
#define LAUNCH_OPTIONS                                                   \
	{ "hostfile", required_argument, NULL, OPT_LAUNCH + LAUNCH_HOSTFILE }, \
	{ "host", required_argument, NULL, OPT_LAUNCH + LAUNCH_HOST }

/* The launchers' lines in the help of run and scale. */
#define LAUNCH_OPTIONS_HELP                                                    \
	"      --hostfile F    mode mpi: the hosts mpirun starts ranks on (default:\n" \
	"                      this machine, oversubscribed past its cores)\n"     \
	"      --host LIST     mode mpi: hosts as mpirun takes them (a:2,b:2)\n"

/* What `bench run --help` says about launched modes. */
#define LAUNCH_RUN_HELP                                                        \
	"Mode mpi runs it on the ranks of an Open MPI job: bench starts itself\n"  \
	"under 'mpirun -n WORKERS' (as root, only with OMPI_ALLOW_RUN_AS_ROOT=1\n"  \
	"OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 set), and 'mpirun -n N bench run ...'\n" \
	"works too; serial runs beside it.\n"

/* Examples for the help of run and scale. */
#define LAUNCH_RUN_EXAMPLES                                                    \
	"  bench run hash --mode mpi --workers 8 --hostfile hosts\n"
#define LAUNCH_SCALE_EXAMPLES                                                  \
	"  bench scale hash --modes thread,process,mpi --workers 1,2,4\n"
#define LAUNCH_SCALE_MODES "and mpi, which starts bench under mpirun"

struct launcher {
	const char *mode; /* the executor whose jobs it starts */
	/* Starts the job with `processes` processes running s's command,
	 * waits, and returns the exit status (after one line saying what
	 * went wrong when a process of the job died). */
	int (*launch)(const struct session *s, unsigned processes);
};

extern const struct launcher launcher_mpi;

/*
 * Runs s's command as the job of ex with `processes` processes through
 * ex's launcher (after ex->can_launch agreed); prints one line and
 * returns 1 when there is none. Returns the exit status.
 */
int launch(const struct session *s, const struct bench_executor *ex,
	   unsigned processes);

/* The modes launchers start, as "mpi" or "mpi, ...", for messages. */
const char *launcher_modes(void);

#endif
