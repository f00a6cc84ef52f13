/*
 * python.c - the python engine: samples of the course's workloads in
 * Python, taken by a server process (python3 -m bench_py serve) started
 * once per run and asked for one sample at a time, so that its samples
 * interleave with the native ones and the interpreter's start-up (and
 * its input preparation) stays out of every sample.
 *
 * The one design choice to know: the server is an ordinary child of
 * bench_command_run() (run_command.c starts, watches and reaps it, kills
 * its process group on Ctrl-C), run on a thread of its own because that
 * call returns only once the child has ended. The two talk over one
 * socket pair that is the child's stdin and stdout: requests go out with
 * send(MSG_NOSIGNAL), so a server that died is an error, not a SIGPIPE,
 * and the thread closes the child's end once the child is reaped, so a
 * reader waiting for an answer sees end of file rather than hanging.
 */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli/cli.h"
#include "python.h"

#define DEFAULT_PYTHON "/usr/bin/python3"
#define LOG_MAX (64u << 10)      /* bytes of the server's stderr kept */
#define ANSWER_MAX (16u << 20)   /* longest answer line (show's lines) */
#define INSTALL_HINT "install python3, or name one with --python PATH or BENCH_PYTHON"

const char *python_path;

struct server {
	int running;                 /* the thread was started */
	int sock;                    /* bench's end */
	int child_sock;              /* the child's end (stdin and stdout) */
	pthread_t thread;
	struct bench_command cmd;
	struct bench_command_opts opts;
	struct bench_command_result res;
	struct bench_err run_err;
	int run_rc;
	char env_path[PATH_MAX + 16];
	char *env[3];
	char *buf;                   /* answer bytes read, not yet used */
	size_t len, cap;
	struct python_about about;
};

static struct server server = { .sock = -1, .child_sock = -1 };

/* The interpreter to run: --python, BENCH_PYTHON, the Debian one, or
 * python3 on PATH (a pyenv shim, say). */
static const char *interpreter(void)
{
	const char *e = getenv("BENCH_PYTHON");

	if (python_path)
		return python_path;
	if (e && *e)
		return e;
	return access(DEFAULT_PYTHON, X_OK) == 0 ? DEFAULT_PYTHON : "python3";
}

/* The folder holding bench_py: beside the binary's folder, then under
 * the installed data folder; BENCH_PYLIB overrides. */
static const char *package_dir(void)
{
	static char dir[PATH_MAX + 16];

	return find_data_dir("BENCH_PYLIB", "python", "bench_py/__init__.py",
			     dir, sizeof(dir));
}

int python_found(void)
{
	struct bench_command probe;
	struct bench_err err = { 0 };
	char *argv[] = { (char *)interpreter(), NULL };

	if (!package_dir() || bench_command_init(&probe, argv, 1, &err) != 0)
		return 0;
	bench_command_release(&probe);
	return 1;
}

int python_available(void)
{
	struct bench_command probe;
	struct bench_err err = { 0 };
	char *argv[] = { (char *)interpreter(), NULL };

	if (bench_command_init(&probe, argv, 1, &err) != 0) {
		error("engine python: %s (%s)", err.msg, INSTALL_HINT);
		return -1;
	}
	bench_command_release(&probe);
	if (!package_dir()) {
		error("engine python: cannot find the bench_py package (python/ beside bench's folder, or under the install's share/bench; BENCH_PYLIB names another folder)");
		return -1;
	}
	return 0;
}

static void *serve(void *arg)
{
	struct server *s = arg;

	s->run_rc = bench_command_run(&s->cmd, &s->opts, &s->res, &s->run_err);
	/* The child is reaped: whoever waits for an answer gets end of file. */
	shutdown(s->child_sock, SHUT_RDWR);
	return NULL;
}

/* Reads one line from the server into a malloc'd string (*line), without
 * its newline. Returns 0, or -1 at end of file or on an error. */
static int read_line(struct server *s, char **line)
{
	for (;;) {
		char *nl = s->len ? memchr(s->buf, '\n', s->len) : NULL;
		ssize_t n;

		if (nl) {
			size_t k = (size_t)(nl - s->buf);

			if (!(*line = malloc(k + 1)))
				return -1;
			memcpy(*line, s->buf, k);
			(*line)[k] = '\0';
			memmove(s->buf, nl + 1, s->len - k - 1);
			s->len -= k + 1;
			return 0;
		}
		if (s->len == s->cap) {
			size_t cap = s->cap ? 2 * s->cap : 4096;
			char *b;

			if (cap > ANSWER_MAX || !(b = realloc(s->buf, cap)))
				return -1;
			s->buf = b;
			s->cap = cap;
		}
		n = recv(s->sock, s->buf + s->len, s->cap - s->len, 0);
		if (n < 0 && errno == EINTR && !bench_canceled())
			continue;
		if (n <= 0)
			return -1;
		s->len += (size_t)n;
	}
}

