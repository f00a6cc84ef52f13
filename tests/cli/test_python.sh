#!/bin/sh
# test_python.sh BENCH - engine python: the course's workloads written in
# Python (python/bench_py) beside bench's C. Every workload's Python
# checksum must equal native's in every mode, for 3 seeds and 3 small
# sizes; the table, JSON and store carry the interpreter; `bench show
# --engine python` prints native's lines; a missing interpreter is one
# clear line and leaves the other engines working; Ctrl-C reaps the
# server and its pool workers. events and wordcount also agree on --input
# files, and events judges every odd line (malformed JSON, invalid UTF-8,
# numbers beyond 64 bits, lone surrogates, deep nesting, a line over
# 1 MiB) as the C's simdjson does, naming the same reason; `bench show`
# prints the same lines. Behaviour only, never speed. Ends with
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
			every_mode "$_wl size $_size seed $_seed" "$_wl" \
				--size "$_size" --seed "$_seed" "$@"
		done
	done
}

# every_mode LABEL WORKLOAD [ARGS...]: one run of every mode in both
# engines, every row verified, one checksum.
every_mode() {
	_label=$1
	shift
	bench run "$@" --mode serial,thread,process,async --workers 2 \
		--engine native,python --repeat 1 --warmup 0 -q --no-save --format csv
	expect_rc 0
	_rows=$(grep -c ',true,python$' out)
	assert_eq "$_label: verified python rows" 4 "$_rows"
	_rows=$(grep -c ',true,native$' out)
	assert_eq "$_label: verified native rows" 4 "$_rows"
	_sums=$(csv_col out checksum | sort -u | wc -l)
	assert_eq "$_label: distinct checksums" 1 "$_sums"
}

# same_show LABEL ARGS...: `bench show ARGS` prints the same bytes in
# both engines.
same_show() {
	_label=$1
	shift
	"$BENCH" show "$@" >native.txt 2>&1 ||
		fail "bench show $_label failed: $(head -n 3 native.txt)"
	bench show "$@" --engine python
	expect_rc 0
	cmp -s native.txt out ||
		fail "bench show $_label --engine python differs: $(diff native.txt out | head -n 5)"
}

test_hash_agrees() { agree hash "1 7 1000"; }
test_hash_agrees_uneven_chunks() {
	agree hash 100 --chunk 7
}
test_search_agrees() { agree search "1 10 500" --queries 50; }
test_range_agrees() { agree range "1 13 1000"; }
test_sleep_agrees() { agree sleep "2 5 9" --max-ms 3; }
test_graph_agrees() { agree graph "1 3 5" --max-ms 1; }
# Batches of 100 lines, the last one short; another --type.
test_events_agrees() { agree events "1 37 1500" --chunk 100; }
test_events_agrees_other_type() { agree events 600 --chunk 64 --type view; }
# Map tasks of one 256 KiB block: 12000 lines (about 900 KB) make four,
# and the shuffle merges them.
test_wordcount_agrees() { agree wordcount "1 40 12000" --chunk 1; }

# An events file as real ones come: CRLF endings, bad lines among the
# good, a last line without its newline.
test_events_input_agrees() {
	need_python
	"$BENCH" gen events --lines 1500 --seed 5 -o gen.jsonl || fail "bench gen events failed"
	{
		printf '\n{"event_type":"purchase","event_id":"x"}\r\n[1]\n'
		head -n 700 gen.jsonl
		printf '{"event_type":"purchase","n":1e400}\n{"event_type":"purchase"\n'
		tail -n 800 gen.jsonl
		printf '{"event_type":"purchase","event_id":7}'
	} >in.jsonl
	every_mode "events --input" events --input in.jsonl --chunk 64
	every_mode "events --input --type click" events -i in.jsonl --type click
}

# A text with what generated text lacks: digits, apostrophes, long and
# mixed-case words, tabs, CRLF, non-ASCII letters, no final newline.
test_wordcount_input_agrees() {
	need_python
	"$BENCH" gen text --mb 1 --seed 3 -o gen.txt || fail "bench gen text failed"
	{
		cat gen.txt
		printf "Don't STOP: 2024-01-01, x86_64\tand  Übermäßig naïve CAFÉ\r\n"
		printf 'supercalifragilisticexpialidocious Supercalifragilisticexpialidocious'
	} >in.txt
	every_mode "wordcount --input" wordcount --input in.txt --chunk 2
	same_show "wordcount --input" wordcount --input in.txt --limit 40
}

