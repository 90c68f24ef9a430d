#!/bin/sh
# kmsim-plot - plot the runs of a kmsim results database with gnuplot.
#
# Reads the database (kmsim-db(5)) with the sqlite3 shell, writes the data of
# each plot into a temporary directory and runs one gnuplot script of
# analysis/ on it per plot and format: the unusable free space index and the
# fragmentation index over time, the free blocks per order as a heat map per
# zone, the pageblocks per migratetype over time per zone, the fragmentation
# events over time, the allocations per node pair as a heat map (runs with
# more than one node), the slab memory per cache over time and the slab
# caches' waste at the end (runs with slabinfo rows), the page cache's
# cached, dirty and writeback memory with the dirty limits (runs with a
# page cache), the latency CDFs,
# and, when the database holds a
# sweep (a params table), each metric against each swept parameter.  Plots
# whose tables the database (or the run) lacks are skipped with one line on
# standard error.
# See kmsim-plot(1).

version='@VERSION@'
pkgdatadir='@PKGDATADIR@'
prog=kmsim-plot
TAB=$(printf '\t')

# Plots of tables that later schema versions add: "table|what it shows".
FUTURE_PLOTS=

# The caches the slab plots name, the largest at the end; the slab
# memory plot sums the others as "other".
SLAB_TOP=10

# The vmstat counters of the fragmentation events plot, in its order.
FRAG_EVENTS='extfrag_fallback extfrag_fragmenting compact_stall'
FRAG_EVENTS="$FRAG_EVENTS compact_success pgmigrate_success kswapd_wake"

# The kernel's order of zones, for sorting.
ZONE_RANK="case zone when 'DMA' then 0 when 'DMA32' then 1
	when 'Normal' then 2 when 'HighMem' then 3 when 'Movable' then 4
	else 5 end"

usage() {
	cat <<EOF
usage: $prog DB -o DIR [--run ID]... [--orders LIST] [--format png|svg|both]
                  [-q]
       $prog -h | -V

Plot the runs of the kmsim results database DB into DIR: the unusable free
space index and the fragmentation index over time, free blocks per order
as a heat map per zone, pageblocks per migratetype over time per zone,
fragmentation events over time, allocations per node pair as a heat map,
slab memory per cache over time and the slab caches' waste at the end,
the page cache's dirty and writeback memory against the dirty limits,
latency CDFs per op, and, for a sweep, each metric against each swept
parameter.

  -o, --output DIR        the directory to write the plots into (created)
  -r, --run ID            plot this run (repeatable; default: every run)
      --orders LIST       orders of the index plots, comma-separated
                          (default 3,9)
  -f, --format FORMAT     png, svg or both (default png)
  -q, --quiet             do not list the files written
  -h, --help              print this help and exit
  -V, --version           print the version and exit
EOF
}

# The messages and the options kmsim-plot and kmsim-report share.
. "$(dirname -- "$0")/kmsim-args.sh" # KMSIM_ARGS

### Options

format=png
orders='3 9'

set_orders() {
	orders=
	for o in $(printf '%s' "$1" | tr ',' ' '); do
		is_uint "$o" || usage_error "order '$o' is not a number"
		case " $orders " in
		*" $o "*) ;;
		*) orders="${orders:+$orders }$o" ;;
		esac
	done
	[ -n "$orders" ] || usage_error "no orders given to --orders"
}

set_format() {
	case $1 in
	png | svg | both) format=$1 ;;
	*) usage_error "unknown format '$1' (png, svg or both)" ;;
	esac
}

own_option() {
	case $1 in
	--orders) needs_arg $# "$1"; set_orders "$2"; own_shift=2 ;;
	--orders=*) set_orders "${1#*=}"; own_shift=1 ;;
	-f | --format) needs_arg $# "$1"; set_format "$2"; own_shift=2 ;;
	--format=*) set_format "${1#*=}"; own_shift=1 ;;
	esac
}

parse_args "$@"
[ "$have_out" = 1 ] || usage_error "no output directory given (-o DIR)"
[ -n "$out" ] || usage_error "empty output directory"
outdir=$out
case $format in
both) formats='png svg' ;;
*) formats=$format ;;
esac

### Tools and scripts

sqlite=${SQLITE3:-sqlite3}
command -v "$sqlite" >/dev/null 2>&1 ||
	die "sqlite3 not found: '$sqlite' (install sqlite3, or set SQLITE3)"
gnuplot=${GNUPLOT:-gnuplot}
command -v "$gnuplot" >/dev/null 2>&1 ||
	die "gnuplot not found: '$gnuplot' (install gnuplot, or set GNUPLOT)"
for ext in $formats; do
	term=svg
	[ "$ext" = png ] && term=pngcairo
	"$gnuplot" -e "set terminal $term" </dev/null >/dev/null 2>&1 ||
		die "gnuplot '$gnuplot' has no '$term' terminal"
done

