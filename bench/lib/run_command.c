/*
 * run_command.c - start, watch and reap child processes (command.h).
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
 * parent's memory). A command with a setup, or a function, forks
 * instead: the caller's code runs in that child, and some of it cannot
 * run in a vfork child (glibc's setresuid signals every thread of the
 * process, which in a vfork child are the parent's).
 *
 * One loop watches a run: poll() on a pidfd (the child's exit), on the
 * pipes it captures and on the stdin pipe it feeds, waking at least every
 * quarter second to look at bench_cancel() and the deadline. The parent
 * never blocks on the error pipe: once the child is reaped, it reads the
 * pipe without blocking. A child whose exec failed has written its errno
 * before exiting; one that exec'd has written nothing. Reading first and
 * waiting second would hang whenever another thread's forked child
 * inherited the pipe's write end.
 *
 * Children being waited for are listed (live), and a fork happens with
 * the list locked, so that reaping orphans - after a tree run, or in
 * bench_command_reap_orphan() - never takes a child another run waits
 * for.
 */
#include <dirent.h>
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
#include <time.h>
#include <unistd.h>

#include "bench/command.h"
#include "bench/cancel.h"

extern char **environ;

#define NFDS BENCH_COMMAND_FDS

/* How long a wait may go without checking bench_cancel() and the stop
 * of the child: the bound on a cancellation whose signal arrived just
 * before poll() blocked. */
#define CANCEL_POLL_MS 250
/* Without a pidfd, how often a run with pipes or a deadline looks at
 * whether the child has ended. */
#define NO_PIDFD_POLL_MS 10
/* Reads of one pipe per wake-up, so that a flood cannot starve the
 * deadline and flood checks; and after the reap, the most read from a
 * pipe a descendant may go on writing to. */
#define READS_PER_WAKE 16
#define READS_AFTER_END 1024
#define READ_CHUNK 16384
#define WRITE_CHUNK 65536
/* How long a tree run waits for the killed rest of the tree to die. */
#define TREE_WAIT_NS (10 * BENCH_NS_PER_S)

/* What a child that failed before (or at) its exec sends back. */
struct exec_failure {
	int stage;   /* STAGE_* */
	int errnum;  /* errno */
};

enum { STAGE_STREAMS = 1, STAGE_SETUP, STAGE_EXEC };

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

int bench_command_init_fn(struct bench_command *cmd, const char *name,
			  int (*fn)(void *arg), void *arg,
			  struct bench_err *err)
{
	memset(cmd, 0, sizeof(*cmd));
	if (!fn || !name || !name[0])
		return bench_err_set(err, BENCH_EINVAL, "missing the function to run");
	cmd->argv = calloc(2, sizeof(*cmd->argv));
	if (!cmd->argv || !(cmd->argv[0] = dup_str(name))) {
		free(cmd->argv);
		cmd->argv = NULL;
		return bench_err_set(err, BENCH_ENOMEM, "out of memory copying a command");
	}
	cmd->argc = 1;
	cmd->fn = fn;
	cmd->fn_arg = arg;
	return 0;
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

void bench_command_result_release(struct bench_command_result *r)
{
	if (!r)
		return;
	for (int i = 0; i < NFDS; i++) {
		free(r->output[i].data);
		r->output[i].data = NULL;
	}
}

/* ------------------------------------------------------------------------
 * Children being waited for, and orphans. */

struct live_child {
	pid_t pid;
	struct live_child *next;
};

static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static struct live_child *live;

/* live_lock held. */
static int is_live(pid_t pid)
{
	for (struct live_child *c = live; c; c = c->next)
		if (c->pid == pid)
			return 1;
	return 0;
}

static void live_remove(struct live_child *node)
{
	pthread_mutex_lock(&live_lock);
	for (struct live_child **p = &live; *p; p = &(*p)->next)
		if (*p == node) {
			*p = node->next;
			break;
		}
	pthread_mutex_unlock(&live_lock);
}

int bench_command_reap_orphan(pid_t pid)
{
	int reaped = 0;

	if (pid <= 0)
		return 0;
	pthread_mutex_lock(&live_lock);
	if (!is_live(pid))
		reaped = waitpid(pid, NULL, WNOHANG) == pid;
	pthread_mutex_unlock(&live_lock);
	return reaped;
}

/* The parent in /proc/PID/stat ("pid (comm) state ppid ..."), or -1. */
static pid_t parent_of(const char *pid)
{
	char path[64], buf[512], *p;
	long ppid;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%.20s/stat", pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* comm may hold spaces and parentheses: the last ')' ends it. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %ld", &ppid) != 1)
		return -1;
	return (pid_t)ppid;
}

