/*
 * cmd_gen.c - `bench gen events|text`: input files for the course's
 * pipelines, JSON Lines of events or plain word text, of any size.
 *
 * Line i is a pure function of (seed, i) through the counter-based
 * generator (bench__rng_item), so any slice of a file can be regenerated
 * on its own and equal seeds give equal bytes. Files of gigabytes must come
 * out at disk speed, so the JSON is written by hand into one large block
 * (no printf, no JSON library, no gmtime) that goes out in one fwrite.
 */
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/gen.h"
#include "cli.h"

#define BLOCK_BYTES (1u << 20)  /* what one fwrite writes, bytes */
#define MAX_LINES 10000000000ull  /* 10G lines: timestamps stay in 2055 */
#define MAX_MB 1048576ull       /* 1 TiB of text */

static const struct option long_opts[] = {
	{ "lines", required_argument, NULL, 'n' },
	{ "mb", required_argument, NULL, 'm' },
	{ "seed", required_argument, NULL, 's' },
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* ---- the command ------------------------------------------------------ */

enum kind { KIND_EVENTS, KIND_TEXT };

/* Writes lines until `lines` (events) or `bytes` (text) is reached;
 * returns 0, -1 on a write error (errno set) or 1 when interrupted. */
static int generate(FILE *f, enum kind kind, uint64_t seed, uint64_t lines,
		    uint64_t bytes)
{
	char *block = malloc(BLOCK_BYTES + BENCH__GEN_LINE_MAX);
	uint64_t written = 0;
	int rc = 0;

	if (!block) {
		errno = ENOMEM;
		return -1;
	}
	for (uint64_t i = 0;;) {
		size_t used = 0;
		int done = 0;

		/* Fill a block with whole lines, then write it at once. */
		while (!done && used < BLOCK_BYTES) {
			if (kind == KIND_EVENTS)
				done = i == lines;
			else
				done = written + used >= bytes;
			if (done)
				break;
			if (kind == KIND_EVENTS)
				used += bench__gen_event(seed, i++, block + used);
			else
				used += bench__gen_text_line(seed, i++, block + used);
		}
		if (used && fwrite(block, 1, used, f) != used) {
			rc = -1;
			break;
		}
		written += used;
		if (done)
			break;
		if (bench_canceled()) {
			rc = 1;
			break;
		}
	}
	free(block);
	return rc;
}

int cmd_gen(int argc, char **argv)
{
	const char *cmd = "gen";
	const char *output = NULL, *name;
	uint64_t lines = 0, mb = 0, seed = 1;
	int have_lines = 0, have_mb = 0, c, rc;
	enum kind kind;
	struct out out;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":n:m:s:o:h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (parse_u64(cmd, "--lines", optarg, 1, MAX_LINES, &lines))
				return EXIT_USAGE;
			have_lines = 1;
			break;
		case 'm':
			if (parse_u64(cmd, "--mb", optarg, 1, MAX_MB, &mb))
				return EXIT_USAGE;
			have_mb = 1;
			break;
		case 's':
			if (parse_u64(cmd, "--seed", optarg, 0, UINT64_MAX, &seed))
				return EXIT_USAGE;
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			print_help(cmd, stdout);
			return 0;
		default:
			return bad_option(cmd, argv, c);
		}
	}
	if (optind >= argc)
		return usage_error(cmd, "missing what to generate: events or text");
	name = argv[optind];
	if (optind + 1 < argc)
		return usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
	if (strcmp(name, "events") == 0) {
		kind = KIND_EVENTS;
		if (have_mb)
			return usage_error(cmd, "--mb is for text; events take --lines");
		if (!have_lines)
			return usage_error(cmd, "events need --lines N");
	} else if (strcmp(name, "text") == 0) {
		kind = KIND_TEXT;
		if (have_lines)
			return usage_error(cmd, "--lines is for events; text takes --mb");
		if (!have_mb)
			return usage_error(cmd, "text needs --mb N");
	} else {
		return usage_error(cmd, "unknown kind '%s': expected events or text",
				   name);
	}

	if (out_check(output) != 0 || out_open(&out, output) != 0)
		return 1;
	if (out.f != stdout)
		install_signal_handlers();
	rc = generate(out.f, kind, seed, lines, mb << 20);
	if (rc < 0) {
		out_fail(&out);
		return 1;
	}
	if (rc > 0) {
		out_abort(&out);
		error("interrupted, nothing written");
		return EXIT_INTERRUPTED;
	}
	return out_commit(&out) == 0 ? 0 : 1;
}
