/*
 * out.c - output files that appear whole or not at all.
 *
 * The text goes to a temporary file in the target's folder (same file
 * system, so rename() is atomic), which is flushed and fsync()ed before it
 * replaces the target. A run that fails or is interrupted removes the
 * temporary file and leaves any earlier file untouched.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int out_open(struct out *o, const char *path)
{
	int fd;

	memset(o, 0, sizeof(*o));
	if (!path || strcmp(path, "-") == 0) {
		o->f = stdout;
		return 0;
	}
	o->path = strdup(path);
	if (!o->path || asprintf(&o->tmp, "%s.tmp.XXXXXX", path) < 0) {
		error("out of memory");
		return -1;
	}
	fd = mkstemp(o->tmp);
	if (fd < 0 || !(o->f = fdopen(fd, "w"))) {
		error("cannot create '%s': %s", o->tmp, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(o->tmp);
		}
		free(o->tmp);
		free(o->path);
		o->tmp = o->path = NULL;
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
	if (fflush(o->f) != 0 || ferror(o->f) || fsync(fileno(o->f)) != 0) {
		error("cannot write '%s': %s", o->path, strerror(errno));
		rc = -1;
	}
	if (fclose(o->f) != 0 && rc == 0) {
		error("cannot write '%s': %s", o->path, strerror(errno));
		rc = -1;
	}
	o->f = NULL;
	if (rc == 0 && rename(o->tmp, o->path) != 0) {
		error("cannot rename '%s' to '%s': %s", o->tmp, o->path,
		      strerror(errno));
		rc = -1;
	}
	if (rc != 0)
		unlink(o->tmp);
	free(o->tmp);
	free(o->path);
	o->tmp = o->path = NULL;
	return rc;
}

void out_abort(struct out *o)
{
	if (o->f && o->f != stdout) {
		fclose(o->f);
		unlink(o->tmp);
	}
	free(o->tmp);
	free(o->path);
	memset(o, 0, sizeof(*o));
}
