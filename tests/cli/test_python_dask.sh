#!/bin/sh
# test_python_dask.sh BENCH - mode dask of engine python: the course's
# dask.delayed (python/bench_py/modes/dask_mode.py), on Dask's threaded
# scheduler. The graph in mode dask must give native serial's checksum for
# 3 seeds and 3 sizes, and every other workload (dask.delayed over its
# chunks) too; the native engines refuse the mode in one line before any
# sampling, runs of several engines give it to python alone, and no
# default or `all` run asks for it; without Dask it is one clear line and
# the other modes still run. Behaviour only, never speed. Ends with
# "python_dask: N passed, M failed".
set -u
SUITE="python_dask"
SUITE_TIMEOUT=240
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
TESTS=
t() { TESTS="$TESTS $1"; }

SEEDS="1 7 123456789"
REFUSED="--mode dask runs only in engine python: add --engine python"

need_dask() {
	need_python
	"$PY" -c 'import dask' 2>/dev/null || skip "no Dask (apt-get install python3-dask)"
}

# An interpreter that cannot import dask: a dask.py that raises
# ImportError comes first on its path (bench sets PYTHONPATH for the
# package; the wrapper puts the blocker before it).
no_dask_python() {
	mkdir -p nodask
	echo 'raise ImportError("No module named '"'dask'"'")' >nodask/dask.py
	cat >nodask/python3 <<EOF
#!/bin/sh
PYTHONPATH=$(pwd)/nodask\${PYTHONPATH:+:\$PYTHONPATH} exec $PY "\$@"
EOF
	chmod +x nodask/python3
}

# dask_agrees WORKLOAD "SIZES" [ARGS...]: for each seed and size, native
# serial beside python serial and dask; every row verified (the harness
# compares each sample's checksum with native serial's), one checksum.
dask_agrees() {
	need_dask
	_wl=$1
	_sizes=$2
	shift 2
	for _seed in $SEEDS; do
		for _size in $_sizes; do
			bench run "$_wl" --size "$_size" --seed "$_seed" "$@" \
				--mode serial,dask --workers 2 --engine native,python \
				--repeat 1 --warmup 0 -q --no-save --format csv
			expect_rc 0
			_rows=$(grep -c "^$_wl,dask,2,.*,true,python\$" out)
			assert_eq "$_wl size $_size seed $_seed: verified dask/python rows" 1 "$_rows"
			_rows=$(grep -c ',true,native$' out)
			assert_eq "$_wl size $_size seed $_seed: verified native rows (serial alone)" 1 "$_rows"
			_rows=$(grep -c ',true,python$' out)
			assert_eq "$_wl size $_size seed $_seed: verified python rows" 2 "$_rows"
			_sums=$(csv_col out checksum | sort -u | wc -l)
			assert_eq "$_wl size $_size seed $_seed: distinct checksums" 1 "$_sums"
		done
	done
}

test_graph_agrees() { dask_agrees graph "1 4 9" --max-ms 1; }

# Other workloads: one delayed task a chunk, then a delayed merge.
test_chunks_agree() {
	SEEDS=3
	dask_agrees hash "7 100" --chunk 7
	dask_agrees search 50 --queries 20 --chunk 3
	dask_agrees range 130 --chunk 11
	dask_agrees sleep 9 --max-ms 2
}

test_native_refused() {
	usage_error "^bench run: $REFUSED" run graph --mode dask --results s.db
	[ ! -e s.db ] || fail "the store was created: refused after starting"
	usage_error "$REFUSED" run graph --mode serial,dask --engine native,gbench --no-save
	usage_error "$REFUSED" run hash --mode dask --engine all --no-save
	usage_error "^bench scale: $REFUSED" scale graph --mode dask --workers 1,2 --no-save
}

test_not_a_default_mode() {
	bench list
	expect_rc 0
	expect_match out '^  dask +the course.s dask\.delayed.*engine python only' "dask and its summary"
	bench run range --size 40 --repeat 1 --warmup 0 -q --no-save --format csv
	expect_rc 0
	expect_no_match out '^range,dask,' "a dask row in a default run"
	bench run range --size 40 --mode all --repeat 1 --warmup 0 -q --no-save --format csv
	expect_rc 0
	expect_no_match out '^range,dask,' "a dask row in --mode all"
	need_python
	no_dask_python
	# Neither asks engine python for it (it would fail without Dask).
	bench run range --size 40 --mode all --engine native,python --python nodask/python3 \
		--repeat 1 --warmup 0 -q --no-save --format csv
	expect_rc 0
	expect_no_match out '^range,dask,' "a dask row in --mode all --engine native,python"
	expect_match out '^range,thread,.*,true,python$' "a thread/python row"
}

test_modes_together() {
	need_dask
	bench run graph --engine python --mode serial,thread,dask --size 6 --max-ms 2 \
		--workers 2 --repeat 1 --warmup 0 -q --no-save --format csv
	expect_rc 0
	for _m in serial thread dask; do
		expect_match out "^graph,$_m,.*,true,python\$" "a verified $_m/python row"
	done
	_sums=$(csv_col out checksum | sort -u | wc -l)
	assert_eq "distinct checksums" 1 "$_sums"
	# With native beside it: every mode in both engines but dask.
	bench run graph --engine native,python --mode serial,thread,dask --size 6 --max-ms 2 \
		--workers 2 --repeat 1 --warmup 0 --no-save
	expect_rc 0
	expect_match out '^dask/python +2 ' "a dask/python row in the table"
	expect_match out '^thread +2 ' "a native thread row"
	expect_no_match out '^dask +' "a native dask row"
}

test_scale() {
	need_dask
	bench scale graph --engine python --mode dask --workers 1,2 --size 6 --max-ms 2 \
		--repeat 1 --warmup 0 -q --no-save --format csv
	expect_rc 0
	for _w in 1 2; do
		expect_match out "^graph,dask,$_w,.*,true,python\$" "a verified dask/python x$_w row"
	done
	expect_match out '^graph,serial,1,.*,true,python$' "python serial, the baseline"
	bench scale graph --engine native,python --mode thread,dask --workers 1,2 --size 6 \
		--max-ms 2 --repeat 1 --warmup 0 -q --no-save --format csv
	expect_rc 0
	expect_match out '^graph,thread,2,.*,true,native$' "a native thread x2 row"
	expect_match out '^graph,dask,2,.*,true,python$' "a dask/python x2 row"
	expect_no_match out '^graph,dask,.*,native$' "a native dask row"
}

test_missing_dask() {
	need_python
	no_dask_python
	bench run graph --engine python --mode serial,dask --size 3 --max-ms 1 --repeat 1 \
		--warmup 0 --no-save --python nodask/python3
	expect_rc 1
	expect_empty out
	expect_nlines err 1
	expect_match err "mode dask needs Dask.*apt-get install python3-dask" \
		"what is missing and how to get it"
	expect_no_match err 'Traceback|ImportError:' "a traceback"
	# The server starts and runs the other modes without Dask.
	BENCH_PYTHON=nodask/python3 run "$BENCH" run graph --engine python --mode serial,thread \
		--size 3 --max-ms 1 --repeat 1 --warmup 0 -q --no-save --format csv
	expect_rc 0
	expect_match out '^graph,thread,.*,true,python$' "a thread/python row without Dask"
}

t graph_agrees
t chunks_agree
t native_refused
t not_a_default_mode
t modes_together
t scale
t missing_dask

lib_start "$@"
