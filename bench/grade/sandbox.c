/*
 * sandbox.c - bubblewrap, another uid, rlimits and a seccomp filter around
 * untrusted code (see sandbox.h).
 *
 * bwrap is started by run_command (bench/command.h) like any child:
 * forked, with a setup that sets the limits and the uid in the child
 * before the exec, and a wall-clock limit, captured output and a flood
 * limit watched by the run. The seccomp program is built once with
 * libseccomp and kept in a memfd; each run opens its own description of
 * it (through /proc, so concurrent bwraps never share a read offset) as
 * fd 3 for bwrap's --seccomp. bwrap applies it last, after building the
 * namespaces, so the filter can forbid the very calls bwrap needed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
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
#include <sys/resource.h>
#include <sys/socket.h>

#include <seccomp.h>

#include "bench/command.h"
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

/* What the child needs before bwrap starts. */
struct setup {
	const struct sbx_opts *o;
	uid_t uid;                /* the slot's, when the grader is root */
};

/* run_command's setup, in the forked child with its descriptors in
 * place: the limits, then the uid. Returns 0 or an errno. */
static int sandbox_setup(void *arg)
{
	const struct setup *su = arg;
	const struct sbx_opts *o = su->o;
	struct rlimit lim;

#define LIMIT(res, v) (lim.rlim_cur = lim.rlim_max = (rlim_t)(v), setrlimit(res, &lim))
	if (LIMIT(RLIMIT_CPU, o->cpu_s) || LIMIT(RLIMIT_AS, o->mem_bytes) ||
	    LIMIT(RLIMIT_FSIZE, o->fsize_bytes) || LIMIT(RLIMIT_NOFILE, o->nofile) ||
	    LIMIT(RLIMIT_CORE, 0))
		return errno;
#undef LIMIT
	if (geteuid() == 0 &&
	    (setgroups(0, NULL) != 0 || setresgid(su->uid, su->uid, su->uid) != 0 ||
	     setresuid(su->uid, su->uid, su->uid) != 0))
		return errno;
	/* After the uid change: processes count per (sandbox) user. */
	lim.rlim_cur = lim.rlim_max = o->nproc;
	if (setrlimit(RLIMIT_NPROC, &lim) != 0)
		return errno;
	return 0;
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
	ARG(BWRAP);  /* run_command resolves argv[0] */
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

/*
 * Processes owned by uid, from /proc; on the way, zombies that are the
 * grader's own children (orphans of a sandbox, handed to it as subreaper)
 * and no run waits for are reaped, since a zombie still counts against
 * its user's process limit.
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
		if (state == 'Z' && ppid == self) {
			bench_command_reap_orphan((pid_t)atol(e->d_name));
			continue;
		}
		/* Someone else's zombie: it holds nothing but a pid. */
		n += state != 'Z';
	}
	if (d)
		closedir(d);
	return n;
}

/* The sweep's child: as uid, kill(-1) reaches exactly uid's processes. */
static int kill_uid(void *arg)
{
	uid_t uid = *(const uid_t *)arg;

	if (setresuid(uid, uid, uid) == 0)
		kill(-1, SIGKILL);
	return 0;
}

/*
 * After a run, as root: every process of the slot's uid is killed (by a
 * child of that uid, kill_uid) and waited for, so a fork bomb's
 * leftovers, dying with their namespace, neither linger nor count
 * against the next run's process limit.
 */
static void sweep(unsigned slot)
{
	uid_t uid = sbx_uid(slot);
	struct bench_command killer;
	struct bench_err err = { 0 };

	if (geteuid() != 0 ||
	    bench_command_init_fn(&killer, "sandbox sweep", kill_uid, &uid, &err) != 0)
		return;
	killer.no_cancel = 1;  /* the sweep finishes what the run began */
	for (int i = 0; i < 400 && count_uid(uid) > 0; i++) {
		struct bench_command_result res;

		bench_command_run(&killer, NULL, &res, &err);
		bench_command_result_release(&res);
		nanosleep(&(struct timespec){ 0, 5000000 }, NULL);
	}
	bench_command_release(&killer);
}

