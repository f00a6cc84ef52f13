/*
 * name_index.h - exercise 02: is_name_index, a small function to time.
 */
#ifndef NAME_INDEX_H
#define NAME_INDEX_H

#include <stdbool.h>

/*
 * True when the digit d = (the number of letters in name) % 10 appears
 * among the decimal digits of index.
 *
 * Letters are the ASCII letters A-Z and a-z only: spaces, hyphens,
 * apostrophes, digits and every byte of 128 or above (so each byte of a
 * UTF-8 letter such as "Ł") are not counted. A NULL name has no letters.
 *
 * The digits of index are those of its absolute value as written in
 * decimal without leading zeros: 0 has the one digit 0, a negative index
 * the digits of its magnitude (the '-' is no digit), LONG_MIN included.
 *
 * Example: "Tymoteusz" has 9 letters and 144298 holds a 9: true.
 */
bool is_name_index(const char *name, long index);

#endif
