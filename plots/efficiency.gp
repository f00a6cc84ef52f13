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
#              Only columns 1 and 5 are drawn (5 as percent); a row whose
#              efficiency is not a number is skipped.
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
stats datafile using (100.0 * $5) nooutput
efficiency_top = (STATS_max * 1.15 > 110) ? STATS_max * 1.15 : 110
set yrange [0 : efficiency_top]
set ylabel "parallel efficiency (%)"

efficiency_n = words(modes)
set key below vertical left Left reverse maxrows efficiency_n + 1 samplen 3 spacing 1.15 width 3 height 1

plot \
    for [i = 1:efficiency_n] datafile index (i - 1) using 1:(100.0 * $5) \
        with linespoints lt common_mode_lt(word(modes, i), i) title word(modes, i) noenhanced, \
    (in_sweep(x) ? 100 : NaN) with lines lc rgb "#9a9a9a" lw 1.5 title "ideal (100%)", \
    NaN with lines dt 2 lw 1.5 lc rgb "#555555" title sweep_cpu_note
