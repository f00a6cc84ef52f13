/*
 * workload.h - what a workload is, and the table of them.
 *
 * A workload is defined once and knows nothing about threads or processes:
 * it prepares its input, runs one task (a chunk of items) into a partial
 * result, and merges partials. Executors (exec.h) decide where tasks run.
 *
 * Items reach tasks through a source. An indexed source has all items in
 * memory after prepare() (hash, search, range, sleep): a task is then just a
 * range of item indexes, cheap to hand to a thread or a forked process that
 * shares the input copy-on-write. A streaming source (a JSONL file read
 * lazily) instead fills each task with a batch of bytes, so memory stays
 * constant whatever the input size; executors copy those bytes to where the
 * task runs. Both kinds yield the same struct bench_task.
 *
 * Partial results are fixed-size plain bytes (partial_size), so they can
 * cross a pipe, and merge() must be commutative and associative: executors
 * merge in whatever order tasks finish, and the result (and its checksum)
 * depends only on the workload, its size and its seed, never on the mode,
 * the worker count or the chunk size.
 *
 * A workload may run in stages (map, then reduce): each stage is a full
 * pass of the executor over the stage's items, the next stage starting
 * when every task of the previous one has finished. What one stage hands
 * the next lives in the workload's state, in memory it maps shared before
 * the executors start, so forked workers see it too.
 */
#ifndef BENCH_WORKLOAD_H
#define BENCH_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "bench/clock.h"
#include "bench/error.h"

/* Most options one workload may declare, and most values one set of
 * parameters may carry. */
#define BENCH_OPTS_MAX 4

enum bench_opt_kind {
	BENCH_OPT_NUMBER, /* a whole number in [min, max] */
	BENCH_OPT_TEXT,   /* a non-empty string */
	BENCH_OPT_FLAG,   /* present or not */
};

enum bench_opt_flags {
	/* Named after the result's counts ("result: kept 5, type view"). */
	BENCH_OPT_IN_RESULT = 1u << 0,
	/* Given, it fixes the input and so its size (an input file). */
	BENCH_OPT_FIXES_SIZE = 1u << 1,
	/* Counts the items (search's queries): `bench show` defaults it to
	 * a screenful. */
	BENCH_OPT_COUNTS_ITEMS = 1u << 2,
};

/*
 * An option a workload declares in its own file. The CLI offers it as
 * --NAME (and -SHORT), help lists it, JSON records it under NAME with
 * dashes as underscores, a report read back restores it, and engines pass
 * it on; nothing outside the workload's file names it.
 */
struct bench_option {
	const char *name;       /* "queries", "max-ms" */
	enum bench_opt_kind kind;
	char short_name;        /* 'i' for -i; 0: none */
	const char *arg;        /* what help shows for the value: "N", "FILE" */
	const char *help;       /* one line, for the option's help */
	uint64_t def;           /* NUMBER: the default */
	uint64_t min, max;      /* NUMBER: the accepted range */
	const char *def_text;   /* TEXT: the default; NULL: none */
	unsigned flags;         /* BENCH_OPT_* */
};

/* The value of one option. */
struct bench_param {
	const char *name;  /* the option's name */
	uint64_t num;      /* NUMBER; FLAG: 1 when given */
	const char *text;  /* TEXT; NULL: not given and no default */
};

/*
 * Parameters a workload is prepared with. Zero size and seed mean "the
 * default". Options are given by name; bench_workload_params() checks
 * them against the workload's declarations and adds the defaults, after
 * which opts holds exactly the workload's options, in declaration order.
 * Strings are borrowed: they must outlive the parameters.
 */
struct bench_params {
	uint64_t size;     /* items (search: list length; see each workload) */
	uint64_t seed;     /* keys the counter-based generator */
	struct bench_param opts[BENCH_OPTS_MAX];
	unsigned nopts;
};

/* Most items one item of a dependency graph may wait for. */
#define BENCH_DEPS_MAX 4

/* Most named counts (see field_names) a result may have. */
#define BENCH_FIELDS_MAX 4

/* One unit of work handed to a worker. */
struct bench_task {
	uint64_t index;    /* task number in source order, from 0 */
	uint64_t first;    /* index of the task's first item */
	uint64_t count;    /* items in the task */
	const void *data;  /* streaming sources: the batch's bytes; else NULL */
	size_t len;        /* bytes at data */
};

/* Zero bytes that follow a streaming task's data wherever it runs, so
 * parsers that read ahead in blocks (simdjson) can parse it in place. */
#define BENCH_BATCH_PADDING 64

/* Largest partial result any workload may declare. */
#define BENCH_PARTIAL_MAX 256
/* Buffers holding a partial are aligned for any field a workload puts in
 * it (workloads cast them to their own structs). */
