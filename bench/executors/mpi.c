/*
 * mpi.c - the mpi executor: the ranks of an Open MPI job, and joining one.
 *
 * A sample runs on the first `workers` ranks of the job (a communicator
 * per worker count, made on first use): a barrier, then each rank runs
 * its share one task after another, then the partials are reduced onto
 * rank 0 with an MPI reduction whose operation is the workload's merge().
 * Rank 0 times the sample from the barrier to the reduction's end.
 *
 *   indexed sources   tasks split into `workers` contiguous runs;
 *   streaming         the workload's split(): byte ranges of the input
 *                     cut at line starts, each rank reading only its
 *                     own; an exclusive scan of the ranks' line counts
 *                     numbers each part's lines as a whole pass would;
 *   stages            each stage split as above; between stages the
 *                     workload's exchange() moves what a stage left to
 *                     the ranks that read it (wordcount's shuffle);
 *   dependencies      items in serial's order dealt round-robin to the
 *                     ranks; an item's output (item_out) is sent to every
 *                     other rank running one of its dependents.
 *
 * Waiting never spins: Open MPI's blocking calls poll in a busy loop,
 * which on an oversubscribed machine takes the CPU from the ranks (and
 * from the thread pools rank 0 runs in the same job) doing real work. So
 * every call here is the nonblocking one, tested with naps in between.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

#include "bench/executor.h"

/* The executor's line for `bench list` and its note on launch times. */
#define SUMMARY "the ranks of an Open MPI job, items split among them, partials reduced"
#define LAUNCH_NOTE "mpi: ranks started by mpirun in %s, not timed; a sample runs from a barrier to the reduction of the partials on rank 0"

static int mpi_launched(void)
{
	/* Open MPI's mpirun sets the first; PMIx launchers the others. */
	return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") ||
	       getenv("PMI_RANK");
}

#ifndef BENCH_HAVE_MPI

#define NO_MPI "bench was built without Open MPI: install it (make deps, or apt-get install openmpi-bin libopenmpi-dev) and rebuild (make)"

static int mpi_can_launch(struct bench_err *err)
{
	return bench_err_set(err, BENCH_EINVAL, "--mode mpi: %s", NO_MPI);
}

static int mpi_job(struct bench_job *job)
{
	(void)job;
	return 0;
}

static int mpi_check(unsigned workers, struct bench_err *err)
{
	(void)workers;
	return bench_err_set(err, BENCH_EINVAL,
			     "mode mpi runs inside an MPI job: bench run and bench scale start one with mpirun");
}

static void mpi_fini(void)
{
}

static int mpi_init(int *argc, char ***argv, struct bench_err *err)
{
	(void)argc;
	(void)argv;
	if (!mpi_launched())
		return 0;
	return bench_err_set(err, BENCH_EINVAL, "mode mpi: %s", NO_MPI);
}

static int mpi_sample(const struct bench_workload *wl, void *state,
		      const struct bench_exec_opts *opts,
		      struct bench_sample *out, struct bench_err *err)
{
	(void)wl;
	(void)state;
	(void)opts;
	(void)out;
	return bench_err_set(err, BENCH_EINVAL, "mode mpi: %s", NO_MPI);
}

static int mpi_agree(int rc, struct bench_err *err)
{
	(void)err;
	return rc;
}

#else

#include <mpi.h>

static struct {
	int active;
	int rank, size;
	bench_ns launch_ns;
	MPI_Comm *comm;          /* [w]: the first w ranks; NULL_COMM if
				    this rank is not among them */
	unsigned char *made;     /* [w]: comm[w] exists */
	int peer_failed;         /* the last sample failed elsewhere first */
} mpi;

static int mpi_can_launch(struct bench_err *err)
{
	(void)err;
	return 0;
}

static int mpi_job(struct bench_job *job)
{
	if (!mpi.active)
		return 0;
	job->rank = (unsigned)mpi.rank;
	job->size = (unsigned)mpi.size;
	job->launch_ns = mpi.launch_ns;
	return 1;
}

