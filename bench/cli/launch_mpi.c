/*
 * launch_mpi.c - the launcher of mode mpi: outside an MPI job, run this
 * same command under mpirun, as `mpirun -n RANKS bench run ...`.
 *
 * The options given to mpirun:
 *   --bind-to none    Open MPI pins each rank to a core by default, which
 *                     would squeeze rank 0's thread and process pools (the
 *                     other modes of the same run) onto one core;
 *   --oversubscribe   without --hostfile or --host, when there are more
 *                     ranks than local cores (as `--workers 8` on a laptop);
 *                     with them, the hostfile's slots are the user's word;
 *   -x VAR            the launch time and the tests' fault injector reach
 *                     ranks on other hosts too.
 * Open MPI refuses to run as root unless its own opt-in is set; bench
 * does not set it behind the user's back, it says how.
 *
 * mpirun is a tree run of run_command (bench/command.h): bench is the
 * job's subreaper meanwhile, so when mpirun dies before its ranks (killed
 * on Ctrl-C, or leaving after a crash without reaping), they come back to
 * bench, which kills and reaps them: no rank outlives the command.
 *
 * Nor does a file. Open MPI keeps a session folder (orte_tmpdir_base,
 * /tmp/ompi.HOST.UID) and its ranks' shared-memory segments
 * (btl_vader_backing_directory, /dev/shm/vader_segment.*, 4 MiB each),
 * and removes them only when the job ends in order: a rank's crash or a
 * Ctrl-C left both behind, in RAM. So each job gets a private folder
 * (mkdtemp, in /dev/shm where there is one) for both, and bench removes
 * it whatever way the job ended. On Ctrl-C mpirun first gets SIGTERM and
 * MPIRUN_GRACE_NS to stop its ranks, then SIGKILL. A folder left by a
 * bench that was itself killed is removed by the next launch (its name
 * carries the pid of the bench that made it). With --hostfile or --host
 * Open MPI's defaults stay, on every host: the folder exists on this host
 * alone, and Open MPI takes no session folder for this host different
 * from the others' (orte_local_tmpdir_base clashes with what mpirun hands
 * its ranks).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cli.h"

/* How long mpirun has to stop its ranks after SIGTERM on Ctrl-C. */
#define MPIRUN_GRACE_NS (3 * BENCH_NS_PER_S)

#define JOB_DIR_PREFIX "bench-mpi."

/* Removes the job folders in base whose bench is gone ("bench-mpi.PID.
 * XXXXXX", owned by this user, PID no longer running). */
static void remove_stale_job_dirs(const char *base)
{
	DIR *d = opendir(base);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char path[PATH_MAX], *end;
		struct stat st;
		long pid;

		if (strncmp(e->d_name, JOB_DIR_PREFIX, strlen(JOB_DIR_PREFIX)))
			continue;
		pid = strtol(e->d_name + strlen(JOB_DIR_PREFIX), &end, 10);
		if (pid <= 0 || *end != '.' ||
		    (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
			continue;
		snprintf(path, sizeof(path), "%s/%s", base, e->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) &&
		    st.st_uid == geteuid())
			remove_tree(path);
	}
	if (d)
		closedir(d);
}

/* Makes the job's private folder into dir: in /dev/shm when bench may
 * write there (where Open MPI puts its segments anyway), else in $TMPDIR
 * or /tmp. Returns 0, or -1 after an error. */
static int make_job_dir(char *dir, size_t len)
{
	const char *base = getenv("TMPDIR");
	struct stat st;

	if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
	    access("/dev/shm", W_OK | X_OK) == 0)
		base = "/dev/shm";
	else if (!base || base[0] != '/')
		base = "/tmp";
	remove_stale_job_dirs(base);
	snprintf(dir, len, "%s/" JOB_DIR_PREFIX "%ld.XXXXXX", base,
		 (long)getpid());
	if (!mkdtemp(dir)) {
		error("cannot create a folder for the MPI job's files in '%s': %s",
		      base, strerror(errno));
		return -1;
	}
	return 0;
}

static int root_refused(void)
{
	const char *a = getenv("OMPI_ALLOW_RUN_AS_ROOT");
	const char *b = getenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM");

	return geteuid() == 0 && !(a && strcmp(a, "1") == 0 && b &&
				   strcmp(b, "1") == 0);
}

