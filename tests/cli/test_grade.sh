#!/bin/sh
# test_grade.sh - command-line tests of `bench grade` and `bench exercises`
# on small exercises that each test writes itself (nothing here depends on
# the course's exercises/ but real_exercises, which checks them when they
# are there):
#
#   toys       99-add (long add(long, long): test small, exact, and test
#              random, lines drawn from the seed), 98-psum (a sum split
#              across threads, with a performance check: the driver's
#              serial code against the submission at 2 workers) and 97-nap
#              (a test bounded by the reference's wall time);
#   scoring    reference full marks and starter 0 in text and JSON; a class
#              of 20 mixed submissions into an exact gradebook; hidden
#              tests counted but never shown; the formats (gradescope,
#              junit, tap, -o); the performance check; seeds;
#   hostile    submissions that do not compile, crash, loop, sleep, fork
#              without end, allocate without end, flood the output or the
#              disk, open connections, read or #include files they must
#              not see, read the grader's environment or descriptors, write
#              outside their folder, try to kill the grader, print a fake
#              score, or leave a daemon behind: each contained and graded
#              with a clear message, and the submission after it in the
#              batch (same sandbox slot, so same uid) graded right; a
#              source that is a named pipe;
#   grader     SIGINT, two graders at once, orphans, a private TMPDIR;
#   usage      bad arguments, bench exercises (list, start), and the
#              course's own exercises when they are there;
#   manifests  exercise.json and a hidden tests.json checked against their
#              schema (exercises/README.md): a broken one refused whole,
#              as a runtime failure naming the file, the key and what it
#              accepts; the drivers' shared header (exercises/driver.h,
#              when beside this script or the binary) built into a hidden
#              driver, and out of every submission's reach.
#
# usage: tests/cli/test_grade.sh PATH/TO/bench [TEST...]
#
# Same runner as the other suites (lib.sh): each test runs in its own sh
# process under timeout(1) in a fresh temporary folder; the summary line is
# "grade: N passed, M failed". Grading needs bubblewrap (/usr/bin/bwrap):
# without it those tests are skipped. bench grade runs under lib.sh's
# subreaper, so whatever it leaves unreaped is listed (bwrap's outer process
# exits without reaping the inner one: bench must reap those orphans, and
# orphans_reaped checks it does so without waiting on them). As root,
# sandboxes run as uids 61000 and up: the hostile tests check that no
# process of theirs is left. Secrets the hostile submissions look for are
# opened to every uid (only the sandbox may hide them): see open_up.

set -u
SUITE="grade"
SUITE_TIMEOUT=180
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=toy_add.sh
. "$(dirname "$0")/toy_add.sh"

TESTS=
t() { TESTS="$TESTS $1"; }

# 1. scoring
t reference_and_starter
t reference_and_starter_json
t class_of_twenty
t hidden_tests
t hidden_missing_dir
t format_gradescope
t gradescope_build_failure
t gradescope_source_misplaced
t format_junit
t format_tap
t output_file
t student_names_escaped
t student_name_not_utf8
t compile_log_not_utf8
t perf_reference
t perf_serial_and_wrong
t perf_baseline_untouchable
t wall_bounds
t same_seed_same_scores
t seed_drives_random_test
t json_seed_round_trips
# 2. hostile submissions
t hostile_compile_error
t hostile_crash
t hostile_hangs
t hostile_fork_bomb
t hostile_memory
t hostile_output_flood
t hostile_disk_flood
t hostile_network
t hostile_reads_files
t hostile_includes_files
t hostile_reads_environment
t hostile_inherited_fds
t hostile_writes_outside
t hostile_kills_grader
t hostile_fake_score
t hostile_daemon
t source_is_fifo
t class_links_refused
t reports_not_forged
t feedback_as_printed
t exit_137_not_a_kill
# 3. the grader itself
t sigint
t concurrent_runs
t orphans_reaped
t private_tmpdir
# 4. usage, bench exercises
t usage_errors
t missing_submission
t help
t exercises_list
t exercises_start
t exercises_missing_root
t real_exercises
# 5. manifests, the drivers' shared header
t manifest_unknown_lib
t manifest_schema
t manifest_schema_accepts
t manifest_hidden_schema
t driver_header_hidden
t driver_header_not_for_submissions

# ---------------------------------------------------------------------------
# Helpers. A failed assertion prints what it expected and what it got (with
# the last bench command, its status, stdout and stderr), then exits.

need_sandbox() {
	[ -x /usr/bin/bwrap ] || skip "bubblewrap (/usr/bin/bwrap) is not installed"
}

need_python() {
	has python3 || skip "python3 is not installed"
}

# bench grade ARGS under the subreaper: stdout ./out, stderr ./err, RC.
grade() { run_reaped "$BENCH" grade "$@"; }

# Seconds since the epoch.
now() { date +%s; }

# A random token no file holds yet: the secrets hostile submissions hunt.
token() {
	printf 'S3CRET-%s\n' "$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
}

# The sandbox's uid must be able to reach a secret for its hiding to be
# the sandbox's doing (and bench's scratch folder, with TMPDIR here, must
# be reachable by it): the test's folder and the runner's, above it, are
# opened to all.
open_up() {
	chmod 755 . .. || fail "cannot open up the test folder"
	mkdir -p scratch
	chmod 755 scratch
}

# Every bench output named: fails if one shows TOKEN.
no_leak() { # TOKEN FILE...
	_tok=$1
	shift
	for _f in "$@"; do
		[ -f "$_f" ] || continue
		if grep -qF -e "$_tok" "$_f"; then
			fail "$_f shows the secret: $(grep -F -e "$_tok" "$_f" | head -n 1 | cut -c 1-200)"
		fi
	done
	return 0
}

# As root, sandboxes run as uid 61000 + slot: none may outlive bench. A
# process of another bench still running (someone grading beside the
# tests) is not ours: those with a bench among their ancestors are spared.
no_sandbox_procs() {
	[ "$(id -u)" = 0 ] || return 0
	_left=$(ps -e -o pid= -o ppid= -o uid= -o stat= -o comm= | awk '
		{ ppid[$1] = $2; comm[$1] = $5
		  if ($3 >= 61000 && $3 < 61000 + 64 * 256 && $4 !~ /^Z/) cand[$1] = $0 }
		END {
			for (p in cand) {
				q = ppid[p]
				for (n = 0; q > 1 && n < 64 && comm[q] != "bench"; n++)
					q = ppid[q]
				if (comm[q] != "bench")
					printf "%s; ", cand[p]
			}
		}')
	[ -z "$_left" ] || fail "sandbox processes left behind: $_left"
}

# bench's scratch folder (TMPDIR=scratch) is gone once it exits.
no_scratch() {
	_left=$(ls -A scratch 2>/dev/null)
	[ -z "$_left" ] || fail "bench left its scratch folder behind: $_left"
}

# Fails unless FILE holds fixed STRING.
expect_fixed() { # FILE STRING WHAT
	grep -qF -e "$2" "$1" || fail "$1: expected $3 ('$2')"
}

# Prints its stdin with @NAME@ replaced by VALUE.
fill_in() { # NAME VALUE
	awk -v k="@$1@" -v v="$2" '{
		out = ""
		while ((i = index($0, k)) > 0) {
			out = out substr($0, 1, i - 1) v
			$0 = substr($0, i + length(k))
		}
		print out $0
	}'
}

# Paths as the items of a C array of strings.
c_list() { # PATH...
	for _p in "$@"; do printf '"%s", ' "$_p"; done
}

# Writes a submission folder DIR holding add.c from standard input.
sub() { # DIR
	mkdir -p "$1"
	cat >"$1/add.c"
}

good() { sub "$1" <"$BENCH_EXERCISES/99-add/reference/add.c"; }

# The report (-o report.json) flattened into ./flat.
flat_report() { json_flat report.json >flat; }

# Test T's message of submission S in ./flat.
msg_of() { # S T
	flat flat "submissions.$1.tests.$2.message"
}

# The message of test T of submission S matches ERE.
expect_msg() { # S T ERE WHAT
	_m=$(msg_of "$1" "$2")
	printf '%s\n' "$_m" | grep -Eq -e "$3" ||
		fail "$4: expected a message matching /$3/, got '$_m'"
}

# Submission S has score SCORE in ./flat.
expect_score() { # S SCORE
	assert_num "$(flat flat "submissions.$1.student")'s score" \
		"$(flat flat "submissions.$1.score")" -eq "$2"
}

# After `grade ... -f json -o report.json` on a batch: bench exited 0 and
# graded N submissions, the last (zgood, a correct one graded after the
# hostile ones, with -j 1 in the same sandbox slot) with full marks (3, or
# FULL with hidden tests), and left no process behind.
batch_ok() { # N [FULL]
	expect_rc 0
	flat_report
	assert_eq "submissions in the report" "$1" "$(flat flat submissions.#)"
	_last=$(($1 - 1))
	assert_eq "the last submission" zgood "$(flat flat "submissions.$_last.student")"
	assert_eq "zgood's status" graded "$(flat flat "submissions.$_last.status")"
	expect_score "$_last" "${2:-3}"
	expect_reaped
	no_sandbox_procs
}

# ---------------------------------------------------------------------------
# The toy exercises, in ./ex (BENCH_EXERCISES).

make_add() { # ROOT
	_d=$1/99-add
	toy_add "$_d"
	cat >"$_d/starter/add.c" <<'EOF'
#include "add.h"

long add(long a, long b)
{
	(void)a;
	(void)b;
	return 0;
}
EOF
}

make_psum() { # ROOT
	_d=$1/98-psum
	mkdir -p "$_d/reference" "$_d/starter"
	cat >"$_d/exercise.json" <<'EOF'
{
  "title": "Parallel sum",
  "source": "psum.c",
  "header": "psum.h",
  "libs": ["-lpthread"],
  "tests": [
    { "name": "small", "points": 1, "check": "exact" }
  ],
  "perf": { "test": "perf", "points": 2, "target_speedup": 1.8, "target_workers": 2 }
}
EOF
	cat >"$_d/psum.h" <<'EOF'
#ifndef PSUM_H
#define PSUM_H

#include <stddef.h>

/* Costly enough per element for threads to pay off. */
static inline unsigned long long psum_mix(unsigned long long x)
{
	for (int i = 0; i < 48; i++) {
		x ^= x >> 31;
		x *= 0x9E3779B97F4A7C15ULL;
	}
	return x;
}

/* The sum of psum_mix(a[i]) for i < n, by `workers` threads. */
unsigned long long psum(const unsigned *a, size_t n, unsigned workers);

#endif
EOF
	cat >"$_d/tests.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "psum.h"

#define BIG 5000000

static unsigned *fill(size_t n, unsigned long long s)
{
	unsigned *a = malloc(n * sizeof(*a));

	for (size_t i = 0; a && i < n; i++) {
		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		a[i] = (unsigned)(s >> 33);
	}
	return a;
}

int main(int argc, char **argv)
{
	unsigned long long seed, sum = 0;
	unsigned *a;

	if (argc < 3)
		return 2;
	seed = strtoull(argv[2], NULL, 10);
	if (strcmp(argv[1], "small") == 0) {
		if (!(a = fill(1000, seed)))
			return 3;
		printf("%llu\n%llu\n%llu\n", psum(a, 1000, 2), psum(a, 7, 3), psum(a, 0, 2));
	} else if (strcmp(argv[1], "perf-serial") == 0) {
		if (!(a = fill(BIG, seed)))
			return 3;
		for (size_t i = 0; i < BIG; i++)
			sum += psum_mix(a[i]);
		printf("%llu\n", sum);
	} else if (strcmp(argv[1], "perf") == 0) {
		if (!(a = fill(BIG, seed)))
			return 3;
		printf("%llu\n", psum(a, BIG, 2));
	} else {
		fprintf(stderr, "unknown test %s\n", argv[1]);
		return 2;
	}
	free(a);
	return 0;
}
EOF
	cat >"$_d/reference/psum.c" <<'EOF'
#include <pthread.h>
#include "psum.h"

struct part {
	const unsigned *a;
	size_t lo, hi;
	unsigned long long sum;
};

static void *run(void *arg)
{
	struct part *p = arg;

	for (size_t i = p->lo; i < p->hi; i++)
		p->sum += psum_mix(p->a[i]);
	return NULL;
}

unsigned long long psum(const unsigned *a, size_t n, unsigned workers)
{
	struct part parts[64];
	pthread_t tid[64];
	int started[64];
	unsigned long long sum = 0;

	if (workers < 1)
		workers = 1;
	if (workers > 64)
		workers = 64;
	for (unsigned w = 0; w < workers; w++) {
		parts[w] = (struct part){ a, n * w / workers, n * (w + 1) / workers, 0 };
		started[w] = pthread_create(&tid[w], NULL, run, &parts[w]) == 0;
		if (!started[w])
			run(&parts[w]);
	}
	for (unsigned w = 0; w < workers; w++) {
		if (started[w])
			pthread_join(tid[w], NULL);
		sum += parts[w].sum;
	}
	return sum;
}
EOF
	cat >"$_d/starter/psum.c" <<'EOF'
#include "psum.h"

unsigned long long psum(const unsigned *a, size_t n, unsigned workers)
{
	(void)a;
	(void)n;
	(void)workers;
	return 0;
}
EOF
	printf '# 98-psum\n\nWrite psum() in psum.c.\n' >"$_d/README.md"
}

# A nap of 2 s, long beside what starting a sandboxed process costs even on
# a busy machine (up to about 1 s), so that the wall-time bounds tell a nap
# of the right length from none or three whatever the load.
make_nap() { # ROOT
	_d=$1/97-nap
	mkdir -p "$_d/reference" "$_d/starter"
	cat >"$_d/exercise.json" <<'EOF'
{
  "title": "Take a nap",
  "source": "nap.c",
  "header": "nap.h",
  "libs": [],
  "tests": [
    { "name": "nap", "points": 1, "check": "exact", "wall_vs_reference": [0.5, 2.0] }
  ]
}
EOF
	cat >"$_d/nap.h" <<'EOF'
#ifndef NAP_H
#define NAP_H

/* Sleeps ms milliseconds. */
void nap(unsigned ms);

#endif
EOF
	cat >"$_d/tests.c" <<'EOF'
#include <stdio.h>
#include <string.h>
#include "nap.h"

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	if (strcmp(argv[1], "nap") == 0) {
		nap(2000);
		puts("done");
		return 0;
	}
	return 2;
}
EOF
	cat >"$_d/reference/nap.c" <<'EOF'
