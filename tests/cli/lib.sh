# shellcheck shell=sh
# lib.sh - what the command-line test scripts share: assertions, running
# bench, watching its children, and the runner. A script sets SUITE (the
# word of its summary line), registers its tests with `t NAME` (test_NAME
# functions), sources this file and ends with `lib_start "$@"`:
#
#   usage: tests/cli/test_SUITE.sh PATH/TO/bench [TEST...]
#
# The runner starts each test in its own sh process under timeout(1)
# (CLI_TEST_TIMEOUT seconds, default 60), in a fresh temporary folder, so a
# hang fails that test instead of blocking the suite. It prints "1..N",
# then "ok N - NAME" or "not ok N - NAME" with "# " diagnostic lines, then
# one summary line "SUITE: N passed, M failed", and exits 1 if any test
# failed. CLI_KEEP=1 keeps the temporary folders; a test that passes after
# CLI_TOOK_MIN seconds (default 20) says how long it took. A script may define
# suite_before_one, run in each test's folder before the test; set
# TESTS_FAIL_ON_RETURN=1 when its tests report failure by returning
# non-zero rather than through fail; and set SUITE_TIMEOUT (seconds) for
# slower tests.
#
# "bench left no process behind" is checked exactly, not by watching ps:
# such tests run bench under a child subreaper (python3,
# prctl(PR_SET_CHILD_SUBREAPER)), so whatever bench forked and did not reap
# is re-parented to the subreaper and listed the moment bench is gone.
# Without python3 they fall back to checking that the worker pids seen
# while bench ran are gone.

# Each test runs in its own process, so a failed assertion prints what it
# expected and what it got, then exits.
LAST_CMD=
RC=
BG_WAIT=
BG_PID=
CHILD=

# Shows a command so that it can be pasted into a shell.
show_cmd() {
	_s=
	for _a in "$@"; do
		case $_a in
		'' | *[!A-Za-z0-9_./,:=+@%-]*)
			_a="'$(printf '%s' "$_a" | sed "s/'/'\\\\''/g")'"
			;;
		esac
		_s="$_s${_s:+ }$_a"
	done
	printf '%s' "$_s"
}

# Prints FILE's first lines, indented, with a title.
show_file() { # TITLE FILE
	if [ -s "$2" ]; then
		printf '  %s (%s lines):\n' "$1" "$(wc -l <"$2" | tr -d ' ')"
		sed -n '1,8s/^/    /p' "$2"
	else
		printf '  %s: (empty)\n' "$1"
	fi
}

# Diagnostics go to stderr, so that they survive a failure inside $(...).
fail() {
	{
		printf 'FAIL: %s\n' "$*"
		if [ -n "$LAST_CMD" ]; then
			printf '  command: %s\n' "$LAST_CMD"
			printf '  exit status: %s\n' "$RC"
			show_file stdout out
			show_file stderr err
		fi
	} >&2
	exit 1
}

skip() {
	printf 'skip: %s\n' "$*" >&2
	exit 77
}

note() { printf 'note: %s\n' "$*" >&2; }

# Runs a command with stdout in ./out and stderr in ./err; sets RC.
run() {
	LAST_CMD=$(show_cmd "$@")
	"$@" >out 2>err
	RC=$?
}

bench() { run "$BENCH" "$@"; }

expect_rc() {
	[ "$RC" = "$1" ] || fail "exit status: expected $1, got $RC"
}

expect_empty() { # FILE
	[ ! -s "$1" ] || fail "$1: expected nothing, got $(wc -l <"$1" | tr -d ' ') lines"
}

expect_nlines() { # FILE N
	_n=$(wc -l <"$1" | tr -d ' ')
	[ "$_n" = "$2" ] || fail "$1: expected $2 lines, got $_n"
}

expect_match() { # FILE ERE WHAT
	grep -Eq -e "$2" "$1" || fail "$1: expected $3 (a line matching /$2/)"
}

expect_no_match() { # FILE ERE WHAT
	grep -Eq -e "$2" "$1" && fail "$1: expected no $3, got: $(grep -E -e "$2" "$1" | head -n 1)"
	return 0
}

