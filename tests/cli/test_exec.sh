#!/bin/sh
# test_exec.sh - command-line tests of `bench exec`: whole programs timed
# without a shell. Each test runs the built binary the way a user does and
# checks its output and exit status.
#
# usage: tests/cli/test_exec.sh PATH/TO/bench [TEST...]
#
# The runner and helpers are test_cli.sh's (see there): one function per
# test, test_NAME, registered by one `t NAME` line below, each run in its
# own sh process under timeout(1) (CLI_TEST_TIMEOUT seconds, default 60)
# in a fresh temporary folder; TAP-like lines, then one summary line
# "exec: N passed, M failed"; exit 1 if any test failed. CLI_KEEP=1 keeps
# the temporary folders.
#
# "bench left no process behind" is checked exactly: such tests run bench
# under a child subreaper (python3, prctl(PR_SET_CHILD_SUBREAPER)), which
# lists whatever bench forked and did not reap the moment bench is gone.
#
# The commands timed are coreutils and /bin/sh one-liners. The only timing
# assertions are the ones physics guarantees (a 50 ms sleep takes at least
# 50 ms) and a ratio with wide bounds (sleep 0.5 against sleep 0.02: far
# enough apart that a loaded machine's scheduling delays cannot swap them).

set -u
SUITE="exec"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

TESTS=
t() { TESTS="$TESTS $1"; }

# 1. help and usage errors: exit 2, one line naming the flag
t help
t help_exec_equals_exec_help
t missing_command
t missing_command_no_arguments
t missing_command_after_options
t bad_runs
t bad_warmup
t bad_format
t unknown_flag
t missing_value
t empty_vs
# 2. commands that cannot run: exit 1 before any timing
t nonexistent_command
t nonexistent_vs_command
t not_executable
t directory
# 3. measuring
t true_ten_runs
t sleep_json_physics
t runs_and_warmup_counted
t vs_first_faster
t vs_second_faster
t vs_json
t no_shell
t options_after_command_belong_to_it
t without_double_dash
# 4. failures are reported, not hidden
t false_exits_1
t false_in_warmup
t failure_names_the_run
t ignore_failure
t ignore_failure_json
t killed_by_signal
t killed_by_signal_ignored
# 5. streams
t output_discarded
t show_output
t stdin_is_dev_null
# 6. -o
t output_file
t output_not_written_on_failure
# 7. processes and signals
t no_zombie
t no_zombie_after_failures
t sigint
t sigterm
t sigint_process_group

# ---------------------------------------------------------------------------
# Helpers for the tests, test_cli.sh's. Each test runs in its own process,
# so a failed assertion prints what it expected and what it got, then exits.



# Bad usage that names --FLAG.
flag_error() { # FLAG ARGS...
	_f=$1
	shift
	usage_error "^bench exec: .*$_f" "$@"
}

# A command that cannot run: exit 1 at once, one line, nothing on stdout.
cannot_run() { # MESSAGE ARGS...
	_m=$1
	shift
	bench exec "$@"
	expect_rc 1
	expect_empty out
	expect_nlines err 1
	assert_eq "the error" "bench exec: $_m" "$(cat err)"
}

# The value in "X.XXx faster" of the table's verdict line.
times_faster() { # FILE
	sed -n 's/.* is \([0-9.]*\)x faster than .*/\1/p' "$1" | head -n 1
}

# Every element of the JSON array KEY (flattened) on one line.
json_list() { # FLATFILE KEY
	_n=$(flat "$1" "$2.#")
	_i=0 _l=
	while [ "$_i" -lt "$_n" ]; do
		_l="$_l${_l:+ }$(flat "$1" "$2.$_i")"
		_i=$((_i + 1))
	done
	printf '%s\n' "$_l"
}

# A script that fails from its Nth run on (counting in ./count).
# shellcheck disable=SC2016 # the script's $ are for the script
nth_run_fails() { # N
	printf '#!/bin/sh\nn=$(cat count 2>/dev/null || echo 0)\nn=$((n + 1))\necho $n >count\n[ $n -lt %s ]\n' "$1" >nth.sh
	chmod +x nth.sh
}

# ---------------------------------------------------------------------------
# 1. help and usage errors

test_help() {
	bench exec --help
	expect_rc 0
	expect_empty err
	expect_match out '^usage: bench exec ' "the usage line"
	for _o in --warmup --runs --vs --ignore-failure --show-output --format \
		--output; do
		expect_match out "^ +(-[a-z], )?$_o" "the option $_o"
	done
	bench help
	expect_rc 0
	expect_match out '^  exec ' "a line for exec in 'bench help'"
}

