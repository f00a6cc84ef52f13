#!/bin/sh
# test_grade_rules.sh - `bench grade` judging parallel code fairly, on the
# course's own threaded exercises (03, 04, 06, 07 of exercises/, beside
# the binary): races caught, and the rules their READMEs state checked.
#
#   per exercise  the reference and a correct solution written here in
#                 another style get full correctness; wrong variants of
#                 that solution (the BUG switch at its top) lose points:
#                 03  finished tasks counted outside the lock (a race),
#                     partial counts added into one shared sum (a race),
#                     a serial count in the caller (not on the pool);
#                 04  puts counted outside the lock (a race), a queue_get
#                     that spins (not blocked);
#                 06  one EVP context shared by all threads: at once, in
#                     turns (the driver's watch on OpenSSL sees two threads
#                     use it), by a worker then the caller with nothing
#                     ordering them (a race TSan sees through that watch);
#                 07  shared sums without the lock (a race), no threads;
#                 a race's feedback names both accesses (file:line,
#                 function, thread, read or write);
#   tsan          the manifest's "tsan" key (booleans only), a toy
#                 exercise whose reference races refused whole, and its
#                 race-free fix graded with the race found in a student's;
#                 a racy solution that turns the sanitizers off for itself
#                 (an attribute in either spelling, a pasted macro, a
#                 runtime hook, one only the TSan build compiles, one
#                 named by a split asm label, dlsym) refused with its line, a function merely named
#                 sanitize_input graded.
#
# usage: tests/cli/test_grade_rules.sh PATH/TO/bench [TEST...]
#
# Same runner as the other suites (lib.sh). Grading needs bubblewrap
# (/usr/bin/bwrap), the race checks a cgroup per box (bench grade then
# prints no "no race checks" note): without them those assertions are
# skipped, with a note. The submissions are built with gcc whatever built
# bench, so the suite holds under bench's ASan and TSan builds too (they
# are only slower). Each race is graded once here; the figures over ten
# gradings are in the commit that brought these checks.

set -u
SUITE="grade_rules"
SUITE_TIMEOUT=400
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

TESTS=
t() { TESTS="$TESTS $1"; }

t pool_map_rules
t worker_turns_rules
t parallel_hash_rules
t pipeline_rules
t manifest_tsan
t tsan_reference_race
t sanitizers_kept_on

need_sandbox() {
	[ -x /usr/bin/bwrap ] || skip "bubblewrap (/usr/bin/bwrap) is not installed"
}

# The course's exercises beside the binary, as BENCH_EXERCISES.
need_exercises() {
	_real=$(dirname "$BENCH")/../exercises
	[ -f "$_real/README.md" ] || skip "no exercises/README.md beside the binary ($_real)"
	BENCH_EXERCISES=$(cd "$_real" && pwd)
	export BENCH_EXERCISES
}

# bench grade ARGS under the subreaper: stdout ./out, stderr ./err, RC.
grade() { run_reaped "$BENCH" grade "$@"; }

# Whether the last grading ran the race checks (no "no race checks" note).
races_checked() {
	if grep -q 'no race checks' err; then
		note "$(sed -n 's/.*note: //p' err | head -n 1)"
		return 1
	fi
	return 0
}

# Submission folder DIR holding FILE, read from stdin.
sub() { # DIR FILE
	mkdir -p "$1"
	cat >"$1/$2"
}

# A wrong variant: the solution in DIR with its BUG switch set to N.
variant() { # FROM TO FILE N
	mkdir -p "$2"
	sed "s/^#define BUG 0\$/#define BUG $4/" "$1/$3" >"$2/$3"
	grep -q "^#define BUG $4\$" "$2/$3" || fail "$1/$3 has no '#define BUG 0' line"
}

# Grades SLUG's submissions (in the order given) into ./flat.
grade_all() { # SLUG DIR...
	_slug=$1
	shift
	grade "$_slug" "$@" --no-perf --seed "${SEED:-11}" -j 2 -q -f json -o report.json
	expect_rc 0
	json_flat report.json >flat
	expect_reaped
}

# Submission S (its index) got full correctness.
expect_full() { # S
	_who=$(flat flat "submissions.$1.student")
	assert_eq "$_who's status" graded "$(flat flat "submissions.$1.status")"
	_max=$(flat flat "submissions.$1.correctness_max")
	_got=$(flat flat "submissions.$1.correctness")
	[ "$_got" = "$_max" ] || fail "$_who: expected full correctness $_max, got $_got: $(grep "^submissions\.$1\.tests\.[0-9]*\.message=" flat | head -n 2 | tr '\n' ' ')"
}

# Test T (its index) of submission S failed with a message matching ERE.
expect_fails() { # S T ERE WHAT
	_who=$(flat flat "submissions.$1.student")
	_name=$(flat flat "submissions.$1.tests.$2.name")
	assert_eq "$_who's test $_name passed" false "$(flat flat "submissions.$1.tests.$2.passed")"
	_m=$(flat flat "submissions.$1.tests.$2.message")
	printf '%s\n' "$_m" | grep -Eq -e "$3" ||
		fail "$_who's test $_name: expected $4 (a message matching /$3/), got '$_m'"
}

