/*
 * prof.c - libbenchprof.so, loaded into a program with LD_PRELOAD by
 * `bench profile`: a sampling CPU profiler, exact call counts for code
 * built with -finstrument-functions, or a heap profiler, chosen by
 * $BENCH_PROF (cpu, count, mem), writing prof.PID.START.bin files into
 * $BENCH_PROF_DIR in the format of prof_format.h.
 *
 * Written by hand because what it does happens inside the profiled
 * process, in signal handlers and allocator hooks, where a library that
 * allocates or locks would deadlock; the heavy part (symbols, reports)
 * is done afterwards by `bench profile`, with addr2line.
 *
 * The rules it lives by:
 *   - Records go into one buffer mapped at load, reserved with an atomic
 *     add, so a signal handler, any thread, or an allocator hook can write
 *     without a lock or an allocation. A full buffer drops and counts.
 *   - CPU samples' stacks come from libunwind (unwind tables, safe in a
 *     signal handler for local unwinding); allocation sites', and samples
 *     libunwind cannot unwind, from frame pointers, each frame's page
 *     checked with mincore() before it is read, so a function built
 *     without them ends the walk instead of crashing the program.
 *   - The file is written at every way out: exit() and the destructors,
 *     _exit(), exec, a fatal signal (the handler writes, then re-raises),
 *     and SIGINT/SIGTERM left at their defaults. Writing uses only
 *     async-signal-safe calls (open, write, rename).
 *   - fork: the child empties the buffer it inherited and starts its own
 *     file, timers and sampler (pthread_atfork).
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>
#include <linux/perf_event.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "bench/slowlog.h"
#include "prof_format.h"

#define EXPORT __attribute__((visibility("default")))

/* What -finstrument-functions calls; no header declares them. */
void __cyg_profile_func_enter(void *fn, void *site);
void __cyg_profile_func_exit(void *fn, void *site);
#define TLS __thread __attribute__((tls_model("initial-exec")))
#define BUF_BYTES (256ull << 20)   /* reserved, not committed */
#define PAGE 4096ul

static int kind;                   /* enum prof_kind, 0: off */
static unsigned hz = 997;
static char dir[512];
static uint64_t start_ns;
static char *buf;
static atomic_size_t used;
static atomic_uint_fast64_t dropped;
static atomic_int writers;         /* records being written right now */
static atomic_int active;
static atomic_int flushed;
static _Atomic uint64_t handler_ns;  /* cpu: time spent sampling */

/* dlsym's answer as a function pointer (POSIX's blessed conversion). */
#define NEXT(fp, name) do { void *s_ = dlsym(RTLD_NEXT, name); memcpy(&(fp), &s_, sizeof(s_)); } while (0)

