#!/bin/sh
# test_compare_import.sh - `bench compare` and `bench report` on other
# tools' timings: Google Benchmark's JSON output and hyperfine's
# --export-json, run the way a user runs them.
#
# usage: tests/cli/test_compare_import.sh PATH/TO/bench [TEST...]
#
# Same runner as test_store.sh (lib.sh): one function per test, each in
# its own process and temporary folder. The design choices to know:
# - Verdicts and p-values are tested on fixture files the tests write
#   (heredocs and printf), so they hold on any machine and need neither
#   tool. The expected p-values are what scipy.stats.mannwhitneyu
#   (two-sided, method "auto"), which Google Benchmark's compare.py calls,
#   gives for those samples, written down as numbers.
# - The live tests build a tiny Google Benchmark program and run hyperfine
#   when they are installed (else they skip), and check only what does
#   not depend on timing: the format is read, every benchmark matched,
#   and bench's p equals, within 0.01, the one computed from the same
#   samples by scipy, or without scipy by the reference implementation of
#   scipy's rule below (exact U distribution when a sample has 8 values
#   or fewer and nothing ties, else the normal approximation with tie and
#   continuity correction).

set -u
SUITE="compare_import"
. "$(dirname "$0")/lib.sh"

TESTS=
t() { TESTS="$TESTS $1"; }

t gbench_verdicts
t gbench_p_values
t gbench_aggregates_ignored
t gbench_aggregates_only
t gbench_fail_above
t gbench_report_formats
t gbench_live
t gbench_export_round_trip
t hyperfine_by_command
t hyperfine_by_position
t hyperfine_live
t not_a_known_format
t malformed_gbench
t mixed_formats

# ---------------------------------------------------------------------------
# Helpers

runtime_error() { # ERE WHAT
	expect_rc 1
	expect_empty out
	expect_match err "$1" "$2"
	expect_match err "^bench( [a-z]+)?: " "a 'bench: ' prefix"
	expect_nlines err 1
}

# One Google Benchmark row per value: repetitions of NAME in UNIT
# (real_time the value, cpu_time 0.9 of it), each followed by a comma.
gb_reps() { # NAME UNIT VALUE...
	_name=$1 _unit=$2
	shift 2
	_i=0
	for _v in "$@"; do
		printf '{"name": "%s", "run_name": "%s", "run_type": "iteration", "repetitions": %d, "repetition_index": %d, "threads": 1, "iterations": 1000, "real_time": %s, "cpu_time": %s, "time_unit": "%s"},\n' \
			"$_name" "$_name" $# $_i "$_v" "$(awk "BEGIN { print $_v * 0.9 }")" "$_unit"
		_i=$((_i + 1))
	done
}

# An aggregate row of NAME (mean, median, stddev or cv) with VALUE.
gb_agg() { # NAME AGG VALUE
	printf '{"name": "%s_%s", "run_name": "%s", "run_type": "aggregate", "repetitions": 9, "threads": 1, "aggregate_name": "%s", "iterations": 9, "real_time": %s, "cpu_time": %s, "time_unit": "ns"},\n' \
		"$1" "$2" "$1" "$2" "$3" "$3"
}

# A Google Benchmark document around the rows on stdin (the last comma
# dropped), as --benchmark_out_format=json writes it.
gb_doc() { # FILE
	{
		cat <<'EOF'
{
  "context": {"date": "2024-05-01T10:00:00+00:00", "host_name": "fixture",
              "executable": "./bm", "num_cpus": 2, "mhz_per_cpu": 2000,
              "cpu_scaling_enabled": false, "library_build_type": "release"},
  "benchmarks": [
EOF
		sed '$ s/,$//'
		echo ']}'
	} >"$1"
}

# The row of benchmark NAME in compare's or report's table (stdout).
row() { # NAME
	grep -E "^$1 " out || fail "no row for $1 in the output"
}

# The p(time) and p(cpu) columns of NAME's compare row.
p_time() { row "$1" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /%$/) { print $(i + 2); exit } }'; }
p_cpu() { row "$1" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /%$/) { print $(i + 3); exit } }'; }

