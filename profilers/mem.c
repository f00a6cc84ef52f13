/*
 * mem.c - the heap profiler of libbenchprof.so ($BENCH_PROF=mem): per
 * allocation site (a stack of up to 16 frames) the bytes and allocations
 * over the run and what is still live when the file is written
 * (REC_SITE), the heap's peak (in REC_END), and the heap and RSS every
 * $BENCH_PROF_INTERVAL_MS ms (default 10) from a thread of its own
 * (REC_MEMTIME).
 *
 * The malloc family is replaced only in libbenchprof-mem.so (built with
 * -DBENCH_PROF_HOOKS): the cpu and count profilers leave the program's
 * allocator alone. Each block gets a header in front (its site and size),
 * so free() knows what to take off; allocation sites come from frame
 * pointers, each frame's page checked before it is read (prof__walk).
 *
 * The design choice to know: until dlsym has found the real allocator,
 * the hooks serve allocations (dlsym's own among them) from a static
 * boot arena, which free() recognises and ignores.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define SITES 65536
#define SITE_DEPTH 16

struct site {
	_Atomic uint64_t key;
	uint64_t pc[SITE_DEPTH];
	uint32_t depth;
	_Atomic uint64_t bytes, count, live_bytes, live_count;
};

/* Before each block: where it came from and its size. */
struct hdr {
	uint32_t site;
	uint32_t offset;     /* from the real block's start to the user's */
	uint64_t size;
};

static struct site *sites;
static _Atomic uint64_t heap, peak;

/* ---- the hooks: only in libbenchprof-mem.so ----------------------------------- */

#ifdef BENCH_PROF_HOOKS

static void *(*real_malloc)(size_t);
static void (*real_free)(void *);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);

/* dlsym may allocate before the real functions are known. */
static char boot[1 << 16];
static atomic_size_t boot_used;

static void *boot_alloc(size_t n)
{
	size_t at = atomic_fetch_add(&boot_used, (n + 15) & ~(size_t)15);

	return at + n <= sizeof(boot) ? boot + at : NULL;
}

static int in_boot(const void *p)
{
	return (const char *)p >= boot && (const char *)p < boot + sizeof(boot);
}

static void resolve(void)
{
	static atomic_int resolving;

	if (real_malloc || atomic_exchange(&resolving, 1))
		return;
	NEXT(real_calloc, "calloc");
	NEXT(real_realloc, "realloc");
	NEXT(real_free, "free");
	NEXT(real_malloc, "malloc");
}

/*
 * The site of an allocation whose hook was called from ra: the stack from
 * ra up. The frames walked are searched for ra rather than skipped by
 * count, since the compiler may turn a hook's call into a jump.
 */
static uint32_t site_of(uint64_t ra)
{
	uint64_t pc[SITE_DEPTH + 8], key = 0xcbf29ce484222325ull;
	unsigned n = prof__walk((uintptr_t)__builtin_frame_address(0),
			  (uintptr_t)__builtin_frame_address(0), pc, 0, SITE_DEPTH + 8);
	unsigned skip = 0, keep;
	uint32_t h;

	if (!sites)
		return 0;
	while (skip < n && pc[skip] != ra)
		skip++;
	if (skip == n) {       /* not found: the caller alone */
		pc[0] = ra;
		skip = 0;
		n = 1;
	}
	keep = n - skip < SITE_DEPTH ? n - skip : SITE_DEPTH;
	for (unsigned i = 0; i < keep; i++)
		key = (key ^ pc[skip + i]) * 0x100000001b3ull;
	key |= 1;
	h = (uint32_t)(key >> 40) % SITES;
	for (unsigned k = 0; k < 64; k++, h = (h + 1) % SITES) {
		uint64_t expected = 0;
		struct site *s = &sites[h];

		if (atomic_load(&s->key) == key)
			return h;
		if (atomic_compare_exchange_strong(&s->key, &expected, key)) {
			s->depth = keep;
			memcpy(s->pc, pc + skip, 8 * keep);
			return h;
		}
	}
	return 0;
}

