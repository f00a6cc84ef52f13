/*
 * report.h - the report side of `bench profile`, shared by its files:
 * load.c reads the prof.PID.START.bin files the preloaded profiler wrote
 * (one per process), symbols.c turns their addresses into functions and
 * file:line (nm, addr2line, the unwind tables), stacks.c walks the
 * weighted stacks every cost is made of, tally.c adds the costs up per
 * function, and one file per output writes them: table.c (the terminal),
 * collapsed.c (flame graphs), trace.c (Trace Event JSON), callgrind.c,
 * chart.c (the memory curve). report.c runs them in order, from a table
 * of outputs; profile_report() is all the command calls.
 *
 * The design choice to know: a profile keeps each file's bytes as they
 * were read and points into them (samples' stacks, sites, call-tree
 * nodes), and every address seen is interned once as a struct loc
 * (module, address in the ELF file's terms), so each module is resolved
 * with one nm and one addr2line run however many samples name it.
 */
#ifndef BENCH_PROFILE_REPORT_H
#define BENCH_PROFILE_REPORT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../prof_format.h"

/* What the report is asked for. */
struct profile_opts {
	int kind;                 /* enum prof_kind */
	const char *dir;          /* where the files are, and go */
	const char *sort;         /* table order: tottime, cumtime, ncalls */
	unsigned top;             /* table rows */
	const char *cmdline;      /* the command profiled, for callgrind */
};

/*
 * Loads every profile file in o->dir, resolves, tallies, prints the table
 * on stdout and writes the outputs of o->kind into o->dir, naming each on
 * stderr. Returns 0, or 1 when no profile was written (with a message),
 * memory ran out, or an output could not be written. nm and addr2line run
 * through bench_command_run(), which starts nothing once bench_cancel()
 * was called: a caller that wants the report after an interruption
 * clears the request first (bench_cancel_reset()).
 */
int profile_report(const struct profile_opts *o);

/* ---- what the files hold (load.c) -------------------------------------------- */

struct map {
	uint64_t lo, hi, off;
	char *path;
	int64_t adj;              /* ELF vaddr - file offset, its segment's */
	int adj_known;
};

struct sample {
	uint64_t t;               /* ns, CLOCK_MONOTONIC */
	uint32_t tid, depth;
	const uint64_t *pc;       /* leaf first, into the file's bytes */
};

struct span {
	uint64_t start, end;      /* ns, CLOCK_MONOTONIC */
	uint32_t tid;
	const char *name;
};

struct tname {
	uint32_t tid;
	const char *name;
};

struct site {
	const struct prof_site *s;
	const uint64_t *pc;
};

/* count: a node of a thread's call tree, as the file has it. */
struct cnode {
	const struct prof_node *n;
	uint32_t tid;
	uint32_t parent;          /* index into the process's nodes, before this
				     one; PROF_NODE_ROOT: a root */
	uint32_t depth;           /* calls on its path, 1 for a root */
};

struct memt {
	uint64_t t, heap, rss;    /* ns; bytes; bytes */
};

/* One process's file. */
struct proc {
	char *data;               /* the whole file */
	const struct prof_header *h;
	struct map *maps;
	size_t nmaps;
	struct sample *samples;
	size_t nsamples;
	struct span *spans;
	size_t nspans;
	struct tname *names;
	size_t nnames;
	struct cnode *nodes;      /* count: every thread's call tree */
	size_t nnodes;
	struct site *sites;
	size_t nsites;
	struct memt *mem;
	size_t nmem;
	const struct prof_end *end;
};

/* ---- symbols (symbols.c) ------------------------------------------------------ */

/* One function, wherever it was seen. */
struct func {
	char *name, *file;
	unsigned line;            /* where it starts */
	double self, cum;         /* samples, bytes or ns */
	uint64_t calls, count;    /* exact calls; allocations */
	double live;              /* mem: bytes live at exit */
	uint64_t live_count;
	unsigned seen;            /* the stack (P->serial) last counted in */
	unsigned id;              /* callgrind's (n) */
};

/* An address in a module, resolved. */
struct loc {
	const char *module;       /* interned */
	uint64_t rel;             /* address in the ELF file's terms */
	struct func *fn;
	char *file;
	unsigned line;
};

