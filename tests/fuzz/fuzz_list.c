/*
 * fuzz_list.c - the CLI's list options: --workers and --sizes (parse_list,
 * ranges such as 1..64x2 included), --mode and --engine.
 *
 * The first byte picks the option, the rest is its text: 'w' is scale's
 * --workers (1 to BENCH_WORKERS_MAX, 256 values), 's' complexity's
 * --sizes (1 to the search workload's largest size, 64 values), 'm'
 * --mode, 'e' --engine; any other byte picks one of them by its value.
 * Besides what the sanitizers catch, an accepted list must be what the
 * contract in cli.h says: sorted, no duplicates, in range, not too long.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	return 0;
}

static void check_list(const char *flag, const char *text, uint64_t max,
		       size_t most)
{
	uint64_t *v = NULL;
	size_t n = 0;

	if (parse_list("fuzz", flag, text, 1, max, most, &v, &n) != 0)
		return;
	FUZZ_ASSERT(v != NULL);
	FUZZ_ASSERT(n >= 1 && n <= most);
	for (size_t i = 0; i < n; i++) {
		FUZZ_ASSERT(v[i] >= 1 && v[i] <= max);
		FUZZ_ASSERT(i == 0 || v[i] > v[i - 1]);
	}
	free(v);
}

static void check_modes(const char *text)
{
	struct bench_run_opts o;

	memset(&o, 0, sizeof(o));
	if (parse_modes("fuzz", text, &o) != 0)
		return;
	FUZZ_ASSERT(o.nmodes <= BENCH_EXECUTORS_MAX);
	for (size_t i = 0; i < o.nmodes; i++) {
		FUZZ_ASSERT(o.modes[i] != NULL);
		for (size_t k = 0; k < i; k++)
			FUZZ_ASSERT(o.modes[k] != o.modes[i]);
	}
}

static void check_engines(const char *text)
{
	struct bench_run_opts o;

	memset(&o, 0, sizeof(o));
	if (parse_engines("fuzz", text, &o) != 0)
		return;
	FUZZ_ASSERT(o.nengines >= 1 && o.nengines <= BENCH_ENGINE_COUNT);
	for (size_t i = 0; i < o.nengines; i++) {
		FUZZ_ASSERT((unsigned)o.engines[i] < BENCH_ENGINE_COUNT);
		for (size_t k = 0; k < i; k++)
			FUZZ_ASSERT(o.engines[k] != o.engines[i]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char which[] = "wsme";
	const struct bench_workload *search = bench_workload_find("search");
	char *text;
	char kind;

	if (size == 0 || size > 4096)
		return 0;
	kind = strchr(which, data[0]) && data[0] ? (char)data[0] : which[data[0] % 4];
	if (!(text = fuzz_strndup(data + 1, size - 1)))
		return 0;
	switch (kind) {
	case 'w':
		check_list("--workers", text, BENCH_WORKERS_MAX, 256);
		break;
	case 's':
		check_list("--sizes", text, search->max_size, 64);
		break;
	case 'm':
		check_modes(text);
		break;
	default:
		check_engines(text);
		break;
	}
	free(text);
	return 0;
}
