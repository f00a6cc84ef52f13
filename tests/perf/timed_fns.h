/*
 * timed_fns.h - the functions both timing harnesses time (timeit_fn.c and
 * gbench_fn.cc): one declaration each, so the C and the C++ side cannot
 * disagree about what they call.
 */
#ifndef TIMED_FNS_H
#define TIMED_FNS_H

#ifdef __cplusplus
extern "C" {
#endif

/* Does nothing; arg is ignored: what a harness itself costs per call. */
void empty(void *arg);

/* SHA-256 of an 18-byte message through OpenSSL's EVP_Digest, as the
 * hash workload does per item (about a microsecond); arg is ignored. */
void sha256_short(void *arg);

#ifdef __cplusplus
}
#endif

#endif
