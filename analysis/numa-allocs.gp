# numa-allocs.gp - a run's allocations per node pair as a heat map: the
# node an allocation asked for (its preferred node) down, the node that
# served it across, the count as colour on a logarithmic scale and as
# text, with its share of the requesting node's allocations.
#
# Variables (besides those of common.gp):
#   data     data file, one row per node pair (every pair), after a "#"
#            header line: "serving node <TAB> requesting node <TAB>
#            allocations <TAB> share of the requesting node's, in %
#            <TAB> allocations as text (thousands separated)"
#   nnodes   the number of nodes
#   cbmax    the largest count (at least 2)
#   ttl      the plot's title (two lines: the plot is square)

set title ttl
set xlabel 'serving node (where the pages came from)'
set ylabel "requesting node (the allocation's preferred node)"
set cblabel 'allocations (log scale; blank = none)' offset 1.5,0
set xrange [-0.5:nnodes - 0.5]
set yrange [nnodes - 0.5:-0.5]
set xtics 1 out nomirror
set ytics 1 out nomirror
set grid noxtics noytics
set size ratio -1
set logscale cb
set cbrange [1:cbmax]
set format cb '%.0s%c'
# light to dark blue; no allocation stays white
set palette defined (0 '#c6dbef', 1 '#9ecae1', 2 '#6baed6', 3 '#3182bd', 4 '#08519c')
set style fill solid 1.0 border lc rgb '#ffffff'
set key off
# white text on the darker cells, grey on the empty ones
text_rgb(v) = v <= 0 ? 0x999999 : log(v) / log(cbmax) > 0.6 ? 0xffffff : 0x000000
cell_text(n, pct, text) = n > 0 ? sprintf("%s\n(%.1f%%)", text, pct) : '0'
plot data using 1:2:($1 - 0.5):($1 + 0.5):($2 - 0.5):($2 + 0.5):($3 > 0 ? $3 : NaN) \
	with boxxyerror fc palette notitle, \
	data using 1:2:(cell_text($3, $4, strcol(5))):(text_rgb($3)) \
	with labels tc rgb variable font ',9' notitle
