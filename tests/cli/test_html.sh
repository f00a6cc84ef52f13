#!/bin/sh
# test_html.sh - the HTML report: `bench run/scale/complexity --html FILE`,
# `--format html` and `bench report RUN... --html`, checked the way a
# reader meets the page.
#
# usage: tests/cli/test_html.sh PATH/TO/bench [TEST...]
#
# Same runner as the other CLI scripts (lib.sh). The design choices to
# know:
# - Workloads are tiny (-r 3 --warmup 0) and nothing depends on timing:
#   the tests check what the page holds, never what it measured.
# - The page is validated by HTML Tidy (`tidy -e -q`: no errors and no
#   warnings) and opened offline in headless Chromium: a copy of the page
#   with a probe script added reports each figure's SVG size and the
#   resources the page asked for (none may exist), Chromium's log must
#   show no console message, every connection goes to a proxy on a closed
#   port, and the screenshot is decoded (python3's zlib) and must hold
#   more than a few colours. Without tidy or chromium those parts skip with
#   a message (scripts/install-deps.sh installs both); in a sanitizer
#   build the browser part skips too: the page is the same as a release
#   build's, and CI opens that one.
# - `bench compare`'s verdicts and the page's comparison come from the
#   same function; the test checks they agree on the same stored runs.
# - The trend page (`bench report --history`) needs a regression that does
#   not hang on timing: the sleep workload at the same size and seed waits
#   the same tasks 0..--max-ms ms, so --max-ms 40 after --max-ms 1 sleeps
#   about 20 times longer, whatever the machine's load (a sleep never ends
#   early). Only that step is asserted slower; every other step is checked
#   against `bench compare` on the same runs, whatever it says.

set -u
SUITE="html"
SUITE_TIMEOUT=120
. "$(dirname "$0")/lib.sh"

TESTS=
t() { TESTS="$TESTS $1"; }

t run_page
t format_html
t scale_and_complexity_pages
t report_several_runs
t escaped_names
t usage_errors
t nothing_partial
t tidy_valid
t chromium_offline
t style_slides
t history_trend
t history_errors
t history_chromium

# ---------------------------------------------------------------------------
# Helpers

tiny="-n 2000 -r 3 --warmup 0 -q"

# A page's basic shape: one document, the sections a reader looks for.
expect_page() { # FILE
	[ -s "$1" ] || fail "$1: no page written"
	head -n 1 "$1" | grep -q '^<!DOCTYPE html>$' || fail "$1: expected <!DOCTYPE html> first"
	expect_match "$1" '<html lang="en">' "the document's language"
	expect_match "$1" '<meta charset="utf-8">' "its encoding"
	expect_match "$1" '<h3>Context</h3>' "the context"
	expect_match "$1" '<h3>Results</h3>' "the results table"
	expect_match "$1" '<h3>Raw samples</h3>' "the raw samples"
	expect_match "$1" '<figure class="samples">' "the strip plot"
	expect_match "$1" '@media print' "a print style sheet"
	expect_no_match "$1" '<script' "script"
	expect_self_contained "$1"
	if has gnuplot; then
		expect_match "$1" '<figure class="chart"' "a chart"
		expect_match "$1" '<svg' "inline SVG"
	fi
}

# Nothing the page refers to lies outside it: no src, href or url() with
# a scheme or a network path, no @import.
expect_self_contained() { # FILE
	expect_no_match "$1" "(src|href)[[:space:]]*=[[:space:]]*[\"']?[[:space:]]*([a-zA-Z][a-zA-Z0-9+.-]*:|//)" \
		"reference to anything outside the page"
	expect_no_match "$1" "url\\([[:space:]]*[\"']?[[:space:]]*([a-zA-Z][a-zA-Z0-9+.-]*:|//)" \
		"url() outside the page"
	expect_no_match "$1" '@import' "@import"
}