# Submission S lost points: its correctness below its maximum.
expect_loses() { # S
	_who=$(flat flat "submissions.$1.student")
	assert_num "$_who's correctness" "$(flat flat "submissions.$1.correctness")" -lt \
		"$(flat flat "submissions.$1.correctness_max")"
}

# A race's feedback in words: two accesses, each with its function and
# FILE:line, the threads, and whether each read or wrote.
RACE='^a data race \(ThreadSanitizer\): an? (atomic )?(read|write) by (the main thread|thread T[0-9]+) in [A-Za-z_][A-Za-z0-9_]* \([A-Za-z0-9_.-]+\.c:[0-9]+\)'
race_in() { # FILE: the message names FILE:line twice
	printf '%s' "$RACE.*, and an? (atomic )?(read|write) by (the main thread|thread T[0-9]+) in [A-Za-z_][A-Za-z0-9_]* \\($1:[0-9]+\\)"
}

# ---------------------------------------------------------------------------
# 03: pool map. Order: reference, alt, 1 racy counter, 2 racy sum, 3 serial.

test_pool_map_rules() {
	need_sandbox
	need_exercises
	write_pool_map alt
	variant alt counter_unlocked pool_map.c 1
	variant alt shared_sum pool_map.c 2
	variant alt serial_count pool_map.c 3
	grade_all 03-pool-map "$BENCH_EXERCISES/03-pool-map/reference" alt \
		counter_unlocked shared_sum serial_count
	expect_full 0
	expect_full 1
	# Serial in the caller: right counts, but not on the pool.
	expect_fails 4 0 "counted on the pool's threads: no" "the count found not done on the pool"
	assert_eq "serial_count's map test passed" true "$(flat flat submissions.4.tests.1.passed)"
	races_checked || return 0
	# The race named first, whether or not the first run showed it (a
	# lost decrement leaves the caller waiting for a task that never
	# ends; lost additions print a wrong count): then what that run did.
	expect_fails 2 1 "$(race_in pool_map.c)" "the unlocked counter's race, in words"
	expect_fails 3 0 "$(race_in pool_map.c)" "the shared sum's race, in words"
	expect_loses 2
	expect_loses 3
}

write_pool_map() { # DIR
	sub "$1" pool_map.c <<'SRC'
/* Exercise 03, another style: a FIFO of single tasks, a lock per future. */
#include <pthread.h>
#include <stdlib.h>

/* The tests make wrong variants of it: 1 counts finished tasks outside
 * the lock, 2 adds the partial counts into one shared sum, 3 counts in
 * the calling thread. */
#define BUG 0

#include "pool_map.h"

struct map_future {
	pthread_mutex_t lock;
	pthread_cond_t done_cond;
	size_t left;                    /* tasks not finished yet */
};

struct task {
	map_fn fn;
	void *arg;
	size_t i;
	long *out;
	struct map_future *f;
	struct task *next;
};

struct pool {
	pthread_mutex_t lock;
	pthread_cond_t ready;
	struct task *first, *last;
	int stopping, n;
	pthread_t t[POOL_MAX_WORKERS];
};

static void *serve(void *arg)
{
	struct pool *p = arg;

	for (;;) {
		struct task *t;
		long r;

		pthread_mutex_lock(&p->lock);
		while (!p->first && !p->stopping)
			pthread_cond_wait(&p->ready, &p->lock);
		t = p->first;
		if (t) {
			p->first = t->next;
			if (!p->first)
				p->last = NULL;
		}
		pthread_mutex_unlock(&p->lock);
		if (!t)
			return NULL;
		r = t->fn(t->arg, t->i);
#if BUG == 1
		t->out[t->i] = r;
		if (--t->f->left == 0) {
			pthread_mutex_lock(&t->f->lock);
			pthread_cond_broadcast(&t->f->done_cond);
			pthread_mutex_unlock(&t->f->lock);
		}
#else
		pthread_mutex_lock(&t->f->lock);
		t->out[t->i] = r;
		if (--t->f->left == 0)
			pthread_cond_broadcast(&t->f->done_cond);
		pthread_mutex_unlock(&t->f->lock);
#endif
		free(t);
	}
}

static void stop(struct pool *p, int n)
{
	pthread_mutex_lock(&p->lock);
	p->stopping = 1;
	pthread_cond_broadcast(&p->ready);
	pthread_mutex_unlock(&p->lock);
	for (int k = 0; k < n; k++)
		pthread_join(p->t[k], NULL);
	free(p);
}

struct pool *pool_create(int workers)
{
	struct pool *p;

	if (workers < 1 || workers > POOL_MAX_WORKERS)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->ready, NULL);
	for (p->n = 0; p->n < workers; p->n++)
		if (pthread_create(&p->t[p->n], NULL, serve, p)) {
			stop(p, p->n);
			return NULL;
		}
	return p;
}

