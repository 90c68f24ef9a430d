# t7000-plot: kmsim-plot draws every plot of a database (a simulated run,
# a replayed capture and a run on a NUMA machine) as PNG and SVG, gnuplot
# exits 0 for each and is given the right data (pageblocks per migratetype,
# fragmentation events, allocations per node pair, slab memory per cache
# and the slab caches' waste), --run and --orders
# choose what is drawn, plots without data (an older database) are
# announced, a sweep's params table gives the sweep plots, and every error
# is reported as "kmsim-plot: message" with exit 1 (usage errors exit 2).
. "$top_srcdir/tests/lib.sh"
need_sqlite3
[ -n "$GNUPLOT" ] || skip_all "gnuplot not found"
: "${KMSIM_PLOT:=$top_builddir/kmsim-plot}"
KMSIM_ANALYSIS_DIR=$top_srcdir/analysis
export GNUPLOT SQLITE3 KMSIM_ANALYSIS_DIR
plot=$KMSIM_PLOT
db=$tmp/s.db

check "kmsim-plot is built" test -x "$plot"

### Usage

ok_run "--help exits 0" "$plot" --help
check "--help prints the usage" grep -q '^usage: kmsim-plot DB -o DIR' "$tmp/out"
ok_run "-V exits 0" "$plot" -V
check "-V prints the version" grep -Eq '^kmsim-plot [0-9]' "$tmp/out"
expect_fail "no database" 2 "^kmsim-plot: no database given" "$plot" -o "$tmp/p"
check "a usage error prints the usage" grep -q '^usage: ' "$tmp/err"
expect_fail "no output directory" 2 "no output directory given" "$plot" "$db"
expect_fail "-o without its argument" 2 "option '-o' needs an argument" \
    "$plot" "$db" -o
expect_fail "unknown option" 2 "unknown option '--bogus'" \
    "$plot" "$db" --bogus -o "$tmp/p"
expect_fail "unknown format" 2 "unknown format 'jpeg'" \
    "$plot" "$db" --format jpeg -o "$tmp/p"
expect_fail "a run id that is not a number" 2 "run id 'x' is not a positive number" \
    "$plot" "$db" --run x -o "$tmp/p"
expect_fail "an order that is not a number" 2 "order 'three' is not a number" \
    "$plot" "$db" --orders 3,three -o "$tmp/p"
expect_fail "two databases" 2 "more than one database given" \
    "$plot" "$db" "$db" -o "$tmp/p"

### A database with a simulated run, a replayed capture, a NUMA run and a
### run of slab ops

# Run 3: nine allocations on the four nodes of numa4.yaml, six asking for
# node 0 and three for node 2, spread over the nodes by the interleave
# policy, round robin from node 0: node 0's go to nodes 0 1 2 3 0 1,
# node 2's to nodes 2 3 0.
cat >"$tmp/numa.yaml" <<'EOF'
kmsim-trace: 1
name: numa-spread
ops:
  - repeat: 6
    ops:
      - {op: alloc_pages, id: "a${i}", order: 0, gfp: GFP_KERNEL, node: 0}
  - repeat: 3
    ops:
      - {op: alloc_pages, id: "b${i}", order: 1, gfp: GFP_KERNEL, node: 2, cpu: 8}
EOF
ok_run "run 1: a simulation" "$KMSIM" --config "$configs/tiny.yaml" \
    --trace "$fixtures/run/fill-free.yaml" --db "$db" --quiet
ok_run "run 2: a replayed capture" "$KMSIM" --config auto \
    --trace "$fixtures/bundle-small" --db "$db" --quiet
ok_run "run 3: four nodes, interleaved" "$KMSIM" --config "$configs/numa4.yaml" \
    --set vm.mempolicy.mode=interleave --trace "$tmp/numa.yaml" --db "$db" --quiet
# Run 4: two caches of its own and eleven kmalloc size classes, 13 slab
# caches in all, some of their objects freed; a snapshot every 5 us, so
# the run (about 9 us) has three.
cat >"$tmp/slab.yaml" <<'EOF'
kmsim-trace: 1
name: slab-caches
ops:
  - {op: kmem_cache_create, cache: test_obj, size: 600, flags: SLAB_NO_MERGE}
  - {op: kmem_cache_create, cache: test_small, size: 40, flags: SLAB_NO_MERGE}
  - repeat: 40
    ops:
      - {op: kmem_cache_alloc, cache: test_obj, id: "o${i}"}
  - repeat: 100
    ops:
      - {op: kmem_cache_alloc, cache: test_small, id: "s${i}"}
  - repeat: 20
    ops:
      - {op: kmalloc, size: 8, id: "a${i}"}
      - {op: kmalloc, size: 16, id: "b${i}"}
      - {op: kmalloc, size: 32, id: "c${i}"}
      - {op: kmalloc, size: 64, id: "d${i}"}
      - {op: kmalloc, size: 96, id: "e${i}"}
      - {op: kmalloc, size: 100, id: "f${i}"}
      - {op: kmalloc, size: 192, id: "g${i}"}
      - {op: kmalloc, size: 256, id: "h${i}"}
      - {op: kmalloc, size: 500, id: "j${i}"}
      - {op: kmalloc, size: 1000, id: "k${i}"}
      - {op: kmalloc, size: 2048, id: "l${i}"}
  - repeat: 10
    ops:
      - {op: kfree, id: "f${i}"}
      - {op: kmem_cache_free, id: "o${i}"}
