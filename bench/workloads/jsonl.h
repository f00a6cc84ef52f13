/*
 * jsonl.h - one JSON Lines event, parsed and checked, for the events
 * workload. A thin C face over simdjson (jsonl.cc).
 */
#ifndef BENCH_JSONL_H
#define BENCH_JSONL_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes that must be readable (any value) after a line handed to
 * bench__jsonl_event: simdjson reads ahead in 64-byte blocks. */
#define BENCH__JSONL_PADDING 64

/* Why a line is not a usable event. */
enum bench__jsonl_status {
	BENCH__JSONL_OK,
	BENCH__JSONL_BLANK,       /* nothing but whitespace */
	BENCH__JSONL_MALFORMED,   /* not one JSON value */
	BENCH__JSONL_UTF8,        /* invalid UTF-8 */
	BENCH__JSONL_NOT_OBJECT,  /* valid JSON, but not an object */
	BENCH__JSONL_NO_TYPE,     /* no event_type */
	BENCH__JSONL_TYPE_NOT_STRING,
	BENCH__JSONL_RANGE,       /* valid JSON, a number beyond 64 bits */
	BENCH__JSONL_DEPTH,       /* valid JSON nested deeper than 1024 */
	BENCH__JSONL_TOO_LONG,    /* set by the reader, never by the parser */
	BENCH__JSONL_NOMEM,
	BENCH__JSONL_STATUS_COUNT
};

/* What the pipeline needs of an event. Both views point into memory of
 * the parser and stay valid until its next parse. */
struct bench__jsonl_event {
	const char *type;     /* event_type, unescaped UTF-8 */
	size_t type_len;
	const char *id;       /* event_id as text: an integer in decimal, a
				 string unescaped, anything else as minified
				 JSON; "" when absent */
	size_t id_len;
};

struct bench__jsonl;

/* A parser; use one per thread. NULL when out of memory. */
struct bench__jsonl *bench__jsonl_new(void);
void bench__jsonl_free(struct bench__jsonl *p);

/*
 * Parses line (len bytes, no newline; BENCH__JSONL_PADDING readable bytes
 * after it) as one JSON object, fully validated (syntax and UTF-8, every
 * value, not only the fields read), and finds its top-level event_type and
 * event_id. A key given twice counts by its last value, as in jq and
 * Python's json. Returns a bench__jsonl_status.
 */
int bench__jsonl_event(struct bench__jsonl *p, const char *line, size_t len,
		       struct bench__jsonl_event *ev);

/* Where bench__jsonl_lines sends each line: event() for a good event,
 * bad() with the bench__jsonl_status of a bad line; a non-zero return
 * stops the batch. */
struct bench__jsonl_sink {
	int (*event)(void *ud, const struct bench__jsonl_event *ev);
	int (*bad)(void *ud, int status);
	void *ud;
};

/*
 * Every line of a batch, in order, each to the sink exactly as
 * bench__jsonl_event finds it alone, but parsed many lines at a time,
 * which is much faster. buf holds len bytes of whole lines, each ended by
 * '\n' but the last, which may end at buf + len, and BENCH__JSONL_PADDING
 * readable bytes after them; at most lines lines are read. Returns 0, or
 * the sink's non-zero return. *windowed (if not NULL) is set to the lines
 * parsed many at a time; the others (bad lines, blank ones, lines longer
 * than 64 KiB) were parsed alone.
 */
int bench__jsonl_lines(struct bench__jsonl *p, const char *buf, size_t len,
		       size_t lines, const struct bench__jsonl_sink *sink,
		       size_t *windowed);

/* "malformed JSON", "invalid UTF-8", ... for a status. */
const char *bench__jsonl_reason(int status);

#ifdef __cplusplus
}
#endif

#endif
