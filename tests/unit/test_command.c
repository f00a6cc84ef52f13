/*
 * test_command.c - one run of a whole program (bench/command.h): how it
 * ended, what it used, where its streams went, and that it is always
 * reaped, cancellation included.
 *
 * Children are /bin/sh one-liners and coreutils, so the tests need
 * nothing but a POSIX system. Timing is asserted only where physics
 * bounds it: `sleep 0.05` takes at least 50 ms of wall time, a busy loop
 * uses CPU time, and one thread cannot use more CPU time than wall time.
 * Tests that watch grandchildren make the test process a child subreaper
 * (PR_SET_CHILD_SUBREAPER), so an orphan comes back to it and its fate is
 * known exactly instead of guessed from ps.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/command.h"
#include "bench/executor.h"
#include "check_util.h"

#define MS BENCH_NS_PER_MS

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

/* A command from a NULL-terminated list of words; must resolve. */
static void make(struct bench_command *c, const char *const *words)
{
	struct bench_err err = { 0 };
	size_t n = 0;
	int rc;

	while (words[n])
		n++;
	rc = bench_command_init(c, (char *const *)words, n, &err);
	ck_assert_msg(rc == 0, "bench_command_init(%s): %d %s", words[0], rc,
		      err.msg);
}

/* Runs `sh -c SCRIPT` with opts; the run itself must succeed. */
static void sh_run(const char *script, const struct bench_command_opts *o,
		   struct bench_command_result *r)
{
	const char *words[] = { "sh", "-c", script, NULL };
	struct bench_command c;
	struct bench_err err = { 0 };
	int rc;

	make(&c, words);
	rc = bench_command_run(&c, o, r, &err);
	bench_command_release(&c);
	ck_assert_msg(rc == 0, "sh -c '%s': rc %d: %s", script, rc, err.msg);
}