/* Kills the caller's children that no run waits for (orphans handed to
 * it as subreaper) and reaps those that have died. Returns how many are
 * still there. */
static int end_orphans(void)
{
	pid_t self = getpid();
	DIR *d = opendir("/proc");
	struct dirent *e;
	int left = 0;

	while (d && (e = readdir(d))) {
		pid_t pid;

		if (e->d_name[0] < '1' || e->d_name[0] > '9' ||
		    parent_of(e->d_name) != self)
			continue;
		pid = (pid_t)atol(e->d_name);
		pthread_mutex_lock(&live_lock);
		if (!is_live(pid)) {
			kill(pid, SIGKILL);
			left += waitpid(pid, NULL, WNOHANG) != pid;
		}
		pthread_mutex_unlock(&live_lock);
	}
	if (d)
		closedir(d);
	return left;
}

/* After a tree run's child is reaped: what is left of its group and every
 * orphan are killed and reaped, until none is left or TREE_WAIT_NS. A
 * group member that is no child of ours (its parent still alive) is
 * waited for until it is gone. An empty group is never signalled again:
 * its number is free for another process to lead a group with. */
static void end_tree(pid_t pgid)
{
	bench_ns until = bench_clock_now() + TREE_WAIT_NS;
	int group = 1;

	for (;;) {
		int left = 0;

		if (group && kill(-pgid, SIGKILL) == 0) {
			left = 1;
			while (waitpid(-pgid, NULL, WNOHANG) > 0)
				continue;
		} else {
			group = 0;
		}
		left += end_orphans();
		if (!left || bench_clock_now() >= until)
			return;
		nanosleep(&(struct timespec){ 0, 2000000 }, NULL);
	}
}

/* The subreaper attribute is process-wide: tree runs in several threads
 * share it, and the last one restores what the caller had. */
static pthread_mutex_t tree_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned tree_runs;
static int subreaper_before;

static void tree_enter(void)
{
	pthread_mutex_lock(&tree_lock);
	if (tree_runs++ == 0) {
		int was = 0;

		if (prctl(PR_GET_CHILD_SUBREAPER, &was, 0, 0, 0) != 0)
			was = 0;
		subreaper_before = was;
		if (!was)
			prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	}
	pthread_mutex_unlock(&tree_lock);
}

static void tree_leave(void)
{
	pthread_mutex_lock(&tree_lock);
	if (--tree_runs == 0 && !subreaper_before)
		prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
	pthread_mutex_unlock(&tree_lock);
}

/* ------------------------------------------------------------------------
 * The child. */

/* What the child does, decided in the parent: a vfork child may not
 * allocate. */
struct plan {
	const struct bench_command *cmd;
	char *const *envp;   /* the environment to exec with */
	int src[NFDS];       /* the descriptor that becomes i; -1: i is
				left as it is */
	int to_stdout[NFDS]; /* 1: i becomes a copy of 1 */
	int parent_end[NFDS];/* the parent's end of i's pipe, or -1 */
	int close_from;      /* close_fds: the first descriptor not to
				inherit; 0: keep all */
	int new_group;       /* 1: a process group of its own */
	int errfd;           /* the error pipe's write end */
	pid_t parent;
};

/* Arms the parent-death signal; 0 if the parent is already gone. */
static int watched_by(pid_t parent)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	return getppid() == parent;
}

/* Descriptors from first up: marked close-on-exec, or closed. */
static void close_from(int first, int at_exec)
{
	struct rlimit rl;
	int max = 65536;

#ifdef CLOSE_RANGE_CLOEXEC
	if (close_range((unsigned)first, ~0u, at_exec ? CLOSE_RANGE_CLOEXEC : 0) == 0)
		return;
#endif
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)max)
		max = (int)rl.rlim_cur;
	for (int fd = first; fd < max; fd++)
		if (at_exec)
			fcntl(fd, F_SETFD, FD_CLOEXEC);
		else
			close(fd);
}

