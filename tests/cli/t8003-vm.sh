# t8003-vm: vmalloc, kernel stacks, the TLB and highmem driven by YAML
# traces: the vmstat rows they leave, the vmallocinfo dump, bad ops.
. "$top_srcdir/tests/lib.sh"
need_sqlite3
db=$tmp/vm.db
vm=$fixtures/vm

ok_run "vmalloc.yaml on tiny" "$KMSIM" --config "$configs/tiny.yaml" \
    --set machine.tlb=intel-spr --trace "$vm/vmalloc.yaml" --db "$db" \
    --quiet --check --json
cp "$tmp/out" "$tmp/v.json"
j() { sql "$db" "select json_extract(readfile('$tmp/v.json'), '$1')"; }
# intel-spr: 96 4K entries in the first level, 2048 in the STLB.
# 128 accesses over 32 pages miss 32 times and hit 96; then 512 over
# 256 pages: the first pass hits the 32 still there and misses 224, the
# second misses all 256 (LRU over 96 entries); the stack's 4 pages miss
# once each.  Every page walks once: the STLB keeps them all.
expect_eq "first-level 4K misses" "$((32 + 224 + 256 + 4))" "$(j '$.vm.tlb_l1_misses_4K')"
expect_eq "first-level 4K hits" "$((96 + 32))" "$(j '$.vm.tlb_l1_hits_4K')"
expect_eq "walks: every page once" "$((256 + 4))" "$(j '$.vm.tlb_walks')"
expect_eq "every access counted" "$((128 + 512 + 4))" "$(j '$.vm.tlb_accesses')"
expect_eq "the same in the database" "$((256 + 4))" \
    "$(sql "$db" "select cast(value as integer) from counters where name = 'vm.tlb_walks'")"
check "the vmstat rows have the TLB over time" test \
    "$(sql "$db" "select count(distinct snapshot_id) from vmstat where name = 'tlb_accesses'")" -ge 2
# after vfree and exit the areas wait for a purge: 257 + 5 lazy pages
expect_eq "freed areas are lazy until a purge" "$((257 + 5))" \
    "$(j '$.vm.vmalloc_lazy_pages')"
check "page-table pages were taken" test "$(j '$.vm.pagetable_pages')" -gt 0

ok_run "--dump vmallocinfo" "$KMSIM" --config "$configs/tiny.yaml" \
    --trace "$vm/vmalloc.yaml" --no-db --quiet --dump vmallocinfo
check "the unpurged areas, as /proc/vmallocinfo prints them" grep -Eq \
    '^0xffffc90000000000-0xffffc90000101000 1052672 unpurged vm_area$' "$tmp/out"

ok_run "stacks without VMAP_STACK" "$KMSIM" --config "$configs/tiny.yaml" \
    --set machine.vmap_stack=off --trace "$vm/vmalloc.yaml" --no-db \
    --quiet --json --check
cp "$tmp/out" "$tmp/nv.json"
expect_eq "the stack is an order-2 block: no vmap area for it" "257" \
    "$(sql "$db" "select json_extract(readfile('$tmp/nv.json'), '\$.vm.vmalloc_lazy_pages')")"

ok_run "no TLB model" "$KMSIM" --config "$configs/tiny.yaml" \
    --set machine.tlb=none --trace "$vm/vmalloc.yaml" --no-db --quiet --json
check "no TLB counters" sh -c "! grep -q tlb_accesses '$tmp/out'"

expect_fail "vfree of a page block" 1 \
    "bad-vfree.yaml:4:5: vfree of id 'p' that is not vmalloc'd" \
    "$KMSIM" --config "$configs/tiny.yaml" --trace "$vm/bad-vfree.yaml" --no-db

ok_run "kmap on a 32-bit machine" "$KMSIM" \
    --config "$top_srcdir/configs/x86-32.yaml" --trace "$vm/kmap32.yaml" \
    --no-db --quiet --json --check
cp "$tmp/out" "$tmp/k.json"
k() { sql "$db" "select json_extract(readfile('$tmp/k.json'), '$1')"; }
expect_eq "two kmap() calls, one of a lowmem page" "2" "$(k '$.vm.kmap_calls')"
expect_eq "no slot held at the end" "0" "$(k '$.vm.kmap_slots_in_use')"
done_testing
