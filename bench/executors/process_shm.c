/*
 * process_shm.c - the process pool through shared memory: workers claim
 * their tasks themselves, and nothing crosses a socket per task.
 *
 * Before the fork the parent maps one MAP_SHARED region: a claim counter
 * alone on its cache line, a slot per worker (what it is on, its partial
 * result, how it failed) and, for a split stream, a word per part (its
 * item count once known, and who claimed it). Then:
 *
 *   indexed sources  a worker takes the next task number with one atomic
 *                    fetch-and-add, the way the thread pool does, records
 *                    it in its slot, and folds the task into its slot's
 *                    partial;
 *   split streams    the stream is cut into 8 parts per worker
 *                    (workload.h's split: byte ranges cut at line starts)
 *                    and each worker reads the parts it claims itself, as
 *                    an MPI rank reads its own, numbering a part's items
 *                    after the items of the parts before it (split_first),
 *                    so line numbers, bad lines, --strict and the checksum
 *                    come out as a whole pass gives them. Those counts
 *                    cost a pass over the bytes they cover, so a worker
 *                    starts at its own home part, w/n of the way in, and
 *                    a count is taken only where one worker must run
 *                    ahead of another (see run_parts): the stream is read
 *                    about 1 + (n - 1) / n times rather than twice. Tasks
 *                    are the batches read (a batch never spans two parts)
 *                    and the tests' crash_task names a part.
 *
 * The one design choice: every claim is a lock-free atomic and a worker's
 * state lives in its own slot, so a worker that dies holds nothing the
 * others wait for except, for a stream, the count of a part it was
 * counting, and the parent kills every worker the moment one dies. The
 * slot says what the dead worker was doing; the parent merges partials
 * only after every worker has exited cleanly, so it never reads one half
 * written.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "process_shm.h"

/* Parts of a split stream per worker: enough that a worker the machine
 * slows down leaves the others little to wait for at the end, few enough
 * that cutting them (a peek at each cut) stays negligible. */
#define PARTS_PER_WORKER 8
#define PARTS_MAX 4096

#define CACHE_LINE 64

_Static_assert(ATOMIC_LONG_LOCK_FREE == 2 && ATOMIC_LLONG_LOCK_FREE == 2,
	       "claims in memory shared between processes need lock-free atomics");

/* One worker's corner of the shared region; a cache line of its own. */
struct slot {
	_Alignas(CACHE_LINE) _Atomic uint64_t task; /* indexed: the task
					 running + 1; a split stream: the
					 part + 1; 0: none */
	_Atomic uint64_t first;  /* a split stream: the batch running: its
				    first item */
	_Atomic uint64_t count;  /* its items; 0: none runs */
	_Atomic uint32_t counting; /* a split stream: counting the part's
				      items, not running it */
	uint64_t tasks;          /* tasks finished */
	int32_t status;          /* 0, or the BENCH_E* code it stopped on */
	char msg[sizeof(((struct bench_err *)0)->msg)]; /* and why */
	BENCH_PARTIAL_ALIGN unsigned char partial[BENCH_PARTIAL_MAX];
};

/* A part of a split stream. */
struct part {
	_Atomic uint64_t items;   /* its items + 1 once known; 0 before */
	_Atomic uint32_t runner;  /* claimed to run */
	_Atomic uint32_t counter; /* claimed to count its items */
};

struct shm {
	/* In the shared mapping. */
	_Atomic uint64_t *next;   /* indexed: the next task to claim */
	struct slot *slots;       /* one per worker */
	struct part *part;        /* split streams: one per part */
	void *map;
	size_t map_len;           /* bytes */
	/* Copied into each worker by the fork. */
	uint64_t parts;           /* split streams: parts; 0: indexed */
};

int bench__process_shm_takes(const struct bench_exec_ctx *ctx)
{
	const struct bench_workload *wl = ctx->wl;

	if (ctx->src->dag)
		return 0;
	if (!wl->next_batch)
		return 1;
	return wl->split && wl->split_first &&
	       access("/proc/self/fd", R_OK | X_OK) == 0;
}

/* ---- in a worker ------------------------------------------------------ */

