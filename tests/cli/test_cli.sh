#!/bin/sh
# test_cli.sh - command-line tests of bench: each test runs the built binary
# the way a user does and checks its output and exit status.
#
# usage: tests/cli/test_cli.sh PATH/TO/bench [TEST...]
#
# A test is one function, test_NAME, registered by one `t NAME` line below.
# The runner starts each test in its own sh process under timeout(1)
# (CLI_TEST_TIMEOUT seconds, default 60), in a fresh temporary folder, so a
# hang fails that test instead of blocking the suite. It prints "1..N", then
# "ok N - NAME" or "not ok N - NAME" with "# " diagnostic lines, then one
# summary line "cli: N passed, M failed", and exits 1 if any test failed.
# CLI_KEEP=1 keeps the temporary folders.
#
# The design choice to know: "bench left no process behind" is checked
# exactly, not by watching ps for a while. Such tests run bench under a
# child subreaper (python3, prctl(PR_SET_CHILD_SUBREAPER)): whatever bench
# forked and did not reap is re-parented to the subreaper before bench's own
# exit is reported, so the subreaper lists it (zombie or alive) the moment
# bench is gone. Without python3 they fall back to checking that the worker
# pids seen while bench ran are gone.
#
# dash has no $LINENO, so assertions say what they check instead of a line.
# Workloads are tiny (sanitizer builds run this too, ~10x slower), and the
# only timing assertions are the ones physics guarantees.

set -u
SUITE="cli"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

TESTS=
t() { TESTS="$TESTS $1"; }

# 1. help and usage
t version
t help
t help_run_equals_run_help
t run_help
t show_help
t list_help
t no_arguments
t unknown_command
# 2. bad input: exit 2, one line on stderr, nothing on stdout
t bad_workload
t bad_mode
t duplicate_mode
t unknown_flag
t missing_value
t non_numeric_workers
t zero_workers
t zero_size
t zero_repeat
t zero_chunk
t negative_size
t overflow_size
t too_large_for_workload
t chunk_larger_than_size
t bad_format
t extra_operand
t missing_workload
t show_bad_workload
t show_zero_size
t list_extra_operand
t help_unknown_command
t warmup_zero_is_valid
t chunk_equal_to_size_is_valid
t size_suffix
t workers_over_pool_limit
# 3. list
t list
# 4. show
t show_hash
t show_hash_deterministic
t show_range
t show_search
t show_search_small_list
t show_sleep
# 5. every workload in every mode, one checksum
t all_modes_hash
t all_modes_search
t all_modes_range
t all_modes_sleep
t checksum_stable_hash
t checksum_stable_search
t checksum_stable_range
t checksum_stable_sleep
t spawn_every_workload
t spawn_worker_crash
t spawn_scale_and_chart
t option_of_another_workload
t options_in_help_and_json
# 6. formats
t format_json
t format_markdown
t format_gbench
t format_table
# 7. -o
t output_file
t output_missing_folder
t output_kept_on_failure
t output_file_mode_follows_umask
t output_to_fifo
t stdout_write_error
# 8, 9. failures
t process_worker_crash
t process_crash_names_task
t process_events_agree
t process_events_strict
t process_events_crash
t checksum_mismatch
# 10. signals
t sigint_process
t sigint_thread
t sigint_async
t sigint_all_modes
t sigterm_process
t sigint_process_group
t sigint_process_events
t sigint_async_million
# 11. physics
t sleep_async_overlaps
t async_million_in_flight

# ---------------------------------------------------------------------------
# Helpers for the tests. Each test runs in its own process, so a failed
# assertion prints what it expected and what it got, then exits.


# ---------------------------------------------------------------------------
# 1. help and usage

test_version() {
	bench --version
	expect_rc 0
	expect_nlines out 1
	expect_match out '^bench [0-9]+\.[0-9]+\.[0-9]+' "'bench X.Y.Z'"
	expect_empty err
}

test_help() {
	bench help
	expect_rc 0
	expect_empty err
	expect_match out '^usage: bench COMMAND' "the usage line"
	for _c in run show list help; do
		expect_match out "^  $_c  " "a line for the command '$_c'"
	done
	bench --help
	expect_rc 0
	expect_match out '^usage: bench COMMAND' "the usage line"
	# Every command's --help prints its usage, wherever --help stands.
	for _c in $(awk '/^commands:/ { f = 1; next } f && NF == 0 { exit } f { print $1 }' out); do
		bench "$_c" --help
		expect_rc 0
		expect_match out "^usage: bench $_c" "the usage of '$_c' from 'bench $_c --help'"
	done
	bench exercises start --help
	expect_rc 0
	expect_match out '^usage: bench exercises' "the usage from 'bench exercises start --help'"
}

test_help_run_equals_run_help() {
	bench run --help
	expect_rc 0
	mv out run_help
	bench help run
	expect_rc 0
	expect_empty err
	cmp -s out run_help || fail "'bench help run' differs from 'bench run --help'"
}

test_run_help() {
	bench run --help
	expect_rc 0
	expect_empty err
	expect_match out '^usage: bench run WORKLOAD' "the usage line"
	for _o in --mode --workers --size --chunk --repeat --warmup --seed \
		--queries --max-ms --format --output --quiet; do
		expect_match out "^ +(-[a-z], )?$_o" "the option $_o"
	done
	expect_match out '130 interrupted' "the exit statuses"
}

