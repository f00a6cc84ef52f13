/*
 * queue.c - mode queue: tasks on a Redis broker, run by `bench worker`
 * processes that may live on any host (the course's rq and Celery).
 *
 * A sample publishes one descriptor per task on a Redis Stream (workload,
 * size, seed, options, item range: a few dozen bytes, never the items),
 * read by the workers through a consumer group; each worker prepares the
 * input itself from the run's seed, runs its tasks and pushes partial
 * results onto a list that this process drains and merges. Only
 * descriptors and partials travel, so a worker on another host joins by
 * pointing `bench worker --broker URL` at the same Redis.
 *
 * The design choice to know: the broker and the local workers are a
 * standing pool, started on a case's first sample and kept until the
 * command ends (fini) or the worker count changes, as a production
 * queue's workers are; the first sample (a warmup) pays their start and
 * the workers' preparing, later ones pay the queue's round trips. With no
 * --broker, the broker is a private redis-server on a unix socket in a
 * temporary folder (no TCP port, no persistence). Every key of a run
 * lives under one prefix (bench:q:HOST:PID:RANDOM:) and is deleted at the
 * end, on failure and on Ctrl-C; the run is announced in the set
 * bench:runs, which Redis drops once its last member leaves.
 *
 * Faults: a worker that dies holding tasks leaves them pending in the
 * group; after the visibility timeout (5 s, BENCH_QUEUE_VISIBILITY_MS)
 * another worker takes them with XAUTOCLAIM, and the sample's note says
 * how many were redelivered and whose they were. A result that arrives
 * twice (a slow worker whose task was claimed meanwhile) is dropped. A
 * broker that goes away fails the sample with one line; the workers,
 * which lose it too, leave, and those that do not are killed.
 *
 * Children (redis-server, the workers) are started through run_command
 * (bench/command.h), each watched by a thread of its own that blocks in
 * bench_command_run(): its tick learns the child's pid and kills it when
 * asked, before the child is reaped, so a signal never reaches a reused
 * pid. bench_cancel() ends every one of them, as for any run.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "bench/command.h"
#include "bench/executor.h"
#include "bench/queue.h"

#define SUMMARY "tasks as descriptors on a Redis Stream (a private redis-server, or --broker URL), run by bench worker processes"

#ifndef BENCH_HAVE_HIREDIS

#define NO_HIREDIS "bench was built without hiredis: install libhiredis-dev and redis-server (make deps, or apt-get install libhiredis-dev redis-server) and rebuild (make)"

static int queue_check(unsigned workers, struct bench_err *err)
{
	(void)workers;
	return bench_err_set(err, BENCH_EINVAL, "--mode queue: %s", NO_HIREDIS);
}

static int queue_run(struct bench_exec_ctx *ctx)
{
	return bench_err_set(ctx->err, BENCH_EINVAL, "--mode queue: %s",
			     NO_HIREDIS);
}

static void queue_fini(void)
{
}

int bench_queue_worker(const struct bench_queue_worker_opts *opts,
		       struct bench_err *err)
{
	(void)opts;
	return bench_err_set(err, BENCH_EINVAL, "%s", NO_HIREDIS);
}

#else

#include <hiredis.h>

/* The consumer group of every run's task stream. */
#define GROUP "workers"
/* The set announcing the runs a broker serves (for roaming workers). */
#define RUNS_KEY "bench:runs"
/* How long a delivered task may stay unacknowledged before another
 * worker claims it; BENCH_QUEUE_VISIBILITY_MS overrides (tests). */
#define VISIBILITY_MS 5000
/* A worker's XREADGROUP blocks this long, then looks at the run's state
 * and at tasks left by dead workers. */
#define BLOCK_MS 100
/* The parent's BLPOP for results, in seconds, between its checks. */
#define RESULT_WAIT "0.05"
/* Longest silence of a broker before it counts as gone. */
#define REPLY_TIMEOUT_S 30
/* Descriptors published per round trip, results drained per LPOP. */
#define PIPELINE 1024
/* Most tasks a worker takes in one read when tasks are quick. */
#define READ_MAX 64
/* How often a child's watcher looks at it (pid, kill requests). */
#define TICK_NS (20 * BENCH_NS_PER_MS)
/* How long the private redis-server has to start answering. */
#define START_NS (10 * BENCH_NS_PER_S)
/* How long children have to leave after SIGTERM on Ctrl-C. */
#define CANCEL_GRACE_NS (2 * BENCH_NS_PER_S)
/* How long workers have to leave once told the run is over. */
#define LEAVE_NS (3 * BENCH_NS_PER_S)

/* A broker address, parsed from a URL. */
struct broker {
	char shown[600];     /* the URL without its password, for messages */
	char path[108];      /* unix socket path; "" for TCP */
	char host[256];
	int port;
	unsigned db;
	char user[128];      /* "" : AUTH with the password alone */
	char password[256];  /* "" : no AUTH */
};

static int bad_url(const char *url, struct bench_err *err)
{
	return bench_err_set(err, BENCH_EINVAL,
			     "--broker '%s': expected redis://[:PASSWORD@]HOST[:PORT][/DB] or unix:///PATH[?db=N]",
			     url);
}

static int parse_db(const char *s, unsigned *db)
{
	char *end;
	unsigned long v;

	if (!*s)
		return 0;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > 100000 || *s < '0' || *s > '9')
		return -1;
	*db = (unsigned)v;
	return 0;
}

static int parse_url(const char *url, struct broker *b, struct bench_err *err)
{
	memset(b, 0, sizeof(*b));
	b->port = 6379;
	if (strncmp(url, "unix://", 7) == 0) {
		const char *p = url + 7, *q = strchr(p, '?');
		size_t n = q ? (size_t)(q - p) : strlen(p);

		if (n == 0 || p[0] != '/' || n >= sizeof(b->path))
			return bench_err_set(err, BENCH_EINVAL,
					     "--broker '%s': expected unix:///PATH with an absolute PATH shorter than %zu bytes",
					     url, sizeof(b->path));
		memcpy(b->path, p, n);
		if (q && (strncmp(q, "?db=", 4) != 0 || parse_db(q + 4, &b->db)))
			return bad_url(url, err);
		snprintf(b->shown, sizeof(b->shown), "%s", url);
		return 0;
	}
	if (strncmp(url, "redis://", 8) == 0) {
		const char *p = url + 8, *slash = strchr(p, '/'), *at, *colon;
		const char *end = slash ? slash : p + strlen(p);
		size_t n;

		at = memchr(p, '@', (size_t)(end - p));
		if (at) {
			const char *c = memchr(p, ':', (size_t)(at - p));

			if (!c || (size_t)(c - p) >= sizeof(b->user) ||
			    (size_t)(at - c - 1) >= sizeof(b->password))
				return bad_url(url, err);
			memcpy(b->user, p, (size_t)(c - p));
			memcpy(b->password, c + 1, (size_t)(at - c - 1));
			p = at + 1;
		}
		colon = memchr(p, ':', (size_t)(end - p));
		n = (size_t)((colon ? colon : end) - p);
		if (n == 0 || n >= sizeof(b->host))
			return bad_url(url, err);
		memcpy(b->host, p, n);
		if (colon) {
			char digits[8] = { 0 };
			char *e;
			long v;

			if ((size_t)(end - colon - 1) >= sizeof(digits) ||
			    end == colon + 1)
				return bad_url(url, err);
			memcpy(digits, colon + 1, (size_t)(end - colon - 1));
			v = strtol(digits, &e, 10);
			if (*e || v < 1 || v > 65535)
				return bad_url(url, err);
			b->port = (int)v;
		}
		if (slash && parse_db(slash + 1, &b->db))
			return bad_url(url, err);
		snprintf(b->shown, sizeof(b->shown), "redis://%s:%d/%u", b->host,
			 b->port, b->db);
		return 0;
	}
	return bad_url(url, err);
}

