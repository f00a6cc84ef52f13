/*
 * hash.c - "CPF hashing": SHA-256 of salted and peppered fake CPFs.
 *
 * Item i draws, from its own counter-based stream, cpf in [1, 999999999]
 * then pepper in [1000, 9999]; its digest is
 * SHA-256("aaaaa" + decimal(cpf) + decimal(pepper)).
 *
 * The digest runs through OpenSSL 3's EVP interface with the SHA-256
 * implementation fetched once in prepare() and one EVP_MD_CTX per task,
 * re-initialised with EVP_DigestInit_ex() for every item. Measured on
 * 18-byte inputs, SHA256() or EVP_Digest() with the implicit EVP_sha256()
 * cost about three times as much per item, since every call fetches the
 * algorithm and allocates a context again.
 */
#include <stdlib.h>

#include <openssl/evp.h>

#include "bench/workload.h"
#include "lib/checkpoint.h"
#include "common.h"

#define SALT "aaaaa"
#define SALT_LEN (sizeof(SALT) - 1)

struct hash_state {
	uint64_t n;       /* items */
	uint32_t *cpf;    /* n values in [1, 999999999] */
	uint16_t *pepper; /* n values in [1000, 9999] */
	EVP_MD *md;       /* SHA-256, fetched once */
};

static void hash_release(void *state)
{
	struct hash_state *s = state;

	if (!s)
		return;
	EVP_MD_free(s->md);
	bench__input_free(s->cpf, s->n * sizeof(*s->cpf));
	bench__input_free(s->pepper, s->n * sizeof(*s->pepper));
	free(s);
}

static int hash_prepare(const struct bench_params *p, void **out,
			struct bench_err *err)
{
	struct hash_state *s = calloc(1, sizeof(*s));

	if (!s)
		goto nomem;
	s->n = p->size;
	s->cpf = bench__input_alloc(s->n * sizeof(*s->cpf));
	s->pepper = bench__input_alloc(s->n * sizeof(*s->pepper));
	if (!s->cpf || !s->pepper)
		goto nomem;
	for (uint64_t i = 0; i < s->n; i++) {
		struct bench__rng r = bench__rng_item(p->seed, i);

		s->cpf[i] = (uint32_t)bench__rng_range(&r, 1, 999999999);
		s->pepper[i] = (uint16_t)bench__rng_range(&r, 1000, 9999);
	}
	s->md = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (!s->md) {
		bench__crypto_error(err, "fetching SHA256");
		hash_release(s);
		return BENCH_ECRYPTO;
	}
	*out = s;
	return 0;
nomem:
	hash_release(s);
	return bench_err_set(err, BENCH_ENOMEM,
			     "hash: cannot allocate %llu items",
			     (unsigned long long)p->size);
}

static uint64_t hash_item_count(const void *state)
{
	return ((const struct hash_state *)state)->n;
}

/* Builds the message for item i into buf; returns its length. */
static size_t message(const struct hash_state *s, uint64_t i, char *buf)
{
	size_t len = SALT_LEN;

	memcpy(buf, SALT, SALT_LEN);
	len += bench__utoa(s->cpf[i], buf + len);
	len += bench__utoa(s->pepper[i], buf + len);
	return len;
}

static int digest(const struct hash_state *s, EVP_MD_CTX *ctx, uint64_t i,
		  unsigned char *md, struct bench_err *err)
{
	char buf[32];
	size_t len = message(s, i, buf);

	if (!EVP_DigestInit_ex(ctx, s->md, NULL) ||
	    !EVP_DigestUpdate(ctx, buf, len) ||
	    !EVP_DigestFinal_ex(ctx, md, NULL))
		return bench__crypto_error(err, "SHA-256");
	return 0;
}

static int hash_run(const void *state, const struct bench_task *task,
		    void *partial, struct bench_err *err)
{
	const struct hash_state *s = state;
	struct bench__fold *f = partial;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char md[32];
	int rc = 0;

	if (!ctx)
		return bench_err_set(err, BENCH_ENOMEM,
				     "hash: cannot allocate a digest context");
	for (uint64_t i = task->first; i < task->first + task->count; i++) {
		bench__checkpoint();
		rc = digest(s, ctx, i, md, err);
		if (rc)
			break;
		bench__fold_add(f, i, bench__digest_word(md));
	}
	EVP_MD_CTX_free(ctx);
	return rc;
}

static int hash_show(const void *state, uint64_t i, char *line, size_t len,
		     struct bench_err *err)
{
	const struct hash_state *s = state;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char md[32];
	char hex[65];
	int rc;

	if (!ctx)
		return bench_err_set(err, BENCH_ENOMEM,
				     "hash: cannot allocate a digest context");
	rc = digest(s, ctx, i, md, err);
	EVP_MD_CTX_free(ctx);
	if (rc)
		return rc;
	for (int k = 0; k < 32; k++)
		snprintf(hex + 2 * k, 3, "%02x", md[k]);
	snprintf(line, len, "%u %u %s", (unsigned)s->cpf[i],
		 (unsigned)s->pepper[i], hex);
	return 0;
}

const struct bench_workload bench__wl_hash = {
	.name = "hash",
	.summary = "SHA-256 of salted, peppered fake CPFs (CPU-bound)",
	.item_desc = "CPFs",
	.default_size = 8000000, /* about 1 s serial on a 2020s core */
	.max_size = 1000000000,
	.partial_size = sizeof(struct bench__fold),
	.prepare = hash_prepare,
	.release = hash_release,
	.item_count = hash_item_count,
	.partial_init = bench__fold_init,
	.run = hash_run,
	.merge = bench__fold_merge,
	.checksum = bench__fold_checksum,
	.show = hash_show,
};
