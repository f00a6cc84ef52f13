/*
 * tests.c - exercise 06, public tests: ./driver TEST SEED
 *
 *   digests      seed-made CPFs: each digest for one worker count, then a
 *                checksum of 1,000 digests for 1 to 32 workers
 *   edges        n = 0 and n below the worker count, worker counts below
 *                1 and above the limit, strings that are no CPFs (empty,
 *                long, binary bytes, SHA-256 block boundaries)
 *   perf-serial  PERF_CPFS seed-made CPFs hashed PERF_ROUNDS times by the
 *                driver's own serial loop
 *   perf         the same with hash_cpfs on min(CPUs, 4) workers
 *
 * perf-serial and perf print the same lines when hash_cpfs is right; the
 * grader times the two and compares.
 */
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "driver.h"
#include "hash_cpfs.h"

/*
 * "An EVP_MD_CTX belongs to one thread": the driver's own EVP_Digest*
 * and EVP_MD_CTX_new/_free come before OpenSSL's (a definition in the
 * program wins; each calls OpenSSL's, found with dlsym). While a test
 * watches (never in the timed runs), they note which thread uses each
 * context: one used by two threads other than the caller within one call
 * of hash_cpfs breaks the rule, however the threads happened to run, and
 * the test says so. (The caller may set up a context a worker then uses;
 * an owner is forgotten between calls and when its context is freed or
 * made, since the address comes back.) The table is lock-free, relaxed
 * atomics only: a lock would order the threads for ThreadSanitizer and
 * hide their other races.
 *
 * In the ThreadSanitizer build each use also tells TSan it writes the
 * context's first byte (OpenSSL is not built for TSan, which would see
 * nothing): two threads, the caller included, using one context with
 * nothing (a lock, a join) ordering them are then a data race TSan
 * reports with both places.
 */
#include <dlfcn.h>
#include <stdatomic.h>
#include <unistd.h>

#if defined(__SANITIZE_THREAD__)
void __tsan_write1(void *addr);
#endif

static int (*real_init)(EVP_MD_CTX *, const EVP_MD *);
static int (*real_init_ex)(EVP_MD_CTX *, const EVP_MD *, ENGINE *);
static int (*real_init_ex2)(EVP_MD_CTX *, const EVP_MD *, const OSSL_PARAM *);
static int (*real_update)(EVP_MD_CTX *, const void *, size_t);
static int (*real_final)(EVP_MD_CTX *, unsigned char *, unsigned int *);
static int (*real_final_ex)(EVP_MD_CTX *, unsigned char *, unsigned int *);
static EVP_MD_CTX *(*real_ctx_new)(void);
static void (*real_ctx_free)(EVP_MD_CTX *);

#define REAL(var, name)                                          \
	do {                                                     \
		void *sym_ = dlsym(RTLD_NEXT, name);             \
		memcpy(&(var), &sym_, sizeof(var));              \
		if (!(var)) {                                    \
			fprintf(stderr, "driver: no %s\n", name); \
			exit(1);                                 \
		}                                                \
	} while (0)

#define CTX_SLOTS 4096
#define RELAXED memory_order_relaxed

static struct {
	_Atomic(uintptr_t) ctx;
	atomic_int owner;         /* the thread id of its user, or 0 */
} ctx_table[CTX_SLOTS];
static atomic_int evp_watching, evp_shared;
static int caller_tid;

/* ctx's owner slot, added when add is set; NULL when the table is full. */
static atomic_int *ctx_owner(const void *ctx, int add)
{
	uintptr_t key = (uintptr_t)ctx;
	size_t h = (size_t)(driver_mix(key) % CTX_SLOTS);

	for (size_t k = 0; k < CTX_SLOTS; k++) {
		size_t i = (h + k) % CTX_SLOTS;
		uintptr_t cur = atomic_load_explicit(&ctx_table[i].ctx, RELAXED);

		if (cur == key)
			return &ctx_table[i].owner;
		if (cur != 0)
			continue;
		if (!add)
			return NULL;
		if (atomic_compare_exchange_strong_explicit(&ctx_table[i].ctx, &cur, key,
							    RELAXED, RELAXED) || cur == key)
			return &ctx_table[i].owner;
	}
	return NULL;
}

static inline void ctx_use(EVP_MD_CTX *ctx)
{
	atomic_int *owner;
	int me, prev = 0;

#if defined(__SANITIZE_THREAD__)
	__tsan_write1(ctx);
#endif
	if (!ctx || !atomic_load_explicit(&evp_watching, RELAXED) ||
	    (me = (int)gettid()) == caller_tid || !(owner = ctx_owner(ctx, 1)))
		return;
	if (!atomic_compare_exchange_strong_explicit(owner, &prev, me, RELAXED, RELAXED) &&
	    prev != me)
		atomic_fetch_add_explicit(&evp_shared, 1, RELAXED);
}

