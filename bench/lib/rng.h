/*
 * rng.h - the counter-based generator every workload draws its input from.
 *
 * Item i's random values are a pure function of (seed, i, k): any worker,
 * thread or rank can compute item i on its own and get exactly what every
 * other mode gets. The construction is SplitMix64 (Steele, Lea & Flood),
 * whose state advances by a fixed odd gamma and whose output is a strong
 * 64-bit finaliser; here the starting state is itself derived from
 * (seed, i), so each item has its own stream. Written by hand because it is
 * ten lines and must be identical on every build; no library offers it.
 */
#ifndef BENCH_RNG_H
#define BENCH_RNG_H

#include <stdint.h>

#define BENCH__GOLDEN 0x9e3779b97f4a7c15ull

/* SplitMix64's output finaliser: a bijective 64-bit mix. */
static inline uint64_t bench__mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* -Wpedantic: __int128 is a GNU extension, present on every 64-bit target. */
__extension__ typedef unsigned __int128 bench__u128;

struct bench__rng {
	uint64_t state;
};

/* The stream of item `item` under `seed`. */
static inline struct bench__rng bench__rng_item(uint64_t seed, uint64_t item)
{
	struct bench__rng r = {
		bench__mix64(bench__mix64(seed + 0x632be59bd9b4e019ull) +
			     item * BENCH__GOLDEN)
	};
	return r;
}

static inline uint64_t bench__rng_next(struct bench__rng *r)
{
	r->state += BENCH__GOLDEN;
	return bench__mix64(r->state);
}

/*
 * Uniform integer in [lo, hi], without modulo bias: Lemire's
 * multiply-and-shift with rejection (draws again when the low half falls
 * in the biased zone, at most a few times in 2^32 for our ranges).
 */
static inline uint64_t bench__rng_range(struct bench__rng *r, uint64_t lo,
					uint64_t hi)
{
	uint64_t span = hi - lo + 1; /* callers keep spans below 2^32 */
	uint64_t threshold = (uint64_t)(-span) % span;

	for (;;) {
		bench__u128 m = (bench__u128)bench__rng_next(r) * span;

		if ((uint64_t)m >= threshold)
			return lo + (uint64_t)(m >> 64);
	}
}

#endif
