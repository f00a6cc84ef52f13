/*
 * test_command.c - one run of a whole program or function
 * (bench/command.h): how it ended, what it used, where its descriptors
 * went, what it read and wrote in memory, its environment, setup and
 * limits (timeout, flood), its process group and tree, and that it is
 * always reaped, cancellation included.
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
#include <sys/resource.h>
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

/* ------------------------------------------------------------------ */
/* Memory: captured output, input fed                                  */

/* Runs `sh -c SCRIPT` with cmd's extra settings from tune (may be NULL)
 * and opts; the run itself must succeed. r must be released. */
static void sh_run_with(const char *script, void (*tune)(struct bench_command *),
			const struct bench_command_opts *o,
			struct bench_command_result *r)
{
	const char *words[] = { "sh", "-c", script, NULL };
	struct bench_command c;
	struct bench_err err = { 0 };
	int rc;

	make(&c, words);
	if (tune)
		tune(&c);
	rc = bench_command_run(&c, o, r, &err);
	bench_command_release(&c);
	ck_assert_msg(rc == 0, "sh -c '%s': rc %d: %s", script, rc, err.msg);
}

START_TEST(test_capture_stdout_stderr)
{
	struct bench_command_opts o = { 0 };
	struct bench_command_result r;

	o.stream[1] = o.stream[2] = BENCH_STREAM_MEMORY;
	sh_run_with("printf out; printf 'err\\n' >&2", NULL, &o, &r);
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_str_eq(r.output[1].data, "out");
	ck_assert_uint_eq(r.output[1].len, 3);
	ck_assert_uint_eq(r.output[1].total, 3);
	ck_assert_str_eq(r.output[2].data, "err\n");
	ck_assert_ptr_null(r.output[0].data);
	ck_assert_ptr_null(r.output[3].data);
	bench_command_result_release(&r);
	bench_command_result_release(&r);  /* twice is harmless */
	/* A captured stream the child never writes to is "", not NULL. */
	sh_run_with("exit 0", NULL, &o, &r);
	ck_assert_str_eq(r.output[1].data, "");
	bench_command_result_release(&r);
	assert_no_child();
}
END_TEST

/* 2>&1: both streams in one buffer, in the order written. */
START_TEST(test_capture_merged)
{
	struct bench_command_opts o = { 0 };
	struct bench_command_result r;

	o.stream[1] = BENCH_STREAM_MEMORY;
	o.stream[2] = BENCH_STREAM_STDOUT;
	sh_run_with("echo a; echo b >&2; echo c", NULL, &o, &r);
	ck_assert_str_eq(r.output[1].data, "a\nb\nc\n");
	ck_assert_ptr_null(r.output[2].data);
	bench_command_result_release(&r);
	assert_no_child();
}
END_TEST

static void cap_10(struct bench_command *c)
{
	c->capture_max = 10;
}

/* Past the cap, output is read (the child never blocks) and counted,
 * not kept; without a cap, far more than a pipe holds is kept whole. */
START_TEST(test_capture_cap)
{
	struct bench_command_opts o = { 0 };
	struct bench_command_result r;

	o.stream[1] = BENCH_STREAM_MEMORY;
	sh_run_with("head -c 300000 /dev/zero | tr '\\0' x", cap_10, &o, &r);
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_uint_eq(r.output[1].len, 10);
	ck_assert_uint_eq(r.output[1].total, 300000);
	ck_assert_str_eq(r.output[1].data, "xxxxxxxxxx");
	bench_command_result_release(&r);
	sh_run_with("head -c 3000000 /dev/zero | tr '\\0' y", NULL, &o, &r);
	ck_assert_uint_eq(r.output[1].len, 3000000);
	ck_assert_uint_eq(r.output[1].total, 3000000);
	ck_assert_int_eq(r.output[1].data[2999999], 'y');
	ck_assert_int_eq(r.output[1].data[3000000], '\0');
	bench_command_result_release(&r);
	assert_no_child();
}
END_TEST

/* Descriptor 3: captured, given, or by default left as the caller has
 * it: closed at exec when close-on-exec, inherited when not. */
