/*
 * fuzz_jsonl.c - JSON Lines through the events workload's parser
 * (workloads/jsonl.cc, simdjson), as a worker parses a batch in place: the
 * lines, then zero padding, as the executors lay a batch out.
 *
 * The input is parsed twice: as one line (bench__jsonl_event), and as a
 * batch of the lines it holds (bench__jsonl_lines, which reads many lines
 * at a time). Besides what the sanitizers catch, a line the parser
 * accepts must be one Jansson reads too (bench's other JSON parser), with
 * the same event_type, the last one when the key is repeated (jsonl.h's
 * contract); Jansson only lacks integers past 2^63 and nesting past its
 * own depth and NUL in keys, which the check leaves out. And the batch
 * must give every line exactly what a parse of that line alone gives it.
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

/* A line's fate, as the batch or a parse alone gives it: the status, and
 * for a good event a copy of both fields. */
struct fate {
	int status;
	char *type, *id;
	size_t type_len, id_len;
};

struct fates {
	struct fate *f;
	size_t n, cap;
};

static char *copy(const char *p, size_t n)
{
	char *c = malloc(n + 1);

	FUZZ_ASSERT(c != NULL);
	memcpy(c, p, n);
	c[n] = '\0';
	return c;
}

static int fate_event(void *ud, const struct bench__jsonl_event *ev)
{
	struct fates *fs = ud;
	struct fate *f;

	FUZZ_ASSERT(fs->n < fs->cap);
	f = &fs->f[fs->n++];
	f->status = BENCH__JSONL_OK;
	f->type = copy(ev->type, ev->type_len);
	f->type_len = ev->type_len;
	f->id = copy(ev->id, ev->id_len);
	f->id_len = ev->id_len;
	return 0;
}

static int fate_bad(void *ud, int status)
{
	struct fates *fs = ud;

	FUZZ_ASSERT(fs->n < fs->cap);
	FUZZ_ASSERT(status != BENCH__JSONL_OK);
	fs->f[fs->n++] = (struct fate){ .status = status };
	return 0;
}

static void fates_free(struct fates *fs)
{
	for (size_t i = 0; i < fs->n; i++) {
		free(fs->f[i].type);
		free(fs->f[i].id);
	}
	free(fs->f);
}

/* The input as a batch of lines: each line's fate in the batch is the one
 * it has alone. */
static void batch_as_lines(const char *buf, size_t size)
{
	struct fates alone = { 0 }, batch = { 0 };
	struct bench__jsonl_sink sink = { fate_event, fate_bad, &batch };
	size_t lines = 0;

	for (size_t i = 0; i < size; i++)
		lines += buf[i] == '\n';
	lines += size && buf[size - 1] != '\n';
	alone.cap = batch.cap = lines;
	alone.f = calloc(lines + 1, sizeof(struct fate));
	batch.f = calloc(lines + 1, sizeof(struct fate));
	FUZZ_ASSERT(alone.f && batch.f);
	for (const char *l = buf; l < buf + size;) {
		const char *nl = memchr(l, '\n', (size_t)(buf + size - l));
		size_t n = nl ? (size_t)(nl - l) : (size_t)(buf + size - l);
		struct bench__jsonl_event ev;
		int st = bench__jsonl_event(parser, l, n, &ev);

		if (st == BENCH__JSONL_OK)
			fate_event(&alone, &ev);
		else
			fate_bad(&alone, st);
		l += n + 1;
	}
	FUZZ_ASSERT(alone.n == lines);
	FUZZ_ASSERT(bench__jsonl_lines(parser, buf, size, lines, &sink, NULL) == 0);
	FUZZ_ASSERT(batch.n == lines);
	for (size_t i = 0; i < lines; i++) {
		const struct fate *a = &alone.f[i], *b = &batch.f[i];

		FUZZ_ASSERT(a->status == b->status);
		if (a->status != BENCH__JSONL_OK)
			continue;
		FUZZ_ASSERT(a->type_len == b->type_len &&
			    memcmp(a->type, b->type, a->type_len) == 0);
		FUZZ_ASSERT(a->id_len == b->id_len &&
			    memcmp(a->id, b->id, a->id_len) == 0);
	}
	fates_free(&alone);
	fates_free(&batch);
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
	batch_as_lines(line, size);
	free(line);
	return 0;
}
