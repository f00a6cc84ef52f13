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
 *
 * Each run gets a cgroup of its own (a "box"), made before the fork and
 * joined by the child before it drops to the slot's uid, so bwrap and
 * all it starts are inside from their first instruction; after the run
 * what is left in it is killed and the cgroup removed. The limit is on
 * the box, not the process: tmpfs pages, shared memory and the kernel's
 * inodes are charged to the cgroup of the process that made them, which
 * no rlimit sees.
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
#include <stdatomic.h>
#include <time.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <seccomp.h>

#include "bench/command.h"
#include "sandbox.h"

#define BWRAP "/usr/bin/bwrap"

#ifndef RWF_NOWAIT
#define RWF_NOWAIT 0x00000008
#endif
/* cachestat(2), Linux 6.5: the same number on every architecture (one
 * table since Linux 5.1), for a libseccomp too old to name it. */
#define NR_CACHESTAT 451

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

uint64_t sbx_box_mem(const struct sbx_opts *o)
{
	return o->box_mem_bytes ? o->box_mem_bytes : SBX_BOX_MEM_FACTOR * o->mem_bytes;
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
		/* Watches on shared inodes: another box reading a file
		 * of /usr shows as an event (see below). */
		"inotify_init", "inotify_init1", "inotify_add_watch",
		"cachestat",
	};
	/*
	 * Boxes graded at once share inodes: the files of /usr, /dev/null,
	 * the ld.so cache. State the kernel keeps on an inode that one box
	 * can set and another can see carries bits between them (a hidden
	 * test's input handed to an accomplice): byte-range locks (POSIX,
	 * open file description, flock) with their ranges, leases, dnotify
	 * and inotify events, and which pages are in the page cache
	 * (cachestat, a read with RWF_NOWAIT; mincore shows only a box's own
	 * mappings of a file it cannot write). The compiler, the linker and
	 * the exercises take no locks: a lock fails with ENOLCK, "no locks
	 * available", as on a file system without them. The command is an
	 * int the kernel truncates, so only its low 32 bits are compared.
	 */
	static const int lock_cmds[] = { F_GETLK, F_SETLK, F_SETLKW, F_OFD_GETLK,
					 F_OFD_SETLK, F_OFD_SETLKW };
	static const int watch_cmds[] = { F_SETLEASE, F_GETLEASE, F_NOTIFY };
	static const char *const fcntls[] = { "fcntl", "fcntl64" };
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
	for (size_t f = 0; rc == 0 && f < sizeof(fcntls) / sizeof(*fcntls); f++) {
		int nr = seccomp_syscall_resolve_name(fcntls[f]);

		if (nr == __NR_SCMP_ERROR)
			continue;
		for (size_t i = 0; rc == 0 && i < sizeof(lock_cmds) / sizeof(*lock_cmds); i++)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOLCK), nr, 1,
					      SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu,
						      (scmp_datum_t)lock_cmds[i]));
		for (size_t i = 0; rc == 0 && i < sizeof(watch_cmds) / sizeof(*watch_cmds); i++)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 1,
					      SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu,
						      (scmp_datum_t)watch_cmds[i]));
	}
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOLCK), SCMP_SYS(flock), 0);
	/* Not supported, as some file systems say: the read then blocks. */
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EOPNOTSUPP), SCMP_SYS(preadv2),
				      1, SCMP_A5(SCMP_CMP_MASKED_EQ, RWF_NOWAIT, RWF_NOWAIT));
	if (rc == 0 && seccomp_syscall_resolve_name("cachestat") == __NR_SCMP_ERROR)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), NR_CACHESTAT, 0);
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

/* ---- a cgroup per box --------------------------------------------------- */

/*
 * Where the boxes' cgroups go, decided once. First choice, cgroup v2:
 * children of the grader's own cgroup, when its memory and pids
 * controllers can be handed down there: the root, or a subtree given to
 * the grader (a systemd unit or scope with Delegate=yes, a container's
 * own tree); v2 forbids controllers on a cgroup with processes in it, so
 * the grader first moves itself into a leaf, bench-grader-PID, beside
 * its boxes. Else cgroup v1 (and v1 beside an empty v2, "hybrid"): the
 * grader's own cgroups in the memory and pids hierarchies, where root
 * may make children. systemd's transient scopes are not asked for: that
 * takes a D-Bus client, and a unit with Delegate=yes gives the grader the
 * same through v2. Neither: boxes run without one, bounded per process
 * (rlimits) and by their tmpfs sizes, and sbx_check warns once.
 */
