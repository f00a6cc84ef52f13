/*
 * wordcount.c - word count as map-reduce: map, shuffle, reduce.
 *
 * The text is cut into blocks of about BLOCK_BYTES, each ending between
 * words, and the work runs in two stages (see workload.h):
 *
 *   map     one task per --chunk blocks: split into words (wordcount.h),
 *           count them in a table of the task's own (Hadoop's combiner),
 *           then shuffle: write each (word, count) into one of PARTITIONS
 *           segments, chosen by the word's hash, in the shared arena;
 *   reduce  one task per partition: read that partition's segment of
 *           every map task, sum the counts per word, and fold the words
 *           into the result.
 *
 * The arena and its directory are mapped MAP_SHARED in prepare(), before
 * any worker exists, so what a forked map worker writes a later reduce
 * worker reads; a map task owns the arena bytes at twice its text's
 * offset (an encoded entry, length + word + count, never takes more than
 * twice the text it came from: a word of n letters and its separator give
 * at most n + 2 bytes, and a count needing k more bytes stands for 128^k
 * occurrences), so map tasks never share a byte and need no lock.
 *
 * The result, the number of words, the number of distinct words and a
 * sum over words of a hash of (word, count), is the same for any chunk,
 * mode, worker count or partition count.
 *
 * An --input file is read into memory with read(2) once, in prepare(),
 * not mapped: a file truncated under a mapping raises SIGBUS in whichever
 * worker touches the lost pages, and a guard for that in threads and
 * forked workers alike would be far more delicate than the copy is
 * costly (for 100 MB, 20 to 50 ms of CPU, up to 0.2 s on memory never
 * touched before, not timed, against 0.6 s of CPU for a serial pass,
 * which no longer faults the file's pages in). Forked workers share the
 * copy copy-on-write. The file's size and modification time are kept,
 * and check() fails a pass that finds them changed: the result no longer
 * describes the file.
 *
 * Hash tables are written here rather than taken from a library: the
 * counting loop is the whole benchmark, and it needs keys compared as
 * they are lowercased, straight from the text, with no allocation per
 * word; glib's GHashTable or a search.h table would allocate per key.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "bench/workload.h"
#include "gen.h"
#include "lib/rng.h"
#include "lib/checkpoint.h"
#include "common.h"
#include "wordcount.h"

#define BLOCK_BYTES (256u << 10)
#define PARTITIONS 64u
#define TABLE_MIN 1024u

const unsigned char bench__wc_lower[256] = {
#define L(c) [c] = c, [c - 'a' + 'A'] = c
	L('a'), L('b'), L('c'), L('d'), L('e'), L('f'), L('g'), L('h'),
	L('i'), L('j'), L('k'), L('l'), L('m'), L('n'), L('o'), L('p'),
	L('q'), L('r'), L('s'), L('t'), L('u'), L('v'), L('w'), L('x'),
	L('y'), L('z'),
#undef L
};

struct seg {
	uint64_t off, len; /* a partition's entries in the arena */
};

/* What an --input file was when prepare() read it. */
struct stamp {
	off_t size;             /* bytes */
	struct timespec mtime;  /* last modification */
};

struct wc_state {
	const unsigned char *text;
	size_t len;
	unsigned char *owned;  /* generated text; else NULL */
	unsigned char *copy;   /* the --input file's bytes (bench__input_alloc) */
	size_t copy_len;       /* bytes mapped at copy */
	int fd;                /* the --input file, to check; else -1 */
	char *path;            /* the --input path, for messages; else NULL */
	struct stamp stamp;    /* the --input file as it was read */
	uint64_t nblocks;
	uint64_t *start;       /* nblocks + 1 block boundaries */
	unsigned char *arena;  /* MAP_SHARED */
	size_t arena_len;
	struct seg *dir;       /* MAP_SHARED: nblocks x PARTITIONS */
	size_t dir_len;
	unsigned stage;        /* 0 map, 1 reduce */
};

struct wc_result {
	uint64_t words;    /* occurrences */
	uint64_t distinct; /* distinct words */
	uint64_t sum;      /* over words: mix(hash(word) ^ mix(count)) */
};