test_show_help() {
	bench show --help
	expect_rc 0
	expect_empty err
	expect_match out '^usage: bench show WORKLOAD' "the usage line"
	expect_match out 'sha256sum' "how to check a hash line"
}

test_list_help() {
	bench list --help
	expect_rc 0
	expect_empty err
	expect_match out '^usage: bench list' "the usage line"
}

test_no_arguments() {
	bench
	expect_rc 2
	expect_empty out
	expect_match err '^usage: bench COMMAND' "the usage, on stderr"
}

test_unknown_command() {
	usage_error "unknown command 'nosuch'" nosuch
}

# ---------------------------------------------------------------------------
# 2. bad input

test_bad_workload() {
	usage_error "unknown workload 'nosuch'.*hash, search, range, sleep" run nosuch
}

test_bad_mode() {
	usage_error "--mode 'bogus'.*serial, thread, process, async" \
		run range --mode serial,bogus
}

test_duplicate_mode() {
	usage_error "--mode .*'thread'.*twice" run range --mode serial,thread,thread
}

test_unknown_flag() {
	usage_error "unknown option '--frobnicate'.*bench run --help" \
		run range --frobnicate
}

test_missing_value() {
	usage_error "'--size' needs a value" run range --size
}

test_non_numeric_workers() {
	usage_error "--workers 'abc': expected a whole number from 1 to [0-9]+" \
		run range --workers abc
}

test_zero_workers() {
	usage_error "--workers '0': expected a whole number from 1 to" \
		run range --workers 0
}

test_zero_size() {
	usage_error "--size '0': expected a whole number from 1 to" run range --size 0
}

test_zero_repeat() {
	usage_error "--repeat '0': expected a whole number from 1 to" \
		run range --repeat 0
}

test_zero_chunk() {
	usage_error "--chunk '0': expected a whole number from 1 to" \
		run range --chunk 0
}

test_negative_size() {
	usage_error "--size '-5': expected a whole number" run range --size -5
}

test_overflow_size() {
	usage_error "--size '99999999999999999999999': expected a whole number from 1 to [0-9]+" \
		run range --size 99999999999999999999999
}

test_too_large_for_workload() {
	usage_error "--size 2000000 .*sleep.* at most [0-9]+" \
		run sleep --size 2M --max-ms 1
}

test_chunk_larger_than_size() {
	usage_error "--chunk 101 .*100" run range --size 100 --chunk 101
}

test_bad_format() {
	usage_error "--format 'xml'.*table.*json.*csv.*markdown.*gbench" \
		run range --format xml
}

test_extra_operand() {
	usage_error "unexpected argument 'extra'" run range extra
}

test_missing_workload() {
	usage_error "missing the workload" run
}

test_show_bad_workload() {
	usage_error "^bench show: unknown workload 'nosuch'.*hash, search, range, sleep" \
		show nosuch
}

test_show_zero_size() {
	usage_error "^bench show: --size '0': expected a whole number" \
		show hash --size 0
}

test_list_extra_operand() {
	usage_error "^bench list: unexpected argument 'extra'" list extra
}

test_help_unknown_command() {
	usage_error "unknown command 'nosuch'" help nosuch
}

test_warmup_zero_is_valid() {
	bench run range --size 2000 --repeat 1 --warmup 0 -q --mode serial --format csv
	expect_rc 0
	expect_nlines out 2
}

test_chunk_equal_to_size_is_valid() {
	bench run range --size 100 --chunk 100 --mode serial,thread --repeat 2 --warmup 0 -q --format csv
	expect_rc 0
	assert_eq "chunk column" "100
100" "$(csv_col out chunk)"
}

test_size_suffix() {
	bench run range --size 2k --mode serial --repeat 2 --warmup 0 -q --format csv
	expect_rc 0
	assert_eq "size column for --size 2k" 2000 "$(csv_col out size)"
}

# ---------------------------------------------------------------------------
# 3. list

test_list() {
	bench list
	expect_rc 0
	expect_empty err
	for _w in hash search range sleep serial thread process async; do
		expect_match out "^  $_w " "a line for '$_w'"
	done
	expect_match out '^workloads:' "the 'workloads:' heading"
	expect_match out '^modes:' "the 'modes:' heading"
}

# ---------------------------------------------------------------------------
# 4. show

test_show_hash() {
	bench show hash --size 5
	expect_rc 0
	expect_empty err
	expect_nlines out 5
	_n=0
	while read -r _cpf _pepper _digest _extra; do
		_n=$((_n + 1))
		[ -z "$_extra" ] || fail "line $_n: more than 3 fields"
		is_uint "$_cpf" || fail "line $_n: cpf '$_cpf' is not a number"
		is_uint "$_pepper" || fail "line $_n: pepper '$_pepper' is not a number"
		assert_num "line $_n: cpf" "$_cpf" -ge 1
		assert_num "line $_n: cpf" "$_cpf" -le 999999999
		assert_num "line $_n: pepper" "$_pepper" -ge 1000
		assert_num "line $_n: pepper" "$_pepper" -le 9999
		_want=$(printf 'aaaaa%s%s' "$_cpf" "$_pepper" | sha256sum | cut -d' ' -f1)
		assert_eq "line $_n: sha256 of 'aaaaa$_cpf$_pepper'" "$_want" "$_digest"
	done <out
}

