/*
 * sandbox.c - bubblewrap, another uid, rlimits and a seccomp filter around
 * untrusted code (see sandbox.h).
 *
 * The seccomp program is built once with libseccomp and kept in a memfd;
 * each run's child opens its own description of it (through /proc, so
 * concurrent bwraps never share a read offset) as fd 3 for bwrap's
 * --seccomp. bwrap applies it last, after building the namespaces, so
 * the filter can forbid the very calls bwrap needed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sched.h>
#include <time.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <seccomp.h>

#include "sandbox.h"

#define BWRAP "/usr/bin/bwrap"

void sbx_defaults(struct sbx_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->timeout_ns = 5 * BENCH_NS_PER_S;
	o->cpu_s = 10;
	o->mem_bytes = 512ull << 20;
	o->nproc = 64;
	o->fsize_bytes = 16ull << 20;
	o->nofile = 64;
	o->out_cap = 64u << 10;
}

/* This process's block of uids (see sbx_claim). */
static uid_t uid_base = SBX_UID_BASE;

uid_t sbx_uid(unsigned slot)
{
	return geteuid() == 0 ? uid_base + slot % SBX_UIDS_PER_BLOCK : geteuid();
}

int sbx_claim(struct bench_err *err)
{
	static const char *const dirs[] = { "/run/lock", "/tmp" };

	if (geteuid() != 0)
		return 0;
	for (size_t d = 0; d < sizeof(dirs) / sizeof(*dirs); d++) {
		for (unsigned k = 0; k < SBX_UID_BLOCKS; k++) {
			char path[64];
			int fd;

			snprintf(path, sizeof(path), "%s/bench-grade-uids.%u.lock", dirs[d], k);
			fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
			if (fd < 0)
				break;
			if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
				/* Held (fd left open) until this process ends. */
				uid_base = SBX_UID_BASE + k * SBX_UIDS_PER_BLOCK;
				return 0;
			}
			close(fd);
		}
	}
	return bench_err_set(err, BENCH_ESYS,
			     "cannot claim a block of sandbox uids: %u graders already run here",
			     SBX_UID_BLOCKS);
}

/* ---- the seccomp program ----------------------------------------------- */

static pthread_once_t filter_once = PTHREAD_ONCE_INIT;
static int filter_fd = -1;
static char filter_why[160];

