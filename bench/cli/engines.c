/*
 * engines.c - the engines that cross-check bench's own timing.
 *
 * gbench runs the same bench_exec() call inside Google Benchmark's loop
 * (engine_gbench.cc), so two independent harnesses time one piece of
 * work. hyperfine times a whole `bench run` child process for one sample
 * (`hyperfine -N`, no shell) and reads its JSON export; the child's CSV
 * output gives the checksum, so its answer is verified like any other.
 * A hyperfine figure includes process start-up and preparing the input,
 * which the other engines leave out.
 */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#ifdef BENCH_HAVE_GBENCH
#include "engine_gbench.h"
#endif

#define GBENCH_MIN_TIME 0.2 /* seconds per sample, as --min-time */

struct gb_call {
	const struct bench_report *r;
	const struct bench_mode_result *mr;
	void *state;
	struct bench_exec_opts eo;
	struct bench_sample last;
	bench_ns cpu_ns;       /* summed over iterations */
	uint64_t calls;
	int rc;
	struct bench_err err;
};

#ifdef BENCH_HAVE_GBENCH
static void gb_body(void *arg)
{
	struct gb_call *c = arg;

	if (c->rc)
		return;
	if (c->r->wl->rewind && (c->rc = c->r->wl->rewind(c->state, &c->err)))
		return;
	c->rc = bench_exec(c->mr->mode, c->r->wl, c->state, &c->eo, &c->last,
			   &c->err);
	c->cpu_ns += c->last.cpu_ns;
	c->calls++;
}
#endif

static int gbench_sample(const struct bench_report *r,
			 const struct bench_mode_result *mr, void *state,
			 struct bench_sample *out, struct bench_err *err)
{
#ifdef BENCH_HAVE_GBENCH
	struct gb_call c = { .r = r, .mr = mr, .state = state };
	char msg[256];
	double real_ns;
	uint64_t iters;

	c.eo.workers = mr->workers;
	c.eo.chunk = mr->chunk;
	if (bench_gbench_sample(gb_body, &c, GBENCH_MIN_TIME, &real_ns, &iters,
				msg, sizeof(msg)) != 0)
		return bench_err_set(err, BENCH_ESYS, "gbench: %s", msg);
	if (c.rc)
		return bench_err_set(err, c.rc, "%s", c.err.msg);
	out->wall_ns = (bench_ns)(real_ns + 0.5);
	out->cpu_ns = c.calls ? c.cpu_ns / c.calls : 0;
	out->maxrss_kb = c.last.maxrss_kb;
	out->tasks = c.last.tasks;
	memcpy(out->result, c.last.result, sizeof(out->result));
	return 0;
#else
	(void)r;
	(void)mr;
	(void)state;
	(void)out;
	return bench_err_set(err, BENCH_EINVAL,
			     "engine gbench: this bench was built without Google Benchmark (install libbenchmark-dev and g++, then rebuild)");
#endif
}

/* Runs argv with stdout and stderr to files; kills its process group on
 * Ctrl-C. Returns the wait status, or -1 with err filled. */
static int run_logged(char *const argv[], const char *log,
		      struct bench_err *err)
{
	struct timespec tick = { 0, 20 * 1000000L };
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return bench_err_set(err, BENCH_ESYS, "fork: %s", strerror(errno)), -1;
	if (pid == 0) {
		FILE *f = freopen(log, "w", stdout);

		if (!f || dup2(STDOUT_FILENO, STDERR_FILENO) < 0)
			_exit(127);
		setpgid(0, 0);
		signal(SIGINT, SIG_DFL);
		execvp(argv[0], argv);
		_exit(127);
	}
	setpgid(pid, pid);
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			return status;
		if (w < 0 && errno != EINTR)
			return bench_err_set(err, BENCH_ESYS, "waitpid: %s",
					     strerror(errno)), -1;
		if (bench_canceled()) {
			kill(-pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			bench_err_set(err, BENCH_ECANCELED, "interrupted");
			return -1;
		}
		nanosleep(&tick, NULL);
	}
}

/*
 * What the child's bench.run/1 document says: its checksum, and how long
 * it spent preparing the input, which is taken off hyperfine's figure so
 * that every engine times the same work (process start-up stays in).
 */
static int child_report(const char *path, char *sum, bench_ns *prepare_ns)
{
	json_error_t jerr;
	json_t *doc = json_load_file(path, 0, &jerr);
	json_t *res = json_array_get(json_object_get(doc, "results"), 0);
	const char *c = json_string_value(json_object_get(res, "checksum"));
	json_t *prep = json_object_get(json_object_get(doc, "run"), "prepare_ns");
	int rc = -1;

	if (c && json_is_integer(prep) && json_integer_value(prep) >= 0) {
		snprintf(sum, BENCH_CHECKSUM_MAX, "%.64s", c);
		*prepare_ns = (bench_ns)json_integer_value(prep);
		rc = 0;
	}
	json_decref(doc);
	return rc;
}

