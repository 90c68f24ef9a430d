#!/bin/sh
# kmsim-report - one self-contained HTML page about the runs of a kmsim
# results database.
#
# Writes, per run, a summary table (configuration, trace and its SHA-256,
# mode, events, simulated and wall time), the latency percentiles per op,
# the failed allocations, the final unusable free space index per zone, the
# event counters (vmstat) that are not 0 at the last snapshot, the
# allocations per node pair, the slab caches with the most slab memory at
# the last snapshot, the slab and percpu allocators' counters, the page
# cache's counters and its writers' throttling, the replay
# fidelity and trace statistics when the run has them, and the plots
# of kmsim-plot(1), which it runs with --format svg and inlines: the page
# references no other file.  Every text from the database is escaped.  The
# page is HTML5 in its XML-compatible form, so XML tools read it too.
# See kmsim-report(1).

version='@VERSION@'
prog=kmsim-report
TAB=$(printf '\t')

usage() {
	cat <<EOF
usage: $prog DB -o FILE [--run ID]... [-q]
       $prog -h | -V

Write an HTML report on the runs of the kmsim results database DB to FILE:
a summary of each run, its latency percentiles, failures, final
fragmentation, event counters, allocations per node pair, slab caches and
counters, replay fidelity and trace statistics, and the plots of
kmsim-plot inlined as SVG.

  -o, --output FILE       the HTML file to write
  -r, --run ID            report this run (repeatable; default: every run)
  -q, --quiet             print nothing but errors
  -h, --help              print this help and exit
  -V, --version           print the version and exit
EOF
}

# The messages and the options kmsim-plot and kmsim-report share.
. "$(dirname -- "$0")/kmsim-args.sh" # KMSIM_ARGS

### Options

own_option() {
	:
}

parse_args "$@"
[ "$have_out" = 1 ] || usage_error "no output file given (-o FILE)"
[ -n "$out" ] || usage_error "empty output file name"

### Tools

sqlite=${SQLITE3:-sqlite3}
command -v "$sqlite" >/dev/null 2>&1 ||
	die "sqlite3 not found: '$sqlite' (install sqlite3, or set SQLITE3)"
gnuplot=${GNUPLOT:-gnuplot}
command -v "$gnuplot" >/dev/null 2>&1 ||
	die "gnuplot not found: '$gnuplot' (install gnuplot, or set GNUPLOT)"

# kmsim-plot: beside this script (built or in the source tree), else on PATH.
here=$(dirname -- "$0")
plotter=${KMSIM_PLOT:-}
if [ -z "$plotter" ]; then
	for p in "$here/kmsim-plot" "$here/kmsim-plot.sh"; do
		if [ -f "$p" ]; then
			plotter=$p
			break
		fi
	done
fi
[ -n "$plotter" ] || plotter=$(command -v kmsim-plot) ||
	die "kmsim-plot not found (install it, or set KMSIM_PLOT)"

### The database


open_db

# has_table NAME: the database has the table NAME (an older one may lack
# the tables added to its schema version since).
has_table() {
	[ "$(q "select count(*) from sqlite_master where type = 'table'
	    and name = '$1'")" = 1 ]
}
has_vmstat=0
has_table vmstat && has_vmstat=1
has_numa=0
has_table numa_allocs && has_numa=1
has_slab=0
has_table slabinfo && has_slab=1
# The slab caches the table of each run names (kmsim-plot's top caches).
SLAB_TOP=10

### The output file: written beside its place, then renamed into it

if [ -d "$out" ]; then
	die "'$out' is a directory"
fi
outdir=$(dirname -- "$out")
[ -d "$outdir" ] || die "cannot write '$out': no directory '$outdir'"
part=$outdir/.kmsim-report.$$.tmp
{ : >"$part"; } 2>/dev/null || die "cannot write '$out'"

work=$(mktemp -d "${TMPDIR:-/tmp}/kmsim-report.XXXXXX") || {
	rm -f -- "$part"
	die "cannot create a temporary directory"
}
trap 'rm -rf "$work"; rm -f -- "$part"' EXIT
trap 'exit 130' INT TERM HUP

### The plots

set --
for r in $runs; do
	set -- "$@" --run "$r"
