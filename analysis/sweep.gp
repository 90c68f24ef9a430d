# sweep.gp - one metric against one swept parameter, one line per trace;
# each point is the mean over the runs that share the trace and the
# parameter's value, its bar spans their minimum to their maximum.
#
# Variables (besides those of common.gp):
#   data     data file: one block per trace, headed by the trace, rows
#            "rank of the value <TAB> value <TAB> mean <TAB> min <TAB> max"
#   nblocks  the number of blocks
#   numeric  1 if every value is a number (plotted on a linear axis),
#            0 if not (the values become the tick labels, in order)
#   xr, yr   the axis ranges, "MIN:MAX" ("*:*" to fit the data)
#   xlab, ylab   the axis labels
#   ttl      the plot's title

set title ttl
set xlabel xlab
set ylabel ylab
eval sprintf('set xrange [%s]', xr)
eval sprintf('set yrange [%s]', yr)
set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05
set key outside right top
if (numeric) {
	plot for [i=0:nblocks-1] data index i using 2:3:4:5 \
		with yerrorlines lw 1.5 pt 7 ps 0.8 title columnheader(1)
} else {
	plot for [i=0:nblocks-1] data index i using 1:3:4:5:xtic(2) \
		with yerrorlines lw 1.5 pt 7 ps 0.8 title columnheader(1)
}