static void ctx_forget(const EVP_MD_CTX *ctx)
{
	atomic_int *owner = ctx ? ctx_owner(ctx, 0) : NULL;

	if (owner)
		atomic_store_explicit(owner, 0, RELAXED);
}

/* hash_cpfs, watched: owners forgotten before, so each call is judged
 * alone. */
static void hash_watched(const char *const *cpfs, size_t n,
			 unsigned char (*digests)[HASH_DIGEST_LEN], int workers)
{
	for (size_t i = 0; i < CTX_SLOTS; i++)
		atomic_store_explicit(&ctx_table[i].owner, 0, RELAXED);
	caller_tid = (int)gettid();
	atomic_store(&evp_watching, 1);
	hash_cpfs(cpfs, n, digests, workers);
	atomic_store(&evp_watching, 0);
}

/* The last line of a watched test. */
static void show_sharing(void)
{
	int shared = atomic_load(&evp_shared);

	if (shared)
		printf("EVP contexts used by two threads: yes, %d time%s (an EVP_MD_CTX belongs to one thread)\n",
		       shared, shared == 1 ? "" : "s");
	else
		printf("EVP contexts used by two threads: none\n");
}

static void evp_watch(void)
{
	REAL(real_init, "EVP_DigestInit");
	REAL(real_init_ex, "EVP_DigestInit_ex");
	REAL(real_init_ex2, "EVP_DigestInit_ex2");
	REAL(real_update, "EVP_DigestUpdate");
	REAL(real_final, "EVP_DigestFinal");
	REAL(real_final_ex, "EVP_DigestFinal_ex");
	REAL(real_ctx_new, "EVP_MD_CTX_new");
	REAL(real_ctx_free, "EVP_MD_CTX_free");
}

EVP_MD_CTX *EVP_MD_CTX_new(void)
{
	EVP_MD_CTX *ctx = real_ctx_new();

	ctx_forget(ctx);
	return ctx;
}

void EVP_MD_CTX_free(EVP_MD_CTX *ctx)
{
	ctx_forget(ctx);
	real_ctx_free(ctx);
}

int EVP_DigestInit(EVP_MD_CTX *ctx, const EVP_MD *type)
{
	ctx_use(ctx);
	return real_init(ctx, type);
}

int EVP_DigestInit_ex(EVP_MD_CTX *ctx, const EVP_MD *type, ENGINE *impl)
{
	ctx_use(ctx);
	return real_init_ex(ctx, type, impl);
}

int EVP_DigestInit_ex2(EVP_MD_CTX *ctx, const EVP_MD *type, const OSSL_PARAM params[])
{
	ctx_use(ctx);
	return real_init_ex2(ctx, type, params);
}

int EVP_DigestUpdate(EVP_MD_CTX *ctx, const void *d, size_t cnt)
{
	ctx_use(ctx);
	return real_update(ctx, d, cnt);
}

int EVP_DigestFinal(EVP_MD_CTX *ctx, unsigned char *md, unsigned int *s)
{
	ctx_use(ctx);
	return real_final(ctx, md, s);
}

int EVP_DigestFinal_ex(EVP_MD_CTX *ctx, unsigned char *md, unsigned int *s)
{
	ctx_use(ctx);
	return real_final_ex(ctx, md, s);
}

static void setup(void)
{
	evp_watch();
	driver_modest_threads();
}

#define PERF_CPFS 250000
#define PERF_ROUNDS 6
#define PERF_SHIFT 15625
#define PERF_MAX_WORKERS 4

/* A valid CPF, "ddd.ddd.ddd-dd", into out (15 bytes with the NUL). */
static void make_cpf(char *out)
{
	int d[11], s1 = 0, s2 = 0, at = 0;
	uint64_t r = driver_next();

	for (int i = 0; i < 9; i++) {
		d[i] = (int)(r % 10);
		r /= 10;
		s1 += d[i] * (10 - i);
		s2 += d[i] * (11 - i);
	}
	d[9] = s1 * 10 % 11 % 10;
	s2 += d[9] * 2;
	d[10] = s2 * 10 % 11 % 10;
	for (int i = 0; i < 11; i++) {
		out[at++] = (char)('0' + d[i]);
		if (i == 2 || i == 5)
			out[at++] = '.';
		else if (i == 8)
			out[at++] = '-';
	}
	out[at] = '\0';
}

#define PRESET 0xa5   /* digests are filled with it before each call */