/* ---- a table of counts per word ------------------------------------ */

struct entry {
	uint64_t hash;
	uint64_t count;
	uint64_t head;     /* map tables: the word's first 8 letters (head8) */
	uint64_t off;      /* the lowercased word in keys; */
	uint32_t len;      /* len 0: an empty slot */
};

struct table {
	struct entry *slot;
	size_t mask;       /* slots - 1 */
	size_t used;
	char *keys;
	size_t keys_len, keys_cap;
};

static uint64_t word_hash(const unsigned char *w, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a over the lowercase */

	for (size_t i = 0; i < len; i++)
		h = (h ^ bench__wc_lower[w[i]]) * 0x100000001b3ull;
	return bench__mix64(h);
}

static int table_init(struct table *t)
{
	memset(t, 0, sizeof(*t));
	t->slot = calloc(TABLE_MIN, sizeof(*t->slot));
	t->mask = TABLE_MIN - 1;
	return t->slot ? 0 : -1;
}

static void table_free(struct table *t)
{
	free(t->slot);
	free(t->keys);
}

static int table_grow(struct table *t)
{
	size_t n = (t->mask + 1) * 2;
	struct entry *s = calloc(n, sizeof(*s));

	if (!s)
		return -1;
	for (size_t i = 0; i <= t->mask; i++) {
		struct entry *e = &t->slot[i];
		size_t k = e->hash & (n - 1);

		if (!e->len)
			continue;
		while (s[k].len)
			k = (k + 1) & (n - 1);
		s[k] = *e;
	}
	free(t->slot);
	t->slot = s;
	t->mask = n - 1;
	return 0;
}

/* Whether word w (any case, len bytes) is the lowercase key. */
static int same_word(const char *key, const unsigned char *w, size_t len)
{
	size_t i = 0;

	while (i < len && key[i] == (char)bench__wc_lower[w[i]])
		i++;
	return i == len;
}

/* Puts word w (any case, len bytes) with count into empty slot e. 0, or
 * -1 out of memory. */
static int table_insert(struct table *t, struct entry *e,
			const unsigned char *w, size_t len, uint64_t hash,
			uint64_t count, uint64_t head)
{
	if (len > UINT32_MAX)
		return -1;
	if (t->keys_len + len > t->keys_cap) {
		size_t cap = t->keys_cap ? t->keys_cap * 2 : 4096;
		char *keys;

		while (cap < t->keys_len + len)
			cap *= 2;
		keys = realloc(t->keys, cap);
		if (!keys)
			return -1;
		t->keys = keys;
		t->keys_cap = cap;
	}
	for (size_t i = 0; i < len; i++)
		t->keys[t->keys_len + i] = (char)bench__wc_lower[w[i]];
	*e = (struct entry){ hash, count, head, t->keys_len, (uint32_t)len };
	t->keys_len += len;
	if (++t->used * 2 > t->mask + 1)
		return table_grow(t);
	return 0;
}

/* Adds count to word w (any case, len bytes). 0, or -1 out of memory. */
static int table_add(struct table *t, const unsigned char *w, size_t len,
		     uint64_t hash, uint64_t count)
{
	size_t k = hash & t->mask;

	for (;; k = (k + 1) & t->mask) {
		struct entry *e = &t->slot[k];

		if (!e->len)
			return table_insert(t, e, w, len, hash, count, 0);
		if (e->hash == hash && e->len == len &&
		    same_word(t->keys + e->off, w, len)) {
			e->count += count;
			return 0;
		}
	}
}

/* ---- encoding of shuffled entries ----------------------------------- */

static size_t put_varint(unsigned char *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (unsigned char)v;
	return n;
}

static size_t varint_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/* Reads a varint within [*p, end): 0, or -1 if it runs past end. */
static int get_varint(const unsigned char **p, const unsigned char *end,
		      uint64_t *v)
{
	uint64_t x = 0;

	for (int shift = 0; *p < end && shift < 64; shift += 7) {
		unsigned char b = *(*p)++;

		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = x;
			return 0;
		}
	}
	return -1;
}