test_show_hash_deterministic() {
	bench show hash --size 5
	expect_rc 0
	mv out first
	bench show hash --size 5
	expect_rc 0
	cmp -s first out || fail "two runs of 'show hash --size 5' differ"
	bench show hash --size 5 --seed 2
	expect_rc 0
	expect_nlines out 5
	cmp -s first out && fail "--seed 2 gives the same items as seed 1"
	bench show hash --size 5 --seed 1
	cmp -s first out || fail "--seed 1 differs from the default seed"
}

test_show_range() {
	bench show range
	expect_rc 0
	expect_empty err
	expect_nlines out 10
	awk '
		NF != 6 { print "line " NR ": " NF " fields, expected 6: " $0; bad = 1; next }
		{
			n = 0
			for (i = 1; i <= 5; i++) {
				if ($i !~ /^[0-9]+$/) { print "line " NR ": value " $i; bad = 1 }
				if ($i >= 4 && $i <= 8) n++
			}
			if ($6 != n) {
				print "line " NR ": count " $6 ", expected " n ": " $0
				bad = 1
			}
		}
		END { exit bad }' out >bad || fail "show range: $(cat bad)"
}

# Checks search lines: "T found at T" for T < SIZE, "T not found" for
# T == SIZE, and nothing else.
check_search() { # FILE SIZE
	awk -v size="$2" '
		$2 == "found" && NF == 4 && $3 == "at" && $1 == $4 && $1 + 0 < size + 0 { next }
		$2 == "not" && NF == 3 && $3 == "found" && $1 == size { next }
		{ print "line " NR ": \"" $0 "\" (list size " size ")"; bad = 1 }
		END { exit bad }' "$1" >bad || fail "show search: $(cat bad)"
}

test_show_search() {
	bench show search
	expect_rc 0
	expect_empty err
	expect_nlines out 10
	check_search out 10
}

test_show_search_small_list() {
	bench show search --size 3 --queries 30
	expect_rc 0
	expect_nlines out 30
	check_search out 3
}

# Checks sleep lines: "TASK WAIT TASK", tasks 0.. in order, WAIT in
# [0, MAX_MS].
check_sleep() { # FILE MAX_MS
	awk -v max="$2" '
		NF == 3 && $1 == NR - 1 && $3 == $1 && $2 ~ /^[0-9]+$/ && $2 + 0 <= max + 0 { next }
		{ print "line " NR ": \"" $0 "\" (max " max " ms)"; bad = 1 }
		END { exit bad }' "$1" >bad || fail "show sleep: $(cat bad)"
}

test_show_sleep() {
	bench show sleep
	expect_rc 0
	expect_empty err
	expect_nlines out 10
	check_sleep out 50
	bench show sleep --size 20 --max-ms 5
	expect_rc 0
	expect_nlines out 20
	check_sleep out 5
}

# ---------------------------------------------------------------------------
# 5. every workload in every mode