need_tidy() {
	has tidy || skip "tidy is not installed (apt-get install tidy, or scripts/install-deps.sh): HTML not validated"
}

# tidy -e -q: errors and warnings on stderr, status 0 when there are none.
expect_tidy() { # FILE
	tidy -e -q "$1" >tidy.out 2>&1 ||
		fail "$1: tidy found problems: $(head -n 5 tidy.out | tr '\n' ';')"
	[ ! -s tidy.out ] || fail "$1: tidy said: $(head -n 5 tidy.out | tr '\n' ';')"
}

# ---------------------------------------------------------------------------
# Tests

test_run_page() {
	bench run search $tiny --mode serial,thread --results db --html page.html
	expect_rc 0
	expect_page page.html
	# The command line as given, the seed and the machine.
	expect_match page.html '<code>bench run search -n 2000 -r 3 --warmup 0 -q --mode serial,thread --results db --html page.html</code>' \
		"the command line as given"
	expect_match page.html '<dt>workload</dt><dd>search, [0-9]+ queries, chunk [0-9]+, seed 1</dd>' "workload, size and seed"
	expect_match page.html '<dt>machine</dt>' "the machine"
	expect_match page.html 'CPUs available' "the CPU count"
	expect_match page.html '<dt>build</dt>' "the build"
	expect_match page.html '<td class="l">serial</td>' "the serial row"
	expect_match page.html '<td class="l">thread</td>' "the thread row"
	expect_match page.html '<title>sample 3: ' "every sample in the strip plot"
	# The table on stdout is still the table.
	expect_match out '^serial ' "the terminal table"
	no_temp_files
}

test_format_html() {
	bench run search $tiny --mode serial --no-save --format html -o page.html
	expect_rc 0
	expect_empty out
	expect_page page.html
	bench run search $tiny --mode serial --no-save -f html
	expect_rc 0
	head -n 1 out | grep -q '^<!DOCTYPE html>$' || fail "--format html on standard output: expected the page"
}

test_scale_and_complexity_pages() {
	bench scale search $tiny --workers 1,2 --modes thread --results db --html scale.html
	expect_rc 0
	expect_page scale.html
	expect_match scale.html "Amdahl's law fitted per mode" "the Amdahl fit"
	if has gnuplot; then
		expect_match scale.html '<figure class="chart" id="r1-speedup">' "the speedup chart"
		expect_match scale.html '<figure class="chart" id="r1-efficiency">' "the efficiency chart"
		# Two gnuplot charts on one page share no id.
		_dups=$(grep -o " id=[\"'][^\"']*[\"']" scale.html | sort | uniq -d | head -n 3)
		[ -z "$_dups" ] || fail "ids used twice: $_dups"
	fi
	bench complexity search -r 3 --warmup 0 -q --sizes 1000,2000,4000 --results db --html cx.html
	expect_rc 0
	expect_page cx.html
	expect_match cx.html 'Fits of t = a' "the complexity fits"
	expect_match cx.html '<title>samples at size 4000</title>' "a strip plot per size"
	if has gnuplot; then
		expect_match cx.html '<figure class="chart" id="r1-complexity">' "the complexity chart"
	fi
}

test_report_several_runs() {
	bench run search $tiny --mode serial,thread --results db
	expect_rc 0
	bench run search $tiny --mode serial,thread --results db
	expect_rc 0
	bench report 1 2 --html --results db -o both.html
	expect_rc 0
	expect_empty out
	expect_page both.html
	expect_match both.html '<h2>Comparison</h2>' "the comparison"
	expect_match both.html '<h2>run 1: bench run search' "run 1's section"
	expect_match both.html '<h2>run 2: bench run search' "run 2's section"
	expect_match both.html '(equivalent)' "a stored run's command, rebuilt"
	# The page's verdicts are bench compare's.
	bench compare 1 2 --results db
	expect_rc 0
	for _v in faster slower; do
		_cli=$(grep -c " $_v" out)
		_page=$(grep -c "class=\"$_v\">$_v" both.html)
		assert_eq "rows judged $_v by compare and on the page" "$_cli" "$_page"
	done
	_cli=$(grep -c "no significant difference" out)
	_page=$(grep -c 'class="same">no significant difference' both.html)
	assert_eq "rows judged the same by compare and on the page" "$_cli" "$_page"
	# A run of another workload is shown, not compared.
	bench run range $tiny --mode serial --results db
	expect_rc 0
	bench report 1 3 --html --results db -o other.html
	expect_rc 0
	expect_match other.html 'Not compared: A is search but B is range' "the reason"
}

