# t4000-record: kmsim-record's usage errors; it refuses to run without
# root; as root with tracefs it records a real bundle (directory and ustar),
# returns the command's exit status, and leaves tracefs as it found it (it
# records in a trace instance of its own and removes it), also when
# interrupted.
. "$top_srcdir/tests/lib.sh"
: "${KMSIM_RECORD:=$top_builddir/kmsim-record}"
rec=$KMSIM_RECORD

tap_skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n # SKIP $1"
}

check "kmsim-record is built" test -x "$rec"

### Usage

ok_run "--help exits 0" "$rec" --help
check "--help prints the usage" grep -q '^usage: kmsim-record -o BUNDLE' "$tmp/out"
ok_run "-V exits 0" "$rec" -V
check "-V prints the version" grep -Eq '^kmsim-record [0-9]' "$tmp/out"
expect_fail "no command" 2 "no command given" "$rec" -o "$tmp/b"
check "a usage error prints the usage" grep -q '^usage: ' "$tmp/err"
expect_fail "nothing after --" 2 "no command given" "$rec" -o "$tmp/b" --
expect_fail "no bundle" 2 "no bundle given" "$rec" -- true
expect_fail "unknown option" 2 "unknown option '-z'" "$rec" -z -o "$tmp/b" -- true
expect_fail "-o without its argument" 2 "option '-o' needs an argument" "$rec" -o
expect_fail "a bad buffer size" 2 "buffer size '12k' is not a number" \
    "$rec" -b 12k -o "$tmp/b" -- true
expect_fail "a zero buffer size" 2 "buffer size '0'" \
    "$rec" -b 0 -o "$tmp/b" -- true
expect_fail "a malformed event" 2 "bad event 'kmem/../x'" \
    "$rec" -e kmem/../x -o "$tmp/b" -- true
check "usage errors wrote no bundle" test ! -e "$tmp/b"

### Not root

# as_nobody ARGS...: run kmsim-record as an unprivileged user (the script is
# fed on standard input, so its file need not be readable by that user).
as_nobody() {
	status=0
	if [ "$(id -u)" -ne 0 ]; then
		"$rec" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null || status=$?
	elif command -v setpriv >/dev/null 2>&1; then
		setpriv --reuid=65534 --regid=65534 --clear-groups \
		    sh -s -- "$@" <"$rec" >"$tmp/out" 2>"$tmp/err" || status=$?
	else
		su nobody -s /bin/sh -c 'sh -s -- "$@"' sh "$@" \
		    <"$rec" >"$tmp/out" 2>"$tmp/err" || status=$?
	fi
}
as_nobody -o /nonexistent/b -- true
expect_eq "without root it exits 1" 1 "$status"
check "without root it says why" grep -q "must be run as root" "$tmp/err"

### Recording (root and tracefs only)

T=/sys/kernel/tracing
reason=
if [ "$(id -u)" -ne 0 ]; then
	reason="not root"
elif [ ! -f "$T/tracing_on" ] &&
    ! { mount -t tracefs nodev "$T" 2>/dev/null && [ -f "$T/tracing_on" ]; }; then
	reason="tracefs is not available"
elif ! command -v zstd >/dev/null 2>&1; then
	reason="zstd not found"
elif [ -z "$SQLITE3" ]; then
	reason="sqlite3 not found"
elif [ ! -f "$T/events/kmem/mm_page_alloc/enable" ]; then
	reason="the kernel has no kmem/mm_page_alloc event"
fi
if [ -n "$reason" ]; then
	tap_skip "recording: $reason"
	done_testing
	exit $?
fi