#include <time.h>
#include "nap.h"

void nap(unsigned ms)
{
	struct timespec t = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	while (nanosleep(&t, &t) != 0)
		;
}
EOF
	cat >"$_d/starter/nap.c" <<'EOF'
#include "nap.h"

void nap(unsigned ms)
{
	(void)ms;
}
EOF
	printf '# 97-nap\n\nWrite nap() in nap.c.\n' >"$_d/README.md"
}

make_exercises() {
	mkdir -p ex
	printf '# Toy exercises\n' >ex/README.md
	make_add ex
	make_psum ex
	make_nap ex
	BENCH_EXERCISES=$PWD/ex
	export BENCH_EXERCISES
}

# Hidden tests for 99-add in ./hidden: test hsecret (2 points) prints
# TOKEN and add(123456789, 987654321) = 1111111110, which no output may show.
make_hidden() { # TOKEN
	mkdir -p hidden/99-add
	cat >hidden/99-add/tests.json <<'EOF'
{ "tests": [ { "name": "hsecret", "points": 2, "check": "exact" } ] }
EOF
	fill_in TOKEN "$1" >hidden/99-add/tests.c <<'EOF'
/* @TOKEN@ */
#include <stdio.h>
#include <string.h>
#include "add.h"

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	if (strcmp(argv[1], "hsecret") == 0) {
		printf("@TOKEN@ %ld\n", add(123456789, 987654321));
		return 0;
	}
	return 2;
}
EOF
	printf '%s\n' "$1" >hidden/99-add/secret.txt
}

# ---------------------------------------------------------------------------
# Submissions of 99-add (add.c on stdout).

src_partial() { # right for small numbers only: passes small, not random
	cat <<'EOF'
#include "add.h"

long add(long a, long b)
{
	return a > 1000 || a < -1000 ? a + b + 1 : a + b;
}
EOF
}

src_compile_error() {
	cat <<'EOF'
#include "add.h"

long add(long a, long b)
{
	return a + ;
}
EOF
}

src_warning() { # warnings are errors
	cat <<'EOF'
#include "add.h"

long add(long a, long b)
{
	int unused;

	return a + b;
}
EOF
}

src_link_error() { # a main of its own
	cat <<'EOF'
#include "add.h"

long add(long a, long b)
{
	return a + b;
}

int main(void)
{
	return 0;
}
EOF
}

src_segv() { # a wild pointer UBSan does not see: SIGSEGV
	cat <<'EOF'
#include <stdint.h>
#include "add.h"

static volatile uintptr_t where = 16;

long add(long a, long b)
{
	*(volatile long *)where = a;
	return a + b;
}
EOF
}

src_null() { # a store through NULL: UBSan's message
	cat <<'EOF'
#include <stddef.h>
#include "add.h"

long add(long a, long b)
{
	int *volatile q = NULL;
	int *p = q;

	*p = (int)a;
	return a + b;
}
EOF
}

src_loop() {
	cat <<'EOF'
#include "add.h"

long add(long a, long b)
{
	volatile unsigned long n = 0;

	for (;;)
		n++;
	return a + b;
}
EOF
}

src_sleep() { # closes its streams, then sleeps for ever
	cat <<'EOF'
#include <unistd.h>
#include "add.h"

long add(long a, long b)
{
	close(1);
	close(2);
	for (;;)
		pause();
	return a + b;
}
EOF
}

src_fork_bomb() {
	cat <<'EOF'
#include <unistd.h>
#include "add.h"

long add(long a, long b)
{
	for (;;)
		fork();
	return a + b;
}
EOF
}

src_hog() { # allocates and touches memory without end
	cat <<'EOF'
#include <stdlib.h>
#include <string.h>
#include "add.h"

long add(long a, long b)
{
	for (;;) {
		char *p = malloc(1 << 20);

		memset(p, 1, 1 << 20);
	}
	return a + b;
}
EOF
}

src_flood() { # STREAM: stdout or stderr, without end
	fill_in STREAM "$1" <<'EOF'
#include <stdio.h>
#include "add.h"

long add(long a, long b)
{
	for (;;)
		fputs("all work and no play makes jack a dull boy\n", @STREAM@);
	return a + b;
}
EOF
}

src_disk_flood() { # fills its folder, then /tmp, and says why it stopped
	cat <<'EOF'
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "add.h"

static char why[2][300];

/* Files of 4 MiB in dir until a write fails; 0 then, with why. */
static void fill(const char *dir, char *msg)
{
	static char buf[1 << 16];
	char name[256];

	for (int i = 0;; i++) {
		FILE *f;

		snprintf(name, sizeof(name), "%s/bench-grade-flood-%d", dir, i);
		if (!(f = fopen(name, "w"))) {
			snprintf(msg, 300, "%s: %s", name, strerror(errno));
			return;
		}
		for (int k = 0; k < 64; k++)
			if (fwrite(buf, 1, sizeof(buf), f) != sizeof(buf) || fflush(f)) {
				snprintf(msg, 300, "%s: %s", name, strerror(errno));
				fclose(f);
				return;
			}
		fclose(f);
	}
}

long add(long a, long b)
{
	signal(SIGXFSZ, SIG_IGN);
	fill(".", why[0]);
	fill("/tmp", why[1]);
	fprintf(stderr, "%s; %s\n", why[0], why[1]);
	exit(a == b ? 1 : 2);
}
EOF
}

# Connects to 1.1.1.1:80, to 127.0.0.1:PORT and to the abstract unix
# socket NAME: right answers only when a connection opened.
src_net() { # PORT NAME
	fill_in PORT "$1" <<'EOF' | fill_in NAME "$2"
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "add.h"

static int tcp(const char *ip, int port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

	if (fd < 0)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	inet_pton(AF_INET, ip, &sa.sin_addr);
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	if (ok && write(fd, "GET / HTTP/1.0\r\n\r\n", 18) < 0)
		ok = 0;
	close(fd);
	return ok;
}

static int unix_abstract(const char *name)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0), ok;

	if (fd < 0)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path + 1, name, strlen(name));
	ok = connect(fd, (struct sockaddr *)&sa,
		     (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name))) == 0;
	close(fd);
	return ok;
}

long add(long a, long b)
{
	static int tried, reached;

	if (!tried) {
		tried = 1;
		reached = tcp("1.1.1.1", 80) + tcp("127.0.0.1", @PORT@) +
			  unix_abstract("@NAME@");
	}
	return reached ? a + b : a + b + 1;
}
EOF
}

# Hunts for secrets (S3CRET-...): the files PATHS (and the trees under
# them), every file the sandbox shows, its environment, the namespace
# init's environment, its own binary and its open descriptors. Prints what
# it finds on stdout and stderr; right answers only with a secret found.
src_snoop() { # PATHS (c_list)
	fill_in PATHS "$1" <<'EOF'
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "add.h"

extern char **environ;
static volatile char one = 1;
static char mark[8];
static int found;

static void shout(const char *where, const char *buf, size_t n)
{
	for (size_t i = 0; i + 7 <= n; i++)
		if (memcmp(buf + i, mark, 7) == 0) {
			found = 1;
			printf("%s: %.40s\n", where, buf + i);
			fprintf(stderr, "%s: %.40s\n", where, buf + i);
		}
}

static void look(const char *path)
{
	static char buf[1 << 20];
	int fd = open(path, O_RDONLY | O_NONBLOCK);
	ssize_t n;

	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n > 0)
		shout(path, buf, (size_t)n);
}

static void walk(const char *dir, int depth)
{
	DIR *d;
	struct dirent *e;
	char path[4096];
	struct stat st;

	if (depth > 8 || !(d = opendir(dir)))
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' && (!e->d_name[1] || e->d_name[1] == '.'))
			continue;
		snprintf(path, sizeof(path), "%s/%s", strcmp(dir, "/") ? dir : "", e->d_name);
		if (strstr(path, "/proc") || strstr(path, "/sys") || !strcmp(path, "/usr") ||
		    !strcmp(path, "/dev") || lstat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			walk(path, depth + 1);
		else if (S_ISREG(st.st_mode))
			look(path);
	}
	closedir(d);
}

long add(long a, long b)
{
	static const char *const paths[] = { @PATHS@ NULL };
	static const char base[] = "R2BQDS,";
	static int done;

	if (!done) {
		done = 1;
		/* "S3CRET-", made at run time: not in the binary. */
		for (int i = 0; i < 7; i++)
			mark[i] = (char)(base[i] + one);
		look("/proc/self/environ");
		look("/proc/1/environ");
		look("/proc/self/exe");
		for (char **e = environ; *e; e++)
			shout("environ", *e, strlen(*e));
		for (int fd = 3; fd < 1024; fd++) {
			char name[64];

			snprintf(name, sizeof(name), "/proc/self/fd/%d", fd);
			look(name);
		}
		for (int i = 0; paths[i]; i++) {
			look(paths[i]);
			walk(paths[i], 0);
		}
		walk("/", 0);
		fflush(stdout);
	}
	return found ? a + b : a + b + 1;
}
EOF
}

# Tries to create or append to every path of PATHS, host paths the
# sandbox must not show, and of TRY, paths a sandbox may keep to itself
# (its /tmp, its root); with FDS=1 also writes to every descriptor from 3
# up. Right answers only when a path of PATHS could be written.
src_writer() { # PATHS TRY (c_list) FDS
	fill_in PATHS "$1" <<'EOF' | fill_in TRY "$2" | fill_in FDS "$3"
#include <fcntl.h>
#include <unistd.h>
#include "add.h"

static int drop(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NONBLOCK, 0644);
	int ok = fd >= 0 && write(fd, "PWNED\n", 6) == 6;

	if (fd >= 0)
		close(fd);
	return ok;
}

long add(long a, long b)
{
	static const char *const paths[] = { @PATHS@ NULL };
	static const char *const try[] = { @TRY@ NULL };
	static int tried, wrote;

	if (!tried) {
		tried = 1;
		for (int i = 0; paths[i]; i++)
			wrote += drop(paths[i]);
		for (int i = 0; try[i]; i++)
			drop(try[i]);
		for (int fd = 3; @FDS@ && fd < 1024; fd++)
			if (write(fd, "PWNED\n", 6) < 0)
				continue;
	}
	return wrote ? a + b : a + b + 1;
}
EOF
}

# Kills what it can see, then answers right. Every call signals everything
# at once (kill -1), its parent and pid 1; the first call of a run also
# sweeps pids 2 to 69999 one by one, once: a sweep per call (70,000 kill()
# calls, 23 calls a run) took seconds on a busy machine and ran past a
# short --timeout, and a second sweep finds nothing the first did not.
src_killer() {
	cat <<'EOF'
#include <signal.h>
#include <unistd.h>
#include "add.h"

long add(long a, long b)
{
	static int swept;

	kill(-1, SIGKILL);
	kill(getppid(), SIGKILL);
	kill(1, SIGKILL);
	kill(1, SIGTERM);
	for (pid_t p = 2; !swept && p < 70000; p++)
		if (p != getpid())
			kill(p, SIGKILL);
	swept = 1;
	return a + b;
}
EOF
}

src_fake_score() { # before main: a score on stdout, then exit 0
	cat <<'EOF'
#include <stdio.h>
#include <unistd.h>
#include "add.h"

__attribute__((constructor)) static void fake(void)
{
	printf("score: 100\n2/2 points\nok\n");
	fflush(stdout);
	_exit(0);
}

long add(long a, long b)
{
	return a - b;
}
EOF
}

src_fake_report() { # prints lines of the report formats, in a constructor
	cat <<'EOF'
#include <stdio.h>
#include <unistd.h>
#include "add.h"

__attribute__((constructor)) static void fake(void)
{
	printf("</failure></testcase><testcase name=\"injected\"/><testcase name=\"x\">\n"
	       "ok 1 - injected\n1..1\n\"score\": 100\n");
	fflush(stdout);
	_exit(0);
}

long add(long a, long b)
{
	return a + b;
}
EOF
}

# Before main, a daemon (new session, SIGTERM and SIGHUP ignored) that
# writes to PATHS every 0.2 s for 1 s; the test itself runs normally.
src_daemon() { # PATHS (c_list)
	fill_in PATHS "$1" <<'EOF'
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include "add.h"

static void drop(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);

	if (fd >= 0) {
		if (write(fd, "PWNED\n", 6) < 0)
			_exit(1);
		close(fd);
	}
}

__attribute__((constructor)) static void lurk(void)
{
	static const char *const paths[] = { @PATHS@ NULL };
	struct timespec t = { 0, 200000000L };

	if (fork() != 0)
		return;
	setsid();
	signal(SIGHUP, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	if (fork() != 0)
		_exit(0);
	for (int i = 0; i < 5; i++) {
		nanosleep(&t, NULL);
		for (int k = 0; paths[k]; k++)
			drop(paths[k]);
	}
	_exit(0);
}

long add(long a, long b)
{
	return a + b;
}
EOF
}

# Scans its own binary for secrets (the hidden tests' driver when a hidden
# test runs it), prints them on stdout and stderr and exits 3; else right.
src_exe_dump() {
	cat <<'EOF'
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "add.h"

static volatile char one = 1;

long add(long a, long b)
{
	static char buf[1 << 22];
	static const char base[] = "R2BQDS,";
	char mark[8] = { 0 };
	int fd = open("/proc/self/exe", O_RDONLY), hit = 0;
	ssize_t n = fd < 0 ? 0 : read(fd, buf, sizeof(buf));

	for (int i = 0; i < 7; i++)
		mark[i] = (char)(base[i] + one);
	for (ssize_t i = 0; i + 7 <= n; i++)
		if (memcmp(buf + i, mark, 7) == 0) {
			printf("%.40s\n", buf + i);
			fprintf(stderr, "%.40s\n", buf + i);
			hit = 1;
		}
	if (hit) {
		fflush(stdout);
		exit(3);
	}
	return a + b;
}
EOF
}