enum cg_kind { CG_NONE, CG_V2, CG_V1 };

#define CG_PATH 512
#define BOX_PREFIX "bench-box-"
#define LEAF_PREFIX "bench-grader-"

static pthread_once_t cg_once = PTHREAD_ONCE_INIT;
static enum cg_kind cg_kind;
static char cg_parent[2][CG_PATH];  /* v2: [0]; v1: [0] memory, [1] pids */
static char cg_note[900];           /* where the boxes go, or why nowhere */
static atomic_ulong cg_seq;         /* boxes made, for unique names */

/* Reads a small file into buf, NUL-terminated: bytes read or -1. */
static ssize_t read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n, total = 0;

	if (fd < 0)
		return -1;
	while ((size_t)total + 1 < len &&
	       (n = read(fd, buf + total, len - 1 - (size_t)total)) > 0)
		total += n;
	close(fd);
	buf[total] = '\0';
	return total;
}

/* Writes s to a cgroup file (the kernel answers in write): 0 or errno. */
static int write_small(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), e = 0;

	if (fd < 0)
		return errno;
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		e = errno ? errno : EIO;
	close(fd);
	return e;
}

/* Whether word is one of the items of list, separated by any of seps. */
static int has_word(const char *list, const char *word, const char *seps)
{
	size_t n = strlen(word);

	for (const char *p = list; *p; p += strcspn(p, seps), p += *p != '\0') {
		size_t len = strcspn(p, seps);

		if (len == n && strncmp(p, word, n) == 0)
			return 1;
	}
	return 0;
}

/* The value of "key N" among the lines of text (memory.events,
 * memory.oom_control); 0 when it is not there. */
static unsigned long long key_value(const char *text, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, key, n) == 0 && p[n] == ' ')
			return strtoull(p + n + 1, NULL, 10);
	return 0;
}

/* The first mount of fstype (with option opt among its super options,
 * unless NULL): its mount point and the cgroup path it shows as root.
 * 0 or -1. */
static int find_mount(const char *fstype, const char *opt, char *mnt, char *root)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[2048];
	int rc = -1;

	while (f && rc && fgets(line, sizeof(line), f)) {
		char r[CG_PATH], m[CG_PATH], type[64], src[256], super[1024];
		const char *dash = strstr(line, " - ");

		if (!dash || sscanf(line, "%*s %*s %*s %511s %511s", r, m) != 2 ||
		    sscanf(dash + 3, "%63s %255s %1023s", type, src, super) != 3 ||
		    strcmp(type, fstype) != 0 || (opt && !has_word(super, opt, ",")))
			continue;
		memcpy(mnt, m, sizeof(m));
		memcpy(root, r, sizeof(r));
		rc = 0;
	}
	if (f)
		fclose(f);
	return rc;
}

/* This process's cgroup in the v1 hierarchy of controller ctl, or in
 * v2's when ctl is NULL, as /proc/self/cgroup gives it. 0 or -1. */
static int own_cgroup(const char *ctl, char *path, size_t len)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	char line[1024];
	int rc = -1;

	while (f && rc && fgets(line, sizeof(line), f)) {
		char *a = strchr(line, ':'), *b = a ? strchr(a + 1, ':') : NULL;

		if (!b)
			continue;
		*b++ = '\0';
		b[strcspn(b, "\n")] = '\0';
		/* v2's line is "0::PATH": no controllers named. */
		if (ctl ? has_word(a + 1, ctl, ",") : strcmp(line, "0:") == 0)
			rc = snprintf(path, len, "%s", b) < (int)len ? 0 : -1;
	}
	if (f)
		fclose(f);
	return rc;
}

