#!/bin/sh
# test_profile.sh - command-line tests of `bench profile`, against programs
# whose profile is known in advance (tests/cli/profile/*.c, compiled here
# into each test's folder):
#
#   counts   --count on calls counted by hand: ncalls exact, times >= 0,
#            cumtime >= tottime, a recursive function's cumtime within its
#            caller's; on a known call tree, times that add up (own +
#            callees = cumulative), whatever the hooks' cost taken out,
#            and the collapsed stacks, the trace and callgrind saying what
#            the table says; a forked child's own call tree; callgrind's
#            calls, no inclusive cost past the total, even when recursing;
#   memory   --mem on known allocations: bytes, allocations and bytes live
#            at exit exact per call site (realloc counts every size it
#            gives), peak heap, collapsed stacks adding up to the bytes, the
#            counter track, the chart;
#   cpu      --cpu on a known 2/3 - 1/3 split of CPU time, within sampling
#            error; collapsed stacks, callgrind, and Trace Event JSON that
#            builds the same strictly nested stacks per thread in the file's
#            order and in speedscope's importer; samples in the vDSO, a
#            module with no symbols; a stripped library's internal
#            functions named apart, by their start;
#   spread   threads and processes of a workload, a forked child: a lane
#            per sampled thread, a file per process, libcrypto's internal
#            functions never past 100% in callgrind;
#   endings  a crash, exit(3) in a worker, exec through each exec function,
#            Ctrl-C, a missing program, a static one: the report says how
#            each process ended, what was collected is kept, no process is
#            left behind;
#   usage    bad options: exit 2 and one line;
#   slowlog  libbench's slowlog spans in the trace, as async events.
#
# The trace is read by profile/trace_check.py, callgrind files by
# profile/callgrind_inclusive.awk (each function's inclusive cost, as
# callgrind_annotate adds it up).
#
# usage: tests/cli/test_profile.sh PATH/TO/bench [TEST...]
#
# Same runner as the other suites (lib.sh). The programs are built with
# gcc -O1 -g -fno-omit-frame-pointer -fno-inline (and -finstrument-functions
# for --count), never with sanitizers: in a sanitizer build only bench,
# the reader of the profiles, is instrumented (the preloaded profilers never
# are). A test skips when gcc, nm or addr2line is missing; its
# callgrind_annotate, readelf and python3 parts are left out, with a note,
# when those are missing. The CPU shares are checked with bounds wide
# enough for ~150 samples at a 250 Hz tick on a busy 2-CPU machine.

set -u
SUITE="profile"
SUITE_TIMEOUT=120
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

PROGS=$(cd "$(dirname "$0")/profile" && pwd)
CFLAGS_TEST="-O1 -g -fno-omit-frame-pointer -fno-inline"
# In a sanitizer build, profiling a workload preloads libbenchprof.so into
# an instrumented bench, ahead of AddressSanitizer's runtime, which refuses
# that unless told; the cpu and count profilers replace no allocator.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export ASAN_OPTIONS

TESTS=
t() { TESTS="$TESTS $1"; }

# 1. exact counts
t count_exact_calls
t count_recursive_cumtime
t count_callgrind_inclusive
t count_times_add_up
t count_times_add_up_any_cost
t count_outputs_agree
t count_forked_child
# 2. the heap
t mem_known_allocations
t mem_totals
# 3. CPU sampling
t cpu_known_split
t cpu_fallback_sigprof
t cpu_vdso_frames
t cpu_unsymbolised_frames
# 4. threads and processes
t workload_threads
t workload_processes
t forked_child
# 5. how processes end
t crash
t worker_exit_status
t exec_keeps_profile
t sigint
t missing_program
t static_program
# 6. usage
t no_mode
t two_modes
t bad_sort
t unknown_workload
t help
# 7. slowlog spans
t slowlog_spans

need_tools() {
	for _tool in gcc nm addr2line; do
		has "$_tool" || skip "$_tool is not installed"
	done
}

# Copies tests/cli/profile/NAME.c here and builds ./NAME.
build_prog() { # NAME [CFLAGS...]
	_name=$1
	shift
	cp "$PROGS/$_name.c" . || fail "cannot copy $PROGS/$_name.c"
	# Word splitting of $CFLAGS_TEST is meant.
	# shellcheck disable=SC2086
	gcc $CFLAGS_TEST "$@" -o "$_name" "$_name.c" 2>build.err ||
		fail "gcc could not build $_name.c: $(head -n 3 build.err)"
}

# The row of function FN in the table on stdout (./out): "ncalls tottime
# percall cumtime percall file:line(FN)", or --mem's "bytes allocs live
# live-count file:line(FN)".
row() { # FN
	awk -v fn="$1" '
		substr($NF, length($NF) - length(fn) - 1) == "(" fn ")" { print; f = 1; exit }
		END { exit !f }' out || fail "no row for $1() in the table"
}

field() { # ROW N
	printf '%s\n' "$1" | awk -v n="$2" '{ print $n }'
}

# The line where the function NAME is defined in FILE ("TYPE NAME(" at the
# start of a line).
def_line() { # FILE NAME
	_l=$(grep -n -E "^[a-z].* \*?$2\(" "$1" | head -n 1 | cut -d: -f1)
	[ -n "$_l" ] || fail "$1: no definition of $2"
	echo "$_l"
}

# The pid of the "process PID HOW" report line whose HOW matches RE (a
# sed basic regular expression).
report_pid() { # RE
	sed -n "s/^process \([0-9][0-9]*\) $1\$/\1/p" out
}

# Checks that a collapsed-stacks file is well formed, every line "frames
# count", frames ';'-separated and none empty, count a positive integer;
# prints the sum of the counts.
collapsed_total() { # FILE
	[ -s "$1" ] || fail "$1: missing or empty"
	awk '
		{
			w = $NF
			s = $0
			sub(/ [^ ]+$/, "", s)
			if (w !~ /^[1-9][0-9]*$/ || s == "" || s == $0) {
				print "line " NR " is not \"frames count\": " $0 > "/dev/stderr"
				bad = 1
				exit
			}
			n = split(s, fr, ";")
			for (i = 1; i <= n; i++)
				if (fr[i] == "") {
					print "line " NR " has an empty frame: " $0 > "/dev/stderr"
					bad = 1
					exit
				}
			total += w
		}
		END { if (bad) exit 1; printf "%.0f\n", total }' "$1" ||
		fail "$1: malformed collapsed stacks"
}

