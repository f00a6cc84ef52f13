/*
 * cpu.c - a known split of CPU time for `bench profile --cpu`: about 2/3
 * in hot() and 1/3 in warm(), 0.6 s in all, in six rounds of 67 ms of hot
 * then 33 ms of warm.
 *
 * Each function spins until the process's CPU time reaches a deadline,
 * reading it with getrusage() every 200000 iterations (a fraction of a
 * millisecond): so the split is one of CPU time, whatever the loops cost
 * per iteration (two identical loops can differ by 2x on alignment alone),
 * and the blocks are much longer than a kernel tick, so sampling does not
 * alias with them. getrusage() is a plain system call (clock_gettime of a
 * CPU clock would go through the vDSO).
 */
#include <stdio.h>
#include <sys/resource.h>

volatile unsigned long sink;

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

void hot(double until)
{
	do {
		for (unsigned i = 0; i < 200000; i++)
			sink += i;
	} while (cpu_seconds() < until);
}

void warm(double until)
{
	do {
		for (unsigned i = 0; i < 200000; i++)
			sink += i;
	} while (cpu_seconds() < until);
}

int main(void)
{
	double t = cpu_seconds();

	for (int k = 0; k < 6; k++) {
		hot(t += 0.0667);
		warm(t += 0.0333);
	}
	printf("%lu\n", sink);
	return 0;
}
