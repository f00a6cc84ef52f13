/*
 * symbols.c - naming the addresses of a profile: which module each falls
 * in (the process's maps), where that is in the ELF file's own terms,
 * then the function (nm) and the file:line (addr2line) there.
 *
 * binutils rather than a DWARF library because the compiler already
 * brings them, and they know every format the toolchain writes. Both run
 * through bench's run_command module (bench/include/bench/command.h),
 * with their input and output in memory files, never through a shell.
 *
 * The design choice to know: every address is interned once as a loc,
 * (module, address in the file), in a hash, and then each module is
 * resolved with one nm and one addr2line run for all its locs, however
 * many samples or processes name them. Functions are merged by name
 * across modules and processes; a return address is looked up one byte
 * back, so a frame's line is the call's, and a function inlined into
 * another counts as the one it was inlined into. Code with no symbol (a
 * stripped library's internal functions) is named after its library and
 * the function start its unwind tables give, so that distinct functions
 * never merge into one that seems to call itself.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "report.h"

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

/* A file in memory (a temporary one where memfd_create is refused). */
static int scratch_file(void)
{
	int fd = memfd_create("bench-profile", MFD_CLOEXEC);

	if (fd < 0)
		fd = open(P_tmpdir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	return fd;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* fd's whole contents, NUL-terminated, into *out (malloc'd). */
static int read_all(int fd, char **out)
{
	struct stat st;
	size_t len = 0;

	if (fstat(fd, &st) != 0 || !(*out = malloc((size_t)st.st_size + 1)))
		return -1;
	while (len < (size_t)st.st_size) {
		ssize_t n = pread(fd, *out + len, (size_t)st.st_size - len, (off_t)len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	(*out)[len] = '\0';
	return 0;
}

/*
 * Runs argv (no shell) with in as its standard input and collects its
 * standard output into *out (malloc'd, NUL-terminated; the caller frees
 * it, also on failure). Its stderr goes to /dev/null. Returns 0 when the
 * tool exited with status 0, -1 otherwise (not found, failed, killed,
 * interrupted). Input and output are memory files, not pipes: the run
 * blocks until the tool ends, and a pipe's buffer would fill first.
 */
static int pipe_tool(char *const argv[], const char *in, size_t inlen, char **out)
{
	struct bench_command cmd = { 0 };
	struct bench_command_opts io = { 0 };
	struct bench_command_result res;
	struct bench_err err = { 0 };
	int infd = -1, outfd, rc = -1;
	size_t argc = 0;

	*out = NULL;
	while (argv[argc])
		argc++;
	if (bench_command_init(&cmd, argv, argc, &err) != 0)
		return -1;
	if ((outfd = scratch_file()) < 0)
		goto done;
	if (inlen > 0) {
		if ((infd = scratch_file()) < 0 || write_all(infd, in, inlen) != 0 ||
		    lseek(infd, 0, SEEK_SET) != 0)
			goto done;
		io.stream[0] = BENCH_STREAM_FD;
		io.fd[0] = infd;
	}
	io.stream[1] = BENCH_STREAM_FD;
	io.fd[1] = outfd;
	if (bench_command_run(&cmd, &io, &res, &err) == 0 && read_all(outfd, out) == 0 &&
	    res.exited && res.exit_code == 0)
		rc = 0;
done:
	if (infd >= 0)
		close(infd);
	if (outfd >= 0)
		close(outfd);
	bench_command_release(&cmd);
	return rc;
}

/* ---- code without symbols: the unwind tables' functions ----------------------- */

/*
 * A stripped library keeps only its exported symbols: its internal
 * functions would all be one "[libcrypto.so.3]", a function that seems to
 * call itself and make callgrind's inclusive costs pass 100%. Its unwind
 * tables, which strip keeps since unwinding needs them, still say where
 * each function starts and ends: .eh_frame_hdr's sorted table of function
 * starts, each pointing to the FDE that gives the function's length. Such
 * code is named after its library and its function's start,
 * "libcrypto.so.3+0x1a2b30" (objdump --start-address finds it); code no
 * table entry covers, after its 4 KiB page, "libcrypto.so.3+0x1a2000-0x1a3000".
 */
struct unwind_index {
	const unsigned char *p;   /* the file, mapped */
	size_t len;
	const Elf64_Phdr *ph;     /* its program headers */
	unsigned nph;
	uint64_t hdr_vaddr;       /* .eh_frame_hdr's address */
	const unsigned char *table; /* (start, fde) int32 pairs, from hdr_vaddr */
	size_t n;                 /* pairs, 0: no usable table */
};

#define DW_EH_PE_OMIT 0xff

/* Bytes of a DWARF pointer encoding's value, 0 for variable or unknown. */
static unsigned enc_size(unsigned enc)
{
	switch (enc & 0x0f) {
	case 0x00: case 0x04: case 0x0c: return 8;  /* absptr, udata8, sdata8 */
	case 0x02: case 0x0a: return 2;             /* udata2, sdata2 */
	case 0x03: case 0x0b: return 4;             /* udata4, sdata4 */
	default: return 0;
	}
}

static uint64_t read_le(const unsigned char *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = n; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

/* A LEB128 number at *at (before end), moving *at past it; -1 past end. */
static int read_leb(const unsigned char **at, const unsigned char *end, uint64_t *v)
{
	unsigned shift = 0;

	*v = 0;
	while (*at < end && shift < 64) {
		unsigned char b = *(*at)++;

		*v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80))
			return 0;
	}
	return -1;
}

/* The file offset of ELF address v, or -1. */
static int64_t vaddr_offset(const struct unwind_index *u, uint64_t v)
{
	for (unsigned i = 0; i < u->nph; i++)
		if (u->ph[i].p_type == PT_LOAD && v >= u->ph[i].p_vaddr &&
		    v < u->ph[i].p_vaddr + u->ph[i].p_filesz)
			return (int64_t)(v - u->ph[i].p_vaddr + u->ph[i].p_offset);
	return -1;
}

static void unwind_close(struct unwind_index *u)
{
	if (u->p)
		munmap((void *)u->p, u->len);
	memset(u, 0, sizeof(*u));
}

/* Maps path and finds its .eh_frame_hdr table; u->n stays 0 when there
 * is none the report can read (32-bit files, other encodings). */
static void unwind_open(struct unwind_index *u, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	const Elf64_Ehdr *eh;

	memset(u, 0, sizeof(*u));
	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && st.st_size >= (off_t)sizeof(Elf64_Ehdr)) {
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);

		if (m != MAP_FAILED) {
			u->p = m;
			u->len = (size_t)st.st_size;
		}
	}
	close(fd);
	if (!u->p)
		return;
	eh = (const Elf64_Ehdr *)u->p;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    eh->e_phoff > u->len || (u->len - eh->e_phoff) / sizeof(Elf64_Phdr) < eh->e_phnum)
		return;
	u->ph = (const Elf64_Phdr *)(u->p + eh->e_phoff);
	u->nph = eh->e_phnum;
	for (unsigned i = 0; i < u->nph; i++) {
		const Elf64_Phdr *ph = &u->ph[i];
		const unsigned char *h, *end;
		unsigned ptr_size, count_size;

		if (ph->p_type != PT_GNU_EH_FRAME || ph->p_offset > u->len ||
		    ph->p_filesz > u->len - ph->p_offset || ph->p_filesz < 4)
			continue;
		h = u->p + ph->p_offset;
		end = h + ph->p_filesz;
		ptr_size = enc_size(h[1]);
		count_size = enc_size(h[2]);
		/* Version 1; the table as sorted (start, fde) pairs of signed
		 * 32-bit offsets from the header (datarel | sdata4): what GNU
		 * ld, gold, lld and mold write. */
		if (h[0] != 1 || h[1] == DW_EH_PE_OMIT || !ptr_size || h[2] == DW_EH_PE_OMIT ||
		    !count_size || h[3] != 0x3b || (size_t)(end - h) < 4 + ptr_size + count_size)
			return;
		u->n = (size_t)read_le(h + 4 + ptr_size, count_size);
		u->table = h + 4 + ptr_size + count_size;
		if ((size_t)(end - u->table) / 8 < u->n)
			u->n = (size_t)(end - u->table) / 8;
		u->hdr_vaddr = ph->p_vaddr;
		return;
	}
}

