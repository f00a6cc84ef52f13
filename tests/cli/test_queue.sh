#!/bin/sh
# test_queue.sh - command-line tests of mode queue (tasks on a Redis
# broker, run by `bench worker` processes):
#
#   results    hash, search, range and sleep give serial's checksum under
#              queue (which bench verifies: a mismatch exits 1), with a
#              private broker and with one the test starts, at --chunk 1
#              too; two runs at once on one broker; a worker started by
#              hand (in a network namespace of its own when unshare can
#              make one) joins a run;
#   faults     a worker SIGKILLed holding a task (the task redelivered
#              and reported), the broker killed mid-run (private and
#              shared), a socket that does not speak Redis, a broker that
#              wants a password, Ctrl-C: one line, the right exit status,
#              no process left (the subreaper of lib.sh lists them), no
#              key left in a shared broker, no folder left.
#
# usage: tests/cli/test_queue.sh PATH/TO/bench [TEST...]
#
# Brokers are redis-server on a unix socket in the test's folder (no TCP
# port). Without redis-server, or in a bench built without hiredis, only
# the tests of that case run and the others say why they skip.

# Word splitting of $QUICK is meant.
# shellcheck disable=SC2086
set -u
SUITE="queue"
SUITE_TIMEOUT=120
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

QUICK="--no-save -q -r 2 --warmup 1"
# A dead worker's task is claimed after this; the default (5 s) would
# only make the fault tests slow.
BENCH_QUEUE_VISIBILITY_MS=300
export BENCH_QUEUE_VISIBILITY_MS

TESTS=
t() { TESTS="$TESTS $1"; }

t checksums_private_broker
t chunk_one
t scale_pools_share_a_broker
t shared_broker_left_clean
t two_runs_one_broker
t worker_joins_by_hand
t worker_killed_task_redelivered
t broker_killed
t private_broker_killed
t not_redis
t needs_password
t sigint_private_broker
t sigint_shared_broker
t usage_errors
t without_hiredis

# Whether this bench has mode queue (built with hiredis).
has_queue() {
	"$BENCH" run hash --mode queue --no-save -q -r 1 --warmup 0 -n 1 \
		--broker unix:///nonexistent/socket >has.out 2>has.err
	! grep -q 'built without hiredis' has.err
}

need_queue() {
	has_queue || skip "bench was built without hiredis (make deps; make)"
	has redis-server || skip "redis-server is not installed (make deps)"
}

# Private brokers' folders go here, so that a leftover is seen.
suite_before_one() {
	mkdir -p tmp
	TMPDIR=$(pwd)/tmp
	export TMPDIR
}

