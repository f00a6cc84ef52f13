/*
 * lru.h - exercise 09: a least-recently-used cache of string keys.
 */
#ifndef LRU_H
#define LRU_H

#include <stddef.h>

/* The cache; you define struct lru in lru.c. */
struct lru;

/* Called with each evicted entry; key is valid only during the call. It
 * must not call the cache's functions. */
typedef void (*lru_evict_fn)(const char *key, long value, void *ctx);

/*
 * A new, empty cache holding at most `capacity` entries. on_evict (may be
 * NULL) is called, with ctx, for every entry evicted to make room.
 * Returns NULL when capacity is 0 or memory runs out.
 */
struct lru *lru_create(size_t capacity, lru_evict_fn on_evict, void *ctx);

/*
 * Looks key up. When it is there: stores its value in *value (when value
 * is not NULL), makes it the most recently used entry and returns 1.
 * Otherwise returns 0 and changes nothing. Expected O(1) time.
 */
int lru_get(struct lru *c, const char *key, long *value);

/*
 * Sets key's value and makes key the most recently used entry. A key not
 * yet in a full cache first evicts the least recently used entry (calling
 * on_evict); updating a key already there evicts nothing. Keys are any
 * NUL-terminated strings ("" too), compared byte for byte and copied by
 * the cache. Returns 0, or -1 when c or key is NULL or memory runs out
 * (then the cache is unchanged). Expected O(1) time.
 */
int lru_put(struct lru *c, const char *key, long value);

/* The number of entries in the cache (0 for NULL). */
size_t lru_size(const struct lru *c);

/* Frees the cache and its entries, without calling on_evict. c may be
 * NULL. */
void lru_destroy(struct lru *c);

#endif