static int mpi_check(unsigned workers, struct bench_err *err)
{
	if (!mpi.active)
		return bench_err_set(err, BENCH_EINVAL,
				     "mode mpi runs inside an MPI job: bench run and bench scale start one with mpirun");
	if (workers > (unsigned)mpi.size)
		return bench_err_set(err, BENCH_EINVAL,
				     "--workers %u for mode mpi but mpirun started %d ranks",
				     workers, mpi.size);
	return 0;
}

/* Waits for req: a short spin (the common case is a peer a few
 * microseconds behind), then naps from 20 us doubling up to 1 ms. */
static int await(MPI_Request *req)
{
	bench_ns t0 = bench_clock_now();
	long nap = 20000;

	for (;;) {
		int done = 0;

		if (MPI_Test(req, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS)
			return -1;
		if (done)
			return 0;
		if (bench_clock_now() - t0 < 200000)
			continue;
		nanosleep(&(struct timespec){ 0, nap }, NULL);
		if (nap < 1000000)
			nap *= 2;
	}
}

static int mpi_fail(struct bench_err *err, const char *what)
{
	return bench_err_set(err, BENCH_EWORKER, "mpi: %s failed on rank %d",
			     what, mpi.rank);
}

static bench_ns realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (bench_ns)ts.tv_sec * BENCH_NS_PER_S + ts.tv_nsec;
}

static int mpi_init(int *argc, char ***argv, struct bench_err *err)
{
	const char *launched = getenv(BENCH_LAUNCH_ENV);
	MPI_Request req;
	int provided;

	if (mpi.active || !mpi_launched())
		return 0;
	/* Rank 0's thread pool never calls MPI: funneled is enough. */
	if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) !=
	    MPI_SUCCESS)
		return bench_err_set(err, BENCH_ESYS, "mpi: MPI_Init failed");
	MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
	MPI_Comm_rank(MPI_COMM_WORLD, &mpi.rank);
	MPI_Comm_size(MPI_COMM_WORLD, &mpi.size);
	mpi.comm = calloc((size_t)mpi.size + 1, sizeof(*mpi.comm));
	mpi.made = calloc((size_t)mpi.size + 1, 1);
	if (!mpi.comm || !mpi.made) {
		MPI_Finalize();
		return bench_err_set(err, BENCH_ENOMEM, "out of memory");
	}
	/* Launched once every rank is here. */
	if (MPI_Ibarrier(MPI_COMM_WORLD, &req) != MPI_SUCCESS || await(&req)) {
		MPI_Finalize();
		return mpi_fail(err, "the first barrier");
	}
	if (launched && *launched) {
		long long t = strtoll(launched, NULL, 10);

		if (t > 0 && realtime_ns() > (bench_ns)t)
			mpi.launch_ns = realtime_ns() - t;
	}
	mpi.active = 1;
	return 0;
}

static void mpi_fini(void)
{
	if (!mpi.active)
		return;
	for (int w = 1; w <= mpi.size; w++)
		if (mpi.made[w] && mpi.comm[w] != MPI_COMM_NULL)
			MPI_Comm_free(&mpi.comm[w]);
	free(mpi.comm);
	free(mpi.made);
	mpi.active = 0;
	MPI_Finalize();
}

/* The first w ranks; MPI_COMM_NULL on the others. Collective over the
 * whole job the first time: the harness calls every mpi case on every
 * rank, in the same order. */
static int comm_for(unsigned w, MPI_Comm *comm, struct bench_err *err)
{
	if (!mpi.made[w]) {
		if (MPI_Comm_split(MPI_COMM_WORLD,
				   mpi.rank < (int)w ? 0 : MPI_UNDEFINED,
				   mpi.rank, &mpi.comm[w]) != MPI_SUCCESS)
			return mpi_fail(err, "MPI_Comm_split");
		mpi.made[w] = 1;
	}
	*comm = mpi.comm[w];
	return 0;
}