static void hex(const unsigned char *d, char *out)
{
	for (int i = 0; i < HASH_DIGEST_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* A checksum of n digests: their XOR, and a position-weighted sum. */
static void fold(unsigned char (*d)[HASH_DIGEST_LEN], size_t n, char *out)
{
	unsigned char x[HASH_DIGEST_LEN] = { 0 };
	uint64_t weighted = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t w;

		for (int j = 0; j < HASH_DIGEST_LEN; j++)
			x[j] ^= d[i][j];
		memcpy(&w, d[i], sizeof(w));
		weighted += w * (i + 1);
	}
	hex(x, out);
	snprintf(out + 2 * HASH_DIGEST_LEN, 20, "/%016llx", (unsigned long long)weighted);
}

static size_t untouched(unsigned char (*d)[HASH_DIGEST_LEN], size_t n)
{
	size_t count = 0;

	for (size_t i = 0; i < n; i++) {
		int all = 1;

		for (int j = 0; j < HASH_DIGEST_LEN; j++)
			all &= d[i][j] == PRESET;
		count += all;
	}
	return count;
}

/* Hashes strs with `workers` and prints each digest. */
static void show_each(const char *label, const char **strs, size_t n, int workers)
{
	unsigned char (*d)[HASH_DIGEST_LEN] = malloc((n ? n : 1) * sizeof(*d));
	char h[2 * HASH_DIGEST_LEN + 1];

	if (!d) {
		fprintf(stderr, "driver: out of memory\n");
		exit(1);
	}
	memset(d, PRESET, (n ? n : 1) * sizeof(*d));
	hash_watched(strs, n, d, workers);
	printf("%s: n %zu, workers %d\n", label, n, workers);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(strs[i]);

		hex(d[i], h);
		if (len <= 40)
			printf("  \"%s\" %s\n", strs[i], h);
		else
			printf("  (%zu bytes) %s\n", len, h);
	}
	if (n == 0)
		printf("  digest buffer untouched: %s\n", untouched(d, 1) == 1 ? "yes" : "no");
	free(d);
}

static int test_digests(void)
{
	static const int workers[] = { 1, 2, 3, 4, 7, 8, 32 };
	char cpf[1000][16], sum[2 * HASH_DIGEST_LEN + 20];
	const char *strs[1000];
	static unsigned char d[1000][HASH_DIGEST_LEN];
	const char *known[1] = { "123.456.789-09" };

	for (int i = 0; i < 1000; i++) {
		make_cpf(cpf[i]);
		strs[i] = cpf[i];
	}
	show_each("known", known, 1, 1);
	show_each("twelve", strs, 12, 3);
	for (size_t k = 0; k < sizeof(workers) / sizeof(workers[0]); k++) {
		size_t n = 1000 - (k == 3 ? driver_below(100) : 0);

		memset(d, PRESET, sizeof(d));
		hash_watched(strs, n, d, workers[k]);
		fold(d, n, sum);
		printf("n %zu, workers %d: untouched %zu, checksum %s\n", n, workers[k],
		       untouched(d, n), sum);
	}
	/* Stress: all 32 workers on 1,000 strings, again and again, so that
	 * threads that share what they should not meet. */
	for (int r = 0; r < 4; r++) {
		memset(d, PRESET, sizeof(d));
		hash_watched(strs + r, 1000 - (size_t)r, d, HASH_MAX_WORKERS);
		fold(d, 1000 - (size_t)r, sum);
		printf("stress %d: n %d, workers %d: untouched %zu, checksum %s\n", r + 1,
		       1000 - r, HASH_MAX_WORKERS, untouched(d, 1000 - (size_t)r), sum);
	}
	show_sharing();
	return 0;
}

/* Shares: more workers than strings, and worker counts that do not
 * divide n, each checked for digests left unwritten or misplaced. */
static void shares(const char *const *strs)
{
	static const int cases[][2] = {
		{ 2, 3 }, { 5, 32 }, { 31, 32 }, { 33, 32 }, { 47, 32 }, { 63, 32 },
		{ 10, 4 }, { 17, 16 }, { 100, 7 }, { 9, 1000 },
	};
	static unsigned char d[100][HASH_DIGEST_LEN];
	char sum[2 * HASH_DIGEST_LEN + 20];

	for (size_t k = 0; k <= sizeof(cases) / sizeof(cases[0]); k++) {
		size_t n;
		int w;

		if (k < sizeof(cases) / sizeof(cases[0])) {
			n = (size_t)cases[k][0];
			w = cases[k][1];
		} else {  /* drawn: more workers than strings, not a multiple */
			n = 2 + driver_below(29);
			w = (int)n + 1 + (int)driver_below((uint64_t)(HASH_MAX_WORKERS - (int)n));
		}
		memset(d, PRESET, sizeof(d));
		hash_watched(strs, n, d, w);
		fold(d, n, sum);
		printf("shares: n %zu, workers %d: untouched %zu, checksum %s\n", n, w,
		       untouched(d, n), sum);
	}
}