static int crash_here(const struct bench_exec_ctx *ctx, uint64_t task)
{
	return ctx->opts->crash_set && ctx->opts->crash_task >= 0 &&
	       (uint64_t)ctx->opts->crash_task == task;
}

static int run_tasks(const struct bench_exec_ctx *ctx, const struct shm *sh,
		     struct slot *s, struct bench_err *e)
{
	const struct bench_source *src = ctx->src;

	for (;;) {
		uint64_t t = atomic_fetch_add_explicit(sh->next, 1,
						       memory_order_relaxed);
		struct bench_task task = { t, 0, 0, NULL, 0 };
		int rc;

		if (t >= src->ntasks)
			return 0;
		atomic_store_explicit(&s->task, t + 1, memory_order_relaxed);
		if (crash_here(ctx, t))
			abort();
		task.first = t * src->chunk;
		task.count = src->items - task.first < src->chunk ?
				     src->items - task.first : src->chunk;
		if ((rc = bench_task_run(ctx->wl, ctx->state, &task, s->partial,
					 e)))
			return rc;
		atomic_store_explicit(&s->task, 0, memory_order_relaxed);
		s->tasks++;
	}
}

/* Gives fd, inherited from the parent, a description (and so an offset)
 * of its own when it is a regular file open for reading (an --input file,
 * or a memfd of generated input, which is open read-write). */
static int reopen(int fd, struct bench_err *err)
{
	struct stat st;
	char path[64];
	int fl, fdfl, nfd;
	off_t off;

	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	fl = fcntl(fd, F_GETFL);
	fdfl = fcntl(fd, F_GETFD);
	if (fl < 0 || fdfl < 0 || (fl & O_ACCMODE) == O_WRONLY)
		return 0;
	off = lseek(fd, 0, SEEK_CUR);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	nfd = open(path, (fl & ~O_ASYNC) | O_CLOEXEC);
	if (nfd < 0)
		return bench_err_set(err, BENCH_ESYS,
				     "cannot reopen inherited file %d: %s", fd,
				     strerror(errno));
	if ((off > 0 && lseek(nfd, off, SEEK_SET) != off) ||
	    dup3(nfd, fd, fdfl & FD_CLOEXEC ? O_CLOEXEC : 0) < 0) {
		int e = errno;

		close(nfd);
		return bench_err_set(err, BENCH_ESYS,
				     "cannot reopen inherited file %d: %s", fd,
				     strerror(e));
	}
	close(nfd);
	return 0;
}

/*
 * A forked child shares its parent's open file descriptions, and so their
 * offsets: a reader that seeks and then reads (events) would move every
 * other worker's position. So a worker reading its own parts first
 * reopens each regular file it inherited open for reading, through
 * /proc/self/fd, with the same number, flags and offset: then it owns its
 * offset,
 * as a process started on its own (an MPI rank) does.
 */
static int reopen_inherited(struct bench_err *err)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int *fds = NULL, rc = 0;
	size_t n = 0, cap = 0;

	if (!d)
		return bench_err_set(err, BENCH_ESYS,
				     "cannot list /proc/self/fd: %s",
				     strerror(errno));
	/* The numbers first: reopening changes the table being listed. */
	while ((de = readdir(d))) {
		char *end;
		long fd = strtol(de->d_name, &end, 10);

		if (end == de->d_name || *end || fd == dirfd(d))
			continue;
		if (n == cap) {
			int *more = realloc(fds, (cap * 2 + 16) * sizeof(*fds));

			if (!more) {
				rc = bench_err_set(err, BENCH_ENOMEM,
						   "out of memory");
				break;
			}
			fds = more;
			cap = cap * 2 + 16;
		}
		fds[n++] = (int)fd;
	}
	closedir(d);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = reopen(fds[i], err);
	free(fds);
	return rc;
}

/* Copies batch's bytes into *buf, followed by the zero padding parsers
 * may read ahead into (as the source does for the other executors). */
static int pad_batch(struct bench_task *batch, unsigned char **buf,
		     size_t *cap, struct bench_err *e)
{
	if (!batch->len) {
		batch->data = NULL;
		return 0;
	}
	if (batch->len > *cap) {
		free(*buf);
		*buf = malloc(batch->len + BENCH_BATCH_PADDING);
		*cap = *buf ? batch->len : 0;
		if (!*buf)
			return bench_err_set(e, BENCH_ENOMEM,
					     "cannot copy a batch of %zu bytes",
					     batch->len);
	}
	memcpy(*buf, batch->data, batch->len);
	memset(*buf + batch->len, 0, BENCH_BATCH_PADDING);
	batch->data = *buf;
	return 0;
}

