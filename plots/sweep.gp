# sweep.gp: the x axis and CPU marker shared by speedup.gp and efficiency.gp.
#
# Both charts plot a worker-count sweep (one data block per mode, column 1 =
# workers) against the same x axis, so they must agree on its scale, range,
# tics and the "N CPUs" marker; this file sets all four.  Load it after
# common.gp.  It reads:
#
#   cpus   the machine's CPU count (integer)
#   modes  the mode names, space-separated, one per data block
#   logx   1: log2 x axis, 0: linear; when absent, log2 if the worker counts
#          double (three or more, each twice the one before: 1..64x2) or
#          the largest is at least 8 times the smallest
#
# The design choice to know: x tics sit exactly at the measured worker counts
# (gathered from every block), unless a linear axis would get more than 16 of
# them, where gnuplot's own tics read better.  It leaves for the templates:
#   sweep_xmin, sweep_xmax  smallest and largest worker count in the data
#   in_sweep(x)             1 when x lies within the measured worker counts
#                           (model curves are drawn only there)
#   dodge(w, i, n)          worker count w of series i of n, nudged sideways
#                           by about 1.2% of the axis width per series so
#                           that error bars at the same count stay apart
#   sweep_cpu_note          "" when the CPU marker is drawn; otherwise a key
#                           title saying the CPU count lies outside the axis

if (!exists("cpus") || !exists("modes")) {
    print sprintf("%s: cpus (the CPU count) and modes (the mode names) must be set", ARG0)
    exit status 1
}

set table $sweep_workers
plot datafile using (strcol(1)) with table
unset table
stats $sweep_workers using 1 nooutput
sweep_xmin = STATS_min
sweep_xmax = STATS_max
sweep_rows = STATS_records
in_sweep(x) = (x >= sweep_xmin && x <= sweep_xmax)

if (!exists("logx")) {
    # The distinct counts, in order: each row of the table, once.
    sweep_prev = 0
    sweep_distinct = 0
    sweep_doubling = 1
    set table $sweep_sorted
    plot $sweep_workers using 1:1 smooth unique with table
    unset table
    do for [sweep_i = 1:|$sweep_sorted|] {
        sweep_w = real(word($sweep_sorted[sweep_i], 1))
        if (sweep_w == sweep_w) {
            if (sweep_distinct > 0 && sweep_w != 2 * sweep_prev) { sweep_doubling = 0 }
            sweep_prev = sweep_w
            sweep_distinct = sweep_distinct + 1
        }
    }
    logx = (sweep_xmin > 0 && ((sweep_doubling && sweep_distinct >= 3) || sweep_xmax / sweep_xmin >= 8))
}

# A margin beside the outermost points: a factor on a log axis, a tenth of
# the span (at least a quarter worker) on a linear one.
if (logx) {
    set logscale x 2
    unset mxtics
    sweep_lo = sweep_xmin / 1.3
    sweep_hi = sweep_xmax * 1.3
} else {
    sweep_pad = (sweep_xmax - sweep_xmin) / 10.0
    sweep_pad = (sweep_pad < 0.25) ? 0.25 : sweep_pad
    sweep_lo = sweep_xmin - sweep_pad
    sweep_hi = sweep_xmax + sweep_pad
}
set xrange [sweep_lo : sweep_hi]
dodge(w, i, n) = logx ? w * (sweep_hi / sweep_lo) ** (0.012 * (i - (n + 1) / 2.0)) \
                      : w + (sweep_hi - sweep_lo) * 0.012 * (i - (n + 1) / 2.0)
set xlabel "workers"

# Tics at the measured counts.  Duplicates across mode blocks just redraw
# the same tic.
if (logx || sweep_rows <= 16 * words(modes)) {
    set xtics ()
    do for [sweep_i = 1:|$sweep_workers|] {
        sweep_w = real(word($sweep_workers[sweep_i], 1))
        set xtics add (sprintf("%g", sweep_w) sweep_w)
    }
}

# The CPU count as a dashed vertical line, labelled at height sweep_label_y
# (graph fraction, default 0.97; set it before loading this file to move the
# label off the chart's busy region).  The label goes to the left of the line
# when the line is near the right edge, so it is never clipped.  Off the
# axis, it becomes a note in the key instead.
if (!exists("sweep_label_y")) { sweep_label_y = 0.97 }
sweep_cpu_label = sprintf("%d CPU%s", cpus, cpus == 1 ? "" : "s")
if (cpus >= sweep_lo && cpus <= sweep_hi) {
    sweep_cpu_note = ""
    sweep_at = logx ? log(cpus / sweep_lo) / log(sweep_hi / sweep_lo) \
                    : (cpus - sweep_lo) / (sweep_hi - sweep_lo)
    set arrow from first cpus, graph 0 to first cpus, graph 1 nohead dt 2 lw common_lw_thin lc rgb "#555555" back
    if (sweep_at > 0.85) {
        set label sweep_cpu_label at first cpus, graph sweep_label_y right offset -0.6, 0 tc rgb "#333333" front
    } else {
        set label sweep_cpu_label at first cpus, graph sweep_label_y left offset 0.6, 0 tc rgb "#333333" front
    }
} else {
    sweep_cpu_note = sprintf("(%s: outside the worker range)", sweep_cpu_label)
}
