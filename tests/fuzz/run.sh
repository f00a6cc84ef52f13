#!/bin/sh
# run.sh - runs every fuzz target of a build for a bounded time and says
# what each did: executions, time, coverage, findings.
#
# usage: tests/fuzz/run.sh BUILD SECONDS [NAME...]
#
# Each target runs for SECONDS, or until it has made FUZZ_RUNS
# executions when that is set, whichever comes first: a campaign to a
# number of executions is one run and one log, e.g.
#   FUZZ_RUNS=10000000 tests/fuzz/run.sh build-fuzz 14400 events
#
# BUILD holds the targets (`make fuzz`: build-fuzz/fuzz_<name>); NAME
# limits the run to some of them (list, store, ...). Each target starts
# from its committed seeds, tests/fuzz/corpus/<name>/, plus what earlier
# runs found, BUILD/corpus/<name>/, where the inputs it finds now go too:
# the committed seeds are never written. A crash, a sanitizer report, a
# leak, a timeout (FUZZ_TIMEOUT seconds for one input, default 25) or an
# out-of-memory is a finding; its input is saved as
# BUILD/findings/<name>/crash-... (or leak-, timeout-, oom-) and the
# report's first lines are shown. One line per target:
#
#   fuzz_list: 1459244 execs in 11 s (132658/s), cov 412, ft 1650, corpus 396, findings 0
#
# then "LABEL: N targets, no finding" (LABEL is $FUZZ_LABEL, default
# fuzz-smoke), or "LABEL: K of N targets found something" and exit
# status 1 (status 1 too when a signal stopped a target). Every run is
# also appended to BUILD/fuzz-history.tsv (date, target, execs, seconds,
# cov, ft, findings), so that a campaign of several runs can add its
# executions up.
set -u

if [ $# -lt 2 ]; then
	echo "usage: $0 BUILD SECONDS [NAME...]" >&2
	exit 2
fi
build=$1
seconds=$2
shift 2
label=${FUZZ_LABEL:-fuzz-smoke}
timeout=${FUZZ_TIMEOUT:-25}
runs=${FUZZ_RUNS:-}
case $runs in
*[!0-9]*)
	echo "$0: FUZZ_RUNS '$runs' is not a number of executions" >&2
	exit 2
	;;
esac
here=$(cd "$(dirname "$0")" && pwd)

targets=
if [ $# -gt 0 ]; then
	for n in "$@"; do
		targets="$targets $build/fuzz_${n#fuzz_}"
	done
else
	for t in "$build"/fuzz_*; do
		[ -x "$t" ] && [ -f "$t" ] && targets="$targets $t"
	done
fi
if [ -z "$targets" ]; then
	echo "$label: no fuzz target in $build (make fuzz builds them)"
	exit 1
fi

history=$build/fuzz-history.tsv
[ -f "$history" ] || printf 'date\ttarget\texecs\tseconds\tcov\tft\tfindings\n' >"$history"

total=0
found=0
interrupted=0
for t in $targets; do
	name=${t##*/fuzz_}
	total=$((total + 1))
	if [ ! -x "$t" ]; then
		echo "fuzz_$name: no such target in $build"
		found=$((found + 1))
		continue
	fi
	seeds=$here/corpus/$name
	work=$build/corpus/$name
	findings=$build/findings/$name
	log=$build/logs/fuzz_$name.log
	mkdir -p "$work" "$findings" "$build/logs"
	before=$(find "$findings" -type f | wc -l)
	start=$(date +%s)
	: >"$log.start"
	# The folders: new inputs go to the first.
	if [ -d "$seeds" ]; then set -- "$work" "$seeds"; else set -- "$work"; fi
	[ -z "$runs" ] || set -- -runs="$runs" "$@"
	# -rss_limit_mb: ASan's quarantine and shadow are counted too.
	"$t" -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb=3072 \
		-print_final_stats=1 -artifact_prefix="$findings/" "$@" >"$log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
	ft=$(grep -o 'ft: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
	corp=$(grep -o 'corp: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
	new=$(($(find "$findings" -type f | wc -l) - before))
	# A signal that stopped libFuzzer is no finding, but the run did not
	# finish either; a finding that wrote no input (a crash while loading
	# the corpus, say) still counts.
	stopped=
	if [ "$rc" -ne 0 ] && [ "$new" -eq 0 ] && grep -q 'libFuzzer: run interrupted' "$log"; then
		stopped=" (interrupted by a signal)"
		interrupted=$((interrupted + 1))
	elif [ "$rc" -ne 0 ] && [ "$new" -eq 0 ]; then
		new=1
	fi
	printf 'fuzz_%s: %s execs in %s s (%s/s), cov %s, ft %s, corpus %s, findings %s%s\n' \
		"$name" "${execs:-?}" "$secs" "$([ -n "$execs" ] && [ "$secs" -gt 0 ] &&
			echo $((execs / secs)) || echo '?')" \
		"${cov:-?}" "${ft:-?}" "${corp:-?}" "$new" "$stopped"
	printf '%s\tfuzz_%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
		"$name" "${execs:-0}" "$secs" "${cov:-0}" "${ft:-0}" "$new" >>"$history"
	if [ "$new" -gt 0 ]; then
		found=$((found + 1))
		echo "  exit status $rc; the report (all of it in $log):"
		grep -E -A 24 '^==[0-9]+==ERROR|^fuzz: invariant|^SUMMARY|ERROR: libFuzzer|runtime error' "$log" |
			head -n 40 | sed 's/^/    /'
		find "$findings" -type f -newer "$log.start" | sed 's/^/  input: /'
	fi
done

if [ "$found" -eq 0 ] && [ "$interrupted" -eq 0 ]; then
	echo "$label: $total targets, no finding"
	exit 0
fi
if [ "$found" -eq 0 ]; then
	echo "$label: $total targets, no finding, but $interrupted interrupted"
	exit 1
fi
echo "$label: $found of $total targets found something"
exit 1
