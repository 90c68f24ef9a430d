#!/bin/sh
# kmsim-record - capture a command's memory-subsystem trace as a kmsim bundle.
#
# Enables the kernel's kmem, vmalloc, percpu, filemap, writeback, compaction
# and vmscan tracepoints through tracefs, takes a snapshot of /proc (buddyinfo,
# pagetypeinfo, zoneinfo, slabinfo, vmallocinfo, meminfo, vmstat, kpageflags)
# before and after the command with tracing on, each bracketed by
# trace_marker lines, and writes trace, snapshots, event formats and a
# manifest.json into a directory or a ustar archive.  All of it happens in a
# trace instance of its own, removed at the end, on error and on
# SIGINT/SIGTERM/SIGHUP, so the rest of tracefs is left as it was found.
# See kmsim-record(1).
#
# shellcheck disable=SC2015,SC2317

version='@VERSION@'
prog=kmsim-record

DEFAULT_EVENTS='
kmem/mm_page_alloc kmem/mm_page_free kmem/mm_page_free_batched
kmem/mm_page_alloc_zone_locked kmem/mm_page_pcpu_drain
kmem/mm_page_alloc_extfrag kmem/kmalloc kmem/kfree kmem/kmem_cache_alloc
kmem/kmem_cache_free
vmalloc/alloc_vmap_area vmalloc/free_vmap_area_noflush
vmalloc/purge_vmap_area_lazy
percpu/percpu_alloc_percpu percpu/percpu_free_percpu
filemap/mm_filemap_add_to_page_cache filemap/mm_filemap_delete_from_page_cache
writeback/writeback_dirty_folio writeback/writeback_start
writeback/writeback_written writeback/writeback_single_inode_start
writeback/writeback_single_inode
compaction/mm_compaction_begin compaction/mm_compaction_end
compaction/mm_compaction_kcompactd_wake
vmscan/mm_vmscan_kswapd_wake vmscan/mm_vmscan_kswapd_sleep
vmscan/mm_vmscan_wakeup_kswapd vmscan/mm_vmscan_direct_reclaim_begin
vmscan/mm_vmscan_direct_reclaim_end
'
SNAPSHOT_FILES='buddyinfo pagetypeinfo zoneinfo slabinfo vmallocinfo meminfo vmstat'
MARK_BEFORE_BEGIN='kmsim-record: before snapshot begin'
MARK_BEFORE_END='kmsim-record: before snapshot end'
MARK_AFTER_BEGIN='kmsim-record: after snapshot begin'
MARK_AFTER_END='kmsim-record: after snapshot end'
# Around the /proc/kpageflags read alone: the state kmsim's replay seeds
# from and compares with is the one that read saw, so replay runs from the
# first of these to the third.
MARK_BEFORE_KPF='kmsim-record: before kpageflags begin'
MARK_AFTER_KPF='kmsim-record: after kpageflags begin'
ZSTD_FLAGS='-q -19 --long=27 -T0'

usage() {
	cat <<EOF
usage: $prog -o BUNDLE [-f] [-q] [-b KB] [-e SYSTEM/EVENT]...
                    [--no-kpageflags] -- COMMAND [ARGS...]
       $prog -h | -V

Run COMMAND with the kernel's memory-subsystem tracepoints enabled and write
the trace, /proc snapshots taken before and after, and a manifest to BUNDLE:
a directory, or a ustar archive if BUNDLE ends in .tar.  Needs root.

  -o, --output BUNDLE     the bundle to write
  -f, --force             replace an existing BUNDLE
  -b, --buffer-size KB    ring buffer per CPU in KiB (default 200000)
  -e, --event SYS/EVENT   enable this event too (repeatable)
      --no-kpageflags     do not save /proc/kpageflags in the snapshots
  -q, --quiet             print nothing but errors
  -h, --help              print this help and exit
  -V, --version           print the version and exit
EOF
}

