#!/bin/sh
# test_timeit.sh - command-line tests of `bench timeit`: the workload mode
# and the snippet mode (`python -m timeit` for C: -s SETUP, --init,
# --include, --cflags, --libs, STATEMENT), run the way a user runs them,
# checking output, exit status, temporary folders and processes left.
#
# usage: tests/cli/test_timeit.sh PATH/TO/bench [TEST...]
#
# Same runner as test_cli.sh: a test is one function, test_NAME,
# registered by one `t NAME` line below; each runs in its own sh process
# under timeout(1) (CLI_TEST_TIMEOUT seconds, default 60) in a fresh
# temporary folder. Output is "1..N", "ok N - NAME" or "not ok N - NAME"
# with "# " diagnostic lines, then one summary line "timeit: N passed,
# M failed"; the exit status is 1 if any test failed. CLI_KEEP=1 keeps the
# temporary folders.
#
# The design choices to know:
# - Every test runs with TMPDIR set to its own empty ./tmp, so "bench left
#   no temporary folder behind" is checked exactly (no_temp_left), after
#   successes, failures and signals alike.
# - Leftover processes are found exactly, by running bench under a child
#   subreaper (python3, prctl(PR_SET_CHILD_SUBREAPER)), as in test_cli.sh:
#   the compiler's cc1, as and ld included, which bench must kill and reap
#   on Ctrl-C.
# - Snippets are compiled by the system's cc (or $CC) without sanitizers,
#   so timings are the snippet's own; the only timing assertions are what
#   physics guarantees (a 300 ms sleep takes at least 300 ms; scanning
#   10000 ints takes longer than finding the first one).
#
# dash has no $LINENO, so assertions say what they check instead of a line.

set -u
SUITE="timeit"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

TESTS=
t() { TESTS="$TESTS $1"; }

# 1. help and usage
t help_documents_snippets
t missing_operand
t bad_number
t bad_repeat
t bad_min_time
t setup_with_workload
t workload_flag_with_snippet
t mistyped_workload
t bad_include
t bad_timeout
# 2. workload mode
t workload
t workload_seed
# 3. snippets
t snippet
t snippet_is_name_index
t snippet_linear_search
t snippet_include_libs
t snippet_local_header_and_cflags
t snippet_number
t snippet_lines
t snippet_statement_returns
t snippet_keep_any_value
t snippet_warnings_shown
t snippet_other_compiler
# 4. failures
t compile_error
t compile_error_in_setup
t link_error
t crash
t crash_in_init
t exit_status
t exit_zero
t no_compiler
t bad_tmpdir
# 5. over budget
t slow_statement
# 6. leftovers and signals
t no_temp_left_after_failures
t sigint_running
t sigterm_running
t sigint_compiling
t sigint_process_group
t runaway_compile_limited
t forked_daemon_killed
t stopped_snippet_killed

# ---------------------------------------------------------------------------
# Helpers for the tests. Each test runs in its own process, so a failed
# assertion prints what it expected and what it got, then exits.



# Checks that bench left nothing in the test's TMPDIR (see the top).
no_temp_left() {
	_left=$(ls -A "$TMPDIR")
	[ -z "$_left" ] || fail "temporary files left behind in TMPDIR: $_left"
}

# bench timeit, quick: few short loops, for tests of what is printed.
timeit() { bench timeit --repeat 3 --min-time 0.01 "$@"; }

UNIT='(ns|us|ms|s)'

# The two timeit lines: "LABEL: N loops, best of R: T per loop" and the
# median with its interval and the worst loop.
expect_timeit() { # LABEL_ERE REPEAT
	expect_match out "^$1: [0-9]+ loops?, best of $2: [0-9.]+ $UNIT per loop\$" \
		"the timeit line '$1: N loops, best of $2: T per loop'"
	expect_match out "^median [0-9.]+ $UNIT per loop, 95% CI [0-9.]+ $UNIT - [0-9.]+ $UNIT \\([0-9]+% confidence\\); worst [0-9.]+ $UNIT" \
		"the median line"
}

# The label of a snippet's timeit line, whatever $CC is.
SNIPPET='snippet \([^)]*-O2 -std=gnu11[^)]*\)'

