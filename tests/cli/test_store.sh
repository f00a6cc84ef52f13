#!/bin/sh
# test_store.sh - command-line tests of bench's sweeps and results store:
# scale, complexity, the SQLite store (history, report), compare and plot,
# run the way a user runs them, checking output, files and exit status.
#
# usage: tests/cli/test_store.sh PATH/TO/bench [TEST...]
#
# Same runner as test_cli.sh: a test is one function, test_NAME,
# registered by one `t NAME` line below; each runs in its own sh process
# under timeout(1) (CLI_TEST_TIMEOUT seconds, default 60) in a fresh
# temporary folder. Output is "1..N", "ok N - NAME" or "not ok N - NAME"
# with "# " diagnostic lines, then one summary line "store: N passed,
# M failed"; the exit status is 1 if any test failed. CLI_KEEP=1 keeps the
# temporary folders.
#
# The design choices to know:
# - Leftover processes are found exactly, by running bench under a child
#   subreaper (python3, prctl(PR_SET_CHILD_SUBREAPER)), as in test_cli.sh.
# - Write failures are made real, not simulated. A full disk is a file
#   size limit (ulimit -f) with SIGXFSZ ignored, so write() returns EFBIG.
#   A read-only folder is chmod 555; root ignores permission bits, so as
#   root bench runs in a new user namespace (unshare -U), where root's
#   capabilities no longer cover the folder.
# - Timing-dependent verdicts are tested on fixed data: "slower" compares
#   a run's JSON with a copy whose samples are 1.2 times larger, "no
#   significant difference" compares a run with itself. Live runs are only
#   asserted to give a verdict. The one exception, complexity's best fit,
#   is what physics guarantees for a linear scan, retried on noise.
#
# dash has no $LINENO, so assertions say what they check instead of a line.
# Workloads are tiny (sanitizer builds run this too, ~10x slower).

set -u
SUITE="store"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

TESTS=
t() { TESTS="$TESTS $1"; }

# 1. scale
t scale_table
t scale_charts
t scale_json
t scale_worker_lists
t scale_bad_worker_lists
t scale_too_many_workers
t scale_workers_overflow
# 2. complexity
t complexity_search_linear
t complexity_range_linear
t complexity_charts
t complexity_too_few_sizes
t complexity_missing_sizes
t complexity_size_too_large
# 3. the store
t store_saved
t history_newest_first
t history_filter
t history_bad_workload
t history_no_store
t no_save
t results_option
t results_env
t report_reprints
t report_latest_json
t report_unknown_id
# 4. bad stores
t store_text_file
t store_foreign_sqlite
t store_newer_schema
t store_damaged_header
t store_directory
# 5. read-only folder
t store_read_only_folder
# 6. full disk
t export_file_too_large
t store_file_too_large
# 7. two writers
t store_concurrent_writers
t store_concurrent_create
# 8. compare
t compare_same_file
t compare_same_run_exports
t compare_two_runs
t compare_slower
t compare_fail_above
t compare_faster
t compare_not_bench_json
t compare_not_json
t compare_unknown_id
t compare_different_workloads
t compare_bad_fail_above
# 9. plot
t plot_scale
t plot_complexity
t plot_run
t plot_file_charts_dir
t plot_gbench
t plot_gbench_output
t no_gnuplot_scale
t no_gnuplot_plot
# 10. Ctrl-C
t sigint_scale
t sigint_complexity

# ---------------------------------------------------------------------------
# Helpers, as in test_cli.sh. Each test runs in its own process, so a
# failed assertion prints what it expected and what it got, then exits.


# Checks that FILE is valid JSON when python3 can tell.
expect_json() { # FILE
	command -v python3 >/dev/null 2>&1 || return 0
	python3 -m json.tool <"$1" >/dev/null 2>json.err ||
		fail "$1: not valid JSON: $(head -n 1 json.err)"
}

# A runtime error: exit 1, nothing on stdout, one line on stderr starting
# with "bench" and matching ERE.
runtime_error() { # ERE WHAT
	expect_rc 1
	expect_empty out
	expect_match err "$1" "$2"
	expect_match err "^bench( [a-z]+)?: " "a 'bench: ' prefix"
	expect_nlines err 1
}

need_python() { # WHY
	command -v python3 >/dev/null 2>&1 || skip "python3 not found: $1"
}

need_gnuplot() {
	command -v gnuplot >/dev/null 2>&1 || skip "gnuplot not installed: no charts to check"
}

# A quick plain run of range; ARGS add to or override the defaults.
quick_run() { # ARGS...
	bench run range --size 2000 --repeat 3 --warmup 0 -q "$@"
}

# Saves N quick serial runs to the store DB (default: the default store).
seed_runs() { # N [DB]
	_k=0
	while [ "$_k" -lt "$1" ]; do
		if [ $# -gt 1 ]; then
			quick_run --mode serial --results "$2"
		else
			quick_run --mode serial
		fi
		expect_rc 0
		_k=$((_k + 1))
	done
}

# The run ids that 'bench history' lists, in its order, space-separated.
history_ids() { # [ARGS...]
	bench history --limit 0 "$@"
	expect_rc 0
	awk 'NR > 1 && $1 ~ /^[0-9]+$/ { printf "%s%s", s, $1; s = " " }' out
}

# "mode:workers" of every data row of a CSV file, space-separated.
mode_workers() { # FILE
	awk -F, '
		NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "mode") m = i; if ($i == "workers") w = i }; next }
		{ printf "%s%s:%s", s, $m, $w; s = " " }' "$1"
}

