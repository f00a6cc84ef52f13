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
# 8. hyperfine's command line and export files
t hyperfine_usage_errors
t hyperfine_commands_as_strings
t hyperfine_shell_option
t hyperfine_export_json_schema
t hyperfine_export_json_scripts
t hyperfine_export_csv_markdown
t hyperfine_parameter_scan
t hyperfine_prepare_setup_cleanup_counts
t hyperfine_failure_exits_1
t hyperfine_min_max_runs
t hyperfine_same_runs_as_hyperfine

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

# Without --, each operand is one command string, as in hyperfine, and
# options may follow the commands.
test_without_double_dash() {
	bench exec --runs 2 --warmup 0 --show-output 'echo hi --runs 3' --runs 5
	expect_rc 0
	assert_eq "what echo printed" "hi --runs 3" "$(sed -n 1p out)"
	expect_match out '^5 runs of the command' "the --runs 5 after the command"
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

# ---------------------------------------------------------------------------
# 8. hyperfine's command line and export files

# A script that appends its arguments to ./log each time it runs.
write_logger() {
	printf '#!/bin/sh\necho "$*" >>log\n' >logger.sh
	chmod +x logger.sh
}

test_hyperfine_usage_errors() {
	flag_error "--runs: not with --min-runs" exec -r 3 -m 2 true
	flag_error "--min-runs 5: expected no more than --max-runs 2" exec -m 5 -M 2 true
	flag_error "--parameter-scan: not with --parameter-list" exec -L n 1 -P m 1 2 true
	flag_error "--parameter-scan n 5 1: expected MIN no larger than MAX" exec -P n 5 1 true
	flag_error "--parameter-scan MIN 'x': expected a whole number" exec -P n x 1 true
	flag_error "--parameter-step-size '0': expected a step above 0" exec -P n 1 3 -D 0 true
	flag_error "--parameter-step-size '2': only with --parameter-scan" exec -D 2 true
	flag_error "--parameter-list 'n': the variable is defined twice" exec -L n 1 -L n 2 true
	flag_error "--parameter-list n: expected VAR VALUES" exec true -L n
	flag_error "--prepare given 2 times: expected once, or once per command \\(3\\)" \
		exec -p true -p true true true true
	flag_error "--command-name given 2 times: expected at most 1" exec -n a -n b true
	flag_error "--setup given twice" exec -s true -s true true
	flag_error "command 'sh -c \"exit 0': a double quote is not closed" exec 'sh -c "exit 0'
	flag_error "command 'echo 'a': a single quote is not closed" exec "echo 'a"
	flag_error "--shell sh: the command after -- runs as given" exec --shell=sh -- true
	flag_error "--export-json '': expected a file name" exec --export-json '' true
	usage_error 'the command to run is an empty string' exec ''
}

# Each string is one command split into words without a shell (quotes
# as in hyperfine -N); several are compared, in turn, like --vs.
test_hyperfine_commands_as_strings() {
	bench exec -N --runs 1 --warmup 0 --show-output 'printf "[%s]" "a b" c' "printf '<%s>' '\$HOME'"
	expect_rc 0
	expect_match out '^\[a b\]\[c\]<\$HOME>' "both commands' output, words as quoted"
	write_logger
	bench exec --runs 3 --warmup 1 './logger.sh A' './logger.sh B' './logger.sh C' --format json
	expect_rc 0
	assert_eq "runs in turn" "A B C A B C A B C A B C" "$(tr '\n' ' ' <log | sed 's/ $//')"
	json_flat out >flat
	assert_eq commands 3 "$(flat flat commands.#)"
	assert_eq comparisons 2 "$(flat flat comparisons.#)"
	assert_eq comparison null "$(flat flat comparison)"
	rm -f log
	bench exec --runs 2 --warmup 0 --vs './logger.sh V' './logger.sh S' -- ./logger.sh D
	expect_rc 0
	assert_eq "string, then --, then --vs" "S D V S D V" "$(tr '\n' ' ' <log | sed 's/ $//')"
}

test_hyperfine_shell_option() {
	bench exec --shell=sh --runs 1 --warmup 0 --show-output 'echo $((1 + 2)) | tr 3 x'
	expect_rc 0
	assert_eq "what the shell printed" x "$(sed -n 1p out)"
	expect_match out 'through sh -c' "the header names the shell"
	for _opt in -N --shell=none; do
		bench exec "$_opt" --runs 1 --warmup 0 --show-output 'echo $((1 + 2))'
		expect_rc 0
		assert_eq "$_opt: no shell" '$((1 + 2))' "$(sed -n 1p out)"
	done
}

# The keys and types of hyperfine's --export-json, and bench's under
# "bench"; when hyperfine is installed, its own file has the same keys.
check_export_keys() { # FILE [PARAMS]
	python3 - "$@" <<'PY' || fail "$1 is not hyperfine's schema"
import json, sys
doc = json.load(open(sys.argv[1]))
params = len(sys.argv) > 2
want = {"command", "mean", "stddev", "median", "user", "system", "min",
        "max", "times", "exit_codes"} | ({"parameters"} if params else set())
assert set(doc) <= {"results", "bench"}, sorted(doc)
for r in doc["results"]:
    keys = set(r) - {"bench"}
    assert keys == want, (sorted(keys), sorted(want))
    assert isinstance(r["command"], str)
    for k in ("mean", "median", "user", "system", "min", "max"):
        assert isinstance(r[k], float), (k, r[k])
    assert r["stddev"] is None or isinstance(r["stddev"], float)
    assert all(isinstance(t, float) for t in r["times"])
    assert all(isinstance(c, int) for c in r["exit_codes"])
    assert len(r["times"]) == len(r["exit_codes"])
    assert r["min"] <= r["median"] <= r["max"]
    if params:
        assert all(isinstance(v, str) for v in r["parameters"].values())
PY
}

test_hyperfine_export_json_schema() {
	bench exec -N --runs 3 --warmup 0 --export-json h.json 'sleep 0.01' true
	expect_rc 0
	check_export_keys h.json
	json_flat h.json >flat
	assert_eq results 2 "$(flat flat results.#)"
	assert_eq command "sleep 0.01" "$(flat flat results.0.command)"
	assert_eq times 3 "$(flat flat results.0.times.#)"
	assert_eq "exit codes" "0 0 0" "$(json_list flat results.1.exit_codes)"
	assert_num "min of sleep 0.01, seconds" "$(flat flat results.0.min)" -ge 0.01
	assert_num "peak RSS under bench" "$(flat flat results.0.bench.maxrss_max_kb)" -gt 0
	assert_eq schema bench.exec.hyperfine/1 "$(flat flat bench.schema)"
	assert_eq "rank test under bench" 1 "$(flat flat bench.comparisons.#)"
	bench exec --runs 1 --warmup 0 --export-json one.json -L n 1,2 'sleep 0.00{n}'
	expect_rc 0
	check_export_keys one.json params
	json_flat one.json >flat
	assert_eq "stddev of one run" null "$(flat flat results.0.stddev)"
	assert_eq "parameter" 2 "$(flat flat results.1.parameters.n)"
	if has hyperfine; then
		hyperfine -N --runs 2 --export-json hf.json 'sleep 0.01' >/dev/null 2>&1 ||
			fail "hyperfine failed"
		check_export_keys hf.json
	fi
}

# What hyperfine's scripts/advanced_statistics.py and plot_whisker.py
# read, read the same way (without numpy and matplotlib).
test_hyperfine_export_json_scripts() {
	bench exec -N --runs 4 --warmup 0 -i --export-json h.json true false 'sleep 0.01'
	expect_rc 0
	python3 - h.json <<'PY' >report || fail "the scripts' key accesses failed"
import json, statistics, sys
results = json.load(open(sys.argv[1]))["results"]
# plot_whisker.py
labels = [b["command"] for b in results]
times = [b["times"] for b in results]
# advanced_statistics.py
for r in results:
    t = sorted(r["times"])
    print("Command '{}'".format(r["command"]))
    print("  runs:   {:8d}".format(len(t)))
    print("  mean:   {:8.3f} s".format(r["mean"]))
    print("  stddev: {:8.3f} s".format(r["stddev"]))
    print("  median: {:8.3f} s".format(r["median"]))
    print("  min:    {:8.3f} s".format(r["min"]))
    print("  max:    {:8.3f} s".format(r["max"]))
    print("  user:   {:8.3f} s, system {:8.3f} s".format(r["user"], r["system"]))
    print("  exit codes: {}".format(sorted(set(r["exit_codes"]))))
    assert abs(statistics.mean(t) - r["mean"]) < 1e-12
    assert abs(statistics.median(t) - r["median"]) < 1e-12
    assert abs(statistics.stdev(t) - r["stddev"]) < 1e-12
    assert t[0] == r["min"] and t[-1] == r["max"]
PY
	expect_match report "^Command 'false'" "the second command"
	expect_match report "exit codes: \\[1\\]" "false's exit codes"
}

test_hyperfine_export_csv_markdown() {
	bench exec -N --runs 3 --warmup 0 -L n 1,2 --export-csv h.csv --export-markdown h.md 'sleep 0.0{n}'
	expect_rc 0
	assert_eq "CSV header" "command,mean,stddev,median,user,system,min,max,parameter_n" "$(sed -n 1p h.csv)"
	expect_nlines h.csv 3
	expect_match h.csv '^sleep 0\.02,[0-9.e-]+(,[0-9.e-]+){6},2$' "a CSV row"
	assert_eq "Markdown header" "| Command | Mean [ms] | Min [ms] | Max [ms] | Relative |" "$(sed -n 1p h.md)"
	assert_eq "Markdown rule" "|:---|---:|---:|---:|---:|" "$(sed -n 2p h.md)"
	expect_match h.md '^\| `sleep 0\.01` \| [0-9.]+ ± [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+( ± [0-9.]+)? \|$' "a Markdown row"
	expect_match h.md '\| 1\.00 \|$' "the fastest, relative 1.00"
}

test_hyperfine_parameter_scan() {
	write_logger
	bench exec --runs 1 --warmup 0 -P n 1 6 -D 2 --export-json h.json './logger.sh {n}'
	expect_rc 0
	assert_eq "values 1 3 5" "1 3 5" "$(tr '\n' ' ' <log | sed 's/ $//')"
	json_flat h.json >flat
	assert_eq "command with the value" "./logger.sh 5" "$(flat flat results.2.command)"
	assert_eq "parameter" 5 "$(flat flat results.2.parameters.n)"
	rm -f log
	bench exec --runs 1 --warmup 0 -L a 1,2 -L b x,y -n 'run {a}{b}' './logger.sh {a}{b}'
	expect_rc 0
	assert_eq "first variable fastest" "1x 2x 1y 2y" "$(tr '\n' ' ' <log | sed 's/ $//')"
	expect_match out '^#4 run 2y$' "the name with its values"
}

test_hyperfine_prepare_setup_cleanup_counts() {
	write_logger
	bench exec --runs 3 --warmup 2 -p './logger.sh prep {n}' -s './logger.sh setup {n}' \
		-c './logger.sh cleanup {n}' -L n 1,2 './logger.sh run {n}'
	expect_rc 0
	for _n in 1 2; do
		assert_eq "prepare $_n (warmup and timed)" 5 "$(grep -c "^prep $_n\$" log)"
		assert_eq "runs of $_n" 5 "$(grep -c "^run $_n\$" log)"
		assert_eq "setup $_n" 1 "$(grep -c "^setup $_n\$" log)"
		assert_eq "cleanup $_n" 1 "$(grep -c "^cleanup $_n\$" log)"
	done
	assert_eq "setups first" "setup 1 setup 2" "$(head -n 2 log | tr '\n' ' ' | sed 's/ $//')"
	assert_eq "cleanups last" "cleanup 1 cleanup 2" "$(tail -n 2 log | tr '\n' ' ' | sed 's/ $//')"
	bench exec --runs 2 -p false true
	expect_rc 1
	expect_nlines err 1
	expect_match err "^bench exec: --prepare command 'false' exited with status 1" "the failed preparation"
}

test_hyperfine_failure_exits_1() {
	bench exec -N --runs 2 --warmup 0 'sh -c "exit 3"'
	expect_rc 1
	expect_match err "exited with status 3; --ignore-failure would time it anyway" "the failure"
	bench exec -N -i --runs 2 --warmup 0 --export-json h.json 'sh -c "exit 3"' 'sh -c "kill -9 \$\$"'
	expect_rc 0
	json_flat h.json >flat
	assert_eq "exit codes" "3 3" "$(json_list flat results.0.exit_codes)"
	assert_eq "killed: 128 + 9, as hyperfine" "137 137" "$(json_list flat results.1.exit_codes)"
	assert_eq "the signal under bench" "9 9" "$(json_list flat results.1.bench.signals)"
}

# -m/-M: hyperfine's count, enough runs for 3 s within the bounds; a
# command as short as true reaches the bound whatever the machine's load.
test_hyperfine_min_max_runs() {
	write_logger
	bench exec --warmup 0 -M 4 './logger.sh'
	expect_rc 0
	assert_eq "runs with -M 4" 4 "$(wc -l <log | tr -d ' ')"
	rm -f log
	bench exec --warmup 0 -m 2 -M 3 './logger.sh a' './logger.sh b'
	expect_rc 0
	assert_eq "runs of a with -m 2 -M 3" 3 "$(grep -c '^a$' log)"
	assert_eq "runs of b with -m 2 -M 3" 3 "$(grep -c '^b$' log)"
}

# The same options start the same command lines, as many times, in
# hyperfine and in bench (bench in turn, hyperfine one after the other).
test_hyperfine_same_runs_as_hyperfine() {
	has hyperfine || skip "hyperfine is not installed"
	write_logger
	set -- -N --runs 3 --warmup 1 -L n 1,2 -p './logger.sh prep {n}' \
		-s './logger.sh setup {n}' -c './logger.sh cleanup {n}' \
		'./logger.sh a "x y" {n}' "sh -c 'echo b \$0 >>log' {n}"
	hyperfine "$@" >hf.out 2>&1 || { cat hf.out; fail "hyperfine failed"; }
	sort log >hf.log
	rm -f log
	bench exec "$@"
	expect_rc 0
	sort log >bench.log
	assert_eq "lines" "$(wc -l <hf.log | tr -d ' ')" "$(wc -l <bench.log | tr -d ' ')"
	cmp -s hf.log bench.log || fail "the commands run differ: $(diff hf.log bench.log | head -n 5 | tr '\n' ' ')"
}

lib_start "$@"