static void account(uint32_t site, uint64_t size, int sign)
{
	struct site *s = sites ? &sites[site] : NULL;

	if (sign > 0) {
		uint64_t h = atomic_fetch_add(&heap, size) + size, p = atomic_load(&peak);

		while (h > p && !atomic_compare_exchange_weak(&peak, &p, h))
			;
		if (s) {
			atomic_fetch_add(&s->bytes, size);
			atomic_fetch_add(&s->count, 1);
			atomic_fetch_add(&s->live_bytes, size);
			atomic_fetch_add(&s->live_count, 1);
		}
	} else {
		atomic_fetch_sub(&heap, size);
		if (s) {
			atomic_fetch_sub(&s->live_bytes, size);
			atomic_fetch_sub(&s->live_count, 1);
		}
	}
}

static void *place(void *raw, size_t offset, size_t size, void *ra)
{
	struct hdr *h;
	char *p;

	if (!raw)
		return NULL;
	p = (char *)raw + offset;
	h = (struct hdr *)p - 1;
	h->offset = (uint32_t)offset;
	h->size = size;
	h->site = 0;
	if (prof__kind == PROF_MEM && !prof__in_hook) {
		prof__in_hook = 1;
		h->site = site_of((uint64_t)(uintptr_t)ra);
		prof__in_hook = 0;
		account(h->site, size, 1);
	} else {
		h->site = UINT32_MAX; /* not counted */
	}
	return p;
}

/* Every hook passes its own return address: the allocation's site. */
#define RA() __builtin_return_address(0)

static void *alloc_at(size_t n, void *ra)
{
	resolve();
	if (!real_malloc)
		return boot_alloc(n);
	if (n > SIZE_MAX - 64)
		return NULL;
	return place(real_malloc(n + sizeof(struct hdr)), sizeof(struct hdr), n, ra);
}

EXPORT void *malloc(size_t n)
{
	return alloc_at(n, RA());
}

EXPORT void free(void *p)
{
	struct hdr *h;

	if (!p || in_boot(p))
		return;
	resolve();
	h = (struct hdr *)p - 1;
	if (h->site != UINT32_MAX)
		account(h->site, h->size, -1);
	real_free((char *)p - h->offset);
}

EXPORT void *calloc(size_t n, size_t k)
{
	void *p;

	if (k && n > SIZE_MAX / k)
		return NULL;
	resolve();
	if (!real_malloc) {
		p = boot_alloc(n * k);
		return p; /* static memory starts zeroed */
	}
	p = alloc_at(n * k, RA());
	if (p)
		memset(p, 0, n * k);
	return p;
}

EXPORT void *realloc(void *p, size_t n)
{
	struct hdr *h;
	void *q;

	if (!p)
		return alloc_at(n, RA());
	if (n == 0) {
		free(p);
		return NULL;
	}
	h = (struct hdr *)p - 1;
	if (!in_boot(p) && h->offset == sizeof(struct hdr)) {
		uint32_t site = h->site;
		uint64_t old = h->size;

		resolve();
		q = real_realloc((char *)p - h->offset, n + sizeof(struct hdr));
		if (!q)
			return NULL;
		h = (struct hdr *)((char *)q + sizeof(struct hdr)) - 1;
		h->size = n;
		if (site != UINT32_MAX) {
			account(site, old, -1);
			account(site, n, 1);
		}
		return (char *)q + sizeof(struct hdr);
	}
	q = alloc_at(n, RA());
	if (q) {
		size_t old = in_boot(p) ? n : h->size;

		memcpy(q, p, old < n ? old : n);
		free(p);
	}
	return q;
}

static void *aligned(size_t align, size_t n, void *ra)
{
	char *raw;
	size_t offset;

	resolve();
	if (align < 16 || (align & (align - 1)) || n > SIZE_MAX - 2 * align)
		return NULL;
	raw = real_malloc(n + align + sizeof(struct hdr));
	if (!raw)
		return NULL;
	offset = (size_t)((((uintptr_t)raw + sizeof(struct hdr) + align - 1) & ~(uintptr_t)(align - 1)) - (uintptr_t)raw);
	return place(raw, offset, n, ra);
}

