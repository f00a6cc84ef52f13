/*
 * wordcount_stream.h - the Hadoop Streaming mapper and reducer of `bench
 * wordcount` as functions over bytes, so that the command (standard input
 * to standard output) and the fuzz targets run the same code.
 *
 * Input arrives in pieces of any size, cut anywhere (a read's worth, or a
 * fuzzer's input split at random): a word or a line cut by the end of one
 * piece goes on in the next, and the output never depends on where the
 * cuts fall. Output goes to a sink. An error leaves its message, one line
 * of printable text, in the reducer's state.
 *
 * Bytes are bytes. The mapper splits words as the workload does
 * (wordcount.h): a NUL, a CR or any other byte that is not an ASCII letter
 * ends a word. The reducer's key is every byte before its line's first
 * tab, NULs included, compared and printed whole; its count is one or
 * more ASCII digits and nothing else up to the newline, below 2^64. A
 * line ending in CRLF is refused as such, and input echoed in a message
 * has its control bytes escaped (\r, \0, \x1b), so that a message can
 * neither hide what was wrong nor drive the terminal.
 */
#ifndef BENCH_CLI_WORDCOUNT_STREAM_H
#define BENCH_CLI_WORDCOUNT_STREAM_H

#include <stddef.h>
#include <stdint.h>

/* Where output goes: write() returns 0, or -1 with errno set. */
struct wc_sink {
	int (*write)(void *ud, const void *data, size_t len);
	void *ud;
};

/* What the feed and finish functions return. */
enum wc_status {
	WC_OK = 0,
	WC_BAD_INPUT = -1, /* the reducer's msg says which line and why */
	WC_WRITE = -2,     /* the sink failed (errno is its) */
	WC_NOMEM = -3,     /* out of memory */
};

/* Longest message, with its NUL. */
#define WC_MSG_MAX 512

/* The mapper: "word\t1\n" for every word, lowercased. Zero it, or
 * wc_mapper_init(), before the first feed. */
struct wc_mapper {
	char *word;  /* the word being read, lowercased, then "\t1\n" */
	size_t len;  /* bytes of the word so far; 0: between words */
	size_t cap;  /* bytes allocated at word */
};

void wc_mapper_init(struct wc_mapper *m);

/* Maps len more bytes of input (data may be NULL when len is 0). Returns
 * WC_OK, WC_WRITE or WC_NOMEM; after an error the mapper is only fit for
 * wc_mapper_release(). */
int wc_mapper_feed(struct wc_mapper *m, const void *data, size_t len,
		   const struct wc_sink *out);

/* The end of the input: emits a word that ran up to it. */
int wc_mapper_finish(struct wc_mapper *m, const struct wc_sink *out);

/* Frees what the mapper holds; it may be initialised again. */
void wc_mapper_release(struct wc_mapper *m);

/*
 * The reducer: lines of KEY<tab>COUNT in, a run of lines with equal keys
 * out as one line KEY<tab>SUM (the framework, here sort, brings equal
 * keys together). Zero it, or wc_reducer_init(), before the first feed.
 */
struct wc_reducer {
	char *line;          /* a line cut by the end of a feed */
	size_t line_len, line_cap;
	char *key;           /* the key of the current run */
	size_t key_len, key_cap;
	int have;            /* a run is open: key and sum hold it */
	uint64_t sum;        /* the run's counts so far */
	uint64_t lineno;     /* lines read, the current one included */
	int status;          /* the first error; sticky */
	char msg[WC_MSG_MAX]; /* why, when status is WC_BAD_INPUT or
				 WC_NOMEM: "reducer: line 3: ..." */
};

void wc_reducer_init(struct wc_reducer *r);

/* Reduces len more bytes of input. Returns WC_OK or an error (see
 * enum wc_status); once failed, every later call returns the same error
 * and does nothing. */
int wc_reducer_feed(struct wc_reducer *r, const void *data, size_t len,
		    const struct wc_sink *out);

/* The end of the input: a last line without its newline, then the last
 * run. */
int wc_reducer_finish(struct wc_reducer *r, const struct wc_sink *out);

void wc_reducer_release(struct wc_reducer *r);

/*
 * Writes at most max bytes of data into buf (cap bytes, NUL-terminated)
 * as printable text (escape.h's esc_bytes() with ESC_BACKSLASH): a
 * backslash and control characters are escaped (\\, \t, \n, \r, \0,
 * \xNN, a C1 control as \u0085), as is any byte that is not part of valid
 * UTF-8; "..." ends text cut short, by max or by cap. Returns buf.
 */
char *wc_escape(char *buf, size_t cap, const void *data, size_t len,
		size_t max);

#endif
