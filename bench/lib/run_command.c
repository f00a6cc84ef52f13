/*
 * run_command.c - one run of a whole program: vfork, execve, wait4.
 *
 * vfork rather than posix_spawn for one reason: the child can ask the
 * kernel to SIGKILL it if bench dies (PR_SET_PDEATHSIG), so a second
 * Ctrl-C, which kills bench at once, cannot leave the command running in
 * its own process group where the terminal's Ctrl-C no longer reaches it.
 * vfork rather than fork because fork copies bench's page tables for
 * every run, which measurably inflates a short command's time (about
 * 0.3 ms per `true` here, 40% of it); vfork borrows the parent's memory
 * until execve, as posix_spawn does inside glibc. So the child follows
 * posix_spawn's rules: only async-signal-safe calls, no return from the
 * function that vforked, every signal blocked until its handlers are
 * reset to the default (a handler run in the child would run on the
 * parent's memory).
 *
 * The parent never blocks on the error pipe: it waits for the child to
 * end (polling a pidfd, so that bench_cancel() is seen), and only then
 * reads the pipe without blocking. A child whose exec failed has written
 * its errno before exiting; one that exec'd has written nothing. Reading
 * first and waiting second would hang whenever another thread's forked
 * child inherited the pipe's write end.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/command.h"
#include "bench/cancel.h"

extern char **environ;

/* How long a wait may go without checking bench_cancel(): the bound on
 * a cancellation whose signal arrived just before poll() blocked. */
#define CANCEL_POLL_MS 250

/* What a child whose exec failed sends back. */
struct exec_failure {
	int stage;   /* STAGE_* */
	int errnum;  /* errno */
};

enum { STAGE_STREAMS = 1, STAGE_EXEC = 2 };

static char *dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);

	return d ? memcpy(d, s, n) : NULL;
}

/* dir "/" name, or name alone for an empty dir (the current folder). */
static char *join_path(const char *dir, size_t dirlen, const char *name)
{
	size_t n = strlen(name);
	char *p = malloc(dirlen + 1 + n + 1);

	if (!p)
		return NULL;
	memcpy(p, dir, dirlen);
	if (dirlen)
		p[dirlen++] = '/';
	memcpy(p + dirlen, name, n + 1);
	return p;
}

/* 0 if path can be exec'd, else the errno exec would most usefully give
 * (EISDIR where execve says EACCES: the clearer message). */
static int check_file(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return errno;
	if (S_ISDIR(st.st_mode))
		return EISDIR;
	if (!S_ISREG(st.st_mode) || access(path, X_OK) != 0)
		return EACCES;
	return 0;
}

/* Resolves name like execvp: *path gets a malloc'd file name. Returns 0
 * or an errno (ENOMEM included). */
static int resolve(const char *name, char **path)
{
	const char *search = getenv("PATH"), *p;
	char fallback[256];
	int seen = ENOENT, e;

	if (strchr(name, '/')) {
		if ((e = check_file(name)) != 0)
			return e;
		return (*path = dup_str(name)) ? 0 : ENOMEM;
	}
	if (!search) {
		size_t n = confstr(_CS_PATH, fallback, sizeof(fallback));

		search = n > 0 && n <= sizeof(fallback) ? fallback : "/bin:/usr/bin";
	}
	for (p = search;; p++) {
		size_t len = strcspn(p, ":");
		char *cand = join_path(p, len, name);

		if (!cand)
			return ENOMEM;
		e = check_file(cand);
		if (e == 0) {
			*path = cand;
			return 0;
		}
		free(cand);
		/* Like execvp: a file found but not runnable is reported only
		 * if nothing runnable comes later on PATH. */
		if (e == EACCES || e == EISDIR)
			seen = seen == ENOENT ? e : seen;
		p += len;
		if (!*p)
			break;
	}
	return seen;
}

