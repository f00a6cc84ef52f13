/*
 * count.c - the call counter of libbenchprof.so ($BENCH_PROF=count): the
 * hooks that code built with -finstrument-functions calls at every
 * function's entry and exit build each thread's call tree, one node per
 * path of calls (main -> middle -> leaf), with its calls and the time
 * spent in the function itself on that path (REC_NODES).
 *
 * Each thread keeps its own tree and stack in one mapping of its own
 * (made on its first call, listed globally so the file gets every
 * thread's), so a hook never locks. The calls still open when the file is
 * written are counted as ending then, as cProfile does when it stops.
 *
 * The design choice to know: the hooks' own cost is inside every time
 * they measure. It is measured when the profile starts (calibrate) and
 * taken out of each call as it ends, from that call's own time only,
 * clamped at zero; a function's cumulative time is then its own time plus
 * its callees', added up over the tree by the report. Every figure derived
 * from the tree (the table's cumtime, callgrind's inclusive costs, the
 * trace's durations, the collapsed stacks) adds up exactly: self + callees
 * = cumulative. Taking the cost out of cumulative and own times separately
 * cannot promise that: each is clamped on its own, and a function with a
 * thousand cheap calls below it could show less time than its callee.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"

/* What -finstrument-functions calls; no header declares them. */
void __cyg_profile_func_enter(void *fn, void *site);
void __cyg_profile_func_exit(void *fn, void *site);

#define STACK_MAX 1024          /* calls timed per thread; deeper ones are lost */
#define NODES_MAX (1u << 18)    /* call paths per thread */
#define SLOTS (1u << 19)        /* the (caller's node, fn) hash: twice NODES_MAX */
#define NONE UINT32_MAX         /* a call that is not in the tree */

struct frame {
	uint64_t fn;
	uint64_t t0;                /* ns: when its enter hook read the clock */
	uint64_t child_ns;          /* ns: raw time of the calls it made that ended */
	uint64_t child_calls;       /* the calls it made that ended */
	uint32_t node;              /* its node, NONE: left out of the tree */
	uint32_t pad;
};

/*
 * One thread's call tree and stack: one mapping, reserved, not committed,
 * its two big arrays first so that they start on page boundaries and a
 * fork's child can drop them with madvise().
 */
struct tree {
	uint32_t slot[SLOTS];       /* node index + 1 by (parent, fn); 0: empty */
	struct prof_node node[NODES_MAX];
	struct frame stack[STACK_MAX];
	uint64_t open_self[STACK_MAX]; /* the save's scratch: open calls' own ns */
	struct tree *next;          /* every thread's, newest first */
	uint32_t tid;
	uint32_t nnodes;            /* written with release, read by the save */
	uint32_t depth;             /* calls open, those past STACK_MAX too */
	uint32_t pad;
	uint64_t lost;              /* calls left out: too deep, or tree full */
};

static struct tree *_Atomic all_trees;
static TLS struct tree *my_tree;
static uint64_t pair_ns;        /* an enter and an exit hook, all of them */
static uint64_t inside_ns;      /* the part of them inside a call's own time */
static int cost_set;            /* pair_ns from $BENCH_PROF_HOOK_NS */

static struct tree *tree_of_thread(void)
{
	struct tree *t = my_tree;