# Writes the two fixture files A.json and B.json, 9 repetitions each.
#   BM_Same     the same values in another order: no difference, p = 1
#   BM_Slower   every B repetition twice its A: p = 0.000412 (9 vs 9:
#               normal approximation, U = 81, z = 40 / sqrt(81 * 19 / 12))
#   BM_Faster   B mostly below A with overlap: U = 69 of 81, p = 0.008071
#   BM_Micro    in us in A and ns in B, the same times: p = 1
#   BM_OnlyA, BM_OnlyB, and an errored benchmark in both
fixtures() {
	{
		gb_reps BM_Same ns 100 101 102 103 104 105 106 107 108
		gb_agg BM_Same mean 104
		gb_agg BM_Same median 104
		gb_agg BM_Same stddev 2.7
		gb_agg BM_Same cv 0.026
		gb_reps BM_Slower ns 100 101 102 103 104 105 106 107 108
		gb_reps BM_Faster ns 100 101 102 103 104 105 106 107 108
		gb_reps BM_Micro us 1.5 1.6 1.7 1.8 1.9 2.0 2.1 2.2 2.3
		gb_reps BM_OnlyA ns 5 5 5
		echo '{"name": "BM_Broken", "run_name": "BM_Broken", "run_type": "iteration", "error_occurred": true, "error_message": "no input", "iterations": 0, "real_time": 0, "cpu_time": 0, "time_unit": "ns"},'
	} | gb_doc A.json
	{
		gb_reps BM_Same ns 108 107 106 105 104 103 102 101 100
		gb_agg BM_Same mean 104
		gb_reps BM_Slower ns 200 202 204 206 208 210 212 214 216
		gb_reps BM_Faster ns 95 96 97 98 99 100.5 101.5 102.5 103.5
		gb_reps BM_Micro ns 1500 1600 1700 1800 1900 2000 2100 2200 2300
		gb_reps BM_OnlyB ns 5 5 5
		echo '{"name": "BM_Broken", "run_name": "BM_Broken", "run_type": "iteration", "error_occurred": true, "error_message": "no input", "iterations": 0, "real_time": 0, "cpu_time": 0, "time_unit": "ns"},'
	} | gb_doc B.json
}

# scipy.stats.mannwhitneyu's two-sided p for two JSON lists of numbers,
# from scipy when it is installed, else from the reference below.
mwu_p() { # X_JSON Y_JSON
	python3 - "$1" "$2" <<'EOF'
import json, math, sys
from functools import lru_cache

def reference(x, y):
    n1, n2 = len(x), len(y)
    pooled = sorted(x + y)
    rank, i = {}, 0
    while i < len(pooled):
        j = i
        while j < len(pooled) and pooled[j] == pooled[i]:
            j += 1
        rank[pooled[i]] = (i + 1 + j) / 2
        i = j
    u1 = sum(rank[v] for v in x) - n1 * (n1 + 1) / 2
    u = max(u1, n1 * n2 - u1)
    groups = {}
    for v in pooled:
        groups[v] = groups.get(v, 0) + 1
    ties = any(c > 1 for c in groups.values())
    if (n1 > 8 and n2 > 8) or ties:
        n = n1 + n2
        tt = sum(c ** 3 - c for c in groups.values())
        sd = math.sqrt(n1 * n2 / 12 * ((n + 1) - tt / (n * (n - 1))))
        return min(1.0, math.erfc((u - n1 * n2 / 2 - 0.5) / sd / math.sqrt(2)))

    @lru_cache(None)
    def count(m, n, k):  # arrangements of m x and n y with U = k
        if k < 0:
            return 0
        if m == 0 or n == 0:
            return 1 if k == 0 else 0
        return count(m - 1, n, k - n) + count(m, n - 1, k)
    total = math.comb(n1 + n2, n1)
    upper = sum(count(n1, n2, k) for k in range(int(u), n1 * n2 + 1))
    return min(1.0, 2 * upper / total)

x, y = json.loads(sys.argv[1]), json.loads(sys.argv[2])
try:
    from scipy.stats import mannwhitneyu
    print("%.6f scipy" % mannwhitneyu(x, y, alternative="two-sided").pvalue)
except ImportError:
    print("%.6f reference" % reference(x, y))
EOF
}

# Asserts |A - B| <= 0.01.
p_close() { # WHAT A B
	awk -v a="$2" -v b="$3" 'BEGIN { d = a - b; exit !(d <= 0.01 && d >= -0.01) }' ||
		fail "$1: p $2 from bench, $3 expected (within 0.01)"
}

# ---------------------------------------------------------------------------
# Google Benchmark