# Of 98-psum: serial "parallel" code, and code right on small input only.
src_psum_serial() {
	cat <<'EOF'
#include "psum.h"

unsigned long long psum(const unsigned *a, size_t n, unsigned workers)
{
	unsigned long long sum = 0;

	(void)workers;
	for (size_t i = 0; i < n; i++)
		sum += psum_mix(a[i]);
	return sum;
}
EOF
}

# Serial code that slows down the serial baseline when it runs in the
# same binary: a constructor that sleeps 1 s when the driver is started
# for perf-serial. Were the baseline its binary, this would be "4x".
src_psum_ctor_trick() {
	cat <<'EOF'
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "psum.h"

__attribute__((constructor)) static void slow_baseline(void)
{
	char cmd[256] = { 0 };
	int fd = open("/proc/self/cmdline", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, cmd, sizeof(cmd) - 1) : -1;

	if (fd >= 0)
		close(fd);
	for (ssize_t i = 0; i < n; i++)
		if (strcmp(cmd + i, "perf-serial") == 0)
			sleep(1);
}
EOF
	src_psum_serial
}

src_psum_wrong_big() {
	cat <<'EOF'
#include "psum.h"

unsigned long long psum(const unsigned *a, size_t n, unsigned workers)
{
	unsigned long long sum = 0;

	(void)workers;
	for (size_t i = 0; i < n; i++)
		sum += psum_mix(a[i]);
	return n > 100000 ? sum + 1 : sum;
}
EOF
}

# A listener on 127.0.0.1 (port in ./listener.port) and on the abstract
# unix socket NAME, logging each connection to LOG; pid in BG_PID, so that
# lib.sh's cleanup stops it.
start_listener() { # LOG NAME
	cat >listen.py <<'EOF'
import os, socket, sys, threading
log = open(sys.argv[1], "a")
tcp = socket.socket()
tcp.bind(("127.0.0.1", 0))
tcp.listen(16)
uni = socket.socket(socket.AF_UNIX)
uni.bind("\0" + sys.argv[2])
uni.listen(16)
lock = threading.Lock()
def serve(s, what):
    while True:
        c, _ = s.accept()
        with lock:
            log.write("connection on %s\n" % what)
            log.flush()
        c.close()
for s, w in ((tcp, "tcp"), (uni, "unix")):
    threading.Thread(target=serve, args=(s, w), daemon=True).start()
with open("listener.port.tmp", "w") as f:
    f.write("%d\n" % tcp.getsockname()[1])
os.rename("listener.port.tmp", "listener.port")
threading.Event().wait()
EOF
	python3 listen.py "$1" "$2" >listener.out 2>&1 &
	BG_PID=$!
	BG_WAIT=$!
	_i=0
	while [ ! -s listener.port ]; do
		_i=$((_i + 1))
		[ "$_i" -lt 200 ] || fail "the listener did not start: $(cat listener.out)"
		sleep 0.05
	done
}

# ---------------------------------------------------------------------------
# 1. Scoring.

test_reference_and_starter() {
	need_sandbox
	make_exercises
	grade 99 ex/99-add/reference --seed 42
	expect_rc 0
	expect_match out '^exercise 99-add: Add two numbers \(seed 42\)$' "the header naming the exercise and seed"
	expect_match out '^reference: 3/3 points \(correctness 3/3\)$' "full marks for the reference"
	expect_match out '^  ok +small +1/1$' "test small passed"
	expect_match out '^  ok +random +2/2$' "test random passed"
	expect_reaped
	[ ! -e gradebook.csv ] || fail "a gradebook for one submission"
	# The starter file itself (a submission may be the file).
	grade 99 ex/99-add/starter/add.c --seed 42
	expect_rc 0
	expect_match out '^add\.c: 0/3 points \(correctness 0/3\)$' "zero for the starter"
	expect_match out "^  FAIL small +0/1  line 1: expected '5', got '0'$" "what small expected and got"
	expect_match out '^  FAIL random +0/2  the lines differ' "random failed"
	expect_reaped
	no_sandbox_procs
}

test_reference_and_starter_json() {
	need_sandbox
	make_exercises
	grade 99 ex/99-add/reference ex/99-add/starter --seed 7 -f json
	expect_rc 0
	json_flat out >flat
	assert_eq schema bench.grade/1 "$(flat flat schema)"
	assert_eq exercise 99-add "$(flat flat exercise)"
	assert_eq seed 7 "$(flat flat seed)"
	assert_eq submissions 2 "$(flat flat submissions.#)"
	assert_eq "first student" reference "$(flat flat submissions.0.student)"
	assert_eq "its status" graded "$(flat flat submissions.0.status)"
	assert_num "reference score" "$(flat flat submissions.0.score)" -eq 3
	assert_num "reference max" "$(flat flat submissions.0.max)" -eq 3
	assert_num "reference correctness" "$(flat flat submissions.0.correctness)" -eq 3
	assert_eq "reference tests" 2 "$(flat flat submissions.0.tests.#)"
	assert_eq "reference small passed" true "$(flat flat submissions.0.tests.0.passed)"
	assert_eq "reference random passed" true "$(flat flat submissions.0.tests.1.passed)"
	assert_eq "random's name" random "$(flat flat submissions.0.tests.1.name)"
	assert_num "random's points" "$(flat flat submissions.0.tests.1.points)" -eq 2
	assert_eq "second student" starter "$(flat flat submissions.1.student)"
	assert_num "starter score" "$(flat flat submissions.1.score)" -eq 0
	assert_num "starter correctness" "$(flat flat submissions.1.correctness)" -eq 0
	assert_eq "starter small passed" false "$(flat flat submissions.1.tests.0.passed)"
	assert_eq "starter random passed" false "$(flat flat submissions.1.tests.1.passed)"
	expect_msg 1 0 "^line 1: expected '5', got '0'$" "the starter's small"
	if grep -q '^submissions\.0\.performance' flat; then
		fail "a performance section for an exercise without a performance check"
	fi
	expect_reaped
}

test_class_of_twenty() {
	need_sandbox
	make_exercises
	_c=class
	good $_c/alice
	src_partial | sub $_c/bob
	sub $_c/carol <ex/99-add/starter/add.c
	src_compile_error | sub $_c/dave
	src_warning | sub $_c/erin
	src_link_error | sub $_c/frank
	mkdir -p $_c/grace
	cp ex/99-add/reference/add.c $_c/grace/Add.c # the wrong name
	mkdir -p $_c/heidi
	ln -s ../alice/add.c $_c/heidi/add.c # someone else's file
	src_segv | sub $_c/ivan
	src_loop | sub $_c/mallory
	src_sleep | sub $_c/niaj
	src_fork_bomb | sub $_c/olivia
	src_hog | sub $_c/peggy
	src_flood stdout | sub $_c/rupert
	src_disk_flood | sub $_c/sybil
	src_net 9 "bench-grade-test-$$" | sub $_c/trent
	src_writer "$(c_list "$PWD/pwned" "$PWD/class/alice/add.c")" \
		"$(c_list /tmp/bench-grade-pwned-$$)" 0 | sub $_c/uma
	src_killer | sub $_c/victor
	src_fake_score | sub $_c/walter
	good $_c/zed
	# Not a submission: a file in the class folder.
	echo "notes" >$_c/README.txt
	_t0=$(now)
	grade 99 $_c -j 2 --timeout 2 --seed 99
	_t1=$(now)
	expect_rc 0
	assert_num "grading time of the class (s)" $((_t1 - _t0)) -lt 90
	expect_match err '^bench: gradebook gradebook\.csv \(20 submissions\)$' "the gradebook announced"
	expect_match out '^20 submissions, mean 0\.50 of 3 points$' "the class summary"
	for _s in alice bob carol dave erin frank grace heidi ivan mallory niaj olivia \
		peggy rupert sybil trent uma victor walter zed; do
		assert_eq "reports on $_s" 1 "$(grep -c "^$_s: " out)"
	done
	cat >expected.csv <<'EOF'
student,exercise,status,correctness,correctness_max,performance,performance_max,total,max
alice,99-add,graded,3,3,0,0,3,3
bob,99-add,graded,1,3,0,0,1,3
carol,99-add,graded,0,3,0,0,0,3
dave,99-add,compile error,0,3,0,0,0,3
erin,99-add,compile error,0,3,0,0,0,3
frank,99-add,link error,0,3,0,0,0,3
grace,99-add,no source,0,3,0,0,0,3
heidi,99-add,no source,0,3,0,0,0,3
ivan,99-add,graded,0,3,0,0,0,3
mallory,99-add,graded,0,3,0,0,0,3
niaj,99-add,graded,0,3,0,0,0,3
olivia,99-add,graded,0,3,0,0,0,3
peggy,99-add,graded,0,3,0,0,0,3
rupert,99-add,graded,0,3,0,0,0,3
sybil,99-add,graded,0,3,0,0,0,3
trent,99-add,graded,0,3,0,0,0,3
uma,99-add,graded,0,3,0,0,0,3
victor,99-add,graded,3,3,0,0,3,3
walter,99-add,graded,0,3,0,0,0,3
zed,99-add,graded,3,3,0,0,3,3
EOF
	[ -f gradebook.csv ] || fail "no gradebook.csv"
	cut -d, -f1-9 gradebook.csv >got.csv
	if ! cmp -s expected.csv got.csv; then
		diff expected.csv got.csv | sed 's/^/    /' >&2
		fail "the gradebook differs from the expected one"
	fi
	assert_eq "seeds in the gradebook" 99 "$(csv_col gradebook.csv seed | sort -u)"
	expect_match out "heidi: 0/3 points: no source" "the symbolic link refused"
	expect_match out "symbolic link" "the reason: a symbolic link"
	[ ! -e pwned ] || fail "uma wrote $PWD/pwned"
	[ ! -e /tmp/bench-grade-pwned-$$ ] || fail "uma wrote /tmp/bench-grade-pwned-$$"
	cmp -s ex/99-add/reference/add.c class/alice/add.c || fail "uma changed alice's add.c"
	expect_reaped
	no_sandbox_procs
}

test_hidden_tests() {
	need_sandbox
	make_exercises
	_tok=$(token)
	make_hidden "$_tok"
	good subs/alice
	sub subs/bob <ex/99-add/starter/add.c
	src_exe_dump | sub subs/carol
	grade 99 subs --hidden hidden --seed 5 -j 2
	expect_rc 0
	cp out report.txt
	cp err report.err
	expect_match out '^alice: 5/5 points \(correctness 5/5\)$' "the hidden test counted for the reference"
	expect_match out '^  ok +hsecret +2/2 \(hidden\)$' "the hidden test marked hidden"
	expect_match out '^bob: 0/5 points' "zero for the starter"
	expect_match out '^  FAIL hsecret +0/2 \(hidden\)  failed \(a hidden test: no details are shown\)$' \
		"a failing hidden test saying no more than that"
	# carol prints the hidden driver's strings (from its own binary) on
	# stdout and stderr, then exits 3: passes the public tests only.
	expect_match out '^carol: 3/5 points' "the public tests only for the dumper"
	expect_match out '^  FAIL hsecret +0/2 \(hidden\)  failed \(a hidden test: no details are shown\)$' \
		"a crash in a hidden test saying no more: not its status, nor its stderr"
	grade 99 subs --hidden hidden --seed 5 -j 2 -f json -o report.json --gradebook book.csv
	expect_rc 0
	flat_report
	assert_eq "tests per submission" 3 "$(flat flat submissions.0.tests.#)"
	assert_eq "hsecret hidden" true "$(flat flat submissions.0.tests.2.hidden)"
	assert_num "correctness max" "$(flat flat submissions.0.correctness_max)" -eq 5
	assert_eq "bob's hidden message" "failed (a hidden test: no details are shown)" "$(msg_of 1 2)"
	# Every format prints the same fixed message: an exit status would
	# carry a byte of the hidden input out.
	assert_eq "carol's hidden message" "failed (a hidden test: no details are shown)" "$(msg_of 2 2)"
	grade 99 subs/carol --hidden hidden --seed 5 -f gradescope -o report.gs
	expect_rc 0
	# Neither the secret nor the expected value, anywhere.
	for _f in report.txt report.err report.json book.csv report.gs err; do
		no_leak "$_tok" "$_f"
		no_leak 1111111110 "$_f"
	done
	expect_reaped
}

test_hidden_missing_dir() {
	need_sandbox
	make_exercises
	good mine
	bench grade 99 mine --hidden no/such/dir
	# A folder that is not there is a failure, as a missing submission is,
	# not bad usage.
	expect_rc 1
	expect_empty out
	expect_nlines err 1
	expect_match err '--hidden' "the error naming --hidden"
	expect_match err 'no/such/dir' "the error naming the folder"
	mkdir -p empty
	bench grade 99 mine --hidden empty
	expect_rc 1
	expect_nlines err 1
	expect_match err 'empty/99-add/tests\.json' "the error naming the missing tests.json"
}

test_format_gradescope() {
	need_sandbox
	make_exercises
	make_hidden "$(token)"
	good mine
	grade 99 mine --hidden hidden --seed 3 -f gradescope
	expect_rc 0
	if has python3; then
		python3 -c 'import json, sys; json.load(open(sys.argv[1]))' out 2>py.err ||
			fail "not valid JSON: $(head -n 1 py.err)"
	fi
	json_flat out >flat
	assert_num "score" "$(flat flat score)" -eq 5
	assert_eq "tests" 3 "$(flat flat tests.#)"
	for _i in 0 1 2; do
		for _k in name score max_score visibility; do
			flat flat "tests.$_i.$_k" >/dev/null
		done
	done
	assert_eq "test 0's name" small "$(flat flat tests.0.name)"
	assert_num "test 1's max_score" "$(flat flat tests.1.max_score)" -eq 2
	assert_eq "a public test's visibility" visible "$(flat flat tests.0.visibility)"
	assert_eq "the hidden test's visibility" after_published "$(flat flat tests.2.visibility)"
	assert_num "the hidden test's score" "$(flat flat tests.2.score)" -eq 2
	# The starter: zero.
	sub starter <ex/99-add/starter/add.c
	grade 99 starter --seed 3 -f gradescope
	expect_rc 0
	json_flat out >flat
	assert_num "the starter's score" "$(flat flat score)" -eq 0
	assert_num "the starter's test 0" "$(flat flat tests.0.score)" -eq 0
	expect_reaped
}