struct syms {
	struct func **funcs;
	size_t nfuncs, cfuncs;
	struct loc *locs;
	size_t nlocs, clocs;
	size_t *slot, nslots;     /* hash of locs */
	char **modules;
	size_t nmodules, cmodules;
};

/* ---- the whole profile -------------------------------------------------------- */

struct profile {
	int kind;                 /* enum prof_kind */
	struct proc *procs;
	size_t nprocs;
	struct syms S;
	/* Per process: the loc indexes of each sample's frames (leaf first),
	 * of each site's, of each call-tree node's function. */
	uint32_t ***frames, ***site_frames, **node_locs;
	uint64_t t0;              /* the earliest process's start, ns */
	unsigned serial;          /* stacks walked so far: marks func.seen */
};

/* Grows arr (n used, cap allocated) so one more fits: 0, or -1 when out
 * of memory (arr is then lost: the report gives up). */
#define GROW(arr, n, cap)                                                  \
	((n) < (cap) ? 0 :                                                \
	 ((cap) = (cap) ? 2 * (cap) : 64,                                  \
	  ((arr) = realloc((arr), (cap) * sizeof(*(arr)))) ? 0 : -1))

/* The loc and the function of loc index i; NULL when unknown. */
#define LOC(P, i) ((i) < (P)->S.nlocs ? &(P)->S.locs[i] : NULL)
#define FN(P, i) (LOC(P, i) ? LOC(P, i)->fn : NULL)

/* load.c: reads every prof.*.bin file of dir into P->procs, in the order
 * the processes started; a file that is not a whole profile is skipped, a
 * truncated one kept up to its last whole record. Returns the number of
 * processes loaded. */
size_t profile_load(struct profile *P, const char *dir);

/* load.c: frees the processes profile_load() read. */
void profile_unload(struct profile *P);

/* load.c: how process p ended, in words, into buf; returns buf. */
const char *profile_ended(const struct proc *p, char *buf, size_t len);

/* symbols.c: interns every address of every process as a loc, fills
 * P->frames and the other loc indexes and P->t0, and names every loc
 * (nm and addr2line, once per module); 0, or -1 when out of memory. */
int profile_resolve(struct profile *P);

/* symbols.c: frees what profile_resolve() made. */
void profile_free_symbols(struct profile *P);

/* ---- stacks (stacks.c) ------------------------------------------------------ */

/*
 * One weighted stack: what every cost of a profile is made of. cpu: a
 * sample, weight 1; count: a call-tree node, weight its own ns on that
 * path; mem: an allocation site, weight its bytes. A function's own cost
 * is the weight of the stacks it ends; its cumulative cost the weight of
 * the stacks it is on, once per stack however deep it recurses.
 */
struct stack {
	const uint32_t *loc;      /* loc indexes, root first */
	uint32_t depth;           /* >= 1 */
	double weight;            /* samples, ns or bytes */
	uint64_t calls;           /* count: the calls of the leaf on this path */
	uint32_t tid;             /* cpu, count: the thread; mem: 0 */
};

/* Calls fn for every stack of process i with frames, in the file's
 * order, until fn returns nonzero; returns that, 0, or -1 when out of
 * memory. */
int profile_stacks(struct profile *P, size_t i,
		   int (*fn)(struct profile *P, const struct stack *s, void *ud), void *ud);

/* tally.c: adds the functions' costs up over every process (self, cum,
 * calls; for mem, allocations and what was live at exit). */
void profile_tally(struct profile *P);

/* ---- outputs: one file each, called by report.c's table ------------------- */

/* Each writes its output for P as o asks: 0, or -1 when a file could not
 * be written (the others are still written). */
int profile_out_table(struct profile *P, const struct profile_opts *o);     /* table.c */
int profile_out_collapsed(struct profile *P, const struct profile_opts *o); /* collapsed.c */
int profile_out_trace(struct profile *P, const struct profile_opts *o);     /* trace.c */
int profile_out_callgrind(struct profile *P, const struct profile_opts *o); /* callgrind.c */
int profile_out_chart(struct profile *P, const struct profile_opts *o);     /* chart.c */

/* report.c: writes dir/name atomically with fn, and names it on stderr;
 * 0 or -1. */
int profile_write_file(const char *dir, const char *name,
		       int (*fn)(FILE *, struct profile *), struct profile *P);

#endif