# The gnuplot scripts: next to this script in the source tree (sim/../analysis,
# or analysis/ beside a build at the top of the tree), else installed.
here=$(dirname -- "$0")
analysis=
for d in ${KMSIM_ANALYSIS_DIR:+"$KMSIM_ANALYSIS_DIR"} "$here/analysis" \
    "$here/../analysis" "$pkgdatadir/analysis"; do
	if [ -f "$d/common.gp" ]; then
		analysis=$d
		break
	fi
done
[ -n "$analysis" ] ||
	die "cannot find the gnuplot scripts (analysis/common.gp); set KMSIM_ANALYSIS_DIR"

### The database


# sqlstr TEXT: TEXT as an SQL string literal.
sqlstr() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/''/g")"
}

open_db

max_ord=$(q "select max(ord) from buddyinfo where run_id in ($run_list)") ||
	die "cannot read '$db'"
if [ -n "$max_ord" ]; then
	for o in $orders; do
		[ "$o" -le "$max_ord" ] ||
			die "order $o is above the largest order of the runs ($max_ord)"
	done
fi
order_list=$(echo "$orders" | tr ' ' ',')
norders=$(echo "$orders" | wc -w | tr -d ' ')

has_table() {
	[ "$(q "select count(*) from sqlite_master where type = 'table'
	    and name = $(sqlstr "$1")")" = 1 ]
}

### The output directory and the work directory

if [ -e "$outdir" ] && [ ! -d "$outdir" ]; then
	die "'$outdir' is not a directory"
fi
mkdir -p -- "$outdir" 2>/dev/null || die "cannot create directory '$outdir'"
probe=$outdir/.kmsim-plot.$$
{ : >"$probe"; } 2>/dev/null || die "cannot write to directory '$outdir'"
rm -f -- "$probe"

work=$(mktemp -d "${TMPDIR:-/tmp}/kmsim-plot.XXXXXX") ||
	die "cannot create a temporary directory"
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM HUP

### Plotting

failed=0

# gpstr TEXT: TEXT as a gnuplot string literal.
gpstr() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/''/g")"
}

# safe TEXT: TEXT fit for a file name.
safe() {
	printf '%s' "$1" | tr -c 'A-Za-z0-9._-' '_'
}

# plot SCRIPT NAME VARIABLES: run analysis/SCRIPT once per format, writing
# DIR/NAME.png and DIR/NAME.svg; VARIABLES are gnuplot assignments.
plot() {
	for ext in $formats; do
		if "$gnuplot" -e "fmt='$ext'; out=$(gpstr "$outdir/$2.$ext"); $3" \
		    "$analysis/common.gp" "$analysis/$1" \
		    </dev/null >"$work/gp.out" 2>"$work/gp.err"; then
			if [ -s "$work/gp.err" ]; then
				note "gnuplot warned on '$outdir/$2.$ext':"
				sed 's/^/    /' "$work/gp.err" >&2
			fi
			if [ -s "$outdir/$2.$ext" ]; then
				[ "$quiet" = 1 ] || printf '%s\n' "$outdir/$2.$ext"
			else
				note "gnuplot wrote nothing to '$outdir/$2.$ext'"
				failed=1
			fi
		else
			note "gnuplot failed on '$outdir/$2.$ext' ($analysis/$1):"
			sed 's/^/    /' "$work/gp.err" >&2
			rm -f -- "$outdir/$2.$ext"
			failed=1
		fi
	done
}

# blocks FILE: turn rows "key <TAB> columns..." on standard input into
# gnuplot data blocks in FILE, one per key, each headed by the key; print
# the number of blocks.  With lead=1 the rows lose their second column,
# and each block starts with the row "second column of its first row <TAB>
# 0" (the CDF's first step: nothing below the first bucket).
blocks() {
	awk -F '\t' -v lead="${lead:-0}" -v out="$1" '
		$1 != key {
			if (n++)
				printf "\n\n" > out
			key = $1
			print key > out
			if (lead)
				print $2 "\t0" > out
		}
		{
			line = ""
			for (i = lead ? 3 : 2; i <= NF; i++)
				line = line (line == "" ? "" : "\t") $i
			print line > out
		}
		END { print n + 0 }'
}

# rows FILE SQL: the rows of SQL into the work directory's FILE.
rows() {
	q "$2" >"$work/$1" || die "cannot read '$db'"
}

run_field() {
	q "select replace(replace(coalesce($2, ''), char(10), ' '), char(9), ' ')
	    from runs where run_id = $1"
}

# run_title ID: "run N: config, trace (mode, status)"
run_title() {
	cfg=$(run_field "$1" config_path)
	trc=$(run_field "$1" trace_path)
	mode=$(run_field "$1" mode)
	st=$(run_field "$1" status)
	printf 'run %s: %s, %s (%s%s)' "$1" "${cfg##*/}" "${trc##*/}" "$mode" \
	    "$([ "$st" = complete ] || printf ', %s' "$st")"
}