static int mpi_agree(int rc, struct bench_err *err)
{
	struct {
		int rc;
		char msg[sizeof(err->msg)];
	} m = { 0 };
	MPI_Request req;
	int key, first;

	if (!mpi.active)
		return rc;
	/* Lowest rank that failed on its own; a rank that only stopped
	 * because another failed ranks after every rank that failed. */
	key = rc == 0 ? 2 * mpi.size :
	      mpi.peer_failed ? mpi.size + mpi.rank : mpi.rank;
	mpi.peer_failed = 0;
	if (MPI_Iallreduce(&key, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD,
			   &req) != MPI_SUCCESS || await(&req))
		return mpi_fail(err, "agreeing on a sample");
	if (first == 2 * mpi.size)
		return 0;
	if (first >= mpi.size)
		first -= mpi.size;
	if (mpi.rank == first) {
		m.rc = rc;
		snprintf(m.msg, sizeof(m.msg), "%s", err->msg);
	}
	if (MPI_Ibcast(&m, sizeof(m), MPI_BYTE, first, MPI_COMM_WORLD, &req) !=
		    MPI_SUCCESS || await(&req))
		return mpi_fail(err, "agreeing on a sample");
	err->code = m.rc;
	if (first != 0 && strncmp(m.msg, "rank ", 5) != 0)
		snprintf(err->msg, sizeof(err->msg), "rank %d: %.490s", first,
			 m.msg);
	else
		snprintf(err->msg, sizeof(err->msg), "%s", m.msg);
	return m.rc;
}

/* ---- one sample -------------------------------------------------------- */

#define STAGES_MAX 8

struct mpi_run {
	const struct bench_workload *wl;
	void *state;
	const struct bench_exec_opts *opts;
	MPI_Comm comm;
	int rank, size;
	uint64_t items[STAGES_MAX];  /* per stage so far: items, chunk */
	uint64_t chunk[STAGES_MAX];
	struct bench_exec_ctx ctx;  /* result: this rank's partial */
};

/* First task of rank r when ntasks are cut into size contiguous runs
 * (tasks and ranks are small enough that the product fits 64 bits). */
static uint64_t share_lo(uint64_t ntasks, int r, int size)
{
	return ntasks * (unsigned)r / (unsigned)size;
}

static unsigned owner_of_task(uint64_t ntasks, int size, uint64_t t)
{
	int r = (int)(t * (unsigned)size / (ntasks ? ntasks : 1));

	while (r + 1 < size && share_lo(ntasks, r + 1, size) <= t)
		r++;
	while (r > 0 && share_lo(ntasks, r, size) > t)
		r--;
	return (unsigned)r;
}

static unsigned comm_owner(const struct bench_comm *bc, unsigned stage,
			   uint64_t item)
{
	const struct mpi_run *run = bc->impl;
	uint64_t chunk = run->chunk[stage], items = run->items[stage];

	return owner_of_task(items / chunk + (items % chunk != 0), run->size,
			     item / chunk);
}

static int comm_alltoallv(const struct bench_comm *bc, const void *send,
			  const size_t *sendlen, void **recv, size_t *recvlen,
			  struct bench_err *err)
{
	const struct mpi_run *run = bc->impl;
	int n = run->size, *sc = calloc((size_t)n * 4, sizeof(int));
	int *sd = sc + n, *rc = sc + 2 * n, *rd = sc + 3 * n;
	size_t total = 0, rtotal = 0;
	MPI_Request req;
	int status = 0;

