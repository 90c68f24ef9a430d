# t9100-bad-input.sh - a catalogue of bad input, most of it generated:
# truncated configs, traces and bundles, a wrong type for every config key,
# huge, negative and overflowing numbers, binary junk, NUL bytes, CRLF line
# ends, time going backwards, CPUs the machine lacks, frees of unknown
# objects, unusable databases, a full disk and a trace.dat that crashes
# libtracecmd.
#
# Every bad case must end with exit status 1 (never a signal, never the
# timeout), and exactly one line on stderr, "kmsim: " and a message naming
# the file (FILE:LINE:COL where the input has positions).  A cut that
# leaves a valid prefix (a config without its last keys, a trace without
# its last ops) may also succeed: such cases accept exit 0.
. "$top_srcdir/tests/lib.sh"

[ -x "$KMSIM" ] || skip_all "$KMSIM not built"

tiny=$configs/tiny.yaml
ncases=0
# under a wrapper (make check-valgrind: a second a run) the generated
# cuts and wrong keys are thinned to one in $thin
thin=1
[ -z "${KMSIM_WRAPPER:-}" ] || thin=6

# ERE-quote a string.
ere_quote() {
	printf '%s\n' "$1" | sed 's/[][\.*^$(){}+?|/]/\\&/g'
}

# judge NAME OK0 RE: the last run failed cleanly (or, with OK0=yes,
# succeeded with nothing on stderr).
judge() {
	ncases=$((ncases + 1))
	lines=$(wc -l <"$tmp/err")
	if [ "$status" -eq 0 ] && [ "$2" = yes ]; then
		if [ "$lines" -eq 0 ]; then
			tap_ok "$1 (accepted)"
		else
			tap_not_ok "$1" "exit 0 with output on stderr:" \
			    "$(head -c 2000 "$tmp/err")"
		fi
	elif [ "$status" -eq 124 ]; then
		tap_not_ok "$1" "timed out (60 s)"
	elif [ "$status" -ne 1 ]; then
		tap_not_ok "$1" "expected exit 1, got $status" \
		    "$(head -c 2000 "$tmp/err")"
	elif [ "$lines" -ne 1 ]; then
		tap_not_ok "$1" "expected one line on stderr, got $lines:" \
		    "$(head -c 2000 "$tmp/err")"
	elif ! grep -Eq -- "^kmsim: $3" "$tmp/err"; then
		tap_not_ok "$1" "stderr does not match /^kmsim: $3/:" \
		    "$(head -c 2000 "$tmp/err")"
	else
		tap_ok "$1"
	fi
}

# bad NAME RE CMD...: CMD fails cleanly, its message matching RE.
bad() {
	name=$1
	re=$2
	shift 2
	run timeout 60 "$@"
	judge "$name" no "$re"
}

# bad_or_ok NAME RE CMD...: as bad, but success is fine too.
bad_or_ok() {
	name=$1
	re=$2
	shift 2
	run timeout 60 "$@"
	judge "$name" yes "$re"
}

# cuts FILE: the lengths to cut FILE to: at the end of every tenth line
# (every line of a short file) and in the middle of the line after it.
cuts() {
	awk -v step="$((($(wc -l <"$1") / 40 + 1) * thin))" '
	{ len += length($0) + 1 }
	NR % step == 0 { print len; print len + int(length($0) / 2) + 1 }
	' "$1" | sort -nu
}

### 1. configurations cut short

for cfg in "$configs"/*.yaml; do
	base=${cfg##*/}
	for n in $(cuts "$cfg"); do
		head -c "$n" "$cfg" >"$tmp/$base"
		bad_or_ok "config $base cut at byte $n" \
		    "$(ere_quote "$tmp/$base"):[0-9]+:[0-9]+: " \
		    "$KMSIM" --config "$tmp/$base" --show-machine
	done
done

### 2. a wrong type, and bad numbers, for every key of numa4.yaml

