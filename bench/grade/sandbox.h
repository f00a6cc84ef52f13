/*
 * sandbox.h - running untrusted code (a student's submission) so that it
 * cannot break the grader, see other files, or reach the network.
 *
 * Layers, each enough on its own for some attacks, together for all:
 *   bubblewrap   new user, pid, network, ipc, uts and cgroup namespaces;
 *                a read-only /usr (and /lib, /bin through it), a read-only
 *                / and /dev, a private sized tmpfs at /tmp and /dev/shm,
 *                and one writable folder at /work: no /etc, no /home,
 *                nothing of the grader's or other submissions; the whole
 *                tree dies with bwrap (pid namespace);
 *   a cgroup     one per box (per run), made for it and removed after it:
 *                memory.max over everything the box holds (its processes,
 *                the pages of its tmpfs files and shared memory, the
 *                kernel's inodes and dentries for them), no swap, and a
 *                cap on its tasks; an out-of-memory kill fails the run;
 *   another uid  as root the grader drops to an unprivileged uid (one per
 *                concurrent slot) before starting bwrap, so even a mount
 *                mistake exposes nothing root-only, and process limits
 *                count per submission;
 *   rlimits      CPU seconds, address space, processes, file size, open
 *                files, no core dumps;
 *   seccomp      (libseccomp) no sockets but AF_UNIX, no ptrace, mount,
 *                namespaces, io_uring, bpf, perf, keyrings, kernel modules;
 *                no file locks, leases, inotify or dnotify, and no probing
 *                of the page cache: boxes graded side by side share the
 *                inodes of /usr and /dev/null, and any state the kernel
 *                keeps on a shared inode is a channel between them;
 *   the grader   a wall-clock limit that kills the whole tree, output read
 *                and capped by the grader (a flood is cut off and killed).
 */
#ifndef BENCH_SANDBOX_H
#define BENCH_SANDBOX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bench/clock.h"
#include "bench/error.h"
#include "schedprof.h"

struct sbx_opts {
	const char *dir;          /* host folder bound writable at /work, the
				     working directory; NULL: a tmpfs */
	const char *file;         /* host file bound read-only at /work/NAME
				     (with dir NULL); NULL: none */
	const char *file_name;
	char *const *argv;        /* the command, paths as seen inside */
	bench_ns timeout_ns;      /* wall clock; the tree is killed past it */
	unsigned cpu_s;           /* RLIMIT_CPU */
	uint64_t mem_bytes;       /* RLIMIT_AS, of each process */
	unsigned nproc;           /* RLIMIT_NPROC */
	uint64_t fsize_bytes;     /* RLIMIT_FSIZE, and the size of each
				     writable tmpfs (/tmp, /dev/shm, /work) */
	uint64_t box_mem_bytes;   /* the box's cgroup memory.max: all its
				     processes, files and kernel objects
				     together; 0: SBX_BOX_MEM_FACTOR x
				     mem_bytes */
	unsigned box_tasks;       /* the box's cgroup pids.max (threads
				     count); 0: nproc */
	unsigned nofile;          /* RLIMIT_NOFILE */
	unsigned slot;            /* concurrent slot: uid SBX_UID_BASE + slot */
	size_t out_cap;           /* bytes of stdout and of stderr kept */
	struct schedprof *prof;   /* NULL, or sampled while the box runs
				     (schedprof.h): its work and parallelism */
};

/* Unprivileged uids sandboxes run as when the grader is root: blocks of
 * SBX_UIDS_PER_BLOCK from SBX_UID_BASE, one block per grading process
 * (sbx_claim), so two graders at once never share (or sweep) a uid. */
#define SBX_UID_BASE 61000u
#define SBX_UIDS_PER_BLOCK 256u
#define SBX_UID_BLOCKS 64u
/* Past this many times out_cap of output the tree is killed. */
#define SBX_FLOOD_FACTOR 16
/* A box's memory, by default, against one process's address space: room
 * for a process at its RLIMIT_AS beside its tmpfs files and the smaller
 * processes around it (a shell, bwrap), never the sum of every process's
 * limit (64 processes at 512 MiB). */
#define SBX_BOX_MEM_FACTOR 2
/* The nice value of the thread that samples a box's scheduling (opts
 * prof), where the grader may raise it. */
#define SBX_SAMPLER_NICE (-10)

struct sbx_result {
	int exited;               /* exited normally: exit_code is valid */
	int exit_code;
	int signal;               /* killed by this signal, else 0 */
	int status_128;           /* signal was read from bwrap's exit status
				     128 + N, which an exit(128 + N) in the
				     box gives too: nothing of the grader's
				     killed it */
	int timed_out;            /* the wall-clock limit killed it */
	int flooded;              /* too much output killed it */
	int oom_killed;           /* the box reached its memory.max and the
				     kernel killed in it: the run then counts
				     as killed by SIGKILL (exited 0), even if
				     its first process exited on its own */
	int truncated;            /* output beyond out_cap was dropped */
	bench_ns wall_ns;         /* fork to reap */
	char *out, *err;          /* NUL-terminated, malloc'd */
	size_t out_len, err_len;
};

/* Limits that suit a test run; callers adjust fields. */
void sbx_defaults(struct sbx_opts *o);

/* The memory.max a box of o gets, bytes (box_mem_bytes or its default). */
uint64_t sbx_box_mem(const struct sbx_opts *o);

/*
 * Runs o->argv sandboxed and waits for it (every process of it is gone
 * when this returns). Returns 0 when it ran, whatever its fate (r says;
 * r->out and r->err are then malloc'd, "" at least, freed by
 * sbx_result_free), or BENCH_ESYS with err filled when the sandbox itself
 * could not start (bwrap missing, a fork that failed), or BENCH_ENOMEM.
 * bench_cancel() does not stop a run (o->timeout_ns bounds it): the
 * caller stops between runs. Thread-safe.
 */
int sbx_run(const struct sbx_opts *o, struct sbx_result *r,
	    struct bench_err *err);

void sbx_result_free(struct sbx_result *r);

/* One line on how a run ended: "exited with status 3", "was killed by
 * signal SIGSEGV", "ran past its 5 s limit", ... into buf. */
const char *sbx_describe(const struct sbx_result *r, const struct sbx_opts *o,
			 char *buf, size_t len);

/* The uid a slot's sandbox runs as (the grader's own when not root). */
uid_t sbx_uid(unsigned slot);

/* As root: claims this process's block of uids (a lock file in /run/lock
 * held until exit). Call once before sbx_run. 0 or BENCH_ESYS. */
int sbx_claim(struct bench_err *err);

/*
 * Whether each box gets a cgroup of its own, decided once per process:
 * 1 with buf saying where ("cgroup v2 under /sys/fs/cgroup/x"), or 0
 * with buf saying why not (no writable cgroup here). Without one, a box
 * is bounded per process only (rlimits) and by its tmpfs sizes.
 */
int sbx_cgroups(char *buf, size_t len);

/* Checks bwrap is installed and works here; 0 or BENCH_ESYS with a
 * message saying how to get it. When boxes get no cgroup, prints one
 * warning line saying so on stderr (once). */
int sbx_check(struct bench_err *err);

#endif
