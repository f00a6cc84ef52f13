/*
 * out.c - output files that appear whole or not at all.
 *
 * The text goes to a temporary file in the target's folder (same file
 * system, so rename() is atomic), which is flushed and fsync()ed before it
 * replaces the target. A run that fails or is interrupted removes the
 * temporary file and leaves any earlier file untouched. The new file gets
 * the mode a plain `> FILE` would give it (or the old file's mode).
 *
 * A target that exists and is not a regular file (a FIFO, /dev/null, a
 * terminal) cannot be replaced and has no half-written state to avoid: it
 * is opened and written directly. A symbolic link is followed, so the file
 * it points to is replaced and the link stays, as with a redirect; a file
 * the user may not write is refused, as a redirect would refuse it.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

int out_check(const char *path)
{
	char *copy, *dir;
	struct stat st;
	int rc = 0;

	if (!path || strcmp(path, "-") == 0)
		return 0;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		error("cannot write '%s': Is a directory", path);
		return -1;
	}
	copy = strdup(path);
	if (!copy) {
		error("out of memory");
		return -1;
	}
	dir = dirname(copy);
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode) ||
	    access(dir, W_OK | X_OK) != 0) {
		error("cannot write '%s': %s", path,
		      errno ? strerror(errno) : "Not a directory");
		rc = -1;
	}
	free(copy);
	return rc;
}

static mode_t new_file_mode(const char *path)
{
	struct stat st;
	mode_t mask;

	if (stat(path, &st) == 0)
		return st.st_mode & 07777;
	mask = umask(0);
	umask(mask);
	return 0666 & ~mask;
}

int out_open(struct out *o, const char *path)
{
	struct stat st;
	int fd;

	memset(o, 0, sizeof(*o));
	if (!path || strcmp(path, "-") == 0) {
		o->f = stdout;
		return 0;
	}
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		o->path = realpath(path, NULL);
		if (!o->path) {
			error("cannot write '%s': %s", path, strerror(errno));
			return -1;
		}
		path = o->path;
	} else {
		o->path = strdup(path);
		if (!o->path) {
			error("out of memory");
			return -1;
		}
	}
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    access(path, W_OK) != 0) {
		error("cannot write '%s': %s", path, strerror(errno));
		free(o->path);
		o->path = NULL;
		return -1;
	}
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		o->f = fopen(path, "w");
		if (!o->f) {
			error("cannot write '%s': %s", path, strerror(errno));
			free(o->path);
			o->path = NULL;
			return -1;
		}
		return 0;
	}
	if (asprintf(&o->tmp, "%s.tmp.XXXXXX", path) < 0) {
		o->tmp = NULL;
		error("out of memory");
		out_abort(o);
		return -1;
	}
	fd = mkstemp(o->tmp);
	if (fd < 0 || fchmod(fd, new_file_mode(path)) != 0 ||
	    !(o->f = fdopen(fd, "w"))) {
		error("cannot write '%s': %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(o->tmp);
		}
		free(o->tmp);
		o->tmp = NULL;
		out_abort(o);
		return -1;
	}
	return 0;
}

int out_commit(struct out *o)
{
	int rc = 0;

	if (o->f == stdout) {
		if (fflush(stdout) != 0 || ferror(stdout)) {
			error("cannot write to standard output: %s",
			      strerror(errno));
			return -1;
		}
		return 0;
	}
	if (fflush(o->f) != 0 || ferror(o->f) ||
	    (o->tmp && fsync(fileno(o->f)) != 0)) {
		error("cannot write '%s': %s", o->path, strerror(errno));
		rc = -1;
	}
	if (fclose(o->f) != 0 && rc == 0) {
		error("cannot write '%s': %s", o->path, strerror(errno));
		rc = -1;
	}
	o->f = NULL;
	if (o->tmp && rc == 0 && rename(o->tmp, o->path) != 0) {
		error("cannot replace '%s': %s", o->path, strerror(errno));
		rc = -1;
	}
	if (o->tmp && rc != 0)
		unlink(o->tmp);
	free(o->tmp);
	free(o->path);
	o->tmp = o->path = NULL;
	return rc;
}

void out_fail(struct out *o)
{
	int e = errno ? errno : EIO;

	if (o->f == stdout)
		error("cannot write to standard output: %s", strerror(e));
	else
		error("cannot write '%s': %s", o->path ? o->path : "?", strerror(e));
	out_abort(o);
}

void out_abort(struct out *o)
{
	if (o->f && o->f != stdout) {
		fclose(o->f);
		if (o->tmp)
			unlink(o->tmp);
	}
	free(o->tmp);
	free(o->path);
	memset(o, 0, sizeof(*o));
}