EOF
ok_run "run 4: slab caches" "$KMSIM" --config "$configs/tiny.yaml" \
    --set metrics.snapshot_interval_ms=0.005 --trace "$tmp/slab.yaml" \
    --db "$db" --quiet
sum_before=$(cksum <"$db")

# A gnuplot that logs its exit status, to see every plot's, and keeps the
# data file of each plot (the data='FILE' of its -e) as data/NAME.dat, NAME
# the plot's file name without its extension.
mkdir "$tmp/data"
{
	echo '#!/bin/sh'
	echo "real='$GNUPLOT' keep='$tmp/data' log='$tmp/gnuplot.log'"
	cat <<'EOF'
for a; do
	case $a in
	*"data='"*)
		d=$(printf '%s\n' "$a" | sed -n "s/.*data='\([^']*\)'.*/\1/p" | head -n 1)
		o=$(printf '%s\n' "$a" | sed -n "s/.*out='\([^']*\)'.*/\1/p" | head -n 1)
		o=${o##*/}
		cp "$d" "$keep/${o%.*}.dat"
		;;
	esac
done
"$real" "$@"
rc=$?
echo "$rc" >>"$log"
exit "$rc"
EOF
} >"$tmp/gnuplot"
chmod +x "$tmp/gnuplot"

ok_run "plots as PNG and SVG" env GNUPLOT="$tmp/gnuplot" \
    "$plot" "$db" --format both -o "$tmp/p"
cp "$tmp/out" "$tmp/list"
cp "$tmp/err" "$tmp/notes"
# Run 2, a replay, counts no fragmentation event (no plot of them); runs
# 1, 2 and 4 have one node (no node-pair heat map); only run 4 has slab
# caches (the slab plots).
expected='run1-buddyinfo-node0-DMA
run1-buddyinfo-node0-DMA32
run1-extfrag
run1-frag-events
run1-latency-cdf
run1-pagetypeinfo-node0-DMA
run1-pagetypeinfo-node0-DMA32
run1-unusable
run2-buddyinfo-node0-DMA
run2-buddyinfo-node0-DMA32
run2-buddyinfo-node0-Normal
run2-extfrag
run2-latency-cdf
run2-pagetypeinfo-node0-DMA
run2-pagetypeinfo-node0-DMA32
run2-pagetypeinfo-node0-Normal
run2-unusable
run3-buddyinfo-node0-DMA
run3-buddyinfo-node0-DMA32
run3-buddyinfo-node0-Normal
run3-buddyinfo-node1-Normal
run3-buddyinfo-node2-Normal
run3-buddyinfo-node3-Normal
run3-extfrag
run3-frag-events
run3-latency-cdf
run3-numa-allocs
run3-pagetypeinfo-node0-DMA
run3-pagetypeinfo-node0-DMA32
run3-pagetypeinfo-node0-Normal
run3-pagetypeinfo-node1-Normal
run3-pagetypeinfo-node2-Normal
run3-pagetypeinfo-node3-Normal
run3-unusable
run4-buddyinfo-node0-DMA
run4-buddyinfo-node0-DMA32
run4-extfrag
run4-frag-events
run4-latency-cdf
run4-pagetypeinfo-node0-DMA
run4-pagetypeinfo-node0-DMA32
run4-slab-memory
run4-slab-waste
run4-unusable'
expect_eq "one PNG per plot and run" "$expected" \
    "$(cd "$tmp/p" && ls *.png | sed 's/\.png$//')"
expect_eq "one SVG per plot and run" "$expected" \
    "$(cd "$tmp/p" && ls *.svg | sed 's/\.svg$//')"
expect_eq "the files written are listed, one per line" \
    "$(cd "$tmp/p" && ls | sed "s#^#$tmp/p/#")" "$(sort "$tmp/list")"
expect_eq "gnuplot ran for every plot (2 terminal checks, 88 files)" 90 \
    "$(wc -l <"$tmp/gnuplot.log" | tr -d ' ')"
