/*
 * tests.c - exercise 07, public tests: ./driver TEST SEED
 *
 * The driver writes events.jsonl in the current folder: 2,500 to 3,500
 * lines drawn from the seed, most of them events like those of
 * `bench gen events`, some malformed (truncated, blank, not JSON, an
 * array, a string or fractional event_id, a missing or numeric
 * event_type, text after the object, two objects), some valid but
 * tricky (an escaped event_type, "event_type" inside the payload or in a
 * string, other key orders and spacing, odd items and qty).
 *
 *   batches  type "click" with batch sizes 1, 7, one dividing the kept
 *            count, the kept count itself, one more than it, and large,
 *            on 1 to 16 workers
 *   filter   every other type, an unknown and an empty type, a file
 *            without a final newline, an empty file, a file of malformed
 *            lines only, and bad arguments
 *
 * Each run prints its return value and then every field of the stats.
 */
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "driver.h"
#include "pipeline.h"

static const char *const types[] = { "click", "view", "purchase", "signup" };
static const char *const pages[] = { "/cart", "/search", "/product/4711",
				     "/category/kitchen", "/" };
static const char *const notes[] = {
	"no comment", "will order again", "said \\\"event_type\\\": \\\"click\\\"",
	"caf\\u00e9 \xc3\xa9t\xc3\xa9", "line\\nbreak", "regex \\\\d+ failed",
	"{\\\"event_id\\\": 1}",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The items array of one event (qty mostly integers). */
static void put_items(FILE *f)
{
	size_t n = driver_below(4);

	fputs("[", f);
	for (size_t k = 0; k < n; k++) {
		unsigned r = (unsigned)driver_below(20);

		fprintf(f, "%s{\"sku\": \"SKU-%05u\", \"price\": %u.%02u", k ? ", " : "",
			(unsigned)driver_below(100000), (unsigned)driver_below(500),
			(unsigned)driver_below(100));
		if (r == 0)
			fputs(", \"qty\": \"2\"}", f);          /* a string: 0 */
		else if (r == 1)
			fputs(", \"qty\": 2.0}", f);            /* a real: 0 */
		else if (r == 2)
			fputs("}", f);                          /* none: 0 */
		else
			fprintf(f, ", \"qty\": %u}", 1 + (unsigned)driver_below(5));
	}
	fputs("]", f);
}

/* One valid event line of type t (without its '\n'). */
static void put_event(FILE *f, int64_t id, const char *t)
{
	unsigned r = (unsigned)driver_below(100);

	if (r < 6) {  /* compact, keys in another order */
		fprintf(f, "{\"event_type\":\"%s\",\"payload\":{\"items\":", t);
		put_items(f);
		fprintf(f, "},\"event_id\":%" PRId64 "}", id);
		return;
	}
	fprintf(f, "{\"event_id\": %" PRId64 ", \"user_id\": %u, ", id,
		(unsigned)driver_below(100000));
	if (r < 9 && strcmp(t, "click") == 0)
		fputs("\"event_type\": \"cl\\u0069ck\", ", f);  /* "click" */
	else
		fprintf(f, "\"event_type\": \"%s\", ", t);
	fprintf(f, "\"ts\": \"2024-01-01T00:%02u:%02u.%03uZ\", ",
		(unsigned)driver_below(60), (unsigned)driver_below(60),
		(unsigned)driver_below(1000));
	if (r < 12) {  /* no payload */
		fputs("\"note\": \"no payload\"}", f);
		return;
	}
	fprintf(f, "\"payload\": {\"page\": \"%s\", ", pages[driver_below(N(pages))]);
	if (r < 15)
		fputs("\"items\": {\"qty\": 3}, ", f);         /* not an array */
	else if (r < 18)
		fprintf(f, "\"event_type\": \"%s\", \"items\": [{\"qty\": 9}], ",
			types[driver_below(N(types))]);                /* nested */
	else {
		fputs("\"items\": ", f);
		put_items(f);
		fputs(", ", f);
	}
	fprintf(f, "\"device\": {\"os\": \"linux\", \"mobile\": %s}, \"note\": \"%s\"}",
		driver_below(2) ? "true" : "false", notes[driver_below(N(notes))]);
	if (r < 22)
		fputs(", \"campaign\": \"spring\"", f);
	fputs("}", f);
}

/* One malformed line (without its '\n'). */
static void put_malformed(FILE *f, int64_t id)
{
	switch (driver_below(12)) {
	case 0: {  /* a valid line cut short */
		char buf[600];
		FILE *m = fmemopen(buf, sizeof(buf), "w");
		long len;

		if (!m)
			break;
		put_event(m, id, "click");
		len = ftell(m);
		fclose(m);
		buf[sizeof(buf) - 1] = '\0';
		len = len < (long)sizeof(buf) - 1 ? len : (long)sizeof(buf) - 1;
		if (len >= 2)
			fprintf(f, "%.*s", (int)(1 + driver_below((uint64_t)len - 1)), buf);
		else
			fputc('{', f);
		break;
	}
	case 1:
		break;  /* blank */
	case 2:
		fputs("not json at all", f);
		break;
	case 3:
		fprintf(f, "[%" PRId64 ", \"click\"]", id);
		break;
	case 4:
		fprintf(f, "{\"event_id\": \"%" PRId64 "\", \"event_type\": \"click\"}", id);
		break;
	case 5:
		fprintf(f, "{\"event_id\": %" PRId64 ", \"type\": \"click\"}", id);
		break;
	case 6:
		fprintf(f, "{\"event_id\": %" PRId64 ", \"event_type\": 1}", id);
		break;
	case 7:
		fprintf(f, "{\"event_id\": %" PRId64 ", \"event_type\": \"click\"} x", id);
		break;
	case 8:
		fprintf(f, "{\"event_id\": %" PRId64 ".5, \"event_type\": \"click\"}", id);
		break;
	case 9:
		fprintf(f, "{\"event_id\": %" PRId64 ", \"event_type\": \"click\"}{\"event_id\": 1, \"event_type\": \"click\"}", id);
		break;
	case 10:
		fputs("{\"event_id\": 1e3, \"event_type\": \"click\"}", f);
		break;
	default:
		fputs(" \t ", f);
		break;
	}
}

/*
 * Writes the events file; returns how many valid "click" events it holds
 * (the driver's own count, used only to pick batch sizes). final_newline
 * 0 leaves the last line without its '\n'.
 */
static uint64_t write_events(const char *path, size_t lines, int final_newline)
{
	FILE *f = fopen(path, "w");
	int64_t id = (int64_t)driver_below(1000000);
	uint64_t clicks = 0;

	if (!f) {
		fprintf(stderr, "driver: cannot write %s: %s\n", path, strerror(errno));
		exit(1);
	}
	for (size_t i = 0; i < lines; i++) {
		unsigned r = (unsigned)driver_below(1000);

		id += 1 + (int64_t)driver_below(3);
		if (r < 40) {
			put_malformed(f, id);
		} else {
			const char *t = r < 640 ? "click" : r < 890 ? "view" :
					r < 990 ? "purchase" : "signup";
			int64_t eid = id;

			if (r % 97 == 0)
				eid = -(int64_t)driver_below(1000);
			else if (r % 89 == 0)
				eid = (int64_t)driver_below(1ull << 53);
			put_event(f, eid, t);
			clicks += strcmp(t, "click") == 0;
		}
		if (i + 1 < lines || final_newline)
			fputc('\n', f);
	}
	if (fclose(f) != 0) {
		fprintf(stderr, "driver: cannot write %s\n", path);
		exit(1);
	}
	return clicks;
}

/*
 * "Process on `workers` threads": every thread the solution starts goes
 * through the driver's pthread_create (a definition in the program comes
 * before the C library's, which it calls), which counts them. A run on w
 * workers with b batches must start at least min(w, b) - 1 threads (- 1:
 * the calling thread may be a worker; min: no more threads than batches
 * are needed). How many run at once is not required: with little work a
 * pool's threads may come and go one after another.
 */
static int (*real_create)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
static atomic_int threads_started;

struct start {
	void *(*fn)(void *);
	void *arg;
};

#if defined(__SANITIZE_THREAD__)
/*
 * ThreadSanitizer reports accesses that nothing orders, in the run it
 * watches. When the reader is the slow part, each batch is summed before
 * the next comes, and the queue's lock, taken in turn, happens to order
 * the workers' updates of shared sums: TSan, rightly, sees no race in
 * that run. In its build the driver's pthread_mutex_unlock (before the
 * C library's, which it calls) makes each of the solution's threads
 * pause a little after its first unlocks, so that workers that took
 * their batches at about the same time go on to sum them at about the
 * same time, as they would on a machine with a fast disk and many cores.
 * Timing only: a correct solution's results are the same. (With the
 * pauses, shared sums without a lock were reported in 10 runs of 10;
 * without, in 4.)
 */
#define UNLOCK_PAUSE_NS 50000L
#define UNLOCK_PAUSES 32          /* the first unlocks of each thread */

static int (*real_unlock)(pthread_mutex_t *);
static _Thread_local int solution_thread, pauses;

int pthread_mutex_unlock(pthread_mutex_t *m)
{
	int rc;

	if (!real_unlock) {
		void *sym = dlsym(RTLD_NEXT, "pthread_mutex_unlock");

		memcpy(&real_unlock, &sym, sizeof(real_unlock));
	}
	rc = real_unlock(m);
	if (solution_thread && pauses++ < UNLOCK_PAUSES) {
		struct timespec ts = { 0, UNLOCK_PAUSE_NS };

		nanosleep(&ts, NULL);
	}
	return rc;
}
#endif

static void *counted(void *arg)
{
	struct start s = *(struct start *)arg;

	free(arg);
#if defined(__SANITIZE_THREAD__)
	solution_thread = 1;
#endif
	return s.fn(s.arg);
}

int pthread_create(pthread_t *thread, const pthread_attr_t *attr,
		   void *(*fn)(void *), void *arg)
{
	struct start *s = malloc(sizeof(*s));
	int rc;

	if (!real_create || !s) {
		free(s);
		return EAGAIN;
	}
	s->fn = fn;
	s->arg = arg;
	if ((rc = real_create(thread, attr, counted, s)) != 0)
		free(s);
	else
		atomic_fetch_add(&threads_started, 1);
	return rc;
}

static void setup(void)
{
	void *sym = dlsym(RTLD_NEXT, "pthread_create");

	memcpy(&real_create, &sym, sizeof(real_create));
	driver_modest_threads();
}

static void run(const char *path, const char *type, size_t batch, int workers)
{
	struct pipeline_stats st;
	int rc, started, need;

	memset(&st, 0xee, sizeof(st));
	atomic_store(&threads_started, 0);
	rc = run_pipeline(path, type, batch, workers, &st);
	started = atomic_load(&threads_started);
	printf("%s, type %s%s%s, batch %zu, workers %d: rc %d\n", path,
	       type ? "\"" : "", type ? type : "NULL", type ? "\"" : "", batch,
	       workers, rc);
	if (rc != 0)
		return;
	need = (st.batches < (uint64_t)workers ? (int)st.batches : workers) - 1;
	if (need >= 1)
		printf("  on worker threads: %s\n", started >= need ? "yes" :
		       "no (fewer threads started than workers asked for)");
	printf("  lines %" PRIu64 "\n", st.lines);
	printf("  malformed %" PRIu64 "\n", st.malformed);
	printf("  kept %" PRIu64 "\n", st.kept);
	printf("  batches %" PRIu64 "\n", st.batches);
	printf("  last batch %" PRIu64 "\n", st.last_batch);
	printf("  checksum %016" PRIx64 "\n", st.checksum);
	printf("  quantity %" PRIu64 "\n", st.quantity);
}

static size_t some_lines(void)
{
	return 2500 + driver_below(1000);
}

static int test_batches(void)
{
	uint64_t kept = write_events("events.jsonl", some_lines(), 1);
	size_t divisor = (size_t)kept;

	/* A batch size that divides the kept count (the count itself when
	 * it is prime). */
	for (size_t d = 2; d * d <= kept; d++)
		if (kept % d == 0) {
			divisor = (size_t)(kept / d);
			break;
		}
	run("events.jsonl", "click", 1, 1);
	run("events.jsonl", "click", 7, 2);
	run("events.jsonl", "click", divisor, 3);
	run("events.jsonl", "click", (size_t)kept, 4);
	run("events.jsonl", "click", (size_t)kept + 1, 2);
	run("events.jsonl", "click", 64, 16);
	run("events.jsonl", "click", 1000000, 5);
	run("events.jsonl", "click", 10 + driver_below(90), 8);
	return 0;
}

static int test_filter(void)
{
	FILE *f;

	write_events("events.jsonl", some_lines(), 1);
	for (size_t t = 1; t < N(types); t++)
		run("events.jsonl", types[t], 5 + driver_below(20),
		    1 + (int)driver_below(4));
	run("events.jsonl", "nosuch", 10, 2);
	run("events.jsonl", "", 10, 2);
	run("events.jsonl", "CLICK", 10, 2);
	write_events("short.jsonl", 50 + driver_below(100), 0);
	run("short.jsonl", "click", 4, 3);
	if (!(f = fopen("empty.jsonl", "w")) || fclose(f) != 0) {
		fprintf(stderr, "driver: cannot write empty.jsonl\n");
		return 1;
	}
	run("empty.jsonl", "click", 4, 2);
	if (!(f = fopen("bad.jsonl", "w"))) {
		fprintf(stderr, "driver: cannot write bad.jsonl\n");
		return 1;
	}
	for (int i = 0; i < 30; i++) {
		put_malformed(f, i);
		fputc('\n', f);
	}
	if (fclose(f) != 0) {
		fprintf(stderr, "driver: cannot write bad.jsonl\n");
		return 1;
	}
	run("bad.jsonl", "click", 4, 2);
	run("missing.jsonl", "click", 4, 2);
	run("events.jsonl", "click", 0, 2);
	run("events.jsonl", "click", 4, 0);
	run("events.jsonl", "click", 4, PIPELINE_MAX_WORKERS + 1);
	run("events.jsonl", NULL, 4, 2);
	printf("no stats: rc %d\n", run_pipeline("events.jsonl", "click", 4, 2, NULL));
	return 0;
}

static const struct driver_test tests[] = {
	{ "batches", test_batches },
	{ "filter", test_filter },
};

DRIVER_MAIN(tests, setup)
