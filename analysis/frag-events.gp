# frag-events.gp - fragmentation and reclaim events over simulated time:
# the cumulative counts of a run's vmstat counters at each snapshot, one
# line per counter, on a logarithmic axis (a count of 0 is not drawn).
#
# Variables (besides those of common.gp):
#   data     data file, one row per snapshot, after a "#" header line:
#            "time ms <TAB> value of each counter of names, in order"
#   names    the counters of the columns, space-separated
#   draw     the columns to draw (1 = the first counter), space-separated:
#            those whose count rose above 0
#   finals   each counter's count at the last snapshot, space-separated
#            (as the key shows it)
#   others   the key's line for the counters not drawn, as text: "0
#            throughout: NAME, ..." for those that stayed at 0, then
#            "not recorded: NAME, ..." for those the run lacks ('' if none)
#   xmin, xmax   the first and the last snapshot's time, in ms (the axis
#            reaches 2 % further, so the last points stand clear of it)
#   ymin, ymax   the range of the y axis
#   yt       its tick marks, "LABEL VALUE, ..." ('' for gnuplot's)
#   ttl      the plot's title

set title ttl
set xlabel 'simulated time (ms)'
set ylabel 'events since the start of the run (cumulative, log scale)'
set xrange [xmin:xmax + (xmax - xmin) * 0.02]
set logscale y
set yrange [ymin:ymax]
if (strlen(yt) > 0) {
	eval sprintf('set ytics (%s)', yt)
}
# the key below, so the plot and its title have the full width; the
# counters not drawn are named in it, without a line
set key outside bottom center horizontal Left reverse noenhanced
plot for [c in draw] data \
	using 1:(column(int(c) + 1) > 0 ? column(int(c) + 1) : NaN) \
	with linespoints lw 1.5 pt 7 ps 0.6 lc int(c) \
	title sprintf('%s (%s)', word(names, int(c)), word(finals, int(c))), \
	keyentry with points pt -1 title others