# Checks a CSV run: ROWS data rows, every one verified, one checksum of 16
# hex digits; prints it.
csv_checksum() { # ROWS
	expect_nlines out $(($1 + 1))
	[ "$(csv_col out verified | sort -u)" = true ] ||
		fail "verified column: expected only 'true', got: $(csv_col out verified | tr '\n' ' ')"
	_sums=$(csv_col out checksum | sort -u)
	case $_sums in
	*[!0-9a-f]* | '') fail "checksums: expected one of 16 hex digits for all modes, got: $(echo "$_sums" | tr '\n' ' ')" ;;
	esac
	[ ${#_sums} -eq 16 ] || fail "checksum '$_sums': expected 16 hex digits"
	echo "$_sums"
}

all_modes() { # WORKLOAD ARGS...
	run_reaped "$BENCH" run "$@" --mode all --format csv --repeat 2 --warmup 0 -q
	expect_rc 0
	assert_eq "modes" "serial thread process async" "$(csv_col out mode | tr '\n' ' ' | sed 's/ $//')"
	csv_checksum 4 >/dev/null || exit 1
	expect_reaped
}

test_all_modes_hash() { all_modes hash --size 2000; }
test_all_modes_search() { all_modes search --size 2000 --queries 200; }
test_all_modes_range() { all_modes range --size 2000; }
test_all_modes_sleep() { all_modes sleep --size 8 --max-ms 5; }

# The checksum of one run of all modes.
sum_of() { # ARGS...
	bench run "$@" --mode all --format csv --repeat 1 --warmup 0 -q
	expect_rc 0
	csv_checksum 4 >sum || exit 1
	cat sum
}

# Same checksum for any --workers and --chunk; another with --seed 2 unless
# SEED_MATTERS is "no".
checksum_stable() { # SEED_MATTERS CHUNKS WORKLOAD ARGS...
	_seed=$1 _chunks=$2
	shift 2
	_ref=$(sum_of "$@" --workers 1) || exit 1
	for _w in 2 3; do
		_s=$(sum_of "$@" --workers "$_w") || exit 1
		assert_eq "checksum with --workers $_w (vs --workers 1)" "$_ref" "$_s"
	done
	for _c in $_chunks; do
		_s=$(sum_of "$@" --workers 3 --chunk "$_c") || exit 1
		assert_eq "checksum with --chunk $_c (vs --workers 1)" "$_ref" "$_s"
	done
	_s=$(sum_of "$@" --workers 2 --seed 2) || exit 1
	if [ "$_seed" = yes ]; then
		assert_ne "checksum with --seed 2 (vs seed 1)" "$_ref" "$_s"
	else
		# Task i of sleep returns i: its checksum is the same for any seed.
		assert_eq "checksum with --seed 2 (vs seed 1)" "$_ref" "$_s"
	fi
}

test_checksum_stable_hash() { checksum_stable yes "1 7 2000" hash --size 2000; }
test_checksum_stable_search() {
	checksum_stable yes "1 7 200" search --size 2000 --queries 200
}
test_checksum_stable_range() { checksum_stable yes "1 7 2000" range --size 2000; }
test_checksum_stable_sleep() {
	checksum_stable no "1 3 8" sleep --size 8 --max-ms 5
}

# spawn: one process per task, every workload's checksum equal to serial's
# and process's, every child reaped.
test_spawn_every_workload() {
	for _w in "hash --size 600" "search --size 2000 --queries 40" \
		"range --size 3000" "sleep --size 6 --max-ms 3" "events --size 900" \
		"wordcount --size 900" "graph --size 12 --max-ms 3"; do
		# shellcheck disable=SC2086 # the workload and its options
		run_reaped "$BENCH" run $_w --mode serial,spawn,process --workers 2 \
			--format csv --repeat 1 --warmup 0 -q --no-save
		expect_rc 0
		assert_eq "modes of $_w" "serial spawn process" \
			"$(csv_col out mode | tr '\n' ' ' | sed 's/ $//')"
		csv_checksum 3 >/dev/null || exit 1
		expect_reaped
	done
}

# A child that dies is named with its task and how it ended; nothing is
# left behind.
test_spawn_worker_crash() {
	run_reaped env BENCH_TEST_CRASH_TASK=2 "$BENCH" run range --size 2000 \
		--mode spawn --workers 2 --chunk 100 --repeat 1 --warmup 0 -q --no-save
	expect_rc 1
	expect_nlines err 1
	expect_match err '^bench: the process of task 2 \(pid [0-9]+, items 200\.\.299\) was killed by signal 6 \(SIGABRT' \
		"the task, its pid and items, and the signal"
	expect_reaped
}

# bench scale takes spawn like any mode: a row per worker count, a fit, and
# its line in the chart data.
test_spawn_scale_and_chart() {
	bench scale range --size 4000 --chunk 200 --modes spawn,process \
		--workers 1,2 --repeat 1 --warmup 0 -q --format json --charts charts \
		--results r.db
	expect_rc 0
	assert_eq "modes" "serial spawn spawn process process" \
		"$(jq -r '[.results[].mode] | join(" ")' out)"
	assert_eq "verified" "true" "$(jq -r '[.results[].verified] | all' out)"
	assert_eq "Amdahl fits" "spawn process" \
		"$(jq -r '[.analysis.amdahl[].mode] | join(" ")' out)"
	if has gnuplot; then
		ls charts/*speedup*.png >/dev/null 2>&1 || fail "no speedup chart drawn"
	fi
}

# A workload takes only the options it declares, and says so by name.
test_option_of_another_workload() {
	usage_error "^bench run: --queries is not an option of hash" \
		run hash --queries 5 --no-save
	usage_error "^bench run: --input is not an option of range" \
		run range --input x --no-save
	usage_error "^bench run: --max-ms '0': expected a whole number from 1 to 600000" \
		run sleep --max-ms 0 --no-save
}

# The options come from the workloads' declarations: help lists each with
# its workload, JSON records each under its name.
test_options_in_help_and_json() {
	bench run --help
	expect_match out '^      --queries N +search: how many searches \(default 1000\)' "search's --queries"
	expect_match out '^  -i, --input FILE +events: ' "events' --input"
	expect_match out '^  -i, --input FILE +wordcount: ' "wordcount's --input"
	expect_match out '^      --max-ms N +graph: ' "graph's --max-ms"
	bench run events --size 300 --mode serial --repeat 1 --warmup 0 -q \
		--no-save --format json --type view --strict
	expect_rc 0
	assert_eq "type" view "$(jq -r '.results[0].type' out)"
	assert_eq "strict" true "$(jq -r '.results[0].strict' out)"
	assert_eq "no input" null "$(jq -r '.results[0].input' out)"
	bench run sleep --size 3 --max-ms 2 --mode serial --repeat 1 --warmup 0 -q \
		--no-save --format json
	assert_eq "max_ms" 2 "$(jq -r '.results[0].max_ms' out)"
}

# ---------------------------------------------------------------------------
# 6. formats

test_format_json() {
	bench run range --size 2000 --repeat 3 --warmup 0 --workers 2 --chunk 100 \
		--seed 3 --format json -q
	expect_rc 0
	if command -v python3 >/dev/null 2>&1; then
		python3 -m json.tool <out >/dev/null 2>json.err ||
			fail "not valid JSON: $(head -n 1 json.err)"
	else
		note "python3 not found: JSON syntax not checked"
	fi
	json_flat out >flat
	assert_eq schema bench.run/1 "$(flat flat schema)"
	for _k in host cpu_model cpus kernel compiler cflags openssl git date; do
		[ -n "$(flat flat "context.$_k")" ] || fail "context.$_k is empty"
	done
	assert_num "context.cpus" "$(flat flat context.cpus)" -ge 1
	flat flat context.date | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' ||
		fail "context.date: expected an ISO 8601 date, got '$(flat flat context.date)'"
	assert_eq "results.#" 4 "$(flat flat 'results.#')"
	_sum=$(flat flat results.0.checksum)
	_modes=
	for _i in 0 1 2 3; do
		_r=results.$_i
		_mode=$(flat flat "$_r.mode")
		_modes="$_modes${_modes:+ }$_mode"
		assert_eq "$_r.workload" range "$(flat flat "$_r.workload")"
		if [ "$_mode" = serial ]; then _w=1; else _w=2; fi
		assert_eq "$_r.workers ($_mode)" "$_w" "$(flat flat "$_r.workers")"
		assert_eq "$_r.size" 2000 "$(flat flat "$_r.size")"
		assert_eq "$_r.chunk" 100 "$(flat flat "$_r.chunk")"
		assert_eq "$_r.seed" 3 "$(flat flat "$_r.seed")"
		assert_eq "$_r.samples_ns.# (--repeat 3)" 3 "$(flat flat "$_r.samples_ns.#")"
		for _k in 0 1 2; do
			is_uint "$(flat flat "$_r.samples_ns.$_k")" ||
				fail "$_r.samples_ns.$_k: expected a whole number of ns, got '$(flat flat "$_r.samples_ns.$_k")'"
		done
		# The median of three samples is the middle one.
		_mid=$(for _k in 0 1 2; do flat flat "$_r.samples_ns.$_k"; done | sort -n | sed -n 2p)
		assert_num "$_r.median_ns (samples $(for _k in 0 1 2; do flat flat "$_r.samples_ns.$_k"; done | tr '\n' ' '))" \
			"$(flat flat "$_r.median_ns")" -eq "$_mid"
		assert_eq "$_r.checksum (vs results.0)" "$_sum" "$(flat flat "$_r.checksum")"
		assert_eq "$_r.verified" true "$(flat flat "$_r.verified")"
	done
	assert_eq "modes" "serial thread process async" "$_modes"
	echo "$_sum" | grep -Eq '^[0-9a-f]{16}$' ||
		fail "checksum '$_sum': expected 16 hex digits"
}

test_format_markdown() {
	bench run range --size 2000 --format markdown --repeat 2 --warmup 0 -q
	expect_rc 0
	expect_match out '\| mode \|' "a header row with '| mode |'"
	expect_match out '^\|[ :|-]+\|$' "a separator row"
	for _m in serial thread process async; do
		expect_match out "^\| $_m \|.*[0-9a-f]{16}" "a row for $_m with its checksum"
	done
}

# Google Benchmark's JSON, as --benchmark_out_format=json writes it: a
# repetition per sample, then the mean, median and stddev aggregates.
test_format_gbench() {
	bench run range --size 2000 --repeat 3 --warmup 0 --workers 2 --mode serial,thread \
		--format gbench -q
	expect_rc 0
	json_flat out >flat
	assert_eq "context.executable" bench "$(flat flat context.executable)"
	assert_eq "benchmarks.# (2 modes x (3 repetitions + 3 aggregates))" 12 "$(flat flat 'benchmarks.#')"
	assert_eq "the first name" "range/serial/workers:1/size:2000" "$(flat flat benchmarks.0.name)"
	assert_eq "a repetition" iteration "$(flat flat benchmarks.0.run_type)"
	assert_eq "the unit" ns "$(flat flat benchmarks.0.time_unit)"
	assert_eq "the fourth" "range/serial/workers:1/size:2000_mean" "$(flat flat benchmarks.3.name)"
	assert_eq "an aggregate" median "$(flat flat benchmarks.4.aggregate_name)"
	assert_eq "the thread family" "range/thread/workers:2/size:2000" "$(flat flat benchmarks.6.run_name)"
}

test_format_table() {
	bench run range --size 2000 --repeat 2 --warmup 0 -q
	expect_rc 0
	expect_match out '^mode .*checksum' "a header with 'checksum'"
	for _m in serial thread process async; do
		expect_match out "^$_m .* [0-9a-f]{16}" "a row for $_m with its checksum"
	done
}

# ---------------------------------------------------------------------------
# 7. -o

test_output_file() {
	bench run range --size 2000 --format csv -o out.csv --repeat 2 --warmup 0 -q
	expect_rc 0
	expect_empty out
	[ -f out.csv ] || fail "-o out.csv: no out.csv"
	expect_nlines out.csv 5
	expect_match out.csv '^workload,mode,' "the CSV header"
	no_temp_files
}

test_output_missing_folder() {
	bench run range --size 2000 -o nodir/out.csv --repeat 2 --warmup 0 -q
	expect_rc 1
	expect_empty out
	expect_nlines err 1
	expect_match err "^bench: .*nodir/out\.csv" "an error naming nodir/out.csv"
	[ ! -e nodir ] || fail "nodir appeared"
	no_temp_files
}

test_output_kept_on_failure() {
	echo earlier >out.csv
	run env BENCH_TEST_CRASH_TASK=1 "$BENCH" run range --size 2000 --mode process \
		--workers 2 --format csv -o out.csv --repeat 2 --warmup 0 -q
	expect_rc 1
	assert_eq "out.csv after a failed run" earlier "$(cat out.csv)"
	no_temp_files
}

# The file -o writes gets the permissions any new file gets (umask), as with
# 'bench run ... > FILE', not mkstemp's 0600.
test_output_file_mode_follows_umask() {
	umask 022
	: >shell-made
	bench run range --size 2000 --mode serial --format csv -o out.csv --repeat 2 --warmup 0 -q
	expect_rc 0
	# shellcheck disable=SC2012 # the names are ours; ls -l is POSIX, stat -c not
	_want=$(ls -l shell-made | cut -c1-10)
	# shellcheck disable=SC2012
	_got=$(ls -l out.csv | cut -c1-10)
	assert_eq "mode of out.csv under umask 022 (as a file the shell creates)" "$_want" "$_got"
}

# -o onto something that is not a regular file writes into it: a FIFO here
# (safe to test), /dev/null or /dev/stdout for a user.
test_output_to_fifo() {
	mkfifo fifo || skip "mkfifo failed"
	cat fifo >got &
	BG_PID=$! BG_WAIT=$!
	bench run range --size 2000 --mode serial --format csv -o fifo \
		--repeat 1 --warmup 0 -q
	expect_rc 0
	[ -p fifo ] || fail "-o fifo replaced the FIFO with a regular file ($(ls -l fifo))"
	wait_exit "$BG_PID" 10 || fail "the FIFO's reader got no end of file"
	expect_nlines got 2
}

# A full disk is an error, whichever command writes.
test_stdout_write_error() {
	[ -c /dev/full ] || skip "no /dev/full"
	_bad=
	for _c in "run range --size 2000 --mode serial --repeat 1 --warmup 0 -q" \
		"show hash --size 5" list help "run --help" --version; do
		# shellcheck disable=SC2086 # $_c is a list of words
		"$BENCH" $_c >/dev/full 2>err
		_rc=$?
		if [ "$_rc" = 0 ] || [ ! -s err ]; then
			_bad="$_bad; 'bench $_c >/dev/full' exit $_rc, $(wc -l <err | tr -d ' ') lines on stderr"
		fi
	done
	[ -z "$_bad" ] || fail "expected a non-zero exit and an error line:${_bad#;}"
}

# ---------------------------------------------------------------------------
# 8, 9. failures

test_process_worker_crash() {
	run_reaped env BENCH_TEST_CRASH_TASK=1 "$BENCH" run range --size 2000 \
		--mode process --workers 2 --repeat 2 --warmup 0 -q
	expect_rc 1
	expect_empty out
	expect_nlines err 1
	expect_match err 'process worker' "'process worker'"
	expect_match err 'pid [0-9]+' "the worker's pid"
	expect_match err 'SIGABRT' "the signal, SIGABRT"
	expect_reaped
	_pid=$(sed -n 's/.*pid \([0-9][0-9]*\).*/\1/p' err)
	_st=$(ps -o stat= -p "$_pid" 2>/dev/null)
	[ -z "$_st" ] || fail "the dead worker, pid $_pid, still exists (state $_st)"
	[ -n "$REAPER" ] || note "python3 not found: leftover processes checked by pid only"
}

# A process worker claiming tasks from shared memory records the task it
# is on: a crash names the task and its items.
test_process_crash_names_task() {
	run_reaped env BENCH_TEST_CRASH_TASK=2 "$BENCH" run range --size 2000 \
		--mode process --workers 2 --chunk 100 --repeat 1 --warmup 0 -q --no-save
	expect_rc 1
	expect_nlines err 1
	expect_match err '^bench: process worker [12] of 2 \(pid [0-9]+\) was killed by signal 6 \(SIGABRT.* while running task 2 \(items 200\.\.299\)$' \
		"the worker, its pid, the signal, the task and its items"
	expect_reaped
}

# An events file with bad lines (blank and malformed, at lines 89, 97,
# 178, ...), as bench gen writes it otherwise.
events_with_bad_lines() { # LINES
	bench gen events --lines "$1" -o ev.jsonl
	expect_rc 0
	awk 'NR % 97 == 0 { print ""; next }
		NR % 89 == 0 { print "{\"event_id\": " NR ","; next }
		{ print }' ev.jsonl >bad.jsonl || fail "awk failed"
}

# Process workers read their own parts of an events file: every worker
# count and batch size gives serial's checksum (the harness verifies it),
# lines, kept events and bad lines by number.
test_process_events_agree() {
	events_with_bad_lines 3000
	bench run events --input bad.jsonl --mode serial --format csv --repeat 1 --warmup 0 --no-save
	expect_rc 0
	grep -E '^bench: (result: lines|note: [0-9]+ bad line)' err >want ||
		fail "no result line from serial"
	expect_match want 'line 89 \(malformed JSON\), line 97 \(blank line\)' \
		"the first bad lines by number"
	for _w in 1 3 8; do
		for _c in 1 7 1000; do
			run_reaped "$BENCH" run events --input bad.jsonl \
				--mode serial,thread,process --workers "$_w" --chunk "$_c" \
				--format csv --repeat 1 --warmup 0 -q --no-save
			expect_rc 0
			csv_checksum 3 >/dev/null || exit 1
			expect_reaped
			bench run events --input bad.jsonl --mode process --workers "$_w" \
				--chunk "$_c" --format csv --repeat 1 --warmup 0 --no-save
			expect_rc 0
			grep -E '^bench: (result: lines|note: [0-9]+ bad line)' err >got
			cmp -s want got ||
				fail "process x$_w chunk $_c: $(tr '\n' ' ' <got), serial: $(tr '\n' ' ' <want)"
		done
	done
}

# --strict in process mode fails on the first bad line in file order, as
# serial does, whichever worker met it.
test_process_events_strict() {
	events_with_bad_lines 3000
	bench run events --input bad.jsonl --strict --mode serial --repeat 1 --warmup 0 -q --no-save
	expect_rc 1
	expect_nlines err 1
	expect_match err 'line 89: malformed JSON' "the first bad line"
	mv err want
	for _w in 1 3 8; do
		run_reaped "$BENCH" run events --input bad.jsonl --strict --mode process \
			--workers "$_w" --chunk 7 --repeat 1 --warmup 0 -q --no-save
		expect_rc 1
		cmp -s want err || fail "process x$_w: '$(cat err)', serial: '$(cat want)'"
		expect_reaped
	done
}

# A worker reading its own parts of a stream dies on the part it claims
# (crash_task numbers parts there), to run it or to count its lines while
# others may wait for that count: named, nothing hangs, nothing is left.
test_process_events_crash() {
	events_with_bad_lines 3000
	run_reaped env BENCH_TEST_CRASH_TASK=1 "$BENCH" run events --input bad.jsonl \
		--mode process --workers 3 --chunk 7 --repeat 1 --warmup 0 -q --no-save
	expect_rc 1
	expect_nlines err 1
	expect_match err '^bench: process worker [1-3] of 3 \(pid [0-9]+\) was killed by signal 6 \(SIGABRT.* (on|while counting the items of|while running) part 1 of [0-9]+' \
		"the worker, its pid, the signal and its part"
	expect_reaped
}

test_checksum_mismatch() {
	for _m in thread process async; do
		run env BENCH_TEST_CORRUPT_MODE="$_m" "$BENCH" run range --size 2000 --repeat 2 --warmup 0 -q
		expect_rc 1
		expect_empty out
		expect_nlines err 1
		expect_match err 'serial' "the reference mode, serial"
		expect_match err "$_m" "the corrupted mode, $_m"
		_sums=$(grep -Eo '[0-9a-f]{16}' err | sort -u | wc -l | tr -d ' ')
		assert_eq "distinct 16-hex-digit checksums on stderr" 2 "$_sums"
	done
}

# ---------------------------------------------------------------------------
# 10. signals

# Starts a long sleep run writing out.json, sends SIGNAL to bench once it is
# well under way, and checks that it stops cleanly: status 130, one line
# saying it was interrupted, no output file, no process left behind.
interrupt() { # SIGNAL ARGS...
	_sig=$1
	shift
	start_bg "$BENCH" run sleep --size 200 --max-ms 50 --workers 4 "$@" \
		-o out.json --format json
	wait_ready "$BG_PID"
	sleep 0.5
	_kids=$(children "$BG_PID")
	case " $* " in
	*" process "*)
		# Workers are forked per sample: wait for the next ones if needed.
		_i=0
		while [ -z "$_kids" ] && [ "$_i" -lt 100 ]; do
			sleep 0.05
			_i=$((_i + 1))
			_kids=$(children "$BG_PID")
		done
		[ -n "$_kids" ] || fail "no process worker seen in 5 s"
		;;
	esac
	kill -s "$_sig" "$BG_PID" || fail "bench was gone before the signal"
	wait_exit "$BG_WAIT" 20 || fail "bench did not exit within 20 s of SIG$_sig"
	wait "$BG_WAIT"
	RC=$?
	BG_PID='' BG_WAIT=''
	expect_rc 130
	expect_empty out
	expect_nlines err 1
	expect_match err 'interrupted' "'interrupted'"
	[ ! -e out.json ] || fail "out.json was written"
	no_temp_files
	expect_reaped "$_kids"
}

