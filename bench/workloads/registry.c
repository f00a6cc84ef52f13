/*
 * registry.c - the workload table built from workload_list.h, lookup,
 * and parameters: each workload's declared options checked and defaulted.
 */
#include <string.h>

#include "bench/workload.h"

#define WORKLOAD(name) extern const struct bench_workload bench__wl_##name;
#include "workload_list.h"
#undef WORKLOAD

const struct bench_workload *const bench_workloads[] = {
#define WORKLOAD(name) &bench__wl_##name,
#include "workload_list.h"
#undef WORKLOAD
	NULL
};

const struct bench_workload *bench_workload_find(const char *name)
{
	for (size_t i = 0; bench_workloads[i]; i++)
		if (strcmp(bench_workloads[i]->name, name) == 0)
			return bench_workloads[i];
	return NULL;
}

unsigned bench_workload_nfields(const struct bench_workload *wl)
{
	unsigned n = 0;

	while (wl->field_names && wl->field_names[n])
		n++;
	return n;
}

unsigned bench_workload_noptions(const struct bench_workload *wl)
{
	unsigned n = 0;

	while (wl->options && wl->options[n].name)
		n++;
	return n;
}

int bench_params_set(struct bench_params *p, const char *name, uint64_t num,
		     const char *text)
{
	unsigned k;

	for (k = 0; k < p->nopts && strcmp(p->opts[k].name, name) != 0; k++)
		;
	if (k == BENCH_OPTS_MAX)
		return BENCH_EINVAL;
	if (k == p->nopts)
		p->nopts++;
	p->opts[k] = (struct bench_param){ name, num, text };
	return 0;
}

const struct bench_param *bench_params_get(const struct bench_params *p,
					   const char *name)
{
	for (unsigned k = 0; k < p->nopts; k++)
		if (strcmp(p->opts[k].name, name) == 0)
			return &p->opts[k];
	return NULL;
}

uint64_t bench_params_num(const struct bench_params *p, const char *name)
{
	const struct bench_param *v = bench_params_get(p, name);

	return v ? v->num : 0;
}

const char *bench_params_text(const struct bench_params *p, const char *name)
{
	const struct bench_param *v = bench_params_get(p, name);

	return v ? v->text : NULL;
}

int bench_workload_params(const struct bench_workload *wl,
			  struct bench_params *p, struct bench_err *err)
{
	struct bench_params given = *p;
	unsigned n = bench_workload_noptions(wl);

	if (p->size == 0)
		p->size = wl->default_size;
	if (p->seed == 0)
		p->seed = 1;
	for (unsigned k = 0; k < given.nopts; k++) {
		unsigned d;

		for (d = 0; d < n && strcmp(wl->options[d].name,
					    given.opts[k].name) != 0; d++)
			;
		if (d == n)
			return bench_err_set(err, BENCH_EINVAL,
					     "--%s is not an option of %s%s",
					     given.opts[k].name, wl->name,
					     n ? " (see bench list)" : ", which has none");
	}
	/* Declaration order, each given value or the default. */
	p->nopts = 0;
	for (unsigned d = 0; d < n; d++) {
		const struct bench_option *o = &wl->options[d];
		const struct bench_param *v = bench_params_get(&given, o->name);
		struct bench_param out = { o->name, o->def, o->def_text };

		if (v && o->kind == BENCH_OPT_TEXT) {
			/* NULL: none given (a second call sees the first's). */
			if (v->text && !*v->text)
				return bench_err_set(err, BENCH_EINVAL,
						     "--%s needs a value", o->name);
			if (v->text)
				out.text = v->text;
		} else if (v) {
			out.num = v->num;
		}
		if (o->kind == BENCH_OPT_NUMBER &&
		    (out.num < o->min || out.num > o->max))
			return bench_err_set(err, BENCH_EINVAL,
					     "--%s %llu is out of range for %s: expected %llu to %llu",
					     o->name, (unsigned long long)out.num,
					     wl->name, (unsigned long long)o->min,
					     (unsigned long long)o->max);
		p->opts[p->nopts++] = out;
	}
	if (p->size > wl->max_size)
		return bench_err_set(err, BENCH_EINVAL,
				     "--size %llu is too large for %s: expected at most %llu",
				     (unsigned long long)p->size, wl->name,
				     (unsigned long long)wl->max_size);
	return 0;
}