/* Waits a little longer each time: from 10 us up to 1 ms. */
static void nap(long *ns)
{
	nanosleep(&(struct timespec){ 0, *ns }, NULL);
	if (*ns < 1000000)
		*ns *= 2;
}

/* What a worker of a split stream carries from part to part. */
struct reader {
	const struct bench_exec_ctx *ctx;
	const struct shm *sh;
	struct slot *s;
	uint64_t known, before;  /* the items of parts [0, known) */
	unsigned char *buf;      /* the padded copy of a batch */
	size_t cap;              /* its bytes */
	struct bench_err *e;
};

/* Counts part k's items (the workload's split does, a pass over the
 * part) and publishes them; the caller holds k's count claim. The tests'
 * crash_task lands here too, on a count other workers may be waiting for,
 * to show that nothing hangs. */
static int count_part(struct reader *r, uint64_t k)
{
	struct part *pt = &r->sh->part[k];
	uint64_t items = 0, none = 0;
	int rc;

	atomic_store_explicit(&r->s->count, 0, memory_order_relaxed);
	atomic_store_explicit(&r->s->counting, 1, memory_order_relaxed);
	atomic_store_explicit(&r->s->task, k + 1, memory_order_release);
	if (crash_here(r->ctx, k))
		abort();
	rc = r->ctx->wl->split(r->ctx->state, (unsigned)k,
			       (unsigned)r->sh->parts, &items, r->e);
	if (rc == 0)
		atomic_compare_exchange_strong_explicit(&pt->items, &none,
							items + 1,
							memory_order_release,
							memory_order_relaxed);
	atomic_store_explicit(&r->s->counting, 0, memory_order_relaxed);
	return rc;
}

/* Part k's items into *items: published already, or counted here, or,
 * while another worker counts them, waited for. A worker counting never
 * waits for anyone, so these waits are short and never form a cycle; if
 * the counting worker dies, the parent kills this one too. */
static int items_of(struct reader *r, uint64_t k, uint64_t *items)
{
	struct part *pt = &r->sh->part[k];
	long ns = 10000;

	for (;;) {
		uint64_t v = atomic_load_explicit(&pt->items,
						  memory_order_acquire);
		uint32_t zero = 0;
		int rc;

		if (v) {
			*items = v - 1;
			return 0;
		}
		if (atomic_compare_exchange_strong(&pt->counter, &zero, 1)) {
			if ((rc = count_part(r, k)))
				return rc;
			continue;
		}
		nap(&ns);
	}
}

/* Runs part k, which this worker claimed: numbered after the items of
 * the parts before it, read batch by batch, its items published. */
static int run_part(struct reader *r, uint64_t k)
{
	const struct bench_workload *wl = r->ctx->wl;
	struct part *pt = &r->sh->part[k];
	uint64_t ran = 0, none = 0;
	struct bench_task batch;
	int rc = 0;

	if (k < r->known)
		r->known = r->before = 0;
	while (rc == 0 && r->known < k) {
		uint64_t items = 0;

		rc = items_of(r, r->known++, &items);
		r->before += items;
	}
	if (rc)
		return rc;
	atomic_store_explicit(&r->s->count, 0, memory_order_relaxed);
	atomic_store_explicit(&r->s->task, k + 1, memory_order_release);
	if (crash_here(r->ctx, k))
		abort();
	if ((rc = wl->split(r->ctx->state, (unsigned)k, (unsigned)r->sh->parts,
			    NULL, r->e)))
		return rc;
	wl->split_first(r->ctx->state, r->before);
	while ((rc = wl->next_batch(r->ctx->state, r->ctx->src->chunk, &batch,
				    r->e)) == 1) {
		atomic_store_explicit(&r->s->first, batch.first,
				      memory_order_relaxed);
		atomic_store_explicit(&r->s->count, batch.count,
				      memory_order_release);
		batch.index = k;
		/* This worker owns the part's reader, so a padded batch
		 * runs where it lies. */
		if ((!(wl->flags & BENCH_WL_PADDED) || !batch.len) &&
		    (rc = pad_batch(&batch, &r->buf, &r->cap, r->e)))
			return rc;
		if ((rc = bench_task_run(wl, r->ctx->state, &batch,
					 r->s->partial, r->e)))
			return rc;
		ran += batch.count;
		r->s->tasks++;
	}
	if (rc < 0)
		return rc;
	/* Reading the part counted it: whoever runs the part after this one
	 * need not. */
	atomic_compare_exchange_strong_explicit(&pt->items, &none, ran + 1,
						memory_order_release,
						memory_order_relaxed);
	return 0;
}

