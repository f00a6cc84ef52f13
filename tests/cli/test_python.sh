#!/bin/sh
# test_python.sh BENCH - engine python: the course's workloads written in
# Python (python/bench_py) beside bench's C. Every workload's Python
# checksum must equal native's in every mode, for 3 seeds and 3 small
# sizes; the table, JSON and store carry the interpreter; `bench show
# --engine python` prints native's lines; a missing interpreter is one
# clear line and leaves the other engines working; Ctrl-C reaps the
# server and its pool workers. Behaviour only, never speed. Ends with
# "python: N passed, M failed".
set -u
SUITE="python"
SUITE_TIMEOUT=240
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
TESTS=
t() { TESTS="$TESTS $1"; }

SEEDS="1 7 123456789"

# The interpreter the engine picks by default, or a skip.
need_python() {
	[ -x /usr/bin/python3 ] || command -v python3 >/dev/null 2>&1 ||
		skip "no python3"
}

# agree WORKLOAD "SIZES" [ARGS...]: for each seed and size, one run of
# every mode in both engines; every row verified (the harness compares
# each sample's checksum with the first of its size, native serial's).
agree() {
	need_python
	_wl=$1
	_sizes=$2
	shift 2
	for _seed in $SEEDS; do
		for _size in $_sizes; do
			bench run "$_wl" --size "$_size" --seed "$_seed" "$@" \
				--mode serial,thread,process,async --workers 2 \
				--engine native,python --repeat 1 --warmup 0 -q \
				--no-save --format csv
			expect_rc 0
			_rows=$(grep -c ',true,python$' out)
			assert_eq "$_wl size $_size seed $_seed: verified python rows" 4 "$_rows"
			_rows=$(grep -c ',true,native$' out)
			assert_eq "$_wl size $_size seed $_seed: verified native rows" 4 "$_rows"
			_sums=$(csv_col out checksum | sort -u | wc -l)
			assert_eq "$_wl size $_size seed $_seed: distinct checksums" 1 "$_sums"
		done
	done
}

test_hash_agrees() { agree hash "1 7 1000"; }
test_hash_agrees_uneven_chunks() {
	agree hash 100 --chunk 7
}
test_search_agrees() { agree search "1 10 500" --queries 50; }
test_range_agrees() { agree range "1 13 1000"; }
test_sleep_agrees() { agree sleep "2 5 9" --max-ms 3; }
test_graph_agrees() { agree graph "1 3 5" --max-ms 1; }

test_table_rows_and_notes() {
	need_python
	bench run hash --size 2000 --engine native,python --workers 2 --repeat 2 \
		--warmup 0 --no-save
	expect_rc 0
	for _m in serial thread process async; do
		expect_match out "^$_m +[0-9]" "a native $_m row"
		expect_match out "^$_m/python +[0-9]" "a $_m/python row"
	done
	expect_match out '^note: python: [A-Za-z]+ [0-9]+\.[0-9]+.* \(GIL (on|off)\), .*; started in .* \(not timed\)$' \
		"the interpreter and its start-up"
	expect_match out '^note: python against native serial: serial/python [0-9.]+x, thread/python x2 [0-9.]+x' \
		"speedups against native serial"
}

test_json_context_and_store() {
	need_python
	bench run range --size 500 --mode serial,thread --engine native,python \
		--repeat 2 --warmup 0 -q --results s.db --format json
	expect_rc 0
	mv out run.json
	json_flat run.json >flat.txt
	flat flat.txt context.python.version >/dev/null
	expect_match flat.txt '^context\.python\.gil=(true|false)$' "context.python.gil"
	expect_match flat.txt '^context\.python\.implementation=' "context.python.implementation"
	expect_match flat.txt '^context\.python\.startup_ns=[0-9]+$' "context.python.startup_ns"
	expect_match flat.txt '^results\.[0-9]+\.engine=python$' "a python result"
	# The stored run keeps it.
	bench report latest --results s.db --format json
	expect_rc 0
	mv out stored.json
	json_flat stored.json >stored.txt
	expect_match stored.txt '^context\.python\.version=' "the stored context.python"
}