/* The child, from fork to exec (or fn): async-signal-safe calls only.
 * noinline: a vfork child must use a frame of its own, below the
 * parent's, never slots of bench_command_run's frame. */
static void __attribute__((noreturn, noinline))
child_main(const struct plan *p)
{
	const struct bench_command *cmd = p->cmd;
	struct exec_failure f = { STAGE_STREAMS, 0 };
	sigset_t none;
	int fd[NFDS];

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
	if (p->new_group)
		setpgid(0, 0);
	if (!watched_by(p->parent))
		_exit(127);
	/* A source among 0..3 could be overwritten by an earlier dup2:
	 * move such sources above 3 first. */
	for (int i = 0; i < NFDS; i++) {
		fd[i] = p->src[i];
		if (fd[i] >= 0 && fd[i] < NFDS && fd[i] != i &&
		    (fd[i] = fcntl(fd[i], F_DUPFD_CLOEXEC, NFDS)) < 0)
			goto fail;
	}
	for (int i = 0; i < NFDS; i++) {
		if (fd[i] == i) {
			if (fcntl(i, F_SETFD, 0) < 0)
				goto fail;
		} else if (fd[i] >= 0 && dup2(fd[i], i) < 0) {
			goto fail;
		}
	}
	for (int i = 0; i < NFDS; i++) {
		if (p->to_stdout[i] && dup2(1, i) < 0)
			goto fail;
		/* A function does not exec: its own stdin's write end would
		 * keep it from ever seeing end of file. */
		if (p->parent_end[i] >= 0)
			close(p->parent_end[i]);
	}
	if (cmd->setup) {
		f.stage = STAGE_SETUP;
		if ((errno = cmd->setup(cmd->setup_arg)) != 0)
			goto fail;
		/* A change of credentials cleared the parent-death signal. */
		if (!watched_by(p->parent))
			_exit(127);
	}
	sigemptyset(&none);
	if (cmd->fn) {
		close(p->errfd);
		if (p->close_from)
			close_from(p->close_from, 0);
		sigprocmask(SIG_SETMASK, &none, NULL);
		_exit(cmd->fn(cmd->fn_arg));
	}
	if (p->close_from)
		close_from(p->close_from, 1);
	sigprocmask(SIG_SETMASK, &none, NULL);
	f.stage = STAGE_EXEC;
	execve(cmd->path, cmd->argv, p->envp);
fail:
	f.errnum = errno;
	if (write(p->errfd, &f, sizeof(f)) != (ssize_t)sizeof(f))
		_exit(126);
	_exit(127);
}

/* vfork (or fork) into child_main(). noinline: only this frame lives
 * across vfork, and the parent uses nothing of it afterwards but the
 * returned pid, so nothing the child writes can clobber the caller. */
static pid_t __attribute__((noinline))
start_child(const struct plan *p, int use_fork)
{
	pid_t pid = use_fork ? fork() : vfork();

	if (pid == 0)
		child_main(p);
	return pid;
}

/* ------------------------------------------------------------------------
 * Watching a run. */

/* The parent's side of one run. */
struct run {
	const struct bench_command *cmd;
	struct bench_command_opts o;
	struct bench_command_result *out;
	pid_t pid;
	int pidfd;            /* -1 without pidfd_open */
	int pipe[NFDS];       /* the parent's ends: stdin's write end, the
				 read ends of captured descriptors; -1 */
	int child_end[NFDS];  /* the child's ends, closed once it started */
	size_t alloc[NFDS];   /* bytes allocated for out->output[i].data */
	size_t fed;           /* bytes of cmd->input written */
	uint64_t captured;    /* bytes read from all captured pipes */
	bench_ns start, end;  /* fork, reap */
	bench_ns deadline;    /* 0: none */
	bench_ns next_tick;   /* when cmd->tick is due next; 0: none */
	int status;           /* wait status */
	struct rusage ru;
	int canceled;         /* 1: killed for bench_cancel() */
	int stop_sig;         /* stopped by this signal, then killed */
	int epipe;            /* 1: a write to stdin raised SIGPIPE */
};

static void signal_child(const struct run *r, int sig)
{
	kill(r->cmd->keep_group ? r->pid : -r->pid, sig);
}

static void kill_child(const struct run *r)
{
	signal_child(r, SIGKILL);
	if (!r->cmd->keep_group)
		kill(r->pid, SIGKILL);  /* in case it moved to another group */
}

