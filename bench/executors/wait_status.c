/*
 * wait_status.c - how a worker process ended, in words, for the executors
 * that fork (process, spawn) to name a crash the same way.
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "bench/executor.h"

void bench_wait_status_text(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		const char *abbrev = sigabbrev_np(sig);

		snprintf(buf, len, "was killed by signal %d (SIG%s: %s)", sig,
			 abbrev ? abbrev : "?", strsignal(sig));
	} else if (WIFEXITED(status)) {
		snprintf(buf, len, "exited with status %d",
			 WEXITSTATUS(status));
	} else {
		snprintf(buf, len, "ended with wait status %#x", status);
	}
}
