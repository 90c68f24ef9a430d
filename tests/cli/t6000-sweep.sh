# t6000-sweep: kmsim --set and --seed, and kmsim-sweep run locally: the
# grid, shards, resume, the merged database, CI gates and bad input.
. "$top_srcdir/tests/lib.sh"
need_sqlite3
: "${KMSIM_SWEEP:=$top_builddir/kmsim-sweep}"
sweep=$fixtures/sweep/grid.yaml
small=$fixtures/sweep/small.yaml

# --- kmsim --set and --seed ---
ok_run "--set overrides keys, --seed is recorded" "$KMSIM" \
    --config "$configs/tiny.yaml" --trace "$small" --db "$tmp/set.db" --quiet \
    --set machine.max_order=9 --set vm.watermark_scale_factor=40 \
    --set machine.nodes.0.memory=32M --set metrics.snapshot_interval_ms=5 \
    --seed 7
expect_eq "the overridden values are in config_json" "9|40|33554432|5000000" \
    "$(sql "$tmp/set.db" "select json_extract(config_json, '\$.machine.max_order'), json_extract(config_json, '\$.vm.watermark_scale_factor'), json_extract(config_json, '\$.machine.nodes[0].memory'), json_extract(config_json, '\$.metrics.snapshot_interval_ns') from runs")"
expect_eq "the seed is a counter" "7.0" \
    "$(sql "$tmp/set.db" "select value from counters where name = 'seed'")"
expect_fail "--set a value the reader refuses" 1 \
    "tiny.yaml:[0-9]+:[0-9]+: max_order: '99' is out of range .*\(set by --set\)" \
    "$KMSIM" --config "$configs/tiny.yaml" --set machine.max_order=99 --show-machine
expect_fail "--set an unknown key" 1 "unknown key 'bogus' in machine \(set by --set\)" \
    "$KMSIM" --config "$configs/tiny.yaml" --set machine.bogus=1 --show-machine
expect_fail "--set a bad index" 1 "^kmsim: --set 'machine.nodes.4.memory=1G': bad index '4'" \
    "$KMSIM" --config "$configs/tiny.yaml" --set machine.nodes.4.memory=1G --show-machine
expect_fail "--set a mapping" 1 "^kmsim: --set 'machine=1': 'machine' is not a scalar" \
    "$KMSIM" --config "$configs/tiny.yaml" --set machine=1 --show-machine
expect_fail "--set below a scalar" 1 "'machine.max_order' is a scalar" \
    "$KMSIM" --config "$configs/tiny.yaml" --set machine.max_order.x=1 --show-machine
expect_fail "--set without =" 2 "^kmsim: --set 'machine.max_order': expected KEY=VALUE" \
    "$KMSIM" --config "$configs/tiny.yaml" --set machine.max_order --show-machine
expect_fail "--seed not a number" 2 "^kmsim: --seed 'x'" \
    "$KMSIM" --config "$configs/tiny.yaml" --seed x --show-machine

# ${seed} in a YAML trace (a loop variable of that name hides it)
cat > "$tmp/seed.yaml" <<'T'
kmsim-trace: 1
ops:
  - {op: alloc_pages, id: "s${seed}", order: "${seed % 4}", gfp: GFP_KERNEL}
  - repeat: 2
    var: seed
    ops:
      - {op: alloc_pages, id: "inner${seed}", order: 0, gfp: GFP_KERNEL}
  - {op: free_pages, id: inner1}
  - {op: free_pages, id: s3, order: 3}
T
ok_run "\${seed} is --seed" "$KMSIM" --config "$configs/tiny.yaml" \
    --trace "$tmp/seed.yaml" --no-db --quiet --seed 3
expect_fail "\${seed} is 0 by default" 1 "seed.yaml:9:5: free of id 's3' that is not allocated" \
    "$KMSIM" --config "$configs/tiny.yaml" --trace "$tmp/seed.yaml" --no-db --quiet
for s in 0 1; do
	ok_run "a sweep trace with --seed $s" "$KMSIM" --config "$configs/tiny.yaml" \
	    --trace "$small" --db "$tmp/seed.db" --quiet --seed $s
done
run0=$(sql "$tmp/seed.db" "select nr_free from buddyinfo b join snapshots s on s.snapshot_id = b.snapshot_id and s.is_final = 1 where b.run_id = 1 order by b.zone, b.ord" | tr '\n' ' ')
run1=$(sql "$tmp/seed.db" "select nr_free from buddyinfo b join snapshots s on s.snapshot_id = b.snapshot_id and s.is_final = 1 where b.run_id = 2 order by b.zone, b.ord" | tr '\n' ' ')
check "a different seed, a different end state" test "$run0" != "$run1"

