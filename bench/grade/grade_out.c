/*
 * grade_out.c - grades as text, JSON (Jansson), Gradescope's results.json,
 * JUnit XML, TAP, and the class gradebook (CSV).
 *
 * Whatever comes from a submission - its folder's name, its output in a
 * test's message, its compiler messages - is escaped for the format
 * (cli/escape.h): no name can start a report line of its own or forge
 * another student's entry, no escape sequence reaches a terminal, no
 * cell reaches a spreadsheet as a formula.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/escape.h"
#include "grade.h"

int grade_format_parse(const char *name, enum grade_format *f)
{
	static const char *const names[] = { "text", "json", "gradescope",
					     "junit", "tap" };

	for (int i = 0; i < 5; i++) {
		if (strcmp(name, names[i]) == 0) {
			*f = (enum grade_format)i;
			return 0;
		}
	}
	return -1;
}

/* A copy of text where bytes that are not UTF-8 (and C1 controls) became
 * '?': a folder name or a compiler message may hold any bytes, JSON and
 * XML may not. */
static char *utf8_clean(const char *text)
{
	const unsigned char *p = (const unsigned char *)(text ? text : "");
	char *copy = malloc(strlen((const char *)p) + 1);
	size_t k = 0;

	while (copy && *p) {
		size_t n = *p < 0x80 ? 1 : esc_utf8_len(p, strlen((const char *)p));

		if (!n) {
			copy[k++] = '?';
			p++;
			continue;
		}
		memcpy(copy + k, p, n);
		k += n;
		p += n;
	}
	if (copy)
		copy[k] = '\0';
	return copy;
}

static json_t *jstr(const char *text)
{
	char *clean = utf8_clean(text);
	json_t *j = json_string(clean ? clean : "");

	free(clean);
	return j ? j : json_string("");
}

static const char *perf_word(const struct grade *g)
{
	return !g->perf.ran ? "not run" : g->perf.inconclusive ? "review" : "graded";
}

/* ---- text --------------------------------------------------------------- */

/* What a submission's folder name or output says, on one line. */
static void text(FILE *f, const char *s)
{
	esc_fputs(f, s, 0);
}

static void text_one(FILE *f, const struct exercise *ex, const struct grade *g)
{
	text(f, g->student);
	fprintf(f, ": %g/%g points", g->total, g->max);
	if (strcmp(g->status, "graded") != 0) {
		fputs(": ", f);
		text(f, g->status);
		fputc('\n', f);
		if (g->log && g->log[0]) {
			int lines = 0;

			for (const char *p = g->log; *p && lines < 30; lines++) {
				const char *nl = strchr(p, '\n');
				size_t len = nl ? (size_t)(nl - p) : strlen(p);
				char *line = strndup(p, len);

				fputs("    ", f);
				esc_fputs(f, line ? line : "", ESC_KEEP_TAB);
				fputc('\n', f);
				free(line);
				p += len + (nl != NULL);
			}
		}
	} else {
		fprintf(f, " (correctness %g/%g", g->correct, g->correct_max);
		if (g->perf_max && g->perf.inconclusive)
			fputs(", performance left to the instructor", f);
		else if (g->perf_max)
			fprintf(f, ", performance %g/%g", g->perf.score, g->perf_max);
		fputs(")\n", f);
	}
	/* Every test, whatever happened: the list is the same for all. */
	for (size_t i = 0; i < ex->ntests && g->tests; i++) {
		const struct test_result *t = &g->tests[i];

		fprintf(f, "  %-4s %-24s %g/%g%s%s", t->passed ? "ok" : "FAIL",
			ex->tests[i].name, t->score, ex->tests[i].points,
			ex->tests[i].hidden ? " (hidden)" : "", t->msg[0] ? "  " : "");
		text(f, t->msg);
		fputc('\n', f);
	}
	if (ex->perf_test) {
		fprintf(f, "  %-4s %-24s %g/%g  ",
			g->perf.inconclusive ? "??" : g->perf.score > 0 ? "ok" : "FAIL",
			"performance", g->perf.score, g->perf_max);
		text(f, g->perf.msg);
		fputc('\n', f);
	}
}

