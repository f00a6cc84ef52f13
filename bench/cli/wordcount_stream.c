/*
 * wordcount_stream.c - the Hadoop Streaming mapper and reducer over bytes
 * (wordcount_stream.h).
 *
 * Both work on the bytes of the current piece where they lie, and copy
 * only what a cut leaves unfinished: the mapper the start of a word, the
 * reducer the start of a line. Lengths, never NUL terminators, delimit
 * keys and lines, which is what lets a key hold a NUL.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/wordcount.h"
#include "escape.h"
#include "wordcount_stream.h"

/* Input bytes a message echoes at most. */
#define ECHO_MAX 40

/* Grows *buf to hold need bytes. 0, or -1 out of memory. */
static int reserve(char **buf, size_t *cap, size_t need)
{
	size_t n = *cap ? *cap : 64;
	char *more;

	if (need <= *cap)
		return 0;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			return -1;
		n *= 2;
	}
	if (!(more = realloc(*buf, n)))
		return -1;
	*buf = more;
	*cap = n;
	return 0;
}

/* ---- the mapper --------------------------------------------------------- */

void wc_mapper_init(struct wc_mapper *m)
{
	memset(m, 0, sizeof(*m));
}

void wc_mapper_release(struct wc_mapper *m)
{
	free(m->word);
	wc_mapper_init(m);
}

/* Adds n letters, lowercased, to the word; room is kept for "\t1\n". */
static int add_letters(struct wc_mapper *m, const unsigned char *p, size_t n)
{
	if (n > SIZE_MAX - 4 - m->len ||
	    reserve(&m->word, &m->cap, m->len + n + 3) != 0)
		return WC_NOMEM;
	for (size_t i = 0; i < n; i++)
		m->word[m->len + i] = (char)bench__wc_lower[p[i]];
	m->len += n;
	return WC_OK;
}

/* Writes the word as "word\t1\n" and starts the next. */
static int emit_word(struct wc_mapper *m, const struct wc_sink *out)
{
	memcpy(m->word + m->len, "\t1\n", 3);
	if (out->write(out->ud, m->word, m->len + 3) != 0)
		return WC_WRITE;
	m->len = 0;
	return WC_OK;
}

int wc_mapper_feed(struct wc_mapper *m, const void *data, size_t len,
		   const struct wc_sink *out)
{
	const unsigned char *p = data, *end, *w;
	size_t n;
	int rc;

	if (!len)
		return WC_OK;
	end = p + len;
	/* A word the previous piece cut goes on while letters do. */
	if (m->len) {
		const unsigned char *q = p;

		while (q < end && bench__wc_lower[*q])
			q++;
		if ((rc = add_letters(m, p, (size_t)(q - p))))
			return rc;
		if (q == end)
			return WC_OK;
		if ((rc = emit_word(m, out)))
			return rc;
		p = q;
	}
	while (bench__wc_next(&p, end, &w, &n)) {
		if ((rc = add_letters(m, w, n)))
			return rc;
		if (p == end)
			return WC_OK; /* it may go on in the next piece */
		if ((rc = emit_word(m, out)))
			return rc;
	}
	return WC_OK;
}

int wc_mapper_finish(struct wc_mapper *m, const struct wc_sink *out)
{
	return m->len ? emit_word(m, out) : WC_OK;
}

/* ---- echoing input in messages ------------------------------------------ */

char *wc_escape(char *buf, size_t cap, const void *data, size_t len,
		size_t max)
{
	return esc_bytes(buf, cap, data, len, max, ESC_BACKSLASH);
}

/* ---- the reducer --------------------------------------------------------- */

void wc_reducer_init(struct wc_reducer *r)
{
	memset(r, 0, sizeof(*r));
}

void wc_reducer_release(struct wc_reducer *r)
{
	free(r->line);
	free(r->key);
	wc_reducer_init(r);
}

static int fail(struct wc_reducer *r, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct wc_reducer *r, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	return r->status = status;
}

/* A line that is not KEY<tab>COUNT: what was expected, the line
 * (escaped), and why when the line does not show it plainly. */
