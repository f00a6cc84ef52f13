#!/bin/sh
# test_gen.sh BENCH - `bench gen`: the events are valid JSON Lines with the
# promised fields, mix and oddities, output is deterministic, text comes in
# the size asked, and failures leave no file. Each test runs in a fresh
# temporary folder under a time limit; ends with "gen: N passed, M failed".
set -u
SUITE="gen"
SUITE_TIMEOUT=60
TESTS_FAIL_ON_RETURN=1
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
TESTS=
t() { TESTS="$TESTS $1"; }


# usage_fails ARGS...: bench gen ARGS must exit 2 with one line on stderr
# and nothing on stdout.
usage_fails() {
	"$BENCH" gen "$@" >out.txt 2>err.txt
	status=$?
	[ "$status" = 2 ] || { echo "gen $*: exit $status, expected 2"; cat err.txt; return 1; }
	[ "$(wc -l < err.txt)" = 1 ] || { echo "gen $*: stderr is not one line:"; cat err.txt; return 1; }
	[ ! -s out.txt ] || { echo "gen $*: wrote to stdout"; return 1; }
}

test_events_valid_json() {
	"$BENCH" gen events --lines 5000 -o ev.jsonl || return 1
	if has python3; then
		python3 - <<'PY' || return 1
import json, re
ts_re = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
prev = ""
with open("ev.jsonl", encoding="utf-8") as f:
    for n, line in enumerate(f):
        e = json.loads(line)
        assert e["event_id"] == n, (n, e["event_id"])
        assert isinstance(e["user_id"], int) and e["user_id"] > 0, line
        assert e["event_type"] in ("click", "view", "purchase", "signup"), line
        assert ts_re.match(e["ts"]) and e["ts"] > prev, (prev, line)
        prev = e["ts"]
        p = e["payload"]
        assert isinstance(p, dict), line
        assert isinstance(p["page"], str) and p["page"].startswith("/"), line
        assert isinstance(p["note"], str), line
        assert isinstance(p["items"], list), line
        for it in p["items"]:
            assert isinstance(it["sku"], str) and isinstance(it["price"], float), line
        extra = set(e) - {"event_id", "user_id", "event_type", "ts", "payload"}
        assert extra <= {"campaign"}, line
assert n == 4999, n
PY
	else
		echo "# python3 not installed: JSON parse check skipped"
	fi
	if has jq; then
		jq -e 'select((.event_id|type) != "number" or (.payload|type) != "object"
			or (.ts|type) != "string" or (.event_type|type) != "string")' \
			ev.jsonl > bad.txt
		[ $? = 4 ] || { echo "jq found bad lines or failed:"; head -n 3 bad.txt; return 1; }
	fi
}

test_event_type_mix() {
	"$BENCH" gen events --lines 10000 > ev.jsonl || return 1
	# About 60/25/10/5 %; exact, since seed 1 always gives the same lines.
	for want in click:6011 view:2474 purchase:1014 signup:501; do
		got=$(grep -c "\"event_type\": \"${want%%:*}\"" ev.jsonl)
		[ "$got" = "${want#*:}" ] || { echo "${want%%:*}: $got lines, expected ${want#*:}"; return 1; }
	done
}

test_line_count() {
	n=$("$BENCH" gen events --lines 1000 | wc -l)
	[ "$n" = 1000 ] || { echo "wc -l gives $n, expected 1000"; return 1; }
	n=$("$BENCH" gen events --lines 1k --seed 9 | wc -l)
	[ "$n" = 1000 ] || { echo "--lines 1k: wc -l gives $n"; return 1; }
}

test_deterministic() {
	"$BENCH" gen events --lines 3000 --seed 5 > a.jsonl || return 1
	"$BENCH" gen events --lines 3000 --seed 5 -o b.jsonl || return 1
	cmp a.jsonl b.jsonl || { echo "same seed, different bytes"; return 1; }
	"$BENCH" gen events --lines 3000 --seed 6 > c.jsonl || return 1
	if cmp -s a.jsonl c.jsonl; then echo "seeds 5 and 6 gave the same file"; return 1; fi
	# Line i depends only on (seed, i): a longer file starts the same.
	"$BENCH" gen events --lines 4000 --seed 5 | head -n 3000 | cmp - a.jsonl || return 1
	"$BENCH" gen text --mb 1 -s 3 > t1.txt || return 1
	"$BENCH" gen text --mb 1 -s 3 > t2.txt || return 1
	cmp t1.txt t2.txt || { echo "text: same seed, different bytes"; return 1; }
	"$BENCH" gen text --mb 1 -s 4 > t3.txt || return 1
	if cmp -s t1.txt t3.txt; then echo "text: seeds 3 and 4 gave the same file"; return 1; fi
}