# tracefs_state: what kmsim-record must restore
buf0=$(head -n 1 "$T/buffer_size_kb")
tracefs_state() {
	echo "tracing_on $(cat "$T/tracing_on")"
	echo "trace_clock $(cat "$T/trace_clock")"
	echo "current_tracer $(cat "$T/current_tracer")"
	echo "saved_cmdlines_size $(cat "$T/saved_cmdlines_size" 2>/dev/null)"
	case $buf0 in
	*expanded*) ;;	# never used since boot: restored as the expanded size
	*) echo "buffer_size_kb $(head -n 1 "$T/buffer_size_kb")" ;;
	esac
	grep -r . "$T"/events/*/*/enable
}
tracefs_state >"$tmp/state0"

# tracefs_restored NAME: tracefs is as it was at the start
tracefs_restored() {
	tracefs_state >"$tmp/state1"
	if cmp -s "$tmp/state0" "$tmp/state1"; then
		tap_ok "$1"
	else
		tap_not_ok "$1" "$(diff "$tmp/state0" "$tmp/state1" | head -20)"
	fi
}

# no_stale_instance NAME: no trace instance of a finished kmsim-record is
# left (others may be running)
no_stale_instance() {
	stale=
	for d in "$T"/instances/kmsim-record.*; do
		[ -d "$d" ] || continue
		kill -0 "${d##*.}" 2>/dev/null || stale="$stale $d"
	done
	expect_eq "$1" "" "$stale"
}

# js FILE QUERY: a SQL expression over the JSON file, $m standing for it
js() {
	sql :memory: "select $(printf '%s' "$2" |
	    sed "s#\\\$m#readfile('$1')#g")"
}

expect_fail "an unknown event is refused" 1 "unknown event 'kmem/no_such_event'" \
    "$rec" -e kmem/no_such_event -o "$tmp/b" -- true
expect_fail "a missing command is refused" 127 "command not found" \
    "$rec" -o "$tmp/b" -- /nonexistent/command
tracefs_restored "refusals leave tracefs alone"

# The snapshots read /proc/kpageflags (8 bytes a page) while tracing:
# the kmem events of that read, and of whatever else the machine runs,
# must not overwrite the first markers, so the ring holds 100 MiB a CPU.
run "$rec" -q -b 100000 -o "$tmp/b" -- sh -c 'ls /usr/share >/dev/null; sleep 0.2'
expect_eq "a record exits with the command's status" 0 "$status"
[ "$status" -eq 0 ] || sed 's/^/# /' "$tmp/err"
tracefs_restored "tracefs is left as it was found"
no_stale_instance "its trace instance is removed"

m=$tmp/b/manifest.json
expect_eq "the manifest is valid JSON" 1 "$(js "$m" 'json_valid($m)')"
missing=
for k in format version kernel_release machine page_size pageblock_order \
    nr_cpus start_time end_time command exit_status trace trace_format \
    events lost_events per_cpu markers snapshots kpageflags; do
	[ -n "$(js "$m" "json_type(\$m, '\$.$k')")" ] || missing="$missing $k"
done
expect_eq "the manifest has every key" "" "$missing"
expect_eq "format, version, trace" "kmsim-bundle|1|trace.txt.zst|ftrace-text" \
    "$(js "$m" "json_extract(\$m, '\$.format'), json_extract(\$m, '\$.version'),
        json_extract(\$m, '\$.trace'), json_extract(\$m, '\$.trace_format')")"
expect_eq "the command and its status" \
    '["sh","-c","ls /usr/share >/dev/null; sleep 0.2"]|0' \
    "$(js "$m" "json_extract(\$m, '\$.command'), json_extract(\$m, '\$.exit_status')")"
expect_eq "numbers are numbers" "integer|integer|integer|real|1" \
    "$(js "$m" "json_type(\$m, '\$.page_size'), json_type(\$m, '\$.pageblock_order'),
        json_type(\$m, '\$.nr_cpus'), json_type(\$m, '\$.start_time'),
        json_extract(\$m, '\$.start_time') < json_extract(\$m, '\$.end_time')")"
expect_eq "mm_page_alloc is among the events" 1 \
    "$(js "$m" "(select count(*) from json_each(\$m, '\$.events')
        where value = 'kmem/mm_page_alloc')")"