static uint64_t cpu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t cpu_start_ns;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static pid_t tid_now(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/* Room for a record of len payload bytes; NULL when the buffer is full. */
static void *reserve(uint32_t type, size_t len)
{
	size_t need = (sizeof(struct prof_rec) + len + 7) & ~(size_t)7;
	size_t at = atomic_fetch_add(&used, need);
	struct prof_rec *r;

	if (!buf || at + need > BUF_BYTES) {
		atomic_fetch_add(&dropped, 1);
		return NULL;
	}
	r = (struct prof_rec *)(buf + at);
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

/* Return addresses up the frame-pointer chain from fp (leaf already in
 * pc[0..n)); returns the new depth. */
static unsigned walk(uintptr_t fp, uintptr_t sp, uint64_t *pc, unsigned n,
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

/* The first sample of a thread records its name (async-signal-safe:
 * open and read). */
static void name_thread(pid_t tid)
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
	if ((rec = reserve(REC_THREAD, 4 + (size_t)n + 1))) {
		rec[0] = (uint32_t)tid;
		memcpy(rec + 1, name, (size_t)n);
		((char *)(rec + 1))[n] = '\0';
	}
}

/* ---- cpu: SIGPROF ------------------------------------------------------------- */

/*
 * Where allowed, each thread gets a perf_event task-clock counter that
 * signals SIGPROF every 1/hz s of its own CPU time (an hrtimer: the rate
 * asked is the rate got, and every thread is sampled for itself). Where
 * perf_event is not permitted (perf_event_paranoid, seccomp, containers),
 * setitimer(ITIMER_PROF) does, at the kernel's tick rate; the report
 * says which and why.
 */
static int use_perf;
static int perf_errno;             /* why not, -1: turned off by request */
static TLS int perf_fd = -1;

static int perf_thread(void)
{
	struct perf_event_attr a;
	struct f_owner_ex own;
	int fd, e;

	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_SOFTWARE;
	a.size = sizeof(a);
	a.config = PERF_COUNT_SW_TASK_CLOCK;
	a.sample_period = 1000000000ull / hz;
	a.disabled = 1;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return errno;
	own.type = F_OWNER_TID;
	own.pid = tid_now();
	if (fcntl(fd, F_SETOWN_EX, &own) != 0 || fcntl(fd, F_SETSIG, SIGPROF) != 0 ||
	    fcntl(fd, F_SETFL, O_ASYNC) != 0 || ioctl(fd, PERF_EVENT_IOC_REFRESH, 1) != 0) {
		e = errno;
		close(fd);
		return e;
	}
	perf_fd = fd;
	return 0;
}

/* A perf counter stops after each overflow until refreshed. */
static void rearm(const siginfo_t *si)
{
	if (use_perf && si && si->si_fd >= 0 &&
	    (si->si_code == POLL_IN || si->si_code == POLL_HUP))
		ioctl(si->si_fd, PERF_EVENT_IOC_REFRESH, 1);
}

struct tramp {
	void *(*fn)(void *);
	void *arg;
};

static void *trampoline(void *p)
{
	struct tramp t = *(struct tramp *)p;
	void *r;

	free(p);
	if (atomic_load(&active))
		perf_thread();
	r = t.fn(t.arg);
	if (perf_fd >= 0) {
		close(perf_fd);
		perf_fd = -1;
	}
	return r;
}

/* New threads start their own counter first. */
EXPORT int pthread_create(pthread_t *t, const pthread_attr_t *attr,
			  void *(*fn)(void *), void *arg)
{
	static int (*real)(pthread_t *, const pthread_attr_t *,
			   void *(*)(void *), void *);
	struct tramp *tr;
	int rc;

	if (!real)
		NEXT(real, "pthread_create");
	if (kind != PROF_CPU || !use_perf || !(tr = malloc(sizeof(*tr))))
		return real(t, attr, fn, arg);
	tr->fn = fn;
	tr->arg = arg;
	rc = real(t, attr, trampoline, tr);
	if (rc)
		free(tr);
	return rc;
}

static void on_prof(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	uint64_t pc[PROF_DEPTH_MAX], t0;
	unsigned n = 0;
	int saved = errno;
	pid_t tid;
	uint64_t *rec;

	(void)sig;
	(void)si;
	if (!atomic_load(&active)) {
		errno = saved;
		return; /* not re-armed: a perf counter stays quiet */
	}
	atomic_fetch_add(&writers, 1);
	t0 = now_ns();
	tid = tid_now();
	name_thread(tid);
	{
		/* libunwind reads the unwind tables (.eh_frame), so stacks
		 * go on through code built without frame pointers (libc,
		 * libcrypto's assembly); frame pointers are the fallback. */
		unw_cursor_t cur;

		if (unw_init_local2(&cur, (unw_context_t *)uc, UNW_INIT_SIGNAL_FRAME) == 0) {
			do {
				unw_word_t ip;

				if (unw_get_reg(&cur, UNW_REG_IP, &ip) != 0 || ip == 0)
					break;
				pc[n++] = (uint64_t)ip;
			} while (n < PROF_DEPTH_MAX && unw_step(&cur) > 0);
		}
	}
	if (n > 1)
		goto walked;
	n = 0;
#if defined(__x86_64__)
	pc[n++] = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
	n = walk((uintptr_t)uc->uc_mcontext.gregs[REG_RBP],
		 (uintptr_t)uc->uc_mcontext.gregs[REG_RSP], pc, n, PROF_DEPTH_MAX);
#elif defined(__aarch64__)
	pc[n++] = (uint64_t)uc->uc_mcontext.pc;
	pc[n++] = (uint64_t)uc->uc_mcontext.regs[30];
	n = walk((uintptr_t)uc->uc_mcontext.regs[29], (uintptr_t)uc->uc_mcontext.sp,
		 pc, n, PROF_DEPTH_MAX);
#endif
walked:
	if ((rec = reserve(REC_SAMPLE, 16 + 8 * (size_t)n))) {
		rec[0] = now_ns();
		((uint32_t *)(rec + 1))[0] = (uint32_t)tid;
		((uint32_t *)(rec + 1))[1] = n;
		memcpy(rec + 2, pc, 8 * (size_t)n);
	}
	atomic_fetch_add(&handler_ns, now_ns() - t0);
	atomic_fetch_sub(&writers, 1);
	rearm(si);
	errno = saved;
}

static void start_timer(void)
{
	struct itimerval it = { { 0, 0 }, { 0, 0 } };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_prof;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPROF, &sa, NULL);
	if (use_perf)
		return; /* each thread's counter signals by itself */
	it.it_interval.tv_usec = (suseconds_t)(1000000 / hz);
	if (it.it_interval.tv_usec == 0)
		it.it_interval.tv_usec = 1;
	it.it_value = it.it_interval;
	setitimer(ITIMER_PROF, &it, NULL);
}

static void stop_timer(void)
{
	struct itimerval it = { { 0, 0 }, { 0, 0 } };

	setitimer(ITIMER_PROF, &it, NULL);
}

/* ---- count: -finstrument-functions ------------------------------------------ */

#define STACK_MAX 1024
#define FN_SLOTS 4096
#define EDGE_SLOTS 8192

struct frame {
	uint64_t fn, t0, child_ns, child_calls, desc_calls;
};

struct fn_stat {
	uint64_t fn, calls, incl_ns, self_ns, child_calls, desc_calls;
	uint64_t active;     /* activations on this thread's stack now */
};

struct edge_stat {
	uint64_t caller, callee, calls, incl_ns, desc_calls;
};

/* One thread's tables; listed globally so a flush sees every thread's. */
struct counts {
	struct fn_stat fn[FN_SLOTS];
	struct edge_stat edge[EDGE_SLOTS];
	struct counts *next;
};

static struct counts *_Atomic all_counts;
static TLS struct counts *my_counts;
static TLS struct frame stack[STACK_MAX];
static TLS unsigned depth;
static TLS int in_hook;
static uint64_t overhead_ns;

static struct counts *counts_of_thread(void)
{
	struct counts *c = my_counts;

	if (c)
		return c;
	c = mmap(NULL, sizeof(*c), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c == MAP_FAILED)
		return NULL;
	c->next = atomic_load(&all_counts);
	while (!atomic_compare_exchange_weak(&all_counts, &c->next, c))
		;
	return my_counts = c;
}

static struct fn_stat *fn_slot(struct counts *c, uint64_t fn)
{
	unsigned h = (unsigned)((fn * 0x9e3779b97f4a7c15ull) >> 52) % FN_SLOTS;

	for (unsigned k = 0; k < FN_SLOTS; k++, h = (h + 1) % FN_SLOTS) {
		if (c->fn[h].fn == fn)
			return &c->fn[h];
		if (c->fn[h].fn == 0) {
			c->fn[h].fn = fn;
			return &c->fn[h];
		}
	}
	return NULL;
}

static struct edge_stat *edge_slot(struct counts *c, uint64_t from, uint64_t to)
{
	unsigned h = (unsigned)(((from * 31 + to) * 0x9e3779b97f4a7c15ull) >> 51) % EDGE_SLOTS;

	for (unsigned k = 0; k < EDGE_SLOTS; k++, h = (h + 1) % EDGE_SLOTS) {
		if (c->edge[h].caller == from && c->edge[h].callee == to)
			return &c->edge[h];
		if (c->edge[h].callee == 0) {
			c->edge[h].caller = from;
			c->edge[h].callee = to;
			return &c->edge[h];
		}
	}
	return NULL;
}

EXPORT void __cyg_profile_func_enter(void *fn, void *site)
{
	(void)site;
	if (kind != PROF_COUNT || in_hook)
		return;
	if (depth < STACK_MAX) {
		struct counts *c = counts_of_thread();
		struct fn_stat *s = c ? fn_slot(c, (uint64_t)fn) : NULL;

		if (s)
			s->active++;
		stack[depth] = (struct frame){ (uint64_t)fn, now_ns(), 0, 0, 0 };
	}
	depth++;
}

EXPORT void __cyg_profile_func_exit(void *fn, void *site)
{
	struct counts *c;
	struct frame *f;
	uint64_t incl;

	(void)fn;
	(void)site;
	if (kind != PROF_COUNT || in_hook || depth == 0)
		return;
	depth--;
	if (depth >= STACK_MAX || !(c = counts_of_thread()))
		return;
	f = &stack[depth];
	incl = now_ns() - f->t0;
	{
		struct fn_stat *s = fn_slot(c, f->fn);

		if (s) {
			s->calls++;
			s->self_ns += incl > f->child_ns ? incl - f->child_ns : 0;
			s->child_calls += f->child_calls;
			/* Inclusive time once, for the outermost activation of a
			 * recursion (as cProfile): inner ones lie within it. */
			if (s->active > 0 && --s->active == 0) {
				s->incl_ns += incl;
				s->desc_calls += f->desc_calls;
			}
		}
	}
	if (depth > 0 && depth - 1 < STACK_MAX) {
		struct frame *p = &stack[depth - 1];
		struct edge_stat *e = edge_slot(c, p->fn, f->fn);

		p->child_ns += incl;
		p->child_calls++;
		p->desc_calls += 1 + f->desc_calls;
		if (e) {
			e->calls++;
			e->incl_ns += incl;
			e->desc_calls += f->desc_calls;
		}
	}
}

/* What one enter/exit pair costs, measured on a throwaway stack. */
static char calib_fn;

static void calibrate(void)
{
	enum { N = 200000 };
	uint64_t t0, t1;
	unsigned saved = depth;

	t0 = now_ns();
	for (int i = 0; i < N; i++) {
		__cyg_profile_func_enter(&calib_fn, NULL);
		__cyg_profile_func_exit(&calib_fn, NULL);
	}
	t1 = now_ns();
	depth = saved;
	if (my_counts)
		memset(my_counts->fn, 0, sizeof(my_counts->fn));
	overhead_ns = (t1 - t0) / N;
}

/* ---- mem: the allocator -------------------------------------------------------- */

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

/* The hooks themselves only in libbenchprof-mem.so: the cpu and count
 * profiler leaves the program's allocator alone. */
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
	unsigned n = walk((uintptr_t)__builtin_frame_address(0),
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
	if (kind == PROF_MEM && !in_hook) {
		in_hook = 1;
		h->site = site_of((uint64_t)(uintptr_t)ra);
		in_hook = 0;
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

#endif /* BENCH_PROF_HOOKS */

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
	uint64_t *rec = reserve(REC_MEMTIME, 24);

	if (rec) {
		rec[0] = now_ns();
		rec[1] = atomic_load(&heap);
		rec[2] = rss_bytes();
	}
}

static void *sample_memory(void *arg)
{
	(void)arg;
	in_hook = 1; /* its own allocations are the profiler's */
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

/* ---- writing the file ---------------------------------------------------------- */

static int wr(int fd, const void *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p = (const char *)p + w;
		n -= (size_t)w;
	}
	return 0;
}

static int wr_rec(int fd, uint32_t type, const void *p, size_t n)
{
	struct prof_rec r = { type, (uint32_t)((n + 7) & ~(size_t)7) };
	static const char zero[8];

	return wr(fd, &r, sizeof(r)) || wr(fd, p, n) || wr(fd, zero, r.len - n);
}

static char *utoa(char *p, uint64_t v)
{
	char d[24];
	int n = 0;

	do
		d[n++] = (char)('0' + v % 10);
	while ((v /= 10) && n < 23);
	while (n)
		*p++ = d[--n];
	return p;
}

/* Writes the file: async-signal-safe, so a crash handler may call it. */
static void flush(uint32_t how, int code)
{
	char path[600], tmp[640], *p;
	struct prof_header h;
	struct prof_end end = { how, code, 0 };
	size_t n;
	int fd, expected = 0;

	if (!kind || !atomic_compare_exchange_strong(&flushed, &expected, 1))
		return;
	atomic_store(&active, 0);
	if (kind == PROF_CPU)
		stop_timer();
	atomic_store(&sampler_run, 0);
	for (int i = 0; i < 100000 && atomic_load(&writers) > 0; i++)
		;
	if (kind == PROF_MEM)
		memtime();
	p = path;
	n = strlen(dir);
	memcpy(p, dir, n);
	p += n;
	memcpy(p, "/prof.", 6);
	p = utoa(p + 6, (uint64_t)getpid());
	*p++ = '.';
	p = utoa(p, start_ns);
	memcpy(p, ".bin", 5);
	memcpy(tmp, path, strlen(path));
	memcpy(tmp + strlen(path), ".tmp", 5);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, PROF_MAGIC, 8);
	h.kind = (uint32_t)kind;
	h.hz = hz;
	h.pid = (uint64_t)getpid();
	h.ppid = (uint64_t)getppid();
	h.start_ns = start_ns;
	h.end_ns = now_ns();
	h.overhead_ns = kind == PROF_CPU ? atomic_load(&handler_ns) : overhead_ns;
	h.dropped = atomic_load(&dropped);
	h.cpu_ns = cpu_now_ns() - cpu_start_ns;
	h.mechanism = kind == PROF_CPU && use_perf ? 1 : 0;
	h.perf_errno = perf_errno;
	wr(fd, &h, sizeof(h));
	{
		/* The maps, read in pieces into a stack buffer. */
		int m = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
		char chunk[8192];
		ssize_t got;
		size_t total = 0;
		off_t at;

		/* Length first: count, then copy. */
		while (m >= 0 && (got = read(m, chunk, sizeof(chunk))) > 0)
			total += (size_t)got;
		if (m >= 0 && total > 0 && lseek(m, 0, SEEK_SET) == 0) {
			struct prof_rec r = { REC_MAPS, (uint32_t)((total + 7) & ~(size_t)7) };
			static const char zero[8];
			size_t left = total;

			at = lseek(fd, 0, SEEK_CUR);
			wr(fd, &r, sizeof(r));
			while (left && (got = read(m, chunk, left < sizeof(chunk) ? left : sizeof(chunk))) > 0) {
				wr(fd, chunk, (size_t)got);
				left -= (size_t)got;
			}
			/* The maps may have shrunk between the passes. */
			while (left) {
				size_t z = left < sizeof(zero) ? left : sizeof(zero);

				wr(fd, "\n\n\n\n\n\n\n\n", z);
				left -= z;
			}
			wr(fd, zero, r.len - total);
			(void)at;
		}
		if (m >= 0)
			close(m);
	}
	/* Samples, thread names, memory over time: the buffer as it is. */
	n = atomic_load(&used);
	if (buf && n)
		wr(fd, buf, n < BUF_BYTES ? n : BUF_BYTES);
	if (kind == PROF_MEM && sites) {
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
			wr_rec(fd, REC_SITE, &r, sizeof(r.s) + 8 * s->depth);
		}
		end.peak_heap = atomic_load(&peak);
	}
	if (kind == PROF_COUNT) {
		for (struct counts *c = atomic_load(&all_counts); c; c = c->next) {
			for (unsigned i = 0; i < FN_SLOTS; i++) {
				const struct fn_stat *s = &c->fn[i];
				struct prof_func f = { s->fn, s->calls, s->incl_ns, s->self_ns,
						       s->child_calls, s->desc_calls };

				if (s->fn && s->calls)
					wr_rec(fd, REC_FUNC, &f, sizeof(f));
			}
			for (unsigned i = 0; i < EDGE_SLOTS; i++) {
				const struct edge_stat *e = &c->edge[i];
				struct prof_edge pe = { e->caller, e->callee, e->calls,
							e->incl_ns, e->desc_calls };

				if (e->callee && e->calls)
					wr_rec(fd, REC_EDGE, &pe, sizeof(pe));
			}
		}
	}
	wr_rec(fd, REC_END, &end, sizeof(end));
	if (close(fd) == 0)
		rename(tmp, path);
}