	*recv = NULL;
	if (!sc)
		return bench_err_set(err, BENCH_ENOMEM, "out of memory");
	for (int r = 0; r < n; r++) {
		if (sendlen[r] > (size_t)INT_MAX - total) {
			free(sc);
			return bench_err_set(err, BENCH_EINVAL,
					     "mpi: an exchange of over 2 GiB from one rank");
		}
		sc[r] = (int)sendlen[r];
		sd[r] = (int)total;
		total += sendlen[r];
	}
	if (MPI_Ialltoall(sc, 1, MPI_INT, rc, 1, MPI_INT, run->comm, &req) !=
		    MPI_SUCCESS || await(&req)) {
		free(sc);
		return mpi_fail(err, "MPI_Alltoall");
	}
	for (int r = 0; r < n; r++) {
		rd[r] = (int)rtotal;
		rtotal += (size_t)rc[r];
		recvlen[r] = (size_t)rc[r];
	}
	if (rtotal > INT_MAX)
		status = bench_err_set(err, BENCH_EINVAL,
				       "mpi: an exchange of over 2 GiB to one rank");
	else if (!(*recv = malloc(rtotal ? rtotal : 1)))
		status = bench_err_set(err, BENCH_ENOMEM, "out of memory");
	/* Every rank must still take part once sizes are known. */
	if (MPI_Ialltoallv(send, sc, sd, MPI_BYTE, status ? NULL : *recv,
			   status ? sc : rc, rd, MPI_BYTE, run->comm, &req) !=
		    MPI_SUCCESS || await(&req))
		status = status ? status : mpi_fail(err, "MPI_Alltoallv");
	free(sc);
	if (status) {
		free(*recv);
		*recv = NULL;
	}
	return status;
}

/* After each step every rank of the sample knows whether all went well:
 * a rank whose work went fine stops too when another's did not. */
static int step_agree(struct mpi_run *run, int rc, struct bench_err *err)
{
	int mine = rc != 0, any = 0;
	MPI_Request req;

	if (MPI_Iallreduce(&mine, &any, 1, MPI_INT, MPI_MAX, run->comm, &req) !=
		    MPI_SUCCESS || await(&req))
		return rc ? rc : mpi_fail(err, "MPI_Allreduce");
	if (any && !rc) {
		mpi.peer_failed = 1;
		return bench_err_set(err, BENCH_EWORKER,
				     "mpi: another rank failed");
	}
	return rc;
}

/* The tests' crash injector, as in the process pool: the rank that owns
 * task `crash_task` dies on it. */
static void maybe_crash(const struct mpi_run *run, uint64_t lo, uint64_t hi)
{
	const struct bench_exec_opts *o = run->opts;

	if (o->crash_set && o->crash_task >= 0 &&
	    (uint64_t)o->crash_task >= lo && (uint64_t)o->crash_task < hi)
		abort();
}

/* A rank runs its share one task after another, as the reference
 * executor (serial) does. */
static int one_by_one(struct bench_exec_ctx *ctx)
{
	return bench_executor_with(BENCH_EXEC_REFERENCE)->run(ctx);
}

/* Indexed sources: this rank's run of tasks, one after another. */
static int run_indexed(struct mpi_run *run, struct bench_source *src)
{
	uint64_t lo = share_lo(src->ntasks, run->rank, run->size);
	uint64_t hi = share_lo(src->ntasks, run->rank + 1, run->size);

	maybe_crash(run, lo, hi);
	atomic_store(&src->next, lo);
	src->ntasks = hi;
	run->ctx.src = src;
	return one_by_one(&run->ctx);
}

/* Streaming sources: this rank's byte range, its lines numbered after
 * the lines of the ranges before it. */
