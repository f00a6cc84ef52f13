/*
 * source_check.c - a submission that turns the grader's sanitizers off.
 *
 * The tests run a UBSan build and, for threaded exercises, a
 * ThreadSanitizer build; a race they report fails the test. A submission
 * could silence them from inside: an attribute that leaves its functions
 * uninstrumented (no_sanitize("thread"), no_sanitize_thread,
 * disable_sanitizer_instrumentation, optimize("-fno-sanitize=...")), a
 * definition of one of the runtime's hooks (__tsan_default_suppressions
 * returning "race:*"), a call into it (__tsan_acquire, the
 * AnnotateHappensBefore family), or a lookup of those at run time
 * (dlsym). None has a use in an exercise, so each refuses the submission
 * with its line, before any test runs.
 *
 * The decision is taken on the preprocessed text (gcc -E -P: no comments,
 * macros expanded, so token pasting cannot hide a name) and on the object
 * file's undefined symbols; the raw source only gives the line to show.
 * Done with POSIX regular expressions: the patterns are a handful of
 * names, and the system headers the exercises include name none of them
 * (checked for every reference solution by the tests).
 */
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "source_check.h"

#define TEXT_MAX (16u << 20)  /* a preprocessed source, bytes */

/* A name (or flag) that reaches the sanitizers, as an ERE whose group 2
 * is the name. */
#define FORBIDDEN "(^|[^A-Za-z0-9_])(_*no_sanitize[A-Za-z0-9_]*|" \
	"_*disable_sanitizer_instrumentation[A-Za-z0-9_]*|fno-sanitize[A-Za-z0-9_=,-]*|" \
	"__(tsan|asan|ubsan|lsan|msan|hwasan|sanitizer)_[A-Za-z0-9_]*|" \
	"Annotate[A-Z][A-Za-z0-9_]*)"
/* Run-time symbol lookup, in nm -u's lines ("  U dlsym"). */
#define LOOKUP "(^|[ \t])(dlsym|dlvsym|dlopen|dlmopen)(@|$)"

/* The file at dir/name, NUL-terminated, or NULL with why. */
static char *slurp(const char *dir, const char *name, char *why, size_t len)
{
	char path[4200];
	struct stat st;
	char *buf;
	size_t got = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size > TEXT_MAX) {
		snprintf(why, len, "cannot read %s: %s", path,
			 fd < 0 ? strerror(errno) : "not a regular file of at most 16 MiB");
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	while (buf && got < (size_t)st.st_size &&
	       (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	if (!buf) {
		snprintf(why, len, "out of memory reading %s", path);
		return NULL;
	}
	if (got != (size_t)st.st_size) {
		snprintf(why, len, "cannot read %s whole", path);
		free(buf);
		return NULL;
	}
	buf[got] = '\0';
	return buf;
}

/* The first line of text matching re: its number (from 1) and the
 * match's group 2 into name; 0 when none does. */
static size_t find(const regex_t *re, char *text, char *name, size_t len)
{
	size_t line = 1;

	for (char *l = text; l && *l; line++) {
		char *end = strchr(l, '\n');
		regmatch_t m[3];
		int hit;

		if (end)
			*end = '\0';
		hit = regexec(re, l, 3, m, 0) == 0 && m[2].rm_so >= 0;
		if (hit)
			snprintf(name, len, "%.*s", (int)(m[2].rm_eo - m[2].rm_so), l + m[2].rm_so);
		if (end)
			*end = '\n';
		if (hit)
			return line;
		l = end ? end + 1 : NULL;
	}
	return 0;
}

/* The line of the raw source where name first appears, or 0. */
static size_t raw_line(const char *src, const char *name)
{
	const char *at = strstr(src, name);
	size_t line = 1;

	if (!at)
		return 0;
	for (const char *p = src; p < at; p++)
		line += *p == '\n';
	return line;
}

/* The first line of one of the files texts[] that re matches: 1 with the
 * name in name and the file's index in *which; else 0. */
static int find_any(const regex_t *re, char **texts, size_t n, char *name,
		    size_t len, size_t *which)
{
	for (size_t i = 0; i < n; i++)
		if (find(re, texts[i], name, len)) {
			*which = i;
			return 1;
		}
	return 0;
}

int source_check(const char *dir, const char *source, char *why, size_t len)
{
	/* What the forbidden names are looked for in: the preprocessed
	 * texts, the plain object's symbols (an asm label split into two
	 * strings shows whole only there), the TSan object's definitions
	 * (its undefined symbols are the runtime's, by design). Lookups:
	 * every object's undefined symbols. */
	static const char *const files[] = {
		SOURCE_CHECK_PRE, SOURCE_CHECK_PRE_TSAN, SOURCE_CHECK_UNDEF,
		SOURCE_CHECK_DEFINED, SOURCE_CHECK_UNDEF_ALL
	};
	enum { NFILES = sizeof(files) / sizeof(files[0]), NTEXT = 2, NNAMES = 4 };
	char *text[NFILES] = { NULL }, *raw = NULL, name[128], where[64];
	regex_t forbidden, lookup;
	size_t which;
	int rc = -1;

	if (regcomp(&forbidden, FORBIDDEN, REG_EXTENDED) != 0)
		return snprintf(why, len, "cannot compile a pattern"), -1;
	if (regcomp(&lookup, LOOKUP, REG_EXTENDED) != 0) {
		regfree(&forbidden);
		return snprintf(why, len, "cannot compile a pattern"), -1;
	}
	for (size_t i = 0; i < NFILES; i++)
		if (!(text[i] = slurp(dir, files[i], why, len)))
			goto out;
	if (!(raw = slurp(dir, source, why, len)))
		goto out;
	rc = 0;
	if (find_any(&forbidden, text, NNAMES, name, sizeof(name), &which)) {
		size_t line = which < NTEXT ? raw_line(raw, name) : 0;

		if (line)
			snprintf(where, sizeof(where), "line %zu", line);
		else
			snprintf(where, sizeof(where), which < NTEXT ? "a macro" : "its object file");
		snprintf(why, len, "%s, %s: %s reaches the sanitizers that check the tests (races, undefined behaviour); a submission may not turn them off or call them: remove it",
			 source, where, name);
		rc = 1;
	} else if (find(&lookup, text[2], name, sizeof(name)) ||
		   find(&lookup, text[4], name, sizeof(name))) {
		snprintf(why, len, "%s calls %s: looking code up at run time could reach the sanitizers that check the tests, and no exercise needs it: remove it",
			 source, name);
		rc = 1;
	}
out:
	for (size_t i = 0; i < NFILES; i++)
		free(text[i]);
	free(raw);
	regfree(&forbidden);
	regfree(&lookup);
	return rc;
}