expect_eq "gnuplot exited 0 every time" 0 "$(grep -cv '^0$' "$tmp/gnuplot.log" || true)"
empty=
for f in "$tmp"/p/*; do
	[ -s "$f" ] || empty="$empty $f"
done
expect_eq "no file is empty" "" "$empty"
bad=
for f in "$tmp"/p/*.png; do
	[ "$(head -c 8 "$f" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
		bad="$bad $f"
done
expect_eq "every PNG starts with the PNG signature" "" "$bad"
bad=
for f in "$tmp"/p/*.svg; do
	grep -q '<svg' "$f" || bad="$bad $f"
done
expect_eq "every SVG has an svg element" "" "$bad"
if command -v xmllint >/dev/null 2>&1; then
	check "every SVG is well-formed XML" xmllint --noout "$tmp"/p/*.svg
else
	tap_n=$((tap_n + 1))
	echo "ok $tap_n # SKIP xmllint not found: SVG well-formedness"
fi
check "the unusable index plot names the orders 3 and 9" \
    grep -q 'node 0 DMA32, order 9' "$tmp/p/run1-unusable.svg"
check "... and order 3" grep -q 'node 0 DMA32, order 3' "$tmp/p/run1-unusable.svg"
check "its axes are labelled with units" \
    grep -q 'simulated time (ms)' "$tmp/p/run1-unusable.svg"
check "the latency plot has a line per op" \
    grep -q 'mm_page_pcpu_drain' "$tmp/p/run2-latency-cdf.svg"
check "the latency axis is in cycles" \
    grep -q 'latency (cycles, log scale)' "$tmp/p/run2-latency-cdf.svg"
check "the heat map's colour scale is labelled" \
    grep -q 'free blocks (nr_free, log scale' "$tmp/p/run2-buddyinfo-node0-Normal.svg"

# The pageblocks per migratetype: the data of node 0 DMA32 of run 1 (24
# pageblocks of 2 MiB), a row per snapshot with a column per type that
# owns a pageblock at some snapshot.  At time 0 every pageblock is
# movable, as the kernel leaves them at boot; the trace's GFP_KERNEL
# allocations then claim one for Unmovable; the types add up to 24.
tab=$(printf '\t')
d=$tmp/data/run1-pagetypeinfo-node0-DMA32.dat
check "the pageblock plot's data was kept" test -s "$d"
expect_eq "its header: time, the types that own a pageblock, mixed" \
    "# ms${tab}Unmovable${tab}Movable${tab}mixed" "$(head -n 1 "$d")"
expect_eq "its first row: time 0, every pageblock movable, none mixed" \
    "0.0${tab}0${tab}24${tab}0" "$(sed -n 2p "$d")"
expect_eq "a row per snapshot of the run" \
    "$(sql "$db" "select count(*) from snapshots where run_id = 1")" \
    "$(grep -vc '^#' "$d")"
expect_eq "in every row the types add up to the zone's 24 pageblocks" "" \
    "$(awk -F '\t' '!/^#/ && $2 + $3 != 24' "$d")"
check "the last row has an Unmovable pageblock" \
    test "$(tail -n 1 "$d" | cut -f 2)" -ge 1
expect_eq "every row is the run's pagetypeinfo at its snapshot" \
    "$(sql "$db" "select s.sim_ns / 1e6,
	(select pageblocks from pagetypeinfo p where p.snapshot_id = s.snapshot_id
	    and p.node = 0 and p.zone = 'DMA32' and p.migratetype = 'Unmovable'),
	(select pageblocks from pagetypeinfo p where p.snapshot_id = s.snapshot_id
	    and p.node = 0 and p.zone = 'DMA32' and p.migratetype = 'Movable'),
	(select sum(mixed) from pagetypeinfo p where p.snapshot_id = s.snapshot_id
	    and p.node = 0 and p.zone = 'DMA32')
    from snapshots s where s.run_id = 1 order by s.seq")" \
    "$(grep -v '^#' "$d" | tr '\t' '|')"
expect_eq "the DMA zone's 8 pageblocks stay movable" \
    "# ms${tab}Movable${tab}mixed" \
    "$(head -n 1 "$tmp/data/run1-pagetypeinfo-node0-DMA.dat")"
svg=$tmp/p/run1-pagetypeinfo-node0-DMA32.svg
check "the pageblock plot's title names the zone, the run and its config" \
    grep -q 'pageblocks per migratetype, node 0 DMA32 - run 1: tiny.yaml, fill-free.yaml' "$svg"
check "... its axes are labelled" grep -q 'pageblocks (stacked by migratetype)' "$svg"
check "... with time in ms" grep -q 'simulated time (ms)' "$svg"
check "... its key names the types" grep -q '>Unmovable<' "$svg"
check "... and the line of mixed pageblocks" grep -q 'mixed pageblocks (all types)' "$svg"

# The fragmentation events: the run's cumulative vmstat counters, a row
# per snapshot.  fill-free.yaml's GFP_KERNEL allocations fall back to a
# movable block at least once.
d=$tmp/data/run1-frag-events.dat
expect_eq "the events plot's header names its six counters" \
    "# ms${tab}extfrag_fallback${tab}extfrag_fragmenting${tab}compact_stall${tab}compact_success${tab}pgmigrate_success${tab}kswapd_wake" \
    "$(head -n 1 "$d")"
expect_eq "its first row: time 0, nothing counted yet" \
    "0.0${tab}0${tab}0${tab}0${tab}0${tab}0${tab}0" "$(sed -n 2p "$d")"
q_vm() {
	printf "(select value from vmstat v where v.snapshot_id = s.snapshot_id
	    and v.name = '%s')" "$1"
}
expect_eq "every row is the run's vmstat at its snapshot" \
    "$(sql "$db" "select s.sim_ns / 1e6, $(q_vm extfrag_fallback),
	$(q_vm extfrag_fragmenting), $(q_vm compact_stall),
	$(q_vm compact_success), $(q_vm pgmigrate_success), $(q_vm kswapd_wake)
    from snapshots s where s.run_id = 1 order by s.seq")" \
    "$(grep -v '^#' "$d" | tr '\t' '|')"
fallbacks=$(tail -n 1 "$d" | cut -f 2)
expect_eq "the last row's fallbacks are the run's final vmstat.extfrag_fallback" \
    "$(sql "$db" "select cast(value as integer) from counters
	where run_id = 1 and name = 'vmstat.extfrag_fallback'")" "$fallbacks"
check "... at least 1" test "$fallbacks" -ge 1
svg=$tmp/p/run1-frag-events.svg
# Each counter is drawn with its final count in the key, or, if it stayed
# at 0, named among those that did.
head -n 1 "$d" | tr '\t' '\n' | sed 1d >"$tmp/fe.names"
tail -n 1 "$d" | tr '\t' '\n' | sed 1d >"$tmp/fe.finals"
paste "$tmp/fe.names" "$tmp/fe.finals" >"$tmp/fe.pairs"
zeros=$(awk -F '\t' '$2 == 0 { s = s (s == "" ? "" : ", ") $1 } END { print s }' \
    "$tmp/fe.pairs")
if [ -n "$zeros" ]; then
	check "... the counters that stayed at 0 are named as such" \
	    grep -q "0 throughout: $zeros<" "$svg"
else
	check "... no counter stayed at 0, and none is named so" \
	    sh -c "! grep -q '0 throughout' '$svg'"
fi
bad=
while IFS="$tab" read -r name final; do
	[ "$final" = 0 ] || grep -q ">$name ($final)<" "$svg" || bad="$bad $name"
done <"$tmp/fe.pairs"
expect_eq "the key gives each drawn counter's count at the end" "" "$bad"
check "the events plot's y axis says the counts are cumulative" \
    grep -q 'events since the start of the run (cumulative, log scale)' "$svg"
check "... and its title names the run" \
    grep -q 'fragmentation events (vmstat) - run 1: tiny.yaml, fill-free.yaml' "$svg"
check "skipped and said: run 2 (a replay) counted no fragmentation event" \
    grep -q "^kmsim-plot: run 2: no fragmentation event counted (extfrag_fallback, .*all 0); no fragmentation events plot\$" \
    "$tmp/notes"

# The allocations per node pair of run 3: every pair of its four nodes,
# requesting node by requesting node.
expect_eq "the heat map's data: the nine allocations of the trace, per node pair" \
"# serving requesting allocations pct_of_requesting text
0 0 2 33.3 2
1 0 2 33.3 2
2 0 1 16.7 1
3 0 1 16.7 1
0 1 0 0.0 0
1 1 0 0.0 0
2 1 0 0.0 0
3 1 0 0.0 0
0 2 1 33.3 1
1 2 0 0.0 0
2 2 1 33.3 1
3 2 1 33.3 1
0 3 0 0.0 0
1 3 0 0.0 0
2 3 0 0.0 0
3 3 0 0.0 0" "$(tr '\t' ' ' <"$tmp/data/run3-numa-allocs.dat")"
expect_eq "... its non-empty cells are the run's numa_allocs rows" \
    "$(sql "$db" "select to_node, from_node, count from numa_allocs
	where run_id = 3 order by from_node, to_node")" \
    "$(awk -F '\t' '!/^#/ && $3 > 0 { print $1 "|" $2 "|" $3 }' \
	"$tmp/data/run3-numa-allocs.dat")"
svg=$tmp/p/run3-numa-allocs.svg
check "the heat map's title gives the share served locally (3 of 9)" \
    grep -q 'allocations per node pair, 33.3% local' "$svg"
check "... and names the run and its config" \
    grep -q 'run 3: numa4.yaml, numa.yaml (simulate)' "$svg"
check "... its axes say which node is which" grep -q 'requesting node' "$svg"
check "... both" grep -q 'serving node' "$svg"
check "... its colour scale is labelled" grep -q 'allocations (log scale' "$svg"

# The slab memory per cache of run 4: a row per snapshot, a column per
# cache among the 10 with the most slab memory at the last snapshot, and
# one for the other 3 of its 13 caches summed; the bytes of slab_bytes.
d=$tmp/data/run4-slab-memory.dat
last4="(select snapshot_id from snapshots where run_id = 4 order by seq desc limit 1)"
check "the slab memory plot's data was kept" test -s "$d"
expect_eq "run 4 has 13 slab caches with slabs at its last snapshot" 13 \
    "$(sql "$db" "select count(*) from slabinfo where snapshot_id = $last4
	and slab_bytes > 0")"
expect_eq "... and three snapshots" 3 \
    "$(sql "$db" "select count(*) from snapshots where run_id = 4")"
expect_eq "its header: time, the 10 largest caches at the end, the other 3" \
    "ms${tab}$(sql "$db" "select group_concat(cache, char(9)) from (select cache
	from slabinfo where snapshot_id = $last4
	order by slab_bytes desc, cache limit 10)")${tab}other (3 caches)" \
    "$(head -n 1 "$d")"
expect_eq "... the largest first: kmalloc-2k (16 pages of 2 KiB objects)" \
    kmalloc-2k "$(head -n 1 "$d" | cut -f 2)"
expect_eq "a row per snapshot of the run" 3 "$(sed 1d "$d" | wc -l | tr -d ' ')"
expect_eq "at time 0 no cache has a slab" "0.0${tab}0${tab}0${tab}0${tab}0${tab}0${tab}0${tab}0${tab}0${tab}0${tab}0${tab}0" \
    "$(sed -n 2p "$d")"
# the database's rows, a cache at a time, in the header's order
head -n 1 "$d" | tr '\t' '\n' | sed -n '2,11p' >"$tmp/slab.top"
want=$(sql "$db" "select s.seq, s.sim_ns / 1e6 from snapshots s
    where s.run_id = 4 order by s.seq" | while IFS='|' read -r seq ms; do
	line=$ms
	while IFS= read -r c; do
		line="$line|$(sql "$db" "select coalesce((select l.slab_bytes
		    from slabinfo l join snapshots s on s.snapshot_id = l.snapshot_id
		    where s.run_id = 4 and s.seq = $seq and l.cache = '$c'), 0)")"
	done <"$tmp/slab.top"
	others=$(sed "s/.*/'&'/" "$tmp/slab.top" | paste -sd, -)
	line="$line|$(sql "$db" "select coalesce(sum(l.slab_bytes), 0)
	    from slabinfo l join snapshots s on s.snapshot_id = l.snapshot_id
	    where s.run_id = 4 and s.seq = $seq and l.cache not in ($others)")"
	echo "$line"
