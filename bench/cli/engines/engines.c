/*
 * engines.c - the engines that cross-check bench's own timing.
 *
 * gbench runs the same bench_exec() call inside Google Benchmark's loop
 * (gbench.cc), so two independent harnesses time one piece of
 * work. hyperfine times a whole `bench run` child process for one sample
 * (`hyperfine -N`, no shell) and reads its JSON export; the child's CSV
 * output gives the checksum, so its answer is verified like any other.
 * A hyperfine figure includes process start-up and preparing the input,
 * which the other engines leave out. python (python.c) runs the
 * workload's Python version in a server process.
 */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#ifdef BENCH_HAVE_GBENCH
#include "gbench.h"
#endif
#include "python.h"

#define GBENCH_MIN_TIME 0.2 /* seconds per sample, as --min-time */
#define LOG_MAX (64u << 10)  /* bytes of hyperfine's messages kept */

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
	c.eo.gil_ns = mr->mode->flags & BENCH_EXEC_GIL ? r->gil_ns : 0;
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

/*
 * What the child's bench.run/1 document says: its checksum, tasks, peak
 * RSS and CPU time, and how long it spent preparing the input, which is
 * taken off hyperfine's figure so that every engine times the same work
 * (process start-up stays in).
 */
static int child_report(const char *path, struct bench_sample *out,
			bench_ns *prepare_ns)
{
	json_error_t jerr;
	json_t *doc = json_load_file(path, 0, &jerr);
	json_t *res = json_array_get(json_object_get(doc, "results"), 0);
	const char *c = json_string_value(json_object_get(res, "checksum"));
	json_t *prep = json_object_get(json_object_get(doc, "run"), "prepare_ns");
	json_t *cpu = json_array_get(json_object_get(res, "cpu_samples_ns"), 0);
	int rc = -1;

	if (c && json_is_integer(prep) && json_integer_value(prep) >= 0) {
		snprintf(out->checksum, BENCH_CHECKSUM_MAX, "%.64s", c);
		*prepare_ns = (bench_ns)json_integer_value(prep);
		out->tasks = (uint64_t)json_integer_value(json_object_get(res, "tasks"));
		out->maxrss_kb = (uint64_t)json_integer_value(json_object_get(res, "maxrss_kb"));
		out->cpu_ns = json_is_integer(cpu) ? (bench_ns)json_integer_value(cpu) : 0;
		rc = 0;
	}
	json_decref(doc);
	return rc;
}

/* The first line of a log that mentions an error, for a message (a line
 * longer than len is looked at in pieces of len - 1 bytes). */
static void log_error(const char *log, char *line, size_t len)
{
	line[0] = '\0';
	while (*log && !line[0]) {
		size_t n = strcspn(log, "\n");

		n += log[n] == '\n';  /* with its newline, as fgets */
		if (n > len - 1)
			n = len - 1;
		memcpy(line, log, n);
		line[n] = '\0';
		log += n;
		if (!strstr(line, "rror"))
			line[0] = '\0';
	}
	line[strcspn(line, "\n")] = '\0';
}

/* Appends " FLAG 'VALUE'" to cmd, quoted for hyperfine -N's shell-word
 * splitting (a ' inside becomes '\''). Returns -1 when it would not fit. */
static int append_quoted(char *cmd, size_t size, const char *flag,
			 const char *value)
{
	size_t n = strlen(cmd);

	n += (size_t)snprintf(cmd + n, n < size ? size - n : 0, " %s '", flag);
	for (const char *c = value; *c && n + 5 < size; c++) {
		if (*c == '\'') {
			memcpy(cmd + n, "'\\''", 4);
			n += 4;
		} else {
			cmd[n++] = *c;
		}
	}
	if (n + 2 >= size)
		return -1;
	cmd[n++] = '\'';
	cmd[n] = '\0';
	return 0;
}

static int hyperfine_sample(const struct bench_report *r,
			    const struct bench_mode_result *mr,
			    struct bench_sample *out, struct bench_err *err)
{
	const char *tmp = getenv("TMPDIR");
	char dir[PATH_MAX], exe[PATH_MAX], self[PATH_MAX + 16], cmd[PATH_MAX + 600];
	char json[PATH_MAX + 16], output[PATH_MAX + 16];
	char *argv[12];
	struct bench_command hf = { 0 };
	struct bench_command_opts co = { 0 };
	struct bench_command_result res = { 0 };
	json_t *doc = NULL, *hres;
	json_error_t jerr;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	bench_ns prepare_ns = 0;
	int rc = BENCH_ESYS, k = 0;

