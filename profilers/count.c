/*
 * count.c - the call counter of libbenchprof.so ($BENCH_PROF=count): the
 * hooks that code built with -finstrument-functions calls at every
 * function's entry and exit, counting and timing each function (REC_FUNC)
 * and each caller -> callee pair (REC_EDGE), as cProfile does.
 *
 * Each thread keeps its own tables (mapped on its first call, listed
 * globally so the file gets every thread's), so a hook never locks.
 *
 * The design choice to know: the hooks' own cost is inside every time
 * they measure, so it is measured once at start (calibrate) and written
 * in the header; the report subtracts it per call made below each
 * function. Times stay raw here.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"

/* What -finstrument-functions calls; no header declares them. */
void __cyg_profile_func_enter(void *fn, void *site);
void __cyg_profile_func_exit(void *fn, void *site);

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

/* One thread's tables; listed globally so a save sees every thread's. */
struct counts {
	struct fn_stat fn[FN_SLOTS];
	struct edge_stat edge[EDGE_SLOTS];
	struct counts *next;
};

static struct counts *_Atomic all_counts;
static TLS struct counts *my_counts;
static TLS struct frame stack[STACK_MAX];
static TLS unsigned depth;
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
	if (prof__kind != PROF_COUNT || prof__in_hook)
		return;
	if (depth < STACK_MAX) {
		struct counts *c = counts_of_thread();
		struct fn_stat *s = c ? fn_slot(c, (uint64_t)fn) : NULL;

		if (s)
			s->active++;
		stack[depth] = (struct frame){ (uint64_t)fn, prof__now_ns(), 0, 0, 0 };
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
	if (prof__kind != PROF_COUNT || prof__in_hook || depth == 0)
		return;
	depth--;
	if (depth >= STACK_MAX || !(c = counts_of_thread()))
		return;
	f = &stack[depth];
	incl = prof__now_ns() - f->t0;
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

	t0 = prof__now_ns();
	for (int i = 0; i < N; i++) {
		__cyg_profile_func_enter(&calib_fn, NULL);
		__cyg_profile_func_exit(&calib_fn, NULL);
	}
	t1 = prof__now_ns();
	depth = saved;
	if (my_counts)
		memset(my_counts->fn, 0, sizeof(my_counts->fn));
	overhead_ns = (t1 - t0) / N;
}

/* ---- the row ------------------------------------------------------------------ */

/* A fork's child counts its own calls only. */
static void count_forked(void)
{
	for (struct counts *c = atomic_load(&all_counts); c; c = c->next) {
		memset(c->fn, 0, sizeof(c->fn));
		memset(c->edge, 0, sizeof(c->edge));
	}
}

static void count_header(struct prof_header *h)
{
	h->overhead_ns = overhead_ns;
}

static void count_save(int fd, struct prof_end *end)
{
	(void)end;
	for (struct counts *c = atomic_load(&all_counts); c; c = c->next) {
		for (unsigned i = 0; i < FN_SLOTS; i++) {
			const struct fn_stat *s = &c->fn[i];
			struct prof_func f = { s->fn, s->calls, s->incl_ns, s->self_ns,
					       s->child_calls, s->desc_calls };

			if (s->fn && s->calls)
				prof__write_rec(fd, REC_FUNC, &f, sizeof(f));
		}
		for (unsigned i = 0; i < EDGE_SLOTS; i++) {
			const struct edge_stat *e = &c->edge[i];
			struct prof_edge pe = { e->caller, e->callee, e->calls,
						e->incl_ns, e->desc_calls };

			if (e->callee && e->calls)
				prof__write_rec(fd, REC_EDGE, &pe, sizeof(pe));
		}
	}
}

const struct prof_profiler prof__count = {
	.name = "count",
	.kind = PROF_COUNT,
	.prepare = calibrate,
	.forked = count_forked,
	.header = count_header,
	.save = count_save,
};