/* Keeps what fits of n bytes read from descriptor i. */
static void take(struct run *r, int i, const char *buf, size_t n)
{
	struct bench_command_output *o = &r->out->output[i];
	size_t max = r->cmd->capture_max, room = n;

	o->total += n;
	r->captured += n;
	if (max)
		room = o->len < max ? max - o->len : 0;
	if (room > n)
		room = n;
	if (!room)
		return;
	if (o->len + room + 1 > r->alloc[i]) {
		size_t want = r->alloc[i] > 4096 ? r->alloc[i] : 4096;
		char *more;

		while (want < o->len + room + 1)
			want *= 2;
		if (max && want > max + 1)
			want = max + 1;
		if (!(more = realloc(o->data, want)))
			return;  /* dropped: total > len says so */
		o->data = more;
		r->alloc[i] = want;
	}
	memcpy(o->data + o->len, buf, room);
	o->len += room;
	o->data[o->len] = '\0';
}

/* Reads at most reads chunks of what pipe i holds now; closes it at end
 * of file. */
static void drain(struct run *r, int i, int reads)
{
	char buf[READ_CHUNK];

	while (reads-- > 0) {
		ssize_t n = read(r->pipe[i], buf, sizeof(buf));

		if (n > 0) {
			take(r, i, buf, (size_t)n);
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && errno == EAGAIN) {
			return;
		} else {
			close(r->pipe[i]);  /* end of file, or an error */
			r->pipe[i] = -1;
			return;
		}
	}
}

/* Writes what the stdin pipe takes now; closes it when all is written or
 * the child stopped reading. SIGPIPE is blocked meanwhile. */
static void feed(struct run *r)
{
	const char *in = r->cmd->input;

	while (r->fed < r->cmd->input_len) {
		size_t n = r->cmd->input_len - r->fed;
		ssize_t w = write(r->pipe[0], in + r->fed,
				  n < WRITE_CHUNK ? n : WRITE_CHUNK);

		if (w > 0) {
			r->fed += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			return;
		r->epipe = w < 0 && errno == EPIPE;
		break;
	}
	close(r->pipe[0]);
	r->pipe[0] = -1;
}

static void service_pipes(struct run *r)
{
	for (int i = 1; i < NFDS; i++)
		if (r->pipe[i] >= 0)
			drain(r, i, READS_PER_WAKE);
}

static int has_ended(pid_t pid)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
	       si.si_pid == pid;
}

/*
 * A child stopped by job control (SIGTTIN or SIGTTOU: it touched the
 * terminal from its background process group) would never end by
 * itself: it is killed and reaped, and *stop_sig says why. Any other
 * stop (SIGSTOP, SIGTSTP: raised by the program itself, or sent by a
 * user who may send SIGCONT later) is noted in out->stopped_by and
 * waited on like a running child: the deadline, a cancel or a SIGCONT
 * ends it.
 */
static int stopped(pid_t pid, int *stop_sig, struct bench_command_result *out)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)pid, &si, WSTOPPED | WNOHANG | WNOWAIT) == 0 &&
	    si.si_pid == pid && si.si_code == CLD_STOPPED) {
		if (si.si_status != SIGTTIN && si.si_status != SIGTTOU) {
			out->stopped_by = si.si_status;
			return 0;
		}
		*stop_sig = si.si_status;
		return 1;
	}
	return 0;
}

/* A cancel's polite first step: the signal to the group, then up to
 * grace for the program to end by itself (it stays unreaped); its output
 * is still read meanwhile, so a full pipe cannot hold it up. */
static void ask_to_stop(struct run *r, int sig, bench_ns grace)
{
	bench_ns until = bench_clock_now() + grace;

	signal_child(r, sig);
	while (bench_clock_now() < until) {
		if (has_ended(r->pid))
			return;
		service_pipes(r);
		nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	}
}

/* Reaps the child, blocking. Returns 0 or an errno. */
static int reap(struct run *r)
{
	while (wait4(r->pid, &r->status, 0, &r->ru) < 0)
		if (errno != EINTR)
			return errno;
	r->end = bench_clock_now();
	return 0;
}