	if (n <= 0)
		return bench_err_set(err, BENCH_ESYS, "engine hyperfine: cannot find bench's own binary");
	exe[n] = '\0';
	snprintf(dir, sizeof(dir), "%s/bench-hyperfine-XXXXXX",
		 tmp && tmp[0] == '/' ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return bench_err_set(err, BENCH_ESYS, "engine hyperfine: cannot create '%s': %s",
				     dir, strerror(errno));
	/* hyperfine -N splits its command like a shell would: reach bench
	 * through a link whose path needs no quoting. */
	snprintf(self, sizeof(self), "%s/bench", dir);
	snprintf(json, sizeof(json), "%s/h.json", dir);
	snprintf(output, sizeof(output), "%s/out.json", dir);
	if (strpbrk(dir, " '\"\\") || symlink(exe, self) != 0) {
		bench_err_set(err, BENCH_ESYS, "engine hyperfine: cannot link bench into '%s'", dir);
		goto out;
	}
	snprintf(cmd, sizeof(cmd),
		 "%s run %s --mode %s --workers %u --size %llu --chunk %llu --seed %llu --repeat 1 --warmup 0 --no-save --quiet --format json",
		 self, r->wl->name, mr->mode->name, mr->workers,
		 (unsigned long long)mr->size, (unsigned long long)mr->chunk,
		 (unsigned long long)r->params.seed);
	/* The workload's own options, so the child runs the same case. */
	for (unsigned o = 0; o < r->params.nopts; o++) {
		const struct bench_param *v = &r->params.opts[o];
		enum bench_opt_kind kind = r->wl->options[o].kind;
		char flag[64];

		snprintf(flag, sizeof(flag), "--%s", v->name);
		if (kind == BENCH_OPT_TEXT && v->text &&
		    append_quoted(cmd, sizeof(cmd), flag, v->text) != 0) {
			bench_err_set(err, BENCH_EINVAL, "engine hyperfine: the command line is too long");
			goto out;
		}
		if (kind == BENCH_OPT_NUMBER)
			snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd),
				 " %s %llu", flag, (unsigned long long)v->num);
		if (kind == BENCH_OPT_FLAG && v->num)
			snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd),
				 " %s", flag);
	}
	if (r->gil_ns && mr->mode->flags & BENCH_EXEC_GIL)
		snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), " --gil=%llu",
			 (unsigned long long)(r->gil_ns / 1000000));
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
	if (bench_command_init(&hf, argv, (size_t)k, err) != 0) {
		err->code = 0;
		bench_err_set(err, BENCH_ESYS,
			      "engine hyperfine: hyperfine is not installed (apt-get install hyperfine)");
		goto out;
	}
	/* Through bench_command_run: its own process group, killed with
	 * bench (PR_SET_PDEATHSIG), killed and reaped on Ctrl-C; what it
	 * says is kept in memory for a message. */
	hf.capture_max = LOG_MAX;
	co.stream[1] = BENCH_STREAM_MEMORY;
	co.stream[2] = BENCH_STREAM_STDOUT;
	rc = bench_command_run(&hf, &co, &res, err);
	if (rc)
		goto out;
	rc = BENCH_ESYS;
	if (bench_command_failed(&res)) {
		char line[256], how[96];

		log_error(res.output[1].data, line, sizeof(line));
		bench_err_set(err, BENCH_ESYS, "engine hyperfine: %s",
			      line[0] ? line :
			      bench_command_describe(&res, how, sizeof(how)));
		goto out;
	}
	doc = json_load_file(json, 0, &jerr);
	hres = json_array_get(json_object_get(doc, "results"), 0);
	if (!json_is_number(json_array_get(json_object_get(hres, "times"), 0)) ||
	    child_report(output, out, &prepare_ns) != 0) {
		bench_err_set(err, BENCH_ESYS, "engine hyperfine: cannot read its results");
		goto out;
	}
	out->wall_ns = (bench_ns)(json_number_value(json_array_get(json_object_get(hres, "times"), 0)) * 1e9);
	out->wall_ns = out->wall_ns > prepare_ns ? out->wall_ns - prepare_ns : 0;
	rc = 0;
out:
	bench_command_result_release(&res);
	bench_command_release(&hf);
	json_decref(doc);
	unlink(json);
	unlink(output);
	unlink(self);
	rmdir(dir);
	return rc;
}

int engines_available(const enum bench_engine *engines, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct bench_command probe;
		struct bench_err err = { 0 };
		char *argv[] = { "hyperfine", NULL };

		if (engines[i] == BENCH_ENGINE_GBENCH) {
#ifndef BENCH_HAVE_GBENCH
			error("engine gbench: this bench was built without Google Benchmark (install libbenchmark-dev and g++, then rebuild)");
			return -1;
#endif
		} else if (engines[i] == BENCH_ENGINE_HYPERFINE) {
			if (bench_command_init(&probe, argv, 1, &err) != 0) {
				error("engine hyperfine: hyperfine is not installed (apt-get install hyperfine)");
				return -1;
			}
			bench_command_release(&probe);
		} else if (engines[i] == BENCH_ENGINE_PYTHON) {
			if (python_available() != 0)
				return -1;
		}
	}
	return 0;
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
	case BENCH_ENGINE_PYTHON:
		(void)state;
		return python_sample(r, mr, out, err);
	default:
		return bench_err_set(err, BENCH_EINVAL, "no sampler for engine %d",
				     (int)mr->engine);
	}
}

const char *mode_label(const struct bench_mode_result *mr, char *buf,
		       size_t len)
{
	if (mr->engine == BENCH_ENGINE_NATIVE)
		snprintf(buf, len, "%s", mr->mode->name);
	else
		snprintf(buf, len, "%s/%s", mr->mode->name,
			 bench_engine_name(mr->engine));
	return buf;
}
