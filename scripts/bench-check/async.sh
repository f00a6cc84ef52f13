#!/bin/sh
# async.sh - the bench-check section on async at scale: a hundred thousand
# and a million timers in flight on one thread, bench's async mode against
# Python's asyncio (tests/perf/asyncio_sleep.py) for the same N, measured
# alternately in one run. For each N it prints the wall time beyond the
# longest wait (the loop's own cost: a perfect loop takes exactly the
# longest wait) and the peak RSS, the medians of the rounds.
#
# usage, from scripts/bench-check.sh or a shell:
#   . scripts/bench-check/async.sh && bench_check_async BENCH [ROUNDS]
#   sh scripts/bench-check/async.sh BENCH [ROUNDS]
# ROUNDS defaults to $ASYNC_ROUNDS, else 3; each round runs bench (one
# warmup, one sample) and asyncio once per N. ASYNC_SIZES (default
# "100000 1000000") and ASYNC_MAX_MS (default 1000) set the cases. asyncio
# at a million tasks takes minutes and about 1.5 GB here; without python3
# (or tests/perf/asyncio_sleep.py) the asyncio column says so and bench is
# measured alone.
#
# Like bench-check.sh it measures and prints; it does not pass or fail on a
# stopwatch (status 0 unless a command fails). Release builds only.

# bench_check_async BENCH [ROUNDS]
bench_check_async() {
	_ab=$1
	_ar=${2:-${ASYNC_ROUNDS:-3}}
	_amax=${ASYNC_MAX_MS:-1000}
	_asizes=${ASYNC_SIZES:-100000 1000000}
	# The reference script: beside this file's tree, whether run from
	# scripts/bench-check/, sourced by scripts/bench-check.sh, or from
	# the top of the tree.
	_apy=
	for _ad in "$(dirname "$0")/../.." "$(dirname "$0")/.." .; do
		if [ -f "$_ad/tests/perf/asyncio_sleep.py" ]; then
			_apy=$_ad/tests/perf/asyncio_sleep.py
			break
		fi
	done
	case $("$_ab" --version) in
	*"release build"*) ;;
	*) echo "bench-check: $_ab is not a release build; its timings would mean nothing" >&2
	   return 1 ;;
	esac
	_atmp=$(mktemp -d) || return 1
	_apython=
	if command -v python3 >/dev/null 2>&1 && [ -n "$_apy" ]; then
		_apython=python3
	fi

	echo "async at scale: sleep with every task in flight (waits 0-$_amax ms), bench --mode async against asyncio, $_ar rounds interleaved"
	for _an in $_asizes; do
		: >"$_atmp/bench.$_an"; : >"$_atmp/brss.$_an"
		: >"$_atmp/py.$_an"; : >"$_atmp/prss.$_an"
	done
	_ai=0
	while [ "$_ai" -lt "$_ar" ]; do
		for _an in $_asizes; do
			"$_ab" run sleep --size "$_an" --workers "$_an" --max-ms "$_amax" \
				--mode async --repeat 1 --warmup 1 --no-save --quiet \
				--format csv 2>/dev/null >"$_atmp/run.csv" || {
				echo "bench-check: bench run sleep --size $_an failed" >&2
				rm -rf "$_atmp"
				return 1
			}
			awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
				{ print $c["median_ns"] / 1e6 >> "'"$_atmp/bench.$_an"'"
				  print $c["maxrss_kb"] >> "'"$_atmp/brss.$_an"'" }' "$_atmp/run.csv"
			if [ -n "$_apython" ]; then
				"$_apython" "$_apy" "$_an" "$_amax" "$_ai" >"$_atmp/py.out" || {
					echo "bench-check: $_apy $_an failed" >&2
					rm -rf "$_atmp"
					return 1
				}
				awk '{ print $1 - $2 >> "'"$_atmp/py.$_an"'"
				       print $3 >> "'"$_atmp/prss.$_an"'" }' "$_atmp/py.out"
			fi
		done
		_ai=$((_ai + 1))
	done

	for _an in $_asizes; do
		_along=$("$_ab" show sleep --size "$_an" --max-ms "$_amax" |
			awk '$2 > m { m = $2 } END { print m + 0 }')
		_awall=$(_async_median "$_atmp/bench.$_an")
		_abeyond=$(awk -v w="$_awall" -v l="$_along" 'BEGIN { printf "%.1f", w - l }')
		_arss=$(_async_median "$_atmp/brss.$_an")
		printf '   %7d timers  bench: +%s ms beyond the longest wait (%s ms), peak RSS %.1f MB' \
			"$_an" "$_abeyond" "$_along" "$(awk -v k="$_arss" 'BEGIN { print k / 1024 }')"
		if [ -n "$_apython" ]; then
			printf '   asyncio: +%.1f ms, peak RSS %.1f MB' \
				"$(_async_median "$_atmp/py.$_an")" \
				"$(awk -v k="$(_async_median "$_atmp/prss.$_an")" 'BEGIN { print k / 1024 }')"
		else
			printf '   asyncio: not measured (no python3)'
		fi
		echo
	done
	echo "   goal: bench within +50 ms at 100000 timers, +1000 ms at 1000000, peak RSS <= 64 MB"
	echo
	rm -rf "$_atmp"
}

# _async_median FILE: the median of the numbers in FILE, one per line.
_async_median() {
	sort -g "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Run as a program rather than sourced: the section alone.
case ${0##*/} in
async.sh)
	set -eu
	bench_check_async "${1:-build/bench}" "${2:-}"
	;;
esac
