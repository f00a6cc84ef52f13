/*
 * retry.h - exercise 08: retry with exponential backoff.
 */
#ifndef RETRY_H
#define RETRY_H

/*
 * Calls fn(arg) until it succeeds (returns 0; any other value is a
 * failure), at most max_attempts times, and returns the number of the
 * attempt that succeeded (1 for the first), or -1 when every attempt
 * failed.
 *
 * Between attempts it waits by calling sleep_ms(ms) once, never sleeping
 * itself: after the k-th failed attempt (k = 1, 2, ...) it waits
 * min(base_ms * 2^(k-1), max_ms), that is base_ms, 2 * base_ms,
 * 4 * base_ms, ... capped at max_ms, computed without overflow (when
 * base_ms * 2^(k-1) exceeds LONG_MAX, the wait is max_ms). It does not
 * wait before the first attempt, nor after the last one when that failed
 * too.
 *
 * Returns -1 without calling fn or sleep_ms when either is NULL,
 * max_attempts < 1, base_ms < 0 or max_ms < 0. base_ms 0 makes every
 * wait 0 (sleep_ms(0) is still called); max_ms below base_ms makes every
 * wait max_ms.
 */
int retry(int (*fn)(void *), void *arg, int max_attempts, long base_ms,
	  long max_ms, void (*sleep_ms)(long));

#endif