test_escaped_names() {
	bench run search $tiny --mode serial --no-save --format json -o "a<b>&'q.json"
	expect_rc 0
	bench report "a<b>&'q.json" --html -o page.html
	expect_rc 0
	expect_match page.html 'a&lt;b&gt;&amp;&#39;q\.json' "the file name escaped"
	expect_no_match page.html 'a<b>' "the file name unescaped"
	# A command line word a shell would split is quoted, then escaped.
	bench run search $tiny --mode serial --no-save --html "x <y>.html"
	expect_rc 0
	expect_match "x <y>.html" "--html 'x &lt;y&gt;\\.html'</code>" "the quoted, escaped word"
}

test_usage_errors() {
	bench run search $tiny --mode serial --no-save
	expect_rc 0
	usage_error "unexpected argument '2': several runs go on one page with --html" report 1 2
	usage_error "--html '': expected a file name" run search --html ''
	usage_error "--format 'htm': expected table, json, csv, markdown, gbench or html" run search -f htm
	# Another tool's timings are not a bench run.
	cat >gb.json <<'EOF'
{ "context": { "date": "2026-01-01", "num_cpus": 2 },
  "benchmarks": [
    { "name": "BM_A", "run_type": "iteration", "repetitions": 2,
      "real_time": 10, "cpu_time": 10, "time_unit": "ns" },
    { "name": "BM_A", "run_type": "iteration", "repetitions": 2,
      "real_time": 11, "cpu_time": 11, "time_unit": "ns" } ] }
EOF
	bench report gb.json --html -o page.html
	expect_rc 1
	expect_nlines err 1
	expect_match err "^bench: gb\\.json is a Google Benchmark .*--html shows bench runs" "why"
	[ ! -e page.html ] || fail "page.html written for a refused input"
}

test_nothing_partial() {
	# A folder that cannot take the page fails before any sampling.
	bench run search $tiny --mode serial --no-save --html missing/page.html
	expect_rc 1
	expect_nlines err 1
	expect_match err "^bench: cannot write 'missing/page\\.html': No such file or directory" "the page named"
	expect_empty out
	# An earlier page stays whole when a report fails.
	echo old >page.html
	bench report 7 --html --results db -o page.html
	assert_ne "exit status" 0 "$RC"
	assert_eq "the old page" old "$(cat page.html)"
	no_temp_files
}

test_tidy_valid() {
	need_tidy
	bench run search $tiny --mode serial,thread --results db --html run.html
	expect_rc 0
	bench scale search $tiny --workers 1,2 --modes thread,process --results db --html scale.html
	expect_rc 0
	bench report 1 2 --html --results db -o both.html
	expect_rc 0
	for _f in run.html scale.html both.html; do
		expect_tidy "$_f"
	done
}

# The probe a copy of the page gets: once loaded, it writes into the body
# how many figure SVGs there are, how many have a nonzero size, and how
# many resources the page asked for.
PROBE='<script>addEventListener("load", function () {
var s = document.querySelectorAll("figure svg"), sized = 0, i, b;
for (i = 0; i < s.length; i++) { b = s[i].getBoundingClientRect(); if (b.width > 0 \&\& b.height > 0) sized++; }
document.body.setAttribute("data-probe", "svgs=" + s.length + " sized=" + sized + " resources=" + performance.getEntriesByType("resource").length);
});</script>'