test_gbench_verdicts() {
	fixtures
	bench compare A.json B.json
	expect_rc 0
	expect_match out "^Google Benchmark JSON: A = A\.json, B = B\.json" "the format and both files named"
	row BM_Same | grep -q "no significant difference" || fail "BM_Same: expected no significant difference"
	row BM_Slower | grep -q " slower" || fail "BM_Slower: expected slower"
	row BM_Slower | grep -q "+100.0%" || fail "BM_Slower: expected a change of +100.0%"
	row BM_Faster | grep -q " faster" || fail "BM_Faster: expected faster"
	row BM_Micro | grep -q "no significant difference" || fail "BM_Micro: us and ns are the same times"
	row BM_OnlyB | grep -q "only in B" || fail "BM_OnlyB: expected 'only in B'"
	row BM_OnlyA | grep -q "only in A" || fail "BM_OnlyA: expected 'only in A'"
	expect_no_match out "BM_Broken" "the errored benchmark left out"
	expect_empty err
}

test_gbench_p_values() {
	fixtures
	bench compare A.json B.json
	expect_rc 0
	assert_eq "BM_Same p(time)" 1.0000 "$(p_time BM_Same)"
	# Both samples above 8 values: compare.py's scipy uses the normal
	# approximation (the exact distribution would give 2 / C(18, 9) =
	# 0.000041 here).
	assert_eq "BM_Slower p(time)" 0.0004 "$(p_time BM_Slower)"
	assert_eq "BM_Slower p(cpu)" 0.0004 "$(p_cpu BM_Slower)"
	assert_eq "BM_Faster p(time)" 0.0081 "$(p_time BM_Faster)"
	assert_eq "BM_Micro p(time)" 1.0000 "$(p_time BM_Micro)"
	if has python3; then
		exp=$(mwu_p '[100,101,102,103,104,105,106,107,108]' '[95,96,97,98,99,100.5,101.5,102.5,103.5]')
		note "BM_Faster: bench $(p_time BM_Faster), ${exp#* } ${exp% *}"
		p_close BM_Faster "$(p_time BM_Faster)" "${exp% *}"
	fi
}

test_gbench_aggregates_ignored() {
	# Aggregates that contradict the repetitions: if they were samples,
	# BM_X would be 1000 times slower.
	{
		gb_reps BM_X ns 10 11 12 13 14 15 16 17 18
		gb_agg BM_X mean 14
		gb_agg BM_X median 14
	} | gb_doc A.json
	{
		gb_reps BM_X ns 18 17 16 15 14 13 12 11 10
		gb_agg BM_X mean 14000
		gb_agg BM_X median 14000
		gb_agg BM_X stddev 9000
	} | gb_doc B.json
	bench compare A.json B.json
	expect_rc 0
	row BM_X | grep -q "no significant difference" || fail "BM_X: aggregates were taken for samples"
	bench report B.json
	expect_rc 0
	row BM_X | grep -qE "^BM_X +9 " || fail "BM_X: expected 9 samples (the repetitions only)"
}

test_gbench_aggregates_only() {
	# --benchmark_report_aggregates_only: the mean is all there is.
	{ gb_agg BM_Y mean 100; gb_agg BM_Y median 99; gb_agg BM_Y stddev 1; } | gb_doc A.json
	{ gb_agg BM_Y mean 150; gb_agg BM_Y median 149; gb_agg BM_Y stddev 1; } | gb_doc B.json
	bench compare A.json B.json
	expect_rc 0
	row BM_Y | grep -q "no U test" || fail "BM_Y: one value a side allows no U test"
	row BM_Y | grep -q "+50.0%" || fail "BM_Y: expected the change of the means, +50.0%"
	row BM_Y | grep -q "aggregates only" || fail "BM_Y: expected the 'aggregates only' note"
}

test_gbench_fail_above() {
	fixtures
	bench compare A.json B.json --fail-above 5%
	expect_rc 1
	expect_match err "1 benchmark is slower by more than 5\.0%" "the regression counted"
	expect_match out "BM_Slower" "the table printed"
	bench compare A.json A.json --fail-above 5%
	expect_rc 0
}

test_gbench_report_formats() {
	fixtures
	bench report A.json
	expect_rc 0
	expect_match out "^Google Benchmark JSON: A\.json" "the format named"
	row BM_Micro | grep -qE "^BM_Micro +9 +1\.900 us" || fail "BM_Micro: expected 9 samples, median 1.900 us"
	row BM_OnlyA | grep -qE "^BM_OnlyA +3 " || fail "BM_OnlyA: expected 3 samples"
	bench report A.json --format csv
	expect_rc 0
	expect_match out "^benchmark,samples,median_ns," "a CSV header"
	expect_match out "^BM_Micro,9,1900," "BM_Micro's median in ns"
	bench report A.json --format json -o r.json
	expect_rc 0
	if has python3; then
		python3 -c 'import json,sys; d=json.load(open("r.json")); assert d["benchmarks"][0]["name"] == "BM_Same", d' ||
			fail "report --format json: not the expected JSON"
	fi
	bench report A.json --format markdown
	expect_rc 0
	expect_match out "^\| BM_Same \| 9 \|" "a Markdown row"
}

