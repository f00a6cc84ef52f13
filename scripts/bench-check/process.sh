#!/bin/sh
# process.sh - the bench-check section on the process pool: what handing
# tasks to forked workers costs against the thread pool, each goal's ratio
# measured in one `bench run` with serial, thread and process interleaved
# sample by sample, so a machine that slows down slows every mode alike.
#
#   dispatch   range --chunk 1 (200k one-row tasks): process time per task
#              (median / tasks), goal <= 1 us; thread's beside it;
#   hash       2 workers: process speedup / thread speedup, goal >= 0.95;
#   events     2 workers on a generated file (workers read their own parts
#              of it): process time / thread time, goal <= 1.20;
#   wordcount  2 workers on generated text: process time / thread time,
#              shown for reference (no goal of its own).
#
# usage, from scripts/bench-check.sh or a shell:
#   . scripts/bench-check/process.sh && bench_check_process BENCH [ROUNDS]
#   sh scripts/bench-check/process.sh BENCH [ROUNDS]
# ROUNDS (samples per mode) defaults to $PROCESS_ROUNDS, else 7.
# PROCESS_EVENTS_LINES (default 2000000, about 540 MB) and PROCESS_TEXT_MB
# (default 200) size the generated inputs, written to $TMPDIR and removed.
#
# Like bench-check.sh it measures and prints; it does not pass or fail on a
# stopwatch (status 0 unless a command fails). Release builds only.

# bench_check_process BENCH [ROUNDS]
bench_check_process() {
	_pb=$1
	_pr=${2:-${PROCESS_ROUNDS:-7}}
	_plines=${PROCESS_EVENTS_LINES:-2000000}
	_pmb=${PROCESS_TEXT_MB:-200}
	case $("$_pb" --version) in
	*"release build"*) ;;
	*) echo "bench-check: $_pb is not a release build; its timings would mean nothing" >&2
	   return 1 ;;
	esac
	_ptmp=$(mktemp -d) || return 1

	echo "process pool against thread pool, 2 workers, serial,thread,process interleaved, $_pr samples per mode"
	_process_run "$_pb" "$_ptmp/range.csv" range --chunk 1 --size 200k || { rm -rf "$_ptmp"; return 1; }
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{ m[$c["mode"]] = $c["median_ns"]; n = $c["size"] }
		END { printf "   range --chunk 1, %d tasks: process %.3f us per task (thread %.3f us, serial %.3f us)   goal <= 1 us per task\n",
			n, m["process"] / n / 1000, m["thread"] / n / 1000, m["serial"] / n / 1000 }' "$_ptmp/range.csv"

	_process_run "$_pb" "$_ptmp/hash.csv" hash || { rm -rf "$_ptmp"; return 1; }
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{ s[$c["mode"]] = $c["speedup"]; t[$c["mode"]] = $c["median_ns"] }
		END { printf "   hash: process %.2fx, thread %.2fx (serial %.1f ms): process/thread speedup %.2f   goal >= 0.95\n",
			s["process"], s["thread"], t["serial"] / 1e6, s["process"] / s["thread"] }' "$_ptmp/hash.csv"

	"$_pb" gen events --lines "$_plines" -o "$_ptmp/events.jsonl" || { rm -rf "$_ptmp"; return 1; }
	_process_run "$_pb" "$_ptmp/events.csv" events --input "$_ptmp/events.jsonl" || { rm -rf "$_ptmp"; return 1; }
	rm -f "$_ptmp/events.jsonl"
	awk -F, -v l="$_plines" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{ t[$c["mode"]] = $c["median_ns"] }
		END { printf "   events, %d lines: process %.1f ms, thread %.1f ms, serial %.1f ms: process/thread time %.2f   goal <= 1.20\n",
			l, t["process"] / 1e6, t["thread"] / 1e6, t["serial"] / 1e6, t["process"] / t["thread"] }' "$_ptmp/events.csv"

	"$_pb" gen text --mb "$_pmb" -o "$_ptmp/words.txt" || { rm -rf "$_ptmp"; return 1; }
	_process_run "$_pb" "$_ptmp/wc.csv" wordcount --input "$_ptmp/words.txt" || { rm -rf "$_ptmp"; return 1; }
	awk -F, -v mb="$_pmb" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{ t[$c["mode"]] = $c["median_ns"] }
		END { printf "   wordcount, %d MiB: process %.1f ms, thread %.1f ms, serial %.1f ms: process/thread time %.2f   (reference, no goal)\n",
			mb, t["process"] / 1e6, t["thread"] / 1e6, t["serial"] / 1e6, t["process"] / t["thread"] }' "$_ptmp/wc.csv"
	echo "   (medians; every ratio from one run, its modes interleaved)"
	echo
	rm -rf "$_ptmp"
}

# _process_run BENCH CSV WORKLOAD [ARGS...]: one run of serial, thread and
# process with 2 workers into CSV; $_pr samples per mode.
_process_run() {
	_pbin=$1
	_pcsv=$2
	shift 2
	"$_pbin" run "$@" --workers 2 --mode serial,thread,process --repeat "$_pr" \
		--no-save --quiet --format csv >"$_pcsv" 2>"$_pcsv.err" || {
		echo "bench-check: bench run $* failed: $(tail -n 1 "$_pcsv.err")" >&2
		return 1
	}
}

# Run as a program rather than sourced: the section alone.
case ${0##*/} in
process.sh)
	set -eu
	bench_check_process "${1:-build/bench}" "${2:-}"
	;;
esac