int bench_command_init(struct bench_command *cmd, char *const *argv,
		       size_t argc, struct bench_err *err)
{
	int e;

	memset(cmd, 0, sizeof(*cmd));
	if (!argv || argc == 0 || !argv[0] || !argv[0][0])
		return bench_err_set(err, BENCH_EINVAL, "missing the command to run");
	cmd->argv = calloc(argc + 1, sizeof(*cmd->argv));
	if (!cmd->argv)
		goto nomem;
	for (size_t i = 0; i < argc; i++) {
		if (!argv[i] || !(cmd->argv[i] = dup_str(argv[i])))
			goto nomem;
		cmd->argc = i + 1;
	}
	e = resolve(argv[0], &cmd->path);
	if (e == ENOMEM)
		goto nomem;
	if (e) {
		bench_command_release(cmd);
		bench_err_set(err, BENCH_ESYS, "cannot run '%s': %s", argv[0],
			      strerror(e));
		errno = e;
		return BENCH_ESYS;
	}
	return 0;
nomem:
	bench_command_release(cmd);
	return bench_err_set(err, BENCH_ENOMEM, "out of memory copying a command");
}

void bench_command_release(struct bench_command *cmd)
{
	if (!cmd)
		return;
	if (cmd->argv)
		for (size_t i = 0; i < cmd->argc; i++)
			free(cmd->argv[i]);
	free(cmd->argv);
	free(cmd->path);
	memset(cmd, 0, sizeof(*cmd));
}

/* The child, from fork to exec: async-signal-safe calls only. src[i] is
 * the descriptor that becomes i, or -1 to keep the inherited one. */
/* noinline: the vfork child must use a frame of its own, below the
 * parent's, never slots of bench_command_run's frame. */
static void __attribute__((noreturn, noinline))
child_main(const struct bench_command *cmd, const int src[3], int errfd,
	   pid_t parent)
{
	struct exec_failure f = { STAGE_STREAMS, 0 };
	sigset_t none;
	int fd[3];

	/* Signals are still blocked (see bench_command_run): drop the
	 * parent's handlers before unblocking them. */
	for (int sig = 1; sig < NSIG; sig++) {
		struct sigaction sa;

		if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler != SIG_DFL &&
		    sa.sa_handler != SIG_IGN) {
			sa.sa_handler = SIG_DFL;
			sa.sa_flags = 0;
			sigaction(sig, &sa, NULL);
		}
	}
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	/* A source among 0..2 could be overwritten by an earlier dup2:
	 * move such sources above 2 first. */
	for (int i = 0; i < 3; i++) {
		fd[i] = src[i];
		if (fd[i] >= 0 && fd[i] < 3 && fd[i] != i &&
		    (fd[i] = fcntl(fd[i], F_DUPFD_CLOEXEC, 3)) < 0)
			goto fail;
	}
	for (int i = 0; i < 3; i++) {
		if (fd[i] == i) {
			if (fcntl(i, F_SETFD, 0) < 0)
				goto fail;
		} else if (fd[i] >= 0 && dup2(fd[i], i) < 0) {
			goto fail;
		}
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	f.stage = STAGE_EXEC;
	execve(cmd->path, cmd->argv, environ);
fail:
	f.errnum = errno;
	if (write(errfd, &f, sizeof(f)) != (ssize_t)sizeof(f))
		_exit(126);
	_exit(127);
}

static bench_ns tv_ns(struct timeval tv)
{
	return (bench_ns)tv.tv_sec * BENCH_NS_PER_S +
	       (bench_ns)tv.tv_usec * BENCH_NS_PER_US;
}

/* Reaps pid, blocking. Returns 0 or an errno. */
static int reap(pid_t pid, int *status, struct rusage *ru)
{
	while (wait4(pid, status, 0, ru) < 0)
		if (errno != EINTR)
			return errno;
	return 0;
}

static void kill_group(pid_t pid)
{
	kill(-pid, SIGKILL);  /* the group it started in */
	kill(pid, SIGKILL);   /* in case it moved to another one */
}

/*
 * Waits for pid to end and reaps it, killing its group first if
 * bench_cancel() is called. A pidfd lets poll() wake on the exit and time
 * out to look at the cancel flag; without pidfds (kernels before 5.3,
 * some sandboxes) a blocking wait4 relies on the signal's EINTR.
 * Returns 0 or an errno; *canceled says whether it killed the child.
 */
/*
 * A child stopped by job control (SIGTTIN or SIGTTOU: it touched the
 * terminal from its background process group) would never end by
 * itself: it is killed and reaped, and *stop_sig says why.
 */
static int stopped(pid_t pid, int *stop_sig)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)pid, &si, WSTOPPED | WNOHANG | WNOWAIT) == 0 &&
	    si.si_pid == pid && si.si_code == CLD_STOPPED) {
		*stop_sig = si.si_status;
		return 1;
	}
	return 0;
}