/*
 * Worker w of n starts at its home part, w/n of the way into the stream,
 * and runs the parts from there on that no one has claimed, then those
 * before it. Before its first, it counts the parts before its home from
 * the nearest down, skipping any another worker counts already, so the
 * workers further on share that counting; worker 0 counts nothing. Once
 * running, a worker mostly follows its own parts, whose items it knows
 * from reading them, and counts a part only where it overtakes another
 * worker: the stream is read about 1 + (n - 1) / n times, not twice.
 */
static int run_parts(const struct bench_exec_ctx *ctx, const struct shm *sh,
		     unsigned w, struct bench_err *e)
{
	uint64_t parts = sh->parts;
	uint64_t home = parts * w / ctx->opts->workers;
	struct reader r = { .ctx = ctx, .sh = sh, .s = &sh->slots[w], .e = e };
	int rc = reopen_inherited(e);

	for (uint64_t k = home; rc == 0 && k-- > 0;) {
		uint32_t zero = 0;

		if (!atomic_load(&sh->part[k].items) &&
		    atomic_compare_exchange_strong(&sh->part[k].counter, &zero, 1))
			rc = count_part(&r, k);
	}
	for (uint64_t i = 0; rc == 0 && i < parts; i++) {
		uint64_t k = (home + i) % parts;

		if (!atomic_exchange(&sh->part[k].runner, 1))
			rc = run_part(&r, k);
	}
	free(r.buf);
	return rc;
}

static void __attribute__((noreturn))
worker_main(struct bench__pool *pool, unsigned w, int fd)
{
	const struct shm *sh = pool->impl;
	struct slot *s = &sh->slots[w];
	struct bench_err e = { 0 };
	int rc;

	/* fd stays open, unused, until _exit: its end of file tells the
	 * parent this worker has ended. */
	(void)fd;
	rc = sh->parts ? run_parts(pool->ctx, sh, w, &e) :
			 run_tasks(pool->ctx, sh, s, &e);
	if (rc) {
		s->status = rc;
		snprintf(s->msg, sizeof(s->msg), "%s", e.msg);
	}
	_exit(0);
}

/* ---- in the parent ---------------------------------------------------- */

/* Worker w's socket reached end of file: reaps it and says how it went. */
static int ended(struct bench__pool *pool, const struct shm *sh, unsigned w)
{
	struct bench_exec_ctx *ctx = pool->ctx;
	struct bench__proc *p = &pool->procs[w];
	const struct slot *s = &sh->slots[w];
	uint64_t task, first, count;
	char doing[160] = "";

	close(p->fd);
	p->fd = -1;
	bench__pool_reap(pool, p);
	if (WIFEXITED(p->status) && WEXITSTATUS(p->status) == 0) {
		if (s->status)
			return bench_err_set(ctx->err, s->status,
					     "process worker %u (pid %d): %.*s",
					     w + 1, (int)p->pid,
					     (int)sizeof(s->msg), s->msg);
		return 0;
	}
	task = atomic_load_explicit(&s->task, memory_order_acquire);
	count = atomic_load_explicit(&s->count, memory_order_acquire);
	first = atomic_load_explicit(&s->first, memory_order_relaxed);
	if (task && !sh->parts) {
		first = (task - 1) * ctx->src->chunk;
		count = ctx->src->items - first < ctx->src->chunk ?
				ctx->src->items - first : ctx->src->chunk;
		snprintf(doing, sizeof(doing),
			 " while running task %llu (items %llu..%llu)",
			 (unsigned long long)(task - 1),
			 (unsigned long long)first,
			 (unsigned long long)(first + count - 1));
	} else if (task && atomic_load(&s->counting)) {
		snprintf(doing, sizeof(doing),
			 " while counting the items of part %llu of %llu",
			 (unsigned long long)(task - 1),
			 (unsigned long long)sh->parts);
	} else if (task && count) {
		snprintf(doing, sizeof(doing),
			 " while running part %llu of %llu (items %llu..%llu)",
			 (unsigned long long)(task - 1),
			 (unsigned long long)sh->parts,
			 (unsigned long long)first,
			 (unsigned long long)(first + count - 1));
	} else if (task) {
		snprintf(doing, sizeof(doing),
			 " on part %llu of %llu, before its first batch",
			 (unsigned long long)(task - 1),
			 (unsigned long long)sh->parts);
	}
	return bench__pool_died(pool, w, doing);
}

