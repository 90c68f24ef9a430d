# writeback.gp - the page cache over simulated time: cached, dirty and
# writeback memory at each snapshot, with the dirty limits the writers
# are held to (the background threshold, the freerun ceiling halfway to
# the dirty threshold, the threshold itself) as dashed lines.
#
# Variables (besides those of common.gp):
#   data     data file, one row per snapshot, after a "#" header line:
#            "time ms <TAB> cached MiB <TAB> dirty MiB <TAB> writeback MiB
#             <TAB> background threshold MiB <TAB> dirty threshold MiB"
#   xmin, xmax   the first and the last snapshot's time, in ms
#   ymax     the top of the y axis (MiB)
#   ttl      the plot's title

set title ttl
set xlabel 'simulated time (ms)'
set ylabel 'MiB'
set xrange [xmin:xmax + (xmax - xmin) * 0.02]
set yrange [0:ymax]
set key outside bottom center horizontal Left reverse noenhanced
plot data using 1:2 with lines lw 2 lc rgb '#4e79a7' title 'cached', \
	data using 1:3 with lines lw 2 lc rgb '#e15759' title 'dirty', \
	data using 1:4 with lines lw 2 lc rgb '#f28e2b' title 'writeback', \
	data using 1:5 with lines lw 1 dt 2 lc rgb '#59a14f' \
	    title 'background threshold', \
	data using 1:(($5 + $6) / 2) with lines lw 1 dt 3 lc rgb '#b07aa1' \
	    title 'freerun ceiling', \
	data using 1:6 with lines lw 1 dt 2 lc rgb '#9c755f' \
	    title 'dirty threshold'