static bench_ns now_ns(void)
{
	return bench_clock_now();
}

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !bench_canceled())
		;
}

/*
 * hiredis writes with write(2): a broker that went away would kill the
 * caller with SIGPIPE. The calls here run with it blocked, and one that
 * came meanwhile is taken off before the mask is restored.
 */
static void pipe_block(sigset_t *saved)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, saved);
}

static void pipe_restore(const sigset_t *saved)
{
	sigset_t set;
	struct timespec zero = { 0, 0 };

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	if (!sigismember(saved, SIGPIPE))
		while (sigtimedwait(&set, NULL, &zero) == SIGPIPE)
			;
	pthread_sigmask(SIG_SETMASK, saved, NULL);
}

/* "lost the broker": what hiredis says about a failed call. */
static int lost(const struct broker *b, const redisContext *c,
		struct bench_err *err)
{
	return bench_err_set(err, BENCH_ESYS, "queue: lost the broker %s: %s",
			     b->shown,
			     c->err ? c->errstr : "no reply");
}

static int compare_ns(const void *a, const void *b)
{
	bench_ns x = *(const bench_ns *)a, y = *(const bench_ns *)b;

	return x < y ? -1 : x > y;
}

/*
 * Connects to b, authenticates, checks it speaks Redis (PING), selects
 * the database and checks the version has what the queue uses (Redis
 * 6.2: XAUTOCLAIM, LPOP with a count). *ping_ns gets the median of five
 * PING round trips. Returns the context or NULL with err filled.
 */
static redisContext *broker_connect(const struct broker *b, bench_ns *ping_ns,
				    char *version, size_t vlen,
				    struct bench_err *err)
{
	struct timeval tv = { 5, 0 };
	redisContext *c;
	redisReply *r;
	bench_ns rtt[5];

	c = b->path[0] ? redisConnectUnixWithTimeout(b->path, tv) :
			 redisConnectWithTimeout(b->host, b->port, tv);
	if (!c) {
		bench_err_set(err, BENCH_ENOMEM, "out of memory for a broker connection");
		return NULL;
	}
	if (c->err) {
		bench_err_set(err, BENCH_ESYS, "queue: cannot reach the broker %s: %s",
			      b->shown, c->errstr);
		goto fail;
	}
	tv.tv_sec = REPLY_TIMEOUT_S;
	redisSetTimeout(c, tv);
	if (b->password[0]) {
		r = b->user[0] ? redisCommand(c, "AUTH %s %s", b->user, b->password) :
				 redisCommand(c, "AUTH %s", b->password);
		if (!r) {
			bench_err_set(err, BENCH_ESYS,
				      "queue: %s does not answer as a Redis server: %s",
				      b->shown, c->errstr);
			goto fail;
		}
		if (r->type == REDIS_REPLY_ERROR) {
			bench_err_set(err, BENCH_ESYS,
				      "queue: the broker %s refused the password: %s",
				      b->shown, r->str);
			freeReplyObject(r);
			goto fail;
		}
		freeReplyObject(r);
	}
	for (int i = 0; i < 5; i++) {
		bench_ns t0 = now_ns();

		r = redisCommand(c, "PING");
		rtt[i] = now_ns() - t0;
		if (!r) {
			bench_err_set(err, BENCH_ESYS,
				      "queue: %s does not answer as a Redis server: %s",
				      b->shown, c->errstr);
			goto fail;
		}
		if (r->type == REDIS_REPLY_ERROR &&
		    strncmp(r->str, "NOAUTH", 6) == 0) {
			bench_err_set(err, BENCH_ESYS,
				      "queue: the broker %s needs a password: give it in the URL, as redis://:PASSWORD@HOST:PORT/DB",
				      b->shown);
			freeReplyObject(r);
			goto fail;
		}
		if (r->type != REDIS_REPLY_STATUS || strcmp(r->str, "PONG") != 0) {
			bench_err_set(err, BENCH_ESYS,
				      "queue: %s does not answer as a Redis server (PING answered '%.60s')",
				      b->shown, r->str ? r->str : "");
			freeReplyObject(r);
			goto fail;
		}
		freeReplyObject(r);
	}
	qsort(rtt, 5, sizeof(*rtt), compare_ns);
	*ping_ns = rtt[2];
	if (b->db) {
		r = redisCommand(c, "SELECT %u", b->db);
		if (!r || r->type == REDIS_REPLY_ERROR) {
			bench_err_set(err, BENCH_ESYS,
				      "queue: the broker %s refused database %u: %s",
				      b->shown, b->db,
				      r ? r->str : c->errstr);
			if (r)
				freeReplyObject(r);
			goto fail;
		}
		freeReplyObject(r);
	}
	r = redisCommand(c, "INFO server");
	if (!r || r->type != REDIS_REPLY_STRING) {
		bench_err_set(err, BENCH_ESYS, "queue: the broker %s: INFO: %s",
			      b->shown,
			      r ? (r->str ? r->str : "unexpected reply") : c->errstr);
		if (r)
			freeReplyObject(r);
		goto fail;
	}
	{
		const char *v = strstr(r->str, "redis_version:");
		int major = 0, minor = 0;

		snprintf(version, vlen, "%s", "unknown");
		if (v) {
			size_t n = strcspn(v + 14, "\r\n");

			snprintf(version, vlen, "%.*s", (int)n, v + 14);
			sscanf(version, "%d.%d", &major, &minor);
		}
		freeReplyObject(r);
		if (major < 6 || (major == 6 && minor < 2)) {
			bench_err_set(err, BENCH_ESYS,
				      "queue: the broker %s runs Redis %s; mode queue needs Redis 6.2 or later (XAUTOCLAIM)",
				      b->shown, version);
			goto fail;
		}
	}
	return c;
fail:
	redisFree(c);
	return NULL;
}

/*
 * broker_connect with retries: exponential backoff from 50 ms with
 * jitter, for a broker that is starting or briefly unreachable (the
 * course's tenacity). Refusals (a password, not Redis) are not retried.
 */
static redisContext *broker_connect_retry(const struct broker *b,
					  bench_ns *ping_ns, char *version,
					  size_t vlen, int attempts,
					  struct bench_err *err)
{
	long delay = 50;

	for (int i = 1;; i++) {
		struct bench_err e = { 0 };
		redisContext *c = broker_connect(b, ping_ns, version, vlen, &e);

		if (c)
			return c;
		if (i >= attempts || bench_canceled() ||
		    !strstr(e.msg, "cannot reach")) {
			bench_err_set(err, e.code, "%s", e.msg);
			return NULL;
		}
		nap_ms(delay / 2 + rand() % (delay / 2 + 1));
		if (delay < 1000)
			delay *= 2;
	}
}

/* ---------------------------------------------------------------- */
/* Results: what a worker pushes for each task.                      */

enum { RESULT_REDELIVERED = 1u << 0 };