# Checks a chart file: a PNG by its magic bytes, an SVG by its <svg tag.
check_chart() { # FILE
	[ -s "$1" ] || fail "chart '$1': missing or empty"
	case $1 in
	*.png)
		_magic=$(od -An -tx1 -N8 "$1" | tr -d ' \n')
		assert_eq "first bytes of $1 (PNG magic)" 89504e470d0a1a0a "$_magic"
		;;
	*.svg)
		grep -q '<svg' "$1" || fail "chart '$1': no '<svg' in it"
		;;
	*) fail "chart '$1': neither .png nor .svg" ;;
	esac
}

# Checks the chart files listed in LIST (one path a line): N of them, in
# FOLDER, each a valid PNG or SVG, with NAMES (words) among their names.
check_charts() { # LIST N FOLDER NAMES...
	_list=$1 _want=$2 _dir=$3
	shift 3
	expect_nlines "$_list" "$_want"
	while read -r _c; do
		case $_c in
		"$_dir"/*) ;;
		*) fail "chart '$_c': expected it in $_dir/" ;;
		esac
		check_chart "$_c"
	done <"$_list"
	for _w in png svg "$@"; do
		grep -q -e "$_w" "$_list" || fail "charts: none named '*$_w*' in: $(tr '\n' ' ' <"$_list")"
	done
}

# The chart paths a table output (FILE) lists on its "charts:" line.
table_charts() { # FILE
	sed -n 's/^charts: //p' "$1" | tr ' ' '\n' | sed '/^$/d'
}

# The file-size limit unit of this shell's ulimit -f: 512 (POSIX, dash) or
# 1024 (bash) bytes.
fsize_unit() {
	(ulimit -f 1 && trap '' XFSZ && exec head -c 4096 /dev/zero) >fsize.probe 2>/dev/null
	_u=$(wc -c <fsize.probe | tr -d ' ')
	rm -f fsize.probe
	case $_u in
	512 | 1024) echo "$_u" ;;
	*) fail "ulimit -f 1 let $_u bytes through: expected 512 or 1024" ;;
	esac
}

# Runs bench with stdout in ./out, stderr in ./err and a file size limit of
# BLOCKS (ulimit -f), SIGXFSZ ignored so that write() fails with EFBIG.
bench_fsize() { # BLOCKS ARGS...
	_blocks=$1
	shift
	LAST_CMD="(ulimit -f $_blocks; trap '' XFSZ; $(show_cmd "$BENCH" "$@"))"
	(ulimit -f "$_blocks" && trap '' XFSZ && exec "$BENCH" "$@") >out 2>err
	RC=$?
}

# ---------------------------------------------------------------------------
# 1. scale

SCALE="scale range --size 2000 --workers 1,2 --repeat 3 --warmup 0"

test_scale_table() {
	# shellcheck disable=SC2086 # $SCALE is a list of words
	bench $SCALE
	expect_rc 0
	_rows=$(awk '/^mode +workers/ { t = 1; next } t && NF == 0 { exit }
		t { printf "%s%s:%s", s, $1, $2; s = " " }' out)
	assert_eq "table rows (mode:workers)" \
		"serial:1 thread:1 thread:2 process:1 process:2" "$_rows"
	expect_match out "Amdahl" "Amdahl's law"
	expect_match err '^bench: saved as run 1 in results/bench\.db$' "'saved as run 1'"
	[ -f results/bench.db ] || fail "no results/bench.db"
}

test_scale_charts() {
	need_gnuplot
	mkdir sub
	# shellcheck disable=SC2086
	bench $SCALE -q --results sub/s.db
	expect_rc 0
	table_charts out >charts.list
	check_charts charts.list 4 sub/charts speedup efficiency
	# The names start with the run id.
	expect_match charts.list '^sub/charts/1-' "chart names starting with the run id"
}

test_scale_json() {
	# shellcheck disable=SC2086
	bench $SCALE --format json -q
	expect_rc 0
	expect_json out
	json_flat out >flat
	assert_eq schema bench.run/1 "$(flat flat schema)"
	assert_eq kind scale "$(flat flat kind)"
	assert_eq "results.#" 5 "$(flat flat 'results.#')"
	assert_eq "analysis.amdahl.#" 2 "$(flat flat 'analysis.amdahl.#')"
	assert_eq "analysis.amdahl.0.mode" thread "$(flat flat analysis.amdahl.0.mode)"
	assert_eq "analysis.amdahl.1.mode" process "$(flat flat analysis.amdahl.1.mode)"
	for _i in 0 1; do
		_f=$(flat flat "analysis.amdahl.$_i.serial_fraction")
		assert_num "analysis.amdahl.$_i.serial_fraction" "$_f" -ge 0
		assert_num "analysis.amdahl.$_i.serial_fraction" "$_f" -le 1
		assert_eq "analysis.amdahl.$_i.points.#" 2 "$(flat flat "analysis.amdahl.$_i.points.#")"
	done
	# Machine-readable output: the chart paths go to stderr.
	if command -v gnuplot >/dev/null 2>&1; then
		expect_match err '^bench: chart results/charts/' "the chart paths on stderr"
	fi
}

test_scale_worker_lists() {
	for _spec in "1..4=1 2 3 4" "1..8x2=1 2 4 8" "2..6+2=2 4 6" \
		"1,2..4=1 2 3 4" "8,1..4x2=1 2 4 8"; do
		_list=${_spec%%=*}
		bench scale range --size 2000 --workers "$_list" --modes thread \
			--repeat 1 --warmup 0 -q --no-save --format csv
		expect_rc 0
		_want="serial:1"
		for _w in ${_spec#*=}; do _want="$_want thread:$_w"; done
		assert_eq "rows for --workers $_list" "$_want" "$(mode_workers out)"
	done
}

test_scale_bad_worker_lists() {
	for _list in "" "1.." "..4" "4..1" "1..8x1" "a,b" "1,,2" "0" "1..64x0" \
		"1," ",1" "1..4x" "2..6+0" "-1"; do
		usage_error "^bench scale: --workers '" scale range --workers "$_list" \
			--size 2000 --repeat 1 --warmup 0 --no-save
	done
}

test_scale_too_many_workers() {
	usage_error "^bench scale: --workers '1\.\.300': more than [0-9]+ values" \
		scale range --workers 1..300 --size 2000 --repeat 1 --warmup 0 --no-save
	usage_error "^bench scale: --workers '(1\.\.)?1025'" \
		scale range --workers 1..1025 --size 2000 --repeat 1 --warmup 0 --no-save
}

test_scale_workers_overflow() {
	usage_error "^bench scale: --workers '99999999999999999999': expected a whole number" \
		scale range --workers 99999999999999999999 --size 2000 --no-save
	usage_error "^bench scale: --workers '(1\.\.)?99999999999999999999'" \
		scale range --workers 1..99999999999999999999 --size 2000 --no-save
}

# ---------------------------------------------------------------------------
# 2. complexity

# A sweep of linear work (ARGS: the workload and its sizes) ranks the fits
# the way any machine shows: O(n) fits better than O(1) and than O(n^2).
# Which of O(n) and O(n log n) wins is the machine's to say (caches, a
# preempted sample, a sanitizer's shadow memory all bend the curve: five
# sweeps of search under ASan on a loaded machine all chose O(n log n)),
# so it is not asserted. A sweep that ranks them otherwise is tried again.
expect_linear() { # ARGS...
	for _try in 1 2 3; do
		bench complexity "$@" --repeat 5 --warmup 1 -q --no-save
		expect_rc 0
		# The errors (%) of the fits of O(1), O(n) and O(n^2), from the
		# table's "  O(n)  a = 4.6 ns  error  5.0%" lines.
		_errors=$(for _g in 'O(1)' 'O(n)' 'O(n^2)'; do
			awk -v g="$_g" '$1 == g { for (i = 2; i < NF; i++) if ($i == "error") {
				sub(/%$/, "", $(i + 1)); print $(i + 1); f = 1 } }
				END { if (!f) print "none" }' out
		done | tr '\n' ' ')
		# shellcheck disable=SC2086 # three numbers
		set -- $_errors
		case "$1$2$3" in *none*) fail "no fit line for O(1), O(n) or O(n^2): $_errors" ;; esac
		if awk -v c="$1" -v l="$2" -v q="$3" 'BEGIN { exit !(l < c && l < q) }'; then
			[ "$_try" = 1 ] || note "linear ranked first on try $_try"
			return 0
		fi
		printf 'O(1) %s%%, O(n) %s%%, O(n^2) %s%%; ' "$1" "$2" "$3" >>ranks
	done
	fail "expected O(n) to fit better than O(1) and O(n^2) in one of three sweeps, got: $(cat ranks)"
}

test_complexity_search_linear() {
	expect_linear search --sizes 1000..64000x2 --queries 200
	assert_eq "sizes in the table" "1000 2000 4000 8000 16000 32000 64000" \
		"$(awk '/^ +size +median/ { t = 1; next } t && NF == 0 { exit }
			t { printf "%s%s", s, $1; s = " " }' out)"
	expect_match out '^best fit: O\((n|n log n)\) ' "a best fit that grows linearly"
	for _g in 'O\(1\)' 'O\(log n\)' 'O\(n\)' 'O\(n log n\)' 'O\(n\^2\)'; do
		expect_match out "^  $_g " "a fit line for $_g"
	done
}

# range does the same work per row, but its time per row is not constant:
# it grows once the matrix outgrows a cache. The matrix stays small
# (160000 rows, 3 MB) and samples short (under 1 ms), so few are
# preempted.
test_complexity_range_linear() {
	expect_linear range --sizes 10000..160000x2
}

test_complexity_charts() {
	need_gnuplot
	bench complexity search --sizes 1000,2000,4000 --queries 50 --repeat 2 --warmup 0 -q
	expect_rc 0
	table_charts out >charts.list
	check_charts charts.list 2 results/charts complexity
	expect_match err '^bench: saved as run 1 ' "'saved as run 1'"
}

test_complexity_too_few_sizes() {
	usage_error "^bench complexity: --sizes '1000,2000': .*at least 3" \
		complexity search --sizes 1000,2000 --no-save
	usage_error "^bench complexity: --sizes '1000\.\.2000x2': .*at least 3" \
		complexity search --sizes 1000..2000x2 --no-save
	usage_error "^bench complexity: --sizes '1000,1000,2000': .*at least 3" \
		complexity search --sizes 1000,1000,2000 --no-save
}

test_complexity_missing_sizes() {
	usage_error "^bench complexity: missing --sizes" complexity search --no-save
	[ ! -e results ] || fail "results/ appeared"
}

test_complexity_size_too_large() {
	usage_error "^bench complexity: --sizes '99999999999': expected a whole number from 1 to [0-9]+" \
		complexity search --sizes 1,2,99999999999 --no-save
	usage_error "^bench complexity: --sizes '2000000': expected a whole number from 1 to 1000000" \
		complexity sleep --sizes 1,2,2000000 --max-ms 1 --no-save
	[ ! -e results ] || fail "results/ appeared"
}

# ---------------------------------------------------------------------------
# 3. the store

test_store_saved() {
	quick_run
	expect_rc 0
	assert_eq "stderr's last line" "bench: saved as run 1 in results/bench.db" "$(tail -n 1 err)"
	[ -s results/bench.db ] || fail "no results/bench.db"
	quick_run --mode serial
	expect_rc 0
	assert_eq "stderr's last line" "bench: saved as run 2 in results/bench.db" "$(tail -n 1 err)"
	assert_eq "history ids" "2 1" "$(history_ids)"
}

test_history_newest_first() {
	quick_run
	expect_rc 0
	bench scale hash --size 200 --workers 1,2 --modes thread --repeat 2 --warmup 0 -q
	expect_rc 0
	bench complexity search --sizes 100,200,400 --queries 20 --repeat 2 --warmup 0 -q
	expect_rc 0
	bench history
	expect_rc 0
	expect_match out '^ +id +date.* kind +workload' "a header with id, date, kind, workload"
	assert_eq "id kind workload per line" "3 complexity search;2 scale hash;1 run range;" \
		"$(awk 'NR > 1 { printf "%s %s %s;", $1, $4, $5 }' out)"
	bench history --limit 2
	expect_rc 0
	assert_eq "ids with --limit 2" "3 2" "$(awk 'NR > 1 { printf "%s%s", s, $1; s = " " }' out)"
}

test_history_filter() {
	quick_run --mode serial
	expect_rc 0
	bench run hash --size 200 --mode serial --repeat 2 --warmup 0 -q
	expect_rc 0
	quick_run --mode serial
	expect_rc 0
	assert_eq "ids of 'history hash'" 2 "$(history_ids hash)"
	assert_eq "ids of 'history range'" "3 1" "$(history_ids range)"
	bench history search
	expect_rc 0
	expect_empty out
	expect_match err 'no runs of search' "a note that there are no search runs"
}

test_history_bad_workload() {
	seed_runs 1
	usage_error "^bench history: unknown workload 'nosuch'" history nosuch
}

test_history_no_store() {
	bench history
	runtime_error "results/bench\.db" "an error naming results/bench.db"
	[ ! -e results ] || fail "'bench history' created results/"
	bench report 1
	runtime_error "results/bench\.db" "an error naming results/bench.db"
	[ ! -e results ] || fail "'bench report' created results/"
}

test_no_save() {
	quick_run --no-save
	expect_rc 0
	expect_no_match err 'saved' "'saved' on stderr"
	bench scale range --size 2000 --workers 1,2 --repeat 2 --warmup 0 -q --no-save
	expect_rc 0
	bench complexity search --sizes 100,200,400 --queries 20 --repeat 2 --warmup 0 -q --no-save
	expect_rc 0
	expect_no_match err 'saved' "'saved' on stderr"
	assert_eq "files in the folder" "./err ./out" "$(find . ! -name . | sort | tr '\n' ' ' | sed 's/ $//')"
}

test_results_option() {
	quick_run --results other.db
	expect_rc 0
	assert_eq "stderr's last line" "bench: saved as run 1 in other.db" "$(tail -n 1 err)"
	[ -s other.db ] || fail "no other.db"
	[ ! -e results ] || fail "results/ appeared"
	assert_eq "history ids in other.db" 1 "$(history_ids --results other.db)"
	bench history
	expect_rc 1
	[ ! -e results ] || fail "results/ appeared"
}

test_results_env() {
	BENCH_RESULTS=x.db
	export BENCH_RESULTS
	quick_run
	expect_rc 0
	assert_eq "stderr's last line" "bench: saved as run 1 in x.db" "$(tail -n 1 err)"
	[ -s x.db ] || fail "no x.db"
	[ ! -e results ] || fail "results/ appeared"
	assert_eq "history ids (BENCH_RESULTS=x.db)" 1 "$(history_ids)"
	# --results wins over the environment.
	quick_run --mode serial --results y.db
	expect_rc 0
	[ -s y.db ] || fail "--results y.db with BENCH_RESULTS=x.db: no y.db"
	assert_eq "history ids in x.db" 1 "$(history_ids)"
}

test_report_reprints() {
	quick_run --format csv -o run1.csv
	expect_rc 0
	quick_run --mode serial
	expect_rc 0
	bench report 1
	expect_rc 0
	for _m in serial thread process async; do
		expect_match out "^$_m .* [0-9a-f]{16}" "a row for $_m with its checksum"
	done
	bench report 1 --format csv
	expect_rc 0
	cmp -s out run1.csv || fail "'bench report 1 --format csv' differs from the run's own CSV"
}

test_report_latest_json() {
	seed_runs 2
	bench report latest --format json
	expect_rc 0
	expect_json out
	json_flat out >flat
	assert_eq schema bench.run/1 "$(flat flat schema)"
	assert_eq kind run "$(flat flat kind)"
	assert_eq "results.#" 1 "$(flat flat 'results.#')"
	assert_eq "results.0.samples_ns.#" 3 "$(flat flat 'results.0.samples_ns.#')"
	cp out latest.json
	bench report 2 --format json
	cmp -s out latest.json || fail "'report latest' differs from 'report 2'"
}

test_report_unknown_id() {
	seed_runs 1
	bench report 999
	runtime_error "999" "an error naming run 999"
}

# ---------------------------------------------------------------------------
# 4. bad stores: bench refuses them in one line and leaves them as they were

# Runs 'history', 'report' and 'run' on the store DB: each exits 1 with one
# line matching ERE, and DB is byte-for-byte what it was.
bad_store() { # DB ERE
	_before=$(cksum <"$1")
	bench history --results "$1"
	runtime_error "$2" "the error saying what is wrong with $1"
	bench report latest --results "$1"
	runtime_error "$2" "the error saying what is wrong with $1"
	quick_run --mode serial --results "$1"
	expect_rc 1
	expect_empty out
	assert_eq "cksum of $1 after" "$_before" "$(cksum <"$1")"
	[ ! -e results ] || fail "results/ appeared"
	[ ! -e charts ] || fail "charts/ appeared"
	expect_match err "$2" "the error saying what is wrong with $1"
	expect_nlines err 1
}

test_store_text_file() {
	echo hello >bad.db
	bad_store bad.db "'bad\.db' is not a bench results store"
}

test_store_foreign_sqlite() {
	need_python "cannot make an SQLite database"
	python3 -c 'import sqlite3
c = sqlite3.connect("foreign.db")
c.execute("CREATE TABLE t(x)")
c.execute("INSERT INTO t VALUES (1)")
c.commit()' || fail "python3 could not make foreign.db"
	bad_store foreign.db "'foreign\.db' .*not a bench results store"
}

test_store_newer_schema() {
	need_python "cannot change the schema version"
	seed_runs 1 real.db
	python3 -c 'import sqlite3
c = sqlite3.connect("real.db")
c.execute("PRAGMA user_version = 99")
c.commit()' || fail "python3 could not set the schema version"
	bad_store real.db "'real\.db' .*version 99"
}

# A page size in the header (bytes 16-17) that is not the file's: SQLite
# says "malformed", and bench passes that on, not "not an error".
test_store_damaged_header() {
	seed_runs 1 real.db
	_b16=$(od -An -tx1 -j16 -N1 real.db | tr -d ' ')
	if [ "$_b16" = 20 ]; then _new=@; else _new=' '; fi # 0x40, 0x20
	printf '%s' "$_new" | dd of=real.db bs=1 seek=16 count=1 conv=notrunc 2>/dev/null ||
		fail "dd could not change byte 16 of real.db"
	bad_store real.db "'real\.db': cannot read the schema version: database disk image is malformed"
	expect_no_match err "not an error" "SQLite's message, not 'not an error'"
}

test_store_directory() {
	mkdir dir.db
	: >dir.db/keep
	bench history --results dir.db
	runtime_error "'dir\.db' is a directory" "an error saying dir.db is a directory"
	quick_run --mode serial --results dir.db
	expect_rc 1
	expect_empty out
	assert_eq "dir.db after" "dir.db/keep" "$(find dir.db -type f)"
	expect_match err "'dir\.db' is a directory" "an error saying dir.db is a directory"
	expect_nlines err 1
}

# ---------------------------------------------------------------------------
# 5. read-only folder

test_store_read_only_folder() {
	mkdir ro
	chmod 555 ro
	_userns=no
	if (: >ro/probe) 2>/dev/null; then
		rm -f ro/probe
		# Root ignores permission bits; in a new user namespace root's
		# capabilities do not cover files of the outer root.
		command -v unshare >/dev/null 2>&1 ||
			skip "running as root and no unshare: cannot make a folder read-only"
		unshare -U true 2>/dev/null ||
			skip "running as root and 'unshare -U' is not allowed: cannot make a folder read-only"
		if unshare -U sh -c ': >ro/probe' 2>/dev/null; then
			rm -f ro/probe
			skip "running as root: even under 'unshare -U' the chmod 555 folder is writable"
		fi
		_userns=yes
		note "running as root: bench runs under 'unshare -U' so that chmod 555 holds"
	fi
	if [ "$_userns" = yes ]; then
		run unshare -U "$BENCH" run range --size 2000 --repeat 2 --warmup 0 -q \
			--mode serial --results ro/bench.db
	else
		quick_run --mode serial --results ro/bench.db
	fi
	expect_rc 1
	expect_empty out
	assert_eq "files in ro/" "" "$(ls -A ro)"
	[ ! -e results ] || fail "results/ appeared"
	expect_match err "ro/bench\.db" "an error naming ro/bench.db"
	expect_nlines err 1
}

# ---------------------------------------------------------------------------
# 6. full disk

test_export_file_too_large() {
	_unit=$(fsize_unit) || exit 1
	quick_run --no-save --format json -o whole.json
	expect_rc 0
	assert_num "size of the JSON (it must not fit in 2 blocks)" \
		"$(wc -c <whole.json | tr -d ' ')" -gt $((2 * _unit))
	bench_fsize 2 run range --size 2000 --repeat 3 --warmup 0 -q --no-save \
		--format json -o big.json
	expect_rc 1
	expect_empty out
	[ ! -e big.json ] || fail "big.json was left behind ($(wc -c <big.json | tr -d ' ') bytes)"
	no_temp_files
	expect_match err "big\.json" "an error naming big.json"
	expect_match err "File too large" "the reason, File too large"
	expect_nlines err 1
}

test_store_file_too_large() {
	_unit=$(fsize_unit) || exit 1
	seed_runs 2 s.db
	_size=$(wc -c <s.db | tr -d ' ')
	# The store cannot grow by one byte; a run (all four modes) needs pages.
	bench_fsize $((_size / _unit)) run range --size 2000 --repeat 3 --warmup 0 \
		-q --results s.db
	expect_rc 1
	cp out failed.out
	cp err failed.err
	_failed_cmd=$LAST_CMD
	assert_eq "history ids after the failed save" "2 1" "$(history_ids --results s.db)"
	if command -v python3 >/dev/null 2>&1; then
		assert_eq "PRAGMA integrity_check" ok "$(python3 -c 'import sqlite3
print(sqlite3.connect("s.db").execute("PRAGMA integrity_check").fetchone()[0])')"
	fi
	bench report 2 --results s.db --format csv
	expect_rc 0
	# The store still takes runs: no lock or journal left behind.
	seed_runs 1 s.db
	assert_eq "history ids after one more run" "3 2 1" "$(history_ids --results s.db)"
	LAST_CMD=$_failed_cmd RC=1
	cp failed.out out
	cp failed.err err
	expect_match err "s\.db" "an error naming s.db"
	expect_no_match err "saved as run" "claim that the run was saved"
	expect_nlines err 1
}

# ---------------------------------------------------------------------------
# 7. two writers

test_store_concurrent_writers() {
	_saved=
	for _pair in 1 2 3 4; do
		"$BENCH" run range --size 2000 --repeat 3 --warmup 0 -q --mode serial,thread \
			--results shared.db >out.a 2>err.a &
		_a=$!
		"$BENCH" run range --size 2000 --repeat 3 --warmup 0 -q --mode serial,thread \
			--results shared.db >out.b 2>err.b &
		_b=$!
		wait "$_a"
		_ra=$?
		wait "$_b"
		_rb=$?
		LAST_CMD="two at once: $(show_cmd "$BENCH" run range --size 2000 --repeat 3 \
			--warmup 0 -q --mode serial,thread --results shared.db)"
		for _x in a b; do
			cp "out.$_x" out
			cp "err.$_x" err
			if [ "$_x" = a ]; then RC=$_ra; else RC=$_rb; fi
			expect_rc 0
			_id=$(sed -n 's/^bench: saved as run \([0-9][0-9]*\) in shared\.db$/\1/p' err)
			[ -n "$_id" ] || fail "pair $_pair, writer $_x: no 'saved as run N in shared.db'"
			_saved="$_saved $_id"
		done
	done
	_saved=$(echo "$_saved" | tr ' ' '\n' | sed '/^$/d' | sort -n | tr '\n' ' ' | sed 's/ $//')
	assert_eq "ids the writers were given" "1 2 3 4 5 6 7 8" "$_saved"
	_ids=$(history_ids --results shared.db)
	assert_eq "history ids" "8 7 6 5 4 3 2 1" "$_ids"
	# Every run is whole: its results are there.
	bench report 1 --results shared.db --format csv
	expect_rc 0
	expect_nlines out 3
}

# Two processes creating the same new store at once: one creates the
# schema, the other must wait for it, not mistake the half-made file for a
# foreign database. Tiny runs, many fresh stores, to hit the window.
test_store_concurrent_create() {
	_bad=
	_k=0
	while [ "$_k" -lt 40 ]; do
		_k=$((_k + 1))
		"$BENCH" run range --size 100 --mode serial --repeat 1 --warmup 0 -q \
			--results "new$_k.db" >/dev/null 2>"err.$_k.a" &
		_a=$!
		"$BENCH" run range --size 100 --mode serial --repeat 1 --warmup 0 -q \
			--results "new$_k.db" >/dev/null 2>"err.$_k.b" &
		_b=$!
		wait "$_a"
		_ra=$?
		wait "$_b"
		_rb=$?
		for _x in a b; do
			if [ "$_x" = a ]; then _r=$_ra; else _r=$_rb; fi
			[ "$_r" = 0 ] ||
				_bad="$_bad; new$_k.db, writer $_x: exit $_r, $(head -n 1 "err.$_k.$_x")"
		done
		if [ -z "$_bad" ]; then
			_ids=$(history_ids --results "new$_k.db")
			[ "$_ids" = "2 1" ] || _bad="$_bad; new$_k.db: history ids '$_ids', expected '2 1'"
		fi
	done
	[ -z "$_bad" ] ||
		fail "two bench processes creating one new store (40 tries, $(echo "$_bad" | tr ';' '\n' | grep -c .) failures):${_bad#;}"
}

# ---------------------------------------------------------------------------
# 8. compare

# Benchmark rows of a compare table: "serial x1 n=2000 ...".
compare_rows() { # FILE
	grep -E '^(serial|thread|process|async) x[0-9]+ n=[0-9]+ ' "$1"
}

# Checks that every row of ./out says VERDICT (an ERE), with ROWS rows.
expect_verdicts() { # ROWS ERE
	compare_rows out >rows
	expect_nlines rows "$1"
	_bad=$(grep -Ev -e "$2" rows | head -n 1)
	[ -z "$_bad" ] || fail "a row without /$2/: $_bad"
}

# The B/A ratios of the rows of ./out, one a line.
ratios() {
	compare_rows out | sed -E 's/.* ([0-9]+\.[0-9]+) +[0-9.]+-[0-9.]+ .*/\1/'
}

