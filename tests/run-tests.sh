#!/bin/sh
# Build kmsim and run its whole test suite.
#
#   tests/run-tests.sh                  build in build/ and run make check
#   tests/run-tests.sh --sanitizers     also build in build-san/ with ASan
#                                       and UBSan and run the suite there
#   tests/run-tests.sh --valgrind       also run make check-valgrind in
#                                       build/ (the CLI tests under valgrind)
#
# The last line is "N passed, N failed" (automake's TAP harness counts
# over every build; skipped tests are added when there are any).  The exit
# status is 0 only if nothing failed.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc 2>/dev/null || echo 2)
sanitizers=no
valgrind=no
for arg in "$@"; do
	case $arg in
	--sanitizers) sanitizers=yes ;;
	--valgrind) valgrind=yes ;;
	*) echo "usage: tests/run-tests.sh [--sanitizers] [--valgrind]" >&2; exit 2 ;;
	esac
done

cd "$top" || exit 1
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt Makefile.in ]; then
	autoreconf -fi || exit 1
fi
if [ -f config.status ]; then
	echo "run-tests: the source tree is configured in place; run 'make distclean' first" >&2
	exit 1
fi

passed=0 failed=0 skipped=0 status=0

# suite DIR CONFIGURE-ARGS...: configure and build in DIR, run make check
suite() {
	dir=$1
	shift
	mkdir -p "$top/$dir" && cd "$top/$dir" || return 1
	if ! "$top/configure" --enable-werror "$@" >configure.out 2>&1; then
		cat configure.out >&2
		failed=$((failed + 1))
		status=1
		return 1
	fi
	if ! make -j"$jobs" >make.out 2>&1; then
		cat make.out >&2
		failed=$((failed + 1))
		status=1
		return 1
	fi
	make -j"$jobs" check || status=1
	count
}

# count: add the counts of the test-suite.log of the current directory
count() {
	if [ -f test-suite.log ]; then
		p=$(sed -n 's/^# PASS: *//p' test-suite.log | head -n 1)
		f=$(awk '/^# (FAIL|ERROR|XPASS):/ { n += $3 } END { print n + 0 }' test-suite.log)
		s=$(sed -n 's/^# SKIP: *//p' test-suite.log | head -n 1)
		passed=$((passed + ${p:-0}))
		failed=$((failed + f))
		skipped=$((skipped + ${s:-0}))
	else
		failed=$((failed + 1))
	fi
}

suite build
if [ "$valgrind" = yes ]; then
	if command -v valgrind >/dev/null 2>&1; then
		cd "$top/build" || exit 1
		make -j"$jobs" check-valgrind || status=1
		count
	else
		echo "run-tests: --valgrind: valgrind is not installed" >&2
		failed=$((failed + 1))
		status=1
	fi
fi
if [ "$sanitizers" = yes ]; then
	suite build-san --enable-sanitizers --enable-debug
fi
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
