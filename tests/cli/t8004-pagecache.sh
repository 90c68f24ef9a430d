# t8004-pagecache: the page cache driven by YAML file ops (throttled
# writers, reclaim by kswapd and direct reclaim of clean cached pages,
# hits of a second read, the database's rows) and by a real capture's
# filemap events, whose pages cached per file the model must count as
# the capture's own events do.
. "$top_srcdir/tests/lib.sh"
need_sqlite3
db=$tmp/p.db
pcf=$fixtures/pagecache
j() { sql "$db" "select json_extract(readfile('$1'), '$2')"; }

# 80 MiB through a 64 MiB machine
ok_run "a stream through the cache of a small machine" "$KMSIM" \
    --config "$configs/tiny.yaml" --trace "$pcf/stream.yaml" --db "$db" \
    --quiet --check --json
cp "$tmp/out" "$tmp/s.json"
expect_eq "every page was dirtied once" "20480" "$(j "$tmp/s.json" '$.pagecache.nr_dirtied')"
expect_eq "and written once: by the background flusher and the fsync" "20480" \
    "$(sql "$db" "select json_extract(readfile('$tmp/s.json'), '$.pagecache.written_background') + json_extract(readfile('$tmp/s.json'), '$.pagecache.written_sync')")"
check "the writer was throttled" test "$(j "$tmp/s.json" '$.pagecache.dirty_throttle_pauses')" -gt 0
# the first pause comes above the freerun ceiling, (thresh + bg) / 2
check "above the freerun ceiling" test "$(j "$tmp/s.json" '$.pagecache.dirty_at_first_throttle')" -gt \
    "$(( ($(j "$tmp/s.json" '$.pagecache.nr_dirty_threshold') + $(j "$tmp/s.json" '$.pagecache.nr_dirty_background_threshold')) / 2 ))"
check "and at most at the dirty threshold" test "$(j "$tmp/s.json" '$.pagecache.dirty_at_first_throttle')" -le \
    "$(j "$tmp/s.json" '$.pagecache.nr_dirty_threshold')"
check "kswapd reclaimed cached pages" test "$(j "$tmp/s.json" '$.vmstat.pgsteal_kswapd')" -gt 0
expect_eq "reclaim freed only clean file pages it scanned" \
    "$(j "$tmp/s.json" '$.pagecache.pgsteal_file')" \
    "$(sql "$db" "select json_extract(readfile('$tmp/s.json'), '$.vmstat.pgsteal_kswapd') + json_extract(readfile('$tmp/s.json'), '$.vmstat.pgsteal_direct')")"
expect_eq "no allocation failed" "0" "$(j "$tmp/s.json" '$.failures.total')"
# LRU order: the file's start went first, so reading it from the start
# misses every page
expect_eq "the read back missed every page" "20480|0" \
    "$(sql "$db" "select json_extract(readfile('$tmp/s.json'), '$.pagecache.pagecache_misses') || '|' || json_extract(readfile('$tmp/s.json'), '$.pagecache.pagecache_hits')")"
expect_eq "the writer's throttling is recorded per CPU" \
    "$(j "$tmp/s.json" '$.pagecache.dirty_throttle_ns')" \
    "$(sql "$db" "select cast(value as integer) from counters where run_id = 1 and name = 'writer.cpu1.pause_ns'")"
check "latency rows of the page cache" test \
    "$(sql "$db" "select count(*) from latency where run_id = 1 and op in ('write', 'fsync', 'read', 'pagecache_write', 'pagecache_dirty_throttle', 'pagecache_read_miss', 'pagecache_fsync')")" = 7
check "the dirty pages over time are in vmstat" test \
    "$(sql "$db" "select max(value) from vmstat v join snapshots s on s.snapshot_id = v.snapshot_id where s.run_id = 1 and v.name = 'nr_dirty'")" -gt 1000
check "never above the dirty threshold for long" test \
    "$(sql "$db" "select max(value) from vmstat v join snapshots s on s.snapshot_id = v.snapshot_id where s.run_id = 1 and v.name = 'nr_dirty'")" -le \
    "$(( $(j "$tmp/s.json" '$.pagecache.nr_dirty_threshold') + 256 ))"

ok_run "an 8 MiB file read twice" "$KMSIM" --config "$configs/tiny.yaml" \
    --trace "$pcf/twice.yaml" --no-db --quiet --check --json