static unsigned partition_of(uint64_t hash)
{
	return (unsigned)(hash >> 58) % PARTITIONS;
}

/* ---- input ----------------------------------------------------------- */

static void wc_release(void *state)
{
	struct wc_state *s = state;

	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	bench__input_free(s->copy, s->copy_len);
	if (s->arena)
		munmap(s->arena, s->arena_len);
	if (s->dir)
		munmap(s->dir, s->dir_len);
	free(s->owned);
	free(s->path);
	free(s->start);
	free(s);
}

static struct stamp stamp_of(const struct stat *st)
{
	return (struct stamp){ st->st_size, st->st_mtim };
}

static int same_stamp(const struct stamp *a, const struct stamp *b)
{
	return a->size == b->size && a->mtime.tv_sec == b->mtime.tv_sec &&
	       a->mtime.tv_nsec == b->mtime.tv_nsec;
}

/* The error for an input found changed (`when`: "during the run"). */
static int changed(const struct wc_state *s, const char *when,
		   const struct stamp *now, struct bench_err *err)
{
	if (now->size != s->stamp.size)
		return bench_err_set(err, BENCH_EINPUT,
				     "wordcount: input '%s' changed %s (%jd bytes, now %jd)",
				     s->path, when, (intmax_t)s->stamp.size,
				     (intmax_t)now->size);
	return bench_err_set(err, BENCH_EINPUT,
			     "wordcount: input '%s' changed %s (%jd bytes, the same size but rewritten)",
			     s->path, when, (intmax_t)s->stamp.size);
}

/* Reads the whole --input file into s->copy. */
static int load_input(struct wc_state *s, const char *path,
		      struct bench_err *err)
{
	struct stat st;
	struct stamp now;
	size_t got = 0;

	if (!(s->path = strdup(path)))
		return bench_err_set(err, BENCH_ENOMEM, "out of memory");
	s->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0)
		return bench_err_set(err, BENCH_ESYS, "wordcount: cannot open %s: %s",
				     path, strerror(errno));
	if (fstat(s->fd, &st) != 0)
		return bench_err_set(err, BENCH_ESYS, "wordcount: cannot stat %s: %s",
				     path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return bench_err_set(err, BENCH_ESYS,
				     "wordcount: %s is not a regular file: expected a text file",
				     path);
	s->stamp = stamp_of(&st);
	if ((uint64_t)st.st_size >= SIZE_MAX / 4)
		return bench_err_set(err, BENCH_ENOMEM,
				     "wordcount: %s is too large: %jd bytes",
				     path, (intmax_t)st.st_size);
	/* One byte more than the file, so a read that fills it shows that
	 * the file grew. */
	s->copy_len = (size_t)st.st_size + 1;
	/* In huge pages (bench__input_alloc): the first touch of each fresh
	 * page is most of what the copy costs: reading 100 MB took 15 to 50
	 * ms of CPU into 2 MiB pages, 270 to 330 ms into 4 KiB pages. */
	s->copy = bench__input_alloc(s->copy_len);
	if (!s->copy)
		return bench_err_set(err, BENCH_ENOMEM,
				     "wordcount: cannot hold %s in memory: %jd bytes",
				     path, (intmax_t)st.st_size);
	for (;;) {
		size_t want = (size_t)st.st_size + 1 - got;
		ssize_t n = read(s->fd, s->copy + got,
				 want < (1u << 30) ? want : (1u << 30));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return bench_err_set(err, BENCH_ESYS,
					     "wordcount: cannot read %s: %s", path,
					     strerror(errno));
		if (n == 0 || (got += (size_t)n) > (size_t)st.st_size)
			break;
	}
	if (fstat(s->fd, &st) != 0)
		return bench_err_set(err, BENCH_ESYS, "wordcount: cannot stat %s: %s",
				     path, strerror(errno));
	now = stamp_of(&st);
	if (got != (size_t)s->stamp.size || !same_stamp(&now, &s->stamp))
		return changed(s, "while it was read", &now, err);
	s->text = s->copy;
	s->len = got;
	return 0;
}

