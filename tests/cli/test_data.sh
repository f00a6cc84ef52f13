#!/bin/sh
# test_data.sh - command-line tests of bench's data workloads, checked
# against independent tools on data each test makes itself:
#
#   events     `bench run events` and `bench show events` on JSON Lines
#              files: kept events against jq, every mode and batch size
#              giving one result, tricky valid JSON, bad lines (counted,
#              numbered, explained), --strict, bad inputs, constant memory;
#   wordcount  `bench run wordcount` and `bench show wordcount` against
#              `tr -cs A-Za-z '\n' | tr A-Z a-z | sort | uniq -c`, tricky
#              texts, and the Hadoop Streaming pair `bench wordcount
#              mapper|reducer`.
#
# usage: tests/cli/test_data.sh PATH/TO/bench [TEST...]
#
# Same runner as the other suites (lib.sh): each test runs in its own sh
# process under timeout(1) in a fresh temporary folder; the summary line is
# "data: N passed, M failed". Runs use --no-save -q and one sample
# (-r 1 --warmup 0), so the suite stays fast under sanitizer builds too.
# jq reads bench's JSON and is the reference for events; without it the
# tests that need it are skipped.

# Word splitting of $AGREED, $QUICK and totals is meant; so is tr's A-Z.
# shellcheck disable=SC2086,SC2046,SC2018,SC2019
set -u
SUITE="data"
SUITE_TIMEOUT=60
# sort, tr and uniq byte by byte, as bench splits words.
LC_ALL=C
export LC_ALL
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

TESTS=
t() { TESTS="$TESTS $1"; }

# 1. events
t events_kept_matches_jq
t events_modes_agree
t events_batch_sizes
t events_tricky_valid
t events_crlf
t events_bad_lines
t events_bad_lines_many
t events_long_lines
t events_last_line
t events_strict
t events_strict_clean
t events_missing_input
t events_empty_type
t events_empty_file
t events_show
t events_memory_constant
# 2. wordcount
t wordcount_show_matches_tr
t wordcount_run_totals
t wordcount_tricky_texts
t wordcount_long_word
t wordcount_streaming_pair
t wordcount_mapper_format
t wordcount_reducer_errors
t wordcount_reducer_bytes
t wordcount_mapper_bytes
t wordcount_role_usage
t wordcount_missing_input
t events_engines_agree
t graph_and_gil
t events_odd_inputs
t events_stored_and_reported
t unreadable_input
t input_changed_midrun

# ---------------------------------------------------------------------------
# Helpers. A failed assertion prints what it expected and what it got (with
# the last bench command, its status, stdout and stderr), then exits.

QUICK="-r 1 --warmup 0 --no-save -q"
ALL_MODES="serial,thread,process,async"

need_jq() {
	has jq || skip "jq not installed: it reads bench's JSON"
}

need_python() {
	has python3 || skip "python3 not installed: it writes the test data"
}

# Runs bench with standard input from FILE; stdout in ./out, stderr in
# ./err, status in RC.
bench_stdin() { # FILE ARGS...
	_in=$1
	shift
	LAST_CMD="$(show_cmd "$BENCH" "$@") < $_in"
	"$BENCH" "$@" <"$_in" >out 2>err
	RC=$?
}

# jq FILTER over ./out (bench's JSON); fails if ./out is not JSON.
jout() { # FILTER
	jq -r "$1" out 2>jq.err || fail "jq '$1' on bench's output: $(head -n 1 jq.err)"
}

# Fails unless files A and B are the same, showing where they differ.
same_files() { # WHAT A B
	cmp -s "$2" "$3" && return 0
	{
		printf 'FAIL: %s: %s and %s differ\n' "$1" "$2" "$3"
		diff "$2" "$3" | sed -n '1,12s/^/    /p'
		if [ -n "$LAST_CMD" ]; then
			printf '  last command: %s (exit status %s)\n' "$LAST_CMD" "$RC"
			show_file stderr err
		fi
	} >&2
	exit 1
}

# bench run WORKLOAD --input FILE ARGS in JSON, one sample, every mode
# unless ARGS name some: exits 0, and gives one result per mode asked.
run_json() { # WORKLOAD FILE ARGS...
	_wl=$1 _file=$2
	shift 2
	bench run "$_wl" --input "$_file" $QUICK -f json "$@"
	expect_rc 0
	_modes=$ALL_MODES
	_prev=
	for _a in "$@"; do
		case $_prev in -m | --mode) _modes=$_a ;; esac
		_prev=$_a
	done
	assert_eq "modes of the results" "$_modes" "$(jout '[.results[].mode] | join(",")')"
}

# After run_json: sets AGREED to the result FIELDS (jq paths,
# comma-separated) that every mode gives, space-separated, failing unless
# the modes agree and every checksum is verified.
agreed() { # FIELDS
	AGREED=$(jout "[.results[] | [$1] | map(tostring) | join(\" \")] | unique | .[]")
	[ -n "$AGREED" ] || fail "no results"
	[ "$(printf '%s\n' "$AGREED" | wc -l | tr -d ' ')" = 1 ] ||
		fail "modes disagree on ($1): $(printf '%s\n' "$AGREED" | tr '\n' ';')"
	assert_eq "verified in every result" true "$(jout '[.results[].verified] | all')"
}

# After run_json for events: AGREED="lines kept bad_lines checksum".
events_result() {
	agreed '.lines, .kept, .bad_lines, .checksum'
}

# After run_json for wordcount: AGREED="words distinct checksum".
wc_result() {
	agreed '.words, .distinct, .checksum'
}

# After run_json: the warning (run.warnings) that starts with PREFIX.
warning() { # PREFIX
	jout ".run.warnings[] | select(startswith(\"$1\"))"
}

# Events of TYPE in FILE, as jq counts them (FILE must be valid JSON
# Lines: jq stops at a bad line).
jq_count() { # FILE TYPE
	jq -c --arg t "$2" 'select(.event_type == $t)' "$1" >jq.sel 2>jq.err ||
		fail "jq cannot read $1: $(head -n 1 jq.err)"
	wc -l <jq.sel | tr -d ' '
}

sha256() { # TEXT
	printf %s "$1" | sha256sum | cut -d ' ' -f 1
}

# The reference word count of FILE: "word count" lines, sorted.
tr_counts() { # FILE
	tr -cs A-Za-z '\n' <"$1" | tr A-Z a-z | grep . | sort | uniq -c |
		awk '{ print $2, $1 }' | sort
}

