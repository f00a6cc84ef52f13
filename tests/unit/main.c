/*
 * main.c - runs every unit-test suite with Check.
 *
 * Check forks each test into its own process with a timeout, so a pool
 * that deadlocks or a worker that crashes fails one test instead of
 * hanging or killing the run. CK_DEFAULT_TIMEOUT (seconds) applies to
 * tests whose suite sets none; sanitizer builds raise it through the
 * environment (CK_TIMEOUT_MULTIPLIER).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUITE(name) Suite *suite_##name(void);
#include "suites.h"
#undef SUITE

int main(int argc, char **argv)
{
	SRunner *runner = NULL;
	int failed, run;

#define SUITE(name)                                                         \
	if (argc < 2 || strcmp(argv[1], #name) == 0) {                      \
		if (!runner)                                                \
			runner = srunner_create(suite_##name());            \
		else                                                        \
			srunner_add_suite(runner, suite_##name());          \
	}
#include "suites.h"
#undef SUITE
	if (!runner) {
		fprintf(stderr, "test_unit: no suite called '%s'\n", argv[1]);
		return 2;
	}
	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	run = srunner_ntests_run(runner);
	srunner_free(runner);
	printf("unit: %d passed, %d failed\n", run - failed, failed);
	return failed ? 1 : 0;
}