# A PNG's width, height and number of distinct colours ("1000x1400 812"),
# for 8-bit RGB or RGBA as Chromium writes them: zlib and the five PNG
# filters, nothing else needed.
write_png_colours() { # FILE
	cat >"$1" <<'EOF'
import struct, sys, zlib
d = open(sys.argv[1], "rb").read()
if d[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit("not a PNG")
pos, idat = 8, []
while pos < len(d):
    n, t = struct.unpack(">I4s", d[pos:pos + 8])
    if t == b"IHDR":
        w, h, depth, ctype, _, _, lace = struct.unpack(">IIBBBBB", d[pos + 8:pos + 21])
    elif t == b"IDAT":
        idat.append(d[pos + 8:pos + 8 + n])
    pos += 12 + n
if depth != 8 or ctype not in (2, 6) or lace:
    sys.exit("unexpected PNG kind %d/%d/%d" % (depth, ctype, lace))
bpp = 3 if ctype == 2 else 4
raw, stride = zlib.decompress(b"".join(idat)), w * bpp
prev, colours, i = bytearray(stride), set(), 0
for y in range(h):
    f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
    i += 1 + stride
    if f == 1:
        for x in range(bpp, stride):
            line[x] = (line[x] + line[x - bpp]) & 255
    elif f == 2:
        line = bytearray((a + b) & 255 for a, b in zip(line, prev))
    elif f == 3:
        for x in range(stride):
            line[x] = (line[x] + ((line[x - bpp] if x >= bpp else 0) + prev[x]) // 2) & 255
    elif f == 4:
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], (prev[x - bpp] if x >= bpp else 0)
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    prev = line
    for x in range(0, stride, bpp):
        colours.add(bytes(line[x:x + 3]))
print("%dx%d %d" % (w, h, len(colours)))
EOF
}

need_chromium() {
	has chromium || skip "chromium is not installed (apt-get install chromium, or scripts/install-deps.sh): page not opened in a browser"
	case $("$BENCH" --version) in
	*" asan build"* | *" tsan build"*)
		skip "sanitizer build: the page is a release build's page, opened in the release run" ;;
	esac
}

test_chromium_offline() {
	need_chromium
	bench scale search $tiny --workers 1,2 --modes thread --results db --html page.html
	expect_rc 0
	_charts=0
	has gnuplot && _charts=2
	expect_in_chromium page.html $((_charts + 1))
}

# Opens FILE offline in headless Chromium (a copy with the probe): FIGURES
# figure SVGs, each of nonzero size, no resource asked for, no console
# message, a screenshot that is not blank.
expect_in_chromium() { # FILE FIGURES
	_figures=$2
	_probe=$(printf '%s' "$PROBE" | tr '\n' ' ')
	sed "s|</body>|$_probe</body>|" "$1" >probe.html
	grep -q 'data-probe' probe.html || fail "the probe was not added"
	# Offline: every connection to a proxy on a closed port, no name
	# resolved; a profile of its own in this folder.
	run timeout 60 chromium --headless --no-sandbox --disable-gpu \
		--user-data-dir="$PWD/profile" --no-first-run \
		--proxy-server=127.0.0.1:9 --host-resolver-rules='MAP * ~NOTFOUND' \
		--enable-logging=stderr --v=0 --window-size=1000,1400 \
		--screenshot="$PWD/shot.png" --dump-dom "file://$PWD/probe.html"
	[ "$RC" = 0 ] || fail "chromium failed (exit status $RC): $(grep -v -i dbus err | tail -n 3 | tr '\n' ';')"
	_got=$(grep -o 'data-probe="[^"]*"' out) || fail "chromium's DOM has no probe result: the page did not load"
	assert_eq "figures, sized, resources" "data-probe=\"svgs=$_figures sized=$_figures resources=0\"" "$_got"
	expect_no_match err ':CONSOLE' "console message"
	[ -s shot.png ] || fail "no screenshot"
	if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import zlib' 2>/dev/null; then
		write_png_colours png.py
		_colours=$(/usr/bin/python3 png.py shot.png) ||
			fail "cannot read the screenshot: $_colours"
		assert_num "distinct colours in the screenshot" "${_colours##* }" -ge 16
	else
		note "no /usr/bin/python3 with zlib: the screenshot's colours not counted"
	fi
}

