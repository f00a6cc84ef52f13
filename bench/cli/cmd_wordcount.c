/*
 * cmd_wordcount.c - `bench wordcount mapper|reducer`: word count as a
 * Hadoop Streaming pair, so that
 *
 *   cat text | bench wordcount mapper | sort | bench wordcount reducer
 *
 * counts what `bench run wordcount` counts. The protocol is Hadoop
 * Streaming's: lines of KEY, a tab and VALUE on standard input and
 * output; the mapper emits "word\t1" per word, the framework (here
 * sort) brings equal keys together, and the reducer sums each run of
 * equal keys. Words are split exactly as the workload splits them
 * (wordcount.h).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/wordcount.h"
#include "cli.h"

#define READ_BYTES (1u << 16)

static const struct option long_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int write_failed(void)
{
	error("cannot write to standard output: %s", strerror(errno));
	return 1;
}

/* Emits the pending word (lowercased) with a count of 1. */
static int emit_word(const char *word, size_t len)
{
	if (fwrite(word, 1, len, stdout) != len ||
	    fputs("\t1\n", stdout) == EOF)
		return -1;
	return 0;
}

static int mapper(void)
{
	static unsigned char buf[READ_BYTES];
	char *word = NULL;        /* a word that may go on in the next read */
	size_t len = 0, cap = 0;
	size_t n;

	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0) {
		for (size_t i = 0; i < n; i++) {
			unsigned char c = bench__wc_lower[buf[i]];

			if (c) {
				if (len == cap) {
					char *more = realloc(word, cap ? 2 * cap : 64);

					if (!more) {
						free(word);
						error("mapper: out of memory");
						return 1;
					}
					word = more;
					cap = cap ? 2 * cap : 64;
				}
				word[len++] = (char)c;
			} else if (len) {
				if (emit_word(word, len) != 0) {
					free(word);
					return write_failed();
				}
				len = 0;
			}
		}
	}
	if (ferror(stdin)) {
		free(word);
		error("mapper: cannot read standard input: %s", strerror(errno));
		return 1;
	}
	if (len && emit_word(word, len) != 0) {
		free(word);
		return write_failed();
	}
	free(word);
	return fflush(stdout) == 0 ? 0 : write_failed();
}

static int reducer(void)
{
	char *line = NULL, *key = NULL;
	size_t cap = 0, key_len = 0, key_cap = 0;
	uint64_t sum = 0, lineno = 0;
	int have = 0, rc = 0;
	ssize_t n;

	while ((n = getline(&line, &cap, stdin)) >= 0) {
		char *tab, *end;
		size_t klen;
		uint64_t v;

		lineno++;
		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		tab = memchr(line, '\t', (size_t)n);
		errno = 0;
		if (!tab || tab[1] < '0' || tab[1] > '9' ||
		    (v = strtoull(tab + 1, &end, 10), errno) || *end) {
			error("reducer: line %" PRIu64 ": expected KEY<tab>COUNT (a whole number), got '%.40s'",
			      lineno, line);
			rc = 1;
			break;
		}
		klen = (size_t)(tab - line);
		if (have && (klen != key_len || memcmp(line, key, klen) != 0)) {
			if (printf("%.*s\t%" PRIu64 "\n", (int)key_len, key, sum) < 0) {
				rc = write_failed();
				break;
			}
			have = 0;
		}
		if (!have) {
			if (klen + 1 > key_cap) {
				char *more = realloc(key, klen + 1);

				if (!more) {
					error("reducer: out of memory");
					rc = 1;
					break;
				}
				key = more;
				key_cap = klen + 1;
			}
			memcpy(key, line, klen);
			key_len = klen;
			sum = 0;
			have = 1;
		}
		if (sum > UINT64_MAX - v) {
			error("reducer: line %" PRIu64 ": the count of '%.*s' overflows",
			      lineno, (int)(key_len > 40 ? 40 : key_len), key);
			rc = 1;
			break;
		}
		sum += v;
	}
	if (rc == 0 && ferror(stdin)) {
		error("reducer: cannot read standard input: %s", strerror(errno));
		rc = 1;
	}
	if (rc == 0 && have &&
	    printf("%.*s\t%" PRIu64 "\n", (int)key_len, key, sum) < 0)
		rc = write_failed();
	free(line);
	free(key);
	if (rc == 0 && fflush(stdout) != 0)
		rc = write_failed();
	return rc;
}

int cmd_wordcount(int argc, char **argv)
{
	const char *cmd = "wordcount";
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			print_help(cmd, stdout);
			return 0;
		default:
			return bad_option(cmd, argv, c);
		}
	}
	if (optind >= argc)
		return usage_error(cmd, "missing the role: mapper or reducer");
	if (optind + 1 < argc)
		return usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
	if (strcmp(argv[optind], "mapper") == 0)
		return mapper();
	if (strcmp(argv[optind], "reducer") == 0)
		return reducer();
	return usage_error(cmd, "unknown role '%s': expected mapper or reducer",
			   argv[optind]);
}
