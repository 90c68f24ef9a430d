# common.gp - the terminal and the style every kmsim-plot script shares.
#
# kmsim-plot runs "gnuplot -e VARIABLES common.gp PLOT.gp"; this file reads
#   fmt   'png' (pngcairo) or 'svg'
#   out   the file to write
# Text from the database (paths, op and zone names) is printed as it is:
# the terminal is noenhanced, so '_' and '^' are not markup.

if (fmt eq 'svg') {
	set terminal svg noenhanced size 960,540 font 'Sans,11' background '#ffffff'
} else {
	set terminal pngcairo noenhanced size 960,540 font 'Sans,10' background '#ffffff'
}
set output out
set datafile separator "\t"
set grid lc rgb '#d8d8d8' lw 1
set key outside right top vertical Left reverse noenhanced
# eight colours that stay apart on white (no yellow), repeated
set linetype 1 lc rgb '#1f77b4'
set linetype 2 lc rgb '#d62728'
set linetype 3 lc rgb '#2ca02c'
set linetype 4 lc rgb '#9467bd'
set linetype 5 lc rgb '#ff7f0e'
set linetype 6 lc rgb '#17becf'
set linetype 7 lc rgb '#8c564b'
set linetype 8 lc rgb '#e377c2'
set linetype cycle 8
set title font ',12'