START_TEST(test_descriptor_3)
{
	struct bench_command_opts o = { 0 };
	struct bench_command_result r;
	int file = temp_fd(), had;

	o.stream[3] = BENCH_STREAM_MEMORY;
	sh_run_with("echo report >&3; echo shown", NULL, &o, &r);
	ck_assert_str_eq(r.output[3].data, "report\n");
	bench_command_result_release(&r);
	o.stream[3] = BENCH_STREAM_FD;
	o.fd[3] = file;
	sh_run_with("echo to-file >&3", NULL, &o, &r);
	ck_assert_str_eq(slurp(file), "to-file\n");
	bench_command_result_release(&r);
	memset(&o, 0, sizeof(o));
	o.stream[1] = BENCH_STREAM_MEMORY;
	had = fcntl(3, F_GETFD);
	if (had < 0)
		ck_assert(dup2(file, 3) == 3);
	for (int inherit = 0; inherit < 2; inherit++) {
		ck_assert(fcntl(3, F_SETFD, inherit ? 0 : FD_CLOEXEC) == 0);
		sh_run_with("if (: >&3) 2>/dev/null; then echo open; else echo closed; fi",
			    NULL, &o, &r);
		ck_assert_str_eq(r.output[1].data, inherit ? "open\n" : "closed\n");
		bench_command_result_release(&r);
	}
	if (had < 0)
		close(3);
	else
		fcntl(3, F_SETFD, had);
	close(file);
	assert_no_child();
}
END_TEST

static const char *input_text;
static size_t input_size;

static void feed_input(struct bench_command *c)
{
	c->input = input_text;
	c->input_len = input_size;
}

/* stdin from memory: cat gives it back, even when it is far more than a
 * pipe holds in both directions at once; empty input is end of file. */
START_TEST(test_input_from_memory)
{
	struct bench_command_opts o = { 0 };
	struct bench_command_result r;
	char *big = malloc(2000000);

	ck_assert_ptr_nonnull(big);
	for (size_t i = 0; i < 2000000; i++)
		big[i] = (char)('a' + i % 26);
	o.stream[0] = o.stream[1] = BENCH_STREAM_MEMORY;
	input_text = "hello\nworld\n";
	input_size = strlen(input_text);
	sh_run_with("cat", feed_input, &o, &r);
	ck_assert_str_eq(r.output[1].data, "hello\nworld\n");
	bench_command_result_release(&r);
	input_text = big;
	input_size = 2000000;
	sh_run_with("cat", feed_input, &o, &r);
	ck_assert_uint_eq(r.output[1].len, 2000000);
	ck_assert(memcmp(r.output[1].data, big, 2000000) == 0);
	bench_command_result_release(&r);
	input_size = 0;
	sh_run_with("if read x; then echo got; else echo eof; fi", feed_input, &o, &r);
	ck_assert_str_eq(r.output[1].data, "eof\n");
	bench_command_result_release(&r);
	free(big);
	assert_no_child();
}
END_TEST

/* A child that never reads its stdin: the run still ends normally, and
 * no SIGPIPE is left for the caller (it would kill this test). */
START_TEST(test_input_not_read)
{
	struct bench_command_opts o = { 0 };
	struct bench_command_result r;
	char *big = calloc(1, 1000000);
	sigset_t pending, mask;

	ck_assert_ptr_nonnull(big);
	o.stream[0] = BENCH_STREAM_MEMORY;
	input_text = big;
	input_size = 1000000;
	sh_run_with("exit 4", feed_input, &o, &r);
	ck_assert_int_eq(r.exit_code, 4);
	bench_command_result_release(&r);
	ck_assert(sigpending(&pending) == 0);
	ck_assert_int_eq(sigismember(&pending, SIGPIPE), 0);
	ck_assert(pthread_sigmask(SIG_SETMASK, NULL, &mask) == 0);
	ck_assert_int_eq(sigismember(&mask, SIGPIPE), 0);
	free(big);
	assert_no_child();
}
END_TEST

/* ------------------------------------------------------------------ */
/* Limits: wall clock and output                                       */