test_help_exec_equals_exec_help() {
	bench exec --help
	expect_rc 0
	mv out exec_help
	bench help exec
	expect_rc 0
	cmp -s out exec_help || fail "'bench help exec' differs from 'bench exec --help'"
}

test_missing_command() { usage_error 'missing the command' exec --; }
test_missing_command_no_arguments() { usage_error 'missing the command' exec; }
test_missing_command_after_options() {
	usage_error 'missing the command' exec --runs 3 --vs true --
}

test_bad_runs() {
	flag_error "--runs '0'" exec --runs 0 -- true
	flag_error "--runs 'abc'" exec --runs abc -- true
	flag_error "--runs '-1'" exec --runs -1 -- true
	flag_error "--runs '1x'" exec -r 1x -- true
	flag_error "--runs '99999999999999999999'" exec --runs 99999999999999999999 -- true
}

test_bad_warmup() {
	flag_error "--warmup 'abc'" exec --warmup abc -- true
	flag_error "--warmup '-1'" exec -w -1 -- true
}

test_bad_format() { flag_error "--format 'xml'.*table or json" exec --format xml -- true; }
test_unknown_flag() { flag_error "unknown option '--bogus'" exec --bogus -- true; }
test_missing_value() { flag_error "'--runs' needs a value" exec --runs; }
test_empty_vs() {
	flag_error "--vs ''" exec --vs '' -- true
	flag_error "--vs '   '" exec --vs '   ' -- true
}

# ---------------------------------------------------------------------------
# 2. commands that cannot run

test_nonexistent_command() {
	cannot_run "cannot run 'bench-no-such-cmd': No such file or directory" \
		--runs 100000 -- bench-no-such-cmd
	cannot_run "cannot run './nope': No such file or directory" -- ./nope
}

test_nonexistent_vs_command() {
	cannot_run "cannot run 'bench-no-such-cmd': No such file or directory" \
		--runs 100000 --vs 'bench-no-such-cmd -x' -- sleep 10
}

test_not_executable() {
	echo 'echo hi' >data.txt
	chmod 644 data.txt
	cannot_run "cannot run './data.txt': Permission denied" -- ./data.txt
	cannot_run "cannot run '$(pwd)/data.txt': Permission denied" -- "$(pwd)/data.txt"
}

test_directory() {
	mkdir sub
	cannot_run "cannot run './sub': Is a directory" -- ./sub
}

# ---------------------------------------------------------------------------
# 3. measuring

test_true_ten_runs() {
	bench exec -- true
	expect_rc 0
	expect_empty err
	expect_match out '^10 runs of the command after 1 warmup' "'10 runs ... after 1 warmup'"
	expect_match out '^true$' "the command"
	expect_match out '^  wall +median [0-9.]+ [mun]?s, 9[0-9]% CI ' "the median with its CI"
	expect_match out '^ +min [0-9.]+, max [0-9.]+, mean [0-9.]+ \+- [0-9.]+ [mun]?s$' "min, max, mean +- stddev"
	expect_match out '^  CPU +user .*, sys .* \(medians\)$' "user and sys medians"
	expect_match out '^  memory +peak RSS [0-9.]+ [KMG]iB' "peak RSS"
	expect_match out '^  outliers +' "the outlier count"
	expect_no_match out 'failed' "failure line"
	bench exec --format json -- true
	expect_rc 0
	json_flat out >flat
	assert_eq runs 10 "$(flat flat runs)"
	assert_eq "commands.0.runs" 10 "$(flat flat commands.0.runs)"
	assert_eq "wall_ns count" 10 "$(flat flat commands.0.wall_ns.#)"
	assert_eq "exit codes" "0 0 0 0 0 0 0 0 0 0" "$(json_list flat commands.0.exit_codes)"
}

