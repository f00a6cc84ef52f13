/*
 * core.c - the core of libbenchprof.so, loaded into a program with
 * LD_PRELOAD by `bench profile`: the record buffer, stack walking, thread
 * names, slowlog spans, start-up and fork. It runs whichever profiler
 * $BENCH_PROF names (cpu.c, count.c, mem.c) through that profiler's row
 * of hooks, and save.c writes what was collected to prof.PID.START.bin in
 * $BENCH_PROF_DIR (the format of prof_format.h).
 *
 * Written by hand because it runs inside the profiled process, in signal
 * handlers and allocator hooks, where a library that allocates or locks
 * would deadlock; the heavy part (symbols, reports) is done afterwards by
 * `bench profile` (profilers/report/).
 *
 * The design choice to know: every record goes into one buffer mapped at
 * load and reserved with an atomic add, so a signal handler, any thread
 * or an allocator hook writes without a lock or an allocation; a full
 * buffer drops the record and counts it. A forked child empties the
 * buffer it inherited and starts its own file (pthread_atfork).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench/slowlog.h"
#include "internal.h"

int prof__kind;
const struct prof_profiler *prof__profiler;
char prof__dir[512];
uint64_t prof__start_ns;
uint64_t prof__cpu_start_ns;
char *prof__buf;
atomic_size_t prof__used;
atomic_uint_fast64_t prof__dropped;
atomic_int prof__writers;
atomic_int prof__active;
atomic_int prof__flushed;
TLS int prof__in_hook;

/* The profilers $BENCH_PROF can name. */
static const struct prof_profiler *const profilers[] = {
	&prof__cpu,
	&prof__count,
	&prof__mem,
};

#define HOOK(name) do { if (prof__profiler->name) prof__profiler->name(); } while (0)

void *prof__reserve(uint32_t type, size_t len)
{
	size_t need = (sizeof(struct prof_rec) + len + 7) & ~(size_t)7;
	size_t at = atomic_fetch_add(&prof__used, need);
	struct prof_rec *r;

	if (!prof__buf || at + need > BUF_BYTES) {
		atomic_fetch_add(&prof__dropped, 1);
		return NULL;
	}
	r = (struct prof_rec *)(prof__buf + at);
	r->len = (uint32_t)(need - sizeof(*r));
	r->type = type;
	return r + 1;
}

/* ---- stacks ------------------------------------------------------------- */

static TLS uintptr_t ok_lo, ok_hi;   /* pages known mapped: [lo, hi) */

static int readable(uintptr_t addr)
{
	uintptr_t page = addr & ~(PAGE - 1);
	unsigned char v;

	if (page >= ok_lo && page + PAGE <= ok_hi)
		return 1;
	if (mincore((void *)page, PAGE, &v) != 0)
		return 0;
	if (ok_hi == 0 || page + PAGE < ok_lo || page > ok_hi) {
		ok_lo = page;
		ok_hi = page + PAGE;
	} else {
		if (page < ok_lo)
			ok_lo = page;
		if (page + PAGE > ok_hi)
			ok_hi = page + PAGE;
	}
	return 1;
}

unsigned prof__walk(uintptr_t fp, uintptr_t sp, uint64_t *pc, unsigned n,
		    unsigned max)
{
	while (n < max && fp >= sp && fp - sp < (64u << 20) && !(fp & 7) &&
	       readable(fp) && readable(fp + 15)) {
		uintptr_t next = ((uintptr_t *)fp)[0], ret = ((uintptr_t *)fp)[1];

		if (ret < PAGE)
			break;
		pc[n++] = ret;
		if (next <= fp)
			break;
		sp = fp;
		fp = next;
	}
	return n;
}

/* ---- thread names ----------------------------------------------------------- */

#define TIDS_MAX 4096
static atomic_int named[TIDS_MAX];

