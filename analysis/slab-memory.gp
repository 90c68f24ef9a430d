# slab-memory.gp - the memory of a run's slab caches over simulated time,
# stacked, in MiB (the slab_bytes of the slabinfo table): a band for each
# of the caches with the most slab memory at the run's last snapshot, and
# one for all the others together.
#
# Variables (besides those of common.gp):
#   data     data file: a header line "ms <TAB> the caches' names, in
#            order <TAB> other (N caches)" (the last only if other), then
#            one row per snapshot: "time ms <TAB> slab bytes of each"
#   nbands   the number of bands (columns after the time), at least 1
#   other    1 if the last band is the other caches summed, 0 if not
#   finals   each band's bytes at the last snapshot, space-separated (the
#            key shows them)
#   xmin, xmax   the first and the last snapshot's time, in ms
#   ymax     the top of the y axis, in MiB
#   ttl      the plot's title

set title ttl
set xlabel 'simulated time (ms)'
set ylabel 'slab memory (MiB, stacked by cache)'
set xrange [xmin:xmax]
set yrange [0:ymax]
# the key below, so the plot and its title have the full width
set key outside bottom center horizontal Left reverse noenhanced
set xlabel offset 0,0.4
set bmargin 8.5
# ten colours that stay apart, then grey for the other caches
band_colour(i) = (other && i == nbands) ? '#b0b0b0' : \
	word('#1f77b4 #ff7f0e #2ca02c #d62728 #9467bd #8c564b #e377c2 #17becf #bcbd22 #393b79', (i - 1) % 10 + 1)
MiB = 1048576.0
size_text(b) = b >= MiB ? sprintf('%.2f MiB', b / MiB) : sprintf('%.1f KiB', b / 1024.0)
# the stack: band i lies between the sum of the bands before it and the
# sum up to it
below(i) = i > 1 ? (sum [c=2:i] column(c)) / MiB : 0
upto(i) = (sum [c=2:i+1] column(c)) / MiB
set style fill transparent solid 0.6 border
plot for [i=1:nbands] data using 1:(below(i)):(upto(i)) \
	with filledcurves lc rgb band_colour(i) \
	title sprintf('%s (%s)', columnheader(i + 1), \
	    size_text(real(word(finals, i))))
