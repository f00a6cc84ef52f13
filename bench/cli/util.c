/*
 * util.c - error messages, number and list parsing, signals, formatting,
 * private folders.
 */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cli.h"

void error(const char *fmt, ...)
{
	va_list ap;

	fputs("bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bench %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'bench %s --help')\n", cmd);
	return EXIT_USAGE;
}

int parse_u64(const char *cmd, const char *flag, const char *text,
	      uint64_t min, uint64_t max, uint64_t *out)
{
	const char *p = text;
	uint64_t v = 0, mult = 1;

	if (!*p)
		goto bad;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			goto bad;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (p == text)
		goto bad;
	switch (*p) {
	case 'k': mult = 1000ull; p++; break;
	case 'M': mult = 1000000ull; p++; break;
	case 'G': mult = 1000000000ull; p++; break;
	}
	if (*p || (mult > 1 && v > UINT64_MAX / mult))
		goto bad;
	v *= mult;
	if (v < min || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	usage_error(cmd, "%s '%s': expected a whole number from %llu to %llu",
		    flag, text, (unsigned long long)min,
		    (unsigned long long)max);
	return -1;
}

int bad_option(const char *cmd, char **argv, int c)
{
	extern int optind;
	const char *arg = argv[optind - 1];

	if (c == ':')
		return usage_error(cmd, "option '%s' needs a value", arg);
	return usage_error(cmd, "unknown option '%s'", arg);
}

int parse_engines(const char *cmd, const char *text, struct bench_run_opts *o)
{
	const char *p = text;
	unsigned seen = 0;

	o->nengines = 0;
	if (strcmp(text, "all") == 0) {
		/* The engines that time bench's own C (python runs other
		 * code: it is asked for by name). */
		for (int e = 0; e < BENCH_ENGINE_COUNT; e++)
			if (e != BENCH_ENGINE_PYTHON)
				o->engines[o->nengines++] = (enum bench_engine)e;
		return 0;
	}
	for (;;) {
		size_t len = strcspn(p, ",");
		char name[16];
		enum bench_engine e;

		snprintf(name, sizeof(name), "%.*s", (int)len, p);
		if (len == 0 || len >= sizeof(name) ||
		    bench_engine_parse(name, &e) != 0 || seen & (1u << e)) {
			usage_error(cmd, "--engine '%s': expected native, gbench, hyperfine, python (comma-separated, each once) or all",
				    text);
			return -1;
		}
		seen |= 1u << e;
		o->engines[o->nengines++] = e;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

int parse_modes(const char *cmd, const char *text, struct bench_run_opts *o)
{
	const char *p = text;
	char known[256] = "";

	for (size_t i = 0; bench_executors[i]; i++)
		snprintf(known + strlen(known), sizeof(known) - strlen(known),
			 "%s%s", i ? ", " : "", bench_executors[i]->name);
	o->nmodes = 0;
	if (strcmp(text, "all") == 0)
		return 0;
	for (;;) {
		size_t len = strcspn(p, ",");
		char name[16];
		const struct bench_executor *m = NULL;

		snprintf(name, sizeof(name), "%.*s", (int)len, p);
		if (len == 0 || len >= sizeof(name) ||
		    !(m = bench_executor_find(name))) {
			usage_error(cmd, "--mode '%.*s'%s%s%s: expected %s (comma-separated) or all",
				    len ? (int)len : (int)strlen(text),
				    len ? p : text, len ? " in '" : " has an empty name",
				    len ? text : "", len ? "'" : "", known);
			return -1;
		}
		for (size_t i = 0; i < o->nmodes; i++) {
			if (o->modes[i] == m) {
				usage_error(cmd, "--mode '%s': '%s' is listed twice",
					    text, name);
				return -1;
			}
		}
		if (o->nmodes == BENCH_EXECUTORS_MAX)
			return -1; /* unreachable: each name once */
		o->modes[o->nmodes++] = m;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

const struct bench_workload *find_workload(const char *cmd, const char *name)
{
	const struct bench_workload *wl = bench_workload_find(name);
	char known[256] = "";

	if (wl)
		return wl;
	for (size_t i = 0; bench_workloads[i]; i++) {
		if (i)
			strncat(known, ", ", sizeof(known) - strlen(known) - 1);
		strncat(known, bench_workloads[i]->name,
			sizeof(known) - strlen(known) - 1);
	}
	usage_error(cmd, "unknown workload '%s': expected one of %s", name,
		    known);
	return NULL;
}

const struct bench_workload *workload_operand(const char *cmd, int argc,
					      char **argv, const char *what)
{
	extern int optind;

	if (optind >= argc) {
		usage_error(cmd, "missing the workload %s", what);
		return NULL;
	}
	if (optind + 1 < argc) {
		usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
		return NULL;
	}
	return find_workload(cmd, argv[optind]);
}

void default_chart_dir(const char *results, char *dir, size_t len)
{
	const char *base = results ? results : bench_store_default_path();
	const char *slash = strrchr(base, '/');

	if (slash)
		snprintf(dir, len, "%.*s/charts", (int)(slash - base), base);
	else
		snprintf(dir, len, "charts");
}

int exit_status(int code)
{
	switch (code) {
	case BENCH_OK: return 0;
	case BENCH_EINVAL: return EXIT_USAGE;
	case BENCH_ECANCELED: return EXIT_INTERRUPTED;
	default: return 1;
	}
}

static void on_signal(int sig)
{
	(void)sig;
	bench_cancel();
}

void install_signal_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* One Ctrl-C stops cleanly; a second one kills with the default. */
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

double ns_unit(double ns, const char **unit)
{
	if (ns >= 1e9) {
		*unit = "s";
		return 1e9;
	}
	if (ns >= 1e6) {
		*unit = "ms";
		return 1e6;
	}
	if (ns >= 1e3) {
		*unit = "us";
		return 1e3;
	}
	*unit = "ns";
	return 1.0;
}

/* Four significant digits of v (which is below 1000 after scaling). */
static int digits_after_point(double v)
{
	return v >= 100 ? 1 : v >= 10 ? 2 : 3;
}

void format_ns(double ns, char *buf, size_t len)
{
	const char *unit;
	double v = ns / ns_unit(ns, &unit);

	snprintf(buf, len, "%.*f %s", digits_after_point(v), v, unit);
}

void format_rate(double per_s, char *buf, size_t len)
{
	static const char *const prefix[] = { "", "k", "M", "G", "T" };
	size_t p = 0;

	while (per_s >= 1000.0 && p + 1 < sizeof(prefix) / sizeof(*prefix)) {
		per_s /= 1000.0;
		p++;
	}
	snprintf(buf, len, "%.*f %s", digits_after_point(per_s), per_s,
		 prefix[p]);
}

int utf8_terminal(void)
{
	static int cached = -1;

	if (cached < 0) {
		const char *cs;

		setlocale(LC_CTYPE, "");
		cs = nl_langinfo(CODESET);
		cached = cs && strcmp(cs, "UTF-8") == 0;
		setlocale(LC_CTYPE, "C");
	}
	return cached;
}

/* One element of a list: "N", "A..B", "A..BxK" or "A..B+K". */
static int list_item(const char *cmd, const char *flag, const char *item,
		     uint64_t min, uint64_t max, uint64_t *vals, size_t *n,
		     size_t most)
{
	char buf[64], *dots, *op;
	uint64_t a, b, step = 1;
	int geometric = 0;

	if (strlen(item) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", item);
	dots = strstr(buf, "..");
	if (!dots) {
		if (parse_u64(cmd, flag, buf, min, max, &a))
			return -2;
		if (*n >= most)
			return -3;
		vals[(*n)++] = a;
		return 0;
	}
	*dots = '\0';
	op = strpbrk(dots + 2, "x+");
	if (op) {
		char *end;

		geometric = *op == 'x';
		*op = '\0';
		errno = 0;
		step = strtoull(op + 1, &end, 10);
		if (op[1] < '0' || op[1] > '9' || *end || errno ||
		    step < (geometric ? 2u : 1u) || step > 1000000) {
			usage_error(cmd, "%s '%s': the %s step must be a whole number from %d to 1000000",
				    flag, item, geometric ? "x" : "+",
				    geometric ? 2 : 1);
			return -2;
		}
	}
	if (!*buf || !dots[2])
		return -1; /* "1.." or "..4": a range needs both ends */
	if (parse_u64(cmd, flag, buf, min, max, &a) ||
	    parse_u64(cmd, flag, dots + 2, min, max, &b))
		return -2;
	if (b < a)
		return -1;
	for (uint64_t v = a; v <= b;) {
		if (*n >= most)
			return -3;
		vals[(*n)++] = v;
		if (geometric ? v > b / step : b - v < step)
			break;
		v = geometric ? v * step : v + step;
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

int parse_list(const char *cmd, const char *flag, const char *text,
	       uint64_t min, uint64_t max, size_t most, uint64_t **out,
	       size_t *n)
{
	uint64_t *vals = malloc(most * sizeof(*vals));
	const char *p = text;
	size_t count = 0, k = 0;
	int rc = 0;

	if (!vals) {
		error("out of memory");
		return -1;
	}
	while (rc == 0) {
		size_t len = strcspn(p, ",");
		char item[64];

		if (len == 0 || len >= sizeof(item)) {
			rc = -1;
			break;
		}
		snprintf(item, sizeof(item), "%.*s", (int)len, p);
		rc = list_item(cmd, flag, item, min, max, vals, &count, most);
		if (!p[len])
			break;
		p += len + 1;
	}
	if (rc == -1)
		usage_error(cmd, "%s '%s': expected numbers like 1,2,4, ranges like 1..16, or geometric ranges like 1..64x2",
			    flag, text);
	else if (rc == -3)
		usage_error(cmd, "%s '%s': more than %zu values", flag, text,
			    most);
	if (rc) {
		free(vals);
		return -1;
	}
	qsort(vals, count, sizeof(*vals), cmp_u64);
	for (size_t i = 0; i < count; i++)
		if (k == 0 || vals[i] != vals[k - 1])
			vals[k++] = vals[i];
	*out = vals;
	*n = k;
	return 0;
}

const char *find_data_dir(const char *env, const char *name,
			  const char *probe, char *buf, size_t len)
{
	const char *e = getenv(env);
	char exe[PATH_MAX], file[PATH_MAX + 256];
	struct stat st;
	ssize_t n;

	if (e && *e)
		return e;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		if ((slash = strrchr(exe, '/'))) {
			*slash = '\0';
			/* A build (repo/build/bench), then an install under
			 * any prefix (PREFIX/bin/bench, PREFIX/share/bench). */
			snprintf(buf, len, "%s/../%s", exe, name);
			snprintf(file, sizeof(file), "%s/%s", buf, probe);
			if (stat(file, &st) == 0 && S_ISREG(st.st_mode))
				return buf;
			snprintf(buf, len, "%s/../share/bench/%s", exe, name);
			snprintf(file, sizeof(file), "%s/%s", buf, probe);
			if (stat(file, &st) == 0 && S_ISREG(st.st_mode))
				return buf;
		}
	}
	snprintf(buf, len, "%s/%s", BENCH_DATADIR, name);
	snprintf(file, sizeof(file), "%s/%s", buf, probe);
	return stat(file, &st) == 0 && S_ISREG(st.st_mode) ? buf : NULL;
}

static int remove_entry(const char *path, const struct stat *st, int type,
			struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;  /* go on whatever one entry did */
}

void remove_tree(const char *path)
{
	nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}