struct map_future *pool_map_async(struct pool *p, map_fn fn, void *arg,
				  size_t ntasks, long *results)
{
	struct map_future *f;
	struct task *head = NULL, *tail = NULL;

	if (!p || !fn || (ntasks && !results))
		return NULL;
	f = malloc(sizeof(*f));
	if (!f)
		return NULL;
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->done_cond, NULL);
	f->left = ntasks;
	for (size_t i = 0; i < ntasks; i++) {
		struct task *t = malloc(sizeof(*t));

		if (!t) {
			while (head) {
				struct task *n = head->next;

				free(head);
				head = n;
			}
			free(f);
			return NULL;
		}
		*t = (struct task){ fn, arg, i, results, f, NULL };
		if (tail)
			tail->next = t;
		else
			head = t;
		tail = t;
	}
	if (head) {
		pthread_mutex_lock(&p->lock);
		if (p->last)
			p->last->next = head;
		else
			p->first = head;
		p->last = tail;
		pthread_cond_broadcast(&p->ready);
		pthread_mutex_unlock(&p->lock);
	}
	return f;
}

int map_wait(struct map_future *f)
{
	if (!f)
		return -1;
	pthread_mutex_lock(&f->lock);
	while (f->left > 0)
		pthread_cond_wait(&f->done_cond, &f->lock);
	pthread_mutex_unlock(&f->lock);
	pthread_mutex_destroy(&f->lock);
	pthread_cond_destroy(&f->done_cond);
	free(f);
	return 0;
}

void pool_destroy(struct pool *p)
{
	if (p)
		stop(p, p->n);
}

struct range {
	const int *v;
	size_t n, size;
	int lo, hi;
	long total;
};

static long count_part(void *arg, size_t i)
{
	const struct range *r = arg;
	size_t a = i * r->size, b = a + r->size > r->n ? r->n : a + r->size;
	long c = 0;

	for (size_t k = a; k < b; k++)
		if (r->v[k] >= r->lo && r->v[k] <= r->hi)
			c++;
#if BUG == 2
	((struct range *)arg)->total += c;
#endif
	return c;
}

long count_in_range(const int *values, size_t n, int lo, int hi, int workers)
{
	struct range r = { values, n, 0, lo, hi, 0 };
	struct pool *p;
	struct map_future *f;
	size_t parts;
	long *part, sum = 0;

	if (workers < 1 || workers > POOL_MAX_WORKERS || (n && !values))
		return -1;
	if (!n || lo > hi)
		return 0;
	parts = 3 * (size_t)workers;
	if (parts > n)
		parts = n;
	r.size = n / parts + (n % parts != 0);
	parts = n / r.size + (n % r.size != 0);
	part = calloc(parts, sizeof(*part));
	p = part ? pool_create(workers) : NULL;
	f = p ? pool_map_async(p, count_part, &r, BUG == 3 ? 0 : parts, part) : NULL;
	if (!f) {
		pool_destroy(p);
		free(part);
		return -1;
	}
#if BUG == 3
	map_wait(f);
	pool_destroy(p);
	for (size_t i = 0; i < parts; i++)
		sum += count_part(&r, i);
#else
	map_wait(f);
	pool_destroy(p);
	for (size_t i = 0; i < parts; i++)
		sum += part[i];
#endif
#if BUG == 2
	sum = r.total;
#endif
	free(part);
	return sum;
}
SRC
}

# ---------------------------------------------------------------------------
# 04: worker turns. Order: reference, alt, 1 racy counter, 2 spinning.

test_worker_turns_rules() {
	need_sandbox
	need_exercises
	write_turns alt
	variant alt puts_unlocked turns.c 1
	variant alt spinning turns.c 2
	grade_all 04-worker-turns "$BENCH_EXERCISES/04-worker-turns/reference" alt \
		puts_unlocked spinning
	expect_full 0
	expect_full 1
	expect_fails 3 0 "line [0-9]+: expected 'it waited blocked, not spinning: yes', got 'it waited blocked, not spinning: no" \
		"the spinning get found"
	expect_loses 3
	races_checked || return 0
	expect_fails 2 0 "$(race_in turns.c)" "the unlocked counter's race, in words"
	expect_fails 2 0 "in queue_put \\(turns.c:[0-9]+\\)" "the racing function and line"
	expect_loses 2
}

