#!/bin/sh
# test-plots.sh: renders every chart template on sample data, as bench does.
#
# Each case writes a TAB-separated data file shaped like bench's own (same
# columns, number formats, '#' header, "nan" words, two blank lines between
# sweep blocks), runs `gnuplot -e "vars" TEMPLATE` once with term='pngcairo'
# and once with term='svg', and checks that gnuplot exited 0, printed nothing
# on stderr (gnuplot warns there, and a warning means a chart that is off),
# and wrote a non-empty PNG or SVG.  The cases cover the usual charts and
# the edges: one mode, two worker counts on a linear axis, one point, no
# Amdahl fit, CPU count outside the sweep, superlinear efficiency, flat,
# quadratic and three-size complexity, many sizes, all speedups nan, missing
# or empty confidence intervals, a very long title with quotes and
# enhanced-text characters, fits left out, a runner-up complexity fit, the
# memory chart, the slides style (16:9) of each, and a missing variable or
# an unknown style (must fail).
#
# Usage: plots/test-plots.sh [OUTDIR]
# With OUTDIR the data and images are kept there for a look; without it they
# go to a temporary folder that is removed.  Exit status 0 when all pass.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
if [ $# -gt 0 ]; then
	out=$1
	mkdir -p "$out"
else
	out=$(mktemp -d "${TMPDIR:-/tmp}/bench-plots.XXXXXX")
	trap 'rm -rf "$out"' EXIT
fi
command -v gnuplot >/dev/null 2>&1 || { echo "test-plots: gnuplot is not installed" >&2; exit 1; }

passed=0
failed=0

# q STRING: STRING quoted for a gnuplot single-quoted string (' -> '').
q() {
	printf "%s" "$1" | sed "s/'/''/g"
}

fail() {
	echo "FAIL $1" >&2
	failed=$((failed + 1))
}

# render NAME TEMPLATE DATAFILE VARS: draws OUT/NAME.png and OUT/NAME.svg.
render() {
	name=$1 template=$2 datafile=$3 vars=$4
	for pair in pngcairo:png svg:svg; do
		term=${pair%%:*} ext=${pair#*:}
		img=$out/$name.$ext
		err=$out/$name.$ext.stderr
		rm -f "$img"
		rc=0
		gnuplot -e "datafile='$(q "$datafile")'; outfile='$(q "$img")'; term='$term'; $vars" \
			"$here/$template.gp" 2>"$err" || rc=$?
		if [ "$rc" -ne 0 ]; then
			fail "$name.$ext: gnuplot exited $rc"
		elif [ -s "$err" ]; then
			fail "$name.$ext: gnuplot printed on stderr"
		elif [ ! -s "$img" ]; then
			fail "$name.$ext: no image, or an empty one"
		elif [ "$ext" = png ] && ! head -c 8 "$img" | grep -q PNG; then
			fail "$name.$ext: not a PNG file"
		elif [ "$ext" = svg ] && ! grep -q '</svg>' "$img"; then
			fail "$name.$ext: not a complete SVG file"
		else
			echo "ok   $name.$ext"
			passed=$((passed + 1))
			rm -f "$err"
			continue
		fi
		sed 's/^/     | /' "$err" >&2
	done
}

# sweep_block WORKERS:SPEEDUP:LOW:HIGH ...: one sweep block in bench's
# format; efficiency and the Karp-Flatt metric are derived as bench does.
sweep_block() {
	for row in "$@"; do
		echo "$row"
	done | awk -F: '{
		p = $1; s = $2
		printf "%u\t%.6f\t%.6f\t%.6f\t%.6f\t", p, s, $3, $4, s / p
		if (p > 1) printf "%.6f\n", (1 / s - 1 / p) / (1 - 1 / p)
		else print "nan"
	}'
}

sweep_header() {
	printf '# workers\tspeedup\tspeedup_low\tspeedup_high\tefficiency\tkarp_flatt\n'
}

# complexity_data A CLASS JITTER SIZE...: t = A * g(n) ns with a +-JITTER
# relative wobble and a CI of -3%/+4%.
complexity_data() {
	a=$1 class=$2 jitter=$3
	shift 3
	printf '# size\tmedian_ns\tci_low_ns\tci_high_ns\n'
	for n in "$@"; do
		echo "$n"
	done | awk -v a="$a" -v c="$class" -v j="$jitter" '{
		n = $1; l = log(n) / log(2)
		g = (c == 0) ? 1 : (c == 1) ? l : (c == 2) ? n : (c == 3) ? n * l : n * n
		t = a * g * (1 + j * sin(NR * 2.3))
		printf "%u\t%.1f\t%.1f\t%.1f\n", n, t, t * 0.97, t * 1.04
	}'
}

