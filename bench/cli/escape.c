/*
 * escape.c - bytes from outside shown safely in text (see escape.h).
 */
#include <string.h>

#include "escape.h"

size_t esc_utf8_len(const unsigned char *p, size_t left)
{
	unsigned char c = p[0];
	size_t n;
	unsigned lo = 0x80, hi = 0xbf; /* the second byte's range */

	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xc2)
		lo = 0xa0;  /* U+0080..U+009F: C1 controls */
	else if (c == 0xe0)
		lo = 0xa0;  /* overlong */
	else if (c == 0xed)
		hi = 0x9f;  /* surrogates */
	else if (c == 0xf0)
		lo = 0x90;  /* overlong */
	else if (c == 0xf4)
		hi = 0x8f;  /* beyond U+10FFFF */
	if (left < n || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

/*
 * The text of the character at p (left bytes there) into out (8 bytes at
 * least); returns the bytes written and sets *used to the input bytes it
 * stands for.
 */
static size_t esc_one(const unsigned char *p, size_t left, unsigned flags,
		      char *out, size_t *used)
{
	unsigned char c = p[0];
	size_t n;

	*used = 1;
	if (flags & ESC_HTML) {
		const char *ref = c == '&' ? "&amp;" : c == '<' ? "&lt;" :
				  c == '>' ? "&gt;" : c == '"' ? "&quot;" :
				  c == '\'' ? "&#39;" : NULL;

		if (ref) {
			memcpy(out, ref, strlen(ref));
			return strlen(ref);
		}
	}
	switch (c) {
	case '\n': memcpy(out, "\\n", 2); return 2;
	case '\r': memcpy(out, "\\r", 2); return 2;
	case '\0': memcpy(out, "\\0", 2); return 2;
	case '\t':
		if (flags & ESC_KEEP_TAB)
			break;
		memcpy(out, "\\t", 2);
		return 2;
	case '\\':
		if (!(flags & ESC_BACKSLASH))
			break;
		memcpy(out, "\\\\", 2);
		return 2;
	case '#':
		if (!(flags & ESC_HASH))
			break;
		memcpy(out, "\\#", 2);
		return 2;
	case '"':
		if (!(flags & ESC_DQUOTE))
			break;
		memcpy(out, "\\\"", 2);
		return 2;
	default:
		if (c >= 0x20 && c < 0x7f)
			break;
		if (c >= 0x80 && (n = esc_utf8_len(p, left))) {
			memcpy(out, p, n);
			*used = n;
			return n;
		}
		if (c == 0xc2 && left >= 2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			*used = 2;  /* a C1 control, U+0080..U+009F */
			return (size_t)snprintf(out, 8, "\\u%04x", p[1]);
		}
		return (size_t)snprintf(out, 8, "\\x%02x", c);
	}
	out[0] = (char)c;
	return 1;
}

char *esc_bytes(char *buf, size_t cap, const void *data, size_t len,
		size_t max, unsigned flags)
{
	const unsigned char *p = data;
	size_t at = 0, i = 0, stop = len < max ? len : max;

	if (!cap)
		return buf;
	while (i < stop) {
		char one[8];
		size_t used, w = esc_one(p + i, len - i, flags, one, &used);

		/* Room for this, and for "..." and the NUL after it. */
		if (at + w + 4 > cap)
			break;
		memcpy(buf + at, one, w);
		at += w;
		i += used;
	}
	if (i < len) {
		size_t dots = cap - 1 - at < 3 ? cap - 1 - at : 3;

		memcpy(buf + at, "...", dots);
		at += dots;
	}
	buf[at] = '\0';
	return buf;
}

static void esc_write(FILE *f, const unsigned char *p, size_t left,
		      unsigned flags)
{
	while (left) {
		char one[8];
		size_t used, w = esc_one(p, left, flags, one, &used);

		fwrite(one, 1, w, f);
		p += used;
		left -= used;
	}
}

void esc_fputs(FILE *f, const char *s, unsigned flags)
{
	if (s)
		esc_write(f, (const unsigned char *)s, strlen(s), flags);
}

void esc_csv(FILE *f, const char *s)
{
	int formula = s && s[0] && strchr("=+-@\t\r", s[0]);
	int quote = formula;

	for (const unsigned char *p = (const unsigned char *)s; p && *p && !quote; p++)
		quote = *p == ',' || *p == '"' || *p < 0x20 || *p >= 0x7f;
	if (!quote) {
		fputs(s ? s : "", f);
		return;
	}
	fputc('"', f);
	if (formula)
		fputc('\'', f);
	for (const char *p = s;;) {
		const char *q = strchr(p, '"');
		size_t n = q ? (size_t)(q - p) : strlen(p);

		esc_write(f, (const unsigned char *)p, n, 0);
		if (!q)
			break;
		fputs("\"\"", f);
		p = q + 1;
	}
	fputc('"', f);
}