static int run_stream(struct mpi_run *run, struct bench_source *src,
		      uint64_t *items)
{
	const struct bench_workload *wl = run->wl;
	struct bench_err *err = run->ctx.err;
	uint64_t mine = 0, first = 0;
	MPI_Request req;
	int rc;

	if (!wl->split || !wl->split_first)
		rc = bench_err_set(err, BENCH_EINVAL,
				   "%s cannot be split among MPI ranks", wl->name);
	else
		rc = wl->split(run->state, (unsigned)run->rank,
			       (unsigned)run->size, &mine, err);
	if ((rc = step_agree(run, rc, err)))
		return rc;
	if (MPI_Iexscan(&mine, &first, 1, MPI_UINT64_T, MPI_SUM, run->comm,
			&req) != MPI_SUCCESS || await(&req))
		return mpi_fail(err, "MPI_Exscan");
	if (run->rank == 0)
		first = 0; /* undefined on rank 0 */
	wl->split_first(run->state, first);
	*items = mine;
	maybe_crash(run, (uint64_t)run->rank, (uint64_t)run->rank + 1);
	run->ctx.src = src;
	return one_by_one(&run->ctx);
}

/* Dependency sources: serial's order dealt round-robin; each item's
 * output goes to every other rank running one of its dependents. */
static int run_dag(struct mpi_run *run, struct bench_source *src)
{
	const struct bench_workload *wl = run->wl;
	struct bench_err *err = run->ctx.err;
	uint64_t n = src->items, deps[BENCH_DEPS_MAX];
	uint64_t *order = malloc((n ? n : 1) * sizeof(*order));
	int *owner = malloc((n ? n : 1) * sizeof(*owner));
	unsigned char *have = calloc(n ? n : 1, 1);
	unsigned char *sent_to = calloc((size_t)run->size, 1);
	MPI_Request *sends = NULL;
	size_t nsends = 0, cap = 0;
	int *tag_ub = NULL, flag = 0, rc = 0;

	if (!order || !owner || !have || !sent_to) {
		rc = bench_err_set(err, BENCH_ENOMEM, "out of memory");
		goto out;
	}
	MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_TAG_UB, &tag_ub, &flag);
	if (flag && tag_ub && n > (uint64_t)*tag_ub) {
		rc = bench_err_set(err, BENCH_EINVAL,
				   "mpi: a graph of %llu items is more than MPI tags can name",
				   (unsigned long long)n);
		goto out;
	}
	bench_source_order(src, order);
	for (uint64_t k = 0; k < n; k++)
		owner[order[k]] = (int)(k % (uint64_t)run->size);
	for (uint64_t k = (uint64_t)run->rank; rc == 0 && k < n;
	     k += (uint64_t)run->size) {
		uint64_t item = order[k];
		unsigned nd = wl->deps(run->state, item, deps);
		struct bench_task task = { k, item, 1, NULL, 0 };
		size_t len;
		void *out;

		maybe_crash(run, k, k + 1);
		for (unsigned d = 0; d < nd; d++) {
			MPI_Request req;

			if (owner[deps[d]] == run->rank || have[deps[d]])
				continue;
			out = wl->item_out(run->state, deps[d], &len);
			if (MPI_Irecv(out, (int)len, MPI_BYTE, owner[deps[d]],
				      (int)deps[d], run->comm, &req) != MPI_SUCCESS ||
			    await(&req)) {
				rc = mpi_fail(err, "receiving a dependency");
				break;
			}
			have[deps[d]] = 1;
		}
		if (rc)
			break;
		if (bench_canceled()) {
			rc = bench_err_set(err, BENCH_ECANCELED, "interrupted");
			break;
		}
		if ((rc = bench_task_run(wl, run->state, &task, run->ctx.result,
					  err)))
			break;
		run->ctx.tasks++;
		memset(sent_to, 0, (size_t)run->size);
		out = wl->item_out(run->state, item, &len);
		for (uint64_t e = src->after_at[item];
		     e < src->after_at[item + 1]; e++) {
			int to = owner[src->after[e]];

			if (to == run->rank || sent_to[to])
				continue;
			sent_to[to] = 1;
			if (nsends == cap) {
				MPI_Request *more = realloc(sends, (cap * 2 + 16) *
								   sizeof(*sends));

				if (!more) {
					rc = bench_err_set(err, BENCH_ENOMEM,
							   "out of memory");
					break;
				}
				sends = more;
				cap = cap * 2 + 16;
			}
			if (MPI_Isend(out, (int)len, MPI_BYTE, to, (int)item,
				      run->comm, &sends[nsends]) != MPI_SUCCESS) {
				rc = mpi_fail(err, "sending a result");
				break;
			}
			nsends++;
		}
	}
	for (size_t i = 0; i < nsends; i++)
		if (await(&sends[i]) && !rc)
			rc = mpi_fail(err, "sending a result");
