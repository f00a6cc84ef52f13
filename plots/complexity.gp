# complexity.gp: time per run against input size on log-log axes, with the
# complexity class bench fitted, for a series of input sizes in one mode.
#
# Contract (bench writes against this):
#   gnuplot -e "datafile='...'; outfile='...'; term='pngcairo'; title='...'; \
#               mode='serial'; unit='ms'; div=1e6; fit_name='O(n)'; \
#               fit_class=2; fit_coef=12.5; fit_error=0.031" plots/complexity.gp
#
#   datafile   TAB-separated, '#' lines are comments, one row per size:
#                1 size (items)  2 median_ns  3 ci_low_ns  4 ci_high_ns
#              A row whose median is not a number is skipped; a missing
#              bound draws no error bar.
#   outfile, term, title   as in every template
#   mode       the mode measured, named in the key
#   unit, div  display unit and its size in ns: "s" 1e9, "ms" 1e6, "us" 1e3,
#              "ns" 1 (default "ns" 1); columns 2-4 are divided by div
#   fit_name   the class as text, e.g. "O(n log n)"; "^" superscripts ("O(n^2)")
#   fit_class  0 O(1), 1 O(log n), 2 O(n), 3 O(n log n), 4 O(n^2); anything
#              else, or fit_class/fit_coef absent, draws no fit curve
#   fit_coef   a in t_ns = a * g(n), logs base 2 (bench_bigo_eval)
#   fit_error  relative RMS error of the fit (0.031 = 3.1%); NaN (gnuplot's
#              constant, not the word nan) leaves it out of the key
#   fit2_name, fit2_class, fit2_coef, fit2_error   the runner-up fit, the
#              same way (optional): drawn dotted beside the best, so that
#              a close second (O(n) under noise that favoured O(n log n))
#              shows with its error
#
# The x tics sit at the measured sizes when there are at most 12 of them (a
# doubling series reads best that way), else at powers of ten.

plot_dir = ""
do for [plot_k = strlen(ARG0):1:-1] { if (plot_dir eq "" && ARG0[plot_k:plot_k] eq "/") { plot_dir = ARG0[1:plot_k] } }
load plot_dir . "common.gp"

if (!exists("mode")) { mode = "median" }
if (!exists("unit") || !exists("div")) { unit = "ns"; div = 1 }
if (!exists("fit_name")) { fit_name = "fit" }
if (!exists("fit_error")) { fit_error = NaN }
if (!exists("fit_class") || !exists("fit_coef")) { fit_class = -1; fit_coef = NaN }

log2(n) = log(n) / log(2)
g(n) = fit_class == 0 ? 1 : fit_class == 1 ? log2(n) : fit_class == 2 ? n : \
       fit_class == 3 ? n * log2(n) : fit_class == 4 ? n * n : NaN
fitted(n) = fit_coef * g(n) / div
has_fit = (fitted(1000) == fitted(1000))
if (!exists("fit2_name")) { fit2_name = "" }
if (!exists("fit2_error")) { fit2_error = NaN }
if (!exists("fit2_class") || !exists("fit2_coef")) { fit2_class = -1; fit2_coef = NaN }
g2(n) = fit2_class == 0 ? 1 : fit2_class == 1 ? log2(n) : fit2_class == 2 ? n : \
        fit2_class == 3 ? n * log2(n) : fit2_class == 4 ? n * n : NaN
fitted2(n) = fit2_coef * g2(n) / div
has_fit2 = (fitted2(1000) == fitted2(1000))

lo(c) = (valid(3) ? column(3) : column(2)) / div
hi(c) = (valid(4) ? column(4) : column(2)) / div

# One column per stats call: with two, stats fits a line and warns when
# there are only two points.  Rows without a median do not count.
stats datafile using (valid(2) ? $1 : NaN) nooutput
complexity_xmin = STATS_min
complexity_xmax = STATS_max
complexity_sizes = STATS_records
stats datafile using (hi(0)) nooutput
complexity_ytop = STATS_max
stats datafile using (lo(0)) nooutput
complexity_ybot = STATS_min