/*
 * Watches the child until it ends, or until it must be killed (cancel,
 * job-control stop, deadline, flood: then its group is), and reaps it.
 * A pidfd lets poll() wake on the exit as well as on the pipes, and time
 * out to look at the cancel flag; without pidfds (kernels before 5.3,
 * some sandboxes) a run with neither pipes nor deadline blocks in wait4
 * and relies on the signal's EINTR, and any other run polls.
 * Returns 0 or an errno.
 */
static int watch(struct run *r)
{
	const struct bench_command *cmd = r->cmd;

	for (;;) {
		struct pollfd p[1 + NFDS];
		int which[1 + NFDS];  /* the pipe of each entry; -1: pidfd */
		nfds_t n = 0;
		int ms = CANCEL_POLL_MS, got, pipes = 0, ended = 0;
		bench_ns now;

		if (!cmd->no_cancel && bench_canceled()) {
			if (r->o.cancel_signal)
				ask_to_stop(r, r->o.cancel_signal,
					    r->o.cancel_grace_ns);
			r->canceled = 1;
			break;
		}
		if (stopped(r->pid, &r->stop_sig, r->out))
			break;
		now = bench_clock_now();
		if (r->deadline && now >= r->deadline) {
			r->out->timed_out = 1;
			break;
		}
		if (cmd->flood_bytes && r->captured > cmd->flood_bytes) {
			r->out->flooded = 1;
			break;
		}
		if (r->deadline && (r->deadline - now) / BENCH_NS_PER_MS < (bench_ns)ms)
			ms = (int)((r->deadline - now) / BENCH_NS_PER_MS) + 1;
		if (r->next_tick) {
			if (now >= r->next_tick) {
				cmd->tick(cmd->tick_arg, r->pid);
				/* Periods missed while busy are skipped, not
				 * run back to back. */
				while (r->next_tick <= now)
					r->next_tick += cmd->tick_ns;
			}
			if ((r->next_tick - now) / BENCH_NS_PER_MS < (bench_ns)ms)
				ms = (int)((r->next_tick - now + BENCH_NS_PER_MS - 1) /
					   BENCH_NS_PER_MS);
		}
		if (r->pidfd >= 0) {
			p[n] = (struct pollfd){ r->pidfd, POLLIN, 0 };
			which[n++] = -1;
		}
		for (int i = 0; i < NFDS; i++) {
			if (r->pipe[i] < 0)
				continue;
			p[n] = (struct pollfd){ r->pipe[i], i ? POLLIN : POLLOUT, 0 };
			which[n++] = i;
			pipes++;
		}
		if (r->pidfd < 0 && !pipes && !r->deadline && !r->next_tick) {
			pid_t w = wait4(r->pid, &r->status, WUNTRACED, &r->ru);

			if (w == r->pid && !WIFSTOPPED(r->status)) {
				r->end = bench_clock_now();
				return 0;
			}
			if (w == r->pid) {
				int sig = WSTOPSIG(r->status);

				if (sig != SIGTTIN && sig != SIGTTOU) {
					r->out->stopped_by = sig;
					continue;  /* as stopped() */
				}
				r->stop_sig = sig;
				break;
			}
			if (errno != EINTR)
				return errno;
			continue;
		}
		if (r->pidfd < 0 && ms > NO_PIDFD_POLL_MS)
			ms = NO_PIDFD_POLL_MS;
		got = poll(p, n, ms);
		if (got < 0 && errno != EINTR && r->pidfd >= 0) {
			close(r->pidfd);  /* from now on, as without pidfds */
			r->pidfd = -1;
			continue;
		}
		for (nfds_t k = 0; got > 0 && k < n; k++) {
			if (!p[k].revents)
				continue;
			if (which[k] < 0)
				ended = 1;
			else if (which[k] == 0)
				feed(r);
			else
				drain(r, which[k], READS_PER_WAKE);
		}
		if (r->pidfd < 0)
			ended = has_ended(r->pid);
		if (ended)
			return reap(r);
	}
	kill_child(r);
	return reap(r);
}

/* ------------------------------------------------------------------------
 * Starting a run. */