EXPORT int posix_memalign(void **out, size_t align, size_t n)
{
	void *p = aligned(align < 16 ? 16 : align, n, RA());

	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

EXPORT void *aligned_alloc(size_t align, size_t n)
{
	return aligned(align < 16 ? 16 : align, n, RA());
}

EXPORT void *memalign(size_t align, size_t n)
{
	return aligned(align < 16 ? 16 : align, n, RA());
}

EXPORT void *valloc(size_t n)
{
	return aligned(PAGE, n, RA());
}

EXPORT void *pvalloc(size_t n)
{
	return aligned(PAGE, (n + PAGE - 1) & ~(PAGE - 1), RA());
}

EXPORT size_t malloc_usable_size(void *p)
{
	return p && !in_boot(p) ? ((struct hdr *)p - 1)->size : 0;
}

void prof__resolve_allocator(void)
{
	resolve();
}

#else

void prof__resolve_allocator(void)
{
}

#endif /* BENCH_PROF_HOOKS */

/* ---- heap and RSS over time ------------------------------------------------------ */

/* The heap and RSS every interval, from a thread of the profiler's. */
static unsigned interval_ms = 10;
static pthread_t sampler;
static atomic_int sampler_run;

static uint64_t rss_bytes(void)
{
	char text[128];
	int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;
	unsigned long long size = 0, res = 0;
	char *p = text;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	size = strtoull(p, &p, 10);
	res = strtoull(p, &p, 10);
	(void)size;
	return res * (uint64_t)sysconf(_SC_PAGESIZE);
}

static void memtime(void)
{
	uint64_t *rec = prof__reserve(REC_MEMTIME, 24);

	if (rec) {
		rec[0] = prof__now_ns();
		rec[1] = atomic_load(&heap);
		rec[2] = rss_bytes();
	}
}

static void *sample_memory(void *arg)
{
	(void)arg;
	prof__in_hook = 1; /* its own allocations are the profiler's */
	while (atomic_load(&sampler_run)) {
		memtime();
		nanosleep(&(struct timespec){ interval_ms / 1000,
					      (long)(interval_ms % 1000) * 1000000 }, NULL);
	}
	return NULL;
}

static void start_sampler(void)
{
	atomic_store(&sampler_run, 1);
	if (pthread_create(&sampler, NULL, sample_memory, NULL) != 0)
		atomic_store(&sampler_run, 0);
}

/* ---- the row ------------------------------------------------------------------ */

static void mem_load(void)
{
	const char *iv = getenv("BENCH_PROF_INTERVAL_MS");

	if (iv && atoi(iv) > 0)
		interval_ms = (unsigned)atoi(iv);
	sites = mmap(NULL, sizeof(*sites) * SITES, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (sites == MAP_FAILED)
		sites = NULL;
}

/* A fork's child counts its own allocations only. */
static void mem_forked(void)
{
	atomic_store(&heap, 0);
	atomic_store(&peak, 0);
	if (sites)
		memset(sites, 0, sizeof(*sites) * SITES);
}

/* The sampler stops; the last point of the curve is taken now. */
static void mem_stop(void)
{
	atomic_store(&sampler_run, 0);
	memtime();
}

static void mem_save(int fd, struct prof_end *end)
{
	if (!sites)
		return;
	for (uint32_t i = 0; i < SITES; i++) {
		struct site *s = &sites[i];
		struct {
			struct prof_site s;
			uint64_t pc[SITE_DEPTH];
		} r;

		if (!atomic_load(&s->key) || !atomic_load(&s->count))
			continue;
		r.s = (struct prof_site){ atomic_load(&s->bytes), atomic_load(&s->count),
					  atomic_load(&s->live_bytes),
					  atomic_load(&s->live_count), s->depth, 0 };
		memcpy(r.pc, s->pc, 8 * s->depth);
		prof__write_rec(fd, REC_SITE, &r, sizeof(r.s) + 8 * s->depth);
	}
	end->peak_heap = atomic_load(&peak);
}

const struct prof_profiler prof__mem = {
	.name = "mem",
	.kind = PROF_MEM,
	.load = mem_load,
	.start = start_sampler,
	.forked = mem_forked,
	.stop = mem_stop,
	.save = mem_save,
};
