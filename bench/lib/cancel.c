/*
 * cancel.c - the process-wide stop request (cancel.h): one atomic flag,
 * so a signal handler may set it.
 */
#include <stdatomic.h>

#include "bench/cancel.h"

static atomic_int cancel_requested;

void bench_cancel(void)
{
	atomic_store(&cancel_requested, 1);
}

int bench_canceled(void)
{
	return atomic_load(&cancel_requested);
}

void bench_cancel_reset(void)
{
	atomic_store(&cancel_requested, 0);
}