static bench_ns tv_ns(struct timeval tv)
{
	return (bench_ns)tv.tv_sec * BENCH_NS_PER_S +
	       (bench_ns)tv.tv_usec * BENCH_NS_PER_US;
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

static int check_args(const struct bench_command *cmd,
		      const struct bench_command_opts *o, struct bench_err *err)
{
	if (cmd->tree && cmd->keep_group)
		return bench_err_set(err, BENCH_EINVAL,
				     "a tree run needs the child in a process group of its own");
	if (cmd->input_len && !cmd->input)
		return bench_err_set(err, BENCH_EINVAL, "input_len without input");
	for (int i = 0; i < NFDS; i++) {
		switch (o->stream[i]) {
		case BENCH_STREAM_DEFAULT:
		case BENCH_STREAM_NULL:
		case BENCH_STREAM_INHERIT:
		case BENCH_STREAM_MEMORY:
			continue;
		case BENCH_STREAM_FD:
			if (o->fd[i] >= 0)
				continue;
			break;
		case BENCH_STREAM_STDOUT:
			if (i >= 2)
				continue;
			break;
		}
		return bench_err_set(err, BENCH_EINVAL,
				     "bad descriptor for stream %d", i);
	}
	return 0;
}

/* fd moved to NFDS or above (close-on-exec), where setting up the
 * child's 0..3 cannot clobber it; -1 stays -1. */
static int high_fd(int fd)
{
	int h;

	if (fd < 0 || fd >= NFDS)
		return fd;
	h = fcntl(fd, F_DUPFD_CLOEXEC, NFDS);
	close(fd);
	return h;
}

/* The same name before '='. */
static int same_name(const char *a, const char *b)
{
	size_t la = strcspn(a, "="), lb = strcspn(b, "=");

	return la == lb && memcmp(a, b, la) == 0;
}

static int named_in(char *const *list, size_t n, const char *entry)
{
	for (size_t i = 0; i < n; i++)
		if (same_name(list[i], entry))
			return 1;
	return 0;
}

/* The child's environment into *envp: environ (or nothing) with cmd's
 * changes, an array of borrowed pointers; NULL when environ serves as it
 * is. Returns 0 or BENCH_ENOMEM. */
static int make_env(const struct bench_command *cmd, char ***envp)
{
	size_t n = 0, m = 0, k = 0;
	char **v;

	*envp = NULL;
	if (!cmd->env && !cmd->clear_env)
		return 0;
	while (!cmd->clear_env && environ && environ[n])
		n++;
	while (cmd->env && cmd->env[m])
		m++;
	if (!(v = calloc(n + m + 1, sizeof(*v))))
		return BENCH_ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (!named_in(cmd->env, m, environ[i]))
			v[k++] = environ[i];
	/* Sets only, and of a name set twice the last. */
	for (size_t i = 0; i < m; i++)
		if (strchr(cmd->env[i], '=') &&
		    !named_in(cmd->env + i + 1, m - i - 1, cmd->env[i]))
			v[k++] = cmd->env[i];
	*envp = v;
	return 0;
}

/* Decides where each of the child's descriptors comes from: /dev/null
 * opened, pipes made, capture buffers allocated. Returns 0, or an error
 * with what it made left in r and *devnull for the caller to close. */
static int plan_streams(struct run *r, struct plan *p, int *devnull,
			struct bench_err *err)
{
	for (int i = 0; i < NFDS; i++) {
		int pp[2];

		p->src[i] = -1;
		p->to_stdout[i] = 0;
		switch (r->o.stream[i]) {
		case BENCH_STREAM_DEFAULT:
			if (i >= 3)
				break;  /* left as it is */
			/* fall through */
		case BENCH_STREAM_NULL:
			if (*devnull < 0 &&
			    (*devnull = high_fd(open("/dev/null", O_RDWR | O_CLOEXEC))) < 0)
				return bench_err_set(err, BENCH_ESYS,
						     "cannot open '/dev/null': %s",
						     strerror(errno));
			p->src[i] = *devnull;
			break;
		case BENCH_STREAM_INHERIT:
			break;
		case BENCH_STREAM_FD:
			p->src[i] = r->o.fd[i];
			break;
		case BENCH_STREAM_STDOUT:
			p->to_stdout[i] = 1;
			break;
		case BENCH_STREAM_MEMORY:
			if (pipe2(pp, O_CLOEXEC) != 0)
				return bench_err_set(err, BENCH_ESYS, "cannot create a pipe: %s",
						     strerror(errno));
			/* The child reads its stdin and writes the others. */
			r->child_end[i] = high_fd(i ? pp[1] : pp[0]);
			r->pipe[i] = high_fd(i ? pp[0] : pp[1]);
			if (r->child_end[i] < 0 || r->pipe[i] < 0)
				return bench_err_set(err, BENCH_ESYS, "cannot create a pipe: %s",
						     strerror(errno));
			fcntl(r->pipe[i], F_SETFL, O_NONBLOCK);
			p->src[i] = r->child_end[i];
			if (i && !(r->out->output[i].data = calloc(1, 1)))
				return bench_err_set(err, BENCH_ENOMEM,
						     "out of memory for a command's output");
			r->alloc[i] = 1;
			break;
		}
		p->parent_end[i] = r->pipe[i];
	}
	return 0;
}

/* Closes what plan_streams() made for the child. */
static void close_child_ends(struct run *r, int *devnull)
{
	for (int i = 0; i < NFDS; i++)
		if (r->child_end[i] >= 0) {
			close(r->child_end[i]);
			r->child_end[i] = -1;
		}
	if (*devnull >= 0)
		close(*devnull);
	*devnull = -1;
}

static void close_parent_ends(struct run *r)
{
	for (int i = 0; i < NFDS; i++)
		if (r->pipe[i] >= 0) {
			close(r->pipe[i]);
			r->pipe[i] = -1;
		}
}

int bench_command_run(const struct bench_command *cmd,
		      const struct bench_command_opts *opts,
		      struct bench_command_result *out, struct bench_err *err)
{
	static const struct bench_command_opts defaults;
	struct run r;
	struct plan plan;
	struct live_child node = { 0, NULL };
	struct exec_failure f;
	sigset_t all, saved, pipe_sig, pipe_saved;
	char **envp = NULL;
	int errpipe[2] = { -1, -1 }, devnull = -1, feeds, rc, e;
	ssize_t got;
	pid_t pid;

	if (!out)
		return bench_err_set(err, BENCH_EINVAL, "no result to fill");
	memset(out, 0, sizeof(*out));
	out->exit_code = -1;
	if (!cmd || !cmd->argv || (!cmd->path && !cmd->fn))
		return bench_err_set(err, BENCH_EINVAL, "no command to run");
	memset(&r, 0, sizeof(r));
	memset(&plan, 0, sizeof(plan));
	r.cmd = cmd;
	r.o = opts ? *opts : defaults;
	r.out = out;
	r.pidfd = -1;
	for (int i = 0; i < NFDS; i++)
		r.pipe[i] = r.child_end[i] = -1;
	if ((rc = check_args(cmd, &r.o, err)) != 0)
		return rc;
	if (!cmd->no_cancel && bench_canceled())
		return bench_err_set(err, BENCH_ECANCELED, "interrupted");
	feeds = r.o.stream[0] == BENCH_STREAM_MEMORY;
	if (feeds) {
		/* A child that stops reading must not kill the caller. */
		sigemptyset(&pipe_sig);
		sigaddset(&pipe_sig, SIGPIPE);
		pthread_sigmask(SIG_BLOCK, &pipe_sig, &pipe_saved);
	}
	if ((rc = plan_streams(&r, &plan, &devnull, err)) != 0)
		goto undo;
	if (feeds && cmd->input_len == 0) {
		close(r.pipe[0]);  /* end of file at once */
		r.pipe[0] = plan.parent_end[0] = -1;
	}
	if (make_env(cmd, &envp) != 0) {
		rc = bench_err_set(err, BENCH_ENOMEM, "out of memory for an environment");
		goto undo;
	}
	if (pipe2(errpipe, O_CLOEXEC | O_NONBLOCK) != 0 ||
	    (errpipe[0] = high_fd(errpipe[0])) < 0 ||
	    (errpipe[1] = high_fd(errpipe[1])) < 0) {
		rc = bench_err_set(err, BENCH_ESYS, "cannot create a pipe: %s",
				   strerror(errno));
		goto undo;
	}
	plan.cmd = cmd;
	plan.envp = envp ? envp : environ;
	plan.new_group = !cmd->keep_group;
	plan.errfd = errpipe[1];
	plan.parent = getpid();
	if (cmd->close_fds)
		plan.close_from = r.o.stream[3] == BENCH_STREAM_DEFAULT ? 3 : NFDS;
	if (cmd->tree)
		tree_enter();

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &saved);
	pthread_mutex_lock(&live_lock);
	r.start = bench_clock_now();
	pid = start_child(&plan, cmd->fn || cmd->setup);
	e = errno;
	if (pid > 0) {
		node.pid = pid;
		node.next = live;
		live = &node;
	}
	pthread_mutex_unlock(&live_lock);
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	close(errpipe[1]);
	errpipe[1] = -1;
	close_child_ends(&r, &devnull);
	if (pid < 0) {
		if (cmd->tree)
			tree_leave();
		rc = bench_err_set(err, BENCH_ESYS, "cannot fork to run '%s': %s",
				   cmd->argv[0], strerror(e));
		goto undo;
	}
	/* Also here, so that the group exists whichever runs first. */
	if (!cmd->keep_group)
		setpgid(pid, pid);
#ifdef SYS_pidfd_open
	r.pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
#endif
	r.pid = pid;
	if (cmd->timeout_ns)
		r.deadline = r.start + cmd->timeout_ns;
	if (cmd->tick && cmd->tick_ns)
		r.next_tick = r.start + cmd->tick_ns;
	e = watch(&r);
	live_remove(&node);
	out->wall_ns = (e ? bench_clock_now() : r.end) - r.start;
	for (int i = 1; i < NFDS; i++)
		if (r.pipe[i] >= 0)
			drain(&r, i, READS_AFTER_END);
	close_parent_ends(&r);
	if (cmd->tree) {
		end_tree(pid);
		tree_leave();
	}
	if (r.pidfd >= 0)
		close(r.pidfd);
	got = read(errpipe[0], &f, sizeof(f));
	close(errpipe[0]);
	if (feeds) {
		if (r.epipe)
			sigtimedwait(&pipe_sig, NULL, &(struct timespec){ 0, 0 });
		pthread_sigmask(SIG_SETMASK, &pipe_saved, NULL);
	}
	free(envp);
	if (e)
		return bench_err_set(err, BENCH_ESYS, "cannot wait for '%s' (pid %ld): %s",
				     cmd->argv[0], (long)pid, strerror(e));
	fill_status(out, r.status, &r.ru);
	if (r.canceled)
		return bench_err_set(err, BENCH_ECANCELED,
				     "interrupted: '%s' was killed and reaped",
				     cmd->argv[0]);
	if (r.stop_sig)
		return bench_err_set(err, BENCH_ESYS,
				     "'%s' was stopped by SIG%s: it used the terminal, which the timed command does not get; it was killed",
				     cmd->argv[0], sigabbrev_np(r.stop_sig) ?
				     sigabbrev_np(r.stop_sig) : "?");
	if (got == (ssize_t)sizeof(f)) {
		out->exec_errno = f.errnum;
		if (f.stage == STAGE_STREAMS)
			return bench_err_set(err, BENCH_ESYS,
					     "cannot redirect the standard streams of '%s': %s",
					     cmd->argv[0], strerror(f.errnum));
		if (f.stage == STAGE_SETUP)
			return bench_err_set(err, BENCH_ESYS,
					     "cannot set up the process of '%s': %s",
					     cmd->argv[0], strerror(f.errnum));
		return bench_err_set(err, BENCH_ESYS, "cannot run '%s': %s",
				     cmd->argv[0], strerror(f.errnum));
	}
	return 0;
undo:
	/* Nothing was started. */
	close_child_ends(&r, &devnull);
	close_parent_ends(&r);
	if (errpipe[0] >= 0)
		close(errpipe[0]);
	if (errpipe[1] >= 0)
		close(errpipe[1]);
	free(envp);
	bench_command_result_release(out);
	if (feeds)
		pthread_sigmask(SIG_SETMASK, &pipe_saved, NULL);
	return rc;
}

char *bench_command_describe(const struct bench_command_result *r, char *buf,
			     size_t len)
{
	const char *abbrev, *descr;
	char name[32];

	if (len == 0)
		return buf;
	if (r->timed_out && r->stopped_by) {
		abbrev = sigabbrev_np(r->stopped_by);
		snprintf(buf, len, "was stopped by SIG%s and killed at its time limit",
			 abbrev ? abbrev : "?");
	} else if (r->timed_out) {
		snprintf(buf, len, "ran past its time limit and was killed");
	} else if (r->flooded) {
		snprintf(buf, len, "wrote more output than allowed and was killed");
	} else if (r->exited && r->exit_code == 0) {
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