out:
	free(sends);
	free(sent_to);
	free(have);
	free(owner);
	free(order);
	return rc;
}

/* The reduction's operation: the workload's merge, over partials. */
static const struct bench_workload *reducing;

static void merge_op(void *in, void *inout, int *len, MPI_Datatype *type)
{
	/* MPI's buffers carry no alignment promise; the workloads cast. */
	BENCH_PARTIAL_ALIGN unsigned char a[BENCH_PARTIAL_MAX], b[BENCH_PARTIAL_MAX];
	size_t size = reducing->partial_size;

	(void)type;
	for (int i = 0; i < *len; i++) {
		memcpy(a, (char *)inout + (size_t)i * size, size);
		memcpy(b, (char *)in + (size_t)i * size, size);
		reducing->merge(a, b);
		memcpy((char *)inout + (size_t)i * size, a, size);
	}
}

/* Partials onto rank 0 (into out->result), then the counts. */
static int reduce(struct mpi_run *run, unsigned char *partial,
		  struct bench_sample *out, uint64_t items, bench_ns cpu,
		  struct bench_err *err)
{
	uint64_t sums[3] = { (uint64_t)cpu, run->ctx.tasks, items }, tot[3];
	uint64_t rss, maxrss = 0;
	struct rusage self;
	MPI_Datatype type;
	MPI_Op op;
	MPI_Request req;
	int rc = 0;

	MPI_Type_contiguous((int)run->wl->partial_size, MPI_BYTE, &type);
	MPI_Type_commit(&type);
	MPI_Op_create(merge_op, 1, &op);
	reducing = run->wl;
	if (MPI_Ireduce(partial, out->result, 1, type, op, 0, run->comm, &req) !=
		    MPI_SUCCESS || await(&req))
		rc = mpi_fail(err, "reducing the partial results");
	MPI_Op_free(&op);
	MPI_Type_free(&type);
	if (rc)
		return rc;
	out->wall_ns = run->rank == 0 ? bench_clock_now() - out->wall_ns : 0;
	getrusage(RUSAGE_SELF, &self);
	rss = (uint64_t)self.ru_maxrss;
	if (MPI_Ireduce(sums, tot, 3, MPI_UINT64_T, MPI_SUM, 0, run->comm,
			&req) != MPI_SUCCESS || await(&req) ||
	    MPI_Ireduce(&rss, &maxrss, 1, MPI_UINT64_T, MPI_MAX, 0, run->comm,
			&req) != MPI_SUCCESS || await(&req))
		return mpi_fail(err, "reducing the sample's counts");
	if (run->rank == 0) {
		out->cpu_ns = (bench_ns)tot[0];
		out->tasks = tot[1];
		out->items = tot[2];
		out->maxrss_kb = maxrss;
	}
	return 0;
}

