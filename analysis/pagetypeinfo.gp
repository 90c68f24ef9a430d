# pagetypeinfo.gp - the pageblocks of one zone per migratetype over
# simulated time, stacked (as /proc/pagetypeinfo counts them), with a line
# for the mixed pageblocks: those holding pages allocated for another type
# (as page_owner counts them), over all types.
#
# Variables (besides those of common.gp):
#   data     data file, one row per snapshot, after a "#" header line:
#            "time ms <TAB> pageblocks of each type of types, in order
#             <TAB> mixed pageblocks, all types"
#   types    the migratetypes of the columns, space-separated
#   ntypes   how many (at least 1)
#   xmin, xmax   the first and the last snapshot's time, in ms
#   ymax     the top of the y axis
#   ttl      the plot's title

set title ttl
set xlabel 'simulated time (ms)'
set ylabel 'pageblocks (stacked by migratetype)'
set xrange [xmin:xmax]
set yrange [0:ymax]
# the key below, so the plot and its title have the full width
set key outside bottom center horizontal Left reverse noenhanced
# a colour per migratetype, the same in every plot
mt_colour(t) = t eq 'Unmovable' ? '#d62728' : t eq 'Movable' ? '#1f77b4' : \
	t eq 'Reclaimable' ? '#2ca02c' : t eq 'HighAtomic' ? '#9467bd' : \
	t eq 'CMA' ? '#ff7f0e' : t eq 'Isolate' ? '#7f7f7f' : '#8c564b'
# the stack: type i lies between the sum of the types before it and the
# sum up to it
below(i) = i > 1 ? sum [c=2:i] column(c) : 0
upto(i) = sum [c=2:i+1] column(c)
set style fill transparent solid 0.55 border
plot for [i=1:ntypes] data using 1:(below(i)):(upto(i)) \
	with filledcurves lc rgb mt_colour(word(types, i)) \
	title word(types, i), \
	data using 1:(column(ntypes + 2)) with linespoints lw 2 pt 7 ps 0.5 \
	lc rgb '#000000' title 'mixed pageblocks (all types)'