static void timeout_300ms_tree(struct bench_command *c)
{
	c->timeout_ns = 300 * MS;
	c->tree = 1;
}

/* Past its wall-clock limit the child's group is killed, the child
 * reaped, and the run says so; the tree run leaves no grandchild. */
START_TEST(test_timeout)
{
	const char *dir = temp_dir();
	char *pidfile, *script;
	struct bench_command_result r;
	char how[160];
	pid_t grandchild;
	FILE *f;

	ck_assert(asprintf(&pidfile, "%s/pid", dir) > 0);
	ck_assert(asprintf(&script, "sleep 30 & echo $! > %s; wait", pidfile) > 0);
	sh_run_with(script, timeout_300ms_tree, NULL, &r);
	ck_assert_int_eq(r.timed_out, 1);
	ck_assert_int_eq(r.flooded, 0);
	ck_assert_int_eq(r.signal, SIGKILL);
	ck_assert_msg(r.wall_ns >= 300 * MS && r.wall_ns < 10 * BENCH_NS_PER_S,
		      "wall %llu ns", (unsigned long long)r.wall_ns);
	ck_assert_str_eq(bench_command_describe(&r, how, sizeof(how)),
			 "ran past its time limit and was killed");
	ck_assert_int_eq(bench_command_failed(&r), 1);
	f = fopen(pidfile, "r");
	ck_assert_msg(f != NULL, "the shell wrote no pid file");
	ck_assert(fscanf(f, "%d", &grandchild) == 1);
	fclose(f);
	ck_assert_msg(kill(grandchild, 0) != 0 && errno == ESRCH,
		      "the background sleep %d outlived the run", (int)grandchild);
	bench_command_result_release(&r);
	unlink(pidfile);
	rmdir(dir);
	free(pidfile);
	free(script);
	assert_no_child();
}
END_TEST

static void timeout_300ms(struct bench_command *c)
{
	c->timeout_ns = 300 * MS;
}

static void tree_only(struct bench_command *c)
{
	c->tree = 1;
}

/* A child that stops itself (SIGSTOP) is waited on like a running one -
 * a SIGCONT could come - until the time limit kills it; the run says it
 * was stopped. One stopped by SIGTTOU (the terminal) is killed at once:
 * BENCH_ESYS naming the signal. */
START_TEST(test_stopped_child)
{
	const char *words[] = { "sh", "-c", "kill -TTOU $$; sleep 30", NULL };
	struct bench_command c;
	struct bench_command_result r;
	struct bench_err err = { 0 };
	char how[160];

	sh_run_with("kill -STOP $$; exit 3", timeout_300ms, NULL, &r);
	ck_assert_int_eq(r.timed_out, 1);
	ck_assert_int_eq(r.stopped_by, SIGSTOP);
	ck_assert_int_eq(r.signal, SIGKILL);
	ck_assert_msg(r.wall_ns >= 300 * MS, "wall %llu ns", (unsigned long long)r.wall_ns);
	ck_assert_str_eq(bench_command_describe(&r, how, sizeof(how)),
			 "was stopped by SIGSTOP and killed at its time limit");
	bench_command_result_release(&r);

	/* Continued from outside (here by a sibling in its group), it ends by
	 * itself: nothing kills a stopped child early. */
	sh_run_with("(while sleep 0.1; do kill -CONT $$ 2>/dev/null || exit 0; done) & "
		    "kill -STOP $$; exit 3", tree_only, NULL, &r);
	ck_assert_int_eq(r.timed_out, 0);
	ck_assert_int_eq(r.exit_code, 3);
	bench_command_result_release(&r);

	make(&c, words);
	ck_assert_int_eq(bench_command_run(&c, NULL, &r, &err), BENCH_ESYS);
	ck_assert_msg(strstr(err.msg, "was stopped by SIGTTOU") != NULL, "%s", err.msg);
	ck_assert_int_eq(r.signal, SIGKILL);
	bench_command_result_release(&r);
	bench_command_release(&c);
	assert_no_child();
}
END_TEST

static void flood_64k(struct bench_command *c)
{
	c->flood_bytes = 64 << 10;
	c->capture_max = 1000;
}

