/*
 * fuzz_mapper.c - `bench wordcount mapper` (Hadoop Streaming's map side)
 * over any bytes, through the code the command runs
 * (bench/cli/wordcount_stream.c), and its output through the reducer.
 *
 * The input is the mapper's standard input. It is mapped in one piece
 * and in pieces of 1 to 16 bytes whose sizes come from the input, and
 * both outputs must be the same bytes. Every output line is a lowercase
 * ASCII word, a tab and 1; the words, joined, are the input's letters,
 * lowercased, in order; and there are as many lines as the input has
 * words, counted here independently (a letter that follows no letter
 * starts a word). The mapper's output then goes, unsorted, through the
 * reducer, which must accept it and count every word.
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

static int is_letter(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Maps data in pieces of 1 to 16 bytes (cuts) or in one piece. */
static void map(const uint8_t *data, size_t size, int cuts, struct buf *out)
{
	struct wc_sink sink = { to_buf, out };
	struct wc_mapper m;
	size_t at = 0, k = 0;

	memset(out, 0, sizeof(*out));
	wc_mapper_init(&m);
	while (at < size) {
		size_t n = cuts ? 1 + data[k++ % size] % 16 : size;

		if (n > size - at)
			n = size - at;
		FUZZ_ASSERT(wc_mapper_feed(&m, data + at, n, &sink) == WC_OK);
		at += n;
	}
	FUZZ_ASSERT(wc_mapper_finish(&m, &sink) == WC_OK);
	wc_mapper_release(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf whole, cut, red = { 0 };
	struct wc_sink sink = { to_buf, &red };
	struct wc_reducer r;
	uint64_t words = 0, total = 0;
	size_t li = 0; /* letters of the input matched so far */
	const char *p, *end;

	if (size > (64u << 10))
		return 0;
	map(data, size, 0, &whole);
	map(data, size, 1, &cut);
	FUZZ_ASSERT(whole.len == cut.len &&
		    (whole.len == 0 || memcmp(whole.p, cut.p, whole.len) == 0));

	for (size_t i = 0; i < size; i++)
		words += is_letter(data[i]) && (i == 0 || !is_letter(data[i - 1]));
	p = whole.p;
	end = whole.p ? whole.p + whole.len : NULL;
	for (uint64_t n = 0; n < words; n++) {
		const char *w = p;

		while (p < end && *p >= 'a' && *p <= 'z')
			p++;
		FUZZ_ASSERT(p > w && end - p >= 3 && memcmp(p, "\t1\n", 3) == 0);
		while (li < size && !is_letter(data[li]))
			li++;
		/* The word is a whole run of letters of the input. */
		FUZZ_ASSERT(li == 0 || !is_letter(data[li - 1]));
		for (; w < p; w++, li++)
			FUZZ_ASSERT(li < size && (data[li] | 0x20) == *w);
		FUZZ_ASSERT(li == size || !is_letter(data[li]));
		p += 3;
	}
	FUZZ_ASSERT(p == end);
	while (li < size)
		FUZZ_ASSERT(!is_letter(data[li++]));

	/* Unsorted, equal words may not be adjacent: the reducer sums each
	 * run, and the runs add up to every word. */
	wc_reducer_init(&r);
	FUZZ_ASSERT(wc_reducer_feed(&r, whole.p, whole.len, &sink) == WC_OK);
	FUZZ_ASSERT(wc_reducer_finish(&r, &sink) == WC_OK);
	wc_reducer_release(&r);
	for (p = red.p, end = red.p ? red.p + red.len : NULL; p < end;) {
		const char *tab = memchr(p, '\t', (size_t)(end - p));
		uint64_t v = 0;

		FUZZ_ASSERT(tab != NULL);
		for (p = tab + 1; p < end && *p != '\n'; p++)
			v = v * 10 + (uint64_t)(*p - '0');
		FUZZ_ASSERT(p < end);
		p++;
		total += v;
	}
	FUZZ_ASSERT(total == words);
	free(whole.p);
	free(cut.p);
	free(red.p);
	return 0;
}