expect_ratios_near() { # VALUE
	_n=0
	for _r in $(ratios); do
		_n=$((_n + 1))
		assert_num "ratio of row $_n" "$_r" -ge "$(awk -v v="$1" 'BEGIN { print v - 0.005 }')"
		assert_num "ratio of row $_n" "$_r" -le "$(awk -v v="$1" 'BEGIN { print v + 0.005 }')"
	done
	[ "$_n" -gt 0 ] || fail "no ratios found"
}

NOSIG='no significant difference$'

test_compare_same_file() {
	quick_run --repeat 8 --no-save --format json -o A.json
	expect_rc 0
	bench compare A.json A.json
	expect_rc 0
	expect_verdicts 4 "$NOSIG"
	expect_ratios_near 1.000
}

test_compare_same_run_exports() {
	quick_run --repeat 8
	expect_rc 0
	bench report 1 --format json -o r1.json
	expect_rc 0
	bench report latest --format json -o r2.json
	expect_rc 0
	bench compare r1.json r2.json
	expect_rc 0
	expect_verdicts 4 "$NOSIG"
	bench compare 1 r1.json
	expect_rc 0
	expect_verdicts 4 "$NOSIG"
	bench compare 1 latest
	expect_rc 0
	expect_verdicts 4 "$NOSIG"
}

