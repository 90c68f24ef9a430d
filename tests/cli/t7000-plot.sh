# t7000-plot: kmsim-plot draws every plot of a database (a simulated run
# and a replayed capture) as PNG and SVG, gnuplot exits 0 for each, --run
# and --orders choose what is drawn, plots without data are announced,
# a sweep's params table gives the sweep plots, and every error is
# reported as "kmsim-plot: message" with exit 1 (usage errors exit 2).
. "$top_srcdir/tests/lib.sh"
need_sqlite3
[ -n "$GNUPLOT" ] || skip_all "gnuplot not found"
: "${KMSIM_PLOT:=$top_builddir/kmsim-plot}"
KMSIM_ANALYSIS_DIR=$top_srcdir/analysis
export GNUPLOT SQLITE3 KMSIM_ANALYSIS_DIR
plot=$KMSIM_PLOT
db=$tmp/s.db

check "kmsim-plot is built" test -x "$plot"

### Usage

ok_run "--help exits 0" "$plot" --help
check "--help prints the usage" grep -q '^usage: kmsim-plot DB -o DIR' "$tmp/out"
ok_run "-V exits 0" "$plot" -V
check "-V prints the version" grep -Eq '^kmsim-plot [0-9]' "$tmp/out"
expect_fail "no database" 2 "^kmsim-plot: no database given" "$plot" -o "$tmp/p"
check "a usage error prints the usage" grep -q '^usage: ' "$tmp/err"
expect_fail "no output directory" 2 "no output directory given" "$plot" "$db"
expect_fail "-o without its argument" 2 "option '-o' needs an argument" \
    "$plot" "$db" -o
expect_fail "unknown option" 2 "unknown option '--bogus'" \
    "$plot" "$db" --bogus -o "$tmp/p"
expect_fail "unknown format" 2 "unknown format 'jpeg'" \
    "$plot" "$db" --format jpeg -o "$tmp/p"
expect_fail "a run id that is not a number" 2 "run id 'x' is not a positive number" \
    "$plot" "$db" --run x -o "$tmp/p"
expect_fail "an order that is not a number" 2 "order 'three' is not a number" \
    "$plot" "$db" --orders 3,three -o "$tmp/p"
expect_fail "two databases" 2 "more than one database given" \
    "$plot" "$db" "$db" -o "$tmp/p"

### A database with a simulated run and a replayed capture

ok_run "run 1: a simulation" "$KMSIM" --config "$configs/tiny.yaml" \
    --trace "$fixtures/run/fill-free.yaml" --db "$db" --quiet
ok_run "run 2: a replayed capture" "$KMSIM" --config auto \
    --trace "$fixtures/bundle-small" --db "$db" --quiet
sum_before=$(cksum <"$db")

# A gnuplot that logs its exit status, to see every plot's.
cat >"$tmp/gnuplot" <<EOF
#!/bin/sh
"$GNUPLOT" "\$@"
rc=\$?
echo "\$rc" >>"$tmp/gnuplot.log"
exit "\$rc"
EOF
chmod +x "$tmp/gnuplot"

ok_run "plots as PNG and SVG" env GNUPLOT="$tmp/gnuplot" \
    "$plot" "$db" --format both -o "$tmp/p"
cp "$tmp/out" "$tmp/list"
cp "$tmp/err" "$tmp/notes"
expected='run1-buddyinfo-node0-DMA
run1-buddyinfo-node0-DMA32
run1-extfrag
run1-latency-cdf
run1-unusable
run2-buddyinfo-node0-DMA
run2-buddyinfo-node0-DMA32
run2-buddyinfo-node0-Normal
run2-extfrag
run2-latency-cdf
run2-unusable'
expect_eq "one PNG per plot and run" "$expected" \
    "$(cd "$tmp/p" && ls *.png | sed 's/\.png$//')"
expect_eq "one SVG per plot and run" "$expected" \
    "$(cd "$tmp/p" && ls *.svg | sed 's/\.svg$//')"
expect_eq "the files written are listed, one per line" \
    "$(cd "$tmp/p" && ls | sed "s#^#$tmp/p/#")" "$(sort "$tmp/list")"
expect_eq "gnuplot ran for every plot (2 terminal checks, 22 files)" 24 \
    "$(wc -l <"$tmp/gnuplot.log" | tr -d ' ')"
