/*
 * test_slowlog.c - slowlog's lines, records and macros, and that its lines
 * arrive whole from many threads and processes sharing one pipe.
 *
 * Lines are read back from a pipe and parsed; a line that two writers
 * interleaved would not parse. Expected lines are rebuilt from the record
 * the listener saw, with the milliseconds rounded here in integers, so
 * nothing depends on how long a span happened to take. Timing asserts only
 * what physics guarantees: a 20 ms sleep lasts at least 0.020 s. Each test
 * runs in its own process (Check forks), so the global sink starts fresh.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench.h"
#include "check_util.h"

#define SLEEP_NS (20 * BENCH_NS_PER_MS)
#define NEVER 60.0  /* a threshold no span here comes near */

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static void make_pipe(int fds[2])
{
	ck_assert_msg(pipe(fds) == 0, "pipe: %s", strerror(errno));
}

/* Reads from fd until `lines` newlines have arrived; returns the bytes. */
static size_t read_lines(int fd, char *buf, size_t cap, size_t lines)
{
	size_t len = 0, seen = 0;

	while (seen < lines) {
		ssize_t n;

		ck_assert_msg(len < cap, "more output than expected");
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		ck_assert_msg(n > 0, "read: %s", n ? strerror(errno) : "EOF");
		for (ssize_t i = 0; i < n; i++)
			seen += buf[len + (size_t)i] == '\n';
		len += (size_t)n;
	}
	ck_assert_uint_eq(seen, lines);
	buf[len < cap ? len : cap - 1] = '\0';
	return len;
}

/* Nothing waiting on the (non-blocking) fd. */
static void assert_empty(int fd)
{
	char c;
	ssize_t n = read(fd, &c, 1);

	ck_assert_msg(n < 0 && errno == EAGAIN, "unexpected output on the pipe");
}

struct parsed {
	char prog[64];
	long pid;
	char thread[32];  /* "" when the line has no "/thread" */
	char name[64];
	uint64_t ms;      /* the seconds field in milliseconds */
	int too_slow;
};

static int take(const char **p, const char *lit)
{
	size_t n = strlen(lit);

	if (strncmp(*p, lit, n) != 0)
		return -1;
	*p += n;
	return 0;
}

/* Copies bytes up to (not including) one of stops into out. */
static int take_until(const char **p, const char *stops, char *out, size_t cap)
{
	size_t n = strcspn(*p, stops);

	if (n == 0 || n >= cap)
		return -1;
	memcpy(out, *p, n);
	out[n] = '\0';
	*p += n;
	return 0;
}

static int take_digits(const char **p, uint64_t *v, int exact)
{
	int n = 0;

	*v = 0;
	while (**p >= '0' && **p <= '9') {
		*v = *v * 10 + (uint64_t)(**p - '0');
		(*p)++;
		n++;
	}
	return n == 0 || (exact && n != exact) ? -1 : 0;
}

/*
 * Parses one line (without its newline) of the form
 * "prog[pid][/thread] Finished name in S.mmm seconds[ (too slow)]".
 * Returns 0, or -1 if the line is not exactly that.
 */
static int parse_line(const char *line, struct parsed *out)
{
	const char *p = line;
	uint64_t pid, sec, ms;

	memset(out, 0, sizeof(*out));
	if (take_until(&p, "[", out->prog, sizeof(out->prog)) ||
	    take(&p, "[") || take_digits(&p, &pid, 0) || take(&p, "]"))
		return -1;
	out->pid = (long)pid;
	if (*p == '/') {
		p++;
		if (take_until(&p, " ", out->thread, sizeof(out->thread)))
			return -1;
	}
	if (take(&p, " Finished ") ||
	    take_until(&p, " ", out->name, sizeof(out->name)) ||
	    take(&p, " in ") || take_digits(&p, &sec, 0) || take(&p, ".") ||
	    take_digits(&p, &ms, 3) || take(&p, " seconds"))
		return -1;
	out->ms = sec * 1000 + ms;
	if (*p == ' ') {
		if (take(&p, " (too slow)"))
			return -1;
		out->too_slow = 1;
	}
	return *p == '\0' ? 0 : -1;
}

