/*
 * timeit_source.c - the C sources of a `bench timeit` snippet: snippet.c
 * holds the user's code, harness.c the timing loop.
 *
 * SETUP goes at file scope (functions, data, #include), --init runs once
 * before any timing, STATEMENT is the body of a void function (so
 * `return;` ends one execution). They are written behind #line markers,
 * so that the compiler's messages say "setup:2:" or "statement:1:". The
 * harness is another translation unit: the snippet's names cannot clash
 * with it, and snippet.c holds only the user's code and the BENCH_KEEP
 * prelude. The harness times the way the library's timeit does
 * (autorange 1, 2, 5, 10, ... until one loop reaches the budget, then
 * `repeat` loops, calling the statement through a volatile function
 * pointer, on CLOCK_MONOTONIC) and writes raw loop times on a private
 * descriptor (TIMEIT_REPORT_FD), so the statement may print freely.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "timeit.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* The top of snippet.c, before SETUP. */
static const char prelude[] =
	"/* BENCH_KEEP(x): x is computed as if it were used, and memory as if\n"
	"   read and written, so the compiler cannot drop the work behind it. */\n"
	"#define BENCH_KEEP(x) do { __typeof__(x) bench_keep_ = (x); \\\n"
	"	__asm__ __volatile__(\"\" : : \"r,m\"(bench_keep_) : \"memory\"); \\\n"
	"} while (0)\n"
	"void bench_timeit_init(void);\n"
	"void bench_timeit_statement(void);\n";

/* harness.c, whole. It must compile cleanly under whatever --cflags add
 * (-Wall -Werror, -std=c11), hence _POSIX_C_SOURCE and plain C. */
static const char harness[] =
	"/* harness.c - written by bench timeit: times bench_timeit_statement()\n"
	"   the way timeit does and reports raw loop times on fd " STR(TIMEIT_REPORT_FD) ". */\n"
	"#define _POSIX_C_SOURCE 200809L\n"
	"#include <stdint.h>\n"
	"#include <stdio.h>\n"
	"#include <stdlib.h>\n"
	"#include <time.h>\n"
	"\n"
	"void bench_timeit_init(void);\n"
	"void bench_timeit_statement(void);\n"
	"\n"
	"/* Read through a volatile pointer, the loop's callee is unknown to the\n"
	"   compiler: it can neither inline the statement nor hoist it out. */\n"
	"static void (*volatile bench_statement)(void) = bench_timeit_statement;\n"
	"\n"
	"static uint64_t bench_now_ns(void)\n"
	"{\n"
	"	struct timespec ts;\n"
	"\n"
	"	clock_gettime(CLOCK_MONOTONIC, &ts);\n"
	"	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;\n"
	"}\n"
	"\n"
	"static uint64_t bench_loop_ns(uint64_t number)\n"
	"{\n"
	"	void (*fn)(void) = bench_statement;\n"
	"	uint64_t t0 = bench_now_ns();\n"
	"\n"
	"	for (uint64_t i = 0; i < number; i++)\n"
	"		fn();\n"
	"	return bench_now_ns() - t0;\n"
	"}\n"
	"\n"
	"/* usage: PROGRAM NUMBER(0: autorange) REPEAT TARGET_NS */\n"
	"int main(int argc, char **argv)\n"
	"{\n"
	"	FILE *report = fdopen(" STR(TIMEIT_REPORT_FD) ", \"w\");\n"
	"	unsigned long long number, repeat, target_ns;\n"
	"\n"
	"	if (argc != 4 || !report) {\n"
	"		fputs(\"this program is run by bench timeit\\n\", stderr);\n"
	"		return 2;\n"
	"	}\n"
	"	number = strtoull(argv[1], NULL, 10);\n"
	"	repeat = strtoull(argv[2], NULL, 10);\n"
	"	target_ns = strtoull(argv[3], NULL, 10);\n"
	"	/* Line by line: what was timed reaches bench even if a later\n"
	"	   loop crashes. */\n"
	"	setvbuf(report, NULL, _IOLBF, 0);\n"
	"	bench_timeit_init();\n"
	"	/* timeit.Timer.autorange(): 1, 2, 5, 10, 20, 50, ... */\n"
	"	for (unsigned long long base = 1; !number; base *= 10) {\n"
	"		static const unsigned steps[] = { 1, 2, 5 };\n"
	"\n"
	"		for (int k = 0; k < 3 && !number; k++) {\n"
	"			unsigned long long n = base * steps[k];\n"
	"			unsigned long long t = bench_loop_ns(n);\n"
	"\n"
	"			fprintf(report, \"autorange %llu %llu\\n\", n, t);\n"
	"			if (t >= target_ns || n >= " STR(BENCH_TIMEIT_NUMBER_MAX) ")\n"
	"				number = n;\n"
	"		}\n"
	"	}\n"
	"	fprintf(report, \"number %llu\\n\", number);\n"
	"	for (unsigned long long r = 0; r < repeat; r++)\n"
	"		fprintf(report, \"loop_ns %llu\\n\",\n"
	"			(unsigned long long)bench_loop_ns(number));\n"
	"	return fclose(report) != 0;\n"
	"}\n";