done)
expect_eq "every row is the run's slabinfo at its snapshot" "$want" \
    "$(sed 1d "$d" | tr '\t' '|')"
expect_eq "the last row adds up to the run's slab.slab_pages (4 KiB pages)" \
    "$(sql "$db" "select cast(value as integer) * 4096 from counters
	where run_id = 4 and name = 'slab.slab_pages'")" \
    "$(tail -n 1 "$d" | awk -F '\t' '{ for (i = 2; i <= NF; i++) t += $i; print t }')"
check "... which is more than 0" test "$(tail -n 1 "$d" | cut -f 2)" -gt 0
svg=$tmp/p/run4-slab-memory.svg
check "the slab memory plot's title names the run and its config" \
    grep -q 'slab memory per cache (10 largest of 13) - run 4: tiny.yaml, slab.yaml (simulate)' "$svg"
check "... its y axis is in MiB" grep -q 'slab memory (MiB, stacked by cache)' "$svg"
check "... its x axis in ms" grep -q 'simulated time (ms)' "$svg"
check "... its key names the largest cache with its size at the end (64 KiB)" \
    grep -q '>kmalloc-2k (64.0 KiB)<' "$svg"
check "... and the others" grep -q '>other (3 caches) (12.0 KiB)<' "$svg"

# The waste of run 4's caches at the end: the 10 that waste the most,
# slab memory against the bytes of their live objects.
d=$tmp/data/run4-slab-waste.dat
check "the slab waste plot's data was kept" test -s "$d"
expect_eq "its header" \
    "# cache${tab}slab_bytes${tab}live_bytes${tab}waste_bytes${tab}waste_pct${tab}active_objs${tab}num_objs${tab}objsize" \
    "$(head -n 1 "$d")"