write_turns() { # DIR
	sub "$1" turns.c <<'SRC'
/* Exercise 04, another style: a growing ring buffer for the queue; the
 * turns passed on by a shared counter under one lock, the stop through
 * each worker's inbox. */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

/* The tests make wrong variants of it: 1 counts the puts outside the
 * lock, 2 spins in queue_get while the queue is empty. */
#define BUG 0

#include "turns.h"

struct queue {
	pthread_mutex_t m;
	pthread_cond_t c;
	int *buf;
	size_t cap, start, len;
	unsigned long puts;
};

struct queue *queue_create(void)
{
	struct queue *q = calloc(1, sizeof(*q));

	if (!q)
		return NULL;
	pthread_mutex_init(&q->m, NULL);
	pthread_cond_init(&q->c, NULL);
	return q;
}

int queue_put(struct queue *q, int msg)
{
	if (!q)
		return -1;
	pthread_mutex_lock(&q->m);
	if (q->len == q->cap) {
		size_t cap = q->cap ? 2 * q->cap : 16;
		int *b = malloc(cap * sizeof(*b));

		if (!b) {
			pthread_mutex_unlock(&q->m);
			return -1;
		}
		for (size_t i = 0; i < q->len; i++)
			b[i] = q->buf[(q->start + i) % q->cap];
		free(q->buf);
		q->buf = b;
		q->cap = cap;
		q->start = 0;
	}
	q->buf[(q->start + q->len++) % q->cap] = msg;
	pthread_cond_broadcast(&q->c);
#if BUG == 1
	pthread_mutex_unlock(&q->m);
	q->puts++;
#else
	q->puts++;
	pthread_mutex_unlock(&q->m);
#endif
	return 0;
}

int queue_get(struct queue *q)
{
	int msg;

	pthread_mutex_lock(&q->m);
	while (q->len == 0) {
#if BUG == 2
		pthread_mutex_unlock(&q->m);
		sched_yield();
		pthread_mutex_lock(&q->m);
#else
		pthread_cond_wait(&q->c, &q->m);
#endif
	}
	msg = q->buf[q->start];
	q->start = (q->start + 1) % q->cap;
	q->len--;
	pthread_mutex_unlock(&q->m);
	return msg;
}

void queue_destroy(struct queue *q)
{
	if (!q)
		return;
	pthread_mutex_destroy(&q->m);
	pthread_cond_destroy(&q->c);
	free(q->buf);
	free(q);
}

#define STOP (-1)

struct shared {
	pthread_mutex_t m;
	pthread_cond_t turn_changed;
	int turn, turns, n;
	FILE *out;
};

struct worker {
	struct shared *s;
	struct queue *inbox;
	int id;
	pthread_t t;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct shared *s = w->s;

	for (;;) {
		int msg = queue_get(w->inbox);

		if (msg == STOP)
			return NULL;
		pthread_mutex_lock(&s->m);
		fprintf(s->out, "worker %d\n", w->id);
		s->turn++;
		pthread_cond_broadcast(&s->turn_changed);
		pthread_mutex_unlock(&s->m);
	}
}

int run_turns(int nthreads, int turns, FILE *out)
{
	struct shared s;
	struct worker w[TURNS_MAX_THREADS];
	int started = 0, rc = 0;

	if (nthreads < 1 || nthreads > TURNS_MAX_THREADS || turns < 0 || !out)
		return -1;
	s = (struct shared){ .turns = turns, .n = nthreads, .out = out };
	pthread_mutex_init(&s.m, NULL);
	pthread_cond_init(&s.turn_changed, NULL);
	for (; started < nthreads; started++) {
		w[started] = (struct worker){ &s, queue_create(), started, 0 };
		if (!w[started].inbox ||
		    pthread_create(&w[started].t, NULL, work, &w[started]) != 0) {
			queue_destroy(w[started].inbox);
			rc = -1;
			break;
		}
	}
	for (int t = 0; rc == 0 && t < turns; t++) {
		queue_put(w[t % nthreads].inbox, 1);
		pthread_mutex_lock(&s.m);
		while (s.turn <= t)
			pthread_cond_wait(&s.turn_changed, &s.m);
		pthread_mutex_unlock(&s.m);
	}
	for (int k = 0; k < started; k++)
		queue_put(w[k].inbox, STOP);
	for (int k = 0; k < started; k++) {
		pthread_join(w[k].t, NULL);
		queue_destroy(w[k].inbox);
	}
	pthread_mutex_destroy(&s.m);
	pthread_cond_destroy(&s.turn_changed);
	return rc;
}
SRC
}

# ---------------------------------------------------------------------------
# 06: parallel hash. Order: reference, alt, 1 one context for all, 2 the
# same in turns, 3 shared by a worker and the caller.

test_parallel_hash_rules() {
	need_sandbox
	need_exercises
	write_hash alt
	variant alt shared_context hash_cpfs.c 1
	variant alt shared_in_turns hash_cpfs.c 2
	variant alt shared_with_caller hash_cpfs.c 3
	grade_all 06-parallel-hash "$BENCH_EXERCISES/06-parallel-hash/reference" alt \
		shared_context shared_in_turns shared_with_caller
	expect_full 0
	expect_full 1
	# All threads at once: wrong digests, a crash, or the driver's watch.
	assert_eq "shared_context's digests passed" false "$(flat flat submissions.2.tests.0.passed)"
	expect_loses 2
	# In turns: right digests, but the driver sees two threads use one
	# context, whatever the order of their runs.
	for _k in 0 1; do
		expect_fails 3 "$_k" "expected 'EVP contexts used by two threads: none', got 'EVP contexts used by two threads: yes" \
			"the shared context found by the driver"
	done
	races_checked || return 0
	# A worker, then the caller, with nothing ordering them: right
	# digests, and only TSan, through the driver's watch on OpenSSL's
	# calls, sees it.
	for _k in 0 1; do
		expect_fails 4 "$_k" "$(race_in hash_cpfs.c)" "the context's race, in words"
		expect_fails 4 "$_k" "in hash_turn \\(hash_cpfs.c:[0-9]+\\), calling EVP_Digest(Init_ex|Update|Final_ex)" \
			"the OpenSSL call on the shared context"
	done
}

