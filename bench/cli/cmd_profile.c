/*
 * cmd_profile.c - `bench profile --cpu|--count|--mem WORKLOAD | -- PROG`:
 * runs the program with libbenchprof.so preloaded (profilers/prof.c),
 * then reads the files every process of it wrote and reports:
 *
 *   cpu, count  a cProfile-like table; collapsed stacks (flamegraph.pl,
 *               speedscope); Trace Event JSON (Perfetto, chrome://tracing),
 *               one lane per thread of each process, slowlog spans
 *               included; callgrind files, one per process
 *               (callgrind_annotate, KCachegrind);
 *   mem         memory_profiler's table (bytes, allocations, live at exit
 *               per call site) and peak heap; collapsed stacks weighted by
 *               bytes; a Trace Event counter track; mprof's curve as a
 *               gnuplot chart.
 *
 * Symbols come from the ELF files the processes mapped: nm for function
 * names and start addresses, addr2line for file:line (binutils, which
 * the compiler already brings).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <dirent.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cli.h"
#include "../../profilers/prof_format.h"

/* ---- what the files hold -------------------------------------------------- */

struct map {
	uint64_t lo, hi, off;
	char *path;
	int64_t adj;              /* ELF vaddr - file offset, its segment's */
	int adj_known;
};

struct sample {
	uint64_t t;
	uint32_t tid, depth;
	const uint64_t *pc;       /* leaf first, into the file's bytes */
};

struct span {
	uint64_t start, end;
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

struct memt {
	uint64_t t, heap, rss;
};

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
	const struct prof_func **funcs;
	size_t nfuncs;
	const struct prof_edge **edges;
	size_t nedges;
	struct site *sites;
	size_t nsites;
	struct memt *mem;
	size_t nmem;
	const struct prof_end *end;
};

#define GROW(arr, n, cap)                                                  \
	((n) < (cap) ? 0 :                                                \
	 ((cap) = (cap) ? 2 * (cap) : 64,                                  \
	  ((arr) = realloc((arr), (cap) * sizeof(*(arr)))) ? 0 : -1))

static int parse_maps(struct proc *p, const char *text, size_t len)
{
	size_t cap = 0;
	char *copy = strndup(text, len), *save = NULL;

	if (!copy)
		return -1;
	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		unsigned long long lo, hi, off;
		char perms[8];
		int pos = 0;

		if (sscanf(l, "%llx-%llx %7s %llx %*s %*s %n", &lo, &hi, perms, &off, &pos) < 4)
			continue;
		if (perms[2] != 'x')
			continue;
		if (GROW(p->maps, p->nmaps, cap))
			return -1;
		p->maps[p->nmaps++] = (struct map){ lo, hi, off,
						    strdup(pos > 0 && l[pos] ? l + pos : "[anon]"), 0, 0 };
	}
	free(copy);
	return 0;
}

static int load_proc(const char *path, struct proc *p, struct bench_err *err)
{
	FILE *f = fopen(path, "rb");
	size_t len = 0, at, cs = 0, cn = 0, csp = 0, cf = 0, ce = 0, ci = 0, cm = 0;
	long size;

	memset(p, 0, sizeof(*p));
	if (!f || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		if (f)
			fclose(f);
		return bench_err_set(err, BENCH_ESYS, "cannot read %s: %s", path, strerror(errno));
	}
	len = (size_t)size;
	p->data = malloc(len + 1);
	if (!p->data || fread(p->data, 1, len, f) != len) {
		fclose(f);
		return bench_err_set(err, BENCH_ESYS, "cannot read %s", path);
	}
	fclose(f);
	if (len < sizeof(*p->h) || memcmp(p->data, PROF_MAGIC, 8) != 0)
		return bench_err_set(err, BENCH_EINVAL, "%s: not a bench profile file", path);
	p->h = (const struct prof_header *)p->data;
	for (at = sizeof(*p->h); at + sizeof(struct prof_rec) <= len;) {
		const struct prof_rec *r = (const struct prof_rec *)(p->data + at);
		const char *b = (const char *)(r + 1);

		if (r->len > len - at - sizeof(*r))
			break; /* cut short: keep what is whole */
		switch (r->type) {
		case REC_MAPS:
			parse_maps(p, b, r->len);
			break;
		case REC_SAMPLE: {
			const uint64_t *u = (const uint64_t *)b;
			uint32_t d = ((const uint32_t *)(u + 1))[1];

			if (d > PROF_DEPTH_MAX || 16 + 8 * (size_t)d > r->len)
				break;
			if (GROW(p->samples, p->nsamples, cs) == 0)
				p->samples[p->nsamples++] = (struct sample){
					u[0], ((const uint32_t *)(u + 1))[0], d, u + 2 };
			break;
		}
		case REC_THREAD:
			if (r->len > 4 && GROW(p->names, p->nnames, cn) == 0)
				p->names[p->nnames++] = (struct tname){
					*(const uint32_t *)b, b + 4 };
			break;
		case REC_SPAN:
			if (r->len > 24 && GROW(p->spans, p->nspans, csp) == 0)
				p->spans[p->nspans++] = (struct span){
					((const uint64_t *)b)[0], ((const uint64_t *)b)[1],
					*(const uint32_t *)(b + 16), b + 24 };
			break;
		case REC_FUNC:
			if (r->len >= sizeof(struct prof_func) && GROW(p->funcs, p->nfuncs, cf) == 0)
				p->funcs[p->nfuncs++] = (const struct prof_func *)b;
			break;
		case REC_EDGE:
			if (r->len >= sizeof(struct prof_edge) && GROW(p->edges, p->nedges, ce) == 0)
				p->edges[p->nedges++] = (const struct prof_edge *)b;
			break;
		case REC_SITE: {
			const struct prof_site *s = (const struct prof_site *)b;

			if (r->len >= sizeof(*s) && s->depth <= PROF_DEPTH_MAX &&
			    sizeof(*s) + 8 * (size_t)s->depth <= r->len &&
			    GROW(p->sites, p->nsites, ci) == 0)
				p->sites[p->nsites++] = (struct site){ s, (const uint64_t *)(s + 1) };
			break;
		}
		case REC_MEMTIME:
			if (r->len >= 24 && GROW(p->mem, p->nmem, cm) == 0)
				p->mem[p->nmem++] = (struct memt){ ((const uint64_t *)b)[0],
								   ((const uint64_t *)b)[1],
								   ((const uint64_t *)b)[2] };
			break;
		case REC_END:
			if (r->len >= sizeof(struct prof_end))
				p->end = (const struct prof_end *)b;
			break;
		}
		at += sizeof(*r) + r->len;
	}
	return 0;
}

static void free_proc(struct proc *p)
{
	for (size_t i = 0; i < p->nmaps; i++)
		free(p->maps[i].path);
	free(p->maps);
	free(p->samples);
	free(p->spans);
	free(p->names);
	free(p->funcs);
	free(p->edges);
	free(p->sites);
	free(p->mem);
	free(p->data);
}

/* ---- symbols ----------------------------------------------------------------- */

