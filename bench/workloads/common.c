/*
 * common.c - shared fold operations for the built-in workloads.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <openssl/err.h>

#include "bench/workload.h"
#include "common.h"

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

/* Number of decimal digits of v. */
static size_t digits(uint64_t v)
{
	size_t n = 1;

	while (v >= 10000) {
		v /= 10000;
		n += 4;
	}
	return n + (v >= 10) + (v >= 100) + (v >= 1000);
}

/*
 * Two digits per division, from a 200-byte table, written from the end:
 * about three times faster than digit by digit, which matters because
 * hash formats two numbers for each SHA-256 it computes.
 */
size_t bench__utoa(uint64_t v, char *buf)
{
	static const char pairs[] =
		"00010203040506070809101112131415161718192021222324"
		"25262728293031323334353637383940414243444546474849"
		"50515253545556575859606162636465666768697071727374"
		"75767778798081828384858687888990919293949596979899";
	size_t n = digits(v), i = n;

	while (v >= 100) {
		unsigned d = (unsigned)(v % 100) * 2;

		v /= 100;
		buf[--i] = pairs[d + 1];
		buf[--i] = pairs[d];
	}
	if (v >= 10) {
		buf[--i] = pairs[v * 2 + 1];
		buf[--i] = pairs[v * 2];
	} else {
		buf[--i] = (char)('0' + v);
	}
	return n;
}

int bench__crypto_error(struct bench_err *err, const char *what)
{
	char buf[256];

	ERR_error_string_n(ERR_get_error(), buf, sizeof(buf));
	return bench_err_set(err, BENCH_ECRYPTO, "openssl: %s failed: %s",
			     what, buf);
}

void bench__describe_input(const struct bench_params *p, int fixed_size,
			   char *buf, size_t len)
{
	const char *input = bench_params_text(p, "input");

	(void)fixed_size;
	snprintf(buf, len, "%s%s", input ? " of " : "", input ? input : "");
}

/*
 * Big inputs live in transparent huge pages (madvise, where the kernel
 * allows it: "enabled" set to madvise or always). The reason is the
 * process pool: its workers are forked for each sample, and a child's
 * page table entries start with their accessed bit clear, so its first
 * read of each page sets it: cheap on bare metal, but a trap to the
 * hypervisor in a VM with shadow page tables, measured at about 4.6 us a
 * 4 KiB page here (the first pass over a forked array ran 10x slower,
 * hash's process workers 8-12% slower than threads). A 2 MiB page costs
 * one such trap for 512; the threads and the serial run lose nothing
 * (fewer TLB misses, if anything). Done by hand: malloc has no way to ask
 * for huge pages.
 */
#define HUGE_PAGE ((size_t)2 << 20)

static size_t huge_round(size_t bytes)
{
	return (bytes + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
}

void *bench__input_alloc(size_t bytes)
{
	size_t len = huge_round(bytes), extra;
	unsigned char *p, *a;

	if (bytes < HUGE_PAGE || len < bytes || len + HUGE_PAGE < len)
		return bytes < HUGE_PAGE ? malloc(bytes ? bytes : 1) : NULL;
	/* Over-map by a page and trim, so the array starts on a 2 MiB line. */
	p = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	a = (unsigned char *)(((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
	if (a > p)
		munmap(p, (size_t)(a - p));
	extra = (size_t)(p + len + HUGE_PAGE - (a + len));
	if (extra)
		munmap(a + len, extra);
	(void)madvise(a, len, MADV_HUGEPAGE);  /* a hint: fine without */
	return a;
}

void bench__input_free(void *p, size_t bytes)
{
	if (!p)
		return;
	if (bytes < HUGE_PAGE)
		free(p);
	else
		munmap(p, huge_round(bytes));
}