struct result_head {
	uint64_t gen;        /* the sample it belongs to */
	uint64_t index;      /* task number */
	uint64_t compute_ns; /* the worker's time running it */
	int32_t status;      /* 0, or a BENCH_E* code; body: the message */
	uint32_t len;        /* bytes of body */
	uint32_t pid;        /* the worker's */
	uint32_t flags;      /* RESULT_* */
	uint64_t cpu_ns;     /* the worker's CPU time running it */
};

struct result {
	struct result_head h;
	BENCH_PARTIAL_ALIGN unsigned char body[sizeof(((struct bench_err *)0)->msg)];
};
/* A result travels as its head and len bytes of body, no padding. */
_Static_assert(offsetof(struct result, body) == sizeof(struct result_head),
	       "the body follows the head");

/* ---------------------------------------------------------------- */
/* The parent: the broker, the workers, and a sample.                */

struct child {
	struct bench_command cmd;
	struct bench_command_result res;
	struct bench_err err;
	pthread_t thread;
	int running;     /* the watcher thread exists, not joined */
	int ended;       /* guarded: the run returned */
	int stop;        /* guarded: a signal the tick sends the child */
	pid_t pid;       /* guarded: the child's pid once a tick saw it */
	int rc;          /* guarded: what bench_command_run returned */
	int reported;    /* its death is in the notes */
	unsigned id;     /* worker number from 1; 0 for the broker */
};

/* A pool of local workers serving one run prefix on the broker: one per
 * worker count a command asks for (bench scale), each kept warm. */
struct pool {
	unsigned workers;
	char prefix[128];
	char k_tasks[160], k_results[160], k_state[160];
	struct child **kids;       /* workers, BENCH_POOL_WORKERS_MAX slots */
	unsigned alive;            /* workers not yet seen dead */
	unsigned started;          /* workers started so far (numbers them) */
	uint64_t gen;              /* samples published */
	char events[BENCH_NOTE_MAX]; /* deaths and redeliveries so far */
	uint64_t redelivered;      /* results that came through XAUTOCLAIM */
	uint64_t duplicates;       /* results dropped as already merged */
	uint32_t pids[64];         /* workers that sent results this sample */
	unsigned npids;            /* how many (at most 64 told apart) */
};

/* Pools kept at once; more worker counts end the oldest. */
#define POOLS_MAX 8

struct session {
	int active;
	char broker_arg[600];      /* --broker as given; "" private */
	struct broker b;
	redisContext *c;
	char dir[PATH_MAX];        /* the private broker's folder; "" none */
	struct child redis;
	char exe[PATH_MAX];        /* bench itself, which workers run */
	char url[700];             /* the broker for workers' --broker */
	char env_url[700];         /* BENCH_BROKER=URL when it has a password */
	char *env[2];              /* what workers' environment gets */
	bench_ns ping_ns;
	char version[32];
	struct pool *pools[POOLS_MAX];
	unsigned npools;
};

static struct session S;
static struct pool *P;      /* the pool of the sample under way */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void child_tick(void *arg, pid_t pid)
{
	struct child *k = arg;
	int sig;

	pthread_mutex_lock(&lock);
	k->pid = pid;
	sig = k->stop;
	pthread_mutex_unlock(&lock);
	if (sig)
		kill(pid, sig);
}

static void *child_thread(void *arg)
{
	struct child *k = arg;
	/* On Ctrl-C, SIGTERM first: a worker leaves at its next read and
	 * redis-server shuts down, each reaping what it started itself;
	 * SIGKILL only after CANCEL_GRACE_NS. */
	struct bench_command_opts io = {
		.stream = { BENCH_STREAM_NULL, BENCH_STREAM_NULL,
			    BENCH_STREAM_MEMORY },
		.cancel_signal = SIGTERM,
		.cancel_grace_ns = CANCEL_GRACE_NS,
	};
	struct bench_command_result res;
	struct bench_err err = { 0 };
	int rc = bench_command_run(&k->cmd, &io, &res, &err);

	pthread_mutex_lock(&lock);
	k->res = res;
	k->err = err;
	k->rc = rc;
	k->ended = 1;
	pthread_mutex_unlock(&lock);
	return NULL;
}

static int child_start(struct child *k, char *const *argv, size_t argc,
		       char *const *env, struct bench_err *err)
{
	int rc = bench_command_init(&k->cmd, argv, argc, err);

	if (rc)
		return rc;
	k->cmd.env = env;
	k->cmd.tick = child_tick;
	k->cmd.tick_arg = k;
	k->cmd.tick_ns = TICK_NS;
	k->cmd.capture_max = 400;
	rc = pthread_create(&k->thread, NULL, child_thread, k);
	if (rc) {
		bench_command_release(&k->cmd);
		return bench_err_set(err, BENCH_ESYS,
				     "cannot start a thread to watch '%s': %s",
				     argv[0], strerror(rc));
	}
	k->running = 1;
	return 0;
}

static int child_ended(struct child *k)
{
	int e;

	pthread_mutex_lock(&lock);
	e = k->ended || !k->running;
	pthread_mutex_unlock(&lock);
	return e;
}

static pid_t child_pid(struct child *k)
{
	pid_t p;

	pthread_mutex_lock(&lock);
	p = k->pid;
	pthread_mutex_unlock(&lock);
	return p;
}

static void child_signal(struct child *k, int sig)
{
	pthread_mutex_lock(&lock);
	if (!k->ended)
		k->stop = sig;
	pthread_mutex_unlock(&lock);
}

/* Joins k's watcher (the child reaped) and frees what it holds. */
static void child_finish(struct child *k)
{
	if (!k->running)
		return;
	pthread_join(k->thread, NULL);
	bench_command_result_release(&k->res);
	bench_command_release(&k->cmd);
	k->running = 0;
}

/* How a child ended, with the first line of what it wrote on stderr. */
static void child_how(struct child *k, char *buf, size_t len)
{
	char how[160];
	const char *said = k->res.output[2].data;

	bench_command_describe(&k->res, how, sizeof(how));
	if (k->rc && k->err.msg[0])
		snprintf(how, sizeof(how), "%.150s", k->err.msg);
	if (said && *said) {
		size_t n = strcspn(said, "\n");

		snprintf(buf, len, "%s (it said: %.*s)", how,
			 (int)(n > 200 ? 200 : n), said);
	} else {
		snprintf(buf, len, "%s", how);
	}
}