/* The length of the function whose FDE is at ELF address fde; 0 when it
 * cannot be read. */
static uint64_t fde_length(const struct unwind_index *u, uint64_t fde)
{
	int64_t off = vaddr_offset(u, fde), cie;
	const unsigned char *end = u->p + u->len, *q;
	const char *aug;
	unsigned enc = 0, size;
	uint64_t v;

	if (off < 0 || (size_t)off > u->len - 12 ||
	    read_le(u->p + off, 4) == 0 || read_le(u->p + off, 4) >= 0xfffffff0u)
		return 0;
	/* The CIE pointer counts back from its own field. */
	cie = off + 4 - (int64_t)read_le(u->p + off + 4, 4);
	if (cie < 0 || (size_t)cie > u->len - 10 || read_le(u->p + cie + 4, 4) != 0)
		return 0;
	aug = (const char *)u->p + cie + 9;
	q = memchr(aug, '\0', (size_t)(end - (const unsigned char *)aug));
	if (!q || strstr(aug, "eh"))
		return 0;
	q++;
	/* Code and data alignment, the return address register. */
	if (read_leb(&q, end, &v) || read_leb(&q, end, &v))
		return 0;
	if (u->p[cie + 8] != 1 ? read_leb(&q, end, &v) != 0 : q++ == end)
		return 0;
	if (aug[0] == 'z') {
		if (read_leb(&q, end, &v))
			return 0;
		for (const char *a = aug + 1; *a; a++) {
			unsigned skip = *a == 'P' ? 1 + enc_size(q < end ? *q : 0xff) : 1;

			if (*a == 'S' || *a == 'B')
				continue;
			if ((*a != 'R' && *a != 'P' && *a != 'L') || (size_t)(end - q) < skip ||
			    (*a == 'P' && skip == 1))
				return 0;
			if (*a == 'R')
				enc = *q;
			q += skip;
		}
	}
	size = enc_size(enc);
	if (!size || (size_t)off + 8 + 2 * size > u->len)
		return 0;
	/* After the start, the length: same size, taken as it is. */
	return read_le(u->p + off + 8 + size, size);
}

