# run.gp: one `bench run` as a bar chart: median time per mode, its 95%
# confidence interval as an error bar, and the speedup over serial above
# each bar.
#
# Contract (bench writes against this):
#   gnuplot -e "datafile='...'; outfile='...'; term='pngcairo'; title='...'; \
#               unit='ms'; div=1e6" plots/run.gp
#
#   datafile   TAB-separated, '#' lines are comments, one row per mode, drawn
#              left to right in file order:
#                1 mode (name, no TAB)  2 median_ns  3 ci_low_ns  4 ci_high_ns
#                5 speedup (may be nan: no label)  6 workers
#              A row whose median is not a number is skipped; a missing
#              bound draws no error bar.
#   outfile, term, title   as in every template
#   unit, div  display unit and its size in ns: "s" 1e9, "ms" 1e6, "us" 1e3,
#              "ns" 1 (default "ns" 1); columns 2-4 are divided by div
#
# Bars take their mode's colour (common.gp), so a mode looks the same here
# as in the sweep charts; the x tic under each bar reads "thread (8)".

plot_dir = ""
do for [plot_k = strlen(ARG0):1:-1] { if (plot_dir eq "" && ARG0[plot_k:plot_k] eq "/") { plot_dir = ARG0[1:plot_k] } }
load plot_dir . "common.gp"

if (!exists("unit") || !exists("div")) { unit = "ns"; div = 1 }

hi(c) = (valid(4) ? column(4) : column(2)) / div
lo(c) = (valid(3) ? column(3) : column(2)) / div
bar_name(c) = sprintf("%s (%s)", strcol(1), strcol(6))
speedup_text(c) = valid(5) ? sprintf("%.2fx", column(5)) : ""

# One column per stats call: with two, stats fits a line and warns when
# there are only two rows.
stats datafile using (hi(0)) nooutput
run_bars = STATS_records
run_top = STATS_max
stats datafile using (valid(5) ? 1 : 0) nooutput
run_labels = STATS_sum

# Headroom above the tallest error bar for its speedup label.
set yrange [0 : (run_top > 0 ? run_top * 1.15 : 1)]
set xrange [-0.6 : run_bars - 0.4]
set ylabel sprintf("median time (%s)", common_unit_label(unit))
set xlabel (run_labels > 0) ? "mode (workers);  whiskers: 95% confidence interval of the median;  above each bar: speedup over serial" \
                             : "mode (workers);  whiskers: 95% confidence interval of the median"
set xtics noenhanced scale 0
set grid noxtics ytics
unset key

set boxwidth 0.6
set style fill solid 0.85 border lc rgb "#333333"

# Error bars are vectors with flat heads: yerrorbars would draw a point,
# or with pointsize 0 still a white disc, on top of the median.
plot \
    datafile using 0:($2 / div):(common_mode_lt(strcol(1), $0 + 1)):xtic(bar_name(0)) \
        with boxes lc variable, \
    datafile using 0:(lo(0)):(0):(hi(0) - lo(0)) \
        with vectors heads size screen 0.012, 90 lc rgb "#222222" lw common_lw_thin, \
    datafile using 0:(hi(0)):(speedup_text(0)) \
        with labels center offset 0, 0.9 font common_label_font tc rgb "#222222" noenhanced