plot_fragindex() { # RUN KIND COLUMN TITLE
	rows "$2.rows" "select 'node ' || f.node || ' ' || f.zone || ', order ' || f.ord,
		s.sim_ns / 1e6, f.$3
	    from fragmentation f join snapshots s on s.snapshot_id = f.snapshot_id
	    where f.run_id = $1 and f.ord in ($order_list)
	    order by f.node, $ZONE_RANK, f.ord, s.seq"
	n=$(blocks "$work/$2.dat" <"$work/$2.rows")
	if [ "$n" -eq 0 ]; then
		note "run $1: no fragmentation rows at orders $order_list; no $2 plot"
		return
	fi
	plot fragindex.gp "run$1-$2" "kind='$2'; data=$(gpstr "$work/$2.dat");
	    nblocks=$n; norders=$norders; ttl=$(gpstr "$4 - $title")"
}

# time_span RUN: set xmin and xmax to the time of the run's first and last
# snapshot in ms, half a ms apart either way when they are the same (one
# snapshot, or all at one instant: gnuplot refuses an empty range).
time_span() {
	span=$(q "select min(sim_ns) / 1e6, max(sim_ns) / 1e6
	    from snapshots where run_id = $1")
	xmin=${span%%"$TAB"*}
	xmax=${span#*"$TAB"}
	if awk -v a="$xmin" -v b="$xmax" 'BEGIN { exit !(a + 0 >= b + 0) }'; then
		xmin=$(awk -v x="$xmin" 'BEGIN { print x - 0.5 }')
		xmax=$(awk -v x="$xmax" 'BEGIN { print x + 0.5 }')
	fi
}

plot_buddyinfo() { # RUN
	maxo=$(q "select max(ord) from buddyinfo where run_id = $1")
	time_span "$1"
	rows zones "select distinct node, zone from buddyinfo where run_id = $1
	    order by node, $ZONE_RANK"
	while IFS="$TAB" read -r node zone; do
		# Each snapshot's cell reaches halfway to its neighbours.
		rows buddyinfo.dat "with s as (
			select snapshot_id, sim_ns / 1e6 as ms,
			    lag(sim_ns) over w / 1e6 as prev,
			    lead(sim_ns) over w / 1e6 as next
			from snapshots where run_id = $1 window w as (order by seq))
		    select s.ms, b.ord,
			coalesce((s.prev + s.ms) / 2, $xmin),
			coalesce((s.ms + s.next) / 2, $xmax),
			b.ord - 0.5, b.ord + 0.5, b.nr_free
		    from s join buddyinfo b on b.snapshot_id = s.snapshot_id
		    where b.node = $node and b.zone = $(sqlstr "$zone")
			and b.nr_free > 0
		    order by s.ms, b.ord"
		if [ ! -s "$work/buddyinfo.dat" ]; then
			note "run $1: node $node $zone has no free block in any snapshot; no heat map"
			continue
		fi
		cbmax=$(q "select max(2, max(nr_free)) from buddyinfo
		    where run_id = $1 and node = $node and zone = $(sqlstr "$zone")")
		plot buddyinfo.gp "run$1-buddyinfo-node$node-$(safe "$zone")" \
		    "data=$(gpstr "$work/buddyinfo.dat"); maxord=$maxo;
		    xmin=$xmin; xmax=$xmax; cbmax=$cbmax;
		    ttl=$(gpstr "free blocks per order, node $node $zone - $title")"
	done <"$work/zones"
}

# The kernel's order of migratetypes, for sorting.
MT_RANK="case migratetype when 'Unmovable' then 0 when 'Movable' then 1
	when 'Reclaimable' then 2 when 'HighAtomic' then 3 when 'CMA' then 4
	when 'Isolate' then 5 else 6 end"

plot_pagetypeinfo() { # RUN
	rows pti.zones "select distinct node, zone from pagetypeinfo
	    where run_id = $1 order by node, $ZONE_RANK"
	if [ ! -s "$work/pti.zones" ]; then
		note "run $1: no pagetypeinfo rows (an older kmsim wrote the run); no pageblock mobility mix plot"
		return
	fi
	time_span "$1"
	while IFS="$TAB" read -r node zone; do
		where="p.run_id = $1 and p.node = $node and p.zone = $(sqlstr "$zone")"
		# The types that own a pageblock at some snapshot, each a column.
		rows pti.types "select migratetype from pagetypeinfo p where $where
		    group by migratetype having max(pageblocks) > 0
		    order by $MT_RANK, migratetype"
		if [ ! -s "$work/pti.types" ]; then
			note "run $1: node $node $zone has no pageblock; no pageblock mobility mix plot"
			continue
		fi
		cols=
		types=
		ntypes=0
		while IFS= read -r mt; do
			cols="$cols sum(case when p.migratetype = $(sqlstr "$mt")
			    then p.pageblocks else 0 end),"
			types="${types:+$types }$(safe "$mt")"
			ntypes=$((ntypes + 1))
		done <"$work/pti.types"
		rows pti.rows "select s.sim_ns / 1e6, $cols sum(p.mixed)
		    from snapshots s join pagetypeinfo p on p.snapshot_id = s.snapshot_id
		    where $where group by s.snapshot_id order by s.seq"
		{
			printf '# ms\t%s\tmixed\n' "$(echo "$types" | tr ' ' "$TAB")"
			cat "$work/pti.rows"
		} >"$work/pti.dat"
		# room above the stack (every pageblock of the zone) and the line
		ymax=$(awk -F '\t' -v n="$ntypes" '
			{
				t = 0
				for (i = 2; i <= n + 1; i++)
					t += $i
				if (t > m) m = t
				if ($(n + 2) > m) m = $(n + 2)
			}
			END { print (m > 0 ? m : 1) * 1.05 }' "$work/pti.rows")
		plot pagetypeinfo.gp "run$1-pagetypeinfo-node$node-$(safe "$zone")" \
		    "data=$(gpstr "$work/pti.dat"); types=$(gpstr "$types");
		    ntypes=$ntypes; xmin=$xmin; xmax=$xmax; ymax=$ymax;
		    ttl=$(gpstr "pageblocks per migratetype, node $node $zone - $title")"
	done <"$work/pti.zones"
}

plot_frag_events() { # RUN
	if [ "$(q "select count(*) from vmstat where run_id = $1")" = 0 ]; then
		note "run $1: no vmstat rows (an older kmsim wrote the run); no fragmentation events plot"
		return
	fi
	time_span "$1"
	cols=
	for name in $FRAG_EVENTS; do
		cols="$cols, max(case when v.name = '$name' then v.value end)"
	done
	rows fe.rows "select s.sim_ns / 1e6 $cols
	    from snapshots s join vmstat v on v.snapshot_id = s.snapshot_id
	    where s.run_id = $1 group by s.snapshot_id order by s.seq"
	names=$FRAG_EVENTS
	# The counters that rose above 0 (drawn), each counter's count at the
	# last snapshot (thousands separated; "none" if the run lacks it), the
	# key's line for the others (those that stayed at 0, and those the run
	# lacks), and the largest count.
	awk -F '\t' -v names="$names" '
		function commas(v,   s) {
			s = sprintf("%d", v)
			while (s ~ /[0-9][0-9][0-9][0-9]/)
				sub(/[0-9][0-9][0-9]([,]|$)/, ",&", s)
			return s
		}
		{
			for (i = 2; i <= NF; i++) {
				if ($i == "")
					continue
				seen[i] = 1
				last[i] = $i
				if ($i + 0 > max[i] + 0) max[i] = $i
			}
		}
		END {
			n = split(names, nm, " ")
			for (c = 1; c <= n; c++) {
				i = c + 1
				fin = fin (c > 1 ? " " : "") (i in seen ? commas(last[i]) : "none")
				if (max[i] + 0 > 0) {
					draw = draw (draw == "" ? "" : " ") c
					if (max[i] + 0 > top) top = max[i] + 0
				} else if (i in seen) {
					zeros = zeros (zeros == "" ? "" : ", ") nm[c]
				} else {
					absent = absent (absent == "" ? "" : ", ") nm[c]
				}
			}
			if (zeros != "")
				others = "0 throughout: " zeros
			if (absent != "")
				others = others (others == "" ? "" : "; ") \
				    "not recorded: " absent
			print draw
			print fin
			print others
			print top + 0
		}' "$work/fe.rows" >"$work/fe.sum"
	{
		IFS= read -r draw
		IFS= read -r finals
		IFS= read -r others
		IFS= read -r top
	} <"$work/fe.sum"
	if [ -z "$draw" ]; then
		note "run $1: no fragmentation event counted ($(echo "$names" |
		    sed 's/ /, /g') all 0); no fragmentation events plot"
		return
	fi
	{
		printf '# ms\t%s\n' "$(echo "$names" | tr ' ' "$TAB")"
		cat "$work/fe.rows"
	} >"$work/fe.dat"
	ymin=0.7
	ymax=$(awk -v t="$top" 'BEGIN { print (t < 2 ? 2 : t) * 1.5 }')
	yt=$(log_ticks "$ymin" "$ymax")
	plot frag-events.gp "run$1-frag-events" "data=$(gpstr "$work/fe.dat");
	    names=$(gpstr "$names"); draw=$(gpstr "$draw");
	    finals=$(gpstr "$finals"); others=$(gpstr "$others");
	    xmin=$xmin; xmax=$xmax; ymin=$ymin; ymax=$ymax; yt=$(gpstr "$yt");
	    ttl=$(gpstr "fragmentation events (vmstat) - $title")"
}

