# common.gp: the house look shared by every bench chart template.
#
# Each template loads this file first (from its own folder, found through
# ARG0) so that all charts share one terminal size, font, palette, grid and
# title treatment, and a change to the look happens in one place.  It reads
# the variables every template takes and fails early, with a message on
# stderr and exit status 1, when one is missing:
#
#   datafile  path of the TAB-separated data; lines starting with '#' are comments
#   outfile   path of the image to write
#   term      'pngcairo' or 'svg' (default 'pngcairo')
#   title     chart title, printed as given (no enhanced-text markup), wrapped
#             at a word boundary when too long for the width
#
# It defines for the templates:
#   common_unit_label(u)  "us" -> "µs", anything else unchanged
#   common_pct(f)         0.041 -> "4.1%" (two decimals below 0.1%, 0 -> "0%")
#   common_mode_lt(m, i)  the line type of mode m, the i-th series: each
#                         mode keeps one colour in every chart, from its
#                         place in mode_order (optional, set by bench: every
#                         mode it knows, in its list order): the first, the
#                         reference, is grey (8), the k-th takes k - 1
#                         (thread blue, process vermillion, async green,
#                         ...); a mode not listed takes 3 + i
# and line types 1-8: the series colours and point types, cycling after 8.
# Names it defines start with common_ so they never collide with the
# variables bench passes.

set encoding utf8

if (!exists("datafile") || !exists("outfile")) {
    print sprintf("%s: datafile and outfile must be set (gnuplot -e \"datafile='...'; outfile='...'\")", ARG0)
    exit status 1
}
if (!exists("term")) { term = "pngcairo" }
if (!exists("title")) { title = "" }

if (term eq "svg") {
    set terminal svg size 1000,640 dynamic enhanced font "sans,11" background rgb "white"
} else {
    if (term eq "pngcairo") {
        set terminal pngcairo size 1000,640 enhanced font "sans,11"
    } else {
        print sprintf("%s: term must be 'pngcairo' or 'svg', not '%s'", ARG0, term)
        exit status 1
    }
}
set output outfile

set datafile separator "\t"
set datafile commentschars "#"

# Colour-blind-safe colours (Okabe-Ito, yellow left out: unreadable on white),
# each with its own filled point type so series differ in print too.
set linetype 1 lc rgb "#0072B2" lw 2 pt 7  ps 1.2
set linetype 2 lc rgb "#D55E00" lw 2 pt 5  ps 1.1
set linetype 3 lc rgb "#009E73" lw 2 pt 9  ps 1.4
set linetype 4 lc rgb "#CC79A7" lw 2 pt 13 ps 1.4
set linetype 5 lc rgb "#E69F00" lw 2 pt 11 ps 1.4
set linetype 6 lc rgb "#56B4E9" lw 2 pt 15 ps 1.3
set linetype 7 lc rgb "#000000" lw 2 pt 6  ps 1.2
set linetype 8 lc rgb "#999999" lw 2 pt 4  ps 1.1
set linetype cycle 8

set border 3 lw 1 lc rgb "#444444"
set tics nomirror out scale 0.6
set grid xtics ytics lt 1 lw 1 lc rgb "#e3e3e3"
set key noautotitle
set samples 400

# Wrap the title at the last space before common_wrap characters: at 1000
# pixels about 105 characters of the 13-point title font fit; 90 leaves room
# for wide glyphs and the SVG renderer's own font metrics.
common_wrap = 90
common_rest = title
common_title = ""
while (strlen(common_rest) > common_wrap) {
    common_cut = 0
    do for [common_k = common_wrap + 1:2:-1] {
        if (common_cut == 0 && common_rest[common_k:common_k] eq " ") { common_cut = common_k }
    }
    if (common_cut == 0) {
        common_title = common_title . common_rest[1:common_wrap] . "\n"
        common_rest = common_rest[common_wrap + 1:]
    } else {
        common_title = common_title . common_rest[1:common_cut - 1] . "\n"
        common_rest = common_rest[common_cut + 1:]
    }
}
common_title = common_title . common_rest
set title common_title noenhanced font "sans,13"

common_unit_label(u) = (u eq "us") ? "µs" : u
common_pct(f) = (f == 0) ? "0%" : (abs(f) < 0.001) ? sprintf("%.2f%%", 100.0 * f) : sprintf("%.1f%%", 100.0 * f)
if (!exists("mode_order")) mode_order = ""
common_mode_k(m) = sum [common_k = 1:words(mode_order)] \
                   ((word(mode_order, common_k) eq m) ? common_k : 0)
common_mode_lt(m, i) = (common_mode_k(m) == 1) ? 8 : \
                       (common_mode_k(m) > 1) ? common_mode_k(m) - 1 : 3 + i
