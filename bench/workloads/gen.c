/*
 * gen.c - generated input for the course's pipelines: JSON Lines events
 * and word text (`bench gen`, and the events and wordcount workloads when
 * no --input is given).
 *
 * Line i is a pure function of (seed, i) through the counter-based
 * generator (bench__rng_item), so any slice of a file can be regenerated
 * on its own and equal seeds give equal bytes. Files of gigabytes must come
 * out at disk speed, so the JSON is written by hand (no printf, no JSON
 * library, no gmtime).
 */
#include <pthread.h>
#include <stddef.h>
#include <string.h>

#include "gen.h"
#include "lib/rng.h"

#define EPOCH_S 1704067200ull   /* 2024-01-01T00:00:00Z, Unix seconds */
#define STEP_MS 100u            /* event i falls in [i, i+1) x STEP_MS */

/* ---- appending to the block ---------------------------------------- */

struct buf {
	char *p;  /* next byte to write */
};

static void put(struct buf *b, const char *s, size_t n)
{
	memcpy(b->p, s, n);
	b->p += n;
}

#define PUT_LIT(b, lit) put((b), (lit), sizeof(lit) - 1)

static void put_str(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void put_u64(struct buf *b, uint64_t v)
{
	char tmp[20];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*b->p++ = tmp[--n];
}

/* v in exactly `width` digits, zero-padded (v < 10^width). */
static void put_padded(struct buf *b, uint64_t v, int width)
{
	for (int k = width - 1; k >= 0; k--) {
		b->p[k] = (char)('0' + v % 10);
		v /= 10;
	}
	b->p += width;
}

static void put_hex4(struct buf *b, unsigned v)
{
	static const char hex[] = "0123456789abcdef";

	PUT_LIT(b, "\\u");
	for (int shift = 12; shift >= 0; shift -= 4)
		*b->p++ = hex[(v >> shift) & 0xf];
}

/*
 * s as a JSON string with its quotes: ", \ and control characters
 * escaped (\n, \t and the short forms, else \u00XX). With ascii set, as
 * Python's json.dumps does by default, non-ASCII characters become \uXXXX
 * too (surrogate pairs above U+FFFF); s must then be valid UTF-8, which
 * every string of our tables is.
 */
static void put_json_str(struct buf *b, const char *s, int ascii)
{
	const unsigned char *u = (const unsigned char *)s;

	*b->p++ = '"';
	while (*u) {
		unsigned c = *u;

		if (c == '"' || c == '\\') {
			*b->p++ = '\\';
			*b->p++ = (char)c;
			u++;
		} else if (c < 0x20) {
			switch (c) {
			case '\n': PUT_LIT(b, "\\n"); break;
			case '\t': PUT_LIT(b, "\\t"); break;
			case '\r': PUT_LIT(b, "\\r"); break;
			case '\b': PUT_LIT(b, "\\b"); break;
			case '\f': PUT_LIT(b, "\\f"); break;
			default: put_hex4(b, c); break;
			}
			u++;
		} else if (c < 0x80 || !ascii) {
			*b->p++ = (char)c;
			u++;
		} else {
			unsigned cp, extra;

			if (c >= 0xf0) {
				cp = c & 0x07;
				extra = 3;
			} else if (c >= 0xe0) {
				cp = c & 0x0f;
				extra = 2;
			} else {
				cp = c & 0x1f;
				extra = 1;
			}
			for (u++; extra--; u++)
				cp = (cp << 6) | (*u & 0x3f);
			if (cp >= 0x10000) {
				cp -= 0x10000;
				put_hex4(b, 0xd800 + (cp >> 10));
				put_hex4(b, 0xdc00 + (cp & 0x3ff));
			} else {
				put_hex4(b, cp);
			}
		}
	}
	*b->p++ = '"';
}

/*
 * "2024-01-01T00:00:00.123Z" for ms after the Unix epoch. The date comes
 * from Howard Hinnant's civil_from_days: branch-light integer arithmetic,
 * many times faster than gmtime_r, exact for every proleptic Gregorian day.
 */
static void put_iso_ms(struct buf *b, uint64_t ms)
{
	uint64_t s = ms / 1000, days = s / 86400, sod = s % 86400;
	uint64_t z = days + 719468, era = z / 146097, doe = z % 146097;
	uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	uint64_t mp = (5 * doy + 2) / 153;
	uint64_t d = doy - (153 * mp + 2) / 5 + 1;
	uint64_t m = mp < 10 ? mp + 3 : mp - 9;
	uint64_t y = yoe + era * 400 + (m <= 2);

	*b->p++ = '"';
	put_padded(b, y, 4);
	*b->p++ = '-';
	put_padded(b, m, 2);
	*b->p++ = '-';
	put_padded(b, d, 2);
	*b->p++ = 'T';
	put_padded(b, sod / 3600, 2);
	*b->p++ = ':';
	put_padded(b, sod / 60 % 60, 2);
	*b->p++ = ':';
	put_padded(b, sod % 60, 2);
	*b->p++ = '.';
	put_padded(b, ms % 1000, 3);
	PUT_LIT(b, "Z\"");
}

#define COUNT(a) (sizeof(a) / sizeof(*(a)))

/* ---- events ---------------------------------------------------------- */

static const char *const pages[] = {
	"/", "/search", "/cart", "/checkout", "/account", "/help/returns",
	"/blog/how-we-ship", "/category/shoes", "/category/kitchen",
};

/* What users type: plain words, then quotes, backslashes, newlines,
 * tabs, a control character and non-ASCII text in several scripts. */
static const char *const notes[] = {
	"", "ok", "fast delivery", "gift for mom", "second try",
	"will order again", "size runs small", "no comment",
	"she said \"great\" twice", "the \"best\" mug",
	"saved to C:\\Users\\ana\\cart.txt", "regex \\d+ failed",
	"line one\nline two", "col1\tcol2\tcol3", "bell\x07ringing",
	"café au lait", "Ünïcödé everywhere", "日本から注文", "naïve résumé",
	"Привет, мир", "price in €, not $", "thumbs up 👍",
};

static const char *const oses[] = { "android", "ios", "windows", "macos", "linux" };

static const char *const campaigns[] = {
	"spring_sale", "newsletter-2024-03", "retarget \"lapsed\"", "black_friday",
	"partner/ü-mail",
};

/* click 60%, view 25%, purchase 10%, signup 5%. */
static const char *event_type(uint64_t pct)
{
	if (pct < 60)
		return "click";
	if (pct < 85)
		return "view";
	if (pct < 95)
		return "purchase";
	return "signup";
}

static void put_event(struct buf *b, uint64_t seed, uint64_t i)
{
	struct bench__rng r = bench__rng_item(seed, i);
	const char *type = event_type(bench__rng_range(&r, 0, 99));
	int purchase = type[0] == 'p';
	uint64_t nitems = bench__rng_range(&r, purchase ? 1 : 0, purchase ? 4 : 2);
	/* One line in 8 is written the way json.dumps(ensure_ascii=True) does. */
	int ascii = bench__rng_range(&r, 0, 7) == 0;

	PUT_LIT(b, "{\"event_id\": ");
	put_u64(b, i);
	PUT_LIT(b, ", \"user_id\": ");
	/* Squaring a uniform draw skews activity toward low ids: a few
	 * heavy users, a long tail, as in real logs. */
	{
		uint64_t u = bench__rng_range(&r, 0, 999);

		put_u64(b, 1 + u * u / 10 + bench__rng_range(&r, 0, 99));
	}
	PUT_LIT(b, ", \"event_type\": \"");
	put_str(b, type);
	PUT_LIT(b, "\", \"ts\": ");
	put_iso_ms(b, EPOCH_S * 1000 + i * STEP_MS +
			      bench__rng_range(&r, 0, STEP_MS - 1));
	PUT_LIT(b, ", \"payload\": {\"page\": ");
	{
		uint64_t k = bench__rng_range(&r, 0, COUNT(pages));

		if (k == COUNT(pages)) {
			PUT_LIT(b, "\"/product/");
			put_u64(b, bench__rng_range(&r, 1, 50000));
			*b->p++ = '"';
		} else {
			put_json_str(b, pages[k], 0);
		}
	}
	PUT_LIT(b, ", \"items\": [");
	for (uint64_t k = 0; k < nitems; k++) {
		uint64_t cents = bench__rng_range(&r, 99, 49999);

		if (k)
			PUT_LIT(b, ", ");
		PUT_LIT(b, "{\"sku\": \"SKU-");
		put_padded(b, bench__rng_range(&r, 0, 99999), 5);
		PUT_LIT(b, "\", \"price\": ");
		put_u64(b, cents / 100);
		*b->p++ = '.';
		put_padded(b, cents % 100, 2);
		PUT_LIT(b, ", \"qty\": ");
		put_u64(b, bench__rng_range(&r, 1, 3));
		*b->p++ = '}';
	}
	PUT_LIT(b, "], \"device\": {\"os\": \"");
	put_str(b, oses[bench__rng_range(&r, 0, COUNT(oses) - 1)]);
	PUT_LIT(b, "\", \"mobile\": ");
	if (bench__rng_range(&r, 0, 1))
		PUT_LIT(b, "true");
	else
		PUT_LIT(b, "false");
	PUT_LIT(b, "}, \"note\": ");
	put_json_str(b, notes[bench__rng_range(&r, 0, COUNT(notes) - 1)], ascii);
	*b->p++ = '}';
	/* About one line in 20 carries a field the others lack. */
	if (bench__rng_range(&r, 0, 19) == 0) {
		PUT_LIT(b, ", \"campaign\": ");
		put_json_str(b, campaigns[bench__rng_range(&r, 0,
							   COUNT(campaigns) - 1)],
			     ascii);
	}
	PUT_LIT(b, "}\n");
}

/* ---- text ------------------------------------------------------------ */

/* Most frequent first: rank k is drawn with weight 1/k (Zipf, s = 1). */
static const char *const words[] = {
	"the", "of", "and", "to", "a", "in", "is", "it", "that", "was",
	"for", "on", "are", "with", "as", "he", "be", "at", "by", "this",
	"had", "not", "but", "from", "or", "have", "an", "they", "which", "one",
	"you", "were", "her", "all", "she", "there", "would", "their", "we", "him",
	"been", "has", "when", "who", "will", "more", "no", "if", "out", "so",
	"said", "what", "up", "its", "about", "into", "than", "them", "can", "only",
	"other", "new", "some", "could", "time", "these", "two", "may", "then", "do",
	"first", "any", "my", "now", "such", "like", "our", "over", "man", "me",
	"even", "most", "made", "after", "also", "did", "many", "before", "must", "through",
	"back", "years", "where", "much", "your", "way", "well", "down", "should", "because",
	"each", "just", "those", "people", "how", "too", "little", "state", "good", "very",
	"make", "world", "still", "own", "see", "men", "work", "long", "get", "here",
	"between", "both", "life", "being", "under", "never", "day", "same", "another", "know",
	"while", "last", "might", "us", "great", "old", "year", "off", "come", "since",
	"against", "go", "came", "right", "used", "take", "three", "data", "file", "line",
	"parallel", "process", "thread", "worker", "queue", "batch", "event", "stream", "memory", "disk",
	"python", "spark", "pipeline", "generator", "lazy", "filter", "group", "merge", "result", "error",
	"river", "mountain", "window", "garden", "letter", "morning", "evening", "silver", "winter", "summer",
	"quickly", "slowly", "quietly", "bright", "dark", "heavy", "gentle", "ancient", "modern", "strange",
	"café", "naïve", "résumé", "façade", "jalapeño", "über", "smörgåsbord", "crème", "fiancée", "déjà",
};

/*
 * Word of each 16-bit draw: rank k owns a share of the 65536 slots
 * proportional to 1/k (Zipf, s = 1), so drawing a word is one table
 * look-up instead of a search with unpredictable branches. The rarest
 * word still gets about 55 slots, so rounding skews nothing visible.
 */
static uint8_t word_of[1u << 16];

static void word_table_init(void)
{
	double total = 0, acc = 0;
	size_t slot = 0;

	_Static_assert(COUNT(words) <= 256, "word_of holds uint8_t ranks");
	for (size_t k = 0; k < COUNT(words); k++)
		total += 1.0 / (double)(k + 1);
	for (size_t k = 0; k < COUNT(words); k++) {
		size_t end;

		acc += 1.0 / (double)(k + 1);
		end = k + 1 == COUNT(words) ? COUNT(word_of)
					    : (size_t)(acc / total * COUNT(word_of));
		for (; slot < end; slot++)
			word_of[slot] = (uint8_t)k;
	}
}

static char ascii_upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/* A line of 10-15 words: sentences start capitalised, now and then a word
 * is shouted or a name, commas and sentence ends fall between them. */
static void put_text_line(struct buf *b, uint64_t seed, uint64_t i)
{
	struct bench__rng r = bench__rng_item(seed, i);
	uint64_t n = bench__rng_range(&r, 10, 15);
	int start = 1;

	for (uint64_t k = 0; k < n; k++) {
		/* One draw gives both the word (top 16 bits) and its style,
		 * 0..99 from the next 32 bits by multiply-and-shift (bias
		 * below 10^-7, harmless in test text). */
		uint64_t x = bench__rng_next(&r);
		const char *w = words[word_of[x >> 48]];
		uint64_t style = ((x & 0xffffffffu) * 100) >> 32;
		char *first;

		if (k)
			*b->p++ = ' ';
		first = b->p;
		put_str(b, w);
		if (style < 2) {
			for (char *c = first; c < b->p; c++)
				*c = ascii_upper(*c);
		} else if (start || style < 7) {
			*first = ascii_upper(*first);
		}
		start = 0;
		if (k + 1 == n) {
			static const char ends[] = ".....!?";

			*b->p++ = ends[bench__rng_range(&r, 0, sizeof(ends) - 2)];
		} else if (style >= 90) {
			*b->p++ = ',';
		} else if (style >= 85) {
			*b->p++ = style == 85 ? '?' : '.';
			start = 1;
		}
	}
	*b->p++ = '\n';
}

static pthread_once_t word_table_once = PTHREAD_ONCE_INIT;

size_t bench__gen_event(uint64_t seed, uint64_t i, char *line)
{
	struct buf b = { line };

	put_event(&b, seed, i);
	return (size_t)(b.p - line);
}

size_t bench__gen_text_line(uint64_t seed, uint64_t i, char *line)
{
	struct buf b = { line };

	pthread_once(&word_table_once, word_table_init);
	put_text_line(&b, seed, i);
	return (size_t)(b.p - line);
}