# --- the grid ---
ok_run "--list" "$KMSIM_SWEEP" "$sweep" --list
expect_eq "--list prints the 4 points in order" \
"0	trace=small.yaml, vm.watermark_scale_factor=10, machine.max_order=9, seed=0
1	trace=small.yaml, vm.watermark_scale_factor=10, machine.max_order=10, seed=0
2	trace=small.yaml, vm.watermark_scale_factor=100, machine.max_order=9, seed=0
3	trace=small.yaml, vm.watermark_scale_factor=100, machine.max_order=10, seed=0" \
    "$(cat "$tmp/out")"

# --- resume: two points by hand, then the sweep runs the other two ---
db=$tmp/sweep.db
ok_run "--point 0" "$KMSIM_SWEEP" "$sweep" --db "$db" --point 0 --kmsim "$KMSIM"
ok_run "--point 2" "$KMSIM_SWEEP" "$sweep" --db "$db" --point 2 --kmsim "$KMSIM"
check "--point 0 wrote its shard" test -s "$db.shards/point-000000.db"
ok_run "--point 2 again is skipped" "$KMSIM_SWEEP" "$sweep" --db "$db" --point 2 --kmsim "$KMSIM"
check "... and says so" grep -q "point 2 is already complete, skipped" "$tmp/err"
ok_run "the sweep" "$KMSIM_SWEEP" "$sweep" --db "$db" -j 2 --kmsim "$KMSIM"
check "it skips the 2 complete points and runs 2" \
    grep -q "4 points: 2 already complete (skipped), 2 to run" "$tmp/err"
expect_eq "4 complete runs merged" "4|complete" \
    "$(sql "$db" "select count(*), group_concat(distinct status) from runs")"
expect_eq "the params table, per run" \
"machine.max_order=9 point=0 seed=0 trace=small.yaml vm.watermark_scale_factor=10
machine.max_order=10 point=1 seed=0 trace=small.yaml vm.watermark_scale_factor=10
machine.max_order=9 point=2 seed=0 trace=small.yaml vm.watermark_scale_factor=100
machine.max_order=10 point=3 seed=0 trace=small.yaml vm.watermark_scale_factor=100" \
    "$(sql "$db" "select group_concat(kv, ' ') from (select p.run_id, p.key || '=' || p.value as kv, (select cast(value as integer) from params q where q.run_id = p.run_id and q.key = 'point') as pt from params p order by pt, p.key) group by run_id order by min(pt)")"
expect_eq "5 params per run, no more" "20" "$(sql "$db" "select count(*) from params")"
expect_eq "each run's config_json has its own values" "0" \
    "$(sql "$db" "select count(*) from runs r where json_extract(r.config_json, '\$.machine.max_order') <> (select cast(value as integer) from params where run_id = r.run_id and key = 'machine.max_order') or json_extract(r.config_json, '\$.vm.watermark_scale_factor') <> (select cast(value as integer) from params where run_id = r.run_id and key = 'vm.watermark_scale_factor')")"
expect_eq "the runs' max_order values" "9,9,10,10" \
    "$(sql "$db" "select group_concat(m) from (select json_extract(config_json, '\$.machine.max_order') as m from runs order by m)")"
expect_eq "every run has its snapshots, with final ones" "4" \
    "$(sql "$db" "select count(*) from snapshots where is_final = 1")"
expect_eq "fragmentation rows point at the merged snapshots" "0" \
    "$(sql "$db" "select count(*) from fragmentation f left join snapshots s on s.snapshot_id = f.snapshot_id where s.run_id is not f.run_id")"
expect_eq "latency and counters came along" "4|4" \
    "$(sql "$db" "select count(distinct run_id), (select count(*) from counters where name = 'seed') from latency")"
ok_run "running it again does nothing" "$KMSIM_SWEEP" "$sweep" --db "$db" --kmsim "$KMSIM"
check "... it skips all 4" grep -q "4 already complete (skipped), 0 to run" "$tmp/err"
expect_eq "... and merges nothing twice" "4" "$(sql "$db" "select count(*) from runs")"
ok_run "--merge into a second database" "$KMSIM_SWEEP" "$sweep" --db "$tmp/m2.db" \
    --shards "$db.shards" --merge
expect_eq "the same params" "$(sql "$db" "select run_id, key, value from params order by 1, 2")" \
    "$(sql "$tmp/m2.db" "select run_id, key, value from params order by 1, 2")"

# --- CI gates ---
run "$KMSIM_SWEEP" --db "$db" \
    --check 'unusable_index(order=9, zone=DMA32) < 0.01' --check 'failures() == 0'
expect_eq "a gate that fails exits 1" 1 "$status"
check "the FAIL line names the run and its parameters" grep -Eq \
    "^FAIL run 1 \(trace=small.yaml, machine.max_order=9, vm.watermark_scale_factor=10, seed=0, point=0\): unusable_index\(order=9, zone=DMA32\) = 0\.[0-9]+, not < 0.01$" "$tmp/out"
expect_eq "one FAIL line per run" "4" "$(grep -c '^FAIL' "$tmp/out")"
check "the passing check says OK" grep -q "^OK failures() == 0 (4 runs)" "$tmp/out"
ok_run "gates that pass" "$KMSIM_SWEEP" --db "$db" \
    --check 'unusable_index(order=9, zone=DMA32) < 0.9' \
    --check 'p99(alloc_pages) < 1000000' --check 'free_pages(zone=DMA32) > 0'