# Checks a Trace Event JSON file with profile/trace_check.py: per lane
# (pid, tid), the stacks its B/E events build in the file's order and in
# speedscope's importer (a port of its algorithm) must be the same and
# nest strictly, every E named as the B it closes, times rising strictly;
# async spans must pair. Leaves what the tests look at in ./facts:
#   lanes=N             (pid, tid) pairs with frames
#   lane=PID TID NAME   each, with its thread_name (or "-")
#   counters=N          "C" events
#   span=CAT NAME PID TID TS DUR   each slowlog span
#   cum=PID TID NAME US per lane and function, its outermost frames' time
#   frames=N            frames in all
# Returns 2 when python3 is missing.
trace_facts() { # FILE
	has python3 || return 2
	python3 "$PROGS/trace_check.py" "$1" >facts 2>facts.err ||
		fail "$(cat facts.err)"
	return 0
}

# Checks that no function's inclusive cost in callgrind file FILE passes
# the file's total, as callgrind_annotate and KCachegrind add them up
# (profile/callgrind_inclusive.awk: own cost plus the calls' costs).
# Leaves "COST NAME" per function in ./incl and the total in $CG_TOTAL.
cg_within_total() { # FILE
	[ -s "$1" ] || fail "no callgrind file $1"
	awk -f "$PROGS/callgrind_inclusive.awk" "$1" >incl.all ||
		fail "$1: callgrind_inclusive.awk could not read it"
	CG_TOTAL=$(sed -n 's/^total //p' incl.all)
	sed 1d incl.all >incl
	if ! is_uint "$CG_TOTAL" || [ "$CG_TOTAL" -eq 0 ]; then
		fail "$1: no positive total in its summary: line (got '$CG_TOTAL')"
	fi
	_over=$(awk -v t="$CG_TOTAL" '$1 + 0 > t + 0 {
			c = $1; sub(/^[^ ]* /, ""); printf "%s%s: %s of %s", n++ ? "; " : "", $0, c, t }' incl)
	[ -z "$_over" ] ||
		fail "$1: inclusive cost past the total (over 100%), expected at most $CG_TOTAL: $_over"
}

# A function's inclusive cost in ./incl (cg_within_total).
cg_incl() { # NAME
	awk -v fn="$1" '{ c = $1; sub(/^[^ ]* /, "") } $0 == fn { print c; f = 1 }
		END { exit !f }' incl || fail "no function $1 in the callgrind file"
}

# |A - B| <= TOL.
assert_near() { # WHAT A B TOL
	assert_num "$1" "$2" -ge 0
	assert_num "$1" "$3" -ge 0
	awk -v a="$2" -v b="$3" -v t="$4" 'BEGIN { d = a - b; exit !(d <= t && -d <= t) }' ||
		fail "$1: expected $2 within $4 of $3"
}

# callgrind_annotate reads FILE (exit 0); returns 2 when it is missing.
callgrind_ok() { # FILE
	has callgrind_annotate || return 2
	[ -s "$1" ] || fail "no callgrind file $1"
	callgrind_annotate --threshold=100 "$1" >cg.txt 2>cg.err ||
		fail "callgrind_annotate rejected $1: $(head -n 3 cg.err)"
	return 0
}

# The callers callgrind_annotate lists for FUNC ("file:function") in FILE:
# its "< caller (Nx)" lines.
cg_callers() { # FILE FUNC
	callgrind_annotate --threshold=100 --tree=caller "$1" 2>/dev/null | awk -v fn="$2" '
		/^[[:space:]]*$/ { callers = ""; next }
		/ < / { callers = callers $0 "\n"; next }
		/ \* / { s = $0; sub(/.*\*[[:space:]]+/, "", s); if (s == fn) printf "%s", callers }'
}

# ---- 1. exact counts ----------------------------------------------------

# Builds counts.c with -finstrument-functions and profiles it; sets PID.
profile_counts() {
	need_tools
	build_prog counts -finstrument-functions
	bench profile --count -- ./counts
	expect_rc 0
	PID=$(report_pid 'exited with 0')
	is_uint "$PID" || fail "no 'process PID exited with 0' line"
}

test_count_exact_calls() {
	profile_counts
	expect_match out '^[0-9]+ calls of [0-9]+ instrumented functions in 1 process$' \
		"the header counting calls and functions"
	expect_match out '^mechanism: exact counts through -finstrument-functions; [0-9]+ ns per call measured' \
		"the mechanism and the hooks' measured cost per call"
	for _fc in main:1 f:1000 g:37 h:5 rec:10 spin:10; do
		row "${_fc%%:*}" >/dev/null
		_r=$(row "${_fc%%:*}")
		assert_eq "ncalls of ${_fc%%:*}()" "${_fc#*:}" "$(field "$_r" 1)"
		# Its definition's line (the name's, or the brace's below it).
		_l=$(def_line counts.c "${_fc%%:*}")
		_at=$(field "$_r" 6)
		case $_at in
		"counts.c:$_l(${_fc%%:*})" | "counts.c:$((_l + 1))(${_fc%%:*})") ;;
		*) fail "${_fc%%:*}() located at $_at, expected counts.c:$_l or the line below" ;;
		esac
	done
	# Every row: times are numbers >= 0 and cumulative >= own, in both the
	# totals and the per-call columns.
	awk '/filename:lineno\(function\)$/ { t = 1; next } t && NF >= 6' out >rows
	[ -s rows ] || fail "no rows in the table"
	while read -r _n _tt _pt _ct _pc _loc; do
		assert_num "$_loc: tottime" "$_tt" -ge 0
		assert_num "$_loc: cumtime" "$_ct" -ge "$_tt"
		assert_num "$_loc: tottime per call" "$_pt" -ge 0
		assert_num "$_loc: cumtime per call" "$_pc" -ge "$_pt"
	done <rows
	# spin()'s 10M iterations in all take milliseconds, not 0.
	assert_num "spin()'s tottime" "$(field "$(row spin)" 2)" -gt 0
	callgrind_ok "profile/callgrind.out.$PID"
	if [ $? = 2 ]; then
		note "callgrind_annotate is not installed: callgrind file not read"
		return 0
	fi
	expect_match cg.txt 'counts\.c:f$' "f in callgrind_annotate's list"
	cg_callers "profile/callgrind.out.$PID" counts.c:f >callers
	expect_match callers '< counts\.c:main \(1,000x\)' "f called 1000 times from main"
	cg_callers "profile/callgrind.out.$PID" counts.c:g >callers
	expect_match callers '< counts\.c:f \(37x\)' "g called 37 times from f"
}