/* Splits buf into lines in place; each must parse. Returns the count. */
static size_t parse_all(char *buf, struct parsed *out, size_t max)
{
	size_t n = 0;

	for (char *line = buf, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
		*nl = '\0';
		ck_assert_uint_lt(n, max);
		ck_assert_msg(parse_line(line, &out[n]) == 0,
			      "line %zu does not parse: '%s'", n + 1, line);
		n++;
	}
	return n;
}

/* A record as a sink or listener saw it, strings copied. */
struct copy {
	void *ud;
	const char *name;
	bench_ns start_ns, end_ns, threshold_ns;
	double seconds;
	int too_slow;
	pid_t pid, tid;
	char thread[32];
	char who[128];
	char line[BENCH_SLOWLOG_LINE_MAX + 1];
	size_t line_len;
};

struct capture {
	pthread_mutex_t lock;
	size_t n;
	struct copy recs[16];
};

#define CAPTURE_INIT { PTHREAD_MUTEX_INITIALIZER, 0, { { 0 } } }

static void capture(void *ud, const struct bench_slowlog_record *rec)
{
	struct capture *c = ud;
	struct copy *r;

	pthread_mutex_lock(&c->lock);
	if (c->n < sizeof(c->recs) / sizeof(c->recs[0])) {
		r = &c->recs[c->n];
		r->ud = ud;
		r->name = rec->name;
		r->start_ns = rec->start_ns;
		r->end_ns = rec->end_ns;
		r->threshold_ns = rec->threshold_ns;
		r->seconds = rec->seconds;
		r->too_slow = rec->too_slow;
		r->pid = rec->pid;
		r->tid = rec->tid;
		snprintf(r->thread, sizeof(r->thread), "%s", rec->thread);
		snprintf(r->who, sizeof(r->who), "%s", rec->who);
		snprintf(r->line, sizeof(r->line), "%s", rec->line);
		r->line_len = rec->line_len;
	}
	c->n++;
	pthread_mutex_unlock(&c->lock);
}

static void count(void *ud, const struct bench_slowlog_record *rec)
{
	(void)rec;
	atomic_fetch_add((atomic_uint *)ud, 1);
}

/* The line slowlog must have written for r, built independently. */
static void expected_line(const struct copy *r, char *out, size_t cap)
{
	bench_ns d = r->end_ns - r->start_ns;
	uint64_t ms = (d + BENCH_NS_PER_MS / 2) / BENCH_NS_PER_MS;

	snprintf(out, cap, "%s[%ld] Finished %s in %" PRIu64 ".%03" PRIu64
		 " seconds%s\n", program_invocation_short_name, (long)getpid(),
		 r->name, ms / 1000, ms % 1000, r->too_slow ? " (too slow)" : "");
}

static void restore_defaults(void)
{
	bench_slowlog_set_fd(STDERR_FILENO);
	bench_slowlog_set_listener(NULL, NULL);
}

/* ------------------------------------------------------------------ */
/* The line                                                            */

/* A 20 ms span past a 10 ms threshold, then a quick one under 60 s. */
START_TEST(test_line_format)
{
	struct capture seen = CAPTURE_INIT;
	char buf[2 * BENCH_SLOWLOG_LINE_MAX], want[2][BENCH_SLOWLOG_LINE_MAX];
	struct parsed p[2];
	struct bench_slowlog s;
	double secs;
	int fds[2];

	make_pipe(fds);
	bench_slowlog_set_fd(fds[1]);
	bench_slowlog_set_listener(capture, &seen);

	s = bench_slowlog_begin("sleepy", 0.010);
	bench_sleep_ns(SLEEP_NS);
	secs = bench_slowlog_end(&s);
	ck_assert_msg(secs >= 0.020, "end returned %.9f after a 20 ms sleep", secs);
	s = bench_slowlog_begin("quick", NEVER);
	bench_slowlog_end(&s);

	read_lines(fds[0], buf, sizeof(buf), 2);
	ck_assert_uint_eq(seen.n, 2);
	expected_line(&seen.recs[0], want[0], sizeof(want[0]));
	expected_line(&seen.recs[1], want[1], sizeof(want[1]));
	ck_assert_str_eq(seen.recs[0].line, want[0]);
	ck_assert_str_eq(seen.recs[1].line, want[1]);
	ck_assert_uint_eq(strlen(buf), strlen(want[0]) + strlen(want[1]));
	ck_assert_msg(strncmp(buf, want[0], strlen(want[0])) == 0,
		      "got '%s', expected '%s' first", buf, want[0]);
	ck_assert_str_eq(buf + strlen(want[0]), want[1]);

	/* And on its own terms, without the record: */
	ck_assert_uint_eq(parse_all(buf, p, 2), 2);
	ck_assert_str_eq(p[0].prog, program_invocation_short_name);
	ck_assert_int_eq(p[0].pid, getpid());
	ck_assert_str_eq(p[0].thread, "");   /* the main thread */
	ck_assert_str_eq(p[0].name, "sleepy");
	ck_assert_uint_ge(p[0].ms, 20);
	ck_assert_int_eq(p[0].too_slow, 1);
	ck_assert_str_eq(p[1].name, "quick");
	ck_assert_int_eq(p[1].too_slow, 0);
	restore_defaults();
	close(fds[0]);
	close(fds[1]);
}
END_TEST

