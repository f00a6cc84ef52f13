/*
 * fuzz_jsonl.c - one JSON Lines event line through the events workload's
 * parser (workloads/jsonl.cc, simdjson), as a worker parses it in place:
 * the line, then zero padding, as the executors lay a batch out.
 *
 * Besides what the sanitizers catch, a line the parser accepts must be
 * one Jansson reads too (bench's other JSON parser), with the same
 * event_type, the last one when the key is repeated (jsonl.h's
 * contract); Jansson only lacks integers past 2^63 and nesting past its
 * own depth and NUL in keys, which the check leaves out.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz.h"
#include "workloads/jsonl.h"

static struct bench__jsonl *parser;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	parser = bench__jsonl_new();
	return 0;
}

/* The same event_type as Jansson reads it, or Jansson cannot say. */
static void same_as_jansson(const char *line, size_t len,
			    const struct bench__jsonl_event *ev)
{
	json_error_t jerr;
	json_t *doc = json_loadb(line, len, JSON_ALLOW_NUL, &jerr), *type;

	if (!doc) {
		enum json_error_code code = json_error_code(&jerr);

		/* An integer in [2^63, 2^64) is fine JSON that Jansson's
		 * json_int_t cannot hold; a NUL in a key (\u0000) is valid
		 * JSON Jansson does not support; its depth limit is its own. */
		FUZZ_ASSERT(code == json_error_numeric_overflow ||
			    code == json_error_null_byte_in_key ||
			    code == json_error_stack_overflow);
		return;
	}
	type = json_object_get(doc, "event_type");
	FUZZ_ASSERT(json_is_string(type));
	FUZZ_ASSERT(json_string_length(type) == ev->type_len);
	FUZZ_ASSERT(memcmp(json_string_value(type), ev->type, ev->type_len) == 0);
	json_decref(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bench__jsonl_event ev;
	char *line;
	int st;

	if (!parser || size > (1u << 20))
		return 0;
	line = malloc(size + BENCH__JSONL_PADDING);
	if (!line)
		return 0;
	memcpy(line, data, size);
	memset(line + size, 0, BENCH__JSONL_PADDING);
	st = bench__jsonl_event(parser, line, size, &ev);
	FUZZ_ASSERT(st >= 0 && st < BENCH__JSONL_STATUS_COUNT);
	FUZZ_ASSERT(st != BENCH__JSONL_TOO_LONG);
	FUZZ_ASSERT(strcmp(bench__jsonl_reason(st), "unknown") != 0);
	if (st == BENCH__JSONL_OK) {
		volatile unsigned sum = 0;

		/* Both views must be readable to their end. */
		FUZZ_ASSERT(ev.type != NULL && ev.id != NULL);
		for (size_t i = 0; i < ev.type_len; i++)
			sum += (unsigned char)ev.type[i];
		for (size_t i = 0; i < ev.id_len; i++)
			sum += (unsigned char)ev.id[i];
		(void)sum;
		same_as_jansson(line, size, &ev);
	}
	free(line);
	return 0;
}