/* A fresh folder under $TMPDIR; the path is static storage. */
static const char *temp_dir(void)
{
	static char path[256];
	const char *tmp = getenv("TMPDIR");

	snprintf(path, sizeof(path), "%s/bench-command.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	ck_assert_msg(mkdtemp(path) != NULL, "mkdtemp: %s", strerror(errno));
	return path;
}

/* Writes text to dir/name with mode; returns the malloc'd path. */
static char *write_file(const char *dir, const char *name, const char *text,
			mode_t mode)
{
	char *path;
	FILE *f;

	ck_assert(asprintf(&path, "%s/%s", dir, name) > 0);
	f = fopen(path, "w");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	fputs(text, f);
	ck_assert(fclose(f) == 0);
	ck_assert(chmod(path, mode) == 0);
	return path;
}

/* Everything in a file (up to 4 KiB), read from the start. */
static const char *slurp(int fd)
{
	static char buf[4096];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	ck_assert_msg(n >= 0, "pread: %s", strerror(errno));
	buf[n] = '\0';
	return buf;
}

static int temp_fd(void)
{
	FILE *f = tmpfile();

	ck_assert(f != NULL);
	return dup(fileno(f));
}

/* ------------------------------------------------------------------ */
/* How a program ended                                                 */

START_TEST(test_exit_zero)
{
	const char *words[] = { "true", NULL };
	struct bench_command c;
	struct bench_command_result r;
	struct bench_err err = { 0 };
	char how[160];

	make(&c, words);
	ck_assert_msg(c.path[0] == '/', "true resolved to '%s'", c.path);
	ck_assert_int_eq(bench_command_run(&c, NULL, &r, &err), 0);
	ck_assert_int_eq(r.exited, 1);
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_int_eq(r.signal, 0);
	ck_assert_int_eq(r.exec_errno, 0);
	ck_assert_int_eq(bench_command_failed(&r), 0);
	ck_assert_str_eq(bench_command_describe(&r, how, sizeof(how)),
			 "exited normally");
	ck_assert_msg(r.wall_ns > 0, "wall_ns %llu", (unsigned long long)r.wall_ns);
	bench_command_release(&c);
	assert_no_child();
}
END_TEST

START_TEST(test_exit_status)
{
	struct bench_command_result r;
	char how[160];

	sh_run("exit 3", NULL, &r);
	ck_assert_int_eq(r.exited, 1);
	ck_assert_int_eq(r.exit_code, 3);
	ck_assert_int_eq(r.signal, 0);
	ck_assert_int_eq(bench_command_failed(&r), 1);
	ck_assert_str_eq(bench_command_describe(&r, how, sizeof(how)),
			 "exited with status 3");
	/* A program that really exits 127 is a result, not an exec error. */
	sh_run("exit 127", NULL, &r);
	ck_assert_int_eq(r.exit_code, 127);
	ck_assert_int_eq(r.exec_errno, 0);
	assert_no_child();
}
END_TEST

START_TEST(test_killed_by_signal)
{
	struct bench_command_result r;
	char how[160];

	sh_run("kill -KILL $$", NULL, &r);
	ck_assert_int_eq(r.exited, 0);
	ck_assert_int_eq(r.exit_code, -1);
	ck_assert_int_eq(r.signal, SIGKILL);
	ck_assert_int_eq(bench_command_failed(&r), 1);
	bench_command_describe(&r, how, sizeof(how));
	assert_contains(how, "killed by signal SIGKILL");
	sh_run("kill -TERM $$", NULL, &r);
	ck_assert_int_eq(r.signal, SIGTERM);
	assert_contains(bench_command_describe(&r, how, sizeof(how)), "SIGTERM");
	/* A short buffer is cut, never overrun. */
	bench_command_describe(&r, how, 8);
	ck_assert_uint_eq(strlen(how), 7);
	assert_no_child();
}
END_TEST

/* ------------------------------------------------------------------ */
/* Programs that cannot run                                            */

START_TEST(test_init_missing_command)
{
	char *words[] = { "bench-no-such-command-xyz", NULL };
	struct bench_command c;
	struct bench_err err = { 0 };

	errno = 0;
	ck_assert_int_eq(bench_command_init(&c, words, 1, &err), BENCH_ESYS);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_str_eq(err.msg, "cannot run 'bench-no-such-command-xyz': No such file or directory");
	ck_assert_ptr_null(c.argv);
	bench_command_release(&c);
}
END_TEST

START_TEST(test_init_not_executable)
{
	const char *dir = temp_dir();
	char *data = write_file(dir, "data.txt", "hello\n", 0644);
	char *argv[] = { data, NULL };
	char *dirv[] = { (char *)dir, NULL };
	struct bench_command c;
	struct bench_err err = { 0 };

	errno = 0;
	ck_assert_int_eq(bench_command_init(&c, argv, 1, &err), BENCH_ESYS);
	ck_assert_int_eq(errno, EACCES);
	assert_contains(err.msg, "Permission denied");
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(bench_command_init(&c, dirv, 1, &err), BENCH_ESYS);
	ck_assert_int_eq(errno, EISDIR);
	assert_contains(err.msg, "Is a directory");
	unlink(data);
	rmdir(dir);
	free(data);
}
END_TEST

START_TEST(test_init_bad_arguments)
{
	char *empty[] = { "", NULL };
	struct bench_command c;
	struct bench_err err = { 0 };

	ck_assert_int_eq(bench_command_init(&c, empty, 0, &err), BENCH_EINVAL);
	ck_assert_int_eq(bench_command_init(&c, empty, 1, &err), BENCH_EINVAL);
	ck_assert_int_eq(bench_command_init(&c, NULL, 1, &err), BENCH_EINVAL);
}
END_TEST

/* PATH is searched in order; a match that cannot run is passed over,
 * and reported only when nothing later can run. */
START_TEST(test_init_path_search)
{
	const char *dir = temp_dir();
	char *a, *sub_a, *sub_b, *path, *tool, *only, *saved;
	char *argv[] = { "benchtool", NULL };
	char *argv2[] = { "benchonly", NULL };
	struct bench_command c;
	struct bench_err err = { 0 };

	ck_assert(asprintf(&sub_a, "%s/a", dir) > 0 && mkdir(sub_a, 0755) == 0);
	ck_assert(asprintf(&sub_b, "%s/b", dir) > 0 && mkdir(sub_b, 0755) == 0);
	a = write_file(sub_a, "benchtool", "not runnable\n", 0644);
	only = write_file(sub_a, "benchonly", "not runnable\n", 0644);
	tool = write_file(sub_b, "benchtool", "#!/bin/sh\nexit 0\n", 0755);
	ck_assert(asprintf(&path, "%s:%s", sub_a, sub_b) > 0);
	saved = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	setenv("PATH", path, 1);
	ck_assert_msg(bench_command_init(&c, argv, 1, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(c.path, tool);
	bench_command_release(&c);
	ck_assert_int_eq(bench_command_init(&c, argv2, 1, &err), BENCH_ESYS);
	ck_assert_int_eq(errno, EACCES);
	if (saved)
		setenv("PATH", saved, 1);
	else
		unsetenv("PATH");
	free(saved);
	unlink(a);
	unlink(only);
	unlink(tool);
	rmdir(sub_a);
	rmdir(sub_b);
	rmdir(dir);
	free(a);
	free(only);
	free(tool);
	free(sub_a);
	free(sub_b);
	free(path);
}
END_TEST

/* An exec that fails in the child comes back as its errno, not as a
 * program that exited 127. */
START_TEST(test_exec_failure_errno)
{
	const char *dir = temp_dir();
	char *junk = write_file(dir, "junk", "\x7f" "ELF not really\n", 0755);
	char *gone = write_file(dir, "gone", "#!/bin/sh\nexit 0\n", 0755);
	char *argv[] = { junk, NULL };
	char *argv2[] = { gone, NULL };
	struct bench_command c;
	struct bench_command_result r;
	struct bench_err err = { 0 };

	ck_assert_msg(bench_command_init(&c, argv, 1, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(bench_command_run(&c, NULL, &r, &err), BENCH_ESYS);
	ck_assert_int_eq(r.exec_errno, ENOEXEC);
	assert_contains(err.msg, "cannot run '");
	assert_contains(err.msg, "Exec format error");
	bench_command_release(&c);
	assert_no_child();

	/* Removed between init and run. */
	memset(&err, 0, sizeof(err));
	ck_assert_msg(bench_command_init(&c, argv2, 1, &err) == 0, "%s", err.msg);
	unlink(gone);
	ck_assert_int_eq(bench_command_run(&c, NULL, &r, &err), BENCH_ESYS);
	ck_assert_int_eq(r.exec_errno, ENOENT);
	assert_contains(err.msg, "No such file or directory");
	bench_command_release(&c);
	assert_no_child();
	unlink(junk);
	rmdir(dir);
	free(junk);
	free(gone);
}
END_TEST

START_TEST(test_run_bad_arguments)
{
	struct bench_command c = { 0 };
	struct bench_command_result r;
	struct bench_command_opts o = { 0 };
	const char *words[] = { "true", NULL };
	struct bench_err err = { 0 };

	ck_assert_int_eq(bench_command_run(&c, NULL, &r, &err), BENCH_EINVAL);
	ck_assert_int_eq(bench_command_run(NULL, NULL, &r, &err), BENCH_EINVAL);
	make(&c, words);
	ck_assert_int_eq(bench_command_run(&c, NULL, NULL, &err), BENCH_EINVAL);
	o.stream[1] = BENCH_STREAM_FD;
	o.fd[1] = -1;
	ck_assert_int_eq(bench_command_run(&c, &o, &r, &err), BENCH_EINVAL);
	bench_command_release(&c);
	bench_command_release(&c);  /* twice is harmless */
	assert_no_child();
}
END_TEST

/* ------------------------------------------------------------------ */
/* What it used                                                        */

START_TEST(test_wall_covers_sleep)
{
	const char *words[] = { "sleep", "0.05", NULL };
	struct bench_command c;
	struct bench_command_result r;
	struct bench_err err = { 0 };

	make(&c, words);
	ck_assert_int_eq(bench_command_run(&c, NULL, &r, &err), 0);
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_msg(r.wall_ns >= 50 * MS, "sleep 0.05 took %llu ns",
		      (unsigned long long)r.wall_ns);
	/* Sleeping is not computing. */
	ck_assert_msg(r.user_ns + r.sys_ns < r.wall_ns,
		      "user %llu + sys %llu ns of %llu ns wall",
		      (unsigned long long)r.user_ns,
		      (unsigned long long)r.sys_ns,
		      (unsigned long long)r.wall_ns);
	bench_command_release(&c);
	assert_no_child();
}
END_TEST

/* A busy loop of the shell shows up as CPU time, no more of it than one
 * thread can use in the wall time (plus a tick of accounting slack). */
START_TEST(test_rusage_busy_loop)
{
	struct bench_command_result r;

	sh_run("i=0; while [ $i -lt 300000 ]; do i=$((i + 1)); done", NULL, &r);
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_msg(r.user_ns >= 20 * MS, "busy loop: user %llu ns (wall %llu ns)",
		      (unsigned long long)r.user_ns,
		      (unsigned long long)r.wall_ns);
	ck_assert_msg(r.user_ns + r.sys_ns <= r.wall_ns + 10 * MS,
		      "one thread used user %llu + sys %llu ns in %llu ns",
		      (unsigned long long)r.user_ns,
		      (unsigned long long)r.sys_ns,
		      (unsigned long long)r.wall_ns);
	ck_assert_msg(r.maxrss_kb > 100 && r.maxrss_kb < 1024 * 1024,
		      "peak RSS %llu KiB", (unsigned long long)r.maxrss_kb);
	assert_no_child();
}
END_TEST

/* A child that touches 64 MiB reports at least that much peak RSS. */
START_TEST(test_rusage_memory)
{
	const char *dir = temp_dir();
	char *big = write_file(dir, "big", "", 0644);
	char *script;
	struct bench_command_result r;
	int fd = open(big, O_WRONLY);

	ck_assert(fd >= 0 && ftruncate(fd, 64 << 20) == 0);
	close(fd);
	/* dd with a 64 MiB block holds the whole block in memory. */
	ck_assert(asprintf(&script, "dd if=%s of=/dev/null bs=64M count=1 2>/dev/null",
			   big) > 0);
	sh_run(script, NULL, &r);
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_msg(r.maxrss_kb >= 60 * 1024, "peak RSS %llu KiB",
		      (unsigned long long)r.maxrss_kb);
	unlink(big);
	rmdir(dir);
	free(big);
	free(script);
	assert_no_child();
}
END_TEST

/* ------------------------------------------------------------------ */
/* Streams                                                             */

START_TEST(test_streams)
{
	struct bench_command_opts o = { 0 };
	struct bench_command_result r;
	int out = temp_fd(), err = temp_fd();

	o.stream[1] = o.stream[2] = BENCH_STREAM_FD;
	o.fd[1] = out;
	o.fd[2] = err;
	/* stdin is /dev/null by default: read sees end of file at once. */
	sh_run("if read x; then echo got; else echo eof; fi; echo oops >&2", &o, &r);
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_str_eq(slurp(out), "eof\n");
	ck_assert_str_eq(slurp(err), "oops\n");
	close(out);
	close(err);
	assert_no_child();
}
END_TEST

/* By default nothing reaches the caller's stdout: point the test's own
 * descriptor 1 at a file and check that it stays empty. */
START_TEST(test_output_discarded_by_default)
{
	struct bench_command_opts inherit = { 0 };
	struct bench_command_result r;
	int saved = dup(1), file = temp_fd();

	ck_assert(saved >= 0 && dup2(file, 1) == 1);
	sh_run("echo discarded; echo discarded >&2", NULL, &r);
	inherit.stream[1] = BENCH_STREAM_INHERIT;
	sh_run("echo shown", &inherit, &r);
	ck_assert(dup2(saved, 1) == 1);
	close(saved);
	ck_assert_str_eq(slurp(file), "shown\n");
	close(file);
	assert_no_child();
}
END_TEST

/* Descriptors among 0..2 given for other streams must not clobber each
 * other: stdout to the caller's fd 2 and stderr to its fd 1. */
START_TEST(test_streams_crossed)
{
	struct bench_command_opts o = { 0 };
	struct bench_command_result r;
	int s1 = dup(1), s2 = dup(2), f1 = temp_fd(), f2 = temp_fd();

	ck_assert(dup2(f1, 1) == 1 && dup2(f2, 2) == 2);
	o.stream[1] = o.stream[2] = BENCH_STREAM_FD;
	o.fd[1] = 2;
	o.fd[2] = 1;
	sh_run("echo to-out; echo to-err >&2", &o, &r);
	ck_assert(dup2(s1, 1) == 1 && dup2(s2, 2) == 2);
	ck_assert_str_eq(slurp(f1), "to-err\n");
	ck_assert_str_eq(slurp(f2), "to-out\n");
	close(s1);
	close(s2);
	close(f1);
	close(f2);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Cancellation and process groups                                     */

START_TEST(test_canceled_before)
{
	const char *words[] = { "true", NULL };
	struct bench_command c;
	struct bench_command_result r;
	struct bench_err err = { 0 };

	make(&c, words);
	bench_cancel();
	ck_assert_int_eq(bench_command_run(&c, NULL, &r, &err), BENCH_ECANCELED);
	bench_cancel_reset();
	bench_command_release(&c);
	assert_no_child();
}
END_TEST

static void on_alarm(int sig)
{
	(void)sig;
	bench_cancel();
}

/* Ctrl-C's path: a signal handler calls bench_cancel() while the command
 * runs; the run kills the command's whole group, reaps it, and returns
 * long before the command would have ended. The shell's background
 * sleep is a grandchild: as subreaper this process gets it back, and it
 * must have died of SIGKILL too. */
START_TEST(test_cancel_by_signal_kills_group)
{
	const char *dir = temp_dir();
	char *pidfile, *script;
	struct sigaction sa;
	struct itimerval it = { { 0, 0 }, { 0, 300000 } };
	struct bench_command_result r;
	struct bench_err err = { 0 };
	const char *words[4] = { "sh", "-c", NULL, NULL };
	struct bench_command c;
	bench_ns t0, took;
	int status, rc;
	pid_t grandchild, got;
	FILE *f;

	ck_assert(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0);
	ck_assert(asprintf(&pidfile, "%s/pid", dir) > 0);
	ck_assert(asprintf(&script, "sleep 30 & echo $! > %s; wait", pidfile) > 0);
	words[2] = script;
	make(&c, words);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	ck_assert(sigaction(SIGALRM, &sa, NULL) == 0);
	t0 = bench_clock_now();
	ck_assert(setitimer(ITIMER_REAL, &it, NULL) == 0);
	rc = bench_command_run(&c, NULL, &r, &err);
	took = bench_clock_now() - t0;
	ck_assert_msg(rc == BENCH_ECANCELED, "rc %d: %s", rc, err.msg);
	assert_contains(err.msg, "interrupted");
	ck_assert_int_eq(r.signal, SIGKILL);
	ck_assert_msg(took < 10 * BENCH_NS_PER_S, "cancel took %llu ns",
		      (unsigned long long)took);
	f = fopen(pidfile, "r");
	ck_assert_msg(f != NULL, "the shell wrote no pid file");
	ck_assert(fscanf(f, "%d", &grandchild) == 1);
	fclose(f);
	got = waitpid(grandchild, &status, 0);
	ck_assert_msg(got == grandchild, "waitpid(%d): %s", (int)grandchild,
		      strerror(errno));
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		      "the background sleep ended with status %#x", status);
	bench_cancel_reset();
	bench_command_release(&c);
	unlink(pidfile);
	rmdir(dir);
	free(pidfile);
	free(script);
	assert_no_child();
}
END_TEST

/* Cancels 200 ms after it starts. */
static void *cancel_later(void *arg)
{
	static const long ms = 200;

	(void)arg;
	return cancel_after_ms((void *)&ms);
}

/* No signal at all (another thread cancels): poll's timeout still
 * notices within a fraction of a second. */
START_TEST(test_cancel_from_thread)
{
	const char *words[] = { "sleep", "30", NULL };
	struct bench_command c;
	struct bench_command_result r;
	struct bench_err err = { 0 };
	pthread_t t;
	bench_ns t0, took;
	int rc;

	make(&c, words);
	t0 = bench_clock_now();
	ck_assert(pthread_create(&t, NULL, cancel_later, NULL) == 0);
	rc = bench_command_run(&c, NULL, &r, &err);
	took = bench_clock_now() - t0;
	pthread_join(t, NULL);
	ck_assert_msg(rc == BENCH_ECANCELED, "rc %d: %s", rc, err.msg);
	ck_assert_int_eq(r.signal, SIGKILL);
	ck_assert_msg(took < 10 * BENCH_NS_PER_S, "cancel took %llu ns",
		      (unsigned long long)took);
	bench_cancel_reset();
	bench_command_release(&c);
	assert_no_child();
}
END_TEST

/* The child leads a process group of its own. */
START_TEST(test_own_process_group)
{
	struct bench_command_opts o = { 0 };
	struct bench_command_result r;
	int out = temp_fd();
	long pid, pgid;

	o.stream[1] = BENCH_STREAM_FD;
	o.fd[1] = out;
	sh_run("echo $$ $(cut -d' ' -f5 /proc/$$/stat)", &o, &r);
	ck_assert_msg(sscanf(slurp(out), "%ld %ld", &pid, &pgid) == 2,
		      "output '%s'", slurp(out));
	ck_assert_int_eq(pid, pgid);
	ck_assert_int_ne(pgid, (long)getpgrp());
	close(out);
	assert_no_child();
}
END_TEST

/* ------------------------------------------------------------------ */
/* Splitting --vs                                                      */

START_TEST(test_split)
{
	char **v;

	ck_assert_int_eq(bench_command_split("gzip -1  -c\tdata", &v), 4);
	ck_assert_str_eq(v[0], "gzip");
	ck_assert_str_eq(v[1], "-1");
	ck_assert_str_eq(v[2], "-c");
	ck_assert_str_eq(v[3], "data");
	ck_assert_ptr_null(v[4]);
	free(v);
	ck_assert_int_eq(bench_command_split("  sleep  ", &v), 1);
	ck_assert_str_eq(v[0], "sleep");
	ck_assert_ptr_null(v[1]);
	free(v);
	ck_assert_int_eq(bench_command_split("", &v), 0);
	ck_assert_ptr_null(v[0]);
	free(v);
	ck_assert_int_eq(bench_command_split(" \t ", &v), 0);
	free(v);
	/* No shell quoting: quotes stay, and a quoted space still splits. */
	ck_assert_int_eq(bench_command_split("echo 'a b' $HOME", &v), 4);
	ck_assert_str_eq(v[1], "'a");
	ck_assert_str_eq(v[2], "b'");
	ck_assert_str_eq(v[3], "$HOME");
	free(v);
}
END_TEST

/* Many runs in a row leave nothing behind (no zombie, no descriptor). */
START_TEST(test_many_runs_reap_all)
{
	const char *words[] = { "true", NULL };
	struct bench_command c;
	struct bench_command_result r;
	struct bench_err err = { 0 };
	int before = dup(0), after;

	close(before);
	make(&c, words);
	for (int i = 0; i < 50; i++)
		ck_assert_int_eq(bench_command_run(&c, NULL, &r, &err), 0);
	bench_command_release(&c);
	after = dup(0);
	close(after);
	ck_assert_int_eq(after, before);
	assert_no_child();
}
END_TEST

Suite *suite_command(void)
{
	Suite *s = suite_create("command");
	TCase *ended = tcase_create("ended");
	TCase *cannot = tcase_create("cannot_run");
	TCase *used = tcase_create("used");
	TCase *streams = tcase_create("streams");
	TCase *cancel = tcase_create("cancel");
	TCase *split = tcase_create("split");

	tcase_add_test(ended, test_exit_zero);
	tcase_add_test(ended, test_exit_status);
	tcase_add_test(ended, test_killed_by_signal);
	tcase_add_test(ended, test_many_runs_reap_all);
	tcase_set_timeout(ended, 30);
	suite_add_tcase(s, ended);

	tcase_add_test(cannot, test_init_missing_command);
	tcase_add_test(cannot, test_init_not_executable);
	tcase_add_test(cannot, test_init_bad_arguments);
	tcase_add_test(cannot, test_init_path_search);
	tcase_add_test(cannot, test_exec_failure_errno);
	tcase_add_test(cannot, test_run_bad_arguments);
	tcase_set_timeout(cannot, 30);
	suite_add_tcase(s, cannot);

	tcase_add_test(used, test_wall_covers_sleep);
	tcase_add_test(used, test_rusage_busy_loop);
	tcase_add_test(used, test_rusage_memory);
	tcase_set_timeout(used, 60);
	suite_add_tcase(s, used);

	tcase_add_test(streams, test_streams);
	tcase_add_test(streams, test_output_discarded_by_default);
	tcase_add_test(streams, test_streams_crossed);
	tcase_add_test(streams, test_own_process_group);
	tcase_set_timeout(streams, 30);
	suite_add_tcase(s, streams);

	tcase_add_test(cancel, test_canceled_before);
	tcase_add_test(cancel, test_cancel_by_signal_kills_group);
	tcase_add_test(cancel, test_cancel_from_thread);
	tcase_set_timeout(cancel, 30);
	suite_add_tcase(s, cancel);

	tcase_add_test(split, test_split);
	suite_add_tcase(s, split);
	return s;
}