/* Whether the cgroup folder dir holds this process. */
static int holds_self(const char *dir)
{
	char path[CG_PATH + 32];
	long pid, self = (long)getpid();
	FILE *f;
	int found = 0;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	if (!(f = fopen(path, "re")))
		return 0;
	while (!found && fscanf(f, "%ld", &pid) == 1)
		found = pid == self;
	fclose(f);
	return found;
}

/* The folder of this process's cgroup: the hierarchy mounted at mnt
 * (showing root), own the path /proc/self/cgroup gives. 0 or -1. */
static int cgroup_dir(const char *mnt, const char *root, const char *own,
		      char *dir, size_t len)
{
	size_t n = strlen(root);

	if (strcmp(root, "/") != 0) {
		if (strncmp(own, root, n) != 0 || (own[n] && own[n] != '/'))
			return -1;
		own += n;
	}
	if (strcmp(own, "/") == 0)
		own = "";
	return snprintf(dir, len, "%s%s", mnt, own) < (int)len && holds_self(dir) ? 0 : -1;
}

/* A test box in parent: made and removed, with the file limit there.
 * 0 or an errno. */
static int probe(const char *parent, const char *limit)
{
	char dir[CG_PATH + 64], path[CG_PATH + 96];
	int e = 0;

	snprintf(dir, sizeof(dir), "%s/" BOX_PREFIX "%ld-probe", parent, (long)getpid());
	if (mkdir(dir, 0755) != 0)
		return errno;
	snprintf(path, sizeof(path), "%s/%s", dir, limit);
	if (access(path, W_OK) != 0)
		e = errno;
	rmdir(dir);
	return e;
}

/*
 * Removes what a grader that is gone left in parent: empty boxes whose
 * rmdir failed (a process stuck in the kernel), and v2 leaves. Only
 * empty ones: rmdir refuses the rest, and a dead grader's boxes empty
 * themselves (bwrap dies with its parent, the pid namespace with it).
 */
static void sweep_stale(const char *parent)
{
	DIR *d = opendir(parent);
	struct dirent *e;
	pid_t self = getpid();

	while (d && (e = readdir(d))) {
		const char *n = e->d_name;
		char path[CG_PATH + 300];
		long pid;

		if (strncmp(n, BOX_PREFIX, strlen(BOX_PREFIX)) == 0)
			pid = atol(n + strlen(BOX_PREFIX));
		else if (strncmp(n, LEAF_PREFIX, strlen(LEAF_PREFIX)) == 0)
			pid = atol(n + strlen(LEAF_PREFIX));
		else
			continue;
		if (pid <= 0 || pid == (long)self || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), "%.511s/%.250s", parent, n);
		rmdir(path);
	}
	if (d)
		closedir(d);
}