# "words distinct" of a "word count" list.
totals() { # FILE
	awk '{ w += $2 } END { print w + 0, NR }' "$1"
}

# bench show wordcount's full list of FILE, as "word count" lines sorted;
# also checks its order: most frequent first, ties by word ascending.
show_counts() { # FILE
	bench show wordcount --input "$1" --limit 100000000
	expect_rc 0
	expect_empty err
	sort -s -k1,1nr -k2,2 out >show.sorted
	same_files "order of 'bench show wordcount' (count descending, then word)" show.sorted out
	awk '{ print $2, $1 }' out | sort
}

# Checks the lines of `bench show events` (./out): every kept line's digest
# is sha256 of its event_id, as the help says to check it.
check_digests() {
	awk '$2 == "kept"' out >kept.lines
	[ -s kept.lines ] || fail "bench show events: no kept line"
	while IFS= read -r _l; do
		_hex=${_l##* }
		_id=${_l#* kept }
		_id=${_id% *}
		assert_eq "digest on show line '$(printf %.60s "$_l")'" "$(sha256 "$_id")" "$_hex"
	done <kept.lines
}

# ---------------------------------------------------------------------------
# 1. events

test_events_kept_matches_jq() {
	need_jq
	"$BENCH" gen events --lines 20000 -o ev.jsonl || fail "bench gen events failed"
	_lines=$(wc -l <ev.jsonl | tr -d ' ')
	assert_eq "wc -l of the generated file" 20000 "$_lines"
	_prev=
	for _type in purchase signup; do
		_want=$(jq_count ev.jsonl "$_type")
		assert_num "jq's $_type events" "$_want" -gt 0
		run_json events ev.jsonl --type "$_type"
		events_result
		set -- $AGREED
		assert_eq "lines (--type $_type)" "$_lines" "$1"
		assert_eq "kept (--type $_type; jq counts $_want)" "$_want" "$2"
		assert_eq "bad_lines (--type $_type)" 0 "$3"
		assert_eq "type in every result" "$_type" "$(jout '[.results[].type] | unique | join(",")')"
		expect_match err "^bench: result: lines $_lines, kept $_want, bad_lines 0, type $_type\$" \
			"the result line on stderr"
		assert_ne "kept of purchase and of signup" "$_prev" "$2"
		_prev=$2
	done
}

test_events_modes_agree() {
	need_jq
	"$BENCH" gen events --lines 20000 --seed 3 -o ev.jsonl || fail "bench gen events failed"
	# Bad lines scattered over many batches: the merged result is the same.
	awk 'NR == 3 || NR == 999 || NR == 7000 || NR == 19999 { print "{\"event_id\":" NR "}"; next }
		NR == 5 || NR == 12000 { print "{\"event_type\": \"purchase\""; next }
		{ print }' ev.jsonl >mixed.jsonl
	for _w in 1 2 3; do
		run_json events mixed.jsonl --workers "$_w" --batch 50
		events_result
		set -- $AGREED
		assert_eq "lines (--workers $_w)" 20000 "$1"
		assert_eq "bad_lines (--workers $_w)" 6 "$3"
		_note=$(warning "note: 6 bad")
		assert_eq "the note (--workers $_w)" \
			"note: 6 bad lines of 20000, skipped: line 3 (no event_type), line 5 (malformed JSON), line 999 (no event_type), line 7000 (no event_type), line 12000 (malformed JSON), ..." \
			"$_note"
		if [ "$_w" = 1 ]; then
			_first="$*"
		else
			assert_eq "result with --workers $_w against --workers 1" "$_first" "$*"
		fi
	done
	# The checksum depends on the input: the clean file gives another one.
	run_json events ev.jsonl --batch 50
	events_result
	set -- $AGREED
	assert_ne "checksum of the clean file" "$(echo "$_first" | cut -d ' ' -f 4)" "$4"
}

test_events_batch_sizes() {
	need_jq
	"$BENCH" gen events --lines 20000 -o ev.jsonl || fail "bench gen events failed"
	_want=$(jq_count ev.jsonl purchase)
	_first=
	for _b in 1 7 1000 100000; do
		run_json events ev.jsonl --batch "$_b"
		events_result
		set -- $AGREED
		assert_eq "lines (--batch $_b)" 20000 "$1"
		assert_eq "kept (--batch $_b)" "$_want" "$2"
		if [ -z "$_first" ]; then
			_first="$*"
			_tasks1=$(jout '.results[0].tasks')
			assert_eq "tasks with --batch 1 (one a line)" 20000 "$_tasks1"
		else
			assert_eq "result with --batch $_b against --batch 1" "$_first" "$*"
		fi
	done
	# --chunk is the same option.
	run_json events ev.jsonl --chunk 7 --mode serial
	events_result
	assert_eq "result with --chunk 7" "$_first" "$AGREED"
	assert_eq "tasks with --chunk 7" $(((20000 + 6) / 7)) "$(jout '.results[0].tasks')"
}

# Valid JSON that a naive reader gets wrong; kept must be jq's count.
make_tricky() { # FILE
	python3 - "$1" <<'EOF'
import sys
lines = [
    r'{"event_type":"purc\u0068ase","event_id":1}',
    r'{"payload":{"event_type":"purchase"},"event_type":"view","event_id":2}',
    r'{"payload":{"event_type":"purchase","x":[{"event_type":"purchase"}]},"event_id":3,"event_type":"click"}',
    r'{"event_type":"click","event_type":"purchase","event_id":4}',
    r'{"event_type":"purchase","event_type":"click","event_id":5}',
    '  {  "event_type"  :  "purchase"  ,  "event_id"  :  6  }  ',
    '\t{"event_type":\t"purchase",\t"event_id":7}\t',
    '{"event_type":"purchase","event_id":"caf\u00e9 \u65e5\u672c","note":"na\u00efve \U0001F600"}',
    r'{"event_type":"purchase","event_id":"\u00e9\ud83d\ude00"}',
    '{"event_type":"purchase","event_id":"ev-10"}',
    '{"event_type":"purchase"}',
    '{"event_type":"purchase","event_id":12.5}',
    '{"event_id":13,"event_type":"purchase"}',
    '{"event_type":"purchase","event_id":-14}',
    '{"event_type":"purchase","event_id":null}',
    '{"event_type":"purchase","event_id":[1, 2]}',
    '{"event_type":"Purchase","event_id":17}',
    '{"event_type":"purchase ","event_id":18}',
    '{"event_type":"signup","event_id":19}',
    r'{"event_type":"p\u0075rchase","event_id":20}',
    '{"event_type":"purchase","event_id":18446744073709551615}',
    '{"payload":{"event_type":"purchase"},"event_type":"signup","event_id":22}',
    '{"event_type":"\u00fcber","event_id":23}',
    r'{"event_type":"purchase","event_id":"a\"b\\c\/d"}',
]
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write("".join(l + "\n" for l in lines))
EOF
}

test_events_tricky_valid() {
	need_jq
	need_python
	make_tricky tricky.jsonl
	_n=$(wc -l <tricky.jsonl | tr -d ' ')
	jq -e . tricky.jsonl >/dev/null || fail "jq does not read tricky.jsonl: the test data is wrong"
	for _type in purchase signup click; do
		_want=$(jq_count tricky.jsonl "$_type")
		run_json events tricky.jsonl --type "$_type" --batch 3
		events_result
		set -- $AGREED
		assert_eq "lines (--type $_type)" "$_n" "$1"
		assert_eq "kept (--type $_type; jq counts $_want)" "$_want" "$2"
		assert_eq "bad_lines (--type $_type)" 0 "$3"
	done
	# Line by line, each event's fate is jq's.
	jq -r 'if .event_type == "purchase" then "kept" else "skipped " + .event_type end' \
		tricky.jsonl | awk '{ print NR, $0 }' >want.fates
	bench show events --input tricky.jsonl --limit 1000
	expect_rc 0
	sed 's/^\([0-9]* kept\) .*/\1/' out >got.fates
	same_files "each line's fate in 'bench show events' against jq" want.fates got.fates
	check_digests
	# The event_id, however it is written.
	for _l in "1 kept 1 " "8 kept café 日本 " "9 kept é😀 " "10 kept ev-10 " \
		"11 kept  " "12 kept 12.5 " "13 kept 13 " "14 kept -14 " \
		"21 kept 18446744073709551615 " '24 kept a"b\c/d '; do
		grep -qF -e "$_l" out || fail "bench show events: no line starting '$_l'"
	done
}

test_events_crlf() {
	need_jq
	need_python
	make_tricky lf.jsonl
	"$BENCH" gen events --lines 3000 >>lf.jsonl || fail "bench gen events failed"
	printf '\n{"event_id": 1}\n' >>lf.jsonl
	sed 's/$/\r/' lf.jsonl >crlf.jsonl
	[ "$(tr -cd '\r' <crlf.jsonl | wc -c)" = "$(wc -l <lf.jsonl)" ] ||
		fail "sed did not add a CR to every line"
	run_json events lf.jsonl --batch 100
	events_result
	_lf=$AGREED
	run_json events crlf.jsonl --batch 100
	events_result
	_crlf=$AGREED
	assert_eq "result of the CRLF file against the LF file (lines kept bad_lines checksum)" "$_lf" "$_crlf"
	assert_eq "bad_lines of the LF file (one blank line, one without event_type)" 2 \
		"$(echo "$_lf" | cut -d ' ' -f 3)"
	"$BENCH" show events --input lf.jsonl --limit 100000 >lf.show || fail "bench show events lf.jsonl failed"
	"$BENCH" show events --input crlf.jsonl --limit 100000 >crlf.show || fail "bench show events crlf.jsonl failed"
	same_files "bench show events of the CRLF file against the LF file" lf.show crlf.show
}

# A file with one bad line of every kind the brief lists.
make_bad() { # FILE
	printf '%s\n' \
		'{"event_type":"purchase","event_id":1}' \
		'{"event_type":"purchase",' \
		'' \
		"$(printf '{"event_type":"purchase","event_id":"a\377b"}')" \
		'{"event_id":5,"payload":{"event_type":"purchase"}}' \
		'{"event_type":5,"event_id":6}' \
		'{"event_type":"purchase","event_id":7}' \
		'{"event_type":"click","event_id":8}' >"$1"
	[ "$(sed -n 4p "$1" | od -An -tx1 | grep -c ' ff')" = 1 ] ||
		fail "line 4 of $1 lacks its 0xff byte: the test data is wrong"
}

BAD_NOTE="note: 5 bad lines of 8, skipped: line 2 (malformed JSON), line 3 (blank line), line 4 (invalid UTF-8), line 5 (no event_type), line 6 (event_type is not a string)"

test_events_bad_lines() {
	need_jq
	make_bad bad.jsonl
	for _b in 1 3 1000; do
		run_json events bad.jsonl --batch "$_b"
		events_result
		set -- $AGREED
		assert_eq "lines kept bad_lines (--batch $_b)" "8 2 5" "$1 $2 $3"
		assert_eq "the note (--batch $_b)" "$BAD_NOTE" "$(warning "note: 5 bad")"
		grep -qxF -e "bench: $BAD_NOTE" err || fail "stderr: no line 'bench: $BAD_NOTE'"
	done
	# The table: the result and the note on stdout.
	bench run events --input bad.jsonl $QUICK --mode serial
	expect_rc 0
	expect_match out '^result: lines 8, kept 2, bad_lines 5, type purchase$' "the result line"
	grep -qxF -e "$BAD_NOTE" out || fail "the table: no line '$BAD_NOTE'"
	bench show events --input bad.jsonl --limit 100
	expect_rc 0
	printf '%s\n' "1 kept 1 $(sha256 1)" "2 bad malformed JSON" "3 bad blank line" \
		"4 bad invalid UTF-8" "5 bad no event_type" "6 bad event_type is not a string" \
		"7 kept 7 $(sha256 7)" "8 skipped click" >want
	same_files "bench show events of bad.jsonl" want out
}

test_events_bad_lines_many() {
	need_jq
	printf '%s\n' '[1,2]' '"purchase"' '{"event_type":"purchase","event_id":3}' \
		'   	  ' '{"event_type":null}' '{"event_type":["purchase"]}' \
		'{"event_type":"purchase","event_id":7}' \
		'{"event_type":"purchase"} {"event_type":"purchase"}' \
		'{"event_type":"purchase","event_id":1,}' >many.jsonl
	printf '%s' '{"event_type":"purchase","event_id":10' >>many.jsonl
	run_json events many.jsonl --batch 2
	events_result
	set -- $AGREED
	assert_eq "lines kept bad_lines" "10 2 8" "$1 $2 $3"
	assert_eq "the note (the first 5 bad lines, then ...)" \
		"note: 8 bad lines of 10, skipped: line 1 (not a JSON object), line 2 (not a JSON object), line 4 (blank line), line 5 (event_type is not a string), line 6 (event_type is not a string), ..." \
		"$(warning "note: 8 bad")"
	bench show events --input many.jsonl --limit 100
	expect_rc 0
	printf '%s\n' "1 bad not a JSON object" "2 bad not a JSON object" "3 kept 3 $(sha256 3)" \
		"4 bad blank line" "5 bad event_type is not a string" \
		"6 bad event_type is not a string" "7 kept 7 $(sha256 7)" \
		"8 bad malformed JSON" "9 bad malformed JSON" "10 bad malformed JSON" >want
	same_files "bench show events of many.jsonl" want out
}

# Lines over 1 MiB are bad wherever they lie in the file; a line of exactly
# 1 MiB is not.
test_events_long_lines() {
	need_jq
	need_python
	python3 - <<'EOF'
import json
MiB = 1 << 20
def ev(i, pad):
    return json.dumps({"event_type": "purchase", "event_id": i, "pad": "x" * pad},
                      separators=(",", ":"))
lines = [
    ev(1, 0),
    ev(2, 1500000),           # 1.5 MB: too long
    ev(3, 0),
    ev(4, MiB - len(ev(4, 0))), # exactly 1 MiB: fine
    ev(5, 3000000),           # 3 MB: too long
    ev(6, 10),
    ev(7, MiB + 1 - len(ev(7, 0))), # 1 MiB + 1 byte: too long
    ev(8, 0),
]
assert len(lines[3]) == MiB and len(lines[6]) == MiB + 1
with open("long.jsonl", "w") as f:
    f.write("".join(l + "\n" for l in lines))
# The same long line first in a file, where the reader's first read ends.
with open("first.jsonl", "w") as f:
    f.write(ev(1, 1500000) + "\n" + ev(2, 0) + "\n")
EOF
	_note="note: 3 bad lines of 8, skipped: line 2 (line longer than 1 MiB), line 5 (line longer than 1 MiB), line 7 (line longer than 1 MiB)"
	for _b in 1 1000; do
		run_json events long.jsonl --batch "$_b"
		events_result
		set -- $AGREED
		assert_eq "lines kept bad_lines (--batch $_b)" "8 5 3" "$1 $2 $3"
		assert_eq "the note (--batch $_b)" "$_note" "$(warning "note: 3 bad")"
	done
	bench show events --input long.jsonl --limit 100
	expect_rc 0
	assert_eq "bench show events, line 2" "2 bad line longer than 1 MiB" "$(sed -n 2p out)"
	assert_eq "bench show events, line 4" "4 kept 4 $(sha256 4)" "$(sed -n 4p out)"
	run_json events first.jsonl --mode serial
	assert_eq "lines kept bad_lines of first.jsonl (a 1.5 MB line, then a good one)" \
		"2 1 1" "$(jout '.results[0] | "\(.lines) \(.kept) \(.bad_lines)"')"
}

test_events_last_line() {
	need_jq
	# A good last line without a newline is an event.
	printf '%s\n%s' '{"event_type":"purchase","event_id":1}' \
		'{"event_type":"purchase","event_id":2}' >good.jsonl
	run_json events good.jsonl
	events_result
	set -- $AGREED
	assert_eq "lines kept bad_lines (good last line, no newline)" "2 2 0" "$1 $2 $3"
	assert_eq "jq's count of good.jsonl" 2 "$(jq_count good.jsonl purchase)"
	# The same with its newline gives the same result.
	_nonl=$4
	printf '\n' >>good.jsonl
	run_json events good.jsonl
	events_result
	assert_eq "result with the newline added" "2 2 0 $_nonl" "$AGREED"
	# A truncated last line is bad, and only it.
	"$BENCH" gen events --lines 2500 -o ev.jsonl || fail "bench gen events failed"
	_want=$(jq_count ev.jsonl purchase)
	head -c -40 ev.jsonl >cut.jsonl
	tail -n 1 ev.jsonl >last.jsonl
	_last=$(jq_count last.jsonl purchase)
	run_json events cut.jsonl --batch 100
	events_result
	set -- $AGREED
	assert_eq "lines kept bad_lines (truncated last line)" \
		"2500 $((_want - _last)) 1" "$1 $2 $3"
	assert_eq "the note" "note: 1 bad line of 2500, skipped: line 2500 (malformed JSON)" \
		"$(warning "note: 1 bad")"
}

test_events_strict() {
	"$BENCH" gen events --lines 3000 -o ev.jsonl || fail "bench gen events failed"
	awk 'NR == 1234 { print "{\"event_type\": \"purchase\", oops}"; next } { print }' \
		ev.jsonl >bad.jsonl
	for _m in serial thread process async all; do
			bench run events --input bad.jsonl --strict --batch 100 --mode "$_m" $QUICK
		expect_rc 1
		expect_empty out
		expect_nlines err 1
		expect_match err '^bench: .*bad\.jsonl line 1234: malformed JSON' \
			"an error naming the file, the line and why (--mode $_m)"
	done
	# A blank line too, in JSON output.
	printf '{"event_type":"purchase","event_id":1}\n\n' >blank.jsonl
	bench run events --input blank.jsonl --strict $QUICK -f json
	expect_rc 1
	expect_empty out
	expect_nlines err 1
	expect_match err 'blank\.jsonl line 2: blank line' "the error naming line 2"
}

test_events_strict_clean() {
	need_jq
	"$BENCH" gen events --lines 3000 -o ev.jsonl || fail "bench gen events failed"
	run_json events ev.jsonl --strict
	events_result
	set -- $AGREED
	assert_eq "lines bad_lines with --strict" "3000 0" "$1 $3"
	assert_eq "kept with --strict (jq's count)" "$(jq_count ev.jsonl purchase)" "$2"
}

test_events_missing_input() {
	bench run events --input nope.jsonl $QUICK
	expect_rc 1
	expect_empty out
	expect_nlines err 1
	expect_match err '^bench.*nope\.jsonl' "the error naming nope.jsonl"
	mkdir dir.jsonl
	bench run events --input dir.jsonl $QUICK
	expect_rc 1
	expect_empty out
	expect_nlines err 1
	expect_match err '^bench.*dir\.jsonl.*director' "the error naming dir.jsonl, a directory"
	bench show events --input nope.jsonl
	expect_rc 1
	expect_empty out
	expect_nlines err 1
	expect_match err '^bench.*nope\.jsonl' "the error naming nope.jsonl"
}

test_events_empty_type() {
	printf '{"event_type":"purchase"}\n' >ev.jsonl
	usage_error '--type' run events --input ev.jsonl --type '' $QUICK
}

test_events_empty_file() {
	need_jq
	: >empty.jsonl
	run_json events empty.jsonl
	events_result
	set -- $AGREED
	assert_eq "lines kept bad_lines of an empty file" "0 0 0" "$1 $2 $3"
	expect_match err '^bench: result: lines 0, kept 0, bad_lines 0, type purchase$' "the result line"
	bench show events --input empty.jsonl
	expect_rc 0
	expect_empty out
}

test_events_show() {
	need_jq
	"$BENCH" gen events --lines 500 -o ev.jsonl || fail "bench gen events failed"
	# The default is 10 lines.
	bench show events --input ev.jsonl
	expect_rc 0
	expect_nlines out 10
	for _type in purchase view; do
		bench show events --input ev.jsonl --type "$_type" --limit 300
		expect_rc 0
		expect_empty err
		jq -r --arg t "$_type" 'if .event_type == $t then "kept \(.event_id)" else "skipped \(.event_type)" end' \
			ev.jsonl | head -n 300 | awk '{ print NR, $0 }' >want
		sed 's/^\([0-9]* kept [^ ]*\) .*/\1/' out >got
		same_files "bench show events --type $_type against jq" want got
		check_digests
	done
	# More than the file: every line once.
	bench show events --input ev.jsonl --limit 100000
	expect_rc 0
	expect_nlines out 500
	assert_eq "last line number" 500 "$(tail -n 1 out | cut -d ' ' -f 1)"
}

test_events_memory_constant() {
	need_jq
	"$BENCH" gen events --lines 400000 -o big.jsonl || fail "bench gen events failed"
	head -n 40000 big.jsonl >small.jsonl
	_mb=$(($(wc -c <big.jsonl) >> 20))
	assert_num "MB of the big file" "$_mb" -gt 80
	# Under AddressSanitizer freed memory waits in a quarantine (256 MB)
	# and counts in the peak: turn it off, so that the peak is bench's.
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0:thread_local_quarantine_size_kb=0"
	export ASAN_OPTIONS
	run_json events small.jsonl --mode serial
	_small=$(jout '.results[0].maxrss_kb')
	assert_eq "lines of the small file" 40000 "$(jout '.results[0].lines')"
	run_json events big.jsonl --mode serial
	_big=$(jout '.results[0].maxrss_kb')
	assert_eq "lines of the big file" 400000 "$(jout '.results[0].lines')"
	assert_num "maxrss_kb of the small file" "$_small" -gt 0
	assert_num "maxrss_kb growth from 40000 to 400000 lines ($_small to $_big kB; the file is $_mb MB)" \
		"$((_big - _small))" -lt 8192
}

# ---------------------------------------------------------------------------
# 2. wordcount

test_wordcount_show_matches_tr() {
	"$BENCH" gen text --mb 2 -o t.txt || fail "bench gen text failed"
	tr_counts t.txt >want
	assert_num "distinct words of t.txt" "$(wc -l <want)" -gt 100
	show_counts t.txt >got
	same_files "bench show wordcount against tr | sort | uniq -c" want got
	# --limit N: the first N of the full list.
	cp out full
	bench show wordcount --input t.txt --limit 5
	expect_rc 0
	head -n 5 full >top5
	same_files "bench show wordcount --limit 5 against the full list's top" top5 out
	assert_eq "the most frequent word" the "$(head -n 1 out | cut -d ' ' -f 2)"
}

test_wordcount_run_totals() {
	need_jq
	"$BENCH" gen text --mb 2 -o t.txt || fail "bench gen text failed"
	tr_counts t.txt >want
	set -- $(totals want)
	_words=$1 _distinct=$2
	run_json wordcount t.txt
	wc_result
	set -- $AGREED
	assert_eq "words distinct against tr" "$_words $_distinct" "$1 $2"
	_sum=$3
	expect_match err "^bench: result: words $_words, distinct $_distinct\$" "the result line"
	run_json wordcount t.txt --chunk 1 --workers 3
	wc_result
	assert_eq "result with --chunk 1 --workers 3 against the default" \
		"$_words $_distinct $_sum" "$AGREED"
	# Another text, another checksum.
	"$BENCH" gen text --mb 2 --seed 2 -o t2.txt || fail "bench gen text failed"
	run_json wordcount t2.txt --mode serial
	assert_ne "checksum of another text" "$_sum" "$(jout '.results[0].checksum')"
}

# Small texts: "NAME|CONTENT (printf format)|WORDS DISTINCT".
TRICKY_TEXTS='empty||0 0
no_newline|hello world|2 2
punctuation|.,;:!?-- ...\n\n  (123) 456\t"\047"\n|0 0
utf8|café naïve Café NAÏVE über\n|7 4
digits|abc123def ABC abc Def 1a2b3c\n|8 5
mixed_case|The THE the tHe tHE\nthe\n|6 1
spaces|   \n\n\t  lead   and  trail   \n\n|3 3
crlf|one two\r\ntwo three\r\n|4 3'

test_wordcount_tricky_texts() {
	need_jq
	printf '%s\n' "$TRICKY_TEXTS" >texts
	while IFS='|' read -r _name _fmt _want; do
		# shellcheck disable=SC2059 # the formats are ours
		printf "$_fmt" >"$_name.txt"
		tr_counts "$_name.txt" >"$_name.want"
		assert_eq "$_name: tr's words distinct (the test's own data)" "$_want" "$(totals "$_name.want")"
		run_json wordcount "$_name.txt"
		wc_result
		set -- $AGREED
		assert_eq "$_name: words distinct" "$_want" "$1 $2"
		show_counts "$_name.txt" >"$_name.got"
		same_files "$_name: bench show wordcount against tr" "$_name.want" "$_name.got"
		bench_stdin "$_name.txt" wordcount mapper
		expect_rc 0
		sort out | "$BENCH" wordcount reducer | tr '\t' ' ' | sort >"$_name.hadoop"
		same_files "$_name: mapper | sort | reducer against tr" "$_name.want" "$_name.hadoop"
	done <texts
	assert_eq "utf8: the words (word count)" "ber 1|caf 2|na 2|ve 2|" "$(tr '\n' '|' <utf8.got)"
}

# A word longer than a block (256 KiB), crossing a block boundary, twice.
test_wordcount_long_word() {
	need_jq
	need_python
	python3 - <<'EOF'
import random
r = random.Random(5)
vocab = ["alpha", "beta", "Gamma", "delta", "EPSILON", "zeta"]
def words(n):
    return " ".join(r.choice(vocab) for _ in range(n))
long = "Q" * 300000
text = words(40000) + " " + long + " " + words(30000) + "\n" + long.lower() + "."
with open("long.txt", "w") as f:
    f.write(text)
EOF
	[ "$(wc -c <long.txt)" -gt 600000 ] || fail "long.txt is too short: the test data is wrong"
	tr_counts long.txt >want
	set -- $(totals want)
	_words=$1 _distinct=$2
	assert_eq "tr: the long word's count" 2 "$(awk 'length($1) == 300000 { print $2 }' want)"
	run_json wordcount long.txt
	wc_result
	set -- $AGREED
	assert_eq "words distinct against tr" "$_words $_distinct" "$1 $2"
	_sum=$3
	run_json wordcount long.txt --chunk 1
	wc_result
	assert_eq "result with --chunk 1" "$_words $_distinct $_sum" "$AGREED"
	bench_stdin long.txt wordcount mapper
	expect_rc 0
	sort out | "$BENCH" wordcount reducer | tr '\t' ' ' | sort >hadoop
	same_files "mapper | sort | reducer against tr" want hadoop
	# bench show: the same counts, the long word among them.
	bench show wordcount --input long.txt --limit 100
	expect_rc 0
	assert_eq "lines of bench show" "$_distinct" "$(wc -l <out | tr -d ' ')"
	awk '{ print $1 }' out | sort -n >got.counts
	awk '{ print $2 }' want | sort -n >want.counts
	same_files "the counts bench show prints" want.counts got.counts
	_q=$(awk '$2 ~ /^qqqqqqqqqq/ { print $1, length($2) }' out)
	case $_q in
	"2 300000") ;;
	"2 "*) note "bench show wordcount prints the 300000-letter word cut to ${_q#2 } bytes" ;;
	*) fail "bench show: the long word with count 2: got '$_q'" ;;
	esac
}