/* A child writing without end is killed once the captured streams pass
 * the flood limit; what was kept stays capped. */
START_TEST(test_flood)
{
	struct bench_command_opts o = { 0 };
	struct bench_command_result r;
	char how[160];

	o.stream[1] = o.stream[2] = BENCH_STREAM_MEMORY;
	sh_run_with("yes flood", flood_64k, &o, &r);
	ck_assert_int_eq(r.flooded, 1);
	ck_assert_int_eq(r.timed_out, 0);
	ck_assert_int_eq(r.signal, SIGKILL);
	ck_assert_uint_eq(r.output[1].len, 1000);
	ck_assert_msg(r.output[1].total > 64 << 10, "total %llu",
		      (unsigned long long)r.output[1].total);
	ck_assert_str_eq(bench_command_describe(&r, how, sizeof(how)),
			 "wrote more output than allowed and was killed");
	bench_command_result_release(&r);
	assert_no_child();
}
END_TEST

/* ------------------------------------------------------------------ */
/* The process: environment, setup, descriptors, function, group       */

static char *const env_changes[] = { "BENCH_TEST_A=first", "HOME",
				     "BENCH_TEST_A=1", NULL };

static void change_env(struct bench_command *c)
{
	c->env = env_changes;
}

START_TEST(test_environment)
{
	const char *words[] = { "env", NULL };
	static char *const only[] = { "ONLY=1", NULL };
	struct bench_command_opts o = { 0 };
	struct bench_command_result r;
	struct bench_command c;
	struct bench_err err = { 0 };

	o.stream[1] = BENCH_STREAM_MEMORY;
	setenv("HOME", "/nowhere", 1);
	/* Set (the last of a name wins), removed, the rest inherited. */
	sh_run_with("echo \"$BENCH_TEST_A ${HOME-unset} ${PATH:+path}\"", change_env, &o, &r);
	ck_assert_str_eq(r.output[1].data, "1 unset path\n");
	bench_command_result_release(&r);
	ck_assert_str_eq(getenv("HOME"), "/nowhere");  /* the caller's stays */
	/* A cleared environment holds only what env lists. */
	make(&c, words);
	c.clear_env = 1;
	c.env = only;
	ck_assert_int_eq(bench_command_run(&c, &o, &r, &err), 0);
	ck_assert_str_eq(r.output[1].data, "ONLY=1\n");
	bench_command_result_release(&r);
	c.env = NULL;
	ck_assert_int_eq(bench_command_run(&c, &o, &r, &err), 0);
	ck_assert_str_eq(r.output[1].data, "");
	bench_command_result_release(&r);
	bench_command_release(&c);
	assert_no_child();
}
END_TEST

static int setup_nofile(void *arg)
{
	struct rlimit rl = { 32, 32 };

	(void)arg;
	return setrlimit(RLIMIT_NOFILE, &rl) == 0 ? 0 : errno;
}

static int setup_fails(void *arg)
{
	return *(const int *)arg;
}

/* The setup runs in the child before the exec, its limits last into the
 * program, and its failure is the run's, reported like an exec's. */
START_TEST(test_setup)
{
	const char *words[] = { "sh", "-c", "ulimit -n", NULL };
	struct bench_command_opts o = { 0 };
	struct bench_command_result r;
	struct bench_command c;
	struct bench_err err = { 0 };
	int e = EACCES;

	o.stream[1] = BENCH_STREAM_MEMORY;
	make(&c, words);
	c.setup = setup_nofile;
	ck_assert_int_eq(bench_command_run(&c, &o, &r, &err), 0);
	ck_assert_str_eq(r.output[1].data, "32\n");
	bench_command_result_release(&r);
	c.setup = setup_fails;
	c.setup_arg = &e;
	ck_assert_int_eq(bench_command_run(&c, &o, &r, &err), BENCH_ESYS);
	ck_assert_int_eq(r.exec_errno, EACCES);
	ck_assert_str_eq(err.msg, "cannot set up the process of 'sh': Permission denied");
	bench_command_result_release(&r);
	bench_command_release(&c);
	assert_no_child();
}
END_TEST

