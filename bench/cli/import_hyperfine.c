/*
 * import_hyperfine.c - hyperfine's --export-json as import.h's samples.
 *
 * Each results[i] is one command; its "times" (seconds, one per run) are
 * the samples. Exports from versions that wrote no "times" keep the mean
 * as a single sample. Per-run user and system times are not used: they
 * are child CPU time, not the wall time the samples are.
 */
#include <stdlib.h>
#include <string.h>

#include "import.h"

int import__hyperfine(json_t *doc, struct import_set *set, char *msg,
		      size_t msglen)
{
	json_t *results = json_object_get(doc, "results");

	for (size_t i = 0; i < json_array_size(results); i++) {
		json_t *o = json_array_get(results, i);
		const char *cmd = json_string_value(json_object_get(o, "command"));
		json_t *times = json_object_get(o, "times");
		json_t *mean = json_object_get(o, "mean");
		struct import_bench *b;
		char name[512];

		if (!cmd) {
			snprintf(msg, msglen, "results[%zu]: expected an object with a \"command\"", i);
			return IMPORT_BAD;
		}
		/* Two runs of one command under different parameters share
		 * the command text; the position keeps them apart. */
		snprintf(name, sizeof(name), "%s", cmd);
		for (size_t j = 0; j < set->n; j++)
			if (strcmp(set->b[j].name, name) == 0)
				snprintf(name, sizeof(name), "%s #%zu", cmd, i + 1);
		if (!(b = import__bench(set, name))) {
			snprintf(msg, msglen, "out of memory, or more than %d commands",
				 IMPORT_BENCHMARKS_MAX);
			return IMPORT_BAD;
		}
		if (!json_is_array(times)) {
			if (!json_is_number(mean)) {
				snprintf(msg, msglen, "results[%zu] (%s): expected \"times\" or \"mean\" in seconds",
					 i, cmd);
				return IMPORT_BAD;
			}
			b->from_aggregates = 1;
			times = NULL;
		}
		for (size_t k = 0; k < (times ? json_array_size(times) : 1); k++) {
			json_t *t = times ? json_array_get(times, k) : mean;
			double ns = json_number_value(t) * 1e9;

			if (!json_is_number(t) || !(ns >= 0 && ns <= IMPORT_TIME_MAX_NS)) {
				snprintf(msg, msglen, "results[%zu] (%s): expected times from 0 to 1e9 seconds",
					 i, cmd);
				return IMPORT_BAD;
			}
			if (import__sample(b, ns, -1.0) != 0) {
				snprintf(msg, msglen, "out of memory, or more than %d samples",
					 IMPORT_SAMPLES_MAX);
				return IMPORT_BAD;
			}
		}
		if (!b->n) {
			snprintf(msg, msglen, "results[%zu] (%s): expected at least one time",
				 i, cmd);
			return IMPORT_BAD;
		}
	}
	set->format = "hyperfine export";
	return 0;
}
