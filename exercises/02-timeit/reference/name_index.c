/*
 * name_index.c - exercise 02, reference solution.
 */
#include "name_index.h"

bool is_name_index(const char *name, long index)
{
	unsigned long rest;
	unsigned letters = 0;

	for (const char *p = name; p && *p; p++)
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
			letters++;
	/* The magnitude as unsigned: -LONG_MIN does not fit in a long. */
	rest = index < 0 ? 0ul - (unsigned long)index : (unsigned long)index;
	do {
		if (rest % 10 == letters % 10)
			return true;
		rest /= 10;
	} while (rest);
	return false;
}
