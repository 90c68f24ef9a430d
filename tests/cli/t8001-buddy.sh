# t8001-buddy: the page allocator's switches and what they record:
# pagetypeinfo and vmstat over time, allocations per node pair, memory
# policies, per-cpu lists, kswapd and reclaim on exhaustion.
. "$top_srcdir/tests/lib.sh"
need_sqlite3
db=$tmp/b.db

ok_run "fill-free with the defaults" "$KMSIM" --config "$configs/tiny.yaml" \
    --trace "$fixtures/run/fill-free.yaml" --db "$db" --quiet --check
# tiny: DMA 16 MiB (8 pageblocks) and DMA32 48 MiB (24)
expect_eq "every snapshot counts every pageblock of each zone" "DMA|8
DMA32|24" \
    "$(sql "$db" "select distinct zone, total from (select snapshot_id, zone, sum(pageblocks) as total from pagetypeinfo where run_id = 1 group by 1, 2) order by zone")"
expect_eq "six migratetypes per zone and snapshot" "0" \
    "$(sql "$db" "select count(*) from (select snapshot_id, node, zone, count(*) as n from pagetypeinfo group by 1, 2, 3) where n != 6")"
expect_eq "mixed blocks never exceed blocks" "0" \
    "$(sql "$db" "select count(*) from pagetypeinfo where mixed > pageblocks")"
# 50 blocks each of orders 0-3 (750 pages) and 67, 67, 66 of 0-2 (465)
expect_eq "pgalloc at the end counts every page allocated" "1215" \
    "$(sql "$db" "select value from vmstat join snapshots using (snapshot_id) where vmstat.run_id = 1 and name = 'pgalloc' and is_final")"
expect_eq "the counters only grow" "0" \
    "$(sql "$db" "select count(*) from vmstat a join vmstat b on a.name = b.name and a.run_id = b.run_id and b.snapshot_id > a.snapshot_id where b.value < a.value")"
expect_eq "the counters row matches the last snapshot" "1215.0" \
    "$(sql "$db" "select value from counters where run_id = 1 and name = 'vmstat.pgalloc'")"
check "the per-cpu lists were refilled" test \
    "$(sql "$db" "select value from counters where run_id = 1 and name = 'vmstat.pcp_refill'" | cut -d. -f1)" -gt 0
expect_eq "one node: every allocation local" "0|0|400" \
    "$(sql "$db" "select from_node, to_node, count from numa_allocs where run_id = 1")"

# Switches, recorded in the run's config.
ok_run "per-cpu lists off, legacy fallback" "$KMSIM" \
    --config "$configs/tiny.yaml" --set buddy.pcp=off \
    --set buddy.fallback=legacy --trace "$fixtures/run/fill-free.yaml" \
    --db "$db" --quiet --check
expect_eq "no refills without per-cpu lists" "0.0" \
    "$(sql "$db" "select value from counters where run_id = 2 and name = 'vmstat.pcp_refill'")"
expect_eq "the config records the switches" "legacy|0" \
    "$(sql "$db" "select json_extract(config_json, '\$.buddy.fallback'), json_extract(config_json, '\$.buddy.pcp') from runs where run_id = 2")"
expect_fail "a bad fallback" 1 \
    "^kmsim: .*tiny.yaml:[0-9]+:[0-9]+: fallback: 'newest' is not claim \\(6.15 and later\\) or legacy \\(set by --set\\)" \
    "$KMSIM" --config "$configs/tiny.yaml" --set buddy.fallback=newest \
    --trace "$fixtures/run/fill-free.yaml" --no-db
expect_fail "a bad policy node" 1 "nodes: names a node the machine does not have \\(it has 4\\)" \
    "$KMSIM" --config "$configs/numa4.yaml" --set vm.mempolicy.mode=bind \
    --set vm.mempolicy.nodes=0,7 --trace "$fixtures/run/fill-free.yaml" --no-db

# Memory policies on the four-node machine (CPUs 0-1 are node 0's).
ok_run "interleave" "$KMSIM" --config "$configs/numa4.yaml" \
    --set vm.mempolicy.mode=interleave \
    --trace "$fixtures/run/fill-free.yaml" --db "$db" --quiet --check