done
# The source tree's kmsim-plot.sh need not be executable.
run_plotter() {
	if [ -x "$plotter" ]; then
		"$plotter" "$@"
	else
		sh "$plotter" "$@"
	fi
}
if ! run_plotter "$db" --format svg -o "$work/plots" "$@" \
    >"$work/plots.list" 2>"$work/plots.err" </dev/null; then
	note "kmsim-plot failed:"
	cat "$work/plots.err" >&2
	exit 1
fi
[ "$quiet" = 1 ] || cat "$work/plots.err" >&2

### HTML

# h SQL: SQL that escapes the value of SQL for HTML (NULL as nothing).
h() {
	printf "replace(replace(replace(replace(coalesce(%s, ''), '&', '&amp;'),
	    '<', '&lt;'), '>', '&gt;'), '\"', '&quot;')" "$1"
}

# esc: escape standard input for HTML.
esc() {
	sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g'
}

# num SQL: an integer with thousands separators, nothing for NULL.
num() {
	printf "coalesce(printf('%%,d', %s), '')" "$1"
}

# html SQL: run SQL (it builds the HTML) into the page.
html() {
	q "$1" >>"$work/page" || die "cannot read '$db'"
}

# figure FILE: FILE, an SVG of kmsim-plot, inlined: the XML declaration
# dropped and its ids (and references to them) made unique in the page.
nfig=0
figure() {
	nfig=$((nfig + 1))
	name=$(basename -- "$1" .svg | esc)
	{
		echo '<figure>'
		sed -e '/^<?xml /d' -e '/^<!DOCTYPE/d' \
		    -e "s/ id=\\([\"']\\)/ id=\\1f$nfig-/g" \
		    -e "s/href=\\([\"']\\)#/href=\\1#f$nfig-/g" \
		    -e "s/url(#/url(#f$nfig-/g" \
		    -e "s|<title>Gnuplot</title>|<title>$name</title>|" "$1"
		printf '<figcaption>%s.svg</figcaption>\n</figure>\n' "$name"
	} >>"$work/page"
}

# table H3 HEAD EMPTY SQL: a table headed H3 of the rows SQL builds under
# the table head HEAD; with no rows, the paragraph EMPTY under H3, or
# nothing at all if EMPTY is empty.
table() {
	q "$4" >"$work/rows" || die "cannot read '$db'"
	if [ -s "$work/rows" ]; then
		printf '<h3>%s</h3>\n<table>\n<thead>%s</thead>\n<tbody>\n' \
		    "$1" "$2" >>"$work/page"
		cat "$work/rows" >>"$work/page"
		echo '</tbody></table>' >>"$work/page"
	elif [ -n "$3" ]; then
		printf '<h3>%s</h3>\n<p>%s</p>\n' "$1" "$3" >>"$work/page"
	fi
}