test_gradescope_build_failure() {
	need_sandbox
	make_exercises
	src_compile_error | sub broken
	grade 99 broken --seed 3 -f gradescope
	expect_rc 0
	json_flat out >flat
	assert_num "score" "$(flat flat score)" -eq 0
	expect_match flat '^output=compile error' "the status in the output"
	expect_match flat 'error: expected expression' "the compiler's message in the output"
	# The tests never ran: none may say it passed.
	expect_no_match flat '^tests\.[0-9]+\.output=passed$' "test saying 'passed' for code that did not compile"
}

# Gradescope grades one submission: a source one folder too deep or
# misnamed is a results.json with 0 and how to fix it, not a failure of
# the autograder; graded as a folder, the same layout is a class of one,
# and a note says so.
test_gradescope_source_misplaced() {
	need_sandbox
	make_exercises
	good sub/mywork
	grade 99 sub --seed 3 -f gradescope
	expect_rc 0
	json_flat out >flat
	assert_num "score" "$(flat flat score)" -eq 0
	expect_match flat '^output=no source' "the status in the output"
	expect_match flat 'found mywork/add\.c: move it up one folder' "the fix named"
	mkdir -p typo
	cp sub/mywork/add.c typo/Add.c
	grade 99 typo --seed 3 -f gradescope
	expect_rc 0
	json_flat out >flat
	assert_num "score" "$(flat flat score)" -eq 0
	expect_match flat 'found Add\.c: rename it' "the fix named"
	grade 99 sub --seed 3
	expect_rc 0
	expect_match out '^mywork: 3/3 points' "the class of one graded"
	expect_match err 'note: sub holds no add\.c, so it is taken for a class of one, sub/mywork' \
		"the note on a class of one"
}

test_format_junit() {
	need_sandbox
	make_exercises
	good c/alice
	sub c/bob <ex/99-add/starter/add.c
	src_compile_error | sub c/carol
	src_fake_report | sub c/dave
	grade 99 c --seed 11 -j 2 -f junit -o report.xml
	expect_rc 0
	expect_empty out
	[ -s report.xml ] || fail "no report.xml"
	if has python3; then
		python3 - report.xml >junit.txt 2>py.err <<'EOF' || fail "report.xml is not well-formed XML: $(head -n 3 py.err)"
import sys, xml.etree.ElementTree as E
root = E.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
for s in root.findall("testsuite"):
    cases = s.findall("testcase")
    fails = [c for c in cases if c.find("failure") is not None]
    # Jenkins' junit-10.xsd: name, tests, failures and errors required.
    for a in ("name", "tests", "failures", "errors"):
        assert s.get(a) is not None, "testsuite without %s" % a
    print("%s tests=%s failures=%s cases=%d failed=%d" % (
        s.get("name"), s.get("tests"), s.get("failures"), len(cases), len(fails)))
    for c in cases:
        print("case %s %s" % (s.get("name"), c.get("name")))
EOF
		expect_fixed junit.txt "alice tests=2 failures=0 cases=2 failed=0" "alice's suite"
		expect_fixed junit.txt "bob tests=2 failures=2 cases=2 failed=2" "bob's suite"
		expect_fixed junit.txt "carol tests=2 failures=2 cases=2 failed=2" "carol's tests, none run"
		expect_fixed junit.txt "dave tests=2 failures=2 cases=2 failed=2" "dave's suite"
		expect_no_match junit.txt '^case .* (injected|x)$' "test case injected by a submission's output"
		assert_eq "suites" 4 "$(grep -c 'tests=' junit.txt)"
	else
		note "python3 missing: report.xml not parsed"
		assert_eq "suites" 4 "$(grep -c '<testsuite ' report.xml)"
	fi
	# Every submission lists the same tests: carol's fail, not run.
	expect_match report.xml 'failure message="not run: compile error' "the build failure, in each test"
	expect_match report.xml 'error: expected expression' "the compiler's message"
	expect_reaped
}

test_format_tap() {
	need_sandbox
	make_exercises
	good c/alice
	sub c/bob <ex/99-add/starter/add.c
	src_compile_error | sub c/carol
	src_fake_report | sub c/dave
	grade 99 c --seed 11 -j 2 -f tap -o report.tap
	expect_rc 0
	expect_match report.tap '^TAP version 13$' "the version line"
	expect_match report.tap '^1\.\.8$' "the plan: 2 tests for each submission, a build failure's too"
	_oks=$(grep -Ec '^ok [0-9]+ ' report.tap)
	_nots=$(grep -Ec '^not ok [0-9]+ ' report.tap)
	assert_eq "ok lines" 2 "$_oks"
	assert_eq "not ok lines" 6 "$_nots"
	# Numbered 1..8 in order.
	assert_eq "test numbers" "1 2 3 4 5 6 7 8" \
		"$(sed -n 's/^\(not \)\{0,1\}ok \([0-9]*\) .*/\2/p' report.tap | tr '\n' ' ' | sed 's/ $//')"
	expect_match report.tap '^not ok [0-9]+ - carol: ' "the build failure"
	expect_match report.tap 'message: "not run: compile error.*error: expected expression' "why, with the compiler's message"
	expect_no_match report.tap '^(ok|not ok) [0-9]+ - injected' "a test line injected by a submission's output"
	if has prove; then
		run prove -e cat report.tap
		expect_match out 'Tests: 8 Failed: 6' "prove reading 8 tests, 6 failed"
	else
		note "prove missing: the TAP not checked by a consumer"
	fi
	expect_reaped
}

test_output_file() {
	need_sandbox
	make_exercises
	good mine
	echo "old" >report.json
	grade 99 mine --seed 1 -f json -o report.json --gradebook book.csv
	expect_rc 0
	expect_empty out
	json_flat report.json >flat
	assert_num "score in the file" "$(flat flat submissions.0.score)" -eq 3
	[ -s book.csv ] || fail "--gradebook not written for one submission"
	assert_eq "gradebook rows" 2 "$(wc -l <book.csv | tr -d ' ')"
	no_temp_files
	# An output in a folder that is not there: refused before grading.
	bench grade 99 mine -o no/such/dir/report.json
	expect_rc 1
	expect_empty out
	expect_nlines err 1
	expect_match err "no/such/dir/report\.json" "the error naming the file"
	# A grader failure (a reference that does not build) leaves an
	# existing report alone.
	printf 'this is not C\n' >>ex/99-add/reference/add.c
	echo "old" >report.json
	grade 99 mine --seed 1 -f json -o report.json
	expect_rc 1
	expect_match err 'reference does not build' "the error naming the reference"
	assert_eq "report.json after a failure" old "$(cat report.json)"
	no_temp_files
}

test_student_names_escaped() {
	need_sandbox
	make_exercises
	good "c/o'brien, jo \"junior\""
	sub "c/a&b<c>" <ex/99-add/starter/add.c
	grade 99 c --seed 2 -j 2 -f junit -o report.xml
	expect_rc 0
	if has python3; then
		python3 - report.xml >names.txt 2>py.err <<'EOF' || fail "report.xml is not well-formed XML: $(head -n 3 py.err)"
import sys, xml.etree.ElementTree as E
for s in E.parse(sys.argv[1]).getroot().findall("testsuite"):
    print(s.get("name"))
EOF
		printf '%s\n' 'a&b<c>' "o'brien, jo \"junior\"" >want.txt
		cmp -s want.txt names.txt || fail "student names in JUnit: $(tr '\n' '|' <names.txt)"
	fi
	expect_fixed gradebook.csv '"o'"'"'brien, jo ""junior""",99-add,graded,3,3' "the name quoted in the CSV"
	expect_fixed gradebook.csv 'a&b<c>,99-add,graded,0,3' "the other name as is"
	grade 99 c --seed 2 -j 2 -f json -o report.json
	expect_rc 0
	flat_report
	assert_eq "submissions in JSON" 2 "$(flat flat submissions.#)"
}

test_student_name_not_utf8() {
	need_sandbox
	make_exercises
	_name=$(printf 'caf\351') # Latin-1, not UTF-8: as unpacked from some archives
	good "c/$_name"
	good c/zed
	grade 99 c --seed 2 -j 2 -f json -o report.json
	expect_rc 0
	if has python3; then
		python3 -c 'import json, sys; json.load(open(sys.argv[1], "rb"))' report.json 2>py.err ||
			fail "report.json is not valid JSON: $(head -n 1 py.err)"
	fi
	flat_report
	assert_eq "submissions in JSON (none dropped)" 2 "$(flat flat submissions.#)"
	grade 99 c --seed 2 -j 2 -f junit -o report.xml
	expect_rc 0
	if has python3; then
		python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' report.xml 2>py.err ||
			fail "report.xml is not well-formed XML: $(tail -n 1 py.err)"
	fi
	assert_eq "gradebook rows" 3 "$(wc -l <gradebook.csv | tr -d ' ')"
}

test_compile_log_not_utf8() {
	need_sandbox
	make_exercises
	# The line in error holds bytes that are not UTF-8: the compiler's
	# message quotes it.
	mkdir -p bad
	printf '#include "add.h"\n\nlong add(long a, long b)\n{\n\treturn a + b + "\377\376";\n}\n' >bad/add.c
	grade 99 bad --seed 2 -f json -o report.json
	expect_rc 0
	flat_report
	assert_eq "status" "compile error" "$(flat flat submissions.0.status)"
	flat flat submissions.0.log >log.txt
	expect_match log.txt 'error' "the compiler's message in the JSON log"
	grade 99 bad --seed 2 -f gradescope -o results.json
	expect_rc 0
	json_flat results.json >flat
	assert_num "gradescope score" "$(flat flat score)" -eq 0
	expect_match flat '^output=compile error' "the status in Gradescope's output"
	grade 99 bad --seed 2 -f junit -o report.xml
	expect_rc 0
	if has python3; then
		python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' report.xml 2>py.err ||
			fail "report.xml is not well-formed XML: $(tail -n 1 py.err)"
	fi
}

test_perf_reference() {
	need_sandbox
	make_exercises
	grade 98 ex/98-psum/reference --seed 4 --rounds 3 -f json -o report.json
	expect_rc 0
	flat_report
	assert_eq "status" graded "$(flat flat submissions.0.status)"
	assert_num "correctness" "$(flat flat submissions.0.correctness)" -eq 1
	_st=$(flat flat submissions.0.performance.status)
	# The check's 2 points count in the max unless left to the instructor.
	[ "$_st" = review ] || assert_num "max" "$(flat flat submissions.0.max)" -eq 3
	case $_st in
	graded | review) ;;
	*) fail "performance status: expected graded or review, got '$_st'" ;;
	esac
	assert_num "speedup" "$(flat flat submissions.0.performance.speedup)" -gt 0
	_exp=$(flat flat submissions.0.performance.expected)
	assert_num "expected speedup" "$_exp" -ge 1
	assert_num "expected speedup" "$_exp" -le 1.8
	assert_num "performance max" "$(flat flat submissions.0.performance.max)" -eq 2
	assert_num "the reference's speedup" "$(flat flat submissions.0.performance.reference_speedup)" -gt 0
	assert_num "wall-clock speedup" "$(flat flat submissions.0.performance.wall_speedup)" -gt 0
	assert_num "rounds" "$(flat flat submissions.0.performance.rounds)" -ge 3
	_m=$(flat flat submissions.0.performance.message)
	case $_m in
	*"wrong result"* | "") fail "the reference's performance message: '$_m'" ;;
	esac
	_p=$(flat flat submissions.0.performance.points)
	case $_p in
	0.0 | 1.0 | 2.0) ;;
	*) fail "performance points: expected 0, 1 or 2 (no, half or full credit), got $_p" ;;
	esac
	# Left to the instructor: no points, and out of the total's max.
	if [ "$_st" = review ]; then
		assert_num "points when left to the instructor" "$_p" -eq 0
		assert_num "max without the undecided check" "$(flat flat submissions.0.max)" -eq 1
	fi
	# --no-perf: no performance check, nor its points.
	grade 98 ex/98-psum/reference --seed 4 --no-perf -f json -o report.json
	expect_rc 0
	flat_report
	assert_num "max without the check" "$(flat flat submissions.0.max)" -eq 1
	expect_no_match flat '^submissions\.0\.performance\.' "performance section with --no-perf"
	expect_reaped
}

# The serial baseline is timed in a binary without the student's code:
# a constructor that slows it down earns nothing.
test_perf_baseline_untouchable() {
	need_sandbox
	make_exercises
	mkdir -p c/trick
	src_psum_ctor_trick >c/trick/psum.c
	grade 98 c --seed 4 --rounds 3 -f json -o report.json
	expect_rc 0
	flat_report
	assert_num "the trick's correctness" "$(flat flat submissions.0.correctness)" -eq 1
	assert_num "the trick's performance points" "$(flat flat submissions.0.performance.points)" -eq 0
	expect_reaped
}

