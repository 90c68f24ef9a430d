# t9000-man-examples: every example in the manual pages runs.
#   kmsim(1): each "$ command" in EXAMPLES runs (results.db in a temp dir)
#   kmsim-config(5): each "# example:" block loads (--show-machine)
#   kmsim-trace(5): each "# example:" block runs on configs/tiny.yaml
#   kmsim-db(5): each "-- example:" block is valid SQL on a real database
. "$top_srcdir/tests/lib.sh"
need_sqlite3
man=$top_srcdir/man

# blocks PAGE: print the .Bd -literal blocks of PAGE's EXAMPLES section,
# separated by a line "@@@", with mdoc escapes undone
blocks() {
	awk '
		/^\.Sh / { ex = ($2 == "EXAMPLES") }
		ex && /^\.Bd -literal/ { inb = 1; next }
		inb && /^\.Ed/ { inb = 0; print "@@@"; next }
		inb && !/^\./ {
			gsub(/\\e/, "\\"); gsub(/\\&/, ""); gsub(/\\\(em/, "-");
			print
		}' "$1"
}

# split PAGE PREFIX: write each block whose first line starts with
# PREFIX to $tmp/ex-N
split_blocks() {
	rm -f "$tmp"/ex-*
	blocks "$1" | awk -v pre="$2" -v dir="$tmp" '
		BEGIN { first = 1 }
		/^@@@$/ { if (f) close(f); f = ""; first = 1; next }
		{
			if (first) {
				first = 0
				if (index($0, pre) == 1) { n++; f = dir "/ex-" n }
			}
			if (f) print > f
		}'
}

# kmsim(1)
blocks "$man/kmsim.1" | awk '
	function flush() { if (cmd != "") print cmd; cmd = "" }
	/^@@@$/ { flush(); next }
	/^\$ / { flush(); cmd = substr($0, 3); sub(/\\$/, "", cmd); next }
	cmd != "" { line = $0; sub(/^[ \t]+/, "", line); sub(/\\$/, "", line)
		cmd = cmd " " line }
	END { flush() }' | sed "s#results\.db#$tmp/results.db#g" > "$tmp/cmds1"
check "kmsim(1) has examples" test -s "$tmp/cmds1"
(
	cd "$top_srcdir"
	kmsim() { "$KMSIM" --quiet "$@"; }
	sqlite3() { "$SQLITE3" "$@"; }
	status=0
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		if eval "$line" >"$tmp/ex.out" 2>&1; then
			echo "ok - kmsim(1): $line" >> "$tmp/results"
		else
			echo "not ok - kmsim(1): $line" >> "$tmp/results"
			sed 's/^/# /' "$tmp/ex.out" | head -20 >> "$tmp/results"
		fi
	done < "$tmp/cmds1"
)
while IFS= read -r r; do
	case $r in
	"ok - "*) tap_ok "${r#ok - }" ;;
	"not ok - "*) tap_not_ok "${r#not ok - }" ;;
	*) echo "$r" ;;
	esac
done < "$tmp/results"

# kmsim-config(5)
split_blocks "$man/kmsim-config.5" "# example:"
n=0
for f in "$tmp"/ex-*; do
	[ -e "$f" ] || continue
	n=$((n + 1))
	name=$(head -n 1 "$f" | sed 's/^# example: *//')
	cp "$f" "$tmp/config-$n.yaml"
	ok_run "kmsim-config(5) example '$name' loads" \
	    "$KMSIM" --config "$tmp/config-$n.yaml" --show-machine
done
check "kmsim-config(5) has at least two examples" test "$n" -ge 2

# kmsim-trace(5)
split_blocks "$man/kmsim-trace.5" "# example:"
n=0
for f in "$tmp"/ex-*; do
	[ -e "$f" ] || continue
	n=$((n + 1))
	name=$(head -n 1 "$f" | sed 's/^# example: *//')
	cp "$f" "$tmp/trace-$n.yaml"
	ok_run "kmsim-trace(5) example '$name' runs" \
	    "$KMSIM" --config "$configs/tiny.yaml" --trace "$tmp/trace-$n.yaml" \
	    --no-db --quiet --check