# The time of a recursive function is that of its outermost calls, as
# cProfile counts it: the nested calls' time is inside it already. rec()
# runs within main(), so its cumtime cannot exceed main's.
test_count_recursive_cumtime() {
	profile_counts
	assert_num "rec()'s cumtime within main()'s" \
		"$(field "$(row rec)" 4)" -le "$(field "$(row main)" 4)"
}

# The calls' costs in the callgrind file are calibrated as the functions'
# own costs are: main's inclusive cost is everything the program ran, the
# program's total (the sum of the calibrated own costs), and no function
# passes it, not even rec(), which calls itself nine levels deep.
test_count_callgrind_inclusive() {
	profile_counts
	cg_within_total "profile/callgrind.out.$PID"
	assert_eq "main()'s inclusive ns in callgrind.out.$PID (the program total)" \
		"$CG_TOTAL" "$(cg_incl main)"
	assert_num "rec()'s inclusive ns within main()'s" "$(cg_incl rec)" -le "$CG_TOTAL"
	assert_eq "calls of rec() from rec() in callgrind.out.$PID" 9 \
		"$(cg_calls "profile/callgrind.out.$PID" rec rec)"
	has callgrind_annotate || {
		note "callgrind_annotate is not installed: its inclusive costs not read"
		return 0
	}
	callgrind_annotate --threshold=100 --inclusive=yes "profile/callgrind.out.$PID" >cgi.txt 2>&1 ||
		fail "callgrind_annotate rejected profile/callgrind.out.$PID"
	_total=$(sed -n 's/^[[:space:]]*\([0-9,]*\) .*PROGRAM TOTALS$/\1/p' cgi.txt | tr -d ,)
	_main=$(sed -n 's/^[[:space:]]*\([0-9,]*\) (.*counts\.c:main$/\1/p' cgi.txt | tr -d ,)
	assert_num "callgrind_annotate: main's inclusive ns (${_main:-?}) within the program total (${_total:-?})" \
		"$_main" -le "$_total"
	_pct=$(grep -o '([0-9.]*%)' cgi.txt | tr -d '()%' | awk '$1 > 100 { print; exit }')
	[ -z "$_pct" ] || fail "callgrind_annotate lists an inclusive cost of $_pct%, expected at most 100%"
}

# The calls FN made to CALLEE in callgrind file FILE (the calls= line
# after fn=FN and cfn=CALLEE); 0 when none.
cg_calls() { # FILE FN CALLEE
	awk -v fn="$2" -v callee="$3" '
		/^fn=/ { in_fn = substr($0, 4) == fn; next }
		/^cfn=/ { to = substr($0, 5) == callee; next }
		/^calls=/ { if (in_fn && to) { split(substr($0, 7), c, " "); n += c[1] } next }
		END { print n + 0 }' "$1"
}

# Builds calltree.c with -finstrument-functions and profiles it, with
# the environment given (VAR=VALUE...); sets PID.
profile_calltree() { # [VAR=VALUE...]
	need_tools
	build_prog calltree -finstrument-functions
	run env "$@" "$BENCH" profile --count -- ./calltree
	expect_rc 0
	PID=$(report_pid 'exited with 0')
	is_uint "$PID" || fail "no 'process PID exited with 0' line"
}

# The table's figure N (1 ncalls, 2 tottime, 4 cumtime) of FN.
col() { # FN N
	field "$(row "$1")" "$2"
}

# calltree's times add up in the table, to its rounding (half a
# millisecond a figure): each function is called from one place only, so
# its cumulative time is its own plus its callees' whole.
times_add_up() {
	for _fc in main:1 middle:4 tiny:400 leaf:4 solo:1; do
		assert_eq "ncalls of ${_fc%%:*}()" "${_fc#*:}" "$(col "${_fc%%:*}" 1)"
	done
	awk '/filename:lineno\(function\)$/ { t = 1; next } t && NF >= 6' out >rows
	while read -r _n _tt _pt _ct _pc _loc; do
		assert_num "$_loc: tottime" "$_tt" -ge 0
		assert_num "$_loc: cumtime against its tottime" "$_ct" -ge "$_tt"
	done <rows
	# leaf() spun 4 x 10 ms of CPU time, which takes at least as long on
	# the clock; half of it leaves room for the hooks' cost taken out.
	assert_num "leaf()'s cumtime (it spun 40 ms of CPU time)" "$(col leaf 4)" -ge 0.02
	assert_num "middle()'s cumtime against its callee leaf()'s" "$(col middle 4)" -ge "$(col leaf 4)"
	assert_num "main()'s cumtime against its callee middle()'s" "$(col main 4)" -ge "$(col middle 4)"
	assert_near "main()'s cumtime against its tottime + middle()'s + solo()'s cumtime" \
		"$(col main 4)" "$(awk -v a="$(col main 2)" -v b="$(col middle 4)" -v c="$(col solo 4)" \
			'BEGIN { print a + b + c }')" 0.002
	assert_near "middle()'s cumtime against its tottime + tiny()'s + leaf()'s cumtime" \
		"$(col middle 4)" "$(awk -v a="$(col middle 2)" -v b="$(col tiny 4)" -v c="$(col leaf 4)" \
			'BEGIN { print a + b + c }')" 0.002
}