# run_nodes RUN: the number of nodes of the run's machine (from its
# configuration, else from the nodes its rows name).
run_nodes() {
	q "select max(coalesce((select json_extract(config_json,
		'\$.machine.nr_nodes') from runs
		where run_id = $1 and json_valid(config_json)), 0),
	    coalesce((select max(node) + 1 from zones where run_id = $1), 0)
	    $([ "$has_numa" = 1 ] && echo ", coalesce((select max(max(from_node),
		max(to_node)) + 1 from numa_allocs where run_id = $1), 0)"))"
}

# The page cache of a run (its vmstat rows nr_file_pages, nr_dirty,
# nr_writeback and the dirty thresholds): memory over time against the
# limits balance_dirty_pages() holds writers to.  A run that read and
# wrote no file has none, and no plot (as a one-node run has no heat
# map), without a word.
plot_writeback() { # RUN
	if [ "$(q "select count(*) from vmstat v join snapshots s
	    on s.snapshot_id = v.snapshot_id where s.run_id = $1
	    and v.name = 'nr_file_pages' and v.value > 0")" = 0 ]; then
		return	# no file was read or written: nothing to draw
	fi
	time_span "$1"
	cols=
	for name in nr_file_pages nr_dirty nr_writeback \
	    nr_dirty_background_threshold nr_dirty_threshold; do
		cols="$cols, coalesce(max(case when v.name = '$name'
		    then v.value end), 0) * $page / 1048576.0"
	done
	rows wb.rows "select s.sim_ns / 1e6 $cols
	    from snapshots s join vmstat v on v.snapshot_id = s.snapshot_id
	    where s.run_id = $1 group by s.snapshot_id order by s.seq"
	{
		printf '# ms\tcached_mib\tdirty_mib\twriteback_mib\tbg_thresh_mib\tthresh_mib\n'
		cat "$work/wb.rows"
	} >"$work/wb.dat"
	ymax=$(awk -F '\t' '{ for (i = 2; i <= NF; i++) if ($i > m) m = $i }
	    END { print (m > 0 ? m : 1) * 1.1 }' "$work/wb.rows")
	plot writeback.gp "run$1-writeback" "data=$(gpstr "$work/wb.dat");
	    xmin=$xmin; xmax=$xmax; ymax=$ymax;
	    ttl=$(gpstr "page cache and dirty limits - $title")"
}

