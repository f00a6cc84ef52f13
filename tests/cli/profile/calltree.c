/*
 * calltree.c - a known call tree for `bench profile --count` (built with
 * -finstrument-functions -fno-inline by test_profile.sh), whose times
 * must add up:
 *
 *   main
 *   |-- middle   4 calls
 *   |   |-- tiny     400 calls (100 per middle): the hooks' own cost
 *   |   |            dominates them, what the calibration takes out
 *   |   `-- leaf     4 calls, each spinning 10 ms of CPU time
 *   `-- solo     1 call, spinning 10 ms of CPU time
 *
 * Every function but main is called from one place only, so a function's
 * cumulative time holds its callees' whole: cumtime(main) = tottime(main)
 * + cumtime(middle) + cumtime(solo), cumtime(middle) = tottime(middle) +
 * cumtime(tiny) + cumtime(leaf), and leaf's time is at least the CPU time
 * it spun. spin() and cpu_seconds() are not instrumented, so leaf's and
 * solo's work is their own time, made of no calls the hooks could cost:
 * however large the calibrated cost per call, middle's 101 calls cannot
 * take leaf's time out of middle's cumulative time. spin() reads the
 * process's CPU time with getrusage() (a plain system call) between
 * rounds of work, so the amount is one of CPU time, whatever the
 * machine's speed or load.
 */
#include <stdio.h>
#include <sys/resource.h>

volatile unsigned long sink;

__attribute__((no_instrument_function)) double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

__attribute__((no_instrument_function)) void spin(double seconds)
{
	double until = cpu_seconds() + seconds;

	do {
		for (unsigned i = 0; i < 20000; i++)
			sink += i;
	} while (cpu_seconds() < until);
}

void tiny(int i)
{
	sink += (unsigned long)i;
}

void leaf(void)
{
	spin(0.010);
}

void middle(void)
{
	for (int i = 0; i < 100; i++)
		tiny(i);
	leaf();
}

void solo(void)
{
	spin(0.010);
}

int main(void)
{
	for (int k = 0; k < 4; k++)
		middle();
	solo();
	printf("%lu\n", sink);
	return 0;
}