test_events_oddities() {
	"$BENCH" gen events --lines 1000 > ev.jsonl || return 1
	grep -q '\\"' ev.jsonl || { echo "no escaped quote"; return 1; }
	grep -q "\\\\\\\\" ev.jsonl || { echo "no escaped backslash"; return 1; }
	grep -q '\\n' ev.jsonl || { echo "no escaped newline"; return 1; }
	grep -q '\\u[0-9a-f]\{4\}' ev.jsonl || { echo "no \\u escape"; return 1; }
	LC_ALL=C grep -q "$(printf '[\200-\377]')" ev.jsonl || { echo "no raw non-ASCII byte"; return 1; }
	n=$(grep -c '"campaign": ' ev.jsonl)
	if [ "$n" -lt 25 ] || [ "$n" -gt 80 ]; then
		echo "$n lines of 1000 have the extra field, expected about 50"
		return 1
	fi
	# JSON text never holds a raw control character (bytes below 0x20).
	if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037]')" ev.jsonl; then
		echo "raw control character in the output"
		return 1
	fi
}

test_text_size() {
	"$BENCH" gen text --mb 1 -o t.txt || return 1
	size=$(wc -c < t.txt)
	# At least 1 MiB, and only the last line may pass it.
	if [ "$size" -lt 1048576 ] || [ "$size" -ge $((1048576 + 400)) ]; then
		echo "size $size, expected 1 MiB within a line"
		return 1
	fi
	bad=$(awk 'NF < 10 || NF > 15' t.txt | head -n 3)
	[ -z "$bad" ] || { echo "lines not of 10-15 words:"; echo "$bad"; return 1; }
	words=$(wc -w < t.txt)
	[ "$words" -gt 100000 ] || { echo "only $words words"; return 1; }
	grep -q '^[A-Z]' t.txt || { echo "no capitalised line start"; return 1; }
	grep -q ',' t.txt || { echo "no punctuation"; return 1; }
	# Zipf-like: "the" is the most frequent word by far.
	top=$(tr -s ' ' '\n' < t.txt | tr '[:upper:]' '[:lower:]' | tr -d '.,!?' | sort | uniq -c | sort -rn | head -n 1 | awk '{print $2}')
	[ "$top" = the ] || { echo "most frequent word is '$top'"; return 1; }
}

test_usage_errors() {
	usage_fails events --lines 0 || return 1
	usage_fails events || return 1
	usage_fails events --lines 99999999999999999999999 || return 1
	usage_fails events --lines 5G0 || return 1
	usage_fails events --lines -3 || return 1
	usage_fails text --mb 0 || return 1
	usage_fails text || return 1
	usage_fails text --mb 2000000 || return 1
	usage_fails events --mb 1 || return 1
	usage_fails logs --lines 10 || return 1
	usage_fails || return 1
	usage_fails events --lines 10 --bogus || return 1
	usage_fails events --lines 10 extra || return 1
	usage_fails events --lines || return 1
	"$BENCH" gen logs --lines 10 2>&1 | grep -q "unknown kind 'logs'" ||
		{ echo "unknown kind not named"; return 1; }
}

test_help() {
	"$BENCH" gen --help > h.txt || return 1
	grep -q 'bench gen events --lines 1000000 -o events.jsonl' h.txt || { cat h.txt; return 1; }
	"$BENCH" help | grep -q '^  gen ' || { echo "bench help does not list gen"; return 1; }
}

test_missing_folder() {
	"$BENCH" gen events --lines 10 -o nope/ev.jsonl >out.txt 2>err.txt
	status=$?
	[ "$status" = 1 ] || { echo "exit $status, expected 1"; cat err.txt; return 1; }
	[ "$(wc -l < err.txt)" = 1 ] || { cat err.txt; return 1; }
	[ ! -e nope ] || { echo "nope/ was created"; return 1; }
	[ "$(ls)" = "$(printf 'err.txt\nout.txt')" ] || { echo "files left: $(ls)"; return 1; }
}

test_file_size_limit() {
	echo old > ev.jsonl
	# A write past the limit fails with EFBIG instead of killing bench.
	(trap '' XFSZ; ulimit -f 200; exec "$BENCH" gen events --lines 1000000 -o ev.jsonl) >out.txt 2>err.txt
	status=$?
	[ "$status" = 1 ] || { echo "exit $status, expected 1"; cat err.txt; return 1; }
	[ "$(wc -l < err.txt)" = 1 ] || { cat err.txt; return 1; }
	grep -q "cannot write" err.txt || { cat err.txt; return 1; }
	[ "$(cat ev.jsonl)" = old ] || { echo "the old file was touched"; return 1; }
	[ "$(ls)" = "$(printf 'err.txt\nev.jsonl\nout.txt')" ] || { echo "files left: $(ls)"; return 1; }
}

t events_valid_json
t event_type_mix
t line_count
t deterministic
t events_oddities
t text_size
t usage_errors
t help
t missing_folder
t file_size_limit

lib_start "$@"