test_sigint_process() { interrupt INT --mode process; }
test_sigint_thread() { interrupt INT --mode thread; }
test_sigint_async() { interrupt INT --mode async; }
test_sigint_all_modes() { interrupt INT; }
test_sigterm_process() { interrupt TERM --mode process; }

# Ctrl-C in a terminal signals the whole foreground process group: bench and
# its process workers at once.
test_sigint_process_group() {
	command -v setsid >/dev/null 2>&1 || skip "no setsid"
	start_bg setsid "$BENCH" run sleep --size 200 --max-ms 50 --workers 4 \
		--mode process -o out.json --format json
	wait_ready "$BG_PID"
	_pgid=$(ps -o pgid= -p "$BG_PID" | tr -d ' ')
	[ "$_pgid" = "$BG_PID" ] || skip "setsid did not make bench a group leader"
	sleep 0.5
	_kids=$(children "$BG_PID")
	kill -s INT -- "-$_pgid" || fail "cannot signal process group $_pgid"
	wait_exit "$BG_WAIT" 20 || fail "bench did not exit within 20 s of SIGINT"
	wait "$BG_WAIT"
	RC=$?
	BG_PID='' BG_WAIT=''
	expect_rc 130
	expect_nlines err 1
	expect_match err 'interrupted' "'interrupted'"
	[ ! -e out.json ] || fail "out.json was written"
	no_temp_files
	expect_reaped "$_kids"
}

