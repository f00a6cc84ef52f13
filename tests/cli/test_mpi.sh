#!/bin/sh
# test_mpi.sh - command-line tests of mode mpi (Open MPI), on one machine
# with oversubscribed ranks:
#
#   results    every workload's mpi checksum equals serial's, at several
#              rank counts; events' byte-range splits keep bad-line
#              numbers; `mpirun -n N bench run` works as well as the
#              relaunch; scale puts mpi on the chart; the run is stored;
#   faults     mpirun missing, a missing hostfile, root without Open MPI's
#              opt-in, a rank that crashes, Ctrl-C: one clear line, the
#              right exit status, and no process left behind, nor a file:
#              /dev/shm (shared-memory segments) and Open MPI's session
#              folders are listed before and after each of them.
#
# usage: tests/cli/test_mpi.sh PATH/TO/bench [TEST...]
#
# Same runner as the other suites (lib.sh). When bench was built without
# Open MPI, or mpirun is missing, only the tests of that case run. As root
# (CI), Open MPI's own opt-in is set here, as the README says to.

# Word splitting of $QUICK is meant.
# shellcheck disable=SC2086
set -u
SUITE="mpi"
SUITE_TIMEOUT=120
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

OMPI_ALLOW_RUN_AS_ROOT=1
OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_ALLOW_RUN_AS_ROOT OMPI_ALLOW_RUN_AS_ROOT_CONFIRM
# Open MPI's own allocations are not bench's leaks.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
TSAN_OPTIONS="${TSAN_OPTIONS:+$TSAN_OPTIONS }suppressions=$(cd "$(dirname "$0")" && pwd)/openmpi.tsan.supp"
export ASAN_OPTIONS TSAN_OPTIONS
QUICK="--no-save -q -r 1 --warmup 0"

TESTS=
t() { TESTS="$TESTS $1"; }

t checksums_every_workload
t events_splits_keep_line_numbers
t wordcount_shuffle_matches_serial
t under_mpirun_directly
t more_workers_than_ranks
t scale_with_mpi
t stored_and_read_back
t hostfile
t hostfile_needs_mpi_mode
t missing_hostfile
t mpirun_missing
t root_needs_opt_in
t rank_crash
t sigint
t no_files_left
t stale_job_folder_removed
t help_mentions_mpi

need_mpi() {
	"$BENCH" run hash --help 2>/dev/null | grep -q 'mpi' ||
		fail "bench run --help does not mention mode mpi"
	has mpirun || skip "mpirun is not installed"
	nm_out=$("$BENCH" run range --mode mpi --workers 1 -n 10 $QUICK 2>&1)
	case $nm_out in
	*"without Open MPI"*) skip "bench was built without Open MPI" ;;
	esac
}

# Where the job's files go: bench's private folder is in /dev/shm when it
# may write there, else in $TMPDIR; Open MPI's own defaults are /dev/shm
# for segments and $TMPDIR/ompi.HOST.UID for the session.
job_base() {
	if [ -d /dev/shm ] && [ -w /dev/shm ]; then echo /dev/shm; else echo "${TMPDIR:-/tmp}"; fi
}

# Every file in /dev/shm and Open MPI's session folders, into FILE.
list_job_files() { # FILE
	{
		find /dev/shm -mindepth 1 2>/dev/null
		find "${TMPDIR:-/tmp}" -maxdepth 1 -name 'ompi.*' 2>/dev/null |
			while read -r _d; do find "$_d"; done
	} | sort >"$1"
}

# Whether a running process owns PATH: a bench's job folder
# (bench-mpi.PID.*), an mpirun's session folder (ompi.HOST.UID/pid.PID),
# or the ompi.HOST.UID folder around a live one.
owned_by_live() { # PATH
	_pid=$(printf '%s\n' "$1" | sed -n 's|.*/bench-mpi\.\([0-9]*\)\..*|\1|p; s|.*/ompi\.[^/]*/pid\.\([0-9]*\).*|\1|p')
	[ -n "$_pid" ] && { kill -0 "$_pid" 2>/dev/null; return; }
	case ${1##*/} in
	ompi.*)
		for _p in "$1"/pid.*; do
			[ -e "$_p" ] && kill -0 "${_p##*/pid.}" 2>/dev/null && return 0
		done ;;
	esac
	return 1
}