static void build_filter(void)
{
	/* Denied with EPERM: what no exercise needs and an attack would. */
	static const char *const denied[] = {
		"ptrace", "process_vm_readv", "process_vm_writev", "mount",
		"umount2", "pivot_root", "chroot", "unshare", "setns",
		"kexec_load", "kexec_file_load", "init_module", "finit_module",
		"delete_module", "bpf", "perf_event_open", "keyctl", "add_key",
		"request_key", "reboot", "swapon", "swapoff", "syslog", "acct",
		"settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
		"userfaultfd", "io_uring_setup", "io_uring_enter",
		"io_uring_register", "open_by_handle_at", "name_to_handle_at",
		"fanotify_init", "lookup_dcookie", "quotactl", "vhangup",
		"mbind", "migrate_pages", "move_pages", "set_mempolicy",
	};
	static const int ns_flags[] = { CLONE_NEWUSER, CLONE_NEWNS,
					CLONE_NEWNET, CLONE_NEWPID,
					CLONE_NEWIPC, CLONE_NEWUTS,
					CLONE_NEWCGROUP };
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int rc = ctx ? 0 : -ENOMEM, fd;

	for (size_t i = 0; rc == 0 && i < sizeof(denied) / sizeof(*denied); i++) {
		int nr = seccomp_syscall_resolve_name(denied[i]);

		if (nr != __NR_SCMP_ERROR)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
	}
	/* Sockets: only AF_UNIX (socketpair between a pool's processes). */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socket),
				      1, SCMP_A0(SCMP_CMP_NE, AF_UNIX));
	/* No new namespaces through clone; clone3 hides its flags in
	 * memory, so it says ENOSYS and glibc falls back to clone. */
	for (size_t i = 0; rc == 0 && i < sizeof(ns_flags) / sizeof(*ns_flags); i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone),
				      1, SCMP_A0(SCMP_CMP_MASKED_EQ,
						 (scmp_datum_t)ns_flags[i],
						 (scmp_datum_t)ns_flags[i]));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS),
				      SCMP_SYS(clone3), 0);
	fd = memfd_create("bench-seccomp", MFD_CLOEXEC);
	if (rc == 0 && fd >= 0)
		rc = seccomp_export_bpf(ctx, fd);
	if (rc != 0 || fd < 0) {
		snprintf(filter_why, sizeof(filter_why),
			 "cannot build the seccomp filter: %s",
			 strerror(rc ? -rc : errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	seccomp_release(ctx);
	filter_fd = fd;
}

/* ---- running ------------------------------------------------------------ */

/* The child: limits, the uid, the streams, then bwrap. Only calls that
 * are safe after fork in a threaded process. */
static void __attribute__((noreturn))
child(const struct sbx_opts *o, char **argv, int out, int err, int report)
{
	struct rlimit lim;
	char path[32];
	int fd, devnull;
	uid_t uid = sbx_uid(o->slot);

	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", filter_fd);
	fd = open(path, O_RDONLY);
	devnull = open("/dev/null", O_RDONLY);
	if (fd < 0 || devnull < 0 || dup2(devnull, 0) < 0 || dup2(out, 1) < 0 ||
	    dup2(err, 2) < 0 || dup2(fd, 3) < 0)
		goto fail;
#define LIMIT(res, v) (lim.rlim_cur = lim.rlim_max = (rlim_t)(v), setrlimit(res, &lim))
	if (LIMIT(RLIMIT_CPU, o->cpu_s) || LIMIT(RLIMIT_AS, o->mem_bytes) ||
	    LIMIT(RLIMIT_FSIZE, o->fsize_bytes) || LIMIT(RLIMIT_NOFILE, o->nofile) ||
	    LIMIT(RLIMIT_CORE, 0))
		goto fail;
#undef LIMIT
	if (geteuid() == 0 &&
	    (setgroups(0, NULL) != 0 || setresgid(uid, uid, uid) != 0 ||
	     setresuid(uid, uid, uid) != 0))
		goto fail;
	/* After the uid change: processes count per (sandbox) user. */
	lim.rlim_cur = lim.rlim_max = o->nproc;
	if (setrlimit(RLIMIT_NPROC, &lim) != 0)
		goto fail;
	/* Nothing else of the grader's crosses: no inherited descriptor
	 * (the caller's own, not close-on-exec) and no environment (bwrap
	 * stays the sandbox's pid 1, and its /proc/1/environ is readable
	 * inside; --clearenv only clears the command's). */
	close_range(4, ~0u, 0);
	{
		sigset_t none;
		char *env[] = { "PATH=/usr/bin:/bin", NULL };

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execve(BWRAP, argv, env);
	}
fail:
	fd = errno;
	if (write(report, &fd, sizeof(fd)) != (ssize_t)sizeof(fd))
		_exit(126);
	_exit(127);
}

/* bwrap's argument list, then the command's. */
static char **bwrap_argv(const struct sbx_opts *o, char *size, char *work)
{
	size_t n = 0, m = 0;
	char **a;

	while (o->argv[m])
		m++;
	a = calloc(m + 64, sizeof(*a));
	if (!a)
		return NULL;
#define ARG(s) (a[n++] = (char *)(s))
	ARG("bwrap");
	ARG("--unshare-all");
	ARG("--die-with-parent");
	ARG("--new-session");
	ARG("--clearenv");
	ARG("--setenv"); ARG("PATH"); ARG("/usr/bin:/bin");
	ARG("--setenv"); ARG("HOME"); ARG("/work");
	ARG("--setenv"); ARG("LC_ALL"); ARG("C");
	ARG("--ro-bind"); ARG("/usr"); ARG("/usr");
	ARG("--symlink"); ARG("usr/lib"); ARG("/lib");
	ARG("--symlink"); ARG("usr/lib64"); ARG("/lib64");
	ARG("--symlink"); ARG("usr/bin"); ARG("/bin");
	ARG("--ro-bind-try"); ARG("/etc/ld.so.cache"); ARG("/etc/ld.so.cache");
	ARG("--proc"); ARG("/proc");
	ARG("--dev"); ARG("/dev");
	ARG("--size"); ARG(size); ARG("--tmpfs"); ARG("/tmp");
	if (o->dir) {
		ARG("--bind"); ARG(o->dir); ARG("/work");
	} else {
		ARG("--size"); ARG(size); ARG("--tmpfs"); ARG("/work");
		if (o->file) {
			ARG("--ro-bind"); ARG(o->file); ARG(work);
		}
	}
	ARG("--chdir"); ARG("/work");
	ARG("--seccomp"); ARG("3");
	ARG("--");
#undef ARG
	for (size_t i = 0; i < m; i++)
		a[n++] = o->argv[i];
	return a;
}

/* Appends what fd has to say into *buf (at most cap kept). Returns the
 * bytes read, 0 at EOF, -1 on EAGAIN. */
static ssize_t drain(int fd, char **buf, size_t *len, size_t cap, size_t *seen)
{
	char chunk[16384];
	ssize_t n = read(fd, chunk, sizeof(chunk));

	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? -1 : 0;
	if (n > 0) {
		size_t keep = *len < cap ? cap - *len : 0;

		if (keep > (size_t)n)
			keep = (size_t)n;
		if (keep) {
			char *more = realloc(*buf, *len + keep + 1);

			if (more) {
				*buf = more;
				memcpy(*buf + *len, chunk, keep);
				*len += keep;
				(*buf)[*len] = '\0';
			}
		}
		*seen += (size_t)n;
	}
	return n;
}

/* bwrap children being waited for by some thread: never reaped here. */
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static pid_t live[1024];

static void track(pid_t pid, int on)
{
	pthread_mutex_lock(&live_lock);
	for (size_t i = 0; i < sizeof(live) / sizeof(*live); i++)
		if (on ? live[i] == 0 : live[i] == pid) {
			live[i] = on ? pid : 0;
			break;
		}
	pthread_mutex_unlock(&live_lock);
}

static int tracked(pid_t pid)
{
	int found = 0;

	pthread_mutex_lock(&live_lock);
	for (size_t i = 0; i < sizeof(live) / sizeof(*live) && !found; i++)
		found = live[i] == pid;
	pthread_mutex_unlock(&live_lock);
	return found;
}

/*
 * Processes owned by uid, from /proc; on the way, zombies that are the
 * grader's own children (orphans of a sandbox, handed to it as subreaper)
 * and no thread waits for are reaped, since a zombie still counts
 * against its user's process limit.
 */
static int count_uid(uid_t uid)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;
	pid_t self = getpid();

	while (d && (e = readdir(d))) {
		char path[300], line[256], state = '?';
		unsigned long real = (unsigned long)-1;
		long ppid = -1;
		FILE *f;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%.250s/status", e->d_name);
		if (!(f = fopen(path, "re")))
			continue;
		while (fgets(line, sizeof(line), f)) {
			sscanf(line, "State: %c", &state);
			sscanf(line, "PPid: %ld", &ppid);
			if (sscanf(line, "Uid: %lu", &real) == 1)
				break;
		}
		fclose(f);
		if (real != (unsigned long)uid)
			continue;
		if (state == 'Z' && ppid == self && !tracked(atoi(e->d_name))) {
			waitpid(atoi(e->d_name), NULL, WNOHANG);
			continue;
		}
		/* Someone else's zombie: it holds nothing but a pid. */
		n += state != 'Z';
	}
	if (d)
		closedir(d);
	return n;
}

/*
 * After a run, as root: every process of the slot's uid is killed (a
 * child of that uid sends kill(-1), which reaches exactly them) and
 * waited for, so a fork bomb's leftovers, dying with their namespace,
 * neither linger nor count against the next run's process limit.
 */
static void sweep(unsigned slot)
{
	uid_t uid = sbx_uid(slot);
	pid_t pid;

	if (geteuid() != 0)
		return;
	for (int i = 0; i < 400 && count_uid(uid) > 0; i++) {
		if ((pid = fork()) == 0) {
			if (setresuid(uid, uid, uid) == 0)
				kill(-1, SIGKILL);
			_exit(0);
		}
		if (pid > 0)
			while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
				;
		nanosleep(&(struct timespec){ 0, 5000000 }, NULL);
	}
}

int sbx_run(const struct sbx_opts *o, struct sbx_result *r,
	    struct bench_err *err)
{
	int out[2] = { -1, -1 }, errp[2] = { -1, -1 }, rep[2] = { -1, -1 };
	char size[32], work[300];
	char **argv;
	size_t seen_out = 0, seen_err = 0;
	bench_ns t0, deadline;
	int status = 0, open_fds = 2, failed = 0;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	pthread_once(&filter_once, build_filter);
	if (filter_fd < 0)
		return bench_err_set(err, BENCH_ESYS, "sandbox: %s", filter_why);
	snprintf(size, sizeof(size), "%llu", (unsigned long long)o->fsize_bytes);
	snprintf(work, sizeof(work), "/work/%s", o->file_name ? o->file_name : "prog");
	if (!(argv = bwrap_argv(o, size, work)))
		return bench_err_set(err, BENCH_ENOMEM, "out of memory");
	if (pipe2(out, O_CLOEXEC) || pipe2(errp, O_CLOEXEC) ||
	    pipe2(rep, O_CLOEXEC)) {
		int e = errno;

		for (int i = 0; i < 2; i++) {
			if (out[i] >= 0) close(out[i]);
			if (errp[i] >= 0) close(errp[i]);
			if (rep[i] >= 0) close(rep[i]);
		}
		free(argv);
		return bench_err_set(err, BENCH_ESYS, "sandbox: pipe: %s", strerror(e));
	}
	t0 = bench_clock_now();
	pthread_mutex_lock(&live_lock); /* no sweep reaps it before track() */
	pid = fork();
	if (pid == 0)
		child(o, argv, out[1], errp[1], rep[1]);
	pthread_mutex_unlock(&live_lock);
	if (pid > 0)
		track(pid, 1);
	free(argv);
	close(out[1]);
	close(errp[1]);
	close(rep[1]);
	if (pid < 0) {
		int e = errno;

		close(out[0]);
		close(errp[0]);
		close(rep[0]);
		return bench_err_set(err, BENCH_ESYS, "sandbox: fork: %s", strerror(e));
	}
	setpgid(pid, pid);
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	fcntl(errp[0], F_SETFL, O_NONBLOCK);
	deadline = t0 + o->timeout_ns;
	/* Read both streams until both close, the deadline passes, or the
	 * output grows past all reason. */
	while (open_fds > 0) {
		struct pollfd p[2] = { { out[0], POLLIN, 0 }, { errp[0], POLLIN, 0 } };
		bench_ns now = bench_clock_now();
		int ms;

		if (now >= deadline) {
			r->timed_out = 1;
			break;
		}
		ms = (int)((deadline - now) / BENCH_NS_PER_MS) + 1;
		if (poll(p, 2, ms) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++) {
			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if ((i == 0 ? drain(out[0], &r->out, &r->out_len, o->out_cap, &seen_out)
				    : drain(errp[0], &r->err, &r->err_len, o->out_cap, &seen_err)) == 0) {
				close(i == 0 ? out[0] : errp[0]);
				if (i == 0)
					out[0] = -1;
				else
					errp[0] = -1;
				open_fds--;
			}
		}
		if (seen_out + seen_err > SBX_FLOOD_FACTOR * o->out_cap) {
			r->flooded = 1;
			break;
		}
	}
	if (out[0] >= 0)
		close(out[0]);
	if (errp[0] >= 0)
		close(errp[0]);
	/* Streams closed is not the end: a program may close them and go on
	 * (sleeping forever, say), so the deadline holds until the reap. */
	for (;;) {
		pid_t got = r->timed_out || r->flooded ? 0 :
			    waitpid(pid, &status, WNOHANG);

		if (got == pid || (got < 0 && errno != EINTR))
			break;
		if (r->timed_out || r->flooded || bench_clock_now() >= deadline) {
			r->timed_out = !r->flooded;
			/* bwrap dies, and with it the namespace's init and
			 * every process in it. */
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			break;
		}
		nanosleep(&(struct timespec){ 0, 5000000 }, NULL);
	}
	r->wall_ns = bench_clock_now() - t0;
	track(pid, 0);
	sweep(o->slot);
	{
		int e = 0;

		if (read(rep[0], &e, sizeof(e)) == (ssize_t)sizeof(e) && e) {
			failed = e;
		}
		close(rep[0]);
	}
	r->truncated = seen_out > r->out_len || seen_err > r->err_len;
	if (!r->out)
		r->out = calloc(1, 1);
	if (!r->err)
		r->err = calloc(1, 1);
	if (failed) {
		sbx_result_free(r);
		return bench_err_set(err, BENCH_ESYS,
				     "sandbox: cannot start %s: %s (install bubblewrap: apt-get install bubblewrap)",
				     BWRAP, strerror(failed));
	}
	if (WIFEXITED(status)) {
		r->exited = 1;
		r->exit_code = WEXITSTATUS(status);
		/* bwrap reports its child's death by signal as 128 + N. */
		if (r->exit_code > 128 && r->exit_code < 128 + NSIG) {
			r->exited = 0;
			r->signal = r->exit_code - 128;
		}
	} else if (WIFSIGNALED(status)) {
		r->signal = WTERMSIG(status);
	}
	return 0;
}

void sbx_result_free(struct sbx_result *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

const char *sbx_describe(const struct sbx_result *r, const struct sbx_opts *o,
			 char *buf, size_t len)
{
	if (r->timed_out)
		snprintf(buf, len, "ran past its %.0f s limit and was killed",
			 (double)o->timeout_ns / 1e9);
	else if (r->flooded)
		snprintf(buf, len, "wrote more than %zu KiB of output and was killed",
			 SBX_FLOOD_FACTOR * o->out_cap / 1024);
	else if (r->signal == SIGXCPU)
		snprintf(buf, len, "used up its %u s of CPU time", o->cpu_s);
	else if (r->signal)
		snprintf(buf, len, "was killed by signal %d (%s)", r->signal,
			 strsignal(r->signal));
	else if (r->exited && r->exit_code)
		snprintf(buf, len, "exited with status %d", r->exit_code);
	else
		snprintf(buf, len, "exited normally");
	return buf;
}

int sbx_check(struct bench_err *err)
{
	char *argv[] = { "/bin/true", NULL };
	struct sbx_opts o;
	struct sbx_result r;
	int rc;

	if (access(BWRAP, X_OK) != 0)
		return bench_err_set(err, BENCH_ESYS,
				     "grading needs bubblewrap (%s): install it with apt-get install bubblewrap (make deps)",
				     BWRAP);
	sbx_defaults(&o);
	o.argv = argv;
	if ((rc = sbx_run(&o, &r, err)))
		return rc;
	rc = r.exited && r.exit_code == 0 ? 0 :
	     bench_err_set(err, BENCH_ESYS,
			   "bubblewrap cannot build a sandbox here (%s): user namespaces may be disabled (sysctl kernel.unprivileged_userns_clone=1)",
			   r.err && r.err[0] ? strtok(r.err, "\n") : "no message");
	sbx_result_free(&r);
	return rc;
}