expect_eq "one per_cpu entry per CPU, lost_events their sum" 1 \
    "$(js "$m" "json_array_length(\$m, '\$.per_cpu') >= json_extract(\$m, '\$.nr_cpus')
        and json_extract(\$m, '\$.lost_events') =
        (select sum(json_extract(value, '\$.overrun') + json_extract(value, '\$.dropped'))
         from json_each(\$m, '\$.per_cpu'))")"
expect_eq "the markers" "kmsim-record: before snapshot begin|kmsim-record: after snapshot end" \
    "$(js "$m" "json_extract(\$m, '\$.markers.before_begin'), json_extract(\$m, '\$.markers.after_end')")"
expect_eq "the kpageflags markers" "kmsim-record: before kpageflags begin|kmsim-record: after kpageflags begin" \
    "$(js "$m" "json_extract(\$m, '\$.markers.before_kpageflags_begin'), json_extract(\$m, '\$.markers.after_kpageflags_begin')")"

run zstd -dc "$tmp/b/trace.txt.zst"
expect_eq "the trace decompresses" 0 "$status"
mv "$tmp/out" "$tmp/trace.txt"
expect_eq "the six markers are in the trace, in order" \
    "before snapshot begin,before kpageflags begin,before snapshot end,after snapshot begin,after kpageflags begin,after snapshot end," \
    "$(sed -n 's/.*tracing_mark_write: kmsim-record: //p' "$tmp/trace.txt" | tr '\n' ,)"
check "the trace has an mm_page_alloc" grep -q ' mm_page_alloc: ' "$tmp/trace.txt"
expect_eq "the command's ls is traced between the snapshots" 1 \
    "$(awk '/tracing_mark_write: kmsim-record: before snapshot end/ { in_cmd = 1 }
        /tracing_mark_write: kmsim-record: after snapshot begin/ { in_cmd = 0 }
        in_cmd && $1 ~ /^ls-[0-9]+$/ { n = 1 } END { print n + 0 }' "$tmp/trace.txt")"
for s in before after; do
	ok=yes
	for f in buddyinfo pagetypeinfo zoneinfo slabinfo vmallocinfo meminfo vmstat; do
		[ -s "$tmp/b/$s/$f" ] || ok="no $f"
	done
	expect_eq "the $s snapshot's /proc files" yes "$ok"
	n=$(zstd -dc "$tmp/b/$s/kpageflags.zst" | wc -c)
	check "the $s kpageflags is a whole number of pfns" \
	    test "$n" -gt 0 -a $((n % 8)) -eq 0
done
check "the event formats are saved" \
    grep -q '^name: mm_page_alloc$' "$tmp/b/formats/kmem/mm_page_alloc/format"
check "the per-CPU stats are saved" grep -q '^cpu0$' "$tmp/b/per_cpu_stats.txt"
check "no staging directory is left" test -z "$(ls -d "$tmp"/b.part* 2>/dev/null)"
check "no intermediate file is left in the bundle" \
    test -z "$(find "$tmp/b" -name '*.fast.zst')"

expect_fail "an existing bundle is refused" 1 "exists \\(use -f" \
    "$rec" -q -o "$tmp/b" -- true
check "the refused bundle is untouched" test -f "$m"
mkdir "$tmp/notabundle"
: >"$tmp/notabundle/precious"
expect_fail "-f does not replace a directory that is not a bundle" 1 \
    "not a bundle" "$rec" -q -f -o "$tmp/notabundle" -- true
ok_run "-f replaces a bundle" "$rec" -q -f --no-kpageflags -b 20000 \
    -o "$tmp/b" -- true
expect_eq "the replaced bundle is the new one" '["true"]|null' \
    "$(js "$m" "json_extract(\$m, '\$.command'), json_type(\$m, '\$.kpageflags')")"