assert_eq() { # WHAT EXPECTED ACTUAL
	[ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}

assert_ne() { # WHAT UNEXPECTED ACTUAL
	[ "$2" != "$3" ] || fail "$1: expected anything but '$2'"
}

# Compares numbers (integers or decimals) with awk: A OP B.
assert_num() { # WHAT A OP B
	case $3 in
	-lt) _op='<' ;; -le) _op='<=' ;; -gt) _op='>' ;; -ge) _op='>=' ;;
	-eq) _op='==' ;; *) fail "assert_num: bad operator '$3'" ;;
	esac
	case $2 in '' | *[!0-9.e+-]*) fail "$1: '$2' is not a number" ;; esac
	case $4 in '' | *[!0-9.e+-]*) fail "$1: '$4' is not a number" ;; esac
	awk -v a="$2" -v b="$4" "BEGIN { exit !(a + 0 $_op b + 0) }" ||
		fail "$1: expected $2 $_op $4"
}

is_uint() { case $1 in '' | *[!0-9]*) return 1 ;; esac; }

# The column NAME of a CSV file's data rows (no quoting in bench's CSV).
csv_col() { # FILE NAME
	awk -F, -v name="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i; next }
		c { print $c }
		END { if (!c) exit 1 }' "$1" || fail "$1: no column '$2' in the header"
}

# Flattens bench's pretty-printed JSON (one value per line) to PATH=VALUE
# lines: "results.0.mode=serial", arrays also give "PATH.#=LENGTH". String
# values lose their quotes and are not unescaped.
json_flat() { # FILE
	awk '
	function join(p, n) { return p == "" ? n : p "." n }
	{
		s = $0
		sub(/^[ \t]+/, "", s); sub(/[ \t]*,?[ \t]*$/, "", s)
		key = ""
		if (s ~ /^"([^"\\]|\\.)*"[ \t]*:/) {
			match(s, /^"([^"\\]|\\.)*"/)
			key = substr(s, 2, RLENGTH - 2)
			s = substr(s, RLENGTH + 1); sub(/^[ \t]*:[ \t]*/, "", s)
		}
		if (s == "}" || s == "]") {
			if (type[d] == "a") print path[d] ".#=" cnt[d]
			d--; next
		}
		name = (d > 0 && type[d] == "a") ? cnt[d]++ : key
		p = d > 0 ? join(path[d], name) : ""
		if (s == "{" || s == "[") {
			d++; type[d] = s == "{" ? "o" : "a"; path[d] = p; cnt[d] = 0
			next
		}
		if (s == "[]") { print p ".#=0"; next }
		if (s ~ /^".*"$/) s = substr(s, 2, length(s) - 2)
		print p "=" s
	}' "$1"
}

# The value of KEY in a flattened JSON file (see json_flat).
flat() { # FILE KEY
	awk -v k="$2" 'index($0, k "=") == 1 { print substr($0, length(k) + 2); f = 1 }
		END { exit !f }' "$1" || fail "JSON: no field '$2'"
}

# Pids of the children of PID, space-separated.
children() { # PID
	ps -e -o pid= -o ppid= | awk -v p="$1" '$2 == p { printf "%s ", $1 }'
}

# Runs a command under the subreaper (see the top of the file), or plain
# when python3 is missing. The subreaper writes ./reaper.left.
run_reaped() {
	rm -f reaper.left reaper.pid
	if [ -n "$REAPER" ]; then
		run python3 "$REAPER" "$@"
		LAST_CMD=$(show_cmd "$@")
	else
		run "$@"
	fi
}

# Starts a command in the background, under the subreaper if there is one:
# BG_PID is the command's pid, BG_WAIT the pid to wait for.
start_bg() {
	rm -f reaper.left reaper.pid
	LAST_CMD=$(show_cmd "$@")
	RC='(still running)'
	if [ -n "$REAPER" ]; then
		python3 "$REAPER" "$@" >out 2>err &
		BG_WAIT=$!
		_i=0
		while [ ! -s reaper.pid ]; do
			_i=$((_i + 1))
			[ "$_i" -lt 200 ] || fail "the subreaper did not start the command"
			sleep 0.05
		done
		BG_PID=$(cat reaper.pid)
	else
		"$@" >out 2>err &
		BG_WAIT=$!
		BG_PID=$!
	fi
}

# Waits until bench (PID) catches SIGINT and SIGTERM, which it does once its
# options are parsed: a signal sent earlier would find the default action.
wait_ready() { # PID
	_i=0
	while [ "$_i" -lt 400 ]; do
		_m=$(sed -n 's/^SigCgt:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null)
		case $_m in
		????*)
			_m=${_m#"${_m%????}"}
			[ $((0x$_m & 0x4002)) -eq $((0x4002)) ] && return 0
			;;
		esac
		sleep 0.05
		_i=$((_i + 1))
	done
	fail "bench (pid $1) did not install its SIGINT/SIGTERM handlers within 20 s"
}

# Waits at most SECONDS for PID to exit; returns 1 if it did not.
wait_exit() { # PID SECONDS
	_i=$(($2 * 20))
	while [ "$_i" -gt 0 ]; do
		_st=$(ps -o stat= -p "$1" 2>/dev/null) || return 0
		case $_st in '' | Z*) return 0 ;; esac
		sleep 0.05
		_i=$((_i - 1))
	done
	return 1
}

