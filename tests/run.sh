#!/bin/sh
# run.sh BUILD - runs the unit tests and every CLI test script against
# BUILD/bench, then prints one summary line: "N passed, N failed".
set -u
build=${1:-build}
here=$(dirname "$0")
out=$(mktemp)
trap 'rm -f "$out"' EXIT

passed=0
failed=0
# tally NAME: adds the last "N passed, M failed" line of $out; a suite that
# died before printing it counts as one failure.
tally() {
	line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
	if [ -z "$line" ]; then
		echo "run.sh: $1 printed no summary: counted as failed"
		failed=$((failed + 1))
		return
	fi
	p=$(echo "$line" | sed 's/.*[^0-9]\([0-9][0-9]*\) passed.*/\1/; s/^\([0-9][0-9]*\) passed.*/\1/')
	f=$(echo "$line" | sed 's/.* \([0-9][0-9]*\) failed.*/\1/')
	passed=$((passed + p))
	failed=$((failed + f))
}

"$build/test_unit" > "$out" 2>&1
cat "$out"
tally unit
# Each script's time goes to stderr, so a slow suite is seen in CI's log.
for script in "$here"/cli/test_*.sh; do
	t0=$(date +%s)
	"$script" "$build/bench" > "$out" 2>&1
	cat "$out"
	tally "$script"
	echo "run.sh: $(basename "$script") took $(($(date +%s) - t0)) s" >&2
done
# The chart templates, rendered from sample data (gnuplot is a dependency
# that install-deps.sh installs; without it bench runs but draws nothing).
if command -v gnuplot >/dev/null 2>&1; then
	"$here/../plots/test-plots.sh" > "$out" 2>&1
	cat "$out"
	tally plots
else
	echo "run.sh: gnuplot is not installed: chart templates not tested"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