test_count_times_add_up() {
	profile_calltree
	times_add_up
}

# Whatever the hooks' cost per call taken out, times add up: with 100 us
# a call, far more than the hooks cost, middle()'s own time is all taken
# out by its 101 calls, but never leaf()'s from middle()'s cumulative
# time (BENCH_PROF_HOOK_NS sets the cost instead of measuring it).
test_count_times_add_up_any_cost() {
	profile_calltree BENCH_PROF_HOOK_NS=100000
	expect_match out '^mechanism: exact counts .*; 100000 ns per call set by BENCH_PROF_HOOK_NS' \
		"the cost set, in the mechanism line"
	times_add_up
}

# The collapsed stacks, the trace and the callgrind file of --count say
# what the table says, in nanoseconds: the same call tree.
test_count_outputs_agree() {
	profile_calltree
	collapsed_total profile/profile.collapsed >/dev/null
	for _path in 'main;middle;leaf' 'main;solo'; do
		expect_match profile/profile.collapsed "^$_path [0-9]+\$" "a $_path stack"
	done
	expect_no_match profile/profile.collapsed '^(middle|leaf|solo|tiny)[; ]' \
		"a stack not rooted at main"
	# Own and cumulative ns per function from the stacks, against the table.
	for _fn in main middle leaf solo; do
		_ns=$(awk -v fn="$_fn" '{
				w = $NF; s = $0; sub(/ [^ ]+$/, "", s); n = split(s, fr, ";")
				if (fr[n] == fn) self += w
				for (i = 1; i <= n; i++) if (fr[i] == fn) { cum += w; break }
			} END { printf "%.0f %.0f\n", self, cum }' profile/profile.collapsed)
		assert_near "$_fn()'s tottime in the table against profile.collapsed's (${_ns% *} ns)" \
			"$(col "$_fn" 2)" "$(awk -v n="${_ns% *}" 'BEGIN { print n / 1e9 }')" 0.0006
		assert_near "$_fn()'s cumtime in the table against profile.collapsed's (${_ns#* } ns)" \
			"$(col "$_fn" 4)" "$(awk -v n="${_ns#* }" 'BEGIN { print n / 1e9 }')" 0.0006
	done
	cg_within_total "profile/callgrind.out.$PID"
	assert_eq "main()'s inclusive ns in callgrind.out.$PID (the program total)" \
		"$CG_TOTAL" "$(cg_incl main)"
	for _fn in middle leaf solo; do
		assert_near "$_fn()'s inclusive cost in callgrind.out.$PID against the table's cumtime" \
			"$(awk -v n="$(cg_incl "$_fn")" 'BEGIN { print n / 1e9 }')" "$(col "$_fn" 4)" 0.0006
	done
	for _call in main:middle:4 middle:tiny:400 middle:leaf:4 main:solo:1; do
		_f=${_call%%:*}
		_c=${_call#*:}
		assert_eq "calls of ${_c%%:*}() from $_f() in callgrind.out.$PID" "${_c#*:}" \
			"$(cg_calls "profile/callgrind.out.$PID" "$_f" "${_c%%:*}")"
	done
	trace_facts profile/profile.trace.json
	if [ $? = 2 ]; then
		note "python3 is not installed: profile.trace.json not read"
		return 0
	fi
	assert_eq "lanes in profile.trace.json (one thread)" 1 "$(sed -n 's/^lanes=//p' facts)"
	expect_match facts "^lane=$PID $PID calltree\$" "the main thread's lane named after the program"
	for _fn in main middle leaf solo; do
		_us=$(sed -n "s/^cum=$PID $PID $_fn //p" facts)
		[ -n "$_us" ] || fail "no frame of $_fn() in profile.trace.json's lane $PID/$PID"
		assert_near "$_fn()'s time in profile.trace.json against the table's cumtime" \
			"$(awk -v n="$_us" 'BEGIN { print n / 1e6 }')" "$(col "$_fn" 4)" 0.0006
	done
}

# A forked child's calls are its own, from the fork on: main(), open in
# it since before the fork, is the root of its call tree, counted as one
# call when the child's exit() writes the file, with the child's whole
# time; and work() is one call from it.
test_count_forked_child() {
	need_tools
	build_prog procs -finstrument-functions
	bench profile --count -- ./procs fork-exit 3
	expect_rc 0
	expect_match out '^child: exit 3$' "the program's own output"
	_parent=$(cat parent.pid)
	_child=$(cat child.pid)
	expect_match out "^process $_child exited with 3\$" "the child reported"
	expect_match out "^process $_parent exited with 0\$" "the parent reported"
	assert_eq "ncalls of main() (the parent's and the child's)" 2 "$(col main 1)"
	for _p in "$_parent" "$_child"; do
		cg_within_total "profile/callgrind.out.$_p"
		assert_eq "main()'s inclusive ns in callgrind.out.$_p (the process's total)" \
			"$CG_TOTAL" "$(cg_incl main)"
		assert_eq "calls of work() from main() in callgrind.out.$_p" 1 \
			"$(cg_calls "profile/callgrind.out.$_p" main work)"
	done
	expect_match profile/profile.collapsed '^main;work;cpu_seconds [0-9]+$' "the stack main;work;cpu_seconds"
	trace_facts profile/profile.trace.json
	if [ $? = 2 ]; then
		note "python3 is not installed: profile.trace.json not read"
		return 0
	fi
	expect_match facts "^lane=$_parent $_parent " "the parent's lane"
	expect_match facts "^lane=$_child $_child " "the child's lane"
}

# ---- 2. the heap ----------------------------------------------------------

profile_allocs() {
	need_tools
	build_prog allocs
	bench profile --mem --top 1000 -- ./allocs
	expect_rc 0
	expect_match out '^ok$' "the program's own output"
}

test_mem_known_allocations() {
	profile_allocs
	# bytes, allocations, bytes live at exit, blocks live at exit.
	for _want in "alloc_a 100000 100 0 0" "alloc_b 86415 7 86415 7" \
		"alloc_c 12288 3 0 0" "grow 1500 4 800 1"; do
		_fn=${_want%% *}
		row "$_fn" >/dev/null
		_r=$(row "$_fn")
		assert_eq "$_fn(): bytes allocs live-bytes live-blocks" "${_want#* }" \
			"$(field "$_r" 1) $(field "$_r" 2) $(field "$_r" 3) $(field "$_r" 4)"
		expect_match out " allocs\\.c:[0-9]+\\($_fn\\)\$" "$_fn() located in allocs.c"
		expect_match profile/memory.collapsed "(^|;)main;$_fn [0-9]+\$" "$_fn()'s stack under main"
	done
}

test_mem_totals() {
	profile_allocs
	# The peak is of bytes live at once: the 7 kept blocks, the 800 of
	# grow() and at most one 4 KiB block more, never the 200 KB allocated
	# over the whole run.
	_peak=$(sed -n 's/^peak heap \([0-9.]*\) MiB$/\1/p' out)
	[ -n "$_peak" ] || fail "no 'peak heap N MiB' line"
	assert_num "peak heap (MiB)" "$_peak" -ge 0.08
	assert_num "peak heap (MiB)" "$_peak" -le 0.10
	# Collapsed stacks weighted by bytes add up to the table's bytes, at
	# least the program's own 200203.
	_sum=$(awk '/filename:lineno\(function\)$/ { t = 1; next } t && NF >= 5 { s += $1 }
		END { printf "%.0f\n", s }' out)
	assert_num "bytes in the table" "$_sum" -ge 200203
	assert_eq "memory.collapsed's total (bytes)" "$_sum" "$(collapsed_total profile/memory.collapsed)"
	trace_facts profile/memory.trace.json
	if [ $? = 2 ]; then
		note "python3 is not installed: memory.trace.json not read"
	else
		assert_num "counter events in memory.trace.json" "$(sed -n 's/^counters=//p' facts)" -ge 1
	fi
	if has gnuplot; then
		[ -s profile/profile-memory.png ] || [ -s profile/profile-memory.svg ] ||
			fail "gnuplot is installed but no profile-memory.png/svg was drawn"
	fi
}

# ---- 3. CPU sampling ----------------------------------------------------

# Where perf_event is refused the sampler falls back to setitimer and says
# so; BENCH_PROF_PERF=0 takes that path on any machine.
test_cpu_fallback_sigprof() {
	need_tools
	build_prog cpu
	run env BENCH_PROF_PERF=0 "$BENCH" profile --cpu -- ./cpu
	expect_rc 0
	expect_match out 'mechanism: SIGPROF sampling \(setitimer ITIMER_PROF' "the fallback named"
	expect_match out 'note: perf_event not used: turned off' "why perf_event was not used"
	row hot >/dev/null
	# With perf_event allowed, the rate asked is about the rate got.
	bench profile --cpu -- ./cpu
	expect_rc 0
	if grep -q 'mechanism: perf_event' out; then
		_got=$(sed -n 's/.* Hz asked, \([0-9]*\) Hz got.*/\1/p' out)
		assert_num "perf_event samples per CPU second" "$_got" -ge 500
	fi
}

test_cpu_known_split() {
	need_tools
	build_prog cpu
	bench profile --cpu -- ./cpu
	expect_rc 0
	expect_match out 'mechanism: (perf_event|SIGPROF) sampling' "the mechanism line"
	_cpu=$(sed -n 's/^[0-9]* samples in 1 process, 1 thread: \([0-9.]*\) s of CPU$/\1/p' out)
	[ -n "$_cpu" ] || fail "no 'N samples in 1 process, 1 thread: T s of CPU' line"
	assert_num "CPU seconds profiled" "$_cpu" -ge 0.5
	row hot >/dev/null
	row warm >/dev/null
	_hot=$(field "$(row hot)" 2)
	_warm=$(field "$(row warm)" 2)
	# 2/3 and 1/3 of the CPU time, by ~150 samples: wide bounds.
	assert_num "hot()'s share of the CPU time ($_hot of $_cpu s)" \
		"$(awk -v a="$_hot" -v b="$_cpu" 'BEGIN { print a / b }')" -ge 0.5
	assert_num "hot()'s share of the CPU time ($_hot of $_cpu s)" \
		"$(awk -v a="$_hot" -v b="$_cpu" 'BEGIN { print a / b }')" -le 0.8
	assert_num "warm()'s share of the CPU time ($_warm of $_cpu s)" \
		"$(awk -v a="$_warm" -v b="$_cpu" 'BEGIN { print a / b }')" -ge 0.2
	assert_num "warm()'s share of the CPU time ($_warm of $_cpu s)" \
		"$(awk -v a="$_warm" -v b="$_cpu" 'BEGIN { print a / b }')" -le 0.5
	# file:line inside each function's own lines of cpu.c.
	_h0=$(def_line cpu.c hot)
	_w0=$(def_line cpu.c warm)
	_m0=$(def_line cpu.c main)
	_hl=$(row hot | sed -n 's/.* cpu\.c:\([0-9]*\)(hot)$/\1/p')
	_wl=$(row warm | sed -n 's/.* cpu\.c:\([0-9]*\)(warm)$/\1/p')
	[ -n "$_hl" ] || fail "hot() not located in cpu.c: $(row hot)"
	[ -n "$_wl" ] || fail "warm() not located in cpu.c: $(row warm)"
	assert_num "hot()'s line" "$_hl" -ge "$_h0"
	assert_num "hot()'s line" "$_hl" -lt "$_w0"
	assert_num "warm()'s line" "$_wl" -ge "$_w0"
	assert_num "warm()'s line" "$_wl" -lt "$_m0"
	_n=$(collapsed_total profile/profile.collapsed)
	assert_eq "samples in profile.collapsed" \
		"$(sed -n 's/^\([0-9]*\) samples in.*/\1/p' out)" "$_n"
	expect_match profile/profile.collapsed '(^|;)main(;[^ ]+)?;hot [0-9]+$' "a main;...;hot stack"
	expect_match profile/profile.collapsed '(^|;)main(;[^ ]+)?;warm [0-9]+$' "a main;...;warm stack"
	_pid=$(report_pid 'exited with 0')
	is_uint "$_pid" || fail "no 'process PID exited with 0' line"
	trace_facts profile/profile.trace.json
	if [ $? = 2 ]; then
		note "python3 is not installed: profile.trace.json not read"
	else
		assert_eq "sampled lanes" 1 "$(sed -n 's/^lanes=//p' facts)"
		expect_match facts "^lane=$_pid $_pid cpu\$" "the main thread's lane named after the program"
	fi
	cg_within_total "profile/callgrind.out.$_pid"
	assert_num "hot()'s inclusive samples in callgrind.out.$_pid" "$(cg_incl hot)" -gt 0
	callgrind_ok "profile/callgrind.out.$_pid"
	if [ $? = 2 ]; then
		note "callgrind_annotate is not installed: callgrind file not read"
	else
		expect_match cg.txt 'cpu\.c:hot$' "hot in callgrind_annotate's list"
		expect_match cg.txt 'cpu\.c:warm$' "warm in callgrind_annotate's list"
	fi
}

# Samples in a module with no file behind it (the vDSO: no symbols, no
# lines) are reported under the module's name, and the rest of the report
# as usual.
test_cpu_vdso_frames() {
	need_tools
	build_prog clock
	bench profile --cpu -- ./clock
	expect_rc 0
	expect_match out '^[0-9]+ reads$' "the program's own output"
	expect_match out '^[0-9]+ samples in 1 process' "the table's header"
	expect_match out '  \[vdso\]:0\(' "a row for the vDSO"
	row main >/dev/null
	expect_match profile/profile.collapsed '(^|;)main;clock_gettime;[^ ;]*vdso[^ ;]* [0-9]+$' \
		"samples in the vDSO under main;clock_gettime"
}

# Code with no symbol, a stripped library's internal functions, is named
# after the library and each function's start from its unwind tables, so
# two such functions calling each other stay two: callgrind's inclusive
# costs (callgrind_annotate's sums) then never pass 100%, as they did when
# both were one "[libstripped.so]" calling itself.
test_cpu_unsymbolised_frames() {
	need_tools
	has strip || skip "strip is not installed"
	cp "$PROGS/stripped.c" . || fail "cannot copy $PROGS/stripped.c"
	# Word splitting of $CFLAGS_TEST is meant.
	# shellcheck disable=SC2086
	gcc $CFLAGS_TEST -DSTRIPPED_LIB -shared -fPIC -o libstripped.so stripped.c 2>build.err ||
		fail "gcc could not build libstripped.so: $(head -n 3 build.err)"
	strip --strip-all libstripped.so || fail "strip failed on libstripped.so"
	nm libstripped.so >syms 2>&1
	expect_no_match syms 'stage_' "a symbol of the static functions left by strip"
	# $ORIGIN is the loader's, not the shell's.
	# shellcheck disable=SC2086,SC2016
	gcc $CFLAGS_TEST -o stripped stripped.c -L. -lstripped -Wl,-rpath,'$ORIGIN' 2>build.err ||
		fail "gcc could not link stripped against libstripped.so: $(head -n 3 build.err)"
	bench profile --cpu -- ./stripped
	expect_rc 0
	_pid=$(report_pid 'exited with 0')
	is_uint "$_pid" || fail "no 'process PID exited with 0' line"
	expect_no_match profile/profile.collapsed '\[libstripped\.so\]' "a frame named only [libstripped.so]"
	_pair=$(sed -n 's/.*;stripped_work;libstripped\.so+0x\([0-9a-f]*\);libstripped\.so+0x\([0-9a-f]*\) [0-9]*$/\1 \2/p' \
		profile/profile.collapsed | head -n 1)
	[ -n "$_pair" ] ||
		fail "no stack ...;stripped_work;libstripped.so+0xA;libstripped.so+0xB in profile.collapsed (stage_a calling stage_b)"
	_a=${_pair% *}
	_b=${_pair#* }
	assert_ne "stage_a's and stage_b's names (their starts)" "$_a" "$_b"
	expect_match out " libstripped\.so:0\(libstripped\.so\+0x$_a\)\$" "a table row for stage_a"
	expect_match out " libstripped\.so:0\(libstripped\.so\+0x$_b\)\$" "a table row for stage_b"
	# The names are the functions' starts, as the unwind tables give them.
	if has readelf; then
		readelf --debug-dump=frames libstripped.so >frames 2>/dev/null
		for _at in "$_a" "$_b"; do
			expect_match frames " pc=0*$_at\\.\\." "an FDE starting at 0x$_at in libstripped.so"
		done
	else
		note "readelf is not installed: the names not checked against the unwind tables"
	fi
	cg_within_total "profile/callgrind.out.$_pid"
	assert_num "stage_b's inclusive samples within stage_a's" \
		"$(cg_incl "libstripped.so+0x$_b")" -le "$(cg_incl "libstripped.so+0x$_a")"
	assert_num "stage_a's inclusive samples within stripped_work's" \
		"$(cg_incl "libstripped.so+0x$_a")" -le "$(cg_incl stripped_work)"
	assert_num "stripped_work's inclusive samples within main's" \
		"$(cg_incl stripped_work)" -le "$(cg_incl main)"
	if has callgrind_annotate; then
		callgrind_annotate --threshold=100 --inclusive=yes "profile/callgrind.out.$_pid" >cgi.txt 2>&1 ||
			fail "callgrind_annotate rejected profile/callgrind.out.$_pid"
		_pct=$(grep -o '([0-9.]*%)' cgi.txt | tr -d '()%' | awk '$1 > 100 { print; exit }')
		[ -z "$_pct" ] ||
			fail "callgrind_annotate lists an inclusive cost of $_pct%, expected at most 100%"
	fi
}

# ---- 4. threads and processes --------------------------------------------

test_workload_threads() {
	need_tools
	bench profile --cpu hash --mode thread --workers 2 -n 1M
	expect_rc 0
	expect_match out '^[0-9]+ samples in 1 process, ([2-9]|[1-9][0-9]+) threads:' "two threads or more sampled"
	_pid=$(report_pid 'exited with 0')
	is_uint "$_pid" || fail "no 'process PID exited with 0' line"
	collapsed_total profile/profile.collapsed >/dev/null
	# libcrypto's internal functions, stripped of symbols, are each a
	# function of their own: none passes 100% of the samples.
	expect_no_match profile/profile.collapsed '\[libcrypto[^];]*\]' "a frame named only [libcrypto...]"
	cg_within_total "profile/callgrind.out.$_pid"
	trace_facts profile/profile.trace.json
	if [ $? = 2 ]; then
		note "python3 is not installed: profile.trace.json not read"
		return 0
	fi
	assert_num "sampled lanes (one per worker thread)" "$(sed -n 's/^lanes=//p' facts)" -ge 2
	expect_no_match facts "^lane=.* -\$" "a lane without a thread_name"
	_other=$(sed -n 's/^lane=\([0-9]*\) .*/\1/p' facts | grep -v -x "$_pid")
	[ -z "$_other" ] || fail "lanes of pids other than $_pid: $_other"
}

test_workload_processes() {
	need_tools
	bench profile --cpu hash --mode process --workers 2 -n 1M
	expect_rc 0
	expect_match out '^[0-9]+ samples in 3 processes,' "three processes sampled"
	_parent=$(report_pid 'exited with 0')
	_workers=$(report_pid '_exit(0)' | tr '\n' ' ')
	_nworkers=$(report_pid '_exit(0)' | wc -l | tr -d ' ')
	is_uint "$_parent" || fail "no 'process PID exited with 0' line for bench run"
	assert_eq "workers reported as _exit(0)" 2 "$_nworkers"
	# Each process's file, and a callgrind file for each.
	for _p in $_parent $_workers; do
		ls profile/prof."$_p".*.bin >/dev/null 2>&1 || fail "no profile/prof.$_p.*.bin"
		cg_within_total "profile/callgrind.out.$_p"
	done
	assert_eq "files written" 3 "$(find profile -name 'prof.*.bin' | wc -l | tr -d ' ')"
	trace_facts profile/profile.trace.json
	if [ $? = 2 ]; then
		note "python3 is not installed: profile.trace.json not read"
		return 0
	fi
	for _p in $_workers; do
		expect_match facts "^lane=$_p " "samples of worker $_p in the trace"
	done
}

test_forked_child() {
	need_tools
	build_prog procs
	bench profile --cpu -- ./procs fork-exit 0
	expect_rc 0
	expect_match out '^child: exit 0$' "the program's own output"
	_parent=$(cat parent.pid)
	_child=$(cat child.pid)
	expect_match out "^process $_parent exited with 0\$" "the parent reported"
	expect_match out "^process $_child exited with 0\$" "the child reported"
	expect_match out '^[0-9]+ samples in 2 processes,' "two processes sampled"
	for _p in "$_parent" "$_child"; do
		[ -s "profile/callgrind.out.$_p" ] || fail "no profile/callgrind.out.$_p"
	done
	trace_facts profile/profile.trace.json
	if [ $? = 2 ]; then
		note "python3 is not installed: profile.trace.json not read"
		return 0
	fi
	expect_match facts "^lane=$_parent $_parent " "the parent's samples"
	expect_match facts "^lane=$_child $_child " "the child's samples"
}

# ---- 5. how processes end ------------------------------------------------

test_crash() {
	need_tools
	build_prog procs
	bench profile --cpu -- ./procs segv
	# The profile was made: bench profile succeeds whatever the program
	# did, and says what that was.
	expect_rc 0
	expect_match err '^bench: \./procs segv was killed by signal SIGSEGV' "bench naming the crash"
	_pid=$(cat parent.pid)
	expect_match out "^process $_pid killed by signal 11 " "the report saying how it ended"
	# The samples before the crash are kept.
	expect_match profile/profile.collapsed '(^|;)main;crash;work [0-9]+$' "samples of crash()'s work"
	[ -s "profile/callgrind.out.$_pid" ] || fail "no profile/callgrind.out.$_pid"
}

test_worker_exit_status() {
	need_tools
	build_prog procs
	bench profile --cpu -- ./procs fork-exit 3
	expect_rc 0
	expect_match out '^child: exit 3$' "the program's own output"
	_parent=$(cat parent.pid)
	_child=$(cat child.pid)
	ls profile/prof."$_parent".*.bin >/dev/null 2>&1 || fail "no file of the parent"
	ls profile/prof."$_child".*.bin >/dev/null 2>&1 || fail "no file of the worker"
	expect_match out "^process $_child exited with 3\$" "the worker's exit(3)"
	expect_match out "^process $_parent exited with 0\$" "the parent's exit"
}

# A forked child computes, then execs /bin/true: whichever exec function
# it uses, its samples are saved as it leaves ("exec'd another program"),
# /bin/true writes a file of its own under the same pid, and runs to its
# end (the sampling timer, which exec keeps, is stopped first).
test_exec_keeps_profile() {
	need_tools
	build_prog procs
	[ -x /bin/true ] || skip "no /bin/true"
	_lost=
	for _how in execv execve execvp execl execlp execle; do
		bench profile --cpu -- ./procs exec "$_how"
		expect_rc 0
		_child=$(cat child.pid)
		_why=
		grep -q '^child: exit 0$' out ||
			_why="$_why /bin/true ended as: $(sed -n 's/^child: //p' out);"
		grep -q "^process $_child exec'd another program\$" out ||
			_why="$_why no 'process $_child exec'd another program';"
		grep -q "^process $_child exited with 0\$" out ||
			_why="$_why no 'process $_child exited with 0' (/bin/true);"
		grep -Eq '(^|;)become_true;work [0-9]+$' profile/profile.collapsed ||
			_why="$_why no samples of the child before exec;"
		[ -z "$_why" ] || _lost="$_lost
  $_how:$_why"
		rm -f child.pid
	done
	[ -z "$_lost" ] || fail "exec lost the child's profile or killed the new program:$_lost"
}

test_sigint() {
	need_tools
	build_prog procs
	start_bg "$BENCH" profile --cpu -- ./procs loop
	wait_ready "$BG_PID"
	_i=0
	while [ ! -s parent.pid ] && [ "$_i" -lt 200 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	[ -s parent.pid ] || fail "the program did not start"
	_prog=$(cat parent.pid)
	sleep 1
	kill -INT "$BG_PID"
	wait_exit "$BG_PID" 20 || fail "bench did not stop within 20 s of SIGINT"
	wait "$BG_WAIT"
	RC=$?
	BG_PID=
	BG_WAIT=
	expect_rc 130
	expect_match err '^bench: \./procs loop was interrupted after .*what it collected is saved' \
		"a line saying it was interrupted and what was saved"
	expect_match out "^process $_prog killed by signal 2 " "the report of the interrupted program"
	expect_match out '^[0-9]+ samples in 1 process' "the table printed"
	expect_match profile/profile.collapsed '(^|;)main;work [0-9]+$' "samples of the loop"
	[ -s profile/profile.trace.json ] || fail "no profile.trace.json"
	[ -s "profile/callgrind.out.$_prog" ] || fail "no profile/callgrind.out.$_prog"
	expect_reaped "$_prog"
}

test_missing_program() {
	bench profile --cpu -- ./no-such-program
	expect_rc 1
	expect_empty out
	expect_nlines err 1
	expect_match err "^bench: .*'\\./no-such-program'.*No such file" \
		"one line naming the program and why"
}

test_static_program() {
	need_tools
	cp "$PROGS/procs.c" .
	# shellcheck disable=SC2086
	gcc $CFLAGS_TEST -static -o procs procs.c 2>/dev/null ||
		skip "gcc -static cannot link here (no libc.a)"
	bench profile --cpu -- ./procs fork-exit 0
	expect_rc 1
	expect_match out '^child: exit 0$' "the program ran"
	expect_no_match out '^process ' "a report"
	expect_match err '^bench: no profile was written in profile: .*statically linked' \
		"an error saying nothing was written, and why"
	[ ! -e profile/profile.collapsed ] || fail "profile.collapsed written from nothing"
}

# ---- 6. usage -------------------------------------------------------------

test_no_mode() {
	usage_error 'expected --cpu, --count or --mem' profile -- ./prog
}

test_two_modes() {
	usage_error 'give one of --cpu, --count and --mem' profile --cpu --mem hash
}

test_bad_sort() {
	usage_error "--sort 'bogus': expected tottime, cumtime or ncalls" profile --cpu --sort bogus hash
}

test_unknown_workload() {
	usage_error "unknown workload 'nosuch': expected one of .*hash" profile --cpu nosuch
}

test_help() {
	bench profile --help
	expect_rc 0
	expect_empty err
	expect_match out '^usage: bench profile --cpu\|--count\|--mem' "the usage line"
	expect_match out '-- PROGRAM' "running any program"
	for _o in --cpu --count --mem --hz --interval --sort --top --dir; do
		expect_match out "^ *(-[a-z], )?$_o( |\$)" "$_o documented"
	done
}

# ---- 7. slowlog spans ----------------------------------------------------

test_slowlog_spans() {
	need_tools
	_lib=$(dirname "$BENCH")/libbench.a
	[ -f "$_lib" ] || skip "no libbench.a beside bench"
	cp "$PROGS/spans.c" .
	_libs="$(pkg-config --libs libcrypto jansson sqlite3 simdjson libseccomp 2>/dev/null ||
		echo -lcrypto -ljansson -lsqlite3 -lsimdjson -lseccomp)"
	# What the library was built with: Open MPI, a sanitizer.
	nm "$_lib" 2>/dev/null >lib.syms
	if grep -q ' U MPI_' lib.syms; then
		_libs="$_libs $(pkg-config --libs ompi-c 2>/dev/null)"
	fi
	_san=
	grep -q ' U __asan_' lib.syms && _san=-fsanitize=address,undefined
	grep -q ' U __tsan_' lib.syms && _san=-fsanitize=thread
	# Word splitting of the flags is meant.
	# shellcheck disable=SC2086
	gcc $CFLAGS_TEST $_san -I"$(dirname "$0")/../../bench/include" -o spans spans.c \
		"$_lib" $_libs -lstdc++ -lpthread -lm \
		-Wl,--export-dynamic-symbol=bench_slowlog_set_listener 2>build.err ||
		fail "cannot link spans.c with $_lib: $(head -n 3 build.err)"
	bench profile --cpu -- ./spans
	expect_rc 0
	expect_match err 'Finished load in' "slowlog's own line for load"
	_pid=$(report_pid 'exited with 0')
	is_uint "$_pid" || fail "no 'process PID exited with 0' line"
	expect_match profile/profile.trace.json '"cat":"slowlog","name":"load"' "the load span"
	trace_facts profile/profile.trace.json
	if [ $? = 2 ]; then
		note "python3 is not installed: spans' times not checked"
		return 0
	fi
	_load=$(sed -n "s/^span=slowlog load $_pid $_pid //p" facts)
	_merge=$(sed -n "s/^span=slowlog merge $_pid $_pid //p" facts)
	[ -n "$_load" ] || fail "no async span of cat slowlog named load ended by pid $_pid's main thread"
	[ -n "$_merge" ] || fail "no async span of cat slowlog named merge ended by pid $_pid's main thread"
	# Spans are async events of the process, not frames of the thread's
	# lane, which holds the sampled stacks alone (spans need not nest
	# with them).
	expect_no_match profile/profile.trace.json '"ph":"[BEX]"[^}]*"cat":"slowlog"' \
		"a slowlog span among the lanes' B/E/X frames"
	assert_num "load's duration (us)" "${_load#* }" -gt 1000
	assert_num "merge's duration (us)" "${_merge#* }" -gt 1000
	assert_num "merge's start after load's end" "${_merge% *}" -ge \
		"$(awk -v a="$_load" 'BEGIN { split(a, v, " "); print v[1] + v[2] }')"
}

lib_start "$@"