# A tar bundle, an exit status and arguments that need escaping.
ctl=$(printf 'x\ty\nz\001')
run "$rec" -q --no-kpageflags -b 20000 -o "$tmp/c.tar" -- \
    sh -c 'exit 3' 'a"b\c' "$ctl"
expect_eq "the command's exit status is returned" 3 "$status"
tracefs_restored "tracefs is left as found after a failing command"
no_stale_instance "no trace instance is left after a failing command"
expect_eq "the archive is ustar" "75 73 74 61 72 00 30 30" \
    "$(dd if="$tmp/c.tar" bs=1 skip=257 count=8 2>/dev/null | od -An -tx1 |
        sed 's/^ *//')"
check "the archive has no pax or GNU long-name headers" \
    test "$(grep -a -c -e PaxHeader -e '@LongLink' "$tmp/c.tar")" -eq 0
expect_eq "manifest.json is the first member" manifest.json \
    "$(tar -tf "$tmp/c.tar" | head -n 1)"
mkdir "$tmp/c"
ok_run "the archive unpacks" tar -xf "$tmp/c.tar" -C "$tmp/c"
m=$tmp/c/manifest.json
expect_eq "its manifest is valid JSON" 1 "$(js "$m" 'json_valid($m)')"
expect_eq "the exit status is recorded" 3 "$(js "$m" "json_extract(\$m, '\$.exit_status')")"
expect_eq "quotes and backslashes are escaped" 1 \
    "$(js "$m" "json_extract(\$m, '\$.command[3]') = 'a\"b\\c'")"
expect_eq "control characters are escaped" 1 \
    "$(js "$m" "json_extract(\$m, '\$.command[4]') = char(120, 9, 121, 10, 122, 1)")"
check "--no-kpageflags saves none" test ! -e "$tmp/c/before/kpageflags.zst"
check "the trace is there" test -s "$tmp/c/trace.txt.zst"

### Interrupted

# child_of PID COMM: print the pid of PID's child named COMM
child_of() {
	cat /proc/[0-9]*/stat 2>/dev/null |
	    awk -v pp="$1" -v c="($2)" '$4 == pp && $2 == c { print $1 }'
}

# interrupt SIG CODE: stop a record of `sleep 5` with SIG; expect CODE
interrupt() {
	# A background shell ignores SIGINT unless its default is restored.
	env --default-signal=INT "$rec" -q --no-kpageflags -b 20000 \
	    -o "$tmp/int" -- sleep 5 >"$tmp/int.out" 2>"$tmp/int.err" </dev/null &
	pid=$!
	i=0
	child=
	while [ "$i" -lt 200 ] && [ -z "$child" ]; do
		child=$(child_of "$pid" sleep)
		[ -n "$child" ] || sleep 0.05
		i=$((i + 1))
	done
	check "SIG$1: the command is running" test -n "$child"
	kill -"$1" "$pid"
	status=0
	wait "$pid" || status=$?
	expect_eq "SIG$1 exits $2" "$2" "$status"
	check "SIG$1: it says so" grep -q "interrupted by SIG$1" "$tmp/int.err"
	check "SIG$1: the command was stopped" test -z "$(child_of "$pid" sleep)"
	[ -z "$child" ] || check "SIG$1: the command is gone" eval "! kill -0 $child 2>/dev/null"
	check "SIG$1: no bundle is written" test ! -e "$tmp/int"
	check "SIG$1: no partial bundle is left" \
	    test -z "$(ls -d "$tmp"/int.part* 2>/dev/null)"
	tracefs_restored "SIG$1: tracefs is left as it was found"
	check "SIG$1: its trace instance is removed" \
	    test ! -e "$T/instances/kmsim-record.$pid"
}
if env --default-signal=INT true 2>/dev/null; then
	interrupt INT 130
	interrupt TERM 143
else
	tap_skip "interrupts: env has no --default-signal"
fi
done_testing