static int test_edges(void)
{
	char cpf[100][16], longs[4][1100];
	const char *strs[100];
	const char *odd[8];

	for (int i = 0; i < 100; i++) {
		make_cpf(cpf[i]);
		strs[i] = cpf[i];
	}
	show_each("none", strs, 0, 4);
	show_each("one on 8 workers", strs, 1, 8);
	show_each("three on 5 workers", strs, 3, 5);
	show_each("workers 0", strs, 4, 0);
	show_each("workers -4", strs, 4, -4);
	show_each("workers 1000", strs, 8, 1000);
	/* With the 5-byte prefix: 55 and 56 bytes straddle the point where
	 * SHA-256's padding needs a second block; 64 is one whole block. */
	for (int i = 0; i < 4; i++) {
		static const size_t lens[4] = { 50, 51, 59, 1000 };

		for (size_t j = 0; j < lens[i]; j++)
			longs[i][j] = (char)('a' + (j + driver_below(26)) % 26);
		longs[i][lens[i]] = '\0';
	}
	odd[0] = "";
	odd[1] = longs[0];
	odd[2] = longs[1];
	odd[3] = longs[2];
	odd[4] = longs[3];
	odd[5] = "\xff\xfe\x01 binary";
	odd[6] = "aaaaa";
	odd[7] = cpf[driver_below(8)];
	show_each("odd strings", odd, 8, 3);
	shares(strs);
	show_sharing();
	return 0;
}

/* ---- performance ----------------------------------------------------------- */

/* The driver's own serial code, as fast per hash as it can be made: one
 * fetched SHA-256 and one context, reused. */
static void serial_hash(const char *const *cpfs, size_t n,
			unsigned char (*digests)[HASH_DIGEST_LEN])
{
	EVP_MD *md = EVP_MD_fetch(NULL, "SHA256", NULL);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (!md || !ctx) {
		fprintf(stderr, "driver: OpenSSL has no SHA-256\n");
		exit(1);
	}
	for (size_t i = 0; i < n; i++)
		if (!EVP_DigestInit_ex(ctx, md, NULL) ||
		    !EVP_DigestUpdate(ctx, HASH_PREFIX, strlen(HASH_PREFIX)) ||
		    !EVP_DigestUpdate(ctx, cpfs[i], strlen(cpfs[i])) ||
		    !EVP_DigestFinal_ex(ctx, digests[i], NULL)) {
			fprintf(stderr, "driver: SHA-256 failed\n");
			exit(1);
		}
	EVP_MD_CTX_free(ctx);
	EVP_MD_free(md);
}

static int perf(int parallel)
{
	char (*text)[16] = malloc(PERF_CPFS * sizeof(*text));
	const char **ring = malloc((PERF_CPFS + PERF_ROUNDS * PERF_SHIFT) * sizeof(*ring));
	unsigned char (*d)[HASH_DIGEST_LEN] = calloc(PERF_CPFS, sizeof(*d));
	char sum[2 * HASH_DIGEST_LEN + 20];
	int workers = 1;
	cpu_set_t set;

	if (!text || !ring || !d) {
		fprintf(stderr, "driver: out of memory\n");
		return 1;
	}
	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		workers = CPU_COUNT(&set);
	workers = workers < 1 ? 1 : workers > PERF_MAX_WORKERS ? PERF_MAX_WORKERS : workers;
	for (size_t i = 0; i < PERF_CPFS; i++)
		make_cpf(text[i]);
	/* Round r hashes the CPFs rotated by r * PERF_SHIFT: each round's
	 * array is another, so remembering the last call's digests is no
	 * shortcut. */
	for (size_t i = 0; i < PERF_CPFS + PERF_ROUNDS * PERF_SHIFT; i++)
		ring[i] = text[i % PERF_CPFS];
	printf("cpfs %d, rounds %d\n", PERF_CPFS, PERF_ROUNDS);
	for (int r = 0; r < PERF_ROUNDS; r++) {
		const char *const *strs = ring + (size_t)r * PERF_SHIFT;

		if (parallel)
			hash_cpfs(strs, PERF_CPFS, d, workers);
		else
			serial_hash(strs, PERF_CPFS, d);
		fold(d, PERF_CPFS, sum);
		printf("round %d: checksum %s\n", r + 1, sum);
	}
	free(text);
	free(ring);
	free(d);
	return 0;
}

static int test_perf_serial(void)
{
	return perf(0);
}

static int test_perf(void)
{
	return perf(1);
}

static const struct driver_test tests[] = {
	{ "digests", test_digests },
	{ "edges", test_edges },
	{ "perf-serial", test_perf_serial },
	{ "perf", test_perf },
};

DRIVER_MAIN(tests, setup)
