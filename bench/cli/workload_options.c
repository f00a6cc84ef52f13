/*
 * workload_options.c - the workloads' own options on the command line.
 *
 * Each workload declares its options in its own file (workload.h); the
 * commands that take a workload offer the union of them all, built here
 * at run time: getopt rows, short letters, parsing into bench_params by
 * name, and the help lines. Which of them a workload accepts is checked
 * once the workload is known (bench_workload_params), so `bench run hash
 * --queries 5` is refused by name rather than silently ignored.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* The distinct option names of every workload, first declaration first. */
#define UNION_MAX 32

static const struct bench_option *known[UNION_MAX];
static size_t nknown;

static void collect(void)
{
	if (nknown)
		return;
	for (size_t w = 0; bench_workloads[w]; w++) {
		const struct bench_workload *wl = bench_workloads[w];

		for (unsigned k = 0; k < bench_workload_noptions(wl); k++) {
			const struct bench_option *o = &wl->options[k];
			size_t i;

			for (i = 0; i < nknown && strcmp(known[i]->name, o->name) != 0; i++)
				;
			if (i == nknown && nknown < UNION_MAX)
				known[nknown++] = o;
		}
	}
}

/* The getopt code of known[i]: its short letter, else OPT_WORKLOAD + i. */
static int code_of(size_t i)
{
	return known[i]->short_name ? known[i]->short_name :
				      OPT_WORKLOAD + (int)i;
}

int workload_getopt_tables(const struct option *base, const char *shortopts,
			   struct option *rows, size_t max_rows, char *shorts,
			   size_t max_shorts)
{
	size_t n = 0;

	collect();
	for (; base[n].name; n++) {
		if (n + 1 >= max_rows)
			return -1;
		rows[n] = base[n];
	}
	snprintf(shorts, max_shorts, "%s", shortopts);
	for (size_t i = 0; i < nknown; i++) {
		const struct bench_option *o = known[i];

		if (n + 1 >= max_rows)
			return -1;
		rows[n++] = (struct option){
			o->name,
			o->kind == BENCH_OPT_FLAG ? no_argument : required_argument,
			NULL, code_of(i)
		};
		if (o->short_name &&
		    strlen(shorts) + 3 < max_shorts) {
			size_t len = strlen(shorts);

			shorts[len] = o->short_name;
			shorts[len + 1] = o->kind == BENCH_OPT_FLAG ? '\0' : ':';
			shorts[len + 2] = '\0';
		}
	}
	rows[n] = (struct option){ NULL, 0, NULL, 0 };
	return 0;
}

int parse_workload_option(const char *cmd, int c, const char *arg,
			  struct bench_params *p)
{
	const struct bench_option *o = NULL;
	char flag[64];
	uint64_t v = 1;

	switch (c) {
	case 'n':
		if (parse_u64(cmd, "--size", arg, 1, UINT32_MAX, &v))
			return -1;
		p->size = v;
		return 1;
	case 's':
		if (parse_u64(cmd, "--seed", arg, 1, UINT64_MAX, &v))
			return -1;
		p->seed = v;
		return 1;
	}
	collect();
	for (size_t i = 0; i < nknown && !o; i++)
		if (code_of(i) == c)
			o = known[i];
	if (!o)
		return 0;
	snprintf(flag, sizeof(flag), "--%s", o->name);
	if (o->kind == BENCH_OPT_TEXT && !*arg) {
		usage_error(cmd, "%s needs a value: %s", flag, o->arg);
		return -1;
	}
	/* The first declaration's range; the workload checks its own. */
	if (o->kind == BENCH_OPT_NUMBER &&
	    parse_u64(cmd, flag, arg, o->min, o->max, &v))
		return -1;
	if (bench_params_set(p, o->name, v,
			     o->kind == BENCH_OPT_TEXT ? arg : NULL) != 0) {
		usage_error(cmd, "too many workload options");
		return -1;
	}
	return 1;
}

void print_workload_options_help(FILE *f)
{
	fputs("\nworkload options (each workload takes only its own):\n", f);
	for (size_t w = 0; bench_workloads[w]; w++) {
		const struct bench_workload *wl = bench_workloads[w];

		for (unsigned k = 0; k < bench_workload_noptions(wl); k++) {
			const struct bench_option *o = &wl->options[k];
			char left[64], dflt[48] = "";

			if (o->short_name)
				snprintf(left, sizeof(left), "-%c, --%s%s%s",
					 o->short_name, o->name, o->arg ? " " : "",
					 o->arg ? o->arg : "");
			else
				snprintf(left, sizeof(left), "    --%s%s%s", o->name,
					 o->arg ? " " : "", o->arg ? o->arg : "");
			if (o->kind == BENCH_OPT_NUMBER)
				snprintf(dflt, sizeof(dflt), " (default %llu)",
					 (unsigned long long)o->def);
			fprintf(f, "  %-19s %s: %s%s\n", left, wl->name, o->help,
				dflt);
		}
	}
}

const char *workload_option_flagged(const struct bench_params *p,
				    const struct bench_workload *wl,
				    unsigned flag)
{
	for (unsigned k = 0; k < bench_workload_noptions(wl); k++) {
		const struct bench_param *v;

		if (!(wl->options[k].flags & flag))
			continue;
		v = bench_params_get(p, wl->options[k].name);
		if (v && (v->text || (wl->options[k].kind != BENCH_OPT_TEXT && v->num)))
			return wl->options[k].name;
	}
	return NULL;
}