#ifdef __cplusplus
#define BENCH_PARTIAL_ALIGN alignas(16)
#else
#define BENCH_PARTIAL_ALIGN _Alignas(16)
#endif
/* Longest checksum text, including the terminating NUL. */
#define BENCH_CHECKSUM_MAX 65

/*
 * What a distributed executor (whose workers, the ranks of a job, share
 * no memory and may run on other hosts) offers a staged workload between
 * stages (see exchange below): which rank ran an item, and an all-to-all
 * exchange of bytes. Workloads see this instead of the executor's
 * transport, so they build without it.
 */
struct bench_comm {
	unsigned rank, size;
	/* The rank that runs (ran) item of stage. */
	unsigned (*owner)(const struct bench_comm *comm, unsigned stage,
			  uint64_t item);
	/*
	 * Every rank sends sendlen[r] bytes to rank r, the segments lying one
	 * after another in send (rank 0's first), and receives what rank r
	 * sent it as recvlen[r] bytes, likewise one after another in *recv
	 * (malloc'd; free it). Collective: every rank calls it. Returns 0 or
	 * a BENCH_E* code.
	 */
	int (*alltoallv)(const struct bench_comm *comm, const void *send,
			 const size_t *sendlen, void **recv, size_t *recvlen,
			 struct bench_err *err);
	void *impl;
};

enum bench_wl_flags {
	BENCH_WL_WAITS = 1u << 0, /* items wait (I/O-bound) before computing */
	/* next_batch's bytes are followed, where they lie, by at least
	 * BENCH_BATCH_PADDING readable bytes (of any value): a worker reading
	 * a stream of its own (a split part) may run them there, uncopied. */
	BENCH_WL_PADDED = 1u << 1,
};

struct bench_workload {
	const char *name;
	const char *summary;     /* one line for `bench list` */
	const char *item_desc;   /* what one item is, e.g. "CPF" */
	unsigned flags;          /* BENCH_WL_* */
	uint64_t default_size;
	uint64_t max_size;       /* largest accepted --size */
	uint64_t default_chunk;  /* items per task when none is given (the
				    events' batch); 0: automatic */
	size_t partial_size;     /* bytes, <= BENCH_PARTIAL_MAX */
	unsigned stages;         /* 0 or 1: one pass; more: see stage_begin */
	/* Names of the counts fields() reads off a result (e.g. "kept"),
	 * NULL-terminated, at most BENCH_FIELDS_MAX; NULL: none. */
	const char *const *field_names;
	/* The workload's own options, ended by a row with a NULL name, at
	 * most BENCH_OPTS_MAX; NULL: none. */
	const struct bench_option *options;

	/*
	 * What the report's header adds after "N items" (" in a list of
	 * 1000000"), into buf; fixed_size is 0 when the cases differ in
	 * size (complexity). May be NULL.
	 */
	void (*describe)(const struct bench_params *p, int fixed_size,
			 char *buf, size_t len);

	/*
	 * Builds the input for p (defaults already applied) into *state.
	 * Returns 0 or a BENCH_E* code with err filled. Not timed.
	 */
	int (*prepare)(const struct bench_params *p, void **state,
		       struct bench_err *err);
	void (*release)(void *state);

	/* Indexed sources: number of items after prepare() (of the current
	 * stage). Streaming sources: items of the last complete pass, 0
	 * before one; may be NULL. */
	uint64_t (*item_count)(const void *state);

	/*
	 * Staged workloads: makes `stage` (0, 1, ...) the current one; called
	 * before each stage's pass from the calling thread, no executor
	 * running. Stage 0 takes the run's chunk, later stages one item per
	 * task. NULL for one-stage workloads.
	 */
	int (*stage_begin)(void *state, unsigned stage, struct bench_err *err);

	/*
	 * Streaming sources only (NULL otherwise): fills *task with the next
	 * batch of at most max_items items; returns 1 for a batch, 0 at the end,
	 * or a BENCH_E* code. Called from one thread at a time; the batch's
	 * bytes stay valid until the next call.
	 */
	int (*next_batch)(void *state, uint64_t max_items,
			  struct bench_task *task, struct bench_err *err);

	/*
	 * Streaming sources: starts the stream again from the beginning; the
	 * harness calls it before every sample. May be NULL otherwise.
	 */
	int (*rewind)(void *state, struct bench_err *err);

	/*
	 * Dependency graphs (NULL otherwise): writes into deps the items that
	 * item must wait for, at most BENCH_DEPS_MAX, and returns how many.
	 * Executors then run one item per task, each only once all of its
	 * dependencies have finished (in any process: what a task hands its
	 * dependents must be in memory the state maps shared).
	 */
	unsigned (*deps)(const void *state, uint64_t item, uint64_t *deps);