static int write_text(FILE *f, const struct exercise *ex, const struct grade *g,
		      size_t n)
{
	double sum = 0;

	fprintf(f, "exercise %s: %s (seed %llu)\n\n", ex->slug, ex->title,
		(unsigned long long)ex->seed);
	for (size_t i = 0; i < n; i++) {
		text_one(f, ex, &g[i]);
		sum += g[i].total;
		if (i + 1 < n)
			fputc('\n', f);
	}
	if (n > 1)
		fprintf(f, "\n%zu submissions, mean %.2f of %g points\n", n, sum / (double)n,
			g[0].max);
	return ferror(f) ? -1 : 0;
}

/* ---- JSON ---------------------------------------------------------------- */

/* A number for JSON, which has no infinity or NaN: null for those (a
 * speedup timed at 0 ns); NULL only when out of memory. */
static json_t *jnum(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

/* One submission's entry, or NULL (out of memory): the caller fails the
 * write rather than print an entry that is not the grade. */
static json_t *grade_json(const struct exercise *ex, const struct grade *g)
{
	json_t *tests = json_array(), *o;

	for (size_t i = 0; i < ex->ntests && g->tests && tests; i++) {
		const struct test_result *t = &g->tests[i];

		if (json_array_append_new(tests, json_pack("{s:s, s:o, s:o, s:b, s:b, s:o, s:o}",
			"name", ex->tests[i].name, "points", jnum(t->score),
			"max", jnum(ex->tests[i].points), "passed", t->passed,
			"hidden", ex->tests[i].hidden, "message", jstr(t->msg),
			/* A hidden test's time could tell its content. */
			"wall_ms", jnum(ex->tests[i].hidden ? 0.0 : (double)t->wall_ns / 1e6))) != 0) {
			json_decref(tests);
			return NULL;
		}
	}
	o = json_pack("{s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:o}",
		      "student", jstr(g->student), "path", jstr(g->path), "status", g->status,
		      "score", jnum(g->total), "max", jnum(g->max), "correctness", jnum(g->correct),
		      "correctness_max", jnum(g->correct_max), "tests", tests);
	if (o && g->log && json_object_set_new(o, "log", jstr(g->log)) != 0) {
		json_decref(o);
		return NULL;
	}
	if (o && g->perf_max &&
	    json_object_set_new(o, "performance", json_pack(
			"{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:i, s:o}",
			"status", perf_word(g), "points", jnum(g->perf.score),
			"max", jnum(g->perf_max), "speedup", jnum(g->perf.speedup),
			"expected", jnum(g->perf.expected),
			"reference_speedup", jnum(ex->perf_ref_speedup),
			"wall_speedup", jnum(g->perf.wall_speedup),
			"rounds", (int)g->perf.rounds,
			"message", jstr(g->perf.msg))) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int dump(FILE *f, json_t *doc)
{
	int rc;

	if (!doc) {
		errno = ENOMEM;
		return -1;
	}
	rc = json_dumpf(doc, f, JSON_INDENT(2) | JSON_REAL_PRECISION(6)) == 0 ? 0 : -1;
	json_decref(doc);
	fputc('\n', f);
	return rc || ferror(f) ? -1 : 0;
}

static int write_json_doc(FILE *f, const struct exercise *ex,
			  const struct grade *g, size_t n)
{
	json_t *subs = json_array();
	char seed[24];

	for (size_t i = 0; i < n && subs; i++)
		if (json_array_append_new(subs, grade_json(ex, &g[i])) != 0) {
			json_decref(subs);
			subs = NULL;
		}
	/* A string: seeds use all 64 bits, JSON integers (Jansson's) 63. */
	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)ex->seed);
	return dump(f, json_pack("{s:s, s:s, s:o, s:s, s:o}", "schema", "bench.grade/1",
				 "exercise", ex->slug, "title", jstr(ex->title),
				 "seed", seed, "submissions", subs));
}

/* Gradescope's results.json for one submission: hidden tests show after
 * grades are published. */
static int write_gradescope(FILE *f, const struct exercise *ex,
			    const struct grade *g)
{
	json_t *tests = json_array();
	char out[4200];
	int bad = !tests;

	for (size_t i = 0; i < ex->ntests && g->tests && !bad; i++)
		bad = json_array_append_new(tests, json_pack("{s:s, s:o, s:o, s:o, s:s}",
			"name", ex->tests[i].name, "score", jnum(g->tests[i].score),
			"max_score", jnum(ex->tests[i].points),
			"output", jstr(g->tests[i].msg[0] ? g->tests[i].msg : "passed"),
			"visibility", ex->tests[i].hidden ? "after_published" : "visible")) != 0;
	/* A verdict left to the instructor has no score yet: Gradescope
	 * shows the entry without one, and the total leaves it out. */
	if (ex->perf_test && !bad && g->perf.inconclusive)
		bad = json_array_append_new(tests, json_pack("{s:s, s:o, s:s}",
			"name", "performance (left to the instructor)",
			"output", jstr(g->perf.msg), "visibility", "visible")) != 0;
	else if (ex->perf_test && !bad)
		bad = json_array_append_new(tests, json_pack("{s:s, s:o, s:o, s:o, s:s}",
			"name", "performance", "score", jnum(g->perf.score),
			"max_score", jnum(g->perf_max), "output", jstr(g->perf.msg),
			"visibility", "visible")) != 0;
	if (bad) {
		json_decref(tests);
		tests = NULL;
	}
	snprintf(out, sizeof(out), "%s%s%s", g->status, g->log ? "\n" : "",
		 g->log ? g->log : "");
	return dump(f, json_pack("{s:o, s:o, s:o}", "score", jnum(g->total), "output", jstr(out),
				 "tests", tests));
}

/* ---- JUnit, TAP ----------------------------------------------------------- */

static void xml(FILE *f, const char *text)
{
	char *clean = utf8_clean(text);

	for (const char *s = clean; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
				fputc(*s, f);
		}
	}
	free(clean);
}