test_perf_serial_and_wrong() {
	need_sandbox
	make_exercises
	mkdir -p c/serial c/wrong
	src_psum_serial >c/serial/psum.c
	src_psum_wrong_big >c/wrong/psum.c
	grade 98 c --seed 4 --rounds 3 -j 2 -f json -o report.json
	expect_rc 0
	flat_report
	# serial: right, but no faster than the serial code: never full credit.
	assert_eq "first" serial "$(flat flat submissions.0.student)"
	assert_num "serial's correctness" "$(flat flat submissions.0.correctness)" -eq 1
	_st=$(flat flat submissions.0.performance.status)
	case $_st in
	graded | review) ;;
	*) fail "serial's performance status: '$_st'" ;;
	esac
	assert_num "serial's performance points" "$(flat flat submissions.0.performance.points)" -lt 2
	assert_num "serial's speedup" "$(flat flat submissions.0.performance.speedup)" -gt 0
	# wrong: passes the small test, prints a wrong sum when timed.
	assert_eq "second" wrong "$(flat flat submissions.1.student)"
	assert_num "wrong's correctness" "$(flat flat submissions.1.correctness)" -eq 1
	assert_eq "wrong's performance status" graded "$(flat flat submissions.1.performance.status)"
	assert_num "wrong's performance points" "$(flat flat submissions.1.performance.points)" -eq 0
	_m=$(flat flat submissions.1.performance.message)
	case $_m in
	*"wrong result"*) ;;
	*) fail "wrong's performance message: expected it to say wrong result, got '$_m'" ;;
	esac
	expect_match gradebook.csv '^wrong,98-psum,graded,1,1,0,2,1,3,4$' "wrong's gradebook row"
	# Gradescope: the performance check as a test of its own.
	grade 98 c/wrong --seed 4 --rounds 3 -f gradescope
	expect_rc 0
	json_flat out >flat
	assert_eq "Gradescope tests with performance" 2 "$(flat flat tests.#)"
	assert_eq "the performance test" performance "$(flat flat tests.1.name)"
	assert_num "its max_score" "$(flat flat tests.1.max_score)" -eq 2
	assert_num "its score" "$(flat flat tests.1.score)" -eq 0
	expect_match flat '^tests\.1\.output=.*wrong result' "why, in its output"
	assert_num "Gradescope score" "$(flat flat score)" -eq 1
	expect_reaped
}

test_wall_bounds() {
	need_sandbox
	make_exercises
	mkdir -p c/alice c/bob c/carol
	cp ex/97-nap/reference/nap.c c/alice/
	cp ex/97-nap/starter/nap.c c/bob/
	cat >c/carol/nap.c <<'EOF'
#include <time.h>
#include "nap.h"

void nap(unsigned ms)
{
	struct timespec t = { (time_t)(3 * ms / 1000), (long)(3 * ms % 1000) * 1000000L };

	while (nanosleep(&t, &t) != 0)
		;
}
EOF
	grade 97 c --seed 1 -j 2 --timeout 20 -f json -o report.json
	expect_rc 0
	flat_report
	assert_num "the reference's nap" "$(flat flat submissions.0.score)" -eq 1
	assert_num "no nap" "$(flat flat submissions.1.score)" -eq 0
	expect_msg 1 0 "^right output, but it took .*did it do the work\?\)$" "no nap"
	assert_num "a nap three times too long" "$(flat flat submissions.2.score)" -eq 0
	expect_msg 2 0 "^right output, but it took .*did the work overlap\?\)$" "a long nap"
}

test_same_seed_same_scores() {
	need_sandbox
	make_exercises
	good c/alice
	src_partial | sub c/bob
	sub c/carol <ex/99-add/starter/add.c
	for _i in 1 2; do
		grade 99 c --seed 123456789 -j 2 -f json -o report$_i.json --gradebook book$_i.csv
		expect_rc 0
		json_flat report$_i.json | grep -v -e '\.wall_ms=' >flat$_i
	done
	cmp -s flat1 flat2 || fail "two runs with one seed differ: $(diff flat1 flat2 | head -n 4 | tr '\n' '|')"
	cmp -s book1.csv book2.csv || fail "two gradebooks with one seed differ"
	assert_num "bob (partial)" "$(flat flat1 submissions.1.score)" -eq 1
	# No --seed: a seed drawn each time, printed.
	grade 99 c/alice -f json -o r1.json
	json_flat r1.json >f1
	grade 99 c/alice -f json -o r2.json
	json_flat r2.json >f2
	assert_ne "drawn seeds" "$(flat f1 seed)" "$(flat f2 seed)"
}

test_seed_drives_random_test() {
	need_sandbox
	make_exercises
	sub c/starter <ex/99-add/starter/add.c
	good c/zgood
	for _s in 1 2; do
		grade 99 c --seed $_s -j 2 -f json -o report$_s.json
		expect_rc 0
		json_flat report$_s.json >flat$_s
		assert_eq "the reference passes random with seed $_s" true "$(flat flat$_s submissions.1.tests.1.passed)"
		flat flat$_s submissions.0.tests.1.message >msg$_s
	done
	cmp -s msg1 msg2 && fail "the starter's random test expected the same with seeds 1 and 2: $(cat msg1)"
	return 0
}

test_json_seed_round_trips() {
	need_sandbox
	make_exercises
	good mine
	# The largest seed --seed takes.
	grade 99 mine --seed 18446744073709551615 -f json -o report.json
	expect_rc 0
	json_flat report.json >flat
	_s=$(flat flat seed)
	grade 99 mine --seed 18446744073709551615
	expect_match out '\(seed 18446744073709551615\)' "the seed in the text report"
	assert_eq "the seed in JSON, as the text report and --seed have it" 18446744073709551615 "$_s"
	# What the JSON says, --seed takes back.
	bench grade 99 mine --seed "$_s" -f json -o again.json
	expect_rc 0
}

# ---------------------------------------------------------------------------
# 2. Hostile submissions: each in a batch before zgood (see batch_ok).

test_hostile_compile_error() {
	need_sandbox
	make_exercises
	src_compile_error | sub batch/broken
	src_warning | sub batch/warned
	src_link_error | sub batch/linked
	good batch/zgood
	grade 99 batch -j 1 --seed 42
	expect_rc 0
	expect_match out '^broken: 0/3 points: compile error$' "broken's status"
	expect_match out "^    add\.c:5:[0-9]+: error: expected expression" "the compiler's message shown"
	expect_match out '^warned: 0/3 points: compile error$' "a warning failing the build"
	expect_match out "error: unused variable 'unused'" "the warning shown"
	expect_match out '^linked: 0/3 points: link error$' "linked's status"
	expect_match out 'multiple definition of .main' "the linker's message shown"
	expect_match out '^zgood: 3/3 points' "the next submission graded"
	grade 99 batch -j 1 --seed 42 -f json -o report.json
	batch_ok 4
	flat flat submissions.0.log >log.txt
	expect_match log.txt 'error: expected expression' "the compiler's message in the JSON log"
}

test_hostile_crash() {
	need_sandbox
	make_exercises
	src_segv | sub batch/segv
	src_null | sub batch/ub
	good batch/zgood
	grade 99 batch -j 1 --seed 42 -f json -o report.json
	batch_ok 3
	for _t in 0 1; do
		expect_msg 0 $_t 'killed by signal 11 \(Segmentation fault\)|SEGV' "the wild pointer's crash named"
		expect_msg 1 $_t 'runtime error: store to null pointer' "UBSan's message"
	done
	expect_score 0 0
	expect_score 1 0
}

test_hostile_hangs() {
	need_sandbox
	make_exercises
	src_loop | sub batch/loop
	src_sleep | sub batch/sleep
	good batch/zgood
	_t0=$(now)
	grade 99 batch -j 2 --timeout 2 --seed 42 -f json -o report.json
	_t1=$(now)
	batch_ok 3
	for _s in 0 1; do
		for _t in 0 1; do
			expect_msg $_s $_t '^it ran past its 2 s limit and was killed$' "the limit named"
		done
		expect_score $_s 0
	done
	# 4 runs of 2 s, two at a time, and the rest.
	assert_num "grading time (s)" $((_t1 - _t0)) -lt 30
}

test_hostile_fork_bomb() {
	need_sandbox
	make_exercises
	src_fork_bomb | sub batch/bomb
	good batch/zgood
	# -j 1: zgood right after it, as the same uid.
	grade 99 batch -j 1 --timeout 2 --seed 42 -f json -o report.json
	batch_ok 2
	for _t in 0 1; do
		expect_msg 0 $_t '^it ran past its 2 s limit and was killed$' "the limit named"
	done
	expect_score 0 0
}

test_hostile_memory() {
	need_sandbox
	make_exercises
	src_hog | sub batch/hog
	good batch/zgood
	# The address-space limit stops the hog, not the clock: the limit is
	# generous, for a busy machine where touching 512 MiB takes seconds.
	grade 99 batch -j 1 --timeout 20 --seed 42 -f json -o report.json
	batch_ok 2
	for _t in 0 1; do
		expect_msg 0 $_t 'runtime error|killed by signal|out of memory|Cannot allocate' "what stopped it"
	done
	expect_score 0 0
}

test_hostile_output_flood() {
	need_sandbox
	make_exercises
	src_flood stdout | sub batch/out
	src_flood stderr | sub batch/err
	good batch/zgood
	grade 99 batch -j 2 --timeout 5 --seed 42 -f json -o report.json
	batch_ok 3
	for _s in 0 1; do
		for _t in 0 1; do
			expect_msg $_s $_t '^it wrote more than 1024 KiB of output and was killed' "the flood named"
		done
		expect_score $_s 0
	done
	assert_num "report size (bytes)" "$(wc -c <report.json | tr -d ' ')" -lt 20000
}

test_hostile_disk_flood() {
	need_sandbox
	make_exercises
	open_up
	src_disk_flood | sub batch/disk
	good batch/zgood
	rm -f /tmp/bench-grade-flood-0
	TMPDIR=$PWD/scratch grade 99 batch -j 1 --timeout 5 --seed 42 -f json -o report.json
	batch_ok 2
	for _t in 0 1; do
		expect_msg 0 $_t '^it exited with status [12]: .*(No space left on device|File too large)' "what stopped it"
	done
	expect_score 0 0
	[ ! -e /tmp/bench-grade-flood-0 ] || fail "the flood reached the host's /tmp"
	[ -z "$(find . -name 'bench-grade-flood-*')" ] || fail "the flood reached the test's folder"
	no_scratch
}

test_hostile_network() {
	need_sandbox
	make_exercises
	_name=bench-grade-test-$$
	_port=9
	if has python3; then
		start_listener conn.log "$_name"
		_port=$(cat listener.port)
		# The listener works: a connection from outside is logged.
		python3 -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1]))).close()
s = socket.socket(socket.AF_UNIX); s.connect("\0" + sys.argv[2]); s.close()' "$_port" "$_name" ||
			fail "cannot connect to the listener from outside"
		sleep 0.2
		assert_eq "connections from outside" 2 "$(wc -l <conn.log | tr -d ' ')"
	else
		note "python3 missing: no local listener"
	fi
	src_net "$_port" "$_name" | sub batch/net
	good batch/zgood
	grade 99 batch -j 1 --timeout 5 --seed 42 -f json -o report.json
	batch_ok 2
	# Right answers would mean a connection opened.
	expect_score 0 0
	expect_msg 0 0 "^line 1: expected '5', got '6'$" "the net submission's small"
	if [ -f conn.log ]; then
		sleep 0.2
		assert_eq "connections (the two from outside only)" 2 "$(wc -l <conn.log | tr -d ' ')"
	fi
}

test_hostile_reads_files() {
	need_sandbox
	make_exercises
	open_up
	_tok=$(token)
	make_hidden "$_tok"
	printf '%s\n' "$_tok" >secret.txt
	printf '/* %s */\n' "$_tok" >>ex/99-add/reference/add.c
	printf '%s\n' "$_tok" >ex/99-add/reference/secret.txt
	good batch/alice
	printf '/* %s */\n' "$_tok" >>batch/alice/add.c
	printf '%s\n' "$_tok" >batch/alice/secret.txt
	chmod -R a+rX .
	src_snoop "$(c_list "$PWD/secret.txt" "$PWD/ex/99-add/reference/add.c" \
		"$PWD/ex/99-add/reference/secret.txt" "$PWD/hidden/99-add/tests.c" \
		"$PWD/hidden/99-add/secret.txt" "$PWD/batch/alice/add.c" \
		"$PWD/batch/alice/secret.txt" "$PWD/scratch" "$PWD" /tmp /root /home /etc \
		/proc/1/root /proc/1/cwd /proc/self/cwd/..)" | sub batch/snoop
	good batch/zgood
	# -j 2: alice's folder exists while snoop runs.
	TMPDIR=$PWD/scratch grade 99 batch --hidden hidden -j 2 --seed 42 -f json -o report.json
	batch_ok 3 5
	_out=$(flat flat submissions.1.student)
	assert_eq "the snoop" snoop "$_out"
	assert_num "the snoop's score (it passes only with a secret)" "$(flat flat submissions.1.score)" -eq 0
	TMPDIR=$PWD/scratch grade 99 batch --hidden hidden -j 2 --seed 42
	cp out report.txt
	cp err report.err
	no_leak "$_tok" report.json report.txt report.err gradebook.csv
	no_scratch
}

test_hostile_includes_files() {
	need_sandbox
	make_exercises
	open_up
	_tok=$(token)
	make_hidden "$_tok"
	printf '%s\n' "$_tok" >secret.txt
	good batch/alice
	chmod -R a+rX .
	# Each would compile, or show the secret in the compiler's messages,
	# if the file were there to include.
	printf '#include "%s"\n' "$PWD/ex/99-add/reference/add.c" | sub batch/inc_ref
	printf '#include "%s"\n' "$PWD/batch/alice/add.c" | sub batch/inc_alice
	printf '#include "%s"\n' "$PWD/hidden/99-add/tests.c" | sub batch/inc_hidden
	printf '#include "%s"\n' "$PWD/secret.txt" | sub batch/inc_secret
	printf '#include "../ref/%s"\n' add.c | sub batch/inc_scratch
	fill_in FILE "$PWD/secret.txt" <<'EOF' | sub batch/incbin
#include <stdio.h>
#include "add.h"

__asm__(".section .rodata\n.globl stolen\nstolen:\n.incbin \"@FILE@\"\n.byte 0\n.previous");
extern const char stolen[];

long add(long a, long b)
{
	fputs(stolen, stdout);
	return a + b;
}
EOF
	good batch/zgood
	TMPDIR=$PWD/scratch grade 99 batch --hidden hidden -j 2 --seed 42 -f json -o report.json
	batch_ok 8 5
	for _i in 1 2 3 4 5 6; do
		_n=$(flat flat "submissions.$_i.student")
		assert_eq "$_n's status" "compile error" "$(flat flat "submissions.$_i.status")"
		flat flat "submissions.$_i.log" >log.txt
		expect_match log.txt 'No such file or directory|file not found' "$_n: the file not found"
	done
	TMPDIR=$PWD/scratch grade 99 batch --hidden hidden -j 2 --seed 42
	cp out report.txt
	cp err report.err
	no_leak "$_tok" report.json report.txt report.err gradebook.csv
	no_scratch
}