# Room for the fit where it strays outside the data at either end.
if (has_fit) {
    complexity_f1 = fitted(complexity_xmin)
    complexity_f2 = fitted(complexity_xmax)
    complexity_ybot = (complexity_f1 > 0 && complexity_f1 < complexity_ybot) ? complexity_f1 : complexity_ybot
    complexity_ytop = (complexity_f2 > complexity_ytop) ? complexity_f2 : complexity_ytop
}
if (has_fit2) {
    complexity_f1 = fitted2(complexity_xmin)
    complexity_f2 = fitted2(complexity_xmax)
    complexity_ybot = (complexity_f1 > 0 && complexity_f1 < complexity_ybot) ? complexity_f1 : complexity_ybot
    complexity_ytop = (complexity_f2 > complexity_ytop) ? complexity_f2 : complexity_ytop
}

set logscale xy 10
set xrange [complexity_xmin / 1.4 : complexity_xmax * 1.4]
complexity_y1 = complexity_ybot / 1.5
complexity_y2 = complexity_ytop * 1.5
set yrange [complexity_y1 : complexity_y2]
set format y "%g"

# Powers of ten alone leave a flat series (O(1), O(log n)) with one tic or
# none; under two decades tic at 1-2-5 steps, under one at every 1..9.
complexity_span = complexity_y2 / complexity_y1
if (complexity_span < 100) {
    complexity_steps = (complexity_span < 10) ? "1 2 3 4 5 6 7 8 9" : "1 2 5"
    set ytics ()
    do for [complexity_e = floor(log10(complexity_y1)):ceil(log10(complexity_y2))] {
        do for [complexity_m in complexity_steps] {
            complexity_t = real(complexity_m) * 10.0**complexity_e
            if (complexity_t >= complexity_y1 && complexity_t <= complexity_y2) {
                set ytics add (gprintf("%g", complexity_t) complexity_t)
            }
        }
    }
}
set xlabel "input size (items)"
set ylabel sprintf("time per run (%s)", common_unit_label(unit))

# "512k", "1M", "1.5k" where that is exact, the plain number otherwise.
size_label(n) = (n >= 1e6 && sprintf("%.3g", n / 1e6) + 0 == n / 1e6) ? sprintf("%gM", n / 1e6) : \
                (n >= 1e3 && sprintf("%.3g", n / 1e3) + 0 == n / 1e3) ? sprintf("%gk", n / 1e3) : \
                sprintf("%.0f", n)
if (complexity_sizes <= 12) {
    set table $complexity_sizes
    plot datafile using (strcol(1)) with table
    unset table
    set xtics ()
    do for [complexity_i = 1:|$complexity_sizes|] {
        complexity_n = real(word($complexity_sizes[complexity_i], 1))
        set xtics add (size_label(complexity_n) complexity_n)
    }
    unset mxtics
} else {
    set format x "%.0s%c"
}

measured_title = sprintf("measured (%s median, 95%% CI)", mode)
fit_title = (fit_error == fit_error) \
    ? sprintf("fit: %s, error %s", fit_name, common_pct(fit_error)) \
    : sprintf("fit: %s", fit_name)
fit2_title = (fit2_error == fit2_error) \
    ? sprintf("next best: %s, error %s", fit2_name, common_pct(fit2_error)) \
    : sprintf("next best: %s", fit2_name)

set key below horizontal left Left reverse samplen 3 spacing 1.15 width 3 height 1

# The points are drawn again after the fit so the line never hides them;
# the second pass has no key entry.
plot \
    datafile using 1:($2 / div):(lo(0)):(hi(0)) with yerrorbars lt 1 title measured_title noenhanced, \
    (has_fit ? fitted(x) : NaN) with lines lt 2 title (has_fit ? fit_title : ""), \
    (has_fit2 ? fitted2(x) : NaN) with lines lt 3 lw common_lw_thin dt 3 title (has_fit2 ? fit2_title : ""), \
    datafile using 1:($2 / div):(lo(0)):(hi(0)) with yerrorbars lt 1 notitle