write_hash() { # DIR
	sub "$1" hash_cpfs.c <<'SRC'
/* Exercise 06, another style: threads take chunks from an atomic
 * counter, each with its own context; the caller hashes too. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>

#include <openssl/evp.h>

#include "hash_cpfs.h"

/* The tests make wrong variants of it: 1 shares one context among all
 * threads; 2 too, but the threads take turns, each starting once the
 * last says (by a relaxed atomic flag) it is done: right digests, and
 * nothing ordering one thread's use of the context and the next's; 3
 * the same between one thread and the caller. */
#define BUG 0
#define CHUNK 64

struct work {
	const char *const *cpfs;
	unsigned char (*digests)[HASH_DIGEST_LEN];
	size_t n;
	atomic_size_t next;
	EVP_MD *md;
	EVP_MD_CTX *shared;
	atomic_int turn_done;
};

struct turn {
	struct work *w;
	size_t from, to;
};

static void *hash_turn(void *arg)
{
	struct turn *tu = arg;
	struct work *w = tu->w;

	for (size_t i = tu->from; i < tu->to; i++) {
		EVP_DigestInit_ex(w->shared, w->md, NULL);
		EVP_DigestUpdate(w->shared, HASH_PREFIX, sizeof(HASH_PREFIX) - 1);
		EVP_DigestUpdate(w->shared, w->cpfs[i], strlen(w->cpfs[i]));
		EVP_DigestFinal_ex(w->shared, w->digests[i], NULL);
	}
	atomic_store_explicit(&w->turn_done, 1, memory_order_relaxed);
	return NULL;
}

static void *hash_some(void *arg)
{
	struct work *w = arg;
#if BUG == 1
	EVP_MD_CTX *ctx = w->shared;
#else
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
#endif
	size_t from;

	while ((from = atomic_fetch_add(&w->next, CHUNK)) < w->n) {
		size_t to = from + CHUNK < w->n ? from + CHUNK : w->n;

		for (size_t i = from; i < to; i++) {
			EVP_DigestInit_ex(ctx, w->md, NULL);
			EVP_DigestUpdate(ctx, HASH_PREFIX, sizeof(HASH_PREFIX) - 1);
			EVP_DigestUpdate(ctx, w->cpfs[i], strlen(w->cpfs[i]));
			EVP_DigestFinal_ex(ctx, w->digests[i], NULL);
		}
	}
#if BUG != 1
	EVP_MD_CTX_free(ctx);
#endif
	return NULL;
}

void hash_cpfs(const char *const *cpfs, size_t n,
	       unsigned char (*digests)[HASH_DIGEST_LEN], int workers)
{
	struct work w = { cpfs, digests, n, 0, EVP_MD_fetch(NULL, "SHA256", NULL),
			  EVP_MD_CTX_new(), 0 };
	pthread_t t[HASH_MAX_WORKERS];
	struct turn turns[HASH_MAX_WORKERS];
	int started = 0;

	workers = workers < 1 ? 1 : workers > HASH_MAX_WORKERS ? HASH_MAX_WORKERS : workers;
	if (BUG == 3) {
		turns[0] = (struct turn){ &w, 0, n / 2 };
		turns[1] = (struct turn){ &w, n / 2, n };
		if (pthread_create(&t[0], NULL, hash_turn, &turns[0]) == 0) {
			started = 1;
			while (!atomic_load_explicit(&w.turn_done, memory_order_relaxed))
				sched_yield();
		} else {
			hash_turn(&turns[0]);
		}
		hash_turn(&turns[1]);
	}
	for (int k = 0; BUG == 2 && k < workers; k++) {
		turns[k] = (struct turn){ &w, n * (size_t)k / (size_t)workers,
					  n * (size_t)(k + 1) / (size_t)workers };
		atomic_store_explicit(&w.turn_done, 0, memory_order_relaxed);
		if (pthread_create(&t[started], NULL, hash_turn, &turns[k]) != 0) {
			hash_turn(&turns[k]);
			continue;
		}
		started++;
		while (!atomic_load_explicit(&w.turn_done, memory_order_relaxed))
			sched_yield();
	}
	if (BUG == 2 || BUG == 3)
		atomic_store(&w.next, n);
	while (started < workers - 1 && pthread_create(&t[started], NULL, hash_some, &w) == 0)
		started++;
	hash_some(&w);
	for (int k = 0; k < started; k++)
		pthread_join(t[k], NULL);
	EVP_MD_CTX_free(w.shared);
	EVP_MD_free(w.md);
}
SRC
}

# ---------------------------------------------------------------------------
# 07: JSONL pipeline. Order: reference, alt, 1 racy sums, 2 no threads.