static int hyperfine_sample(const struct bench_report *r,
			    const struct bench_mode_result *mr,
			    struct bench_sample *out, struct bench_err *err)
{
	char dir[] = "/tmp/bench-hyperfine-XXXXXX";
	char exe[PATH_MAX], cmd[PATH_MAX + 512], json[64], output[64], log[64];
	char *argv[16];
	json_t *doc = NULL, *res;
	json_error_t jerr;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int status, rc = BENCH_ESYS, k = 0;
	bench_ns prepare_ns = 0;

	if (n <= 0)
		return bench_err_set(err, BENCH_ESYS, "hyperfine: cannot find bench's own binary");
	exe[n] = '\0';
	if (strchr(exe, ' '))
		return bench_err_set(err, BENCH_EINVAL,
				     "engine hyperfine: bench's path '%s' has a space, which hyperfine -N would split",
				     exe);
	if (!mkdtemp(dir))
		return bench_err_set(err, BENCH_ESYS, "hyperfine: mkdtemp: %s",
				     strerror(errno));
	snprintf(json, sizeof(json), "%s/h.json", dir);
	snprintf(output, sizeof(output), "%s/out.json", dir);
	snprintf(log, sizeof(log), "%s/log", dir);
	snprintf(cmd, sizeof(cmd),
		 "%s run %s --mode %s --workers %u --size %llu --chunk %llu --seed %llu --queries %llu --max-ms %llu --repeat 1 --warmup 0 --no-save --quiet --format json",
		 exe, r->wl->name, bench_mode_name(mr->mode), mr->workers,
		 (unsigned long long)mr->size, (unsigned long long)mr->chunk,
		 (unsigned long long)r->params.seed,
		 (unsigned long long)r->params.queries,
		 (unsigned long long)r->params.max_ms);
	argv[k++] = "hyperfine";
	argv[k++] = "-N";
	argv[k++] = "--runs";
	argv[k++] = "1";
	argv[k++] = "--style";
	argv[k++] = "none";
	argv[k++] = "--export-json";
	argv[k++] = json;
	argv[k++] = "--output";
	argv[k++] = output;
	argv[k++] = cmd;
	argv[k] = NULL;
	status = run_logged(argv, log, err);
	if (status < 0) {
		rc = err->code ? err->code : BENCH_ESYS;
		goto out;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		FILE *f = fopen(log, "r");
		char line[256] = "";

		if (f) {
			while (fgets(line, sizeof(line), f) && !strstr(line, "rror"))
				;
			fclose(f);
		}
		line[strcspn(line, "\n")] = '\0';
		bench_err_set(err, BENCH_ESYS, "engine hyperfine: %s",
			      WIFEXITED(status) && WEXITSTATUS(status) == 127 ?
				      "hyperfine is not installed (apt-get install hyperfine)" :
				      line[0] ? line : "hyperfine failed");
		goto out;
	}
	doc = json_load_file(json, 0, &jerr);
	res = json_array_get(json_object_get(doc, "results"), 0);
	if (!json_is_real(json_array_get(json_object_get(res, "times"), 0)) ||
	    child_report(output, out->checksum, &prepare_ns) != 0) {
		bench_err_set(err, BENCH_ESYS, "engine hyperfine: cannot read its results");
		goto out;
	}
	out->wall_ns = (bench_ns)(json_real_value(json_array_get(json_object_get(res, "times"), 0)) * 1e9);
	out->wall_ns = out->wall_ns > prepare_ns ? out->wall_ns - prepare_ns : 0;
	out->cpu_ns = (bench_ns)((json_number_value(json_object_get(res, "user")) +
				  json_number_value(json_object_get(res, "system"))) * 1e9);
	out->tasks = mr->tasks;
	rc = 0;
out:
	json_decref(doc);
	unlink(json);
	unlink(output);
	unlink(log);
	rmdir(dir);
	return rc;
}

int engine_sample(void *ud, const struct bench_report *r,
		  const struct bench_mode_result *mr, void *state,
		  struct bench_sample *out, struct bench_err *err)
{
	(void)ud;
	switch (mr->engine) {
	case BENCH_ENGINE_GBENCH:
		return gbench_sample(r, mr, state, out, err);
	case BENCH_ENGINE_HYPERFINE:
		return hyperfine_sample(r, mr, out, err);
	default:
		return bench_err_set(err, BENCH_EINVAL, "no sampler for engine %d",
				     (int)mr->engine);
	}
}

const char *mode_label(const struct bench_mode_result *mr, char *buf,
		       size_t len)
{
	if (mr->engine == BENCH_ENGINE_NATIVE)
		snprintf(buf, len, "%s", bench_mode_name(mr->mode));
	else
		snprintf(buf, len, "%s/%s", bench_mode_name(mr->mode),
			 bench_engine_name(mr->engine));
	return buf;
}