static int mpi_launch(const struct session *s, unsigned ranks)
{
	const char *hostfile = s->launch_opt[LAUNCH_HOSTFILE];
	const char *host = s->launch_opt[LAUNCH_HOST];
	char exe[PATH_MAX], n[16], launched[32];
	char **argv = calloc((size_t)s->argc + 24, sizeof(*argv));
	struct bench_command cmd = { 0 };
	struct bench_command_opts io = {
		.stream = { BENCH_STREAM_INHERIT, BENCH_STREAM_INHERIT,
			    BENCH_STREAM_INHERIT },
		.cancel_signal = SIGTERM,
		.cancel_grace_ns = MPIRUN_GRACE_NS,
	};
	char jobdir[PATH_MAX], env_session[PATH_MAX + 64], env_shm[PATH_MAX + 64];
	char *env[] = { env_session, env_shm, NULL };
	struct bench_command_result res;
	struct bench_err err = { 0 };
	struct timespec now;
	size_t k = 0;
	ssize_t len;
	int status;

	if (!argv) {
		error("out of memory");
		return 1;
	}
	if (root_refused()) {
		free(argv);
		error("--mode mpi as root: Open MPI refuses to run as root unless you opt in with OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 in the environment (see README, Cluster runs)");
		return 1;
	}
	if (hostfile && access(hostfile, R_OK) != 0) {
		free(argv);
		error("--hostfile %s: %s", hostfile, strerror(errno));
		return 1;
	}
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len <= 0) {
		free(argv);
		error("cannot find bench's own executable: %s", strerror(errno));
		return 1;
	}
	exe[len] = '\0';
	clock_gettime(CLOCK_REALTIME, &now);
	snprintf(launched, sizeof(launched), "%lld",
		 (long long)now.tv_sec * 1000000000LL + now.tv_nsec);
	setenv(BENCH_LAUNCH_ENV, launched, 1);
	if (!s->quiet && isatty(STDERR_FILENO))
		setenv(LAUNCH_TTY_ENV, "1", 1);
	snprintf(n, sizeof(n), "%u", ranks);

	argv[k++] = "mpirun";
	argv[k++] = "-n";
	argv[k++] = n;
	argv[k++] = "--quiet";
	argv[k++] = "--bind-to";
	argv[k++] = "none";
	if (hostfile) {
		argv[k++] = "--hostfile";
		argv[k++] = (char *)hostfile;
	}
	if (host) {
		argv[k++] = "--host";
		argv[k++] = (char *)host;
	}
	if (!hostfile && !host)
		argv[k++] = "--oversubscribe";
	argv[k++] = "-x";
	argv[k++] = BENCH_LAUNCH_ENV;
	if (getenv(LAUNCH_TTY_ENV)) {
		argv[k++] = "-x";
		argv[k++] = LAUNCH_TTY_ENV;
	}
	if (getenv("BENCH_TEST_CRASH_TASK")) {
		argv[k++] = "-x";
		argv[k++] = "BENCH_TEST_CRASH_TASK";
	}
	argv[k++] = exe;
	for (int i = 0; i < s->argc; i++)
		argv[k++] = s->argv[i];

	if (make_job_dir(jobdir, sizeof(jobdir)) != 0) {
		free(argv);
		return 1;
	}
	snprintf(env_session, sizeof(env_session),
		 "OMPI_MCA_orte_tmpdir_base=%s", jobdir);
	snprintf(env_shm, sizeof(env_shm),
		 "OMPI_MCA_btl_vader_backing_directory=%s", jobdir);
	if (hostfile || host)
		env[0] = NULL;  /* the folder is on this host only */
	if (bench_command_init(&cmd, argv, k, &err) != 0) {
		remove_tree(jobdir);
		free(argv);
		if (err.code == BENCH_ESYS)
			error("--mode mpi needs mpirun (Open MPI), which is not on PATH: install openmpi-bin (make deps)");
		else
			error("%s", err.msg);
		return 1;
	}
	free(argv);
	cmd.tree = 1;
	cmd.env = env;
	install_signal_handlers();
	status = bench_command_run(&cmd, &io, &res, &err);
	bench_command_release(&cmd);
	remove_tree(jobdir);
	bench_command_result_release(&res);
	if (status == BENCH_ECANCELED) {
		error("interrupted; mpirun and every rank stopped, nothing written");
		return EXIT_INTERRUPTED;
	}
	if (status) {
		error("%s", err.msg);
		return 1;
	}
	if (!bench_command_failed(&res))
		return 0;
	/* Rank 0 has said what went wrong when it exited 1, 2 or 130. */
	if (res.exited && (res.exit_code == 1 || res.exit_code == EXIT_USAGE ||
			   res.exit_code == EXIT_INTERRUPTED))
		return res.exit_code;
	{
		char how[128];

		error("mpi: a rank died, so mpirun stopped the job: mpirun %s (its report is above)",
		      bench_command_describe(&res, how, sizeof(how)));
	}
	return 1;
}

const struct launcher launcher_mpi = { "mpi", mpi_launch };