run_header() {
	printf '# mode\tmedian_ns\tci_low_ns\tci_high_ns\tspeedup\tworkers\n'
}

cpu="Intel(R) Xeon(R) CPU @ 2.20GHz"
d=$out/data
mkdir -p "$d"

# --- speedup and efficiency -------------------------------------------------

thread="1:0.98:0.95:1.01 2:1.87:1.80:1.93 4:1.95:1.88:2.02 8:1.97:1.90:2.05 16:1.93:1.84:2.01"
process="1:0.91:0.86:0.95 2:1.71:1.62:1.80 4:1.80:1.70:1.90 8:1.78:1.66:1.88 16:1.65:1.51:1.78"
# shellcheck disable=SC2086 # the row lists split on purpose
{ sweep_header; sweep_block $thread; printf '\n\n'; sweep_block $process; } >"$d/sweep.tsv"
# shellcheck disable=SC2086
{ sweep_header; sweep_block $thread; } >"$d/sweep-one.tsv"
{
	sweep_header
	sweep_block 1:0.99:0.97:1.01 2:1.62:1.55:1.70
	printf '\n\n'
	sweep_block 1:0.93:0.90:0.96 2:1.44:1.37:1.50
} >"$d/sweep-two.tsv"
{
	sweep_header
	sweep_block 1:1.00:0.98:1.02 2:1.98:1.95:2.01 4:3.91:3.85:3.99 8:7.62:7.41:7.80
	printf '\n\n'
	sweep_block 1:0.95:0.92:0.97 2:1.86:1.80:1.91 4:3.62:3.50:3.71 8:6.90:6.61:7.12
	printf '\n\n'
	sweep_block 1:1.01:0.99:1.03 2:1.02:0.99:1.04 4:1.01:0.98:1.04 8:1.02:0.99:1.05
} >"$d/sweep-wide.tsv"
{
	sweep_header
	sweep_block 2:2.10:2.02:2.18 4:4.35:4.20:4.49 6:6.51:6.30:6.70 8:8.40:8.10:8.71
} >"$d/sweep-super.tsv"
# A noisy machine: wide, overlapping confidence ranges (from a real run).
{
	sweep_header
	sweep_block 1:0.93:0.73:1.45 2:1.60:1.20:2.77 4:1.99:1.25:2.80 8:1.96:1.53:2.69 16:1.78:1.50:2.90
	printf '\n\n'
	sweep_block 1:1.09:0.80:1.49 2:2.04:1.41:2.84 4:2.10:1.51:2.85 8:1.95:1.72:2.83 16:1.82:1.53:2.76
	printf '\n\n'
	sweep_block 1:1.05:0.98:1.40 2:1.13:1.03:1.51 4:1.08:1.00:1.50 8:1.05:0.87:1.44 16:1.01:0.70:1.49
} >"$d/sweep-noisy.tsv"
{ sweep_header; sweep_block 1:1.00:0.97:1.02 2:1.71:1.71:1.71; } >"$d/sweep-tiny.tsv"
{ sweep_header; sweep_block 4:3.10:2.90:3.30; } >"$d/sweep-point.tsv"

scale_title="hash, 1000000 items: speedup over serial on 2 CPUs ($cpu)"
long_title="hash_64 with ^carets^, {braces}, @at and Bob's \"quotes\", 1000000 items: speedup over serial on 2 CPUs ($cpu), a title long enough to need two lines"