# Lines every JSON parser judges its own way: the engine python must keep,
# skip and refuse what the C's simdjson does, for the reason it names.
tricky_events() {
	cat >tricky.jsonl <<'LINES'
{"event_type":"purchase","event_id":1}
{"event_type":"purchase","event_id":"\u00e9\ud83d\udc4d \"q\" \\"}
{"event_type":"purchase","event_id":1.0}
{"event_type":"purchase","event_id":-0.0}
{"event_type":"purchase","event_id":1e21}
{"event_type":"purchase","event_id":0.0001}
{"event_type":"purchase","event_id":1234567890123456.7}
{"event_type":"purchase","event_id":[1,{"a":"b\n\u0001","a":2.50}]}
{"event_type":"purchase","event_id":{"x":[true,false,null,{}]}}
{"event_type":"purchase","event_id":null}
{"event_type":"purchase","event_id":18446744073709551615}
{"event_type":"purchase","event_id":18446744073709551616}
{"event_type":"purchase","event_id":-9223372036854775809}
{"event_type":"purchase","n":1e400}
{"event_type":"purchase","n":1e-400}
{"event_type":"purchase","n":NaN}
{"event_type":"purchase","n":-Infinity}
{"event_type":"purchase","n":01}
{"event_type":"purchase","n":1.}
{"event_type":"purchase","s":"\ud800"}
{"event_type":"purchase","s":"\udc00\ud800"}
{"event_type":"purchase","s":"\x"}
{"event_type":"click","event_type":"purchase","event_id":2}
{"event_type":"purchase","event_type":"click"}
{"event_type":"a\u0000b"}
{"event_type":null}
{"event_id":3}
[{"event_type":"purchase"}]
"purchase"

{"event_type":"purchase"} x
{"event_type":"purchase"}}
{"event_type":"purchase","n":1e400} x
{"event_type":"purchase","n":1e400,"s":}
{"event_type":"purchase","s":"x}
{"event_type":"purchase","a":9223372036854775808,"m":01}
{"event_type":"purchase","s":"\u0000","n":1e400}
{"event_type":"purchase","n":1"a"}
{"event_type":"purchase","n":9223372036854775808"a"}
LINES
	# Bytes a here-document would not carry: a blank of whitespace, a
	# BOM, invalid UTF-8, raw control characters, NUL.
	{
		printf ' \t\r\n\357\273\277{"event_type":"purchase"}\n'
		printf '{"event_type":"purchase","s":"\303("}\n{"event_type":"purchase","s":"\355\240\200"}\n'
		printf '{"event_type":"purchase","s":"\377}\n{"event_type":"purchase","s":"a\tb"}\n'
		printf '{"event_type":"purchase","n":26\000431e4000}\n{"event_type":"purchase"}\000\n'
		# Nesting: 1023 open arrays and objects are fine, 1024 are not
		# (an empty one does not count); Python's own limit is lower.
		for _d in 990 1022 1023 1024; do
			printf '{"event_type":"purchase","event_id":'
			printf '[%.0s' $(seq "$_d")
			printf '0'
			printf ']%.0s' $(seq "$_d")
			printf '}\n'
		done
		# A line of exactly 1 MiB is read; one byte more and it is not.
		_pre='{"event_type":"purchase","event_id":"'
		for _len in 1048576 1048577; do
			printf '%s' "$_pre"
			head -c $((_len - ${#_pre} - 2)) /dev/zero | tr '\0' a
			printf '"}\n'
		done
		printf '{"event_type":"purchase","event_id":"last, no newline"}'
	} >>tricky.jsonl
}

test_events_tricky_lines() {
	need_python
	tricky_events
	same_show "events --input tricky.jsonl" events --input tricky.jsonl --limit 1000
	# Every reason the C names: the lines above do what they say.
	for _why in 'kept 1 ' 'skipped click' 'bad blank line' 'bad malformed JSON' \
		'bad invalid UTF-8' 'bad not a JSON object' 'bad no event_type' \
		'bad event_type is not a string' 'bad number beyond 64 bits' \
		'bad nested deeper than 1024 levels' 'bad line longer than 1 MiB'; do
		expect_match out "^[0-9]+ $_why" "a line '$_why'"
	done
	every_mode "events --input tricky.jsonl" events --input tricky.jsonl --chunk 5
}

# Lines no one wrote by hand: generated events cut, spliced and sprinkled
# with what parsers disagree on (escapes, surrogates, NaN, numbers at and
# past 64 bits, stray bytes), and events whose event_id and event_type
# are any JSON value. A fixed seed, so a difference is a line to look at;
# every line's fate must be the C's, and so the checksum.
test_events_mutated_lines() {
	need_python
	"$BENCH" gen events --lines 300 --seed 9 -o base.jsonl || fail "bench gen events failed"
	cat >mutate.py <<'PY'
import random, sys
random.seed(int(sys.argv[1]))
lines = open("base.jsonl", "rb").read().split(b"\n")[:-1]
toks = [b'"', b'\\', b'\\u', b'\\ud800', b'\\udc00', b'{', b'}', b'[', b']', b',',
        b':', b'1e400', b'-0', b'1.5e-320', b'NaN', b'Infinity', b'true', b'nul',
        b'\x00', b'\x01', b'\xff', b'\xc3', b'\xe2\x82', b'\xf0\x9f\x98\x80', b' ',
        b'\t', b'\r', b'18446744073709551616', b'-9223372036854775809', b'01',
        b'"event_type"', b'"event_id"', b'"purchase"']
vals = ['1', '-0', '1.0', '1e5', '1E-7', '18446744073709551615',
        '18446744073709551616', '-9223372036854775808', '-9223372036854775809',
        '0.1', '2.5e-308', '4.9e-324', '1.7976931348623157e308', '1e309',
        '3.14159265358979323846', '"\\u00e9"', '"\\ud83d\\ude00"', '"\\ud800"',
        '"x\\"y"', '""', 'null', 'true', '[]', '{}', '{"a":1,"a":2}',
        '[1.0,2e3,-0.0]', '"\\u0000"', '[[[[[]]]]]', '100000000000000000000.0',
        '123.456e78']
types = ['"purchase"', '"view"', '"purchas\\u0065"', '"purchase\\u0000"', '1', 'null']
out = []
for i in range(1500):
    line = bytearray(random.choice(lines))
    for _ in range(random.randint(1, 3)):
        p = random.randrange(len(line) + 1)
        r = random.random()
        if r < 0.4:
            line[p:p] = random.choice(toks)
        elif r < 0.7:
            del line[p:p + random.randint(1, 5)]
        else:
            q = random.randrange(len(line) + 1)
            line[p:p] = bytes(line[q:q + random.randint(1, 8)])
    out.append(bytes(line).replace(b"\n", b" "))
    v = random.choice(vals)
    if random.random() < 0.3:
        v = "[" + ",".join(random.choice(vals) for _ in range(3)) + "]"
    t = random.choice(types) if random.random() < 0.3 else '"purchase"'
    parts = ['"event_type":' + t, '"event_id":' + v, '"x":' + random.choice(vals)]
    random.shuffle(parts)
    out.append(("{" + random.choice([",", ", ", ",\t"]).join(parts) + "}").encode())
sys.stdout.buffer.write(b"\n".join(out) + b"\n")
PY
	for _seed in 1 2; do
		"$PY" mutate.py "$_seed" >mut.jsonl || fail "mutate.py failed"
		same_show "events, mutated lines, seed $_seed" events --input mut.jsonl --limit 3000
		expect_match out ' kept ' "a kept line"
		expect_match out ' bad malformed JSON' "a malformed line"
	done
	every_mode "events, mutated lines" events --input mut.jsonl --chunk 97
}

# A run that fails is a runtime failure (exit 1), not a usage error: a bad
# line under --strict names the same line and reason as the C does, and a
# workload that raises says what it raised, in one line each.
test_python_failures_exit_1() {
	need_python
	tricky_events
	_one="--input tricky.jsonl --strict --mode serial --repeat 1 --warmup 0 -q --no-save"
	bench run events $_one
	expect_rc 1
	sed 's/^bench: //' err >native.txt
	bench run events $_one --engine python
	expect_rc 1
	expect_nlines err 1
	expect_match err '^bench: engine python: events: tricky.jsonl line [0-9]+: .*--strict; [0-9]+ bad lines in all' \
		"the bad line named"
	sed 's/^bench: engine python: //' err >python.txt
	cmp -s native.txt python.txt ||
		fail "--strict: python said '$(cat python.txt)', native '$(cat native.txt)'"
	mkdir site
	printf 'import hashlib\ndef _broken(*a, **k):\n    raise RuntimeError("sha256 is broken here")\nhashlib.sha256 = _broken\n' \
		>site/sitecustomize.py
	printf '#!/bin/sh\nPYTHONPATH=%s/site:$PYTHONPATH exec %s "$@"\n' "$PWD" "$PY" >py
	chmod +x py
	bench run hash --size 100 --engine python --python "$PWD/py" --mode serial \
		--repeat 1 --warmup 0 -q --no-save
	expect_rc 1
	expect_nlines err 1
	expect_match err '^bench: engine python: RuntimeError: sha256 is broken here$' \
		"the exception and its message"
	expect_no_match err 'Traceback' "a traceback"
}

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
	for _wl in hash search range sleep events wordcount graph; do
		for _seed in 1 9; do
			same_show "$_wl --seed $_seed" "$_wl" --size 8 --seed "$_seed"
		done
	done
	# events: the fate of each of the first lines; wordcount: the top words.
	same_show "events --limit 40" events --limit 40 --seed 3 --type view
	same_show "wordcount --limit 30" wordcount --size 500 --limit 30
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

# Every workload has its Python version: a package without one (an older
# bench_py, named by BENCH_PYLIB) is refused in one line.
test_workload_without_python_version() {
	need_python
	cp -R "$(dirname "$BENCH")/../python" py ||
		fail "cannot copy the bench_py package"
	sed -i 's/, events, wordcount, graph)/, wordcount, graph)/' py/bench_py/workloads/__init__.py
	BENCH_PYLIB="$(pwd)/py" run "$BENCH" run events --size 100 --engine python \
		--mode serial --repeat 1 --warmup 0 --no-save
	expect_rc 2
	expect_nlines err 1
	expect_match err "engine python has no workload 'events'" "the workload named"
}

# Without numpy the checksum fold runs in plain Python: the same
# checksums, and a note that says what it costs and what to install. With
# numpy (when the machine has it) no such note.
test_no_numpy_note() {
	need_python
	cp -R "$(dirname "$BENCH")/../python" py ||
		fail "cannot copy the bench_py package"
	mkdir py/numpy
	echo 'raise ImportError("numpy hidden by test_no_numpy_note")' >py/numpy/__init__.py
	# Each test runs in a shell of its own: the export ends with it.
	BENCH_PYLIB="$(pwd)/py"
	export BENCH_PYLIB
	for _wl in hash events; do
		every_mode "$_wl without numpy" "$_wl" --size 3000 --seed 5
	done
	bench run range --size 3000 --engine native,python --mode serial --repeat 1 \
		--warmup 0 --no-save
	expect_rc 0
	expect_match out '^note: python: numpy is not installed, so the checksum fold runs in plain Python.*install python3-numpy$' \
		"the note on numpy"
	bench timeit range --size 3000 --engine python -r 2
	expect_rc 0
	expect_match out '^note: python: numpy is not installed' "timeit's note on numpy"
	unset BENCH_PYLIB
	if "$PY" -c 'import numpy' 2>/dev/null; then
		bench run range --size 3000 --engine native,python --mode serial --repeat 1 \
			--warmup 0 --no-save
		expect_rc 0
		expect_no_match out 'numpy' "a note on numpy where numpy is installed"
	else
		note "$PY has no numpy: its absence is what the rest of this suite tests"
	fi
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
t events_agrees
t events_agrees_other_type
t wordcount_agrees
t events_input_agrees
t wordcount_input_agrees
t events_tricky_lines
t events_mutated_lines
t python_failures_exit_1
t table_rows_and_notes
t json_context_and_store
t show_same_lines
t missing_python
t python_that_fails
t workload_without_python_version
t no_numpy_note
t gil_points_at_the_real_one
t bad_show_engine
t all_excludes_python
t scale_draws_both
t sigint_python_process

lib_start "$@"