test_gbench_live() {
	has g++ || skip "g++ not found"
	cat >bm.cc <<'EOF'
#include <benchmark/benchmark.h>
#include <cstdlib>
// BM_Work does LOOPS additions; the two runs compare LOOPS=2000 with 2400.
static void BM_Work(benchmark::State &state) {
	long n = std::atol(std::getenv("LOOPS")), sum = 0;
	for (auto _ : state)
		for (long i = 0; i < n; i++)
			benchmark::DoNotOptimize(sum += i);
}
BENCHMARK(BM_Work);
static void BM_Empty(benchmark::State &state) {
	for (auto _ : state)
		benchmark::ClobberMemory();
}
BENCHMARK(BM_Empty);
BENCHMARK_MAIN();
EOF
	g++ -O2 bm.cc -o bm -lbenchmark -lpthread 2>cc.err ||
		skip "Google Benchmark not installed: $(head -n 1 cc.err)"
	for loops in 2000 2400; do
		LOOPS=$loops ./bm --benchmark_repetitions=9 --benchmark_min_time=0.01 \
			--benchmark_out=gb$loops.json --benchmark_out_format=json \
			>/dev/null 2>bm.err || fail "./bm failed: $(head -n 1 bm.err)"
	done
	bench compare gb2000.json gb2400.json
	expect_rc 0
	for name in BM_Work BM_Empty; do
		row $name | grep -qE "(no significant difference|slower|faster)" ||
			fail "$name: expected a verdict"
	done
	has python3 || return 0
	for name in BM_Work BM_Empty; do
		for field in real_time cpu_time; do
			set -- $(python3 - "$name" "$field" <<'EOF'
import json, sys
for f in ("gb2000.json", "gb2400.json"):
    rows = json.load(open(f))["benchmarks"]
    print(json.dumps([r[sys.argv[2]] for r in rows
                      if r["run_name"] == sys.argv[1] and r["run_type"] == "iteration"]).replace(" ", ""))
EOF
)
			exp=$(mwu_p "$1" "$2")
			if [ $field = real_time ]; then got=$(p_time $name); else got=$(p_cpu $name); fi
			note "$name $field: bench p $got, ${exp#* } p ${exp% *}"
			p_close "$name $field" "$got" "${exp% *}"
		done
	done
}

test_gbench_export_round_trip() {
	# bench's own Google Benchmark export reads back as one: repetitions
	# as samples, the same benchmarks, no difference with itself.
	bench run range --size 2000 --repeat 6 --warmup 0 -q --no-save \
		--mode serial --format json -o r.json
	expect_rc 0
	bench plot r.json --format gbench -o g.json
	expect_rc 0
	bench report g.json
	expect_rc 0
	row "range/serial/workers:1/size:2000" | grep -qE " 6 " ||
		fail "expected the 6 repetitions as samples"
	bench compare g.json g.json
	expect_rc 0
	row "range/serial/workers:1/size:2000" | grep -q "no significant difference" ||
		fail "a file compared with itself: expected no significant difference"
	bench compare r.json g.json
	runtime_error "r\.json \(bench result\) and g\.json \(Google Benchmark JSON\)" \
		"an error naming both formats"
}

# ---------------------------------------------------------------------------
# hyperfine