# Checks that bench left no process behind: nothing in the subreaper's
# list, and none of the pids PIDS (its workers seen while it ran) alive.
expect_reaped() { # [PIDS]
	if [ -n "$REAPER" ]; then
		[ -f reaper.left ] || fail "the subreaper wrote no report"
		[ ! -s reaper.left ] ||
			fail "bench left processes behind: $(tr '\n' ';' <reaper.left)"
	fi
	for _p in ${1-}; do
		_st=$(ps -o stat= -p "$_p" 2>/dev/null)
		[ -z "$_st" ] || fail "worker pid $_p outlived bench (state $_st)"
	done
}

cleanup() {
	if [ -n "$BG_PID" ]; then
		for _p in $(children "$BG_PID"); do kill -KILL "$_p" 2>/dev/null; done
		kill -KILL "$BG_PID" 2>/dev/null
	fi
	# The subreaper reaps whatever is left, then exits.
	if [ -n "$BG_WAIT" ] && [ "$BG_WAIT" != "$BG_PID" ]; then
		wait_exit "$BG_WAIT" 2 || kill -KILL "$BG_WAIT" 2>/dev/null
	fi
	[ -n "$BG_WAIT" ] && wait "$BG_WAIT" 2>/dev/null
	return 0
}

# Bad usage: exit 2, nothing on stdout, one line on stderr that starts with
# "bench", matches ERE and has no full stop.
usage_error() { # ERE ARGS...
	_re=$1
	shift
	bench "$@"
	expect_rc 2
	expect_empty out
	expect_nlines err 1
	expect_match err "^bench( [a-z]+)?: " "a 'bench CMD: ' prefix"
	expect_match err "$_re" "the error naming what is wrong and what is accepted"
	expect_no_match err '\.$' "full stop at the end"
}

no_temp_files() {
	_left=$(find . -name '*.tmp.*')
	[ -z "$_left" ] || fail "temporary files left behind: $_left"
}

# The subreaper (see the top of the file): runs ARGS as its only child,
# writes the child's pid to ./reaper.pid, waits for it, then lists in
# ./reaper.left every process left re-parented to it, kills and reaps them,
# and exits with the child's status (128 + N if killed by signal N). It
# ignores SIGINT, SIGTERM and SIGHUP; the child gets the default actions.
write_reaper() { # FILE
	cat >"$1" <<'EOF'
import ctypes, os, signal, sys

libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(36, 1, 0, 0, 0) != 0:  # PR_SET_CHILD_SUBREAPER
    sys.exit("reaper: prctl: " + os.strerror(ctypes.get_errno()))
# Stays to reap when timeout(1) signals the test's process group.
stop = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
for s in stop:
    signal.signal(s, signal.SIG_IGN)
pid = os.fork()
if pid == 0:
    for s in stop + (signal.SIGPIPE,):
        signal.signal(s, signal.SIG_DFL)
    try:
        os.execvp(sys.argv[1], sys.argv[1:])
    except OSError as e:
        sys.stderr.write("reaper: %s: %s\n" % (sys.argv[1], e.strerror))
    os._exit(127)
with open("reaper.pid.tmp", "w") as f:
    f.write("%d\n" % pid)
os.rename("reaper.pid.tmp", "reaper.pid")
_, status = os.waitpid(pid, 0)
me, left = os.getpid(), []
for d in os.listdir("/proc"):
    try:
        with open("/proc/%s/stat" % d) as f:
            st = f.read()
    except (OSError, ValueError):
        continue
    comm = st[st.find("(") + 1:st.rfind(")")]
    fields = st[st.rfind(")") + 2:].split()
    if len(fields) > 1 and fields[1] == str(me):
        left.append("pid %s (%s) state %s" % (d, comm, fields[0]))
        try:
            os.kill(int(d), signal.SIGKILL)
        except OSError:
            pass
while True:
    try:
        os.waitpid(-1, 0)
    except ChildProcessError:
        break
with open("reaper.left", "w") as f:
    f.write("".join(x + "\n" for x in left))
sys.exit(128 + os.WTERMSIG(status) if os.WIFSIGNALED(status)
         else os.WEXITSTATUS(status))
EOF
}

abs_path() { # PATH
	case $1 in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s/%s\n' "$(pwd)" "$1" ;;
	esac
}

