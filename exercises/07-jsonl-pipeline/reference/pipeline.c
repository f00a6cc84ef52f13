/*
 * pipeline.c - exercise 07, reference solution.
 *
 * The calling thread reads the file with getline (one line in memory at a
 * time), parses each line with Jansson, filters, and fills batches of
 * parsed events; full batches go through a bounded queue to the worker
 * threads, so at most a few batches are ever in memory and a slow worker
 * holds the reader back rather than letting the queue grow. Each worker
 * sums what its batches hold into totals of its own; the caller adds the
 * totals up once the workers are joined.
 *
 * A batch owns its events' JSON objects: the reader hands them over
 * through the queue and never touches them again, so Jansson's reference
 * counts, which are not atomic, are only ever used by one thread at a
 * time.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "pipeline.h"

struct batch {
	size_t n;
	json_t *events[];
};

/* A bounded queue of batches; closed once the reader is done. */
struct queue {
	pthread_mutex_t lock;
	pthread_cond_t not_empty, not_full;
	struct batch **slots;
	size_t cap, head, count;
	int closed;
};

struct worker {
	struct queue *q;
	uint64_t batches, checksum, quantity;
	pthread_t thread;
};

/* Blocks while the queue is full. */
static void put(struct queue *q, struct batch *b)
{
	pthread_mutex_lock(&q->lock);
	while (q->count == q->cap)
		pthread_cond_wait(&q->not_full, &q->lock);
	q->slots[(q->head + q->count++) % q->cap] = b;
	pthread_cond_signal(&q->not_empty);
	pthread_mutex_unlock(&q->lock);
}

/* The next batch, or NULL once the queue is closed and empty. */
static struct batch *take(struct queue *q)
{
	struct batch *b = NULL;

	pthread_mutex_lock(&q->lock);
	while (q->count == 0 && !q->closed)
		pthread_cond_wait(&q->not_empty, &q->lock);
	if (q->count > 0) {
		b = q->slots[q->head];
		q->head = (q->head + 1) % q->cap;
		q->count--;
		pthread_cond_signal(&q->not_full);
	}
	pthread_mutex_unlock(&q->lock);
	return b;
}

static void close_queue(struct queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->closed = 1;
	pthread_cond_broadcast(&q->not_empty);
	pthread_mutex_unlock(&q->lock);
}

/* The sum of the integer qty of payload.items[]. */
static uint64_t quantity_of(json_t *event)
{
	json_t *items = json_object_get(json_object_get(event, "payload"), "items");
	uint64_t sum = 0;
	size_t i;
	json_t *item;

	json_array_foreach(items, i, item) {
		json_t *qty = json_object_get(item, "qty");

		if (json_is_integer(qty))
			sum += (uint64_t)json_integer_value(qty);
	}
	return sum;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct batch *b;

	while ((b = take(w->q))) {
		for (size_t i = 0; i < b->n; i++) {
			json_t *id = json_object_get(b->events[i], "event_id");

			w->checksum += pipeline_mix(json_integer_value(id));
			w->quantity += quantity_of(b->events[i]);
			json_decref(b->events[i]);
		}
		w->batches++;
		free(b);
	}
	return NULL;
}

static struct batch *new_batch(size_t size)
{
	struct batch *b = malloc(sizeof(*b) + size * sizeof(b->events[0]));

	if (b)
		b->n = 0;
	return b;
}

/* The event on line (len bytes), or NULL when the line is malformed. */
static json_t *parse_event(const char *line, size_t len)
{
	json_t *root = json_loadb(line, len, 0, NULL);

	if (root && json_is_integer(json_object_get(root, "event_id")) &&
	    json_is_string(json_object_get(root, "event_type")))
		return root;
	json_decref(root);  /* NULL, or no object with those fields */
	return NULL;
}

/* Reads, parses, filters and batches the file into q; 0 or -1. */
static int produce(FILE *f, const char *type, size_t size, struct queue *q,
		   struct pipeline_stats *st)
{
	struct batch *b = NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc = 0;

	while ((len = getline(&line, &cap, f)) > 0) {
		json_t *event;

		st->lines++;
		if (line[len - 1] == '\n')
			len--;
		if (!(event = parse_event(line, (size_t)len))) {
			st->malformed++;
			continue;
		}
		if (strcmp(json_string_value(json_object_get(event, "event_type")), type) != 0) {
			json_decref(event);
			continue;
		}
		if (!b && !(b = new_batch(size))) {
			json_decref(event);
			rc = -1;
			break;
		}
		st->kept++;
		b->events[b->n++] = event;
		if (b->n == size) {
			put(q, b);
			st->last_batch = size;
			b = NULL;
		}
	}
	if (ferror(f))
		rc = -1;
	if (b) {  /* the last, partial batch */
		st->last_batch = b->n;
		put(q, b);
	}
	free(line);
	return rc;
}

int run_pipeline(const char *path, const char *type, size_t batch, int workers,
		 struct pipeline_stats *st)
{
	struct worker w[PIPELINE_MAX_WORKERS];
	struct batch *slots[2 * PIPELINE_MAX_WORKERS];
	struct queue q;
	int started = 0, rc;
	FILE *f;

	if (!path || !type || !st || batch == 0 || workers < 1 ||
	    workers > PIPELINE_MAX_WORKERS)
		return -1;
	if (!(f = fopen(path, "r")))
		return -1;
	memset(st, 0, sizeof(*st));
	memset(&q, 0, sizeof(q));
	pthread_mutex_init(&q.lock, NULL);
	pthread_cond_init(&q.not_empty, NULL);
	pthread_cond_init(&q.not_full, NULL);
	q.slots = slots;
	q.cap = 2 * (size_t)workers;
	for (; started < workers; started++) {
		w[started] = (struct worker){ .q = &q };
		if (pthread_create(&w[started].thread, NULL, work, &w[started]) != 0)
			break;
	}
	/* Without a single worker, nobody would empty the queue. */
	rc = started > 0 ? produce(f, type, batch, &q, st) : -1;
	close_queue(&q);
	for (int k = 0; k < started; k++) {
		pthread_join(w[k].thread, NULL);
		st->batches += w[k].batches;
		st->checksum += w[k].checksum;
		st->quantity += w[k].quantity;
	}
	pthread_cond_destroy(&q.not_full);
	pthread_cond_destroy(&q.not_empty);
	pthread_mutex_destroy(&q.lock);
	fclose(f);
	return rc;
}
