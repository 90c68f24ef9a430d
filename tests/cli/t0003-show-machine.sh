# t0003-show-machine: what --show-machine prints for the bundled machines.
. "$top_srcdir/tests/lib.sh"

ok_run "numa4 shows" "$KMSIM" --config "$configs/numa4.yaml" --show-machine
cp "$tmp/out" "$tmp/numa4"
check "four nodes, sixteen cpus" grep -q '^machine numa4: 4 nodes, 16 cpus' "$tmp/numa4"
check "16 bytes per frame" grep -q '(16 bytes per frame, 16777216 frames)' "$tmp/numa4"
check "node 1 starts at 16 GiB" grep -q '^node 1: pfn 0x400000-0x800000, 16 GiB present, cpus 4,5,6,7' "$tmp/numa4"
# x86-64 zones: DMA below 16 MiB, DMA32 below 4 GiB, Normal above
check "node 0 DMA" grep -q 'zone DMA      pfn 0-0x1000 spanned 4096 ' "$tmp/numa4"
check "node 0 DMA32" grep -q 'zone DMA32    pfn 0x1000-0x100000 spanned 1044480 ' "$tmp/numa4"
check "node 0 Normal" grep -q 'zone Normal   pfn 0x100000-0x400000 spanned 3145728 ' "$tmp/numa4"
# build_zonelists(): own node from the highest zone down, then by distance
expect_eq "node 0 zonelist by distance" "0/Normal 0/DMA32 0/DMA 1/Normal 3/Normal 2/Normal" \
    "$(sed -n '/^node 0:/,/^node 1:/s/^  zonelist: //p' "$tmp/numa4")"
expect_eq "node 2 zonelist by distance" "2/Normal 1/Normal 3/Normal 0/Normal 0/DMA32 0/DMA" \
    "$(sed -n '/^node 2:/,/^node 3:/s/^  zonelist: //p' "$tmp/numa4")"
# __setup_per_zone_wmarks(): min watermarks share min_free_kbytes by
# managed pages, so they add up to it (within rounding)
mfk=$(sed -n 's/^min_free_kbytes \([0-9]*\),.*/\1/p' "$tmp/numa4")
sum=$(sed -n 's/^    watermarks min \([0-9]*\) .*/\1/p' "$tmp/numa4" | awk '{ s += $1 } END { print s }')
check "min watermarks add up to min_free_kbytes" test $((mfk / 4 - sum)) -ge 0 -a $((mfk / 4 - sum)) -le 6
# setup_per_zone_lowmem_reserve(): DMA protects 1044480/256 for DMA32
check "DMA lowmem protection" grep -q 'protection (0, 4080, 16368, 16368, 16368)' "$tmp/numa4"

check "the dirty limits" grep -q '^dirty_ratio 20, dirty_background_ratio 10, dirty_expire_centisecs 3000, dirty_writeback_centisecs 500$' "$tmp/numa4"
check "the default disk" grep -q '^disk sda: 500 MiB/s, latency 100 us, queue depth 32, read_ahead_kb 128, folios up to order 0$' "$tmp/numa4"
ok_run "disks and dirty bytes from --set" "$KMSIM" --config "$configs/tiny.yaml" \
    --set vm.dirty_bytes=64M --set disks.0.name=nvme0 --set disks.0.bandwidth=3G \
    --show-machine
check "... dirty_bytes" grep -q '^dirty_bytes 64 MiB, dirty_background_ratio 10,' "$tmp/out"
check "... the disk" grep -q '^disk nvme0: 3 GiB/s, latency 100 us,' "$tmp/out"

ok_run "uma shows" "$KMSIM" --config "$configs/uma.yaml" --show-machine
check "uma is one node" grep -q '^machine uma: 1 node, 8 cpus' "$tmp/out"
ok_run "tiny shows" "$KMSIM" --config "$configs/tiny.yaml" --show-machine
check "tiny has DMA and DMA32" test "$(grep -c '^  zone ' "$tmp/out")" = 2
done_testing