/* The record's fields agree with each other and with the line. */
START_TEST(test_record_fields)
{
	struct capture seen = CAPTURE_INIT;
	struct bench_slowlog s;
	bench_ns before, after;
	struct copy *r = &seen.recs[0];

	bench_slowlog_set_sink(capture, &seen);
	before = bench_clock_now();
	s = bench_slowlog_begin("fields", 0.005);
	bench_sleep_ns(SLEEP_NS);
	bench_slowlog_end(&s);
	after = bench_clock_now();

	ck_assert_uint_eq(seen.n, 1);
	ck_assert_ptr_eq(r->ud, &seen);
	ck_assert_str_eq(r->name, "fields");
	ck_assert_uint_le(before, r->start_ns);
	ck_assert_uint_ge(r->end_ns - r->start_ns, SLEEP_NS);
	ck_assert_uint_le(r->end_ns, after);
	ck_assert_uint_eq(r->threshold_ns, 5 * BENCH_NS_PER_MS);
	ASSERT_NEAR(r->seconds, (double)(r->end_ns - r->start_ns) / 1e9, 1e-12);
	ck_assert_int_eq(r->too_slow, 1);
	ck_assert_int_eq(r->pid, getpid());
	ck_assert_int_eq(r->tid, gettid());
	ck_assert_str_eq(r->thread, "");
	ck_assert_uint_eq(r->line_len, strlen(r->line));
	ck_assert_uint_eq(r->line[r->line_len - 1], '\n');
	ck_assert_uint_eq(strncmp(r->line, r->who, strlen(r->who)), 0);
	ck_assert_uint_eq(r->line[strlen(r->who)], ' ');
	restore_defaults();
}
END_TEST

/* too_slow is delta > threshold, as in the course; odd thresholds. */
START_TEST(test_too_slow)
{
	static const struct {
		double threshold_s;
		int sleep;
		int too_slow;
	} cases[] = {
		{ 0.005, 1, 1 },     /* 20 ms > 5 ms */
		{ NEVER, 1, 0 },     /* 20 ms < 60 s */
		{ NEVER, 0, 0 },
		{ 0.0, 1, 1 },       /* 0: anything that takes time */
		{ -1.0, 1, 1 },      /* negative: as 0 */
		{ NAN, 1, 0 },       /* delta > NaN is false in Python too */
		{ INFINITY, 1, 0 },
		{ 1e300, 1, 0 },     /* beyond 584 years of ns: never */
	};
	struct capture seen = CAPTURE_INIT;
	size_t n = sizeof(cases) / sizeof(cases[0]);

	bench_slowlog_set_sink(capture, &seen);
	for (size_t i = 0; i < n; i++) {
		struct bench_slowlog s = bench_slowlog_begin("case", cases[i].threshold_s);

		if (cases[i].sleep)
			bench_sleep_ns(SLEEP_NS);
		bench_slowlog_end(&s);
	}
	ck_assert_uint_eq(seen.n, n);
	for (size_t i = 0; i < n; i++) {
		const char *tail = " seconds (too slow)\n";
		size_t len = seen.recs[i].line_len, tl = strlen(tail);
		int flagged = len >= tl &&
			      strcmp(seen.recs[i].line + len - tl, tail) == 0;

		ck_assert_msg(seen.recs[i].too_slow == cases[i].too_slow,
			      "case %zu (threshold %g): too_slow %d, expected %d",
			      i, cases[i].threshold_s, seen.recs[i].too_slow,
			      cases[i].too_slow);
		ck_assert_int_eq(flagged, cases[i].too_slow);
	}
	restore_defaults();
}
END_TEST