/* ---- the ways out ----------------------------------------------------------------- */

static void on_fatal(int sig)
{
	flush(END_SIGNAL, sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

EXPORT void exit(int code)
{
	static void (*real)(int);

	flush(END_EXIT, code);
	if (!real)
		NEXT(real, "exit");
	real(code);
	__builtin_unreachable();
}

EXPORT void _exit(int code)
{
	flush(END_UNDERSCORE_EXIT, code);
	syscall(SYS_exit_group, code);
	for (;;)
		;
}

EXPORT void _Exit(int code)
{
	_exit(code);
}

/* exec replaces the image and the buffer with it: write it first. If the
 * exec fails, profiling goes on and the file is written again later. */
#define BEFORE_EXEC()                                  \
	do {                                           \
		flush(END_EXEC, 0);                    \
	} while (0)
#define AFTER_FAILED_EXEC()                                 \
	do {                                                \
		int e_ = errno;                             \
		atomic_store(&flushed, 0);                  \
		atomic_store(&active, 1);                   \
		if (kind == PROF_CPU)                       \
			start_timer();                      \
		errno = e_;                                 \
	} while (0)

EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	static int (*real)(const char *, char *const[], char *const[]);
	int rc;

	if (!real)
		NEXT(real, "execve");
	BEFORE_EXEC();
	rc = real(path, argv, envp);
	AFTER_FAILED_EXEC();
	return rc;
}

EXPORT int execvp(const char *file, char *const argv[])
{
	static int (*real)(const char *, char *const[]);
	int rc;

	if (!real)
		NEXT(real, "execvp");
	BEFORE_EXEC();
	rc = real(file, argv);
	AFTER_FAILED_EXEC();
	return rc;
}

EXPORT int execv(const char *path, char *const argv[])
{
	return execve(path, argv, environ);
}

EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
	static int (*real)(const char *, char *const[], char *const[]);
	int rc;

	if (!real)
		NEXT(real, "execvpe");
	BEFORE_EXEC();
	rc = real(file, argv, envp);
	AFTER_FAILED_EXEC();
	return rc;
}

EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
	static int (*real)(int, char *const[], char *const[]);
	int rc;

	if (!real)
		NEXT(real, "fexecve");
	BEFORE_EXEC();
	rc = real(fd, argv, envp);
	AFTER_FAILED_EXEC();
	return rc;
}

/* The list forms: their arguments into an array, then the v form (glibc's
 * own call the internal __execve, past any wrapper). */
#define ARGS_MAX 4096
#define COLLECT(first, ap, argv, n)                                   \
	do {                                                          \
		argv[0] = (char *)(first);                            \
		for (n = 1; n < ARGS_MAX && (argv[n] = va_arg(ap, char *)); n++) \
			;                                             \
		argv[ARGS_MAX] = NULL;                                \
	} while (0)

EXPORT int execl(const char *path, const char *arg, ...)
{
	char *argv[ARGS_MAX + 1];
	va_list ap;
	int n;

	va_start(ap, arg);
	COLLECT(arg, ap, argv, n);
	va_end(ap);
	(void)n;
	return execve(path, argv, environ);
}

EXPORT int execlp(const char *file, const char *arg, ...)
{
	char *argv[ARGS_MAX + 1];
	va_list ap;
	int n;

	va_start(ap, arg);
	COLLECT(arg, ap, argv, n);
	va_end(ap);
	(void)n;
	return execvp(file, argv);
}

