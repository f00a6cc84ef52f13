/*
 * store.c - the SQLite results store. See store.h.
 *
 * The file is marked with an application id ('bnch') so a bench store is
 * told apart from any other SQLite database, and carries its schema
 * version in user_version. Migrations are SQL scripts applied in order
 * inside one exclusive transaction; two processes opening an old store at
 * once migrate it once (the second re-reads the version under the lock).
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "bench/store.h"

#define APP_ID 0x626e6368 /* "bnch" */
#define BUSY_MS 30000     /* how long a writer waits for another */

struct bench_store {
	sqlite3 *db;
	char *path;
	int64_t version; /* schema version on disk; 0: not set up yet */
};

/* Migration i brings the schema from version i to i + 1. */
static const char *const migrations[BENCH_STORE_SCHEMA] = {
	"CREATE TABLE runs ("
	"  id INTEGER PRIMARY KEY,"
	"  created TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  workload TEXT NOT NULL,"
	"  host TEXT NOT NULL,"
	"  git TEXT NOT NULL,"
	"  summary TEXT NOT NULL,"
	"  document TEXT NOT NULL"
	");"
	"CREATE INDEX runs_by_workload ON runs (workload, id);"
	"CREATE TABLE results ("
	"  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
	"  idx INTEGER NOT NULL,"
	"  mode TEXT NOT NULL,"
	"  workers INTEGER NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  chunk INTEGER NOT NULL,"
	"  samples INTEGER NOT NULL,"
	"  median_ns REAL,"
	"  ci_low_ns REAL,"
	"  ci_high_ns REAL,"
	"  speedup REAL,"
	"  checksum TEXT NOT NULL,"
	"  verified INTEGER NOT NULL,"
	"  PRIMARY KEY (run_id, idx)"
	");",
	/* 2: results measured by another engine than bench's own. */
	"ALTER TABLE results ADD COLUMN engine TEXT NOT NULL DEFAULT 'native';",
};

const char *bench_store_default_path(void)
{
	const char *env = getenv("BENCH_RESULTS");

	return env && *env ? env : BENCH_STORE_DEFAULT;
}

static int db_error(struct bench_store *s, struct bench_err *err,
		    const char *what)
{
	return bench_err_set(err, BENCH_ESYS, "results store '%s': %s: %s",
			     s->path, what, sqlite3_errmsg(s->db));
}