msg() {
	[ "$quiet" = 1 ] || printf '%s: %s\n' "$prog" "$*" >&2
}

warn() {
	printf '%s: %s\n' "$prog" "$*" >&2
}

die() {
	printf '%s: %s\n' "$prog" "$*" >&2
	exit 1
}

usage_error() {
	printf '%s: %s\n' "$prog" "$*" >&2
	usage >&2
	exit 2
}

# json_str STRING: print STRING as a JSON string literal.  Bytes 0x80 and
# above are copied (UTF-8 stays UTF-8); control characters are escaped.
json_str() {
	JSON_S=$1 LC_ALL=C awk 'BEGIN {
		for (i = 1; i < 128; i++)
			ord[sprintf("%c", i)] = i
		s = ENVIRON["JSON_S"]
		out = "\""
		n = length(s)
		for (i = 1; i <= n; i++) {
			c = substr(s, i, 1)
			if (c == "\\") out = out "\\\\"
			else if (c == "\"") out = out "\\\""
			else if (c == "\n") out = out "\\n"
			else if (c == "\t") out = out "\\t"
			else if (c == "\r") out = out "\\r"
			else if ((c in ord) && (ord[c] < 32 || ord[c] == 127))
				out = out sprintf("\\u%04x", ord[c])
			else out = out c
		}
		printf "%s\"", out
	}'
}

now() {
	t=$(date +%s.%N)
	case $t in
	*N*) date +%s ;;
	*) printf '%s\n' "$t" ;;
	esac
}

# tf_write FILE VALUE: write VALUE to a file of the trace instance, or fail
tf_write() {
	printf '%s\n' "$2" 2>/dev/null >"$I/$1" ||
		die "cannot write '$2' to $I/$1"
}

mark() {
	printf '%s\n' "$1" 2>/dev/null >"$I/trace_marker" ||
		die "cannot write to $I/trace_marker"
}

### Options

out=
force=0
buffer_kb=200000
extra_events=
kpageflags=1
quiet=0
while [ $# -gt 0 ]; do
	case $1 in
	-o | --output)
		[ $# -ge 2 ] || usage_error "option '$1' needs an argument"
		out=$2
		shift 2
		;;
	--output=*) out=${1#*=}; shift ;;
	-o?*) out=${1#-o}; shift ;;
	-b | --buffer-size)
		[ $# -ge 2 ] || usage_error "option '$1' needs an argument"
		buffer_kb=$2
		shift 2
		;;
	--buffer-size=*) buffer_kb=${1#*=}; shift ;;
	-b?*) buffer_kb=${1#-b}; shift ;;
	-e | --event)
		[ $# -ge 2 ] || usage_error "option '$1' needs an argument"
		extra_events="$extra_events $2"
		shift 2
		;;
	--event=*) extra_events="$extra_events ${1#*=}"; shift ;;
	-e?*) extra_events="$extra_events ${1#-e}"; shift ;;
	-f | --force) force=1; shift ;;
	-q | --quiet) quiet=1; shift ;;
	--no-kpageflags) kpageflags=0; shift ;;
	-h | --help) usage; exit 0 ;;
	-V | --version) printf '%s %s\n' "$prog" "$version"; exit 0 ;;
	--) shift; break ;;
	-?*) usage_error "unknown option '$1'" ;;
	*) break ;;
	esac
done
[ -n "$out" ] || usage_error "no bundle given (-o BUNDLE)"
[ $# -gt 0 ] || usage_error "no command given"
case $buffer_kb in
'' | *[!0-9]*) usage_error "buffer size '$buffer_kb' is not a number of KiB" ;;
esac
[ "$buffer_kb" -gt 0 ] 2>/dev/null ||
	usage_error "buffer size '$buffer_kb' is not a number of KiB"
