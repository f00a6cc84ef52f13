/*
 * command.h - start, watch and reap child processes: every child the CLI
 * starts goes through here.
 *
 * A command is an argv array, resolved on PATH once by bench_command_init()
 * (or a C function, bench_command_init_fn()), then started any number of
 * times by bench_command_run() - never through /bin/sh, so there is no
 * quoting, globbing or shell start-up to time. Each run reports wall time
 * (CLOCK_MONOTONIC from just before the fork to just after the child is
 * reaped), user and system CPU time and peak RSS (all from wait4), and
 * how the program ended. A run can also feed the child's stdin from
 * memory, capture what it writes (with a cap), bound it by a wall-clock
 * limit, and answer for every process the child starts in turn.
 *
 * Where the settings live: what to run and the process it runs in
 * (environment, limits, process group) are fields of struct bench_command,
 * set once and used by every run of it; where the child's descriptors go
 * is struct bench_command_opts, given to each run. In both, zero means
 * the default, so `= { 0 }` and bench_command_init() leave a plain run.
 *
 * The design choices to know: an exec that fails in the child is sent
 * back to the parent as an errno over a close-on-exec pipe, so "cannot
 * run 'x': No such file or directory" is an error (BENCH_ESYS, exec_errno
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
#include <sys/types.h>

#include "bench/clock.h"
#include "bench/error.h"

/* The child's descriptors a run sets up: stdin, stdout, stderr and 3, a
 * private channel (a report pipe, a seccomp program). */
#define BENCH_COMMAND_FDS 4

/*
 * A command ready to run. bench_command_init() or bench_command_init_fn()
 * fill the first five fields and zero the rest; the rest, set by the
 * caller afterwards, shape every run. Pointers the caller sets are
 * borrowed: they must stay valid while a run lasts.
 */
struct bench_command {
	char **argv;      /* NULL-terminated copy of the arguments (owned) */
	size_t argc;      /* arguments in argv, >= 1 */
	char *path;       /* the executable argv[0] resolves to on PATH
			     (owned); NULL for a function */
	int (*fn)(void *arg); /* a function's body, run in the child */
	void *fn_arg;     /* its argument (borrowed) */

	char *const *env; /* changes to the caller's environment, NULL-
			     terminated: "NAME=value" sets NAME, a bare
			     "NAME" removes it; NULL: none */
	int clear_env;    /* 1: start from an empty environment, not the
			     caller's (env then lists all there is) */
	int (*setup)(void *arg); /* called in the child once its descriptors
			     are in place, just before the exec (or fn): rlimits,
			     credentials. Returns 0 or an errno, which fails the
			     run like a failed exec. Async-signal-safe calls
			     only; a setup makes the run fork instead of vfork */
	void *setup_arg;  /* its argument (borrowed) */
	int close_fds;    /* 1: the program inherits descriptors 0-2 and a
			     descriptor 3 that opts sets up, nothing else, even
			     ones the caller left without close-on-exec */
	int keep_group;   /* 1: the child stays in the caller's process
			     group, so a terminal's Ctrl-C reaches it too, and
			     a cancel kills the child alone; not with tree */
	int tree;         /* 1: a run answers for every process the child
			     starts: see bench_command_run() */
	int no_cancel;    /* 1: bench_cancel() does not end a run; for a
			     child another limit bounds, whose caller stops
			     between runs */
	bench_ns timeout_ns; /* wall-clock limit of a run, ns: past it the
			     child's group is killed (out->timed_out); 0: none */
	const void *input; /* what a stdin of BENCH_STREAM_MEMORY reads, then
			     end of file (borrowed) */
	size_t input_len; /* bytes of input */
	size_t capture_max; /* bytes kept of each captured stream; more is
			     read, counted and dropped; 0: no cap */
	uint64_t flood_bytes; /* bytes: when the captured streams together
			     bring more, the child's group is killed
			     (out->flooded); 0: no limit */
	void (*tick)(void *arg, pid_t pid); /* called every tick_ns while the
			     child runs, in the calling thread, with the
			     child's pid (to look at it from outside: its
			     /proc, its threads); it must not wait or reap */
	void *tick_arg;   /* its argument (borrowed) */
	bench_ns tick_ns; /* the period, ns; 0: no tick */
};

