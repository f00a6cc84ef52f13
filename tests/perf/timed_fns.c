/*
 * timed_fns.c - the functions bench's timeit and Google Benchmark are set
 * against each other on (timeit_fn.c against gbench_fn.cc): one that does
 * nothing, for what a harness itself costs per call, and one SHA-256 of a
 * short message, a real microsecond of work.
 *
 * The design choice to know: they live alone in this file, compiled to
 * their own object without LTO (-fno-lto), so neither harness can see a
 * body, inline it or drop the call. Both link this same object, so both
 * time the same machine code at the same kind of call site.
 */
#include <openssl/evp.h>

#include "timed_fns.h"

/* Where a digest's first byte goes, so that no digest is unused. */
volatile unsigned char timed_fns_sink;

void empty(void *arg)
{
	(void)arg;
}

void sha256_short(void *arg)
{
	static const char msg[] = "aaaaa1234567899876";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len = 0;

	(void)arg;
	EVP_Digest(msg, sizeof(msg) - 1, md, &len, EVP_sha256(), NULL);
	timed_fns_sink = md[0];
}