# Fails naming what appeared since list_job_files BEFORE: a job must leave
# no segment or session file, however it ended.
expect_no_job_files() { # BEFORE
	list_job_files files.after
	# Another bench still running (a CI run beside this one) has its own
	# folder, bench-mpi.PID.*, and an mpirun of a suite beside this one
	# run with --hostfile has Open MPI's, ompi.HOST.UID/pid.PID (the
	# mpirun's pid): only what no live process owns, and what is still
	# there, is left over.
	_new=$(comm -13 "$1" files.after | while read -r _f; do
		[ -e "$_f" ] || continue
		owned_by_live "$_f" && continue
		printf '%s\n' "$_f"
	done)
	[ -z "$_new" ] || fail "left behind: $(echo "$_new" | head -5 | tr '\n' ' ')"
}

# The checksum of MODE in a JSON report on stdout (./out).
checksum_of() { # MODE
	json_flat out >flat
	awk -F= -v m="$1" '
		/^results\.[0-9]+\.mode=/ { split($1, a, "."); mode[a[2]] = $2 }
		/^results\.[0-9]+\.checksum=/ { split($1, a, "."); sum[a[2]] = $2 }
		END { for (i in mode) if (mode[i] == m) print sum[i] }' flat
}

# Every result of a JSON report verified, mpi's checksum equal to serial's.
expect_mpi_equals_serial() { # WHAT
	expect_rc 0
	_s=$(checksum_of serial)
	_m=$(checksum_of mpi)
	[ -n "$_s" ] || fail "$1: no serial result"
	[ -n "$_m" ] || fail "$1: no mpi result"
	assert_eq "$1: mpi checksum" "$_s" "$_m"
	expect_no_match flat '^results\.[0-9]+\.verified=false' "an unverified result ($1)"
}

test_checksums_every_workload() {
	need_mpi
	for _w in "hash -n 20000" "search -n 20000 --queries 200" "range -n 200000" \
		"sleep -n 12 --max-ms 5" "events -n 5000" "wordcount -n 5000" \
		"graph -n 16 --max-ms 3"; do
		for _r in 2 3; do
			bench run $_w --mode mpi --workers $_r $QUICK -f json
			expect_mpi_equals_serial "${_w%% *} on $_r ranks"
		done
	done
}

test_events_splits_keep_line_numbers() {
	need_mpi
	"$BENCH" gen events --lines 4000 -o ev.jsonl || fail "bench gen events failed"
	# Bad lines near where 2, 3 and 5 ranks cut the file, and at its end
	# an unterminated last line.
	awk 'NR == 1000 || NR == 2001 || NR == 2667 { print "{oops"; next }
	     NR == 1601 { print ""; next } { print }' ev.jsonl >bad.jsonl
	printf '{"event_type":"purchase","event_id":77}' >>bad.jsonl
	bench run events --input bad.jsonl --mode serial $QUICK -f json
	expect_rc 0
	expect_match err 'line 1000 \(malformed JSON\), line 1601 \(blank line\), line 2001 \(malformed JSON\), line 2667' \
		"serial naming the bad lines"
	for _r in 2 3 5; do
		bench run events --input bad.jsonl --mode mpi --workers $_r $QUICK -f json
		expect_mpi_equals_serial "events file on $_r ranks"
		expect_match err 'line 1000 \(malformed JSON\), line 1601 \(blank line\), line 2001 \(malformed JSON\), line 2667' \
			"the bad lines numbered as in the whole file ($_r ranks)"
		assert_eq "lines counted on $_r ranks" 4001 "$(flat flat results.1.lines)"
		bench run events --input bad.jsonl --mode mpi --workers $_r --strict $QUICK
		expect_rc 1
		expect_nlines err 1
		expect_match err '^bench: .*bad\.jsonl line 1000: malformed JSON' \
			"--strict naming the first bad line in file order ($_r ranks)"
	done
}

test_wordcount_shuffle_matches_serial() {
	need_mpi
	# Text with more distinct words than the generator's, and a word cut
	# at no block edge: every partition gets entries from every rank.
	awk 'BEGIN { for (i = 0; i < 60000; i++) printf "w%c%c%c x ", 97 + i % 26, 97 + int(i / 26) % 26, 97 + int(i / 676) % 26; print "" }' >words.txt
	for _r in 2 4; do
		for _c in 1 2; do
			bench run wordcount --input words.txt --mode mpi --workers $_r --chunk $_c $QUICK -f json
			expect_mpi_equals_serial "wordcount on $_r ranks, chunk $_c"
		done
	done
	assert_eq "distinct words" 17577 "$(flat flat results.0.distinct)"
}

