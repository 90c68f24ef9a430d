# t7001-report: kmsim-report writes one self-contained HTML page: a row per
# run, the summary tables (the event counters above 0 and the allocations
# per node pair and the slab caches among them), one inline SVG per plot
# of kmsim-plot, no
# reference to another file, every text from the database escaped; an
# older database without the page allocator's tables is reported too; and
# it reports errors as "kmsim-report: message" with exit 1 (usage errors
# exit 2), leaving no file behind.
. "$top_srcdir/tests/lib.sh"
need_sqlite3
[ -n "$GNUPLOT" ] || skip_all "gnuplot not found"
: "${KMSIM_REPORT:=$top_builddir/kmsim-report}"
: "${KMSIM_PLOT:=$top_builddir/kmsim-plot}"
KMSIM_ANALYSIS_DIR=$top_srcdir/analysis
export GNUPLOT SQLITE3 KMSIM_ANALYSIS_DIR KMSIM_PLOT
report=$KMSIM_REPORT
db=$tmp/r.db

check "kmsim-report is built" test -x "$report"

### Usage

ok_run "--help exits 0" "$report" --help
check "--help prints the usage" grep -q '^usage: kmsim-report DB -o FILE' "$tmp/out"
ok_run "-V exits 0" "$report" -V
check "-V prints the version" grep -Eq '^kmsim-report [0-9]' "$tmp/out"
expect_fail "no database" 2 "^kmsim-report: no database given" \
    "$report" -o "$tmp/x.html"
expect_fail "no output file" 2 "^kmsim-report: no output file given" "$report" "$db"
expect_fail "unknown option" 2 "^kmsim-report: unknown option '-z'" \
    "$report" "$db" -z -o "$tmp/x.html"
expect_fail "a run id that is not a number" 2 "run id '1x' is not a positive number" \
    "$report" "$db" --run 1x -o "$tmp/x.html"

### A database: a simulation, a replayed capture, a config whose path
### needs escaping, and a run on four nodes

weird="$tmp/cfg <&> \"q\".yaml"
cp "$configs/tiny.yaml" "$weird"
ok_run "run 1: a simulation" "$KMSIM" --config "$configs/tiny.yaml" \
    --trace "$fixtures/run/fill-free.yaml" --db "$db" --quiet
ok_run "run 2: a replayed capture" "$KMSIM" --config auto \
    --trace "$fixtures/bundle-small" --db "$db" --quiet
ok_run "run 3: a config named with <&>" "$KMSIM" --config "$weird" \
    --trace "$fixtures/run/exhaust.yaml" --db "$db" --quiet
# Nine allocations, six asking for node 0 and three for node 2, spread by
# the interleave policy round robin from node 0: node 0's go to nodes 0 1
# 2 3 0 1, node 2's to nodes 2 3 0.
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
ok_run "run 4: four nodes, interleaved" "$KMSIM" --config "$configs/numa4.yaml" \
    --set vm.mempolicy.mode=interleave --trace "$tmp/numa.yaml" --db "$db" --quiet
# Run 5: slab caches, two of its own and the kmalloc caches of 100 and
# 2000 bytes (kmalloc-128 and kmalloc-2k).
cat >"$tmp/slab.yaml" <<'EOF'
kmsim-trace: 1
name: slab-caches
ops:
  - {op: kmem_cache_create, cache: test_obj, size: 600, flags: SLAB_NO_MERGE}
  - {op: kmem_cache_create, cache: test_small, size: 40, flags: SLAB_NO_MERGE}
  - repeat: 40
    ops:
      - {op: kmem_cache_alloc, cache: test_obj, id: "o${i}"}
      - {op: kmem_cache_alloc, cache: test_small, id: "s${i}"}
      - {op: kmalloc, size: 100, id: "k${i}"}
      - {op: kmalloc, size: 2000, id: "l${i}"}
  - repeat: 20
    ops:
      - {op: kfree, id: "k${i}"}
      - {op: kmem_cache_free, id: "o${i}"}
EOF
ok_run "run 5: slab caches" "$KMSIM" --config "$configs/tiny.yaml" \
    --trace "$tmp/slab.yaml" --db "$db" --quiet

ok_run "a report on every run" "$report" "$db" -o "$tmp/report.html"
html=$tmp/report.html
expect_eq "it prints the file written" "$html" "$(cat "$tmp/out")"
check "the report exists and is not empty" test -s "$html"
expect_eq "it starts with the HTML5 doctype" '<!DOCTYPE html>' "$(head -n 1 "$html")"
check "it ends the document" sh -c "tail -n 1 '$html' | grep -q '^</html>\$'"
expect_eq "a table row per run" 5 "$(grep -c '<tr class="run">' "$html")"
for r in 1 2 3 4 5; do
	check "a section for run $r" grep -q "<section id=\"run-$r\">" "$html"
