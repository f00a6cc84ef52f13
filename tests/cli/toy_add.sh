#!/bin/sh
# toy_add.sh - the toy exercise 99-add that the grading suites share:
# its tests call add(2, 3) first (test small, 1 point, exact), then add()
# on twenty pseudo-random pairs (test random, 2 points, lines). Sourced
# by test_grade.sh and test_grade_sandbox.sh.

# toy_add DIR: writes the exercise into DIR (DIR/exercise.json, add.h,
# tests.c, README.md and reference/add.c, the right answer); each suite
# writes its own starter/add.c.
toy_add() {
	_d=$1
	mkdir -p "$_d/reference" "$_d/starter"
	cat >"$_d/exercise.json" <<'EOF'
{
  "title": "Add two numbers",
  "source": "add.c",
  "header": "add.h",
  "libs": [],
  "tests": [
    { "name": "small", "points": 1, "check": "exact" },
    { "name": "random", "points": 2, "check": "lines" }
  ]
}
EOF
	cat >"$_d/add.h" <<'EOF'
#ifndef ADD_H
#define ADD_H

/* a + b */
long add(long a, long b);

#endif
EOF
	cat >"$_d/tests.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "add.h"

int main(int argc, char **argv)
{
	unsigned long long s;

	if (argc < 3)
		return 2;
	s = strtoull(argv[2], NULL, 10);
	if (strcmp(argv[1], "small") == 0) {
		printf("%ld\n%ld\n%ld\n", add(2, 3), add(-1, 1), add(40, 2));
		return 0;
	}
	if (strcmp(argv[1], "random") == 0) {
		for (int i = 0; i < 20; i++) {
			long a, b;

			s = s * 6364136223846793005ULL + 1442695040888963407ULL;
			a = (long)(s >> 40) - 5000000;
			s = s * 6364136223846793005ULL + 1442695040888963407ULL;
			b = (long)(s >> 40) - 5000000;
			printf("%ld + %ld = %ld\n", a, b, add(a, b));
		}
		return 0;
	}
	fprintf(stderr, "unknown test %s\n", argv[1]);
	return 2;
}
EOF
	cat >"$_d/reference/add.c" <<'EOF'
#include "add.h"

long add(long a, long b)
{
	return a + b;
}
EOF
	printf '# 99-add\n\nWrite add() in add.c.\n' >"$_d/README.md"
}
