# t8000-dump: --dump, --dump-at and --dump-file print the machine as the
# kernel prints /proc/buddyinfo, /proc/pagetypeinfo and /proc/zoneinfo,
# laid out as a real capture's files are.
. "$top_srcdir/tests/lib.sh"
tiny=$configs/tiny.yaml
real=$fixtures/bundle-small/before

# Four ops a millisecond apart: order-10 movable blocks from DMA32 (12 of
# them at boot), one given back at the end.
cat >"$tmp/timed.yaml" <<'EOF'
kmsim-trace: 1
ops:
  - {op: alloc_pages, id: a, order: 10, gfp: GFP_HIGHUSER_MOVABLE, ts: 0}
  - {op: alloc_pages, id: b, order: 10, gfp: GFP_HIGHUSER_MOVABLE, ts: 1000000}
  - {op: alloc_pages, id: c, order: 10, gfp: GFP_HIGHUSER_MOVABLE, ts: 2000000}
  - {op: free_pages, id: a, ts: 3000000}
EOF
timed() {
	"$KMSIM" --config "$tiny" --trace "$tmp/timed.yaml" --no-db -q "$@"
}
# the run's simulated length, which --dump-at must not change
ok_run "the timed trace runs" timed --json
end=$(sed -n 's/^ *"sim_ns": \([0-9]*\),*$/\1/p' "$tmp/out")
check "it ends after its last op, at 3 ms" test "$end" -ge 3000000

# --- one dump: the kernel's file, nothing else -----------------------------
ok_run "--dump buddyinfo" timed --dump buddyinfo
cp "$tmp/out" "$tmp/buddyinfo"
# two of DMA32's twelve 4 MiB blocks are still allocated at the end
expect_eq "the end state, nothing else" \
    "Node 0, zone      DMA      0      0      0      0      0      0      0      0      0      0      4 
Node 0, zone    DMA32      0      0      0      0      0      0      0      0      0      0     10 " \
    "$(cat "$tmp/buddyinfo")"
# frag_show_print()'s columns: the same widths as a real capture's
expect_eq "line lengths as in a real /proc/buddyinfo" \
    "$(head -n 2 "$real/buddyinfo" | awk '{ print length }')" \
    "$(awk '{ print length }' "$tmp/buddyinfo")"

ok_run "--dump pagetypeinfo" timed --dump pagetypeinfo
cp "$tmp/out" "$tmp/pagetypeinfo"
# the same kernel build as the capture: no CMA, 11 orders, 2 MiB blocks
for n in 1 2 3 4; do
	expect_eq "pagetypeinfo line $n as the real one" \
	    "$(sed -n "${n}p" "$real/pagetypeinfo")" \
	    "$(sed -n "${n}p" "$tmp/pagetypeinfo")"
done
expect_eq "the blocks table's heading as the real one" \
    "$(grep '^Number of blocks type' "$real/pagetypeinfo")" \
    "$(grep '^Number of blocks type' "$tmp/pagetypeinfo")"
expect_eq "free-list rows as long as the real ones" \
    "$(grep ', type ' "$real/pagetypeinfo" | awk '{ print length }' | sort -u)" \
    "$(grep ', type ' "$tmp/pagetypeinfo" | awk '{ print length }' | sort -u)"
expect_eq "five types in two zones" "10" "$(grep -c ', type ' "$tmp/pagetypeinfo")"
check "the mixed-blocks table follows (page_owner's)" \
    grep -q '^Number of mixed blocks    Unmovable      Movable  Reclaimable   HighAtomic      Isolate $' "$tmp/pagetypeinfo"

