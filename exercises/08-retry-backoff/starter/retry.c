/*
 * retry.c - exercise 08: retry with exponential backoff.
 * The contract is in retry.h; the task is in README.md.
 */
#include <stddef.h>

#include "retry.h"

int retry(int (*fn)(void *), void *arg, int max_attempts, long base_ms,
	  long max_ms, void (*sleep_ms)(long))
{
	/* TODO: check the arguments; call fn(arg) up to max_attempts times;
	 * return the number of the attempt that returned 0; between
	 * attempts call sleep_ms with base_ms, 2 * base_ms, 4 * base_ms, ...
	 * capped at max_ms (beware of overflow); -1 when all failed. */
	(void)fn;
	(void)arg;
	(void)max_attempts;
	(void)base_ms;
	(void)max_ms;
	(void)sleep_ms;
	return -1;
}