events_req=
for e in $extra_events; do
	case $e in
	*:*) e=$(printf '%s' "$e" | tr : /) ;;
	esac
	case $e in
	*/*/* | /* | */ | *[!A-Za-z0-9_/]*)
		usage_error "bad event '$e' (want SYSTEM/EVENT)" ;;
	*/*) ;;
	*) usage_error "bad event '$e' (want SYSTEM/EVENT)" ;;
	esac
	events_req="$events_req $e"
done
while :; do
	case $out in
	?*/) out=${out%/} ;;
	*) break ;;
	esac
done
case $out in
*.tar) tar_out=1 ;;
*) tar_out=0 ;;
esac

### Preconditions, in the order a user can fix them

[ "$(id -u)" -eq 0 ] ||
	die "must be run as root (tracefs and /proc/kpageflags need it)"

if [ -e "$out" ] || [ -L "$out" ]; then
	[ "$force" = 1 ] || die "'$out' exists (use -f to replace it)"
	if [ -d "$out" ] && [ ! -L "$out" ]; then
		[ -f "$out/manifest.json" ] || [ -z "$(ls -A "$out")" ] ||
			die "'$out' is a directory but not a bundle; not replacing it"
	fi
fi
outdir=$(dirname -- "$out")
[ -d "$outdir" ] && [ -w "$outdir" ] ||
	die "cannot write to directory '$outdir'"

command -v zstd >/dev/null 2>&1 ||
	die "zstd not found (install the zstd package)"
if [ "$tar_out" = 1 ]; then
	tar --version 2>/dev/null | grep -q 'GNU tar' ||
		die "GNU tar not found (needed for a .tar bundle)"
fi
command -v -- "$1" >/dev/null 2>&1 || {
	printf '%s: command not found: %s\n' "$prog" "$1" >&2
	exit 127
}

T=
for d in /sys/kernel/tracing /sys/kernel/debug/tracing; do
	if [ -f "$d/tracing_on" ]; then
		T=$d
		break
	fi
done
if [ -z "$T" ] && [ -d /sys/kernel/tracing ]; then
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null &&
		[ -f /sys/kernel/tracing/tracing_on ] && T=/sys/kernel/tracing
fi
[ -n "$T" ] ||
	die "tracefs is not available (mount -t tracefs nodev /sys/kernel/tracing failed)"
[ -d "$T/instances" ] ||
	die "tracefs at $T has no instances (a kernel of 3.10 or later is needed)"

# The events to enable: the defaults this kernel has, then those asked for.
events=
for e in $DEFAULT_EVENTS; do
	[ -f "$T/events/$e/enable" ] && events="$events $e"
done
for e in $events_req; do
	[ -f "$T/events/$e/enable" ] || die "unknown event '$e'"
	case " $events " in
	*" $e "*) ;;
	*) events="$events $e" ;;
	esac
done
[ -n "$events" ] || die "this kernel has none of the memory events"

### The trace instance, and the clean-up that removes it
#
# Everything is recorded in a trace instance of our own
# (instances/kmsim-record.PID): its ring buffer, events, clock and markers
# are separate from the top-level buffer and from other instances, so the
# state others left in tracefs is never touched and two captures can run
# at once.  Removing the instance frees its buffer.

stage=
tar_tmp=
cmdpid=
I=
finished=0

# Instances left by a kmsim-record that was killed (SIGKILL) hold their
# ring buffers until removed.
for d in "$T"/instances/kmsim-record.*; do
	[ -d "$d" ] || continue
	p=${d##*.}
	case $p in
	'' | *[!0-9]*) continue ;;
	esac
	if ! kill -0 "$p" 2>/dev/null; then
		rmdir "$d" 2>/dev/null &&
			warn "removed the trace instance of a dead kmsim-record: $d"
	fi
done