# The best per-loop time of ./out's timeit line, in ns.
best_ns() {
	sed -n 's/.*best of [0-9]*: \([0-9.]*\) \([a-z]*\) per loop$/\1 \2/p' out |
		awk '{ m = $2 == "s" ? 1e9 : $2 == "ms" ? 1e6 : $2 == "us" ? 1e3 : 1
		       printf "%.0f\n", $1 * m; f = 1 }
		     END { exit !f }' || fail "out: no 'best of R: T per loop' line"
}

# A snippet that failed: status 1, nothing on stdout, stderr ending with
# the one line LAST (an ERE), no folder left.
expect_snippet_failure() { # LAST_ERE
	expect_rc 1
	expect_empty out
	tail -n 1 err | grep -Eq -e "$1" || fail "err: expected the last line to match /$1/"
	no_temp_left
}

# Waits until bench (BG_PID) runs a child called NAME.
wait_child_named() { # NAME
	_i=0
	while [ "$_i" -lt 400 ]; do
		ps -e -o ppid= -o comm= |
			awk -v p="$BG_PID" -v n="$1" '$1 == p && $2 == n { f = 1 } END { exit !f }' &&
			return 0
		sleep 0.05
		_i=$((_i + 1))
	done
	fail "bench ran no '$1' within 20 s"
}

# Waits for bench (started by start_bg) after a signal; sets RC.
finish_bg() { # SIGNAL
	wait_exit "$BG_WAIT" 20 || fail "bench did not exit within 20 s of SIG$1"
	wait "$BG_WAIT"
	RC=$?
	BG_PID='' BG_WAIT=''
}

# An interrupted bench: status 130, one line saying so, nothing left.
expect_interrupted() { # PIDS
	expect_rc 130
	expect_empty out
	expect_nlines err 1
	expect_match err '^bench: interrupted$' "'bench: interrupted'"
	no_temp_left
	expect_reaped "$1"
}

# ---------------------------------------------------------------------------
# 1. help and usage

test_help_documents_snippets() {
	bench timeit --help
	expect_rc 0
	expect_empty err
	expect_match out '^usage: bench timeit WORKLOAD' "the workload usage line"
	expect_match out '^ +bench timeit \[-s SETUP\]' "the snippet usage line"
	expect_match out ' STATEMENT\.\.\.$' "STATEMENT... in the usage"
	for _w in '-s, --setup' '--init' '--include' '--cflags' '--libs' \
		'BENCH_KEEP' '--seed' "\$CC" 'is_name_index'; do
		grep -qF -e "$_w" out || fail "help: nothing about '$_w'"
	done
	mv out help
	bench help timeit
	expect_rc 0
	cmp -s out help || fail "'bench help timeit' differs from 'bench timeit --help'"
}

test_missing_operand() {
	usage_error 'missing the workload or C statement' timeit
	usage_error 'missing the workload or C statement' timeit -s 'int x;'
	no_temp_left
}

# Every bad value, in workload mode and in snippet mode alike: exit 2 before
# anything is compiled.
bad_values() { # FLAG VALUES...
	_flag=$1
	shift
	for _v in "$@"; do
		for _op in search 'BENCH_KEEP(1);'; do
			usage_error "^bench timeit: $_flag '$_v': expected " \
				timeit "$_flag" "$_v" "$_op"
		done
	done
	no_temp_left
}

test_bad_number() { bad_values --number 0 x -1 1.5 10000000001 ''; }
test_bad_repeat() { bad_values --repeat 0 x -3 100001 ''; }
test_bad_min_time() { bad_values --min-time 0 -1 abc 3601 0.1s ''; }

# -s is Python's --setup here; a workload's seed is --seed.
test_setup_with_workload() {
	usage_error "^bench timeit: -s/--setup is for a C statement, and 'search' is a workload \\(whose seed is --seed\\)" \
		timeit search -s 5
	usage_error "^bench timeit: --include is for a C statement, and 'hash' is a workload" \
		timeit --include math.h hash
}

test_workload_flag_with_snippet() {
	usage_error '^bench timeit: --size is for a workload, not a C statement' \
		timeit --size 10 'BENCH_KEEP(1);'
	usage_error '^bench timeit: --mode is for a workload, not a C statement' \
		timeit -s 'int x;' --mode thread 'BENCH_KEEP(x);'
	no_temp_left
}

# A bare name is no C statement (that needs a ';'): a mistyped workload.
test_mistyped_workload() {
	usage_error "unknown workload 'serach': expected one of .*search" timeit serach
	usage_error "unexpected argument 'extra'" timeit search extra
}

