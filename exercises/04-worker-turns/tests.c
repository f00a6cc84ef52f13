/*
 * tests.c - exercise 04, public tests: ./driver TEST SEED
 *
 *   queue  the queue alone: FIFO order, a get that blocks until a put,
 *          four producers and two consumers at once, destroying a
 *          queue that still holds messages
 *   turns  run_turns for fixed and seed-made thread and turn counts, and
 *          bad arguments: every line written, in order, then which
 *          threads wrote them (one per worker number, never the caller)
 *
 * run_turns writes to a stream made with fopencookie, unbuffered, that
 * records the thread behind each write.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "driver.h"
#include "turns.h"

/* ---- queue --------------------------------------------------------------- */

#define PRODUCERS 4
#define CONSUMERS 2
#define PER_PRODUCER 3000

struct consumer {
	struct queue *q;
	long count;
	unsigned long sum;
	int in_order;             /* each producer's messages came in order */
	pthread_t thread;
};

struct producer {
	struct queue *q;
	int id;
	int failed;
	pthread_t thread;
};

static void *produce(void *arg)
{
	struct producer *p = arg;

	for (int i = 0; i < PER_PRODUCER; i++)
		if (queue_put(p->q, p->id * 100000 + i) != 0)
			p->failed++;
	return NULL;
}

static void *consume(void *arg)
{
	struct consumer *c = arg;
	int last[PRODUCERS];

	for (int i = 0; i < PRODUCERS; i++)
		last[i] = -1;
	/* Until the stop message, -1; a bound in case it never comes. */
	for (long n = 0; n < (long)PRODUCERS * PER_PRODUCER + 1; n++) {
		int m = queue_get(c->q), who = m / 100000, seq = m % 100000;

		if (m == -1)
			break;
		if (m < 0 || who >= PRODUCERS) {
			c->in_order = 0;
			continue;
		}
		if (seq <= last[who])
			c->in_order = 0;
		last[who] = seq;
		c->count++;
		c->sum += (unsigned long)m;
	}
	return NULL;
}

struct blocked {
	struct queue *q;
	int got;
	double cpu_ms;            /* CPU time the get took */
	pthread_t thread;
};

static double thread_cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void *get_one(void *arg)
{
	struct blocked *b = arg;
	double start = thread_cpu_ms();

	b->got = queue_get(b->q);
	b->cpu_ms = thread_cpu_ms() - start;
	return NULL;
}

/*
 * "Blocked, not spinning": a get that waits BLOCKED_MS for its message
 * may use at most SPIN_CPU_MS of CPU meanwhile. Blocked on a condition
 * variable it uses well under a millisecond; a loop that polls the queue
 * uses the CPU it is given, and even on a machine so busy that it gets a
 * tenth of a CPU that is 30 ms. (A loop that sleeps between polls is not
 * caught, nor penalised: it waits, if clumsily.)
 */
#define BLOCKED_MS 300
#define SPIN_CPU_MS 30.0

static int test_queue(void)
{
	struct queue *q = queue_create();
	struct producer prod[PRODUCERS];
	struct consumer cons[CONSUMERS];
	struct blocked b;
	int vals[200], n = 100 + (int)driver_below(100), fifo = 1, fails = 0;
	long count = 0;
	unsigned long sum = 0;
	int in_order = 1;

	printf("queue_create: %s\n", q ? "a queue" : "NULL");
	printf("put to no queue: %d\n", queue_put(NULL, 1));
	if (!q)
		return 0;
	/* One thread: what goes in comes out in the same order. */
	for (int i = 0; i < n; i++) {
		vals[i] = (int)driver_below(2000001) - 1000000;
		fails += queue_put(q, vals[i]) != 0;
	}
	for (int i = 0; i < n && fails == 0; i++)
		fifo &= queue_get(q) == vals[i];
	printf("fifo of %d: puts failed %d, order kept: %s\n", n, fails,
	       fails == 0 && fifo ? "yes" : "no");

	/* A get on an empty queue waits for the put that comes later. */
	b.q = q;
	b.got = 0;
	b.cpu_ms = 0;
	if (pthread_create(&b.thread, NULL, get_one, &b) != 0) {
		fprintf(stderr, "driver: cannot start a thread\n");
		return 1;
	}
	driver_sleep_ms(BLOCKED_MS);
	queue_put(q, vals[0]);
	pthread_join(b.thread, NULL);
	printf("blocked get returned the value put %d ms later: %s\n", BLOCKED_MS,
	       b.got == vals[0] ? "yes" : "no");
	printf("it waited blocked, not spinning: %s\n",
	       b.cpu_ms < SPIN_CPU_MS ? "yes" : "no (it used the CPU while the queue was empty)");

	/* Producers and consumers at once. */
	for (int i = 0; i < CONSUMERS; i++) {
		cons[i] = (struct consumer){ q, 0, 0, 1, 0 };
		if (pthread_create(&cons[i].thread, NULL, consume, &cons[i]) != 0) {
			fprintf(stderr, "driver: cannot start a thread\n");
			return 1;
		}
	}
	for (int i = 0; i < PRODUCERS; i++) {
		prod[i] = (struct producer){ q, i, 0, 0 };
		if (pthread_create(&prod[i].thread, NULL, produce, &prod[i]) != 0) {
			fprintf(stderr, "driver: cannot start a thread\n");
			return 1;
		}
	}
	fails = 0;
	for (int i = 0; i < PRODUCERS; i++) {
		pthread_join(prod[i].thread, NULL);
		fails += prod[i].failed;
	}
	for (int i = 0; i < CONSUMERS; i++)
		queue_put(q, -1);
	for (int i = 0; i < CONSUMERS; i++) {
		pthread_join(cons[i].thread, NULL);
		count += cons[i].count;
		sum += cons[i].sum;
		in_order &= cons[i].in_order;
	}
	printf("%d producers, %d consumers: puts failed %d, got %ld of %d, sum %lu, each producer's order kept: %s\n",
	       PRODUCERS, CONSUMERS, fails, count, PRODUCERS * PER_PRODUCER, sum,
	       in_order ? "yes" : "no");

	/* Destroyed with messages in it. */
	for (int i = 0; i < 10; i++)
		queue_put(q, i);
	queue_destroy(q);
	queue_destroy(NULL);
	printf("destroyed\n");
	return 0;
}

