# speedup.gp: speedup against worker count for a worker-count sweep, with
# the fitted Amdahl curve per mode, the ideal linear speedup and the CPU
# count.
#
# Contract (bench writes against this):
#   gnuplot -e "datafile='...'; outfile='...'; term='pngcairo'; title='...'; \
#               cpus=2; modes='thread process'; fractions='0.041 nan'; logx=1" \
#           plots/speedup.gp
#
#   datafile   TAB-separated, '#' lines are comments; one block per mode, in
#              the order of `modes`, blocks separated by two blank lines:
#                1 workers  2 speedup (median-based)  3 speedup_low
#                4 speedup_high  5 efficiency (0..1)  6 karp_flatt (may be nan)
#              Columns 5 and 6 are not drawn here.  A row whose speedup is not
#              a number is skipped; a missing low/high draws no error bar.
#   outfile    image to write
#   term       'pngcairo' or 'svg'
#   title      chart title, shown as given
#   cpus       the machine's CPU count
#   modes      space-separated mode names, one per block
#   fractions  space-separated Amdahl serial fractions, one per mode, same
#              order; "nan" (or a missing word) means no fit: no curve
#   logx       1: log2 x axis, 0: linear (optional; see sweep.gp)
#   left_out   mode names whose Amdahl fit bench left out because it does
#              not describe their points (optional; the key says so)
#
# Error bars are the 95% confidence interval of the speedup (of the ratio
# of the two modes' samples), and the key says so. Each mode's fit has its
# own dash pattern, so two fits with one serial fraction both show. The
# ideal line stops inside the plot instead of running off its top.
#
# The y axis is capped at 1.15 x max(largest speedup_high, CPU count within
# the worker range) so that the ideal line, which keeps climbing, does not
# squash the measured curves into the bottom of the chart.

plot_dir = ""
do for [plot_k = strlen(ARG0):1:-1] { if (plot_dir eq "" && ARG0[plot_k:plot_k] eq "/") { plot_dir = ARG0[1:plot_k] } }
load plot_dir . "common.gp"
# Bottom: the ideal line crosses the top of the chart just right of the CPU
# line, the bottom there is empty unless a mode is slower than serial.
sweep_label_y = 0.04
load plot_dir . "sweep.gp"

if (!exists("fractions")) { fractions = "" }

# Per-row low/high fall back to the speedup itself, so a missing bound
# removes the error bar instead of the point.
lo(c) = valid(3) ? column(3) : column(2)
hi(c) = valid(4) ? column(4) : column(2)

stats datafile using (hi(0)) nooutput
speedup_top = STATS_max
speedup_cpus = (cpus < sweep_xmax) ? cpus : sweep_xmax
speedup_cap = 1.15 * ((speedup_top > speedup_cpus) ? speedup_top : speedup_cpus)
set yrange [0 : speedup_cap]
set ylabel "speedup over serial (x)"

amdahl(p, f) = in_sweep(p) ? 1.0 / (f + (1.0 - f) / p) : NaN
has_fit(i) = (i <= words(fractions)) ? (real(word(fractions, i)) == real(word(fractions, i))) : 0
fraction(i) = real(word(fractions, i))
fit_title(i) = sprintf("%s: Amdahl fit, serial %s", word(modes, i), common_pct(fraction(i)))
if (!exists("left_out")) { left_out = "" }
left_out_title = (words(left_out) > 0) ? sprintf("Amdahl fit left out: %s", left_out) : ""
ideal_top = 0.97 * speedup_cap

# Points are dodged sideways (sweep.gp) so overlapping confidence ranges of
# different modes stay readable; the tics still mark the exact counts.
# The key sits below the chart, so it covers nothing: a first column with
# the measured modes and the ideal line, a second with the fits (and the CPU
# note when the CPU line is off the axis).
speedup_n = words(modes)
set key below vertical left Left reverse maxrows speedup_n + 2 samplen 3 spacing 1.15 width 1 height 1

plot \
    for [i = 1:speedup_n] datafile index (i - 1) using (dodge($1, i, speedup_n)):2:(lo(0)):(hi(0)) \
        with yerrorlines lt common_mode_lt(word(modes, i), i) title word(modes, i) noenhanced, \
    (in_sweep(x) && x <= ideal_top ? x : NaN) with lines lc rgb "#9a9a9a" lw common_lw_thin title "ideal (linear)", \
    keyentry with yerrorbars lc rgb "#444444" pt 7 ps 0 title "bars: 95% confidence interval", \
    for [i = 1:speedup_n] (has_fit(i) ? amdahl(x, fraction(i)) : NaN) \
        with lines lt common_mode_lt(word(modes, i), i) lw common_lw_thin dt 1 + i title (has_fit(i) ? fit_title(i) : "") noenhanced, \
    keyentry with lines lc rgb "#ffffff" title left_out_title noenhanced, \
    NaN with lines dt 2 lw common_lw_thin lc rgb "#555555" title sweep_cpu_note