static int cannot_start(struct bench_err *err, int e)
{
	return bench_err_set(err, BENCH_ESYS,
			     "sandbox: cannot start %s: %s (install bubblewrap: apt-get install bubblewrap)",
			     BWRAP, strerror(e));
}

int sbx_run(const struct sbx_opts *o, struct sbx_result *r,
	    struct bench_err *err)
{
	static char *const env[] = { "PATH=/usr/bin:/bin", NULL };
	struct setup su = { o, sbx_uid(o->slot) };
	struct bench_command cmd;
	struct bench_command_opts io = { 0 };
	struct bench_command_result res;
	struct bench_err why = { 0 };
	char size[32], work[300], path[64];
	char **argv;
	size_t argc = 0;
	int filter, rc, e;

	memset(r, 0, sizeof(*r));
	pthread_once(&filter_once, build_filter);
	if (filter_fd < 0)
		return bench_err_set(err, BENCH_ESYS, "sandbox: %s", filter_why);
	snprintf(size, sizeof(size), "%llu", (unsigned long long)o->fsize_bytes);
	snprintf(work, sizeof(work), "/work/%s", o->file_name ? o->file_name : "prog");
	if (!(argv = bwrap_argv(o, size, work)))
		return bench_err_set(err, BENCH_ENOMEM, "out of memory");
	while (argv[argc])
		argc++;
	rc = bench_command_init(&cmd, argv, argc, &why);
	e = errno;
	free(argv);
	if (rc == BENCH_ESYS)
		return cannot_start(err, e);
	if (rc)
		return bench_err_set(err, rc, "sandbox: %s", why.msg);
	/* bwrap's --seccomp 3: a description of the program of its own, so
	 * that concurrent bwraps never share a read offset. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", filter_fd);
	if ((filter = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		e = errno;
		bench_command_release(&cmd);
		return bench_err_set(err, BENCH_ESYS, "sandbox: cannot open the seccomp program: %s",
				     strerror(e));
	}
	/* Nothing else of the grader's crosses: no inherited descriptor (the
	 * caller's own, not close-on-exec) and no environment (bwrap stays
	 * the sandbox's pid 1, and its /proc/1/environ is readable inside;
	 * --clearenv only clears the command's). The grader stops between
	 * runs on Ctrl-C: the wall-clock limit bounds each. */
	cmd.clear_env = 1;
	cmd.env = env;
	cmd.setup = sandbox_setup;
	cmd.setup_arg = &su;
	cmd.close_fds = 1;
	cmd.no_cancel = 1;
	cmd.timeout_ns = o->timeout_ns;
	cmd.capture_max = o->out_cap;
	cmd.flood_bytes = SBX_FLOOD_FACTOR * (uint64_t)o->out_cap;
	io.stream[1] = io.stream[2] = BENCH_STREAM_MEMORY;
	io.stream[3] = BENCH_STREAM_FD;
	io.fd[3] = filter;
	rc = bench_command_run(&cmd, &io, &res, &why);
	close(filter);
	bench_command_release(&cmd);
	sweep(o->slot);
	if (rc) {
		e = res.exec_errno;
		bench_command_result_release(&res);
		return e ? cannot_start(err, e) :
		       bench_err_set(err, rc, "sandbox: %s", why.msg);
	}
	r->timed_out = res.timed_out;
	r->flooded = res.flooded;
	r->wall_ns = res.wall_ns;
	r->out = res.output[1].data;
	r->out_len = res.output[1].len;
	r->err = res.output[2].data;
	r->err_len = res.output[2].len;
	r->truncated = res.output[1].total > r->out_len ||
		       res.output[2].total > r->err_len;
	res.output[1].data = res.output[2].data = NULL;
	if (res.exited) {
		r->exited = 1;
		r->exit_code = res.exit_code;
		/* bwrap reports its child's death by signal as 128 + N. */
		if (r->exit_code > 128 && r->exit_code < 128 + NSIG) {
			r->exited = 0;
			r->signal = r->exit_code - 128;
		}
	} else {
		r->signal = res.signal;
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