test_sleep_json_physics() {
	bench exec --runs 3 --format json -- sleep 0.05
	expect_rc 0
	expect_empty err
	json_flat out >flat
	assert_eq schema bench.exec/1 "$(flat flat schema)"
	assert_eq command "sleep 0.05" "$(json_list flat commands.0.command)"
	assert_eq runs 3 "$(flat flat commands.0.runs)"
	assert_eq "wall_ns count" 3 "$(flat flat commands.0.wall_ns.#)"
	assert_eq "user_ns count" 3 "$(flat flat commands.0.user_ns.#)"
	assert_eq "sys_ns count" 3 "$(flat flat commands.0.sys_ns.#)"
	assert_eq "maxrss_kb count" 3 "$(flat flat commands.0.maxrss_kb.#)"
	assert_eq "exit codes" "0 0 0" "$(json_list flat commands.0.exit_codes)"
	assert_num "median_ns of sleep 0.05" "$(flat flat commands.0.median_ns)" -ge 50000000
	assert_num "min_ns of sleep 0.05" "$(flat flat commands.0.min_ns)" -ge 50000000
	for _w in $(json_list flat commands.0.wall_ns); do
		assert_num "a run of sleep 0.05" "$_w" -ge 50000000
	done
	assert_num "peak RSS" "$(flat flat commands.0.maxrss_max_kb)" -gt 0
	assert_eq comparison null "$(flat flat comparison)"
}

test_runs_and_warmup_counted() {
	nth_run_fails 1000
	bench exec --runs 4 --warmup 2 --format json -- ./nth.sh
	expect_rc 0
	assert_eq "runs started (2 warmup + 4)" 6 "$(cat count)"
	json_flat out >flat
	assert_eq runs 4 "$(flat flat commands.0.runs)"
	assert_eq warmup 2 "$(flat flat commands.0.warmup)"
	rm -f count
	bench exec --runs 3 --warmup 0 --vs ./nth.sh -- ./nth.sh
	expect_rc 0
	assert_eq "runs started (2 commands x 3)" 6 "$(cat count)"
	expect_match out '^3 runs of each command after 0 warmups, commands in turn' "the header"
}

# sleep 0.02 against sleep 0.5: ratio about 25, less for the cost of fork
# and exec, which both pay, and for whatever delays a busy machine adds to
# both; at least 2 unless a run is delayed by a quarter of a second.
check_ratio() { # FILE
	_x=$(times_faster "$1")
	[ -n "$_x" ] || fail "no 'is N.NNx faster than' line"
	assert_num "how many times faster" "$_x" -ge 2
	assert_num "how many times faster" "$_x" -le 40
}

test_vs_first_faster() {
	bench exec --vs 'sleep 0.5' -- sleep 0.02
	expect_rc 0
	expect_empty err
	expect_match out '^#1 sleep 0.02$' "command #1"
	expect_match out '^#2 sleep 0.5$' "command #2"
	expect_match out "^'sleep 0.02' is [0-9.]+x faster than 'sleep 0.5' \(95% CI [0-9.]+x-[0-9.]+x, p = [0-9.e-]+\)$" \
		"the verdict: the first is faster"
	check_ratio out
}

test_vs_second_faster() {
	bench exec --vs 'sleep   0.02' -- sleep 0.5
	expect_rc 0
	expect_match out "^'sleep 0.02' is [0-9.]+x faster than 'sleep 0.5' " \
		"the verdict: the --vs command is faster"
	check_ratio out
}

test_vs_json() {
	bench exec --runs 6 --format json --vs 'sleep 0.5' -- sleep 0.02
	expect_rc 0
	json_flat out >flat
	assert_eq commands 2 "$(flat flat commands.#)"
	assert_eq "command 0" "sleep 0.02" "$(json_list flat commands.0.command)"
	assert_eq "command 1" "sleep 0.5" "$(json_list flat commands.1.command)"
	assert_eq "runs of 1" 6 "$(flat flat commands.1.runs)"
	assert_eq faster 0 "$(flat flat comparison.faster)"
	assert_num "ratio 1/0" "$(flat flat comparison.ratio)" -ge 2
	assert_num "ratio 1/0" "$(flat flat comparison.ratio)" -le 40
	assert_num "times faster" "$(flat flat comparison.times_faster)" -ge 2
	assert_num "p-value" "$(flat flat comparison.p_value)" -lt 0.05
	assert_num "ratio CI low" "$(flat flat comparison.ratio_ci_low)" -le "$(flat flat comparison.ratio)"
	assert_num "ratio CI high" "$(flat flat comparison.ratio_ci_high)" -ge "$(flat flat comparison.ratio)"
}

# Arguments reach the program as they are: no globbing, no variables, no
# word splitting, in CMD and in --vs alike.
# shellcheck disable=SC2016 # the $ are meant to reach echo unexpanded
test_no_shell() {
	touch a.txt b.txt
	bench exec --runs 1 --warmup 0 --show-output -- echo '$HOME' '*.txt' 'a  b' ';' 'x|y'
	expect_rc 0
	assert_eq "what echo printed" '$HOME *.txt a  b ; x|y' "$(sed -n 1p out)"
	bench exec --runs 1 --warmup 0 --show-output --vs 'echo $HOME *.txt' -- true
	expect_rc 0
	assert_eq "what the --vs echo printed" '$HOME *.txt' "$(sed -n 1p out)"
}