# Two live runs: the verdict may be anything, but each row has one.
test_compare_two_runs() {
	quick_run --repeat 8
	expect_rc 0
	quick_run --repeat 8
	expect_rc 0
	bench compare 1 2
	expect_rc 0
	expect_match out '^range: A = run 1, B = run 2' "the heading naming both runs"
	expect_verdicts 4 "(no significant difference|faster \(-[0-9.]+%\)|slower \(\+[0-9.]+%\))$"
}

# A.json: a real run with its samples replaced by tight fixed values (the
# median, then +0.1% each); slow.json: the same samples times 1.2.
make_slow_pair() {
	need_python "cannot scale the samples of a JSON file"
	quick_run --repeat 8 --no-save --format json -o run.json
	expect_rc 0
	python3 -c 'import json
d = json.load(open("run.json"))
for r in d["results"]:
    s = r["samples_ns"]
    m = sorted(s)[len(s) // 2]
    r["samples_ns"] = [m + m * i // 1000 for i in range(len(s))]
json.dump(d, open("A.json", "w"), indent=2)
for r in d["results"]:
    r["samples_ns"] = [round(x * 1.2) for x in r["samples_ns"]]
json.dump(d, open("slow.json", "w"), indent=2)' || fail "python3 could not write A.json and slow.json"
}

test_compare_slower() {
	make_slow_pair
	bench compare A.json slow.json
	expect_rc 0
	expect_verdicts 4 'slower \(\+20\.0%\)$'
	expect_ratios_near 1.200
}

test_compare_fail_above() {
	make_slow_pair
	bench compare A.json slow.json --fail-above 5%
	expect_rc 1
	expect_verdicts 4 'slower \(\+20\.0%\)$'
	expect_nlines err 1
	expect_match err '^bench: .*slower by more than 5(\.0)?%' "an error line naming the 5% threshold"
	bench compare A.json slow.json --fail-above 25%
	expect_rc 0
	expect_verdicts 4 'slower \(\+20\.0%\)$'
	expect_empty err
	bench compare A.json slow.json --fail-above 5
	expect_rc 1
}

test_compare_faster() {
	make_slow_pair
	bench compare slow.json A.json
	expect_rc 0
	expect_verdicts 4 'faster \(-16\.7%\)$'
	expect_ratios_near 0.833
	bench compare slow.json A.json --fail-above 5%
	expect_rc 0
}

test_compare_not_bench_json() {
	quick_run --no-save --format json -o A.json
	expect_rc 0
	echo '{"a":1}' >a1.json
	bench compare A.json a1.json
	runtime_error "a1\.json.*not a bench result" "an error saying a1.json is not bench output"
	bench compare a1.json A.json
	runtime_error "a1\.json.*not a bench result" "an error saying a1.json is not bench output"
	echo '[]' >empty.json
	bench compare A.json empty.json
	runtime_error "empty\.json" "an error naming empty.json"
}

test_compare_not_json() {
	quick_run --no-save --format json -o A.json
	expect_rc 0
	echo hello >t.txt
	bench compare t.txt A.json
	runtime_error "t\.txt.*not JSON" "an error saying t.txt is not JSON"
	head -c 100 A.json >cut.json
	bench compare A.json cut.json
	runtime_error "cut\.json" "an error naming cut.json"
}

test_compare_unknown_id() {
	seed_runs 1
	bench compare 1 77
	runtime_error "77" "an error naming run 77"
	bench compare 77 latest
	runtime_error "77" "an error naming run 77"
}

test_compare_different_workloads() {
	quick_run --mode serial
	expect_rc 0
	bench run search --size 2000 --queries 50 --mode serial --repeat 3 --warmup 0 -q
	expect_rc 0
	bench compare 1 2
	runtime_error "range.*search" "an error naming both workloads"
}

test_compare_bad_fail_above() {
	usage_error "^bench compare: --fail-above 'abc'" compare 1 2 --fail-above abc
	usage_error "^bench compare: --fail-above '-5%'" compare 1 2 --fail-above -5%
}

# ---------------------------------------------------------------------------
# 9. plot

test_plot_scale() {
	need_gnuplot
	bench scale range --size 2000 --workers 1,2 --repeat 2 --warmup 0 -q
	expect_rc 0
	rm -rf results/charts
	bench plot 1
	expect_rc 0
	check_charts out 4 results/charts speedup efficiency
	rm -rf results/charts
	bench plot latest
	expect_rc 0
	check_charts out 4 results/charts speedup efficiency
}

test_plot_complexity() {
	need_gnuplot
	bench complexity search --sizes 1000,2000,4000 --queries 50 --repeat 2 --warmup 0 -q
	expect_rc 0
	rm -rf results/charts
	bench plot 1
	expect_rc 0
	check_charts out 2 results/charts complexity
}

test_plot_run() {
	need_gnuplot
	quick_run
	expect_rc 0
	[ ! -e results/charts ] || fail "a plain run drew charts without --charts"
	bench plot 1
	expect_rc 0
	check_charts out 2 results/charts run
	# run --charts DIR draws the same chart as it goes.
	quick_run --no-save --charts ch
	expect_rc 0
	table_charts out >charts.list
	check_charts charts.list 2 ch run
}

test_plot_file_charts_dir() {
	need_gnuplot
	bench scale range --size 2000 --workers 1,2 --repeat 2 --warmup 0 -q \
		--no-save --format json -o S.json
	expect_rc 0
	bench plot S.json --charts outdir
	expect_rc 0
	check_charts out 4 outdir speedup efficiency
	[ ! -e results ] || fail "results/ appeared"
}

# Checks Google Benchmark JSON in FILE: per benchmark, REPEAT iterations
# and a median aggregate equal to the median of their real_time.
check_gbench() { # FILE BENCHMARKS REPEAT
	expect_json "$1"
	json_flat "$1" >flat
	_n=$(flat flat 'benchmarks.#')
	assert_num "benchmarks.#" "$_n" -gt 0
	_i=0
	while [ "$_i" -lt "$_n" ]; do
		_b=benchmarks.$_i
		[ -n "$(flat flat "$_b.name")" ] || fail "$_b.name is empty"
		case $(flat flat "$_b.run_type") in
		iteration | aggregate) ;;
		*) fail "$_b.run_type: expected iteration or aggregate, got '$(flat flat "$_b.run_type")'" ;;
		esac
		assert_num "$_b.real_time" "$(flat flat "$_b.real_time")" -gt 0
		assert_num "$_b.cpu_time" "$(flat flat "$_b.cpu_time")" -ge 0
		assert_eq "$_b.time_unit" ns "$(flat flat "$_b.time_unit")"
		_i=$((_i + 1))
	done
	awk -F= '
		$1 ~ /^benchmarks\.[0-9]+\.[a-z_]+$/ {
			split($1, k, "."); v[k[2], k[3]] = $2; if (k[2] + 1 > n) n = k[2] + 1
		}
		END {
			for (i = 0; i < n; i++) {
				r = v[i, "run_name"]
				if (v[i, "run_type"] == "iteration") { t[r, ++c[r]] = v[i, "real_time"]; names[r] = 1 }
				else if (v[i, "aggregate_name"] == "median") med[r] = v[i, "real_time"]
			}
			for (r in names) {
				nb++
				if (c[r] != reps) { print r ": " c[r] " iterations, expected " reps; bad = 1 }
				if (!(r in med)) { print r ": no median aggregate"; bad = 1; continue }
				for (a = 1; a <= c[r]; a++) x[a] = t[r, a] + 0
				for (a = 1; a <= c[r]; a++)
					for (b = a + 1; b <= c[r]; b++)
						if (x[b] < x[a]) { y = x[a]; x[a] = x[b]; x[b] = y }
				h = int((c[r] + 1) / 2)
				m = c[r] % 2 ? x[h] : (x[h] + x[h + 1]) / 2
				if (med[r] + 0 != m) { print r ": median aggregate " med[r] ", median of the iterations " m; bad = 1 }
			}
			if (nb != want) { print nb " benchmarks, expected " want; bad = 1 }
			exit bad
		}' reps="$3" want="$2" flat >gbench.bad ||
		fail "Google Benchmark JSON: $(head -n 3 gbench.bad | tr '\n' ';')"
}