expect_eq "a row for each of the 10 caches that waste the most, as in the database" \
    "$(sql "$db" "select cache, slab_bytes, active_objs * objsize,
	slab_bytes - active_objs * objsize,
	printf('%.1f', 100.0 * (slab_bytes - active_objs * objsize) / slab_bytes),
	active_objs, num_objs, objsize
	from slabinfo where snapshot_id = $last4 and slab_bytes > 0
	order by slab_bytes - active_objs * objsize desc, slab_bytes desc, cache
	limit 10")" "$(sed 1d "$d" | tr '\t' '|')"
expect_eq "... the most waste first" "$(sed 1d "$d" | cut -f 4)" \
    "$(sed 1d "$d" | cut -f 4 | sort -rn)"
expect_eq "... each row's waste is its slab memory less its live objects" "" \
    "$(sed 1d "$d" | awk -F '\t' '$4 != $2 - $3 || $3 != $6 * $8 ||
	sprintf("%.1f", 100 * $4 / $2) != $5')"
check "... test_obj wastes some: 40 of its objects allocated, 10 freed" \
    test -n "$(awk -F '\t' '$1 == "test_obj" && $4 > 0' "$d")"
svg=$tmp/p/run4-slab-waste.svg
check "the slab waste plot's title names the run" \
    grep -q 'slab waste per cache at the end (10 most of 13) - run 4: tiny.yaml, slab.yaml (simulate)' "$svg"
