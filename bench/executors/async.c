/*
 * async.c - the async executor: one thread, one event loop.
 *
 * Up to --workers tasks are in flight at once, each a small state machine
 * driven by the loop: an item that must wait (BENCH_WL_WAITS) arms a timer
 * and yields, and the item's computing runs when the timer fires; a task
 * with nothing to wait for computes straight through. So waits overlap
 * while computing is strictly one task at a time: asyncio's behaviour,
 * with no speedup for CPU-bound work, by design.
 *
 * Built to keep millions of tasks in flight (up to BENCH_WORKERS_MAX, ten
 * million), in little memory, since every page first touched costs time
 * inside the measurement. A task of one item whose number is its item's
 * (an indexed source with chunk 1, a dependency graph: the common case)
 * costs its 16-byte timer and nothing else, the timer's id being the item
 * itself; any other waiting task also takes a 24-byte slot saying where it
 * stands, the timer's id then naming the slot. Both live in arrays (the
 * timers' reserved once for the tasks that can be in flight, the slots
 * grown as needed), nothing is allocated per task, and every event costs
 * O(log n) at most: a free list hands out slots, a count of tasks in
 * flight says when to take more, never a scan.
 */
#include <stdlib.h>
#include <string.h>

#include "bench/executor.h"
#include "loop.h"

/* A timer's id with this bit set names a slot (the rest of the id);
 * without, it is the item of a one-item task of the same number. */
#define ID_SLOT 0x80000000u

/* slot.count of a free slot, and of a task the slot cannot hold. */
#define SLOT_FREE 0
#define SLOT_WHOLE UINT32_MAX
#define NO_SLOT UINT32_MAX

/* A task waiting for a timer, 24 bytes. */
struct slot {
	uint64_t index;  /* the task's number; a free slot: the next free
			    slot, NO_SLOT at the end of the list */
	uint64_t first;  /* its first item; SLOT_WHOLE: its struct whole */
	uint32_t count;  /* its items, SLOT_FREE or SLOT_WHOLE */
	uint32_t k;      /* the item it waits for, 0-based in the task */
};

/* A waiting task a slot cannot hold whole: one with bytes of its own (a
 * streaming batch) or with 2^32 - 1 items or more. Allocated for it. */
struct whole {
	struct bench_task task;
	uint64_t k;      /* the item it waits for */
};

struct async {
	struct bench_exec_ctx *ctx;
	struct bench__loop loop;
	struct slot *slots;
	uint32_t nslots, capslots; /* slots ever used; allocated */
	uint32_t free_slot;        /* the first free slot, or NO_SLOT */
	uint64_t in_flight;        /* tasks taken and not finished */
	uint64_t wholes;           /* struct wholes allocated */
	int exhausted;             /* the source said end */
	int refilling;
	int rc;
};

static void fail(struct async *a, int rc)
{
	if (!a->rc)
		a->rc = rc;
	bench__loop_stop(&a->loop);
}

static int no_memory(struct async *a)
{
	return bench_err_set(a->ctx->err, BENCH_ENOMEM, "async: out of memory");
}

/* Stores task, waiting for item k, in a free slot: its number, or NO_SLOT
 * when out of memory. */
static uint32_t slot_put(struct async *a, const struct bench_task *task,
			 uint64_t k)
{
	struct slot *s;
	uint32_t id = a->free_slot;

	if (id != NO_SLOT) {
		a->free_slot = (uint32_t)a->slots[id].index;
	} else {
		if (a->nslots == a->capslots) {
			uint32_t cap = a->capslots ? 2 * a->capslots : 1024;
			void *p;

			if (a->capslots >= ID_SLOT / 2)
				return NO_SLOT;
			p = realloc(a->slots, (size_t)cap * sizeof(*a->slots));
			if (!p)
				return NO_SLOT;
			a->slots = p;
			a->capslots = cap;
		}
		id = a->nslots++;
	}
	s = &a->slots[id];
	if (!task->data && task->count < SLOT_WHOLE) {
		*s = (struct slot){ task->index, task->first,
				    (uint32_t)task->count, (uint32_t)k };
	} else {
		struct whole *w = malloc(sizeof(*w));

		if (!w) {
			*s = (struct slot){ a->free_slot, 0, SLOT_FREE, 0 };
			a->free_slot = id;
			return NO_SLOT;
		}
		w->task = *task;
		w->k = k;
		a->wholes++;
		*s = (struct slot){ task->index, (uintptr_t)w, SLOT_WHOLE, 0 };
	}
	return id;
}