/* The last line of what the server wrote to stderr, for a message. */
static const char *last_words(struct server *s, char *buf, size_t len)
{
	const char *log = s->res.output[2].data;
	const char *end, *start;

	buf[0] = '\0';
	if (!log)
		return buf;
	end = log + strlen(log);
	while (end > log && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	for (start = end; start > log && start[-1] != '\n'; start--)
		;
	snprintf(buf, len, "%.*s", (int)(end - start), start);
	return buf;
}

static void halt(struct server *s);

/* After the server stopped answering: why, as an error. */
static int server_gone(struct server *s, struct bench_err *err)
{
	char words[256], how[96];
	int rc;

	halt(s);
	last_words(s, words, sizeof(words));
	if (bench_canceled() || s->run_rc == BENCH_ECANCELED)
		rc = bench_err_set(err, BENCH_ECANCELED, "interrupted");
	else if (s->run_rc)
		rc = bench_err_set(err, s->run_rc, "engine python: %s (%s)",
				   s->run_err.msg, INSTALL_HINT);
	else
		rc = bench_err_set(err, BENCH_ESYS, "engine python: %s %s%s%s",
				   interpreter(),
				   bench_command_describe(&s->res, how, sizeof(how)),
				   words[0] ? ": " : "", words);
	bench_command_result_release(&s->res);
	return rc;
}

static void copy_str(char *dst, size_t len, json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	snprintf(dst, len, "%s", v ? v : "unknown");
}

static int start(struct bench_err *err)
{
	struct server *s = &server;
	const char *dir = package_dir();
	char *argv[] = { (char *)interpreter(), "-m", "bench_py", "serve", NULL };
	int sv[2];
	bench_ns t0;
	char *line = NULL;
	json_t *hello;
	json_error_t jerr;

	if (!dir)
		return bench_err_set(err, BENCH_ESYS, "engine python: cannot find the bench_py package");
	if (bench_command_init(&s->cmd, argv, 4, err) != 0) {
		char why[sizeof(err->msg)];

		snprintf(why, sizeof(why), "%s", err->msg);
		return bench_err_set(err, BENCH_ESYS, "engine python: %s (%s)",
				     why, INSTALL_HINT);
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		bench_command_release(&s->cmd);
		return bench_err_set(err, BENCH_ESYS, "engine python: socketpair: %s",
				     strerror(errno));
	}
	s->sock = sv[0];
	s->child_sock = sv[1];
	snprintf(s->env_path, sizeof(s->env_path), "PYTHONPATH=%s", dir);
	s->env[0] = s->env_path;
	/* Keep the source tree free of __pycache__ folders. */
	s->env[1] = "PYTHONDONTWRITEBYTECODE=1";
	s->env[2] = NULL;
	s->cmd.env = s->env;
	s->cmd.capture_max = LOG_MAX;
	/* Its pool workers are bench's to reap too, if it dies first. */
	s->cmd.tree = 1;
	s->opts.stream[0] = BENCH_STREAM_FD;
	s->opts.fd[0] = s->child_sock;
	s->opts.stream[1] = BENCH_STREAM_FD;
	s->opts.fd[1] = s->child_sock;
	s->opts.stream[2] = BENCH_STREAM_MEMORY;
	t0 = bench_clock_now();
	if (pthread_create(&s->thread, NULL, serve, s) != 0) {
		close(s->sock);
		close(s->child_sock);
		s->sock = s->child_sock = -1;
		bench_command_release(&s->cmd);
		return bench_err_set(err, BENCH_ESYS, "engine python: cannot start a thread");
	}
	s->running = 1;
	if (read_line(s, &line) != 0)
		return server_gone(s, err);
	s->about.startup_ns = bench_clock_now() - t0;
	hello = json_loads(line, 0, &jerr);
	free(line);
	if (!json_is_object(hello)) {
		json_decref(hello);
		python_stop();
		s->about.startup_ns = 0;
		return bench_err_set(err, BENCH_ESYS, "engine python: %s does not speak bench's protocol",
				     interpreter());
	}
	copy_str(s->about.implementation, sizeof(s->about.implementation), hello,
		 "implementation");
	copy_str(s->about.version, sizeof(s->about.version), hello, "version");
	copy_str(s->about.executable, sizeof(s->about.executable), hello,
		 "executable");
	s->about.gil = json_is_true(json_object_get(hello, "gil"));
	s->about.numpy = json_is_true(json_object_get(hello, "numpy"));
	json_decref(hello);
	return 0;
}

/* Ends the server and reaps it; keeps what it wrote to stderr. */
static void halt(struct server *s)
{
	if (!s->running)
		return;
	/* End of input: the server finishes its loop and exits. */
	shutdown(s->sock, SHUT_WR);
	pthread_join(s->thread, NULL);
	s->running = 0;
	close(s->sock);
	close(s->child_sock);
	s->sock = s->child_sock = -1;
	bench_command_release(&s->cmd);
	free(s->buf);
	s->buf = NULL;
	s->len = s->cap = 0;
}

void python_stop(void)
{
	halt(&server);
	bench_command_result_release(&server.res);
}

const struct python_about *python_started(void)
{
	return server.about.startup_ns ? &server.about : NULL;
}

/*
 * The code of an {"error": ...} answer (python/bench_py/errors.py): a
 * request bench should not have sent ("usage": true) is a usage error,
 * exit 2; one that failed is of its kind, exit 1, as its C twin's would be.
 */
static int error_code(json_t *ans)
{
	const char *kind = json_string_value(json_object_get(ans, "kind"));

	if (json_is_true(json_object_get(ans, "usage")))
		return BENCH_EINVAL;
	if (kind && strcmp(kind, "input") == 0)
		return BENCH_EINPUT;
	if (kind && strcmp(kind, "verify") == 0)
		return BENCH_EVERIFY;
	return BENCH_EWORKER;
}

/* Sends req (consumed) and returns the answer (new reference), or NULL
 * with err set, its code error_code()'s. */
static json_t *ask(json_t *req, struct bench_err *err)
{
	struct server *s = &server;
	char *text, *line = NULL;
	size_t len, off = 0;
	json_t *ans;
	json_error_t jerr;
	const char *msg;

	if (!s->running) {
		memset(&s->res, 0, sizeof(s->res));
		memset(&s->about, 0, sizeof(s->about));
		if (start(err) != 0) {
			json_decref(req);
			return NULL;
		}
	}
	text = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (!text) {
		bench_err_set(err, BENCH_ENOMEM, "out of memory");
		return NULL;
	}
	len = strlen(text);
	text[len++] = '\n'; /* over the NUL: sent by length */
	while (off < len) {
		ssize_t n = send(s->sock, text + off, len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR && !bench_canceled())
			continue;
		if (n <= 0) {
			free(text);
			server_gone(s, err);
			return NULL;
		}
		off += (size_t)n;
	}
	free(text);
	if (read_line(s, &line) != 0) {
		server_gone(s, err);
		return NULL;
	}
	ans = json_loads(line, 0, &jerr);
	free(line);
	if (!json_is_object(ans)) {
		json_decref(ans);
		bench_err_set(err, BENCH_ESYS, "engine python: an answer bench cannot read");
		return NULL;
	}
	if ((msg = json_string_value(json_object_get(ans, "error")))) {
		bench_err_set(err, error_code(ans), "%s", msg);
		json_decref(ans);
		return NULL;
	}
	return ans;
}

/*
 * A text option's value: a JSON string, or, for bytes that are not UTF-8
 * (a file name may be any bytes, a JSON string may not), {"hex": HEX},
 * which the server turns back into the same bytes. NULL out of memory.
 */
static json_t *text_value(const char *s)
{
	static const char digits[] = "0123456789abcdef";
	json_t *v = json_string(s);
	size_t n = strlen(s);
	char *hex;

	if (v)
		return v;
	if (!(hex = malloc(2 * n + 1)))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		hex[2 * i] = digits[(unsigned char)s[i] >> 4];
		hex[2 * i + 1] = digits[(unsigned char)s[i] & 15];
	}
	hex[2 * n] = '\0';
	v = json_pack("{s:s}", "hex", hex);
	free(hex);
	return v;
}