for chart in speedup efficiency; do
	render "$chart" "$chart" "$d/sweep.tsv" \
		"title='$(q "$scale_title")'; cpus=2; modes='thread process'; fractions='0.432600 0.501900'; logx=1;"
	render "$chart-one-mode" "$chart" "$d/sweep-one.tsv" \
		"title='$(q "$scale_title")'; cpus=2; modes='thread'; fractions='0.432600'; logx=1;"
	render "$chart-two-workers" "$chart" "$d/sweep-two.tsv" \
		"title='$(q "$scale_title")'; cpus=2; modes='thread process'; fractions='0.234000 0.381000'; logx=0;"
	render "$chart-no-fit" "$chart" "$d/sweep.tsv" \
		"title='$(q "$scale_title")'; cpus=2; modes='thread process'; fractions='nan nan'; logx=1;"
	render "$chart-cpus-outside" "$chart" "$d/sweep-wide.tsv" \
		"title='$(q "hash, 1000000 items: speedup over serial on 64 CPUs ($cpu)")'; cpus=64; modes='thread process async'; fractions='0.006100 0.021000 nan'; logx=1;"
	render "$chart-superlinear" "$chart" "$d/sweep-super.tsv" \
		"title='$(q "search, 4000000 items: speedup over serial on 8 CPUs ($cpu)")'; cpus=8; modes='thread'; fractions='-0.006000'; logx=0;"
	render "$chart-noisy" "$chart" "$d/sweep-noisy.tsv" \
		"title='$(q "hash, 8000000 items: speedup over serial on 2 CPUs (AMD EPYC)")'; cpus=2; modes='thread process async'; fractions='0.250000 0.000000 0.776000'; logx=1;"
	render "$chart-two-points" "$chart" "$d/sweep-tiny.tsv" \
		"title='$(q "$scale_title")'; cpus=2; modes='process'; fractions='nan'; logx=0;"
	render "$chart-one-point" "$chart" "$d/sweep-point.tsv" \
		"title='$(q "$scale_title")'; cpus=4; modes='thread'; fractions='nan'; logx=0;"
	render "$chart-long-title" "$chart" "$d/sweep.tsv" \
		"title='$(q "$long_title")'; cpus=2; modes='thread process'; fractions='0.432600 nan'; logx=1;"
	# Fits bench left out (they miss the points), the axis chosen by the
	# template (counts that double: log2), and the slides style.
	render "$chart-left-out" "$chart" "$d/sweep.tsv" \
		"title='$(q "$scale_title")'; cpus=2; modes='thread process'; fractions='nan 0.501900'; left_out='thread';"
	render "$chart-slides" "$chart" "$d/sweep.tsv" \
		"title='$(q "$long_title")'; cpus=2; modes='thread process'; fractions='0.432600 0.501900'; style='slides';"
done

# --- complexity -------------------------------------------------------------

complexity_data 12.5 2 0.02 1000 2000 4000 8000 16000 32000 64000 128000 256000 512000 >"$d/linear.tsv"
complexity_data 2.1 4 0.05 100 200 400 800 1600 3200 >"$d/square.tsv"
complexity_data 850 0 0.03 1000 2000 4000 8000 16000 32000 64000 >"$d/flat.tsv"
complexity_data 410 1 0.02 1024 32768 1048576 >"$d/three.tsv"
complexity_data 3.2 3 0.04 1000 1500 2250 3375 5063 7594 11391 17086 25629 38443 57665 86498 129746 194620 291929 437894 656841 985261 >"$d/many.tsv"

cx_title() {
	echo "$1: time vs input size, serial mode, 2 CPUs ($cpu)"
}
render complexity complexity "$d/linear.tsv" \
	"title='$(q "$(cx_title sum)")'; fit_name='O(n)'; fit_class=2; fit_coef=12.5; fit_error=0.0312; mode='serial'; unit='ms'; div=1000000;"
render complexity-square complexity "$d/square.tsv" \
	"title='$(q "$(cx_title pairs)")'; fit_name='O(n^2)'; fit_class=4; fit_coef=2.1; fit_error=0.0405; mode='serial'; unit='ms'; div=1000000;"
render complexity-flat complexity "$d/flat.tsv" \
	"title='$(q "$(cx_title lookup)")'; fit_name='O(1)'; fit_class=0; fit_coef=850; fit_error=0.021; mode='thread'; unit='ns'; div=1;"
render complexity-many-sizes complexity "$d/many.tsv" \
	"title='$(q "$(cx_title sort)")'; fit_name='O(n log n)'; fit_class=3; fit_coef=3.2; fit_error=0.028; mode='serial'; unit='ms'; div=1000000;"
render complexity-three-sizes complexity "$d/three.tsv" \
	"title='$(q "$(cx_title search)")'; fit_name='O(log n)'; fit_class=1; fit_coef=410; fit_error=0.012; mode='serial'; unit='us'; div=1000;"
render complexity-no-error complexity "$d/linear.tsv" \
	"title='$(q "$long_title")'; fit_name='O(n)'; fit_class=2; fit_coef=12.5; fit_error=NaN; mode='serial'; unit='ms'; div=1000000;"
# The runner-up fit beside the best, and the slides style.
render complexity-two-fits complexity "$d/linear.tsv" \
	"title='$(q "$(cx_title search)")'; fit_name='O(n log n)'; fit_class=3; fit_coef=0.75; fit_error=0.029; fit2_name='O(n)'; fit2_class=2; fit2_coef=12.5; fit2_error=0.031; mode='serial'; unit='ms'; div=1000000;"
