/*
 * error.h - error codes and the error record every library call can fill.
 *
 * Library functions return 0 or a negative BENCH_E* code. When a code alone is
 * not enough (which worker died, which flag was wrong), the caller passes a
 * struct bench_err and the library writes a one-line message into it; the CLI
 * prints that line and picks the exit status. The library never prints.
 */
#ifndef BENCH_ERROR_H
#define BENCH_ERROR_H

#include <stddef.h>

enum {
	BENCH_OK = 0,
	BENCH_EINVAL = -1,    /* bad argument: usage error */
	BENCH_ENOMEM = -2,    /* out of memory */
	BENCH_ESYS = -3,      /* a system call failed; errno text in the message */
	BENCH_EWORKER = -4,   /* a worker crashed or exited unexpectedly */
	BENCH_EVERIFY = -5,   /* checksums differ between modes */
	BENCH_ECANCELED = -6, /* bench_cancel() was called (Ctrl-C) */
	BENCH_ECRYPTO = -7,   /* OpenSSL failed */
	BENCH_EINPUT = -8,    /* unusable input data (a bad line under --strict) */
};

struct bench_err {
	int code;        /* BENCH_E* of the first failure, 0 if none */
	char msg[512];   /* one line, lowercase, no trailing period */
};

/* Text for a BENCH_E* code; never NULL. */
const char *bench_strerror(int code);

/*
 * Records the first failure in err (later calls keep the first message) and
 * returns code, so callers can write `return bench_err_set(err, ...)`.
 * err may be NULL. Thread-safe as long as each thread has its own err.
 */
int bench_err_set(struct bench_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