expect_eq "one OK line per check" "3" "$(grep -c '^OK' "$tmp/out")"
run "$KMSIM_SWEEP" --db "$db" --check 'unusable_index(order=9, zone=Normal) < 0.6'
expect_eq "a zone the machine lacks fails the gate" 1 "$status"
check "... saying so" grep -q "no such zone" "$tmp/out"
ok_run "--json" "$KMSIM_SWEEP" --db "$db" --json --check 'failures() == 0'
cp "$tmp/out" "$tmp/checks.json"
expect_eq "--json holds the check's result per run" "1|4" \
    "$(sql "$db" "select json_extract(readfile('$tmp/checks.json'), '\$.checks[0].ok'), json_array_length(readfile('$tmp/checks.json'), '\$.checks[0].runs')")"
expect_fail "a bad --check: unknown function" 2 \
    "^kmsim-sweep: --check 'p98\(alloc_pages\) < 1': col 1: unknown function 'p98'" \
    "$KMSIM_SWEEP" --db "$db" --check 'p98(alloc_pages) < 1'
expect_fail "a bad --check: no comparison" 2 "col 17: expected a comparison" \
    "$KMSIM_SWEEP" --db "$db" --check 'p99(alloc_pages)'
expect_fail "a bad --check: missing order" 2 "needs order=N" \
    "$KMSIM_SWEEP" --db "$db" --check 'unusable_index(zone=DMA32) < 1'

# --- a failing point ---
mkdir -p "$tmp/bad"
cp "$small" "$tmp/bad/small.yaml"
cat > "$tmp/bad/fail.yaml" <<'T'
kmsim-trace: 1
ops:
  - {op: free_pages, id: nothing}
T
cat > "$tmp/bad/sweep.yaml" <<T
base: $configs/tiny.yaml
traces: [small.yaml, fail.yaml]
T
expect_fail "a failing point fails the sweep after the others" 1 \
    "point 1 \(trace=fail.yaml, seed=0, point=1\) failed: kmsim: .*fail.yaml:3:5: free of id 'nothing'" \
    "$KMSIM_SWEEP" "$tmp/bad/sweep.yaml" --db "$tmp/bad.db" --kmsim "$KMSIM" -j 1
expect_eq "the other point is merged" "1" "$(sql "$tmp/bad.db" "select count(*) from runs")"

# --- bad sweep files ---
badsweep() {
	printf '%s\n' "$2" > "$tmp/bad/s.yaml"
	expect_fail "$1" 1 "^kmsim-sweep: $tmp/bad/s.yaml:$3" \
	    "$KMSIM_SWEEP" "$tmp/bad/s.yaml" --list
}
badsweep "unknown key" "base: $configs/tiny.yaml
traces: [small.yaml]
colour: red" "3:1: unknown key 'colour'"
badsweep "no traces" "base: $configs/tiny.yaml" "1:1: missing key 'traces'"
badsweep "an empty value list" "base: $configs/tiny.yaml
traces: [small.yaml]
params:
  machine.max_order: []" "4:22: machine.max_order: the list of values is empty"
badsweep "a range going down" "base: $configs/tiny.yaml
traces: [small.yaml]
params:
  machine.max_order: {from: 10, to: 9}" "4:37: machine.max_order: to: 9 is below from"
badsweep "a value the config refuses" "base: $configs/tiny.yaml
traces: [small.yaml]
params:
  machine.max_order: [9, 99]" "4:26: machine.max_order: .*out of range"
badsweep "a trace that is missing" "base: $configs/tiny.yaml
traces: [small.yaml, nope.yaml]" "2:22: traces: .*nope.yaml: No such file"
badsweep "repeats 0" "base: $configs/tiny.yaml
traces: [small.yaml]
repeats: 0" "3:10: repeats: '0' is out of range"
badsweep "a YAML syntax error" "base: [" "2:1: "
expect_fail "--point out of range" 2 "the sweep has 4 points" \
    "$KMSIM_SWEEP" "$sweep" --db "$tmp/x.db" --point 4
expect_fail "no sweep file and no check" 2 "no sweep file" "$KMSIM_SWEEP"

# --- --dry-run: the kmsim command of each point ---
ok_run "--dry-run" "$KMSIM_SWEEP" "$sweep" --db "$tmp/dry.db" --dry-run --kmsim /bin/kmsim
expect_eq "--dry-run prints one command per point" "4" "$(grep -c '^/bin/kmsim --config ' "$tmp/out")"
check "the command sets the point's values" grep -q \
    "^/bin/kmsim --config .*tiny.yaml --set vm.watermark_scale_factor=100 --set machine.max_order=10 --trace .*small.yaml --seed 0 --mode simulate --db $tmp/dry.db.shards/point-000003.db --quiet$" "$tmp/out"
done_testing