test_bad_include() {
	usage_error "^bench timeit: --include '': expected a header" timeit --include '' 'BENCH_KEEP(1);'
	no_temp_left
}

test_bad_timeout() {
	usage_error "^bench timeit: --timeout '0': expected seconds, more than 0 and at most 86400" \
		timeit --timeout 0 'BENCH_KEEP(1);'
	usage_error "^bench timeit: --timeout 'soon': expected seconds" timeit --timeout soon 'BENCH_KEEP(1);'
	no_temp_left
}

# ---------------------------------------------------------------------------
# 2. workload mode

test_workload() {
	bench timeit search --size 1000 --repeat 3 --min-time 0.01
	expect_rc 0
	expect_empty err
	expect_timeit 'search \(serial, [0-9]+ [a-z]+ in a list of 1000\)' 3
	expect_match out '; checksum [0-9a-f]+$' "the checksum"
	no_temp_left
}

test_workload_seed() {
	bench timeit search --size 1000 --repeat 3 --min-time 0.01
	expect_rc 0
	_sum1=$(sed -n 's/.*checksum //p' out)
	bench timeit search --size 1000 --repeat 3 --min-time 0.01 --seed 7
	expect_rc 0
	_sum7=$(sed -n 's/.*checksum //p' out)
	assert_ne "the checksum with --seed 7 (seed 1 gave $_sum1)" "$_sum1" "$_sum7"
}

# ---------------------------------------------------------------------------
# 3. snippets

test_snippet() {
	timeit -s 'static int f(int x){return x*2;}' 'BENCH_KEEP(f(21));'
	expect_rc 0
	expect_empty err
	expect_timeit "$SNIPPET" 3
	no_temp_left
}

# The course's exercise: is_name_index(name, index) tells whether the digit
# of name's letter count (mod 10) occurs in index; "Tymoteusz" has 9
# letters and 144298 holds a 9. Letters are counted as characters, so
# "\305\201ukasz" (Lukasz with a Polish L, 7 bytes) has 6.
test_snippet_is_name_index() {
	_fn=$(cat <<'C'
static bool is_name_index(const char *name, long index)
{
	int digit = 0;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		digit += isalpha(*p) || *p >= 0xC0; /* a UTF-8 letter's lead byte */
	digit %= 10;
	do {
		if (index % 10 == digit)
			return true;
	} while ((index /= 10) > 0);
	return false;
}
C
)
	_init=$(cat <<'C'
printf("is_name_index(\"Tymoteusz\", 144298) = %d\n", is_name_index("Tymoteusz", 144298));
printf("is_name_index(\"Ola\", 144298) = %d\n", is_name_index("Ola", 144298));
printf("is_name_index(\"\305\201ukasz\", 100006) = %d\n", is_name_index("\305\201ukasz", 100006));
C
)
	timeit -s '#include <ctype.h>' -s '#include <stdbool.h>' -s '#include <stdio.h>' \
		-s "$_fn" --init "$_init" 'BENCH_KEEP(is_name_index("Tymoteusz", 144298));'
	expect_rc 0
	expect_empty err
	expect_match out '^is_name_index\("Tymoteusz", 144298\) = 1$' "Tymoteusz, 144298: true"
	expect_match out '^is_name_index\("Ola", 144298\) = 0$' "Ola, 144298: false"
	expect_match out '^is_name_index\(".*ukasz", 100006\) = 1$' "Lukasz (6 letters), 100006: true"
	expect_timeit "$SNIPPET" 3
	no_temp_left
}

# The course's linear search, its list filled once by --init. Physics:
# scanning 10000 ints takes far longer than finding the first one.
test_snippet_linear_search() {
	_setup=$(cat <<'C'
#include <stdbool.h>

static int mylist[10000];
static int find;

static bool linear_search(const int *list, int n, int x)
{
	for (int i = 0; i < n; i++)
		if (list[i] == x)
			return true;
	return false;
}
C
)
	_fill='for (int i = 0; i < 10000; i++) mylist[i] = i;'
	timeit -s "$_setup" --init "$_fill find = 0;" 'BENCH_KEEP(linear_search(mylist, 10000, find));'
	expect_rc 0
	expect_empty err
	expect_timeit "$SNIPPET" 3
	_first=$(best_ns) || exit 1
	timeit -s "$_setup" --init "$_fill find = 9999;" 'BENCH_KEEP(linear_search(mylist, 10000, find));'
	expect_rc 0
	expect_timeit "$SNIPPET" 3
	_last=$(best_ns) || exit 1
	assert_num "ns to find the last of 10000 vs 10 x the first ($_first ns)" \
		"$_last" -gt "$((_first * 10))"
	no_temp_left
}