check "... its y axis is in KiB (64 KiB at most)" grep -q 'slab memory at the end (KiB)' "$svg"
check "... its key says what the bars are" \
    grep -q 'live objects (active_objs \* objsize)' "$svg"
check "... both" grep -q 'waste: free objects and slab leftover' "$svg"
check "... a bar per cache, named" grep -q '>test_obj<' "$svg"

# Plots without data are skipped with one line each, and nothing else is
# said (no gnuplot warning).
for r in 1 2 3; do
	check "skipped and said: run $r has no slab rows, no slab plots" grep -qF \
	    "kmsim-plot: run $r: no slabinfo rows (the run used no slab cache, replayed a capture, or an older kmsim wrote it); no slab memory or slab waste plot" \
	    "$tmp/notes"
done
check "the slab plots are not said to be missing for run 4" \
    sh -c "! grep -q 'run 4' '$tmp/notes'"
# kmsim makes an empty params table; kmsim-sweep fills it.
check "skipped and said: no sweep plots, no swept parameter" grep -Eq \
    "^kmsim-plot: no sweep plots: (the database has no 'params' table|no swept parameter in the 'params' table)" \
    "$tmp/notes"
expect_eq "nothing else on standard error" 5 "$(wc -l <"$tmp/notes" | tr -d ' ')"
expect_eq "the database is not changed" "$sum_before" "$(cksum <"$db")"
check "no -wal file is left beside it" test ! -e "$db-wal"

### Older databases: without the page allocator's tables, or without rows
### of a run in them

sql "$db" ".backup '$tmp/old.db'"
sql "$tmp/old.db" "drop table pagetypeinfo; drop table vmstat; drop table numa_allocs;
drop table slabinfo;"
ok_run "a database without the tables pagetypeinfo, vmstat, numa_allocs and slabinfo" \
    "$plot" "$tmp/old.db" --format svg -o "$tmp/old"
for what in "pageblock mobility mix plot: the database has no 'pagetypeinfo' table" \
    "fragmentation events plot: the database has no 'vmstat' table" \
    "node-pair heat map: the database has no 'numa_allocs' table" \
    "slab memory per cache or slab waste plots: the database has no 'slabinfo' table"; do
	check "skipped and said: no $what" grep -q "^kmsim-plot: no $what\$" "$tmp/err"
done
expect_eq "... the other plots are drawn" \
    "$(echo "$expected" | grep -Ev 'pagetypeinfo|frag-events|numa-allocs|slab-' |
	sed 's/$/.svg/')" "$(ls "$tmp/old")"
expect_eq "... and nothing else is said (the 4 tables, sweep)" \
    5 "$(wc -l <"$tmp/err" | tr -d ' ')"

sql "$db" ".backup '$tmp/old-runs.db'"
sql "$tmp/old-runs.db" "delete from pagetypeinfo where run_id = 1;
delete from vmstat where run_id = 1; delete from numa_allocs where run_id = 3;
delete from slabinfo where run_id = 4;"
ok_run "a database with runs that lack rows in those tables" \
    "$plot" "$tmp/old-runs.db" --format svg -o "$tmp/old-runs"
