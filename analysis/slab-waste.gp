# slab-waste.gp - the internal fragmentation of a run's slab caches at
# its last snapshot: for each cache, a bar of its slab memory (slab_bytes)
# split into the live objects (active_objs * objsize) and the waste (the
# rest: free objects and the leftover at the end of each slab), with the
# waste's share of the slab memory above it.
#
# Variables (besides those of common.gp):
#   data     data file, one row per cache, the most waste first, after a
#            "#" header line: "cache <TAB> slab_bytes <TAB> live bytes
#            <TAB> waste bytes <TAB> waste % <TAB> active_objs <TAB>
#            num_objs <TAB> objsize"
#   nbars    the number of caches (rows), at least 1
#   div, unit    the unit of the y axis: its bytes and its name
#            (1024 'KiB', 1048576 'MiB' or 1073741824 'GiB')
#   ymax     the top of the y axis, in that unit
#   ttl      the plot's title

set title ttl
set ylabel sprintf('slab memory at the end (%s)', unit)
set xlabel 'slab cache'
set xrange [-0.6:nbars - 0.4]
set yrange [0:ymax]
set xtics rotate by -30 left nomirror
set grid noxtics ytics
set boxwidth 0.6
set style fill solid 0.85 border lc rgb '#555555'
set key outside bottom center horizontal Left reverse noenhanced
set bmargin 9
plot data using 0:($2 / div) with boxes lc rgb '#f4a582' \
	title 'waste: free objects and slab leftover (slab_bytes - live)', \
	data using 0:($3 / div):xtic(1) with boxes lc rgb '#2166ac' \
	title 'live objects (active_objs * objsize)', \
	data using 0:($2 / div):(strcol(5) . '%') with labels offset 0,0.8 \
	font ',9' notitle