# --- zoneinfo: every line kind in a real capture's order ---------------------
ok_run "--dump zoneinfo" timed --dump zoneinfo
cp "$tmp/out" "$tmp/zoneinfo"
# kinds FILE: numbers as N, zone names unpadded, protection lists alike
kinds() {
	sed -e 's/[0-9][0-9]*/N/g' -e 's/^\(Node N, zone\)  */\1 /' \
	    -e 's/(N\(, N\)*)/(N, ...)/' "$1"
}
kinds "$real/zoneinfo" >"$tmp/real.kinds"
kinds "$tmp/zoneinfo" >"$tmp/dump.kinds"
# Each zone of the dump against the real zone of its sort (a node's first
# populated zone, another populated one, an empty one): the dump's lines
# must appear in the real zone's lines, in the same order.
cat >"$tmp/order.awk" <<'EOF'
/^Node N, zone / { b[FILENAME]++; name[FILENAME, b[FILENAME]] = $4 }
{
	k = FILENAME SUBSEP b[FILENAME]
	line[k, ++cnt[k]] = $0
	if ($0 == "  per-node stats")
		cls[k] = "first"
	else if ($0 == "  pagesets" && cls[k] == "")
		cls[k] = "populated"
}
END {
	real = ARGV[1]; dump = ARGV[2]
	for (i = 1; i <= b[real]; i++) {
		k = real SUBSEP i
		c = cls[k] == "" ? "empty" : cls[k]
		if (!(c in ref))
			ref[c] = k
	}
	j = 1
	for (i = 1; i <= b[dump]; i++) {
		k = dump SUBSEP i
		c = cls[k] == "" ? "empty" : cls[k]
		if (!(c in ref)) {
			print "no " c " zone in the real file"; exit 1
		}
		r = ref[c]
		m = 2
		for (l = 2; l <= cnt[k]; l++) {
			while (m <= cnt[r] && line[r, m] != line[k, l])
				m++
			if (m > cnt[r]) {
				print "zone " i " (" c "): '" line[k, l] "'"
				exit 1
			}
			m++
		}
		# the zones themselves in the kernel's order
		while (j <= b[real] && name[real, j] != name[dump, i])
			j++
		if (j > b[real]) {
			print "zone " name[dump, i] " out of order"; exit 1
		}
	}
	print b[dump] " zones"
}
EOF
expect_eq "zoneinfo's lines in the real capture's order" "4 zones" \
    "$(awk -f "$tmp/order.awk" "$tmp/real.kinds" "$tmp/dump.kinds")"
expect_eq "zones as the kernel lists them: no HighMem on x86-64" \
    "DMA DMA32 Normal Movable" \
    "$(sed -n 's/^Node 0, zone *//p' "$tmp/zoneinfo" | tr '\n' ' ' | sed 's/ $//')"
expect_eq "the empty zones end at protection, as the kernel's do" \
    "        protection: (0, 0, 0, 0)
Node 0, zone  Movable" \
    "$(sed -n '/^Node 0, zone   Normal$/,/^Node 0, zone  Movable$/p' "$tmp/zoneinfo" | tail -n 2)"
expect_eq "two CPUs in each populated zone's pagesets" "4" \
    "$(grep -c '^    cpu: ' "$tmp/zoneinfo")"

# --- a captured machine: --config auto at time 0 is the capture's ---------
ok_run "a bundle's machine dumped as it starts" "$KMSIM" --config auto \
    --trace "$fixtures/bundle-small" --no-db -q --dump zoneinfo \
    --dump-at 0 --dump-file "$tmp/auto.txt"
sizes() {
	grep -E '^Node |^ +(spanned|present|managed) |^  start_pfn:'
}
expect_eq "zone sizes and start pfns as in the capture's zoneinfo" \
    "$(sed '/^Node 0, zone   Device$/,$d' "$real/zoneinfo" | sizes)" \
    "$(sed -n '/^==> zoneinfo at 0 ns <==$/,/^==> /p' "$tmp/auto.txt" | sizes)"

# --- several dumps: a header before each ------------------------------------
ok_run "--dump-at" timed --dump buddyinfo --dump-at 2500us,1ms,0,1.5ms,3ms,1.5ms,10s
cp "$tmp/out" "$tmp/at"
cp "$tmp/err" "$tmp/at.err"
expect_eq "a dump at each time, sorted, then the end" \
    "==> buddyinfo at 0 ns <==
==> buddyinfo at 1000000 ns <==
==> buddyinfo at 1500000 ns <==
==> buddyinfo at 2500000 ns <==
==> buddyinfo at 3000000 ns <==
==> buddyinfo at $end ns (end) <==" "$(grep '^==>' "$tmp/at")"
# the state after every op before the time, and before any at it
expect_eq "order-10 blocks of DMA32 at each time" "12 11 10 9 9 10" \
    "$(awk '/^Node 0, zone    DMA32/ { printf "%s%s", s, $NF; s = " " }' "$tmp/at")"