static int generate(struct wc_state *s, const struct bench_params *p,
		    struct bench_err *err)
{
	size_t cap = 1u << 20, len = 0;
	unsigned char *buf = malloc(cap);

	for (uint64_t i = 0; buf && i < p->size; i++) {
		if (cap - len < BENCH__GEN_LINE_MAX) {
			unsigned char *more = realloc(buf, cap * 2);

			if (!more) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = more;
			cap *= 2;
		}
		len += bench__gen_text_line(p->seed, i, (char *)buf + len);
	}
	if (!buf)
		return bench_err_set(err, BENCH_ENOMEM,
				     "wordcount: cannot hold %" PRIu64 " lines of text",
				     p->size);
	s->owned = buf;
	s->text = buf;
	s->len = len;
	return 0;
}

/* Cuts the text into blocks of about BLOCK_BYTES, each ending between
 * words (after a byte that is not a letter, or at the end). */
static int cut_blocks(struct wc_state *s)
{
	uint64_t most = s->len / BLOCK_BYTES + 1, n = 0;
	size_t at = 0;

	s->start = malloc((most + 1) * sizeof(*s->start));
	if (!s->start)
		return -1;
	while (at < s->len) {
		size_t next = at + BLOCK_BYTES;

		if (next >= s->len) {
			next = s->len;
		} else {
			while (next < s->len && bench__wc_lower[s->text[next - 1]])
				next++;
		}
		s->start[n++] = at;
		at = next;
	}
	s->start[n] = s->len;
	s->nblocks = n;
	return 0;
}

static void *map_shared(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static int wc_prepare(const struct bench_params *p, void **out,
		      struct bench_err *err)
{
	struct wc_state *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return bench_err_set(err, BENCH_ENOMEM, "out of memory");
	s->fd = -1;
	rc = bench_params_text(p, "input") ?
		     load_input(s, bench_params_text(p, "input"), err) :
		     generate(s, p, err);
	if (rc == 0 && cut_blocks(s) != 0)
		rc = bench_err_set(err, BENCH_ENOMEM, "out of memory");
	if (rc == 0) {
		s->arena_len = 2 * s->len + 16 * s->nblocks + 16;
		s->dir_len = (s->nblocks ? s->nblocks : 1) * PARTITIONS *
			     sizeof(struct seg);
		s->arena = map_shared(s->arena_len);
		s->dir = map_shared(s->dir_len);
		if (!s->arena || !s->dir)
			rc = bench_err_set(err, BENCH_ENOMEM,
					   "wordcount: cannot map %zu bytes for the shuffle: %s",
					   s->arena_len, strerror(errno));
	}
	if (rc) {
		wc_release(s);
		return rc;
	}
	*out = s;
	return 0;
}

static uint64_t wc_item_count(const void *state)
{
	const struct wc_state *s = state;

	return s->stage == 0 ? s->nblocks : PARTITIONS;
}

static int wc_stage_begin(void *state, unsigned stage, struct bench_err *err)
{
	(void)err;
	((struct wc_state *)state)->stage = stage;
	return 0;
}

/* ---- the stages ------------------------------------------------------- */

static int nomem(struct bench_err *err, const char *what)
{
	return bench_err_set(err, BENCH_ENOMEM, "wordcount: out of memory %s",
			     what);
}

/* ---- the map's scanner ---------------------------------------------- */

/*
 * The map reads every byte of the text, so finding words is most of the
 * benchmark. bench__wc_next's byte-at-a-time loop takes two branches a
 * word that the CPU cannot predict (where the word starts, where it
 * ends), then the word is read again to hash it: 21 ns a word here, 0.5 s
 * of CPU for 100 MB. Here 64 bytes at a time become a mask of their
 * letters (SSE2 where the CPU has it, the letter table otherwise), and
 * the words are read off the mask with count-trailing-zeros, so the loop
 * over one chunk's words is mispredicted once, at its end. A word is
 * hashed 8 letters at a time, lowercased by setting each byte's 0x20 bit
 * (every byte of a word is a letter), and a word of up to 8 letters is
 * compared as one 64-bit head. The words are bench__wc_next's: the test
 * wordcount_known_counts recounts them with it on texts built to cross
 * every chunk edge.
 *
 * This hash is the map's alone: it picks table slots and partitions, the
 * same in every map task (all run this code). The reduce hashes each
 * distinct word with word_hash, which the checksum is built on.
 */
#define CHUNK 64

/* Bit i set when byte i of the CHUNK at p is a letter. */
static uint64_t letters64(const unsigned char *p)
{
	uint64_t m = 0;
#ifdef __SSE2__
	/* c | 0x20 in 'a'..'z', as a signed compare: SSE2 has no unsigned one. */
	const __m128i case_bit = _mm_set1_epi8(0x20);
	const __m128i to_min = _mm_set1_epi8((char)(128 - 'a'));
	const __m128i past_z = _mm_set1_epi8((char)(-128 + 26));

	for (int i = 0; i < CHUNK / 16; i++) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i));

		x = _mm_add_epi8(_mm_or_si128(x, case_bit), to_min);
		m |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmplt_epi8(x, past_z))
		     << (16 * i);
	}