/* A name longer than a line, with a newline in it, stays one line. */
START_TEST(test_long_name)
{
	struct capture seen = CAPTURE_INIT;
	char name[2000];
	struct bench_slowlog s;
	const char *line;

	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	name[10] = '\n';
	name[11] = '\t';
	bench_slowlog_set_sink(capture, &seen);
	s = bench_slowlog_begin(name, NEVER);
	bench_slowlog_end(&s);
	s = bench_slowlog_begin(NULL, NEVER);
	bench_slowlog_end(&s);

	ck_assert_uint_eq(seen.n, 2);
	line = seen.recs[0].line;
	ck_assert_uint_le(seen.recs[0].line_len, BENCH_SLOWLOG_LINE_MAX);
	ck_assert_uint_eq(seen.recs[0].line_len, strlen(line));
	ck_assert_ptr_eq(strchr(line, '\n'), line + seen.recs[0].line_len - 1);
	ck_assert_ptr_null(strchr(line, '\t'));
	ck_assert_ptr_nonnull(strstr(line, " Finished xxxxxxxxxx??xxx"));
	ck_assert_ptr_nonnull(strstr(line, "x... in 0.0"));
	ck_assert_ptr_nonnull(strstr(seen.recs[1].line, " Finished ? in "));
	restore_defaults();
}
END_TEST

/* ------------------------------------------------------------------ */
/* begin/end and the macros                                            */

START_TEST(test_end_returns)
{
	struct capture seen = CAPTURE_INIT;
	struct bench_slowlog s = bench_slowlog_begin("twice", NEVER);
	struct bench_slowlog zero = { 0 };
	double secs;

	bench_slowlog_set_sink(capture, &seen);
	bench_sleep_ns(SLEEP_NS);
	errno = ERANGE;
	secs = bench_slowlog_end(&s);
	ck_assert_int_eq(errno, ERANGE);  /* left as it was */
	ck_assert_msg(secs >= 0.020, "end returned %.9f after a 20 ms sleep", secs);
	ASSERT_NEAR(secs, seen.recs[0].seconds, 0);
	/* Ending again, or ending a zeroed span, logs nothing. */
	ck_assert(bench_slowlog_end(&s) == 0.0);
	ck_assert(bench_slowlog_end(&zero) == 0.0);
	ck_assert_uint_eq(seen.n, 1);
	restore_defaults();
}
END_TEST

static int ticks;
static void tick(void) { ticks++; }
static int answer(void) { return 42; }
static void add_to(int *acc, int v) { *acc += v; }
static long sum14(long a, long b, long c, long d, long e, long f, long g,
		  long h, long i, long j, long k, long l, long m, long n)
{
	return a + b + c + d + e + f + g + h + i + j + k + l + m + n;
}
static int fail_enoent(void)
{
	errno = ENOENT;
	return -1;
}

START_TEST(test_call_names)
{
	struct capture seen = CAPTURE_INIT;
	int acc = 0, v = 0, rc;
	long total = 0;

	bench_slowlog_set_sink(capture, &seen);
	BENCH_SLOWLOG_CALL(NEVER, tick);
	BENCH_SLOWLOG_CALL(NEVER, add_to, &acc, 5);
	BENCH_SLOWLOG_ASSIGN(v, NEVER, answer);
	BENCH_SLOWLOG_ASSIGN(total, NEVER, sum14, 1, 2, 3, 4, 5, 6, 7, 8, 9,
			     10, 11, 12, 13, 14);
	BENCH_SLOWLOG_ASSIGN(rc, NEVER, fail_enoent);
	ck_assert_int_eq(rc, -1);
	ck_assert_int_eq(errno, ENOENT);  /* the call's errno survives */
	if (v == 42)  /* one statement: fits an if without braces */
		BENCH_SLOWLOG_CALL(NEVER, tick);
	else
		ck_abort_msg("BENCH_SLOWLOG_CALL broke if/else");

	ck_assert_int_eq(ticks, 2);
	ck_assert_int_eq(acc, 5);
	ck_assert_int_eq(v, 42);
	ck_assert_int_eq(total, 105);
	ck_assert_uint_eq(seen.n, 6);
	ck_assert_str_eq(seen.recs[0].name, "tick");
	ck_assert_str_eq(seen.recs[1].name, "add_to");
	ck_assert_str_eq(seen.recs[2].name, "answer");
	ck_assert_str_eq(seen.recs[3].name, "sum14");
	ck_assert_str_eq(seen.recs[4].name, "fail_enoent");
	ck_assert_str_eq(seen.recs[5].name, "tick");
	ck_assert_ptr_nonnull(strstr(seen.recs[1].line, " Finished add_to in "));
	restore_defaults();
}
END_TEST