done
check "kmsim-trace(5) has at least two examples" test "$n" -ge 2

# kmsim-db(5): on a database with two runs
"$KMSIM" --config "$configs/tiny.yaml" --trace "$fixtures/run/fill-free.yaml" \
    --db "$tmp/ex.db" --quiet
"$KMSIM" --config "$configs/tiny.yaml" --trace "$fixtures/run/exhaust.yaml" \
    --db "$tmp/ex.db" --quiet
split_blocks "$man/kmsim-db.5" "-- example:"
n=0
for f in "$tmp"/ex-*; do
	[ -e "$f" ] || continue
	n=$((n + 1))
	name=$(head -n 1 "$f" | sed 's/^-- example: *//')
	run "$SQLITE3" -bail "$tmp/ex.db" ".read $f"
	if [ "$status" -eq 0 ] && [ -s "$tmp/out" ]; then
		tap_ok "kmsim-db(5) example '$name' returns rows"
	else
		tap_not_ok "kmsim-db(5) example '$name' returns rows" \
		    "exit $status" "$(cat "$tmp/err")"
	fi
done
check "kmsim-db(5) has at least three examples" test "$n" -ge 3

# kmsim-plot(1) and kmsim-report(1): each "$ command" in EXAMPLES runs in a
# directory of its own, on a results.db there with two runs
: "${KMSIM_PLOT:=$top_builddir/kmsim-plot}"
: "${KMSIM_REPORT:=$top_builddir/kmsim-report}"
KMSIM_ANALYSIS_DIR=$top_srcdir/analysis
export GNUPLOT SQLITE3 KMSIM_ANALYSIS_DIR KMSIM_PLOT
mkdir "$tmp/plot-ex"
"$KMSIM" --config "$configs/tiny.yaml" --trace "$fixtures/run/fill-free.yaml" \
    --db "$tmp/plot-ex/results.db" --quiet
"$KMSIM" --config "$configs/tiny.yaml" --trace "$fixtures/run/exhaust.yaml" \
    --db "$tmp/plot-ex/results.db" --quiet
for page in kmsim-plot.1 kmsim-report.1; do
	cmd=${page%.1}
	blocks "$man/$page" | awk '
		function flush() { if (cmd != "") print cmd; cmd = "" }
		/^@@@$/ { flush(); next }
		/^\$ / { flush(); cmd = substr($0, 3); sub(/\\$/, "", cmd); next }
		cmd != "" { line = $0; sub(/^[ \t]+/, "", line); sub(/\\$/, "", line)
			cmd = cmd " " line }
		END { flush() }' | sed "s#results\.db#$tmp/plot-ex/results.db#g" \
	    >"$tmp/cmds-$cmd"
	check "$cmd(1) has at least two examples" \
	    test "$(grep -c "^$cmd " "$tmp/cmds-$cmd")" -ge 2
	if [ -z "$GNUPLOT" ]; then
		tap_n=$((tap_n + 1))
		echo "ok $tap_n # SKIP gnuplot not found: $cmd(1) examples"
		continue
	fi
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		case $line in
		"kmsim-plot "*) run_line="\"\$KMSIM_PLOT\" ${line#kmsim-plot }" ;;
		"kmsim-report "*) run_line="\"\$KMSIM_REPORT\" ${line#kmsim-report }" ;;
		*) run_line=$line ;;
		esac
		if (cd "$tmp/plot-ex" && eval "$run_line") >"$tmp/ex.out" 2>&1 </dev/null; then
			tap_ok "$cmd(1): $line"
		else
			tap_not_ok "$cmd(1): $line" "$(head -n 20 "$tmp/ex.out")"
		fi
	done <"$tmp/cmds-$cmd"
done
check "the kmsim-plot(1) examples drew plots" test -s "$tmp/plot-ex/plots/run1-unusable.png"
check "the kmsim-report(1) examples wrote a report" test -s "$tmp/plot-ex/report.html"
done_testing