#else
	for (int i = 0; i < CHUNK; i++)
		m |= (uint64_t)(bench__wc_lower[p[i]] != 0) << i;
#endif
	return m;
}

/* Letters [w, w + n), 1 <= n <= 8, lowercased, as a number: the first in
 * the lowest byte, zeros above the n-th. Nothing at or past limit is
 * read. */
static inline uint64_t head8(const unsigned char *w, size_t n,
			     const unsigned char *limit)
{
	uint64_t v = 0;

	memcpy(&v, w, limit - w >= 8 ? 8 : n);
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	v |= 0x2020202020202020ull;
	return n >= 8 ? v : v & ((1ull << (8 * n)) - 1);
}

/* Counts one more of word w (any case, len bytes) in a map table. 0, or
 * -1 out of memory. */
static int map_add(struct table *t, const unsigned char *w, size_t len,
		   const unsigned char *limit)
{
	uint64_t head = head8(w, len < 8 ? len : 8, limit), h = head;
	size_t k;

	for (size_t i = 8; i < len; i += 8)
		h = bench__mix64(h) ^ head8(w + i, len - i < 8 ? len - i : 8, limit);
	h = bench__mix64(h ^ (uint64_t)len);
	for (k = h & t->mask;; k = (k + 1) & t->mask) {
		struct entry *e = &t->slot[k];

		if (!e->len)
			return table_insert(t, e, w, len, h, 1, head);
		if (e->hash == h && e->head == head && e->len == len &&
		    (len <= 8 || same_word(t->keys + e->off + 8, w + 8, len - 8))) {
			e->count++;
			return 0;
		}
	}
}

/* Counts the words of blocks [first, first + count) into t. */
static int count_words(const struct wc_state *s, uint64_t first,
		       uint64_t count, struct table *t)
{
	const unsigned char *p = s->text + s->start[first];
	const unsigned char *end = s->text + s->start[first + count];
	const unsigned char *limit = s->text + s->len;
	const unsigned char *w;
	size_t len;

	while (end - p >= CHUNK) {
		uint64_t m = letters64(p);
		const unsigned char *next = p + CHUNK;

		bench__checkpoint();
		while (m) {
			unsigned at = (unsigned)__builtin_ctzll(m);
			uint64_t run = ~(m >> at); /* zeros: the word's letters */
			unsigned n = run ? (unsigned)__builtin_ctzll(run) : CHUNK;

			if (at + n == CHUNK) {
				/* It may go on past the chunk: read on. */
				const unsigned char *q = p + CHUNK;

				while (q < end && bench__wc_lower[*q])
					q++;
				if (map_add(t, p + at, (size_t)(q - (p + at)), limit) != 0)
					return -1;
				next = q;
				break;
			}
			if (map_add(t, p + at, n, limit) != 0)
				return -1;
			m &= ~0ull << (at + n);
		}
		p = next;
	}
	while (bench__wc_next(&p, end, &w, &len))
		if (map_add(t, w, len, limit) != 0)
			return -1;
	return 0;
}