/* close_fds: a descriptor the caller left inheritable reaches the
 * program only without it. */
START_TEST(test_close_fds)
{
	const char *words[] = { "sh", "-c", "if (: >&9) 2>/dev/null; then echo open; else echo closed; fi", NULL };
	struct bench_command_opts o = { 0 };
	struct bench_command_result r;
	struct bench_command c;
	struct bench_err err = { 0 };
	int fd = temp_fd();

	ck_assert(dup2(fd, 9) == 9);  /* dup2 leaves it inheritable */
	o.stream[1] = BENCH_STREAM_MEMORY;
	make(&c, words);
	ck_assert_int_eq(bench_command_run(&c, &o, &r, &err), 0);
	ck_assert_str_eq(r.output[1].data, "open\n");
	bench_command_result_release(&r);
	c.close_fds = 1;
	ck_assert_int_eq(bench_command_run(&c, &o, &r, &err), 0);
	ck_assert_str_eq(r.output[1].data, "closed\n");
	bench_command_result_release(&r);
	bench_command_release(&c);
	close(9);
	close(fd);
	assert_no_child();
}
END_TEST

/* A function in a forked child: reads its stdin to the end, writes the
 * count, exits with a status of its own. */
static int count_stdin(void *arg)
{
	char buf[512], line[32];
	size_t n = 0;
	ssize_t k;
	int len;

	while ((k = read(0, buf, sizeof(buf))) > 0)
		n += (size_t)k;
	len = snprintf(line, sizeof(line), "%zu bytes", n);
	if (write(1, line, (size_t)len) != len)
		return 1;
	return *(const int *)arg;
}

START_TEST(test_function)
{
	struct bench_command_opts o = { 0 };
	struct bench_command_result r;
	struct bench_command c;
	struct bench_err err = { 0 };
	int status = 7;

	ck_assert_int_eq(bench_command_init_fn(&c, "counter", count_stdin,
					       &status, &err), 0);
	ck_assert_str_eq(c.argv[0], "counter");
	ck_assert_ptr_null(c.path);
	o.stream[0] = o.stream[1] = BENCH_STREAM_MEMORY;
	c.input = "twelve bytes";
	c.input_len = 12;
	ck_assert_int_eq(bench_command_run(&c, &o, &r, &err), 0);
	ck_assert_int_eq(r.exited, 1);
	ck_assert_int_eq(r.exit_code, 7);
	ck_assert_str_eq(r.output[1].data, "12 bytes");
	bench_command_result_release(&r);
	bench_command_release(&c);
	ck_assert_int_eq(bench_command_init_fn(&c, "", count_stdin, NULL, &err),
			 BENCH_EINVAL);
	ck_assert_int_eq(bench_command_init_fn(&c, "x", NULL, NULL, &err),
			 BENCH_EINVAL);
	assert_no_child();
}
END_TEST

static void keep_group(struct bench_command *c)
{
	c->keep_group = 1;
}

/* keep_group: the child stays in the caller's process group. */
START_TEST(test_keep_group)
{
	struct bench_command_opts o = { 0 };
	struct bench_command_result r;
	long pgid;

	o.stream[1] = BENCH_STREAM_MEMORY;
	sh_run_with("cut -d' ' -f5 /proc/$$/stat", keep_group, &o, &r);
	ck_assert_msg(sscanf(r.output[1].data, "%ld", &pgid) == 1, "output '%s'",
		      r.output[1].data);
	ck_assert_int_eq(pgid, (long)getpgrp());
	bench_command_result_release(&r);
	assert_no_child();
}
END_TEST

/* Cancelled, a keep_group child is killed alone: the caller (in the same
 * group) lives on to check it. */