int timeit_strvec_push(struct strvec *sv, const char *s)
{
	char *copy;

	if (sv->n + 2 > sv->cap) {
		size_t cap = sv->cap ? 2 * sv->cap : 8;
		char **v = realloc(sv->v, cap * sizeof(*v));

		if (!v)
			return -1;
		sv->v = v;
		sv->cap = cap;
	}
	if (!(copy = strdup(s)))
		return -1;
	sv->v[sv->n++] = copy;
	sv->v[sv->n] = NULL;
	return 0;
}

int timeit_strvec_split(struct strvec *sv, const char *text)
{
	static const char space[] = " \t\n";

	for (text += strspn(text, space); *text; text += strspn(text, space)) {
		size_t len = strcspn(text, space);
		char word[4096];

		if (len >= sizeof(word))
			return -1;
		memcpy(word, text, len);
		word[len] = '\0';
		if (timeit_strvec_push(sv, word))
			return -1;
		text += len;
	}
	return 0;
}

void timeit_strvec_release(struct strvec *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	*sv = (struct strvec){ 0 };
}

void timeit_snippet_release(struct snippet *sn)
{
	timeit_strvec_release(&sn->setup);
	timeit_strvec_release(&sn->init);
	timeit_strvec_release(&sn->includes);
	timeit_strvec_release(&sn->cflags);
	timeit_strvec_release(&sn->libs);
	timeit_strvec_release(&sn->stmt);
}

static void write_lines(FILE *f, const struct strvec *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		fprintf(f, "%s\n", sv->v[i]);
}

static void write_snippet(FILE *f, const struct snippet *sn)
{
	fputs("/* snippet.c - written by bench timeit from its command line */\n", f);
	if (sn->includes.n)
		fputs("#line 1 \"include\"\n", f);
	for (size_t i = 0; i < sn->includes.n; i++) {
		const char *h = sn->includes.v[i];

		fprintf(f, h[0] == '<' || h[0] == '"' ? "#include %s\n" :
			"#include <%s>\n", h);
	}
	fputs("#line 1 \"prelude\"\n", f);
	fputs(prelude, f);
	fputs("#line 1 \"setup\"\n", f);
	write_lines(f, &sn->setup);
	fputs("void bench_timeit_init(void)\n{\n#line 1 \"init\"\n", f);
	write_lines(f, &sn->init);
	fputs("}\n\nvoid bench_timeit_statement(void)\n{\n#line 1 \"statement\"\n", f);
	write_lines(f, &sn->stmt);
	fputs("}\n", f);
}

/* Writes path: text, or snippet.c from sn; 0, or -1 after an error. */
static int write_source(const char *path, const char *text,
			const struct snippet *sn)
{
	FILE *f = fopen(path, "w");
	int bad;

	if (!f) {
		error("cannot create '%s': %s", path, strerror(errno));
		return -1;
	}
	if (text)
		fputs(text, f);
	else
		write_snippet(f, sn);
	bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		error("cannot write '%s': %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int timeit_write_sources(const char *dir, const struct snippet *sn,
			 char *src, char *hsrc, size_t len)
{
	snprintf(src, len, "%s/snippet.c", dir);
	snprintf(hsrc, len, "%s/harness.c", dir);
	return write_source(src, NULL, sn) || write_source(hsrc, harness, NULL) ?
	       -1 : 0;
}