test_hostile_reads_environment() {
	need_sandbox
	make_exercises
	_tok=$(token)
	src_snoop "" | sub batch/snoop
	good batch/zgood
	# The grader's environment (a CI's tokens, say) is not the student's.
	BENCH_GRADE_TEST_SECRET=$_tok grade 99 batch -j 1 --seed 42 -f json -o report.json
	cp err report.err
	batch_ok 2
	no_leak "$_tok" report.json report.err gradebook.csv
	assert_num "the snoop's score (it passes only with a secret)" "$(flat flat submissions.0.score)" -eq 0
}

test_hostile_inherited_fds() {
	need_sandbox
	make_exercises
	_tok=$(token)
	printf '%s\n' "$_tok" >secret.txt
	: >ci.log
	src_snoop "" | sub batch/snoop
	src_writer "" "" 1 | sub batch/writer
	good batch/zgood
	# Descriptors bench inherits (a CI's log, a file it reads) are not
	# the student's: one open to read a secret, one open to append to a log.
	grade 99 batch -j 1 --seed 42 -f json -o report.json 7<secret.txt 8>>ci.log
	cp err report.err
	batch_ok 3
	no_leak "$_tok" report.json report.err gradebook.csv
	assert_num "the snoop's score (it passes only with a secret)" "$(flat flat submissions.0.score)" -eq 0
	[ ! -s ci.log ] || fail "a submission wrote to a descriptor bench inherited: $(head -n 1 ci.log)"
}

test_hostile_writes_outside() {
	need_sandbox
	make_exercises
	open_up
	good batch/alice
	chmod -R a+rwX .
	cksum ex/99-add/reference/add.c ex/99-add/tests.c batch/alice/add.c >before.sum
	_tmp=/tmp/bench-grade-pwned-$$
	rm -f "$_tmp"
	src_writer "$(c_list "$PWD/pwned" "$PWD/scratch/pwned" \
		"$PWD/ex/99-add/reference/add.c" "$PWD/ex/99-add/tests.c" \
		"$PWD/batch/alice/add.c" "$PWD/batch/pwned")" \
		"$(c_list "$_tmp" ../pwned /pwned /proc/1/root/pwned /proc/self/cwd/../pwned)" 0 |
		sub batch/writer
	good batch/zgood
	TMPDIR=$PWD/scratch grade 99 batch -j 2 --seed 42 -f json -o report.json
	batch_ok 3
	assert_num "the writer's score (it passes only with a file written)" "$(flat flat submissions.1.score)" -eq 0
	[ ! -e pwned ] || fail "the writer created $PWD/pwned"
	[ ! -e batch/pwned ] || fail "the writer created $PWD/batch/pwned"
	[ ! -e "$_tmp" ] || fail "the writer created $_tmp"
	[ ! -e /pwned ] || fail "the writer created /pwned"
	cksum ex/99-add/reference/add.c ex/99-add/tests.c batch/alice/add.c >after.sum
	cmp -s before.sum after.sum || fail "the writer changed files: $(diff before.sum after.sum | tr '\n' '|')"
	no_scratch
}

test_hostile_kills_grader() {
	need_sandbox
	make_exercises
	src_killer | sub batch/killer
	good batch/zgood
	grade 99 batch -j 1 --seed 42 -f json -o report.json
	batch_ok 2
	# Its answers are right, and nothing it killed mattered.
	assert_eq "the killer's status" graded "$(flat flat submissions.0.status)"
	expect_score 0 3
	[ -f gradebook.csv ] || fail "no gradebook"
	assert_eq "gradebook rows" 3 "$(wc -l <gradebook.csv | tr -d ' ')"
	expect_match err '^bench: gradebook gradebook\.csv \(2 submissions\)$' "bench to its end"
}

test_hostile_fake_score() {
	need_sandbox
	make_exercises
	src_fake_score | sub batch/fake
	good batch/zgood
	grade 99 batch -j 1 --seed 42
	expect_rc 0
	expect_match out '^fake: 0/3 points \(correctness 0/3\)$' "zero for the fake score"
	grade 99 batch -j 1 --seed 42 -f json -o report.json
	batch_ok 2
	expect_score 0 0
	assert_eq "small passed" false "$(flat flat submissions.0.tests.0.passed)"
	assert_eq "random passed" false "$(flat flat submissions.0.tests.1.passed)"
	expect_match gradebook.csv '^fake,99-add,graded,0,3,0,0,0,3,42$' "zero in the gradebook"
}

test_hostile_daemon() {
	need_sandbox
	make_exercises
	open_up
	_tmp=/tmp/bench-grade-late-$$
	rm -f "$_tmp"
	src_daemon "$(c_list "$PWD/late" "$_tmp" "$PWD/scratch/late")" | sub batch/daemon
	good batch/zgood
	TMPDIR=$PWD/scratch grade 99 batch -j 1 --seed 42 -f json -o report.json
	batch_ok 2
	assert_eq "the daemon's status" graded "$(flat flat submissions.0.status)"
	# It would write every 0.2 s for 1 s: nothing may come.
	sleep 1.5
	no_sandbox_procs
	[ ! -e late ] || fail "the daemon wrote $PWD/late"
	[ ! -e "$_tmp" ] || fail "the daemon wrote $_tmp"
	no_scratch
}

# A class entry that is a symbolic link (here to the exercise's own
# reference, which would score full marks) is refused with its reason,
# not followed; a source that is a hard link to a file its author may not
# read is refused before anything shows its content.
test_class_links_refused() {
	need_sandbox
	make_exercises
	good c/alice
	ln -s "$PWD/ex/99-add/reference" c/mallory
	printf 'TOPSECRET-%s\n' $$ >secret.txt
	chmod 600 secret.txt
	mkdir -p c/eve
	ln secret.txt c/eve/add.c || skip "no hard links here"
	grade 99 c --seed 3 -j 2 -f json -o report.json --gradebook book.csv
	expect_rc 0
	flat_report
	assert_eq "the first" alice "$(flat flat submissions.0.student)"
	expect_score 0 3
	assert_eq "the second" eve "$(flat flat submissions.1.student)"
	assert_eq "eve's status" "no source" "$(flat flat submissions.1.status)"
	expect_score 1 0
	assert_eq "the third" mallory "$(flat flat submissions.2.student)"
	assert_eq "mallory's status" refused "$(flat flat submissions.2.status)"
	expect_score 2 0
	grade 99 c --seed 3 -j 2
	expect_rc 0
	expect_match out '^mallory: 0/3 points: refused$' "the link refused"
	expect_match out 'mallory is a symbolic link: a submission must be the folder or the file itself' \
		"the reason: a symbolic link"
	expect_match out '^eve: 0/3 points: no source$' "the hard link refused"
	expect_match out 'it is a hard link \(2 names for one file\)' "the reason: a hard link"
	no_leak "TOPSECRET-$$" out err report.json book.csv
	expect_reaped
}

# Folder names and compiler messages are the students': none can forge a
# line of the text report or a TAP test point, move a terminal's cursor,
# or reach a spreadsheet as a formula.
test_reports_not_forged() {
	need_sandbox
	make_exercises
	_nl=$(printf 'x\nvictim: 3 points (correctness 3)\nok 1 - victim: sum')
	_esc=$(printf 'y\033[2J\033[32m')
	sub "c/$_nl" <ex/99-add/starter/add.c
	sub "c/$_esc" <ex/99-add/starter/add.c
	good 'c/=HYPERLINK("evil.example","x")'
	# A compile error whose message holds escape sequences.
	printf '#error "\033[2J\033[32mscore: full"\n' | sub c/zed
	grade 99 c --seed 3 -j 2 --gradebook book.csv
	expect_rc 0
	cp out report.txt
	expect_no_match report.txt '^victim' "a forged report line"
	expect_no_match report.txt '^ok 1' "a forged line"
	if grep -q "$(printf '\033')" report.txt; then
		fail "the text report holds a raw escape character"
	fi
	expect_fixed report.txt 'x\nvictim: 3 points (correctness 3)\nok 1 - victim: sum: 0/3 points' \
		"the name with its newlines shown as \\n"
	expect_fixed report.txt 'y\x1b[2J\x1b[32m: 0/3 points' "the escapes shown as \\x1b"
	expect_fixed report.txt '\x1b[2J\x1b[32mscore: full' "the compiler's message escaped"
	# The gradebook: the formula neutralised, the names on one row each.
	expect_fixed book.csv '"'"'"'=HYPERLINK(""evil.example"",""x"")",99-add,graded,3,3' \
		"the formula cell prefixed with ' and quoted"
	assert_eq "gradebook rows" 5 "$(wc -l <book.csv | tr -d ' ')"
	if grep -q "$(printf '\033')" book.csv; then
		fail "the gradebook holds a raw escape character"
	fi
	# TAP: as many test points as the plan says, none forged.
	grade 99 c --seed 3 -j 2 -f tap -o report.tap
	expect_rc 0
	_plan=$(sed -n 's/^1\.\.//p' report.tap)
	assert_eq "test points in TAP" "$_plan" "$(grep -Ec '^(not )?ok ' report.tap)"
	expect_no_match report.tap '^ok 1 - victim' "a forged TAP test point"
	if grep -q "$(printf '\033')" report.tap; then
		fail "the TAP report holds a raw escape character"
	fi
	if has prove; then
		prove -e cat report.tap >prove.out 2>&1
		# The plan and the points agree: prove parses it (failures are
		# the starters').
		expect_no_match prove.out 'Parse errors' "TAP that prove cannot parse"
	fi
	expect_reaped
}

# A test's feedback shows the student's output as printed: UTF-8 as
# UTF-8, control bytes escaped.
test_feedback_as_printed() {
	need_sandbox
	make_exercises
	mkdir -p c/ana
	cat >c/ana/add.c <<'EOF'
#include <stdio.h>
#include "add.h"

long add(long a, long b)
{
	printf("caf\xc3\xa9 \x1b[2J");
	return a + b;
}
EOF
	grade 99 c --seed 3
	expect_rc 0
	# Three calls print before the first line ends.
	_e='caf\303\251 \\x1b[2J'
	expect_fixed out "$(printf "line 1: expected '5', got '$_e$_e${_e}5'")" \
		"the output in UTF-8, its escape shown as \\x1b"
	expect_reaped
}

# A program that prints the right output and exits 137 was killed by
# nothing: the message gives its status and does not claim a kill.
test_exit_137_not_a_kill() {
	need_sandbox
	make_exercises
	mkdir -p c/ann
	cat >c/ann/add.c <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include "add.h"

static int calls;

long add(long a, long b)
{
	if (++calls == 3) {
		printf("%ld\n", a + b);
		fflush(stdout);
		exit(137);
	}
	return a + b;
}
EOF
	grade 99 c --seed 3 -f json -o report.json
	expect_rc 0
	flat_report
	expect_msg 0 0 '^it exited with status 137, as a process killed by signal 9 \(Killed\) does$' \
		"the status as it was"
	expect_reaped
}

test_source_is_fifo() {
	need_sandbox
	make_exercises
	mkdir -p batch/fifo
	mkfifo batch/fifo/add.c || skip "mkfifo failed"
	good batch/zgood
	# A named pipe where the source should be: nobody writes to it, so
	# opening it to read would block for ever. The limit only tells a
	# hang from a busy machine.
	run_reaped timeout -k 5 120 "$BENCH" grade 99 batch -j 1 --seed 42 -f json -o report.json
	case $RC in 124 | 137) fail "bench hung on a named pipe (stopped by timeout after 120 s)" ;; esac
	expect_rc 0
	flat_report
	assert_eq "the pipe's status" "no source" "$(flat flat submissions.0.status)"
	assert_num "zgood's score" "$(flat flat submissions.1.score)" -eq 3
}

# ---------------------------------------------------------------------------
# 3. The grader itself.

test_sigint() {
	need_sandbox
	make_exercises
	open_up
	for _n in a b c d; do src_sleep | sub c/$_n; done
	TMPDIR=$PWD/scratch
	export TMPDIR
	start_bg "$BENCH" grade 99 c -j 1 --timeout 2 --seed 1
	wait_ready "$BG_PID"
	sleep 1
	kill -INT "$BG_PID"
	wait_exit "$BG_PID" 20 || fail "bench did not stop within 20 s of SIGINT"
	wait "$BG_WAIT"
	RC=$?
	BG_PID=
	BG_WAIT=
	expect_rc 130
	expect_empty out
	expect_match err 'interrupted' "a line saying it was interrupted"
	[ ! -e gradebook.csv ] || fail "a gradebook written after SIGINT"
	expect_reaped
	no_sandbox_procs
	no_scratch
}