START_TEST(test_block)
{
	struct capture seen = CAPTURE_INIT;
	int body = 0, after_break = 0, rounds = 0;

	bench_slowlog_set_sink(capture, &seen);
	BENCH_SLOWLOG("block", NEVER) {
		body++;
	}
	ck_assert_int_eq(body, 1);
	ck_assert_uint_eq(seen.n, 1);
	ck_assert_str_eq(seen.recs[0].name, "block");

	/* break and continue end the block, log, and leave the loop around
	 * the macro alone. */
	for (int i = 0; i < 3; i++) {
		rounds++;
		BENCH_SLOWLOG("brk", NEVER) {
			if (i == 1)
				break;
			if (i == 2)
				continue;
			after_break++;
		}
	}
	ck_assert_int_eq(rounds, 3);
	ck_assert_int_eq(after_break, 1);
	ck_assert_uint_eq(seen.n, 4);

	/* Nested: the inner span ends and logs first, inside the outer. */
	BENCH_SLOWLOG("outer", NEVER) {
		BENCH_SLOWLOG("inner", NEVER)
			bench_sleep_ns(BENCH_NS_PER_MS);
	}
	ck_assert_uint_eq(seen.n, 6);
	ck_assert_str_eq(seen.recs[4].name, "inner");
	ck_assert_str_eq(seen.recs[5].name, "outer");
	ck_assert_uint_le(seen.recs[5].start_ns, seen.recs[4].start_ns);
	ck_assert_uint_ge(seen.recs[5].end_ns, seen.recs[4].end_ns);
	restore_defaults();
}
END_TEST

/* ------------------------------------------------------------------ */
/* Sinks and the listener                                              */