expect_eq "interleaved over the four nodes" "0|0|100
0|1|100
0|2|100
0|3|100" \
    "$(sql "$db" "select from_node, to_node, count from numa_allocs where run_id = 3 order by to_node")"
ok_run "bind to node 2" "$KMSIM" --config "$configs/numa4.yaml" \
    --set vm.mempolicy.mode=bind --set vm.mempolicy.nodes=2 \
    --trace "$fixtures/run/fill-free.yaml" --db "$db" --quiet
expect_eq "bound: node 2 serves everything" "0|2|400" \
    "$(sql "$db" "select from_node, to_node, count from numa_allocs where run_id = 4")"

# Exhaustion: the slow path wakes kswapd, reclaims (nothing to reclaim
# yet: a shortfall), and fails the costly allocations it cannot serve.
ok_run "exhaust" "$KMSIM" --config "$configs/tiny.yaml" \
    --trace "$fixtures/run/exhaust.yaml" --db "$db" --quiet --check
for c in vmstat.kswapd_wake vmstat.allocstall node0.reclaim_shortfall alloc.stalls; do
	check "exhaustion counts $c" test \
	    "$(sql "$db" "select value from counters where run_id = 5 and name = '$c'" | cut -d. -f1)" -gt 0
done
expect_eq "every failure stalled first" \
    "$(sql "$db" "select sum(count) from failures where run_id = 5")" \
    "$(sql "$db" "select cast(value as integer) from counters where run_id = 5 and name = 'vmstat.allocstall'")"
check "the stalls have a latency row" test \
    "$(sql "$db" "select count from latency where run_id = 5 and op = 'alloc_pages_stall'")" -gt 0

# Grouping by mobility: the fragmenter's mixed pageblocks fall when it is
# on (kmsim counts a page by the mobility its gfp asked for, so with it
# off the movable pages in the unmovable blocks show).
mixed() {
	sql "$db" "select sum(json_extract(value, '\$.mixed_pageblocks.Unmovable') + json_extract(value, '\$.mixed_pageblocks.Movable') + json_extract(value, '\$.mixed_pageblocks.Reclaimable')) from json_each(json_extract(readfile('$1'), '\$.zones'))"
}
ok_run "fragment.yaml, grouping on" "$KMSIM" --config "$configs/numa4.yaml" \
    --trace "$top_srcdir/traces/fragment.yaml" --no-db --quiet --json
cp "$tmp/out" "$tmp/on.json"
ok_run "fragment.yaml, grouping off" "$KMSIM" --config "$configs/numa4.yaml" \
    --set buddy.mobility=off --trace "$top_srcdir/traces/fragment.yaml" \
    --no-db --quiet --json
cp "$tmp/out" "$tmp/off.json"
on=$(mixed "$tmp/on.json")
off=$(mixed "$tmp/off.json")
check "fewer mixed pageblocks with grouping on ($on) than off ($off)" \
    test "$on" -lt "$off"
check "grouping off makes no fallbacks" test \
    "$(sql "$db" "select json_extract(readfile('$tmp/off.json'), '\$.vmstat.extfrag_fallback')")" = 0
check "grouping on falls back" test \
    "$(sql "$db" "select json_extract(readfile('$tmp/on.json'), '\$.vmstat.extfrag_fallback')")" -gt 0

# Compaction end to end: memory full of movable pages, every other one
# freed, then 2 MiB blocks; none is free until compaction moves pages.
ok_run "compact.yaml" "$KMSIM" --config "$configs/tiny.yaml" \
    --set buddy.pcp=off --trace "$fixtures/run/compact.yaml" --db "$db" \
    --quiet --check
r=$(sql "$db" "select max(run_id) from runs")
cval() {
	sql "$db" "select cast(value as integer) from counters where run_id = $r and name = '$1'"
}
check "direct compaction ran" test "$(cval vmstat.compact_stall)" -gt 0
check "and succeeded" test "$(cval vmstat.compact_success)" -gt 0
check "a whole block of pages moved" test \
    "$(cval vmstat.pgmigrate_success)" -ge 256
order9=$(sql "$db" "select coalesce(sum(count), 0) from failures where run_id = $r and ord = 9")
check "some order-9 requests were served ($order9 of 6 failed)" \
    test "$order9" -lt 6
check "the fill's own failures are freed harmlessly" test \
    "$(cval alloc.frees_of_failed)" -gt 0
done_testing