test_style_slides() {
	usage_error "--style 'poster': expected default or slides" scale search --style poster
	usage_error "--style 'poster': expected default or slides" plot latest --style poster
	has gnuplot || skip "gnuplot is not installed: no charts to check"
	bench scale search $tiny --workers 1,2,4 --modes thread --results db --charts ch --style slides
	expect_rc 0
	[ -s ch/1-scale-search-speedup.png ] || fail "no speedup chart drawn"
	if has file; then
		file ch/1-scale-search-speedup.png | grep -q '1600 x 900' ||
			fail "slides: expected a 1600 x 900 PNG, got $(file ch/1-scale-search-speedup.png)"
	fi
	# Counts in titles read 1k, not 1000.
	expect_match ch/1-scale-search-speedup.svg 'search, 1k queries' "the size as 1k in the title"
	bench plot 1 --results db --charts def
	expect_rc 0
	if has file; then
		file def/1-scale-search-speedup.png | grep -q '1000 x 640' ||
			fail "default: expected a 1000 x 640 PNG, got $(file def/1-scale-search-speedup.png)"
	fi
}

# The store the trend tests read: run 1 sleep at another size, runs 2 and
# 3 the same, run 4 the same tasks waiting up to 40 ms (a regression in
# both modes), run 5 like run 4, run 6 another workload.
store_trend() {
	_sl="-r 5 --warmup 0 -q -m serial,async --results db"
	for _a in "-n 3 --max-ms 1" "-n 4 --max-ms 1" "-n 4 --max-ms 1" \
		"-n 4 --max-ms 40" "-n 4 --max-ms 40"; do
		bench run sleep $_a $_sl
		expect_rc 0
	done
	bench run search $tiny --mode serial --results db
	expect_rc 0
}