render complexity-slides complexity "$d/linear.tsv" \
	"title='$(q "$(cx_title sum)")'; fit_name='O(n)'; fit_class=2; fit_coef=12.5; fit_error=0.0312; fit2_name='O(n log n)'; fit2_class=3; fit2_coef=0.75; fit2_error=0.09; mode='serial'; unit='ms'; div=1000000; style='slides';"

# --- run ----------------------------------------------------------------------

{
	run_header
	printf 'serial\t412345678.0\t408012000.0\t418230000.0\t1.000000\t1\n'
	printf 'thread\t213650000.0\t209100000.0\t219500000.0\t1.930000\t8\n'
	printf 'process\t228900000.0\t221000000.0\t241000000.0\t1.801000\t8\n'
	printf 'async\t405000000.0\t399000000.0\t414000000.0\t1.018000\t64\n'
} >"$d/run.tsv"
{
	run_header
	printf 'thread\t81250.0\t79000.0\t84100.0\tnan\t8\n'
	printf 'process\t412000.0\t398000.0\t431000.0\tnan\t8\n'
	printf 'async\t25400.0\t24900.0\t26300.0\tnan\t1024\n'
} >"$d/run-nan.tsv"
{
	run_header
	printf 'serial\t5000.0\t5000.0\t5000.0\t1.000000\t1\n'
	printf 'thread\t3000.0\tnan\tnan\t1.666667\t2\n'
} >"$d/run-two.tsv"

run_title="hash, 1000000 items: median time per mode on 2 CPUs ($cpu)"
render run run "$d/run.tsv" "title='$(q "$run_title")'; unit='ms'; div=1000000;"
render run-no-speedup run "$d/run-nan.tsv" \
	"title='$(q "sleep, 64 items: median time per mode on 2 CPUs ($cpu)")'; unit='us'; div=1000;"
render run-two-rows run "$d/run-two.tsv" \
	"title='$(q "range, 1000 items: median time per mode on 2 CPUs ($cpu)")'; unit='us'; div=1000;"
render run-long-title run "$d/run.tsv" "title='$(q "$long_title")'; unit='ms'; div=1000000;"
render run-slides run "$d/run.tsv" "title='$(q "$run_title")'; unit='ms'; div=1000000; style='slides';"

# --- memory ---------------------------------------------------------------------

{
	printf '# seconds\theap_MiB\trss_MiB\n'
	printf '0.0060\t0.0000\t6.8500\n0.0410\t1.2100\t10.8400\n0.1010\t1.2300\t10.9400\n'
	printf '\n\n0.0500\t0.5000\t3.2000\n0.0900\t0.7000\t4.1000\n'
} >"$d/memory.tsv"
mem_title="memory of bench run hash --mode serial: peak RSS 10.9 MiB (pid 17069), peak heap 1.2 MiB"
render memory memory "$d/memory.tsv" "title='$(q "$mem_title")'; blocks=2; labels='pid 17069 pid 17070';"
render memory-slides memory "$d/memory.tsv" "title='$(q "$mem_title")'; blocks=2; labels='pid 17069 pid 17070'; style='slides';"
# A slide is 16:9.
case $(file "$out/memory-slides.png" 2>/dev/null) in
*"1600 x 900"*) echo "ok   slides are 1600x900"; passed=$((passed + 1)) ;;
*) command -v file >/dev/null 2>&1 && fail "memory-slides.png: expected 1600 x 900, got $(file "$out/memory-slides.png")" ;;
esac

# --- the contract is enforced -------------------------------------------------

rc=0
gnuplot -e "datafile='$(q "$d/run.tsv")'; term='pngcairo'" "$here/run.gp" 2>"$out/missing.stderr" || rc=$?
if [ "$rc" -ne 0 ] && grep -q "outfile must be set" "$out/missing.stderr"; then
	echo "ok   missing outfile is refused"
	passed=$((passed + 1))
else
	fail "missing outfile: exit $rc, expected an error naming outfile"
fi
rm -f "$out/missing.stderr"
rc=0
gnuplot -e "datafile='$(q "$d/run.tsv")'; outfile='$(q "$out/bad-style.png")'; style='poster'" "$here/run.gp" 2>"$out/style.stderr" || rc=$?
if [ "$rc" -ne 0 ] && grep -q "style must be 'default' or 'slides'" "$out/style.stderr"; then
	echo "ok   an unknown style is refused"
	passed=$((passed + 1))
else
	fail "style='poster': exit $rc, expected an error naming style"
fi
rm -f "$out/style.stderr" "$out/bad-style.png"

echo "test-plots: $passed passed, $failed failed${1:+ (images in $out)}"
[ "$failed" -eq 0 ]