dbname=$(printf '%s' "$db" | esc)
now=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
nruns=$(echo "$runs" | wc -w | tr -d ' ')
: >"$work/page"
cat >>"$work/page" <<EOF
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" lang="en">
<head>
<meta charset="utf-8"/>
<meta name="generator" content="kmsim-report $version"/>
<title>kmsim report: $dbname</title>
<style>
body { font-family: sans-serif; margin: 2em auto; max-width: 1000px; padding: 0 1em; color: #222; }
h1, h2, h3 { font-weight: 600; }
h2 { border-bottom: 1px solid #ccc; padding-bottom: 0.2em; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: left; vertical-align: top; }
thead th { background: #f0f0f0; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.remote td { background: #fff4e5; }
table.kv th { background: #f7f7f7; font-weight: normal; white-space: nowrap; }
code, .hash { font-family: monospace; word-break: break-all; }
.complete { color: #1a7f37; } .failed, .interrupted { color: #b42318; } .running { color: #9a6700; }
figure { margin: 1em 0; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 0.85em; color: #555; }
</style>
</head>
<body>
<h1>kmsim report</h1>
<p>Database <code>$dbname</code>: $nruns run(s), written by kmsim-report $version on $now.</p>
<h2 id="runs">Runs</h2>
<table>
<thead><tr><th>run</th><th>status</th><th>config</th><th>trace</th><th>mode</th><th>events</th><th>simulated time (ms)</th><th>wall time (s)</th></tr></thead>
<tbody>
EOF
html "select '<tr class=\"run\"><td><a href=\"#run-' || run_id || '\">' || run_id
	|| '</a></td><td class=\"' || $(h status) || '\">' || $(h status)
	|| '</td><td>' || $(h "coalesce(json_extract(config_json, '\$.name'), config_path)")
	|| '</td><td><code>' || $(h trace_path)
	|| '</code></td><td>' || $(h mode)
	|| '</td><td class=\"n\">' || $(num events)
	|| '</td><td class=\"n\">' || coalesce(printf('%.3f', sim_ns / 1e6), '')
	|| '</td><td class=\"n\">' || coalesce(printf('%.2f', wall_seconds), '')
	|| '</td></tr>'
    from runs where run_id in ($run_list) order by run_id"
echo '</tbody></table>' >>"$work/page"

for r in $runs; do
	printf '<section id="run-%s">\n<h2>Run %s</h2>\n' "$r" "$r" >>"$work/page"
	echo '<table class="kv"><tbody>' >>"$work/page"
	html "select '<tr><th>' || k || '</th><td>' || v || '</td></tr>' from (
	    select 1 as i, 'run id' as k, run_id as v from runs where run_id = $r
	    union all select 2, 'status', '<span class=\"' || $(h status) || '\">'
		|| $(h status) || '</span>' from runs where run_id = $r
	    union all select 3, 'error', $(h error) from runs
		where run_id = $r and error is not null
	    union all select 4, 'config name',
		$(h "json_extract(config_json, '\$.name')") from runs where run_id = $r
	    union all select 5, 'config path', '<code>' || $(h config_path)
		|| '</code>' from runs where run_id = $r
	    union all select 6, 'trace path', '<code>' || $(h trace_path)
		|| '</code>' from runs where run_id = $r
	    union all select 7, 'trace SHA-256', '<span class=\"hash\">'
		|| $(h trace_sha256) || '</span>' from runs where run_id = $r
	    union all select 8, 'trace format', $(h trace_format)
		from runs where run_id = $r
	    union all select 9, 'mode', $(h mode) from runs where run_id = $r
	    union all select 10, 'events', $(num events) from runs where run_id = $r
	    union all select 11, 'simulated time', coalesce(printf('%.3f ms', sim_ns / 1e6)
		|| ' (' || printf('%,d', sim_cycles) || ' cycles)', '')
		from runs where run_id = $r
	    union all select 12, 'wall time', coalesce(printf('%.3f s', wall_seconds), '')
		from runs where run_id = $r
	    union all select 13, 'started', coalesce(datetime(start_time, 'unixepoch')
		|| ' UTC', '') from runs where run_id = $r
	    union all select 14, 'kmsim version', $(h kmsim_version)
		from runs where run_id = $r
	    union all select 15, 'command line', '<code>' || $(h command_line)
		|| '</code>' from runs where run_id = $r
	) order by i"
	echo '</tbody></table>' >>"$work/page"

	table 'Latency in cycles (nanoseconds)' \
	    '<tr><th>op</th><th>count</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th></tr>' \
	    'No operation has a latency.' \
	    "select '<tr><td>' || $(h op) || '</td><td class=\"n\">' || $(num count)
	    || group_concat('</td><td class=\"n\">' || coalesce(printf('%,d', c)
		|| coalesce(' (' || printf('%,d', ns) || ' ns)', ''), ''), '')
	    || '</td></tr>'
	    from (select op, count, p.i,
		case p.i when 1 then p50_cycles when 2 then p90_cycles
		    when 3 then p99_cycles when 4 then p999_cycles
		    else max_cycles end as c,
		case p.i when 1 then p50_ns when 2 then p90_ns
		    when 3 then p99_ns when 4 then p999_ns else max_ns end as ns
		from latency l, (select 1 as i union all select 2 union all
		    select 3 union all select 4 union all select 5) p
		where l.run_id = $r and l.count > 0 order by op, p.i)
	    group by op order by op"

	table 'Failed allocations' \
	    '<tr><th>order</th><th>gfp flags</th><th>preferred node</th><th>failures</th></tr>' \
	    'No allocation failed.' \
	    "select '<tr><td class=\"n\">' || ord || '</td><td><code>' || $(h gfp)
	    || '</code></td><td class=\"n\">' || node || '</td><td class=\"n\">'
	    || $(num count) || '</td></tr>'
	    from failures where run_id = $r order by ord, gfp, node"

	table 'Fragmentation at the last snapshot' \
	    '<tr><th>node</th><th>zone</th><th>free pages</th><th>managed pages</th><th>unusable index, order 3</th><th>unusable index, order 9</th></tr>' \
	    'The run has no snapshot.' \
	    "select '<tr><td class=\"n\">' || z.node || '</td><td>' || $(h z.zone)
	    || '</td><td class=\"n\">' || $(num z.free_pages)
	    || '</td><td class=\"n\">' || $(num z.managed_pages)
	    || '</td><td class=\"n\">' || coalesce((select printf('%.3f', unusable_index)
		from fragmentation f where f.snapshot_id = z.snapshot_id
		and f.node = z.node and f.zone = z.zone and f.ord = 3), '')
	    || '</td><td class=\"n\">' || coalesce((select printf('%.3f', unusable_index)
		from fragmentation f where f.snapshot_id = z.snapshot_id
		and f.node = z.node and f.zone = z.zone and f.ord = 9), '')
	    || '</td></tr>'
	    from zones z
	    where z.snapshot_id = (select snapshot_id from snapshots
		where run_id = $r order by seq desc limit 1)
	    order by z.node, z.zone_start_pfn"
	final=$(q "select is_final from snapshots where run_id = $r
	    order by seq desc limit 1")
	[ "$final" != 0 ] || echo '<p>The last snapshot is not final: the run did not end.</p>' >>"$work/page"

	# The cumulative event counters at the last snapshot, those above 0.
	if [ "$has_vmstat" = 1 ]; then
		last="(select snapshot_id from snapshots
		    where run_id = $r order by seq desc limit 1)"
		empty=
		[ "$(q "select count(*) from vmstat
		    where snapshot_id = $last")" = 0 ] ||
			empty='No event was counted: every counter is 0.'
		table 'Event counters at the last snapshot (vmstat, those above 0)' \
		    '<tr><th>counter</th><th>events</th></tr>' "$empty" \
		    "select '<tr><td><code>' || $(h name)
			|| '</code></td><td class=\"n\">' || $(num value)
			|| '</td></tr>'
		    from vmstat where snapshot_id = $last and value > 0
		    order by name"
	fi

	if [ "$has_numa" = 1 ]; then
		table 'Allocations per node pair' \
		    '<tr><th>requesting node</th><th>serving node</th><th>allocations</th><th>share of the requesting node&#8217;s allocations</th></tr>' \
		    '' \
		    "select '<tr class=\"' || case when from_node = to_node
			then 'local' else 'remote' end || '\"><td class=\"n\">'
			|| from_node || '</td><td class=\"n\">' || to_node
			|| '</td><td class=\"n\">' || $(num count)
			|| '</td><td class=\"n\">' || printf('%.1f%%', 100.0 * count
			    / sum(count) over (partition by from_node))
			|| '</td></tr>'
		    from numa_allocs where run_id = $r
		    order by from_node, to_node"
	fi

	if [ "$has_slab" = 1 ]; then
		# The caches with the most slab memory at the last snapshot,
		# and all of them together.
		last="(select snapshot_id from snapshots
		    where run_id = $r order by seq desc limit 1)"
		nslab=$(q "select count(*) from slabinfo where snapshot_id = $last")
		# (a sum over one cache in its row, over all in the total)
		waste="case when sum(slab_bytes) > 0 then printf('%.1f%%',
		    100.0 * (sum(slab_bytes) - sum(active_objs * objsize))
		    / sum(slab_bytes)) else '' end"
		heading='Slab caches at the last snapshot'
		[ "$nslab" -le "$SLAB_TOP" ] ||
			heading="$heading (the $SLAB_TOP with the most slab memory, of $nslab)"
		table "$heading" \
		    '<tr><th>cache</th><th>active / num objs</th><th>objsize (bytes)</th><th>slabs</th><th>pages</th><th>slab memory (KiB)</th><th>waste (share of the slab memory not in live objects)</th></tr>' \
		    '' \
		    "select '<tr class=\"' || k || '\"><td>' || c
			|| '</td><td class=\"n\">' || a || ' / ' || n
			|| '</td><td class=\"n\">' || o
			|| '</td><td class=\"n\">' || sl
			|| '</td><td class=\"n\">' || pg
			|| '</td><td class=\"n\">' || kib
			|| '</td><td class=\"n\">' || w || '</td></tr>'
		    from (select * from (select 0 as i, 'cache' as k,
			'<code>' || $(h cache) || '</code>' as c,
			$(num active_objs) as a, $(num num_objs) as n,
			$(num objsize) as o, $(num num_slabs) as sl,
			$(num "num_slabs * pagesperslab") as pg,
			printf('%.1f', slab_bytes / 1024.0) as kib, $waste as w,
			slab_bytes as b
			from slabinfo where snapshot_id = $last
			group by cache
			order by slab_bytes desc, cache limit $SLAB_TOP)
		    union all select 1, 'total', 'all $nslab caches',
			$(num "sum(active_objs)"), $(num "sum(num_objs)"), '',
			$(num "sum(num_slabs)"),
			$(num "sum(num_slabs * pagesperslab)"),
			printf('%.1f', sum(slab_bytes) / 1024.0), $waste, 0
			from slabinfo where snapshot_id = $last
			having count(*) > 0)
		    order by i, b desc, c"
	fi

	for kind in slab pagecache writer replay.fidelity trace; do
		case $kind in
		trace) heading='Trace statistics' ;;
		slab) heading='Slab and percpu allocators' ;;
		pagecache) heading='Page cache and writeback' ;;
		writer) heading='Writers throttled by balance_dirty_pages()' ;;
		*) heading='Replay fidelity' ;;
		esac
		table "$heading" '<tr><th>counter</th><th>value</th></tr>' '' \
		    "select '<tr><td><code>'
			|| $(h "substr(name, length('$kind.') + 1)")
			|| '</code></td><td class=\"n\">' || case
			when value is null then ''
			when value = cast(value as integer) then printf('%,d', value)
			else printf('%.3f', value) end || '</td></tr>'
		    from counters where run_id = $r and name like '$kind.%'
		    order by name"
	done

	echo '<h3>Plots</h3>' >>"$work/page"
	n=0
	while IFS= read -r f; do
		case ${f##*/} in
		"run$r-"*.svg) figure "$f"; n=$((n + 1)) ;;
		esac
	done <"$work/plots.list"
	[ "$n" -gt 0 ] || echo '<p>No plot.</p>' >>"$work/page"
	echo '</section>' >>"$work/page"
