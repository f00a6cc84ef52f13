/*
 * slowlog.c - spans that log their length. See slowlog.h.
 *
 * The sink and listener settings are two (function, ud) pairs that a span
 * must read as a consistent whole while a setter may be changing them.
 * They live in a latch (Linux's seqcount_latch): two copies and a
 * generation counter whose low bit names the live copy. A setter writes the
 * idle copy and then bumps the generation; a reader reads the live copy and
 * retries if the generation moved meanwhile (a second setter may have
 * started on the copy it was reading). Readers never wait for a writer, so
 * a span ending in a signal handler that interrupted a setter, or in a
 * forked child whose parent forked mid-set, still gets a whole pair. All
 * shared fields are C11 atomics (sequentially consistent: one load or store
 * a field, no fences, which ThreadSanitizer follows exactly).
 *
 * Setters serialise on a mutex that pthread_atfork holds across fork(), so
 * a child can call a setter even if another parent thread was in one.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "bench/slowlog.h"

_Static_assert(BENCH_SLOWLOG_LINE_MAX <= PIPE_BUF,
	       "a slowlog line must fit one atomic pipe write");

/* Linux keeps 15 bytes of a thread's name (TASK_COMM_LEN - 1). */
#define COMM_MAX 15
/* Room kept after the name for " in <20 digits>.000 seconds (too slow)\n". */
#define TAIL_MAX 64
#define WHO_MAX 128
#define THREAD_MAX 32

struct config {
	bench_slowlog_fn sink;
	void *sink_ud;
	bench_slowlog_fn listener;
	void *listener_ud;
};

struct latch_copy {
	_Atomic(bench_slowlog_fn) sink;
	_Atomic(void *) sink_ud;
	_Atomic(bench_slowlog_fn) listener;
	_Atomic(void *) listener_ud;
};

/* The default: lines to stderr, no listener (left zero). */
#define DEFAULT_COPY                                                        \
	{ .sink = bench_slowlog_sink_fd,                                    \
	  .sink_ud = (void *)(intptr_t)STDERR_FILENO }

static struct latch_copy copies[2] = { DEFAULT_COPY, DEFAULT_COPY };
static atomic_uint generation;   /* copies[generation & 1] is live */
static pthread_mutex_t set_lock = PTHREAD_MUTEX_INITIALIZER;
/* The settings as the setters see them; guarded by set_lock. */
static struct config current = {
	.sink = bench_slowlog_sink_fd,
	.sink_ud = (void *)(intptr_t)STDERR_FILENO,
};

static void config_read(struct config *c)
{
	for (;;) {
		unsigned g = atomic_load(&generation);
		struct latch_copy *l = &copies[g & 1];

		c->sink = atomic_load(&l->sink);
		c->sink_ud = atomic_load(&l->sink_ud);
		c->listener = atomic_load(&l->listener);
		c->listener_ud = atomic_load(&l->listener_ud);
		/* Unchanged: no setter got to this copy (a setter writes a
		 * copy only after the generation left it). */
		if (atomic_load(&generation) == g)
			return;
	}
}

/* Publishes `current`; set_lock held. */
static void config_publish(void)
{
	unsigned g = atomic_load(&generation);
	struct latch_copy *l = &copies[(g + 1) & 1];

	atomic_store(&l->sink, current.sink);
	atomic_store(&l->sink_ud, current.sink_ud);
	atomic_store(&l->listener, current.listener);
	atomic_store(&l->listener_ud, current.listener_ud);
	atomic_store(&generation, g + 1);
}

static void fork_prepare(void)
{
	pthread_mutex_lock(&set_lock);
}

static void fork_parent(void)
{
	pthread_mutex_unlock(&set_lock);
}

static void fork_child(void)
{
	/* The child's only thread is the one that locked it in prepare. */
	pthread_mutex_unlock(&set_lock);
}

/* At load time, before the program can have threads that fork. */
__attribute__((constructor)) static void register_atfork(void)
{
	pthread_atfork(fork_prepare, fork_parent, fork_child);
}

void bench_slowlog_set_sink(bench_slowlog_fn sink, void *ud)
{
	pthread_mutex_lock(&set_lock);
	current.sink = sink;
	current.sink_ud = sink ? ud : NULL;
	config_publish();
	pthread_mutex_unlock(&set_lock);
}

void bench_slowlog_set_fd(int fd)
{
	if (fd < 0)
		bench_slowlog_set_sink(NULL, NULL);
	else
		bench_slowlog_set_sink(bench_slowlog_sink_fd, (void *)(intptr_t)fd);
}

void bench_slowlog_set_listener(bench_slowlog_fn fn, void *ud)
{
	pthread_mutex_lock(&set_lock);
	current.listener = fn;
	current.listener_ud = fn ? ud : NULL;
	config_publish();
	pthread_mutex_unlock(&set_lock);
}

