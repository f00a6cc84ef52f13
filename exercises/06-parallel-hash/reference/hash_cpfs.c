/*
 * hash_cpfs.c - exercise 06, reference solution.
 *
 * The threads, the calling one among them, take chunks of CHUNK strings
 * from a shared atomic counter until none is left. Every hash costs about
 * the same, so equal ranges fixed in advance would balance too, on an
 * idle machine; taking chunks as they go also keeps every thread busy to
 * the end when one of them runs slower (a CPU shared with another
 * program, a virtual CPU the host holds back).
 *
 * Each thread hashes with an EVP_MD_CTX of its own, reused from one
 * string to the next. The SHA-256 implementation is fetched once
 * (EVP_MD_fetch) and shared: without that, each EVP_DigestInit_ex would
 * look it up again, under a lock all threads contend for. With a context
 * and that digest, the EVP calls fail only when memory runs out, which a
 * void function has no way to report.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include <openssl/evp.h>

#include "hash_cpfs.h"

/* Strings per chunk: a few hundred microseconds of work. */
#define CHUNK 2048

struct job {
	const EVP_MD *md;
	const char *const *cpfs;
	unsigned char (*digests)[HASH_DIGEST_LEN];
	size_t n;
	atomic_size_t next;     /* the first string of the next chunk */
};

static void *work(void *arg)
{
	struct job *job = arg;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t start;

	if (!ctx)
		return NULL;    /* the other threads take this one's share */
	while ((start = atomic_fetch_add(&job->next, CHUNK)) < job->n) {
		size_t end = start + CHUNK < job->n ? start + CHUNK : job->n;

		for (size_t i = start; i < end; i++) {
			const char *s = job->cpfs[i];

			EVP_DigestInit_ex(ctx, job->md, NULL);
			EVP_DigestUpdate(ctx, HASH_PREFIX, strlen(HASH_PREFIX));
			EVP_DigestUpdate(ctx, s, strlen(s));
			EVP_DigestFinal_ex(ctx, job->digests[i], NULL);
		}
	}
	EVP_MD_CTX_free(ctx);
	return NULL;
}

void hash_cpfs(const char *const *cpfs, size_t n,
	       unsigned char (*digests)[HASH_DIGEST_LEN], int workers)
{
	pthread_t threads[HASH_MAX_WORKERS];
	struct job job;
	EVP_MD *fetched;
	size_t w, started = 0;

	if (n == 0)
		return;
	w = workers < 1 ? 1 : workers > HASH_MAX_WORKERS ? HASH_MAX_WORKERS : (size_t)workers;
	if (w > (n + CHUNK - 1) / CHUNK)
		w = (n + CHUNK - 1) / CHUNK;  /* no thread without a chunk */
	fetched = EVP_MD_fetch(NULL, "SHA256", NULL);
	job.md = fetched ? fetched : EVP_sha256();
	job.cpfs = cpfs;
	job.digests = digests;
	job.n = n;
	atomic_init(&job.next, 0);
	/* w - 1 more threads; the calling thread is the w-th. A thread that
	 * cannot start leaves its share to the others. */
	while (started + 1 < w && pthread_create(&threads[started], NULL, work, &job) == 0)
		started++;
	work(&job);
	for (size_t k = 0; k < started; k++)
		pthread_join(threads[k], NULL);
	EVP_MD_free(fetched);
}
