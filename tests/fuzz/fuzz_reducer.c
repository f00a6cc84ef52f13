/*
 * fuzz_reducer.c - `bench wordcount reducer` (Hadoop Streaming's reduce
 * side) over any bytes, through the code the command runs
 * (bench/cli/wordcount_stream.c), with the pieces cut where the input
 * says.
 *
 * The input is the reducer's standard input. It is reduced twice: in one
 * piece, and in pieces of 1 to 16 bytes whose sizes come from the input
 * itself, as reads of any size would cut it. Both must give the same
 * bytes out, the same status and the same message. On success, every
 * output line is KEY<tab>DIGITS, adjacent keys differ, and the counts
 * out add up to the counts in (modulo 2^64, counted here independently:
 * the digits after each line's tab). On failure, the message is one line
 * of printable text starting "reducer: line N: " with N a line the input
 * has.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/wordcount_stream.h"
#include "fuzz.h"

struct buf {
	char *p;
	size_t len, cap;
};

static int to_buf(void *ud, const void *data, size_t len)
{
	struct buf *b = ud;

	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *more;

		while (cap < b->len + len)
			cap *= 2;
		if (!(more = realloc(b->p, cap)))
			return -1;
		b->p = more;
		b->cap = cap;
	}
	if (len)
		memcpy(b->p + b->len, data, len);
	b->len += len;
	return 0;
}

struct pass {
	struct buf out;
	int rc;
	char msg[WC_MSG_MAX];
};

/* Reduces data in pieces of 1 to 16 bytes (cuts: sizes from data, as a
 * ring) or, when cuts is 0, in one piece. */
static void reduce(const uint8_t *data, size_t size, int cuts, struct pass *p)
{
	struct wc_sink sink = { to_buf, &p->out };
	struct wc_reducer r;
	size_t at = 0, k = 0;
	int rc = WC_OK;

	memset(p, 0, sizeof(*p));
	wc_reducer_init(&r);
	while (rc == WC_OK && at < size) {
		size_t n = cuts ? 1 + data[k++ % size] % 16 : size;

		if (n > size - at)
			n = size - at;
		rc = wc_reducer_feed(&r, data + at, n, &sink);
		at += n;
	}
	if (rc == WC_OK)
		rc = wc_reducer_finish(&r, &sink);
	/* Once failed, it stays failed. */
	if (rc != WC_OK)
		FUZZ_ASSERT(wc_reducer_feed(&r, "a\t1\n", 4, &sink) == rc &&
			    wc_reducer_finish(&r, &sink) == rc);
	p->rc = rc;
	memcpy(p->msg, r.msg, sizeof(p->msg));
	wc_reducer_release(&r);
}

/* The counts of the lines of data, each line's digits after its first
 * tab, added modulo 2^64; and its lines. */
static uint64_t counts_in(const uint8_t *data, size_t size, uint64_t *lines)
{
	uint64_t sum = 0, v = 0;
	int after_tab = 0;

	*lines = 0;
	for (size_t i = 0; i < size; i++) {
		if (data[i] == '\n') {
			sum += v;
			v = 0;
			after_tab = 0;
			++*lines;
		} else if (after_tab) {
			v = v * 10 + (uint64_t)(data[i] - '0');
		} else if (data[i] == '\t') {
			after_tab = 1;
		}
	}
	*lines += size && data[size - 1] != '\n';
	return sum + v;
}

static void check_output(const struct buf *out, uint64_t want_sum)
{
	const char *p = out->p, *end = out->p ? out->p + out->len : NULL;
	const char *prev = NULL;
	size_t prev_len = 0;
	uint64_t sum = 0;

	FUZZ_ASSERT(out->len == 0 || end[-1] == '\n');
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *tab;
		uint64_t v = 0;

		FUZZ_ASSERT(nl != NULL);
		/* A key ends at its line's first tab: it holds no tab. */
		tab = memchr(p, '\t', (size_t)(nl - p));
		FUZZ_ASSERT(tab != NULL && tab + 1 < nl);
		for (const char *q = tab + 1; q < nl; q++) {
			FUZZ_ASSERT(*q >= '0' && *q <= '9');
			v = v * 10 + (uint64_t)(*q - '0');
		}
		FUZZ_ASSERT(!prev || prev_len != (size_t)(tab - p) ||
			    memcmp(prev, p, prev_len) != 0);
		prev = p;
		prev_len = (size_t)(tab - p);
		sum += v;
		p = nl + 1;
	}
	FUZZ_ASSERT(sum == want_sum);
}

static void check_message(const char *msg, uint64_t lines)
{
	char *end;
	unsigned long long n;

	FUZZ_ASSERT(strncmp(msg, "reducer: line ", 14) == 0);
	n = strtoull(msg + 14, &end, 10);
	FUZZ_ASSERT(n >= 1 && n <= lines && *end == ':');
	for (const unsigned char *c = (const unsigned char *)msg; *c; c++)
		FUZZ_ASSERT(*c >= 0x20 && *c != 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pass whole, cut;
	uint64_t lines, sum;

	if (size > (64u << 10))
		return 0;
	reduce(data, size, 0, &whole);
	reduce(data, size, 1, &cut);
	FUZZ_ASSERT(whole.rc == cut.rc);
	FUZZ_ASSERT(whole.out.len == cut.out.len &&
		    (whole.out.len == 0 ||
		     memcmp(whole.out.p, cut.out.p, whole.out.len) == 0));
	FUZZ_ASSERT(strcmp(whole.msg, cut.msg) == 0);
	FUZZ_ASSERT(whole.rc == WC_OK || whole.rc == WC_BAD_INPUT);
	sum = counts_in(data, size, &lines);
	if (whole.rc == WC_OK)
		check_output(&whole.out, sum);
	else
		check_message(whole.msg, lines);
	free(whole.out.p);
	free(cut.out.p);
	return 0;
}
