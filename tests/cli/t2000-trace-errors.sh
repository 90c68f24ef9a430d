# t2000-trace-errors.sh - kmsim refuses bad traces with one message
# "kmsim: FILE:LINE:COL: message" and exit status 1.
#
# Each tests/fixtures/trace/*.yaml is a bad trace whose first line reads
# "# expect: LINE:COL: message" (the whole cause after the file name) or
# "# expect-start: LINE:COL: message" (its beginning: for the simulator's
# own checks, whose wording is not the reader's).
. "$top_srcdir/tests/lib.sh"

[ -x "$KMSIM" ] || skip_all "$KMSIM not built"

# ERE-quote a string: the messages hold [ ] ( ) . $ { } and quotes.
ere_quote() {
	printf '%s\n' "$1" | sed 's/[][\.*^$(){}+?|/]/\\&/g'
}

# expect_trace_error NAME TRACE RE: a run on the tiny machine exits 1,
# printing exactly one line on stderr, which matches RE.
expect_trace_error() {
	name=$1
	trace=$2
	re=$3
	run "$KMSIM" --config "$configs/tiny.yaml" --trace "$trace" \
	    --db "$tmp/x.db"
	lines=$(wc -l <"$tmp/err")
	if [ "$status" -ne 1 ]; then
		tap_not_ok "$name" "expected exit 1, got $status" \
		    "$(head -c 2000 "$tmp/err")"
	elif ! grep -Eq -- "$re" "$tmp/err"; then
		tap_not_ok "$name" "stderr does not match /$re/:" \
		    "$(head -c 2000 "$tmp/err")"
	elif [ "$lines" -ne 1 ]; then
		tap_not_ok "$name" "expected one line on stderr, got $lines:" \
		    "$(head -c 2000 "$tmp/err")"
	else
		tap_ok "$name"
	fi
}

n=0
for f in "$fixtures"/trace/*.yaml; do
	base=${f##*/}
	n=$((n + 1))
	exact=$(sed -n '1s/^# expect: //p' "$f")
	start=$(sed -n '1s/^# expect-start: //p' "$f")
	if [ -n "$exact" ]; then
		re="^kmsim: .*$(ere_quote "$base:$exact")\$"
	elif [ -n "$start" ]; then
		re="^kmsim: .*$(ere_quote "$base:$start")"
	else
		tap_not_ok "${base%.yaml}" "no '# expect: ' first line"
		continue
	fi
	expect_trace_error "${base%.yaml}" "$f" "$re"
done
check "there are bad traces to try" test "$n" -ge 20

expect_trace_error missing-file "$tmp/no-such.yaml" \
    "^kmsim: .*no-such\\.yaml: No such file or directory\$"

# standard input, here /dev/null: named <stdin>
expect_trace_error empty-stdin - "^kmsim: <stdin>:1:1: trace is empty\$"

# an error far into a long trace: the 50,001st op of a file
{
	echo "ops:"
	i=0
	while [ $i -lt 50000 ]; do
		echo "  - {op: alloc_pages, id: a$i}"
		i=$((i + 1))
	done
	echo "  - {op: alloc_pages, id: b, colour: blue}"
} > "$tmp/long.yaml"
expect_trace_error error-deep-in-a-file "$tmp/long.yaml" \
    "^kmsim: .*long\\.yaml:50002:30: unknown key 'colour'\$"

done_testing