/* Runs one PRAGMA (or any statement) returning a single integer. */
static int query_int(sqlite3 *db, const char *sql, int64_t *v)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*v = sqlite3_column_int64(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

/* Checks that s is a bench store this bench can read, and notes its
 * schema version. Returns 0 or a code with err filled. */
static int check_schema(struct bench_store *s, struct bench_err *err)
{
	int64_t version, app, objects = 0;
	int rc;

	/* One read transaction, so the three reads see one snapshot even
	 * while another process is setting the schema up. */
	rc = sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = query_int(s->db, "PRAGMA user_version", &version);
	if (rc == SQLITE_OK)
		rc = query_int(s->db, "PRAGMA application_id", &app);
	if (rc == SQLITE_OK && app != APP_ID)
		rc = query_int(s->db, "SELECT count(*) FROM sqlite_schema", &objects);
	if (rc != SQLITE_OK) {
		/* The message is taken before ROLLBACK, whose success would
		 * reset SQLite's to "not an error". */
		if (sqlite3_errcode(s->db) == SQLITE_NOTADB)
			rc = bench_err_set(err, BENCH_EINVAL,
					   "'%s' is not a bench results store (not an SQLite database)",
					   s->path);
		else
			rc = db_error(s, err, "cannot read the schema version");
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	if (app != APP_ID && (app != 0 || objects != 0))
		return bench_err_set(err, BENCH_EINVAL,
				     "'%s' is an SQLite database but not a bench results store",
				     s->path);
	if (version > BENCH_STORE_SCHEMA)
		return bench_err_set(err, BENCH_EINVAL,
				     "'%s' has schema version %lld, newer than this bench knows (%d): use a newer bench",
				     s->path, (long long)version,
				     BENCH_STORE_SCHEMA);
	if (version < 0)
		return bench_err_set(err, BENCH_EINVAL,
				     "'%s' has a bad schema version %lld",
				     s->path, (long long)version);
	s->version = version;
	return 0;
}

/*
 * Brings the schema up to this bench's version, in one exclusive
 * transaction. Only a save calls it: reading an older store (history,
 * report, compare) never rewrites it, so a read-only or shared store
 * stays readable by the bench that wrote it.
 */
static int upgrade(struct bench_store *s, struct bench_err *err)
{
	int64_t version;
	char *msg = NULL;

	if (s->version == BENCH_STORE_SCHEMA)
		return 0;
	if (sqlite3_exec(s->db, "BEGIN EXCLUSIVE", NULL, NULL, NULL) != SQLITE_OK)
		return db_error(s, err, "cannot lock to set up the schema");
	/* Another process may have migrated while we waited for the lock. */
	if (query_int(s->db, "PRAGMA user_version", &version) != SQLITE_OK)
		goto fail;
	for (; version < BENCH_STORE_SCHEMA; version++) {
		char pragma[128];

		if (sqlite3_exec(s->db, migrations[version], NULL, NULL, &msg) != SQLITE_OK)
			goto fail;
		snprintf(pragma, sizeof(pragma),
			 "PRAGMA user_version = %lld; PRAGMA application_id = %d",
			 (long long)version + 1, APP_ID);
		if (sqlite3_exec(s->db, pragma, NULL, NULL, &msg) != SQLITE_OK)
			goto fail;
	}
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK) {
		s->version = BENCH_STORE_SCHEMA;
		return 0;
	}
fail:
	sqlite3_free(msg);
	db_error(s, err, "cannot set up the schema");
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return BENCH_ESYS;
}

/* Creates the store's folder if it is missing (one level, like the
 * default results/). */
static int make_folder(const char *path, struct bench_err *err)
{
	char *copy = strdup(path), *dir;
	struct stat st;
	int rc = 0;

	if (!copy)
		return bench_err_set(err, BENCH_ENOMEM, "out of memory");
	dir = dirname(copy);
	if (stat(dir, &st) != 0 && mkdir(dir, 0777) != 0 && errno != EEXIST)
		rc = bench_err_set(err, BENCH_ESYS,
				   "cannot create folder '%s' for the results store: %s",
				   dir, strerror(errno));
	free(copy);
	return rc;
}

int bench_store_open(const char *path, int create, struct bench_store **out,
		     struct bench_err *err)
{
	struct bench_store *s;
	struct stat st;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	int rc;

	*out = NULL;
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return bench_err_set(err, BENCH_EINVAL,
					     "results store '%s' is a directory",
					     path);
	} else if (!create) {
		return bench_err_set(err, BENCH_EINVAL,
				     "no results store at '%s' (nothing saved yet?)",
				     path);
	} else {
		if ((rc = make_folder(path, err)) != 0)
			return rc;
		flags |= SQLITE_OPEN_CREATE;
	}
	s = calloc(1, sizeof(*s));
	if (!s || !(s->path = strdup(path))) {
		free(s);
		return bench_err_set(err, BENCH_ENOMEM, "out of memory");
	}
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		rc = bench_err_set(err, BENCH_ESYS,
				   "cannot open results store '%s': %s", path,
				   s->db ? sqlite3_errmsg(s->db) : "out of memory");
		bench_store_close(s);
		return rc;
	}
	sqlite3_busy_timeout(s->db, BUSY_MS);
	sqlite3_exec(s->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	if ((rc = check_schema(s, err)) != 0) {
		bench_store_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

void bench_store_close(struct bench_store *s)
{
	if (!s)
		return;
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

static int insert_results(struct bench_store *s, const struct bench_report *r,
			  int64_t id)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db,
		"INSERT INTO results (run_id, idx, mode, workers, size, chunk,"
		" samples, median_ns, ci_low_ns, ci_high_ns, speedup, checksum,"
		" verified, engine) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		-1, &st, NULL);

	for (size_t i = 0; rc == SQLITE_OK && i < r->nresults; i++) {
		const struct bench_mode_result *mr = &r->results[i];

		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		sqlite3_bind_text(st, 3, mr->mode->name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, mr->workers);
		sqlite3_bind_int64(st, 5, (sqlite3_int64)mr->size);
		sqlite3_bind_int64(st, 6, (sqlite3_int64)mr->chunk);
		sqlite3_bind_int64(st, 7, (sqlite3_int64)mr->nsamples);
		sqlite3_bind_double(st, 8, mr->wall.median);
		sqlite3_bind_double(st, 9, mr->wall.ci_low);
		sqlite3_bind_double(st, 10, mr->wall.ci_high);
		if (mr->speedup == mr->speedup) /* not NaN */
			sqlite3_bind_double(st, 11, mr->speedup);
		else
			sqlite3_bind_null(st, 11);
		sqlite3_bind_text(st, 12, mr->checksum, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 13, mr->verified);
		sqlite3_bind_text(st, 14, bench_engine_name(mr->engine), -1,
				  SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return rc;
}

int bench_store_save(struct bench_store *s, const struct bench_report *r,
		     const struct bench_context *ctx, const char *kind,
		     const char *summary, const char *doc, int64_t *id,
		     struct bench_err *err)
{
	sqlite3_stmt *st = NULL;
	int64_t new_id;

	*id = 0;
	if (upgrade(s, err) != 0)
		return BENCH_ESYS;
	/* IMMEDIATE takes the write lock now, so a concurrent writer waits
	 * here (busy timeout) instead of failing halfway. */
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return db_error(s, err, "cannot start saving");
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO runs (created, kind, workload, host, git,"
			       " summary, document) VALUES (?, ?, ?, ?, ?, ?, ?)",
			       -1, &st, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(st, 1, ctx->date, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, r->wl->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, ctx->host, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, ctx->git, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, summary, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, doc, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	new_id = sqlite3_last_insert_rowid(s->db);
	if (insert_results(s, r, new_id) != SQLITE_OK)
		goto fail;
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	*id = new_id; /* only a committed run has an id */
	return 0;
fail:
	db_error(s, err, "cannot save the run");
	sqlite3_finalize(st);
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return BENCH_ESYS;
}

static void column_text(sqlite3_stmt *st, int col, char *dst, size_t len)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	snprintf(dst, len, "%s", t ? (const char *)t : "");
}

int bench_store_history(struct bench_store *s, const char *workload,
			size_t limit,
			int (*cb)(void *ud, const struct bench_store_run *run),
			void *ud, struct bench_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (s->version == 0)
		return 0; /* a new, empty store: no runs */
	if (sqlite3_prepare_v2(s->db,
			       "SELECT id, created, kind, workload, host, git, summary"
			       " FROM runs WHERE ?1 IS NULL OR workload = ?1"
			       " ORDER BY id DESC LIMIT ?2",
			       -1, &st, NULL) != SQLITE_OK)
		return db_error(s, err, "cannot read the runs");
	if (workload)
		sqlite3_bind_text(st, 1, workload, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, limit ? (sqlite3_int64)limit : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct bench_store_run run;

		run.id = sqlite3_column_int64(st, 0);
		column_text(st, 1, run.created, sizeof(run.created));
		column_text(st, 2, run.kind, sizeof(run.kind));
		column_text(st, 3, run.workload, sizeof(run.workload));
		column_text(st, 4, run.host, sizeof(run.host));
		column_text(st, 5, run.git, sizeof(run.git));
		column_text(st, 6, run.summary, sizeof(run.summary));
		if (cb(ud, &run) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(s, err, "cannot read the runs");
	return 0;
}

int bench_store_load(struct bench_store *s, int64_t id, char **doc,
		     struct bench_err *err)
{
	sqlite3_stmt *st;
	int rc;

	*doc = NULL;
	if (s->version == 0)
		return bench_err_set(err, BENCH_EINVAL,
				     "no run %lld in '%s' (see 'bench history')",
				     (long long)id, s->path);
	if (sqlite3_prepare_v2(s->db, "SELECT document FROM runs WHERE id = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return db_error(s, err, "cannot read a run");
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);

		*doc = strdup(t ? (const char *)t : "");
		rc = *doc ? 0 : bench_err_set(err, BENCH_ENOMEM, "out of memory");
	} else if (rc == SQLITE_DONE) {
		rc = bench_err_set(err, BENCH_EINVAL,
				   "no run %lld in '%s' (see 'bench history')",
				   (long long)id, s->path);
	} else {
		rc = db_error(s, err, "cannot read a run");
	}
	sqlite3_finalize(st);
	return rc;
}

int bench_store_latest(struct bench_store *s, const char *workload,
		       int64_t *id, struct bench_err *err)
{
	sqlite3_stmt *st;
	int rc;

	*id = 0;
	if (s->version == 0)
		return 0;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT max(id) FROM runs WHERE ?1 IS NULL OR workload = ?1",
			       -1, &st, NULL) != SQLITE_OK)
		return db_error(s, err, "cannot read the runs");
	if (workload)
		sqlite3_bind_text(st, 1, workload, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return db_error(s, err, "cannot read the runs");
	return 0;
}
