/*
 * import.c - recognising another tool's timings by content, and the
 * list of benchmarks both readers fill (import.h).
 *
 * The order of the checks matters: a bench document also has a "results"
 * array, so a "schema" key settles it first; only then does a
 * "benchmarks" array mean Google Benchmark, and "results" of objects with
 * a "command" mean hyperfine.
 */
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "import.h"

struct import_bench *import__bench(struct import_set *set, const char *raw)
{
	struct import_bench *grown;
	char name[512];

	/* Names reach the terminal and CSV cells: escaped once, here. */
	esc_bytes(name, sizeof(name), raw, strlen(raw), 400, 0);

	for (size_t i = 0; i < set->n; i++)
		if (strcmp(set->b[i].name, name) == 0)
			return &set->b[i];
	if (set->n >= IMPORT_BENCHMARKS_MAX)
		return NULL;
	grown = realloc(set->b, (set->n + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	set->b = grown;
	memset(&set->b[set->n], 0, sizeof(set->b[set->n]));
	if (!(set->b[set->n].name = strdup(name)))
		return NULL;
	return &set->b[set->n++];
}

int import__sample(struct import_bench *b, double real_ns, double cpu_ns)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;
		double *r, *c;

		if (cap > IMPORT_SAMPLES_MAX)
			return -1;
		if (!(r = realloc(b->real_ns, cap * sizeof(*r))))
			return -1;
		b->real_ns = r;
		if (!(c = realloc(b->cpu_ns, cap * sizeof(*c))))
			return -1;
		b->cpu_ns = c;
		b->cap = cap;
	}
	b->real_ns[b->n] = real_ns;
	b->cpu_ns[b->n] = cpu_ns;
	b->n++;
	return 0;
}

void import_destroy(struct import_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++) {
		free(set->b[i].name);
		free(set->b[i].real_ns);
		free(set->b[i].cpu_ns);
	}
	free(set->b);
	free(set);
}

/* hyperfine: "results" holds objects, the first with a "command". */
static int is_hyperfine(json_t *doc)
{
	json_t *results = json_object_get(doc, "results");

	return json_is_array(results) &&
	       json_is_string(json_object_get(json_array_get(results, 0),
					      "command"));
}

int import_parse(const char *text, struct import_set **out, char *msg,
		 size_t msglen)
{
	json_t *doc = json_loads(text, 0, NULL);
	struct import_set *set;
	int rc;

	*out = NULL;
	msg[0] = '\0';
	if (!doc)
		return IMPORT_NOT_JSON;
	if (!json_is_object(doc) || json_object_get(doc, "schema")) {
		rc = json_is_object(doc) ? IMPORT_BENCH : IMPORT_UNKNOWN;
		json_decref(doc);
		return rc;
	}
	if (!json_is_array(json_object_get(doc, "benchmarks")) &&
	    !is_hyperfine(doc)) {
		json_decref(doc);
		return IMPORT_UNKNOWN;
	}
	if (!(set = calloc(1, sizeof(*set)))) {
		snprintf(msg, msglen, "out of memory");
		json_decref(doc);
		return IMPORT_BAD;
	}
	if (json_is_array(json_object_get(doc, "benchmarks")))
		rc = import__gbench(doc, set, msg, msglen);
	else
		rc = import__hyperfine(doc, set, msg, msglen);
	json_decref(doc);
	if (rc != 0) {
		import_destroy(set);
		return rc;
	}
	*out = set;
	return 0;
}
