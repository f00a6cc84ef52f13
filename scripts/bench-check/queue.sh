#!/bin/sh
# queue.sh - the bench-check section on mode queue (tasks on a Redis
# broker): what a broker round trip costs next to a pool, each ratio
# measured in one `bench run` with its modes interleaved sample by sample.
#
#   dispatch   range --chunk 1 (QUEUE_TASKS one-row tasks, default 10000),
#              2 workers: queue time per task (median / tasks), goal
#              <= 50 us; process's beside it;
#   rq         the same number of no-op tasks through Python rq
#              (tests/perf/rq_noop.py, python3-rq under /usr/bin/python3)
#              on the same redis-server as bench's queue with one worker
#              each: rq's time per task / queue's, goal >= 20;
#   hash       default size and chunking, 2 workers, serial, process and
#              queue: queue speedup goal >= 1.8, queue / process >= 0.95.
#
# The broker is a redis-server on a unix socket in a temporary folder
# (no TCP port), started here and stopped at the end.
#
# usage, from scripts/bench-check.sh or a shell:
#   . scripts/bench-check/queue.sh && bench_check_queue BENCH [ROUNDS]
#   sh scripts/bench-check/queue.sh BENCH [ROUNDS]
# ROUNDS (samples per mode) defaults to $QUEUE_ROUNDS, else 7.
#
# Like bench-check.sh it measures and prints; it does not pass or fail on
# a stopwatch (status 0 unless a command fails). Release builds only.

# bench_check_queue BENCH [ROUNDS]
bench_check_queue() {
	_qb=$1
	_qr=${2:-${QUEUE_ROUNDS:-7}}
	_qn=${QUEUE_TASKS:-10000}
	case $("$_qb" --version) in
	*"release build"*) ;;
	*) echo "bench-check: $_qb is not a release build; its timings would mean nothing" >&2
	   return 1 ;;
	esac
	echo "mode queue (Redis broker) against the process pool and Python rq, $_qr samples per mode"
	if ! command -v redis-server >/dev/null 2>&1; then
		echo "   skipped: redis-server is not installed (make deps)"
		echo
		return 0
	fi
	if "$_qb" run hash -n 1 --mode queue -q --no-save -r 1 --warmup 0 2>&1 |
		grep -q 'built without hiredis'; then
		echo "   skipped: $_qb was built without hiredis (make deps; make)"
		echo
		return 0
	fi
	_qtmp=$(mktemp -d) || return 1
	redis-server --port 0 --unixsocket "$_qtmp/r.sock" --unixsocketperm 700 \
		--save '' --appendonly no --dir "$_qtmp" --daemonize no \
		--logfile "$_qtmp/redis.log" &
	_qrp=$!
	_qi=0
	until [ -S "$_qtmp/r.sock" ] || [ "$_qi" -ge 200 ]; do
		sleep 0.05
		_qi=$((_qi + 1))
	done

	if _queue_run "$_qb" "$_qtmp/range.csv" range --chunk 1 --size "$_qn" \
		--workers 2 --mode serial,process,queue; then
		awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
			{ m[$c["mode"]] = $c["median_ns"]; n = $c["size"] }
			END { printf "   range --chunk 1, %d tasks, 2 workers: queue %.2f us per task, process %.3f us (queue/process %.0fx)   goal <= 50 us per task\n",
				n, m["queue"] / n / 1000, m["process"] / n / 1000, m["queue"] / m["process"] }' "$_qtmp/range.csv"
	fi

	if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import rq' 2>/dev/null; then
		if _queue_run "$_qb" "$_qtmp/one.csv" range --chunk 1 --size "$_qn" \
			--workers 1 --mode queue; then
			_qrq=$(/usr/bin/python3 "${BENCH_CHECK_HERE:-${here:-.}}/tests/perf/rq_noop.py" \
				"$_qtmp/r.sock" "$_qn" 3 2>"$_qtmp/rq.err")
			if [ -n "$_qrq" ]; then
				awk -F, -v rq="$_qrq" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
					{ m = $c["median_ns"]; n = $c["size"] }
					END { printf "   %d no-op tasks, 1 worker, same redis-server: rq %.1f us per task, queue %.2f us: rq/queue %.0fx   goal >= 20x\n",
						n, rq / 1000, m / n / 1000, rq / (m / n) }' "$_qtmp/one.csv"
			else
				echo "   rq: tests/perf/rq_noop.py failed: $(tail -n 1 "$_qtmp/rq.err")"
			fi
		fi
	else
		echo "   rq: skipped, python3-rq is not installed for /usr/bin/python3 (apt-get install python3-rq)"
	fi

	if _queue_run "$_qb" "$_qtmp/hash.csv" hash --workers 2 \
		--mode serial,process,queue; then
		awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
			{ s[$c["mode"]] = $c["speedup"]; t[$c["mode"]] = $c["median_ns"] }
			END { printf "   hash, 2 workers: queue %.2fx, process %.2fx (serial %.1f ms): queue/process speedup %.2f   goals >= 1.8x, >= 0.95\n",
				s["queue"], s["process"], t["serial"] / 1e6, s["queue"] / s["process"] }' "$_qtmp/hash.csv"
	fi
	echo "   (medians; every ratio from one run, its modes interleaved; the broker on a unix socket)"
	echo
	kill "$_qrp" 2>/dev/null
	wait "$_qrp" 2>/dev/null
	rm -rf "$_qtmp"
}

# _queue_run BENCH CSV WORKLOAD [ARGS...]: one run on the section's broker
# into CSV; $_qr samples per mode.
_queue_run() {
	_qbin=$1
	_qcsv=$2
	shift 2
	"$_qbin" run "$@" --broker "unix://$_qtmp/r.sock" --repeat "$_qr" \
		--no-save --quiet --format csv >"$_qcsv" 2>"$_qcsv.err" || {
		echo "   bench run $* failed: $(tail -n 1 "$_qcsv.err")"
		return 1
	}
}

# Run as a program rather than sourced: the section alone.
case ${0##*/} in
queue.sh)
	set -eu
	BENCH_CHECK_HERE=$(cd "$(dirname "$0")/../.." && pwd)
	bench_check_queue "${1:-build/bench}" "${2:-}"
	;;
esac
