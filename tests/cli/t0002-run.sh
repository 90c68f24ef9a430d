# t0002-run: a whole run, checked in the database and the JSON summary.
. "$top_srcdir/tests/lib.sh"
need_sqlite3
db=$tmp/run.db

# Without per-cpu lists every free reaches the buddy at once.
ok_run "fill-free runs" "$KMSIM" --config "$configs/tiny.yaml" \
    --set buddy.pcp=off \
    --trace "$fixtures/run/fill-free.yaml" --db "$db" --quiet --check
expect_eq "one complete run" "1|complete" \
    "$(sql "$db" "select count(*), min(status) from runs")"
expect_eq "400 allocations and 400 frees counted" "400|400" \
    "$(sql "$db" "select (select value from counters where name='ops.alloc_pages'), (select value from counters where name='ops.free_pages')" | sed 's/\.0//g')"
expect_eq "events recorded" "800" "$(sql "$db" "select events from runs")"
# Freeing everything restores the boot state: the first and the last
# snapshot have the same buddyinfo.
first=$(sql "$db" "select node, zone, ord, nr_free from buddyinfo where snapshot_id = (select min(snapshot_id) from snapshots) order by 1,2,3")
last=$(sql "$db" "select node, zone, ord, nr_free from buddyinfo where snapshot_id = (select max(snapshot_id) from snapshots) order by 1,2,3")
check "the first snapshot has buddyinfo rows" test -n "$first"
expect_eq "freeing everything restores the first snapshot" "$first" "$last"
# With them, the pages the CPUs' lists kept make up the difference.
ok_run "fill-free with per-cpu lists" "$KMSIM" --config "$configs/tiny.yaml" \
    --trace "$fixtures/run/fill-free.yaml" --db "$tmp/pcp.db" --quiet --check --json
cp "$tmp/out" "$tmp/pcp.json"
expect_eq "free plus per-cpu pages at the end are the boot free pages" \
    "$(sql "$db" "select sum(free_pages) from zones where snapshot_id = (select min(snapshot_id) from snapshots)")" \
    "$(sql "$db" "select sum(json_extract(value, '\$.free_pages') + json_extract(value, '\$.pcp_pages')) from json_each(json_extract(readfile('$tmp/pcp.json'), '\$.zones'))")"
check "some pages stayed on per-cpu lists" test \
    "$(sql "$db" "select sum(json_extract(value, '\$.pcp_pages')) from json_each(json_extract(readfile('$tmp/pcp.json'), '\$.zones'))")" -gt 0
expect_eq "the last snapshot is marked final" "1" \
    "$(sql "$db" "select is_final from snapshots order by snapshot_id desc limit 1")"
expect_eq "latency rows count every op" "alloc_pages 400 free_pages 400" \
    "$(sql "$db" "select op, count from latency order by op" | tr '|\n' '  ' | sed 's/ $//')"
check "percentiles are ordered" test "$(sql "$db" "select count(*) from latency where not (p50_cycles <= p90_cycles and p90_cycles <= p99_cycles and p99_cycles <= p999_cycles and p999_cycles <= max_cycles)")" = 0
check "the trace hash is recorded" test "$(sql "$db" "select length(trace_sha256) from runs")" = 64
check "the config is recorded as JSON" test "$(sql "$db" "select json_valid(config_json) from runs")" = 1

# A second run appends to the same file.
ok_run "a second run" "$KMSIM" --config "$configs/tiny.yaml" \
    --trace "$fixtures/run/exhaust.yaml" --db "$db" --quiet --json
expect_eq "two runs, ids 1 and 2" "1,2" \
    "$(sql "$db" "select group_concat(run_id) from runs")"
cp "$tmp/out" "$tmp/summary.json"
check "--json is valid JSON" test "$(sql "$db" "select json_valid(readfile('$tmp/summary.json'))")" = 1
failed=$(sql "$db" "select json_extract(readfile('$tmp/summary.json'), '\$.failures.total')")
check "exhausting memory fails some allocations" test "$failed" -gt 0
expect_eq "failures in the database match the summary" "$failed" \
    "$(sql "$db" "select sum(count) from failures where run_id = 2")"
expect_eq "the failures are order-10 GFP_KERNEL" "10|GFP_KERNEL" \
    "$(sql "$db" "select distinct ord, gfp from failures where run_id = 2")"
expect_eq "the summary's status" "complete" \
    "$(sql "$db" "select json_extract(readfile('$tmp/summary.json'), '\$.status')")"
check "the summary has a unusable index per zone and order" test \
    "$(sql "$db" "select json_array_length(json_extract(readfile('$tmp/summary.json'), '\$.zones[0].unusable_index'))")" = 11

# Bad ops stop the run with a position, and the run is marked failed...
expect_fail "double free" 1 "^kmsim: .*unknown-free.yaml:5:5: free of id 'a' that is not allocated" \
    "$KMSIM" --config "$configs/tiny.yaml" --trace "$fixtures/run/unknown-free.yaml" --db "$db" --quiet
expect_eq "the failed run is marked failed, the others untouched" "complete,complete,failed" \
    "$(sql "$db" "select group_concat(status) from (select status from runs order by run_id)")"
check "the failed run records its error" sh -c \
    "'$SQLITE3' '$db' \"select error from runs where run_id = 3\" | grep -q 'free of id'"
# ... or with --lenient are counted and skipped.
ok_run "--lenient skips the double free" "$KMSIM" --config "$configs/tiny.yaml" \
    --trace "$fixtures/run/unknown-free.yaml" --db "$db" --quiet --lenient
expect_eq "the skipped op is counted" "1.0" \
    "$(sql "$db" "select value from counters where run_id = 4 and name = 'lenient.free_unknown_id'")"
done_testing