EXPORT int execle(const char *path, const char *arg, ...)
{
	char *argv[ARGS_MAX + 1], *const *envp;
	va_list ap;
	int n;

	va_start(ap, arg);
	COLLECT(arg, ap, argv, n);
	envp = va_arg(ap, char *const *);
	va_end(ap);
	(void)n;
	return execve(path, argv, envp);
}

/* ---- fork, start ----------------------------------------------------------------- */

static void atfork_child(void)
{
	/* The parent's samples are the parent's: this process starts afresh. */
	atomic_store(&used, 0);
	atomic_store(&dropped, 0);
	atomic_store(&handler_ns, 0);
	atomic_store(&flushed, 0);
	start_ns = now_ns();
	cpu_start_ns = cpu_now_ns();
	memset(named, 0, sizeof(named));
	if (kind == PROF_CPU && use_perf) {
		/* The inherited counter is the parent thread's. */
		if (perf_fd >= 0)
			close(perf_fd);
		perf_fd = -1;
		perf_thread();
	}
	if (kind == PROF_CPU)
		start_timer();
	if (kind == PROF_MEM) {
		atomic_store(&heap, 0);
		atomic_store(&peak, 0);
		if (sites)
			memset(sites, 0, sizeof(*sites) * SITES);
		start_sampler();
	}
	if (kind == PROF_COUNT) {
		for (struct counts *c = atomic_load(&all_counts); c; c = c->next) {
			memset(c->fn, 0, sizeof(c->fn));
			memset(c->edge, 0, sizeof(c->edge));
		}
	}
	atomic_store(&active, 1);
}

