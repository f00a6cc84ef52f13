/*
 * counts.c - known call counts for `bench profile --count` (built with
 * -finstrument-functions -fno-inline by test_profile.sh):
 *
 *   f      1000 calls from main
 *   g        37 calls from f (for i = 1, 28, 55, ..., 973)
 *   h         5 calls from main
 *   rec      10 calls: rec(10) from main, then rec(9) .. rec(1)
 *   spin     10 calls, one per rec, each a few milliseconds of work
 *   main      1 call
 *
 * f, g and h are tiny, so the hooks' own cost dominates them (what the
 * calibration has to take out); rec recurses around real work, so its
 * cumulative time is the time of its outermost call, not the sum over the
 * ten nested ones.
 */
#include <stdio.h>

volatile unsigned long sink;

void spin(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		sink += i;
}

void g(int i)
{
	sink += (unsigned long)i * 3;
}

void f(int i)
{
	sink += (unsigned long)i;
	if (i % 27 == 1)
		g(i);
}

void h(void)
{
	sink ^= 0x5a5a;
}

int rec(int n)
{
	spin(1000000);
	return n <= 1 ? 1 : 1 + rec(n - 1);
}

int main(void)
{
	for (int i = 0; i < 1000; i++)
		f(i);
	for (int i = 0; i < 5; i++)
		h();
	sink += (unsigned long)rec(10);
	printf("%lu\n", sink);
	return 0;
}
