#!/bin/sh
# python.sh - the bench-check section on engine python (the course's
# workloads in Python, python/bench_py): are the Python variants as fast as
# idiomatic Python gets, and do they show the course's lessons?
#
#   course     Python serial hash against the plain script written as the
#              course writes it (tests/perf/python_hash_course.py: mysha()
#              over a list of CPF strings), alternated round by round;
#              time ratio, goal <= 1.10 (no more than 10% slower; below
#              1 is allowed: the course builds a str, encodes it and
#              keeps hexdigest(), bench_py builds bytes once and folds
#              digest() into the checksum);
#   GIL        hash, 2 workers, Python serial, thread and process (and
#              native's beside them) interleaved in one run: Python thread
#              time / serial time, goal <= 1.10 (threads do not help under
#              the GIL); Python process speedup, goal >= 1.6 on 2 CPUs;
#   ceiling    the same course script run twice at once, side by side,
#              against once alone, alternated with the rounds above: what
#              two independent Python processes get from this machine's
#              2 CPUs (a shared VM runs two at once slower than one), so
#              the process speedup is also given as a share of it;
#   async      sleep, every task in flight (--workers = tasks): Python async
#              time / the longest wait, goal <= 1.10.
#
# usage, from scripts/bench-check.sh or a shell:
#   . scripts/bench-check/python.sh && bench_check_python BENCH [ROUNDS]
#   sh scripts/bench-check/python.sh BENCH [ROUNDS]
# ROUNDS (samples per mode; rounds of the course comparison) defaults to
# $PYTHON_ROUNDS, else 7. PYTHON_HASH_SIZE (default 1000000 CPFs, about a
# second in CPython) sizes hash. The interpreter is engine python's
# (BENCH_PYTHON, else /usr/bin/python3, else python3); the course script
# runs under the same one. Without it the section says so and is skipped.
#
# Like bench-check.sh it measures and prints; it does not pass or fail on a
# stopwatch (status 0 unless a command fails). Release builds only.