plot_numa() { # RUN
	nn=$(run_nodes "$1")
	[ "${nn:-0}" -gt 1 ] || return 0
	if [ "$(q "select count(*) from numa_allocs where run_id = $1")" = 0 ]; then
		note "run $1: no numa_allocs rows (the run did not end, or an older kmsim wrote it); no node-pair heat map"
		return
	fi
	# every pair, requesting node by requesting node
	rows numa.rows "with recursive n(i) as (select 0 union all
		select i + 1 from n where i + 1 < $nn),
	    a as (select from_node, to_node, count from numa_allocs
		where run_id = $1),
	    t as (select from_node, sum(count) as total from a group by from_node)
	    select s.i, r.i, coalesce(a.count, 0),
		printf('%.1f', coalesce(100.0 * a.count / t.total, 0)),
		printf('%,d', coalesce(a.count, 0))
	    from n r join n s
	    left join a on a.from_node = r.i and a.to_node = s.i
	    left join t on t.from_node = r.i
	    order by r.i, s.i"
	{
		printf '# serving\trequesting\tallocations\tpct_of_requesting\ttext\n'
		cat "$work/numa.rows"
	} >"$work/numa.dat"
	rows numa.sum "select max(2, max(count)),
	    printf('%.1f', 100.0 * sum(case when from_node = to_node then count
		else 0 end) / sum(count))
	    from numa_allocs where run_id = $1"
	IFS="$TAB" read -r cbmax lshare <"$work/numa.sum"
	plot numa-allocs.gp "run$1-numa-allocs" "data=$(gpstr "$work/numa.dat");
	    nnodes=$nn; cbmax=$cbmax;
	    ttl=$(gpstr "allocations per node pair, $lshare% local (served by the node asked for)
$title")"
}

# bytes_unit BYTES: "DIVISOR<TAB>UNIT" for an axis that reaches BYTES: KiB
# below 1 MiB, MiB below 1 GiB, else GiB.
bytes_unit() {
	awk -v b="$1" 'BEGIN {
		if (b < 1048576) print 1024 "\tKiB"
		else if (b < 1073741824) print 1048576 "\tMiB"
		else print 1073741824 "\tGiB"
	}'
}