/* Map and shuffle: the task's words, counted, into its partitions. */
static int map_task(const struct wc_state *s, const struct bench_task *task,
		    struct bench_err *err)
{
	struct seg *dir = s->dir + task->first * PARTITIONS;
	uint64_t bytes[PARTITIONS] = { 0 }, off;
	unsigned char *base;
	struct table t;

	if (table_init(&t) != 0)
		return nomem(err, "mapping");
	if (count_words(s, task->first, task->count, &t) != 0) {
		table_free(&t);
		return nomem(err, "mapping");
	}
	for (size_t i = 0; i <= t.mask; i++) {
		const struct entry *e = &t.slot[i];

		if (e->len)
			bytes[partition_of(e->hash)] += varint_len(e->len) +
							e->len +
							varint_len(e->count);
	}
	off = 2 * s->start[task->first] + 16 * task->first;
	for (unsigned r = 0; r < PARTITIONS; r++) {
		dir[r] = (struct seg){ off, 0 };
		off += bytes[r];
	}
	base = s->arena;
	for (size_t i = 0; i <= t.mask; i++) {
		const struct entry *e = &t.slot[i];
		struct seg *g;
		unsigned char *p;

		if (!e->len)
			continue;
		g = &dir[partition_of(e->hash)];
		p = base + g->off + g->len;
		p += put_varint(p, e->len);
		memcpy(p, t.keys + e->off, e->len);
		p += e->len;
		p += put_varint(p, e->count);
		g->len = (uint64_t)(p - (base + g->off));
	}
	/* The task's other blocks hold nothing: reducers skip them. */
	for (uint64_t b = 1; b < task->count; b++)
		memset(s->dir + (task->first + b) * PARTITIONS, 0,
		       PARTITIONS * sizeof(struct seg));
	table_free(&t);
	return 0;
}

/* Reduce: partition r of every map task, summed per word into t. */
static int reduce_partition(const struct wc_state *s, unsigned r,
			    struct table *t, struct bench_err *err)
{
	for (uint64_t b = 0; b < s->nblocks; b++) {
		const struct seg *g = &s->dir[b * PARTITIONS + r];
		const unsigned char *p = s->arena + g->off, *end = p + g->len;

		while (p < end) {
			const unsigned char *w;
			uint64_t len, count;

			if (get_varint(&p, end, &len) != 0 ||
			    len > (uint64_t)(end - p))
				break;
			w = p;
			p += len;
			if (get_varint(&p, end, &count) != 0)
				break;
			bench__checkpoint();
			if (table_add(t, w, len, word_hash(w, len), count) != 0)
				return nomem(err, "reducing");
		}
		if (p != end)
			return bench_err_set(err, BENCH_EWORKER,
					     "wordcount: partition %u of block %" PRIu64 " is corrupt",
					     r, b);
	}
	return 0;
}

static int wc_run(const void *state, const struct bench_task *task,
		  void *partial, struct bench_err *err)
{
	const struct wc_state *s = state;
	struct wc_result *res = partial;
	struct table t;
	int rc = 0;

	if (s->stage == 0)
		return map_task(s, task, err);
	for (uint64_t r = task->first; rc == 0 && r < task->first + task->count; r++) {
		if (table_init(&t) != 0)
			return nomem(err, "reducing");
		rc = reduce_partition(s, (unsigned)r, &t, err);
		for (size_t i = 0; rc == 0 && i <= t.mask; i++) {
			const struct entry *e = &t.slot[i];

			if (!e->len)
				continue;
			res->words += e->count;
			res->distinct++;
			res->sum += bench__mix64(e->hash ^ bench__mix64(e->count));
		}
		table_free(&t);
	}
	return rc;
}

/*
 * Distributed executors, before the reduce stage: the shuffle between
 * ranks. Each rank
 * sends every (block, partition) entry of the blocks it mapped to the
 * rank reducing that partition, empty ones too, so nothing an earlier
 * sample left in the receiver's memory survives. Arena offsets follow
 * from the text alone, the same in every rank, so an entry lands where
 * its mapper wrote it and reduce_partition reads it unchanged.
 */
