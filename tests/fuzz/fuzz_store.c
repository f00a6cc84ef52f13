/*
 * fuzz_store.c - a results store file opened and read, as `bench history`,
 * `bench report RUN` and `bench compare` read one: bench_store_open (the
 * SQLite header, the application id, the schema version checks), then
 * bench_store_history, bench_store_latest and bench_store_load of every
 * run listed (up to 8), the latest one's document parsed as a report (as
 * `bench report latest` does), and for one input in eight (by length)
 * `bench history` itself, which opens the store again.
 *
 * The input is the file's bytes (the seeds are small stores with 512-byte
 * pages). Nothing here writes to the store. Besides what the sanitizers
 * catch, every error must say something: a message of SQLite's read after
 * it was reset would end in ": not an error" (a bug this target keeps a
 * seed for: corpus/store/header-byte-16.db).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "bench/report.h"
#include "bench/store.h"
#include "cli/cli.h"
#include "fuzz.h"

#define RUNS_READ 8 /* documents loaded per input, at most */
#define HEAP_LIMIT (4 << 20) /* SQLite's heap, in bytes */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	/* No lookaside: each connection would allocate its 120 KiB pool
	 * again, the better part of an input's time under ASan, and SQLite's
	 * own allocations are then ones ASan watches. */
	sqlite3_config(SQLITE_CONFIG_LOOKASIDE, 0, 0);
	/* A damaged header may claim billions of pages, and SQLite sizes
	 * a cursor's overflow page list by that claim: allocations of
	 * megabytes, fresh pages zeroed under ASan, a good part of the time.
	 * A store of at most 256 KiB (the inputs' bound) needs far less
	 * (its pages, the schema, the statements, one document); above the
	 * limit an allocation fails, and the error is the one a real out of
	 * memory gives. The limit needs SQLite's memory statistics on. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 1);
	sqlite3_hard_heap_limit64(HEAP_LIMIT);
	return 0;
}

static void check_message(int rc, const struct bench_err *err)
{
	size_t len;

	if (rc == 0)
		return;
	FUZZ_ASSERT(rc < 0);
	FUZZ_ASSERT(err->msg[0] != '\0');
	/* SQLite's reset message would end the text; a damaged schema may
	 * quote a name holding the same words anywhere. */
	len = strlen(err->msg);
	FUZZ_ASSERT(len < 14 || strcmp(err->msg + len - 14, ": not an error") != 0);
}

struct seen {
	int64_t ids[RUNS_READ];
	size_t n, total;
};

static int on_run(void *ud, const struct bench_store_run *run)
{
	struct seen *s = ud;

	FUZZ_ASSERT(memchr(run->summary, '\0', sizeof(run->summary)) != NULL);
	if (s->n < RUNS_READ)
		s->ids[s->n++] = run->id;
	s->total++;
	return 0;
}

/* Removes what SQLite may leave beside the store (a WAL header makes it
 * create -wal and -shm files), so each input starts alone. */
static void clean(const char *path)
{
	static const char *const ext[] = { "-wal", "-shm", "-journal" };
	char side[4200];

	for (size_t i = 0; i < 3; i++) {
		snprintf(side, sizeof(side), "%s%s", path, ext[i]);
		unlink(side);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bench_err err = { 0 };
	struct bench_store *s = NULL;
	struct seen seen = { 0 };
	char path[4096];
	const char *p;
	int64_t latest = 0;
	int rc;

	if (size > (256u << 10) || !(p = fuzz_write("store.db", data, size)))
		return 0;
	snprintf(path, sizeof(path), "%s", p);
	clean(path);
	rc = bench_store_open(path, 0, &s, &err);
	check_message(rc, &err);
	if (rc != 0) {
		FUZZ_ASSERT(s == NULL);
		clean(path);
		return 0;
	}
	rc = bench_store_history(s, NULL, 0, on_run, &seen, &err);
	check_message(rc, &err);
	rc = bench_store_latest(s, "search", &latest, &err);
	check_message(rc, &err);
	rc = bench_store_latest(s, NULL, &latest, &err);
	check_message(rc, &err);
	for (size_t i = 0; i < seen.n; i++) {
		struct bench_report *r = NULL;
		struct bench_context ctx;
		char kind[BENCH_KIND_MAX];
		char *doc = NULL;

		rc = bench_store_load(s, seen.ids[i], &doc, &err);
		check_message(rc, &err);
		if (rc != 0)
			continue;
		/* fuzz_report covers the parser; here the latest run only. */
		if (seen.ids[i] == latest &&
		    bench_report_parse(doc, &r, &ctx, kind, &err) == 0)
			bench_report_destroy(r);
		free(doc);
	}
	bench_store_close(s);
	if (size % 8 == 0) {
		const char *history[] = { "history", "--limit", "0", "--results",
					  path, NULL };

		cmd_history(5, (char **)history);
	}
	clean(path);
	return 0;
}