test_history_trend() {
	store_trend
	bench report --history sleep --html --results db -o trend.html
	expect_rc 0
	expect_empty out
	expect_empty err
	[ -s trend.html ] || fail "no trend page written"
	head -n 1 trend.html | grep -q '^<!DOCTYPE html>$' || fail "expected <!DOCTYPE html> first"
	expect_match trend.html '<h1>bench trend: sleep</h1>' "the title"
	expect_match trend.html '<p class="sub">4 tasks, 4 stored runs from ' "the size and the runs counted"
	expect_match trend.html 'Left out, so that only like is compared with like: 1 run at another size' \
		"the run at another size, said"
	expect_match trend.html '<h3>serial</h3>' "the serial chart's heading"
	expect_match trend.html '<h3>async x[0-9]+</h3>' "the async chart's heading"
	assert_eq "trend charts" 2 "$(grep -c '<figure class="trend">' trend.html)"
	expect_match trend.html '@media print' "a print style sheet"
	expect_no_match trend.html '<script' "script"
	expect_self_contained trend.html
	# Run 4 against run 3 is slower in both modes: a red dot per chart,
	# a row per mode in the regressions table.
	expect_match trend.html '<circle class="regression"[^>]*><title>run 4: .*slower than run 3 \(ratio' \
		"run 4's red marker"
	expect_match trend.html '<tr class="slower"><td>4</td>.*<td class="l">serial</td><td>3</td>' \
		"run 4's serial regression listed"
	expect_match trend.html '<tr class="slower"><td>4</td>.*<td class="l">async x[0-9]+</td><td>3</td>' \
		"run 4's async regression listed"
	# Every step is judged as bench compare judges it.
	_cli=0
	for _pair in "2 3" "3 4" "4 5"; do
		bench compare $_pair --results db
		expect_rc 0
		_cli=$((_cli + $(grep -c ' slower' out)))
	done
	assert_eq "regressions on the page and by bench compare" "$_cli" \
		"$(grep -c '<tr class="slower">' trend.html)"
	assert_eq "red markers and regression rows" "$_cli" \
		"$(grep -c '<circle class="regression"' trend.html)"
	# The runs table: one row per run, the other size and workload not in it.
	for _id in 2 3 4 5; do
		expect_match trend.html "^<tr><td>$_id</td><td class=\"l\">[0-9-]+ [0-9:]+</td><td class=\"l\"><code>" \
			"run $_id's row"
	done
	expect_no_match trend.html '^<tr><td>(1|6)</td>' "a row of another size or workload"
	# --last K: the newest K; --size N: another size, named.
	bench report --history sleep --last 2 --html --results db -o last.html
	expect_rc 0
	expect_match last.html '4 tasks, 2 stored runs from ' "two runs"
	expect_no_match last.html '^<tr><td>3</td>' "run 3"
	# Run 4 opens the window, so nothing before it is compared; run 5
	# against run 4 may differ (two sleep runs can differ by 0.1% and be
	# significant), and the page says so exactly when bench compare does.
	expect_no_match last.html '<circle class="regression"[^>]*><title>run 4:' \
		"run 4 judged against a run outside the last two"
	bench compare 4 5 --results db
	expect_rc 0
	assert_eq "regressions on the --last 2 page and by bench compare 4 5" \
		"$(grep -c ' slower' out)" "$(grep -c '<circle class="regression"' last.html)"
	expect_no_match trend.html 'no regression can show' "a warning about few samples"
	# Too few samples to ever be significant: said.
	bench run sleep -n 4 --max-ms 1 -r 3 --warmup 0 -q -m serial --results db
	expect_rc 0
	bench report --history sleep --html --results db -o few.html
	expect_rc 0
	expect_match few.html 'Run 7 has 3 samples per mode: with fewer than 4 no difference can be significant' \
		"the warning about few samples"
	bench report --history sleep --size 3 --html --results db -o three.html
	expect_rc 1
	expect_nlines err 1
	expect_match err "^bench: 1 run of 'sleep' at size 3 on '.*' in the results store: a trend needs 2 or more$" \
		"why there is no trend"
	[ ! -e three.html ] || fail "three.html written without a trend"
	if has tidy; then
		expect_tidy trend.html
		expect_tidy last.html
		expect_tidy few.html
	else
		note "tidy is not installed: the trend page not validated"
	fi
}

test_history_errors() {
	usage_error "unknown workload 'nosuch'" report --history nosuch --html
	usage_error "--history writes an HTML page: add --html" report --history sleep
	usage_error "--size goes with --history WORKLOAD" report 1 --size 4 --html
	usage_error "--last goes with --history WORKLOAD" report 1 --last 4 --html
	usage_error "unexpected argument '3': --history shows the stored runs of one workload" \
		report --history sleep 3 --html
	usage_error "--last" report --history sleep --last 1 --html
	bench run search $tiny --mode serial --results db
	expect_rc 0
	bench report --history sleep --html --results db -o t.html
	expect_rc 1
	expect_nlines err 1
	expect_match err "^bench: no run of 'sleep' in the results store \(see 'bench history'\)$" "the workload named"
	bench report --history search --html --results db -o t.html
	expect_rc 1
	expect_match err "^bench: 1 run of 'search' at size 2000 on '.*' in the results store: a trend needs 2 or more$" "too few runs"
	[ ! -e t.html ] || fail "a page written without a trend"
}

test_history_chromium() {
	need_chromium
	store_trend
	bench report --history sleep --html --results db -o trend.html
	expect_rc 0
	expect_in_chromium trend.html 2
}

lib_start "$@"