expect_eq "gnuplot exited 0 every time" 0 "$(grep -cv '^0$' "$tmp/gnuplot.log" || true)"
empty=
for f in "$tmp"/p/*; do
	[ -s "$f" ] || empty="$empty $f"
done
expect_eq "no file is empty" "" "$empty"
bad=
for f in "$tmp"/p/*.png; do
	[ "$(head -c 8 "$f" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
		bad="$bad $f"
done
expect_eq "every PNG starts with the PNG signature" "" "$bad"
bad=
for f in "$tmp"/p/*.svg; do
	grep -q '<svg' "$f" || bad="$bad $f"
done
expect_eq "every SVG has an svg element" "" "$bad"
if command -v xmllint >/dev/null 2>&1; then
	check "every SVG is well-formed XML" xmllint --noout "$tmp"/p/*.svg
else
	tap_n=$((tap_n + 1))
	echo "ok $tap_n # SKIP xmllint not found: SVG well-formedness"
fi
check "the unusable index plot names the orders 3 and 9" \
    grep -q 'node 0 DMA32, order 9' "$tmp/p/run1-unusable.svg"
check "... and order 3" grep -q 'node 0 DMA32, order 3' "$tmp/p/run1-unusable.svg"
check "its axes are labelled with units" \
    grep -q 'simulated time (ms)' "$tmp/p/run1-unusable.svg"
check "the latency plot has a line per op" \
    grep -q 'mm_page_pcpu_drain' "$tmp/p/run2-latency-cdf.svg"
check "the latency axis is in cycles" \
    grep -q 'latency (cycles, log scale)' "$tmp/p/run2-latency-cdf.svg"
check "the heat map's colour scale is labelled" \
    grep -q 'free blocks (nr_free, log scale' "$tmp/p/run2-buddyinfo-node0-Normal.svg"

# Plots without data are skipped with one line each, and nothing else is
# said (no gnuplot warning).
for what in "pageblock mobility mix plot: the database has no 'pagetypeinfo' table" \
    "slab memory per cache plot: the database has no 'slabinfo' table" \
    "dirty and writeback pages plot: the database has no 'writeback' table"; do
	check "skipped and said: no $what" grep -q "^kmsim-plot: no $what" "$tmp/notes"
done
# kmsim makes an empty params table; kmsim-sweep fills it.
check "skipped and said: no sweep plots, no swept parameter" grep -Eq \
    "^kmsim-plot: no sweep plots: (the database has no 'params' table|no swept parameter in the 'params' table)" \
    "$tmp/notes"
expect_eq "nothing else on standard error" 4 "$(wc -l <"$tmp/notes" | tr -d ' ')"
expect_eq "the database is not changed" "$sum_before" "$(cksum <"$db")"
check "no -wal file is left beside it" test ! -e "$db-wal"

### Choosing runs, orders and format

ok_run "--run 2 --format svg -q" "$plot" "$db" --run 2 --format svg -q -o "$tmp/p2"
expect_eq "-q lists nothing" "" "$(cat "$tmp/out")"
expect_eq "--run 2 draws run 2 only" \
    "$(echo "$expected" | grep '^run2-' | sed 's/$/.svg/')" "$(ls "$tmp/p2")"
ok_run "-r 1 -r 2 --orders 0,10" "$plot" "$db" -r 1 -r 2 --orders 0,10 \
    --format=svg --output="$tmp/p3"
check "--orders draws the orders asked for" \
    grep -q 'node 0 DMA, order 10' "$tmp/p3/run1-unusable.svg"
check "... and not the default ones" sh -c "! grep -q 'order 9' '$tmp/p3/run1-unusable.svg'"
ok_run "PNG is the default format" "$plot" "$db" --run 1 -q -o "$tmp/p4"
expect_eq "... only PNG files" "" "$(ls "$tmp/p4" | grep -v '\.png$' || true)"
ok_run "the source tree's script finds analysis/ beside it" env KMSIM_ANALYSIS_DIR= \
    sh "$top_srcdir/sim/kmsim-plot.sh" "$db" --run 1 -q -o "$tmp/p5"
check "... and plots" test -s "$tmp/p5/run1-unusable.png"

### A sweep: four runs and a hand-made params table

sw=$tmp/sweep.db
for t in fill-free exhaust fill-free exhaust; do
	"$KMSIM" --config "$configs/tiny.yaml" --trace "$fixtures/run/$t.yaml" \
	    --db "$sw" --quiet
done
sql "$sw" "create table if not exists params (run_id INTEGER, key TEXT, value TEXT);
insert into params values
 (1, 'trace', 'fill-free'), (1, 'seed', '1'), (1, 'point', '0'),
 (1, 'vm.watermark_scale_factor', '10'), (1, 'policy', 'local'),
 (2, 'trace', 'exhaust'), (2, 'seed', '1'), (2, 'point', '0'),
 (2, 'vm.watermark_scale_factor', '10'), (2, 'policy', 'local'),
 (3, 'trace', 'fill-free'), (3, 'seed', '1'), (3, 'point', '1'),
 (3, 'vm.watermark_scale_factor', '100'), (3, 'policy', 'interleave'),
 (4, 'trace', 'exhaust'), (4, 'seed', '1'), (4, 'point', '1'),
 (4, 'vm.watermark_scale_factor', '100'), (4, 'policy', 'interleave');"
ok_run "plots of a sweep" "$plot" "$sw" --format svg -o "$tmp/sw"
cp "$tmp/err" "$tmp/sw.notes"
expect_eq "a plot per metric and swept parameter (per zone for the index)" \
'sweep-policy-p99-alloc_pages.svg
sweep-policy-unusable-order9-node0-DMA.svg
sweep-policy-unusable-order9-node0-DMA32.svg
sweep-vm.watermark_scale_factor-p99-alloc_pages.svg
sweep-vm.watermark_scale_factor-unusable-order9-node0-DMA.svg
sweep-vm.watermark_scale_factor-unusable-order9-node0-DMA32.svg' \
    "$(ls "$tmp/sw" | grep '^sweep-')"
check "the sweep plots are not announced as skipped" \
    sh -c "! grep -q 'sweep' '$tmp/sw.notes'"
check "nothing but the three missing tables on standard error" \
    test "$(wc -l <"$tmp/sw.notes")" -eq 3
check "one line per trace" grep -q 'fill-free' \
    "$tmp/sw/sweep-vm.watermark_scale_factor-p99-alloc_pages.svg"
check "... each trace" grep -q 'exhaust' \
    "$tmp/sw/sweep-vm.watermark_scale_factor-p99-alloc_pages.svg"
check "the parameter labels the x axis" grep -q '>vm.watermark_scale_factor<' \
    "$tmp/sw/sweep-vm.watermark_scale_factor-p99-alloc_pages.svg"
check "text values label the ticks" grep -q '>interleave<' \
    "$tmp/sw/sweep-policy-p99-alloc_pages.svg"
ok_run "--run 1 --run 2: a one-point sweep plots too" "$plot" "$sw" \
    --run 1 --run 2 --format svg -o "$tmp/sw1"
expect_eq "... without a gnuplot warning" 3 "$(wc -l <"$tmp/err" | tr -d ' ')"

### Errors

expect_fail "a missing database" 1 "^kmsim-plot: cannot open '.*nope.db': no such file" \
    "$plot" "$tmp/nope.db" -o "$tmp/e"
check "... is not created" test ! -e "$tmp/nope.db"
expect_fail "a directory as the database" 1 "^kmsim-plot: '.*' is a directory" \
    "$plot" "$tmp" -o "$tmp/e"
echo "not a database" >"$tmp/text.db"
expect_fail "a file that is not SQLite" 1 "^kmsim-plot: '.*text.db' is not a kmsim database" \
    "$plot" "$tmp/text.db" -o "$tmp/e"
sql "$tmp/other.db" "create table t (x); insert into t values (1);"
expect_fail "an SQLite database that is not kmsim's" 1 \
    "^kmsim-plot: '.*other.db' is not a kmsim database" \
    "$plot" "$tmp/other.db" -o "$tmp/e"
sql "$db" ".backup '$tmp/empty.db'"
sql "$tmp/empty.db" "delete from runs"
expect_fail "a database with no runs" 1 "^kmsim-plot: '.*empty.db' has no runs" \
    "$plot" "$tmp/empty.db" -o "$tmp/e"
expect_fail "an unknown run" 1 "^kmsim-plot: no run 7 in '.*s.db'" \
    "$plot" "$db" --run 1 --run 7 -o "$tmp/e"
expect_fail "an order above the largest" 1 "^kmsim-plot: order 11 is above the largest order of the runs \(10\)" \
    "$plot" "$db" --orders 3,11 -o "$tmp/e"
expect_fail "gnuplot missing" 1 "^kmsim-plot: gnuplot not found: '.*/no/gnuplot'" \
    env GNUPLOT="$tmp/no/gnuplot" "$plot" "$db" -o "$tmp/e"
: >"$tmp/file"
expect_fail "an output directory that is a file" 1 "^kmsim-plot: '.*file' is not a directory" \
    "$plot" "$db" -o "$tmp/file"
expect_fail "an output directory that cannot be created" 1 \
    "^kmsim-plot: cannot create directory '.*file/sub'" \
    "$plot" "$db" -o "$tmp/file/sub"
# gnuplot's errors are surfaced and fail the command.
cp -R "$top_srcdir/analysis" "$tmp/broken"
chmod -R u+w "$tmp/broken"
echo "plot nonsense(" >>"$tmp/broken/fragindex.gp"
expect_fail "a failing gnuplot script" 1 \
    "^kmsim-plot: gnuplot failed on '.*run1-unusable.png'" \
    env KMSIM_ANALYSIS_DIR="$tmp/broken" "$plot" "$db" --run 1 -o "$tmp/e"
check "... with gnuplot's own message" grep -q 'fragindex.gp' "$tmp/err"
check "... and no half-written file" test ! -e "$tmp/e/run1-unusable.png"
check "... while the other plots are drawn" test -s "$tmp/e/run1-latency-cdf.png"
done_testing
