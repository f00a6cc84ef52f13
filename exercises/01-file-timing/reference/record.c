/*
 * record.c - exercise 01, reference solution: a record file written and
 * read back, each timed with the monotonic clock.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "record.h"

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int write_record(const char *path, const char *name, long number,
		 long long *elapsed_ns)
{
	long long start;
	FILE *f;
	int ok;

	if (!path || !name || !*name || strchr(name, '\n'))
		return -1;
	start = now_ns();
	if (!(f = fopen(path, "w")))
		return -1;
	ok = fprintf(f, "%s\n%ld\n", name, number) > 0;
	if (fclose(f) != 0)
		ok = 0;
	if (!ok)
		return -1;
	if (elapsed_ns)
		*elapsed_ns = now_ns() - start;
	return 0;
}

/* A whole line with its '\n' removed; NULL at EOF or without the '\n'. */
static char *read_line(FILE *f, char **buf, size_t *cap)
{
	ssize_t n = getline(buf, cap, f);

	if (n <= 0 || (*buf)[n - 1] != '\n')
		return NULL;
	(*buf)[n - 1] = '\0';
	return *buf;
}

/* s as a long, when it is an optional '-' and one or more digits only. */
static int parse_long(const char *s, long *out)
{
	const char *p = s + (*s == '-');
	char *end;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; *p; p++)
		if (!isdigit((unsigned char)*p))
			return -1;
	errno = 0;
	*out = strtol(s, &end, 10);
	return errno == ERANGE || *end ? -1 : 0;
}

int read_record(const char *path, char *name, size_t cap, long *number,
		long long *elapsed_ns)
{
	char *line = NULL, *text;
	size_t len = 0, size;
	long value = 0;
	long long start;
	int rc = -1;
	FILE *f;

	if (!path || !name || !number)
		return -1;
	start = now_ns();
	if (!(f = fopen(path, "r")))
		return -1;
	text = read_line(f, &line, &len);
	size = text ? strlen(text) : 0;
	if (size > 0 && size < cap) {
		memcpy(name, text, size + 1);
		text = read_line(f, &line, &len);
		if (text && parse_long(text, &value) == 0)
			rc = 0;
	}
	free(line);
	if (fclose(f) != 0)
		rc = -1;
	if (rc == 0) {
		*number = value;
		if (elapsed_ns)
			*elapsed_ns = now_ns() - start;
	}
	return rc;
}
