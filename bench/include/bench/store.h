/*
 * store.h - the results store: every run kept in one SQLite file.
 *
 * A run is saved as its bench.run/1 document plus one indexed row per
 * result (mode, workers, size, median, checksum), in one transaction: a
 * failed or interrupted save leaves the store as it was. The schema is
 * versioned (PRAGMA user_version) and migrated forward by the first save;
 * reading never rewrites a store, and one written by a newer bench is
 * refused rather than damaged. Several bench
 * processes may write one store at once: writers queue on SQLite's lock.
 */
#ifndef BENCH_STORE_H
#define BENCH_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "bench/context.h"
#include "bench/error.h"
#include "bench/harness.h"

/* The schema version this build writes and reads. */
#define BENCH_STORE_SCHEMA 2

/* Where runs go when no path is given: $BENCH_RESULTS, else this. */
#define BENCH_STORE_DEFAULT "results/bench.db"

struct bench_store;

/* $BENCH_RESULTS when set and not empty, else BENCH_STORE_DEFAULT. */
const char *bench_store_default_path(void);

/*
 * Opens the store at path. With create set, a missing file (and a missing
 * last folder of its path) is created and given the current schema;
 * without it a missing store is an error. An older schema is read as it
 * is and migrated by the first bench_store_save().
 * Returns 0 or BENCH_ESYS / BENCH_EINVAL with a message: not an SQLite
 * file, an SQLite file that is not a bench store, a newer schema, a
 * folder that cannot be written.
 */
int bench_store_open(const char *path, int create, struct bench_store **out,
		     struct bench_err *err);

/* Closes the store; NULL is a no-op. */
void bench_store_close(struct bench_store *s);

/*
 * Saves one run: kind ("run", "scale", "complexity"), a one-line summary
 * for `history`, the report's results and its JSON document, all in one
 * transaction. *id gets the run's id. Returns 0 or BENCH_ESYS.
 */
int bench_store_save(struct bench_store *s, const struct bench_report *r,
		     const struct bench_context *ctx, const char *kind,
		     const char *summary, const char *doc, int64_t *id,
		     struct bench_err *err);

/* One line of `bench history`. */
struct bench_store_run {
	int64_t id;
	char created[32];   /* ISO 8601, UTC */
	char kind[16];
	char workload[32];
	char host[64];
	char git[64];
	char summary[256];
};

/*
 * Calls cb for the newest `limit` runs (0: all), newest first, of one
 * workload (NULL: all). cb returns 0 to go on. Returns 0 or BENCH_ESYS.
 */
int bench_store_history(struct bench_store *s, const char *workload,
			size_t limit,
			int (*cb)(void *ud, const struct bench_store_run *run),
			void *ud, struct bench_err *err);

/*
 * The document of run id, malloc'd into *doc (free() it). Returns 0,
 * BENCH_EINVAL for an unknown id, or BENCH_ESYS.
 */
int bench_store_load(struct bench_store *s, int64_t id, char **doc,
		     struct bench_err *err);

/*
 * Id of the newest run (of a workload, or any when NULL) into *id, 0 when
 * there is none. Returns 0 or BENCH_ESYS.
 */
int bench_store_latest(struct bench_store *s, const char *workload,
		       int64_t *id, struct bench_err *err);

#endif