test_pipeline_rules() {
	need_sandbox
	need_exercises
	write_pipeline alt
	variant alt sums_unlocked pipeline.c 1
	variant alt no_threads pipeline.c 2
	grade_all 07-jsonl-pipeline "$BENCH_EXERCISES/07-jsonl-pipeline/reference" alt \
		sums_unlocked no_threads
	expect_full 0
	expect_full 1
	expect_fails 3 0 "expected '  on worker threads: yes', got '  on worker threads: no" \
		"the missing threads found"
	expect_fails 3 1 "on worker threads: no" "the missing threads found in filter too"
	races_checked || return 0
	expect_fails 2 0 "$(race_in pipeline.c)" "the shared sums' race, in words"
	expect_fails 2 0 "in process \\(pipeline.c:[0-9]+\\)" "the racing function and line"
	expect_loses 2
}

write_pipeline() { # DIR
	sub "$1" pipeline.c <<'SRC'
/* Exercise 07, another style: the reader hands the workers plain
 * numbers (the id's mix and the quantity of each kept event) through an
 * unbounded list of batches; the workers add to totals under a lock. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "pipeline.h"

/* The tests make wrong variants of it: 1 adds to the totals without the
 * lock, 2 starts no thread and processes every batch itself. */
#define BUG 0

struct item {
	int64_t id;
	uint64_t qty;
};

struct batch {
	struct batch *next;
	size_t n;
	struct item items[];
};

struct line_up {
	pthread_mutex_t m;
	pthread_cond_t more;
	struct batch *head, *tail;
	int done;
	uint64_t batches, checksum, quantity;
};

static void process(struct line_up *l, struct batch *b)
{
	uint64_t sum = 0, qty = 0;

	for (size_t i = 0; i < b->n; i++) {
		sum += pipeline_mix(b->items[i].id);
		qty += b->items[i].qty;
	}
#if BUG != 1
	pthread_mutex_lock(&l->m);
#endif
	l->batches++;
	l->checksum += sum;
	l->quantity += qty;
#if BUG != 1
	pthread_mutex_unlock(&l->m);
#endif
	free(b);
}

static void *worker(void *arg)
{
	struct line_up *l = arg;

	for (;;) {
		struct batch *b;

		pthread_mutex_lock(&l->m);
		while (!l->head && !l->done)
			pthread_cond_wait(&l->more, &l->m);
		b = l->head;
		if (b && !(l->head = b->next))
			l->tail = NULL;
		pthread_mutex_unlock(&l->m);
		if (!b)
			return NULL;
		process(l, b);
	}
}

static void hand_over(struct line_up *l, struct batch *b, int threads)
{
	if (!threads) {
		process(l, b);
		return;
	}
	b->next = NULL;
	pthread_mutex_lock(&l->m);
	if (l->tail)
		l->tail->next = b;
	else
		l->head = b;
	l->tail = b;
	pthread_cond_signal(&l->more);
	pthread_mutex_unlock(&l->m);
}

static uint64_t qty_of(json_t *ev)
{
	json_t *items = json_object_get(json_object_get(ev, "payload"), "items");
	uint64_t q = 0;
	size_t i;
	json_t *it;

	if (!json_is_array(items))
		return 0;
	json_array_foreach(items, i, it) {
		json_t *v = json_object_get(it, "qty");

		if (json_is_integer(v))
			q += (uint64_t)json_integer_value(v);
	}
	return q;
}

int run_pipeline(const char *path, const char *type, size_t batch, int workers,
		 struct pipeline_stats *st)
{
	struct line_up l;
	pthread_t t[PIPELINE_MAX_WORKERS];
	struct batch *cur = NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int threads = 0, rc = 0;
	FILE *f;

	if (!path || !type || !st || !batch || workers < 1 || workers > PIPELINE_MAX_WORKERS)
		return -1;
	if (!(f = fopen(path, "r")))
		return -1;
	memset(st, 0, sizeof(*st));
	memset(&l, 0, sizeof(l));
	pthread_mutex_init(&l.m, NULL);
	pthread_cond_init(&l.more, NULL);
#if BUG != 2
	while (threads < workers && pthread_create(&t[threads], NULL, worker, &l) == 0)
		threads++;
#else
	(void)worker;
#endif
	while ((len = getline(&line, &cap, f)) >= 0) {
		json_t *ev = json_loadb(line, (size_t)len, 0, NULL);
		json_t *id = json_object_get(ev, "event_id"), *ty = json_object_get(ev, "event_type");

		st->lines++;
		if (!json_is_object(ev) || !json_is_integer(id) || !json_is_string(ty)) {
			st->malformed++;
		} else if (json_string_length(ty) == strlen(type) &&
			   memcmp(json_string_value(ty), type, strlen(type)) == 0) {
			if (!cur) {
				cur = malloc(sizeof(*cur) + batch * sizeof(cur->items[0]));
				if (!cur) {
					rc = -1;
					json_decref(ev);
					break;
				}
				cur->n = 0;
			}
			cur->items[cur->n++] = (struct item){ json_integer_value(id), qty_of(ev) };
			st->kept++;
			if (cur->n == batch) {
				hand_over(&l, cur, threads);
				cur = NULL;
			}
		}
		json_decref(ev);
	}
	if (ferror(f))
		rc = -1;
	if (cur) {
		st->last_batch = cur->n;
		hand_over(&l, cur, threads);
	} else if (st->kept) {
		st->last_batch = batch;
	}
	pthread_mutex_lock(&l.m);
	l.done = 1;
	pthread_cond_broadcast(&l.more);
	pthread_mutex_unlock(&l.m);
	for (int k = 0; k < threads; k++)
		pthread_join(t[k], NULL);
	st->batches = l.batches;
	st->checksum = l.checksum;
	st->quantity = l.quantity;
	free(line);
	fclose(f);
	pthread_mutex_destroy(&l.m);
	pthread_cond_destroy(&l.more);
	return rc;
}
SRC
}

