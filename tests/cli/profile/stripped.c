/*
 * stripped.c - a program spending its CPU time in a stripped library's
 * internal functions, for the names `bench profile --cpu` gives code with
 * no symbol. test_profile.sh builds the library from this same file
 * (-DSTRIPPED_LIB -shared -fPIC), strips it (strip --strip-all: only
 * exported symbols are left), and links the program against it:
 *
 *   main -> stripped_work (exported) -> stage_a (static) -> stage_b (static)
 *
 * stage_a and stage_b spin 0.15 s of CPU time each, stage_b inside
 * stage_a. With no symbol for either, each must still be a function of
 * its own ("libstripped.so+0x<start>", from the library's unwind tables),
 * not one "[libstripped.so]" that would seem to call itself.
 */
#include <stdio.h>
#include <sys/resource.h>

#ifdef STRIPPED_LIB

volatile unsigned long stripped_sink;

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static __attribute__((noinline)) void stage_b(double seconds)
{
	double until = cpu_seconds() + seconds;

	do {
		for (unsigned i = 0; i < 200000; i++)
			stripped_sink += i;
	} while (cpu_seconds() < until);
}

static __attribute__((noinline)) void stage_a(double seconds)
{
	double until = cpu_seconds() + seconds;

	do {
		for (unsigned i = 0; i < 200000; i++)
			stripped_sink += i;
	} while (cpu_seconds() < until);
	stage_b(seconds);
	stripped_sink++; /* not a tail call: stage_a stays on the stack */
}

unsigned long stripped_work(void)
{
	stage_a(0.15);
	return stripped_sink;
}

#else

unsigned long stripped_work(void);

int main(void)
{
	printf("%lu\n", stripped_work());
	return 0;
}

#endif
