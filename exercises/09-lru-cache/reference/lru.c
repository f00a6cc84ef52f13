/*
 * lru.c - exercise 09, reference solution.
 *
 * A hash table with chaining finds an entry by key; a doubly linked list
 * through the same entries keeps them from most (head) to least (tail)
 * recently used. Both take O(1) per operation: the table never holds
 * more than half as many entries as it has buckets, as it is sized once,
 * for the capacity.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lru.h"

struct entry {
	struct entry *prev, *next;  /* the recency list */
	struct entry *chain;        /* the next entry in the same bucket */
	uint64_t hash;
	long value;
	char key[];
};

struct lru {
	size_t capacity, size;
	size_t mask;                /* buckets - 1, a power of two */
	struct entry **buckets;
	struct entry *head, *tail;
	lru_evict_fn on_evict;
	void *ctx;
};

static uint64_t hash_key(const char *key)
{
	uint64_t h = 0xcbf29ce484222325ull;  /* FNV-1a */

	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 0x100000001b3ull;
	return h ^ (h >> 32);
}

struct lru *lru_create(size_t capacity, lru_evict_fn on_evict, void *ctx)
{
	struct lru *c;
	size_t buckets = 8;

	if (capacity == 0 || capacity > SIZE_MAX / 4 / sizeof(struct entry *))
		return NULL;
	while (buckets < 2 * capacity)
		buckets *= 2;
	if (!(c = calloc(1, sizeof(*c))))
		return NULL;
	if (!(c->buckets = calloc(buckets, sizeof(*c->buckets)))) {
		free(c);
		return NULL;
	}
	c->capacity = capacity;
	c->mask = buckets - 1;
	c->on_evict = on_evict;
	c->ctx = ctx;
	return c;
}

/* The entry of key, and where it hangs in its bucket; NULL if none. */
static struct entry **find(const struct lru *c, const char *key, uint64_t h)
{
	struct entry **at = &c->buckets[h & c->mask];

	for (; *at; at = &(*at)->chain)
		if ((*at)->hash == h && strcmp((*at)->key, key) == 0)
			return at;
	return NULL;
}

static void unlink_entry(struct lru *c, struct entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		c->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		c->tail = e->prev;
}

static void push_front(struct lru *c, struct entry *e)
{
	e->prev = NULL;
	e->next = c->head;
	if (c->head)
		c->head->prev = e;
	else
		c->tail = e;
	c->head = e;
}

int lru_get(struct lru *c, const char *key, long *value)
{
	struct entry **at;

	if (!c || !key || !(at = find(c, key, hash_key(key))))
		return 0;
	unlink_entry(c, *at);
	push_front(c, *at);
	if (value)
		*value = (*at)->value;
	return 1;
}

static void evict_lru(struct lru *c)
{
	struct entry *e = c->tail, **at = find(c, e->key, e->hash);

	*at = e->chain;
	unlink_entry(c, e);
	c->size--;
	if (c->on_evict)
		c->on_evict(e->key, e->value, c->ctx);
	free(e);
}

int lru_put(struct lru *c, const char *key, long value)
{
	struct entry **at, *e;
	uint64_t h;
	size_t len;

	if (!c || !key)
		return -1;
	h = hash_key(key);
	if ((at = find(c, key, h))) {
		(*at)->value = value;
		unlink_entry(c, *at);
		push_front(c, *at);
		return 0;
	}
	/* Allocate before evicting, so that a failure changes nothing. */
	len = strlen(key);
	if (!(e = malloc(sizeof(*e) + len + 1)))
		return -1;
	memcpy(e->key, key, len + 1);
	e->hash = h;
	e->value = value;
	if (c->size == c->capacity)
		evict_lru(c);
	e->chain = c->buckets[h & c->mask];
	c->buckets[h & c->mask] = e;
	push_front(c, e);
	c->size++;
	return 0;
}

size_t lru_size(const struct lru *c)
{
	return c ? c->size : 0;
}

void lru_destroy(struct lru *c)
{
	if (!c)
		return;
	while (c->head) {
		struct entry *e = c->head;

		c->head = e->next;
		free(e);
	}
	free(c->buckets);
	free(c);
}
