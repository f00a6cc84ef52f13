/*
 * empty_fn.h - the function both empty-call harnesses time (timeit_empty.c
 * and gbench_empty.cc): one declaration, so the C and the C++ side cannot
 * disagree about what they call.
 */
#ifndef EMPTY_FN_H
#define EMPTY_FN_H

#ifdef __cplusplus
extern "C" {
#endif

/* Does nothing; arg is ignored. Defined in empty_fn.c. */
void empty(void *arg);

#ifdef __cplusplus
}
#endif

#endif
