/*
 * json.c - `--format json`: the bench.run/1 document, as the
 * library builds it (see bench/report.h for the contract).
 */
#include <stdlib.h>

#include "cli/cli.h"

int write_json(FILE *f, const struct run_output *ro)
{
	struct bench_err err = { 0 };
	char *text = bench_report_json(ro->report, ro->context, ro->kind,
				       ro->warnings, ro->nwarnings, 1, &err);

	if (!text) {
		error("%s", err.msg);
		return -1;
	}
	fputs(text, f);
	fputc('\n', f);
	free(text);
	return ferror(f) ? -1 : 0;
}