test_options_after_command_belong_to_it() {
	bench exec --runs 1 --warmup 0 --show-output -- echo --runs 5 -f json
	expect_rc 0
	assert_eq "what echo printed" "--runs 5 -f json" "$(sed -n 1p out)"
	expect_match out '^1 run of the command' "bench's own --runs 1"
}

test_without_double_dash() {
	bench exec --runs 2 --warmup 0 --show-output echo --runs 5
	expect_rc 0
	assert_eq "what echo printed" "--runs 5" "$(sed -n 1p out)"
	expect_match out '^2 runs of the command' "bench's own --runs 2"
}

# ---------------------------------------------------------------------------
# 4. failures

test_false_exits_1() {
	bench exec --warmup 0 -- false
	expect_rc 1
	expect_empty out
	expect_nlines err 1
	expect_match err "^bench exec: run 1 of 10: 'false' exited with status 1" \
		"the run and how it ended"
	expect_match err 'ignore-failure' "a hint at --ignore-failure"
}

test_false_in_warmup() {
	bench exec -- false
	expect_rc 1
	expect_empty out
	expect_nlines err 1
	expect_match err "^bench exec: warmup run 1 of 1: 'false' exited with status 1" \
		"the warmup run and how it ended"
}

test_failure_names_the_run() {
	nth_run_fails 4
	bench exec --warmup 1 --runs 10 -- ./nth.sh
	expect_rc 1
	expect_empty out
	expect_nlines err 1
	expect_match err "^bench exec: run 3 of 10: './nth.sh' exited with status 1" \
		"run 3 (after 1 warmup) named"
	assert_eq "runs started" 4 "$(cat count)"
}

test_ignore_failure() {
	bench exec --ignore-failure -- false
	expect_rc 0
	expect_empty err
	expect_match out '^  failed +10 of 10 runs: 10 exited with status 1$' \
		"how many runs failed and how"
	nth_run_fails 4
	bench exec -i --warmup 0 --runs 6 -- ./nth.sh
	expect_rc 0
	expect_match out '^  failed +3 of 6 runs: 3 exited with status 1$' \
		"3 of the 6 runs failed"
}

test_ignore_failure_json() {
	bench exec --ignore-failure --runs 3 --format json -- sh -c 'exit 3'
	expect_rc 0
	json_flat out >flat
	assert_eq failed 3 "$(flat flat commands.0.failed)"
	assert_eq "exit codes" "3 3 3" "$(json_list flat commands.0.exit_codes)"
	assert_eq ignore_failure true "$(flat flat ignore_failure)"
}

test_killed_by_signal() {
	bench exec -- sh -c 'kill -KILL $$'
	expect_rc 1
	expect_empty out
	expect_nlines err 1
	expect_match err "^bench exec: warmup run 1 of 1: 'sh -c \"kill -KILL \\\$\\\$\"' was killed by signal SIGKILL" \
		"the signal's name"
}

test_killed_by_signal_ignored() {
	bench exec --ignore-failure --runs 4 -- sh -c 'kill -TERM $$'
	expect_rc 0
	expect_match out '^  failed +4 of 4 runs: 4 killed by signal SIGTERM' \
		"the runs killed by SIGTERM"
	bench exec --ignore-failure --runs 2 --format json -- sh -c 'kill -KILL $$'
	expect_rc 0
	json_flat out >flat
	assert_eq "exit codes (-signal)" "-9 -9" "$(json_list flat commands.0.exit_codes)"
}

# ---------------------------------------------------------------------------
# 5. streams

test_output_discarded() {
	bench exec --runs 2 -- sh -c 'echo MARKER-out; echo MARKER-err >&2'
	expect_rc 0
	expect_empty err
	expect_no_match out '^MARKER' "command output on bench's stdout"
}

test_show_output() {
	bench exec --runs 2 --show-output -- sh -c 'echo MARKER-out; echo MARKER-err >&2'
	expect_rc 0
	assert_eq "MARKER-out lines (1 warmup + 2 runs)" 3 "$(grep -c '^MARKER-out$' out)"
	assert_eq "MARKER-err lines (1 warmup + 2 runs)" 3 "$(grep -c '^MARKER-err$' err)"
	expect_match out '^2 runs of the command .* output shown' "the header"
}