/* Async-signal-safe: open and read of /proc/self/task/TID/comm. */
void prof__name_thread(pid_t tid)
{
	char path[64] = "/proc/self/task/", *p = path + strlen(path);
	char name[32];
	int fd, k, expected = 0;
	ssize_t n;
	unsigned slot = (unsigned)tid % TIDS_MAX;
	uint32_t *rec;

	for (k = 0; k < 64; k++, slot = (slot + 1) % TIDS_MAX) {
		expected = 0;
		if (atomic_load(&named[slot]) == tid)
			return;
		if (atomic_compare_exchange_strong(&named[slot], &expected, tid))
			break;
	}
	if (k == 64)
		return;
	{
		char digits[16];
		int d = 0;

		for (pid_t t = tid; t > 0 && d < 15; t /= 10)
			digits[d++] = (char)('0' + t % 10);
		while (d > 0)
			*p++ = digits[--d];
		memcpy(p, "/comm", 6);
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, name, sizeof(name) - 1);
	close(fd);
	if (n <= 0)
		return;
	if (name[n - 1] == '\n')
		n--;
	if ((rec = prof__reserve(REC_THREAD, 4 + (size_t)n + 1))) {
		rec[0] = (uint32_t)tid;
		memcpy(rec + 1, name, (size_t)n);
		((char *)(rec + 1))[n] = '\0';
	}
}

/* ---- slowlog spans ---------------------------------------------------------- */

/* Spans of libbench's slowlog (when the program uses it) go into the
 * trace, whatever the profile: the listener writes each one as it ends. */
static void on_span(void *ud, const struct bench_slowlog_record *r)
{
	const char *name = r->name ? r->name : "?";
	size_t len = strlen(name) < 200 ? strlen(name) : 200;
	uint64_t *rec;

	(void)ud;
	if (!atomic_load(&prof__active) || !(rec = prof__reserve(REC_SPAN, 24 + len + 1)))
		return;
	rec[0] = r->start_ns;
	rec[1] = r->end_ns;
	((uint32_t *)(rec + 2))[0] = (uint32_t)r->tid;
	((uint32_t *)(rec + 2))[1] = 0;
	memcpy(rec + 3, name, len);
	((char *)(rec + 3))[len] = '\0';
}

static void listen_slowlog(void)
{
	void (*set)(bench_slowlog_fn, void *) = NULL;
	void *sym = dlsym(RTLD_DEFAULT, "bench_slowlog_set_listener");

	memcpy(&set, &sym, sizeof(sym));
	if (set)
		set(on_span, NULL);
}

/* ---- fork, start ----------------------------------------------------------------- */

static void atfork_child(void)
{
	/* The parent's samples are the parent's: this process starts afresh. */
	atomic_store(&prof__used, 0);
	atomic_store(&prof__dropped, 0);
	atomic_store(&prof__flushed, 0);
	prof__start_ns = prof__now_ns();
	prof__cpu_start_ns = prof__cpu_now_ns();
	memset(named, 0, sizeof(named));
	HOOK(forked);
	HOOK(start);
	atomic_store(&prof__active, 1);
}

__attribute__((constructor)) static void prof_start(void)
{
	const char *k = getenv("BENCH_PROF"), *d = getenv("BENCH_PROF_DIR");

	prof__resolve_allocator();
	if (!k || !d || strlen(d) >= sizeof(prof__dir))
		return;
	for (size_t i = 0; i < sizeof(profilers) / sizeof(*profilers); i++)
		if (strcmp(k, profilers[i]->name) == 0)
			prof__profiler = profilers[i];
	if (!prof__profiler)
		return;
	prof__kind = prof__profiler->kind;
	memcpy(prof__dir, d, strlen(d) + 1);
	prof__buf = mmap(NULL, BUF_BYTES, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (prof__buf == MAP_FAILED)
		prof__buf = NULL;
	HOOK(load);
	prof__start_ns = prof__now_ns();
	prof__cpu_start_ns = prof__cpu_now_ns();
	prof__save_at_every_exit();
	pthread_atfork(NULL, NULL, atfork_child);
	listen_slowlog();
	HOOK(prepare);
	atomic_store(&prof__active, 1);
	HOOK(start);
}
