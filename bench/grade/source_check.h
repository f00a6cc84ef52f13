/*
 * source_check.h - what a submission may not write: code that turns the
 * grader's sanitizers off for itself.
 */
#ifndef BENCH_GRADE_SOURCE_CHECK_H
#define BENCH_GRADE_SOURCE_CHECK_H

#include <stddef.h>

/* Files the compile step leaves in the submission's folder for the check:
 * its source preprocessed (gcc -E -P, plain and as the ThreadSanitizer
 * build sees it, where __SANITIZE_THREAD__ is defined) and its objects'
 * symbols (nm). */
#define SOURCE_CHECK_PRE "pre.i"
#define SOURCE_CHECK_PRE_TSAN "pre_tsan.i"      /* as the TSan build sees it */
#define SOURCE_CHECK_UNDEF "undef.txt"          /* nm -u of the plain object */
#define SOURCE_CHECK_UNDEF_ALL "undef_all.txt"  /* nm -u of the sanitized ones */
#define SOURCE_CHECK_DEFINED "defined.txt"      /* nm --defined-only of plain, TSan */

/* Looks in folder dir at the submission's source (named source), its
 * preprocessed text and its undefined symbols. Returns 1 with the reason,
 * one line naming the line and the construct, in why when it turns a
 * sanitizer's checks off or reaches the sanitizers' runtime itself; 0
 * when it does not; -1 with why when a file could not be read. */
int source_check(const char *dir, const char *source, char *why, size_t len);

#endif
