/*
 * pipeline.h - exercise 07: a JSON Lines pipeline: read lazily, filter,
 * batch, process the batches in parallel.
 */
#ifndef PIPELINE_H
#define PIPELINE_H

#include <stddef.h>
#include <stdint.h>

/* The most workers run_pipeline accepts. */
#define PIPELINE_MAX_WORKERS 16

/* What one run found. The counts do not depend on the worker count. */
struct pipeline_stats {
	uint64_t lines;      /* lines in the file, malformed ones included */
	uint64_t malformed;  /* lines skipped as malformed (see below) */
	uint64_t kept;       /* events whose event_type equals the type asked */
	uint64_t batches;    /* batches processed */
	uint64_t last_batch; /* events in the last batch; 0 when none */
	uint64_t checksum;   /* sum of pipeline_mix(event_id), kept events */
	uint64_t quantity;   /* sum of payload.items[].qty, kept events */
};

/* A kept event's contribution to the checksum (sums wrap mod 2^64). */
static inline uint64_t pipeline_mix(int64_t event_id)
{
	uint64_t z = (uint64_t)event_id + 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/*
 * Runs the pipeline on the JSON Lines file at path:
 *
 * read     line by line, never the whole file at once (it may be larger
 *          than memory). Lines end with '\n'; a last line without one
 *          counts too; an empty file has no lines.
 * parse    each line as one JSON text (nothing but whitespace after it).
 *          A line is malformed, counted and skipped, unless it is a JSON
 *          object with an integer "event_id" (a JSON number without a
 *          fraction or exponent) and a string "event_type" at its top
 *          level. Blank lines are malformed.
 * filter   keep the events whose event_type, decoded ("cl\u0069ck" is
 *          "click"), equals type byte for byte.
 * batch    group the kept events, in file order, into batches of `batch`
 *          events; the last batch holds what is left (1 to batch events)
 *          and is processed exactly once, like every other.
 * process  the batches on `workers` threads, in parallel: each adds, for
 *          each of its events, pipeline_mix(event_id) to the checksum and
 *          the "qty" of each element of the array "items" of the object
 *          "payload" to the quantity (only integer qty count; a missing
 *          payload, items or qty, or one of another type, adds 0).
 *
 * Fills *st and returns 0. Returns -1 when path, type or st is NULL,
 * batch is 0, workers is not within 1 to PIPELINE_MAX_WORKERS, or the file
 * cannot be opened or read (then *st is not meaningful).
 */
int run_pipeline(const char *path, const char *type, size_t batch, int workers,
		 struct pipeline_stats *st);

#endif
