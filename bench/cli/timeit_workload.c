/*
 * timeit_workload.c - `bench timeit WORKLOAD`: times one call of a
 * workload (one pass over its prepared input in one mode) with the
 * library's bench_timeit(), in bench's own process.
 *
 * Every call's result is checked against the first call's checksum, as
 * in `bench run`: timing a call that computed something else is no
 * timing. A failed or mismatched call cancels the loop at once.
 *
 * With --engine python the call is the workload's Python version, and
 * the loop runs inside the Python engine's process (timing there leaves
 * bench's request out of every call); its answer must equal one native
 * serial pass over the same input, as a python row must in `bench run`.
 */
#include <stdlib.h>
#include <string.h>

#include "engines/python.h"
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

/* The native serial pass's checksum, which the Python calls must equal. */
static int native_answer(struct call *call, char *sum, struct bench_err *err)
{
	const struct bench_executor *ref = bench_executor_with(BENCH_EXEC_REFERENCE);
	struct bench_exec_opts eo = { .workers = 1, .chunk = call->eo.chunk };
	struct bench_sample s;
	int rc;

	if (call->wl->rewind && (rc = call->wl->rewind(call->state, err)))
		return rc;
	if ((rc = bench_exec(ref, call->wl, call->state, &eo, &s, err)))
		return rc;
	call->wl->checksum(s.result, sum);
	return 0;
}

/* The Python engine's loop: out filled as bench_timeit() fills it. */
static int python_loop(struct call *call, const struct bench_params *p,
		       const struct bench_timeit_opts *to,
		       struct bench_timeit_result *out, struct bench_err *err)
{
	char native[BENCH_CHECKSUM_MAX];
	int rc;

	if ((rc = native_answer(call, native, err)))
		return rc;
	if ((rc = python_timeit(call->wl, p, call->mode->name, call->eo.workers,
				call->eo.chunk, to, out, call->checksum, err)))
		return rc;
	if (strcmp(call->checksum, native) != 0)
		return bench_err_set(err, BENCH_EVERIFY,
				     "checksum mismatch: engine python computed %s, native serial %s on the same input",
				     call->checksum, native);
	if (bench_stats_compute(out->per_call_ns, out->repeat, &out->stats, NULL))
		return bench_err_set(err, BENCH_ENOMEM, "out of memory");
	out->best_ns = out->stats.min;
	out->worst_ns = out->stats.max;
	out->worst_far = out->worst_ns > BENCH_TIMEIT_WORST_FAR * out->best_ns;
	return 0;
}

int timeit_workload(const struct bench_workload *wl, struct bench_params *p,
		    const struct bench_timeit_opts *to,
		    const struct bench_executor *mode, unsigned workers,
		    int python)
{
	struct bench_timeit_result r = { 0 };
	struct python_about about = { 0 };
	struct call call = { .wl = wl, .mode = mode };
	struct bench_err err = { 0 };
	char label[256], tail[BENCH_CHECKSUM_MAX + 16];
	int n, rc;

	if (bench_workload_params(wl, p, &err) != 0)
		return usage_error("timeit", "%s", err.msg);
	if (python && python_available() != 0)
		return 1;
	if ((rc = wl->prepare(p, &call.state, &err)) != 0) {
		error("%s", err.msg);
		return exit_status(rc);
	}
	call.eo.workers = mode->flags & BENCH_EXEC_REFERENCE ? 1 :
			  workers ? workers : bench_cpus();
	call.items = wl->item_count(call.state);
	call.eo.chunk = bench_auto_chunk(wl, call.items, call.eo.workers);
	install_signal_handlers();
	if (python) {
		rc = python_loop(&call, p, to, &r, &err);
		call.rc = rc;
		call.err = err;
	} else {
		rc = bench_timeit(one_call, &call, to, &r, &err);
	}
	wl->release(call.state);
	if (python) {
		const struct python_about *py = python_started();

		if (py)
			about = *py; /* what the note below says */
		python_stop();
	}
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
	n = snprintf(label, sizeof(label), "%s%s (%s", wl->name,
		     python ? " in python" : "", mode->name);
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
	if (python) {
		char t[32];

		format_ns((double)about.startup_ns, t, sizeof(t));
		printf("note: python: %s %s (GIL %s), %s; started in %s (not timed); its answer equals native serial's\n",
		       about.implementation, about.version, about.gil ? "on" : "off",
		       about.executable, t);
		if (!about.numpy)
			puts(PYTHON_NO_NUMPY_NOTE);
	}
	return 0;
}