static int bad_line(struct wc_reducer *r, const char *line, size_t len,
		    const char *expected, const char *why)
{
	char echo[4 * ECHO_MAX + 8];

	return fail(r, WC_BAD_INPUT, "reducer: line %" PRIu64 ": expected %s, got '%s'%s",
		    r->lineno, expected,
		    wc_escape(echo, sizeof(echo), line, len, ECHO_MAX), why);
}

/* Writes the open run as KEY<tab>SUM. */
static int emit_run(struct wc_reducer *r, const struct wc_sink *out)
{
	char tail[32];
	int n = snprintf(tail, sizeof(tail), "\t%" PRIu64 "\n", r->sum);

	if (out->write(out->ud, r->key, r->key_len) != 0 ||
	    out->write(out->ud, tail, (size_t)n) != 0)
		return r->status = WC_WRITE;
	r->have = 0;
	return WC_OK;
}

/* One line, without its newline (newline: whether it had one). */
static int reduce_line(struct wc_reducer *r, const char *line, size_t len,
		       int newline, const struct wc_sink *out)
{
	const char *tab, *c, *end = line + len;
	size_t klen;
	uint64_t v = 0;
	int rc;

	r->lineno++;
	/* No valid line ends in CR (a count ends in a digit): say why. */
	if (newline && len && line[len - 1] == '\r')
		return bad_line(r, line, len, "KEY<tab>COUNT ending in LF alone",
				" (a CRLF line ending)");
	if (!(tab = memchr(line, '\t', len)))
		return bad_line(r, line, len, "KEY<tab>COUNT", " (no tab)");
	if (tab + 1 == end)
		return bad_line(r, line, len, "KEY<tab>COUNT", " (no count)");
	for (c = tab + 1; c < end; c++) {
		unsigned d = (unsigned)(unsigned char)*c - '0';

		if (d > 9)
			return bad_line(r, line, len,
					"KEY<tab>COUNT (COUNT a whole number: digits only)", "");
		if (v > (UINT64_MAX - d) / 10)
			return bad_line(r, line, len,
					"KEY<tab>COUNT (COUNT a whole number below 2^64)", "");
		v = v * 10 + d;
	}
	klen = (size_t)(tab - line);
	if (r->have && (klen != r->key_len || memcmp(line, r->key, klen) != 0) &&
	    (rc = emit_run(r, out)))
		return rc;
	if (!r->have) {
		if (reserve(&r->key, &r->key_cap, klen ? klen : 1) != 0)
			return fail(r, WC_NOMEM, "reducer: out of memory");
		memcpy(r->key, line, klen);
		r->key_len = klen;
		r->sum = 0;
		r->have = 1;
	}
	if (r->sum > UINT64_MAX - v) {
		char echo[4 * ECHO_MAX + 8];

		return fail(r, WC_BAD_INPUT,
			    "reducer: line %" PRIu64 ": the sum of the counts of '%s' overflows 64 bits",
			    r->lineno, wc_escape(echo, sizeof(echo), r->key,
						 r->key_len, ECHO_MAX));
	}
	r->sum += v;
	return WC_OK;
}

int wc_reducer_feed(struct wc_reducer *r, const void *data, size_t len,
		    const struct wc_sink *out)
{
	const char *p = data, *end;
	int rc;

	if (r->status || !len)
		return r->status;
	end = p + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		/* The start of a line cut by a piece's end waits for the rest. */
		if (!nl || r->line_len) {
			if (n > SIZE_MAX - 1 - r->line_len ||
			    reserve(&r->line, &r->line_cap, r->line_len + n + 1) != 0)
				return fail(r, WC_NOMEM, "reducer: out of memory");
			memcpy(r->line + r->line_len, p, n);
			r->line_len += n;
			if (!nl)
				return WC_OK;
			rc = reduce_line(r, r->line, r->line_len, 1, out);
			r->line_len = 0;
		} else {
			rc = reduce_line(r, p, n, 1, out);
		}
		if (rc)
			return rc;
		p = nl + 1;
	}
	return WC_OK;
}

int wc_reducer_finish(struct wc_reducer *r, const struct wc_sink *out)
{
	int rc;

	if (r->status)
		return r->status;
	if (r->line_len) {
		rc = reduce_line(r, r->line, r->line_len, 0, out);
		r->line_len = 0;
		if (rc)
			return rc;
	}
	return r->have ? emit_run(r, out) : WC_OK;
}
