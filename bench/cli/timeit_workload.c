/*
 * timeit_workload.c - `bench timeit WORKLOAD`: times one call of a
 * workload (one pass over its prepared input in one mode) with the
 * library's bench_timeit(), in bench's own process.
 *
 * Every call's result is checked against the first call's checksum, as
 * in `bench run`: timing a call that computed something else is no
 * timing. A failed or mismatched call cancels the loop at once.
 */
#include <string.h>

#include "timeit.h"

/* One call's work and what the calls so far found. */
struct call {
	const struct bench_workload *wl;
	void *state;                 /* the prepared input */
	const struct bench_executor *mode;
	struct bench_exec_opts eo;
	uint64_t items;              /* items in one call */
	char checksum[BENCH_CHECKSUM_MAX]; /* the first call's */
	int rc;                      /* first failure */
	struct bench_err err;        /* its message */
};

static void one_call(void *arg)
{
	struct call *c = arg;
	struct bench_sample s;
	char sum[BENCH_CHECKSUM_MAX];
	int rc;

	if (c->rc)
		return;
	if (c->wl->rewind && (rc = c->wl->rewind(c->state, &c->err))) {
		c->rc = rc;
		return;
	}
	rc = bench_exec(c->mode, c->wl, c->state, &c->eo, &s, &c->err);
	if (rc) {
		c->rc = rc;
		bench_cancel(); /* stop the loop: nothing more to learn */
		return;
	}
	c->wl->checksum(s.result, sum);
	if (!c->checksum[0]) {
		memcpy(c->checksum, sum, sizeof(sum));
	} else if (strcmp(sum, c->checksum) != 0) {
		c->rc = bench_err_set(&c->err, BENCH_EVERIFY,
				      "checksum mismatch between calls: %s then %s",
				      c->checksum, sum);
		bench_cancel();
	}
}

int timeit_workload(const struct bench_workload *wl, struct bench_params *p,
		    const struct bench_timeit_opts *to,
		    const struct bench_executor *mode, unsigned workers)
{
	struct bench_timeit_result r;
	struct call call = { .wl = wl, .mode = mode };
	struct bench_err err = { 0 };
	char label[256], tail[BENCH_CHECKSUM_MAX + 16];
	int n, rc;

	if (bench_workload_params(wl, p, &err) != 0)
		return usage_error("timeit", "%s", err.msg);
	if ((rc = wl->prepare(p, &call.state, &err)) != 0) {
		error("%s", err.msg);
		return exit_status(rc);
	}
	call.eo.workers = mode->flags & BENCH_EXEC_REFERENCE ? 1 :
			  workers ? workers : bench_cpus();
	call.items = wl->item_count(call.state);
	call.eo.chunk = bench_auto_chunk(wl, call.items, call.eo.workers);
	install_signal_handlers();
	rc = bench_timeit(one_call, &call, to, &r, &err);
	wl->release(call.state);
	if (call.rc) {
		if (call.rc == BENCH_ECANCELED)
			error("interrupted");
		else
			error("%s", call.err.msg);
		bench_timeit_release(&r);
		return exit_status(call.rc);
	}
	if (rc) {
		error("%s", rc == BENCH_ECANCELED ? "interrupted" : err.msg);
		return exit_status(rc);
	}
	n = snprintf(label, sizeof(label), "%s (%s", wl->name,
		     mode->name);
	if (!(mode->flags & BENCH_EXEC_REFERENCE))
		n += snprintf(label + n, sizeof(label) - (size_t)n, " x%u",
			      call.eo.workers);
	n += snprintf(label + n, sizeof(label) - (size_t)n, ", %llu %s",
		      (unsigned long long)call.items, wl->item_desc);
	if (wl->describe) {
		char what[200];

		wl->describe(p, 1, what, sizeof(what));
		n += snprintf(label + n, sizeof(label) - (size_t)n, "%s", what);
	}
	snprintf(label + n, sizeof(label) - (size_t)n, ")");
	snprintf(tail, sizeof(tail), "; checksum %s", call.checksum);
	timeit_print(label, &r, to, tail);
	bench_timeit_release(&r);
	return 0;
}
