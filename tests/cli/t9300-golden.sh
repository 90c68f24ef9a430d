# t9300-golden: the results of the bundled traces, compared with the ones
# kept in tests/golden/CASE/: the --json summary (less the wall-clock time
# and the peak memory, which depend on the host), the run's counters,
# latency, failures and node-pair rows from the database, and the final
# state as /proc prints it (--dump).
#
# A change that means to change results regenerates them and shows the
# difference in its commit:
#     KMSIM_GOLDEN_UPDATE=1 make check TESTS=tests/cli/t9300-golden.sh
# Each CASE/args holds the run's options; paths are relative to the
# source tree, where the runs are made.
. "$top_srcdir/tests/lib.sh"

golden=$top_srcdir/tests/golden

# summary FILE: the --json summary less what depends on the host
summary() {
	sed -e '/^ *"wall_seconds": /d' -e '/^ *"max_rss_kb": /d' "$1"
}

# results DB: the run-level tables the results table fills, by name
results() {
	"$SQLITE3" -batch "$1" \
	    "select 'counter', name, value from counters order by name;
	     select 'latency', * from latency order by op;
	     select 'failure', * from failures order by ord, gfp, node;
	     select 'numa', * from numa_allocs order by from_node, to_node;"
}

for dir in "$golden"/*/; do
	dir=${dir%/}
	case=$(basename "$dir")
	# shellcheck disable=SC2046
	set -- $(cat "$dir/args")
	rm -f "$tmp/g.db"
	if ! (cd "$top_srcdir" && "$KMSIM" "$@" --db "$tmp/g.db" --json -q \
	    --dump buddyinfo,pagetypeinfo,zoneinfo,slabinfo,vmallocinfo \
	    --dump-file "$tmp/dump" >"$tmp/json" 2>"$tmp/err"); then
		tap_not_ok "$case: kmsim $*"
		sed 's/^/# /' "$tmp/err"
		continue
	fi
	summary "$tmp/json" >"$tmp/summary.json"
	results "$tmp/g.db" >"$tmp/results.txt"
	for f in summary.json results.txt dump; do
		src=$tmp/$f
		[ "$f" = dump ] && f=dump.txt
		if [ -n "${KMSIM_GOLDEN_UPDATE:-}" ]; then
			cp "$src" "$dir/$f"
		fi
		if [ ! -f "$dir/$f" ]; then
			tap_not_ok "$case: $f is kept (KMSIM_GOLDEN_UPDATE=1 makes it)"
		elif diff -u "$dir/$f" "$src" >"$tmp/diff"; then
			tap_ok "$case: $f as kept"
		else
			tap_not_ok "$case: $f as kept"
			head -n 40 "$tmp/diff" | sed 's/^/# /'
		fi
	done
done
done_testing