/* The start of the function whose unwind table entry covers rel, in
 * *start: 1, or 0 when none does. */
static int unwind_lookup(const struct unwind_index *u, uint64_t rel, uint64_t *start)
{
	size_t lo = 0, hi = u->n;
	uint64_t fde;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (u->hdr_vaddr + (uint64_t)(int64_t)(int32_t)read_le(u->table + 8 * mid, 4) <= rel)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return 0;
	*start = u->hdr_vaddr + (uint64_t)(int64_t)(int32_t)read_le(u->table + 8 * (lo - 1), 4);
	fde = u->hdr_vaddr + (uint64_t)(int64_t)(int32_t)read_le(u->table + 8 * (lo - 1) + 4, 4);
	return rel < *start + fde_length(u, fde);
}

/* The name of code at rel in a module with no symbol for it, into buf. */
static const char *unsymbolised(const struct unwind_index *u, const char *base,
				uint64_t rel, char *buf, size_t len)
{
	uint64_t start;

	if (unwind_lookup(u, rel, &start))
		snprintf(buf, len, "%s+0x%" PRIx64, base, start);
	else
		snprintf(buf, len, "%s+0x%" PRIx64 "-0x%" PRIx64, base, rel & ~(uint64_t)0xfff,
			 (rel & ~(uint64_t)0xfff) + 0x1000);
	return buf;
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
		struct unwind_index ui = { 0 };
		int tried;

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
		tried = 0;
		for (size_t i = 0; i < S->nlocs; i++) {
			struct loc *L = &S->locs[i];
			size_t lo = 0, hi = nsyms;
			char name[320];
			uint64_t start;

			if (L->module != mod)
				continue;
			while (lo < hi) {
				size_t mid = (lo + hi) / 2;

				if (syms[mid].addr <= L->rel)
					lo = mid + 1;
				else
					hi = mid;
			}
			/* Past a sized symbol's end, or past an unsized one
			 * and into a function the unwind tables start later
			 * (a stripped library's internal code): named by its
			 * library and function start, never by a wrong name,
			 * nor all as one. A module with no file (the vDSO) is
			 * named by itself. */
			if (mod[0] == '/' && !tried) {
				unwind_open(&ui, mod);
				tried = 1;
			}
			if (lo > 0 && (syms[lo - 1].size ?
				       L->rel < syms[lo - 1].addr + syms[lo - 1].size :
				       !unwind_lookup(&ui, L->rel, &start) ||
				       start <= syms[lo - 1].addr)) {
				L->fn = func_named(S, syms[lo - 1].name, base);
			} else if (mod[0] == '/') {
				L->fn = func_named(S, unsymbolised(&ui, base, L->rel, name, sizeof(name)),
						   base);
			} else {
				snprintf(name, sizeof(name), "[%s]", base);
				L->fn = func_named(S, name, base);
			}
		}
		unwind_close(&ui);
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

static uint32_t *locs_of(struct profile *P, struct proc *p, const uint64_t *pc,
			 uint32_t n)
{
	uint32_t *v = calloc(n ? n : 1, sizeof(*v));

	/* A return address's line is the call's: look one byte back. */
	for (uint32_t k = 0; v && k < n; k++)
		v[k] = add_loc(&P->S, p, k > 0 ? pc[k] - 1 : pc[k]);
	return v;
}

int profile_resolve(struct profile *P)
{
	P->frames = calloc(P->nprocs, sizeof(*P->frames));
	P->site_frames = calloc(P->nprocs, sizeof(*P->site_frames));
	P->node_locs = calloc(P->nprocs, sizeof(*P->node_locs));
	if (!P->frames || !P->site_frames || !P->node_locs)
		return -1;
	P->t0 = UINT64_MAX;
	for (size_t i = 0; i < P->nprocs; i++) {
		struct proc *p = &P->procs[i];

		if (p->h->start_ns < P->t0)
			P->t0 = p->h->start_ns;
		P->frames[i] = calloc(p->nsamples + 1, sizeof(**P->frames));
		P->site_frames[i] = calloc(p->nsites + 1, sizeof(**P->site_frames));
		P->node_locs[i] = calloc(p->nnodes + 1, sizeof(**P->node_locs));
		if (!P->frames[i] || !P->site_frames[i] || !P->node_locs[i])
			return -1;
		for (size_t k = 0; k < p->nsamples; k++)
			P->frames[i][k] = locs_of(P, p, p->samples[k].pc, p->samples[k].depth);
		for (size_t k = 0; k < p->nsites; k++)
			P->site_frames[i][k] = locs_of(P, p, p->sites[k].pc, p->sites[k].s->depth);
		/* A function's own address, not a return address. */
		for (size_t k = 0; k < p->nnodes; k++)
			P->node_locs[i][k] = add_loc(&P->S, p, p->nodes[k].n->fn);
	}
	resolve_all(&P->S);
	return 0;
}

void profile_free_symbols(struct profile *P)
{
	for (size_t i = 0; i < P->nprocs; i++) {
		for (size_t k = 0; P->frames && P->frames[i] && k < P->procs[i].nsamples; k++)
			free(P->frames[i][k]);
		for (size_t k = 0; P->site_frames && P->site_frames[i] && k < P->procs[i].nsites; k++)
			free(P->site_frames[i][k]);
		if (P->frames)
			free(P->frames[i]);
		if (P->site_frames)
			free(P->site_frames[i]);
		if (P->node_locs)
			free(P->node_locs[i]);
	}
	free(P->frames);
	free(P->site_frames);
	free(P->node_locs);
	P->frames = P->site_frames = NULL;
	P->node_locs = NULL;
	for (size_t i = 0; i < P->S.nfuncs; i++) {
		free(P->S.funcs[i]->name);
		free(P->S.funcs[i]->file);
		free(P->S.funcs[i]);
	}
	for (size_t i = 0; i < P->S.nlocs; i++)
		free(P->S.locs[i].file);
	for (size_t i = 0; i < P->S.nmodules; i++)
		free(P->S.modules[i]);
	free(P->S.funcs);
	free(P->S.locs);
	free(P->S.slot);
	free(P->S.modules);
	memset(&P->S, 0, sizeof(P->S));
}