static void note_event(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void note_event(const char *fmt, ...)
{
	size_t used = strlen(P->events);
	va_list ap;

	if (used && used + 2 < sizeof(P->events)) {
		memcpy(P->events + used, "; ", 3);
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(P->events + used, sizeof(P->events) - used, fmt, ap);
	va_end(ap);
}

/* Removes the private broker's folder and what redis-server left in it. */
static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char path[PATH_MAX + 256];

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

/* Waits up to limit for every worker to end; returns 1 when they did. */
static int workers_gone(bench_ns limit)
{
	bench_ns until = now_ns() + limit;

	for (;;) {
		int all = 1;

		for (unsigned i = 0; i < P->workers; i++)
			if (!child_ended(P->kids[i]))
				all = 0;
		if (all)
			return 1;
		if (now_ns() >= until)
			return 0;
		nap_ms(10);
	}
}

/*
 * Ends pool P: tells its workers the run is over (when the broker still
 * answers), gives them LEAVE_NS to go (unless canceled: then run_command
 * stops them, SIGTERM then SIGKILL), kills those that stay and deletes
 * the pool's keys. Workers that lost the broker leave by themselves
 * within a read. Safe to call on a half-started pool.
 */
static void pool_end(int canceled)
{
	redisReply *r;
	int answers = S.c && !S.c->err;

	if (answers) {
		r = redisCommand(S.c, "SET %s stop", P->k_state);
		if (r)
			freeReplyObject(r);
	}
	if (P->kids) {
		/* Canceled, run_command stops them (SIGTERM, then SIGKILL). */
		if (!canceled && !workers_gone(LEAVE_NS))
			for (unsigned i = 0; i < P->workers; i++)
				child_signal(P->kids[i], SIGKILL);
		for (unsigned i = 0; i < P->workers; i++) {
			child_finish(P->kids[i]);
			free(P->kids[i]);
		}
		free(P->kids);
		P->kids = NULL;
	}
	if (S.c && !S.c->err) {
		/* Pipelined: a broker that just went away costs one wait. */
		redisAppendCommand(S.c, "DEL %s %s %s", P->k_tasks, P->k_results,
				   P->k_state);
		redisAppendCommand(S.c, "SREM %s %s", RUNS_KEY, P->prefix);
		for (int i = 0; i < 2; i++) {
			void *reply = NULL;

			if (redisGetReply(S.c, &reply) != REDIS_OK)
				break;
			freeReplyObject(reply);
		}
	}
	free(P);
	P = NULL;
}

/* Ends every pool, then stops a private broker and removes its folder. */
static void session_end(int canceled)
{
	redisReply *r;

	for (unsigned i = 0; i < S.npools; i++) {
		P = S.pools[i];
		pool_end(canceled);
	}
	if (S.redis.running) {
		if (S.c && !S.c->err) {
			r = redisCommand(S.c, "SHUTDOWN NOSAVE");
			if (r)
				freeReplyObject(r);
		}
		child_signal(&S.redis, SIGTERM);
		child_finish(&S.redis);
	}
	if (S.c)
		redisFree(S.c);
	if (S.dir[0])
		remove_dir(S.dir);
	memset(&S, 0, sizeof(S));
}

/* Removes the folders in base that a bench killed before its cleanup
 * left ("bench-queue.PID.XXXXXX", this user's, PID gone). */
static void remove_stale_dirs(const char *base)
{
	DIR *d = opendir(base);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char path[PATH_MAX], *end;
		struct stat st;
		long pid;

		if (strncmp(e->d_name, "bench-queue.", 12) != 0)
			continue;
		pid = strtol(e->d_name + 12, &end, 10);
		if (pid <= 0 || *end != '.' ||
		    kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), "%s/%.200s", base, e->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) &&
		    st.st_uid == geteuid())
			remove_dir(path);
	}
	if (d)
		closedir(d);
}

/* The private broker: a redis-server on a unix socket in a new folder. */
static int start_private_broker(struct bench_err *err)
{
	const char *base = getenv("TMPDIR");
	char sock[PATH_MAX + 16], url[PATH_MAX + 32];
	char *argv[] = {
		"redis-server", "--port", "0", "--unixsocket", sock,
		"--unixsocketperm", "700", "--save", "", "--appendonly", "no",
		"--dir", S.dir, "--daemonize", "no", "--loglevel", "warning",
		NULL
	};
	bench_ns until;
	int rc;

	if (!base || base[0] != '/' || strlen(base) > 60)
		base = "/tmp";
	remove_stale_dirs(base);
	snprintf(S.dir, sizeof(S.dir), "%s/bench-queue.%ld.XXXXXX", base,
		 (long)getpid());
	if (!mkdtemp(S.dir)) {
		rc = errno;
		S.dir[0] = '\0';
		return bench_err_set(err, BENCH_ESYS,
				     "queue: cannot create a folder for the private broker in '%s': %s",
				     base, strerror(rc));
	}
	snprintf(sock, sizeof(sock), "%s/redis.sock", S.dir);
	snprintf(url, sizeof(url), "unix://%s", sock);
	if ((rc = parse_url(url, &S.b, err)))
		return rc;
	rc = child_start(&S.redis, argv, sizeof(argv) / sizeof(*argv) - 1,
			 NULL, err);
	if (rc == BENCH_ESYS)
		return bench_err_set(err, BENCH_ESYS,
				     "--mode queue starts a private redis-server, which is not on PATH: install redis-server (make deps), or name a running broker with --broker URL");
	if (rc)
		return rc;
	until = now_ns() + START_NS;
	for (;;) {
		struct bench_err e = { 0 };
		struct stat st;

		if (bench_canceled())
			return bench_err_set(err, BENCH_ECANCELED, "interrupted");
		if (child_ended(&S.redis)) {
			char how[400];

			child_how(&S.redis, how, sizeof(how));
			return bench_err_set(err, BENCH_ESYS,
					     "queue: the private broker (redis-server) %s at start",
					     how);
		}
		if (stat(sock, &st) == 0) {
			S.c = broker_connect(&S.b, &S.ping_ns, S.version,
					     sizeof(S.version), &e);
			if (S.c)
				return 0;
		}
		if (now_ns() >= until)
			return bench_err_set(err, BENCH_ESYS,
					     "queue: the private broker (redis-server) did not answer within %d s%s%s",
					     (int)(START_NS / BENCH_NS_PER_S),
					     e.msg[0] ? ": " : "", e.msg);
		nap_ms(5);
	}
}

/* Starts a worker into slot k, named after the next worker number. */
static int start_worker(struct child *k, struct bench_err *err)
{
	char name[16];
	char *argv[] = { S.exe, "worker", "--run", P->prefix, "--name", name,
			 "--broker", S.url, NULL };
	int rc;

	memset(k, 0, sizeof(*k));
	k->id = ++P->started;
	snprintf(name, sizeof(name), "w%u", k->id);
	/* A password travels in the environment, never on a command line
	 * that ps shows. */
	rc = child_start(k, argv, S.env[0] ? 6 : 8, S.env[0] ? S.env : NULL,
			 err);
	if (rc == 0)
		P->alive++;
	return rc;
}

/*
 * Makes the pool n workers: surplus ones are stopped (SIGTERM: between
 * samples they hold no task), missing ones started. `bench scale` thus
 * keeps its broker from one worker count to the next.
 */
static int resize(unsigned n, struct bench_err *err)
{
	while (P->workers > n) {
		struct child *k = P->kids[--P->workers];

		if (!k->reported)
			P->alive--;
		child_signal(k, SIGTERM);
		child_finish(k);
		free(k);
		P->kids[P->workers] = NULL;
	}
	while (P->workers < n) {
		struct child *k = calloc(1, sizeof(*k));
		int rc;

		if (!k)
			return bench_err_set(err, BENCH_ENOMEM,
					     "out of memory for %u workers", n);
		P->kids[P->workers++] = k;
		if ((rc = start_worker(k, err)))
			return rc;
	}
	return 0;
}

