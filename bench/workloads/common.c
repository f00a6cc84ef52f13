/*
 * common.c - shared fold operations for the built-in workloads.
 */
#include <inttypes.h>
#include <stdio.h>

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
