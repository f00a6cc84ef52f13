#!/bin/sh
# bench-check.sh BENCH - measures the performance ratios bench promises,
# each against a reference measured alongside in the same run, and prints
# them. It measures; it does not pass or fail on a stopwatch (exit 0 unless
# a tool is missing or a command fails).
#
# Release builds only: timings from a debug or sanitizer build mean nothing.
set -eu

bench=${1:-build/bench}
rounds=${ROUNDS:-5}
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

need() { command -v "$1" >/dev/null 2>&1 || { echo "bench-check: '$1' is not installed" >&2; exit 1; }; }
need openssl
need awk
case $("$bench" --version) in
*"release build"*) ;;
*) echo "bench-check: $bench is not a release build; its timings would mean nothing" >&2; exit 1 ;;
esac

# median FILE: the median of the numbers in FILE, one per line.
median() { sort -g "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# field CSV MODE COLUMN: a column of `bench run --format csv` for MODE.
field() { awk -F, -v m="$2" -v c="$3" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next } $2 == m { print $col[c] }' "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "bench-check: $("$bench" --version)"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo

# 1. Serial hash rate against `openssl speed`, alternating the two.
echo "1. hash, serial, against openssl speed -evp sha256 -bytes 32 (single core), $rounds rounds interleaved"
: > "$tmp/ossl"; : > "$tmp/bench"
i=0
while [ $i -lt "$rounds" ]; do
	openssl speed -seconds 1 -evp sha256 -bytes 32 2>/dev/null |
		awk '/^sha256/ { v = $2; sub(/k$/, "", v); print v * 1000 / 32 }' >> "$tmp/ossl"
	"$bench" run hash --mode serial --repeat 1 --warmup 0 --quiet --format csv 2>/dev/null > "$tmp/run.csv"
	field "$tmp/run.csv" serial items_per_s >> "$tmp/bench"
	i=$((i + 1))
done
o=$(median "$tmp/ossl"); b=$(median "$tmp/bench")
printf '   openssl speed: %.3g hashes/s   bench serial: %.3g hashes/s   ratio %s (goal >= 0.80)\n\n' "$o" "$b" "$(ratio "$b" "$o")"

# 2. Two workers on hash: thread and process against serial, one run.
echo "2. hash with 2 workers, thread and process against serial (one run, modes interleaved)"
"$bench" run hash --workers 2 --mode serial,thread,process --repeat "$rounds" --quiet --format csv 2>/dev/null > "$tmp/hash2.csv"
for m in serial thread process; do
	printf '   %-8s median %8.1f ms   speedup %.2fx\n' "$m" \
		"$(awk -v v="$(field "$tmp/hash2.csv" $m median_ns)" 'BEGIN { print v / 1e6 }')" \
		"$(field "$tmp/hash2.csv" $m speedup)"
done
echo "   (goal: thread and process >= 1.80x)"
echo

# 3. Per-task cost with --chunk 1: thread pool against a plain mutex/condvar
#    queue doing the same rows, alternating; process pool reported.
rows=${ROWS:-1000000}
echo "3. per-task overhead, range --chunk 1, $rows rows, 2 workers, $rounds rounds interleaved"
cc -O2 -pthread "$here/tests/perf/queue_baseline.c" -o "$tmp/queue_baseline"
: > "$tmp/queue"; : > "$tmp/pool"
i=0
while [ $i -lt "$rounds" ]; do
	"$tmp/queue_baseline" "$rows" 2 2>/dev/null >> "$tmp/queue"
	"$bench" run range --size "$rows" --chunk 1 --workers 2 --mode thread --repeat 1 --warmup 0 --quiet --format csv 2>/dev/null > "$tmp/r.csv"
	awk -v v="$(field "$tmp/r.csv" thread median_ns)" -v n="$rows" 'BEGIN { print v / n }' >> "$tmp/pool"
	i=$((i + 1))
done
q=$(median "$tmp/queue"); p=$(median "$tmp/pool")
printf '   mutex/condvar queue: %.1f ns per task   bench thread pool: %.1f ns per task   ratio %s (goal <= 2.00)\n' "$q" "$p" "$(ratio "$p" "$q")"
prow=$((rows / 10))
"$bench" run range --size "$prow" --chunk 1 --workers 2 --mode serial,process --repeat 3 --quiet --format csv 2>/dev/null > "$tmp/p.csv"
awk -v s="$(field "$tmp/p.csv" serial median_ns)" -v p="$(field "$tmp/p.csv" process median_ns)" -v n="$prow" \
	'BEGIN { printf "   process pool: %.2f us per task (%d tasks; serial %.1f ns per row of work)\n\n", (p - s / 2) / n / 1000, n, s / n }'

# 4. Sleep: async against the longest wait, serial against the sum.
tasks=40
echo "4. sleep, $tasks tasks of 0-50 ms, async with every task in flight"
"$bench" show sleep --size $tasks > "$tmp/waits"
longest=$(awk '$2 > m { m = $2 } END { print m }' "$tmp/waits")
sum=$(awk '{ s += $2 } END { print s }' "$tmp/waits")
"$bench" run sleep --size $tasks --workers $tasks --mode serial,thread,async --repeat "$rounds" --quiet --format csv 2>/dev/null > "$tmp/sleep.csv"
a=$(awk -v v="$(field "$tmp/sleep.csv" async median_ns)" 'BEGIN { print v / 1e6 }')
s=$(awk -v v="$(field "$tmp/sleep.csv" serial median_ns)" 'BEGIN { print v / 1e6 }')
t=$(awk -v v="$(field "$tmp/sleep.csv" thread median_ns)" 'BEGIN { print v / 1e6 }')
printf '   longest wait %d ms, sum %d ms\n' "$longest" "$sum"
printf '   async  %.1f ms = %s x the longest wait (goal within 10%%: 0.90-1.10)\n' "$a" "$(ratio "$a" "$longest")"
printf '   serial %.1f ms = %s x the sum of waits (goal about 1)\n' "$s" "$(ratio "$s" "$sum")"
printf '   thread %.1f ms with %d threads\n' "$t" "$tasks"