/* Where each of the child's descriptors 0-3 comes from. */
enum bench_command_stream {
	BENCH_STREAM_DEFAULT = 0, /* /dev/null for 0, 1 and 2; descriptor 3
				     left as the caller has it (closed at
				     exec when it is close-on-exec) */
	BENCH_STREAM_NULL,     /* /dev/null */
	BENCH_STREAM_INHERIT,  /* the caller's own descriptor of that number */
	BENCH_STREAM_FD,       /* the descriptor in fd[] */
	BENCH_STREAM_MEMORY,   /* a pipe: stdin reads cmd->input; what the
				  child writes to 1, 2 or 3 is captured into
				  out->output[] */
	BENCH_STREAM_STDOUT,   /* 2 or 3 only: wherever stdout goes (2>&1),
				  captured with it into output[1] */
};

/* Options of one run; zeroed ({0}) means every stream on /dev/null. */
struct bench_command_opts {
	enum bench_command_stream stream[BENCH_COMMAND_FDS]; /* stdin,
				 stdout, stderr, descriptor 3 */
	int fd[BENCH_COMMAND_FDS]; /* descriptors for BENCH_STREAM_FD; the
				 caller keeps them open (and owns them)
				 during the run */
	int cancel_signal;    /* on bench_cancel(): sent to the group first,
				 so the program can save its work (0: none,
				 SIGKILL at once) */
	bench_ns cancel_grace_ns; /* how long it then has before SIGKILL */
};

/* What a run captured of one descriptor. */
struct bench_command_output {
	char *data;      /* the bytes kept, NUL-terminated; malloc'd, freed
			    by bench_command_result_release() (take it and
			    set NULL to keep it); NULL: not captured */
	size_t len;      /* bytes kept in data */
	uint64_t total;  /* bytes the child wrote there, kept or not */
};

/* What one run measured and how the program ended. */
struct bench_command_result {
	bench_ns wall_ns;    /* fork to reap, monotonic clock */
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
	int exec_errno;      /* 0, or the errno of an exec (or a setup, or a
				redirection) that failed in the child (the run
				then returns BENCH_ESYS) */
	int timed_out;       /* 1: killed for running past cmd->timeout_ns */
	int flooded;         /* 1: killed for writing past cmd->flood_bytes */
	int stopped_by;      /* a signal seen stopping the child (SIGSTOP,
				SIGTSTP), or 0: always set for a child still
				stopped when a limit killed it; a stop shorter
				than a quarter second may go unseen */
	struct bench_command_output output[BENCH_COMMAND_FDS]; /* by the
				child's descriptor; [0] is never used */
};

/*
 * Copies argv (argc strings; argv[argc] need not be NULL) into cmd and
 * resolves argv[0] the way execvp does: a name with a '/' is used as it
 * is, any other is searched in the folders of $PATH (an empty entry is
 * the current folder; without $PATH, the system default path). The file
 * must exist, be a regular file and be executable. Every other field of
 * cmd is zeroed: a plain run.
 * Returns 0, BENCH_EINVAL (argc is 0 or argv[0] is empty), BENCH_ENOMEM,
 * or BENCH_ESYS with err "cannot run 'NAME': No such file or directory"
 * (ENOENT), "...: Permission denied" (EACCES: found but not executable)
 * or "...: Is a directory"; errno is left at that value. On failure cmd
 * is left empty and need not be released. Thread-safe.
 */
int bench_command_init(struct bench_command *cmd, char *const *argv,
		       size_t argc, struct bench_err *err);

/*
 * A command that runs fn(arg) in a forked child instead of a program:
 * the child gets its process group, descriptors, setup and limits as a
 * program would, then exits with fn's return value (its low 8 bits) as
 * its status. name stands for the command in messages (argv[0]). fn
 * runs in a copy of a possibly threaded caller: async-signal-safe calls
 * only (no malloc, no stdio). With no exec, the caller's descriptors stay
 * open in it, close-on-exec or not, unless close_fds. Returns 0,
 * BENCH_EINVAL (no fn, or an empty name) or BENCH_ENOMEM. Release with
 * bench_command_release().
 */
int bench_command_init_fn(struct bench_command *cmd, const char *name,
			  int (*fn)(void *arg), void *arg,
			  struct bench_err *err);

/* Frees what bench_command_init() allocated; cmd may be all zero. */
void bench_command_release(struct bench_command *cmd);

