/*
 * wl_common.c - shared fold operations for the built-in workloads.
 */
#include <inttypes.h>

#include "bench/workload.h"
#include "wl_common.h"

void bench__fold_init(void *partial)
{
	memset(partial, 0, sizeof(struct bench__fold));
}

void bench__fold_merge(void *acc, const void *partial)
{
	struct bench__fold *a = acc;
	const struct bench__fold *p = partial;

	a->items += p->items;
	a->sum += p->sum;
	a->total += p->total;
}

void bench__fold_checksum(const void *acc, char *out)
{
	const struct bench__fold *a = acc;

	snprintf(out, BENCH_CHECKSUM_MAX, "%016" PRIx64,
		 bench__mix64(a->sum ^ bench__mix64(a->items)) ^ a->total);
}

size_t bench__utoa(uint64_t v, char *buf)
{
	char tmp[20];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}