/* Starts a pool of n workers on a run prefix of its own: P. */
static int pool_start(unsigned n, struct bench_err *err)
{
	char host[64] = "host";
	redisReply *r;
	int rc;

	if (S.npools == POOLS_MAX) {
		P = S.pools[0];
		pool_end(0);
		memmove(S.pools, S.pools + 1, (POOLS_MAX - 1) * sizeof(*S.pools));
		S.npools--;
	}
	P = calloc(1, sizeof(*P));
	if (!P || !(P->kids = calloc(BENCH_POOL_WORKERS_MAX, sizeof(*P->kids)))) {
		free(P);
		P = NULL;
		return bench_err_set(err, BENCH_ENOMEM, "out of memory for %u workers", n);
	}
	S.pools[S.npools++] = P;
	gethostname(host, sizeof(host) - 1);
	host[strcspn(host, ".:")] = '\0';
	snprintf(P->prefix, sizeof(P->prefix), "bench:q:%s:%ld:%08x:", host,
		 (long)getpid(), (unsigned)rand());
	snprintf(P->k_tasks, sizeof(P->k_tasks), "%stasks", P->prefix);
	snprintf(P->k_results, sizeof(P->k_results), "%sresults", P->prefix);
	snprintf(P->k_state, sizeof(P->k_state), "%sstate", P->prefix);
	redisAppendCommand(S.c, "XGROUP CREATE %s " GROUP " $ MKSTREAM", P->k_tasks);
	redisAppendCommand(S.c, "SET %s run", P->k_state);
	redisAppendCommand(S.c, "SADD " RUNS_KEY " %s", P->prefix);
	for (int i = 0; i < 3; i++) {
		void *reply = NULL;

		if (redisGetReply(S.c, &reply) != REDIS_OK)
			return lost(&S.b, S.c, err);
		r = reply;
		if (r->type == REDIS_REPLY_ERROR) {
			rc = bench_err_set(err, BENCH_ESYS,
					   "queue: the broker %s refused to set up the run: %s",
					   S.b.shown, r->str);
			freeReplyObject(r);
			return rc;
		}
		freeReplyObject(r);
	}
	return resize(n, err);
}

/* Connects to the broker (or starts the private one). */
static int session_start(const char *broker, struct bench_err *err)
{
	ssize_t len;
	int rc;

	memset(&S, 0, sizeof(S));
	S.active = 1;
	if (broker) {
		snprintf(S.broker_arg, sizeof(S.broker_arg), "%s", broker);
		if ((rc = parse_url(broker, &S.b, err)))
			return rc;
		S.c = broker_connect_retry(&S.b, &S.ping_ns, S.version,
					   sizeof(S.version), 4, err);
		if (!S.c)
			return err->code ? err->code : BENCH_ESYS;
	} else if ((rc = start_private_broker(err))) {
		return rc;
	}
	srand((unsigned)(now_ns() ^ (bench_ns)getpid()));
	len = readlink("/proc/self/exe", S.exe, sizeof(S.exe) - 1);
	if (len <= 0)
		return bench_err_set(err, BENCH_ESYS,
				     "queue: cannot find bench's own executable to start workers: %s",
				     strerror(errno));
	S.exe[len] = '\0';
	if (S.b.password[0]) {
		snprintf(S.env_url, sizeof(S.env_url), "BENCH_BROKER=%s",
			 S.broker_arg);
		S.env[0] = S.env_url;
	} else {
		snprintf(S.url, sizeof(S.url), "%s",
			 S.broker_arg[0] ? S.broker_arg : S.b.shown);
	}
	return 0;
}

/* What the broker says about the tasks a worker holds. */
static long pending_of(unsigned id)
{
	redisReply *r = redisCommand(S.c, "XPENDING %s " GROUP " - + 1000000 w%u",
				     P->k_tasks, id);
	long n = -1;

	if (r && r->type == REDIS_REPLY_ARRAY)
		n = (long)r->elements;
	if (r)
		freeReplyObject(r);
	return n;
}

/* Notes workers that died; fails when none is left, or the private
 * broker died. */
static int watch_children(struct bench_exec_ctx *ctx)
{
	/* A Ctrl-C ends the children too: that is no death to report. */
	if (bench_canceled())
		return bench_err_set(ctx->err, BENCH_ECANCELED, "interrupted");
	if (S.redis.running && child_ended(&S.redis)) {
		char how[400];

		child_how(&S.redis, how, sizeof(how));
		return bench_err_set(ctx->err, BENCH_ESYS,
				     "queue: the private broker (redis-server, pid %d) %s",
				     (int)child_pid(&S.redis), how);
	}
	for (unsigned i = 0; i < P->workers; i++) {
		struct child *k = P->kids[i];
		char how[400];
		long held;

		if (k->reported || !child_ended(k))
			continue;
		k->reported = 1;
		P->alive--;
		child_how(k, how, sizeof(how));
		if (P->alive == 0 && P->started >= 3 * P->workers)
			return bench_err_set(ctx->err, BENCH_EWORKER,
					     "queue: every worker died, %u in all; the last, worker %u (pid %d), %s",
					     P->started, k->id, (int)child_pid(k), how);
		held = pending_of(k->id);
		if (held > 0)
			note_event("%ld task%s redelivered after worker %u (pid %d) died: it %s",
				   held, held == 1 ? "" : "s", k->id,
				   (int)child_pid(k), how);
		else
			note_event("worker %u (pid %d) died holding no task: it %s",
				   k->id, (int)child_pid(k), how);
		/* The pool keeps its size, as a supervisor would, unless
		 * workers keep dying. */
		if (P->started < 3 * P->workers) {
			int rc;

			child_finish(k);
			if ((rc = start_worker(k, ctx->err)))
				return rc;
		}
	}
	return 0;
}

