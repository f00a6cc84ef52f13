/*
 * wordcount.h - what the wordcount workload and the Hadoop Streaming
 * mapper share: what a word is.
 *
 * A word is a run of ASCII letters, lowercased; every other byte (digits,
 * punctuation, UTF-8 sequences) separates words, as `tr -cs A-Za-z '\n'`
 * does in the C locale.
 */
#ifndef BENCH_WORDCOUNT_H
#define BENCH_WORDCOUNT_H

#include <stddef.h>
#include <stdint.h>

/* The lowercase of a letter byte, 0 for any other byte. */
extern const unsigned char bench__wc_lower[256];

/*
 * The next word of [*p, end): 1 with *word and *len set (the word's bytes
 * in the text, any case) and *p past it, or 0 when only separators are
 * left. A word that touches `end` may go on in the following bytes.
 */
static inline int bench__wc_next(const unsigned char **p,
				 const unsigned char *end,
				 const unsigned char **word, size_t *len)
{
	const unsigned char *q = *p;

	while (q < end && !bench__wc_lower[*q])
		q++;
	if (q == end) {
		*p = q;
		return 0;
	}
	*word = q;
	while (q < end && bench__wc_lower[*q])
		q++;
	*len = (size_t)(q - *word);
	*p = q;
	return 1;
}

#endif
