/*
 * record.h - exercise 01: write and read a student record, timed.
 *
 * A record file holds exactly two lines, each ending with '\n':
 *
 *     <name>\n
 *     <number>\n
 *
 * <name> is one or more bytes, none of them '\n' (spaces and UTF-8 are
 * fine); <number> is a decimal long as printf("%ld") writes it: an
 * optional '-', then one or more digits, and nothing else. Whatever comes
 * after the second line is ignored.
 *
 * Both functions time their whole file operation, from before opening the
 * file to after closing it, with clock_gettime(CLOCK_MONOTONIC, ...), and
 * store it in nanoseconds in *elapsed_ns (when elapsed_ns is not NULL and
 * the call succeeds).
 */
#ifndef RECORD_H
#define RECORD_H

#include <stddef.h>

/*
 * Creates (or truncates) the file at path and writes name and number in
 * the format above. Returns 0, or -1 when name is NULL or empty or holds a
 * '\n' (then no file is created), or when the file cannot be opened,
 * written or closed.
 */
int write_record(const char *path, const char *name, long number,
		 long long *elapsed_ns);

/*
 * Reads the record at path: the name into name (NUL-terminated, without
 * its '\n'; cap is the size of that buffer) and the number into *number.
 * Returns 0, or -1 when the file cannot be opened or read, when it does
 * not hold a record in the format above (a missing line or '\n', an empty
 * name, a number with anything but an optional '-' and digits, or one out
 * of range for a long), or when the name needs more than cap bytes with
 * its terminating NUL.
 */
int read_record(const char *path, char *name, size_t cap, long *number,
		long long *elapsed_ns);

#endif