test_snippet_include_libs() {
	timeit --include math.h --include stdio.h --libs -lm -s 'static volatile double x;' \
		--init 'x = 2.0; printf("%.4f\n", sqrt(x));' 'BENCH_KEEP(sqrt(x));'
	expect_rc 0
	expect_empty err
	expect_match out '^1\.4142$' "sqrt(2) printed by --init"
	expect_timeit 'snippet \([^)]* -lm\)' 3
	no_temp_left
}

# "H" includes are found in the current folder; --cflags reach the compiler.
test_snippet_local_header_and_cflags() {
	printf 'static inline int scaled(int x) { return x * FACTOR; }\n' >scale.h
	timeit --include '"scale.h"' --include '<stdio.h>' --cflags '-DFACTOR=3  -O1' \
		--init 'printf("%d\n", scaled(14));' 'BENCH_KEEP(scaled(14));'
	expect_rc 0
	expect_empty err
	expect_match out '^42$' "scaled(14) with FACTOR 3"
	expect_timeit 'snippet \([^)]* -DFACTOR=3 -O1\)' 3
	no_temp_left
}

test_snippet_number() {
	bench timeit --number 1000 --repeat 3 'BENCH_KEEP(1);'
	expect_rc 0
	expect_empty err
	expect_timeit "$SNIPPET" 3
	expect_match out ': 1000 loops, best of 3' "1000 loops"
	bench timeit --number 1 --repeat 7 'BENCH_KEEP(1);'
	expect_rc 0
	expect_match out ': 1 loop, best of 7' "1 loop (singular)"
	expect_no_match out '^note: ' "a note (7 loops give 95% and no autorange ran)"
	no_temp_left
}

# Several operands are the statement's lines, as in python -m timeit.
test_snippet_lines() {
	timeit 'int x = 20;' 'x += 1;' 'BENCH_KEEP(x * 2);'
	expect_rc 0
	expect_empty err
	expect_timeit "$SNIPPET" 3
}

# The statement is a function body: return ends one execution.
test_snippet_statement_returns() {
	timeit -s 'static unsigned n;' 'if (++n % 2) return; BENCH_KEEP(n);'
	expect_rc 0
	expect_empty err
	expect_timeit "$SNIPPET" 3
}

test_snippet_keep_any_value() {
	timeit -s 'struct pt { double x, y; };' -s 'static struct pt p = { 1, 2 };' \
		'BENCH_KEEP(p); BENCH_KEEP(p.x * p.y); BENCH_KEEP(&p); BENCH_KEEP("text"); BENCH_KEEP((char)1);'
	expect_rc 0
	expect_empty err
	expect_timeit "$SNIPPET" 3
}

# Warnings the user asks for are shown, and the timing goes on.
test_snippet_warnings_shown() {
	timeit --cflags -Wall 'int unused;'
	expect_rc 0
	expect_match err 'warning: .*unused' "the compiler's warning"
	expect_timeit "$SNIPPET" 3
	no_temp_left
}

# $CC is split on spaces (no shell); clang works as well as gcc.
test_snippet_other_compiler() {
	run env CC='cc -DFROM_CC=5' "$BENCH" timeit --repeat 3 --min-time 0.01 'BENCH_KEEP(FROM_CC);'
	expect_rc 0
	expect_timeit 'snippet \(cc -DFROM_CC=5 -O2 -std=gnu11\)' 3
	command -v clang >/dev/null 2>&1 || skip "no clang"
	run env CC=clang "$BENCH" timeit --repeat 3 --min-time 0.01 \
		-s 'static int f(int x){return x*2;}' 'BENCH_KEEP(f(21));'
	expect_rc 0
	expect_empty err
	expect_timeit 'snippet \(clang -O2 -std=gnu11\)' 3
	no_temp_left
}

# ---------------------------------------------------------------------------
# 4. failures

# The compiler's message, located in the user's text (not in a temporary
# file), then one line saying so.
test_compile_error() {
	timeit 'this is not C;'
	expect_snippet_failure '^bench timeit: the snippet does not compile$'
	expect_match err 'error' "the compiler's error"
	expect_match err '^statement:1:' "the error located at statement:1"
	expect_no_match err 'bench-timeit\.' "the temporary folder's name"
	assert_eq "lines of stderr starting with 'bench'" 1 "$(grep -c '^bench' err)"
}