/* cgroup v2: the boxes' parent in cg_parent[0]; 0, or -1 with why. */
static int setup_v2(char *why, size_t len)
{
	char mnt[CG_PATH], root[CG_PATH], own[CG_PATH], dir[CG_PATH];
	char path[CG_PATH + 64], leaf[CG_PATH + 64], procs[CG_PATH + 96], buf[512];
	int e;

	if (find_mount("cgroup2", NULL, mnt, root) != 0) {
		snprintf(why, len, "no cgroup2 file system mounted");
		return -1;
	}
	if (own_cgroup(NULL, own, sizeof(own)) != 0 ||
	    cgroup_dir(mnt, root, own, dir, sizeof(dir)) != 0) {
		snprintf(why, len, "cannot find this process's cgroup under %.200s", mnt);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/cgroup.controllers", dir);
	if (read_small(path, buf, sizeof(buf)) < 0 || !has_word(buf, "memory", " \n") ||
	    !has_word(buf, "pids", " \n")) {
		snprintf(why, len, "%.200s offers no memory and pids controllers (v1 holds them here)",
			 dir);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
	if (read_small(path, buf, sizeof(buf)) >= 0 && has_word(buf, "memory", " \n") &&
	    has_word(buf, "pids", " \n"))
		e = 0;
	else if ((e = write_small(path, "+memory +pids")) == EBUSY) {
		/* Processes in dir (this one): into a leaf of its own. */
		snprintf(leaf, sizeof(leaf), "%s/" LEAF_PREFIX "%ld", dir, (long)getpid());
		snprintf(procs, sizeof(procs), "%s/cgroup.procs", leaf);
		if (mkdir(leaf, 0755) != 0 && errno != EEXIST)
			e = errno;
		else if ((e = write_small(procs, "0")) == 0 &&
			 (e = write_small(path, "+memory +pids")) != 0) {
			/* Others share dir: back where it was. */
			snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
			write_small(procs, "0");
		}
		if (e)
			rmdir(leaf);
	}
	if (e) {
		snprintf(why, len, "cannot hand the memory and pids controllers down from %.200s: %s (run bench in a cgroup of its own: systemd-run --scope -p Delegate=yes)",
			 dir, strerror(e));
		return -1;
	}
	memcpy(cg_parent[0], dir, sizeof(dir));
	if ((e = probe(dir, "memory.max")) != 0) {
		snprintf(why, len, "cannot make a cgroup in %.200s: %s", dir, strerror(e));
		return -1;
	}
	return 0;
}

/* cgroup v1: the boxes' parents in cg_parent; 0, or -1 with why. */
static int setup_v1(char *why, size_t len)
{
	static const char *const ctl[2] = { "memory", "pids" };
	static const char *const limit[2] = { "memory.limit_in_bytes", "pids.max" };

	for (int k = 0; k < 2; k++) {
		char mnt[CG_PATH], root[CG_PATH], own[CG_PATH];
		int e;

		if (find_mount("cgroup", ctl[k], mnt, root) != 0) {
			snprintf(why, len, "no %s hierarchy mounted", ctl[k]);
			return -1;
		}
		if (own_cgroup(ctl[k], own, sizeof(own)) != 0 ||
		    cgroup_dir(mnt, root, own, cg_parent[k], sizeof(cg_parent[k])) != 0) {
			snprintf(why, len, "cannot find this process's %s cgroup under %.200s", ctl[k], mnt);
			return -1;
		}
		if ((e = probe(cg_parent[k], limit[k])) != 0) {
			snprintf(why, len, "cannot make a cgroup in %.200s: %s", cg_parent[k],
				 strerror(e));
			return -1;
		}
	}
	return 0;
}

static void cg_detect(void)
{
	char why2[400], why1[400];

	if (setup_v2(why2, sizeof(why2)) == 0) {
		cg_kind = CG_V2;
		snprintf(cg_note, sizeof(cg_note), "cgroup v2 under %s", cg_parent[0]);
	} else if (setup_v1(why1, sizeof(why1)) == 0) {
		cg_kind = CG_V1;
		snprintf(cg_note, sizeof(cg_note), "cgroup v1 under %.400s and %.400s",
			 cg_parent[0], cg_parent[1]);
	} else {
		cg_kind = CG_NONE;
		snprintf(cg_note, sizeof(cg_note), "v2: %s; v1: %s", why2, why1);
		return;
	}
	for (int k = 0; k < (cg_kind == CG_V1 ? 2 : 1); k++)
		sweep_stale(cg_parent[k]);
}

int sbx_cgroups(char *buf, size_t len)
{
	pthread_once(&cg_once, cg_detect);
	snprintf(buf, len, "%s", cg_note);
	return cg_kind != CG_NONE;
}

/* One run's cgroup: a folder in each hierarchy (one for v2, none
 * without cgroups). */
struct box {
	int n;                           /* folders made */
	char dir[2][CG_PATH + 64];
	char procs[2][CG_PATH + 96];     /* their cgroup.procs, which the
					    child joins */
	struct box_join {
		int err, k;              /* errno, and the folder it could not
					    join */
	} *join;                         /* the child's answer (MAP_SHARED) */
};

/* SIGKILL to every process in the cgroup folder dir. */
static void box_kill(const char *dir)
{
	char path[CG_PATH + 96];
	long pid;
	FILE *f;

	/* cgroup.kill (v2, Linux 5.14) reaches processes forking meanwhile. */
	snprintf(path, sizeof(path), "%s/cgroup.kill", dir);
	if (cg_kind == CG_V2 && write_small(path, "1") == 0)
		return;
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	if (!(f = fopen(path, "re")))
		return;
	while (fscanf(f, "%ld", &pid) == 1)
		if (pid > 0)
			kill((pid_t)pid, SIGKILL);
	fclose(f);
}

/*
 * After a run: whether the kernel killed in the box for memory (into
 * *oom, unless NULL), then every process left in it killed and the
 * cgroup removed, waiting for the dying (an OOM victim frees gigabytes)
 * up to 10 s; a cgroup still busy then is left to sweep_stale.
 */
static void box_destroy(struct box *b, int *oom)
{
	char path[CG_PATH + 96], text[1024];

	if (oom) {
		*oom = 0;
		snprintf(path, sizeof(path), "%s/%s", b->dir[0],
			 cg_kind == CG_V2 ? "memory.events" : "memory.oom_control");
		if (b->n > 0 && read_small(path, text, sizeof(text)) > 0)
			*oom = key_value(text, "oom_kill") > 0;
	}
	for (int k = 0; k < b->n; k++)
		for (int i = 0; i < 2000; i++) {
			if (rmdir(b->dir[k]) == 0 || errno != EBUSY)
				break;
			box_kill(b->dir[k]);
			nanosleep(&(struct timespec){ 0, 5000000 }, NULL);
		}
	b->n = 0;
	if (b->join)
		munmap(b->join, sizeof(*b->join));
	b->join = NULL;
}

/* Writes a limit, number v, into file name of dir: 0 or an errno. A
 * file the kernel lacks (memory.swap.max without swap accounting) is
 * fine when optional. */
static int set_limit(const char *dir, const char *name, unsigned long long v,
		     int optional, char *path, size_t len)
{
	char num[32];
	int e;

	snprintf(path, len, "%s/%s", dir, name);
	snprintf(num, sizeof(num), "%llu", v);
	e = write_small(path, num);
	return e == ENOENT && optional ? 0 : e;
}

/* The box of a run of o, its limits set (none without cgroups). 0 or
 * BENCH_ESYS. */
static int box_create(struct box *b, const struct sbx_opts *o, struct bench_err *err)
{
	unsigned long long mem = sbx_box_mem(o);
	unsigned tasks = o->box_tasks ? o->box_tasks : o->nproc;
	unsigned long seq = atomic_fetch_add(&cg_seq, 1);
	char name[64], path[CG_PATH + 96];
	int e = 0;

	memset(b, 0, sizeof(*b));
	if (cg_kind == CG_NONE)
		return 0;
	snprintf(name, sizeof(name), BOX_PREFIX "%ld-%u-%lu", (long)getpid(), o->slot, seq);
	for (int k = 0; k < (cg_kind == CG_V1 ? 2 : 1); k++) {
		snprintf(b->dir[k], sizeof(b->dir[k]), "%.511s/%s", cg_parent[k], name);
		snprintf(b->procs[k], sizeof(b->procs[k]), "%.511s/%s/cgroup.procs", cg_parent[k],
			 name);
		snprintf(path, sizeof(path), "%.511s/%s", cg_parent[k], name);
		if (mkdir(b->dir[k], 0755) != 0) {
			e = errno;
			break;
		}
		b->n = k + 1;
	}
	/* memory.max before memory.swap.max, limit_in_bytes before memsw:
	 * the kernel wants the second no smaller than the first in v1. In
	 * v2, a kill for memory takes the whole box (oom.group): what is
	 * left of a program after one of its processes is shot is not
	 * worth running on. */
	if (!e && cg_kind == CG_V2 &&
	    !(e = set_limit(b->dir[0], "memory.max", mem, 0, path, sizeof(path))) &&
	    !(e = set_limit(b->dir[0], "memory.swap.max", 0, 1, path, sizeof(path))) &&
	    !(e = set_limit(b->dir[0], "memory.oom.group", 1, 1, path, sizeof(path))))
		e = set_limit(b->dir[0], "pids.max", tasks, 0, path, sizeof(path));
	if (!e && cg_kind == CG_V1 &&
	    !(e = set_limit(b->dir[0], "memory.limit_in_bytes", mem, 0, path, sizeof(path))) &&
	    !(e = set_limit(b->dir[0], "memory.memsw.limit_in_bytes", mem, 1, path, sizeof(path))))
		e = set_limit(b->dir[1], "pids.max", tasks, 0, path, sizeof(path));
	if (!e) {
		b->join = mmap(NULL, sizeof(*b->join), PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (b->join == MAP_FAILED) {
			b->join = NULL;
			e = errno;
			snprintf(path, sizeof(path), "a shared page");
		}
	}
	if (e) {
		box_destroy(b, NULL);
		return bench_err_set(err, BENCH_ESYS, "sandbox: cannot set up the box's cgroup: %s: %s",
				     path, strerror(e));
	}
	return 0;
}

/* ---- running ------------------------------------------------------------ */

/* What the child needs before bwrap starts. */
struct setup {
	const struct sbx_opts *o;
	uid_t uid;                /* the slot's, when the grader is root */
	const struct box *box;    /* the cgroups to join */
	int nice;                 /* the box's nice value (the grader's own
				     before it raised its sampler's) */
};

/* run_command's setup, in the forked child with its descriptors in
 * place: the box's cgroups (before the uid changes: they are the
 * grader's), the limits, then the uid. Returns 0 or an errno. */
static int sandbox_setup(void *arg)
{
	const struct setup *su = arg;
	const struct sbx_opts *o = su->o;
	struct rlimit lim;

	/* The priority the grader had before it raised its own (lowering
	 * one's priority is always allowed). */
	if (setpriority(PRIO_PROCESS, 0, su->nice) != 0)
		return errno;
	/* "0": the writer itself; whatever it starts then is born inside. */
	for (int k = 0; k < su->box->n; k++) {
		int fd = open(su->box->procs[k], O_WRONLY | O_CLOEXEC), e = 0;

		if (fd < 0 || write(fd, "0", 1) != 1)
			e = errno ? errno : EIO;
		if (fd >= 0)
			close(fd);
		if (e) {
			su->box->join->err = e;
			su->box->join->k = k;
			return e;
		}
	}
	/* CPU: the kernel sends SIGXCPU at the soft limit, but a SIGKILL at
	 * once at a hard limit equal to it, and "killed by signal 9" would
	 * not say why: the hard limit a second later, for a program that
	 * ignores SIGXCPU. */
	lim.rlim_cur = o->cpu_s;
	lim.rlim_max = (rlim_t)o->cpu_s + 1;
	if (setrlimit(RLIMIT_CPU, &lim) != 0)
		return errno;
#define LIMIT(res, v) (lim.rlim_cur = lim.rlim_max = (rlim_t)(v), setrlimit(res, &lim))
	if (LIMIT(RLIMIT_AS, o->mem_bytes) ||
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
	/* bwrap's /dev is a tmpfs with the kernel's default size, half the
	 * RAM: read-only, with a sized tmpfs at /dev/shm (shm_open,
	 * sem_open) and an empty one over its devpts, whose ptys count
	 * against one limit for the whole host. */
	ARG("--dev"); ARG("/dev");
	ARG("--size"); ARG(size); ARG("--tmpfs"); ARG("/dev/shm");
	ARG("--size"); ARG("4096"); ARG("--tmpfs"); ARG("/dev/pts");
	ARG("--remount-ro"); ARG("/dev/pts");
	ARG("--remount-ro"); ARG("/dev");
	ARG("--size"); ARG(size); ARG("--tmpfs"); ARG("/tmp");
	if (o->dir) {
		ARG("--bind"); ARG(o->dir); ARG("/work");
	} else {
		ARG("--size"); ARG(size); ARG("--tmpfs"); ARG("/work");
		if (o->file) {
			ARG("--ro-bind"); ARG(o->file); ARG(work);
		}
	}
	/* The root is bwrap's tmpfs too: read-only once all is mounted. */
	ARG("--remount-ro"); ARG("/");
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
	struct box box;
	struct setup su = { o, sbx_uid(o->slot), &box, 0 };
	int raised = 0;
	struct bench_command cmd;
	struct bench_command_opts io = { 0 };
	struct bench_command_result res;
	struct bench_err why = { 0 };
	char size[32], work[300], path[64];
	char **argv;
	size_t argc = 0;
	int filter, rc, e, oom;

	memset(r, 0, sizeof(*r));
	pthread_once(&filter_once, build_filter);
	pthread_once(&cg_once, cg_detect);
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
	errno = 0;
	su.nice = getpriority(PRIO_PROCESS, 0);
	if (errno)
		su.nice = 0;
	if (o->prof) {
		cmd.tick = schedprof_sample;
		cmd.tick_arg = o->prof;
		cmd.tick_ns = SCHEDPROF_TICK_NS;
		/* A sample taken late blurs the picture: where allowed
		 * (root), the sampling thread runs at a higher priority than
		 * the box and whatever else runs here; the box is started at
		 * the grader's own (sandbox_setup). */
		raised = setpriority(PRIO_PROCESS, (id_t)gettid(), SBX_SAMPLER_NICE) == 0;
	}
	io.stream[1] = io.stream[2] = BENCH_STREAM_MEMORY;
	io.stream[3] = BENCH_STREAM_FD;
	io.fd[3] = filter;
	if ((rc = box_create(&box, o, err))) {
		close(filter);
		bench_command_release(&cmd);
		return rc;
	}
	if (o->prof) {
		schedprof_calibrate(o->prof);
		schedprof_start(o->prof, bench_clock_now());
	}
	rc = bench_command_run(&cmd, &io, &res, &why);
	if (raised)
		setpriority(PRIO_PROCESS, (id_t)gettid(), su.nice);
	close(filter);
	bench_command_release(&cmd);
	if (rc && res.exec_errno && box.join && box.join->err) {
		int k = box.join->k == 1;

		e = box.join->err;
		box_destroy(&box, NULL);
		sweep(o->slot);
		bench_command_result_release(&res);
		return bench_err_set(err, BENCH_ESYS, "sandbox: cannot move the box into %s: %s",
				     box.procs[k], strerror(e));
	}
	box_destroy(&box, &oom);
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
		/* bwrap reports its child's death by signal as 128 + N, the
		 * status an exit(128 + N) gives too: which it was cannot be
		 * told from outside, so describe says both. */
		if (r->exit_code > 128 && r->exit_code < 128 + NSIG) {
			r->exited = 0;
			r->signal = r->exit_code - 128;
			r->status_128 = 1;
		}
	} else {
		r->signal = res.signal;
	}
	/* Part of the box was shot for memory: whatever the rest then did,
	 * the run did not finish as written. */
	if (oom) {
		r->oom_killed = 1;
		r->status_128 = 0;
		r->exited = 0;
		r->exit_code = 0;
		r->signal = SIGKILL;
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
	if (r->oom_killed)
		snprintf(buf, len, "used more than %llu MiB of memory, its processes and files together, and was killed",
			 (unsigned long long)(sbx_box_mem(o) >> 20));
	else if (r->timed_out)
		snprintf(buf, len, "ran past its %.0f s limit and was killed",
			 (double)o->timeout_ns / 1e9);
	else if (r->flooded)
		snprintf(buf, len, "wrote more than %zu KiB of output and was killed",
			 SBX_FLOOD_FACTOR * o->out_cap / 1024);
	else if (r->signal == SIGXCPU)
		snprintf(buf, len, "used up its %u s of CPU time", o->cpu_s);
	else if (r->signal && r->status_128)
		snprintf(buf, len, "exited with status %d, as a process killed by signal %d (%s) does",
			 128 + r->signal, r->signal, strsignal(r->signal));
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
	static int warned;
	char *argv[] = { "/bin/true", NULL };
	char note[sizeof(cg_note)];
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
	if (rc == 0 && !sbx_cgroups(note, sizeof(note)) && !warned) {
		warned = 1;
		fprintf(stderr, "bench: warning: the sandboxes get no cgroup (%s): each box's memory is bounded per process (RLIMIT_AS %llu MiB) and by its tmpfs sizes, not as a whole\n",
			note, (unsigned long long)(o.mem_bytes >> 20));
	}
	return rc;
}