# A hyperfine export of commands, each followed by its times in seconds:
# "CMD" t1 t2 ... -- "CMD2" ...
hf_doc() { # FILE CMD TIME... [-- CMD TIME...]
	_f=$1
	shift
	{
		printf '{"results": ['
		_sep=
		while [ $# -gt 0 ]; do
			printf '%s{"command": "%s", "mean": 0, "stddev": 0, "median": 0, "user": 0.001, "system": 0.001, "min": 0, "max": 0, "times": [' "$_sep" "$1"
			shift
			_s=
			while [ $# -gt 0 ] && [ "$1" != -- ]; do
				printf '%s%s' "$_s" "$1"
				_s=,
				shift
			done
			[ $# -gt 0 ] && shift
			printf '], "exit_codes": [0]}'
			_sep=,
		done
		printf ']}\n'
	} >"$_f"
}

test_hyperfine_by_command() {
	# 5 vs 5 values without ties: scipy's exact distribution.
	#   ./a: 2 of 252 arrangements as extreme: p = 0.0079, slower
	#   ./b: U = 22 of 25, p = 0.0556: no significant difference
	hf_doc A.json ./a 0.010 0.011 0.012 0.013 0.014 -- ./b 0.010 0.011 0.012 0.013 0.014
	hf_doc B.json ./b 0.0125 0.0135 0.0145 0.0155 0.0165 -- ./a 0.020 0.021 0.022 0.023 0.024
	bench compare A.json B.json
	expect_rc 0
	expect_match out "^hyperfine export: A = A\.json, B = B\.json" "the format named"
	row ./a | grep -q " slower" || fail "./a: expected slower"
	assert_eq "./a p(time)" 0.0079 "$(p_time ./a)"
	row ./b | grep -q "no significant difference" || fail "./b: expected no significant difference"
	assert_eq "./b p(time)" 0.0556 "$(p_time ./b)"
	if has python3; then
		exp=$(mwu_p '[0.010,0.011,0.012,0.013,0.014]' '[0.0125,0.0135,0.0145,0.0155,0.0165]')
		p_close ./b "$(p_time ./b)" "${exp% *}"
	fi
}

test_hyperfine_by_position() {
	hf_doc A.json "./old input" 0.010 0.011 0.012 0.013 0.014
	hf_doc B.json "./new input" 0.020 0.021 0.022 0.023 0.024
	bench compare A.json B.json
	expect_rc 0
	row "./new input" | grep -q "(A: ./old input)" || fail "expected ./new paired with ./old by position"
	row "./new input" | grep -q " slower" || fail "./new input: expected slower"
	bench report B.json
	expect_rc 0
	row "./new input" | grep -qE " 5 +22\.00 ms" || fail "report: expected 5 samples, median 22.00 ms"
}

test_hyperfine_live() {
	has hyperfine || skip "hyperfine not found"
	for f in h1 h2; do
		hyperfine --runs 5 --export-json $f.json 'sleep 0.01' >/dev/null 2>hf.err ||
			fail "hyperfine failed: $(head -n 1 hf.err)"
	done
	bench compare h1.json h2.json
	expect_rc 0
	row "sleep 0.01" | grep -qE "(no significant difference|slower|faster)" ||
		fail "sleep 0.01: expected a verdict"
	bench report h1.json
	expect_rc 0
	# physics: a 10 ms sleep takes at least 10 ms
	row "sleep 0.01" | grep -qE "^sleep 0\.01 +5 +[0-9.]+ ms" ||
		fail "sleep 0.01: expected 5 samples of milliseconds"
}

# ---------------------------------------------------------------------------
# Errors

test_not_a_known_format() {
	echo '{"a": 1}' >gb1.json
	hf_doc h.json ./a 0.01 0.02
	bench compare gb1.json h.json
	runtime_error "gb1\.json: not a bench result, Google Benchmark JSON or hyperfine export" \
		"one line naming gb1.json and the formats expected"
	bench report gb1.json
	runtime_error "gb1\.json: not a bench result" "the same line from report"
	echo '[1, 2]' >list.json
	bench compare h.json list.json
	runtime_error "list\.json: not a bench result" "an error naming list.json"
	echo 'hello' >t.txt
	bench compare t.txt h.json
	runtime_error "t\.txt.*not JSON" "an error saying t.txt is not JSON"
}

test_malformed_gbench() {
	echo '{"benchmarks": [{"name": "BM_A", "real_time": "fast", "time_unit": "ns"}]}' >bad.json
	bench compare bad.json bad.json
	runtime_error "bad\.json: .*BM_A.*real_time" "an error naming bad.json, BM_A and real_time"
	echo '{"benchmarks": [{"name": "BM_A", "real_time": 5, "time_unit": "fortnights"}]}' >unit.json
	bench report unit.json
	runtime_error "unit\.json: .*time_unit" "an error naming unit.json and time_unit"
	echo '{"benchmarks": []}' >empty.json
	bench report empty.json
	runtime_error "empty\.json: .*without a benchmark" "an error naming empty.json"
	echo '{"results": [{"command": "x", "times": [0.1, -1]}]}' >neg.json
	bench report neg.json
	runtime_error "neg\.json: .*times" "an error naming neg.json and its times"
}

test_mixed_formats() {
	fixtures
	hf_doc h.json ./a 0.01 0.02
	bench compare A.json h.json
	runtime_error "A\.json \(Google Benchmark JSON\) and h\.json \(hyperfine export\)" \
		"an error naming both files and their formats"
}

lib_start "$@"