/* The request's common part: workload, size, seed and its options, every
 * one the workload declares: numbers and flags (1 when given) as numbers,
 * text (--input FILE, --type T) as text; a text option neither given nor
 * defaulted (no --input) is left out. */
static json_t *request(const char *op, const struct bench_workload *wl,
		       const struct bench_params *p, uint64_t size)
{
	json_t *req = json_object(), *opts = json_object();

	json_object_set_new(req, "op", json_string(op));
	json_object_set_new(req, "workload", json_string(wl->name));
	json_object_set_new(req, "size", json_integer((json_int_t)size));
	json_object_set_new(req, "seed", json_integer((json_int_t)p->seed));
	for (unsigned o = 0; o < p->nopts; o++) {
		const struct bench_param *v = &p->opts[o];

		if (wl->options[o].kind != BENCH_OPT_TEXT)
			json_object_set_new(opts, v->name,
					    json_integer((json_int_t)v->num));
		else if (v->text)
			json_object_set_new(opts, v->name, text_value(v->text));
	}
	json_object_set_new(req, "options", opts);
	return req;
}

static uint64_t get_u64(json_t *o, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(o, key));

	return v > 0 ? (uint64_t)v : 0;
}

int python_sample(const struct bench_report *r,
		  const struct bench_mode_result *mr, struct bench_sample *out,
		  struct bench_err *err)
{
	json_t *req = request("sample", r->wl, &r->params, mr->size), *ans;
	const char *sum;