# Ctrl-C while process workers read their own parts of an events stream:
# status 130, one line, no output file, every worker reaped.
test_sigint_process_events() {
	bench gen events --lines 100000 -o ev.jsonl
	expect_rc 0
	start_bg "$BENCH" run events --input ev.jsonl --mode process --workers 3 \
		--chunk 10 --repeat 1000 --warmup 0 -o out.json --format json
	wait_ready "$BG_PID"
	_i=0
	_kids=$(children "$BG_PID")
	while [ -z "$_kids" ] && [ "$_i" -lt 100 ]; do
		sleep 0.05
		_i=$((_i + 1))
		_kids=$(children "$BG_PID")
	done
	[ -n "$_kids" ] || fail "no process worker seen in 5 s"
	kill -s INT "$BG_PID" || fail "bench was gone before the signal"
	wait_exit "$BG_WAIT" 20 || fail "bench did not exit within 20 s of SIGINT"
	wait "$BG_WAIT"
	RC=$?
	BG_PID='' BG_WAIT=''
	expect_rc 130
	expect_empty out
	expect_nlines err 1
	expect_match err 'interrupted' "'interrupted'"
	[ ! -e out.json ] || fail "out.json was written"
	expect_reaped "$_kids"
}

# ---------------------------------------------------------------------------
# 11. physics

