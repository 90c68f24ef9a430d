# t5000-bundle: capture bundles (directory and ustar tar), --config auto,
# and replay of a real capture checked against the kernel's snapshots.
. "$top_srcdir/tests/lib.sh"
need_sqlite3
small=$fixtures/bundle-small

# --config auto rebuilds the machine the capture was taken on: the
# watermarks and protections must be the kernel's own (before/zoneinfo)
ok_run "--config auto shows the captured machine" \
    "$KMSIM" --config auto --trace "$small" --show-machine
cp "$tmp/out" "$tmp/auto"
check "two cpus, one node" grep -q '^machine auto:bundle-small: 1 node, 2 cpus' "$tmp/auto"
for z in DMA DMA32 Normal; do
	want=$(awk -v z="$z" '
		$1 == "Node" && $4 == z { on = 1; next }
		$1 == "Node" { on = 0 }
		on && $1 == "min" { min = $2 } on && $1 == "low" { low = $2 }
		on && $1 == "high" { high = $2 } on && $1 == "promo" { promo = $2 }
		on && $1 == "present" { present = $2 } on && $1 == "managed" { managed = $2 }
		END { printf "present %s managed %s | min %s low %s high %s promo %s", present, managed, min, low, high, promo }' \
	    "$small/before/zoneinfo")
	got=$(awk -v z="$z" '
		$1 == "zone" && $2 == z { for (i = 3; i < NF; i++) if ($i == "present" || $i == "managed") v[$i] = $(i + 1); getline
			printf "present %s managed %s | min %s low %s high %s promo %s", v["present"], v["managed"], $3, $5, $7, $9 }' "$tmp/auto")
	expect_eq "zone $z as the kernel had it" "$want" "$got"
done
prot=$(sed -n '/zone      DMA$/,/start_pfn/s/^ *protection: //p' "$small/before/zoneinfo")
check "DMA lowmem protection as the kernel had it ($prot)" grep -q "protection $prot" "$tmp/auto"

# the same bundle as a ustar tar, with and without a top directory
(cd "$small" && tar --format=ustar -cf "$tmp/flat.tar" .)
(cd "$small/.." && tar --format=ustar -cf "$tmp/nested.tar" bundle-small)
for t in flat nested; do
	ok_run "a $t tar bundle reads" "$KMSIM" --config auto --trace "$tmp/$t.tar" --show-machine
	sed 's/^machine auto:[^:]*:/machine auto:X:/' "$tmp/out" > "$tmp/$t.out"
	sed 's/^machine auto:[^:]*:/machine auto:X:/' "$tmp/auto" > "$tmp/auto.norm"
	check "the $t tar gives the same machine" cmp -s "$tmp/$t.out" "$tmp/auto.norm"
done
(cd "$small" && tar --format=pax -cf "$tmp/pax.tar" .)
expect_fail "a pax tar is refused with advice" 1 "write it with --format=ustar" \
    "$KMSIM" --config auto --trace "$tmp/pax.tar" --show-machine
head -c 3000 "$tmp/flat.tar" > "$tmp/trunc.tar"
expect_fail "a truncated tar" 1 "^kmsim: $tmp/trunc.tar: (truncated tar|tar member)" \
    "$KMSIM" --config auto --trace "$tmp/trunc.tar" --show-machine

# broken bundles
mkdir "$tmp/b1" && printf '{"format": "kmsim-bundle", "version": 1,\n "trace": }\n' > "$tmp/b1/manifest.json"
expect_fail "a manifest that is not JSON" 1 "^kmsim: $tmp/b1/manifest.json:2:" \
    "$KMSIM" --config auto --trace "$tmp/b1" --show-machine
mkdir "$tmp/b2" && echo '{"format": "something-else", "version": 1}' > "$tmp/b2/manifest.json"
expect_fail "a manifest of another format" 1 "'format' is not 'kmsim-bundle'" \
    "$KMSIM" --config auto --trace "$tmp/b2" --show-machine
mkdir "$tmp/b3" && echo '{"format": "kmsim-bundle", "version": 1, "trace": "nope.txt"}' > "$tmp/b3/manifest.json"
expect_fail "a manifest naming a missing trace" 1 "'trace' names no member" \
    "$KMSIM" --config auto --trace "$tmp/b3" --show-machine
mkdir "$tmp/b4" && echo '{"format": "kmsim-bundle", "version": 2, "trace": "t"}' > "$tmp/b4/manifest.json"
expect_fail "a newer bundle version" 1 "unsupported bundle version" \
    "$KMSIM" --config auto --trace "$tmp/b4" --show-machine
expect_fail "--config auto without a bundle" 2 "needs a capture bundle" \
    "$KMSIM" --config auto --trace "$fixtures/run/fill-free.yaml"
expect_fail "an unknown mode" 2 "unknown mode 'fast'" \
    "$KMSIM" --config "$configs/tiny.yaml" --trace x --mode fast
expect_fail "replay of a YAML trace" 1 "replay needs a captured trace" \
    "$KMSIM" --config "$configs/tiny.yaml" --trace "$fixtures/run/fill-free.yaml" --mode replay --no-db

# replay of the real capture on its own machine (the default for a
# bundle with --config auto), checked against the kernel's last snapshot
ok_run "replay of the small capture" "$KMSIM" --config auto --trace "$small" \
    --db "$tmp/r.db" --json --quiet
cp "$tmp/out" "$tmp/replay.json"
j() { sql "$tmp/r.db" "select json_extract(readfile('$tmp/replay.json'), '$1')"; }
expect_eq "the mode is replay" "replay" "$(j '$.mode')"
expect_eq "every event was read" "29352" "$(j '$.trace_stats.events')"
expect_eq "each mm_page_free_batched is a repeat" "3206" "$(j '$.replay.batched_repeats')"
# This capture's snapshots were taken outside the traced window, so a
# little moved unseen; the frames the trace touched agree to 98.9 %.
check "the touched frames agree with the kernel (>= 98.5 %)" \
    awk -v v="$(j '$.replay.fidelity.touched_pct')" 'BEGIN { exit !(v >= 98.5) }'
check "all frames agree (>= 99.5 %)" \
    awk -v v="$(j '$.replay.fidelity.all_pct')" 'BEGIN { exit !(v >= 99.5) }'
check "untraced changes are reported" test "$(j '$.replay.fidelity.untraced_changed')" -gt 0
check "the end buddyinfo is within 1 % of the kernel's" \
    awk -v d="$(j '$.replay.fidelity.buddyinfo_diff')" -v t="$(j '$.replay.fidelity.buddyinfo_total')" \
    'BEGIN { exit !(t > 0 && d / t < 0.01) }'
expect_eq "the figures are in the database" "$(j '$.replay.fidelity.touched_pct')" \
    "$(sql "$tmp/r.db" "select value from counters where name = 'replay.fidelity.touched_pct'")"
# the seeded start is the kernel's: DMA32's first snapshot is its buddyinfo
expect_eq "the first snapshot's DMA32 is the kernel's before/buddyinfo" \
    "$(awk '$4 == "DMA32" { for (i = 5; i <= NF; i++) printf "%s%s", $i, (i < NF ? " " : "") }' "$small/before/buddyinfo")" \
    "$(sql "$tmp/r.db" "select group_concat(nr_free, ' ') from (select nr_free from buddyinfo where zone = 'DMA32' and snapshot_id = (select min(snapshot_id) from snapshots) order by ord)")"

# markers: replay runs from the first kpageflags read to the last; events
# during a read are compared apart (the read may or may not have seen them)
mkdir "$tmp/mk"
cp -r "$small/before" "$small/after" "$tmp/mk/"
xz -dc "$small/trace.txt.xz" | awk '
	function mark(t) {
		printf "    kmsim-record-1     [000] ...1.  1244.700000: tracing_mark_write: kmsim-record: %s\n", t
	}
	/^#/ { print; next }
	{ n++ }
	n == 1 { mark("before snapshot begin"); mark("before kpageflags begin") }
	n == 1001 { mark("before snapshot end") }
	n == 28001 { mark("after snapshot begin"); mark("after kpageflags begin") }
	n == 29001 { mark("after snapshot end") }
	{ print }' > "$tmp/mk/trace.txt"
sed -e 's/"trace": "trace.txt.xz"/"trace": "trace.txt"/' \
    -e 's/"snapshots":/"markers": {"before_begin": "kmsim-record: before snapshot begin", "before_end": "kmsim-record: before snapshot end", "after_begin": "kmsim-record: after snapshot begin", "after_end": "kmsim-record: after snapshot end", "before_kpageflags_begin": "kmsim-record: before kpageflags begin", "after_kpageflags_begin": "kmsim-record: after kpageflags begin"},\n  "snapshots":/' \
    "$small/manifest.json" > "$tmp/mk/manifest.json"
ok_run "replay between the markers" "$KMSIM" --config auto --trace "$tmp/mk" --no-db --json --quiet
cp "$tmp/out" "$tmp/mk.json"
jm() { sql "$tmp/r.db" "select json_extract(readfile('$tmp/mk.json'), '$1')"; }
expect_eq "the events after the last read began are not applied" \
    "$((29352 - 28000))" "$(jm '$.replay.outside_window')"
check "frames named during the reads are counted apart" \
    test "$(jm '$.replay.fidelity.ambiguous')" -gt 0
check "the others still agree (>= 98.5 %)" \
    awk -v v="$(jm '$.replay.fidelity.touched_pct')" 'BEGIN { exit !(v >= 98.5) }'

# simulate: the request stream placed by the model on another machine
ok_run "the capture simulated on numa4" "$KMSIM" --config "$configs/numa4.yaml" \
    --trace "$small" --no-db --json --quiet
cp "$tmp/out" "$tmp/sim.json"
js() { sql "$tmp/r.db" "select json_extract(readfile('$tmp/sim.json'), '$1')"; }
expect_eq "the mode is simulate" "simulate" "$(js '$.mode')"
expect_eq "every mm_page_alloc was simulated" "5865" "$(js '$.ops.alloc_pages')"
check "frees of pages allocated before the capture are counted" \
    test "$(js '$.capture.free_preexisting')" -gt 0
expect_eq "the allocator's own events are counted, not simulated" \
    "$((3206 + 126 + 2016))" "$(js '$.capture.allocator_internal')"

# simulate on the capture's own machine: from the state it began in, the
# frees of blocks allocated before it applied where the kernel made them
ok_run "the capture simulated on its own machine" "$KMSIM" --config auto \
    --mode simulate --trace "$small" --no-db --json --quiet --check
cp "$tmp/out" "$tmp/own.json"
jo() { sql "$tmp/r.db" "select json_extract(readfile('$tmp/own.json'), '$1')"; }
check "frees of the capture's own blocks are applied" \
    test "$(jo '$.capture.preexisting_freed')" -gt 0
check "... only to blocks it had" test \
    "$(jo '$.capture.preexisting_freed')" -le "$(jo '$.capture.free_preexisting')"
# the kernel's free pages at the end, zone by zone, against the model's
# free and per-cpu pages: within 0.5 % (the model's own placement and
# per-cpu lists differ, not the amount)
for zone in DMA DMA32 Normal; do
	kernel=$(awk -v z="$zone" '$4 == z { t = 0; for (i = 5; i <= NF; i++) t += $i * 2 ^ (i - 5); print t }' "$small/after/buddyinfo")
	model=$(sql "$tmp/r.db" "select json_extract(value, '\$.free_pages') + json_extract(value, '\$.pcp_pages') from json_each(json_extract(readfile('$tmp/own.json'), '\$.zones')) where json_extract(value, '\$.zone') = '$zone'")
	check "$zone: the model's free pages ($model) are within 0.5 % of the kernel's ($kernel)" \
	    awk -v m="$model" -v k="$kernel" 'BEGIN { d = m - k; if (d < 0) d = -d; exit !(k > 0 && d / k < 0.005) }'
done

# the trace alone, as ftrace text on stdin, decompressed on the fly
ok_run "the trace from stdin, xz-compressed" sh -c \
    "'$KMSIM' --config '$configs/uma.yaml' --trace - --no-db --quiet --json < '$small/trace.txt.xz'"
check "stdin gives the same op counts" sh -c "grep -q '\"alloc_pages\": 5865' '$tmp/out'"
ok_run "--parse-only counts the ops" "$KMSIM" --parse-only --trace "$small" --json
check "--parse-only sees 29352 ops" grep -q '"ops": 29352' "$tmp/out"
done_testing