for what in "run 1: no pagetypeinfo rows (an older kmsim wrote the run); no pageblock mobility mix plot" \
    "run 1: no vmstat rows (an older kmsim wrote the run); no fragmentation events plot" \
    "run 3: no numa_allocs rows (the run did not end, or an older kmsim wrote it); no node-pair heat map" \
    "run 4: no slabinfo rows (the run used no slab cache, replayed a capture, or an older kmsim wrote it); no slab memory or slab waste plot"; do
	check "skipped and said: $what" grep -qF "kmsim-plot: $what" "$tmp/err"
done
expect_eq "... the other plots are drawn" \
    "$(echo "$expected" | grep -Ev 'run1-(pagetypeinfo|frag-events)|numa-allocs|slab-' |
	sed 's/$/.svg/')" "$(ls "$tmp/old-runs")"
expect_eq "... and nothing else is said (with the 4 runs without slab rows)" 9 \
    "$(wc -l <"$tmp/err" | tr -d ' ')"

### Choosing runs, orders and format

ok_run "--run 2 --format svg -q" "$plot" "$db" --run 2 --format svg -q -o "$tmp/p2"
expect_eq "-q lists nothing" "" "$(cat "$tmp/out")"
expect_eq "--run 2 draws run 2 only" \
    "$(echo "$expected" | grep '^run2-' | sed 's/$/.svg/')" "$(ls "$tmp/p2")"
ok_run "-r 1 -r 2 --orders 0,10" "$plot" "$db" -r 1 -r 2 --orders 0,10 \
    --format=svg --output="$tmp/p3"
check "--orders draws the orders asked for" \
    grep -q 'node 0 DMA, order 10' "$tmp/p3/run1-unusable.svg"
check "... and not the default ones" sh -c "! grep -q 'order 9' '$tmp/p3/run1-unusable.svg'"
ok_run "PNG is the default format" "$plot" "$db" --run 1 -q -o "$tmp/p4"
expect_eq "... only PNG files" "" "$(ls "$tmp/p4" | grep -v '\.png$' || true)"
ok_run "the source tree's script finds analysis/ beside it" env KMSIM_ANALYSIS_DIR= \
    sh "$top_srcdir/analysis/kmsim-plot.sh" "$db" --run 1 -q -o "$tmp/p5"
check "... and plots" test -s "$tmp/p5/run1-unusable.png"

### A sweep: four runs and a hand-made params table

sw=$tmp/sweep.db
for t in fill-free exhaust fill-free exhaust; do
	"$KMSIM" --config "$configs/tiny.yaml" --trace "$fixtures/run/$t.yaml" \
	    --db "$sw" --quiet
done
sql "$sw" "create table if not exists params (run_id INTEGER, key TEXT, value TEXT);
insert into params values
 (1, 'trace', 'fill-free'), (1, 'seed', '1'), (1, 'point', '0'),
 (1, 'vm.watermark_scale_factor', '10'), (1, 'policy', 'local'),
 (2, 'trace', 'exhaust'), (2, 'seed', '1'), (2, 'point', '0'),
 (2, 'vm.watermark_scale_factor', '10'), (2, 'policy', 'local'),
 (3, 'trace', 'fill-free'), (3, 'seed', '1'), (3, 'point', '1'),
 (3, 'vm.watermark_scale_factor', '100'), (3, 'policy', 'interleave'),
 (4, 'trace', 'exhaust'), (4, 'seed', '1'), (4, 'point', '1'),
 (4, 'vm.watermark_scale_factor', '100'), (4, 'policy', 'interleave');"
ok_run "plots of a sweep" "$plot" "$sw" --format svg -o "$tmp/sw"
cp "$tmp/err" "$tmp/sw.notes"
expect_eq "a plot per metric and swept parameter (per zone for the index)" \
'sweep-policy-p99-alloc_pages.svg
sweep-policy-unusable-order9-node0-DMA.svg
sweep-policy-unusable-order9-node0-DMA32.svg
sweep-vm.watermark_scale_factor-p99-alloc_pages.svg
sweep-vm.watermark_scale_factor-unusable-order9-node0-DMA.svg
sweep-vm.watermark_scale_factor-unusable-order9-node0-DMA32.svg' \
    "$(ls "$tmp/sw" | grep '^sweep-')"
check "the sweep plots are not announced as skipped" \
    sh -c "! grep -q 'sweep' '$tmp/sw.notes'"
check "nothing but the 4 runs without slab rows" \
    test "$(wc -l <"$tmp/sw.notes")" -eq 4
check "one line per trace" grep -q 'fill-free' \
    "$tmp/sw/sweep-vm.watermark_scale_factor-p99-alloc_pages.svg"
check "... each trace" grep -q 'exhaust' \
    "$tmp/sw/sweep-vm.watermark_scale_factor-p99-alloc_pages.svg"