# Serial waits one task after another: it takes at least the sum of the
# waits. Async with a task in flight per item overlaps them: at least the
# longest wait, and far less than serial.
test_sleep_async_overlaps() {
	bench show sleep --size 20 --max-ms 40
	expect_rc 0
	_sum_ms=$(awk '{ s += $2 } END { print s }' out)
	_max_ms=$(awk '$2 > m { m = $2 } END { print m + 0 }' out)
	bench run sleep --size 20 --max-ms 40 --workers 20 --mode serial,async \
		--format csv --repeat 2 --warmup 0 -q
	expect_rc 0
	expect_nlines out 3
	_serial=$(csv_col out median_ns | sed -n 1p)
	_async=$(csv_col out median_ns | sed -n 2p)
	assert_eq modes "serial async" "$(csv_col out mode | tr '\n' ' ' | sed 's/ $//')"
	assert_num "serial median_ns vs the sum of the waits ($_sum_ms ms)" \
		"$_serial" -ge "${_sum_ms}000000"
	assert_num "async median_ns vs the longest wait ($_max_ms ms)" \
		"$_async" -ge "${_max_ms}000000"
	assert_num "async median_ns vs half the serial one" \
		"$_async" -lt "$(awk -v s="$_serial" 'BEGIN { printf "%.0f", s / 2 }')"
}