START_TEST(test_keep_group_cancel)
{
	const char *words[] = { "sleep", "30", NULL };
	struct bench_command c;
	struct bench_command_result r;
	struct bench_err err = { 0 };
	pthread_t t;
	int rc;

	make(&c, words);
	c.keep_group = 1;
	ck_assert(pthread_create(&t, NULL, cancel_later, NULL) == 0);
	rc = bench_command_run(&c, NULL, &r, &err);
	pthread_join(t, NULL);
	ck_assert_msg(rc == BENCH_ECANCELED, "rc %d: %s", rc, err.msg);
	ck_assert_int_eq(r.signal, SIGKILL);
	bench_cancel_reset();
	bench_command_release(&c);
	assert_no_child();
}
END_TEST

/* no_cancel: a cancel neither stops the run from starting nor ends it. */
START_TEST(test_no_cancel)
{
	const char *words[] = { "sleep", "0.4", NULL };
	struct bench_command c;
	struct bench_command_result r;
	struct bench_err err = { 0 };
	pthread_t t;

	make(&c, words);
	c.no_cancel = 1;
	ck_assert(pthread_create(&t, NULL, cancel_later, NULL) == 0);
	ck_assert_int_eq(bench_command_run(&c, NULL, &r, &err), 0);
	pthread_join(t, NULL);
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_msg(r.wall_ns >= 400 * MS, "wall %llu ns", (unsigned long long)r.wall_ns);
	ck_assert_int_eq(bench_command_run(&c, NULL, &r, &err), 0);  /* flag still set */
	bench_cancel_reset();
	bench_command_release(&c);
	assert_no_child();
}
END_TEST

static void tree(struct bench_command *c)
{
	c->tree = 1;
}

/* A tree run: the child exits at once, leaving a sleep in its group and
 * another in a session of its own; neither outlives the run, both are
 * reaped, and the caller is no subreaper afterwards. */
START_TEST(test_tree_run)
{
	const char *dir = temp_dir();
	char *script;
	struct bench_command_opts o = { 0 };
	struct bench_command_result r;
	int pid1, pid2, sub = -1;

	ck_assert(prctl(PR_GET_CHILD_SUBREAPER, &sub, 0, 0, 0) == 0 && sub == 0);
	ck_assert(asprintf(&script,
			   "sleep 30 & echo $!; setsid sh -c 'echo $$ > %s/pid; exec sleep 30' & "
			   "while [ ! -s %s/pid ]; do sleep 0.01; done; cat %s/pid",
			   dir, dir, dir) > 0);
	o.stream[1] = BENCH_STREAM_MEMORY;
	sh_run_with(script, tree, &o, &r);
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_msg(sscanf(r.output[1].data, "%d %d", &pid1, &pid2) == 2,
		      "output '%s'", r.output[1].data);
	ck_assert_msg(kill(pid1, 0) != 0 && errno == ESRCH, "sleep %d in the group outlived the run", pid1);
	ck_assert_msg(kill(pid2, 0) != 0 && errno == ESRCH, "sleep %d in its own session outlived the run", pid2);
	ck_assert(prctl(PR_GET_CHILD_SUBREAPER, &sub, 0, 0, 0) == 0);
	ck_assert_int_eq(sub, 0);
	bench_command_result_release(&r);
	free(script);
	assert_no_child();
	{
		char *pidfile;

		ck_assert(asprintf(&pidfile, "%s/pid", dir) > 0);
		unlink(pidfile);
		free(pidfile);
		rmdir(dir);
	}
}
END_TEST

static void *run_sleep(void *arg)
{
	const char *words[] = { "sleep", "0.5", NULL };
	struct bench_command c;
	struct bench_err err = { 0 };

	make(&c, words);
	*(int *)arg = bench_command_run(&c, NULL, &(struct bench_command_result){ 0 }, &err);
	bench_command_release(&c);
	return NULL;
}

/* What a tree run kills is its own: another thread's run, started just
 * before, ends normally. */
START_TEST(test_tree_spares_other_runs)
{
	struct bench_command_result r;
	pthread_t t;
	int other = -99;

	ck_assert(pthread_create(&t, NULL, run_sleep, &other) == 0);
	nanosleep(&(struct timespec){ 0, 100 * MS }, NULL);
	sh_run_with("sleep 30 & exit 0", tree, NULL, &r);
	pthread_join(t, NULL);
	ck_assert_int_eq(other, 0);
	bench_command_result_release(&r);
	assert_no_child();
}
END_TEST

