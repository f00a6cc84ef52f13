/*
 * common.h - the result every built-in workload folds its items into.
 *
 * Each item contributes mix64(value ^ mix64(index)) to a 64-bit sum: the
 * sum is commutative and associative, so partials may merge in any order,
 * and because the index is mixed in, a value landing on the wrong item
 * changes the checksum as surely as a wrong value does.
 */
#ifndef BENCH_WL_COMMON_H
#define BENCH_WL_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lib/rng.h"

struct bench__fold {
	uint64_t items; /* items folded in */
	uint64_t sum;   /* the checksum sum */
	uint64_t total; /* a workload-defined count (hits, values in range) */
};

static inline void bench__fold_add(struct bench__fold *f, uint64_t item,
				   uint64_t value)
{
	f->items++;
	f->sum += bench__mix64(value ^ bench__mix64(item ^ 0xa0761d6478bd642full));
}

/* Big-endian 64-bit word at p: one load and a byte swap on x86. */
static inline uint64_t bench__load64_be(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static inline uint64_t bench__rotl(uint64_t v, int k)
{
	return v << k | v >> (64 - k);
}

/* All 256 bits of a digest in one word. The digest is already uniformly
 * random, so rotations suffice to keep a flipped bit from cancelling;
 * bench__fold_add mixes the word with the item index. */
static inline uint64_t bench__digest_word(const unsigned char *md)
{
	return bench__load64_be(md) ^ bench__rotl(bench__load64_be(md + 8), 17) ^
	       bench__rotl(bench__load64_be(md + 16), 31) ^ bench__rotl(bench__load64_be(md + 24), 47);
}

void bench__fold_init(void *partial);
void bench__fold_merge(void *acc, const void *partial);
/* Checksum text: 16 hex digits of the sum mixed with the item count. */
void bench__fold_checksum(const void *acc, char *out);

struct bench_params;
/* A workload's describe() for one read from --input: " of FILE", or
 * nothing when its input is generated. */
void bench__describe_input(const struct bench_params *p, int fixed_size,
			   char *buf, size_t len);

struct bench_err;
/* Fills err with OpenSSL's last error after `what` failed; returns
 * BENCH_ECRYPTO. */
int bench__crypto_error(struct bench_err *err, const char *what);

/* Decimal digits of v into buf (no NUL); returns the length. */
size_t bench__utoa(uint64_t v, char *buf);

/* A prepared input's array of bytes bytes, or NULL: from 2 MiB up in
 * huge pages where the kernel grants them (see common.c), else malloc's.
 * bench__input_free takes the same size back; NULL is a no-op. */
void *bench__input_alloc(size_t bytes);
void bench__input_free(void *p, size_t bytes);

#endif
