/*
 * test_jsonl.c - the events workload's parser (workloads/jsonl.cc): a
 * batch read many lines at a time (bench__jsonl_lines) gives every line
 * exactly what a parse of that line alone (bench__jsonl_event) gives it,
 * on the lines where the two could part: two values on a line, a value
 * across lines, blank lines, bad UTF-8 further on, a last line left open.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "workloads/jsonl.h"

#define MAX_LINES 64

/* What a line gave: its status, and for a good event its two fields. */
struct got {
	int status;
	char type[64], id[64];
};

struct seen {
	struct got line[MAX_LINES];
	size_t n;
};

static void copy_view(char *to, const char *from, size_t len)
{
	ck_assert_uint_lt(len, 64);
	memcpy(to, from, len);
	to[len] = '\0';
}

static int seen_event(void *ud, const struct bench__jsonl_event *ev)
{
	struct seen *s = ud;
	struct got *g = &s->line[s->n++];

	ck_assert_uint_le(s->n, MAX_LINES);
	g->status = BENCH__JSONL_OK;
	copy_view(g->type, ev->type, ev->type_len);
	copy_view(g->id, ev->id, ev->id_len);
	return 0;
}

static int seen_bad(void *ud, int status)
{
	struct seen *s = ud;

	ck_assert_uint_lt(s->n, MAX_LINES);
	s->line[s->n++].status = status;
	return 0;
}

/* text through bench__jsonl_lines and line by line: the same, line by
 * line; returns how many lines were read many at a time. */
static size_t same_both_ways(const char *text)
{
	size_t len = strlen(text), lines = 0, windowed = 0;
	char *buf = calloc(1, len + BENCH__JSONL_PADDING);
	struct bench__jsonl *p = bench__jsonl_new();
	struct seen batch = { .n = 0 }, alone = { .n = 0 };
	struct bench__jsonl_sink to_batch = { seen_event, seen_bad, &batch };

	ck_assert_ptr_nonnull(buf);
	ck_assert_ptr_nonnull(p);
	memcpy(buf, text, len);
	for (const char *l = buf; l < buf + len; lines++) {
		const char *nl = memchr(l, '\n', (size_t)(buf + len - l));
		size_t n = nl ? (size_t)(nl - l) : (size_t)(buf + len - l);
		struct bench__jsonl_event ev;
		int st = bench__jsonl_event(p, l, n, &ev);

		if (st == BENCH__JSONL_OK)
			seen_event(&alone, &ev);
		else
			seen_bad(&alone, st);
		l += n + 1;
	}
	ck_assert_int_eq(bench__jsonl_lines(p, buf, len, lines, &to_batch,
					    &windowed), 0);
	ck_assert_uint_eq(batch.n, lines);
	for (size_t i = 0; i < lines; i++) {
		const struct got *a = &alone.line[i], *b = &batch.line[i];

		ck_assert_msg(a->status == b->status,
			      "line %zu of \"%s\": %s alone, %s in the batch", i + 1,
			      text, bench__jsonl_reason(a->status),
			      bench__jsonl_reason(b->status));
		if (a->status == BENCH__JSONL_OK) {
			ck_assert_str_eq(a->type, b->type);
			ck_assert_str_eq(a->id, b->id);
		}
	}
	bench__jsonl_free(p);
	free(buf);
	return windowed;
}

#define EV(t, id) "{\"event_id\": " #id ", \"event_type\": \"" t "\"}"

/* Good lines go many at a time, the last one without its newline too. */
START_TEST(test_good_lines_windowed)
{
	ck_assert_uint_eq(same_both_ways(EV("a", 1) "\n" EV("b", 2) "\n"
					 EV("c", 3) "\n"), 3);
	ck_assert_uint_eq(same_both_ways(EV("a", 1) "\n" EV("b", 2)), 2);
	/* Whitespace around the object, a CRLF ending, a key twice. */
	ck_assert_uint_eq(same_both_ways("  " EV("a", 1) " \t\r\n"
					 "{\"event_type\": \"x\", \"event_type\": \"y\"}\r\n"), 2);
}
END_TEST

/* Lines a document stream would read otherwise than a line alone: each
 * gets its own status, and the good lines after it are still read many
 * at a time. */
START_TEST(test_odd_lines_alone)
{
	static const char *const odd[] = {
		/* two values on a line */
		EV("a", 1) " " EV("b", 2),
		EV("a", 1) "1",
		/* an object across two lines, then a line that closes it and
		 * holds a whole one after */
		"{\"event_type\": \"a\",\n\"x\": 1}",
		"{\"event_type\": \"a\", \"x\": {}\n} " EV("b", 2),
		/* blank and whitespace-only lines */
		"",
		" \t ",
		/* not an object, no event_type, a number past 64 bits */
		"123",
		"[" EV("a", 1) "]",
		"{\"type\": \"a\"}",
		"{\"event_type\": 7}",
		"{\"event_type\": \"a\", \"n\": 1e400}",
		/* a stray control byte after the object */
		"{\"event_type\": \"a\"}\f",
		/* a string left open, bad UTF-8: found by simdjson's first
		 * stage, which reads the whole window, so all of it goes line
		 * by line (the last two) */
		"{\"event_type\": \"a",
		"{\"event_type\": \"\xff\"}",
	};
	const size_t n = sizeof(odd) / sizeof(*odd);

	for (size_t i = 0; i < n; i++) {
		char text[512];
		size_t good;

		snprintf(text, sizeof(text), "%s\n%s\n%s\n%s\n", EV("a", 1),
			 EV("b", 2), odd[i], EV("c", 3));
		good = same_both_ways(text);
		/* The two lines before: many at a time, but after stage 1's. */
		if (i < n - 2)
			ck_assert_msg(good >= 2, "\"%s\": %zu lines windowed",
				      odd[i], good);
	}
	/* A value left open on the last line, which has no newline. */
	same_both_ways(EV("a", 1) "\n{\"event_type\": \"a\"");
	same_both_ways(EV("a", 1) "\n{\"event_type\": \"a\"\n");
}
END_TEST

/* A bad line does not send the rest of the batch line by line. */
START_TEST(test_window_resumes)
{
	char text[8192] = "";
	size_t at = 0;

	for (int i = 0; i < 40; i++)
		at += (size_t)snprintf(text + at, sizeof(text) - at, "%s\n",
				       i == 5 ? "{\"event_type\": " : EV("x", 9));
	/* 39 good lines: at least all but the bad one's window mates. */
	ck_assert_uint_ge(same_both_ways(text), 34);
	/* Bad UTF-8 fails a whole window: its lines go alone, correctly. */
	at = 0;
	for (int i = 0; i < 40; i++)
		at += (size_t)snprintf(text + at, sizeof(text) - at, "%s\n",
				       i == 30 ? "{\"event_type\": \"\xc3\"}" : EV("x", 9));
	same_both_ways(text);
}
END_TEST

Suite *suite_jsonl(void)
{
	Suite *s = suite_create("jsonl");
	TCase *tc = tcase_create("jsonl");

	tcase_add_test(tc, test_good_lines_windowed);
	tcase_add_test(tc, test_odd_lines_alone);
	tcase_add_test(tc, test_window_resumes);
	suite_add_tcase(s, tc);
	return s;
}