check "a time past the end is reported" \
    grep -q '^kmsim: --dump-at: 1 time from 10000000000 ns on not dumped: the run ended at '"$end"' ns$' "$tmp/at.err"
ok_run "--dump buddyinfo --dump zoneinfo" timed --dump buddyinfo \
    --dump zoneinfo,buddyinfo
expect_eq "kinds in a fixed order, each with its header" \
    "==> buddyinfo at $end ns (end) <==
==> zoneinfo at $end ns (end) <==" "$(grep '^==>' "$tmp/out")"
check "the zoneinfo section is the whole file" sh -c \
    "sed '1,/^==> zoneinfo/d' '$tmp/out' | cmp -s - '$tmp/zoneinfo'"

# --- --dump-file, and standard output shared with --json ---------------------
ok_run "--dump-file" timed --dump buddyinfo --dump-at 1ms \
    --dump-file "$tmp/dumps.txt"
check "nothing on standard output" test ! -s "$tmp/out"
expect_eq "the file has both dumps" "2" "$(grep -c '^==> buddyinfo' "$tmp/dumps.txt")"
ok_run "--json with --dump-file" timed --json --dump zoneinfo \
    --dump-at 10s --dump-file "$tmp/z.txt"
expect_eq "a time past the end does not stretch the run" "$end" \
    "$(sed -n 's/^ *"sim_ns": \([0-9]*\),*$/\1/p' "$tmp/out")"
check "the file has the end dump" grep -q "^==> zoneinfo at $end ns (end) <==\$" "$tmp/z.txt"

# --- bad values: a clear message, usage status 2 -----------------------------
expect_fail "unknown kind" 2 \
    "^kmsim: --dump: unknown kind 'vmstat' \(buddyinfo, pagetypeinfo, zoneinfo, slabinfo, vmallocinfo\)$" \
    timed --dump buddyinfo,vmstat
expect_fail "empty kind" 2 "^kmsim: --dump: empty kind in ''" timed --dump ''
expect_fail "time without a unit" 2 \
    "^kmsim: --dump-at: '5' has no unit \(ns, us, ms, s\)$" \
    timed --dump buddyinfo --dump-at 5
expect_fail "unknown unit" 2 "^kmsim: --dump-at: '5m' has an unknown unit 'm'" \
    timed --dump buddyinfo --dump-at 5m
expect_fail "negative time" 2 "^kmsim: --dump-at: '-1ms' is negative" \
    timed --dump buddyinfo --dump-at -1ms
expect_fail "below a nanosecond" 2 "finer than a nanosecond" \
    timed --dump buddyinfo --dump-at 0.5ns
expect_fail "empty time" 2 "^kmsim: --dump-at: empty time in '1ms,,2ms'" \
    timed --dump buddyinfo --dump-at 1ms,,2ms
expect_fail "--dump-at without --dump" 2 "^kmsim: --dump-at needs --dump KIND" \
    timed --dump-at 1ms
expect_fail "--dump-file without --dump" 2 "^kmsim: --dump-file needs --dump KIND" \
    timed --dump-file "$tmp/x"
expect_fail "empty --dump-file" 2 "^kmsim: empty --dump-file path" \
    timed --dump zoneinfo --dump-file ''
expect_fail "--json and dumps on standard output" 2 \
    "^kmsim: --dump and --json would both write to standard output: give --dump-file FILE" \
    timed --dump zoneinfo --json
expect_fail "--json and --dump-file -" 2 "would both write to standard output" \
    timed --dump zoneinfo --json --dump-file -
expect_fail "--dump with --show-machine" 2 "^kmsim: --dump needs a run, not --show-machine" \
    "$KMSIM" --config "$tiny" --show-machine --dump zoneinfo
expect_fail "--dump with --parse-only" 2 "^kmsim: --dump needs a run, not --parse-only" \
    "$KMSIM" --parse-only --trace "$tmp/timed.yaml" --dump zoneinfo
expect_fail "an unwritable --dump-file" 1 "^kmsim: $tmp/nodir/d.txt: No such file or directory" \
    timed --dump zoneinfo --dump-file "$tmp/nodir/d.txt"
if [ -w /dev/full ]; then
	expect_fail "a full disk" 1 "^kmsim: /dev/full: cannot write the dumps" \
	    timed --dump zoneinfo --dump-file /dev/full
fi
done_testing
