/*
 * empty_fn.c - a function that does nothing, for measuring what a timing
 * harness itself costs per call (timeit_empty.c against gbench_empty.cc).
 *
 * The design choice to know: it lives alone in this file, compiled to its
 * own object without LTO (-fno-lto), so neither harness can see its body,
 * inline it or drop the call. Both link this same object, so both time the
 * same machine code at the same kind of call site.
 */
#include "empty_fn.h"

void empty(void *arg)
{
	(void)arg;
}
