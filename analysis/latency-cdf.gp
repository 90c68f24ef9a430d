# latency-cdf.gp - the cumulative distribution of each op's latency, on a
# logarithmic axis of cycles (nanoseconds on the top axis).
#
# Variables (besides those of common.gp):
#   data     data file: one block per op, headed by the op's name, rows
#            "latency in cycles <TAB> share of ops at or below it"
#   nblocks  the number of blocks
#   xmin, xmax   the axis range in cycles
#   xt, x2t  the tick marks of the axes, "LABEL VALUE, ..." ('' for none)
#   mhz      the simulated CPU clock in MHz, 0 if unknown
#   ttl      the plot's title

set title ttl
set xlabel 'latency (cycles, log scale)'
set ylabel 'share of operations at or below (CDF)'
set logscale x
set xrange [xmin:xmax]
set yrange [0:1.02]
set ytics 0.1
set xtics nomirror
if (strlen(xt) > 0) {
	eval sprintf('set xtics (%s)', xt)
}
set mxtics 10
if (mhz > 0) {
	set logscale x2
	set x2range [xmin * 1000.0 / mhz:xmax * 1000.0 / mhz]
	set x2tics
	if (strlen(x2t) > 0) {
		eval sprintf('set x2tics (%s)', x2t)
	}
	set mx2tics 10
	set x2label sprintf('latency (ns at %g MHz)', mhz)
}
set key inside right bottom
plot for [i=0:nblocks-1] data index i using 1:2 with steps lw 2 \
	title columnheader(1)
