# efficiency.gp: parallel efficiency (speedup / workers) against worker
# count for a worker-count sweep, one line per mode, with the 100% ideal
# and the CPU count.
#
# Contract (bench writes against this): the same data file and variables as
# speedup.gp, so bench can render both from one sweep.
#   gnuplot -e "datafile='...'; outfile='...'; term='pngcairo'; title='...'; \
#               cpus=2; modes='thread process'; logx=1" plots/efficiency.gp
#
#   datafile   TAB-separated, '#' lines are comments; one block per mode, in
#              the order of `modes`, blocks separated by two blank lines:
#                1 workers  2 speedup  3 speedup_low  4 speedup_high
#                5 efficiency (0..1)  6 karp_flatt (may be nan)
#              Columns 1 and 5 are drawn (5 as percent), with error bars
#              from 3 and 4 divided by the workers (the speedup's 95%
#              confidence interval as efficiency); a row whose efficiency
#              is not a number is skipped, a missing bound draws no bar.
#   outfile, term, title, cpus, modes, logx   as in speedup.gp
#   fractions  accepted and ignored
#
# The y axis runs from 0 to 110%, or to 1.15 x the highest efficiency when a
# mode is superlinear, so neither the ideal line nor a point sits on the
# border.

plot_dir = ""
do for [plot_k = strlen(ARG0):1:-1] { if (plot_dir eq "" && ARG0[plot_k:plot_k] eq "/") { plot_dir = ARG0[1:plot_k] } }
load plot_dir . "common.gp"
load plot_dir . "sweep.gp"

# Headroom over a superlinear mode keeps its points clear of the CPU label.
eff_lo(c) = 100.0 * (valid(3) ? column(3) / column(1) : column(5))
eff_hi(c) = 100.0 * (valid(4) ? column(4) / column(1) : column(5))
stats datafile using (valid(5) ? eff_hi(0) : NaN) nooutput
efficiency_top = (STATS_max * 1.15 > 110) ? STATS_max * 1.15 : 110
set yrange [0 : efficiency_top]
set ylabel "parallel efficiency (%)"

efficiency_n = words(modes)
set key below vertical left Left reverse maxrows efficiency_n + 2 samplen 3 spacing 1.15 width 3 height 1

plot \
    for [i = 1:efficiency_n] datafile index (i - 1) using (dodge($1, i, efficiency_n)):(100.0 * $5):(eff_lo(0)):(eff_hi(0)) \
        with yerrorlines lt common_mode_lt(word(modes, i), i) title word(modes, i) noenhanced, \
    (in_sweep(x) ? 100 : NaN) with lines lc rgb "#9a9a9a" lw common_lw_thin title "ideal (100%)", \
    keyentry with yerrorbars lc rgb "#444444" pt 7 ps 0 title "bars: 95% confidence interval", \
    NaN with lines dt 2 lw common_lw_thin lc rgb "#555555" title sweep_cpu_note