void bench_slowlog_sink_fd(void *ud, const struct bench_slowlog_record *rec)
{
	int fd = (int)(intptr_t)ud;
	const char *p = rec->line;
	size_t n = rec->line_len;

	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

/* ------------------------------------------------------------------ */
/* Formatting without stdio: no locale, no malloc, async-signal-safe.  */

struct buf {
	char *p;      /* next byte */
	char *end;    /* last usable byte; one more is kept for the NUL */
};

static void put_mem(struct buf *b, const char *s, size_t n)
{
	size_t room = (size_t)(b->end - b->p);

	if (n > room)
		n = room;
	memcpy(b->p, s, n);
	b->p += n;
}

static void put_str(struct buf *b, const char *s)
{
	put_mem(b, s, strlen(s));
}

static void put_u64(struct buf *b, uint64_t v, int min_digits)
{
	char tmp[20];
	int n = 0;

	do {
		tmp[sizeof(tmp) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v || n < min_digits);
	put_mem(b, tmp + sizeof(tmp) - n, (size_t)n);
}

/* A name kept on one line: control bytes become '?', and spaces '_' if
 * !spaces (the prefix stays one word, so a reader can split it off); cut
 * at max bytes, ending in "...", so what follows always fits. */
static void put_name(struct buf *b, const char *name, size_t max, int spaces)
{
	size_t len = strlen(name), n = len > max ? max - 3 : len;

	for (size_t i = 0; i < n && b->p < b->end; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c < 0x20 || c == 0x7f)
			c = '?';
		else if (c == ' ' && !spaces)
			c = '_';
		*b->p++ = (char)c;
	}
	if (n < len)
		put_str(b, "...");
}

/* The thread's own name as one word, or "" when it only has the name
 * every thread of the program starts with. */
static void thread_name(char out[COMM_MAX + 1])
{
	const char *prog = program_invocation_short_name;
	size_t plen = strlen(prog);
	char raw[COMM_MAX + 1] = { 0 };
	struct buf b = { out, out + COMM_MAX };

	if (prctl(PR_GET_NAME, raw, 0, 0, 0) != 0)
		raw[0] = '\0';
	raw[COMM_MAX] = '\0';
	if (plen > COMM_MAX)
		plen = COMM_MAX;
	if (strlen(raw) == plen && memcmp(raw, prog, plen) == 0)
		raw[0] = '\0';
	put_name(&b, raw, COMM_MAX, 0);
	*b.p = '\0';
}

/* "prog[pid]" or "prog[pid]/thread" into who; thread gets the label. */
static void format_who(char *who, char *thread, pid_t pid, pid_t tid)
{
	struct buf b = { who, who + WHO_MAX - 1 };
	struct buf t = { thread, thread + THREAD_MAX - 1 };

	thread_name(thread);
	if (!thread[0] && tid != pid) {
		put_str(&t, "thread-");
		put_u64(&t, (uint64_t)tid, 1);
		*t.p = '\0';
	}
	put_name(&b, program_invocation_short_name, 64, 0);
	put_str(&b, "[");
	put_u64(&b, (uint64_t)pid, 1);
	put_str(&b, "]");
	if (thread[0]) {
		put_str(&b, "/");
		put_str(&b, thread);
	}
	*b.p = '\0';
}

/* "<who> Finished <name> in <s.mmm> seconds[ (too slow)]\n"; returns the
 * length. Milliseconds are rounded half up from whole nanoseconds, which
 * is printf's %.3f except on exact ties. */
static size_t format_line(char *line, const char *who, const char *name,
			  bench_ns elapsed_ns, int too_slow)
{
	struct buf b = { line, line + BENCH_SLOWLOG_LINE_MAX };
	uint64_t ms = elapsed_ns / BENCH_NS_PER_MS +
		      (elapsed_ns % BENCH_NS_PER_MS >= BENCH_NS_PER_MS / 2);
	size_t used;

	put_str(&b, who);
	put_str(&b, " Finished ");
	used = (size_t)(b.p - line);
	put_name(&b, name, BENCH_SLOWLOG_LINE_MAX - TAIL_MAX - used, 1);
	put_str(&b, " in ");
	put_u64(&b, ms / 1000, 1);
	put_str(&b, ".");
	put_u64(&b, ms % 1000, 3);
	put_str(&b, " seconds");
	if (too_slow)
		put_str(&b, " (too slow)");
	put_str(&b, "\n");
	*b.p = '\0';
	return (size_t)(b.p - line);
}

/* ------------------------------------------------------------------ */

static bench_ns threshold_ns(double s)
{
	if (isnan(s))
		return UINT64_MAX;  /* delta > NaN is never true */
	if (s <= 0)
		return 0;
	if (s >= 1.8e10)        /* past UINT64_MAX ns (584 years) */
		return UINT64_MAX;
	return (bench_ns)(s * 1e9 + 0.5);
}

struct bench_slowlog bench_slowlog_begin(const char *name, double threshold_s)
{
	struct bench_slowlog s = {
		.name = name,
		.threshold_ns = threshold_ns(threshold_s),
		.running = 1,
	};

	s.start_ns = bench_clock_now();
	return s;
}

double bench_slowlog_end(struct bench_slowlog *s)
{
	bench_ns end_ns = bench_clock_now();
	int saved_errno = errno;
	char line[BENCH_SLOWLOG_LINE_MAX + 1], who[WHO_MAX], thread[THREAD_MAX];
	struct bench_slowlog_record rec;
	struct config c;
	bench_ns elapsed;

	if (!s || !s->running)
		return 0.0;
	s->running = 0;
	elapsed = end_ns > s->start_ns ? end_ns - s->start_ns : 0;
	config_read(&c);
	if (!c.sink && !c.listener)
		return (double)elapsed / 1e9;

	rec = (struct bench_slowlog_record){
		.name = s->name,
		.start_ns = s->start_ns,
		.end_ns = end_ns,
		.threshold_ns = s->threshold_ns,
		.seconds = (double)elapsed / 1e9,
		.too_slow = elapsed > s->threshold_ns,
		.pid = getpid(),
		.tid = gettid(),
		.thread = thread,
		.who = who,
		.line = line,
	};
	format_who(who, thread, rec.pid, rec.tid);
	rec.line_len = format_line(line, who, s->name ? s->name : "?",
				   elapsed, rec.too_slow);
	if (c.sink)
		c.sink(c.sink_ud, &rec);
	if (c.listener)
		c.listener(c.listener_ud, &rec);
	errno = saved_errno;
	return rec.seconds;
}
