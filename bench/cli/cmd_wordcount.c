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
 * (wordcount.h). The mapper and reducer themselves work on bytes
 * (wordcount_stream.c); this file feeds them standard input and gives
 * them standard output.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "wordcount_stream.h"

#define READ_BYTES (1u << 16)

static const struct option long_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int to_stdout(void *ud, const void *data, size_t len)
{
	(void)ud;
	return fwrite(data, 1, len, stdout) == len ? 0 : -1;
}

static const struct wc_sink out = { to_stdout, NULL };

/* Reads standard input: bytes read, 0 at its end, -1 on an error. */
static ssize_t read_stdin(void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(STDIN_FILENO, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

/* The exit status for a role's status rc, with its message. */
static int finish(const char *role, int rc, const char *msg)
{
	if (rc == WC_OK && fflush(stdout) != 0)
		rc = WC_WRITE;
	switch (rc) {
	case WC_OK:
		return 0;
	case WC_WRITE:
		error("cannot write to standard output: %s", strerror(errno));
		return 1;
	case WC_NOMEM:
		error("%s: out of memory", role);
		return 1;
	default:
		error("%s", msg);
		return 1;
	}
}

static int mapper(void)
{
	static unsigned char buf[READ_BYTES];
	struct wc_mapper m;
	ssize_t n;
	int rc = WC_OK;

	wc_mapper_init(&m);
	while (rc == WC_OK && (n = read_stdin(buf, sizeof(buf))) > 0)
		rc = wc_mapper_feed(&m, buf, (size_t)n, &out);
	if (rc == WC_OK && n < 0) {
		error("mapper: cannot read standard input: %s", strerror(errno));
		wc_mapper_release(&m);
		return 1;
	}
	if (rc == WC_OK)
		rc = wc_mapper_finish(&m, &out);
	wc_mapper_release(&m);
	return finish("mapper", rc, "");
}

static int reducer(void)
{
	static unsigned char buf[READ_BYTES];
	struct wc_reducer r;
	ssize_t n;
	int rc = WC_OK, status;

	wc_reducer_init(&r);
	while (rc == WC_OK && (n = read_stdin(buf, sizeof(buf))) > 0)
		rc = wc_reducer_feed(&r, buf, (size_t)n, &out);
	if (rc == WC_OK && n < 0) {
		error("reducer: cannot read standard input: %s", strerror(errno));
		wc_reducer_release(&r);
		return 1;
	}
	if (rc == WC_OK)
		rc = wc_reducer_finish(&r, &out);
	status = finish("reducer", rc, r.msg);
	wc_reducer_release(&r);
	return status;
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
