/*
 * fuzz_events.c - a JSON Lines file through the events workload as a run
 * reads it: the reader and batcher (next_batch, through the executors'
 * task source, which copies each batch with its padding), the workers'
 * parse of every line, the merge, --strict's check, the note naming bad
 * lines, and `bench show events`.
 *
 * The input is the file. It is read twice, in batches of 1 to 8 lines
 * (the first byte picks) and of the default 1000, and README's promise
 * is checked: the result (checksum, lines, kept, bad) is the same
 * whatever the batch size, and every line is counted (a last line
 * without its newline too); then `bench show` reads it a third time.
 * The workload is prepared for each input, on an in-memory file, as a
 * run prepares it once and rewinds it before every pass (it checks after
 * each pass that the file did not change meanwhile).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/executor.h"
#include "bench/workload.h"
#include "fuzz.h"

static const struct bench_workload *wl;
static void *state;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	wl = bench_workload_find("events");
	if (!wl) {
		fprintf(stderr, "fuzz_events: no events workload\n");
		abort();
	}
	return 0;
}

/* The workload prepared on path, as `bench run events --input` does. */
static void prepare(const char *path)
{
	struct bench_params params;
	struct bench_err err = { 0 };

	memset(&params, 0, sizeof(params));
	if (bench_params_set(&params, "input", 0, path) != 0 ||
	    bench_workload_params(wl, &params, &err) != 0 ||
	    wl->prepare(&params, &state, &err) != 0) {
		fprintf(stderr, "fuzz_events: cannot prepare the workload: %s\n",
			err.msg);
		abort();
	}
}

struct pass {
	BENCH_PARTIAL_ALIGN unsigned char acc[BENCH_PARTIAL_MAX];
	char checksum[BENCH_CHECKSUM_MAX];
	uint64_t fields[BENCH_FIELDS_MAX];
	uint64_t tasks;
};

/* One pass over the input in batches of chunk lines, as serial runs it. */
static void run_pass(uint64_t chunk, struct pass *out)
{
	struct bench_err err = { 0 };
	struct bench_source src;
	struct bench_task task;
	int rc;

	memset(out, 0, sizeof(*out));
	FUZZ_ASSERT(wl->rewind(state, &err) == 0);
	FUZZ_ASSERT(bench_source_init(&src, wl, state, chunk, &err) == 0);
	wl->partial_init(out->acc);
	while ((rc = bench_source_next(&src, &task, &err)) == 1) {
		BENCH_PARTIAL_ALIGN unsigned char part[BENCH_PARTIAL_MAX];

		FUZZ_ASSERT(task.count >= 1 && task.count <= chunk);
		wl->partial_init(part);
		FUZZ_ASSERT(bench_task_run(wl, state, &task, part, &err) == 0);
		wl->merge(out->acc, part);
		bench_task_release(&task);
		out->tasks++;
	}
	FUZZ_ASSERT(rc == 0);
	bench_source_release(&src);
	wl->checksum(out->acc, out->checksum);
	wl->fields(out->acc, out->fields);
}

static int count_line(void *ud, const char *line)
{
	FUZZ_ASSERT(line != NULL);
	(*(uint64_t *)ud)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bench_err err = { 0 };
	uint64_t lines = 0, shown = 0;
	uint64_t chunks[2] = { 1 + (size ? data[0] % 8 : 0), 1000 };
	struct pass pass[2];
	char note[512];

	const char *path;

	if (size > (64u << 10) || !(path = fuzz_memfile(0, data, size)))
		return 0;
	prepare(path);
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	lines += size && data[size - 1] != '\n';
	for (int k = 0; k < 2; k++) {
		run_pass(chunks[k], &pass[k]);
		/* fields: lines, kept, bad_lines. */
		FUZZ_ASSERT(pass[k].fields[0] == lines);
		FUZZ_ASSERT(pass[k].fields[1] + pass[k].fields[2] <= lines);
		FUZZ_ASSERT(strcmp(pass[k].checksum, pass[0].checksum) == 0);
		FUZZ_ASSERT(memcmp(pass[k].fields, pass[0].fields,
				   sizeof(pass[k].fields)) == 0);
		FUZZ_ASSERT(wl->item_count(state) == lines);
	}
	FUZZ_ASSERT(pass[0].tasks >= (lines + chunks[0] - 1) / chunks[0]);
	wl->note(pass[0].acc, note, sizeof(note));
	FUZZ_ASSERT((note[0] != '\0') == (pass[0].fields[2] != 0));
	FUZZ_ASSERT(wl->check(state, pass[0].acc, &err) == 0); /* not --strict */
	FUZZ_ASSERT(wl->show_all(state, 100, count_line, &shown, &err) == 0);
	FUZZ_ASSERT(shown == (lines < 100 ? lines : 100));
	wl->release(state);
	state = NULL;
	return 0;
}
