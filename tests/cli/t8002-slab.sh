# t8002-slab: the slab and percpu allocators driven by YAML traces and by
# a real capture: slab geometry, pages from the buddy, merging, the
# slabinfo table and dump, bad ops, and the capture's objects per cache
# against the kernel's own /proc/slabinfo at its end.
. "$top_srcdir/tests/lib.sh"
need_sqlite3
db=$tmp/s.db
slab=$fixtures/slab

ok_run "the slab ops of caches.yaml" "$KMSIM" --config "$configs/tiny.yaml" \
    --trace "$slab/caches.yaml" --db "$db" --quiet --check --json
cp "$tmp/out" "$tmp/c.json"
j() { sql "$db" "select json_extract(readfile('$1'), '$2')"; }
last="snapshot_id = (select max(snapshot_id) from snapshots where run_id = 1)"
# 100 objects of 192 bytes, 21 to an order-0 slab: 5 slabs, 105 objects
expect_eq "dentry: 21 objects per order-0 slab, 5 slabs" "105|192|21|1|5" \
    "$(sql "$db" "select num_objs, objsize, objperslab, pagesperslab, num_slabs from slabinfo where $last and cache = 'dentry'")"
expect_eq "dentry2 was merged into dentry" "" \
    "$(sql "$db" "select cache from slabinfo where cache = 'dentry2'")"
expect_eq "the slabs' pages came from the buddy" \
    "$(j "$tmp/c.json" '$.slab.slab_pages')" \
    "$(sql "$db" "select sum(num_slabs * pagesperslab) from slabinfo where $last")"
check "every page the run allocated is a slab's or a percpu chunk's" test \
    "$(j "$tmp/c.json" '$.vmstat.pgalloc')" -ge "$(j "$tmp/c.json" '$.slab.slab_pages')"
expect_eq "50 dentries and 30 kmalloc objects are live" "80" \
    "$(j "$tmp/c.json" '$.slab.objects')"
# kmalloc sizes 1, 101, ..., 2901: classes 8, 128, 256, 512, 1k, 2k, 4k;
# 5000 bytes (the krealloc) is an 8k object
for c in kmalloc-8 kmalloc-128 kmalloc-256 kmalloc-512 kmalloc-1k kmalloc-2k kmalloc-4k kmalloc-8k; do
	check "a slab of $c" test \
	    "$(sql "$db" "select num_slabs from slabinfo where $last and cache = '$c'")" -ge 1
done
expect_eq "the bytes asked for and given are recorded" "1" \
    "$(sql "$db" "select count(*) from slabinfo where $last and cache = 'dentry' and bytes_requested = 100 * 192 and bytes_allocated = 100 * 192")"
check "kmalloc latencies are recorded" test \
    "$(sql "$db" "select count from latency where run_id = 1 and op = 'kmalloc'")" = 30
expect_eq "every slab allocation took the fast or a slow path" "130" \
    "$(sql "$db" "select sum(count) from latency where run_id = 1 and op in ('slab_alloc_fast', 'slab_alloc_slow')")"
expect_eq "and every free" "50" \
    "$(sql "$db" "select sum(count) from latency where run_id = 1 and op in ('slab_free_fast', 'slab_free_slow')")"
check "the reclaimable cache's pages are SReclaimable" test \
    "$(j "$tmp/c.json" '$.slab.reclaimable_pages')" -ge 5
check "percpu latencies are recorded" test \
    "$(sql "$db" "select count from latency where run_id = 1 and op = 'percpu_alloc_percpu'")" = 1

ok_run "--dump slabinfo" "$KMSIM" --config "$configs/tiny.yaml" \
    --trace "$slab/caches.yaml" --no-db --quiet --dump slabinfo
expect_eq "the kernel's header" "slabinfo - version: 2.1" "$(head -1 "$tmp/out")"
# the freed objects' slabs sit on the CPU's partial list, and slabinfo
# counts only the node partial lists' free objects as inactive
check "dentry's line as cache_show() prints it" grep -Eq \
    '^dentry +105 +105 +192 +21 +1 : tunables +0 +0 +0 : slabdata +5 +5 +0$' "$tmp/out"
check "merged: no dentry2 line" sh -c "! grep -q '^dentry2 ' '$tmp/out'"
ok_run "without merging" "$KMSIM" --config "$configs/tiny.yaml" \
    --set slab.merge=off --trace "$slab/caches.yaml" --no-db --quiet \
    --dump slabinfo
check "dentry2 is a cache of its own" grep -Eq '^dentry2 +0 +0 +192 ' "$tmp/out"

expect_fail "an unknown cache" 1 "unknown-cache.yaml:3:5: no cache 'nosuch'" \
    "$KMSIM" --config "$configs/tiny.yaml" --trace "$slab/unknown-cache.yaml" --no-db
expect_fail "destroying a cache with objects" 1 \
    "destroy-busy.yaml:5:5: .*still has objects" \
    "$KMSIM" --config "$configs/tiny.yaml" --trace "$slab/destroy-busy.yaml" --no-db
expect_fail "freeing with the wrong op" 1 \
    "wrong-free.yaml:4:5: free_percpu of id 'a', an object kmalloc allocated" \
    "$KMSIM" --config "$configs/tiny.yaml" --trace "$slab/wrong-free.yaml" --no-db
ok_run "--lenient skips them" "$KMSIM" --config "$configs/tiny.yaml" \
    --trace "$slab/wrong-free.yaml" --no-db --lenient --quiet

# The real capture on its own machine: its caches' objects at the end
# against the kernel's after/slabinfo.
small=$fixtures/bundle-small
ok_run "the small capture, simulated on its machine" "$KMSIM" --config auto \
    --mode simulate --trace "$small" --no-db --quiet --json --check
cp "$tmp/out" "$tmp/cap.json"
expect_eq "its slabs live in a shadow machine" "1" "$(j "$tmp/cap.json" '$.slab.shadow')"
check "caches come into being from the events" test \
    "$(j "$tmp/cap.json" '$.slab.caches_created')" -gt 10
check "frees of objects from before the capture are counted" test \
    "$(j "$tmp/cap.json" '$.slab.frees_before_capture')" -gt 0
caches=$(j "$tmp/cap.json" '$.slab.fidelity.caches')
within=$(j "$tmp/cap.json" '$.slab.fidelity.within_1pct')
check "over 100 caches compared ($caches)" test "$caches" -gt 100
check "nine in ten within 1 % of the kernel's objects ($within of $caches)" \
    test "$((within * 10))" -ge "$((caches * 9))"
done_testing