test_concurrent_runs() {
	need_sandbox
	make_exercises
	for _n in a b c d e f; do
		mkdir -p c/$_n
		cp ex/97-nap/reference/nap.c c/$_n/
	done
	mkdir r1 r2
	# Two graders at once on one machine (two courses, two CI jobs): each
	# keeps to its own sandboxes. The naps keep their sandboxes running
	# side by side; their wall-time bound, wall_bounds' subject, goes: four
	# sandboxes on a busy machine would make it judge the load.
	sed 's/, "wall_vs_reference": \[[^]]*\]//' ex/97-nap/exercise.json >m.json
	mv m.json ex/97-nap/exercise.json
	expect_no_match ex/97-nap/exercise.json wall_vs_reference "wall-time bound left"
	for _r in r1 r2; do
		(
			cd $_r || exit 1
			if [ -n "$REAPER" ]; then
				exec python3 "$REAPER" "$BENCH" grade 97 ../c -j 2 --seed 1 -q --gradebook book.csv
			fi
			exec "$BENCH" grade 97 ../c -j 2 --seed 1 -q --gradebook book.csv
		) >$_r/out 2>$_r/err &
	done
	wait
	printf 'student,exercise,status,correctness,correctness_max,performance,performance_max,total,max\n' >want.csv
	for _n in a b c d e f; do
		printf '%s,97-nap,graded,1,1,0,0,1,1\n' $_n >>want.csv
	done
	for _r in r1 r2; do
		LAST_CMD="(in $_r) $(show_cmd "$BENCH" grade 97 ../c -j 2 --seed 1 -q --gradebook book.csv)"
		RC='?'
		cp $_r/out out
		cp $_r/err err
		[ -f $_r/book.csv ] || fail "$_r: no gradebook"
		cut -d, -f1-9 $_r/book.csv >$_r/got.csv
		if ! cmp -s want.csv $_r/got.csv; then
			diff want.csv $_r/got.csv | sed 's/^/    /' >&2
			grep -E 'FAIL' $_r/out | head -n 3 | sed 's/^/    /' >&2
			fail "$_r: the gradebook of a run beside another differs from the expected one"
		fi
		if [ -n "$REAPER" ]; then
			[ ! -s $_r/reaper.left ] || fail "$_r: processes left behind: $(tr '\n' ';' <$_r/reaper.left)"
		fi
	done
	no_sandbox_procs
}

test_orphans_reaped() {
	need_sandbox
	[ -n "$REAPER" ] || skip "python3 is not installed: no subreaper"
	make_exercises
	good mine
	# Under lib.sh's subreaper, which reaps nothing until bench is gone:
	# whatever bench's sandboxes leave unreaped would pile up there, and
	# bench would wait on them after each run, until its limit at least:
	# with --timeout 60, the two tests alone would take 2 minutes, where
	# grading takes seconds (up to some 20 on a busy machine).
	run_reaped timeout -k 1 60 "$BENCH" grade 99 mine --seed 1 --no-perf --timeout 60
	case $RC in 124 | 137) fail "bench took more than 60 s to grade one submission: it waited out a test's limit" ;; esac
	expect_rc 0
	expect_match out '^mine: 3/3 points' "the grade"
	expect_reaped
}

test_private_tmpdir() {
	need_sandbox
	make_exercises
	good mine
	mkdir priv
	chmod 700 priv
	# A TMPDIR only its owner may enter (pam_tmpdir, PrivateTmp): the
	# sandbox's uid cannot reach a scratch folder there.
	TMPDIR=$PWD/priv grade 99 mine --seed 1
	if [ "$RC" = 0 ]; then
		expect_match out '^mine: 3/3 points' "the grade"
	else
		expect_rc 1
		expect_nlines err 1
		expect_match err 'TMPDIR' "the error naming TMPDIR"
		expect_no_match err 'reference does not build' "blame on the exercise's reference"
	fi
	[ -z "$(ls -A priv)" ] || fail "scratch left in TMPDIR: $(ls -A priv)"
}

# ---------------------------------------------------------------------------
# 4. Usage, bench exercises.

test_usage_errors() {
	make_exercises
	good mine
	good class/a
	good class/b
	usage_error 'expected an exercise and at least one submission' grade
	usage_error 'expected an exercise and at least one submission' grade 99
	usage_error "exercise '42': expected a number or folder name" grade 42 mine
	usage_error "--format 'xml': expected text, json, gradescope, junit or tap" grade 99 mine -f xml
	usage_error "--jobs '0'" grade 99 mine --jobs 0
	usage_error "--jobs '0'" grade 99 mine -j 0
	usage_error "--timeout '0'" grade 99 mine --timeout 0
	usage_error "--rounds '2'" grade 99 mine --rounds 2
	usage_error "--seed 'x'" grade 99 mine --seed x
	usage_error "unknown option '--bogus'" grade 99 mine --bogus
	usage_error 'gradescope grades one submission, not 2' grade 99 class -f gradescope
	usage_error 'gradescope grades one submission, not 2' grade 99 mine mine -f gradescope
	usage_error 'start expects EXERCISE and a folder' exercises start 99
	usage_error "unknown argument 'bogus'" exercises bogus
	usage_error "exercise '42'" exercises start 42 dir
	[ ! -e dir ] || fail "bench exercises start made a folder for an unknown exercise"
}

test_missing_submission() {
	make_exercises
	bench grade 99 no/such/folder
	expect_rc 1
	expect_empty out
	expect_nlines err 1
	expect_match err '^bench: submission no/such/folder: No such file or directory$' "the error naming the submission"
	mkdir -p empty
	bench grade 99 empty
	expect_rc 1
	expect_empty out
	expect_nlines err 1
	expect_match err 'empty: no add\.c in it and no folders of submissions' "the error saying what a submission is"
	[ ! -e gradebook.csv ] || fail "a gradebook written for nothing"
}

test_help() {
	bench grade --help
	expect_rc 0
	expect_empty err
	expect_match out '^usage: bench grade EXERCISE SUBMISSION\.\.\.' "the usage line"
	for _o in --format --output --hidden --gradebook --jobs --seed --rounds --timeout --no-perf --quiet; do
		expect_match out "$_o" "$_o in the help"
	done
	expect_match out 'gradescope' "the formats"
	bench exercises --help
	expect_rc 0
	expect_match out '^usage: bench exercises' "the usage line"
}

test_exercises_list() {
	make_exercises
	# A folder whose manifest is broken is listed as such.
	mkdir -p ex/96-broken
	echo '{ "title": ' >ex/96-broken/exercise.json
	mkdir -p ex/notes ex/.hidden
	bench exercises
	expect_rc 0
	expect_nlines out 4
	expect_match out '^96-broken +\(broken: ' "the broken one"
	expect_match out '^97-nap +Take a nap +1 points$' "97-nap and its points"
	expect_match out '^98-psum +Parallel sum +1 points \+ 2 performance$' "98-psum and its points"
	expect_match out '^99-add +Add two numbers +3 points$' "99-add and its points"
	assert_eq "order" "96-broken 97-nap 98-psum 99-add" "$(awk '{ print $1 }' out | tr '\n' ' ' | sed 's/ $//')"
}

test_exercises_start() {
	make_exercises
	bench exercises start 99 mywork
	expect_rc 0
	expect_match out 'bench grade 99-add mywork' "what to run next"
	cmp -s ex/99-add/starter/add.c mywork/add.c || fail "mywork/add.c is not the starter"
	cmp -s ex/99-add/add.h mywork/add.h || fail "mywork/add.h is not the header"
	cmp -s ex/99-add/README.md mywork/README.md || fail "mywork/README.md is not the README"
	[ ! -e mywork/tests.c ] || fail "the tests copied"
	[ ! -e mywork/reference ] || fail "the reference copied"
	assert_eq "files started" "README.md add.c add.h" "$(find mywork -type f | sed 's|.*/||' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')"
	# Work in progress is never overwritten.
	echo "/* my work */" >>mywork/add.c
	cp mywork/add.c saved.c
	bench exercises start 99-add mywork
	expect_rc 1
	expect_empty out
	expect_nlines err 1
	expect_match err 'mywork/add\.c exists: not overwriting it' "the refusal naming the file"
	cmp -s saved.c mywork/add.c || fail "mywork/add.c overwritten"
	# By folder name, into a folder that exists and is empty.
	mkdir other
	bench exercises start 98-psum other
	expect_rc 0
	cmp -s ex/98-psum/starter/psum.c other/psum.c || fail "other/psum.c is not the starter"
	if [ -x /usr/bin/bwrap ]; then
		# What start gives grades to zero, and the work done to full marks.
		grade 99 mywork --seed 1
		expect_rc 0
		expect_match out '^mywork: 0/3 points' "the starter graded"
	fi
}

test_exercises_missing_root() {
	BENCH_EXERCISES=$PWD/no/such/folder
	export BENCH_EXERCISES
	bench exercises
	expect_rc 1
	expect_empty out
	expect_nlines err 1
	expect_match err 'no/such/folder' "the error naming the folder"
	bench grade 99 mine
	expect_rc 1
	expect_nlines err 1
	expect_match err 'no/such/folder' "the error naming the folder"
}

test_real_exercises() {
	need_sandbox
	_real=$(dirname "$BENCH")/../exercises
	[ -f "$_real/README.md" ] || skip "no exercises/README.md beside the binary ($_real)"
	_real=$(cd "$_real" && pwd)
	BENCH_EXERCISES=$_real
	export BENCH_EXERCISES
	_n=0
	for _d in "$_real"/[0-9][0-9]-*/; do
		[ -d "$_d" ] || continue
		_d=${_d%/}
		_slug=$(basename "$_d")
		_n=$((_n + 1))
		[ -d "$_d/reference" ] || fail "$_slug: no reference/ folder"
		[ -d "$_d/starter" ] || fail "$_slug: no starter/ folder"
		grade "$_slug" "$_d/reference" "$_d/starter" --no-perf --timeout 10 -j 2 -q \
			--seed 1 -f json -o "$_slug.json"
		expect_rc 0
		json_flat "$_slug.json" >flat
		assert_eq "$_slug: the reference's status" graded "$(flat flat submissions.0.status)"
		_max=$(flat flat submissions.0.correctness_max)
		assert_num "$_slug: points" "$_max" -gt 0
		assert_num "$_slug: the reference's correctness (of $_max)" \
			"$(flat flat submissions.0.correctness)" -eq "$_max"
		assert_eq "$_slug: the starter's status" graded "$(flat flat submissions.1.status)"
		assert_num "$_slug: the starter's correctness" "$(flat flat submissions.1.correctness)" -eq 0
		expect_reaped
	done
	[ "$_n" -gt 0 ] || skip "no NN-* exercise folders in $_real yet"
	note "$_n exercises checked"
}

# ---------------------------------------------------------------------------
# 5. Manifests, the drivers' shared header.

# 99-add's exercise.json with TESTS as its tests and EXTRA after them.
manifest() { # TESTS [EXTRA]
	printf '{"title": "Add two numbers", "source": "add.c", "header": "add.h", "libs": [], "tests": [%s]%s}\n' \
		"$1" "${2:-}"
}

T_SMALL='{"name": "small", "points": 1, "check": "exact"}'
T_RANDOM='{"name": "random", "points": 2, "check": "lines"}'

# The manifest on stdin becomes 99-add's FILE (exercise.json by default):
# bench grade refuses it as a broken exercise, a runtime failure (status
# 1, no "see --help"), before it grades or writes anything, in one line
# that names the file and matches ERE (the key and what it accepts).
refused() { # ERE [FILE]
	_file=${2:-ex/99-add/exercise.json}
	cat >"$_file"
	rm -f report.json gradebook.csv
	if [ "$_file" = ex/99-add/exercise.json ]; then
		bench grade 99 mine -f json -o report.json
	else
		bench grade 99 mine --hidden hidden -f json -o report.json
	fi
	expect_rc 1
	expect_empty out
	expect_nlines err 1
	expect_fixed err "bench: $PWD/$_file: " "the message naming the file"
	expect_match err "$1" "the key and what it accepts"
	expect_no_match err 'help' "a usage error's pointer to --help"
	if LC_ALL=C grep -q '[^ -~]' err; then
		fail "err: expected printable ASCII only, got: $(LC_ALL=C od -c err | head -n 4 | tr '\n' ' ')"
	fi
	[ ! -e report.json ] || fail "a report written for a broken exercise"
	[ ! -e gradebook.csv ] || fail "a gradebook written for a broken exercise"
}

test_manifest_unknown_lib() {
	make_exercises
	good mine
	# Long enough that the freed block it sat in gets reused: the loader
	# once freed the manifest, then named the library from it (a
	# heap-use-after-free under ASan, garbage bytes in a release build).
	_lib=-lno-such-library-with-a-name-long-enough-to-see-it-garbled
	sed "s/\"libs\": \[\]/\"libs\": [\"-lpthread\", \"$_lib\"]/" ex/99-add/exercise.json >m.json
	grep -qF -e "$_lib" m.json || fail "the test could not put $_lib in the manifest"
	_want="bench: $PWD/ex/99-add/exercise.json: 'libs[1]': expected \"-lpthread\", \"-lm\", \"-lcrypto\" or \"-ljansson\", got \"$_lib\""
	refused "'libs\[1\]'" <m.json
	assert_eq "the message" "$_want" "$(cat err)"
	bench exercises start 99 mywork
	expect_rc 1
	expect_nlines err 1
	assert_eq "bench exercises start's message" "$_want" "$(cat err)"
	[ ! -e mywork ] || fail "bench exercises start made a folder for a broken exercise"
	bench exercises
	expect_rc 0
	expect_match out '^99-add +\(broken: ' "the broken exercise listed"
	expect_fixed out "(broken: $PWD/ex/99-add/exercise.json: 'libs[1]': expected" "why it is broken"
	expect_fixed out "got \"$_lib\")" "the library named in the list"
	expect_match out '^98-psum +Parallel sum +1 points' "the sound exercises listed"
}