/* bench_command_reap_orphan(): a subreaper's ended orphan is reaped once;
 * a pid that is not the caller's child never is. */
START_TEST(test_reap_orphan)
{
	struct bench_command_opts o = { 0 };
	struct bench_command_result r;
	int orphan;

	ck_assert(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0);
	o.stream[1] = BENCH_STREAM_MEMORY;
	sh_run_with("sh -c 'sleep 0.2' & echo $!", NULL, &o, &r);
	ck_assert(sscanf(r.output[1].data, "%d", &orphan) == 1);
	bench_command_result_release(&r);
	ck_assert_int_eq(bench_command_reap_orphan(orphan), 0);  /* still running */
	for (int i = 0; i < 1000 && !bench_command_reap_orphan(orphan); i++)
		nanosleep(&(struct timespec){ 0, 10 * MS }, NULL);
	ck_assert_msg(kill(orphan, 0) != 0 && errno == ESRCH, "orphan %d not reaped", orphan);
	ck_assert_int_eq(bench_command_reap_orphan(orphan), 0);
	ck_assert_int_eq(bench_command_reap_orphan(getppid()), 0);
	ck_assert_int_eq(bench_command_reap_orphan(0), 0);
	assert_no_child();
}
END_TEST

/* What makes no sense is refused before anything starts. */
START_TEST(test_run_bad_settings)
{
	const char *words[] = { "true", NULL };
	struct bench_command c;
	struct bench_command_opts o = { 0 };
	struct bench_command_result r;
	struct bench_err err = { 0 };

	make(&c, words);
	o.stream[1] = BENCH_STREAM_STDOUT;
	ck_assert_int_eq(bench_command_run(&c, &o, &r, &err), BENCH_EINVAL);
	o.stream[1] = 0;
	o.stream[0] = BENCH_STREAM_STDOUT;
	ck_assert_int_eq(bench_command_run(&c, &o, &r, &err), BENCH_EINVAL);
	o.stream[0] = 99;
	ck_assert_int_eq(bench_command_run(&c, &o, &r, &err), BENCH_EINVAL);
	o.stream[0] = 0;
	c.tree = c.keep_group = 1;
	ck_assert_int_eq(bench_command_run(&c, &o, &r, &err), BENCH_EINVAL);
	c.tree = c.keep_group = 0;
	c.input_len = 3;
	ck_assert_int_eq(bench_command_run(&c, &o, &r, &err), BENCH_EINVAL);
	c.input_len = 0;
	ck_assert_int_eq(bench_command_run(&c, &o, &r, &err), 0);
	bench_command_release(&c);
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
	TCase *memory = tcase_create("memory");
	TCase *limits = tcase_create("limits");
	TCase *process = tcase_create("process");

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

	tcase_add_test(memory, test_capture_stdout_stderr);
	tcase_add_test(memory, test_capture_merged);
	tcase_add_test(memory, test_capture_cap);
	tcase_add_test(memory, test_descriptor_3);
	tcase_add_test(memory, test_input_from_memory);
	tcase_add_test(memory, test_input_not_read);
	tcase_set_timeout(memory, 60);
	suite_add_tcase(s, memory);

	tcase_add_test(limits, test_timeout);
	tcase_add_test(limits, test_stopped_child);
	tcase_add_test(limits, test_flood);
	tcase_set_timeout(limits, 60);
	suite_add_tcase(s, limits);

	tcase_add_test(process, test_environment);
	tcase_add_test(process, test_setup);
	tcase_add_test(process, test_close_fds);
	tcase_add_test(process, test_function);
	tcase_add_test(process, test_keep_group);
	tcase_add_test(process, test_keep_group_cancel);
	tcase_add_test(process, test_no_cancel);
	tcase_add_test(process, test_tree_run);
	tcase_add_test(process, test_tree_spares_other_runs);
	tcase_add_test(process, test_reap_orphan);
	tcase_add_test(process, test_run_bad_settings);
	tcase_set_timeout(process, 60);
	suite_add_tcase(s, process);
	return s;
}
