/*
 * command.h - run a whole program once, without a shell, and measure it.
 *
 * This is the library side of `bench exec`: a command is an argv array,
 * resolved on PATH once by bench_command_init() and then started any
 * number of times by bench_command_run() with vfork and execve - never
 * through /bin/sh, so there is no quoting, globbing or shell start-up to
 * time. Each run reports wall time (CLOCK_MONOTONIC from just before vfork
 * to just after the child is reaped), user and system CPU time and peak
 * RSS (all from wait4), and how the program ended.
 *
 * The design choice to know: an exec that fails in the child is sent back
 * to the parent as an errno over a close-on-exec pipe, so "cannot run
 * 'x': No such file or directory" is an error (BENCH_ESYS, exec_errno
 * set), never confused with a program that really exited 127. The child
 * runs in its own process group, so Ctrl-C in a terminal reaches only the
 * caller, which decides: after bench_cancel() the run kills the child's
 * whole group, reaps the child and returns BENCH_ECANCELED.
 *
 * Nothing here prints or exits. Every child started is reaped before the
 * call that started it returns.
 */
#ifndef BENCH_COMMAND_H
#define BENCH_COMMAND_H

#include <stddef.h>
#include <stdint.h>

#include "bench/clock.h"
#include "bench/error.h"

/* A command ready to run: an owned copy of argv and the file it runs. */
struct bench_command {
	char **argv;      /* NULL-terminated copy of the arguments */
	size_t argc;      /* arguments in argv, >= 1 */
	char *path;       /* the executable argv[0] resolves to on PATH */
};

/* Where each of the child's standard streams goes. */
enum bench_command_stream {
	BENCH_STREAM_NULL = 0, /* /dev/null (the default) */
	BENCH_STREAM_INHERIT,  /* the caller's own descriptor 0, 1 or 2 */
	BENCH_STREAM_FD,       /* the descriptor in fd[] */
};

/* Options of one run; zeroed ({0}) means every stream on /dev/null. */
struct bench_command_opts {
	enum bench_command_stream stream[3]; /* stdin, stdout, stderr */
	int fd[3];        /* descriptors for BENCH_STREAM_FD; the caller
			     keeps them open (and owns them) during the run */
	int cancel_signal;    /* on bench_cancel(): sent to the group first,
				 so the program can save its work (0: none,
				 SIGKILL at once) */
	bench_ns cancel_grace_ns; /* how long it then has before SIGKILL */
};

/* What one run measured and how the program ended. */
struct bench_command_result {
	bench_ns wall_ns;    /* vfork to reap, monotonic clock */
	bench_ns user_ns;    /* user CPU of the child and the descendants
				it waited for */
	bench_ns sys_ns;     /* system CPU, likewise */
	uint64_t maxrss_kb;  /* peak resident set (ru_maxrss), KiB; see
				bench_command_run() for its floor */
	int status;          /* raw wait status from wait4 */
	int exited;          /* 1: exited normally, exit_code is valid */
	int exit_code;       /* WEXITSTATUS, or -1 when killed */
	int signal;          /* the signal that killed it, or 0 */
	int core_dumped;     /* 1 if the signal dumped core */
	int exec_errno;      /* 0, or the errno of an exec that failed (the
				run then returns BENCH_ESYS) */
};

/*
 * Copies argv (argc strings; argv[argc] need not be NULL) into cmd and
 * resolves argv[0] the way execvp does: a name with a '/' is used as it
 * is, any other is searched in the folders of $PATH (an empty entry is
 * the current folder; without $PATH, the system default path). The file
 * must exist, be a regular file and be executable.
 * Returns 0, BENCH_EINVAL (argc is 0 or argv[0] is empty), BENCH_ENOMEM,
 * or BENCH_ESYS with err "cannot run 'NAME': No such file or directory"
 * (ENOENT), "...: Permission denied" (EACCES: found but not executable)
 * or "...: Is a directory"; errno is left at that value. On failure cmd
 * is left empty and need not be released. Thread-safe.
 */
int bench_command_init(struct bench_command *cmd, char *const *argv,
		       size_t argc, struct bench_err *err);

/* Frees what bench_command_init() allocated; cmd may be all zero. */
void bench_command_release(struct bench_command *cmd);

/*
 * Runs cmd once and waits for it: vfork, then in the child a process group
 * of its own, the three streams set as opts says (NULL opts: all on
 * /dev/null), the signal mask cleared, and execve(cmd->path, cmd->argv,
 * environ). The child is SIGKILLed if the calling thread dies first
 * (PR_SET_PDEATHSIG); it cannot happen while this call waits.
 *
 * Returns 0 when the program ran and was reaped, whatever its exit status
 * or signal: out says how it ended and what it used. Otherwise:
 *   BENCH_ESYS       the exec failed (out->exec_errno and err "cannot run
 *                    'NAME': <strerror>"), or a fork, pipe or open of
 *                    /dev/null failed (err says which; exec_errno 0);
 *   BENCH_ECANCELED  bench_cancel() was called before or during the run:
 *                    the child's process group got SIGKILL, the child
 *                    was reaped (out holds what it had used);
 *   BENCH_EINVAL     cmd or out is NULL, or a BENCH_STREAM_FD is < 0.
 * The child is always reaped before the call returns. Cancellation is
 * noticed at once when the signal that called bench_cancel() interrupts
 * the wait, and within about a quarter of a second otherwise (another
 * thread cancelling, or the signal arriving just before the wait began);
 * on kernels without pidfd_open (before 5.3) only the interrupting
 * signal is noticed.
 *
 * Peak RSS has a floor: Linux counts the pages the forked copy of the
 * caller held before exec (GNU time and hyperfine share this), so a tiny
 * program reports about the caller's own anonymous memory at least.
 *
 * Thread-safe: each call waits for its own child only. The caller must
 * not set SIGCHLD to SIG_IGN (the kernel would reap the child and wait4
 * would fail with BENCH_ESYS).
 */
int bench_command_run(const struct bench_command *cmd,
		      const struct bench_command_opts *opts,
		      struct bench_command_result *out, struct bench_err *err);

/*
 * How a run ended, in words for a message: "exited with status 1",
 * "was killed by signal SIGKILL", "was killed by signal SIGSEGV (core
 * dumped)", or "exited normally" for status 0. Writes at most len bytes
 * into buf (always NUL-terminated when len > 0) and returns buf.
 */
char *bench_command_describe(const struct bench_command_result *r, char *buf,
			     size_t len);

/* 1 if the run failed: a non-zero exit status or a terminating signal. */
int bench_command_failed(const struct bench_command_result *r);

/*
 * Splits text on spaces into a NULL-terminated argv, for a command given
 * as one string (`--vs 'gzip -1 -c data'`). Runs of spaces and tabs
 * separate words; there is NO shell quoting, escaping or expansion: "a b"
 * in quotes is still two words, '$HOME' stays as written. *argv is one
 * malloc'd block (pointers and strings together): free(*argv) releases
 * it. Returns the number of words (0 for a blank text, *argv then holds
 * just NULL), or BENCH_ENOMEM.
 */
int bench_command_split(const char *text, char ***argv);

#endif
