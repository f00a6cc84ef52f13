#!/bin/sh
# test_engine.sh BENCH - the engines that cross-check bench's own timing
# (gbench, hyperfine) and the results store's schema migration. Each test
# runs in a fresh temporary folder under a time limit; ends with
# "engine: N passed, M failed".
set -u
SUITE="engine"
SUITE_TIMEOUT=120
TESTS_FAIL_ON_RETURN=1
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
TESTS=
t() { TESTS="$TESTS $1"; }

# small ARGS...: a quick run (bench run ARGS with a small input).
small() { "$BENCH" run "$@" --size 20000 --repeat 3 --warmup 0 -q; }

skip_unless() { has "$1" || skip "$1 is not installed"; }

test_engines_agree() {
	skip_unless hyperfine
	small hash --mode serial,thread --engine all --no-save --format csv > out.csv || return 1
	rows=$(grep -c ',true,' out.csv)
	[ "$rows" = 6 ] || { echo "expected 6 verified rows, got $rows"; cat out.csv; return 1; }
	sums=$(cut -d, -f22 out.csv | sed 1d | sort -u | wc -l)
	[ "$sums" = 1 ] || { echo "checksums differ across engines"; cat out.csv; return 1; }
	for e in native gbench hyperfine; do
		grep -q ",$e\$" out.csv || { echo "no $e row"; return 1; }
	done
}

test_engines_table_and_json() {
	skip_unless hyperfine
	small range --mode serial --engine native,gbench,hyperfine --no-save > t.txt || return 1
	for l in 'serial ' serial/gbench serial/hyperfine; do
		grep -q "^$l" t.txt || { echo "table lacks $l"; cat t.txt; return 1; }
	done
	small range --mode serial --engine gbench --no-save --format json > t.json || return 1
	grep -q '"engine": "gbench"' t.json || { echo "JSON lacks the engine"; return 1; }
}

test_engines_stored_and_compared() {
	small range --mode serial --engine native,gbench --results s.db 2>/dev/null >/dev/null || return 1
	small range --mode serial --engine native,gbench --results s.db 2>/dev/null >/dev/null || return 1
	out=$("$BENCH" compare 1 2 --results s.db) || { echo "$out"; return 1; }
	echo "$out" | grep -q '^serial/gbench x1' || { echo "compare lacks the gbench row"; echo "$out"; return 1; }
	"$BENCH" report 2 --results s.db --format csv | grep -q ',gbench$' || return 1
}

test_bad_engine() {
	out=$("$BENCH" run range --engine bogus 2>&1 >/dev/null)
	status=$?
	[ "$status" = 2 ] || { echo "exit $status"; return 1; }
	if [ "$(echo "$out" | wc -l)" != 1 ] || ! echo "$out" | grep -q -- "--engine 'bogus'"; then
		echo "$out"
		return 1
	fi
	"$BENCH" run range --engine native,native 2>/dev/null
	[ $? = 2 ] || return 1
}

test_hyperfine_missing() {
	mkdir bin
	for tool in sh cc; do ln -s "$(command -v $tool)" bin/ 2>/dev/null; done
	out=$(PATH="$(pwd)/bin" "$BENCH" run range --size 20000 --repeat 3 --warmup 0 -q --mode serial --engine hyperfine --no-save 2>&1 >/dev/null)
	status=$?
	[ "$status" = 1 ] || { echo "exit $status: $out"; return 1; }
	echo "$out" | grep -q 'hyperfine is not installed' || { echo "$out"; return 1; }
}

test_store_migrates_v1() {
	skip_unless python3
	small range --mode serial --results s.db >/dev/null 2>&1 || return 1
	python3 - <<'PY' || return 1
import sqlite3
db = sqlite3.connect("s.db")
db.execute("ALTER TABLE results DROP COLUMN engine")
db.execute("PRAGMA user_version = 1")
db.commit()
PY
	"$BENCH" history --results s.db >/dev/null || return 1
	small range --mode serial --engine gbench --results s.db >/dev/null 2>&1 || return 1
	python3 - <<'PY' || return 1
import sqlite3
db = sqlite3.connect("s.db")
v = db.execute("PRAGMA user_version").fetchone()[0]
rows = db.execute("SELECT run_id, engine FROM results ORDER BY run_id").fetchall()
assert v == 2, v
assert rows == [(1, "native"), (2, "gbench")], rows
PY
}

t engines_agree
t engines_table_and_json
t engines_stored_and_compared
t bad_engine
t hyperfine_missing
t store_migrates_v1

lib_start "$@"
