/*
 * save.c - writing what libbenchprof.so collected, prof.PID.START.bin in
 * $BENCH_PROF_DIR (prof_format.h), at every way a process can end:
 * exit() and the destructors, _exit() and _Exit(), each exec function, a
 * fatal signal (the handler writes, then re-raises) and SIGINT/SIGTERM
 * left at their defaults.
 *
 * The design choice to know: writing uses only async-signal-safe calls
 * (open, read, write, rename; no stdio, no allocation), so the same code
 * serves a crash handler and a normal exit. The file is written under a
 * temporary name and renamed, so `bench profile` sees it whole or not at
 * all. An exec that fails resumes the profile, and the file is written
 * again later under the same name.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

extern char **environ;

static int wr(int fd, const void *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p = (const char *)p + w;
		n -= (size_t)w;
	}
	return 0;
}

int prof__write_raw(int fd, const void *p, size_t n)
{
	return wr(fd, p, n);
}

int prof__write_rec(int fd, uint32_t type, const void *p, size_t n)
{
	struct prof_rec r = { type, (uint32_t)((n + 7) & ~(size_t)7) };
	static const char zero[8];

	return wr(fd, &r, sizeof(r)) || wr(fd, p, n) || wr(fd, zero, r.len - n);
}

static char *utoa(char *p, uint64_t v)
{
	char d[24];
	int n = 0;

	do
		d[n++] = (char)('0' + v % 10);
	while ((v /= 10) && n < 23);
	while (n)
		*p++ = d[--n];
	return p;
}

/* /proc/self/maps as one REC_MAPS record, read in pieces into a stack
 * buffer: its length first (one pass), then its bytes (a second). */
static void write_maps(int fd)
{
	int m = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	char chunk[8192];
	ssize_t got;
	size_t total = 0;

	while (m >= 0 && (got = read(m, chunk, sizeof(chunk))) > 0)
		total += (size_t)got;
	if (m >= 0 && total > 0 && lseek(m, 0, SEEK_SET) == 0) {
		struct prof_rec r = { REC_MAPS, (uint32_t)((total + 7) & ~(size_t)7) };
		static const char zero[8];
		size_t left = total;

		wr(fd, &r, sizeof(r));
		while (left && (got = read(m, chunk, left < sizeof(chunk) ? left : sizeof(chunk))) > 0) {
			wr(fd, chunk, (size_t)got);
			left -= (size_t)got;
		}
		/* The maps may have shrunk between the passes. */
		while (left) {
			size_t z = left < sizeof(zero) ? left : sizeof(zero);

			wr(fd, "\n\n\n\n\n\n\n\n", z);
			left -= z;
		}
		wr(fd, zero, r.len - total);
	}
	if (m >= 0)
		close(m);
}

void prof__save(uint32_t how, int code)
{
	char path[600], tmp[640], *p;
	struct prof_header h;
	struct prof_end end = { how, code, 0 };
	size_t n;
	int fd, expected = 0;

	if (!prof__kind || !atomic_compare_exchange_strong(&prof__flushed, &expected, 1))
		return;
	atomic_store(&prof__active, 0);
	if (prof__profiler->stop)
		prof__profiler->stop();
	for (int i = 0; i < 100000 && atomic_load(&prof__writers) > 0; i++)
		;
	p = path;
	n = strlen(prof__dir);
	memcpy(p, prof__dir, n);
	p += n;
	memcpy(p, "/prof.", 6);
	p = utoa(p + 6, (uint64_t)getpid());
	*p++ = '.';
	p = utoa(p, prof__start_ns);
	memcpy(p, ".bin", 5);
	memcpy(tmp, path, strlen(path));
	memcpy(tmp + strlen(path), ".tmp", 5);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, PROF_MAGIC, 8);
	h.kind = (uint32_t)prof__kind;
	h.pid = (uint64_t)getpid();
	h.ppid = (uint64_t)getppid();
	h.start_ns = prof__start_ns;
	h.end_ns = prof__now_ns();
	h.dropped = atomic_load(&prof__dropped);
	h.cpu_ns = prof__cpu_now_ns() - prof__cpu_start_ns;
	if (prof__profiler->header)
		prof__profiler->header(&h);
	wr(fd, &h, sizeof(h));
	write_maps(fd);
	/* Samples, thread names, spans, memory over time: the buffer as it is. */
	n = atomic_load(&prof__used);
	if (prof__buf && n)
		wr(fd, prof__buf, n < BUF_BYTES ? n : BUF_BYTES);
	if (prof__profiler->save)
		prof__profiler->save(fd, &end);
	prof__write_rec(fd, REC_END, &end, sizeof(end));
	if (close(fd) == 0)
		rename(tmp, path);
}