# ---------------------------------------------------------------------------
# The "tsan" key, on a toy exercise: 98-tally counts on threads.

# The toy in ./ex (BENCH_EXERCISES), its reference racing when RACY is 1,
# and a hidden test of its own in ./hidden.
make_tally() { # RACY
	_d=ex/98-tally
	mkdir -p "$_d/reference" "$_d/starter" hidden/98-tally
	cat >"$_d/exercise.json" <<'JSON'
{
  "title": "tally on threads",
  "source": "tally.c",
  "header": "tally.h",
  "libs": ["-lpthread"],
  "tests": [
    {"name": "count", "points": 1, "check": "exact", "tsan": true},
    {"name": "single", "points": 1, "check": "exact", "tsan": false}
  ]
}
JSON
	cat >"$_d/tally.h" <<'HDR'
#ifndef TALLY_H
#define TALLY_H

/* threads threads each add 1 per_thread times to a shared total; returns it. */
long tally(int threads, int per_thread);

#endif
HDR
	cat >"$_d/tests.c" <<'DRV'
#include <stdio.h>
#include <stdlib.h>
#include "tally.h"

int main(int argc, char **argv)
{
	int n;

	if (argc != 3)
		return 2;
	n = 100 + (int)(strtoull(argv[2], NULL, 10) % 100);
	printf("%ld\n", tally(argv[1][0] == 's' ? 1 : 4, n));
	return 0;
}
DRV
	cp "$_d/tests.c" hidden/98-tally/tests.c
	printf '{"tests": [{"name": "hidden_count", "points": 1, "check": "exact", "tsan": true}]}\n' \
		>hidden/98-tally/tests.json
	write_tally "$_d/reference" "$1"
	write_tally "$_d/starter" 0
	sed -i 's/return total;/return -1;/' "$_d/starter/tally.c"
	BENCH_EXERCISES=$PWD/ex
	export BENCH_EXERCISES
}

write_tally() { # DIR RACY
	mkdir -p "$1"
	sed "s/^#define RACY 0\$/#define RACY $2/" >"$1/tally.c" <<'SRC'
#include <pthread.h>

#include "tally.h"

#define RACY 0

#if !RACY
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
#endif
static long total;
static int each;

static void *add(void *arg)
{
	(void)arg;
	for (int i = 0; i < each; i++) {
#if !RACY
		pthread_mutex_lock(&lock);
#endif
		total++;
#if !RACY
		pthread_mutex_unlock(&lock);
#endif
	}
	return 0;
}

long tally(int threads, int per_thread)
{
	pthread_t t[8];

	total = 0;
	each = per_thread;
	for (int k = 0; k < threads; k++)
		pthread_create(&t[k], 0, add, 0);
	for (int k = 0; k < threads; k++)
		pthread_join(t[k], 0);
	return total;
}
SRC
}

test_manifest_tsan() {
	need_sandbox
	make_tally 0
	write_tally mine 0
	for _v in 1 '"yes"' null '[true]'; do
		sed "s/\"tsan\": true/\"tsan\": $_v/" ex/98-tally/exercise.json >m.json
		cp m.json ex/98-tally/exercise.json
		bench grade 98 mine
		expect_rc 1
		expect_empty out
		expect_nlines err 1
		expect_match err "exercise\\.json: 'tests\\[0\\]\\.tsan': expected true or false, got " \
			"the key and what it accepts"
		make_tally 0
	done
	sed 's/"tsan": true/"tsan" : true, "tsan": false/' ex/98-tally/exercise.json >m.json
	cp m.json ex/98-tally/exercise.json
	bench grade 98 mine
	expect_rc 1
	expect_nlines err 1
	make_tally 0
	printf '{"tests": [{"name": "hidden_count", "points": 1, "check": "exact", "tsan": 0}]}\n' \
		>hidden/98-tally/tests.json
	bench grade 98 mine --hidden hidden
	expect_rc 1
	expect_nlines err 1
	expect_match err "tests\\.json: 'tests\\[0\\]\\.tsan': expected true or false, got 0" \
		"the hidden manifest's key"
	make_tally 0
	bench grade 98 mine --hidden hidden -q
	expect_rc 0
	expect_match out "3/3 points" "full marks for a race-free solution, hidden test included"
}

