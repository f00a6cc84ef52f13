#!/bin/sh
# run.sh BUILD - runs the unit tests and the CLI tests against BUILD/bench
# and ends with one summary line: "N passed, N failed".
set -u
build=${1:-build}
unit_out=$(mktemp)
cli_out=$(mktemp)
trap 'rm -f "$unit_out" "$cli_out"' EXIT

"$build/test_unit" 2>&1 | tee "$unit_out"
"$(dirname "$0")/cli/test_cli.sh" "$build/bench" 2>&1 | tee "$cli_out"

count() { # count FILE WORD: the number before WORD on the summary line
	sed -n "s/.* \([0-9][0-9]*\) $2.*/\1/p" "$1" | tail -n 1
}
up=$(count "$unit_out" passed); uf=$(count "$unit_out" failed)
cp=$(count "$cli_out" passed); cf=$(count "$cli_out" failed)
# A suite that crashed before its summary counts as one failure.
[ -n "$up" ] || { up=0; uf=1; }
[ -n "$cp" ] || { cp=0; cf=1; }
passed=$((up + cp))
failed=$((${uf:-1} + ${cf:-1}))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
