/*
 * fuzz_report.c - a bench.run/1 document read back, as `bench report`,
 * `bench compare` and `bench plot` read a JSON file (or a stored run):
 * bench_report_parse, which recomputes every statistic from the raw
 * samples, then each command's own code on the result.
 *
 * The input is the document. A document the parser accepts must survive
 * a round trip: written again (bench_report_json, with the warnings the
 * CLI derives) it parses again, and writing that gives the same text.
 * Then, for three inputs in eight (by length), one command runs on the
 * input file as a user runs it: `report` in one of its four formats,
 * `compare` of the input with its round-tripped copy, or `plot --format
 * gbench` (not for every input: a command reads, parses and prints its
 * files again, several times the cost of the round trip). Their output
 * goes to /dev/null; only crashes, sanitizer reports and broken
 * invariants are findings.
 */
#include <stdlib.h>
#include <string.h>

#include "bench/report.h"
#include "cli/cli.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	return 0;
}

/* The document of r as the CLI writes it (warnings included). */
static char *write_doc(const struct bench_report *r,
		       const struct bench_context *ctx, const char *kind)
{
	struct bench_err err = { 0 };
	char *lines[MAX_WARNINGS];
	size_t n = report_warnings(r, lines);
	char *doc;

	FUZZ_ASSERT(n <= MAX_WARNINGS);
	doc = bench_report_json(r, ctx, kind, (const char *const *)lines, n, 0,
				&err);
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	FUZZ_ASSERT(doc != NULL);
	return doc;
}

static int run_cmd(int (*cmd)(int, char **), int argc, const char **argv)
{
	return cmd(argc, (char **)argv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const formats[] = { "table", "json", "csv", "markdown" };
	struct bench_err err = { 0 };
	struct bench_report *r = NULL, *again = NULL;
	struct bench_context ctx, ctx2;
	char kind[BENCH_KIND_MAX], kind2[BENCH_KIND_MAX];
	char *text, *doc, *doc2;
	const char *path, *copy;

	if (size > (256u << 10) || !(text = fuzz_strndup(data, size)))
		return 0;
	if (bench_report_parse(text, &r, &ctx, kind, &err) != 0) {
		FUZZ_ASSERT(r == NULL && err.msg[0] != '\0');
		free(text);
		return 0;
	}
	FUZZ_ASSERT(r->nresults >= 1);
	FUZZ_ASSERT(!strcmp(kind, "run") || !strcmp(kind, "scale") ||
		    !strcmp(kind, "complexity"));
	doc = write_doc(r, &ctx, kind);
	FUZZ_ASSERT(bench_report_parse(doc, &again, &ctx2, kind2, &err) == 0);
	FUZZ_ASSERT(again->nresults == r->nresults);
	FUZZ_ASSERT(strcmp(kind, kind2) == 0);
	doc2 = write_doc(again, &ctx2, kind2);
	FUZZ_ASSERT(strcmp(doc, doc2) == 0);
	bench_report_destroy(again);
	bench_report_destroy(r);
	free(doc2);

	/* The commands, on the file. */
	path = size % 8 < 3 ? fuzz_memfile(0, data, size) : NULL;
	copy = path ? fuzz_memfile(1, doc, strlen(doc)) : NULL;
	if (path && copy) {
		const char *report[] = { "report", "--format",
					 formats[size / 8 % 4], path, NULL };
		const char *compare[] = { "compare", "--fail-above", "5%",
					  path, copy, NULL };
		const char *plot[] = { "plot", "--format", "gbench", path, NULL };

		switch (size % 8) {
		case 0:
			FUZZ_ASSERT(run_cmd(cmd_report, 4, report) == 0);
			break;
		case 1:
			FUZZ_ASSERT(run_cmd(cmd_compare, 5, compare) != EXIT_USAGE);
			break;
		case 2:
			FUZZ_ASSERT(run_cmd(cmd_plot, 4, plot) == 0);
			break;
		}
	}
	free(doc);
	free(text);
	return 0;
}
