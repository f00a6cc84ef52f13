/*
 * allocs.c - known allocations at distinct call sites, for `bench profile
 * --mem` (built with -fno-inline by test_profile.sh, so that each site is
 * its own function):
 *
 *   alloc_a   100 x malloc(1000), each freed:  100000 bytes, 100 allocations,
 *             nothing live at exit
 *   alloc_b   7 x malloc(12345), never freed:  86415 bytes, 7 allocations,
 *             86415 bytes in 7 blocks live at exit
 *   alloc_c   3 x calloc(4, 1024), each freed: 12288 bytes, 3 allocations
 *   grow      malloc(100), then realloc to 200, 400, 800, kept: the profiler
 *             counts every size a block is given (100 + 200 + 400 + 800 =
 *             1500 bytes, 4 allocations), and the last one live (800 bytes
 *             in 1 block)
 *
 * Every block's address is stored in a volatile, so the compiler can drop
 * no malloc/free pair. Pauses between the phases give the heap sampler
 * (every 10 ms) a curve to draw.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void *volatile seen;
static void *keep[8];

static void pause_ms(long ms)
{
	struct timespec ts = { 0, ms * 1000000 };

	nanosleep(&ts, NULL);
}

void alloc_a(void)
{
	for (int i = 0; i < 100; i++) {
		char *p = malloc(1000);

		seen = p;
		free(p);
	}
}

void alloc_b(void)
{
	for (int i = 0; i < 7; i++)
		seen = keep[i] = malloc(12345);
}

void alloc_c(void)
{
	for (int i = 0; i < 3; i++) {
		char *p = calloc(4, 1024);

		seen = p;
		free(p);
	}
}

void grow(void)
{
	char *p = malloc(100);

	seen = p;
	p = realloc(p, 200);
	seen = p;
	p = realloc(p, 400);
	seen = p;
	p = realloc(p, 800);
	seen = p;
	keep[7] = p;
}

int main(void)
{
	alloc_a();
	pause_ms(25);
	alloc_b();
	pause_ms(25);
	alloc_c();
	pause_ms(25);
	grow();
	printf("%s\n", keep[0] && keep[7] ? "ok" : "out of memory");
	return 0;
}