	json_object_set_new(req, "mode", json_string(mr->mode->name));
	json_object_set_new(req, "workers", json_integer(mr->workers));
	json_object_set_new(req, "chunk", json_integer((json_int_t)mr->chunk));
	if (!(ans = ask(req, err)))
		return err->code ? err->code : BENCH_ESYS;
	sum = json_string_value(json_object_get(ans, "checksum"));
	if (!sum) {
		json_decref(ans);
		return bench_err_set(err, BENCH_ESYS, "engine python: an answer without a checksum");
	}
	snprintf(out->checksum, BENCH_CHECKSUM_MAX, "%s", sum);
	out->wall_ns = get_u64(ans, "wall_ns");
	out->cpu_ns = get_u64(ans, "cpu_ns");
	out->maxrss_kb = get_u64(ans, "maxrss_kb");
	out->tasks = get_u64(ans, "tasks");
	json_decref(ans);
	return 0;
}

int python_show(const struct bench_workload *wl, const struct bench_params *p,
		uint64_t limit)
{
	struct bench_err err = { 0 };
	json_t *req, *ans, *lines, *l;
	size_t i;
	int status = 0;

	if (python_available() != 0)
		return 1;
	req = request("show", wl, p, p->size);
	json_object_set_new(req, "limit", json_integer((json_int_t)limit));
	install_signal_handlers();
	ans = ask(req, &err);
	python_stop();
	if (!ans) {
		error("%s", err.msg);
		return err.code == BENCH_ECANCELED ? EXIT_INTERRUPTED : 1;
	}
	lines = json_object_get(ans, "lines");
	json_array_foreach(lines, i, l)
		if (puts(json_string_value(l) ? json_string_value(l) : "") == EOF)
			status = 1;
	json_decref(ans);
	return status;
}

int python_timeit(const struct bench_workload *wl, const struct bench_params *p,
		  const char *mode, unsigned workers, uint64_t chunk,
		  const struct bench_timeit_opts *to,
		  struct bench_timeit_result *out, char *checksum,
		  struct bench_err *err)
{
	json_t *req = request("timeit", wl, p, p->size), *ans, *loops, *v;
	const char *sum;
	size_t i;

	memset(out, 0, sizeof(*out));
	json_object_set_new(req, "mode", json_string(mode));
	json_object_set_new(req, "workers", json_integer(workers));
	json_object_set_new(req, "chunk", json_integer((json_int_t)chunk));
	json_object_set_new(req, "number", json_integer((json_int_t)to->number));
	json_object_set_new(req, "repeat", json_integer(to->repeat ? to->repeat :
							 BENCH_TIMEIT_REPEAT));
	json_object_set_new(req, "min_time_ns", json_integer((json_int_t)(
		to->min_time_ns ? to->min_time_ns : BENCH_TIMEIT_MIN_TIME)));
	if (!(ans = ask(req, err)))
		return err->code ? err->code : BENCH_ESYS;
	sum = json_string_value(json_object_get(ans, "checksum"));
	loops = json_object_get(ans, "per_call_ns");
	out->number = get_u64(ans, "number");
	if (!sum || !json_is_array(loops) || !json_array_size(loops) ||
	    !out->number) {
		json_decref(ans);
		return bench_err_set(err, BENCH_ESYS, "engine python: a timeit answer bench cannot read");
	}
	out->repeat = json_array_size(loops);
	if (!(out->per_call_ns = malloc(out->repeat * sizeof(double)))) {
		json_decref(ans);
		return bench_err_set(err, BENCH_ENOMEM, "out of memory");
	}
	json_array_foreach(loops, i, v)
		out->per_call_ns[i] = json_number_value(v);
	out->autorange_ns = get_u64(ans, "autorange_ns");
	out->over_budget = json_is_true(json_object_get(ans, "over_budget"));
	snprintf(checksum, BENCH_CHECKSUM_MAX, "%s", sum);
	json_decref(ans);
	return 0;
}