# shellcheck disable=SC2016 # $x is the command's
test_stdin_is_dev_null() {
	LAST_CMD="echo data | bench exec --show-output ... read"
	echo data | "$BENCH" exec --runs 1 --warmup 0 --show-output -- \
		sh -c 'if read x; then echo "read $x"; else echo eof; fi' >out 2>err
	RC=$?
	expect_rc 0
	assert_eq "what the command read" eof "$(sed -n 1p out)"
}

# ---------------------------------------------------------------------------
# 6. -o

test_output_file() {
	bench exec --runs 2 --format json -o out.json -- true
	expect_rc 0
	expect_empty out
	json_flat out.json >flat
	assert_eq schema bench.exec/1 "$(flat flat schema)"
	[ -z "$(find . -name '*.tmp.*')" ] || fail "temporary files left behind"
}

test_output_not_written_on_failure() {
	echo old >out.json
	bench exec --runs 2 --format json -o out.json -- false
	expect_rc 1
	assert_eq "out.json" old "$(cat out.json)"
	bench exec -o missing/out.json -- true
	expect_rc 1
	expect_match err "cannot write 'missing/out.json'" "the file named"
	[ -z "$(find . -name '*.tmp.*')" ] || fail "temporary files left behind"
}

# ---------------------------------------------------------------------------
# 7. processes and signals

test_no_zombie() {
	[ -n "$REAPER" ] || skip "no python3 for the subreaper"
	run_reaped "$BENCH" exec --runs 20 -- true
	expect_rc 0
	expect_reaped
	run_reaped "$BENCH" exec --runs 5 --vs 'sleep 0.01' -- true
	expect_rc 0
	expect_reaped
}

test_no_zombie_after_failures() {
	[ -n "$REAPER" ] || skip "no python3 for the subreaper"
	run_reaped "$BENCH" exec -i --runs 5 -- sh -c 'kill -KILL $$'
	expect_rc 0
	expect_reaped
	run_reaped "$BENCH" exec --runs 5 -- false
	expect_rc 1
	expect_reaped
	nth_run_fails 3
	run_reaped "$BENCH" exec --runs 5 -- ./nth.sh
	expect_rc 1
	expect_reaped
}

# Starts `exec --runs 100 -- sleep 1`, signals bench once a sleep runs,
# and checks that it stops at once: status 130, one line, nothing on
# stdout, no output file, the sleep killed and reaped.
interrupt() { # SIGNAL [setsid]
	if [ "${2-}" = setsid ]; then
		command -v setsid >/dev/null 2>&1 || skip "no setsid"
		start_bg setsid "$BENCH" exec --runs 100 -o out.json -- sleep 1
	else
		start_bg "$BENCH" exec --runs 100 -o out.json -- sleep 1
	fi
	wait_ready "$BG_PID"
	_i=0 _kids=
	while [ -z "$_kids" ] && [ "$_i" -lt 100 ]; do
		sleep 0.05
		_i=$((_i + 1))
		_kids=$(children "$BG_PID")
	done
	[ -n "$_kids" ] || fail "no command seen running in 5 s"
	sleep 0.2
	_t0=$(date +%s)
	if [ "${2-}" = setsid ]; then
		_pgid=$(ps -o pgid= -p "$BG_PID" | tr -d ' ')
		[ "$_pgid" = "$BG_PID" ] || skip "setsid did not make bench a group leader"
		kill -s "$1" -- "-$_pgid" || fail "cannot signal process group $_pgid"
	else
		kill -s "$1" "$BG_PID" || fail "bench was gone before the signal"
	fi
	wait_exit "$BG_WAIT" 20 || fail "bench did not exit within 20 s of SIG$1"
	wait "$BG_WAIT"
	RC=$?
	BG_PID='' BG_WAIT=''
	expect_rc 130
	assert_num "seconds from SIG$1 to exit" "$(($(date +%s) - _t0))" -le 3
	expect_empty out
	expect_nlines err 1
	expect_match err '^bench exec: interrupted' "'interrupted'"
	[ ! -e out.json ] || fail "out.json was written"
	[ -z "$(find . -name '*.tmp.*')" ] || fail "temporary files left behind"
	expect_reaped "$_kids"
}

test_sigint() { interrupt INT; }
test_sigterm() { interrupt TERM; }
# Ctrl-C in a terminal signals bench's whole foreground group; the command
# runs in a group of its own, so bench alone decides, kills and reaps it.
test_sigint_process_group() { interrupt INT setsid; }

lib_start "$@"
