/*
 * name_index.c - exercise 02: is_name_index.
 * The contract is in name_index.h; the task is in README.md.
 */
#include "name_index.h"

bool is_name_index(const char *name, long index)
{
	/* TODO: count the ASCII letters of name; return true when that
	 * count % 10 is one of the decimal digits of index (0 has the digit
	 * 0; a negative index has the digits of its magnitude). */
	(void)name;
	(void)index;
	return false;
}