/* Takes the task out of slot id, which becomes free. */
static void slot_take(struct async *a, uint32_t id, struct bench_task *task,
		      uint64_t *k)
{
	struct slot *s = &a->slots[id];

	if (s->count == SLOT_WHOLE) {
		struct whole *w = (struct whole *)(uintptr_t)s->first;

		*task = w->task;
		*k = w->k;
		free(w);
		a->wholes--;
	} else {
		*task = (struct bench_task){ s->index, s->first, s->count,
					     NULL, 0 };
		*k = s->k;
	}
	*s = (struct slot){ a->free_slot, 0, SLOT_FREE, 0 };
	a->free_slot = id;
}

/* Parks task, waiting for item k, under a timer for deadline. Returns 0
 * or BENCH_ENOMEM; the task is still the caller's on failure. */
static int park(struct async *a, struct bench_task *task, uint64_t k,
		bench_ns deadline)
{
	uint32_t id;

	if (task->count == 1 && task->index == task->first && !task->data &&
	    task->first < ID_SLOT)
		return bench__loop_timer(&a->loop, deadline,
					 (uint32_t)task->first);
	id = slot_put(a, task, k);
	if (id == NO_SLOT)
		return BENCH_ENOMEM;
	if (bench__loop_timer(&a->loop, deadline, ID_SLOT | id) != 0) {
		slot_take(a, id, task, &k);
		return BENCH_ENOMEM;
	}
	return 0;
}

/* The task of timer id, and the item it waits for. */
static void unpark(struct async *a, uint32_t id, struct bench_task *task,
		   uint64_t *k)
{
	if (id & ID_SLOT) {
		slot_take(a, id & ~ID_SLOT, task, k);
	} else {
		*task = (struct bench_task){ id, id, 1, NULL, 0 };
		*k = 0;
	}
}

static void finish(struct async *a, struct bench_task *task)
{
	bench_source_done(a->ctx->src, task);
	bench_task_release(task);
	a->in_flight--;
	a->ctx->tasks++;
}

/*
 * Runs task from item k on (item k's wait already over when waited) up to
 * the next item that must wait, which parks the task in a slot under a
 * timer, or to its end. Returns 0 or a code; the task is released either
 * way unless parked.
 */
static int advance(struct async *a, struct bench_task *task, uint64_t k,
		   int waited)
{
	struct bench_exec_ctx *ctx = a->ctx;
	int rc;

	if (!(ctx->wl->flags & BENCH_WL_WAITS)) {
		rc = ctx->wl->run(ctx->state, task, ctx->result, ctx->err);
		if (rc) {
			bench_task_release(task);
			return rc;
		}
		finish(a, task);
		return 0;
	}
	for (; k < task->count; k++, waited = 0) {
		struct bench_task one = bench_task_item(task, k);

		if (!waited) {
			bench_ns wait = ctx->wl->wait_ns(ctx->state, one.first);

			if (wait > 0) {
				if (park(a, task, k, bench_clock_now() + wait) == 0)
					return 0;
				bench_task_release(task);
				return no_memory(a);
			}
		}
		rc = ctx->wl->run(ctx->state, &one, ctx->result, ctx->err);
		if (rc) {
			bench_task_release(task);
			return rc;
		}
	}
	finish(a, task);
	return 0;
}

