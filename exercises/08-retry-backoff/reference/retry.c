/*
 * retry.c - exercise 08, reference solution.
 */
#include <stddef.h>

#include "retry.h"

int retry(int (*fn)(void *), void *arg, int max_attempts, long base_ms,
	  long max_ms, void (*sleep_ms)(long))
{
	long wait = base_ms < max_ms ? base_ms : max_ms;

	if (!fn || !sleep_ms || max_attempts < 1 || base_ms < 0 || max_ms < 0)
		return -1;
	for (int attempt = 1; attempt <= max_attempts; attempt++) {
		if (fn(arg) == 0)
			return attempt;
		if (attempt == max_attempts)
			break;
		sleep_ms(wait);
		/* Double, but never past max_ms: wait <= max_ms / 2 keeps
		 * 2 * wait within max_ms, hence within LONG_MAX. */
		wait = wait <= max_ms / 2 ? 2 * wait : max_ms;
	}
	return -1;
}
