# memory.gp: `bench profile --mem`: the heap (bytes malloc'd and not yet
# freed) and the resident set over time, one pair of lines per process,
# as mprof's curve.
#
# Contract (bench writes against this):
#   gnuplot -e "datafile='...'; outfile='...'; term='pngcairo'; title='...'; \
#               blocks=N; labels='pid 1 pid 2'" plots/memory.gp
#
#   datafile   TAB-separated, '#' lines are comments; one block per process
#              (blocks separated by two blank lines), rows:
#                1 seconds since the profile started  2 heap MiB  3 RSS MiB
#   blocks     the number of blocks; labels: one word pair per block
#   outfile, term, title   as in every template

plot_dir = ""
do for [plot_k = strlen(ARG0):1:-1] { if (plot_dir eq "" && ARG0[plot_k:plot_k] eq "/") { plot_dir = ARG0[1:plot_k] } }
load plot_dir . "common.gp"

if (!exists("blocks")) { blocks = 1 }
if (!exists("labels")) { labels = "" }
label_of(i) = (words(labels) >= 2 * i + 2) ? word(labels, 2 * i + 1) . " " . word(labels, 2 * i + 2) : sprintf("process %d", i + 1)

set xlabel "seconds"
set ylabel "MiB"
set yrange [0:*]
# Below the chart, a line under the axis label.
set key below horizontal left Left reverse samplen 3 spacing 1.15 width 3 height 1
plot for [i = 0:blocks - 1] datafile index i using 1:3 with lines title label_of(i) . " RSS", \
     for [i = 0:blocks - 1] datafile index i using 1:2 with lines dt 2 title label_of(i) . " heap"
