/*
 * exec_words.c - a command given as one string ('sh -c "exit 0"'), split
 * into words as hyperfine -N splits it (the shell-words crate), so that
 * the same string starts the same argv in both tools.
 *
 * Quoting is POSIX's and nothing else: no variables, no globbing, no
 * pipes. The words are written into one block after the pointer array,
 * so the caller frees a single allocation.
 */
#include <stdlib.h>
#include <string.h>

#include "exec.h"

static int blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

int exec_words_split(const char *text, char ***argv, const char **why)
{
	size_t len = strlen(text), words = 0, max = len / 2 + 2;
	char **v;
	char *out;
	const char *p = text;

	*argv = NULL;
	/* At most len/2+1 words; each word's text is no longer than its
	 * source, plus its NUL. */
	v = malloc(max * sizeof(*v) + len + max);
	if (!v)
		return -2;
	out = (char *)(v + max);
	for (;;) {
		while (blank(*p))
			p++;
		if (!*p || *p == '#')
			break;
		v[words++] = out;
		while (*p && !blank(*p)) {
			if (*p == '\'') {
				const char *end = strchr(p + 1, '\'');

				if (!end) {
					*why = "a single quote is not closed";
					free(v);
					return -1;
				}
				memcpy(out, p + 1, (size_t)(end - p - 1));
				out += end - p - 1;
				p = end + 1;
			} else if (*p == '"') {
				for (p++; *p && *p != '"'; p++) {
					if (*p == '\\' && p[1] && strchr("$`\"\\\n", p[1])) {
						if (p[1] != '\n')
							*out++ = p[1];
						p++;
					} else {
						*out++ = *p;
					}
				}
				if (!*p) {
					*why = "a double quote is not closed";
					free(v);
					return -1;
				}
				p++;
			} else if (*p == '\\') {
				if (!p[1]) {
					*why = "it ends with a backslash";
					free(v);
					return -1;
				}
				if (p[1] != '\n')
					*out++ = p[1];
				p += 2;
			} else {
				*out++ = *p++;
			}
		}
		*out++ = '\0';
	}
	v[words] = NULL;
	*argv = v;
	return (int)words;
}
