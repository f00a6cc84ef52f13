/*
 * fuzz.h - what the libFuzzer targets in tests/fuzz/ share (common.c).
 *
 * Each fuzz_<name>.c defines LLVMFuzzerTestOneInput (and may define
 * LLVMFuzzerInitialize) and feeds its input to bench's real parsing code,
 * the library's or the CLI's. The code under test reads files by path, so
 * inputs are written to a scratch folder (or a memfd) first; the CLI
 * prints usage errors, so its streams are sent to /dev/null while the
 * sanitizers and libFuzzer keep the real standard error.
 */
#ifndef BENCH_FUZZ_H
#define BENCH_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Sends the stdout and stderr FILEs to /dev/null (file descriptors 1 and 2
 * stay, for the sanitizers' reports), unless FUZZ_VERBOSE is set. */
void fuzz_quiet(void);

/* A scratch folder of this process (under /dev/shm when it can, else
 * $TMPDIR or /tmp), made on first use and removed at exit. */
const char *fuzz_dir(void);

/* Writes size bytes to fuzz_dir()/name (folders made as needed); returns
 * the file's path (static storage, valid until the next call) or NULL. */
const char *fuzz_write(const char *name, const void *data, size_t size);

/* The path of an in-memory file (a memfd, "/proc/self/fd/N") now holding
 * exactly data; slot 0 or 1 picks one of two files. NULL on failure. */
const char *fuzz_memfile(int slot, const void *data, size_t size);

/* data as a NUL-terminated string (malloc'd; free() it), or NULL. */
char *fuzz_strndup(const uint8_t *data, size_t size);

/* Aborts with "fuzz: invariant ... failed" when cond is false: a finding
 * of the kind the sanitizers cannot see (a wrong answer). */
#define FUZZ_ASSERT(cond)                                                   \
	((cond) ? (void)0 : fuzz_fail(__FILE__, __LINE__, #cond))
void fuzz_fail(const char *file, int line, const char *what)
	__attribute__((noreturn));

#endif
