/*
 * context.h - where a result was measured: machine, build and date.
 *
 * Carried in every JSON result so a number is never separated from the
 * conditions that produced it.
 */
#ifndef BENCH_CONTEXT_H
#define BENCH_CONTEXT_H

struct bench_context {
	char host[256];
	char cpu_model[256];
	unsigned cpus;         /* CPUs this process may run on */
	unsigned cpus_online;  /* CPUs the machine has online */
	char kernel[256];      /* uname -sr */
	char compiler[128];
	char cflags[512];
	char build[16];        /* "release", "debug", "asan", "tsan" */
	char openssl[128];
	char version[64];      /* bench's own version */
	char git[64];          /* revision built from, or "unknown" */
	char date[32];         /* ISO 8601, UTC */
	/* Engine python's interpreter, filled by its caller when that engine
	 * ran ("" otherwise): JSON context.python. */
	char python_impl[32];    /* "CPython", "PyPy" */
	char python_version[32]; /* "3.11.2" */
	char python_exe[256];    /* sys.executable */
	int python_gil;          /* 1: the GIL was on */
	unsigned long long python_startup_ns; /* spawn to ready, not timed */
};

/* Fills ctx. Never fails: unknown fields read "unknown". */
void bench_context_get(struct bench_context *ctx);

/* Short build kind of this library: "release", "debug", "asan" or "tsan". */
const char *bench_build_kind(void);

/* bench's version string. */
const char *bench_version(void);

#endif
