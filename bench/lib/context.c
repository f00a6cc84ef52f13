/*
 * context.c - the machine, build and date a result was measured on.
 *
 * BENCH_VERSION, BENCH_GIT and BENCH_CFLAGS come from the Makefile, so the
 * context names the flags this library was really compiled with.
 */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "bench/context.h"
#include "bench/harness.h"
#include "buildinfo.h"

#ifndef BENCH_VERSION
#define BENCH_VERSION "0.1.0"
#endif
#ifndef BENCH_GIT
#define BENCH_GIT "unknown"
#endif
#ifndef BENCH_CFLAGS
#define BENCH_CFLAGS "unknown"
#endif

const char *bench_version(void)
{
	return BENCH_VERSION;
}

const char *bench_build_kind(void)
{
#if defined(__SANITIZE_ADDRESS__)
	return "asan";
#elif defined(__SANITIZE_THREAD__)
	return "tsan";
#elif !defined(__OPTIMIZE__)
	return "debug";
#else
	return "release";
#endif
}

static void cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) != 0 || !colon)
			continue;
		colon += 1 + (colon[1] == ' ');
		colon[strcspn(colon, "\n")] = '\0';
		snprintf(buf, len, "%s", colon);
		break;
	}
	fclose(f);
}

void bench_context_get(struct bench_context *ctx)
{
	struct utsname u;
	time_t now = time(NULL);
	struct tm tm;
	long online = sysconf(_SC_NPROCESSORS_ONLN);

	memset(ctx, 0, sizeof(*ctx));
	if (uname(&u) == 0) {
		snprintf(ctx->host, sizeof(ctx->host), "%s", u.nodename);
		snprintf(ctx->kernel, sizeof(ctx->kernel), "%s %s", u.sysname,
			 u.release);
	} else {
		snprintf(ctx->host, sizeof(ctx->host), "unknown");
		snprintf(ctx->kernel, sizeof(ctx->kernel), "unknown");
	}
	cpu_model(ctx->cpu_model, sizeof(ctx->cpu_model));
	ctx->cpus = bench_cpus();
	ctx->cpus_online = online > 0 ? (unsigned)online : ctx->cpus;
#ifdef __clang__
	snprintf(ctx->compiler, sizeof(ctx->compiler), "clang %s", __clang_version__);
#elif defined(__GNUC__)
	snprintf(ctx->compiler, sizeof(ctx->compiler), "gcc %s", __VERSION__);
#else
	snprintf(ctx->compiler, sizeof(ctx->compiler), "unknown");
#endif
	snprintf(ctx->cflags, sizeof(ctx->cflags), "%s", BENCH_CFLAGS);
	snprintf(ctx->build, sizeof(ctx->build), "%s", bench_build_kind());
	snprintf(ctx->openssl, sizeof(ctx->openssl), "%s",
		 OpenSSL_version(OPENSSL_VERSION));
	snprintf(ctx->version, sizeof(ctx->version), "%s", BENCH_VERSION);
	snprintf(ctx->git, sizeof(ctx->git), "%s", BENCH_GIT);
	gmtime_r(&now, &tm);
	strftime(ctx->date, sizeof(ctx->date), "%Y-%m-%dT%H:%M:%SZ", &tm);
}