# Starts a redis-server on ./NAME.sock (default r): REDIS_PID, SOCK.
start_redis() { # [NAME] [EXTRA ARGS...]
	_name=${1:-r}
	[ $# -gt 0 ] && shift
	SOCK=$(pwd)/$_name.sock
	redis-server --port 0 --unixsocket "$SOCK" --unixsocketperm 700 \
		--save '' --appendonly no --dir "$(pwd)" --daemonize no \
		--logfile "$(pwd)/$_name.log" "$@" &
	REDIS_PID=$!
	_i=0
	until redis-cli -s "$SOCK" ${REDIS_AUTH:-} ping 2>/dev/null | grep -q PONG ||
		redis-cli -s "$SOCK" ping 2>/dev/null | grep -q NOAUTH; do
		_i=$((_i + 1))
		[ "$_i" -lt 200 ] || fail "redis-server did not start on $SOCK"
		sleep 0.05
	done
}

stop_redis() {
	[ -n "${REDIS_PID:-}" ] && kill "$REDIS_PID" 2>/dev/null &&
		wait "$REDIS_PID" 2>/dev/null
	REDIS_PID=
}

keys_left() {
	redis-cli -s "$SOCK" --scan 2>/dev/null | tr '\n' ' '
}

expect_no_keys() {
	_k=$(keys_left)
	[ -z "$_k" ] || fail "keys left in the broker: $_k"
}

expect_no_folder() {
	_d=$(ls -d tmp/bench-queue.* 2>/dev/null)
	[ -z "$_d" ] || fail "private broker folder left: $_d"
}

# Waits until bench (PID) runs N worker processes; prints their pids.
wait_workers() { # PID N
	_i=0
	while :; do
		_w=$(pgrep -f "worker --run bench:q:.*:$1:" | tr '\n' ' ')
		# shellcheck disable=SC2086
		set -- "$1" "$2" $_w
		[ $(($# - 2)) -ge "$2" ] && break
		_i=$((_i + 1))
		[ "$_i" -lt 400 ] || fail "bench did not start its $2 workers within 20 s"
		sleep 0.05
	done
	printf '%s\n' "$_w"
}

test_checksums_private_broker() {
	need_queue
	for _w in "hash -n 400" "search -n 400" "range -n 400" \
		"sleep -n 60 --max-ms 10"; do
		run_reaped "$BENCH" run $_w --mode serial,queue --workers 2 $QUICK
		expect_rc 0
		expect_match out '^queue +2 ' "a queue row"
		expect_match out 'note: queue x2: broker private unix://' \
			"the broker named in a note"
		expect_match out 'PING [0-9]+ us' "the PING round trip"
		expect_match out 'broker I/O [0-9.]+ ms, waiting [0-9.]+ ms, workers computing' \
			"the time split"
		expect_reaped
		expect_no_folder
	done
}

test_chunk_one() {
	need_queue
	run_reaped "$BENCH" run range -n 300 -c 1 --mode serial,process,queue --workers 2 $QUICK
	expect_rc 0
	expect_match out '^queue +2 .*✓' "a verified queue row"
	expect_reaped
}

# bench scale: a warm pool per worker count, all on one private broker.
test_scale_pools_share_a_broker() {
	need_queue
	run_reaped "$BENCH" scale range -n 500 --modes process,queue --workers 1,2 $QUICK
	expect_rc 0
	expect_match out 'note: queue x1: broker private unix://' "the x1 pool's note"
	expect_match out 'note: queue x2: broker private unix://' "the x2 pool's note"
	_n=$(sed -n 's/^note: queue x[12]: broker private \(unix:[^ ]*\).*/\1/p' out | sort -u | wc -l)
	assert_eq "brokers used by the two pools" 1 "$_n"
	expect_reaped
	expect_no_folder
}

test_shared_broker_left_clean() {
	need_queue
	start_redis
	run_reaped "$BENCH" run hash -n 500 --mode serial,queue --workers 2 \
		--broker "unix://$SOCK" $QUICK
	expect_rc 0
	expect_match out "note: queue x2: broker unix://$SOCK" "the shared broker named"
	expect_reaped
	expect_no_keys
	stop_redis
}

test_two_runs_one_broker() {
	need_queue
	start_redis
	"$BENCH" run sleep -n 30 --max-ms 20 --mode serial,queue --workers 2 \
		--broker "unix://$SOCK" $QUICK >a.out 2>a.err &
	_a=$!
	"$BENCH" run hash -n 2000 --mode serial,queue --workers 2 \
		--broker "unix://$SOCK" $QUICK >b.out 2>b.err &
	_b=$!
	wait "$_a"
	_ra=$?
	wait "$_b"
	_rb=$?
	[ "$_ra" = 0 ] || fail "the sleep run exited $_ra: $(cat a.err)"
	[ "$_rb" = 0 ] || fail "the hash run exited $_rb: $(cat b.err)"
	grep -q '^queue .*✓' a.out || fail "the sleep run has no verified queue row"
	grep -q '^queue .*✓' b.out || fail "the hash run has no verified queue row"
	expect_no_keys
	stop_redis
}

# A worker started by hand (as on another host) takes part: the run's
# note counts results from two workers with --workers 1. In a network
# namespace of its own when unshare may make one: the unix socket is all
# it needs.
test_worker_joins_by_hand() {
	need_queue
	start_redis
	_ns=
	unshare -n true 2>/dev/null && _ns="unshare -n"
	$_ns "$BENCH" worker --broker "unix://$SOCK" >w.out 2>w.err &
	_wp=$!
	run_reaped "$BENCH" run sleep -n 60 --max-ms 20 --mode queue --workers 1 \
		--broker "unix://$SOCK" $QUICK
	kill -INT "$_wp" 2>/dev/null
	# unshare passes the signal on by exec: the worker is its process.
	wait_exit "$_wp" 10 || fail "the hand-started worker did not stop on SIGINT"
	wait "$_wp"
	_rw=$?
	expect_rc 0
	expect_match out 'results from 2 workers' "results from both workers"
	[ "$_rw" = 130 ] || fail "the hand-started worker exited $_rw after SIGINT, not 130: $(cat w.err)"
	expect_reaped
	expect_no_keys
	stop_redis
}

test_worker_killed_task_redelivered() {
	need_queue
	BENCH_TEST_CRASH_TASK=3 run_reaped "$BENCH" run sleep -n 16 --max-ms 20 \
		--mode serial,queue --workers 2 $QUICK
	expect_rc 0
	expect_match out '^queue +2 .*✓' "a verified queue row"
	expect_match out '1 task redelivered after worker [0-9]+ \(pid [0-9]+\) died: it was killed by signal SIGKILL' \
		"the redelivery reported"
	expect_reaped
	expect_no_folder
}

test_broker_killed() {
	need_queue
	start_redis
	start_bg "$BENCH" run sleep -n 2000 --max-ms 20 --mode queue --workers 2 \
		--broker "unix://$SOCK" --no-save -q -r 3
	wait_ready "$BG_PID"
	wait_workers "$BG_PID" 2 >/dev/null
	sleep 0.3
	kill -KILL "$REDIS_PID"
	wait "$REDIS_PID" 2>/dev/null
	REDIS_PID=
	wait_exit "$BG_PID" 30 || fail "bench did not stop within 30 s of its broker's death"
	wait "$BG_WAIT"
	RC=$?
	BG_PID=
	BG_WAIT=
	expect_rc 1
	expect_nlines err 1
	expect_match err "^bench: queue: lost the broker unix://$SOCK" "the broker named"
	expect_reaped
}

test_private_broker_killed() {
	need_queue
	start_bg "$BENCH" run sleep -n 2000 --max-ms 20 --mode queue --workers 2 \
		--no-save -q -r 3
	wait_ready "$BG_PID"
	wait_workers "$BG_PID" 2 >/dev/null
	_r=$(pgrep -f "redis-server unixsocket:$(pwd)/tmp/bench-queue.$BG_PID")
	[ -n "$_r" ] || fail "no private redis-server found"
	kill -KILL $_r
	wait_exit "$BG_PID" 30 || fail "bench did not stop within 30 s of its broker's death"
	wait "$BG_WAIT"
	RC=$?
	BG_PID=
	BG_WAIT=
	expect_rc 1
	expect_nlines err 1
	# Named by its exit, or by the reset connection when a worker's or
	# the parent's read sees it first: one line either way.
	expect_match err '^bench: queue: (the private broker \(redis-server, pid [0-9]+\) was killed by signal SIGKILL|lost the broker unix://.*)' \
		"the broker's death"
	expect_reaped
	expect_no_folder
}

# A unix socket whose server answers like an HTTP server.
test_not_redis() {
	need_queue
	has python3 || skip "python3 is not installed"
	cat >fake.py <<'EOF'
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(8)
open(sys.argv[1] + ".ready", "w").close()
while True:
    c, _ = s.accept()
    c.recv(4096)
    c.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")
    c.close()
EOF
	python3 fake.py "$(pwd)/fake.sock" &
	_fp=$!
	_i=0
	while [ ! -e fake.sock.ready ] && [ "$_i" -lt 200 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	run_reaped "$BENCH" run hash -n 100 --mode queue --workers 1 \
		--broker "unix://$(pwd)/fake.sock" $QUICK
	kill "$_fp"
	wait "$_fp" 2>/dev/null
	expect_rc 1
	expect_nlines err 1
	expect_match err "^bench: queue: unix://$(pwd)/fake.sock does not answer as a Redis server" \
		"the socket named and what is wrong"
	expect_reaped
}

test_needs_password() {
	need_queue
	start_redis r --requirepass s3cret
	run_reaped "$BENCH" run hash -n 100 --mode queue --workers 1 \
		--broker "unix://$SOCK" $QUICK
	expect_rc 1
	expect_nlines err 1
	expect_match err "^bench: queue: the broker unix://$SOCK needs a password" \
		"the refusal named"
	expect_reaped
	stop_redis
}

test_sigint_private_broker() {
	need_queue
	start_bg "$BENCH" run sleep -n 2000 --max-ms 20 --mode queue --workers 2 \
		--no-save -q -r 3
	wait_ready "$BG_PID"
	wait_workers "$BG_PID" 2 >/dev/null
	sleep 0.3
	kill -INT "$BG_PID"
	wait_exit "$BG_PID" 20 || fail "bench did not stop within 20 s of SIGINT"
	wait "$BG_WAIT"
	RC=$?
	BG_PID=
	BG_WAIT=
	expect_rc 130
	expect_match err 'interrupted' "a line saying it was interrupted"
	expect_reaped
	expect_no_folder
}

test_sigint_shared_broker() {
	need_queue
	start_redis
	start_bg "$BENCH" run sleep -n 2000 --max-ms 20 --mode queue --workers 2 \
		--broker "unix://$SOCK" --no-save -q -r 3
	wait_ready "$BG_PID"
	wait_workers "$BG_PID" 2 >/dev/null
	[ -n "$(keys_left)" ] || fail "no key of the run in the broker while it runs"
	sleep 0.3
	kill -INT "$BG_PID"
	wait_exit "$BG_PID" 20 || fail "bench did not stop within 20 s of SIGINT"
	wait "$BG_WAIT"
	RC=$?
	BG_PID=
	BG_WAIT=
	expect_rc 130
	expect_reaped
	expect_no_keys
	stop_redis
}

test_usage_errors() {
	usage_error "--broker 'http://x': expected redis://HOST:PORT/DB or unix:///PATH" \
		run hash --mode queue --broker http://x
	usage_error "no broker: give --broker URL" worker
	usage_error "--run 'x': expected a run's key prefix" worker --broker unix:///x --run x
	has_queue || return 0
	usage_error "--broker 'unix://relative': expected redis://HOST:PORT/DB or unix:///PATH" \
		run hash --mode queue --broker unix://relative -n 10 $QUICK
	usage_error "workload events streams its input" \
		run events -n 100 --mode queue --workers 1 $QUICK
	bench worker --help
	expect_rc 0
	expect_match out '^usage: bench worker --broker URL' "the worker's usage"
}

# In a build without hiredis, the mode says how to get it and every
# other mode runs.
test_without_hiredis() {
	has_queue && skip "bench was built with hiredis (make check-nohiredis tests this)"
	usage_error "--mode queue: bench was built without hiredis: install libhiredis-dev" \
		run hash --mode queue -n 10 $QUICK
	bench run hash -n 100 --mode serial,process $QUICK
	expect_rc 0
}

lib_start "$@"