struct wc_msg {
	uint64_t block, part, off, len; /* then len bytes of entries */
};

static int wc_exchange(void *state, unsigned stage,
		       const struct bench_comm *comm, struct bench_err *err)
{
	struct wc_state *s = state;
	unsigned n = comm->size;
	size_t *len = calloc(3 * (size_t)n, sizeof(*len));
	size_t *at = len ? len + n : NULL, *got = len ? len + 2 * n : NULL;
	size_t total = 0, rtotal = 0;
	unsigned char *send = NULL, *recv = NULL;
	int rc;

	if (stage != 1) {
		free(len);
		return 0;
	}
	if (!len)
		return nomem(err, "shuffling");
	/* Sizes, then the messages themselves, in rank order. */
	for (int pass = 0; pass < 2; pass++) {
		for (uint64_t b = 0; b < s->nblocks; b++) {
			if (comm->owner(comm, 0, b) != comm->rank)
				continue;
			for (unsigned r = 0; r < PARTITIONS; r++) {
				const struct seg *g = &s->dir[b * PARTITIONS + r];
				unsigned to = comm->owner(comm, 1, r);
				struct wc_msg m = { b, r, g->off, g->len };

				if (to == comm->rank)
					continue;
				if (pass == 0) {
					len[to] += sizeof(m) + g->len;
					continue;
				}
				memcpy(send + at[to], &m, sizeof(m));
				memcpy(send + at[to] + sizeof(m), s->arena + g->off,
				       g->len);
				at[to] += sizeof(m) + g->len;
			}
		}
		if (pass == 0) {
			for (unsigned d = 0; d < n; d++) {
				at[d] = total;
				total += len[d];
			}
			if (!(send = malloc(total ? total : 1))) {
				free(len);
				return nomem(err, "shuffling");
			}
		}
	}
	rc = comm->alltoallv(comm, send, len, (void **)&recv, got, err);
	free(send);
	for (unsigned d = 0; d < n && rc == 0; d++)
		rtotal += got[d];
	for (size_t pos = 0; rc == 0 && pos < rtotal;) {
		struct wc_msg m;

		if (rtotal - pos < sizeof(m))
			break;
		memcpy(&m, recv + pos, sizeof(m));
		pos += sizeof(m);
		if (m.block >= s->nblocks || m.part >= PARTITIONS ||
		    m.len > rtotal - pos || m.off > s->arena_len ||
		    m.len > s->arena_len - m.off) {
			rc = bench_err_set(err, BENCH_EWORKER,
					   "wordcount: a shuffled partition is corrupt");
			break;
		}
		memcpy(s->arena + m.off, recv + pos, m.len);
		s->dir[m.block * PARTITIONS + m.part] = (struct seg){ m.off, m.len };
		pos += m.len;
	}
	free(recv);
	free(len);
	return rc;
}

/* After every pass: the --input file must still be what was read. */
static int wc_check(const void *state, const void *acc, struct bench_err *err)
{
	const struct wc_state *s = state;
	struct stamp now;
	struct stat st;

	(void)acc;
	if (s->fd < 0)
		return 0;
	if (fstat(s->fd, &st) != 0)
		return bench_err_set(err, BENCH_ESYS, "wordcount: cannot stat %s: %s",
				     s->path, strerror(errno));
	now = stamp_of(&st);
	return same_stamp(&now, &s->stamp) ? 0 :
					     changed(s, "during the run", &now, err);
}

static void wc_init(void *partial)
{
	memset(partial, 0, sizeof(struct wc_result));
}

static void wc_merge(void *acc, const void *partial)
{
	struct wc_result *a = acc;
	const struct wc_result *p = partial;

	a->words += p->words;
	a->distinct += p->distinct;
	a->sum += p->sum;
}

static void wc_checksum(const void *acc, char *out)
{
	const struct wc_result *r = acc;
	struct bench__fold f = { r->distinct, r->sum, 0 };

	f.sum += bench__mix64(r->words ^ 0x9e3779b97f4a7c15ull);
	bench__fold_checksum(&f, out);
}