/* Appends "name\x1f#num" or "name\x1f=text" for each option. */
static void encode_options(const struct bench_params *p, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < p->nopts && used < len; i++) {
		const struct bench_param *o = &p->opts[i];
		int n = o->text ?
			snprintf(buf + used, len - used, "%s%s\x1f=%s",
				 i ? "\x1e" : "", o->name, o->text) :
			snprintf(buf + used, len - used, "%s%s\x1f#%llu",
				 i ? "\x1e" : "", o->name,
				 (unsigned long long)o->num);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

static int merge_one(struct bench_exec_ctx *ctx, const char *data, size_t len,
		     unsigned char *done, uint64_t ntasks, bench_ns *compute)
{
	struct result res;

	if (len < sizeof(res.h) || len > sizeof(res))
		return bench_err_set(ctx->err, BENCH_EWORKER,
				     "queue: a malformed result (%zu bytes) on the broker",
				     len);
	memcpy(&res, data, len);
	if (res.h.len != len - sizeof(res.h))
		return bench_err_set(ctx->err, BENCH_EWORKER,
				     "queue: a malformed result (%zu bytes) on the broker",
				     len);
	if (res.h.gen != P->gen || (res.h.index < ntasks && done[res.h.index])) {
		P->duplicates++;
		return 0;
	}
	if (res.h.index >= ntasks)
		return bench_err_set(ctx->err, BENCH_EWORKER,
				     "queue: a result for task %llu of %llu",
				     (unsigned long long)res.h.index,
				     (unsigned long long)ntasks);
	if (res.h.status)
		return bench_err_set(ctx->err, res.h.status,
				     "queue: the worker with pid %u, task %llu: %.*s",
				     (unsigned)res.h.pid,
				     (unsigned long long)res.h.index,
				     (int)res.h.len, (const char *)res.body);
	if (res.h.len != ctx->wl->partial_size)
		return bench_err_set(ctx->err, BENCH_EWORKER,
				     "queue: the worker with pid %u sent a partial of %u bytes, not %zu",
				     (unsigned)res.h.pid, (unsigned)res.h.len,
				     ctx->wl->partial_size);
	done[res.h.index] = 1;
	{
		unsigned i = 0;

		while (i < P->npids && P->pids[i] != res.h.pid)
			i++;
		if (i == P->npids && P->npids < sizeof(P->pids) / sizeof(*P->pids))
			P->pids[P->npids++] = res.h.pid;
	}
	ctx->wl->merge(ctx->result, res.body);
	ctx->tasks++;
	*compute += (bench_ns)res.h.compute_ns;
	/* The workers' CPU, as a pool's children's counts in its own. */
	ctx->child_cpu_ns += (bench_ns)res.h.cpu_ns;
	if (res.h.flags & RESULT_REDELIVERED)
		P->redelivered++;
	return 0;
}

/* Publishes the sample's tasks: XADDs pipelined PIPELINE at a time. */
static int publish(struct bench_exec_ctx *ctx, uint64_t *ntasks, bench_ns *io)
{
	const struct bench_params *p = ctx->opts->params;
	char gen[24], vis[24], kill_task[24], size[24], seed[24], idx[24],
	     first[24], count[24], opts[1024];
	const char *argv[24];
	size_t argc = 0, fixed, pending = 0;
	const char *env = getenv("BENCH_QUEUE_VISIBILITY_MS");
	bench_ns t0 = now_ns();
	int rc = 0;

	snprintf(gen, sizeof(gen), "%llu", (unsigned long long)P->gen);
	snprintf(vis, sizeof(vis), "%ld",
		 env && atol(env) > 0 ? atol(env) : (long)VISIBILITY_MS);
	snprintf(size, sizeof(size), "%llu", (unsigned long long)p->size);
	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)p->seed);
	encode_options(p, opts, sizeof(opts));
	argv[argc++] = "XADD";
	argv[argc++] = P->k_tasks;
	argv[argc++] = "*";
	argv[argc++] = "g", argv[argc++] = gen;
	argv[argc++] = "v", argv[argc++] = vis;
	argv[argc++] = "w", argv[argc++] = ctx->wl->name;
	argv[argc++] = "n", argv[argc++] = size;
	argv[argc++] = "s", argv[argc++] = seed;
	argv[argc++] = "o", argv[argc++] = opts;
	/* Tests: the worker first handed this task in the first sample
	 * dies (a crash every sample would leave no worker). */
	if (ctx->opts->crash_set && P->gen == 1) {
		snprintf(kill_task, sizeof(kill_task), "%lld",
			 (long long)ctx->opts->crash_task);
		argv[argc++] = "k", argv[argc++] = kill_task;
	}
	fixed = argc;
	*ntasks = 0;
	for (;;) {
		struct bench_task task;
		int more = bench_source_next(ctx->src, &task, ctx->err);

		if (more < 0)
			return more;
		if (more == 1) {
			argc = fixed;
			snprintf(idx, sizeof(idx), "%llu", (unsigned long long)task.index);
			snprintf(first, sizeof(first), "%llu", (unsigned long long)task.first);
			snprintf(count, sizeof(count), "%llu", (unsigned long long)task.count);
			argv[argc++] = "i", argv[argc++] = idx;
			argv[argc++] = "f", argv[argc++] = first;
			argv[argc++] = "c", argv[argc++] = count;
			redisAppendCommandArgv(S.c, (int)argc, argv, NULL);
			bench_task_release(&task);
			pending++;
			(*ntasks)++;
		}
		if (pending && (more != 1 || pending == PIPELINE)) {
			for (; pending; pending--) {
				void *reply = NULL;
				redisReply *r;

				if (redisGetReply(S.c, &reply) != REDIS_OK)
					return lost(&S.b, S.c, ctx->err);
				r = reply;
				if (r->type == REDIS_REPLY_ERROR && !rc)
					rc = bench_err_set(ctx->err, BENCH_ESYS,
							   "queue: the broker %s refused a task: %s",
							   S.b.shown, r->str);
				freeReplyObject(r);
			}
			if (rc)
				return rc;
		}
		if (more != 1)
			break;
	}
	*io += now_ns() - t0;
	return 0;
}

static double ms(bench_ns ns)
{
	return (double)ns / 1e6;
}

static int sample(struct bench_exec_ctx *ctx)
{
	bench_ns io = 0, waited = 0, compute = 0;
	unsigned char *done = NULL;
	uint64_t ntasks = 0;
	int rc;

	P->gen++;
	P->redelivered = P->duplicates = 0;
	P->npids = 0;
	if ((rc = publish(ctx, &ntasks, &io)))
		return rc;
	done = calloc(ntasks ? ntasks : 1, 1);
	if (!done)
		return bench_err_set(ctx->err, BENCH_ENOMEM, "out of memory");
	while (ctx->tasks < ntasks) {
		redisReply *r;
		bench_ns t0;

		if (bench_canceled()) {
			rc = bench_err_set(ctx->err, BENCH_ECANCELED, "interrupted");
			break;
		}
		if ((rc = watch_children(ctx)))
			break;
		t0 = now_ns();
		r = redisCommand(S.c, "LPOP %s %d", P->k_results, PIPELINE);
		io += now_ns() - t0;
		if (r && r->type == REDIS_REPLY_NIL) {
			freeReplyObject(r);
			t0 = now_ns();
			r = redisCommand(S.c, "BLPOP %s " RESULT_WAIT, P->k_results);
			waited += now_ns() - t0;
			if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2) {
				redisReply *v = r->element[1];

				rc = merge_one(ctx, v->str, v->len, done, ntasks,
					       &compute);
				freeReplyObject(r);
				if (rc)
					break;
				continue;
			}
		}
		if (!r) {
			/* The private broker's end says more than hiredis. */
			nap_ms(3 * TICK_NS / BENCH_NS_PER_MS);
			if (!(rc = watch_children(ctx)))
				rc = lost(&S.b, S.c, ctx->err);
			break;
		}
		if (r->type == REDIS_REPLY_ARRAY) {
			for (size_t i = 0; i < r->elements && !rc; i++)
				rc = merge_one(ctx, r->element[i]->str,
					       r->element[i]->len, done, ntasks,
					       &compute);
		} else if (r->type == REDIS_REPLY_ERROR) {
			rc = bench_err_set(ctx->err, BENCH_ESYS,
					   "queue: the broker %s: LPOP: %s",
					   S.b.shown, r->str);
		}
		freeReplyObject(r);
		if (rc)
			break;
	}
	free(done);
	if (rc)
		return rc;
	{
		/* The stream is emptied between samples; a late duplicate's
		 * ack finds nothing to do. */
		bench_ns t0 = now_ns();
		redisReply *r = redisCommand(S.c, "XTRIM %s MAXLEN 0", P->k_tasks);

		io += now_ns() - t0;
		if (!r)
			return lost(&S.b, S.c, ctx->err);
		freeReplyObject(r);
	}
	snprintf(ctx->note, BENCH_NOTE_MAX,
		 "broker %s%.120s (Redis %.16s), PING %.0f us; last sample: results from %u worker%s, broker I/O %.1f ms, waiting %.1f ms, workers computing %.1f ms%s",
		 S.dir[0] ? "private " : "", S.b.shown, S.version,
		 (double)S.ping_ns / 1e3, P->npids, P->npids == 1 ? "" : "s",
		 ms(io), ms(waited), ms(compute),
		 P->duplicates ? "; duplicate results dropped" : "");
	if (P->events[0]) {
		size_t used = strlen(ctx->note);

		snprintf(ctx->note + used, BENCH_NOTE_MAX - used, "; %s",
			 P->events);
	}
	return 0;
}