test_compile_error_in_setup() {
	timeit -s 'static int ok;' -s 'static int broken(void) { return nope; }' 'BENCH_KEEP(ok);'
	expect_snippet_failure '^bench timeit: the snippet does not compile$'
	expect_match err '^setup:2:.*error.*nope' "the error at setup:2 (the second -s)"
	timeit --init 'int x = ;' 'BENCH_KEEP(1);'
	expect_snippet_failure '^bench timeit: the snippet does not compile$'
	expect_match err '^init:1:.*error' "the error at init:1"
	timeit --include no_such_header.h 'BENCH_KEEP(1);'
	expect_snippet_failure '^bench timeit: the snippet does not compile$'
	expect_match err 'no_such_header\.h' "the missing header"
}

test_link_error() {
	timeit -s 'int defined_nowhere(void);' 'BENCH_KEEP(defined_nowhere());'
	expect_snippet_failure '^bench timeit: the snippet does not compile$'
	expect_match err 'defined_nowhere' "the undefined function"
}

test_crash() {
	timeit -s '#include <stdlib.h>' 'abort();'
	expect_snippet_failure '^bench timeit: the snippet was killed by signal [0-9]+ \(SIGABRT'
	expect_nlines err 1
}

test_crash_in_init() {
	timeit -s '#include <signal.h>' --init 'raise(SIGSEGV);' 'BENCH_KEEP(1);'
	expect_snippet_failure '^bench timeit: the snippet was killed by signal [0-9]+ \(SIGSEGV'
	expect_nlines err 1
}

test_exit_status() {
	timeit -s '#include <stdlib.h>' 'exit(3);'
	expect_snippet_failure '^bench timeit: the snippet exited with status 3$'
	expect_nlines err 1
}

# exit(0) in the statement ends the program before its loops are timed.
test_exit_zero() {
	timeit -s '#include <stdlib.h>' 'exit(0);'
	expect_snippet_failure '^bench timeit: the snippet ended after 0 of 3 loops'
	expect_nlines err 1
}

test_no_compiler() {
	run env CC=/nonexistent/cc "$BENCH" timeit 'BENCH_KEEP(1);'
	expect_rc 1
	expect_empty out
	expect_nlines err 1
	expect_match err "^bench: cannot run the C compiler '/nonexistent/cc': No such file" \
		"an error naming the compiler"
	no_temp_left
}

test_bad_tmpdir() {
	run env TMPDIR="$(pwd)/no/such/dir" "$BENCH" timeit 'BENCH_KEEP(1);'
	expect_rc 1
	expect_empty out
	expect_nlines err 1
	expect_match err "^bench: cannot create a temporary folder in '.*/no/such/dir'" \
		"an error naming the folder"
}

# ---------------------------------------------------------------------------
# 5. over budget

# One call longer than the 0.2 s autorange budget: still a report, one call
# per loop, with a note. Physics: a 300 ms sleep takes at least 300 ms.
test_slow_statement() {
	bench timeit --include unistd.h --repeat 2 'usleep(300000);'
	expect_rc 0
	expect_empty err
	expect_timeit "$SNIPPET" 2
	expect_match out ': 1 loop, best of 2: [0-9.]+ (ms|s) per loop$' "1 loop, best of 2"
	expect_match out '^note: one call takes longer than the 200\.0 ms autorange budget' \
		"the over-budget note"
	_ns=$(best_ns) || exit 1
	assert_num "best ns per loop of usleep(300000)" "$_ns" -ge 300000000
	no_temp_left
}

# ---------------------------------------------------------------------------
# 6. leftovers and signals

# Whatever the outcome, TMPDIR is left as it was, and no process either.
test_no_temp_left_after_failures() {
	for _stmt in 'BENCH_KEEP(1);' 'not C' 'abort();' 'exit(3);' 'exit(0);'; do
		run_reaped "$BENCH" timeit --repeat 3 --min-time 0.01 -s '#include <stdlib.h>' "$_stmt"
		no_temp_left
		expect_reaped
	done
}