# bench_check_python BENCH [ROUNDS]
bench_check_python() {
	_yb=$1
	_yr=${2:-${PYTHON_ROUNDS:-7}}
	_yn=${PYTHON_HASH_SIZE:-1000000}
	_ypy=${BENCH_PYTHON:-}
	[ -n "$_ypy" ] || { [ -x /usr/bin/python3 ] && _ypy=/usr/bin/python3; } ||
		_ypy=$(command -v python3) || _ypy=
	_yscript=
	for _yd in "$(dirname "$0")/../.." "$(dirname "$0")/.." .; do
		if [ -f "$_yd/tests/perf/python_hash_course.py" ]; then
			_yscript=$_yd/tests/perf/python_hash_course.py
			break
		fi
	done
	case $("$_yb" --version) in
	*"release build"*) ;;
	*) echo "bench-check: $_yb is not a release build; its timings would mean nothing" >&2
	   return 1 ;;
	esac
	if [ -z "$_ypy" ] || [ -z "$_yscript" ]; then
		echo "engine python: skipped (no python3, or no tests/perf/python_hash_course.py)"
		return 0
	fi
	_ytmp=$(mktemp -d) || return 1
	echo "engine python ($("$_ypy" -c 'import platform, sys; print(platform.python_implementation(), platform.python_version())')), $_yr rounds"
	# Without numpy bench_py folds checksums in plain Python, which costs
	# more than the hashing: the course ratio below then measures that.
	"$_ypy" -c 'import numpy' 2>/dev/null ||
		echo "   numpy is not installed: engine python folds checksums in plain Python, slower than the work (install python3-numpy)"

	# The course's script against Python serial, alternated.
	: >"$_ytmp/course.txt"
	: >"$_ytmp/serial.txt"
	: >"$_ytmp/pair.txt"
	_yi=0
	while [ "$_yi" -lt "$_yr" ]; do
		"$_ypy" "$_yscript" "$_yn" 1 >>"$_ytmp/course.txt" || { rm -rf "$_ytmp"; return 1; }
		# Two at once: the slower of the two is the pair's time.
		"$_ypy" "$_yscript" "$_yn" 3 >"$_ytmp/p1.txt" &
		_ypid=$!
		"$_ypy" "$_yscript" "$_yn" 3 >"$_ytmp/p2.txt" || { wait "$_ypid"; rm -rf "$_ytmp"; return 1; }
		wait "$_ypid" || { rm -rf "$_ytmp"; return 1; }
		cat "$_ytmp/p1.txt" "$_ytmp/p2.txt" | sort -n | tail -n 1 >>"$_ytmp/pair.txt"
		BENCH_PYTHON=$_ypy "$_yb" run hash --engine python --mode serial --size "$_yn" \
			--repeat 1 --warmup 1 --no-save --quiet --format csv >"$_ytmp/one.csv" 2>"$_ytmp/one.err" || {
			echo "bench-check: bench run hash --engine python failed: $(tail -n 1 "$_ytmp/one.err")" >&2
			rm -rf "$_ytmp"
			return 1
		}
		awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
			{ printf "%.6f\n", $c["median_ns"] / 1e9 }' "$_ytmp/one.csv" >>"$_ytmp/serial.txt"
		_yi=$((_yi + 1))
	done
	_ycourse=$(sort -n "$_ytmp/course.txt" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	_yserial=$(sort -n "$_ytmp/serial.txt" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	_ypair=$(sort -n "$_ytmp/pair.txt" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	_yceil=$(awk -v a="$_ycourse" -v p="$_ypair" 'BEGIN { printf "%.3f", 2 * a / p }')
	awk -v s="$_yserial" -v c="$_ycourse" -v n="$_yn" 'BEGIN {
		printf "   hash, %d CPFs: Python serial %.3f s, the course'"'"'s script %.3f s: ratio %.2f   goal <= 1.10\n",
			n, s, c, s / c }'
	awk -v a="$_ycourse" -v p="$_ypair" -v c="$_yceil" 'BEGIN {
		printf "   the course'"'"'s script alone %.3f s, two at once %.3f s (the slower): this machine gives 2 Python processes %.2fx one\n",
			a, p, c }'

	# Threads, processes and native, interleaved in one run.
	BENCH_PYTHON=$_ypy "$_yb" run hash --engine native,python --mode serial,thread,process \
		--workers 2 --size "$_yn" --repeat "$_yr" --no-save --quiet --format csv \
		>"$_ytmp/gil.csv" 2>"$_ytmp/gil.err" || {
		echo "bench-check: bench run hash --engine native,python failed: $(tail -n 1 "$_ytmp/gil.err")" >&2
		rm -rf "$_ytmp"
		return 1
	}
	awk -F, -v ceil="$_yceil" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{ k = $c["mode"] "/" $c["engine"]; t[k] = $c["median_ns"]; s[k] = $c["speedup"] }
		END {
			printf "   hash, 2 workers: Python thread %.3f s / serial %.3f s = %.2f   goal <= 1.10 (native thread %.2fx)\n",
				t["thread/python"] / 1e9, t["serial/python"] / 1e9,
				t["thread/python"] / t["serial/python"], s["thread/native"]
			printf "   hash, 2 workers: Python process speedup %.2fx   goal >= 1.6 (native process %.2fx; native serial %.1fx Python serial)\n",
				s["process/python"], s["process/native"],
				t["serial/python"] / t["serial/native"]
			printf "   hash, 2 workers: Python process speedup / the machine'"'"'s %.2fx for two processes = %.0f%%\n",
				ceil, 100 * s["process/python"] / ceil
		}' "$_ytmp/gil.csv"

	# asyncio: every wait in flight at once.
	_ylongest=$("$_yb" show sleep --size 100 --max-ms 500 | awk '$2 > m { m = $2 } END { print m + 0 }')
	BENCH_PYTHON=$_ypy "$_yb" run sleep --engine python --mode async --workers 100 \
		--size 100 --max-ms 500 --repeat "$_yr" --no-save --quiet --format csv \
		>"$_ytmp/sleep.csv" 2>"$_ytmp/sleep.err" || {
		echo "bench-check: bench run sleep --engine python failed: $(tail -n 1 "$_ytmp/sleep.err")" >&2
		rm -rf "$_ytmp"
		return 1
	}
	awk -F, -v l="$_ylongest" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["engine"] == "python" { t = $c["median_ns"] }
		END { printf "   sleep, 100 tasks of 0..500 ms all in flight: Python async %.1f ms, longest wait %d ms: ratio %.3f   goal <= 1.10\n",
			t / 1e6, l, t / 1e6 / l }' "$_ytmp/sleep.csv"
	echo "   (medians; the thread and process ratios from one run, its cases interleaved)"
	echo
	rm -rf "$_ytmp"
}

# Run directly: sh scripts/bench-check/python.sh BENCH [ROUNDS]
case $0 in
*python.sh) bench_check_python "$@" ;;
esac
