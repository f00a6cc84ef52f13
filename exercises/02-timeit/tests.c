/*
 * tests.c - exercise 02, public tests: ./driver TEST SEED
 *
 *   examples  a fixed table: the README's example, 0, negative indexes,
 *             LONG_MIN and LONG_MAX, empty and NULL names, names with
 *             spaces, hyphens, digits and UTF-8 letters
 *   random    300 names and indexes drawn from the seed
 *
 * One line per call: "name" index -> true|false.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "driver.h"
#include "name_index.h"

static void check(const char *name, long index)
{
	bool r = is_name_index(name, index);

	if (name)
		printf("\"%s\" %ld -> %s\n", name, index, r ? "true" : "false");
	else
		printf("NULL %ld -> %s\n", index, r ? "true" : "false");
}

static int test_examples(void)
{
	static const struct {
		const char *name;
		long index;
	} cases[] = {
		{ "Tymoteusz", 144298 },        /* 9 letters, a 9: true */
		{ "Tymoteusz", 144288 },        /* no 9: false */
		{ "Anna", 4 },
		{ "Anna", 123 },
		{ "Bartholomew", 1 },           /* 11 letters: digit 1 */
		{ "Maximiliana", 10 },          /* 11 letters: digit 1 */
		{ "Aleksandra", 0 },            /* 10 letters: digit 0; 0 is "0" */
		{ "Aleksandra", 105 },
		{ "Aleksandra", 123 },
		{ "Jan", 0 },
		{ "Jan", -3 },                  /* the '-' is no digit */
		{ "Jan", -300 },
		{ "Jan", -12 },
		{ "Ewa", LONG_MIN },            /* 9223372036854775808 */
		{ "Piotr", LONG_MIN },          /* 5 letters: there is a 5 */
		{ "Zofia", LONG_MAX },          /* 9223372036854775807 */
		{ "Bartholomew", LONG_MAX },    /* 11 letters: LONG_MAX has no 1 */
		{ "Bartholomew", LONG_MIN },    /* nor has LONG_MIN */
		{ "", 0 },                      /* no letters: digit 0 */
		{ "", 7 },
		{ NULL, 10 },
		{ NULL, 9 },
		{ "Anna Maria", 9 },            /* the space is no letter */
		{ "Anna-Maria", 10 },
		{ "O'Neil", 5 },
		{ "R2D2", 2 },                  /* digits are no letters */
		{ "R2D2", 4 },
		{ "\xc5\x81ukasz", 5 },         /* "Łukasz": Ł is no ASCII letter */
		{ "\xc5\x81ukasz", 6 },
		{ "Zo\xc3\xab", 2 },            /* "Zoë" */
		{ "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 2 },
		{ "@[`{", 0 },                  /* the bytes around A-Z and a-z */
		{ "@[`{", 1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check(cases[i].name, cases[i].index);
	return 0;
}

static int test_random(void)
{
	static const char *const pieces[] = {
		"a", "e", "o", "y", "z", "K", "M", "T", "W", " ", "-", "'",
		"0", "7", ".", "\xc5\x82", "\xc3\xa9", "\xc5\xbc", "Q", "x",
	};

	for (int k = 0; k < 300; k++) {
		char name[160];
		size_t len = 0, parts = driver_below(24);
		int digits = 1 + (int)driver_below(19);
		long index = 0;

		name[0] = '\0';
		for (size_t i = 0; i < parts; i++) {
			const char *p =
				pieces[driver_below(sizeof(pieces) / sizeof(pieces[0]))];

			memcpy(name + len, p, strlen(p) + 1);
			len += strlen(p);
		}
		for (int d = 0; d < digits && index <= (LONG_MAX - 9) / 10; d++)
			index = index * 10 + (long)driver_below(10);
		if (driver_below(4) == 0)
			index = -index;
		if (driver_below(50) == 0)
			index = driver_below(2) ? LONG_MIN : LONG_MAX;
		check(name, index);
	}
	return 0;
}

static const struct driver_test tests[] = {
	{ "examples", test_examples },
	{ "random", test_random },
};

DRIVER_MAIN(tests, NULL)