static int write_junit(FILE *f, const struct exercise *ex, const struct grade *g,
		       size_t n)
{
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"", f);
	xml(f, ex->slug);
	fputs("\">\n", f);
	for (size_t k = 0; k < n; k++) {
		const struct grade *s = &g[k];
		/* Every submission lists every test: one that could not run
		 * fails with the reason (grade_total wrote it). */
		size_t cases = ex->ntests + (ex->perf_test != NULL), fails = 0;
		int skipped = s->perf.inconclusive;

		for (size_t i = 0; s->tests && i < ex->ntests; i++)
			fails += !s->tests[i].passed;
		if (ex->perf_test && !s->perf.inconclusive && s->perf.score < s->perf_max)
			fails++;
		/* errors is required by Jenkins' junit-10.xsd: a test that
		 * could not be run at all is a failure here, never an error. */
		fprintf(f, "  <testsuite name=\"");
		xml(f, s->student);
		fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%d\">\n",
			cases, fails, skipped);
		for (size_t i = 0; s->tests && i < ex->ntests; i++) {
			fputs("    <testcase classname=\"", f);
			xml(f, ex->slug);
			fputs("\" name=\"", f);
			xml(f, ex->tests[i].name);
			fprintf(f, "\" time=\"%.3f\"", ex->tests[i].hidden ? 0.0 :
				(double)s->tests[i].wall_ns / 1e9);
			if (s->tests[i].passed) {
				fputs("/>\n", f);
				continue;
			}
			fputs("><failure message=\"", f);
			xml(f, s->tests[i].msg);
			fputs("\"/></testcase>\n", f);
		}
		if (ex->perf_test) {
			fputs("    <testcase classname=\"", f);
			xml(f, ex->slug);
			fputs("\" name=\"performance\">", f);
			if (s->perf.inconclusive) {
				fputs("<skipped message=\"", f);
				xml(f, s->perf.msg);
				fputs("\"/>", f);
			} else if (s->perf.score < s->perf_max) {
				fputs("<failure message=\"", f);
				xml(f, s->perf.msg);
				fputs("\"/>", f);
			}
			fputs("</testcase>\n", f);
		}
		/* The compiler's messages, where they are the reason. */
		if (strcmp(s->status, "graded") != 0 && s->log && s->log[0]) {
			fputs("    <system-out>", f);
			xml(f, s->log);
			fputs("</system-out>\n", f);
		}
		fputs("  </testsuite>\n", f);
	}
	fputs("</testsuites>\n", f);
	return ferror(f) ? -1 : 0;
}