/* A cancel's polite first step: the signal to the group, then up to
 * grace for the program to end by itself (it stays unreaped). */
static void ask_to_stop(pid_t pid, int sig, bench_ns grace)
{
	bench_ns until = bench_clock_now() + grace;
	siginfo_t si;

	kill(-pid, sig);
	while (bench_clock_now() < until) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
		    si.si_pid == pid)
			return;
		nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	}
}

static int wait_child(pid_t pid, const struct bench_command_opts *opts,
		      int *status, struct rusage *ru, int *canceled,
		      int *stop_sig)
{
#ifdef SYS_pidfd_open
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
#else
	int pidfd = -1;
#endif
	int rc = 0;

	*canceled = 0;
	*stop_sig = 0;
	for (;;) {
		if (bench_canceled() || stopped(pid, stop_sig)) {
			if (!*stop_sig && opts->cancel_signal)
				ask_to_stop(pid, opts->cancel_signal,
					    opts->cancel_grace_ns);
			kill_group(pid);
			*canceled = !*stop_sig;
			rc = reap(pid, status, ru);
			break;
		}
		if (pidfd >= 0) {
			struct pollfd p = { pidfd, POLLIN, 0 };
			int n = poll(&p, 1, CANCEL_POLL_MS);

			if (n > 0) {
				rc = reap(pid, status, ru);
				break;
			}
			if (n < 0 && errno != EINTR) {
				close(pidfd);
				pidfd = -1;
			}
			continue;
		}
		if (wait4(pid, status, WUNTRACED, ru) == pid) {
			if (!WIFSTOPPED(*status))
				break;
			*stop_sig = WSTOPSIG(*status);
			kill_group(pid);
			rc = reap(pid, status, ru);
			break;
		}
		if (errno != EINTR) {
			rc = errno;
			break;
		}
	}
	if (pidfd >= 0)
		close(pidfd);
	return rc;
}

static void fill_status(struct bench_command_result *out, int status,
			const struct rusage *ru)
{
	out->status = status;
	out->exited = WIFEXITED(status);
	out->exit_code = out->exited ? WEXITSTATUS(status) : -1;
	out->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	out->core_dumped = WIFSIGNALED(status) && WCOREDUMP(status);
	out->user_ns = tv_ns(ru->ru_utime);
	out->sys_ns = tv_ns(ru->ru_stime);
	out->maxrss_kb = ru->ru_maxrss > 0 ? (uint64_t)ru->ru_maxrss : 0;
}

int bench_command_run(const struct bench_command *cmd,
		      const struct bench_command_opts *opts,
		      struct bench_command_result *out, struct bench_err *err)
{
	static const struct bench_command_opts defaults;
	/* Kept in memory, not in a register vfork could clobber. */
	struct bench_command_opts o = opts ? *opts : defaults;
	struct exec_failure f;
	struct rusage ru;
	int src[3], pipefd[2], devnull = -1, status = 0, canceled, stop_sig, e;
	bench_ns start;
	ssize_t got;
	pid_t pid, self = getpid();
	sigset_t all, saved;