# ---------------------------------------------------------------------------
# async at scale

# A pool refuses more workers than its row allows, naming the mode, its
# limit and the mode that takes that many; past every mode's limit the
# parser says the largest accepted.
test_workers_over_pool_limit() {
	usage_error "--workers 5000 is too many for thread: at most 1024 threads; async takes up to 10000000 tasks in flight" \
		run range --size 100 --workers 5000 --mode thread
	usage_error "--workers 5000 is too many for thread" run range --size 100 --workers 5000
	usage_error "--workers '10000001': expected a whole number from 1 to 10000000" \
		run sleep --workers 10000001 --mode async
	usage_error "--workers 2000 is too many for thread" \
		scale range --size 100 --workers 1000,2000 --modes thread,async
}

# A million tasks in flight are accepted and give the checksum that a few
# workers with large chunks give for the same waits.
test_async_million_in_flight() {
	bench run sleep --size 20000 --max-ms 20 --workers 200 --chunk 100 \
		--mode async --repeat 1 --warmup 0 -q --no-save --format csv
	expect_rc 0
	_ref=$(csv_col out checksum)
	bench run sleep --size 20000 --max-ms 20 --workers 1000000 \
		--mode async --repeat 1 --warmup 0 -q --no-save --format csv
	expect_rc 0
	assert_eq "workers" 1000000 "$(csv_col out workers)"
	assert_eq "checksum with 1000000 tasks in flight" "$_ref" "$(csv_col out checksum)"
	assert_eq "verified" true "$(csv_col out verified)"
}

# Ctrl-C while a million timers wait (60 s each), early (perhaps while the
# input is prepared), once they are all armed, and later: status 130, one
# line, no output file, nothing left behind, and soon (20 s is generous:
# sanitizer builds on a loaded machine; it takes milliseconds).
test_sigint_async_million() {
	for _delay in 0 1 3; do
		start_bg "$BENCH" run sleep --size 1000000 --workers 1000000 \
			--max-ms 60000 --mode async -o out.json --format json
		wait_ready "$BG_PID"
		sleep "$_delay"
		kill -s INT "$BG_PID" || fail "bench was gone before SIGINT (after $_delay s)"
		wait_exit "$BG_WAIT" 20 ||
			fail "bench did not exit within 20 s of SIGINT (after $_delay s)"
		wait "$BG_WAIT"
		RC=$?
		BG_PID='' BG_WAIT=''
		expect_rc 130
		expect_empty out
		expect_nlines err 1
		expect_match err 'interrupted' "'interrupted'"
		[ ! -e out.json ] || fail "out.json was written (SIGINT after $_delay s)"
		no_temp_files
		expect_reaped
	done
}

lib_start "$@"
