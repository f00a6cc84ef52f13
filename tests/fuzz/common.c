/*
 * common.c - the helpers every fuzz target links (fuzz.h), and the one
 * symbol of the CLI's main.o that its other files call, print_help: the
 * targets link every CLI object but main.o, since libFuzzer brings main.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "fuzz.h"

/*
 * ASan's defaults for every target (ASAN_OPTIONS overrides them). A
 * smaller quarantine than the 256 MiB default: the code under test
 * allocates and frees parsers and buffers for every input, and with the
 * default each allocation lands on fresh pages, which tripled the time of
 * an input. 16 MiB still holds everything one input frees, so a use after
 * free within an input is caught as before.
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "quarantine_size_mb=16";
}

void print_help(const char *cmd, FILE *f)
{
	fprintf(f, "usage: bench %s\n", cmd ? cmd : "COMMAND");
}

void fuzz_quiet(void)
{
	FILE *null;

	if (getenv("FUZZ_VERBOSE"))
		return;
	/* New FILEs rather than freopen: fds 1 and 2 stay what they are. */
	if ((null = fopen("/dev/null", "w"))) {
		stdout = null;
		stderr = null;
	}
}

static char dir[PATH_MAX];

static int remove_one(const char *path, const struct stat *st, int type,
		      struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

static void remove_dir(void)
{
	if (dir[0])
		nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *fuzz_dir(void)
{
	const char *base = getenv("TMPDIR");

	if (dir[0])
		return dir;
	if (access("/dev/shm", W_OK) == 0)
		base = "/dev/shm";
	else if (!base || !*base)
		base = "/tmp";
	snprintf(dir, sizeof(dir), "%s/bench-fuzz.XXXXXX", base);
	if (!mkdtemp(dir)) {
		fprintf(stderr, "fuzz: cannot make a scratch folder in %s: %s\n",
			base, strerror(errno));
		abort();
	}
	atexit(remove_dir);
	return dir;
}

const char *fuzz_write(const char *name, const void *data, size_t size)
{
	static char path[PATH_MAX + 256];
	const char *p = data;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", fuzz_dir(), name);
	for (char *slash = strchr(path + strlen(fuzz_dir()) + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0700);
		*slash = '/';
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return NULL;
	while (size) {
		ssize_t w = write(fd, p, size);

		if (w <= 0) {
			close(fd);
			return NULL;
		}
		p += w;
		size -= (size_t)w;
	}
	close(fd);
	return path;
}

const char *fuzz_memfile(int slot, const void *data, size_t size)
{
	static int fd[2] = { -1, -1 };
	static char path[2][64];

	if (fd[slot] < 0) {
		fd[slot] = memfd_create("bench-fuzz", MFD_CLOEXEC);
		if (fd[slot] < 0)
			return NULL;
		snprintf(path[slot], sizeof(path[slot]), "/proc/self/fd/%d",
			 fd[slot]);
	}
	if (ftruncate(fd[slot], 0) != 0 ||
	    (size && pwrite(fd[slot], data, size, 0) != (ssize_t)size))
		return NULL;
	return path[slot];
}

char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

void fuzz_fail(const char *file, int line, const char *what)
{
	/* Straight to fd 2: stderr may be /dev/null here. */
	char msg[512];
	int n = snprintf(msg, sizeof(msg), "fuzz: invariant %s failed at %s:%d\n",
			 what, file, line);

	if (n > 0 && write(2, msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1) < 0)
		_exit(1);
	abort();
}