test_wordcount_streaming_pair() {
	"$BENCH" gen text --mb 2 -o t.txt || fail "bench gen text failed"
	tr_counts t.txt >want
	bench_stdin t.txt wordcount mapper
	expect_rc 0
	expect_empty err
	mv out mapped
	LAST_CMD="sort mapped | $BENCH wordcount reducer"
	sort mapped | "$BENCH" wordcount reducer >out 2>err
	RC=$?
	expect_rc 0
	expect_empty err
	tr '\t' ' ' <out | sort >got
	same_files "mapper | sort | reducer against tr" want got
	# The reducer's output is in key order, each key once.
	cut -f 1 out | sort -c -u 2>/dev/null || fail "the reducer's keys are not sorted and unique"
	# And it matches bench show's full list.
	show_counts t.txt >shown
	same_files "mapper | sort | reducer against bench show wordcount" shown got
}

test_wordcount_mapper_format() {
	printf 'Hello, WORLD! hello\ncafé x9y\n\nend' >in.txt
	bench_stdin in.txt wordcount mapper
	expect_rc 0
	expect_empty err
	printf 'hello\t1\nworld\t1\nhello\t1\ncaf\t1\nx\t1\ny\t1\nend\t1\n' >want
	same_files "mapper output of in.txt" want out
	"$BENCH" gen text --mb 1 -o t.txt || fail "bench gen text failed"
	bench_stdin t.txt wordcount mapper
	expect_rc 0
	LC_ALL=C grep -v "$(printf '^[a-z][a-z]*\t1$')" out >odd
	[ ! -s odd ] || fail "mapper lines not 'word<TAB>1': $(head -n 3 odd | tr '\t\n' '>;')"
	set -- $(tr_counts t.txt >want && totals want)
	assert_eq "mapper lines (words by tr)" "$1" "$(wc -l <out | tr -d ' ')"
	: >empty.txt
	bench_stdin empty.txt wordcount mapper
	expect_rc 0
	expect_empty out
}