# The pid -> command name cache is global: a build runs more processes than
# its default size holds, and the trace would show their names as '<...>'.
# It is raised for the capture and put back afterwards.
SAVED_CMDLINES=32768
save_cmdlines=
raise_cmdlines() {
	n=$(head -n 1 "$T/saved_cmdlines_size" 2>/dev/null)
	case $n in
	'' | *[!0-9]*) return 0 ;;
	esac
	[ "$n" -lt "$SAVED_CMDLINES" ] || return 0
	printf '%s\n' "$SAVED_CMDLINES" 2>/dev/null >"$T/saved_cmdlines_size" &&
		save_cmdlines=$n
}
restore_cmdlines() {
	[ -n "$save_cmdlines" ] || return 0
	printf '%s\n' "$save_cmdlines" 2>/dev/null >"$T/saved_cmdlines_size" ||
		warn "could not restore $T/saved_cmdlines_size to $save_cmdlines"
	save_cmdlines=
}

remove_instance() {
	restore_cmdlines
	[ -n "$I" ] || return 0
	printf '0\n' 2>/dev/null >"$I/tracing_on"
	i=0
	until rmdir "$I" 2>/dev/null; do
		i=$((i + 1))
		if [ "$i" -ge 50 ]; then
			warn "could not remove the trace instance $I; rmdir it by hand"
			break
		fi
		sleep 0.1 2>/dev/null || sleep 1
	done
	I=
}

# stop_command: end the traced command (SIGTERM; SIGKILL on a second signal)
stop_command() {
	[ -n "$cmdpid" ] || return 0
	trap 'kill -KILL "$cmdpid" 2>/dev/null' INT TERM HUP
	kill -TERM "$cmdpid" 2>/dev/null
	while kill -0 "$cmdpid" 2>/dev/null; do
		wait "$cmdpid" 2>/dev/null
	done
	cmdpid=
}

cleanup() {
	rc=$?
	trap '' INT TERM HUP
	stop_command
	remove_instance
	if [ "$finished" = 0 ]; then
		[ -n "$stage" ] && rm -rf -- "$stage"
		[ -n "$tar_tmp" ] && rm -f -- "$tar_tmp"
	fi
	exit "$rc"
}

on_signal() {
	trap '' INT TERM HUP
	warn "interrupted by SIG$1; no bundle written"
	case $1 in
	HUP) exit 129 ;;
	INT) exit 130 ;;
	*) exit 143 ;;
	esac
}

trap cleanup EXIT
trap 'on_signal INT' INT
trap 'on_signal TERM' TERM
trap 'on_signal HUP' HUP

### Set up tracing

stage="$out.part$$"
rm -rf -- "$stage"
mkdir -p "$stage/before" "$stage/after" "$stage/formats" ||
	die "cannot create '$stage'"

[ -d "$T/instances/kmsim-record.$$" ] && rmdir "$T/instances/kmsim-record.$$"
mkdir "$T/instances/kmsim-record.$$" 2>/dev/null ||
	die "cannot create the trace instance $T/instances/kmsim-record.$$"
I=$T/instances/kmsim-record.$$
for f in tracing_on trace trace_marker trace_clock buffer_size_kb per_cpu; do
	[ -e "$I/$f" ] || die "the trace instance has no '$f'"
done
tf_write tracing_on 0
tf_write trace_clock local
printf '%s\n' "$buffer_kb" 2>/dev/null >"$I/buffer_size_kb" ||
	die "cannot set a ring buffer of $buffer_kb KiB per CPU (out of memory?)"
printf '' 2>/dev/null >"$I/trace" || die "cannot clear $I/trace"
nev=0
for e in $events; do
	tf_write "events/$e/enable" 1
	nev=$((nev + 1))
done
raise_cmdlines
msg "tracing $nev events, $buffer_kb KiB per CPU, into '$out'"

