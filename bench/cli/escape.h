/*
 * escape.h - bytes from outside shown safely in text: a message that
 * echoes input, a report that prints a student's folder name, output or
 * compiler messages.
 *
 * Printable ASCII and valid UTF-8 stay as they are (names read as
 * written); every control character is shown as an escape (\n, \t, \r,
 * \0, \x1b, and the C1 controls U+0080..U+009F as \u0085), so no input
 * can start a new report line, move the cursor or clear the screen; a
 * byte that is not UTF-8 is shown as \xNN. Flags add the escapes a
 * format needs on top. Written by hand: no maintained C library escapes
 * for a terminal, TAP and CSV alike, and the rule is a page long.
 */
#ifndef BENCH_CLI_ESCAPE_H
#define BENCH_CLI_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

enum {
	ESC_BACKSLASH = 1 << 0, /* '\' as "\\": escapes read back unambiguously */
	ESC_KEEP_TAB = 1 << 1,  /* a tab stays a tab (compiler messages) */
	ESC_HASH = 1 << 2,      /* '#' as "\#" (a TAP description) */
	ESC_DQUOTE = 1 << 3,    /* '"' as "\"" (YAML or C double quotes) */
	ESC_HTML = 1 << 4,      /* & < > " ' as character references (HTML
				   text and attribute values; before the
				   flags above) */
};

/* Bytes of the valid UTF-8 sequence at p (at most left bytes) other than
 * a C1 control, or 0 when there is none. */
size_t esc_utf8_len(const unsigned char *p, size_t left);

/* Writes the first len bytes of data, escaped, into buf (cap bytes,
 * always NUL-terminated when cap > 0): at most max input bytes (a
 * character may end a few past it), "..." when some were left out or did
 * not fit. Returns buf. */
char *esc_bytes(char *buf, size_t cap, const void *data, size_t len,
		size_t max, unsigned flags);

/* Writes the string s (NULL: nothing) to f, escaped. */
void esc_fputs(FILE *f, const char *s, unsigned flags);

/* Writes s as one CSV cell (RFC 4180): quoted when it holds a comma, a
 * quote or an escape, quotes doubled, control characters escaped; a cell
 * that starts with = + - @ or a tab or CR gets a leading ' so that no
 * spreadsheet takes it for a formula (OWASP's CSV injection advice). */
void esc_csv(FILE *f, const char *s);

#endif