done

if grep -q '/sweep-[^/]*\.svg$' "$work/plots.list"; then
	printf '<section id="sweep">\n<h2>Sweep</h2>\n' >>"$work/page"
	echo '<p>Each point is the mean over the runs with that trace and value; its bar spans their minimum and maximum.</p>' >>"$work/page"
	while IFS= read -r f; do
		case ${f##*/} in
		sweep-*.svg) figure "$f" ;;
		esac
	done <"$work/plots.list"
	echo '</section>' >>"$work/page"
fi

if [ -s "$work/plots.err" ]; then
	printf '<section id="not-plotted">\n<h2>Not plotted</h2>\n<ul>\n' >>"$work/page"
	sed 's/^kmsim-plot: //' "$work/plots.err" | esc |
	    sed 's|.*|<li>&</li>|' >>"$work/page"
	printf '</ul>\n</section>\n' >>"$work/page"
fi
printf '</body>\n</html>\n' >>"$work/page"

# C0 controls (but tab, newline, carriage return) are not allowed in HTML.
tr -d '\000-\010\013\014\016-\037' <"$work/page" >"$part" ||
	die "cannot write '$out'"
mv -f -- "$part" "$out" || die "cannot write '$out'"
[ "$quiet" = 1 ] || printf '%s\n' "$out"
exit 0
