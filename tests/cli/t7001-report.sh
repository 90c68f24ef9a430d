# t7001-report: kmsim-report writes one self-contained HTML page: a row per
# run, the summary tables, one inline SVG per plot of kmsim-plot, no
# reference to another file, every text from the database escaped; and
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

### A database: a simulation, a replayed capture, and a config whose
### path needs escaping

weird="$tmp/cfg <&> \"q\".yaml"
cp "$configs/tiny.yaml" "$weird"
ok_run "run 1: a simulation" "$KMSIM" --config "$configs/tiny.yaml" \
    --trace "$fixtures/run/fill-free.yaml" --db "$db" --quiet
ok_run "run 2: a replayed capture" "$KMSIM" --config auto \
    --trace "$fixtures/bundle-small" --db "$db" --quiet
ok_run "run 3: a config named with <&>" "$KMSIM" --config "$weird" \
    --trace "$fixtures/run/exhaust.yaml" --db "$db" --quiet

ok_run "a report on every run" "$report" "$db" -o "$tmp/report.html"
html=$tmp/report.html
expect_eq "it prints the file written" "$html" "$(cat "$tmp/out")"
check "the report exists and is not empty" test -s "$html"
expect_eq "it starts with the HTML5 doctype" '<!DOCTYPE html>' "$(head -n 1 "$html")"
check "it ends the document" sh -c "tail -n 1 '$html' | grep -q '^</html>\$'"
expect_eq "a table row per run" 3 "$(grep -c '<tr class="run">' "$html")"
for r in 1 2 3; do
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
check "the plots skipped are listed" grep -q "<li>no slab memory per cache plot" "$html"

ok_run "--run 2 -q" "$report" "$db" --run 2 -q -o "$tmp/two.html"
expect_eq "-q prints nothing" "" "$(cat "$tmp/out" "$tmp/err")"
expect_eq "--run 2: one row" 1 "$(grep -c '<tr class="run">' "$tmp/two.html")"
expect_eq "--run 2: run 2's plots only" "$(ls "$tmp/p" | grep -c '^run2-')" \
    "$(grep -c '<svg' "$tmp/two.html")"

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
