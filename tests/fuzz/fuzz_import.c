/*
 * fuzz_import.c - another tool's timings read for `bench compare` and
 * `bench report`: import_parse (Google Benchmark JSON, hyperfine exports,
 * told apart by content), then the commands on the file.
 *
 * The input is the document. When it is accepted, every benchmark must
 * hold at least one sample, each within 0..IMPORT_TIME_MAX_NS, and when it
 * is refused as malformed there must be a message. Then, for three inputs
 * in eight (by length), a command runs on the input as a user runs it:
 * `report` in one of its four formats, or `compare --fail-above 5%` of
 * the file with itself, which must succeed (every benchmark matches
 * itself, and nothing differs). Output goes to /dev/null; only crashes,
 * sanitizer reports and broken invariants are findings.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/import.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	return 0;
}

static int run_cmd(int (*cmd)(int, char **), int argc, const char **argv)
{
	return cmd(argc, (char **)argv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const formats[] = { "table", "json", "csv", "markdown" };
	struct import_set *set = NULL;
	char msg[512], *text;
	const char *path;
	int rc;

	if (size > (256u << 10) || !(text = fuzz_strndup(data, size)))
		return 0;
	rc = import_parse(text, &set, msg, sizeof(msg));
	free(text);
	if (rc != 0) {
		FUZZ_ASSERT(set == NULL);
		FUZZ_ASSERT(rc != IMPORT_BAD || msg[0] != '\0');
		return 0;
	}
	FUZZ_ASSERT(set->n >= 1 && set->format != NULL);
	for (size_t i = 0; i < set->n; i++) {
		FUZZ_ASSERT(set->b[i].n >= 1 && set->b[i].name != NULL);
		for (size_t k = 0; k < set->b[i].n; k++)
			FUZZ_ASSERT(set->b[i].real_ns[k] >= 0 &&
				    set->b[i].real_ns[k] <= IMPORT_TIME_MAX_NS);
	}
	import_destroy(set);

	path = size % 8 < 3 ? fuzz_memfile(0, data, size) : NULL;
	if (path) {
		const char *report[] = { "report", "--format",
					 formats[size / 8 % 4], path, NULL };
		const char *compare[] = { "compare", "--fail-above", "5%",
					  path, path, NULL };

		if (size % 8 == 0)
			FUZZ_ASSERT(run_cmd(cmd_compare, 5, compare) == 0);
		else
			FUZZ_ASSERT(run_cmd(cmd_report, 4, report) == 0);
	}
	return 0;
}