test_plot_gbench() {
	quick_run --repeat 4
	expect_rc 0
	bench plot 1 --format gbench
	expect_rc 0
	check_gbench out 4 4
	grep -q '"aggregate_name": "median"' out || fail "no aggregate_name median"
}

test_plot_gbench_output() {
	quick_run --repeat 4
	expect_rc 0
	bench plot 1 --format gbench
	expect_rc 0
	mv out stdout.json
	bench plot 1 --format gbench -o g.json
	expect_rc 0
	expect_empty out
	[ -s g.json ] || fail "-o g.json: no g.json"
	cmp -s g.json stdout.json || fail "g.json differs from the standard output of the same command"
	no_temp_files
}

test_no_gnuplot_scale() {
	run env PATH=/nonexistent "$BENCH" scale range --size 2000 --workers 1,2 \
		--repeat 2 --warmup 0 -q
	expect_rc 0
	_rows=$(awk '/^mode +workers/ { t = 1; next } t && NF == 0 { exit }
		t { printf "%s%s:%s", s, $1, $2; s = " " }' out)
	assert_eq "table rows (mode:workers)" \
		"serial:1 thread:1 thread:2 process:1 process:2" "$_rows"
	expect_match err 'gnuplot' "a note naming gnuplot"
	expect_match err 'install' "how to install it"
	expect_match err '^bench: saved as run 1 ' "'saved as run 1'"
	_charts=$(find . -name '*.png' -o -name '*.svg')
	[ -z "$_charts" ] || fail "chart files without gnuplot: $_charts"
	expect_no_match out '^charts: ' "'charts:' line"
}

test_no_gnuplot_plot() {
	quick_run --mode serial
	expect_rc 0
	run env PATH=/nonexistent "$BENCH" plot 1
	runtime_error "gnuplot" "an error naming gnuplot"
	expect_match err 'install' "how to install it"
	_charts=$(find . -name '*.png' -o -name '*.svg')
	[ -z "$_charts" ] || fail "chart files without gnuplot: $_charts"
}

# ---------------------------------------------------------------------------
# 10. Ctrl-C

# Starts a sweep of sleep tasks with process workers writing out.json and
# saving to s.db (which holds one run), sends SIGINT once process workers
# are running, and checks that it stops cleanly: status 130, one line, no
# output file, no charts, no process left, and still one run in s.db.
interrupt_sweep() { # ARGS...
	seed_runs 1 s.db
	start_bg "$BENCH" "$@" --repeat 50 --warmup 0 -o out.json --format json \
		--results s.db
	wait_ready "$BG_PID"
	sleep 0.3
	_i=0
	_kids=$(children "$BG_PID")
	while [ -z "$_kids" ] && [ "$_i" -lt 200 ]; do
		sleep 0.05
		_i=$((_i + 1))
		_kids=$(children "$BG_PID")
	done
	[ -n "$_kids" ] || fail "no process worker seen in 10 s"
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
	no_temp_files
	expect_reaped "$_kids"
	_charts=$(find . -name '*.png' -o -name '*.svg')
	[ -z "$_charts" ] || fail "chart files from an interrupted sweep: $_charts"
	assert_eq "history ids of s.db" 1 "$(history_ids --results s.db)"
	[ -n "$REAPER" ] || note "python3 not found: leftover processes checked by pid only"
}

test_sigint_scale() {
	interrupt_sweep scale sleep --size 40 --max-ms 20 --workers 1,2 --modes process
}

test_sigint_complexity() {
	interrupt_sweep complexity sleep --sizes 10,20,40 --max-ms 20 --mode process \
		--workers 2
}

lib_start "$@"