/* A TAP 14 YAML diagnostic: the message as one double-quoted scalar. */
static void tap_msg(FILE *f, const char *msg)
{
	fputs("  ---\n  message: \"", f);
	esc_fputs(f, msg, ESC_BACKSLASH | ESC_DQUOTE);
	fputs("\"\n  ...\n", f);
}

/* A test point's description, escaped as TAP 14 asks ('#' and '\'), and
 * on one line whatever a folder's name holds. */
static void tap_desc(FILE *f, const char *s)
{
	esc_fputs(f, s, ESC_BACKSLASH | ESC_HASH);
}

static int write_tap(FILE *f, const struct exercise *ex, const struct grade *g,
		     size_t n)
{
	size_t total = 0, k = 0;

	for (size_t i = 0; i < n; i++)
		total += ex->ntests + (ex->perf_test != NULL);
	fprintf(f, "TAP version 13\n1..%zu\n", total);
	for (size_t i = 0; i < n; i++) {
		const struct grade *s = &g[i];

		for (size_t t = 0; s->tests && t < ex->ntests; t++) {
			fprintf(f, "%s %zu - ", s->tests[t].passed ? "ok" : "not ok", ++k);
			tap_desc(f, s->student);
			fputs(": ", f);
			tap_desc(f, ex->tests[t].name);
			fprintf(f, " (%g/%g)\n", s->tests[t].score, ex->tests[t].points);
			if (!s->tests[t].passed && t == 0 && strcmp(s->status, "graded") != 0 &&
			    s->log && s->log[0]) {
				/* Why nothing ran, with the compiler's messages. */
				size_t len = strlen(s->tests[t].msg) + strlen(s->log) + 2;
				char *both = malloc(len);

				if (both)
					snprintf(both, len, "%s\n%s", s->tests[t].msg, s->log);
				tap_msg(f, both ? both : s->tests[t].msg);
				free(both);
			} else if (!s->tests[t].passed) {
				tap_msg(f, s->tests[t].msg);
			}
		}
		if (ex->perf_test) {
			fprintf(f, "%s %zu - ",
				s->perf.inconclusive || s->perf.score >= s->perf_max ? "ok" : "not ok",
				++k);
			tap_desc(f, s->student);
			fprintf(f, ": performance (%g/%g)", s->perf.score, s->perf_max);
			if (s->perf.inconclusive) {
				fputs(" # SKIP ", f);
				tap_desc(f, s->perf.msg);
			}
			fputc('\n', f);
			if (!s->perf.inconclusive && s->perf.score < s->perf_max)
				tap_msg(f, s->perf.msg);
		}
	}
	return ferror(f) ? -1 : 0;
}

int grade_write(FILE *f, enum grade_format fmt, const struct exercise *ex,
		const struct grade *g, size_t n)
{
	switch (fmt) {
	case GF_TEXT: return write_text(f, ex, g, n);
	case GF_JSON: return write_json_doc(f, ex, g, n);
	case GF_GRADESCOPE: return n == 1 ? write_gradescope(f, ex, g) : -1;
	case GF_JUNIT: return write_junit(f, ex, g, n);
	case GF_TAP: return write_tap(f, ex, g, n);
	}
	return -1;
}

/* ---- the gradebook -------------------------------------------------------- */

int grade_write_gradebook(FILE *f, const struct exercise *ex,
			  const struct grade *g, size_t n)
{
	fputs("student,exercise,status,correctness,correctness_max,performance,"
	      "performance_max,total,max,seed\n", f);
	for (size_t i = 0; i < n; i++) {
		esc_csv(f, g[i].student);
		fprintf(f, ",%s,", ex->slug);
		esc_csv(f, g[i].status);
		fprintf(f, ",%g,%g,", g[i].correct, g[i].correct_max);
		if (g[i].perf.inconclusive)
			fputs("review", f);
		else
			fprintf(f, "%g", g[i].perf.score);
		fprintf(f, ",%g,%g,%g,%llu\n", g[i].perf_max, g[i].total, g[i].max,
			(unsigned long long)ex->seed);
	}
	return ferror(f) ? -1 : 0;
}