# The slab caches of a run (the slabinfo table): their slab memory over
# time, the SLAB_TOP largest at the run's last snapshot each a band of a
# stack and the others summed as one, and the waste of the SLAB_TOP that
# waste the most at the last snapshot: slab memory not holding a live
# object (active_objs * objsize).
plot_slab() { # RUN
	if [ "$(q "select count(*) from slabinfo where run_id = $1")" = 0 ]; then
		note "run $1: no slabinfo rows (the run used no slab cache, replayed a capture, or an older kmsim wrote it); no slab memory or slab waste plot"
		return
	fi
	lastsnap=$(q "select snapshot_id from snapshots where run_id = $1
	    order by seq desc limit 1")
	# The caches that held a slab at some snapshot, the largest at the
	# last snapshot first.
	rows slab.caches "select cache from slabinfo where run_id = $1
	    group by cache having max(slab_bytes) > 0
	    order by coalesce(max(case when snapshot_id = $lastsnap
		then slab_bytes end), 0) desc, max(slab_bytes) desc, cache"
	ncaches=$(wc -l <"$work/slab.caches" | tr -d ' ')
	if [ "$ncaches" -eq 0 ]; then
		note "run $1: no slab cache held a slab at any snapshot; no slab memory or slab waste plot"
		return
	fi
	time_span "$1"
	cols=
	hdr=ms
	in_list=
	ntop=0
	head -n "$SLAB_TOP" "$work/slab.caches" >"$work/slab.top"
	while IFS= read -r c; do
		cols="$cols, sum(case when l.cache = $(sqlstr "$c")
		    then l.slab_bytes else 0 end)"
		hdr="$hdr$TAB$c"
		in_list="${in_list:+$in_list, }$(sqlstr "$c")"
		ntop=$((ntop + 1))
	done <"$work/slab.top"
	nother=$((ncaches - ntop))
	other=0
	if [ "$nother" -gt 0 ]; then
		cols="$cols, sum(case when l.cache not in ($in_list)
		    then l.slab_bytes else 0 end)"
		hdr="$hdr${TAB}other ($nother caches)"
		other=1
	fi
	# A row per snapshot of the run, 0 for a cache without a row in it.
	rows slab.rows "select s.sim_ns / 1e6 $cols
	    from snapshots s left join slabinfo l on l.snapshot_id = s.snapshot_id
	    where s.run_id = $1 group by s.snapshot_id order by s.seq"
	{
		printf '%s\n' "$hdr"
		cat "$work/slab.rows"
	} >"$work/slab.dat"
	# each band's bytes at the last snapshot, and room above the stack
	finals=$(tail -n 1 "$work/slab.rows" | cut -f 2- | tr '\t' ' ')
	ymax=$(awk -F '\t' '
		{
			t = 0
			for (i = 2; i <= NF; i++)
				t += $i
			if (t > m) m = t
		}
		END { print (m > 0 ? m : 1048576) * 1.05 / 1048576 }' "$work/slab.rows")
	plot slab-memory.gp "run$1-slab-memory" "data=$(gpstr "$work/slab.dat");
	    nbands=$((ntop + other)); other=$other; finals=$(gpstr "$finals");
	    xmin=$xmin; xmax=$xmax; ymax=$ymax;
	    ttl=$(gpstr "slab memory per cache ($ntop largest of $ncaches) - $title")"

	# The waste at the last snapshot of the caches that have slabs then.
	nend=$(q "select count(*) from slabinfo
	    where snapshot_id = $lastsnap and slab_bytes > 0")
	if [ "$nend" -eq 0 ]; then
		note "run $1: no slab cache has a slab at the last snapshot; no slab waste plot"
		return
	fi
	rows slab-waste.rows "select cache, slab_bytes, active_objs * objsize,
		slab_bytes - active_objs * objsize,
		printf('%.1f', 100.0 * (slab_bytes - active_objs * objsize)
		    / slab_bytes),
		active_objs, num_objs, objsize
	    from slabinfo where snapshot_id = $lastsnap and slab_bytes > 0
	    order by slab_bytes - active_objs * objsize desc, slab_bytes desc,
		cache
	    limit $SLAB_TOP"
	{
		printf '# cache\tslab_bytes\tlive_bytes\twaste_bytes\twaste_pct\tactive_objs\tnum_objs\tobjsize\n'
		cat "$work/slab-waste.rows"
	} >"$work/slab-waste.dat"
	nbars=$(wc -l <"$work/slab-waste.rows" | tr -d ' ')
	top=$(cut -f 2 "$work/slab-waste.rows" | sort -n | tail -n 1)
	unit=$(bytes_unit "$top")
	div=${unit%%"$TAB"*}
	unit=${unit#*"$TAB"}
	plot slab-waste.gp "run$1-slab-waste" "data=$(gpstr "$work/slab-waste.dat");
	    nbars=$nbars; div=$div; unit='$unit';
	    ymax=$(awk -v t="$top" -v d="$div" 'BEGIN { print t / d * 1.15 }');
	    ttl=$(gpstr "slab waste per cache at the end ($nbars most of $nend) - $title")"
}

# log_ticks MIN MAX: tick marks for a logarithmic axis from MIN to MAX at
# 1, 2 and 5 times the powers of ten (1 to 9 times over a short range, the
# powers alone over a long one), as gnuplot's "LABEL" VALUE, ...
log_ticks() {
	awk -v lo="$1" -v hi="$2" '
	function label(v) {
		if (v >= 1e9) return sprintf("%gG", v / 1e9)
		if (v >= 1e6) return sprintf("%gM", v / 1e6)
		if (v >= 1e4) return sprintf("%gk", v / 1e3)
		return sprintf("%g", v)
	}
	BEGIN {
		if (lo <= 0 || hi <= lo)
			exit
		steps = hi / lo > 1e4 ? "1" : hi / lo > 30 ? "1 2 5" : "1 2 3 4 5 6 7 8 9"
		nm = split(steps, m, " ")
		for (k = int(log(lo) / log(10)) - 1; k <= int(log(hi) / log(10)) + 1; k++)
			for (i = 1; i <= nm; i++) {
				v = m[i] * 10 ^ k
				if (v >= lo && v <= hi)
					s = s (s == "" ? "" : ", ") "\"" label(v) "\" " v
			}
		print s
	}'
}

plot_latency() { # RUN
	rows cdf.rows "select h.op, max(h.bucket_low, 1), h.bucket_high,
		1.0 * h.cum_count / l.count
	    from latency_hist h
	    join latency l on l.run_id = h.run_id and l.op = h.op
	    where h.run_id = $1 and l.count > 0
	    order by h.op, h.bucket_low"
	n=$(lead=1 blocks "$work/cdf.dat" <"$work/cdf.rows")
	if [ "$n" -eq 0 ]; then
		note "run $1: no latency histograms; no latency plot"
		return
	fi
	rows cdf.range "select min(max(h.bucket_low, 1)) / 1.25,
		max(h.bucket_high) * 1.25, coalesce(max(l.cpu_mhz), 0)
	    from latency_hist h
	    join latency l on l.run_id = h.run_id and l.op = h.op
	    where h.run_id = $1 and l.count > 0"
	IFS="$TAB" read -r xmin xmax mhz <"$work/cdf.range"
	xt=$(log_ticks "$xmin" "$xmax")
	x2t=
	[ "$mhz" = 0 ] || x2t=$(log_ticks "$(awk -v x="$xmin" -v f="$mhz" \
	    'BEGIN { print x * 1000 / f }')" "$(awk -v x="$xmax" -v f="$mhz" \
	    'BEGIN { print x * 1000 / f }')")
	plot latency-cdf.gp "run$1-latency-cdf" "data=$(gpstr "$work/cdf.dat");
	    nblocks=$n; xmin=$xmin; xmax=$xmax; mhz=$mhz;
	    xt=$(gpstr "$xt"); x2t=$(gpstr "$x2t");
	    ttl=$(gpstr "latency CDF per op - $title")"
}

# range_of FILE COLUMN: "MIN:MAX" of a column of FILE's tab-separated rows,
# widened when MIN = MAX (gnuplot warns of an empty range), or "*:*".
range_of() {
	awk -F '\t' -v c="$2" '
		NF >= c && $c != "" {
			if (!n++ || $c < lo) lo = $c
			if (n == 1 || $c > hi) hi = $c
		}
		END {
			if (!n || lo < hi) { print "*:*"; exit }
			d = lo < 0 ? -lo : lo
			d = d > 0 ? d / 10 : 1
			print (lo - d) ":" (hi + d)
		}' "$1"
}

# sweep_plot KEY NAME YLABEL TITLE YRANGE SQL: SQL gives the rows "trace
# <TAB> value <TAB> metric" of the runs; plot the metric against KEY's
# value, in YRANGE ("MIN:MAX", or empty to fit the data).
sweep_plot() {
	rows sweep.rows "with m(trace, v, y) as ($6)
	    select trace, dense_rank() over (order by
		case when $numeric then cast(v as real) end, v),
		v, avg(y), min(y), max(y)
	    from m group by trace, v order by trace, 2"
	n=$(blocks "$work/sweep.dat" <"$work/sweep.rows")
	if [ "$n" -eq 0 ]; then
		note "sweep: no $4 for the runs that set '$1'; no plot"
		return
	fi
	if [ "$numeric" = 1 ]; then
		xr=$(range_of "$work/sweep.rows" 3)
	else
		xr=$(awk -F '\t' '$2 > n { n = $2 } END { print "0.5:" n + 0.5 }' \
		    "$work/sweep.rows")
	fi
	yr=$5
	if [ -z "$yr" ]; then
		cut -f 5,6 "$work/sweep.rows" | tr '\t' '\n' >"$work/sweep.y"
		yr=$(range_of "$work/sweep.y" 1)
	fi
	plot sweep.gp "sweep-$(safe "$1")-$2" "data=$(gpstr "$work/sweep.dat");
	    nblocks=$n; numeric=$numeric; xr='$xr'; yr='$yr';
	    xlab=$(gpstr "$1"); ylab=$(gpstr "$3"); ttl=$(gpstr "$4 against $1")"
}

plot_sweeps() {
	if ! has_table params; then
		note "no sweep plots: the database has no 'params' table (kmsim-sweep writes it)"
		return
	fi
	keys=$(q "select distinct key from params
	    where run_id in ($run_list) and key not in ('trace', 'seed', 'point')
	    order by key")
	if [ -z "$keys" ]; then
		note "no sweep plots: no swept parameter in the 'params' table for these runs"
		return
	fi
	# The complete runs that set a parameter: run_id, its value v and
	# the trace (as the sweep names it, else its path).
	sweep_runs="select p.run_id as run_id, p.value as v,
		coalesce((select t.value from params t
		    where t.run_id = p.run_id and t.key = 'trace'),
		    r.trace_path) as trace
	    from params p join runs r on r.run_id = p.run_id
	    where r.status = 'complete' and p.run_id in ($run_list)"
	top=0
	for o in $orders; do
		[ "$o" -gt "$top" ] && top=$o
	done
	printf '%s\n' "$keys" >"$work/keys"
	while IFS= read -r key; do
		k=$(sqlstr "$key")
		# Numbers on a linear axis, anything else as labels in order.
		numeric=1
		rows values "select distinct value from params where key = $k
		    and run_id in ($run_list)"
		if awk '!/^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/ { bad = 1 }
		    END { exit !bad }' "$work/values"; then
			numeric=0
		fi
		rows sweep.zones "select distinct f.node, f.zone
		    from ($sweep_runs and p.key = $k) p
		    join snapshots s on s.run_id = p.run_id and s.is_final = 1
		    join fragmentation f on f.snapshot_id = s.snapshot_id
		    order by f.node, $ZONE_RANK"
		while IFS="$TAB" read -r node zone; do
			sweep_plot "$key" "unusable-order$top-node$node-$(safe "$zone")" \
			    "final unusable free space index, order $top" \
			    "final unusable index at order $top, node $node $zone" \
			    -0.02:1.02 "select p.trace, p.v, f.unusable_index
			    from ($sweep_runs and p.key = $k) p
			    join snapshots s on s.run_id = p.run_id and s.is_final = 1
			    join fragmentation f on f.snapshot_id = s.snapshot_id
			    where f.ord = $top and f.node = $node
				and f.zone = $(sqlstr "$zone")"
		done <"$work/sweep.zones"
		sweep_plot "$key" "p99-alloc_pages" "p99 latency of alloc_pages (cycles)" \
		    "p99 latency of alloc_pages" "" \
		    "select p.trace, p.v, l.p99_cycles
		    from ($sweep_runs and p.key = $k) p
		    join latency l on l.run_id = p.run_id
		    where l.op = 'alloc_pages' and l.count > 0"
	done <"$work/keys"
}

# The tables of the page allocator's plots: a database written before
# they existed has none of them, and its runs no rows.
has_pti=0
has_vmstat=0
has_numa=0
has_slab=0
if has_table pagetypeinfo; then
	has_pti=1
else
	note "no pageblock mobility mix plot: the database has no 'pagetypeinfo' table"
fi
if has_table vmstat; then
	has_vmstat=1
else
	note "no fragmentation events plot: the database has no 'vmstat' table"
fi
if has_table slabinfo; then
	has_slab=1
else
	note "no slab memory per cache or slab waste plots: the database has no 'slabinfo' table"
fi
if has_table numa_allocs; then
	has_numa=1
else
	for r in $runs; do
		if [ "$(run_nodes "$r")" -gt 1 ]; then
			note "no node-pair heat map: the database has no 'numa_allocs' table"
			break
		fi
	done
fi

for r in $runs; do
	title=$(run_title "$r")
	if [ "$(q "select count(*) from snapshots where run_id = $r")" = 0 ]; then
		note "run $r: no snapshots; no fragmentation, free block, pageblock, event or slab plots"
	else
		plot_fragindex "$r" unusable unusable_index \
		    "unusable free space index"
		plot_fragindex "$r" extfrag extfrag_index "fragmentation index"
		plot_buddyinfo "$r"
		[ "$has_pti" = 0 ] || plot_pagetypeinfo "$r"
		[ "$has_vmstat" = 0 ] || plot_frag_events "$r"
		[ "$has_slab" = 0 ] || plot_slab "$r"
		if [ "$has_vmstat" = 1 ]; then
			page=$(q "select coalesce((select json_extract(config_json,
			    '\$.machine.page_size') from runs where run_id = $r
			    and json_valid(config_json)), 4096)")
			plot_writeback "$r"
		fi
	fi
	[ "$has_numa" = 0 ] || plot_numa "$r"
	plot_latency "$r"
done

[ -z "$FUTURE_PLOTS" ] ||
echo "$FUTURE_PLOTS" | while IFS='|' read -r table what; do
	if has_table "$table"; then
		note "no $what plot: this $prog does not read the '$table' table yet"
	else
		note "no $what plot: the database has no '$table' table"
	fi
done

plot_sweeps

exit "$failed"