registered() { # NAME
	case " $TESTS " in *" $1 "*) return 0 ;; esac
	return 1
}

# Whether a program is on PATH.
has() { command -v "$1" >/dev/null 2>&1; }

# need_python: skip unless the interpreter engine python starts by default
# (bench/cli/engines/python.c: /usr/bin/python3, else python3 on PATH) is
# there; PY names it for a test that runs it itself.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3 2>/dev/null) || PY=/usr/bin/python3
need_python() { [ -x "$PY" ] || skip "no python3: engine python not tested"; }

# One test, inside its folder and under timeout.
run_one() { # NAME
	registered "$1" || { echo "no test named '$1'"; exit 2; }
	trap cleanup EXIT
	trap 'cleanup; exit 143' TERM
	if command -v suite_before_one >/dev/null 2>&1; then
		suite_before_one
	fi
	if [ "${TESTS_FAIL_ON_RETURN:-0}" = 1 ]; then
		"test_$1" || exit 1
	else
		"test_$1"
	fi
	exit 0
}

on_abort() {
	[ -n "$CHILD" ] && kill -TERM "$CHILD" 2>/dev/null && wait "$CHILD"
	echo "$SUITE: interrupted"
	exit 130
}

main() {
	if [ $# -lt 1 ]; then
		echo "usage: $0 PATH/TO/bench [TEST...]" >&2
		exit 2
	fi
	BENCH=$(abs_path "$1")
	shift
	if [ ! -x "$BENCH" ] || [ -d "$BENCH" ]; then
		echo "test_$SUITE.sh: '$BENCH' is not an executable" >&2
		exit 2
	fi
	if [ $# -gt 0 ]; then
		for _name in "$@"; do
			registered "$_name" || {
				echo "test_$SUITE.sh: no test named '$_name'" >&2
				exit 2
			}
		done
		selected=$*
	else
		selected=$TESTS
	fi
	timeout_s=${CLI_TEST_TIMEOUT:-${SUITE_TIMEOUT:-60}}
	root=$(mktemp -d "${TMPDIR:-/tmp}/bench-tests-$SUITE.XXXXXX") || exit 1
	if [ "${CLI_KEEP:-0}" = 1 ]; then
		echo "# test folders in $root"
	else
		# Tests may leave read-only folders behind: make them removable.
		trap 'chmod -R u+w "$root" 2>/dev/null; rm -rf "$root"' EXIT
	fi
	trap on_abort INT TERM HUP
	REAPER=
	if command -v python3 >/dev/null 2>&1; then
		REAPER=$root/reaper.py
		write_reaper "$REAPER"
	fi
	CLI_BENCH=$BENCH CLI_REAPER=$REAPER
	export CLI_BENCH CLI_REAPER
	self=$(abs_path "$0")

	total=0
	for name in $selected; do total=$((total + 1)); done
	echo "1..$total"
	n=0 passed=0 failed=0
	for name in $selected; do
		n=$((n + 1))
		mkdir "$root/$name"
		started=$(date +%s)
		(cd "$root/$name" &&
			exec timeout -k 5 "$timeout_s" sh "$self" --one "$name") \
			>"$root/$name.log" 2>&1 </dev/null &
		CHILD=$!
		wait "$CHILD"
		status=$?
		CHILD=
		took=$(($(date +%s) - started))
		case $status in
		0)
			echo "ok $n - $name"
			passed=$((passed + 1))
			sed -n 's/^note: /# note: /p' "$root/$name.log"
			# Where a suite's time goes, for the slow ones.
			[ "$took" -lt "${CLI_TOOK_MIN:-20}" ] || echo "# took $took s"
			;;
		77)
			echo "ok $n - $name # SKIP $(sed -n 's/^skip: //p' "$root/$name.log")"
			passed=$((passed + 1))
			;;
		*)
			echo "not ok $n - $name"
			failed=$((failed + 1))
			sed -n '1,40s/^/# /p' "$root/$name.log"
			case $status in
			124 | 137) echo "# timed out after $timeout_s s" ;;
			1) ;;
			*) echo "# exit status $status" ;;
			esac
			;;
		esac
	done
	echo "$SUITE: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

# The entry point: the runner, or (re-invoked with --one) one test.
lib_start() {
	if [ "${1-}" = --one ]; then
		BENCH=$CLI_BENCH REAPER=$CLI_REAPER
		# A sanitizer build's core dump would take long; dash and bash
		# have -c.
		# shellcheck disable=SC3045
		ulimit -c 0 2>/dev/null
		run_one "$2"
	fi
	main "$@"
}