# every "key: value" line: a mapping, a sequence, a string, a negative,
# 2^64 and a size past 64 bits in its place; the error is on that line,
# at the value's column
cfg=$configs/numa4.yaml
grep -n '^ *[-a-z_ ]*[a-z_]*: *[^ #]' "$cfg" | grep -v '^[0-9]*: *#' |
while IFS=: read -r line key rest; do
	k=$(printf '%s' "$key" | sed 's/^[ -]*//')
	prefix=$(printf '%s' "$key" | sed 's/[^ -].*//')
	col=$((${#prefix} + ${#k} + 3))
	for v in '{x: 1}' '[1, 2]' zzz -1 18446744073709551616 \
	    99999999999999999999P; do
		case $k:$v in
		# a name is any string
		name:zzz|name:-1|name:18446744073709551616|name:9*) continue ;;
		esac
		printf '%s %s %s\n' "$line" "$k" "$v"
	done
done | awk -v thin="$thin" 'NR % thin == 0' >"$tmp/keys"
while read -r line k v; do
	awk -v n="$line" -v k="$k" -v v="$v" '
	NR == n { sub(k ": *[^#]*", k ": " v " ") } { print }
	' "$cfg" >"$tmp/wrong.yaml"
	bad "config key $k (line $line) = $v" \
	    "$(ere_quote "$tmp/wrong.yaml"):$line:[0-9]+: " \
	    "$KMSIM" --config "$tmp/wrong.yaml" --show-machine
done <"$tmp/keys"
check "every key of numa4.yaml was tried" \
    test "$(wc -l <"$tmp/keys")" -ge $((40 / thin))

# the same keys, wrong through --set
for set in machine.page_size='{a: 1}' machine.max_order=-1 \
    machine.nodes.0.memory=18446744073709551616K metrics=3 \
    machine.nodes.0.cpus=0-99999999999999999999; do
	bad "--set $set" "" "$KMSIM" --config "$tiny" --set "$set" --show-machine
done

### 3. YAML traces cut short

for trace in "$fixtures"/run/fill-free.yaml "$fixtures"/run/compact.yaml \
    "$traces"/fragment.yaml; do
	base=${trace##*/}
	for n in $(cuts "$trace"); do
		head -c "$n" "$trace" >"$tmp/$base"
		bad_or_ok "trace $base cut at byte $n" \
		    "$(ere_quote "$tmp/$base"):[0-9]+:[0-9]+: " \
		    "$KMSIM" --config "$configs/numa4.yaml" \
		    --trace "$tmp/$base" --parse-only --quiet
	done
done

### 4. ftrace text cut short

for trace in "$fixtures"/ftrace/*.txt; do
	base=${trace##*/}
	for n in $(cuts "$trace"); do
		head -c "$n" "$trace" >"$tmp/$base"
		bad_or_ok "ftrace $base cut at byte $n" \
		    "$(ere_quote "$tmp/$base"):[0-9]+(:[0-9]+)?: " \
		    "$KMSIM" --config "$tiny" --trace "$tmp/$base" \
		    --no-db --quiet
	done
done

### 5. a bundle cut short

bundle=$fixtures/bundle-small
for part in manifest.json before/buddyinfo before/zoneinfo \
    after/buddyinfo trace.txt.xz; do
	size=$(wc -c <"$bundle/$part")
	for n in 0 $((size / 3)) $((size - 1)); do
		rm -rf "$tmp/b.bundle"
		cp -R "$bundle" "$tmp/b.bundle"
		head -c "$n" "$bundle/$part" >"$tmp/b.bundle/$part"
		bad_or_ok "bundle with $part cut at byte $n" \
		    "$(ere_quote "$tmp/b.bundle")" \
		    "$KMSIM" --config auto --trace "$tmp/b.bundle" \
		    --no-db --quiet
	done
done
rm -rf "$tmp/b.bundle"
cp -R "$bundle" "$tmp/b.bundle"
rm "$tmp/b.bundle/before/zoneinfo"
bad "bundle without before/zoneinfo" "$(ere_quote "$tmp/b.bundle")" \
    "$KMSIM" --config auto --trace "$tmp/b.bundle" --no-db --quiet
rm -rf "$tmp/b.bundle"

### 6. binary junk and NUL bytes

head -c 3000 "$KMSIM" | tail -c 2000 >"$tmp/junk"
bad "config of binary junk" "$(ere_quote "$tmp/junk")" \
    "$KMSIM" --config "$tmp/junk" --show-machine
bad "trace of binary junk" "$(ere_quote "$tmp/junk")" \
    "$KMSIM" --config "$tiny" --trace "$tmp/junk" --no-db --quiet
{ printf 'kmsim-trace: 1\nops:\n'; cat "$tmp/junk"; } >"$tmp/junk.yaml"
bad "YAML trace with junk after its header" \
    "$(ere_quote "$tmp/junk.yaml"):[0-9]+:[0-9]+: " \
    "$KMSIM" --config "$tiny" --trace "$tmp/junk.yaml" --no-db --quiet
{ head -n 20 "$fixtures/ftrace/capture.txt"; cat "$tmp/junk"; } >"$tmp/junk.txt"
bad "ftrace text with junk after 20 lines" \
    "$(ere_quote "$tmp/junk.txt"):[0-9]+(:[0-9]+)?: " \
    "$KMSIM" --config "$tiny" --trace "$tmp/junk.txt" --no-db --quiet
sed 's/memory: 64M/memory: 6\x004M/' "$tiny" >"$tmp/nul.yaml"
bad "config with a NUL byte" "$(ere_quote "$tmp/nul.yaml"):[0-9]+:[0-9]+: " \
    "$KMSIM" --config "$tmp/nul.yaml" --show-machine
sed '9s/order: /order: \x00/' "$fixtures/run/fill-free.yaml" >"$tmp/nul-trace.yaml"
bad "YAML trace with a NUL byte" \
    "$(ere_quote "$tmp/nul-trace.yaml"):[0-9]+:[0-9]+: " \
    "$KMSIM" --config "$tiny" --trace "$tmp/nul-trace.yaml" --no-db --quiet
sed '15s/kmalloc:/kma\x00lloc:/' "$fixtures/ftrace/capture.txt" >"$tmp/nul.txt"
bad "ftrace text with a NUL byte" "$(ere_quote "$tmp/nul.txt"):15(:[0-9]+)?: " \
    "$KMSIM" --config "$tiny" --trace "$tmp/nul.txt" --no-db --quiet
: >"$tmp/empty.txt"
bad "an empty trace file" "$(ere_quote "$tmp/empty.txt")" \
    "$KMSIM" --config "$tiny" --trace "$tmp/empty.txt" --no-db --quiet

### 7. CRLF line ends: the same result as LF
#
# CRLF YAML is valid YAML; ftrace text with CRLF (a capture copied through
# a Windows tool) is read as if it had LF: kmsim-trace(5) says so.

for cfg in "$configs"/*.yaml; do
	base=${cfg##*/}
	# the same file name: a config without a name is named by it
	mkdir -p "$tmp/crlf"
	sed 's/$/\r/' "$cfg" >"$tmp/crlf/$base"
	"$KMSIM" --config "$cfg" --show-machine >"$tmp/lf.out" 2>&1 || true
	"$KMSIM" --config "$tmp/crlf/$base" --show-machine 2>&1 |
	    sed "s|$tmp/crlf/$base|$cfg|g" >"$tmp/crlf.out" || true
	ncases=$((ncases + 1))
	check "config $base with CRLF reads as with LF" \
	    cmp "$tmp/lf.out" "$tmp/crlf.out"
done
summary() {
	"$KMSIM" --config "$1" --trace "$2" --no-db --quiet --json |
	    grep -v -e '"trace"' -e '"trace_sha256"' -e '"config"' \
	    -e '"wall_' -e '"ops_per_s' -e '"max_rss'
}
for trace in "$fixtures"/run/fill-free.yaml "$fixtures"/ftrace/capture.txt \
    "$fixtures"/ftrace/tracecmd-report.txt; do
	base=${trace##*/}
	sed 's/$/\r/' "$trace" >"$tmp/crlf-$base"
	summary "$tiny" "$trace" >"$tmp/lf.out" 2>&1 || true
	summary "$tiny" "$tmp/crlf-$base" >"$tmp/crlf.out" 2>&1 || true
	ncases=$((ncases + 1))
	check "trace $base with CRLF gives the same run as with LF" \
	    cmp "$tmp/lf.out" "$tmp/crlf.out"
done

### 8. time, CPUs and objects

printf 'kmsim-trace: 1\nops:\n  - {op: alloc_pages, id: a, ts: 100}\n  - {op: alloc_pages, id: b, ts: 50}\n' >"$tmp/back.yaml"
bad "YAML trace going back in time" \
    "$(ere_quote "$tmp/back.yaml"):4:[0-9]+: timestamp 50 goes backwards" \
    "$KMSIM" --config "$tiny" --trace "$tmp/back.yaml" --no-db --quiet
# ftrace: CPUs' buffers interleave, so time may step back between CPUs;
# on one CPU it may not
grep -v '^#' "$fixtures/ftrace/capture.txt" | sed -n '1,40p' >"$tmp/body.txt"
{ grep '^#' "$fixtures/ftrace/capture.txt"; sed -n '21,40p' "$tmp/body.txt"
    sed -n '1,20p' "$tmp/body.txt"; } >"$tmp/back.txt"
bad_or_ok "ftrace text going back in time" \
    "$(ere_quote "$tmp/back.txt"):[0-9]+(:[0-9]+)?: " \
    "$KMSIM" --config "$tiny" --trace "$tmp/back.txt" --no-db --quiet
printf 'kmsim-trace: 1\nops:\n  - {op: alloc_pages, id: a, cpu: 7}\n' >"$tmp/cpu.yaml"
bad "YAML trace on a CPU the machine lacks" \
    "$(ere_quote "$tmp/cpu.yaml"):3:[0-9]+: cpu 7 does not exist" \
    "$KMSIM" --config "$tiny" --trace "$tmp/cpu.yaml" --no-db --quiet
printf 'kmsim-trace: 1\nops:\n  - {op: alloc_pages, id: a, cpu: 99999999999999999999}\n' >"$tmp/cpu2.yaml"
bad "YAML trace on CPU 2^64+" "$(ere_quote "$tmp/cpu2.yaml"):3:[0-9]+: " \
    "$KMSIM" --config "$tiny" --trace "$tmp/cpu2.yaml" --no-db --quiet
# a capture's CPUs are folded onto the machine's (kmsim-trace(5)): a
# capture from a big machine simulates on a small one
sed 's/\[001\]/[037]/' "$fixtures/ftrace/capture.txt" >"$tmp/cpu.txt"
bad_or_ok "ftrace text on a CPU the machine lacks (folded)" \
    "$(ere_quote "$tmp/cpu.txt"):[0-9]+(:[0-9]+)?: " \
    "$KMSIM" --config "$tiny" --trace "$tmp/cpu.txt" --no-db --quiet
printf 'kmsim-trace: 1\nops:\n  - {op: free_pages, id: nobody}\n' >"$tmp/free.yaml"
bad "YAML free of an unknown object" \
    "$(ere_quote "$tmp/free.yaml"):3:[0-9]+: free of id 'nobody' that is not allocated" \
    "$KMSIM" --config "$tiny" --trace "$tmp/free.yaml" --no-db --quiet
printf 'kmsim-trace: 1\nops:\n  - {op: kfree, id: nobody}\n' >"$tmp/kfree.yaml"
bad "YAML kfree of an unknown object" "$(ere_quote "$tmp/kfree.yaml"):3:[0-9]+: " \
    "$KMSIM" --config "$tiny" --trace "$tmp/kfree.yaml" --no-db --quiet
printf 'kmsim-trace: 1\nops:\n  - {op: alloc_pages, id: a, order: 18446744073709551616}\n' >"$tmp/huge.yaml"
bad "YAML order of 2^64" "$(ere_quote "$tmp/huge.yaml"):3:[0-9]+: " \
    "$KMSIM" --config "$tiny" --trace "$tmp/huge.yaml" --no-db --quiet
printf 'kmsim-trace: 1\nops:\n  - {op: kmalloc, id: a, size: 99999999999999999999P}\n' >"$tmp/huge2.yaml"
bad "YAML kmalloc size past 64 bits" "$(ere_quote "$tmp/huge2.yaml"):3:[0-9]+: " \
    "$KMSIM" --config "$tiny" --trace "$tmp/huge2.yaml" --no-db --quiet
printf 'kmsim-trace: 1\nops:\n  - {op: alloc_pages, id: a, ts: -5}\n' >"$tmp/neg.yaml"
bad "YAML negative timestamp" "$(ere_quote "$tmp/neg.yaml"):3:[0-9]+: " \
    "$KMSIM" --config "$tiny" --trace "$tmp/neg.yaml" --no-db --quiet

### 9. databases

run_db="$KMSIM --config $tiny --trace $fixtures/run/fill-free.yaml --quiet --db"
bad "database in a missing directory" "$(ere_quote "$tmp/no/such/x.db"): " \
    $run_db "$tmp/no/such/x.db"
# root ignores permissions: a directory that cannot hold files for anyone
bad "database in a read-only place (/proc)" "/proc/kmsim-test-[0-9]+\.db: " \
    $run_db "/proc/kmsim-test-$$.db"
: >"$tmp/plain"
bad "database under a file used as a directory" "$(ere_quote "$tmp/plain/x.db"): " \
    $run_db "$tmp/plain/x.db"
printf 'SQLite format 3\000 but then nothing of the kind %.0s' $(seq 1 100) >"$tmp/fake.db"
bad "database that only starts like SQLite" "$(ere_quote "$tmp/fake.db"): " \
    $run_db "$tmp/fake.db"
head -c 8192 /dev/zero >"$tmp/zero.db"
bad "database of zeros" "$(ere_quote "$tmp/zero.db"): " $run_db "$tmp/zero.db"

# a full disk: a small tmpfs (root only), the run must fail and must not
# be recorded as complete
mkdir "$tmp/full"
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=96k tmpfs "$tmp/full" 2>/dev/null; then
	bad "database on a full disk" "$(ere_quote "$tmp/full/x.db")" \
	    "$KMSIM" --config "$tiny" --trace "$fixtures/run/long.yaml" \
	    --quiet --db "$tmp/full/x.db"
	if [ -n "$SQLITE3" ] && [ -s "$tmp/full/x.db" ]; then
		st=$("$SQLITE3" "$tmp/full/x.db" \
		    "select group_concat(status) from runs" 2>/dev/null || echo unreadable)
		ncases=$((ncases + 1))
		check "the full disk's run is not complete ($st)" \
		    test "$st" != complete
	fi
	umount "$tmp/full"
else
	echo "# full disk: skipped (cannot mount a tmpfs: not root, or no privilege)"
fi

### 10. a trace.dat that crashes libtracecmd
#
# found by fuzz-trace-dat: the small v7 capture with 512 bytes of one of
# its compressed CPU data chunks overwritten makes libtracecmd 1.3's
# tracecmd_open_fd() crash (a NULL dereference in its own
# tracecmd_close() on the failure path).  kmsim's layout check now
# decompresses every chunk and refuses the file first; with that check
# off (KMSIM_TEST_DAT_NO_PRECHECK) the crash guard must catch it.
dat=$fixtures/ftrace-dat/small.dat
run "$KMSIM" --config "$tiny" --trace "$dat" --parse-only --quiet
if grep -q 'without libtracecmd' "$tmp/err"; then
	echo "# trace.dat crash: skipped (kmsim was built without libtracecmd)"
else
	expect_eq "the intact trace.dat parses" 0 "$status"
	cp "$dat" "$tmp/crash.dat"
	head -c 512 /dev/zero | tr '\000' '\377' |
	    dd of="$tmp/crash.dat" bs=1 seek=1156398 conv=notrunc 2>/dev/null
	bad "trace.dat with a corrupt compressed chunk" \
	    "$(ere_quote "$tmp/crash.dat"): trace\.dat is truncated or corrupt \(in its CPU data\)\$" \
	    "$KMSIM" --config "$tiny" --trace "$tmp/crash.dat" --no-db --quiet
	# under valgrind the crash itself is an error, and the handle the
	# library was building is abandoned (by design): not tried there
	if [ -n "${KMSIM_WRAPPER:-}" ]; then
		echo "# the libtracecmd crash: skipped under $KMSIM_WRAPPER"
	else
		bad "trace.dat that crashes libtracecmd" \
		    "$(ere_quote "$tmp/crash.dat"): trace\.dat is corrupt: libtracecmd crashed reading it \(in tracecmd_open_fd\)\$" \
		    env KMSIM_TEST_DAT_NO_PRECHECK=1 \
		    "$KMSIM" --config "$tiny" --trace "$tmp/crash.dat" --no-db --quiet
		# with a database: the run must not look complete
		if [ -n "$SQLITE3" ]; then
			run timeout 60 env KMSIM_TEST_DAT_NO_PRECHECK=1 "$KMSIM" \
			    --config "$tiny" --trace "$tmp/crash.dat" --quiet \
			    --db "$tmp/crash.db"
			judge "trace.dat that crashes libtracecmd, with a database" no \
			    "$(ere_quote "$tmp/crash.dat"): trace\.dat is corrupt"
			if [ -s "$tmp/crash.db" ]; then
				expect_eq "no complete run in the database" "0" \
				    "$(sql "$tmp/crash.db" "select count(*) from runs where status = 'complete'")"
			fi
	fi
	fi
	# and through a compressed copy (spooled to a temporary file)
	xz -c "$tmp/crash.dat" >"$tmp/crash.dat.xz" 2>/dev/null &&
	bad "xz-compressed trace.dat with a corrupt chunk" \
	    "$(ere_quote "$tmp/crash.dat.xz"): trace\.dat is truncated or corrupt" \
	    "$KMSIM" --config "$tiny" --trace "$tmp/crash.dat.xz" --no-db --quiet
	# a cut in the CPU data
	head -c 1160000 "$dat" >"$tmp/cut.dat"
	bad "trace.dat cut in its CPU data" \
	    "$(ere_quote "$tmp/cut.dat"): trace\.dat is truncated or corrupt" \
	    "$KMSIM" --config "$tiny" --trace "$tmp/cut.dat" --no-db --quiet
	ok_run "the intact trace.dat simulates (a capture)" \
	    "$KMSIM" --config "$tiny" --trace "$dat" --no-db --quiet
fi

echo "# bad-input catalogue: $ncases cases"
done_testing
