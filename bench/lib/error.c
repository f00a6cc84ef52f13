/*
 * error.c - error codes to text, and the first-failure error record.
 */
#include <stdarg.h>
#include <stdio.h>

#include "bench/error.h"

const char *bench_strerror(int code)
{
	switch (code) {
	case BENCH_OK: return "success";
	case BENCH_EINVAL: return "invalid argument";
	case BENCH_ENOMEM: return "out of memory";
	case BENCH_ESYS: return "system call failed";
	case BENCH_EWORKER: return "worker failed";
	case BENCH_EVERIFY: return "checksum mismatch";
	case BENCH_ECANCELED: return "canceled";
	case BENCH_ECRYPTO: return "OpenSSL failure";
	case BENCH_EINPUT: return "bad input";
	}
	return "unknown error";
}

int bench_err_set(struct bench_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err || err->code)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}