static const char *const wc_field_names[] = { "words", "distinct", NULL };

static void wc_fields(const void *acc, uint64_t *v)
{
	const struct wc_result *r = acc;

	v[0] = r->words;
	v[1] = r->distinct;
}

/* ---- bench show: the top words ---------------------------------------- */

struct word_count {
	const char *word;
	uint32_t len;
	uint64_t count;
};

static int by_count(const void *a, const void *b)
{
	const struct word_count *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	c = memcmp(x->word, y->word, n);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

static int wc_show_all(void *state, uint64_t limit,
		       int (*emit)(void *ud, const char *line), void *ud,
		       struct bench_err *err)
{
	struct wc_state *s = state;
	struct table t[PARTITIONS];
	struct word_count *all = NULL;
	size_t n = 0, cap = 0;
	unsigned made = 0;
	int rc = 0;

	/* The same stages, serially, keeping the reduced tables. */
	s->stage = 0;
	if (s->nblocks) {
		struct bench_task task = { 0, 0, s->nblocks, NULL, 0 };

		rc = map_task(s, &task, err);
	}
	for (; rc == 0 && made < PARTITIONS; made++) {
		if (table_init(&t[made]) != 0) {
			rc = nomem(err, "reducing");
			break;
		}
		rc = reduce_partition(s, made, &t[made], err);
		for (size_t i = 0; rc == 0 && i <= t[made].mask; i++) {
			const struct entry *e = &t[made].slot[i];

			if (!e->len)
				continue;
			if (n == cap) {
				struct word_count *more;

				cap = cap ? 2 * cap : 1024;
				more = realloc(all, cap * sizeof(*all));
				if (!more) {
					rc = nomem(err, "sorting");
					break;
				}
				all = more;
			}
			all[n++] = (struct word_count){ t[made].keys + e->off,
							e->len, e->count };
		}
	}
	if (rc == 0 && n)
		qsort(all, n, sizeof(*all), by_count);
	for (size_t i = 0; rc == 0 && i < n && i < limit; i++) {
		char *line;

		/* Words may be as long as the text: no fixed buffer. */
		if (asprintf(&line, "%" PRIu64 " %.*s", all[i].count,
			     (int)all[i].len, all[i].word) < 0) {
			rc = nomem(err, "printing");
			break;
		}
		rc = emit(ud, line);
		free(line);
	}
	for (unsigned r = 0; r < made; r++)
		table_free(&t[r]);
	free(all);
	return rc;
}

static const struct bench_option wordcount_options[] = {
	{ .name = "input", .kind = BENCH_OPT_TEXT, .short_name = 'i',
	  .arg = "FILE", .flags = BENCH_OPT_FIXES_SIZE,
	  .help = "a text file (default: generated, as 'bench gen' writes)" },
	{ .name = NULL },
};

const struct bench_workload bench__wl_wordcount = {
	.options = wordcount_options,
	.describe = bench__describe_input,
	.name = "wordcount",
	.summary = "word count as map-reduce: map, shuffle by key hash, reduce",
	.item_desc = "blocks of 256 KiB",
	.default_size = 1000000,  /* generated lines, about 75 MB */
	.max_size = 100000000,
	/* A map task reads 1 MiB, as Hadoop's fixed-size input splits do:
	 * Pool.map's 4 tasks per worker left two workers idle for a quarter
	 * of a run whenever one task ran slow (1.4x against 1.8x here). */
	.default_chunk = 4,
	.partial_size = sizeof(struct wc_result),
	.stages = 2,
	.field_names = wc_field_names,
	.prepare = wc_prepare,
	.release = wc_release,
	.item_count = wc_item_count,
	.stage_begin = wc_stage_begin,
	.exchange = wc_exchange,
	.partial_init = wc_init,
	.run = wc_run,
	.merge = wc_merge,
	.check = wc_check,
	.checksum = wc_checksum,
	.fields = wc_fields,
	.show_all = wc_show_all,
};