	if (!out)
		return bench_err_set(err, BENCH_EINVAL, "no result to fill");
	memset(out, 0, sizeof(*out));
	out->exit_code = -1;
	if (!cmd || !cmd->argv || !cmd->path)
		return bench_err_set(err, BENCH_EINVAL, "no command to run");
	for (int i = 0; i < 3; i++) {
		switch (o.stream[i]) {
		case BENCH_STREAM_NULL:
			if (devnull < 0 &&
			    (devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
				return bench_err_set(err, BENCH_ESYS,
						     "cannot open '/dev/null': %s",
						     strerror(errno));
			src[i] = devnull;
			break;
		case BENCH_STREAM_INHERIT:
			src[i] = -1;
			break;
		case BENCH_STREAM_FD:
			src[i] = o.fd[i];
			if (src[i] >= 0)
				break;
			/* fall through */
		default:
			if (devnull >= 0)
				close(devnull);
			return bench_err_set(err, BENCH_EINVAL,
					     "bad descriptor for stream %d", i);
		}
	}
	if (bench_canceled()) {
		if (devnull >= 0)
			close(devnull);
		return bench_err_set(err, BENCH_ECANCELED, "interrupted");
	}
	if (pipe2(pipefd, O_CLOEXEC | O_NONBLOCK) != 0) {
		e = errno;
		if (devnull >= 0)
			close(devnull);
		return bench_err_set(err, BENCH_ESYS, "cannot create a pipe: %s",
				     strerror(e));
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &saved);
	start = bench_clock_now();
	pid = vfork();
	if (pid == 0)
		child_main(cmd, src, pipefd[1], self);
	e = errno;
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	close(pipefd[1]);
	if (devnull >= 0)
		close(devnull);
	if (pid < 0) {
		close(pipefd[0]);
		return bench_err_set(err, BENCH_ESYS, "cannot fork to run '%s': %s",
				     cmd->argv[0], strerror(e));
	}
	/* Also here, so that the group exists whichever runs first. */
	setpgid(pid, pid);
	memset(&ru, 0, sizeof(ru));
	e = wait_child(pid, &o, &status, &ru, &canceled, &stop_sig);
	out->wall_ns = bench_clock_now() - start;
	got = read(pipefd[0], &f, sizeof(f));
	close(pipefd[0]);
	if (e)
		return bench_err_set(err, BENCH_ESYS, "cannot wait for '%s' (pid %ld): %s",
				     cmd->argv[0], (long)pid, strerror(e));
	fill_status(out, status, &ru);
	if (canceled)
		return bench_err_set(err, BENCH_ECANCELED,
				     "interrupted: '%s' was killed and reaped",
				     cmd->argv[0]);
	if (stop_sig)
		return bench_err_set(err, BENCH_ESYS,
				     "'%s' was stopped by SIG%s: it used the terminal, which the timed command does not get; it was killed",
				     cmd->argv[0], sigabbrev_np(stop_sig) ?
				     sigabbrev_np(stop_sig) : "?");
	if (got == (ssize_t)sizeof(f)) {
		out->exec_errno = f.errnum;
		if (f.stage == STAGE_STREAMS)
			return bench_err_set(err, BENCH_ESYS,
					     "cannot redirect the standard streams of '%s': %s",
					     cmd->argv[0], strerror(f.errnum));
		return bench_err_set(err, BENCH_ESYS, "cannot run '%s': %s",
				     cmd->argv[0], strerror(f.errnum));
	}
	return 0;
}

char *bench_command_describe(const struct bench_command_result *r, char *buf,
			     size_t len)
{
	const char *abbrev, *descr;
	char name[32];

	if (len == 0)
		return buf;
	if (r->exited && r->exit_code == 0) {
		snprintf(buf, len, "exited normally");
	} else if (r->exited) {
		snprintf(buf, len, "exited with status %d", r->exit_code);
	} else if (r->signal) {
		abbrev = sigabbrev_np(r->signal);
		descr = sigdescr_np(r->signal);
		if (abbrev)
			snprintf(name, sizeof(name), "SIG%s", abbrev);
		else
			snprintf(name, sizeof(name), "%d", r->signal);
		snprintf(buf, len, "was killed by signal %s (%s%s)", name,
			 descr ? descr : "unknown signal",
			 r->core_dumped ? ", core dumped" : "");
	} else {
		snprintf(buf, len, "ended with wait status %#x", r->status);
	}
	return buf;
}

int bench_command_failed(const struct bench_command_result *r)
{
	return !(r->exited && r->exit_code == 0);
}

int bench_command_split(const char *text, char ***argv)
{
	size_t words = 0, len = strlen(text);
	const char *p = text;
	char **v, *s;
	int in = 0;

	for (p = text; *p; p++) {
		int blank = *p == ' ' || *p == '\t';

		words += !blank && !in;
		in = !blank;
	}
	if (words > (size_t)INT32_MAX)
		return BENCH_ENOMEM;
	/* One block: words + 1 pointers, then the text with NULs between
	 * words (never longer than the text itself). */
	v = malloc((words + 1) * sizeof(*v) + len + 1);
	if (!v)
		return BENCH_ENOMEM;
	s = (char *)(v + words + 1);
	words = 0;
	for (p = text; *p;) {
		size_t n;

		p += strspn(p, " \t");
		if (!*p)
			break;
		n = strcspn(p, " \t");
		v[words++] = s;
		memcpy(s, p, n);
		s[n] = '\0';
		s += n + 1;
		p += n;
	}
	v[words] = NULL;
	*argv = v;
	return (int)words;
}