check "the parameter labels the x axis" grep -q '>vm.watermark_scale_factor<' \
    "$tmp/sw/sweep-vm.watermark_scale_factor-p99-alloc_pages.svg"
check "text values label the ticks" grep -q '>interleave<' \
    "$tmp/sw/sweep-policy-p99-alloc_pages.svg"
ok_run "--run 1 --run 2: a one-point sweep plots too" "$plot" "$sw" \
    --run 1 --run 2 --format svg -o "$tmp/sw1"
expect_eq "... without a gnuplot warning" 2 "$(wc -l <"$tmp/err" | tr -d ' ')"

### The page cache: a run that read and wrote files

pc=$tmp/pc.db
"$KMSIM" --config "$configs/tiny.yaml" --trace "$fixtures/pagecache/stream.yaml" \
    --db "$pc" --quiet
ok_run "plots of a run with a page cache" "$plot" "$pc" --format svg -o "$tmp/pc"
check "the writeback plot is drawn" test -s "$tmp/pc/run1-writeback.svg"
check "... its title names the run" grep -q \
    'page cache and dirty limits - run 1: tiny.yaml, stream.yaml (simulate)' \
    "$tmp/pc/run1-writeback.svg"
check "... with the thresholds in its key" grep -q 'freerun ceiling' \
    "$tmp/pc/run1-writeback.svg"
expect_eq "the dirty MiB never passes the threshold by more than a write" "" \
    "$(sql "$pc" "select 1 from vmstat a join vmstat b on a.snapshot_id = b.snapshot_id
	where a.name = 'nr_dirty' and b.name = 'nr_dirty_threshold'
	and a.value > b.value + 256 limit 1")"
check "a run without files has no writeback plot, and no word of it" \
    sh -c "! ls '$tmp/p' | grep -q writeback && ! grep -q writeback '$tmp/notes'"

### Errors

expect_fail "a missing database" 1 "^kmsim-plot: cannot open '.*nope.db': no such file" \
    "$plot" "$tmp/nope.db" -o "$tmp/e"
check "... is not created" test ! -e "$tmp/nope.db"
expect_fail "a directory as the database" 1 "^kmsim-plot: '.*' is a directory" \
    "$plot" "$tmp" -o "$tmp/e"
echo "not a database" >"$tmp/text.db"
expect_fail "a file that is not SQLite" 1 "^kmsim-plot: '.*text.db' is not a kmsim database" \
    "$plot" "$tmp/text.db" -o "$tmp/e"
sql "$tmp/other.db" "create table t (x); insert into t values (1);"
expect_fail "an SQLite database that is not kmsim's" 1 \
    "^kmsim-plot: '.*other.db' is not a kmsim database" \
    "$plot" "$tmp/other.db" -o "$tmp/e"
sql "$db" ".backup '$tmp/empty.db'"
sql "$tmp/empty.db" "delete from runs"
expect_fail "a database with no runs" 1 "^kmsim-plot: '.*empty.db' has no runs" \
    "$plot" "$tmp/empty.db" -o "$tmp/e"
expect_fail "an unknown run" 1 "^kmsim-plot: no run 7 in '.*s.db'" \
    "$plot" "$db" --run 1 --run 7 -o "$tmp/e"
expect_fail "an order above the largest" 1 "^kmsim-plot: order 11 is above the largest order of the runs \(10\)" \
    "$plot" "$db" --orders 3,11 -o "$tmp/e"
expect_fail "gnuplot missing" 1 "^kmsim-plot: gnuplot not found: '.*/no/gnuplot'" \
    env GNUPLOT="$tmp/no/gnuplot" "$plot" "$db" -o "$tmp/e"
: >"$tmp/file"
expect_fail "an output directory that is a file" 1 "^kmsim-plot: '.*file' is not a directory" \
    "$plot" "$db" -o "$tmp/file"
expect_fail "an output directory that cannot be created" 1 \
    "^kmsim-plot: cannot create directory '.*file/sub'" \
    "$plot" "$db" -o "$tmp/file/sub"
# gnuplot's errors are surfaced and fail the command.
cp -R "$top_srcdir/analysis" "$tmp/broken"
chmod -R u+w "$tmp/broken"
echo "plot nonsense(" >>"$tmp/broken/fragindex.gp"
expect_fail "a failing gnuplot script" 1 \
    "^kmsim-plot: gnuplot failed on '.*run1-unusable.png'" \
    env KMSIM_ANALYSIS_DIR="$tmp/broken" "$plot" "$db" --run 1 -o "$tmp/e"
check "... with gnuplot's own message" grep -q 'fragindex.gp' "$tmp/err"
check "... and no half-written file" test ! -e "$tmp/e/run1-unusable.png"
check "... while the other plots are drawn" test -s "$tmp/e/run1-latency-cdf.png"
done_testing