done

ok_run "the plots of the same runs" "$KMSIM_PLOT" "$db" --format svg -q -o "$tmp/p"
nplots=$(ls "$tmp/p" | wc -l | tr -d ' ')
check "kmsim-plot drew plots" test "$nplots" -gt 10
expect_eq "one inline <svg per plot" "$nplots" "$(grep -c '<svg' "$html")"
for f in "$tmp"/p/*.svg; do
	name=$(basename "$f" .svg)
	check "the plot $name is inlined" grep -q "<figcaption>$name.svg</figcaption>" "$html"
done
expect_eq "no external src= or href= reference" "" \
    "$(grep -Eo "(src|href)=[\"'][^#\"'][^\"']*" "$html" || true)"
expect_eq "no url() but to the page itself" "" \
    "$(grep -Eo 'url\([^#)][^)]*\)' "$html" || true)"
expect_eq "no <link>, <script>, <img> or <iframe>" "" \
    "$(grep -Eio '<(link|script|img|iframe)[ >]' "$html" || true)"
expect_eq "every id is unique" "" \
    "$(grep -Eo " id=[\"'][^\"']*" "$html" | cut -c6- | sort | uniq -d)"
grep -Eo "href=[\"']#[^\"']*" "$html" | cut -c8- | sort -u >"$tmp/refs"
grep -Eo " id=[\"'][^\"']*" "$html" | cut -c6- | sort -u >"$tmp/ids"
expect_eq "every #reference has its id" "" "$(comm -23 "$tmp/refs" "$tmp/ids")"
check "no XML declaration inside the page" sh -c "! grep -q '<?xml' '$html'"
if command -v xmllint >/dev/null 2>&1; then
	check "the page is well-formed (HTML5 in its XML form)" xmllint --noout "$html"
else
	tap_n=$((tap_n + 1))
	echo "ok $tap_n # SKIP xmllint not found: well-formedness"
fi

# What the tables hold.
check "the config path is escaped" \
    grep -q 'cfg &lt;&amp;&gt; &quot;q&quot;.yaml' "$html"
expect_eq "... and never raw" "" "$(grep -F 'cfg <&>' "$html" || true)"
sha=$(sql "$db" "select trace_sha256 from runs where run_id = 2")
check "the trace's sha256 is shown" grep -q "$sha" "$html"
check "the latency percentiles are shown" grep -q '<th>p99.9</th>' "$html"
check "... per op" grep -q '<td>mm_page_pcpu_drain</td>' "$html"
check "the failures of run 3 are shown" grep -q '<code>GFP_KERNEL</code>' "$html"
check "a run without failures says so" grep -q 'No allocation failed' "$html"
check "the final unusable index at orders 3 and 9" \
    grep -q '<th>unusable index, order 9</th>' "$html"
check "the replay fidelity of the capture" grep -q '<code>traced_changed_pct</code>' "$html"
check "its trace statistics" grep -q '<code>lost_events</code>' "$html"
expect_eq "fidelity only for the replayed run" 1 "$(grep -c '<h3>Replay fidelity</h3>' "$html")"
check "the plots skipped are listed" \
    grep -q "<li>run 2: no fragmentation event counted" "$html"
check "... with run 2's fragmentation events (a replay counts none)" \
    grep -q "<li>run 2: no fragmentation event counted" "$html"
for f in run1-pagetypeinfo-node0-DMA32 run1-frag-events run4-numa-allocs \
    run5-slab-memory run5-slab-waste; do
	check "the new plot $f is in the report" \
	    grep -q "<figcaption>$f.svg</figcaption>" "$html"
done

# section RUN: run RUN's section of the page; in_table H3: the rows of the
# table headed H3 on standard input.
section() {
	sed -n "/<section id=\"run-$1\">/,/<\/section>/p" "$html"
}
in_table() {
	sed -n "/<h3>$1/,/<\/table>/p" | grep '^<tr'
}
expect_eq "a table of event counters per run" 5 \
    "$(grep -c '<h3>Event counters at the last snapshot (vmstat, those above 0)</h3>' "$html")"
events1=$(section 1 | in_table 'Event counters')
check "run 1's pages allocated: the 1,215 of fill-free.yaml's 400 blocks" \
    test -n "$(echo "$events1" | grep -F '<tr><td><code>pgalloc</code></td><td class="n">1,215</td></tr>')"
check "... and as many freed" \
    test -n "$(echo "$events1" | grep -F '<tr><td><code>pgfree</code></td><td class="n">1,215</td></tr>')"
expect_eq "run 1's table: every counter above 0 at its last snapshot, and no other" \
    "$(sql "$db" "select name from vmstat where snapshot_id = (select snapshot_id
	from snapshots where run_id = 1 order by seq desc limit 1)
	and value > 0 order by name")" \
    "$(echo "$events1" | sed -n 's|^<tr><td><code>\([^<]*\)</code>.*|\1|p')"
expect_eq "... none of its values is 0" "" \
    "$(echo "$events1" | grep -F '<td class="n">0</td>' || true)"
check "run 2, a replay, counted no event, and says so" \
    test -n "$(section 2 | grep -F '<p>No event was counted: every counter is 0.</p>')"

expect_eq "run 4's allocations per node pair, a row per pair with one" \
'<tr class="local"><td class="n">0</td><td class="n">0</td><td class="n">2</td><td class="n">33.3%</td></tr>
<tr class="remote"><td class="n">0</td><td class="n">1</td><td class="n">2</td><td class="n">33.3%</td></tr>
<tr class="remote"><td class="n">0</td><td class="n">2</td><td class="n">1</td><td class="n">16.7%</td></tr>
<tr class="remote"><td class="n">0</td><td class="n">3</td><td class="n">1</td><td class="n">16.7%</td></tr>
<tr class="remote"><td class="n">2</td><td class="n">0</td><td class="n">1</td><td class="n">33.3%</td></tr>
<tr class="local"><td class="n">2</td><td class="n">2</td><td class="n">1</td><td class="n">33.3%</td></tr>
<tr class="remote"><td class="n">2</td><td class="n">3</td><td class="n">1</td><td class="n">33.3%</td></tr>' \
    "$(section 4 | in_table 'Allocations per node pair')"
expect_eq "run 1's: its 400 allocations, all on its one node" \
    '<tr class="local"><td class="n">0</td><td class="n">0</td><td class="n">400</td><td class="n">100.0%</td></tr>' \
    "$(section 1 | in_table 'Allocations per node pair')"
expect_eq "run 2, a replay, has none, and no table" "" \
    "$(section 2 | grep 'Allocations per node pair' || true)"

# The slab caches at the end of run 5: a row per cache, the most slab
# memory first, then the total; the waste is the share of the slab memory
# not in live objects (active_objs * objsize).
slab5=$(section 5 | in_table 'Slab caches at the last snapshot')
last5="(select snapshot_id from snapshots where run_id = 5 order by seq desc limit 1)"
expect_eq "run 5's slab caches: one row each and a total" \
    "$(sql "$db" "select count(*) + 1 from slabinfo where snapshot_id = $last5")" \
    "$(echo "$slab5" | grep -c '^<tr')"
check "... four caches" test "$(echo "$slab5" | grep -c '^<tr class="cache">')" -eq 4
expect_eq "... the most slab memory first, each as the database has it" \
    "$(sql "$db" "select cache || '|' || active_objs || ' / ' || num_objs
	|| '|' || printf('%,d', objsize) || '|' || num_slabs || '|'
	|| (num_slabs * pagesperslab) || '|' || printf('%.1f', slab_bytes / 1024.0)
	|| '|' || printf('%.1f%%', 100.0 * (slab_bytes - active_objs * objsize)
	    / slab_bytes)
	from slabinfo where snapshot_id = $last5
	order by slab_bytes desc, cache")" \
    "$(echo "$slab5" | grep '^<tr class="cache">' |
	sed -e 's|</td><td[^>]*>|\||g' -e 's|<[^>]*>||g')"
check "... test_obj: 600-byte objects, some freed, so some waste" \
    test -n "$(echo "$slab5" | grep '<code>test_obj</code>' |
	grep -F '<td class="n">600</td>' | grep -v '<td class="n">0.0%</td>')"
# the total's pages are the run's slab.slab_pages
pages=$(sql "$db" "select cast(value as integer) from counters
    where run_id = 5 and name = 'slab.slab_pages'")
check "... the total: all 4 caches, the run's $pages slab pages" \
    test -n "$(echo "$slab5" | grep -F '<tr class="total"><td>all 4 caches</td>' |
	grep -F "<td class=\"n\">$pages</td>")"
check "... and the slab counters" \
    test -n "$(section 5 | in_table 'Slab and percpu allocators' |
	grep -F "<tr><td><code>slab_pages</code></td><td class=\"n\">$pages</td></tr>")"
expect_eq "no slab table for the runs without slab caches" "" \
    "$(for r in 1 2 3 4; do section "$r"; done | grep '<h3>Slab caches' || true)"

ok_run "--run 2 -q" "$report" "$db" --run 2 -q -o "$tmp/two.html"
expect_eq "-q prints nothing" "" "$(cat "$tmp/out" "$tmp/err")"
expect_eq "--run 2: one row" 1 "$(grep -c '<tr class="run">' "$tmp/two.html")"
expect_eq "--run 2: run 2's plots only" "$(ls "$tmp/p" | grep -c '^run2-')" \
    "$(grep -c '<svg' "$tmp/two.html")"

### An older database, without the tables pagetypeinfo, vmstat,
### numa_allocs and slabinfo

sql "$db" ".backup '$tmp/old.db'"
sql "$tmp/old.db" "drop table pagetypeinfo; drop table vmstat; drop table numa_allocs;
drop table slabinfo;"
ok_run "a report on a database without the page allocator's tables" \
    "$report" "$tmp/old.db" -o "$tmp/old.html"
check "... is well-formed" sh -c "tail -n 1 '$tmp/old.html' | grep -q '^</html>\$'"
expect_eq "... has a row per run" 5 "$(grep -c '<tr class="run">' "$tmp/old.html")"
expect_eq "... no table of event counters" 0 \
    "$(grep -c '<h3>Event counters' "$tmp/old.html" || true)"
expect_eq "... nor of node pairs" 0 \
    "$(grep -c '<h3>Allocations per node pair' "$tmp/old.html" || true)"
expect_eq "... nor of slab caches" 0 \
    "$(grep -c '<h3>Slab caches' "$tmp/old.html" || true)"
check "... says which plots its tables would give" grep -q \
    "<li>no pageblock mobility mix plot: the database has no 'pagetypeinfo' table</li>" \
    "$tmp/old.html"
ok_run "... and inlines the plots it has" "$KMSIM_PLOT" "$tmp/old.db" --format svg -q \
    -o "$tmp/old-p"
expect_eq "... all of them" "$(ls "$tmp/old-p" | wc -l | tr -d ' ')" \
    "$(grep -c '<svg' "$tmp/old.html")"

### Errors: nothing is written

echo "old" >"$tmp/keep.html"
expect_fail "a missing database" 1 "^kmsim-report: cannot open '.*nope.db': no such file" \
    "$report" "$tmp/nope.db" -o "$tmp/keep.html"
check "... is not created" test ! -e "$tmp/nope.db"
expect_eq "... and the output is left as it was" old "$(cat "$tmp/keep.html")"
echo "not a database" >"$tmp/text.db"
expect_fail "not a kmsim database" 1 "^kmsim-report: '.*text.db' is not a kmsim database" \
    "$report" "$tmp/text.db" -o "$tmp/keep.html"
sql "$db" ".backup '$tmp/empty.db'"
sql "$tmp/empty.db" "delete from runs"
expect_fail "no runs" 1 "^kmsim-report: '.*empty.db' has no runs" \
    "$report" "$tmp/empty.db" -o "$tmp/keep.html"
expect_fail "an unknown run" 1 "^kmsim-report: no run 9 in" \
    "$report" "$db" --run 9 -o "$tmp/keep.html"
expect_fail "gnuplot missing" 1 "^kmsim-report: gnuplot not found" \
    env GNUPLOT="$tmp/no/gnuplot" "$report" "$db" -o "$tmp/keep.html"
expect_fail "an output in a missing directory" 1 \
    "^kmsim-report: cannot write '.*/no/r.html': no directory" \
    "$report" "$db" -o "$tmp/no/r.html"
expect_fail "a directory as the output" 1 "^kmsim-report: '.*' is a directory" \
    "$report" "$db" -o "$tmp"
cp -R "$top_srcdir/analysis" "$tmp/broken"
chmod -R u+w "$tmp/broken"
echo "plot nonsense(" >>"$tmp/broken/latency-cdf.gp"
expect_fail "a failing kmsim-plot" 1 "^kmsim-report: kmsim-plot failed" \
    env KMSIM_ANALYSIS_DIR="$tmp/broken" "$report" "$db" -o "$tmp/keep.html"
check "... with gnuplot's message" grep -q 'latency-cdf.gp' "$tmp/err"
expect_eq "the output is still as it was" old "$(cat "$tmp/keep.html")"
expect_eq "no partial file is left" "" "$(ls -a "$tmp" | grep '^\.kmsim-report' || true)"
done_testing