	if (t)
		return t;
	t = mmap(NULL, sizeof(*t), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (t == MAP_FAILED)
		return NULL;
	t->tid = (uint32_t)prof__tid();
	prof__name_thread((pid_t)t->tid);
	t->next = atomic_load(&all_trees);
	while (!atomic_compare_exchange_weak(&all_trees, &t->next, t))
		;
	return my_tree = t;
}

static uint32_t slot_hash(uint32_t parent, uint64_t fn)
{
	return (uint32_t)(((fn ^ ((uint64_t)parent << 32)) * 0x9e3779b97f4a7c15ull) >> 45) &
	       (SLOTS - 1);
}

/* The node of fn called from the node parent, made on its first call
 * (*made set); NONE when the tree is full. */
static uint32_t node_of(struct tree *t, uint32_t parent, uint64_t fn, int *made)
{
	uint32_t h = slot_hash(parent, fn), n;

	for (uint32_t s; (s = t->slot[h]) != 0; h = (h + 1) & (SLOTS - 1))
		if (t->node[s - 1].fn == fn && t->node[s - 1].parent == parent)
			return s - 1;
	n = t->nnodes;
	if (n >= NODES_MAX)
		return NONE;
	t->node[n] = (struct prof_node){ fn, parent, 0, 0, 0, 0 };
	t->slot[h] = n + 1;
	__atomic_store_n(&t->nnodes, n + 1, __ATOMIC_RELEASE);
	*made = 1;
	return n;
}

/* Empties a tree: its pages go back, and read as zeros when touched again. */
static void reset_tree(struct tree *t)
{
	madvise(t->slot, sizeof(t->slot), MADV_DONTNEED);
	madvise(t->node, sizeof(t->node), MADV_DONTNEED);
	t->nnodes = 0;
	t->lost = 0;
}

/* A call's own time: its raw time less its callees' and the hooks' cost
 * inside it (part of its own pair, and each call it made, whole). */
static uint64_t own_ns(uint64_t incl, uint64_t child_ns, uint64_t child_calls)
{
	uint64_t raw = incl > child_ns ? incl - child_ns : 0;
	uint64_t hooks = inside_ns + (pair_ns - inside_ns) * child_calls;

	return raw > hooks ? raw - hooks : 0;
}

/* The call at depth d (< STACK_MAX) ends at now. */
static void end_call(struct tree *t, uint32_t d, uint64_t now)
{
	struct frame *f = &t->stack[d];
	uint64_t incl = now > f->t0 ? now - f->t0 : 0;

	if (f->node != NONE) {
		t->node[f->node].calls++;
		t->node[f->node].self_ns += own_ns(incl, f->child_ns, f->child_calls);
	}
	if (d > 0) {
		t->stack[d - 1].child_ns += incl;
		t->stack[d - 1].child_calls++;
	}
}

EXPORT void __cyg_profile_func_enter(void *fn, void *site)
{
	struct tree *t;
	struct frame *f;
	uint32_t d, node = NONE;
	int made = 0;

	(void)site;
	if (prof__kind != PROF_COUNT || prof__in_hook || !(t = tree_of_thread()))
		return;
	d = t->depth;
	if (d >= STACK_MAX) {
		t->lost++;
		__atomic_store_n(&t->depth, d + 1, __ATOMIC_RELEASE);
		return;
	}
	/* A call whose caller is not in the tree cannot be either. */
	if (d == 0 || t->stack[d - 1].node != NONE)
		node = node_of(t, d ? t->stack[d - 1].node : PROF_NODE_ROOT, (uint64_t)fn, &made);
	if (node == NONE)
		t->lost++;
	f = &t->stack[d];
	f->fn = (uint64_t)fn;
	f->node = node;
	f->child_ns = 0;
	f->child_calls = 0;
	f->t0 = prof__now_ns();
	if (made)
		t->node[node].first_ns = f->t0;
	__atomic_store_n(&t->depth, d + 1, __ATOMIC_RELEASE);
}

EXPORT void __cyg_profile_func_exit(void *fn, void *site)
{
	struct tree *t = my_tree;
	uint64_t now;
	uint32_t d;

	(void)site;
	if (prof__kind != PROF_COUNT || prof__in_hook || !t || t->depth == 0)
		return;
	now = prof__now_ns();
	d = t->depth - 1;
	if (d < STACK_MAX && t->stack[d].fn != (uint64_t)fn) {
		/* A longjmp or an exception skipped the exits of the calls
		 * above fn: they end now. An exit whose entry was never seen
		 * (fn not open at all) changes nothing. */
		uint32_t k = d;

		while (k > 0 && t->stack[k - 1].fn != (uint64_t)fn)
			k--;
		if (k == 0)
			return;
		for (; d >= k; d--)
			end_call(t, d, now);
	}
	if (d < STACK_MAX)
		end_call(t, d, now);
	__atomic_store_n(&t->depth, d, __ATOMIC_RELEASE);
}

/* What one enter/exit pair costs, and how much of that lands inside the
 * call's own time: measured on a throwaway function, in batches, keeping
 * the fastest batch (a batch the scheduler interrupted would inflate the
 * cost, and with it every time taken out). */
static char calib_fn;

static void calibrate(void)
{
	enum { BATCHES = 20, N = 5000 };
	struct tree *t = tree_of_thread();
	uint64_t best = UINT64_MAX, best_inside = 0, self = 0;
	const char *forced;

	if (!t || t->depth != 0 || t->nnodes != 0)
		return;
	pair_ns = inside_ns = 0;
	for (int b = 0; b < BATCHES; b++) {
		uint64_t t0 = prof__now_ns(), t1, now_self;

		for (int i = 0; i < N; i++) {
			__cyg_profile_func_enter(&calib_fn, NULL);
			__cyg_profile_func_exit(&calib_fn, NULL);
		}
		t1 = prof__now_ns();
		/* With no cost taken out yet, the node's own time is the raw
		 * time inside its calls. */
		now_self = t->nnodes ? t->node[0].self_ns : 0;
		if (t1 - t0 < best) {
			best = t1 - t0;
			best_inside = now_self - self;
		}
		self = now_self;
	}
	reset_tree(t);
	pair_ns = best / N;
	inside_ns = best_inside / N < pair_ns ? best_inside / N : pair_ns;
	/* $BENCH_PROF_HOOK_NS sets the cost instead (0: raw times), the part
	 * inside a call in the proportion measured. */
	if ((forced = getenv("BENCH_PROF_HOOK_NS")) && *forced) {
		char *end;
		unsigned long long v = strtoull(forced, &end, 10);

		if (*end == '\0' && v <= 1000000000ull) {
			inside_ns = pair_ns ? inside_ns * v / pair_ns : v / 2;
			pair_ns = v;
			cost_set = 1;
		}
	}
}

/* ---- the row ------------------------------------------------------------------ */

/* A fork's child counts its own calls only: the other threads' trees are
 * gone with their threads, and the calls open in the forking thread start
 * afresh, as new nodes timed from now. */
static void count_forked(void)
{
	struct tree *mine = my_tree, *next;
	uint64_t now = prof__now_ns();
	uint32_t top;

	for (struct tree *t = atomic_load(&all_trees); t; t = next) {
		next = t->next;
		if (t != mine)
			munmap(t, sizeof(*t));
	}
	atomic_store(&all_trees, mine);
	if (!mine)
		return;
	mine->next = NULL;
	reset_tree(mine);
	mine->tid = (uint32_t)prof__tid();
	prof__name_thread((pid_t)mine->tid);
	top = mine->depth < STACK_MAX ? mine->depth : STACK_MAX;
	for (uint32_t d = 0; d < top; d++) {
		struct frame *f = &mine->stack[d];
		int made = 0;

		f->node = d == 0 || mine->stack[d - 1].node != NONE ?
			  node_of(mine, d ? mine->stack[d - 1].node : PROF_NODE_ROOT, f->fn, &made) :
			  NONE;
		if (made)
			mine->node[f->node].first_ns = now;
		f->t0 = now;
		f->child_ns = 0;
		f->child_calls = 0;
	}
}

static void count_header(struct prof_header *h)
{
	h->overhead_ns = pair_ns;
	h->mechanism = (uint32_t)cost_set;
	for (struct tree *t = atomic_load(&all_trees); t; t = t->next)
		h->dropped += t->lost;
}

/*
 * One thread's tree as a REC_NODES record. Its open calls count as ending
 * now; they are added to the copies written, never to the tree, since a
 * failed exec resumes the profile. Another thread may still be running:
 * its figures are read as they are at this moment.
 */
static void save_tree(int fd, struct tree *t, uint64_t now)
{
	uint32_t n = __atomic_load_n(&t->nnodes, __ATOMIC_ACQUIRE);
	uint32_t depth = __atomic_load_n(&t->depth, __ATOMIC_ACQUIRE);
	uint32_t top = depth < STACK_MAX ? depth : STACK_MAX, d = 0, head[2] = { t->tid, n };
	uint64_t above = 0;
	struct prof_rec r = { REC_NODES, (uint32_t)(sizeof(head) + (size_t)n * sizeof(struct prof_node)) };
	struct prof_node chunk[64];

	/* Deepest first: each open call's time holds the one open above it. */
	for (uint32_t k = top; k-- > 0;) {
		const struct frame *f = &t->stack[k];
		uint64_t incl = now > f->t0 ? now - f->t0 : 0;

		t->open_self[k] = own_ns(incl, f->child_ns + above, f->child_calls + (k + 1 < top));
		above = incl;
	}
	if (n == 0 || prof__write_raw(fd, &r, sizeof(r)) || prof__write_raw(fd, head, sizeof(head)))
		return;
	/* The open calls' nodes, root first, have rising indexes (a node is
	 * made after its caller's): one pass over both. */
	for (uint32_t i = 0; i < n; i += 64) {
		uint32_t m = n - i < 64 ? n - i : 64;

		memcpy(chunk, &t->node[i], m * sizeof(*chunk));
		for (; d < top && t->stack[d].node != NONE && t->stack[d].node < i + m; d++) {
			if (t->stack[d].node < i)
				continue;
			chunk[t->stack[d].node - i].calls++;
			chunk[t->stack[d].node - i].self_ns += t->open_self[d];
		}
		if (prof__write_raw(fd, chunk, m * sizeof(*chunk)))
			return;
	}
}

static void count_save(int fd, struct prof_end *end)
{
	uint64_t now = prof__now_ns();

	(void)end;
	for (struct tree *t = atomic_load(&all_trees); t; t = t->next)
		save_tree(fd, t, now);
}

const struct prof_profiler prof__count = {
	.name = "count",
	.kind = PROF_COUNT,
	.prepare = calibrate,
	.forked = count_forked,
	.header = count_header,
	.save = count_save,
};