/* Takes tasks from the source while fewer than --workers are in flight.
 * Called again from within (a task finishing inside), it leaves the new
 * room to the loop already running. */
static void refill(struct async *a)
{
	struct bench_exec_ctx *ctx = a->ctx;

	if (a->refilling)
		return;
	a->refilling = 1;
	while (!a->rc && !a->exhausted && a->in_flight < ctx->opts->workers) {
		struct bench_task task;
		int rc;

		/* Within one task of a cancel, even when none waits. */
		if (bench_canceled()) {
			bench__loop_stop(&a->loop);
			break;
		}
		rc = bench_source_next(ctx->src, &task, ctx->err);
		if (rc == BENCH_SOURCE_WAIT)
			break;  /* until a running task is done */
		if (rc == 0) {
			a->exhausted = 1;
		} else if (rc < 0) {
			fail(a, rc);
		} else {
			a->in_flight++;
			if ((rc = advance(a, &task, 0, 0)))
				fail(a, rc);
		}
	}
	a->refilling = 0;
}

static void start(struct bench__loop *loop, void *arg)
{
	(void)loop;
	refill(arg);
}

/* A task's wait is over: run its item, go on, and take more tasks. */
static void on_timer(struct bench__loop *loop, uint32_t id)
{
	struct async *a = loop->data;
	struct bench_task task;
	uint64_t k;
	int rc;

	unpark(a, id, &task, &k);
	if ((rc = advance(a, &task, k, 1))) {
		fail(a, rc);
		return;
	}
	refill(a);
}

static int async_run(struct bench_exec_ctx *ctx)
{
	struct async a = { .ctx = ctx, .free_slot = NO_SLOT };
	int rc;

	if (bench__loop_init(&a.loop, on_timer, &a) != 0)
		return bench_err_set(ctx->err, BENCH_ESYS,
				     "cannot create the event loop");
	/* Room for a timer per task that can be in flight, taken at once
	 * rather than by doublings that would copy it. */
	if ((ctx->wl->flags & BENCH_WL_WAITS) && !ctx->wl->next_batch)
		bench__loop_reserve(&a.loop, ctx->src->ntasks < ctx->opts->workers ?
						     ctx->src->ntasks :
						     ctx->opts->workers);
	if (bench__loop_defer(&a.loop, start, &a) != 0) {
		bench__loop_release(&a.loop);
		return no_memory(&a);
	}
	rc = bench__loop_run(&a.loop);
	if (rc == BENCH_ECANCELED)
		bench_err_set(ctx->err, rc, "interrupted");
	else if (rc)
		bench_err_set(ctx->err, rc, "event loop failed");
	if (!a.rc)
		a.rc = rc;
	/* The loop ran dry: every task must have run (a dependency source
	 * that still waits would mean tasks were left out). */
	if (!a.rc && ctx->src->dag && ctx->src->finished < ctx->src->items)
		a.rc = bench_err_set(ctx->err, BENCH_EINVAL,
				     "%s: no task is ready and none runs",
				     ctx->wl->name);
	/* Stopped early: only tasks held whole own memory. */
	for (uint32_t i = 0; a.wholes && i < a.nslots; i++) {
		if (a.slots[i].count == SLOT_WHOLE) {
			struct bench_task task;
			uint64_t k;

			slot_take(&a, i, &task, &k);
			bench_task_release(&task);
		}
	}
	free(a.slots);
	bench__loop_release(&a.loop);
	return a.rc;
}

const struct bench_executor bench_executor_async = {
	.name = "async",
	.summary = "one thread, an epoll loop; waits overlap, computing does not",
	.flags = BENCH_EXEC_DEFAULT | BENCH_EXEC_WAITS_ONLY,
	.max_workers = BENCH_WORKERS_MAX, /* 40 bytes per task in flight */
	.workers_noun = "tasks in flight",
	.run = async_run,
};
