/*
 * suites.h - every unit-test suite, one line each. A suite file defines
 * `Suite *suite_NAME(void)`; adding one is one file and one line here.
 */
SUITE(stats)
SUITE(rng)
SUITE(loop)
SUITE(exec)
SUITE(known)
SUITE(harness)
SUITE(analysis)
SUITE(slowlog)
SUITE(command)
SUITE(data)
SUITE(jsonl)
SUITE(plugins)
SUITE(schedprof)