test_tsan_reference_race() {
	need_sandbox
	make_tally 0
	write_tally mine 0
	write_tally racy 1
	bench grade 98 mine
	expect_rc 0
	races_checked || return 0
	make_tally 1
	bench grade 98 mine
	expect_rc 1
	expect_empty out
	expect_nlines err 1
	expect_match err "exercise 98-tally: the reference races in test count: a data race \\(ThreadSanitizer\\)" \
		"the reference's race refusing the exercise"
	make_tally 0
	# A race whose first run also failed: the race first, then that run.
	write_tally racy_wrong 1
	sed -i 's/return total;/return total + 1;/' racy_wrong/tally.c
	grade 98 mine racy racy_wrong --hidden hidden --seed 5 -f json -o report.json -q
	expect_rc 0
	expect_reaped
	json_flat report.json >flat
	expect_full 0
	expect_fails 1 0 "$(race_in tally.c)" "the race, in words"
	expect_fails 1 0 "in add \\(tally.c:[0-9]+\\)" "the racing function and line"
	expect_fails 2 0 "$(race_in tally.c).*; in its first run, line 1: expected '[0-9]+', got '[0-9]+'\$" \
		"the race, then the first run's wrong count"
	# Not marked: a race there is not looked for; hidden: no details.
	assert_eq "racy's single test passed" true "$(flat flat submissions.1.tests.1.passed)"
	expect_fails 1 2 "^failed \\(a hidden test: no details are shown\\)\$" "the hidden test's one message"
	expect_no_match report.json 'ThreadSanitizer.*hidden|hidden.*ThreadSanitizer' "TSan's words on a hidden test"
}

# A racy tally that hides its race from ThreadSanitizer, in DIR: the line
# given replaces the line before add() (an attribute, a definition).
hide_race() { # DIR LINE
	write_tally "$1" 1
	awk -v l="$2" '/^static void \*add\(void \*arg\)$/ { print l } { print }' \
		"$1/tally.c" >"$1/t" && mv "$1/t" "$1/tally.c"
}

test_sanitizers_kept_on() {
	need_sandbox
	make_tally 0
	write_tally mine 0
	hide_race attr '__attribute__((no_sanitize("thread")))'
	hide_race pasted '#define OFF(a, b) a##b
__attribute__((OFF(no_, sanitize_thread)))'
	hide_race hook 'const char *__tsan_default_suppressions(void); const char *__tsan_default_suppressions(void) { return "race:add"; }'
	hide_race lookup '#include <dlfcn.h>
void *peek(void); void *peek(void) { return dlsym(RTLD_DEFAULT, "free"); }'
	# The spellings gcc also takes, a hook only the TSan build compiles,
	# a hook's name split in two strings of an asm label.
	hide_race reserved '__attribute__((__no_sanitize__("thread")))'
	hide_race guarded '#ifdef __SANITIZE_THREAD__
const char *__tsan_default_suppressions(void); const char *__tsan_default_suppressions(void) { return "race:add"; }
#endif'
	hide_race split 'const char *sup(void) __asm__("__ts" "an_default_suppressions"); const char *sup(void) { return "race:add"; }'
	# Words alone are no reason: a comment, and a name of its own.
	hide_race named '/* no_sanitize here */ static void sanitize_input(void) {}'
	sed -i 's/total = 0;/total = 0; sanitize_input();/' named/tally.c
	grade 98 mine attr pasted hook lookup reserved guarded split named --seed 5 -f json -o report.json -q
	expect_rc 0
	expect_reaped
	json_flat report.json >flat
	expect_full 0
	for _k in 1 2 3 4 5 6 7; do
		assert_eq "$(flat flat "submissions.$_k.student")'s status" refused \
			"$(flat flat "submissions.$_k.status")"
		assert_eq "$(flat flat "submissions.$_k.student")'s correctness" 0.0 \
			"$(flat flat "submissions.$_k.correctness")"
	done
	grade 98 mine attr pasted hook lookup reserved guarded split named --seed 5
	expect_rc 0
	expect_match out '^attr: 0/2 points: refused$' "the attribute refused"
	_l=$(grep -n 'no_sanitize("thread")' attr/tally.c | cut -d: -f1)
	expect_match out "tally\\.c, line $_l: no_sanitize reaches the sanitizers that check the tests" \
		"the attribute, its line and why"
	expect_match out 'tally\.c, a macro: no_sanitize_thread reaches the sanitizers' \
		"the pasted attribute found after macro expansion"
	expect_match out "tally\\.c, line $_l: __tsan_default_suppressions reaches the sanitizers" \
		"the runtime hook named"
	expect_match out 'tally\.c calls dlsym: looking code up at run time' "the run-time lookup named"
	expect_match out 'tally\.c, line [0-9]+: __no_sanitize__ reaches' "the reserved spelling"
	expect_match out 'tally\.c, line [0-9]+: __tsan_default_suppressions reaches.*' \
		"the hook only the TSan build sees"
	expect_match out 'tally\.c, its object file: __tsan_default_suppressions reaches' \
		"the hook whose name only the object file shows whole"
	assert_eq "named's status" graded "$(flat flat submissions.8.status)"
	# Its race is still there, and still found: the words hid nothing.
	races_checked || return 0
	expect_fails 8 0 "$(race_in tally.c)" "the race of a solution that only names things"
}

lib_start "$@"
