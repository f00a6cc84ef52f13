/*
 * launch.c - the table of launchers (launch.h) and handing a command to
 * the launcher of its mode.
 */
#include <string.h>

#include "cli.h"

static const struct launcher *const launchers[] = {
	&launcher_mpi,
	NULL
};

int launch(const struct session *s, const struct bench_executor *ex,
	   unsigned processes)
{
	struct bench_err err = { 0 };

	if (ex->can_launch && ex->can_launch(&err) != 0) {
		error("%s", err.msg);
		return 1;
	}
	for (size_t i = 0; launchers[i]; i++)
		if (strcmp(launchers[i]->mode, ex->name) == 0)
			return launchers[i]->launch(s, processes);
	error("--mode %s: no launcher can start its job", ex->name);
	return 1;
}

const char *launcher_modes(void)
{
	static char names[128];

	names[0] = '\0';
	for (size_t i = 0; launchers[i]; i++)
		snprintf(names + strlen(names), sizeof(names) - strlen(names),
			 "%s%s", i ? ", " : "", launchers[i]->mode);
	return names;
}