static int queue_check(unsigned workers, struct bench_err *err)
{
	(void)workers;
	(void)err;
	return 0;
}

static int queue_run_blocked(struct bench_exec_ctx *ctx)
{
	const struct bench_workload *wl = ctx->wl;
	const char *broker = ctx->opts->broker;
	int rc;

	if (bench_canceled())
		return bench_err_set(ctx->err, BENCH_ECANCELED, "interrupted");
	if (wl->next_batch || wl->deps || wl->stages > 1 || !ctx->opts->params)
		return bench_err_set(ctx->err, BENCH_EINVAL,
				     "--mode queue: workload %s %s; queue tasks travel as item ranges of an input every worker prepares from the seed",
				     wl->name,
				     wl->next_batch ? "streams its input" :
				     wl->deps ? "is a graph of dependent tasks" :
				     wl->stages > 1 ? "runs in stages" :
						      "has no parameters to send");
	if (S.active && strcmp(S.broker_arg, broker ? broker : "") != 0)
		session_end(0);
	if (!S.active && (rc = session_start(broker, ctx->err))) {
		session_end(rc == BENCH_ECANCELED);
		return rc;
	}
	P = NULL;
	for (unsigned i = 0; i < S.npools; i++)
		if (S.pools[i]->workers == ctx->opts->workers)
			P = S.pools[i];
	if (!P && (rc = pool_start(ctx->opts->workers, ctx->err))) {
		session_end(rc == BENCH_ECANCELED);
		return rc;
	}
	rc = sample(ctx);
	if (rc)
		session_end(rc == BENCH_ECANCELED);
	return rc;
}

static int queue_run(struct bench_exec_ctx *ctx)
{
	sigset_t saved;
	int rc;

	pipe_block(&saved);
	rc = queue_run_blocked(ctx);
	pipe_restore(&saved);
	return rc;
}

static void queue_fini(void)
{
	sigset_t saved;

	if (!S.active)
		return;
	pipe_block(&saved);
	session_end(bench_canceled());
	pipe_restore(&saved);
}

/* ---------------------------------------------------------------- */
/* The worker.                                                       */

/* The input a worker prepared, for the spec it was prepared from. */
struct prepared {
	char *spec;          /* w \x1d n \x1d s \x1d o; owns the option texts */
	const struct bench_workload *wl;
	void *state;
	struct bench_params p;
};

static void prepared_release(struct prepared *pr)
{
	if (pr->state && pr->wl)
		pr->wl->release(pr->state);
	free(pr->spec);
	memset(pr, 0, sizeof(*pr));
}

/* Prepares the input a descriptor names, unless it is already. */
static int prepare_for(struct prepared *pr, const char *w, const char *n,
		       const char *s, const char *o, struct bench_err *err)
{
	size_t len = strlen(w) + strlen(n) + strlen(s) + strlen(o) + 4;
	char *spec = malloc(len), *opt;
	int rc;

	if (!spec)
		return bench_err_set(err, BENCH_ENOMEM, "out of memory");
	snprintf(spec, len, "%s\x1d%s\x1d%s\x1d%s", w, n, s, o);
	if (pr->spec && strcmp(pr->spec, spec) == 0) {
		free(spec);
		return 0;
	}
	prepared_release(pr);
	pr->spec = spec;
	pr->wl = bench_workload_find(w);
	if (!pr->wl) {
		rc = bench_err_set(err, BENCH_EINVAL,
				   "unknown workload '%s' (this worker's bench is older or newer)",
				   w);
		goto fail;
	}
	pr->p.size = strtoull(n, NULL, 10);
	pr->p.seed = strtoull(s, NULL, 10);
	/* The option texts point into spec's copy of o. */
	opt = spec + strlen(w) + strlen(n) + strlen(s) + 3;
	while (*opt) {
		char *next = strchr(opt, '\x1e'), *sep;

		if (next)
			*next = '\0';
		sep = strchr(opt, '\x1f');
		if (sep) {
			*sep = '\0';
			if (sep[1] == '=')
				rc = bench_params_set(&pr->p, opt, 0, sep + 2);
			else
				rc = bench_params_set(&pr->p, opt,
						      strtoull(sep + 2, NULL, 10),
						      NULL);
			if (rc) {
				rc = bench_err_set(err, rc, "too many options");
				goto fail;
			}
		}
		if (!next)
			break;
		opt = next + 1;
	}
	if ((rc = bench_workload_params(pr->wl, &pr->p, err)) ||
	    (rc = pr->wl->prepare(&pr->p, &pr->state, err)))
		goto fail;
	return 0;
fail:
	pr->state = NULL;
	prepared_release(pr);
	return rc;
}

static const char *const FIELDS = "gvwnsokifc";

/* Runs the messages of one read (an array of [id, [field, value...]])
 * and pushes their results and acks in one round trip. */
static int run_messages(redisContext *c, const struct broker *b,
			const char *k_tasks, const char *k_results,
			redisReply *msgs, int redelivered, struct prepared *pr,
			long *vis_ms, struct bench_err *err)
{
	size_t sent = 0;

	for (size_t m = 0; m < msgs->elements; m++) {
		redisReply *msg = msgs->element[m];
		const char *v[10] = { 0 };
		struct result res;
		struct bench_err e = { 0 };
		struct bench_task task = { 0 };
		bench_ns t0, cpu0;
		redisReply *kv;

		/* XAUTOCLAIM names entries deleted meanwhile with nil. */
		if (msg->type != REDIS_REPLY_ARRAY || msg->elements != 2 ||
		    msg->element[1]->type != REDIS_REPLY_ARRAY)
			continue;
		kv = msg->element[1];
		for (size_t i = 0; i + 1 < kv->elements; i += 2) {
			const char *k = kv->element[i]->str, *at;

			if (k && k[0] && !k[1] && (at = strchr(FIELDS, k[0])))
				v[at - FIELDS] = kv->element[i + 1]->str;
		}
		memset(&res.h, 0, sizeof(res.h));
		res.h.pid = (uint32_t)getpid();
		res.h.flags = redelivered ? RESULT_REDELIVERED : 0;
		if (!v[0] || !v[2] || !v[3] || !v[4] || !v[5] || !v[7] ||
		    !v[8] || !v[9]) {
			/* Not a task of ours: acknowledge and skip it. */
			redisAppendCommand(c, "XACK %s " GROUP " %s", k_tasks,
					   msg->element[0]->str);
			sent++;
			continue;
		}
		res.h.gen = strtoull(v[0], NULL, 10);
		res.h.index = strtoull(v[7], NULL, 10);
		if (v[1] && atol(v[1]) > 0)
			*vis_ms = atol(v[1]);
		task.index = res.h.index;
		task.first = strtoull(v[8], NULL, 10);
		task.count = strtoull(v[9], NULL, 10);
		/* Tests: the worker first handed this task dies at once. */
		if (v[6] && !redelivered && strtoll(v[6], NULL, 10) == (long long)task.index)
			raise(SIGKILL);
		t0 = now_ns();
		cpu0 = bench_clock_process_cpu();
		res.h.status = prepare_for(pr, v[2], v[3], v[4], v[5], &e);
		if (res.h.status == 0 &&
		    (pr->wl->next_batch || pr->wl->deps ||
		     task.first + task.count > pr->wl->item_count(pr->state)))
			res.h.status = bench_err_set(&e, BENCH_EINVAL,
						     "task %llu (items %llu..+%llu) is not in this input",
						     (unsigned long long)task.index,
						     (unsigned long long)task.first,
						     (unsigned long long)task.count);
		if (res.h.status == 0) {
			pr->wl->partial_init(res.body);
			res.h.status = bench_task_run(pr->wl, pr->state, &task,
						      res.body, &e);
		}
		res.h.compute_ns = now_ns() - t0;
		res.h.cpu_ns = bench_clock_process_cpu() - cpu0;
		if (res.h.status) {
			res.h.len = (uint32_t)strnlen(e.msg, sizeof(res.body));
			memcpy(res.body, e.msg, res.h.len);
		} else {
			res.h.len = (uint32_t)pr->wl->partial_size;
		}
		redisAppendCommand(c, "RPUSH %s %b", k_results, &res,
				   sizeof(res.h) + res.h.len);
		redisAppendCommand(c, "XACK %s " GROUP " %s", k_tasks,
				   msg->element[0]->str);
		sent += 2;
	}
	for (; sent; sent--) {
		void *reply = NULL;

		if (redisGetReply(c, &reply) != REDIS_OK)
			return lost(b, c, err);
		freeReplyObject(reply);
	}
	return 0;
}

