# fragindex.gp - a fragmentation index over simulated time, one line per
# zone and order.
#
# Variables (besides those of common.gp):
#   kind     'unusable' (unusable free space index) or 'extfrag'
#            (fragmentation index)
#   data     data file: one block per zone and order, headed by its title,
#            rows "time in ms <TAB> index"; blocks are zone-major, so block
#            i is zone int(i / norders), order i % norders
#   nblocks  the number of blocks
#   norders  the number of orders per zone
#   ttl      the plot's title

set title ttl
set xlabel 'simulated time (ms)'
if (kind eq 'unusable') {
	set ylabel 'unusable free space index (0 = all free memory usable, 1 = none)'
	set yrange [-0.02:1.02]
} else {
	set ylabel 'fragmentation index (-1 = would succeed, 0 = lack of memory, 1 = fragmentation)'
	set yrange [-1.05:1.05]
}
set xrange [0:*]
# a colour per zone, a dash pattern per order
zone_lc(i) = int(i / norders) % 8 + 1
order_dt(i) = i % norders + 1
plot for [i=0:nblocks-1] data index i using 1:2 \
	with linespoints lw 1.5 pt 7 ps 0.4 lc zone_lc(i) dt order_dt(i) \
	title columnheader(1)