# snapshot DIR: copy the /proc files into DIR.  /proc/kpageflags (8 bytes
# a pfn: 50 MiB for 24 GiB) goes through a fast compressor, so that the
# snapshot does not fill the page cache, and write back, 50 MiB in the middle
# of the capture; it is compressed properly once tracing is off.
snapshot() {
	for f in $SNAPSHOT_FILES; do
		[ -r "/proc/$f" ] || continue
		{ cat "/proc/$f" >"$1/$f"; } 2>/dev/null ||
			die "could not copy /proc/$f to '$1'"
	done
	if [ "$kpageflags" = 1 ]; then
		mark "$2"
		dd if=/proc/kpageflags bs=4194304 2>/dev/null |
			zstd -q -1 -c >"$1/kpageflags.fast.zst" ||
			die "could not save /proc/kpageflags"
	fi
}

### Record

start_time=$(now)
tf_write tracing_on 1
mark "$MARK_BEFORE_BEGIN"
snapshot "$stage/before" "$MARK_BEFORE_KPF"
mark "$MARK_BEFORE_END"

# The command runs in the background so that a signal to kmsim-record is
# handled at once; its signals are reset to the defaults and it keeps the
# standard input.
defsig=
if env --default-signal=INT,QUIT true 2>/dev/null; then
	defsig='env --default-signal=INT,QUIT'
fi
cmdpid=
{ $defsig "$@" <&3 3<&- & cmdpid=$!; } 3<&0
if [ -z "$cmdpid" ]; then
	$defsig "$@" </dev/null &
	cmdpid=$!
fi
status=0
wait "$cmdpid" || status=$?
cmdpid=

mark "$MARK_AFTER_BEGIN"
snapshot "$stage/after" "$MARK_AFTER_KPF"
mark "$MARK_AFTER_END"
tf_write tracing_on 0
end_time=$(now)

### Collect

lost=0
entries=0
per_cpu=
{ printf '' >"$stage/per_cpu_stats.txt"; } 2>/dev/null ||
	die "cannot write to '$stage'"