# A signal while the snippet runs (sleep(30)): bench kills and reaps it.
interrupt_running() { # SIGNAL
	start_bg "$BENCH" timeit --include unistd.h 'sleep(30);'
	wait_ready "$BG_PID"
	wait_child_named bench-snippet
	_kids=$(children "$BG_PID")
	kill -s "$1" "$BG_PID" || fail "bench was gone before the signal"
	finish_bg "$1"
	expect_interrupted "$_kids"
}

test_sigint_running() { interrupt_running INT; }
test_sigterm_running() { interrupt_running TERM; }

# Ctrl-C while the compiler works: a stand-in compiler whose own child
# (as cc1 is gcc's) sleeps; both must be killed and reaped.
test_sigint_compiling() {
	cat >slowcc <<'SH'
#!/bin/sh
: >cc.started
sleep 30
SH
	chmod +x slowcc
	start_bg env CC="$(pwd)/slowcc" "$BENCH" timeit 'BENCH_KEEP(1);'
	wait_ready "$BG_PID"
	_i=0
	until [ -e cc.started ]; do
		_i=$((_i + 1))
		[ "$_i" -lt 400 ] || fail "the stand-in compiler did not start within 20 s"
		sleep 0.05
	done
	_kids=$(children "$BG_PID")
	for _k in $_kids; do _kids="$_kids $(children "$_k")"; done
	kill -s INT "$BG_PID" || fail "bench was gone before the signal"
	finish_bg INT
	expect_interrupted "$_kids"
}

# Ctrl-C in a terminal signals the whole foreground process group: bench
# and the snippet at once. bench says it was interrupted, not that the
# snippet died of SIGINT.
test_sigint_process_group() {
	command -v setsid >/dev/null 2>&1 || skip "no setsid"
	start_bg setsid "$BENCH" timeit --include unistd.h 'sleep(30);'
	wait_ready "$BG_PID"
	_pgid=$(ps -o pgid= -p "$BG_PID" | tr -d ' ')
	[ "$_pgid" = "$BG_PID" ] || skip "setsid did not make bench a group leader"
	wait_child_named bench-snippet
	_kids=$(children "$BG_PID")
	kill -s INT -- "-$_pgid" || fail "cannot signal process group $_pgid"
	finish_bg INT
	expect_interrupted "$_kids"
}

# A compile that would eat the machine (cc1 reading /dev/zero grew to
# 4.6 GB before the limits) fails under the compiler's memory limit and
# says so.
test_runaway_compile_limited() {
	run_reaped "$BENCH" timeit -s '#include </dev/zero>' 'return;'
	expect_rc 1
	expect_empty out
	expect_match err 'note: the compiler runs with at most [0-9]+ s of CPU time and [0-9]+ MiB of memory per process' \
		"the note naming the compiler's limits"
	no_temp_left
	expect_reaped
}

# A statement that starts a daemon (fork, setsid, fork again) leaves
# nothing running once bench exits: the daemon would hold bench's stdout,
# and `bench timeit ... | cat` would wait for it.
test_forked_daemon_killed() {
	_stmt='if (fork() == 0) { setsid(); if (fork() == 0) sleep(100); _exit(0); }'
	run_reaped "$BENCH" timeit -N 1 -r 3 --include unistd.h "$_stmt"
	expect_rc 0
	expect_timeit "$SNIPPET" 3
	expect_reaped
	# Through a pipe: cat ends when the last writer of stdout is gone.
	timeout 30 sh -c '"$1" timeit -N 1 -r 3 --include unistd.h "$2" | cat >piped' \
		sh "$BENCH" "$_stmt"
	_rc=$?
	[ "$_rc" -eq 0 ] || fail "bench timeit | cat: status $_rc (124: cat waited for the daemon)"
	grep -q 'best of 3' piped || fail "piped: no timeit line"
	no_temp_left
}

# A program that stops itself would wait forever: --timeout ends it and
# the message says it was stopped.
test_stopped_snippet_killed() {
	run_reaped "$BENCH" timeit --timeout 1 --include signal.h 'raise(SIGSTOP);'
	expect_snippet_failure 'the snippet was stopped by SIGSTOP and killed at its time limit \(--timeout 1\.000 s\)$'
	expect_reaped
}

# Run by lib.sh's run_one before each test: bench's temporary folders go
# into the test's own folder, where no_temp_left looks.
suite_before_one() {
	mkdir tmp || exit 1
	TMPDIR=$(pwd)/tmp
	export TMPDIR
}

lib_start "$@"
