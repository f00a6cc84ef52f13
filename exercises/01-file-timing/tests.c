/*
 * tests.c - exercise 01, public tests: ./driver TEST SEED
 *
 *   roundtrip  records of seed-made names and numbers written with
 *              write_record, the file's bytes shown, read back with
 *              read_record; records the driver writes itself, read
 *   errors     missing and malformed files, names that do not fit, bad
 *              names to write, and the valid corner cases beside them
 *
 * One fact per line on stdout; "timed: yes" means the call stored an
 * elapsed time above 0 and below 10 s.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver.h"
#include "record.h"

static const char *const first[] = {
	"Anna", "Tymoteusz", "Zofia", "Jan", "Maria", "Piotr", "Ewa",
	"Krzysztof", "Agnieszka", "Tomasz", "Lena", "Mateusz", "Ines",
	"\xc5\x81ukasz", "Ma\xc5\x82gorzata", "Jo\xc3\xa3o", "Zo\xc3\xab",
};
static const char *const last[] = {
	"Nowak", "Kowalski", "Wi\xc5\x9bniewska", "W\xc3\xb3jcik", "Kami\xc5\x84ski",
	"Lewandowska", "Zieli\xc5\x84ski", "Silva", "Santos", "van der Berg",
	"O'Neil", "Smith-Jones", "M\xc3\xbcller",
};

#define NFIRST (sizeof(first) / sizeof(first[0]))
#define NLAST (sizeof(last) / sizeof(last[0]))

static void make_name(char *buf, size_t cap)
{
	snprintf(buf, cap, "%s %s", first[driver_below(NFIRST)],
		 last[driver_below(NLAST)]);
}

static const char *yes(int b)
{
	return b ? "yes" : "no";
}

static int timed(long long ns)
{
	return ns > 0 && ns < 10000000000LL;
}

/* Writes len bytes to path; exits on failure (the driver's own fault). */
static void put_file(const char *path, const char *bytes, size_t len)
{
	FILE *f = fopen(path, "w");

	if (!f || fwrite(bytes, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "driver: cannot write %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

/* Prints path's first bytes, escaped, as "label: "..."". */
static void show_file(const char *label, const char *path)
{
	unsigned char buf[512];
	size_t n = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		printf("%s: no file\n", label);
		return;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	printf("%s: \"", label);
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\n')
			fputs("\\n", stdout);
		else if (buf[i] == '"' || buf[i] == '\\')
			printf("\\%c", buf[i]);
		else if (buf[i] < 0x20 || buf[i] == 0x7f)
			printf("\\x%02x", buf[i]);
		else
			putchar(buf[i]);
	}
	printf("\"%s\n", n == sizeof(buf) ? " (and more)" : "");
}

/* Calls read_record and prints what came back. */
static void show_read(const char *label, const char *path, size_t cap)
{
	char name[256];
	long number = -12345;
	long long ns = -1;
	int rc;

	if (cap > sizeof(name))
		cap = sizeof(name);
	memset(name, '#', sizeof(name));
	name[sizeof(name) - 1] = '\0';
	rc = read_record(path, name, cap, &number, &ns);
	name[sizeof(name) - 1] = '\0';
	if (rc == 0)
		printf("%s: rc 0, name \"%s\", number %ld, timed: %s\n", label,
		       name, number, yes(timed(ns)));
	else
		printf("%s: rc %d\n", label, rc);
}

static int test_roundtrip(void)
{
	for (int k = 0; k < 8; k++) {
		char name[128], path[64], label[64];
		long number = 100000 + (long)driver_below(900000);
		long long ns = -1;
		int rc;

		make_name(name, sizeof(name));
		if (k == 5)
			number = -(long)driver_below(1000) - 1;
		else if (k == 6)
			number = 0;
		else if (k == 7)
			number = driver_below(2) ? LONG_MAX : LONG_MIN;
		snprintf(path, sizeof(path), "record-%d.txt", k);
		rc = write_record(path, name, number, &ns);
		printf("write %d: rc %d, timed: %s\n", k, rc, yes(rc == 0 && timed(ns)));
		snprintf(label, sizeof(label), "file %d", k);
		show_file(label, path);
		snprintf(label, sizeof(label), "read %d", k);
		show_read(label, path, 256);
	}
	/* Records made by the driver, read by the student's code. */
	for (int k = 0; k < 4; k++) {
		char name[128], text[256], path[64], label[64];
		long number = (long)driver_below(2000000) - 1000000;
		int len;

		make_name(name, sizeof(name));
		len = snprintf(text, sizeof(text), "%s\n%ld\n%s", name, number,
			       k == 3 ? "and a third line that is ignored\n" : "");
		snprintf(path, sizeof(path), "given-%d.txt", k);
		put_file(path, text, (size_t)len);
		snprintf(label, sizeof(label), "given %d", k);
		show_read(label, path, 256);
	}
	return 0;
}

static int test_errors(void)
{
	char name[128], text[512], label[96];
	long number = 100000 + (long)driver_below(900000);
	long long ns = -1;
	size_t len;
	int rc;
	static const struct {
		const char *label, *second;  /* the file: name, '\n', second */
	} bad[] = {
		{ "missing number line", "" },
		{ "no final newline", "123" },
		{ "letters in number", "12x\n" },
		{ "plus sign", "+12\n" },
		{ "leading space", " 12\n" },
		{ "lone minus", "-\n" },
		{ "out of range", "99999999999999999999\n" },
		{ "negative out of range", "-99999999999999999999\n" },
		{ "empty number", "\n" },
		{ "leading zeros", "-0042\n" },
		{ "extra lines", "7\nmore\nlines\n" },
	};

	make_name(name, sizeof(name));
	show_read("missing file", "no-such-file.txt", 256);
	put_file("empty.txt", "", 0);
	show_read("empty file", "empty.txt", 256);
	len = (size_t)snprintf(text, sizeof(text), "\n%ld\n", number);
	put_file("empty-name.txt", text, len);
	show_read("empty name", "empty-name.txt", 256);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		len = (size_t)snprintf(text, sizeof(text), "%s\n%s", name, bad[i].second);
		put_file("bad.txt", text, len);
		show_read(bad[i].label, "bad.txt", 256);
	}
	/* The name buffer: exactly big enough, then one byte short. */
	len = (size_t)snprintf(text, sizeof(text), "%s\n%ld\n", name, number);
	put_file("fit.txt", text, len);
	show_read("cap fits", "fit.txt", strlen(name) + 1);
	show_read("cap one short", "fit.txt", strlen(name));
	show_read("cap 0", "fit.txt", 0);

	/* Names write_record must refuse, creating nothing. */
	snprintf(text, sizeof(text), "%s\n%s", name, name);
	rc = write_record("newline.txt", text, number, &ns);
	printf("name with newline: rc %d, file created: %s\n", rc,
	       yes(access("newline.txt", F_OK) == 0));
	rc = write_record("empty-write.txt", "", number, &ns);
	printf("empty name: rc %d, file created: %s\n", rc,
	       yes(access("empty-write.txt", F_OK) == 0));
	rc = write_record("no-such-dir/record.txt", name, number, &ns);
	printf("missing folder: rc %d\n", rc);
	/* A name with odd but allowed bytes. */
	snprintf(text, sizeof(text), " %s\t(%c) ", name, (int)('A' + driver_below(26)));
	ns = -1;
	rc = write_record("odd.txt", text, number, &ns);
	printf("odd name: rc %d, timed: %s\n", rc, yes(rc == 0 && timed(ns)));
	show_file("odd file", "odd.txt");
	show_read("odd read", "odd.txt", 256);
	/* Overwriting a longer file leaves no trace of it. */
	put_file("over.txt", "A very long name indeed, longer than the next\n1234567890\n", 57);
	snprintf(label, sizeof(label), "%c", (int)('a' + driver_below(26)));
	rc = write_record("over.txt", label, 1, NULL);
	printf("overwrite: rc %d\n", rc);
	show_file("overwritten file", "over.txt");
	return 0;
}

static const struct driver_test tests[] = {
	{ "roundtrip", test_roundtrip },
	{ "errors", test_errors },
};

DRIVER_MAIN(tests, NULL)