/* ---- the ways out ----------------------------------------------------------------- */

static void on_fatal(int sig)
{
	prof__save(END_SIGNAL, sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void on_exit_save(void)
{
	prof__save(END_EXIT, 0);
}

void prof__save_at_every_exit(void)
{
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };

	for (size_t i = 0; i < sizeof(fatal) / sizeof(*fatal); i++)
		signal(fatal[i], on_fatal);
	/* Ctrl-C and kill: only where the program keeps the default. */
	for (int sig = SIGINT; sig <= SIGTERM; sig += SIGTERM - SIGINT) {
		struct sigaction old;

		if (sigaction(sig, NULL, &old) == 0 && old.sa_handler == SIG_DFL)
			signal(sig, on_fatal);
	}
	atexit(on_exit_save);
}

__attribute__((destructor)) static void prof_stop(void)
{
	prof__save(END_EXIT, 0);
}

EXPORT void exit(int code)
{
	static void (*real)(int);

	prof__save(END_EXIT, code);
	if (!real)
		NEXT(real, "exit");
	real(code);
	__builtin_unreachable();
}

EXPORT void _exit(int code)
{
	prof__save(END_UNDERSCORE_EXIT, code);
	syscall(SYS_exit_group, code);
	for (;;)
		;
}

EXPORT void _Exit(int code)
{
	_exit(code);
}

/* exec replaces the image and the buffer with it: write it first. If the
 * exec fails, profiling goes on and the file is written again later. */
static void before_exec(void)
{
	prof__save(END_EXEC, 0);
}

static void after_failed_exec(void)
{
	int e = errno;

	atomic_store(&prof__flushed, 0);
	atomic_store(&prof__active, 1);
	if (prof__profiler && prof__profiler->resume)
		prof__profiler->resume();
	errno = e;
}

EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	static int (*real)(const char *, char *const[], char *const[]);
	int rc;

	if (!real)
		NEXT(real, "execve");
	before_exec();
	rc = real(path, argv, envp);
	after_failed_exec();
	return rc;
}

EXPORT int execvp(const char *file, char *const argv[])
{
	static int (*real)(const char *, char *const[]);
	int rc;

	if (!real)
		NEXT(real, "execvp");
	before_exec();
	rc = real(file, argv);
	after_failed_exec();
	return rc;
}

EXPORT int execv(const char *path, char *const argv[])
{
	return execve(path, argv, environ);
}

EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
	static int (*real)(const char *, char *const[], char *const[]);
	int rc;

	if (!real)
		NEXT(real, "execvpe");
	before_exec();
	rc = real(file, argv, envp);
	after_failed_exec();
	return rc;
}

EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
	static int (*real)(int, char *const[], char *const[]);
	int rc;

	if (!real)
		NEXT(real, "fexecve");
	before_exec();
	rc = real(fd, argv, envp);
	after_failed_exec();
	return rc;
}

/* The list forms: their arguments into an array, then the v form (glibc's
 * own call the internal __execve, past any wrapper). */
#define ARGS_MAX 4096
#define COLLECT(first, ap, argv, n)                                   \
	do {                                                          \
		argv[0] = (char *)(first);                            \
		for (n = 1; n < ARGS_MAX && (argv[n] = va_arg(ap, char *)); n++) \
			;                                             \
		argv[ARGS_MAX] = NULL;                                \
	} while (0)

EXPORT int execl(const char *path, const char *arg, ...)
{
	char *argv[ARGS_MAX + 1];
	va_list ap;
	int n;

	va_start(ap, arg);
	COLLECT(arg, ap, argv, n);
	va_end(ap);
	(void)n;
	return execve(path, argv, environ);
}

EXPORT int execlp(const char *file, const char *arg, ...)
{
	char *argv[ARGS_MAX + 1];
	va_list ap;
	int n;

	va_start(ap, arg);
	COLLECT(arg, ap, argv, n);
	va_end(ap);
	(void)n;
	return execvp(file, argv);
}

EXPORT int execle(const char *path, const char *arg, ...)
{
	char *argv[ARGS_MAX + 1], *const *envp;
	va_list ap;
	int n;

	va_start(ap, arg);
	COLLECT(arg, ap, argv, n);
	envp = va_arg(ap, char *const *);
	va_end(ap);
	(void)n;
	return execve(path, argv, envp);
}