/* 1 while the run's state says run. */
static int run_on(redisContext *c, const char *k_state, int *lost_it)
{
	redisReply *r = redisCommand(c, "GET %s", k_state);
	int on;

	if (!r) {
		*lost_it = 1;
		return 0;
	}
	on = r->type == REDIS_REPLY_STRING && strcmp(r->str, "run") == 0;
	freeReplyObject(r);
	return on;
}

/* Serves the run under prefix until it ends. */
static int serve(redisContext *c, const struct broker *b, const char *prefix,
		 const char *name, struct bench_err *err)
{
	char k_tasks[200], k_results[200], k_state[200];
	struct prepared pr = { 0 };
	long vis_ms = VISIBILITY_MS;
	unsigned count = 1;
	int rc = 0, gone = 0;

	snprintf(k_tasks, sizeof(k_tasks), "%stasks", prefix);
	snprintf(k_results, sizeof(k_results), "%sresults", prefix);
	snprintf(k_state, sizeof(k_state), "%sstate", prefix);
	for (;;) {
		redisReply *r;
		bench_ns t0;

		if (bench_canceled()) {
			rc = bench_err_set(err, BENCH_ECANCELED, "interrupted");
			break;
		}
		r = redisCommand(c, "XREADGROUP GROUP " GROUP " %s COUNT %u BLOCK %d STREAMS %s >",
				 name, count, BLOCK_MS, k_tasks);
		if (!r) {
			rc = lost(b, c, err);
			break;
		}
		if (r->type == REDIS_REPLY_ERROR) {
			/* NOGROUP, or UNBLOCKED when the stream is deleted
			 * under a read: the run's keys are gone, it is over. */
			if (run_on(c, k_state, &gone) || gone)
				rc = gone ? lost(b, c, err) :
				     bench_err_set(err, BENCH_ESYS,
						   "queue: the broker %s: XREADGROUP: %s",
						   b->shown, r->str);
			freeReplyObject(r);
			break;
		}
		if (r->type != REDIS_REPLY_ARRAY || r->elements < 1) {
			freeReplyObject(r);
			if (!run_on(c, k_state, &gone)) {
				if (gone)
					rc = lost(b, c, err);
				break;
			}
			/* Nothing new: tasks a dead worker left? */
			r = redisCommand(c, "XAUTOCLAIM %s " GROUP " %s %ld 0-0 COUNT 1",
					 k_tasks, name, vis_ms);
			if (!r) {
				rc = lost(b, c, err);
				break;
			}
			if (r->type == REDIS_REPLY_ARRAY && r->elements >= 2 &&
			    r->element[1]->type == REDIS_REPLY_ARRAY)
				rc = run_messages(c, b, k_tasks, k_results,
						  r->element[1], 1, &pr, &vis_ms,
						  err);
			freeReplyObject(r);
			if (rc)
				break;
			continue;
		}
		t0 = now_ns();
		{
			redisReply *stream = r->element[0];

			if (stream->type == REDIS_REPLY_ARRAY &&
			    stream->elements == 2 &&
			    stream->element[1]->type == REDIS_REPLY_ARRAY)
				rc = run_messages(c, b, k_tasks, k_results,
						  stream->element[1], 0, &pr,
						  &vis_ms, err);
		}
		freeReplyObject(r);
		if (rc)
			break;
		/* Quick tasks come in batches; slow ones one at a time, so
		 * that no worker sits on tasks another could run. */
		if (now_ns() - t0 < 2 * BENCH_NS_PER_MS)
			count = count * 2 > READ_MAX ? READ_MAX : count * 2;
		else
			count = 1;
	}
	prepared_release(&pr);
	return rc;
}

static int worker(const struct bench_queue_worker_opts *o,
		  struct bench_err *err)
{
	struct broker b;
	char name[96], version[32];
	bench_ns ping;
	redisContext *c;
	int rc;

	if (!o->broker)
		return bench_err_set(err, BENCH_EINVAL, "no --broker given");
	if ((rc = parse_url(o->broker, &b, err)))
		return rc;
	c = broker_connect_retry(&b, &ping, version, sizeof(version), 6, err);
	if (!c)
		return err->code ? err->code : BENCH_ESYS;
	if (o->name) {
		snprintf(name, sizeof(name), "%s", o->name);
	} else {
		char host[64] = "host";

		gethostname(host, sizeof(host) - 1);
		host[strcspn(host, ".")] = '\0';
		snprintf(name, sizeof(name), "%s.%ld", host, (long)getpid());
	}
	if (o->run) {
		rc = serve(c, &b, o->run, name, err);
	} else {
		/* Roaming: whichever run is announced, one after another. */
		while (rc == 0 && !bench_canceled()) {
			redisReply *r = redisCommand(c, "SRANDMEMBER " RUNS_KEY);

			if (!r) {
				rc = lost(&b, c, err);
				break;
			}
			if (r->type == REDIS_REPLY_STRING) {
				char prefix[200];

				snprintf(prefix, sizeof(prefix), "%s", r->str);
				freeReplyObject(r);
				rc = serve(c, &b, prefix, name, err);
			} else {
				freeReplyObject(r);
				nap_ms(BLOCK_MS);
			}
		}
		if (rc == 0 && bench_canceled())
			rc = bench_err_set(err, BENCH_ECANCELED, "interrupted");
	}
	redisFree(c);
	return rc;
}

int bench_queue_worker(const struct bench_queue_worker_opts *o,
		       struct bench_err *err)
{
	sigset_t saved;
	int rc;

	pipe_block(&saved);
	rc = worker(o, err);
	pipe_restore(&saved);
	return rc;
}

#endif /* BENCH_HAVE_HIREDIS */

const struct bench_executor bench_executor_queue = {
	.name = "queue",
	.summary = SUMMARY,
	.flags = BENCH_EXEC_PARALLEL,
	.workers_noun = "worker processes",
	.run = queue_run,
	.check = queue_check,
	.fini = queue_fini,
};