for c in "$I"/per_cpu/cpu*; do
	[ -f "$c/stats" ] || continue
	n=${c##*/cpu}
	{ printf '%s\n' "cpu$n"; sed 's/^/  /' "$c/stats"; } \
	    >>"$stage/per_cpu_stats.txt"
	read -r o d e <<EOF
$(awk -F: '
		$1 == "overrun" { o = $2 + 0 }
		$1 == "dropped events" { d = $2 + 0 }
		$1 == "entries" { e = $2 + 0 }
		END { print o + 0, d + 0, e + 0 }' "$c/stats")
EOF
	lost=$((lost + o + d))
	entries=$((entries + e))
	[ -n "$per_cpu" ] && per_cpu="$per_cpu, "
	per_cpu="$per_cpu{\"cpu\": $n, \"overrun\": $o, \"dropped\": $d, \"entries\": $e}"
done

msg "command exited with status $status; reading $entries events"
# The trace is read quickly (zstd -1) so that the instance and its ring
# buffer can go at once, and compressed properly afterwards.
zstd -q -1 -T0 -c <"$I/trace" >"$stage/trace.txt.fast.zst" ||
	die "could not read $I/trace"
for e in $events; do
	mkdir -p "$stage/formats/$e" &&
		cat "$I/events/$e/format" >"$stage/formats/$e/format" ||
		die "could not copy the format of '$e'"
done
remove_instance

# recompress NAME WHAT: NAME.fast.zst -> NAME.zst at the final level
recompress() {
	# shellcheck disable=SC2086
	zstd -dc "$1.fast.zst" | zstd $ZSTD_FLAGS -c >"$1.zst" &&
		rm -f -- "$1.fast.zst" ||
		die "could not compress $2"
}
msg "compressing the trace"
recompress "$stage/trace.txt" "the trace"
for s in before after; do
	f=$stage/$s/kpageflags
	[ -f "$f.fast.zst" ] || continue
	n=$(zstd -dc "$f.fast.zst" | wc -c)
	[ "$n" -gt 0 ] && [ $((n % 8)) -eq 0 ] ||
		die "the $s snapshot of /proc/kpageflags is short ($n bytes)"
	recompress "$f" "the $s kpageflags"
done

### Manifest

pageblock_order=$(awk '/^Page block order:/ { print $4; exit }' \
    "$stage/before/pagetypeinfo" 2>/dev/null)
nr_cpus=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 0)
page_size=$(getconf PAGESIZE 2>/dev/null || echo 4096)

{
	printf '{\n'
	printf '  "format": "kmsim-bundle",\n'
	printf '  "version": 1,\n'
	printf '  "kernel_release": %s,\n' "$(json_str "$(uname -r)")"
	printf '  "machine": %s,\n' "$(json_str "$(uname -m)")"
	printf '  "page_size": %s,\n' "$page_size"
	printf '  "pageblock_order": %s,\n' "${pageblock_order:-null}"
	printf '  "nr_cpus": %s,\n' "$nr_cpus"
	printf '  "start_time": %s,\n' "$start_time"
	printf '  "end_time": %s,\n' "$end_time"
	printf '  "command": ['
	sep=
	for a in "$@"; do
		printf '%s%s' "$sep" "$(json_str "$a")"
		sep=', '
	done
	printf '],\n'
	printf '  "exit_status": %s,\n' "$status"
	printf '  "trace": "trace.txt.zst",\n'
	printf '  "trace_format": "ftrace-text",\n'
	printf '  "trace_clock": "local",\n'
	printf '  "buffer_size_kb": %s,\n' "$buffer_kb"
	printf '  "events": ['
	sep=
	for e in $events; do
		printf '%s"%s"' "$sep" "$e"
		sep=', '
	done
	printf '],\n'
	printf '  "lost_events": %s,\n' "$lost"
	printf '  "per_cpu": [%s],\n' "$per_cpu"
	printf '  "markers": {\n'
	printf '    "before_begin": "%s",\n' "$MARK_BEFORE_BEGIN"
	printf '    "before_end": "%s",\n' "$MARK_BEFORE_END"
	printf '    "after_begin": "%s",\n' "$MARK_AFTER_BEGIN"
	if [ "$kpageflags" = 1 ]; then
		printf '    "before_kpageflags_begin": "%s",\n' "$MARK_BEFORE_KPF"
		printf '    "after_kpageflags_begin": "%s",\n' "$MARK_AFTER_KPF"
	fi
	printf '    "after_end": "%s"\n' "$MARK_AFTER_END"
	printf '  },\n'
	printf '  "snapshots": {"before": "before", "after": "after"},\n'
	if [ "$kpageflags" = 1 ]; then
		printf '  "kpageflags": "kpageflags.zst",\n'
	else
		printf '  "kpageflags": null,\n'
	fi
	printf '  "recorder": %s\n' "$(json_str "$prog $version")"
	printf '}\n'
} >"$stage/manifest.json" || die "could not write the manifest"

### Put the bundle in place

if [ "$tar_out" = 1 ]; then
	tar_tmp="$out.part$$.tar"
	members='manifest.json per_cpu_stats.txt before after formats trace.txt.zst'
	# shellcheck disable=SC2086
	(cd "$stage" && tar --format=ustar --owner=0 --group=0 --numeric-owner \
	    --sort=name -cf - $members) >"$tar_tmp" ||
		die "could not write the archive '$tar_tmp'"
	rm -rf -- "$out" && mv -f -- "$tar_tmp" "$out" ||
		die "could not move the archive to '$out'"
	tar_tmp=
	rm -rf -- "$stage"
else
	rm -rf -- "$out" && mv -- "$stage" "$out" ||
		die "could not move the bundle to '$out'"
fi
stage=
finished=1
msg "wrote '$out': $entries events, $lost lost"
[ "$lost" -eq 0 ] || warn "$lost events were lost; raise the buffer size (-b)"
exit "$status"