test_show_same_lines() {
	need_python
	for _wl in hash search range sleep graph; do
		for _seed in 1 9; do
			"$BENCH" show "$_wl" --size 8 --seed "$_seed" >native.txt 2>&1 ||
				fail "bench show $_wl failed: $(cat native.txt)"
			bench show "$_wl" --size 8 --seed "$_seed" --engine python
			expect_rc 0
			cmp -s native.txt out ||
				fail "bench show $_wl --seed $_seed --engine python differs: $(diff native.txt out | head -5)"
		done
	done
}

test_missing_python() {
	bench run range --size 500 --engine native,python --python /nonexistent/python3 --no-save
	expect_rc 1
	expect_nlines err 1
	expect_match err "^bench: engine python: cannot run '/nonexistent/python3'.*--python PATH or BENCH_PYTHON" \
		"a message naming the interpreter and the way to name another"
	expect_empty out
	BENCH_PYTHON=/nonexistent/python3 run "$BENCH" show hash --engine python
	expect_rc 1
	expect_nlines err 1
	expect_match err "cannot run '/nonexistent/python3'" "BENCH_PYTHON's interpreter named"
	# Every other engine works without it.
	BENCH_PYTHON=/nonexistent/python3 run "$BENCH" run range --size 500 --repeat 2 \
		--warmup 0 -q --no-save --engine native,gbench --mode serial --format csv
	expect_rc 0
	expect_match out ',true,native$' "a native row"
}

test_python_that_fails() {
	need_python
	bench run range --size 500 --engine python --mode serial --python /bin/false --no-save
	expect_rc 1
	expect_nlines err 1
	expect_match err '^bench: engine python: /bin/false exited with status 1' "how the interpreter ended"
}

test_workload_without_python_version() {
	need_python
	bench run events --size 100 --engine python --mode serial --repeat 1 --warmup 0 --no-save
	expect_rc 2
	expect_nlines err 1
	expect_match err "engine python has no workload 'events'" "the workload named"
}

test_gil_points_at_the_real_one() {
	need_python
	bench run range --size 1000 --mode serial,thread --gil --repeat 1 --warmup 0 --no-save
	expect_rc 0
	expect_match out '^note: --gil simulates .*--engine native,python' "the note on the real GIL"
	BENCH_PYTHON=/nonexistent/python3 run "$BENCH" run range --size 1000 --mode serial,thread \
		--gil --repeat 1 --warmup 0 --no-save
	expect_rc 0
	expect_no_match out '--engine native,python' "the note without a Python"
}

test_bad_show_engine() {
	bench show hash --engine bogus
	expect_rc 2
	expect_nlines err 1
	expect_match err "--engine 'bogus'" "the engine named"
}

test_all_excludes_python() {
	bench run range --size 500 --mode serial --engine all --repeat 1 --warmup 0 -q \
		--no-save --format csv
	# gbench or hyperfine may be missing here; python must not be asked for.
	expect_no_match out ',python$' "a python row"
}

test_scale_draws_both() {
	need_python
	bench scale hash --size 2000 --engine native,python --workers 1,2 \
		--repeat 1 --warmup 0 -q --no-save --format csv
	expect_rc 0
	for _m in thread process; do
		expect_match out "^hash,$_m,2,.*,true,python$" "a $_m/python x2 row"
		expect_match out "^hash,$_m,2,.*,true,native$" "a native $_m x2 row"
	done
}

# Ctrl-C while the python server's process pool works: status 130, one
# line, no output file, the server and its workers reaped.
test_sigint_python_process() {
	need_python
	start_bg "$BENCH" run sleep --size 200 --max-ms 50 --workers 4 \
		--mode process --engine python -o out.json --format json
	wait_ready "$BG_PID"
	_i=0
	_kids=
	while [ "$_i" -lt 200 ]; do
		_server=$(children "$BG_PID")
		for _p in $_server; do
			_kids="$_server $(children "$_p")"
		done
		case $_kids in *[0-9]" "*[0-9]*) break ;; esac
		sleep 0.05
		_i=$((_i + 1))
	done
	[ -n "$_kids" ] || fail "no python server seen in 10 s"
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

t hash_agrees
t hash_agrees_uneven_chunks
t search_agrees
t range_agrees
t sleep_agrees
t graph_agrees
t table_rows_and_notes
t json_context_and_store
t show_same_lines
t missing_python
t python_that_fails
t workload_without_python_version
t gil_points_at_the_real_one
t bad_show_engine
t all_excludes_python
t scale_draws_both
t sigint_python_process

lib_start "$@"