cp "$tmp/out" "$tmp/t.json"
# the first pass misses 16 pages of each file's first window (readahead
# brings the rest); the second finds all 2049 pages and activates them
expect_eq "misses: the first reads' pages" "17" "$(j "$tmp/t.json" '$.pagecache.pagecache_misses')"
expect_eq "hits: everything else" "$((2 * 2049 - 17))" "$(j "$tmp/t.json" '$.pagecache.pagecache_hits')"
expect_eq "the second touch activated the data" "2048" "$(j "$tmp/t.json" '$.pagecache.nr_active_file')"

ok_run "a smaller dirty limit with --set" "$KMSIM" --config "$configs/tiny.yaml" \
    --set vm.dirty_bytes=4M --trace "$pcf/stream.yaml" --no-db --quiet --json
expect_eq "dirty_bytes gives the threshold in pages" "1024" "$(j "$tmp/out" '$.pagecache.nr_dirty_threshold')"
expect_eq "and the background threshold halves it" "512" "$(j "$tmp/out" '$.pagecache.nr_dirty_background_threshold')"

printf 'ops:\n  - {op: read, file: a, length: 4K, dev: nvme9}\n' >"$tmp/nodisk.yaml"
ok_run "a file op on an unknown disk is a bad op, counted with --lenient" "$KMSIM" \
    --config "$configs/tiny.yaml" --trace "$tmp/nodisk.yaml" --no-db --quiet --lenient --json
expect_fail "and an error without it" 1 "nodisk.yaml:2:5: dev 'nvme9' is not a disk of the configuration" \
    "$KMSIM" --config "$configs/tiny.yaml" --trace "$tmp/nodisk.yaml" --no-db --quiet

ok_run "compaction among cached folios" "$KMSIM" --config "$configs/tiny.yaml" \
    --set buddy.pcp=off --trace "$pcf/compact.yaml" --no-db --quiet --check --json
cp "$tmp/out" "$tmp/c.json"
check "compaction migrated page cache folios" test "$(j "$tmp/c.json" '$.vmstat.pgmigrate_success')" -gt 1000
check "and the cache found them again" test "$(j "$tmp/c.json" '$.pagecache.pagecache_hits')" -gt 0

# The small capture's filemap events on its own machine: the model's
# pages per file are the capture's adds less its deletes.
xz -dc "$fixtures/bundle-small/trace.txt.xz" >"$tmp/small.txt"
adds=$(grep -c ' mm_filemap_add_to_page_cache: ' "$tmp/small.txt")
dels=$(grep -c ' mm_filemap_delete_from_page_cache: ' "$tmp/small.txt")
files=$(sed -n 's/.* mm_filemap_add_to_page_cache: dev \([0-9:]*\) ino \([0-9a-f]*\) .*/\1 \2/p' \
    "$tmp/small.txt" | sort -u | wc -l | tr -d ' ')
ok_run "the small capture, simulated on its machine" "$KMSIM" --config auto \
    --mode simulate --trace "$fixtures/bundle-small" --no-db --quiet --check --json
cp "$tmp/out" "$tmp/b.json"
check "the capture has filemap events" test "$adds" -gt 1000
expect_eq "pages cached: the adds less the deletes" "$((adds - dels))" \
    "$(j "$tmp/b.json" '$.pagecache.nr_file_pages')"
expect_eq "files: those the adds name" "$files" "$(j "$tmp/b.json" '$.pagecache.files')"
expect_eq "on the books only: no page of its own" "0" "$(j "$tmp/b.json" '$.pagecache.pgpgin_pages')"
expect_eq "the bundle's own nr_dirtied is the kernel's side of the comparison" \
    "$(( $(sed -n 's/^nr_dirtied //p' "$fixtures/bundle-small/after/vmstat") - $(sed -n 's/^nr_dirtied //p' "$fixtures/bundle-small/before/vmstat") ))" \
    "$(j "$tmp/b.json" '$.pagecache.fidelity.dirtied_kernel')"
expect_eq "the model's side: the pages the dirty events dirtied" \
    "$(j "$tmp/b.json" '$.pagecache.nr_dirtied')" \
    "$(j "$tmp/b.json" '$.pagecache.fidelity.dirtied_model')"
expect_eq "the change of the cached pages: adds less deletes" "$((adds - dels))" \
    "$(j "$tmp/b.json" '$.pagecache.fidelity.file_pages_change_model')"
check "the capture's writeback cleaned pages it had dirtied" test \
    "$(j "$tmp/b.json" '$.pagecache.written_sync')" -gt 0

done_testing