# mpirun started by hand, or by bench with --hostfile or --host (which
# keep Open MPI's defaults), keeps its session folder and shared-memory
# segments where these say, in the test's own folder, as bench does for
# the jobs it launches alone: in /tmp and /dev/shm they would be what
# another suite's rank_crash or no_files_left, running beside this one,
# finds left behind.
private_mpi_files() {
	OMPI_MCA_orte_tmpdir_base=$PWD
	OMPI_MCA_btl_vader_backing_directory=$PWD
	export OMPI_MCA_orte_tmpdir_base OMPI_MCA_btl_vader_backing_directory
}

test_under_mpirun_directly() {
	need_mpi
	private_mpi_files
	run mpirun --oversubscribe --bind-to none -n 3 "$BENCH" run hash -n 20000 --mode serial,mpi $QUICK -f json
	expect_mpi_equals_serial "mpirun -n 3 bench run"
	# Every rank: the ranks of the job (no --workers given).
	awk '/^results\.[0-9]+\.workers=/' flat | sort >workers
	expect_match workers '=3$' "mpi with the job's 3 ranks"
	# One report, from rank 0 only.
	assert_eq "JSON documents on stdout" 1 "$(grep -c '"schema"' out)"
}

test_more_workers_than_ranks() {
	need_mpi
	private_mpi_files
	run mpirun --oversubscribe -n 2 "$BENCH" run hash -n 2000 --mode mpi --workers 3 $QUICK
	expect_rc 2
	expect_match err 'workers 3 .*2 ranks' "an error naming workers and ranks"
}