/* The stages, each split among the ranks; the partial in ctx.result. */
static int run_stages(struct mpi_run *run, uint64_t *items)
{
	const struct bench_workload *wl = run->wl;
	struct bench_err *err = run->ctx.err;
	unsigned stages = wl->stages > 1 ? wl->stages : 1;
	struct bench_comm bc = { (unsigned)run->rank, (unsigned)run->size,
				 comm_owner, comm_alltoallv, run };
	int rc = 0;

	if (stages > STAGES_MAX)
		return bench_err_set(err, BENCH_EINVAL,
				     "%s: %u stages, mpi runs at most %d",
				     wl->name, stages, STAGES_MAX);
	for (unsigned stage = 0; stage < stages && rc == 0; stage++) {
		struct bench_source src;
		uint64_t chunk = stage ? 1 : run->opts->chunk;
		int have_src = 0;

		if (wl->stage_begin)
			rc = wl->stage_begin(run->state, stage, err);
		run->items[stage] = wl->next_batch ? 0 : wl->item_count(run->state);
		run->chunk[stage] = chunk;
		if (rc == 0 && stage > 0 && wl->exchange)
			rc = wl->exchange(run->state, stage, &bc, err);
		if (rc == 0) {
			rc = bench_source_init(&src, wl, run->state, chunk, err);
			have_src = 1;
		}
		if (rc == 0)
			rc = src.dag ? run_dag(run, &src) :
			     wl->next_batch ? run_stream(run, &src, items) :
			     run_indexed(run, &src);
		if (have_src)
			bench_source_release(&src);
		rc = step_agree(run, rc, err);
	}
	if (wl->next_batch && wl->split) {
		int undo = wl->split(run->state, 0, 1, NULL, err);

		rc = rc ? rc : undo;
	}
	if (stages > 1) {
		int undo = wl->stage_begin(run->state, 0, err);

		rc = rc ? rc : undo;
	}
	return rc;
}

static int mpi_sample(const struct bench_workload *wl, void *state,
		      const struct bench_exec_opts *opts,
		      struct bench_sample *out, struct bench_err *err)
{
	BENCH_PARTIAL_ALIGN unsigned char partial[BENCH_PARTIAL_MAX];
	struct mpi_run run = { .wl = wl, .state = state, .opts = opts };
	uint64_t items = 0;
	bench_ns cpu0;
	MPI_Request req;
	int rc;

	if (!mpi.active)
		return bench_err_set(err, BENCH_EINVAL,
				     "mode mpi runs inside an MPI job: `bench run %s --mode mpi` starts one with mpirun",
				     wl->name);
	if (opts->workers > (unsigned)mpi.size)
		return bench_err_set(err, BENCH_EINVAL,
				     "--workers %u but the MPI job has %d ranks",
				     opts->workers, mpi.size);
	memset(out, 0, sizeof(*out));
	wl->partial_init(out->result);
	if ((rc = comm_for(opts->workers, &run.comm, err)))
		return rc;
	if (run.comm == MPI_COMM_NULL)
		return 0; /* not among this case's ranks */
	MPI_Comm_rank(run.comm, &run.rank);
	MPI_Comm_size(run.comm, &run.size);
	wl->partial_init(partial);
	run.ctx = (struct bench_exec_ctx){ .wl = wl, .state = state,
					    .opts = opts, .result = partial,
					    .err = err };

	if (MPI_Ibarrier(run.comm, &req) != MPI_SUCCESS || await(&req))
		return mpi_fail(err, "the starting barrier");
	cpu0 = bench_clock_process_cpu();
	out->wall_ns = bench_clock_now(); /* reduce() makes it a duration */
	if ((rc = run_stages(&run, &items)))
		return rc;
	if ((rc = reduce(&run, partial, out, items,
			 bench_clock_process_cpu() - cpu0, err)))
		return rc;
	if (run.rank == 0 && wl->check)
		rc = wl->check(state, out->result, err);
	return rc;
}

#endif

const struct bench_executor bench_executor_mpi = {
	.name = "mpi",
	.summary = SUMMARY,
	.flags = BENCH_EXEC_LAUNCHED,
	.workers_noun = "ranks", /* the default limit: a process each */
	.sample = mpi_sample,
	.check = mpi_check,
	.init = mpi_init,
	.fini = mpi_fini,
	.job = mpi_job,
	.agree = mpi_agree,
	.can_launch = mpi_can_launch,
	.launch_note = LAUNCH_NOTE,
};