/* Spans of libbench's slowlog (when the program uses it) go into the
 * trace: the listener writes each one as it ends. */
static void on_span(void *ud, const struct bench_slowlog_record *r)
{
	const char *name = r->name ? r->name : "?";
	size_t len = strlen(name) < 200 ? strlen(name) : 200;
	uint64_t *rec;

	(void)ud;
	if (!atomic_load(&active) || !(rec = reserve(REC_SPAN, 24 + len + 1)))
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

static void on_exit_flush(void)
{
	flush(END_EXIT, 0);
}

__attribute__((constructor)) static void prof_start(void)
{
	const char *k = getenv("BENCH_PROF"), *d = getenv("BENCH_PROF_DIR");
	const char *rate = getenv("BENCH_PROF_HZ"), *iv = getenv("BENCH_PROF_INTERVAL_MS");
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };

#ifdef BENCH_PROF_HOOKS
	resolve();
#endif
	if (!k || !d || strlen(d) >= sizeof(dir))
		return;
	kind = strcmp(k, "cpu") == 0 ? PROF_CPU : strcmp(k, "mem") == 0 ? PROF_MEM :
	       strcmp(k, "count") == 0 ? PROF_COUNT : 0;
	if (!kind)
		return;
	memcpy(dir, d, strlen(d) + 1);
	if (rate && atoi(rate) > 0 && atoi(rate) <= 100000)
		hz = (unsigned)atoi(rate);
	if (iv && atoi(iv) > 0)
		interval_ms = (unsigned)atoi(iv);
	buf = mmap(NULL, BUF_BYTES, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (buf == MAP_FAILED)
		buf = NULL;
	if (kind == PROF_MEM) {
		sites = mmap(NULL, sizeof(*sites) * SITES, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (sites == MAP_FAILED)
			sites = NULL;
	}
	start_ns = now_ns();
	cpu_start_ns = cpu_now_ns();
	for (size_t i = 0; i < sizeof(fatal) / sizeof(*fatal); i++)
		signal(fatal[i], on_fatal);
	/* Ctrl-C and kill: only where the program keeps the default. */
	for (int sig = SIGINT; sig <= SIGTERM; sig += SIGTERM - SIGINT) {
		struct sigaction old;

		if (sigaction(sig, NULL, &old) == 0 && old.sa_handler == SIG_DFL)
			signal(sig, on_fatal);
	}
	pthread_atfork(NULL, NULL, atfork_child);
	atexit(on_exit_flush);
	if (kind == PROF_COUNT)
		calibrate();
	listen_slowlog();
	if (kind == PROF_CPU) {
		const char *perf = getenv("BENCH_PROF_PERF");

		if (perf && strcmp(perf, "0") == 0)
			perf_errno = -1;
		else
			perf_errno = perf_thread();
		use_perf = perf_errno == 0;
	}
	atomic_store(&active, 1);
	if (kind == PROF_CPU)
		start_timer();
	if (kind == PROF_MEM)
		start_sampler();
}

__attribute__((destructor)) static void prof_stop(void)
{
	flush(END_EXIT, 0);
}
