/*
 * checkpoint.c - the thread-local hook of checkpoint.h.
 */
#include "checkpoint.h"

_Thread_local const struct bench__checkpoint_hook *bench__checkpoint_current;
