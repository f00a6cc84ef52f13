#!/bin/sh
# test_python_timeit.sh BENCH - engine python in `bench timeit` and `bench
# complexity`, and alone in `bench run`: the Python version's loop is timed
# in the Python process and its answer checked against one native serial
# pass (a Python that computes something else is an error, not a timing);
# complexity fits the Python series of one engine; bad combinations are
# one-line usage errors.
# Behaviour only, never speed. Ends with "python-timeit: N passed, M failed".
set -u
SUITE="python-timeit"
SUITE_TIMEOUT=180
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
TESTS=
t() { TESTS="$TESTS $1"; }

# The checksum a timeit output ends its median line with.
checksum_of() { sed -n 's/.*; checksum \([0-9a-f]*\)$/\1/p' "$1"; }

t timeit_python_same_answer
test_timeit_python_same_answer() {
	need_python
	bench timeit hash --size 3000 --seed 5 --number 1 --repeat 1
	expect_rc 0
	_native=$(checksum_of out)
	[ -n "$_native" ] || fail "no checksum in native timeit's output: $(cat out)"
	bench timeit hash --size 3000 --seed 5 --engine python --number 2 --repeat 3
	expect_rc 0
	expect_match out '^hash in python \(serial, 3000 CPFs\): 2 loops, best of 3: .* per loop$' \
		"timeit's first line, labelled python"
	assert_eq "python's checksum" "$_native" "$(checksum_of out)"
	expect_match out "^note: python: .* \(GIL (on|off)\), .*; started in .* \(not timed\); its answer equals native serial's$" \
		"the interpreter note"
}

t timeit_python_modes
test_timeit_python_modes() {
	need_python
	for _m in thread process async; do
		bench timeit range --size 400 --engine python --mode "$_m" --workers 2 \
			--number 1 --repeat 2
		expect_rc 0
		expect_match out "^range in python \\($_m x2, 400 " "the $_m line"
	done
	# autorange: loops grow until one takes --min-time.
	bench timeit search --size 200 --queries 20 --engine python --min-time 0.01 --repeat 2
	expect_rc 0
	expect_match out '^search in python .*: [0-9]+ loops?, best of 2' "an autoranged loop count"
}

t timeit_python_wrong_answer
test_timeit_python_wrong_answer() {
	need_python
	# A Python whose sha256 hashes something else (bench sets the server's
	# PYTHONPATH, so a wrapper adds the patch): its checksum differs.
	mkdir site
	cat >site/sitecustomize.py <<'EOF'
import hashlib
_real = hashlib.sha256
hashlib.sha256 = lambda data=b"": _real(data + b"!")
EOF
	printf '#!/bin/sh\nPYTHONPATH=%s/site:$PYTHONPATH exec %s "$@"\n' "$PWD" "$PY" >py
	chmod +x py
	bench timeit hash --size 500 --engine python --python "$PWD/py" --number 1 --repeat 1
	expect_rc 1
	expect_nlines err 1
	expect_match err '^bench: checksum mismatch: engine python computed [0-9a-f]+, native serial [0-9a-f]+ on the same input$' \
		"the mismatch named"
	expect_empty out
}

# A run of engine python alone is still checked against native serial (one
# untimed pass), not only against its own first sample.
t python_alone_checked_against_native
test_python_alone_checked_against_native() {
	need_python
	mkdir site
	printf 'import hashlib\n_real = hashlib.sha256\nhashlib.sha256 = lambda data=b"": _real(data + b"!")\n' \
		>site/sitecustomize.py
	printf '#!/bin/sh\nPYTHONPATH=%s/site:$PYTHONPATH exec %s "$@"\n' "$PWD" "$PY" >py
	chmod +x py
	bench run hash --size 500 --engine python --python "$PWD/py" --mode serial,thread \
		--repeat 1 --warmup 0 --no-save -q
	expect_rc 1
	expect_match err '^bench: checksum mismatch on hash: native serial gave [0-9a-f]+ but (serial|thread)/python gave [0-9a-f]+$' \
		"the mismatch with native named"
	bench complexity hash --sizes 100,200,400 --engine python --repeat 1 --warmup 0 --no-save -q
	expect_rc 0
}

t timeit_python_usage
test_timeit_python_usage() {
	usage_error "--engine 'gbench': expected native or python" timeit hash --engine gbench
	usage_error "--engine is for a workload, not a C statement" timeit --engine python 'int x = 1;'
	usage_error "--python '': expected the path" timeit hash --engine python --python ''
}

t timeit_python_mode_it_lacks
test_timeit_python_mode_it_lacks() {
	need_python
	bench timeit hash --size 100 --engine python --mode spawn --number 1 --repeat 1
	[ "$RC" -ne 0 ] || fail "mode spawn in python succeeded"
	expect_nlines err 1
	expect_match err "engine python does not run mode spawn" "the mode named"
}

t timeit_python_missing
test_timeit_python_missing() {
	bench timeit hash --size 100 --engine python --python /nonexistent/python3
	expect_rc 1
	expect_nlines err 1
	expect_match err "cannot run '/nonexistent/python3'" "the interpreter named"
	expect_empty out
}

t complexity_python_fit
test_complexity_python_fit() {
	need_python
	bench complexity search --sizes 200,400,800,1600 --queries 50 --engine python \
		--repeat 2 --warmup 0 --no-save
	expect_rc 0
	expect_match out '^serial mode, engine python' "the engine in the table's heading"
	expect_match out '^best fit: O\(' "a fit"
	bench complexity search --sizes 200,400,800 --queries 50 --engine python \
		--repeat 1 --warmup 0 --no-save --format csv
	expect_rc 0
	_rows=$(grep -c ',true,python$' out)
	assert_eq "verified python rows" 3 "$_rows"
	expect_no_match out ',native$' "a native row"
}

t complexity_one_engine
test_complexity_one_engine() {
	usage_error "--engine 'native,python': expected one engine" \
		complexity search --sizes 1k,2k,4k --engine native,python
	usage_error "--engine 'bogus'" complexity search --sizes 1k,2k,4k --engine bogus
}

lib_start "$@"