/*
 * Runs cmd once and waits for it: vfork (fork when cmd has a setup or
 * is a function), then in the child a process group of its own (unless
 * keep_group), descriptors 0-3 set as opts says (NULL opts: all
 * defaults), setup, the signal mask cleared, and execve(cmd->path,
 * cmd->argv, the environment) - or fn. The child is SIGKILLed if the
 * calling thread dies first (PR_SET_PDEATHSIG, armed again after setup,
 * which may change credentials); it cannot happen while this call waits.
 *
 * While the child runs, the call feeds a BENCH_STREAM_MEMORY stdin and
 * reads the captured descriptors into out->output[] (capture_max bytes
 * each kept; output[i].data is never NULL for a captured i, "" at
 * least). What is still in the pipes when the child is reaped is read
 * then, without waiting for end of file: a descendant may hold them.
 * A stdin the child does not read to the end is closed when it exits
 * (no SIGPIPE reaches the caller).
 *
 * The child's group (the child alone with keep_group) is killed with
 * SIGKILL and the child reaped when the run passes timeout_ns
 * (out->timed_out), when the captured streams pass flood_bytes
 * (out->flooded), and when the child is stopped by job control (SIGTTIN
 * or SIGTTOU: it touched the terminal from its background group). A
 * child stopped by another signal (SIGSTOP, SIGTSTP) is waited on like
 * a running one, and out->stopped_by says which: only a SIGCONT, the
 * timeout or a cancel ends the wait.
 *
 * With cmd->tree, the caller is a child subreaper (PR_SET_CHILD_SUBREAPER)
 * while the run lasts, so that what the child starts comes back to it
 * when orphaned instead of going to init; once the child is reaped, what
 * is left of its process group and every orphan handed to the caller is
 * killed with SIGKILL and reaped (up to 10 s for processes that take long
 * to die). Nothing the child started outlives the call. A caller making
 * tree runs must start no child by other means meanwhile (such a child
 * would be taken for an orphan); children of other runs are left alone.
 * The subreaper attribute is restored afterwards.
 *
 * Returns 0 when the program ran and was reaped, whatever its exit status
 * or signal, timeout and flood included: out says how it ended and what
 * it used. Otherwise:
 *   BENCH_ESYS       the exec failed (out->exec_errno and err "cannot run
 *                    'NAME': <strerror>"), or the redirections or the
 *                    setup in the child failed (exec_errno; err "cannot
 *                    redirect the standard streams of 'NAME': ..." or
 *                    "cannot set up the process of 'NAME': ..."), or a
 *                    fork, pipe or open of /dev/null failed (err says
 *                    which; exec_errno 0), or the child was stopped by
 *                    job control (err says by which signal);
 *   BENCH_ECANCELED  bench_cancel() was called before or during the run
 *                    (unless no_cancel): the child's process group got
 *                    opts->cancel_signal, then after the grace SIGKILL,
 *                    and the child was reaped (out holds what it used);
 *   BENCH_ENOMEM     no memory for the capture buffers or environment
 *                    (nothing was started);
 *   BENCH_EINVAL     cmd or out is NULL, a BENCH_STREAM_FD is < 0,
 *                    BENCH_STREAM_STDOUT is given for 0 or 1, input_len
 *                    is set without input, or tree with keep_group.
 * out is overwritten (release a previous result first) and must be
 * released with bench_command_result_release() after every call,
 * whatever it returned. The child is always reaped before the call
 * returns. Cancellation is noticed at once when the signal that called
 * bench_cancel() interrupts the wait, and within about a quarter of a
 * second otherwise (another thread cancelling, or the signal arriving
 * just before the wait began); on kernels without pidfd_open (before
 * 5.3) a run without pipes or timeout notices only the interrupting
 * signal.
 *
 * Peak RSS has a floor: Linux counts the pages the forked copy of the
 * caller held before exec (GNU time and hyperfine share this), so a tiny
 * program reports about the caller's own anonymous memory at least.
 *
 * Thread-safe: each call waits for its own child only (tree runs aside,
 * see above). The caller must not set SIGCHLD to SIG_IGN (the kernel
 * would reap the child and wait4 would fail with BENCH_ESYS).
 */
int bench_command_run(const struct bench_command *cmd,
		      const struct bench_command_opts *opts,
		      struct bench_command_result *out, struct bench_err *err);

/* Frees the captured output in r (data the caller took and set to NULL
 * stays with it); r may hold none, and may be released twice. */
void bench_command_result_release(struct bench_command_result *r);

/*
 * Reaps pid if it is a child of the caller that has ended and that no
 * bench_command_run() is waiting for: for a caller that is a child
 * subreaper and so inherits orphans (a zombie still counts against its
 * user's process limit). Returns 1 when it reaped pid, 0 otherwise
 * (still running, another run's child, or not the caller's). Thread-safe.
 */
int bench_command_reap_orphan(pid_t pid);

/*
 * How a run ended, in words for a message: "exited with status 1",
 * "was killed by signal SIGKILL", "was killed by signal SIGSEGV (core
 * dumped)", "ran past its time limit and was killed", "was stopped by
 * SIGSTOP and killed at its time limit", "wrote more output than allowed
 * and was killed", or "exited normally" for status 0. Writes
 * at most len bytes into buf (always NUL-terminated when len > 0) and
 * returns buf.
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
