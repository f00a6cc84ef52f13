/*
 * sandbox.h - running untrusted code (a student's submission) so that it
 * cannot break the grader, see other files, or reach the network.
 *
 * Layers, each enough on its own for some attacks, together for all:
 *   bubblewrap   new user, pid, network, ipc, uts and cgroup namespaces;
 *                a read-only /usr (and /lib, /bin through it), a private
 *                /tmp and /dev, and one writable folder at /work: no /etc,
 *                no /home, nothing of the grader's or other submissions;
 *                the whole tree dies with bwrap (pid namespace);
 *   another uid  as root the grader drops to an unprivileged uid (one per
 *                concurrent slot) before starting bwrap, so even a mount
 *                mistake exposes nothing root-only, and process limits
 *                count per submission;
 *   rlimits      CPU seconds, address space, processes, file size, open
 *                files, no core dumps;
 *   seccomp      (libseccomp) no sockets but AF_UNIX, no ptrace, mount,
 *                namespaces, io_uring, bpf, perf, keyrings, kernel modules;
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

struct sbx_opts {
	const char *dir;          /* host folder bound writable at /work, the
				     working directory; NULL: a tmpfs */
	const char *file;         /* host file bound read-only at /work/NAME
				     (with dir NULL); NULL: none */
	const char *file_name;
	char *const *argv;        /* the command, paths as seen inside */
	bench_ns timeout_ns;      /* wall clock; the tree is killed past it */
	unsigned cpu_s;           /* RLIMIT_CPU */
	uint64_t mem_bytes;       /* RLIMIT_AS */
	unsigned nproc;           /* RLIMIT_NPROC */
	uint64_t fsize_bytes;     /* RLIMIT_FSIZE, and the tmpfs sizes */
	unsigned nofile;          /* RLIMIT_NOFILE */
	unsigned slot;            /* concurrent slot: uid SBX_UID_BASE + slot */
	size_t out_cap;           /* bytes of stdout and of stderr kept */
};

/* Unprivileged uids sandboxes run as when the grader is root: blocks of
 * SBX_UIDS_PER_BLOCK from SBX_UID_BASE, one block per grading process
 * (sbx_claim), so two graders at once never share (or sweep) a uid. */
#define SBX_UID_BASE 61000u
#define SBX_UIDS_PER_BLOCK 256u
#define SBX_UID_BLOCKS 64u
/* Past this many times out_cap of output the tree is killed. */
#define SBX_FLOOD_FACTOR 16

struct sbx_result {
	int exited;               /* exited normally: exit_code is valid */
	int exit_code;
	int signal;               /* killed by this signal, else 0 */
	int timed_out;            /* the wall-clock limit killed it */
	int flooded;              /* too much output killed it */
	int truncated;            /* output beyond out_cap was dropped */
	bench_ns wall_ns;         /* fork to reap */
	char *out, *err;          /* NUL-terminated, malloc'd */
	size_t out_len, err_len;
};

/* Limits that suit a test run; callers adjust fields. */
void sbx_defaults(struct sbx_opts *o);

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

/* Checks bwrap is installed and works here; 0 or BENCH_ESYS with a
 * message saying how to get it. */
int sbx_check(struct bench_err *err);

#endif