START_TEST(test_silence)
{
	atomic_uint heard = 0;
	struct bench_slowlog s;
	char buf[BENCH_SLOWLOG_LINE_MAX];
	int fds[2];

	make_pipe(fds);
	ck_assert_int_eq(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
	bench_slowlog_set_listener(count, &heard);

	bench_slowlog_set_fd(fds[1]);
	bench_slowlog_set_sink(NULL, NULL);
	s = bench_slowlog_begin("hush", NEVER);
	bench_slowlog_end(&s);
	assert_empty(fds[0]);

	bench_slowlog_set_fd(fds[1]);
	bench_slowlog_set_fd(-1);
	s = bench_slowlog_begin("hush", NEVER);
	bench_slowlog_end(&s);
	assert_empty(fds[0]);
	ck_assert_uint_eq(atomic_load(&heard), 2);  /* listener still hears */

	bench_slowlog_set_listener(NULL, NULL);
	bench_slowlog_set_fd(fds[1]);
	s = bench_slowlog_begin("loud", NEVER);
	bench_slowlog_end(&s);
	ck_assert_uint_eq(atomic_load(&heard), 2);  /* cleared */
	read_lines(fds[0], buf, sizeof(buf), 1);
	ck_assert_ptr_nonnull(strstr(buf, " Finished loud in "));
	restore_defaults();
	close(fds[0]);
	close(fds[1]);
}
END_TEST

/* With nothing set, the line goes to fd 2, written by the library. */
START_TEST(test_default_stderr)
{
	char buf[2 * BENCH_SLOWLOG_LINE_MAX], *second;
	struct bench_slowlog s;
	struct parsed p;
	int fds[2], saved;

	make_pipe(fds);
	saved = dup(STDERR_FILENO);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_eq(dup2(fds[1], STDERR_FILENO), STDERR_FILENO);
	BENCH_SLOWLOG_CALL(NEVER, tick);
	s = bench_slowlog_begin("late", 0.001);
	bench_sleep_ns(SLEEP_NS);
	bench_slowlog_end(&s);
	ck_assert_int_eq(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);
	read_lines(fds[0], buf, sizeof(buf), 2);
	second = strchr(buf, '\n') + 1;
	second[-1] = '\0';
	second[strlen(second) - 1] = '\0';
	ck_assert_msg(parse_line(buf, &p) == 0, "bad line '%s'", buf);
	ck_assert_str_eq(p.name, "tick");
	ck_assert_int_eq(p.too_slow, 0);
	ck_assert_msg(parse_line(second, &p) == 0, "bad line '%s'", second);
	ck_assert_str_eq(p.name, "late");
	ck_assert_int_eq(p.too_slow, 1);
	close(fds[0]);
	close(fds[1]);
}
END_TEST

/* A custom sink replaces the fd: the pipe gets nothing, the sink all. */
START_TEST(test_custom_sink)
{
	struct capture seen = CAPTURE_INIT;
	struct bench_slowlog s;
	int fds[2];

	make_pipe(fds);
	ck_assert_int_eq(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
	bench_slowlog_set_fd(fds[1]);
	bench_slowlog_set_sink(capture, &seen);
	s = bench_slowlog_begin("slow", 0.001);
	bench_sleep_ns(SLEEP_NS);
	bench_slowlog_end(&s);
	s = bench_slowlog_begin("fast", NEVER);
	bench_slowlog_end(&s);
	assert_empty(fds[0]);
	ck_assert_uint_eq(seen.n, 2);
	ck_assert_str_eq(seen.recs[0].name, "slow");
	ck_assert_int_eq(seen.recs[0].too_slow, 1);
	ck_assert_str_eq(seen.recs[1].name, "fast");
	ck_assert_int_eq(seen.recs[1].too_slow, 0);
	restore_defaults();
	close(fds[0]);
	close(fds[1]);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Threads and processes on one pipe                                   */

#define THREADS 8
#define SPANS 200
#define LINE_CAP 160  /* bytes per line in the read buffers, generous */

struct span_thread {
	int index;
	int named;     /* sets its own name "worker-<index>" */
	pid_t tid;
	int spans;
};

static void *span_thread_main(void *arg)
{
	struct span_thread *t = arg;
	char name[32], span[32];

	t->tid = gettid();
	if (t->named) {
		snprintf(name, sizeof(name), "worker-%d", t->index);
		pthread_setname_np(pthread_self(), name);
	}
	snprintf(span, sizeof(span), "span-%d", t->index);
	for (int i = 0; i < t->spans; i++) {
		struct bench_slowlog s = bench_slowlog_begin(span, NEVER);

		bench_slowlog_end(&s);
	}
	return NULL;
}

static void label_of(const struct span_thread *t, char *out, size_t cap)
{
	if (t->named)
		snprintf(out, cap, "worker-%d", t->index);
	else
		snprintf(out, cap, "thread-%ld", (long)t->tid);
}

START_TEST(test_threads)
{
	struct span_thread th[THREADS];
	pthread_t ids[THREADS];
	size_t total = THREADS * SPANS, per[THREADS] = { 0 };
	char *buf = malloc(total * LINE_CAP);
	struct parsed *p = calloc(total, sizeof(*p));
	atomic_uint heard = 0;
	int fds[2];

	ck_assert_ptr_nonnull(buf);
	ck_assert_ptr_nonnull(p);
	make_pipe(fds);
	bench_slowlog_set_fd(fds[1]);
	bench_slowlog_set_listener(count, &heard);
	for (int i = 0; i < THREADS; i++) {
		th[i] = (struct span_thread){ .index = i, .named = i % 2 == 0,
					      .spans = SPANS };
		ck_assert_int_eq(pthread_create(&ids[i], NULL, span_thread_main,
						&th[i]), 0);
	}
	/* Read while they write: 1600 lines overflow a pipe's buffer. */
	read_lines(fds[0], buf, total * LINE_CAP, total);
	for (int i = 0; i < THREADS; i++)
		pthread_join(ids[i], NULL);

	ck_assert_uint_eq(atomic_load(&heard), total);
	ck_assert_uint_eq(parse_all(buf, p, total), total);
	for (size_t k = 0; k < total; k++) {
		int i;
		char want[32];

		ck_assert_int_eq(sscanf(p[k].name, "span-%d", &i), 1);
		ck_assert_int_ge(i, 0);
		ck_assert_int_lt(i, THREADS);
		label_of(&th[i], want, sizeof(want));
		ck_assert_int_eq(p[k].pid, getpid());
		ck_assert_str_eq(p[k].thread, want);
		ck_assert_int_eq(p[k].too_slow, 0);
		per[i]++;
	}
	for (int i = 0; i < THREADS; i++) {
		char a[32], b[32];

		ck_assert_uint_eq(per[i], SPANS);
		for (int j = 0; j < i; j++) {  /* every thread named apart */
			label_of(&th[i], a, sizeof(a));
			label_of(&th[j], b, sizeof(b));
			ck_assert_str_ne(a, b);
		}
	}
	restore_defaults();
	close(fds[0]);
	close(fds[1]);
	free(buf);
	free(p);
}
END_TEST

#define CHILDREN 4
#define CHILD_SPANS 50
#define PARENT_SPANS 200

/*
 * The parent's logging thread is detached: a child of a multithreaded
 * process inherits the parent's other threads as dead and unjoinable, and
 * ThreadSanitizer reports joinable ones as leaked when the child exits.
 * Static, so the thread may outlive the test function's frame.
 */
static atomic_int bg_tid, bg_done;

static void *bg_thread_main(void *arg)
{
	(void)arg;
	atomic_store(&bg_tid, (int)gettid());
	for (int i = 0; i < PARENT_SPANS; i++) {
		struct bench_slowlog s = bench_slowlog_begin("parent-bg", NEVER);

		bench_slowlog_end(&s);
	}
	atomic_store(&bg_done, 1);
	return NULL;
}

/*
 * Children forked while another thread of the parent is logging, so each
 * is the child of a multithreaded process. Child 0 names its thread.
 */
START_TEST(test_processes)
{
	size_t total = CHILDREN * CHILD_SPANS + PARENT_SPANS;
	size_t per[CHILDREN] = { 0 }, parent_lines = 0;
	char *buf = malloc(total * LINE_CAP), bg_label[32];
	struct parsed *p = calloc(total, sizeof(*p));
	pid_t kids[CHILDREN];
	pthread_attr_t attr;
	pthread_t bg_id;
	int fds[2];

	ck_assert_ptr_nonnull(buf);
	ck_assert_ptr_nonnull(p);
	make_pipe(fds);
	bench_slowlog_set_fd(fds[1]);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	ck_assert_int_eq(pthread_create(&bg_id, &attr, bg_thread_main, NULL), 0);
	pthread_attr_destroy(&attr);
	for (int k = 0; k < CHILDREN; k++) {
		kids[k] = fork();
		ck_assert_int_ge(kids[k], 0);
		if (kids[k] == 0) {
			char span[32];

			if (k == 0)
				prctl(PR_SET_NAME, "child-0", 0, 0, 0);
			snprintf(span, sizeof(span), "child-%d", k);
			for (int i = 0; i < CHILD_SPANS; i++) {
				struct bench_slowlog s = bench_slowlog_begin(span, NEVER);

				bench_slowlog_end(&s);
			}
			_exit(0);
		}
	}
	read_lines(fds[0], buf, total * LINE_CAP, total);
	while (!atomic_load(&bg_done))
		bench_sleep_ns(BENCH_NS_PER_MS);
	for (int k = 0; k < CHILDREN; k++) {
		int status;

		ck_assert_int_eq(waitpid(kids[k], &status, 0), kids[k]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			      "child %d ended with status %#x", k, status);
	}

	snprintf(bg_label, sizeof(bg_label), "thread-%d", atomic_load(&bg_tid));
	ck_assert_uint_eq(parse_all(buf, p, total), total);
	for (size_t n = 0; n < total; n++) {
		int k;

		if (strcmp(p[n].name, "parent-bg") == 0) {
			ck_assert_int_eq(p[n].pid, getpid());
			ck_assert_str_eq(p[n].thread, bg_label);
			parent_lines++;
			continue;
		}
		ck_assert_int_eq(sscanf(p[n].name, "child-%d", &k), 1);
		ck_assert_int_ge(k, 0);
		ck_assert_int_lt(k, CHILDREN);
		ck_assert_int_eq(p[n].pid, kids[k]);     /* its own pid */
		ck_assert_str_eq(p[n].thread, k == 0 ? "child-0" : "");
		per[k]++;
	}
	ck_assert_uint_eq(parent_lines, PARENT_SPANS);
	for (int k = 0; k < CHILDREN; k++) {
		ck_assert_uint_eq(per[k], CHILD_SPANS);
		for (int j = 0; j < k; j++)
			ck_assert_int_ne(kids[k], kids[j]);
	}
	restore_defaults();
	close(fds[0]);
	close(fds[1]);
	free(buf);
	free(p);
}
END_TEST

static void *spaced_thread_main(void *arg)
{
	struct bench_slowlog s;

	(void)arg;
	pthread_setname_np(pthread_self(), "two words");
	s = bench_slowlog_begin("spaced", NEVER);
	bench_slowlog_end(&s);
	return NULL;
}

/* A thread's name with a space still makes a one-word prefix. */
START_TEST(test_thread_label_one_word)
{
	struct capture seen = CAPTURE_INIT;
	char want[128];
	pthread_t id;

	bench_slowlog_set_sink(capture, &seen);
	ck_assert_int_eq(pthread_create(&id, NULL, spaced_thread_main, NULL), 0);
	pthread_join(id, NULL);
	ck_assert_uint_eq(seen.n, 1);
	ck_assert_str_eq(seen.recs[0].thread, "two_words");
	snprintf(want, sizeof(want), "%s[%ld]/two_words",
		 program_invocation_short_name, (long)getpid());
	ck_assert_str_eq(seen.recs[0].who, want);
	ck_assert_int_ne(seen.recs[0].tid, getpid());
	restore_defaults();
}
END_TEST

/*
 * Sinks and listeners swapped while threads log: every call must get the
 * ud that was set with its function, never another pair's.
 */
static int tag_a, tag_b, tag_l;
static atomic_uint calls, mismatches;

static void sink_a(void *ud, const struct bench_slowlog_record *rec)
{
	(void)rec;
	atomic_fetch_add(&calls, 1);
	if (ud != &tag_a)
		atomic_fetch_add(&mismatches, 1);
}

static void sink_b(void *ud, const struct bench_slowlog_record *rec)
{
	(void)rec;
	atomic_fetch_add(&calls, 1);
	if (ud != &tag_b)
		atomic_fetch_add(&mismatches, 1);
}

static void listen_l(void *ud, const struct bench_slowlog_record *rec)
{
	(void)rec;
	if (ud != &tag_l)
		atomic_fetch_add(&mismatches, 1);
}

START_TEST(test_swap_while_logging)
{
	struct span_thread th[4];
	pthread_t ids[4];
	unsigned swaps = 0;

	bench_slowlog_set_sink(sink_a, &tag_a);
	for (int i = 0; i < 4; i++) {
		th[i] = (struct span_thread){ .index = i, .spans = 2000 };
		ck_assert_int_eq(pthread_create(&ids[i], NULL, span_thread_main,
						&th[i]), 0);
	}
	while (swaps < 20000 && atomic_load(&calls) < 4 * 2000) {
		if (swaps % 2)
			bench_slowlog_set_sink(sink_a, &tag_a);
		else
			bench_slowlog_set_sink(sink_b, &tag_b);
		bench_slowlog_set_listener(swaps % 3 ? listen_l : NULL, &tag_l);
		swaps++;
	}
	for (int i = 0; i < 4; i++)
		pthread_join(ids[i], NULL);
	ck_assert_uint_eq(atomic_load(&calls), 4 * 2000);
	ck_assert_uint_eq(atomic_load(&mismatches), 0);
	restore_defaults();
}
END_TEST

Suite *suite_slowlog(void)
{
	Suite *s = suite_create("slowlog");
	TCase *line = tcase_create("line");
	TCase *api = tcase_create("api");
	TCase *conc = tcase_create("concurrency");

	tcase_add_test(line, test_line_format);
	tcase_add_test(line, test_record_fields);
	tcase_add_test(line, test_too_slow);
	tcase_add_test(line, test_long_name);
	suite_add_tcase(s, line);

	tcase_add_test(api, test_end_returns);
	tcase_add_test(api, test_call_names);
	tcase_add_test(api, test_block);
	tcase_add_test(api, test_default_stderr);
	tcase_add_test(api, test_silence);
	tcase_add_test(api, test_custom_sink);
	suite_add_tcase(s, api);

	tcase_add_test(conc, test_threads);
	tcase_add_test(conc, test_processes);
	tcase_add_test(conc, test_thread_label_one_word);
	tcase_add_test(conc, test_swap_while_logging);
	tcase_set_timeout(conc, 60);
	suite_add_tcase(s, conc);
	return s;
}