test_manifest_schema() {
	make_exercises
	good mine
	# Each a manifest that was once coerced into grading silently wrong.
	manifest '{"name": "small", "points": "1", "check": "exact"}' |
		refused "'tests\[0\]\.points': expected a number from 0 to 1000, got \"1\"$"
	manifest '{"name": "small", "points": 1, "check": 5}' |
		refused "'tests\[0\]\.check': expected \"exact\" or \"lines\", got 5$"
	manifest "$T_SMALL" | sed 's/"libs": \[\]/"libs": "-lm"/' |
		refused "'libs': expected an array of link flags from \"-lpthread\", \"-lm\", \"-lcrypto\" and \"-ljansson\", got \"-lm\"$"
	manifest "$T_SMALL, $T_RANDOM, $T_SMALL" |
		refused "'tests\[2\]\.name': \"small\" is tests\[0\]'s name already: expected each test's name once$"
	manifest "$T_SMALL" ', "perf": {"test": "perf", "points": 2, "target_speedup": 1.5, "target_workers": -1}' |
		refused "'perf\.target_workers': expected a whole number from 2 to 1024, got -1$"
	# Once "inf/inf" in text, and {"status": "cannot be written as
	# JSON"} in place of the whole entry with -f json, exiting 0.
	manifest '{"name": "small", "points": 1e308, "check": "exact"}' |
		refused "'tests\[0\]\.points': expected a number from 0 to 1000, got 1e\+308$"
	# Types, ranges, names.
	manifest '{"name": "small", "points": -1, "check": "exact"}' |
		refused "'tests\[0\]\.points': expected a number from 0 to 1000, got -1$"
	manifest '{"name": "small", "points": 1001, "check": "exact"}' |
		refused "'tests\[0\]\.points': expected a number from 0 to 1000, got 1001$"
	manifest '{"name": "small", "points": true, "check": "exact"}' |
		refused "'tests\[0\]\.points': expected a number from 0 to 1000, got true$"
	manifest '{"name": "small", "points": 1}' |
		refused "'tests\[0\]\.check' is missing: expected \"exact\" or \"lines\"$"
	manifest '{"name": "small", "points": 1, "check": "Exact"}' |
		refused "'tests\[0\]\.check': expected \"exact\" or \"lines\", got \"Exact\"$"
	manifest '{"points": 1, "check": "exact"}' |
		refused "'tests\[0\]\.name' is missing: expected a name of 1 to 64 letters, digits, '_', '-' or '\.', starting with a letter or digit$"
	manifest '{"name": "../small", "points": 1, "check": "exact"}' |
		refused "'tests\[0\]\.name': expected a name of 1 to 64 .*, got \"\.\./small\"$"
	manifest '{"name": "--help", "points": 1, "check": "exact"}' |
		refused "'tests\[0\]\.name': expected a name .* starting with a letter or digit, got \"--help\"$"
	manifest '{"name": "perf-serial", "points": 1, "check": "exact"}' |
		refused "'tests\[0\]\.name': expected a name other than perf-serial .*, got \"perf-serial\"$"
	manifest '{"name": "small", "points": 1, "check": "exact", "wall_vs_reference": [2, 1]}' |
		refused "'tests\[0\]\.wall_vs_reference\[1\]': expected a number from 2 to 1000, got 1$"
	manifest '{"name": "small", "points": 1, "check": "exact", "wall_vs_reference": [0, 1]}' |
		refused "'tests\[0\]\.wall_vs_reference\[0\]': expected a number above 0 and at most 1000, got 0$"
	manifest '{"name": "small", "points": 1, "check": "exact", "wall_vs_reference": 1.5}' |
		refused "'tests\[0\]\.wall_vs_reference': expected \[low, high\]: two numbers, 0 < low <= high <= 1000, got 1\.5$"
	manifest '{"name": "small", "point": 1, "check": "exact"}' |
		refused "unknown key 'tests\[0\]\.point': expected name, points, check, wall_vs_reference or tsan$"
	manifest '{"name": "small", "points": 1, "points": 2, "check": "exact"}' |
		refused "duplicate object key"
	manifest '"small"' |
		refused "'tests\[0\]': expected an object: .*, got \"small\"$"
	manifest '' |
		refused "'tests': expected an array of 1 to 100 tests, got an empty array$"
	manifest "$T_SMALL" ', "timeout": 10' |
		refused "unknown key 'timeout': expected title, source, header, libs, tests or perf$"
	manifest "$T_SMALL" | sed 's/"libs": \[\]/"libs": ["-lm", "-lm"]/' |
		refused "'libs\[1\]': expected each library once, got \"-lm\"$"
	manifest "$T_SMALL" | sed 's/"add\.c"/"add.cpp"/' |
		refused "'source': expected a file name .* ending in '\.c', got \"add\.cpp\"$"
	manifest "$T_SMALL" | sed 's/"add\.c"/"tests.c"/' |
		refused "'source': expected a file name other than tests\.c and hidden_tests\.c .*, got \"tests\.c\"$"
	manifest "$T_SMALL" | sed 's/"add\.h"/"driver.h"/' |
		refused "'header': expected a file name other than driver\.h .*, got \"driver\.h\"$"
	manifest "$T_SMALL" | sed 's/"title": "Add two numbers", //' |
		refused "'title' is missing: expected a string of 1 to 200 bytes without control characters$"
	manifest "$T_SMALL" | sed 's/"Add two numbers"/"Add\\ntwo"/' |
		refused "'title': expected a string of 1 to 200 bytes without control characters, got \"Add\\\\ntwo\"$"
	_perf='"perf": {"test": "perf", "points": 2, "target_speedup": 1.5, "target_workers": 2'
	manifest "$T_SMALL" ", $_perf}" | sed 's/"target_workers": 2/"target_workers": 4.0/' |
		refused "'perf\.target_workers': expected a whole number from 2 to 1024, got 4\.0$"
	manifest "$T_SMALL" ", $_perf}" | sed 's/"target_speedup": 1\.5/"target_speedup": 3/' |
		refused "'perf\.target_speedup': expected a number above 1 and at most 2, got 3$"
	manifest "$T_SMALL" ", $_perf}" | sed 's/"points": 2/"points": 0/' |
		refused "'perf\.points': expected a number above 0 and at most 1000, got 0$"
	manifest "$T_SMALL" ", $_perf, \"rounds\": 5}" |
		refused "unknown key 'perf\.rounds': expected test, points, target_speedup or target_workers$"
	manifest "$T_SMALL" ", \"perf\": {\"points\": 2, \"target_speedup\": 1.5, \"target_workers\": 2}" |
		refused "'perf\.test' is missing: expected a name"
	manifest "$T_SMALL" ', "perf": true' |
		refused "'perf': expected an object: .*, got true$"
	printf '[1, 2]\n' | refused "expected a JSON object, got an array of 2$"
	printf '{"title": "Add", \n "tests": [}\n' | refused ": line 2, column [0-9]+: "
	printf '' | refused ": line [0-9]+, column [0-9]+: "
	# A broken exercise is listed as such.
	manifest '{"name": "small", "points": "1", "check": "exact"}' >ex/99-add/exercise.json
	bench exercises
	expect_rc 0
	expect_match out "^99-add +\(broken: .*'tests\[0\]\.points': expected a number from 0 to 1000, got \"1\"\)$" "the broken exercise and why"
}

test_manifest_schema_accepts() {
	make_exercises
	# Every optional key, every bound at its edge: accepted as written.
	manifest '{"name": "z", "points": 0, "check": "exact", "wall_vs_reference": [0.001, 1000]},
		  {"name": "A_1.b-2", "points": 1000, "check": "lines", "wall_vs_reference": [1, 1]},
		  {"name": "half", "points": 0.5, "check": "exact"}' \
		', "perf": {"test": "perf", "points": 1000, "target_speedup": 1024, "target_workers": 1024}' |
		sed 's/"libs": \[\]/"libs": ["-lpthread", "-lm", "-lcrypto", "-ljansson"]/' >ex/99-add/exercise.json
	bench exercises
	expect_rc 0
	expect_match out '^99-add +Add two numbers +1000\.5 points \+ 1000 performance$' "the points as written"
	# No "libs" at all: none.
	manifest "$T_SMALL" | sed 's/"libs": \[\], //' >ex/99-add/exercise.json
	bench exercises
	expect_rc 0
	expect_match out '^99-add +Add two numbers +1 points$' "a manifest without libs"
}

test_manifest_hidden_schema() {
	make_exercises
	good mine
	make_hidden "$(token)"
	_h=hidden/99-add/tests.json
	printf '{"tests": [%s]}\n' '{"name": "hsecret", "points": "2", "check": "exact"}' |
		refused "'tests\[0\]\.points': expected a number from 0 to 1000, got \"2\"$" $_h
	printf '{"tests": [%s]}\n' '{"name": "small", "points": 2, "check": "exact"}' |
		refused "'tests\[0\]\.name': \"small\" is a public test's name already: expected a name of its own$" $_h
	printf '{"tests": [%s, %s]}\n' '{"name": "h", "points": 1, "check": "exact"}' \
		'{"name": "h", "points": 1, "check": "lines"}' |
		refused "'tests\[1\]\.name': \"h\" is tests\[0\]'s name already" $_h
	printf '{"tests": [%s], "perf": {}}\n' '{"name": "hsecret", "points": 2, "check": "exact"}' |
		refused "unknown key 'perf': expected tests \(a hidden tests\.json holds its tests only\)$" $_h
	printf '{"test": [%s]}\n' '{"name": "hsecret", "points": 2, "check": "exact"}' |
		refused "unknown key 'test': expected tests" $_h
	printf '{}\n' | refused "'tests' is missing: expected an array of 1 to 100 tests$" $_h
	printf '{"tests": [%s]}\n' '{"name": "hsecret", "points": 2, "check": "exact", "hidden": true}' |
		refused "unknown key 'tests\[0\]\.hidden'" $_h
}

# The course's drivers' shared header, exercises/driver.h (beside this
# script, or beside the binary), put where the grader finds it: at the
# root of the exercises folder, ./ex.
shared_driver_header() {
	for _h in "$(dirname "$0")/../../exercises/driver.h" \
		"$(dirname "$BENCH")/../exercises/driver.h"; do
		if [ -f "$_h" ]; then
			cp "$_h" ex/driver.h || fail "cannot copy $_h"
			return 0
		fi
	done
	skip "no exercises/driver.h beside the test script or the binary"
}

test_driver_header_hidden() {
	need_sandbox
	make_exercises
	shared_driver_header
	mkdir -p hidden/99-add
	cat >hidden/99-add/tests.json <<'EOF'
{ "tests": [ { "name": "hdraw", "points": 2, "check": "exact" },
             { "name": "hbig", "points": 1, "check": "lines" } ] }
EOF
	# A hidden driver as exercises/README.md writes one: driver.h's table,
	# main and generator.
	cat >hidden/99-add/tests.c <<'EOF'
#include <stdio.h>

#include "driver.h"
#include "add.h"

static int test_hdraw(void)
{
	for (int i = 0; i < 10; i++) {
		long a = (long)driver_below(1000000), b = (long)driver_below(1000000);

		printf("%ld + %ld = %ld\n", a, b, add(a, b));
	}
	return 0;
}

static int test_hbig(void)
{
	printf("%ld\n%ld\n", add(2000000000L, 2000000000L), add(-3000, 1));
	return 0;
}

static const struct driver_test tests[] = {
	{ "hdraw", test_hdraw },
	{ "hbig", test_hbig },
};

DRIVER_MAIN(tests, NULL)
EOF
	good subs/alice
	src_partial | sub subs/bob # wrong past 1000: hdraw and hbig fail
	sub subs/carol <ex/99-add/starter/add.c
	grade 99 subs --hidden hidden --seed 11 -j 2 -f json -o report.json
	expect_rc 0
	flat_report
	assert_eq "submissions" 3 "$(flat flat submissions.#)"
	for _s in 0 1 2; do
		assert_eq "status of $(flat flat "submissions.$_s.student")" graded \
			"$(flat flat "submissions.$_s.status")"
		assert_eq "tests of $(flat flat "submissions.$_s.student")" 4 \
			"$(flat flat "submissions.$_s.tests.#")"
		assert_eq "the third test" hdraw "$(flat flat "submissions.$_s.tests.2.name")"
		assert_eq "hdraw is hidden" true "$(flat flat "submissions.$_s.tests.2.hidden")"
		assert_eq "hbig is hidden" true "$(flat flat "submissions.$_s.tests.3.hidden")"
	done
	assert_num "alice's max" "$(flat flat submissions.0.max)" -eq 6
	expect_score 0 6
	assert_eq "alice's hdraw" true "$(flat flat submissions.0.tests.2.passed)"
	assert_eq "alice's hbig" true "$(flat flat submissions.0.tests.3.passed)"
	expect_score 1 1
	assert_eq "bob's small" true "$(flat flat submissions.1.tests.0.passed)"
	expect_msg 1 2 '^failed \(a hidden test: no details are shown\)$' "bob's hdraw"
	expect_msg 1 3 '^failed \(a hidden test: no details are shown\)$' "bob's hbig"
	expect_score 2 0
	expect_msg 2 2 '^failed \(a hidden test: no details are shown\)$' "the starter's hdraw"
	# The hidden driver draws from the seed as the reference's does.
	grade 99 subs/alice --hidden hidden --seed 12 -f json -o report.json
	expect_rc 0
	flat_report
	expect_score 0 6
	expect_reaped
	no_sandbox_procs
}

test_driver_header_not_for_submissions() {
	need_sandbox
	make_exercises
	shared_driver_header
	open_up
	# Each would compile and pass, were driver.h within its reach.
	for _inc in '"driver.h"' '<driver.h>' '"../ref/driver.h"' "\"$PWD/ex/driver.h\""; do
		_n=$((${_n:-0} + 1))
		fill_in INC "$_inc" <<'EOF' | sub batch/peek$_n
#include @INC@
#include "add.h"

long add(long a, long b)
{
	return a + b + (long)(driver_next() & 0);
}
EOF
	done
	good batch/zgood
	chmod -R a+rX .
	if has gcc; then
		gcc -std=c11 -O2 -Wall -Wextra -Werror -Wpedantic -pthread -D_GNU_SOURCE \
			-Iex -Iex/99-add -c batch/peek1/add.c -o peek.o 2>gcc.err ||
			fail "the submission does not compile even with driver.h beside it: $(head -n 3 gcc.err)"
	fi
	grade 99 batch -j 1 --seed 42 -f json -o report.json
	batch_ok 5
	for _s in 0 1 2 3; do
		assert_eq "$(flat flat "submissions.$_s.student")'s status" "compile error" \
			"$(flat flat "submissions.$_s.status")"
		expect_score $_s 0
		flat flat "submissions.$_s.log" >log.txt
		expect_match log.txt 'driver\.h: No such file or directory' "the compiler not finding driver.h"
	done
}

lib_start "$@"
