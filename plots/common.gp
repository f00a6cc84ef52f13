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
#   style     'default' (1000x640, for pages and reports) or 'slides' (16:9,
#             1600x900, larger fonts, thicker lines and points, for a
#             projector); optional, default 'default'
#
# It defines for the templates:
#   common_lw_thin        width of thin reference lines (ideal, CPU marker)
#   common_label_font     font of labels drawn on the chart itself
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
if (!exists("style")) { style = "default" }
if (style ne "default" && style ne "slides") {
    print sprintf("%s: style must be 'default' or 'slides', not '%s'", ARG0, style)
    exit status 1
}
common_slides = (style eq "slides")

# gnuplot's svg terminal takes font sizes in pixels, pngcairo in points
# (at 96 dpi a point is 4/3 pixel): the SVG's fonts are set 4/3 larger so
# that both files read alike.
common_size = common_slides ? "1600,900" : "1000,640"
common_pt = common_slides ? 18 : 12
common_title_pt = common_slides ? 22 : 14
common_px(pt) = (term eq "svg") ? int(pt * 4.0 / 3 + 0.5) : pt
common_font(pt) = sprintf("sans,%d", common_px(pt))
common_label_font = common_font(common_slides ? 18 : 11)
common_lw = common_slides ? 4 : 2
common_lw_thin = common_slides ? 2.5 : 1.5
common_ps = common_slides ? 1.8 : 1

if (term eq "svg") {
    eval sprintf("set terminal svg size %s dynamic enhanced font '%s' background rgb 'white'", common_size, common_font(common_pt))
} else {
    if (term eq "pngcairo") {
        eval sprintf("set terminal pngcairo size %s enhanced font '%s'", common_size, common_font(common_pt))
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
set linetype 1 lc rgb "#0072B2" lw common_lw pt 7  ps 1.2 * common_ps
set linetype 2 lc rgb "#D55E00" lw common_lw pt 5  ps 1.1 * common_ps
set linetype 3 lc rgb "#009E73" lw common_lw pt 9  ps 1.4 * common_ps
set linetype 4 lc rgb "#CC79A7" lw common_lw pt 13 ps 1.4 * common_ps
set linetype 5 lc rgb "#E69F00" lw common_lw pt 11 ps 1.4 * common_ps
set linetype 6 lc rgb "#56B4E9" lw common_lw pt 15 ps 1.3 * common_ps
set linetype 7 lc rgb "#000000" lw common_lw pt 6  ps 1.2 * common_ps
set linetype 8 lc rgb "#999999" lw common_lw pt 4  ps 1.1 * common_ps
set linetype cycle 8

set border 3 lw (common_slides ? 2 : 1) lc rgb "#444444"
set tics nomirror out scale 0.6
set grid xtics ytics lt 1 lw 1 lc rgb "#e3e3e3"
set key noautotitle
set samples 400

# Wrap the title at the last space before common_wrap characters: at 1000
# pixels about 100 characters of the 14-point title font fit, at 1600 about
# 90 of the slides' 24-point one; the margin leaves room for wide glyphs
# and the SVG renderer's own font metrics.
common_wrap = common_slides ? 75 : 85
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
set title common_title noenhanced font common_font(common_title_pt)

common_unit_label(u) = (u eq "us") ? "µs" : u
common_pct(f) = (f == 0) ? "0%" : (abs(f) < 0.001) ? sprintf("%.2f%%", 100.0 * f) : sprintf("%.1f%%", 100.0 * f)
if (!exists("mode_order")) mode_order = ""
common_mode_k(m) = sum [common_k = 1:words(mode_order)] \
                   ((word(mode_order, common_k) eq m) ? common_k : 0)
common_mode_lt(m, i) = (common_mode_k(m) == 1) ? 8 : \
                       (common_mode_k(m) > 1) ? common_mode_k(m) - 1 : 3 + i
