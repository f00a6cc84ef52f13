/*
 * jsonl.cc - JSON Lines events parsed with simdjson's DOM parser.
 *
 * Why simdjson and not Jansson, which bench uses for its own documents:
 * the events workload parses every line of files of gigabytes, and
 * parsing is nearly all of its work. On generated events (270 bytes a
 * line) Jansson's json_loadb parsed 56 MB/s here, about 1.35x jq; the
 * simdjson DOM parser parsed about 700 MB/s with the same checks (every
 * value validated, UTF-8 included), so two workers can reach several times
 * jq's rate. The DOM parser (rather than simdjson's on-demand API, which
 * only validates what it visits) keeps "malformed" meaning malformed
 * anywhere on the line.
 *
 * No exception crosses into C: simdjson's error-code API throws none, and
 * the one allocation that may (minifying an unusual event_id) is caught.
 */
#include <charconv>
#include <cstring>
#include <new>
#include <string>

#include <jansson.h>
#include <simdjson.h>

#include "jsonl.h"

static_assert(BENCH__JSONL_PADDING >= simdjson::SIMDJSON_PADDING,
	      "lines must carry simdjson's padding");

struct bench__jsonl {
	simdjson::dom::parser parser;
	char num[24];         /* an integer event_id as text */
	std::string id_text;  /* any other event_id, minified */
};

extern "C" struct bench__jsonl *bench__jsonl_new(void)
{
	return new (std::nothrow) bench__jsonl();
}

extern "C" void bench__jsonl_free(struct bench__jsonl *p)
{
	delete p;
}

static int status_of(simdjson::error_code e)
{
	switch (e) {
	case simdjson::SUCCESS:
		return BENCH__JSONL_OK;
	case simdjson::EMPTY:
		return BENCH__JSONL_BLANK;
	case simdjson::UTF8_ERROR:
		return BENCH__JSONL_UTF8;
	case simdjson::MEMALLOC:
		return BENCH__JSONL_NOMEM;
	case simdjson::DEPTH_ERROR:
		return BENCH__JSONL_DEPTH;
	default:
		return BENCH__JSONL_MALFORMED;
	}
}

/* An integer event_id as its decimal text. */
template <typename T>
static int decimal(bench__jsonl *p, T v, struct bench__jsonl_event *ev)
{
	auto r = std::to_chars(p->num, p->num + sizeof(p->num), v);

	ev->id = p->num;
	ev->id_len = (size_t)(r.ptr - p->num);
	return BENCH__JSONL_OK;
}

static int id_text(bench__jsonl *p, simdjson::dom::element id,
		   struct bench__jsonl_event *ev)
{
	switch (id.type()) {
	case simdjson::dom::element_type::STRING: {
		std::string_view s = id.get_string().value_unsafe();

		ev->id = s.data();
		ev->id_len = s.size();
		return BENCH__JSONL_OK;
	}
	case simdjson::dom::element_type::INT64:
		return decimal(p, id.get_int64().value_unsafe(), ev);
	case simdjson::dom::element_type::UINT64:
		return decimal(p, id.get_uint64().value_unsafe(), ev);
	default:
		try {
			p->id_text = simdjson::minify(id);
		} catch (const std::bad_alloc &) {
			return BENCH__JSONL_NOMEM;
		}
		ev->id = p->id_text.data();
		ev->id_len = p->id_text.size();
		return BENCH__JSONL_OK;
	}
}

extern "C" int bench__jsonl_event(struct bench__jsonl *p, const char *line,
				  size_t len, struct bench__jsonl_event *ev)
{
	simdjson::dom::element doc, type, id;
	simdjson::dom::object obj;
	bool have_type = false, have_id = false;
	int rc;

	std::memset(ev, 0, sizeof(*ev));
	ev->id = "";
	/* realloc_if_needed = false: the caller guarantees the padding. */
	auto e = p->parser.parse(line, len, false).get(doc);
	rc = status_of(e);
	/*
	 * simdjson says NUMBER_ERROR both for a malformed number and for a
	 * well-formed one past 64 bits (1e400, 2^64), which jq accepts; the
	 * events cannot be told apart here, but the reason can: Jansson's
	 * parser names numeric overflow separately.
	 */
	if (e == simdjson::NUMBER_ERROR) {
		json_error_t jerr;
		json_t *j = json_loadb(line, len, JSON_DECODE_ANY, &jerr);

		if (!j && json_error_code(&jerr) == json_error_numeric_overflow)
			rc = BENCH__JSONL_RANGE;
		json_decref(j);
	}
	if (rc != BENCH__JSONL_OK)
		return rc;
	if (doc.get_object().get(obj) != simdjson::SUCCESS)
		return BENCH__JSONL_NOT_OBJECT;
	/* Every field, so that a repeated key counts by its last value. */
	for (simdjson::dom::key_value_pair kv : obj) {
		if (kv.key == "event_type") {
			type = kv.value;
			have_type = true;
		} else if (kv.key == "event_id") {
			id = kv.value;
			have_id = true;
		}
	}
	if (!have_type)
		return BENCH__JSONL_NO_TYPE;
	if (!type.is_string())
		return BENCH__JSONL_TYPE_NOT_STRING;
	{
		std::string_view t = type.get_string().value_unsafe();

		ev->type = t.data();
		ev->type_len = t.size();
	}
	return have_id ? id_text(p, id, ev) : BENCH__JSONL_OK;
}

extern "C" const char *bench__jsonl_reason(int status)
{
	switch (status) {
	case BENCH__JSONL_OK: return "ok";
	case BENCH__JSONL_BLANK: return "blank line";
	case BENCH__JSONL_MALFORMED: return "malformed JSON";
	case BENCH__JSONL_UTF8: return "invalid UTF-8";
	case BENCH__JSONL_NOT_OBJECT: return "not a JSON object";
	case BENCH__JSONL_NO_TYPE: return "no event_type";
	case BENCH__JSONL_TYPE_NOT_STRING: return "event_type is not a string";
	case BENCH__JSONL_RANGE: return "number beyond 64 bits";
	case BENCH__JSONL_DEPTH: return "nested deeper than 1024 levels";
	case BENCH__JSONL_TOO_LONG: return "line longer than 1 MiB";
	case BENCH__JSONL_NOMEM: return "out of memory";
	}
	return "unknown";
}
