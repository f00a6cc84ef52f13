/*
 * hash_cpfs.h - exercise 06: SHA-256 of many short strings, in parallel.
 */
#ifndef HASH_CPFS_H
#define HASH_CPFS_H

#include <stddef.h>

/* What each CPF is prefixed with before hashing, and the digest size. */
#define HASH_PREFIX "aaaaa"
#define HASH_DIGEST_LEN 32
/* The most threads hash_cpfs may use. */
#define HASH_MAX_WORKERS 32

/*
 * For each i < n: digests[i] = SHA-256(HASH_PREFIX followed by cpfs[i]),
 * the 32 raw bytes, hashed with OpenSSL's EVP interface, the strings
 * hashed without their terminating NUL. cpfs[i] is a NUL-terminated string
 * (a Brazilian taxpayer number such as "123.456.789-09", but any string
 * must work).
 *
 * The work is split among `workers` threads (below 1: 1; above
 * HASH_MAX_WORKERS: HASH_MAX_WORKERS), the calling thread may be one of
 * them. Every digest is written when hash_cpfs returns, whatever the
 * worker count: should threads or memory run short, the remaining work is
 * done by the threads there are.
 */
void hash_cpfs(const char *const *cpfs, size_t n,
	       unsigned char (*digests)[HASH_DIGEST_LEN], int workers);

#endif
