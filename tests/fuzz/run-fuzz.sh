#!/bin/sh
# Build kmsim's libFuzzer targets and run each for a while; `make fuzz`
# calls this from a configured build directory.
#
#   FUZZ_SECONDS   seconds per target (default 60)
#   FUZZ_TARGETS   which targets (default: config trace-yaml ftrace procfs
#                  manifest, and trace-dat when built with libtracecmd)
#   FUZZ_DIR       the work directory (default: ./fuzz in the build tree):
#                  bin/ the fuzzers, corpus/TARGET/ the corpus they grow,
#                  crashes/TARGET/ crash, leak and timeout inputs,
#                  logs/TARGET.log libFuzzer's output
#   FUZZ_CC        a clang with libFuzzer (default clang)
#   FUZZ_FLAGS     extra libFuzzer flags (e.g. -jobs=2 -workers=2)
#   FUZZ_BUILD_ONLY=1  build, do not run
#
# The seeds are the repository's configurations, traces and fixtures and
# the regression corpus in tests/fuzz/corpus/ (which `make check` replays);
# nothing is written to the source tree.  A crash input belongs in
# tests/fuzz/corpus/TARGET/ once the bug is fixed.
#
# The Makefile passes srcdir, FUZZ_DEFS, FUZZ_CFLAGS, FUZZ_LIBS and
# FUZZ_SOURCES (the library's sources).
set -u
srcdir=${srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
seconds=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-"config trace-yaml ftrace procfs manifest"}
if [ -z "${FUZZ_TARGETS:-}" ]; then
	case " ${FUZZ_DEFS:-} " in
	*-DHAVE_TRACECMD=1*) targets="$targets trace-dat" ;;
	esac
fi
dir=${FUZZ_DIR:-$(pwd)/fuzz}
cc=${FUZZ_CC:-clang}
san="-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"

mkdir -p "$dir/bin" "$dir/obj" || exit 1
# The configure defines, quoted as make passes them, as "$@".
eval "set -- ${FUZZ_DEFS:-}"

# The library, compiled once with coverage and sanitizers.
objs=
for src in ${FUZZ_SOURCES:-}; do
	case $src in *.c) ;; *) continue ;; esac
	obj=$dir/obj/$(echo "$src" | tr / _ | sed 's/\.c$/.o/')
	if [ ! -f "$obj" ] || [ "$srcdir/$src" -nt "$obj" ]; then
		echo "  CC(fuzz) $src"
		# -fsanitize=fuzzer-no-link: instrumented, no second main()
		$cc -std=gnu11 -g -O1 -fno-omit-frame-pointer \
		    -fsanitize=fuzzer-no-link,address,undefined \
		    -fno-sanitize-recover=undefined "$@" \
		    -I"$srcdir/sim" ${FUZZ_CFLAGS:-} -c "$srcdir/$src" \
		    -o "$obj" || exit 1
	fi
	objs="$objs $obj"
done
if [ -z "$objs" ]; then
	echo "run-fuzz: FUZZ_SOURCES is empty; run 'make fuzz'" >&2
	exit 2
fi

for t in $targets; do
	echo "  CCLD(fuzz) fuzz-$t"
	# shellcheck disable=SC2086
	$cc -std=gnu11 -g -O1 -fno-omit-frame-pointer $san "$@" \
	    -I"$srcdir/sim" -I"$srcdir/tests/fuzz" ${FUZZ_CFLAGS:-} \
	    "$srcdir/tests/fuzz/fuzz-$t.c" $objs ${FUZZ_LIBS:-} \
	    -o "$dir/bin/fuzz-$t" || exit 1
done
[ "${FUZZ_BUILD_ONLY:-0}" = 1 ] && exit 0

# seeds TARGET: the repository's inputs for it, one per line
seeds() {
	case $1 in
	config) ls "$srcdir"/configs/*.yaml "$srcdir"/tests/fixtures/config/*.yaml ;;
	trace-yaml) ls "$srcdir"/traces/*.yaml "$srcdir"/tests/fixtures/trace/*.yaml ;;
	ftrace) ls "$srcdir"/tests/fixtures/ftrace/*.txt "$srcdir"/traces/build.trace ;;
	procfs) ls "$srcdir"/tests/fixtures/bundle-small/*/zoneinfo \
	    "$srcdir"/tests/fixtures/bundle-small/*/buddyinfo \
	    "$srcdir"/tests/fixtures/bundle-small/*/slabinfo ;;
	manifest) ls "$srcdir"/tests/fixtures/bundle-small/manifest.json ;;
	trace-dat) ls "$srcdir"/tests/fixtures/ftrace-dat/small.dat ;;
	esac 2>/dev/null
}

status=0
for t in $targets; do
	mkdir -p "$dir/seed/$t" "$dir/corpus/$t" "$dir/crashes/$t" \
	    "$dir/logs" || exit 1
	n=0
	for f in $(seeds "$t"); do
		n=$((n + 1))
		cp "$f" "$dir/seed/$t/$n-$(basename "$f")"
	done
	maxlen=65536
	[ "$t" = trace-dat ] && maxlen=2097152	# the seed is 1.2 MB
	echo "fuzz-$t: $seconds s"
	# A TMPDIR of its own: the targets write their inputs to files.
	# The leak suppressions of `make check` (libraries' own leaks).
	mkdir -p "$dir/tmp/$t"
	# libtracecmd sizes some of its buffers from the file: a damaged
	# header makes it ask malloc() for petabytes, which glibc refuses
	# (NULL, and the library reports the file bad) but ASan aborts on.
	# For the trace.dat target only, let ASan return NULL as glibc does;
	# kmsim's own code keeps the abort, so its sizes stay checked.
	asan=${ASAN_OPTIONS:-}
	supp=$srcdir/tests/lsan.supp
	if [ "$t" = trace-dat ]; then
		asan="allocator_may_return_null=1${asan:+:$asan}"
		# libtracecmd also leaks buffers of its own static functions
		# when it gives up on a damaged file (up to 128 MiB), and
		# its frames stop the unwinder, so no function names them:
		# here the two libraries' own leaks are let be.  `make
		# check` replays the corpus with the narrow suppressions,
		# and check-valgrind sees kmsim's handles, so a handle kmsim
		# forgets to close still fails there.
		supp=$dir/tmp/lsan-trace-dat.supp
		{
			cat "$srcdir/tests/lsan.supp"
			echo "leak:libtracecmd.so"
			echo "leak:libtraceevent.so"
		} >"$supp"
	fi
	# shellcheck disable=SC2086
	ASAN_OPTIONS=$asan TMPDIR=$dir/tmp/$t \
	LSAN_OPTIONS="suppressions=$supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}" \
	    "$dir/bin/fuzz-$t" -max_total_time="$seconds" \
	    -timeout=10 -rss_limit_mb=2048 -max_len="$maxlen" \
	    -print_final_stats=1 -artifact_prefix="$dir/crashes/$t/" \
	    ${FUZZ_FLAGS:-} "$dir/corpus/$t" "$dir/seed/$t" \
	    "$srcdir/tests/fuzz/corpus/$t" >"$dir/logs/$t.log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
	    "$dir/logs/$t.log" | tail -n 1)
	crashes=$(ls "$dir/crashes/$t" | wc -l)
	echo "fuzz-$t: exit $rc, ${execs:-?} executions, $crashes files in $dir/crashes/$t"
	[ "$rc" -eq 0 ] || status=1
done
exit $status
