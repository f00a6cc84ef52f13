/*
 * report.c - the report side of `bench profile`, from the files in the
 * profile folder to every output: load them (load.c), name their
 * addresses (symbols.c), add the costs up along their stacks (stacks.c,
 * tally.c), then write each output the profile's kind calls for, in the
 * order of the table below.
 *
 * The design choice to know: the outputs are one table, each row naming
 * the kinds of profile it serves and the function that writes it (one
 * file per output format), so adding a format touches this table and
 * its own file, never the command or the other formats. A failing output
 * does not stop the others; the report then ends with status 1.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "report.h"

#define CPU (1u << PROF_CPU)
#define COUNT (1u << PROF_COUNT)
#define MEM (1u << PROF_MEM)

/* The outputs, in the order they are written. */
static const struct output {
	unsigned kinds;           /* the profiles it serves: CPU | COUNT | MEM */
	int (*write)(struct profile *P, const struct profile_opts *o);
} outputs[] = {
	{ CPU | COUNT | MEM, profile_out_table },     /* the terminal */
	{ CPU | COUNT | MEM, profile_out_collapsed }, /* profile.collapsed, memory.collapsed */
	{ CPU | COUNT | MEM, profile_out_trace },     /* profile.trace.json, memory.trace.json */
	{ CPU | COUNT, profile_out_callgrind },       /* callgrind.out.PID */
	{ MEM, profile_out_chart },                   /* memory.tsv, profile-memory.png, .svg */
};

int profile_write_file(const char *dir, const char *name,
		       int (*fn)(FILE *, struct profile *), struct profile *P)
{
	char path[PATH_MAX + 64];
	struct out out;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (out_open(&out, path) != 0)
		return -1;
	if (fn(out.f, P) != 0) {
		out_fail(&out);
		return -1;
	}
	if (out_commit(&out) != 0)
		return -1;
	fprintf(stderr, "bench: %s\n", path);
	return 0;
}

int profile_report(const struct profile_opts *o)
{
	struct profile P = { 0 };
	int status = 0;

	P.kind = o->kind;
	if (profile_load(&P, o->dir) == 0) {
		error("no profile was written in %s: the program ended before the profiler started, or is statically linked (LD_PRELOAD needs a dynamic program)",
		      o->dir);
		profile_unload(&P);
		return 1;
	}
	if (profile_resolve(&P) != 0) {
		error("out of memory");
		status = 1;
		goto done;
	}
	profile_tally(&P);
	for (size_t i = 0; i < sizeof(outputs) / sizeof(*outputs); i++)
		if ((outputs[i].kinds & (1u << o->kind)) && outputs[i].write(&P, o) != 0)
			status = 1;
done:
	profile_free_symbols(&P);
	profile_unload(&P);
	return status;
}
