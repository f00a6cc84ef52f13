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

/* The windows of bench__jsonl_lines: bytes and lines at most (why: at
 * windows() below). */
#define WINDOW (64u << 10)
#define WINDOW_LINES 1024

struct bench__jsonl {
	simdjson::dom::parser parser;
	size_t nl[WINDOW_LINES]; /* a window's newlines, as offsets */
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

/* The event in a parsed document: its top-level event_type and event_id. */
static int event_of(bench__jsonl *p, simdjson::dom::element doc,
		    struct bench__jsonl_event *ev)
{
	simdjson::dom::element type, id;
	simdjson::dom::object obj;
	bool have_type = false, have_id = false;

	std::memset(ev, 0, sizeof(*ev));
	ev->id = "";
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

extern "C" int bench__jsonl_event(struct bench__jsonl *p, const char *line,
				  size_t len, struct bench__jsonl_event *ev)
{
	simdjson::dom::element doc;
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
	return event_of(p, doc, ev);
}

static bool blank(const char *p, const char *end)
{
	for (; p < end; p++)
		if (*p != ' ' && *p != '\t' && *p != '\r')
			return false;
	return true;
}

/* How far windows() went. */
struct progress {
	size_t used;    /* bytes of the lines taken, their newlines included */
	size_t alone;   /* lines from there on to parse alone (>= 1) */
	int rc;         /* the sink's non-zero return, which stopped it */
};

/*
 * Why lines go through simdjson's document stream (parse_many) in windows
 * of up to WINDOW bytes rather than one parse each: a parse has a fixed
 * cost (stage 1's setup, the tape's start and end) that lines of 270
 * bytes pay 750,000 times a file; a window pays it once for some 240
 * lines. Measured on generated events, both ways alternated in one
 * process, 9 rounds: 1.26x the rate of line-by-line parsing, the same
 * checks made. A window is small because a parser's buffers grow to the
 * largest window it parsed, several bytes for each of its bytes: with
 * 64 KiB a two-worker run's peak RSS stayed at 11.8 MB.
 *
 * The stream finds documents, not lines; a line is vouched for only when
 * it is whitespace, one object, whitespace, exactly: then simdjson parsed
 * the same bytes as a parse of the line alone would, and the result is
 * the same. Anything else stops the window at that line (a bad line, a
 * blank one, two values on a line, a value across lines, a scalar), and
 * the caller parses it alone, which gives its status and reason.
 *
 * windows() takes the leading good events of buf (len bytes of whole
 * lines, at most lines of them) window by window, each given to the
 * sink; it stops at the first line it cannot vouch for, which the caller
 * parses alone with the out->alone - 1 after it, or after the line for
 * which the sink returns non-zero. Returns the number of lines taken.
 */
static size_t windows(bench__jsonl *p, const char *buf, size_t len,
		      size_t lines, const struct bench__jsonl_sink *sink,
		      struct progress *out)
{
	size_t done = 0, off = 0;

	out->used = 0;
	out->alone = 1;
	out->rc = 0;
	while (done < lines && off < len) {
		size_t n = 0, start = off, taken = 0;
		simdjson::dom::document_stream stream;
		simdjson::error_code e;

		/* The window: whole lines, WINDOW bytes at most. */
		while (n < WINDOW_LINES && done + n < lines && off < len) {
			const char *nl = static_cast<const char *>(
				std::memchr(buf + off, '\n', len - off));
			size_t end = nl ? (size_t)(nl - buf) : len;

			if (end - start >= WINDOW)
				break;
			p->nl[n++] = end;
			off = end + 1;
		}
		if (n == 0)
			return done;  /* a line longer than a window */
		if (off > len)
			off = len;
		e = p->parser.parse_many(reinterpret_cast<const uint8_t *>(buf + start),
					 off - start, WINDOW).get(stream);
		if (e)
			return done;
		{
			auto it = stream.begin();
			const char *line = buf + start;

			for (; taken < n && it != stream.end(); ++it) {
				simdjson::dom::element doc;
				struct bench__jsonl_event ev;
				const char *nl = buf + p->nl[taken], *at, *last;

				if ((e = (*it).get(doc))) {
					/* Stage 1's errors (UTF-8, a string left
					 * open) come with the first document and
					 * may lie anywhere in the window: all of
					 * it goes line by line, not a line a try. */
					if (e == simdjson::UTF8_ERROR ||
					    e == simdjson::UNCLOSED_STRING ||
					    e == simdjson::UNESCAPED_CHARS ||
					    e == simdjson::CAPACITY)
						out->alone = n - taken;
					break;
				}
				at = buf + start + it.current_index();
				if (*at != '{')
					break;
				last = at + it.source().size();
				if (at < line || last > nl || !blank(line, at) ||
				    !blank(last, nl))
					break;
				if (event_of(p, doc, &ev) != BENCH__JSONL_OK)
					break;
				taken++;
				out->used = (size_t)(nl - buf) + (nl < buf + len);
				if ((out->rc = sink->event(sink->ud, &ev)) != 0)
					return done + taken;
				line = nl + 1;
			}
			/* No document left: the lines left hold none whole
			 * (blank, or a value left open at the end). */
			if (taken < n && !(it != stream.end()))
				out->alone = n - taken;
		}
		done += taken;
		if (taken < n)
			return done;
	}
	return done;
}

extern "C" int bench__jsonl_lines(struct bench__jsonl *p, const char *buf,
				  size_t len, size_t lines,
				  const struct bench__jsonl_sink *sink,
				  size_t *windowed)
{
	const char *end = buf + len;
	size_t streamed = 0;
	int rc = 0;

	while (rc == 0 && lines && buf < end) {
		struct progress pr;
		size_t n = windows(p, buf, (size_t)(end - buf), lines, sink, &pr);

		buf += pr.used;
		lines -= n;
		streamed += n;
		if ((rc = pr.rc))
			break;
		for (size_t k = 0; rc == 0 && k < pr.alone && lines && buf < end; k++) {
			const char *nl = static_cast<const char *>(
				std::memchr(buf, '\n', (size_t)(end - buf)));
			size_t n1 = nl ? (size_t)(nl - buf) : (size_t)(end - buf);
			struct bench__jsonl_event ev;
			int st = bench__jsonl_event(p, buf, n1, &ev);

			rc = st == BENCH__JSONL_OK ? sink->event(sink->ud, &ev)
						   : sink->bad(sink->ud, st);
			buf += n1 + (nl != nullptr);
			lines--;
		}
	}
	if (windowed)
		*windowed = streamed;
	return rc;
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