/* One function, wherever it was seen. */
struct func {
	char *name, *file;
	unsigned line;            /* where it starts */
	double self, cum;         /* samples, bytes or ns */
	uint64_t calls, count;    /* exact calls; allocations */
	double live;              /* mem: bytes live at exit */
	uint64_t live_count;
	int seen;                 /* cum counted for this sample */
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
	struct loc *locs;         /* sorted by (module, rel) once resolved */
	size_t nlocs, clocs;
	size_t *slot, nslots;     /* hash of locs */
	char **modules;
	size_t nmodules, cmodules;
};

static const char *intern(struct syms *S, const char *m)
{
	for (size_t i = 0; i < S->nmodules; i++)
		if (strcmp(S->modules[i], m) == 0)
			return S->modules[i];
	if (GROW(S->modules, S->nmodules, S->cmodules))
		return "?";
	return S->modules[S->nmodules++] = strdup(m);
}

/* The ELF virtual address of a file offset (the LOAD segment holding it). */
static uint64_t file_vaddr(const char *path, uint64_t off)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf64_Ehdr eh;
	uint64_t v = off;

	if (fd < 0)
		return off;
	if (pread(fd, &eh, sizeof(eh), 0) == (ssize_t)sizeof(eh) &&
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 && eh.e_ident[EI_CLASS] == ELFCLASS64) {
		for (unsigned i = 0; i < eh.e_phnum; i++) {
			Elf64_Phdr ph;

			if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + i * eh.e_phentsize)) !=
			    (ssize_t)sizeof(ph))
				break;
			if (ph.p_type == PT_LOAD && off >= ph.p_offset &&
			    off < ph.p_offset + ph.p_filesz) {
				v = off - ph.p_offset + ph.p_vaddr;
				break;
			}
		}
	}
	close(fd);
	return v;
}

#define LOC_SLOTS_MIN 4096

/* Finds or adds the loc of addr in process p (a hash on module, rel):
 * its index in S->locs, or UINT32_MAX when out of memory. */
static uint32_t add_loc(struct syms *S, struct proc *p, uint64_t addr)
{
	struct map *m = NULL;
	const char *module;
	uint64_t rel, h;

	for (size_t i = 0; i < p->nmaps; i++)
		if (addr >= p->maps[i].lo && addr < p->maps[i].hi) {
			m = &p->maps[i];
			break;
		}
	module = intern(S, m ? m->path : "[unknown]");
	if (m && m->path[0] == '/' && !m->adj_known) {
		m->adj = (int64_t)(file_vaddr(m->path, m->off) - m->off);
		m->adj_known = 1;
	}
	rel = m && m->path[0] == '/' ? addr - m->lo + m->off + (uint64_t)m->adj : addr;
	if (S->nlocs * 2 >= S->nslots) {
		size_t n = S->nslots ? S->nslots * 2 : LOC_SLOTS_MIN;
		size_t *slot = malloc(n * sizeof(*slot));

		if (!slot)
			return UINT32_MAX;
		for (size_t i = 0; i < n; i++)
			slot[i] = SIZE_MAX;
		for (size_t i = 0; i < S->nlocs; i++) {
			uint64_t k = ((uintptr_t)S->locs[i].module ^ S->locs[i].rel) * 0x9e3779b97f4a7c15ull;

			for (h = k >> 20; slot[h % n] != SIZE_MAX; h++)
				;
			slot[h % n] = i;
		}
		free(S->slot);
		S->slot = slot;
		S->nslots = n;
	}
	for (h = (((uintptr_t)module ^ rel) * 0x9e3779b97f4a7c15ull) >> 20;
	     S->slot[h % S->nslots] != SIZE_MAX; h++) {
		struct loc *L = &S->locs[S->slot[h % S->nslots]];

		if (L->module == module && L->rel == rel)
			return (uint32_t)S->slot[h % S->nslots];
	}
	if (GROW(S->locs, S->nlocs, S->clocs))
		return UINT32_MAX;
	S->slot[h % S->nslots] = S->nlocs;
	S->locs[S->nlocs] = (struct loc){ module, rel, NULL, NULL, 0 };
	return (uint32_t)S->nlocs++;
}

struct nsym {
	uint64_t addr, size;     /* size 0: unknown */
	char *name;
};

static int cmp_nsym(const void *a, const void *b)
{
	const struct nsym *x = a, *y = b;

	return (x->addr > y->addr) - (x->addr < y->addr);
}