# The reducer rejects a line that is not KEY<TAB>COUNT, naming its number.
test_wordcount_reducer_errors() {
	printf 'a\t1\na\t2\nb\t3' >good.in
	bench_stdin good.in wordcount reducer
	expect_rc 0
	expect_empty err
	printf 'a\t3\nb\t3\n' >want
	same_files "reducer output (no newline at the end of its input)" want out
	: >empty.in
	bench_stdin empty.in wordcount reducer
	expect_rc 0
	expect_empty out
	for _case in 'no tab|b 1' 'a word|b\tx' 'a negative number|b\t-1' 'no value|b\t' \
		'a fraction|b\t1.5' 'a number then letters|b\t1x' 'an empty line|' \
		'an overflowing number|b\t99999999999999999999'; do
		_what=${_case%%|*}
		# shellcheck disable=SC2059
		printf "a\t1\na\t2\n${_case#*|}\nc\t1\n" >bad.in
		bench_stdin bad.in wordcount reducer
		expect_rc 1
		expect_nlines err 1
		expect_match err '^bench.*line 3' "the error naming line 3 ($_what)"
	done
}

# Keys are bytes: NULs are part of a key, compared and printed whole.
# Counts are digits up to the newline, nothing else. A CRLF line ending
# is named as such, and what a message echoes of the input has its
# control bytes escaped, never raw on the terminal.
test_wordcount_reducer_bytes() {
	printf 'a\0b\t1\na\0b\t2\na\0c\t5\n' >nul.in
	bench_stdin nul.in wordcount reducer
	expect_rc 0
	expect_empty err
	printf 'a\0b\t3\na\0c\t5\n' >want
	same_files "reducer output of keys holding a NUL" want out
	# CASE|INPUT (a printf format)|what the message echoes of line 2 (ERE)
	while IFS='|' read -r _what _in _echo; do
		# shellcheck disable=SC2059 # the formats are ours
		printf "$_in" >bad.in
		bench_stdin bad.in wordcount reducer
		expect_rc 1
		expect_nlines err 1
		expect_match err "^bench: reducer: line 2: .*got '$_echo'" "line 2 and its bytes, escaped ($_what)"
		LC_ALL=C grep -q "$(printf '[\001-\037\177]')" err &&
			fail "a raw control byte in the message ($_what): $(od -c err | head -n 4)"
		[ "$(tr -d '\000' <err | wc -c)" = "$(wc -c <err)" ] ||
			fail "a raw NUL in the message ($_what): $(od -c err | head -n 4)"
	done <<'EOF'
a count, a NUL and junk|a\t1\nb\t1\0junk\n|b\\t1\\0junk
an escape sequence in the key|a\t1\nb\033[31m\tx\n|b\\x1b\[31m\\tx
a CR inside the count|a\t1\nb\t1\r2\n|b\\t1\\r2
a backslash in the key|a\t1\nb\\x\ty\n|b\\\\x\\ty
EOF
	printf 'a\t1\r\nb\t2\r\n' >crlf.in
	bench_stdin crlf.in wordcount reducer
	expect_rc 1
	expect_empty out
	expect_nlines err 1
	expect_match err '^bench: reducer: line 1: .*got .a\\t1\\r. \(a CRLF line ending\)$' \
		"CRLF named as such, the CR escaped"
}

# The mapper splits at every byte that is not a letter: NUL and CR too.
test_wordcount_mapper_bytes() {
	printf 'one\0two\r\nThree\033[1m four\377five' >in.txt
	bench_stdin in.txt wordcount mapper
	expect_rc 0
	expect_empty err
	printf 'one\t1\ntwo\t1\nthree\t1\nm\t1\nfour\t1\nfive\t1\n' >want
	same_files "mapper output of words between NUL, CR, ESC and 0xff bytes" want out
	# A word longer than a read (64 KiB) comes out whole.
	{ printf 'a '; head -c 200000 /dev/zero | tr '\0' W; printf ' b'; } >long.txt
	bench_stdin long.txt wordcount mapper
	expect_rc 0
	assert_eq "the long word's mapping (word or length, count)" "a 1|200000 1|b 1|" \
		"$(awk -F '\t' '{ n = length($1); printf "%s %s|", (n > 1 ? n : $1), $2 }' out)"
}

test_wordcount_role_usage() {
	usage_error 'mapper or reducer' wordcount
	usage_error "'shuffle'" wordcount shuffle
	usage_error "'extra'" wordcount mapper extra
}

test_wordcount_missing_input() {
	bench run wordcount --input nope.txt $QUICK
	expect_rc 1
	expect_empty out
	expect_nlines err 1
	expect_match err '^bench.*nope\.txt' "the error naming nope.txt"
	mkdir dir.txt
	bench show wordcount --input dir.txt
	expect_rc 1
	expect_empty out
	expect_nlines err 1
	expect_match err '^bench.*dir\.txt' "the error naming dir.txt"
}

# The cross-check engines run the same case: the hyperfine child reads the
# same --input (a name that needs quoting) with the same --type.
test_events_engines_agree() {
	need_jq
	has hyperfine || skip "hyperfine not installed"
	"$BENCH" gen events --lines 3000 -o "it's events.jsonl" || fail "bench gen"
	bench run events --input "it's events.jsonl" --type view --mode serial \
		--engine native,hyperfine $QUICK -f json
	expect_rc 0
	assert_eq "engines" "native,hyperfine" "$(jout '[.results[].engine] | join(",")')"
	assert_eq "checksums of both engines" 1 "$(jout '[.results[].checksum] | unique | length')"
	assert_eq "kept views" "$(jq -c 'select(.event_type=="view")' "it's events.jsonl" | wc -l)" \
		"$(jout '.results[0].kept')"
}

# graph: every mode agrees and none beats the critical path; --gil holds
# thread mode to about serial on computing, and lets it overlap waits.
# Only what physics guarantees on a loaded machine (or under TSan) is
# asserted: lower bounds on time, and overlap, never a speedup.
test_graph_and_gil() {
	need_jq
	bench run graph --size 20 --max-ms 10 --workers 4 $QUICK -f json
	expect_rc 0
	assert_eq "graph checksums" 1 "$(jout '[.results[].checksum] | unique | length')"
	crit=$(jout '.results[0].critical_path_us')
	waits=$(jout '.results[0].waits_us')
	assert_num "critical path" "$crit" -lt "$waits"
	for m in thread process async; do
		assert_num "$m median (ns) against the critical path (us)" \
			"$(jout ".results[] | select(.mode == \"$m\") | .median_ns | floor")" -ge $((crit * 1000))
	done
	bench run sleep --size 16 --max-ms 50 --mode serial,thread --workers 16 --gil -r 3 --warmup 0 --no-save -q -f json
	expect_rc 0
	assert_eq "gil_ms on the thread result" 5 "$(jout '.results[] | select(.mode == "thread") | .gil_ms | floor')"
	assert_eq "no gil_ms on serial" null "$(jout '.results[] | select(.mode == "serial") | .gil_ms')"
	# Waiting lets go of the lock, so 16 threads overlap 16 waits. Waits
	# taken one after another last at least their sum however loaded the
	# machine is, so one thread sample below the sum proves that they
	# overlapped (by how much is a timing claim: scripts/bench-check.sh).
	"$BENCH" show sleep --size 16 --max-ms 50 >waits || fail "bench show sleep failed"
	sum_ms=$(awk '{ s += $2 } END { print s + 0 }' waits)
	assert_num "sum of the 16 waits (ms; the test's own data)" "$sum_ms" -ge 200
	assert_num "fastest thread sample on sleep under --gil (ns) against the sum of the waits" \
		"$(jout '.results[] | select(.mode == "thread") | .samples_ns | min | floor')" -lt $((sum_ms * 1000000))
	bench run hash --size 200k --gil=2 --mode thread --workers 2 $QUICK
	expect_rc 0
	expect_match out 'gil: thread workers took turns' "the --gil note"
	bench run hash --gil=0 $QUICK
	expect_rc 2
}

# Valid JSON bench cannot represent gets its own reason, not "malformed";
# a device is refused at once instead of being read forever; --strict
# names the first bad line in file order whatever the mode.
test_events_odd_inputs() {
	{
		echo '{"event_id": 123456789012345678901234567890, "event_type": "purchase"}'
		echo '{"x": 1e400, "event_type": "purchase"}'
		echo '{"x": 01, "event_type": "purchase"}'
		python3 -c 'print("[" * 1100 + "]" * 1100)'
		echo '{"event_id": 4, "event_type": "purchase"}'
	} > odd.jsonl
	bench show events --input odd.jsonl
	expect_rc 0
	expect_match out '^1 bad number beyond 64 bits$' "line 1 out of range"
	expect_match out '^2 bad number beyond 64 bits$' "line 2 out of range"
	expect_match out '^3 bad malformed JSON$' "line 3 malformed"
	expect_match out '^4 bad nested deeper than 1024 levels$' "line 4 too deep"
	expect_match out '^5 kept 4 ' "line 5 kept"
	bench run events --input /dev/zero $QUICK
	expect_rc 1
	expect_nlines err 1
	expect_match err 'not a regular file' "a device refused"
	"$BENCH" gen events --lines 4000 -o ev.jsonl || fail "bench gen"
	awk 'NR == 1001 || NR == 3500 { print "{"; next } { print }' ev.jsonl > two.jsonl
	for m in serial thread process async; do
		bench run events --input two.jsonl --strict --batch 1000 --mode $m --workers 2 $QUICK
		expect_rc 1
		expect_match err 'two\.jsonl line 1001: malformed JSON \(--strict; 2 bad lines in all\)' \
			"the first bad line in file order ($m)"
	done
}

# A stored events run reads back with its file, type, lines and counts;
# complexity cannot sweep sizes of a fixed file.
test_events_stored_and_reported() {
	need_jq
	"$BENCH" gen events --lines 2500 -o ev.jsonl || fail "bench gen"
	bench run events --input ev.jsonl --type view --mode serial,thread --gil \
		--results r.db -r 2 --warmup 0 -q
	expect_rc 0
	bench report latest --results r.db -f json
	expect_rc 0
	assert_eq "input" ev.jsonl "$(jout '.results[0].input')"
	assert_eq "type" view "$(jout '.results[0].type')"
	assert_eq "size (the file's lines)" 2500 "$(jout '.results[0].size')"
	assert_eq "kept" "$(jq -c 'select(.event_type=="view")' ev.jsonl | wc -l)" "$(jout '.results[0].kept')"
	assert_eq "gil_ms on thread" 5 "$(jout '.results[1].gil_ms | floor')"
	bench report latest --results r.db
	expect_rc 0
	expect_match out '^events: 2500 lines of ev\.jsonl' "the header naming the file"
	expect_match out '^result: lines 2500, kept [0-9]+, bad_lines 0, type view$' "the result line"
	bench complexity events --input ev.jsonl --sizes 1k,2k,4k --no-save -q
	expect_rc 2
	expect_match err 'input fixes the input' "complexity refusing --input"
}

# A file bench may not read: one line naming it and why, exit 1. Root
# reads anything, so as root bench runs in a new user namespace (unshare
# -U), where the outer root's files are not its own.
test_unreadable_input() {
	"$BENCH" gen events --lines 10 -o ev.jsonl || fail "bench gen"
	printf 'some words\n' > words.txt
	chmod 000 ev.jsonl words.txt
	pre=
	if cat ev.jsonl >/dev/null 2>&1; then
		has unshare || skip "running as root and no unshare: cannot make a file unreadable"
		unshare -U cat ev.jsonl >/dev/null 2>&1 &&
			skip "running as root: even under 'unshare -U' the file is readable"
		pre="unshare -U"
	fi
	for wl in events:ev.jsonl wordcount:words.txt; do
		run $pre "$BENCH" run "${wl%%:*}" --input "${wl#*:}" $QUICK
		expect_rc 1
		expect_empty out
		expect_nlines err 1
		expect_match err "cannot open ${wl#*:}: Permission denied" "the error naming the file"
	done
}

# Waits until bench (PID) has a child, a worker of its process mode:
# then its input is prepared and its samples under way.
wait_worker() { # PID
	_i=0
	while [ -z "$(children "$1")" ]; do
		kill -0 "$1" 2>/dev/null || fail "bench ended before starting a worker"
		_i=$((_i + 1))
		[ "$_i" -lt 600 ] || fail "bench started no worker in 30 s"
		sleep 0.05
	done
}

# An input file that shrinks or grows while a run goes: one line naming
# it and both sizes, exit 1, every worker reaped. wordcount, which mapped
# its input, used to die of SIGBUS (exit 135, no message), and events
# blamed the modes ("checksum mismatch ... serial gave X but thread gave
# Y"). The run asks for endless samples, so it stops only on the change.
test_input_changed_midrun() {
	"$BENCH" gen text --mb 4 -o words.txt || fail "bench gen text failed"
	"$BENCH" gen events --lines 10000 -o ev.jsonl || fail "bench gen events failed"
	for _case in wordcount:words.txt:empty wordcount:words.txt:grow \
		events:ev.jsonl:shrink events:ev.jsonl:grow; do
		_wl=${_case%%:*} _how=${_case##*:}
		_f=${_case#*:}
		_f=${_f%:*}
		cp "$_f" in
		_size=$(wc -c <in | tr -d ' ')
		start_bg "$BENCH" run "$_wl" --input in --mode serial,thread,process \
			-r 100000 --warmup 0 --no-save -q
		wait_worker "$BG_PID"
		# truncate(1) changes the size in one step, as bench may look
		# at any moment.
		case $_how in
		empty) _now=0 ;;
		shrink) _now=$((_size / 2)) ;;
		grow) _now=$((_size + 1000)) ;;
		esac
		truncate -s "$_now" in || fail "truncate -s $_now failed"
		wait_exit "$BG_PID" 30 || fail "bench run $_wl went on for 30 s after its input changed"
		wait "$BG_WAIT"
		RC=$?
		expect_rc 1
		expect_empty out
		expect_nlines err 1
		expect_match err "^bench: $_wl: input 'in' changed during the run \\($_size bytes, now $_now\\)\$" \
			"the error naming the input and both sizes ($_wl, $_how)"
		expect_reaped ""
		BG_PID='' BG_WAIT=''
	done
}

lib_start "$@"
