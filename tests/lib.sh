# tests/lib.sh - sourced by every CLI test (tests/cli/tNNNN-*.sh).
#
# Prints TAP.  A test script calls the helpers below, then `done_testing`.
#   ok_run NAME CMD...          passes if CMD exits 0
#   expect_fail NAME CODE RE CMD...   passes if CMD exits CODE and its
#                               stderr matches the extended regex RE
#   check NAME CMD...           like ok_run, output hidden (for test/[ ])
# The command's output is left in $tmp/out and $tmp/err.
set -eu
LC_ALL=C
export LC_ALL

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${KMSIM:=$top_builddir/kmsim}"
: "${SQLITE3:=$(command -v sqlite3 || true)}"
: "${GNUPLOT:=$(command -v gnuplot || true)}"
configs=$top_srcdir/configs
traces=$top_srcdir/traces
fixtures=$top_srcdir/tests/fixtures

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kmsim-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# KMSIM_WRAPPER: a command to run kmsim under (make check-valgrind sets
# it to valgrind and its options); $KMSIM becomes a script that does so.
if [ -n "${KMSIM_WRAPPER:-}" ]; then
	printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$KMSIM_WRAPPER" "$KMSIM" \
	    >"$tmp/kmsim"
	chmod +x "$tmp/kmsim"
	KMSIM=$tmp/kmsim
fi
tap_n=0
tap_failed=0

tap_ok() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1"
}

tap_not_ok() {
	tap_n=$((tap_n + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $1"
	shift
	for line in "$@"; do
		printf '%s\n' "$line" | sed 's/^/# /'
	done
}

# run CMD...: run with output captured; sets $status.
run() {
	status=0
	"$@" >"$tmp/out" 2>"$tmp/err" </dev/null || status=$?
}

ok_run() {
	name=$1
	shift
	run "$@"
	if [ "$status" -eq 0 ]; then
		tap_ok "$name"
	else
		tap_not_ok "$name" "exit $status: $*" "$(head -c 2000 "$tmp/err")"
	fi
}

check() {
	name=$1
	shift
	if "$@" >/dev/null 2>&1; then
		tap_ok "$name"
	else
		tap_not_ok "$name" "failed: $*"
	fi
}

expect_fail() {
	name=$1
	code=$2
	re=$3
	shift 3
	run "$@"
	if [ "$status" -ne "$code" ]; then
		tap_not_ok "$name" "expected exit $code, got $status: $*" \
		    "$(head -c 2000 "$tmp/err")"
	elif ! grep -Eq -- "$re" "$tmp/err"; then
		tap_not_ok "$name" "stderr does not match /$re/:" \
		    "$(head -c 2000 "$tmp/err")"
	else
		tap_ok "$name"
	fi
}

# sql DB QUERY: print the query's result (sqlite3 -batch, | separated).
sql() {
	"$SQLITE3" -batch -bail "$1" "$2"
}

# expect_eq NAME EXPECTED ACTUAL
expect_eq() {
	if [ "$2" = "$3" ]; then
		tap_ok "$1"
	else
		tap_not_ok "$1" "expected: $2" "actual:   $3"
	fi
}

skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}

need_sqlite3() {
	[ -n "$SQLITE3" ] || skip_all "sqlite3 not found"
}

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}