/* Waits until every worker has ended, or one failed, or a cancel. */
static int await_workers(struct bench__pool *pool, const struct shm *sh)
{
	struct pollfd *fds = calloc(pool->n, sizeof(*fds));
	unsigned *who = calloc(pool->n, sizeof(*who));
	unsigned left = pool->n;
	int rc = 0;

	if (!fds || !who)
		rc = bench_err_set(pool->ctx->err, BENCH_ENOMEM,
				   "cannot allocate poll set");
	while (rc == 0 && left) {
		nfds_t nfds = 0;
		int ready;

		for (unsigned w = 0; w < pool->n; w++) {
			if (pool->procs[w].fd < 0)
				continue;
			fds[nfds] = (struct pollfd){ pool->procs[w].fd, POLLIN, 0 };
			who[nfds++] = w;
		}
		if (bench_canceled()) {
			rc = bench_err_set(pool->ctx->err, BENCH_ECANCELED,
					   "interrupted");
			break;
		}
		/* Bounded: a cancel landing just before poll() is seen. */
		ready = poll(fds, nfds, BENCH__PROC_POLL_MS);
		if (ready < 0 && errno != EINTR)
			rc = bench_err_set(pool->ctx->err, BENCH_ESYS,
					   "poll: %s", strerror(errno));
		for (nfds_t i = 0; ready > 0 && i < nfds && rc == 0; i++) {
			if (!fds[i].revents)
				continue;
			rc = ended(pool, sh, who[i]);
			left--;
		}
	}
	free(fds);
	free(who);
	return rc;
}

int bench__process_shm_run(struct bench__pool *pool)
{
	struct bench_exec_ctx *ctx = pool->ctx;
	unsigned n = ctx->opts->workers;
	struct shm sh = { 0 };
	size_t slots_at = CACHE_LINE, parts_at;
	int rc;

	if (ctx->wl->next_batch)
		sh.parts = (uint64_t)n * PARTS_PER_WORKER < PARTS_MAX ?
				   (uint64_t)n * PARTS_PER_WORKER : PARTS_MAX;
	parts_at = slots_at + (size_t)n * sizeof(struct slot);
	sh.map_len = parts_at + (size_t)sh.parts * sizeof(struct part);
	sh.map = mmap(NULL, sh.map_len, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh.map == MAP_FAILED)
		return bench_err_set(ctx->err, BENCH_ESYS,
				     "cannot map %zu bytes shared by the process workers: %s",
				     sh.map_len, strerror(errno));
	/* A fresh anonymous mapping is zeros: no claim, no slot task, no
	 * part claimed or counted. */
	sh.next = sh.map;
	sh.slots = (struct slot *)((char *)sh.map + slots_at);
	sh.part = (struct part *)(void *)((char *)sh.map + parts_at);
	for (unsigned w = 0; w < n; w++)
		ctx->wl->partial_init(sh.slots[w].partial);
	pool->impl = &sh;
	rc = bench__pool_start(pool, worker_main, 0);
	if (rc == 0)
		rc = await_workers(pool, &sh);
	for (unsigned w = 0; rc == 0 && w < n; w++) {
		ctx->wl->merge(ctx->result, sh.slots[w].partial);
		ctx->tasks += sh.slots[w].tasks;
	}
	pool->impl = NULL;
	munmap(sh.map, sh.map_len);
	return rc;
}
