# t1000-config-errors.sh - kmsim refuses bad configurations with one
# message "kmsim: FILE:LINE:COL: message" and exit status 1.
#
# Each tests/fixtures/config/*.yaml is a bad configuration whose first line
# reads "# expect: LINE:COL: message", the error it must produce.
. "$top_srcdir/tests/lib.sh"

[ -x "$KMSIM" ] || skip_all "$KMSIM not built"

# ERE-quote a string: the messages hold [ ] ( ) . and quotes.
ere_quote() {
	printf '%s\n' "$1" | sed 's/[][\.*^$(){}+?|/]/\\&/g'
}

# expect_config_error NAME FILE EXPECTED: kmsim exits 1, printing exactly one
# line, "kmsim: " and the cause, the cause ending in EXPECTED.
expect_config_error() {
	name=$1
	file=$2
	re="^kmsim: .*$(ere_quote "$3")\$"
	run "$KMSIM" --config "$file" --show-machine
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

for f in "$fixtures"/config/*.yaml; do
	base=${f##*/}
	expect=$(sed -n '1s/^# expect: //p' "$f")
	if [ -z "$expect" ]; then
		tap_not_ok "$base" "no '# expect: ' first line"
		continue
	fi
	expect_config_error "${base%.yaml}" "$f" "$base:$expect"
done

expect_config_error missing-file "$tmp/no-such.yaml" \
    "no-such.yaml: No such file or directory"

mkdir "$tmp/dir.yaml"
expect_config_error directory "$tmp/dir.yaml" "dir.yaml: Is a directory"

done_testing
