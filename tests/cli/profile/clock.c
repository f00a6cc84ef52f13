/*
 * clock.c - a program spending its time in the vDSO, for `bench profile
 * --cpu`: it reads CLOCK_MONOTONIC in a loop for 0.2 s, and that clock is
 * read in the kernel's vDSO, a module mapped with no file behind it, so no
 * symbols for nm and no lines for addr2line. Most samples' leaf is there.
 */
#include <stdio.h>
#include <time.h>

int main(void)
{
	struct timespec t0, t;
	unsigned long reads = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		clock_gettime(CLOCK_MONOTONIC, &t);
		reads++;
	} while ((double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9 < 0.2);
	printf("%lu reads\n", reads);
	return 0;
}
