#!/bin/sh
# Build kmsim and run its whole test suite.
#
#   tests/run-tests.sh                  build in build/ and run make check
#   tests/run-tests.sh --sanitizers     also build in build-san/ with ASan
#                                       and UBSan and run the suite there
#   tests/run-tests.sh --valgrind       also run make check-valgrind in
#                                       build/ (the CLI tests under valgrind)
#   tests/run-tests.sh --distcheck      also run make distcheck in build/
#                                       (the tarball builds and passes its
#                                       tests out of a read-only tree)
#   tests/run-tests.sh --lint           also run make lint in build/
#                                       (cppcheck and clang-tidy)
#
# The last line is "N passed, N failed" (automake's TAP harness counts
# over every build; skipped tests are added when there are any; distcheck
# and lint count as one test each, their output shown only when they
# fail).  The exit status is 0 only if nothing failed.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc 2>/dev/null || echo 2)
sanitizers=no
valgrind=no
distcheck=no
lint=no
for arg in "$@"; do
	case $arg in
	--sanitizers) sanitizers=yes ;;
	--valgrind) valgrind=yes ;;
	--distcheck) distcheck=yes ;;
	--lint) lint=yes ;;
	*) echo "usage: tests/run-tests.sh [--sanitizers] [--valgrind]" \
	    "[--distcheck] [--lint]" >&2; exit 2 ;;
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

# one_check TARGET MAKE-ARGS...: make TARGET in build/ as one test: quiet
# when it passes, the end of its output when it fails.  Without the sweep
# tests' Slurm and sshd set-ups: the suite in build/ has just run them,
# distcheck's copy of the suite need not run them again.
one_check() {
	target=$1
	shift
	cd "$top/build" || return 1
	if (unset KMSIM_TEST_SLURM KMSIM_TEST_SSH
	    exec make "$@" "$target") >"$target.out" 2>&1; then
		echo "PASS: make $target"
		passed=$((passed + 1))
	else
		tail -n 80 "$target.out" >&2
		echo "FAIL: make $target"
		failed=$((failed + 1))
		status=1
	fi
	rm -f "$target.out"
}

suite build
if [ "$lint" = yes ]; then
	one_check lint
fi
if [ "$distcheck" = yes ]; then
	one_check distcheck -j"$jobs"
fi
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