test_scale_with_mpi() {
	need_mpi
	bench scale hash -n 20000 --modes thread,process,mpi --workers 1,2,3 \
		--no-save --charts charts -q -r 1 --warmup 0 -f json
	expect_rc 0
	json_flat out >flat
	for _w in 1 2 3; do
		awk -F= -v w="$_w" '
			/^results\.[0-9]+\.mode=/ { split($1, a, "."); mode[a[2]] = $2 }
			/^results\.[0-9]+\.workers=/ { split($1, a, "."); wk[a[2]] = $2 }
			END { for (i in mode) if (mode[i] == "mpi" && wk[i] == w) f = 1; exit !f }' flat ||
			fail "no mpi result with $_w workers"
	done
	[ "$(grep -c '\.verified=true' flat)" = 10 ] || fail "expected 10 verified cases"
	ls charts/*speedup*.svg >/dev/null 2>&1 || fail "no speedup chart"
	grep -q 'mpi' charts/*speedup*.svg || fail "the speedup chart has no mpi line"
}

test_stored_and_read_back() {
	need_mpi
	bench run hash -n 20000 --mode mpi --workers 2 --results store.db -q -r 1 --warmup 0
	expect_rc 0
	expect_match err 'saved as run 1' "the run saved once"
	bench report 1 --results store.db -f json
	expect_rc 0
	json_flat out >flat
	expect_match flat '^results\.[0-9]+\.mode=mpi$' "mode mpi read back"
	assert_num "launch time read back" "$(flat flat run.launch_ns)" -gt 0
	bench history --results store.db
	expect_rc 0
	expect_match out 'mpi x2' "history naming mpi"
}

test_hostfile() {
	need_mpi
	private_mpi_files
	printf 'localhost slots=4\n' >hosts
	bench run range -n 100000 --mode mpi --workers 3 --hostfile hosts $QUICK -f json
	expect_mpi_equals_serial "--hostfile"
	bench run range -n 100000 --mode mpi --workers 2 --host localhost:2 $QUICK -f json
	expect_mpi_equals_serial "--host"
}

test_hostfile_needs_mpi_mode() {
	printf 'localhost slots=4\n' >hosts
	usage_error -- '--hostfile is for --mode mpi' run hash --hostfile hosts $QUICK
}

test_missing_hostfile() {
	need_mpi
	bench run hash --mode mpi --workers 2 --hostfile no/such/hosts $QUICK
	expect_rc 1
	expect_empty out
	expect_nlines err 1
	expect_match err '^bench: --hostfile no/such/hosts: No such file' "the error naming the hostfile"
}

test_mpirun_missing() {
	need_mpi
	run env PATH=/nonexistent "$BENCH" run hash --mode mpi --workers 2 $QUICK
	expect_rc 1
	expect_empty out
	expect_nlines err 1
	expect_match err '^bench: .*needs mpirun.*not on PATH.*openmpi-bin' "the error naming mpirun and its package"
}

test_root_needs_opt_in() {
	need_mpi
	[ "$(id -u)" = 0 ] || skip "not root"
	run env -u OMPI_ALLOW_RUN_AS_ROOT -u OMPI_ALLOW_RUN_AS_ROOT_CONFIRM \
		"$BENCH" run hash --mode mpi --workers 2 $QUICK
	expect_rc 1
	expect_empty out
	expect_nlines err 1
	expect_match err 'OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1' "the opt-in spelled out"
}

test_rank_crash() {
	need_mpi
	# Task 7 of 12 belongs to rank 1 of 2 (tasks 6..11).
	list_job_files files.before
	BENCH_TEST_CRASH_TASK=7 run_reaped "$BENCH" run hash -n 1200 --chunk 100 \
		--mode mpi --workers 2 $QUICK
	expect_rc 1
	expect_empty out
	expect_match err '^bench: mpi: a rank died' "one line from bench saying a rank died"
	expect_reaped
	expect_no_job_files files.before
}

test_sigint() {
	need_mpi
	list_job_files files.before
	start_bg "$BENCH" run sleep -n 400 --max-ms 50 --mode mpi --workers 2 --no-save -q -r 3
	wait_ready "$BG_PID"
	# Let the ranks start and sample: they have made their segments.
	_i=0
	while ! ls "$(job_base)"/bench-mpi.*/vader_segment.* >/dev/null 2>&1 &&
		[ "$_i" -lt 400 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	[ "$_i" -lt 400 ] || fail "no shared-memory segment in the job's folder within 20 s"
	sleep 0.5
	kill -INT "$BG_PID"
	wait_exit "$BG_PID" 20 || fail "bench did not stop within 20 s of SIGINT"
	wait "$BG_WAIT"
	RC=$?
	expect_rc 130
	expect_match err 'interrupted' "a line saying it was interrupted"
	expect_reaped
	BG_PID=
	BG_WAIT=
	expect_no_job_files files.before
}

# A job that ends in order leaves nothing either, at two rank counts.
test_no_files_left() {
	need_mpi
	list_job_files files.before
	for _n in 2 3; do
		run_reaped "$BENCH" run hash -n 3000 --mode mpi --workers "$_n" $QUICK
		expect_rc 0
		expect_reaped
	done
	expect_no_job_files files.before
}

# The folder of a bench that was killed (SIGKILL: no cleanup) is removed
# by the next launch; a live bench's is not.
test_stale_job_folder_removed() {
	need_mpi
	_base=$(job_base)
	# No process has a pid this high (pid_max is at most 2^22).
	mkdir -p "$_base/bench-mpi.999999999.test$$/ompi.x" ||
		fail "cannot create a stand-in stale folder in $_base"
	: >"$_base/bench-mpi.999999999.test$$/vader_segment.x.0"
	mkdir "$_base/bench-mpi.$$.test$$" || fail "cannot create a live folder"
	run_reaped "$BENCH" run hash -n 3000 --mode mpi --workers 2 $QUICK
	_stale=$([ -e "$_base/bench-mpi.999999999.test$$" ] && echo yes)
	_live=$([ -d "$_base/bench-mpi.$$.test$$" ] && echo yes)
	rm -rf "$_base/bench-mpi.999999999.test$$" "$_base/bench-mpi.$$.test$$"
	expect_rc 0
	[ -z "$_stale" ] || fail "the stale folder of a dead bench was left"
	[ -n "$_live" ] || fail "the folder of a running process was removed"
}

test_help_mentions_mpi() {
	bench run --help
	expect_rc 0
	expect_match out 'mpi' "mode mpi in bench run --help"
	expect_match out 'hostfile' "--hostfile in bench run --help"
	bench scale --help
	expect_match out 'hostfile' "--hostfile in bench scale --help"
}

lib_start "$@"
