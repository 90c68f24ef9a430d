# buddyinfo.gp - free blocks per order over simulated time in one zone, as
# a heat map with a logarithmic colour scale (as /proc/buddyinfo counts).
#
# Variables (besides those of common.gp):
#   data     data file, one row per snapshot and order with free blocks:
#            "time ms <TAB> order <TAB> cell start ms <TAB> cell end ms
#             <TAB> order - 0.5 <TAB> order + 0.5 <TAB> nr_free"
#   maxord   the machine's largest order
#   xmin, xmax   the first and the last snapshot's time, in ms
#   cbmax    the largest nr_free (at least 2)
#   ttl      the plot's title

set title ttl
set xlabel 'simulated time (ms)'
set ylabel 'order (blocks of 2^order pages)'
set cblabel 'free blocks (nr_free, log scale; blank = none)' offset 1.5,0
set xrange [xmin:xmax]
set yrange [-0.5:maxord + 0.5]
set ytics 1
set grid noxtics noytics
set logscale cb
set cbrange [1:cbmax]
set format cb '%.0s%c'
# viridis
set palette defined (0 '#440154', 1 '#3b528b', 2 '#21908d', 3 '#5dc963', 4 '#fde725')
set style fill solid 1.0 noborder
set key off
plot data using 1:2:3:4:5:6:7 with boxxyerror fc palette notitle
