/*
 * check_util.h - small helpers shared by the unit-test suites.
 */
#ifndef BENCH_CHECK_UTIL_H
#define BENCH_CHECK_UTIL_H

#include <check.h>
#include <math.h>

/* Every suite's constructor, declared from the one list in suites.h. */
#define SUITE(name) Suite *suite_##name(void);
#include "suites.h"
#undef SUITE

/* Asserts |a - b| <= tol, printing both sides. */
#define ASSERT_NEAR(a, b, tol)                                               \
	ck_assert_msg(fabs((double)(a) - (double)(b)) <= (tol),              \
		      "%s = %.9g, expected %s = %.9g (tolerance %g)", #a,     \
		      (double)(a), #b, (double)(b), (double)(tol))

#endif