/* ---- turns --------------------------------------------------------------- */

#define CAP_BYTES 65536
#define CAP_WRITES 8192

/* What the stream received, and which thread wrote each byte range. */
static struct {
	pthread_mutex_t lock;
	char text[CAP_BYTES];
	size_t len;
	pid_t who[CAP_WRITES];
	size_t end[CAP_WRITES];   /* write k covered text up to end[k] */
	size_t writes;
	int overflow;
} cap = { PTHREAD_MUTEX_INITIALIZER, "", 0, { 0 }, { 0 }, 0, 0 };

static ssize_t cap_write(void *cookie, const char *buf, size_t size)
{
	(void)cookie;
	pthread_mutex_lock(&cap.lock);
	if (cap.len + size > CAP_BYTES || cap.writes == CAP_WRITES) {
		cap.overflow = 1;
	} else {
		memcpy(cap.text + cap.len, buf, size);
		cap.len += size;
		cap.who[cap.writes] = gettid();
		cap.end[cap.writes++] = cap.len;
	}
	pthread_mutex_unlock(&cap.lock);
	return (ssize_t)size;
}

/* The thread that wrote byte i, or 0. */
static pid_t writer_of(size_t i)
{
	for (size_t k = 0; k < cap.writes; k++)
		if (i < cap.end[k])
			return cap.who[k];
	return 0;
}

static void run_case(int nthreads, int turns)
{
	cookie_io_functions_t io = { NULL, cap_write, NULL, NULL };
	FILE *out;
	int rc, lines = 0, ok = 1;
	pid_t owner[TURNS_MAX_THREADS] = { 0 };
	char why[160] = "";

	cap.len = cap.writes = 0;
	cap.overflow = 0;
	if (!(out = fopencookie(NULL, "w", io))) {
		fprintf(stderr, "driver: fopencookie failed\n");
		exit(1);
	}
	setvbuf(out, NULL, _IONBF, 0);
	rc = run_turns(nthreads, turns, out);
	fflush(out);
	pthread_mutex_lock(&cap.lock);
	printf("run_turns(%d, %d): rc %d\n", nthreads, turns, rc);
	if (cap.overflow)
		printf("  more than %d bytes or %d writes: stopped recording\n",
		       CAP_BYTES, CAP_WRITES);
	/* Every line, and who wrote it. */
	for (size_t at = 0; at < cap.len && lines < 2000; lines++) {
		char *nl = memchr(cap.text + at, '\n', cap.len - at);
		size_t end = nl ? (size_t)(nl - cap.text) : cap.len;
		pid_t tid = writer_of(at);
		int k = -1, used = 0;

		printf("  %.*s%s\n", (int)(end - at > 60 ? 60 : end - at), cap.text + at,
		       nl ? "" : " (no newline)");
		if (sscanf(cap.text + at, "worker %d%n", &k, &used) != 1 ||
		    at + (size_t)used != end || k < 0 || k >= nthreads) {
			if (ok)
				snprintf(why, sizeof(why), "line %d is no \"worker K\" line", lines + 1);
			ok = 0;
		} else {
			for (size_t i = at; i < end + (nl != NULL); i++)
				if (writer_of(i) != tid && ok) {
					snprintf(why, sizeof(why), "line %d was written by two threads", lines + 1);
					ok = 0;
				}
			if (tid == gettid() && ok) {
				snprintf(why, sizeof(why), "line %d was written by the thread that called run_turns", lines + 1);
				ok = 0;
			}
			if (!owner[k])
				owner[k] = tid;
			if (owner[k] != tid && ok) {
				snprintf(why, sizeof(why), "worker %d's lines come from more than one thread", k);
				ok = 0;
			}
			for (int j = 0; j < nthreads && ok; j++)
				if (j != k && owner[j] == tid) {
					snprintf(why, sizeof(why), "workers %d and %d are the same thread", j, k);
					ok = 0;
				}
		}
		at = end + 1;
	}
	pthread_mutex_unlock(&cap.lock);
	if (lines == 0)
		printf("  no lines\n");
	else
		printf("  %d lines; writers: %s\n", lines,
		       ok ? "one thread per worker, not the caller" : why);
	fclose(out);
}

static int test_turns(void)
{
	static const int fixed[][2] = {
		{ 1, 5 }, { 2, 7 }, { 3, 10 }, { 5, 23 }, { 8, 40 }, { 4, 0 },
		{ 7, 3 }, { 1, 0 }, { 32, 70 },
		{ 0, 5 }, { -1, 5 }, { 33, 1 }, { 3, -1 },
	};

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		run_case(fixed[i][0], fixed[i][1]);
	for (int k = 0; k < 4; k++)
		run_case(1 + (int)driver_below(12), (int)driver_below(80));
	printf("no stream: rc %d\n", run_turns(2, 2, NULL));
	return 0;
}

static const struct driver_test tests[] = {
	{ "queue", test_queue },
	{ "turns", test_turns },
};

DRIVER_MAIN(tests, driver_modest_threads)
