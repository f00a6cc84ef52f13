/*
 * lru.c - exercise 09: an LRU cache, O(1) get and put.
 * The contracts are in lru.h; the task is in README.md.
 */
#include <stdlib.h>
#include <string.h>

#include "lru.h"

/* TODO: a hash table (key -> entry) and a doubly linked list of the
 * entries from most to least recently used. */
struct lru {
	size_t capacity;
};

struct lru *lru_create(size_t capacity, lru_evict_fn on_evict, void *ctx)
{
	/* TODO: allocate the cache and its hash table. */
	(void)capacity;
	(void)on_evict;
	(void)ctx;
	return NULL;
}

int lru_get(struct lru *c, const char *key, long *value)
{
	/* TODO: find key; if there, move it to the front of the list,
	 * store its value and return 1. */
	(void)c;
	(void)key;
	(void)value;
	return 0;
}

int lru_put(struct lru *c, const char *key, long value)
{
	/* TODO: update and move to the front, or insert at the front after
	 * evicting the list's last entry from a full cache. */
	(void)c;
	(void)key;
	(void)value;
	return -1;
}

size_t lru_size(const struct lru *c)
{
	/* TODO */
	(void)c;
	return 0;
}

void lru_destroy(struct lru *c)
{
	/* TODO: free every entry, the table and the cache. */
	(void)c;
}