	/*
	 * Streaming sources under a distributed executor (NULL: the
	 * workload cannot be split): makes the stream part `part` of
	 * `parts`, byte ranges of the input cut at line starts so each rank
	 * reads only its own, and, when items is not NULL, counts the items
	 * in it (a pass over the part).
	 * split(state, 0, 1, NULL, err) restores the whole stream.
	 */
	int (*split)(void *state, unsigned part, unsigned parts,
		     uint64_t *items, struct bench_err *err);
	/* Numbers the part's items from first (the items of the parts
	 * before it), as a whole pass would. */
	void (*split_first)(void *state, uint64_t first);

	/*
	 * Staged workloads under a distributed executor: moves what the
	 * previous stage left in this rank's memory to the ranks whose tasks
	 * of `stage` read it (the shuffle of a map-reduce). Called on every rank, after
	 * stage_begin(stage). NULL for one-stage workloads.
	 */
	int (*exchange)(void *state, unsigned stage,
			const struct bench_comm *comm, struct bench_err *err);

	/*
	 * Dependency graphs under a distributed executor: the bytes item
	 * leaves its dependents (in state), which the executor carries to
	 * the ranks running them. NULL otherwise.
	 */
	void *(*item_out)(void *state, uint64_t item, size_t *len);

	/* BENCH_WL_WAITS workloads: how long item i waits before computing. */
	bench_ns (*wait_ns)(const void *state, uint64_t item);

	/* Sets a partial to the identity of merge(). */
	void (*partial_init)(void *partial);

	/*
	 * Computes the task's items (after their waits, for BENCH_WL_WAITS)
	 * and adds them into partial. Must be safe to call from many threads
	 * at once on one state. Returns 0 or a BENCH_E* code with err filled.
	 */
	int (*run)(const void *state, const struct bench_task *task,
		   void *partial, struct bench_err *err);

	/* acc += partial; commutative and associative. */
	void (*merge)(void *acc, const void *partial);

	/*
	 * Judges a merged result once every task is done (events --strict:
	 * the first bad line in file order, whichever worker met it first).
	 * Returns 0 or a BENCH_E* code with err filled. May be NULL.
	 */
	int (*check)(const void *state, const void *acc, struct bench_err *err);

	/* Writes the result's checksum as text (at most BENCH_CHECKSUM_MAX). */
	void (*checksum)(const void *acc, char *out);

	/* Reads the named counts (field_names) off a merged result. */
	void (*fields)(const void *acc, uint64_t *values);

	/* One line worth telling about a merged result (bad input lines,
	 * say) into buf, or "" when there is none. May be NULL. */
	void (*note)(const void *acc, char *buf, size_t len);

	/*
	 * `bench show`: writes item i and its result as one line of text
	 * (no newline) into line. Returns 0 or a BENCH_E* code.
	 */
	int (*show)(const void *state, uint64_t i, char *line, size_t len,
		    struct bench_err *err);

	/*
	 * `bench show` for workloads without numbered items (show is NULL):
	 * passes at most limit lines of text to emit, which returns 0 to go
	 * on. Returns 0, emit's non-zero value, or a BENCH_E* code.
	 */
	int (*show_all)(void *state, uint64_t limit,
			int (*emit)(void *ud, const char *line), void *ud,
			struct bench_err *err);
};

/* The table of workloads, NULL-terminated, in `bench list` order. */
extern const struct bench_workload *const bench_workloads[];

/* The workload called name, or NULL. */
const struct bench_workload *bench_workload_find(const char *name);

/* How many names wl->field_names holds (0 when NULL). */
unsigned bench_workload_nfields(const struct bench_workload *wl);

/*
 * Fills the zero fields of p with wl's defaults, checks every option given
 * against wl's declarations (an option wl does not declare, a number out
 * of range, an empty text) and adds the declared defaults of the others,
 * so that p->opts then holds wl's options in declaration order. Safe to
 * call again. Returns 0 or BENCH_EINVAL with a message naming the option.
 */
int bench_workload_params(const struct bench_workload *wl,
			  struct bench_params *p, struct bench_err *err);

/* How many options wl declares. */
unsigned bench_workload_noptions(const struct bench_workload *wl);

/*
 * Sets option name of p to num (NUMBER, FLAG) or text (TEXT), replacing
 * an earlier value. Returns 0, or BENCH_EINVAL when p is full.
 */
int bench_params_set(struct bench_params *p, const char *name, uint64_t num,
		     const char *text);

/* The value of option name in p, or NULL when p has none. */
const struct bench_param *bench_params_get(const struct bench_params *p,
					   const char *name);

/* Shorthands for a workload reading its own options after
 * bench_workload_params: the number (0 when absent) or text (NULL). */
uint64_t bench_params_num(const struct bench_params *p, const char *name);
const char *bench_params_text(const struct bench_params *p, const char *name);

#endif
