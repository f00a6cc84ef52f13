/*
 * gen.h - generated input: JSON Lines events and word text, line by line.
 */
#ifndef BENCH_GEN_H
#define BENCH_GEN_H

#include <stddef.h>
#include <stdint.h>

/* More than any generated line, newline included, bytes. */
#define BENCH__GEN_LINE_MAX 4096u

/*
 * Writes line i of the events (one JSON object and '\n') or of the text
 * (10 to 15 words and '\n') generated from seed into line, which holds at
 * least BENCH__GEN_LINE_MAX bytes; returns its length. Thread-safe.
 */
size_t bench__gen_event(uint64_t seed, uint64_t i, char *line);
size_t bench__gen_text_line(uint64_t seed, uint64_t i, char *line);

#endif