/* Runs argv (no shell) feeding in, collecting stdout into *out. */
static int pipe_tool(char *const argv[], const char *in, size_t inlen, char **out)
{
	int to[2], from[2];
	pid_t pid;
	size_t cap = 65536, len = 0;
	int status;

	*out = NULL;
	if (pipe2(to, O_CLOEXEC) || pipe2(from, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(to[0], 0);
		dup2(from[1], 1);
		if (devnull >= 0)
			dup2(devnull, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(to[0]);
	close(from[1]);
	if (pid < 0) {
		close(to[1]);
		close(from[0]);
		return -1;
	}
	/* Small inputs; a writer thread is not needed when the tool reads
	 * everything before it answers much (addr2line answers per line,
	 * so feed and read in turn through a poll loop). */
	*out = malloc(cap);
	{
		size_t sent = 0;

		fcntl(to[1], F_SETFL, O_NONBLOCK);
		while (*out) {
			struct pollfd pf[2] = { { from[0], POLLIN, 0 },
						{ sent < inlen ? to[1] : -1, POLLOUT, 0 } };
			ssize_t n;

			if (sent >= inlen && to[1] >= 0) {
				close(to[1]);
				to[1] = -1;
			}
			if (poll(pf, 2, -1) < 0 && errno != EINTR)
				break;
			if (pf[1].revents & (POLLOUT | POLLERR)) {
				n = write(to[1], in + sent, inlen - sent);
				if (n > 0)
					sent += (size_t)n;
				else if (n < 0 && errno != EAGAIN)
					sent = inlen;
			}
			if (pf[0].revents & (POLLIN | POLLHUP)) {
				if (len + 65536 > cap) {
					char *more = realloc(*out, cap *= 2);

					if (!more)
						break;
					*out = more;
				}
				n = read(from[0], *out + len, cap - len - 1);
				if (n <= 0)
					break;
				len += (size_t)n;
			}
		}
	}
	if (to[1] >= 0)
		close(to[1]);
	close(from[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (*out)
		(*out)[len] = '\0';
	return *out && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static struct func *func_named(struct syms *S, const char *name, const char *module)
{
	char key[600];

	snprintf(key, sizeof(key), "%s", name);
	for (size_t i = 0; i < S->nfuncs; i++)
		if (strcmp(S->funcs[i]->name, key) == 0)
			return S->funcs[i];
	if (GROW(S->funcs, S->nfuncs, S->cfuncs))
		return NULL;
	S->funcs[S->nfuncs] = calloc(1, sizeof(struct func));
	if (!S->funcs[S->nfuncs])
		return NULL;
	S->funcs[S->nfuncs]->name = strdup(key);
	S->funcs[S->nfuncs]->file = strdup(module);
	S->funcs[S->nfuncs]->id = (unsigned)S->nfuncs + 1;
	return S->funcs[S->nfuncs++];
}

/* Names every loc: the function (nm) and file:line (addr2line). */
static void resolve_all(struct syms *S)
{
	for (size_t m = 0; m < S->nmodules; m++) {
		const char *mod = S->modules[m];
		const char *base = strrchr(mod, '/') ? strrchr(mod, '/') + 1 : mod;
		char *nm_out = NULL, *a2l_out = NULL, *in = NULL, *save = NULL;
		struct nsym *syms = NULL;
		size_t nsyms = 0, csyms = 0, inlen = 0, incap = 0;
		char *nm_argv[] = { "nm", "-n", "-S", "-C", "--defined-only", (char *)mod, NULL };
		char *nm_dyn[] = { "nm", "-n", "-S", "-C", "-D", "--defined-only", (char *)mod, NULL };
		char *a2l[] = { "addr2line", "-e", (char *)mod, NULL };

		if (mod[0] == '/' &&
		    (pipe_tool(nm_argv, "", 0, &nm_out) != 0 || !nm_out || !*nm_out)) {
			free(nm_out);
			pipe_tool(nm_dyn, "", 0, &nm_out);
		}
		for (char *l = nm_out ? strtok_r(nm_out, "\n", &save) : NULL; l;
		     l = strtok_r(NULL, "\n", &save)) {
			unsigned long long a, size = 0;
			char type, *at;
			int pos = 0;

			/* "addr size type name", or "addr type name" unsized. */
			if (sscanf(l, "%llx %llx %c %n", &a, &size, &type, &pos) < 3 || pos == 0) {
				size = 0;
				pos = 0;
				if (sscanf(l, "%llx %c %n", &a, &type, &pos) < 2 || pos == 0)
					continue;
			}
			if (!strchr("TtWwi", type))
				continue;
			if ((at = strstr(l + pos, "@@")) || (at = strchr(l + pos, '@')))
				*at = '\0';
			if (GROW(syms, nsyms, csyms) == 0)
				syms[nsyms++] = (struct nsym){ a, size, l + pos };
		}
		if (syms)
			qsort(syms, nsyms, sizeof(*syms), cmp_nsym);
		/* Functions, and the addresses to ask addr2line about: each
		 * loc (less one for return addresses: the call's line) and
		 * each function's start (its definition's line). */
		for (size_t i = 0; i < S->nlocs; i++) {
			struct loc *L = &S->locs[i];
			size_t lo = 0, hi = nsyms;
			char name[64];

			if (L->module != mod)
				continue;
			while (lo < hi) {
				size_t mid = (lo + hi) / 2;

				if (syms[mid].addr <= L->rel)
					lo = mid + 1;
				else
					hi = mid;
			}
			/* Past a sized symbol's end (a stripped library's
			 * internal code): the library, not a wrong name. */
			if (lo > 0 && (!syms[lo - 1].size ||
				       L->rel < syms[lo - 1].addr + syms[lo - 1].size)) {
				L->fn = func_named(S, syms[lo - 1].name, base);
			} else {
				snprintf(name, sizeof(name), "[%s]", base);
				L->fn = func_named(S, name, base);
			}
		}
		if (mod[0] == '/') {
			for (size_t i = 0; i < S->nlocs; i++) {
				char line[40];
				int n;

				if (S->locs[i].module != mod)
					continue;
				n = snprintf(line, sizeof(line), "%" PRIx64 "\n", S->locs[i].rel);
				if (inlen + (size_t)n + 1 > incap) {
					char *more = realloc(in, incap = incap * 2 + 4096);

					if (!more)
						break;
					in = more;
				}
				memcpy(in + inlen, line, (size_t)n);
				inlen += (size_t)n;
			}
			if (in && pipe_tool(a2l, in, inlen, &a2l_out) == 0) {
				char *s2 = NULL, *l = strtok_r(a2l_out, "\n", &s2);

				for (size_t i = 0; i < S->nlocs && l; i++) {
					struct loc *L = &S->locs[i];
					char *colon;

					if (L->module != mod)
						continue;
					colon = strrchr(l, ':');
					if (colon && l[0] != '?') {
						*colon = '\0';
						L->file = strdup(strrchr(l, '/') ? strrchr(l, '/') + 1 : l);
						L->line = (unsigned)atoi(colon + 1);
					}
					l = strtok_r(NULL, "\n", &s2);
				}
			}
		}
		/* A function's file:line: the lowest line seen in it, which
		 * is its definition's when its start was ever on a stack. */
		for (size_t i = 0; i < S->nlocs; i++) {
			struct loc *L = &S->locs[i];

			if (L->module != mod || !L->fn || !L->file || !L->line)
				continue;
			if (L->fn->line == 0 || L->line < L->fn->line) {
				free(L->fn->file);
				L->fn->file = strdup(L->file);
				L->fn->line = L->line;
			}
		}
		free(syms);
		free(nm_out);
		free(a2l_out);
		free(in);
	}
}

/* ---- the whole profile ------------------------------------------------------ */

struct profile {
	int kind;
	struct proc *procs;
	size_t nprocs;
	struct syms S;
	/* Per process: the loc indexes of each sample's frames (leaf first),
	 * of each site's, of each counted function, of each edge's ends. */
	uint32_t ***frames, ***site_frames, **fn_locs, **edge_locs;
	uint64_t t0;
};

static uint32_t *locs_of(struct profile *P, struct proc *p, const uint64_t *pc,
			 uint32_t n)
{
	uint32_t *v = calloc(n ? n : 1, sizeof(*v));

	/* A return address's line is the call's: look one byte back. */
	for (uint32_t k = 0; v && k < n; k++)
		v[k] = add_loc(&P->S, p, k > 0 ? pc[k] - 1 : pc[k]);
	return v;
}

#define LOC(P, i) ((i) < (P)->S.nlocs ? &(P)->S.locs[i] : NULL)
#define FN(P, i) (LOC(P, i) ? LOC(P, i)->fn : NULL)

static int build(struct profile *P)
{
	P->frames = calloc(P->nprocs, sizeof(*P->frames));
	P->site_frames = calloc(P->nprocs, sizeof(*P->site_frames));
	P->fn_locs = calloc(P->nprocs, sizeof(*P->fn_locs));
	P->edge_locs = calloc(P->nprocs, sizeof(*P->edge_locs));
	if (!P->frames || !P->site_frames || !P->fn_locs || !P->edge_locs)
		return -1;
	P->t0 = UINT64_MAX;
	for (size_t i = 0; i < P->nprocs; i++) {
		struct proc *p = &P->procs[i];

		if (p->h->start_ns < P->t0)
			P->t0 = p->h->start_ns;
		P->frames[i] = calloc(p->nsamples + 1, sizeof(**P->frames));
		P->site_frames[i] = calloc(p->nsites + 1, sizeof(**P->site_frames));
		P->fn_locs[i] = calloc(p->nfuncs + 1, sizeof(**P->fn_locs));
		P->edge_locs[i] = calloc(2 * p->nedges + 1, sizeof(**P->edge_locs));
		if (!P->frames[i] || !P->site_frames[i] || !P->fn_locs[i] || !P->edge_locs[i])
			return -1;
		for (size_t k = 0; k < p->nsamples; k++)
			P->frames[i][k] = locs_of(P, p, p->samples[k].pc, p->samples[k].depth);
		for (size_t k = 0; k < p->nsites; k++)
			P->site_frames[i][k] = locs_of(P, p, p->sites[k].pc, p->sites[k].s->depth);
		for (size_t k = 0; k < p->nfuncs; k++)
			P->fn_locs[i][k] = add_loc(&P->S, p, p->funcs[k]->fn);
		for (size_t k = 0; k < p->nedges; k++) {
			P->edge_locs[i][2 * k] = add_loc(&P->S, p, p->edges[k]->caller);
			P->edge_locs[i][2 * k + 1] = add_loc(&P->S, p, p->edges[k]->callee);
		}
	}
	resolve_all(&P->S);
	return 0;
}

/* Adds up the functions' costs over every process. */
static void tally(struct profile *P)
{
	unsigned serial = 0;

	for (size_t i = 0; i < P->nprocs; i++) {
		const struct proc *p = &P->procs[i];

		for (size_t k = 0; k < p->nsamples; k++) {
			const uint32_t *f = P->frames[i][k];

			serial++;
			for (uint32_t d = 0; f && d < p->samples[k].depth; d++) {
				struct func *fn = FN(P, f[d]);

				if (!fn)
					continue;
				if (d == 0)
					fn->self += 1;
				if (fn->seen != (int)serial) {
					fn->seen = (int)serial;
					fn->cum += 1;
				}
			}
		}
		for (size_t k = 0; k < p->nsites; k++) {
			const struct prof_site *s = p->sites[k].s;
			const uint32_t *f = P->site_frames[i][k];
			/* The site's function: the first frame outside libc's
			 * wrappers (strdup, fopen, ...), else the first. */
			struct func *fn = f && s->depth ? FN(P, f[0]) : NULL;

			for (uint32_t d = 0; f && d < s->depth; d++) {
				const struct loc *L = LOC(P, f[d]);

				if (L && L->fn && !strstr(L->module, "libc.so") &&
				    !strstr(L->module, "libstdc++") &&
				    !strstr(L->module, "libbenchprof")) {
					fn = L->fn;
					break;
				}
			}
			if (!fn)
				continue;
			fn->self += (double)s->bytes;
			fn->count += s->count;
			fn->live += (double)s->live_bytes;
			fn->live_count += s->live_count;
		}
		for (size_t k = 0; k < p->nfuncs; k++) {
			const struct prof_func *c = p->funcs[k];
			struct func *fn = FN(P, P->fn_locs[i][k]);
			double o = (double)p->h->overhead_ns;

			if (!fn)
				continue;
			fn->calls += c->calls;
			/* Calibrated: each call it made cost o, and so did each
			 * call made anywhere below it. */
			fn->self += fmax(0, (double)c->self_ns - o * (double)c->child_calls);
			fn->cum += fmax(0, (double)c->incl_ns - o * (double)c->desc_calls);
		}
	}
}

static const char *sort_key = "tottime";

static int by_key(const void *a, const void *b)
{
	const struct func *x = *(struct func *const *)a, *y = *(struct func *const *)b;
	double u = strcmp(sort_key, "cumtime") == 0 ? x->cum :
		   strcmp(sort_key, "ncalls") == 0 ? (double)x->calls : x->self;
	double v = strcmp(sort_key, "cumtime") == 0 ? y->cum :
		   strcmp(sort_key, "ncalls") == 0 ? (double)y->calls : y->self;

	return (u < v) - (u > v);
}

static const char *ended(const struct proc *p, char *buf, size_t len)
{
	if (!p->end)
		snprintf(buf, len, "left no ending (killed by SIGKILL?)");
	else if (p->end->how == END_EXIT)
		snprintf(buf, len, "exited with %d", p->end->code);
	else if (p->end->how == END_UNDERSCORE_EXIT)
		snprintf(buf, len, "_exit(%d)", p->end->code);
	else if (p->end->how == END_EXEC)
		snprintf(buf, len, "exec'd another program");
	else
		snprintf(buf, len, "killed by signal %d (%s)", p->end->code,
			 strsignal(p->end->code));
	return buf;
}

static void print_table(FILE *f, struct profile *P, unsigned top)
{
	struct func **v = malloc((P->S.nfuncs + 1) * sizeof(*v));
	size_t n = 0, samples = 0, threads = 0;
	double period = 0, handler = 0, total = 0;
	char how[128];

	double cpu = 0;

	for (size_t i = 0; i < P->nprocs; i++) {
		samples += P->procs[i].nsamples;
		threads += P->procs[i].nnames;
		handler += (double)P->procs[i].h->overhead_ns;
		cpu += (double)P->procs[i].h->cpu_ns / 1e9;
	}
	/* A sample stands for the CPU time measured over the samples taken:
	 * CPU-time timers fire on kernel ticks, so the rate asked for is an
	 * upper bound, not the rate got. */
	period = samples ? cpu / (double)samples : 0;
	for (size_t i = 0; v && i < P->S.nfuncs; i++)
		if (P->S.funcs[i]->self > 0 || P->S.funcs[i]->cum > 0 || P->S.funcs[i]->calls)
			v[n++] = P->S.funcs[i];
	if (P->kind == PROF_CPU) {
		total = (double)samples * period;
		fprintf(f, "%zu samples in %zu process%s, %zu thread%s: %.3f s of CPU\n",
			samples, P->nprocs, P->nprocs == 1 ? "" : "es", threads,
			threads == 1 ? "" : "s", total);
		if (P->nprocs && P->procs[0].h->mechanism == 1)
			fprintf(f, "mechanism: perf_event sampling (a task-clock counter per thread signalling SIGPROF; %u Hz asked, %.0f Hz got), stacks by libunwind\n",
				P->procs[0].h->hz, period > 0 ? 1 / period : 0);
		else
			fprintf(f, "mechanism: SIGPROF sampling (setitimer ITIMER_PROF; %u Hz asked, %.0f Hz got: CPU timers fire on kernel ticks), stacks by libunwind\n"
				"note: perf_event not used: %s\n",
				P->nprocs ? P->procs[0].h->hz : 0, period > 0 ? 1 / period : 0,
				!P->nprocs ? "?" : P->procs[0].h->perf_errno < 0 ?
				"turned off (BENCH_PROF_PERF=0)" :
				P->procs[0].h->perf_errno == EACCES || P->procs[0].h->perf_errno == EPERM ?
				"not permitted here (see /proc/sys/kernel/perf_event_paranoid)" :
				strerror(P->procs[0].h->perf_errno));
		fprintf(f, "cost: the sampler ran %.1f ms in all, %.2f%% of the CPU profiled\n\n",
			handler / 1e6, total > 0 ? handler / 1e9 / total * 100 : 0.0);
	} else if (P->kind == PROF_COUNT) {
		uint64_t calls = 0;

		for (size_t i = 0; i < n; i++)
			calls += v[i]->calls;
		fprintf(f, "%" PRIu64 " calls of %zu instrumented functions in %zu process%s\n",
			calls, n, P->nprocs, P->nprocs == 1 ? "" : "es");
		fprintf(f, "mechanism: exact counts through -finstrument-functions; %.0f ns per call measured at start and subtracted from the times\n\n",
			P->nprocs ? (double)P->procs[0].h->overhead_ns : 0.0);
	}
	for (size_t i = 0; i < P->nprocs; i++)
		fprintf(f, "process %" PRIu64 " %s%s\n", P->procs[i].h->pid,
			ended(&P->procs[i], how, sizeof(how)),
			P->procs[i].h->dropped ? " (buffer full: some samples dropped)" : "");
	fputc('\n', f);
	if (!v)
		return;
	qsort(v, n, sizeof(*v), by_key);
	if (P->kind == PROF_MEM) {
		uint64_t peak = 0;

		for (size_t i = 0; i < P->nprocs; i++)
			if (P->procs[i].end && P->procs[i].end->peak_heap > peak)
				peak = P->procs[i].end->peak_heap;
		fprintf(f, "peak heap %.2f MiB\n\n", (double)peak / 1048576);
		fprintf(f, "%12s %10s %12s %8s  %s\n", "bytes", "allocs", "live at exit",
			"live", "filename:lineno(function)");
		for (size_t i = 0; i < n && i < top; i++)
			fprintf(f, "%12.0f %10" PRIu64 " %12.0f %8" PRIu64 "  %s:%u(%s)\n",
				v[i]->self, v[i]->count, v[i]->live, v[i]->live_count,
				v[i]->file, v[i]->line, v[i]->name);
		free(v);
		return;
	}
	fprintf(f, "%9s %9s %9s %9s %9s  %s\n", "ncalls", "tottime", "percall", "cumtime",
		"percall", "filename:lineno(function)");
	for (size_t i = 0; i < n && i < top; i++) {
		double tt = P->kind == PROF_CPU ? v[i]->self * period : v[i]->self / 1e9;
		double ct = P->kind == PROF_CPU ? v[i]->cum * period : v[i]->cum / 1e9;
		char calls[24] = "-", pc1[24] = "-", pc2[24] = "-";

		if (v[i]->calls) {
			snprintf(calls, sizeof(calls), "%" PRIu64, v[i]->calls);
			snprintf(pc1, sizeof(pc1), "%.3g", tt / (double)v[i]->calls);
			snprintf(pc2, sizeof(pc2), "%.3g", ct / (double)v[i]->calls);
		}
		fprintf(f, "%9s %9.3f %9s %9.3f %9s  %s:%u(%s)\n", calls, tt, pc1, ct, pc2,
			v[i]->file, v[i]->line, v[i]->name);
	}
	free(v);
}

/* ---- files --------------------------------------------------------------------- */

struct line {
	char *text;
	double w;
};

static int cmp_line(const void *a, const void *b)
{
	return strcmp(((const struct line *)a)->text, ((const struct line *)b)->text);
}

/* "root;...;leaf weight" per stack, identical stacks merged. */
static int write_collapsed(FILE *f, struct profile *P)
{
	struct line *v = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < P->nprocs; i++) {
		const struct proc *p = &P->procs[i];
		size_t m = P->kind == PROF_MEM ? p->nsites : p->nsamples;

		for (size_t k = 0; k < m; k++) {
			const uint32_t *fr = P->kind == PROF_MEM ? P->site_frames[i][k] : P->frames[i][k];
			uint32_t d = P->kind == PROF_MEM ? p->sites[k].s->depth : p->samples[k].depth;
			char buf[8192];
			size_t len = 0;

			for (uint32_t j = d; fr && j-- > 0;) {
				struct func *fn = FN(P, fr[j]);
				int w = snprintf(buf + len, sizeof(buf) - len, "%s%s", len ? ";" : "",
						 fn ? fn->name : "?");

				if (w < 0 || (size_t)w >= sizeof(buf) - len)
					break;
				len += (size_t)w;
			}
			if (!len || GROW(v, n, cap))
				continue;
			v[n].text = strdup(buf);
			v[n++].w = P->kind == PROF_MEM ? (double)p->sites[k].s->bytes : 1;
		}
	}
	if (v)
		qsort(v, n, sizeof(*v), cmp_line);
	for (size_t i = 0; i < n; i++) {
		double w = v[i].w;

		while (i + 1 < n && strcmp(v[i].text, v[i + 1].text) == 0) {
			free(v[i].text);
			w += v[++i].w;
		}
		fprintf(f, "%s %.0f\n", v[i].text, w);
		free(v[i].text);
	}
	free(v);
	return ferror(f) ? -1 : 0;
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static const char *thread_name(const struct proc *p, uint32_t tid)
{
	for (size_t i = 0; i < p->nnames; i++)
		if (p->names[i].tid == tid)
			return p->names[i].name;
	return NULL;
}

/* Trace Event JSON: per thread, samples turned into properly nested
 * begin/end events (a frame stays open while consecutive samples share
 * it); slowlog spans as complete events; memory as counters. */
static int write_trace(FILE *f, struct profile *P)
{
	int first = 1;
	char how[128];

#define SEP() (first ? (void)(first = 0) : (void)fputs(",\n", f))
	fputs("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n", f);
	for (size_t i = 0; i < P->nprocs; i++) {
		const struct proc *p = &P->procs[i];
		char pname[200];
		uint32_t *tids = calloc(p->nsamples + p->nspans + 1, sizeof(*tids));
		size_t ntids = 0;

		snprintf(pname, sizeof(pname), "pid %" PRIu64 " (%s)", p->h->pid,
			 ended(p, how, sizeof(how)));
		SEP();
		fprintf(f, "{\"ph\":\"M\",\"pid\":%" PRIu64 ",\"name\":\"process_name\",\"args\":{\"name\":", p->h->pid);
		json_str(f, pname);
		fputs("}}", f);
		for (size_t k = 0; tids && k < p->nsamples; k++) {
			size_t t;

			for (t = 0; t < ntids && tids[t] != p->samples[k].tid; t++)
				;
			if (t == ntids)
				tids[ntids++] = p->samples[k].tid;
		}
		for (size_t t = 0; t < ntids; t++) {
			uint32_t open[PROF_DEPTH_MAX];
			uint32_t nopen = 0;
			uint64_t last = 0;
			const char *tn = thread_name(p, tids[t]);

			SEP();
			fprintf(f, "{\"ph\":\"M\",\"pid\":%" PRIu64 ",\"tid\":%u,\"name\":\"thread_name\",\"args\":{\"name\":",
				p->h->pid, tids[t]);
			json_str(f, tn ? tn : "thread");
			fputs("}}", f);
			for (size_t k = 0; k < p->nsamples; k++) {
				const struct sample *s = &p->samples[k];
				const uint32_t *fr = P->frames[i][k];
				uint32_t cur[PROF_DEPTH_MAX], n = 0, c = 0;
				double ts = (double)(s->t - P->t0) / 1e3;

				if (s->tid != tids[t] || !fr)
					continue;
				for (uint32_t j = s->depth; j-- > 0;) /* root first */
					cur[n++] = fr[j];
				while (c < n && c < nopen && FN(P, cur[c]) == FN(P, open[c]))
					c++;
				while (nopen > c) {
					SEP();
					fprintf(f, "{\"ph\":\"E\",\"pid\":%" PRIu64 ",\"tid\":%u,\"ts\":%.3f}",
						p->h->pid, tids[t], ts);
					nopen--;
				}
				for (; nopen < n; nopen++) {
					struct func *fn = FN(P, cur[nopen]);

					open[nopen] = cur[nopen];
					SEP();
					fprintf(f, "{\"ph\":\"B\",\"pid\":%" PRIu64 ",\"tid\":%u,\"ts\":%.3f,\"cat\":\"cpu\",\"name\":",
						p->h->pid, tids[t], ts);
					json_str(f, fn ? fn->name : "?");
					fputc('}', f);
				}
				last = s->t;
			}
			while (nopen > 0) {
				SEP();
				fprintf(f, "{\"ph\":\"E\",\"pid\":%" PRIu64 ",\"tid\":%u,\"ts\":%.3f}",
					p->h->pid, tids[t],
					(double)(last - P->t0) / 1e3 + (p->h->hz ? 1e3 / p->h->hz : 0));
				nopen--;
			}
		}
		free(tids);
		for (size_t k = 0; k < p->nspans; k++) {
			const struct span *s = &p->spans[k];

			SEP();
			fprintf(f, "{\"ph\":\"X\",\"pid\":%" PRIu64 ",\"tid\":%u,\"ts\":%.3f,\"dur\":%.3f,\"cat\":\"slowlog\",\"name\":",
				p->h->pid, s->tid, (double)(s->start - P->t0) / 1e3,
				(double)(s->end - s->start) / 1e3);
			json_str(f, s->name);
			fputc('}', f);
		}
		for (size_t k = 0; k < p->nmem; k++) {
			SEP();
			fprintf(f, "{\"ph\":\"C\",\"pid\":%" PRIu64 ",\"name\":\"memory\",\"ts\":%.3f,\"args\":{\"heap_MiB\":%.3f,\"rss_MiB\":%.3f}}",
				p->h->pid, (double)(p->mem[k].t - P->t0) / 1e3,
				(double)p->mem[k].heap / 1048576, (double)p->mem[k].rss / 1048576);
		}
	}
	fputs("\n]}\n", f);
#undef SEP
	return ferror(f) ? -1 : 0;
}

/* callgrind's format for one process: self cost per function and line,
 * then its calls with their inclusive cost. */
struct cg_cost {
	struct func *fn, *callee;
	unsigned line, callee_line;
	double cost;
	uint64_t calls;
};

static int cmp_cg(const void *a, const void *b)
{
	const struct cg_cost *x = a, *y = b;

	if (x->fn != y->fn)
		return x->fn->id < y->fn->id ? -1 : 1;
	if ((x->callee == NULL) != (y->callee == NULL))
		return x->callee ? 1 : -1;
	if (x->callee != y->callee)
		return x->callee->id < y->callee->id ? -1 : 1;
	return (x->line > y->line) - (x->line < y->line);
}

static int add_cg(struct cg_cost **v, size_t *n, size_t *cap, struct cg_cost c)
{
	for (size_t i = *n; i-- > 0 && i + 64 > *n;)
		if ((*v)[i].fn == c.fn && (*v)[i].callee == c.callee && (*v)[i].line == c.line) {
			(*v)[i].cost += c.cost;
			(*v)[i].calls += c.calls;
			return 0;
		}
	if (GROW(*v, *n, *cap))
		return -1;
	(*v)[(*n)++] = c;
	return 0;
}

static int write_callgrind(FILE *f, struct profile *P, size_t i, const char *cmd)
{
	const struct proc *p = &P->procs[i];
	struct cg_cost *v = NULL;
	size_t n = 0, cap = 0;
	double total = 0;

	if (P->kind == PROF_CPU) {
		for (size_t k = 0; k < p->nsamples; k++) {
			const uint32_t *fr = P->frames[i][k];
			uint32_t d = p->samples[k].depth;

			if (!fr || !d || !FN(P, fr[0]))
				continue;
			total += 1;
			add_cg(&v, &n, &cap, (struct cg_cost){ FN(P, fr[0]), NULL,
				LOC(P, fr[0])->line, 0, 1, 0 });
			for (uint32_t j = 1; j < d; j++) {
				struct func *caller = FN(P, fr[j]), *callee = FN(P, fr[j - 1]);
				int again = 0;

				if (!caller || !callee)
					continue;
				/* Inclusive cost once per sample for an edge. */
				for (uint32_t q = j + 1; q < d && !again; q++)
					again = FN(P, fr[q]) == caller && FN(P, fr[q - 1]) == callee;
				if (!again)
					add_cg(&v, &n, &cap, (struct cg_cost){ caller, callee,
						LOC(P, fr[j])->line, callee->line, 1, 1 });
			}
		}
	} else {
		for (size_t k = 0; k < p->nfuncs; k++) {
			struct func *fn = FN(P, P->fn_locs[i][k]);
			const struct prof_func *c = p->funcs[k];
			double self = fmax(0, (double)c->self_ns -
						      (double)p->h->overhead_ns * (double)c->child_calls);

			if (!fn)
				continue;
			total += self;
			add_cg(&v, &n, &cap, (struct cg_cost){ fn, NULL, fn->line, 0, self, 0 });
		}
		for (size_t k = 0; k < p->nedges; k++) {
			struct func *a = FN(P, P->edge_locs[i][2 * k]), *b = FN(P, P->edge_locs[i][2 * k + 1]);

			/* Calibrated as the functions' own times: the hooks of
			 * every call below this one cost o each. */
			if (a && b)
				add_cg(&v, &n, &cap, (struct cg_cost){ a, b, a->line, b->line,
					fmax(0, (double)p->edges[k]->incl_ns -
						(double)p->h->overhead_ns *
						(double)(p->edges[k]->desc_calls + p->edges[k]->calls)),
					p->edges[k]->calls });
		}
	}
	if (v)
		qsort(v, n, sizeof(*v), cmp_cg);
	fprintf(f, "# callgrind format\nversion: 1\ncreator: bench profile\npid: %" PRIu64 "\ncmd: %s\n"
		"positions: line\nevents: %s\nsummary: %.0f\n\n", p->h->pid, cmd,
		P->kind == PROF_CPU ? "Samples" : "Nanoseconds", total);
	for (size_t k = 0; k < n; k++) {
		if (k == 0 || v[k].fn != v[k - 1].fn) {
			fprintf(f, "fl=%s\nfn=%s\n", v[k].fn->file ? v[k].fn->file : "?", v[k].fn->name);
		}
		if (!v[k].callee) {
			fprintf(f, "%u %.0f\n", v[k].line, v[k].cost);
			continue;
		}
		fprintf(f, "cfl=%s\ncfn=%s\ncalls=%" PRIu64 " %u\n%u %.0f\n",
			v[k].callee->file ? v[k].callee->file : "?", v[k].callee->name,
			v[k].calls, v[k].callee_line, v[k].line, v[k].cost);
	}
	free(v);
	return ferror(f) ? -1 : 0;
}

/* mprof's curve: heap and RSS over time, a block per process. */
static int draw_memory(struct profile *P, const char *dir)
{
	char data[PATH_MAX], labels[1024] = "", vars[1200], paths[2][4096];
	FILE *f;
	int blocks = 0, rc;

	snprintf(data, sizeof(data), "%s/memory.tsv", dir);
	if (!(f = fopen(data, "w")))
		return -1;
	fputs("# seconds\theap_MiB\trss_MiB\n", f);
	for (size_t i = 0; i < P->nprocs; i++) {
		const struct proc *p = &P->procs[i];

		if (!p->nmem)
			continue;
		if (blocks++)
			fputs("\n\n", f);
		snprintf(labels + strlen(labels), sizeof(labels) - strlen(labels), "%spid %" PRIu64,
			 labels[0] ? " " : "", p->h->pid);
		for (size_t k = 0; k < p->nmem; k++)
			fprintf(f, "%.4f\t%.4f\t%.4f\n", (double)(p->mem[k].t - P->t0) / 1e9,
				(double)p->mem[k].heap / 1048576, (double)p->mem[k].rss / 1048576);
	}
	if (fclose(f) != 0 || !blocks)
		return blocks ? -1 : 0;
	snprintf(vars, sizeof(vars), "blocks=%d; labels='%s';", blocks, labels);
	rc = charts_draw_template("memory", data, "heap and resident memory over time",
				  vars, dir, "profile", paths, 2);
	for (int k = 0; k < rc; k++)
		fprintf(stderr, "bench: chart %s\n", paths[k]);
	return rc < 0 ? -1 : 0;
}

/* ---- the command ----------------------------------------------------------------- */

/* libbenchprof.so (or -mem.so): $BENCH_PROF_LIB (a folder), beside the
 * binary, or installed. */
static const char *prof_lib(const char *name, char *buf, size_t len)
{
	const char *env = getenv("BENCH_PROF_LIB");
	struct stat st;

	if (env && *env) {
		snprintf(buf, len, "%s/%s", env, name);
		return stat(buf, &st) == 0 ? buf : NULL;
	}
	char exe[PATH_MAX];
	ssize_t n;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		if ((slash = strrchr(exe, '/'))) {
			*slash = '\0';
			snprintf(buf, len, "%s/%s", exe, name);
			if (stat(buf, &st) == 0)
				return buf;
			snprintf(buf, len, "%s/../lib/bench/%s", exe, name);
			if (stat(buf, &st) == 0)
				return buf;
		}
	}
	return NULL;
}

static int write_file(const char *dir, const char *name,
		      int (*fn)(FILE *, struct profile *), struct profile *P)
{
	char path[PATH_MAX + 64];
	struct out out;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (out_open(&out, path) != 0)
		return -1;
	if (fn(out.f, P) != 0) {
		out_fail(&out);
		return -1;
	}
	if (out_commit(&out) != 0)
		return -1;
	fprintf(stderr, "bench: %s\n", path);
	return 0;
}

static const struct option profile_opts[] = {
	{ "cpu", no_argument, NULL, 'C' },
	{ "count", no_argument, NULL, 'N' },
	{ "mem", no_argument, NULL, 'M' },
	{ "hz", required_argument, NULL, 'z' },
	{ "interval", required_argument, NULL, 'I' },
	{ "sort", required_argument, NULL, 's' },
	{ "top", required_argument, NULL, 't' },
	{ "dir", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int cmd_profile(int argc, char **argv)
{
	const char *dir = "profile", *kind_name = NULL;
	uint64_t hz = 997, interval = 10, top = 30;
	char lib[PATH_MAX + 64], preload[PATH_MAX * 2], cmdline[1024] = "";
	char **child = NULL, exe[PATH_MAX];
	struct bench_command cmd = { 0 };
	struct bench_command_opts io = {
		{ BENCH_STREAM_INHERIT, BENCH_STREAM_INHERIT, BENCH_STREAM_INHERIT },
		{ 0, 0, 0 }, SIGINT, 3 * BENCH_NS_PER_S,
	};
	struct bench_command_result res;
	struct bench_err err = { 0 };
	struct profile P = { 0 };
	size_t nchild = 0;
	int c, status = 0, kind = 0;
	bench_ns started;
	DIR *d;
	struct dirent *e;

	opterr = 0;
	optind = 1;
	/* '+': options after WORKLOAD are bench run's, after -- the program's. */
	while ((c = getopt_long(argc, argv, "+:d:h", profile_opts, NULL)) != -1) {
		switch (c) {
		case 'C': case 'N': case 'M':
			if (kind)
				return usage_error("profile", "give one of --cpu, --count and --mem");
			kind = c == 'C' ? PROF_CPU : c == 'N' ? PROF_COUNT : PROF_MEM;
			kind_name = c == 'C' ? "cpu" : c == 'N' ? "count" : "mem";
			break;
		case 'z':
			if (parse_u64("profile", "--hz", optarg, 1, 10000, &hz))
				return EXIT_USAGE;
			break;
		case 'I':
			if (parse_u64("profile", "--interval", optarg, 1, 10000, &interval))
				return EXIT_USAGE;
			break;
		case 's':
			if (strcmp(optarg, "tottime") && strcmp(optarg, "cumtime") &&
			    strcmp(optarg, "ncalls"))
				return usage_error("profile", "--sort '%s': expected tottime, cumtime or ncalls",
						   optarg);
			sort_key = optarg;
			break;
		case 't':
			if (parse_u64("profile", "--top", optarg, 1, 100000, &top))
				return EXIT_USAGE;
			break;
		case 'd':
			dir = optarg;
			break;
		case 'h':
			print_help("profile", stdout);
			return 0;
		default:
			return bad_option("profile", argv, c);
		}
	}
	if (!kind)
		return usage_error("profile", "expected --cpu, --count or --mem");
	if (optind >= argc)
		return usage_error("profile", "expected a workload, or -- and a program to run");
	if (strcmp(argv[optind - 1], "--") != 0) {
		/* A workload: bench run it, once, serially unless told. */
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		static char *fixed[] = { "--mode", "serial", "--repeat", "1", "--warmup",
					 "0", "--no-save", "--quiet" };

		if (n <= 0)
			return usage_error("profile", "cannot find bench's own executable");
		exe[n] = '\0';
		if (!find_workload("profile", argv[optind]))
			return EXIT_USAGE;
		child = calloc((size_t)(argc - optind) + 12, sizeof(*child));
		if (!child)
			return 1;
		child[nchild++] = exe;
		child[nchild++] = "run";
		child[nchild++] = argv[optind];
		for (size_t i = 0; i < sizeof(fixed) / sizeof(*fixed); i++)
			child[nchild++] = fixed[i];
		for (int i = optind + 1; i < argc; i++)
			child[nchild++] = argv[i];
	} else {
		child = calloc((size_t)(argc - optind) + 1, sizeof(*child));
		if (!child)
			return 1;
		for (int i = optind; i < argc; i++)
			child[nchild++] = argv[i];
	}
	for (size_t i = 0; i < nchild; i++)
		snprintf(cmdline + strlen(cmdline), sizeof(cmdline) - strlen(cmdline), "%s%s",
			 i ? " " : "", child[i]);
	if (!prof_lib(kind == PROF_MEM ? "libbenchprof-mem.so" : "libbenchprof.so", lib,
		      sizeof(lib))) {
		free(child);
		error("cannot find libbenchprof%s.so (build it with make, or set BENCH_PROF_LIB to its folder)",
		      kind == PROF_MEM ? "-mem" : "");
		return 1;
	}
	if (bench_command_init(&cmd, child, nchild, &err) != 0) {
		free(child);
		error("%s", err.msg);
		return 1;
	}
	free(child);
	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		bench_command_release(&cmd);
		error("cannot create %s: %s", dir, strerror(errno));
		return 1;
	}
	/* Files of an earlier profile in the folder would mix in. */
	if ((d = opendir(dir))) {
		while ((e = readdir(d)))
			if (strncmp(e->d_name, "prof.", 5) == 0 ||
			    strncmp(e->d_name, "callgrind.out.", 14) == 0 ||
			    strncmp(e->d_name, "profile.", 8) == 0 ||
			    strncmp(e->d_name, "profile-", 8) == 0 ||
			    strncmp(e->d_name, "memory.", 7) == 0) {
				char old[PATH_MAX + 300];

				snprintf(old, sizeof(old), "%s/%s", dir, e->d_name);
				unlink(old);
			}
		closedir(d);
	}
	{
		const char *old = getenv("LD_PRELOAD");
		char num[32], abs[PATH_MAX];

		snprintf(preload, sizeof(preload), "%s%s%s", lib, old && *old ? ":" : "",
			 old && *old ? old : "");
		setenv("LD_PRELOAD", preload, 1);
		setenv("BENCH_PROF", kind_name, 1);
		setenv("BENCH_PROF_DIR", realpath(dir, abs) ? abs : dir, 1);
		snprintf(num, sizeof(num), "%llu", (unsigned long long)hz);
		setenv("BENCH_PROF_HZ", num, 1);
		snprintf(num, sizeof(num), "%llu", (unsigned long long)interval);
		setenv("BENCH_PROF_INTERVAL_MS", num, 1);
	}
	install_signal_handlers();
	started = bench_clock_now();
	status = bench_command_run(&cmd, &io, &res, &err);
	unsetenv("LD_PRELOAD");
	bench_command_release(&cmd);
	if (status && status != BENCH_ECANCELED) {
		error("%s", err.msg);
		return 1;
	}
	{
		char how[128];

		fprintf(stderr, "bench: %s %s after %.2f s%s\n", cmdline,
			status == BENCH_ECANCELED ? "was interrupted" :
			bench_command_describe(&res, how, sizeof(how)),
			(double)(bench_clock_now() - started) / 1e9,
			status == BENCH_ECANCELED ? "; what it collected is saved" : "");
	}
	/* Every process's file. */
	P.kind = kind;
	if ((d = opendir(dir))) {
		size_t cap = 0;

		while ((e = readdir(d))) {
			char path[PATH_MAX + 300];
			size_t len = strlen(e->d_name);

			if (strncmp(e->d_name, "prof.", 5) != 0 || len < 9 ||
			    strcmp(e->d_name + len - 4, ".bin") != 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			if (GROW(P.procs, P.nprocs, cap))
				break;
			if (load_proc(path, &P.procs[P.nprocs], &err) == 0)
				P.nprocs++;
			else
				free_proc(&P.procs[P.nprocs]);
		}
		closedir(d);
	}
	if (P.nprocs == 0) {
		error("no profile was written in %s: the program ended before the profiler started, or is statically linked (LD_PRELOAD needs a dynamic program)",
		      dir);
		return 1;
	}
	if (build(&P) != 0) {
		error("out of memory");
		return 1;
	}
	tally(&P);
	print_table(stdout, &P, (unsigned)top);
	if (kind == PROF_COUNT && P.S.nfuncs == 0)
		fprintf(stderr, "bench: note: no instrumented function ran: build the program with -finstrument-functions (and -fno-omit-frame-pointer)\n");
	if (kind != PROF_COUNT && write_file(dir, kind == PROF_MEM ? "memory.collapsed" : "profile.collapsed",
					     write_collapsed, &P) != 0)
		status = 1;
	if (write_file(dir, kind == PROF_MEM ? "memory.trace.json" : "profile.trace.json",
		       write_trace, &P) != 0)
		status = 1;
	if (kind != PROF_MEM) {
		for (size_t i = 0; i < P.nprocs; i++) {
			char path[PATH_MAX + 64];
			struct out out;

			snprintf(path, sizeof(path), "%s/callgrind.out.%" PRIu64, dir,
				 P.procs[i].h->pid);
			if (out_open(&out, path) != 0 ||
			    write_callgrind(out.f, &P, i, cmdline) != 0) {
				out_fail(&out);
				status = 1;
				continue;
			}
			if (out_commit(&out) != 0)
				status = 1;
			else
				fprintf(stderr, "bench: %s\n", path);
		}
	} else if (draw_memory(&P, dir) != 0) {
		status = 1;
	}
	for (size_t i = 0; i < P.nprocs; i++) {
		for (size_t k = 0; k < P.procs[i].nsamples; k++)
			free(P.frames[i][k]);
		for (size_t k = 0; k < P.procs[i].nsites; k++)
			free(P.site_frames[i][k]);
		free(P.frames[i]);
		free(P.site_frames[i]);
		free(P.fn_locs[i]);
		free(P.edge_locs[i]);
		free_proc(&P.procs[i]);
	}
	free(P.frames);
	free(P.site_frames);
	free(P.fn_locs);
	free(P.edge_locs);
	free(P.procs);
	for (size_t i = 0; i < P.S.nfuncs; i++) {
		free(P.S.funcs[i]->name);
		free(P.S.funcs[i]->file);
		free(P.S.funcs[i]);
	}
	for (size_t i = 0; i < P.S.nlocs; i++)
		free(P.S.locs[i].file);
	for (size_t i = 0; i < P.S.nmodules; i++)
		free(P.S.modules[i]);
	free(P.S.funcs);
	free(P.S.locs);
	free(P.S.slot);
	free(P.S.modules);
	if (bench_canceled())
		return EXIT_INTERRUPTED;
	return status;
}
